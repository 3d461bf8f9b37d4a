//! Transfers of suspected crimes to the police (行刑衔接, APL Art. 27,
//! Decree 310). A case has at most one transfer: its record
//! (`domain::case::transfer::Transfer`, as JSON) with a version — a step is
//! written only onto the version it was decided on ([`save`]) — and every
//! step with who took it, when, and the receipt or document it rests on.
//!
//! The enforcing agency reaches a transfer through its case ([`of_case`],
//! after `cases::case_in` checked the scope). A partner agency reaches it
//! only through [`for_partner`], which answers `NotFound` unless
//! `domain::case::transfer::partner_may_see` lets the agency see the case:
//! the police it was sent to, the procuratorate asked to supervise.

use domain::case::transfer::{SharedWith, Step, Transfer, TransferStatus, partner_may_see};
use domain::org::UnitKind;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now, ts};
use crate::{Result, StoreError};

/// A transfer as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredTransfer {
    pub id: String,
    pub case_id: String,
    /// The version a step must be written onto.
    pub version: i64,
    pub record: Transfer,
    /// The partner-agency unit it was sent to, once sent.
    #[serde(skip)]
    pub police_unit_id: Option<String>,
    /// The procuratorate asked to supervise, once asked.
    #[serde(skip)]
    pub procuratorate_unit_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The case's title and township.
    pub case_title: String,
    pub township_code: String,
    pub township_name: String,
    /// The township's jurisdiction path (where changes are audited).
    #[serde(skip)]
    pub township_path: String,
}

/// A step as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRecord {
    pub seq: i64,
    /// `report`, or the step's name (`decide`, `send`, `receive` …).
    pub step: String,
    /// The step as taken (`domain::case::transfer::Step`); null for the report.
    pub detail: Option<serde_json::Value>,
    pub status_after: TransferStatus,
    /// Staff id, `user:<id>` or `token:<name>`.
    pub actor: String,
    pub actor_name: String,
    /// The partner agency (unit code) the actor answered for; null: the
    /// enforcing agency.
    pub agency: Option<String>,
    /// The receipt or document number the step rests on.
    pub document: Option<String>,
    pub at: String,
}

/// Who takes a step, and what it rests on.
pub struct NewStep<'a> {
    /// `report` or the step's name.
    pub name: &'a str,
    pub detail: Option<&'a Step>,
    pub actor: &'a str,
    pub actor_name: &'a str,
    /// The partner-agency unit (id) the actor answered for.
    pub agency_unit_id: Option<&'a str>,
    pub document: Option<&'a str>,
}

/// A partner-agency unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agency {
    #[serde(skip)]
    pub id: String,
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub jurisdiction_path: String,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn json<T: Serialize>(what: &str, v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| corrupt(what, e))
}

fn status_of(s: &str) -> Result<TransferStatus> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|e| corrupt("transfer status", e))
}

fn status_str(s: TransferStatus) -> Result<String> {
    match serde_json::to_value(s).map_err(|e| corrupt("transfer status", e))? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(corrupt("transfer status", other)),
    }
}

const COLS: &str = "t.id, t.case_id, t.version, t.record, t.police_unit_id, \
    t.procuratorate_unit_id, t.created_at, t.updated_at, c.title AS case_title, \
    j.code AS township_code, j.name AS township_name, j.path AS township_path";

const FROM: &str = "FROM transfers t JOIN cases c ON c.id = t.case_id \
    JOIN jurisdictions j ON j.id = c.township_id";

fn transfer(row: &AnyRow) -> Result<StoredTransfer> {
    let record: String = row.try_get("record")?;
    Ok(StoredTransfer {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        version: row.try_get("version")?,
        record: serde_json::from_str(&record).map_err(|e| corrupt("transfer record", e))?,
        police_unit_id: row.try_get("police_unit_id")?,
        procuratorate_unit_id: row.try_get("procuratorate_unit_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        case_title: row.try_get("case_title")?,
        township_code: row.try_get("township_code")?,
        township_name: row.try_get("township_name")?,
        township_path: row.try_get("township_path")?,
    })
}

async fn append_step(
    conn: &mut AnyConnection,
    transfer_id: &str,
    seq: i64,
    status: TransferStatus,
    step: &NewStep<'_>,
    at: &str,
) -> Result<()> {
    let detail = step.detail.map(|d| json("transfer step", d)).transpose()?;
    sqlx::query(
        "INSERT INTO transfer_steps (id, transfer_id, seq, step, detail, status_after, actor,
            actor_name, agency_unit_id, document, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new_id())
    .bind(transfer_id)
    .bind(seq)
    .bind(step.name)
    .bind(detail)
    .bind(status_str(status)?)
    .bind(step.actor)
    .bind(step.actor_name)
    .bind(step.agency_unit_id)
    .bind(step.document)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Record the team's report (Decree 310 Art. 5), already checked by
/// `transfer::report`, as step 0 of the case's transfer. `Conflict` on
/// `case_id` when the case already has one.
pub async fn insert(
    conn: &mut AnyConnection,
    case_id: &str,
    record: &Transfer,
    step: NewStep<'_>,
) -> Result<String> {
    let id = new_id();
    let at = ts(record.reported_at);
    sqlx::query(
        "INSERT INTO transfers (id, case_id, status, record, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 0, $5, $5)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(status_str(record.status)?)
    .bind(json("transfer record", record)?)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    append_step(conn, &id, 0, record.status, &step, &at).await?;
    Ok(id)
}

/// The transfer of a case (read through its scope first), if any.
pub async fn of_case(conn: &mut AnyConnection, case_id: &str) -> Result<Option<StoredTransfer>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE t.case_id = $1");
    sqlx::query(&sql)
        .bind(case_id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(transfer)
        .transpose()
}

/// Where the case's transfer stands (Decree 310 Art. 11: no penalty in
/// its place while it is under way); `None` without one.
pub async fn status_of_case(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<TransferStatus>> {
    let row = sqlx::query("SELECT status FROM transfers WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| status_of(&r.try_get::<String, _>("status")?))
        .transpose()
}

/// What the transfer hands to partner agencies: the case, to the police it
/// was sent to and to the procuratorate asked to supervise.
pub fn shared(t: &StoredTransfer) -> Vec<SharedWith> {
    [&t.police_unit_id, &t.procuratorate_unit_id]
        .into_iter()
        .flatten()
        .map(|agency| SharedWith {
            agency: agency.clone(),
            case_id: t.case_id.clone(),
            whole_case: false,
            materials: vec![],
        })
        .collect()
}

/// A transfer as partner agency `agency_unit_id` may see it: `NotFound`
/// when there is none or it was not transferred to that agency
/// (`partner_may_see`), so that a partner cannot tell the two apart.
pub async fn for_partner(
    conn: &mut AnyConnection,
    agency_unit_id: &str,
    id: &str,
) -> Result<StoredTransfer> {
    let sql = format!("SELECT {COLS} {FROM} WHERE t.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    let t = transfer(&row.ok_or(StoreError::NotFound)?)?;
    if partner_may_see(agency_unit_id, &t.case_id, None, &shared(&t)) {
        Ok(t)
    } else {
        Err(StoreError::NotFound)
    }
}

/// Write the record a step produced onto the version it was decided on,
/// with the step, and return the new version. `Stale` when another change
/// got there first: nothing is written. `police_unit_id` and
/// `procuratorate_unit_id` are set when given, kept otherwise.
pub async fn save(
    conn: &mut AnyConnection,
    t: &StoredTransfer,
    record: &Transfer,
    police_unit_id: Option<&str>,
    procuratorate_unit_id: Option<&str>,
    step: NewStep<'_>,
) -> Result<i64> {
    let at = now();
    let done = sqlx::query(
        "UPDATE transfers SET record = $2, status = $3, version = version + 1, updated_at = $4,
            police_unit_id = COALESCE($5, police_unit_id),
            procuratorate_unit_id = COALESCE($6, procuratorate_unit_id)
         WHERE id = $1 AND version = $7",
    )
    .bind(&t.id)
    .bind(json("transfer record", record)?)
    .bind(status_str(record.status)?)
    .bind(&at)
    .bind(police_unit_id)
    .bind(procuratorate_unit_id)
    .bind(t.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    let seq: i64 = sqlx::query(
        "SELECT CAST(COALESCE(MAX(seq), -1) + 1 AS BIGINT) AS n FROM transfer_steps WHERE transfer_id = $1",
    )
    .bind(&t.id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    append_step(conn, &t.id, seq, record.status, &step, &at).await?;
    Ok(t.version + 1)
}

/// Rewrite a transfer's record onto its version without a step (moving its
/// times, for example); `Stale` otherwise.
pub async fn save_record(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    record: &Transfer,
) -> Result<i64> {
    let done = sqlx::query(
        "UPDATE transfers SET record = $2, status = $3, version = version + 1, updated_at = $4
         WHERE id = $1 AND version = $5",
    )
    .bind(id)
    .bind(json("transfer record", record)?)
    .bind(status_str(record.status)?)
    .bind(now())
    .bind(version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(version + 1)
}

/// The steps of a transfer, in order.
pub async fn steps(conn: &mut AnyConnection, transfer_id: &str) -> Result<Vec<StepRecord>> {
    let rows = sqlx::query(
        "SELECT s.seq, s.step, s.detail, s.status_after, s.actor, s.actor_name, u.code AS agency,
                s.document, s.at
         FROM transfer_steps s LEFT JOIN org_units u ON u.id = s.agency_unit_id
         WHERE s.transfer_id = $1 ORDER BY s.seq",
    )
    .bind(transfer_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let detail: Option<String> = r.try_get("detail")?;
            Ok(StepRecord {
                seq: r.try_get("seq")?,
                step: r.try_get("step")?,
                detail: detail
                    .map(|d| serde_json::from_str(&d).map_err(|e| corrupt("transfer step", e)))
                    .transpose()?,
                status_after: status_of(&r.try_get::<String, _>("status_after")?)?,
                actor: r.try_get("actor")?,
                actor_name: r.try_get("actor_name")?,
                agency: r.try_get("agency")?,
                document: r.try_get("document")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// A transfer in a partner's inbox.
#[derive(Debug, Clone, Serialize)]
pub struct InboxItem {
    pub id: String,
    pub case_id: String,
    pub case_title: String,
    pub township_code: String,
    pub township_name: String,
    pub status: TransferStatus,
    /// Why the agency sees it: `police` (sent to it) or `procuratorate`
    /// (asked to supervise).
    pub part: String,
    pub updated_at: String,
}

/// The transfers partner agency `agency_unit_id` may see, latest change
/// first: those sent to it and those it was asked to supervise.
pub async fn inbox(
    conn: &mut AnyConnection,
    agency_unit_id: &str,
    limit: u32,
    offset: u64,
) -> Result<(Vec<InboxItem>, u64)> {
    let filter = "WHERE t.police_unit_id = $1 OR t.procuratorate_unit_id = $1";
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n {FROM} {filter}"))
        .bind(agency_unit_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    let sql = format!(
        "SELECT {COLS} {FROM} {filter}
         ORDER BY t.updated_at DESC, t.id DESC LIMIT {limit} OFFSET {offset}"
    );
    let rows = sqlx::query(&sql)
        .bind(agency_unit_id)
        .fetch_all(conn)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let t = transfer(r)?;
        // the domain rule decides, the query only narrows
        if !partner_may_see(agency_unit_id, &t.case_id, None, &shared(&t)) {
            continue;
        }
        let part = if t.police_unit_id.as_deref() == Some(agency_unit_id) {
            "police"
        } else {
            "procuratorate"
        };
        items.push(InboxItem {
            id: t.id,
            case_id: t.case_id,
            case_title: t.case_title,
            township_code: t.township_code,
            township_name: t.township_name,
            status: t.record.status,
            part: part.into(),
            updated_at: t.updated_at,
        });
    }
    Ok((items, total as u64))
}

// ---------------------------------------------------------------- partner agencies

/// A partner-agency unit (kind `agency`) by code; `NotFound` for any other.
pub async fn agency_by_code(conn: &mut AnyConnection, code: &str) -> Result<Agency> {
    let row = sqlx::query(
        "SELECT u.id, u.code, u.name, j.path FROM org_units u
         JOIN jurisdictions j ON j.id = u.jurisdiction_id
         WHERE u.code = $1 AND u.kind = $2",
    )
    .bind(code)
    .bind(UnitKind::Agency.as_str())
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    agency(&row)
}

fn agency(row: &AnyRow) -> Result<Agency> {
    Ok(Agency {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        jurisdiction_path: row.try_get("path")?,
    })
}

/// The partner agency a liaison login speaks for, if recorded.
pub async fn agency_of(conn: &mut AnyConnection, user_id: &str) -> Result<Option<Agency>> {
    let row = sqlx::query(
        "SELECT u.id, u.code, u.name, j.path FROM partner_liaisons l
         JOIN org_units u ON u.id = l.unit_id
         JOIN jurisdictions j ON j.id = u.jurisdiction_id
         WHERE l.user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(agency).transpose()
}

/// Record which partner agency a liaison login speaks for (replacing any
/// earlier one).
pub async fn set_liaison(
    conn: &mut AnyConnection,
    user_id: &str,
    unit_id: &str,
    recorded_by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO partner_liaisons (user_id, unit_id, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET unit_id = excluded.unit_id,
             recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
    )
    .bind(user_id)
    .bind(unit_id)
    .bind(recorded_by)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}
