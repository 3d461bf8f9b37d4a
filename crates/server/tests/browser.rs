//! Pages in a real headless Chromium (Debian's `chromium`): the DOM after
//! scripts ran, and screenshots kept under target/screenshots/.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use store::testing::TestDb;

fn chromium() -> String {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "headless Chromium is needed for page tests: install Debian's `chromium` (make test does) or set CHROMIUM"
    );
    path
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run Chromium headless on a URL: the DOM after `budget_ms` of virtual
/// time, and a screenshot.
fn browse(url: &str, shot: &str, budget_ms: u32) -> String {
    let profile = tempfile::tempdir().unwrap();
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=1280,900",
    ];
    let budget = format!("--virtual-time-budget={budget_ms}");
    let user = format!("--user-data-dir={}", profile.path().display());
    let out = Command::new(chromium())
        .args(common)
        .args([&budget, &user, "--dump-dom", url])
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = screenshot_dir().join(shot);
    let status = Command::new(chromium())
        .args(common)
        .args([
            &budget,
            &user,
            &format!("--screenshot={}", path.display()),
            url,
        ])
        .output()
        .expect("run chromium");
    assert!(status.status.success());
    assert!(
        std::fs::metadata(&path)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "screenshot {shot} written"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_shell_renders_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let url = app.url("/?lang=zh");
    let dom = tokio::task::spawn_blocking(move || browse(&url, "home-zh.png", 2000))
        .await
        .unwrap();
    assert!(dom.contains("宁陵县"), "{dom}");
    assert!(dom.contains("data-count=\"townships\">14<"), "{dom}");
    assert!(
        dom.contains("指挥中心") && dom.contains("权责清单"),
        "navigation is there"
    );
    let url = app.url("/?lang=en");
    let dom = tokio::task::spawn_blocking(move || browse(&url, "home-en.png", 2000))
        .await
        .unwrap();
    assert!(
        dom.contains("Zhanggong Town") && dom.contains("Command centre"),
        "{dom}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_reference_renders_offline_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(&db).await;
    let url = app.url("/api/docs");
    let dom = tokio::task::spawn_blocking(move || browse(&url, "api-docs.png", 8000))
        .await
        .unwrap();
    // Only the script renders these: the static page holds neither.
    assert!(
        dom.contains("yiwang 一网 API"),
        "title rendered by the reference script"
    );
    assert!(
        dom.contains("/readyz") && dom.contains("/api/v1/version"),
        "operations rendered"
    );
}

/// A minimal W3C WebDriver client for Debian's chromedriver.
struct Driver {
    child: std::process::Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Driver {
    async fn start() -> Driver {
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
        let v: serde_json::Value = http
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
            base,
            session,
            http,
        }
    }

    async fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut r = self.http.request(method, url);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.unwrap().json().await.unwrap()
    }

    async fn go(&self, url: &str) {
        self.cmd(
            reqwest::Method::POST,
            "/url",
            Some(serde_json::json!({"url": url})),
        )
        .await;
    }

    async fn find(&self, css: &str) -> String {
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

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(serde_json::json!({"text": text})),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(serde_json::json!({})),
        )
        .await;
    }

    /// Wait until the URL satisfies `ok` (navigation after a click).
    async fn wait_url(&self, ok: impl Fn(&str) -> bool) -> String {
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

    async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", None).await["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    async fn current_url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None).await["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    async fn screenshot(&self, name: &str) {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap())
            .unwrap();
        assert!(png.len() > 10_000);
        std::fs::write(screenshot_dir().join(name), png).unwrap();
    }

    async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_administer_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let d = Driver::start().await;
    d.go(&app.url("/admin/users")).await;
    assert!(
        d.current_url().await.contains("/login?next="),
        "sent to the login page"
    );
    d.type_into("#username", "admin").await;
    d.type_into("#password", "demo12345").await;
    d.click("#login-submit").await;
    let url = d.wait_url(|u| u.ends_with("/admin/users")).await;
    assert!(url.ends_with("/admin/users"), "{url}: {}", d.source().await);
    let html = d.source().await;
    assert!(
        html.contains("dispatcher") && html.contains("系统管理员"),
        "users listed"
    );
    d.screenshot("admin-users.png").await;
    // create a user through the form
    d.type_into("#new-user input[name=username]", "chen.jing")
        .await;
    d.type_into("#new-user input[name=display_name]", "陈静")
        .await;
    d.type_into("#new-user input[name=password]", "pass12345")
        .await;
    d.click("#new-user button[type=submit]").await;
    d.wait_url(|u| u.contains("/admin/users/")).await;
    let html = d.source().await;
    assert!(
        html.contains("用户已创建") && html.contains("chen.jing"),
        "created through the form"
    );
    d.go(&app.url("/org")).await;
    let html = d.source().await;
    assert!(
        html.contains("城关回族镇综合行政执法大队"),
        "own township's brigade"
    );
    d.screenshot("org-zh.png").await;
    d.go(&app.url("/admin/audit")).await;
    assert!(d.source().await.contains("user.create"));
    d.screenshot("admin-audit.png").await;
    d.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_power_item_page_renders_with_its_flowchart() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let list: serde_json::Value = app
        .get("/api/v1/power-items?q=秸秆")
        .await
        .json()
        .await
        .unwrap();
    let code = list["items"][0]["code"]
        .as_str()
        .expect("a straw-burning item")
        .to_string();
    let d = Driver::start().await;
    d.go(&app.url(&format!("/power-list/{code}"))).await;
    let html = d.source().await;
    assert!(
        html.contains("法律依据") && html.contains("办理流程"),
        "item page"
    );
    // The flowchart image really loaded and has a size.
    let v = d
        .cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(serde_json::json!({"script": "const i = document.getElementById('flowchart'); return [i.complete, i.naturalWidth, i.naturalHeight];", "args": []})),
        )
        .await;
    let dims = v["value"].as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(dims[0], true, "loaded");
    assert!(
        dims[1].as_i64().unwrap() >= 500 && dims[2].as_i64().unwrap() > 400,
        "{dims:?}"
    );
    d.screenshot("power-item.png").await;
    d.go(&app.url("/power-list?q=占道经营")).await;
    assert!(d.source().await.contains("<mark>"));
    d.screenshot("power-list-search.png").await;
    d.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn power_list_searches_as_you_type_and_shows_history_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let d = Driver::start().await;
    d.go(&app.url("/power-list")).await;
    let exec = async |script: &str| -> serde_json::Value {
        d.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(serde_json::json!({"script": script, "args": []})),
        )
        .await["value"]
            .clone()
    };
    // A marker that a reload would wipe out.
    exec("window.__stay = 1; return 1;").await;
    d.type_into("#q", "秸秆").await;
    let mut first = String::new();
    for _ in 0..100 {
        first = exec(
            "const a = document.querySelector('#items tbody tr a'); return a ? a.innerHTML : '';",
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_string();
        if first.contains("<mark>秸秆</mark>") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        first.contains("<mark>秸秆</mark>"),
        "results while typing: {first}; input {:?}, status {:?}, scripts {:?}",
        exec("return document.getElementById('q').value;").await,
        exec("return document.getElementById('search-status').textContent;").await,
        exec("return Array.from(document.scripts).map(s => s.src);").await
    );
    assert_eq!(
        exec("return window.__stay || 0;").await,
        1,
        "no page reload"
    );
    assert!(
        d.current_url().await.contains("q="),
        "the address keeps the query"
    );
    d.screenshot("power-list-typing.png").await;

    // Edit an item, then read its history and the diff in the browser.
    let county = app.session("countyadmin").await;
    let code = first_code(&app, "秸秆").await;
    let mut item: serde_json::Value = app
        .get(&format!("/api/v1/power-items/{code}"))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["item"]
        .clone();
    item["supervision"] = serde_json::json!("双随机抽查，每季度一次");
    let r = app
        .send_as(
            &county,
            reqwest::Method::PUT,
            &format!("/api/v1/power-items/{code}"),
            Some(serde_json::json!({"item": item, "reason": "调整监督方式"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    d.go(&app.url(&format!("/power-list/{code}"))).await;
    d.click("#history-link").await;
    d.wait_url(|u| u.contains("/history")).await;
    let html = d.source().await;
    assert!(html.contains("调整监督方式"), "the reason of the edit");
    assert!(
        html.contains("id=\"diff\"") && html.contains("双随机抽查，每季度一次"),
        "the diff shows the new text"
    );
    d.screenshot("power-item-history.png").await;
    d.quit().await;
}

async fn first_code(app: &TestApp, q: &str) -> String {
    let v: serde_json::Value = app
        .get(&format!("/api/v1/power-items?q={q}"))
        .await
        .json()
        .await
        .unwrap();
    v["items"][0]["code"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn power_list_import_shows_progress_and_bad_rows_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let csv = app
        .get("/api/v1/power-items/export?format=csv")
        .await
        .text()
        .await
        .unwrap();
    let broken = csv.replacen("行政处罚", "行政许可审批", 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("list.csv");
    std::fs::write(&file, broken).unwrap();

    let d = Driver::start().await;
    d.go(&app.url("/admin/power-list")).await;
    d.type_into("#username", "countyadmin").await;
    d.type_into("#password", "demo12345").await;
    d.click("#login-submit").await;
    d.wait_url(|u| u.ends_with("/admin/power-list")).await;
    d.type_into("#import-file", &file.display().to_string())
        .await;
    d.click("#import-form button[type=submit]").await;
    let mut status = String::new();
    for _ in 0..100 {
        let v = d
            .cmd(reqwest::Method::POST, "/execute/sync", Some(serde_json::json!({
                "script": "return [document.getElementById('import-status').textContent, document.getElementById('import-progress').value, (document.getElementById('import-errors')||{textContent:''}).textContent];",
                "args": []})))
            .await;
        status = v["value"].to_string();
        if v["value"][0].as_str().is_some_and(|s| !s.is_empty()) {
            assert_eq!(v["value"][1], 100, "progress complete: {v}");
            assert!(
                v["value"][2].as_str().unwrap().contains("未知事项类型"),
                "the bad row is listed: {v}"
            );
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        status.contains("1 处问题") || status.contains("1 problems"),
        "{status}"
    );
    d.screenshot("power-list-import.png").await;
    d.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_page_renders_the_demo_grids_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    // What the same user may see through the API.
    let officer = app.session("officer").await;
    let fc: serde_json::Value = app
        .get_as(&officer, "/api/v1/grids?format=geojson")
        .await
        .json()
        .await
        .unwrap();
    let features = fc["features"].as_array().expect("a FeatureCollection");
    assert!(!features.is_empty(), "the demo officer sees grids");

    let d = Driver::start().await;
    let exec = async |script: &str| -> serde_json::Value {
        d.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(serde_json::json!({"script": script, "args": []})),
        )
        .await["value"]
            .clone()
    };
    let count = async |css: &str| -> usize {
        exec(&format!(
            "return document.querySelectorAll('{css}').length;"
        ))
        .await
        .as_u64()
        .unwrap_or(0) as usize
    };
    // Logged out: township outlines and a prompt to log in, no grids.
    d.go(&app.url("/map")).await;
    let html = d.source().await;
    assert!(html.contains("id=\"map-login\""), "login prompt");
    for _ in 0..100 {
        if count("path.township").await > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(count("path.township").await > 0, "public township outlines");
    assert_eq!(count("path.grid").await, 0, "no grids without a login");
    d.screenshot("map-public.png").await;
    d.click("#map-login a").await;
    d.wait_url(|u| u.contains("/login?next=")).await;
    d.type_into("#username", "officer").await;
    d.type_into("#password", "demo12345").await;
    d.click("#login-submit").await;
    let url = d.wait_url(|u| u.ends_with("/map")).await;
    assert!(url.ends_with("/map"), "{url}: {}", d.source().await);

    let mut drawn = 0;
    for _ in 0..100 {
        drawn = count("path.grid").await;
        if drawn == features.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        drawn,
        features.len(),
        "every grid drawn; status {:?}",
        exec("return document.getElementById('map-status').textContent;").await
    );
    assert!(drawn > 0);
    assert!(count("path.township").await > 0, "township outlines");
    let status = exec("return document.getElementById('map-status').textContent;").await;
    assert!(
        status
            .as_str()
            .is_some_and(|s| s.contains(&features.len().to_string())),
        "{status}"
    );
    assert!(count("#map-legend li").await > 0, "legend lists the squads");

    // Click a grid: its popup names the officer responsible for it.
    let code = exec(
        "const p = document.querySelector('path.grid'); const r = p.getBoundingClientRect(); \
         p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2})); \
         return p.getAttribute('data-code');",
    )
    .await;
    let code = code.as_str().expect("grid paths carry their code");
    let feature = features
        .iter()
        .find(|f| f["properties"]["code"] == code)
        .unwrap_or_else(|| panic!("grid {code} is in the API answer"));
    let officer_name = feature["properties"]["officer"]["name"]
        .as_str()
        .unwrap_or_else(|| panic!("the demo grid {code} has an officer: {feature}"));
    let mut popup = String::new();
    for _ in 0..50 {
        popup = exec(
            "const p = document.querySelector('.leaflet-popup'); \
             return p && getComputedStyle(p).opacity === '1' ? p.textContent : '';",
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_string();
        if !popup.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        popup.contains(officer_name) && popup.contains("执法队员"),
        "popup {popup:?} names {officer_name}"
    );
    assert_eq!(
        exec(
            "return performance.getEntriesByType('resource').every(e => e.name.startsWith(location.origin));"
        )
        .await,
        true,
        "no request to another origin: {}",
        exec("return performance.getEntriesByType('resource').map(e => e.name);").await
    );
    d.screenshot("map.png").await;

    // The township filter: another township's grids are not the officer's.
    let own = features[0]["properties"]["township"].as_str().unwrap();
    let other = exec(&format!(
        "return Array.from(document.querySelectorAll('#map-township option')).map(o => o.value).find(v => v && v !== '{own}');"
    ))
    .await;
    let other = other.as_str().expect("more than one township to choose");
    exec(&format!(
        "const s = document.getElementById('map-township'); s.value = '{other}'; s.dispatchEvent(new Event('change')); return 1;"
    ))
    .await;
    assert_eq!(
        count("path.grid").await,
        0,
        "only the chosen township's grids"
    );
    exec(&format!(
        "const s = document.getElementById('map-township'); s.value = '{own}'; s.dispatchEvent(new Event('change')); return 1;"
    ))
    .await;
    let own_n = features
        .iter()
        .filter(|f| f["properties"]["township"] == own)
        .count();
    assert_eq!(count("path.grid").await, own_n);

    // In English.
    d.go(&app.url("/map?lang=en")).await;
    let mut status = String::new();
    for _ in 0..100 {
        status = exec("return document.getElementById('map-status').textContent;")
            .await
            .as_str()
            .unwrap_or("")
            .to_string();
        if status.starts_with("Showing") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        status == format!("Showing {} grids", features.len()),
        "{status}"
    );
    d.screenshot("map-en.png").await;
    d.quit().await;
}

/// A member of the public files a complaint on the portal page, keeps the
/// tracking code, and sees it closed there once the command centre has
/// run the closed loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_complaint_from_the_portal_to_closure_by_tracking_code_in_chromium() {
    use serde_json::{Value, json};
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let dispatcher = app.session("dispatcher").await;
    let fc: Value = app
        .get_as(
            &dispatcher,
            "/api/v1/grids?format=geojson&township=411423100",
        )
        .await
        .json()
        .await
        .unwrap();
    let ring = fc["features"][0]["geometry"]["coordinates"][0]
        .as_array()
        .unwrap()
        .clone();
    let n = (ring.len() - 1) as f64;
    let avg = |k: usize| {
        ring[..ring.len() - 1]
            .iter()
            .map(|p| p[k].as_f64().unwrap())
            .sum::<f64>()
            / n
    };
    let d = Driver::start().await;
    let exec = async |script: &str| -> Value {
        d.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await["value"]
            .clone()
    };
    d.go(&app.url("/portal/complaint")).await;
    d.type_into(
        "#c-description",
        "幸福路菜市场门口有摊贩占道经营，早高峰堵塞通行",
    )
    .await;
    d.type_into("#c-lon", &format!("{:.6}", avg(0))).await;
    d.type_into("#c-lat", &format!("{:.6}", avg(1))).await;
    d.screenshot("portal-complaint-form.png").await;
    d.click("#c-submit").await;
    let mut code = String::new();
    for _ in 0..100 {
        code = exec("return document.getElementById('c-code').textContent;")
            .await
            .as_str()
            .unwrap_or("")
            .to_string();
        if !code.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        code.starts_with("YW"),
        "a tracking code on the page: {:?}",
        exec("return document.getElementById('c-error').textContent;").await
    );
    d.screenshot("portal-complaint-code.png").await;

    // The command centre runs the closed loop.
    let officer = app.session("officer").await;
    let gridworker = app.session("gridworker").await;
    let queue: Value = app
        .get_as(&dispatcher, "/api/v1/reports?status=received&per_page=100")
        .await
        .json()
        .await
        .unwrap();
    let id = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["channel"] == "citizen")
        .expect("the complaint is in the queue")["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (who, body) in [
        (&dispatcher, json!({"action": "dispatch"})),
        (&officer, json!({"action": "accept"})),
        (&officer, json!({"action": "start"})),
        (
            &officer,
            json!({"action": "report_back", "note": "已劝离摊贩"}),
        ),
        (&gridworker, json!({"action": "verify", "passed": true})),
        (&dispatcher, json!({"action": "close"})),
    ] {
        let r = app
            .send_as(
                who,
                reqwest::Method::POST,
                &format!("/api/v1/reports/{id}/actions"),
                Some(body.clone()),
            )
            .await;
        assert!(r.status().is_success(), "{body}: {}", r.status());
    }

    // Later, on another visit: the code shows the closure.
    d.go(&app.url(&format!("/portal/complaint?code={code}")))
        .await;
    let mut status = String::new();
    for _ in 0..100 {
        status =
            exec("const s = document.getElementById('t-status'); return s ? s.textContent : '';")
                .await
                .as_str()
                .unwrap_or("")
                .to_string();
        if !status.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "已结案");
    let steps = exec("return document.querySelector('#t-result .steps').textContent;").await;
    assert!(
        steps.as_str().unwrap_or("").contains("已现场核查"),
        "{steps}"
    );
    d.screenshot("portal-complaint-closed.png").await;
    d.quit().await;
}
