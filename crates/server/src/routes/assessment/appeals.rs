//! Appeals (申诉) against a result of a frozen run, and their decision by
//! a leader who is neither the appellant nor the person assessed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Error;
use domain::assessment::appeal::{self, AppealStatus, Resolution};
use domain::assessment::ranking::rank;
use domain::assessment::{ASSESS, Subject, SubjectKind, VIEW};
use serde::Deserialize;
use store::assessment::{self as sa, Run};
use utoipa::ToSchema;

use super::{RUN, not_found, record, who};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// The subject whose result is appealed.
    pub subject: String,
    #[serde(default)]
    pub reason: String,
}

/// Appeal a result of a run (申诉), with a reason.
#[utoipa::path(post, path = "/api/v1/assessment/runs/{id}/appeals", tag = "assessment",
    params(("id" = String, Path)), request_body = AppealRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn file_appeal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    crate::extract::ApiJson(body): crate::extract::ApiJson<AppealRequest>,
) -> ApiResult<(StatusCode, Json<sa::Appeal>)> {
    let scope = caller.scope(VIEW)?;
    let mut tx = state.store.begin_write().await?;
    let run = sa::run_in(&mut tx, &scope, &id)
        .await
        .map_err(not_found(RUN))?;
    if !run.results.iter().any(|r| r.subject == body.subject) {
        return Err(Error::invalid(
            "assessment.subject",
            "subject",
            format!("本次考核没有对象 {}", body.subject),
            format!("the run has no result for {}", body.subject),
        )
        .into());
    }
    appeal::file(&body.reason)?;
    let appellant = who(&caller);
    let reason = body.reason.trim();
    let appeal_id = sa::insert_appeal(
        &mut tx,
        &id,
        &body.subject,
        reason,
        (&appellant, &caller.principal.name),
    )
    .await?;
    let after = serde_json::json!({"run": id, "subject": body.subject, "reason": reason});
    record(
        &mut tx,
        &state,
        &caller,
        (
            "assessment.appeal",
            "assessment_appeal",
            &appeal_id,
            &run.path,
        ),
        after,
    )
    .await?;
    let filed = sa::appeal_in(&mut tx, &scope, &appeal_id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(filed)))
}

/// Decide an appeal (申诉处理): accepted or rejected, with a reason, by a
/// leader who is neither the appellant nor the person assessed. An
/// accepted appeal may set the result's final score; the ranking follows.
#[utoipa::path(post, path = "/api/v1/assessment/appeals/{id}/resolve", tag = "assessment",
    params(("id" = String, Path)), request_body(content = Object,
        description = "`{\"accepted\": true, \"reason\": \"…\", \"adjusted_score\": 96.5}`"),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn resolve_appeal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    crate::extract::ApiJson(body): crate::extract::ApiJson<Resolution>,
) -> ApiResult<Json<Run>> {
    let scope = caller.scope(ASSESS)?;
    let mut tx = state.store.begin_write().await?;
    let a = sa::appeal_in(&mut tx, &scope, &id)
        .await
        .map_err(not_found(("申诉", "Appeal")))?;
    let staff = match caller.principal.user_id.as_deref() {
        Some(uid) => store::identity::user_by_id(&mut tx, uid).await?.staff_id,
        None => None,
    };
    let resolver = who(&caller);
    let kind = SubjectKind::parse(&a.subject_kind)?;
    let subject = Subject::new(kind, a.subject.clone());
    let status = appeal::resolve(
        &appeal::Facts {
            status: a.status,
            appellant: &a.appellant,
            subject: &subject,
            resolver: &resolver,
            resolver_staff: staff.as_deref(),
        },
        &body,
    )?;
    let reason = body.reason.trim();
    sa::decide_appeal(&mut tx, &id, status, &resolver, reason, body.adjusted_score).await?;
    let run = sa::run_in(&mut tx, &scope, &a.run_id).await?;
    if let (AppealStatus::Accepted, Some(score)) = (status, body.adjusted_score) {
        let finals: Vec<(String, f64)> = run
            .results
            .iter()
            .map(|r| {
                (
                    r.subject.clone(),
                    if r.subject == a.subject {
                        score
                    } else {
                        r.final_score
                    },
                )
            })
            .collect();
        sa::set_standing(&mut tx, &run.id, &rank(&finals)).await?;
    }
    let after = serde_json::json!({"status": status.as_str(), "reason": reason,
        "adjusted_score": body.adjusted_score, "subject": a.subject});
    record(
        &mut tx,
        &state,
        &caller,
        (
            "assessment.appeal_decision",
            "assessment_appeal",
            &id,
            &run.path,
        ),
        after,
    )
    .await?;
    let run = sa::run_in(&mut tx, &scope, &a.run_id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(run))
}
