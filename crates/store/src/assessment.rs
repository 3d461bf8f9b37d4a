//! Assessment (考核): scoring rules per jurisdiction (every change kept),
//! frozen runs whose results are rows — a later change of the reports does
//! not change them — and appeals against a result.
//!
//! The indicators' fact rows are loaded by [`facts`].

pub mod appeals;
pub mod facts;
pub mod runs;
pub mod subjects;

pub use appeals::{Appeal, appeal_in, decide_appeal, insert_appeal};
pub use runs::{
    NewResult, NewRun, Run, RunResult, RunSummary, insert_run, list_in, run_in, set_standing,
};

use domain::assessment::{ScoringRules, Values};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Result, StoreError};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn json_col(row: &AnyRow, col: &str) -> Result<serde_json::Value> {
    let s: String = row.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| corrupt(col, e))
}

/// Rules as set for a jurisdiction.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRules {
    /// The division code of the jurisdiction that set them.
    pub jurisdiction: String,
    pub rules: ScoringRules,
    pub set_by: String,
    pub set_at: String,
}

/// The rules in force at `path`: its own newest, else its nearest
/// ancestor's (a county's rules serve its townships), else none.
pub async fn rules_for(conn: &mut AnyConnection, path: &str) -> Result<Option<StoredRules>> {
    let row = sqlx::query(
        "SELECT a.rules, a.set_by, a.set_at, j.code FROM assessment_rules a
         JOIN jurisdictions j ON j.id = a.jurisdiction_id
         WHERE $1 LIKE j.path || '%'
         ORDER BY LENGTH(j.path) DESC, a.set_at DESC, a.id DESC LIMIT 1",
    )
    .bind(path)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let rules: String = row.try_get("rules")?;
    Ok(Some(StoredRules {
        jurisdiction: row.try_get("code")?,
        rules: serde_json::from_str(&rules).map_err(|e| corrupt("assessment rules", e))?,
        set_by: row.try_get("set_by")?,
        set_at: row.try_get("set_at")?,
    }))
}

/// Record new rules for a jurisdiction (validated by the caller).
pub async fn save_rules(
    conn: &mut AnyConnection,
    jurisdiction_id: &str,
    rules: &ScoringRules,
    by: &str,
) -> Result<()> {
    let json = serde_json::to_string(rules).map_err(|e| corrupt("assessment rules", e))?;
    sqlx::query(
        "INSERT INTO assessment_rules (id, jurisdiction_id, rules, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(jurisdiction_id)
    .bind(json)
    .bind(by)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// The values as stored and shown: counts as whole numbers.
pub fn values_json(values: &Values) -> serde_json::Value {
    use domain::assessment::definitions::Unit;
    let map = values
        .iter()
        .map(|(i, v)| {
            let v = match (v, i.definition().unit) {
                (Some(n), Unit::Count) => serde_json::json!(*n as u64),
                (Some(x), _) => serde_json::json!(x),
                (None, _) => serde_json::Value::Null,
            };
            (i.as_str().to_string(), v)
        })
        .collect();
    serde_json::Value::Object(map)
}
