//! `/healthz` (the process is up), `/readyz` (the database answers and is
//! migrated), `/metrics` (Prometheus text) and the build's version.

use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use domain::{Error, ErrorKind};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` while the process serves requests.
    pub status: &'static str,
    pub uptime_secs: u64,
}

/// The process is up (does not touch the database).
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        uptime_secs: state.started.elapsed().as_secs(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready`
    pub status: &'static str,
    /// `sqlite` or `postgres`
    pub database: &'static str,
    pub schema_version: i64,
}

/// The database answers and its schema is this build's.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses(
        (status = 200, description = "Ready to serve", body = Ready),
        (status = 503, description = "Database unreachable or not migrated", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Ready>> {
    let check = tokio::time::timeout(Duration::from_secs(5), state.store.ready()).await;
    match check {
        Ok(Ok(version)) => Ok(Json(Ready {
            status: "ready",
            database: state.store.backend().as_str(),
            schema_version: version,
        })),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready");
            Err(not_ready(matches!(e, store::StoreError::Schema(_))))
        }
        Err(_) => {
            tracing::warn!("not ready: database check timed out");
            Err(not_ready(false))
        }
    }
}

fn not_ready(schema: bool) -> ApiError {
    if schema {
        ApiError(Error::new(
            ErrorKind::Unavailable,
            "not_ready.schema",
            "数据库结构版本与程序不符，请运行 yiwang migrate",
            "The database schema does not match this program; run `yiwang migrate`",
        ))
    } else {
        ApiError(Error::new(
            ErrorKind::Unavailable,
            "not_ready.database",
            "数据库无法连接",
            "The database cannot be reached",
        ))
    }
}

#[derive(Serialize, ToSchema)]
pub struct Version {
    pub version: &'static str,
    pub database: &'static str,
    pub schema_version: i64,
}

/// The program's version and the schema version it expects.
#[utoipa::path(get, path = "/api/v1/version", tag = "system",
    responses((status = 200, body = Version)))]
pub async fn version(State(state): State<AppState>) -> Json<Version> {
    Json(Version {
        version: env!("CARGO_PKG_VERSION"),
        database: state.store.backend().as_str(),
        schema_version: store::migrations::latest_version(),
    })
}

/// `/metrics` in Prometheus text format (not part of the REST API).
pub fn metrics_route(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move {
                let body = state
                    .metrics
                    .render(state.store.pool_stats(), state.store.backend().as_str());
                (
                    [(
                        header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    body,
                )
                    .into_response()
            }),
        )
        .with_state(state)
}
