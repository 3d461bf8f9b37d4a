//! Penalty cases. A case is only ever read through a scope: the township it
//! belongs to must lie inside the caller's jurisdiction.

use domain::access::Scope;
use domain::case::{CaseStatus, FiledBasis};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Result, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub id: String,
    pub township_code: String,
    pub township_name: String,
    pub item_code: String,
    pub item_version: i64,
    pub item_name: String,
    pub title: String,
    pub act_date: String,
    pub act_ended: Option<String>,
    pub grave_harm: bool,
    pub status: CaseStatus,
    pub basis: FiledBasis,
    pub filed_by: String,
    pub filed_at: String,
    /// The report the case was opened from, if any.
    pub report_id: Option<String>,
}

pub struct NewCase<'a> {
    pub township_id: &'a str,
    pub item_code: &'a str,
    pub item_version: i64,
    pub item_name: &'a str,
    pub title: &'a str,
    pub act_date: &'a str,
    pub act_ended: Option<&'a str>,
    pub grave_harm: bool,
    pub basis: &'a FiledBasis,
    pub filed_by: &'a str,
}

const COLS: &str = "c.id, j.code AS township_code, j.name AS township_name, c.item_code, \
    c.item_version, c.item_name, c.title, c.act_date, c.act_ended, c.grave_harm, c.status, \
    c.basis, c.filed_by, c.filed_at, c.report_id";

fn case(row: &AnyRow) -> Result<Case> {
    let status: String = row.try_get("status")?;
    let basis: String = row.try_get("basis")?;
    Ok(Case {
        id: row.try_get("id")?,
        township_code: row.try_get("township_code")?,
        township_name: row.try_get("township_name")?,
        item_code: row.try_get("item_code")?,
        item_version: row.try_get("item_version")?,
        item_name: row.try_get("item_name")?,
        title: row.try_get("title")?,
        act_date: row.try_get("act_date")?,
        act_ended: row.try_get("act_ended")?,
        grave_harm: row.try_get::<i64, _>("grave_harm")? != 0,
        status: CaseStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("case status {status}")))?,
        basis: serde_json::from_str(&basis)
            .map_err(|e| StoreError::Corrupt(format!("case basis: {e}")))?,
        filed_by: row.try_get("filed_by")?,
        filed_at: row.try_get("filed_at")?,
        report_id: row.try_get("report_id")?,
    })
}

/// Record a filed case; the caller has already passed `domain::case::file`.
pub async fn insert(conn: &mut AnyConnection, new: NewCase<'_>) -> Result<String> {
    let id = new_id();
    let basis = serde_json::to_string(new.basis).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let limitation = new.basis.limitation_ends.to_string();
    sqlx::query(
        "INSERT INTO cases (id, township_id, item_code, item_version, item_name, title, act_date,
            act_ended, grave_harm, limitation_ends, basis, status, filed_by, filed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(new.township_id)
    .bind(new.item_code)
    .bind(new.item_version)
    .bind(new.item_name)
    .bind(new.title)
    .bind(new.act_date)
    .bind(new.act_ended)
    .bind(i64::from(new.grave_harm))
    .bind(&limitation)
    .bind(&basis)
    .bind(CaseStatus::Filed.as_str())
    .bind(new.filed_by)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Record the report a case was opened from.
pub async fn link_report(conn: &mut AnyConnection, case_id: &str, report_id: &str) -> Result<()> {
    sqlx::query("UPDATE cases SET report_id = $2 WHERE id = $1")
        .bind(case_id)
        .bind(report_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One case, if its township lies inside the scope.
pub async fn case_in(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<Case> {
    let sql = format!(
        "SELECT {COLS}, j.path FROM cases c JOIN jurisdictions j ON j.id = c.township_id WHERE c.id = $1"
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    let row = row.ok_or(StoreError::NotFound)?;
    let path: String = row.try_get("path")?;
    crate::org::in_scope(scope, &path)?;
    case(&row)
}

/// Cases inside the scope, newest first, optionally of one township.
pub async fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    township_code: Option<&str>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Case>, u64)> {
    let mut binds: Vec<String> = scope.roots().to_vec();
    let mut cond = vec![crate::scoped::condition(scope, "j.path", 1)];
    if let Some(t) = township_code {
        binds.push(t.to_string());
        cond.push(format!("j.code = ${}", binds.len()));
    }
    let cond = cond.join(" AND ");
    let from = format!("FROM cases c JOIN jurisdictions j ON j.id = c.township_id WHERE {cond}");
    let count_sql = format!("SELECT COUNT(*) AS n {from}");
    let mut cq = sqlx::query(&count_sql);
    for b in &binds {
        cq = cq.bind(b);
    }
    let total: i64 = cq.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "SELECT {COLS} {from} ORDER BY c.filed_at DESC, c.id DESC LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(conn).await?;
    let cases = rows.iter().map(case).collect::<Result<Vec<_>>>()?;
    Ok((cases, total as u64))
}
