//! Web forms: the session comes from the cookie, and every form carries the
//! session's CSRF token in a hidden `csrf_token` field. [`WebForm`] is the
//! only way a web handler reads a posted form, and it checks the token.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// A posted form from a logged-in user whose CSRF token matched.
pub struct WebForm<T> {
    pub caller: Caller,
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// Percent-encode for a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where to send someone who must log in first.
pub fn to_login(uri: &Uri) -> Response {
    let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    Redirect::to(&format!("/login?next={}", enc(next))).into_response()
}

/// A page that needs a session: the caller, or a redirect to the login page.
// The error is the response itself, returned straight from the handler.
#[allow(clippy::result_large_err)]
pub fn require(caller: Result<Caller, ApiError>, uri: &Uri) -> Result<Caller, Response> {
    match caller {
        Ok(c) => Ok(c),
        Err(e) if e.0.kind == domain::ErrorKind::Unauthenticated => Err(to_login(uri)),
        Err(e) => Err(e.into_response()),
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for WebForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let uri = parts.uri.clone();
        let caller = require(Caller::from_request_parts(&mut parts, state).await, &uri)?;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| e.into_response())?;
        let csrf: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf_token: String::new(),
        });
        if caller.csrf_token.as_deref() != Some(csrf.csrf_token.as_str())
            || csrf.csrf_token.is_empty()
        {
            return Err(ApiError(domain::Error::new(
                domain::ErrorKind::Forbidden,
                "auth.csrf",
                "表单已过期或来源不明，请刷新页面后重试",
                "the form is stale or did not come from this site; reload and try again",
            ))
            .into_response());
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            ApiError(domain::Error::invalid(
                "form.invalid",
                "form",
                format!("表单内容无效：{e}"),
                format!("the form is invalid: {e}"),
            ))
            .into_response()
        })?;
        Ok(WebForm { caller, form })
    }
}

/// A page for a signed-in caller: anyone else is sent to the login page,
/// and a refusal or failure of `page` becomes its error page.
pub async fn signed_in<F>(
    caller: Result<Caller, ApiError>,
    uri: &Uri,
    page: impl FnOnce(Caller) -> F,
) -> Response
where
    F: std::future::Future<Output = Result<Response, ApiError>>,
{
    match require(caller, uri) {
        Ok(c) => page(c).await.unwrap_or_else(IntoResponse::into_response),
        Err(r) => r,
    }
}

/// Back to a page, with a message to show (`ok` or `error`).
pub fn back(to: &str, kind: &str, message: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}{kind}={}", enc(message))).into_response()
}

/// A `Set-Cookie` header on a redirect.
pub fn redirect_with_cookie(to: &str, cookie: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Only local paths are followed after login.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

pub fn status_page(status: StatusCode, body: String) -> Response {
    (status, axum::response::Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/admin/users?q=a")), "/admin/users?q=a");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(enc("/a b?c=d"), "%2Fa%20b%3Fc%3Dd");
    }
}
