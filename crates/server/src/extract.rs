//! Request extractors that fail with a named field and a code, never with
//! the framework's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use domain::{Error, ErrorKind};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The largest body a JSON route reads, put on every request by the router so
/// that a body declared larger is refused before a byte of it is read.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

fn too_large() -> Error {
    Error::new(
        ErrorKind::TooLarge,
        "body.too_large",
        "请求内容过大",
        "The request body is too large",
    )
}

/// JSON body. Rejections become problem documents: wrong content type
/// (`body.content_type`), too large (`body.too_large`), bad syntax
/// (`body.syntax`), a field of the wrong shape (`body.invalid_field`, with
/// the field's path).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.to_ascii_lowercase();
                ct.starts_with("application/json") || ct.contains("+json")
            });
        if !is_json {
            return Err(Error::invalid(
                "body.content_type",
                "Content-Type",
                "请求内容类型应为 application/json",
                "Content-Type must be application/json",
            )
            .into());
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let limit = req.extensions().get::<BodyLimit>().map(|l| l.0 as u64);
        if let (Some(declared), Some(limit)) = (declared, limit)
            && declared > limit
        {
            return Err(too_large().into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            if rej.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                Error::invalid(
                    "body.unreadable",
                    "body",
                    "无法读取请求内容",
                    "The request body could not be read",
                )
            }
        })?;
        parse_json(&bytes).map(ApiJson).map_err(ApiError)
    }
}

/// A calendar date given as `YYYY-MM-DD` (surrounding blanks ignored);
/// refused with `code`, naming `field` and what was received.
pub fn date(code: &'static str, field: &str, s: &str) -> Result<chrono::NaiveDate, ApiError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError(Error::invalid(
            code,
            field,
            format!("{field} 应为日期（YYYY-MM-DD），收到「{s}」"),
            format!("{field} must be a date (YYYY-MM-DD), got `{s}`"),
        ))
    })
}

/// A text field that must not be blank.
pub fn required(field: &'static str, value: &str) -> Result<(), ApiError> {
    domain::json::required(field, value).map_err(ApiError)
}

/// Parse JSON, naming the field that failed (see [`domain::json::parse`]).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    domain::json::parse(bytes)
}

#[cfg(test)]
mod tests {
    use super::parse_json;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        inner: Inner,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse_json::<Login>(br#"{"username":"a","inner":{"n":"x"}}"#).unwrap_err();
        assert_eq!(e.code, "body.invalid_field");
        assert_eq!(e.field.as_deref(), Some("inner.n"));
        let e = parse_json::<Login>(br#"{"inner":{"n":1}}"#).unwrap_err();
        assert_eq!(e.code, "body.invalid_field");
        assert!(e.en.contains("username"), "{}", e.en);
        let e = parse_json::<Login>(b"{\"username\": ").unwrap_err();
        assert_eq!(e.code, "body.syntax");
    }
}
