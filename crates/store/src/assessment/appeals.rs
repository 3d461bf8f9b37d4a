//! Appeals (申诉) against a result of a frozen run, and their decisions.

use domain::access::Scope;
use domain::assessment::appeal::AppealStatus;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::corrupt;
use crate::util::{bind_opt_f64, new_id, now};
use crate::{Result, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Appeal {
    pub id: String,
    pub run_id: String,
    pub subject: String,
    pub reason: String,
    pub appellant: String,
    pub appellant_name: String,
    pub filed_at: String,
    pub status: AppealStatus,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
    pub adjusted_score: Option<f64>,
    pub resolved_at: Option<String>,
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    pub subject_kind: String,
}

pub(super) const APPEAL_COLS: &str =
    "a.id, a.run_id, a.subject, a.reason, a.appellant, a.appellant_name,
    a.filed_at, a.status, a.resolved_by, a.resolution, a.adjusted_score, a.resolved_at,
    j.path, r.subject_kind";

pub(super) fn appeal(row: &AnyRow) -> Result<Appeal> {
    let status: String = row.try_get("status")?;
    Ok(Appeal {
        id: row.try_get("id")?,
        run_id: row.try_get("run_id")?,
        subject: row.try_get("subject")?,
        reason: row.try_get("reason")?,
        appellant: row.try_get("appellant")?,
        appellant_name: row.try_get("appellant_name")?,
        filed_at: row.try_get("filed_at")?,
        status: AppealStatus::parse(&status).ok_or_else(|| corrupt("appeal status", &status))?,
        resolved_by: row.try_get("resolved_by")?,
        resolution: row.try_get("resolution")?,
        adjusted_score: row.try_get("adjusted_score")?,
        resolved_at: row.try_get("resolved_at")?,
        path: row.try_get("path")?,
        subject_kind: row.try_get("subject_kind")?,
    })
}

/// File an appeal against one result of a run.
pub async fn insert_appeal(
    conn: &mut AnyConnection,
    run_id: &str,
    subject: &str,
    reason: &str,
    (appellant, appellant_name): (&str, &str),
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO assessment_appeals (id, run_id, subject, reason, appellant, appellant_name,
            filed_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(run_id)
    .bind(subject)
    .bind(reason)
    .bind(appellant)
    .bind(appellant_name)
    .bind(now())
    .bind(AppealStatus::Filed.as_str())
    .execute(conn)
    .await?;
    Ok(id)
}

/// An appeal, if its run's jurisdiction lies inside the scope.
pub async fn appeal_in(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<Appeal> {
    let sql = format!(
        "SELECT {APPEAL_COLS} FROM assessment_appeals a JOIN assessment_runs r ON r.id = a.run_id
         JOIN jurisdictions j ON j.id = r.jurisdiction_id WHERE a.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let a = appeal(&row)?;
    crate::org::in_scope(scope, &a.path)?;
    Ok(a)
}

/// Record the decision on a filed appeal; `Stale` if it was decided meanwhile.
pub async fn decide_appeal(
    conn: &mut AnyConnection,
    id: &str,
    status: AppealStatus,
    by: &str,
    reason: &str,
    adjusted_score: Option<f64>,
) -> Result<()> {
    let q = sqlx::query(
        "UPDATE assessment_appeals SET status = $2, resolved_by = $3, resolution = $4,
            adjusted_score = $5, resolved_at = $6 WHERE id = $1 AND status = 'filed'",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(by)
    .bind(reason);
    let done = bind_opt_f64(q, adjusted_score)
        .bind(now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}
