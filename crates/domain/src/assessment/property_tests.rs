//! Invariants over random facts: rates are shares, counts nest, the 90th
//! percentile lies between the median and the longest time, scores are
//! finite, and a ranking does not depend on the order of its input.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::facts::ReportFact;
use super::indicators::{self as ind, Indicator};
use super::ranking::rank;
use super::rules::ScoringRules;
use super::{Period, Query, Subject, SubjectKind};
use crate::report::Status;

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 25, 0, 0, 0).unwrap()
}

const IDS: [&str; 3] = ["a", "b", "c"];

fn arb_fact() -> impl Strategy<Value = ReportFact> {
    (
        (
            0usize..Status::ALL.len(),
            0i64..(40 * 24),
            proptest::option::of(0i64..500),
        ),
        (0u32..4, 0u32..3, 0u32..2, 0u32..3),
        (
            proptest::option::of(1u8..=5),
            any::<bool>(),
            proptest::option::of(-100i64..100),
        ),
        (0usize..4, 0usize..4, 0usize..4),
    )
        .prop_map(
            |((s, at, done), (v, w, flags, notices), (score, paused, due), (q, o, by))| {
                let received_at = base() + Duration::hours(at);
                let pick = |i: usize| IDS.get(i).map(|s| s.to_string());
                ReportFact {
                    id: format!("r{at}"),
                    status: Status::ALL[s],
                    received_at,
                    due_at: due.map(|d| received_at + Duration::hours(d)),
                    paused,
                    handled_at: done.map(|h| received_at + Duration::minutes(h * 17)),
                    verifications: v,
                    reworks: w.min(v),
                    overdue_flags: flags,
                    notices,
                    score,
                    township: "T".into(),
                    brigade: Some("DD".into()),
                    squad: pick(q),
                    officer: pick(o),
                    grid_worker: pick(o),
                    reported_by: pick(by),
                    department: pick(q),
                }
            },
        )
}

fn query(kind: SubjectKind, id: &str) -> Query {
    Query {
        subject: Subject::new(kind, id),
        period: Period::new(
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        )
        .unwrap(),
        as_of: base() + Duration::days(30),
    }
}

fn arb_query() -> impl Strategy<Value = Query> {
    (0usize..SubjectKind::ALL.len(), 0usize..IDS.len())
        .prop_map(|(k, i)| query(SubjectKind::ALL[k], IDS[i]))
}

proptest! {
    #[test]
    fn rates_are_shares_and_counts_nest(
        facts in proptest::collection::vec(arb_fact(), 0..40),
        q in arb_query(),
    ) {
        for rate in [
            ind::on_time_rate(&facts, &q),
            ind::closure_rate(&facts, &q),
            ind::rework_rate(&facts, &q),
            ind::report_accuracy(&facts, &q),
            ind::satisfaction(&facts, &q),
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!((0.0..=1.0).contains(&rate), "{rate}");
        }
        let received = ind::received(&facts, &q);
        prop_assert!(ind::handled(&facts, &q) <= received);
        prop_assert!(ind::overdue(&facts, &q) <= received);
        // a rate has a value exactly when its denominator is not empty
        prop_assert_eq!(ind::on_time_rate(&facts, &q).is_some(), ind::handled(&facts, &q) > 0);
        let submitted = facts
            .iter()
            .filter(|f| q.period.contains(f.received_at) && f.submitted_for(&q.subject))
            .count() as u64;
        prop_assert!(ind::valid_reports(&facts, &q) <= submitted);
    }

    #[test]
    fn the_90th_percentile_lies_between_the_median_and_the_longest(
        facts in proptest::collection::vec(arb_fact(), 0..40),
        q in arb_query(),
    ) {
        let mut hours: Vec<f64> = facts
            .iter()
            .filter(|f| q.period.contains(f.received_at) && f.answers_to(&q.subject))
            .filter_map(ReportFact::handling_hours)
            .collect();
        hours.sort_by(f64::total_cmp);
        let p90 = ind::p90_handling_hours(&facts, &q);
        let mean = ind::mean_handling_hours(&facts, &q);
        prop_assert_eq!(p90.is_some(), !hours.is_empty());
        if let (Some(p90), Some(mean)) = (p90, mean) {
            let median = ind::percentile(&hours, 50).unwrap();
            prop_assert!(median <= p90);
            prop_assert!(p90 <= *hours.last().unwrap());
            prop_assert!(hours[0] <= mean + 1e-9 && mean <= hours[hours.len() - 1] + 1e-9);
            prop_assert!(p90 >= 0.0);
        }
    }

    #[test]
    fn standard_scores_are_finite(
        facts in proptest::collection::vec(arb_fact(), 0..30),
        q in arb_query(),
    ) {
        let values = ind::all(&facts, &[], &q);
        prop_assert_eq!(values.len(), Indicator::ALL.len());
        let s = ScoringRules::standard().score(&values);
        prop_assert!(s.total.is_finite());
    }

    #[test]
    fn a_ranking_does_not_depend_on_input_order(
        scores in proptest::collection::vec((0usize..6, 0u32..8), 0..12),
        rotate in 0usize..12,
    ) {
        // unique subjects, scores with frequent ties
        let mut input: Vec<(String, f64)> = Vec::new();
        for (id, s) in scores {
            let id = format!("s{id}");
            if !input.iter().any(|(i, _)| *i == id) {
                input.push((id, 90.0 + f64::from(s) * 0.5));
            }
        }
        let first = rank(&input);
        let n = input.len().max(1);
        input.rotate_left(rotate % n);
        input.reverse();
        prop_assert_eq!(&rank(&input), &first);
        for (i, p) in first.iter().enumerate() {
            prop_assert!(p.rank >= 1 && p.rank as usize <= i + 1);
            if i > 0 {
                let prev = &first[i - 1];
                prop_assert!(prev.score >= p.score);
                prop_assert_eq!(prev.score == p.score, prev.rank == p.rank);
                if prev.rank != p.rank {
                    prop_assert_eq!(p.rank as usize, i + 1);
                }
            }
        }
    }
}
