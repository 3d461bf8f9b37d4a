//! Supervision (督办) records, pauses and extensions of reports, and the
//! working-day calendar as an admin entered it.
//!
//! A supervision record is unique per report, deadline and kind: issuing
//! one twice (two schedulers, two instances) inserts it once, and the
//! caller learns whether it was the one that did.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Result, StoreError};

/// Statuses whose step has a running clock.
pub const RUNNING: &[&str] = &[
    "received",
    "dispatched",
    "accepted",
    "handling",
    "reported_back",
    "verified",
];

/// A report whose `supervise_at` has come: the sweep looks at it now.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: String,
    /// The version read: the sweep's bookkeeping applies only to it.
    pub version: i64,
    pub status: String,
    pub urgency: String,
    pub township_id: String,
    pub township_path: String,
    pub deadline_at: Option<String>,
    /// When the running step began (the receipt for the first step).
    pub started_at: String,
    pub paused_at: Option<String>,
}

impl Due {
    /// Whether its step clock runs: a running status, a deadline, no pause.
    pub fn running(&self) -> bool {
        self.deadline_at.is_some()
            && self.paused_at.is_none()
            && RUNNING.contains(&self.status.as_str())
    }
}

/// Up to `limit` reports whose `supervise_at` is at or before `now`
/// (migration 0022), the longest-waiting first — by index, however many
/// reports are open.
pub async fn due_for_sweep(conn: &mut AnyConnection, now: &str, limit: i64) -> Result<Vec<Due>> {
    let rows = sqlx::query(
        "SELECT r.id, r.version, r.status, r.urgency, r.township_id, t.path, r.deadline_at,
                COALESCE(r.step_started_at, r.received_at) AS started_at, r.paused_at
         FROM reports r JOIN jurisdictions t ON t.id = r.township_id
         WHERE r.supervise_at IS NOT NULL AND r.supervise_at <= $1
         ORDER BY r.supervise_at
         LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Due {
                id: r.try_get(0)?,
                version: r.try_get(1)?,
                status: r.try_get(2)?,
                urgency: r.try_get(3)?,
                township_id: r.try_get(4)?,
                township_path: r.try_get(5)?,
                deadline_at: r.try_get(6)?,
                started_at: r.try_get(7)?,
                paused_at: r.try_get(8)?,
            })
        })
        .collect()
}

/// When the sweep must next look at this report (None: never again for
/// this deadline) — unless it changed since `version` was read, in which
/// case it stays due (false).
pub async fn set_supervise_at(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    at: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query("UPDATE reports SET supervise_at = $2 WHERE id = $1 AND version = $3")
        .bind(id)
        .bind(at)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Make every report the sweep still follows due now: after a change of
/// the calendar or of the warning share, the times it worked out are stale.
pub async fn recheck_all(conn: &mut AnyConnection) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE reports SET supervise_at = '' WHERE supervise_at IS NOT NULL AND supervise_at <> ''",
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// One supervision record.
#[derive(Debug, Clone, Serialize)]
pub struct Supervision {
    pub id: String,
    pub step: String,
    pub deadline_at: String,
    pub kind: String,
    pub issued_at: String,
    pub issued_by: String,
    pub due_at: Option<String>,
    pub note: String,
}

pub struct NewSupervision<'a> {
    pub report_id: &'a str,
    pub township_id: &'a str,
    pub step: &'a str,
    pub deadline_at: &'a str,
    pub kind: &'a str,
    pub issued_by: &'a str,
    pub due_at: Option<&'a str>,
    pub note: &'a str,
}

/// Record it unless it exists; true when this call inserted it.
pub async fn issue(conn: &mut AnyConnection, s: &NewSupervision<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO report_supervision
            (id, report_id, step, deadline_at, kind, issued_at, issued_by, due_at, note, township_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (report_id, deadline_at, kind) DO NOTHING",
    )
    .bind(new_id())
    .bind(s.report_id)
    .bind(s.step)
    .bind(s.deadline_at)
    .bind(s.kind)
    .bind(now())
    .bind(s.issued_by)
    .bind(s.due_at)
    .bind(s.note)
    .bind(s.township_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The kinds already recorded for this deadline of this report.
pub async fn kinds_for(
    conn: &mut AnyConnection,
    report_id: &str,
    deadline_at: &str,
) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT kind FROM report_supervision WHERE report_id = $1 AND deadline_at = $2",
    )
    .bind(report_id)
    .bind(deadline_at)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

pub async fn for_report(conn: &mut AnyConnection, report_id: &str) -> Result<Vec<Supervision>> {
    let rows = sqlx::query(
        "SELECT id, step, deadline_at, kind, issued_at, issued_by, due_at, note
         FROM report_supervision WHERE report_id = $1 ORDER BY issued_at, id",
    )
    .bind(report_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Supervision {
                id: r.try_get(0)?,
                step: r.try_get(1)?,
                deadline_at: r.try_get(2)?,
                kind: r.try_get(3)?,
                issued_at: r.try_get(4)?,
                issued_by: r.try_get(5)?,
                due_at: r.try_get(6)?,
                note: r.try_get(7)?,
            })
        })
        .collect()
}

/// A pause or extension request.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub id: String,
    pub kind: String,
    pub reason: String,
    pub working_days: Option<i64>,
    pub requested_by: String,
    pub requested_at: String,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

const REQUEST_COLS: &str = "id, kind, reason, working_days, requested_by, requested_at, status,
    decided_by, decided_at, decision_note";

fn request(r: &sqlx::any::AnyRow) -> Result<Request> {
    Ok(Request {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        reason: r.try_get("reason")?,
        working_days: r.try_get("working_days")?,
        requested_by: r.try_get("requested_by")?,
        requested_at: r.try_get("requested_at")?,
        status: r.try_get("status")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
    })
}

pub async fn add_request(
    conn: &mut AnyConnection,
    report_id: &str,
    kind: &str,
    reason: &str,
    working_days: Option<i64>,
    requested_by: &str,
) -> Result<Request> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO report_requests (id, report_id, kind, reason, working_days, requested_by,
            requested_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')",
    )
    .bind(&id)
    .bind(report_id)
    .bind(kind)
    .bind(reason)
    .bind(working_days)
    .bind(requested_by)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    request_by_id(conn, report_id, &id).await
}

pub async fn request_by_id(conn: &mut AnyConnection, report_id: &str, id: &str) -> Result<Request> {
    let sql =
        format!("SELECT {REQUEST_COLS} FROM report_requests WHERE id = $1 AND report_id = $2");
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(report_id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    request(&row)
}

pub async fn requests_for(conn: &mut AnyConnection, report_id: &str) -> Result<Vec<Request>> {
    let sql = format!(
        "SELECT {REQUEST_COLS} FROM report_requests WHERE report_id = $1 ORDER BY requested_at, id"
    );
    let rows = sqlx::query(&sql).bind(report_id).fetch_all(conn).await?;
    rows.iter().map(request).collect()
}

/// Decide a pending request; `Stale` when it was decided meanwhile.
pub async fn decide(
    conn: &mut AnyConnection,
    id: &str,
    approved: bool,
    by: &str,
    note: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE report_requests SET status = $2, decided_by = $3, decided_at = $4, decision_note = $5
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(if approved { "approved" } else { "declined" })
    .bind(by)
    .bind(now())
    .bind(note)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Change a report's clock: pause (Some), resume (None), and/or move the
/// deadline and the step's start — only on the version read.
pub struct Clock<'a> {
    pub version: i64,
    pub paused_at: Option<Option<&'a str>>,
    pub deadline_at: Option<&'a str>,
    pub step_started_at: Option<&'a str>,
}

pub async fn set_clock(conn: &mut AnyConnection, id: &str, c: &Clock<'_>) -> Result<()> {
    let mut sets = vec![
        "updated_at = $2".to_string(),
        "version = version + 1".to_string(),
        // a pause, a resume, a moved deadline: the sweep looks again
        "supervise_at = ''".to_string(),
    ];
    let mut binds: Vec<Option<String>> = vec![Some(now())];
    if let Some(p) = c.paused_at {
        binds.push(p.map(Into::into));
        sets.push(format!("paused_at = ${}", binds.len() + 1));
    }
    if let Some(d) = c.deadline_at {
        binds.push(Some(d.into()));
        sets.push(format!("deadline_at = ${}", binds.len() + 1));
    }
    if let Some(s) = c.step_started_at {
        binds.push(Some(s.into()));
        sets.push(format!("step_started_at = ${}", binds.len() + 1));
    }
    let sql = format!(
        "UPDATE reports SET {} WHERE id = $1 AND version = {}",
        sets.join(", "),
        c.version
    );
    let mut q = sqlx::query(&sql).bind(id);
    for b in &binds {
        q = q.bind(b.clone());
    }
    if q.execute(conn).await?.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// The years an admin entered, as (year, plan JSON).
pub async fn calendar_years(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT year, plan FROM calendar_years ORDER BY year")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn put_calendar_year(
    conn: &mut AnyConnection,
    year: i64,
    plan: &str,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO calendar_years (year, plan, updated_by, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (year) DO UPDATE SET plan = excluded.plan, updated_by = excluded.updated_by,
            updated_at = excluded.updated_at",
    )
    .bind(year)
    .bind(plan)
    .bind(by)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Within a transaction: take the sweep's lock, or learn that another
/// instance holds it (false). PostgreSQL: a transaction-scoped advisory
/// lock, released at commit. SQLite: a single file under one write lock
/// (the caller began with `Store::begin_write`), so always true.
pub async fn try_sweep_lock(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    key: i64,
) -> Result<bool> {
    match backend {
        crate::Backend::Sqlite => Ok(true),
        crate::Backend::Postgres => {
            let row = sqlx::query("SELECT pg_try_advisory_xact_lock($1)")
                .bind(key)
                .fetch_one(conn)
                .await?;
            Ok(row.try_get::<bool, _>(0)?)
        }
    }
}

/// The tracking code of a public complaint, if it has one.
pub async fn tracking_code_of(conn: &mut AnyConnection, report_id: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT code FROM public_tracking WHERE report_id = $1")
        .bind(report_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok(r.try_get(0)?)).transpose()
}

/// Give a complaint its tracking code (once: a second call keeps the first).
pub async fn set_tracking_code(
    conn: &mut AnyConnection,
    report_id: &str,
    code: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO public_tracking (code, report_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (report_id) DO NOTHING",
    )
    .bind(code)
    .bind(report_id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_tracking_code(conn: &mut AnyConnection, code: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT report_id FROM public_tracking WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok(r.try_get(0)?)).transpose()
}
