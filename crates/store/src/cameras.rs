//! The video network: cameras (place, review status, every review kept) and
//! the signing secrets of camera integration tokens. A camera is read for a
//! caller only through a scope; the webhook, which has no caller but a
//! signature, reads it by code and checks the token's jurisdiction itself.

use domain::access::Scope;
use domain::camera::Status;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Result, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Camera {
    pub id: String,
    pub code: String,
    pub name: String,
    /// The township's division code.
    pub township: String,
    pub township_name: String,
    /// The township's jurisdiction path (for scope checks and the audit).
    #[serde(skip)]
    pub township_path: String,
    /// The grid the camera stood in when registered.
    pub grid: String,
    pub grid_name: String,
    /// WGS84.
    pub lon: f64,
    pub lat: f64,
    pub location: String,
    pub installed_at: Option<String>,
    pub status: Status,
    /// Its location has been published (APL Art. 41).
    pub published: bool,
    pub review_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub registered_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// Every review, oldest first (only when one camera is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviews: Option<Vec<Review>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub status: Status,
    pub published: bool,
    pub note: String,
    pub reviewed_by: String,
    pub reviewed_at: String,
}

pub struct NewCamera<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub township_id: &'a str,
    pub grid_id: &'a str,
    /// WGS84
    pub lon: f64,
    pub lat: f64,
    pub crs_in: &'a str,
    pub lon_in: f64,
    pub lat_in: f64,
    pub location: &'a str,
    pub installed_at: Option<&'a str>,
    pub registered_by: &'a str,
}

const COLS: &str = "c.id, c.code, c.name, j.code AS township, j.name AS township_name, j.path, \
    g.code AS grid, g.name AS grid_name, c.lon, c.lat, c.location, c.installed_at, c.status, \
    c.published, c.review_note, c.reviewed_by, c.reviewed_at, c.registered_by, c.created_at, \
    c.updated_at";

const FROM: &str =
    "FROM cameras c JOIN jurisdictions j ON j.id = c.township_id JOIN grids g ON g.id = c.grid_id";

fn status_of(s: &str) -> Result<Status> {
    Status::parse(s).map_err(|_| StoreError::Corrupt(format!("camera status {s}")))
}

fn camera(row: &AnyRow) -> Result<Camera> {
    let status: String = row.try_get("status")?;
    Ok(Camera {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        township: row.try_get("township")?,
        township_name: row.try_get("township_name")?,
        township_path: row.try_get("path")?,
        grid: row.try_get("grid")?,
        grid_name: row.try_get("grid_name")?,
        lon: row.try_get("lon")?,
        lat: row.try_get("lat")?,
        location: row.try_get("location")?,
        installed_at: row.try_get("installed_at")?,
        status: status_of(&status)?,
        published: row.try_get::<i64, _>("published")? != 0,
        review_note: row.try_get("review_note")?,
        reviewed_by: row.try_get("reviewed_by")?,
        reviewed_at: row.try_get("reviewed_at")?,
        registered_by: row.try_get("registered_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        reviews: None,
    })
}

/// Register a camera, pending review. A code already used is a
/// `Conflict { field: "code" }`.
pub async fn insert(conn: &mut AnyConnection, new: &NewCamera<'_>) -> Result<String> {
    let id = new_id();
    let at = now();
    sqlx::query(
        "INSERT INTO cameras (id, code, name, township_id, grid_id, lon, lat, crs_in, lon_in, lat_in,
            location, installed_at, status, published, registered_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15, $16)",
    )
    .bind(&id)
    .bind(new.code)
    .bind(new.name)
    .bind(new.township_id)
    .bind(new.grid_id)
    .bind(new.lon)
    .bind(new.lat)
    .bind(new.crs_in)
    .bind(new.lon_in)
    .bind(new.lat_in)
    .bind(new.location)
    .bind(new.installed_at)
    .bind(Status::Pending.as_str())
    .bind(new.registered_by)
    .bind(&at)
    .bind(&at)
    .execute(conn)
    .await?;
    Ok(id)
}

/// A camera by its code, whoever asks (the signed webhook).
pub async fn by_code(conn: &mut AnyConnection, code: &str) -> Result<Camera> {
    let sql = format!("SELECT {COLS} {FROM} WHERE c.code = $1");
    let row = sqlx::query(&sql).bind(code).fetch_optional(conn).await?;
    camera(&row.ok_or(StoreError::NotFound)?)
}

/// A camera by its code or its id, whoever asks.
pub async fn by_code_or_id(conn: &mut AnyConnection, key: &str) -> Result<Camera> {
    let sql = format!("SELECT {COLS} {FROM} WHERE c.code = $1 OR c.id = $2");
    let row = sqlx::query(&sql)
        .bind(key)
        .bind(key)
        .fetch_optional(conn)
        .await?;
    camera(&row.ok_or(StoreError::NotFound)?)
}

/// A camera with its reviews, if its township lies inside the scope.
pub async fn camera_in(conn: &mut AnyConnection, scope: &Scope, code: &str) -> Result<Camera> {
    let mut c = by_code(conn, code).await?;
    crate::org::in_scope(scope, &c.township_path)?;
    let rows = sqlx::query(
        "SELECT status, published, note, reviewed_by, reviewed_at FROM camera_reviews
         WHERE camera_id = $1 ORDER BY reviewed_at, id",
    )
    .bind(&c.id)
    .fetch_all(conn)
    .await?;
    let mut reviews = Vec::with_capacity(rows.len());
    for r in &rows {
        let status: String = r.try_get("status")?;
        reviews.push(Review {
            status: status_of(&status)?,
            published: r.try_get::<i64, _>("published")? != 0,
            note: r.try_get("note")?,
            reviewed_by: r.try_get("reviewed_by")?,
            reviewed_at: r.try_get("reviewed_at")?,
        });
    }
    c.reviews = Some(reviews);
    Ok(c)
}

/// Cameras inside the scope, by township and code, optionally of one
/// township (division code) or status.
pub async fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    township_code: Option<&str>,
    status: Option<Status>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Camera>, u64)> {
    let mut binds: Vec<String> = scope.roots().to_vec();
    let mut cond = vec![crate::scoped::condition(scope, "j.path", 1)];
    if let Some(t) = township_code {
        binds.push(t.to_string());
        cond.push(format!("j.code = ${}", binds.len()));
    }
    if let Some(s) = status {
        binds.push(s.as_str().to_string());
        cond.push(format!("c.status = ${}", binds.len()));
    }
    let cond = cond.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) AS n {FROM} WHERE {cond}");
    let mut cq = sqlx::query(&count_sql);
    for b in &binds {
        cq = cq.bind(b);
    }
    let total: i64 = cq.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE {cond} ORDER BY j.code, c.code LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(conn).await?;
    let cameras = rows.iter().map(camera).collect::<Result<Vec<_>>>()?;
    Ok((cameras, total as u64))
}

/// Record a review decision (already allowed by `domain::camera::review`)
/// and keep it in the camera's history. `Stale` when the camera was retired
/// meanwhile.
pub async fn review(
    conn: &mut AnyConnection,
    camera_id: &str,
    status: Status,
    published: bool,
    note: &str,
    by: &str,
) -> Result<()> {
    let at = now();
    let done = sqlx::query(
        "UPDATE cameras SET status = $1, published = $2, review_note = $3, reviewed_by = $4,
            reviewed_at = $5, updated_at = $6
         WHERE id = $7 AND status <> $8",
    )
    .bind(status.as_str())
    .bind(i64::from(published))
    .bind(note)
    .bind(by)
    .bind(&at)
    .bind(&at)
    .bind(camera_id)
    .bind(Status::Retired.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    sqlx::query(
        "INSERT INTO camera_reviews (id, camera_id, status, published, note, reviewed_by, reviewed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(camera_id)
    .bind(status.as_str())
    .bind(i64::from(published))
    .bind(note)
    .bind(by)
    .bind(&at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Keep the webhook signing secret of a new camera integration token.
pub async fn add_signing_secret(
    conn: &mut AnyConnection,
    token_id: &str,
    secret: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO camera_integrations (token_id, secret, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_id)
    .bind(secret)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// A camera token's signing key, with what decides whether it may be used.
#[derive(Debug, Clone)]
pub struct SigningKey {
    pub token_id: String,
    pub token_name: String,
    pub secret: String,
    pub jurisdiction_path: String,
    pub permissions: Vec<String>,
    pub expires_at: Option<String>,
    pub revoked: bool,
}

/// The signing key of a camera integration token, by the token's id; none
/// when there is no such token or it has no secret (not a camera token).
pub async fn signing_key(conn: &mut AnyConnection, token_id: &str) -> Result<Option<SigningKey>> {
    let row = sqlx::query(
        "SELECT t.id, t.name, t.permissions, t.expires_at, t.revoked_at, j.path, s.secret
         FROM camera_integrations s
         JOIN integration_tokens t ON t.id = s.token_id
         JOIN jurisdictions j ON j.id = t.jurisdiction_id
         WHERE s.token_id = $1 AND t.kind = 'camera'",
    )
    .bind(token_id)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let perms: String = r.try_get("permissions")?;
    Ok(Some(SigningKey {
        token_id: r.try_get("id")?,
        token_name: r.try_get("name")?,
        secret: r.try_get("secret")?,
        jurisdiction_path: r.try_get("path")?,
        permissions: perms
            .split(',')
            .filter(|p| !p.is_empty())
            .map(Into::into)
            .collect(),
        expires_at: r.try_get("expires_at")?,
        revoked: r.try_get::<Option<String>, _>("revoked_at")?.is_some(),
    }))
}
