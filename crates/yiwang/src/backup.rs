//! `yiwang backup` and `yiwang restore`: the database and the stored files
//! of a data folder, with a manifest of SHA-256 digests that restore checks
//! before it writes anything.
//!
//! * SQLite: taken online with `VACUUM INTO` (a consistent copy while the
//!   server keeps running and writing).
//! * PostgreSQL: `pg_dump --format=custom` (also online), restored with
//!   `pg_restore` into an empty database; both tools must be on the PATH.
//!
//! The files are those the server keeps by SHA-256 (documents, evidence,
//! report attachments), the case files (archives), template overrides and
//! the audit key. A restore refuses a backup whose manifest does not match
//! (naming the file), a target that already holds a database, and ends by
//! verifying the audit chain of what it restored.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use server::Settings;
use sha2::{Digest, Sha256};

/// The folders and files of a data folder that a backup carries.
const FOLDERS: [&str; 5] = [
    "documents",
    "evidence",
    "attachments",
    "archives",
    "templates",
];
const KEY_FILE: &str = "audit.key";
const SQLITE_FILE: &str = "yiwang.db";
const PG_FILE: &str = "yiwang.pgdump";
pub const MANIFEST: &str = "MANIFEST.sha256";

fn sha256_of(path: &Path) -> Result<String> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

/// Every file under `dir`, relative to `root`, sorted.
fn files_under(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files_under(root, &path, out)?;
        } else if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".tmp-"))
        {
            out.push(path.strip_prefix(root)?.to_path_buf());
        }
    }
    out.sort();
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

fn empty_or_missing(dir: &Path) -> Result<bool> {
    Ok(!dir.exists() || std::fs::read_dir(dir)?.next().is_none())
}

fn run_tool(cmd: &mut Command, tool: &str) -> Result<()> {
    let out = cmd.output().with_context(|| {
        format!(
            "{tool} was not found: install the PostgreSQL client tools (Debian: postgresql-client)"
        )
    })?;
    if !out.status.success() {
        bail!(
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Copy the data folder's database and files into `to` (new or empty).
pub async fn backup(settings: Settings, to: PathBuf) -> Result<()> {
    if !empty_or_missing(&to)? {
        bail!(
            "{} is not empty: a backup goes into a new folder",
            to.display()
        );
    }
    std::fs::create_dir_all(&to)?;
    let cfg = settings.store_config();
    match &cfg.database_url {
        None => {
            let store = store::Store::connect(&cfg).await?;
            let target = to.join(SQLITE_FILE);
            store.vacuum_into(&target).await?;
            store.close().await;
        }
        Some(url) => run_tool(
            Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(to.join(PG_FILE))
                .arg(url),
            "pg_dump",
        )?,
    }
    let data = &settings.data;
    let mut files = Vec::new();
    for folder in FOLDERS {
        files_under(data, &data.join(folder), &mut files)?;
    }
    if data.join(KEY_FILE).exists() {
        files.push(PathBuf::from(KEY_FILE));
    }
    let bar = indicatif::ProgressBar::new(files.len() as u64);
    for f in &files {
        copy_file(&data.join(f), &to.join(f))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let db_file = if cfg.database_url.is_none() {
        SQLITE_FILE
    } else {
        PG_FILE
    };
    let mut manifest = std::fs::File::create(to.join(MANIFEST))?;
    let mut all = vec![PathBuf::from(db_file)];
    all.extend(files.iter().cloned());
    for f in &all {
        writeln!(manifest, "{}  {}", sha256_of(&to.join(f))?, f.display())?;
    }
    manifest.sync_all()?;
    let size = std::fs::metadata(to.join(db_file))?.len();
    println!(
        "backup written to {}: database {} ({} bytes), {} files, manifest {MANIFEST}",
        to.display(),
        db_file,
        size,
        files.len()
    );
    if settings.audit_key.is_some() {
        println!("note: the audit key is configured outside the data folder and was not copied");
    }
    Ok(())
}

/// Check every line of the manifest; the files it names, in order.
pub fn check_manifest(from: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(from.join(MANIFEST))
        .with_context(|| format!("{} has no {MANIFEST}: not a yiwang backup", from.display()))?;
    let mut files = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some((digest, name)) = line.split_once("  ") else {
            bail!("{MANIFEST} line {} is malformed", n + 1);
        };
        let rel = PathBuf::from(name);
        if rel.is_absolute() || rel.components().any(|c| c.as_os_str() == "..") {
            bail!("{MANIFEST} line {} names a path outside the backup", n + 1);
        }
        let path = from.join(&rel);
        if !path.exists() {
            bail!("backup damaged: {name} is missing");
        }
        if sha256_of(&path)? != digest {
            bail!("backup damaged: {name} does not match its SHA-256 in {MANIFEST}");
        }
        files.push(rel);
    }
    Ok(files)
}

/// Restore a backup into the configured data folder (and database), then
/// verify the audit chain.
pub async fn restore(settings: Settings, from: PathBuf) -> Result<()> {
    let files = check_manifest(&from)?;
    let cfg = settings.store_config();
    let data = &settings.data;
    std::fs::create_dir_all(data)?;
    match &cfg.database_url {
        None => {
            if !files.iter().any(|f| f == Path::new(SQLITE_FILE)) {
                bail!("this backup holds a PostgreSQL dump; restore it with --database-url");
            }
            if data.join(SQLITE_FILE).exists() {
                bail!(
                    "{} already holds a database: restore into a new data folder",
                    data.display()
                );
            }
        }
        Some(url) => {
            if !files.iter().any(|f| f == Path::new(PG_FILE)) {
                bail!("this backup holds a SQLite database; restore it without --database-url");
            }
            let store = store::Store::connect(&cfg).await?;
            let empty = store.is_empty().await?;
            store.close().await;
            if !empty {
                bail!("the target database is not empty: restore into a new database");
            }
            run_tool(
                Command::new("pg_restore")
                    .args(["--no-owner", "--exit-on-error", "--dbname"])
                    .arg(url)
                    .arg(from.join(PG_FILE)),
                "pg_restore",
            )?;
        }
    }
    for f in &files {
        if f == Path::new(PG_FILE) {
            continue;
        }
        if f == Path::new(KEY_FILE) && data.join(KEY_FILE).exists() {
            if sha256_of(&data.join(KEY_FILE))? != sha256_of(&from.join(f))? {
                bail!(
                    "{} holds another audit key; remove it first",
                    data.display()
                );
            }
            continue;
        }
        copy_file(&from.join(f), &data.join(f))?;
    }
    let store = store::Store::open(&cfg).await?;
    let key = store::audit::load_or_create_key(data, settings.audit_key.as_deref())?;
    let mut conn = store.acquire().await?;
    let verified = match store::audit::verify(&mut conn, &key).await? {
        Ok(n) => n,
        Err(b) => bail!("restored, but the audit chain does not verify: {b}"),
    };
    println!(
        "restored {} files into {}; audit chain intact: {verified} entries verified",
        files.len(),
        data.display()
    );
    Ok(())
}
