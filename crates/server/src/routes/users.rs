//! Administering users, their roles and passwords.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::Error;
use domain::access::{Permission, Role, Scope};
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use store::identity;
use utoipa::{IntoParams, ToSchema};

use super::auth::{RoleView, role_views};
use super::org::{Paged, paging};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::lang::ReqLang;
use crate::state::AppState;

/// A jurisdiction named by code, which must lie inside the scope; an
/// unknown code is a bad value of `field`.
pub async fn jurisdiction_in(
    conn: &mut store::Conn,
    scope: &Scope,
    field: &'static str,
    code: &str,
) -> Result<store::org::Jurisdiction, ApiError> {
    store::org::jurisdiction_in(conn, scope, code)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::invalid(
                "org.unknown_jurisdiction",
                field,
                format!("没有代码为 {code} 的辖区"),
                format!("no jurisdiction has code {code}"),
            )),
            other => other.into(),
        })
}

/// A user visible in the scope: one of their roles lies inside it.
async fn user_in(
    conn: &mut store::Conn,
    scope: &Scope,
    id: &str,
) -> Result<identity::User, ApiError> {
    identity::user_in(conn, scope, id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::not_found("用户", "User")),
            other => other.into(),
        })
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub active: bool,
    pub created_at: String,
    pub roles: Vec<RoleView>,
}

#[derive(Deserialize, IntoParams)]
pub struct UserQuery {
    /// Part of the username or display name.
    pub q: Option<String>,
    pub role: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Users holding a role inside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/users", tag = "identity", params(UserQuery),
    responses((status = 200, body = Paged<UserView>),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_users(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    Query(q): Query<UserQuery>,
) -> ApiResult<Json<Paged<UserView>>> {
    let scope = caller.scope(Permission::ManageUsers)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let role = q.role.as_deref().map(Role::parse).transpose()?;
    let mut conn = state.store.acquire().await?;
    let (users, total) = identity::list_users(
        &mut conn,
        &scope,
        q.q.as_deref(),
        role,
        per_page,
        u64::from((page - 1) * per_page),
    )
    .await?;
    let mut items = Vec::with_capacity(users.len());
    for u in users {
        let grants = identity::grants_of(&mut conn, &u.id).await?;
        items.push(view(u, &grants, lang));
    }
    Ok(Json(Paged {
        items,
        page,
        per_page,
        total,
    }))
}

fn view(u: identity::User, grants: &[identity::RoleGrant], lang: domain::Lang) -> UserView {
    UserView {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        active: u.active,
        created_at: u.created_at,
        roles: role_views(grants, lang),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// The first role, e.g. `officer`.
    pub role: String,
    /// Division code of the jurisdiction the role applies to.
    pub jurisdiction: String,
}

fn check_username(u: &str) -> Result<(), ApiError> {
    let ok = (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "user.username",
            "username",
            "用户名为 3–32 位字母、数字、点、下划线或连字符",
            "a username has 3–32 letters, digits, dots, underscores or hyphens",
        )
        .into())
    }
}

/// Create a user with a first role inside the caller's jurisdiction.
#[utoipa::path(post, path = "/api/v1/users", tag = "identity", request_body = NewUser,
    responses((status = 201, body = UserView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_user(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    ApiJson(req): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let scope = caller.scope(Permission::ManageUsers)?;
    check_username(&req.username)?;
    crate::extract::required("display_name", &req.display_name)?;
    let role = Role::parse(&req.role)?;
    domain::password::check_policy(&req.password)?;
    let mut tx = state.store.begin_write().await?;
    let j = jurisdiction_in(&mut tx, &scope, "jurisdiction", &req.jurisdiction).await?;
    let pw = req.password.clone();
    let hash =
        tokio::task::spawn_blocking(move || domain::password::hash(&pw, &identity::new_salt()))
            .await
            .map_err(|_| ApiError(Error::internal()))?;
    let user = identity::create_user(
        &mut tx,
        req.username.trim(),
        req.display_name.trim(),
        &hash,
        None,
    )
    .await
    .map_err(|e| match e {
        store::StoreError::Conflict { .. } => ApiError(
            Error::new(
                domain::ErrorKind::Conflict,
                "user.username_taken",
                "用户名已被使用",
                "this username is taken",
            )
            .with_field("username"),
        ),
        other => other.into(),
    })?;
    identity::add_role(&mut tx, &user.id, role, &j.id).await?;
    let after = serde_json::json!({"username": user.username, "display_name": user.display_name, "role": role.as_str(), "jurisdiction": j.code});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&j.path),
        Change {
            action: "user.create",
            object_type: "user",
            object_id: &user.id,
            jurisdiction: &j.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    let grants = identity::grants_of(&mut tx, &user.id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(view(user, &grants, lang))))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "identity", params(("id" = String, Path)),
    responses((status = 200, body = UserView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_user(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<UserView>> {
    let scope = caller.scope(Permission::ManageUsers)?;
    let mut conn = state.store.acquire().await?;
    let user = user_in(&mut conn, &scope, &id).await?;
    let grants = identity::grants_of(&mut conn, &id).await?;
    Ok(Json(view(user, &grants, lang)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewRole {
    pub role: String,
    /// Division code of the jurisdiction.
    pub jurisdiction: String,
}

/// Grant a role in a jurisdiction inside the caller's.
#[utoipa::path(post, path = "/api/v1/users/{id}/roles", tag = "identity", params(("id" = String, Path)), request_body = NewRole,
    responses((status = 201, body = UserView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_role(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NewRole>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let scope = caller.scope(Permission::ManageUsers)?;
    let role = Role::parse(&req.role)?;
    let mut tx = state.store.begin_write().await?;
    let user = user_in(&mut tx, &scope, &id).await?;
    let j = jurisdiction_in(&mut tx, &scope, "jurisdiction", &req.jurisdiction).await?;
    let role_id = identity::add_role(&mut tx, &id, role, &j.id).await?;
    let after = serde_json::json!({"role": role.as_str(), "jurisdiction": j.code});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&j.path),
        Change {
            action: "user.role_grant",
            object_type: "user_role",
            object_id: &role_id,
            jurisdiction: &j.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    let grants = identity::grants_of(&mut tx, &id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    state.sessions.clear();
    Ok((StatusCode::CREATED, Json(view(user, &grants, lang))))
}

/// Withdraw a role.
#[utoipa::path(delete, path = "/api/v1/users/{id}/roles/{role_id}", tag = "identity",
    params(("id" = String, Path), ("role_id" = String, Path)),
    responses((status = 204, description = "Withdrawn"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remove_role(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, role_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let scope = caller.scope(Permission::ManageUsers)?;
    let mut tx = state.store.begin_write().await?;
    user_in(&mut tx, &scope, &id).await?;
    let grants = identity::grants_of(&mut tx, &id).await?;
    let g = grants
        .iter()
        .find(|g| g.id == role_id)
        .ok_or_else(|| ApiError(Error::not_found("角色", "Role")))?;
    scope.check(&g.jurisdiction_path)?;
    identity::remove_role(&mut tx, &role_id).await?;
    let before = serde_json::json!({"role": g.role.as_str(), "jurisdiction": g.jurisdiction_code});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&g.jurisdiction_path),
        Change {
            action: "user.role_withdraw",
            object_type: "user_role",
            object_id: &role_id,
            jurisdiction: &g.jurisdiction_path,
            before: Some(&before),
            after: None,
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    state.sessions.clear();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ResetPassword {
    pub new_password: String,
}

/// Reset a user's password; all their sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "identity", params(("id" = String, Path)), request_body = ResetPassword,
    responses((status = 204, description = "Reset"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ResetPassword>,
) -> ApiResult<StatusCode> {
    let scope = caller.scope(Permission::ManageUsers)?;
    domain::password::check_policy(&req.new_password).map_err(|e| e.with_field("new_password"))?;
    let mut tx = state.store.begin_write().await?;
    user_in(&mut tx, &scope, &id).await?;
    let paths = identity::user_paths(&mut tx, &id).await?;
    let path = paths
        .iter()
        .find(|p| scope.covers(p))
        .cloned()
        .unwrap_or_default();
    let pw = req.new_password.clone();
    let hash =
        tokio::task::spawn_blocking(move || domain::password::hash(&pw, &identity::new_salt()))
            .await
            .map_err(|_| ApiError(Error::internal()))?;
    identity::set_password(&mut tx, &id, &hash).await?;
    identity::revoke_sessions_of(&mut tx, &id, None).await?;
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&path),
        Change {
            action: "user.password_reset",
            object_type: "user",
            object_id: &id,
            jurisdiction: &path,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    state.sessions.clear();
    Ok(StatusCode::NO_CONTENT)
}
