//! 12345 hotline batches through the API, on SQLite and PostgreSQL: a bad
//! batch names every bad row and imports nothing; a clean one creates each
//! report once, however often it is sent.

mod common;

mod cases {
    use super::common::*;
    use serde_json::Value;
    use store::testing::TestDb;

    const A: &str = "411423100";

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    /// Two points inside a township's first two grids, in GCJ-02.
    async fn points_in(app: &TestApp, s: &Session, township: &str) -> Vec<(f64, f64)> {
        grids_of(app, s, township).await[..2]
            .iter()
            .map(|f| {
                let (lon, lat) = inside(f);
                let g = yiwang_geo::Crs::Gcj02.from_wgs84(yiwang_geo::LonLat::new(lon, lat));
                (g.lon, g.lat)
            })
            .collect()
    }

    async fn send(app: &TestApp, s: &Session, csv: &str, dry_run: bool) -> reqwest::Response {
        app.client
            .post(app.url(&format!("/api/v1/reports/import?dry_run={dry_run}")))
            .bearer_auth(&s.token)
            .header("X-CSRF-Token", &s.csrf)
            .header("Content-Type", "text/csv")
            .body(csv.to_string())
            .send()
            .await
            .unwrap()
    }

    async fn total(app: &TestApp, s: &Session) -> u64 {
        ok(app.get_as(s, "/api/v1/reports?per_page=1").await).await["total"]
            .as_u64()
            .unwrap()
    }

    pub async fn a_hotline_batch_is_checked_whole_and_imported_once(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let p = points_in(&app, &dispatcher, A).await;
        let supervisor = app.session("supervisor").await;
        let b = points_in(&app, &supervisor, "411423101").await;
        let before = total(&app, &dispatcher).await;
        // seeded faults: a bad time, an empty content, a repeated ticket,
        // a point far outside the county
        let bad = format!(
            "工单编号,受理时间,诉求内容,事发地址,经度,纬度,来电号码\n\
             GD1,2026-11-28 09:30,门口有人占道经营,人民路,{},{},13800000000\n\
             GD2,昨天上午,噪声扰民,,{},{},\n\
             GD3,2026-11-28 10:00,,,{},{},\n\
             GD1,2026-11-28 11:00,乱堆杂物,,{},{},\n\
             GD4,2026-11-28 11:30,乱搭乱建,,121.47,31.23,\n\
             GD5,2026-11-28 11:40,乱搭乱建,,{},{},\n",
            p[0].0, p[0].1, p[1].0, p[1].1, p[1].0, p[1].1, p[0].0, p[0].1, b[0].0, b[0].1
        );
        let r = ok(send(&app, &dispatcher, &bad, false).await).await;
        let rows: Vec<(u64, &str)> = r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (3, "received_at"),
                (4, "content"),
                (5, "ticket"),
                (6, "lon"),
                (7, "lon")
            ],
            "{r}"
        );
        assert!(
            r["errors"][3]["message_en"]
                .as_str()
                .unwrap()
                .contains("jurisdiction")
        );
        assert_eq!(r["created"], 0);
        assert_eq!(r["rows"], 6);
        assert_eq!(
            total(&app, &dispatcher).await,
            before,
            "a bad batch imports nothing"
        );

        let clean = format!(
            "工单编号,受理时间,诉求内容,事发地址,经度,纬度\n\
             GD1,2026-11-28 09:30,门口有人占道经营,人民路,{},{}\n\
             GD2,2026-11-28 10:05,夜间施工噪声扰民,建设路,{},{}\n",
            p[0].0, p[0].1, p[1].0, p[1].1
        );
        // a dry run checks and stores nothing
        let dry = ok(send(&app, &dispatcher, &clean, true).await).await;
        assert_eq!(
            (
                dry["errors"].as_array().unwrap().len(),
                dry["created"].as_u64()
            ),
            (0, Some(0))
        );
        let r = ok(send(&app, &dispatcher, &clean, false).await).await;
        assert_eq!(
            (r["created"].as_u64(), r["existing"].as_u64()),
            (Some(2), Some(0))
        );
        let id = r["report_ids"][0].as_str().unwrap();
        let report = ok(app
            .get_as(&dispatcher, &format!("/api/v1/reports/{id}"))
            .await)
        .await;
        assert_eq!(report["channel"], "hotline");
        assert_eq!(
            report["occurred_at"], "2026-11-28T01:30:00.000000Z",
            "China time kept"
        );
        assert!(report["description"].as_str().unwrap().contains("人民路"));
        // the same batch again (another operator, or a retry): nothing new
        let leader = app.session("squadleader").await;
        let again = ok(send(&app, &leader, &clean, false).await).await;
        assert_eq!(
            (again["created"].as_u64(), again["existing"].as_u64()),
            (Some(0), Some(2))
        );
        assert_eq!(again["report_ids"], r["report_ids"]);
        assert_eq!(total(&app, &dispatcher).await, before + 2);
        // a file of the wrong columns names them; not a spreadsheet at all is refused
        let r = ok(send(&app, &dispatcher, "姓名,电话\n张三,1\n", false).await).await;
        let missing: Vec<&str> = r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            missing,
            vec!["ticket", "received_at", "content", "lon", "lat"]
        );
        let bad_xlsx = app
            .client
            .post(app.url("/api/v1/reports/import?dry_run=false&format=xlsx"))
            .bearer_auth(&dispatcher.token)
            .body("不是表格")
            .send()
            .await
            .unwrap();
        let p = problem(bad_xlsx, 422).await;
        assert_eq!(p["field"], "body");
        assert_eq!(total(&app, &dispatcher).await, before + 2);
    }
}

store::both_databases!(crate::cases =>
    a_hotline_batch_is_checked_whole_and_imported_once,
);
