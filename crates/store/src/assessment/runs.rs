//! Frozen runs: the run, and one row per subject with its values, score
//! and rank.

use domain::access::Scope;
use domain::assessment::ranking::Place;
use domain::assessment::rules::Score;
use domain::assessment::{Period, ScoringRules, SubjectKind};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::appeals::{APPEAL_COLS, Appeal, appeal};
use super::{corrupt, json_col};
use crate::util::{new_id, now};
use crate::{Result, StoreError};

pub struct NewRun<'a> {
    pub jurisdiction_id: &'a str,
    pub subject_kind: SubjectKind,
    pub period: Period,
    pub as_of: &'a str,
    pub rules: &'a ScoringRules,
    pub title: &'a str,
    pub created_by: &'a str,
}

/// One subject's frozen result.
pub struct NewResult<'a> {
    pub subject: &'a str,
    pub name: &'a str,
    /// The values as the API shows them (JSON object).
    pub values: &'a serde_json::Value,
    pub score: &'a Score,
    pub rank: u32,
}

/// Freeze a run: the run and one row per subject, in one go.
pub async fn insert_run(
    conn: &mut AnyConnection,
    run: &NewRun<'_>,
    results: &[NewResult<'_>],
) -> Result<String> {
    let id = new_id();
    let rules = serde_json::to_string(run.rules).map_err(|e| corrupt("run rules", e))?;
    sqlx::query(
        "INSERT INTO assessment_runs (id, jurisdiction_id, subject_kind, period_from, period_to,
            as_of, rules, title, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(run.jurisdiction_id)
    .bind(run.subject_kind.as_str())
    .bind(run.period.from.to_string())
    .bind(run.period.to.to_string())
    .bind(run.as_of)
    .bind(rules)
    .bind(run.title)
    .bind(run.created_by)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    for r in results {
        let lines = serde_json::to_string(&r.score.lines).map_err(|e| corrupt("lines", e))?;
        sqlx::query(
            "INSERT INTO assessment_results (run_id, subject, subject_name, indicators, lines,
                score, final_score, ranking)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
        )
        .bind(&id)
        .bind(r.subject)
        .bind(r.name)
        .bind(r.values.to_string())
        .bind(lines)
        .bind(r.score.total)
        .bind(i64::from(r.rank))
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// One subject's place in a frozen run.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub rank: i64,
    pub subject: String,
    pub name: String,
    /// As computed when the run was frozen.
    pub score: f64,
    /// After an accepted appeal that set it; otherwise the score.
    pub final_score: f64,
    pub indicators: serde_json::Value,
    pub lines: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub id: String,
    pub jurisdiction: String,
    pub jurisdiction_name: String,
    pub subject_kind: String,
    pub from: String,
    pub to: String,
    pub as_of: String,
    pub title: String,
    pub rules: serde_json::Value,
    pub created_by: String,
    pub created_at: String,
    /// Best first.
    pub results: Vec<RunResult>,
    pub appeals: Vec<Appeal>,
    #[serde(skip)]
    pub path: String,
}

/// A frozen run with its results and appeals, if its jurisdiction lies
/// inside the scope.
pub async fn run_in(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<Run> {
    let row = sqlx::query(
        "SELECT r.id, j.code, j.name, j.path, r.subject_kind, r.period_from, r.period_to, r.as_of,
            r.title, r.rules, r.created_by, r.created_at
         FROM assessment_runs r JOIN jurisdictions j ON j.id = r.jurisdiction_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let path: String = row.try_get("path")?;
    crate::org::in_scope(scope, &path)?;
    let results = sqlx::query(
        "SELECT ranking, subject, subject_name, score, final_score, indicators, lines
         FROM assessment_results WHERE run_id = $1 ORDER BY ranking, subject",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(RunResult {
            rank: r.try_get("ranking")?,
            subject: r.try_get("subject")?,
            name: r.try_get("subject_name")?,
            score: r.try_get("score")?,
            final_score: r.try_get("final_score")?,
            indicators: json_col(r, "indicators")?,
            lines: json_col(r, "lines")?,
        })
    })
    .collect::<Result<_>>()?;
    let sql = format!(
        "SELECT {APPEAL_COLS} FROM assessment_appeals a JOIN assessment_runs r ON r.id = a.run_id
         JOIN jurisdictions j ON j.id = r.jurisdiction_id WHERE a.run_id = $1 ORDER BY a.filed_at, a.id"
    );
    let appeals = sqlx::query(&sql)
        .bind(id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(appeal)
        .collect::<Result<_>>()?;
    Ok(Run {
        id: row.try_get("id")?,
        jurisdiction: row.try_get("code")?,
        jurisdiction_name: row.try_get("name")?,
        subject_kind: row.try_get("subject_kind")?,
        from: row.try_get("period_from")?,
        to: row.try_get("period_to")?,
        as_of: row.try_get("as_of")?,
        title: row.try_get("title")?,
        rules: json_col(&row, "rules")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        results,
        appeals,
        path,
    })
}

/// Set a run's final scores and ranks (after an accepted appeal changed one).
pub async fn set_standing(
    conn: &mut AnyConnection,
    run_id: &str,
    standing: &[Place],
) -> Result<()> {
    for p in standing {
        sqlx::query(
            "UPDATE assessment_results SET final_score = $3, ranking = $4
             WHERE run_id = $1 AND subject = $2",
        )
        .bind(run_id)
        .bind(&p.subject)
        .bind(p.score)
        .bind(i64::from(p.rank))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A frozen run as listed: what was assessed, when, how many subjects and
/// how many appeals still wait for a decision.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub id: String,
    pub jurisdiction: String,
    pub jurisdiction_name: String,
    pub subject_kind: String,
    pub from: String,
    pub to: String,
    pub title: String,
    pub created_at: String,
    pub subjects: i64,
    pub open_appeals: i64,
}

/// Runs of jurisdictions inside the scope, newest first, with the total.
pub async fn list_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    limit: u32,
    offset: u64,
) -> Result<(Vec<RunSummary>, u64)> {
    let binds: Vec<String> = scope.roots().to_vec();
    let cond = crate::scoped::condition(scope, "j.path", 1);
    let from = format!(
        "FROM assessment_runs r JOIN jurisdictions j ON j.id = r.jurisdiction_id WHERE {cond}"
    );
    let count_sql = format!("SELECT COUNT(*) AS n {from}");
    let mut cq = sqlx::query(&count_sql);
    for b in &binds {
        cq = cq.bind(b);
    }
    let total: i64 = cq.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "SELECT r.id, j.code, j.name, r.subject_kind, r.period_from, r.period_to, r.title,
            r.created_at,
            (SELECT COUNT(*) FROM assessment_results x WHERE x.run_id = r.id) AS subjects,
            (SELECT COUNT(*) FROM assessment_appeals a
              WHERE a.run_id = r.id AND a.status = 'filed') AS open_appeals
         {from} ORDER BY r.created_at DESC, r.id DESC LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let runs = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(RunSummary {
                id: r.try_get("id")?,
                jurisdiction: r.try_get("code")?,
                jurisdiction_name: r.try_get("name")?,
                subject_kind: r.try_get("subject_kind")?,
                from: r.try_get("period_from")?,
                to: r.try_get("period_to")?,
                title: r.try_get("title")?,
                created_at: r.try_get("created_at")?,
                subjects: r.try_get("subjects")?,
                open_appeals: r.try_get("open_appeals")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok((runs, total as u64))
}
