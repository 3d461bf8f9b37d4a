//! The subjects that may be measured and ranked in a jurisdiction, and
//! where one subject belongs.

use domain::assessment::SubjectKind;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError};

/// The tag a subject kind has in the organisation tables (a post or a unit kind).
fn tag(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Officer => "officer",
        SubjectKind::GridWorker => "grid_worker",
        SubjectKind::Squad => "squad",
        SubjectKind::Brigade => "brigade",
        SubjectKind::Department => "department",
        SubjectKind::Township => "township",
    }
}

/// The subjects of a kind in the subtree at `path` (departments: those
/// serving it), as (id, name), in id order.
pub async fn subjects(
    conn: &mut AnyConnection,
    path: &str,
    kind: SubjectKind,
) -> Result<Vec<(String, String)>> {
    let sql = match kind {
        SubjectKind::Officer | SubjectKind::GridWorker => {
            "SELECT s.id, s.name FROM staff s JOIN jurisdictions j ON j.id = s.jurisdiction_id
             WHERE j.path LIKE $1 || '%' AND s.post = $2 AND s.active = 1 ORDER BY s.id"
        }
        SubjectKind::Squad | SubjectKind::Brigade => {
            "SELECT u.code, u.name FROM org_units u JOIN jurisdictions j ON j.id = u.jurisdiction_id
             WHERE j.path LIKE $1 || '%' AND u.kind = $2 ORDER BY u.code"
        }
        SubjectKind::Township => {
            "SELECT j.code, j.name FROM jurisdictions j
             WHERE j.path LIKE $1 || '%' AND j.level IN ($2, 'street') ORDER BY j.code"
        }
        SubjectKind::Department => {
            "SELECT u.code, u.name FROM org_units u JOIN jurisdictions j ON j.id = u.jurisdiction_id
             WHERE (j.path LIKE $1 || '%' OR $1 LIKE j.path || '%') AND u.kind = $2 ORDER BY u.code"
        }
    };
    let rows = sqlx::query(sql)
        .bind(path)
        .bind(tag(kind))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// One subject's name and the jurisdiction path it belongs to.
pub async fn subject(
    conn: &mut AnyConnection,
    kind: SubjectKind,
    id: &str,
) -> Result<(String, String)> {
    let sql = match kind {
        SubjectKind::Officer | SubjectKind::GridWorker => {
            "SELECT s.name, j.path FROM staff s JOIN jurisdictions j ON j.id = s.jurisdiction_id
             WHERE s.id = $1 AND s.post <> $2"
        }
        SubjectKind::Township => {
            "SELECT j.name, j.path FROM jurisdictions j WHERE j.code = $1 AND j.level IN ($2, 'street')"
        }
        _ => {
            "SELECT u.name, j.path FROM org_units u JOIN jurisdictions j ON j.id = u.jurisdiction_id
             WHERE u.code = $1 AND u.kind = $2"
        }
    };
    // a person of any post may be asked about (squad leaders handle tasks too)
    let bind = if kind.is_person() { "-" } else { tag(kind) };
    let row = sqlx::query(sql)
        .bind(id)
        .bind(bind)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}
