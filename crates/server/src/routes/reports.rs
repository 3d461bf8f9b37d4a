//! The one net's intake and queue: every channel posts to one endpoint; a
//! report is located in its grid, classified against the power list,
//! checked for duplicates, emergencies and matters for other platforms,
//! given its first deadline and stored — acknowledged only once committed.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, Utc};
use domain::access::Permission;
use domain::report::{self as rp, Channel, Status, Urgency};
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::audit::{self, Change};
use store::reports::{self as sr, NewReport, Report};
use utoipa::{IntoParams, ToSchema};
use yiwang_geo::{Crs, LonLat};

use super::org::{Paged, paging};
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

/// An uploaded photo, checked by content.
struct Photo {
    bytes: Vec<u8>,
    mime: &'static str,
    sha256: String,
}

/// The image type by the file's first bytes, whatever its name says.
fn sniff_image(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if b.len() > 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn photo(state: &AppState, name: &str, bytes: Vec<u8>) -> Result<Photo, ApiError> {
    if bytes.len() > state.settings.max_photo_bytes {
        return Err(Error::new(
            ErrorKind::TooLarge,
            "report.photo_too_large",
            format!(
                "照片 {name} 超过 {} MB",
                state.settings.max_photo_bytes / (1024 * 1024)
            ),
            format!(
                "photo {name} is larger than {} MB",
                state.settings.max_photo_bytes / (1024 * 1024)
            ),
        )
        .with_field("photo")
        .into());
    }
    let Some(mime) = sniff_image(&bytes) else {
        return Err(Error::invalid(
            "report.photo_type",
            "photo",
            format!("文件 {name} 不是 JPEG、PNG 或 WebP 图片（按内容检查）"),
            format!("file {name} is not a JPEG, PNG or WebP image (checked by content)"),
        )
        .into());
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Photo {
        bytes,
        mime,
        sha256,
    })
}

/// JSON, or multipart with a `report` part (JSON) and `photo` parts.
async fn read_body(
    state: &AppState,
    req: Request,
) -> Result<(NewReportRequest, Vec<Photo>), ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(req, state).await.map_err(|e| {
            ApiError(Error::invalid(
                "body.multipart",
                "body",
                format!("无法读取上传内容：{e}"),
                format!("the upload could not be read: {e}"),
            ))
        })?;
        let mut report = None;
        let mut photos = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(|e| {
            let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
            ApiError(if too_large {
                Error::new(
                    ErrorKind::TooLarge,
                    "body.too_large",
                    "上传内容过大",
                    "The upload is too large",
                )
            } else {
                Error::invalid(
                    "body.multipart",
                    "body",
                    format!("无法读取上传内容：{e}"),
                    format!("the upload could not be read: {e}"),
                )
            })
        })? {
            let name = field.name().unwrap_or("").to_string();
            let file = field.file_name().unwrap_or(&name).to_string();
            let bytes = field.bytes().await.map_err(|e| {
                ApiError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Error::new(
                        ErrorKind::TooLarge,
                        "body.too_large",
                        "上传内容过大",
                        "The upload is too large",
                    )
                } else {
                    Error::invalid(
                        "body.multipart",
                        "body",
                        "无法读取上传内容",
                        "the upload could not be read",
                    )
                })
            })?;
            match name.as_str() {
                "report" => {
                    report = Some(
                        crate::extract::parse_json::<NewReportRequest>(&bytes).map_err(ApiError)?,
                    )
                }
                "photo" | "photos" => photos.push(photo(state, &file, bytes.to_vec())?),
                other => {
                    return Err(Error::invalid(
                        "body.multipart",
                        other,
                        format!("未知的上传字段 {other}"),
                        format!("unknown upload field {other}"),
                    )
                    .into());
                }
            }
        }
        let report = report.ok_or_else(|| {
            ApiError(Error::invalid(
                "body.required",
                "report",
                "缺少 report 字段（JSON）",
                "the report part (JSON) is missing",
            ))
        })?;
        Ok((report, photos))
    } else {
        let crate::extract::ApiJson(r) =
            crate::extract::ApiJson::<NewReportRequest>::from_request(req, state).await?;
        Ok((r, vec![]))
    }
}

#[derive(Serialize, ToSchema)]
pub struct Suggestion {
    pub code: String,
    pub name: String,
    pub score: f64,
}

/// Store photos by SHA-256 under the data folder: written to a temporary
/// name, then renamed, so a file is either whole or absent.
fn store_photos(state: &AppState, photos: &[Photo]) -> Result<(), ApiError> {
    for p in photos {
        let dir = state.settings.data.join("attachments").join(&p.sha256[..2]);
        let path = dir.join(&p.sha256);
        if path.exists() {
            continue;
        }
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            let tmp = dir.join(format!(".{}.{}", p.sha256, uuid::Uuid::now_v7().simple()));
            std::fs::write(&tmp, &p.bytes)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| {
            tracing::error!(error = %e, "cannot store an attachment");
            ApiError(Error::internal())
        })?;
    }
    Ok(())
}

fn parse_instant(s: &str, field: &'static str) -> Result<DateTime<Utc>, ApiError> {
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
    let reporter = caller
        .principal
        .user_id
        .clone()
        .unwrap_or_else(|| format!("token:{}", caller.principal.name));
    if let Some(k) = &key {
        let mut conn = state.store.acquire().await?;
        if let Some(id) = sr::by_key(&mut conn, &reporter, k).await? {
            return Ok((StatusCode::OK, Json(sr::by_id(&mut conn, &id).await?)));
        }
    }
    let (r, photos) = read_body(&state, req).await?;
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
    let place = super::grids::locate_point(&state, LonLat::new(r.lon, r.lat), crs, now).await?;
    let mut conn = state.store.acquire().await?;
    let town = store::org::jurisdiction_by_code(&mut conn, &place.township.code).await?;
    if !scope.covers(&town.path) {
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
        .then(|| crate::deadlines::deadline(&state, rp::Step::Dispatch, urgency, now));
    store_photos(&state, &photos)?;
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
        return Ok((StatusCode::OK, Json(sr::by_id(&mut conn, &id).await?)));
    }
    for p in &photos {
        sr::attach(&mut tx, &id, &p.sha256, p.bytes.len() as i64, p.mime).await?;
    }
    let actor = caller.principal.name.clone();
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
        &caller.actor(&town.path),
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
    Ok((StatusCode::CREATED, Json(report)))
}

fn idempotency_key(h: &HeaderMap) -> Result<Option<String>, ApiError> {
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

/// One report with its closed-loop events and attachments.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "one net", params(("id" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Report>> {
    let mut conn = state.store.acquire().await?;
    // the reporter may always read back what they sent
    let reporter = caller
        .principal
        .user_id
        .clone()
        .unwrap_or_else(|| format!("token:{}", caller.principal.name));
    let r = sr::by_id(&mut conn, &id).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError(Error::not_found("报告", "Report")),
        other => other.into(),
    })?;
    if r.reporter == reporter {
        return Ok(Json(r));
    }
    let scope = caller.scope(Permission::ViewReports)?;
    store::org::in_scope(&scope, &r.township_path)?;
    Ok(Json(r))
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    pub township: Option<String>,
    pub status: Option<String>,
    pub urgency: Option<String>,
    /// Only reports past their deadline.
    pub overdue: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The queue: reports in the caller's jurisdiction, newest first, filtered.
#[utoipa::path(get, path = "/api/v1/reports", tag = "one net", params(ReportQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Json<Paged<Report>>> {
    let scope = caller.scope(Permission::ViewReports)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        Status::parse(s)?;
    }
    if let Some(u) = q.urgency.as_deref().filter(|s| !s.is_empty()) {
        Urgency::parse(u)?;
    }
    let now = store::util::ts(Utc::now());
    let f = sr::Filter {
        township: q.township.as_deref().filter(|s| !s.is_empty()),
        status: q.status.as_deref().filter(|s| !s.is_empty()),
        urgency: q.urgency.as_deref().filter(|s| !s.is_empty()),
        overdue_at: q.overdue.unwrap_or(false).then_some(now.as_str()),
    };
    let mut conn = state.store.acquire().await?;
    let (items, total) = sr::list(
        &mut conn,
        &scope,
        &f,
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

#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    /// dispatch, accept, refuse, start, report_back, verify, close,
    /// evaluate, hand_over, reject
    pub action: String,
    /// dispatch: the squad's unit code (default: the grid's squad).
    pub squad: Option<String>,
    /// dispatch: the officer's staff id (default: the routed officer).
    pub officer: Option<String>,
    /// refuse, hand_over, reject, and a dispatch that overrides the route.
    pub reason: Option<String>,
    /// report_back, verify, evaluate.
    pub note: Option<String>,
    /// verify: passed on site, or sent back for rework.
    pub passed: Option<bool>,
    /// evaluate: 1–5.
    pub score: Option<u8>,
    /// hand_over: governance, service or emergency.
    pub platform: Option<String>,
}

/// Who the caller is in the closed loop: their staff id when the login
/// belongs to a person of the brigade, else the user.
async fn actor_id(conn: &mut store::Conn, caller: &Caller) -> Result<String, ApiError> {
    let Some(uid) = caller.principal.user_id.as_deref() else {
        return Ok(format!("token:{}", caller.principal.name));
    };
    let u = store::identity::user_by_id(conn, uid).await?;
    Ok(u.staff_id.unwrap_or_else(|| format!("user:{uid}")))
}

/// On-duty staff of a township for routing. Until the duty roster lands,
/// every active officer and squad leader of the township counts as on duty.
async fn on_duty(
    conn: &mut store::Conn,
    township_code: &str,
) -> Result<Vec<rp::routing::OnDuty>, ApiError> {
    let scope = domain::access::Scope::system(Permission::ViewOrganisation);
    let t = store::org::jurisdiction_by_code(conn, township_code).await?;
    let mut out = Vec::new();
    for post in [domain::org::Post::Officer, domain::org::Post::SquadLeader] {
        let (staff, _) =
            store::org::list_staff(conn, &scope, Some(&t.path), None, Some(post), 500, 0).await?;
        for s in staff.into_iter().filter(|s| s.active) {
            let squad = match &s.unit_id {
                Some(u) => store::org::unit_by_id(conn, u)
                    .await
                    .map(|u| u.code)
                    .unwrap_or_default(),
                None => String::new(),
            };
            out.push(rp::routing::OnDuty {
                staff_id: s.id,
                squad,
                specialty: s
                    .specialty
                    .as_deref()
                    .and_then(domain::powerlist::Field::parse),
            });
        }
    }
    Ok(out)
}

/// Take a step of the closed loop: dispatch → accept (or refuse) → handle →
/// report back → verify on site by someone other than the handler (or send
/// back for rework) → close → evaluate. Each step is recorded with its actor
/// and time and the next deadline is set on the working-day calendar.
#[utoipa::path(post, path = "/api/v1/reports/{id}/actions", tag = "one net", params(("id" = String, Path)),
    request_body = ActionRequest,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    crate::extract::ApiJson(a): crate::extract::ApiJson<ActionRequest>,
) -> ApiResult<Json<Report>> {
    let scope = caller.scope(Permission::HandleReports)?;
    let mut tx = state.store.begin().await?;
    let r = sr::report_in(&mut tx, &scope, &id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::not_found("报告", "Report")),
            other => other.into(),
        })?;
    let status = Status::parse(&r.status)?;
    let actor = actor_id(&mut tx, &caller).await?;
    let roles: Vec<domain::access::Role> = caller
        .principal
        .grants
        .iter()
        .filter(|g| r.township_path.starts_with(g.jurisdiction_path.as_str()))
        .map(|g| g.role)
        .collect();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut dispatch_to: Option<(String, Option<String>)> = None;
    let action = match a.action.as_str() {
        "dispatch" => {
            let item_field = match &r.item_code {
                Some(c) => store::powerlist::by_code(&mut tx, c)
                    .await
                    .ok()
                    .map(|s| s.item.field),
                None => None,
            };
            // the squad that answered for the grid when the report arrived
            let grid_squad = sr::squad_code(&mut tx, &r.id).await?;
            let duty = on_duty(&mut tx, &r.township).await?;
            let urgency = Urgency::parse(&r.urgency)?;
            let route = rp::routing::route(
                grid_squad.as_deref(),
                r.officer_id.as_deref(),
                item_field,
                urgency,
                &duty,
            );
            let squad = a
                .squad
                .clone()
                .filter(|s| !s.is_empty())
                .or(route.squad.clone())
                .ok_or_else(|| {
                    ApiError(Error::invalid(
                        "report.squad",
                        "squad",
                        "无法确定承办中队，请指定 squad",
                        "no squad could be routed; name one in squad",
                    ))
                })?;
            let unit = store::org::unit_by_code(&mut tx, &squad)
                .await
                .map_err(|_| {
                    ApiError(Error::invalid(
                        "report.squad",
                        "squad",
                        format!("没有编码为 {squad} 的中队"),
                        format!("no squad has code {squad}"),
                    ))
                })?;
            let town = store::org::jurisdiction_by_code(&mut tx, &r.township).await?;
            if unit.kind != domain::org::UnitKind::Squad || unit.jurisdiction_id != town.id {
                return Err(Error::invalid(
                    "report.squad",
                    "squad",
                    "只能派遣给本乡镇的中队",
                    "dispatch goes to a squad of the report's township",
                )
                .into());
            }
            let officer = a
                .officer
                .clone()
                .filter(|s| !s.is_empty())
                .or(route.officer.clone());
            if let Some(o) = &officer
                && !duty.iter().any(|d| &d.staff_id == o && d.squad == squad)
            {
                return Err(Error::invalid(
                    "report.officer",
                    "officer",
                    "该执法人员不在此中队或不在岗",
                    "that officer is not on duty in this squad",
                )
                .into());
            }
            let overrides =
                route.squad.as_deref() != Some(squad.as_str()) || route.officer != officer;
            dispatch_to = Some((unit.id.clone(), officer.clone()));
            rp::Action::Dispatch {
                squad,
                officer,
                override_reason: a.reason.clone().filter(|s| !s.trim().is_empty()),
                overrides_route: overrides,
            }
        }
        "accept" => rp::Action::Accept,
        "refuse" => rp::Action::Refuse {
            reason: text(&a.reason),
        },
        "start" => rp::Action::StartHandling,
        "report_back" => rp::Action::ReportBack {
            note: text(&a.note),
        },
        "verify" => rp::Action::Verify {
            passed: a.passed.ok_or_else(|| {
                ApiError(Error::invalid(
                    "body.required",
                    "passed",
                    "核查须说明是否通过（passed）",
                    "verification needs passed: true or false",
                ))
            })?,
            note: text(&a.note),
        },
        "close" => rp::Action::Close,
        "evaluate" => rp::Action::Evaluate {
            score: a.score.ok_or_else(|| {
                ApiError(Error::invalid(
                    "body.required",
                    "score",
                    "评价须给出 1–5 分",
                    "evaluation needs a score 1–5",
                ))
            })?,
            note: text(&a.note),
        },
        "hand_over" => rp::Action::HandOver {
            platform: match a.platform.as_deref() {
                Some("governance") => rp::Platform::Governance,
                Some("service") => rp::Platform::Service,
                Some("emergency") => rp::Platform::Emergency,
                _ => {
                    return Err(Error::invalid(
                        "report.platform",
                        "platform",
                        "platform 应为 governance、service 或 emergency",
                        "platform must be governance, service or emergency",
                    )
                    .into());
                }
            },
            reason: text(&a.reason),
        },
        "reject" => rp::Action::Reject {
            reason: text(&a.reason),
        },
        other => {
            return Err(Error::invalid(
                "report.action",
                "action",
                format!("未知操作 {other}"),
                format!("unknown action {other}"),
            )
            .into());
        }
    };
    let next = rp::transition(
        &rp::Facts {
            status,
            handler: r.handler.as_deref(),
            actor: &actor,
            actor_roles: &roles,
            dispatched_to: r.dispatched_to.as_deref(),
            paused: false,
        },
        &action,
    )?;
    let now = Utc::now();
    let urgency = Urgency::parse(&r.urgency)?;
    let deadline = rp::step_of(next)
        .map(|step| store::util::ts(crate::deadlines::deadline(&state, step, urgency, now)));
    let handler = matches!(action, rp::Action::Accept).then_some(actor.as_str());
    sr::update(
        &mut tx,
        &id,
        &sr::Update {
            status: next.as_str(),
            dispatched_squad: dispatch_to.as_ref().map(|(u, _)| Some(u.as_str())),
            dispatched_to: dispatch_to.as_ref().map(|(_, o)| o.as_deref()),
            handler: handler.map(Some),
            deadline_at: Some(deadline.as_deref()),
        },
    )
    .await?;
    let note = [
        a.reason.clone(),
        a.note.clone(),
        a.score.map(|s| s.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    sr::add_event(
        &mut tx,
        &id,
        &a.action,
        status.as_str(),
        next.as_str(),
        &actor,
        &note,
    )
    .await?;
    let after = serde_json::json!({"action": a.action, "from": status.as_str(), "to": next.as_str(), "note": note});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&r.township_path),
        Change {
            action: "report.step",
            object_type: "report",
            object_id: &id,
            jurisdiction: &r.township_path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut conn = state.store.acquire().await?;
    let report = sr::by_id(&mut conn, &id).await?;
    state.live.publish(&report);
    Ok(Json(report))
}

/// The live queue: a server-sent event (`report`) for every change of a
/// report in the caller's jurisdiction, as it is committed.
#[utoipa::path(get, path = "/api/v1/reports/stream", tag = "one net",
    responses((status = 200, content_type = "text/event-stream", body = String),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures_util::StreamExt;
    let scope = caller.scope(Permission::ViewReports)?;
    let rx = state.live.subscribe();
    let s = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(move |c| {
        let out = match c {
            Ok(c) if scope.covers(&c.township_path) => {
                Event::default().event("report").json_data(&c).ok().map(Ok)
            }
            _ => None,
        };
        std::future::ready(out)
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::default()))
}
