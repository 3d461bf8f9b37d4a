//! Command-line interface.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use server::Settings;
use server::config::{LogFormat, Overrides};

#[derive(Parser)]
#[command(
    name = "yiwang",
    version,
    about = "一网 · township comprehensive administrative law enforcement platform"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(Common),
    /// Run the server on a fresh data folder seeded with the demo county (Ningling, Shangqiu).
    Demo(Common),
    /// Bring the database schema up to date and print its version.
    Migrate(Common),
}

/// Settings shared by every command; each also reads YIWANG_<KEY> and --config.
#[derive(Args, Clone)]
struct Common {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<String>,
    /// Data folder (SQLite database, uploads) [default: data; demo: data/demo].
    #[arg(long)]
    data: Option<PathBuf>,
    /// postgres://… to use PostgreSQL instead of the embedded SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// A TOML config file (see yiwang.example.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log one JSON object per line.
    #[arg(long)]
    log_json: bool,
}

impl Common {
    fn settings(&self, default_data: Option<&str>) -> Result<Settings> {
        let overrides = Overrides {
            listen: self.listen.clone(),
            data: self.data.clone().or_else(|| {
                // The demo keeps its own folder unless told otherwise.
                let configured = std::env::var_os("YIWANG_DATA").is_some() || self.config.is_some();
                (!configured)
                    .then(|| default_data.map(PathBuf::from))
                    .flatten()
            }),
            database_url: self.database_url.clone(),
            log_format: self.log_json.then_some(LogFormat::Json),
        };
        let s = Settings::load(self.config.as_deref(), std::env::vars(), &overrides)?;
        server::logging::init(s.log_format, &s.log_level);
        Ok(s)
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(c) => serve(c.settings(None)?).await,
        Command::Demo(c) => demo(c.settings(Some("data/demo"))?).await,
        Command::Migrate(c) => migrate(c.settings(None)?).await,
    }
}

async fn serve(settings: Settings) -> Result<()> {
    let app = server::Application::build(settings.clone()).await?;
    tracing::info!(
        address = %app.local_addr(),
        database = %app.state().store.display_url(),
        "yiwang serving on http://{}",
        app.local_addr()
    );
    app.run_until_stopped().await.context("server")?;
    tracing::info!("stopped");
    Ok(())
}

async fn demo(settings: Settings) -> Result<()> {
    let cfg = settings.store_config();
    if cfg.database_url.is_none() {
        // A fresh data folder: remove the previous demo database.
        for f in ["yiwang.db", "yiwang.db-wal", "yiwang.db-shm"] {
            let p = settings.data.join(f);
            if p.exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("cannot remove {}", p.display()))?;
            }
        }
    }
    let store = store::Store::open(&cfg).await?;
    let started = Instant::now();
    let report = demo::seed(&store).await?;
    tracing::info!(
        townships = report.townships,
        villages = report.villages,
        units = report.units,
        staff = report.staff,
        grids = report.grids,
        millis = started.elapsed().as_millis() as u64,
        "demo county seeded (宁陵县)"
    );
    let app = server::Application::build_with_store(settings, store).await?;
    println!(
        "yiwang demo: http://{}/ (Ningling County, Shangqiu)",
        app.local_addr()
    );
    app.run_until_stopped().await.context("server")?;
    Ok(())
}

async fn migrate(settings: Settings) -> Result<()> {
    let store = store::Store::connect(&settings.store_config()).await?;
    let report = store.migrate().await?;
    if report.applied.is_empty() {
        println!(
            "schema version {} (up to date) on {}",
            report.to,
            store.backend().as_str()
        );
    } else {
        println!(
            "schema version {} → {} on {} (applied {:?})",
            report.from,
            report.to,
            store.backend().as_str(),
            report.applied
        );
    }
    if report.to != store::migrations::latest_version() {
        bail!(
            "schema version {} after migrating, expected {}",
            report.to,
            store::migrations::latest_version()
        );
    }
    Ok(())
}
