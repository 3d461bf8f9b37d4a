//! What every handler can reach.

use std::sync::Arc;
use std::time::Instant;

use crate::config::Settings;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub started: Instant,
    /// Key of the audit chain.
    pub audit_key: Arc<Vec<u8>>,
    /// Every grid's polygon, for locating points.
    pub grids: Arc<crate::grid_index::GridIndexCell>,
    /// Working days and make-up working weekends, for deadlines.
    pub calendar: Arc<crate::deadlines::CalendarCell>,
    /// Report changes, for the live queue and map.
    pub live: Arc<crate::live::Live>,
    /// Public complaints per address and hour.
    pub public_limiter: Arc<crate::routes::public::Limiter>,
    /// The one writer of new reports: batches them into shared commits.
    pub intake: Arc<crate::group_commit::GroupCommit>,
    /// Sessions resolved in the last moment.
    pub sessions: Arc<crate::session_cache::SessionCache>,
    /// Integration tokens resolved in the last moment.
    pub tokens: Arc<crate::session_cache::TokenCache>,
    /// Tokens whose use this instance recorded in the last minute, by id.
    pub token_touched: Arc<crate::session_cache::TtlCache<()>>,
}
