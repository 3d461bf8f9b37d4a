//! Scoring rules (考核评分细则): every subject starts from a base score;
//! each rule adds points per unit of an indicator (capped), a reward when
//! the value is good enough (奖优) and a penalty when it is too poor (罚劣).
//! A value that does not exist (a rate without a denominator) scores
//! nothing.
//!
//! ```json
//! {"base": 100, "rules": [
//!   {"indicator": "overdue", "points": -2, "cap": 10},
//!   {"indicator": "on_time_rate", "reward_at": 0.95, "reward": 5,
//!    "penalty_at": 0.8, "penalty": 5}]}
//! ```

use serde::{Deserialize, Serialize};

use super::definitions::{Better, Unit};
use super::indicators::{Indicator, Values};
use crate::Error;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRules {
    /// 基础分: where every subject starts.
    pub base: f64,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub indicator: Indicator,
    /// Points per unit of the value: per report or notice, per hour, or
    /// per whole rate (1.0 = 100 %). Negative deducts.
    #[serde(default)]
    pub points: f64,
    /// The most `points` may add or deduct in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// 奖优: the reward is given when the value is at least this good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_at: Option<f64>,
    #[serde(default)]
    pub reward: f64,
    /// 罚劣: the penalty is deducted when the value is worse than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty_at: Option<f64>,
    #[serde(default)]
    pub penalty: f64,
}

/// What one rule gave one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub indicator: Indicator,
    pub value: Option<f64>,
    pub points: f64,
    pub reward: f64,
    pub penalty: f64,
}

/// A subject's score and how it came about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Base plus every line, rounded to two decimals.
    pub total: f64,
    pub lines: Vec<Line>,
}

/// The highest base score accepted.
pub const MAX_BASE: f64 = 1000.0;

fn bad(field: String, zh: String, en: String) -> Error {
    Error::invalid("assessment.rules", field, zh, en)
}

/// Whether `v` is at least as good as `threshold` for this indicator.
fn at_least_as_good(i: Indicator, v: f64, threshold: f64) -> bool {
    match i.definition().better {
        Better::Higher => v >= threshold,
        Better::Lower => v <= threshold,
    }
}

impl ScoringRules {
    /// The rules a township uses until it sets its own.
    pub fn standard() -> ScoringRules {
        let rule = |indicator, points, cap| Rule {
            indicator,
            points,
            cap,
            reward_at: None,
            reward: 0.0,
            penalty_at: None,
            penalty: 0.0,
        };
        let band = |indicator, reward_at, reward, penalty_at, penalty| Rule {
            reward_at: Some(reward_at),
            reward,
            penalty_at: Some(penalty_at),
            penalty,
            ..rule(indicator, 0.0, None)
        };
        ScoringRules {
            base: 100.0,
            rules: vec![
                band(Indicator::OnTimeRate, 0.95, 5.0, 0.8, 5.0),
                rule(Indicator::ClosureRate, 10.0, None),
                rule(Indicator::ReworkRate, -10.0, None),
                rule(Indicator::Overdue, -2.0, Some(20.0)),
                rule(Indicator::Notices, -3.0, Some(15.0)),
                band(Indicator::Satisfaction, 0.9, 3.0, 0.6, 3.0),
                rule(Indicator::ValidReports, 0.5, Some(10.0)),
                band(Indicator::ReportAccuracy, 0.9, 2.0, 0.7, 5.0),
                rule(Indicator::CasesDecided, 1.0, Some(5.0)),
            ],
        }
    }

    /// Check the rules; the error names the field, e.g. `rules[2].reward_at`.
    pub fn validate(&self) -> Result<(), Error> {
        if !self.base.is_finite() || !(0.0..=MAX_BASE).contains(&self.base) {
            return Err(bad(
                "base".into(),
                format!("基础分应在 0 至 {MAX_BASE} 之间"),
                format!("base must be from 0 to {MAX_BASE}"),
            ));
        }
        if self.rules.is_empty() {
            return Err(bad(
                "rules".into(),
                "至少需要一条评分规则".into(),
                "at least one rule is needed".into(),
            ));
        }
        for (k, r) in self.rules.iter().enumerate() {
            let at = |f: &str| format!("rules[{k}].{f}");
            let name = r.indicator.definition().name_zh;
            if self.rules[..k].iter().any(|o| o.indicator == r.indicator) {
                return Err(bad(
                    at("indicator"),
                    format!("指标「{name}」的规则重复"),
                    format!("a second rule for {}", r.indicator.as_str()),
                ));
            }
            for (f, v) in [("points", Some(r.points)), ("cap", r.cap)]
                .into_iter()
                .chain([("reward", Some(r.reward)), ("penalty", Some(r.penalty))])
                .chain([("reward_at", r.reward_at), ("penalty_at", r.penalty_at)])
            {
                let Some(v) = v else { continue };
                let non_negative = !matches!(f, "points");
                if !v.is_finite() || (non_negative && v < 0.0) || v.abs() > MAX_BASE {
                    return Err(bad(
                        at(f),
                        format!(
                            "{f} 应为{}有限数值",
                            if non_negative { "非负的" } else { "" }
                        ),
                        format!(
                            "{f} must be a finite{} number",
                            if non_negative { ", non-negative" } else { "" }
                        ),
                    ));
                }
                let is_rate = r.indicator.definition().unit == Unit::Rate;
                if f.ends_with("_at") && is_rate && v > 1.0 {
                    return Err(bad(
                        at(f),
                        "比率的阈值应在 0 至 1 之间".into(),
                        "a rate's threshold must be from 0 to 1".into(),
                    ));
                }
            }
            for (f, amount, threshold) in [
                ("reward", r.reward, r.reward_at),
                ("penalty", r.penalty, r.penalty_at),
            ] {
                if (amount > 0.0) != threshold.is_some() {
                    return Err(bad(
                        at(&format!("{f}_at")),
                        format!("{f} 与 {f}_at 须同时给出"),
                        format!("{f} and {f}_at go together"),
                    ));
                }
            }
            if let (Some(good), Some(poor)) = (r.reward_at, r.penalty_at)
                && !at_least_as_good(r.indicator, good, poor)
            {
                return Err(bad(
                    at("reward_at"),
                    format!("「{name}」的奖励阈值不能劣于扣分阈值"),
                    "the reward threshold cannot be worse than the penalty threshold".into(),
                ));
            }
        }
        Ok(())
    }

    /// Score one subject's values.
    pub fn score(&self, values: &Values) -> Score {
        let lines: Vec<Line> = self
            .rules
            .iter()
            .map(|r| {
                let value = values.get(&r.indicator).copied().flatten();
                let Some(v) = value else {
                    return Line {
                        indicator: r.indicator,
                        value,
                        points: 0.0,
                        reward: 0.0,
                        penalty: 0.0,
                    };
                };
                let mut points = v * r.points;
                if let Some(cap) = r.cap {
                    points = points.clamp(-cap, cap);
                }
                let reward = match r.reward_at {
                    Some(t) if at_least_as_good(r.indicator, v, t) => r.reward,
                    _ => 0.0,
                };
                let penalty = match r.penalty_at {
                    Some(t) if !at_least_as_good(r.indicator, v, t) => r.penalty,
                    _ => 0.0,
                };
                Line {
                    indicator: r.indicator,
                    value,
                    points: round2(points),
                    reward,
                    penalty,
                }
            })
            .collect();
        let sum: f64 = lines.iter().map(|l| l.points + l.reward - l.penalty).sum();
        Score {
            total: round2(self.base + sum),
            lines,
        }
    }
}

pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
