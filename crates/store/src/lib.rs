//! Persistence for yiwang.
//!
//! SQLite is the embedded default (one file in the data folder, WAL, foreign
//! keys on); PostgreSQL is selected by a `postgres://` URL. Both are reached
//! through one code path (sqlx's `Any` driver) with portable SQL, so one test
//! suite proves both. Repositories are modules of plain async functions
//! taking a connection, so the same call works on the pool or inside a
//! transaction.

pub mod assessment;
pub mod audit;
pub mod batch_sql;
pub mod cameras;
pub mod cases;
pub mod cooperation;
pub mod disclosure;
pub mod documents;
pub mod duty;
pub mod error;
pub mod grids;
pub mod identity;
pub mod intake;
pub mod migrations;
pub mod notify;
pub mod open311;
pub mod org;
mod pool;
pub mod powerlist;
pub mod reports;
pub mod scoped;
pub mod stats;
pub mod supervision;
pub mod testing;
pub mod transfers;
pub mod util;

pub use error::StoreError;
pub use pool::{Backend, Store, StoreConfig, redact_url};
pub use sqlx::AnyConnection as Conn;
/// A transaction on either database.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
