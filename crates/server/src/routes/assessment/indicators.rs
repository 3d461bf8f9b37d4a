//! `GET /api/v1/indicators`: every indicator of one subject, or of every
//! subject of a kind in a jurisdiction, for a period.

use axum::Json;
use axum::extract::{Query, State};
use chrono::Utc;
use domain::access::out_of_scope;
use domain::assessment::{SubjectKind, VIEW};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{jurisdiction, measure, period};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct IndicatorQuery {
    /// officer, squad, brigade, township (default), grid_worker or department.
    pub subject_kind: Option<String>,
    /// One subject: a staff id (officer, grid worker), a unit code (squad,
    /// brigade, department) or a division code (township). Without it,
    /// every subject of the kind in the jurisdiction.
    pub subject: Option<String>,
    /// The jurisdiction (division code) whose subjects and facts are
    /// counted; by default the caller's own.
    pub jurisdiction: Option<String>,
    /// First day, YYYY-MM-DD (China time); by default the first of this month.
    pub from: Option<String>,
    /// Last day, included; by default today.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectIndicators {
    pub subject: String,
    pub name: String,
    /// Every indicator by its code (`received`, `on_time_rate`, …); null
    /// where there is no value. Definitions: `/help/indicators`.
    #[schema(value_type = Object)]
    pub indicators: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorReport {
    pub jurisdiction: String,
    pub subject_kind: String,
    pub from: String,
    pub to: String,
    /// The instant "overdue now" was judged at.
    pub as_of: String,
    pub items: Vec<SubjectIndicators>,
}

/// Indicators (受理、处置、按期处置率、结案率、返工率、超期、处置时长、督办、
/// 立案与决定、有效上报与准确率、回访满意度) of one subject or of every subject
/// of a kind, for a period, within the caller's jurisdiction. Each is
/// defined at `/help/indicators`.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "assessment", params(IndicatorQuery),
    responses((status = 200, body = IndicatorReport),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn indicators(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<IndicatorQuery>,
) -> ApiResult<Json<IndicatorReport>> {
    let scope = caller.scope(VIEW)?;
    let kind = match q.subject_kind.as_deref().filter(|s| !s.is_empty()) {
        Some(k) => SubjectKind::parse(k)?,
        None => SubjectKind::Township,
    };
    let period = period(q.from.as_deref(), q.to.as_deref())?;
    let mut conn = state.store.acquire().await?;
    let j = jurisdiction(&mut conn, &scope, q.jurisdiction.as_deref()).await?;
    let (path, subjects) = match q.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(id) => {
            let (name, at) = store::assessment::subjects::subject(&mut conn, kind, id)
                .await
                .map_err(|e| match e {
                    store::StoreError::NotFound => {
                        ApiError(domain::Error::not_found("考核对象", "Subject"))
                    }
                    other => other.into(),
                })?;
            // a county department serves the townships below it: its facts
            // are those of the jurisdiction asked about
            let path = if kind == SubjectKind::Department && j.path.starts_with(&at) {
                j.path.clone()
            } else if scope.covers(&at) {
                at
            } else {
                return Err(ApiError(out_of_scope()));
            };
            (path, vec![(id.to_string(), name)])
        }
        None => {
            let all = store::assessment::subjects::subjects(&mut conn, &j.path, kind).await?;
            (j.path.clone(), all)
        }
    };
    let as_of = Utc::now();
    let items = measure(&mut conn, &path, kind, subjects, period, as_of)
        .await?
        .into_iter()
        .map(|m| SubjectIndicators {
            indicators: store::assessment::values_json(&m.values),
            subject: m.subject,
            name: m.name,
        })
        .collect();
    Ok(Json(IndicatorReport {
        jurisdiction: j.code,
        subject_kind: kind.as_str().into(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        as_of: store::util::ts(as_of),
        items,
    }))
}
