//! The video network (雪亮工程): the camera registry and the signed webhook
//! through which a video platform turns camera alerts into reports.
//!
//! A camera is registered at a place inside its township (located in a
//! grid like a report), then reviewed (APL Art. 41: legal and technical
//! review, location published) or retired. An alert is accepted only with a
//! valid HMAC signature from a camera integration token, for a known camera
//! that is not retired, with a snapshot that is an image by its content; it
//! then goes through the one intake at the camera's place, with the alert's
//! `event_id` as the retry key. Every refusal comes before anything is
//! stored.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{NaiveDate, Utc};
use domain::access::{Permission, Scope};
use domain::camera::{self as dc, Status};
use domain::{Error, ErrorKind};
use serde::Deserialize;
use store::audit::{self, Actor, Change};
use store::cameras::{self as sc, Camera, NewCamera, SigningKey};
use store::reports::{self as sr, Report};
use utoipa::{IntoParams, ToSchema};
use yiwang_geo::{Crs, LonLat};

use super::org::{Paged, paging};
use super::reports::intake::{Flag, NewReportRequest, Source, intake_flagged};
use super::reports::photos::photo;
use super::users::jurisdiction_in;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Prefix of a camera token's signing secret.
pub const SECRET_PREFIX: &str = "ywc_";
/// The header naming the integration token (its `id`, not the token).
pub const TOKEN_HEADER: &str = "x-yiwang-token";
/// Unix seconds of signing; part of the signed text.
pub const TIMESTAMP_HEADER: &str = "x-yiwang-timestamp";
/// `sha256=<hex of HMAC-SHA256(secret, "{timestamp}.{body}")>`.
pub const SIGNATURE_HEADER: &str = "x-yiwang-signature";
/// How far a signature's timestamp may be from the server's clock.
pub const MAX_SKEW_SECS: i64 = 300;

/// The largest webhook body: a snapshot of the largest photo allowed, in
/// base64 (4/3 of its size), room for line breaks in the base64 (1/32),
/// and 64 KiB for the rest of the alert.
pub fn webhook_body_limit(max_photo_bytes: usize) -> usize {
    max_photo_bytes.div_ceil(3) * 4 + max_photo_bytes / 32 + 64 * 1024
}

fn not_found() -> ApiError {
    ApiError(Error::not_found("摄像头", "Camera"))
}

fn parse_crs(s: Option<&str>) -> Result<Crs, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Crs::Wgs84),
        Some(s) => Crs::parse(s).ok_or_else(|| {
            ApiError(Error::invalid(
                "geo.crs",
                "crs",
                format!("不支持的坐标系 {s}：可用 wgs84、gcj02、bd09"),
                format!("unsupported coordinate system {s}: use wgs84, gcj02 or bd09"),
            ))
        }),
    }
}

fn too_long(field: &'static str, max: usize, value: &str) -> Result<(), ApiError> {
    domain::json::at_most(field, max, value).map_err(ApiError)
}

// ---------------------------------------------------------------- registry

#[derive(Deserialize, ToSchema)]
pub struct NewCameraRequest {
    /// The code the video platform sends with each alert (letters, digits,
    /// `-`, `_`, `.`; at most 64).
    pub code: String,
    pub name: String,
    /// Division code of the township the camera stands in; the point must
    /// lie inside it.
    pub township: String,
    pub lon: f64,
    pub lat: f64,
    /// wgs84 (default), gcj02 or bd09
    pub crs: Option<String>,
    /// The place in words, as it is published (e.g. 村口十字路口东北角).
    pub location: String,
    /// The day it was installed, YYYY-MM-DD.
    pub installed_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// `reviewed` (passed legal and technical review) or `retired`.
    pub status: String,
    /// The review's finding or the reason for retiring (required).
    pub note: String,
    /// Whether its location has been published (APL Art. 41); default:
    /// unchanged.
    pub published: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
pub struct CameraQuery {
    /// Only this township's cameras (division code).
    pub township: Option<String>,
    /// pending, reviewed or retired
    pub status: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Cameras in the caller's jurisdiction, by township and code.
#[utoipa::path(get, path = "/api/v1/cameras", tag = "video network", params(CameraQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_cameras(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CameraQuery>,
) -> ApiResult<Json<Paged<Camera>>> {
    let scope = caller.scope(Permission::ViewReports)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(Status::parse)
        .transpose()?;
    let mut conn = state.store.acquire().await?;
    let (items, total) = sc::list(
        &mut conn,
        &scope,
        q.township.as_deref().filter(|s| !s.is_empty()),
        status,
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

/// One camera, with every review decision.
#[utoipa::path(get, path = "/api/v1/cameras/{code}", tag = "video network", params(("code" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_camera(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Camera>> {
    let scope = caller.scope(Permission::ViewReports)?;
    let mut conn = state.store.acquire().await?;
    camera_in(&mut conn, &scope, &code).await.map(Json)
}

async fn camera_in(conn: &mut store::Conn, scope: &Scope, code: &str) -> ApiResult<Camera> {
    sc::camera_in(conn, scope, code).await.map_err(|e| match e {
        store::StoreError::NotFound => not_found(),
        other => other.into(),
    })
}

/// Register a camera, pending review. The point (in wgs84, gcj02 or bd09)
/// is located like a report's and must lie in the named township: outside
/// every grid it is refused (422 `geo.outside_jurisdiction`), in another
/// township too (422 `camera.outside_township`). A code already registered
/// is 409 `conflict.duplicate`.
#[utoipa::path(post, path = "/api/v1/cameras", tag = "video network", request_body = NewCameraRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn register_camera(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewCameraRequest>,
) -> ApiResult<(StatusCode, Json<Camera>)> {
    let scope = caller.scope(Permission::ManageCameras)?;
    let code = req.code.trim();
    if code.is_empty()
        || code.len() > 64
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(Error::invalid(
            "camera.code",
            "code",
            "摄像头编码应为 1–64 个字母、数字或 - _ .",
            "the camera code must be 1–64 letters, digits or - _ .",
        )
        .into());
    }
    crate::extract::required("name", &req.name)?;
    crate::extract::required("location", &req.location)?;
    too_long("name", 100, &req.name)?;
    too_long("location", 200, &req.location)?;
    let installed = match req.installed_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => {
            let d: NaiveDate = s.parse().map_err(|_| {
                ApiError(Error::invalid(
                    "camera.installed_at",
                    "installed_at",
                    "安装日期应为 YYYY-MM-DD",
                    "installed_at must be a date YYYY-MM-DD",
                ))
            })?;
            if d > domain::time::china_date(Utc::now()) {
                return Err(Error::invalid(
                    "camera.installed_at",
                    "installed_at",
                    "安装日期不能晚于今天",
                    "installed_at cannot be in the future",
                )
                .into());
            }
            Some(d.to_string())
        }
    };
    let crs = parse_crs(req.crs.as_deref())?;
    let mut conn = state.store.acquire().await?;
    let town = jurisdiction_in(&mut conn, &scope, "township", &req.township).await?;
    if !town.level.is_township() {
        return Err(Error::invalid(
            "camera.township",
            "township",
            "摄像头应登记在乡镇（街道）",
            "a camera is registered in a township",
        )
        .into());
    }
    drop(conn);
    let place =
        super::grids::locate_point(&state, LonLat::new(req.lon, req.lat), crs, Utc::now()).await?;
    if place.township.code != town.code {
        return Err(Error::invalid(
            "camera.outside_township",
            "lon",
            format!("该位置属于{}，不在{}境内", place.township.name, town.name),
            format!(
                "this point lies in {} ({}), not in {} ({})",
                place.township.name, place.township.code, town.name_en, town.code
            ),
        )
        .into());
    }
    let mut tx = state.store.begin_write().await?;
    let grid = store::grids::grid_in(
        &mut tx,
        &Scope::system(Permission::ViewOrganisation),
        &place.grid.code,
    )
    .await?;
    let id = sc::insert(
        &mut tx,
        &NewCamera {
            code,
            name: req.name.trim(),
            township_id: &town.id,
            grid_id: &grid.id,
            lon: place.wgs84[0],
            lat: place.wgs84[1],
            crs_in: crs.as_str(),
            lon_in: req.lon,
            lat_in: req.lat,
            location: req.location.trim(),
            installed_at: installed.as_deref(),
            registered_by: &caller.principal.name,
        },
    )
    .await?;
    let after = serde_json::json!({"code": code, "name": req.name.trim(), "township": town.code,
        "grid": grid.code, "lon": place.wgs84[0], "lat": place.wgs84[1], "location": req.location.trim(),
        "status": Status::Pending.as_str()});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&town.path),
        Change {
            action: "camera.register",
            object_type: "camera",
            object_id: &id,
            jurisdiction: &town.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    let camera = camera_in(&mut tx, &scope, code).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(camera)))
}

/// Record a camera's review: `reviewed` (passed legal and technical review;
/// with `published` once its location is public — both needed before its
/// records may serve as evidence, APL Art. 41) or `retired` (its alerts are
/// refused from then on). A retired camera cannot be reviewed again (409
/// `camera.retired`). Every decision is kept.
#[utoipa::path(post, path = "/api/v1/cameras/{code}/review", tag = "video network",
    params(("code" = String, Path)), request_body = ReviewRequest,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn review_camera(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> ApiResult<Json<Camera>> {
    let scope = caller.scope(Permission::ManageCameras)?;
    let to = Status::parse(req.status.trim())?;
    crate::extract::required("note", &req.note)?;
    too_long("note", 1000, &req.note)?;
    let mut tx = state.store.begin_write().await?;
    let before = camera_in(&mut tx, &scope, &code).await?;
    dc::review(before.status, to)?;
    let published = req.published.unwrap_or(before.published);
    sc::review(
        &mut tx,
        &before.id,
        to,
        published,
        req.note.trim(),
        &caller.principal.name,
    )
    .await?;
    let was = serde_json::json!({"status": before.status, "published": before.published});
    let now = serde_json::json!({"status": to, "published": published, "note": req.note.trim()});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&before.township_path),
        Change {
            action: "camera.review",
            object_type: "camera",
            object_id: &before.id,
            jurisdiction: &before.township_path,
            before: Some(&was),
            after: Some(&now),
        },
    )
    .await?;
    let camera = camera_in(&mut tx, &scope, &code).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(camera))
}

// ----------------------------------------------------------------- webhook

// The alert's fields as documented (no description of its own, as before);
// the body is read and checked by `domain::camera::parse_alert`, and a test
// keeps the two in step.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CameraAlert {
    /// The registered camera's code.
    pub camera: String,
    /// What was seen: the detector's class or the duty officer's words
    /// (e.g. 占道经营, 焚烧垃圾); at most 100 characters.
    pub event: String,
    /// More detail, at most 3000 characters.
    pub description: Option<String>,
    /// When it happened (RFC 3339); default: now.
    pub occurred_at: Option<String>,
    /// The snapshot, base64 (a `data:image/…;base64,` prefix is accepted):
    /// JPEG, PNG or WebP by content, no larger than the photo limit.
    pub snapshot: Option<String>,
    /// The platform's id of this alert (1–200 characters): a retry with the
    /// same id answers with the same report and never creates a second.
    pub event_id: String,
}

fn unsigned(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError(Error::new(ErrorKind::Unauthenticated, "webhook.signature", zh, en).with_field(field))
}

fn header_str<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Everything about the signature that the headers alone decide: the
/// token (a camera token, not revoked or expired), the timestamp within
/// the window, a signature of the right shape. Answers the key, the
/// timestamp as sent and the signature's bytes.
async fn check_headers(
    state: &AppState,
    h: &HeaderMap,
) -> Result<(SigningKey, String, Vec<u8>), ApiError> {
    let Some(token_id) = header_str(h, TOKEN_HEADER) else {
        return Err(unsigned(
            "X-Yiwang-Token",
            "缺少 X-Yiwang-Token 头（摄像头集成令牌的 id）",
            "the X-Yiwang-Token header (the camera integration token's id) is missing",
        ));
    };
    let mut conn = state.store.acquire().await?;
    let key = sc::signing_key(&mut conn, token_id).await?;
    drop(conn);
    let now = Utc::now();
    let key = match key {
        Some(k) if k.revoked => {
            return Err(unsigned(
                "X-Yiwang-Token",
                "该集成令牌已被吊销",
                "this integration token has been revoked",
            ));
        }
        Some(k)
            if k.expires_at
                .as_deref()
                .and_then(domain::time::from_storage)
                .is_some_and(|e| e <= now) =>
        {
            return Err(unsigned(
                "X-Yiwang-Token",
                "该集成令牌已过期",
                "this integration token has expired",
            ));
        }
        Some(k) => k,
        None => {
            return Err(unsigned(
                "X-Yiwang-Token",
                "X-Yiwang-Token 不是摄像头集成令牌的 id",
                "X-Yiwang-Token does not name a camera integration token",
            ));
        }
    };
    let Some(ts) = header_str(h, TIMESTAMP_HEADER) else {
        return Err(unsigned(
            "X-Yiwang-Timestamp",
            "缺少 X-Yiwang-Timestamp 头（签名时的 Unix 秒数）",
            "the X-Yiwang-Timestamp header (Unix seconds at signing) is missing",
        ));
    };
    let Ok(secs) = ts.parse::<i64>() else {
        return Err(unsigned(
            "X-Yiwang-Timestamp",
            "X-Yiwang-Timestamp 应为 Unix 秒数（整数）",
            "X-Yiwang-Timestamp must be Unix seconds (an integer)",
        ));
    };
    if (now.timestamp() - secs).abs() > MAX_SKEW_SECS {
        return Err(unsigned(
            "X-Yiwang-Timestamp",
            "签名时间与服务器时间相差超过 5 分钟（已过期或时钟不准），请校准平台时钟后重新签名发送",
            "the signature's timestamp is more than 5 minutes from the server's clock (expired, or a wrong clock); sign and send again",
        ));
    }
    let sig = header_str(h, SIGNATURE_HEADER).and_then(dc::signature_bytes);
    let Some(sig) = sig else {
        return Err(unsigned(
            "X-Yiwang-Signature",
            "缺少或格式错误的 X-Yiwang-Signature 头，应为 sha256=<64 位十六进制>",
            "the X-Yiwang-Signature header is missing or malformed; expected sha256=<64 hex digits>",
        ));
    };
    Ok((key, ts.to_string(), sig))
}

/// The snapshot is too large (the body, or the decoded image).
fn snapshot_too_large(state: &AppState) -> ApiError {
    let mb = state.settings.max_photo_bytes / (1024 * 1024);
    ApiError(
        Error::new(
            ErrorKind::TooLarge,
            "report.photo_too_large",
            format!("快照超过 {mb} MB"),
            format!("the snapshot is larger than {mb} MB"),
        )
        .with_field("snapshot"),
    )
}

/// How much of an oversized body is still read (and thrown away) before the
/// refusal is sent, so that a client still sending receives the answer
/// instead of a reset connection; beyond this, or after [`DRAIN_SECS`], the
/// connection is simply closed.
const DRAIN_CAP: usize = 128 * 1024 * 1024;
const DRAIN_SECS: u64 = 10;

/// The body, read up to this route's own limit (a snapshot in base64 is
/// larger than any other request). Nothing of an oversized body is kept.
async fn read_limited(state: &AppState, h: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let limit = webhook_body_limit(state.settings.max_photo_bytes);
    let declared =
        header_str(h, header::CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
    let mut stream = body.into_data_stream();
    let drain = async |mut stream: axum::body::BodyDataStream, mut seen: usize| {
        let all = async {
            while let Some(Ok(c)) = stream.next().await {
                seen += c.len();
                if seen > DRAIN_CAP {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(DRAIN_SECS), all).await;
    };
    if let Some(n) = declared
        && n > limit as u64
    {
        if n <= DRAIN_CAP as u64 {
            drain(stream, 0).await;
        }
        return Err(snapshot_too_large(state));
    }
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError(Error::invalid(
                "body.unreadable",
                "body",
                "无法读取请求内容",
                "The request body could not be read",
            ))
        })?;
        if buf.len() + chunk.len() > limit {
            let seen = buf.len() + chunk.len();
            drop(buf);
            drain(stream, seen).await;
            return Err(snapshot_too_large(state));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// Receive a camera alert from the video platform and turn it into a
/// report of channel `camera` at the camera's place.
///
/// Authenticated by its signature only (no session): create an integration
/// token of kind `camera` (its answer carries `signing_secret`, shown once)
/// and send with each alert
/// `X-Yiwang-Token: <the token's id>` (the id, never the token itself),
/// `X-Yiwang-Timestamp: <Unix seconds>` and
/// `X-Yiwang-Signature: sha256=<hex HMAC-SHA256 with signing_secret as key over "{timestamp}.{raw body}">`.
/// The timestamp must be within 5 minutes of the server's clock; together
/// with `event_id` (the retry key) this stops replays. The token must hold
/// `submit_report` in a jurisdiction containing the camera.
///
/// Checked in order, nothing stored on a refusal: the signature (401
/// `webhook.signature`, `field` naming the header), the body (413
/// `report.photo_too_large` beyond the photo limit in base64; 400/422 with
/// the field), the camera (422 `camera.unknown` / `camera.retired`, field
/// `camera`), the snapshot by its content (422 `report.photo_type`, 413
/// `report.photo_too_large`, field `snapshot`). Answers 201 with the report
/// (its `attachments` list the snapshot by SHA-256), or 200 with the same
/// report for a repeated `event_id`. An alert from a camera not reviewed or
/// whose location is not published is taken in but marked in the report's
/// events (`flag_evidence`): not usable as evidence (APL Art. 41).
#[utoipa::path(post, path = "/api/v1/webhooks/camera", tag = "video network", request_body = CameraAlert,
    params(
        ("X-Yiwang-Token" = String, Header, description = "The camera integration token's id"),
        ("X-Yiwang-Timestamp" = String, Header, description = "Unix seconds at signing, within 5 minutes of the server's clock"),
        ("X-Yiwang-Signature" = String, Header, description = "sha256=<hex of HMAC-SHA256(signing_secret, \"{timestamp}.{body}\")>")),
    responses((status = 201, body = Object), (status = 200, body = Object),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn camera_webhook(
    State(state): State<AppState>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Report>)> {
    let (parts, body) = req.into_parts();
    // 1. the signature: the headers first, so that a stranger's body is never read whole
    let (key, ts, sig) = check_headers(&state, &parts.headers).await?;
    let bytes = read_limited(&state, &parts.headers, body).await?;
    if !dc::signature_matches(&key.secret, &ts, &bytes, &sig) {
        return Err(unsigned(
            "X-Yiwang-Signature",
            "签名不符：应为以签名密钥对「时间戳.请求体原文」计算的 HMAC-SHA256",
            "the signature does not match: expected the HMAC-SHA256, keyed with the signing secret, of \"{timestamp}.{raw body}\"",
        ));
    }
    let mut conn = state.store.acquire().await?;
    store::identity::touch_integration(&mut conn, &key.token_id).await?;
    if !key
        .permissions
        .iter()
        .any(|p| p == Permission::SubmitReport.as_str())
    {
        return Err(ApiError(Error::new(
            ErrorKind::Forbidden,
            "access.forbidden",
            "该集成令牌没有上报事件（submit_report）的权限",
            "this integration token may not submit reports (submit_report)",
        )));
    }
    // 2. the body
    let alert = dc::parse_alert(&bytes)?;
    let detail = alert.description.as_deref().map(str::trim).unwrap_or("");
    // 3. the camera
    let camera = match sc::by_code(&mut conn, alert.camera.trim()).await {
        Ok(c) => c,
        Err(store::StoreError::NotFound) => {
            return Err(Error::invalid(
                "camera.unknown",
                "camera",
                format!("没有登记编码为 {} 的摄像头", alert.camera.trim()),
                format!("no camera is registered with code {}", alert.camera.trim()),
            )
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    if camera.status == Status::Retired {
        return Err(Error::invalid(
            "camera.retired",
            "camera",
            format!("摄像头 {} 已停用，不再接收其报警", camera.code),
            format!("camera {} is retired: its alerts are refused", camera.code),
        )
        .into());
    }
    if !camera
        .township_path
        .starts_with(key.jurisdiction_path.as_str())
    {
        return Err(ApiError(
            Error::new(
                ErrorKind::Forbidden,
                "access.out_of_jurisdiction",
                format!("摄像头 {} 不在该集成令牌的辖区内", camera.code),
                format!(
                    "camera {} lies outside this integration token's jurisdiction",
                    camera.code
                ),
            )
            .with_field("camera"),
        ));
    }
    let reporter = format!("camera:{}", camera.code);
    let event_id = alert.event_id.trim().to_string();
    if let Some(id) = sr::by_key(&mut conn, &reporter, &event_id).await? {
        return Ok((StatusCode::OK, Json(sr::by_id(&mut conn, &id).await?)));
    }
    drop(conn);
    // 4. the snapshot, by its content
    let mut photos = Vec::new();
    if let Some(s) = alert
        .snapshot
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let bytes = dc::decode_snapshot(s)?;
        if bytes.len() > state.settings.max_photo_bytes {
            return Err(snapshot_too_large(&state));
        }
        let p = photo(&state, "snapshot", bytes).map_err(|mut e| {
            e.0.field = Some("snapshot".into());
            e
        })?;
        photos.push(p);
    }
    // 5. the report, at the camera's place
    let mut description = format!(
        "【视频监控】{}（{}，{}）：{}",
        camera.name,
        camera.code,
        camera.location,
        alert.event.trim()
    );
    if !detail.is_empty() {
        description.push('。');
        description.push_str(detail);
    }
    let flags: Vec<Flag> = dc::evidence_note(
        &camera.code,
        &dc::evidence_gaps(camera.status, camera.published),
    )
    .map(|note| Flag {
        action: "flag_evidence",
        note,
    })
    .into_iter()
    .collect();
    let from = Source::Outside {
        reporter,
        actor: Actor {
            name: format!("integration:camera:{}", key.token_name),
            user_id: None,
            role: "integration".into(),
            request_id: header_str(&parts.headers, "x-request-id")
                .unwrap_or("-")
                .to_string(),
        },
    };
    let (created, report) = intake_flagged(
        &state,
        &from,
        Some(event_id),
        NewReportRequest {
            channel: "camera".into(),
            description,
            lon: camera.lon,
            lat: camera.lat,
            crs: None,
            item_code: None,
            occurred_at: alert.occurred_at,
            urgency: None,
        },
        photos,
        &flags,
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_limit_fits_the_largest_snapshot() {
        let max: usize = 10 * 1024 * 1024;
        let encoded = max.div_ceil(3) * 4;
        assert!(webhook_body_limit(max) > encoded + 60 * 1024);
        assert!(webhook_body_limit(max) < max * 3 / 2);
    }

    #[test]
    fn the_documented_alert_is_the_one_read() {
        let schema =
            serde_json::to_value(<CameraAlert as utoipa::PartialSchema>::schema()).unwrap();
        let props = schema["properties"].as_object().unwrap();
        let body: serde_json::Map<String, serde_json::Value> = props
            .keys()
            .map(|k| (k.clone(), serde_json::Value::from(format!("v-{k}"))))
            .collect();
        let alert =
            dc::parse_alert(serde_json::Value::Object(body).to_string().as_bytes()).unwrap();
        assert_eq!(
            [
                alert.camera,
                alert.event,
                alert.description.unwrap_or_default(),
                alert.occurred_at.unwrap_or_default(),
                alert.snapshot.unwrap_or_default(),
                alert.event_id,
            ],
            [
                "v-camera",
                "v-event",
                "v-description",
                "v-occurred_at",
                "v-snapshot",
                "v-event_id"
            ]
        );
        assert_eq!(props.len(), 6);
        let mut required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        required.sort_unstable();
        assert_eq!(required, ["camera", "event", "event_id"]);
    }
}
