//! The live grid index: every grid's polygon in an in-memory R-tree, with
//! the facts a lookup answers. It is rebuilt off to the side and swapped in
//! whole (readers never see a half-built index) when grids change: at once
//! after an import on this instance, and by a periodic check of the grids'
//! fingerprint for changes made through another instance.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use store::grids::GridRow;
use yiwang_geo::index::{Entry, GridIndex};

/// One generation of the index.
pub struct Loaded {
    pub index: GridIndex,
    /// Index key → grid.
    pub grids: Vec<GridRow>,
    pub fingerprint: String,
}

impl Loaded {
    pub fn empty() -> Loaded {
        Loaded {
            index: GridIndex::build(vec![]),
            grids: vec![],
            fingerprint: String::new(),
        }
    }
}

/// Shared by every handler; cheap to read.
pub struct GridIndexCell {
    current: RwLock<Arc<Loaded>>,
}

impl Default for GridIndexCell {
    fn default() -> Self {
        Self {
            current: RwLock::new(Arc::new(Loaded::empty())),
        }
    }
}

impl GridIndexCell {
    pub fn current(&self) -> Arc<Loaded> {
        self.current
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    fn swap(&self, next: Loaded) {
        let next = Arc::new(next);
        match self.current.write() {
            Ok(mut g) => *g = next,
            Err(p) => *p.into_inner() = next,
        }
    }

    /// Rebuild from the database if the grids changed since the last build.
    pub async fn refresh(&self, store: &store::Store) -> Result<bool, store::StoreError> {
        let mut conn = store.acquire().await?;
        let fp = store::grids::fingerprint(&mut conn).await?;
        if fp == self.current().fingerprint {
            return Ok(false);
        }
        let rows = store::grids::all(&mut conn).await?;
        drop(conn);
        let loaded = tokio::task::spawn_blocking(move || build(rows, fp))
            .await
            .map_err(|e| store::StoreError::Corrupt(format!("grid index build: {e}")))?;
        let n = loaded.grids.len();
        self.swap(loaded);
        tracing::info!(grids = n, "grid index rebuilt");
        Ok(true)
    }

    /// Check for changes every `every` until the process ends.
    pub fn watch(self: Arc<Self>, store: store::Store, every: Duration) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = self.refresh(&store).await {
                    tracing::warn!(error = %e, "grid index refresh failed");
                }
            }
        });
    }
}

fn build(rows: Vec<GridRow>, fingerprint: String) -> Loaded {
    let mut entries = Vec::with_capacity(rows.len());
    let mut grids = Vec::with_capacity(rows.len());
    for row in rows {
        let shape = serde_json::from_str::<serde_json::Value>(&row.geometry)
            .ok()
            .and_then(|v| yiwang_geo::shape::parse_geometry(&v).ok());
        match shape {
            Some(shape) => {
                entries.push(Entry {
                    key: grids.len() as u32,
                    shape,
                });
                grids.push(row);
            }
            None => {
                tracing::error!(grid = %row.code, "stored grid geometry is unreadable; left out of the index")
            }
        }
    }
    Loaded {
        index: GridIndex::build(entries),
        grids,
        fingerprint,
    }
}
