//! Live updates across instances: on PostgreSQL, two server instances share
//! one database, and a report made through one appears in the live queue
//! (server-sent events) of a dispatcher connected to the other (LISTEN/
//! NOTIFY). On SQLite — one instance per data folder — the instance's own
//! queue shows it.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use serde_json::json;
    use std::time::{Duration, Instant};
    use store::testing::TestDb;

    const A: &str = "411423100";

    /// Read the event stream until `wanted` appears or `within` passes.
    async fn heard(stream: &mut reqwest::Response, wanted: &str, within: Duration) -> bool {
        let until = Instant::now() + within;
        let mut text = String::new();
        while Instant::now() < until {
            let left = until.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, stream.chunk()).await {
                Ok(Ok(Some(bytes))) => {
                    text.push_str(&String::from_utf8_lossy(&bytes));
                    if text.contains(wanted) {
                        return true;
                    }
                }
                _ => return false,
            }
        }
        false
    }

    pub async fn a_report_through_one_instance_reaches_the_live_queue_of_another(db: &TestDb) {
        let writer = spawn_demo(db).await;
        let postgres = db.config.database_url.is_some();
        // on PostgreSQL a second instance; on SQLite the same one
        let watcher = if postgres {
            spawn_with(test_settings(db), db.store.clone()).await
        } else {
            TestApp {
                base: writer.base.clone(),
                client: writer.client.clone(),
            }
        };
        let dispatcher = watcher.session("dispatcher").await;
        let mut stream = watcher
            .client
            .get(watcher.url("/api/v1/reports/stream"))
            .bearer_auth(&dispatcher.token)
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        let gw = writer.session("gridworker").await;
        let ((lon, lat), _) = grid_point(&writer, &gw, A, 0).await;
        // the other instance's listener may still be connecting: a few tries
        let mut seen = false;
        for i in 0..5 {
            let r = writer
                .send_as(
                    &gw,
                    Method::POST,
                    "/api/v1/reports",
                    Some(json!({"channel": "grid_worker",
                        "description": format!("第{i}次：店外占道堆放纸箱"), "lon": lon, "lat": lat})),
                )
                .await;
            assert_eq!(r.status(), 201);
            let v: serde_json::Value = r.json().await.unwrap();
            let id = v["id"].as_str().unwrap().to_string();
            if heard(&mut stream, &id, Duration::from_secs(3)).await {
                seen = true;
                break;
            }
        }
        assert!(seen, "no live update reached the other instance's queue");
        // many at once (sent to the other instance together): every one arrives
        let mut sent = tokio::task::JoinSet::new();
        for i in 0..40 {
            let (client, url, token) = (
                writer.client.clone(),
                writer.url("/api/v1/reports"),
                gw.token.clone(),
            );
            sent.spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"channel": "grid_worker",
                        "description": format!("同时上报{i}：路边乱堆乱放"), "lon": lon, "lat": lat}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                let v: serde_json::Value = r.json().await.unwrap();
                v["id"].as_str().unwrap().to_string()
            });
        }
        let mut ids = Vec::new();
        while let Some(id) = sent.join_next().await {
            ids.push(id.unwrap());
        }
        let until = Instant::now() + Duration::from_secs(10);
        let mut text = String::new();
        while Instant::now() < until && !ids.iter().all(|id| text.contains(id.as_str())) {
            let left = until.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, stream.chunk()).await {
                Ok(Ok(Some(bytes))) => text.push_str(&String::from_utf8_lossy(&bytes)),
                _ => break,
            }
        }
        let missing: Vec<&String> = ids
            .iter()
            .filter(|id| !text.contains(id.as_str()))
            .collect();
        assert!(missing.is_empty(), "not heard: {missing:?}");
    }
}

store::both_databases!(crate::cases =>
    a_report_through_one_instance_reaches_the_live_queue_of_another,
);
