//! Penalty cases: filing under a held item with the basis in force at the
//! act (APL Art. 24, 36, 37), reading them within the caller's jurisdiction,
//! and the ordinary procedure (APL Art. 42–67) from investigation to archive.
//!
//! Every step is one domain [`Action`] posted to `/cases/{id}/actions` and
//! decided by [`domain::case::transition`] on the case's record as stored,
//! with the facts the rules need gathered here: today (China time), the
//! caller as actor, the working-day calendar, Henan's rules, the party, the
//! item version and basis the case was filed under, the township's
//! credentialed officers and legal reviewers, and the Art. 60 deadline. The
//! new record is written onto the version it was decided on (a concurrent
//! step is `409 conflict.stale`) with an audit entry `case.step`.
//!
//! Permissions: steps need `FileCase`, reads `ViewCases`. The one narrow
//! path is the legal review opinion (`record_legal_review`, Art. 58): a
//! caller holding the legal-reviewer role in the case's township records it
//! with `ViewCases` alone, and the rules accept it only from the reviewer
//! the case was submitted to.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use chrono::NaiveDate;
use domain::access::{Permission, Role};
use domain::case::clock::Clock;
use domain::case::disclosure::{mask_address, mask_phone};
use domain::case::officers::Officer;
use domain::case::party::{NaturalPerson, Organisation, Representative};
use domain::case::performance::Owed;
use domain::case::procedure::{CaseTraits, Decision, LegalReviewer};
use domain::case::{
    Action, CaseRules, CaseStatus, CreditCode, Facts, FilingFacts, Party, Record, ResidentId,
    clock, file, transition,
};
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::audit::{self, Change};
use store::cases::{self, Case, NewCase};
use store::powerlist as pl;
use utoipa::{IntoParams, ToSchema};

use super::org::{Paged, paging};
use super::reports::actions::actor_id;
use super::users::jurisdiction_in;
use super::versioned::require_version;
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
    crate::extract::date("case.date", field, s)
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
    let mut tx = state.store.begin_write().await?;
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
            filed_on: today,
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

/// One case, with the basis in force at the act and any lighter one
/// offered, its procedure record, the Art. 60 clock (until the decision),
/// what is owed once served, the officers on it and the township's legal
/// reviewers. The party's ID numbers, phones and home address are masked
/// unless the caller may see personal data (`ViewPersonalData` in the
/// township); such a read is recorded in the audit log (`case.read_personal`).
/// The `ETag` is the case's version.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<([(HeaderName, String); 1], Json<CaseView>)> {
    let scope = caller.scope(Permission::ViewCases)?;
    // a read of personal data writes its audit entry: take the write lock
    // at once (SQLite) rather than upgrade to it
    let mut tx = if caller.principal.scope(Permission::ViewPersonalData).is_ok() {
        state.store.begin_write().await?
    } else {
        state.store.begin_read().await?
    };
    let case = case_in(&mut tx, &scope, &id).await?;
    let reveal = may_see_personal(&caller, &case.township_path);
    let view = view(&mut tx, &state, case, reveal).await?;
    if reveal && view.personal_data {
        audit::append(
            &mut tx,
            &state.audit_key,
            &caller.actor(&view.case.township_path),
            Change {
                action: "case.read_personal",
                object_type: "case",
                object_id: &id,
                jurisdiction: &view.case.township_path,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((
        [(header::ETAG, format!("\"{}\"", view.version))],
        Json(view),
    ))
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

// ---------------------------------------------------------------- the procedure

/// A case as the procedure routes answer it.
#[derive(Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: Case,
    /// The version a change may name in `If-Match`.
    pub version: i64,
    /// Every step recorded (`domain::case::Record`). A natural person's
    /// address in the decision letter is masked like the party's.
    pub record: Record,
    /// APL Art. 60: the decision deadline, days left and a warning; null
    /// once the case is decided or has left the agency.
    pub clock: Option<Clock>,
    /// The day the fine falls due (Art. 67), once the receipt is known.
    pub payment_due: Option<NaiveDate>,
    /// The fine and the Art. 72 surcharge owed today, while it is being
    /// performed.
    pub owed: Option<Owed>,
    /// The party (`kind`: person or organisation), masked unless the
    /// caller may see personal data.
    pub party: Option<Value>,
    /// Whether the party holds personal data (a natural person's ID
    /// number, phone or address, a representative's ID number or phone).
    pub personal_data: bool,
    /// Whether `party` is shown masked.
    pub party_masked: bool,
    pub traits: CaseTraits,
    /// Who took part: investigators, the presiding officer of a hearing,
    /// the legal reviewer.
    pub officers: Vec<OnCaseView>,
    /// The township's legal reviewers (APL Art. 58), by the id a step names.
    pub reviewers: Vec<LegalReviewer>,
    /// Once decided with a penalty: the publication deadline (国办发〔2018〕
    /// 118号, 7 working days: `publish_by`), whether it passed unpublished
    /// (`overdue`), and the publication in force or its withdrawal.
    pub publication: Option<super::disclosure::PublicationStatus>,
    /// A case decided on the spot (summary procedure, APL Art. 51–52): the
    /// numbered decision, any fine collected on the spot (Art. 68–71) and
    /// its filing with the agency; null for an ordinary case.
    pub summary: Option<super::case_summary::SummaryRecord>,
}

#[derive(Serialize)]
pub struct OnCaseView {
    pub id: String,
    pub name: String,
    pub part: String,
}

/// A case inside the scope (404 when there is none).
pub(crate) async fn case_in(
    conn: &mut store::Conn,
    scope: &domain::access::Scope,
    id: &str,
) -> Result<Case, ApiError> {
    cases::case_in(conn, scope, id).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError(Error::not_found("案件", "Case")),
        other => other.into(),
    })
}

/// Today in China: the day the case rules count from.
pub(crate) fn today() -> NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

/// Whether the caller may see personal data in the township.
fn may_see_personal(caller: &Caller, township_path: &str) -> bool {
    caller
        .principal
        .scope(Permission::ViewPersonalData)
        .is_ok_and(|s| s.covers(township_path))
}

/// Whether the caller holds `role` in a jurisdiction reaching the township.
fn holds(caller: &Caller, role: Role, township_path: &str) -> bool {
    caller
        .principal
        .grants
        .iter()
        .any(|g| g.role == role && township_path.starts_with(g.jurisdiction_path.as_str()))
}

/// `If-Match`: the case's version the caller decided on, if named.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    super::versioned::if_match(
        headers,
        "case.if_match",
        "If-Match 应为案件的版本号（version）",
        "If-Match must be the case's version",
    )
}

fn has_personal_data(p: &Party) -> bool {
    match p {
        Party::Person(_) => true,
        Party::Organisation(o) => {
            o.representative.id_number.is_some() || o.representative.phone.is_some()
        }
    }
}

/// The party as shown: ID numbers with the birth date hidden, phones and a
/// natural person's home address masked (as for publication, Art. 48).
fn masked_party(p: &Party) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    match p {
        Party::Person(n) => {
            v["id_number"] = json!(n.id_number.mask());
            if let Some(ph) = &n.phone {
                v["phone"] = json!(mask_phone(ph));
            }
            if let Some(a) = &n.address {
                v["address"] = json!(mask_address(a));
            }
        }
        Party::Organisation(o) => {
            if let Some(id) = &o.representative.id_number {
                v["representative"]["id_number"] = json!(id.mask());
            }
            if let Some(ph) = &o.representative.phone {
                v["representative"]["phone"] = json!(mask_phone(ph));
            }
        }
    }
    v
}

/// Whether the Art. 60 clock still runs: the case is before its decision.
fn deciding(status: CaseStatus) -> bool {
    use CaseStatus::*;
    matches!(
        status,
        Filed
            | Investigating
            | NoticeServed
            | HearingRequested
            | HearingConcluded
            | LegalReview
            | CollectiveDiscussion
    )
}

/// The case as answered: masked unless `reveal`.
async fn view(
    conn: &mut store::Conn,
    state: &AppState,
    case: Case,
    reveal: bool,
) -> Result<CaseView, ApiError> {
    let p = cases::procedure(conn, &case).await?;
    let today = today();
    let rules = CaseRules::henan();
    let cal = state.calendar.get();
    let roster = cases::roster(conn, &case.township_id, today).await?;
    let reviewers: Vec<LegalReviewer> = cases::reviewers(conn, &case.township_path)
        .await?
        .into_iter()
        .map(|r| r.reviewer)
        .collect();
    let name_of = |id: &str| {
        roster
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .or_else(|| {
                reviewers
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| r.name.clone())
            })
            .unwrap_or_default()
    };
    let officers = cases::officers_on(conn, &case.id)
        .await?
        .into_iter()
        .map(|o| OnCaseView {
            name: name_of(&o.person),
            id: o.person,
            part: o.part,
        })
        .collect();
    let mut record = p.record;
    let personal_data = p.party.as_ref().is_some_and(has_personal_data);
    let masked = personal_data && !reveal;
    if masked
        && matches!(p.party, Some(Party::Person(_)))
        && let Some(Decision::Penalise { letter }) =
            record.decision.as_mut().map(|d| &mut d.decision)
    {
        letter.party_address = mask_address(&letter.party_address);
    }
    let publication = super::disclosure::status_of(conn, &cal, &case.id, &record, today).await?;
    let performing = matches!(
        record.status,
        CaseStatus::Served | CaseStatus::EnforcementApplied
    );
    let summary = cases::summary::<super::case_summary::SummaryRecord>(conn, &case.id).await?;
    Ok(CaseView {
        version: p.version,
        // decided on the spot: no 90-day clock runs (Art. 60)
        clock: (deciding(record.status) && summary.is_none())
            .then(|| clock(&rules.sector, record.filed_on, &[], &[], today)),
        summary,
        payment_due: record.payment_due(&cal),
        owed: performing.then(|| record.owed(&cal, today)),
        party: p.party.as_ref().map(|party| {
            if masked {
                masked_party(party)
            } else {
                serde_json::to_value(party).unwrap_or(Value::Null)
            }
        }),
        personal_data,
        party_masked: masked,
        traits: p.traits,
        officers,
        reviewers,
        publication,
        record,
        case,
    })
}

/// The party as entered: a natural person (`kind` = `person`: name and
/// resident ID number, phone and home address) or an organisation (`kind`
/// = `organisation`: name, unified social credit code, address and its
/// legal representative or person in charge).
#[derive(Deserialize, ToSchema)]
pub struct PartyRequest {
    /// `person` or `organisation`.
    pub kind: String,
    pub name: String,
    /// person: the 18-character resident ID number (GB 11643).
    pub id_number: Option<String>,
    pub phone: Option<String>,
    /// person: the home address; organisation: the registered address.
    pub address: Option<String>,
    /// organisation: the unified social credit code (GB 32100).
    pub credit_code: Option<String>,
    /// organisation: who speaks for it.
    pub representative: Option<RepresentativeRequest>,
}

#[derive(Deserialize, ToSchema)]
pub struct RepresentativeRequest {
    pub name: String,
    /// 法定代表人, 负责人, 经营者 …
    pub title: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl PartyRequest {
    /// The party, every number checked by its standard (422 naming the
    /// field: `id_number`, `credit_code`, `representative.id_number`).
    pub(crate) fn party(&self) -> Result<Party, ApiError> {
        let party = match self.kind.as_str() {
            "person" => Party::Person(NaturalPerson {
                name: self.name.trim().into(),
                id_number: ResidentId::parse(self.id_number.as_deref().unwrap_or(""))?,
                phone: text(&self.phone),
                address: text(&self.address),
            }),
            "organisation" => {
                let credit_code = CreditCode::parse(self.credit_code.as_deref().unwrap_or(""))?;
                let Some(r) = &self.representative else {
                    return Err(Error::invalid(
                        "body.required",
                        "representative",
                        "法人或者其他组织应当登记法定代表人（负责人）",
                        "an organisation needs its legal representative or person in charge",
                    )
                    .into());
                };
                let id_number = text(&r.id_number)
                    .map(|s| ResidentId::parse(&s))
                    .transpose()
                    .map_err(|e| e.with_field("representative.id_number"))?;
                Party::Organisation(Organisation {
                    name: self.name.trim().into(),
                    credit_code,
                    address: text(&self.address).unwrap_or_default(),
                    representative: Representative {
                        name: r.name.trim().into(),
                        title: r.title.trim().into(),
                        id_number,
                        phone: text(&r.phone),
                    },
                })
            }
            other => {
                return Err(Error::invalid(
                    "party.kind",
                    "kind",
                    format!("当事人类型「{other}」无效，可选值：person、organisation"),
                    format!("invalid party kind `{other}`; allowed values: person, organisation"),
                )
                .into());
            }
        };
        party.validate()?;
        Ok(party)
    }
}

/// Set the case's party (当事人). ID numbers are checked by GB 11643 and
/// credit codes by GB 32100 (422 naming the field, e.g. `id_number` with
/// `party.id_check_digit`). The party can change only until the prior
/// notice is served to it (409 `case.party_locked`, APL Art. 44). With
/// `If-Match`, only onto that version (409 `conflict.stale`).
#[utoipa::path(put, path = "/api/v1/cases/{id}/party", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the case's version the change was decided on")),
    request_body = PartyRequest,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn set_party(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PartyRequest>,
) -> ApiResult<Json<CaseView>> {
    let scope = caller.scope(Permission::FileCase)?;
    let named = if_match(&headers)?;
    let party = req.party()?;
    let mut tx = state.store.begin_write().await?;
    let case = case_in(&mut tx, &scope, &id).await?;
    let p = cases::procedure(&mut tx, &case).await?;
    require_version(named, p.version)?;
    if !p.record.notices.is_empty()
        || !matches!(
            p.record.status,
            CaseStatus::Filed | CaseStatus::Investigating
        )
    {
        return Err(Error::new(
            ErrorKind::Conflict,
            "case.party_locked",
            "《行政处罚法》第四十四条：已向当事人告知拟作出的行政处罚，不能再更改当事人",
            "APL Art. 44: the prior notice has been served on the party; the party can no longer change",
        )
        .with_field("party")
        .into());
    }
    cases::set_party(&mut tx, &id, p.version, &party).await?;
    let before = p.party.as_ref().map(|x| json!(x));
    let after = json!(party);
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&case.township_path),
        Change {
            action: "case.party",
            object_type: "case",
            object_id: &id,
            jurisdiction: &case.township_path,
            before: before.as_ref(),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    let case = case_in(&mut conn, &scope, &id).await?;
    Ok(Json(view(&mut conn, &state, case, false).await?))
}

/// Take a step of the ordinary procedure. The body is the step itself,
/// tagged by `action`: investigate, preserve_evidence, decide_preserved,
/// request_recusal, decide_recusal, serve_notice, record_statement, waive,
/// request_hearing, schedule_hearing, conclude_hearing,
/// submit_legal_review, record_legal_review, discuss_collectively, decide,
/// serve, record_receipt, approve_deferral, record_remedy, record_payment,
/// record_performance, apply_for_enforcement, transfer,
/// resume_after_transfer, hand_over_jurisdiction, close, archive (fields as
/// in `domain::case::Action`; dates YYYY-MM-DD, money in fen).
///
/// The rules decide on the record as stored, today (China time), with the
/// caller as actor; a refusal names its article (422 `case.art42_…`,
/// `case.art62_…`, `case.art64_…` …; 409 `case.transition` for a step not
/// possible in the case's status). The party must be set first (422
/// `case.party_required`); `decide` waits until every camera record of the
/// case was reviewed (422 `case.art41_camera_evidence_unreviewed`). A step
/// applies only to the version it was
/// decided on — the one named in `If-Match`, else the one read — so of two
/// concurrent steps one applies and the other gets 409 `conflict.stale`.
/// Recorded in the audit log as `case.step`.
///
/// Needs `FileCase`; the legal review opinion (`record_legal_review`) needs
/// only `ViewCases` and the legal-reviewer role in the case's township
/// (403 `case.art58_reviewer_only` otherwise).
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases",
    params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "the case's version the step was decided on")),
    request_body(content = Object, description = "a domain::case::Action, e.g. {\"action\": \"request_hearing\"}"),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(action): ApiJson<Action>,
) -> ApiResult<Json<CaseView>> {
    let review = matches!(action, Action::RecordLegalReview { .. });
    let scope = if review {
        caller.scope(Permission::ViewCases)?
    } else {
        caller.scope(Permission::FileCase)?
    };
    let named = if_match(&headers)?;
    let mut tx = state.store.begin_write().await?;
    let case = case_in(&mut tx, &scope, &id).await?;
    if review && !holds(&caller, Role::LegalReviewer, &case.township_path) {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "case.art58_reviewer_only",
            "《行政处罚法》第五十八条：法制审核意见由法制审核人员出具",
            "APL Art. 58: the legal review opinion is given by a legal reviewer",
        )
        .into());
    }
    if cases::summary::<Value>(&mut tx, &case.id).await?.is_some() {
        return Err(Error::new(
            ErrorKind::Conflict,
            "case.summary_procedure",
            "该案件已当场作出处罚决定（简易程序），不再适用普通程序",
            "this case was decided on the spot (summary procedure); the ordinary procedure does not apply",
        )
        .into());
    }
    if matches!(action, Action::Decide { .. })
        && store::documents::unreviewed_camera_records(&mut tx, &case.id).await? > 0
    {
        return Err(Error::invalid(
            "case.art41_camera_evidence_unreviewed",
            "evidence",
            "《行政处罚法》第四十一条：案件有未经审核的电子技术监控记录，请先审核（POST /api/v1/cases/{id}/evidence/{evidence_id}/review）再作决定",
            "APL Art. 41: the case holds camera records not yet reviewed; review them (POST /api/v1/cases/{id}/evidence/{evidence_id}/review) before deciding",
        )
        .into());
    }
    let p = cases::procedure(&mut tx, &case).await?;
    require_version(named, p.version)?;
    let Some(party) = &p.party else {
        return Err(Error::invalid(
            "case.party_required",
            "party",
            "请先登记当事人（PUT /api/v1/cases/{id}/party）",
            "set the party first (PUT /api/v1/cases/{id}/party)",
        )
        .into());
    };
    let today = today();
    let rules = CaseRules::henan();
    let cal = state.calendar.get();
    let item = pl::version(&mut tx, &case.item_code, case.item_version).await?;
    let roster: Vec<Officer> = cases::roster(&mut tx, &case.township_id, today).await?;
    let reviewers: Vec<LegalReviewer> = cases::reviewers(&mut tx, &case.township_path)
        .await?
        .into_iter()
        .map(|r| r.reviewer)
        .collect();
    let actor = actor_id(&mut tx, &caller).await?;
    let deadline = clock(&rules.sector, p.record.filed_on, &[], &[], today).deadline;
    // Decree 310 Art. 11: no penalty in place of a pending transfer
    let transfer = store::transfers::status_of_case(&mut tx, &id).await?;
    let next = transition(
        &Facts {
            record: &p.record,
            today,
            actor: &actor,
            calendar: &cal,
            rules: &rules,
            party,
            item: &item,
            basis: &case.basis,
            traits: &p.traits,
            roster: &roster,
            reviewers: &reviewers,
            decision_deadline: deadline,
            transfer,
        },
        &action,
    )?;
    let version = cases::save_record(&mut tx, &id, p.version, &next).await?;
    let before = json!({"status": p.record.status, "version": p.version});
    let after =
        json!({"action": action, "status": next.status, "version": version, "actor": actor});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&case.township_path),
        Change {
            action: "case.step",
            object_type: "case",
            object_id: &id,
            jurisdiction: &case.township_path,
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    let case = case_in(&mut conn, &scope, &id).await?;
    Ok(Json(view(&mut conn, &state, case, false).await?))
}

/// A legal reviewer's qualification as recorded.
#[derive(Deserialize, ToSchema)]
pub struct ReviewerRequest {
    /// The certificate number of the national legal professional
    /// qualification (法律职业资格证书编号); null or empty: none.
    pub qualification: Option<String>,
    /// The day they first took up legal review of penalty decisions,
    /// YYYY-MM-DD.
    pub reviewing_since: String,
}

/// Record a legal reviewer's qualification (APL Art. 58: who first took up
/// legal review from 15 July 2021 on must hold the national legal
/// professional qualification). The user (id) must hold the legal-reviewer
/// role inside the caller's jurisdiction (422 `case.reviewer_role`
/// otherwise). Without a record a reviewer counts as unqualified, reviewing
/// since the role was granted.
#[utoipa::path(put, path = "/api/v1/legal-reviewers/{id}", tag = "cases", params(("id" = String, Path)),
    request_body = ReviewerRequest,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn set_reviewer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReviewerRequest>,
) -> ApiResult<Json<cases::Reviewer>> {
    let scope = caller.scope(Permission::ManageUsers)?;
    let since = date("reviewing_since", &req.reviewing_since)?;
    if since > today() {
        return Err(Error::invalid(
            "case.date",
            "reviewing_since",
            "reviewing_since 不能晚于今天",
            "reviewing_since cannot be in the future",
        )
        .into());
    }
    let qualification = text(&req.qualification);
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
        .find(|g| g.role == Role::LegalReviewer && scope.covers(&g.jurisdiction_path))
        .ok_or_else(|| {
            ApiError(Error::invalid(
                "case.reviewer_role",
                "id",
                "该用户在您的辖区内没有法制审核员角色",
                "this user holds no legal-reviewer role in your jurisdiction",
            ))
        })?;
    cases::set_reviewer(
        &mut tx,
        &id,
        qualification.as_deref(),
        since,
        &caller.principal.name,
    )
    .await?;
    let after = json!({"qualified": qualification.is_some(), "reviewing_since": since});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&grant.jurisdiction_path),
        Change {
            action: "legal_reviewer.set",
            object_type: "user",
            object_id: &id,
            jurisdiction: &grant.jurisdiction_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    let reviewer = cases::reviewers(&mut tx, &grant.jurisdiction_path)
        .await?
        .into_iter()
        .find(|r| r.user_id == id)
        .ok_or(store::StoreError::NotFound)?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(reviewer))
}
