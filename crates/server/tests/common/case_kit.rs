//! Helpers for the tests of penalty cases: an item township A holds, new
//! users with a role, a case opened under the item, a staff id by login.

use reqwest::Method;
use serde_json::{Value, json};
use store::testing::TestDb;

use super::{Session, TestApp};

/// The first demo township (城关).
pub const A: &str = "411423100";
pub const COUNTY: &str = "411423";

pub fn today() -> chrono::NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

/// The body of a 2xx answer; panics with the body otherwise.
pub async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {v}");
    v
}

/// A fine-only item with one discretion tier.
pub fn item(code: &str, name: &str) -> Value {
    json!({
        "code": code, "name": name, "kind": "行政处罚", "field": "城市管理",
        "legal_basis": [{"law": "《测试条例》", "level": "地方性法规", "article": "第十条",
            "text": "处十万元以下罚款。", "effective": "2015-01-01", "max_fine_yuan": 100000}],
        "discretion": [
            {"circumstance": "情节较轻", "fine_min_yuan": 200, "fine_max_yuan": 2000, "suggested": "罚款"}
        ],
        "lead_department": "宁陵县城市管理局"
    })
}

/// The county creates `item` and devolves it to township A.
pub async fn held_by_a(app: &TestApp, item: Value) {
    let county = app.session("countyadmin").await;
    let code = item["code"].clone();
    ok(app
        .send_as(
            &county,
            Method::POST,
            "/api/v1/power-items",
            Some(json!({"item": item, "reason": "新增"})),
        )
        .await)
    .await;
    ok(app
        .send_as(
            &county,
            Method::POST,
            "/api/v1/devolutions",
            Some(
                json!({"township": A, "item_code": code, "decision_no": "宁政〔2026〕3号",
                "decision_date": "2026-01-05", "from_department": "宁陵县城市管理局"}),
            ),
        )
        .await)
    .await;
}

/// A user made by `admin` with `role` in `jurisdiction`, logged in: its id
/// and session.
pub async fn new_user(
    app: &TestApp,
    admin: &Session,
    name: &str,
    role: &str,
    jurisdiction: &str,
) -> (String, Session) {
    let v = ok(app
        .send_as(
            admin,
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"username": name, "display_name": name, "password": "pass12345",
                "role": role, "jurisdiction": jurisdiction}),
            ),
        )
        .await)
    .await;
    let r = app.login(name, "pass12345").await;
    assert_eq!(r.status(), 200, "login {name}");
    let b: Value = r.json().await.unwrap();
    (
        v["id"].as_str().unwrap().to_string(),
        Session {
            token: b["token"].as_str().unwrap().into(),
            csrf: b["csrf_token"].as_str().unwrap().into(),
        },
    )
}

/// A county liaison login speaking for unit `code` (a department or agency).
pub async fn liaison(app: &TestApp, name: &str, code: &str) -> Session {
    let county = app.session("countyadmin").await;
    let (id, s) = new_user(app, &county, name, "agency_liaison", COUNTY).await;
    let v = ok(app
        .send_as(
            &county,
            Method::PUT,
            &format!("/api/v1/partner-liaisons/{id}"),
            Some(json!({"agency": code})),
        )
        .await)
    .await;
    assert_eq!(v["agency"]["code"], code);
    s
}

/// The staff id behind a demo field account.
pub async fn staff_of(db: &TestDb, username: &str) -> String {
    let mut conn = db.store.acquire().await.unwrap();
    let (user, _) = store::identity::credentials_for_login(&mut conn, username)
        .await
        .unwrap()
        .expect("a demo account");
    user.staff_id
        .expect("a field account is a person of the brigade")
}

/// A case filed by `s` in township A under `code`, the act 10 days ago.
pub async fn open_case(app: &TestApp, s: &Session, code: &str, title: &str) -> String {
    let act = (today() - chrono::Days::new(10)).to_string();
    let case = ok(app
        .send_as(
            s,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"township": A, "item_code": code, "title": title, "act_date": act})),
        )
        .await)
    .await;
    case["id"].as_str().unwrap().to_string()
}

/// A PDF's text by pdftotext, without whitespace (CJK lines break anywhere).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils, scripts/ensure-tools.sh)");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}
