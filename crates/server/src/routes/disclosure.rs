//! Publication of penalty decisions (行政执法公示) and its withdrawal.
//!
//! * `POST /api/v1/cases/{id}/publication`: a legal reviewer or the
//!   brigade leader (`PublishDecisions`) publishes a decided case's penalty
//!   decision as `domain::case::disclosure::publish` masks it (ID numbers,
//!   phone numbers, a natural person's home address; a minor by surname);
//!   published after the 7 working days of 国办发〔2018〕118号 it is marked
//!   late. The case view shows the deadline (`publication.publish_by`) and
//!   whether it has passed unpublished (`publication.overdue`).
//! * `POST /api/v1/cases/{id}/publication/withdrawal`: APL Art. 48 — the
//!   decision was changed, revoked, or held illegal or void; the
//!   publication is withdrawn with its reasons, which stay public.
//! * `GET /api/v1/public/decisions` and `GET /api/v1/public/decisions/{id}`:
//!   without login. A public answer holds only what was published: no
//!   internal identifiers (case, users), and for a withdrawn decision only
//!   its number, agency, dates and the withdrawal with its reasons.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::access::Permission;
use domain::case::disclosure::{self, Change, PublishedDecision, Withdrawal};
use domain::case::procedure::Decision;
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::audit::{self, Change as AuditChange};
use store::disclosure::{self as sd, NewPublication, Publication};
use utoipa::{IntoParams, ToSchema};

use super::org::{Paged, paging};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

fn today() -> NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

fn case_not_found(e: store::StoreError) -> ApiError {
    match e {
        store::StoreError::NotFound => ApiError(Error::not_found("案件", "Case")),
        other => other.into(),
    }
}

/// A publication as staff see it (who published and withdrew it).
#[derive(Serialize, ToSchema)]
pub struct PublicationView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub publication: Publication,
}

/// Publish the case's penalty decision (国办发〔2018〕118号, APL Art. 48):
/// the decision recorded on the case, personal data masked; dated today
/// and marked `late` when after the 7 working days. Needs
/// `PublishDecisions` (legal reviewer, brigade leader) in the case's
/// township. 409 `disclosure.not_decided` before a penalty decision, 409
/// `disclosure.already_published` while a publication is in force, 422
/// `case.disclosure_personal_data` if personal data would remain. Audited
/// as `case.publish`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/publication", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 201, body = PublicationView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<PublicationView>)> {
    let scope = caller.scope(Permission::PublishDecisions)?;
    let mut tx = state.store.begin_write().await?;
    let case = store::cases::case_in(&mut tx, &scope, &id)
        .await
        .map_err(case_not_found)?;
    let p = store::cases::procedure(&mut tx, &case).await?;
    let (Some(party), Some(decided)) = (&p.party, &p.record.decision) else {
        return Err(not_decided());
    };
    let Decision::Penalise { letter } = &decided.decision else {
        return Err(not_decided());
    };
    if sd::in_force(&mut tx, &id).await?.is_some() {
        return Err(already_published());
    }
    let cal = state.calendar.get();
    let published = disclosure::publish(
        &cal,
        party,
        p.record.act_date,
        letter,
        decided.decided_on,
        today(),
    )?;
    let publish_by = disclosure::publication_deadline(&cal, decided.decided_on);
    let stored = sd::insert(
        &mut tx,
        NewPublication {
            case_id: &id,
            township_id: &case.township_id,
            publish_by,
            decision: &published,
            published_by: &caller.principal.name,
        },
    )
    .await
    .map_err(|e| match e {
        store::StoreError::Conflict { .. } => already_published(),
        other => other.into(),
    })?;
    let after = json!({"publication": stored.id, "number": stored.number,
        "published_on": stored.published_on, "publish_by": publish_by, "late": stored.late});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&case.township_path),
        AuditChange {
            action: "case.publish",
            object_type: "case",
            object_id: &id,
            jurisdiction: &case.township_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(PublicationView {
            publication: stored,
        }),
    ))
}

fn not_decided() -> ApiError {
    ApiError(Error::new(
        ErrorKind::Conflict,
        "disclosure.not_decided",
        "案件尚未作出行政处罚决定，无可公开的处罚决定",
        "the case has no penalty decision to publish",
    ))
}

fn already_published() -> ApiError {
    ApiError(Error::new(
        ErrorKind::Conflict,
        "disclosure.already_published",
        "该案件的处罚决定已经公开；如决定被变更，请先撤回再公开",
        "this case's decision is already published; withdraw it first if the decision changed",
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawalRequest {
    /// What happened to the decision: altered (变更), revoked (撤销),
    /// held_illegal (确认违法), held_void (确认无效).
    #[schema(value_type = String)]
    pub change: Change,
    /// The day the decision was changed, revoked or held illegal or void,
    /// YYYY-MM-DD: the 3 working days run from it.
    #[schema(value_type = String, format = Date)]
    pub changed_on: NaiveDate,
    /// Why; published with the withdrawal.
    pub reasons: String,
}

/// Withdraw the case's publication in force (APL Art. 48): dated today,
/// with the reasons (422 `case.art48_withdrawal_reasons` without), marked
/// `late` when after the 3 working days from `changed_on`. 409
/// `disclosure.not_published` when none is in force. Needs
/// `PublishDecisions`. Audited as `case.publication_withdraw`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/publication/withdrawal", tag = "cases",
    params(("id" = String, Path)), request_body = WithdrawalRequest,
    responses((status = 200, body = PublicationView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<WithdrawalRequest>,
) -> ApiResult<Json<PublicationView>> {
    let scope = caller.scope(Permission::PublishDecisions)?;
    let mut tx = state.store.begin_write().await?;
    let case = store::cases::case_in(&mut tx, &scope, &id)
        .await
        .map_err(case_not_found)?;
    let cal = state.calendar.get();
    let w: Withdrawal =
        disclosure::withdraw(&cal, req.change, req.changed_on, today(), &req.reasons)?;
    let Some(current) = sd::in_force(&mut tx, &id).await? else {
        return Err(ApiError(Error::new(
            ErrorKind::Conflict,
            "disclosure.not_published",
            "该案件没有正在公开的处罚决定",
            "this case has no publication in force",
        )));
    };
    let stored = sd::withdraw(&mut tx, &current.id, &w, &caller.principal.name).await?;
    let after = json!({"publication": stored.id, "withdrawal": w});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&case.township_path),
        AuditChange {
            action: "case.publication_withdraw",
            object_type: "case",
            object_id: &id,
            jurisdiction: &case.township_path,
            before: Some(&json!({"publication": current.id})),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(PublicationView {
        publication: stored,
    }))
}

/// A published decision as the public sees it.
#[derive(Serialize, ToSchema)]
pub struct PublicDecision {
    pub id: String,
    /// The decision's number (文号).
    pub number: String,
    pub township: String,
    pub township_name: String,
    #[schema(value_type = String, format = Date)]
    pub decided_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub published_on: NaiveDate,
    /// Published after the 7 working days.
    pub late: bool,
    /// `published` or `withdrawn`.
    pub status: String,
    /// The decision as published (personal data masked); null once withdrawn.
    #[schema(value_type = Option<Object>)]
    pub decision: Option<PublishedDecision>,
    /// APL Art. 48: why and when it was withdrawn.
    #[schema(value_type = Option<Object>)]
    pub withdrawal: Option<Withdrawal>,
}

impl From<Publication> for PublicDecision {
    fn from(p: Publication) -> Self {
        let withdrawn = p.withdrawal.is_some();
        PublicDecision {
            id: p.id,
            number: p.number,
            township: p.township_code,
            township_name: p.township_name,
            decided_on: p.decided_on,
            published_on: p.published_on,
            late: p.late,
            status: if withdrawn { "withdrawn" } else { "published" }.into(),
            decision: (!withdrawn).then_some(p.decision),
            withdrawal: p.withdrawal,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PublicQuery {
    /// Only this township's decisions (code).
    pub township: Option<String>,
    pub page: Option<u32>,
    /// 1–500, default 100.
    pub per_page: Option<u32>,
}

/// Published penalty decisions, newest first, without login; withdrawn
/// ones are listed with the reasons and without their content.
#[utoipa::path(get, path = "/api/v1/public/decisions", tag = "public", params(PublicQuery),
    responses((status = 200, body = Object),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn public_list(
    State(state): State<AppState>,
    Query(q): Query<PublicQuery>,
) -> ApiResult<Json<Paged<PublicDecision>>> {
    let (page, per_page) = paging(q.page, q.per_page)?;
    let township = q
        .township
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let mut conn = state.store.acquire().await?;
    let (items, total) = sd::public_list(
        &mut conn,
        township,
        per_page,
        u64::from(page - 1) * u64::from(per_page),
    )
    .await?;
    Ok(Json(Paged {
        items: items.into_iter().map(PublicDecision::from).collect(),
        page,
        per_page,
        total,
    }))
}

/// One published penalty decision, without login.
#[utoipa::path(get, path = "/api/v1/public/decisions/{id}", tag = "public",
    params(("id" = String, Path)),
    responses((status = 200, body = PublicDecision),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn public_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PublicDecision>> {
    let mut conn = state.store.acquire().await?;
    let p = sd::by_id(&mut conn, &id).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError(Error::not_found("公开的处罚决定", "Decision")),
        other => other.into(),
    })?;
    Ok(Json(p.into()))
}

/// The publication deadline of a case as the case view shows it
/// (国办发〔2018〕118号: within 7 working days of a penalty decision).
#[derive(Serialize, ToSchema)]
pub struct PublicationStatus {
    /// The last day to publish.
    #[schema(value_type = String, format = Date)]
    pub publish_by: NaiveDate,
    /// The deadline has passed and nothing was published.
    pub overdue: bool,
    /// The publication in force, if any.
    #[schema(value_type = Option<String>, format = Date)]
    pub published_on: Option<NaiveDate>,
    pub publication_id: Option<String>,
    /// Published after the deadline.
    pub late: bool,
    /// The last withdrawal (APL Art. 48), if the publication was withdrawn
    /// and none is in force.
    #[schema(value_type = Option<Object>)]
    pub withdrawal: Option<Withdrawal>,
}

/// For a case decided with a penalty: its publication deadline and state.
pub async fn status_of(
    conn: &mut store::Conn,
    cal: &domain::calendar::Calendar,
    case_id: &str,
    record: &domain::case::Record,
    today: NaiveDate,
) -> Result<Option<PublicationStatus>, ApiError> {
    let Some(d) = &record.decision else {
        return Ok(None);
    };
    if !matches!(d.decision, Decision::Penalise { .. }) {
        return Ok(None);
    }
    let publish_by = disclosure::publication_deadline(cal, d.decided_on);
    let all = sd::of_case(conn, case_id).await?;
    let current = all.iter().find(|p| p.withdrawal.is_none());
    let ever = all.first();
    Ok(Some(PublicationStatus {
        publish_by,
        overdue: ever.is_none() && today > publish_by,
        published_on: current.map(|p| p.published_on),
        publication_id: current.map(|p| p.id.clone()),
        late: ever.is_some_and(|p| p.late),
        withdrawal: match current {
            Some(_) => None,
            None => all.last().and_then(|p| p.withdrawal.clone()),
        },
    }))
}
