//! The video network through the API, on SQLite and PostgreSQL: cameras
//! registered inside their township and reviewed; a signed alert becomes one
//! camera report with its snapshot however often it is retried; and every
//! refusal — a bad signature, an expired timestamp, an unknown or retired
//! camera, a camera outside the jurisdiction, a 50 MB snapshot, a text file
//! sent as a snapshot — is clear and stores nothing.

mod common;

mod cases {
    use super::common::*;
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    use reqwest::Method;
    use serde_json::{Value, json};
    use sha2::{Digest, Sha256};
    use std::path::{Path, PathBuf};
    use store::testing::TestDb;

    const A: &str = "411423100";
    const B: &str = "411423101";

    /// A real (tiny) JPEG.
    const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF,
        0xD9,
    ];

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    /// A point inside a township's first grid, and the grid's code.
    async fn first_grid(app: &TestApp, s: &Session, township: &str) -> ((f64, f64), String) {
        let fc = ok(app
            .get_as(
                s,
                &format!("/api/v1/grids?format=geojson&township={township}"),
            )
            .await)
        .await;
        let f = &fc["features"][0];
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        let n = (ring.len() - 1) as f64;
        let avg = |k: usize| {
            ring[..ring.len() - 1]
                .iter()
                .map(|p| p[k].as_f64().unwrap())
                .sum::<f64>()
                / n
        };
        (
            (avg(0), avg(1)),
            f["properties"]["code"].as_str().unwrap().to_string(),
        )
    }

    /// A camera integration token of township A: (id, signing secret).
    async fn camera_token(app: &TestApp, admin: &Session, kind: &str) -> (String, Option<String>) {
        let v = ok(app
            .send_as(
                admin,
                Method::POST,
                "/api/v1/integration-tokens",
                Some(
                    json!({"name": format!("雪亮平台 {kind}"), "kind": kind, "jurisdiction": A,
                    "permissions": ["submit_report"]}),
                ),
            )
            .await)
        .await;
        (
            v["id"].as_str().unwrap().to_string(),
            v["signing_secret"].as_str().map(str::to_string),
        )
    }

    fn sign(secret: &str, ts: &str, body: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(ts.as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    fn now_secs() -> i64 {
        chrono::Utc::now().timestamp()
    }

    /// Post an alert body signed with `secret` at `ts`.
    async fn post_signed(
        app: &TestApp,
        token_id: &str,
        secret: &str,
        ts: i64,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let ts = ts.to_string();
        let sig = sign(secret, &ts, &body);
        app.client
            .post(app.url("/api/v1/webhooks/camera"))
            .header("Content-Type", "application/json")
            .header("X-Yiwang-Token", token_id)
            .header("X-Yiwang-Timestamp", &ts)
            .header("X-Yiwang-Signature", sig)
            .body(body)
            .send()
            .await
            .expect("webhook request")
    }

    async fn alert(app: &TestApp, token_id: &str, secret: &str, v: Value) -> reqwest::Response {
        post_signed(
            app,
            token_id,
            secret,
            now_secs(),
            v.to_string().into_bytes(),
        )
        .await
    }

    async fn report_count(app: &TestApp) -> u64 {
        let d = app.session("supervisor").await;
        ok(app.get_as(&d, "/api/v1/reports?per_page=1").await).await["total"]
            .as_u64()
            .unwrap()
    }

    /// Every file under the attachments folder.
    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.join("attachments")];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// Register a camera in township A at `p` and answer its JSON.
    async fn register(app: &TestApp, admin: &Session, code: &str, p: (f64, f64)) -> Value {
        ok(app
            .send_as(admin, Method::POST, "/api/v1/cameras",
                Some(json!({"code": code, "name": "东门路口摄像头", "township": A, "lon": p.0, "lat": p.1,
                    "location": "东门路口东北角", "installed_at": "2025-05-01"})))
            .await)
        .await
    }

    async fn camera_count(app: &TestApp, s: &Session) -> u64 {
        ok(app.get_as(s, "/api/v1/cameras?per_page=1").await).await["total"]
            .as_u64()
            .unwrap()
    }

    async fn review(app: &TestApp, s: &Session, code: &str, status: &str) -> reqwest::Response {
        app.send_as(
            s,
            Method::POST,
            &format!("/api/v1/cameras/{code}/review"),
            Some(json!({"status": status, "note": "法制和技术审核", "published": true})),
        )
        .await
    }

    pub async fn a_signed_alert_becomes_one_camera_report_with_its_snapshot(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("admin").await;
        let dispatcher = app.session("dispatcher").await;
        let ((lon, lat), grid) = first_grid(&app, &admin, A).await;
        // registered in GCJ-02 (as a phone gives it), stored in WGS84
        let gcj = yiwang_geo::Crs::Gcj02.from_wgs84(yiwang_geo::LonLat::new(lon, lat));
        let cam = ok(app
            .send_as(
                &admin,
                Method::POST,
                "/api/v1/cameras",
                Some(
                    json!({"code": "CAM-EAST-1", "name": "东门路口摄像头", "township": A,
                    "lon": gcj.lon, "lat": gcj.lat, "crs": "gcj02", "location": "东门路口东北角"}),
                ),
            )
            .await)
        .await;
        assert_eq!(cam["status"], "pending");
        assert_eq!(cam["grid"], grid.as_str(), "located in its grid");
        assert!((cam["lon"].as_f64().unwrap() - lon).abs() < 1e-5, "{cam}");
        assert!((cam["lat"].as_f64().unwrap() - lat).abs() < 1e-5, "{cam}");
        // a second registration of the code is a conflict
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/cameras",
                Some(json!({"code": "CAM-EAST-1", "name": "重复", "township": A, "lon": lon, "lat": lat, "location": "同上"})))
            .await;
        assert_eq!(problem(r, 409).await["field"], "code");
        let v = ok(review(&app, &admin, "CAM-EAST-1", "reviewed").await).await;
        assert_eq!(v["status"], "reviewed");
        assert_eq!(v["published"], true);
        assert_eq!(v["reviews"].as_array().unwrap().len(), 1);
        // listed for the command centre, by township and status
        let list = ok(app
            .get_as(
                &dispatcher,
                &format!("/api/v1/cameras?township={A}&status=reviewed"),
            )
            .await)
        .await;
        let codes: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"CAM-EAST-1"), "{codes:?}");
        assert!(
            !codes.contains(&"411423100-SP03"),
            "the pending demo camera is filtered out"
        );
        let one = ok(app.get_as(&dispatcher, "/api/v1/cameras/CAM-EAST-1").await).await;
        assert_eq!(one["reviews"][0]["reviewed_by"], "admin");
        assert_eq!(one["registered_by"], "admin");

        let (token, secret) = camera_token(&app, &admin, "camera").await;
        let secret = secret.expect("a camera token comes with its signing secret");
        let before = report_count(&app).await;
        let snapshot = base64::engine::general_purpose::STANDARD.encode(JPEG);
        let body = json!({"camera": "CAM-EAST-1", "event": "占道经营", "description": "三轮车占用人行道",
            "occurred_at": "2026-01-05T09:30:00+08:00", "snapshot": snapshot, "event_id": "evt-0001"});
        let r = alert(&app, &token, &secret, body.clone()).await;
        assert_eq!(r.status(), 201);
        let report = ok(r).await;
        assert_eq!(report["channel"], "camera");
        assert_eq!(report["grid"], grid.as_str(), "at the camera's grid");
        assert_eq!(report["township"], A);
        assert_eq!(report["reporter"], "camera:CAM-EAST-1");
        let d = report["description"].as_str().unwrap();
        assert!(
            d.contains("东门路口摄像头") && d.contains("占道经营") && d.contains("三轮车"),
            "{d}"
        );
        let sha = hex::encode(Sha256::digest(JPEG));
        assert_eq!(report["attachments"][0]["sha256"], sha.as_str());
        assert_eq!(report["attachments"][0]["mime"], "image/jpeg");
        let stored = db.dir.path().join("attachments").join(&sha[..2]).join(&sha);
        assert_eq!(std::fs::read(&stored).unwrap(), JPEG, "kept by its SHA-256");
        let events = report["events"].as_array().unwrap();
        assert!(
            !events.iter().any(|e| e["action"] == "flag_evidence"),
            "a reviewed camera at a published place: no flag"
        );
        // the camera's retry (the same event_id, even re-signed later) gives the same report
        let r = alert(&app, &token, &secret, body.clone()).await;
        assert_eq!(r.status(), 200);
        assert_eq!(ok(r).await["id"], report["id"]);
        assert_eq!(report_count(&app).await, before + 1, "one report");
        // the command centre sees it with the snapshot
        let id = report["id"].as_str().unwrap();
        let seen = ok(app
            .get_as(&dispatcher, &format!("/api/v1/reports/{id}"))
            .await)
        .await;
        assert_eq!(seen["attachments"][0]["sha256"], sha.as_str());

        // an unreviewed camera: accepted, marked as not usable as evidence (Art. 41)
        let r = alert(
            &app,
            &token,
            &secret,
            json!({"camera": "411423100-SP03", "event": "焚烧垃圾", "event_id": "evt-0002"}),
        )
        .await;
        assert_eq!(r.status(), 201);
        let flagged = ok(r).await;
        let flag = flagged["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "flag_evidence")
            .cloned()
            .expect("flagged in the event trail");
        let note = flag["note"].as_str().unwrap();
        assert!(
            note.contains("Art. 41") && note.contains("第四十一条"),
            "{note}"
        );
        assert!(flagged["attachments"].as_array().unwrap().is_empty());

        // register and review are audited
        for action in ["camera.register", "camera.review"] {
            let audit = ok(app
                .get_as(&admin, &format!("/api/v1/audit?action={action}"))
                .await)
            .await;
            assert_eq!(audit["total"], 1, "{action} audited: {audit}");
        }
    }

    pub async fn every_refusal_is_clear_and_stores_nothing(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("admin").await;
        let ((lon, lat), _) = first_grid(&app, &admin, A).await;
        register(&app, &admin, "CAM-1", (lon, lat)).await;
        register(&app, &admin, "CAM-OLD", (lon, lat)).await;
        ok(review(&app, &admin, "CAM-OLD", "retired").await).await;
        // a retired camera stays retired
        let r = review(&app, &admin, "CAM-OLD", "reviewed").await;
        assert_eq!(problem(r, 409).await["code"], "camera.retired");
        let (token, secret) = camera_token(&app, &admin, "camera").await;
        let secret = secret.unwrap();
        let good =
            |event_id: &str| json!({"camera": "CAM-1", "event": "占道经营", "event_id": event_id});

        // a tiny JPEG is stored first, so that "unchanged" is measured against a non-empty folder
        let snap = base64::engine::general_purpose::STANDARD.encode(JPEG);
        let mut first = good("evt-ok");
        first["snapshot"] = json!(snap);
        assert_eq!(alert(&app, &token, &secret, first).await.status(), 201);
        let reports = report_count(&app).await;
        let stored = files(db.dir.path());
        assert_eq!(stored.len(), 1);
        let unchanged = async |what: &str| {
            assert_eq!(report_count(&app).await, reports, "{what}: no report");
            assert_eq!(files(db.dir.path()), stored, "{what}: no attachment");
        };

        // a bad HMAC: signed with another secret
        let r = alert(&app, &token, "ywc_not-the-secret", good("evt-1")).await;
        let p = problem(r, 401).await;
        assert_eq!(p["code"], "webhook.signature");
        assert_eq!(p["field"], "X-Yiwang-Signature");
        unchanged("bad HMAC").await;
        // the body changed after signing
        let body = good("evt-1").to_string();
        let sig = sign(&secret, &now_secs().to_string(), body.as_bytes());
        let r = app
            .client
            .post(app.url("/api/v1/webhooks/camera"))
            .header("Content-Type", "application/json")
            .header("X-Yiwang-Token", &token)
            .header("X-Yiwang-Timestamp", now_secs().to_string())
            .header("X-Yiwang-Signature", sig)
            .body(body.replace("占道经营", "无事"))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r, 401).await["code"], "webhook.signature");
        // no signature at all, in English
        let r = app
            .client
            .post(app.url("/api/v1/webhooks/camera"))
            .header("Accept-Language", "en")
            .json(&good("evt-1"))
            .send()
            .await
            .unwrap();
        let p = problem(r, 401).await;
        assert_eq!(p["field"], "X-Yiwang-Token");
        assert!(
            p["title"].as_str().unwrap().contains("X-Yiwang-Token"),
            "{p}"
        );
        assert!(
            p["message_zh"].as_str().unwrap().contains("X-Yiwang-Token"),
            "{p}"
        );
        // an expired timestamp (10 minutes old), correctly signed
        let r = post_signed(
            &app,
            &token,
            &secret,
            now_secs() - 600,
            good("evt-1").to_string().into_bytes(),
        )
        .await;
        let p = problem(r, 401).await;
        assert_eq!(p["code"], "webhook.signature");
        assert_eq!(p["field"], "X-Yiwang-Timestamp");
        // a token of another kind has no signing secret
        let (hotline, none) = camera_token(&app, &admin, "hotline").await;
        assert!(none.is_none(), "only camera tokens get a signing secret");
        let r = alert(&app, &hotline, &secret, good("evt-1")).await;
        assert_eq!(problem(r, 401).await["field"], "X-Yiwang-Token");
        // a revoked camera token
        let (revoked, revoked_secret) = camera_token(&app, &admin, "camera").await;
        let r = app
            .send_as(
                &admin,
                Method::DELETE,
                &format!("/api/v1/integration-tokens/{revoked}"),
                None,
            )
            .await;
        assert_eq!(r.status(), 204);
        let r = alert(&app, &revoked, &revoked_secret.unwrap(), good("evt-1")).await;
        assert_eq!(problem(r, 401).await["code"], "webhook.signature");
        unchanged("signature refusals").await;

        // the body: a blank event id
        let r = alert(&app, &token, &secret, good("")).await;
        assert_eq!(problem(r, 422).await["field"], "event_id");
        // an unknown camera
        let r = alert(
            &app,
            &token,
            &secret,
            json!({"camera": "NO-SUCH-CAM", "event": "占道经营", "event_id": "evt-2"}),
        )
        .await;
        let p = problem(r, 422).await;
        assert_eq!(p["code"], "camera.unknown");
        assert_eq!(p["field"], "camera");
        // a retired camera
        let r = alert(
            &app,
            &token,
            &secret,
            json!({"camera": "CAM-OLD", "event": "占道经营", "event_id": "evt-3"}),
        )
        .await;
        let p = problem(r, 422).await;
        assert_eq!(p["code"], "camera.retired");
        assert_eq!(p["field"], "camera");
        // a camera of township B, with township A's token
        let r = alert(
            &app,
            &token,
            &secret,
            json!({"camera": format!("{B}-SP01"), "event": "占道经营", "event_id": "evt-4"}),
        )
        .await;
        assert_eq!(problem(r, 403).await["field"], "camera");
        unchanged("camera refusals").await;

        // a non-image file named .jpg, base64'd as the snapshot
        let text = base64::engine::general_purpose::STANDARD.encode(b"not an image at all");
        let mut bad = good("evt-5");
        bad["snapshot"] = json!(format!("data:image/jpeg;base64,{text}"));
        let r = alert(&app, &token, &secret, bad).await;
        let p = problem(r, 422).await;
        assert_eq!(p["code"], "report.photo_type");
        assert_eq!(p["field"], "snapshot");
        // not base64 at all
        let mut bad = good("evt-6");
        bad["snapshot"] = json!("*** not base64 ***");
        let r = alert(&app, &token, &secret, bad).await;
        assert_eq!(problem(r, 422).await["code"], "webhook.snapshot_encoding");
        // a snapshot just over the photo limit (its base64 still fits the body limit)
        let mut over = vec![0u8; 10 * 1024 * 1024 + 64 * 1024];
        over[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        let mut bad = good("evt-7");
        bad["snapshot"] = json!(base64::engine::general_purpose::STANDARD.encode(&over));
        let r = alert(&app, &token, &secret, bad).await;
        let p = problem(r, 413).await;
        assert_eq!(p["code"], "report.photo_too_large");
        assert_eq!(p["field"], "snapshot");
        // a 50 MB photo: refused while the body is read
        let mut big = vec![0u8; 50 * 1024 * 1024];
        big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        let mut bad = good("evt-8");
        bad["snapshot"] = json!(base64::engine::general_purpose::STANDARD.encode(&big));
        drop(big);
        let r = alert(&app, &token, &secret, bad).await;
        let p = problem(r, 413).await;
        assert_eq!(p["code"], "report.photo_too_large");
        unchanged("snapshot refusals").await;

        // registration outside the jurisdiction: outside every grid…
        let dispatcher = app.session("dispatcher").await;
        let n = camera_count(&app, &dispatcher).await;
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/cameras",
                Some(json!({"code": "CAM-SH", "name": "外地", "township": A, "lon": 121.47, "lat": 31.23, "location": "上海"})))
            .await;
        let p = problem(r, 422).await;
        assert_eq!(p["code"], "geo.outside_jurisdiction");
        assert_eq!(p["field"], "lon");
        // …in another township…
        let admin_b = app.session("admin2").await;
        let ((blon, blat), _) = first_grid(&app, &admin_b, B).await;
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/cameras",
                Some(json!({"code": "CAM-B", "name": "邻镇", "township": A, "lon": blon, "lat": blat, "location": "邻镇"})))
            .await;
        assert_eq!(problem(r, 422).await["code"], "camera.outside_township");
        // …or in a township the caller does not administer
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/cameras",
                Some(json!({"code": "CAM-B", "name": "邻镇", "township": B, "lon": blon, "lat": blat, "location": "邻镇"})))
            .await;
        assert_eq!(problem(r, 403).await["code"], "access.out_of_jurisdiction");
        assert_eq!(
            camera_count(&app, &dispatcher).await,
            n,
            "no camera registered"
        );

        // and the channel still works afterwards
        let r = alert(&app, &token, &secret, good("evt-9")).await;
        assert_eq!(r.status(), 201);
    }
}

store::both_databases!(crate::cases =>
    a_signed_alert_becomes_one_camera_report_with_its_snapshot,
    every_refusal_is_clear_and_stores_nothing,
);
