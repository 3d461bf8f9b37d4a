//! The main journeys in a real headless Chromium (Debian's `chromium`
//! through chromedriver), every step taken in the pages as people take it,
//! with a screenshot of each under target/screenshots/journey-*.png:
//!
//! 1. a grid worker's report from the phone page to its closure: filed on
//!    /m/report, dispatched in /command, accepted, handled and reported
//!    back in /tasks, checked on site and closed in /command by someone
//!    other than the handler;
//! 2. a penalty case of the ordinary procedure from filing to the decision
//!    letter (行政处罚决定书) downloaded from the case page, and on to its
//!    closure and archive;
//! 3. a decision on the spot (summary procedure) and its numbered form
//!    (当场行政处罚决定书).
//!
//! The public complaint's journey is in browser.rs.

mod common;

use common::case_kit::{self, A, pdf_text, staff_of};
use common::webdriver::*;
use common::*;
use serde_json::{Value, json};
use store::testing::TestDb;

const WAIT: u64 = 10_000;
/// Rendering a PDF (typst, CJK fonts) in a debug build takes a while.
const WAIT_PDF: u64 = 90_000;

/// A step's form submitted: the page reloads with the case as it now
/// stands; a refusal shown by the form fails the test with its message.
async fn submit(d: &Driver, form: &str, what: &str, ms: u64) {
    run_js(d, "window.__before = 1; return 1;").await;
    d.click(&format!("#{form} button[type=submit]")).await;
    let v = wait_js(
        d,
        &format!(
            "if (!window.__before && document.readyState === 'complete') return 'reloaded'; \
             const e = document.querySelector('#{form} .step-error'); \
             return e && !e.hidden && e.textContent ? 'refused: ' + e.textContent : '';"
        ),
        what,
        ms,
    )
    .await;
    assert_eq!(v, "reloaded", "{what}");
}

/// The message a form shows after a refused submit.
async fn refused(d: &Driver, form: &str, what: &str) -> String {
    d.click(&format!("#{form} button[type=submit]")).await;
    wait_js(
        d,
        &format!(
            "const e = document.querySelector('#{form} .step-error'); \
             return e && !e.hidden ? e.textContent : '';"
        ),
        what,
        WAIT,
    )
    .await
    .as_str()
    .unwrap()
    .to_string()
}

/// Choose `value` in the `select` (and tell the page).
async fn choose(d: &Driver, select: &str, value: &str) {
    let v = run_js(
        d,
        &format!(
            "const s = document.querySelector('{select}'); \
             if (!Array.from(s.options).some(o => o.value === '{value}')) return false; \
             s.value = '{value}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true;"
        ),
    )
    .await;
    assert_eq!(v, true, "{value} offered in {select}");
}

/// Set an input the keyboard fills awkwardly (dates).
async fn set_value(d: &Driver, input: &str, value: &str) {
    run_js(
        d,
        &format!("document.querySelector('{input}').value = '{value}'; return 1;"),
    )
    .await;
}

/// A screenshot with `css` scrolled into view (`block`: start, center).
async fn shot(d: &Driver, css: &str, block: &str, name: &str) {
    let found = run_js(
        d,
        &format!(
            "const e = document.querySelector('{css}'); \
             if (e) e.scrollIntoView({{block: '{block}'}}); return !!e;"
        ),
    )
    .await;
    assert_eq!(found, true, "{css} on the page for {name}");
    d.screenshot(name).await;
}

/// The text of an element.
async fn text_of(d: &Driver, css: &str) -> String {
    run_js(
        d,
        &format!("const e = document.querySelector('{css}'); return e ? e.textContent : '';"),
    )
    .await
    .as_str()
    .unwrap_or("")
    .to_string()
}

async fn status_is(d: &Driver, label: &str) {
    let shown = text_of(d, "#case-status").await;
    assert_eq!(shown, label, "the case's status");
}

/// A document's PDF as the browser downloads it from the case page's link
/// (the session's cookie): status, type and bytes.
async fn download(d: &Driver, kind: &str) -> (i64, String, Vec<u8>) {
    use base64::Engine;
    let v = d
        .cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": format!(
                "const done = arguments[arguments.length - 1]; \
                 const a = document.querySelector('#docs tr[data-kind={kind}] a.download'); \
                 if (!a) {{ done('no link'); return; }} \
                 fetch(a.href, {{credentials: 'same-origin'}}).then(r => r.arrayBuffer().then(b => {{ \
                   const u = new Uint8Array(b); let s = ''; \
                   for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000)); \
                   done([r.status, r.headers.get('content-type'), btoa(s)]); }})) \
                 .catch(e => done(String(e)));"), "args": []})),
        )
        .await["value"]
        .clone();
    let v = v
        .as_array()
        .unwrap_or_else(|| panic!("the {kind} link: {v}"))
        .clone();
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(v[2].as_str().unwrap())
        .unwrap();
    (
        v[0].as_i64().unwrap(),
        v[1].as_str().unwrap_or("").to_string(),
        pdf,
    )
}

/// Whether the address is a case's page.
fn a_case(url: &str) -> bool {
    url.split_once("/cases/")
        .is_some_and(|(_, id)| !id.is_empty() && !id.contains(['/', '?']))
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn id_number() -> String {
    let first = "41142319900307021";
    format!(
        "{first}{}",
        domain::case::ResidentId::check_char(first).unwrap()
    )
}

// ---------------------------------------------------------------- 1

/// A grid worker reports from the phone; the dispatcher dispatches it from
/// the live queue; the grid's officer accepts, handles and reports back in
/// their tasks; the officer may not check their own work, and a brigade
/// leader (a login the test makes) checks it on site and closes it in the
/// command centre; the grid worker's phone shows it closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_grid_worker_report_to_closure_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    let admin = app.session("admin").await;
    let (leader, _) = case_kit::new_user(&app, &admin, "duizhang", "brigade_leader", A).await;
    let gw = app.session("gridworker").await;
    let (lon, lat, place) = own_grid_point(&app, &gw).await;
    let officer_id = place["officer"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the grid has an officer: {place}"))
        .to_string();

    // The dispatcher's queue, live and empty.
    let desk = Driver::start().await;
    log_in_at(&desk, &app, "dispatcher", "/command").await;
    wait_js(
        &desk,
        "const l = document.getElementById('q-live'); \
         return !l.classList.contains('off') && !document.getElementById('q-empty').hidden;",
        "the empty queue, live",
        WAIT,
    )
    .await;
    desk.screenshot("journey-report-01-command-empty.png").await;

    // The grid worker reports from the phone.
    let phone = Driver::start().await;
    as_phone(&phone, &app, lon, lat).await;
    log_in_at(&phone, &app, "gridworker", "/m/report").await;
    let description = "建设路口有商户占用人行道堆放货物，行人绕行（网格巡查，全流程）";
    phone.type_into("#m-description", description).await;
    phone.click("#m-locate").await;
    wait_js(
        &phone,
        "return document.getElementById('m-lon').value;",
        "the phone's location",
        WAIT,
    )
    .await;
    phone.screenshot("journey-report-02-phone-form.png").await;
    phone.click("#m-submit").await;
    let result = wait_js(
        &phone,
        "const r = document.getElementById('m-result'); return r.hidden ? '' : r.textContent;",
        "the phone's answer",
        WAIT,
    )
    .await;
    assert!(
        result.as_str().unwrap().contains("已上报"),
        "{result}: {}",
        text_of(&phone, "#m-error").await
    );
    phone.screenshot("journey-report-03-phone-sent.png").await;
    let found = reports_described(&app, description).await;
    assert_eq!(found.len(), 1, "one report");
    let id = found[0]["id"].as_str().unwrap().to_string();
    assert_eq!(found[0]["status"], "received");

    // Dispatched from the queue, where it appeared without a reload.
    wait_js(
        &desk,
        &format!("return !!document.querySelector('#r-{id} button.dispatch:not([data-action])');"),
        "the new report with its Dispatch button",
        WAIT,
    )
    .await;
    desk.screenshot("journey-report-04-command-new.png").await;
    desk.click(&format!("#r-{id} button.dispatch")).await;
    wait_js(
        &desk,
        &format!(
            "const b = document.querySelector('#r-{id} td.status .badge'); return b && b.textContent === '已派遣';"
        ),
        "dispatched",
        WAIT,
    )
    .await;
    desk.screenshot("journey-report-05-dispatched.png").await;
    let r: Value = case_kit::ok(app.get_as(&gw, &format!("/api/v1/reports/{id}")).await).await;
    assert_eq!(
        r["dispatched_to"],
        officer_id.as_str(),
        "to the grid's officer"
    );

    // The officer: accept, start, report back.
    let field = Driver::start().await;
    log_in_at(&field, &app, "officer", "/tasks").await;
    let task = wait_js(
        &field,
        &format!(
            "const li = document.getElementById('task-{id}'); return li ? li.textContent : '';"
        ),
        "the task on the officer's page",
        WAIT,
    )
    .await;
    assert!(task.as_str().unwrap().contains(description), "{task}");
    field.screenshot("journey-report-06-task.png").await;
    field
        .click(&format!("#task-{id} button[data-action=accept]"))
        .await;
    wait_js(
        &field,
        &format!("return !!document.querySelector('#task-{id} button[data-action=start]');"),
        "accepted",
        WAIT,
    )
    .await;
    field.screenshot("journey-report-07-accepted.png").await;
    field
        .click(&format!("#task-{id} button[data-action=start]"))
        .await;
    wait_js(
        &field,
        &format!("return !!document.querySelector('#task-{id} textarea.task-note');"),
        "being handled",
        WAIT,
    )
    .await;
    // reporting back without saying what was done is refused on the page
    field
        .click(&format!("#task-{id} button[data-action=report_back]"))
        .await;
    let e = wait_js(
        &field,
        "const e = document.getElementById('t-error'); return e.hidden ? '' : e.textContent;",
        "the missing note",
        WAIT,
    )
    .await;
    assert_eq!(e, "请填写处置情况。");
    field
        .type_into(
            &format!("#task-{id} textarea.task-note"),
            "已责令商户清理货物，人行道恢复通行",
        )
        .await;
    field.screenshot("journey-report-08-handling.png").await;
    field
        .click(&format!("#task-{id} button[data-action=report_back]"))
        .await;
    wait_js(
        &field,
        &format!(
            "const li = document.getElementById('task-{id}'); return li && li.dataset.status === 'reported_back' && li.textContent.includes('等待现场核查');"
        ),
        "reported back",
        WAIT,
    )
    .await;
    field
        .screenshot("journey-report-09-reported-back.png")
        .await;

    // The handler may not check their own work: the command centre says so.
    field.go(&app.url("/command")).await;
    wait_js(
        &field,
        &format!("return !!document.querySelector('#r-{id} button[data-action=verify]');"),
        "the check offered in the queue",
        WAIT,
    )
    .await;
    field
        .click(&format!("#r-{id} button[data-action=verify]"))
        .await;
    let e = wait_js(
        &field,
        "const e = document.getElementById('q-error'); return e.hidden ? '' : e.textContent;",
        "the handler's own check refused",
        WAIT,
    )
    .await;
    assert!(
        e.as_str().unwrap().contains("处置人不能核查自己的处置结果"),
        "{e}"
    );
    field
        .screenshot("journey-report-10-handler-may-not-verify.png")
        .await;

    // The brigade leader checks on site and closes, in the command centre.
    let lead = Driver::start().await;
    log_in_with(&lead, &app, "duizhang", "pass12345", "/command").await;
    wait_js(
        &lead,
        &format!(
            "const b = document.querySelector('#r-{id} td.status .badge'); \
             return b && b.textContent === '已反馈' && !!document.querySelector('#r-{id} button[data-action=verify]');"
        ),
        "the report waiting for its check",
        WAIT,
    )
    .await;
    lead.screenshot("journey-report-11-to-verify.png").await;
    lead.click(&format!("#r-{id} button[data-action=verify]"))
        .await;
    wait_js(
        &lead,
        &format!(
            "const b = document.querySelector('#r-{id} td.status .badge'); \
             return b && b.textContent === '已核查' && !!document.querySelector('#r-{id} button[data-action=close]');"
        ),
        "verified, with the closure offered",
        WAIT,
    )
    .await;
    lead.screenshot("journey-report-12-verified.png").await;
    lead.click(&format!("#r-{id} button[data-action=close]"))
        .await;
    wait_js(
        &lead,
        &format!(
            "const b = document.querySelector('#r-{id} td.status .badge'); \
             return b && b.textContent === '已结案' && !document.querySelector('#r-{id} button.dispatch');"
        ),
        "closed",
        WAIT,
    )
    .await;
    lead.screenshot("journey-report-13-closed.png").await;
    // the dispatcher's queue followed, live
    wait_js(
        &desk,
        &format!(
            "const b = document.querySelector('#r-{id} td.status .badge'); return b && b.textContent === '已结案';"
        ),
        "the closure in the dispatcher's queue",
        WAIT,
    )
    .await;

    // The record: each step by whom it belongs to.
    let r: Value = case_kit::ok(app.get_as(&gw, &format!("/api/v1/reports/{id}")).await).await;
    assert_eq!(r["status"], "closed");
    let by = |action: &str| -> String {
        r["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {r}"))["actor"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(by("verify"), by("close"), "the leader checked and closed");
    assert_ne!(by("verify"), by("report_back"), "not the handler");
    assert_eq!(by("verify"), format!("user:{leader}"), "the leader checked");

    // The grid worker's phone shows the report closed.
    phone.go(&app.url("/m/report")).await;
    wait_js(
        &phone,
        &format!(
            "const li = document.querySelector('#m-recent li[data-id=\"{id}\"]'); return li && li.dataset.status === 'closed';"
        ),
        "closed on the phone",
        WAIT,
    )
    .await;
    phone.screenshot("journey-report-14-phone-closed.png").await;
    for d in [phone, field, lead, desk] {
        d.quit().await;
    }
}

// ---------------------------------------------------------------- 2

const PARTY: &str = "张三丰";
const HOME: &str = "河南省商丘市宁陵县城关回族镇建设路12号";
const ARTICLE: &str = "《测试条例》第十条";

/// An officer files a case in /cases, sets the party, records the
/// investigation by two officers, serves the prior notice (a fine outside
/// the discretion tier is refused, naming the benchmark), records the
/// party's written waiver, decides, makes the decision letter and
/// downloads it from the case page — the PDF names the party and the
/// article — then serves it, records the payment and closes and archives
/// the case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_ordinary_case_to_the_decision_letter_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    case_kit::held_by_a(&app, case_kit::item("J-ORD", "对违反测试条例行为的处罚")).await;
    let (s1, s2) = (
        staff_of(&db, "officer").await,
        staff_of(&db, "officer2").await,
    );

    let d = Driver::start().await;
    log_in_at(&d, &app, "officer", "/cases").await;
    let html = d.source().await;
    assert!(
        html.contains("id=\"cases-empty\"") && html.contains("辖区内还没有执法案件"),
        "the empty state: {html}"
    );
    assert!(
        html.contains("aria-current=\"page\" class=\"active\">执法案件<"),
        "the area is open in the navigation"
    );
    d.screenshot("journey-case-01-empty.png").await;

    // 立案
    choose(&d, "#new-case select[name=item_code]", "J-ORD").await;
    d.type_into("#new-case input[name=title]", "张三丰占用人行道经营案")
        .await;
    let act = (case_kit::today() - chrono::Days::new(10)).to_string();
    set_value(&d, "#new-case input[name=act_date]", &act).await;
    shot(&d, "#new-case", "start", "journey-case-02-file.png").await;
    d.click("#new-case button[type=submit]").await;
    let url = d.wait_url(a_case).await;
    assert!(
        a_case(&url),
        "{url}: {}",
        text_of(&d, "#new-case .step-error").await
    );
    let id = url.rsplit('/').next().unwrap().to_string();
    wait_js(
        &d,
        "return document.readyState === 'complete' && !!document.getElementById('step-party');",
        "the new case",
        WAIT,
    )
    .await;
    status_is(&d, "已立案").await;
    assert!(text_of(&d, "#case-facts").await.contains(ARTICLE));
    assert!(
        text_of(&d, "#case-clock").await.contains("办案期限"),
        "the Art. 60 clock"
    );
    shot(&d, "#main", "start", "journey-case-03-filed.png").await;

    // the party
    d.type_into("#step-party input[name=name]", PARTY).await;
    d.type_into("#step-party input[name=number]", &id_number())
        .await;
    d.type_into("#step-party input[name=phone]", "13812345678")
        .await;
    d.type_into("#step-party input[name=address]", HOME).await;
    submit(&d, "step-party", "the party saved", WAIT).await;
    let party = text_of(&d, "#case-party").await;
    assert!(
        party.contains(PARTY) && !party.contains(&id_number()),
        "the party, masked for an officer: {party}"
    );
    shot(&d, "#case-party", "start", "journey-case-04-party.png").await;

    // investigation by two credentialed officers
    d.click(&format!(
        "#step-investigate input[name=officers][value=\"{s1}\"]"
    ))
    .await;
    d.click(&format!(
        "#step-investigate input[name=officers][value=\"{s2}\"]"
    ))
    .await;
    d.click("#step-investigate input[name=credentials_shown]")
        .await;
    d.type_into(
        "#step-investigate textarea[name=note]",
        "现场拍照取证，制作检查笔录",
    )
    .await;
    submit(&d, "step-investigate", "the investigation recorded", WAIT).await;
    status_is(&d, "调查取证").await;
    assert!(text_of(&d, "#case-officers").await.contains("调查人员"));
    shot(
        &d,
        "#case-officers",
        "start",
        "journey-case-05-investigated.png",
    )
    .await;

    // the prior notice: outside the tier without a reason is refused
    d.type_into("#step-notice input[name=fine]", "3000").await;
    d.type_into(
        "#step-notice textarea[name=facts]",
        "当事人在建设路占用人行道搭建彩钢棚经营，占用人行道约18平方米，影响通行",
    )
    .await;
    d.type_into("#step-notice input[name=reasons]", "违反《测试条例》第五条")
        .await;
    let e = refused(&d, "step-notice", "a fine outside the tier").await;
    assert!(e.contains("裁量"), "the benchmark's refusal: {e}");
    shot(
        &d,
        "#step-notice .step-error",
        "center",
        "journey-case-06-notice-refused.png",
    )
    .await;
    d.clear("#step-notice input[name=fine]").await;
    d.type_into("#step-notice input[name=fine]", "1000").await;
    submit(&d, "step-notice", "the notice served", WAIT).await;
    status_is(&d, "已告知").await;
    assert!(
        text_of(&d, "#case-record")
            .await
            .contains("罚款 1000.00 元")
    );
    shot(&d, "#case-record", "start", "journey-case-07-notice.png").await;

    // the party waives statement and hearing in writing
    submit(&d, "step-waive", "the waiver recorded", WAIT).await;
    assert!(text_of(&d, "#case-record").await.contains("当事人书面放弃"));
    shot(&d, "#case-record", "start", "journey-case-08-waived.png").await;

    // the decision (the address is masked for the officer: typed in)
    let number = run_js(
        &d,
        "return document.querySelector('#step-decide input[name=number]').value;",
    )
    .await
    .as_str()
    .unwrap()
    .to_string();
    assert!(
        number.contains("罚决字") && number.ends_with("第1号"),
        "{number}"
    );
    d.type_into("#step-decide input[name=party_address]", HOME)
        .await;
    d.type_into(
        "#step-decide input[name=correction]",
        "立即停止占道经营，恢复人行道通行",
    )
    .await;
    shot(&d, "#step-decide", "start", "journey-case-09-decide.png").await;
    submit(&d, "step-decide", "the decision", WAIT).await;
    status_is(&d, "已决定").await;
    shot(&d, "#case-record", "start", "journey-case-10-decided.png").await;

    // the decision letter, made and downloaded from the page
    d.type_into("#step-decision-document input[name=party_address]", HOME)
        .await;
    submit(&d, "step-decision-document", "the letter made", WAIT_PDF).await;
    let row = text_of(&d, "#docs tr[data-kind=penalty_decision]").await;
    assert!(
        row.contains("行政处罚决定书") && row.contains(&number),
        "the letter listed with its number: {row}"
    );
    shot(
        &d,
        "#case-documents",
        "center",
        "journey-case-11-letter.png",
    )
    .await;
    let (status, kind, pdf) = download(&d, "penalty_decision").await;
    assert_eq!(status, 200);
    assert_eq!(kind, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for wanted in [
        "行政处罚决定书",
        &squeeze(&number),
        &format!("当事人：{PARTY}"),
        ARTICLE,
        "罚款人民币1000元",
        &squeeze(HOME),
        "《测试条例》第五条",
        "立即停止占道经营",
    ] {
        assert!(
            text.contains(wanted),
            "{wanted} missing from the letter:\n{text}"
        );
    }

    // served, paid, performed, closed, archived
    submit(&d, "step-serve", "served", WAIT).await;
    status_is(&d, "已送达").await;
    d.type_into("#step-payment input[name=amount]", "1000")
        .await;
    submit(&d, "step-payment", "paid", WAIT).await;
    d.type_into("#step-performance input[name=note]", "罚款已缴清")
        .await;
    submit(&d, "step-performance", "performed", WAIT).await;
    status_is(&d, "已履行").await;
    shot(&d, "#case-record", "start", "journey-case-12-performed.png").await;
    submit(&d, "step-close", "closed", WAIT).await;
    status_is(&d, "已结案").await;
    // archiving without the full record is refused (Art. 47)
    d.type_into("#step-archive input[name=number]", "2026-长期-0001")
        .await;
    let e = refused(&d, "step-archive", "an incomplete record").await;
    assert!(e.contains("第四十七条"), "{e}");
    d.click("#step-archive input[name=full_record]").await;
    submit(&d, "step-archive", "archived", WAIT).await;
    status_is(&d, "已归档").await;
    assert!(
        text_of(&d, "#steps-none")
            .await
            .contains("没有您可以办理的步骤"),
        "nothing left to do"
    );
    shot(&d, "#case-record", "start", "journey-case-13-archived.png").await;

    // the API holds what the page did
    let officer = app.session("officer").await;
    let v = case_kit::ok(app.get_as(&officer, &format!("/api/v1/cases/{id}")).await).await;
    assert_eq!(v["status"], "archived");
    assert_eq!(
        v["record"]["decision"]["decision"]["letter"]["number"],
        number.as_str()
    );

    // the list: the case, filtered by status, and in English
    d.go(&app.url("/cases?status=archived")).await;
    let row = text_of(&d, &format!("#cases-table tr[data-id=\"{id}\"]")).await;
    assert!(
        row.contains("张三丰占用人行道经营案") && row.contains("已归档"),
        "{row}"
    );
    d.screenshot("journey-case-14-list.png").await;
    d.go(&app.url("/cases?status=filed")).await;
    assert!(
        text_of(&d, "#cases-empty")
            .await
            .contains("没有符合条件的案件")
    );
    d.go(&app.url(&format!("/cases/{id}?lang=en"))).await;
    assert_eq!(text_of(&d, "#case-status").await, "Archived");
    assert!(
        text_of(&d, "#case-documents h2")
            .await
            .contains("Documents")
    );
    shot(&d, "#main", "start", "journey-case-15-en.png").await;
    d.quit().await;
}

// ---------------------------------------------------------------- 3

/// Two officers decide on the spot in /cases: 300 yuan on a citizen is
/// refused naming APL Art. 51, 150 yuan is decided; the case page makes
/// the numbered form, whose PDF names the party and the provision, and
/// files it with the agency.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_decision_on_the_spot_to_its_form_in_chromium() {
    let db = TestDb::sqlite().await;
    let app = spawn_demo(&db).await;
    case_kit::held_by_a(&app, case_kit::item("J-SPOT", "对违反测试条例行为的处罚")).await;
    let (s1, s2) = (
        staff_of(&db, "officer").await,
        staff_of(&db, "officer2").await,
    );

    let d = Driver::start().await;
    log_in_at(&d, &app, "officer", "/cases").await;
    let f = "#new-summary";
    choose(&d, &format!("{f} select[name=item_code]"), "J-SPOT").await;
    d.type_into(&format!("{f} input[name=title]"), "张三丰占道摆摊案")
        .await;
    d.type_into(&format!("{f} input[name=party_name]"), PARTY)
        .await;
    d.type_into(&format!("{f} input[name=party_number]"), &id_number())
        .await;
    d.type_into(&format!("{f} input[name=party_address]"), HOME)
        .await;
    for s in [&s1, &s2] {
        d.click(&format!("{f} input[name=officers][value=\"{s}\"]"))
            .await;
    }
    d.type_into(
        &format!("{f} textarea[name=violation]"),
        "在建设路占用人行道摆摊经营",
    )
    .await;
    d.type_into(&format!("{f} input[name=fine]"), "300").await;
    d.type_into(&format!("{f} input[name=basis]"), ARTICLE)
        .await;
    d.type_into(&format!("{f} input[name=correction]"), "立即撤除占道摊点")
        .await;
    d.type_into(&format!("{f} input[name=place]"), "宁陵县城关回族镇建设路")
        .await;
    d.click(&format!("{f} input[name=credentials_shown]")).await;
    d.click(&format!("{f} input[name=facts_certain]")).await;
    shot(&d, "#new-summary", "start", "journey-spot-01-form.png").await;
    let e = refused(&d, "new-summary", "300 yuan on a citizen").await;
    assert!(e.contains("第五十一条"), "{e}");
    shot(
        &d,
        "#new-summary .step-error",
        "center",
        "journey-spot-02-refused.png",
    )
    .await;
    d.clear(&format!("{f} input[name=fine]")).await;
    d.type_into(&format!("{f} input[name=fine]"), "150").await;
    d.click(&format!("{f} button[type=submit]")).await;
    let url = d.wait_url(a_case).await;
    assert!(
        a_case(&url),
        "{url}: {}",
        text_of(&d, "#new-summary .step-error").await
    );
    wait_js(
        &d,
        "return document.readyState === 'complete' && !!document.getElementById('case-summary');",
        "the case decided on the spot",
        WAIT,
    )
    .await;
    let summary = text_of(&d, "#case-summary").await;
    assert!(
        summary.contains("当罚决字")
            && summary.contains("罚款 150.00 元")
            && summary.contains("尚未备案"),
        "{summary}"
    );
    assert!(
        text_of(&d, "#case-clock").await.is_empty(),
        "no 90-day clock"
    );
    shot(&d, "#case-summary", "start", "journey-spot-03-decided.png").await;

    submit(&d, "step-summary-document", "the form made", WAIT_PDF).await;
    let row = text_of(&d, "#docs tr[data-kind=summary_decision]").await;
    assert!(row.contains("当场行政处罚决定书"), "{row}");
    let (status, _, pdf) = download(&d, "summary_decision").await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    for wanted in ["当场行政处罚决定书", PARTY, ARTICLE, "立即撤除占道摊点"] {
        assert!(
            text.contains(wanted),
            "{wanted} missing from the form:\n{text}"
        );
    }
    shot(
        &d,
        "#case-documents",
        "center",
        "journey-spot-04-form-made.png",
    )
    .await;

    submit(&d, "step-summary-filing", "filed with the agency", WAIT).await;
    let summary = text_of(&d, "#case-summary").await;
    assert!(
        summary.contains(&case_kit::today().to_string()),
        "{summary}"
    );
    assert!(!summary.contains("尚未备案"));
    shot(&d, "#case-summary", "start", "journey-spot-05-filed.png").await;
    d.quit().await;
}
