//! Every indicator on one small fixture, its expected value worked out by
//! hand (the arithmetic is in the comments).
//!
//! Period: 1–31 March 2026 (China time). Now: 10 April 2026.
//!
//! | report | squad | officer | grid | submitted by | status | received (China) | handled after | verif./rework | flags | notices | score |
//! |---|---|---|---|---|---|---|---|---|---|---|---|
//! | R1 | ZD1 | o1 | g1 | g1 | evaluated | 3-02 09:00 | 4 h | 1/0 | 0 | 0 | 5 |
//! | R2 | ZD1 | o1 | g1 | g1 | evaluated | 3-03 08:00 | 10 h | 2/1 | 1 | 1 | 3 |
//! | R3 | ZD1 | o2 | g2 | – | verified | 3-04 08:00 | 2 h | 1/0 | 0 | 0 | – |
//! | R4 | ZD1 | o2 | g2 | – | handling, due 3-06 | 3-05 08:00 | – | 1/1 | 0 | 2 | – |
//! | R5 | ZD1 | – | g1 | g1 | received, due 4-20 | 3-06 08:00 | – | 0/0 | 0 | 0 | – |
//! | R6 | ZD1 | – | g1 | g1 | rejected | 3-07 08:00 | – | 0/0 | 0 | 0 | – |
//! | R7 | ZD1 | o1 | g1 | – | evaluated | **2-28 23:00** (outside) | 2 h | 1/0 | 0 | 0 | 1 |
//! | R8 | ZD1 | o1 | g1 | – | evaluated | **3-31 23:30** (inside) | 24 h | 1/0 | 0 | 0 | 4 |
//! | R9 | ZD2 | o3 | g3 | – | evaluated | 3-10 08:00 | 1 h | 1/0 | 0 | 0 | 3 |
//! | R10 | ZD1 | – | g2 | g2 | handed over | 3-08 08:00 | – | 0/0 | 0 | 0 | – |
//!
//! R1 and R9 lie in the market-supervision field (department SJ). Every
//! report is township T's, brigade DD's.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::facts::{CaseFact, ReportFact};
use super::indicators::*;
use super::{Period, Query, Subject, SubjectKind};
use crate::report::Status;

fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

#[allow(clippy::too_many_arguments)]
fn report(
    id: &str,
    (squad, officer, grid, by): (&str, &str, &str, &str),
    status: Status,
    received_at: DateTime<Utc>,
    handled_hours: Option<i64>,
    (verifications, reworks, overdue_flags, notices): (u32, u32, u32, u32),
    score: Option<u8>,
) -> ReportFact {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    ReportFact {
        id: id.into(),
        status,
        received_at,
        due_at: None,
        paused: false,
        handled_at: handled_hours.map(|h| received_at + chrono::Duration::hours(h)),
        verifications,
        reworks,
        overdue_flags,
        notices,
        score,
        township: "T".into(),
        brigade: Some("DD".into()),
        squad: opt(squad),
        officer: opt(officer),
        grid_worker: opt(grid),
        reported_by: opt(by),
        department: None,
    }
}

#[rustfmt::skip]
pub(super) fn reports() -> Vec<ReportFact> {
    use Status::*;
    let mut r = vec![
        report("R1", ("ZD1", "o1", "g1", "g1"), Evaluated, utc(3, 2, 1, 0), Some(4), (1, 0, 0, 0), Some(5)),
        report("R2", ("ZD1", "o1", "g1", "g1"), Evaluated, utc(3, 3, 0, 0), Some(10), (2, 1, 1, 1), Some(3)),
        report("R3", ("ZD1", "o2", "g2", ""), Verified, utc(3, 4, 0, 0), Some(2), (1, 0, 0, 0), None),
        report("R4", ("ZD1", "o2", "g2", ""), Handling, utc(3, 5, 0, 0), None, (1, 1, 0, 2), None),
        report("R5", ("ZD1", "", "g1", "g1"), Received, utc(3, 6, 0, 0), None, (0, 0, 0, 0), None),
        report("R6", ("ZD1", "", "g1", "g1"), Rejected, utc(3, 7, 0, 0), None, (0, 0, 0, 0), None),
        report("R7", ("ZD1", "o1", "g1", ""), Evaluated, utc(2, 28, 15, 0), Some(2), (1, 0, 0, 0), Some(1)),
        report("R8", ("ZD1", "o1", "g1", ""), Evaluated, utc(3, 31, 15, 30), Some(24), (1, 0, 0, 0), Some(4)),
        report("R9", ("ZD2", "o3", "g3", ""), Evaluated, utc(3, 10, 0, 0), Some(1), (1, 0, 0, 0), Some(3)),
        report("R10", ("ZD1", "", "g2", "g2"), HandedOver, utc(3, 8, 0, 0), None, (0, 0, 0, 0), None),
    ];
    r[3].due_at = Some(utc(3, 6, 0, 0)); // past: late now
    r[4].due_at = Some(utc(4, 20, 0, 0)); // still ahead
    r[0].department = Some("SJ".into());
    r[8].department = Some("SJ".into());
    r
}

/// C1 filed 3-05 decided 3-20 (ZD1: o1, o2; field SJ); C2 filed 2-20
/// decided 3-01 (ZD1: o1); C3 filed 3-31, undecided (ZD2: o3); C4 filed
/// 4-01, undecided (ZD1: o2).
pub(super) fn cases() -> Vec<CaseFact> {
    let case = |id: &str, squad: &str, officers: &[&str], filed, decided| CaseFact {
        id: id.into(),
        township: "T".into(),
        brigade: Some("DD".into()),
        squads: vec![squad.into()],
        officers: officers.iter().map(|o| o.to_string()).collect(),
        department: None,
        filed_on: filed,
        decided_on: decided,
    };
    let mut c = vec![
        case("C1", "ZD1", &["o1", "o2"], day(3, 5), Some(day(3, 20))),
        case("C2", "ZD1", &["o1"], day(2, 20), Some(day(3, 1))),
        case("C3", "ZD2", &["o3"], day(3, 31), None),
        case("C4", "ZD1", &["o2"], day(4, 1), None),
    ];
    c[0].department = Some("SJ".into());
    c
}

pub(super) fn q(kind: SubjectKind, id: &str) -> Query {
    Query {
        subject: Subject::new(kind, id),
        period: Period::new(day(3, 1), day(3, 31)).unwrap(),
        as_of: utc(4, 10, 0, 0),
    }
}

pub(super) fn squad() -> Query {
    q(SubjectKind::Squad, "ZD1")
}

#[test]
fn received_counts_the_period_in_china_time() {
    // ZD1: R1 R2 R3 R4 R5 R6 R8 R10 = 8 (R7 is 28 Feb in China, R9 is ZD2's)
    assert_eq!(received(&reports(), &squad()), 8);
    // o1: R1 R2 R8 = 3; g1's grids: R1 R2 R5 R6 R8 = 5; T: 8 + R9 = 9; SJ: R1 R9 = 2
    assert_eq!(received(&reports(), &q(SubjectKind::Officer, "o1")), 3);
    assert_eq!(received(&reports(), &q(SubjectKind::GridWorker, "g1")), 5);
    assert_eq!(received(&reports(), &q(SubjectKind::Township, "T")), 9);
    assert_eq!(received(&reports(), &q(SubjectKind::Brigade, "DD")), 9);
    assert_eq!(received(&reports(), &q(SubjectKind::Department, "SJ")), 2);
}

#[test]
fn handled_counts_results_that_passed_verification() {
    // R1 R2 evaluated, R3 verified, R8 evaluated = 4
    assert_eq!(handled(&reports(), &squad()), 4);
}

#[test]
fn on_time_rate() {
    // handled R1 R2 R3 R8; R2 was flagged overdue → 3 / 4 = 0.75
    assert_eq!(
        super::indicators::on_time_rate(&reports(), &squad()),
        Some(0.75)
    );
    // o1: R1 R2 R8 → 2 / 3
    let v = super::indicators::on_time_rate(&reports(), &q(SubjectKind::Officer, "o1"));
    assert!((v.unwrap() - 2.0 / 3.0).abs() < 1e-12);
}

#[test]
fn closure_rate() {
    // actionable: all but R6 (rejected) and R10 (handed over) = 6;
    // closed or evaluated: R1 R2 R8 = 3 → 3 / 6 = 0.5
    assert_eq!(
        super::indicators::closure_rate(&reports(), &squad()),
        Some(0.5)
    );
}

#[test]
fn rework_rate() {
    // verified at least once: R1 R2 R3 R4 R8 = 5; reworked: R2 R4 = 2 → 0.4
    assert_eq!(
        super::indicators::rework_rate(&reports(), &squad()),
        Some(0.4)
    );
}

#[test]
fn overdue_counts_flags_and_late_steps() {
    // R2 flagged; R4 due 3-06, still handling on 4-10; R5 due 4-20 is not → 2
    assert_eq!(overdue(&reports(), &squad()), 2);
    // paused, R4's clock stands still → only R2
    let mut r = reports();
    r[3].paused = true;
    assert_eq!(overdue(&r, &squad()), 1);
}

#[test]
fn mean_handling_hours() {
    // R1 4 h, R2 10 h, R3 2 h, R8 24 h → (4 + 10 + 2 + 24) / 4 = 10
    assert_eq!(
        super::indicators::mean_handling_hours(&reports(), &squad()),
        Some(10.0)
    );
    // nothing handled → no value
    assert_eq!(
        super::indicators::mean_handling_hours(&reports(), &q(SubjectKind::Squad, "ZD9")),
        None
    );
}

#[test]
fn p90_handling_hours() {
    // sorted 2, 4, 10, 24; rank ⌈0.9 × 4⌉ = ⌈3.6⌉ = 4 → 24
    assert_eq!(
        super::indicators::p90_handling_hours(&reports(), &squad()),
        Some(24.0)
    );
    // R9 alone: rank ⌈0.9⌉ = 1 → 1 h
    assert_eq!(
        super::indicators::p90_handling_hours(&reports(), &q(SubjectKind::Squad, "ZD2")),
        Some(1.0)
    );
}

#[test]
fn notices() {
    // R2 1 + R4 2 = 3
    assert_eq!(super::indicators::notices(&reports(), &squad()), 3);
}

#[test]
fn cases_filed() {
    // ZD1: C1 (3-05); C2 filed in February, C4 in April → 1
    assert_eq!(super::indicators::cases_filed(&cases(), &squad()), 1);
    // T: C1, C3 (3-31) → 2; o3: C3 → 1; a grid worker files none
    assert_eq!(
        super::indicators::cases_filed(&cases(), &q(SubjectKind::Township, "T")),
        2
    );
    assert_eq!(
        super::indicators::cases_filed(&cases(), &q(SubjectKind::Officer, "o3")),
        1
    );
    assert_eq!(
        super::indicators::cases_filed(&cases(), &q(SubjectKind::GridWorker, "g1")),
        0
    );
}

#[test]
fn cases_decided() {
    // ZD1: C1 (3-20), C2 (3-01, filed earlier) → 2; SJ: C1 → 1; o2: C1 → 1
    assert_eq!(super::indicators::cases_decided(&cases(), &squad()), 2);
    assert_eq!(
        super::indicators::cases_decided(&cases(), &q(SubjectKind::Department, "SJ")),
        1
    );
    assert_eq!(
        super::indicators::cases_decided(&cases(), &q(SubjectKind::Officer, "o2")),
        1
    );
}

#[test]
fn valid_reports() {
    // g1 submitted R1 R2 R5 R6: R1 R2 valid, R5 waiting, R6 rejected → 2
    assert_eq!(
        super::indicators::valid_reports(&reports(), &q(SubjectKind::GridWorker, "g1")),
        2
    );
    // ZD1's submitted: R1 R2 R5 R6 R10; valid R1 R2 R10 (handed over is valid) → 3
    assert_eq!(super::indicators::valid_reports(&reports(), &squad()), 3);
}

#[test]
fn report_accuracy() {
    // g1: decided R1 R2 R6, valid R1 R2 → 2 / 3
    let v = super::indicators::report_accuracy(&reports(), &q(SubjectKind::GridWorker, "g1"));
    assert!((v.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    // ZD1: decided R1 R2 R6 R10, valid R1 R2 R10 → 3 / 4
    assert_eq!(
        super::indicators::report_accuracy(&reports(), &squad()),
        Some(0.75)
    );
}

#[test]
fn satisfaction() {
    // scored R1 (5), R2 (3), R8 (4); R7 (1) is outside; 4 and 5 satisfy
    // → R1 R8 = 2 / 3
    let v = super::indicators::satisfaction(&reports(), &squad());
    assert!((v.unwrap() - 2.0 / 3.0).abs() < 1e-12, "{v:?}");
    // ZD2: R9 scored 3 → 0 / 1; nothing scored → no value
    assert_eq!(
        super::indicators::satisfaction(&reports(), &q(SubjectKind::Squad, "ZD2")),
        Some(0.0)
    );
    assert_eq!(
        super::indicators::satisfaction(&reports(), &q(SubjectKind::Officer, "o2")),
        None
    );
}
