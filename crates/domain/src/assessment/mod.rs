//! Indicators and assessment (统计考核, 奖优罚劣).
//!
//! The township party committee assesses its enforcement staff and units
//! periodically. Everything here is computed from plain fact rows the store
//! loads (no I/O):
//!
//! * [`facts`]: one row per report ([`ReportFact`]) and per penalty case
//!   ([`CaseFact`]), and who each one counts for.
//! * [`indicators`]: one function per indicator, over a slice of facts, for
//!   one subject and period.
//! * [`definitions`]: the written definition of each indicator, in Chinese
//!   and English — the help page prints exactly this text.
//! * [`rules`]: scoring rules (points per indicator, rewards and penalties)
//!   loaded from JSON and validated.
//! * [`ranking`]: ranks by score with deterministic ties.
//! * [`appeal`]: an appeal against a frozen result, decided by a leader
//!   other than the appellant, with a reason.

pub mod appeal;
pub mod definitions;
pub mod facts;
pub mod indicators;
pub mod ranking;
pub mod rules;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod rules_tests;

pub use facts::{CaseFact, ReportFact};
pub use indicators::{Indicator, Values};
pub use rules::ScoringRules;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::access::Permission;
use crate::{Error, Lang};

/// Who may read indicators, rules and assessment results: everyone who may
/// read the jurisdiction's reports.
pub const VIEW: Permission = Permission::ViewReports;

/// Who may set scoring rules, run (freeze) an assessment and decide
/// appeals: those who oversee a township — its brigade leader and the
/// county supervisor (`Assess`). Grid workers, officers, squad leaders,
/// dispatchers and system administrators may not.
pub const ASSESS: Permission = Permission::Assess;

/// What is measured and ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 执法队员, by staff id.
    Officer,
    /// 中队, by unit code.
    Squad,
    /// 综合行政执法大队, by unit code.
    Brigade,
    /// 乡镇（街道）, by division code.
    Township,
    /// 网格员, by staff id.
    GridWorker,
    /// 县直部门, by unit code: the matters of its field (市场监管…).
    Department,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 6] = [
        SubjectKind::Officer,
        SubjectKind::Squad,
        SubjectKind::Brigade,
        SubjectKind::Township,
        SubjectKind::GridWorker,
        SubjectKind::Department,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Officer => "officer",
            SubjectKind::Squad => "squad",
            SubjectKind::Brigade => "brigade",
            SubjectKind::Township => "township",
            SubjectKind::GridWorker => "grid_worker",
            SubjectKind::Department => "department",
        }
    }

    /// Parse the snake_case name; the error (field `subject_kind`) lists
    /// the allowed values.
    pub fn parse(s: &str) -> Result<SubjectKind, Error> {
        SubjectKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                let list = SubjectKind::ALL.map(SubjectKind::as_str).join(", ");
                Error::invalid(
                    "assessment.subject_kind",
                    "subject_kind",
                    format!("subject_kind 的取值「{s}」无效，可选值：{list}"),
                    format!("invalid subject_kind `{s}`; allowed values: {list}"),
                )
            })
    }

    /// A person rather than a unit or a place.
    pub fn is_person(self) -> bool {
        matches!(self, SubjectKind::Officer | SubjectKind::GridWorker)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            SubjectKind::Officer => ("执法队员", "Officer"),
            SubjectKind::Squad => ("中队", "Squad"),
            SubjectKind::Brigade => ("执法大队", "Brigade"),
            SubjectKind::Township => ("乡镇（街道）", "Township"),
            SubjectKind::GridWorker => ("网格员", "Grid worker"),
            SubjectKind::Department => ("县直部门", "County department"),
        };
        lang.pick(zh, en)
    }
}

/// One subject: a kind and its identifier (staff id, unit code or
/// division code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: String,
}

impl Subject {
    pub fn new(kind: SubjectKind, id: impl Into<String>) -> Subject {
        Subject {
            kind,
            id: id.into(),
        }
    }
}

/// Whole calendar days in China time, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest period an indicator may be asked for (a leap year).
pub const MAX_PERIOD_DAYS: i64 = 366;

impl Period {
    /// From `from` to `to` inclusive. `to` before `from`, or more than
    /// [`MAX_PERIOD_DAYS`] days, is refused naming `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, Error> {
        if to < from {
            return Err(Error::invalid(
                "assessment.period",
                "to",
                format!("结束日期 {to} 早于开始日期 {from}"),
                format!("the period ends ({to}) before it begins ({from})"),
            ));
        }
        if (to - from).num_days() + 1 > MAX_PERIOD_DAYS {
            return Err(Error::invalid(
                "assessment.period",
                "to",
                format!("统计期间不能超过 {MAX_PERIOD_DAYS} 天"),
                format!("a period may span at most {MAX_PERIOD_DAYS} days"),
            ));
        }
        Ok(Period { from, to })
    }

    /// The first instant of the period (midnight in China).
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.from)
    }

    /// The first instant after the period.
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.to + Days::new(1))
    }

    /// Whether an instant falls on one of the period's days (China time).
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.contains_day(crate::time::china_date(t))
    }

    pub fn contains_day(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    crate::time::china()
        .from_local_datetime(&naive)
        .single()
        .expect("a fixed offset is never ambiguous")
        .with_timezone(&Utc)
}

/// What an indicator is asked about: a subject, a period, and the instant
/// at which "overdue now" is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub subject: Subject,
    pub period: Period,
    pub as_of: DateTime<Utc>,
}
