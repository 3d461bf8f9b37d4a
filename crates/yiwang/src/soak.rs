//! `yiwang bench soak`: `yiwang serve` under a steady, realistic load for a
//! long time (an hour by default; not part of the test suite), watched for
//! memory growth and slowing answers.
//!
//! The demo county is prepared as for `yiwang bench intake` (2000 grids,
//! callers for every channel) in a temporary data folder on SQLite, or with
//! `--postgres` in a new database on that server, with two county
//! sessions: a brigade leader (dispatches, handles) and a county supervisor
//! (verifies, evaluates). The server runs as a child process; from this
//! process, for `--minutes`:
//!
//! * **reports** at `--rate` a second (20 by default), an open loop: each
//!   sent at its instant whatever became of the ones before, over every
//!   channel as `yiwang bench intake` mixes them;
//! * **queue reads** twice a second: the queue's first page, the received
//!   ones, the overdue ones, a word search, one report;
//! * **the closed loop** every 3 s for one of the new reports: dispatch,
//!   accept, start, report back, verify (by the supervisor), close,
//!   evaluate (by the supervisor).
//!
//! Every minute one line: the requests of that minute, errors, p50 and p99
//! latency of each kind, the server's resident memory (VmRSS from
//! `/proc/PID/status`) and, from its `/metrics`, what SQLite holds
//! (SQLite's own count: its page caches, bounded by `cache_size`, fill as
//! the database grows) and the C heap in use.
//!
//! Memory counts as **flat** when the server's own memory is level: its
//! anonymous pages (`RssAnon`: heap and stacks; not the file-backed pages
//! of the executable, which the kernel maps in and drops as it likes)
//! less SQLite's count. It is level when its median over the last ten
//! minutes is at most 1.2 × its median over ten minutes from the start of
//! minute 5 (after the pools and allocator arenas have filled). Medians, not single samples:
//! the allocator's trim once a minute makes a sawtooth. In runs under 30
//! minutes the windows are a third of the minutes after the baseline
//! minute (the start of minute ⌈M/2⌉ but at least 2 under 10 minutes); a
//! one-minute run is not judged. SQLite's share is printed beside it.
//! The last line is `soak minutes M, reports N, errors E, rss start X MiB
//! end Y MiB` (X at the start of the load); the exit status is non-zero
//! when there were errors or memory was not flat.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use domain::access::Role;
use store::StoreConfig;
use tokio::time::Instant;

use crate::bench_intake::{Fixture, Gen, Kind, Target, prepare};
use crate::scale_test::county_session;

pub struct Args {
    pub minutes: u64,
    /// Reports a second.
    pub rate: f64,
    /// postgres://… of a server where a database may be created: soak there
    /// instead of SQLite.
    pub postgres: Option<String>,
    pub seed: u64,
}

const GRIDS: usize = 2000;
/// Reports kept for the closed loop to take.
const POOL: usize = 500;

/// One minute's requests.
#[derive(Default)]
struct Minute {
    reports: usize,
    reads: usize,
    steps: usize,
    errors: usize,
    first_error: Option<String>,
    intake_ms: Vec<f64>,
    read_ms: Vec<f64>,
    step_ms: Vec<f64>,
}

impl Minute {
    fn error(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }
}

type Shared = Arc<Mutex<Minute>>;

fn lock(m: &Shared) -> std::sync::MutexGuard<'_, Minute> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn percentile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len());
    v[i - 1]
}

/// A figure of `/proc/PID/status` (`VmRSS:`, `RssAnon:`, …), in MiB.
fn status_mib(status: &str, key: &str) -> Option<f64> {
    yiwang_malloc::status_kib(status, key).map(|kb| kb as f64 / 1024.0)
}

/// The minute whose start is the flatness baseline; none in a run of one
/// minute (no warm-up to leave out).
fn baseline_minute(minutes: u64) -> Option<u64> {
    match minutes {
        0 | 1 => None,
        2..10 => Some(minutes.div_ceil(2).max(2)),
        _ => Some(5),
    }
}

/// Ten-minute windows in a long run, a third of the judged minutes in a
/// short one.
fn window(minutes: u64, baseline: u64) -> usize {
    if minutes >= 30 {
        10
    } else {
        ((minutes + 1 - baseline) / 3).max(1) as usize
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    percentile(&mut v, 0.5)
}

/// The flatness verdict over samples taken at the start of the load and
/// at the end of every minute (`samples[m]` = the start of minute m + 1).
#[derive(Debug, PartialEq)]
struct Verdict {
    /// The first and last minute of the baseline window (starts of minutes).
    from: u64,
    to: u64,
    base: f64,
    end: f64,
    window: usize,
    flat: bool,
}

fn judge(samples: &[f64], minutes: u64) -> Option<Verdict> {
    let b = baseline_minute(minutes)?;
    let w = window(minutes, b);
    let first = (b - 1) as usize;
    let base = median(samples.get(first..first + w)?);
    let end = median(samples.get(samples.len().checked_sub(w)?..)?);
    Some(Verdict {
        from: b,
        to: b + w as u64 - 1,
        base,
        end,
        window: w,
        flat: end <= base * 1.2,
    })
}

/// One memory sample, in MiB.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    rss: f64,
    /// Of `rss`, the process's own (anonymous) pages: its heap and stacks.
    /// The rest is file-backed, mostly the pages of the executable's code
    /// the kernel has mapped in, which it may drop and map again at will.
    anon: f64,
    /// SQLite's own count (0 on PostgreSQL).
    sqlite: f64,
    heap_in_use: f64,
}

/// `yiwang_memory_bytes{part="…"}` from the server's `/metrics`, in MiB.
fn metric_mib(text: &str, part: &str) -> Option<f64> {
    let key = format!("yiwang_memory_bytes{{part=\"{part}\"}} ");
    let line = text.lines().find(|l| l.starts_with(&key))?;
    let bytes: f64 = line[key.len()..].trim().parse().ok()?;
    Some(bytes / (1024.0 * 1024.0))
}

async fn sample(client: &reqwest::Client, base: &str, pid: u32) -> Result<Memory> {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).context("the server is gone")?;
    let rss = status_mib(&status, "VmRSS:").context("no VmRSS")?;
    let anon = status_mib(&status, "RssAnon:").context("no RssAnon")?;
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .context("reading the server's /metrics")?
        .text()
        .await?;
    let sqlite = metric_mib(&text, "sqlite").context("no SQLite memory in /metrics")?;
    let heap_in_use = metric_mib(&text, "heap_in_use").context("no heap in /metrics")?;
    Ok(Memory {
        rss,
        anon,
        sqlite,
        heap_in_use,
    })
}

/// What the soak measured.
struct Soaked {
    minutes: u64,
    reports: usize,
    errors: usize,
    /// Memory at the start of the load, then at the end of every minute.
    memory: Vec<Memory>,
}

pub async fn run(a: Args) -> Result<()> {
    sqlx::any::install_default_drivers();
    anyhow::ensure!(a.minutes > 0, "--minutes must be at least 1");
    anyhow::ensure!(a.rate > 0.0, "--rate must be positive");
    anyhow::ensure!(
        std::path::Path::new("/proc/self/status").exists(),
        "the soak reads the server's memory from /proc (Linux)"
    );
    let exe = std::env::current_exe().context("finding the yiwang binary")?;
    let root = std::env::temp_dir().join(format!("yiwang-soak-{}", std::process::id()));
    let mut target = Target {
        label: "sqlite",
        exe,
        dir: root.join("data"),
        database_url: None,
        full_sync: false,
    };
    let mut db = None;
    if let Some(url) = &a.postgres {
        let d = crate::scratch_db::ScratchDb::create(url, "yiwang_soak").await?;
        target.label = "postgres";
        target.database_url = Some(d.url.clone());
        db = Some(d);
    }
    println!(
        "soak: yiwang serve on {} for {} minute{}: {} reports/s over every channel, queue reads 2/s, a closed loop every 3 s",
        target.label,
        a.minutes,
        if a.minutes == 1 { "" } else { "s" },
        a.rate
    );
    let result = soak(&a, &target).await;
    if let Some(d) = db {
        d.drop().await;
    }
    let _ = std::fs::remove_dir_all(&root);
    let s = result?;
    let rss: Vec<f64> = s.memory.iter().map(|m| m.rss).collect();
    let rest: Vec<f64> = s.memory.iter().map(|m| m.anon - m.sqlite).collect();
    let start = rss[0];
    let end = *rss.last().unwrap_or(&start);
    let flat = match judge(&rest, s.minutes) {
        Some(v) => {
            let sqlite_at = |i: usize| s.memory[i].sqlite;
            let rss_v = judge(&rss, s.minutes);
            println!(
                "memory flat: {} (anonymous memory less SQLite's count: median of the last {} minute{} {:.1} MiB {} 1.2 × {:.1} MiB, the median from the start of minute {} to {}; SQLite {:.1} → {:.1} MiB; resident {})",
                if v.flat { "yes" } else { "NO" },
                v.window,
                if v.window == 1 { "" } else { "s" },
                v.end,
                if v.flat { "≤" } else { ">" },
                v.base,
                v.from,
                v.to,
                sqlite_at((v.from - 1) as usize),
                sqlite_at(s.memory.len() - 1),
                rss_v
                    .map(|r| format!("{:.1} → {:.1} MiB by the same medians", r.base, r.end))
                    .unwrap_or_default()
            );
            v.flat
        }
        None => {
            println!("memory flat: not judged (a run of one minute has no warm-up to leave out)");
            true
        }
    };
    println!(
        "soak minutes {}, reports {}, errors {}, rss start {start:.1} MiB end {end:.1} MiB",
        s.minutes, s.reports, s.errors
    );
    anyhow::ensure!(s.errors == 0, "{} requests failed", s.errors);
    anyhow::ensure!(flat, "the server's memory grew");
    Ok(())
}

async fn soak(a: &Args, t: &Target) -> Result<Soaked> {
    std::fs::create_dir_all(&t.dir)?;
    let cfg = StoreConfig {
        database_url: t.database_url.clone(),
        ..StoreConfig::sqlite_in(&t.dir)
    };
    let started = std::time::Instant::now();
    let fx = Arc::new(
        prepare(
            &cfg,
            &crate::bench_intake::Args {
                grids: GRIDS,
                rate: a.rate,
                seconds: 1.0,
                clients: 1,
                postgres: None,
                full_sync: false,
                seed: a.seed,
                keep: None,
            },
        )
        .await?,
    );
    let leader = county_session(
        &cfg,
        "soak-leader",
        "县大队长（长稳测试）",
        Role::BrigadeLeader,
    )
    .await?;
    let checker = county_session(
        &cfg,
        "soak-supervisor",
        "县级督查（长稳测试）",
        Role::CountySupervisor,
    )
    .await?;
    println!(
        "prepared the demo county with {} grids in {:.1} s",
        fx.grids.len(),
        started.elapsed().as_secs_f64()
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(64)
        .build()?;
    let server = t.start_named(Kind::Intake, &client, "soak", &[]).await?;
    let pid = server.child.id();
    let base = server.base.clone();
    let result = drive(a, &client, &base, pid, &fx, &leader, &checker).await;
    server.stop().await?;
    result
}

async fn drive(
    a: &Args,
    client: &reqwest::Client,
    base: &str,
    pid: u32,
    fx: &Arc<Fixture>,
    leader: &str,
    checker: &str,
) -> Result<Soaked> {
    let minute: Shared = Arc::default();
    let pool: Arc<Mutex<VecDeque<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut memory = vec![sample(client, base, pid).await?];
    let start = Instant::now();
    let tasks = vec![
        tokio::spawn(reports(
            client.clone(),
            base.to_string(),
            Gen::new(fx.clone(), a.seed, format!("soak{}", std::process::id())),
            a.rate,
            start,
            minute.clone(),
            pool.clone(),
            stop.clone(),
        )),
        tokio::spawn(reads(
            client.clone(),
            base.to_string(),
            leader.to_string(),
            minute.clone(),
            pool.clone(),
            stop.clone(),
        )),
        tokio::spawn(closed_loop(
            client.clone(),
            base.to_string(),
            leader.to_string(),
            checker.to_string(),
            minute.clone(),
            pool.clone(),
            stop.clone(),
        )),
    ];
    let (mut reports_total, mut errors_total) = (0, 0);
    for m in 1..=a.minutes {
        tokio::time::sleep_until(start + Duration::from_secs(60 * m)).await;
        if m == a.minutes {
            // the last minute's requests in flight are its own
            stop.store(true, Ordering::SeqCst);
            for t in &tasks {
                while !t.is_finished() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        let mut x = std::mem::take(&mut *lock(&minute));
        let mem = sample(client, base, pid).await?;
        memory.push(mem);
        reports_total += x.reports;
        errors_total += x.errors;
        println!(
            "minute {m}/{}: reports {} ({:.1}/s), queue reads {}, steps {}, errors {}; intake p50 {:.1} ms p99 {:.1} ms; reads p50 {:.1} ms p99 {:.1} ms; steps p50 {:.1} ms p99 {:.1} ms; rss {:.1} MiB (anonymous {:.1} MiB, SQLite {:.1} MiB, heap in use {:.1} MiB){}",
            a.minutes,
            x.reports,
            x.reports as f64 / 60.0,
            x.reads,
            x.steps,
            x.errors,
            percentile(&mut x.intake_ms, 0.5),
            percentile(&mut x.intake_ms, 0.99),
            percentile(&mut x.read_ms, 0.5),
            percentile(&mut x.read_ms, 0.99),
            percentile(&mut x.step_ms, 0.5),
            percentile(&mut x.step_ms, 0.99),
            mem.rss,
            mem.anon,
            mem.sqlite,
            mem.heap_in_use,
            x.first_error
                .map(|e| format!(" (first error: {e})"))
                .unwrap_or_default()
        );
    }
    for t in tasks {
        t.await?;
    }
    Ok(Soaked {
        minutes: a.minutes,
        reports: reports_total,
        errors: errors_total,
        memory,
    })
}

/// Reports at `rate` a second, each at its instant; latency from that instant.
#[allow(clippy::too_many_arguments)]
async fn reports(
    client: reqwest::Client,
    base: String,
    mut g: Gen,
    rate: f64,
    start: Instant,
    minute: Shared,
    pool: Arc<Mutex<VecDeque<String>>>,
    stop: Arc<AtomicBool>,
) {
    let url = base.to_string();
    let mut inflight = tokio::task::JoinSet::new();
    let mut i: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        i += 1;
        tokio::time::sleep_until(due).await;
        let r = g.next();
        let (client, url, minute, pool) =
            (client.clone(), url.clone(), minute.clone(), pool.clone());
        inflight.spawn(async move {
            let outcome = crate::scale_test::post_report(&client, &url, &r).await;
            let ms = due.elapsed().as_secs_f64() * 1000.0;
            let mut m = lock(&minute);
            m.intake_ms.push(ms);
            match outcome {
                Ok((status, id, state)) => {
                    m.reports += usize::from(status == 201);
                    drop(m);
                    if status == 201 && state == "received" {
                        let mut p = pool.lock().unwrap_or_else(|e| e.into_inner());
                        if p.len() >= POOL {
                            p.pop_front();
                        }
                        p.push_back(id);
                    }
                }
                Err(e) => m.error(format!("report: {e}")),
            }
        });
        while inflight.try_join_next().is_some() {}
    }
    while inflight.join_next().await.is_some() {}
}

/// A GET answered 2xx, timed.
async fn get(client: &reqwest::Client, url: &str, token: &str) -> (f64, Result<(), String>) {
    let t = Instant::now();
    let r = match client.get(url).bearer_auth(token).send().await {
        Ok(resp) if resp.status().is_success() => {
            resp.bytes().await.map(|_| ()).map_err(|e| e.to_string())
        }
        Ok(resp) => Err(format!("{} {url}", resp.status())),
        Err(e) => Err(e.to_string()),
    };
    (t.elapsed().as_secs_f64() * 1000.0, r)
}

/// The command centre's reads, twice a second in turn.
async fn reads(
    client: reqwest::Client,
    base: String,
    token: String,
    minute: Shared,
    pool: Arc<Mutex<VecDeque<String>>>,
    stop: Arc<AtomicBool>,
) {
    const WORDS: &[&str] = &["占道", "噪声", "焚烧秸秆", "渣土", "油烟"];
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut k = 0usize;
    while !stop.load(Ordering::SeqCst) {
        tick.tick().await;
        k += 1;
        let url = match k % 5 {
            0 => format!("{base}/api/v1/reports?per_page=50"),
            1 => format!("{base}/api/v1/reports?status=received&per_page=50"),
            2 => format!("{base}/api/v1/reports?overdue=true&per_page=50"),
            3 => format!("{base}/api/v1/reports?q={}", WORDS[(k / 5) % WORDS.len()]),
            _ => {
                let id = pool
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .back()
                    .cloned();
                match id {
                    Some(id) => format!("{base}/api/v1/reports/{id}"),
                    None => format!("{base}/api/v1/reports"),
                }
            }
        };
        let (ms, r) = get(&client, &url, &token).await;
        let mut m = lock(&minute);
        m.reads += 1;
        m.read_ms.push(ms);
        if let Err(e) = r {
            m.error(format!("read: {e}"));
        }
    }
}

/// Every 3 s one report through the whole loop, step by step.
async fn closed_loop(
    client: reqwest::Client,
    base: String,
    leader: String,
    checker: String,
    minute: Shared,
    pool: Arc<Mutex<VecDeque<String>>>,
    stop: Arc<AtomicBool>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(3));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::SeqCst) {
        tick.tick().await;
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Some(id) = pool.lock().unwrap_or_else(|e| e.into_inner()).pop_front() else {
            continue;
        };
        let steps = [
            (&leader, serde_json::json!({"action": "dispatch"})),
            (&leader, serde_json::json!({"action": "accept"})),
            (&leader, serde_json::json!({"action": "start"})),
            (
                &leader,
                serde_json::json!({"action": "report_back", "note": "已责令整改，现场恢复"}),
            ),
            (
                &checker,
                serde_json::json!({"action": "verify", "passed": true, "note": "现场核查通过"}),
            ),
            (&leader, serde_json::json!({"action": "close"})),
            (
                &checker,
                serde_json::json!({"action": "evaluate", "score": 5, "note": "处置及时"}),
            ),
        ];
        let url = format!("{base}/api/v1/reports/{id}/actions");
        for (token, body) in steps {
            let t = Instant::now();
            let r = client
                .post(&url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            let failed = match r {
                Ok(resp) if resp.status().is_success() => {
                    let _ = resp.bytes().await;
                    None
                }
                Ok(resp) => {
                    let s = resp.status();
                    let v: serde_json::Value = resp.json().await.unwrap_or_default();
                    Some(format!(
                        "{} {s} {}",
                        body["action"],
                        v["code"].as_str().unwrap_or("")
                    ))
                }
                Err(e) => Some(e.to_string()),
            };
            let mut m = lock(&minute);
            m.steps += 1;
            m.step_ms.push(ms);
            if let Some(e) = failed {
                m.error(format!("step: {e}"));
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_is_minute_5_or_the_middle_of_a_short_run() {
        assert_eq!(baseline_minute(60), Some(5));
        assert_eq!(baseline_minute(10), Some(5));
        assert_eq!(baseline_minute(9), Some(5));
        assert_eq!(baseline_minute(3), Some(2));
        assert_eq!(baseline_minute(2), Some(2));
        assert_eq!(baseline_minute(1), None);
    }

    #[test]
    fn the_verdict_compares_ten_minute_medians() {
        // level at 80 with a sawtooth, one high sample at the very end
        let mut level: Vec<f64> = (0..=60)
            .map(|m| if m % 2 == 0 { 78.0 } else { 84.0 })
            .collect();
        level[60] = 120.0;
        let v = judge(&level, 60).unwrap();
        assert_eq!((v.from, v.to, v.window), (5, 14, 10));
        assert!(v.flat, "{v:?}");
        // a steady climb of 1 MiB a minute from 80
        let climb: Vec<f64> = (0..=60).map(|m| 80.0 + m as f64).collect();
        let v = judge(&climb, 60).unwrap();
        assert_eq!(v.base, 88.0, "median of the starts of minutes 5..=14");
        assert_eq!(v.end, 135.0);
        assert!(!v.flat, "{v:?}");
        // a step of a quarter for the last ten minutes is not flat either
        let step: Vec<f64> = (0..=60)
            .map(|m| if m > 50 { 100.0 } else { 80.0 })
            .collect();
        assert!(!judge(&step, 60).unwrap().flat);
        // short runs: windows of a third of the judged minutes
        assert_eq!(judge(&[1.0; 11], 10).unwrap().window, 2);
        assert_eq!(judge(&[1.0; 3], 2).unwrap().window, 1);
        assert_eq!(judge(&[1.0; 2], 1), None);
    }

    #[test]
    fn status_figures_are_read_in_mib() {
        let status =
            "Name:\tyiwang\nVmRSS:\t  102400 kB\nRssAnon:\t   69632 kB\nRssFile:\t   32768 kB\n";
        assert_eq!(status_mib(status, "VmRSS:"), Some(100.0));
        assert_eq!(status_mib(status, "RssAnon:"), Some(68.0));
        assert_eq!(status_mib(status, "RssShmem:"), None);
    }

    #[test]
    fn memory_parts_are_read_from_the_metrics_text() {
        let text = "# TYPE yiwang_memory_bytes gauge\nyiwang_memory_bytes{part=\"resident\"} 104857600\nyiwang_memory_bytes{part=\"sqlite\"} 5242880\nyiwang_memory_bytes{part=\"sqlite_peak\"} 9\n";
        assert_eq!(metric_mib(text, "sqlite"), Some(5.0));
        assert_eq!(metric_mib(text, "resident"), Some(100.0));
        assert_eq!(metric_mib(text, "heap_in_use"), None);
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&mut v, 0.5), 50.0);
        assert_eq!(percentile(&mut v, 0.99), 99.0);
        assert!(percentile(&mut [], 0.5).is_nan());
    }
}
