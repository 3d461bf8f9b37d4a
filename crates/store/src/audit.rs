//! The audit record: appended in the same transaction as the change it
//! records, verified by walking the chain (see `domain::audit`).

use domain::access::Scope;
use domain::audit::{Break, Entry, Verifier, chain_hash, digest};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::now;
use crate::{Result, StoreError};

/// Who acts, as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub name: String,
    pub user_id: Option<String>,
    /// The role (or `system`, `integration:<kind>`) the action was taken in.
    pub role: String,
    pub request_id: String,
}

impl Actor {
    /// The system itself (command line, start-up, demo seeding).
    pub fn system(what: &str) -> Actor {
        Actor {
            name: format!("system:{what}"),
            user_id: None,
            role: "system".into(),
            request_id: "-".into(),
        }
    }
}

/// One change to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    /// Jurisdiction path the object belongs to.
    pub jurisdiction: &'a str,
    pub before: Option<&'a serde_json::Value>,
    pub after: Option<&'a serde_json::Value>,
}

fn canonical(v: Option<&serde_json::Value>) -> Option<Vec<u8>> {
    v.map(|v| serde_json::to_vec(v).unwrap_or_default())
}

/// Append an entry. Call inside the transaction that makes the change, so
/// both commit or neither does. The head row serialises writers.
pub async fn append(
    conn: &mut AnyConnection,
    key: &[u8],
    actor: &Actor,
    c: Change<'_>,
) -> Result<i64> {
    append_all(conn, key, &[(actor, c)]).await
}

/// Entries per INSERT statement in [`append_all`] at most (on SQLite in
/// runs of powers of two below it: see [`crate::batch_sql::runs`]).
const ROWS_PER_INSERT: usize = 512;

/// Append entries in the order given, each chained to the one before, as
/// [`append`] would one by one — in three statements whatever their number
/// (intake's group commit records a batch of reports this way). Answers
/// the first entry's sequence number.
pub async fn append_all(
    conn: &mut AnyConnection,
    key: &[u8],
    changes: &[(&Actor, Change<'_>)],
) -> Result<i64> {
    // Taking the head row first locks it (PostgreSQL) before it is read.
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(changes.len() as i64)
        .fetch_one(&mut *conn)
        .await?;
    let last: i64 = head.try_get("seq")?;
    let first = last - changes.len() as i64 + 1;
    let mut prev_hash: String = head.try_get("hash")?;
    if changes.is_empty() {
        return Ok(first);
    }
    let at = now();
    let mut entries = Vec::with_capacity(changes.len());
    for (i, (actor, c)) in changes.iter().enumerate() {
        let mut e = Entry {
            seq: first + i as i64,
            at: at.clone(),
            actor: actor.name.clone(),
            actor_user_id: actor.user_id.clone(),
            role: actor.role.clone(),
            jurisdiction: c.jurisdiction.to_string(),
            action: c.action.to_string(),
            object_type: c.object_type.to_string(),
            object_id: c.object_id.to_string(),
            request_id: actor.request_id.clone(),
            before_digest: digest(canonical(c.before).as_deref()),
            after_digest: digest(canonical(c.after).as_deref()),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        e.hash = chain_hash(key, &e);
        prev_hash = e.hash.clone();
        entries.push(e);
    }
    let b = crate::reports::search::backend_of(conn);
    for chunk in crate::batch_sql::runs(b, &entries, ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO audit_log (seq, at, actor, actor_user_id, role, jurisdiction, action, object_type,
                object_id, request_id, before_digest, after_digest, prev_hash, hash) VALUES {}",
            crate::batch_sql::values(b, chunk.len(), 14)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.seq)
                .bind(&e.at)
                .bind(&e.actor)
                .bind(&e.actor_user_id)
                .bind(&e.role)
                .bind(&e.jurisdiction)
                .bind(&e.action)
                .bind(&e.object_type)
                .bind(&e.object_id)
                .bind(&e.request_id)
                .bind(&e.before_digest)
                .bind(&e.after_digest)
                .bind(&e.prev_hash)
                .bind(&e.hash);
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev_hash)
        .execute(&mut *conn)
        .await?;
    Ok(first)
}

const COLS: &str = "seq, at, actor, actor_user_id, role, jurisdiction, action, object_type, object_id, \
                    request_id, before_digest, after_digest, prev_hash, hash";

fn entry(r: &AnyRow) -> Result<Entry> {
    Ok(Entry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        actor_user_id: r.try_get("actor_user_id")?,
        role: r.try_get("role")?,
        jurisdiction: r.try_get("jurisdiction")?,
        action: r.try_get("action")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        request_id: r.try_get("request_id")?,
        before_digest: r.try_get("before_digest")?,
        after_digest: r.try_get("after_digest")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Filters for the audit list.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
}

/// Entries in the scope, newest first, with the total.
pub async fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &Filter,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Entry>, u64)> {
    let mut wh = vec![crate::scoped::condition(scope, "jurisdiction", 1)];
    let mut binds: Vec<String> = scope.roots().to_vec();
    for (col, v) in [
        ("action", &f.action),
        ("actor", &f.actor),
        ("object_type", &f.object_type),
        ("object_id", &f.object_id),
    ] {
        if let Some(v) = v {
            binds.push(v.clone());
            wh.push(format!("{col} = ${}", binds.len()));
        }
    }
    let cond = wh.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) AS n FROM audit_log WHERE {cond}");
    let mut q = sqlx::query(&count_sql);
    for b in &binds {
        q = q.bind(b);
    }
    let total: i64 = q.fetch_one(&mut *conn).await?.try_get("n")?;
    let sql = format!(
        "SELECT {COLS} FROM audit_log WHERE {cond} ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    Ok((rows.iter().map(entry).collect::<Result<_>>()?, total as u64))
}

/// Walk the whole chain in order, in pages. `Ok(Err(break))` names the first
/// bad entry; `Ok(Ok(n))` is the number of entries verified.
pub async fn verify(conn: &mut AnyConnection, key: &[u8]) -> Result<Result<u64, Break>> {
    let mut v = Verifier::new(key);
    let mut after = -1i64;
    loop {
        let sql = format!("SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000");
        let rows = sqlx::query(&sql).bind(after).fetch_all(&mut *conn).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = entry(r)?;
            after = e.seq;
            if let Err(b) = v.next(&e) {
                return Ok(Err(b));
            }
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("audit head is missing".into()))?;
    Ok(v.finish(head.try_get("seq")?, &head.try_get::<String, _>("hash")?))
}

/// The audit key: the configured one (hex, at least 16 bytes), or the one
/// kept in the data folder's `audit.key`, created on first start. Several
/// instances must share it (same data folder or the same configured key).
pub fn load_or_create_key(data_dir: &std::path::Path, configured: Option<&str>) -> Result<Vec<u8>> {
    if let Some(hexkey) = configured.filter(|k| !k.is_empty()) {
        let key = hex::decode(hexkey.trim())
            .map_err(|_| StoreError::DataDir("audit_key is not hexadecimal".into()))?;
        if key.len() < 16 {
            return Err(StoreError::DataDir(
                "audit_key must be at least 16 bytes (32 hex digits)".into(),
            ));
        }
        return Ok(key);
    }
    let path = data_dir.join("audit.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => hex::decode(text.trim()).map_err(|_| {
            StoreError::DataDir(format!("{} is not a hexadecimal key", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            getrandom::getrandom(&mut key)
                .map_err(|e| StoreError::DataDir(format!("no randomness: {e}")))?;
            std::fs::write(&path, hex::encode(key)).map_err(|e| {
                StoreError::DataDir(format!("cannot write {}: {e}", path.display()))
            })?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            }
            Ok(key.to_vec())
        }
        Err(e) => Err(StoreError::DataDir(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}
