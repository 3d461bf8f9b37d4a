//! `yiwang import grids` and `yiwang bench locate`.

use std::path::PathBuf;

use anyhow::{Result, bail};
use domain::access::{Permission, Scope};
use server::Settings;
use server::grid_import::{self, ImportOptions};
use yiwang_geo::Crs;
use yiwang_geo::shape::PropertyMapping;

pub struct GridImportArgs {
    pub file: PathBuf,
    pub dry_run: bool,
    pub crs: String,
    pub code_property: String,
    pub name_property: String,
    pub parent_property: String,
    pub tolerance_m2: f64,
}

/// Read, check and (unless a dry run, and only when clean) store the grids.
pub async fn import_grids(settings: Settings, a: GridImportArgs) -> Result<()> {
    let Some(crs) = Crs::parse(&a.crs) else {
        bail!(
            "unknown coordinate system {}: use wgs84, gcj02 or bd09",
            a.crs
        );
    };
    let text = std::fs::read_to_string(&a.file)?;
    let store = store::Store::open(&settings.store_config()).await?;
    let key = store::audit::load_or_create_key(&settings.data, settings.audit_key.as_deref())?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let opts = ImportOptions {
        mapping: PropertyMapping {
            code: a.code_property,
            name: a.name_property,
            parent: a.parent_property,
        },
        crs,
        dry_run: a.dry_run,
        tolerance_m2: a.tolerance_m2,
    };
    let mut progress = |stage: &str, done: usize, total: usize| {
        let msg = match stage {
            "read" => "读取 reading",
            "validate" => "检查 checking",
            _ => "写入 storing",
        };
        bar.set_message(msg);
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let report = grid_import::run(
        &store,
        &key,
        &store::audit::Actor::system("cli"),
        &Scope::system(Permission::ManageOrganisation),
        &text,
        &opts,
        &mut progress,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{} / {}", e.zh, e.en))?;
    bar.finish_and_clear();
    for p in &report.problems {
        let feature = p
            .feature
            .map(|f| format!("feature {f}"))
            .unwrap_or_else(|| "-".into());
        let code = p.code.as_deref().unwrap_or("-");
        eprintln!("{feature} [{code}] {}: {}", p.kind, p.message_zh);
    }
    if !report.problems.is_empty() {
        bail!(
            "{} problems in {} features; nothing imported",
            report.problems.len(),
            report.features
        );
    }
    if report.dry_run {
        println!(
            "dry run: {} features, no problems; nothing imported",
            report.features
        );
    } else {
        println!("imported {} grids", report.imported);
    }
    Ok(())
}

/// Build `polygons` synthetic grids, locate `points` points with the index
/// and a sample with a naive scan, and print both rates.
pub fn bench_locate(polygons: usize, points: usize, seed: u64) -> Result<()> {
    println!("building {polygons} grid polygons, locating {points} points (one thread)…");
    let f = yiwang_geo::bench::run(polygons, points, seed);
    for line in f.lines() {
        println!("{line}");
    }
    Ok(())
}
