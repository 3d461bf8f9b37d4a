//! Live updates for the command centre: every committed change of a report
//! is published here and streamed to the queues that may see it
//! (server-sent events).
//!
//! One instance hears its own changes in process. With PostgreSQL several
//! instances share one database, so each also sends its changes with
//! `pg_notify` on the channel [`CHANNEL`] and listens there for the others'
//! (LISTEN/NOTIFY): a dispatcher connected to any instance sees a change
//! made through any other within the second. A notification carries the
//! sending instance's id, so an instance skips its own. If the listening
//! connection drops, it reconnects; what was sent meanwhile is not
//! replayed (the queue's next reload shows it).

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "yiwang_live";

#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// A change as sent between instances: the change, its jurisdiction
/// (which the stream filters on, not shown to clients) and the sender.
#[derive(Serialize, Deserialize)]
struct Wire {
    origin: String,
    township_path: String,
    #[serde(flatten)]
    change: Change,
}

pub struct Live {
    tx: broadcast::Sender<Change>,
    /// This instance's id on the wire.
    origin: String,
    /// To the task that sends notifications (payloads), on PostgreSQL.
    outbox: Option<mpsc::UnboundedSender<String>>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            tx: broadcast::channel(1024).0,
            origin: uuid::Uuid::now_v7().simple().to_string(),
            outbox: None,
        }
    }
}

impl Live {
    /// Live updates shared with the other instances on the PostgreSQL
    /// database at `url`: starts the sender and the listener tasks.
    pub fn with_postgres(url: &str) -> Live {
        let mut live = Live::default();
        let (outbox, rx) = mpsc::unbounded_channel();
        live.outbox = Some(outbox);
        tokio::spawn(store::notify::send_loop(
            url.to_string(),
            CHANNEL.into(),
            rx,
        ));
        let (origin, tx) = (live.origin.clone(), live.tx.clone());
        tokio::spawn(store::notify::listen_loop(
            url.to_string(),
            CHANNEL.into(),
            move |payload| {
                if let Ok(w) = serde_json::from_str::<Wire>(payload)
                    && w.origin != origin
                {
                    let _ = tx.send(Change {
                        township_path: w.township_path,
                        ..w.change
                    });
                }
            },
        ));
        live
    }

    pub fn publish(&self, r: &store::reports::Report) {
        let c = Change::of(r);
        if let Some(outbox) = &self.outbox {
            let wire = Wire {
                origin: self.origin.clone(),
                township_path: c.township_path.clone(),
                change: c.clone(),
            };
            if let Ok(payload) = serde_json::to_string(&wire) {
                let _ = outbox.send(payload);
            }
        }
        // no subscriber is fine
        let _ = self.tx.send(c);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }
}
