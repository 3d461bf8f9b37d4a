//! `GET/PUT /api/v1/assessment/rules`: the scoring rules in force in a
//! jurisdiction (its own, else its county's, else the standard ones), and
//! setting them (every change kept and audited).

use axum::Json;
use axum::extract::{Query, State};
use domain::assessment::{ASSESS, ScoringRules, VIEW};
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use utoipa::{IntoParams, ToSchema};

use super::jurisdiction;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct RulesQuery {
    /// Division code; by default the caller's own jurisdiction.
    pub jurisdiction: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RulesView {
    /// The jurisdiction asked about.
    pub jurisdiction: String,
    /// `own`, `inherited` (from an enclosing jurisdiction) or `standard`.
    pub source: String,
    /// Where the rules in force were set (none for the standard rules).
    pub set_in: Option<String>,
    pub set_by: Option<String>,
    pub set_at: Option<String>,
    /// `{"base": 100, "rules": [{"indicator": "overdue", "points": -2,
    /// "cap": 20, "reward_at": …, "reward": …, "penalty_at": …, "penalty": …}]}`
    #[schema(value_type = Object)]
    pub rules: ScoringRules,
}

async fn view(conn: &mut store::Conn, code: &str, path: &str) -> ApiResult<RulesView> {
    Ok(match store::assessment::rules_for(conn, path).await? {
        Some(s) => RulesView {
            jurisdiction: code.into(),
            source: if s.jurisdiction == code {
                "own"
            } else {
                "inherited"
            }
            .into(),
            set_in: Some(s.jurisdiction),
            set_by: Some(s.set_by),
            set_at: Some(s.set_at),
            rules: s.rules,
        },
        None => RulesView {
            jurisdiction: code.into(),
            source: "standard".into(),
            set_in: None,
            set_by: None,
            set_at: None,
            rules: ScoringRules::standard(),
        },
    })
}

/// The scoring rules in force in a jurisdiction (考核评分细则).
#[utoipa::path(get, path = "/api/v1/assessment/rules", tag = "assessment", params(RulesQuery),
    responses((status = 200, body = RulesView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_rules(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RulesQuery>,
) -> ApiResult<Json<RulesView>> {
    let scope = caller.scope(VIEW)?;
    let mut conn = state.store.acquire().await?;
    let j = jurisdiction(&mut conn, &scope, q.jurisdiction.as_deref()).await?;
    Ok(Json(view(&mut conn, &j.code, &j.path).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRules {
    /// Division code of the township (or county) the rules are for.
    pub jurisdiction: String,
    #[schema(value_type = Object)]
    pub rules: ScoringRules,
}

/// Set a jurisdiction's scoring rules: points per indicator, rewards and
/// penalties (奖优罚劣). Validated whole; a refusal names the field
/// (`rules[2].reward_at`). Runs already frozen keep the rules they used.
#[utoipa::path(put, path = "/api/v1/assessment/rules", tag = "assessment", request_body = SetRules,
    responses((status = 200, body = RulesView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn put_rules(
    State(state): State<AppState>,
    caller: Caller,
    crate::extract::ApiJson(body): crate::extract::ApiJson<SetRules>,
) -> ApiResult<Json<RulesView>> {
    let scope = caller.scope(ASSESS)?;
    let mut tx = state.store.begin_write().await?;
    let j = jurisdiction(&mut tx, &scope, Some(&body.jurisdiction)).await?;
    body.rules.validate()?;
    let before = view(&mut tx, &j.code, &j.path).await?;
    let before = serde_json::to_value(&before.rules).unwrap_or_default();
    store::assessment::save_rules(&mut tx, &j.id, &body.rules, &caller.principal.name).await?;
    let after = serde_json::to_value(&body.rules).unwrap_or_default();
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&j.path),
        Change {
            action: "assessment.rules",
            object_type: "jurisdiction",
            object_id: &j.code,
            jurisdiction: &j.path,
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    let view = view(&mut tx, &j.code, &j.path).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(view))
}
