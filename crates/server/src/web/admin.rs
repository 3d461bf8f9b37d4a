//! Administration pages: users and roles, integration tokens, the audit
//! record. Each page calls the same handler as the JSON API, so the two
//! cannot drift apart in what they allow.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use domain::access::{Permission, Role};
use serde::Deserialize;

use super::account::Flash;
use super::forms::{WebForm, back, require};
use super::pages::{Chrome, render_page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::lang::ReqLang;
use crate::routes::{audit as audit_api, tokens as token_api, users as user_api};
use crate::state::AppState;

/// Jurisdictions a caller may pick in forms: county, townships and streets in scope.
async fn choices(state: &AppState, caller: &Caller, p: Permission) -> Vec<(String, String)> {
    let Ok(scope) = caller.scope(p) else {
        return vec![];
    };
    let Ok(mut conn) = state.store.acquire().await else {
        return vec![];
    };
    use domain::org::Level;
    store::org::list_jurisdictions(&mut conn, &[Level::County, Level::Township, Level::Street])
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|j| scope.covers(&j.path))
        .map(|j| (j.code, j.name))
        .collect()
}

fn roles(lang: domain::Lang) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), r.label(lang)))
        .collect()
}

macro_rules! page_caller {
    ($caller:expr, $uri:expr) => {
        match require($caller, &$uri) {
            Ok(c) => c,
            Err(r) => return r,
        }
    };
}

#[derive(Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    role: Option<String>,
    page: Option<u32>,
    ok: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    c: Chrome,
    flash: Flash,
    q: String,
    role: String,
    users: crate::routes::org::Paged<user_api::UserView>,
    roles: Vec<(&'static str, &'static str)>,
    jurisdictions: Vec<(String, String)>,
    prev: Option<String>,
    next: Option<String>,
}

fn pager(base: &str, page: u32, per_page: u32, total: u64) -> (Option<String>, Option<String>) {
    let sep = if base.contains('?') { '&' } else { '?' };
    let prev = (page > 1).then(|| format!("{base}{sep}page={}", page - 1));
    let next = (u64::from(page) * u64::from(per_page) < total)
        .then(|| format!("{base}{sep}page={}", page + 1));
    (prev, next)
}

pub async fn users(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Query(q): Query<UsersQuery>,
) -> Response {
    let caller = page_caller!(caller, uri);
    let chrome =
        Chrome::new(lang, "/admin", lang.pick("用户与角色", "Users and roles")).for_caller(&caller);
    let jurisdictions = choices(&state, &caller, Permission::ManageUsers).await;
    let query = user_api::UserQuery {
        q: q.q.clone().filter(|s| !s.is_empty()),
        role: q.role.clone().filter(|s| !s.is_empty()),
        page: q.page,
        per_page: Some(20),
    };
    match user_api::list_users(State(state), ReqLang(lang), caller, Query(query)).await {
        Ok(Json(users)) => {
            let base = format!(
                "/admin/users?q={}&role={}",
                super::forms::enc(q.q.as_deref().unwrap_or("")),
                super::forms::enc(q.role.as_deref().unwrap_or(""))
            );
            let (prev, next) = pager(&base, users.page, users.per_page, users.total);
            render_page(UsersPage {
                c: chrome,
                flash: Flash {
                    ok: q.ok,
                    error: q.error,
                },
                q: q.q.unwrap_or_default(),
                role: q.role.unwrap_or_default(),
                users,
                roles: roles(lang),
                jurisdictions,
                prev,
                next,
            })
        }
        Err(e) => e.into_response(),
    }
}

pub async fn create_user(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    f: WebForm<user_api::NewUser>,
) -> Response {
    match user_api::create_user(State(state), ReqLang(lang), f.caller, ApiJson(f.form)).await {
        Ok((_, Json(u))) => back(
            &format!("/admin/users/{}", u.id),
            "ok",
            lang.pick("用户已创建", "User created"),
        ),
        Err(e) => back("/admin/users", "error", e.0.message(lang)),
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    c: Chrome,
    flash: Flash,
    user: user_api::UserView,
    roles: Vec<(&'static str, &'static str)>,
    jurisdictions: Vec<(String, String)>,
}

pub async fn user(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Response {
    let caller = page_caller!(caller, uri);
    let chrome = Chrome::new(lang, "/admin", lang.pick("用户", "User")).for_caller(&caller);
    let jurisdictions = choices(&state, &caller, Permission::ManageUsers).await;
    match user_api::get_user(State(state), ReqLang(lang), caller, Path(id)).await {
        Ok(Json(user)) => render_page(UserPage {
            c: chrome,
            flash,
            user,
            roles: roles(lang),
            jurisdictions,
        }),
        Err(e) => e.into_response(),
    }
}

pub async fn add_role(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(id): Path<String>,
    f: WebForm<user_api::NewRole>,
) -> Response {
    let to = format!("/admin/users/{id}");
    match user_api::add_role(
        State(state),
        ReqLang(lang),
        f.caller,
        Path(id),
        ApiJson(f.form),
    )
    .await
    {
        Ok(_) => back(&to, "ok", lang.pick("已授予角色", "Role granted")),
        Err(e) => back(&to, "error", e.0.message(lang)),
    }
}

pub async fn remove_role(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path((id, role_id)): Path<(String, String)>,
    f: WebForm<serde_json::Value>,
) -> Response {
    let to = format!("/admin/users/{id}");
    match user_api::remove_role(State(state), f.caller, Path((id, role_id))).await {
        Ok(_) => back(&to, "ok", lang.pick("已撤销角色", "Role withdrawn")),
        Err(e) => back(&to, "error", e.0.message(lang)),
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(id): Path<String>,
    f: WebForm<user_api::ResetPassword>,
) -> Response {
    let to = format!("/admin/users/{id}");
    match user_api::reset_password(State(state), f.caller, Path(id), ApiJson(f.form)).await {
        Ok(_) => back(
            &to,
            "ok",
            lang.pick(
                "密码已重置，该用户的登录均已注销",
                "Password reset; the user's sessions ended",
            ),
        ),
        Err(e) => back(&to, "error", e.0.message(lang)),
    }
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    c: Chrome,
    flash: Flash,
    tokens: Vec<token_api::TokenView>,
    jurisdictions: Vec<(String, String)>,
    created: Option<String>,
}

async fn tokens_page(
    state: AppState,
    lang: domain::Lang,
    caller: Caller,
    flash: Flash,
    created: Option<String>,
) -> Response {
    let chrome = Chrome::new(lang, "/admin", lang.pick("集成令牌", "Integration tokens"))
        .for_caller(&caller);
    let jurisdictions = choices(&state, &caller, Permission::ManageIntegrations).await;
    match token_api::list_tokens(State(state), caller).await {
        Ok(Json(tokens)) => render_page(TokensPage {
            c: chrome,
            flash,
            tokens,
            jurisdictions,
            created,
        }),
        Err(e) => e.into_response(),
    }
}

pub async fn tokens(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Query(flash): Query<Flash>,
) -> Response {
    let caller = page_caller!(caller, uri);
    tokens_page(state, lang, caller, flash, None).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
    kind: String,
    jurisdiction: String,
    #[serde(default)]
    permission: Option<String>,
}

pub async fn create_token(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    f: WebForm<TokenForm>,
) -> Response {
    let req = token_api::NewToken {
        name: f.form.name,
        kind: f.form.kind,
        jurisdiction: f.form.jurisdiction,
        permissions: f
            .form
            .permission
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect(),
        expires_at: None,
    };
    let caller = f.caller.clone();
    match token_api::create_token(State(state.clone()), f.caller, ApiJson(req)).await {
        // Shown once, on this page, never in a URL.
        Ok((_, Json(t))) => {
            tokens_page(
                state,
                lang,
                caller,
                Flash {
                    ok: None,
                    error: None,
                },
                Some(t.token),
            )
            .await
        }
        Err(e) => back("/admin/tokens", "error", e.0.message(lang)),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(id): Path<String>,
    f: WebForm<serde_json::Value>,
) -> Response {
    match token_api::revoke_token(State(state), f.caller, Path(id)).await {
        Ok(_) => back(
            "/admin/tokens",
            "ok",
            lang.pick("令牌已注销", "Token revoked"),
        ),
        Err(e) => back("/admin/tokens", "error", e.0.message(lang)),
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    object_type: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    c: Chrome,
    action: String,
    actor: String,
    object_type: String,
    entries: crate::routes::org::Paged<audit_api::AuditEntryView>,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn audit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Query(q): Query<AuditQuery>,
) -> Response {
    let caller = page_caller!(caller, uri);
    let chrome =
        Chrome::new(lang, "/admin", lang.pick("审计记录", "Audit record")).for_caller(&caller);
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let query = audit_api::AuditQuery {
        action: nonempty(&q.action),
        actor: nonempty(&q.actor),
        object_type: nonempty(&q.object_type),
        object_id: None,
        page: q.page,
        per_page: Some(50),
    };
    match audit_api::list_audit(State(state), caller, Query(query)).await {
        Ok(Json(entries)) => {
            let base = format!(
                "/admin/audit?action={}&actor={}&object_type={}",
                super::forms::enc(q.action.as_deref().unwrap_or("")),
                super::forms::enc(q.actor.as_deref().unwrap_or("")),
                super::forms::enc(q.object_type.as_deref().unwrap_or(""))
            );
            let (prev, next) = pager(&base, entries.page, entries.per_page, entries.total);
            render_page(AuditPage {
                c: chrome,
                action: q.action.unwrap_or_default(),
                actor: q.actor.unwrap_or_default(),
                object_type: q.object_type.unwrap_or_default(),
                entries,
                prev,
                next,
            })
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Template)]
#[template(path = "admin_powerlist.html")]
struct PowerListPage {
    c: Chrome,
}

pub async fn power_list(
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
) -> Response {
    let caller = page_caller!(caller, uri);
    render_page(PowerListPage {
        c: Chrome::new(
            lang,
            "/admin",
            lang.pick("权责清单导入", "Power-list import"),
        )
        .for_caller(&caller),
    })
}

/// Forms of the organisation page, each calling the API handler.
#[derive(Deserialize)]
pub struct StaffForm {
    name: String,
    post: String,
    jurisdiction: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    specialty: String,
}

fn opt(s: String) -> Option<String> {
    Some(s).filter(|s| !s.trim().is_empty())
}

pub async fn org_staff(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    f: WebForm<StaffForm>,
) -> Response {
    let to = format!("/org?township={}", super::forms::enc(&f.form.jurisdiction));
    let req = crate::routes::staff::NewStaff {
        name: f.form.name,
        post: f.form.post,
        jurisdiction: f.form.jurisdiction,
        unit: opt(f.form.unit),
        phone: opt(f.form.phone),
        specialty: opt(f.form.specialty),
    };
    match crate::routes::staff::create_staff(State(state), ReqLang(lang), f.caller, ApiJson(req))
        .await
    {
        Ok(_) => back(&to, "ok", lang.pick("人员已添加", "Person added")),
        Err(e) => back(&to, "error", e.0.message(lang)),
    }
}

#[derive(Deserialize)]
pub struct UnitForm {
    code: String,
    name: String,
    kind: String,
    jurisdiction: String,
    #[serde(default)]
    parent: String,
}

pub async fn org_unit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    f: WebForm<UnitForm>,
) -> Response {
    let to = format!("/org?township={}", super::forms::enc(&f.form.jurisdiction));
    let req = crate::routes::staff::NewUnit {
        code: f.form.code,
        name: f.form.name,
        name_en: None,
        kind: f.form.kind,
        jurisdiction: f.form.jurisdiction,
        parent: opt(f.form.parent),
        field: None,
    };
    match crate::routes::staff::create_unit(State(state), ReqLang(lang), f.caller, ApiJson(req))
        .await
    {
        Ok(_) => back(&to, "ok", lang.pick("单位已添加", "Unit added")),
        Err(e) => back(&to, "error", e.0.message(lang)),
    }
}

#[derive(Deserialize)]
pub struct JurisdictionForm {
    code: String,
    name: String,
    level: String,
    parent: String,
}

pub async fn org_jurisdiction(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    f: WebForm<JurisdictionForm>,
) -> Response {
    let to = format!("/org?township={}", super::forms::enc(&f.form.parent));
    let req = crate::routes::org::NewJurisdiction {
        code: f.form.code,
        name: f.form.name,
        name_en: None,
        level: f.form.level,
        parent: f.form.parent,
        lon: None,
        lat: None,
    };
    match crate::routes::org::create_jurisdiction(State(state), f.caller, ApiJson(req)).await {
        Ok(_) => back(&to, "ok", lang.pick("村（社区）已添加", "Village added")),
        Err(e) => back(&to, "error", e.0.message(lang)),
    }
}
