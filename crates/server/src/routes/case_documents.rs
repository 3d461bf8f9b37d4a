//! The documents and evidence of a penalty case, and its archive (卷宗).
//!
//! * `POST /api/v1/cases/{id}/documents` makes a numbered PDF (one of the
//!   eleven kinds of the `documents` crate) from the case and the fields
//!   given: the next number of the township's sequence for that kind and
//!   year (文号, gap-free: taken in the transaction that stores the
//!   document), the agency (the township's people's government), the date
//!   and the case's cause are filled in; the PDF is stored by SHA-256 under
//!   the data folder (`documents/`).
//! * `POST /api/v1/cases/{id}/evidence` takes evidence files (photo, video,
//!   audio, document, camera record) as multipart, typed by their content,
//!   size-limited, streamed to the data folder (`evidence/`) with their
//!   SHA-256 and size recorded at upload, and starts each file's chain of
//!   custody; every download adds to it. A camera record names a camera
//!   that passed review (APL Art. 41) and is usable only once a person
//!   reviewed it (`POST /api/v1/cases/{id}/evidence/{evidence_id}/review`).
//! * `GET /api/v1/cases/{id}/archive` is the whole file as one ZIP with a
//!   signed manifest ([`archive`]; `yiwang archive verify` checks one).
//!
//! Files are always sent as attachments with the type found in their
//! content, never as anything a browser would run.
//!
//! The PDF renderer holds the CJK fonts (~90 MB): one is made for the
//! process at the first document and shared. Templates in the data
//! folder's `templates/` replace the built-in ones (see the `documents`
//! crate); missing fonts answer 503 `document.fonts`.

pub mod archive;
mod summary;

use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use documents::{DocError, Kind, Renderer};
use domain::access::{Permission, Scope};
use domain::case::numbering;
use domain::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use store::audit::{self, Change};
use store::cases::{self, Case};
use store::documents::{
    self as sd, CaseDocument, Custody, CustodyEntry, Evidence, EvidenceKind, NewDocument,
    NewEvidence,
};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

/// The largest evidence upload (all files of one request together).
pub const EVIDENCE_UPLOAD_LIMIT: u64 = 256 * 1024 * 1024;

/// Where documents and evidence files are kept in the data folder.
const DOCUMENTS_DIR: &str = "documents";
const EVIDENCE_DIR: &str = "evidence";

// ---------------------------------------------------------------------------
// The renderer: one per process.

static RENDERER: Mutex<Option<Arc<Renderer>>> = Mutex::new(None);

/// The process's renderer, made at the first call (fonts read from disk).
/// A failure is not kept: installing the fonts is enough to recover.
async fn renderer(state: &AppState) -> Result<Arc<Renderer>, ApiError> {
    let templates = state.settings.data.join("templates");
    let font_dirs: Vec<std::path::PathBuf> = match state.settings.font_dir.as_deref() {
        Some(dirs) if !dirs.is_empty() => std::env::split_paths(dirs).collect(),
        _ => documents::fonts::font_dirs_from_env(),
    };
    tokio::task::spawn_blocking(move || {
        let mut slot = RENDERER.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = slot.as_ref() {
            return Ok(r.clone());
        }
        let r = Arc::new(Renderer::with_font_dirs(Some(templates), &font_dirs)?);
        *slot = Some(r.clone());
        Ok(r)
    })
    .await
    .map_err(|_| ApiError(Error::internal()))?
    .map_err(|e| doc_error(None, e))
}

async fn render(renderer: Arc<Renderer>, kind: Kind, data: Value) -> Result<Vec<u8>, ApiError> {
    tokio::task::spawn_blocking(move || renderer.render(kind, &data))
        .await
        .map_err(|_| ApiError(Error::internal()))?
        .map_err(|e| doc_error(Some(kind), e))
}

/// A renderer's failure as the caller should see it: missing fonts are the
/// server's state (503), a missing field is the request's (422), a broken
/// template is named without its path (503; the log has typst's messages).
fn doc_error(kind: Option<Kind>, e: DocError) -> ApiError {
    let code = kind.map(Kind::code).unwrap_or("");
    match e {
        DocError::MissingFont { .. } | DocError::FontFile { .. } => {
            tracing::error!(error = %e, "the document fonts cannot be loaded");
            ApiError(Error::new(
                ErrorKind::Unavailable,
                "document.fonts",
                "暂时无法生成文书：服务器缺少排版字体（Noto Serif/Sans CJK SC），请管理员安装 fonts-noto-cjk",
                "documents cannot be made now: the server lacks the fonts (Noto Serif/Sans CJK SC); an administrator must install fonts-noto-cjk",
            ))
        }
        DocError::MissingField { field, .. } => ApiError(Error::invalid(
            "document.missing_field",
            format!("fields.{field}"),
            format!("文书 {code} 需要字段 {field}"),
            format!("the {code} document needs the field {field}"),
        )),
        DocError::NotAnObject { .. } => ApiError(Error::invalid(
            "document.fields",
            "fields",
            "fields 应为 JSON 对象",
            "fields must be a JSON object",
        )),
        other => {
            tracing::error!(error = %other, kind = code, "a document template failed");
            ApiError(Error::new(
                ErrorKind::Unavailable,
                "document.template",
                format!("文书模板 {code}.typ 有误，无法生成文书（详见服务器日志）"),
                format!(
                    "the template {code}.typ is broken; no document was made (see the server log)"
                ),
            ))
        }
    }
}

// ---------------------------------------------------------------------------
// Files in the data folder, by SHA-256.

fn is_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where a stored file lives: `<data>/<folder>/<ab>/<sha256>`.
fn blob_path(state: &AppState, folder: &str, sha256: &str) -> Result<PathBuf, ApiError> {
    if !is_digest(sha256) {
        tracing::error!(sha256, "a stored digest is malformed");
        return Err(ApiError(Error::internal()));
    }
    Ok(state
        .settings
        .data
        .join(folder)
        .join(&sha256[..2])
        .join(sha256))
}

fn io_failure(what: &str, e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "{what}");
    ApiError(Error::internal())
}

/// Store bytes by SHA-256: written to a temporary name, synced, then
/// renamed, so a file is either whole or absent.
fn store_blob(path: &FsPath, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(FsPath::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::now_v7().simple()));
    std::fs::write(&tmp, bytes)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// A file's bytes as a response body, read as it is sent.
fn file_body(file: tokio::fs::File) -> Body {
    use tokio::io::AsyncReadExt;
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Body::from_stream(stream)
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII
/// name for old clients and the real one percent-encoded.
fn attachment(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

fn download(
    mime: &str,
    name: &str,
    sha256: Option<&str>,
    size: Option<u64>,
    body: Body,
) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, attachment(name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; frame-ancestors 'none'"),
    );
    if let Some(v) = sha256.and_then(|s| HeaderValue::from_str(&format!("\"{s}\"")).ok()) {
        h.insert(header::ETAG, v);
    }
    if let Some(n) = size {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    resp
}

// ---------------------------------------------------------------------------
// The case and its agency.

/// A case inside the caller's scope, with its township's path.
async fn case_and_path(
    conn: &mut store::Conn,
    scope: &Scope,
    id: &str,
) -> Result<(Case, String), ApiError> {
    let case = cases::case_in(conn, scope, id).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError(Error::not_found("案件", "Case")),
        other => other.into(),
    })?;
    let town = store::org::jurisdiction_by_code(conn, &case.township_code).await?;
    Ok((case, town.path))
}

fn not_found(zh: &str, en: &str) -> impl Fn(store::StoreError) -> ApiError {
    let (zh, en) = (zh.to_string(), en.to_string());
    move |e| match e {
        store::StoreError::NotFound => ApiError(Error::not_found(&zh, &en)),
        other => other.into(),
    }
}

/// Deep merge: objects key by key, anything else replaced.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o,
    }
}

fn china_date_of(stored: &str) -> Option<String> {
    domain::time::from_storage(stored).map(|t| domain::time::china_date(t).to_string())
}

// ---------------------------------------------------------------------------
// Documents.

#[derive(Deserialize, ToSchema)]
pub struct NewDocumentRequest {
    /// The kind: filing_approval, inspection_record, inquiry_record,
    /// evidence_preservation_notice, prior_notice, hearing_notice,
    /// hearing_record, legal_review_opinion, penalty_decision,
    /// service_receipt, crime_transfer_letter, summary_decision (a case of
    /// the summary procedure: made from the recorded decision, with the
    /// form's number).
    pub kind: String,
    /// The template's fields (party, facts, evidence, legal_basis, …; see
    /// the documents crate's README). `agency` and `document_number` are
    /// set by the server; `date` (today), `seal` and `case.cause` /
    /// `case.filed_date` (from the case) may be given.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: Value,
}

/// A document of a case.
#[derive(Serialize, ToSchema)]
pub struct DocumentList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<CaseDocument>,
}

/// How often a document is rendered before its number is known (another
/// document of the same kind taking the number in between); the last
/// attempt renders while holding the number.
const OPTIMISTIC_RENDERS: usize = 2;

/// Make a document of the case: the next number of the township's
/// sequence for the kind and year (文号, without gaps), the PDF rendered
/// from the case and `fields`, stored by SHA-256, recorded and audited
/// (`case.document`). Answers 201 with the document (its `number`,
/// `sha256`, `size`); 422 `document.kind` for an unknown kind, 422
/// `document.missing_field` naming a field the template needs, 503
/// `document.fonts` when the server lacks the fonts.
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", tag = "cases",
    params(("id" = String, Path)), request_body = NewDocumentRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NewDocumentRequest>,
) -> ApiResult<(StatusCode, Json<CaseDocument>)> {
    let scope = caller.scope(Permission::FileCase)?;
    let kind = Kind::from_code(req.kind.trim()).ok_or_else(|| {
        let codes: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        ApiError(Error::invalid(
            "document.kind",
            "kind",
            format!("没有这种文书：{}（可选：{}）", req.kind, codes.join("、")),
            format!(
                "no document kind {} (one of {})",
                req.kind,
                codes.join(", ")
            ),
        ))
    })?;
    let fields = match req.fields {
        Value::Null => Value::Object(Default::default()),
        v @ Value::Object(_) => v,
        _ => {
            return Err(Error::invalid(
                "document.fields",
                "fields",
                "fields 应为 JSON 对象",
                "fields must be a JSON object",
            )
            .into());
        }
    };
    let (case, path, township, county) = {
        let mut conn = state.store.acquire().await?;
        let (case, path) = case_and_path(&mut conn, &scope, &id).await?;
        let (township, county) = sd::township_and_county(&mut conn, &case.township_code).await?;
        (case, path, township, county)
    };
    // fonts first: without them no number is taken
    let renderer = renderer(&state).await?;
    let agency_name = format!("{county}{township}人民政府");
    let short = numbering::agency_short(&county, &township);
    let today = domain::time::china_date(chrono::Utc::now());
    let year = chrono::Datelike::year(&today);
    let agency = case.township_code.clone();
    let mut data = serde_json::json!({
        "date": today.to_string(),
        "seal": format!("（{agency_name}印章）"),
        "case": {
            "id": case.id,
            "cause": case.title,
            "filed_date": china_date_of(&case.filed_at),
            "item_code": case.item_code,
            "item_name": case.item_name,
            "act_date": case.act_date,
        },
    });
    merge(&mut data, fields);
    if kind == Kind::SummaryDecision {
        let doc = summary::make(&state, &caller, (&case, &path), renderer, data).await?;
        return Ok((StatusCode::CREATED, Json(doc)));
    }
    data["agency"] = Value::from(agency_name.clone());
    let with_number = |data: &Value, seq: i64| {
        let mut d = data.clone();
        d["document_number"] =
            Value::from(numbering::document_number(&short, kind.code(), year, seq));
        d
    };

    for attempt in 0..=OPTIMISTIC_RENDERS {
        // Render with the number expected next, outside any transaction
        // (rendering takes a while and SQLite has one writer); the last
        // attempt renders holding the number instead.
        let early = if attempt < OPTIMISTIC_RENDERS {
            let mut conn = state.store.acquire().await?;
            let expected = sd::peek_next_number(&mut conn, &agency, kind.code(), year).await?;
            drop(conn);
            let d = with_number(&data, expected);
            let pdf = render(renderer.clone(), kind, d.clone()).await?;
            Some((expected, d, pdf))
        } else {
            None
        };
        let mut tx = state.store.begin_write().await?;
        cases::case_in(&mut tx, &scope, &case.id).await?;
        let seq = sd::next_number(&mut tx, &agency, kind.code(), year).await?;
        let (rendered, pdf) = match early {
            Some((expected, d, pdf)) if expected == seq => (d, pdf),
            Some(_) => {
                // another document took the number: try again
                tx.rollback().await.map_err(store::StoreError::from)?;
                continue;
            }
            None => {
                let d = with_number(&data, seq);
                let pdf = render(renderer.clone(), kind, d.clone()).await?;
                (d, pdf)
            }
        };
        let (sha256, size) = store_pdf(&state, pdf).await?;
        let number = rendered["document_number"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let doc = record_document(
            &mut tx,
            &state,
            &caller,
            &path,
            NewDocument {
                case_id: &case.id,
                kind: kind.code(),
                agency: &agency,
                year,
                seq,
                number: &number,
                sha256: &sha256,
                size,
                fields: &rendered,
                created_by: &caller.principal.name,
            },
        )
        .await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        return Ok((StatusCode::CREATED, Json(doc)));
    }
    Err(ApiError(Error::internal()))
}

/// Keep a rendered PDF by SHA-256 in the documents folder (whole or not at
/// all): its digest and size.
async fn store_pdf(state: &AppState, pdf: Vec<u8>) -> Result<(String, i64), ApiError> {
    let sha256 = hex::encode(Sha256::digest(&pdf));
    let file = blob_path(state, DOCUMENTS_DIR, &sha256)?;
    let size = pdf.len() as i64;
    tokio::task::spawn_blocking(move || store_blob(&file, &pdf))
        .await
        .map_err(|_| ApiError(Error::internal()))?
        .map_err(|e| io_failure("cannot store a document", e))?;
    Ok((sha256, size))
}

/// Record a stored document of the case in `tx`, with its audit entry
/// (`case.document`).
async fn record_document(
    tx: &mut store::Conn,
    state: &AppState,
    caller: &Caller,
    path: &str,
    new: NewDocument<'_>,
) -> Result<CaseDocument, ApiError> {
    let after = serde_json::json!({
        "case": new.case_id, "kind": new.kind, "number": new.number,
        "sha256": new.sha256, "size": new.size,
    });
    let doc = sd::insert_document(&mut *tx, new).await?;
    audit::append(
        tx,
        &state.audit_key,
        &caller.actor(path),
        Change {
            action: "case.document",
            object_type: "case_document",
            object_id: &doc.id,
            jurisdiction: path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    Ok(doc)
}

/// The documents of a case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentList),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentList>> {
    let scope = caller.scope(Permission::ViewCases)?;
    let mut conn = state.store.acquire().await?;
    let (case, _) = case_and_path(&mut conn, &scope, &id).await?;
    Ok(Json(DocumentList {
        items: sd::documents_of(&mut conn, &case.id).await?,
    }))
}

/// Download a document: the PDF as an attachment. The party's personal
/// data is in it, so the read is audited (`case.document_read`).
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents/{doc_id}", tag = "cases",
    params(("id" = String, Path), ("doc_id" = String, Path)),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, doc_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let scope = caller.scope(Permission::ViewCases)?;
    let mut tx = state.store.begin_write().await?;
    let (case, path) = case_and_path(&mut tx, &scope, &id).await?;
    let doc = sd::document_of(&mut tx, &case.id, &doc_id)
        .await
        .map_err(not_found("文书", "Document"))?;
    serve_document(&state, &caller, tx, &doc, &path).await
}

/// A stored document as a PDF download: checked against its SHA-256 (409
/// `document.altered`) and its reading audited (`case.document_read`) in
/// `tx`, which is committed.
pub(crate) async fn serve_document(
    state: &AppState,
    caller: &Caller,
    mut tx: store::Tx,
    doc: &CaseDocument,
    path: &str,
) -> ApiResult<Response> {
    let case_id = &doc.case_id;
    let file = blob_path(state, DOCUMENTS_DIR, &doc.sha256)?;
    let pdf = tokio::fs::read(&file)
        .await
        .map_err(|e| io_failure("a stored document cannot be read", e))?;
    if hex::encode(Sha256::digest(&pdf)) != doc.sha256 {
        tracing::error!(document = %doc.id, file = %file.display(), "a stored document was altered");
        return Err(ApiError(Error::new(
            ErrorKind::Conflict,
            "document.altered",
            "该文书的存档文件与登记的 SHA-256 不符，已记录",
            "the stored file of this document does not match its recorded SHA-256; this was logged",
        )));
    }
    let after = serde_json::json!({"case": case_id, "number": doc.number});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(path),
        Change {
            action: "case.document_read",
            object_type: "case_document",
            object_id: &doc.id,
            jurisdiction: path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let name = format!("{}-{}-{:04}.pdf", doc.kind, doc.year, doc.seq);
    Ok(download(
        "application/pdf",
        &name,
        Some(&doc.sha256),
        Some(pdf.len() as u64),
        Body::from(pdf),
    ))
}

// ---------------------------------------------------------------------------
// Evidence.

/// The type of a file by its first bytes (and, for ZIP- and OLE-based
/// office files, its name); `None` for anything not accepted as evidence.
pub fn sniff(head: &[u8], name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    let at = |i: usize, sig: &[u8]| head.len() >= i + sig.len() && &head[i..i + sig.len()] == sig;
    if let Some(image) = crate::routes::reports::photos::sniff_image(head) {
        return Some(image);
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Some("image/gif");
    }
    if at(4, b"ftyp") {
        let brand = head.get(8..12).unwrap_or_default();
        return Some(match brand {
            b"qt  " => "video/quicktime",
            b"M4A " | b"M4B " => "audio/mp4",
            b"heic" | b"heix" | b"mif1" | b"msf1" => "image/heic",
            _ => "video/mp4",
        });
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        let webm = head.windows(4).any(|w| w == b"webm");
        return Some(if webm {
            "video/webm"
        } else {
            "video/x-matroska"
        });
    }
    if at(0, b"RIFF") && at(8, b"AVI ") {
        return Some("video/x-msvideo");
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Some("audio/wav");
    }
    if at(0, b"FLV") {
        return Some("video/x-flv");
    }
    if head.len() > 188 && head[0] == 0x47 && head[188] == 0x47 {
        return Some("video/mp2t");
    }
    if at(0, b"ID3") || (head.len() > 1 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) {
        return Some("audio/mpeg");
    }
    if at(0, b"OggS") {
        return Some("audio/ogg");
    }
    if at(0, b"fLaC") {
        return Some("audio/flac");
    }
    if at(0, b"#!AMR") {
        return Some("audio/amr");
    }
    if at(0, b"%PDF-") {
        return Some("application/pdf");
    }
    if at(0, b"PK\x03\x04") {
        return match name.rsplit('.').next() {
            Some("docx") => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            Some("xlsx") => {
                Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            }
            Some("ofd") => Some("application/ofd"),
            _ => None,
        };
    }
    if at(0, &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return match name.rsplit('.').next() {
            Some("doc") => Some("application/msword"),
            Some("xls") => Some("application/vnd.ms-excel"),
            _ => None,
        };
    }
    None
}

/// The kind a file of this type is, when the upload does not say.
fn kind_of(mime: &str) -> EvidenceKind {
    match mime.split('/').next() {
        Some("image") => EvidenceKind::Photo,
        Some("video") => EvidenceKind::Video,
        Some("audio") => EvidenceKind::Audio,
        _ => EvidenceKind::Document,
    }
}

/// Whether a file of this type may be filed as this kind.
fn fits(kind: EvidenceKind, mime: &str) -> bool {
    let top = mime.split('/').next().unwrap_or("");
    match kind {
        EvidenceKind::Photo => top == "image",
        EvidenceKind::Video => top == "video",
        EvidenceKind::Audio => top == "audio",
        // scans are images
        EvidenceKind::Document => top == "application" || top == "image",
        EvidenceKind::CameraRecord => top == "image" || top == "video",
    }
}

/// The file extension for an archive path.
fn extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "image/heic" => "heic",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/webm" => "webm",
        "video/x-matroska" => "mkv",
        "video/x-msvideo" => "avi",
        "video/x-flv" => "flv",
        "video/mp2t" => "ts",
        "audio/mp4" => "m4a",
        "audio/wav" => "wav",
        "audio/mpeg" => "mp3",
        "audio/ogg" => "ogg",
        "audio/flac" => "flac",
        "audio/amr" => "amr",
        "application/pdf" => "pdf",
        "application/msword" => "doc",
        "application/vnd.ms-excel" => "xls",
        "application/ofd" => "ofd",
        m if m.ends_with("wordprocessingml.document") => "docx",
        m if m.ends_with("spreadsheetml.sheet") => "xlsx",
        _ => "bin",
    }
}

/// An uploaded file, streamed to a temporary file beside its final place.
struct Incoming {
    tmp: PathBuf,
    name: String,
    size: u64,
    sha256: String,
    head: Vec<u8>,
}

/// Temporary files removed unless kept.
struct TempFiles(Vec<PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// photo, video, audio, document or camera_record; found from the
    /// files' content when absent.
    kind: Option<String>,
    /// A note for every file of this upload.
    note: Option<String>,
    /// For camera_record (required): the camera's code or id; it must have
    /// passed legal and technical review and its place been published
    /// (APL Art. 41).
    camera: Option<String>,
    /// One or more files (repeat the part).
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
}

/// One evidence file with its chain of custody.
#[derive(Serialize, ToSchema)]
pub struct EvidenceView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub evidence: Evidence,
    #[schema(value_type = Vec<Object>)]
    pub custody: Vec<CustodyEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceList {
    pub items: Vec<EvidenceView>,
}

fn upload_error(e: multer::Error) -> ApiError {
    match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            too_large()
        }
        multer::Error::UnknownField { field_name } => {
            let f = field_name.unwrap_or_default();
            ApiError(Error::invalid(
                "body.multipart",
                f.clone(),
                format!("未知的上传字段 {f}（可用：kind、note、camera、file）"),
                format!("unknown upload field {f} (use kind, note, camera, file)"),
            ))
        }
        other => ApiError(Error::invalid(
            "body.multipart",
            "body",
            format!("无法读取上传内容：{other}"),
            format!("the upload could not be read: {other}"),
        )),
    }
}

fn too_large() -> ApiError {
    let mb = EVIDENCE_UPLOAD_LIMIT / (1024 * 1024);
    ApiError(Error::new(
        ErrorKind::TooLarge,
        "evidence.too_large",
        format!("一次上传的证据文件合计不得超过 {mb} MB"),
        format!("the evidence files of one upload may not exceed {mb} MB together"),
    ))
}

/// The text parts of an upload.
#[derive(Default)]
struct UploadFields {
    kind: Option<String>,
    note: Option<String>,
    camera: Option<String>,
}

/// Reads the multipart upload: `kind`, `note`, `camera` and `file` parts, each file
/// streamed to a temporary file in `dir` while its SHA-256 is computed.
async fn read_upload(
    headers: &HeaderMap,
    body: Body,
    dir: &FsPath,
    temps: &mut TempFiles,
) -> Result<(UploadFields, Vec<Incoming>), ApiError> {
    use tokio::io::AsyncWriteExt;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(ct).map_err(|_| {
        ApiError(Error::invalid(
            "body.content_type",
            "Content-Type",
            "请以 multipart/form-data 上传证据文件",
            "upload evidence as multipart/form-data",
        ))
    })?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > EVIDENCE_UPLOAD_LIMIT) {
        return Err(too_large());
    }
    let constraints = multer::Constraints::new()
        .allowed_fields(vec!["kind", "note", "camera", "file"])
        .size_limit(
            multer::SizeLimit::new()
                .whole_stream(EVIDENCE_UPLOAD_LIMIT)
                .per_field(EVIDENCE_UPLOAD_LIMIT)
                .for_field("kind", 64)
                .for_field("note", 4096)
                .for_field("camera", 256),
        );
    let mut mp =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let (mut fields, mut files) = (UploadFields::default(), Vec::new());
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io_failure("cannot create the evidence folder", e))?;
    while let Some(mut field) = mp.next_field().await.map_err(upload_error)? {
        match field.name().unwrap_or("") {
            "kind" => fields.kind = Some(field.text().await.map_err(upload_error)?),
            "note" => fields.note = Some(field.text().await.map_err(upload_error)?),
            "camera" => fields.camera = Some(field.text().await.map_err(upload_error)?),
            _ => {
                let name = field
                    .file_name()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("file{}", files.len() + 1));
                let tmp = dir.join(format!(".upload-{}", uuid::Uuid::now_v7().simple()));
                temps.0.push(tmp.clone());
                let mut out = tokio::fs::File::create(&tmp)
                    .await
                    .map_err(|e| io_failure("cannot write an upload", e))?;
                let mut hasher = Sha256::new();
                let mut head = Vec::new();
                let mut size: u64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
                    if head.len() < 512 {
                        let take = (512 - head.len()).min(chunk.len());
                        head.extend_from_slice(&chunk[..take]);
                    }
                    hasher.update(&chunk);
                    size += chunk.len() as u64;
                    out.write_all(&chunk)
                        .await
                        .map_err(|e| io_failure("cannot write an upload", e))?;
                }
                out.sync_all()
                    .await
                    .map_err(|e| io_failure("cannot write an upload", e))?;
                files.push(Incoming {
                    tmp,
                    name,
                    size,
                    sha256: hex::encode(hasher.finalize()),
                    head,
                });
            }
        }
    }
    Ok((fields, files))
}

/// Upload evidence files to a case: multipart/form-data with one or more
/// `file` parts, an optional `kind` (photo, video, audio, document,
/// camera_record; found from the content when absent) and `note`. Each
/// file is typed by its content (JPEG/PNG/WebP/GIF/HEIC, MP4/MOV/WebM/
/// MKV/AVI/FLV/TS, MP3/M4A/WAV/OGG/FLAC/AMR, PDF, DOC/DOCX/XLS/XLSX/OFD),
/// at most 256 MB per upload, its SHA-256 and size recorded, its chain of
/// custody started (`upload`), and the upload audited (`case.evidence`).
/// Answers 201 with the files; 413 `evidence.too_large`, 422
/// `evidence.type` / `evidence.kind` otherwise, nothing stored.
#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence", tag = "cases",
    params(("id" = String, Path)),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = EvidenceList),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: Request,
) -> ApiResult<(StatusCode, Json<EvidenceList>)> {
    let scope = caller.scope(Permission::FileCase)?;
    // the case before the body: a stranger's upload is never read
    let case = {
        let mut conn = state.store.acquire().await?;
        case_and_path(&mut conn, &scope, &id).await?.0
    };
    let (parts, body) = req.into_parts();
    let root = state.settings.data.join(EVIDENCE_DIR);
    let mut temps = TempFiles(Vec::new());
    let (fields, files) = read_upload(&parts.headers, body, &root, &mut temps).await?;
    let UploadFields { kind, note, camera } = fields;
    if files.is_empty() {
        return Err(Error::invalid(
            "body.required",
            "file",
            "没有上传文件（file 字段）",
            "no file was uploaded (the file part)",
        )
        .into());
    }
    let kind = match kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(EvidenceKind::parse(k).ok_or_else(|| {
            ApiError(Error::invalid(
                "evidence.kind",
                "kind",
                format!("证据种类应为 photo、video、audio、document 或 camera_record，而不是 {k}"),
                format!("kind must be photo, video, audio, document or camera_record, not {k}"),
            ))
        })?),
    };
    let note = note.filter(|n| !n.trim().is_empty());
    let camera = camera
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    // APL Art. 41: a camera record names a camera that passed review
    let camera_id = match (kind, camera) {
        (Some(EvidenceKind::CameraRecord), None) => {
            return Err(Error::invalid(
                "evidence.art41_camera_required",
                "camera",
                "《行政处罚法》第四十一条：电子技术监控记录须写明摄像头（camera 字段：编号或 id）",
                "APL Art. 41: a camera record must name its camera (the camera field: its code or id)",
            )
            .into());
        }
        (Some(EvidenceKind::CameraRecord), Some(c)) => {
            let mut conn = state.store.acquire().await?;
            Some(usable_camera(&mut conn, &case, &c).await?)
        }
        (_, Some(_)) => {
            return Err(Error::invalid(
                "evidence.art41_camera_kind",
                "camera",
                "camera 字段只用于 camera_record（电子技术监控记录）证据",
                "the camera field is only for camera_record evidence",
            )
            .into());
        }
        (_, None) => None,
    };
    let mut typed = Vec::new();
    for f in &files {
        let Some(mime) = sniff(&f.head, &f.name) else {
            return Err(Error::invalid(
                "evidence.type",
                "file",
                format!("文件 {} 不是可接受的照片、视频、录音或文档（按内容检查）", f.name),
                format!(
                    "file {} is not an accepted photo, video, audio recording or document (checked by content)",
                    f.name
                ),
            )
            .into());
        };
        let k = kind.unwrap_or_else(|| kind_of(mime));
        if !fits(k, mime) {
            return Err(Error::invalid(
                "evidence.kind",
                "kind",
                format!(
                    "文件 {} 的内容是 {mime}，不能作为 {} 证据",
                    f.name,
                    k.as_str()
                ),
                format!(
                    "file {} holds {mime}, which is not {} evidence",
                    f.name,
                    k.as_str()
                ),
            )
            .into());
        }
        typed.push((k, mime));
    }
    // into place by digest: a file is either whole or absent
    for f in &files {
        let dest = blob_path(&state, EVIDENCE_DIR, &f.sha256)?;
        let tmp = f.tmp.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if dest.exists() {
                return Ok(());
            }
            std::fs::create_dir_all(dest.parent().unwrap_or(FsPath::new(".")))?;
            std::fs::rename(&tmp, &dest)
        })
        .await
        .map_err(|_| ApiError(Error::internal()))?
        .map_err(|e| io_failure("cannot store an evidence file", e))?;
    }
    drop(temps);
    let mut tx = state.store.begin_write().await?;
    let (case, path) = case_and_path(&mut tx, &scope, &case.id).await?;
    let mut items = Vec::new();
    for (f, (k, mime)) in files.iter().zip(typed) {
        let e = sd::insert_evidence(
            &mut tx,
            NewEvidence {
                case_id: &case.id,
                kind: k,
                sha256: &f.sha256,
                size: f.size as i64,
                mime,
                name: &f.name,
                note: note.as_deref(),
                uploaded_by: &caller.principal.name,
                camera_id: camera_id.as_deref(),
            },
        )
        .await?;
        let custody = sd::custody_of(&mut tx, &e.id).await?;
        items.push(EvidenceView {
            evidence: e,
            custody,
        });
    }
    let after = serde_json::json!({
        "case": case.id,
        "files": items.iter().map(|i| serde_json::json!({
            "id": i.evidence.id, "kind": i.evidence.kind, "sha256": i.evidence.sha256,
            "size": i.evidence.size, "mime": i.evidence.mime, "name": i.evidence.name,
        })).collect::<Vec<_>>(),
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&path),
        Change {
            action: "case.evidence",
            object_type: "case",
            object_id: &case.id,
            jurisdiction: &path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(EvidenceList { items })))
}

/// The id of the camera named by a camera record, if it is known, in the
/// case's township and passed legal and technical review with its place
/// published (APL Art. 41); a 422 naming the `camera` field otherwise.
async fn usable_camera(conn: &mut store::Conn, case: &Case, key: &str) -> Result<String, ApiError> {
    let cam = match store::cameras::by_code_or_id(conn, key).await {
        Ok(c) if c.township == case.township_code => c,
        Ok(_) | Err(store::StoreError::NotFound) => {
            return Err(Error::invalid(
                "evidence.art41_camera_unknown",
                "camera",
                format!("《行政处罚法》第四十一条：本乡镇没有摄像头 {key}（camera 字段）"),
                format!("APL Art. 41: no camera {key} in the case's township (the camera field)"),
            )
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    if cam.status != domain::camera::Status::Reviewed || !cam.published {
        return Err(Error::invalid(
            "evidence.art41_camera_not_reviewed",
            "camera",
            format!(
                "《行政处罚法》第四十一条：摄像头 {} 未经法制和技术审核或设置地点未公布，其记录不能作为证据（camera 字段）",
                cam.code
            ),
            format!(
                "APL Art. 41: camera {} has not passed legal and technical review or its place is not published; its records cannot be evidence (the camera field)",
                cam.code
            ),
        )
        .into());
    }
    Ok(cam.id)
}

/// A person's review of a camera record (APL Art. 41).
#[derive(Deserialize, ToSchema)]
pub struct EvidenceReviewRequest {
    /// The reviewer checked that the record is accurate (must be true).
    pub accurate: bool,
    /// The reviewer checked that the record is complete (must be true).
    pub complete: bool,
    /// The day the party was told of the record and that they may view it
    /// and object, YYYY-MM-DD (not in the future).
    pub party_informed_on: Option<String>,
    /// A note kept in the chain of custody.
    pub note: Option<String>,
}

fn art41(code: &'static str, field: &str, zh: String, en: String) -> ApiError {
    ApiError(Error::invalid(code, field, zh, en))
}

/// Review a camera record (APL Art. 41): a person (a user's session, not an
/// integration token) with FileCase confirms the record is accurate and complete and gives the day the
/// party was told (`party_informed_on`); the record becomes usable, the
/// review joins its chain of custody and is audited
/// (`case.evidence_review`). 422 `case.art41_*` naming the field when the
/// file is not a camera record, is already reviewed, is reviewed by a
/// token, or the review is not accurate and complete or lacks the day.
#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence/{evidence_id}/review", tag = "cases",
    params(("id" = String, Path), ("evidence_id" = String, Path)),
    request_body = EvidenceReviewRequest,
    responses((status = 200, body = EvidenceView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn review_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, evidence_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<EvidenceReviewRequest>,
) -> ApiResult<Json<EvidenceView>> {
    let scope = caller.scope(Permission::FileCase)?;
    let mut tx = state.store.begin_write().await?;
    let (case, path) = case_and_path(&mut tx, &scope, &id).await?;
    let e = sd::evidence_of(&mut tx, &case.id, &evidence_id)
        .await
        .map_err(not_found("证据", "Evidence"))?;
    if e.kind != EvidenceKind::CameraRecord {
        return Err(art41(
            "case.art41_not_camera_record",
            "evidence_id",
            format!(
                "《行政处罚法》第四十一条的审核只适用于电子技术监控记录，{} 不是",
                e.name
            ),
            format!(
                "the APL Art. 41 review is for camera records only; {} is not one",
                e.name
            ),
        ));
    }
    if e.usable {
        return Err(art41(
            "case.art41_already_reviewed",
            "evidence_id",
            format!(
                "该电子技术监控记录已由 {} 审核",
                e.reviewed_by.as_deref().unwrap_or("")
            ),
            format!(
                "this camera record was already reviewed by {}",
                e.reviewed_by.as_deref().unwrap_or("")
            ),
        ));
    }
    if caller.principal.user_id.is_none() || caller.principal.token_permissions.is_some() {
        return Err(art41(
            "case.art41_reviewer_person",
            "evidence_id",
            "《行政处罚法》第四十一条：电子技术监控记录须由执法人员本人审核，不能由接口令牌审核"
                .into(),
            "APL Art. 41: a camera record is reviewed by a person, not by an integration token"
                .into(),
        ));
    }
    for (ok, field) in [(req.accurate, "accurate"), (req.complete, "complete")] {
        if !ok {
            return Err(art41(
                "case.art41_record_not_confirmed",
                field,
                format!(
                    "《行政处罚法》第四十一条：记录须经审核确认真实、清晰、完整、准确（{field} 应为 true）"
                ),
                format!(
                    "APL Art. 41: the reviewer must confirm the record is accurate and complete ({field} must be true)"
                ),
            ));
        }
    }
    let informed = req
        .party_informed_on
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .ok_or_else(|| {
            art41(
                "case.art41_party_informed_on",
                "party_informed_on",
                "《行政处罚法》第四十一条：请填写告知当事人的日期（party_informed_on，YYYY-MM-DD）"
                    .into(),
                "APL Art. 41: give the day the party was told (party_informed_on, YYYY-MM-DD)"
                    .into(),
            )
        })?;
    let today = domain::time::china_date(chrono::Utc::now());
    let day = chrono::NaiveDate::parse_from_str(informed, "%Y-%m-%d")
        .ok()
        .filter(|d| *d <= today)
        .ok_or_else(|| {
            art41(
                "case.art41_party_informed_on",
                "party_informed_on",
                format!("告知当事人的日期 {informed} 应为不晚于今天的 YYYY-MM-DD 日期"),
                format!("party_informed_on {informed} must be a YYYY-MM-DD date not after today"),
            )
        })?;
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let day = day.to_string();
    if !sd::review_camera_record(&mut tx, &e.id, &caller.principal.name, &day, note).await? {
        return Err(art41(
            "case.art41_already_reviewed",
            "evidence_id",
            "该电子技术监控记录已审核".into(),
            "this camera record was already reviewed".into(),
        ));
    }
    let after = serde_json::json!({
        "case": case.id, "evidence": e.id, "accurate": true, "complete": true,
        "party_informed_on": day, "note": note,
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&path),
        Change {
            action: "case.evidence_review",
            object_type: "case",
            object_id: &case.id,
            jurisdiction: &path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    let evidence = sd::evidence_of(&mut tx, &case.id, &e.id).await?;
    let custody = sd::custody_of(&mut tx, &e.id).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Json(EvidenceView { evidence, custody }))
}

/// The evidence files of a case with their chains of custody.
#[utoipa::path(get, path = "/api/v1/cases/{id}/evidence", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, body = EvidenceList),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<EvidenceList>> {
    let scope = caller.scope(Permission::ViewCases)?;
    let mut conn = state.store.acquire().await?;
    let (case, _) = case_and_path(&mut conn, &scope, &id).await?;
    let mut items = Vec::new();
    for e in sd::evidence_list(&mut conn, &case.id).await? {
        let custody = sd::custody_of(&mut conn, &e.id).await?;
        items.push(EvidenceView {
            evidence: e,
            custody,
        });
    }
    Ok(Json(EvidenceList { items }))
}

/// Download an evidence file as an attachment, with the type found in its
/// content; the chain of custody records the view.
#[utoipa::path(get, path = "/api/v1/cases/{id}/evidence/{evidence_id}", tag = "cases",
    params(("id" = String, Path), ("evidence_id" = String, Path)),
    responses((status = 200, description = "The file as uploaded", content_type = "application/octet-stream"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, evidence_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let scope = caller.scope(Permission::ViewCases)?;
    let mut tx = state.store.begin_write().await?;
    let (case, _) = case_and_path(&mut tx, &scope, &id).await?;
    let e = sd::evidence_of(&mut tx, &case.id, &evidence_id)
        .await
        .map_err(not_found("证据", "Evidence"))?;
    let file = tokio::fs::File::open(blob_path(&state, EVIDENCE_DIR, &e.sha256)?)
        .await
        .map_err(|err| io_failure("a stored evidence file cannot be read", err))?;
    sd::add_custody(&mut tx, &e.id, Custody::View, &caller.principal.name, None).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(download(
        &e.mime,
        &e.name,
        Some(&e.sha256),
        Some(e.size as u64),
        file_body(file),
    ))
}

// ---------------------------------------------------------------------------
// The archive.

/// The case file (卷宗) as one ZIP: every document (`documents/…pdf`),
/// every evidence file (`evidence/…`) and `manifest.json` with each file's
/// path, SHA-256 and size as recorded, the case, the time and an
/// HMAC-SHA256 of the manifest keyed with the audit key. Check one with
/// `yiwang archive verify FILE [--key-file audit.key]`. Every evidence
/// file's chain of custody records the export, and the export is audited
/// (`case.archive_export`).
#[utoipa::path(get, path = "/api/v1/cases/{id}/archive", tag = "cases",
    params(("id" = String, Path)),
    responses((status = 200, description = "The archive", content_type = "application/zip"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let scope = caller.scope(Permission::ViewCases)?;
    let (case, docs, evidence) = {
        let mut conn = state.store.acquire().await?;
        let (case, _) = case_and_path(&mut conn, &scope, &id).await?;
        let docs = sd::documents_of(&mut conn, &case.id).await?;
        let mut evidence = Vec::new();
        for e in sd::evidence_list(&mut conn, &case.id).await? {
            let custody = sd::custody_of(&mut conn, &e.id).await?;
            evidence.push((e, custody));
        }
        (case, docs, evidence)
    };
    let mut entries = Vec::new();
    for d in &docs {
        let mut about = serde_json::Map::new();
        about.insert("type".into(), Value::from("document"));
        about.insert("id".into(), Value::from(d.id.clone()));
        about.insert("kind".into(), Value::from(d.kind.clone()));
        about.insert("number".into(), Value::from(d.number.clone()));
        about.insert("created_by".into(), Value::from(d.created_by.clone()));
        about.insert("created_at".into(), Value::from(d.created_at.clone()));
        entries.push(archive::Entry {
            path: format!("documents/{}-{}-{:04}.pdf", d.kind, d.year, d.seq),
            source: blob_path(&state, DOCUMENTS_DIR, &d.sha256)?,
            sha256: d.sha256.clone(),
            size: d.size as u64,
            about,
            compress: true,
        });
    }
    for (i, (e, custody)) in evidence.iter().enumerate() {
        let mut about = serde_json::Map::new();
        about.insert("type".into(), Value::from("evidence"));
        about.insert("id".into(), Value::from(e.id.clone()));
        about.insert("kind".into(), Value::from(e.kind.as_str()));
        about.insert("mime".into(), Value::from(e.mime.clone()));
        about.insert("name".into(), Value::from(e.name.clone()));
        about.insert("uploaded_by".into(), Value::from(e.uploaded_by.clone()));
        about.insert("uploaded_at".into(), Value::from(e.uploaded_at.clone()));
        about.insert(
            "custody".into(),
            serde_json::to_value(custody).unwrap_or_default(),
        );
        entries.push(archive::Entry {
            path: format!(
                "evidence/{:03}-{}-{}.{}",
                i + 1,
                e.kind.as_str(),
                &e.sha256[..12.min(e.sha256.len())],
                extension(&e.mime)
            ),
            source: blob_path(&state, EVIDENCE_DIR, &e.sha256)?,
            sha256: e.sha256.clone(),
            size: e.size as u64,
            about,
            compress: false,
        });
    }
    // built in a file beside the others, sent, and removed
    let dir = state.settings.data.join("archives");
    let tmp = dir.join(format!(".build-{}.zip", uuid::Uuid::now_v7().simple()));
    let case_json = serde_json::to_value(&case).unwrap_or_default();
    let generated_at = store::util::now();
    let by = caller.principal.name.clone();
    let key = state.audit_key.clone();
    let built = tmp.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let file = std::fs::File::create(&built)?;
        archive::write(file, case_json, &generated_at, &by, &entries, &key)?;
        Ok(())
    })
    .await
    .map_err(|_| ApiError(Error::internal()))?
    .map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_failure("cannot build a case archive", e)
    })?;
    let file = tokio::fs::File::open(&tmp).await;
    let size = std::fs::metadata(&tmp).map(|m| m.len()).ok();
    // the open file stays readable after its name is gone
    let _ = std::fs::remove_file(&tmp);
    let file = file.map_err(|e| io_failure("cannot read a case archive", e))?;

    let mut tx = state.store.begin_write().await?;
    let (case, path) = case_and_path(&mut tx, &scope, &case.id).await?;
    for (e, _) in &evidence {
        sd::add_custody(
            &mut tx,
            &e.id,
            Custody::Export,
            &caller.principal.name,
            Some("卷宗导出 archive"),
        )
        .await?;
    }
    let after = serde_json::json!({
        "case": case.id, "documents": docs.len(), "evidence": evidence.len(),
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&path),
        Change {
            action: "case.archive_export",
            object_type: "case",
            object_id: &case.id,
            jurisdiction: &path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let name = format!("case-{}.zip", case.id);
    Ok(download(
        "application/zip",
        &name,
        None,
        size,
        file_body(file),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fonts_are_503_with_a_clear_message() {
        let e = doc_error(
            Some(Kind::PenaltyDecision),
            DocError::MissingFont {
                family: "Noto Serif CJK SC".into(),
                searched: vec![PathBuf::from("/nowhere")],
            },
        );
        assert_eq!(e.0.kind, ErrorKind::Unavailable);
        assert_eq!(e.0.code, "document.fonts");
        assert!(e.0.zh.contains("fonts-noto-cjk"));
        assert!(!e.0.en.contains("/nowhere"), "no server path is shown");
        let e = doc_error(
            Some(Kind::PenaltyDecision),
            DocError::MissingField {
                template: "penalty_decision.typ (built-in)".into(),
                field: "facts".into(),
                location: "penalty_decision.typ:40:3".into(),
            },
        );
        assert_eq!(e.0.kind, ErrorKind::Invalid);
        assert_eq!(e.0.field.as_deref(), Some("fields.facts"));
    }

    #[test]
    fn files_are_typed_by_content_not_name() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest", "x.mp4"), Some("image/jpeg"));
        assert_eq!(
            sniff(b"\x00\x00\x00\x18ftypmp42rest", "clip"),
            Some("video/mp4")
        );
        assert_eq!(sniff(b"ID3\x04rest", "a"), Some("audio/mpeg"));
        assert_eq!(sniff(b"%PDF-1.7", "a.jpg"), Some("application/pdf"));
        assert_eq!(sniff(b"<html><script>", "a.pdf"), None);
        assert_eq!(sniff(b"<svg xmlns=", "a.png"), None);
        assert_eq!(sniff(b"PK\x03\x04", "a.zip"), None);
        assert!(fits(EvidenceKind::CameraRecord, "video/mp4"));
        assert!(!fits(EvidenceKind::Photo, "application/pdf"));
        assert_eq!(kind_of("audio/amr"), EvidenceKind::Audio);
    }

    #[test]
    fn merge_is_deep_and_replaces_leaves() {
        let mut base = serde_json::json!({"case": {"cause": "a", "id": "1"}, "date": "x"});
        merge(
            &mut base,
            serde_json::json!({"case": {"cause": "b"}, "facts": "f"}),
        );
        assert_eq!(
            base,
            serde_json::json!({"case": {"cause": "b", "id": "1"}, "date": "x", "facts": "f"})
        );
    }

    #[test]
    fn attachment_names_are_safe() {
        let v = attachment("现场照片 1\".jpg");
        let s = v.to_str().unwrap();
        assert!(s.starts_with("attachment; filename=\""));
        assert!(!s.contains("照"));
        assert!(s.contains("filename*=UTF-8''%E7%8E%B0"));
    }
}
