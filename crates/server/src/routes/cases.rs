//! Penalty cases: filing under a held item with the basis in force at the
//! act (APL Art. 24, 36, 37), reading them within the caller's jurisdiction.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::Error;
use domain::access::Permission;
use domain::case::{FilingFacts, file};
use serde::Deserialize;
use store::audit::{self, Change};
use store::cases::{self, Case, NewCase};
use store::powerlist as pl;
use utoipa::{IntoParams, ToSchema};

use super::org::{Paged, paging};
use super::users::jurisdiction_in;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct NewCaseRequest {
    /// The township (code) whose brigade files the case.
    pub township: String,
    /// The power-list item the case is filed under.
    pub item_code: String,
    /// A short description, e.g. 某某占道经营案.
    pub title: String,
    /// The day of the act, YYYY-MM-DD.
    pub act_date: String,
    /// For a continuing act, the day it ended (APL Art. 36).
    pub act_ended: Option<String>,
    /// Life, health or financial security harmed: five-year limitation (Art. 36).
    #[serde(default)]
    pub grave_harm: bool,
    /// The report (id) the case is opened from: one being handled, in the
    /// same township. Its trail then names the case.
    pub report: Option<String>,
}

fn date(field: &'static str, s: &str) -> Result<NaiveDate, ApiError> {
    s.parse().map_err(|_| {
        ApiError(Error::invalid(
            "case.date",
            field,
            format!("{field} 应为 YYYY-MM-DD 格式的日期"),
            format!("{field} must be a date YYYY-MM-DD"),
        ))
    })
}

/// File a case (立案). Refused when the township does not hold the item
/// (403 `powerlist.not_devolved`, Art. 24), when the limitation period has
/// run out (422 `case.limitation_expired`, Art. 36) or when no basis was
/// in force at the act (422 `case.no_basis_at_act`, Art. 4/37). The case
/// keeps the basis in force at the act and lists lighter current versions.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn file_case(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewCaseRequest>,
) -> ApiResult<(StatusCode, Json<Case>)> {
    let scope = caller.scope(Permission::FileCase)?;
    crate::extract::required("title", &req.title)?;
    crate::extract::required("item_code", &req.item_code)?;
    let act_date = date("act_date", &req.act_date)?;
    let act_ended = req
        .act_ended
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| date("act_ended", s))
        .transpose()?;
    let mut tx = state.store.begin().await?;
    let town = jurisdiction_in(&mut tx, &scope, "township", &req.township).await?;
    if !town.level.is_township() {
        return Err(Error::invalid(
            "case.township",
            "township",
            "立案单位应为乡镇（街道）",
            "a case is filed by a township",
        )
        .into());
    }
    let stored = pl::by_code(&mut tx, &req.item_code)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::invalid(
                "case.unknown_item",
                "item_code",
                format!("权责清单中没有事项 {}", req.item_code),
                format!("no item {} on the power list", req.item_code),
            )),
            other => other.into(),
        })?;
    let report = match req.report.as_deref().filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(rid) => Some(report_to_file(&mut tx, &scope, rid, &town.code).await?),
    };
    let held = pl::holds(&mut tx, &town.id, &req.item_code).await?;
    let today = domain::time::china_date(chrono::Utc::now());
    let basis = file(&FilingFacts {
        item: &stored.item,
        held,
        township: &town.name,
        act_date,
        act_ended,
        grave_harm: req.grave_harm,
        today,
    })?;
    let id = cases::insert(
        &mut tx,
        NewCase {
            township_id: &town.id,
            item_code: &stored.item.code,
            item_version: stored.version,
            item_name: &stored.item.name,
            title: req.title.trim(),
            act_date: &act_date.to_string(),
            act_ended: act_ended.map(|d| d.to_string()).as_deref(),
            grave_harm: req.grave_harm,
            basis: &basis,
            filed_by: &caller.principal.name,
        },
    )
    .await?;
    if let Some(r) = &report {
        cases::link_report(&mut tx, &id, &r.id).await?;
        store::reports::add_event(
            &mut tx,
            &r.id,
            "file_case",
            &r.status,
            &r.status,
            &caller.principal.name,
            &format!("立案 {id}：{}", req.title.trim()),
        )
        .await?;
    }
    let after = serde_json::json!({
        "township": town.code, "item": stored.item.code, "item_version": stored.version,
        "act_date": act_date, "basis": basis, "report": report.as_ref().map(|r| &r.id),
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&town.path),
        Change {
            action: "case.file",
            object_type: "case",
            object_id: &id,
            jurisdiction: &town.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    let case = cases::case_in(&mut tx, &scope, &id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(case)))
}

/// The report a case is opened from: in the caller's scope and the same
/// township, and being handled (accepted or handling).
async fn report_to_file(
    conn: &mut store::Conn,
    scope: &domain::access::Scope,
    id: &str,
    township: &str,
) -> Result<store::reports::Report, ApiError> {
    let r = store::reports::report_in(conn, scope, id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::invalid(
                "case.report",
                "report",
                format!("没有编号为 {id} 的事件"),
                format!("no report {id}"),
            )),
            other => other.into(),
        })?;
    if r.township != township {
        return Err(Error::invalid(
            "case.report_township",
            "report",
            "事件与立案单位不属于同一乡镇",
            "the report lies in another township than the filing one",
        )
        .into());
    }
    if !matches!(r.status.as_str(), "accepted" | "handling") {
        return Err(Error::new(
            domain::ErrorKind::Conflict,
            "case.report_status",
            "只有处置中的事件可以转为立案",
            "only a report being handled can be turned into a case",
        )
        .with_field("report")
        .into());
    }
    Ok(r)
}

/// One case, with the basis in force at the act and any lighter one offered.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Case>> {
    let scope = caller.scope(Permission::ViewCases)?;
    let mut conn = state.store.acquire().await?;
    Ok(Json(cases::case_in(&mut conn, &scope, &id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct CaseQuery {
    /// Only this township's cases.
    pub township: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Cases in the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CaseQuery>,
) -> ApiResult<Json<Paged<Case>>> {
    let scope = caller.scope(Permission::ViewCases)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let mut conn = state.store.acquire().await?;
    let (items, total) = cases::list(
        &mut conn,
        &scope,
        q.township.as_deref(),
        per_page,
        u64::from(page - 1) * u64::from(per_page),
    )
    .await?;
    Ok(Json(Paged {
        items,
        page,
        per_page,
        total,
    }))
}
