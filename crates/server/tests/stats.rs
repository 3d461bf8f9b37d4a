//! The dashboard through the API, on SQLite and PostgreSQL: every number
//! equals the list behind it, the counters agree with a recount of the
//! reports, every table exports to XLSX, and bad input is refused naming
//! its field.

mod common;

mod cases {
    use super::common::*;
    use calamine::{Data, Reader, Xlsx};
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

    async fn step(app: &TestApp, s: &Session, id: &str, body: Value) -> Value {
        ok(app
            .send_as(
                s,
                Method::POST,
                &format!("/api/v1/reports/{id}/actions"),
                Some(body),
            )
            .await)
        .await
    }

    /// Every number of a view, with where it is.
    fn numbers(v: &Value) -> Vec<(String, i64, String)> {
        let mut out = Vec::new();
        let mut num = |at: String, n: &Value| {
            out.push((
                at,
                n["n"].as_i64().unwrap(),
                n["list"].as_str().unwrap().to_string(),
            ));
        };
        for k in ["received", "closed", "open", "overdue"] {
            num(format!("totals.{k}"), &v["totals"][k]);
        }
        for t in ["by_field", "by_channel"] {
            for l in v[t].as_array().unwrap() {
                num(format!("{t}.{}.received", l["key"]), &l["received"]);
                num(format!("{t}.{}.closed", l["key"]), &l["closed"]);
            }
        }
        for l in v["by_township"].as_array().unwrap() {
            for k in ["received", "closed", "open", "overdue"] {
                num(format!("by_township.{}.{k}", l["code"]), &l[k]);
            }
        }
        for l in v["by_status"].as_array().unwrap() {
            num(format!("by_status.{}", l["key"]), &l["now"]);
        }
        for l in v["by_grid"].as_array().unwrap() {
            num(format!("by_grid.{}", l["code"]), &l["received"]);
        }
        out
    }

    pub async fn every_dashboard_number_equals_the_list_behind_it_and_a_recount(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let officer = app.session("officer").await;
        let gridworker = app.session("gridworker").await;
        let supervisor = app.session("supervisor").await;
        let ((lon, lat), _) = grid_point(&app, &dispatcher, A, 0).await;
        let ((lon2, lat2), _) = grid_point(&app, &dispatcher, A, 1).await;
        let texts = [
            ("grid_worker", "有商户在路边占道经营，堆放货物", lon, lat),
            ("citizen", "工地夜间施工噪声扰民", lon2, lat2),
            ("department", "河道旁有人焚烧垃圾", lon, lat),
            ("grid_worker", "邻里之间因为宅基地发生纠纷", lon2, lat2),
        ];
        let mut ids = Vec::new();
        for (channel, text, lon, lat) in texts {
            let who = if channel == "grid_worker" {
                &gridworker
            } else {
                &dispatcher
            };
            let v = ok(app
                .send_as(
                    who,
                    Method::POST,
                    "/api/v1/reports",
                    Some(json!({"channel": channel, "description": text, "lon": lon, "lat": lat})),
                )
                .await)
            .await;
            ids.push(v["id"].as_str().unwrap().to_string());
        }
        // the first through the whole closed loop, the second dispatched
        let id = &ids[0];
        step(&app, &dispatcher, id, json!({"action": "dispatch"})).await;
        step(&app, &officer, id, json!({"action": "accept"})).await;
        step(&app, &officer, id, json!({"action": "start"})).await;
        step(
            &app,
            &officer,
            id,
            json!({"action": "report_back", "note": "已清理"}),
        )
        .await;
        step(
            &app,
            &gridworker,
            id,
            json!({"action": "verify", "passed": true}),
        )
        .await;
        step(&app, &dispatcher, id, json!({"action": "close"})).await;
        step(
            &app,
            &dispatcher,
            id,
            json!({"action": "evaluate", "score": 5}),
        )
        .await;
        step(&app, &dispatcher, &ids[1], json!({"action": "dispatch"})).await;

        let v = ok(app.get_as(&supervisor, "/api/v1/stats/overview").await).await;
        assert_eq!(
            v["totals"]["received"]["n"].as_i64().unwrap(),
            ids.len() as i64,
            "{v}"
        );
        assert_eq!(v["totals"]["closed"]["n"], 1, "one closed today");
        assert_eq!(
            v["trend"].as_array().unwrap().len(),
            30,
            "thirty days by default"
        );
        let today = v["trend"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(today["received"].as_i64().unwrap(), ids.len() as i64);
        assert_eq!(today["closed"], 1);
        let statuses: Vec<(&str, i64)> = v["by_status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["key"].as_str().unwrap(), s["now"]["n"].as_i64().unwrap()))
            .collect();
        assert!(statuses.contains(&("evaluated", 1)), "{statuses:?}");
        assert!(statuses.contains(&("dispatched", 1)), "{statuses:?}");
        let channels: i64 = v["by_channel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["received"]["n"].as_i64().unwrap())
            .sum();
        assert_eq!(channels, ids.len() as i64, "the channels add up");

        // every number: the list behind it holds exactly that many reports
        let all = numbers(&v);
        assert!(all.len() > 15, "{all:?}");
        for (at, n, list) in &all {
            let page = ok(app
                .get_as(&supervisor, &format!("/api/v1/reports?{list}&per_page=100"))
                .await)
            .await;
            assert_eq!(page["total"].as_i64().unwrap(), *n, "{at}: {list}");
        }

        // the township's own view agrees with its line in the county's
        let line = v["by_township"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == A)
            .unwrap()
            .clone();
        let town = ok(app
            .get_as(
                &supervisor,
                &format!("/api/v1/stats/overview?jurisdiction={A}"),
            )
            .await)
        .await;
        assert_eq!(town["totals"]["received"]["n"], line["received"]["n"]);
        assert_eq!(town["totals"]["open"]["n"], line["open"]["n"]);

        // the counters agree with a recount of the reports
        let mut conn = db.store.acquire().await.unwrap();
        let diff = store::stats::verify(&mut conn).await.unwrap();
        assert!(diff.is_empty(), "{diff:?}");
        // … and a counter changed behind the reports' back is found
        sqlx::query("UPDATE stats_status SET n = n + 1 WHERE status = 'dispatched'")
            .execute(&mut *conn)
            .await
            .unwrap();
        let diff = store::stats::verify(&mut conn).await.unwrap();
        assert_eq!(diff.len(), 2, "{diff:?}");
        let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
        store::stats::rebuild(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store::stats::verify(&mut conn).await.unwrap().is_empty());

        // every table to XLSX
        let r = app
            .get_as(&supervisor, "/api/v1/stats/overview?format=xlsx")
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = r.bytes().await.unwrap();
        let mut wb = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(
            wb.sheet_names(),
            [
                "概况",
                "趋势",
                "按领域",
                "按渠道",
                "按乡镇",
                "按状态",
                "按网格"
            ]
        );
        let totals = wb.worksheet_range("概况").unwrap();
        assert_eq!(totals.get((1, 3)), Some(&Data::Float(ids.len() as f64)));
        let trend = wb.worksheet_range("趋势").unwrap();
        assert_eq!(trend.height(), 31, "a header and thirty days");
        let r = app
            .get_as(&supervisor, "/api/v1/stats/overview?format=xlsx&lang=en")
            .await;
        let mut wb = Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
        assert_eq!(wb.sheet_names()[0], "Totals");
        assert!(wb.worksheet_range("By channel").is_ok());
    }

    pub async fn bad_dashboard_input_is_refused_naming_the_field(db: &TestDb) {
        let app = spawn_demo(db).await;
        let supervisor = app.session("supervisor").await;
        for (q, field) in [
            ("from=2026-13-01", "from"),
            ("to=yesterday", "to"),
            ("from=2024-01-01&to=2026-01-01", "to"),
            ("from=2026-05-02&to=2026-05-01", "to"),
            ("format=pdf", "format"),
            ("jurisdiction=999999", "jurisdiction"),
        ] {
            let p = problem(
                app.get_as(&supervisor, &format!("/api/v1/stats/overview?{q}"))
                    .await,
                422,
            )
            .await;
            assert_eq!(p["field"], field, "{q}: {p}");
            assert!(!p["message_zh"].as_str().unwrap().is_empty());
            assert!(!p["message_en"].as_str().unwrap().is_empty());
        }
        // the queue's drill-down filters are checked too
        for (q, field) in [("from=1.1.2026", "from"), ("date_of=deadline", "date_of")] {
            let p = problem(
                app.get_as(&supervisor, &format!("/api/v1/reports?{q}"))
                    .await,
                422,
            )
            .await;
            assert_eq!(p["field"], field, "{q}: {p}");
        }
        // nobody outside gets in
        let r = app.get("/api/v1/stats/overview").await;
        assert_eq!(r.status(), 401);
    }
}

store::both_databases!(crate::cases =>
    every_dashboard_number_equals_the_list_behind_it_and_a_recount,
    bad_dashboard_input_is_refused_naming_the_field,
);
