//! The web UI: server-rendered pages (askama), Chinese first with an
//! English switch, assets embedded in the binary.

mod account;
mod admin;
mod assessment;
mod assets;
mod cases;
mod complaint;
pub mod forms;
mod help;
mod map;
mod mobile;
mod pages;
mod portal;
mod powerlist;
mod queue;
mod stats;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use domain::{Error, Lang};

use crate::error::ApiError;
use crate::state::AppState;

pub use pages::Chrome;

pub fn routes(state: AppState) -> Router {
    use axum::routing::post;
    let mut r = Router::new()
        .route("/", get(pages::home))
        .route("/org", get(pages::organisation))
        .route(
            "/login",
            get(account::login_page).post(account::login_submit),
        )
        .route("/logout", post(account::logout))
        .route("/account", get(account::account))
        .route("/account/password", post(account::change_password))
        .route(
            "/admin",
            get(|| async { axum::response::Redirect::to("/admin/users") }),
        )
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}", get(admin::user))
        .route("/admin/users/{id}/roles", post(admin::add_role))
        .route(
            "/admin/users/{id}/roles/{role_id}/delete",
            post(admin::remove_role),
        )
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route(
            "/admin/tokens",
            get(admin::tokens).post(admin::create_token),
        )
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/power-list", get(admin::power_list))
        .route("/org/staff", post(admin::org_staff))
        .route("/org/units", post(admin::org_unit))
        .route("/org/jurisdictions", post(admin::org_jurisdiction))
        .route("/power-list", get(powerlist::list))
        .route("/power-list/compare", get(powerlist::compare))
        .route("/power-list/{code}", get(powerlist::item))
        .route("/power-list/{code}/history", get(powerlist::history))
        .route("/map", get(map::page))
        .route("/portal", get(portal::home))
        .route("/portal/decisions", get(portal::decisions))
        .route("/portal/decisions/{id}", get(portal::decision))
        .route("/portal/complaint", get(complaint::page))
        .route("/help/indicators", get(help::indicators))
        .route("/stats", get(stats::page))
        .route("/assessment", get(assessment::list))
        .route("/assessment/{id}", get(assessment::run))
        .route("/stats/screen", get(stats::screen))
        .route("/command", get(queue::command))
        .route("/tasks", get(queue::tasks))
        .route("/cases", get(cases::list))
        .route("/cases/{id}", get(cases::case))
        .route("/m/report", get(mobile::report))
        .route("/m/sw.js", get(mobile::service_worker));
    for area in pages::AREAS
        .iter()
        .filter(|a| a.coming && a.href != "/admin")
    {
        r = r.route(area.href, get(pages::coming_soon));
    }
    r.route("/assets/{*path}", get(assets::serve))
        .layer(middleware::from_fn(remember_lang))
        .with_state(state)
}

/// `?lang=en` on any page switches the interface and remembers it in a cookie.
async fn remember_lang(req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("lang="))
            .and_then(Lang::parse)
    });
    let mut resp = next.run(req).await;
    if let Some(lang) = chosen {
        let cookie = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
            match lang {
                Lang::Zh => "zh",
                Lang::En => "en",
            }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// Any address without a route.
pub async fn not_found() -> ApiError {
    ApiError(Error::new(
        domain::ErrorKind::NotFound,
        "route.not_found",
        "没有这个地址",
        "No such address",
    ))
}

/// A useful error page for people (the API gets problem+json instead).
pub fn error_page(
    lang: Lang,
    status: StatusCode,
    err: &Error,
    request_id: Option<&str>,
) -> Response {
    use askama::Template;
    let page = pages::ErrorPage {
        c: Chrome::new(lang, "", lang.pick("出错了", "Something went wrong")),
        status: status.as_u16(),
        message: err.message(lang).to_string(),
        code: err.code.to_string(),
        request_id: request_id.unwrap_or("-").to_string(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => (status, err.message(lang).to_string()).into_response(),
    }
}
