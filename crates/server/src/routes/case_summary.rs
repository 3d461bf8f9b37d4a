//! The summary procedure (简易程序) and the discretion benchmark.
//!
//! * `POST /api/v1/cases/summary`: a decision on the spot (APL Art. 51–52).
//!   Refused outside the summary thresholds (422 `case.art51_fine_limit`)
//!   and without the contents Art. 52 requires, naming the article. The
//!   decision form takes the next number of the township's sequence for
//!   on-the-spot decisions in the transaction that stores it, so a refusal
//!   gives the number back and the numbers have no gaps. The case is filed
//!   under the held item with the basis in force (as `POST /cases`), with
//!   its party and the decision recorded (`cases.summary`).
//! * `POST /api/v1/cases/{id}/summary/filing`: the fine collected on the
//!   spot, if it was (Art. 68–70: ground and official receipt), the cash
//!   handed to the agency within two working days (Art. 71), and the
//!   decision filed with the agency (Art. 52). Recorded once.
//!
//! The discretion benchmark (裁量基准) of a case's item, asked before a
//! fine is proposed: `POST /api/v1/cases/{id}/discretion` takes the
//! circumstances and answers the fine the benchmark suggests, whether the
//! proposed fine keeps to it (a departure needs a written reason, APL
//! Art. 32 and the benchmark) and whether the act goes unpunished (APL
//! Art. 33 ¶1: mandatory for a minor, promptly corrected, harmless act;
//! on a first offence where the item is on the first-offence no-penalty
//! list).
//!
//! The answer is advice: nothing on the case changes. The question and the
//! answer are recorded in the audit log (`case.discretion`). Permission:
//! `FileCase`, as for the other case steps.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::access::Permission;
use domain::case::discretion::{
    Adjustment, DiscretionRules, FineChoice, OffenceFacts, check_fine, first_offence_no_penalty,
    must_not_punish, suggest,
};
use domain::case::money::Fen;
use domain::case::numbering;
use domain::case::summary::{
    CollectionGround, Signature, SpotDecision, cash_handover_deadline, collect_on_the_spot,
    decide_on_the_spot,
};
use domain::case::{CaseRules, FilingFacts, Penalty, file};
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::audit::{self, Change};
use store::cases::{self, Case, NewCase};
use store::documents as sd;
use store::powerlist as pl;
use utoipa::ToSchema;

use super::cases::{PartyRequest, today};
use super::users::jurisdiction_in;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

/// The document code of the on-the-spot decision form (当场处罚决定书).
const SUMMARY_DECISION: &str = "summary_decision";

fn not_found(e: store::StoreError) -> ApiError {
    match e {
        store::StoreError::NotFound => ApiError(Error::not_found("案件", "Case")),
        other => other.into(),
    }
}

/// What the summary procedure records on a case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryRecord {
    /// The decision as handed over, with its form number.
    pub decision: SpotDecision,
    /// The fine collected on the spot, if it was (Art. 68–71).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<Collection>,
    /// The filing of the decision with the agency (Art. 52).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_on: Option<NaiveDate>,
}

/// A fine collected on the spot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Collection {
    #[serde(flatten)]
    pub ground: CollectionGround,
    pub receipt_number: String,
    pub collected_on: NaiveDate,
    /// Art. 71: the last day for handing the cash to the agency.
    pub handover_deadline: NaiveDate,
    pub handed_over_on: NaiveDate,
}

/// A decision on the spot (当场处罚决定).
#[derive(Deserialize, ToSchema)]
pub struct SummaryRequest {
    /// The township (code) whose officers decide.
    pub township: String,
    /// The power-list item applied.
    pub item_code: String,
    /// A short description, e.g. 某某占道经营案.
    pub title: String,
    pub party: PartyRequest,
    /// The officers (staff ids): two, unless a law allows one (Art. 42).
    pub officers: Vec<String>,
    /// The law allowing a single officer, if one acted alone.
    pub single_officer_basis: Option<String>,
    pub credentials_shown: bool,
    /// Art. 51: the facts are certain.
    pub facts_certain: bool,
    /// The act (违法行为) and its facts.
    pub violation: String,
    /// A warning and/or a fine (fine in fen), e.g. `{"fine": 10000}`.
    #[schema(value_type = Object)]
    pub penalty: Penalty,
    /// The provision applied.
    pub basis: String,
    /// The order to correct (Art. 28).
    pub correction: String,
    pub place: String,
    /// How and by when to seek reconsideration or sue.
    pub remedies: String,
    /// `"signed"`, or `{"refused": {"noted": true}}` (the refusal noted on the form).
    #[schema(value_type = Object)]
    pub signature: Signature,
}

/// Decide on the spot (简易程序, APL Art. 51–52): files the case under the
/// held item, records the party and the decision, and numbers the decision
/// form from the township's sequence (gap-free). Refused (422, naming the
/// article) for a fine above the summary threshold — 200 yuan on a citizen,
/// 3,000 yuan on an organisation (`case.art51_fine_limit`) — or another
/// penalty than a warning or fine, facts not certain, without credentials
/// shown, contents missing or one officer (`case.art42_two_officers`).
#[utoipa::path(post, path = "/api/v1/cases/summary", tag = "cases", request_body = SummaryRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn decide_summary(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SummaryRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let scope = caller.scope(Permission::FileCase)?;
    crate::extract::required("title", &req.title)?;
    crate::extract::required("item_code", &req.item_code)?;
    let party = req.party.party().map_err(|ApiError(e)| {
        let field = e.field.as_deref().unwrap_or("kind");
        let field = format!("party.{field}");
        ApiError(e.with_field(field))
    })?;
    let today = today();
    let rules = CaseRules::henan();
    let mut tx = state.store.begin_write().await?;
    let town = jurisdiction_in(&mut tx, &scope, "township", &req.township).await?;
    if !town.level.is_township() {
        return Err(Error::invalid(
            "case.township",
            "township",
            "当场处罚的执法单位应为乡镇（街道）",
            "a decision on the spot is made by a township",
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
    let held = pl::holds(&mut tx, &town.id, &req.item_code).await?;
    let basis = file(&FilingFacts {
        item: &stored.item,
        held,
        township: &town.name,
        act_date: today,
        act_ended: None,
        grave_harm: false,
        today,
    })?;
    let (township, county) = sd::township_and_county(&mut tx, &town.code).await?;
    let agency = format!("{county}{township}人民政府");
    let year = chrono::Datelike::year(&today);
    // taken in this transaction: a refusal below rolls it back (no gaps)
    let seq = sd::next_number(&mut tx, &town.code, SUMMARY_DECISION, year).await?;
    let number = numbering::document_number(
        &numbering::agency_short(&county, &township),
        SUMMARY_DECISION,
        year,
        seq,
    );
    let decision = SpotDecision {
        officers: req.officers.clone(),
        single_officer_basis: req.single_officer_basis.clone(),
        credentials_shown: req.credentials_shown,
        facts_certain: req.facts_certain,
        form_number: number.clone(),
        violation: req.violation.trim().into(),
        penalty: req.penalty.clone(),
        basis: req.basis.trim().into(),
        correction: req.correction.trim().into(),
        place: req.place.trim().into(),
        date: today,
        remedies: req.remedies.trim().into(),
        agency: agency.clone(),
        signature: req.signature,
    };
    let roster = cases::roster(&mut tx, &town.id, today).await?;
    decide_on_the_spot(&decision, party.kind(), &roster, &[], &rules.summary)?;
    let id = cases::insert(
        &mut tx,
        NewCase {
            township_id: &town.id,
            item_code: &stored.item.code,
            item_version: stored.version,
            item_name: &stored.item.name,
            title: req.title.trim(),
            act_date: &today.to_string(),
            act_ended: None,
            grave_harm: false,
            basis: &basis,
            filed_by: &caller.principal.name,
            filed_on: today,
        },
    )
    .await?;
    let version = cases::set_party(&mut tx, &id, 0, &party).await?;
    let summary = SummaryRecord {
        decision,
        collection: None,
        filed_on: None,
    };
    cases::set_summary(&mut tx, &id, version, &summary).await?;
    let after = json!({
        "township": town.code, "item": stored.item.code, "item_version": stored.version,
        "number": number, "penalty": summary.decision.penalty,
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&town.path),
        Change {
            action: "case.summary_decision",
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
    Ok((
        StatusCode::CREATED,
        Json(json!({"case": case, "number": number, "summary": summary})),
    ))
}

/// The fine collected on the spot.
#[derive(Deserialize, ToSchema)]
pub struct CollectionRequest {
    /// `"ground": "small_fine"` (Art. 68 (1)); `"ground": "hard_later"`
    /// with `reason` (Art. 68 (2)); or `"ground": "remote"` with `reason`
    /// and `party_asked` (Art. 69).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub ground: CollectionGround,
    /// The official receipt's number (Art. 70).
    pub receipt_number: String,
    /// YYYY-MM-DD; the day of the decision when absent.
    #[schema(value_type = Option<String>)]
    pub collected_on: Option<NaiveDate>,
    /// The day the cash reached the agency, YYYY-MM-DD; today when absent.
    #[schema(value_type = Option<String>)]
    pub handed_over_on: Option<NaiveDate>,
}

/// The filing with the agency of a decision made on the spot.
#[derive(Deserialize, ToSchema)]
pub struct FilingRequest {
    /// The fine collected on the spot, if it was.
    pub collection: Option<CollectionRequest>,
}

/// Record the filing of an on-the-spot decision with the agency (APL
/// Art. 52) and any fine collected on the spot: only on a ground of
/// Art. 68–69 (422 `case.art68_collection` for more than 100 yuan without
/// another ground) and against the official receipt (Art. 70); the cash
/// handed to the agency within two working days (422 `case.art71_handover`).
/// 409 `case.summary_filed` when already filed, 409 `case.not_summary` for
/// a case of the ordinary procedure.
#[utoipa::path(post, path = "/api/v1/cases/{id}/summary/filing", tag = "cases",
    params(("id" = String, Path)), request_body = FilingRequest,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn file_summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<FilingRequest>,
) -> ApiResult<Json<Value>> {
    let scope = caller.scope(Permission::FileCase)?;
    let mut tx = state.store.begin_write().await?;
    let case: Case = cases::case_in(&mut tx, &scope, &id)
        .await
        .map_err(not_found)?;
    let p = cases::procedure(&mut tx, &case).await?;
    let Some(mut summary) = cases::summary::<SummaryRecord>(&mut tx, &id).await? else {
        return Err(Error::new(
            ErrorKind::Conflict,
            "case.not_summary",
            "该案件未适用简易程序（当场处罚）",
            "this case was not decided on the spot (summary procedure)",
        )
        .into());
    };
    if summary.filed_on.is_some() {
        return Err(Error::new(
            ErrorKind::Conflict,
            "case.summary_filed",
            "当场处罚决定书已报所属行政机关备案",
            "the on-the-spot decision is already filed with the agency",
        )
        .into());
    }
    let today = today();
    let rules = CaseRules::henan();
    if let Some(c) = &req.collection {
        let fine = summary.decision.penalty.fine;
        collect_on_the_spot(fine, &c.ground, &c.receipt_number, &rules.summary)?;
        let collected_on = c.collected_on.unwrap_or(summary.decision.date);
        let handed_over_on = c.handed_over_on.unwrap_or(today);
        let deadline = cash_handover_deadline(&state.calendar.get(), collected_on);
        if handed_over_on > deadline {
            return Err(Error::invalid(
                "case.art71_handover",
                "collection.handed_over_on",
                format!(
                    "《行政处罚法》第七十一条：当场收缴的罚款应当自收缴之日起二日内交至行政机关，最迟 {deadline}"
                ),
                format!(
                    "APL Art. 71: a fine collected on the spot is handed to the agency within two days, by {deadline}"
                ),
            )
            .into());
        }
        summary.collection = Some(Collection {
            ground: c.ground.clone(),
            receipt_number: c.receipt_number.trim().into(),
            collected_on,
            handover_deadline: deadline,
            handed_over_on,
        });
    }
    summary.filed_on = Some(today);
    let version = cases::set_summary(&mut tx, &id, p.version, &summary).await?;
    let after = json!({
        "filed_on": today,
        "collected": summary.collection.as_ref().map(|c| &c.receipt_number),
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&case.township_path),
        Change {
            action: "case.summary_filing",
            object_type: "case",
            object_id: &id,
            jurisdiction: &case.township_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(
        json!({"case": case.id, "version": version, "summary": summary}),
    ))
}

/// The circumstances of the act and the fine the officer has in mind.
#[derive(Deserialize, ToSchema)]
pub struct DiscretionRequest {
    /// Index of the benchmark tier whose circumstance fits (0 = first).
    pub tier: Option<usize>,
    /// `none`, `lighter` (从轻), `mitigated` (减轻) or `heavier` (从重).
    #[serde(default)]
    #[schema(value_type = String)]
    pub adjustment: Adjustment,
    /// The circumstances for lighter, mitigated or heavier treatment.
    #[serde(default)]
    pub grounds: Vec<String>,
    /// The written reason for a fine outside the tier.
    pub departure_reason: Option<String>,
    /// The fine proposed, in fen; without it the suggested fine is checked.
    pub fine: Option<i64>,
    /// 初次违法
    #[serde(default)]
    pub first_offence: bool,
    /// 危害后果轻微
    #[serde(default)]
    pub harm_slight: bool,
    /// 没有造成危害后果
    #[serde(default)]
    pub harmless: bool,
    /// 及时改正
    #[serde(default)]
    pub corrected_promptly: bool,
    /// 违法行为轻微
    #[serde(default)]
    pub minor: bool,
}

/// What the benchmark says.
#[derive(Serialize, ToSchema)]
pub struct DiscretionAnswer {
    pub item_code: String,
    pub item_version: i64,
    /// The fine the benchmark suggests, in fen (none when mitigated or
    /// without a tier).
    pub suggested_fine: Option<i64>,
    /// The fine checked, in fen.
    pub proposed_fine: Option<i64>,
    /// APL Art. 33 ¶1, first sentence: not punished (mandatory).
    pub must_not_punish: bool,
    /// APL Art. 33 ¶1, second sentence: the item is on the first-offence
    /// no-penalty list and the circumstances fit.
    pub first_offence_no_penalty: bool,
    /// Whether the item is on the first-offence no-penalty list.
    pub item_on_no_penalty_list: bool,
    /// No fine is to be proposed (either rule of Art. 33 ¶1 applies).
    pub no_penalty: bool,
    /// The article the answer rests on.
    pub article: String,
}

/// Ask the item's discretion benchmark (裁量基准) about a fine. Answers the
/// suggested fine for the tier and adjustment; a proposed fine outside the
/// tier without a written reason is 422 `case.discretion_reason` naming
/// `departure_reason`; lighter or heavier treatment without its grounds is
/// 422 naming `grounds`. Where APL Art. 33 ¶1 applies (a minor, promptly
/// corrected, harmless act; or a first offence with slight harm promptly
/// corrected, the item on the first-offence no-penalty list) the answer is
/// no penalty. Nothing on the case changes; the question is audited.
#[utoipa::path(post, path = "/api/v1/cases/{id}/discretion", tag = "cases",
    params(("id" = String, Path)), request_body = DiscretionRequest,
    responses((status = 200, body = DiscretionAnswer),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn discretion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<DiscretionRequest>,
) -> ApiResult<Json<DiscretionAnswer>> {
    let scope = caller.scope(Permission::FileCase)?;
    let mut tx = state.store.begin_write().await?;
    let case = cases::case_in(&mut tx, &scope, &id)
        .await
        .map_err(not_found)?;
    let item = pl::version(&mut tx, &case.item_code, case.item_version).await?;
    let p = cases::procedure(&mut tx, &case).await?;
    let act_date = case.act_date.parse().ok();
    let age = match (&p.party, act_date) {
        (Some(party), Some(d)) => party.age_category(d),
        _ => None,
    };
    let facts = OffenceFacts {
        first_offence: req.first_offence,
        harm_slight: req.harm_slight,
        harmless: req.harmless,
        corrected_promptly: req.corrected_promptly,
        minor: req.minor,
    };
    let rules = DiscretionRules::default();
    let mandatory = must_not_punish(&facts);
    let first = first_offence_no_penalty(&item, &facts);
    let choice = FineChoice {
        tier: req.tier,
        adjustment: req.adjustment,
        grounds: req.grounds.clone(),
        departure_reason: req.departure_reason.clone(),
    };
    let suggested = req
        .tier
        .and_then(|t| suggest(&item, t, req.adjustment, &rules));
    let proposed = match req.fine {
        Some(f) => Some(Fen::new(f).map_err(|e| e.with_field("fine"))?),
        None => suggested,
    };
    let no_penalty = mandatory || first;
    if !no_penalty && let Some(fine) = proposed {
        check_fine(&item, &case.basis, age, &choice, fine, &rules)?;
    }
    let article = if no_penalty {
        "《行政处罚法》第三十三条第一款 / APL Art. 33 ¶1"
    } else {
        "《行政处罚法》第三十二条、裁量基准 / APL Art. 32, discretion benchmark"
    };
    let answer = DiscretionAnswer {
        item_code: case.item_code.clone(),
        item_version: case.item_version,
        suggested_fine: suggested.map(Fen::fen),
        proposed_fine: if no_penalty {
            None
        } else {
            proposed.map(Fen::fen)
        },
        must_not_punish: mandatory,
        first_offence_no_penalty: first,
        item_on_no_penalty_list: item.first_offence_no_penalty,
        no_penalty,
        article: article.into(),
    };
    let after = serde_json::json!({
        "tier": req.tier, "adjustment": req.adjustment, "fine": answer.proposed_fine,
        "suggested": answer.suggested_fine, "no_penalty": no_penalty,
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&case.township_path),
        Change {
            action: "case.discretion",
            object_type: "case",
            object_id: &case.id,
            jurisdiction: &case.township_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(answer))
}
