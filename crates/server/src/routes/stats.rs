//! The dashboard (统计分析): one view of a jurisdiction for a period —
//! totals, the daily trend, by field, by channel, by township, by status
//! and by grid (the heat map) — read from the counters that
//! `store::stats` keeps with the reports. Every number carries `list`, the
//! query of `GET /api/v1/reports` (and of the `/command` page) that lists
//! the reports behind it; `format=xlsx` exports every table.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, Utc};
use domain::access::Permission;
use domain::assessment::Period;
use domain::powerlist::Field;
use domain::report::{Channel, Status};
use domain::{Error, Lang};
use powerlist::workbook::{Cell as X, Sheet};
use serde::{Deserialize, Serialize};
use store::stats::overview::{self, Days};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::lang::ReqLang;
use crate::routes::reports::UNCLASSIFIED;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct StatsQuery {
    /// The jurisdiction (county or township code); by default the caller's.
    pub jurisdiction: Option<String>,
    /// First day (China time, YYYY-MM-DD); by default 29 days before `to`.
    pub from: Option<String>,
    /// Last day, inclusive; by default today. At most 366 days in all.
    pub to: Option<String>,
    /// `json` (default) or `xlsx`: every table, one sheet each.
    pub format: Option<String>,
}

/// A number and the reports behind it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Num {
    pub n: i64,
    /// Query string of `GET /api/v1/reports` listing them.
    pub list: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Totals {
    /// Received in the period.
    pub received: Num,
    /// First closed in the period.
    pub closed: Num,
    /// Still in the closed loop now.
    pub open: Num,
    /// Past their deadline now.
    pub overdue: Num,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Day {
    pub day: String,
    pub received: i64,
    pub closed: i64,
}

/// A line of a table by field, channel or status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Line {
    pub key: String,
    pub label: String,
    pub received: Num,
    pub closed: Num,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusLine {
    pub key: String,
    pub label: String,
    pub now: Num,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TownLine {
    pub code: String,
    pub name: String,
    pub received: Num,
    pub closed: Num,
    pub open: Num,
    pub overdue: Num,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GridLine {
    pub code: String,
    pub name: String,
    pub received: Num,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Place {
    pub code: String,
    pub name: String,
    pub level: String,
}

/// One dashboard view.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    pub jurisdiction: Place,
    pub from: String,
    pub to: String,
    /// When it was read (the live display shows it).
    pub as_of: String,
    pub totals: Totals,
    /// Every day of the period.
    pub trend: Vec<Day>,
    pub by_field: Vec<Line>,
    pub by_channel: Vec<Line>,
    pub by_township: Vec<TownLine>,
    pub by_status: Vec<StatusLine>,
    /// Grids by reports received, most first; counted by whole months
    /// (`grid_months`), as the heat map shows them.
    pub by_grid: Vec<GridLine>,
    /// The first and last month `by_grid` counts (YYYY-MM).
    pub grid_months: [String; 2],
}

fn date(field: &str, s: &str) -> Result<NaiveDate, ApiError> {
    crate::extract::date("stats.date", field, s)
}

/// The dashboard of a jurisdiction for a period (统计概览): totals, trend,
/// by field, channel, township, status and grid, each number with the query
/// that lists its reports. `format=xlsx` exports every table.
#[utoipa::path(get, path = "/api/v1/stats/overview", tag = "assessment", params(StatsQuery),
    responses((status = 200, body = Overview),
        (status = 200, description = "format=xlsx: every table as a sheet",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    ReqLang(lang): ReqLang,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Response> {
    let scope = caller.scope(Permission::ViewReports)?;
    let xlsx = match q.format.as_deref().map(str::trim).unwrap_or("json") {
        "" | "json" => false,
        "xlsx" => true,
        other => {
            return Err(Error::invalid(
                "stats.format",
                "format",
                format!("format 的取值「{other}」无效，可选值：json, xlsx"),
                format!("invalid format `{other}`; allowed values: json, xlsx"),
            )
            .into());
        }
    };
    let today = domain::time::china_date(Utc::now());
    let to = match q.to.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => date("to", s)?,
        None => today,
    };
    let from = match q.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => date("from", s)?,
        None => to - chrono::Days::new(29),
    };
    let period = Period::new(from, to)?;
    let mut conn = state.store.acquire().await?;
    let j = crate::routes::assessment::jurisdiction(&mut conn, &scope, q.jurisdiction.as_deref())
        .await?;
    let (f, t) = (
        period.from.format("%Y-%m-%d").to_string(),
        period.to.format("%Y-%m-%d").to_string(),
    );
    let now = Utc::now();
    let counts = overview::counts(
        &mut conn,
        &j.path,
        &Days { from: &f, to: &t },
        &store::util::ts(now),
    )
    .await?;
    drop(conn);
    let view = build(&j, &period, counts, lang, store::util::ts(now));
    if xlsx {
        let bytes = powerlist::workbook::write(&sheets(&view, lang)).map_err(|e| {
            tracing::error!(error = %e, "dashboard export failed");
            ApiError(Error::internal())
        })?;
        let name = format!("stats-{}-{f}-{t}.xlsx", j.code);
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    Ok(axum::Json(view).into_response())
}

/// The query strings behind the numbers of one view.
struct Lists<'a> {
    base: String,
    from: &'a str,
    to: &'a str,
}

impl Lists<'_> {
    fn received(&self, more: &str) -> String {
        format!("{}&from={}&to={}{more}", self.base, self.from, self.to)
    }
    fn closed(&self, more: &str) -> String {
        format!(
            "{}&date_of=closed&from={}&to={}{more}",
            self.base, self.from, self.to
        )
    }
    fn now(&self, more: &str) -> String {
        format!("{}{more}", self.base)
    }
}

fn num(n: i64, list: String) -> Num {
    Num { n, list }
}

fn build(
    j: &store::org::Jurisdiction,
    period: &Period,
    c: overview::Counts,
    lang: Lang,
    as_of: String,
) -> Overview {
    let (from, to) = (
        period.from.format("%Y-%m-%d").to_string(),
        period.to.format("%Y-%m-%d").to_string(),
    );
    let l = Lists {
        base: format!("jurisdiction={}", j.code),
        from: &from,
        to: &to,
    };
    let sum = |f: fn(&overview::Flow) -> i64| c.by_channel.values().map(f).sum::<i64>();
    let open: i64 = c
        .by_status
        .iter()
        .filter(|(s, _)| overview::OPEN.contains(&s.as_str()))
        .map(|(_, n)| n)
        .sum();
    let totals = Totals {
        received: num(sum(|f| f.received), l.received("")),
        closed: num(sum(|f| f.closed), l.closed("")),
        open: num(open, l.now("&open=true")),
        overdue: num(
            c.by_township.iter().map(|t| t.overdue).sum(),
            l.now("&overdue=true"),
        ),
    };
    let field_label = |k: &str| match Field::parse(k) {
        Some(f) => lang.pick(f.zh(), f.en()).to_string(),
        None if k.is_empty() => lang.pick("未分类", "Unclassified").to_string(),
        None => k.to_string(),
    };
    let mut by_field: Vec<Line> = c
        .by_field
        .iter()
        .map(|(k, v)| {
            let key = if k.is_empty() { UNCLASSIFIED } else { k };
            let more = format!("&field={}", urlenc(key));
            Line {
                key: key.to_string(),
                label: field_label(k),
                received: num(v.received, l.received(&more)),
                closed: num(v.closed, l.closed(&more)),
            }
        })
        .collect();
    by_field.sort_by(|a, b| b.received.n.cmp(&a.received.n).then(a.key.cmp(&b.key)));
    let by_channel: Vec<Line> = Channel::ALL
        .iter()
        .filter_map(|ch| {
            let v = c.by_channel.get(ch.as_str())?;
            let more = format!("&channel={}", ch.as_str());
            Some(Line {
                key: ch.as_str().to_string(),
                label: ch.label(lang).to_string(),
                received: num(v.received, l.received(&more)),
                closed: num(v.closed, l.closed(&more)),
            })
        })
        .collect();
    let by_status: Vec<StatusLine> = Status::ALL
        .iter()
        .filter_map(|s| {
            let n = *c.by_status.get(s.as_str())?;
            Some(StatusLine {
                key: s.as_str().to_string(),
                label: s.label(lang).to_string(),
                now: num(n, l.now(&format!("&status={}", s.as_str()))),
            })
        })
        .collect();
    let by_township: Vec<TownLine> = c
        .by_township
        .iter()
        .map(|t| {
            let town = Lists {
                base: format!("jurisdiction={}", t.code),
                from: &from,
                to: &to,
            };
            TownLine {
                code: t.code.clone(),
                name: lang.pick(&t.name, &t.name_en).to_string(),
                received: num(t.flow.received, town.received("")),
                closed: num(t.flow.closed, town.closed("")),
                open: num(t.open, town.now("&open=true")),
                overdue: num(t.overdue, town.now("&overdue=true")),
            }
        })
        .collect();
    // the grid counts run over whole months: so do their lists
    let month_start = period.from.with_day(1).unwrap_or(period.from);
    let month_end = last_of_month(period.to);
    let months = Lists {
        base: l.base.clone(),
        from: &month_start.format("%Y-%m-%d").to_string(),
        to: &month_end.format("%Y-%m-%d").to_string(),
    }
    .received("");
    let by_grid = c
        .by_grid
        .iter()
        .map(|g| GridLine {
            code: g.code.clone(),
            name: g.name.clone(),
            received: num(g.received, format!("{months}&grid={}", urlenc(&g.code))),
        })
        .collect();
    Overview {
        jurisdiction: Place {
            code: j.code.clone(),
            name: lang.pick(&j.name, &j.name_en).to_string(),
            level: j.level.as_str().to_string(),
        },
        from: from.clone(),
        to: to.clone(),
        as_of,
        totals,
        trend: c
            .by_day
            .into_iter()
            .map(|(day, f)| Day {
                day,
                received: f.received,
                closed: f.closed,
            })
            .collect(),
        by_field,
        by_channel,
        by_township,
        by_status,
        by_grid,
        grid_months: [from[..7].to_string(), to[..7].to_string()],
    }
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    let next = if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(d)
}

fn urlenc(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// Every table of the view as a sheet.
fn sheets(v: &Overview, lang: Lang) -> Vec<Sheet> {
    let h = |zh: &[&str], en: &[&str]| -> Vec<String> {
        zh.iter()
            .zip(en)
            .map(|(z, e)| lang.pick(z, e).to_string())
            .collect()
    };
    let txt = |s: &str| X::Text(s.to_string());
    let lines = |name_zh: &str, name_en: &str, key_zh: &str, key_en: &str, rows: &[Line]| Sheet {
        name: lang.pick(name_zh, name_en).to_string(),
        header: h(&[key_zh, "受理", "结案"], &[key_en, "Received", "Closed"]),
        rows: rows
            .iter()
            .map(|r| vec![txt(&r.label), X::Int(r.received.n), X::Int(r.closed.n)])
            .collect(),
    };
    vec![
        Sheet {
            name: lang.pick("概况", "Totals").to_string(),
            header: h(
                &["辖区", "开始", "结束", "受理", "结案", "在办", "超期"],
                &[
                    "Jurisdiction",
                    "From",
                    "To",
                    "Received",
                    "Closed",
                    "Open",
                    "Overdue",
                ],
            ),
            rows: vec![vec![
                txt(&v.jurisdiction.name),
                txt(&v.from),
                txt(&v.to),
                X::Int(v.totals.received.n),
                X::Int(v.totals.closed.n),
                X::Int(v.totals.open.n),
                X::Int(v.totals.overdue.n),
            ]],
        },
        Sheet {
            name: lang.pick("趋势", "Trend").to_string(),
            header: h(&["日期", "受理", "结案"], &["Day", "Received", "Closed"]),
            rows: v
                .trend
                .iter()
                .map(|d| vec![txt(&d.day), X::Int(d.received), X::Int(d.closed)])
                .collect(),
        },
        lines("按领域", "By field", "领域", "Field", &v.by_field),
        lines("按渠道", "By channel", "渠道", "Channel", &v.by_channel),
        Sheet {
            name: lang.pick("按乡镇", "By township").to_string(),
            header: h(
                &["代码", "乡镇", "受理", "结案", "在办", "超期"],
                &["Code", "Township", "Received", "Closed", "Open", "Overdue"],
            ),
            rows: v
                .by_township
                .iter()
                .map(|t| {
                    vec![
                        txt(&t.code),
                        txt(&t.name),
                        X::Int(t.received.n),
                        X::Int(t.closed.n),
                        X::Int(t.open.n),
                        X::Int(t.overdue.n),
                    ]
                })
                .collect(),
        },
        Sheet {
            name: lang.pick("按状态", "By status").to_string(),
            header: h(&["状态", "当前"], &["Status", "Now"]),
            rows: v
                .by_status
                .iter()
                .map(|s| vec![txt(&s.label), X::Int(s.now.n)])
                .collect(),
        },
        Sheet {
            name: lang.pick("按网格", "By grid").to_string(),
            header: h(
                &["网格编码", "网格", "受理（整月）"],
                &["Grid", "Name", "Received (whole months)"],
            ),
            rows: v
                .by_grid
                .iter()
                .map(|g| vec![txt(&g.code), txt(&g.name), X::Int(g.received.n)])
                .collect(),
        },
    ]
}
