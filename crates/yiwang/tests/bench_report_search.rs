//! `yiwang bench report-search` works end to end on a small corpus: it seeds
//! the demo county and the reports, times searches and prints the figures.

use std::process::{Command, Stdio};

#[test]
fn the_report_search_benchmark_runs_on_a_small_corpus() {
    let out = Command::new(env!("CARGO_BIN_EXE_yiwang"))
        .args([
            "bench",
            "report-search",
            "--reports",
            "2000",
            "--searches",
            "60",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run yiwang");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("sqlite: seeded 2000 reports"), "{stdout}");
    for kind in ["2 characters", "4 characters", "township scope", "all"] {
        let line = stdout
            .lines()
            .find(|l| l.contains(kind) && l.contains("p50"))
            .unwrap_or_else(|| panic!("no {kind} line in {stdout}"));
        assert!(line.contains("p95") && line.contains("p99"), "{line}");
    }
    // searches found something: the corpus holds the words searched for
    let ranked = stdout
        .lines()
        .find(|l| l.contains("matches ranked on average"))
        .unwrap_or_default();
    assert!(!ranked.contains(" 0 matches"), "{ranked}");
}
