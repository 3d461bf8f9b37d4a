//! The OpenAPI 3.1 document, generated from the route definitions, and an
//! offline reference page (Scalar, served from the binary's own assets).

use std::sync::Arc;

use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Doc;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "yiwang 一网 API",
        description = "乡镇综合行政执法平台 REST API. Township comprehensive administrative law enforcement: power list, organisation and grids, intake and dispatch, penalty cases. Errors are application/problem+json with a stable `code`, messages in Chinese and English (chosen by Accept-Language) and the offending `field`.",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "system", description = "Health, readiness and version"),
        (name = "organisation", description = "Jurisdictions, units and people"),
        (name = "power list", description = "The power and responsibility list (权责清单): items, legal bases, flowcharts, devolution, duty access"),
        (name = "identity", description = "Login, users and roles in jurisdictions, integration tokens, the audit record"),
        (name = "public", description = "No account needed: complaints from the public with a tracking code, and their status"),
        (name = "one net", description = "Reports from every channel in one queue: intake, location, classification, dispatch, the closed loop and supervision"),
        (name = "video network", description = "The video network (雪亮工程): cameras with place and review (APL Art. 41), and the signed webhook turning camera alerts into reports"),
        (name = "grids", description = "Grids and geography: locate a point, grids as GeoJSON, import with validation, assignments over time"),
        (name = "cases", description = "Penalty cases (行政处罚案件) by the Administrative Penalty Law")
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem))
)]
struct ApiDoc;

/// Declares the bearer token (`Authorization: Bearer yws_…`, or the
/// `yiwang_session` cookie in the browser).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut Doc) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document's fixed part; routes add their paths to it.
pub fn base() -> Doc {
    ApiDoc::openapi()
}

pub fn routes(doc: Arc<Doc>) -> Router {
    let json = Arc::new(doc.to_pretty_json().unwrap_or_default());
    Router::new()
        .route(
            "/api/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        json.as_ref().clone(),
                    )
                        .into_response()
                }
            }),
        )
        .route("/api/docs", get(reference_page))
}

/// The API reference, rendered in the browser from the document; every
/// script and style comes from this server.
async fn reference_page() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>yiwang 一网 · API 参考 / API reference</title>
</head>
<body>
  <noscript>需要启用 JavaScript 才能浏览 API 参考；原始文档见 <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
  <script id="api-reference" data-url="/api/openapi.json"
    data-configuration='{"withDefaultFonts":false,"hideClientButton":true,"telemetry":false}'></script>
  <script src="/assets/vendor/scalar/standalone.js"></script>
</body>
</html>"#,
    )
}
