//! The HTTP API against a real database: every case on SQLite and PostgreSQL.

mod common;

mod cases {
    use super::common::*;
    use store::testing::TestDb;

    pub async fn health_and_readiness(db: &TestDb) {
        let app = spawn_app(db).await;
        let r = app.get("/healthz").await;
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        let r = app.get("/readyz").await;
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], "ready");
        assert_eq!(body["database"], db.store.backend().as_str());
        assert_eq!(body["schema_version"], store::migrations::latest_version());
    }

    pub async fn errors_are_problem_json_in_both_languages(db: &TestDb) {
        let app = spawn_app(db).await;
        let zh = problem(app.get("/api/v1/no-such-thing").await, 404).await;
        assert_eq!(zh["code"], "route.not_found");
        assert_eq!(zh["title"], zh["message_zh"], "Chinese by default");
        assert_eq!(zh["instance"], "/api/v1/no-such-thing");
        let en = problem(app.get_en("/api/v1/no-such-thing").await, 404).await;
        assert_eq!(en["title"], en["message_en"]);
        assert_eq!(en["title"], "No such address");
        // wrong method
        let r = app
            .client
            .delete(app.url("/api/v1/jurisdictions"))
            .send()
            .await
            .unwrap();
        let body = problem(r, 405).await;
        assert_eq!(body["code"], "route.method_not_allowed");
    }

    pub async fn bad_query_names_the_field(db: &TestDb) {
        let app = spawn_app(db).await;
        let body = problem(app.get("/api/v1/jurisdictions?level=planet").await, 422).await;
        assert_eq!(body["field"], "level");
        assert_eq!(body["code"], "org.level");
        let body = problem(app.get("/api/v1/jurisdictions?per_page=0").await, 422).await;
        assert_eq!(body["field"], "per_page");
        let body = problem(app.get("/api/v1/jurisdictions?page=0").await, 422).await;
        assert_eq!(body["field"], "page");
    }

    pub async fn demo_county_is_served(db: &TestDb) {
        let app = spawn_demo(db).await;
        let ov: serde_json::Value = app.get("/api/v1/overview").await.json().await.unwrap();
        assert_eq!(ov["townships"], 14);
        assert_eq!(ov["villages"], 364);
        assert_eq!(ov["grids"], 364);
        let squads = ov["squads"].as_i64().unwrap();
        assert!(
            (14 * 3..=14 * 4).contains(&squads),
            "3–4 squads a township: {squads}"
        );
        let towns: serde_json::Value = app
            .get("/api/v1/jurisdictions?level=township&per_page=5&page=2")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(towns["total"], 14);
        assert_eq!(towns["items"].as_array().unwrap().len(), 5);
        assert_eq!(towns["page"], 2);
        let villages: serde_json::Value = app
            .get("/api/v1/jurisdictions?parent=411423101&per_page=500")
            .await
            .json()
            .await
            .unwrap();
        let items = villages["items"].as_array().unwrap();
        assert_eq!(items.len(), 27, "张弓镇 has 27 villages");
        assert!(items.iter().all(|v| v["parent_code"] == "411423101"));
        // seats are stored in WGS84 inside the county's box
        let lon = items[0]["lon"].as_f64().unwrap();
        let lat = items[0]["lat"].as_f64().unwrap();
        assert!((115.0..115.6).contains(&lon) && (34.2..34.7).contains(&lat));
    }

    pub async fn metrics_count_requests_by_route(db: &TestDb) {
        let app = spawn_app(db).await;
        for _ in 0..3 {
            assert_eq!(app.get("/api/v1/jurisdictions").await.status(), 200);
        }
        let text = app.get("/metrics").await.text().await.unwrap();
        assert!(
            text.contains("yiwang_http_requests_total{method=\"GET\",route=\"/api/v1/jurisdictions\",status=\"200\"} 3"),
            "{text}"
        );
        assert!(text.contains("yiwang_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/jurisdictions\",le=\"+Inf\"} 3"));
        assert!(text.contains("yiwang_db_pool_connections{state=\"open\"}"));
        assert!(text.contains(&format!("database=\"{}\"", db.store.backend().as_str())));
        // memory by part, for the soak and for operators
        let part = |name: &str| -> u64 {
            let key = format!("yiwang_memory_bytes{{part=\"{name}\"}} ");
            let line = text.lines().find(|l| l.starts_with(&key));
            line.and_then(|l| l[key.len()..].parse().ok())
                .unwrap_or_else(|| panic!("no {key} in {text}"))
        };
        assert!(part("resident") > 1 << 20);
        assert!(part("heap_in_use") > 1 << 20);
        assert!(part("heap_held") >= part("heap_in_use"));
        assert!(part("sqlite_peak") >= part("sqlite"));
        if db.store.backend() == store::Backend::Sqlite {
            // the test's own database is open in this process
            assert!(part("sqlite") > 0);
        }
    }

    pub async fn web_pages_render_in_both_languages(db: &TestDb) {
        let app = spawn_demo(db).await;
        let r = app.get("/").await;
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let html = r.text().await.unwrap();
        assert!(html.contains("<html lang=\"zh-CN\">"));
        assert!(html.contains("宁陵县"));
        assert!(html.contains("张弓镇"));
        let r = app.get("/?lang=en").await;
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.starts_with("lang=en")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite")
        );
        let html = r.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">") && html.contains("Zhanggong"));
        // The organisation page needs a login: the county supervisor sees every township.
        let r = app.get("/org").await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login?next=%2Forg");
        let s = app.session("supervisor").await;
        let cookie = format!("yiwang_session={}", s.token);
        let org = |path: &str| {
            app.client
                .get(app.url(path))
                .header("cookie", &cookie)
                .send()
        };
        let html = org("/org?township=411423101")
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("张弓镇综合行政执法大队"));
        assert!(html.contains("第一中队"));
        assert!(
            html.contains("无有效执法证"),
            "the lapsed credential is flagged"
        );
        // the dashboard is open, to those who log in
        let r = app.get("/stats").await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login?next=%2Fstats");
        // the command centre is open, to those who log in
        let r = app.get("/command").await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login?next=%2Fcommand");
        // a page that does not exist is a page, not JSON
        let r = app.get("/nowhere").await;
        assert_eq!(r.status(), 404);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(r.text().await.unwrap().contains("route.not_found"));
        let r = org("/org?township=999").await.unwrap();
        assert_eq!(r.status(), 403);
        // a township officer sees only their own township
        let officer = app.session("officer3").await;
        let r = app
            .client
            .get(app.url("/org?township=411423100"))
            .header("cookie", format!("yiwang_session={}", officer.token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }

    pub async fn empty_database_shows_empty_states(db: &TestDb) {
        let app = spawn_app(db).await;
        let html = app.get("/").await.text().await.unwrap();
        assert!(html.contains("尚未录入乡镇"));
        assert_eq!(app.get("/org").await.status(), 303, "login first");
    }

    pub async fn openapi_document_is_served(db: &TestDb) {
        let app = spawn_app(db).await;
        let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        assert!(doc["paths"]["/api/v1/jurisdictions"]["get"].is_object());
        let page = app.get("/api/docs").await.text().await.unwrap();
        assert!(page.contains("/assets/vendor/scalar/standalone.js"));
        let js = app.get("/assets/vendor/scalar/standalone.js").await;
        assert_eq!(js.status(), 200, "run `make assets` first");
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
    }
}

store::both_databases!(crate::cases =>
    health_and_readiness,
    errors_are_problem_json_in_both_languages,
    bad_query_names_the_field,
    demo_county_is_served,
    metrics_count_requests_by_route,
    web_pages_render_in_both_languages,
    empty_database_shows_empty_states,
    openapi_document_is_served,
);
