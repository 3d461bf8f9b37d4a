//! Penalty cases (行政处罚案件): the rules that decide whether a step may be
//! recorded. Each guard names the article of the Administrative Penalty Law
//! (APL) it enforces.
//!
//! * [`filing`]: opening a case (Art. 24, 36, 37).
//! * [`party`]: the party — resident ID numbers (GB 11643) and unified
//!   social credit codes (GB 32100) as parsed types, age (Art. 30).
//! * [`officers`]: two credentialed officers (Art. 42), recusal (Art. 43).
//! * [`penalty`]: what a penalty is, hearing thresholds (Art. 63), not
//!   heavier after defence (Art. 45).
//! * [`summary`]: the summary procedure on the spot (Art. 51–52, 68–71).
//! * [`procedure`]: the ordinary procedure as a state machine
//!   ([`procedure::transition`]), from investigation to archive.
//! * [`mod@clock`]: the 90-day decision clock (Art. 60) with sector pauses and
//!   extensions.
//! * [`performance`]: service (Art. 61), payment (Art. 66–67), the
//!   late-payment surcharge (Art. 72–73), court enforcement.
//! * [`discretion`]: the fine from the discretion benchmark; first-offence
//!   lists (Art. 33); fines kept out of assessments (Art. 74).
//! * [`transfer`]: transfer of suspected crimes (Art. 27, Decree 310),
//!   transfer of jurisdiction, assistance (Art. 26), what partners may see.
//! * [`joint`]: joint investigations with county departments (Art. 20).
//! * [`disclosure`]: publication of decisions, masked (Art. 48, 国办发
//!   〔2018〕118号).
//! * [`money`] ([`Fen`]) and [`period`] (how days are counted, Art. 85).
//! * [`numbering`]: document numbers (文号).

pub mod clock;
pub mod disclosure;
pub mod discretion;
pub mod filing;
pub mod joint;
pub mod money;
pub mod numbering;
pub mod officers;
pub mod party;
pub mod penalty;
pub mod performance;
pub mod period;
pub mod procedure;
pub mod summary;
pub mod transfer;

#[cfg(test)]
pub(crate) mod testkit;

pub use clock::{Clock, ClockWarning, SectorRules, clock};
pub use filing::{FiledBasis, FilingFacts, file};
pub use money::Fen;
pub use party::{CreditCode, Party, PartyKind, ResidentId};
pub use penalty::{HearingThresholds, Penalty};
pub use procedure::{Action, Facts, Record, transition};

use serde::{Deserialize, Serialize};

use crate::{Error, Lang};

/// The configurable amounts and periods the case rules use, per province
/// and sector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRules {
    /// APL Art. 63: the province's hearing thresholds.
    pub hearing: HearingThresholds,
    /// APL Art. 51, 68: the summary procedure's amounts.
    pub summary: summary::Thresholds,
    /// APL Art. 60: the sector's pauses and extensions.
    pub sector: SectorRules,
    /// The province's discretion settings.
    pub discretion: discretion::DiscretionRules,
}

impl CaseRules {
    /// Henan's hearing thresholds, the APL's summary amounts, the general
    /// 90-day rule and the default discretion settings.
    pub fn henan() -> CaseRules {
        CaseRules {
            hearing: HearingThresholds::henan(),
            summary: summary::Thresholds::default(),
            sector: SectorRules::general(),
            discretion: discretion::DiscretionRules::default(),
        }
    }
}

impl Default for CaseRules {
    fn default() -> Self {
        CaseRules::henan()
    }
}

/// Where a case stands. Filing is the first state; later states of the
/// ordinary procedure follow it (see [`procedure`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 立案: opened under a held item with the basis in force at the act.
    Filed,
    /// 调查取证
    Investigating,
    /// 已告知 (statement and defence period running)
    NoticeServed,
    /// 已申请听证
    HearingRequested,
    /// 听证结束 (held, waived or withdrawn)
    HearingConcluded,
    /// 法制审核
    LegalReview,
    /// 集体讨论
    CollectiveDiscussion,
    /// 已作出处罚决定 (not yet served)
    Decided,
    /// 不予行政处罚
    NoPenalty,
    /// 已移送司法机关
    Transferred,
    /// 已移送有管辖权的机关
    HandedOver,
    /// 已送达 (performance period running)
    Served,
    /// 已履行
    Performed,
    /// 已申请法院强制执行
    EnforcementApplied,
    /// 结案
    Closed,
    /// 归档
    Archived,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 16] = [
        CaseStatus::Filed,
        CaseStatus::Investigating,
        CaseStatus::NoticeServed,
        CaseStatus::HearingRequested,
        CaseStatus::HearingConcluded,
        CaseStatus::LegalReview,
        CaseStatus::CollectiveDiscussion,
        CaseStatus::Decided,
        CaseStatus::NoPenalty,
        CaseStatus::Transferred,
        CaseStatus::HandedOver,
        CaseStatus::Served,
        CaseStatus::Performed,
        CaseStatus::EnforcementApplied,
        CaseStatus::Closed,
        CaseStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Filed => "filed",
            CaseStatus::Investigating => "investigating",
            CaseStatus::NoticeServed => "notice_served",
            CaseStatus::HearingRequested => "hearing_requested",
            CaseStatus::HearingConcluded => "hearing_concluded",
            CaseStatus::LegalReview => "legal_review",
            CaseStatus::CollectiveDiscussion => "collective_discussion",
            CaseStatus::Decided => "decided",
            CaseStatus::NoPenalty => "no_penalty",
            CaseStatus::Transferred => "transferred",
            CaseStatus::HandedOver => "handed_over",
            CaseStatus::Served => "served",
            CaseStatus::Performed => "performed",
            CaseStatus::EnforcementApplied => "enforcement_applied",
            CaseStatus::Closed => "closed",
            CaseStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            CaseStatus::Filed => ("已立案", "Filed"),
            CaseStatus::Investigating => ("调查取证", "Investigating"),
            CaseStatus::NoticeServed => ("已告知", "Notice served"),
            CaseStatus::HearingRequested => ("已申请听证", "Hearing requested"),
            CaseStatus::HearingConcluded => ("听证结束", "Hearing concluded"),
            CaseStatus::LegalReview => ("法制审核", "Legal review"),
            CaseStatus::CollectiveDiscussion => ("集体讨论", "Collective discussion"),
            CaseStatus::Decided => ("已决定", "Decided"),
            CaseStatus::NoPenalty => ("不予处罚", "No penalty"),
            CaseStatus::Transferred => ("已移送司法机关", "Transferred to judicial organs"),
            CaseStatus::HandedOver => ("已移送管辖", "Handed over"),
            CaseStatus::Served => ("已送达", "Served"),
            CaseStatus::Performed => ("已履行", "Performed"),
            CaseStatus::EnforcementApplied => ("已申请强制执行", "Enforcement applied for"),
            CaseStatus::Closed => ("已结案", "Closed"),
            CaseStatus::Archived => ("已归档", "Archived"),
        };
        lang.pick(zh, en)
    }

    /// Whether the case is finished (nothing more may be recorded but
    /// archiving).
    pub fn is_final(self) -> bool {
        matches!(self, CaseStatus::Closed | CaseStatus::Archived)
    }
}

/// Parse a status, naming the allowed values on error.
pub fn parse_status(s: &str) -> Result<CaseStatus, Error> {
    CaseStatus::parse(s).ok_or_else(|| {
        let list = CaseStatus::ALL.map(CaseStatus::as_str).join(", ");
        Error::invalid(
            "case.status",
            "status",
            format!("案件状态「{s}」无效，可选值：{list}"),
            format!("invalid case status `{s}`; allowed values: {list}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_and_is_labelled() {
        assert_eq!(CaseStatus::Filed.as_str(), "filed");
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert!(!s.label(Lang::Zh).is_empty() && !s.label(Lang::En).is_empty());
        }
        assert_eq!(CaseStatus::parse("nope"), None);
        assert_eq!(parse_status("nope").unwrap_err().code, "case.status");
        let mut labels: Vec<_> = CaseStatus::ALL.map(|s| s.label(Lang::Zh)).to_vec();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), CaseStatus::ALL.len());
    }
}
