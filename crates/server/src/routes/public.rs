//! The public's way in: a complaint without an account, answered with a
//! tracking code (查询码), and the status behind that code. Public answers
//! carry no names, no telephone numbers and no internal identifiers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use domain::report::Status;
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use store::audit::Actor;
use utoipa::ToSchema;

use super::reports::intake::{self, NewReportRequest, Source};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Complaints per address per hour, per instance.
pub struct Limiter {
    per_hour: u32,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(per_hour: u32) -> Self {
        Limiter {
            per_hour,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Count one from `ip`; false when its hour's quota is used.
    pub fn admit(&self, ip: &str) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if seen.len() > 100_000 {
            seen.retain(|_, (t, _)| now.duration_since(*t) < Duration::from_secs(3600));
        }
        let e = seen.entry(ip.to_string()).or_insert((now, 0));
        if now.duration_since(e.0) >= Duration::from_secs(3600) {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= self.per_hour
    }
}

#[derive(Deserialize, ToSchema)]
pub struct Complaint {
    /// What is wrong, where (the more precise, the faster).
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    /// wgs84 (default: what browsers give), gcj02 or bd09
    pub crs: Option<String>,
    /// When it happened (RFC 3339); default now.
    pub occurred_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Tracked {
    /// Keep it: the status can be looked up with it.
    pub tracking_code: String,
    pub status: String,
    pub status_zh: String,
    pub status_en: String,
    pub township: String,
    pub received_at: String,
    pub updated_at: String,
    /// The steps so far, without who took them.
    pub steps: Vec<PublicStep>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicStep {
    pub action: String,
    pub at: String,
}

/// Ten characters a person reads over the telephone without confusion.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let id = uuid::Uuid::now_v7();
    // the last 8 bytes of a v7 UUID are random (62 bits)
    let mut n = u64::from_be_bytes(id.as_bytes()[8..16].try_into().unwrap_or([0; 8]));
    let mut s = String::from("YW");
    for _ in 0..10 {
        s.push(ALPHABET[(n % 32) as usize] as char);
        n /= 32;
    }
    s
}

fn tracked(code: String, r: &store::reports::Report) -> Tracked {
    let status = Status::parse(&r.status).ok();
    Tracked {
        tracking_code: code,
        status: r.status.clone(),
        status_zh: status
            .map(|s| s.label(domain::Lang::Zh).to_string())
            .unwrap_or_default(),
        status_en: status
            .map(|s| s.label(domain::Lang::En).to_string())
            .unwrap_or_default(),
        township: r.township_name.clone(),
        received_at: r.received_at.clone(),
        updated_at: r.updated_at.clone(),
        steps: r
            .events
            .iter()
            .filter(|e| !e.action.starts_with("supervision.") && !e.action.starts_with("request_"))
            .map(|e| PublicStep {
                action: e.action.clone(),
                at: e.at.clone(),
            })
            .collect(),
    }
}

/// File a complaint without an account (群众投诉). The answer's tracking
/// code shows its progress at `/api/v1/public/complaints/{code}`. Limited
/// per address and hour; an `Idempotency-Key` makes a retry safe.
#[utoipa::path(post, path = "/api/v1/public/complaints", tag = "public", request_body = Complaint,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry key: the same key returns the same complaint")),
    responses((status = 201, body = Tracked), (status = 200, body = Tracked),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn file_complaint(
    State(state): State<AppState>,
    req: Request,
) -> ApiResult<(StatusCode, Json<Tracked>)> {
    let (parts, body) = req.into_parts();
    let ip = crate::auth::client_ip(&parts);
    let key = intake::idempotency_key(&parts.headers)?;
    let req = Request::from_parts(parts, body);
    let ApiJson(c) = ApiJson::<Complaint>::from_request(req, &state).await?;
    if !state.public_limiter.admit(&ip) {
        return Err(Error::new(
            ErrorKind::RateLimited,
            "public.rate_limited",
            "提交过于频繁，请一小时后再试，紧急情况请拨打 12345 或 110",
            "Too many complaints from this address; try again in an hour, or call 12345 (110 in an emergency)",
        )
        .into());
    }
    let key = key.unwrap_or_else(new_code);
    let from = Source::Outside {
        reporter: "public".into(),
        actor: Actor {
            name: "public".into(),
            user_id: None,
            role: "public".into(),
            request_id: "-".into(),
        },
    };
    let (created, report) = intake::intake(
        &state,
        &from,
        Some(key.clone()),
        NewReportRequest {
            channel: "citizen".into(),
            description: c.description,
            lon: c.lon,
            lat: c.lat,
            crs: c.crs,
            item_code: None,
            occurred_at: c.occurred_at,
            urgency: None,
        },
        vec![],
    )
    .await?;
    let mut conn = state.store.acquire().await?;
    let code = match store::supervision::tracking_code_of(&mut conn, &report.id).await? {
        Some(code) => code,
        None => {
            // two retries racing: the first code stays
            store::supervision::set_tracking_code(&mut conn, &report.id, &new_code()).await?;
            store::supervision::tracking_code_of(&mut conn, &report.id)
                .await?
                .ok_or_else(|| ApiError(Error::internal()))?
        }
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(tracked(code, &report))))
}

/// The status of a complaint, by its tracking code.
#[utoipa::path(get, path = "/api/v1/public/complaints/{code}", tag = "public",
    params(("code" = String, Path)),
    responses((status = 200, body = Tracked),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn track(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Tracked>> {
    let code = code.trim().to_ascii_uppercase();
    let mut conn = state.store.acquire().await?;
    let not_found = || ApiError(Error::not_found("查询码", "Tracking code"));
    let id = store::supervision::by_tracking_code(&mut conn, &code)
        .await?
        .ok_or_else(not_found)?;
    let r = store::reports::by_id(&mut conn, &id).await?;
    Ok(Json(tracked(code, &r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_distinct() {
        let codes: std::collections::HashSet<String> = (0..10_000).map(|_| new_code()).collect();
        assert_eq!(codes.len(), 10_000);
        for c in codes.iter().take(100) {
            assert_eq!(c.len(), 12);
            assert!(!c[2..].contains(['0', 'O', '1', 'I']), "{c}");
        }
    }

    #[test]
    fn the_limiter_admits_a_quota_per_address() {
        let l = Limiter::new(3);
        assert!((0..3).all(|_| l.admit("10.0.0.1")));
        assert!(!l.admit("10.0.0.1"));
        assert!(l.admit("10.0.0.2"));
    }
}
