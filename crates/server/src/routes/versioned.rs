//! Steps applied to a versioned record (a case, a transfer): the version the
//! caller decided on, named in `If-Match`, and the 409 when it moved on.

use axum::http::{HeaderMap, header};
use domain::Error;

use crate::error::ApiError;

/// `If-Match`: the version the caller decided on, if named (`"3"`, `W/"3"`
/// or `3`); anything else is 422 with `code` and the message given.
pub fn if_match(
    headers: &HeaderMap,
    code: &'static str,
    zh: &str,
    en: &str,
) -> Result<Option<i64>, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or("").trim();
    let s = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
    s.parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError(Error::invalid(code, "If-Match", zh, en)))
}

/// 409 `conflict.stale` unless the record is still at the version named.
pub fn require_version(named: Option<i64>, current: i64) -> Result<(), ApiError> {
    match named {
        Some(v) if v != current => Err(store::StoreError::Stale.into()),
        _ => Ok(()),
    }
}
