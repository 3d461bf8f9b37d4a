//! `yiwang bench intake`: report intake under load, through the real HTTP
//! endpoint, next to a baseline measured in the same run.
//!
//! For each database (SQLite in a temporary data folder; with `--postgres`,
//! a new database on that server as well) the bench
//!
//! 1. **prepares** the data: the demo county (宁陵县: its townships,
//!    brigades, squads, officers, grid workers and power list), whose village
//!    grids are then cut into `--grids` grids (100,000 by default): the
//!    locate benchmark's irregular tiling is laid over the county at the same
//!    shape and kept where a cell's middle falls in a village, each cell a
//!    grid of that village with the village's squad, officer and grid worker
//!    (the village's own grid takes its first cell, so nothing overlaps).
//!    Every reporting channel gets its callers: a grid worker's session and a
//!    camera platform's integration token per township; the citizens'
//!    「随手拍」 app and the 12345 hotline (integration tokens) and a
//!    department liaison (a session) for the county;
//! 2. starts the server as a **separate process** (`yiwang serve` on
//!    127.0.0.1 and a free port, on that data folder or database) and drives
//!    it from this process: realistic reports of township matters in
//!    Chinese, at a point inside a random grid (GCJ-02 from phones, WGS84
//!    from platforms, now and then BD-09), over every channel, some with an
//!    `Idempotency-Key` (and a few retries of one), some naming their
//!    power-list item (so duplicates are looked for), a few emergencies;
//!    * an **open loop** at a fixed offered rate (`--rate` for `--seconds`):
//!      each request is sent at its scheduled instant whatever happened to
//!      the ones before, and its latency counts from that instant (so a
//!      stalled server cannot hide its queue);
//!    * a **closed loop** of `--clients` clients, each sending its next
//!      report when the previous one is answered: the maximum throughput;
//! 3. does the same against the **baseline**, `yiwang bench baseline-server`
//!    (hidden): a minimal axum handler that inserts each request's JSON body
//!    as one row of a table in the same database, with the same durability
//!    settings, one insert (one commit) per request;
//! 4. checks what the intake stored: every report acknowledged as created is
//!    in the database, and the audit chain verifies.
//!
//! Everything runs on this machine: the load generator shares its cores
//! with the server, as a benchmark on a two-core machine has to.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use domain::access::{Permission, Role};
use geo::{Coord, MapCoords, MultiPolygon, Polygon};
use sqlx::Row;
use store::{Store, StoreConfig};
use yiwang_geo::index::{Entry, GridIndex};
use yiwang_geo::{Crs, LonLat};

pub struct Args {
    /// How many grids the county is cut into.
    pub grids: usize,
    /// Offered reports per second in the open loop.
    pub rate: f64,
    /// Seconds of each phase (open loop, closed loop).
    pub seconds: f64,
    /// Concurrent clients in the closed loop.
    pub clients: usize,
    /// postgres://… of a server where a database may be created.
    pub postgres: Option<String>,
    /// SQLite with `synchronous=FULL` (survives a power loss).
    pub full_sync: bool,
    pub seed: u64,
    /// Work in this folder and keep it (and the PostgreSQL database).
    pub keep: Option<PathBuf>,
}

// ---------------------------------------------------------------------------
// What people report

/// Township enforcement matters, as people put them: the power-list word to
/// find the item by, and phrasings.
const MATTERS: &[(&str, &[&str])] = &[
    (
        "占道经营",
        &[
            "有商户占道经营",
            "流动摊贩占道经营",
            "水果摊占用人行道经营",
            "早餐店出店经营，桌椅摆到路上",
            "小商贩在路口摆摊设点",
        ],
    ),
    (
        "乱堆乱放",
        &[
            "有人乱堆乱放建筑材料",
            "门前乱堆乱放杂物",
            "柴草沿路乱堆乱放",
            "废品收购点乱堆乱放",
        ],
    ),
    (
        "违法建设",
        &[
            "有人违章搭建彩钢棚",
            "村民私搭乱建简易房",
            "屋顶违章搭建阁楼",
            "未经审批违章搭建围墙",
        ],
    ),
    (
        "焚烧秸秆",
        &["有人露天焚烧秸秆", "田间焚烧秸秆，烟雾弥漫", "露天焚烧垃圾"],
    ),
    (
        "噪声",
        &[
            "夜间施工噪声扰民",
            "广场舞音响噪音扰民",
            "商户高音喇叭噪声扰民",
            "加工厂机器噪声扰民",
        ],
    ),
    (
        "户外广告",
        &[
            "违规设置户外广告牌",
            "广告牌破损有坠落危险",
            "电线杆上乱贴小广告",
        ],
    ),
    (
        "渣土",
        &[
            "渣土车沿路撒漏",
            "渣土运输车辆未覆盖，沿途撒漏",
            "工地出口道路遗撒严重",
        ],
    ),
    (
        "油烟",
        &["餐馆油烟扰民", "烧烤摊油烟直排", "饭店油烟净化器未开"],
    ),
    (
        "扬尘",
        &[
            "工地扬尘严重，未采取覆盖措施",
            "拆迁工地扬尘",
            "搅拌站扬尘污染",
        ],
    ),
    (
        "占用耕地",
        &[
            "有人违法占用耕地建房",
            "未经批准占用农田挖塘",
            "耕地上堆放砂石",
        ],
    ),
    (
        "排污",
        &["养殖场污水直排河道", "小作坊违法排污", "洗车店污水横流"],
    ),
    (
        "无照经营",
        &[
            "有人无照经营小作坊",
            "无证经营的黑网吧",
            "流动加油车无照经营",
        ],
    ),
];

const PLACES: &[&str] = &[
    "村口",
    "学校门口",
    "集贸市场",
    "镇政府附近",
    "主干道旁",
    "桥头",
    "卫生院门口",
    "商业街",
    "小区门口",
    "公交站旁",
    "村委会东侧",
    "加油站附近",
    "菜市场",
    "十字路口",
    "工业园区",
];
const TIMES: &[&str] = &[
    "",
    "今天早上",
    "昨天夜里",
    "傍晚",
    "近几天",
    "每天晚上",
    "中午",
];
const DETAILS: &[&str] = &[
    "影响行人通行",
    "造成交通拥堵",
    "多次劝阻无效",
    "群众反映强烈",
    "存在安全隐患",
    "影响周边居民休息",
    "已持续一周",
];
const TAILS: &[&str] = &[
    "",
    "请尽快处理。",
    "已拍照留存。",
    "希望相关部门处理。",
    "请派人查看。",
];
/// Now and then an emergency: flagged for the emergency platform at once.
const EMERGENCIES: &[&str] = &[
    "，现场已经起火冒烟",
    "，有墙体倒塌的危险",
    "，闻到燃气泄漏的气味",
];

/// xorshift64*: deterministic, no dependency.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ---------------------------------------------------------------------------
// The prepared county

/// A grid reports are placed in.
pub(crate) struct BenchGrid {
    bbox: (f64, f64, f64, f64),
    town: usize,
}

/// Who reports in a township.
struct TownCallers {
    grid_worker: String,
    camera: String,
}

/// What the load generator needs: the grids (to draw points inside them),
/// the callers' tokens, and the items of the matters.
pub(crate) struct Fixture {
    index: GridIndex,
    pub(crate) grids: Vec<BenchGrid>,
    towns: Vec<TownCallers>,
    citizen: String,
    hotline: String,
    department: String,
    items: Vec<Option<String>>,
}

/// One request of the load.
#[derive(Clone)]
pub(crate) struct Req {
    pub(crate) token: Arc<str>,
    pub(crate) body: Arc<str>,
    pub(crate) key: Option<Arc<str>>,
}

/// Generates reports: each generator has its own random stream and tag,
/// so idempotency keys never collide between generators.
pub(crate) struct Gen {
    fx: Arc<Fixture>,
    rng: Rng,
    tag: String,
    n: u64,
    /// Recent requests with a key, to retry one now and then.
    keyed: Vec<Req>,
}

impl Gen {
    pub(crate) fn new(fx: Arc<Fixture>, seed: u64, tag: String) -> Gen {
        Gen {
            fx,
            rng: Rng::new(seed),
            tag,
            n: 0,
            keyed: Vec::new(),
        }
    }

    /// A point inside grid `g` (WGS84), drawn uniformly from its box until
    /// the grid index places it in that grid.
    fn point_in(&mut self, g: usize) -> LonLat {
        let (x0, y0, x1, y1) = self.fx.grids[g].bbox;
        let mut p = LonLat::new((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        for _ in 0..64 {
            let q = LonLat::new(
                x0 + self.rng.unit() * (x1 - x0),
                y0 + self.rng.unit() * (y1 - y0),
            );
            if self.fx.index.locate(q) == Some(g as u32) {
                p = q;
                break;
            }
        }
        p
    }

    pub(crate) fn next(&mut self) -> Req {
        self.n += 1;
        // 2%: a client retries a keyed report it sent (a lost answer)
        if !self.keyed.is_empty() && self.rng.below(100) < 2 {
            let i = self.rng.below(self.keyed.len());
            return self.keyed[i].clone();
        }
        let fx = self.fx.clone();
        let g = self.rng.below(fx.grids.len());
        let town = &fx.towns[fx.grids[g].town];
        let w = self.point_in(g);
        let m = self.rng.below(MATTERS.len());
        let mut description = format!(
            "{}{}{}，{}，{}",
            self.rng.pick(TIMES),
            self.rng.pick(PLACES),
            self.rng.pick(MATTERS[m].1),
            self.rng.pick(DETAILS),
            self.rng.pick(TAILS)
        );
        if self.rng.below(100) == 0 {
            let e: &&str = self.rng.pick(EMERGENCIES);
            description.push_str(e);
        }
        // channel mix: grid workers 40%, cameras 15%, citizens 20%, hotline 15%, departments 10%
        let roll = self.rng.below(100);
        let n = self.n;
        let tag = &self.tag;
        let (channel, token, crs, key, item) = match roll {
            0..40 => {
                // the grid worker's phone: GCJ-02, an offline queue with keys,
                // and often the item the worker picked
                let key = (self.rng.below(2) == 0).then(|| format!("gw-{tag}-{n}"));
                let item = (self.rng.below(10) < 4)
                    .then(|| fx.items[m].clone())
                    .flatten();
                ("grid_worker", &town.grid_worker, Crs::Gcj02, key, item)
            }
            40..55 => (
                "camera",
                &town.camera,
                Crs::Wgs84,
                Some(format!("cam-{tag}-{n}")),
                None,
            ),
            55..75 => {
                let crs = if self.rng.below(10) == 0 {
                    Crs::Bd09
                } else {
                    Crs::Gcj02
                };
                ("citizen", &fx.citizen, crs, None, None)
            }
            75..90 => (
                "hotline",
                &fx.hotline,
                Crs::Wgs84,
                Some(format!("12345-{tag}-{n}")),
                None,
            ),
            _ => ("department", &fx.department, Crs::Wgs84, None, None),
        };
        let p = crs.from_wgs84(w);
        let mut body = serde_json::json!({
            "channel": channel,
            "description": description,
            "lon": p.lon,
            "lat": p.lat,
            "crs": crs.as_str(),
        });
        if let Some(item) = item {
            body["item_code"] = item.into();
        }
        if self.rng.below(10) < 3 {
            let ago = chrono::Duration::minutes(1 + self.rng.below(240) as i64);
            body["occurred_at"] = store::util::ts(chrono::Utc::now() - ago).into();
        }
        if self.rng.below(20) == 0 {
            body["urgency"] = "urgent".into();
        }
        let req = Req {
            token: token.as_str().into(),
            body: body.to_string().into(),
            key: key.map(Into::into),
        };
        if req.key.is_some() {
            if self.keyed.len() >= 64 {
                let i = self.rng.below(self.keyed.len());
                self.keyed.swap_remove(i);
            }
            self.keyed.push(req.clone());
        }
        req
    }
}

/// A grid cut from the lattice: its shape and the demo village grid it lies in.
struct Cut {
    shape: MultiPolygon<f64>,
    village: usize,
    /// It fills the hole of the cut just before it (same village): the two
    /// can be merged into one grid.
    fills_previous: bool,
}

/// Lay the locate benchmark's tiling over the county and keep the cells
/// whose middle lies in a village grid: exactly `n` grids, when the
/// county has room for them (some cells that fill another's hole are merged
/// back into it to hit the number).
fn cut_grids(villages: &[MultiPolygon<f64>], n: usize, seed: u64) -> Vec<Cut> {
    use yiwang_geo::bench::{LAT_RANGE, LON_RANGE};
    let index = GridIndex::build(
        villages
            .iter()
            .enumerate()
            .map(|(k, s)| Entry {
                key: k as u32,
                shape: s.clone(),
            })
            .collect(),
    );
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for b in villages.iter().filter_map(yiwang_geo::shape::bbox) {
        x0 = x0.min(b.0);
        y0 = y0.min(b.1);
        x1 = x1.max(b.2);
        y1 = y1.max(b.3);
    }
    let (rw, rh) = (LON_RANGE.1 - LON_RANGE.0, LAT_RANGE.1 - LAT_RANGE.0);
    // one scale for both axes keeps the cells' shape on the ground
    let s = ((x1 - x0) / rw).max((y1 - y0) / rh) * 1.0001;
    let county_m2: f64 = villages.iter().map(yiwang_geo::shape::area_m2).sum();
    let mid_lat = (y0 + y1) / 2.0;
    let region_m2 = rw * s * 111_320.0 * mid_lat.to_radians().cos() * rh * s * 110_574.0;
    let cut = |lattice: usize| -> Vec<Cut> {
        let cells = yiwang_geo::bench::synthetic_grids(lattice, seed);
        let mut out: Vec<Cut> = Vec::with_capacity(n + n / 20);
        let mut previous: Option<(bool, Option<usize>)> = None; // (holed, kept in village)
        for e in cells {
            let shape = e.shape.map_coords(|c| Coord {
                x: x0 + (c.x - LON_RANGE.0) * s,
                y: y0 + (c.y - LAT_RANGE.0) * s,
            });
            let holed = shape.0.iter().any(|p| !p.interiors().is_empty());
            let ring = &shape.0[0].exterior().0;
            let k = (ring.len() - 1).max(1) as f64;
            let mid = LonLat::new(
                ring[..ring.len() - 1].iter().map(|c| c.x).sum::<f64>() / k,
                ring[..ring.len() - 1].iter().map(|c| c.y).sum::<f64>() / k,
            );
            let village = index.locate(mid).map(|v| v as usize);
            let fills_previous = match (previous, village) {
                (Some((true, Some(pv))), Some(v)) => pv == v,
                _ => false,
            };
            previous = Some((holed, village));
            if let Some(village) = village {
                out.push(Cut {
                    shape,
                    village,
                    fills_previous,
                });
            }
        }
        out
    };
    let mut lattice = ((n as f64) * region_m2 / county_m2.max(1.0) * 1.02).ceil() as usize;
    let mut cuts = cut(lattice.max(1));
    for _ in 0..6 {
        if cuts.len() >= n && cuts.len() <= n + n / 25 + 1 {
            break;
        }
        lattice = ((lattice as f64) * n as f64 / cuts.len().max(1) as f64 * 1.01).ceil() as usize;
        cuts = cut(lattice.max(1));
    }
    // Merge hole fillers back into their cells (no gap is left), from the end.
    let mut excess = cuts.len().saturating_sub(n);
    let mut drop = vec![false; cuts.len()];
    let mut i = cuts.len();
    while excess > 0 && i > 1 {
        i -= 1;
        if cuts[i].fills_previous && !drop[i - 1] {
            let p = &cuts[i - 1].shape;
            cuts[i - 1].shape = MultiPolygon(
                p.0.iter()
                    .map(|q| Polygon::new(q.exterior().clone(), vec![]))
                    .collect(),
            );
            drop[i] = true;
            excess -= 1;
        }
    }
    let mut k = 0;
    cuts.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
    // Should that not suffice, the last cells go (the county keeps a few gaps).
    cuts.truncate(n);
    cuts
}

/// Seed the demo county, cut its grids, create the callers; return the
/// fixture for the load and the number of grids.
pub(crate) async fn prepare(cfg: &StoreConfig, a: &Args) -> Result<Fixture> {
    let store = Store::open(cfg).await?;
    let key = store::audit::load_or_create_key(&cfg.data_dir, None)?;
    demo::seed(&store, &key)
        .await
        .map_err(|e| anyhow::anyhow!("seeding the demo county: {e}"))?;
    let mut tx = store.begin_write().await?;
    let demo_grids = store::grids::all(&mut tx).await?;
    let mut villages = Vec::with_capacity(demo_grids.len());
    for g in &demo_grids {
        let v: serde_json::Value = serde_json::from_str(&g.geometry)?;
        villages.push(
            yiwang_geo::shape::parse_geometry(&v)
                .map_err(|e| anyhow::anyhow!("grid {}: {e:?}", g.code))?,
        );
    }
    let cuts = {
        let (villages, n, seed) = (villages.clone(), a.grids, a.seed);
        tokio::task::spawn_blocking(move || cut_grids(&villages, n, seed)).await?
    };

    // The townships, and who reports there.
    let mut town_of_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut towns = Vec::new();
    let mut county_id = None;
    let session_expiry = store::util::ts(chrono::Utc::now() + chrono::Duration::days(30));
    for g in &demo_grids {
        if town_of_code.contains_key(&g.township_code) {
            continue;
        }
        let t = store::org::jurisdiction_by_code(&mut tx, &g.township_code).await?;
        county_id = t.parent_id.clone();
        let (gw_token, gw_digest) = store::identity::new_token(server::auth::SESSION_PREFIX);
        let user = store::identity::create_user(
            &mut tx,
            &format!("bench-gw-{}", t.code),
            &format!("网格员（{}）", t.name),
            "!",
            None,
        )
        .await?;
        store::identity::add_role(&mut tx, &user.id, Role::GridWorker, &t.id).await?;
        store::identity::create_session(
            &mut tx,
            &user.id,
            &gw_digest,
            "bench",
            "127.0.0.1",
            &session_expiry,
        )
        .await?;
        let (cam_token, cam_digest) = store::identity::new_token(server::auth::INTEGRATION_PREFIX);
        store::identity::create_integration_token(
            &mut tx,
            &format!("{}雪亮工程", t.name),
            "camera",
            &cam_digest,
            &t.id,
            &[Permission::SubmitReport],
            None,
            None,
        )
        .await?;
        town_of_code.insert(g.township_code.clone(), towns.len());
        towns.push(TownCallers {
            grid_worker: gw_token,
            camera: cam_token,
        });
    }
    let county_id = county_id.context("the demo townships have no county")?;
    let mut county_token = async |name: &str, kind: &str| -> Result<String> {
        let (token, digest) = store::identity::new_token(server::auth::INTEGRATION_PREFIX);
        store::identity::create_integration_token(
            &mut tx,
            name,
            kind,
            &digest,
            &county_id,
            &[Permission::SubmitReport],
            None,
            None,
        )
        .await?;
        Ok(token)
    };
    let citizen = county_token("「随手拍」小程序", "other").await?;
    let hotline = county_token("12345 政务服务便民热线", "hotline").await?;
    let (department, digest) = store::identity::new_token(server::auth::SESSION_PREFIX);
    let liaison =
        store::identity::create_user(&mut tx, "bench-department", "县直部门联络员", "!", None)
            .await?;
    store::identity::add_role(&mut tx, &liaison.id, Role::DepartmentLiaison, &county_id).await?;
    store::identity::create_session(
        &mut tx,
        &liaison.id,
        &digest,
        "bench",
        "127.0.0.1",
        &session_expiry,
    )
    .await?;

    // The items the matters come under.
    let mut items = Vec::new();
    for (word, _) in MATTERS {
        let tokens = yiwang_search::query_tokens(word);
        let (found, _) =
            store::powerlist::search(&mut tx, store.backend(), &tokens, &Default::default(), 1, 0)
                .await?;
        items.push(found.into_iter().next().map(|s| s.code));
    }

    // The grids: each village grid takes its first cut; the others are new
    // grids of the village, with the village's squad, officer and grid worker.
    let mut holders = Vec::with_capacity(demo_grids.len());
    for g in &demo_grids {
        let rows = sqlx::query(
            "SELECT kind, unit_id, staff_id, valid_from FROM assignments
             WHERE grid_id = $1 AND valid_until IS NULL",
        )
        .bind(&g.id)
        .fetch_all(&mut *tx)
        .await?;
        let mut hs = Vec::new();
        for r in rows {
            hs.push((
                r.try_get::<String, _>("kind")?,
                r.try_get::<Option<String>, _>("unit_id")?,
                r.try_get::<Option<String>, _>("staff_id")?,
                r.try_get::<String, _>("valid_from")?,
            ));
        }
        holders.push(hs);
    }
    let mut seen = vec![0usize; demo_grids.len()];
    let mut new_grids: Vec<(String, String, String, usize, String, f64)> = Vec::new();
    let mut grids = Vec::with_capacity(cuts.len());
    let mut entries = Vec::with_capacity(cuts.len());
    for c in &cuts {
        let v = &demo_grids[c.village];
        let geometry = yiwang_geo::shape::to_geojson(&c.shape).to_string();
        let area = yiwang_geo::shape::area_m2(&c.shape).round();
        seen[c.village] += 1;
        let nth = seen[c.village];
        if nth == 1 {
            sqlx::query("UPDATE grids SET geometry = $1, area_m2 = $2 WHERE id = $3")
                .bind(&geometry)
                .bind(area)
                .bind(&v.id)
                .execute(&mut *tx)
                .await?;
        } else {
            let base = v.village_code.as_deref().unwrap_or(&v.township_code);
            let name = v.village_name.as_deref().unwrap_or(&v.township_name);
            new_grids.push((
                format!("{base}-{nth:04}"),
                format!("{name}第{nth}网格"),
                geometry,
                c.village,
                store::util::new_id(),
                area,
            ));
        }
        grids.push(BenchGrid {
            bbox: yiwang_geo::shape::bbox(&c.shape).unwrap_or((0.0, 0.0, 0.0, 0.0)),
            town: town_of_code[&v.township_code],
        });
        entries.push(Entry {
            key: entries.len() as u32,
            shape: c.shape.clone(),
        });
    }
    // in statements of many rows: 100,000 round trips would dominate on PostgreSQL
    let village_ids: Vec<Option<String>> = {
        let mut ids = Vec::with_capacity(demo_grids.len());
        for g in &demo_grids {
            let row = sqlx::query("SELECT township_id, village_id FROM grids WHERE id = $1")
                .bind(&g.id)
                .fetch_one(&mut *tx)
                .await?;
            ids.push(row.try_get::<Option<String>, _>("village_id")?);
        }
        ids
    };
    let created = store::util::now();
    for chunk in new_grids.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO grids (id, code, name, township_id, village_id, geometry, area_m2, created_at) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            let b = i * 8;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, (SELECT township_id FROM grids WHERE id = ${}), ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            ));
        }
        let mut q = sqlx::query(&sql);
        for (code, name, geometry, village, id, area) in chunk {
            q = q
                .bind(id)
                .bind(code)
                .bind(name)
                .bind(&demo_grids[*village].id)
                .bind(village_ids[*village].clone())
                .bind(geometry)
                .bind(*area)
                .bind(&created);
        }
        q.execute(&mut *tx).await?;
        let mut sql = String::from(
            "INSERT INTO assignments (id, kind, grid_id, unit_id, staff_id, valid_from, valid_until, created_at) VALUES ",
        );
        let mut rows = Vec::new();
        for (_, _, _, village, id, _) in chunk {
            for (kind, unit, staff, from) in &holders[*village] {
                rows.push((id, kind, unit, staff, from));
            }
        }
        if rows.is_empty() {
            continue;
        }
        for i in 0..rows.len() {
            let b = i * 7;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, NULL, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let mut q = sqlx::query(&sql);
        for (grid, kind, unit, staff, from) in rows {
            q = q
                .bind(store::util::new_id())
                .bind(kind)
                .bind(grid)
                .bind(unit.clone())
                .bind(staff.clone())
                .bind(from)
                .bind(&created);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    if store.backend() == store::Backend::Postgres {
        // What autovacuum does after a bulk load — of the tables loaded only:
        // statistics saying that the still empty report tables are empty
        // would have every lookup in them planned as a scan (among them the
        // foreign-key checks of each event and search entry), which stay
        // cached in the connections long after the tables have grown.
        sqlx::raw_sql("ANALYZE grids; ANALYZE assignments")
            .execute(store.pool())
            .await
            .map_err(store::StoreError::from)?;
    }
    store.close().await;
    let index = tokio::task::spawn_blocking(move || GridIndex::build(entries)).await?;
    Ok(Fixture {
        index,
        grids,
        towns,
        citizen,
        hotline,
        department,
        items,
    })
}

// ---------------------------------------------------------------------------
// The servers

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Intake,
    Baseline,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Intake => "intake",
            Kind::Baseline => "baseline",
        }
    }
}

/// Where a run's data lives and how the servers are started on it.
pub(crate) struct Target {
    pub(crate) label: &'static str,
    pub(crate) exe: PathBuf,
    pub(crate) dir: PathBuf,
    pub(crate) database_url: Option<String>,
    pub(crate) full_sync: bool,
}

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    pub(crate) log: PathBuf,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub(crate) fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

impl Target {
    /// Start the server as a child process and wait until it answers.
    pub(crate) async fn start(&self, kind: Kind, client: &reqwest::Client) -> Result<Server> {
        self.start_named(kind, client, kind.name(), &[]).await
    }

    /// [`Target::start`], logging to `{name}.log` in the folder and with
    /// these `YIWANG_*` settings (several servers on one folder).
    pub(crate) async fn start_named(
        &self,
        kind: Kind,
        client: &reqwest::Client,
        name: &str,
        settings: &[(&str, &str)],
    ) -> Result<Server> {
        let port = free_port()?;
        let log = self.dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log)?;
        let mut c = Command::new(&self.exe);
        match kind {
            Kind::Intake => c.arg("serve"),
            Kind::Baseline => c.args(["bench", "baseline-server"]),
        };
        c.arg("--data")
            .arg(&self.dir)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"));
        if let Some(url) = &self.database_url {
            c.arg("--database-url").arg(url);
        }
        for (k, _) in std::env::vars() {
            if k.starts_with("YIWANG_") {
                c.env_remove(k);
            }
        }
        // YIWANG_BENCH_LOG (a log filter) shows more of the servers' log,
        // e.g. `warn,server::group_commit=debug` for the writer's phases
        let level = std::env::var("YIWANG_BENCH_LOG").unwrap_or_else(|_| "warn".into());
        c.env("YIWANG_LOG_LEVEL", level);
        if self.full_sync {
            c.env("YIWANG_SQLITE_FULL_SYNC", "true");
        }
        for (k, v) in settings {
            c.env(k, v);
        }
        c.stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out);
        let mut child = c
            .spawn()
            .with_context(|| format!("starting {}", self.exe.display()))?;
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "the {} server stopped ({status}):\n{}",
                    kind.name(),
                    log_tail(&log)
                );
            }
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                && r.status().is_success()
            {
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                bail!(
                    "the {} server did not answer within 120 s:\n{}",
                    kind.name(),
                    log_tail(&log)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Server { child, base, log })
    }
}

impl Server {
    /// SIGTERM, then wait for it to finish its requests and stop.
    pub(crate) async fn stop(mut self) -> Result<()> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(40) {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    eprintln!("server exited with {status}:\n{}", log_tail(&self.log));
                }
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The load

/// What a phase measured.
#[derive(Default)]
struct Phase {
    sent: usize,
    /// 2xx answers (201 created, 200 a retry answered with its report).
    ok: usize,
    created: usize,
    errors: BTreeMap<String, usize>,
    first_error: Option<String>,
    latencies_ms: Vec<f64>,
    secs: f64,
}

impl Phase {
    fn record(&mut self, latency: Duration, outcome: Outcome) {
        self.sent += 1;
        self.latencies_ms.push(latency.as_secs_f64() * 1000.0);
        match outcome {
            Outcome::Status(s, _) if (200..300).contains(&s) => {
                self.ok += 1;
                self.created += usize::from(s == 201);
            }
            Outcome::Status(s, body) => {
                *self.errors.entry(s.to_string()).or_default() += 1;
                self.first_error.get_or_insert(format!("{s}: {body}"));
            }
            Outcome::Failed(e) => {
                *self.errors.entry("io".into()).or_default() += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }

    fn merge(&mut self, o: Phase) {
        self.sent += o.sent;
        self.ok += o.ok;
        self.created += o.created;
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        if self.first_error.is_none() {
            self.first_error = o.first_error;
        }
        self.latencies_ms.extend(o.latencies_ms);
    }

    fn rate(&self) -> f64 {
        self.ok as f64 / self.secs.max(1e-9)
    }

    fn percentile(&mut self, q: f64) -> f64 {
        if self.latencies_ms.is_empty() {
            return f64::NAN;
        }
        self.latencies_ms.sort_by(|a, b| a.total_cmp(b));
        let i = ((self.latencies_ms.len() as f64 * q).ceil() as usize)
            .clamp(1, self.latencies_ms.len());
        self.latencies_ms[i - 1]
    }

    fn error_count(&self) -> usize {
        self.errors.values().sum()
    }

    fn errors_text(&self) -> String {
        if self.errors.is_empty() {
            "errors 0".into()
        } else {
            let each: Vec<String> = self
                .errors
                .iter()
                .map(|(k, v)| format!("{v}×{k}"))
                .collect();
            format!("errors {} ({})", self.error_count(), each.join(", "))
        }
    }
}

pub(crate) enum Outcome {
    Status(u16, String),
    Failed(String),
}

pub(crate) async fn send(client: &reqwest::Client, url: &str, r: &Req) -> Outcome {
    let mut b = client
        .post(url)
        .bearer_auth(&*r.token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(r.body.to_string());
    if let Some(k) = &r.key {
        b = b.header("Idempotency-Key", &**k);
    }
    match b.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = resp.bytes().await;
            let text = if (200..300).contains(&status) {
                String::new()
            } else {
                body.map(|b| String::from_utf8_lossy(&b).chars().take(300).collect())
                    .unwrap_or_default()
            };
            Outcome::Status(status, text)
        }
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Send `rate` reports a second for `seconds`, each at its instant; the
/// latency counts from the instant it was due.
async fn open_loop(
    client: &reqwest::Client,
    url: &str,
    fx: &Arc<Fixture>,
    rate: f64,
    seconds: f64,
    seed: u64,
    tag: &str,
) -> Phase {
    let n = (rate * seconds).round().max(1.0) as usize;
    let mut generator = Gen::new(fx.clone(), seed, tag.to_string());
    let reqs: Vec<Req> = (0..n).map(|_| generator.next()).collect();
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut phase = Phase::default();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, r) in reqs.into_iter().enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let client = client.clone();
        let url = url.to_string();
        tasks.spawn(async move {
            let o = send(&client, &url, &r).await;
            (due.elapsed(), o)
        });
        while let Some(Ok((lat, o))) = tasks.try_join_next() {
            phase.record(lat, o);
        }
    }
    while let Some(done) = tasks.join_next().await {
        if let Ok((lat, o)) = done {
            phase.record(lat, o);
        }
    }
    phase.secs = start.elapsed().as_secs_f64();
    phase
}

/// `clients` clients, each sending its next report when the last one is
/// answered, for `seconds`.
async fn closed_loop(
    client: &reqwest::Client,
    url: &str,
    fx: &Arc<Fixture>,
    clients: usize,
    seconds: f64,
    seed: u64,
    tag: &str,
) -> Phase {
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients.max(1) {
        let client = client.clone();
        let url = url.to_string();
        let mut generator = Gen::new(
            fx.clone(),
            seed ^ (c as u64 + 1).wrapping_mul(0x5851_f42d_4c95_7f2d),
            format!("{tag}{c}"),
        );
        tasks.spawn(async move {
            let mut phase = Phase::default();
            while Instant::now() < until {
                let r = generator.next();
                let t = Instant::now();
                let o = send(&client, &url, &r).await;
                phase.record(t.elapsed(), o);
            }
            phase
        });
    }
    let mut phase = Phase::default();
    while let Some(done) = tasks.join_next().await {
        if let Ok(p) = done {
            phase.merge(p);
        }
    }
    phase.secs = start.elapsed().as_secs_f64();
    phase
}

/// Both phases against one server.
struct Measured {
    open: Phase,
    max: Phase,
    /// Reports acknowledged as created, warm-up included.
    created: usize,
}

async fn measure(a: &Args, t: &Target, kind: Kind, fx: &Arc<Fixture>) -> Result<Measured> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.clients.max(64) * 2)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()?;
    let server = t.start(kind, &client).await?;
    let url = format!("{}/api/v1/reports", server.base);
    let tag = format!("{}{}", &kind.name()[..1], std::process::id());
    let result = async {
        // warm-up: connections, caches, the database's pages
        let warm = closed_loop(&client, &url, fx, 8, 1.0, a.seed ^ 1, &format!("{tag}w")).await;
        let open = open_loop(
            &client,
            &url,
            fx,
            a.rate,
            a.seconds,
            a.seed ^ 2,
            &format!("{tag}o"),
        )
        .await;
        let max = closed_loop(
            &client,
            &url,
            fx,
            a.clients,
            a.seconds,
            a.seed ^ 3,
            &format!("{tag}c"),
        )
        .await;
        let created = warm.created + open.created + max.created;
        anyhow::Ok(Measured { open, max, created })
    }
    .await;
    drop(client);
    server.stop().await?;
    result
}

// ---------------------------------------------------------------------------
// The run

pub async fn run(a: Args) -> Result<()> {
    sqlx::any::install_default_drivers();
    anyhow::ensure!(a.grids > 0, "--grids must be at least 1");
    anyhow::ensure!(
        a.rate > 0.0 && a.seconds > 0.0,
        "--rate and --seconds must be positive"
    );
    let exe = std::env::current_exe().context("finding the yiwang binary")?;
    let root = match &a.keep {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("yiwang-bench-intake-{}", std::process::id())),
    };
    println!(
        "intake benchmark: {} grids, open loop {}/s for {} s, closed loop {} clients for {} s{}",
        a.grids,
        a.rate,
        a.seconds,
        a.clients,
        a.seconds,
        if a.full_sync {
            " (SQLite synchronous=FULL)"
        } else {
            ""
        }
    );
    let result = async {
        let mut lines = Vec::new();
        let sqlite = Target {
            label: "sqlite",
            exe: exe.clone(),
            dir: root.join("sqlite"),
            database_url: None,
            full_sync: a.full_sync,
        };
        lines.extend(bench_database(&a, &sqlite).await?);
        if let Some(admin) = &a.postgres {
            let db = crate::scratch_db::ScratchDb::create(admin, "yiwang_bench_intake").await?;
            let pg = Target {
                label: "postgres",
                exe: exe.clone(),
                dir: root.join("postgres"),
                database_url: Some(db.url.clone()),
                full_sync: false,
            };
            let r = bench_database(&a, &pg).await;
            if a.keep.is_some() {
                println!("postgres: kept the database {}", store::redact_url(&db.url));
            } else {
                db.drop().await;
            }
            lines.extend(r?);
        }
        println!();
        for l in &lines {
            println!("{l}");
        }
        anyhow::Ok(())
    }
    .await;
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
    result
}

fn phase_text(p: &mut Phase, offered: f64) -> String {
    format!(
        "offered {offered:.0}/s achieved {:.0}/s p50 {:.1} ms p99 {:.1} ms {}",
        p.rate(),
        p.percentile(0.50),
        p.percentile(0.99),
        p.errors_text()
    )
}

fn max_text(p: &mut Phase, clients: usize, what: &str) -> String {
    format!(
        "max {:.0} {what}/s ({clients} clients: p50 {:.1} ms p99 {:.1} ms {})",
        p.rate(),
        p.percentile(0.50),
        p.percentile(0.99),
        p.errors_text()
    )
}

async fn bench_database(a: &Args, t: &Target) -> Result<Vec<String>> {
    let label = t.label;
    std::fs::create_dir_all(&t.dir)?;
    let cfg = StoreConfig {
        database_url: t.database_url.clone(),
        sqlite_full_sync: t.full_sync,
        ..StoreConfig::sqlite_in(&t.dir)
    };
    let started = Instant::now();
    let fx = Arc::new(prepare(&cfg, a).await?);
    println!(
        "{label}: prepared the demo county with {} grids, {} townships and callers for every channel in {:.1} s",
        fx.grids.len(),
        fx.towns.len(),
        started.elapsed().as_secs_f64()
    );
    let reports_before = count(&cfg, "reports").await?;

    let mut base = measure(a, t, Kind::Baseline, &fx).await?;
    let b_open = phase_text(&mut base.open, a.rate);
    let b_max = max_text(&mut base.max, a.clients, "inserts");
    println!("{label} baseline: {b_open}; {b_max}");
    let mut intake = measure(a, t, Kind::Intake, &fx).await?;
    let i_open = phase_text(&mut intake.open, a.rate);
    let i_max = max_text(&mut intake.max, a.clients, "reports");
    println!("{label} intake: {i_open}; {i_max}");
    for (what, p) in [
        ("baseline", &base.open),
        ("baseline", &base.max),
        ("intake", &intake.open),
        ("intake", &intake.max),
    ] {
        if let Some(e) = &p.first_error {
            println!("{label} {what}: first error: {e}");
        }
    }

    // What the intake stored: every report it acknowledged, and a valid chain.
    let store = Store::connect(&cfg).await?;
    let key = store::audit::load_or_create_key(&t.dir, None)?;
    let mut conn = store.acquire().await?;
    let chain = store::audit::verify(&mut conn, &key).await?;
    drop(conn);
    store.close().await;
    let stored = count(&cfg, "reports").await? - reports_before;
    let chain = match chain {
        Ok(n) => format!("audit chain intact ({n} entries)"),
        Err(b) => format!("AUDIT CHAIN BROKEN: {b}"),
    };
    let check = format!(
        "{label} stored: {stored} reports for {} acknowledged as created; {chain}",
        intake.created
    );
    println!("{check}");

    let ratio = intake.max.rate() / base.max.rate().max(1e-9);
    let p99 = intake.open.percentile(0.99);
    let met = ratio >= 0.5
        && p99 < 50.0
        && intake.open.error_count() == 0
        && intake.open.rate() >= 0.95 * a.rate;
    let verdict = format!(
        "{label} ratio: {:.0}% (intake max / baseline max); at {:.0}/s intake p99 {p99:.1} ms; target ≥ 50% and p99 < 50 ms: {}",
        ratio * 100.0,
        a.rate,
        if met { "met" } else { "NOT met" }
    );
    println!("{verdict}");
    Ok(vec![
        format!("{label} intake: {i_open}; {i_max}"),
        format!("{label} baseline: {b_open}; {b_max}"),
        verdict,
        check,
    ])
}

async fn count(cfg: &StoreConfig, table: &str) -> Result<i64> {
    let store = Store::connect(cfg).await?;
    let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(store.pool())
        .await
        .map_err(store::StoreError::from)?
        .try_get("n")?;
    store.close().await;
    Ok(n)
}

// ---------------------------------------------------------------------------
// The baseline server

/// `yiwang bench baseline-server`: the least a durable intake can do. Each
/// `POST /api/v1/reports` inserts its body as one row (its own commit) into
/// `bench_baseline` in the configured database, with the configured
/// durability, and answers 201 after the commit.
pub async fn baseline_server(settings: server::Settings) -> Result<()> {
    use axum::Router;
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::{get, post};

    async fn insert(
        State(store): State<Store>,
        body: String,
    ) -> Result<(StatusCode, axum::Json<serde_json::Value>), (StatusCode, String)> {
        let id = store::util::new_id();
        sqlx::query("INSERT INTO bench_baseline (id, payload, received_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(&body)
            .bind(store::util::now())
            .execute(store.pool())
            .await
            .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        Ok((
            StatusCode::CREATED,
            axum::Json(serde_json::json!({ "id": id })),
        ))
    }

    let store = Store::connect(&settings.store_config()).await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS bench_baseline (
            id TEXT PRIMARY KEY, payload TEXT NOT NULL, received_at TEXT NOT NULL)",
    )
    .execute(store.pool())
    .await
    .map_err(store::StoreError::from)?;
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/reports", post(insert))
        .with_state(store.clone());
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            #[cfg(unix)]
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                tokio::select! {
                    _ = s.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
                return;
            }
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    store.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, d: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            vec![
                (x0, y0),
                (x0 + d, y0),
                (x0 + d, y0 + d),
                (x0, y0 + d),
                (x0, y0),
            ]
            .into(),
            vec![],
        )])
    }

    #[test]
    fn cuts_the_county_into_exactly_n_grids_inside_its_villages() {
        // two villages side by side, about 1 km × 1 km each
        let villages = vec![square(115.30, 34.40, 0.01), square(115.31, 34.40, 0.01)];
        for n in [1, 7, 200, 1000] {
            let cuts = cut_grids(&villages, n, 42);
            assert_eq!(cuts.len(), n, "n = {n}");
            assert!(cuts.iter().all(|c| c.village < 2));
        }
        let cuts = cut_grids(&villages, 1000, 42);
        let total: f64 = cuts
            .iter()
            .map(|c| yiwang_geo::shape::area_m2(&c.shape))
            .sum();
        let county: f64 = villages.iter().map(yiwang_geo::shape::area_m2).sum();
        // the cells straddling the county's edge make up the difference
        assert!((total / county - 1.0).abs() < 0.1, "{total} vs {county}");
    }

    #[test]
    fn the_generator_mixes_channels_and_places_points_in_their_grid() {
        let cells: Vec<Entry> = (0..4)
            .map(|k| Entry {
                key: k,
                shape: square(115.3 + k as f64 * 0.01, 34.4, 0.01),
            })
            .collect();
        let grids = cells
            .iter()
            .map(|e| BenchGrid {
                bbox: yiwang_geo::shape::bbox(&e.shape).unwrap(),
                town: 0,
            })
            .collect();
        let fx = Arc::new(Fixture {
            index: GridIndex::build(cells),
            grids,
            towns: vec![TownCallers {
                grid_worker: "gw".into(),
                camera: "cam".into(),
            }],
            citizen: "cit".into(),
            hotline: "hot".into(),
            department: "dep".into(),
            items: MATTERS.iter().map(|_| Some("X".into())).collect(),
        });
        let mut g = Gen::new(fx, 7, "t".into());
        let mut channels = BTreeMap::new();
        let mut keys = std::collections::HashSet::new();
        let mut retries = 0;
        for _ in 0..2000 {
            let r = g.next();
            let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            *channels
                .entry(v["channel"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
            let crs = Crs::parse(v["crs"].as_str().unwrap()).unwrap();
            let w = crs.to_wgs84(LonLat::new(
                v["lon"].as_f64().unwrap(),
                v["lat"].as_f64().unwrap(),
            ));
            assert!(
                (115.3..115.34).contains(&w.lon) && (34.4..34.41).contains(&w.lat),
                "{w:?}"
            );
            if let Some(k) = &r.key
                && !keys.insert(k.to_string())
            {
                retries += 1;
            }
        }
        assert_eq!(channels.len(), 5, "{channels:?}");
        assert!(retries > 0 && retries < 100, "{retries}");
    }
}
