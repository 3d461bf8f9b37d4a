//! The power list: items with all their versions, devolution to townships,
//! duty-access requests, and full-text search over segmented tokens
//! (SQLite FTS5 / PostgreSQL tsvector).

use domain::powerlist::Item;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::util::{new_id, now};
use crate::{Backend, Result, StoreError};

/// An item as stored: its current version.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    pub id: String,
    pub version: i64,
    pub updated_at: String,
    pub item: Item,
}

/// A line of a list or a search result.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub field: String,
    pub version: i64,
    /// Search relevance (higher is better); 0 outside a search.
    pub score: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionMeta {
    pub version: i64,
    pub author: String,
    pub reason: String,
    pub created_at: String,
}

fn parse_item(data: &str) -> Result<Item> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("power item: {e}")))
}

/// Create the item, or add a new version of it. Returns (id, version).
pub async fn save(
    conn: &mut AnyConnection,
    backend: Backend,
    item: &Item,
    author: &str,
    reason: &str,
) -> Result<(String, i64)> {
    let data = serde_json::to_string(item).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let t = now();
    let existing = sqlx::query("SELECT id, current_version FROM power_items WHERE code = $1")
        .bind(&item.code)
        .fetch_optional(&mut *conn)
        .await?;
    let (id, version) = match existing {
        Some(r) => {
            let id: String = r.try_get("id")?;
            let v: i64 = r.try_get("current_version")?;
            sqlx::query("UPDATE power_items SET name = $1, kind = $2, field = $3, current_version = $4, updated_at = $5 WHERE id = $6")
                .bind(&item.name)
                .bind(item.kind.zh())
                .bind(item.field.zh())
                .bind(v + 1)
                .bind(&t)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            (id, v + 1)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO power_items (id, code, name, kind, field, current_version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
            )
            .bind(&id)
            .bind(&item.code)
            .bind(&item.name)
            .bind(item.kind.zh())
            .bind(item.field.zh())
            .bind(&t)
            .execute(&mut *conn)
            .await?;
            (id, 1)
        }
    };
    sqlx::query(
        "INSERT INTO power_item_versions (id, item_id, version, data, author, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(&id)
    .bind(version)
    .bind(&data)
    .bind(author)
    .bind(reason)
    .bind(&t)
    .execute(&mut *conn)
    .await?;
    reindex(conn, backend, &id, item).await?;
    Ok((id, version))
}

async fn reindex(conn: &mut AnyConnection, backend: Backend, id: &str, item: &Item) -> Result<()> {
    let tokens = yiwang_search::index_text(&item.search_text());
    sqlx::query("DELETE FROM power_search WHERE item_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    match backend {
        Backend::Sqlite => {
            sqlx::query("INSERT INTO power_search (item_id, tokens) VALUES ($1, $2)")
                .bind(id)
                .bind(&tokens)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM power_search_fts WHERE item_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("INSERT INTO power_search_fts (item_id, tokens) VALUES ($1, $2)")
                .bind(id)
                .bind(&tokens)
                .execute(&mut *conn)
                .await?;
        }
        Backend::Postgres => {
            sqlx::query("INSERT INTO power_search (item_id, tokens, tsv) VALUES ($1, $2, to_tsvector('simple', $2))")
                .bind(id)
                .bind(&tokens)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

pub async fn by_code(conn: &mut AnyConnection, code: &str) -> Result<Stored> {
    let r = sqlx::query(
        "SELECT p.id, p.current_version, p.updated_at, v.data FROM power_items p
         JOIN power_item_versions v ON v.item_id = p.id AND v.version = p.current_version WHERE p.code = $1",
    )
    .bind(code)
    .fetch_one(conn)
    .await?;
    Ok(Stored {
        id: r.try_get("id")?,
        version: r.try_get("current_version")?,
        updated_at: r.try_get("updated_at")?,
        item: parse_item(&r.try_get::<String, _>("data")?)?,
    })
}

pub async fn versions(conn: &mut AnyConnection, code: &str) -> Result<Vec<VersionMeta>> {
    let rows = sqlx::query(
        "SELECT v.version, v.author, v.reason, v.created_at FROM power_item_versions v
         JOIN power_items p ON p.id = v.item_id WHERE p.code = $1 ORDER BY v.version DESC",
    )
    .bind(code)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(VersionMeta {
                version: r.try_get("version")?,
                author: r.try_get("author")?,
                reason: r.try_get("reason")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

pub async fn version(conn: &mut AnyConnection, code: &str, version: i64) -> Result<Item> {
    let r = sqlx::query(
        "SELECT v.data FROM power_item_versions v JOIN power_items p ON p.id = v.item_id WHERE p.code = $1 AND v.version = $2",
    )
    .bind(code)
    .bind(version)
    .fetch_one(conn)
    .await?;
    parse_item(&r.try_get::<String, _>("data")?)
}

/// Every current item, in code order (for export and comparison).
pub async fn all_current(conn: &mut AnyConnection, township_id: Option<&str>) -> Result<Vec<Item>> {
    let mut sql = String::from(
        "SELECT v.data FROM power_items p JOIN power_item_versions v ON v.item_id = p.id AND v.version = p.current_version",
    );
    if township_id.is_some() {
        sql.push_str(" WHERE p.id IN (SELECT item_id FROM devolutions WHERE township_id = $1 AND revoked_at IS NULL)");
    }
    sql.push_str(" ORDER BY p.code");
    let mut q = sqlx::query(&sql);
    if let Some(t) = township_id {
        q = q.bind(t);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| parse_item(&r.try_get::<String, _>("data")?))
        .collect()
}

/// Filters for lists and searches.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Only items this township holds.
    pub township_id: Option<String>,
    /// Field in Chinese, e.g. 城市管理.
    pub field: Option<String>,
    /// Kind in Chinese, e.g. 行政处罚.
    pub kind: Option<String>,
}

fn filter_sql(f: &Filter, binds: &mut Vec<String>) -> String {
    let mut wh = Vec::new();
    if let Some(t) = &f.township_id {
        binds.push(t.clone());
        wh.push(format!(
            "p.id IN (SELECT item_id FROM devolutions WHERE township_id = ${} AND revoked_at IS NULL)",
            binds.len()
        ));
    }
    if let Some(v) = &f.field {
        binds.push(v.clone());
        wh.push(format!("p.field = ${}", binds.len()));
    }
    if let Some(v) = &f.kind {
        binds.push(v.clone());
        wh.push(format!("p.kind = ${}", binds.len()));
    }
    if wh.is_empty() {
        "1 = 1".into()
    } else {
        wh.join(" AND ")
    }
}

fn summary(r: &AnyRow) -> Result<Summary> {
    Ok(Summary {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        field: r.try_get("field")?,
        version: r.try_get("current_version")?,
        score: r.try_get("score")?,
    })
}

async fn run(conn: &mut AnyConnection, sql: &str, binds: &[String]) -> Result<Vec<AnyRow>> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(conn).await?)
}

/// Items by code, filtered, with the total.
pub async fn list(
    conn: &mut AnyConnection,
    f: &Filter,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Summary>, u64)> {
    let mut binds = Vec::new();
    let cond = filter_sql(f, &mut binds);
    let total: i64 = run(
        conn,
        &format!("SELECT COUNT(*) AS n FROM power_items p WHERE {cond}"),
        &binds,
    )
    .await?[0]
        .try_get("n")?;
    let rows = run(
        conn,
        &format!(
            "SELECT p.code, p.name, p.kind, p.field, p.current_version, CAST(0 AS DOUBLE PRECISION) AS score
             FROM power_items p WHERE {cond} ORDER BY p.code LIMIT {limit} OFFSET {offset}"
        ),
        &binds,
    )
    .await?;
    Ok((
        rows.iter().map(summary).collect::<Result<_>>()?,
        total as u64,
    ))
}

/// Ranked full-text search over the segmented tokens of the query.
pub async fn search(
    conn: &mut AnyConnection,
    backend: Backend,
    query_tokens: &[String],
    f: &Filter,
    limit: u32,
    offset: u64,
) -> Result<(Vec<Summary>, u64)> {
    if query_tokens.is_empty() {
        return Ok((vec![], 0));
    }
    let mut binds = Vec::new();
    let (from, score, matcher) = match backend {
        Backend::Sqlite => {
            // FTS5: any of the tokens, each a quoted phrase; bm25 is lower-better.
            let expr = query_tokens
                .iter()
                .map(|t| format!("\"{}\"", t.replace('"', "")))
                .collect::<Vec<_>>()
                .join(" OR ");
            binds.push(expr);
            (
                "power_search_fts s JOIN power_items p ON p.id = s.item_id",
                "CAST(-bm25(power_search_fts) AS DOUBLE PRECISION)",
                "power_search_fts MATCH $1",
            )
        }
        Backend::Postgres => {
            let expr = query_tokens
                .iter()
                .map(|t| format!("'{}'", t.replace(['\'', '\\'], "")))
                .collect::<Vec<_>>()
                .join(" | ");
            binds.push(expr);
            (
                "power_search s JOIN power_items p ON p.id = s.item_id",
                "CAST(ts_rank(s.tsv, to_tsquery('simple', $1)) AS DOUBLE PRECISION)",
                "s.tsv @@ to_tsquery('simple', $1)",
            )
        }
    };
    let cond = filter_sql(f, &mut binds);
    let total: i64 = run(
        conn,
        &format!("SELECT COUNT(*) AS n FROM {from} WHERE {matcher} AND {cond}"),
        &binds,
    )
    .await?[0]
        .try_get("n")?;
    let rows = run(
        conn,
        &format!(
            "SELECT p.code, p.name, p.kind, p.field, p.current_version, {score} AS score
             FROM {from} WHERE {matcher} AND {cond} ORDER BY score DESC, p.code LIMIT {limit} OFFSET {offset}"
        ),
        &binds,
    )
    .await?;
    Ok((
        rows.iter().map(summary).collect::<Result<_>>()?,
        total as u64,
    ))
}

/// A devolution of an item to a township.
#[derive(Debug, Clone, Serialize)]
pub struct Devolution {
    pub township_code: String,
    pub township_name: String,
    pub item_code: String,
    pub decision_no: String,
    pub decision_date: String,
    pub from_department: String,
}

pub async fn devolve(
    conn: &mut AnyConnection,
    township_id: &str,
    item_id: &str,
    decision_no: &str,
    decision_date: &str,
    from_department: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO devolutions (id, township_id, item_id, decision_no, decision_date, from_department, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(township_id)
    .bind(item_id)
    .bind(decision_no)
    .bind(decision_date)
    .bind(from_department)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Whether the township holds the item now (APL Art. 24).
pub async fn holds(conn: &mut AnyConnection, township_id: &str, item_code: &str) -> Result<bool> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM devolutions d JOIN power_items p ON p.id = d.item_id
         WHERE d.township_id = $1 AND p.code = $2 AND d.revoked_at IS NULL",
    )
    .bind(township_id)
    .bind(item_code)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get::<i64, _>("n")? > 0)
}

/// Devolutions of one item, or of every item to one township.
pub async fn devolutions(
    conn: &mut AnyConnection,
    item_code: Option<&str>,
    township_id: Option<&str>,
) -> Result<Vec<Devolution>> {
    let mut binds = Vec::new();
    let mut wh = vec!["d.revoked_at IS NULL".to_string()];
    if let Some(c) = item_code {
        binds.push(c.to_string());
        wh.push(format!("p.code = ${}", binds.len()));
    }
    if let Some(t) = township_id {
        binds.push(t.to_string());
        wh.push(format!("d.township_id = ${}", binds.len()));
    }
    let sql = format!(
        "SELECT j.code AS tcode, j.name AS tname, p.code AS icode, d.decision_no, d.decision_date, d.from_department
         FROM devolutions d JOIN power_items p ON p.id = d.item_id JOIN jurisdictions j ON j.id = d.township_id
         WHERE {} ORDER BY j.code, p.code",
        wh.join(" AND ")
    );
    run(conn, &sql, &binds)
        .await?
        .iter()
        .map(|r| {
            Ok(Devolution {
                township_code: r.try_get("tcode")?,
                township_name: r.try_get("tname")?,
                item_code: r.try_get("icode")?,
                decision_no: r.try_get("decision_no")?,
                decision_date: r.try_get("decision_date")?,
                from_department: r.try_get("from_department")?,
            })
        })
        .collect()
}

/// A recorded duty-access request.
#[derive(Debug, Clone, Serialize)]
pub struct DutyRequest {
    pub id: String,
    pub township_code: String,
    pub department: String,
    pub task: String,
    pub item_code: Option<String>,
    pub outcome: String,
    pub reason: String,
    pub requested_by: String,
    pub created_at: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn record_duty_request(
    conn: &mut AnyConnection,
    township_id: &str,
    department: &str,
    task: &str,
    item_code: Option<&str>,
    outcome: &str,
    reason: &str,
    requested_by: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO duty_requests (id, township_id, department, task, item_code, outcome, reason, requested_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(township_id)
    .bind(department)
    .bind(task)
    .bind(item_code)
    .bind(outcome)
    .bind(reason)
    .bind(requested_by)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Duty-access requests inside the scope, newest first.
pub async fn duty_requests(
    conn: &mut AnyConnection,
    scope: &domain::access::Scope,
) -> Result<Vec<DutyRequest>> {
    let sql = format!(
        "SELECT r.id, j.code, r.department, r.task, r.item_code, r.outcome, r.reason, r.requested_by, r.created_at
         FROM duty_requests r JOIN jurisdictions j ON j.id = r.township_id WHERE {} ORDER BY r.created_at DESC LIMIT 500",
        crate::scoped::condition(scope, "j.path", 1)
    );
    run(conn, &sql, scope.roots())
        .await?
        .iter()
        .map(|r| {
            Ok(DutyRequest {
                id: r.try_get("id")?,
                township_code: r.try_get("code")?,
                department: r.try_get("department")?,
                task: r.try_get("task")?,
                item_code: r.try_get("item_code")?,
                outcome: r.try_get("outcome")?,
                reason: r.try_get("reason")?,
                requested_by: r.try_get("requested_by")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}
