//! Grids and areas: the polygons, and who is responsible for each grid over
//! time (squad ↔ district, officer ↔ grid, grid worker ↔ grid). An
//! assignment is never edited except to close it: a reassignment closes the
//! current one at an instant and opens the next, so every past instant still
//! has its answer.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::access::Scope;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::org::AssignmentKind;
use crate::util::{new_id, now, ts};
use crate::{Result, StoreError};

/// Midnight in China on `d`, as a stored instant.
pub fn day_start(d: NaiveDate) -> String {
    let local = domain::time::china()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("fixed offset");
    ts(local.with_timezone(&Utc))
}

/// A grid with its place in the tree; the geometry is GeoJSON text (WGS84).
#[derive(Debug, Clone, Serialize)]
pub struct GridRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub township_code: String,
    pub township_name: String,
    pub village_code: Option<String>,
    pub village_name: Option<String>,
    pub area_m2: f64,
    #[serde(skip)]
    pub geometry: String,
    #[serde(skip)]
    pub township_path: String,
}

const GRID_COLS: &str = "g.id, g.code, g.name, t.code AS township_code, t.name AS township_name, \
    v.code AS village_code, v.name AS village_name, g.area_m2, g.geometry, t.path AS township_path";
const GRID_FROM: &str = "FROM grids g JOIN jurisdictions t ON t.id = g.township_id \
    LEFT JOIN jurisdictions v ON v.id = g.village_id";

fn grid(row: &AnyRow) -> Result<GridRow> {
    Ok(GridRow {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        township_code: row.try_get("township_code")?,
        township_name: row.try_get("township_name")?,
        village_code: row.try_get("village_code")?,
        village_name: row.try_get("village_name")?,
        area_m2: row.try_get("area_m2")?,
        geometry: row.try_get("geometry")?,
        township_path: row.try_get("township_path")?,
    })
}

/// Every grid, for building the in-memory index (system use).
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<GridRow>> {
    let sql = format!("SELECT {GRID_COLS} {GRID_FROM} ORDER BY g.code");
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter().map(grid).collect()
}

/// Changes whenever a grid is added or reshaped: (count, latest change).
pub async fn fingerprint(conn: &mut AnyConnection) -> Result<String> {
    let row = sqlx::query("SELECT COUNT(*) AS n, MAX(created_at) AS t FROM grids")
        .fetch_one(conn)
        .await?;
    let n: i64 = row.try_get("n")?;
    let t: Option<String> = row.try_get("t")?;
    Ok(format!("{n}/{}", t.unwrap_or_default()))
}

/// Grids inside the scope, optionally of one township.
pub async fn list_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    township_code: Option<&str>,
) -> Result<Vec<GridRow>> {
    let mut binds: Vec<String> = scope.roots().to_vec();
    let mut cond = vec![crate::scoped::condition(scope, "t.path", 1)];
    if let Some(t) = township_code {
        binds.push(t.to_string());
        cond.push(format!("t.code = ${}", binds.len()));
    }
    let sql = format!(
        "SELECT {GRID_COLS} {GRID_FROM} WHERE {} ORDER BY g.code",
        cond.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(grid).collect()
}

/// A grid by code, if its township lies inside the scope.
pub async fn grid_in(conn: &mut AnyConnection, scope: &Scope, code: &str) -> Result<GridRow> {
    let sql = format!("SELECT {GRID_COLS} {GRID_FROM} WHERE g.code = $1");
    let row = sqlx::query(&sql).bind(code).fetch_optional(conn).await?;
    let g = grid(&row.ok_or(StoreError::NotFound)?)?;
    crate::org::in_scope(scope, &g.township_path)?;
    Ok(g)
}

pub async fn code_exists(conn: &mut AnyConnection, code: &str) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS one FROM grids WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// A person or unit responsible for a grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holder {
    pub id: String,
    pub name: String,
    /// Unit code for a squad.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub since: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// Who was responsible for a grid at an instant.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Responsible {
    pub squad: Option<Holder>,
    pub officer: Option<Holder>,
    pub grid_worker: Option<Holder>,
}

/// The assignments in force at `at` (valid_from ≤ at < valid_until).
pub async fn responsible_at(
    conn: &mut AnyConnection,
    grid_id: &str,
    at: DateTime<Utc>,
) -> Result<Responsible> {
    let rows = sqlx::query(
        "SELECT a.kind, a.valid_from, a.valid_until, u.id AS unit_id, u.code AS unit_code,
                u.name AS unit_name, s.id AS staff_id, s.name AS staff_name
         FROM assignments a
         LEFT JOIN org_units u ON u.id = a.unit_id
         LEFT JOIN staff s ON s.id = a.staff_id
         WHERE a.grid_id = $1 AND a.valid_from <= $2 AND (a.valid_until IS NULL OR a.valid_until > $2)
         ORDER BY a.valid_from",
    )
    .bind(grid_id)
    .bind(ts(at))
    .fetch_all(conn)
    .await?;
    let mut out = Responsible::default();
    for r in rows {
        let kind: String = r.try_get("kind")?;
        let since: String = r.try_get("valid_from")?;
        let until: Option<String> = r.try_get("valid_until")?;
        let holder = if kind == AssignmentKind::SquadDistrict.as_str() {
            Holder {
                id: r
                    .try_get::<Option<String>, _>("unit_id")?
                    .unwrap_or_default(),
                name: r
                    .try_get::<Option<String>, _>("unit_name")?
                    .unwrap_or_default(),
                code: r.try_get("unit_code")?,
                since,
                until,
            }
        } else {
            Holder {
                id: r
                    .try_get::<Option<String>, _>("staff_id")?
                    .unwrap_or_default(),
                name: r
                    .try_get::<Option<String>, _>("staff_name")?
                    .unwrap_or_default(),
                code: None,
                since,
                until,
            }
        };
        // ordered by valid_from: the latest one in force wins
        match kind.as_str() {
            "squad_district" => out.squad = Some(holder),
            "officer_grid" => out.officer = Some(holder),
            "grid_worker_grid" => out.grid_worker = Some(holder),
            _ => {}
        }
    }
    Ok(out)
}

/// Hand a grid to another squad, officer or grid worker from `from` on:
/// the current assignment of that kind is closed at the same instant.
pub async fn reassign(
    conn: &mut AnyConnection,
    kind: AssignmentKind,
    grid_id: &str,
    unit_id: Option<&str>,
    staff_id: Option<&str>,
    from: DateTime<Utc>,
) -> Result<String> {
    let at = ts(from);
    sqlx::query(
        "UPDATE assignments SET valid_until = $1
         WHERE grid_id = $2 AND kind = $3 AND valid_until IS NULL",
    )
    .bind(&at)
    .bind(grid_id)
    .bind(kind.as_str())
    .execute(&mut *conn)
    .await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO assignments (id, kind, grid_id, unit_id, staff_id, valid_from, valid_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
    )
    .bind(&id)
    .bind(kind.as_str())
    .bind(grid_id)
    .bind(unit_id)
    .bind(staff_id)
    .bind(&at)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// When the latest assignment of a kind began: a reassignment must come after it.
pub async fn latest_start(
    conn: &mut AnyConnection,
    grid_id: &str,
    kind: AssignmentKind,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT MAX(valid_from) AS t FROM assignments WHERE grid_id = $1 AND kind = $2",
    )
    .bind(grid_id)
    .bind(kind.as_str())
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("t")?)
}

/// The full assignment history of a grid, oldest first.
pub async fn history(conn: &mut AnyConnection, grid_id: &str) -> Result<Vec<(String, Holder)>> {
    let rows = sqlx::query(
        "SELECT a.kind, a.valid_from, a.valid_until, COALESCE(u.id, s.id) AS holder_id,
                COALESCE(u.name, s.name) AS holder_name, u.code AS unit_code
         FROM assignments a
         LEFT JOIN org_units u ON u.id = a.unit_id
         LEFT JOIN staff s ON s.id = a.staff_id
         WHERE a.grid_id = $1 ORDER BY a.valid_from, a.kind",
    )
    .bind(grid_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("kind")?,
                Holder {
                    id: r
                        .try_get::<Option<String>, _>("holder_id")?
                        .unwrap_or_default(),
                    name: r
                        .try_get::<Option<String>, _>("holder_name")?
                        .unwrap_or_default(),
                    code: r.try_get("unit_code")?,
                    since: r.try_get("valid_from")?,
                    until: r.try_get("valid_until")?,
                },
            ))
        })
        .collect()
}

/// Store or replace the outline of a jurisdiction.
pub async fn set_area(
    conn: &mut AnyConnection,
    jurisdiction_id: &str,
    geometry_geojson: &str,
    area_m2: f64,
) -> Result<()> {
    sqlx::query("DELETE FROM areas WHERE jurisdiction_id = $1")
        .bind(jurisdiction_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO areas (jurisdiction_id, geometry, area_m2, updated_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(jurisdiction_id)
    .bind(geometry_geojson)
    .bind(area_m2)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// An outline with its jurisdiction.
#[derive(Debug, Clone, Serialize)]
pub struct AreaRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub path: String,
    #[serde(skip)]
    pub geometry: String,
}

/// Outlines of the jurisdictions of the given levels (`township`, `street`, `county`…).
pub async fn areas(conn: &mut AnyConnection, levels: &[&str]) -> Result<Vec<AreaRow>> {
    let rows = sqlx::query(
        "SELECT j.code, j.name, j.level, j.path, a.geometry FROM areas a
         JOIN jurisdictions j ON j.id = a.jurisdiction_id ORDER BY j.code",
    )
    .fetch_all(conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let level: String = r.try_get("level")?;
        if levels.is_empty() || levels.contains(&level.as_str()) {
            out.push(AreaRow {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                level,
                path: r.try_get("path")?,
                geometry: r.try_get("geometry")?,
            });
        }
    }
    Ok(out)
}

/// Current holders (staff or unit ids) of one kind of assignment in a
/// township, in grid-code order, each once.
pub async fn holders(
    conn: &mut AnyConnection,
    township_id: &str,
    kind: AssignmentKind,
) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT COALESCE(a.staff_id, a.unit_id) AS holder FROM assignments a
         JOIN grids g ON g.id = a.grid_id
         WHERE g.township_id = $1 AND a.kind = $2 AND a.valid_until IS NULL
         ORDER BY g.code",
    )
    .bind(township_id)
    .bind(kind.as_str())
    .fetch_all(conn)
    .await?;
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        let h: Option<String> = r.try_get("holder")?;
        if let Some(h) = h
            && !out.contains(&h)
        {
            out.push(h);
        }
    }
    Ok(out)
}

/// The squad leader of a squad (unit id), if any.
pub async fn squad_leader(conn: &mut AnyConnection, unit_id: &str) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT id FROM staff WHERE unit_id = $1 AND post = 'squad_leader' AND active = 1 ORDER BY id",
    )
    .bind(unit_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}
