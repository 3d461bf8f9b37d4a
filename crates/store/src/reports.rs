//! Reports of the one net: intake with idempotency, the closed loop's
//! events, attachments by SHA-256, and scoped reads.

use domain::access::Scope;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Result, StoreError};

pub mod search;

pub struct NewReport<'a> {
    pub channel: &'a str,
    pub description: &'a str,
    pub lon: f64,
    pub lat: f64,
    pub crs_in: &'a str,
    pub lon_in: f64,
    pub lat_in: f64,
    pub township_id: &'a str,
    pub grid_id: &'a str,
    pub snapped_m: Option<f64>,
    pub squad_id: Option<&'a str>,
    pub officer_id: Option<&'a str>,
    pub grid_worker_id: Option<&'a str>,
    pub item_code: Option<&'a str>,
    /// JSON array of suggestions.
    pub suggestions: &'a str,
    pub urgency: &'a str,
    /// JSON array of emergency categories.
    pub emergency: &'a str,
    pub status: &'a str,
    pub duplicate_of: Option<&'a str>,
    pub occurred_at: &'a str,
    pub reporter: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub deadline_at: Option<&'a str>,
}

/// Store a report. With an idempotency key already used by this reporter,
/// nothing is written and the earlier report's id comes back with `false`.
pub async fn insert(conn: &mut AnyConnection, r: &NewReport<'_>) -> Result<(String, bool)> {
    let id = new_id();
    let t = now();
    let q = sqlx::query(
        "INSERT INTO reports (id, channel, description, lon, lat, crs_in, lon_in, lat_in, township_id,
            grid_id, snapped_m, squad_id, officer_id, grid_worker_id, item_code, suggestions, urgency,
            emergency, status, duplicate_of, duplicates, occurred_at, received_at, reporter,
            idempotency_key, deadline_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
            $20, 0, $21, $22, $23, $24, $25, $22)
         ON CONFLICT (reporter, idempotency_key) DO NOTHING",
    )
    .bind(&id)
    .bind(r.channel)
    .bind(r.description)
    .bind(r.lon)
    .bind(r.lat)
    .bind(r.crs_in)
    .bind(r.lon_in)
    .bind(r.lat_in)
    .bind(r.township_id)
    .bind(r.grid_id);
    let q = crate::util::bind_opt_f64(q, r.snapped_m);
    let done = q
        .bind(r.squad_id)
        .bind(r.officer_id)
        .bind(r.grid_worker_id)
        .bind(r.item_code)
        .bind(r.suggestions)
        .bind(r.urgency)
        .bind(r.emergency)
        .bind(r.status)
        .bind(r.duplicate_of)
        .bind(r.occurred_at)
        .bind(&t)
        .bind(r.reporter)
        .bind(r.idempotency_key)
        .bind(r.deadline_at)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 {
        search::index(conn, &id).await?;
        let field = field_of(conn, r.item_code).await?;
        let mut tally = crate::stats::Tally::default();
        let counted = crate::stats::Counted {
            township_id: r.township_id,
            grid_id: r.grid_id,
            channel: r.channel,
            field: &field,
        };
        tally.received(&counted, r.status, &t)?;
        tally.apply(conn).await?;
        return Ok((id, true));
    }
    let key = r.idempotency_key.ok_or(StoreError::NotFound)?;
    let row = sqlx::query("SELECT id FROM reports WHERE reporter = $1 AND idempotency_key = $2")
        .bind(r.reporter)
        .bind(key)
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("id")?, false))
}

/// The field of an item ('' for none or an unknown code): what the
/// dashboard counts a report under.
async fn field_of(conn: &mut AnyConnection, item_code: Option<&str>) -> Result<String> {
    let Some(code) = item_code else {
        return Ok(String::new());
    };
    let row = sqlx::query("SELECT field FROM power_items WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("field")?,
        None => String::new(),
    })
}

/// The report an idempotency key of this reporter created, if any.
pub async fn by_key(conn: &mut AnyConnection, reporter: &str, key: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT id FROM reports WHERE reporter = $1 AND idempotency_key = $2")
        .bind(reporter)
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// Count one more duplicate on the first report.
pub async fn count_duplicate(conn: &mut AnyConnection, first: &str) -> Result<()> {
    sqlx::query("UPDATE reports SET duplicates = duplicates + 1, updated_at = $2 WHERE id = $1")
        .bind(first)
        .bind(now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Recent open reports under an item (candidates for a duplicate): id, lon, lat, received_at.
pub async fn recent_with_item(
    conn: &mut AnyConnection,
    item_code: &str,
    since: &str,
) -> Result<Vec<(String, f64, f64, String)>> {
    let rows = sqlx::query(
        "SELECT id, lon, lat, received_at FROM reports
         WHERE item_code = $1 AND received_at >= $2 AND duplicate_of IS NULL
           AND status NOT IN ('closed', 'evaluated', 'rejected', 'handed_over')
         ORDER BY received_at",
    )
    .bind(item_code)
    .bind(since)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("lon")?,
                r.try_get("lat")?,
                r.try_get("received_at")?,
            ))
        })
        .collect()
}

pub async fn add_event(
    conn: &mut AnyConnection,
    report_id: &str,
    action: &str,
    from: &str,
    to: &str,
    actor: &str,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO report_events (id, report_id, action, from_status, to_status, actor, note, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(report_id)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(actor)
    .bind(note)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Record an attachment's bytes once (by SHA-256) and link it to the report.
pub async fn attach(
    conn: &mut AnyConnection,
    report_id: &str,
    sha256: &str,
    size: i64,
    mime: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO attachments (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(size)
    .bind(mime)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO report_attachments (report_id, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(report_id)
    .bind(sha256)
    .execute(conn)
    .await?;
    Ok(())
}

/// Change a report's state after a step of the closed loop.
pub struct Update<'a> {
    /// The version the step was decided on (optimistic concurrency).
    pub version: i64,
    pub status: &'a str,
    pub dispatched_squad: Option<Option<&'a str>>,
    pub dispatched_to: Option<Option<&'a str>>,
    pub handler: Option<Option<&'a str>>,
    pub deadline_at: Option<Option<&'a str>>,
    /// When the step now running began.
    pub step_started_at: Option<&'a str>,
}

/// Apply a step to the version it was decided on. `Conflict` when another
/// step got there first: nothing is changed and the caller decides again.
pub async fn update(conn: &mut AnyConnection, id: &str, u: &Update<'_>) -> Result<()> {
    // what the dashboard counts it under, as it was
    let was = sqlx::query(
        "SELECT r.status, r.township_id, r.grid_id, r.channel, r.closed_at, r.version,
                COALESCE(p.field, '') AS field
         FROM reports r LEFT JOIN power_items p ON p.code = r.item_code WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    if was.try_get::<i64, _>("version")? != u.version {
        return Err(StoreError::Stale);
    }
    let at = now();
    let first_close =
        u.status == "closed" && was.try_get::<Option<String>, _>("closed_at")?.is_none();
    let mut sets = vec![
        "status = $2".to_string(),
        "updated_at = $3".to_string(),
        "version = version + 1".to_string(),
        // a new step or deadline: the supervision sweep looks again
        "supervise_at = ''".to_string(),
    ];
    if first_close {
        sets.push("closed_at = $3".to_string());
    }
    let mut binds: Vec<Option<String>> = vec![Some(u.status.into()), Some(at.clone())];
    for (col, v) in [
        ("dispatched_squad", u.dispatched_squad),
        ("dispatched_to", u.dispatched_to),
        ("handler", u.handler),
        ("deadline_at", u.deadline_at),
        ("step_started_at", u.step_started_at.map(Some)),
    ] {
        if let Some(v) = v {
            binds.push(v.map(Into::into));
            sets.push(format!("{col} = ${}", binds.len() + 1));
        }
    }
    let sql = format!(
        "UPDATE reports SET {} WHERE id = $1 AND version = {}",
        sets.join(", "),
        u.version
    );
    let mut q = sqlx::query(&sql).bind(id);
    for b in &binds {
        q = q.bind(b.clone());
    }
    if q.execute(&mut *conn).await?.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    let (township_id, grid_id, channel, field): (String, String, String, String) = (
        was.try_get("township_id")?,
        was.try_get("grid_id")?,
        was.try_get("channel")?,
        was.try_get("field")?,
    );
    let counted = crate::stats::Counted {
        township_id: &township_id,
        grid_id: &grid_id,
        channel: &channel,
        field: &field,
    };
    let from: String = was.try_get("status")?;
    let mut tally = crate::stats::Tally::default();
    tally.moved(&counted, Some(&from), u.status);
    if first_close {
        tally.closed(&counted, &at)?;
    }
    tally.apply(conn).await
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub actor: String,
    pub note: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub sha256: String,
    pub size: i64,
    pub mime: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub id: String,
    pub channel: String,
    pub description: String,
    pub status: String,
    pub lon: f64,
    pub lat: f64,
    pub township: String,
    pub township_name: String,
    pub grid: String,
    pub grid_name: String,
    pub village: Option<String>,
    pub snapped_m: Option<f64>,
    pub squad: Option<String>,
    pub officer: Option<String>,
    pub officer_id: Option<String>,
    pub grid_worker: Option<String>,
    pub item_code: Option<String>,
    pub suggestions: serde_json::Value,
    pub urgency: String,
    pub emergency: serde_json::Value,
    pub duplicate_of: Option<String>,
    pub duplicates: i64,
    pub occurred_at: String,
    pub received_at: String,
    pub reporter: String,
    pub dispatched_squad: Option<String>,
    pub dispatched_to: Option<String>,
    pub handler: Option<String>,
    pub deadline_at: Option<String>,
    pub updated_at: String,
    pub version: i64,
    /// When the running step began (none: at receipt).
    pub step_started_at: Option<String>,
    /// Paused (挂起) since, by an approved request.
    pub paused_at: Option<String>,
    #[serde(skip)]
    pub township_path: String,
    pub events: Vec<Event>,
    pub attachments: Vec<Attachment>,
    /// Warnings, overdue flags, notices (督办) and reports to the leader.
    pub supervision: Vec<crate::supervision::Supervision>,
    /// Pauses and extensions asked for, and their decisions.
    pub requests: Vec<crate::supervision::Request>,
}

const COLS: &str = "r.id, r.channel, r.description, r.status, r.lon, r.lat, t.code AS township,
    t.name AS township_name, t.path AS township_path, g.code AS grid, g.name AS grid_name,
    v.code AS village, r.snapped_m, u.name AS squad, o.name AS officer, r.officer_id,
    w.name AS grid_worker, r.item_code, r.suggestions, r.urgency, r.emergency, r.duplicate_of,
    r.duplicates, r.occurred_at, r.received_at, r.reporter, r.dispatched_squad, r.dispatched_to,
    r.handler, r.deadline_at, r.updated_at, r.version,
    r.step_started_at, r.paused_at";
/// What a count of [`list`] needs: its conditions name only the report
/// and its township (every report has its grid), not the joined names.
const COUNT_FROM: &str = "FROM reports r JOIN jurisdictions t ON t.id = r.township_id";

const FROM: &str = "FROM reports r JOIN jurisdictions t ON t.id = r.township_id
    JOIN grids g ON g.id = r.grid_id LEFT JOIN jurisdictions v ON v.id = g.village_id
    LEFT JOIN org_units u ON u.id = r.squad_id LEFT JOIN staff o ON o.id = r.officer_id
    LEFT JOIN staff w ON w.id = r.grid_worker_id";

fn json_col(row: &AnyRow, col: &str) -> Result<serde_json::Value> {
    let s: String = row.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("report {col}: {e}")))
}

fn report(row: &AnyRow) -> Result<Report> {
    Ok(Report {
        id: row.try_get("id")?,
        channel: row.try_get("channel")?,
        description: row.try_get("description")?,
        status: row.try_get("status")?,
        lon: row.try_get("lon")?,
        lat: row.try_get("lat")?,
        township: row.try_get("township")?,
        township_name: row.try_get("township_name")?,
        township_path: row.try_get("township_path")?,
        grid: row.try_get("grid")?,
        grid_name: row.try_get("grid_name")?,
        village: row.try_get("village")?,
        snapped_m: row.try_get("snapped_m")?,
        squad: row.try_get("squad")?,
        officer: row.try_get("officer")?,
        officer_id: row.try_get("officer_id")?,
        grid_worker: row.try_get("grid_worker")?,
        item_code: row.try_get("item_code")?,
        suggestions: json_col(row, "suggestions")?,
        urgency: row.try_get("urgency")?,
        emergency: json_col(row, "emergency")?,
        duplicate_of: row.try_get("duplicate_of")?,
        duplicates: row.try_get("duplicates")?,
        occurred_at: row.try_get("occurred_at")?,
        received_at: row.try_get("received_at")?,
        reporter: row.try_get("reporter")?,
        dispatched_squad: row.try_get("dispatched_squad")?,
        dispatched_to: row.try_get("dispatched_to")?,
        handler: row.try_get("handler")?,
        deadline_at: row.try_get("deadline_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
        step_started_at: row.try_get("step_started_at")?,
        paused_at: row.try_get("paused_at")?,
        events: vec![],
        attachments: vec![],
        supervision: vec![],
        requests: vec![],
    })
}

/// One report with its events and attachments (no scope: for the reporter
/// reading back what they sent, and for system tasks).
pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Report> {
    let sql = format!("SELECT {COLS} {FROM} WHERE r.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let mut r = report(&row.ok_or(StoreError::NotFound)?)?;
    r.supervision = crate::supervision::for_report(&mut *conn, id).await?;
    r.requests = crate::supervision::requests_for(&mut *conn, id).await?;
    let rows = sqlx::query(
        "SELECT action, from_status, to_status, actor, note, at FROM report_events
         WHERE report_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    r.events = rows
        .iter()
        .map(|e| {
            Ok(Event {
                action: e.try_get("action")?,
                from_status: e.try_get("from_status")?,
                to_status: e.try_get("to_status")?,
                actor: e.try_get("actor")?,
                note: e.try_get("note")?,
                at: e.try_get("at")?,
            })
        })
        .collect::<Result<_>>()?;
    let rows = sqlx::query(
        "SELECT a.sha256, a.size, a.mime FROM report_attachments ra
         JOIN attachments a ON a.sha256 = ra.sha256 WHERE ra.report_id = $1 ORDER BY a.sha256",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    r.attachments = rows
        .iter()
        .map(|a| {
            Ok(Attachment {
                sha256: a.try_get("sha256")?,
                size: a.try_get("size")?,
                mime: a.try_get("mime")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(r)
}

/// One report, if its township lies inside the scope.
pub async fn report_in(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<Report> {
    let r = by_id(conn, id).await?;
    crate::org::in_scope(scope, &r.township_path)?;
    Ok(r)
}

#[derive(Default)]
pub struct Filter<'a> {
    pub township: Option<&'a str>,
    pub status: Option<&'a str>,
    pub urgency: Option<&'a str>,
    pub overdue_at: Option<&'a str>,
    /// Words to search for: only the reports containing them, ranked by
    /// relevance among the newest [`search::CANDIDATES`] that match.
    pub q: Option<&'a search::SearchQuery>,
    /// The field of the report's power-list item (in Chinese, 城市管理).
    pub field: Option<&'a str>,
    /// The channel it came by (`grid_worker`, `hotline`, …).
    pub channel: Option<&'a str>,
    /// Only reports of townships in the subtree of this jurisdiction (code).
    pub jurisdiction: Option<&'a str>,
    /// Only reports located in this grid (code).
    pub grid: Option<&'a str>,
    /// Received (or with `by_closure`, first closed) at or after this
    /// stored instant …
    pub since: Option<&'a str>,
    /// … and before this one.
    pub before: Option<&'a str>,
    /// `since` and `before` apply to the closure, not the receipt.
    pub by_closure: bool,
    /// Only reports still in the closed loop.
    pub open: bool,
    /// Only reports under no item of the power list.
    pub unclassified: bool,
}

/// Reports inside the scope, filtered: newest first, or with `q` the best
/// matches first (without events).
pub async fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &Filter<'_>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Report>, u64)> {
    let first = scope.roots().len() + 1;
    let mut binds: Vec<String> = Vec::new();
    let mut cond = Vec::new();
    // first the conditions on the report's changing state …
    for (col, v) in [("r.status", f.status), ("r.urgency", f.urgency)] {
        if let Some(v) = v {
            binds.push(v.into());
            cond.push(format!("{col} = ${}", first + binds.len() - 1));
        }
    }
    if let Some(at) = f.overdue_at {
        binds.push(at.into());
        cond.push(format!(
            "r.deadline_at IS NOT NULL AND r.deadline_at < ${} AND r.status NOT IN ('closed', 'evaluated', 'rejected', 'handed_over', 'merged')",
            first + binds.len() - 1
        ));
    }
    if f.open {
        let open: Vec<String> = crate::stats::overview::OPEN
            .iter()
            .map(|s| format!("'{s}'"))
            .collect();
        cond.push(format!("r.status IN ({})", open.join(", ")));
    }
    let when = if f.by_closure {
        "r.closed_at"
    } else {
        "r.received_at"
    };
    for (op, v) in [(">=", f.since), ("<", f.before)] {
        if let Some(v) = v {
            binds.push(v.into());
            cond.push(format!("{when} {op} ${}", first + binds.len() - 1));
        }
    }
    if let Some(g) = f.grid {
        binds.push(g.into());
        cond.push(format!(
            "r.grid_id = (SELECT id FROM grids WHERE code = ${})",
            first + binds.len() - 1
        ));
    }
    if let Some(j) = f.jurisdiction {
        binds.push(j.into());
        cond.push(format!(
            "t.path LIKE (SELECT path FROM jurisdictions WHERE code = ${}) || '%'",
            first + binds.len() - 1
        ));
    }
    if f.unclassified {
        cond.push(
            "(r.item_code IS NULL OR r.item_code NOT IN (SELECT code FROM power_items))".into(),
        );
    }
    // … then those on what it is, which the search index also holds as tags
    let state = cond.len();
    for (col, v) in [("t.code", f.township), ("r.channel", f.channel)] {
        if let Some(v) = v {
            binds.push(v.into());
            cond.push(format!("{col} = ${}", first + binds.len() - 1));
        }
    }
    if let Some(field) = f.field {
        binds.push(field.into());
        cond.push(format!(
            "r.item_code IN (SELECT code FROM power_items WHERE field = ${})",
            first + binds.len() - 1
        ));
    }
    if let Some(q) = f.q {
        return list_matching(conn, scope, f, q, &cond, state, &binds, limit, offset).await;
    }
    cond.insert(0, crate::scoped::condition(scope, "t.path", 1));
    let cond = cond.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) AS n {COUNT_FROM} WHERE {cond}");
    let mut cq = sqlx::query(&count_sql);
    for b in scope.roots().iter().chain(&binds) {
        cq = cq.bind(b);
    }
    let total: i64 = cq.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE {cond} ORDER BY r.received_at DESC, r.id DESC LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in scope.roots().iter().chain(&binds) {
        q = q.bind(b);
    }
    let rows = q.fetch_all(conn).await?;
    Ok((
        rows.iter().map(report).collect::<Result<_>>()?,
        total as u64,
    ))
}

/// A search: the ranked candidates from the index, then the page's rows.
/// `cond[..state]` are the conditions the index cannot apply itself.
#[allow(clippy::too_many_arguments)]
async fn list_matching(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &Filter<'_>,
    q: &search::SearchQuery,
    cond: &[String],
    state: usize,
    binds: &[String],
    limit: u32,
    offset: u64,
) -> Result<(Vec<Report>, u64)> {
    let sql = |cond: &[String]| {
        if cond.is_empty() {
            // the reports' table only when a filter needs it
            ("", "1 = 1".to_string())
        } else {
            (
                "JOIN reports r ON r.id = s.report_id JOIN jurisdictions t ON t.id = r.township_id",
                cond.join(" AND "),
            )
        }
    };
    let narrowing = search::Narrowing {
        scope,
        township: f.township,
        channel: f.channel,
        field: f.field,
        state: sql(&cond[..state]),
    };
    let (page, total) = search::page(conn, q, &narrowing, binds, limit, offset).await?;
    if page.is_empty() {
        return Ok((vec![], total));
    }
    let marks: Vec<String> = (1..=page.len()).map(|i| format!("${i}")).collect();
    let sql = format!("SELECT {COLS} {FROM} WHERE r.id IN ({})", marks.join(", "));
    let mut rows = sqlx::query(&sql);
    for id in &page {
        rows = rows.bind(id);
    }
    let mut by_id: std::collections::HashMap<String, Report> = rows
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| report(r).map(|r| (r.id.clone(), r)))
        .collect::<Result<_>>()?;
    Ok((
        page.iter().filter_map(|id| by_id.remove(id)).collect(),
        total,
    ))
}

/// The unit code of the squad that answered for the report's grid on arrival.
pub async fn squad_code(conn: &mut AnyConnection, report_id: &str) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT u.code FROM reports r JOIN org_units u ON u.id = r.squad_id WHERE r.id = $1",
    )
    .bind(report_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get("code")).transpose()?)
}
