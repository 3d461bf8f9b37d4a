//! Camera evidence (APL Art. 41) through the API, on SQLite and PostgreSQL:
//! a camera record names a camera of the case's township that passed legal
//! and technical review with its place published, starts unusable, becomes
//! usable only once a person reviewed it as accurate and complete and gave
//! the day the party was told, and until then the case cannot be decided.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use reqwest::multipart::{Form, Part};
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";
    /// The demo reviews and publishes SP01 and SP02 of every township;
    /// SP03 stays pending.
    const REVIEWED: &str = "411423100-SP01";
    const PENDING: &str = "411423100-SP03";
    const OF_B: &str = "411423101-SP01";

    fn item(code: &str) -> Value {
        json!({
            "code": code, "name": "对违反测试条例行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": [{"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
               "text": "处五千元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 5000}],
            "discretion": [{"circumstance": "一般", "fine_min_yuan": 100, "fine_max_yuan": 1000, "suggested": "罚款"}],
            "lead_department": "宁陵县城市管理局"
        })
    }

    /// A case of township A (the county devolves the item to A first).
    async fn case_of_a(app: &TestApp, officer: &Session) -> String {
        let county = app.session("countyadmin").await;
        let r = app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/power-items",
                Some(json!({"item": item("CAM-EV-1"), "reason": "新增"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        let r = app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/devolutions",
                Some(
                    json!({"township": A, "item_code": "CAM-EV-1", "decision_no": "宁政〔2026〕3号",
                    "decision_date": "2026-01-05", "from_department": "宁陵县城市管理局"}),
                ),
            )
            .await;
        assert_eq!(r.status(), 201);
        let r = app
            .send_as(
                officer,
                Method::POST,
                "/api/v1/cases",
                Some(json!({"township": A, "item_code": "CAM-EV-1",
                    "title": "占用人行道经营案", "act_date": "2026-10-01"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn snapshot() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
        b.extend((0..4000u32).map(|i| (i * 11 % 251) as u8));
        b
    }

    async fn upload(
        app: &TestApp,
        s: &Session,
        case: &str,
        kind: &str,
        camera: Option<&str>,
    ) -> reqwest::Response {
        let mut form = Form::new()
            .part("file", Part::bytes(snapshot()).file_name("抓拍.jpg"))
            .text("kind", kind.to_string());
        if let Some(c) = camera {
            form = form.text("camera", c.to_string());
        }
        app.client
            .post(app.url(&format!("/api/v1/cases/{case}/evidence")))
            .bearer_auth(&s.token)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    async fn created(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, 201, "{v}");
        v["items"][0].clone()
    }

    /// A 422 naming Art. 41 and the field, in both languages.
    async fn art41(r: reqwest::Response, code: &str, field: &str) -> Value {
        let p = problem(r, 422).await;
        assert_eq!(p["code"], code, "{p}");
        assert!(p["code"].as_str().unwrap().contains("art41"), "{p}");
        assert_eq!(p["field"], field, "{p}");
        assert!(!p["message_zh"].as_str().unwrap().is_empty(), "{p}");
        assert!(!p["message_en"].as_str().unwrap().is_empty(), "{p}");
        p
    }

    async fn evidence(app: &TestApp, s: &Session, case: &str) -> Vec<Value> {
        let v: Value = app
            .get_as(s, &format!("/api/v1/cases/{case}/evidence"))
            .await
            .json()
            .await
            .unwrap();
        v["items"].as_array().unwrap().clone()
    }

    fn today() -> chrono::NaiveDate {
        domain::time::china_date(chrono::Utc::now())
    }

    async fn review(
        app: &TestApp,
        s: &Session,
        case: &str,
        evidence: &str,
        body: Value,
    ) -> reqwest::Response {
        app.send_as(
            s,
            Method::POST,
            &format!("/api/v1/cases/{case}/evidence/{evidence}/review"),
            Some(body),
        )
        .await
    }

    fn decide() -> Value {
        json!({"action": "decide", "decision": {"kind": "penalise", "letter": {
            "number": "宁城执罚决字〔2026〕第0001号",
            "party_name": "张三丰",
            "party_address": "河南省商丘市宁陵县城关回族镇建设路12号",
            "facts": "当事人在建设路占用人行道经营，影响通行",
            "evidence": ["电子技术监控记录", "现场照片"],
            "penalty": {"fine": 50000},
            "discretion": {"tier": 0},
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

    pub async fn apl_art41_camera_record_needs_a_reviewed_camera_of_the_township(db: &TestDb) {
        let app = spawn_demo(db).await;
        let officer = app.session("officer").await;
        let case = case_of_a(&app, &officer).await;

        // no camera named
        let p = art41(
            upload(&app, &officer, &case, "camera_record", None).await,
            "evidence.art41_camera_required",
            "camera",
        )
        .await;
        assert!(p["message_zh"].as_str().unwrap().contains("第四十一条"));
        assert!(p["message_en"].as_str().unwrap().contains("Art. 41"));
        // unknown, of another township, pending review
        art41(
            upload(&app, &officer, &case, "camera_record", Some("NO-SUCH-CAM")).await,
            "evidence.art41_camera_unknown",
            "camera",
        )
        .await;
        art41(
            upload(&app, &officer, &case, "camera_record", Some(OF_B)).await,
            "evidence.art41_camera_unknown",
            "camera",
        )
        .await;
        let p = art41(
            upload(&app, &officer, &case, "camera_record", Some(PENDING)).await,
            "evidence.art41_camera_not_reviewed",
            "camera",
        )
        .await;
        assert!(p["message_en"].as_str().unwrap().contains(PENDING));
        // a camera named for a photo is a mistake
        art41(
            upload(&app, &officer, &case, "photo", Some(REVIEWED)).await,
            "evidence.art41_camera_kind",
            "camera",
        )
        .await;
        assert!(
            evidence(&app, &officer, &case).await.is_empty(),
            "nothing stored"
        );

        // a reviewed camera, by code and by id: stored, not yet usable
        let by_code =
            created(upload(&app, &officer, &case, "camera_record", Some(REVIEWED)).await).await;
        let cam: Value = app
            .get_as(&officer, &format!("/api/v1/cameras/{REVIEWED}"))
            .await
            .json()
            .await
            .unwrap();
        let cam_id = cam["id"].as_str().unwrap();
        assert_eq!(by_code["camera_id"], cam_id);
        assert_eq!(by_code["usable"], false);
        assert!(by_code["reviewed_by"].is_null());
        assert!(by_code["party_informed_on"].is_null());
        let by_id =
            created(upload(&app, &officer, &case, "camera_record", Some(cam_id)).await).await;
        assert_eq!(by_id["camera_id"], cam_id);
        assert_eq!(by_id["usable"], false);
        // other evidence is usable as uploaded
        let photo = created(upload(&app, &officer, &case, "photo", None).await).await;
        assert_eq!(photo["usable"], true);
        assert!(photo["camera_id"].is_null());
        assert_eq!(evidence(&app, &officer, &case).await.len(), 3);
    }

    pub async fn apl_art41_camera_record_is_usable_only_after_a_persons_review(db: &TestDb) {
        let app = spawn_demo(db).await;
        let officer = app.session("officer").await;
        let colleague = app.session("officer2").await;
        let case = case_of_a(&app, &officer).await;
        let rec =
            created(upload(&app, &officer, &case, "camera_record", Some(REVIEWED)).await).await;
        let rec = rec["id"].as_str().unwrap().to_string();
        let photo = created(upload(&app, &officer, &case, "photo", None).await).await;
        let photo = photo["id"].as_str().unwrap().to_string();
        let actions = format!("/api/v1/cases/{case}/actions");

        // no decision while the record is unreviewed
        let p = art41(
            app.send_as(&officer, Method::POST, &actions, Some(decide()))
                .await,
            "case.art41_camera_evidence_unreviewed",
            "evidence",
        )
        .await;
        assert!(p["message_zh"].as_str().unwrap().contains("第四十一条"));

        let informed = today().to_string();
        let good = json!({"accurate": true, "complete": true, "party_informed_on": informed,
            "note": "核对抓拍时间、地点与现场一致"});
        // refusals: a photo, no day, not confirmed, a day ahead, another township
        art41(
            review(&app, &colleague, &case, &photo, good.clone()).await,
            "case.art41_not_camera_record",
            "evidence_id",
        )
        .await;
        art41(
            review(
                &app,
                &colleague,
                &case,
                &rec,
                json!({"accurate": true, "complete": true}),
            )
            .await,
            "case.art41_party_informed_on",
            "party_informed_on",
        )
        .await;
        art41(
            review(
                &app,
                &colleague,
                &case,
                &rec,
                json!({"accurate": false, "complete": true, "party_informed_on": informed}),
            )
            .await,
            "case.art41_record_not_confirmed",
            "accurate",
        )
        .await;
        art41(
            review(
                &app,
                &colleague,
                &case,
                &rec,
                json!({"accurate": true, "complete": false, "party_informed_on": informed}),
            )
            .await,
            "case.art41_record_not_confirmed",
            "complete",
        )
        .await;
        let ahead = (today() + chrono::Days::new(2)).to_string();
        art41(
            review(
                &app,
                &colleague,
                &case,
                &rec,
                json!({"accurate": true, "complete": true, "party_informed_on": ahead}),
            )
            .await,
            "case.art41_party_informed_on",
            "party_informed_on",
        )
        .await;
        let b = app.session("officer3").await;
        problem(review(&app, &b, &case, &rec, good.clone()).await, 403).await;
        let still = evidence(&app, &officer, &case).await;
        let r = still.iter().find(|e| e["id"] == rec.as_str()).unwrap();
        assert_eq!(r["usable"], false, "the refusals changed nothing");

        // the review: usable, who and when, in the chain of custody
        let r = review(&app, &colleague, &case, &rec, good.clone()).await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["usable"], true, "{v}");
        assert_eq!(v["reviewed_by"], "officer2");
        assert_eq!(v["party_informed_on"], informed.as_str());
        assert!(v["reviewed_at"].is_string());
        let last = v["custody"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "review");
        assert_eq!(last["actor"], "officer2");
        // once only
        art41(
            review(&app, &officer, &case, &rec, good).await,
            "case.art41_already_reviewed",
            "evidence_id",
        )
        .await;
        let listed = evidence(&app, &officer, &case).await;
        let r = listed.iter().find(|e| e["id"] == rec.as_str()).unwrap();
        assert_eq!(r["usable"], true);
        assert_eq!(r["reviewed_by"], "officer2");

        // the decision is no longer held by Art. 41 (the procedure's own
        // rules may still refuse it: no notice was served here)
        let r = app
            .send_as(&officer, Method::POST, &actions, Some(decide()))
            .await;
        if r.status() != 200 {
            let v: Value = r.json().await.unwrap();
            assert_ne!(v["code"], "case.art41_camera_evidence_unreviewed", "{v}");
        }
        // audited
        let admin = app.session("admin").await;
        let audit: Value = app
            .get_as(&admin, "/api/v1/audit?action=case.evidence_review")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(audit["total"], 1);
    }
}

store::both_databases!(crate::cases =>
    apl_art41_camera_record_needs_a_reviewed_camera_of_the_township,
    apl_art41_camera_record_is_usable_only_after_a_persons_review,
);
