//! Transfer of suspected crimes to the police (行刑衔接): APL Art. 27 and
//! the State Council's Decree 310 (revised 2020), whose rules are
//! `domain::case::transfer`. The handlers gather the facts (the case, its
//! transfer as stored, now, the caller as actor), let
//! [`transfer::step`] decide, and write the new record onto the version
//! it was decided on (`If-Match`, else the one read; a concurrent step is
//! `409 conflict.stale`) with the step's actor, time and document number,
//! and an audit entry `case.transfer`.
//!
//! The enforcing agency (`FileCase` in the case's township; reading needs
//! `ViewCases`):
//! report → the head's decision (the brigade leader, within 3 days) → sent
//! within 24 hours with a complete package (Art. 5–6) → after a decline:
//! reconsideration within 3 days, then the procuratorate (Art. 9); after an
//! opening: seized items handed over within 3 days (Art. 12); once the
//! decline stands: the administrative case resumes (Art. 10). While a
//! transfer is under way, penalty steps on the case are refused
//! (`penalty_allowed`, Art. 11 — see `routes::cases::act`). The case's own
//! procedure moves with the actions `transfer` and `resume_after_transfer`.
//!
//! Partner agencies (`ReceiveTransfers`: police, procuratorate, court
//! liaisons, each speaking for the agency recorded with
//! `PUT /api/v1/partner-liaisons/{id}`) see only what was transferred to
//! their agency (`partner_may_see`) and answer it: the police sign the
//! receipt, forward or decide (opened / declined) and answer a
//! reconsideration; the procuratorate concludes its supervision.
//! Everything else is 404 to them, as if it did not exist.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use chrono::{NaiveDate, Utc};
use domain::access::{Permission, Role};
use domain::case::transfer::{
    self, Package, Step, Transfer, TransferStatus, decision_deadline, forward_deadline,
    handover_deadline, penalty_allowed, police_overdue, police_review_deadline, send_deadline,
    three_days,
};
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::audit::{self, Change};
use store::cases;
use store::transfers::{self, Agency, InboxItem, NewStep, StepRecord, StoredTransfer};
use utoipa::{IntoParams, ToSchema};

use super::cases::case_in;
use super::org::{Paged, paging};
use super::versioned::require_version;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

// ---------------------------------------------------------------- views

/// A transfer as answered: the record the rules keep, every step with its
/// actor, time and document, the next time limit and whether the police
/// are late.
#[derive(Serialize, ToSchema)]
pub struct TransferView {
    pub id: String,
    pub case_id: String,
    pub case_title: String,
    pub township_code: String,
    pub township_name: String,
    /// The version a step may name in `If-Match`.
    pub version: i64,
    /// `domain::case::transfer::Transfer`: status, team, summary, the
    /// head's decision, the police, the package, the answers …
    #[schema(value_type = Object)]
    pub record: Transfer,
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<StepRecord>,
    /// The next time limit, if one runs.
    pub deadline: Option<Deadline>,
    /// Decree 310 Art. 8–9: the police have not answered in time (grounds
    /// to ask the procuratorate to supervise).
    pub police_overdue: bool,
}

/// The next time limit of a transfer.
#[derive(Serialize, ToSchema)]
pub struct Deadline {
    /// The step due: decide, send, police_decision, request_reconsideration,
    /// reconsideration_answer, request_supervision, hand_over_items.
    pub step: &'static str,
    /// The last day (YYYY-MM-DD), or the moment (RFC 3339, China time) for
    /// the 24-hour limits.
    pub by: String,
    pub article: &'static str,
}

/// A case's transfer, as the enforcing agency sees it.
#[derive(Serialize, ToSchema)]
pub struct CaseTransferView {
    pub case_id: String,
    /// Decree 310 Art. 11: whether a penalty step may be taken on the case.
    pub penalty_allowed: bool,
    /// Null when no suspected crime was reported on the case.
    pub transfer: Option<TransferView>,
}

fn deadline(t: &Transfer) -> Option<Deadline> {
    use TransferStatus::*;
    let day = |step, d: NaiveDate, article| {
        Some(Deadline {
            step,
            by: d.to_string(),
            article,
        })
    };
    let moment = |step, at: chrono::DateTime<Utc>, article| {
        Some(Deadline {
            step,
            by: at.with_timezone(&domain::time::china()).to_rfc3339(),
            article,
        })
    };
    match t.status {
        Reported => day(
            "decide",
            decision_deadline(t.reported_at),
            "Decree 310 Art. 5",
        ),
        Approved => moment(
            "send",
            send_deadline(t.decision.as_ref()?.decided_at),
            "Decree 310 Art. 5",
        ),
        Received => day(
            "police_decision",
            police_review_deadline(t.received_at?),
            "Decree 310 Art. 8",
        ),
        Forwarded => moment(
            "police_decision",
            forward_deadline(t.received_at?),
            "Decree 310 Art. 8",
        ),
        Declined => match (&t.reconsideration_requested_on, &t.reconsideration_answer) {
            (None, _) => day(
                "request_reconsideration",
                three_days(t.answer.as_ref()?.notified_on),
                "Decree 310 Art. 9",
            ),
            (Some(_), Some(a)) if t.supervision_requested_on.is_none() => day(
                "request_supervision",
                three_days(a.notified_on),
                "Decree 310 Art. 9",
            ),
            _ => None,
        },
        ReconsiderationRequested => day(
            "reconsideration_answer",
            three_days(t.reconsideration_requested_on?),
            "Decree 310 Art. 9",
        ),
        Opened => {
            let notified = t
                .reconsideration_answer
                .as_ref()
                .filter(|a| a.opened)
                .or(t.answer.as_ref())?
                .notified_on;
            day(
                "hand_over_items",
                handover_deadline(notified),
                "Decree 310 Art. 12",
            )
        }
        _ => None,
    }
}

async fn view(conn: &mut store::Conn, t: StoredTransfer) -> Result<TransferView, ApiError> {
    let steps = transfers::steps(conn, &t.id).await?;
    Ok(TransferView {
        deadline: deadline(&t.record),
        police_overdue: police_overdue(&t.record, Utc::now()),
        id: t.id,
        case_id: t.case_id,
        case_title: t.case_title,
        township_code: t.township_code,
        township_name: t.township_name,
        version: t.version,
        record: t.record,
        steps,
    })
}

async fn case_view(conn: &mut store::Conn, case_id: &str) -> Result<CaseTransferView, ApiError> {
    let t = transfers::of_case(conn, case_id).await?;
    let status = t.as_ref().map(|t| t.record.status);
    Ok(CaseTransferView {
        case_id: case_id.to_string(),
        penalty_allowed: penalty_allowed(status).is_ok(),
        transfer: match t {
            Some(t) => Some(view(conn, t).await?),
            None => None,
        },
    })
}

// ---------------------------------------------------------------- helpers

/// The case's transfer; 409 `case.no_transfer` without one.
async fn transfer_of(conn: &mut store::Conn, case_id: &str) -> Result<StoredTransfer, ApiError> {
    transfers::of_case(conn, case_id).await?.ok_or_else(|| {
        ApiError(Error::new(
            ErrorKind::Conflict,
            "case.no_transfer",
            "该案件没有涉嫌犯罪移送的报告（POST /api/v1/cases/{id}/transfer）",
            "no suspected crime was reported on this case (POST /api/v1/cases/{id}/transfer)",
        ))
    })
}

/// `If-Match`: the transfer's version the caller decided on, if named.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    super::versioned::if_match(
        headers,
        "transfer.if_match",
        "If-Match 应为移送记录的版本号（version）",
        "If-Match must be the transfer's version",
    )
}

/// A document or receipt number the step rests on (422 naming the field).
fn document(v: &Option<String>, zh: &str, en: &str) -> Result<String, ApiError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(s.to_string()),
        None => Err(Error::invalid(
            "transfer.document",
            "document",
            format!("document 不能为空：应填写{zh}的文号或编号"),
            format!("document is required: the number of {en}"),
        )
        .into()),
    }
}

fn optional(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A partner agency by unit code (422 naming `field` when there is none).
async fn agency(
    conn: &mut store::Conn,
    field: &'static str,
    code: &str,
) -> Result<Agency, ApiError> {
    transfers::agency_by_code(conn, code.trim())
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::invalid(
                "transfer.unknown_agency",
                field,
                format!("没有代码为 {code} 的协作机关（公安机关、检察院、法院）"),
                format!("no partner agency (police, procuratorate, court) has code {code}"),
            )),
            other => other.into(),
        })
}

/// Who records a step: the staff id of the person behind the login, else
/// `user:<id>`, or `token:<name>`; and the name shown.
pub(crate) async fn actor(
    conn: &mut store::Conn,
    caller: &Caller,
) -> Result<(String, String), ApiError> {
    let Some(uid) = caller.principal.user_id.as_deref() else {
        let name = format!("token:{}", caller.principal.name);
        return Ok((name.clone(), name));
    };
    let u = store::identity::user_by_id(conn, uid).await?;
    Ok((
        u.staff_id.unwrap_or_else(|| format!("user:{uid}")),
        u.display_name,
    ))
}

/// A step with the document it rests on, and the partner agencies it
/// names (unit codes, resolved when it is taken).
struct Taken<'a> {
    step: Step,
    document: Option<String>,
    police: Option<&'a str>,
    procuratorate: Option<&'a str>,
}

impl Taken<'_> {
    fn new(step: Step, document: Option<String>) -> Self {
        Taken {
            step,
            document,
            police: None,
            procuratorate: None,
        }
    }
}

/// Decide `taken` on the transfer as stored and write it with its step and
/// an audit entry; the caller commits.
async fn take(
    tx: &mut store::Conn,
    state: &AppState,
    caller: &Caller,
    t: &StoredTransfer,
    named: Option<i64>,
    partner: Option<&Agency>,
    taken: Taken<'_>,
) -> Result<(), ApiError> {
    require_version(named, t.version)?;
    let mut taken = taken;
    let police = match taken.police {
        Some(code) => Some(agency(tx, "police", code).await?),
        None => None,
    };
    let procuratorate = match taken.procuratorate {
        Some(code) => Some(agency(tx, "procuratorate", code).await?),
        None => None,
    };
    // the rules and the record name the agencies as they are called
    match (&mut taken.step, &police, &procuratorate) {
        (Step::Send { police: name, .. }, Some(a), _) => *name = a.name.clone(),
        (
            Step::RequestSupervision {
                procuratorate: name,
                ..
            },
            _,
            Some(a),
        ) => *name = a.name.clone(),
        _ => {}
    }
    let (actor_id, actor_name) = actor(tx, caller).await?;
    let next = transfer::step(&t.record, &actor_id, Utc::now(), &taken.step)?;
    let name = step_name(&taken.step);
    let version = transfers::save(
        tx,
        t,
        &next,
        police.as_ref().map(|a| a.id.as_str()),
        procuratorate.as_ref().map(|a| a.id.as_str()),
        NewStep {
            name,
            detail: Some(&taken.step),
            actor: &actor_id,
            actor_name: &actor_name,
            agency_unit_id: partner.map(|a| a.id.as_str()),
            document: taken.document.as_deref(),
        },
    )
    .await?;
    let before = json!({"status": t.record.status, "version": t.version});
    let after = json!({"step": taken.step, "status": next.status, "version": version,
        "actor": actor_id, "agency": partner.map(|a| &a.code), "document": taken.document});
    audit::append(
        tx,
        &state.audit_key,
        &caller.actor(&t.township_path),
        Change {
            action: "case.transfer",
            object_type: "case",
            object_id: &t.case_id,
            jurisdiction: &t.township_path,
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(())
}

fn step_name(s: &Step) -> &'static str {
    match s {
        Step::Decide { .. } => "decide",
        Step::Send { .. } => "send",
        Step::Receive => "receive",
        Step::Forward { .. } => "forward",
        Step::PoliceDecision { .. } => "police_decision",
        Step::RequestReconsideration => "request_reconsideration",
        Step::ReconsiderationAnswer { .. } => "reconsideration_answer",
        Step::RequestSupervision { .. } => "request_supervision",
        Step::SupervisionConcluded { .. } => "supervision_concluded",
        Step::HandOverItems { .. } => "hand_over_items",
        Step::Resume => "resume",
    }
}

/// A step of the enforcing agency on the case's transfer.
async fn agency_step(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    headers: &HeaderMap,
    head_only: bool,
    taken: Taken<'_>,
) -> ApiResult<Json<CaseTransferView>> {
    let scope = caller.scope(Permission::FileCase)?;
    let named = if_match(headers)?;
    let mut tx = state.store.begin_write().await?;
    let case = case_in(&mut tx, &scope, case_id).await?;
    let t = transfer_of(&mut tx, &case.id).await?;
    if head_only && !holds(caller, Role::BrigadeLeader, &case.township_path) {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "case.decree310_art5_head_only",
            "《行政执法机关移送涉嫌犯罪案件的规定》第五条：是否移送由本机关正职负责人或者主持工作的负责人决定（大队长）",
            "Decree 310 Art. 5: whether to transfer is decided by the head of the agency (the brigade leader)",
        )
        .into());
    }
    take(&mut tx, state, caller, &t, named, None, taken).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    Ok(Json(case_view(&mut conn, &case.id).await?))
}

/// Whether the caller holds `role` in a jurisdiction reaching the township.
fn holds(caller: &Caller, role: Role, township_path: &str) -> bool {
    caller
        .principal
        .grants
        .iter()
        .any(|g| g.role == role && township_path.starts_with(g.jurisdiction_path.as_str()))
}

// ---------------------------------------------------------------- the enforcing agency

/// A case's transfer to the police, with its steps, the next time limit
/// and whether a penalty step may be taken (Decree 310 Art. 11); `transfer`
/// is null when none was reported.
#[utoipa::path(get, path = "/api/v1/cases/{id}/transfer", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = CaseTransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseTransferView>> {
    let scope = caller.scope(Permission::ViewCases)?;
    let mut conn = state.store.acquire().await?;
    let case = case_in(&mut conn, &scope, &id).await?;
    Ok(Json(case_view(&mut conn, &case.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ReportRequest {
    /// Staff ids of the team (专案组): at least two credentialed officers.
    pub officers: Vec<String>,
    /// The suspected crime, in short.
    pub summary: String,
}

/// Report a suspected crime on a case (Decree 310 Art. 5, APL Art. 27): a
/// team of at least two credentialed officers (422
/// `case.decree310_art5_two_officers`). One transfer per case (409
/// `case.transfer_exists`). From now on penalty steps on the case are
/// refused (Art. 11) until the head does not approve or the administrative
/// case resumes.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer", tag = "cases",
    params(("id" = String, Path)), request_body = ReportRequest,
    responses((status = 201, body = CaseTransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReportRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<CaseTransferView>)> {
    let scope = caller.scope(Permission::FileCase)?;
    crate::extract::required("summary", &req.summary)?;
    let mut tx = state.store.begin_write().await?;
    let case = case_in(&mut tx, &scope, &id).await?;
    if transfers::of_case(&mut tx, &case.id).await?.is_some() {
        return Err(Error::new(
            ErrorKind::Conflict,
            "case.transfer_exists",
            "该案件已报告涉嫌犯罪移送",
            "a suspected crime has already been reported on this case",
        )
        .into());
    }
    let now = Utc::now();
    let roster = cases::roster(&mut tx, &case.township_id, domain::time::china_date(now)).await?;
    let record = transfer::report(&roster, &req.officers, now, req.summary.trim())?;
    let (actor_id, actor_name) = actor(&mut tx, &caller).await?;
    transfers::insert(
        &mut tx,
        &case.id,
        &record,
        NewStep {
            name: "report",
            detail: None,
            actor: &actor_id,
            actor_name: &actor_name,
            agency_unit_id: None,
            document: None,
        },
    )
    .await?;
    let after = json!({"status": record.status, "officers": record.officers, "actor": actor_id});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&case.township_path),
        Change {
            action: "case.transfer",
            object_type: "case",
            object_id: &case.id,
            jurisdiction: &case.township_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(case_view(&mut conn, &case.id).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub approved: bool,
    /// Required when not approved (Art. 5: the reasons are recorded).
    pub reasons: Option<String>,
    /// Required after the 3 days.
    pub late_reason: Option<String>,
    /// The number of the approval form, if any.
    pub document: Option<String>,
}

/// The head's decision on the report (Decree 310 Art. 5): by the brigade
/// leader of the township (403 `case.decree310_art5_head_only`), within 3
/// days of the report or with the reason for the delay (422
/// `case.decree310_late_reason`); a refusal gives reasons (422
/// `case.decree310_art5_refusal_reasons`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer/decision", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = DecisionRequest,
    responses((status = 200, body = CaseTransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<Json<CaseTransferView>> {
    caller.scope(Permission::FileCase)?;
    let step = Step::Decide {
        approved: req.approved,
        reasons: optional(&req.reasons).unwrap_or_default(),
        late_reason: optional(&req.late_reason),
    };
    let taken = Taken::new(step, optional(&req.document));
    agency_step(&state, &caller, &id, &headers, true, taken).await
}

#[derive(Deserialize, ToSchema)]
pub struct SendRequest {
    /// The police authority's unit code (a partner agency, e.g. `411423-GA`).
    pub police: String,
    /// What goes with it (Art. 6): transfer_letter, investigation_report,
    /// item_list, appraisals_made, appraisal_reports, other.
    #[schema(value_type = Object)]
    pub package: Package,
    /// The transfer letter's number (移送书文号).
    pub document: Option<String>,
    /// Required after the 24 hours.
    pub late_reason: Option<String>,
}

/// Send the approved case to the police (Decree 310 Art. 5–6): within 24
/// hours of the approval or with the reason for the delay (422
/// `case.decree310_late_reason`), with the complete package (422
/// `case.decree310_art6_package`, naming what is missing) and the transfer
/// letter's number. The police then see it in their inbox.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer/send", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = SendRequest,
    responses((status = 200, body = CaseTransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SendRequest>,
) -> ApiResult<Json<CaseTransferView>> {
    caller.scope(Permission::FileCase)?;
    let document = document(&req.document, "涉嫌犯罪案件移送书", "the transfer letter")?;
    let step = Step::Send {
        police: req.police.clone(),
        package: req.package.clone(),
        late_reason: optional(&req.late_reason),
    };
    let taken = Taken {
        police: Some(&req.police),
        ..Taken::new(step, Some(document))
    };
    agency_step(&state, &caller, &id, &headers, false, taken).await
}

#[derive(Deserialize, ToSchema)]
pub struct DocumentRequest {
    /// The number of the document the step rests on.
    pub document: Option<String>,
}

/// Ask the police to reconsider their decline (Decree 310 Art. 9): within
/// 3 days of the decline notice (422
/// `case.decree310_art9_reconsideration_late`; after that, ask the
/// procuratorate), once. `document`: the request's number (提请复议书).
#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer/reconsideration", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = DocumentRequest,
    responses((status = 200, body = CaseTransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn request_reconsideration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<DocumentRequest>,
) -> ApiResult<Json<CaseTransferView>> {
    caller.scope(Permission::FileCase)?;
    let document = document(
        &req.document,
        "提请复议书",
        "the request for reconsideration",
    )?;
    let taken = Taken::new(Step::RequestReconsideration, Some(document));
    agency_step(&state, &caller, &id, &headers, false, taken).await
}

#[derive(Deserialize, ToSchema)]
pub struct SupervisionRequest {
    /// The procuratorate's unit code (a partner agency, e.g. `411423-JC`).
    pub procuratorate: String,
    /// The request's number (立案监督建议书).
    pub document: Option<String>,
    /// Required more than 3 days after the reconsideration answer.
    pub late_reason: Option<String>,
}

/// Ask the procuratorate to supervise (Decree 310 Art. 9, 14) after the
/// police declined: within 3 days of a reconsideration answer, or with the
/// reason for the delay. The procuratorate then sees the transfer; the
/// administrative case cannot resume while it supervises.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer/supervision", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = SupervisionRequest,
    responses((status = 200, body = CaseTransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn request_supervision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SupervisionRequest>,
) -> ApiResult<Json<CaseTransferView>> {
    caller.scope(Permission::FileCase)?;
    let document = document(
        &req.document,
        "立案监督建议书",
        "the request for supervision",
    )?;
    let step = Step::RequestSupervision {
        procuratorate: req.procuratorate.clone(),
        late_reason: optional(&req.late_reason),
    };
    let taken = Taken {
        procuratorate: Some(&req.procuratorate),
        ..Taken::new(step, Some(document))
    };
    agency_step(&state, &caller, &id, &headers, false, taken).await
}

#[derive(Deserialize, ToSchema)]
pub struct HandoverRequest {
    /// The seized items and materials handed over.
    pub items: Vec<String>,
    /// The police's receipt for them (移交清单回执).
    pub document: Option<String>,
    /// Required more than 3 days after the opening was notified.
    pub late_reason: Option<String>,
}

/// Hand the seized items and materials to the police once they opened a
/// criminal case (Decree 310 Art. 12): within 3 days of the notice, or
/// with the reason for the delay (422 `case.decree310_late_reason`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer/handover", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = HandoverRequest,
    responses((status = 200, body = CaseTransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn hand_over(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<HandoverRequest>,
) -> ApiResult<Json<CaseTransferView>> {
    caller.scope(Permission::FileCase)?;
    if req.items.iter().all(|i| i.trim().is_empty()) {
        return Err(Error::invalid(
            "case.decree310_art12_items",
            "items",
            "《行政执法机关移送涉嫌犯罪案件的规定》第十二条：应当列明移交的涉案物品和有关材料",
            "Decree 310 Art. 12: list the seized items and materials handed over",
        )
        .into());
    }
    let document = document(
        &req.document,
        "移交清单回执",
        "the police's receipt for the items",
    )?;
    let step = Step::HandOverItems {
        items: req.items.iter().map(|i| i.trim().to_string()).collect(),
        late_reason: optional(&req.late_reason),
    };
    agency_step(
        &state,
        &caller,
        &id,
        &headers,
        false,
        Taken::new(step, Some(document)),
    )
    .await
}

/// Resume the administrative case once the police's decline stands
/// (Decree 310 Art. 10): not while a reconsideration or the procuratorate's
/// supervision is pending, nor after the police opened a case (409
/// `case.transfer_transition`). Penalty steps on the case are allowed
/// again (Art. 11); the case itself returns to investigation with the
/// action `resume_after_transfer` if it had been moved to `transferred`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transfer/resume", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = DocumentRequest,
    responses((status = 200, body = CaseTransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<DocumentRequest>,
) -> ApiResult<Json<CaseTransferView>> {
    caller.scope(Permission::FileCase)?;
    let taken = Taken::new(Step::Resume, optional(&req.document));
    agency_step(&state, &caller, &id, &headers, false, taken).await
}

// ---------------------------------------------------------------- partner agencies

/// The partner agency the caller speaks for, if any.
pub(crate) async fn partner_agency(
    conn: &mut store::Conn,
    caller: &Caller,
) -> Result<Option<Agency>, ApiError> {
    match caller.principal.user_id.as_deref() {
        Some(uid) => Ok(transfers::agency_of(conn, uid).await?),
        None => Ok(None),
    }
}

fn not_found() -> ApiError {
    ApiError(Error::not_found("移送案件", "Transfer"))
}

/// A transfer the caller's agency may see (`partner_may_see`); 404
/// otherwise — also when it does not exist, or the caller speaks for no
/// agency.
pub(crate) async fn for_partner(
    conn: &mut store::Conn,
    caller: &Caller,
    id: &str,
) -> Result<(Agency, StoredTransfer), ApiError> {
    let agency = partner_agency(conn, caller).await?.ok_or_else(not_found)?;
    let t = transfers::for_partner(conn, &agency.id, id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => not_found(),
            other => other.into(),
        })?;
    Ok((agency, t))
}

#[derive(Deserialize, IntoParams)]
pub struct InboxQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The partner's inbox: the transfers sent to the caller's agency or that
/// it was asked to supervise, latest change first. Nothing else is listed.
#[utoipa::path(get, path = "/api/v1/partner/transfers", tag = "cases", params(InboxQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<InboxQuery>,
) -> ApiResult<Json<Paged<InboxItem>>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let mut conn = state.store.acquire().await?;
    let (items, total) = match partner_agency(&mut conn, &caller).await? {
        Some(a) => {
            transfers::inbox(
                &mut conn,
                &a.id,
                per_page,
                u64::from(page - 1) * u64::from(per_page),
            )
            .await?
        }
        None => (vec![], 0),
    };
    Ok(Json(Paged {
        items,
        page,
        per_page,
        total,
    }))
}

/// One transfer as the partner agency sees it; 404 unless it was
/// transferred to the caller's agency (`partner_may_see`).
#[utoipa::path(get, path = "/api/v1/partner/transfers/{id}", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = TransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn partner_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TransferView>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let mut conn = state.store.acquire().await?;
    let (_, t) = for_partner(&mut conn, &caller, &id).await?;
    Ok(Json(view(&mut conn, t).await?))
}

/// Which partner answers a step.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Police,
    Procuratorate,
}

/// A partner's step: only by the agency the transfer was sent to (the
/// police) or asked (the procuratorate); 403 `case.decree310_partner_step`
/// for another partner that may see it.
async fn partner_step(
    state: &AppState,
    caller: &Caller,
    id: &str,
    headers: &HeaderMap,
    part: Part,
    taken: Taken<'_>,
) -> ApiResult<Json<TransferView>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let named = if_match(headers)?;
    let mut tx = state.store.begin_write().await?;
    let (agency, t) = for_partner(&mut tx, caller, id).await?;
    let answers_for = match part {
        Part::Police => &t.police_unit_id,
        Part::Procuratorate => &t.procuratorate_unit_id,
    };
    if answers_for.as_deref() != Some(agency.id.as_str()) {
        let (zh, en) = match part {
            Part::Police => ("接受移送的公安机关", "the police it was sent to"),
            Part::Procuratorate => (
                "被建议立案监督的人民检察院",
                "the procuratorate asked to supervise",
            ),
        };
        return Err(Error::new(
            ErrorKind::Forbidden,
            "case.decree310_partner_step",
            format!("《行政执法机关移送涉嫌犯罪案件的规定》：此步骤由{zh}办理"),
            format!("Decree 310: this step is taken by {en}"),
        )
        .into());
    }
    take(&mut tx, state, caller, &t, named, Some(&agency), taken).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    let t = transfers::for_partner(&mut conn, &agency.id, id).await?;
    Ok(Json(view(&mut conn, t).await?))
}

/// The police sign the receipt (Decree 310 Art. 8; `document`: the
/// receipt's number, 回执). Their 3 days of review start now.
#[utoipa::path(post, path = "/api/v1/partner/transfers/{id}/receipt", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = DocumentRequest,
    responses((status = 200, body = TransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn receipt(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<DocumentRequest>,
) -> ApiResult<Json<TransferView>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let document = document(&req.document, "接受移送回执", "the receipt")?;
    let taken = Taken::new(Step::Receive, Some(document));
    partner_step(&state, &caller, &id, &headers, Part::Police, taken).await
}

#[derive(Deserialize, ToSchema)]
pub struct ForwardRequest {
    /// The competent body it was passed to.
    pub to: String,
    /// The number of the notice to the agency.
    pub document: Option<String>,
}

/// Police that are not competent pass the case to the competent body
/// within 24 hours and tell the agency (Decree 310 Art. 8).
#[utoipa::path(post, path = "/api/v1/partner/transfers/{id}/forward", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = ForwardRequest,
    responses((status = 200, body = TransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn forward(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ForwardRequest>,
) -> ApiResult<Json<TransferView>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let document = document(&req.document, "移送通知书", "the notice to the agency")?;
    let taken = Taken::new(Step::Forward { to: req.to.clone() }, Some(document));
    partner_step(&state, &caller, &id, &headers, Part::Police, taken).await
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// Whether a criminal case is opened (立案) or not (不予立案).
    pub opened: bool,
    /// The day the written notice reached the agency (YYYY-MM-DD);
    /// default today.
    #[schema(value_type = Option<String>)]
    pub notified_on: Option<NaiveDate>,
    /// Required for a decline (Art. 8).
    pub reasons: Option<String>,
    /// The notice's number (立案通知书 / 不予立案通知书 / 复议决定书).
    pub document: Option<String>,
}

/// The police's written answer (Decree 310 Art. 8): a criminal case opened
/// or declined with reasons (422 `case.decree310_art8_reasons`); while a
/// reconsideration is pending, the answer to it (Art. 9). An answer after
/// the 3 days is recorded as it happened and the transfer shows the police
/// as overdue.
#[utoipa::path(post, path = "/api/v1/partner/transfers/{id}/answer", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = AnswerRequest,
    responses((status = 200, body = TransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> ApiResult<Json<TransferView>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let document = document(
        &req.document,
        "立案或者不予立案通知书",
        "the written notice",
    )?;
    let notified_on = req
        .notified_on
        .unwrap_or_else(|| domain::time::china_date(Utc::now()));
    let reasons = optional(&req.reasons).unwrap_or_default();
    // the answer to a reconsideration, when one is pending
    let pending = {
        let mut conn = state.store.acquire().await?;
        let (_, t) = for_partner(&mut conn, &caller, &id).await?;
        t.record.status == TransferStatus::ReconsiderationRequested
    };
    let step = if pending {
        Step::ReconsiderationAnswer {
            opened: req.opened,
            notified_on,
            reasons,
        }
    } else {
        Step::PoliceDecision {
            opened: req.opened,
            notified_on,
            reasons,
        }
    };
    let taken = Taken::new(step, Some(document));
    partner_step(&state, &caller, &id, &headers, Part::Police, taken).await
}

#[derive(Deserialize, ToSchema)]
pub struct SupervisionOutcomeRequest {
    /// Whether the police opened a criminal case (as the procuratorate
    /// required) or the decline stands.
    pub opened: bool,
    /// The day the agency was notified (YYYY-MM-DD); default today.
    #[schema(value_type = Option<String>)]
    pub notified_on: Option<NaiveDate>,
    /// The notice's number.
    pub document: Option<String>,
}

/// The procuratorate concludes its supervision (Decree 310 Art. 9, 14): the
/// police opened a case, or the decline stands and the agency may resume.
#[utoipa::path(post, path = "/api/v1/partner/transfers/{id}/supervision", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the transfer's version the step was decided on")),
    request_body = SupervisionOutcomeRequest,
    responses((status = 200, body = TransferView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn conclude_supervision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SupervisionOutcomeRequest>,
) -> ApiResult<Json<TransferView>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let document = document(&req.document, "立案监督通知", "the notice")?;
    let step = Step::SupervisionConcluded {
        opened: req.opened,
        notified_on: req
            .notified_on
            .unwrap_or_else(|| domain::time::china_date(Utc::now())),
    };
    let taken = Taken::new(step, Some(document));
    partner_step(&state, &caller, &id, &headers, Part::Procuratorate, taken).await
}

#[derive(Deserialize, ToSchema)]
pub struct LiaisonRequest {
    /// The partner agency's or county department's unit code, e.g.
    /// `411423-GA` (police) or `411423-SJ` (market supervision).
    pub agency: String,
}

/// Record which partner agency a liaison login speaks for: the user must
/// hold the partner-liaison role inside the caller's jurisdiction (422
/// `transfer.liaison_role`), and the agency must lie inside it too (403
/// `access.out_of_jurisdiction`: the county's agencies are named by the
/// county).
#[utoipa::path(put, path = "/api/v1/partner-liaisons/{id}", tag = "identity",
    params(("id" = String, Path)), request_body = LiaisonRequest,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn set_liaison(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<LiaisonRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let scope = caller.scope(Permission::ManageUsers)?;
    crate::extract::required("agency", &req.agency)?;
    let mut tx = state.store.begin_write().await?;
    store::identity::user_in(&mut tx, &scope, &id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::not_found("用户", "User")),
            other => other.into(),
        })?;
    let grant = store::identity::grants_of(&mut tx, &id)
        .await?
        .into_iter()
        .find(|g| g.role == Role::AgencyLiaison && scope.covers(&g.jurisdiction_path))
        .ok_or_else(|| {
            ApiError(Error::invalid(
                "transfer.liaison_role",
                "id",
                "该用户在您的辖区内没有协作机关联络员角色",
                "this user holds no partner-liaison role in your jurisdiction",
            ))
        })?;
    // a partner agency, or a county department answering requests for
    // assistance and joining joint investigations
    let a = store::cooperation::body_by_code(&mut tx, req.agency.trim())
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::invalid(
                "transfer.unknown_agency",
                "agency",
                format!("没有代码为 {} 的协作机关或县直部门", req.agency.trim()),
                format!(
                    "no partner agency or county department has code {}",
                    req.agency.trim()
                ),
            )),
            other => other.into(),
        })?;
    scope.check(&a.jurisdiction_path)?;
    transfers::set_liaison(&mut tx, &id, &a.id, &caller.principal.name).await?;
    let after = json!({"agency": a.code});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&grant.jurisdiction_path),
        Change {
            action: "partner_liaison.set",
            object_type: "user",
            object_id: &id,
            jurisdiction: &grant.jurisdiction_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(json!({"user_id": id, "agency": a})))
}
