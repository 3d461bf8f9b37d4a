//! Driving Debian's headless Chromium through chromedriver (W3C WebDriver)
//! for the page tests: a minimal client, page scripts and waits, a phone's
//! window and location, logging in through the form, and screenshots kept
//! under target/screenshots/.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::{Session, TestApp};

/// The Chromium binary (`CHROMIUM`, else Debian's).
pub fn chromium() -> String {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "headless Chromium is needed for page tests: install Debian's `chromium` (make test does) or set CHROMIUM"
    );
    path
}

/// Where screenshots are kept: target/screenshots/.
pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A minimal W3C WebDriver client for Debian's chromedriver.
pub struct Driver {
    child: std::process::Child,
    port: u16,
    base: String,
    session: String,
    http: reqwest::Client,
    /// The session was ended by [`Driver::quit`].
    ended: bool,
}

pub const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Driver {
    pub async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        assert!(
            std::path::Path::new(&driver).exists(),
            "chromedriver is needed: install Debian's chromium-driver (make test does)"
        );
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap().keep();
        let caps = serde_json::json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium(),
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900",
                     "--lang=zh-CN", format!("--user-data-dir={}", profile.display())]
        }}}});
        let v: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("webdriver session: {v}"))
            .to_string();
        Driver {
            child,
            port,
            base,
            session,
            http,
            ended: false,
        }
    }

    pub async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut r = self.http.request(method, url);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.unwrap().json().await.unwrap()
    }

    pub async fn go(&self, url: &str) {
        self.cmd(
            reqwest::Method::POST,
            "/url",
            Some(serde_json::json!({"url": url})),
        )
        .await;
    }

    pub async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(serde_json::json!({"using": "css selector", "value": css})),
            )
            .await;
        v["value"][ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(serde_json::json!({"text": text})),
        )
        .await;
    }

    /// Empty a field (before typing into one that came filled in).
    pub async fn clear(&self, css: &str) {
        let el = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/clear"),
            Some(serde_json::json!({})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(serde_json::json!({})),
        )
        .await;
    }

    /// Wait until the URL satisfies `ok` (navigation after a click).
    pub async fn wait_url(&self, ok: impl Fn(&str) -> bool) -> String {
        let mut url = String::new();
        for _ in 0..100 {
            url = self.current_url().await;
            if ok(&url) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        url
    }

    pub async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", None).await["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn current_url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None).await["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn screenshot(&self, name: &str) {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap())
            .unwrap();
        assert!(png.len() > 10_000);
        std::fs::write(screenshot_dir().join(name), png).unwrap();
    }

    pub async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        self.ended = true;
    }
}

impl Drop for Driver {
    /// A test that failed half-way still ends its browser: the session is
    /// deleted (a plain blocking HTTP request to chromedriver), then the
    /// driver is stopped.
    fn drop(&mut self) {
        if !self.ended {
            use std::io::{Read, Write};
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
            let timeout = std::time::Duration::from_secs(5);
            if let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, timeout) {
                let _ = s.set_read_timeout(Some(timeout));
                let _ = write!(
                    s,
                    "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                    self.session, self.port
                );
                let _ = s.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run a script in the page; its value.
pub async fn run_js(d: &Driver, script: &str) -> Value {
    d.cmd(
        reqwest::Method::POST,
        "/execute/sync",
        Some(serde_json::json!({"script": script, "args": []})),
    )
    .await["value"]
        .clone()
}

/// Poll a script until its value is truthy (not null, false, 0 or ""),
/// for at most `ms`; that value, or a panic naming `what`.
pub async fn wait_js(d: &Driver, script: &str, what: &str, ms: u64) -> Value {
    let start = std::time::Instant::now();
    let mut v = Value::Null;
    while start.elapsed() < std::time::Duration::from_millis(ms) {
        v = run_js(d, script).await;
        let truthy = match &v {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::String(s) => !s.is_empty(),
            _ => true,
        };
        if truthy {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "{what}: not within {ms} ms (last {v}); page: {}",
        d.source().await
    )
}

/// A DevTools command in the driven browser.
pub async fn devtools(d: &Driver, cmd: &str, params: Value) {
    let v = d
        .cmd(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(serde_json::json!({"cmd": cmd, "params": params})),
        )
        .await;
    assert!(v["value"].is_object(), "{cmd}: {v}");
}

/// Make the browser a phone (390×844 CSS pixels, touch, mobile layout)
/// standing at `lon`, `lat` (WGS84, as a phone's GPS reports), with the
/// site allowed to read the location.
pub async fn as_phone(d: &Driver, app: &TestApp, lon: f64, lat: f64) {
    devtools(
        d,
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
    )
    .await;
    devtools(
        d,
        "Emulation.setTouchEmulationEnabled",
        serde_json::json!({"enabled": true, "maxTouchPoints": 5}),
    )
    .await;
    devtools(
        d,
        "Browser.grantPermissions",
        serde_json::json!({"permissions": ["geolocation"], "origin": app.base}),
    )
    .await;
    devtools(
        d,
        "Emulation.setGeolocationOverride",
        serde_json::json!({"longitude": lon, "latitude": lat, "accuracy": 8}),
    )
    .await;
}

/// Cut the browser's network (chromedriver's network emulation: requests
/// fail, `navigator.onLine` turns false, `offline`/`online` events fire).
pub async fn set_offline(d: &Driver, offline: bool) {
    let v = d
        .cmd(
            reqwest::Method::POST,
            "/chromium/network_conditions",
            Some(serde_json::json!({"network_conditions": {
                "offline": offline, "latency": 0, "download_throughput": -1, "upload_throughput": -1}})),
        )
        .await;
    assert!(v["value"].is_null(), "network conditions: {v}");
}

/// Log a demo account in through the login form, landing on `next`.
pub async fn log_in_at(d: &Driver, app: &TestApp, user: &str, next: &str) {
    log_in_with(d, app, user, demo::DEMO_PASSWORD, next).await
}

/// Log in through the login form with a password, landing on `next`.
pub async fn log_in_with(d: &Driver, app: &TestApp, user: &str, password: &str, next: &str) {
    d.go(&app.url(&format!("/login?next={}", next.replace('/', "%2F"))))
        .await;
    d.type_into("#username", user).await;
    d.type_into("#password", password).await;
    d.click("#login-submit").await;
    let url = d.wait_url(|u| u.ends_with(next)).await;
    assert!(url.ends_with(next), "{user} at {url}: {}", d.source().await);
}

/// A point well inside the demo grid worker's own grid — the first grid of
/// township A by code, which the demo's grid worker and officer hold — to
/// six decimals, as the phone page shows it; and the locate API's answer.
pub async fn own_grid_point(app: &TestApp, s: &Session) -> (f64, f64, Value) {
    let fc: Value = app
        .get_as(s, "/api/v1/grids?format=geojson&township=411423100")
        .await
        .json()
        .await
        .unwrap();
    let f = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .min_by_key(|f| f["properties"]["code"].as_str().unwrap().to_string())
        .expect("township A has grids");
    let code = f["properties"]["code"].as_str().unwrap();
    let g = &f["geometry"];
    let ring = if g["type"] == "MultiPolygon" {
        &g["coordinates"][0][0]
    } else {
        &g["coordinates"][0]
    };
    let ring: Vec<(f64, f64)> = ring
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    let n = (ring.len() - 1) as f64;
    let c = ring[..ring.len() - 1]
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let round = |v: f64| (v * 1e6).round() / 1e6;
    let candidates =
        std::iter::once(c).chain(ring.iter().map(|p| ((c.0 + p.0) / 2.0, (c.1 + p.1) / 2.0)));
    for (lon, lat) in candidates {
        let (lon, lat) = (round(lon), round(lat));
        let v: Value = app
            .get_as(s, &format!("/api/v1/locate?lon={lon}&lat={lat}&crs=wgs84"))
            .await
            .json()
            .await
            .unwrap();
        if v["grid"]["code"] == code && v["snapped"] == false {
            return (lon, lat, v);
        }
    }
    panic!("no point found inside grid {code}")
}

/// The grid-worker reports whose description is exactly `text`, as the
/// county supervisor sees them through the API.
pub async fn reports_described(app: &TestApp, text: &str) -> Vec<Value> {
    let s = app.session("supervisor").await;
    let v: Value = app
        .get_as(&s, "/api/v1/reports?channel=grid_worker&per_page=500")
        .await
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .filter(|r| r["description"] == text)
        .cloned()
        .collect()
}
