//! Units and people of the organisation, and their credentials.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::Error;
use domain::access::Permission;
use domain::org::{Credential, Post};
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use utoipa::{IntoParams, ToSchema};

use super::org::{Paged, paging};
use super::users::jurisdiction_in;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::lang::ReqLang;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct UnitQuery {
    /// Division code of a township (or county) inside the caller's jurisdiction.
    pub township: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub kind_label: String,
    pub jurisdiction_code: String,
    pub field: Option<String>,
}

/// Brigades, squads, command centres, departments and agencies in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/org-units", tag = "organisation", params(UnitQuery),
    responses((status = 200, body = Vec<UnitView>),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_units(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    Query(q): Query<UnitQuery>,
) -> ApiResult<Json<Vec<UnitView>>> {
    let scope = caller.scope(Permission::ViewOrganisation)?;
    let mut conn = state.store.acquire().await?;
    let township = match &q.township {
        Some(code) => Some(
            jurisdiction_in(&mut conn, &scope, "township", code)
                .await?
                .path,
        ),
        None => None,
    };
    let units = store::org::list_units(&mut conn, &scope, township.as_deref()).await?;
    Ok(Json(
        units
            .into_iter()
            .map(|(u, jcode)| UnitView {
                code: u.code,
                name: u.name,
                name_en: u.name_en,
                kind: u.kind.as_str().into(),
                kind_label: u.kind.label(lang).into(),
                jurisdiction_code: jcode,
                field: u.field,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct StaffQuery {
    pub township: Option<String>,
    /// Unit code, e.g. `411423101-ZD1`.
    pub unit: Option<String>,
    /// brigade_leader, squad_leader, officer, grid_worker, …
    pub post: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A person as listed (no personal data).
#[derive(Serialize, ToSchema)]
pub struct StaffView {
    pub id: String,
    pub name: String,
    pub post: String,
    pub post_label: String,
    pub unit_name: Option<String>,
    pub jurisdiction_code: String,
    pub specialty: Option<String>,
}

/// A unit named by code, which must lie inside the scope; an unknown code
/// is a bad value of `field`.
async fn unit_in(
    conn: &mut store::Conn,
    scope: &domain::access::Scope,
    field: &'static str,
    code: &str,
) -> Result<store::org::Unit, ApiError> {
    let u = store::org::unit_by_code(conn, code)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::invalid(
                "org.unknown_unit",
                field,
                format!("没有代码为 {code} 的单位"),
                format!("no unit has code {code}"),
            )),
            other => other.into(),
        })?;
    let uj = store::org::jurisdiction_by_id(conn, &u.jurisdiction_id).await?;
    scope.check(&uj.path)?;
    Ok(u)
}

fn parse_post(s: &str) -> Result<Post, ApiError> {
    Post::parse(s).ok_or_else(|| {
        ApiError(Error::invalid(
            "org.post",
            "post",
            format!("未知职务：{s}"),
            format!("unknown post: {s}"),
        ))
    })
}

/// People of the organisation in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/staff", tag = "organisation", params(StaffQuery),
    responses((status = 200, body = Paged<StaffView>),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_staff(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    Query(q): Query<StaffQuery>,
) -> ApiResult<Json<Paged<StaffView>>> {
    let scope = caller.scope(Permission::ViewOrganisation)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let post = q.post.as_deref().map(parse_post).transpose()?;
    let mut conn = state.store.acquire().await?;
    let township = match &q.township {
        Some(code) => Some(
            jurisdiction_in(&mut conn, &scope, "township", code)
                .await?
                .path,
        ),
        None => None,
    };
    let (rows, total) = store::org::list_staff(
        &mut conn,
        &scope,
        township.as_deref(),
        q.unit.as_deref(),
        post,
        per_page,
        u64::from((page - 1) * per_page),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|s| StaffView {
            id: s.id,
            name: s.name,
            post: s.post.as_str().into(),
            post_label: s.post.label(lang).into(),
            unit_name: s.unit_name,
            jurisdiction_code: s.jurisdiction_code,
            specialty: s.specialty,
        })
        .collect();
    Ok(Json(Paged {
        items,
        page,
        per_page,
        total,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CredentialView {
    pub number: String,
    pub issuer: String,
    pub fields: Vec<String>,
    pub valid_from: String,
    pub valid_until: String,
    /// APL Art. 42: only a credential valid today counts.
    pub valid_today: bool,
}

impl CredentialView {
    /// The credential as shown on a given day (China time).
    fn on(c: Credential, today: NaiveDate) -> Self {
        CredentialView {
            valid_today: c.is_valid_on(today),
            number: c.number,
            issuer: c.issuer,
            fields: c.fields,
            valid_from: c.valid_from.to_string(),
            valid_until: c.valid_until.to_string(),
        }
    }
}

/// A person with personal data; every read is recorded in the audit log.
#[derive(Serialize, ToSchema)]
pub struct StaffDetailView {
    pub id: String,
    pub name: String,
    pub post: String,
    pub unit_name: Option<String>,
    pub jurisdiction_code: String,
    pub phone: Option<String>,
    pub specialty: Option<String>,
    pub active: bool,
    pub credentials: Vec<CredentialView>,
}

/// One person, with personal data (audited read).
#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "organisation", params(("id" = String, Path)),
    responses((status = 200, body = StaffDetailView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_staff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffDetailView>> {
    let scope = caller.scope(Permission::ViewPersonalData)?;
    let mut tx = state.store.begin_write().await?;
    let s = match store::org::staff_by_id(&mut tx, &scope, &id).await {
        Ok(s) => s,
        Err(store::StoreError::NotFound) => return Err(Error::not_found("人员", "Person").into()),
        Err(e) => return Err(e.into()),
    };
    let creds = store::org::credentials_of(&mut tx, &id).await?;
    // Reading a natural person's personal data is recorded.
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&s.jurisdiction_path),
        Change {
            action: "staff.read_personal",
            object_type: "staff",
            object_id: &id,
            jurisdiction: &s.jurisdiction_path,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let today = domain::time::china_date(chrono::Utc::now());
    Ok(Json(StaffDetailView {
        id: s.id,
        name: s.name,
        post: s.post.as_str().into(),
        unit_name: s.unit_name,
        jurisdiction_code: s.jurisdiction_code,
        phone: s.phone,
        specialty: s.specialty,
        active: s.active,
        credentials: creds
            .into_iter()
            .map(|c| CredentialView::on(c, today))
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewStaff {
    pub name: String,
    pub post: String,
    /// Division code of the township (or county).
    pub jurisdiction: String,
    /// Unit code, e.g. `411423101-ZD1`.
    pub unit: Option<String>,
    pub phone: Option<String>,
    pub specialty: Option<String>,
}

/// Add a person to the organisation.
#[utoipa::path(post, path = "/api/v1/staff", tag = "organisation", request_body = NewStaff,
    responses((status = 201, body = StaffView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_staff(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    ApiJson(req): ApiJson<NewStaff>,
) -> ApiResult<(StatusCode, Json<StaffView>)> {
    let scope = caller.scope(Permission::ManageOrganisation)?;
    crate::extract::required("name", &req.name)?;
    let post = parse_post(&req.post)?;
    if let Some(p) = &req.phone
        && !(p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Error::invalid(
            "org.phone",
            "phone",
            "手机号应为 11 位数字",
            "a mobile number has 11 digits",
        )
        .into());
    }
    let mut tx = state.store.begin_write().await?;
    let j = jurisdiction_in(&mut tx, &scope, "jurisdiction", &req.jurisdiction).await?;
    let unit = match &req.unit {
        Some(code) => Some(unit_in(&mut tx, &scope, "unit", code).await?),
        None => None,
    };
    let id = store::org::insert_staff(
        &mut tx,
        store::org::NewStaff {
            name: req.name.trim(),
            post,
            unit_id: unit.as_ref().map(|u| u.id.as_str()),
            jurisdiction_id: &j.id,
            phone: req.phone.as_deref(),
            specialty: req.specialty.as_deref(),
        },
    )
    .await?;
    let after = serde_json::json!({"name": req.name.trim(), "post": post.as_str(), "jurisdiction": j.code, "unit": req.unit});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&j.path),
        Change {
            action: "staff.create",
            object_type: "staff",
            object_id: &id,
            jurisdiction: &j.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(StaffView {
            id,
            name: req.name.trim().into(),
            post: post.as_str().into(),
            post_label: post.label(lang).into(),
            unit_name: unit.map(|u| u.name),
            jurisdiction_code: j.code,
            specialty: req.specialty,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCredential {
    pub number: String,
    pub issuer: String,
    pub fields: Vec<String>,
    /// YYYY-MM-DD
    pub valid_from: String,
    /// YYYY-MM-DD
    pub valid_until: String,
}

fn date(field: &'static str, s: &str) -> Result<NaiveDate, ApiError> {
    crate::extract::date("body.date", field, s)
}

/// Record an enforcement credential (APL Art. 42).
#[utoipa::path(post, path = "/api/v1/staff/{id}/credentials", tag = "organisation", params(("id" = String, Path)), request_body = NewCredential,
    responses((status = 201, body = CredentialView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_credential(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NewCredential>,
) -> ApiResult<(StatusCode, Json<CredentialView>)> {
    let scope = caller.scope(Permission::ManageOrganisation)?;
    let c = Credential {
        number: req.number.trim().into(),
        issuer: req.issuer.trim().into(),
        fields: req.fields,
        valid_from: date("valid_from", &req.valid_from)?,
        valid_until: date("valid_until", &req.valid_until)?,
    };
    c.check_dates()?;
    let mut tx = state.store.begin_write().await?;
    let s = match store::org::staff_by_id(&mut tx, &scope, &id).await {
        Ok(s) => s,
        Err(store::StoreError::NotFound) => return Err(Error::not_found("人员", "Person").into()),
        Err(e) => return Err(e.into()),
    };
    store::org::insert_credential(&mut tx, &id, &c).await?;
    let after = serde_json::to_value(&c).unwrap_or_default();
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&s.jurisdiction_path),
        Change {
            action: "credential.create",
            object_type: "staff",
            object_id: &id,
            jurisdiction: &s.jurisdiction_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let today = domain::time::china_date(chrono::Utc::now());
    Ok((StatusCode::CREATED, Json(CredentialView::on(c, today))))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUnit {
    /// Unique code, e.g. `411423101-ZD5`.
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    /// brigade, squad, command_centre, department or agency
    pub kind: String,
    /// Division code of the jurisdiction the unit belongs to.
    pub jurisdiction: String,
    /// Code of the parent unit (a squad's brigade).
    pub parent: Option<String>,
    pub field: Option<String>,
}

/// Add a unit (a squad, a brigade, a department…) in the caller's jurisdiction.
#[utoipa::path(post, path = "/api/v1/org-units", tag = "organisation", request_body = NewUnit,
    responses((status = 201, body = UnitView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_unit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    ApiJson(req): ApiJson<NewUnit>,
) -> ApiResult<(StatusCode, Json<UnitView>)> {
    let scope = caller.scope(Permission::ManageOrganisation)?;
    let kind = domain::org::UnitKind::parse(&req.kind).ok_or_else(|| {
        ApiError(Error::invalid(
            "org.unit_kind",
            "kind",
            format!("未知单位类型：{}", req.kind),
            format!("unknown unit kind: {}", req.kind),
        ))
    })?;
    crate::extract::required("code", &req.code)?;
    crate::extract::required("name", &req.name)?;
    let mut tx = state.store.begin_write().await?;
    let j = jurisdiction_in(&mut tx, &scope, "jurisdiction", &req.jurisdiction).await?;
    let parent = match &req.parent {
        Some(code) => Some(unit_in(&mut tx, &scope, "parent", code).await?),
        None => None,
    };
    let u = store::org::insert_unit(
        &mut tx,
        store::org::NewUnit {
            code: req.code.trim(),
            name: req.name.trim(),
            name_en: req.name_en.as_deref().unwrap_or(req.name.trim()),
            kind,
            jurisdiction_id: &j.id,
            parent_id: parent.as_ref().map(|p| p.id.as_str()),
            field: req.field.as_deref(),
        },
    )
    .await?;
    let after = serde_json::to_value(&u).unwrap_or_default();
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&j.path),
        Change {
            action: "unit.create",
            object_type: "unit",
            object_id: &u.id,
            jurisdiction: &j.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(UnitView {
            code: u.code,
            name: u.name,
            name_en: u.name_en,
            kind: u.kind.as_str().into(),
            kind_label: u.kind.label(lang).into(),
            jurisdiction_code: j.code,
            field: u.field,
        }),
    ))
}
