//! Users, their roles in jurisdictions, sessions, integration tokens and
//! login attempts. Tokens are stored only as SHA-256 digests.

use domain::access::{Grant, Permission, Role, Scope};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Result, StoreError};

/// A new random token with a readable prefix, and its stored digest.
pub fn new_token(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("operating system randomness");
    let token = format!("{prefix}{}", hex::encode(bytes));
    let digest = token_digest(&token);
    (token, digest)
}

pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 16 random bytes for a password salt.
pub fn new_salt() -> [u8; 16] {
    let mut s = [0u8; 16];
    getrandom::getrandom(&mut s).expect("operating system randomness");
    s
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub staff_id: Option<String>,
    pub active: bool,
    pub created_at: String,
}

/// A role held in a jurisdiction, as shown.
#[derive(Debug, Clone, Serialize)]
pub struct RoleGrant {
    pub id: String,
    pub role: Role,
    pub jurisdiction_id: String,
    pub jurisdiction_code: String,
    pub jurisdiction_name: String,
    pub jurisdiction_path: String,
}

impl RoleGrant {
    pub fn grant(&self) -> Grant {
        Grant {
            role: self.role,
            jurisdiction_path: self.jurisdiction_path.clone(),
        }
    }
}

fn user(r: &AnyRow) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        staff_id: r.try_get("staff_id")?,
        active: r.try_get::<i64, _>("active")? == 1,
        created_at: r.try_get("created_at")?,
    })
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.staff_id, u.active, u.created_at";

pub async fn create_user(
    conn: &mut AnyConnection,
    username: &str,
    display_name: &str,
    password_hash: &str,
    staff_id: Option<&str>,
) -> Result<User> {
    let id = new_id();
    let t = now();
    sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, staff_id, active, password_changed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $6)",
    )
    .bind(&id)
    .bind(username)
    .bind(display_name)
    .bind(password_hash)
    .bind(staff_id)
    .bind(&t)
    .execute(&mut *conn)
    .await?;
    user_by_id(conn, &id).await
}

pub async fn user_by_id(conn: &mut AnyConnection, id: &str) -> Result<User> {
    let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1");
    user(&sqlx::query(&sql).bind(id).fetch_one(conn).await?)
}

/// The user and password hash for a login attempt.
pub async fn credentials_for_login(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<(User, String)>> {
    let sql = format!("SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.username = $1");
    match sqlx::query(&sql)
        .bind(username)
        .fetch_optional(conn)
        .await?
    {
        Some(r) => Ok(Some((user(&r)?, r.try_get("password_hash")?))),
        None => Ok(None),
    }
}

pub async fn password_hash(conn: &mut AnyConnection, user_id: &str) -> Result<String> {
    let r = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(r.try_get("password_hash")?)
}

pub async fn set_password(conn: &mut AnyConnection, user_id: &str, hash: &str) -> Result<()> {
    let t = now();
    let done = sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(hash)
    .bind(&t)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_active(conn: &mut AnyConnection, user_id: &str, active: bool) -> Result<()> {
    sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(active))
        .bind(now())
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn grants_of(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<RoleGrant>> {
    let rows = sqlx::query(
        "SELECT r.id, r.role, r.jurisdiction_id, j.code, j.name, j.path
         FROM user_roles r JOIN jurisdictions j ON j.id = r.jurisdiction_id
         WHERE r.user_id = $1 ORDER BY j.path, r.role",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(RoleGrant {
                id: r.try_get("id")?,
                role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                jurisdiction_id: r.try_get("jurisdiction_id")?,
                jurisdiction_code: r.try_get("code")?,
                jurisdiction_name: r.try_get("name")?,
                jurisdiction_path: r.try_get("path")?,
            })
        })
        .collect()
}

pub async fn add_role(
    conn: &mut AnyConnection,
    user_id: &str,
    role: Role,
    jurisdiction_id: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO user_roles (id, user_id, role, jurisdiction_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(jurisdiction_id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn remove_role(conn: &mut AnyConnection, role_id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM user_roles WHERE id = $1")
        .bind(role_id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A user, if one of their roles lies inside the scope.
pub async fn user_in(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<User> {
    let user = user_by_id(conn, id).await?;
    let paths = user_paths(conn, id).await?;
    if !paths.iter().any(|p| scope.covers(p)) {
        return Err(StoreError::OutOfScope);
    }
    Ok(user)
}

/// Where a user belongs for scoping: the paths of the jurisdictions of their roles.
pub async fn user_paths(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<String>> {
    Ok(grants_of(conn, user_id)
        .await?
        .into_iter()
        .map(|g| g.jurisdiction_path)
        .collect())
}

/// Users holding at least one role inside the scope, by username.
pub async fn list_users(
    conn: &mut AnyConnection,
    scope: &Scope,
    q: Option<&str>,
    role: Option<Role>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<User>, u64)> {
    let mut binds: Vec<String> = scope.roots().to_vec();
    let mut cond = vec![crate::scoped::condition(scope, "j.path", 1)];
    if let Some(q) = q.filter(|q| !q.is_empty()) {
        binds.push(format!("%{q}%"));
        let n = binds.len();
        cond.push(format!(
            "(u.username LIKE ${n} OR u.display_name LIKE ${n})"
        ));
    }
    if let Some(role) = role {
        binds.push(role.as_str().into());
        cond.push(format!("r.role = ${}", binds.len()));
    }
    let cond = cond.join(" AND ");
    let inner = format!(
        "SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
         JOIN jurisdictions j ON j.id = r.jurisdiction_id WHERE {cond}"
    );
    let count_sql = format!("SELECT COUNT(*) AS n FROM ({inner}) t");
    let mut cq = sqlx::query(&count_sql);
    for b in &binds {
        cq = cq.bind(b);
    }
    let total: i64 = cq.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "SELECT {USER_COLS} FROM users u WHERE u.id IN ({inner}) ORDER BY u.username LIMIT {limit} OFFSET {offset}"
    );
    let mut lq = sqlx::query(&sql);
    for b in &binds {
        lq = lq.bind(b);
    }
    let rows = lq.fetch_all(&mut *conn).await?;
    Ok((rows.iter().map(user).collect::<Result<_>>()?, total as u64))
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub csrf_token: String,
    pub expires_at: String,
    pub revoked: bool,
}

pub async fn create_session(
    conn: &mut AnyConnection,
    user_id: &str,
    token_digest: &str,
    csrf_token: &str,
    ip: &str,
    expires_at: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, user_id, csrf_token, ip, created_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
    )
    .bind(&id)
    .bind(token_digest)
    .bind(user_id)
    .bind(csrf_token)
    .bind(ip)
    .bind(now())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn session_by_digest(conn: &mut AnyConnection, digest: &str) -> Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT id, user_id, csrf_token, expires_at, revoked_at FROM sessions WHERE token_hash = $1",
    )
    .bind(digest)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Session {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
            revoked: r.try_get::<Option<String>, _>("revoked_at")?.is_some(),
        })
    })
    .transpose()
}

pub async fn revoke_session(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revoke every session of a user (after a password change or reset).
pub async fn revoke_sessions_of(
    conn: &mut AnyConnection,
    user_id: &str,
    except: Option<&str>,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
    )
    .bind(now())
    .bind(user_id)
    .bind(except.unwrap_or(""))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn record_login_attempt(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
    success: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO login_attempts (id, username, ip, at, success) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(username)
    .bind(ip)
    .bind(now())
    .bind(i64::from(success))
    .execute(conn)
    .await?;
    Ok(())
}

/// Failed attempts since `since` for an account and for an address.
pub async fn recent_failures(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
    since: &str,
) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT
          (SELECT COUNT(*) FROM login_attempts WHERE username = $1 AND at >= $3 AND success = 0) AS by_user,
          (SELECT COUNT(*) FROM login_attempts WHERE ip = $2 AND at >= $3 AND success = 0) AS by_ip",
    )
    .bind(username)
    .bind(ip)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok((r.try_get("by_user")?, r.try_get("by_ip")?))
}

#[derive(Debug, Clone, Serialize)]
pub struct IntegrationToken {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub jurisdiction_id: String,
    pub jurisdiction_path: String,
    pub permissions: Vec<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked: bool,
    pub last_used_at: Option<String>,
}

fn integration(r: &AnyRow) -> Result<IntegrationToken> {
    let perms: String = r.try_get("permissions")?;
    Ok(IntegrationToken {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        jurisdiction_id: r.try_get("jurisdiction_id")?,
        jurisdiction_path: r.try_get("path")?,
        permissions: perms
            .split(',')
            .filter(|p| !p.is_empty())
            .map(Into::into)
            .collect(),
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked: r.try_get::<Option<String>, _>("revoked_at")?.is_some(),
        last_used_at: r.try_get("last_used_at")?,
    })
}

const TOKEN_COLS: &str = "t.id, t.name, t.kind, t.jurisdiction_id, j.path, t.permissions, t.created_at, \
                          t.expires_at, t.revoked_at, t.last_used_at";

#[allow(clippy::too_many_arguments)]
pub async fn create_integration_token(
    conn: &mut AnyConnection,
    name: &str,
    kind: &str,
    digest: &str,
    jurisdiction_id: &str,
    permissions: &[Permission],
    created_by: Option<&str>,
    expires_at: Option<&str>,
) -> Result<IntegrationToken> {
    let id = new_id();
    let perms: Vec<&str> = permissions.iter().map(|p| p.as_str()).collect();
    sqlx::query(
        "INSERT INTO integration_tokens (id, name, kind, token_hash, jurisdiction_id, permissions, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(name)
    .bind(kind)
    .bind(digest)
    .bind(jurisdiction_id)
    .bind(perms.join(","))
    .bind(created_by)
    .bind(now())
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    integration_token(conn, &id).await
}

/// A token by id, if its jurisdiction lies inside the scope.
pub async fn integration_token_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    id: &str,
) -> Result<IntegrationToken> {
    let t = integration_token(conn, id).await?;
    crate::org::in_scope(scope, &t.jurisdiction_path)?;
    Ok(t)
}

async fn integration_token(conn: &mut AnyConnection, id: &str) -> Result<IntegrationToken> {
    let sql = format!(
        "SELECT {TOKEN_COLS} FROM integration_tokens t JOIN jurisdictions j ON j.id = t.jurisdiction_id WHERE t.id = $1"
    );
    integration(&sqlx::query(&sql).bind(id).fetch_one(conn).await?)
}

pub async fn integration_by_digest(
    conn: &mut AnyConnection,
    digest: &str,
) -> Result<Option<IntegrationToken>> {
    let sql = format!(
        "SELECT {TOKEN_COLS} FROM integration_tokens t JOIN jurisdictions j ON j.id = t.jurisdiction_id WHERE t.token_hash = $1"
    );
    sqlx::query(&sql)
        .bind(digest)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(integration)
        .transpose()
}

pub async fn touch_integration(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("UPDATE integration_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn list_integration_tokens(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> Result<Vec<IntegrationToken>> {
    let sql = format!(
        "SELECT {TOKEN_COLS} FROM integration_tokens t JOIN jurisdictions j ON j.id = t.jurisdiction_id
         WHERE {} ORDER BY t.created_at DESC",
        crate::scoped::condition(scope, "j.path", 1)
    );
    let mut q = sqlx::query(&sql);
    for r in scope.roots() {
        q = q.bind(r);
    }
    q.fetch_all(conn).await?.iter().map(integration).collect()
}

pub async fn revoke_integration_token(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE integration_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
