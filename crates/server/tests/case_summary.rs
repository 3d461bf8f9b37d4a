//! The summary procedure (简易程序) and the discretion benchmark (裁量基准)
//! through the API, on SQLite and PostgreSQL: a decision on the spot within
//! the thresholds, numbered without gaps; a fine above them refused naming
//! APL Art. 51; the collection on the spot and the filing with the agency
//! (Art. 52, 68–71); the benchmark's suggestion, a departure needing a
//! written reason and the first-offence no-penalty rule (Art. 33).

mod common;

mod cases {
    use super::common::case_kit::{open_case, pdf_text, staff_of};
    use super::common::*;
    use chrono::Days;
    use domain::case::ResidentId;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";

    fn today() -> chrono::NaiveDate {
        domain::time::china_date(chrono::Utc::now())
    }

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    /// An item with a basis up to 100,000 yuan and one tier of 200–2,000
    /// yuan; `no_penalty_list`: on the first-offence no-penalty list.
    fn item(code: &str, no_penalty_list: bool) -> Value {
        json!({
            "code": code, "name": "对违反测试条例行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": [{"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
                "text": "处十万元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 100000}],
            "discretion": [
                {"circumstance": "情节较轻", "fine_min_yuan": 200, "fine_max_yuan": 2000, "suggested": "罚款"}
            ],
            "first_offence_no_penalty": no_penalty_list,
            "lead_department": "宁陵县城市管理局"
        })
    }

    /// The county creates the item and devolves it to township A.
    async fn item_held_by_a(app: &TestApp, code: &str, no_penalty_list: bool) {
        let county = app.session("countyadmin").await;
        ok(app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/power-items",
                Some(json!({"item": item(code, no_penalty_list), "reason": "新增"})),
            )
            .await)
        .await;
        ok(app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/devolutions",
                Some(
                    json!({"township": A, "item_code": code, "decision_no": "宁政〔2026〕3号",
                    "decision_date": "2026-01-05", "from_department": "宁陵县城市管理局"}),
                ),
            )
            .await)
        .await;
    }

    fn person() -> Value {
        let first = "411423199003070211";
        let first = &first[..17];
        let id = format!("{first}{}", ResidentId::check_char(first).unwrap());
        json!({"kind": "person", "name": "张三丰", "id_number": id,
            "address": "河南省商丘市宁陵县城关回族镇建设路12号"})
    }

    /// An on-the-spot decision of `yuan` on a citizen by two officers.
    fn spot(code: &str, officers: &[String], yuan: i64) -> Value {
        json!({
            "township": A, "item_code": code, "title": "某摊贩占道经营案",
            "party": person(), "officers": officers, "credentials_shown": true,
            "facts_certain": true, "violation": "在建设路占用人行道摆摊经营",
            "penalty": {"fine": yuan * 100}, "basis": "《测试条例》第十条",
            "correction": "立即撤除占道摊点", "place": "宁陵县城关回族镇建设路",
            "remedies": "可于六十日内申请行政复议或者六个月内提起行政诉讼",
            "signature": "signed"
        })
    }

    async fn decide(app: &TestApp, s: &Session, body: Value) -> reqwest::Response {
        app.send_as(s, Method::POST, "/api/v1/cases/summary", Some(body))
            .await
    }

    async fn filing(app: &TestApp, s: &Session, id: &str, body: Value) -> reqwest::Response {
        app.send_as(
            s,
            Method::POST,
            &format!("/api/v1/cases/{id}/summary/filing"),
            Some(body),
        )
        .await
    }

    fn articles(p: &Value, zh: &str, en: &str) {
        assert!(p["message_zh"].as_str().unwrap().contains(zh), "{p}");
        assert!(p["message_en"].as_str().unwrap().contains(en), "{p}");
    }

    /// APL Art. 51–52: 200 yuan on a citizen is decided on the spot; the
    /// forms are numbered 1, 2 in the township's sequence; the case is
    /// filed with its party and the decision; the fine of at most 100 yuan
    /// is collected on the spot against a receipt and the decision filed
    /// with the agency once.
    pub async fn apl_art51_52_a_fine_within_the_threshold_is_decided_on_the_spot_and_filed(
        db: &TestDb,
    ) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "S-OK", false).await;
        let officer = app.session("officer").await;
        let two = vec![
            staff_of(db, "officer").await,
            staff_of(db, "officer2").await,
        ];
        let first = ok(decide(&app, &officer, spot("S-OK", &two, 200)).await).await;
        let year = chrono::Datelike::year(&today());
        let number = first["number"].as_str().unwrap();
        assert!(
            number.ends_with(&format!("当罚决字〔{year}〕第1号")),
            "{number}"
        );
        assert_eq!(first["summary"]["decision"]["form_number"], number);
        assert_eq!(first["summary"]["decision"]["penalty"]["fine"], 20_000);
        let id = first["case"]["id"].as_str().unwrap().to_string();
        let second = ok(decide(&app, &officer, spot("S-OK", &two, 50)).await).await;
        assert!(
            second["number"]
                .as_str()
                .unwrap()
                .ends_with(&format!("〔{year}〕第2号")),
            "{second}"
        );
        let case = ok(app.get_as(&officer, &format!("/api/v1/cases/{id}")).await).await;
        assert_eq!(case["item_code"], "S-OK", "{case}");
        // decided on the spot: the ordinary procedure's steps do not apply
        let p = problem(
            app.send_as(
                &officer,
                Method::POST,
                &format!("/api/v1/cases/{id}/actions"),
                Some(
                    json!({"action": "investigate", "kind": "现场检查", "officers": two,
                    "credentials_shown": true}),
                ),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "case.summary_procedure", "{p}");

        // 200 yuan is more than 100: collected on the spot only with a reason
        let p = problem(
            filing(
                &app,
                &officer,
                &id,
                json!({"collection": {"ground": "small_fine", "receipt_number": "No.0001"}}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.art68_collection", "{p}");
        let filed = ok(filing(
            &app,
            &officer,
            &id,
            json!({"collection": {"ground": "hard_later", "reason": "当事人系外地流动摊贩",
                "receipt_number": "No.0001"}}),
        )
        .await)
        .await;
        assert_eq!(filed["summary"]["filed_on"], today().to_string());
        assert_eq!(filed["summary"]["collection"]["receipt_number"], "No.0001");
        let p = problem(filing(&app, &officer, &id, json!({})).await, 409).await;
        assert_eq!(p["code"], "case.summary_filed");

        let admin = app.session("admin").await;
        let audit = ok(app
            .get_as(
                &admin,
                &format!("/api/v1/audit?object_id={id}&per_page=100"),
            )
            .await)
        .await;
        let actions: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(actions.contains(&"case.summary_decision"), "{actions:?}");
        assert!(actions.contains(&"case.summary_filing"), "{actions:?}");
    }

    /// APL Art. 52: the numbered on-the-spot decision is a PDF of what was
    /// recorded, carrying the form's number (no new number is taken), shown
    /// on the case; one per case, and only for a summary case.
    pub async fn apl_art52_the_on_the_spot_decision_is_a_pdf_with_the_forms_number(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "S-PDF", false).await;
        let officer = app.session("officer").await;
        let two = vec![
            staff_of(db, "officer").await,
            staff_of(db, "officer2").await,
        ];
        let decided = ok(decide(&app, &officer, spot("S-PDF", &two, 150)).await).await;
        let number = decided["number"].as_str().unwrap().to_string();
        let id = decided["case"]["id"].as_str().unwrap().to_string();
        // the case shows its decision, and no 90-day clock runs
        let case = ok(app.get_as(&officer, &format!("/api/v1/cases/{id}")).await).await;
        assert_eq!(case["summary"]["decision"]["form_number"], number.as_str());
        assert!(case["clock"].is_null(), "{case}");
        let docs = format!("/api/v1/cases/{id}/documents");
        let r = app
            .send_as(
                &officer,
                Method::POST,
                &docs,
                Some(json!({"kind": "summary_decision"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["number"], number.as_str(), "{doc}");
        let pdf = app
            .get_as(&officer, &format!("{docs}/{}", doc["id"].as_str().unwrap()))
            .await;
        assert_eq!(pdf.status(), 200);
        let text = pdf_text(&pdf.bytes().await.unwrap());
        for wanted in [
            "当场行政处罚决定书",
            number.as_str(),
            "张三丰",
            "罚款",
            "在建设路占用人行道摆摊经营",
            "《测试条例》第十条",
            "立即撤除占道摊点",
            "第五十二条",
        ] {
            assert!(text.contains(wanted), "{wanted} missing from {text}");
        }
        let p = problem(
            app.send_as(
                &officer,
                Method::POST,
                &docs,
                Some(json!({"kind": "summary_decision"})),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "document.exists");
        // an ordinary case has no on-the-spot decision
        let ordinary = open_case(&app, &officer, "S-PDF", "普通程序案").await;
        let p = problem(
            app.send_as(
                &officer,
                Method::POST,
                &format!("/api/v1/cases/{ordinary}/documents"),
                Some(json!({"kind": "summary_decision"})),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "document.summary_only");
    }

    /// APL Art. 51: 201 yuan on a citizen needs the ordinary procedure; the
    /// refusal names the article and gives its number back.
    pub async fn apl_art51_a_fine_above_the_summary_threshold_is_refused(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "S-NO", false).await;
        let officer = app.session("officer").await;
        let two = vec![
            staff_of(db, "officer").await,
            staff_of(db, "officer2").await,
        ];
        let p = problem(decide(&app, &officer, spot("S-NO", &two, 201)).await, 422).await;
        assert_eq!(p["code"], "case.art51_fine_limit", "{p}");
        assert_eq!(p["field"], "penalty.fine");
        articles(&p, "第五十一条", "Art. 51");
        // APL Art. 42: one officer alone is refused too
        let p = problem(
            decide(&app, &officer, spot("S-NO", &two[..1], 100)).await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.art42_two_officers", "{p}");
        let cases = ok(app.get_as(&officer, "/api/v1/cases?per_page=100").await).await;
        assert!(
            !cases.to_string().contains("S-NO"),
            "a refused decision files no case"
        );
        // the refused forms took no number
        let v = ok(decide(&app, &officer, spot("S-NO", &two, 200)).await).await;
        assert!(
            v["number"].as_str().unwrap().ends_with("第1号"),
            "{}",
            v["number"]
        );
    }

    /// File an ordinary case under `code` (the act ten days ago).
    async fn open(app: &TestApp, s: &Session, code: &str) -> String {
        let act = (today() - Days::new(10)).to_string();
        let case = ok(app
            .send_as(
                s,
                Method::POST,
                "/api/v1/cases",
                Some(json!({"township": A, "item_code": code, "title": "某商户占道经营案", "act_date": act})),
            )
            .await)
        .await;
        case["id"].as_str().unwrap().to_string()
    }

    async fn discretion(app: &TestApp, s: &Session, id: &str, body: Value) -> reqwest::Response {
        app.send_as(
            s,
            Method::POST,
            &format!("/api/v1/cases/{id}/discretion"),
            Some(body),
        )
        .await
    }

    /// The benchmark suggests the middle of the tier (200–2,000 yuan →
    /// 1,100); 3,000 yuan lies outside it and needs a written reason (422
    /// naming `departure_reason`), with which it is accepted.
    pub async fn apl_art32_a_fine_outside_the_discretion_tier_needs_a_written_reason(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "D-TIER", false).await;
        let officer = app.session("officer").await;
        let id = open(&app, &officer, "D-TIER").await;
        let v = ok(discretion(&app, &officer, &id, json!({"tier": 0})).await).await;
        assert_eq!(v["suggested_fine"], 110_000, "{v}");
        assert_eq!(v["no_penalty"], false);
        let p = problem(
            discretion(&app, &officer, &id, json!({"tier": 0, "fine": 300_000})).await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.discretion_reason", "{p}");
        assert_eq!(p["field"], "departure_reason");
        let v = ok(discretion(
            &app,
            &officer,
            &id,
            json!({"tier": 0, "fine": 300_000, "departure_reason": "多次劝阻拒不改正，影响恶劣"}),
        )
        .await)
        .await;
        assert_eq!(v["proposed_fine"], 300_000, "{v}");
    }

    /// APL Art. 33 ¶1: a first offence with slight harm, promptly corrected,
    /// goes unpunished where the item is on the no-penalty list — and only
    /// there.
    pub async fn apl_art33_first_offence_no_penalty_applies_where_the_item_is_on_the_list(
        db: &TestDb,
    ) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "D-LIST", true).await;
        item_held_by_a(&app, "D-OFF", false).await;
        let officer = app.session("officer").await;
        let facts = json!({"tier": 0, "fine": 20_000, "first_offence": true,
            "harm_slight": true, "corrected_promptly": true});
        let listed = open(&app, &officer, "D-LIST").await;
        let v = ok(discretion(&app, &officer, &listed, facts.clone()).await).await;
        assert_eq!(v["first_offence_no_penalty"], true, "{v}");
        assert_eq!(v["no_penalty"], true);
        assert!(v["article"].as_str().unwrap().contains("第三十三条"));
        let other = open(&app, &officer, "D-OFF").await;
        let v = ok(discretion(&app, &officer, &other, facts).await).await;
        assert_eq!(v["first_offence_no_penalty"], false, "{v}");
        assert_eq!(v["no_penalty"], false);
        assert_eq!(v["proposed_fine"], 20_000);
    }
}

store::both_databases!(crate::cases =>
    apl_art52_the_on_the_spot_decision_is_a_pdf_with_the_forms_number,
    apl_art51_52_a_fine_within_the_threshold_is_decided_on_the_spot_and_filed,
    apl_art51_a_fine_above_the_summary_threshold_is_refused,
    apl_art32_a_fine_outside_the_discretion_tier_needs_a_written_reason,
    apl_art33_first_offence_no_penalty_applies_where_the_item_is_on_the_list,
);
