//! Logging in and out, the current user, changing one's password.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use store::identity;
use utoipa::ToSchema;

use crate::auth::{Caller, SESSION_COOKIE, SESSION_PREFIX, unauthenticated};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, required};
use crate::state::AppState;

/// Failed logins allowed per account, and per address, in the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; also set as the session cookie.
    pub token: String,
    pub token_type: &'static str,
    pub expires_at: String,
    /// Echo in `X-CSRF-Token` on unsafe requests authenticated by the cookie.
    pub csrf_token: String,
    pub user: MeResponse,
}

#[derive(Serialize, ToSchema)]
pub struct RoleView {
    pub id: String,
    pub role: String,
    pub role_label: String,
    pub jurisdiction_code: String,
    pub jurisdiction_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<RoleView>,
}

pub fn role_views(grants: &[identity::RoleGrant], lang: domain::Lang) -> Vec<RoleView> {
    grants
        .iter()
        .map(|g| RoleView {
            id: g.id.clone(),
            role: g.role.as_str().into(),
            role_label: g.role.label(lang).into(),
            jurisdiction_code: g.jurisdiction_code.clone(),
            jurisdiction_name: g.jurisdiction_name.clone(),
        })
        .collect()
}

fn throttled() -> ApiError {
    ApiError(Error::new(
        ErrorKind::RateLimited,
        "auth.throttled",
        format!("登录失败次数过多，请 {THROTTLE_WINDOW_MINUTES} 分钟后再试"),
        format!("too many failed logins; try again in {THROTTLE_WINDOW_MINUTES} minutes"),
    ))
}

/// A successful login.
pub struct LoggedIn {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: String,
    pub ttl_secs: i64,
    pub user: identity::User,
    pub grants: Vec<identity::RoleGrant>,
}

/// Check the password (with throttling per account and per address),
/// open a session and record it. Shared by the API and the web login form.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<LoggedIn, ApiError> {
    required("username", username)?;
    required("password", password)?;
    let username = username.trim().to_string();
    let mut conn = state.store.acquire().await?;
    let since = domain::time::to_storage(Utc::now() - Duration::minutes(THROTTLE_WINDOW_MINUTES));
    let (by_user, by_ip) =
        identity::recent_failures(&mut conn, &username, &meta.ip, &since).await?;
    if by_user >= MAX_FAILURES_PER_ACCOUNT || by_ip >= MAX_FAILURES_PER_ADDRESS {
        return Err(throttled());
    }
    let found = identity::credentials_for_login(&mut conn, &username).await?;
    let password = password.to_string();
    let (ok, user) = match found {
        Some((user, hash)) => {
            let ok =
                tokio::task::spawn_blocking(move || domain::password::verify(&password, &hash))
                    .await
                    .unwrap_or(false);
            (ok && user.active, Some(user))
        }
        None => {
            // Same work for an unknown user, so timing does not tell.
            let _ = tokio::task::spawn_blocking(move || {
                domain::password::verify(&password, &domain::password::hash("x", &[0; 16]))
            })
            .await;
            (false, None)
        }
    };
    identity::record_login_attempt(&mut conn, &username, &meta.ip, ok).await?;
    drop(conn);
    let Some(user) = user.filter(|_| ok) else {
        return Err(unauthenticated(
            "auth.bad_credentials",
            "用户名或密码错误",
            "wrong username or password",
        ));
    };
    let (token, digest) = identity::new_token(SESSION_PREFIX);
    let (csrf, _) = identity::new_token("");
    let ttl = Duration::hours(state.settings.session_ttl_hours.max(1) as i64);
    let expires_at = domain::time::to_storage(Utc::now() + ttl);
    let mut tx = state.store.begin_write().await?;
    let session_id =
        identity::create_session(&mut tx, &user.id, &digest, &csrf, &meta.ip, &expires_at).await?;
    let grants = identity::grants_of(&mut tx, &user.id).await?;
    let path = grants
        .first()
        .map(|g| g.jurisdiction_path.clone())
        .unwrap_or("/".into());
    let actor = store::audit::Actor {
        name: user.username.clone(),
        user_id: Some(user.id.clone()),
        role: grants
            .first()
            .map(|g| g.role.as_str())
            .unwrap_or("none")
            .into(),
        request_id: meta.request_id.clone(),
    };
    audit::append(
        &mut tx,
        &state.audit_key,
        &actor,
        Change {
            action: "auth.login",
            object_type: "session",
            object_id: &session_id,
            jurisdiction: &path,
            before: None,
            after: Some(&serde_json::json!({"user": user.id, "ip": meta.ip})),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(LoggedIn {
        token,
        csrf_token: csrf,
        expires_at,
        ttl_secs: ttl.num_seconds(),
        user,
        grants,
    })
}

/// The 429 answer carries Retry-After.
pub fn with_retry_after(e: ApiError) -> Response {
    let limited = e.0.kind == ErrorKind::RateLimited;
    let mut resp = e.into_response();
    if limited {
        resp.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(THROTTLE_WINDOW_MINUTES as u64 * 60),
        );
    }
    resp
}

/// Log in with username and password; returns a bearer token and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/login", tag = "identity", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    crate::lang::ReqLang(lang): crate::lang::ReqLang,
    meta: RequestMeta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Response {
    let done = match authenticate(&state, &req.username, &req.password, &meta).await {
        Ok(d) => d,
        Err(e) => return with_retry_after(e),
    };
    let body = LoginResponse {
        token: done.token.clone(),
        token_type: "Bearer",
        expires_at: done.expires_at,
        csrf_token: done.csrf_token,
        user: MeResponse {
            id: done.user.id,
            username: done.user.username,
            display_name: done.user.display_name,
            roles: role_views(&done.grants, lang),
        },
    };
    let mut resp = Json(body).into_response();
    let cookie = session_cookie(&done.token, done.ttl_secs, state.settings.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Request id and client address, for handlers that run before authentication.
pub struct RequestMeta {
    pub request_id: String,
    pub ip: String,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(RequestMeta {
            request_id: crate::auth::request_id(parts),
            ip: crate::auth::client_ip(parts),
        })
    }
}

/// Log out: the session's token stops working at once.
#[utoipa::path(post, path = "/api/v1/logout", tag = "identity",
    responses((status = 204, description = "Logged out"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let Some(session) = caller.session_id.clone() else {
        return Err(Error::invalid(
            "auth.not_a_session",
            "token",
            "集成令牌不能注销登录",
            "integration tokens cannot log out",
        )
        .into());
    };
    let mut tx = state.store.begin_write().await?;
    identity::revoke_session(&mut tx, &session).await?;
    let path = caller.home_path();
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&path),
        Change {
            action: "auth.logout",
            object_type: "session",
            object_id: &session,
            jurisdiction: &path,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    state.sessions.clear();
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&session_cookie("", 0, state.settings.secure_cookies)) {
        headers.insert(header::SET_COOKIE, v);
    }
    Ok((axum::http::StatusCode::NO_CONTENT, headers).into_response())
}

/// The current user and their roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, body = MeResponse),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn me(
    State(state): State<AppState>,
    crate::lang::ReqLang(lang): crate::lang::ReqLang,
    caller: Caller,
) -> ApiResult<Json<MeResponse>> {
    let Some(user_id) = caller.principal.user_id.clone() else {
        return Err(Error::invalid(
            "auth.not_a_user",
            "token",
            "集成令牌没有用户信息",
            "an integration token is not a user",
        )
        .into());
    };
    let mut conn = state.store.acquire().await?;
    let user = identity::user_by_id(&mut conn, &user_id).await?;
    let grants = identity::grants_of(&mut conn, &user_id).await?;
    Ok(Json(MeResponse {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        roles: role_views(&grants, lang),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password; every other session of the user is revoked.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "identity", request_body = ChangePassword,
    responses((status = 204, description = "Changed"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ChangePassword>,
) -> ApiResult<axum::http::StatusCode> {
    let Some(user_id) = caller.principal.user_id.clone() else {
        return Err(Error::invalid(
            "auth.not_a_user",
            "token",
            "集成令牌没有密码",
            "an integration token has no password",
        )
        .into());
    };
    domain::password::check_policy(&req.new_password).map_err(|e| e.with_field("new_password"))?;
    let mut tx = state.store.begin_write().await?;
    let stored = identity::password_hash(&mut tx, &user_id).await?;
    let current = req.current_password.clone();
    let ok = tokio::task::spawn_blocking(move || domain::password::verify(&current, &stored))
        .await
        .unwrap_or(false);
    if !ok {
        return Err(Error::invalid(
            "password.wrong_current",
            "current_password",
            "当前密码不正确",
            "the current password is wrong",
        )
        .into());
    }
    let new = req.new_password.clone();
    let hash =
        tokio::task::spawn_blocking(move || domain::password::hash(&new, &identity::new_salt()))
            .await
            .map_err(|_| ApiError(Error::internal()))?;
    identity::set_password(&mut tx, &user_id, &hash).await?;
    identity::revoke_sessions_of(&mut tx, &user_id, caller.session_id.as_deref()).await?;
    let path = caller.home_path();
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&path),
        Change {
            action: "user.password_change",
            object_type: "user",
            object_id: &user_id,
            jurisdiction: &path,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    state.sessions.clear();
    Ok(axum::http::StatusCode::NO_CONTENT)
}
