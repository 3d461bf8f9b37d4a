//! The organisation tables: jurisdictions, units, staff, credentials, grids
//! and who is assigned to which grid.

use chrono::NaiveDate;
use domain::access::Scope;
use domain::org::{Level, Post, UnitKind};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{bind_opt_f64, new_id, now};
use crate::{Result, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Jurisdiction {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: Level,
    pub parent_id: Option<String>,
    pub path: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

pub struct NewJurisdiction<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub name_en: &'a str,
    pub level: Level,
    pub parent: Option<&'a Jurisdiction>,
    /// WGS84
    pub seat: Option<(f64, f64)>,
}

fn jurisdiction(row: &AnyRow) -> Result<Jurisdiction> {
    let level: String = row.try_get("level")?;
    Ok(Jurisdiction {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        level: Level::parse(&level).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        parent_id: row.try_get("parent_id")?,
        path: row.try_get("path")?,
        lon: row.try_get("lon")?,
        lat: row.try_get("lat")?,
    })
}

const JURISDICTION_COLS: &str = "id, code, name, name_en, level, parent_id, path, lon, lat";

/// Add a jurisdiction under its parent. The domain decides which levels nest.
pub async fn insert_jurisdiction(
    conn: &mut AnyConnection,
    new: NewJurisdiction<'_>,
) -> Result<Jurisdiction> {
    if let Some(parent) = new.parent
        && !parent.level.may_contain(new.level)
    {
        return Err(StoreError::Corrupt(format!(
            "a {} cannot contain a {}",
            parent.level.as_str(),
            new.level.as_str()
        )));
    }
    let path = match new.parent {
        Some(p) => format!("{}{}/", p.path, new.code),
        None => format!("/{}/", new.code),
    };
    let j = Jurisdiction {
        id: new_id(),
        code: new.code.to_string(),
        name: new.name.to_string(),
        name_en: new.name_en.to_string(),
        level: new.level,
        parent_id: new.parent.map(|p| p.id.clone()),
        path,
        lon: new.seat.map(|s| s.0),
        lat: new.seat.map(|s| s.1),
    };
    let q = sqlx::query(
        "INSERT INTO jurisdictions (id, code, name, name_en, level, parent_id, path, lon, lat, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&j.id)
    .bind(&j.code)
    .bind(&j.name)
    .bind(&j.name_en)
    .bind(j.level.as_str())
    .bind(&j.parent_id)
    .bind(&j.path);
    bind_opt_f64(bind_opt_f64(q, j.lon), j.lat)
        .bind(now())
        .execute(conn)
        .await?;
    Ok(j)
}

pub async fn jurisdiction_by_code(conn: &mut AnyConnection, code: &str) -> Result<Jurisdiction> {
    let sql = format!("SELECT {JURISDICTION_COLS} FROM jurisdictions WHERE code = $1");
    let row = sqlx::query(&sql).bind(code).fetch_one(conn).await?;
    jurisdiction(&row)
}

/// Jurisdictions of the given levels, in code order.
pub async fn list_jurisdictions(
    conn: &mut AnyConnection,
    levels: &[Level],
) -> Result<Vec<Jurisdiction>> {
    let sql = format!("SELECT {JURISDICTION_COLS} FROM jurisdictions ORDER BY code");
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter()
        .map(jurisdiction)
        .filter(|j| {
            j.as_ref()
                .map(|j| levels.contains(&j.level))
                .unwrap_or(true)
        })
        .collect()
}

/// Children of a jurisdiction, in code order.
pub async fn children(conn: &mut AnyConnection, parent_id: &str) -> Result<Vec<Jurisdiction>> {
    let sql =
        format!("SELECT {JURISDICTION_COLS} FROM jurisdictions WHERE parent_id = $1 ORDER BY code");
    let rows = sqlx::query(&sql).bind(parent_id).fetch_all(conn).await?;
    rows.iter().map(jurisdiction).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: UnitKind,
    pub jurisdiction_id: String,
    pub parent_id: Option<String>,
    pub field: Option<String>,
}

pub struct NewUnit<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub name_en: &'a str,
    pub kind: UnitKind,
    pub jurisdiction_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub field: Option<&'a str>,
}

pub async fn insert_unit(conn: &mut AnyConnection, new: NewUnit<'_>) -> Result<Unit> {
    let u = Unit {
        id: new_id(),
        code: new.code.into(),
        name: new.name.into(),
        name_en: new.name_en.into(),
        kind: new.kind,
        jurisdiction_id: new.jurisdiction_id.into(),
        parent_id: new.parent_id.map(Into::into),
        field: new.field.map(Into::into),
    };
    sqlx::query(
        "INSERT INTO org_units (id, code, name, name_en, kind, jurisdiction_id, parent_id, field, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&u.id)
    .bind(&u.code)
    .bind(&u.name)
    .bind(&u.name_en)
    .bind(u.kind.as_str())
    .bind(&u.jurisdiction_id)
    .bind(&u.parent_id)
    .bind(&u.field)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(u)
}

fn unit(row: &AnyRow) -> Result<Unit> {
    let kind: String = row.try_get("kind")?;
    Ok(Unit {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        name_en: row.try_get("name_en")?,
        kind: UnitKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(kind.clone()))?,
        jurisdiction_id: row.try_get("jurisdiction_id")?,
        parent_id: row.try_get("parent_id")?,
        field: row.try_get("field")?,
    })
}

/// Units in a jurisdiction, in code order.
pub async fn units_in(conn: &mut AnyConnection, jurisdiction_id: &str) -> Result<Vec<Unit>> {
    let rows = sqlx::query(
        "SELECT id, code, name, name_en, kind, jurisdiction_id, parent_id, field
         FROM org_units WHERE jurisdiction_id = $1 ORDER BY code",
    )
    .bind(jurisdiction_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(unit).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub post: Post,
    pub unit_id: Option<String>,
    pub jurisdiction_id: String,
    pub specialty: Option<String>,
}

pub struct NewStaff<'a> {
    pub name: &'a str,
    pub post: Post,
    pub unit_id: Option<&'a str>,
    pub jurisdiction_id: &'a str,
    pub phone: Option<&'a str>,
    pub specialty: Option<&'a str>,
}

pub async fn insert_staff(conn: &mut AnyConnection, new: NewStaff<'_>) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO staff (id, name, post, unit_id, jurisdiction_id, phone, specialty, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
    )
    .bind(&id)
    .bind(new.name)
    .bind(new.post.as_str())
    .bind(new.unit_id)
    .bind(new.jurisdiction_id)
    .bind(new.phone)
    .bind(new.specialty)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Staff of a unit, leaders first.
pub async fn staff_of_unit(conn: &mut AnyConnection, unit_id: &str) -> Result<Vec<Staff>> {
    let rows = sqlx::query(
        "SELECT id, name, post, unit_id, jurisdiction_id, specialty FROM staff
         WHERE unit_id = $1 AND active = 1 ORDER BY post, name",
    )
    .bind(unit_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let post: String = row.try_get("post")?;
            Ok(Staff {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                post: Post::parse(&post).ok_or_else(|| StoreError::Corrupt(post.clone()))?,
                unit_id: row.try_get("unit_id")?,
                jurisdiction_id: row.try_get("jurisdiction_id")?,
                specialty: row.try_get("specialty")?,
            })
        })
        .collect()
}

pub async fn insert_credential(
    conn: &mut AnyConnection,
    staff_id: &str,
    c: &domain::org::Credential,
) -> Result<()> {
    c.check_dates()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO credentials (id, staff_id, number, issuer, fields, valid_from, valid_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(staff_id)
    .bind(&c.number)
    .bind(&c.issuer)
    .bind(c.fields.join(","))
    .bind(c.valid_from.to_string())
    .bind(c.valid_until.to_string())
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// The credentials a person holds.
pub async fn credentials_of(
    conn: &mut AnyConnection,
    staff_id: &str,
) -> Result<Vec<domain::org::Credential>> {
    let rows = sqlx::query(
        "SELECT number, issuer, fields, valid_from, valid_until FROM credentials
         WHERE staff_id = $1 ORDER BY valid_from",
    )
    .bind(staff_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let date = |col: &str| -> Result<NaiveDate> {
                let s: String = row.try_get(col)?;
                s.parse()
                    .map_err(|_| StoreError::Corrupt(format!("{col}: {s}")))
            };
            let fields: String = row.try_get("fields")?;
            Ok(domain::org::Credential {
                number: row.try_get("number")?,
                issuer: row.try_get("issuer")?,
                fields: fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(Into::into)
                    .collect(),
                valid_from: date("valid_from")?,
                valid_until: date("valid_until")?,
            })
        })
        .collect()
}

pub struct NewGrid<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub township_id: &'a str,
    pub village_id: Option<&'a str>,
    pub geometry_geojson: &'a str,
    pub area_m2: f64,
}

pub async fn insert_grid(conn: &mut AnyConnection, new: NewGrid<'_>) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO grids (id, code, name, township_id, village_id, geometry, area_m2, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(new.code)
    .bind(new.name)
    .bind(new.township_id)
    .bind(new.village_id)
    .bind(new.geometry_geojson)
    .bind(new.area_m2)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Who is responsible for a grid: a squad's district, an officer's or a grid worker's grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentKind {
    SquadDistrict,
    OfficerGrid,
    GridWorkerGrid,
}

impl AssignmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentKind::SquadDistrict => "squad_district",
            AssignmentKind::OfficerGrid => "officer_grid",
            AssignmentKind::GridWorkerGrid => "grid_worker_grid",
        }
    }
}

pub async fn assign(
    conn: &mut AnyConnection,
    kind: AssignmentKind,
    grid_id: &str,
    unit_id: Option<&str>,
    staff_id: Option<&str>,
    valid_from: NaiveDate,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assignments (id, kind, grid_id, unit_id, staff_id, valid_from, valid_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
    )
    .bind(new_id())
    .bind(kind.as_str())
    .bind(grid_id)
    .bind(unit_id)
    .bind(staff_id)
    .bind(crate::grids::day_start(valid_from))
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Headline counts for the overview page.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Overview {
    pub townships: i64,
    pub villages: i64,
    pub brigades: i64,
    pub squads: i64,
    pub officers: i64,
    pub grid_workers: i64,
    pub grids: i64,
}

pub async fn overview(conn: &mut AnyConnection) -> Result<Overview> {
    let row = sqlx::query(
        "SELECT
          (SELECT COUNT(*) FROM jurisdictions WHERE level IN ('township','street')) AS townships,
          (SELECT COUNT(*) FROM jurisdictions WHERE level IN ('village','community')) AS villages,
          (SELECT COUNT(*) FROM org_units WHERE kind = 'brigade') AS brigades,
          (SELECT COUNT(*) FROM org_units WHERE kind = 'squad') AS squads,
          (SELECT COUNT(*) FROM staff WHERE post IN ('officer','squad_leader','brigade_leader') AND active = 1) AS officers,
          (SELECT COUNT(*) FROM staff WHERE post = 'grid_worker' AND active = 1) AS grid_workers,
          (SELECT COUNT(*) FROM grids) AS grids",
    )
    .fetch_one(conn)
    .await?;
    Ok(Overview {
        townships: row.try_get("townships")?,
        villages: row.try_get("villages")?,
        brigades: row.try_get("brigades")?,
        squads: row.try_get("squads")?,
        officers: row.try_get("officers")?,
        grid_workers: row.try_get("grid_workers")?,
        grids: row.try_get("grids")?,
    })
}

/// Per-township counts for the overview table.
#[derive(Debug, Clone, Serialize)]
pub struct TownshipStats {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub villages: i64,
    pub squads: i64,
    pub officers: i64,
    pub grid_workers: i64,
    pub grids: i64,
}

pub async fn township_stats(conn: &mut AnyConnection) -> Result<Vec<TownshipStats>> {
    let rows = sqlx::query(
        "SELECT j.code, j.name, j.name_en,
          (SELECT COUNT(*) FROM jurisdictions v WHERE v.parent_id = j.id) AS villages,
          (SELECT COUNT(*) FROM org_units u WHERE u.jurisdiction_id = j.id AND u.kind = 'squad') AS squads,
          (SELECT COUNT(*) FROM staff s WHERE s.jurisdiction_id = j.id AND s.active = 1
              AND s.post IN ('officer','squad_leader','brigade_leader')) AS officers,
          (SELECT COUNT(*) FROM staff s WHERE s.jurisdiction_id = j.id AND s.active = 1
              AND s.post = 'grid_worker') AS grid_workers,
          (SELECT COUNT(*) FROM grids g WHERE g.township_id = j.id) AS grids
         FROM jurisdictions j WHERE j.level IN ('township','street') ORDER BY j.code",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TownshipStats {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                name_en: r.try_get("name_en")?,
                villages: r.try_get("villages")?,
                squads: r.try_get("squads")?,
                officers: r.try_get("officers")?,
                grid_workers: r.try_get("grid_workers")?,
                grids: r.try_get("grids")?,
            })
        })
        .collect()
}

/// A person with the personal data the organisation keeps (phone).
#[derive(Debug, Clone, Serialize)]
pub struct StaffDetail {
    pub id: String,
    pub name: String,
    pub post: Post,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub jurisdiction_code: String,
    pub jurisdiction_path: String,
    pub phone: Option<String>,
    pub specialty: Option<String>,
    pub active: bool,
}

const STAFF_DETAIL: &str = "SELECT s.id, s.name, s.post, s.unit_id, u.name AS unit_name, j.code, j.path, s.phone,
        s.specialty, s.active
    FROM staff s JOIN jurisdictions j ON j.id = s.jurisdiction_id LEFT JOIN org_units u ON u.id = s.unit_id";

fn staff_detail(r: &AnyRow) -> Result<StaffDetail> {
    let post: String = r.try_get("post")?;
    Ok(StaffDetail {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        post: Post::parse(&post).ok_or_else(|| StoreError::Corrupt(post.clone()))?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        jurisdiction_code: r.try_get("code")?,
        jurisdiction_path: r.try_get("path")?,
        phone: r.try_get("phone")?,
        specialty: r.try_get("specialty")?,
        active: r.try_get::<i64, _>("active")? == 1,
    })
}

/// One person, if inside the scope (`OutOfScope` otherwise).
pub async fn staff_by_id(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<StaffDetail> {
    let sql = format!("{STAFF_DETAIL} WHERE s.id = $1");
    let s = staff_detail(&sqlx::query(&sql).bind(id).fetch_one(conn).await?)?;
    in_scope(scope, &s.jurisdiction_path)?;
    Ok(s)
}

/// `OutOfScope` unless the path lies inside the scope.
pub fn in_scope(scope: &Scope, path: &str) -> Result<()> {
    if scope.covers(path) {
        Ok(())
    } else {
        Err(StoreError::OutOfScope)
    }
}

/// A jurisdiction by code, if inside the scope.
pub async fn jurisdiction_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    code: &str,
) -> Result<Jurisdiction> {
    let j = jurisdiction_by_code(conn, code).await?;
    in_scope(scope, &j.path)?;
    Ok(j)
}

/// Staff inside the scope, optionally of one township, unit or post.
pub async fn list_staff(
    conn: &mut AnyConnection,
    scope: &Scope,
    township_path: Option<&str>,
    unit_code: Option<&str>,
    post: Option<Post>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<StaffDetail>, u64)> {
    let mut binds: Vec<String> = scope.roots().to_vec();
    let mut cond = vec![crate::scoped::condition(scope, "j.path", 1)];
    if let Some(p) = township_path {
        binds.push(p.to_string());
        cond.push(format!("j.path LIKE ${} || '%'", binds.len()));
    }
    if let Some(u) = unit_code {
        binds.push(u.to_string());
        cond.push(format!("u.code = ${}", binds.len()));
    }
    if let Some(p) = post {
        binds.push(p.as_str().to_string());
        cond.push(format!("s.post = ${}", binds.len()));
    }
    let cond = cond.join(" AND ");
    let count = format!(
        "SELECT COUNT(*) AS n FROM staff s JOIN jurisdictions j ON j.id = s.jurisdiction_id
         LEFT JOIN org_units u ON u.id = s.unit_id WHERE {cond}"
    );
    let mut q = sqlx::query(&count);
    for b in &binds {
        q = q.bind(b);
    }
    let total: i64 = q.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "{STAFF_DETAIL} WHERE {cond} ORDER BY j.code, u.code, s.post, s.name LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok((
        rows.iter().map(staff_detail).collect::<Result<_>>()?,
        total as u64,
    ))
}

/// Units inside the scope, optionally of one township.
pub async fn list_units(
    conn: &mut AnyConnection,
    scope: &Scope,
    township_path: Option<&str>,
) -> Result<Vec<(Unit, String)>> {
    let mut binds: Vec<String> = scope.roots().to_vec();
    let mut cond = vec![crate::scoped::condition(scope, "j.path", 1)];
    if let Some(p) = township_path {
        binds.push(p.to_string());
        cond.push(format!("j.path LIKE ${} || '%'", binds.len()));
    }
    let sql = format!(
        "SELECT u.id, u.code, u.name, u.name_en, u.kind, u.jurisdiction_id, u.parent_id, u.field, j.code AS jcode
         FROM org_units u JOIN jurisdictions j ON j.id = u.jurisdiction_id WHERE {} ORDER BY u.code",
        cond.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((unit(r)?, r.try_get("jcode")?)))
        .collect()
}

pub async fn unit_by_id(conn: &mut AnyConnection, id: &str) -> Result<Unit> {
    let row = sqlx::query(
        "SELECT id, code, name, name_en, kind, jurisdiction_id, parent_id, field FROM org_units WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    unit(&row)
}

pub async fn unit_by_code(conn: &mut AnyConnection, code: &str) -> Result<Unit> {
    let row = sqlx::query(
        "SELECT id, code, name, name_en, kind, jurisdiction_id, parent_id, field FROM org_units WHERE code = $1",
    )
    .bind(code)
    .fetch_one(conn)
    .await?;
    unit(&row)
}

pub async fn jurisdiction_by_id(conn: &mut AnyConnection, id: &str) -> Result<Jurisdiction> {
    let sql = format!("SELECT {JURISDICTION_COLS} FROM jurisdictions WHERE id = $1");
    jurisdiction(&sqlx::query(&sql).bind(id).fetch_one(conn).await?)
}
