//! The documents of a case (numbered PDFs), its evidence files and their
//! chain of custody. The files themselves live in the data folder, named by
//! their SHA-256; these tables say which case they belong to.
//!
//! Callers first read the case through its scope (`cases::case_in`); the
//! functions here then take the case's id.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Result, StoreError};

/// The next document number of `agency`'s `kind` in `year`: 1, 2, 3, …
///
/// Taken by an upsert that increments the row (PostgreSQL locks the row
/// until the transaction ends; SQLite holds the database's write lock — use
/// it inside `Store::begin_write`), so concurrent transactions get distinct
/// numbers, and a transaction that rolls back gives its number back: call
/// it in the transaction that stores the document and the numbers have no
/// gaps.
pub async fn next_number(
    conn: &mut AnyConnection,
    agency: &str,
    kind: &str,
    year: i32,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO document_numbers (agency, kind, year, last_number) VALUES ($1, $2, $3, 1)
         ON CONFLICT (agency, kind, year)
         DO UPDATE SET last_number = document_numbers.last_number + 1
         RETURNING last_number",
    )
    .bind(agency)
    .bind(kind)
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("last_number")?)
}

/// The number [`next_number`] would give now, without taking it (another
/// transaction may take it first).
pub async fn peek_next_number(
    conn: &mut AnyConnection,
    agency: &str,
    kind: &str,
    year: i32,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT last_number FROM document_numbers WHERE agency = $1 AND kind = $2 AND year = $3",
    )
    .bind(agency)
    .bind(kind)
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await?;
    let last: i64 = match row {
        Some(r) => r.try_get("last_number")?,
        None => 0,
    };
    Ok(last + 1)
}

/// The township's name and its county's, for the agency's name and the
/// short name in document numbers.
pub async fn township_and_county(
    conn: &mut AnyConnection,
    township_code: &str,
) -> Result<(String, String)> {
    let row = sqlx::query(
        "SELECT t.name AS township, COALESCE(c.name, '') AS county
         FROM jurisdictions t LEFT JOIN jurisdictions c ON c.id = t.parent_id
         WHERE t.code = $1",
    )
    .bind(township_code)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok((row.try_get("township")?, row.try_get("county")?))
}

/// A document made for a case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDocument {
    pub id: String,
    pub case_id: String,
    /// The document's code, e.g. `penalty_decision`.
    pub kind: String,
    /// The number as printed, e.g. 宁城关罚决字〔2026〕第12号.
    pub number: String,
    pub year: i64,
    /// The number in the agency's sequence for the kind and year.
    pub seq: i64,
    /// SHA-256 of the PDF, hex.
    pub sha256: String,
    pub size: i64,
    pub created_by: String,
    pub created_at: String,
}

pub struct NewDocument<'a> {
    pub case_id: &'a str,
    pub kind: &'a str,
    pub agency: &'a str,
    pub year: i32,
    pub seq: i64,
    pub number: &'a str,
    pub sha256: &'a str,
    pub size: i64,
    pub fields: &'a serde_json::Value,
    pub created_by: &'a str,
}

const DOC_COLS: &str = "id, case_id, kind, number, year, seq, sha256, size, created_by, created_at";

fn document(row: &AnyRow) -> Result<CaseDocument> {
    Ok(CaseDocument {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        kind: row.try_get("kind")?,
        number: row.try_get("number")?,
        year: row.try_get("year")?,
        seq: row.try_get("seq")?,
        sha256: row.try_get("sha256")?,
        size: row.try_get("size")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Record a document (its number already taken in this transaction).
pub async fn insert_document(
    conn: &mut AnyConnection,
    new: NewDocument<'_>,
) -> Result<CaseDocument> {
    let id = new_id();
    let fields =
        serde_json::to_string(new.fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO case_documents (id, case_id, kind, agency, year, seq, number, sha256, size,
            fields, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(new.case_id)
    .bind(new.kind)
    .bind(new.agency)
    .bind(i64::from(new.year))
    .bind(new.seq)
    .bind(new.number)
    .bind(new.sha256)
    .bind(new.size)
    .bind(&fields)
    .bind(new.created_by)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    document_of(conn, new.case_id, &id).await
}

/// The documents of a case, oldest first.
pub async fn documents_of(conn: &mut AnyConnection, case_id: &str) -> Result<Vec<CaseDocument>> {
    let sql =
        format!("SELECT {DOC_COLS} FROM case_documents WHERE case_id = $1 ORDER BY created_at, id");
    let rows = sqlx::query(&sql).bind(case_id).fetch_all(conn).await?;
    rows.iter().map(document).collect()
}

/// One document of a case.
pub async fn document_of(
    conn: &mut AnyConnection,
    case_id: &str,
    id: &str,
) -> Result<CaseDocument> {
    let sql = format!("SELECT {DOC_COLS} FROM case_documents WHERE case_id = $1 AND id = $2");
    let row = sqlx::query(&sql)
        .bind(case_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    document(&row.ok_or(StoreError::NotFound)?)
}

/// The fields a document was made from.
pub async fn document_fields(conn: &mut AnyConnection, id: &str) -> Result<serde_json::Value> {
    let row = sqlx::query("SELECT fields FROM case_documents WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let fields: String = row.try_get("fields")?;
    serde_json::from_str(&fields).map_err(|e| StoreError::Corrupt(format!("document fields: {e}")))
}

/// What an evidence file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Photo,
    Video,
    Audio,
    Document,
    /// A record from an electronic monitoring device (APL Art. 41).
    CameraRecord,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 5] = [
        EvidenceKind::Photo,
        EvidenceKind::Video,
        EvidenceKind::Audio,
        EvidenceKind::Document,
        EvidenceKind::CameraRecord,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Photo => "photo",
            EvidenceKind::Video => "video",
            EvidenceKind::Audio => "audio",
            EvidenceKind::Document => "document",
            EvidenceKind::CameraRecord => "camera_record",
        }
    }

    pub fn parse(s: &str) -> Option<EvidenceKind> {
        EvidenceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An evidence file of a case.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub id: String,
    pub case_id: String,
    pub kind: EvidenceKind,
    /// SHA-256 of the file as uploaded, hex.
    pub sha256: String,
    pub size: i64,
    /// The type found in the file's content.
    pub mime: String,
    /// The file name given at upload.
    pub name: String,
    pub note: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: String,
    /// The camera a camera record came from (its id; APL Art. 41).
    pub camera_id: Option<String>,
    /// Usable as evidence: always, except a camera record until a person
    /// reviewed it (APL Art. 41).
    pub usable: bool,
    /// Who reviewed a camera record, and when.
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    /// The day the party was told of a camera record, YYYY-MM-DD.
    pub party_informed_on: Option<String>,
}

pub struct NewEvidence<'a> {
    pub case_id: &'a str,
    pub kind: EvidenceKind,
    pub sha256: &'a str,
    pub size: i64,
    pub mime: &'a str,
    pub name: &'a str,
    pub note: Option<&'a str>,
    pub uploaded_by: &'a str,
    /// For a camera record: the camera's id (the record starts unusable).
    pub camera_id: Option<&'a str>,
}

const EVIDENCE_COLS: &str = "id, case_id, kind, sha256, size, mime, name, note, uploaded_by, uploaded_at, camera_id, \
    usable, reviewed_by, reviewed_at, party_informed_on";

fn evidence(row: &AnyRow) -> Result<Evidence> {
    let kind: String = row.try_get("kind")?;
    Ok(Evidence {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        kind: EvidenceKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("evidence kind {kind}")))?,
        sha256: row.try_get("sha256")?,
        size: row.try_get("size")?,
        mime: row.try_get("mime")?,
        name: row.try_get("name")?,
        note: row.try_get("note")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
        camera_id: row.try_get("camera_id")?,
        usable: row.try_get::<i64, _>("usable")? != 0,
        reviewed_by: row.try_get("reviewed_by")?,
        reviewed_at: row.try_get("reviewed_at")?,
        party_informed_on: row.try_get("party_informed_on")?,
    })
}

/// Record an evidence file and the first link of its chain of custody
/// (`upload`).
pub async fn insert_evidence(conn: &mut AnyConnection, new: NewEvidence<'_>) -> Result<Evidence> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO case_evidence (id, case_id, kind, sha256, size, mime, name, note,
            uploaded_by, uploaded_at, camera_id, usable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(new.case_id)
    .bind(new.kind.as_str())
    .bind(new.sha256)
    .bind(new.size)
    .bind(new.mime)
    .bind(new.name)
    .bind(new.note)
    .bind(new.uploaded_by)
    .bind(now())
    .bind(new.camera_id)
    .bind(i64::from(new.kind != EvidenceKind::CameraRecord))
    .execute(&mut *conn)
    .await?;
    add_custody(&mut *conn, &id, Custody::Upload, new.uploaded_by, None).await?;
    evidence_of(conn, new.case_id, &id).await
}

/// The evidence files of a case, oldest first.
pub async fn evidence_list(conn: &mut AnyConnection, case_id: &str) -> Result<Vec<Evidence>> {
    let sql = format!(
        "SELECT {EVIDENCE_COLS} FROM case_evidence WHERE case_id = $1 ORDER BY uploaded_at, id"
    );
    let rows = sqlx::query(&sql).bind(case_id).fetch_all(conn).await?;
    rows.iter().map(evidence).collect()
}

/// One evidence file of a case.
pub async fn evidence_of(conn: &mut AnyConnection, case_id: &str, id: &str) -> Result<Evidence> {
    let sql = format!("SELECT {EVIDENCE_COLS} FROM case_evidence WHERE case_id = $1 AND id = $2");
    let row = sqlx::query(&sql)
        .bind(case_id)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    evidence(&row.ok_or(StoreError::NotFound)?)
}

/// Record a person's review of a camera record (APL Art. 41): accurate and
/// complete, the party told on `party_informed_on`; the record becomes
/// usable and the review joins its chain of custody. Only a record not yet
/// reviewed changes: answers whether this call reviewed it.
pub async fn review_camera_record(
    conn: &mut AnyConnection,
    evidence_id: &str,
    reviewed_by: &str,
    party_informed_on: &str,
    note: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE case_evidence SET usable = 1, reviewed_by = $1, reviewed_at = $2,
            party_informed_on = $3
         WHERE id = $4 AND kind = $5 AND usable = 0",
    )
    .bind(reviewed_by)
    .bind(now())
    .bind(party_informed_on)
    .bind(evidence_id)
    .bind(EvidenceKind::CameraRecord.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    add_custody(conn, evidence_id, Custody::Review, reviewed_by, note).await?;
    Ok(true)
}

/// How many camera records of a case are not yet reviewed (APL Art. 41).
pub async fn unreviewed_camera_records(conn: &mut AnyConnection, case_id: &str) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM case_evidence WHERE case_id = $1 AND kind = $2 AND usable = 0",
    )
    .bind(case_id)
    .bind(EvidenceKind::CameraRecord.as_str())
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// A link in an evidence file's chain of custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Custody {
    Upload,
    View,
    Export,
    HandOver,
    /// A person reviewed a camera record (APL Art. 41).
    Review,
}

impl Custody {
    pub fn as_str(self) -> &'static str {
        match self {
            Custody::Upload => "upload",
            Custody::View => "view",
            Custody::Export => "export",
            Custody::HandOver => "hand_over",
            Custody::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<Custody> {
        [
            Custody::Upload,
            Custody::View,
            Custody::Export,
            Custody::HandOver,
            Custody::Review,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// One entry of the chain of custody.
#[derive(Debug, Clone, Serialize)]
pub struct CustodyEntry {
    pub action: Custody,
    pub actor: String,
    pub at: String,
    pub note: Option<String>,
}

/// Append to an evidence file's chain of custody.
pub async fn add_custody(
    conn: &mut AnyConnection,
    evidence_id: &str,
    action: Custody,
    actor: &str,
    note: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO evidence_custody (id, evidence_id, action, actor, at, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(evidence_id)
    .bind(action.as_str())
    .bind(actor)
    .bind(now())
    .bind(note)
    .execute(conn)
    .await?;
    Ok(())
}

/// An evidence file's chain of custody, in order.
pub async fn custody_of(conn: &mut AnyConnection, evidence_id: &str) -> Result<Vec<CustodyEntry>> {
    let rows = sqlx::query(
        "SELECT action, actor, at, note FROM evidence_custody WHERE evidence_id = $1 ORDER BY at, id",
    )
    .bind(evidence_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let action: String = row.try_get("action")?;
            Ok(CustodyEntry {
                action: Custody::parse(&action)
                    .ok_or_else(|| StoreError::Corrupt(format!("custody action {action}")))?,
                actor: row.try_get("actor")?,
                at: row.try_get("at")?,
                note: row.try_get("note")?,
            })
        })
        .collect()
}
