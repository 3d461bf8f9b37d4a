//! Assessment runs: freeze the indicators, scores and ranking of every
//! subject of a kind in a jurisdiction for a period, and read a run.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::assessment::ranking::rank;
use domain::assessment::{ASSESS, ScoringRules, SubjectKind, VIEW};
use serde::Deserialize;
use store::assessment::{self as sa, Run, RunSummary};
use utoipa::{IntoParams, ToSchema};

use super::{RUN, jurisdiction, measure, not_found, period, record};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::routes::org::{Paged, paging};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRunRequest {
    /// Division code of the township (or county) assessed.
    pub jurisdiction: String,
    /// officer, squad, brigade, township, grid_worker or department.
    pub subject_kind: String,
    /// First and last day, YYYY-MM-DD (China time), both included.
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub title: String,
}

/// Run an assessment and freeze it (考核定格): every subject's indicators,
/// score under the rules in force and rank are stored; later changes of
/// reports, cases or rules do not change the run.
#[utoipa::path(post, path = "/api/v1/assessment/runs", tag = "assessment",
    request_body = NewRunRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_run(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::ApiJson(body): crate::extract::ApiJson<NewRunRequest>,
) -> ApiResult<(StatusCode, Json<Run>)> {
    let scope = caller.scope(ASSESS)?;
    let kind = SubjectKind::parse(&body.subject_kind)?;
    let period = period(Some(&body.from), Some(&body.to))?;
    let mut tx = state.store.begin_write().await?;
    let j = jurisdiction(&mut tx, &scope, Some(&body.jurisdiction)).await?;
    let rules = match sa::rules_for(&mut tx, &j.path).await? {
        Some(s) => s.rules,
        None => ScoringRules::standard(),
    };
    let subjects = sa::subjects::subjects(&mut tx, &j.path, kind).await?;
    let now = Utc::now();
    let measured = measure(&mut tx, &j.path, kind, subjects, period, now).await?;
    let scored: Vec<_> = measured
        .iter()
        .map(|m| (rules.score(&m.values), sa::values_json(&m.values)))
        .collect();
    let places = rank(
        &measured
            .iter()
            .zip(&scored)
            .map(|(m, (s, _))| (m.subject.clone(), s.total))
            .collect::<Vec<_>>(),
    );
    let results: Vec<sa::NewResult> = measured
        .iter()
        .zip(&scored)
        .map(|(m, (score, values))| sa::NewResult {
            subject: &m.subject,
            name: &m.name,
            values,
            score,
            rank: places
                .iter()
                .find(|p| p.subject == m.subject)
                .map_or(0, |p| p.rank),
        })
        .collect();
    let title = match body.title.trim() {
        "" => format!("{} {}–{}", j.name, period.from, period.to),
        t => t.to_string(),
    };
    let as_of = store::util::ts(now);
    let id = sa::insert_run(
        &mut tx,
        &sa::NewRun {
            jurisdiction_id: &j.id,
            subject_kind: kind,
            period,
            as_of: &as_of,
            rules: &rules,
            title: &title,
            created_by: &caller.principal.name,
        },
        &results,
    )
    .await?;
    let after = serde_json::json!({"subject_kind": kind.as_str(), "from": period.from,
        "to": period.to, "subjects": results.len(), "rules": rules});
    record(
        &mut tx,
        &state,
        &caller,
        ("assessment.run", "assessment_run", &id, &j.path),
        after,
    )
    .await?;
    let run = sa::run_in(&mut tx, &scope, &id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(run)))
}

/// A frozen run: its rules, every result (best first, with rank, score,
/// final score and indicator values) and its appeals.
#[utoipa::path(get, path = "/api/v1/assessment/runs/{id}", tag = "assessment",
    params(("id" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Run>> {
    let scope = caller.scope(VIEW)?;
    let mut conn = state.store.acquire().await?;
    Ok(Json(
        sa::run_in(&mut conn, &scope, &id)
            .await
            .map_err(not_found(RUN))?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct RunsQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Frozen runs of the caller's jurisdiction, newest first, each with its
/// number of subjects and of appeals still to decide.
#[utoipa::path(get, path = "/api/v1/assessment/runs", tag = "assessment", params(RunsQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_runs(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RunsQuery>,
) -> ApiResult<Json<Paged<RunSummary>>> {
    let scope = caller.scope(VIEW)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let mut conn = state.store.acquire().await?;
    let (items, total) = sa::list_in(
        &mut conn,
        &scope,
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
