//! The ordinary procedure (普通程序) through the API, on SQLite and
//! PostgreSQL: a case with a hearing from filing to archive, the unlawful
//! steps refused with the article they break, and concurrent steps.
//!
//! The rules take "today" from the clock. Where the law makes the party
//! wait (the hearing is notified at least 7 working days ahead), the test
//! lets the days pass by moving every date on the case's record back, as
//! if its steps had been taken that much earlier (`days_pass`); every step
//! itself goes through the API.

mod common;

mod cases {
    use super::common::case_kit::staff_of;
    use super::common::*;
    use chrono::{Days, NaiveDate};
    use domain::case::{Record, ResidentId};
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";

    fn today() -> NaiveDate {
        domain::time::china_date(chrono::Utc::now())
    }

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    /// An item with a basis up to 100,000 yuan and two tiers: 200–2,000
    /// yuan (light) and 5,000–20,000 yuan (serious: the hearing threshold
    /// for a citizen in Henan is 5,000).
    fn item(code: &str) -> Value {
        json!({
            "code": code, "name": "对违反测试条例行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": [{"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
                "text": "处十万元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 100000}],
            "discretion": [
                {"circumstance": "情节较轻", "fine_min_yuan": 200, "fine_max_yuan": 2000, "suggested": "罚款"},
                {"circumstance": "情节严重", "fine_min_yuan": 5000, "fine_max_yuan": 20000, "suggested": "罚款"}
            ],
            "lead_department": "宁陵县城市管理局"
        })
    }

    /// The county creates the item and devolves it to township A.
    async fn item_held_by_a(app: &TestApp, code: &str) {
        let county = app.session("countyadmin").await;
        ok(app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/power-items",
                Some(json!({"item": item(code), "reason": "新增"})),
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

    /// The staff id behind a demo login (the id a step names).
    async fn user_id(db: &TestDb, username: &str) -> String {
        let mut conn = db.store.acquire().await.unwrap();
        let (user, _) = store::identity::credentials_for_login(&mut conn, username)
            .await
            .unwrap()
            .expect("a demo account");
        user.id
    }

    /// A valid resident ID number for a birth date (YYYYMMDD).
    fn id_number(birth: &str) -> String {
        let first = format!("411423{birth}021");
        format!("{first}{}", ResidentId::check_char(&first).unwrap())
    }

    fn person() -> Value {
        json!({"kind": "person", "name": "张三丰", "id_number": id_number("19900307"),
            "phone": "13812345678", "address": "河南省商丘市宁陵县城关回族镇建设路12号"})
    }

    /// File a case in township A (the act ten days ago) and set its party.
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
        let id = case["id"].as_str().unwrap().to_string();
        ok(app
            .send_as(
                s,
                Method::PUT,
                &format!("/api/v1/cases/{id}/party"),
                Some(person()),
            )
            .await)
        .await;
        id
    }

    async fn step(app: &TestApp, s: &Session, id: &str, body: Value) -> reqwest::Response {
        app.send_as(
            s,
            Method::POST,
            &format!("/api/v1/cases/{id}/actions"),
            Some(body),
        )
        .await
    }

    /// A step that must apply; the case as answered.
    async fn apply(app: &TestApp, s: &Session, id: &str, body: Value) -> Value {
        let name = body["action"].clone();
        let r = step(app, s, id, body).await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{name}: {status}: {v}");
        v
    }

    /// A step that must be refused with `status` and `code`; nothing changes.
    async fn refused(
        app: &TestApp,
        s: &Session,
        id: &str,
        body: Value,
        status: u16,
        code: &str,
    ) -> Value {
        let before = get(app, s, id).await["version"].clone();
        let p = problem(step(app, s, id, body.clone()).await, status).await;
        assert_eq!(p["code"], code, "{}: {p}", body["action"]);
        assert_eq!(
            get(app, s, id).await["version"],
            before,
            "a refused step stores nothing"
        );
        p
    }

    async fn get(app: &TestApp, s: &Session, id: &str) -> Value {
        ok(app.get_as(s, &format!("/api/v1/cases/{id}")).await).await
    }

    /// `days` pass: every date on the case's record moves `days` back, as
    /// if its steps had been taken that much earlier. Written through the
    /// store as a step is (the version moves on).
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

    fn investigate(officers: &[&str]) -> Value {
        json!({"action": "investigate", "kind": "现场检查", "officers": officers,
            "credentials_shown": true, "note": "现场拍照取证，制作检查笔录"})
    }

    /// The prior notice: `yuan` in `tier` (0: light, 1: serious), with the
    /// right to a hearing where Art. 63 gives it.
    fn notice(yuan: i64, tier: usize, hearing: bool) -> Value {
        json!({"action": "serve_notice", "notice": {
            "penalty": {"fine": yuan * 100},
            "discretion": {"tier": tier},
            "facts": "当事人在建设路占用人行道经营，影响通行",
            "reasons": "违反《测试条例》第五条",
            "basis": ["《测试条例》第十条"],
            "statement_rights": true,
            "hearing_right": hearing,
            "statement_days": 3
        }})
    }

    fn decide(yuan: i64, tier: usize) -> Value {
        json!({"action": "decide", "decision": {"kind": "penalise", "letter": {
            "number": "宁城执罚决字〔2026〕第0001号",
            "party_name": "张三丰",
            "party_address": "河南省商丘市宁陵县城关回族镇建设路12号",
            "facts": "当事人在建设路占用人行道经营，影响通行",
            "evidence": ["现场检查笔录", "现场照片", "询问笔录"],
            "penalty": {"fine": yuan * 100},
            "discretion": {"tier": tier},
            "basis": ["《测试条例》第十条"],
            "correction": "立即停止占道经营，恢复人行道通行",
            "performance": "自收到本决定书之日起十五日内到指定银行缴纳罚款",
            "remedies": {"reconsideration_body": "宁陵县人民政府", "reconsideration_days": 60,
                "court": "宁陵县人民法院", "litigation_months": 6},
            "agency": "宁陵县城关回族镇人民政府",
            "date": today(),
            "sealed": true
        }}})
    }

    fn schedule(presiding: &str, hearing_on: NaiveDate) -> Value {
        json!({"action": "schedule_hearing", "schedule": {
            "notified_on": today(), "hearing_on": hearing_on, "place": "镇政府三楼会议室",
            "presiding": presiding, "public": true}})
    }

    fn articles(p: &Value, zh: &str, en: &str) {
        assert!(
            p["message_zh"].as_str().unwrap().contains(zh),
            "{zh}: {}",
            p["message_zh"]
        );
        assert!(
            p["message_en"].as_str().unwrap().contains(en),
            "{en}: {}",
            p["message_en"]
        );
    }

    /// (a) A case with a hearing through the API: party, two credentialed
    /// officers investigate, prior notice of 6,000 yuan with the hearing
    /// right, hearing asked for within 5 days and notified 7 working days
    /// ahead, held and presided by someone who did not investigate, legal
    /// review by the demo reviewer, a decision with the Art. 59 contents,
    /// service, payment, performance, closure and archive — every step
    /// audited, the party's ID number masked unless the caller may see
    /// personal data.
    pub async fn an_ordinary_case_with_a_hearing_runs_from_filing_to_archive(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "P-HEAR").await;
        let officer = app.session("officer").await;
        let reviewer = app.session("reviewer").await;
        let admin = app.session("admin").await;
        let (s1, s2) = (
            staff_of(db, "officer").await,
            staff_of(db, "officer2").await,
        );
        let presiding = staff_of(db, "squadleader").await;

        let act = (today() - Days::new(10)).to_string();
        let case = ok(app
            .send_as(
                &officer,
                Method::POST,
                "/api/v1/cases",
                Some(json!({"township": A, "item_code": "P-HEAR", "title": "某商户占道经营案", "act_date": act})),
            )
            .await)
        .await;
        let id = case["id"].as_str().unwrap().to_string();
        let v = get(&app, &officer, &id).await;
        assert_eq!(v["record"]["status"], "filed");
        assert_eq!(v["record"]["filed_on"], today().to_string());
        assert_eq!(
            v["clock"]["days_left"], 90,
            "APL Art. 60: 90 days from filing"
        );
        assert_eq!(v["clock"]["warning"], "none");

        // no step before the party is known
        refused(
            &app,
            &officer,
            &id,
            investigate(&[&s1, &s2]),
            422,
            "case.party_required",
        )
        .await;
        // an ID number with a wrong check character names its field
        let mut bad = person();
        let good = id_number("19900307");
        let wrong = if good.ends_with('0') { '1' } else { '0' };
        bad["id_number"] = json!(format!("{}{wrong}", &good[..17]));
        let p = problem(
            app.send_as(
                &officer,
                Method::PUT,
                &format!("/api/v1/cases/{id}/party"),
                Some(bad),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(
            (p["code"].as_str(), p["field"].as_str()),
            (Some("party.id_check_digit"), Some("id_number"))
        );
        let v = ok(app
            .send_as(
                &officer,
                Method::PUT,
                &format!("/api/v1/cases/{id}/party"),
                Some(person()),
            )
            .await)
        .await;
        assert_eq!(v["party_masked"], true, "an officer sees the ID masked");
        assert_eq!(
            v["party"]["id_number"],
            format!("{}********{}", &good[..6], &good[14..]),
            "the birth date hidden"
        );

        // investigation by two credentialed officers (Art. 42, 55)
        let v = apply(&app, &officer, &id, investigate(&[&s1, &s2])).await;
        assert_eq!(v["status"], "investigating");
        // prior notice of 6,000 yuan: the hearing right must be told (Art. 44, 63)
        let p = refused(
            &app,
            &officer,
            &id,
            notice(6_000, 1, false),
            422,
            "case.art44_hearing_right",
        )
        .await;
        articles(&p, "第六十三条", "Art. 44 and 63");
        let v = apply(&app, &officer, &id, notice(6_000, 1, true)).await;
        assert_eq!(v["status"], "notice_served");
        assert!(v["record"]["notices"][0]["hearing_request_ends"].is_string());
        // the party asks for a hearing within 5 days (Art. 64)
        let v = apply(&app, &officer, &id, json!({"action": "request_hearing"})).await;
        assert_eq!(v["status"], "hearing_requested");
        // the hearing is notified at least 7 working days ahead
        let earliest = domain::calendar::Calendar::builtin().add_working_days(today(), 7);
        let p = refused(
            &app,
            &officer,
            &id,
            schedule(&presiding, earliest - Days::new(1)),
            422,
            "case.art64_hearing_notice",
        )
        .await;
        articles(&p, "第六十四条", "Art. 64");
        // presided by someone who did not investigate
        refused(
            &app,
            &officer,
            &id,
            schedule(&s1, earliest),
            422,
            "case.art64_presiding_investigator",
        )
        .await;
        apply(&app, &officer, &id, schedule(&presiding, earliest)).await;
        // nor can the hearing end before it is held, nor the decision come
        let held = json!({"action": "conclude_hearing",
            "outcome": {"outcome": "held", "agents": 1, "minutes": "signed"}});
        refused(&app, &officer, &id, held.clone(), 422, "case.art64_not_yet").await;
        refused(
            &app,
            &officer,
            &id,
            decide(6_000, 1),
            422,
            "case.art64_hearing_pending",
        )
        .await;

        // the hearing day comes
        days_pass(db, &id, 30).await;
        let v = apply(&app, &officer, &id, held).await;
        assert_eq!(v["status"], "hearing_concluded");
        // after a hearing the decision waits for a legal review (Art. 58)
        let p = refused(
            &app,
            &officer,
            &id,
            decide(6_000, 1),
            422,
            "case.art58_legal_review",
        )
        .await;
        articles(&p, "第五十八条", "Art. 58");
        let reviewer_id = v["reviewers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "法制审核员（城关）")
            .expect("the demo reviewer is the township's")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let submit = json!({"action": "submit_legal_review", "reviewer": reviewer_id});
        // a reviewer who started after 15 July 2021 needs the legal qualification
        refused(
            &app,
            &officer,
            &id,
            submit.clone(),
            422,
            "case.art58_reviewer_qualification",
        )
        .await;
        let uid = user_id(db, "reviewer").await;
        let r = ok(app
            .send_as(
                &admin,
                Method::PUT,
                &format!("/api/v1/legal-reviewers/{uid}"),
                Some(json!({"qualification": "A20224114230012", "reviewing_since": "2022-03-01"})),
            )
            .await)
        .await;
        assert_eq!(r["legal_qualification"], true);
        assert_eq!(r["id"], reviewer_id.as_str());
        let v = apply(&app, &officer, &id, submit).await;
        assert_eq!(v["status"], "legal_review");
        // the opinion is the reviewer's: not the officer's, and the
        // reviewer takes no other step
        let opinion = json!({"action": "record_legal_review", "passed": true,
            "opinion": "事实清楚，证据确凿，适用依据正确，程序合法，裁量适当"});
        refused(
            &app,
            &officer,
            &id,
            opinion.clone(),
            403,
            "case.art58_reviewer_only",
        )
        .await;
        refused(
            &app,
            &reviewer,
            &id,
            investigate(&[&s1, &s2]),
            403,
            "access.forbidden",
        )
        .await;
        let v = apply(&app, &reviewer, &id, opinion).await;
        assert_eq!(v["record"]["legal_review"]["opinion"]["passed"], true);

        // the decision with everything Art. 59 asks for
        let mut unsealed = decide(6_000, 1);
        unsealed["decision"]["letter"]["sealed"] = json!(false);
        let p = refused(&app, &officer, &id, unsealed, 422, "case.art59_seal").await;
        articles(&p, "第五十九条", "Art. 59");
        let v = apply(&app, &officer, &id, decide(6_000, 1)).await;
        assert_eq!(v["status"], "decided");
        assert!(v["clock"].is_null(), "decided: the Art. 60 clock stops");
        assert_ne!(
            v["record"]["decision"]["decision"]["letter"]["party_address"],
            "河南省商丘市宁陵县城关回族镇建设路12号",
            "the letter's home address is masked for the officer"
        );
        // served on the spot, paid, performed, closed and archived
        let v = apply(
            &app,
            &officer,
            &id,
            json!({"action": "serve", "method": {"method": "on_the_spot"}}),
        )
        .await;
        assert_eq!(v["status"], "served");
        assert_eq!(v["owed"]["fine"], 600_000);
        assert!(v["payment_due"].is_string(), "Art. 67: due 15 days after");
        refused(
            &app,
            &officer,
            &id,
            json!({"action": "record_performance", "note": "已履行"}),
            422,
            "case.art67_fine_unpaid",
        )
        .await;
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "record_payment", "payment": {"paid_on": today(), "amount": 600_000}}),
        )
        .await;
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "record_performance", "note": "罚款已缴清"}),
        )
        .await;
        apply(
            &app,
            &officer,
            &id,
            json!({"action": "close", "reason": "执行完毕"}),
        )
        .await;
        let v = apply(
            &app,
            &officer,
            &id,
            json!({"action": "archive", "number": "2026-长期-0001", "full_record": true}),
        )
        .await;
        assert_eq!(v["status"], "archived");
        assert_eq!(v["record"]["status"], "archived");
        let mut parts: Vec<(String, String)> = v["officers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                assert!(!o["name"].as_str().unwrap().is_empty(), "named: {o}");
                (
                    o["id"].as_str().unwrap().into(),
                    o["part"].as_str().unwrap().into(),
                )
            })
            .collect();
        parts.sort();
        let mut want = vec![
            (s1.clone(), "investigator".to_string()),
            (s2.clone(), "investigator".to_string()),
            (presiding.clone(), "presiding".to_string()),
            (reviewer_id.clone(), "reviewer".to_string()),
        ];
        want.sort();
        assert_eq!(parts, want, "the officers on the case");
        // nothing more after the archive
        refused(
            &app,
            &officer,
            &id,
            json!({"action": "close", "reason": "再次结案"}),
            409,
            "case.transition",
        )
        .await;

        // the party's ID is masked for the officer, shown to the squad
        // leader (personal data), and that read is audited
        let masked = get(&app, &officer, &id).await;
        assert_eq!(masked["party_masked"], true);
        assert!(
            masked["party"]["id_number"]
                .as_str()
                .unwrap()
                .contains("********")
        );
        let leader = app.session("squadleader").await;
        let full = get(&app, &leader, &id).await;
        assert_eq!(full["party_masked"], false);
        assert_eq!(full["party"]["id_number"], good.as_str());
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
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        // 13 steps applied: investigate, notice, request, schedule, hearing,
        // submit, opinion, decide, serve, payment, performance, close, archive
        assert_eq!(
            actions.iter().filter(|a| **a == "case.step").count(),
            13,
            "{actions:?}"
        );
        assert!(actions.contains(&"case.file") && actions.contains(&"case.party"));
        assert_eq!(
            actions
                .iter()
                .filter(|a| **a == "case.read_personal")
                .count(),
            1,
            "only the unmasked read is recorded: {actions:?}"
        );
    }

    /// How far a case is taken before the unlawful step.
    #[derive(Clone, Copy, Debug)]
    enum Stage {
        /// Filed, party set.
        Filed,
        /// Investigated by two officers.
        Investigated,
        /// A notice with the hearing right served, then 30 days passed.
        HeavyNoticeLongAgo,
        /// A light notice served and the statement waived.
        LightNoticeWaived,
        /// Decided on a light notice.
        Decided,
    }

    /// (b) Unlawful steps through the API, each refused with the code and
    /// the article it breaks; nothing is stored.
    pub async fn unlawful_steps_are_refused_naming_their_article(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "P-BAD").await;
        let officer = app.session("officer").await;
        let admin = app.session("admin").await;
        let (s1, s2) = (
            staff_of(db, "officer").await,
            staff_of(db, "officer2").await,
        );
        // the officer is made a legal reviewer too (qualified): as a
        // reviewer, still not of a case they investigated
        let officer_uid = user_id(db, "officer").await;
        ok(app
            .send_as(
                &admin,
                Method::POST,
                &format!("/api/v1/users/{officer_uid}/roles"),
                Some(json!({"role": "legal_reviewer", "jurisdiction": A})),
            )
            .await)
        .await;
        ok(app
            .send_as(
                &admin,
                Method::PUT,
                &format!("/api/v1/legal-reviewers/{officer_uid}"),
                Some(json!({"qualification": "A20204114230007", "reviewing_since": "2020-05-01"})),
            )
            .await)
        .await;
        // (name with its article, stage, step, status, code, article zh, en)
        let table: Vec<(&str, Stage, Value, u16, &str, &str, &str)> = vec![
            (
                "apl_art42_an_investigation_by_one_officer_is_refused",
                Stage::Filed,
                investigate(&[&s1]),
                422,
                "case.art42_two_officers",
                "第四十二条",
                "Art. 42",
            ),
            (
                "apl_art62_no_decision_before_the_prior_notice",
                Stage::Investigated,
                decide(1_000, 0),
                422,
                "case.art62_notice_required",
                "第六十二条",
                "Art. 62",
            ),
            (
                "apl_art64_a_hearing_asked_for_after_5_days_is_refused",
                Stage::HeavyNoticeLongAgo,
                json!({"action": "request_hearing"}),
                422,
                "case.art64_hearing_request_late",
                "第六十四条",
                "Art. 64",
            ),
            (
                "apl_art58_a_reviewer_who_investigated_may_not_review",
                Stage::LightNoticeWaived,
                json!({"action": "submit_legal_review", "reviewer": s1}),
                422,
                "case.art58_reviewer_investigated",
                "第五十八条",
                "Art. 58",
            ),
            (
                "apl_art61_electronic_service_needs_the_partys_signed_consent",
                Stage::Decided,
                json!({"action": "serve", "method": {"method": "electronic",
                    "sent_on": today(), "consent_signed": false}}),
                422,
                "case.art61_electronic_consent",
                "第六十一条",
                "Art. 61",
            ),
        ];
        for (name, stage, body, status, code, zh, en) in table {
            let id = open(&app, &officer, "P-BAD").await;
            if !matches!(stage, Stage::Filed) {
                apply(&app, &officer, &id, investigate(&[&s1, &s2])).await;
            }
            match stage {
                Stage::Filed | Stage::Investigated => {}
                Stage::HeavyNoticeLongAgo => {
                    apply(&app, &officer, &id, notice(6_000, 1, true)).await;
                    days_pass(db, &id, 30).await;
                }
                Stage::LightNoticeWaived | Stage::Decided => {
                    apply(&app, &officer, &id, notice(1_000, 0, false)).await;
                    apply(
                        &app,
                        &officer,
                        &id,
                        json!({"action": "waive", "statement": true, "hearing": false}),
                    )
                    .await;
                    if matches!(stage, Stage::Decided) {
                        apply(&app, &officer, &id, decide(1_000, 0)).await;
                    }
                }
            }
            let before = get(&app, &officer, &id).await;
            let p = problem(step(&app, &officer, &id, body).await, status).await;
            assert_eq!(p["code"], code, "{name}: {p}");
            assert!(
                p["message_zh"].as_str().unwrap().contains(zh)
                    && p["message_en"].as_str().unwrap().contains(en),
                "{name}: the article is named: {p}"
            );
            let after = get(&app, &officer, &id).await;
            assert_eq!(
                (&after["version"], &after["record"]),
                (&before["version"], &before["record"]),
                "{name}: nothing is stored"
            );
        }
    }

    /// (c) Concurrent steps: decided on the same version, one applies and
    /// the others get 409 `conflict.stale`; without `If-Match`, of many
    /// requests for one hearing exactly one applies.
    pub async fn concurrent_steps_apply_once(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "P-CC").await;
        let officer = app.session("officer").await;
        let (s1, s2) = (
            staff_of(db, "officer").await,
            staff_of(db, "officer2").await,
        );
        let id = open(&app, &officer, "P-CC").await;
        apply(&app, &officer, &id, investigate(&[&s1, &s2])).await;
        apply(&app, &officer, &id, notice(6_000, 1, true)).await;
        let version = get(&app, &officer, &id).await["version"].as_i64().unwrap();

        // a step decided on an older version is refused
        let p = problem(
            app.client
                .post(app.url(&format!("/api/v1/cases/{id}/actions")))
                .bearer_auth(&officer.token)
                .header("If-Match", format!("\"{}\"", version - 1))
                .json(&json!({"action": "record_statement", "text": "旧版本上的陈述"}))
                .send()
                .await
                .unwrap(),
            409,
        )
        .await;
        assert_eq!(p["code"], "conflict.stale");

        // eight statements decided on the same version: one applies
        let send = |body: Value, if_match: Option<i64>| {
            let client = app.client.clone();
            let url = app.url(&format!("/api/v1/cases/{id}/actions"));
            let token = officer.token.clone();
            async move {
                let mut r = client.post(url).bearer_auth(token).json(&body);
                if let Some(v) = if_match {
                    r = r.header("If-Match", format!("\"{v}\""));
                }
                let r = r.send().await.unwrap();
                let status = r.status().as_u16();
                let v: Value = r.json().await.unwrap();
                (status, v)
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..8 {
            tasks.spawn(send(
                json!({"action": "record_statement", "text": format!("当事人陈述第{n}份")}),
                Some(version),
            ));
        }
        let mut applied = 0;
        while let Some(res) = tasks.join_next().await {
            let (status, v) = res.unwrap();
            match status {
                200 => applied += 1,
                409 => assert_eq!(v["code"], "conflict.stale", "{v}"),
                other => panic!("unexpected {other}: {v}"),
            }
        }
        assert_eq!(applied, 1, "one of the steps on version {version} applies");
        let v = get(&app, &officer, &id).await;
        assert_eq!(v["version"], version + 1);
        assert_eq!(
            v["record"]["notices"][0]["statements"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // many requests for one hearing: one applies, the rest are told
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            tasks.spawn(send(json!({"action": "request_hearing"}), None));
        }
        let mut applied = 0;
        while let Some(res) = tasks.join_next().await {
            let (status, v) = res.unwrap();
            match status {
                200 => applied += 1,
                409 => assert!(
                    v["code"] == "conflict.stale" || v["code"] == "case.transition",
                    "{v}"
                ),
                other => panic!("unexpected {other}: {v}"),
            }
        }
        assert_eq!(applied, 1, "one hearing request applies");
        let v = get(&app, &officer, &id).await;
        assert_eq!(v["status"], "hearing_requested");
        assert_eq!(v["version"], version + 2);
        let admin = app.session("admin").await;
        let audit = ok(app
            .get_as(
                &admin,
                &format!("/api/v1/audit?object_id={id}&action=case.step&per_page=100"),
            )
            .await)
        .await;
        // investigate, notice, one statement, one hearing request
        assert_eq!(audit["items"].as_array().unwrap().len(), 4);
    }
}

store::both_databases!(crate::cases =>
    an_ordinary_case_with_a_hearing_runs_from_filing_to_archive,
    unlawful_steps_are_refused_naming_their_article,
    concurrent_steps_apply_once,
);
