//! `yiwang bench report-search`: seed the demo county and a large number of
//! realistic reports into a fresh database (SQLite in a temporary folder;
//! with `--postgres`, a new database on that server as well), then time
//! Chinese full-text searches of two- and four-character words through the
//! store function the API's `GET /api/v1/reports?q=` uses, with the scope of
//! a county supervisor or a township officer, some with a filter.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use domain::access::{Grant, Permission, Principal, Role, Scope};
use domain::report::{Channel, Status};
use store::reports::search::SearchQuery;
use store::reports::{self, Filter, NewReport};
use store::{Store, StoreConfig};

pub struct Args {
    pub reports: usize,
    pub searches: usize,
    pub postgres: Option<String>,
    pub seed: u64,
}

/// Township enforcement matters as they are reported: the power-list words
/// to classify them by, and ways people put them.
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
        &[
            "有人露天焚烧秸秆",
            "露天焚烧垃圾，浓烟很大",
            "田间焚烧秸秆，烟雾弥漫",
        ],
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
            "楼顶违规广告牌未经审批",
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
        "垃圾",
        &[
            "生活垃圾堆积未清运",
            "河道有大量漂浮垃圾",
            "建筑垃圾乱倒",
            "垃圾桶满溢无人清理",
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
        "停放",
        &[
            "车辆乱停乱放堵塞消防通道",
            "私设地锁占用公共车位",
            "共享单车乱停放",
        ],
    ),
    (
        "排污",
        &["养殖场污水直排河道", "小作坊违法排污", "洗车店污水横流"],
    ),
    (
        "市政设施",
        &["路面井盖缺失，存在安全隐患", "路灯损坏不亮", "道路塌陷积水"],
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
    "周末",
];
const DETAILS: &[&str] = &[
    "影响行人通行",
    "造成交通拥堵",
    "多次劝阻无效",
    "群众反映强烈",
    "存在安全隐患",
    "影响周边居民休息",
    "环境脏乱差",
    "已持续一周",
];
const TAILS: &[&str] = &[
    "",
    "请尽快处理。",
    "已拍照留存。",
    "希望相关部门处理。",
    "请派人查看。",
];

/// The words searched for: two and four characters.
const WORDS_2: &[&str] = &[
    "占道", "焚烧", "噪声", "渣土", "广告", "垃圾", "扬尘", "油烟", "摊贩", "地锁", "井盖", "排污",
];
const WORDS_4: &[&str] = &[
    "占道经营",
    "乱堆乱放",
    "违章搭建",
    "露天焚烧",
    "噪声扰民",
    "渣土撒漏",
    "私搭乱建",
    "油烟扰民",
    "占用耕地",
    "消防通道",
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

pub async fn run(a: Args) -> Result<()> {
    println!(
        "report search: {} reports, {} searches (seed {})",
        a.reports, a.searches, a.seed
    );
    let dir = std::env::temp_dir().join(format!("yiwang-bench-reports-{}", std::process::id()));
    let result = async {
        let cfg = StoreConfig::sqlite_in(&dir);
        bench(&a, &cfg, "sqlite").await?;
        if let Some(admin) = &a.postgres {
            let db = crate::scratch_db::ScratchDb::create(admin, "yiwang_bench").await?;
            let cfg = StoreConfig {
                database_url: Some(db.url.clone()),
                ..StoreConfig::sqlite_in(&dir)
            };
            let r = bench(&a, &cfg, "postgres").await;
            db.drop().await;
            r?;
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

struct GridRef {
    grid_id: String,
    township_id: String,
    township_path: String,
}

async fn bench(a: &Args, cfg: &StoreConfig, label: &str) -> Result<()> {
    sqlx::any::install_default_drivers();
    let store = Store::open(cfg).await?;
    demo::seed(&store, b"bench").await?;
    let mut conn = store.acquire().await?;
    // the demo county's grids, and an item of the power list per matter
    let mut townships: HashMap<String, (String, String)> = HashMap::new();
    let mut grids = Vec::new();
    for g in store::grids::all(&mut conn).await? {
        if !townships.contains_key(&g.township_code) {
            let j = store::org::jurisdiction_by_code(&mut conn, &g.township_code).await?;
            townships.insert(g.township_code.clone(), (j.id, j.path));
        }
        let (tid, tpath) = &townships[&g.township_code];
        grids.push(GridRef {
            grid_id: g.id,
            township_id: tid.clone(),
            township_path: tpath.clone(),
        });
    }
    anyhow::ensure!(!grids.is_empty(), "the demo county has no grids");
    let mut items: Vec<Option<String>> = Vec::new();
    for (word, _) in MATTERS {
        let tokens = yiwang_search::query_tokens(word);
        let (found, _) = store::powerlist::search(
            &mut conn,
            store.backend(),
            &tokens,
            &Default::default(),
            1,
            0,
        )
        .await?;
        items.push(found.into_iter().next().map(|s| s.code));
    }
    drop(conn);

    // seeding, through the intake's store function, in large transactions
    let mut rng = Rng(a.seed.max(1));
    let started = Instant::now();
    let bar = indicatif::ProgressBar::new(a.reports as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("{label}: seeding"));
    let statuses = Status::ALL.map(Status::as_str);
    let channels = Channel::ALL.map(Channel::as_str);
    let start_day = chrono::Utc::now() - chrono::Duration::days(730);
    let mut done = 0;
    while done < a.reports {
        let batch = (a.reports - done).min(10_000);
        let mut tx = store.begin_write().await?;
        for i in 0..batch {
            let m = rng.below(MATTERS.len());
            let description = format!(
                "{}{}{}，{}，{}",
                rng.pick(TIMES),
                rng.pick(PLACES),
                rng.pick(MATTERS[m].1),
                rng.pick(DETAILS),
                rng.pick(TAILS)
            );
            let g = rng.pick(&grids);
            // reports arrive in time order over two years
            let at = start_day
                + chrono::Duration::seconds(
                    ((done + i) as i64) * 730 * 86_400 / a.reports.max(1) as i64,
                );
            let occurred = store::util::ts(at);
            let item = items[m].as_deref().filter(|_| rng.below(10) < 6);
            let channel = channels[[0, 0, 0, 1, 2, 2, 3, 3, 4, 5][rng.below(10)]];
            let status = statuses[rng.below(statuses.len())];
            let urgency = [
                "normal",
                "normal",
                "normal",
                "normal",
                "urgent",
                "emergency",
            ][rng.below(6)];
            reports::insert(
                &mut tx,
                &NewReport {
                    channel,
                    description: &description,
                    lon: 115.3,
                    lat: 34.4,
                    crs_in: "wgs84",
                    lon_in: 115.3,
                    lat_in: 34.4,
                    township_id: &g.township_id,
                    grid_id: &g.grid_id,
                    snapped_m: None,
                    squad_id: None,
                    officer_id: None,
                    grid_worker_id: None,
                    item_code: item,
                    suggestions: "[]",
                    urgency,
                    emergency: "[]",
                    status,
                    duplicate_of: None,
                    occurred_at: &occurred,
                    reporter: "bench",
                    idempotency_key: None,
                    deadline_at: None,
                },
            )
            .await?;
        }
        tx.commit().await.map_err(store::StoreError::from)?;
        done += batch;
        bar.set_position(done as u64);
    }
    bar.finish_and_clear();
    let seeding = started.elapsed();
    println!(
        "{label}: seeded {} reports in {:.1} s ({:.0} reports/s)",
        a.reports,
        seeding.as_secs_f64(),
        a.reports as f64 / seeding.as_secs_f64().max(1e-9)
    );
    if store.backend() == store::Backend::Postgres {
        // what autovacuum does after a bulk load
        sqlx::raw_sql("ANALYZE")
            .execute(store.pool())
            .await
            .map_err(store::StoreError::from)?;
    }

    // the scopes searched with: the county, and an officer of each township
    let county_path = grids[0]
        .township_path
        .trim_end_matches('/')
        .rsplit_once('/')
        .map(|(p, _)| format!("{p}/"))
        .unwrap_or_else(|| "/".into());
    let scope_of = |path: &str, role: Role| -> Result<Scope> {
        Principal {
            user_id: Some("bench".into()),
            name: "bench".into(),
            grants: vec![Grant {
                role,
                jurisdiction_path: path.into(),
            }],
            token_permissions: None,
        }
        .scope(Permission::ViewReports)
        .map_err(|e| anyhow::anyhow!(e.en))
    };
    let mut scopes = vec![scope_of(&county_path, Role::CountySupervisor)?];
    let mut paths: Vec<&String> = townships.values().map(|(_, p)| p).collect();
    paths.sort();
    for p in paths {
        scopes.push(scope_of(p, Role::Officer)?);
    }

    let mut conn = store.acquire().await?;
    let mut times: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut hits = 0u64;
    for i in 0..a.searches {
        let (kind, word) = if i % 2 == 0 {
            ("2 characters", *rng.pick(WORDS_2))
        } else {
            ("4 characters", *rng.pick(WORDS_4))
        };
        let scope = if i % 4 < 2 {
            &scopes[0]
        } else {
            rng.pick(&scopes[1..])
        };
        let channel = (i % 5 == 4).then(|| *rng.pick(&channels));
        let t = Instant::now();
        let q = SearchQuery::parse(word).context("query")?;
        let f = Filter {
            q: Some(&q),
            channel,
            ..Default::default()
        };
        let (rows, total) = reports::list(&mut conn, scope, &f, 20, 0).await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        std::hint::black_box(rows);
        hits += total;
        times.entry(kind).or_default().push(ms);
        let who = if std::ptr::eq(scope, &scopes[0]) {
            "county scope"
        } else {
            "township scope"
        };
        times.entry(who).or_default().push(ms);
        times.entry("all").or_default().push(ms);
    }
    println!(
        "{label}: {} searches (first page of 20, segmentation included), {:.0} matches ranked on average",
        a.searches,
        hits as f64 / a.searches.max(1) as f64
    );
    for kind in [
        "2 characters",
        "4 characters",
        "county scope",
        "township scope",
        "all",
    ] {
        if let Some(t) = times.get_mut(kind) {
            t.sort_by(|a, b| a.total_cmp(b));
            let p = |q: f64| t[((t.len() as f64 * q) as usize).min(t.len() - 1)];
            println!(
                "{label}: {kind:<15} p50 {:>7.3} ms  p95 {:>7.3} ms  p99 {:>7.3} ms  ({} searches)",
                p(0.50),
                p(0.95),
                p(0.99),
                t.len()
            );
        }
    }
    drop(conn);
    store.close().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}
