//! `spawn_app()`: the real application on port 0 against a real database.

#![allow(dead_code)]

use server::{Application, Settings};
use store::testing::TestDb;

pub mod case_kit;
pub mod webdriver;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// POST headers that declare `length` body bytes and send none, then read
    /// the whole answer. A server that refuses by the declared length answers
    /// at once; a client that wrote the body could instead meet a closed socket.
    pub async fn post_declaring(&self, path: &str, headers: &str, length: u64) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = self.base.trim_start_matches("http://").to_string();
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Length: {length}\r\nConnection: close\r\n\r\n"
        );
        tokio::time::timeout(std::time::Duration::from_secs(20), async move {
            let mut s = tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connect");
            s.write_all(req.as_bytes()).await.expect("write headers");
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf).await;
            String::from_utf8_lossy(&buf).to_string()
        })
        .await
        .expect("an answer within 20 s")
    }

    pub async fn get_en(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("Accept-Language", "en-US,en;q=0.9")
            .send()
            .await
            .expect("request")
    }
}

pub fn test_settings(db: &TestDb) -> Settings {
    Settings {
        listen: "127.0.0.1:0".into(),
        data: db.dir.path().to_path_buf(),
        database_url: db.config.database_url.clone(),
        ..Settings::default()
    }
}

/// Start the app on the test database, in the background.
pub async fn spawn_app(db: &TestDb) -> TestApp {
    spawn_with(test_settings(db), db.store.clone()).await
}

pub async fn spawn_with(settings: Settings, store: store::Store) -> TestApp {
    let app = Application::build_with_store(settings, store)
        .await
        .expect("build app");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        base,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

/// The demo county on the test database, then the app.
pub async fn spawn_demo(db: &TestDb) -> TestApp {
    let key = store::audit::load_or_create_key(db.dir.path(), None).expect("audit key");
    demo::seed(&db.store, &key).await.expect("seed demo");
    spawn_app(db).await
}

/// Assert a problem+json response and return its body.
pub async fn problem(resp: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(resp.status().as_u16(), status, "status");
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(ct, "application/problem+json");
    let rid = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body: serde_json::Value = resp.json().await.expect("json body");
    assert_eq!(body["status"], status);
    assert!(body["code"].as_str().is_some_and(|c| !c.is_empty()));
    assert!(body["message_zh"].as_str().is_some_and(|c| !c.is_empty()));
    assert!(body["message_en"].as_str().is_some_and(|c| !c.is_empty()));
    assert_eq!(
        body["request_id"].as_str(),
        rid.as_deref(),
        "request id echoed"
    );
    body
}

/// A logged-in demo user.
pub struct Session {
    pub token: String,
    pub csrf: String,
}

impl TestApp {
    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request")
    }

    /// Log in a demo account (password `demo12345`).
    pub async fn session(&self, username: &str) -> Session {
        let r = self.login(username, demo::DEMO_PASSWORD).await;
        assert_eq!(r.status(), 200, "login {username}");
        let body: serde_json::Value = r.json().await.unwrap();
        Session {
            token: body["token"].as_str().unwrap().to_string(),
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
        }
    }

    pub async fn get_as(&self, s: &Session, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&s.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn send_as(
        &self,
        s: &Session,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut r = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&s.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.expect("request")
    }
}

/// A point well inside a grid's outer ring: the average of its vertices
/// (demo grids are convex), in WGS84.
pub fn inside(feature: &serde_json::Value) -> (f64, f64) {
    let g = &feature["geometry"];
    let ring = if g["type"] == "MultiPolygon" {
        &g["coordinates"][0][0]
    } else {
        &g["coordinates"][0]
    };
    let pts = ring.as_array().expect("a ring");
    let pts = &pts[..pts.len() - 1];
    let n = pts.len() as f64;
    let sum = |k: usize| pts.iter().map(|p| p[k].as_f64().unwrap()).sum::<f64>();
    (sum(0) / n, sum(1) / n)
}

/// The grids of a township as GeoJSON features, as `s` sees them.
pub async fn grids_of(app: &TestApp, s: &Session, township: &str) -> Vec<serde_json::Value> {
    let r = app
        .get_as(
            s,
            &format!("/api/v1/grids?format=geojson&township={township}"),
        )
        .await;
    assert!(
        r.status().is_success(),
        "grids of {township}: {}",
        r.status()
    );
    let fc: serde_json::Value = r.json().await.unwrap();
    fc["features"].as_array().cloned().unwrap_or_default()
}

/// A point inside a township's `nth` grid, and the grid's code.
pub async fn grid_point(
    app: &TestApp,
    s: &Session,
    township: &str,
    nth: usize,
) -> ((f64, f64), String) {
    let grids = grids_of(app, s, township).await;
    let f = &grids[nth];
    (
        inside(f),
        f["properties"]["code"].as_str().unwrap().to_string(),
    )
}
