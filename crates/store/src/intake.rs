//! New reports written many at a time, for intake's group commit
//! (`server::group_commit`): the rows of a whole batch of reports — the
//! reports, their search index entries, events, attachments, the duplicate
//! counts and the audit entries — in a handful of statements, inside the
//! caller's transaction.
//!
//! The result is the same as storing each report alone with
//! [`crate::reports::insert`], [`crate::reports::add_event`] and
//! [`crate::audit::append`], in the batch's order: one report per
//! reporter and idempotency key (`ON CONFLICT DO NOTHING`, so a retry in the
//! same batch or an earlier one resolves to the first), a search entry as
//! [`crate::reports::search::index`] writes it, and one audit entry per
//! created report, chained in order.
//!
//! The expensive part of the search entry (segmenting the text) is done by
//! [`search_terms`] before the batch, in the request's own task, so that the
//! one writer only writes.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, Row};

use crate::audit::{self, Actor, Change};
use crate::batch_sql::{mark, marks, runs, values};
use crate::grids::{Holder, Responsible};
use crate::org::AssignmentKind;
use crate::reports::search;
use crate::util::{new_id, now};
use crate::{Backend, Result, StoreError};

/// Rows per statement at most (see [`runs`]). Small on purpose: binding a
/// statement's parameters costs SQLite time that grows with their number.
const ROWS_PER_STATEMENT: usize = 32;

/// An event on a new report's trail.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub actor: String,
    pub note: String,
}

/// A photo already stored by content, to link to the report.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    pub sha256: String,
    pub size: i64,
    pub mime: String,
}

/// The segmented text of a report's search entry (see [`search_terms`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchTerms {
    words: String,
    grams: String,
}

/// What the search index keeps of a report's text — its description, grid
/// and village names — segmented (as [`crate::reports::search::index`] does).
pub fn search_terms(description: &str, grid_name: &str, village_name: Option<&str>) -> SearchTerms {
    let text = format!(
        "{description}\n{grid_name}\n{}",
        village_name.unwrap_or_default()
    );
    let (words, grams) = search::index_terms(&text);
    SearchTerms { words, grams }
}

/// One report to store, with everything that goes with it.
#[derive(Debug, Clone)]
pub struct NewIntake {
    /// A new id ([`crate::util::new_id`]); a retry keeps its first report's.
    pub id: String,
    pub channel: String,
    /// As stored (trimmed).
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    pub crs_in: String,
    pub lon_in: f64,
    pub lat_in: f64,
    pub township_id: String,
    /// The township's path: the search entry's and the audit entry's jurisdiction.
    pub township_path: String,
    pub grid_id: String,
    pub snapped_m: Option<f64>,
    pub squad_id: Option<String>,
    pub officer_id: Option<String>,
    pub grid_worker_id: Option<String>,
    pub item_code: Option<String>,
    /// The field of that item (城市管理): a tag of the search entry.
    pub item_field: Option<String>,
    /// JSON array of suggestions.
    pub suggestions: String,
    pub urgency: String,
    /// JSON array of emergency categories.
    pub emergency: String,
    pub status: String,
    /// The first report of which this one is a duplicate (counted there).
    pub duplicate_of: Option<String>,
    pub occurred_at: String,
    pub reporter: String,
    pub idempotency_key: Option<String>,
    pub deadline_at: Option<String>,
    /// When the supervision sweep first looks at it (its warning time,
    /// migration 0022); None: never (its clock does not run).
    pub supervise_at: Option<String>,
    /// From [`search_terms`] of the description, grid and village.
    pub search: SearchTerms,
    pub photos: Vec<NewPhoto>,
    /// The trail, in order (the first is `receive`).
    pub events: Vec<NewEvent>,
    /// Who the audit entry names.
    pub actor: Actor,
    /// The state the audit entry records.
    pub after: serde_json::Value,
}

/// A connection of its own for intake's one writer, kept from batch to
/// batch (see `server::group_commit`).
pub struct Connection {
    store: crate::Store,
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
}

impl Connection {
    /// Connect with `config` (its pool size is ignored: one connection).
    pub async fn open(config: &crate::StoreConfig) -> Result<Connection> {
        let config = crate::StoreConfig {
            max_connections: 1,
            ..config.clone()
        };
        let store = crate::Store::connect(&config).await?;
        let mut conn = store.acquire().await?;
        if store.backend() == Backend::Sqlite {
            // A batch reads and writes the same tables again and again: keep
            // their pages in memory (64 MiB instead of SQLite's 2). A
            // statement's journal (the pages it changed, kept to undo it
            // alone) stays in memory too instead of a temporary file. The
            // WAL is copied back into the database by
            // [`Connection::checkpoint`] on another connection, not at the
            // end of a batch that reports are waiting for.
            sqlx::raw_sql(
                "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; \
                 PRAGMA wal_autocheckpoint = 0;",
            )
            .execute(&mut *conn)
            .await?;
        }
        Ok(Connection { store, conn })
    }

    /// SQLite: copy what the WAL holds into the database, as far as readers
    /// allow, without waiting for anyone (`PASSIVE`); answers how many
    /// frames the WAL holds and how many of them are copied. Nothing to do
    /// on PostgreSQL.
    pub async fn checkpoint(&mut self) -> Result<(i64, i64)> {
        if self.store.backend() != Backend::Sqlite {
            return Ok((0, 0));
        }
        let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut *self.conn)
            .await?;
        Ok((row.try_get(1)?, row.try_get(2)?))
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// A write transaction: on SQLite it takes the write lock at once.
    pub async fn begin(&mut self) -> Result<sqlx::Transaction<'_, sqlx::Any>> {
        crate::Store::begin_write_on(&mut self.conn).await
    }

    pub async fn close(self) {
        drop(self.conn);
        self.store.close().await;
    }
}

/// What [`write`] stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// For each report in order: its id, and whether it was created
    /// (`false`: its reporter had sent it before with the same key, and the
    /// id is that report's).
    pub ids: Vec<(String, bool)>,
    /// The instant recorded as the created reports' receipt (and of their events).
    pub received_at: String,
}

/// Store the reports in the order given. Call inside a write transaction;
/// nothing is visible until it commits.
pub async fn write(
    conn: &mut AnyConnection,
    audit_key: &[u8],
    batch: &[&NewIntake],
) -> Result<Written> {
    let b = search::backend_of(conn);
    let at = now();
    let rows: Vec<(&String, &NewIntake)> = batch.iter().map(|r| (&r.id, *r)).collect();

    // The reports: a repeated key is skipped, and resolved to the first below.
    let mut inserted: HashSet<String> = HashSet::new();
    for run in runs(b, &rows, ROWS_PER_STATEMENT) {
        let marks: Vec<String> = (0..run.len())
            .map(|i| {
                let m = |k: usize| mark(b, i * 27 + k);
                format!(
                    "({}, 0, {}, {}, {}, {}, {}, {}, {})",
                    (1..=20).map(m).collect::<Vec<_>>().join(", "),
                    m(21),
                    m(22),
                    m(23),
                    m(24),
                    m(25),
                    m(26),
                    m(27)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO reports (id, channel, description, lon, lat, crs_in, lon_in, lat_in, township_id,
                grid_id, snapped_m, squad_id, officer_id, grid_worker_id, item_code, suggestions, urgency,
                emergency, status, duplicate_of, duplicates, occurred_at, received_at, reporter,
                idempotency_key, deadline_at, updated_at, supervise_at)
             VALUES {}
             ON CONFLICT (reporter, idempotency_key) DO NOTHING RETURNING id",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (id, r) in run {
            q = q
                .bind(*id)
                .bind(&r.channel)
                .bind(&r.description)
                .bind(r.lon)
                .bind(r.lat)
                .bind(&r.crs_in)
                .bind(r.lon_in)
                .bind(r.lat_in)
                .bind(&r.township_id)
                .bind(&r.grid_id);
            q = crate::util::bind_opt_f64(q, r.snapped_m)
                .bind(&r.squad_id)
                .bind(&r.officer_id)
                .bind(&r.grid_worker_id)
                .bind(&r.item_code)
                .bind(&r.suggestions)
                .bind(&r.urgency)
                .bind(&r.emergency)
                .bind(&r.status)
                .bind(&r.duplicate_of)
                .bind(&r.occurred_at)
                .bind(&at)
                .bind(&r.reporter)
                .bind(&r.idempotency_key)
                .bind(&r.deadline_at)
                .bind(&at)
                .bind(&r.supervise_at);
        }
        for row in q.fetch_all(&mut *conn).await? {
            inserted.insert(row.try_get("id")?);
        }
    }
    let mut written = Vec::with_capacity(rows.len());
    for (id, r) in &rows {
        if inserted.contains(*id) {
            written.push(((*id).clone(), true));
            continue;
        }
        let key = r
            .idempotency_key
            .as_deref()
            .ok_or_else(|| StoreError::Corrupt("a report without a key was not inserted".into()))?;
        let first = crate::reports::by_key(conn, &r.reporter, key)
            .await?
            .ok_or(StoreError::NotFound)?;
        written.push((first, false));
    }
    let created: Vec<(&String, &NewIntake)> = rows
        .iter()
        .copied()
        .filter(|(id, _)| inserted.contains(*id))
        .collect();
    let written = Written {
        ids: written,
        received_at: at.clone(),
    };
    if created.is_empty() {
        return Ok(written);
    }

    let mut tally = crate::stats::Tally::default();
    for (_, r) in &created {
        let counted = crate::stats::Counted {
            township_id: &r.township_id,
            grid_id: &r.grid_id,
            channel: &r.channel,
            field: r.item_field.as_deref().unwrap_or(""),
        };
        tally.received(&counted, &r.status, &at)?;
    }
    tally.apply(conn).await?;
    for (id, r) in &created {
        for p in &r.photos {
            crate::reports::attach(conn, id, &p.sha256, p.size, &p.mime).await?;
        }
        if let Some(first) = &r.duplicate_of {
            crate::reports::count_duplicate(conn, first).await?;
        }
    }
    let events: Vec<(&String, &NewEvent)> = created
        .iter()
        .flat_map(|(id, r)| r.events.iter().map(move |e| (*id, e)))
        .collect();
    // Ids grow in the order they are made, so a report's events sort in
    // trail order among events of the same instant.
    let event_ids: Vec<String> = events.iter().map(|_| new_id()).collect();
    let events: Vec<(&String, &String, &NewEvent)> = event_ids
        .iter()
        .zip(events)
        .map(|(eid, (rid, e))| (eid, rid, e))
        .collect();
    for run in runs(b, &events, ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO report_events (id, report_id, action, from_status, to_status, actor, note, at) VALUES {}",
            values(b, run.len(), 8)
        );
        let mut q = sqlx::query(&sql);
        for (eid, rid, e) in run {
            q = q
                .bind(*eid)
                .bind(*rid)
                .bind(&e.action)
                .bind(&e.from_status)
                .bind(&e.to_status)
                .bind(&e.actor)
                .bind(&e.note)
                .bind(&at);
        }
        q.execute(&mut *conn).await?;
    }
    let changes: Vec<(&Actor, Change<'_>)> = created
        .iter()
        .map(|(id, r)| {
            (
                &r.actor,
                Change {
                    action: "report.create",
                    object_type: "report",
                    object_id: id.as_str(),
                    jurisdiction: &r.township_path,
                    before: None,
                    after: Some(&r.after),
                },
            )
        })
        .collect();
    audit::append_all(conn, audit_key, &changes).await?;
    // Last: SQLite's full-text index keeps a transaction's new entries in
    // memory until it commits, but writes them out as a segment of their
    // own before each later statement that may have to be undone alone —
    // several small segments per batch, each to be merged again later.
    index(conn, &created).await?;
    Ok(written)
}

/// The search entries of the created reports, as
/// [`crate::reports::search::index`] writes them one by one.
async fn index(conn: &mut AnyConnection, created: &[(&String, &NewIntake)]) -> Result<()> {
    let b = search::backend_of(conn);
    let tags: Vec<String> = created
        .iter()
        .map(|(_, r)| {
            let mut tags: Vec<String> = r
                .township_path
                .split('/')
                .filter(|c| !c.is_empty())
                .map(search::jurisdiction_tag)
                .collect();
            tags.push(search::channel_tag(&r.channel));
            if let Some(f) = &r.item_field {
                tags.push(search::field_tag(f));
            }
            tags.join(" ")
        })
        .collect();
    let entries: Vec<(&String, &NewIntake, &String)> = created
        .iter()
        .zip(&tags)
        .map(|((id, r), t)| (*id, *r, t))
        .collect();
    match b {
        Backend::Sqlite => {
            for run in runs(b, &entries, ROWS_PER_STATEMENT) {
                let sql = format!(
                    "INSERT INTO report_search (report_id, path) VALUES {} RETURNING id, report_id",
                    values(b, run.len(), 2)
                );
                let mut q = sqlx::query(&sql);
                for (id, r, _) in run {
                    q = q.bind(*id).bind(&r.township_path);
                }
                let rowids: HashMap<String, i64> = q
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|row| Ok((row.try_get("report_id")?, row.try_get("id")?)))
                    .collect::<Result<_>>()?;
                let sql = format!(
                    "INSERT INTO report_fts (rowid, words, grams, tags) VALUES {}",
                    values(b, run.len(), 4)
                );
                let mut q = sqlx::query(&sql);
                for (id, r, tags) in run {
                    let rowid = *rowids
                        .get(*id)
                        .ok_or_else(|| StoreError::Corrupt("search entry not returned".into()))?;
                    q = q
                        .bind(rowid)
                        .bind(&r.search.words)
                        .bind(&r.search.grams)
                        .bind(*tags);
                }
                q.execute(&mut *conn).await?;
            }
        }
        Backend::Postgres => {
            for run in runs(b, &entries, ROWS_PER_STATEMENT) {
                let marks: Vec<String> = (0..run.len())
                    .map(|i| {
                        let m = |k: usize| format!("${}", i * 5 + k);
                        format!(
                            "({}, {}, setweight(to_tsvector('simple', {}), 'A')
                                || setweight(to_tsvector('simple', {}), 'B')
                                || setweight(to_tsvector('simple', {}), 'C'))",
                            m(1),
                            m(2),
                            m(3),
                            m(4),
                            m(5)
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO report_search (report_id, path, tsv) VALUES {}",
                    marks.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for (id, r, tags) in run {
                    q = q
                        .bind(*id)
                        .bind(&r.township_path)
                        .bind(&r.search.words)
                        .bind(&r.search.grams)
                        .bind(*tags);
                }
                q.execute(&mut *conn).await?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Reads for a whole batch: one statement each, whatever the batch's size

/// `(reporter, key)` pairs already used: the id of each one's report.
pub async fn existing_keys(
    conn: &mut AnyConnection,
    keys: &[(&str, &str)],
) -> Result<HashMap<(String, String), String>> {
    let b = search::backend_of(conn);
    let mut out = HashMap::new();
    for run in runs(b, keys, ROWS_PER_STATEMENT) {
        let cond: Vec<String> = (0..run.len())
            .map(|i| {
                format!(
                    "(reporter = {} AND idempotency_key = {})",
                    mark(b, 2 * i + 1),
                    mark(b, 2 * i + 2)
                )
            })
            .collect();
        let sql = format!(
            "SELECT id, reporter, idempotency_key FROM reports WHERE {}",
            cond.join(" OR ")
        );
        let mut q = sqlx::query(&sql);
        for (reporter, key) in run {
            q = q.bind(*reporter).bind(*key);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.insert(
                (row.try_get("reporter")?, row.try_get("idempotency_key")?),
                row.try_get("id")?,
            );
        }
    }
    Ok(out)
}

/// A township as intake needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub id: String,
    pub code: String,
    pub name: String,
    pub path: String,
}

/// Jurisdictions by division code.
pub async fn towns(conn: &mut AnyConnection, codes: &[&str]) -> Result<HashMap<String, Town>> {
    let b = search::backend_of(conn);
    let mut out = HashMap::new();
    for run in runs(b, codes, ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT id, code, name, path FROM jurisdictions WHERE code IN ({})",
            marks(b, 1, run.len())
        );
        let mut q = sqlx::query(&sql);
        for c in run {
            q = q.bind(*c);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let t = Town {
                id: row.try_get("id")?,
                code: row.try_get("code")?,
                name: row.try_get("name")?,
                path: row.try_get("path")?,
            };
            out.insert(t.code.clone(), t);
        }
    }
    Ok(out)
}

/// Items of the list by code: the field of each that exists.
pub async fn item_fields(
    conn: &mut AnyConnection,
    codes: &[&str],
) -> Result<HashMap<String, String>> {
    let b = search::backend_of(conn);
    let mut out = HashMap::new();
    for run in runs(b, codes, ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT code, field FROM power_items WHERE code IN ({})",
            marks(b, 1, run.len())
        );
        let mut q = sqlx::query(&sql);
        for c in run {
            q = q.bind(*c);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.insert(row.try_get("code")?, row.try_get("field")?);
        }
    }
    Ok(out)
}

/// The assignments of some grids that were in force at some time between
/// `from` and `to` (stored instants), for [`responsible_at`].
pub async fn assignments(
    conn: &mut AnyConnection,
    grid_ids: &[&str],
    from: &str,
    to: &str,
) -> Result<Vec<Assignment>> {
    let b = search::backend_of(conn);
    let mut out = Vec::new();
    for run in runs(b, grid_ids, ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT a.grid_id, a.kind, a.valid_from, a.valid_until, u.id AS unit_id,
                    u.code AS unit_code, u.name AS unit_name, s.id AS staff_id, s.name AS staff_name
             FROM assignments a
             LEFT JOIN org_units u ON u.id = a.unit_id
             LEFT JOIN staff s ON s.id = a.staff_id
             WHERE a.valid_from <= {} AND (a.valid_until IS NULL OR a.valid_until > {})
               AND a.grid_id IN ({})
             ORDER BY a.valid_from",
            mark(b, 1),
            mark(b, 2),
            marks(b, 3, run.len() + 2)
        );
        let mut q = sqlx::query(&sql).bind(to).bind(from);
        for g in run {
            q = q.bind(*g);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let kind: String = r.try_get("kind")?;
            let squad = kind == AssignmentKind::SquadDistrict.as_str();
            let id: Option<String> = r.try_get(if squad { "unit_id" } else { "staff_id" })?;
            let name: Option<String> = r.try_get(if squad { "unit_name" } else { "staff_name" })?;
            out.push(Assignment {
                grid_id: r.try_get("grid_id")?,
                kind,
                holder: Holder {
                    id: id.unwrap_or_default(),
                    name: name.unwrap_or_default(),
                    code: if squad { r.try_get("unit_code")? } else { None },
                    since: r.try_get("valid_from")?,
                    until: r.try_get("valid_until")?,
                },
            });
        }
    }
    out.sort_by(|a, b| a.holder.since.cmp(&b.holder.since));
    Ok(out)
}

/// An assignment read by [`assignments`].
#[derive(Debug, Clone)]
pub struct Assignment {
    pub grid_id: String,
    pub kind: String,
    pub holder: Holder,
}

/// Who answered for a grid at `at` (a stored instant), from
/// [`assignments`] read for a span that holds it: what
/// [`crate::grids::responsible_at`] answers.
pub fn responsible_at(assignments: &[Assignment], grid_id: &str, at: &str) -> Responsible {
    let mut out = Responsible::default();
    // in order of valid_from: the latest one in force wins
    for a in assignments.iter().filter(|a| {
        a.grid_id == grid_id
            && a.holder.since.as_str() <= at
            && a.holder.until.as_deref().is_none_or(|u| u > at)
    }) {
        let h = Some(a.holder.clone());
        match a.kind.as_str() {
            "squad_district" => out.squad = h,
            "officer_grid" => out.officer = h,
            "grid_worker_grid" => out.grid_worker = h,
            _ => {}
        }
    }
    out
}

/// What the power list's search answers depend on, for some townships:
/// `(list, township id → state)`, as [`power_list_state`] gives them: the
/// counters that triggers move on every change of the items (`list`) and
/// of a township's devolutions (its state); `"0"` for one never changed.
/// One statement, a point lookup per township.
pub async fn power_list_states(
    conn: &mut AnyConnection,
    township_ids: &[&str],
) -> Result<(String, HashMap<String, String>)> {
    let b = search::backend_of(conn);
    let mut list = "0".to_string();
    let mut states: HashMap<String, String> = township_ids
        .iter()
        .map(|t| (t.to_string(), "0".to_string()))
        .collect();
    let mut scopes: Vec<&str> = vec![""];
    scopes.extend(township_ids.iter().copied());
    for run in runs(b, &scopes, ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT scope, version FROM power_list_changes WHERE scope IN ({})",
            marks(b, 1, run.len())
        );
        let mut q = sqlx::query(&sql);
        for s in run {
            q = q.bind(*s);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let scope: String = row.try_get("scope")?;
            let version = row.try_get::<i64, _>("version")?.to_string();
            if scope.is_empty() {
                list = version;
            } else {
                states.insert(scope, version);
            }
        }
    }
    Ok((list, states))
}

// ---------------------------------------------------------------------------
// Reads intake makes on every report, in forms that are cheap to repeat

/// One question of [`recent_with_items_near`]: reports of `item_code`
/// received since `since` within about `max_m` of a point (WGS84).
#[derive(Debug, Clone)]
pub struct Near<'a> {
    pub item_code: &'a str,
    pub since: String,
    pub lon: f64,
    pub lat: f64,
    pub max_m: f64,
}

/// The box, comfortably larger than the circle, that the lookups narrow to:
/// `(west, east, south, north)`.
fn near_box(lon: f64, lat: f64, max_m: f64) -> (f64, f64, f64, f64) {
    // a degree of latitude is at least 110.5 km; half as much again for safety
    let dlat = max_m.max(0.0) * 1.5 / 110_500.0 + 1e-6;
    let dlon = dlat / lat.to_radians().cos().abs().max(0.01);
    (lon - dlon, lon + dlon, lat - dlat, lat + dlat)
}

/// Recent open reports under an item within about `max_m` of a point
/// (WGS84), for many points at once: what [`crate::reports::recent_with_item`]
/// answers, narrowed to a box comfortably larger than the circle, so that
/// the duplicate check reads the few reports nearby instead of every report
/// of the item. For each question in order, its answer; one statement for
/// every [`ROWS_PER_STATEMENT`] questions (intake's writer asks for a whole
/// batch).
pub async fn recent_with_items_near(
    conn: &mut AnyConnection,
    asks: &[Near<'_>],
) -> Result<Vec<Vec<(String, f64, f64, String)>>> {
    let b = search::backend_of(conn);
    let mut out: Vec<Vec<(String, f64, f64, String)>> = vec![Vec::new(); asks.len()];
    let mut first = 0;
    for run in runs(b, asks, ROWS_PER_STATEMENT) {
        let marks: Vec<String> = (0..run.len())
            .map(|i| {
                let m = |k: usize| mark(b, i * 7 + k);
                format!(
                    "(CAST({} AS BIGINT), {}, {}, CAST({} AS DOUBLE PRECISION), CAST({} AS DOUBLE PRECISION), CAST({} AS DOUBLE PRECISION), CAST({} AS DOUBLE PRECISION))",
                    m(1), m(2), m(3), m(4), m(5), m(6), m(7)
                )
            })
            .collect();
        let sql = format!(
            "WITH q (i, code, since, w, e, s, n) AS (VALUES {})
             SELECT q.i AS i, r.id AS id, r.lon AS lon, r.lat AS lat, r.received_at AS received_at
             FROM q JOIN reports r ON r.item_code = q.code AND r.received_at >= q.since
             WHERE r.duplicate_of IS NULL
               AND r.status NOT IN ('closed', 'evaluated', 'rejected', 'handed_over')
               AND r.lon BETWEEN q.w AND q.e AND r.lat BETWEEN q.s AND q.n
             ORDER BY q.i, r.received_at",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (i, a) in run.iter().enumerate() {
            let (w, e, s, n) = near_box(a.lon, a.lat, a.max_m);
            q = q
                .bind((first + i) as i64)
                .bind(a.item_code)
                .bind(&a.since)
                .bind(w)
                .bind(e)
                .bind(s)
                .bind(n);
        }
        first += run.len();
        for r in q.fetch_all(&mut *conn).await? {
            let i: i64 = r.try_get("i")?;
            let slot = out
                .get_mut(i as usize)
                .ok_or_else(|| StoreError::Corrupt("a duplicate lookup out of range".into()))?;
            slot.push((
                r.try_get("id")?,
                r.try_get("lon")?,
                r.try_get("lat")?,
                r.try_get("received_at")?,
            ));
        }
    }
    Ok(out)
}

/// What the power list's search answers depend on: `(list, township)`.
/// `list` changes whenever an item is added or edited (its search tokens
/// with it); `township` whenever an item is devolved to the township or a
/// devolution revoked.
pub async fn power_list_state(
    conn: &mut AnyConnection,
    township_id: &str,
) -> Result<(String, String)> {
    let (list, mut states) = power_list_states(conn, &[township_id]).await?;
    Ok((list, states.remove(township_id).unwrap_or_default()))
}

/// The ids of the items a township holds (devolved, not revoked).
pub async fn held_items(conn: &mut AnyConnection, township_id: &str) -> Result<HashSet<String>> {
    sqlx::query("SELECT item_id FROM devolutions WHERE township_id = $1 AND revoked_at IS NULL")
        .bind(township_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("item_id")?))
        .collect()
}

/// An item a search term matches, with the term's part of its rank.
#[derive(Debug, Clone, PartialEq)]
pub struct TermScore {
    pub item_id: String,
    pub code: String,
    pub name: String,
    pub score: f64,
}

/// One search term's part in [`crate::powerlist::search`]'s ranking.
#[derive(Debug, Clone, PartialEq)]
pub enum TermPart {
    /// The term holds no word (PostgreSQL): it matches nothing and does not count.
    Nothing,
    /// The items it matches with its part of their rank; `key` tells
    /// terms apart as the database does (PostgreSQL: the lexeme).
    Scores { key: String, items: Vec<TermScore> },
    /// Not a single term (PostgreSQL: several lexemes): only the whole
    /// query ranks it right.
    Compound,
}

/// What one query token contributes to [`crate::powerlist::search`]'s rank.
///
/// That search ranks the items matching any token by a sum over the tokens:
/// SQLite's bm25 adds, phrase by phrase in query order, the phrase's IDF
/// times its saturated frequency in the row; PostgreSQL's `ts_rank` of an OR
/// query adds each distinct lexeme's weight in the row and divides by the
/// number of distinct lexemes. Each part depends only on its token and the
/// list, so it can be kept while the list does not change (see
/// [`power_list_state`]) and summed by [`rank`].
pub async fn term_part(conn: &mut AnyConnection, token: &str) -> Result<TermPart> {
    match search::backend_of(conn) {
        Backend::Sqlite => {
            let phrase = format!("\"{}\"", token.replace('"', ""));
            let items = term_rows(
                conn,
                "SELECT p.id, p.code, p.name, CAST(-bm25(power_search_fts) AS DOUBLE PRECISION) AS score
                 FROM power_search_fts s JOIN power_items p ON p.id = s.item_id
                 WHERE power_search_fts MATCH $1",
                &phrase,
            )
            .await?;
            Ok(TermPart::Scores { key: phrase, items })
        }
        Backend::Postgres => {
            let term = format!("'{}'", token.replace(['\'', '\\'], ""));
            let row = sqlx::query(
                "SELECT numnode(q) AS nodes, CAST(querytree(q) AS TEXT) AS tree
                 FROM to_tsquery('simple', $1) AS q",
            )
            .bind(&term)
            .fetch_one(&mut *conn)
            .await?;
            match row.try_get::<i32, _>("nodes")? {
                0 => return Ok(TermPart::Nothing),
                1 => {}
                _ => return Ok(TermPart::Compound),
            }
            let key: String = row.try_get("tree")?;
            let items = term_rows(
                conn,
                "SELECT p.id, p.code, p.name,
                    CAST(ts_rank(s.tsv, to_tsquery('simple', $1)) AS DOUBLE PRECISION) AS score
                 FROM power_search s JOIN power_items p ON p.id = s.item_id
                 WHERE s.tsv @@ to_tsquery('simple', $1)",
                &term,
            )
            .await?;
            Ok(TermPart::Scores { key, items })
        }
    }
}

async fn term_rows(conn: &mut AnyConnection, sql: &str, term: &str) -> Result<Vec<TermScore>> {
    sqlx::query(sql)
        .bind(term)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(TermScore {
                item_id: r.try_get("id")?,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                score: r.try_get("score")?,
            })
        })
        .collect()
}

/// The best `limit` items the township holds for a query, from its tokens'
/// parts (in query order), ranked as [`crate::powerlist::search`] with the
/// township filter ranks them: score descending, then code. `None` when a
/// part is [`TermPart::Compound`]: ask the database then.
///
/// Each part comes with the slot of each of its items (a number the caller
/// gives every item it has seen); `held[slot]` says whether the township
/// holds it (a slot past the end: not held).
pub fn rank(
    backend: Backend,
    parts: &[(&TermPart, &[u32])],
    held: &[bool],
    limit: usize,
) -> Option<Vec<TermScore>> {
    if parts.iter().any(|(p, _)| matches!(p, TermPart::Compound)) {
        return None;
    }
    let mut scored: Vec<(&String, &Vec<TermScore>, &[u32])> = parts
        .iter()
        .filter_map(|(p, slots)| match p {
            TermPart::Scores { key, items } => Some((key, items, *slots)),
            _ => None,
        })
        .collect();
    if backend == Backend::Postgres {
        // ts_rank counts each lexeme once, in lexeme order
        scored.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        scored.dedup_by(|a, b| a.0 == b.0);
    }
    // per held slot: the sum so far and the item's row
    let mut totals: Vec<f64> = vec![0.0; held.len()];
    let mut rows: Vec<Option<&TermScore>> = vec![None; held.len()];
    let mut touched: Vec<usize> = Vec::new();
    for (_, items, slots) in &scored {
        for (t, &slot) in items.iter().zip(slots.iter()) {
            let slot = slot as usize;
            if !held.get(slot).copied().unwrap_or(false) {
                continue;
            }
            if rows[slot].is_none() {
                rows[slot] = Some(t);
                touched.push(slot);
            }
            let total = &mut totals[slot];
            *total = match backend {
                Backend::Sqlite => *total + t.score,
                // ts_rank adds up in a float4
                Backend::Postgres => f64::from((*total + t.score) as f32),
            };
        }
    }
    let n = scored.len().max(1) as f32;
    let score = |slot: usize| match backend {
        Backend::Sqlite => totals[slot],
        Backend::Postgres => f64::from(totals[slot] as f32 / n),
    };
    let mut best: Vec<(f64, &TermScore)> = touched
        .into_iter()
        .filter_map(|slot| Some((score(slot), rows[slot]?)))
        .collect();
    best.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
    best.truncate(limit);
    Some(
        best.into_iter()
            .map(|(score, t)| TermScore { score, ..t.clone() })
            .collect(),
    )
}
