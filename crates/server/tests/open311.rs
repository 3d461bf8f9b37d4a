//! Open311 GeoReport v2, on SQLite and PostgreSQL: discovery, services and
//! definitions valid against the fixture schemas in JSON and in the spec's
//! XML shape; requests filed anonymously and by a partner's api_key into the
//! one intake, followed by token and id from open to closed; the spec's
//! error lists and statuses; no personal data in any public answer. The
//! cases are in `open311/`, each file a group, each case on both databases.

#[path = "open311/client.rs"]
mod client;
mod common;
#[path = "open311/kit.rs"]
mod kit;
#[path = "open311/privacy.rs"]
mod privacy;
#[path = "open311/refusals.rs"]
mod refusals;
#[path = "open311/requests.rs"]
mod requests;
#[path = "open311/schema.rs"]
mod schema;
#[path = "open311/services.rs"]
mod services;
