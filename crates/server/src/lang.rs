//! The caller's language: `?lang=` first, then the `lang` cookie set by the
//! language switch, then `Accept-Language`; Chinese by default.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use domain::Lang;

pub fn lang_of(headers: &HeaderMap, uri: &Uri) -> Lang {
    if let Some(l) = uri.query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("lang="))
            .and_then(Lang::parse)
    }) {
        return l;
    }
    if let Some(l) = cookie(headers, "lang").and_then(|v| Lang::parse(&v)) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// A cookie's value by name.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// Extractor for handlers.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(lang_of(&parts.headers, &parts.uri)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn query_beats_cookie_beats_header() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
        let uri: Uri = "/x".parse().unwrap();
        assert_eq!(lang_of(&h, &uri), Lang::En);
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; lang=zh"));
        assert_eq!(lang_of(&h, &uri), Lang::Zh);
        let uri: Uri = "/x?lang=en".parse().unwrap();
        assert_eq!(lang_of(&h, &uri), Lang::En);
        assert_eq!(lang_of(&HeaderMap::new(), &"/".parse().unwrap()), Lang::Zh);
    }
}
