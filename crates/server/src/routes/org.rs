//! The organisation: jurisdictions and headline counts.

use axum::Json;
use axum::extract::{Query, State};
use domain::org::Level;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct JurisdictionQuery {
    /// Only this level: city, county, township, street, village, community.
    pub level: Option<String>,
    /// Only children of the jurisdiction with this division code.
    pub parent: Option<String>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Items per page (1–500, default 100).
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct JurisdictionView {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: String,
    pub parent_code: Option<String>,
    /// Seat, WGS84 longitude
    pub lon: Option<f64>,
    /// Seat, WGS84 latitude
    pub lat: Option<f64>,
}

/// A page of results.
#[derive(Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

/// Validate page parameters the same way everywhere.
pub fn paging(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32), ApiError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(100);
    if page == 0 {
        return Err(domain::Error::invalid(
            "query.page",
            "page",
            "页码从 1 开始",
            "page starts at 1",
        )
        .into());
    }
    if !(1..=500).contains(&per_page) {
        return Err(domain::Error::invalid(
            "query.per_page",
            "per_page",
            "每页条数应在 1 到 500 之间",
            "per_page must be between 1 and 500",
        )
        .into());
    }
    Ok((page, per_page))
}

/// The administrative tree (public information): city, county, townships,
/// villages and communities.
#[utoipa::path(get, path = "/api/v1/jurisdictions", tag = "organisation",
    params(JurisdictionQuery),
    responses(
        (status = 200, body = Paged<JurisdictionView>),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_jurisdictions(
    State(state): State<AppState>,
    Query(q): Query<JurisdictionQuery>,
) -> ApiResult<Json<Paged<JurisdictionView>>> {
    let (page, per_page) = paging(q.page, q.per_page)?;
    let level = q.level.as_deref().map(Level::parse).transpose()?;
    let mut conn = state.store.acquire().await?;
    // The tree is small (hundreds of rows): load it once, filter here.
    let all = store::org::list_jurisdictions(&mut conn, &Level::ALL).await?;
    let code_of: std::collections::HashMap<&str, &str> = all
        .iter()
        .map(|j| (j.id.as_str(), j.code.as_str()))
        .collect();
    let rows: Vec<JurisdictionView> = all
        .iter()
        .filter(|j| level.is_none_or(|l| j.level == l))
        .map(|j| JurisdictionView {
            code: j.code.clone(),
            name: j.name.clone(),
            name_en: j.name_en.clone(),
            level: j.level.as_str().to_string(),
            parent_code: j
                .parent_id
                .as_deref()
                .and_then(|id| code_of.get(id))
                .map(|c| c.to_string()),
            lon: j.lon,
            lat: j.lat,
        })
        .filter(|v| q.parent.is_none() || v.parent_code == q.parent)
        .collect();
    let total = rows.len() as u64;
    let items = rows
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .collect();
    Ok(Json(Paged {
        items,
        page,
        per_page,
        total,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OverviewView {
    pub townships: i64,
    pub villages: i64,
    pub brigades: i64,
    pub squads: i64,
    pub officers: i64,
    pub grid_workers: i64,
    pub grids: i64,
}

/// Headline counts of the organisation.
#[utoipa::path(get, path = "/api/v1/overview", tag = "organisation",
    responses((status = 200, body = OverviewView)))]
pub async fn get_overview(State(state): State<AppState>) -> ApiResult<Json<OverviewView>> {
    let mut conn = state.store.acquire().await?;
    let o = store::org::overview(&mut conn).await?;
    Ok(Json(OverviewView {
        townships: o.townships,
        villages: o.villages,
        brigades: o.brigades,
        squads: o.squads,
        officers: o.officers,
        grid_workers: o.grid_workers,
        grids: o.grids,
    }))
}
