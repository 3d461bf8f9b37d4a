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
