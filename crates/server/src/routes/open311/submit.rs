//! `POST requests`: a service request into the one intake, as channel
//! `open311`. A partner sends its `api_key` (an integration token with
//! `submit_report`, acting in its jurisdiction, retries safe with an
//! `Idempotency-Key`); anyone may send one without, limited per address as
//! the public complaint is, while public complaints are open
//! (`public_complaints_per_hour` > 0). Names, e-mail, telephone, device and
//! account of the person are not kept; media URLs are not fetched.
//!
//! The answer is a token — the report's tracking code, which also works on
//! the public status page — that `tokens/` turns into the service_request_id.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Response;
use domain::access::Permission;
use domain::{Error, ErrorKind, Lang};
use store::audit::Actor;

use super::catalogue::Catalogue;
use super::public_view::service_notice;
use super::views::{Created, CreatedList};
use super::{Format, answer, failure, no_such};
use crate::auth::{Caller, INTEGRATION_PREFIX, client_ip, request_id, well_formed};
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::routes::reports::intake::{self, NewReportRequest, Source};
use crate::state::AppState;

fn bad(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError(Error::invalid("open311.request", field, zh, en))
}

fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError(Error::new(ErrorKind::Forbidden, "open311.api_key", zh, en))
}

/// A code of `prefix` and ten characters read over the telephone without
/// confusion (62 random bits of a v7 UUID).
fn new_code(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let id = uuid::Uuid::now_v7();
    let mut n = u64::from_be_bytes(id.as_bytes()[8..16].try_into().unwrap_or([0; 8]));
    let mut s = String::from(prefix);
    for _ in 0..10 {
        s.push(ALPHABET[(n % 32) as usize] as char);
        n /= 32;
    }
    s
}

/// The parameters, from the query string and the form body (which wins).
async fn params(
    parts: &Parts,
    body: Body,
    limit: usize,
) -> Result<Vec<(String, String)>, ApiError> {
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !ct.is_empty() && !ct.starts_with("application/x-www-form-urlencoded") {
        return Err(bad(
            "Content-Type",
            "请以 application/x-www-form-urlencoded 提交",
            "send the request as application/x-www-form-urlencoded",
        ));
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        bad(
            "body",
            "请求内容过大或无法读取",
            "the body is too large or unreadable",
        )
    })?;
    let mut out: Vec<(String, String)> =
        serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map_err(|_| bad("query", "查询参数格式错误", "malformed query string"))?;
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|_| bad("body", "表单格式错误", "malformed form body"))?;
    out.extend(form);
    Ok(out)
}

/// The partner an api_key belongs to, checked as any integration token is
/// (digest, revocation, expiry).
async fn partner(state: &AppState, parts: &Parts, key: &str) -> Result<Caller, ApiError> {
    let invalid = || forbidden("api_key 无效", "Invalid api_key");
    if !key.starts_with(INTEGRATION_PREFIX) || !well_formed(key) {
        return Err(invalid());
    }
    let mut req = axum::http::Request::builder()
        .uri(parts.uri.clone())
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(())
        .map_err(|_| invalid())?;
    if let Some(id) = parts.headers.get("x-request-id") {
        req.headers_mut().insert("x-request-id", id.clone());
    }
    if let Some(ci) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        req.extensions_mut().insert(*ci);
    }
    let (mut p, ()) = req.into_parts();
    match Caller::from_request_parts(&mut p, state).await {
        Ok(c) => Ok(c),
        Err(e) if e.0.kind == ErrorKind::Unauthenticated => Err(forbidden(
            format!("api_key 无效：{}", e.0.zh),
            format!("Invalid api_key: {}", e.0.en),
        )),
        Err(e) => Err(e),
    }
}

/// WGS84 lat/long, both present and in range; this server geocodes no
/// address_string or address_id.
fn location(lat: Option<&str>, long: Option<&str>, address: bool) -> Result<(f64, f64), ApiError> {
    let (lat, long) = match (lat, long) {
        (Some(a), Some(o)) => (a, o),
        (None, None) if address => {
            return Err(bad(
                "lat",
                "本系统不解析地址，请提供 lat 和 long（WGS84）",
                "this server does not geocode addresses: send lat and long (WGS84)",
            ));
        }
        (None, None) => {
            return Err(bad(
                "lat",
                "缺少位置：请提供 lat 和 long",
                "location required: send lat and long",
            ));
        }
        _ => {
            return Err(bad(
                "long",
                "lat 与 long 须同时提供",
                "send both lat and long",
            ));
        }
    };
    let num = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
    match (num(lat), num(long)) {
        (Some(a), Some(o)) if (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&o) => {
            Ok((a, o))
        }
        _ => Err(bad(
            "lat",
            "lat/long 应为经纬度数值",
            "lat and long must be coordinates in degrees",
        )),
    }
}

/// `POST requests.{json,xml}`
pub async fn create(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    req: Request,
) -> Response {
    let fmt = Format::of(req.uri());
    match take(&state, lang, req).await {
        Ok(list) => answer(fmt, StatusCode::OK, &list),
        Err(e) => failure(fmt, lang, e),
    }
}

async fn take(state: &AppState, lang: Lang, req: Request) -> Result<CreatedList, ApiError> {
    let (parts, body) = req.into_parts();
    let params = params(&parts, body, state.settings.max_body_bytes).await?;
    let get = |k: &str| {
        params
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let code = get("service_code").ok_or_else(|| {
        bad(
            "service_code",
            "缺少 service_code",
            "service_code is required",
        )
    })?;
    let caller = match get("api_key") {
        Some(k) => Some(partner(state, &parts, k).await?),
        None if state.settings.public_complaints_per_hour == 0 => {
            return Err(forbidden("需要 api_key", "an api_key is required"));
        }
        None => None,
    };
    let services = Catalogue::load(state, lang).await?;
    let entry = services
        .find(code)
        .ok_or_else(|| no_such("服务", "Service"))?;
    let address = get("address_string");
    let (lat, long) = location(
        get("lat"),
        get("long"),
        address.is_some() || get("address_id").is_some(),
    )?;
    let crs = get("attribute[crs]");
    if let Some(c) = crs.filter(|c| !["wgs84", "gcj02", "bd09"].contains(c)) {
        return Err(bad(
            "attribute[crs]",
            format!("不支持的坐标系 {c}：可用 wgs84、gcj02、bd09"),
            format!("unsupported coordinate system {c}: use wgs84, gcj02 or bd09"),
        ));
    }
    let mut description = get("description")
        .unwrap_or(&entry.service.service_name)
        .to_string();
    if let Some(a) = address {
        description.push_str(&format!("（位置：{a}）"));
    }
    if caller.is_none() && !state.public_limiter.admit(&client_ip(&parts)) {
        return Err(ApiError(Error::new(
            ErrorKind::RateLimited,
            "public.rate_limited",
            "提交过于频繁，请一小时后再试，紧急情况请拨打 12345 或 110",
            "Too many requests from this address; try again in an hour, or call 12345 (110 in an emergency)",
        )));
    }
    let (from, key, client) = match &caller {
        Some(c) => (
            Source::Caller(c, c.scope(Permission::SubmitReport)?),
            intake::idempotency_key(&parts.headers)?,
            c.principal.name.clone(),
        ),
        None => (
            Source::Outside {
                reporter: "open311".into(),
                actor: Actor {
                    name: "open311".into(),
                    user_id: None,
                    role: "public".into(),
                    request_id: request_id(&parts),
                },
            },
            None,
            "anonymous".to_string(),
        ),
    };
    let new = NewReportRequest {
        channel: "open311".into(),
        description,
        lon: long,
        lat,
        crs: crs.map(str::to_string),
        item_code: entry.item_code.clone(),
        occurred_at: get("attribute[occurred_at]").map(str::to_string),
        urgency: None,
    };
    let (_, report) = intake::intake(state, &from, key, new, vec![]).await?;
    let mut conn = state.store.acquire().await?;
    if store::supervision::tracking_code_of(&mut conn, &report.id)
        .await?
        .is_none()
    {
        store::supervision::set_tracking_code(&mut conn, &report.id, &new_code("YW")).await?;
    }
    let token = store::supervision::tracking_code_of(&mut conn, &report.id)
        .await?
        .ok_or_else(|| ApiError(Error::internal()))?;
    store::open311::record(
        &mut conn,
        &store::open311::NewRequest {
            report_id: &report.id,
            service_request_id: &new_code("311"),
            service_code: &entry.service.service_code,
            client: &client,
        },
    )
    .await?;
    let status = domain::report::Status::parse(&report.status).ok();
    Ok(CreatedList(vec![Created {
        token,
        service_notice: service_notice(status, lang).map(str::to_string),
        account_id: None,
    }]))
}
