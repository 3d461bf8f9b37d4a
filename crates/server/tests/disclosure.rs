//! Publication of penalty decisions (行政执法公示) through the API, on SQLite
//! and PostgreSQL: a decided case's decision published masked by a legal
//! reviewer or the brigade leader within the 7 working days of 国办发
//! 〔2018〕118号 (the case view supervises the deadline), listed publicly
//! without login with no personal data in any answer, and withdrawn with
//! its reasons (APL Art. 48).

mod common;

mod cases {
    use super::common::case_kit::{held_by_a, staff_of};
    use super::common::*;
    use chrono::{Days, NaiveDate};
    use domain::calendar::Calendar;
    use domain::case::disclosure::publication_deadline;
    use domain::case::{Record, ResidentId};
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";
    const B: &str = "411423101";
    const HOME: &str = "河南省商丘市宁陵县城关回族镇建设路12号";
    const PHONE: &str = "13812345678";

    fn today() -> NaiveDate {
        domain::time::china_date(chrono::Utc::now())
    }

    fn id_number() -> String {
        let first = "41142319900307021";
        format!("{first}{}", ResidentId::check_char(first).unwrap())
    }

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    async fn item_held_by_a(app: &TestApp, code: &str) {
        let item = json!({
            "code": code, "name": "对违反测试条例行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": [{"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
                "text": "处五千元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 5000}],
            "discretion": [{"circumstance": "一般", "fine_min_yuan": 200, "fine_max_yuan": 2000, "suggested": "罚款"}],
            "lead_department": "宁陵县城市管理局"
        });
        held_by_a(app, item).await;
    }

    /// A new user with `role` in `township`, created by its admin, logged in.
    async fn user_with(app: &TestApp, admin: &Session, township: &str, role: &str) -> Session {
        let name = format!("{role}_{township}");
        ok(app
            .send_as(
                admin,
                Method::POST,
                "/api/v1/users",
                Some(
                    json!({"username": name, "display_name": name, "password": "pass12345",
                    "role": role, "jurisdiction": township}),
                ),
            )
            .await)
        .await;
        let v = ok(app.login(&name, "pass12345").await).await;
        Session {
            token: v["token"].as_str().unwrap().into(),
            csrf: v["csrf_token"].as_str().unwrap().into(),
        }
    }

    async fn step(app: &TestApp, s: &Session, id: &str, body: Value) -> Value {
        let name = body["action"].clone();
        let r = app
            .send_as(
                s,
                Method::POST,
                &format!("/api/v1/cases/{id}/actions"),
                Some(body),
            )
            .await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{name}: {status}: {v}");
        v
    }

    /// The facts of the decision, with the party's ID number, mobile and
    /// home address in them (as officers do write them).
    fn facts() -> String {
        format!(
            "当事人张三丰（身份证号码{}，联系电话{PHONE}，住{HOME}）在建设路占用人行道经营，影响通行",
            id_number()
        )
    }

    /// A case of township A, filed, investigated, noticed (1,000 yuan, no
    /// hearing), statement waived; decided unless `decided` is false.
    async fn case(db: &TestDb, app: &TestApp, officer: &Session, decided: bool) -> String {
        let (s1, s2) = (
            staff_of(db, "officer").await,
            staff_of(db, "officer2").await,
        );
        let act = (today() - Days::new(10)).to_string();
        let c = ok(app
            .send_as(
                officer,
                Method::POST,
                "/api/v1/cases",
                Some(json!({"township": A, "item_code": "P-PUB", "title": "张三丰占道经营案", "act_date": act})),
            )
            .await)
        .await;
        let id = c["id"].as_str().unwrap().to_string();
        ok(app
            .send_as(
                officer,
                Method::PUT,
                &format!("/api/v1/cases/{id}/party"),
                Some(
                    json!({"kind": "person", "name": "张三丰", "id_number": id_number(),
                    "phone": PHONE, "address": HOME}),
                ),
            )
            .await)
        .await;
        step(
            app,
            officer,
            &id,
            json!({"action": "investigate", "kind": "现场检查", "officers": [s1, s2],
                "credentials_shown": true}),
        )
        .await;
        step(
            app,
            officer,
            &id,
            json!({"action": "serve_notice", "notice": {
                "penalty": {"fine": 100_000}, "discretion": {"tier": 0},
                "facts": facts(), "reasons": "违反《测试条例》第五条", "basis": ["《测试条例》第十条"],
                "statement_rights": true, "hearing_right": false, "statement_days": 3}}),
        )
        .await;
        step(
            app,
            officer,
            &id,
            json!({"action": "waive", "statement": true, "hearing": false}),
        )
        .await;
        if decided {
            let v = step(
                app,
                officer,
                &id,
                json!({"action": "decide", "decision": {"kind": "penalise", "letter": {
                    "number": format!("宁城关罚决字〔2026〕第{}号", &id[id.len() - 4..]),
                    "party_name": "张三丰", "party_address": HOME, "facts": facts(),
                    "evidence": ["现场检查笔录"], "penalty": {"fine": 100_000},
                    "discretion": {"tier": 0}, "basis": ["《测试条例》第十条"],
                    "correction": "立即停止占道经营",
                    "performance": "自收到本决定书之日起十五日内到指定银行缴纳罚款",
                    "remedies": {"reconsideration_body": "宁陵县人民政府", "reconsideration_days": 60,
                        "court": "宁陵县人民法院", "litigation_months": 6},
                    "agency": "宁陵县城关回族镇人民政府", "date": today(), "sealed": true}}}),
            )
            .await;
            assert_eq!(v["status"], "decided");
        }
        id
    }

    /// `days` pass on the case's record (as in tests/case_procedure.rs).
    async fn days_pass(db: &TestDb, id: &str, days: u64) {
        fn shift(v: &mut Value, days: u64) {
            match v {
                Value::String(s) if s.len() == 10 => {
                    if let Ok(d) = s.parse::<NaiveDate>() {
                        *s = (d - Days::new(days)).to_string();
                    }
                }
                Value::Array(a) => a.iter_mut().for_each(|x| shift(x, days)),
                Value::Object(o) => o.values_mut().for_each(|x| shift(x, days)),
                _ => {}
            }
        }
        let mut conn = db.store.acquire().await.unwrap();
        let scope = domain::access::Scope::system(domain::access::Permission::ViewCases);
        let case = store::cases::case_in(&mut conn, &scope, id).await.unwrap();
        let p = store::cases::procedure(&mut conn, &case).await.unwrap();
        let mut v = serde_json::to_value(&p.record).unwrap();
        shift(&mut v, days);
        let record: Record = serde_json::from_value(v).unwrap();
        store::cases::save_record(&mut conn, id, p.version, &record)
            .await
            .unwrap();
    }

    async fn publish(app: &TestApp, s: &Session, id: &str) -> reqwest::Response {
        app.send_as(
            s,
            Method::POST,
            &format!("/api/v1/cases/{id}/publication"),
            None,
        )
        .await
    }

    async fn withdraw(app: &TestApp, s: &Session, id: &str, body: Value) -> reqwest::Response {
        app.send_as(
            s,
            Method::POST,
            &format!("/api/v1/cases/{id}/publication/withdrawal"),
            Some(body),
        )
        .await
    }

    /// Every run of ASCII letters and digits in `text` that is an ID
    /// number (17 digits and a digit or X) or a mainland mobile number.
    fn personal_numbers(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| {
                let b = t.as_bytes();
                let id = b.len() == 18
                    && b[..17].iter().all(u8::is_ascii_digit)
                    && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x');
                let mobile = b.len() == 11
                    && b[0] == b'1'
                    && (b'3'..=b'9').contains(&b[1])
                    && b.iter().all(u8::is_ascii_digit);
                id || mobile
            })
            .map(str::to_string)
            .collect()
    }

    /// A public answer: fetched without login, 200, and free of personal
    /// data and internal identifiers.
    async fn public(app: &TestApp, path: &str, cases: &[&str]) -> Value {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let text = r.text().await.unwrap();
        assert_eq!(
            personal_numbers(&text),
            Vec::<String>::new(),
            "{path}: an ID or mobile number in a public answer: {text}"
        );
        for secret in [id_number().as_str(), PHONE, HOME, "建设路12号"] {
            assert!(!text.contains(secret), "{path}: {secret} in {text}");
        }
        for id in cases {
            assert!(!text.contains(id), "{path}: the case id in {text}");
        }
        for internal in ["published_by", "withdrawn_by", "case_id", "reviewer_"] {
            assert!(!text.contains(internal), "{path}: {internal} in {text}");
        }
        serde_json::from_str(&text).unwrap()
    }

    /// A public portal page: 200, HTML, and nothing personal in it.
    async fn public_page(app: &TestApp, path: &str, cases: &[&str]) -> String {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let text = r.text().await.unwrap();
        assert_eq!(
            personal_numbers(&text),
            Vec::<String>::new(),
            "{path}: {text}"
        );
        for secret in [id_number().as_str(), PHONE, HOME, "建设路12号"] {
            assert!(!text.contains(secret), "{path}: {secret} in {text}");
        }
        for id in cases {
            assert!(!text.contains(id), "{path}: the case id in {text}");
        }
        text
    }

    /// 国办发〔2018〕118号 and APL Art. 48: the case view supervises the 7
    /// working days; a legal reviewer or the brigade leader (no one else,
    /// no other township) publishes the decision masked, once; it is
    /// listed publicly without login, by township and page, with no ID or
    /// phone number anywhere.
    pub async fn guobanfa_2018_118_apl_art48_a_decision_is_published_masked_within_7_working_days(
        db: &TestDb,
    ) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "P-PUB").await;
        let officer = app.session("officer").await;
        let reviewer = app.session("reviewer").await;
        let admin = app.session("admin").await;
        let leader = user_with(&app, &admin, A, "brigade_leader").await;
        let admin_b = app.session("admin2").await;
        let leader_b = user_with(&app, &admin_b, B, "brigade_leader").await;

        // nothing to publish before the decision; no deadline either
        let open = case(db, &app, &officer, false).await;
        let p = problem(publish(&app, &reviewer, &open).await, 409).await;
        assert_eq!(p["code"], "disclosure.not_decided");
        let v = ok(app.get_as(&officer, &format!("/api/v1/cases/{open}")).await).await;
        assert!(v["publication"].is_null());

        // decided today: publish by the 7th working day
        let first = case(db, &app, &officer, true).await;
        let v = ok(app
            .get_as(&officer, &format!("/api/v1/cases/{first}"))
            .await)
        .await;
        let by = publication_deadline(&Calendar::builtin(), today());
        assert_eq!(v["publication"]["publish_by"], by.to_string());
        assert_eq!(v["publication"]["overdue"], false);
        // an officer may not publish; nor B's brigade leader A's case
        let p = problem(publish(&app, &officer, &first).await, 403).await;
        assert_eq!(p["code"], "access.forbidden");
        let p = problem(publish(&app, &leader_b, &first).await, 403).await;
        assert_eq!(p["code"], "access.out_of_jurisdiction");
        // a month passes unpublished: overdue
        days_pass(db, &first, 30).await;
        let v = ok(app
            .get_as(&officer, &format!("/api/v1/cases/{first}"))
            .await)
        .await;
        let decided_on: NaiveDate = v["record"]["decision"]["decided_on"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let by = publication_deadline(&Calendar::builtin(), decided_on);
        assert_eq!(v["publication"]["publish_by"], by.to_string());
        assert_eq!(v["publication"]["overdue"], true, "{}", v["publication"]);

        // the legal reviewer publishes it, late, masked
        let r = publish(&app, &reviewer, &first).await;
        assert_eq!(r.status(), 201);
        let pubd: Value = r.json().await.unwrap();
        assert_eq!(pubd["late"], true);
        assert_eq!(pubd["published_on"], today().to_string());
        let d = &pubd["decision"];
        assert_eq!(d["party_name"], "张三丰");
        let id = id_number();
        assert_eq!(d["party_id"], format!("{}********{}", &id[..6], &id[14..]));
        assert_eq!(d["party_address"], "河南省商丘市宁陵县****");
        let facts = d["facts"].as_str().unwrap();
        assert!(facts.contains("138****5678"), "{facts}");
        assert!(!facts.contains(PHONE) && !facts.contains(&id) && !facts.contains("建设路12号"));
        assert_eq!(d["penalty"], "罚款 1000.00 元");
        // once in force, not again
        let p = problem(publish(&app, &leader, &first).await, 409).await;
        assert_eq!(p["code"], "disclosure.already_published");
        let v = ok(app
            .get_as(&officer, &format!("/api/v1/cases/{first}"))
            .await)
        .await;
        assert_eq!(v["publication"]["overdue"], false);
        assert_eq!(v["publication"]["late"], true);
        assert_eq!(v["publication"]["publication_id"], pubd["id"]);

        // a second decision, published on time by the brigade leader
        let second = case(db, &app, &officer, true).await;
        let r = publish(&app, &leader, &second).await;
        assert_eq!(r.status(), 201);
        let pubd2: Value = r.json().await.unwrap();
        assert_eq!(pubd2["late"], false);

        // public, without login: newest first, by township, by page
        let cases = [first.as_str(), second.as_str(), open.as_str()];
        let all = public(&app, "/api/v1/public/decisions", &cases).await;
        assert_eq!(all["total"], 2);
        let items = all["items"].as_array().unwrap();
        assert_eq!(items[0]["id"], pubd2["id"]);
        assert_eq!(items[1]["id"], pubd["id"]);
        assert_eq!(items[1]["status"], "published");
        assert_eq!(items[1]["township"], A);
        assert_eq!(items[1]["decision"]["facts"], pubd["decision"]["facts"]);
        let a = public(
            &app,
            &format!("/api/v1/public/decisions?township={A}"),
            &cases,
        )
        .await;
        assert_eq!(a["total"], 2);
        let b = public(
            &app,
            &format!("/api/v1/public/decisions?township={B}"),
            &cases,
        )
        .await;
        assert_eq!(
            (b["total"].as_u64(), b["items"].as_array().unwrap().len()),
            (Some(0), 0)
        );
        let p1 = public(&app, "/api/v1/public/decisions?per_page=1&page=1", &cases).await;
        let p2 = public(&app, "/api/v1/public/decisions?per_page=1&page=2", &cases).await;
        assert_eq!(p1["items"].as_array().unwrap().len(), 1);
        assert_eq!(p2["items"].as_array().unwrap().len(), 1);
        assert_eq!(p1["items"][0]["id"], pubd2["id"]);
        assert_eq!(p2["items"][0]["id"], pubd["id"]);
        let one = public(
            &app,
            &format!("/api/v1/public/decisions/{}", pubd["id"].as_str().unwrap()),
            &cases,
        )
        .await;
        assert_eq!(one["number"], pubd["number"]);
        assert_eq!(one["late"], true);
        problem(
            app.get("/api/v1/public/decisions/no-such-decision").await,
            404,
        )
        .await;
        problem(app.get("/api/v1/public/decisions?per_page=0").await, 422).await;

        // audited
        let audit = ok(app
            .get_as(&admin, "/api/v1/audit?action=case.publish&per_page=100")
            .await)
        .await;
        assert_eq!(audit["total"], 2);
    }

    /// APL Art. 48: a decision revoked on reconsideration — its
    /// publication is withdrawn with the reasons, which stay public while
    /// the decision's content goes; without reasons it is refused; a
    /// withdrawal after the 3 working days is marked late.
    pub async fn apl_art48_a_withdrawn_publication_keeps_its_reasons_public(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "P-PUB").await;
        let officer = app.session("officer").await;
        let reviewer = app.session("reviewer").await;
        let id = case(db, &app, &officer, true).await;
        let p = problem(
            withdraw(
                &app,
                &reviewer,
                &id,
                json!({"change": "revoked", "changed_on": today(), "reasons": "复议撤销"}),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(p["code"], "disclosure.not_published");
        let pubd = ok(publish(&app, &reviewer, &id).await).await;
        let path = format!("/api/v1/public/decisions/{}", pubd["id"].as_str().unwrap());

        let revoked = json!({"change": "revoked", "changed_on": today(),
            "reasons": "宁陵县人民政府行政复议决定撤销原处罚决定"});
        let p = problem(withdraw(&app, &officer, &id, revoked.clone()).await, 403).await;
        assert_eq!(p["code"], "access.forbidden");
        let p = problem(
            withdraw(
                &app,
                &reviewer,
                &id,
                json!({"change": "revoked", "changed_on": today(), "reasons": "  "}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["code"], "case.art48_withdrawal_reasons");
        assert!(p["message_zh"].as_str().unwrap().contains("第四十八条"));
        // still public until withdrawn, on the portal too
        let shown = public(&app, &path, &[&id]).await;
        assert_eq!(shown["status"], "published");
        let number = shown["number"].as_str().unwrap().to_string();
        let page = format!("/portal/decisions/{}", pubd["id"].as_str().unwrap());
        assert!(
            public_page(&app, "/portal/decisions", &[&id])
                .await
                .contains(&number)
        );
        assert!(public_page(&app, "/portal", &[&id]).await.contains(&number));
        let html = public_page(&app, &page, &[&id]).await;
        assert!(
            html.contains(shown["decision"]["penalty"].as_str().unwrap()),
            "{html}"
        );

        let w = ok(withdraw(&app, &reviewer, &id, revoked.clone()).await).await;
        assert_eq!(w["withdrawal"]["change"], "revoked");
        assert_eq!(w["withdrawal"]["late"], false);
        assert_eq!(w["withdrawal"]["withdrawn_on"], today().to_string());
        let one = public(&app, &path, &[&id]).await;
        assert_eq!(one["status"], "withdrawn");
        assert!(one["decision"].is_null(), "the content is gone: {one}");
        assert_eq!(
            one["withdrawal"]["reasons"],
            "宁陵县人民政府行政复议决定撤销原处罚决定"
        );
        let html = public_page(&app, &page, &[&id]).await;
        assert!(
            html.contains("本公示已撤回")
                && html.contains("宁陵县人民政府行政复议决定撤销原处罚决定"),
            "{html}"
        );
        assert!(
            !html.contains(shown["decision"]["facts"].as_str().unwrap()),
            "{html}"
        );
        let list = public(&app, "/api/v1/public/decisions", &[&id]).await;
        assert_eq!(list["items"][0]["status"], "withdrawn");
        assert!(list["items"][0]["decision"].is_null());
        let p = problem(withdraw(&app, &reviewer, &id, revoked).await, 409).await;
        assert_eq!(p["code"], "disclosure.not_published");
        let v = ok(app.get_as(&officer, &format!("/api/v1/cases/{id}")).await).await;
        assert!(v["publication"]["publication_id"].is_null());
        assert_eq!(v["publication"]["withdrawal"]["change"], "revoked");
        assert_eq!(v["publication"]["overdue"], false, "it was published");

        // the altered decision published again, then withdrawn 10 days
        // after the change: late
        ok(publish(&app, &reviewer, &id).await).await;
        let w = ok(withdraw(
            &app,
            &reviewer,
            &id,
            json!({"change": "held_illegal", "changed_on": today() - Days::new(10),
                "reasons": "人民法院判决确认违法"}),
        )
        .await)
        .await;
        assert_eq!(w["withdrawal"]["late"], true);
        let admin = app.session("admin").await;
        let audit = ok(app
            .get_as(
                &admin,
                "/api/v1/audit?action=case.publication_withdraw&per_page=100",
            )
            .await)
        .await;
        assert_eq!(audit["total"], 2);
    }
}

store::both_databases!(crate::cases =>
    guobanfa_2018_118_apl_art48_a_decision_is_published_masked_within_7_working_days,
    apl_art48_a_withdrawn_publication_keeps_its_reasons_public,
);
