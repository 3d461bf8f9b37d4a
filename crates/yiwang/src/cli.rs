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
    /// Users: `yiwang user create`.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit record: `yiwang audit verify`.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Case archives (卷宗): `yiwang archive verify FILE [--key-file audit.key]`.
    #[command(subcommand)]
    Archive(ArchiveCommand),
    /// Import data: `yiwang import power-list FILE`, `yiwang import grids FILE`.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data: `yiwang export power-list --format xlsx|csv|json`.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Copy the database (online) and the stored files into a new folder,
    /// with a SHA-256 manifest: `yiwang backup --to DIR`.
    Backup {
        /// The backup folder (new or empty).
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Restore a backup into a new data folder (or an empty PostgreSQL
    /// database) and verify its audit chain: `yiwang restore --from DIR --data NEW`.
    Restore {
        /// The backup folder written by `yiwang backup`.
        #[arg(long)]
        from: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// The dashboard's counters: `yiwang stats verify` recounts them from the reports and
    /// lists any difference; `yiwang stats rebuild` rewrites them.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Benchmarks on this machine: `yiwang bench search`, `yiwang bench report-search`,
    /// `yiwang bench locate`, `yiwang bench intake`, `yiwang bench crash`, `yiwang bench scale`,
    /// `yiwang bench soak`.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Seed the demo county in a temporary folder and time power-list searches (p50, p90, max).
    Search {
        /// Searches per query word.
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        /// postgres://… to measure on PostgreSQL (an empty database) instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Seed the demo county and many realistic reports into a fresh database (SQLite in a
    /// temporary folder) and time report searches of 2- and 4-character words (p50, p95, p99).
    ReportSearch {
        /// How many reports to seed.
        #[arg(long, default_value_t = 1_000_000)]
        reports: usize,
        /// How many searches to time.
        #[arg(long, default_value_t = 3000)]
        searches: usize,
        /// postgres://… (a server where a database may be created): measure there too.
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Build synthetic grid polygons and time point lookups: the index and a naive scan.
    Locate {
        #[arg(long, default_value_t = 100_000)]
        polygons: usize,
        #[arg(long, default_value_t = 1_000_000)]
        points: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Drive POST /api/v1/reports of a `yiwang serve` child process with realistic reports
    /// (demo county cut into --grids grids, every channel): an open loop at --rate (achieved
    /// rate, p50/p99) and a closed loop of --clients (maximum reports/s), next to a baseline
    /// server doing one durable insert per request into the same database.
    Intake {
        /// How many grids the demo county is cut into.
        #[arg(long, default_value_t = 100_000)]
        grids: usize,
        /// Offered reports per second in the open loop.
        #[arg(long, default_value_t = 500.0)]
        rate: f64,
        /// Seconds of each phase (open loop, closed loop).
        #[arg(long, default_value_t = 20.0)]
        seconds: f64,
        /// Concurrent clients in the closed loop.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// postgres://… (a server where a database may be created): measure there too.
        #[arg(long)]
        postgres: Option<String>,
        /// SQLite with synchronous=FULL (an acknowledged report survives a power loss).
        #[arg(long)]
        full_sync: bool,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Work in this (new) folder and keep it (the data, the servers'
        /// logs), instead of a temporary one; with --postgres, keep its
        /// database too.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Intake under load, killed with SIGKILL --kills times and restarted: every report
    /// acknowledged with 2xx must be stored intact and none twice. Ends with the line
    /// `acknowledged N, lost L, duplicated D`; fails unless L and D are 0.
    Crash {
        /// How many times the server is killed.
        #[arg(long, default_value_t = 20)]
        kills: usize,
        /// Clients sending reports concurrently.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// How many grids the demo county is cut into.
        #[arg(long, default_value_t = 2000)]
        grids: usize,
        /// postgres://… (a server where a database may be created): run there too.
        #[arg(long)]
        postgres: Option<String>,
        /// SQLite with synchronous=FULL.
        #[arg(long)]
        full_sync: bool,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// --instances `yiwang serve` on one new PostgreSQL database and one data folder, this
    /// process as their round-robin: no report dispatched twice (also when raced via two
    /// instances), deadline and supervision jobs recorded once, live updates and uploads seen
    /// via every instance. Ends with `instances N, reports R, double-dispatched D,
    /// jobs-duplicated J`; fails unless D and J are 0 and every check passed.
    Scale {
        #[arg(long, default_value_t = 3)]
        instances: usize,
        /// How many reports are posted.
        #[arg(long, default_value_t = 2000)]
        reports: usize,
        /// postgres://… of a server where a database may be created.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        postgres: String,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// `yiwang serve` for --minutes at a steady rate of realistic reports, queue reads and
    /// closed-loop steps; one line a minute (latency, resident memory). Ends with `soak
    /// minutes M, reports N, errors E, rss start X MiB end Y MiB`.
    Soak {
        #[arg(long, default_value_t = 60)]
        minutes: u64,
        /// Reports per second.
        #[arg(long, default_value_t = 20.0)]
        rate: f64,
        /// postgres://… (a server where a database may be created): soak there, not on SQLite.
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Seed --reports reports (10,000,000 by default) over the last year, recount the
    /// dashboard's counters and time every dashboard view over HTTP (p50, max). Ends with
    /// `dashboard reports N, views V, slowest p50 X ms, slowest max Y ms`.
    Dashboard {
        #[arg(long, default_value_t = 10_000_000)]
        reports: usize,
        /// Timed requests per view (after one untimed).
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        /// postgres://… (a server where a database may be created): measure there too.
        #[arg(long)]
        postgres: Option<String>,
        /// Fail if a view's p50 is over this many milliseconds.
        #[arg(long, default_value_t = 200.0)]
        budget_ms: f64,
        /// Seed into this (new) folder and keep it, instead of a temporary
        /// one; with --postgres, keep its database too.
        #[arg(long)]
        keep: Option<PathBuf>,
        /// With --postgres: measure PostgreSQL only.
        #[arg(long)]
        postgres_only: bool,
    },
    /// The intake benchmark's baseline: one insert of the request body per request.
    #[command(hide = true)]
    BaselineServer(Common),
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Recount the counters from the reports and compare; fails on any difference.
    Verify(Common),
    /// Rewrite the counters from the reports.
    Rebuild(Common),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import the power list from .xlsx or .csv (published column layout, Chinese headers).
    /// Every bad row is reported; nothing is imported while any remains.
    PowerList {
        file: PathBuf,
        /// Check only: report bad rows, import nothing.
        #[arg(long)]
        dry_run: bool,
        /// Why (recorded with every new version).
        #[arg(long, default_value = "批量导入")]
        reason: String,
        #[command(flatten)]
        common: Common,
    },
    /// Import grids from GeoJSON. Every feature is checked (rings,
    /// self-intersection, duplicate codes, outside the township, overlaps,
    /// gaps); nothing is imported while any problem remains.
    Grids {
        file: PathBuf,
        /// Check only: report problems, import nothing.
        #[arg(long)]
        dry_run: bool,
        /// Coordinates of the file: wgs84 (cgcs2000), gcj02 or bd09.
        #[arg(long, default_value = "wgs84")]
        crs: String,
        /// Property holding the grid code (default also accepts 编码/网格编码).
        #[arg(long, default_value = "code")]
        code_property: String,
        /// Property holding the grid name (default also accepts 名称/网格名称).
        #[arg(long, default_value = "name")]
        name_property: String,
        /// Property holding the township or village code (default also accepts 上级/所属).
        #[arg(long, default_value = "parent")]
        parent_property: String,
        /// Overlaps and gaps up to this many m² are ignored.
        #[arg(long, default_value_t = 1.0)]
        tolerance_m2: f64,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Export the power list to standard output (or --output).
    PowerList {
        /// xlsx, csv or json
        #[arg(long)]
        format: String,
        /// Only the items this township holds (division code).
        #[arg(long)]
        township: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user with a role in a jurisdiction; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
        /// system_admin, dispatcher, brigade_leader, squad_leader, officer, grid_worker,
        /// legal_reviewer, county_supervisor, department_liaison, agency_liaison
        #[arg(long)]
        role: String,
        /// Division code of the jurisdiction the role applies to, e.g. 411423 or 411423101.
        #[arg(long)]
        jurisdiction: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum ArchiveCommand {
    /// Check a case archive: every file the manifest lists is there with its size and SHA-256,
    /// and nothing else; one line per problem, a non-zero exit status if there is any.
    Verify {
        /// The archive (.zip) from GET /api/v1/cases/{id}/archive.
        file: PathBuf,
        /// The audit key (hexadecimal, as audit.key in the data folder): also check the
        /// manifest's HMAC.
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; name the first entry that was altered, inserted or removed.
    Verify(Common),
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

/// How often a server gives the allocator's free pages back to the system.
const TRIM_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(c) => {
            yiwang_malloc::trim_every(TRIM_INTERVAL)?;
            serve(c.settings(None)?).await
        }
        Command::Demo(c) => {
            yiwang_malloc::trim_every(TRIM_INTERVAL)?;
            demo(c.settings(Some("data/demo"))?).await
        }
        Command::Migrate(c) => migrate(c.settings(None)?).await,
        Command::User(UserCommand::Create {
            username,
            display_name,
            role,
            jurisdiction,
            common,
        }) => {
            user_create(
                common.settings(None)?,
                username,
                display_name,
                role,
                jurisdiction,
            )
            .await
        }
        Command::Audit(AuditCommand::Verify(c)) => audit_verify(c.settings(None)?).await,
        Command::Backup { to, common } => crate::backup::backup(common.settings(None)?, to).await,
        Command::Restore { from, common } => {
            crate::backup::restore(common.settings(None)?, from).await
        }
        Command::Archive(ArchiveCommand::Verify { file, key_file }) => {
            crate::archive::verify(&file, key_file.as_deref())
        }
        Command::Import(ImportCommand::PowerList {
            file,
            dry_run,
            reason,
            common,
        }) => import_power_list(common.settings(None)?, file, dry_run, reason).await,
        Command::Export(ExportCommand::PowerList {
            format,
            township,
            output,
            common,
        }) => export_power_list(common.settings(None)?, format, township, output).await,
        Command::Bench(BenchCommand::Search {
            rounds,
            database_url,
        }) => bench_search(rounds, database_url).await,
        Command::Bench(BenchCommand::ReportSearch {
            reports,
            searches,
            postgres,
            seed,
        }) => {
            crate::bench_search::run(crate::bench_search::Args {
                reports,
                searches,
                postgres,
                seed,
            })
            .await
        }
        Command::Bench(BenchCommand::Locate {
            polygons,
            points,
            seed,
        }) => crate::grids::bench_locate(polygons, points, seed),
        Command::Bench(BenchCommand::Intake {
            grids,
            rate,
            seconds,
            clients,
            postgres,
            full_sync,
            seed,
            keep,
        }) => {
            crate::bench_intake::run(crate::bench_intake::Args {
                grids,
                rate,
                seconds,
                clients,
                postgres,
                full_sync,
                seed,
                keep,
            })
            .await
        }
        Command::Bench(BenchCommand::Crash {
            kills,
            clients,
            grids,
            postgres,
            full_sync,
            seed,
        }) => {
            crate::crash_test::run(crate::crash_test::Args {
                kills,
                clients,
                grids,
                postgres,
                full_sync,
                seed,
            })
            .await
        }
        Command::Bench(BenchCommand::Scale {
            instances,
            reports,
            postgres,
            seed,
        }) => {
            crate::scale_test::run(crate::scale_test::Args {
                instances,
                reports,
                postgres,
                seed,
            })
            .await
        }
        Command::Bench(BenchCommand::Soak {
            minutes,
            rate,
            postgres,
            seed,
        }) => {
            crate::soak::run(crate::soak::Args {
                minutes,
                rate,
                postgres,
                seed,
            })
            .await
        }
        Command::Bench(BenchCommand::Dashboard {
            reports,
            rounds,
            postgres,
            budget_ms,
            keep,
            postgres_only,
        }) => {
            crate::bench_dashboard::run(crate::bench_dashboard::Args {
                reports,
                rounds,
                postgres,
                budget_ms,
                keep,
                postgres_only,
            })
            .await
        }
        Command::Stats(StatsCommand::Verify(c)) => stats_verify(c.settings(None)?).await,
        Command::Stats(StatsCommand::Rebuild(c)) => stats_rebuild(c.settings(None)?).await,
        Command::Bench(BenchCommand::BaselineServer(c)) => {
            crate::bench_intake::baseline_server(c.settings(None)?).await
        }
        Command::Import(ImportCommand::Grids {
            file,
            dry_run,
            crs,
            code_property,
            name_property,
            parent_property,
            tolerance_m2,
            common,
        }) => {
            crate::grids::import_grids(
                common.settings(None)?,
                crate::grids::GridImportArgs {
                    file,
                    dry_run,
                    crs,
                    code_property,
                    name_property,
                    parent_property,
                    tolerance_m2,
                },
            )
            .await
        }
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
    let key = store::audit::load_or_create_key(&settings.data, settings.audit_key.as_deref())?;
    let report = demo::seed(&store, &key).await?;
    tracing::info!(
        townships = report.townships,
        villages = report.villages,
        units = report.units,
        staff = report.staff,
        grids = report.grids,
        users = report.users,
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

async fn user_create(
    settings: Settings,
    username: String,
    display_name: Option<String>,
    role: String,
    jurisdiction: String,
) -> Result<()> {
    use std::io::Read;
    let role =
        domain::access::Role::parse(&role).map_err(|e| anyhow::anyhow!("--role: {}", e.en))?;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    domain::password::check_policy(&password).map_err(|e| anyhow::anyhow!("password: {}", e.en))?;
    let store = store::Store::open(&settings.store_config()).await?;
    let key = store::audit::load_or_create_key(&settings.data, settings.audit_key.as_deref())?;
    let mut tx = store.begin_write().await?;
    let j = store::org::jurisdiction_by_code(&mut tx, &jurisdiction)
        .await
        .map_err(|_| anyhow::anyhow!("--jurisdiction: no jurisdiction has code {jurisdiction}"))?;
    let hash = domain::password::hash(&password, &store::identity::new_salt());
    let name = display_name.unwrap_or_else(|| username.clone());
    let user = store::identity::create_user(&mut tx, &username, &name, &hash, None)
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict { .. } => {
                anyhow::anyhow!("--username: {username} is taken")
            }
            other => other.into(),
        })?;
    store::identity::add_role(&mut tx, &user.id, role, &j.id).await?;
    let after =
        serde_json::json!({"username": username, "role": role.as_str(), "jurisdiction": j.code});
    store::audit::append(
        &mut tx,
        &key,
        &store::audit::Actor::system("cli"),
        store::audit::Change {
            action: "user.create",
            object_type: "user",
            object_id: &user.id,
            jurisdiction: &j.path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    println!(
        "created user {username} ({}) as {} in {} {}",
        user.id,
        role.as_str(),
        j.code,
        j.name
    );
    Ok(())
}

async fn audit_verify(settings: Settings) -> Result<()> {
    let store = store::Store::open(&settings.store_config()).await?;
    let key = store::audit::load_or_create_key(&settings.data, settings.audit_key.as_deref())?;
    let mut conn = store.acquire().await?;
    match store::audit::verify(&mut conn, &key).await? {
        Ok(n) => {
            println!("audit chain intact: {n} entries verified");
            Ok(())
        }
        Err(b) => bail!("audit chain broken: {b}"),
    }
}

async fn stats_verify(settings: Settings) -> Result<()> {
    let store = store::Store::open(&settings.store_config()).await?;
    let mut conn = store.acquire().await?;
    let diff = store::stats::verify(&mut conn).await?;
    if diff.is_empty() {
        println!("dashboard counters agree with the reports");
        return Ok(());
    }
    for d in diff.iter().take(50) {
        println!("{d}");
    }
    bail!(
        "{} counter rows differ from a recount; `yiwang stats rebuild` rewrites them",
        diff.len()
    )
}

async fn stats_rebuild(settings: Settings) -> Result<()> {
    let store = store::Store::open(&settings.store_config()).await?;
    let mut conn = store.acquire().await?;
    let started = Instant::now();
    let mut tx = store::Store::begin_write_on(&mut conn).await?;
    store::stats::rebuild(&mut tx).await?;
    tx.commit().await?;
    println!(
        "dashboard counters rewritten in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn import_power_list(
    settings: Settings,
    file: PathBuf,
    dry_run: bool,
    reason: String,
) -> Result<()> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 行")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("读取 reading");
    let report = powerlist::read_file(&file, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .map_err(|e| anyhow::anyhow!(e))?;
    bar.finish_and_clear();
    for e in &report.errors {
        eprintln!(
            "row {}{}: {}",
            e.row,
            e.code
                .as_ref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
            e.reason
        );
    }
    if !report.is_clean() {
        bail!(
            "{} bad rows of {}; nothing imported",
            report.errors.len(),
            report.rows
        );
    }
    if dry_run {
        println!(
            "dry run: {} rows, {} items, no errors; nothing imported",
            report.rows,
            report.items.len()
        );
        return Ok(());
    }
    let store = store::Store::open(&settings.store_config()).await?;
    let key = store::audit::load_or_create_key(&settings.data, settings.audit_key.as_deref())?;
    let bar = indicatif::ProgressBar::new(report.items.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("导入 importing [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut tx = store.begin_write().await?;
    let actor = store::audit::Actor::system("cli");
    for item in &report.items {
        let before = store::powerlist::by_code(&mut tx, &item.code).await.ok();
        let (id, _) =
            store::powerlist::save(&mut tx, store.backend(), item, &actor.name, &reason).await?;
        let after = serde_json::to_value(item)?;
        let before_v = before.map(|b| serde_json::to_value(b.item)).transpose()?;
        store::audit::append(
            &mut tx,
            &key,
            &actor,
            store::audit::Change {
                action: "power_item.import",
                object_type: "power_item",
                object_id: &id,
                jurisdiction: "/",
                before: before_v.as_ref(),
                after: Some(&after),
            },
        )
        .await?;
        bar.inc(1);
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    bar.finish_and_clear();
    println!(
        "imported {} items from {} rows",
        report.items.len(),
        report.rows
    );
    Ok(())
}

async fn export_power_list(
    settings: Settings,
    format: String,
    township: Option<String>,
    output: Option<PathBuf>,
) -> Result<()> {
    use std::io::Write;
    let format = powerlist::Format::parse(&format)
        .ok_or_else(|| anyhow::anyhow!("--format: use xlsx, csv or json"))?;
    let store = store::Store::open(&settings.store_config()).await?;
    let mut conn = store.acquire().await?;
    let township_id = match &township {
        Some(code) => Some(
            store::org::jurisdiction_by_code(&mut conn, code)
                .await
                .map_err(|_| anyhow::anyhow!("--township: no township has code {code}"))?
                .id,
        ),
        None => None,
    };
    let items = store::powerlist::all_current(&mut conn, township_id.as_deref()).await?;
    let bytes = powerlist::export(&items, format).map_err(|e| anyhow::anyhow!(e))?;
    match output {
        Some(path) => {
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

async fn bench_search(rounds: usize, database_url: Option<String>) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("yiwang-bench-{}", std::process::id()));
    let cfg = store::StoreConfig {
        database_url,
        ..store::StoreConfig::sqlite_in(&dir)
    };
    let store = store::Store::open(&cfg).await?;
    demo::seed(&store, b"bench").await?;
    let queries = [
        "占道经营",
        "秸秆",
        "噪声",
        "噪音",
        "渣土运输",
        "无照经营",
        "网吧",
        "超限运输",
        "违法占地",
        "餐饮油烟",
    ];
    let mut conn = store.acquire().await?;
    println!(
        "power-list search on {} ({} rounds per query, segmentation included)",
        store.backend().as_str(),
        rounds
    );
    let mut all = Vec::new();
    for q in queries {
        let mut times = Vec::with_capacity(rounds);
        let mut hits = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let tokens = yiwang_search::query_tokens(q);
            let (rows, total) = store::powerlist::search(
                &mut conn,
                store.backend(),
                &tokens,
                &Default::default(),
                20,
                0,
            )
            .await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            hits = total;
            std::hint::black_box(rows);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{q:<8} hits {hits:>3}  p50 {:.3} ms  p90 {:.3} ms  max {:.3} ms",
            times[times.len() / 2],
            times[times.len() * 9 / 10],
            times[times.len() - 1]
        );
        all.extend(times);
    }
    all.sort_by(|a, b| a.total_cmp(b));
    println!(
        "all queries: p50 {:.3} ms  p90 {:.3} ms",
        all[all.len() / 2],
        all[all.len() * 9 / 10]
    );
    drop(conn);
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
