//! The grid map: township outlines for everyone, and for a logged-in user
//! the grids they may see, coloured by squad, with who is responsible for
//! each. The page is a shell; /assets/map.js draws it from the API
//! (`/api/v1/areas` and `/api/v1/grids?format=geojson`).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::access::Permission;
use domain::org::Level;
use domain::{ErrorKind, Lang};

use super::pages::{Chrome, render_page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    c: Chrome,
    /// The background tile URL template; empty: no background layer.
    tiles: String,
    /// The caller may see grids (logged in, with the permission).
    can_view: bool,
    /// Township codes and names in the page's language, for the filter.
    townships: Vec<(String, String)>,
}

pub async fn page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Result<Caller, ApiError>,
) -> Response {
    let chrome = Chrome::new(lang, "/map", lang.pick("网格地图", "Grid map"));
    let (c, can_view) = match caller {
        Ok(caller) => (
            chrome.for_caller(&caller),
            caller.scope(Permission::ViewOrganisation).is_ok(),
        ),
        // Not logged in (or the session ended): the public outlines and a
        // prompt to log in.
        Err(e) if e.0.kind == ErrorKind::Unauthenticated => (chrome, false),
        Err(e) => return e.into_response(),
    };
    let tiles = tile_url(&state);
    let townships = township_names(&state, lang).await;
    let mut resp = render_page(MapPage {
        c,
        tiles: tiles.clone(),
        can_view,
        townships,
    });
    allow_tiles(&mut resp, &tiles);
    resp
}

/// The configured background tile URL template; empty: none.
pub(super) fn tile_url(state: &AppState) -> String {
    state
        .settings
        .map_tile_url
        .clone()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_default()
}

/// The background tiles come from another server: let this page (and only
/// the pages with a map) load images from it.
pub(super) fn allow_tiles(resp: &mut Response, tiles: &str) {
    if let Some(origin) = tile_source(tiles) {
        let csp = crate::routes::CSP.replacen(
            "img-src 'self' data: blob:",
            &format!("img-src 'self' data: blob: {origin}"),
            1,
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            resp.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

/// Townships and streets by code, named in the page's language. Empty if
/// the database cannot answer: the script then names them from the outlines.
async fn township_names(state: &AppState, lang: Lang) -> Vec<(String, String)> {
    let Ok(mut conn) = state.store.acquire().await else {
        return vec![];
    };
    store::org::list_jurisdictions(&mut conn, &[Level::Township, Level::Street])
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|j| {
            let name = if lang == Lang::En && !j.name_en.is_empty() {
                j.name_en
            } else {
                j.name
            };
            (j.code, name)
        })
        .collect()
}

/// The CSP source expression that admits a tile URL template such as
/// `https://{s}.tile.example.org/{z}/{x}/{y}.png`: its origin, with a
/// `{s}` subdomain placeholder as a wildcard. None for a same-origin
/// (relative) URL or one that cannot be expressed safely.
fn tile_source(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    // user:password@ has no place in a source expression
    if host.is_empty() || host.contains('@') {
        return None;
    }
    let (name, port) = match host.rsplit_once(':') {
        Some((n, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (n, Some(p)),
        Some(_) => return None,
        None => (host, None),
    };
    let labels: Vec<&str> = name.split('.').collect();
    let mut out = Vec::with_capacity(labels.len());
    for (i, label) in labels.iter().enumerate() {
        if label.contains('{') || label.contains('}') {
            // only a leading placeholder label can become a wildcard
            if i != 0 || labels.len() < 3 {
                return Some(format!("{scheme}:"));
            }
            out.push("*");
        } else if !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            out.push(label);
        } else {
            return None;
        }
    }
    let mut source = format!("{scheme}://{}", out.join("."));
    if let Some(p) = port {
        source.push(':');
        source.push_str(p);
    }
    Some(source)
}

#[cfg(test)]
mod tests {
    use super::tile_source;

    #[test]
    fn tile_origins_for_the_policy() {
        assert_eq!(
            tile_source("https://tiles.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tiles.example.org")
        );
        assert_eq!(
            tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.example.org")
        );
        assert_eq!(
            tile_source("http://10.0.0.5:8081/tiles/{z}/{x}/{y}.png").as_deref(),
            Some("http://10.0.0.5:8081")
        );
        assert_eq!(
            tile_source("https://t{s}.example.cn/{z}/{x}/{y}").as_deref(),
            Some("https://*.example.cn")
        );
        assert_eq!(
            tile_source("https://tiles.{env}.example.org/{z}/{x}/{y}").as_deref(),
            Some("https:")
        );
        assert_eq!(tile_source("/tiles/{z}/{x}/{y}.png"), None);
        assert_eq!(tile_source(""), None);
        assert_eq!(tile_source("https://evil.org;script-src */x"), None);
        assert_eq!(tile_source("https://a@b.org/{z}"), None);
        assert_eq!(tile_source("javascript://x/{z}"), None);
    }
}
