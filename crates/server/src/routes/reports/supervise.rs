//! Pauses and extensions (asked for, decided by a leader, recorded) and
//! supervision notices (督办单) issued by a person. The scheduler's
//! automatic warnings and notices are in `crate::supervisor`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::access::{Permission, Role};
use domain::report::adjust::{self, Kind, RequestFacts};
use domain::report::{self as rp, Status, Urgency};
use domain::{Error, ErrorKind};
use serde::Deserialize;
use store::audit::{self, Change};
use store::reports::{self as sr, Report};
use store::supervision::{self as sv, Clock, NewSupervision};
use utoipa::ToSchema;

use super::actions::{actor_id, roles_in};
use crate::auth::Caller;
use crate::deadlines;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct AdjustRequest {
    /// pause (挂起) or extension (延期)
    pub kind: String,
    pub reason: String,
    /// extension: working days, 1–30
    pub working_days: Option<u32>,
}

#[derive(Deserialize, ToSchema)]
pub struct Decision {
    pub approve: bool,
    pub note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NoticeRequest {
    /// What the notice demands.
    pub note: String,
    /// The notice's own deadline in working days (default 1).
    pub working_days: Option<u32>,
}

fn not_found(e: store::StoreError) -> ApiError {
    match e {
        store::StoreError::NotFound => ApiError(Error::not_found("报告", "Report")),
        other => other.into(),
    }
}

async fn audit_step(
    tx: &mut store::Conn,
    state: &AppState,
    caller: &Caller,
    r: &Report,
    action: &'static str,
    after: serde_json::Value,
) -> Result<(), ApiError> {
    audit::append(
        tx,
        &state.audit_key,
        &caller.actor(&r.township_path),
        Change {
            action,
            object_type: "report",
            object_id: &r.id,
            jurisdiction: &r.township_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    Ok(())
}

async fn finish(state: &AppState, tx: store::Tx, id: &str) -> Result<Report, ApiError> {
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    let report = sr::by_id(&mut conn, id).await?;
    state.live.publish(&report);
    Ok(report)
}

/// Ask for a pause or an extension of the running step, with a reason.
#[utoipa::path(post, path = "/api/v1/reports/{id}/requests", tag = "one net",
    params(("id" = String, Path)), request_body = AdjustRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn request_adjustment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    crate::extract::ApiJson(a): crate::extract::ApiJson<AdjustRequest>,
) -> ApiResult<(StatusCode, Json<Report>)> {
    let scope = caller.scope(Permission::HandleReports)?;
    let kind = Kind::parse(&a.kind)?;
    let mut tx = state.store.begin_write().await?;
    let r = sr::report_in(&mut tx, &scope, &id)
        .await
        .map_err(not_found)?;
    let actor = actor_id(&mut tx, &caller).await?;
    let roles = roles_in(&caller, &r.township_path);
    let pending = r.requests.iter().any(|q| q.status == "pending");
    adjust::check_request(
        &RequestFacts {
            status: Status::parse(&r.status)?,
            paused: r.paused_at.is_some(),
            pending,
            actor: &actor,
            actor_roles: &roles,
            handler: r.handler.as_deref(),
            dispatched_to: r.dispatched_to.as_deref(),
        },
        kind,
        &a.reason,
        a.working_days,
    )?;
    let q = sv::add_request(
        &mut tx,
        &id,
        kind.as_str(),
        a.reason.trim(),
        a.working_days.map(i64::from),
        &actor,
    )
    .await?;
    sr::add_event(
        &mut tx,
        &id,
        &format!("request_{}", kind.as_str()),
        &r.status,
        &r.status,
        &actor,
        a.reason.trim(),
    )
    .await?;
    audit_step(
        &mut tx,
        &state,
        &caller,
        &r,
        "report.request",
        serde_json::json!({"request": q.id, "kind": kind.as_str(), "reason": a.reason.trim(),
            "working_days": a.working_days}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(finish(&state, tx, &id).await?)))
}

/// Approve or decline a pause or extension. Nobody decides their own
/// request; a leader or county supervisor decides. An approved pause stops
/// the clock now; an approved extension moves the deadline.
#[utoipa::path(post, path = "/api/v1/reports/{id}/requests/{request_id}/decision", tag = "one net",
    params(("id" = String, Path), ("request_id" = String, Path)), request_body = Decision,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn decide_request(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, request_id)): Path<(String, String)>,
    crate::extract::ApiJson(d): crate::extract::ApiJson<Decision>,
) -> ApiResult<Json<Report>> {
    let scope = caller.scope(Permission::HandleReports)?;
    let mut tx = state.store.begin_write().await?;
    let r = sr::report_in(&mut tx, &scope, &id)
        .await
        .map_err(not_found)?;
    let q = sv::request_by_id(&mut tx, &id, &request_id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::not_found("申请", "Request")),
            other => other.into(),
        })?;
    if q.status != "pending" {
        return Err(Error::new(
            ErrorKind::Conflict,
            "report.request_decided",
            "该申请已审批",
            "this request has already been decided",
        )
        .into());
    }
    let actor = actor_id(&mut tx, &caller).await?;
    let roles = roles_in(&caller, &r.township_path);
    adjust::check_decision(&actor, &roles, &q.requested_by)?;
    let note = d.note.clone().unwrap_or_default();
    sv::decide(&mut tx, &request_id, d.approve, &actor, note.trim()).await?;
    let now = Utc::now();
    let kind = Kind::parse(&q.kind)?;
    if d.approve {
        match kind {
            Kind::Pause => {
                sv::set_clock(
                    &mut tx,
                    &id,
                    &Clock {
                        version: r.version,
                        paused_at: Some(Some(&store::util::ts(now))),
                        deadline_at: None,
                        step_started_at: None,
                    },
                )
                .await?
            }
            Kind::Extension => {
                let deadline = r
                    .deadline_at
                    .as_deref()
                    .and_then(domain::time::from_storage)
                    .ok_or_else(|| {
                        ApiError(Error::new(
                            ErrorKind::Conflict,
                            "report.no_running_step",
                            "该事件当前没有计时中的环节",
                            "no step of this report is running",
                        ))
                    })?;
                let days = q.working_days.unwrap_or(0).clamp(0, 30) as u32;
                let moved = deadlines::extended(&state.calendar.get(), deadline, days);
                sv::set_clock(
                    &mut tx,
                    &id,
                    &Clock {
                        version: r.version,
                        paused_at: None,
                        deadline_at: Some(&store::util::ts(moved)),
                        step_started_at: None,
                    },
                )
                .await?
            }
        }
    }
    let verdict = if d.approve { "approved" } else { "declined" };
    sr::add_event(
        &mut tx,
        &id,
        &format!("{}_{verdict}", kind.as_str()),
        &r.status,
        &r.status,
        &actor,
        note.trim(),
    )
    .await?;
    audit_step(
        &mut tx,
        &state,
        &caller,
        &r,
        "report.decision",
        serde_json::json!({"request": request_id, "kind": kind.as_str(), "decision": verdict,
            "note": note.trim()}),
    )
    .await?;
    Ok(Json(finish(&state, tx, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ResumeRequest {
    pub note: Option<String>,
}

/// Lift a pause: the deadline moves by the working time spent paused.
#[utoipa::path(post, path = "/api/v1/reports/{id}/resume", tag = "one net",
    params(("id" = String, Path)), request_body = ResumeRequest,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    crate::extract::ApiJson(body): crate::extract::ApiJson<ResumeRequest>,
) -> ApiResult<Json<Report>> {
    let scope = caller.scope(Permission::HandleReports)?;
    let mut tx = state.store.begin_write().await?;
    let r = sr::report_in(&mut tx, &scope, &id)
        .await
        .map_err(not_found)?;
    let actor = actor_id(&mut tx, &caller).await?;
    let roles = roles_in(&caller, &r.township_path);
    let status = Status::parse(&r.status)?;
    adjust::check_resume(&RequestFacts {
        status,
        paused: r.paused_at.is_some(),
        pending: false,
        actor: &actor,
        actor_roles: &roles,
        handler: r.handler.as_deref(),
        dispatched_to: r.dispatched_to.as_deref(),
    })?;
    let now = Utc::now();
    let from = r
        .paused_at
        .as_deref()
        .and_then(domain::time::from_storage)
        .unwrap_or(now);
    let cal = state.calendar.get();
    let urgency = Urgency::parse(&r.urgency)?;
    let (deadline, started) = match (
        rp::step_of(status),
        r.deadline_at
            .as_deref()
            .and_then(domain::time::from_storage),
    ) {
        (Some(step), Some(d)) => {
            let start = r
                .step_started_at
                .as_deref()
                .and_then(domain::time::from_storage)
                .unwrap_or(from);
            (
                Some(store::util::ts(deadlines::after_pause(
                    &cal, step, urgency, d, from, now,
                ))),
                Some(store::util::ts(deadlines::after_pause(
                    &cal, step, urgency, start, from, now,
                ))),
            )
        }
        _ => (None, None),
    };
    sv::set_clock(
        &mut tx,
        &id,
        &Clock {
            version: r.version,
            paused_at: Some(None),
            deadline_at: deadline.as_deref(),
            step_started_at: started.as_deref(),
        },
    )
    .await?;
    let note = body.note.unwrap_or_default();
    sr::add_event(
        &mut tx,
        &id,
        "resume",
        &r.status,
        &r.status,
        &actor,
        note.trim(),
    )
    .await?;
    audit_step(
        &mut tx,
        &state,
        &caller,
        &r,
        "report.resume",
        serde_json::json!({"paused_from": r.paused_at, "deadline_at": deadline}),
    )
    .await?;
    Ok(Json(finish(&state, tx, &id).await?))
}

/// Issue a supervision notice (督办单) on the running step: a township
/// notice by the brigade's leader, a county notice by a county supervisor.
/// One notice per level and deadline, whether issued by a person or the
/// scheduler.
#[utoipa::path(post, path = "/api/v1/reports/{id}/supervision", tag = "one net",
    params(("id" = String, Path)), request_body = NoticeRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn issue_notice(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    crate::extract::ApiJson(n): crate::extract::ApiJson<NoticeRequest>,
) -> ApiResult<(StatusCode, Json<Report>)> {
    let scope = caller.scope(Permission::HandleReports)?;
    crate::extract::required("note", &n.note)?;
    let days = n.working_days.unwrap_or(1);
    if !(1..=30).contains(&days) {
        return Err(Error::invalid(
            "report.notice_days",
            "working_days",
            "督办期限须为 1–30 个工作日",
            "a notice's deadline is 1–30 working days",
        )
        .into());
    }
    let mut tx = state.store.begin_write().await?;
    let r = sr::report_in(&mut tx, &scope, &id)
        .await
        .map_err(not_found)?;
    let roles = roles_in(&caller, &r.township_path);
    let kind = if roles.contains(&Role::CountySupervisor) {
        "notice_county"
    } else if roles.contains(&Role::BrigadeLeader) {
        "notice_township"
    } else {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "report.supervisor_role",
            "督办单由大队负责人（乡镇督办）或县级督查人员（县级督办）签发",
            "a supervision notice is issued by the brigade leader (township) or a county supervisor (county)",
        )
        .into());
    };
    let (Some(step), Some(deadline)) = (
        rp::step_of(Status::parse(&r.status)?),
        r.deadline_at.as_deref(),
    ) else {
        return Err(Error::new(
            ErrorKind::Conflict,
            "report.no_running_step",
            "该事件当前没有计时中的环节，无需督办",
            "no step of this report is running: nothing to supervise",
        )
        .into());
    };
    let actor = actor_id(&mut tx, &caller).await?;
    let due = store::util::ts(deadlines::extended(&state.calendar.get(), Utc::now(), days));
    let town = store::org::jurisdiction_by_code(&mut tx, &r.township).await?;
    let inserted = sv::issue(
        &mut tx,
        &NewSupervision {
            report_id: &id,
            township_id: &town.id,
            step: step.as_str(),
            deadline_at: deadline,
            kind,
            issued_by: &actor,
            due_at: Some(&due),
            note: n.note.trim(),
        },
    )
    .await?;
    if !inserted {
        return Err(Error::new(
            ErrorKind::Conflict,
            "report.notice_exists",
            "本环节已签发同级督办单",
            "a notice of this level has already been issued for this step",
        )
        .into());
    }
    sr::add_event(
        &mut tx,
        &id,
        &format!("supervision.{kind}"),
        &r.status,
        &r.status,
        &actor,
        n.note.trim(),
    )
    .await?;
    audit_step(
        &mut tx,
        &state,
        &caller,
        &r,
        "report.supervision",
        serde_json::json!({"kind": kind, "due_at": due, "note": n.note.trim()}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(finish(&state, tx, &id).await?)))
}
