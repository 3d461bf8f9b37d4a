//! The store's error type and its translation into the domain's.

use domain::{Error, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("not found")]
    NotFound,
    /// The object exists but lies outside the caller's scope.
    #[error("outside the caller's jurisdiction")]
    OutOfScope,
    #[error("duplicate value for {field}")]
    Conflict { field: String },
    /// Someone else changed the object since it was read.
    #[error("changed concurrently")]
    Stale,
    #[error("schema: {0}")]
    Schema(String),
    #[error("data folder: {0}")]
    DataDir(String),
    #[error("invalid stored data: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                field: unique_field(db.message(), db.constraint()),
            },
            _ => StoreError::Db(e),
        }
    }
}

/// Name the column behind a unique violation: PostgreSQL names the
/// constraint (`grids_code_key`), SQLite the column (`grids.code`).
fn unique_field(message: &str, constraint: Option<&str>) -> String {
    if let Some(c) = constraint {
        let c = c.strip_suffix("_key").unwrap_or(c);
        return c.split_once('_').map(|(_, f)| f).unwrap_or(c).to_string();
    }
    message
        .rsplit(['.', ' '])
        .next()
        .unwrap_or("value")
        .to_string()
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => Error::unavailable(
                "数据库暂时不可用，请稍后重试",
                "The database is temporarily unavailable; please try again later",
            ),
            StoreError::NotFound => Error::not_found("对象", "Object"),
            StoreError::OutOfScope => domain::access::out_of_scope(),
            StoreError::Conflict { field } => Error::new(
                ErrorKind::Conflict,
                "conflict.duplicate",
                format!("字段 {field} 的值已存在"),
                format!("a record with this {field} already exists"),
            )
            .with_field(field),
            StoreError::Stale => Error::new(
                ErrorKind::Conflict,
                "conflict.stale",
                "该记录刚被他人修改，请刷新后重试",
                "Someone else changed this just now; reload and try again",
            ),
            StoreError::Schema(_)
            | StoreError::DataDir(_)
            | StoreError::Corrupt(_)
            | StoreError::Db(_) => Error::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unique_field;

    #[test]
    fn unique_violation_names_the_field() {
        assert_eq!(
            unique_field("duplicate key", Some("grids_code_key")),
            "code"
        );
        assert_eq!(
            unique_field("UNIQUE constraint failed: grids.code", None),
            "code"
        );
    }
}
