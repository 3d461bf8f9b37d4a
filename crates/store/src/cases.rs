//! Penalty cases. A case is only ever read through a scope: the township it
//! belongs to must lie inside the caller's jurisdiction.
//!
//! Each case keeps its procedure record (`domain::case::Record`, as JSON)
//! with a version: a step is written only onto the version it was decided
//! on ([`save_record`]), so of two concurrent steps one applies and the
//! other is `Stale`. Its party, the officers on it, and the township's
//! roster and legal reviewers the rules need are read here too.

use chrono::NaiveDate;
use domain::access::Scope;
use domain::case::officers::Officer;
use domain::case::procedure::{CaseTraits, LegalReviewer};
use domain::case::{CaseStatus, FiledBasis, Party, Record};
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
    #[serde(skip)]
    pub township_id: String,
    #[serde(skip)]
    pub township_path: String,
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
    /// The day of filing (China time): the Art. 60 clock starts here.
    pub filed_on: NaiveDate,
}

const COLS: &str = "c.id, j.code AS township_code, j.name AS township_name, c.item_code, \
    c.item_version, c.item_name, c.title, c.act_date, c.act_ended, c.grave_harm, c.status, \
    c.basis, c.filed_by, c.filed_at, c.report_id, c.township_id, j.path AS township_path";

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
        township_id: row.try_get("township_id")?,
        township_path: row.try_get("township_path")?,
    })
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn json<T: Serialize>(what: &str, v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| corrupt(what, e))
}

/// Record a filed case; the caller has already passed `domain::case::file`.
/// Its procedure record starts as just filed, at version 0.
pub async fn insert(conn: &mut AnyConnection, new: NewCase<'_>) -> Result<String> {
    let id = new_id();
    let basis = json("case basis", new.basis)?;
    let limitation = new.basis.limitation_ends.to_string();
    let act_date: NaiveDate = new
        .act_date
        .parse()
        .map_err(|e| corrupt("case act date", e))?;
    let record = json("case record", &Record::new(new.filed_on, act_date))?;
    let at = now();
    sqlx::query(
        "INSERT INTO cases (id, township_id, item_code, item_version, item_name, title, act_date,
            act_ended, grave_harm, limitation_ends, basis, status, filed_by, filed_at, record,
            version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $14)",
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
    .bind(&at)
    .bind(&record)
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
        "SELECT {COLS} FROM cases c JOIN jurisdictions j ON j.id = c.township_id WHERE c.id = $1"
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    let row = row.ok_or(StoreError::NotFound)?;
    let c = case(&row)?;
    crate::org::in_scope(scope, &c.township_path)?;
    Ok(c)
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

// ---------------------------------------------------------------- the procedure

/// What a case's procedure stands on.
#[derive(Debug, Clone)]
pub struct Procedure {
    /// Every step recorded so far (`domain::case::transition` decides on it).
    pub record: Record,
    /// The version a change must be written onto.
    pub version: i64,
    pub party: Option<Party>,
    pub traits: CaseTraits,
}

/// The procedure of a case already read through its scope ([`case_in`]).
/// A case filed before records were kept reads as just filed.
pub async fn procedure(conn: &mut AnyConnection, case: &Case) -> Result<Procedure> {
    let row = sqlx::query("SELECT record, version, party, traits FROM cases WHERE id = $1")
        .bind(&case.id)
        .fetch_one(conn)
        .await?;
    let record = match row.try_get::<Option<String>, _>("record")? {
        Some(s) => serde_json::from_str(&s).map_err(|e| corrupt("case record", e))?,
        None => {
            let filed_on = domain::time::from_storage(&case.filed_at)
                .map(domain::time::china_date)
                .ok_or_else(|| corrupt("case filed_at", &case.filed_at))?;
            let act_date = case
                .act_date
                .parse()
                .map_err(|e| corrupt("case act date", e))?;
            Record::new(filed_on, act_date)
        }
    };
    let party = row
        .try_get::<Option<String>, _>("party")?
        .map(|s| serde_json::from_str(&s).map_err(|e| corrupt("case party", e)))
        .transpose()?;
    let traits = row
        .try_get::<Option<String>, _>("traits")?
        .map(|s| serde_json::from_str(&s).map_err(|e| corrupt("case traits", e)))
        .transpose()?
        .unwrap_or_default();
    Ok(Procedure {
        record,
        version: row.try_get("version")?,
        party,
        traits,
    })
}

/// Write the record a step produced onto the version it was decided on and
/// return the new version. `Stale` when another change got there first:
/// nothing is written and the caller decides again. The officers on the
/// case are rewritten from the record.
pub async fn save_record(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    record: &Record,
) -> Result<i64> {
    let done = sqlx::query(
        "UPDATE cases SET record = $2, status = $3, version = version + 1, updated_at = $4
         WHERE id = $1 AND version = $5",
    )
    .bind(id)
    .bind(json("case record", record)?)
    .bind(record.status.as_str())
    .bind(now())
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    sqlx::query("DELETE FROM case_officers WHERE case_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (person, part) in parts(record) {
        sqlx::query("INSERT INTO case_officers (case_id, person, part) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(&person)
            .bind(part)
            .execute(&mut *conn)
            .await?;
    }
    Ok(version + 1)
}

/// Set the party onto the version it was decided on (`Stale` otherwise);
/// returns the new version.
pub async fn set_party(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    party: &Party,
) -> Result<i64> {
    let done = sqlx::query(
        "UPDATE cases SET party = $2, version = version + 1, updated_at = $3
         WHERE id = $1 AND version = $4",
    )
    .bind(id)
    .bind(json("case party", party)?)
    .bind(now())
    .bind(version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(version + 1)
}

/// The summary procedure's record of a case decided on the spot (JSON of
/// the caller's type); `None` for an ordinary case.
pub async fn summary<T: serde::de::DeserializeOwned>(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<T>> {
    let row = sqlx::query("SELECT summary FROM cases WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    row.try_get::<Option<String>, _>("summary")?
        .map(|s| serde_json::from_str(&s).map_err(|e| corrupt("case summary", e)))
        .transpose()
}

/// Write the summary procedure's record onto the version it was decided
/// on (`Stale` otherwise); returns the new version.
pub async fn set_summary<T: Serialize>(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    summary: &T,
) -> Result<i64> {
    let done = sqlx::query(
        "UPDATE cases SET summary = $2, version = version + 1, updated_at = $3
         WHERE id = $1 AND version = $4",
    )
    .bind(id)
    .bind(json("case summary", summary)?)
    .bind(now())
    .bind(version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(version + 1)
}

/// Who took part in a case, as the record shows: (person, part), part being
/// `investigator`, `presiding` or `reviewer`.
pub fn parts(record: &Record) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = record
        .investigators()
        .into_iter()
        .map(|p| (p.to_string(), "investigator"))
        .collect();
    for n in &record.notices {
        if let Some(s) = n.hearing.as_ref().and_then(|h| h.schedule.as_ref()) {
            out.push((s.presiding.clone(), "presiding"));
        }
    }
    if let Some(r) = &record.legal_review {
        out.push((r.reviewer.clone(), "reviewer"));
    }
    out.sort();
    out.dedup();
    out
}

/// A person on a case and their part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnCase {
    pub person: String,
    pub part: String,
}

/// The officers on a case, as last written by [`save_record`].
pub async fn officers_on(conn: &mut AnyConnection, case_id: &str) -> Result<Vec<OnCase>> {
    let rows = sqlx::query(
        "SELECT person, part FROM case_officers WHERE case_id = $1 ORDER BY part, person",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OnCase {
                person: r.try_get("person")?,
                part: r.try_get("part")?,
            })
        })
        .collect()
}

/// The township's people with their enforcement credential (APL Art. 42):
/// the one valid on `on`, else the one that ran out last (which counts for
/// nothing on `on`); people without one are listed without.
pub async fn roster(
    conn: &mut AnyConnection,
    township_id: &str,
    on: NaiveDate,
) -> Result<Vec<Officer>> {
    let people = sqlx::query(
        "SELECT id, name FROM staff WHERE jurisdiction_id = $1 AND active = 1 ORDER BY id",
    )
    .bind(township_id)
    .fetch_all(&mut *conn)
    .await?;
    let creds = sqlx::query(
        "SELECT c.staff_id, c.number, c.issuer, c.fields, c.valid_from, c.valid_until
         FROM credentials c JOIN staff s ON s.id = c.staff_id
         WHERE s.jurisdiction_id = $1 AND s.active = 1 ORDER BY c.staff_id, c.valid_until",
    )
    .bind(township_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut held: std::collections::HashMap<String, Vec<domain::org::Credential>> =
        std::collections::HashMap::new();
    for r in &creds {
        let date = |col: &str| -> Result<NaiveDate> {
            let s: String = r.try_get(col)?;
            s.parse().map_err(|_| corrupt(col, &s))
        };
        let fields: String = r.try_get("fields")?;
        held.entry(r.try_get("staff_id")?)
            .or_default()
            .push(domain::org::Credential {
                number: r.try_get("number")?,
                issuer: r.try_get("issuer")?,
                fields: fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(Into::into)
                    .collect(),
                valid_from: date("valid_from")?,
                valid_until: date("valid_until")?,
            });
    }
    people
        .iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let mut creds = held.remove(&id).unwrap_or_default();
            let valid = creds.iter().position(|c| c.is_valid_on(on));
            let credential = match valid {
                Some(i) => Some(creds.swap_remove(i)),
                None => creds.pop(),
            };
            Ok(Officer {
                id,
                name: r.try_get("name")?,
                credential,
            })
        })
        .collect()
}

/// A legal reviewer of a township, with the login behind them.
#[derive(Debug, Clone, Serialize)]
pub struct Reviewer {
    pub user_id: String,
    /// The certificate of the legal professional qualification, if recorded.
    pub qualification: Option<String>,
    #[serde(flatten)]
    pub reviewer: LegalReviewer,
}

/// The legal reviewers whose role reaches the township (held there or
/// above). Each is known by the id they act under — their staff id, or
/// `user:<id>` for a login that is nobody of the brigade. Without a
/// recorded qualification a reviewer is taken as unqualified and reviewing
/// since the role was granted (APL Art. 58).
pub async fn reviewers(conn: &mut AnyConnection, township_path: &str) -> Result<Vec<Reviewer>> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.staff_id, s.name AS staff_name, j.path,
                r.created_at AS granted_at, q.qualification, q.reviewing_since
         FROM user_roles r JOIN users u ON u.id = r.user_id
         JOIN jurisdictions j ON j.id = r.jurisdiction_id
         LEFT JOIN staff s ON s.id = u.staff_id
         LEFT JOIN legal_reviewers q ON q.user_id = u.id
         WHERE r.role = $1 AND u.active = 1
         ORDER BY u.username, r.created_at",
    )
    .bind(domain::access::Role::LegalReviewer.as_str())
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Reviewer> = Vec::new();
    for r in &rows {
        let path: String = r.try_get("path")?;
        let user_id: String = r.try_get("id")?;
        if !township_path.starts_with(path.as_str()) || out.iter().any(|x| x.user_id == user_id) {
            continue;
        }
        let staff_id: Option<String> = r.try_get("staff_id")?;
        let staff_name: Option<String> = r.try_get("staff_name")?;
        let qualification: Option<String> = r
            .try_get::<Option<String>, _>("qualification")?
            .filter(|q| !q.trim().is_empty());
        let since = match r.try_get::<Option<String>, _>("reviewing_since")? {
            Some(s) => s.parse().map_err(|_| corrupt("reviewing_since", &s))?,
            None => {
                let granted: String = r.try_get("granted_at")?;
                domain::time::from_storage(&granted)
                    .map(domain::time::china_date)
                    .ok_or_else(|| corrupt("granted_at", &granted))?
            }
        };
        out.push(Reviewer {
            reviewer: LegalReviewer {
                id: staff_id.unwrap_or_else(|| format!("user:{user_id}")),
                name: staff_name.unwrap_or(r.try_get("display_name")?),
                legal_qualification: qualification.is_some(),
                reviewing_since: since,
            },
            user_id,
            qualification,
        });
    }
    Ok(out)
}

/// Record a legal reviewer's qualification (APL Art. 58): the certificate
/// number, or none, and since when they review.
pub async fn set_reviewer(
    conn: &mut AnyConnection,
    user_id: &str,
    qualification: Option<&str>,
    reviewing_since: NaiveDate,
    recorded_by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO legal_reviewers (user_id, qualification, reviewing_since, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO UPDATE SET qualification = excluded.qualification,
             reviewing_since = excluded.reviewing_since, recorded_by = excluded.recorded_by,
             recorded_at = excluded.recorded_at",
    )
    .bind(user_id)
    .bind(qualification)
    .bind(reviewing_since.to_string())
    .bind(recorded_by)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}
