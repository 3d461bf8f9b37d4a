//! Filing penalty cases through the API, on SQLite and PostgreSQL: the
//! power-list guards (APL Art. 24, 36, 37) hold at the point of filing.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";
    const B: &str = "411423101";

    fn item(code: &str, bases: Value) -> Value {
        json!({
            "code": code, "name": "对违反测试条例行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": bases,
            "discretion": [{"circumstance": "一般", "fine_min_yuan": 100, "fine_max_yuan": 1000, "suggested": "罚款"}],
            "lead_department": "宁陵县城市管理局"
        })
    }

    fn old_basis() -> Value {
        json!({"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
               "text": "处五千元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 5000})
    }

    /// The county creates an item and devolves it to township A only.
    async fn item_held_by_a(app: &TestApp, code: &str) -> Session {
        let county = app.session("countyadmin").await;
        let r = app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/power-items",
                Some(json!({"item": item(code, json!([old_basis()])), "reason": "新增"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        let r = app
            .send_as(
                &county,
                Method::POST,
                "/api/v1/devolutions",
                Some(
                    json!({"township": A, "item_code": code, "decision_no": "宁政〔2026〕3号",
                    "decision_date": "2026-01-05", "from_department": "宁陵县城市管理局"}),
                ),
            )
            .await;
        assert_eq!(r.status(), 201);
        county
    }

    fn filing(township: &str, code: &str, act: &str) -> Value {
        json!({"township": township, "item_code": code, "title": "某商户占道经营案", "act_date": act})
    }

    pub async fn apl_art24_filing_under_an_item_the_township_does_not_hold_is_refused(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "C-24").await;
        // officer3 works for township B, which does not hold C-24
        let b = app.session("officer3").await;
        let body = problem(
            app.send_as(
                &b,
                Method::POST,
                "/api/v1/cases",
                Some(filing(B, "C-24", "2026-10-01")),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(body["code"], "powerlist.not_devolved");
        assert_eq!(body["field"], "item_code");
        assert!(body["message_zh"].as_str().unwrap().contains("第二十四条"));
        // nothing was recorded
        let admin2 = app.session("officer3").await;
        let list: Value = app
            .get_as(&admin2, "/api/v1/cases")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 0);
        // township A holds it: the same filing succeeds there
        let a = app.session("officer").await;
        let r = app
            .send_as(
                &a,
                Method::POST,
                "/api/v1/cases",
                Some(filing(A, "C-24", "2026-10-01")),
            )
            .await;
        assert_eq!(r.status(), 201);
        let case: Value = r.json().await.unwrap();
        assert_eq!(case["status"], "filed");
        assert_eq!(case["township_code"], A);
        // and township B cannot file in A's name, nor read A's case
        let body = problem(
            app.send_as(
                &b,
                Method::POST,
                "/api/v1/cases",
                Some(filing(A, "C-24", "2026-10-01")),
            )
            .await,
            403,
        )
        .await;
        assert_eq!(body["code"], "access.out_of_jurisdiction");
        let id = case["id"].as_str().unwrap();
        problem(app.get_as(&b, &format!("/api/v1/cases/{id}")).await, 403).await;
    }

    pub async fn apl_art37_a_basis_amended_after_the_act_keeps_the_old_and_offers_the_lighter(
        db: &TestDb,
    ) {
        let app = spawn_demo(db).await;
        let county = item_held_by_a(&app, "C-37").await;
        let officer = app.session("officer").await;
        // filed before the amendment
        let r = app
            .send_as(
                &officer,
                Method::POST,
                "/api/v1/cases",
                Some(filing(A, "C-37", "2025-06-01")),
            )
            .await;
        assert_eq!(r.status(), 201);
        let before: Value = r.json().await.unwrap();
        // the provision is amended: lighter from 2026-01-01
        let mut old = old_basis();
        old["repealed"] = json!("2026-01-01");
        let new = json!({"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
            "text": "处一千元以下罚款。", "effective": "2026-01-01", "max_fine_yuan": 1000});
        let r = app
            .send_as(
                &county,
                Method::PUT,
                "/api/v1/power-items/C-37",
                Some(json!({"item": item("C-37", json!([old, new])), "reason": "条例修订"})),
            )
            .await;
        assert_eq!(r.status(), 200);
        // a case for an act before the amendment cites the old text and offers the new
        let r = app
            .send_as(
                &officer,
                Method::POST,
                "/api/v1/cases",
                Some(filing(A, "C-37", "2025-06-01")),
            )
            .await;
        assert_eq!(r.status(), 201);
        let after: Value = r.json().await.unwrap();
        assert_eq!(after["item_version"], 2);
        assert_eq!(after["basis"]["at_act"].as_array().unwrap().len(), 1);
        assert_eq!(after["basis"]["at_act"][0]["text"], "处五千元以下罚款。");
        assert_eq!(
            after["basis"]["lighter_offered"][0]["text"],
            "处一千元以下罚款。"
        );
        // an act after the amendment gets the new text and nothing to offer
        let r = app
            .send_as(
                &officer,
                Method::POST,
                "/api/v1/cases",
                Some(filing(A, "C-37", "2026-02-01")),
            )
            .await;
        let later: Value = r.json().await.unwrap();
        assert_eq!(later["basis"]["at_act"][0]["text"], "处一千元以下罚款。");
        assert!(
            later["basis"]["lighter_offered"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        // the case filed before the amendment still shows what it was filed under
        let id = before["id"].as_str().unwrap();
        let reread: Value = app
            .get_as(&officer, &format!("/api/v1/cases/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(reread["item_version"], 1);
        assert_eq!(reread["basis"]["at_act"][0]["text"], "处五千元以下罚款。");
        assert!(
            reread["basis"]["lighter_offered"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }

    pub async fn apl_art36_an_act_beyond_the_limitation_period_cannot_be_filed(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "C-36").await;
        let officer = app.session("officer").await;
        let three_years_ago =
            (chrono::Utc::now().date_naive() - chrono::Duration::days(3 * 366)).to_string();
        let body = problem(
            app.send_as(
                &officer,
                Method::POST,
                "/api/v1/cases",
                Some(filing(A, "C-36", &three_years_ago)),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(body["code"], "case.limitation_expired");
        assert_eq!(body["field"], "act_date");
        let mut grave = filing(A, "C-36", &three_years_ago);
        grave["grave_harm"] = json!(true);
        let r = app
            .send_as(&officer, Method::POST, "/api/v1/cases", Some(grave))
            .await;
        assert_eq!(
            r.status(),
            201,
            "five years where life or health was harmed"
        );
        let body = problem(
            app.send_as(
                &officer,
                Method::POST,
                "/api/v1/cases",
                Some(filing(A, "C-36", "2026-13-01")),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(body["field"], "act_date");
    }

    pub async fn filing_is_recorded_in_the_audit_chain(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "C-AU").await;
        let officer = app.session("officer").await;
        let r = app
            .send_as(
                &officer,
                Method::POST,
                "/api/v1/cases",
                Some(filing(A, "C-AU", "2026-09-01")),
            )
            .await;
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let admin = app.session("admin").await;
        let audit: Value = app
            .get_as(&admin, "/api/v1/audit?action=case.file")
            .await
            .json()
            .await
            .unwrap();
        let entries = audit["items"].as_array().unwrap();
        assert!(
            entries.iter().any(|e| e["object_id"] == id.as_str()
                && e["actor"].as_str().unwrap_or("").contains("officer")),
            "case.file audited with its actor: {audit}"
        );
    }

    /// A report being handled turns into a case: the case names the report,
    /// the report's trail names the case; a report not yet accepted, or of
    /// another township, cannot.
    pub async fn a_report_being_handled_is_turned_into_a_case(db: &TestDb) {
        let app = spawn_demo(db).await;
        item_held_by_a(&app, "C-RP").await;
        let dispatcher = app.session("dispatcher").await;
        let officer = app.session("officer").await;
        let gw = app.session("gridworker").await;
        let ((lon, lat), _) = grid_point(&app, &gw, A, 0).await;
        let r: Value = app
            .send_as(&gw, Method::POST, "/api/v1/reports",
                Some(json!({"channel": "grid_worker", "description": "商户长期占道经营，多次劝导无效", "lon": lon, "lat": lat})))
            .await
            .json()
            .await
            .unwrap();
        let rid = r["id"].as_str().unwrap().to_string();
        let mut body = filing(A, "C-RP", "2026-09-01");
        body["report"] = json!(rid);
        // not yet being handled
        let p = problem(
            app.send_as(&officer, Method::POST, "/api/v1/cases", Some(body.clone()))
                .await,
            409,
        )
        .await;
        assert_eq!(
            (p["code"].as_str(), p["field"].as_str()),
            (Some("case.report_status"), Some("report"))
        );
        for (who, step) in [(&dispatcher, "dispatch"), (&officer, "accept")] {
            let r = app
                .send_as(
                    who,
                    Method::POST,
                    &format!("/api/v1/reports/{rid}/actions"),
                    Some(json!({"action": step})),
                )
                .await;
            assert!(r.status().is_success());
        }
        // filed by another township's brigade: refused
        let mut other = body.clone();
        other["township"] = json!(B);
        let r = app
            .send_as(&officer, Method::POST, "/api/v1/cases", Some(other))
            .await;
        assert!(r.status().is_client_error());
        let r = app
            .send_as(&officer, Method::POST, "/api/v1/cases", Some(body))
            .await;
        assert_eq!(r.status(), 201);
        let case: Value = r.json().await.unwrap();
        assert_eq!(case["report_id"], rid.as_str());
        let report: Value = app
            .get_as(&officer, &format!("/api/v1/reports/{rid}"))
            .await
            .json()
            .await
            .unwrap();
        let filed = report["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "file_case")
            .expect("the trail names the case");
        assert!(
            filed["note"]
                .as_str()
                .unwrap()
                .contains(case["id"].as_str().unwrap())
        );
    }
}

store::both_databases!(crate::cases =>
    apl_art24_filing_under_an_item_the_township_does_not_hold_is_refused,
    apl_art37_a_basis_amended_after_the_act_keeps_the_old_and_offers_the_lighter,
    apl_art36_an_act_beyond_the_limitation_period_cannot_be_filed,
    filing_is_recorded_in_the_audit_chain,
    a_report_being_handled_is_turned_into_a_case,
);
