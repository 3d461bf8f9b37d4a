//! The router: every route, its middleware, and the OpenAPI document
//! generated from the same definitions.

pub mod assessment;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cameras;
pub mod case_documents;
pub mod case_summary;
pub mod cases;
pub mod cooperation;
pub mod disclosure;
pub mod duty;
pub mod grids;
pub mod health;
pub mod open311;
pub mod org;
pub mod partner_documents;
pub mod powerlist;
pub mod public;
pub mod reports;
pub mod staff;
pub mod stats;
pub mod tokens;
pub mod transfers;
pub mod users;
pub mod versioned;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware;
use tower::ServiceBuilder;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Every documented route. The OpenAPI document is generated from this list.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::version))
        .routes(routes!(org::list_jurisdictions, org::create_jurisdiction))
        .routes(routes!(org::get_overview))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::get_user))
        .routes(routes!(users::add_role))
        .routes(routes!(users::remove_role))
        .routes(routes!(users::reset_password))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(staff::list_units, staff::create_unit))
        .routes(routes!(staff::list_staff, staff::create_staff))
        .routes(routes!(staff::get_staff))
        .routes(routes!(staff::add_credential))
        .routes(routes!(audit::list_audit))
        .routes(routes!(powerlist::list_items, powerlist::create_item))
        .routes(routes!(powerlist::export))
        .routes(routes!(powerlist::import))
        .routes(routes!(powerlist::get_item, powerlist::update_item))
        .routes(routes!(powerlist::flowchart))
        .routes(routes!(powerlist::versions))
        .routes(routes!(powerlist::diff))
        .routes(routes!(powerlist::basis))
        .routes(routes!(powerlist::held))
        .routes(routes!(powerlist::compare))
        .routes(routes!(powerlist::devolve))
        .routes(routes!(powerlist::duty_request, powerlist::duty_requests))
        .routes(routes!(cases::list_cases, cases::file_case))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::set_party))
        .routes(routes!(cases::act))
        .routes(routes!(cases::set_reviewer))
        .routes(routes!(case_summary::decide_summary))
        .routes(routes!(case_summary::file_summary))
        .routes(routes!(case_summary::discretion))
        .routes(routes!(transfers::get_transfer, transfers::report))
        .routes(routes!(transfers::decide))
        .routes(routes!(transfers::send))
        .routes(routes!(transfers::request_reconsideration))
        .routes(routes!(transfers::request_supervision))
        .routes(routes!(transfers::hand_over))
        .routes(routes!(transfers::resume))
        .routes(routes!(transfers::inbox))
        .routes(routes!(transfers::partner_get))
        .routes(routes!(partner_documents::list))
        .routes(routes!(partner_documents::get))
        .routes(routes!(transfers::receipt))
        .routes(routes!(transfers::forward))
        .routes(routes!(transfers::answer))
        .routes(routes!(transfers::conclude_supervision))
        .routes(routes!(transfers::set_liaison))
        .routes(routes!(
            cooperation::case_assistance,
            cooperation::request_assistance
        ))
        .routes(routes!(cooperation::assistance_inbox))
        .routes(routes!(cooperation::answer_assistance))
        .routes(routes!(cooperation::case_joints, cooperation::open_joint))
        .routes(routes!(cooperation::conclude_joint))
        .routes(routes!(cooperation::joint_inbox))
        .routes(routes!(cooperation::add_finding))
        .routes(routes!(grids::locate))
        .routes(routes!(grids::list_grids))
        .routes(routes!(grids::areas))
        .routes(routes!(grids::import))
        .routes(routes!(grids::reassign, grids::assignments))
        .routes(routes!(reports::list_reports, reports::submit))
        .routes(routes!(reports::get_report))
        .routes(routes!(reports::act))
        .routes(routes!(reports::stream))
        .routes(routes!(reports::hotline::import_hotline))
        .routes(routes!(reports::supervise::request_adjustment))
        .routes(routes!(reports::supervise::decide_request))
        .routes(routes!(reports::supervise::resume))
        .routes(routes!(reports::supervise::issue_notice))
        .routes(routes!(assessment::indicators::indicators))
        .routes(routes!(
            assessment::rules::get_rules,
            assessment::rules::put_rules
        ))
        .routes(routes!(
            assessment::runs::create_run,
            assessment::runs::list_runs
        ))
        .routes(routes!(assessment::runs::get_run))
        .routes(routes!(assessment::appeals::file_appeal))
        .routes(routes!(assessment::appeals::resolve_appeal))
        .routes(routes!(stats::overview))
        .routes(routes!(public::file_complaint))
        .routes(routes!(public::track))
        .routes(routes!(duty::list_roster, duty::add_roster))
        .routes(routes!(duty::delete_roster))
        .routes(routes!(duty::now))
        .routes(routes!(duty::list_handovers, duty::add_handover))
        .routes(routes!(cameras::list_cameras, cameras::register_camera))
        .routes(routes!(cameras::get_camera))
        .routes(routes!(cameras::review_camera))
        .routes(routes!(cameras::camera_webhook))
        .routes(routes!(calendar::get_calendar))
        .routes(routes!(calendar::put_year))
        .routes(routes!(
            case_documents::list_documents,
            case_documents::create_document
        ))
        .routes(routes!(case_documents::get_document))
        .routes(routes!(
            case_documents::list_evidence,
            case_documents::upload_evidence
        ))
        .routes(routes!(case_documents::get_evidence))
        .routes(routes!(case_documents::review_evidence))
        .routes(routes!(case_documents::get_archive))
        .routes(routes!(disclosure::publish))
        .routes(routes!(disclosure::withdraw))
        .routes(routes!(disclosure::public_list))
        .routes(routes!(disclosure::public_one))
}

/// The OpenAPI document, without starting anything.
pub fn openapi() -> OpenApi {
    documented().split_for_parts().1
}

/// The documented routes bound to the state, with their document.
pub fn api(state: AppState) -> (Router, OpenApi) {
    let (router, doc) = documented().split_for_parts();
    (router.with_state(state), doc)
}

#[derive(Clone, Default)]
struct MakeId;

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().simple().to_string())
            .ok()
            .map(RequestId::new)
    }
}

/// Content-Security-Policy for every page: nothing from other origins.
pub const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
script-src 'self'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

pub fn router(state: AppState) -> Router {
    let (api, doc) = api(state.clone());
    let doc = std::sync::Arc::new(doc);
    let timeout = Duration::from_secs(state.settings.request_timeout_secs.max(1));
    let app = Router::new()
        .merge(api)
        .merge(crate::openapi::routes(doc))
        .merge(health::metrics_route(state.clone()))
        .merge(open311::routes(state.clone()))
        .merge(crate::web::routes(state.clone()))
        .fallback(crate::web::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .layer(axum::Extension(crate::extract::BodyLimit(
            state.settings.max_body_bytes,
        )));
    harden(app, timeout)
}

/// What every answer goes through: a request id, the security headers,
/// problem+json for every error (a panic included: answered 500, not a
/// dropped connection) and the request timeout.
fn harden(app: Router, timeout: Duration) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    app.layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeId))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
                    }),
                )
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CSP),
                ))
                .layer(middleware::from_fn(crate::error::problems))
                .layer(tower_http::catch_panic::CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, timeout)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_is_answered_with_a_problem_not_a_dropped_connection() {
        let app = harden(
            Router::new().route(
                "/api/v1/boom",
                axum::routing::get(|| async {
                    if std::hint::black_box(true) {
                        panic!("boom");
                    }
                    ""
                }),
            ),
            Duration::from_secs(5),
        );
        let resp = app
            .oneshot(
                Request::builder()
                    .uri("/api/v1/boom")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), 500);
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        assert!(resp.headers().contains_key("x-request-id"));
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    }
}
