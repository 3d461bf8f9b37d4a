//! Penalty cases (执法案件): the cases of the caller's jurisdiction with
//! filters and pages, and the forms that open one (立案 under the ordinary
//! procedure, or a decision on the spot under the summary procedure); one
//! case with its party, officers, status, clock, record and documents, and
//! the forms for its next lawful steps.
//!
//! The pages read through the same handlers and store functions as the API
//! (`routes::cases`, `routes::case_documents`), so they show what the API
//! shows: the party masked unless the caller may see personal data. The
//! steps are posted to the API by /assets/cases.js, which shows a refusal's
//! message (problem+json, naming its article) in the page's language; the
//! rules stay in `domain::case`.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use domain::Lang;
use domain::access::Permission;
use domain::case::CaseStatus;
use domain::case::money::Fen;
use serde::Deserialize;

use super::forms::{enc, signed_in};
use super::pages::{Chrome, day_of, render_page, today};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

mod case;

pub use case::case;

const PER_PAGE: u32 = 20;

/// An amount in yuan as people write it: `1000`, `1000.50`.
fn yuan(f: Fen) -> String {
    let s = f.yuan_string();
    s.strip_suffix(".00").map(str::to_string).unwrap_or(s)
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
pub struct ListQuery {
    township: Option<String>,
    status: Option<String>,
    page: Option<u32>,
}

pub struct Row {
    pub id: String,
    pub title: String,
    pub township: String,
    pub item: String,
    pub status: String,
    pub status_label: String,
    pub act_date: String,
    pub filed_on: String,
    pub filed_by: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    c: Chrome,
    townships: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    township: String,
    status: String,
    rows: Vec<Row>,
    total: u64,
    page: u32,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
    /// The caller may open cases: the forms are shown.
    can_file: bool,
    /// Townships the caller may file in: code, name.
    file_townships: Vec<(String, String)>,
    /// Penalty items the first of them holds: code, name.
    items: Vec<(String, String)>,
    /// Its officers with a credential valid today: staff id, name.
    officers: Vec<(String, String)>,
    today: String,
    /// The usual wording of the remedies on an on-the-spot decision.
    remedies: String,
}

pub async fn list(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Query(q): Query<ListQuery>,
) -> Response {
    signed_in(caller, &uri, |caller| list_page(state, lang, caller, q)).await
}

async fn list_page(
    state: AppState,
    lang: Lang,
    caller: Caller,
    q: ListQuery,
) -> Result<Response, ApiError> {
    let scope = caller.scope(Permission::ViewCases)?;
    let towns = super::queue::townships_in(&state, &scope, lang).await?;
    // filters checked against what exists (anything else is dropped)
    let township = q
        .township
        .filter(|t| towns.iter().any(|(c, _)| c == t))
        .unwrap_or_default();
    let status = q
        .status
        .filter(|s| CaseStatus::ALL.iter().any(|x| x.as_str() == s))
        .unwrap_or_default();
    let page = q.page.unwrap_or(1).max(1);
    let town = (!township.is_empty()).then_some(township.as_str());
    let mut conn = state.store.acquire().await?;
    let offset = u64::from(page - 1) * u64::from(PER_PAGE);
    let (cases, total) = if status.is_empty() {
        store::cases::list(&mut conn, &scope, town, PER_PAGE, offset).await?
    } else {
        // the list has no status filter: read the jurisdiction's cases
        // (newest first) and keep those in the status
        let mut all = Vec::new();
        let mut from = 0u64;
        loop {
            let (chunk, total) = store::cases::list(&mut conn, &scope, town, 500, from).await?;
            let n = chunk.len() as u64;
            all.extend(chunk.into_iter().filter(|c| c.status.as_str() == status));
            from += n;
            if n == 0 || from >= total {
                break;
            }
        }
        let total = all.len() as u64;
        let page_of: Vec<_> = all
            .into_iter()
            .skip(offset as usize)
            .take(PER_PAGE as usize)
            .collect();
        (page_of, total)
    };
    let rows = cases
        .into_iter()
        .map(|c| Row {
            status: c.status.as_str().to_string(),
            status_label: c.status.label(lang).to_string(),
            filed_on: day_of(&c.filed_at),
            id: c.id,
            title: c.title,
            township: c.township_name,
            item: c.item_name,
            act_date: c.act_date,
            filed_by: c.filed_by,
        })
        .collect();
    let base = format!("/cases?township={}&status={}", enc(&township), enc(&status));
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1);
    let prev = (page > 1).then(|| format!("{base}&page={}", page - 1));
    let next = (u64::from(page) < pages).then(|| format!("{base}&page={}", page + 1));

    let today = today();
    let (can_file, file_townships) = match caller.scope(Permission::FileCase) {
        Ok(s) => (true, super::queue::townships_in(&state, &s, lang).await?),
        Err(_) => (false, Vec::new()),
    };
    let mut items = Vec::new();
    let mut officers = Vec::new();
    let mut remedies = String::new();
    if let Some((code, _)) = file_townships.first() {
        items = held_items(&state, code).await;
        let j = store::org::jurisdiction_by_code(&mut conn, code).await?;
        officers = store::cases::roster(&mut conn, &j.id, today)
            .await?
            .into_iter()
            .filter(|o| o.credentialed_on(today))
            .map(|o| (o.id, o.name))
            .collect();
        let (_, county) = store::documents::township_and_county(&mut conn, code).await?;
        remedies = format!(
            "如不服本决定，可以在收到本决定书之日起六十日内向{county}人民政府申请行政复议，或者在六个月内向{county}人民法院提起行政诉讼"
        );
    }
    drop(conn);
    Ok(render_page(ListPage {
        c: Chrome::new(lang, "/cases", lang.pick("执法案件", "Cases")).for_caller(&caller),
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
        townships: towns,
        township,
        status,
        rows,
        total,
        page,
        pages,
        prev,
        next,
        can_file,
        file_townships,
        items,
        officers,
        today: today.to_string(),
        remedies,
    }))
}

/// The penalty items a township holds: code, name.
async fn held_items(state: &AppState, township: &str) -> Vec<(String, String)> {
    let query = crate::routes::powerlist::ListQuery {
        q: None,
        township: Some(township.to_string()),
        field: None,
        kind: Some("行政处罚".into()),
        page: Some(1),
        per_page: Some(500),
    };
    match crate::routes::powerlist::list_items(State(state.clone()), Query(query)).await {
        Ok(Json(p)) => p.items.into_iter().map(|i| (i.code, i.name)).collect(),
        Err(_) => Vec::new(),
    }
}
