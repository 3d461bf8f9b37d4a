//! The database going away and coming back, and shutting down with
//! requests in flight. PostgreSQL is reached through a small TCP proxy the
//! test can cut, restore and slow down, so the shared server itself is
//! never stopped.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;
use server::Application;
use store::testing::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

struct Proxy {
    port: u16,
    upstream: String,
    slow: Arc<AtomicBool>,
    tasks: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(port: u16, upstream: String, slow: Arc<AtomicBool>) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let tasks: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (t2, up, sl) = (tasks.clone(), upstream.clone(), slow.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (up, sl) = (up.clone(), sl.clone());
                let h = tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&up).await {
                        pipe(client, server, sl).await;
                    }
                });
                t2.lock().unwrap().push(h);
            }
        });
        tasks.lock().unwrap().push(accept);
        Proxy {
            port,
            upstream,
            slow,
            tasks,
        }
    }

    /// Cut every connection and stop listening: the database is "down".
    fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    async fn restore(&self) -> Proxy {
        Proxy::start(self.port, self.upstream.clone(), self.slow.clone()).await
    }
}

async fn pipe(client: TcpStream, server: TcpStream, slow: Arc<AtomicBool>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async {
        let mut buf = vec![0u8; 16384];
        while let Ok(n) = cr.read(&mut buf).await {
            if n == 0 || sw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    let down = async {
        let mut buf = vec![0u8; 16384];
        while let Ok(n) = sr.read(&mut buf).await {
            if slow.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            if n == 0 || cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    tokio::join!(up, down);
}

/// The test database's URL, rerouted through a proxy on `port`.
fn via_proxy(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (auth_host, path) = rest.split_once('/').unwrap();
    let (auth, _) = auth_host
        .rsplit_once('@')
        .map(|(a, h)| (format!("{a}@"), h))
        .unwrap_or((String::new(), auth_host));
    format!("{scheme}://{auth}127.0.0.1:{port}/{path}")
}

fn upstream_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let host = rest.split('/').next().unwrap();
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    }
}

async fn proxied_store(
    db: &TestDb,
    slow: Arc<AtomicBool>,
) -> (Proxy, store::Store, server::Settings) {
    let url = db.config.database_url.clone().unwrap();
    let proxy = Proxy::start(0, upstream_of(&url), slow).await;
    let mut settings = test_settings(db);
    settings.database_url = Some(via_proxy(&url, proxy.port));
    settings.db_acquire_timeout_secs = 1;
    let store = store::Store::open(&settings.store_config())
        .await
        .expect("open via proxy");
    (proxy, store, settings)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_readyz_turns_503_while_the_database_is_away_and_recovers() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("skipped: {} is not set", store::testing::PG_URL_VAR);
        return;
    };
    let (proxy, store, settings) = proxied_store(&db, Arc::default()).await;
    let app = spawn_with(settings, store).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.cut();
    let body = problem(app.get("/readyz").await, 503).await;
    assert_eq!(body["code"], "not_ready.database");
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "the process stays up"
    );
    let body = problem(app.get("/api/v1/overview").await, 503).await;
    assert_eq!(body["code"], "unavailable");

    let _back = proxy.restore().await;
    let start = Instant::now();
    loop {
        if app.get("/readyz").await.status() == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.get("/api/v1/overview").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_shutdown_lets_in_flight_requests_finish() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("skipped: {} is not set", store::testing::PG_URL_VAR);
        return;
    };
    let slow = Arc::new(AtomicBool::new(false));
    let (_proxy, store, settings) = proxied_store(&db, slow.clone()).await;
    let app = Application::build_with_store(settings, store)
        .await
        .unwrap();
    let base = format!("http://{}", app.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Every database answer now takes 400 ms: /readyz is a slow request.
    slow.store(true, Ordering::SeqCst);
    let started = Instant::now();
    let in_flight = tokio::spawn({
        let (client, base) = (client.clone(), base.clone());
        async move { client.get(format!("{base}/readyz")).send().await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.send(()).unwrap();
    let resp = in_flight
        .await
        .unwrap()
        .expect("in-flight request answered");
    assert_eq!(resp.status(), 200, "finished, not cut off");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "it really was in flight"
    );
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("server stopped after the request")
        .unwrap()
        .unwrap();
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no longer listening"
    );
}
