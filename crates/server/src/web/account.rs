//! Logging in and out in the browser, and the user's own account page.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::forms::{WebForm, back, redirect_with_cookie, require, safe_next};
use super::pages::{Chrome, render_page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::lang::{ReqLang, cookie};
use crate::routes::auth::{RequestMeta, authenticate, session_cookie, with_retry_after};
use crate::state::AppState;

/// Pre-session CSRF cookie for the login form (double submit).
const LOGIN_CSRF: &str = "yiwang_login_csrf";

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    error: Option<String>,
    csrf: String,
}

pub async fn login_page(ReqLang(lang): ReqLang, Query(q): Query<LoginQuery>) -> Response {
    let (csrf, _) = store::identity::new_token("");
    let page = LoginPage {
        c: Chrome::new(lang, "", lang.pick("登录", "Log in")),
        next: safe_next(q.next.as_deref()),
        error: q.error,
        csrf: csrf.clone(),
    };
    let mut resp = render_page(page).into_response();
    let c = format!("{LOGIN_CSRF}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
    if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    resp
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    csrf_token: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    meta: RequestMeta,
    headers: axum::http::HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let login_again = format!("/login?next={}", super::forms::enc(&next));
    if cookie(&headers, LOGIN_CSRF).as_deref() != Some(f.csrf_token.as_str())
        || f.csrf_token.is_empty()
    {
        return back(
            &login_again,
            "error",
            lang.pick(
                "表单已过期，请重新登录",
                "The form expired; please log in again",
            ),
        );
    }
    match authenticate(&state, &f.username, &f.password, &meta).await {
        Ok(done) => redirect_with_cookie(
            &next,
            &session_cookie(&done.token, done.ttl_secs, state.settings.secure_cookies),
        ),
        Err(e) if e.0.kind == domain::ErrorKind::RateLimited => with_retry_after(e),
        Err(e) => back(&login_again, "error", e.0.message(lang)),
    }
}

pub async fn logout(State(state): State<AppState>, form: WebForm<serde_json::Value>) -> Response {
    let _ = crate::routes::auth::logout(State(state.clone()), form.caller).await;
    redirect_with_cookie(
        "/login",
        &session_cookie("", 0, state.settings.secure_cookies),
    )
}

#[derive(Deserialize)]
pub struct Flash {
    pub ok: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    flash: Flash,
    me: crate::routes::auth::MeResponse,
}

pub async fn account(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Query(flash): Query<Flash>,
) -> Response {
    let caller = match require(caller, &uri) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let chrome = Chrome::new(lang, "", lang.pick("我的账号", "My account")).for_caller(&caller);
    match crate::routes::auth::me(State(state), ReqLang(lang), caller).await {
        Ok(axum::Json(me)) => render_page(AccountPage {
            c: chrome,
            flash,
            me,
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    f: WebForm<PasswordForm>,
) -> Response {
    let req = crate::routes::auth::ChangePassword {
        current_password: f.form.current_password,
        new_password: f.form.new_password,
    };
    match crate::routes::auth::change_password(State(state), f.caller, ApiJson(req)).await {
        Ok(_) => back(
            "/account",
            "ok",
            lang.pick(
                "密码已修改，其他登录已注销",
                "Password changed; other sessions ended",
            ),
        ),
        Err(e) => back("/account", "error", e.0.message(lang)),
    }
}
