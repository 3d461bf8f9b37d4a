//! What the Open311 cases share: the demo townships, a point to report
//! at, the command centre's steps, filing and following a request.

use reqwest::Method;
use serde_json::Value;

use crate::client::*;
use crate::common::*;
use crate::schema::*;

pub const A: &str = "411423100";
pub const B: &str = "411423101";

pub async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {v}");
    v
}

pub async fn step(app: &TestApp, s: &Session, id: &str, body: Value) {
    let path = format!("/api/v1/reports/{id}/actions");
    ok(app.send_as(s, Method::POST, &path, Some(body)).await).await;
}

/// A point of township A's first grid, as text for a form.
pub async fn point(app: &TestApp, town: &str) -> (String, String) {
    let s = app.session("supervisor").await;
    let ((lon, lat), _) = grid_point(app, &s, town, 0).await;
    (lat.to_string(), lon.to_string())
}

/// The report in the command centre's queue whose description has `text`.
pub async fn in_queue(app: &TestApp, text: &str) -> Value {
    let d = app.session("dispatcher").await;
    let q = ok(app
        .get_as(&d, "/api/v1/reports?channel=open311&per_page=100")
        .await)
    .await;
    q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["description"].as_str().unwrap().contains(text))
        .unwrap_or_else(|| panic!("not in the queue: {q}"))
        .clone()
}

/// File anonymously; the token.
pub async fn file(app: &TestApp, form: &[(&str, &str)]) -> String {
    let a = post(app, "requests.json", form, &[]).await.ok();
    let v = a.json();
    check_json(&v, "post_response.schema.json");
    v[0]["token"].as_str().unwrap().to_string()
}

pub async fn id_of(app: &TestApp, token: &str) -> String {
    let v = get(app, &format!("tokens/{token}.json")).await.ok().json();
    check_json(&v, "tokens.schema.json");
    assert_eq!(v[0]["token"], token);
    v[0]["service_request_id"].as_str().unwrap().to_string()
}

/// File as a partner (no api_key when `key` is empty).
pub async fn by_partner(
    app: &TestApp,
    key: &str,
    (lat, long): (&str, &str),
    path: &str,
    retry_key: Option<&str>,
) -> Answer {
    let mut form = vec![
        ("service_code", "TS"),
        ("lat", lat),
        ("long", long),
        ("description", "河道边有人倾倒建筑垃圾"),
    ];
    if !key.is_empty() {
        form.push(("api_key", key));
    }
    let headers: Vec<(&str, &str)> = retry_key
        .map(|k| vec![("Idempotency-Key", k)])
        .unwrap_or_default();
    post(app, path, &form, &headers).await
}
