//! The grid worker's phone page (现场上报): describe, locate, photograph,
//! send. /assets/m-report.js keeps every report in the phone's IndexedDB
//! with its Idempotency-Key until the server has answered 2xx, so a report
//! made without a connection is sent once the phone is back online — and
//! never twice.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use domain::Lang;
use domain::access::Permission;
use domain::org::Level;

use super::forms::require;
use super::pages::{Chrome, render_page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

/// Items of one field of the power list, for the category choice.
pub struct Group {
    pub field: String,
    /// Code and name.
    pub items: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "m_report.html")]
struct MobilePage {
    c: Chrome,
    /// The user's id: the reporter of the reports sent from here, and the
    /// owner of the queued ones on this phone.
    user_id: String,
    /// The caller may list the queue (and so find their own reports there).
    can_list: bool,
    /// Penalty items the user's township holds, by field.
    groups: Vec<Group>,
    statuses: Vec<(&'static str, &'static str)>,
}

pub async fn report(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
) -> Response {
    let caller = match require(caller, &uri) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = caller.scope(Permission::SubmitReport) {
        return e.into_response();
    }
    let groups = match categories(&state, &caller, lang).await {
        Ok(g) => g,
        Err(e) => return e.into_response(),
    };
    render_page(MobilePage {
        c: Chrome::new(lang, "/m/report", lang.pick("现场上报", "Field report"))
            .for_caller(&caller),
        user_id: caller.principal.user_id.clone().unwrap_or_default(),
        can_list: caller.scope(Permission::ViewReports).is_ok(),
        groups,
        statuses: domain::report::Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
    })
}

/// The penalty items held by the caller's township (their first role's),
/// grouped by field; none for a county-level login.
async fn categories(state: &AppState, caller: &Caller, lang: Lang) -> Result<Vec<Group>, ApiError> {
    let home = caller.home_path();
    let Some(code) = home.trim_end_matches('/').rsplit('/').next() else {
        return Ok(vec![]);
    };
    let mut conn = state.store.acquire().await?;
    let town = match store::org::jurisdiction_by_code(&mut conn, code).await {
        Ok(j) if matches!(j.level, Level::Township | Level::Street) => j,
        _ => return Ok(vec![]),
    };
    let filter = store::powerlist::Filter {
        township_id: Some(town.id),
        kind: Some(domain::powerlist::ItemKind::Penalty.zh().to_string()),
        ..Default::default()
    };
    let (items, _) = store::powerlist::list(&mut conn, &filter, 500, 0).await?;
    let mut groups: Vec<Group> = Vec::new();
    for i in items {
        // the list stores the field in Chinese
        let field = match (lang, domain::powerlist::Field::parse(&i.field)) {
            (Lang::En, Some(f)) => f.en().to_string(),
            _ => i.field,
        };
        match groups.iter_mut().find(|g| g.field == field) {
            Some(g) => g.items.push((i.code, i.name)),
            None => groups.push(Group {
                field,
                items: vec![(i.code, i.name)],
            }),
        }
    }
    Ok(groups)
}

/// The field report's service worker, from the embedded assets but served
/// under /m/ so that its scope is the phone pages: it keeps the page and
/// its scripts for opening without a connection (never the API: reports
/// wait in IndexedDB instead). Revalidated on every load.
pub async fn service_worker() -> Response {
    let Some(js) = super::assets::bytes("m-sw.js") else {
        return ApiError(domain::Error::not_found("静态文件", "Asset")).into_response();
    };
    let mut resp = js.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}
