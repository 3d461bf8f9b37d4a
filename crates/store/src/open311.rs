//! Open311 (GeoReport v2): the power-list items the public may report
//! under, and the reports that came in through Open311 with their public
//! identifier and service. Reads here return only what a public answer may
//! show: no reporter, no staff, no internal report id.

use domain::powerlist::{Item, ItemKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::now;
use crate::{Result, StoreError};

/// Penalty items (行政处罚) that at least one township holds, current
/// versions in code order: what a member of the public can report a breach
/// of. Inspections and coercive measures are the authority's own acts.
pub async fn public_items(conn: &mut AnyConnection) -> Result<Vec<Item>> {
    let rows = sqlx::query(
        "SELECT v.data FROM power_items p
         JOIN power_item_versions v ON v.item_id = p.id AND v.version = p.current_version
         WHERE p.kind = $1 AND EXISTS (SELECT 1 FROM devolutions d
             WHERE d.item_id = p.id AND d.revoked_at IS NULL)
         ORDER BY p.code",
    )
    .bind(ItemKind::Penalty.zh())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            serde_json::from_str(&r.try_get::<String, _>("data")?)
                .map_err(|e| StoreError::Corrupt(format!("power item: {e}")))
        })
        .collect()
}

/// When the list of services last changed (an item edited, devolved or
/// revoked), in the stored form; none on an empty list.
pub async fn changeset(conn: &mut AnyConnection) -> Result<Option<String>> {
    let r = sqlx::query(
        "SELECT (SELECT MAX(updated_at) FROM power_items) AS a,
                (SELECT MAX(created_at) FROM devolutions) AS b,
                (SELECT MAX(revoked_at) FROM devolutions) AS c",
    )
    .fetch_one(conn)
    .await?;
    let mut latest: Option<String> = None;
    for col in ["a", "b", "c"] {
        let v: Option<String> = r.try_get(col)?;
        latest = latest.max(v);
    }
    Ok(latest)
}

/// A report taken in through Open311, as recorded.
pub struct NewRequest<'a> {
    pub report_id: &'a str,
    pub service_request_id: &'a str,
    pub service_code: &'a str,
    /// `anonymous`, or the partner (its integration token's principal name).
    pub client: &'a str,
}

/// Record a report as an Open311 request; a second call for the same report
/// keeps the first. Answers the request's public identifier.
pub async fn record(conn: &mut AnyConnection, r: &NewRequest<'_>) -> Result<String> {
    sqlx::query(
        "INSERT INTO open311_requests (report_id, service_request_id, service_code, client, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (report_id) DO NOTHING",
    )
    .bind(r.report_id)
    .bind(r.service_request_id)
    .bind(r.service_code)
    .bind(r.client)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query("SELECT service_request_id FROM open311_requests WHERE report_id = $1")
        .bind(r.report_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// An Open311 request as the public may see it.
#[derive(Debug, Clone)]
pub struct PublicRequest {
    pub service_request_id: String,
    pub service_code: String,
    /// The report's status (`received`, `closed`, …).
    pub status: String,
    /// As sent: mask it before showing it.
    pub description: String,
    /// WGS84.
    pub lon: f64,
    pub lat: f64,
    pub received_at: String,
    pub updated_at: String,
    pub township_name: String,
    pub grid_name: String,
    /// The squad answering for the grid, if any.
    pub squad: Option<String>,
}

const COLS: &str = "o.service_request_id, o.service_code, r.status, r.description, r.lon, r.lat,
    r.received_at, r.updated_at, t.name AS township_name, g.name AS grid_name, u.name AS squad";
const FROM: &str = "FROM open311_requests o JOIN reports r ON r.id = o.report_id
    JOIN jurisdictions t ON t.id = r.township_id JOIN grids g ON g.id = r.grid_id
    LEFT JOIN org_units u ON u.id = r.squad_id";

fn public(r: &AnyRow) -> Result<PublicRequest> {
    Ok(PublicRequest {
        service_request_id: r.try_get("service_request_id")?,
        service_code: r.try_get("service_code")?,
        status: r.try_get("status")?,
        description: r.try_get("description")?,
        lon: r.try_get("lon")?,
        lat: r.try_get("lat")?,
        received_at: r.try_get("received_at")?,
        updated_at: r.try_get("updated_at")?,
        township_name: r.try_get("township_name")?,
        grid_name: r.try_get("grid_name")?,
        squad: r.try_get("squad")?,
    })
}

/// The request with this public identifier.
pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<PublicRequest>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE o.service_request_id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(public).transpose()
}

/// The public identifier of the Open311 request whose token (tracking
/// code) this is.
pub async fn by_token(conn: &mut AnyConnection, token: &str) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT o.service_request_id FROM public_tracking p
         JOIN open311_requests o ON o.report_id = p.report_id WHERE p.code = $1",
    )
    .bind(token)
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok(r.try_get(0)?)).transpose()
}

/// What `GET requests` asks for. Empty lists mean any.
#[derive(Debug, Default)]
pub struct Query {
    /// Only these (and then no other condition applies).
    pub ids: Vec<String>,
    pub service_codes: Vec<String>,
    /// Report statuses (`received`, …).
    pub statuses: Vec<String>,
    /// Received from (inclusive) and until (inclusive), stored form.
    pub from: Option<String>,
    pub until: Option<String>,
    pub limit: u32,
}

/// Requests matching the query, newest first.
pub async fn list(conn: &mut AnyConnection, q: &Query) -> Result<Vec<PublicRequest>> {
    let mut binds: Vec<String> = Vec::new();
    let mut cond: Vec<String> = Vec::new();
    let mut any_of = |col: &str, vals: &[String], binds: &mut Vec<String>| {
        let marks: Vec<String> = vals
            .iter()
            .map(|v| {
                binds.push(v.clone());
                format!("${}", binds.len())
            })
            .collect();
        cond.push(format!("{col} IN ({})", marks.join(", ")));
    };
    if !q.ids.is_empty() {
        any_of("o.service_request_id", &q.ids, &mut binds);
    } else {
        if !q.service_codes.is_empty() {
            any_of("o.service_code", &q.service_codes, &mut binds);
        }
        if !q.statuses.is_empty() {
            any_of("r.status", &q.statuses, &mut binds);
        }
        for (op, v) in [(">=", &q.from), ("<=", &q.until)] {
            if let Some(v) = v {
                binds.push(v.clone());
                cond.push(format!("r.received_at {op} ${}", binds.len()));
            }
        }
    }
    let wh = if cond.is_empty() {
        "1 = 1".to_string()
    } else {
        cond.join(" AND ")
    };
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE {wh} ORDER BY r.received_at DESC, o.service_request_id LIMIT {}",
        q.limit
    );
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    query.fetch_all(conn).await?.iter().map(public).collect()
}
