//! Penalty cases (行政处罚案件): the rules that decide whether a step may be
//! recorded. Each guard names the article of the Administrative Penalty Law
//! (APL) it enforces.

pub mod filing;

pub use filing::{FiledBasis, FilingFacts, file};

use serde::{Deserialize, Serialize};

/// Where a case stands. Filing is the first state; later states of the
/// ordinary procedure follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 立案: opened under a held item with the basis in force at the act.
    Filed,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Filed => "filed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        match s {
            "filed" => Some(CaseStatus::Filed),
            _ => None,
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            CaseStatus::Filed => lang.pick("已立案", "Filed"),
        }
    }
}
