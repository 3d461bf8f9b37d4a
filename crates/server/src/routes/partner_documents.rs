//! The case documents a partner agency receives with a transfer (Decree
//! 310 Art. 6): those of the kinds its package names
//! (`Package::document_kinds`) — the transfer letter, the investigation's
//! records, the notice of preserved items — and nothing else of the case
//! (`partner_may_see` decides per document). Reading one is audited.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::Error;
use domain::access::Permission;
use domain::case::transfer::{SharedWith, partner_may_see};
use serde_json::{Value, json};
use store::documents::{self as sd, CaseDocument};
use store::transfers::{self, Agency, StoredTransfer};

use super::case_documents::serve_document;
use super::transfers::for_partner;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The documents of the transfer's case that `agency` may see.
async fn shared_documents(
    conn: &mut store::Conn,
    agency: &Agency,
    t: &StoredTransfer,
) -> Result<Vec<CaseDocument>, ApiError> {
    let kinds = t
        .record
        .package
        .as_ref()
        .map(|p| p.document_kinds())
        .unwrap_or_default();
    let docs = sd::documents_of(conn, &t.case_id).await?;
    let materials: Vec<String> = docs
        .iter()
        .filter(|d| kinds.contains(&d.kind.as_str()))
        .map(|d| d.id.clone())
        .collect();
    let shared: Vec<SharedWith> = transfers::shared(t)
        .into_iter()
        .map(|s| SharedWith {
            materials: materials.clone(),
            ..s
        })
        .collect();
    Ok(docs
        .into_iter()
        .filter(|d| partner_may_see(&agency.id, &t.case_id, Some(&d.id), &shared))
        .collect())
}

/// The documents transferred with the case, oldest first; 404 unless the
/// transfer was sent to the caller's agency or it was asked to supervise.
#[utoipa::path(get, path = "/api/v1/partner/transfers/{id}/documents", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    caller.scope(Permission::ReceiveTransfers)?;
    let mut conn = state.store.acquire().await?;
    let (agency, t) = for_partner(&mut conn, &caller, &id).await?;
    let items = shared_documents(&mut conn, &agency, &t).await?;
    Ok(Json(json!({ "items": items })))
}

/// One transferred document as a PDF; 404 for a document of the case that
/// was not transferred (a decision letter, a prior notice …).
#[utoipa::path(get, path = "/api/v1/partner/transfers/{id}/documents/{doc_id}", tag = "cases",
    params(("id" = String, Path), ("doc_id" = String, Path)),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, doc_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    caller.scope(Permission::ReceiveTransfers)?;
    let mut tx = state.store.begin_write().await?;
    let (agency, t) = for_partner(&mut tx, &caller, &id).await?;
    let doc = shared_documents(&mut tx, &agency, &t)
        .await?
        .into_iter()
        .find(|d| d.id == doc_id)
        .ok_or_else(|| ApiError(Error::not_found("文书", "Document")))?;
    serve_document(&state, &caller, tx, &doc, &t.township_path).await
}
