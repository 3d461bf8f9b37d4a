//! Public pages of the power list: the list per township with search, an
//! item with its basis, flowchart, supervision and accountability
//! (printable), and townships side by side. No login needed (APL Art. 39).

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::Lang;
use serde::Deserialize;

use super::pages::{Chrome, render_page};
use crate::lang::ReqLang;
use crate::routes::org::Paged;
use crate::routes::powerlist as api;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    township: Option<String>,
    field: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "power_list.html")]
struct ListPage {
    c: Chrome,
    q: String,
    township: String,
    field: String,
    townships: Vec<(String, String)>,
    fields: Vec<(&'static str, &'static str)>,
    items: Paged<api::ItemSummary>,
    prev: Option<String>,
    next: Option<String>,
}

pub(super) async fn township_choices(state: &AppState) -> Vec<(String, String)> {
    let Ok(mut conn) = state.store.acquire().await else {
        return vec![];
    };
    store::org::list_jurisdictions(
        &mut conn,
        &[domain::org::Level::Township, domain::org::Level::Street],
    )
    .await
    .unwrap_or_default()
    .into_iter()
    .map(|j| (j.code, j.name))
    .collect()
}

pub async fn list(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Query(q): Query<ListQuery>,
) -> Response {
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let query = api::ListQuery {
        q: nonempty(&q.q),
        township: nonempty(&q.township),
        field: nonempty(&q.field),
        kind: None,
        page: q.page,
        per_page: Some(30),
    };
    let townships = township_choices(&state).await;
    match api::list_items(State(state), Query(query)).await {
        Ok(Json(items)) => {
            let enc = super::forms::enc;
            let base = format!(
                "/power-list?q={}&township={}&field={}",
                enc(q.q.as_deref().unwrap_or("")),
                enc(q.township.as_deref().unwrap_or("")),
                enc(q.field.as_deref().unwrap_or(""))
            );
            let prev = (items.page > 1).then(|| format!("{base}&page={}", items.page - 1));
            let next = (u64::from(items.page) * u64::from(items.per_page) < items.total)
                .then(|| format!("{base}&page={}", items.page + 1));
            render_page(ListPage {
                c: Chrome::new(lang, "/power-list", lang.pick("权责清单", "Power list")),
                q: q.q.unwrap_or_default(),
                township: q.township.unwrap_or_default(),
                field: q.field.unwrap_or_default(),
                townships,
                fields: domain::powerlist::Field::ALL
                    .iter()
                    .map(|f| (f.zh(), if lang == Lang::En { f.en() } else { f.zh() }))
                    .collect(),
                items,
                prev,
                next,
            })
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Template)]
#[template(path = "power_item.html")]
struct ItemPage {
    c: Chrome,
    d: api::ItemDetail,
    kind: String,
    field: String,
}

pub async fn item(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
) -> Response {
    match api::get_item(State(state), Path(code)).await {
        Ok(Json(d)) => render_page(ItemPage {
            c: Chrome::new(lang, "/power-list", &d.item.name),
            kind: if lang == Lang::En {
                d.item.kind.en()
            } else {
                d.item.kind.zh()
            }
            .into(),
            field: if lang == Lang::En {
                d.item.field.en()
            } else {
                d.item.field.zh()
            }
            .into(),
            d,
        }),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct CompareQuery {
    a: Option<String>,
    b: Option<String>,
}

#[derive(Template)]
#[template(path = "power_compare.html")]
struct ComparePage {
    c: Chrome,
    a: String,
    b: String,
    townships: Vec<(String, String)>,
    cmp: Option<api::Comparison>,
}

pub async fn compare(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Query(q): Query<CompareQuery>,
) -> Response {
    let townships = township_choices(&state).await;
    let a =
        q.a.clone()
            .or_else(|| townships.first().map(|t| t.0.clone()))
            .unwrap_or_default();
    let b =
        q.b.clone()
            .or_else(|| townships.get(1).map(|t| t.0.clone()))
            .unwrap_or_default();
    let cmp = if a.is_empty() || b.is_empty() {
        None
    } else {
        match api::compare(
            State(state),
            Query(api::CompareQuery {
                townships: format!("{a},{b}"),
            }),
        )
        .await
        {
            Ok(Json(c)) => Some(c),
            Err(e) => return e.into_response(),
        }
    };
    render_page(ComparePage {
        c: Chrome::new(
            lang,
            "/power-list",
            lang.pick("乡镇赋权对比", "Devolution side by side"),
        ),
        a,
        b,
        townships,
        cmp,
    })
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    from: Option<i64>,
    to: Option<i64>,
}

/// One changed field, shown as text on both sides.
struct ChangeRow {
    field: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "power_history.html")]
struct HistoryPage {
    c: Chrome,
    code: String,
    versions: Vec<store::powerlist::VersionMeta>,
    from: i64,
    to: i64,
    changes: Vec<ChangeRow>,
}

/// The label of an item field in the page's language.
fn field_label(key: &str, lang: Lang) -> String {
    let (zh, en) = match key {
        "code" => ("编码", "Code"),
        "name" => ("事项名称", "Name"),
        "kind" => ("类型", "Kind"),
        "field" => ("领域", "Field"),
        "description" => ("说明", "Description"),
        "legal_basis" => ("法律依据", "Legal basis"),
        "discretion" => ("裁量基准", "Discretion benchmark"),
        "lead_department" => ("主体责任部门", "Lead department"),
        "cooperating_departments" => ("配合责任部门", "Cooperating departments"),
        "supervision" => ("监督方式", "Supervision"),
        "responsibilities" => ("责任事项", "Responsibilities"),
        "accountability" => ("追责情形", "Accountability"),
        "first_offence_no_penalty" => ("首违不罚", "First-offence no penalty"),
        "steps" => ("办理步骤", "Procedure steps"),
        other => (other, other),
    };
    lang.pick(zh, en).to_string()
}

fn as_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// The item's versions with author and reason, and what changed between
/// two of them (by default the last edit).
pub async fn history(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(code): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let detail = match api::get_item(State(state.clone()), Path(code.clone())).await {
        Ok(Json(d)) => d,
        Err(e) => return e.into_response(),
    };
    let versions = match api::versions(State(state.clone()), Path(code.clone())).await {
        Ok(Json(v)) => v,
        Err(e) => return e.into_response(),
    };
    let to = q.to.unwrap_or(detail.version);
    let from = q.from.unwrap_or((to - 1).max(1));
    let changes = if from == to {
        vec![]
    } else {
        match api::diff(
            State(state),
            Path(code.clone()),
            Query(api::DiffQuery { from, to }),
        )
        .await
        {
            Ok(Json(c)) => c
                .into_iter()
                .map(|c| ChangeRow {
                    field: field_label(&c.field, lang),
                    before: as_text(&c.before),
                    after: as_text(&c.after),
                })
                .collect(),
            Err(e) => return e.into_response(),
        }
    };
    render_page(HistoryPage {
        c: Chrome::new(
            lang,
            "/power-list",
            &format!(
                "{} · {}",
                detail.item.name,
                lang.pick("修订历史", "History")
            ),
        ),
        code,
        versions,
        from,
        to,
        changes,
    })
}
