//! Working with other bodies on a case: requests for assistance (APL Art.
//! 26, `domain::case::transfer::AssistanceRequest`) and joint
//! investigations with county departments (`domain::case::joint`).
//!
//! The enforcing agency (`FileCase` in the case's township to ask or open,
//! `ViewCases` to read) works through the case. The body asked, or a
//! member department, works through its liaison login (`ReceiveTransfers`,
//! speaking for the unit recorded with `PUT /api/v1/partner-liaisons/{id}`)
//! and sees only what is addressed to it; everything else is 404.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use domain::access::Permission;
use domain::case::joint::JointInvestigation;
use domain::case::transfer::AssistanceRequest;
use domain::{Error, ErrorKind};
use serde::Deserialize;
use serde_json::json;
use store::audit::{self, Change};
use store::cooperation::{self, Kind, Stored};
use store::transfers::Agency;
use utoipa::{IntoParams, ToSchema};

use super::cases::{case_in, today};
use super::org::{Paged, paging};
use super::transfers::{actor, partner_agency};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

type Assistance = Stored<AssistanceRequest>;
type Joint = Stored<JointInvestigation>;

/// A department or partner agency by code (422 naming `field`).
async fn body(conn: &mut store::Conn, field: &str, code: &str) -> Result<Agency, ApiError> {
    cooperation::body_by_code(conn, code.trim())
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::invalid(
                "case.unknown_body",
                field.to_string(),
                format!("没有代码为 {} 的县直部门或协作机关", code.trim()),
                format!(
                    "no county department or partner agency has code {}",
                    code.trim()
                ),
            )),
            other => other.into(),
        })
}

/// The unit the caller's liaison login speaks for; 404 `what` without one.
async fn own_unit(
    conn: &mut store::Conn,
    caller: &Caller,
    zh: &str,
    en: &str,
) -> Result<Agency, ApiError> {
    partner_agency(conn, caller)
        .await?
        .ok_or_else(|| ApiError(Error::not_found(zh, en)))
}

fn missing(zh: &'static str, en: &'static str) -> impl Fn(store::StoreError) -> ApiError {
    move |e| match e {
        store::StoreError::NotFound => ApiError(Error::not_found(zh, en)),
        other => other.into(),
    }
}

async fn audit_change(
    tx: &mut store::Conn,
    state: &AppState,
    caller: &Caller,
    path: &str,
    action: &'static str,
    (object_type, object_id): (&str, &str),
    after: serde_json::Value,
) -> Result<(), ApiError> {
    audit::append(
        tx,
        &state.audit_key,
        &caller.actor(path),
        Change {
            action,
            object_type,
            object_id,
            jurisdiction: path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- assistance (Art. 26)

#[derive(Deserialize, ToSchema)]
pub struct AssistanceBody {
    /// The body asked: a county department's or partner agency's unit code.
    pub to_agency: String,
    /// The matter it is asked to help with (e.g. 协助测绘占地面积).
    pub matter: String,
}

/// Ask another body for assistance (APL Art. 26): the body and the matter
/// are named (422 `case.art26_assistance`); an unknown body is 422
/// `case.unknown_body`. The body's liaison sees it in
/// `GET /api/v1/partner/assistance`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/assistance", tag = "cases",
    params(("id" = String, Path)), request_body = AssistanceBody,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn request_assistance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssistanceBody>,
) -> ApiResult<(StatusCode, Json<Assistance>)> {
    let scope = caller.scope(Permission::FileCase)?;
    let record = AssistanceRequest::new(&req.to_agency, &req.matter, today())?;
    let mut tx = state.store.begin_write().await?;
    let case = case_in(&mut tx, &scope, &id).await?;
    let unit = body(&mut tx, "to_agency", &req.to_agency).await?;
    let record = AssistanceRequest {
        to_agency: unit.code.clone(),
        ..record
    };
    let (actor_id, _) = actor(&mut tx, &caller).await?;
    let rid =
        cooperation::insert_assistance(&mut tx, &case.id, &unit.id, &record, &actor_id).await?;
    let after = json!({"case_id": case.id, "to_agency": unit.code, "matter": record.matter});
    audit_change(
        &mut tx,
        &state,
        &caller,
        &case.township_path,
        "case.assistance_request",
        ("assistance_request", &rid),
        after,
    )
    .await?;
    let stored = cooperation::one_of_case(&mut tx, Kind::Assistance, &case.id, &rid).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// A case's requests for assistance, oldest first, with their answers.
#[utoipa::path(get, path = "/api/v1/cases/{id}/assistance", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn case_assistance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let scope = caller.scope(Permission::ViewCases)?;
    let mut conn = state.store.acquire().await?;
    let case = case_in(&mut conn, &scope, &id).await?;
    let items: Vec<Assistance> =
        cooperation::of_case(&mut conn, Kind::Assistance, &case.id).await?;
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The requests for assistance addressed to the caller's unit, latest
/// first; nothing else is listed.
#[utoipa::path(get, path = "/api/v1/partner/assistance", tag = "cases", params(PageQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn assistance_inbox(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Paged<Assistance>>> {
    inbox(&state, &caller, Kind::Assistance, q).await
}

async fn inbox<T: serde::de::DeserializeOwned>(
    state: &AppState,
    caller: &Caller,
    kind: Kind,
    q: PageQuery,
) -> ApiResult<Json<Paged<Stored<T>>>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let mut conn = state.store.acquire().await?;
    let (items, total) = match partner_agency(&mut conn, caller).await? {
        Some(unit) => {
            let offset = u64::from(page - 1) * u64::from(per_page);
            cooperation::for_unit(&mut conn, kind, &unit.id, per_page, offset).await?
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

#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    pub granted: bool,
    /// Required for a refusal (Art. 26: within its powers a body must
    /// assist; a refusal gives the reason).
    #[serde(default)]
    pub note: String,
}

/// The body asked answers (APL Art. 26): once (409
/// `case.art26_answered`); a refusal needs the reason (422
/// `case.art26_refusal_reason`). 404 unless addressed to the caller's unit.
#[utoipa::path(post, path = "/api/v1/partner/assistance/{id}/answer", tag = "cases",
    params(("id" = String, Path)), request_body = AnswerBody,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn answer_assistance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AnswerBody>,
) -> ApiResult<Json<Assistance>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let mut tx = state.store.begin_write().await?;
    let unit = own_unit(&mut tx, &caller, "协助请求", "Request for assistance").await?;
    let a: Assistance = cooperation::for_unit_one(&mut tx, Kind::Assistance, &unit.id, &id)
        .await
        .map_err(missing("协助请求", "Request for assistance"))?;
    if a.record.answer.is_some() {
        return Err(Error::new(
            ErrorKind::Conflict,
            "case.art26_answered",
            "该协助请求已经答复",
            "this request for assistance has already been answered",
        )
        .into());
    }
    let record = a.record.answer(req.granted, &req.note, today())?;
    let status = if req.granted { "granted" } else { "refused" };
    cooperation::save(&mut tx, Kind::Assistance, &a.id, a.version, &record, status).await?;
    let (actor_id, _) = actor(&mut tx, &caller).await?;
    cooperation::set_answered_by(&mut tx, &a.id, &actor_id).await?;
    let after = json!({"status": status, "agency": unit.code, "note": req.note.trim()});
    audit_change(
        &mut tx,
        &state,
        &caller,
        &a.township_path,
        "case.assistance_answer",
        ("assistance_request", &a.id),
        after,
    )
    .await?;
    let stored = cooperation::for_unit_one(&mut tx, Kind::Assistance, &unit.id, &id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(stored))
}

// ---------------------------------------------------------------- joint investigations

#[derive(Deserialize, ToSchema)]
pub struct JointBody {
    /// What is investigated together.
    pub subject: String,
    /// The county departments or agencies joining (unit codes).
    pub agencies: Vec<String>,
}

/// Open a joint investigation of the case with county departments: at
/// least one, each once (422 `case.joint_members`), each a known
/// department or agency (422 `case.unknown_body`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/joint-investigations", tag = "cases",
    params(("id" = String, Path)), request_body = JointBody,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn open_joint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<JointBody>,
) -> ApiResult<(StatusCode, Json<Joint>)> {
    let scope = caller.scope(Permission::FileCase)?;
    let codes: Vec<String> = req.agencies.iter().map(|c| c.trim().to_string()).collect();
    let record = JointInvestigation::open(&req.subject, &codes, today())?;
    let mut tx = state.store.begin_write().await?;
    let case = case_in(&mut tx, &scope, &id).await?;
    let mut units = Vec::new();
    for code in &record.members {
        units.push(body(&mut tx, "agencies", code).await?.id);
    }
    let (actor_id, _) = actor(&mut tx, &caller).await?;
    let jid = cooperation::insert_joint(&mut tx, &case.id, &record, &units, &actor_id).await?;
    let after = json!({"case_id": case.id, "subject": record.subject, "agencies": record.members});
    audit_change(
        &mut tx,
        &state,
        &caller,
        &case.township_path,
        "case.joint_open",
        ("joint_investigation", &jid),
        after,
    )
    .await?;
    let stored = cooperation::one_of_case(&mut tx, Kind::Joint, &case.id, &jid).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// A case's joint investigations, oldest first, with each member's
/// findings and the members still to report (`missing`).
#[utoipa::path(get, path = "/api/v1/cases/{id}/joint-investigations", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn case_joints(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let scope = caller.scope(Permission::ViewCases)?;
    let mut conn = state.store.acquire().await?;
    let case = case_in(&mut conn, &scope, &id).await?;
    let items: Vec<Joint> = cooperation::of_case(&mut conn, Kind::Joint, &case.id).await?;
    let items: Vec<_> = items
        .into_iter()
        .map(|j| {
            let missing = j
                .record
                .missing()
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>();
            json!({"joint": j, "missing": missing})
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize, ToSchema)]
pub struct ConclusionBody {
    pub conclusion: String,
}

/// The lead concludes, once every member has reported (409
/// `case.joint_findings_missing`, naming who has not); only once (409
/// `case.joint_concluded`). `If-Match` may name the version read.
#[utoipa::path(post, path = "/api/v1/cases/{id}/joint-investigations/{joint_id}/conclusion",
    tag = "cases",
    params(("id" = String, Path), ("joint_id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the version the conclusion was decided on")),
    request_body = ConclusionBody,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn conclude_joint(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, joint_id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ConclusionBody>,
) -> ApiResult<Json<Joint>> {
    let scope = caller.scope(Permission::FileCase)?;
    let named = super::versioned::if_match(
        &headers,
        "joint.if_match",
        "If-Match 应为联合调查的版本号（version）",
        "If-Match must be the joint investigation's version",
    )?;
    let mut tx = state.store.begin_write().await?;
    let case = case_in(&mut tx, &scope, &id).await?;
    let j: Joint = cooperation::one_of_case(&mut tx, Kind::Joint, &case.id, &joint_id)
        .await
        .map_err(missing("联合调查", "Joint investigation"))?;
    super::versioned::require_version(named, j.version)?;
    let (_, actor_name) = actor(&mut tx, &caller).await?;
    let record = j.record.conclude(&req.conclusion, &actor_name, today())?;
    cooperation::save(&mut tx, Kind::Joint, &j.id, j.version, &record, "concluded").await?;
    let after = json!({"status": "concluded", "conclusion": req.conclusion.trim()});
    audit_change(
        &mut tx,
        &state,
        &caller,
        &case.township_path,
        "case.joint_conclude",
        ("joint_investigation", &j.id),
        after,
    )
    .await?;
    let stored = cooperation::one_of_case(&mut tx, Kind::Joint, &case.id, &j.id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(stored))
}

/// The joint investigations the caller's unit is a member of, latest first.
#[utoipa::path(get, path = "/api/v1/partner/joint-investigations", tag = "cases", params(PageQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn joint_inbox(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Paged<Joint>>> {
    inbox(&state, &caller, Kind::Joint, q).await
}

#[derive(Deserialize, ToSchema)]
pub struct FindingBody {
    pub text: String,
}

/// A member department records what it found (within its own powers, APL
/// Art. 20); 404 unless the caller's unit is a member; 409
/// `case.joint_concluded` once concluded.
#[utoipa::path(post, path = "/api/v1/partner/joint-investigations/{id}/findings", tag = "cases",
    params(("id" = String, Path)), request_body = FindingBody,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<FindingBody>,
) -> ApiResult<Json<Joint>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let mut tx = state.store.begin_write().await?;
    let unit = own_unit(&mut tx, &caller, "联合调查", "Joint investigation").await?;
    let j: Joint = cooperation::for_unit_one(&mut tx, Kind::Joint, &unit.id, &id)
        .await
        .map_err(missing("联合调查", "Joint investigation"))?;
    let (_, actor_name) = actor(&mut tx, &caller).await?;
    let record = j
        .record
        .add_finding(&unit.code, &actor_name, &req.text, Utc::now())?;
    cooperation::save(&mut tx, Kind::Joint, &j.id, j.version, &record, "open").await?;
    let after = json!({"agency": unit.code, "finding": req.text.trim()});
    audit_change(
        &mut tx,
        &state,
        &caller,
        &j.township_path,
        "case.joint_finding",
        ("joint_investigation", &j.id),
        after,
    )
    .await?;
    let stored = cooperation::for_unit_one(&mut tx, Kind::Joint, &unit.id, &id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(stored))
}
