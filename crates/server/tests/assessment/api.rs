//! Calls of the assessment API shared by the cases of `assessment.rs`.

#![allow(dead_code)]

use reqwest::Method;
use serde_json::{Value, json};

use super::common::{Session, TestApp};
use super::seed::A;

pub const MARCH: &str = "from=2026-03-01&to=2026-03-31";

/// The rules the cases score with.
pub const RULES: &str = r#"{"base": 100, "rules": [
    {"indicator": "closure_rate", "points": 10},
    {"indicator": "overdue", "points": -5, "cap": 20},
    {"indicator": "on_time_rate", "reward_at": 0.9, "reward": 5, "penalty_at": 0.6, "penalty": 5},
    {"indicator": "cases_decided", "points": 2}]}"#;

pub async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {v}");
    v
}

/// A fresh user with a role in township A, logged in.
pub async fn user(app: &TestApp, name: &str, role: &str) -> Session {
    let admin = app.session("admin").await;
    let body = json!({"username": name, "display_name": name, "password": "pass12345",
        "role": role, "jurisdiction": A});
    ok(app
        .send_as(&admin, Method::POST, "/api/v1/users", Some(body))
        .await)
    .await;
    let v = ok(app.login(name, "pass12345").await).await;
    Session {
        token: v["token"].as_str().unwrap().into(),
        csrf: v["csrf_token"].as_str().unwrap().into(),
    }
}

/// One subject's entry of an indicator answer.
pub fn item<'a>(v: &'a Value, subject: &str) -> &'a Value {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["subject"] == subject)
        .unwrap_or_else(|| panic!("{subject} in {v}"))
}

/// One subject's result in a run.
pub fn result<'a>(run: &'a Value, subject: &str) -> &'a Value {
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject"] == subject)
        .unwrap_or_else(|| panic!("{subject} in {run}"))
}

pub async fn indicators(app: &TestApp, s: &Session, query: &str) -> reqwest::Response {
    app.get_as(s, &format!("/api/v1/indicators?{query}")).await
}

pub async fn put_rules(app: &TestApp, s: &Session, j: &str, rules: &Value) -> reqwest::Response {
    let body = json!({"jurisdiction": j, "rules": rules});
    app.send_as(s, Method::PUT, "/api/v1/assessment/rules", Some(body))
        .await
}

/// Freeze March for the squads of a township.
pub async fn run(app: &TestApp, s: &Session, j: &str) -> reqwest::Response {
    let body = json!({"jurisdiction": j, "subject_kind": "squad",
        "from": "2026-03-01", "to": "2026-03-31"});
    app.send_as(s, Method::POST, "/api/v1/assessment/runs", Some(body))
        .await
}

pub async fn appeal(
    app: &TestApp,
    s: &Session,
    run: &str,
    subject: &str,
    reason: &str,
) -> reqwest::Response {
    let body = json!({"subject": subject, "reason": reason});
    let url = format!("/api/v1/assessment/runs/{run}/appeals");
    app.send_as(s, Method::POST, &url, Some(body)).await
}

pub async fn resolve(app: &TestApp, s: &Session, appeal: &Value, body: Value) -> reqwest::Response {
    let url = format!(
        "/api/v1/assessment/appeals/{}/resolve",
        appeal["id"].as_str().unwrap()
    );
    app.send_as(s, Method::POST, &url, Some(body)).await
}
