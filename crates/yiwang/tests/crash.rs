//! The short crash test that runs with every test run: `yiwang bench crash`
//! kills the server three times under load on SQLite (and on PostgreSQL
//! when `TEST_DATABASE_URL` names a server); every acknowledged report must
//! be stored intact and none twice. `make crash-test` runs the long one.

use std::process::{Command, Stdio};

#[test]
fn acknowledged_reports_survive_sigkill_and_none_is_stored_twice() {
    let mut args = vec![
        "bench".to_string(),
        "crash".into(),
        "--kills".into(),
        "3".into(),
        "--clients".into(),
        "8".into(),
        "--grids".into(),
        "200".into(),
    ];
    let postgres = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if let Some(url) = &postgres {
        args.push("--postgres".into());
        args.push(url.clone());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_yiwang"))
        .args(&args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run yiwang");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    let figures: Vec<usize> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(
        last.starts_with("acknowledged ") && figures.len() == 3,
        "last line: {last}\n{stdout}"
    );
    assert!(figures[0] > 0, "nothing was acknowledged: {stdout}");
    assert_eq!((figures[1], figures[2]), (0, 0), "{stdout}");
    let rounds = stdout.matches(": round ").count();
    assert_eq!(rounds, if postgres.is_some() { 6 } else { 3 }, "{stdout}");
}
