//! The demo county: Ningling County (宁陵县), Shangqiu, Henan — its real
//! 14 townships and 364 villages and communities (official statistical
//! codes), the county outline from public boundary data, and a
//! deterministic, synthetic but realistic organisation: a brigade of 3–4
//! squads per township, credentialed officers, one grid per village with its
//! grid worker. Township and grid shapes are drawn as Voronoi cells of the
//! seats inside the real county outline.
//!
//! Seeding is deterministic: the same input gives the same rows (apart from
//! generated ids and timestamps).

mod data;
mod names;
mod seed;

pub use seed::{DEMO_DECISION, DEMO_PASSWORD, SeedReport, seed};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds an organisation; the demo needs an empty database")]
    NotEmpty,
    #[error("demo data: {0}")]
    Data(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}
