//! Intake: one model for every channel. A report is located in its grid,
//! classified against the power list, checked for duplicates, emergencies
//! and matters for other platforms, given its first deadline and stored —
//! acknowledged only once committed.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use domain::access::{Permission, Scope};
use domain::report::{self as rp, Channel, Status, Urgency};
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use store::audit::{self, Actor, Change};
use store::reports::{self as sr, NewReport, Report};
use utoipa::ToSchema;
use yiwang_geo::{Crs, LonLat};

use super::photos::{Photo, read_body, store_photos};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct NewReportRequest {
    /// grid_worker, camera, citizen, hotline or department
    pub channel: String,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    /// wgs84 (default), gcj02 or bd09
    pub crs: Option<String>,
    /// The power-list item, when the reporter knows it.
    pub item_code: Option<String>,
    /// When it happened (RFC 3339); default: now.
    pub occurred_at: Option<String>,
    /// normal (default), urgent or emergency
    pub urgency: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Suggestion {
    pub code: String,
    pub name: String,
    pub score: f64,
}

pub fn parse_instant(s: &str, field: &'static str) -> Result<DateTime<Utc>, ApiError> {
    domain::time::from_storage(s).ok_or_else(|| {
        ApiError(Error::invalid(
            "report.time",
            field,
            format!("{field} 应为 RFC 3339 时间，如 2026-11-28T09:30:00+08:00"),
            format!("{field} must be an RFC 3339 instant, e.g. 2026-11-28T09:30:00+08:00"),
        ))
    })
}
/// Receive a report from any channel. Answers 201 with the report (its
/// `id`, `grid` and `status`) once it is committed; with an
/// `Idempotency-Key` a retry answers 200 with the same report and never
/// creates a second. JSON, or multipart/form-data with a `report` part and
/// `photo` parts (JPEG, PNG or WebP by content; size-limited).
#[utoipa::path(post, path = "/api/v1/reports", tag = "one net", request_body = NewReportRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry key: the same key returns the same report")),
    responses((status = 201, body = Object), (status = 200, body = Object),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    req: Request,
) -> ApiResult<(StatusCode, Json<Report>)> {
    let scope = caller.scope(Permission::SubmitReport)?;
    let key = idempotency_key(req.headers())?;
    let from = Source::Caller(&caller, scope);
    if let Some(k) = &key {
        let mut conn = state.store.acquire().await?;
        if let Some(id) = sr::by_key(&mut conn, &from.reporter(), k).await? {
            return Ok((StatusCode::OK, Json(sr::by_id(&mut conn, &id).await?)));
        }
    }
    let (r, photos) = read_body(&state, req).await?;
    let (created, report) = intake(&state, &from, key, r, photos).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

/// Where a report comes from.
pub enum Source<'a> {
    /// A signed-in user or an integration token, reporting within its scope.
    Caller(&'a Caller, Scope),
    /// Someone outside the system (the public form, a camera alert checked
    /// by its signature): any place in the county, under this name.
    Outside { reporter: String, actor: Actor },
}

impl Source<'_> {
    /// The reporter as stored; idempotency keys are unique per reporter.
    pub fn reporter(&self) -> String {
        match self {
            Source::Caller(c, _) => c
                .principal
                .user_id
                .clone()
                .unwrap_or_else(|| format!("token:{}", c.principal.name)),
            Source::Outside { reporter, .. } => reporter.clone(),
        }
    }

    fn name(&self) -> String {
        match self {
            Source::Caller(c, _) => c.principal.name.clone(),
            Source::Outside { actor, .. } => actor.name.clone(),
        }
    }

    fn actor(&self, path: &str) -> Actor {
        match self {
            Source::Caller(c, _) => c.actor(path),
            Source::Outside { actor, .. } => actor.clone(),
        }
    }
}

/// Take in one report from any source: validate, locate, classify, triage,
/// store with its photos and audit entry in one transaction. Answers whether
/// it was created (false: a retry with the same key found the first one).
pub async fn intake(
    state: &AppState,
    from: &Source<'_>,
    key: Option<String>,
    r: NewReportRequest,
    photos: Vec<Photo>,
) -> Result<(bool, Report), ApiError> {
    let reporter = from.reporter();
    let channel = Channel::parse(&r.channel)?;
    crate::extract::required("description", &r.description)?;
    if r.description.chars().count() > 4000 {
        return Err(Error::invalid(
            "report.description",
            "description",
            "描述不能超过 4000 字",
            "description must be at most 4000 characters",
        )
        .into());
    }
    let crs = match r.crs.as_deref().filter(|s| !s.is_empty()) {
        None => Crs::Wgs84,
        Some(s) => Crs::parse(s).ok_or_else(|| {
            ApiError(Error::invalid(
                "geo.crs",
                "crs",
                format!("不支持的坐标系 {s}：可用 wgs84、gcj02、bd09"),
                format!("unsupported coordinate system {s}: use wgs84, gcj02 or bd09"),
            ))
        })?,
    };
    let now = Utc::now();
    let occurred = match r.occurred_at.as_deref().filter(|s| !s.is_empty()) {
        None => now,
        Some(s) => parse_instant(s, "occurred_at")?,
    };
    if occurred > now + chrono::Duration::minutes(5) {
        return Err(Error::invalid(
            "report.occurred_at",
            "occurred_at",
            "发生时间不能晚于现在",
            "occurred_at cannot be in the future",
        )
        .into());
    }
    let mut urgency = match r.urgency.as_deref().filter(|s| !s.is_empty()) {
        None => Urgency::Normal,
        Some(s) => Urgency::parse(s)?,
    };
    // Located in its grid, and who answers for the grid now.
    let place =
        crate::routes::grids::locate_point(state, LonLat::new(r.lon, r.lat), crs, now).await?;
    let mut conn = state.store.acquire().await?;
    let town = store::org::jurisdiction_by_code(&mut conn, &place.township.code).await?;
    if let Source::Caller(_, scope) = from
        && !scope.covers(&town.path)
    {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "access.out_of_jurisdiction",
            format!("该位置属于{}，不在您的辖区内", town.name),
            format!(
                "this place lies in {}, outside your jurisdiction",
                town.name
            ),
        )
        .with_field("lon")
        .into());
    }
    let grid = store::grids::grid_in(
        &mut conn,
        &domain::access::Scope::system(Permission::ViewOrganisation),
        &place.grid.code,
    )
    .await?;
    // Classified against the power list: the reporter's item, or ranked suggestions.
    let item_code = match r
        .item_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(c) => match store::powerlist::by_code(&mut conn, c).await {
            Ok(_) => Some(c.to_string()),
            Err(store::StoreError::NotFound) => {
                return Err(Error::invalid(
                    "report.item_code",
                    "item_code",
                    format!("权责清单中没有事项 {c}"),
                    format!("no item {c} on the power list"),
                )
                .into());
            }
            Err(e) => return Err(e.into()),
        },
    };
    let tokens = yiwang_search::query_tokens(&r.description);
    let filter = store::powerlist::Filter {
        township_id: Some(town.id.clone()),
        ..Default::default()
    };
    let (found, _) =
        store::powerlist::search(&mut conn, state.store.backend(), &tokens, &filter, 3, 0).await?;
    let suggestions: Vec<Suggestion> = found
        .into_iter()
        .map(|s| Suggestion {
            code: s.code,
            name: s.name,
            score: (s.score * 1000.0).round() / 1000.0,
        })
        .collect();
    // Emergencies go to the emergency platform at once; other matters to theirs.
    let signals = rp::triage::emergency_signals(&r.description);
    if !signals.is_empty() {
        urgency = Urgency::Emergency;
    }
    let other_platform = if signals.is_empty() && item_code.is_none() {
        rp::triage::non_enforcement(&r.description)
    } else {
        None
    };
    // Duplicates: same item, close in place and time → linked to the first.
    let mut duplicate_of = None;
    if let Some(code) = &item_code {
        let since = store::util::ts(
            now - chrono::Duration::hours(state.settings.duplicate_window_hours as i64),
        );
        let me = rp::triage::Sighting {
            lon: place.wgs84[0],
            lat: place.wgs84[1],
            at: now,
            item_code: Some(code.clone()),
        };
        for (id, lon, lat, at) in sr::recent_with_item(&mut conn, code, &since).await? {
            let earlier = rp::triage::Sighting {
                lon,
                lat,
                at: domain::time::from_storage(&at).unwrap_or(now),
                item_code: Some(code.clone()),
            };
            if rp::triage::is_duplicate(
                &me,
                &earlier,
                state.settings.duplicate_distance_m,
                chrono::Duration::hours(state.settings.duplicate_window_hours as i64),
            ) {
                duplicate_of = Some(id);
                break;
            }
        }
    }
    drop(conn);
    let status = if duplicate_of.is_some() {
        Status::Merged
    } else if other_platform.is_some() {
        Status::HandedOver
    } else {
        Status::Received
    };
    let deadline = (status == Status::Received)
        .then(|| crate::deadlines::deadline(state, rp::Step::Dispatch, urgency, now));
    store_photos(state, &photos)?;
    let suggestions_json = serde_json::to_string(&suggestions).unwrap_or_else(|_| "[]".into());
    let emergency_json = serde_json::to_string(&signals).unwrap_or_else(|_| "[]".into());
    let occurred_s = store::util::ts(occurred);
    let deadline_s = deadline.map(store::util::ts);
    let mut tx = state.store.begin().await?;
    let (id, created) = sr::insert(
        &mut tx,
        &NewReport {
            channel: channel.as_str(),
            description: r.description.trim(),
            lon: place.wgs84[0],
            lat: place.wgs84[1],
            crs_in: crs.as_str(),
            lon_in: r.lon,
            lat_in: r.lat,
            township_id: &town.id,
            grid_id: &grid.id,
            snapped_m: place.distance_m,
            squad_id: place.squad.as_ref().map(|h| h.id.as_str()),
            officer_id: place.officer.as_ref().map(|h| h.id.as_str()),
            grid_worker_id: place.grid_worker.as_ref().map(|h| h.id.as_str()),
            item_code: item_code.as_deref(),
            suggestions: &suggestions_json,
            urgency: urgency.as_str(),
            emergency: &emergency_json,
            status: status.as_str(),
            duplicate_of: duplicate_of.as_deref(),
            occurred_at: &occurred_s,
            reporter: &reporter,
            idempotency_key: key.as_deref(),
            deadline_at: deadline_s.as_deref(),
        },
    )
    .await?;
    if !created {
        // a concurrent retry won the race: answer with its report
        drop(tx);
        let mut conn = state.store.acquire().await?;
        return Ok((false, sr::by_id(&mut conn, &id).await?));
    }
    for p in &photos {
        sr::attach(&mut tx, &id, &p.sha256, p.bytes.len() as i64, p.mime).await?;
    }
    let actor = from.name();
    sr::add_event(
        &mut tx,
        &id,
        "receive",
        "",
        Status::Received.as_str(),
        &actor,
        channel.as_str(),
    )
    .await?;
    if !signals.is_empty() {
        sr::add_event(
            &mut tx,
            &id,
            "flag_emergency",
            Status::Received.as_str(),
            Status::Received.as_str(),
            "system",
            &format!("应急管理平台：{}", signals.join(",")),
        )
        .await?;
    }
    if let Some(p) = other_platform {
        sr::add_event(
            &mut tx,
            &id,
            "hand_over",
            Status::Received.as_str(),
            Status::HandedOver.as_str(),
            "system",
            &format!("{p:?}"),
        )
        .await?;
    }
    if let Some(first) = &duplicate_of {
        sr::count_duplicate(&mut tx, first).await?;
        sr::add_event(
            &mut tx,
            &id,
            "merge",
            Status::Received.as_str(),
            Status::Merged.as_str(),
            "system",
            first,
        )
        .await?;
    }
    let after = serde_json::json!({"channel": channel.as_str(), "grid": place.grid.code, "status": status.as_str(),
        "item": item_code, "urgency": urgency.as_str(), "duplicate_of": duplicate_of, "emergency": signals});
    audit::append(
        &mut tx,
        &state.audit_key,
        &from.actor(&town.path),
        Change {
            action: "report.create",
            object_type: "report",
            object_id: &id,
            jurisdiction: &town.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    let report = sr::by_id(&mut conn, &id).await?;
    state.live.publish(&report);
    Ok((true, report))
}

pub fn idempotency_key(h: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = h.get("idempotency-key") else {
        return Ok(None);
    };
    let s = v.to_str().map_err(|_| {
        ApiError(Error::invalid(
            "report.idempotency_key",
            "Idempotency-Key",
            "Idempotency-Key 只能包含可见 ASCII 字符",
            "Idempotency-Key must be visible ASCII",
        ))
    })?;
    if s.is_empty() || s.len() > 200 {
        return Err(Error::invalid(
            "report.idempotency_key",
            "Idempotency-Key",
            "Idempotency-Key 长度应为 1–200",
            "Idempotency-Key must be 1–200 characters",
        )
        .into());
    }
    Ok(Some(s.to_string()))
}
