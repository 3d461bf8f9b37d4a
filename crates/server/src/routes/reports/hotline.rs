//! Batch import of 12345 hotline records (CSV or XLSX). Every row is
//! checked and located first; a batch with any bad row imports nothing and
//! names each row. Each record then goes through the one intake with its
//! ticket number as the retry key, so importing a batch twice (or resuming
//! after a failure) creates every report once.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use domain::Error;
use domain::access::Permission;
use domain::report::hotline;
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use utoipa::{IntoParams, ToSchema};
use yiwang_geo::{Crs, LonLat};

use super::intake::{NewReportRequest, Source, intake};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Hotline records are reported under this name: their ticket numbers are
/// unique within it, whoever imports them.
const REPORTER: &str = "hotline:12345";

#[derive(Deserialize, IntoParams)]
pub struct HotlineQuery {
    /// csv or xlsx (default: by content).
    pub format: Option<String>,
    /// Check only (default true): nothing is stored.
    pub dry_run: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct RowProblem {
    pub row: usize,
    pub ticket: Option<String>,
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct HotlineImport {
    pub dry_run: bool,
    /// Records read and checked.
    pub rows: usize,
    /// Reports created by this import.
    pub created: usize,
    /// Records whose ticket had already been imported.
    pub existing: usize,
    pub errors: Vec<RowProblem>,
    /// The reports, in row order (created or existing).
    pub report_ids: Vec<String>,
}

/// Import a batch of 12345 hotline records (the body: a CSV or XLSX file
/// with the columns 工单编号, 受理时间, 诉求内容, 事发地址, 经度, 纬度, 坐标系,
/// 诉求类型). Dry run by default; with `dry_run=false` and no bad row every
/// record becomes a report of channel `hotline`.
#[utoipa::path(post, path = "/api/v1/reports/import", tag = "one net", params(HotlineQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = HotlineImport),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn import_hotline(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HotlineQuery>,
    body: Bytes,
) -> ApiResult<Json<HotlineImport>> {
    let scope = caller.scope(Permission::SubmitReport)?;
    let dry_run = q.dry_run.unwrap_or(true);
    let format = match q.format.as_deref() {
        Some(f) => f.to_string(),
        // an XLSX file is a ZIP archive
        None if body.starts_with(b"PK\x03\x04") => "xlsx".into(),
        None => "csv".into(),
    };
    let (headers, rows) = powerlist::read_table(&format, &body).map_err(|e| {
        ApiError(Error::invalid(
            "hotline.file",
            "body",
            format!("无法读取热线工单文件（CSV 或 XLSX）：{e}"),
            format!("the hotline file (CSV or XLSX) could not be read: {e}"),
        ))
    })?;
    let (records, row_errors) = hotline::parse(&headers, &rows);
    let mut errors: Vec<RowProblem> = row_errors
        .into_iter()
        .map(|e| RowProblem {
            row: e.row,
            ticket: e.ticket,
            field: e.field,
            message_zh: e.zh,
            message_en: e.en,
        })
        .collect();
    // Locate every record, and check it lies where the caller may report.
    let row_of = |ticket: &str| {
        rows.iter()
            .position(|r| r.iter().any(|c| c.trim() == ticket))
            .map(|i| i + 2)
            .unwrap_or(0)
    };
    let mut conn = state.store.acquire().await?;
    for rec in &records {
        let crs = Crs::parse(&rec.crs).unwrap_or(Crs::Gcj02);
        let place = match crate::routes::grids::locate_point(
            &state,
            LonLat::new(rec.lon, rec.lat),
            crs,
            rec.received_at,
        )
        .await
        {
            Ok(p) => p,
            Err(e) => {
                errors.push(RowProblem {
                    row: row_of(&rec.ticket),
                    ticket: Some(rec.ticket.clone()),
                    field: "lon".into(),
                    message_zh: e.0.zh.clone(),
                    message_en: e.0.en.clone(),
                });
                continue;
            }
        };
        let town = store::org::jurisdiction_by_code(&mut conn, &place.township.code).await?;
        if !scope.covers(&town.path) {
            errors.push(RowProblem {
                row: row_of(&rec.ticket),
                ticket: Some(rec.ticket.clone()),
                field: "lon".into(),
                message_zh: format!("该位置属于{}，不在您的辖区内", town.name),
                message_en: format!(
                    "this place lies in {}, outside your jurisdiction",
                    town.name
                ),
            });
        }
    }
    drop(conn);
    errors.sort_by_key(|e| e.row);
    let mut out = HotlineImport {
        dry_run,
        rows: rows
            .iter()
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .count(),
        created: 0,
        existing: 0,
        errors,
        report_ids: vec![],
    };
    if dry_run || !out.errors.is_empty() {
        return Ok(Json(out));
    }
    let root = scope.roots().first().cloned().unwrap_or_default();
    let from = Source::Outside {
        reporter: REPORTER.into(),
        actor: caller.actor(&root),
    };
    for rec in records {
        let description = if rec.address.is_empty() {
            rec.content.clone()
        } else {
            format!("{}（{}）", rec.content, rec.address)
        };
        let (created, report) = intake(
            &state,
            &from,
            Some(rec.ticket.clone()),
            NewReportRequest {
                channel: "hotline".into(),
                description,
                lon: rec.lon,
                lat: rec.lat,
                crs: Some(rec.crs.clone()),
                item_code: None,
                occurred_at: Some(store::util::ts(rec.received_at)),
                urgency: None,
            },
            vec![],
        )
        .await?;
        if created {
            out.created += 1;
        } else {
            out.existing += 1;
        }
        out.report_ids.push(report.id);
    }
    let mut conn = state.store.acquire().await?;
    let after =
        serde_json::json!({"rows": out.rows, "created": out.created, "existing": out.existing});
    audit::append(
        &mut conn,
        &state.audit_key,
        &caller.actor(&root),
        Change {
            action: "report.import_hotline",
            object_type: "report_batch",
            object_id: REPORTER,
            jurisdiction: &root,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    Ok(Json(out))
}
