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
    // Callers compute the offset `(page - 1) * per_page` in u32: a page
    // that far out holds nothing anyway, so it is refused rather than
    // allowed to overflow.
    if u64::from(page - 1) * u64::from(per_page) > u64::from(u32::MAX) {
        return Err(
            domain::Error::invalid("query.page", "page", "页码过大", "page is too large").into(),
        );
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

#[derive(Deserialize, ToSchema)]
pub struct NewJurisdiction {
    /// Statistical division code (9 digits for a township, 12 for a village).
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    /// township, street, village or community
    pub level: String,
    /// Division code of the parent, inside the caller's jurisdiction.
    pub parent: String,
    /// Seat, WGS84
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

/// Add a township, street, village or community under one in the caller's jurisdiction.
#[utoipa::path(post, path = "/api/v1/jurisdictions", tag = "organisation", request_body = NewJurisdiction,
    responses((status = 201, body = JurisdictionView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_jurisdiction(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    crate::extract::ApiJson(req): crate::extract::ApiJson<NewJurisdiction>,
) -> ApiResult<(axum::http::StatusCode, Json<JurisdictionView>)> {
    let scope = caller.scope(domain::access::Permission::ManageOrganisation)?;
    let code = domain::org::DivisionCode::parse(&req.code)?;
    let level = Level::parse(&req.level)?;
    crate::extract::required("name", &req.name)?;
    let seat = match (req.lon, req.lat) {
        (Some(lon), Some(lat)) if (73.0..=136.0).contains(&lon) && (3.0..=54.0).contains(&lat) => {
            Some((lon, lat))
        }
        (None, None) => None,
        _ => {
            return Err(domain::Error::invalid(
                "org.seat",
                "lon",
                "驻地坐标应同时给出经纬度，且位于中国境内",
                "give both lon and lat, inside China",
            )
            .into());
        }
    };
    let mut tx = state.store.begin_write().await?;
    let parent = super::users::jurisdiction_in(&mut tx, &scope, "parent", &req.parent).await?;
    if !parent.level.may_contain(level) {
        return Err(domain::Error::invalid(
            "org.level_nesting",
            "level",
            format!(
                "{}下不能设立{}",
                parent.level.label(domain::Lang::Zh),
                level.label(domain::Lang::Zh)
            ),
            format!(
                "a {} cannot contain a {}",
                parent.level.as_str(),
                level.as_str()
            ),
        )
        .into());
    }
    if !code
        .as_str()
        .starts_with(&parent.code[..parent.code.len().min(6)])
    {
        return Err(domain::Error::invalid(
            "org.code_prefix",
            "code",
            "区划代码应以上级代码开头",
            "the code must start with the parent's code",
        )
        .into());
    }
    let j = store::org::insert_jurisdiction(
        &mut tx,
        store::org::NewJurisdiction {
            code: code.as_str(),
            name: req.name.trim(),
            name_en: req.name_en.as_deref().unwrap_or(req.name.trim()),
            level,
            parent: Some(&parent),
            seat,
        },
    )
    .await?;
    let after = serde_json::to_value(&j).unwrap_or_default();
    store::audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&j.path),
        store::audit::Change {
            action: "jurisdiction.create",
            object_type: "jurisdiction",
            object_id: &j.id,
            jurisdiction: &j.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(JurisdictionView {
            code: j.code,
            name: j.name,
            name_en: j.name_en,
            level: j.level.as_str().into(),
            parent_code: Some(parent.code),
            lon: j.lon,
            lat: j.lat,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::paging;

    #[test]
    fn a_page_too_far_out_is_refused_not_overflowed() {
        assert_eq!(paging(None, None).unwrap(), (1, 100));
        assert_eq!(paging(Some(3), Some(500)).unwrap(), (3, 500));
        // the last page whose offset fits, and the one after it
        assert!(paging(Some(u32::MAX / 100 + 1), Some(100)).is_ok());
        let e = paging(Some(u32::MAX / 100 + 2), Some(100)).unwrap_err();
        assert_eq!(
            (e.0.code, e.0.field.as_deref()),
            ("query.page", Some("page"))
        );
        assert_eq!(
            paging(Some(u32::MAX), None).unwrap_err().0.code,
            "query.page"
        );
    }
}
