//! Grids and geography: locate a point (township, village, grid, squad,
//! officer, grid worker), the grids as GeoJSON, outlines, import, and
//! assignments with their history.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::access::Permission;
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use store::grids::{self as sg, GridRow, Responsible};
use store::org::AssignmentKind;
use utoipa::{IntoParams, ToSchema};
use yiwang_geo::index::Located;
use yiwang_geo::shape::PropertyMapping;
use yiwang_geo::{Crs, LonLat};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::grid_import::{ImportOptions, ImportReport};
use crate::state::AppState;

fn crs_of(s: Option<&str>, field: &'static str) -> Result<Crs, ApiError> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(Crs::Wgs84),
        Some(s) => Crs::parse(s).ok_or_else(|| {
            ApiError(Error::invalid(
                "geo.crs",
                field,
                format!("不支持的坐标系 {s}：可用 wgs84（cgcs2000）、gcj02、bd09"),
                format!("unsupported coordinate system {s}: use wgs84 (cgcs2000), gcj02 or bd09"),
            ))
        }),
    }
}

fn instant(s: Option<&str>, field: &'static str) -> Result<DateTime<Utc>, ApiError> {
    match s.filter(|s| !s.is_empty()) {
        None => Ok(Utc::now()),
        Some(s) => domain::time::from_storage(s)
            .or_else(|| {
                s.parse::<chrono::NaiveDate>()
                    .ok()
                    .and_then(|d| domain::time::from_storage(&sg::day_start(d)))
            })
            .ok_or_else(|| {
                ApiError(Error::invalid(
                    "geo.instant",
                    field,
                    format!("{field} 应为 RFC 3339 时间或 YYYY-MM-DD 日期"),
                    format!("{field} must be an RFC 3339 instant or a date YYYY-MM-DD"),
                ))
            }),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct LocateQuery {
    pub lon: f64,
    pub lat: f64,
    /// wgs84 (default; cgcs2000 is the same at grid precision), gcj02 or bd09.
    pub crs: Option<String>,
    /// Who was responsible at this instant (default now).
    pub at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Place {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct LocateView {
    pub township: Place,
    pub village: Option<Place>,
    pub grid: Place,
    #[schema(value_type = Object)]
    pub squad: Option<sg::Holder>,
    #[schema(value_type = Object)]
    pub officer: Option<sg::Holder>,
    #[schema(value_type = Object)]
    pub grid_worker: Option<sg::Holder>,
    /// The point lay outside every grid and was snapped to the nearest one.
    pub snapped: bool,
    /// Distance to the grid when snapped, in metres.
    pub distance_m: Option<f64>,
    /// The point in WGS84 as stored.
    pub wgs84: [f64; 2],
}

/// Locate a point: township, village, grid, and who is responsible for it
/// (now or `at`). A point on a shared edge resolves to the grid with the
/// smaller internal key, always the same one; a point just outside every
/// grid snaps to the nearest within `locate_snap_m` and says so; further
/// out it is refused as outside the jurisdiction (422 `geo.outside_jurisdiction`).
#[utoipa::path(get, path = "/api/v1/locate", tag = "grids", params(LocateQuery),
    responses((status = 200, body = LocateView),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn locate(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<LocateQuery>,
) -> ApiResult<Json<LocateView>> {
    let crs = crs_of(q.crs.as_deref(), "crs")?;
    let at = instant(q.at.as_deref(), "at")?;
    Ok(Json(
        locate_point(&state, LonLat::new(q.lon, q.lat), crs, at).await?,
    ))
}

/// Shared with report intake: locate a point given in any supported system.
pub async fn locate_point(
    state: &AppState,
    p: LonLat,
    crs: Crs,
    at: DateTime<Utc>,
) -> Result<LocateView, ApiError> {
    let found = find_grid(state, p, crs)?;
    let g = &found.grid;
    let (snapped, distance_m, w) = (found.distance_m.is_some(), found.distance_m, found.wgs84);
    let mut conn = state.store.acquire().await?;
    let who = sg::responsible_at(&mut conn, &g.id, at).await?;
    Ok(LocateView {
        township: Place {
            code: g.township_code.clone(),
            name: g.township_name.clone(),
        },
        village: g.village_code.clone().map(|code| Place {
            code,
            name: g.village_name.clone().unwrap_or_default(),
        }),
        grid: Place {
            code: g.code.clone(),
            name: g.name.clone(),
        },
        squad: who.squad,
        officer: who.officer,
        grid_worker: who.grid_worker,
        snapped,
        distance_m,
        wgs84: [w.lon, w.lat],
    })
}

/// A grid found for a point by the in-memory index.
pub struct FoundGrid {
    pub grid: GridRow,
    /// Set when the point lay outside every grid and was snapped to this
    /// one: the distance in metres.
    pub distance_m: Option<f64>,
    /// The point in WGS84.
    pub wgs84: LonLat,
}

/// The grid a point (given in `crs`) lies in, from the in-memory grid
/// index alone: no database query.
pub fn find_grid(state: &AppState, p: LonLat, crs: Crs) -> Result<FoundGrid, ApiError> {
    if !(p.lon.is_finite()
        && p.lat.is_finite()
        && (-180.0..=180.0).contains(&p.lon)
        && (-90.0..=90.0).contains(&p.lat))
    {
        return Err(Error::invalid(
            "geo.coordinate",
            "lon",
            "经纬度超出范围",
            "longitude or latitude out of range",
        )
        .into());
    }
    let w = crs.to_wgs84(p);
    let loaded = state.grids.current();
    let (key, distance_m) = match loaded.index.locate_or_snap(w, state.settings.locate_snap_m) {
        Located::Inside(k) => (k, None),
        Located::Snapped { key, distance_m } => (key, Some((distance_m * 10.0).round() / 10.0)),
        Located::Outside { nearest_m } => {
            let far = nearest_m
                .map(|m| format!("{:.0}", m))
                .unwrap_or_else(|| "—".into());
            return Err(Error::new(
                ErrorKind::Invalid,
                "geo.outside_jurisdiction",
                format!("该位置不在本辖区任何网格内（距最近网格约 {far} 米）"),
                format!(
                    "this point lies outside the jurisdiction (about {far} m from the nearest grid)"
                ),
            )
            .with_field("lon")
            .into());
        }
    };
    Ok(FoundGrid {
        grid: loaded.grids[key as usize].clone(),
        distance_m,
        wgs84: w,
    })
}

#[derive(Deserialize, IntoParams)]
pub struct GridsQuery {
    /// geojson (a FeatureCollection) or json (a list without shapes).
    pub format: Option<String>,
    /// Only this township's grids.
    pub township: Option<String>,
    /// Output coordinates: wgs84 (default), gcj02 or bd09.
    pub crs: Option<String>,
}

fn holder_json(h: &Option<sg::Holder>) -> serde_json::Value {
    match h {
        Some(h) => {
            serde_json::json!({"id": h.id, "name": h.name, "code": h.code, "since": h.since})
        }
        None => serde_json::Value::Null,
    }
}

/// The grids the caller may see. `format=geojson` answers a FeatureCollection
/// whose features carry code, name, township, village and the current
/// squad, officer and grid worker in their properties.
#[utoipa::path(get, path = "/api/v1/grids", tag = "grids", params(GridsQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_grids(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<GridsQuery>,
) -> ApiResult<Response> {
    let scope = caller.scope(Permission::ViewOrganisation)?;
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "geojson") {
        return Err(Error::invalid(
            "query.format",
            "format",
            "format 只能是 json 或 geojson",
            "format must be json or geojson",
        )
        .into());
    }
    let crs = crs_of(q.crs.as_deref(), "crs")?;
    let mut conn = state.store.acquire().await?;
    let grids = sg::list_in(
        &mut conn,
        &scope,
        q.township.as_deref().filter(|t| !t.is_empty()),
    )
    .await?;
    let now = Utc::now();
    let mut who: HashMap<String, Responsible> = HashMap::new();
    for g in &grids {
        who.insert(
            g.id.clone(),
            sg::responsible_at(&mut conn, &g.id, now).await?,
        );
    }
    if format == "json" {
        let items: Vec<serde_json::Value> = grids
            .iter()
            .map(|g| {
                let r = &who[&g.id];
                serde_json::json!({"code": g.code, "name": g.name, "township": g.township_code,
                    "township_name": g.township_name, "village": g.village_code, "village_name": g.village_name,
                    "area_m2": g.area_m2, "squad": holder_json(&r.squad), "officer": holder_json(&r.officer),
                    "grid_worker": holder_json(&r.grid_worker)})
            })
            .collect();
        return Ok(Json(serde_json::json!({"items": items, "total": items.len()})).into_response());
    }
    let features: Vec<serde_json::Value> = grids
        .iter()
        .filter_map(|g| {
            let v: serde_json::Value = serde_json::from_str(&g.geometry).ok()?;
            let shape = yiwang_geo::shape::parse_geometry(&v).ok()?;
            let r = &who[&g.id];
            Some(serde_json::json!({
                "type": "Feature",
                "id": g.code,
                "geometry": yiwang_geo::shape::to_geojson(&yiwang_geo::shape::convert_out(&shape, crs)),
                "properties": {"code": g.code, "name": g.name, "township": g.township_code,
                    "township_name": g.township_name, "village": g.village_code, "village_name": g.village_name,
                    "area_m2": g.area_m2, "squad": holder_json(&r.squad), "officer": holder_json(&r.officer),
                    "grid_worker": holder_json(&r.grid_worker)}
            }))
        })
        .collect();
    let mut resp = Json(serde_json::json!({"type": "FeatureCollection", "crs_name": crs.as_str(), "features": features})).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(resp)
}

#[derive(Deserialize, IntoParams)]
pub struct AreasQuery {
    /// county, township (default: townships and streets) or village.
    pub level: Option<String>,
}

/// Outlines of the county, its townships or villages, as GeoJSON (public).
#[utoipa::path(get, path = "/api/v1/areas", tag = "grids", params(AreasQuery),
    responses((status = 200, body = Object),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn areas(
    State(state): State<AppState>,
    Query(q): Query<AreasQuery>,
) -> ApiResult<Response> {
    let levels: &[&str] = match q.level.as_deref() {
        Some("county") => &["county"],
        Some("village") => &["village", "community"],
        None | Some("township") | Some("") => &["township", "street"],
        Some(_) => {
            return Err(Error::invalid(
                "query.level",
                "level",
                "level 只能是 county、township 或 village",
                "level must be county, township or village",
            )
            .into());
        }
    };
    let mut conn = state.store.acquire().await?;
    let rows = sg::areas(&mut conn, levels).await?;
    let features: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|a| {
            let geometry: serde_json::Value = serde_json::from_str(&a.geometry).ok()?;
            Some(
                serde_json::json!({"type": "Feature", "id": a.code, "geometry": geometry,
                "properties": {"code": a.code, "name": a.name, "level": a.level}}),
            )
        })
        .collect();
    let mut resp = Json(serde_json::json!({"type": "FeatureCollection", "features": features}))
        .into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(resp)
}

#[derive(Deserialize, IntoParams)]
pub struct GridImportQuery {
    /// true (default): check only, import nothing.
    pub dry_run: Option<bool>,
    /// Coordinates of the file: wgs84 (default), gcj02 or bd09.
    pub crs: Option<String>,
    /// Property holding the grid code (default `code`, or 编码/网格编码).
    pub code_property: Option<String>,
    /// Property holding the name (default `name`, or 名称/网格名称).
    pub name_property: Option<String>,
    /// Property holding the township or village code (default `parent`, or 上级/所属).
    pub parent_property: Option<String>,
    /// Overlaps and gaps up to this area (m²) are ignored; default 1.
    pub tolerance_m2: Option<f64>,
}

impl GridImportQuery {
    pub fn options(&self) -> Result<ImportOptions, ApiError> {
        let d = PropertyMapping::default();
        let pick = |v: &Option<String>, default: String| {
            v.clone().filter(|s| !s.is_empty()).unwrap_or(default)
        };
        let tol = self.tolerance_m2.unwrap_or(1.0);
        if !(tol.is_finite() && tol >= 0.0) {
            return Err(Error::invalid(
                "query.tolerance",
                "tolerance_m2",
                "容差应为非负数",
                "tolerance_m2 must be a non-negative number",
            )
            .into());
        }
        Ok(ImportOptions {
            mapping: PropertyMapping {
                code: pick(&self.code_property, d.code),
                name: pick(&self.name_property, d.name),
                parent: pick(&self.parent_property, d.parent),
            },
            crs: crs_of(self.crs.as_deref(), "crs")?,
            dry_run: self.dry_run.unwrap_or(true),
            tolerance_m2: tol,
        })
    }
}

/// Import grids from a GeoJSON FeatureCollection (the body). Every feature
/// is checked — rings, self-intersections, duplicate codes, grids outside
/// their township, overlaps and gaps (with area in m² and where) — and
/// nothing is stored unless every check passes.
#[utoipa::path(post, path = "/api/v1/grids/import", tag = "grids", params(GridImportQuery),
    request_body(content = Object, content_type = "application/geo+json"),
    responses((status = 200, body = ImportReport),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<GridImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let scope = caller.scope(Permission::ManageOrganisation)?;
    let opts = q.options()?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError(Error::invalid(
            "grids.file",
            "body",
            "文件应为 UTF-8 编码的 GeoJSON",
            "the file must be UTF-8 GeoJSON",
        ))
    })?;
    let actor = caller.actor(scope.roots().first().map(String::as_str).unwrap_or("/"));
    let report = crate::grid_import::run(
        &state.store,
        &state.audit_key,
        &actor,
        &scope,
        text,
        &opts,
        &mut |_, _, _| {},
    )
    .await?;
    if report.imported > 0 {
        state.grids.refresh(&state.store).await?;
    }
    Ok(Json(report))
}

#[derive(Deserialize, ToSchema)]
pub struct NewAssignment {
    /// squad (the grid joins the squad's district), officer or grid_worker.
    pub kind: String,
    /// The squad's unit code (kind = squad).
    pub unit: Option<String>,
    /// The staff member's id (kind = officer or grid_worker).
    pub staff_id: Option<String>,
    /// From when (RFC 3339 or YYYY-MM-DD; default now). Must be after the current assignment began.
    pub from: Option<String>,
    /// Why (recorded in the audit record).
    pub reason: Option<String>,
}

/// Reassign a grid: the current assignment of that kind ends at `from` and
/// the new one begins; earlier instants keep their answer.
#[utoipa::path(post, path = "/api/v1/grids/{code}/assignments", tag = "grids", params(("code" = String, Path)),
    request_body = NewAssignment,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<NewAssignment>,
) -> ApiResult<(axum::http::StatusCode, Json<serde_json::Value>)> {
    let scope = caller.scope(Permission::ManageOrganisation)?;
    let kind = match req.kind.as_str() {
        "squad" => AssignmentKind::SquadDistrict,
        "officer" => AssignmentKind::OfficerGrid,
        "grid_worker" => AssignmentKind::GridWorkerGrid,
        other => {
            return Err(Error::invalid(
                "grids.assignment_kind",
                "kind",
                format!("未知的分工类型 {other}：可用 squad、officer、grid_worker"),
                format!("unknown assignment kind {other}: use squad, officer or grid_worker"),
            )
            .into());
        }
    };
    let from = instant(req.from.as_deref(), "from")?;
    let mut tx = state.store.begin_write().await?;
    let grid = sg::grid_in(&mut tx, &scope, &code)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::not_found("网格", "Grid")),
            other => other.into(),
        })?;
    let (unit_id, staff_id, holder) = match kind {
        AssignmentKind::SquadDistrict => {
            let u = req.unit.as_deref().unwrap_or("");
            let unit = store::org::unit_by_code(&mut tx, u).await.map_err(|_| {
                ApiError(Error::invalid(
                    "grids.unit",
                    "unit",
                    format!("没有编码为 {u} 的中队"),
                    format!("no squad has code {u}"),
                ))
            })?;
            if unit.kind != domain::org::UnitKind::Squad
                || unit.jurisdiction_id != grid_township_id(&mut tx, &grid).await?
            {
                return Err(Error::invalid(
                    "grids.unit",
                    "unit",
                    "只能分给本乡镇的中队",
                    "a grid goes to a squad of its own township",
                )
                .into());
            }
            (Some(unit.id.clone()), None, unit.name)
        }
        _ => {
            let id = req.staff_id.as_deref().unwrap_or("");
            let s = store::org::staff_by_id(&mut tx, &scope, id)
                .await
                .map_err(|_| {
                    ApiError(Error::invalid(
                        "grids.staff",
                        "staff_id",
                        format!("没有编号为 {id} 的人员"),
                        format!("no staff member {id}"),
                    ))
                })?;
            let want = if kind == AssignmentKind::OfficerGrid {
                domain::org::Post::Officer
            } else {
                domain::org::Post::GridWorker
            };
            let ok_post = s.post == want
                || (want == domain::org::Post::Officer && s.post == domain::org::Post::SquadLeader);
            if !ok_post || s.jurisdiction_code != grid.township_code {
                return Err(Error::invalid(
                    "grids.staff",
                    "staff_id",
                    "只能分给本乡镇相应岗位的人员",
                    "a grid goes to a person of the right post in its own township",
                )
                .into());
            }
            (None, Some(s.id.clone()), s.name)
        }
    };
    if let Some(latest) = sg::latest_start(&mut tx, &grid.id, kind).await?
        && latest >= store::util::ts(from)
    {
        return Err(Error::invalid("grids.assignment_from", "from",
            format!("新的分工须晚于现有分工的开始时间（{latest}），历史不可改写"),
            format!("a new assignment must begin after the current one began ({latest}); history is not rewritten")).into());
    }
    let id = sg::reassign(
        &mut tx,
        kind,
        &grid.id,
        unit_id.as_deref(),
        staff_id.as_deref(),
        from,
    )
    .await?;
    let after = serde_json::json!({"grid": grid.code, "kind": req.kind, "holder": holder, "from": store::util::ts(from), "reason": req.reason});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&grid.township_path),
        Change {
            action: "grid.reassign",
            object_type: "grid",
            object_id: &grid.code,
            jurisdiction: &grid.township_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut body = after;
    body["id"] = serde_json::Value::String(id);
    Ok((axum::http::StatusCode::CREATED, Json(body)))
}

async fn grid_township_id(conn: &mut store::Conn, g: &GridRow) -> Result<String, ApiError> {
    Ok(store::org::jurisdiction_by_code(conn, &g.township_code)
        .await?
        .id)
}

/// Who was responsible for a grid, over time.
#[utoipa::path(get, path = "/api/v1/grids/{code}/assignments", tag = "grids", params(("code" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn assignments(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let scope = caller.scope(Permission::ViewOrganisation)?;
    let mut conn = state.store.acquire().await?;
    let grid = sg::grid_in(&mut conn, &scope, &code)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::not_found("网格", "Grid")),
            other => other.into(),
        })?;
    let rows = sg::history(&mut conn, &grid.id).await?;
    let items: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|(kind, h)| {
            let kind = match kind.as_str() {
                "squad_district" => "squad",
                "officer_grid" => "officer",
                _ => "grid_worker",
            };
            serde_json::json!({"kind": kind, "id": h.id, "name": h.name, "code": h.code, "since": h.since, "until": h.until})
        })
        .collect();
    Ok(Json(serde_json::json!({"grid": grid.code, "items": items})))
}
