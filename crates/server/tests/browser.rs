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
    let url = app.url("/org?township=411423101&lang=en");
    let dom = tokio::task::spawn_blocking(move || browse(&url, "org-en.png", 2000))
        .await
        .unwrap();
    assert!(
        dom.contains("Zhanggong Town Comprehensive Enforcement Brigade"),
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
