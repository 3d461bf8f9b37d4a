//! The binary as an operator meets it: bad configuration exits non-zero
//! with one clear line; migrate reports the schema version; serve stops
//! cleanly on SIGTERM.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn yiwang() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yiwang"));
    // A clean environment: no stray YIWANG_* from the caller.
    for (k, _) in std::env::vars() {
        if k.starts_with("YIWANG_") {
            c.env_remove(k);
        }
    }
    c.env("NO_COLOR", "1");
    c
}

fn run(c: &mut Command) -> Output {
    c.stdin(Stdio::null()).output().expect("run yiwang")
}

/// The last line on stderr, which must name the problem.
fn error_line(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected failure, got {:?}",
        out.status
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string();
    assert!(line.starts_with("yiwang: error: "), "{err}");
    line
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn unknown_config_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("y.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\nlisten_port = 9\n").unwrap();
    let out = run(yiwang().args(["serve", "--config"]).arg(&cfg));
    let line = error_line(&out);
    assert!(
        line.contains("unknown field") && line.contains("listen_port"),
        "{line}"
    );
}

#[test]
fn unknown_environment_key_is_named() {
    let out = run(yiwang().args(["migrate"]).env("YIWANG_DATA_DIR", "/tmp/x"));
    let line = error_line(&out);
    assert!(line.contains("data_dir"), "{line}");
}

#[test]
fn unreachable_database_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port(); // nothing listens there
    let url = format!("postgres://yiwang:secret@127.0.0.1:{port}/yiwang");
    let out = run(yiwang()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            &url,
            "--data",
        ])
        .arg(dir.path())
        .env("YIWANG_DB_ACQUIRE_TIMEOUT_SECS", "1"));
    let line = error_line(&out);
    assert!(line.contains("database"), "{line}");
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    assert!(
        !line.contains("secret"),
        "the password is never printed: {line}"
    );
}

#[test]
fn unwritable_data_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    // A folder below a regular file cannot be created, even by root.
    let out = run(yiwang()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(file.join("data")));
    let line = error_line(&out);
    assert!(
        line.contains("data folder") && line.contains("a-file"),
        "{line}"
    );
}

#[test]
fn port_in_use_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = run(yiwang()
        .args(["serve", "--listen", &addr, "--data"])
        .arg(dir.path()));
    let line = error_line(&out);
    assert!(
        line.contains("cannot listen on") && line.contains(&addr),
        "{line}"
    );
}

#[test]
fn bad_listen_address_is_named() {
    let out = run(yiwang().args(["serve", "--listen", "localhost"]));
    let line = error_line(&out);
    assert!(line.contains("listen"), "{line}");
}

#[test]
fn migrate_reports_the_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(yiwang().args(["migrate", "--data"]).arg(dir.path()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let latest = store::migrations::latest_version();
    assert!(
        text.contains(&format!("schema version 0 → {latest} on sqlite")),
        "{text}"
    );
    let out = run(yiwang().args(["migrate", "--data"]).arg(dir.path()));
    assert!(String::from_utf8_lossy(&out.stdout).contains("(up to date)"));
    assert!(dir.path().join("yiwang.db").exists());
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    Some(buf)
}

#[test]
fn serve_stops_cleanly_on_sigterm_and_logs_json_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = yiwang()
        .args([
            "serve",
            "--log-json",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data",
        ])
        .arg(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut ready = None;
    while start.elapsed() < Duration::from_secs(20) {
        if let Some(r) = http_get(port, "/readyz") {
            ready = Some(r);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let ready = ready.expect("server came up");
    assert!(
        ready.starts_with("HTTP/1.0 200") || ready.starts_with("HTTP/1.1 200"),
        "{ready}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit {:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["message"]
            .as_str()
            .is_some_and(|m| m.contains("shutdown requested"))),
        "{log}"
    );
}

/// `yiwang user create` reads the password from standard input, records the
/// creation in the audit chain; `yiwang audit verify` passes, then names the
/// entry edited directly in the database.
async fn user_create_then_tamper(db: &store::testing::TestDb) {
    let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
    demo::seed(&db.store, &key).await.unwrap();
    let url = db.config.database_url.clone();
    let with_db = |c: &mut Command| {
        c.arg("--data").arg(db.dir.path());
        if let Some(u) = &url {
            c.args(["--database-url", u]);
        }
    };
    let mut create = yiwang();
    create.args([
        "user",
        "create",
        "--username",
        "zhang.wei",
        "--display-name",
        "张伟",
        "--role",
        "officer",
        "--jurisdiction",
        "411423100",
    ]);
    with_db(&mut create);
    let mut child = create
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"secret123\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created user zhang.wei"));

    let mut verify = yiwang();
    verify.args(["audit", "verify"]);
    with_db(&mut verify);
    let out = run(&mut verify);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("audit chain intact: 2 entries verified")
    );

    let mut c = db.store.acquire().await.unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        .execute(&mut *c)
        .await
        .unwrap();
    drop(c);
    let mut verify = yiwang();
    verify.args(["audit", "verify"]);
    with_db(&mut verify);
    let line = error_line(&run(&mut verify));
    assert_eq!(
        line,
        "yiwang: error: audit chain broken: entry 2 was altered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_audit_verify_names_an_edited_entry() {
    let db = store::testing::TestDb::sqlite().await;
    user_create_then_tamper(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_audit_verify_names_an_edited_entry() {
    let Some(db) = store::testing::TestDb::postgres().await else {
        eprintln!("skipped: {} is not set", store::testing::PG_URL_VAR);
        return;
    };
    user_create_then_tamper(&db).await;
}

#[test]
fn user_create_refuses_a_weak_password_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = yiwang();
    c.args([
        "user",
        "create",
        "--username",
        "x1y2z3",
        "--role",
        "officer",
        "--jurisdiction",
        "411423100",
        "--data",
    ])
    .arg(dir.path());
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let line = error_line(&out);
    assert!(line.contains("password"), "{line}");
    assert!(
        !dir.path().join("yiwang.db").exists(),
        "nothing was written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn power_list_export_then_import_dry_run() {
    let db = store::testing::TestDb::sqlite().await;
    demo::seed(&db.store, b"k").await.unwrap();
    let file = db.dir.path().join("list.csv");
    let out = run(yiwang()
        .args(["export", "power-list", "--format", "csv", "--output"])
        .arg(&file)
        .arg("--data")
        .arg(db.dir.path()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(yiwang()
        .args(["import", "power-list", "--dry-run"])
        .arg(&file));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("items, no errors; nothing imported"),
        "{text}"
    );
    // one broken row is named, and nothing is imported
    let csv = std::fs::read_to_string(&file).unwrap();
    let broken = csv.replacen("行政处罚", "行政许可审批", 1);
    std::fs::write(&file, broken).unwrap();
    let out = run(yiwang()
        .args(["import", "power-list"])
        .arg(&file)
        .arg("--data")
        .arg(db.dir.path()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 2 (") && err.contains("未知事项类型"),
        "{err}"
    );
    let line = error_line(&out);
    assert!(
        line.contains("1 bad rows") && line.contains("nothing imported"),
        "{line}"
    );
    // the export of one township is a subset
    let out = run(yiwang()
        .args([
            "export",
            "power-list",
            "--format",
            "json",
            "--township",
            "411423100",
            "--data",
        ])
        .arg(db.dir.path()));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v["items"].as_array().unwrap().len();
    assert!(n > 100 && n < 187, "{n}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_grids_names_every_fault_then_imports_the_clean_file() {
    let db = store::testing::TestDb::sqlite().await;
    demo::seed(&db.store, b"k").await.unwrap();
    // a township with an outline for the fixtures
    {
        let mut conn = db.store.acquire().await.unwrap();
        let county = store::org::jurisdiction_by_code(&mut conn, "411423")
            .await
            .unwrap();
        let t = store::org::insert_jurisdiction(
            &mut conn,
            store::org::NewJurisdiction {
                code: "411423199",
                name: "示例镇",
                name_en: "Example Town",
                level: domain::org::Level::Township,
                parent: Some(&county),
                seat: Some((115.65, 34.44)),
            },
        )
        .await
        .unwrap();
        let outline: serde_json::Value =
            serde_json::from_str(include_str!("../../geo/tests/fixtures/township.geojson"))
                .unwrap();
        store::grids::set_area(&mut conn, &t.id, &outline["geometry"].to_string(), 1.0)
            .await
            .unwrap();
    }
    let faulty = db.dir.path().join("faulty.geojson");
    std::fs::write(
        &faulty,
        include_str!("../../geo/tests/fixtures/grids_faulty.geojson")
            .replace("411423100", "411423199"),
    )
    .unwrap();
    let out = run(yiwang()
        .args(["import", "grids"])
        .arg(&faulty)
        .arg("--data")
        .arg(db.dir.path()));
    let err = String::from_utf8_lossy(&out.stderr);
    for kind in [
        "self_intersection",
        "overlap",
        "gap",
        "outside_township",
        "duplicate_code",
    ] {
        assert!(err.contains(kind), "{kind} reported: {err}");
    }
    let line = error_line(&out);
    assert!(line.contains("nothing imported"), "{line}");
    let clean = db.dir.path().join("clean.geojson");
    std::fs::write(
        &clean,
        include_str!("../../geo/tests/fixtures/grids_clean.geojson")
            .replace("411423100", "411423199"),
    )
    .unwrap();
    let out = run(yiwang()
        .args(["import", "grids", "--dry-run"])
        .arg(&clean)
        .arg("--data")
        .arg(db.dir.path()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing imported"));
    let out = run(yiwang()
        .args(["import", "grids"])
        .arg(&clean)
        .arg("--data")
        .arg(db.dir.path()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("imported ") && text.contains(" grids"),
        "{text}"
    );
    let mut conn = db.store.acquire().await.unwrap();
    let town = store::org::jurisdiction_by_code(&mut conn, "411423199")
        .await
        .unwrap();
    let grids = store::grids::all(&mut conn).await.unwrap();
    assert!(grids.iter().any(|g| g.township_code == town.code));
}
