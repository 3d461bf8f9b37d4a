//! The power and responsibility list: public search and detail, flowcharts,
//! version history, the basis in force for an act (APL Art. 37), devolution
//! (Art. 24), duty access, import and export.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::access::{Permission, Scope};
use domain::powerlist::{Item, choose_basis, flowchart_svg};
use domain::{Error, ErrorKind, Lang};
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use store::powerlist as pl;
use utoipa::{IntoParams, ToSchema};

use super::org::{Paged, paging};
use super::users::jurisdiction_in;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::lang::ReqLang;
use crate::state::AppState;

fn item_not_found(code: &str) -> ApiError {
    ApiError(Error::new(
        ErrorKind::NotFound,
        "powerlist.not_found",
        format!("权责清单中没有事项 {code}"),
        format!("no item {code} on the power list"),
    ))
}

async fn stored(conn: &mut store::Conn, code: &str) -> Result<pl::Stored, ApiError> {
    pl::by_code(conn, code).await.map_err(|e| match e {
        store::StoreError::NotFound => item_not_found(code),
        other => other.into(),
    })
}

/// A public township by code (the list is public: no scope needed).
async fn township(
    conn: &mut store::Conn,
    code: &str,
) -> Result<store::org::Jurisdiction, ApiError> {
    match store::org::jurisdiction_by_code(conn, code).await {
        Ok(j) if j.level.is_township() => Ok(j),
        Ok(_) | Err(store::StoreError::NotFound) => Err(Error::invalid(
            "powerlist.township",
            "township",
            format!("没有代码为 {code} 的乡镇（街道）"),
            format!("no township has code {code}"),
        )
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// The county-wide list is kept by whoever holds the permission at county level.
fn county_scope(caller: &Caller) -> Result<Scope, ApiError> {
    let scope = caller.scope(Permission::ManagePowerList)?;
    if !scope.covers_a_county() {
        return Err(ApiError(Error::new(
            ErrorKind::Forbidden,
            "powerlist.county_only",
            "权责清单和赋权决定由县级维护",
            "the power list and devolution decisions are kept at county level",
        )));
    }
    Ok(scope)
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Words to search for (segmented; ranked).
    pub q: Option<String>,
    /// Only items this township holds (division code).
    pub township: Option<String>,
    /// Field in Chinese, e.g. 城市管理.
    pub field: Option<String>,
    /// Kind in Chinese, e.g. 行政处罚.
    pub kind: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ItemSummary {
    pub code: String,
    pub name: String,
    /// The name as HTML with the matched words in `<mark>`.
    pub name_html: String,
    pub kind: String,
    pub field: String,
    pub version: i64,
    /// Relevance when searching (higher first).
    pub score: f64,
}

/// The list, searchable in Chinese (public).
#[utoipa::path(get, path = "/api/v1/power-items", tag = "power list", params(ListQuery),
    responses((status = 200, body = Paged<ItemSummary>),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_items(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Paged<ItemSummary>>> {
    let (page, per_page) = paging(q.page, q.per_page)?;
    let mut conn = state.store.acquire().await?;
    let township_id = match &q.township {
        Some(code) => Some(township(&mut conn, code).await?.id),
        None => None,
    };
    if let Some(f) = &q.field
        && domain::powerlist::Field::parse(f).is_none()
    {
        return Err(Error::invalid(
            "powerlist.field",
            "field",
            format!("未知执法领域：{f}"),
            format!("unknown field: {f}"),
        )
        .into());
    }
    let filter = pl::Filter {
        township_id,
        field: q
            .field
            .as_deref()
            .and_then(domain::powerlist::Field::parse)
            .map(|f| f.zh().to_string()),
        kind: q
            .kind
            .as_deref()
            .and_then(domain::powerlist::ItemKind::parse)
            .map(|k| k.zh().to_string()),
    };
    let offset = u64::from((page - 1) * per_page);
    let query = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let tokens = query.map(yiwang_search::query_tokens).unwrap_or_default();
    let (rows, total) = match query {
        Some(_) => {
            pl::search(
                &mut conn,
                state.store.backend(),
                &tokens,
                &filter,
                per_page,
                offset,
            )
            .await?
        }
        None => pl::list(&mut conn, &filter, per_page, offset).await?,
    };
    let items = rows
        .into_iter()
        .map(|s| ItemSummary {
            name_html: yiwang_search::highlight(&s.name, &tokens),
            code: s.code,
            name: s.name,
            kind: s.kind,
            field: s.field,
            version: s.version,
            score: s.score,
        })
        .collect();
    Ok(Json(Paged {
        items,
        page,
        per_page,
        total,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ItemDetail {
    pub version: i64,
    pub updated_at: String,
    /// The item (legal bases, discretion, departments, supervision, responsibilities, accountability).
    #[schema(value_type = Object)]
    pub item: Item,
    /// The procedure to follow (the item's own steps or its kind's standard ones).
    #[schema(value_type = Vec<Object>)]
    pub procedure: Vec<domain::powerlist::Step>,
    /// Townships holding the item, with the devolving decision.
    #[schema(value_type = Vec<Object>)]
    pub devolutions: Vec<pl::Devolution>,
}

/// One item in full (public).
#[utoipa::path(get, path = "/api/v1/power-items/{code}", tag = "power list", params(("code" = String, Path)),
    responses((status = 200, body = ItemDetail),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_item(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<ItemDetail>> {
    let mut conn = state.store.acquire().await?;
    let s = stored(&mut conn, &code).await?;
    let devolutions = pl::devolutions(&mut conn, Some(&code), None).await?;
    Ok(Json(ItemDetail {
        version: s.version,
        updated_at: s.updated_at,
        procedure: s.item.procedure(),
        item: s.item,
        devolutions,
    }))
}

/// The item's procedure as an SVG flowchart (public).
#[utoipa::path(get, path = "/api/v1/power-items/{code}/flowchart.svg", tag = "power list", params(("code" = String, Path)),
    responses((status = 200, description = "SVG image", content_type = "image/svg+xml"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn flowchart(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let mut conn = state.store.acquire().await?;
    let s = stored(&mut conn, &code).await?;
    let svg = flowchart_svg(&s.item.name, &s.item.procedure(), lang == Lang::En);
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}

/// Every version of the item, newest first (public).
#[utoipa::path(get, path = "/api/v1/power-items/{code}/versions", tag = "power list", params(("code" = String, Path)),
    responses((status = 200, body = Vec<Object>),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn versions(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<pl::VersionMeta>>> {
    let mut conn = state.store.acquire().await?;
    stored(&mut conn, &code).await?;
    Ok(Json(pl::versions(&mut conn, &code).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

/// What changed between two versions, field by field (public).
#[utoipa::path(get, path = "/api/v1/power-items/{code}/diff", tag = "power list", params(("code" = String, Path), DiffQuery),
    responses((status = 200, body = Vec<FieldChange>),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn diff(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Json<Vec<FieldChange>>> {
    let mut conn = state.store.acquire().await?;
    stored(&mut conn, &code).await?;
    let get =
        async |conn: &mut store::Conn, v: i64, field: &'static str| -> Result<Item, ApiError> {
            pl::version(conn, &code, v).await.map_err(|e| match e {
                store::StoreError::NotFound => ApiError(Error::invalid(
                    "powerlist.version",
                    field,
                    format!("没有第 {v} 版"),
                    format!("no version {v}"),
                )),
                other => other.into(),
            })
        };
    let a = serde_json::to_value(get(&mut conn, q.from, "from").await?).unwrap_or_default();
    let b = serde_json::to_value(get(&mut conn, q.to, "to").await?).unwrap_or_default();
    let mut out = Vec::new();
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let (x, y) = (
                a.get(k).cloned().unwrap_or_default(),
                b.get(k).cloned().unwrap_or_default(),
            );
            if x != y {
                out.push(FieldChange {
                    field: k.clone(),
                    before: x,
                    after: y,
                });
            }
        }
    }
    Ok(Json(out))
}

#[derive(Deserialize, IntoParams)]
pub struct BasisQuery {
    /// Date of the act, YYYY-MM-DD.
    pub act_date: String,
}

#[derive(Serialize, ToSchema)]
pub struct BasisView {
    /// Provisions in force on the date of the act (APL Art. 37).
    #[schema(value_type = Vec<Object>)]
    pub at_act: Vec<domain::powerlist::LegalBasis>,
    /// Later provisions in force today that are lighter, to be offered.
    #[schema(value_type = Vec<Object>)]
    pub lighter_now: Vec<domain::powerlist::LegalBasis>,
}

/// The legal basis that applies to an act on a date: the one in force then,
/// and any lighter one in force now (APL Art. 37, 从旧兼从轻).
#[utoipa::path(get, path = "/api/v1/power-items/{code}/basis", tag = "power list", params(("code" = String, Path), BasisQuery),
    responses((status = 200, body = BasisView),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn basis(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<BasisQuery>,
) -> ApiResult<Json<BasisView>> {
    let act: NaiveDate = q.act_date.parse().map_err(|_| {
        ApiError(Error::invalid(
            "powerlist.act_date",
            "act_date",
            "行为发生日期应为 YYYY-MM-DD",
            "act_date must be YYYY-MM-DD",
        ))
    })?;
    let today = domain::time::china_date(chrono::Utc::now());
    if act > today {
        return Err(Error::invalid(
            "powerlist.act_date",
            "act_date",
            "行为发生日期不能晚于今天",
            "act_date cannot be in the future",
        )
        .into());
    }
    let mut conn = state.store.acquire().await?;
    let s = stored(&mut conn, &code).await?;
    let choice = choose_basis(&s.item.legal_basis, act, today);
    Ok(Json(BasisView {
        at_act: choice.at_act,
        lighter_now: choice.lighter_now.into_iter().map(|(_, new)| new).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct HeldView {
    pub township: String,
    pub item_code: String,
    pub held: bool,
    pub decision_no: Option<String>,
}

/// Whether a township may act under an item: 403 `powerlist.not_devolved` when it does not hold it (APL Art. 24).
#[utoipa::path(get, path = "/api/v1/townships/{township}/power-items/{code}", tag = "power list",
    params(("township" = String, Path), ("code" = String, Path)),
    responses((status = 200, body = HeldView),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn held(
    State(state): State<AppState>,
    Path((t, code)): Path<(String, String)>,
) -> ApiResult<Json<HeldView>> {
    let mut conn = state.store.acquire().await?;
    let town = township(&mut conn, &t).await?;
    stored(&mut conn, &code).await?;
    let held = pl::holds(&mut conn, &town.id, &code).await?;
    domain::powerlist::require_held(held, &code, &town.name)?;
    let d = pl::devolutions(&mut conn, Some(&code), Some(&town.id)).await?;
    Ok(Json(HeldView {
        township: town.code,
        item_code: code,
        held,
        decision_no: d.first().map(|d| d.decision_no.clone()),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct CompareQuery {
    /// Township codes, comma-separated.
    pub townships: String,
}

#[derive(Serialize, ToSchema)]
pub struct CompareRow {
    pub code: String,
    pub name: String,
    pub field: String,
    /// One flag per requested township, in order.
    pub held: Vec<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct Comparison {
    pub townships: Vec<String>,
    pub rows: Vec<CompareRow>,
    /// Items held by some but not all of the townships.
    pub differing: usize,
}

/// Devolution side by side: which township holds which item (public).
#[utoipa::path(get, path = "/api/v1/devolutions/compare", tag = "power list", params(CompareQuery),
    responses((status = 200, body = Comparison),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn compare(
    State(state): State<AppState>,
    Query(q): Query<CompareQuery>,
) -> ApiResult<Json<Comparison>> {
    let codes: Vec<&str> = q
        .townships
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if codes.is_empty() || codes.len() > 20 {
        return Err(Error::invalid(
            "powerlist.townships",
            "townships",
            "请给出 1 到 20 个乡镇代码",
            "give 1 to 20 township codes",
        )
        .into());
    }
    let mut conn = state.store.acquire().await?;
    let mut held_sets = Vec::new();
    for c in &codes {
        let t = township(&mut conn, c).await?;
        let set: std::collections::HashSet<String> = pl::devolutions(&mut conn, None, Some(&t.id))
            .await?
            .into_iter()
            .map(|d| d.item_code)
            .collect();
        held_sets.push(set);
    }
    let (all, _) = pl::list(&mut conn, &pl::Filter::default(), 100_000, 0).await?;
    let rows: Vec<CompareRow> = all
        .into_iter()
        .map(|s| CompareRow {
            held: held_sets.iter().map(|h| h.contains(&s.code)).collect(),
            code: s.code,
            name: s.name,
            field: s.field,
        })
        .collect();
    let differing = rows
        .iter()
        .filter(|r| r.held.iter().any(|h| *h) && !r.held.iter().all(|h| *h))
        .count();
    Ok(Json(Comparison {
        townships: codes.iter().map(|c| c.to_string()).collect(),
        rows,
        differing,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SaveItem {
    #[schema(value_type = Object)]
    pub item: Item,
    /// Why this version was made.
    pub reason: String,
}

async fn save_item(
    state: &AppState,
    caller: &Caller,
    item: Item,
    reason: &str,
    must_exist: bool,
) -> Result<(i64, Item), ApiError> {
    let scope = county_scope(caller)?;
    crate::extract::required("reason", reason)?;
    domain::powerlist::validate_item(&item).map_err(|e| {
        let f = e.field.clone().unwrap_or_default();
        e.with_field(format!("item.{f}"))
    })?;
    let mut tx = state.store.begin_write().await?;
    let before = match pl::by_code(&mut tx, &item.code).await {
        Ok(s) => Some(s.item),
        Err(store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    match (&before, must_exist) {
        (None, true) => return Err(item_not_found(&item.code)),
        (Some(_), false) => {
            return Err(ApiError(
                Error::new(
                    ErrorKind::Conflict,
                    "powerlist.exists",
                    format!("事项 {} 已存在", item.code),
                    format!("item {} already exists", item.code),
                )
                .with_field("item.code"),
            ));
        }
        _ => {}
    }
    let (id, version) = pl::save(
        &mut tx,
        state.store.backend(),
        &item,
        &caller.principal.name,
        reason,
    )
    .await?;
    let root = scope.roots().first().cloned().unwrap_or_default();
    let (b, a) = (
        before
            .as_ref()
            .map(|b| serde_json::to_value(b).unwrap_or_default()),
        serde_json::to_value(&item).unwrap_or_default(),
    );
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&root),
        Change {
            action: if before.is_some() {
                "power_item.update"
            } else {
                "power_item.create"
            },
            object_type: "power_item",
            object_id: &id,
            jurisdiction: &root,
            before: b.as_ref(),
            after: Some(&a),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((version, item))
}

/// Add an item to the list (county level).
#[utoipa::path(post, path = "/api/v1/power-items", tag = "power list", request_body = SaveItem,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SaveItem>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let (version, item) = save_item(&state, &caller, req.item, &req.reason, false).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"code": item.code, "version": version})),
    ))
}

/// Edit an item: a new version with author and reason; nothing is overwritten.
#[utoipa::path(put, path = "/api/v1/power-items/{code}", tag = "power list", params(("code" = String, Path)), request_body = SaveItem,
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<SaveItem>,
) -> ApiResult<Json<serde_json::Value>> {
    if req.item.code != code {
        return Err(Error::invalid(
            "powerlist.code_mismatch",
            "item.code",
            "事项编码与地址不一致",
            "item.code differs from the address",
        )
        .into());
    }
    let (version, item) = save_item(&state, &caller, req.item, &req.reason, true).await?;
    Ok(Json(
        serde_json::json!({"code": item.code, "version": version}),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewDevolution {
    pub township: String,
    pub item_code: String,
    /// The published decision, e.g. 宁政〔2022〕8号.
    pub decision_no: String,
    /// YYYY-MM-DD
    pub decision_date: String,
    /// The county department the power came from.
    pub from_department: String,
}

/// Devolve an item to a township under a published decision (APL Art. 24; county level).
#[utoipa::path(post, path = "/api/v1/devolutions", tag = "power list", request_body = NewDevolution,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn devolve(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewDevolution>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let scope = county_scope(&caller)?;
    crate::extract::required("decision_no", &req.decision_no)?;
    crate::extract::required("from_department", &req.from_department)?;
    let date: NaiveDate = crate::extract::date("body.date", "decision_date", &req.decision_date)?;
    let mut tx = state.store.begin_write().await?;
    let t = jurisdiction_in(&mut tx, &scope, "township", &req.township).await?;
    let item = stored(&mut tx, &req.item_code).await?;
    let id = pl::devolve(
        &mut tx,
        &t.id,
        &item.id,
        &req.decision_no,
        &date.to_string(),
        &req.from_department,
    )
    .await?;
    let after = serde_json::json!({"township": t.code, "item": req.item_code, "decision_no": req.decision_no, "decision_date": date});
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&t.path),
        Change {
            action: "devolution.create",
            object_type: "devolution",
            object_id: &id,
            jurisdiction: &t.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(after)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewDutyRequest {
    pub township: String,
    /// The requesting county department.
    pub department: String,
    pub task: String,
    /// The power-list item the task falls under, if any.
    pub item_code: Option<String>,
}

/// A county department asks a township to take on a task: checked against
/// the list, accepted, routed for approval or refused with reasons, and recorded.
#[utoipa::path(post, path = "/api/v1/duty-requests", tag = "power list", request_body = NewDutyRequest,
    responses((status = 201, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn duty_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewDutyRequest>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let scope = caller.scope(Permission::SubmitDutyRequest)?;
    crate::extract::required("department", &req.department)?;
    crate::extract::required("task", &req.task)?;
    let mut tx = state.store.begin_write().await?;
    let t = jurisdiction_in(&mut tx, &scope, "township", &req.township).await?;
    let code = req.item_code.as_deref().filter(|c| !c.trim().is_empty());
    let (on_list, held) = match code {
        Some(c) => match pl::by_code(&mut tx, c).await {
            Ok(_) => (true, pl::holds(&mut tx, &t.id, c).await?),
            Err(store::StoreError::NotFound) => (false, false),
            Err(e) => return Err(e.into()),
        },
        None => (false, false),
    };
    let decision = domain::powerlist::duty_access(code, on_list, held);
    let (outcome, reason) = match &decision {
        domain::powerlist::DutyDecision::Accepted { .. } => {
            ("accepted", "事项已依法赋权本乡镇".to_string())
        }
        domain::powerlist::DutyDecision::NeedsApproval { reason_zh, .. } => {
            ("needs_approval", reason_zh.clone())
        }
        domain::powerlist::DutyDecision::Refused { reason_zh, .. } => {
            ("refused", reason_zh.clone())
        }
    };
    let id = pl::record_duty_request(
        &mut tx,
        &t.id,
        &req.department,
        &req.task,
        code,
        outcome,
        &reason,
        &caller.principal.name,
    )
    .await?;
    let after = serde_json::to_value(&decision).unwrap_or_default();
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&t.path),
        Change {
            action: "duty_request.create",
            object_type: "duty_request",
            object_id: &id,
            jurisdiction: &t.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    let mut body = after;
    body["id"] = serde_json::Value::String(id);
    Ok((StatusCode::CREATED, Json(body)))
}

/// Duty-access requests in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/duty-requests", tag = "power list",
    responses((status = 200, body = Vec<Object>),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn duty_requests(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<pl::DutyRequest>>> {
    let scope = caller.scope(Permission::ViewOrganisation)?;
    let mut conn = state.store.acquire().await?;
    Ok(Json(pl::duty_requests(&mut conn, &scope).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// xlsx, csv or json
    pub format: String,
    /// Only items this township holds.
    pub township: Option<String>,
}

/// Export the list (public).
#[utoipa::path(get, path = "/api/v1/power-items/export", tag = "power list", params(ExportQuery),
    responses((status = 200, description = "The file"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn export(
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let format = powerlist::Format::parse(&q.format).ok_or_else(|| {
        ApiError(Error::invalid(
            "powerlist.format",
            "format",
            "格式应为 xlsx、csv 或 json",
            "format must be xlsx, csv or json",
        ))
    })?;
    let mut conn = state.store.acquire().await?;
    let township_id = match &q.township {
        Some(c) => Some(township(&mut conn, c).await?.id),
        None => None,
    };
    let items = pl::all_current(&mut conn, township_id.as_deref()).await?;
    let bytes = powerlist::export(&items, format).map_err(|e| {
        tracing::error!(error = %e, "export failed");
        ApiError(Error::internal())
    })?;
    let name = format!(
        "power-list{}.{}",
        q.township.map(|t| format!("-{t}")).unwrap_or_default(),
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// true (default): check only, import nothing.
    pub dry_run: Option<bool>,
    /// Why (recorded with every new version).
    pub reason: Option<String>,
}

/// Import a list from XLSX or CSV (body: the file; Content-Type names it).
/// A dry run reports every bad row; nothing is imported until the file is clean.
#[utoipa::path(post, path = "/api/v1/power-items/import", tag = "power list", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    county_scope(&caller)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ext = if ct.starts_with("text/csv") {
        "csv"
    } else if ct.contains("spreadsheetml") {
        "xlsx"
    } else {
        return Err(Error::invalid(
            "body.content_type",
            "Content-Type",
            "请上传 CSV（text/csv）或 XLSX 文件",
            "send a CSV (text/csv) or XLSX file",
        )
        .into());
    };
    let dir = tempfile_dir(&state)?;
    let path = dir.join(format!("import-{}.{ext}", uuid::Uuid::now_v7()));
    std::fs::write(&path, &body).map_err(|_| ApiError(Error::internal()))?;
    let report = tokio::task::spawn_blocking({
        let path = path.clone();
        move || powerlist::read_file(&path, &mut |_, _| {})
    })
    .await
    .map_err(|_| ApiError(Error::internal()))?;
    let _ = std::fs::remove_file(&path);
    let report = report.map_err(|e| {
        ApiError(Error::invalid(
            "powerlist.file",
            "body",
            format!("文件无法读取：{e}"),
            format!("the file cannot be read: {e}"),
        ))
    })?;
    let dry = q.dry_run.unwrap_or(true);
    let mut imported = 0;
    if !dry && report.is_clean() {
        let reason = q.reason.clone().unwrap_or_else(|| "批量导入".into());
        for item in &report.items {
            let mut conn = state.store.acquire().await?;
            let exists = pl::by_code(&mut conn, &item.code).await.is_ok();
            drop(conn);
            save_item(&state, &caller, item.clone(), &reason, exists).await?;
            imported += 1;
        }
    }
    Ok(Json(serde_json::json!({
        "dry_run": dry,
        "rows": report.rows,
        "items": report.items.len(),
        "errors": report.errors,
        "imported": imported,
    })))
}

fn tempfile_dir(state: &AppState) -> Result<std::path::PathBuf, ApiError> {
    let dir = state.settings.data.join("tmp");
    std::fs::create_dir_all(&dir).map_err(|_| ApiError(Error::internal()))?;
    Ok(dir)
}
