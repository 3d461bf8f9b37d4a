//! The dashboard's reads: everything one view shows for a jurisdiction's
//! subtree and a period of China days, from the counters of
//! [`crate::stats`] (only the overdue count reads the reports, through the
//! index on status and deadline).

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::Result;

/// A period of China days, inclusive (`YYYY-MM-DD`).
pub struct Days<'a> {
    pub from: &'a str,
    pub to: &'a str,
}

/// Received and closed in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Flow {
    pub received: i64,
    pub closed: i64,
}

/// A township's line: its flow in the period and its reports now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Town {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub flow: Flow,
    pub open: i64,
    pub overdue: i64,
}

/// A grid's count in the months of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridCount {
    pub code: String,
    pub name: String,
    pub received: i64,
}

/// The counts behind one dashboard view.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Every day of the period in order, with its flow (zero days included).
    pub by_day: Vec<(String, Flow)>,
    /// By field ('' unclassified).
    pub by_field: BTreeMap<String, Flow>,
    pub by_channel: BTreeMap<String, Flow>,
    /// The townships of the subtree that had any report.
    pub by_township: Vec<Town>,
    /// Reports in each status now.
    pub by_status: BTreeMap<String, i64>,
    /// Grids by reports received in the months `month_from..=month_to`.
    pub by_grid: Vec<GridCount>,
}

/// The counts for the subtree at `path` (a jurisdiction's path) and the
/// period; `now` (a stored instant) decides what is overdue.
pub async fn counts(
    conn: &mut AnyConnection,
    path: &str,
    days: &Days<'_>,
    now: &str,
) -> Result<Counts> {
    let mut out = Counts::default();
    // the townships of the subtree: the counters are read by their keys
    let towns_in: Vec<(String, String, String, String)> = sqlx::query(
        "SELECT t.id, t.code, t.name, t.name_en FROM jurisdictions t
         WHERE t.path LIKE $1 || '%' AND t.id IN (SELECT DISTINCT township_id FROM stats_status)",
    )
    .bind(path)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("code")?,
            r.try_get("name")?,
            r.try_get("name_en")?,
        ))
    })
    .collect::<Result<_>>()?;
    if towns_in.is_empty() {
        out.by_day = every_day(days)
            .into_iter()
            .map(|d| (d, Flow::default()))
            .collect();
        return Ok(out);
    }
    let ids = marks(towns_in.len(), 3);

    // by field
    let sql = format!(
        "SELECT field, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(closed) AS BIGINT) AS closed FROM stats_field_day
         WHERE township_id IN ({ids}) AND day >= $1 AND day <= $2 GROUP BY field"
    );
    for r in &bind_ids(sqlx::query(&sql).bind(days.from).bind(days.to), &towns_in)
        .fetch_all(&mut *conn)
        .await?
    {
        out.by_field.insert(
            r.try_get("field")?,
            Flow {
                received: sum(r, "received")?,
                closed: sum(r, "closed")?,
            },
        );
    }

    // by day
    let sql = format!(
        "SELECT day, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(closed) AS BIGINT) AS closed FROM stats_channel_day
         WHERE township_id IN ({ids}) AND day >= $1 AND day <= $2 GROUP BY day"
    );
    let mut per_day: BTreeMap<String, Flow> = BTreeMap::new();
    for r in &bind_ids(sqlx::query(&sql).bind(days.from).bind(days.to), &towns_in)
        .fetch_all(&mut *conn)
        .await?
    {
        per_day.insert(
            r.try_get("day")?,
            Flow {
                received: sum(r, "received")?,
                closed: sum(r, "closed")?,
            },
        );
    }
    out.by_day = every_day(days)
        .into_iter()
        .map(|d| {
            let flow = per_day.remove(&d).unwrap_or_default();
            (d, flow)
        })
        .collect();

    // by township and channel
    let sql = format!(
        "SELECT township_id, channel, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(closed) AS BIGINT) AS closed
         FROM stats_channel_day
         WHERE township_id IN ({ids}) AND day >= $1 AND day <= $2 GROUP BY township_id, channel"
    );
    let rows = bind_ids(sqlx::query(&sql).bind(days.from).bind(days.to), &towns_in)
        .fetch_all(&mut *conn)
        .await?;
    let mut towns: BTreeMap<String, Town> = BTreeMap::new();
    for r in &rows {
        let (rec, clo) = (sum(r, "received")?, sum(r, "closed")?);
        let channel: String = r.try_get("channel")?;
        let c = out.by_channel.entry(channel).or_default();
        c.received += rec;
        c.closed += clo;
        let id: String = r.try_get("township_id")?;
        if let Some(t) = town(&mut towns, &towns_in, &id) {
            t.flow.received += rec;
            t.flow.closed += clo;
        }
    }

    // now: by status, and open per township
    let sql = format!(
        "SELECT township_id, status, CAST(SUM(n) AS BIGINT) AS n FROM stats_status
         WHERE township_id IN ({}) GROUP BY township_id, status",
        marks(towns_in.len(), 1)
    );
    for r in &bind_ids(sqlx::query(&sql), &towns_in)
        .fetch_all(&mut *conn)
        .await?
    {
        let n = sum(r, "n")?;
        if n == 0 {
            continue;
        }
        let status: String = r.try_get("status")?;
        *out.by_status.entry(status.clone()).or_default() += n;
        let id: String = r.try_get("township_id")?;
        if let Some(t) = town(&mut towns, &towns_in, &id)
            && !super::FINISHED.contains(&status.as_str())
        {
            t.open += n;
        }
    }

    // overdue now, per township: only the overdue rows are read
    let sql = format!(
        "SELECT township_id, COUNT(*) AS n FROM reports
         WHERE status IN ({}) AND deadline_at IS NOT NULL AND deadline_at < $1
           AND township_id IN ({})
         GROUP BY township_id",
        OPEN.map(|s| format!("'{s}'")).join(", "),
        marks(towns_in.len(), 2)
    );
    for r in &bind_ids(sqlx::query(&sql).bind(now), &towns_in)
        .fetch_all(&mut *conn)
        .await?
    {
        let n = sum(r, "n")?;
        let id: String = r.try_get("township_id")?;
        if let Some(t) = town(&mut towns, &towns_in, &id) {
            t.overdue += n;
        }
    }
    out.by_township = towns.into_values().collect();

    // by grid, over the months the period touches
    let sql = format!(
        "SELECT g.code, g.name, CAST(SUM(s.received) AS BIGINT) AS received
         FROM stats_grid_month s JOIN grids g ON g.id = s.grid_id
         WHERE s.township_id IN ({ids}) AND s.month >= $1 AND s.month <= $2
         GROUP BY g.code, g.name
         ORDER BY received DESC, g.code"
    );
    for r in &bind_ids(
        sqlx::query(&sql).bind(&days.from[..7]).bind(&days.to[..7]),
        &towns_in,
    )
    .fetch_all(&mut *conn)
    .await?
    {
        out.by_grid.push(GridCount {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            received: sum(r, "received")?,
        });
    }
    Ok(out)
}

/// The line of the township with this id (one of `towns_in`), made on
/// first use.
fn town<'a>(
    towns: &'a mut BTreeMap<String, Town>,
    towns_in: &[(String, String, String, String)],
    id: &str,
) -> Option<&'a mut Town> {
    let (_, code, name, name_en) = towns_in.iter().find(|t| t.0 == id)?;
    Some(towns.entry(code.clone()).or_insert_with(|| Town {
        code: code.clone(),
        name: name.clone(),
        name_en: name_en.clone(),
        flow: Flow::default(),
        open: 0,
        overdue: 0,
    }))
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// `$first, $first+1, …`: one mark per township.
fn marks(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|k| format!("${k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn bind_ids<'q>(
    mut q: AnyQuery<'q>,
    towns: &'q [(String, String, String, String)],
) -> AnyQuery<'q> {
    for t in towns {
        q = q.bind(t.0.as_str());
    }
    q
}

/// Statuses of a report still in the closed loop.
pub const OPEN: [&str; 6] = [
    "received",
    "dispatched",
    "accepted",
    "handling",
    "reported_back",
    "verified",
];

/// A count (the SUMs are cast to BIGINT: an integer on both databases).
fn sum(r: &sqlx::any::AnyRow, col: &str) -> Result<i64> {
    Ok(r.try_get::<i64, _>(col)?)
}

/// Every day from `from` to `to` (both well-formed, `from` ≤ `to`).
fn every_day(days: &Days<'_>) -> Vec<String> {
    use chrono::NaiveDate;
    let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (Some(mut d), Some(to)) = (parse(days.from), parse(days.to)) else {
        return vec![];
    };
    let mut out = Vec::new();
    while d <= to {
        out.push(d.format("%Y-%m-%d").to_string());
        d = d.succ_opt().unwrap_or(to);
        if out.len() > 400 {
            break;
        }
    }
    out
}
