//! Who is calling: a session (bearer token or the `yiwang_session` cookie)
//! or an integration token, resolved into a [`Principal`]. Handlers take a
//! [`Caller`] and ask it for a [`Scope`]; the store only accepts scopes.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use chrono::Utc;
use domain::access::{Permission, Principal, Scope};
use domain::{Error, ErrorKind};
use std::net::SocketAddr;
use store::audit::Actor;
use store::identity;

use crate::error::ApiError;
use crate::lang::cookie;
use crate::session_cache::Resolved;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "yiwang_session";
pub const SESSION_PREFIX: &str = "yws_";
pub const INTEGRATION_PREFIX: &str = "ywi_";

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub session_id: Option<String>,
    pub csrf_token: Option<String>,
    pub request_id: String,
    pub ip: String,
}

pub fn unauthenticated(code: &'static str, zh: &str, en: &str) -> ApiError {
    ApiError(Error::new(ErrorKind::Unauthenticated, code, zh, en))
}

fn missing() -> ApiError {
    unauthenticated("auth.required", "请先登录", "Please log in first")
}

impl Caller {
    /// Where the caller holds `p`; 403 when nowhere.
    pub fn scope(&self, p: Permission) -> Result<Scope, ApiError> {
        self.principal.scope(p).map_err(ApiError)
    }

    /// The jurisdiction path of the caller's first role (where a change that
    /// belongs to no other jurisdiction, such as a logout, is recorded).
    pub fn home_path(&self) -> String {
        match &self.principal.token_permissions {
            Some((_, path)) => path.clone(),
            None => self
                .principal
                .grants
                .first()
                .map(|g| g.jurisdiction_path.clone())
                .unwrap_or_else(|| "/".into()),
        }
    }

    /// The caller as recorded in the audit log, acting within `path`.
    pub fn actor(&self, path: &str) -> Actor {
        let role = match &self.principal.token_permissions {
            Some(_) => "integration".to_string(),
            None => self
                .principal
                .grants
                .iter()
                .filter(|g| path.starts_with(g.jurisdiction_path.as_str()))
                .map(|g| g.role.as_str())
                .next()
                .or_else(|| self.principal.grants.first().map(|g| g.role.as_str()))
                .unwrap_or("none")
                .to_string(),
        };
        Actor {
            name: self.principal.name.clone(),
            user_id: self.principal.user_id.clone(),
            role,
            request_id: self.request_id.clone(),
        }
    }
}

pub fn request_id(parts: &Parts) -> String {
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether a presented token has the shape of one of ours.
pub fn well_formed(token: &str) -> bool {
    let body = token
        .strip_prefix(SESSION_PREFIX)
        .or_else(|| token.strip_prefix(INTEGRATION_PREFIX));
    body.is_some_and(|b| b.len() == 64 && b.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// Record a token's last use, to the minute: once a minute per token and
/// instance, beside the request rather than in its way (a write on every
/// call would make every platform request a writer queuing for the
/// database).
fn touch(state: &AppState, t: &identity::IntegrationToken) {
    let a_minute_ago = domain::time::to_storage(Utc::now() - chrono::Duration::minutes(1));
    if t.last_used_at
        .as_deref()
        .is_some_and(|at| at >= a_minute_ago.as_str())
    {
        return;
    }
    if state.token_touched.get(&t.id).is_some() {
        return;
    }
    state.token_touched.put(&t.id, ());
    let (store, id) = (state.store.clone(), t.id.clone());
    tokio::spawn(async move {
        let done = async {
            let mut conn = store.acquire().await?;
            identity::touch_integration(&mut conn, &id).await
        };
        if let Err(e) = done.await {
            tracing::warn!(error = %e, token = %id, "cannot record a token's last use");
        }
    });
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (token, via_cookie) = match parts.headers.get(header::AUTHORIZATION) {
            Some(v) => {
                let v = v.to_str().unwrap_or("");
                match v
                    .strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
                {
                    Some(t) => (t.trim().to_string(), false),
                    None => {
                        return Err(unauthenticated(
                            "auth.malformed_token",
                            "Authorization 头应为 Bearer 令牌",
                            "the Authorization header must be `Bearer <token>`",
                        ));
                    }
                }
            }
            None => match cookie(&parts.headers, SESSION_COOKIE) {
                Some(t) => (t, true),
                None => return Err(missing()),
            },
        };
        if !well_formed(&token) {
            return Err(unauthenticated(
                "auth.malformed_token",
                "令牌格式不正确",
                "the token is malformed",
            ));
        }
        let digest = identity::token_digest(&token);
        let request_id = request_id(parts);
        let ip = client_ip(parts);
        let now = domain::time::to_storage(Utc::now());
        if token.starts_with(INTEGRATION_PREFIX) {
            let t = match state.tokens.get(&digest) {
                Some(t) => t,
                None => {
                    let mut conn = state.store.acquire().await?;
                    let t = identity::integration_by_digest(&mut conn, &digest)
                        .await?
                        .ok_or_else(invalid)?;
                    state.tokens.put(&digest, t.clone());
                    t
                }
            };
            if t.revoked {
                return Err(revoked());
            }
            if t.expires_at.as_deref().is_some_and(|e| e <= now.as_str()) {
                return Err(expired());
            }
            touch(state, &t);
            let perms = t
                .permissions
                .iter()
                .filter_map(|p| Permission::parse(p))
                .collect();
            return Ok(Caller {
                principal: Principal {
                    user_id: None,
                    name: format!("integration:{}:{}", t.kind, t.name),
                    grants: vec![],
                    token_permissions: Some((perms, t.jurisdiction_path)),
                },
                session_id: None,
                csrf_token: None,
                request_id,
                ip,
            });
        }
        let s = match state.sessions.get(&digest) {
            Some(s) => s,
            None => {
                let s = resolve_session(state, &digest, &now).await?;
                state.sessions.put(&digest, s.clone());
                s
            }
        };
        if s.expires_at.as_str() <= now.as_str() {
            return Err(expired());
        }
        // API calls made with the cookie must echo the session's CSRF token in
        // a header; web forms (outside /api) carry it as a field, checked by
        // `web::forms::WebForm`, the only way web handlers read a form.
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if via_cookie && unsafe_method && parts.uri.path().starts_with("/api") {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if sent != s.csrf_token {
                return Err(ApiError(Error::new(
                    ErrorKind::Forbidden,
                    "auth.csrf",
                    "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
                    "missing or wrong CSRF token; reload the page and try again",
                )));
            }
        }
        Ok(Caller {
            principal: Principal {
                user_id: Some(s.user_id),
                name: s.username,
                grants: s.grants,
                token_permissions: None,
            },
            session_id: Some(s.session_id),
            csrf_token: Some(s.csrf_token),
            request_id,
            ip,
        })
    }
}

/// A session token's session, user and grants from the database: only a
/// session that is valid now (not revoked, not expired, its user active).
async fn resolve_session(state: &AppState, digest: &str, now: &str) -> Result<Resolved, ApiError> {
    let mut conn = state.store.acquire().await?;
    let s = identity::session_by_digest(&mut conn, digest)
        .await?
        .ok_or_else(invalid)?;
    if s.revoked {
        return Err(revoked());
    }
    if s.expires_at.as_str() <= now {
        return Err(expired());
    }
    let user = identity::user_by_id(&mut conn, &s.user_id).await?;
    if !user.active {
        return Err(unauthenticated(
            "auth.disabled",
            "账号已停用",
            "this account is disabled",
        ));
    }
    let grants = identity::grants_of(&mut conn, &user.id)
        .await?
        .iter()
        .map(|g| g.grant())
        .collect();
    Ok(Resolved {
        session_id: s.id,
        csrf_token: s.csrf_token,
        expires_at: s.expires_at,
        user_id: user.id,
        username: user.username,
        grants,
    })
}

fn invalid() -> ApiError {
    unauthenticated("auth.invalid_token", "令牌无效", "the token is not valid")
}

fn revoked() -> ApiError {
    unauthenticated("auth.revoked", "令牌已注销", "the token has been revoked")
}

fn expired() -> ApiError {
    unauthenticated(
        "auth.expired",
        "登录已过期，请重新登录",
        "the session has expired; log in again",
    )
}
