//! Indicators and assessment through HTTP (统计考核): indicators of any
//! subject for any period within the caller's jurisdiction, the scoring
//! rules, frozen assessment runs with their ranking, and appeals a leader
//! decides. Every rule lives in `domain::assessment`; the handlers parse,
//! load the facts, call it and store what it decided.
//!
//! - `indicators`: `GET /api/v1/indicators`
//! - `rules`: `GET/PUT /api/v1/assessment/rules`
//! - `runs`: freeze a run, read it
//! - `appeals`: appeal a result, a leader decides

pub mod appeals;
pub mod indicators;
pub mod rules;
pub mod runs;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::Error;
use domain::access::Scope;
use domain::assessment::{Period, Query, Subject, SubjectKind, Values, indicators as ind};
use store::audit::{self, Change};
use store::org::Jurisdiction;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A date parameter, naming its field when it is not `YYYY-MM-DD`.
fn date(field: &'static str, s: &str) -> Result<NaiveDate, ApiError> {
    crate::extract::date("assessment.date", field, s)
}

/// The period asked for; by default this month up to today (China time).
pub(crate) fn period(from: Option<&str>, to: Option<&str>) -> Result<Period, ApiError> {
    let today = domain::time::china_date(Utc::now());
    let from = match from.filter(|s| !s.trim().is_empty()) {
        Some(s) => date("from", s)?,
        None => today.with_day(1).unwrap_or(today),
    };
    let to = match to.filter(|s| !s.trim().is_empty()) {
        Some(s) => date("to", s)?,
        None => today.max(from),
    };
    Ok(Period::new(from, to)?)
}

/// The jurisdiction named by `code` inside the scope (an unknown code is
/// refused naming the field), or by default the caller's first one.
pub(crate) async fn jurisdiction(
    conn: &mut store::Conn,
    scope: &Scope,
    code: Option<&str>,
) -> Result<Jurisdiction, ApiError> {
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None => scope
            .roots()
            .first()
            .and_then(|p| p.trim_end_matches('/').rsplit('/').next())
            .unwrap_or_default()
            .to_string(),
    };
    store::org::jurisdiction_in(conn, scope, &code)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::invalid(
                "assessment.jurisdiction",
                "jurisdiction",
                format!("没有代码为 {code} 的辖区"),
                format!("no jurisdiction has code {code}"),
            )),
            other => other.into(),
        })
}

/// Who acts, as recorded on appeals: the user, or the integration token.
pub(crate) fn who(caller: &Caller) -> String {
    match &caller.principal.user_id {
        Some(id) => format!("user:{id}"),
        None => format!("token:{}", caller.principal.name),
    }
}

/// One subject's indicators.
pub(crate) struct Measured {
    pub subject: String,
    pub name: String,
    pub values: Values,
}

/// Load the facts of the subtree at `path` for the period and compute
/// every indicator for each subject.
pub(crate) async fn measure(
    conn: &mut store::Conn,
    path: &str,
    kind: SubjectKind,
    subjects: Vec<(String, String)>,
    period: Period,
    as_of: DateTime<Utc>,
) -> Result<Vec<Measured>, ApiError> {
    let reports = store::assessment::facts::reports(conn, path, &period).await?;
    let cases = store::assessment::facts::cases(conn, path, &period).await?;
    Ok(subjects
        .into_iter()
        .map(|(id, name)| {
            let q = Query {
                subject: Subject::new(kind, id.clone()),
                period,
                as_of,
            };
            Measured {
                values: ind::all(&reports, &cases, &q),
                subject: id,
                name,
            }
        })
        .collect())
}

/// `not_found` for a missing object, named; other store errors as they are.
pub(crate) fn not_found(what: (&str, &str)) -> impl Fn(store::StoreError) -> ApiError {
    move |e| match e {
        store::StoreError::NotFound => ApiError(Error::not_found(what.0, what.1)),
        other => other.into(),
    }
}

/// An assessment run, as named in a refusal.
pub(crate) const RUN: (&str, &str) = ("考核", "Assessment run");

/// Append the audit entry of a change, in its transaction.
pub(crate) async fn record(
    tx: &mut store::Conn,
    state: &AppState,
    caller: &Caller,
    (action, object_type, object_id, path): (&str, &str, &str, &str),
    after: serde_json::Value,
) -> ApiResult<()> {
    audit::append(
        tx,
        &state.audit_key,
        &caller.actor(path),
        Change {
            action,
            object_type,
            object_id,
            jurisdiction: path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    Ok(())
}
