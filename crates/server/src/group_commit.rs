//! Group commit for report intake: many reports, one transaction, each
//! acknowledged only after that transaction commits.
//!
//! # Why
//!
//! A report is acknowledged (2xx) only once it is committed. Committed one
//! per transaction, every report pays for a commit of its own (on
//! PostgreSQL a WAL flush; on SQLite with `sqlite_full_sync` an fsync), and
//! the reports queue anyway: each appends to the one audit chain, whose head
//! row every appender updates (PostgreSQL holds that row lock until commit),
//! and SQLite has one write lock for the file, which concurrent writers take
//! in turn, sleeping in the busy handler between attempts. Measured with
//! `yiwang bench intake`, that queue — not the work — limited intake to a
//! few hundred reports a second.
//!
//! # How
//!
//! [`intake`](crate::routes::reports::intake) does what does not depend on
//! the reports before it — validation, locating, the words to classify by,
//! who answers for the grid — in the request's own task, concurrently with
//! other requests, and hands the result (a draft) to [`GroupCommit::write`].
//! What does depend on them — a retry's key, duplicates, the suggestions
//! against the list as it is — is read by the writer for the whole batch,
//! inside its transaction.
//! One writer task per process takes every report waiting, up to
//! [`MAX_BATCH`], and writes them in one write transaction (`BEGIN
//! IMMEDIATE` on SQLite): each report with its events, attachments and audit
//! entry, in the order they arrived, exactly as if each had been committed
//! alone — so the audit chain is the same chain, entry after entry. When
//! COMMIT returns, every request of the batch gets its answer; none before.
//! While a batch is being written the next one gathers, with no timer: a
//! lone report is written at once, a busy server writes large batches.
//!
//! # When something fails
//!
//! * A statement fails (a constraint, say): the transaction is rolled back
//!   and the batch is written again one report per transaction, so that only
//!   the report at fault is refused.
//! * COMMIT fails: every report of the batch is answered with the error and
//!   none is retried here — on PostgreSQL a lost connection leaves unknown
//!   whether the commit happened; the client retries, with its
//!   `Idempotency-Key` when it has one.
//! * The request goes away while waiting (the client hung up): its report is
//!   still written; a retry with the same key finds it.
//!
//! # Idempotency
//!
//! A key is unique per reporter in the `reports` table and the insert is
//! `ON CONFLICT DO NOTHING`, so concurrent retries of one key resolve to one
//! report whether they land in one batch, in successive batches or on
//! different instances: the first is created, the others are answered with
//! it.
//!
//! # Several instances
//!
//! On PostgreSQL each instance has its own writer; their transactions queue
//! on the audit head row, one batch at a time instead of one report at a
//! time.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use store::intake::{Connection, NewIntake};
use store::{StoreConfig, StoreError};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::config::Settings;
use crate::error::ApiError;
use crate::routes::reports::intake::{self, Created, Draft, Outcome, Suggestion};
use crate::suggest::Suggester;

/// The most reports written in one transaction.
pub const MAX_BATCH: usize = 256;
/// Reports waiting for the writer before new ones wait to be queued.
const QUEUE: usize = 4096;

type Reply = oneshot::Sender<Result<Outcome, ApiError>>;

struct Job {
    draft: Draft,
    reply: Reply,
}

/// The handle requests write through; cheap to share.
pub struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Start the writer on a thread of its own, with a connection of its
    /// own (opened on the first report): its few statements per batch are
    /// the one serial path of intake, and must not wait behind the request
    /// tasks for a turn on the shared runtime.
    pub fn start(
        config: StoreConfig,
        audit_key: Arc<Vec<u8>>,
        settings: Arc<Settings>,
    ) -> std::io::Result<GroupCommit> {
        let (queue, rx) = mpsc::channel(QUEUE);
        let committed = Arc::new(Notify::new());
        let restart = Arc::new(AtomicBool::new(false));
        // PostgreSQL checkpoints by itself
        let checkpointer = (!config.is_postgres()).then(|| Checkpointer {
            config: config.clone(),
            committed: committed.clone(),
            restart: restart.clone(),
            open: queue.downgrade(),
        });
        let writer = Writer {
            config,
            key: audit_key,
            settings,
            suggest: Suggester::default(),
            committed,
            restart,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("intake-writer".into())
            .spawn(move || runtime.block_on(writer.run(rx)))?;
        if let Some(checkpointer) = checkpointer {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            std::thread::Builder::new()
                .name("intake-checkpoint".into())
                .spawn(move || runtime.block_on(checkpointer.run()))?;
        }
        Ok(GroupCommit { queue })
    }

    /// Write one report with the next batch; answers after the commit.
    pub async fn write(&self, draft: Draft) -> Result<Outcome, ApiError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || {
            ApiError::from(StoreError::Unavailable(
                "the intake writer has stopped".into(),
            ))
        };
        self.queue
            .send(Job { draft, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

struct Writer {
    config: StoreConfig,
    key: Arc<Vec<u8>>,
    settings: Arc<Settings>,
    suggest: Suggester,
    /// Told after every commit.
    committed: Arc<Notify>,
    /// Set by the checkpointer: copy the WAL's rest after the next commit.
    restart: Arc<AtomicBool>,
}

/// SQLite: copies the WAL back into the database on a connection of its
/// own, after the writer commits (at most every [`CHECKPOINT_EVERY`]), so
/// that the copying — a few milliseconds every thousand pages — runs beside
/// the writer instead of inside one of its commits.
///
/// The WAL starts over from its beginning only when a write transaction
/// begins with every frame copied; a busy writer always has its last batch
/// not yet copied. So once the WAL holds [`RESTART_FRAMES`] frames the
/// checkpointer asks the writer (`restart`) to copy that remainder itself
/// after its next commit — a few pages — and the writer's next batch starts
/// the WAL over (unless a reader still needs it; then a later one will).
struct Checkpointer {
    config: StoreConfig,
    committed: Arc<Notify>,
    restart: Arc<AtomicBool>,
    /// Gone when the server stops.
    open: mpsc::WeakSender<Job>,
}

const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);
/// WAL frames (pages) past which the writer is asked to let the WAL start over.
const RESTART_FRAMES: i64 = 4096;

impl Checkpointer {
    async fn run(self) {
        let mut line: Option<Connection> = None;
        loop {
            let woken =
                tokio::time::timeout(std::time::Duration::from_secs(1), self.committed.notified())
                    .await;
            if self.open.upgrade().is_none() {
                break;
            }
            if woken.is_err() {
                continue;
            }
            if line.is_none() {
                match Connection::open(&self.config).await {
                    Ok(l) => line = Some(l),
                    Err(e) => {
                        tracing::warn!(error = %e, "the intake checkpointer cannot connect");
                        tokio::time::sleep(CHECKPOINT_EVERY * 10).await;
                        continue;
                    }
                }
            }
            if let Some(l) = &mut line {
                let started = std::time::Instant::now();
                match l.checkpoint().await {
                    Ok((frames, copied)) => {
                        if frames >= RESTART_FRAMES {
                            self.restart.store(true, Ordering::Relaxed);
                        }
                        tracing::debug!(
                            frames,
                            copied,
                            micros = started.elapsed().as_micros() as u64,
                            "intake checkpoint"
                        )
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "an intake checkpoint failed");
                        if let Some(l) = line.take() {
                            l.close().await;
                        }
                    }
                }
            }
            tokio::time::sleep(CHECKPOINT_EVERY).await;
        }
        if let Some(l) = line {
            l.close().await;
        }
    }
}

/// What a batch decided for one draft before writing.
enum Decided {
    /// To be written, at this place in the batch's rows.
    Write(usize, Box<(store::intake::Town, store::grids::Responsible)>),
    Done(Result<Outcome, ApiError>),
}

impl Writer {
    /// Until every handle is gone: take the waiting reports, write them.
    async fn run(self, mut rx: mpsc::Receiver<Job>) {
        let mut line: Option<Connection> = None;
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
            let batch = std::mem::replace(&mut jobs, Vec::with_capacity(MAX_BATCH));
            if line.is_none() {
                match Connection::open(&self.config).await {
                    Ok(l) => line = Some(l),
                    Err(e) => {
                        for job in batch {
                            let _ = job
                                .reply
                                .send(Err(StoreError::Unavailable(e.to_string()).into()));
                        }
                        continue;
                    }
                }
            }
            if let Some(l) = &mut line {
                let (n, started) = (batch.len(), std::time::Instant::now());
                let healthy = self.commit(l, batch).await;
                self.committed.notify_one();
                if healthy && self.restart.swap(false, Ordering::Relaxed) {
                    // the rest of the WAL, so that the next batch starts it over
                    if let Err(e) = l.checkpoint().await {
                        tracing::warn!(error = %e, "the intake writer's checkpoint failed");
                    }
                }
                tracing::debug!(
                    reports = n,
                    micros = started.elapsed().as_micros() as u64,
                    "intake batch"
                );
                if !healthy {
                    // a fresh connection for the next batch
                    if let Some(l) = line.take() {
                        l.close().await;
                    }
                }
            }
        }
        if let Some(l) = line {
            l.close().await;
        }
    }

    /// Write a batch and answer each report; `false` when a batch failed.
    async fn commit(&self, line: &mut Connection, jobs: Vec<Job>) -> bool {
        let (drafts, replies): (Vec<Draft>, Vec<Reply>) =
            jobs.into_iter().map(|j| (j.draft, j.reply)).unzip();
        let n = drafts.len();
        match self.write_all(line, &drafts).await {
            Ok(outcomes) => {
                for (reply, o) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(o);
                }
                true
            }
            Err(Failed::Statement(e)) if n > 1 => {
                tracing::warn!(error = %e, reports = n, "a batch of reports failed; writing them one by one");
                for (reply, d) in replies.into_iter().zip(&drafts) {
                    let o = match self.write_all(line, std::slice::from_ref(d)).await {
                        Ok(mut o) => o.remove(0),
                        Err(Failed::Statement(e) | Failed::Commit(e)) => Err(e.into()),
                    };
                    let _ = reply.send(o);
                }
                false
            }
            Err(Failed::Statement(e) | Failed::Commit(e)) => {
                tracing::warn!(error = %e, reports = n, "a batch of reports failed");
                let text = e.to_string();
                let mut replies = replies.into_iter();
                if let Some(first) = replies.next() {
                    let _ = first.send(Err(e.into()));
                }
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Unavailable(text.clone()).into()));
                }
                false
            }
        }
    }

    /// Read what the batch needs, decide each report, write them, commit.
    async fn write_all(
        &self,
        line: &mut Connection,
        drafts: &[Draft],
    ) -> Result<Vec<Result<Outcome, ApiError>>, Failed> {
        use Failed::Statement as S;
        let backend = line.backend();
        let t0 = std::time::Instant::now();
        let mut tx = line.begin().await.map_err(S)?;
        let conn: &mut store::Conn = &mut tx;
        let t_begin = t0.elapsed();

        // One read of each kind for the whole batch.
        let keys: Vec<(&str, &str)> = drafts
            .iter()
            .filter_map(|d| d.key.as_deref().map(|k| (d.reporter.as_str(), k)))
            .collect();
        let mut taken = store::intake::existing_keys(conn, &keys).await.map_err(S)?;
        let t_keys = t0.elapsed();
        let codes: Vec<&str> = distinct(drafts.iter().map(|d| d.grid.township_code.as_str()));
        let towns = store::intake::towns(conn, &codes).await.map_err(S)?;
        let named: Vec<&str> = distinct(drafts.iter().filter_map(|d| d.item_code.as_deref()));
        let items = store::intake::item_fields(conn, &named).await.map_err(S)?;
        let town_ids: Vec<&str> = towns.values().map(|t| t.id.as_str()).collect();
        let current = self.suggest.current(conn, &town_ids).await.map_err(S)?;
        let t_list = t0.elapsed();

        // Each report in order: earlier ones of the batch count as
        // already there (a retry, a duplicate).
        let window = chrono::Duration::hours(self.settings.duplicate_window_hours as i64);
        let reach = self.settings.duplicate_distance_m;
        // The stored reports each named item could repeat, for the whole
        // batch in a few statements.
        let asks: Vec<(usize, store::intake::Near<'_>)> = drafts
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let code = d.item_code.as_deref()?;
                Some((
                    i,
                    store::intake::Near {
                        item_code: code,
                        since: store::util::ts(d.now - window),
                        lon: d.wgs84.lon,
                        lat: d.wgs84.lat,
                        max_m: reach,
                    },
                ))
            })
            .collect();
        let near: Vec<store::intake::Near<'_>> = asks.iter().map(|(_, a)| a.clone()).collect();
        let mut nearby: HashMap<usize, Vec<(String, f64, f64, String)>> = asks
            .iter()
            .map(|(i, _)| *i)
            .zip(
                store::intake::recent_with_items_near(conn, &near)
                    .await
                    .map_err(S)?,
            )
            .collect();
        let t_read = t0.elapsed();
        let mut decided = Vec::with_capacity(drafts.len());
        let mut rows: Vec<NewIntake> = Vec::new();
        let mut sightings: Vec<(String, domain::report::triage::Sighting)> = Vec::new();
        for (at, d) in drafts.iter().enumerate() {
            let key = d.key.clone().map(|k| (d.reporter.clone(), k));
            if let Some(id) = key.as_ref().and_then(|k| taken.get(k)) {
                decided.push(Decided::Done(Ok(Outcome::Existing(id.clone()))));
                continue;
            }
            let Some(town) = towns.get(&d.grid.township_code) else {
                decided.push(Decided::Done(Err(StoreError::NotFound.into())));
                continue;
            };
            let item_field = match d.item_code.as_deref() {
                None => None,
                Some(code) => match items.get(code) {
                    Some(field) => Some(field.clone()),
                    None => {
                        decided.push(Decided::Done(Err(intake::unknown_item(code))));
                        continue;
                    }
                },
            };
            let suggestions: Vec<Suggestion> = self
                .suggest
                .suggest(conn, backend, &current, &town.id, &d.tokens, 3)
                .await
                .map_err(S)?
                .into_iter()
                .map(Suggestion::from)
                .collect();
            let now = store::util::ts(d.now);
            let who = store::intake::responsible_at(&d.assignments, &d.grid.id, &now);
            // Duplicates: same item, close in place and time → linked to the first.
            let mut duplicate_of = None;
            let me = d
                .item_code
                .as_ref()
                .map(|code| domain::report::triage::Sighting {
                    lon: d.wgs84.lon,
                    lat: d.wgs84.lat,
                    at: d.now,
                    item_code: Some(code.clone()),
                });
            if let Some(me) = &me {
                let code = me.item_code.as_deref().unwrap_or_default();
                let stored = nearby.remove(&at).unwrap_or_default();
                let earlier = stored.into_iter().map(|(id, lon, lat, at)| {
                    let at = domain::time::from_storage(&at).unwrap_or(d.now);
                    let s = domain::report::triage::Sighting {
                        lon,
                        lat,
                        at,
                        item_code: Some(code.to_string()),
                    };
                    (id, s)
                });
                duplicate_of = earlier
                    .chain(sightings.iter().cloned())
                    .find(|(_, s)| domain::report::triage::is_duplicate(me, s, reach, window))
                    .map(|(id, _)| id);
            }
            let report = intake::finish(d, town, &who, item_field, &suggestions, duplicate_of);
            if let Some(k) = key {
                taken.insert(k, report.id.clone());
            }
            if let Some(me) = me
                && report.status == domain::report::Status::Received.as_str()
            {
                sightings.push((report.id.clone(), me));
            }
            decided.push(Decided::Write(rows.len(), Box::new((town.clone(), who))));
            rows.push(report);
        }

        let t_decide = t0.elapsed();
        let refs: Vec<&NewIntake> = rows.iter().collect();
        let written = store::intake::write(conn, &self.key, &refs)
            .await
            .map_err(S)?;
        let t_write = t0.elapsed();
        tx.commit()
            .await
            .map_err(|e| Failed::Commit(StoreError::from(e)))?;
        tracing::debug!(
            reports = drafts.len(),
            read = t_read.as_micros() as u64,
            begin = t_begin.as_micros() as u64,
            keys = (t_keys - t_begin).as_micros() as u64,
            list = (t_list - t_keys).as_micros() as u64,
            near = (t_read - t_list).as_micros() as u64,
            decide = (t_decide - t_read).as_micros() as u64,
            write = (t_write - t_decide).as_micros() as u64,
            commit = (t0.elapsed() - t_write).as_micros() as u64,
            "intake batch phases (µs)"
        );
        let mut rows: Vec<Option<NewIntake>> = rows.into_iter().map(Some).collect();
        Ok(decided
            .into_iter()
            .map(|d| match d {
                Decided::Done(o) => o,
                Decided::Write(i, held) => match (&written.ids[i], rows[i].take()) {
                    ((_, true), Some(report)) => Ok(Outcome::Created(Box::new(Created {
                        report,
                        town: held.0,
                        who: held.1,
                        received_at: written.received_at.clone(),
                    }))),
                    // another instance took the key first
                    ((id, _), _) => Ok(Outcome::Existing(id.clone())),
                },
            })
            .collect())
    }
}

/// Why a batch was not written.
enum Failed {
    /// Before COMMIT: nothing was written; the reports may be tried alone.
    Statement(StoreError),
    /// At COMMIT: whether it was written is not known.
    Commit(StoreError),
}

/// The distinct values, in first-seen order.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashMap::new();
    values.filter(|v| seen.insert(*v, ()).is_none()).collect()
}
