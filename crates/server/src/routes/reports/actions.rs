//! The closed loop through HTTP: each action is checked by the domain's
//! state machine (who may take which step, from which status), recorded
//! with actor and time, audited, and given the next deadline.

use axum::Json;
use axum::extract::{Path, State};
use chrono::Utc;
use domain::Error;
use domain::access::Permission;
use domain::report::{self as rp, Status, Urgency};
use serde::Deserialize;
use store::audit::{self, Change};
use store::reports::{self as sr, Report};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    /// dispatch, accept, refuse, start, report_back, verify, close,
    /// evaluate, hand_over, reject
    pub action: String,
    /// dispatch: the squad's unit code (default: the grid's squad).
    pub squad: Option<String>,
    /// dispatch: the officer's staff id (default: the routed officer).
    pub officer: Option<String>,
    /// refuse, hand_over, reject, and a dispatch that overrides the route.
    pub reason: Option<String>,
    /// report_back, verify, evaluate.
    pub note: Option<String>,
    /// verify: passed on site, or sent back for rework.
    pub passed: Option<bool>,
    /// evaluate: 1–5.
    pub score: Option<u8>,
    /// hand_over: governance, service or emergency.
    pub platform: Option<String>,
}

/// Who the caller is in the closed loop: their staff id when the login
/// belongs to a person of the brigade, else the user.
pub(crate) async fn actor_id(conn: &mut store::Conn, caller: &Caller) -> Result<String, ApiError> {
    let Some(uid) = caller.principal.user_id.as_deref() else {
        return Ok(format!("token:{}", caller.principal.name));
    };
    let u = store::identity::user_by_id(conn, uid).await?;
    Ok(u.staff_id.unwrap_or_else(|| format!("user:{uid}")))
}

/// The caller's roles that reach the report's township.
pub(super) fn roles_in(caller: &Caller, township_path: &str) -> Vec<domain::access::Role> {
    caller
        .principal
        .grants
        .iter()
        .filter(|g| township_path.starts_with(g.jurisdiction_path.as_str()))
        .map(|g| g.role)
        .collect()
}

/// Who is on duty in the report's township now (the 24-hour roster), for
/// routing: dispatch goes to on-duty staff only. With nobody on duty a
/// report can still be dispatched to a squad, whose leader accepts it.
async fn on_duty(
    conn: &mut store::Conn,
    township_code: &str,
) -> Result<Vec<rp::routing::OnDuty>, ApiError> {
    let t = store::org::jurisdiction_by_code(conn, township_code).await?;
    Ok(store::duty::on_duty_at(conn, &t.id, Utc::now())
        .await?
        .iter()
        .map(store::duty::OnDutyRow::for_routing)
        .collect())
}

/// Take a step of the closed loop: dispatch → accept (or refuse) → handle →
/// report back → verify on site by someone other than the handler (or send
/// back for rework) → close → evaluate. Each step is recorded with its actor
/// and time and the next deadline is set on the working-day calendar.
#[utoipa::path(post, path = "/api/v1/reports/{id}/actions", tag = "one net", params(("id" = String, Path)),
    request_body = ActionRequest,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    crate::extract::ApiJson(a): crate::extract::ApiJson<ActionRequest>,
) -> ApiResult<Json<Report>> {
    let scope = caller.scope(Permission::HandleReports)?;
    let mut tx = state.store.begin_write().await?;
    let r = sr::report_in(&mut tx, &scope, &id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::not_found("报告", "Report")),
            other => other.into(),
        })?;
    let status = Status::parse(&r.status)?;
    let actor = actor_id(&mut tx, &caller).await?;
    let roles = roles_in(&caller, &r.township_path);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut dispatch_to: Option<(String, Option<String>)> = None;
    let action = match a.action.as_str() {
        "dispatch" => {
            let item_field = match &r.item_code {
                Some(c) => store::powerlist::by_code(&mut tx, c)
                    .await
                    .ok()
                    .map(|s| s.item.field),
                None => None,
            };
            // the squad that answered for the grid when the report arrived
            let grid_squad = sr::squad_code(&mut tx, &r.id).await?;
            let duty = on_duty(&mut tx, &r.township).await?;
            let urgency = Urgency::parse(&r.urgency)?;
            let route = rp::routing::route(
                grid_squad.as_deref(),
                r.officer_id.as_deref(),
                item_field,
                urgency,
                &duty,
            );
            let squad = a
                .squad
                .clone()
                .filter(|s| !s.is_empty())
                .or(route.squad.clone())
                .ok_or_else(|| {
                    ApiError(Error::invalid(
                        "report.squad",
                        "squad",
                        "无法确定承办中队，请指定 squad",
                        "no squad could be routed; name one in squad",
                    ))
                })?;
            let unit = store::org::unit_by_code(&mut tx, &squad)
                .await
                .map_err(|_| {
                    ApiError(Error::invalid(
                        "report.squad",
                        "squad",
                        format!("没有编码为 {squad} 的中队"),
                        format!("no squad has code {squad}"),
                    ))
                })?;
            let town = store::org::jurisdiction_by_code(&mut tx, &r.township).await?;
            if unit.kind != domain::org::UnitKind::Squad || unit.jurisdiction_id != town.id {
                return Err(Error::invalid(
                    "report.squad",
                    "squad",
                    "只能派遣给本乡镇的中队",
                    "dispatch goes to a squad of the report's township",
                )
                .into());
            }
            let officer = a
                .officer
                .clone()
                .filter(|s| !s.is_empty())
                .or(route.officer.clone());
            if let Some(o) = &officer
                && !duty.iter().any(|d| &d.staff_id == o && d.squad == squad)
            {
                return Err(Error::invalid(
                    "report.officer",
                    "officer",
                    "该执法人员不在此中队或不在岗",
                    "that officer is not on duty in this squad",
                )
                .into());
            }
            let overrides =
                route.squad.as_deref() != Some(squad.as_str()) || route.officer != officer;
            dispatch_to = Some((unit.id.clone(), officer.clone()));
            rp::Action::Dispatch {
                squad,
                officer,
                override_reason: a.reason.clone().filter(|s| !s.trim().is_empty()),
                overrides_route: overrides,
            }
        }
        "accept" => rp::Action::Accept,
        "refuse" => rp::Action::Refuse {
            reason: text(&a.reason),
        },
        "start" => rp::Action::StartHandling,
        "report_back" => rp::Action::ReportBack {
            note: text(&a.note),
        },
        "verify" => rp::Action::Verify {
            passed: a.passed.ok_or_else(|| {
                ApiError(Error::invalid(
                    "body.required",
                    "passed",
                    "核查须说明是否通过（passed）",
                    "verification needs passed: true or false",
                ))
            })?,
            note: text(&a.note),
        },
        "close" => rp::Action::Close,
        "evaluate" => rp::Action::Evaluate {
            score: a.score.ok_or_else(|| {
                ApiError(Error::invalid(
                    "body.required",
                    "score",
                    "评价须给出 1–5 分",
                    "evaluation needs a score 1–5",
                ))
            })?,
            note: text(&a.note),
        },
        "hand_over" => rp::Action::HandOver {
            platform: match a.platform.as_deref() {
                Some("governance") => rp::Platform::Governance,
                Some("service") => rp::Platform::Service,
                Some("emergency") => rp::Platform::Emergency,
                _ => {
                    return Err(Error::invalid(
                        "report.platform",
                        "platform",
                        "platform 应为 governance、service 或 emergency",
                        "platform must be governance, service or emergency",
                    )
                    .into());
                }
            },
            reason: text(&a.reason),
        },
        "reject" => rp::Action::Reject {
            reason: text(&a.reason),
        },
        other => {
            return Err(Error::invalid(
                "report.action",
                "action",
                format!("未知操作 {other}"),
                format!("unknown action {other}"),
            )
            .into());
        }
    };
    let next = rp::transition(
        &rp::Facts {
            status,
            handler: r.handler.as_deref(),
            actor: &actor,
            actor_roles: &roles,
            dispatched_to: r.dispatched_to.as_deref(),
            paused: r.paused_at.is_some(),
        },
        &action,
    )?;
    let now = Utc::now();
    let urgency = Urgency::parse(&r.urgency)?;
    // a task sent back for rework runs the rework limit
    let reworking = matches!(action, rp::Action::Verify { passed: false, .. });
    let deadline = rp::step_when(next, reworking)
        .map(|step| store::util::ts(crate::deadlines::deadline(&state, step, urgency, now)));
    let handler = matches!(action, rp::Action::Accept).then_some(actor.as_str());
    // a refusal goes back to the dispatcher: nobody holds it any more
    let refused = matches!(action, rp::Action::Refuse { .. });
    sr::update(
        &mut tx,
        &id,
        &sr::Update {
            version: r.version,
            status: next.as_str(),
            dispatched_squad: match &dispatch_to {
                Some((u, _)) => Some(Some(u.as_str())),
                None if refused => Some(None),
                None => None,
            },
            dispatched_to: match &dispatch_to {
                Some((_, o)) => Some(o.as_deref()),
                None if refused => Some(None),
                None => None,
            },
            handler: if refused {
                Some(None)
            } else {
                handler.map(Some)
            },
            deadline_at: Some(deadline.as_deref()),
            step_started_at: Some(&store::util::ts(now)),
        },
    )
    .await?;
    let note = [
        a.reason.clone(),
        a.note.clone(),
        a.score.map(|s| s.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    sr::add_event(
        &mut tx,
        &id,
        &a.action,
        status.as_str(),
        next.as_str(),
        &actor,
        &note,
    )
    .await?;
    let after = serde_json::json!({"action": a.action, "from": status.as_str(), "to": next.as_str(), "note": note});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&r.township_path),
        Change {
            action: "report.step",
            object_type: "report",
            object_id: &id,
            jurisdiction: &r.township_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    let report = sr::by_id(&mut conn, &id).await?;
    state.live.publish(&report);
    Ok(Json(report))
}
