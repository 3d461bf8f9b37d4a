//! Small helpers shared by the repositories.

use chrono::{DateTime, Utc};

/// A new sortable, opaque identifier (UUIDv7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now, in the stored form.
pub fn now() -> String {
    domain::time::to_storage(Utc::now())
}

pub fn ts(t: DateTime<Utc>) -> String {
    domain::time::to_storage(t)
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Bind a nullable double portably. sqlx 0.8's `Any` driver sends a NULL
/// `Option<f64>` to PostgreSQL as `float4` (its Real/Double mapping is
/// swapped), and a statement cached with that type then rejects a real
/// value. A NULL `Option<f32>` goes out as `float8`, so that is what we send
/// for `None`; values are always sent as `f64`.
pub fn bind_opt_f64(q: AnyQuery<'_>, v: Option<f64>) -> AnyQuery<'_> {
    match v {
        Some(x) => q.bind(x),
        None => q.bind(None::<f32>),
    }
}
