//! The one net through the API, on SQLite and PostgreSQL: every channel
//! from intake to closure, idempotency, refusals that store nothing,
//! duplicates, emergencies and matters for other platforms.

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

    /// A point inside township A's first grid (the officer's), and its code.
    async fn first_grid(app: &TestApp, s: &Session) -> ((f64, f64), String) {
        grid_point(app, s, A, 0).await
    }

    /// The code of township A's street-vending item (占道经营).
    async fn street_vending(app: &TestApp) -> String {
        ok(app
            .get("/api/v1/power-items?q=占道经营&township=411423100&per_page=1")
            .await)
        .await["items"][0]["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn token(app: &TestApp, kind: &str) -> Session {
        let admin = app.session("admin").await;
        let v = ok(app
            .send_as(&admin, Method::POST, "/api/v1/integration-tokens",
                Some(json!({"name": format!("{kind} 平台"), "kind": kind, "jurisdiction": A, "permissions": ["submit_report"]})))
            .await)
        .await;
        Session {
            token: v["token"].as_str().unwrap().into(),
            csrf: String::new(),
        }
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

    async fn report_count(app: &TestApp) -> u64 {
        let d = app.session("supervisor").await;
        ok(app.get_as(&d, "/api/v1/reports?per_page=1").await).await["total"]
            .as_u64()
            .unwrap()
    }

    pub async fn every_channel_runs_the_closed_loop_with_every_step_audited(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let officer = app.session("officer").await;
        let gridworker = app.session("gridworker").await;
        let ((lon, lat), grid) = first_grid(&app, &dispatcher).await;
        let channels: Vec<(&str, Session)> = vec![
            ("grid_worker", app.session("gridworker").await),
            ("camera", token(&app, "camera").await),
            ("citizen", app.session("dispatcher").await),
            ("hotline", token(&app, "hotline").await),
            ("department", app.session("dispatcher").await),
        ];
        for (channel, reporter) in channels {
            // the phone reports GCJ-02
            let g = yiwang_geo::Crs::Gcj02.from_wgs84(yiwang_geo::LonLat::new(lon, lat));
            let r = app
                .send_as(&reporter, Method::POST, "/api/v1/reports",
                    Some(json!({"channel": channel, "description": "有商户在路边占道经营，堆放货物", "lon": g.lon, "lat": g.lat, "crs": "gcj02"})))
                .await;
            assert_eq!(r.status(), 201, "{channel}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["grid"], grid.as_str(), "{channel}: located in its grid");
            assert_eq!(v["status"], "received");
            assert_eq!(v["channel"], channel);
            assert!(
                v["suggestions"][0]["name"]
                    .as_str()
                    .unwrap()
                    .contains("占道"),
                "{channel}: classified: {}",
                v["suggestions"]
            );
            assert!(v["deadline_at"].is_string(), "a dispatch deadline");
            let id = v["id"].as_str().unwrap().to_string();
            // dispatched on the suggested route: the grid's squad and officer
            let d = step(&app, &dispatcher, &id, json!({"action": "dispatch"})).await;
            assert_eq!(d["status"], "dispatched");
            assert_eq!(
                d["dispatched_to"], d["officer_id"],
                "{channel}: to the grid's officer"
            );
            // the officer sees it in the queue
            let queue = ok(app
                .get_as(&officer, "/api/v1/reports?status=dispatched")
                .await)
            .await;
            assert!(
                queue["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["id"] == id.as_str())
            );
            step(&app, &officer, &id, json!({"action": "accept"})).await;
            step(&app, &officer, &id, json!({"action": "start"})).await;
            step(
                &app,
                &officer,
                &id,
                json!({"action": "report_back", "note": "已责令清理，恢复通行"}),
            )
            .await;
            // nobody verifies their own work
            let body = problem(
                app.send_as(
                    &officer,
                    Method::POST,
                    &format!("/api/v1/reports/{id}/actions"),
                    Some(json!({"action": "verify", "passed": true})),
                )
                .await,
                403,
            )
            .await;
            assert_eq!(body["code"], "report.verify_own_work");
            step(
                &app,
                &gridworker,
                &id,
                json!({"action": "verify", "passed": true, "note": "现场已恢复"}),
            )
            .await;
            step(&app, &dispatcher, &id, json!({"action": "close"})).await;
            let done = step(
                &app,
                &dispatcher,
                &id,
                json!({"action": "evaluate", "score": 5}),
            )
            .await;
            assert_eq!(done["status"], "evaluated");
            let actions: Vec<&str> = done["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action"].as_str().unwrap())
                .collect();
            assert_eq!(
                actions,
                [
                    "receive",
                    "dispatch",
                    "accept",
                    "start",
                    "report_back",
                    "verify",
                    "close",
                    "evaluate"
                ],
                "{channel}"
            );
            for e in done["events"].as_array().unwrap() {
                assert!(
                    !e["actor"].as_str().unwrap().is_empty() && e["at"].is_string(),
                    "{e}"
                );
            }
            // and in the tamper-evident audit record, with the actor of each step
            let admin = app.session("admin").await;
            let audit = ok(app
                .get_as(
                    &admin,
                    &format!("/api/v1/audit?per_page=100&object_id={id}"),
                )
                .await)
            .await;
            let n = audit["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["object_id"] == id.as_str())
                .count();
            assert_eq!(n, 8, "{channel}: one audit entry per step: {audit}");
        }
    }

    pub async fn a_verification_that_fails_sends_the_task_back_for_rework(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let officer = app.session("officer").await;
        let gridworker = app.session("gridworker").await;
        let ((lon, lat), _) = first_grid(&app, &dispatcher).await;
        let v = ok(app.send_as(&gridworker, Method::POST, "/api/v1/reports",
            Some(json!({"channel": "grid_worker", "description": "露天焚烧秸秆", "lon": lon, "lat": lat}))).await).await;
        let id = v["id"].as_str().unwrap();
        step(&app, &dispatcher, id, json!({"action": "dispatch"})).await;
        // refusal goes back to the dispatcher, with a reason
        let body = problem(
            app.send_as(
                &officer,
                Method::POST,
                &format!("/api/v1/reports/{id}/actions"),
                Some(json!({"action": "refuse"})),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(body["field"], "reason");
        let back = step(
            &app,
            &officer,
            id,
            json!({"action": "refuse", "reason": "不属于本中队片区"}),
        )
        .await;
        assert_eq!(back["status"], "received");
        assert!(
            back["dispatched_to"].is_null(),
            "a refusal leaves nobody holding it"
        );
        step(&app, &dispatcher, id, json!({"action": "dispatch"})).await;
        step(&app, &officer, id, json!({"action": "accept"})).await;
        step(&app, &officer, id, json!({"action": "start"})).await;
        step(
            &app,
            &officer,
            id,
            json!({"action": "report_back", "note": "已劝离"}),
        )
        .await;
        let rework = step(
            &app,
            &gridworker,
            id,
            json!({"action": "verify", "passed": false, "note": "仍有焚烧"}),
        )
        .await;
        assert_eq!(rework["status"], "handling", "back for rework");
        // closing before verification is refused
        let body = problem(
            app.send_as(
                &dispatcher,
                Method::POST,
                &format!("/api/v1/reports/{id}/actions"),
                Some(json!({"action": "close"})),
            )
            .await,
            409,
        )
        .await;
        assert_eq!(body["code"], "report.transition");
    }

    pub async fn one_thousand_concurrent_retries_of_one_key_create_one_report(db: &TestDb) {
        let app = spawn_demo(db).await;
        let gw = app.session("gridworker").await;
        let ((lon, lat), _) = first_grid(&app, &gw).await;
        let before = report_count(&app).await;
        let body = json!({"channel": "grid_worker", "description": "道路两侧乱堆乱放", "lon": lon, "lat": lat});
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..1000 {
            let client = app.client.clone();
            let url = app.url("/api/v1/reports");
            let token = gw.token.clone();
            let body = body.clone();
            tasks.spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .header("Idempotency-Key", "patrol-2026-11-28-0001")
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let v: Value = r.json().await.unwrap();
                (status, v["id"].as_str().unwrap_or("").to_string())
            });
        }
        let mut ids = std::collections::HashSet::new();
        let mut created = 0;
        while let Some(res) = tasks.join_next().await {
            let (status, id) = res.unwrap();
            assert!(status == 201 || status == 200, "{status}");
            created += usize::from(status == 201);
            ids.insert(id);
        }
        assert_eq!(ids.len(), 1, "one report for one key");
        assert_eq!(created, 1, "created once; every retry answered with it");
        assert_eq!(report_count(&app).await, before + 1);
    }

    /// Several dispatchers press Dispatch at once (on several instances):
    /// one step applies, the others are told it changed; the trail holds
    /// one dispatch.
    pub async fn concurrent_dispatches_of_one_report_apply_once(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let gw = app.session("gridworker").await;
        let ((lon, lat), _) = first_grid(&app, &gw).await;
        let v = ok(app.send_as(&gw, Method::POST, "/api/v1/reports",
            Some(json!({"channel": "grid_worker", "description": "店外占道堆放纸箱", "lon": lon, "lat": lat}))).await).await;
        let id = v["id"].as_str().unwrap().to_string();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let client = app.client.clone();
            let url = app.url(&format!("/api/v1/reports/{id}/actions"));
            let token = dispatcher.token.clone();
            tasks.spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"action": "dispatch"}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let v: Value = r.json().await.unwrap();
                (status, v)
            });
        }
        let mut applied = 0;
        while let Some(res) = tasks.join_next().await {
            let (status, v) = res.unwrap();
            match status {
                200 => applied += 1,
                409 => assert!(
                    v["code"] == "conflict.stale" || v["code"] == "report.transition",
                    "{v}"
                ),
                other => panic!("unexpected {other}: {v}"),
            }
        }
        assert_eq!(applied, 1, "one dispatch applies");
        let r = ok(app
            .get_as(&dispatcher, &format!("/api/v1/reports/{id}"))
            .await)
        .await;
        let dispatches = r["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "dispatch")
            .count();
        assert_eq!(dispatches, 1, "one dispatch in the trail");
    }

    /// Dispatch goes to staff on duty (the 24-hour roster): with the grid's
    /// officer off duty, the task goes to an on-duty officer of the grid's
    /// squad, and the dispatcher cannot name the absent one.
    pub async fn dispatch_goes_to_staff_on_duty(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let fc = ok(app
            .get_as(
                &dispatcher,
                &format!("/api/v1/grids?format=geojson&township={A}"),
            )
            .await)
        .await;
        let features = fc["features"].as_array().unwrap();
        // a grid whose officer is none of the demo's field accounts
        let taken: Vec<&Value> = features[..2]
            .iter()
            .map(|f| &f["properties"]["officer"]["id"])
            .collect();
        let f = features[2..]
            .iter()
            .find(|f| !taken.contains(&&f["properties"]["officer"]["id"]))
            .expect("a grid of another officer");
        let absent = f["properties"]["officer"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let squad = f["properties"]["squad"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        // take that officer off today's and yesterday's shifts
        let today = chrono::Utc::now().date_naive();
        let roster = ok(app
            .get_as(
                &dispatcher,
                &format!(
                    "/api/v1/duty/roster?township={A}&staff_id={absent}&from={}&to={}",
                    today.pred_opt().unwrap(),
                    today.succ_opt().unwrap()
                ),
            )
            .await)
        .await;
        for e in roster["items"].as_array().unwrap() {
            let r = app
                .send_as(
                    &dispatcher,
                    Method::DELETE,
                    &format!("/api/v1/duty/roster/{}", e["id"].as_str().unwrap()),
                    None,
                )
                .await;
            assert!(
                r.status().is_success() || r.status() == 422,
                "{}",
                r.status()
            );
        }
        let now = ok(app
            .get_as(&dispatcher, &format!("/api/v1/duty/now?township={A}"))
            .await)
        .await;
        let on_duty: Vec<&str> = now["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["unit"] == squad.as_str())
            .map(|i| i["staff_id"].as_str().unwrap())
            .collect();
        assert!(!on_duty.contains(&absent.as_str()), "off duty now");
        assert!(!on_duty.is_empty(), "the squad has someone on duty");
        let (lon, lat) = inside(f);
        let v = ok(app.send_as(&dispatcher, Method::POST, "/api/v1/reports",
            Some(json!({"channel": "department", "description": "门店外摆占道", "lon": lon, "lat": lat}))).await).await;
        assert_eq!(
            v["officer_id"],
            absent.as_str(),
            "the grid's officer answers for it"
        );
        let id = v["id"].as_str().unwrap();
        // naming the absent officer is refused
        let p = problem(
            app.send_as(
                &dispatcher,
                Method::POST,
                &format!("/api/v1/reports/{id}/actions"),
                Some(json!({"action": "dispatch", "officer": absent, "reason": "点名"})),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["field"], "officer");
        let d = step(&app, &dispatcher, id, json!({"action": "dispatch"})).await;
        let to = d["dispatched_to"].as_str().expect("an officer on duty");
        assert_ne!(to, absent, "not the absent officer");
        assert!(on_duty.contains(&to), "{to} is on duty in squad {squad}");
    }

    pub async fn bad_input_is_refused_clearly_and_stores_nothing(db: &TestDb) {
        let app = spawn_demo(db).await;
        let gw = app.session("gridworker").await;
        let ((lon, lat), _) = first_grid(&app, &gw).await;
        let before = report_count(&app).await;
        // outside the jurisdiction
        let body = problem(app.send_as(&gw, Method::POST, "/api/v1/reports",
            Some(json!({"channel": "grid_worker", "description": "测试", "lon": 121.47, "lat": 31.23}))).await, 422).await;
        assert_eq!(body["code"], "geo.outside_jurisdiction");
        // unknown channel, missing description
        let body = problem(
            app.send_as(
                &gw,
                Method::POST,
                "/api/v1/reports",
                Some(json!({"channel": "fax", "description": "测试", "lon": lon, "lat": lat})),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(body["field"], "channel");
        let body = problem(
            app.send_as(
                &gw,
                Method::POST,
                "/api/v1/reports",
                Some(json!({"channel": "grid_worker", "description": " ", "lon": lon, "lat": lat})),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(body["field"], "description");
        let report =
            json!({"channel": "grid_worker", "description": "占道经营", "lon": lon, "lat": lat})
                .to_string();
        let upload = |bytes: Vec<u8>, name: &str| {
            reqwest::multipart::Form::new()
                .text("report", report.clone())
                .part(
                    "photo",
                    reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
                )
        };
        // a text file named .jpg
        let r = app
            .client
            .post(app.url("/api/v1/reports"))
            .bearer_auth(&gw.token)
            .multipart(upload(b"not an image at all".to_vec(), "scene.jpg"))
            .send()
            .await
            .unwrap();
        let body = problem(r, 422).await;
        assert_eq!(body["code"], "report.photo_type");
        assert_eq!(body["field"], "photo");
        // a 50 MB photo
        let mut big = vec![0u8; 50 * 1024 * 1024];
        big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        let r = app
            .client
            .post(app.url("/api/v1/reports"))
            .bearer_auth(&gw.token)
            .multipart(upload(big, "big.jpg"))
            .send()
            .await;
        match r {
            Ok(r) => assert_eq!(r.status(), 413),
            // the server answered 413 and closed while the client was still
            // writing the 50 MB: the client sees the closed connection
            Err(e) => assert!(e.is_request(), "{e}"),
        }
        assert_eq!(report_count(&app).await, before, "nothing half-stored");
        // a real (tiny) JPEG is accepted and kept by its SHA-256
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
            0xFF, 0xD9,
        ]
        .to_vec();
        let r = app
            .client
            .post(app.url("/api/v1/reports"))
            .bearer_auth(&gw.token)
            .multipart(upload(jpeg.clone(), "scene.jpg"))
            .send()
            .await
            .unwrap();
        let v = ok(r).await;
        use sha2::Digest;
        assert_eq!(
            v["attachments"][0]["sha256"],
            hex::encode(sha2::Sha256::digest(&jpeg))
        );
        assert_eq!(v["attachments"][0]["mime"], "image/jpeg");
    }

    pub async fn duplicates_emergencies_and_other_platforms(db: &TestDb) {
        let app = spawn_demo(db).await;
        let gw = app.session("gridworker").await;
        let ((lon, lat), _) = first_grid(&app, &gw).await;
        let item = street_vending(&app).await;
        let first = ok(app.send_as(&gw, Method::POST, "/api/v1/reports",
            Some(json!({"channel": "grid_worker", "description": "占道经营", "lon": lon, "lat": lat, "item_code": item}))).await).await;
        let second = ok(app.send_as(&gw, Method::POST, "/api/v1/reports",
            Some(json!({"channel": "citizen", "description": "门口有人摆摊", "lon": lon + 0.0002, "lat": lat, "item_code": item}))).await).await;
        assert_eq!(second["status"], "merged");
        assert_eq!(second["duplicate_of"], first["id"]);
        let first_now = ok(app
            .get_as(
                &gw,
                &format!("/api/v1/reports/{}", first["id"].as_str().unwrap()),
            )
            .await)
        .await;
        assert_eq!(first_now["duplicates"], 1, "counted on the first");
        let fire = ok(app.send_as(&gw, Method::POST, "/api/v1/reports",
            Some(json!({"channel": "grid_worker", "description": "村东仓库起火，有浓烟", "lon": lon, "lat": lat}))).await).await;
        assert_eq!(fire["urgency"], "emergency");
        assert!(
            fire["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "flag_emergency")
        );
        let dispute = ok(app.send_as(&gw, Method::POST, "/api/v1/reports",
            Some(json!({"channel": "grid_worker", "description": "两户村民因宅基地发生邻里纠纷", "lon": lon, "lat": lat}))).await).await;
        assert_eq!(dispute["status"], "handed_over");
    }

    /// Two hundred people report one matter at once: the reports land in
    /// several batches, each planned while the one before is still being
    /// written, and still one is first and every other is linked to it.
    pub async fn concurrent_reports_of_one_matter_link_to_the_first(db: &TestDb) {
        let app = spawn_demo(db).await;
        let gw = app.session("gridworker").await;
        let ((lon, lat), _) = first_grid(&app, &gw).await;
        let item = street_vending(&app).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..200 {
            let client = app.client.clone();
            let url = app.url("/api/v1/reports");
            let token = gw.token.clone();
            let body = json!({"channel": "grid_worker", "description": format!("路口有人占道经营 {i}"),
                "lon": lon + f64::from(i % 5) * 0.00005, "lat": lat, "item_code": item});
            tasks.spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 201);
                r.json::<Value>().await.unwrap()
            });
        }
        let mut reports = Vec::new();
        while let Some(r) = tasks.join_next().await {
            reports.push(r.unwrap());
        }
        let firsts: Vec<&Value> = reports
            .iter()
            .filter(|r| r["status"] == "received")
            .collect();
        assert_eq!(firsts.len(), 1, "one first report: {firsts:?}");
        let first = firsts[0]["id"].as_str().unwrap();
        for r in &reports {
            if r["id"] != first {
                assert_eq!(r["status"], "merged");
                assert_eq!(r["duplicate_of"], first);
            }
        }
        let first_now = ok(app.get_as(&gw, &format!("/api/v1/reports/{first}")).await).await;
        assert_eq!(
            first_now["duplicates"], 199,
            "every other one counted on it"
        );
    }
}

store::both_databases!(crate::cases =>
    every_channel_runs_the_closed_loop_with_every_step_audited,
    a_verification_that_fails_sends_the_task_back_for_rework,
    one_thousand_concurrent_retries_of_one_key_create_one_report,
    concurrent_dispatches_of_one_report_apply_once,
    dispatch_goes_to_staff_on_duty,
    bad_input_is_refused_clearly_and_stores_nothing,
    duplicates_emergencies_and_other_platforms,
    concurrent_reports_of_one_matter_link_to_the_first,
);
