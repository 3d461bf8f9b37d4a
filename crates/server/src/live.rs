//! Live updates for the command centre: every committed change of a report
//! is published here and streamed to the queues that may see it
//! (server-sent events). In-process; each instance streams its own changes
//! and, with PostgreSQL, would add LISTEN/NOTIFY to hear the others'.

use serde::Serialize;
use tokio::sync::broadcast;

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: String,
    pub status: String,
    pub township: String,
    pub grid: String,
    pub urgency: String,
    pub description: String,
    pub updated_at: String,
    #[serde(skip)]
    pub township_path: String,
}

impl Change {
    pub fn of(r: &store::reports::Report) -> Change {
        Change {
            id: r.id.clone(),
            status: r.status.clone(),
            township: r.township.clone(),
            grid: r.grid.clone(),
            urgency: r.urgency.clone(),
            description: r.description.chars().take(80).collect(),
            updated_at: r.updated_at.clone(),
            township_path: r.township_path.clone(),
        }
    }
}

pub struct Live {
    tx: broadcast::Sender<Change>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl Live {
    pub fn publish(&self, r: &store::reports::Report) {
        // no subscriber is fine
        let _ = self.tx.send(Change::of(r));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }
}
