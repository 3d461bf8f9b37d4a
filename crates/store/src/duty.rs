//! The 24-hour duty tables: the shift plan, the roster (who is on which
//! shift of which date, in which role) and handover notes. The rules live
//! in `domain::duty`; this module only reads and writes.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::access::Scope;
use domain::duty::{DutyRole, Interval, RosterEntry, Shift};
use domain::org::Post;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now, ts};
use crate::{Result, StoreError};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value}"))
}

fn time_of_day(s: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| corrupt("shift time", s))
}

fn date_of(s: &str) -> Result<NaiveDate> {
    s.parse().map_err(|_| corrupt("shift date", s))
}

/// The shift plan, in the order of the day.
pub async fn shifts(conn: &mut AnyConnection) -> Result<Vec<Shift>> {
    let rows = sqlx::query(
        "SELECT code, name, name_en, starts, ends, leader_required FROM duty_shifts
         ORDER BY position, code",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let starts: String = r.try_get("starts")?;
            let ends: String = r.try_get("ends")?;
            Ok(Shift {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                name_en: r.try_get("name_en")?,
                starts: time_of_day(&starts)?,
                ends: time_of_day(&ends)?,
                leader_required: r.try_get::<i64, _>("leader_required")? == 1,
            })
        })
        .collect()
}

/// A roster entry as stored, with the person, unit and township it names.
#[derive(Debug, Clone, Serialize)]
pub struct RosterRow {
    pub id: String,
    pub township_id: String,
    pub township_code: String,
    pub township_path: String,
    pub staff_id: String,
    pub staff_name: String,
    pub post: Post,
    pub specialty: Option<String>,
    pub unit_id: Option<String>,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub date: NaiveDate,
    pub shift: String,
    pub role: DutyRole,
    /// RFC 3339 UTC; the entry covers `[starts_at, ends_at)`.
    pub starts_at: String,
    pub ends_at: String,
    pub created_by: String,
    pub created_at: String,
}

impl RosterRow {
    /// The entry as the domain's rules see it.
    pub fn entry(&self) -> RosterEntry {
        RosterEntry {
            staff_id: self.staff_id.clone(),
            unit_id: self.unit_id.clone(),
            date: self.date,
            shift: self.shift.clone(),
            role: self.role,
        }
    }
}

const ROSTER_SELECT: &str =
    "SELECT r.id, r.township_id, j.code AS township_code, j.path AS township_path,
        r.staff_id, s.name AS staff_name, s.post, s.specialty, r.unit_id, u.code AS unit_code,
        u.name AS unit_name, r.shift_date, r.shift_code, r.duty_role, r.starts_at, r.ends_at,
        r.created_by, r.created_at
    FROM duty_roster r
    JOIN jurisdictions j ON j.id = r.township_id
    JOIN staff s ON s.id = r.staff_id
    LEFT JOIN org_units u ON u.id = r.unit_id
    LEFT JOIN duty_shifts sh ON sh.code = r.shift_code";

/// Leaders first, then dispatchers, then officers.
const ROLE_ORDER: &str =
    "CASE r.duty_role WHEN 'leader' THEN 0 WHEN 'dispatcher' THEN 1 ELSE 2 END";

fn roster_row(r: &AnyRow) -> Result<RosterRow> {
    let post: String = r.try_get("post")?;
    let role: String = r.try_get("duty_role")?;
    let date: String = r.try_get("shift_date")?;
    Ok(RosterRow {
        id: r.try_get("id")?,
        township_id: r.try_get("township_id")?,
        township_code: r.try_get("township_code")?,
        township_path: r.try_get("township_path")?,
        staff_id: r.try_get("staff_id")?,
        staff_name: r.try_get("staff_name")?,
        post: Post::parse(&post).ok_or_else(|| corrupt("post", &post))?,
        specialty: r.try_get("specialty")?,
        unit_id: r.try_get("unit_id")?,
        unit_code: r.try_get("unit_code")?,
        unit_name: r.try_get("unit_name")?,
        date: date_of(&date)?,
        shift: r.try_get("shift_code")?,
        role: DutyRole::parse(&role).ok_or_else(|| corrupt("duty role", &role))?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A township's entries for shifts beginning from `from` to `to` (inclusive).
pub async fn entries_between(
    conn: &mut AnyConnection,
    township_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RosterRow>> {
    let sql = format!(
        "{ROSTER_SELECT} WHERE r.township_id = $1 AND r.shift_date >= $2 AND r.shift_date <= $3
         ORDER BY r.shift_date, sh.position, {ROLE_ORDER}, u.code, s.name"
    );
    let rows = sqlx::query(&sql)
        .bind(township_id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter().map(roster_row).collect()
}

/// The township's active staff who may be on duty, with post and unit.
pub async fn township_staff(
    conn: &mut AnyConnection,
    township_id: &str,
) -> Result<BTreeMap<String, (Post, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT id, post, unit_id FROM staff WHERE jurisdiction_id = $1 AND active = 1",
    )
    .bind(township_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let post: String = r.try_get("post")?;
            Ok((
                r.try_get("id")?,
                (
                    Post::parse(&post).ok_or_else(|| corrupt("post", &post))?,
                    r.try_get("unit_id")?,
                ),
            ))
        })
        .collect()
}

/// Columns of one roster row as inserted.
const INSERT_COLS: usize = 11;

/// Rows per INSERT statement: far below either database's parameter limit.
const INSERT_CHUNK: usize = 50;

/// Store checked entries (see `domain::duty::check`) with their instants, in
/// the given order; returns their ids. Call inside a transaction: a unique
/// (staff, date, shift) clash fails the whole batch.
pub async fn insert_entries(
    conn: &mut AnyConnection,
    township_id: &str,
    entries: &[(RosterEntry, Interval)],
    created_by: &str,
) -> Result<Vec<String>> {
    let created_at = now();
    let ids: Vec<String> = entries.iter().map(|_| new_id()).collect();
    for (chunk, chunk_ids) in entries.chunks(INSERT_CHUNK).zip(ids.chunks(INSERT_CHUNK)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|k| {
                let p: Vec<String> = (1..=INSERT_COLS)
                    .map(|c| format!("${}", k * INSERT_COLS + c))
                    .collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO duty_roster (id, township_id, staff_id, unit_id, shift_date, shift_code,
                duty_role, starts_at, ends_at, created_by, created_at)
             VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for ((e, i), id) in chunk.iter().zip(chunk_ids) {
            q = q
                .bind(id)
                .bind(township_id)
                .bind(&e.staff_id)
                .bind(&e.unit_id)
                .bind(e.date.to_string())
                .bind(&e.shift)
                .bind(e.role.as_str())
                .bind(ts(i.start))
                .bind(ts(i.end))
                .bind(created_by)
                .bind(&created_at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(ids)
}

/// Which roster entries to list.
pub struct RosterFilter<'a> {
    /// Only this township's (its jurisdiction path).
    pub township_path: Option<&'a str>,
    /// Only this person's.
    pub staff_id: Option<&'a str>,
    /// Shifts beginning from this date to `to` (inclusive).
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Entries inside the scope, by township, date, shift and role; with the total.
pub async fn list_roster(
    conn: &mut AnyConnection,
    scope: &Scope,
    filter: &RosterFilter<'_>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<RosterRow>, u64)> {
    let mut binds: Vec<String> = scope.roots().to_vec();
    let mut cond = vec![crate::scoped::condition(scope, "j.path", 1)];
    if let Some(p) = filter.township_path {
        binds.push(p.to_string());
        cond.push(format!("j.path LIKE ${} || '%'", binds.len()));
    }
    if let Some(s) = filter.staff_id {
        binds.push(s.to_string());
        cond.push(format!("r.staff_id = ${}", binds.len()));
    }
    binds.push(filter.from.to_string());
    cond.push(format!("r.shift_date >= ${}", binds.len()));
    binds.push(filter.to.to_string());
    cond.push(format!("r.shift_date <= ${}", binds.len()));
    let cond = cond.join(" AND ");
    let count = format!(
        "SELECT COUNT(*) AS n FROM duty_roster r JOIN jurisdictions j ON j.id = r.township_id
         WHERE {cond}"
    );
    let mut q = sqlx::query(&count);
    for b in &binds {
        q = q.bind(b);
    }
    let total: i64 = q.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "{ROSTER_SELECT} WHERE {cond}
         ORDER BY j.code, r.shift_date, sh.position, {ROLE_ORDER}, u.code, s.name, r.id
         LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok((
        rows.iter().map(roster_row).collect::<Result<_>>()?,
        total as u64,
    ))
}

/// One entry, if inside the scope (`OutOfScope` otherwise).
pub async fn entry_in(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<RosterRow> {
    let sql = format!("{ROSTER_SELECT} WHERE r.id = $1");
    let row = roster_row(&sqlx::query(&sql).bind(id).fetch_one(conn).await?)?;
    crate::org::in_scope(scope, &row.township_path)?;
    Ok(row)
}

pub async fn delete_entry(conn: &mut AnyConnection, id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM duty_roster WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A person on duty at an instant — what dispatch needs: the squad's code
/// and the person's specialty.
#[derive(Debug, Clone, Serialize)]
pub struct OnDutyRow {
    pub staff_id: String,
    pub name: String,
    pub post: Post,
    /// The enforcement field the person specialises in (`staff.specialty`).
    pub specialty: Option<String>,
    /// The unit the person is on duty for (a squad, or the brigade for a
    /// brigade leader).
    pub unit_id: Option<String>,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub role: DutyRole,
    pub date: NaiveDate,
    pub shift: String,
    pub starts_at: String,
    pub ends_at: String,
}

impl OnDutyRow {
    /// The person as `domain::report::route` takes them: the squad is the
    /// unit's code (empty without a unit), the specialty parsed as a field.
    pub fn for_routing(&self) -> domain::report::OnDuty {
        domain::report::OnDuty {
            staff_id: self.staff_id.clone(),
            squad: self.unit_code.clone().unwrap_or_default(),
            specialty: self
                .specialty
                .as_deref()
                .and_then(domain::powerlist::Field::parse),
        }
    }
}

/// Who is on duty in a township (by id) at an instant: every active person
/// with an entry covering it, leaders first, then by unit and name.
pub async fn on_duty_at(
    conn: &mut AnyConnection,
    township_id: &str,
    at: DateTime<Utc>,
) -> Result<Vec<OnDutyRow>> {
    let sql = format!(
        "{ROSTER_SELECT} WHERE r.township_id = $1 AND r.starts_at <= $2 AND r.ends_at > $2
             AND s.active = 1
         ORDER BY {ROLE_ORDER}, u.code, s.name, r.id"
    );
    let rows = sqlx::query(&sql)
        .bind(township_id)
        .bind(ts(at))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let e = roster_row(r)?;
            Ok(OnDutyRow {
                staff_id: e.staff_id,
                name: e.staff_name,
                post: e.post,
                specialty: e.specialty,
                unit_id: e.unit_id,
                unit_code: e.unit_code,
                unit_name: e.unit_name,
                role: e.role,
                date: e.date,
                shift: e.shift,
                starts_at: e.starts_at,
                ends_at: e.ends_at,
            })
        })
        .collect()
}

/// A handover note (交接班记录) from one shift to the next.
#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    pub id: String,
    pub township_code: String,
    pub township_path: String,
    pub from_date: NaiveDate,
    pub from_shift: String,
    pub to_date: NaiveDate,
    pub to_shift: String,
    pub author: String,
    pub author_user_id: Option<String>,
    pub author_staff_id: Option<String>,
    pub note: String,
    pub open_items: i64,
    pub created_at: String,
}

pub struct NewHandover<'a> {
    pub township_id: &'a str,
    pub from: (NaiveDate, &'a str),
    pub to: (NaiveDate, &'a str),
    pub author: &'a str,
    pub author_user_id: Option<&'a str>,
    pub author_staff_id: Option<&'a str>,
    pub note: &'a str,
    pub open_items: i64,
}

pub async fn insert_handover(conn: &mut AnyConnection, h: &NewHandover<'_>) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO duty_handovers (id, township_id, from_date, from_shift, to_date, to_shift,
            author, author_user_id, author_staff_id, note, open_items, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(h.township_id)
    .bind(h.from.0.to_string())
    .bind(h.from.1)
    .bind(h.to.0.to_string())
    .bind(h.to.1)
    .bind(h.author)
    .bind(h.author_user_id)
    .bind(h.author_staff_id)
    .bind(h.note)
    .bind(h.open_items)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

const HANDOVER_SELECT: &str = "SELECT h.id, j.code AS township_code, j.path AS township_path,
        h.from_date, h.from_shift, h.to_date, h.to_shift, h.author, h.author_user_id,
        h.author_staff_id, h.note, h.open_items, h.created_at
    FROM duty_handovers h JOIN jurisdictions j ON j.id = h.township_id";

fn handover(r: &AnyRow) -> Result<Handover> {
    let from: String = r.try_get("from_date")?;
    let to: String = r.try_get("to_date")?;
    Ok(Handover {
        id: r.try_get("id")?,
        township_code: r.try_get("township_code")?,
        township_path: r.try_get("township_path")?,
        from_date: date_of(&from)?,
        from_shift: r.try_get("from_shift")?,
        to_date: date_of(&to)?,
        to_shift: r.try_get("to_shift")?,
        author: r.try_get("author")?,
        author_user_id: r.try_get("author_user_id")?,
        author_staff_id: r.try_get("author_staff_id")?,
        note: r.try_get("note")?,
        open_items: r.try_get("open_items")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn handover_by_id(conn: &mut AnyConnection, id: &str) -> Result<Handover> {
    let sql = format!("{HANDOVER_SELECT} WHERE h.id = $1");
    handover(&sqlx::query(&sql).bind(id).fetch_one(conn).await?)
}

/// Handover notes inside the scope, newest first, optionally of one
/// township; with the total.
pub async fn list_handovers(
    conn: &mut AnyConnection,
    scope: &Scope,
    township_path: Option<&str>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Handover>, u64)> {
    let mut binds: Vec<String> = scope.roots().to_vec();
    let mut cond = vec![crate::scoped::condition(scope, "j.path", 1)];
    if let Some(p) = township_path {
        binds.push(p.to_string());
        cond.push(format!("j.path LIKE ${} || '%'", binds.len()));
    }
    let cond = cond.join(" AND ");
    let count = format!(
        "SELECT COUNT(*) AS n FROM duty_handovers h JOIN jurisdictions j ON j.id = h.township_id
         WHERE {cond}"
    );
    let mut q = sqlx::query(&count);
    for b in &binds {
        q = q.bind(b);
    }
    let total: i64 = q.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "{HANDOVER_SELECT} WHERE {cond} ORDER BY h.created_at DESC, h.id DESC
         LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok((
        rows.iter().map(handover).collect::<Result<_>>()?,
        total as u64,
    ))
}
