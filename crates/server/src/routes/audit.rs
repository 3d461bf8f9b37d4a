//! Reading the audit record (there is no way to change it through the API).

use axum::Json;
use axum::extract::{Query, State};
use domain::access::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::org::{Paged, paging};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub jurisdiction: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub request_id: String,
    pub before_digest: String,
    pub after_digest: String,
    pub hash: String,
}

/// Audit entries inside the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "identity", params(AuditQuery),
    responses((status = 200, body = Paged<AuditEntryView>),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Paged<AuditEntryView>>> {
    let scope = caller.scope(Permission::ViewAudit)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let filter = store::audit::Filter {
        action: q.action,
        actor: q.actor,
        object_type: q.object_type,
        object_id: q.object_id,
    };
    let mut conn = state.store.acquire().await?;
    let (entries, total) = store::audit::list(
        &mut conn,
        &scope,
        &filter,
        per_page,
        u64::from((page - 1) * per_page),
    )
    .await?;
    let items = entries
        .into_iter()
        .map(|e| AuditEntryView {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            role: e.role,
            jurisdiction: e.jurisdiction,
            action: e.action,
            object_type: e.object_type,
            object_id: e.object_id,
            request_id: e.request_id,
            before_digest: e.before_digest,
            after_digest: e.after_digest,
            hash: e.hash,
        })
        .collect();
    Ok(Json(Paged {
        items,
        page,
        per_page,
        total,
    }))
}
