//! The queue: one report, the filtered list of a jurisdiction, and the
//! live stream of changes (server-sent events).

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use domain::Error;
use domain::access::Permission;
use domain::powerlist::Field;
use domain::report::{Channel, Status, Urgency};
use serde::Deserialize;
use store::reports::{self as sr, Report};
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::routes::org::{Paged, paging};
use crate::state::AppState;

/// One report with its closed-loop events and attachments.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "one net", params(("id" = String, Path)),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Report>> {
    let mut conn = state.store.acquire().await?;
    // the reporter may always read back what they sent
    let reporter = caller
        .principal
        .user_id
        .clone()
        .unwrap_or_else(|| format!("token:{}", caller.principal.name));
    let r = sr::by_id(&mut conn, &id).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError(Error::not_found("报告", "Report")),
        other => other.into(),
    })?;
    if r.reporter == reporter {
        return Ok(Json(r));
    }
    let scope = caller.scope(Permission::ViewReports)?;
    store::org::in_scope(&scope, &r.township_path)?;
    Ok(Json(r))
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    /// Words to search for in the description and the grid's and village's
    /// names (Chinese is segmented; any two characters of the text are
    /// found; 噪音 also finds 噪声). Every word must occur. The 1000 newest
    /// matching reports are ranked by relevance, and `total` counts at most
    /// those. At most 100 characters.
    pub q: Option<String>,
    pub township: Option<String>,
    pub status: Option<String>,
    pub urgency: Option<String>,
    /// The field of the report's power-list item, in Chinese or English
    /// (城市管理 or Urban management); `unclassified` (未分类): under no item.
    pub field: Option<String>,
    /// The channel it came by: grid_worker, camera, citizen, hotline,
    /// department or open311.
    pub channel: Option<String>,
    /// Only reports past their deadline.
    pub overdue: Option<bool>,
    /// Only reports still in the closed loop (not closed, evaluated,
    /// handed over, merged or rejected).
    pub open: Option<bool>,
    /// Only reports of townships within this jurisdiction (its code).
    pub jurisdiction: Option<String>,
    /// Only reports located in this grid (its code).
    pub grid: Option<String>,
    /// From this day (China time, YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// To this day (China time, YYYY-MM-DD), inclusive.
    pub to: Option<String>,
    /// What `from` and `to` apply to: `received` (default) or `closed`
    /// (the day a report was first closed).
    pub date_of: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The `field` of reports under no item of the power list.
pub const UNCLASSIFIED: &str = "unclassified";

/// The instant a China day begins, `days_after` days after the one given
/// (`to` is inclusive: its end is the next day's start).
fn day_start(field: &str, day: Option<&str>, days_after: u64) -> Result<Option<String>, ApiError> {
    let Some(day) = day.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let d = crate::extract::date("report.date", field, day)?;
    let d = d
        .checked_add_days(chrono::Days::new(days_after))
        .unwrap_or(d);
    let start = d
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(domain::time::china()).single())
        .map(|t| store::util::ts(t.with_timezone(&Utc)));
    Ok(start)
}

/// The search words, checked: `None` when none were given.
fn search_query(q: Option<&str>) -> Result<Option<sr::search::SearchQuery>, ApiError> {
    let Some(text) = q.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let max = sr::search::MAX_QUERY_CHARS;
    if text.chars().count() > max {
        return Err(Error::invalid(
            "report.q",
            "q",
            format!("搜索词不能超过 {max} 字"),
            format!("q must be at most {max} characters"),
        )
        .into());
    }
    sr::search::SearchQuery::parse(text)
        .map(Some)
        .ok_or_else(|| {
            Error::invalid(
                "report.q",
                "q",
                "搜索词中没有可搜索的文字",
                "q holds no word to search for",
            )
            .into()
        })
}

/// The queue: reports in the caller's jurisdiction, newest first, filtered;
/// with `q`, a Chinese full-text search (best matches first).
#[utoipa::path(get, path = "/api/v1/reports", tag = "one net", params(ReportQuery),
    responses((status = 200, body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Json<Paged<Report>>> {
    let scope = caller.scope(Permission::ViewReports)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        Status::parse(s)?;
    }
    if let Some(u) = q.urgency.as_deref().filter(|s| !s.is_empty()) {
        Urgency::parse(u)?;
    }
    let channel = match q.channel.as_deref().filter(|s| !s.is_empty()) {
        Some(c) => Some(Channel::parse(c)?),
        None => None,
    };
    let unclassified = q
        .field
        .as_deref()
        .is_some_and(|f| f == UNCLASSIFIED || f == "未分类");
    let field = match q
        .field
        .as_deref()
        .filter(|s| !s.is_empty() && !unclassified)
    {
        Some(f) => Some(Field::parse(f).ok_or_else(|| {
            let allowed = Field::ALL.map(Field::zh).join(", ");
            ApiError(Error::invalid(
                "report.field",
                "field",
                format!("field 的取值「{f}」无效，可选值：{allowed}"),
                format!("invalid field `{f}`; allowed values: {allowed}"),
            ))
        })?),
        None => None,
    };
    let search = search_query(q.q.as_deref())?;
    let by_closure = match q.date_of.as_deref().filter(|s| !s.is_empty()) {
        None | Some("received") => false,
        Some("closed") => true,
        Some(other) => {
            return Err(Error::invalid(
                "report.date_of",
                "date_of",
                format!("date_of 的取值「{other}」无效，可选值：received, closed"),
                format!("invalid date_of `{other}`; allowed values: received, closed"),
            )
            .into());
        }
    };
    let since = day_start("from", q.from.as_deref(), 0)?;
    let before = day_start("to", q.to.as_deref(), 1)?;
    let now = store::util::ts(Utc::now());
    let f = sr::Filter {
        township: q.township.as_deref().filter(|s| !s.is_empty()),
        status: q.status.as_deref().filter(|s| !s.is_empty()),
        urgency: q.urgency.as_deref().filter(|s| !s.is_empty()),
        overdue_at: q.overdue.unwrap_or(false).then_some(now.as_str()),
        q: search.as_ref(),
        field: field.map(Field::zh),
        channel: channel.map(Channel::as_str),
        jurisdiction: q.jurisdiction.as_deref().filter(|s| !s.is_empty()),
        grid: q.grid.as_deref().filter(|s| !s.is_empty()),
        since: since.as_deref(),
        before: before.as_deref(),
        by_closure,
        open: q.open.unwrap_or(false),
        unclassified,
    };
    let mut conn = state.store.acquire().await?;
    let (items, total) = sr::list(
        &mut conn,
        &scope,
        &f,
        per_page,
        u64::from(page - 1) * u64::from(per_page),
    )
    .await?;
    Ok(Json(Paged {
        items,
        page,
        per_page,
        total,
    }))
}

/// The live queue: a server-sent event (`report`) for every change of a
/// report in the caller's jurisdiction, as it is committed.
#[utoipa::path(get, path = "/api/v1/reports/stream", tag = "one net",
    responses((status = 200, content_type = "text/event-stream", body = String),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures_util::StreamExt;
    let scope = caller.scope(Permission::ViewReports)?;
    let rx = state.live.subscribe();
    let s = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(move |c| {
        let out = match c {
            Ok(c) if scope.covers(&c.township_path) => {
                Event::default().event("report").json_data(&c).ok().map(Ok)
            }
            _ => None,
        };
        std::future::ready(out)
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::default()))
}
