//! The dashboard (统计分析) and the full-screen command display (指挥大屏).
//! Both pages are shells: /assets/stats.js draws them from
//! `/api/v1/stats/overview` and redraws them from the live stream
//! (`/api/v1/reports/stream`) within a second of any change.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use domain::access::Permission;
use serde::Deserialize;

use super::forms::require;
use super::pages::{Chrome, render_page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

/// The view asked for in the address (checked by the API, not here).
#[derive(Deserialize, Default)]
pub struct StatsQuery {
    jurisdiction: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn clean(v: Option<String>) -> String {
    v.map(|s| s.trim().chars().take(20).collect())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    c: Chrome,
    tiles: String,
    /// The county and the townships in the caller's jurisdiction: code, name.
    places: Vec<(String, String)>,
    jurisdiction: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "stats_screen.html")]
struct ScreenPage {
    c: Chrome,
    tiles: String,
    jurisdiction: String,
}

pub async fn page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Query(q): Query<StatsQuery>,
) -> Response {
    let (caller, townships) = match super::queue::with_townships(&state, caller, &uri, lang).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut places = vec![(
        String::new(),
        lang.pick("本辖区", "My jurisdiction").to_string(),
    )];
    places.extend(townships);
    let tiles = super::map::tile_url(&state);
    let mut resp = render_page(StatsPage {
        c: Chrome::new(lang, "/stats", lang.pick("统计分析", "Statistics")).for_caller(&caller),
        tiles: tiles.clone(),
        places,
        jurisdiction: clean(q.jurisdiction),
        from: clean(q.from),
        to: clean(q.to),
    });
    super::map::allow_tiles(&mut resp, &tiles);
    resp
}

pub async fn screen(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Query(q): Query<StatsQuery>,
) -> Response {
    let caller = match require(caller, &uri) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = caller.scope(Permission::ViewReports) {
        return e.into_response();
    }
    let tiles = super::map::tile_url(&state);
    let mut resp = render_page(ScreenPage {
        c: Chrome::new(lang, "/stats", lang.pick("指挥大屏", "Command display"))
            .for_caller(&caller),
        tiles: tiles.clone(),
        jurisdiction: clean(q.jurisdiction),
    });
    super::map::allow_tiles(&mut resp, &tiles);
    resp
}
