//! One function per indicator. Each takes the fact rows and a [`Query`]
//! (subject, period, the instant "now") and computes exactly what its
//! written definition ([`super::definitions`]) says.
//!
//! Report indicators count the reports *received* in the period (the
//! period's cohort) that count for the subject; case indicators count
//! cases filed, or decided, on a day of the period. A rate whose
//! denominator is zero has no value (`None`), and neither has a time
//! without a handled report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Query;
use super::facts::{CaseFact, ReportFact};
use crate::Error;

/// An indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    Received,
    Handled,
    OnTimeRate,
    ClosureRate,
    ReworkRate,
    Overdue,
    MeanHandlingHours,
    P90HandlingHours,
    Notices,
    CasesFiled,
    CasesDecided,
    ValidReports,
    ReportAccuracy,
    Satisfaction,
}

impl Indicator {
    pub const ALL: [Indicator; 14] = [
        Indicator::Received,
        Indicator::Handled,
        Indicator::OnTimeRate,
        Indicator::ClosureRate,
        Indicator::ReworkRate,
        Indicator::Overdue,
        Indicator::MeanHandlingHours,
        Indicator::P90HandlingHours,
        Indicator::Notices,
        Indicator::CasesFiled,
        Indicator::CasesDecided,
        Indicator::ValidReports,
        Indicator::ReportAccuracy,
        Indicator::Satisfaction,
    ];

    pub fn as_str(self) -> &'static str {
        self.definition().code
    }

    pub fn parse(s: &str) -> Result<Indicator, Error> {
        Indicator::ALL
            .into_iter()
            .find(|i| i.as_str() == s.trim())
            .ok_or_else(|| {
                let list = Indicator::ALL.map(Indicator::as_str).join(", ");
                Error::invalid(
                    "assessment.indicator",
                    "indicator",
                    format!("指标「{s}」不存在，可选值：{list}"),
                    format!("no indicator `{s}`; allowed values: {list}"),
                )
            })
    }

    /// Compute this indicator (the function of the same name).
    pub fn compute(self, reports: &[ReportFact], cases: &[CaseFact], q: &Query) -> Option<f64> {
        let n = |v: u64| Some(v as f64);
        match self {
            Indicator::Received => n(received(reports, q)),
            Indicator::Handled => n(handled(reports, q)),
            Indicator::OnTimeRate => on_time_rate(reports, q),
            Indicator::ClosureRate => closure_rate(reports, q),
            Indicator::ReworkRate => rework_rate(reports, q),
            Indicator::Overdue => n(overdue(reports, q)),
            Indicator::MeanHandlingHours => mean_handling_hours(reports, q),
            Indicator::P90HandlingHours => p90_handling_hours(reports, q),
            Indicator::Notices => n(notices(reports, q)),
            Indicator::CasesFiled => n(cases_filed(cases, q)),
            Indicator::CasesDecided => n(cases_decided(cases, q)),
            Indicator::ValidReports => n(valid_reports(reports, q)),
            Indicator::ReportAccuracy => report_accuracy(reports, q),
            Indicator::Satisfaction => satisfaction(reports, q),
        }
    }
}

/// Every indicator's value for one subject, in the order of
/// [`Indicator::ALL`], rounded to four decimals (what is shown, stored and
/// scored).
pub type Values = BTreeMap<Indicator, Option<f64>>;

pub fn all(reports: &[ReportFact], cases: &[CaseFact], q: &Query) -> Values {
    Indicator::ALL
        .into_iter()
        .map(|i| (i, i.compute(reports, cases, q).map(round4)))
        .collect()
}

pub fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// The period's reports that count for the subject.
fn cohort<'a>(reports: &'a [ReportFact], q: &'a Query) -> impl Iterator<Item = &'a ReportFact> {
    reports
        .iter()
        .filter(|r| q.period.contains(r.received_at) && r.answers_to(&q.subject))
}

fn share(hits: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| hits as f64 / of as f64)
}

/// 受理数: reports received in the period that count for the subject.
pub fn received(reports: &[ReportFact], q: &Query) -> u64 {
    cohort(reports, q).count() as u64
}

/// 处置数: of those, the ones whose result passed verification.
pub fn handled(reports: &[ReportFact], q: &Query) -> u64 {
    cohort(reports, q).filter(|r| r.is_handled()).count() as u64
}

/// 按期处置率: handled reports never overdue, over handled reports.
pub fn on_time_rate(reports: &[ReportFact], q: &Query) -> Option<f64> {
    let handled: Vec<_> = cohort(reports, q).filter(|r| r.is_handled()).collect();
    let on_time = handled.iter().filter(|r| !r.is_overdue(q.as_of)).count();
    share(on_time, handled.len())
}

/// 结案率: closed reports over actionable ones (not handed over, merged or
/// rejected).
pub fn closure_rate(reports: &[ReportFact], q: &Query) -> Option<f64> {
    let actionable: Vec<_> = cohort(reports, q).filter(|r| r.is_actionable()).collect();
    let closed = actionable.iter().filter(|r| r.is_closed()).count();
    share(closed, actionable.len())
}

/// 返工率: reports sent back at least once, over reports verified at least
/// once.
pub fn rework_rate(reports: &[ReportFact], q: &Query) -> Option<f64> {
    let verified: Vec<_> = cohort(reports, q).filter(|r| r.verifications > 0).collect();
    let reworked = verified.iter().filter(|r| r.reworks > 0).count();
    share(reworked, verified.len())
}

/// 超期件数: reports flagged overdue, or late now.
pub fn overdue(reports: &[ReportFact], q: &Query) -> u64 {
    cohort(reports, q).filter(|r| r.is_overdue(q.as_of)).count() as u64
}

fn handling_hours(reports: &[ReportFact], q: &Query) -> Vec<f64> {
    let mut hours: Vec<f64> = cohort(reports, q)
        .filter_map(ReportFact::handling_hours)
        .collect();
    hours.sort_by(f64::total_cmp);
    hours
}

/// 平均处置时长 (hours): mean of receipt → last report-back over handled
/// reports.
pub fn mean_handling_hours(reports: &[ReportFact], q: &Query) -> Option<f64> {
    let hours = handling_hours(reports, q);
    (!hours.is_empty()).then(|| hours.iter().sum::<f64>() / hours.len() as f64)
}

/// 处置时长 P90 (hours): the nearest-rank 90th percentile — the ⌈0.9·n⌉-th
/// shortest handling time.
pub fn p90_handling_hours(reports: &[ReportFact], q: &Query) -> Option<f64> {
    percentile(&handling_hours(reports, q), 90)
}

/// Nearest-rank percentile of sorted values: the ⌈p·n/100⌉-th smallest.
pub fn percentile(sorted: &[f64], p: usize) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

/// 督办数: supervision notices issued on the period's reports.
pub fn notices(reports: &[ReportFact], q: &Query) -> u64 {
    cohort(reports, q).map(|r| u64::from(r.notices)).sum()
}

/// 立案数: cases filed on a day of the period.
pub fn cases_filed(cases: &[CaseFact], q: &Query) -> u64 {
    cases
        .iter()
        .filter(|c| c.involves(&q.subject) && q.period.contains_day(c.filed_on))
        .count() as u64
}

/// 作出决定数: cases decided (penalty or no penalty) on a day of the period.
pub fn cases_decided(cases: &[CaseFact], q: &Query) -> u64 {
    cases
        .iter()
        .filter(|c| {
            c.involves(&q.subject) && c.decided_on.is_some_and(|d| q.period.contains_day(d))
        })
        .count() as u64
}

fn submitted<'a>(reports: &'a [ReportFact], q: &'a Query) -> impl Iterator<Item = &'a ReportFact> {
    reports
        .iter()
        .filter(|r| q.period.contains(r.received_at) && r.submitted_for(&q.subject))
}

/// 有效上报数: submitted reports taken into the loop or handed to their
/// platform.
pub fn valid_reports(reports: &[ReportFact], q: &Query) -> u64 {
    submitted(reports, q)
        .filter(|r| r.validity() == Some(true))
        .count() as u64
}

/// 上报准确率: valid submitted reports over submitted reports already
/// decided (valid or not).
pub fn report_accuracy(reports: &[ReportFact], q: &Query) -> Option<f64> {
    let decided: Vec<bool> = submitted(reports, q).filter_map(|r| r.validity()).collect();
    share(decided.iter().filter(|v| **v).count(), decided.len())
}

/// The lowest call-back score counted as satisfied (满意): 4 of 5.
pub const SATISFIED_FROM: u8 = 4;

/// 回访满意度: evaluations scoring 4 or 5, over evaluations.
pub fn satisfaction(reports: &[ReportFact], q: &Query) -> Option<f64> {
    let scores: Vec<u8> = cohort(reports, q).filter_map(|r| r.score).collect();
    let satisfied = scores.iter().filter(|s| **s >= SATISFIED_FROM).count();
    share(satisfied, scores.len())
}
