//! Integration tokens for camera platforms, hotline systems and partner
//! agencies: created by admins, shown once, stored hashed, scoped, revocable.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Error;
use domain::access::Permission;
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use store::identity;
use utoipa::ToSchema;

use super::users::jurisdiction_in;
use crate::auth::{Caller, INTEGRATION_PREFIX};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

const KINDS: &[&str] = &["camera", "hotline", "agency", "department", "other"];

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    /// camera, hotline, agency, department or other
    pub kind: String,
    pub jurisdiction_path: String,
    pub permissions: Vec<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked: bool,
    pub last_used_at: Option<String>,
}

impl From<identity::IntegrationToken> for TokenView {
    fn from(t: identity::IntegrationToken) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            kind: t.kind,
            jurisdiction_path: t.jurisdiction_path,
            permissions: t.permissions,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked: t.revoked,
            last_used_at: t.last_used_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    /// Shown once: only its digest is kept.
    pub token: String,
    /// For a `camera` token only, shown once: the key of the HMAC-SHA256
    /// signature on `POST /api/v1/webhooks/camera` (kept by the server,
    /// which must read it to check signatures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
    #[serde(flatten)]
    pub info: TokenView,
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    pub name: String,
    pub kind: String,
    /// Division code of the jurisdiction the token acts in.
    pub jurisdiction: String,
    pub permissions: Vec<String>,
    /// RFC 3339; none means no expiry.
    pub expires_at: Option<String>,
}

/// Integration tokens in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/integration-tokens", tag = "identity",
    responses((status = 200, body = Vec<TokenView>),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<TokenView>>> {
    let scope = caller.scope(Permission::ManageIntegrations)?;
    let mut conn = state.store.acquire().await?;
    let tokens = identity::list_integration_tokens(&mut conn, &scope).await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

/// Create an integration token; the token itself is in this answer only.
#[utoipa::path(post, path = "/api/v1/integration-tokens", tag = "identity", request_body = NewToken,
    responses((status = 201, body = CreatedToken),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let scope = caller.scope(Permission::ManageIntegrations)?;
    crate::extract::required("name", &req.name)?;
    if !KINDS.contains(&req.kind.as_str()) {
        return Err(Error::invalid(
            "token.kind",
            "kind",
            "令牌类型应为 camera、hotline、agency、department 或 other",
            "kind must be camera, hotline, agency, department or other",
        )
        .into());
    }
    let mut perms = Vec::new();
    for p in &req.permissions {
        let perm = Permission::parse(p).ok_or_else(|| {
            ApiError(Error::invalid(
                "token.permission",
                "permissions",
                format!("未知权限：{p}"),
                format!("unknown permission: {p}"),
            ))
        })?;
        // A token never gets more than its creator holds there.
        caller.scope(perm)?;
        perms.push(perm);
    }
    if let Some(e) = &req.expires_at
        && domain::time::from_storage(e).is_none()
    {
        return Err(Error::invalid(
            "token.expires_at",
            "expires_at",
            "有效期应为 RFC 3339 时间",
            "expires_at must be an RFC 3339 time",
        )
        .into());
    }
    let mut tx = state.store.begin_write().await?;
    let j = jurisdiction_in(&mut tx, &scope, "jurisdiction", &req.jurisdiction).await?;
    for perm in &perms {
        caller.scope(*perm)?.check(&j.path)?;
    }
    let (token, digest) = identity::new_token(INTEGRATION_PREFIX);
    let expires = req
        .expires_at
        .as_deref()
        .and_then(domain::time::from_storage)
        .map(domain::time::to_storage);
    let created = identity::create_integration_token(
        &mut tx,
        req.name.trim(),
        &req.kind,
        &digest,
        &j.id,
        &perms,
        caller.principal.user_id.as_deref(),
        expires.as_deref(),
    )
    .await?;
    // a camera platform signs its alerts with a secret the server can read
    let signing_secret = if created.kind == "camera" {
        let (secret, _) = identity::new_token(crate::routes::cameras::SECRET_PREFIX);
        store::cameras::add_signing_secret(&mut tx, &created.id, &secret).await?;
        Some(secret)
    } else {
        None
    };
    let after = serde_json::json!({"name": created.name, "kind": created.kind, "permissions": created.permissions});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&j.path),
        Change {
            action: "integration_token.create",
            object_type: "integration_token",
            object_id: &created.id,
            jurisdiction: &j.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token,
            signing_secret,
            info: created.into(),
        }),
    ))
}

/// Revoke an integration token: it stops working at once.
#[utoipa::path(delete, path = "/api/v1/integration-tokens/{id}", tag = "identity", params(("id" = String, Path)),
    responses((status = 204, description = "Revoked"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let scope = caller.scope(Permission::ManageIntegrations)?;
    let mut tx = state.store.begin_write().await?;
    let t = match identity::integration_token_in(&mut tx, &scope, &id).await {
        Ok(t) => t,
        Err(store::StoreError::NotFound) => return Err(Error::not_found("令牌", "Token").into()),
        Err(e) => return Err(e.into()),
    };
    identity::revoke_integration_token(&mut tx, &id).await?;
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&t.jurisdiction_path),
        Change {
            action: "integration_token.revoke",
            object_type: "integration_token",
            object_id: &id,
            jurisdiction: &t.jurisdiction_path,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    state.tokens.clear();
    Ok(StatusCode::NO_CONTENT)
}
