//! Importing grids from GeoJSON: read the features, resolve each parent
//! (a township, or a village whose township is then implied), convert to
//! WGS84, validate against the township outlines and the grids already
//! stored, and — only when nothing is wrong and it is not a dry run — store
//! them all in one transaction. Shared by `POST /api/v1/grids/import` and
//! `yiwang import grids`.

use std::collections::{HashMap, HashSet};

use domain::access::Scope;
use domain::{Error, ErrorKind};
use serde::Serialize;
use store::audit::{self, Actor, Change};
use utoipa::ToSchema;
use yiwang_geo::Crs;
use yiwang_geo::shape::{self, PropertyMapping};
use yiwang_geo::validate::{self, Candidate, Options, ProblemKind};

/// One thing wrong with the file, named by feature number and grid code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportProblem {
    /// Feature number in the file, 1-based.
    pub feature: Option<usize>,
    pub code: Option<String>,
    /// The other grid involved (an overlap, a duplicate).
    pub other: Option<String>,
    /// invalid_geometry, invalid_ring, self_intersection, duplicate_code,
    /// outside_township, overlap, gap, unknown_parent, missing_code, no_outline
    pub kind: String,
    pub area_m2: Option<f64>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub features: usize,
    pub dry_run: bool,
    /// Grids stored (0 on a dry run or when any problem was found).
    pub imported: usize,
    pub problems: Vec<ImportProblem>,
}

pub struct ImportOptions {
    pub mapping: PropertyMapping,
    pub crs: Crs,
    pub dry_run: bool,
    pub tolerance_m2: f64,
}

fn problem(
    feature: Option<usize>,
    code: Option<&str>,
    kind: &str,
    zh: String,
    en: String,
) -> ImportProblem {
    ImportProblem {
        feature,
        code: code.map(Into::into),
        other: None,
        kind: kind.into(),
        area_m2: None,
        lon: None,
        lat: None,
        message_zh: zh,
        message_en: en,
    }
}

struct Resolved {
    township: store::org::Jurisdiction,
    village: Option<store::org::Jurisdiction>,
}

/// Run an import. `progress(stage, done, total)` is called as work proceeds.
/// `scope` must cover every township the file names (ManageOrganisation).
pub async fn run(
    store: &store::Store,
    audit_key: &[u8],
    actor: &Actor,
    scope: &Scope,
    text: &str,
    opts: &ImportOptions,
    progress: &mut (dyn FnMut(&str, usize, usize) + Send),
) -> Result<ImportReport, Error> {
    let features = shape::read_features(text, &opts.mapping)
        .map_err(|e| Error::new(ErrorKind::Invalid, "grids.file", e.zh, e.en).with_field("file"))?;
    let total = features.len();
    let mut problems = Vec::new();
    let mut conn = store.acquire().await?;
    let mut parents: HashMap<String, Option<Resolved>> = HashMap::new();
    let mut candidates = Vec::new();
    let mut meta: Vec<(usize, String, String, Option<String>, String)> = Vec::new(); // index, code, name, village id, township id
    for (i, f) in features.iter().enumerate() {
        progress("read", i + 1, total);
        let Some(code) = f.code.clone() else {
            problems.push(problem(
                Some(f.index),
                None,
                "missing_code",
                format!(
                    "第 {} 个要素缺少网格编码（属性 {}）",
                    f.index, opts.mapping.code
                ),
                format!(
                    "feature {} has no grid code (property {})",
                    f.index, opts.mapping.code
                ),
            ));
            continue;
        };
        let geometry = match &f.geometry {
            Ok(g) => shape::convert(g, opts.crs),
            Err(e) => {
                problems.push(problem(
                    Some(f.index),
                    Some(&code),
                    "invalid_geometry",
                    format!("网格 {code}（第 {} 个要素）：{}", f.index, e.zh),
                    format!("grid {code} (feature {}): {}", f.index, e.en),
                ));
                continue;
            }
        };
        let Some(parent) = f.parent.clone() else {
            problems.push(problem(
                Some(f.index),
                Some(&code),
                "unknown_parent",
                format!(
                    "网格 {code}（第 {} 个要素）缺少所属乡镇或村（属性 {}）",
                    f.index, opts.mapping.parent
                ),
                format!(
                    "grid {code} (feature {}) names no township or village (property {})",
                    f.index, opts.mapping.parent
                ),
            ));
            continue;
        };
        if !parents.contains_key(&parent) {
            let resolved = resolve(&mut conn, &parent).await?;
            parents.insert(parent.clone(), resolved);
        }
        let Some(r) = parents.get(&parent).and_then(|r| r.as_ref()) else {
            problems.push(problem(
                Some(f.index),
                Some(&code),
                "unknown_parent",
                format!(
                    "网格 {code}（第 {} 个要素）的上级 {parent} 不是已知的乡镇或村（社区）",
                    f.index
                ),
                format!(
                    "grid {code} (feature {}): parent {parent} is no known township or village",
                    f.index
                ),
            ));
            continue;
        };
        if !scope.covers(&r.township.path) {
            return Err(domain::access::out_of_scope().with_field("parent"));
        }
        if store::grids::code_exists(&mut conn, &code).await? {
            problems.push(problem(
                Some(f.index),
                Some(&code),
                "duplicate_code",
                format!("网格编码 {code}（第 {} 个要素）已存在", f.index),
                format!("grid code {code} (feature {}) already exists", f.index),
            ));
        }
        let name = f.name.clone().unwrap_or_else(|| code.clone());
        meta.push((
            f.index,
            code.clone(),
            name,
            r.village.as_ref().map(|v| v.id.clone()),
            r.township.id.clone(),
        ));
        candidates.push(Candidate {
            index: f.index,
            code,
            parent: r.township.code.clone(),
            shape: geometry,
        });
    }
    // Township outlines, and the grids already stored in those townships.
    let towns: HashSet<String> = candidates.iter().map(|c| c.parent.clone()).collect();
    let mut outlines = HashMap::new();
    for a in store::grids::areas(&mut conn, &["township", "street"]).await? {
        if towns.contains(&a.code)
            && let Some(g) = parse(&a.geometry)
        {
            outlines.insert(a.code, g);
        }
    }
    for t in &towns {
        if !outlines.contains_key(t) {
            problems.push(problem(
                None,
                None,
                "no_outline",
                format!("乡镇 {t} 的边界尚未导入，无法检查网格是否超出乡镇范围"),
                format!("township {t} has no stored outline; grids cannot be checked against it"),
            ));
        }
    }
    let new_codes: HashSet<String> = candidates.iter().map(|c| c.code.clone()).collect();
    let mut all = candidates.clone();
    for g in store::grids::all(&mut conn).await? {
        if towns.contains(&g.township_code)
            && !new_codes.contains(&g.code)
            && let Some(shape) = parse(&g.geometry)
        {
            all.push(Candidate {
                index: 0,
                code: g.code,
                parent: g.township_code,
                shape,
            });
        }
    }
    drop(conn);
    progress("validate", 0, 1);
    let tolerance = opts.tolerance_m2;
    let found = tokio::task::spawn_blocking(move || {
        validate::validate(
            &all,
            &outlines,
            &Options {
                tolerance_m2: tolerance,
            },
        )
    })
    .await
    .map_err(|_| Error::internal())?;
    progress("validate", 1, 1);
    for p in found {
        // problems only among grids already stored were accepted before
        let involves_new = p.code.as_ref().is_some_and(|c| new_codes.contains(c))
            || p.other.as_ref().is_some_and(|c| new_codes.contains(c))
            || (p.kind == ProblemKind::Gap && new_codes.iter().any(|c| p.zh.contains(c.as_str())));
        if !involves_new {
            continue;
        }
        problems.push(ImportProblem {
            feature: p.feature.filter(|f| *f > 0),
            code: p.code,
            other: p.other,
            kind: p.kind.as_str().into(),
            area_m2: p.area_m2.map(|a| a.round()),
            lon: p.at.map(|a| a.lon),
            lat: p.at.map(|a| a.lat),
            message_zh: p.zh,
            message_en: p.en,
        });
    }
    problems.sort_by_key(|p| (p.feature.unwrap_or(usize::MAX), p.kind.clone()));
    let mut report = ImportReport {
        features: total,
        dry_run: opts.dry_run,
        imported: 0,
        problems,
    };
    if opts.dry_run || !report.problems.is_empty() {
        return Ok(report);
    }
    let mut tx = store.begin_write().await?;
    let shapes: HashMap<String, &Candidate> =
        candidates.iter().map(|c| (c.code.clone(), c)).collect();
    for (i, (_, code, name, village, township)) in meta.iter().enumerate() {
        let c = shapes[code];
        store::org::insert_grid(
            &mut tx,
            store::org::NewGrid {
                code,
                name,
                township_id: township,
                village_id: village.as_deref(),
                geometry_geojson: &shape::to_geojson(&c.shape).to_string(),
                area_m2: shape::area_m2(&c.shape).round(),
            },
        )
        .await?;
        progress("store", i + 1, meta.len());
    }
    let after = serde_json::json!({"grids": meta.iter().map(|m| &m.1).collect::<Vec<_>>()});
    let path = scope.roots().first().cloned().unwrap_or_default();
    audit::append(
        &mut tx,
        audit_key,
        actor,
        Change {
            action: "grids.import",
            object_type: "grid",
            object_id: &format!("{} grids", meta.len()),
            jurisdiction: &path,
            before: None,
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    report.imported = meta.len();
    Ok(report)
}

fn parse(geojson: &str) -> Option<geo::MultiPolygon<f64>> {
    let v: serde_json::Value = serde_json::from_str(geojson).ok()?;
    shape::parse_geometry(&v).ok()
}

async fn resolve(conn: &mut store::Conn, code: &str) -> Result<Option<Resolved>, Error> {
    let j = match store::org::jurisdiction_by_code(conn, code).await {
        Ok(j) => j,
        Err(store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if j.level.is_township() {
        return Ok(Some(Resolved {
            township: j,
            village: None,
        }));
    }
    if matches!(
        j.level,
        domain::org::Level::Village | domain::org::Level::Community
    ) && let Some(pid) = j.parent_id.clone()
    {
        let t = store::org::jurisdiction_by_id(conn, &pid).await?;
        return Ok(Some(Resolved {
            township: t,
            village: Some(j),
        }));
    }
    Ok(None)
}
