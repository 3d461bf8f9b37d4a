//! The on-the-spot decision (当场行政处罚决定书, APL Art. 51–52) as a PDF
//! of the case. Unlike the other documents it takes no new number: the
//! form was numbered from the township's sequence when the decision was
//! recorded (`routes::case_summary::decide_summary`), and the PDF carries
//! that number. Its contents come from the recorded decision and party, not
//! from the request, so the paper says what was decided; one per case.

use std::sync::Arc;

use documents::{Kind, Renderer};
use domain::case::Party;
use domain::{Error, ErrorKind, Lang};
use serde_json::{Value, json};
use store::cases::{self, Case};
use store::documents::{self as sd, CaseDocument, NewDocument};

use super::{record_document, render, store_pdf};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::case_summary::SummaryRecord;
use crate::state::AppState;

/// The party as the templates print it (common.typ `party-text`).
fn party_fields(p: &Party) -> Value {
    match p {
        Party::Person(n) => json!({
            "kind": "person", "name": n.name, "id_number": n.id_number.as_str(),
            "address": n.address, "phone": n.phone,
        }),
        Party::Organisation(o) => json!({
            "kind": "organisation", "name": o.name, "credit_code": o.credit_code.as_str(),
            "legal_representative": o.representative.name,
            "position": o.representative.title, "address": o.address,
        }),
    }
}

/// `…字〔2026〕第12号` → 12.
fn seq_of(number: &str) -> Option<i64> {
    number.strip_suffix('号')?.rsplit_once('第')?.1.parse().ok()
}

fn refuse(code: &'static str, zh: &str, en: &str) -> ApiError {
    ApiError(Error::new(ErrorKind::Conflict, code, zh, en))
}

/// Render and store the case's on-the-spot decision. 409
/// `document.summary_only` for a case of the ordinary procedure, 409
/// `document.exists` when it was made already.
pub(super) async fn make(
    state: &AppState,
    caller: &Caller,
    (case, path): (&Case, &str),
    renderer: Arc<Renderer>,
    mut data: Value,
) -> Result<CaseDocument, ApiError> {
    let mut conn = state.store.acquire().await?;
    let Some(record) = cases::summary::<SummaryRecord>(&mut conn, &case.id).await? else {
        return Err(refuse(
            "document.summary_only",
            "当场行政处罚决定书只用于简易程序（当场处罚）的案件",
            "the on-the-spot decision belongs to cases decided under the summary procedure",
        ));
    };
    let procedure = cases::procedure(&mut conn, case).await?;
    let d = &record.decision;
    let year = chrono::Datelike::year(&d.date);
    let seq = seq_of(&d.form_number).ok_or_else(|| {
        tracing::error!(number = %d.form_number, "an on-the-spot form number is malformed");
        ApiError(Error::internal())
    })?;
    let roster = cases::roster(&mut conn, &case.township_id, d.date).await?;
    drop(conn);
    let officers: Vec<String> = d
        .officers
        .iter()
        .map(|id| match roster.iter().find(|o| &o.id == id) {
            Some(o) => match &o.credential {
                Some(c) => format!("{}（执法证号：{}）", o.name, c.number),
                None => o.name.clone(),
            },
            None => id.clone(),
        })
        .collect();
    let collected = record.collection.as_ref().map(|c| {
        format!(
            "当场收缴罚款，出具专用票据（编号 {}），{}交至行政机关",
            c.receipt_number, c.handed_over_on
        )
    });
    data["date"] = Value::from(d.date.to_string());
    data["agency"] = Value::from(d.agency.clone());
    data["document_number"] = Value::from(d.form_number.clone());
    data["party"] = procedure
        .party
        .as_ref()
        .map(party_fields)
        .unwrap_or(Value::Null);
    data["summary"] = json!({
        "violation": d.violation, "basis": d.basis,
        "penalty": d.penalty.describe(Lang::Zh), "correction": d.correction,
        "place": d.place, "officers": officers, "remedies": d.remedies,
        "signature": if matches!(d.signature, domain::case::summary::Signature::Signed) { "signed" } else { "refused" },
        "collected": collected,
    });
    let pdf = render(renderer, Kind::SummaryDecision, data.clone()).await?;
    let (sha256, size) = store_pdf(state, pdf).await?;
    let kind = Kind::SummaryDecision.code();
    let mut tx = state.store.begin_write().await?;
    if sd::documents_of(&mut tx, &case.id)
        .await?
        .iter()
        .any(|doc| doc.kind == kind)
    {
        return Err(refuse(
            "document.exists",
            "该案件的当场行政处罚决定书已经生成",
            "this case's on-the-spot decision was made already",
        ));
    }
    let doc = record_document(
        &mut tx,
        state,
        caller,
        path,
        NewDocument {
            case_id: &case.id,
            kind,
            agency: &case.township_code,
            year,
            seq,
            number: &d.form_number,
            sha256: &sha256,
            size,
            fields: &data,
            created_by: &caller.principal.name,
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sequence_is_read_from_the_printed_number() {
        assert_eq!(super::seq_of("宁城关当罚决字〔2026〕第12号"), Some(12));
        assert_eq!(super::seq_of("宁城关当罚决字〔2026〕12号"), None);
        assert_eq!(super::seq_of("第x号"), None);
    }
}
