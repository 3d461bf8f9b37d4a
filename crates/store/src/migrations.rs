//! Schema migrations: one ordered list, embedded in the binary, applied in a
//! transaction each and recorded with a checksum in `schema_migrations`.
//!
//! A migration file is written once for both databases using portable SQL;
//! the few dialect words are placeholders (`{{blob}}`).

use sqlx::{Executor, Row};

use crate::{Backend, Result, Store, StoreError};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sql: &'static str,
    /// Dialect-only additions (full-text indexes), appended for that backend.
    sqlite: &'static str,
    postgres: &'static str,
}

/// Every migration, in order. Append only: an applied migration never changes.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/0001_foundation.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 2,
        name: "identity",
        sql: include_str!("../migrations/0002_identity.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 3,
        name: "power_list",
        sql: include_str!("../migrations/0003_power_list.sql"),
        sqlite: include_str!("../migrations/0003_power_list.sqlite.sql"),
        postgres: include_str!("../migrations/0003_power_list.postgres.sql"),
    },
    Migration {
        version: 4,
        name: "cases",
        sql: include_str!("../migrations/0004_cases.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 5,
        name: "geography",
        sql: include_str!("../migrations/0005_geography.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "reports",
        sql: include_str!("../migrations/0006_reports.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "duty",
        sql: include_str!("../migrations/0007_duty.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "cameras",
        sql: include_str!("../migrations/0008_cameras.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 9,
        name: "report_search",
        sql: include_str!("../migrations/0009_report_search.sql"),
        sqlite: include_str!("../migrations/0009_report_search.sqlite.sql"),
        postgres: include_str!("../migrations/0009_report_search.postgres.sql"),
    },
    Migration {
        version: 10,
        name: "supervision",
        sql: include_str!("../migrations/0010_supervision.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 11,
        name: "case_procedure",
        sql: include_str!("../migrations/0011_case_procedure.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "documents",
        sql: include_str!("../migrations/0012_documents.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 13,
        name: "transfers",
        sql: include_str!("../migrations/0013_transfers.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 14,
        name: "disclosure",
        sql: include_str!("../migrations/0014_disclosure.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 15,
        name: "report_search_speed",
        sql: include_str!("../migrations/0015_report_search_speed.sql"),
        sqlite: include_str!("../migrations/0015_report_search_speed.sqlite.sql"),
        postgres: include_str!("../migrations/0015_report_search_speed.postgres.sql"),
    },
    Migration {
        version: 16,
        name: "case_summary",
        sql: include_str!("../migrations/0016_case_summary.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 17,
        name: "camera_evidence",
        sql: include_str!("../migrations/0017_camera_evidence.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 18,
        name: "case_cooperation",
        sql: include_str!("../migrations/0018_case_cooperation.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 19,
        name: "open311",
        sql: include_str!("../migrations/0019_open311.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 20,
        name: "assessment",
        sql: include_str!("../migrations/0020_assessment.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 21,
        name: "dashboard",
        sql: include_str!("../migrations/0021_dashboard.sql"),
        sqlite: include_str!("../migrations/0021_dashboard.sqlite.sql"),
        postgres: include_str!("../migrations/0021_dashboard.postgres.sql"),
    },
    Migration {
        version: 22,
        name: "supervise_at",
        sql: include_str!("../migrations/0022_supervise_at.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 23,
        name: "queue_order",
        sql: include_str!("../migrations/0023_queue_order.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 24,
        name: "intake_speed",
        sql: include_str!("../migrations/0024_intake_speed.sql"),
        sqlite: include_str!("../migrations/0024_intake_speed.sqlite.sql"),
        postgres: include_str!("../migrations/0024_intake_speed.postgres.sql"),
    },
];

/// The schema version this binary expects.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

impl Migration {
    fn sql_for(&self, backend: Backend) -> String {
        let (blob, extra) = match backend {
            Backend::Sqlite => ("BLOB", self.sqlite),
            Backend::Postgres => ("BYTEA", self.postgres),
        };
        format!("{}\n{extra}", self.sql.replace("{{blob}}", blob))
    }

    /// FNV-1a over the source text: detects an edited, already-applied file.
    fn checksum(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self
            .sql
            .bytes()
            .chain(self.sqlite.bytes())
            .chain(self.postgres.bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub from: i64,
    pub to: i64,
    pub applied: Vec<i64>,
}

const PG_LOCK_KEY: i64 = 7_240_001;

impl Store {
    /// The recorded schema version, or 0 on an empty database.
    pub async fn schema_version(&self) -> Result<i64> {
        let mut conn = self.acquire().await?;
        ensure_table(&mut conn).await?;
        current_version(&mut conn).await
    }

    /// Bring the schema up to date. Safe to run concurrently from several
    /// instances: on PostgreSQL an advisory lock serialises them.
    pub async fn migrate(&self) -> Result<MigrationReport> {
        let mut conn = self.acquire().await?;
        if self.backend() == Backend::Postgres {
            let lock = format!("SELECT pg_advisory_lock({PG_LOCK_KEY})");
            conn.execute(sqlx::raw_sql(&lock)).await?;
        }
        let result = self.migrate_locked(&mut conn).await;
        if self.backend() == Backend::Postgres {
            let unlock = format!("SELECT pg_advisory_unlock({PG_LOCK_KEY})");
            let _ = conn.execute(sqlx::raw_sql(&unlock)).await;
        }
        result
    }

    async fn migrate_locked(&self, conn: &mut sqlx::AnyConnection) -> Result<MigrationReport> {
        ensure_table(conn).await?;
        let from = current_version(conn).await?;
        if from > latest_version() {
            return Err(StoreError::Schema(format!(
                "the database is at schema version {from}, newer than this program ({}); upgrade yiwang",
                latest_version()
            )));
        }
        // An applied migration whose text changed is a packaging error.
        let rows = sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            let v: i64 = row.try_get("version")?;
            let sum: String = row.try_get("checksum")?;
            if let Some(m) = MIGRATIONS.iter().find(|m| m.version == v)
                && m.checksum() != sum
            {
                return Err(StoreError::Schema(format!(
                    "migration {v} ({}) differs from the one applied to this database",
                    m.name
                )));
            }
        }
        let mut applied = Vec::new();
        for m in MIGRATIONS.iter().filter(|m| m.version > from) {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            tx.execute(sqlx::raw_sql(&m.sql_for(self.backend())))
                .await
                .map_err(|e| {
                    StoreError::Schema(format!("migration {} ({}): {e}", m.version, m.name))
                })?;
            if m.version == 9 {
                // the tokens are made in Rust: index the reports already stored
                crate::reports::search::index_missing(&mut tx).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(m.checksum())
            .bind(crate::util::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(
                version = m.version,
                name = m.name,
                "schema migration applied"
            );
            applied.push(m.version);
        }
        Ok(MigrationReport {
            from,
            to: current_version(conn).await?,
            applied,
        })
    }

    /// Ready means: the database answers and the schema is this binary's.
    pub async fn ready(&self) -> Result<i64> {
        let mut conn = self.acquire().await?;
        let version = current_version(&mut conn).await?;
        if version != latest_version() {
            return Err(StoreError::Schema(format!(
                "schema version {version}, expected {}",
                latest_version()
            )));
        }
        Ok(version)
    }
}

async fn ensure_table(conn: &mut sqlx::AnyConnection) -> Result<()> {
    conn.execute(sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    ))
    .await?;
    Ok(())
}

async fn current_version(conn: &mut sqlx::AnyConnection) -> Result<i64> {
    let row =
        sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM schema_migrations")
            .fetch_one(&mut *conn)
            .await?;
    Ok(row.try_get::<i64, _>("v")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_strictly_increasing() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
        assert_eq!(latest_version(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn dialect_placeholders_are_replaced() {
        for m in MIGRATIONS {
            assert!(!m.sql_for(Backend::Postgres).contains("{{"));
            assert!(!m.sql_for(Backend::Sqlite).contains("{{"));
        }
    }
}
