//! Open311 GeoReport v2 under `/open311/v2`: service discovery, the
//! services (power-list items and complaint categories open to the public),
//! their definitions, service requests (filed into the same intake as every
//! other channel, as channel `open311`), and tokens — each in `.json` and
//! `.xml`, errors as the spec's list of `{code, description}`.
//!
//! Every answer here is public: no names, telephone numbers, ID numbers or
//! internal identifiers. Identifiers and codes are strings; times are
//! ISO 8601 with the China offset (+08:00); lat/long are WGS84.

mod catalogue;
mod public_view;
mod requests;
mod submit;
mod views;
pub mod xml;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get};
use domain::{Error, ErrorKind, Lang};
use serde::Serialize;

use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;
use views::Errors;
use xml::ToXml;

/// Where the endpoint lives.
pub const BASE: &str = "/open311/v2";

/// The two formats of every resource, chosen by the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `name.json` → (`name`, Json); `name.xml` → (`name`, Xml).
    pub fn split(file: &str) -> Option<(&str, Format)> {
        if let Some(n) = file.strip_suffix(".json") {
            Some((n, Format::Json))
        } else {
            file.strip_suffix(".xml").map(|n| (n, Format::Xml))
        }
    }

    /// The format a path asks for; XML (the spec's required one) otherwise.
    pub fn of(uri: &Uri) -> Format {
        if uri.path().ends_with(".json") {
            Format::Json
        } else {
            Format::Xml
        }
    }
}

/// A document in both formats.
pub trait Doc: Serialize + ToXml {}
impl<T: Serialize + ToXml> Doc for T {}

/// Answer a document in the format asked for.
pub fn answer<T: Doc>(fmt: Format, status: StatusCode, doc: &T) -> Response {
    let (body, ct) = match fmt {
        Format::Json => (
            serde_json::to_string(doc).unwrap_or_else(|_| "[]".into()),
            "application/json; charset=utf-8",
        ),
        Format::Xml => (doc.to_xml(), "text/xml; charset=utf-8"),
    };
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

/// The HTTP status of an error, as GeoReport v2 wants it: 404 for what does
/// not exist, 403 for a wrong or missing api_key, 400 for any other request
/// that cannot be fulfilled; 429 and server failures keep their own.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Unauthenticated | ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Invalid | ErrorKind::Conflict | ErrorKind::TooLarge => StatusCode::BAD_REQUEST,
    }
}

/// An error as the spec's error list, in the caller's language.
pub fn failure(fmt: Format, lang: Lang, e: ApiError) -> Response {
    let e = e.0;
    let status = status_of(e.kind);
    if e.kind == ErrorKind::Internal {
        tracing::error!(code = e.code, "open311: internal error answered 500");
    }
    let mut r = answer(fmt, status, &Errors::one(status, e.message(lang)));
    if status == StatusCode::TOO_MANY_REQUESTS {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
    }
    r
}

/// Answer `Ok` with 200, an error as the error list.
pub fn reply<T: Doc>(fmt: Format, lang: Lang, r: Result<T, ApiError>) -> Response {
    match r {
        Ok(doc) => answer(fmt, StatusCode::OK, &doc),
        Err(e) => failure(fmt, lang, e),
    }
}

/// 404 for a path under the endpoint that names nothing.
pub fn no_such(what_zh: &str, what_en: &str) -> ApiError {
    ApiError(Error::not_found(what_zh, what_en))
}

async fn unknown(ReqLang(lang): ReqLang, uri: Uri) -> Response {
    failure(Format::of(&uri), lang, no_such("资源", "Resource"))
}

async fn wrong_method(ReqLang(lang): ReqLang, uri: Uri) -> Response {
    let e = Error::new(
        ErrorKind::Invalid,
        "route.method_not_allowed",
        "该地址不支持此请求方法",
        "This address does not accept this method",
    );
    let mut r = failure(Format::of(&uri), lang, ApiError(e));
    *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    r
}

fn both(r: MethodRouter<AppState>) -> MethodRouter<AppState> {
    r.fallback(wrong_method)
}

/// The Open311 routes (not part of the OpenAPI document: the spec is theirs).
pub fn routes(state: AppState) -> Router {
    let mut r = Router::new();
    for ext in ["json", "xml"] {
        r = r
            .route(
                &format!("{BASE}/discovery.{ext}"),
                both(get(catalogue::discovery)),
            )
            .route(
                &format!("{BASE}/services.{ext}"),
                both(get(catalogue::services)),
            )
            .route(
                &format!("{BASE}/requests.{ext}"),
                both(get(requests::list).post(submit::create)),
            );
    }
    r.route(
        &format!("{BASE}/services/{{file}}"),
        both(get(catalogue::definition)),
    )
    .route(
        &format!("{BASE}/requests/{{file}}"),
        both(get(requests::one)),
    )
    .route(
        &format!("{BASE}/tokens/{{file}}"),
        both(get(requests::token)),
    )
    .route(&format!("{BASE}/{{*rest}}"), any(unknown))
    .with_state(state)
}

/// A stored instant as W3C/ISO 8601 in China time, e.g.
/// `2026-11-28T09:30:00+08:00`.
pub fn w3(stored: &str) -> Option<String> {
    domain::time::from_storage(stored).map(|t| {
        t.with_timezone(&domain::time::china())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    })
}
