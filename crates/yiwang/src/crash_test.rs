//! `yiwang bench crash`: intake under load, killed with SIGKILL again and
//! again; afterwards every report acknowledged with 2xx must be there,
//! intact, and none twice.
//!
//! For each database (SQLite in a temporary folder; with `--postgres` a new
//! database on that server too) the demo county is prepared as for `yiwang
//! bench intake`, then `--kills` rounds run: `yiwang serve` is started as a
//! child process, `--clients` clients send realistic reports over every
//! channel (each description carries a unique mark), and at a random moment
//! (0.2 to 2 s into the round) the server is killed with SIGKILL. A request
//! that got no answer is unknown: if it had an `Idempotency-Key` it is sent
//! again with the same key after the restart and must be answered with one
//! report; without a key it may or may not have been stored, and is only
//! counted if stored twice. At the end the database itself is read:
//!
//! * **lost**: an acknowledged report that is missing, or whose description
//!   is not what was sent;
//! * **duplicated**: a mark found on more than one report;
//! * and the audit chain must verify.
//!
//! The last line is `acknowledged N, lost L, duplicated D` over every
//! database; the exit status is non-zero unless L and D are 0.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sqlx::Row;
use store::{Store, StoreConfig};

use crate::bench_intake::{Fixture, Gen, Kind, Req, Target, prepare};

pub struct Args {
    pub kills: usize,
    pub clients: usize,
    pub grids: usize,
    pub postgres: Option<String>,
    pub full_sync: bool,
    pub seed: u64,
}

/// One report sent: its mark, the description sent, its key.
struct Sent {
    mark: String,
    description: String,
    req: Req,
    /// The report's id when the server acknowledged it (2xx).
    acked: Option<String>,
}

/// What a database's run found.
#[derive(Default, Debug, PartialEq)]
struct Tally {
    acknowledged: usize,
    lost: usize,
    duplicated: usize,
    unknown: usize,
    kills: usize,
}

pub async fn run(a: Args) -> Result<()> {
    sqlx::any::install_default_drivers();
    anyhow::ensure!(a.kills > 0, "--kills must be at least 1");
    anyhow::ensure!(a.clients > 0, "--clients must be at least 1");
    let exe = std::env::current_exe().context("finding the yiwang binary")?;
    let root = std::env::temp_dir().join(format!("yiwang-crash-test-{}", std::process::id()));
    println!(
        "crash test: {} kills, {} clients, {} grids{}",
        a.kills,
        a.clients,
        a.grids,
        if a.full_sync {
            " (SQLite synchronous=FULL)"
        } else {
            ""
        }
    );
    let result = async {
        let mut total = Tally::default();
        let sqlite = Target {
            label: "sqlite",
            exe: exe.clone(),
            dir: root.join("sqlite"),
            database_url: None,
            full_sync: a.full_sync,
        };
        add(&mut total, crash_database(&a, &sqlite).await?);
        if let Some(admin) = &a.postgres {
            let db = crate::scratch_db::ScratchDb::create(admin, "yiwang_crash_test").await?;
            let pg = Target {
                label: "postgres",
                exe: exe.clone(),
                dir: root.join("postgres"),
                database_url: Some(db.url.clone()),
                full_sync: false,
            };
            let r = crash_database(&a, &pg).await;
            db.drop().await;
            add(&mut total, r?);
        }
        anyhow::Ok(total)
    }
    .await;
    let _ = std::fs::remove_dir_all(&root);
    let total = result?;
    println!(
        "acknowledged {}, lost {}, duplicated {}",
        total.acknowledged, total.lost, total.duplicated
    );
    anyhow::ensure!(
        total.lost == 0 && total.duplicated == 0,
        "reports were lost or duplicated"
    );
    Ok(())
}

fn add(total: &mut Tally, t: Tally) {
    total.acknowledged += t.acknowledged;
    total.lost += t.lost;
    total.duplicated += t.duplicated;
    total.unknown += t.unknown;
    total.kills += t.kills;
}

async fn crash_database(a: &Args, t: &Target) -> Result<Tally> {
    let label = t.label;
    std::fs::create_dir_all(&t.dir)?;
    let cfg = StoreConfig {
        database_url: t.database_url.clone(),
        sqlite_full_sync: t.full_sync,
        ..StoreConfig::sqlite_in(&t.dir)
    };
    let started = Instant::now();
    let fx = Arc::new(
        prepare(
            &cfg,
            &crate::bench_intake::Args {
                grids: a.grids,
                rate: 1.0,
                seconds: 1.0,
                clients: a.clients,
                postgres: None,
                full_sync: t.full_sync,
                seed: a.seed,
                keep: None,
            },
        )
        .await?,
    );
    println!(
        "{label}: prepared the demo county with {} grids in {:.1} s",
        fx.grids.len(),
        started.elapsed().as_secs_f64()
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(0)
        .build()?;
    let mut sent: Vec<Sent> = Vec::new();
    let mut rng = crate::bench_intake::Rng::new(a.seed ^ 0x5eed);
    let mut kills = 0;
    for round in 0..a.kills {
        let server = t.start(Kind::Intake, &client).await?;
        let url = format!("{}/api/v1/reports", server.base);
        // Unknown outcomes with a key from the round before: the same key again.
        retry_unanswered(&client, &url, &mut sent).await;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut tasks = Vec::new();
        for c in 0..a.clients {
            let (client, url, stop, fx) = (client.clone(), url.clone(), stop.clone(), fx.clone());
            let seed = a.seed.wrapping_add((round * 1000 + c) as u64);
            tasks.push(tokio::spawn(load(client, url, stop, fx, seed, round, c)));
        }
        let wait = 200 + rng.below(1800) as u64;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        // No new request after this instant; those in flight meet the kill.
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut server = server;
        server.child.kill().context("SIGKILL")?;
        let _ = server.child.wait();
        kills += 1;
        let mut acked_now = 0;
        for task in tasks {
            let mut s = task.await?;
            acked_now += s.iter().filter(|x| x.acked.is_some()).count();
            sent.append(&mut s);
        }
        println!(
            "{label}: round {}: killed after {wait} ms, {acked_now} acknowledged",
            round + 1
        );
    }
    // A last start: what was left unanswered with a key is retried once more,
    // then the server stops cleanly.
    let server = t.start(Kind::Intake, &client).await?;
    let url = format!("{}/api/v1/reports", server.base);
    retry_unanswered(&client, &url, &mut sent).await;
    server.stop().await?;

    let tally = check(&cfg, &t.dir, &sent, kills).await?;
    println!(
        "{label}: acknowledged {}, lost {}, duplicated {} ({} unanswered without a key, {} kills)",
        tally.acknowledged, tally.lost, tally.duplicated, tally.unknown, tally.kills
    );
    Ok(tally)
}

/// A client: reports one after another until the round stops; what it
/// sent, answered or not.
async fn load(
    client: reqwest::Client,
    url: String,
    stop: Arc<std::sync::atomic::AtomicBool>,
    fx: Arc<Fixture>,
    seed: u64,
    round: usize,
    c: usize,
) -> Vec<Sent> {
    let mut g = Gen::new(fx, seed, format!("k{round}c{c}"));
    let mut out: Vec<Sent> = Vec::new();
    // a key sent before in this round: the same body again (a retry)
    let mut by_key: HashMap<Arc<str>, usize> = HashMap::new();
    let mut n = 0;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let req = g.next();
        if let Some(i) = req.key.as_ref().and_then(|k| by_key.get(k)).copied() {
            let again = out[i].req.clone();
            if let Some(id) = post(&client, &url, &again).await
                && out[i].acked.is_none()
            {
                out[i].acked = Some(id);
            }
            continue;
        }
        n += 1;
        let mark = format!("〔crash-{round}-{c}-{n}〕");
        let Ok(mut body) = serde_json::from_str::<serde_json::Value>(&req.body) else {
            continue;
        };
        let description = format!("{}{mark}", body["description"].as_str().unwrap_or(""));
        body["description"] = description.clone().into();
        let req = Req {
            body: body.to_string().into(),
            ..req
        };
        let acked = post(&client, &url, &req).await;
        if let Some(k) = &req.key {
            by_key.insert(k.clone(), out.len());
        }
        out.push(Sent {
            mark,
            description,
            req,
            acked,
        });
    }
    out
}

/// Send again, with the same key, every keyed report left unanswered.
async fn retry_unanswered(client: &reqwest::Client, url: &str, sent: &mut [Sent]) {
    for s in sent
        .iter_mut()
        .filter(|s| s.acked.is_none() && s.req.key.is_some())
    {
        s.acked = post(client, url, &s.req).await;
    }
}

/// POST a report: its id when answered 2xx, else nothing.
async fn post(client: &reqwest::Client, url: &str, r: &Req) -> Option<String> {
    let mut b = client
        .post(url)
        .bearer_auth(&*r.token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(r.body.to_string());
    if let Some(k) = &r.key {
        b = b.header("Idempotency-Key", &**k);
    }
    let resp = b.send().await.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let v: serde_json::Value = resp.json().await.ok()?;
    v["id"].as_str().map(str::to_owned)
}

/// Read the database: every acknowledged report there as sent, no mark
/// twice, the audit chain intact.
async fn check(
    cfg: &StoreConfig,
    dir: &std::path::Path,
    sent: &[Sent],
    kills: usize,
) -> Result<Tally> {
    let store = Store::connect(cfg).await?;
    let rows = sqlx::query("SELECT id, description FROM reports")
        .fetch_all(store.pool())
        .await
        .map_err(store::StoreError::from)?;
    let mut by_id: HashMap<String, String> = HashMap::new();
    let mut marks: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let id: String = row.try_get("id")?;
        let description: String = row.try_get("description")?;
        if let Some(m) = mark_of(&description) {
            *marks.entry(m.to_owned()).or_default() += 1;
        }
        by_id.insert(id, description);
    }
    let key = store::audit::load_or_create_key(dir, None)?;
    let mut conn = store.acquire().await?;
    let chain = store::audit::verify(&mut conn, &key).await?;
    drop(conn);
    store.close().await;
    if let Err(b) = chain {
        anyhow::bail!("the audit chain does not verify: {b}");
    }
    let mut t = Tally {
        kills,
        ..Tally::default()
    };
    for s in sent {
        match &s.acked {
            Some(id) => {
                t.acknowledged += 1;
                if by_id.get(id) != Some(&s.description) {
                    t.lost += 1;
                    eprintln!(
                        "lost: report {id} ({}) acknowledged, not stored as sent",
                        s.mark
                    );
                }
            }
            None => t.unknown += 1,
        }
    }
    t.duplicated = marks.values().map(|n| n.saturating_sub(1)).sum();
    Ok(t)
}

/// The mark at the end of a description, if any.
fn mark_of(description: &str) -> Option<&str> {
    let start = description.rfind("〔crash-")?;
    description[start..]
        .ends_with('〕')
        .then(|| &description[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_is_read_back_from_the_end_of_a_description() {
        assert_eq!(
            mark_of("路边占道经营〔crash-3-1-17〕"),
            Some("〔crash-3-1-17〕")
        );
        assert_eq!(mark_of("路边占道经营"), None);
        assert_eq!(mark_of("〔crash-3-1-17〕 and more"), None);
    }
}
