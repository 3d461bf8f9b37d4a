//! A PostgreSQL database of its own for a benchmark or a check: created
//! new on a server where databases may be created, dropped afterwards.

use anyhow::{Context, Result};
use sqlx::AnyConnection;

pub(crate) struct ScratchDb {
    admin: AnyConnection,
    name: String,
    /// Where to connect to it.
    pub url: String,
}

impl ScratchDb {
    /// `{prefix}_{this process's id}` on the server at `admin_url`.
    pub(crate) async fn create(admin_url: &str, prefix: &str) -> Result<ScratchDb> {
        let name = format!("{prefix}_{}", std::process::id());
        let mut admin = <AnyConnection as sqlx::Connection>::connect(admin_url)
            .await
            .with_context(|| format!("--postgres {}", store::redact_url(admin_url)))?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .with_context(|| format!("creating the database {name}"))?;
        Ok(ScratchDb {
            url: store::testing::with_database(admin_url, &name),
            admin,
            name,
        })
    }

    /// Drop it (whoever is still connected).
    pub(crate) async fn drop(mut self) {
        let _ = sqlx::raw_sql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut self.admin)
        .await;
    }
}
