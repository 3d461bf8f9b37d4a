//! `yiwang backup` and `yiwang restore` round trips: the demo county with a
//! stored document is backed up while its database is open, restored into
//! a new place, and the restored audit chain verifies with the same number
//! of entries. A damaged backup is refused naming the file, before anything
//! is written; a target that holds a database is refused. On SQLite always;
//! on PostgreSQL (pg_dump/pg_restore) when TEST_DATABASE_URL is set.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use store::testing::TestDb;

fn yiwang() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yiwang"));
    for (k, _) in std::env::vars() {
        if k.starts_with("YIWANG_") {
            c.env_remove(k);
        }
    }
    c.env("NO_COLOR", "1");
    c.stdin(Stdio::null());
    c
}

fn ok(out: Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn failed(out: Output) -> String {
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The demo county seeded into `db`, a document file in its data folder;
/// the number of audit entries.
async fn seeded(db: &TestDb) -> u64 {
    let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
    demo::seed(&db.store, &key).await.unwrap();
    let doc = db.dir.path().join("documents/ab/ab01");
    std::fs::create_dir_all(doc.parent().unwrap()).unwrap();
    std::fs::write(&doc, b"%PDF-1.7 a stored decision").unwrap();
    let mut conn = db.store.acquire().await.unwrap();
    store::audit::verify(&mut conn, &key)
        .await
        .unwrap()
        .expect("the seeded chain verifies") as u64
}

fn entries(text: &str) -> u64 {
    let tail = text
        .split("audit chain intact: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no verification line in {text}"));
    tail.split_whitespace().next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_sqlite_backup_taken_online_restores_with_its_audit_chain() {
    let db = TestDb::sqlite().await;
    let n = seeded(&db).await;
    let backup = tempfile::tempdir().unwrap();
    let to = backup.path().join("b");
    // the test keeps the database open: the copy is taken online
    let text = ok(yiwang()
        .args(["backup", "--data"])
        .arg(db.dir.path())
        .arg("--to")
        .arg(&to)
        .output()
        .unwrap());
    assert!(text.contains("backup written"), "{text}");
    assert!(to.join("MANIFEST.sha256").exists());

    let target = tempfile::tempdir().unwrap();
    let restored = target.path().join("data");
    let text = ok(yiwang()
        .args(["restore", "--data"])
        .arg(&restored)
        .arg("--from")
        .arg(&to)
        .output()
        .unwrap());
    assert_eq!(entries(&text), n, "{text}");
    assert_eq!(
        std::fs::read(restored.join("documents/ab/ab01")).unwrap(),
        b"%PDF-1.7 a stored decision"
    );
    let text = ok(yiwang()
        .args(["audit", "verify", "--data"])
        .arg(&restored)
        .output()
        .unwrap());
    assert!(text.contains(&format!("{n} entries verified")), "{text}");
    // restoring over a database is refused
    let err = failed(
        yiwang()
            .args(["restore", "--data"])
            .arg(&restored)
            .arg("--from")
            .arg(&to)
            .output()
            .unwrap(),
    );
    assert!(err.contains("already holds a database"), "{err}");
    // a damaged file is named and nothing is written
    std::fs::write(to.join("documents/ab/ab01"), b"altered").unwrap();
    let fresh = target.path().join("fresh");
    let err = failed(
        yiwang()
            .args(["restore", "--data"])
            .arg(&fresh)
            .arg("--from")
            .arg(&to)
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("documents/ab/ab01") && err.contains("SHA-256"),
        "{err}"
    );
    assert!(!fresh.join("yiwang.db").exists());
}

fn has_tool(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn a_postgres_backup_restores_into_an_empty_database() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL round trip skipped");
        return;
    };
    assert!(
        has_tool("pg_dump") && has_tool("pg_restore"),
        "pg_dump and pg_restore are needed (postgresql-client)"
    );
    let n = seeded(&db).await;
    let url = db.config.database_url.clone().unwrap();
    let backup = tempfile::tempdir().unwrap();
    let to = backup.path().join("b");
    ok(yiwang()
        .args(["backup", "--data"])
        .arg(db.dir.path())
        .args(["--database-url", &url, "--to"])
        .arg(&to)
        .output()
        .unwrap());
    // an empty database to restore into
    let admin = TestDb::postgres_admin_url().unwrap();
    let name = format!("yiwang_restore_{}", std::process::id());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await;
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let target_url = store::testing::with_database(&admin, &name);
    let target = tempfile::tempdir().unwrap();
    let result = yiwang()
        .args(["restore", "--data"])
        .arg(target.path())
        .args(["--database-url", &target_url, "--from"])
        .arg(&to)
        .output()
        .unwrap();
    let again = yiwang()
        .args(["restore", "--data"])
        .arg(target.path())
        .args(["--database-url", &target_url, "--from"])
        .arg(&to)
        .output()
        .unwrap();
    let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await;
    let text = ok(result);
    assert_eq!(entries(&text), n, "{text}");
    assert!(Path::new(&target.path().join("documents/ab/ab01")).exists());
    let err = failed(again);
    assert!(err.contains("not empty"), "{err}");
}
