//! Opening the database: SQLite in the data folder by default, PostgreSQL
//! when a `postgres://` URL is given.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use crate::{Result, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `postgres://…` or `sqlite://…`; `None` means SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// The data folder: holds the SQLite file and uploaded files.
    pub data_dir: PathBuf,
    pub max_connections: u32,
    /// How long a request waits for a connection before the database counts as unavailable.
    pub acquire_timeout: Duration,
    /// SQLite only: `synchronous=FULL`, so an acknowledged write survives a power loss.
    pub sqlite_full_sync: bool,
}

impl StoreConfig {
    pub fn sqlite_in(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            database_url: None,
            data_dir: data_dir.into(),
            max_connections: 8,
            acquire_timeout: Duration::from_secs(3),
            sqlite_full_sync: false,
        }
    }

    /// Whether it names a PostgreSQL server (otherwise SQLite; a URL of
    /// any other kind is refused by [`Store::connect`]).
    pub fn is_postgres(&self) -> bool {
        self.database_url
            .as_deref()
            .is_some_and(|u| is_postgres_url(u.trim()))
    }
}

fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The database handle shared by the whole process.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    display_url: String,
}

/// A URL with its password replaced, for logs and error lines.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// Make sure the data folder exists and we can write in it.
pub fn prepare_data_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| StoreError::DataDir(format!("cannot create {}: {e}", dir.display())))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok")
        .map_err(|e| StoreError::DataDir(format!("{} is not writable: {e}", dir.display())))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

impl Store {
    /// Open the database (without migrating it).
    pub async fn connect(cfg: &StoreConfig) -> Result<Store> {
        sqlx::any::install_default_drivers();
        prepare_data_dir(&cfg.data_dir)?;
        let url = match &cfg.database_url {
            Some(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => {
                let file = cfg.data_dir.join("yiwang.db");
                let abs = std::path::absolute(&file).unwrap_or(file);
                format!("sqlite://{}?mode=rwc", abs.display())
            }
        };
        let backend = if is_postgres_url(&url) {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Unavailable(format!(
                "unsupported database URL {} (use postgres://… or sqlite://…)",
                redact_url(&url)
            )));
        };
        let display_url = redact_url(&url);
        let opts: AnyConnectOptions = url
            .parse::<AnyConnectOptions>()
            .map_err(|e| StoreError::Unavailable(format!("{display_url}: {e}")))?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(1));
        // One direct attempt first, so that an unreachable server is reported
        // by its own error ("connection refused"), not as a pool time-out.
        match tokio::time::timeout(cfg.acquire_timeout, opts.connect()).await {
            Ok(Ok(conn)) => {
                let _ = sqlx::Connection::close(conn).await;
            }
            Ok(Err(e)) => return Err(StoreError::Unavailable(format!("{display_url}: {e}"))),
            Err(_) => {
                return Err(StoreError::Unavailable(format!(
                    "{display_url}: no answer within {} s",
                    cfg.acquire_timeout.as_secs()
                )));
            }
        }
        let full_sync = cfg.sqlite_full_sync;
        let pool = AnyPoolOptions::new()
            .max_connections(cfg.max_connections.max(1))
            .acquire_timeout(cfg.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        let sync = if full_sync { "FULL" } else { "NORMAL" };
                        conn.execute(sqlx::raw_sql(
                            // foreign keys are per connection in SQLite
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        ))
                        .await?;
                        let pragma = format!("PRAGMA synchronous = {sync};");
                        conn.execute(sqlx::raw_sql(&pragma)).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Unavailable(format!("{display_url}: {e}")))?;
        if backend == Backend::Sqlite {
            // WAL persists in the file: readers never block the writer.
            pool.execute(sqlx::raw_sql("PRAGMA journal_mode = WAL;"))
                .await
                .map_err(|e| StoreError::Unavailable(format!("{display_url}: {e}")))?;
        }
        Ok(Store {
            pool,
            backend,
            display_url,
        })
    }

    /// Open and bring the schema up to date.
    pub async fn open(cfg: &StoreConfig) -> Result<Store> {
        let store = Store::connect(cfg).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with any password removed.
    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    pub async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// A transaction that only reads (one consistent snapshot); never write
    /// in it: on SQLite a deferred transaction that has read fails at its
    /// first write if another connection committed meanwhile. A transaction
    /// that may write is [`Store::begin_write`].
    pub async fn begin_read(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.pool.begin().await?)
    }

    /// A transaction that reads, decides and writes. On SQLite it takes the
    /// write lock at once (`BEGIN IMMEDIATE`), so that two such transactions
    /// queue instead of one failing when it upgrades from reading (a
    /// deferred transaction that has read gets SQLITE_BUSY at its first
    /// write if another connection committed meanwhile, whatever the busy
    /// timeout); on PostgreSQL it is a plain transaction (writers guard with
    /// versions). Reads take a connection with [`Store::acquire`].
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// [`Store::begin_write`] on a connection already taken from the pool.
    pub async fn begin_write_on(
        conn: &mut sqlx::AnyConnection,
    ) -> Result<sqlx::Transaction<'_, sqlx::Any>> {
        use sqlx::Connection as _;
        Ok(match crate::reports::search::backend_of(conn) {
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => conn.begin().await?,
        })
    }

    /// Pool gauges for /metrics: (open connections, idle connections, maximum).
    pub fn pool_stats(&self) -> (u32, usize, u32) {
        (
            self.pool.size(),
            self.pool.num_idle(),
            self.pool.options().get_max_connections(),
        )
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A consistent copy of the SQLite database into a new file, taken
    /// online (`VACUUM INTO`); writers go on meanwhile. SQLite only.
    pub async fn vacuum_into(&self, target: &Path) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Unavailable(
                "VACUUM INTO is SQLite's; back PostgreSQL up with pg_dump".into(),
            ));
        }
        let path = target.to_string_lossy().replace('\'', "''");
        let mut conn = self.acquire().await?;
        sqlx::raw_sql(&format!("VACUUM INTO '{path}'"))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Whether the database holds no tables of its own yet (a restore
    /// target must be empty).
    pub async fn is_empty(&self) -> Result<bool> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'"
            }
        };
        let mut conn = self.acquire().await?;
        let n: i64 = sqlx::Row::try_get(&sqlx::query(sql).fetch_one(&mut *conn).await?, "n")?;
        Ok(n == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::{StoreConfig, redact_url};

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://u:secret@db:5432/y"),
            "postgres://u:***@db:5432/y"
        );
        assert_eq!(redact_url("postgres://u@db/y"), "postgres://u@db/y");
        assert_eq!(redact_url("sqlite:///x/y.db"), "sqlite:///x/y.db");
    }

    #[test]
    fn a_postgres_url_names_postgres_and_anything_else_sqlite() {
        let with = |url: Option<&str>| StoreConfig {
            database_url: url.map(Into::into),
            ..StoreConfig::sqlite_in("data")
        };
        assert!(!with(None).is_postgres());
        assert!(!with(Some("sqlite:///x/y.db")).is_postgres());
        assert!(with(Some("postgres://u@db/y")).is_postgres());
        assert!(with(Some(" postgresql://u@db/y")).is_postgres());
    }
}
