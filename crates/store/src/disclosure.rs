//! Published penalty decisions (行政执法公示) and their withdrawals.
//!
//! What is stored is what the public sees: the decision as masked by
//! `domain::case::disclosure::publish` (personal data protected by law
//! removed), never the case's record. At most one publication of a case
//! is in force (a unique index over the ones not withdrawn); a withdrawal
//! (APL Art. 48) keeps the row, with its reasons, so the public list shows
//! that and why a decision was withdrawn.
//!
//! Writing needs the case read through its scope first (`cases::case_in`);
//! the public reads ([`public_list`], [`by_id`]) need no scope, as the
//! rows hold nothing that is not public.

use chrono::NaiveDate;
use domain::case::disclosure::{PublishedDecision, Withdrawal};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Result, StoreError};

/// A publication as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Publication {
    pub id: String,
    pub case_id: String,
    pub township_code: String,
    pub township_name: String,
    pub number: String,
    pub decided_on: NaiveDate,
    pub published_on: NaiveDate,
    /// 国办发〔2018〕118号: the last day to publish (7 working days).
    pub publish_by: NaiveDate,
    /// Published after `publish_by`.
    pub late: bool,
    /// The decision as published, personal data masked.
    pub decision: PublishedDecision,
    pub published_by: String,
    pub published_at: String,
    /// APL Art. 48: the withdrawal and its reasons, once withdrawn.
    pub withdrawal: Option<Withdrawal>,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<String>,
}

pub struct NewPublication<'a> {
    pub case_id: &'a str,
    pub township_id: &'a str,
    pub publish_by: NaiveDate,
    pub decision: &'a PublishedDecision,
    pub published_by: &'a str,
}

const COLS: &str = "p.id, p.case_id, j.code AS township_code, j.name AS township_name, \
    p.number, p.decided_on, p.published_on, p.publish_by, p.late, p.content, p.published_by, \
    p.published_at, p.withdrawal, p.withdrawn_by, p.withdrawn_at";

const FROM: &str = "FROM decision_publications p JOIN jurisdictions j ON j.id = p.township_id";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn day(row: &AnyRow, col: &str) -> Result<NaiveDate> {
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e| corrupt(col, e))
}

fn publication(row: &AnyRow) -> Result<Publication> {
    let content: String = row.try_get("content")?;
    let withdrawal: Option<String> = row.try_get("withdrawal")?;
    Ok(Publication {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        township_code: row.try_get("township_code")?,
        township_name: row.try_get("township_name")?,
        number: row.try_get("number")?,
        decided_on: day(row, "decided_on")?,
        published_on: day(row, "published_on")?,
        publish_by: day(row, "publish_by")?,
        late: row.try_get::<i64, _>("late")? != 0,
        decision: serde_json::from_str(&content).map_err(|e| corrupt("publication", e))?,
        published_by: row.try_get("published_by")?,
        published_at: row.try_get("published_at")?,
        withdrawal: withdrawal
            .map(|w| serde_json::from_str(&w))
            .transpose()
            .map_err(|e| corrupt("withdrawal", e))?,
        withdrawn_by: row.try_get("withdrawn_by")?,
        withdrawn_at: row.try_get("withdrawn_at")?,
    })
}

/// Record a publication. A case with a publication in force already is
/// `Conflict` (field `case_id`).
pub async fn insert(conn: &mut AnyConnection, new: NewPublication<'_>) -> Result<Publication> {
    let id = new_id();
    let content = serde_json::to_string(new.decision).map_err(|e| corrupt("publication", e))?;
    sqlx::query(
        "INSERT INTO decision_publications (id, case_id, township_id, number, decided_on,
            published_on, publish_by, late, content, published_by, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(new.case_id)
    .bind(new.township_id)
    .bind(&new.decision.number)
    .bind(new.decision.decided_on.to_string())
    .bind(new.decision.published_on.to_string())
    .bind(new.publish_by.to_string())
    .bind(i64::from(new.decision.late))
    .bind(&content)
    .bind(new.published_by)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict { .. } => StoreError::Conflict {
            field: "case_id".into(),
        },
        other => other,
    })?;
    by_id(conn, &id).await
}

/// One publication, withdrawn or not.
pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Publication> {
    let sql = format!("SELECT {COLS} {FROM} WHERE p.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    publication(&row)
}

/// Every publication of a case, oldest first.
pub async fn of_case(conn: &mut AnyConnection, case_id: &str) -> Result<Vec<Publication>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE p.case_id = $1 ORDER BY p.published_at, p.id");
    let rows = sqlx::query(&sql).bind(case_id).fetch_all(conn).await?;
    rows.iter().map(publication).collect()
}

/// The case's publication in force, if any.
pub async fn in_force(conn: &mut AnyConnection, case_id: &str) -> Result<Option<Publication>> {
    Ok(of_case(conn, case_id)
        .await?
        .into_iter()
        .find(|p| p.withdrawal.is_none()))
}

/// Withdraw a publication in force. `Stale` if it was withdrawn meanwhile.
pub async fn withdraw(
    conn: &mut AnyConnection,
    id: &str,
    withdrawal: &Withdrawal,
    by: &str,
) -> Result<Publication> {
    let w = serde_json::to_string(withdrawal).map_err(|e| corrupt("withdrawal", e))?;
    let done = sqlx::query(
        "UPDATE decision_publications
         SET withdrawn_on = $2, withdrawal = $3, withdrawn_by = $4, withdrawn_at = $5
         WHERE id = $1 AND withdrawn_on IS NULL",
    )
    .bind(id)
    .bind(withdrawal.withdrawn_on.to_string())
    .bind(&w)
    .bind(by)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    by_id(conn, id).await
}

/// Published decisions for the public, newest first, optionally of one
/// township (code); withdrawn ones included (their reasons are public).
pub async fn public_list(
    conn: &mut AnyConnection,
    township_code: Option<&str>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Publication>, u64)> {
    let cond = if township_code.is_some() {
        "WHERE j.code = $1"
    } else {
        ""
    };
    let count_sql = format!("SELECT COUNT(*) AS n {FROM} {cond}");
    let mut cq = sqlx::query(&count_sql);
    if let Some(t) = township_code {
        cq = cq.bind(t);
    }
    let total: i64 = cq.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "SELECT {COLS} {FROM} {cond} ORDER BY p.published_at DESC, p.id DESC LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    if let Some(t) = township_code {
        q = q.bind(t);
    }
    let rows = q.fetch_all(conn).await?;
    let items = rows.iter().map(publication).collect::<Result<Vec<_>>>()?;
    Ok((items, total as u64))
}
