//! Test support: a fresh database per test, on SQLite and on PostgreSQL.
//!
//! SQLite always runs (in a temporary folder). PostgreSQL runs when
//! `TEST_DATABASE_URL` names a server (an administrative database such as
//! `postgres://postgres@127.0.0.1:5432/postgres`): each test gets its own
//! database, dropped afterwards. `make test` always sets it.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

use crate::{Store, StoreConfig};

pub const PG_URL_VAR: &str = "TEST_DATABASE_URL";

/// A database that lives as long as the test.
pub struct TestDb {
    pub store: Store,
    pub config: StoreConfig,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A migrated SQLite database in a new temporary data folder.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = StoreConfig::sqlite_in(dir.path());
        let store = Store::open(&config).await.expect("open sqlite");
        TestDb {
            store,
            config,
            dir,
            pg: None,
        }
    }

    /// The PostgreSQL URL for tests, if one is configured.
    pub fn postgres_admin_url() -> Option<String> {
        std::env::var(PG_URL_VAR)
            .ok()
            .filter(|u| !u.trim().is_empty())
    }

    /// A fresh database on the configured server, or `None` when no server is configured.
    pub async fn postgres() -> Option<TestDb> {
        let admin = Self::postgres_admin_url()?;
        let name = format!(
            "yiwang_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            uuid::Uuid::now_v7()
                .simple()
                .to_string()
                .get(20..)
                .unwrap_or("x")
        );
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("{PG_URL_VAR}={admin}: {e}"));
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let url = with_database(&admin, &name);
        let dir = tempfile::tempdir().expect("temp dir");
        let config = StoreConfig {
            database_url: Some(url),
            ..StoreConfig::sqlite_in(dir.path())
        };
        let store = Store::open(&config).await.expect("open postgres");
        Some(TestDb {
            store,
            config,
            dir,
            pg: Some((admin, name)),
        })
    }
}

/// Replace the database name in a PostgreSQL URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{db}?{q}"),
        None => format!("{host_part}/{db}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs outside any runtime guarantee: use a short-lived one.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
                            let _ = sqlx::raw_sql(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut c)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Run the listed async test cases on both databases: each `case` becomes
/// `sqlite::case` and `postgres::case`, taking `&TestDb`. The PostgreSQL
/// copies return early (and say so) when no server is configured.
#[macro_export]
macro_rules! both_databases {
    ($cases:path => $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    use $cases as cases;
                    let db = $crate::testing::TestDb::sqlite().await;
                    cases::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    use $cases as cases;
                    let Some(db) = $crate::testing::TestDb::postgres().await else {
                        eprintln!("skipped: {} is not set", $crate::testing::PG_URL_VAR);
                        return;
                    };
                    cases::$name(&db).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/x?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "t3"),
            "postgres://h:5432/t3"
        );
    }
}
