//! One error type for every handler, rendered as `application/problem+json`
//! (RFC 9457) for the API and as an error page for the web UI.
//!
//! A handler returns `ApiError`; its `IntoResponse` only sets the status and
//! stashes the domain error in the response. The `problems` middleware, which
//! knows the request's language, id and path, renders the body. The same
//! middleware turns the framework's own bare errors (unknown route, wrong
//! method, time-out) into the same shape, so no error leaves without a code.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::{Error, ErrorKind, Lang};
use serde::Serialize;
use utoipa::ToSchema;

use crate::lang::lang_of;

/// The error every handler returns.
#[derive(Debug)]
pub struct ApiError(pub Error);

pub type ApiResult<T> = Result<T, ApiError>;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        match &e {
            store::StoreError::Unavailable(msg) => {
                tracing::warn!(error = %msg, "database unavailable")
            }
            store::StoreError::NotFound
            | store::StoreError::Conflict { .. }
            | store::StoreError::Stale => {}
            other => tracing::error!(error = %other, "store error"),
        }
        ApiError(e.into())
    }
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Carries the error from the handler to the `problems` middleware.
#[derive(Clone)]
struct Pending(Arc<Error>, StatusCode);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = if self.0.code.starts_with("body.") && self.0.kind == ErrorKind::Invalid {
            // Malformed syntax is a 400; a well-formed body breaking a rule is a 422.
            if self.0.code == "body.syntax" || self.0.code == "body.content_type" {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        } else {
            status_of(self.0.kind)
        };
        let mut resp = status.into_response();
        resp.extensions_mut()
            .insert(Pending(Arc::new(self.0), status));
        resp
    }
}

/// The problem document. `title` is in the request's language; both
/// languages are always present.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:yiwang:problem:<code>`
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// Stable machine code, e.g. `not_found`, `body.invalid_field`.
    pub code: String,
    /// The offending input field, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message_zh: String,
    pub message_en: String,
    /// Quote this when reporting a problem; the server log has the details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub instance: String,
}

/// The framework's own bare errors, named.
fn generic(status: StatusCode) -> Error {
    let (kind, code, zh, en) = match status {
        StatusCode::NOT_FOUND => (
            ErrorKind::NotFound,
            "route.not_found",
            "没有这个地址",
            "No such address",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorKind::Invalid,
            "route.method_not_allowed",
            "该地址不支持此请求方法",
            "This address does not accept this method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorKind::TooLarge,
            "body.too_large",
            "请求内容过大",
            "The request body is too large",
        ),
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => (
            ErrorKind::Unavailable,
            "unavailable",
            "服务暂时不可用，请稍后重试",
            "The service is temporarily unavailable; please try again later",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorKind::Invalid,
            "body.content_type",
            "不支持的内容类型",
            "Unsupported content type",
        ),
        s if s.is_server_error() => return Error::internal(),
        _ => (
            ErrorKind::Invalid,
            "request.invalid",
            "请求无效",
            "The request is invalid",
        ),
    };
    Error::new(kind, code, zh, en)
}

fn is_api_path(path: &str) -> bool {
    path.starts_with("/api")
        || path.starts_with("/open311")
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// Middleware: render every error response as problem+json (API) or an
/// error page (web UI), in the caller's language, with the request id.
pub async fn problems(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers(), req.uri());
    let path = req.uri().path().to_string();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut resp = next.run(req).await;
    let (err, status) = match resp.extensions_mut().remove::<Pending>() {
        Some(Pending(err, status)) => (err, status),
        None => {
            let status = resp.status();
            let has_body_type = resp.headers().contains_key(header::CONTENT_TYPE)
                && !resp
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
            if !(status.is_client_error() || status.is_server_error()) || has_body_type {
                return resp;
            }
            (Arc::new(generic(status)), status)
        }
    };
    if err.kind == ErrorKind::Internal {
        tracing::error!(
            request_id = request_id.as_deref().unwrap_or("-"),
            code = err.code,
            "internal error answered 500"
        );
    }
    let mut out = if is_api_path(&path) {
        let body = Problem {
            type_: format!("urn:yiwang:problem:{}", err.code),
            title: err.message(lang).to_string(),
            status: status.as_u16(),
            code: err.code.to_string(),
            field: err.field.clone(),
            message_zh: err.zh.clone(),
            message_en: err.en.clone(),
            request_id: request_id.clone(),
            instance: path,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut r = Response::new(Body::from(json));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    } else {
        crate::web::error_page(lang, status, &err, request_id.as_deref())
    };
    *out.status_mut() = status;
    // Keep headers the handler set deliberately (Retry-After, WWW-Authenticate).
    for name in [
        header::RETRY_AFTER,
        header::WWW_AUTHENTICATE,
        header::SET_COOKIE,
    ] {
        if let Some(v) = resp.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(match lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }),
    );
    out
}
