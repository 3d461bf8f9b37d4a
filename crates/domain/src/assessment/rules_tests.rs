//! Scoring rules: loading, validation (each refusal names its field) and
//! scoring by hand.

use super::SubjectKind;
use super::fixture_tests::{cases, q, reports, squad};
use super::indicators::{Indicator, Values, all};
use super::rules::ScoringRules;
use crate::ErrorKind;

fn load(json: &str) -> ScoringRules {
    serde_json::from_str(json).unwrap()
}

fn refused(json: &str) -> (String, String) {
    let e = load(json).validate().unwrap_err();
    assert_eq!((e.kind, e.code), (ErrorKind::Invalid, "assessment.rules"));
    assert!(!e.zh.is_empty() && !e.en.is_empty());
    (e.field.unwrap(), e.en)
}

fn values(pairs: &[(Indicator, Option<f64>)]) -> Values {
    pairs.iter().copied().collect()
}

#[test]
fn the_standard_rules_are_valid_and_round_trip() {
    let r = ScoringRules::standard();
    r.validate().unwrap();
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(load(&json), r);
}

#[test]
fn unknown_keys_and_indicators_are_refused_when_loading() {
    assert!(serde_json::from_str::<ScoringRules>(r#"{"base":100,"rules":[],"bonus":1}"#).is_err());
    assert!(
        serde_json::from_str::<ScoringRules>(r#"{"base":100,"rules":[{"indicator":"speed"}]}"#)
            .is_err()
    );
}

#[test]
fn validation_names_the_field() {
    let (f, _) = refused(r#"{"base": -1, "rules": [{"indicator": "overdue", "points": -1}]}"#);
    assert_eq!(f, "base");
    let (f, _) = refused(r#"{"base": 100, "rules": []}"#);
    assert_eq!(f, "rules");
    let (f, _) = refused(
        r#"{"base": 100, "rules": [{"indicator": "overdue", "points": -1},
            {"indicator": "overdue", "points": -2}]}"#,
    );
    assert_eq!(f, "rules[1].indicator");
    let (f, _) =
        refused(r#"{"base": 100, "rules": [{"indicator": "overdue", "points": -1, "cap": -5}]}"#);
    assert_eq!(f, "rules[0].cap");
    // a rate's threshold is a share
    let (f, en) = refused(
        r#"{"base": 100, "rules": [{"indicator": "closure_rate", "reward_at": 95, "reward": 5}]}"#,
    );
    assert_eq!(f, "rules[0].reward_at");
    assert!(en.contains("0 to 1"), "{en}");
    // a penalty needs its threshold
    let (f, _) = refused(r#"{"base": 100, "rules": [{"indicator": "notices", "penalty": 3}]}"#);
    assert_eq!(f, "rules[0].penalty_at");
    // 奖优罚劣: the reward cannot sit below the penalty (lower is better for overdue)
    let (f, _) = refused(
        r#"{"base": 100, "rules": [{"indicator": "overdue", "reward_at": 5, "reward": 2,
            "penalty_at": 1, "penalty": 2}]}"#,
    );
    assert_eq!(f, "rules[0].reward_at");
}

#[test]
fn points_are_capped_rewards_and_penalties_follow_the_direction() {
    let rules = load(
        r#"{"base": 80, "rules": [
            {"indicator": "overdue", "points": -4, "cap": 10, "reward_at": 0, "reward": 3},
            {"indicator": "on_time_rate", "points": 20, "reward_at": 0.9, "reward": 5,
             "penalty_at": 0.6, "penalty": 4},
            {"indicator": "mean_handling_hours", "penalty_at": 48, "penalty": 2},
            {"indicator": "satisfaction", "points": 10}]}"#,
    );
    rules.validate().unwrap();
    // overdue 3: 3 × −4 = −12, capped at −10, no reward (3 > 0);
    // on time 0.5: 0.5 × 20 = +10, penalty 4 (0.5 < 0.6);
    // 50 h > 48 h: penalty 2; satisfaction has no value: nothing.
    // 80 − 10 + 10 − 4 − 2 = 74
    let s = rules.score(&values(&[
        (Indicator::Overdue, Some(3.0)),
        (Indicator::OnTimeRate, Some(0.5)),
        (Indicator::MeanHandlingHours, Some(50.0)),
        (Indicator::Satisfaction, None),
    ]));
    assert_eq!(s.total, 74.0);
    assert_eq!(s.lines[0].points, -10.0);
    assert_eq!(s.lines[3].points, 0.0);
    // overdue 0 (reward: 0 ≤ 0), on time 0.9 (+18, reward 5 at exactly 0.9),
    // 48 h is not worse than 48: 80 + 3 + 18 + 5 = 106
    let s = rules.score(&values(&[
        (Indicator::Overdue, Some(0.0)),
        (Indicator::OnTimeRate, Some(0.9)),
        (Indicator::MeanHandlingHours, Some(48.0)),
    ]));
    assert_eq!(s.total, 106.0);
}

/// The standard rules on the fixture of `fixture_tests`.
#[test]
fn all_rounds_to_four_decimals_and_scores_by_hand() {
    let v = all(&reports(), &cases(), &q(SubjectKind::GridWorker, "g1"));
    assert_eq!(v[&Indicator::ReportAccuracy], Some(0.6667));
    let v = all(&reports(), &cases(), &squad());
    assert_eq!(v.len(), Indicator::ALL.len());
    // standard rules: 100 − 5 (on time 0.75 < 0.8) + 5 (closure 0.5 × 10)
    // − 4 (rework 0.4 × 10) − 4 (2 overdue × 2) − 9 (3 notices × 3)
    // + 0 (satisfaction 0.6667 between 0.6 and 0.9) + 1.5 (3 valid × 0.5)
    // + 0 (accuracy 0.75 between 0.7 and 0.9) + 2 (2 decided × 1) = 86.5
    assert_eq!(v[&Indicator::Satisfaction], Some(0.6667));
    let score = ScoringRules::standard().score(&v);
    assert_eq!(score.total, 86.5);
}
