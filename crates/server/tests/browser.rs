//! Pages in a real headless Chromium (Debian's `chromium`): the DOM after
//! scripts ran, and screenshots kept under target/screenshots/.

mod common;

use std::process::Command;

use common::webdriver::*;
use common::*;
use store::testing::TestDb;

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
/// tracking code, follows each step of the closed loop there (a screenshot
/// of each), and sees it closed once the command centre has run it.
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
    // the receipt shows where the complaint stands at once
    wait_js(
        &d,
        "const s = document.getElementById('t-status'); return s && s.textContent === '已受理';",
        "the new complaint received",
        5_000,
    )
    .await;
    d.screenshot("portal-complaint-code.png").await;

    // The command centre runs the closed loop; after each step the
    // tracking page shows where the complaint stands.
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
    for (n, (who, body, shown)) in [
        (&dispatcher, json!({"action": "dispatch"}), "已派遣"),
        (&officer, json!({"action": "accept"}), "已接收"),
        (&officer, json!({"action": "start"}), "处置中"),
        (
            &officer,
            json!({"action": "report_back", "note": "已劝离摊贩"}),
            "已反馈",
        ),
        (
            &gridworker,
            json!({"action": "verify", "passed": true}),
            "已核查",
        ),
        (&dispatcher, json!({"action": "close"}), "已结案"),
    ]
    .into_iter()
    .enumerate()
    {
        let r = app
            .send_as(
                who,
                reqwest::Method::POST,
                &format!("/api/v1/reports/{id}/actions"),
                Some(body.clone()),
            )
            .await;
        assert!(r.status().is_success(), "{body}: {}", r.status());
        if shown == "已结案" {
            break; // the closure is looked up "later", below
        }
        d.go(&app.url(&format!("/portal/complaint?code={code}")))
            .await;
        wait_js(
            &d,
            &format!(
                "const s = document.getElementById('t-status'); return s && s.textContent === '{shown}';"
            ),
            &format!("the tracking page after {body}"),
            5_000,
        )
        .await;
        let action = body["action"].as_str().unwrap();
        d.screenshot(&format!("portal-complaint-step{}-{action}.png", n + 1))
            .await;
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

// ---- the one net in the browser: field report, live queue, tasks ----

/// The public portal without login: each township's power list, the
/// published decisions (none yet: an empty state that says so), the status
/// lookup by tracking code; in Chinese and in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_portal_leads_to_power_lists_decisions_and_tracking_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let d = Driver::start().await;
    d.go(&app.url("/portal?lang=zh")).await;
    let html = d.source().await;
    assert!(
        html.contains("政务公开") && html.contains("城关回族镇"),
        "{html}"
    );
    assert!(html.contains("暂无公示的处罚决定"), "{html}");
    d.screenshot("portal-zh.png").await;
    d.click("ul.townships a").await;
    let url = d.wait_url(|u| u.contains("/power-list?township=")).await;
    assert!(url.contains("/power-list?township=411423"), "{url}");
    assert!(d.source().await.contains("id=\"items\""));
    d.go(&app.url("/portal/decisions")).await;
    assert!(d.source().await.contains("暂无公示的处罚决定"));
    d.screenshot("portal-decisions-empty.png").await;
    d.go(&app.url("/portal")).await;
    d.type_into("input[name=code]", "YW0000000000").await;
    d.click("form.filters button").await;
    let url = d.wait_url(|u| u.contains("/portal/complaint?code=")).await;
    assert!(url.ends_with("code=YW0000000000"), "{url}");
    d.go(&app.url("/portal?lang=en")).await;
    let html = d.source().await;
    assert!(
        html.contains("Public portal") && html.contains("No decision has been published yet."),
        "{html}"
    );
    d.screenshot("portal-en.png").await;
    d.quit().await;
}

/// A 1×1 PNG, as a phone's photo stands in.
fn tiny_png() -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap()
}

/// The Show of issue 6: a grid worker reports from a phone-sized window; the
/// dispatcher's live queue shows it without a reload; the dispatcher
/// dispatches it; the officer finds it in their tasks, accepts it, and the
/// queue and the grid worker's list follow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_net_grid_worker_reports_from_a_phone_and_the_dispatcher_sees_it_live_in_chromium() {
    use serde_json::json;
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let gw = app.session("gridworker").await;
    let (lon, lat, place) = own_grid_point(&app, &gw).await;
    let officer_id = place["officer"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the grid has an officer: {place}"))
        .to_string();

    // The dispatcher opens the command centre: the queue is live.
    let desk = Driver::start().await;
    log_in_at(&desk, &app, "dispatcher", "/command").await;
    wait_js(
        &desk,
        "const l = document.getElementById('q-live'); \
         return !l.classList.contains('off') && document.getElementById('q-total').textContent;",
        "the queue loaded and is live",
        10_000,
    )
    .await;
    assert!(
        !run_js(&desk, "return document.getElementById('q-empty').hidden;")
            .await
            .as_bool()
            .unwrap(),
        "no reports yet: the empty state"
    );
    // A marker that a reload would wipe out.
    run_js(&desk, "window.__stay = 1; return 1;").await;
    desk.screenshot("command-empty.png").await;

    // The grid worker, on a phone in their grid.
    let phone = Driver::start().await;
    as_phone(&phone, &app, lon, lat).await;
    log_in_at(&phone, &app, "gridworker", "/m/report").await;
    assert_eq!(
        run_js(&phone, "return [window.innerWidth, window.innerHeight];").await,
        json!([390, 844]),
        "a phone-sized window"
    );
    let description = "幸福路菜市场门口有摊贩占道经营，早高峰堵塞通行（网格巡查）";
    phone.type_into("#m-description", description).await;
    let item = run_js(
        &phone,
        "const o = Array.from(document.querySelectorAll('#m-item option')).find(o => o.textContent.includes('占道')); \
         if (!o) return ''; document.getElementById('m-item').value = o.value; return o.value;",
    )
    .await;
    phone.click("#m-locate").await;
    let shown = wait_js(
        &phone,
        "const lon = document.getElementById('m-lon').value; \
         return lon ? [lon, document.getElementById('m-lat').value] : null;",
        "the location from the phone",
        10_000,
    )
    .await;
    assert_eq!(shown, json!([format!("{lon:.6}"), format!("{lat:.6}")]));
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("scene.png");
    std::fs::write(&photo, tiny_png()).unwrap();
    phone
        .type_into("#m-photo", &photo.display().to_string())
        .await;
    phone.screenshot("m-report-phone.png").await;
    phone.click("#m-submit").await;
    let result = wait_js(
        &phone,
        "const r = document.getElementById('m-result'); return r.hidden ? '' : r.textContent;",
        "the phone's answer",
        10_000,
    )
    .await;
    let sent = std::time::Instant::now();
    let place_name = place["grid"]["name"].as_str().unwrap();
    assert!(
        result.as_str().unwrap().contains("已上报")
            && result.as_str().unwrap().contains(place_name),
        "{result}: {:?}",
        run_js(
            &phone,
            "return document.getElementById('m-error').textContent;"
        )
        .await
    );
    phone.screenshot("m-report-sent.png").await;
    let found = reports_described(&app, description).await;
    assert_eq!(found.len(), 1, "one report");
    let report = &found[0];
    let id = report["id"].as_str().unwrap().to_string();
    assert_eq!(report["grid"], place["grid"]["code"], "located in the grid");
    assert_eq!(report["status"], "received");
    if let Some(code) = item.as_str().filter(|c| !c.is_empty()) {
        assert_eq!(report["item_code"], code, "the category chosen");
    }

    // The dispatcher's queue shows it without a reload, highlighted.
    let row = wait_js(
        &desk,
        &format!(
            "const tr = document.getElementById('r-{id}'); \
             return tr ? [tr.textContent, tr.classList.contains('fresh'), !!tr.querySelector('button.dispatch'), \
                          tr === document.querySelector('#queue-rows tr')] : null;"
        ),
        "the new report in the live queue",
        5_000,
    )
    .await;
    let appeared = sent.elapsed();
    let text = row[0].as_str().unwrap();
    assert!(
        text.contains(description) && text.contains("已受理"),
        "{text}"
    );
    assert_eq!(row[1], true, "highlighted as new");
    assert_eq!(row[2], true, "with a Dispatch button");
    assert_eq!(row[3], true, "newest first");
    assert!(
        appeared < std::time::Duration::from_secs(3),
        "live within seconds: {appeared:?}"
    );
    assert_eq!(
        run_js(&desk, "return window.__stay || 0;").await,
        1,
        "no page reload"
    );
    // the details follow: officer of the grid, deadline, counts
    wait_js(
        &desk,
        &format!(
            "const tr = document.getElementById('r-{id}'); \
             return tr.querySelector('td.deadline').textContent.trim() !== '—' && tr.querySelector('td.officer').textContent.trim() !== '—';"
        ),
        "the row's deadline and officer",
        5_000,
    )
    .await;
    wait_js(
        &desk,
        "return document.querySelector('#q-counts li[data-status=received] .n').textContent === '1';",
        "the count of received reports",
        5_000,
    )
    .await;
    desk.screenshot("command-live-row.png").await;

    // Dispatch from the row.
    desk.click(&format!("#r-{id} button.dispatch")).await;
    wait_js(
        &desk,
        &format!(
            "const b = document.querySelector('#r-{id} td.status .badge'); return b && b.textContent === '已派遣';"
        ),
        "dispatched in the queue",
        5_000,
    )
    .await;
    let r: serde_json::Value = app
        .get_as(&gw, &format!("/api/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "dispatched");
    assert_eq!(
        r["dispatched_to"], officer_id,
        "routed to the grid's officer (the demo officer)"
    );
    assert_eq!(
        r["attachments"].as_array().map(Vec::len),
        Some(1),
        "the photo"
    );
    desk.screenshot("command-dispatched.png").await;

    // The officer sees it in their tasks and accepts it.
    let field = Driver::start().await;
    log_in_at(&field, &app, "officer", "/tasks").await;
    let task = wait_js(
        &field,
        &format!(
            "const li = document.getElementById('task-{id}'); return li ? li.textContent : '';"
        ),
        "the task on the officer's page",
        5_000,
    )
    .await;
    assert!(
        task.as_str().unwrap().contains(description) && task.as_str().unwrap().contains("已派遣"),
        "{task}"
    );
    field.screenshot("tasks-officer.png").await;
    field
        .click(&format!("#task-{id} button[data-action=accept]"))
        .await;
    wait_js(
        &field,
        &format!(
            "const li = document.getElementById('task-{id}'); return li && li.dataset.status === 'accepted' && !!li.querySelector('button[data-action=start]');"
        ),
        "accepted, with the next step offered",
        5_000,
    )
    .await;
    field.screenshot("tasks-accepted.png").await;
    // … and the command centre follows, still without a reload.
    wait_js(
        &desk,
        &format!(
            "const b = document.querySelector('#r-{id} td.status .badge'); return b && b.textContent === '已接收';"
        ),
        "the acceptance in the queue",
        5_000,
    )
    .await;
    assert_eq!(run_js(&desk, "return window.__stay || 0;").await, 1);
    desk.screenshot("command-accepted.png").await;

    // The grid worker's recent reports show where it stands.
    phone.go(&app.url("/m/report")).await;
    wait_js(
        &phone,
        &format!(
            "const li = document.querySelector('#m-recent li[data-id=\"{id}\"]'); return li && li.dataset.status === 'accepted' && li.textContent.includes('已接收');"
        ),
        "the report in my recent reports",
        5_000,
    )
    .await;
    phone.screenshot("m-report-recent.png").await;

    // In English.
    desk.go(&app.url("/command?lang=en")).await;
    wait_js(
        &desk,
        &format!(
            "const b = document.querySelector('#r-{id} td.status .badge'); return b && b.textContent === 'Accepted' && document.getElementById('q-live').textContent === 'Live';"
        ),
        "the queue in English",
        5_000,
    )
    .await;
    desk.screenshot("command-en.png").await;
    field.go(&app.url("/tasks?lang=en")).await;
    wait_js(
        &field,
        &format!(
            "const li = document.getElementById('task-{id}'); return li && li.querySelector('button[data-action=start]').textContent === 'Start handling';"
        ),
        "the tasks in English",
        5_000,
    )
    .await;
    field.screenshot("tasks-en.png").await;
    phone.go(&app.url("/m/report?lang=en")).await;
    wait_js(
        &phone,
        "return document.getElementById('m-submit').textContent === 'Send report' && document.querySelectorAll('#m-recent li').length === 1;",
        "the field report in English",
        5_000,
    )
    .await;
    phone.screenshot("m-report-en.png").await;
    phone.quit().await;
    field.quit().await;
    desk.quit().await;
}

/// A report made on a phone without a connection waits in IndexedDB (its
/// photo as a Blob, its Idempotency-Key made once), is not sent while the
/// phone is offline, and is sent exactly once when the connection returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mobile_report_made_offline_is_sent_once_when_the_connection_returns_in_chromium() {
    use serde_json::json;
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let gw = app.session("gridworker").await;
    let (lon, lat, place) = own_grid_point(&app, &gw).await;
    let phone = Driver::start().await;
    as_phone(&phone, &app, lon, lat).await;
    log_in_at(&phone, &app, "gridworker", "/m/report").await;
    wait_js(
        &phone,
        "return !document.getElementById('m-recent-empty').hidden;",
        "the page ready, nothing reported yet",
        5_000,
    )
    .await;

    set_offline(&phone, true).await;
    wait_js(
        &phone,
        "return navigator.onLine === false && !document.getElementById('m-net').hidden;",
        "the page knows it is offline",
        5_000,
    )
    .await;
    let description = "村口道路旁有人占道堆放建筑材料，影响通行（离线上报）";
    phone.type_into("#m-description", description).await;
    phone.click("#m-manual summary").await;
    phone.type_into("#m-lon", &format!("{lon:.6}")).await;
    phone.type_into("#m-lat", &format!("{lat:.6}")).await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("scene.png");
    std::fs::write(&photo, tiny_png()).unwrap();
    phone
        .type_into("#m-photo", &photo.display().to_string())
        .await;
    phone.click("#m-submit").await;
    let waiting = wait_js(
        &phone,
        "const b = document.getElementById('m-outbox'); return b.hidden ? '' : document.getElementById('m-outbox-count').textContent;",
        "the report queued on the phone",
        5_000,
    )
    .await;
    assert_eq!(waiting, "1 条上报等待发送");
    let result = run_js(
        &phone,
        "return document.getElementById('m-result').textContent;",
    )
    .await;
    assert!(
        result.as_str().unwrap().contains("联网后自动发送"),
        "{result}"
    );
    // In IndexedDB: its key, and the photo as a Blob.
    let stored = phone
        .cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": "const done = arguments[arguments.length - 1]; \
                const open = indexedDB.open('yiwang-field'); \
                open.onsuccess = () => { const all = open.result.transaction('outbox').objectStore('outbox').getAll(); \
                  all.onsuccess = () => done(all.result.map(i => [i.key, i.report.description, i.photos.length, \
                    i.photos[0].blob instanceof Blob, i.photos[0].blob.size])); }; \
                open.onerror = () => done(String(open.error));", "args": []})),
        )
        .await["value"]
        .clone();
    let stored = stored
        .as_array()
        .unwrap_or_else(|| panic!("the outbox: {stored}"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    let key = stored[0][0].as_str().unwrap().to_string();
    assert_eq!(stored[0][1], description);
    assert_eq!(stored[0][2], 1);
    assert_eq!(stored[0][3], true, "the photo kept as a Blob");
    assert_eq!(stored[0][4], tiny_png().len());
    assert!(reports_described(&app, description).await.is_empty());
    // Retry rounds pass while offline: nothing is sent, nothing is lost.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    assert_eq!(
        run_js(
            &phone,
            "return document.getElementById('m-outbox').dataset.count;"
        )
        .await,
        "1"
    );
    assert!(reports_described(&app, description).await.is_empty());
    phone.screenshot("m-report-offline.png").await;

    // The connection returns: sent, and gone from the phone.
    set_offline(&phone, false).await;
    wait_js(
        &phone,
        "return document.getElementById('m-outbox').hidden;",
        "the queue sent",
        10_000,
    )
    .await;
    wait_js(
        &phone,
        "const li = Array.from(document.querySelectorAll('#m-recent li')).find(l => l.textContent.includes('（离线上报）')); \
         return li && li.dataset.status === 'received';",
        "the sent report among my recent reports",
        5_000,
    )
    .await;
    phone.screenshot("m-report-back-online.png").await;
    let found = reports_described(&app, description).await;
    assert_eq!(found.len(), 1, "exactly one report: {found:?}");
    let id = found[0]["id"].as_str().unwrap().to_string();
    assert_eq!(found[0]["grid"], place["grid"]["code"]);
    let full: serde_json::Value = app
        .get_as(&gw, &format!("/api/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        full["attachments"].as_array().map(Vec::len),
        Some(1),
        "the photo went with it"
    );
    // The key went with it: sending it again is the same report.
    let again = app
        .client
        .post(app.url("/api/v1/reports"))
        .bearer_auth(&gw.token)
        .header("Idempotency-Key", &key)
        .json(&json!({"channel": "grid_worker", "description": description, "lon": lon, "lat": lat, "crs": "wgs84"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200, "a retry, not a new report");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again["id"], id.as_str());
    // Opening the page again sends nothing more.
    phone.go(&app.url("/m/report")).await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    // The page is kept for opening offline by its service worker, served
    // under /m/ and controlling only the phone pages.
    let scope = phone
        .cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": "const done = arguments[arguments.length - 1]; \
                navigator.serviceWorker.ready.then(r => done(r.scope), e => done(String(e)));", "args": []})),
        )
        .await["value"]
        .clone();
    assert_eq!(scope, app.url("/m/"), "the service worker's scope");
    assert_eq!(
        run_js(&phone, "return document.getElementById('m-outbox').hidden;").await,
        true
    );
    assert_eq!(reports_described(&app, description).await.len(), 1);
    phone.quit().await;
}
