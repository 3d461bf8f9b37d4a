//! The command centre's live queue (指挥中心) and an officer's tasks (我的任务).
//! Both pages are shells: /assets/command.js and /assets/tasks.js fill them
//! from `/api/v1/reports` and keep them current from the stream
//! (`/api/v1/reports/stream`, server-sent events), without reloading.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use domain::Lang;
use domain::access::{Permission, Scope};
use domain::org::Level;
use domain::report::{Status, Urgency};
use serde::Deserialize;

use super::forms::require;
use super::pages::{Chrome, render_page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

/// The queue's filters, as given in the address (and kept there by the
/// script), so that a filtered view can be bookmarked or shared.
#[derive(Deserialize, Default)]
pub struct QueueQuery {
    township: Option<String>,
    status: Option<String>,
    urgency: Option<String>,
    overdue: Option<String>,
    q: Option<String>,
    // the dashboard's drill-down: kept as hidden filters
    jurisdiction: Option<String>,
    grid: Option<String>,
    channel: Option<String>,
    field: Option<String>,
    from: Option<String>,
    to: Option<String>,
    date_of: Option<String>,
    open: Option<String>,
}

/// The filters checked against the values the API accepts (anything else
/// is dropped, not echoed).
pub struct Filters {
    pub township: String,
    pub status: String,
    pub urgency: String,
    pub overdue: bool,
    pub q: String,
    /// Filters of a dashboard's drill-down (name, value), passed on to the
    /// API as they are (it checks them).
    pub more: Vec<(&'static str, String)>,
}

impl Filters {
    fn of(q: QueueQuery, townships: &[(String, String)]) -> Filters {
        let known = |v: Option<String>, ok: &dyn Fn(&str) -> bool| {
            v.filter(|s| ok(s.as_str())).unwrap_or_default()
        };
        Filters {
            township: known(q.township, &|s| townships.iter().any(|(c, _)| c == s)),
            status: known(q.status, &|s| Status::parse(s).is_ok()),
            urgency: known(q.urgency, &|s| Urgency::parse(s).is_ok()),
            overdue: matches!(q.overdue.as_deref(), Some("1" | "true" | "on")),
            q: q.q
                .map(|s| s.trim().chars().take(100).collect())
                .unwrap_or_default(),
            more: [
                ("jurisdiction", q.jurisdiction),
                ("grid", q.grid),
                ("channel", q.channel),
                ("field", q.field),
                ("from", q.from),
                ("to", q.to),
                ("date_of", q.date_of),
                ("open", q.open),
            ]
            .into_iter()
            .filter_map(|(k, v)| {
                let v: String = v?.trim().chars().take(40).collect();
                (!v.is_empty()).then_some((k, v))
            })
            .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "command.html")]
struct CommandPage {
    c: Chrome,
    /// The background tile URL template; empty: no background layer.
    tiles: String,
    /// The caller may dispatch (take steps of the closed loop).
    can_dispatch: bool,
    /// Townships and streets in the caller's jurisdiction: code, name.
    townships: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    urgencies: Vec<(&'static str, &'static str)>,
    f: Filters,
}

pub async fn command(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Query(q): Query<QueueQuery>,
) -> Response {
    let (caller, townships) = match with_townships(&state, caller, &uri, lang).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let tiles = super::map::tile_url(&state);
    let mut resp = render_page(CommandPage {
        c: Chrome::new(lang, "/command", lang.pick("指挥中心", "Command centre"))
            .for_caller(&caller),
        tiles: tiles.clone(),
        can_dispatch: caller.scope(Permission::HandleReports).is_ok(),
        f: Filters::of(q, &townships),
        townships,
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| (u.as_str(), u.label(lang)))
            .collect(),
    });
    super::map::allow_tiles(&mut resp, &tiles);
    resp
}

/// A logged-in caller who may see reports, and the townships they see; or
/// the answer instead of the page (the login form, a refusal).
pub(super) async fn with_townships(
    state: &AppState,
    caller: Result<Caller, ApiError>,
    uri: &Uri,
    lang: Lang,
) -> Result<(Caller, Vec<(String, String)>), Response> {
    let caller = require(caller, uri)?;
    let scope = caller
        .scope(Permission::ViewReports)
        .map_err(IntoResponse::into_response)?;
    let townships = townships_in(state, &scope, lang)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((caller, townships))
}

/// Townships and streets the scope covers, by code, named in `lang`.
pub(super) async fn townships_in(
    state: &AppState,
    scope: &Scope,
    lang: Lang,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut conn = state.store.acquire().await?;
    Ok(
        store::org::list_jurisdictions(&mut conn, &[Level::Township, Level::Street])
            .await?
            .into_iter()
            .filter(|j| scope.covers(&j.path))
            .map(|j| {
                let name = if lang == Lang::En && !j.name_en.is_empty() {
                    j.name_en
                } else {
                    j.name
                };
                (j.code, name)
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    c: Chrome,
    /// The caller's staff id: tasks dispatched to it are theirs. Empty when
    /// the login belongs to nobody of the brigade.
    staff_id: String,
    /// A squad leader also takes what went to the squad without an officer:
    /// the squad's unit id, else empty.
    squad_id: String,
    statuses: Vec<(&'static str, &'static str)>,
}

pub async fn tasks(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
) -> Response {
    let caller = match require(caller, &uri) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = caller
        .scope(Permission::HandleReports)
        .and_then(|_| caller.scope(Permission::ViewReports))
    {
        return e.into_response();
    }
    let (staff_id, squad_id) = match who(&state, &caller).await {
        Ok(w) => w,
        Err(e) => return e.into_response(),
    };
    render_page(TasksPage {
        c: Chrome::new(lang, "/tasks", lang.pick("我的任务", "My tasks")).for_caller(&caller),
        staff_id,
        squad_id,
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
    })
}

/// The caller's staff id, and the squad they lead (if they lead one).
async fn who(state: &AppState, caller: &Caller) -> Result<(String, String), ApiError> {
    let Some(uid) = caller.principal.user_id.as_deref() else {
        return Ok(Default::default());
    };
    let mut conn = state.store.acquire().await?;
    let user = store::identity::user_by_id(&mut conn, uid).await?;
    let Some(staff_id) = user.staff_id else {
        return Ok(Default::default());
    };
    // The person's own record; without the permission to read it the
    // squad is simply not known.
    let squad = match caller.scope(Permission::ViewOrganisation) {
        Ok(scope) => match store::org::staff_by_id(&mut conn, &scope, &staff_id).await {
            Ok(s) if s.post == domain::org::Post::SquadLeader => s.unit_id.unwrap_or_default(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    };
    Ok((staff_id, squad))
}
