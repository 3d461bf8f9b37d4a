//! The public portal (政务公开), without login: each township's power list,
//! the published penalty decisions (personal data masked when published,
//! APL Art. 48), and the complaint form with its status lookup.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::Error;
use domain::case::disclosure::{PublishedDecision, Withdrawal};
use serde::Deserialize;

use super::pages::{Chrome, render_page};
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

const PER_PAGE: u32 = 20;

/// One decision as listed and shown.
pub struct Shown {
    pub id: String,
    pub number: String,
    pub township_name: String,
    pub decided_on: String,
    pub published_on: String,
    pub late: bool,
    pub decision: Option<PublishedDecision>,
    pub withdrawal: Option<Withdrawal>,
}

impl From<store::disclosure::Publication> for Shown {
    fn from(p: store::disclosure::Publication) -> Self {
        let withdrawn = p.withdrawal.is_some();
        Shown {
            id: p.id,
            number: p.number,
            township_name: p.township_name,
            decided_on: p.decided_on.to_string(),
            published_on: p.published_on.to_string(),
            late: p.late,
            decision: (!withdrawn).then_some(p.decision),
            withdrawal: p.withdrawal,
        }
    }
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    c: Chrome,
    townships: Vec<(String, String)>,
    latest: Vec<Shown>,
}

pub async fn home(State(state): State<AppState>, ReqLang(lang): ReqLang) -> Response {
    let townships = super::powerlist::township_choices(&state).await;
    let latest = match state.store.acquire().await {
        Ok(mut conn) => store::disclosure::public_list(&mut conn, None, 5, 0)
            .await
            .map(|(items, _)| items.into_iter().map(Shown::from).collect())
            .unwrap_or_default(),
        Err(_) => vec![],
    };
    render_page(PortalPage {
        c: Chrome::new(lang, "/portal", lang.pick("政务公开", "Public portal")),
        townships,
        latest,
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    township: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "portal_decisions.html")]
struct DecisionsPage {
    c: Chrome,
    townships: Vec<(String, String)>,
    township: String,
    items: Vec<Shown>,
    total: u64,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn decisions(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Query(q): Query<ListQuery>,
) -> Response {
    let township = q
        .township
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        });
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let listed = match state.store.acquire().await {
        Ok(mut conn) => {
            store::disclosure::public_list(
                &mut conn,
                township.as_deref(),
                PER_PAGE,
                u64::from(page - 1) * u64::from(PER_PAGE),
            )
            .await
        }
        Err(e) => Err(e),
    };
    let (items, total) = match listed {
        Ok(v) => v,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let t = township.clone().unwrap_or_default();
    let link = |p: u32| format!("/portal/decisions?township={t}&page={p}");
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1);
    render_page(DecisionsPage {
        c: Chrome::new(
            lang,
            "/portal",
            lang.pick("行政处罚决定公示", "Published penalty decisions"),
        ),
        townships: super::powerlist::township_choices(&state).await,
        township: t.clone(),
        items: items.into_iter().map(Shown::from).collect(),
        total,
        prev: (page > 1).then(|| link(page - 1)),
        next: (u64::from(page) < pages).then(|| link(page + 1)),
    })
}

#[derive(Template)]
#[template(path = "portal_decision.html")]
struct DecisionPage {
    c: Chrome,
    d: Shown,
}

pub async fn decision(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    Path(id): Path<String>,
) -> Response {
    let found = match state.store.acquire().await {
        Ok(mut conn) => store::disclosure::by_id(&mut conn, &id).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(p) => render_page(DecisionPage {
            c: Chrome::new(lang, "/portal", &p.number.clone()),
            d: p.into(),
        }),
        Err(store::StoreError::NotFound) => {
            ApiError(Error::not_found("公开的处罚决定", "Decision")).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
