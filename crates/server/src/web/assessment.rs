//! Assessment (考核): the frozen runs of the caller's jurisdiction with the
//! form that starts one, and one run with its ranking, every subject's
//! score and how it came about, and its appeals (申诉) with the forms to
//! file and decide them.
//!
//! The pages read through the same store functions as the API
//! (`routes::assessment`); the forms are posted to the API by
//! /assets/assessment.js, which shows a refusal's message in the page's
//! language. Scoring, ranking and who may decide an appeal stay in
//! `domain::assessment`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use domain::Lang;
use domain::assessment::appeal::AppealStatus;
use domain::assessment::definitions::Unit;
use domain::assessment::indicators::Indicator;
use domain::assessment::{ASSESS, SubjectKind, VIEW};
use serde::Deserialize;

use super::forms::signed_in;
use super::pages::{Chrome, day_of, render_page, today};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lang::ReqLang;
use crate::state::AppState;

const PER_PAGE: u32 = 20;

/// The indicators shown as columns of the ranking (all are in each row's
/// details).
const COLUMNS: [Indicator; 5] = [
    Indicator::Received,
    Indicator::OnTimeRate,
    Indicator::ClosureRate,
    Indicator::Overdue,
    Indicator::Notices,
];

fn kind_label(kind: &str, lang: Lang) -> String {
    SubjectKind::parse(kind)
        .map(|k| k.label(lang).to_string())
        .unwrap_or_else(|_| kind.to_string())
}

/// An indicator's value as people read it: counts whole, rates in
/// percent, hours to one decimal; "—" where there is none.
fn shown(i: Indicator, v: &serde_json::Value) -> String {
    match (v.as_f64(), i.definition().unit) {
        (None, _) => "—".into(),
        (Some(n), Unit::Count) => format!("{n:.0}"),
        (Some(x), Unit::Rate) => format!("{:.1}%", x * 100.0),
        (Some(h), Unit::Hours) => format!("{h:.1}"),
    }
}

fn score(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<u32>,
}

pub struct RunRow {
    pub id: String,
    pub title: String,
    pub place: String,
    pub kind: String,
    pub period: String,
    pub frozen_on: String,
    pub subjects: i64,
    pub open_appeals: i64,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<RunRow>,
    total: u64,
    page: u32,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
    /// The caller may start runs: the form is shown.
    can_assess: bool,
    /// The jurisdiction itself and its townships: code, name.
    places: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    from: String,
    to: String,
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
    let scope = caller.scope(VIEW)?;
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let mut conn = state.store.acquire().await?;
    let offset = u64::from(page - 1) * u64::from(PER_PAGE);
    let (runs, total) = store::assessment::list_in(&mut conn, &scope, PER_PAGE, offset).await?;
    drop(conn);
    let rows = runs
        .into_iter()
        .map(|r| RunRow {
            kind: kind_label(&r.subject_kind, lang),
            period: format!("{} – {}", r.from, r.to),
            frozen_on: day_of(&r.created_at),
            place: r.jurisdiction_name,
            id: r.id,
            title: r.title,
            subjects: r.subjects,
            open_appeals: r.open_appeals,
        })
        .collect();
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1);
    let prev = (page > 1).then(|| format!("/assessment?page={}", page - 1));
    let next = (u64::from(page) < pages).then(|| format!("/assessment?page={}", page + 1));
    let (can_assess, places) = match caller.scope(ASSESS) {
        Ok(s) => {
            let mut places = vec![(String::new(), lang.pick("本辖区", "My jurisdiction").into())];
            places.extend(super::queue::townships_in(&state, &s, lang).await?);
            (true, places)
        }
        Err(_) => (false, Vec::new()),
    };
    let today = today();
    let from = chrono::Datelike::with_day(&today, 1).unwrap_or(today);
    Ok(render_page(ListPage {
        c: Chrome::new(lang, "/stats", lang.pick("考核", "Assessment")).for_caller(&caller),
        rows,
        total,
        page,
        pages,
        prev,
        next,
        can_assess,
        places,
        kinds: SubjectKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(lang)))
            .collect(),
        from: from.to_string(),
        to: today.to_string(),
    }))
}

// ---------------------------------------------------------------- one run

pub struct ResultRow {
    pub rank: i64,
    pub subject: String,
    pub name: String,
    pub score: String,
    pub final_score: String,
    /// The final score differs from the frozen one (an accepted appeal).
    pub adjusted: bool,
    pub columns: Vec<String>,
    /// Every indicator: name, value.
    pub values: Vec<(String, String)>,
}

pub struct AppealRow {
    pub id: String,
    pub subject: String,
    pub appellant: String,
    pub filed_on: String,
    pub reason: String,
    pub status: String,
    pub status_label: &'static str,
    pub open: bool,
    pub resolution: String,
    pub adjusted_score: String,
}

#[derive(Template)]
#[template(path = "assessment_run.html")]
struct RunPage {
    c: Chrome,
    id: String,
    place: String,
    kind: String,
    period: String,
    as_of: String,
    created_by: String,
    columns: Vec<&'static str>,
    rows: Vec<ResultRow>,
    appeals: Vec<AppealRow>,
    can_assess: bool,
}

fn status_label(s: AppealStatus, lang: Lang) -> &'static str {
    match s {
        AppealStatus::Filed => lang.pick("待处理", "Awaiting decision"),
        AppealStatus::Accepted => lang.pick("已采纳", "Accepted"),
        AppealStatus::Rejected => lang.pick("未采纳", "Rejected"),
    }
}

pub async fn run(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    uri: Uri,
    caller: Result<Caller, ApiError>,
    Path(id): Path<String>,
) -> Response {
    signed_in(caller, &uri, |caller| run_page(state, lang, caller, id)).await
}

async fn run_page(
    state: AppState,
    lang: Lang,
    caller: Caller,
    id: String,
) -> Result<Response, ApiError> {
    let scope = caller.scope(VIEW)?;
    let mut conn = state.store.acquire().await?;
    let run = store::assessment::run_in(&mut conn, &scope, &id)
        .await
        .map_err(crate::routes::assessment::not_found(
            crate::routes::assessment::RUN,
        ))?;
    drop(conn);
    let rows: Vec<ResultRow> = run
        .results
        .iter()
        .map(|r| {
            let value = |i: Indicator| {
                shown(
                    i,
                    r.indicators
                        .get(i.as_str())
                        .unwrap_or(&serde_json::Value::Null),
                )
            };
            ResultRow {
                rank: r.rank,
                subject: r.subject.clone(),
                name: r.name.clone(),
                score: score(r.score),
                final_score: score(r.final_score),
                adjusted: (r.final_score - r.score).abs() > 1e-9,
                columns: COLUMNS.iter().map(|&i| value(i)).collect(),
                values: Indicator::ALL
                    .iter()
                    .map(|&i| (i.definition().name(lang).to_string(), value(i)))
                    .collect(),
            }
        })
        .collect();
    let name_of = |subject: &str| {
        rows.iter()
            .find(|r| r.subject == subject)
            .map_or_else(|| subject.to_string(), |r| r.name.clone())
    };
    let appeals = run
        .appeals
        .iter()
        .map(|a| AppealRow {
            id: a.id.clone(),
            subject: name_of(&a.subject),
            appellant: a.appellant_name.clone(),
            filed_on: day_of(&a.filed_at),
            reason: a.reason.clone(),
            status: a.status.as_str().to_string(),
            status_label: status_label(a.status, lang),
            open: a.status == AppealStatus::Filed,
            resolution: a.resolution.clone().unwrap_or_default(),
            adjusted_score: a.adjusted_score.map(score).unwrap_or_default(),
        })
        .collect();
    Ok(render_page(RunPage {
        c: Chrome::new(lang, "/stats", &run.title).for_caller(&caller),
        id: run.id,
        place: run.jurisdiction_name,
        kind: kind_label(&run.subject_kind, lang),
        period: format!("{} – {}", run.from, run.to),
        as_of: day_of(&run.as_of),
        created_by: run.created_by,
        columns: COLUMNS.iter().map(|i| i.definition().name(lang)).collect(),
        rows,
        appeals,
        can_assess: caller.scope(ASSESS).is_ok(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_counts_percentages_and_hours() {
        let j = |v: f64| serde_json::json!(v);
        assert_eq!(shown(Indicator::Received, &j(12.0)), "12");
        assert_eq!(shown(Indicator::OnTimeRate, &j(0.875)), "87.5%");
        assert_eq!(shown(Indicator::MeanHandlingHours, &j(3.25)), "3.2");
        assert_eq!(shown(Indicator::ClosureRate, &serde_json::Value::Null), "—");
        assert_eq!(score(96.5), "96.5");
        assert_eq!(score(100.0), "100");
        assert_eq!(score(99.25), "99.25");
    }
}
