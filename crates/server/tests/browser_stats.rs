//! The dashboard and the command display (大屏) in headless Chromium: the
//! numbers the API gives, a drill-down to the queue behind a number, and a
//! live redraw when a report arrives. Screenshots under target/screenshots/.

mod common;

use common::webdriver::*;
use common::*;
use reqwest::Method;
use serde_json::json;
use store::testing::TestDb;

const A: &str = "411423100";

async fn report(app: &TestApp, s: &Session, text: &str, (lon, lat): (f64, f64)) {
    let r = app
        .send_as(
            s,
            Method::POST,
            "/api/v1/reports",
            Some(json!({"channel": "grid_worker", "description": text, "lon": lon, "lat": lat})),
        )
        .await;
    assert_eq!(r.status(), 201);
}

fn received(d_js: &serde_json::Value) -> i64 {
    d_js.as_str()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_drills_down_exports_and_the_command_display_redraws_live_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let gw = app.session("gridworker").await;
    let supervisor = app.session("supervisor").await;
    let (point, _) = grid_point(&app, &gw, A, 0).await;
    for text in [
        "路边占道经营，堆放货物",
        "夜间施工噪声扰民",
        "焚烧垃圾冒黑烟",
    ] {
        report(&app, &gw, text, point).await;
    }
    let api: serde_json::Value = app
        .get_as(&supervisor, "/api/v1/stats/overview")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["totals"]["received"]["n"], 3);

    let d = Driver::start().await;
    log_in_at(&d, &app, "supervisor", "/stats").await;
    // the totals the API gives, the trend drawn, a line per channel
    let n = wait_js(
        &d,
        "var e = document.querySelector('#s-totals a[data-key=received] .n'); return e && e.textContent;",
        "the totals",
        10_000,
    )
    .await;
    assert_eq!(received(&n), 3);
    wait_js(
        &d,
        "return document.querySelectorAll('#s-trend polyline').length === 2;",
        "the trend",
        5_000,
    )
    .await;
    let channel = run_js(&d, "var r = document.querySelector('#s-channel tr[data-key=grid_worker] td.received a'); return r && r.textContent;").await;
    assert_eq!(channel, "3");
    let export = run_js(
        &d,
        "return document.getElementById('s-xlsx').getAttribute('href');",
    )
    .await;
    assert!(export.as_str().unwrap().contains("format=xlsx"), "{export}");
    // the heat map paints the grids
    wait_js(
        &d,
        "return document.querySelectorAll('#s-heat path').length > 0;",
        "the heat map",
        10_000,
    )
    .await;
    d.screenshot("stats.png").await;

    // drill-down: the number's link opens the queue with the reports behind it
    d.click("#s-totals a[data-key=received]").await;
    d.wait_url(|u| u.contains("/command?")).await;
    let total = wait_js(
        &d,
        "var e = document.getElementById('q-total'); return e && e.textContent;",
        "the queue's total",
        10_000,
    )
    .await;
    assert!(total.as_str().unwrap().contains('3'), "{total}");
    assert!(
        d.source().await.contains("id=\"f-drill\""),
        "the drill-down is shown"
    );
    d.screenshot("stats-drill-down.png").await;

    // the command display, redrawn within a second or two of a new report
    d.go(&app.url("/stats/screen")).await;
    let n = wait_js(
        &d,
        "var e = document.querySelector('#s-totals a[data-key=received] .n'); return e && e.textContent;",
        "the display's totals",
        10_000,
    )
    .await;
    assert_eq!(received(&n), 3);
    wait_js(
        &d,
        "return document.getElementById('s-live').className === 'live';",
        "the live stream",
        10_000,
    )
    .await;
    d.screenshot("stats-screen.png").await;
    report(&app, &gw, "又有商户占道经营", point).await;
    let n = wait_js(
        &d,
        "var e = document.querySelector('#s-totals a[data-key=received] .n'); return e && e.textContent === '4' && e.textContent;",
        "the display redrawn live",
        3_000,
    )
    .await;
    assert_eq!(received(&n), 4);
    d.screenshot("stats-screen-live.png").await;

    // and in English
    d.go(&app.url("/stats/screen?lang=en")).await;
    wait_js(
        &d,
        "return document.body.textContent.indexOf('Overdue now') >= 0;",
        "English labels",
        10_000,
    )
    .await;
    d.quit().await;
}

/// Assessment (考核) in the browser: the county supervisor makes a run of
/// township A's squads from the page and sees the ranking the API froze; an
/// officer appeals a result from the run's page; the supervisor accepts it
/// with a new score, and the ranking follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assessment_runs_ranks_and_decides_an_appeal_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let supervisor = app.session("supervisor").await;
    let d = Driver::start().await;
    log_in_at(&d, &app, "supervisor", "/assessment").await;
    assert!(
        d.source().await.contains("id=\"runs-empty\""),
        "the empty state"
    );
    run_js(
        &d,
        &format!(
            "var f = document.getElementById('new-run');
             f.elements.jurisdiction.value = '{A}'; f.elements.subject_kind.value = 'squad';
             f.elements.from.value = '2026-03-01'; f.elements.to.value = '2026-03-31';
             f.elements.title.value = '三月中队考核'; return true;"
        ),
    )
    .await;
    d.click("#new-run button[type=submit]").await;
    let url = d.wait_url(|u| u.contains("/assessment/")).await;
    let id = url.rsplit('/').next().unwrap().to_string();
    let run: serde_json::Value = app
        .get_as(&supervisor, &format!("/api/v1/assessment/runs/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(run["title"], "三月中队考核");
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 2, "{run}");
    // the page's ranking is the run's, row for row
    let shown = wait_js(
        &d,
        "return Array.prototype.map.call(document.querySelectorAll('#ranking > tbody > tr'), function (tr) { return tr.dataset.subject; });",
        "the ranking",
        10_000,
    )
    .await;
    let frozen: Vec<&str> = results
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(shown, serde_json::json!(frozen));
    d.screenshot("assessment-run.png").await;

    // an officer appeals the last squad's result
    let last = *frozen.last().unwrap();
    d.cmd(Method::DELETE, "/cookie", None).await;
    log_in_at(&d, &app, "officer", &format!("/assessment/{id}")).await;
    run_js(
        &d,
        &format!(
            "var f = document.getElementById('new-appeal'); f.elements.subject.value = '{last}';
             f.elements.reason.value = '停电导致超期，请求复核'; return true;"
        ),
    )
    .await;
    d.click("#new-appeal button[type=submit]").await;
    wait_js(
        &d,
        "var r = document.querySelector('#appeals tbody tr'); return r && r.dataset.status === 'filed';",
        "the appeal listed",
        10_000,
    )
    .await;
    // an officer may not decide: no form for it
    assert!(!d.source().await.contains("resolve-appeal"));
    d.screenshot("assessment-appeal.png").await;

    // the supervisor accepts it with a score above everyone's
    d.cmd(Method::DELETE, "/cookie", None).await;
    log_in_at(&d, &app, "supervisor", &format!("/assessment/{id}")).await;
    run_js(
        &d,
        "var f = document.querySelector('form.resolve-appeal'); f.elements.accepted.value = 'true';
         f.elements.adjusted_score.value = '150'; f.elements.reason.value = '经核实属实'; return true;",
    )
    .await;
    d.click("form.resolve-appeal button[type=submit]").await;
    let top = wait_js(
        &d,
        "var r = document.querySelector('#appeals tbody tr'); if (!r || r.dataset.status !== 'accepted') return null;
         var first = document.querySelector('#ranking > tbody > tr');
         return [first.dataset.subject, first.querySelector('.rank').textContent, first.querySelector('.final').textContent];",
        "the appeal decided and the ranking redrawn",
        10_000,
    )
    .await;
    assert_eq!(top[0], last, "{top}");
    assert_eq!(top[1], "1");
    assert!(top[2].as_str().unwrap().starts_with("150"), "{top}");
    d.screenshot("assessment-appeal-decided.png").await;

    // the list counts no open appeal now; and in English
    d.go(&app.url("/assessment?lang=en")).await;
    let row = wait_js(
        &d,
        &format!("var r = document.querySelector('#runs-table tr[data-id=\"{id}\"]'); return r && r.textContent;"),
        "the run in the list",
        10_000,
    )
    .await;
    assert!(row.as_str().unwrap().contains("Squad"), "{row}");
    assert!(d.source().await.contains("Make a run"));
    d.quit().await;
}
