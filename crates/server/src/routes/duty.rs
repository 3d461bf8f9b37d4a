//! 24-hour duty (24小时值班): the roster (who is on which shift, in which
//! role), who is on duty now, and handover notes from one shift to the
//! next. The rules are `domain::duty`'s; reading needs `view_organisation`,
//! changing needs `manage_duty` in the township.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::access::{Permission, Scope};
use domain::duty::{self as dd, DutyRole, RosterEntry, RosterProblem, Shift};
use domain::{Error, Lang};
use serde::{Deserialize, Serialize};
use store::audit::{self, Change};
use store::duty::{self as sd, Handover, OnDutyRow, RosterRow};
use store::org::Jurisdiction;
use utoipa::{IntoParams, ToSchema};

use super::org::{Paged, paging};
use super::users::jurisdiction_in;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, required};
use crate::lang::ReqLang;
use crate::state::AppState;

/// Entries in one request, at most.
const MAX_BATCH: usize = 500;
/// Days one roster query may span, at most.
const MAX_SPAN_DAYS: u64 = 62;
/// Characters of a handover note, at most.
const MAX_NOTE: usize = 4000;

/// A township (or street) by code, inside the scope; anything else is a bad
/// value of `field`.
async fn township_in(
    conn: &mut store::Conn,
    scope: &Scope,
    field: &'static str,
    code: &str,
) -> Result<Jurisdiction, ApiError> {
    let j = jurisdiction_in(conn, scope, field, code).await?;
    if !j.level.is_township() {
        return Err(Error::invalid(
            "duty.township",
            field,
            format!("{code} 不是乡镇或街道：值班按乡镇排定"),
            format!("{code} is not a township or street; duty is rostered per township"),
        )
        .into());
    }
    Ok(j)
}

fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, Error> {
    s.trim().parse().map_err(|_| {
        Error::invalid(
            "duty.date",
            field,
            format!("{field} 应为 YYYY-MM-DD 格式的日期"),
            format!("{field} must be a date YYYY-MM-DD"),
        )
    })
}

fn parse_instant(field: &'static str, s: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Utc::now()),
        Some(s) => domain::time::from_storage(s).ok_or_else(|| {
            ApiError(Error::invalid(
                "duty.instant",
                field,
                format!("{field} 应为 RFC 3339 时间，如 2026-03-01T20:00:00+08:00"),
                format!("{field} must be an RFC 3339 instant, e.g. 2026-03-01T20:00:00+08:00"),
            ))
        }),
    }
}

fn shift_label<'a>(plan: &'a [Shift], code: &'a str, lang: Lang) -> &'a str {
    plan.iter()
        .find(|s| s.code == code)
        .map(|s| s.label(lang))
        .unwrap_or(code)
}

/// A roster entry as shown.
#[derive(Serialize, ToSchema)]
pub struct RosterView {
    pub id: String,
    /// The township's division code.
    pub township: String,
    pub staff_id: String,
    pub staff_name: String,
    pub post: String,
    pub post_label: String,
    /// The person's enforcement field (专长).
    pub specialty: Option<String>,
    /// The unit (squad) the person is on duty for.
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    /// The date the shift begins on (China time), YYYY-MM-DD.
    pub date: String,
    /// The shift's code: `day`, `night`.
    pub shift: String,
    pub shift_label: String,
    /// leader, dispatcher or officer.
    pub role: String,
    pub role_label: String,
    /// The entry covers `[starts_at, ends_at)`, RFC 3339 UTC.
    pub starts_at: String,
    pub ends_at: String,
}

fn roster_view(r: RosterRow, plan: &[Shift], lang: Lang) -> RosterView {
    RosterView {
        shift_label: shift_label(plan, &r.shift, lang).to_string(),
        id: r.id,
        township: r.township_code,
        staff_id: r.staff_id,
        staff_name: r.staff_name,
        post: r.post.as_str().into(),
        post_label: r.post.label(lang).into(),
        specialty: r.specialty,
        unit: r.unit_code,
        unit_name: r.unit_name,
        date: r.date.to_string(),
        shift: r.shift,
        role: r.role.as_str().into(),
        role_label: r.role.label(lang).into(),
        starts_at: r.starts_at,
        ends_at: r.ends_at,
    }
}

#[derive(Deserialize, IntoParams)]
pub struct RosterQuery {
    /// A township's division code (default: every township in the caller's jurisdiction).
    pub township: Option<String>,
    /// First shift date, YYYY-MM-DD (default today, China time).
    pub from: Option<String>,
    /// Last shift date, YYYY-MM-DD (default six days after `from`; at most 62 days after it).
    pub to: Option<String>,
    /// Only this person's entries.
    pub staff_id: Option<String>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Items per page (1–500, default 100).
    pub per_page: Option<u32>,
}

/// The duty roster by shift date: leaders first, then dispatchers and
/// officers, by unit and name.
#[utoipa::path(get, path = "/api/v1/duty/roster", tag = "organisation", params(RosterQuery),
    responses((status = 200, body = Paged<RosterView>),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_roster(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    Query(q): Query<RosterQuery>,
) -> ApiResult<Json<Paged<RosterView>>> {
    let scope = caller.scope(Permission::ViewOrganisation)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let from = match q.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date("from", s)?,
        None => domain::time::china_date(Utc::now()),
    };
    let to = match q.to.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date("to", s)?,
        None => from + Days::new(6),
    };
    if to < from || to > from + Days::new(MAX_SPAN_DAYS) {
        return Err(Error::invalid(
            "duty.range",
            "to",
            format!("to 应不早于 from，且相隔不超过 {MAX_SPAN_DAYS} 天"),
            format!("to must not be before from, and at most {MAX_SPAN_DAYS} days after it"),
        )
        .into());
    }
    let mut conn = state.store.acquire().await?;
    let township = match q.township.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(township_in(&mut conn, &scope, "township", code).await?.path),
        None => None,
    };
    let plan = sd::shifts(&mut conn).await?;
    let (rows, total) = sd::list_roster(
        &mut conn,
        &scope,
        &sd::RosterFilter {
            township_path: township.as_deref(),
            staff_id: q.staff_id.as_deref().filter(|s| !s.is_empty()),
            from,
            to,
        },
        per_page,
        u64::from((page - 1) * per_page),
    )
    .await?;
    Ok(Json(Paged {
        items: rows
            .into_iter()
            .map(|r| roster_view(r, &plan, lang))
            .collect(),
        page,
        per_page,
        total,
    }))
}

/// One entry of a batch, as sent.
#[derive(Deserialize, ToSchema)]
pub struct NewRosterEntry {
    /// The person (staff id), an active member of the township's staff.
    pub staff_id: String,
    /// The unit's code (default: the person's own unit).
    pub unit: Option<String>,
    /// The date the shift begins on, YYYY-MM-DD (China time).
    pub date: String,
    /// The shift's code: `day` (08:00–20:00) or `night` (20:00–08:00 the next morning).
    pub shift: String,
    /// leader (a brigade or squad leader), dispatcher or officer.
    pub role: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewRoster {
    /// The township's division code.
    pub township: String,
    /// 1 to 500 entries, stored all together or not at all.
    pub entries: Vec<NewRosterEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct RosterCreated {
    pub township: String,
    pub items: Vec<RosterView>,
}

/// Add entries to the roster, all or nothing. Every entry is checked: the
/// person is active staff of the township with a post fitting the role,
/// the unit is the township's, the shift exists and has not ended, nobody
/// is on two overlapping shifts, and each shift that needs one has a
/// leader on duty. Any bad entry refuses the whole batch (422): the
/// problem's `field` names the first bad entry's field
/// (`entries[2].shift`) and its message names every one.
#[utoipa::path(post, path = "/api/v1/duty/roster", tag = "organisation", request_body = NewRoster,
    responses((status = 201, body = RosterCreated),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_roster(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    ApiJson(req): ApiJson<NewRoster>,
) -> ApiResult<(StatusCode, Json<RosterCreated>)> {
    let scope = caller.scope(Permission::ManageDuty)?;
    if req.entries.is_empty() || req.entries.len() > MAX_BATCH {
        return Err(Error::invalid(
            "duty.batch_size",
            "entries",
            format!("每次应提交 1 到 {MAX_BATCH} 条排班"),
            format!("send 1 to {MAX_BATCH} entries at a time"),
        )
        .into());
    }
    let mut tx = state.store.begin_write().await?;
    let town = township_in(&mut tx, &scope, "township", &req.township).await?;
    let plan = sd::shifts(&mut tx).await?;
    let staff = sd::township_staff(&mut tx, &town.id).await?;
    let units: BTreeMap<String, String> = store::org::units_in(&mut tx, &town.id)
        .await?
        .into_iter()
        .map(|u| (u.code, u.id))
        .collect();

    // Parse what can be parsed; every problem names its entry and field.
    let mut problems: Vec<RosterProblem> = Vec::new();
    let mut parsed: Vec<(usize, RosterEntry)> = Vec::new();
    for (i, e) in req.entries.iter().enumerate() {
        let staff_id = e.staff_id.trim();
        let date = parse_date("date", &e.date).map_err(|err| {
            problems.push(RosterProblem::new(i, "date", err.code, err.zh, err.en));
        });
        let role = DutyRole::parse(&e.role).ok_or_else(|| {
            problems.push(RosterProblem::new(
                i,
                "role",
                "duty.role",
                format!(
                    "未知的值班角色「{}」，可用：leader、dispatcher、officer",
                    e.role
                ),
                format!(
                    "unknown duty role `{}`; use leader, dispatcher or officer",
                    e.role
                ),
            ));
        });
        let unit_id = match e.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(code) => match units.get(code) {
                Some(id) => Some(id.clone()),
                None => {
                    problems.push(RosterProblem::new(
                        i,
                        "unit",
                        "duty.unit",
                        format!("{code} 不是本乡镇的单位"),
                        format!("{code} is not a unit of this township"),
                    ));
                    None
                }
            },
            None => staff.get(staff_id).and_then(|(_, u)| u.clone()),
        };
        match (date, role) {
            // the rules see every entry they can: its other fields are checked too
            (Ok(date), Ok(role)) => parsed.push((
                i,
                RosterEntry {
                    staff_id: staff_id.to_string(),
                    unit_id,
                    date,
                    shift: e.shift.trim().to_string(),
                    role,
                },
            )),
            _ if !staff.contains_key(staff_id) => problems.push(RosterProblem::new(
                i,
                "staff_id",
                "duty.unknown_staff",
                format!("{staff_id} 不是本乡镇在岗人员"),
                format!("{staff_id} is not an active member of this township's staff"),
            )),
            _ => {}
        }
    }
    let entries: Vec<RosterEntry> = parsed.iter().map(|(_, e)| e.clone()).collect();
    if let (Some(first), Some(last)) = (
        entries.iter().map(|e| e.date).min(),
        entries.iter().map(|e| e.date).max(),
    ) {
        let from = first.pred_opt().unwrap_or(first);
        let to = last.succ_opt().unwrap_or(last);
        let existing: Vec<RosterEntry> = sd::entries_between(&mut tx, &town.id, from, to)
            .await?
            .iter()
            .map(RosterRow::entry)
            .collect();
        let posts: BTreeMap<String, domain::org::Post> =
            staff.iter().map(|(id, (p, _))| (id.clone(), *p)).collect();
        for mut p in dd::check(&entries, &existing, &plan, &posts, Utc::now()) {
            p.index = parsed[p.index].0;
            problems.push(p);
        }
    }
    if let Some(e) = dd::refusal(&problems) {
        return Err(e.into());
    }
    let with_instants: Vec<(RosterEntry, dd::Interval)> = entries
        .into_iter()
        .filter_map(|e| e.interval(&plan).map(|i| (e, i)))
        .collect();
    let actor = caller.actor(&town.path);
    let ids = sd::insert_entries(&mut tx, &town.id, &with_instants, &actor.name).await?;
    let after = serde_json::json!({
        "township": town.code,
        "entries": with_instants.iter().zip(&ids).map(|((e, _), id)| serde_json::json!({
            "id": id, "staff_id": e.staff_id, "unit_id": e.unit_id, "date": e.date.to_string(),
            "shift": e.shift, "role": e.role.as_str()})).collect::<Vec<_>>(),
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &actor,
        Change {
            action: "duty.roster_add",
            object_type: "duty_roster",
            object_id: ids.first().map(String::as_str).unwrap_or(""),
            jurisdiction: &town.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    let dates = with_instants.iter().map(|(e, _)| e.date);
    let (from, to) = (dates.clone().min(), dates.max());
    let stored = match (from, to) {
        (Some(from), Some(to)) => sd::entries_between(&mut tx, &town.id, from, to).await?,
        _ => Vec::new(),
    };
    tx.commit().await.map_err(store::StoreError::from)?;
    let items = stored
        .into_iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| roster_view(r, &plan, lang))
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(RosterCreated {
            township: town.code,
            items,
        }),
    ))
}

/// Take an entry off the roster. Refused once its shift has ended (422
/// `duty.past_shift`: the record of who was on duty stays) and for the only
/// leader of a shift that needs one (409 `duty.last_leader`: roster the
/// replacement first).
#[utoipa::path(delete, path = "/api/v1/duty/roster/{id}", tag = "organisation",
    params(("id" = String, Path)),
    responses((status = 204),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_roster(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let scope = caller.scope(Permission::ManageDuty)?;
    let mut tx = state.store.begin_write().await?;
    let row = sd::entry_in(&mut tx, &scope, &id)
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => ApiError(Error::not_found("排班", "Roster entry")),
            other => other.into(),
        })?;
    let plan = sd::shifts(&mut tx).await?;
    let others: Vec<RosterEntry> =
        sd::entries_between(&mut tx, &row.township_id, row.date, row.date)
            .await?
            .into_iter()
            .filter(|r| r.id != row.id && r.shift == row.shift)
            .map(|r| r.entry())
            .collect();
    dd::check_removal(&row.entry(), &others, &plan, Utc::now())?;
    sd::delete_entry(&mut tx, &row.id).await?;
    let before = serde_json::json!({
        "id": row.id, "township": row.township_code, "staff_id": row.staff_id,
        "unit_id": row.unit_id, "date": row.date.to_string(), "shift": row.shift,
        "role": row.role.as_str(),
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &caller.actor(&row.township_path),
        Change {
            action: "duty.roster_delete",
            object_type: "duty_roster",
            object_id: &row.id,
            jurisdiction: &row.township_path,
            before: Some(&before),
            after: None,
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct NowQuery {
    /// The township's division code.
    pub township: String,
    /// The instant to ask about, RFC 3339 (default now).
    pub at: Option<String>,
}

/// A shift of one date.
#[derive(Serialize, ToSchema)]
pub struct ShiftView {
    pub date: String,
    pub code: String,
    pub label: String,
    pub starts_at: String,
    pub ends_at: String,
}

fn shift_view(date: NaiveDate, s: &Shift, lang: Lang) -> ShiftView {
    let i = s.interval(date);
    ShiftView {
        date: date.to_string(),
        code: s.code.clone(),
        label: s.label(lang).to_string(),
        starts_at: domain::time::to_storage(i.start),
        ends_at: domain::time::to_storage(i.end),
    }
}

/// A person on duty.
#[derive(Serialize, ToSchema)]
pub struct OnDutyView {
    pub staff_id: String,
    pub name: String,
    pub post: String,
    pub post_label: String,
    /// The person's enforcement field (专长), used by dispatch.
    pub specialty: Option<String>,
    /// The unit's (squad's) code.
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub role: String,
    pub role_label: String,
    pub date: String,
    pub shift: String,
    pub starts_at: String,
    pub ends_at: String,
}

fn on_duty_view(r: OnDutyRow, lang: Lang) -> OnDutyView {
    OnDutyView {
        staff_id: r.staff_id,
        name: r.name,
        post: r.post.as_str().into(),
        post_label: r.post.label(lang).into(),
        specialty: r.specialty,
        unit: r.unit_code,
        unit_name: r.unit_name,
        role: r.role.as_str().into(),
        role_label: r.role.label(lang).into(),
        date: r.date.to_string(),
        shift: r.shift,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct OnDutyNow {
    pub township: String,
    /// The instant asked about, RFC 3339 UTC.
    pub at: String,
    /// The shift of the plan running then (none when the plan leaves a gap).
    pub shift: Option<ShiftView>,
    /// Leaders first, then dispatchers and officers.
    pub items: Vec<OnDutyView>,
    /// Nobody is on duty as leader although the shift needs one.
    pub leader_missing: bool,
}

/// Who is on duty in a township now (or at `at`): every person whose
/// roster entry covers the instant. The night shift of a date runs to 08:00
/// on the next; at 08:00 the day shift has taken over.
#[utoipa::path(get, path = "/api/v1/duty/now", tag = "organisation", params(NowQuery),
    responses((status = 200, body = OnDutyNow),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn now(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    Query(q): Query<NowQuery>,
) -> ApiResult<Json<OnDutyNow>> {
    let scope = caller.scope(Permission::ViewOrganisation)?;
    let at = parse_instant("at", q.at.as_deref())?;
    let mut conn = state.store.acquire().await?;
    let town = township_in(&mut conn, &scope, "township", &q.township).await?;
    let plan = sd::shifts(&mut conn).await?;
    let rows = sd::on_duty_at(&mut conn, &town.id, at).await?;
    let running = dd::shift_at(&plan, at);
    let leader_missing = running.is_some_and(|(_, s)| s.leader_required)
        && !rows.iter().any(|r| r.role == DutyRole::Leader);
    Ok(Json(OnDutyNow {
        township: town.code,
        at: domain::time::to_storage(at),
        shift: running.map(|(d, s)| shift_view(d, s, lang)),
        items: rows.into_iter().map(|r| on_duty_view(r, lang)).collect(),
        leader_missing,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewHandover {
    /// The township's division code.
    pub township: String,
    /// The shift handed over: its date (YYYY-MM-DD) and code. Default: the
    /// shift running now. Give both or neither.
    pub date: Option<String>,
    pub shift: Option<String>,
    /// What the next shift needs to know (交接事项).
    pub note: String,
    /// Matters still open, handed over.
    #[serde(default)]
    pub open_items: u32,
}

/// A handover note.
#[derive(Serialize, ToSchema)]
pub struct HandoverView {
    pub id: String,
    pub township: String,
    /// The shift handing over.
    pub from: ShiftView,
    /// The shift taking over: the next one of the plan.
    pub to: ShiftView,
    pub author: String,
    pub author_staff_id: Option<String>,
    pub note: String,
    pub open_items: i64,
    pub created_at: String,
}

fn handover_view(h: Handover, plan: &[Shift], lang: Lang) -> HandoverView {
    let view = |date: NaiveDate, code: &str| match plan.iter().find(|s| s.code == code) {
        Some(s) => shift_view(date, s, lang),
        None => ShiftView {
            date: date.to_string(),
            code: code.to_string(),
            label: code.to_string(),
            starts_at: String::new(),
            ends_at: String::new(),
        },
    };
    HandoverView {
        from: view(h.from_date, &h.from_shift),
        to: view(h.to_date, &h.to_shift),
        id: h.id,
        township: h.township_code,
        author: h.author,
        author_staff_id: h.author_staff_id,
        note: h.note,
        open_items: h.open_items,
        created_at: h.created_at,
    }
}

/// Write a handover note from a shift to the next (交接班): what happened,
/// what is still open and how many matters are handed over.
#[utoipa::path(post, path = "/api/v1/duty/handovers", tag = "organisation", request_body = NewHandover,
    responses((status = 201, body = HandoverView),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_handover(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    ApiJson(req): ApiJson<NewHandover>,
) -> ApiResult<(StatusCode, Json<HandoverView>)> {
    let scope = caller.scope(Permission::ManageDuty)?;
    required("note", &req.note)?;
    if req.note.chars().count() > MAX_NOTE {
        return Err(Error::invalid(
            "duty.note_length",
            "note",
            format!("交接事项不超过 {MAX_NOTE} 字"),
            format!("the note is limited to {MAX_NOTE} characters"),
        )
        .into());
    }
    let mut tx = state.store.begin_write().await?;
    let town = township_in(&mut tx, &scope, "township", &req.township).await?;
    let plan = sd::shifts(&mut tx).await?;
    let date = req.date.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let code = req
        .shift
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (from_date, from_shift) = match (date, code) {
        (None, None) => dd::shift_at(&plan, Utc::now())
            .map(|(d, s)| (d, s.code.clone()))
            .ok_or_else(|| {
                ApiError(Error::invalid(
                    "duty.no_shift_now",
                    "shift",
                    "当前不在任何班次内，请指定 date 与 shift",
                    "no shift is running now; give date and shift",
                ))
            })?,
        (Some(d), Some(c)) => {
            let d = parse_date("date", d)?;
            if !plan.iter().any(|s| s.code == c) {
                let codes: Vec<&str> = plan.iter().map(|s| s.code.as_str()).collect();
                return Err(Error::invalid(
                    "duty.unknown_shift",
                    "shift",
                    format!("没有班次「{c}」，可用：{}", codes.join("、")),
                    format!("no shift `{c}`; use one of {}", codes.join(", ")),
                )
                .into());
            }
            (d, c.to_string())
        }
        (Some(_), None) | (None, Some(_)) => {
            let field = if date.is_none() { "date" } else { "shift" };
            return Err(Error::invalid(
                "duty.handover_shift",
                field,
                "date 与 shift 须同时给出，或都不给（即当前班次）",
                "give both date and shift, or neither (the shift running now)",
            )
            .into());
        }
    };
    let (to_date, to_shift) = dd::next_shift(&plan, from_date, &from_shift)
        .map(|(d, s)| (d, s.code.clone()))
        .ok_or_else(|| ApiError(Error::internal()))?;
    let author_staff_id = match &caller.principal.user_id {
        Some(uid) => store::identity::user_by_id(&mut tx, uid).await?.staff_id,
        None => None,
    };
    let actor = caller.actor(&town.path);
    let id = sd::insert_handover(
        &mut tx,
        &sd::NewHandover {
            township_id: &town.id,
            from: (from_date, &from_shift),
            to: (to_date, &to_shift),
            author: &actor.name,
            author_user_id: actor.user_id.as_deref(),
            author_staff_id: author_staff_id.as_deref(),
            note: req.note.trim(),
            open_items: i64::from(req.open_items),
        },
    )
    .await?;
    let h = sd::handover_by_id(&mut tx, &id).await?;
    let after = serde_json::json!({
        "township": town.code, "from": [from_date.to_string(), from_shift],
        "to": [to_date.to_string(), to_shift], "note": h.note, "open_items": h.open_items,
    });
    audit::append(
        &mut tx,
        &state.audit_key,
        &actor,
        Change {
            action: "duty.handover",
            object_type: "duty_handover",
            object_id: &id,
            jurisdiction: &town.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok((StatusCode::CREATED, Json(handover_view(h, &plan, lang))))
}

#[derive(Deserialize, IntoParams)]
pub struct HandoverQuery {
    /// A township's division code (default: every township in the caller's jurisdiction).
    pub township: Option<String>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Items per page (1–500, default 100).
    pub per_page: Option<u32>,
}

/// Handover notes, newest first.
#[utoipa::path(get, path = "/api/v1/duty/handovers", tag = "organisation", params(HandoverQuery),
    responses((status = 200, body = Paged<HandoverView>),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_handovers(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    caller: Caller,
    Query(q): Query<HandoverQuery>,
) -> ApiResult<Json<Paged<HandoverView>>> {
    let scope = caller.scope(Permission::ViewOrganisation)?;
    let (page, per_page) = paging(q.page, q.per_page)?;
    let mut conn = state.store.acquire().await?;
    let township = match q.township.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(township_in(&mut conn, &scope, "township", code).await?.path),
        None => None,
    };
    let plan = sd::shifts(&mut conn).await?;
    let (rows, total) = sd::list_handovers(
        &mut conn,
        &scope,
        township.as_deref(),
        per_page,
        u64::from((page - 1) * per_page),
    )
    .await?;
    Ok(Json(Paged {
        items: rows
            .into_iter()
            .map(|h| handover_view(h, &plan, lang))
            .collect(),
        page,
        per_page,
        total,
    }))
}
