//! The dashboard's counters (migration 0021): per township and day, by
//! channel and by field, reports received and closed; per grid and month,
//! reports received; per township, field and status, reports in that state
//! now. They change in the same transaction as the reports they count
//! ([`Tally`], called by intake and by every step), so they are never out
//! of step with the reports; [`rebuild`] recounts them from the reports and
//! [`verify`] says whether they agree.
//!
//! Days and months are China time (UTC+8), as the county counts them.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Executor, Row};

use crate::{Result, StoreError};

pub mod overview;

/// Statuses a report can no longer leave by the closed loop.
pub const FINISHED: [&str; 5] = ["closed", "evaluated", "handed_over", "merged", "rejected"];

/// The China day (`YYYY-MM-DD`) of a stored instant.
pub fn day_of(at: &str) -> Result<String> {
    let t = domain::time::from_storage(at)
        .ok_or_else(|| StoreError::Corrupt(format!("not an instant: {at}")))?;
    Ok(domain::time::china_date(t).format("%Y-%m-%d").to_string())
}

/// Changes to the counters, gathered in memory and written with one
/// statement per table ([`Tally::apply`]).
#[derive(Debug, Default)]
pub struct Tally {
    channel_day: BTreeMap<(String, String, String), (i64, i64)>,
    field_day: BTreeMap<(String, String, String), (i64, i64)>,
    grid_month: BTreeMap<(String, String), (String, i64)>,
    status: BTreeMap<(String, String, String), i64>,
}

/// What a report is counted under.
pub struct Counted<'a> {
    pub township_id: &'a str,
    pub grid_id: &'a str,
    pub channel: &'a str,
    /// The field of its item; '' when it has none.
    pub field: &'a str,
}

impl Tally {
    /// A report received at `at` (stored instant) in `status`.
    pub fn received(&mut self, r: &Counted<'_>, status: &str, at: &str) -> Result<()> {
        let day = day_of(at)?;
        let month = day[..7].to_string();
        self.channel_day
            .entry((r.township_id.into(), day.clone(), r.channel.into()))
            .or_default()
            .0 += 1;
        self.field_day
            .entry((r.township_id.into(), day, r.field.into()))
            .or_default()
            .0 += 1;
        self.grid_month
            .entry((r.grid_id.into(), month))
            .or_insert_with(|| (r.township_id.into(), 0))
            .1 += 1;
        self.moved(r, None, status);
        Ok(())
    }

    /// A report closed for the first time at `at`.
    pub fn closed(&mut self, r: &Counted<'_>, at: &str) -> Result<()> {
        let day = day_of(at)?;
        self.channel_day
            .entry((r.township_id.into(), day.clone(), r.channel.into()))
            .or_default()
            .1 += 1;
        self.field_day
            .entry((r.township_id.into(), day, r.field.into()))
            .or_default()
            .1 += 1;
        Ok(())
    }

    /// A report went from one status (none: it is new) to another.
    pub fn moved(&mut self, r: &Counted<'_>, from: Option<&str>, to: &str) {
        if from == Some(to) {
            return;
        }
        let key = |s: &str| {
            (
                r.township_id.to_string(),
                r.field.to_string(),
                s.to_string(),
            )
        };
        if let Some(from) = from {
            *self.status.entry(key(from)).or_default() -= 1;
        }
        *self.status.entry(key(to)).or_default() += 1;
    }

    /// Add the changes to the counters (inside the caller's transaction).
    pub async fn apply(self, conn: &mut AnyConnection) -> Result<()> {
        let day_rows = |m: BTreeMap<(String, String, String), (i64, i64)>| {
            m.into_iter()
                .map(|((a, b, c), (r, k))| (vec![a, b, c], vec![r, k]))
                .collect::<Vec<_>>()
        };
        upsert(
            conn,
            "stats_channel_day",
            &["township_id", "day", "channel"],
            &["received", "closed"],
            day_rows(self.channel_day),
        )
        .await?;
        upsert(
            conn,
            "stats_field_day",
            &["township_id", "day", "field"],
            &["received", "closed"],
            day_rows(self.field_day),
        )
        .await?;
        upsert(
            conn,
            "stats_grid_month",
            &["grid_id", "month", "township_id"],
            &["received"],
            self.grid_month
                .into_iter()
                .map(|((g, m), (t, n))| (vec![g, m, t], vec![n]))
                .collect(),
        )
        .await?;
        upsert(
            conn,
            "stats_status",
            &["township_id", "field", "status"],
            &["n"],
            self.status
                .into_iter()
                .filter(|(_, n)| *n != 0)
                .map(|((a, b, c), n)| (vec![a, b, c], vec![n]))
                .collect(),
        )
        .await
    }
}

/// Rows per statement at most: well under either database's limit of
/// parameters (on SQLite in runs of powers of two below it: see
/// [`crate::batch_sql::runs`]).
const ROWS: usize = 200;

/// Add `counts` to the rows of `keys` (the primary key, and for the grid
/// table the township after it), creating those missing.
async fn upsert(
    conn: &mut AnyConnection,
    table: &str,
    keys: &[&str],
    counts: &[&str],
    rows: Vec<(Vec<String>, Vec<i64>)>,
) -> Result<()> {
    let conflict = if table == "stats_grid_month" {
        &keys[..2]
    } else {
        keys
    };
    let width = keys.len() + counts.len();
    let b = crate::reports::search::backend_of(conn);
    for run in crate::batch_sql::runs(b, &rows, ROWS) {
        let sets: Vec<String> = counts
            .iter()
            .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}, {}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
            keys.join(", "),
            counts.join(", "),
            crate::batch_sql::values(b, run.len(), width),
            conflict.join(", "),
            sets.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (k, n) in run {
            for v in k {
                q = q.bind(v.clone());
            }
            for v in n {
                q = q.bind(*v);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

const TABLES: [&str; 4] = [
    "stats_channel_day",
    "stats_field_day",
    "stats_grid_month",
    "stats_status",
];

/// Recount every counter (and each report's `closed_at`) from the reports.
/// Call inside a transaction.
pub async fn rebuild(conn: &mut AnyConnection) -> Result<()> {
    for t in TABLES {
        conn.execute(sqlx::raw_sql(&format!("DELETE FROM {t}")))
            .await?;
    }
    let fill = if conn.backend_name().eq_ignore_ascii_case("postgres")
        || conn.backend_name().eq_ignore_ascii_case("postgresql")
    {
        include_str!("../migrations/0021_dashboard.postgres.sql")
    } else {
        include_str!("../migrations/0021_dashboard.sqlite.sql")
    };
    conn.execute(sqlx::raw_sql(fill)).await?;
    Ok(())
}

/// Every counter row, as text, in order: what [`verify`] compares.
async fn snapshot(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (t, cols) in [
        (TABLES[0], "township_id, day, channel, received, closed"),
        (TABLES[1], "township_id, day, field, received, closed"),
        (TABLES[2], "township_id, grid_id, month, received"),
        (TABLES[3], "township_id, field, status, n"),
    ] {
        let sql = format!("SELECT {cols} FROM {t} ORDER BY {cols}");
        for row in sqlx::query(&sql).fetch_all(&mut *conn).await? {
            let n = cols.split(", ").count();
            let mut line = t.to_string();
            for i in 0..n {
                let v = match row.try_get::<String, _>(i) {
                    Ok(s) => s,
                    Err(_) => row.try_get::<i64, _>(i)?.to_string(),
                };
                line.push('|');
                line.push_str(&v);
            }
            // a row counted down to nothing is the same as no row
            if !(line.ends_with("|0|0") || (t == TABLES[3] && line.ends_with("|0"))) {
                out.push(line);
            }
        }
    }
    Ok(out)
}

/// What [`verify`] found: the counter rows that differ from a recount
/// (`-` as stored, `+` as recounted), none when they agree.
pub async fn verify(conn: &mut AnyConnection) -> Result<Vec<String>> {
    // it reads, writes (the recount) and rolls back: the write lock first
    let mut tx = crate::Store::begin_write_on(conn).await?;
    let kept = snapshot(&mut tx).await?;
    rebuild(&mut tx).await?;
    let counted = snapshot(&mut tx).await?;
    tx.rollback().await?;
    let kept_set: std::collections::BTreeSet<&String> = kept.iter().collect();
    let counted_set: std::collections::BTreeSet<&String> = counted.iter().collect();
    let mut diff: Vec<String> = kept_set
        .difference(&counted_set)
        .map(|l| format!("- {l}"))
        .collect();
    diff.extend(counted_set.difference(&kept_set).map(|l| format!("+ {l}")));
    Ok(diff)
}
