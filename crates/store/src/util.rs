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

/// `items` in runs whose lengths are powers of two, at most `max` (itself a
/// power of two), largest first: the pieces of a many-row statement. Only a
/// few statement shapes ever occur (1, 2, 4 … `max` rows), so they stay in
/// the connection's cache of prepared statements.
pub fn power_of_two_runs<T>(items: &[T], max: usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let mut n = max.max(1);
        while n > rest.len() {
            n /= 2;
        }
        let (run, tail) = rest.split_at(n);
        out.push(run);
        rest = tail;
    }
    out
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
