//! The working-day calendar: the State Council's holiday notice per year
//! (days off and make-up working weekends, 调休). The official years are
//! built in; each December a county administrator enters the next year
//! here, and every deadline counted after that follows it.

use axum::Json;
use axum::extract::{Path, State};
use domain::access::{Permission, Scope};
use domain::calendar::YearPlan;
use domain::{Error, ErrorKind};
use serde::Serialize;
use store::audit::{self, Change};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct CalendarView {
    /// Each year's plan: `year`, `holidays`, `workdays` (make-up working
    /// weekends), `source`.
    #[schema(value_type = Vec<Object>)]
    pub years: Vec<YearPlan>,
}

/// The calendar in force, year by year.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "one net",
    responses((status = 200, body = CalendarView),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_calendar(State(state): State<AppState>, _caller: Caller) -> Json<CalendarView> {
    Json(CalendarView {
        years: state.calendar.get().plans(),
    })
}

/// The calendar is national: kept by an administrator at county level.
fn county_scope(caller: &Caller) -> Result<Scope, ApiError> {
    let scope = caller.scope(Permission::ManageOrganisation)?;
    if !scope.covers_a_county() {
        return Err(ApiError(Error::new(
            ErrorKind::Forbidden,
            "calendar.county_only",
            "工作日历由县级管理员维护",
            "the working-day calendar is kept by a county administrator",
        )));
    }
    Ok(scope)
}

/// Enter or replace one year's plan (validated: dates in the year, no day
/// both off and on, make-up days on weekends). Deadlines counted from now
/// on follow it, on every instance within one supervision interval.
#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "one net",
    params(("year" = i32, Path)), request_body(content = Object, description = "a YearPlan"),
    responses((status = 200, body = CalendarView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn put_year(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
    crate::extract::ApiJson(plan): crate::extract::ApiJson<YearPlan>,
) -> ApiResult<Json<CalendarView>> {
    let scope = county_scope(&caller)?;
    if plan.year != year || !(2000..=2100).contains(&year) {
        return Err(Error::invalid(
            "calendar.year",
            "year",
            format!("年份应与地址中的 {year} 一致，且在 2000–2100 之间"),
            format!("year must match {year} in the address and lie in 2000–2100"),
        )
        .into());
    }
    let json = serde_json::to_string(&plan).map_err(|_| ApiError(Error::internal()))?;
    let mut tx = state.store.begin_write().await?;
    let mut stored = store::supervision::calendar_years(&mut tx).await?;
    stored.retain(|(y, _)| *y != i64::from(year));
    stored.push((i64::from(year), json.clone()));
    // validated whole before anything is stored
    let calendar = crate::deadlines::merged(&stored)?;
    store::supervision::put_calendar_year(&mut tx, i64::from(year), &json, &caller.principal.name)
        .await?;
    // warning times worked out on the old calendar are stale
    store::supervision::recheck_all(&mut tx).await?;
    let root = scope.roots().first().cloned().unwrap_or_default();
    let after = serde_json::json!({"year": year, "holidays": plan.holidays.len(),
        "workdays": plan.workdays.len(), "source": plan.source});
    let year_s = year.to_string();
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&root),
        Change {
            action: "calendar.put",
            object_type: "calendar_year",
            object_id: &year_s,
            jurisdiction: &root,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    state.calendar.set(calendar);
    Ok(Json(CalendarView {
        years: state.calendar.get().plans(),
    }))
}
