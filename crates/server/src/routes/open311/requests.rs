//! Reading service requests: `GET requests` with the spec's filters,
//! `GET requests/{service_request_id}` and `GET tokens/{token}`.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::report::Status;
use domain::{Error, Lang};
use store::open311::Query;

use super::catalogue::Catalogue;
use super::public_view::{open_or_closed, view};
use super::views::{Requests, Token, Tokens};
use super::{Format, failure, no_such, reply};
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

/// The most requests one answer holds, and the widest date range (days).
pub const MAX_RESULTS: u32 = 1000;
pub const MAX_DAYS: i64 = 90;

fn bad(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError(Error::invalid("open311.query", field, zh, en))
}

/// A W3C date-time (with its offset), or a date taken in China time: the
/// start of the day for `start_date`, its end for `end_date`.
fn instant(s: &str, field: &'static str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        bad(
            field,
            format!("{field} 应为带时区的 ISO 8601 时间，如 2026-11-01T00:00:00+08:00"),
            format!("{field} must be a W3C date-time with an offset, e.g. 2026-11-01T00:00:00Z"),
        )
    })?;
    let time = if field == "end_date" {
        day.and_hms_opt(23, 59, 59)
    } else {
        day.and_hms_opt(0, 0, 0)
    };
    time.and_then(|t| t.and_local_timezone(domain::time::china()).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| bad(field, format!("{field} 无效"), format!("invalid {field}")))
}

/// The query of `GET requests`: service_request_id (a comma list that
/// overrides everything else), service_code, start_date, end_date (at most
/// 90 days apart; the last 90 days by default) and status (open, closed).
pub fn query(qs: &str, now: DateTime<Utc>) -> Result<Query, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(qs)
        .map_err(|_| bad("query", "查询参数格式错误", "malformed query string"))?;
    let list = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    };
    let one = |name: &str| list(name).into_iter().next();
    let ids = list("service_request_id");
    if !ids.is_empty() {
        if ids.len() > MAX_RESULTS as usize {
            return Err(bad(
                "service_request_id",
                "一次最多查询 1000 个 service_request_id",
                "at most 1000 service_request_id at once",
            ));
        }
        return Ok(Query {
            ids,
            limit: MAX_RESULTS,
            ..Default::default()
        });
    }
    let mut statuses = Vec::new();
    for s in list("status") {
        if s != "open" && s != "closed" {
            return Err(bad(
                "status",
                format!("status 只能是 open 或 closed，收到 {s}"),
                format!("status must be open or closed, not {s}"),
            ));
        }
        statuses.extend(
            Status::ALL
                .into_iter()
                .filter(|x| open_or_closed(Some(*x)) == s)
                .map(|x| x.as_str().to_string()),
        );
    }
    let start = one("start_date")
        .map(|s| instant(&s, "start_date"))
        .transpose()?;
    let end = one("end_date")
        .map(|s| instant(&s, "end_date"))
        .transpose()?;
    let span = Duration::days(MAX_DAYS);
    let (from, until) = match (start, end) {
        (Some(s), Some(e)) if e < s => {
            return Err(bad(
                "end_date",
                "end_date 不能早于 start_date",
                "end_date is before start_date",
            ));
        }
        (Some(s), Some(e)) if e - s > span => {
            return Err(bad(
                "end_date",
                "start_date 与 end_date 相隔不能超过 90 天",
                "start_date and end_date may not span more than 90 days",
            ));
        }
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s + span),
        (None, Some(e)) => (e - span, e),
        (None, None) => (now - span, now),
    };
    Ok(Query {
        ids: vec![],
        service_codes: list("service_code"),
        statuses,
        from: Some(store::util::ts(from)),
        until: Some(store::util::ts(until)),
        limit: MAX_RESULTS,
    })
}

async fn requests(state: &AppState, lang: Lang, q: &Query) -> Result<Requests, ApiError> {
    let services = Catalogue::load(state, lang).await?;
    let mut conn = state.store.acquire().await?;
    let rows = store::open311::list(&mut conn, q).await?;
    Ok(Requests(
        rows.iter().map(|r| view(r, &services, lang)).collect(),
    ))
}

/// `GET requests.{json,xml}`
pub async fn list(State(state): State<AppState>, ReqLang(lang): ReqLang, uri: Uri) -> Response {
    let r = async {
        let q = query(uri.query().unwrap_or(""), Utc::now())?;
        requests(&state, lang, &q).await
    }
    .await;
    reply(Format::of(&uri), lang, r)
}

/// `GET requests/{service_request_id}.{json,xml}`: a list of one.
pub async fn one(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(file): Path<String>,
) -> Response {
    let Some((id, fmt)) = Format::split(&file) else {
        return failure(Format::Xml, lang, no_such("资源", "Resource"));
    };
    let r = async {
        let q = Query {
            ids: vec![id.trim().to_string()],
            limit: 1,
            ..Default::default()
        };
        let found = requests(&state, lang, &q).await?;
        if found.0.is_empty() {
            return Err(no_such("服务请求", "Service request"));
        }
        Ok(found)
    }
    .await;
    reply(fmt, lang, r)
}

/// `GET tokens/{token}.{json,xml}`: the service_request_id behind a token.
pub async fn token(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(file): Path<String>,
) -> Response {
    let Some((token, fmt)) = Format::split(&file) else {
        return failure(Format::Xml, lang, no_such("资源", "Resource"));
    };
    let token = token.trim().to_ascii_uppercase();
    let r = async {
        let mut conn = state.store.acquire().await?;
        let id = store::open311::by_token(&mut conn, &token)
            .await?
            .ok_or_else(|| no_such("令牌", "Token"))?;
        Ok(Tokens(vec![Token {
            service_request_id: id,
            token: token.clone(),
        }]))
    }
    .await;
    reply(fmt, lang, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_last_90_days_by_default_and_ids_override_everything() {
        let q = query("", now()).unwrap();
        assert_eq!(q.from.as_deref(), Some("2026-08-30T12:00:00.000000Z"));
        assert_eq!(q.until.as_deref(), Some("2026-11-28T12:00:00.000000Z"));
        assert_eq!(q.limit, 1000);
        let q = query("service_request_id=a,b&status=bogus", now()).unwrap();
        assert_eq!(q.ids, ["a", "b"]);
        assert!(q.from.is_none() && q.statuses.is_empty());
    }

    #[test]
    fn filters_are_checked() {
        let q = query("status=closed&service_code=CG-CF-001,TS", now()).unwrap();
        assert!(q.statuses.contains(&"merged".to_string()));
        assert!(!q.statuses.contains(&"received".to_string()));
        assert_eq!(q.service_codes, ["CG-CF-001", "TS"]);
        assert!(query("status=pending", now()).is_err());
        assert!(query("start_date=yesterday", now()).is_err());
        assert!(
            query(
                "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
                now()
            )
            .is_err()
        );
        assert!(
            query(
                "start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z",
                now()
            )
            .is_err()
        );
        let q = query("start_date=2026-11-01&end_date=2026-11-02", now()).unwrap();
        assert_eq!(q.from.as_deref(), Some("2026-10-31T16:00:00.000000Z"));
        assert_eq!(q.until.as_deref(), Some("2026-11-02T15:59:59.000000Z"));
    }
}
