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
use store::audit::Actor;
use store::grids::{GridRow, Responsible};
use store::intake::{NewEvent, NewIntake, NewPhoto, SearchTerms, Town};
use store::reports::{self as sr, Report};
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

impl From<store::intake::TermScore> for Suggestion {
    fn from(s: store::intake::TermScore) -> Self {
        Suggestion {
            code: s.code,
            name: s.name,
            score: (s.score * 1000.0).round() / 1000.0,
        }
    }
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
/// store with its photos and audit entry — acknowledged once committed.
/// Answers whether it was created (false: a retry with the same key found
/// the first one).
///
/// What needs no database is decided here, in the request's own task: the
/// checks, the grid (from the in-memory index), the words, the emergency
/// and other-platform hints, the first deadline; and who answers for the
/// grid is read here too. The rest — the item named, the suggestions,
/// duplicates, a retry's key — is read for the whole batch the report is
/// written with (see [`crate::group_commit`]).
pub async fn intake(
    state: &AppState,
    from: &Source<'_>,
    key: Option<String>,
    r: NewReportRequest,
    photos: Vec<Photo>,
) -> Result<(bool, Report), ApiError> {
    intake_flagged(state, from, key, r, photos, &[]).await
}

/// A note the source puts on a new report's trail, stored in the same
/// transaction (a camera not reviewed: not usable as evidence, APL Art. 41).
pub struct Flag {
    pub action: &'static str,
    pub note: String,
}

/// [`intake`], with flags recorded as events of the new report.
pub async fn intake_flagged(
    state: &AppState,
    from: &Source<'_>,
    key: Option<String>,
    r: NewReportRequest,
    photos: Vec<Photo>,
    flags: &[Flag],
) -> Result<(bool, Report), ApiError> {
    let mut draft = match draft(state, from, key.clone(), r, photos, flags) {
        Ok(d) => d,
        Err(e) => {
            // A retry of a report already taken answers with that report,
            // whatever would be refused about it now.
            if let Some(k) = &key {
                let mut conn = state.store.acquire().await?;
                if let Some(id) = sr::by_key(&mut conn, &from.reporter(), k).await? {
                    return Ok((false, sr::by_id(&mut conn, &id).await?));
                }
            }
            return Err(e);
        }
    };
    // Who answers for the grid now: read here, beside the other requests,
    // not by the one writer that every report waits for.
    {
        let mut conn = state.store.acquire().await?;
        let now = store::util::ts(draft.now);
        draft.assignments =
            store::intake::assignments(&mut conn, &[draft.grid.id.as_str()], &now, &now).await?;
    }
    let grid = draft.grid.clone();
    match state.intake.write(draft).await? {
        Outcome::Created(c) => {
            let report = as_stored(*c, &grid);
            state.live.publish(&report);
            Ok((true, report))
        }
        Outcome::Existing(id) => {
            let mut conn = state.store.acquire().await?;
            Ok((false, sr::by_id(&mut conn, &id).await?))
        }
    }
}

/// A report checked and located, waiting for its batch.
pub struct Draft {
    /// The new report's id.
    pub id: String,
    /// When it arrived.
    pub now: DateTime<Utc>,
    pub channel: Channel,
    /// Trimmed.
    pub description: String,
    pub crs: Crs,
    pub lon_in: f64,
    pub lat_in: f64,
    pub grid: GridRow,
    /// The grid's assignments in force when it arrived (who answers for it).
    pub assignments: Vec<store::intake::Assignment>,
    /// Snapped to the grid from this far (metres).
    pub snapped_m: Option<f64>,
    pub wgs84: LonLat,
    /// As the reporter named it: the batch checks it is on the list.
    pub item_code: Option<String>,
    /// The words to classify by.
    pub tokens: Vec<String>,
    pub search: SearchTerms,
    pub urgency: Urgency,
    pub signals: Vec<&'static str>,
    pub other_platform: Option<rp::Platform>,
    pub occurred_at: String,
    /// The dispatch deadline, should it stay received.
    pub deadline_at: Option<String>,
    /// Its warning time: when the supervision sweep first looks at it.
    pub supervise_at: Option<String>,
    pub reporter: String,
    pub key: Option<String>,
    pub photos: Vec<NewPhoto>,
    /// (action, note) of the source's flags.
    pub flags: Vec<(String, String)>,
    /// Who received it, as the trail names them.
    pub receiver: String,
    pub actor: Actor,
}

/// What became of a draft.
pub enum Outcome {
    Created(Box<Created>),
    /// Its reporter had sent it before with the same key: that report's id.
    Existing(String),
}

/// A report created, as written.
pub struct Created {
    pub report: NewIntake,
    pub town: Town,
    pub who: Responsible,
    pub received_at: String,
}

/// Check a report and decide what needs no database.
fn draft(
    state: &AppState,
    from: &Source<'_>,
    key: Option<String>,
    r: NewReportRequest,
    photos: Vec<Photo>,
    flags: &[Flag],
) -> Result<Draft, ApiError> {
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
    // Located in its grid (who answers for it is read before the batch).
    let found = crate::routes::grids::find_grid(state, LonLat::new(r.lon, r.lat), crs)?;
    let grid = found.grid;
    if let Source::Caller(_, scope) = from
        && !scope.covers(&grid.township_path)
    {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "access.out_of_jurisdiction",
            format!("该位置属于{}，不在您的辖区内", grid.township_name),
            format!(
                "this place lies in {}, outside your jurisdiction",
                grid.township_name
            ),
        )
        .with_field("lon")
        .into());
    }
    let item_code = r
        .item_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
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
    let deadline = other_platform
        .is_none()
        .then(|| crate::deadlines::deadline(state, rp::Step::Dispatch, urgency, now));
    let supervise_at = deadline.map(|d| {
        let cal = state.calendar.get();
        let warn_at = state.settings.warn_at_share;
        let first =
            crate::supervisor::first_look(&cal, rp::Step::Dispatch, urgency, now, d, warn_at);
        store::util::ts(first)
    });
    store_photos(state, &photos)?;
    let description = r.description.trim().to_string();
    Ok(Draft {
        id: store::util::new_id(),
        now,
        channel,
        tokens: yiwang_search::query_tokens(&r.description),
        search: store::intake::search_terms(&description, &grid.name, grid.village_name.as_deref()),
        description,
        crs,
        lon_in: r.lon,
        lat_in: r.lat,
        snapped_m: found.distance_m,
        wgs84: found.wgs84,
        assignments: Vec::new(),
        item_code,
        urgency,
        signals,
        other_platform,
        occurred_at: store::util::ts(occurred),
        deadline_at: deadline.map(store::util::ts),
        supervise_at,
        reporter: from.reporter(),
        key,
        photos: photos
            .iter()
            .map(|p| NewPhoto {
                sha256: p.sha256.clone(),
                size: p.bytes.len() as i64,
                mime: p.mime.into(),
            })
            .collect(),
        flags: flags
            .iter()
            .map(|f| (f.action.to_string(), f.note.clone()))
            .collect(),
        receiver: from.name(),
        actor: from.actor(&grid.township_path),
        grid,
    })
}

/// The report to write, once its batch has read its suggestions and the
/// report it repeats (if any).
pub fn finish(
    d: &Draft,
    town: &Town,
    who: &Responsible,
    item_field: Option<String>,
    suggestions: &[Suggestion],
    duplicate_of: Option<String>,
) -> NewIntake {
    let status = if duplicate_of.is_some() {
        Status::Merged
    } else if d.other_platform.is_some() {
        Status::HandedOver
    } else {
        Status::Received
    };
    let event = |action: &str, to: Status, actor: &str, note: String| NewEvent {
        action: action.into(),
        from_status: Status::Received.as_str().into(),
        to_status: to.as_str().into(),
        actor: actor.into(),
        note,
    };
    let mut events = vec![NewEvent {
        from_status: String::new(),
        ..event(
            "receive",
            Status::Received,
            &d.receiver,
            d.channel.as_str().into(),
        )
    }];
    for (action, note) in &d.flags {
        events.push(event(action, Status::Received, "system", note.clone()));
    }
    if !d.signals.is_empty() {
        events.push(event(
            "flag_emergency",
            Status::Received,
            "system",
            format!("应急管理平台：{}", d.signals.join(",")),
        ));
    }
    if let Some(p) = d.other_platform {
        events.push(event(
            "hand_over",
            Status::HandedOver,
            "system",
            format!("{p:?}"),
        ));
    }
    if let Some(first) = &duplicate_of {
        events.push(event("merge", Status::Merged, "system", first.clone()));
    }
    let after = serde_json::json!({"channel": d.channel.as_str(), "grid": d.grid.code, "status": status.as_str(),
        "item": d.item_code, "urgency": d.urgency.as_str(), "duplicate_of": duplicate_of, "emergency": d.signals});
    NewIntake {
        id: d.id.clone(),
        channel: d.channel.as_str().into(),
        description: d.description.clone(),
        lon: d.wgs84.lon,
        lat: d.wgs84.lat,
        crs_in: d.crs.as_str().into(),
        lon_in: d.lon_in,
        lat_in: d.lat_in,
        township_id: town.id.clone(),
        township_path: town.path.clone(),
        grid_id: d.grid.id.clone(),
        snapped_m: d.snapped_m,
        squad_id: who.squad.as_ref().map(|h| h.id.clone()),
        officer_id: who.officer.as_ref().map(|h| h.id.clone()),
        grid_worker_id: who.grid_worker.as_ref().map(|h| h.id.clone()),
        item_code: d.item_code.clone(),
        item_field,
        suggestions: serde_json::to_string(suggestions).unwrap_or_else(|_| "[]".into()),
        urgency: d.urgency.as_str().into(),
        emergency: serde_json::to_string(&d.signals).unwrap_or_else(|_| "[]".into()),
        deadline_at: d.deadline_at.clone().filter(|_| status == Status::Received),
        supervise_at: d
            .supervise_at
            .clone()
            .filter(|_| status == Status::Received),
        status: status.as_str().into(),
        duplicate_of,
        occurred_at: d.occurred_at.clone(),
        reporter: d.reporter.clone(),
        idempotency_key: d.key.clone(),
        search: d.search.clone(),
        photos: d.photos.clone(),
        events,
        actor: d.actor.clone(),
        after,
    }
}

/// The refusal of a report naming an item that is not on the list.
pub fn unknown_item(code: &str) -> ApiError {
    ApiError(Error::invalid(
        "report.item_code",
        "item_code",
        format!("权责清单中没有事项 {code}"),
        format!("no item {code} on the power list"),
    ))
}

/// A new report as `store::reports::by_id` reads it back once committed:
/// built from what was written, so that answering takes no more queries.
fn as_stored(c: Created, grid: &GridRow) -> Report {
    let Created {
        report: r,
        town,
        who,
        received_at: at,
    } = c;
    let json = |s: &str| serde_json::from_str(s).unwrap_or(serde_json::Value::Null);
    let mut attachments: Vec<sr::Attachment> = r
        .photos
        .iter()
        .map(|p| sr::Attachment {
            sha256: p.sha256.clone(),
            size: p.size,
            mime: p.mime.clone(),
        })
        .collect();
    attachments.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    attachments.dedup_by(|a, b| a.sha256 == b.sha256);
    Report {
        id: r.id,
        channel: r.channel,
        description: r.description,
        status: r.status,
        lon: r.lon,
        lat: r.lat,
        township: town.code,
        township_name: town.name,
        township_path: town.path,
        grid: grid.code.clone(),
        grid_name: grid.name.clone(),
        village: grid.village_code.clone(),
        snapped_m: r.snapped_m,
        squad: who.squad.map(|h| h.name),
        officer: who.officer.map(|h| h.name),
        officer_id: r.officer_id,
        grid_worker: who.grid_worker.map(|h| h.name),
        item_code: r.item_code,
        suggestions: json(&r.suggestions),
        urgency: r.urgency,
        emergency: json(&r.emergency),
        duplicate_of: r.duplicate_of,
        duplicates: 0,
        occurred_at: r.occurred_at,
        received_at: at.clone(),
        reporter: r.reporter,
        dispatched_squad: None,
        dispatched_to: None,
        handler: None,
        deadline_at: r.deadline_at,
        updated_at: at.clone(),
        version: 0,
        step_started_at: None,
        paused_at: None,
        events: r
            .events
            .into_iter()
            .map(|e| sr::Event {
                action: e.action,
                from_status: e.from_status,
                to_status: e.to_status,
                actor: e.actor,
                note: e.note,
                at: at.clone(),
            })
            .collect(),
        attachments,
        supervision: vec![],
        requests: vec![],
    }
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
