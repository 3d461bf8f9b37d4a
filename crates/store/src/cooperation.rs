//! Working with other bodies on a case: requests for assistance (APL Art.
//! 26) and joint investigations (联合调查). Each is a JSON record of its
//! domain type with a version a change must match ([`save`]), and the units
//! concerned as columns. The enforcing agency reaches them through the case
//! (after `cases::case_in` checked the scope); a department or agency
//! reaches them only through [`assistance_for_unit`] and
//! [`joint_for_unit`], which answer `NotFound` for anything not addressed
//! to it.

use domain::org::UnitKind;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::transfers::Agency;
use crate::util::{new_id, now};
use crate::{Result, StoreError};

/// The two kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Assistance,
    Joint,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Assistance => "assistance_requests",
            Kind::Joint => "joint_investigations",
        }
    }
}

/// A record as stored, with its case.
#[derive(Debug, Clone, Serialize)]
pub struct Stored<T> {
    pub id: String,
    pub case_id: String,
    pub status: String,
    pub version: i64,
    pub record: T,
    pub created_at: String,
    pub updated_at: String,
    pub case_title: String,
    pub township_code: String,
    pub township_name: String,
    #[serde(skip)]
    pub township_path: String,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn cols(kind: Kind) -> String {
    format!(
        "r.id, r.case_id, r.status, r.version, r.record, r.created_at, r.updated_at, \
         c.title AS case_title, j.code AS township_code, j.name AS township_name, \
         j.path AS township_path FROM {} r JOIN cases c ON c.id = r.case_id \
         JOIN jurisdictions j ON j.id = c.township_id",
        kind.table()
    )
}

fn stored<T: DeserializeOwned>(row: &AnyRow) -> Result<Stored<T>> {
    let record: String = row.try_get("record")?;
    Ok(Stored {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        status: row.try_get("status")?,
        version: row.try_get("version")?,
        record: serde_json::from_str(&record).map_err(|e| corrupt("cooperation record", e))?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        case_title: row.try_get("case_title")?,
        township_code: row.try_get("township_code")?,
        township_name: row.try_get("township_name")?,
        township_path: row.try_get("township_path")?,
    })
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| corrupt("cooperation record", e))
}

/// A county department or partner agency by unit code; `NotFound` for any
/// other unit (a brigade, a squad) or none.
pub async fn body_by_code(conn: &mut AnyConnection, code: &str) -> Result<Agency> {
    let row = sqlx::query(
        "SELECT u.id, u.code, u.name, j.path FROM org_units u
         JOIN jurisdictions j ON j.id = u.jurisdiction_id
         WHERE u.code = $1 AND (u.kind = $2 OR u.kind = $3)",
    )
    .bind(code)
    .bind(UnitKind::Department.as_str())
    .bind(UnitKind::Agency.as_str())
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(Agency {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        jurisdiction_path: row.try_get("path")?,
    })
}

/// Record a request for assistance to unit `unit_id`.
pub async fn insert_assistance<T: Serialize>(
    conn: &mut AnyConnection,
    case_id: &str,
    unit_id: &str,
    record: &T,
    requested_by: &str,
) -> Result<String> {
    let id = new_id();
    let at = now();
    sqlx::query(
        "INSERT INTO assistance_requests (id, case_id, unit_id, status, record, version,
            requested_by, created_at, updated_at)
         VALUES ($1, $2, $3, 'open', $4, 0, $5, $6, $6)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(unit_id)
    .bind(json(record)?)
    .bind(requested_by)
    .bind(&at)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Record a joint investigation with its member units.
pub async fn insert_joint<T: Serialize>(
    conn: &mut AnyConnection,
    case_id: &str,
    record: &T,
    member_unit_ids: &[String],
    created_by: &str,
) -> Result<String> {
    let id = new_id();
    let at = now();
    sqlx::query(
        "INSERT INTO joint_investigations (id, case_id, status, record, version, created_by,
            created_at, updated_at)
         VALUES ($1, $2, 'open', $3, 0, $4, $5, $5)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(json(record)?)
    .bind(created_by)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    for unit in member_unit_ids {
        sqlx::query("INSERT INTO joint_members (joint_id, unit_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(unit)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// The records of a case, oldest first.
pub async fn of_case<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    kind: Kind,
    case_id: &str,
) -> Result<Vec<Stored<T>>> {
    let sql = format!(
        "SELECT {} WHERE r.case_id = $1 ORDER BY r.created_at, r.id",
        cols(kind)
    );
    let rows = sqlx::query(&sql).bind(case_id).fetch_all(conn).await?;
    rows.iter().map(stored).collect()
}

/// One record of a case; `NotFound` when it belongs to another.
pub async fn one_of_case<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    kind: Kind,
    case_id: &str,
    id: &str,
) -> Result<Stored<T>> {
    let sql = format!("SELECT {} WHERE r.id = $1 AND r.case_id = $2", cols(kind));
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(case_id)
        .fetch_optional(conn)
        .await?;
    stored(&row.ok_or(StoreError::NotFound)?)
}

fn unit_filter(kind: Kind) -> &'static str {
    match kind {
        Kind::Assistance => "r.unit_id = $1",
        Kind::Joint => "r.id IN (SELECT m.joint_id FROM joint_members m WHERE m.unit_id = $1)",
    }
}

/// What is addressed to unit `unit_id`, latest change first.
pub async fn for_unit<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    kind: Kind,
    unit_id: &str,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Stored<T>>, u64)> {
    let filter = unit_filter(kind);
    let total: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM {} r WHERE {filter}",
        kind.table()
    ))
    .bind(unit_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let sql = format!(
        "SELECT {} WHERE {filter} ORDER BY r.updated_at DESC, r.id DESC LIMIT {limit} OFFSET {offset}",
        cols(kind)
    );
    let rows = sqlx::query(&sql).bind(unit_id).fetch_all(conn).await?;
    let items = rows.iter().map(stored).collect::<Result<Vec<_>>>()?;
    Ok((items, total as u64))
}

/// One record as unit `unit_id` may see it: `NotFound` when there is none
/// or it is not addressed to that unit.
pub async fn for_unit_one<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    kind: Kind,
    unit_id: &str,
    id: &str,
) -> Result<Stored<T>> {
    let sql = format!(
        "SELECT {} WHERE r.id = $2 AND {}",
        cols(kind),
        unit_filter(kind)
    );
    let row = sqlx::query(&sql)
        .bind(unit_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    stored(&row.ok_or(StoreError::NotFound)?)
}

/// Write a changed record onto the version it was decided on; `Stale`
/// when another change got there first (nothing is written).
pub async fn save<T: Serialize>(
    conn: &mut AnyConnection,
    kind: Kind,
    id: &str,
    version: i64,
    record: &T,
    status: &str,
) -> Result<i64> {
    let sql = format!(
        "UPDATE {} SET record = $2, status = $3, version = version + 1, updated_at = $4
         WHERE id = $1 AND version = $5",
        kind.table()
    );
    let done = sqlx::query(&sql)
        .bind(id)
        .bind(json(record)?)
        .bind(status)
        .bind(now())
        .bind(version)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(version + 1)
}

/// Who answered a request for assistance (the liaison's staff or user id).
pub async fn set_answered_by(conn: &mut AnyConnection, id: &str, by: &str) -> Result<()> {
    sqlx::query("UPDATE assistance_requests SET answered_by = $2 WHERE id = $1")
        .bind(id)
        .bind(by)
        .execute(conn)
        .await?;
    Ok(())
}
