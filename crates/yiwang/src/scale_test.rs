//! `yiwang bench scale`: several `yiwang serve` instances on one PostgreSQL
//! database, as a province-scale deployment runs them, checked for what
//! must hold whatever the instance count.
//!
//! A new database is created on the `--postgres` server and the demo county
//! prepared in it as for `yiwang bench intake` (2000 grids, callers for
//! every channel), plus a county brigade leader's session (the commander:
//! dispatches, watches the queue, files a case). Then `--instances`
//! instances are started as child processes on that database and on one
//! shared data folder (uploads, documents and the audit key live there),
//! each with its supervision scheduler sweeping every second. The harness
//! itself is the round-robin in front of them: request k of a phase goes
//! to instance k mod n, with no proxy in between.
//!
//! 1. **Live updates**: a server-sent event stream
//!    (`GET /api/v1/reports/stream`) is opened on every instance before
//!    anything is posted; one report posted via each instance must reach
//!    every stream, and at the end every stream must have seen every new
//!    report and every dispatch, wherever it was made.
//! 2. **Intake**: realistic reports (every channel, some with an
//!    `Idempotency-Key`, a few retried — a retry may reach another
//!    instance) from 16 concurrent clients through the round-robin; with
//!    those of step 1 and the photo's of step 5, `--reports` new reports.
//! 3. **Dispatch**: 60 % of the reports left received are dispatched
//!    through `POST /api/v1/reports/{id}/actions`, round-robin; every
//!    eighth is dispatched twice at the same moment, via two instances:
//!    one must win and the other get `409 conflict.stale` (both read the
//!    same version) or `422` (it read the report already dispatched).
//! 4. **Deadlines**: meanwhile up to 200 of the other received reports
//!    are given a deadline 4–15 s away (written in the database: the limits
//!    are working days), so that the warning, the overdue flag and the
//!    township notice fall due while every instance's scheduler sweeps
//!    (their logs tell which instances recorded something).
//! 5. **Uploads**: a report with a photo is posted via the first instance
//!    and read back via the others (its attachment listed, the file in the
//!    shared folder as sent — no route serves a report's photo); a case is
//!    filed via the first instance, a photo uploaded as its evidence via the
//!    second and downloaded via every other, byte for byte.
//!
//! Then the instances stop and the database is read:
//!
//! * **double-dispatched**: reports with more `dispatch` events than one
//!   plus their refusals (none are refused here);
//! * **jobs-duplicated**: supervision records twice for one (report,
//!   deadline, kind), plus events `supervision.*` and audit entries
//!   `report.supervision` beyond the records they belong to; a deadline that
//!   passed without its overdue flag and township notice is a miss;
//! * and the audit chain, written by every instance, must verify.
//!
//! The last line is `instances N, reports R, double-dispatched D,
//! jobs-duplicated J`; the exit status is non-zero unless D and J are 0,
//! no deadline was missed, and every live-stream and upload check passed.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use domain::access::Role;
use sqlx::Row;
use store::{Store, StoreConfig};

use crate::bench_intake::{Fixture, Gen, Kind, Req, Rng, Server, Target, prepare};

pub struct Args {
    pub instances: usize,
    pub reports: usize,
    /// postgres://… of a server where a database may be created.
    pub postgres: String,
    pub seed: u64,
}

/// Grids the demo county is cut into.
const GRIDS: usize = 2000;
/// Concurrent clients of the intake.
const CLIENTS: usize = 16;
/// Concurrent dispatchers.
const DISPATCHERS: usize = 8;

/// What the run found, besides the database counts.
#[derive(Default)]
struct Checks {
    failures: Vec<String>,
}

impl Checks {
    fn check(&mut self, ok: bool, what: String) {
        println!("{}{what}", if ok { "" } else { "FAILED: " });
        if !ok {
            self.failures.push(what);
        }
    }
}

pub async fn run(a: Args) -> Result<()> {
    sqlx::any::install_default_drivers();
    anyhow::ensure!(
        a.instances >= 2,
        "--instances must be at least 2 (what crosses instances is checked)"
    );
    anyhow::ensure!(a.reports >= 10, "--reports must be at least 10");
    let exe = std::env::current_exe().context("finding the yiwang binary")?;
    let root = std::env::temp_dir().join(format!("yiwang-scale-test-{}", std::process::id()));
    println!(
        "scale test: {} instances on one PostgreSQL database, {} reports, the harness as round-robin",
        a.instances, a.reports
    );
    let db = crate::scratch_db::ScratchDb::create(&a.postgres, "yiwang_scale_test").await?;
    let target = Target {
        label: "postgres",
        exe,
        dir: root.join("shared"),
        database_url: Some(db.url.clone()),
        full_sync: false,
    };
    let result = scale(&a, &target).await;
    db.drop().await;
    let _ = std::fs::remove_dir_all(&root);
    let (reports, d, j, checks) = result?;
    println!(
        "instances {}, reports {reports}, double-dispatched {d}, jobs-duplicated {j}",
        a.instances
    );
    anyhow::ensure!(
        d == 0 && j == 0 && checks.failures.is_empty(),
        "the scale test failed: {}",
        if checks.failures.is_empty() {
            "a report was dispatched twice or a job ran twice".to_string()
        } else {
            checks.failures.join("; ")
        }
    );
    Ok(())
}

/// A session of a person with `role` in the county (the jurisdiction above
/// the grids' townships), made in the database as the bench's callers are.
pub(crate) async fn county_session(
    cfg: &StoreConfig,
    username: &str,
    display_name: &str,
    role: Role,
) -> Result<String> {
    let store = Store::connect(cfg).await?;
    let mut tx = store.begin_write().await?;
    let county: String = sqlx::query(
        "SELECT parent_id FROM jurisdictions
         WHERE id = (SELECT township_id FROM grids ORDER BY code LIMIT 1)",
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(store::StoreError::from)?
    .try_get("parent_id")?;
    let user = store::identity::create_user(&mut tx, username, display_name, "!", None).await?;
    store::identity::add_role(&mut tx, &user.id, role, &county).await?;
    let (token, digest) = store::identity::new_token(server::auth::SESSION_PREFIX);
    let expires = store::util::ts(chrono::Utc::now() + chrono::Duration::days(30));
    store::identity::create_session(&mut tx, &user.id, &digest, "bench", "127.0.0.1", &expires)
        .await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    store.close().await;
    Ok(token)
}

/// A report sent to the server at `base`, answered 2xx: the status, the
/// report's id and its status (201: new).
pub(crate) async fn post_report(
    client: &reqwest::Client,
    base: &str,
    r: &Req,
) -> std::result::Result<(u16, String, String), String> {
    let mut b = client
        .post(format!("{base}/api/v1/reports"))
        .bearer_auth(&*r.token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(r.body.to_string());
    if let Some(k) = &r.key {
        b = b.header("Idempotency-Key", &**k);
    }
    let resp = b.send().await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let v: serde_json::Value = resp.json().await.map_err(|e| e.to_string())?;
    if !(200..300).contains(&status) {
        return Err(format!("{status} {}", v["code"].as_str().unwrap_or("")));
    }
    Ok((
        status,
        v["id"].as_str().unwrap_or_default().to_string(),
        v["status"].as_str().unwrap_or_default().to_string(),
    ))
}

/// What one instance's live stream delivered: report id → statuses seen.
#[derive(Default)]
struct Seen {
    changes: HashMap<String, HashSet<String>>,
    events: usize,
    ended: Option<String>,
}

/// Open the live stream of `base` (answered before this returns, so the
/// subscription exists) and read it in a task until aborted.
async fn open_stream(
    base: &str,
    token: &str,
) -> Result<(Arc<Mutex<Seen>>, tokio::task::JoinHandle<()>)> {
    let client = reqwest::Client::builder().build()?;
    let mut resp = client
        .get(format!("{base}/api/v1/reports/stream"))
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "text/event-stream")
        .send()
        .await
        .with_context(|| format!("opening the live stream of {base}"))?;
    anyhow::ensure!(
        resp.status().is_success(),
        "the live stream of {base} answered {}",
        resp.status()
    );
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    let task = tokio::spawn(async move {
        let mut buf: Vec<u8> = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    buf.extend_from_slice(&chunk);
                    while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
                        let block: Vec<u8> = buf.drain(..end + 2).collect();
                        let text = String::from_utf8_lossy(&block);
                        for line in text.lines() {
                            let Some(data) = line.strip_prefix("data:") else {
                                continue;
                            };
                            let Ok(v) = serde_json::from_str::<serde_json::Value>(data.trim())
                            else {
                                continue;
                            };
                            let mut s = s.lock().unwrap_or_else(|e| e.into_inner());
                            s.events += 1;
                            s.changes
                                .entry(v["id"].as_str().unwrap_or_default().to_string())
                                .or_default()
                                .insert(v["status"].as_str().unwrap_or_default().to_string());
                        }
                    }
                }
                Ok(None) => {
                    s.lock().unwrap_or_else(|e| e.into_inner()).ended = Some("closed".into());
                    return;
                }
                Err(e) => {
                    s.lock().unwrap_or_else(|e| e.into_inner()).ended = Some(e.to_string());
                    return;
                }
            }
        }
    });
    Ok((seen, task))
}

/// Wait until every stream saw `id` (with `status`, if given); how long it took.
async fn reached_all(
    streams: &[Arc<Mutex<Seen>>],
    id: &str,
    status: Option<&str>,
    timeout: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    loop {
        let all = streams.iter().all(|s| {
            let s = s.lock().unwrap_or_else(|e| e.into_inner());
            s.changes
                .get(id)
                .is_some_and(|st| status.is_none_or(|w| st.contains(w)))
        });
        if all {
            return Some(started.elapsed());
        }
        if started.elapsed() > timeout {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A new report's id, status and the instance it was posted via.
struct Posted {
    id: String,
    status: String,
    via: usize,
}

/// The intake through the round-robin: `total` new reports from `CLIENTS`
/// clients (retries of a keyed report come on top); the reports created,
/// the retries, the failures.
async fn intake(
    client: &reqwest::Client,
    bases: &[String],
    fx: &Arc<Fixture>,
    total: usize,
    seed: u64,
) -> (Vec<Posted>, usize, usize, HashMap<String, usize>) {
    // request k goes to instance k mod n
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..CLIENTS {
        let (client, bases, next) = (client.clone(), bases.to_vec(), next.clone());
        let mut g = Gen::new(
            fx.clone(),
            seed ^ (c as u64 + 1).wrapping_mul(0x9e37_79b9),
            format!("s{}c{c}", std::process::id()),
        );
        let quota = total / CLIENTS + usize::from(c < total % CLIENTS);
        tasks.spawn(async move {
            let mut posted = Vec::new();
            let (mut retries, mut errors) = (0, HashMap::<String, usize>::new());
            let mut failed = 0;
            while posted.len() + failed < quota {
                let via = next.fetch_add(1, Ordering::SeqCst) % bases.len();
                match post_report(&client, &bases[via], &g.next()).await {
                    Ok((201, id, status)) => posted.push(Posted { id, status, via }),
                    Ok(_) => retries += 1,
                    Err(e) => {
                        failed += 1;
                        *errors.entry(e).or_default() += 1;
                    }
                }
            }
            (posted, retries, errors)
        });
    }
    let (mut posted, mut retries, mut errors) = (Vec::new(), 0, HashMap::new());
    while let Some(Ok((p, r, e))) = tasks.join_next().await {
        posted.extend(p);
        retries += r;
        for (k, v) in e {
            *errors.entry(k).or_default() += v;
        }
    }
    let error_count = errors.values().sum();
    (posted, retries, error_count, errors)
}

/// What became of a dispatch request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Answer {
    Done,
    /// 409: decided on a version another step had changed.
    Stale,
    /// 422: refused (already dispatched, no squad to route to).
    Refused,
    Other,
}

async fn dispatch(client: &reqwest::Client, base: &str, token: &str, id: &str) -> Answer {
    let r = client
        .post(format!("{base}/api/v1/reports/{id}/actions"))
        .bearer_auth(token)
        .json(&serde_json::json!({"action": "dispatch"}))
        .send()
        .await;
    match r.map(|r| r.status().as_u16()) {
        Ok(200) => Answer::Done,
        Ok(409) => Answer::Stale,
        Ok(422) => Answer::Refused,
        _ => Answer::Other,
    }
}

/// Tally of the dispatch phase.
#[derive(Default)]
struct Dispatched {
    /// Reports the API says were dispatched.
    ids: Vec<String>,
    answers: HashMap<Answer, usize>,
    races: usize,
    /// Races one request won and the other lost with 409 (same version read).
    race_stale: usize,
    /// … lost with 422 (the loser read the dispatched report).
    race_refused: usize,
    /// Races both requests won: a double dispatch the API acknowledged.
    race_both: usize,
    race_neither: usize,
}

async fn dispatch_all(
    client: &reqwest::Client,
    bases: &[String],
    token: &str,
    plan: Vec<String>,
) -> Dispatched {
    let plan = Arc::new(plan);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..DISPATCHERS {
        let (client, bases, token, plan, next) = (
            client.clone(),
            bases.to_vec(),
            token.to_string(),
            plan.clone(),
            next.clone(),
        );
        tasks.spawn(async move {
            let mut d = Dispatched::default();
            loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(id) = plan.get(k) else { break };
                let n = bases.len();
                if k % 8 == 0 {
                    // the same step at the same moment via two instances
                    d.races += 1;
                    let (x, y) = tokio::join!(
                        dispatch(&client, &bases[k % n], &token, id),
                        dispatch(&client, &bases[(k + 1) % n], &token, id)
                    );
                    for x in [x, y] {
                        *d.answers.entry(x).or_default() += 1;
                    }
                    match (x, y) {
                        (Answer::Done, Answer::Done) => d.race_both += 1,
                        (Answer::Done, Answer::Stale) | (Answer::Stale, Answer::Done) => {
                            d.race_stale += 1
                        }
                        (Answer::Done, _) | (_, Answer::Done) => d.race_refused += 1,
                        _ => d.race_neither += 1,
                    }
                    if x == Answer::Done || y == Answer::Done {
                        d.ids.push(id.clone());
                    }
                } else {
                    let x = dispatch(&client, &bases[k % n], &token, id).await;
                    *d.answers.entry(x).or_default() += 1;
                    if x == Answer::Done {
                        d.ids.push(id.clone());
                    }
                }
            }
            d
        });
    }
    let mut all = Dispatched::default();
    while let Some(Ok(d)) = tasks.join_next().await {
        all.ids.extend(d.ids);
        for (k, v) in d.answers {
            *all.answers.entry(k).or_default() += v;
        }
        all.races += d.races;
        all.race_stale += d.race_stale;
        all.race_refused += d.race_refused;
        all.race_both += d.race_both;
        all.race_neither += d.race_neither;
    }
    all
}

/// Bytes that pass for a JPEG photo (checked by its first bytes), unique per seed.
fn photo(seed: u64) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut rng = Rng::new(seed);
    b.extend((0..20_000).map(|_| rng.below(256) as u8));
    b
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// A report with a photo via instance 0, read back via every other; the
/// file in the shared folder. Its id (a new report the streams must see).
async fn report_photo(
    client: &reqwest::Client,
    bases: &[String],
    token: &str,
    fx: &Arc<Fixture>,
    dir: &std::path::Path,
    seed: u64,
    checks: &mut Checks,
) -> Result<Option<String>> {
    let r = Gen::new(fx.clone(), seed, format!("p{}", std::process::id())).next();
    let bytes = photo(seed);
    let sha = sha256_hex(&bytes);
    let form = reqwest::multipart::Form::new()
        .part(
            "report",
            reqwest::multipart::Part::text(r.body.to_string()).mime_str("application/json")?,
        )
        .part(
            "photo",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name("现场照片.jpg"),
        );
    let resp = client
        .post(format!("{}/api/v1/reports", bases[0]))
        .bearer_auth(&*r.token)
        .multipart(form)
        .send()
        .await?;
    let status = resp.status();
    let v: serde_json::Value = resp.json().await.unwrap_or_default();
    if status.as_u16() != 201 {
        checks.check(
            false,
            format!("uploads: a report with a photo via instance 0 answered {status}: {v}"),
        );
        return Ok(None);
    }
    let id = v["id"].as_str().unwrap_or_default().to_string();
    for (i, base) in bases.iter().enumerate().skip(1) {
        let got: serde_json::Value = client
            .get(format!("{base}/api/v1/reports/{id}"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await
            .unwrap_or_default();
        let listed = got["attachments"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["sha256"] == sha.as_str()));
        checks.check(
            listed,
            format!(
                "uploads: the report photo posted via instance 0 is listed via instance {i}: {}",
                if listed { "yes" } else { "no" }
            ),
        );
    }
    let file = dir.join("attachments").join(&sha[..2]).join(&sha);
    let same = std::fs::read(&file).is_ok_and(|b| b == bytes);
    checks.check(
        same,
        format!(
            "uploads: the report photo is in the shared folder as sent: {}",
            if same { "yes" } else { "no" }
        ),
    );
    Ok(Some(id))
}

/// A case filed via instance 0, a photo uploaded as its evidence via
/// instance 1 and downloaded via every other instance.
async fn evidence_photo(
    client: &reqwest::Client,
    bases: &[String],
    token: &str,
    cfg: &StoreConfig,
    seed: u64,
    checks: &mut Checks,
) -> Result<()> {
    // a township and the penalty items it holds
    let store = Store::connect(cfg).await?;
    let town: String = sqlx::query(
        "SELECT j.code FROM jurisdictions j
         WHERE j.id = (SELECT township_id FROM grids ORDER BY code LIMIT 1)",
    )
    .fetch_one(store.pool())
    .await
    .map_err(store::StoreError::from)?
    .try_get("code")?;
    let items: Vec<String> = sqlx::query(
        "SELECT p.code FROM devolutions d JOIN power_items p ON p.id = d.item_id
         JOIN jurisdictions j ON j.id = d.township_id
         WHERE j.code = $1 AND d.revoked_at IS NULL AND p.kind = '行政处罚'
         ORDER BY p.code LIMIT 20",
    )
    .bind(&town)
    .fetch_all(store.pool())
    .await
    .map_err(store::StoreError::from)?
    .iter()
    .map(|r| r.try_get("code"))
    .collect::<std::result::Result<_, _>>()?;
    store.close().await;
    let act = domain::time::china_date(chrono::Utc::now()) - chrono::Days::new(7);
    let mut case = None;
    let mut last = String::new();
    for item in &items {
        let resp = client
            .post(format!("{}/api/v1/cases", bases[0]))
            .bearer_auth(token)
            .json(&serde_json::json!({"township": town, "item_code": item,
                "title": "规模测试：占道经营案", "act_date": act.to_string()}))
            .send()
            .await?;
        let status = resp.status().as_u16();
        let v: serde_json::Value = resp.json().await.unwrap_or_default();
        if status == 201 {
            case = v["id"].as_str().map(str::to_owned);
            break;
        }
        last = format!("{status} {}", v["code"].as_str().unwrap_or(""));
    }
    let Some(case) = case else {
        checks.check(
            false,
            format!(
                "uploads: no case could be filed in township {town} ({} items tried, last {last})",
                items.len()
            ),
        );
        return Ok(());
    };
    let bytes = photo(seed ^ 0xe7);
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name("现场照片.jpg"),
        )
        .text("kind", "photo");
    let resp = client
        .post(format!("{}/api/v1/cases/{case}/evidence", bases[1]))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await?;
    let status = resp.status().as_u16();
    let v: serde_json::Value = resp.json().await.unwrap_or_default();
    let Some(evidence) = v["items"][0]["id"].as_str().filter(|_| status == 201) else {
        checks.check(
            false,
            format!("uploads: evidence via instance 1 answered {status}: {v}"),
        );
        return Ok(());
    };
    for (i, base) in bases.iter().enumerate().filter(|(i, _)| *i != 1) {
        let resp = client
            .get(format!("{base}/api/v1/cases/{case}/evidence/{evidence}"))
            .bearer_auth(token)
            .send()
            .await?;
        let status = resp.status().as_u16();
        let got = resp.bytes().await.unwrap_or_default();
        let same = status == 200 && got.as_ref() == bytes.as_slice();
        checks.check(
            same,
            format!(
                "uploads: the evidence photo uploaded via instance 1 downloads via instance {i} byte for byte: {}",
                if same {
                    "yes".to_string()
                } else {
                    format!("no ({status}, {} bytes)", got.len())
                }
            ),
        );
    }
    Ok(())
}

/// Give these reports a deadline `4 + k mod 12` seconds from now (their
/// step begun two minutes ago); the latest deadline.
async fn short_deadlines(
    cfg: &StoreConfig,
    ids: &[String],
) -> Result<chrono::DateTime<chrono::Utc>> {
    let store = Store::connect(cfg).await?;
    let now = chrono::Utc::now();
    let started = store::util::ts(now - chrono::Duration::minutes(2));
    let mut latest = now;
    for (k, id) in ids.iter().enumerate() {
        let deadline = now + chrono::Duration::seconds(4 + (k % 12) as i64);
        latest = latest.max(deadline);
        sqlx::query(
            "UPDATE reports SET deadline_at = $1, step_started_at = $2, updated_at = $3,
                version = version + 1
             WHERE id = $4 AND status = 'received'",
        )
        .bind(store::util::ts(deadline))
        .bind(&started)
        .bind(store::util::now())
        .bind(id)
        .execute(store.pool())
        .await
        .map_err(store::StoreError::from)?;
    }
    store.close().await;
    Ok(latest)
}

/// Reports of `ids` whose current deadline has its overdue flag and its
/// township notice.
async fn escalated(cfg: &StoreConfig, ids: &HashSet<String>) -> Result<usize> {
    let store = Store::connect(cfg).await?;
    let rows = sqlx::query(
        "SELECT r.id FROM reports r JOIN report_supervision s
           ON s.report_id = r.id AND s.deadline_at = r.deadline_at
         WHERE s.kind IN ('overdue', 'notice_township')
         GROUP BY r.id HAVING COUNT(DISTINCT s.kind) = 2",
    )
    .fetch_all(store.pool())
    .await
    .map_err(store::StoreError::from)?;
    store.close().await;
    let mut n = 0;
    for r in rows {
        let id: String = r.try_get("id")?;
        n += usize::from(ids.contains(&id));
    }
    Ok(n)
}

/// From the database: (double-dispatched reports, duplicated jobs, jobs
/// recorded, the audit chain's length).
async fn count(cfg: &StoreConfig, dir: &std::path::Path) -> Result<(usize, usize, usize, u64)> {
    let store = Store::connect(cfg).await?;
    let pool = store.pool();
    let rows = sqlx::query(
        "SELECT report_id,
            CAST(SUM(CASE WHEN action = 'dispatch' THEN 1 ELSE 0 END) AS BIGINT) AS d,
            CAST(SUM(CASE WHEN action = 'refuse' THEN 1 ELSE 0 END) AS BIGINT) AS r
         FROM report_events GROUP BY report_id
         HAVING SUM(CASE WHEN action = 'dispatch' THEN 1 ELSE 0 END) > 1",
    )
    .fetch_all(pool)
    .await
    .map_err(store::StoreError::from)?;
    let mut double = 0;
    for r in rows {
        let (d, refused): (i64, i64) = (r.try_get("d")?, r.try_get("r")?);
        if d > 1 + refused {
            double += 1;
            eprintln!(
                "double dispatch: report {} has {d} dispatch events",
                r.try_get::<String, _>("report_id")?
            );
        }
    }
    // one record per (report, deadline, kind) …
    let mut duplicated = 0usize;
    for r in sqlx::query(
        "SELECT report_id, deadline_at, kind, COUNT(*) AS n FROM report_supervision
         GROUP BY report_id, deadline_at, kind HAVING COUNT(*) > 1",
    )
    .fetch_all(pool)
    .await
    .map_err(store::StoreError::from)?
    {
        let n: i64 = r.try_get("n")?;
        duplicated += (n - 1) as usize;
    }
    // … and per record one event and one audit entry
    let mut records: HashMap<(String, String), i64> = HashMap::new();
    let mut per_report: HashMap<String, i64> = HashMap::new();
    let mut jobs = 0usize;
    for r in sqlx::query(
        "SELECT report_id, kind, COUNT(*) AS n FROM report_supervision GROUP BY report_id, kind",
    )
    .fetch_all(pool)
    .await
    .map_err(store::StoreError::from)?
    {
        let (id, kind, n): (String, String, i64) =
            (r.try_get("report_id")?, r.try_get("kind")?, r.try_get("n")?);
        jobs += n as usize;
        *per_report.entry(id.clone()).or_default() += n;
        records.insert((id, format!("supervision.{kind}")), n);
    }
    for r in sqlx::query(
        "SELECT report_id, action, COUNT(*) AS n FROM report_events
         WHERE action LIKE 'supervision.%' GROUP BY report_id, action",
    )
    .fetch_all(pool)
    .await
    .map_err(store::StoreError::from)?
    {
        let (id, action, n): (String, String, i64) = (
            r.try_get("report_id")?,
            r.try_get("action")?,
            r.try_get("n")?,
        );
        let have = records.get(&(id, action)).copied().unwrap_or(0);
        duplicated += (n - have).max(0) as usize;
    }
    for r in sqlx::query(
        "SELECT object_id, COUNT(*) AS n FROM audit_log
         WHERE action = 'report.supervision' GROUP BY object_id",
    )
    .fetch_all(pool)
    .await
    .map_err(store::StoreError::from)?
    {
        let (id, n): (String, i64) = (r.try_get("object_id")?, r.try_get("n")?);
        let have = per_report.get(&id).copied().unwrap_or(0);
        duplicated += (n - have).max(0) as usize;
    }
    let key = store::audit::load_or_create_key(dir, None)?;
    let mut conn = store.acquire().await?;
    let chain = store::audit::verify(&mut conn, &key).await?;
    drop(conn);
    store.close().await;
    let entries = chain.map_err(|b| anyhow::anyhow!("the audit chain does not verify: {b}"))?;
    Ok((double, duplicated, jobs, entries))
}

/// The sweeps an instance's log names as having recorded something, and
/// how many records they made (`"issued":N` in its JSON lines).
fn sweeps_logged(log: &std::path::Path) -> (usize, usize) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut n = 0;
    let mut issued = 0;
    for line in text.lines().filter(|l| l.contains("supervision sweep")) {
        n += 1;
        if let Some(rest) = line.split("\"issued\":").nth(1) {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            issued += digits.parse::<usize>().unwrap_or(0);
        }
    }
    (n, issued)
}

/// The whole run on the prepared target: (reports created, D, J, checks).
async fn scale(a: &Args, t: &Target) -> Result<(usize, usize, usize, Checks)> {
    std::fs::create_dir_all(&t.dir)?;
    let cfg = StoreConfig {
        database_url: t.database_url.clone(),
        ..StoreConfig::sqlite_in(&t.dir)
    };
    let started = Instant::now();
    let fx = Arc::new(
        prepare(
            &cfg,
            &crate::bench_intake::Args {
                grids: GRIDS,
                rate: 1.0,
                seconds: 1.0,
                clients: CLIENTS,
                postgres: None,
                full_sync: false,
                seed: a.seed,
                keep: None,
            },
        )
        .await?,
    );
    let commander = county_session(
        &cfg,
        "scale-commander",
        "县大队长（规模测试）",
        Role::BrigadeLeader,
    )
    .await?;
    println!(
        "prepared the demo county with {} grids in {:.1} s",
        fx.grids.len(),
        started.elapsed().as_secs_f64()
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .build()?;
    let mut servers: Vec<Server> = Vec::new();
    for i in 0..a.instances {
        match t
            .start_named(
                Kind::Intake,
                &client,
                &format!("instance-{i}"),
                &[
                    ("YIWANG_SUPERVISION_INTERVAL_SECS", "1"),
                    // the sweeps that record something, to tell who swept
                    ("YIWANG_LOG_LEVEL", "warn,server::supervisor=info"),
                    ("YIWANG_LOG_FORMAT", "json"),
                ],
            )
            .await
        {
            Ok(s) => servers.push(s),
            Err(e) => {
                for s in servers {
                    let _ = s.stop().await;
                }
                return Err(e);
            }
        }
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let logs: Vec<std::path::PathBuf> = servers.iter().map(|s| s.log.clone()).collect();
    println!(
        "{} instances serving on one database and one data folder: {}",
        bases.len(),
        bases.join(" ")
    );
    let result = exercise(a, &cfg, &t.dir, &client, &bases, &commander, &fx).await;
    for s in servers {
        s.stop().await?;
    }
    let (reports, mut checks, short) = result?;
    let sweeps: Vec<String> = logs
        .iter()
        .enumerate()
        .map(|(i, log)| {
            let (n, issued) = sweeps_logged(log);
            format!("instance {i} ×{n} ({issued} records)")
        })
        .collect();
    println!(
        "supervision sweeps that recorded something: {}",
        sweeps.join(", ")
    );
    let (d, j, jobs, entries) = count(&cfg, &t.dir).await?;
    println!(
        "audit chain intact: {entries} entries written by {} instances",
        a.instances
    );
    let hit = escalated(&cfg, &short).await?;
    checks.check(
        hit == short.len(),
        format!(
            "deadlines: {} passed during the run, {hit} flagged overdue with a township notice ({jobs} supervision records in all)",
            short.len()
        ),
    );
    Ok((reports, d, j, checks))
}

/// Live streams, intake, dispatch with races, deadlines, uploads: (reports
/// created, checks, reports given a short deadline).
async fn exercise(
    a: &Args,
    cfg: &StoreConfig,
    dir: &std::path::Path,
    client: &reqwest::Client,
    bases: &[String],
    commander: &str,
    fx: &Arc<Fixture>,
) -> Result<(usize, Checks, HashSet<String>)> {
    let mut checks = Checks::default();
    let mut streams = Vec::new();
    let mut readers = Vec::new();
    for base in bases {
        let (seen, task) = open_stream(base, commander).await?;
        streams.push(seen);
        readers.push(task);
    }
    let result = async {
        // one report via each instance must reach every stream
        let mut created: Vec<Posted> = Vec::new();
        let mut g = Gen::new(fx.clone(), a.seed ^ 0x11, format!("w{}", std::process::id()));
        for (i, base) in bases.iter().enumerate() {
            let (_, id, status) = post_report(client, base, &g.next())
                .await
                .map_err(|e| anyhow::anyhow!("the first report via instance {i}: {e}"))?;
            let took = reached_all(&streams, &id, None, Duration::from_secs(20)).await;
            checks.check(
                took.is_some(),
                format!(
                    "live: a report posted via instance {i} reached all {} streams {}",
                    bases.len(),
                    took.map(|d| format!("in {} ms", d.as_millis()))
                        .unwrap_or_else(|| "— not within 20 s".into())
                ),
            );
            created.push(Posted { id, status, via: i });
        }

        // the first ones and the photo's report make up --reports
        let t0 = Instant::now();
        let total = a.reports.saturating_sub(bases.len() + 1);
        let (posted, retries, errors, kinds) = intake(client, bases, fx, total, a.seed).await;
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "intake: {} new reports via {} instances in {secs:.1} s ({:.0}/s), {retries} retries answered with their report, {errors} errors{}",
            posted.len(),
            bases.len(),
            (posted.len() + retries) as f64 / secs,
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" {kinds:?}")
            }
        );
        checks.check(errors == 0, format!("intake: {errors} requests failed"));
        created.extend(posted);

        // the plan: 60 % of the received reports dispatched, up to 200 of
        // the rest given a deadline that passes now
        let mut received: Vec<String> = created
            .iter()
            .filter(|p| p.status == "received")
            .map(|p| p.id.clone())
            .collect();
        let mut rng = Rng::new(a.seed ^ 0xd15);
        for i in (1..received.len()).rev() {
            received.swap(i, rng.below(i + 1));
        }
        let planned = received.len() * 6 / 10;
        let rest = received.split_off(planned);
        let short: Vec<String> = rest.into_iter().take(200).collect();
        let latest = short_deadlines(cfg, &short).await?;
        println!(
            "deadlines: {} received reports now fall due within {} s, with {} schedulers sweeping every second",
            short.len(),
            (latest - chrono::Utc::now()).num_seconds().max(0),
            bases.len()
        );

        let t0 = Instant::now();
        let d = dispatch_all(client, bases, commander, received).await;
        let answers = |x: Answer| d.answers.get(&x).copied().unwrap_or(0);
        println!(
            "dispatch: {planned} reports via {} instances in {:.1} s: {} dispatched; answers 200 ×{}, 409 ×{}, 422 ×{}, other ×{}",
            bases.len(),
            t0.elapsed().as_secs_f64(),
            d.ids.len(),
            answers(Answer::Done),
            answers(Answer::Stale),
            answers(Answer::Refused),
            answers(Answer::Other)
        );
        println!(
            "dispatch races: {} reports dispatched at once via two instances: one won and the other got 409 (same version) ×{}, 422 (read it dispatched) ×{}, both won ×{}, neither ×{}",
            d.races, d.race_stale, d.race_refused, d.race_both, d.race_neither
        );
        checks.check(
            d.race_both == 0 && answers(Answer::Other) == 0,
            format!(
                "dispatch: no race won twice ({}), no unexpected answer ({})",
                d.race_both,
                answers(Answer::Other)
            ),
        );

        // uploads, while the schedulers go on sweeping
        if let Some(id) = report_photo(client, bases, commander, fx, dir, a.seed ^ 0xf0, &mut checks).await? {
            created.push(Posted {
                id,
                status: "received".into(),
                via: 0,
            });
        }
        evidence_photo(client, bases, commander, cfg, a.seed, &mut checks).await?;

        // the deadlines: passed, and three more sweeps after the last
        let wait = (latest - chrono::Utc::now()).num_milliseconds().max(0) as u64 + 4000;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let short: HashSet<String> = short.into_iter().collect();
        let until = Instant::now() + Duration::from_secs(30);
        while escalated(cfg, &short).await? < short.len() && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }

        // live: every stream saw every new report and every dispatch
        let until = Instant::now() + Duration::from_secs(20);
        let missing = |s: &Seen| -> (usize, usize, usize) {
            let new = created.iter().filter(|p| !s.changes.contains_key(&p.id)).count();
            let dispatched = d
                .ids
                .iter()
                .filter(|id| !s.changes.get(*id).is_some_and(|st| st.contains("dispatched")))
                .count();
            (new, dispatched, s.events)
        };
        loop {
            let done = streams.iter().all(|s| {
                let (n, d, _) = missing(&s.lock().unwrap_or_else(|e| e.into_inner()));
                n + d == 0
            });
            if done || Instant::now() > until {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for (i, s) in streams.iter().enumerate() {
            let s = s.lock().unwrap_or_else(|e| e.into_inner());
            let (new, disp, events) = missing(&s);
            let elsewhere = created.iter().filter(|p| p.via != i).count();
            checks.check(
                new == 0 && disp == 0 && s.ended.is_none(),
                format!(
                    "live: instance {i}'s stream saw {}/{} new reports ({elsewhere} posted via other instances) and {}/{} dispatches ({events} events{})",
                    created.len() - new,
                    created.len(),
                    d.ids.len() - disp,
                    d.ids.len(),
                    s.ended.as_deref().map(|e| format!(", ended: {e}")).unwrap_or_default()
                ),
            );
        }
        anyhow::Ok((created.len(), short))
    }
    .await;
    for r in readers {
        r.abort();
    }
    let (reports, short) = result?;
    Ok((reports, checks, short))
}
