//! The public's complaint without an account, through the API, on SQLite
//! and PostgreSQL: a tracking code, the status behind it as the command
//! centre works, retries, bad input and the per-address limit.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    async fn a_point(app: &TestApp) -> (f64, f64) {
        let s = app.session("dispatcher").await;
        grid_point(app, &s, A, 0).await.0
    }

    async fn complain(app: &TestApp, body: Value, key: Option<&str>) -> reqwest::Response {
        let mut r = app
            .client
            .post(app.url("/api/v1/public/complaints"))
            .json(&body);
        if let Some(k) = key {
            r = r.header("Idempotency-Key", k);
        }
        r.send().await.unwrap()
    }

    async fn count(app: &TestApp) -> u64 {
        let s = app.session("supervisor").await;
        ok(app.get_as(&s, "/api/v1/reports?per_page=1").await).await["total"]
            .as_u64()
            .unwrap()
    }

    pub async fn a_complaint_without_an_account_is_tracked_by_its_code(db: &TestDb) {
        let app = spawn_demo(db).await;
        let (lon, lat) = a_point(&app).await;
        let body = json!({"description": "小区门口有人占道经营，堆放货物影响通行，联系电话13812345678", "lon": lon, "lat": lat});
        let r = complain(&app, body.clone(), Some("c-0001")).await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        let code = v["tracking_code"].as_str().unwrap().to_string();
        assert!(code.starts_with("YW") && code.len() == 12, "{code}");
        assert_eq!(v["status"], "received");
        assert_eq!(v["status_zh"], "已受理");
        // no personal data, no internal identifiers in a public answer
        let text = v.to_string();
        assert!(
            !text.contains("13812345678") && !text.contains("\"id\""),
            "{text}"
        );
        assert!(v.get("description").is_none() && v.get("reporter").is_none());
        // a retry with the same key: the same complaint and code
        let again = complain(&app, body, Some("c-0001")).await;
        assert_eq!(again.status(), 200);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["tracking_code"], code.as_str());
        // the command centre sees it as a citizen report and dispatches it
        let dispatcher = app.session("dispatcher").await;
        let queue = ok(app
            .get_as(&dispatcher, "/api/v1/reports?status=received&per_page=100")
            .await)
        .await;
        let item = queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["channel"] == "citizen")
            .expect("in the queue")
            .clone();
        let id = item["id"].as_str().unwrap();
        ok(app
            .send_as(
                &dispatcher,
                Method::POST,
                &format!("/api/v1/reports/{id}/actions"),
                Some(json!({"action": "dispatch"})),
            )
            .await)
        .await;
        // the public sees the progress, case-insensitively by code
        let t = ok(app
            .get(&format!(
                "/api/v1/public/complaints/{}",
                code.to_lowercase()
            ))
            .await)
        .await;
        assert_eq!(t["status"], "dispatched");
        let steps: Vec<&str> = t["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["action"].as_str().unwrap())
            .collect();
        assert_eq!(steps, vec!["receive", "dispatch"]);
        assert!(!t.to_string().contains("actor"));
        let p = problem(app.get("/api/v1/public/complaints/YWNOSUCHCODE").await, 404).await;
        assert_eq!(p["code"], "not_found");
    }

    pub async fn bad_complaints_are_refused_and_store_nothing(db: &TestDb) {
        let app = spawn_demo(db).await;
        let (lon, lat) = a_point(&app).await;
        let before = count(&app).await;
        let p = problem(
            complain(
                &app,
                json!({"description": " ", "lon": lon, "lat": lat}),
                None,
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["field"], "description");
        let p = problem(
            complain(
                &app,
                json!({"description": "上海的问题", "lon": 121.47, "lat": 31.23}),
                None,
            )
            .await,
            422,
        )
        .await;
        assert!(
            p["message_en"]
                .as_str()
                .unwrap()
                .contains("outside the jurisdiction"),
            "{p}"
        );
        let p = problem(
            complain(&app, json!({"description": "x", "lon": "东经"}), None).await,
            422,
        )
        .await;
        assert_eq!(p["field"], "lon");
        assert_eq!(count(&app).await, before, "nothing stored");
    }

    pub async fn one_address_files_a_limited_number_per_hour(db: &TestDb) {
        let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
        demo::seed(&db.store, &key).await.unwrap();
        let mut settings = test_settings(db);
        settings.public_complaints_per_hour = 3;
        let app = spawn_with(settings, db.store.clone()).await;
        let (lon, lat) = a_point(&app).await;
        for i in 0..3 {
            let r = complain(
                &app,
                json!({"description": format!("第{i}次反映：路灯不亮"), "lon": lon, "lat": lat}),
                None,
            )
            .await;
            assert!(r.status().is_success(), "{}", r.status());
        }
        let p = problem(
            complain(
                &app,
                json!({"description": "第4次反映", "lon": lon, "lat": lat}),
                None,
            )
            .await,
            429,
        )
        .await;
        assert_eq!(p["code"], "public.rate_limited");
        assert!(p["message_zh"].as_str().unwrap().contains("12345"));
    }
}

store::both_databases!(crate::cases =>
    a_complaint_without_an_account_is_tracked_by_its_code,
    bad_complaints_are_refused_and_store_nothing,
    one_address_files_a_limited_number_per_hour,
);
