//! The HTTP server: REST under `/api/v1`, the web UI, health and metrics.
//! Handlers only translate between HTTP and the domain and store.

pub mod auth;
pub mod config;
pub mod deadlines;
pub mod error;
pub mod extract;
pub mod grid_import;
pub mod grid_index;
pub mod group_commit;
pub mod lang;
pub mod live;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod session_cache;
pub mod startup;
pub mod state;
pub mod suggest;
pub mod supervisor;
pub mod web;

pub use config::Settings;
pub use startup::Application;
