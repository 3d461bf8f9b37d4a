//! The ordinary procedure (普通程序) as a state machine: which step may be
//! recorded on a case now, and what the case record becomes.
//!
//! ```text
//! Filed ─Investigate─▶ Investigating ─ServeNotice─▶ NoticeServed ─RequestHearing─▶ HearingRequested
//!   │                   │  ▲ (PreserveEvidence: decide in 7 days)   │                 │ ScheduleHearing
//!   │                   │  └──── legal review failed ────┐          │                 ▼ ConcludeHearing
//!   │                   │                                │          │           HearingConcluded
//!   │                   │                                │          ▼                 │
//!   │                   │                           LegalReview ◀─SubmitLegalReview───┘
//!   │                   │                                │ RecordLegalReview (passed)
//!   │                   │                                ▼
//!   │                   │                     CollectiveDiscussion (Art. 57, complex or major)
//!   │                   │                                │
//!   │                   └─Decide(no penalty)─▶ NoPenalty │ Decide(penalise)
//!   │                                                    ▼
//!   ├─HandOverJurisdiction─▶ HandedOver              Decided ─Serve─▶ Served ─payments─▶ Performed
//!   └─Transfer (approved) ─▶ Transferred                                 └─ApplyForEnforcement─▶ EnforcementApplied
//!        └─ResumeAfterTransfer─▶ Investigating       Performed / EnforcementApplied / NoPenalty /
//!                                                    Transferred / HandedOver ─Close─▶ Closed ─Archive─▶ Archived
//! ```
//!
//! Decide, collective discussion and legal review may also follow the
//! notice directly when no hearing was asked for. Every refusal names its
//! article:
//!
//! | rule | code |
//! |---|---|
//! | Art. 42 two credentialed officers, Art. 55 credentials shown | `case.art42_two_officers`, `case.art42_credential`, `case.art55_credentials_shown` |
//! | Art. 43 recused officers may not act; a pending request does not stop the investigation | `case.art43_recused` |
//! | Art. 56 preserved evidence decided before the notice | `case.art56_preservation_undecided` |
//! | Art. 44 contents of the prior notice, hearing right where Art. 63 applies | `case.art44_notice_contents`, `case.art44_hearing_right` |
//! | Art. 45 not heavier because the party defended | `case.art45_no_heavier_penalty` |
//! | Art. 62 no decision before notice and the statement period | `case.art62_notice_required`, `case.art62_statement_period` |
//! | Art. 64 hearing: asked within 5 days, notified 7 days before, presided by a non-investigator, at most two agents, signed minutes | `case.art64_*` |
//! | Art. 58 legal review where required, by a qualified non-investigator | `case.art58_*` |
//! | Art. 57 collective decision of complex or major cases | `case.art57_collective_decision` |
//! | Art. 59 contents of the decision, Art. 28 order to correct | `case.art59_*`, `case.art28_order_to_correct` |
//! | Art. 30, 33 no penalty under 14, for minor harmless acts, without fault; education recorded | `case.art30_*`, `case.art33_*` |
//! | Art. 60 a decision after the 90 days states why | `case.art60_late_reason` |
//! | Art. 61 service | `case.art61_*` |
//! | Art. 66, 67, 72, 73 payment, deferral, surcharge; Coercion Law Art. 53–54 court enforcement | see [`super::performance`] |
//! | Decree 310 Art. 11: no penalty instead of a transfer | `case.decree310_art11_penalty_instead_of_transfer` |
//! | Art. 47 full record before archiving | `case.art47_record` |
//!
//! A step not possible in the case's status is `case.transition` (409).
//! Periods of "2, 3, 5, 7 days" are working days (Art. 85).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CaseRules;
use super::CaseStatus;
use super::discretion::{FineChoice, OffenceFacts, check_fine, must_not_punish};
use super::filing::FiledBasis;
use super::money::Fen;
use super::officers::{
    Officer, Recusal, require_credentials_shown, require_investigators, resolve,
};
use super::party::{AgeCategory, Party};
use super::penalty::{Penalty, require_not_heavier};
use super::performance::{
    Deferral, LITIGATION_MONTHS, Owed, Payment, RECONSIDERATION_DAYS, ServiceMethod,
    check_deferral, check_enforcement_application, check_service, owed, payment_due,
};
use super::period::{Span, working_days};
use super::summary::{Signature, require_correction};
use super::transfer::{JurisdictionTransfer, TransferStatus, penalty_allowed};
use crate::calendar::Calendar;
use crate::powerlist::Item;
use crate::{Error, ErrorKind, Lang};

/// APL Art. 64 (1): days to ask for a hearing after the notice (working days).
pub const HEARING_REQUEST_DAYS: u32 = 5;
/// APL Art. 64 (2): the hearing notice goes out at least 7 (working) days before.
pub const HEARING_NOTICE_DAYS: u32 = 7;
/// APL Art. 56: days to decide on preserved evidence (working days).
pub const PRESERVATION_DAYS: u32 = 7;
/// APL Art. 58: the APL in force; reviewers who first take up the work from
/// this day on need the national legal qualification.
pub fn apl_in_force() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 7, 15).expect("valid date")
}

/// What the case is, as far as Art. 57–58 and 33 care. Set by the
/// investigating officers and their leaders; kept with the case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseTraits {
    /// Art. 58 (1): involves major public interest.
    #[serde(default)]
    pub major_public_interest: bool,
    /// Art. 58 (3), Art. 57 ¶2: difficult, complex, several legal relations.
    #[serde(default)]
    pub complex: bool,
    /// Art. 57 ¶2: a major violation (重大违法行为).
    #[serde(default)]
    pub major_violation: bool,
    /// Art. 58 (4): the law or regulation requiring review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_required_by: Option<String>,
    /// Art. 33: what was found about the act.
    #[serde(default)]
    pub offence: OffenceFacts,
    /// Art. 33 ¶2: the party proved there was no fault.
    #[serde(default)]
    pub no_fault_proven: bool,
}

/// Why the legal review of Art. 58 is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewGround {
    /// (1) 涉及重大公共利益
    MajorPublicInterest,
    /// (2) 直接关系当事人或者第三人重大权益，经过听证程序. A hearing is only
    /// offered for the heavy penalties of Art. 63, so every case that went
    /// through one is treated as such.
    HearingHeld,
    /// (3) 案件情况疑难复杂、涉及多个法律关系
    Complex,
    /// (4) 法律、法规规定
    RequiredBy(String),
}

/// APL Art. 58: whether the decision needs a legal review, and why.
pub fn legal_review_required(traits: &CaseTraits, hearing_held: bool) -> Option<ReviewGround> {
    if traits.major_public_interest {
        Some(ReviewGround::MajorPublicInterest)
    } else if hearing_held {
        Some(ReviewGround::HearingHeld)
    } else if traits.complex {
        Some(ReviewGround::Complex)
    } else {
        traits
            .review_required_by
            .as_ref()
            .filter(|b| !b.trim().is_empty())
            .map(|b| ReviewGround::RequiredBy(b.clone()))
    }
}

/// APL Art. 57 ¶2: complex cases and major violations are decided
/// collectively by the agency's leaders.
pub fn collective_decision_required(traits: &CaseTraits) -> bool {
    traits.complex || traits.major_violation
}

/// A legal reviewer (法制审核人员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalReviewer {
    pub id: String,
    pub name: String,
    /// Holds the national legal professional qualification (法律职业资格).
    pub legal_qualification: bool,
    /// When they first took up legal review of penalty decisions.
    pub reviewing_since: NaiveDate,
}

// ---------------------------------------------------------------- records

/// One investigation or inspection step (询问、勘验、检查 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvestigationStep {
    pub kind: String,
    pub on: NaiveDate,
    pub officers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_officer_basis: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Evidence registered and preserved (先行登记保存, Art. 56).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preservation {
    pub officers: Vec<String>,
    pub approved_by: String,
    pub preserved_on: NaiveDate,
    pub items: Vec<String>,
    /// The last day to decide on it (7 working days).
    pub decide_by: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<PreservationDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreservationDecision {
    pub on: NaiveDate,
    /// 返还、移送、没收、解除 …
    pub outcome: String,
    /// Decided after the 7 days.
    pub late: bool,
}

/// APL Art. 56: the last day to decide on evidence preserved on `on`.
pub fn preservation_deadline(cal: &Calendar, on: NaiveDate) -> NaiveDate {
    working_days(cal, on, PRESERVATION_DAYS)
}

/// The prior notice (行政处罚事先告知书), Art. 44.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorNotice {
    /// The intended penalty.
    pub penalty: Penalty,
    /// How the fine was set (the item's discretion benchmark).
    #[serde(default)]
    pub discretion: FineChoice,
    pub facts: String,
    pub reasons: String,
    /// The provisions applied.
    pub basis: Vec<String>,
    /// The party is told of the rights to state their case and defend.
    pub statement_rights: bool,
    /// The party is told of the right to ask for a hearing.
    pub hearing_right: bool,
    /// The period for statement and defence, in working days.
    pub statement_days: u32,
    /// For a notice heavier than the previous one: the new facts or
    /// evidence (never the defence itself, Art. 45).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_facts: Option<String>,
}

/// A statement or defence by the party (陈述、申辩).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub on: NaiveDate,
    pub text: String,
}

/// The hearing schedule (Art. 64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingSchedule {
    /// When the party was notified of time and place.
    pub notified_on: NaiveDate,
    pub hearing_on: NaiveDate,
    pub place: String,
    /// The presiding officer's id.
    pub presiding: String,
    pub public: bool,
    /// Why not in public: state or commercial secrets, privacy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_reason: Option<String>,
}

/// How a hearing ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HearingOutcome {
    /// Held; the minutes were signed or the refusal noted by the presiding
    /// officer.
    Held { agents: u8, minutes: Signature },
    /// The party did not come. With a good reason the hearing is
    /// rescheduled; without one the hearing right is waived (Art. 64 (6)).
    Absent {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        good_reason: Option<String>,
    },
    /// Left without leave: waived (Art. 64 (6)).
    LeftWithoutLeave,
    /// The party withdrew the request.
    Withdrawn,
}

/// A hearing asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hearing {
    pub requested_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<HearingSchedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<HearingOutcome>,
}

impl Hearing {
    /// Whether the hearing took place.
    pub fn held(&self) -> bool {
        matches!(self.outcome, Some(HearingOutcome::Held { .. }))
    }
}

/// A notice as served, with what followed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRecord {
    pub notice: PriorNotice,
    pub served_on: NaiveDate,
    /// The last day for statement and defence.
    pub statement_ends: NaiveDate,
    /// The last day to ask for a hearing, where the right applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearing_request_ends: Option<NaiveDate>,
    #[serde(default)]
    pub statements: Vec<Statement>,
    #[serde(default)]
    pub statement_waived: bool,
    #[serde(default)]
    pub hearing_waived: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearing: Option<Hearing>,
}

impl NoticeRecord {
    /// Art. 62: the statement period is over (or waived) on `today`.
    pub fn statement_closed(&self, today: NaiveDate) -> bool {
        self.statement_waived || today > self.statement_ends
    }

    /// Art. 64: no hearing can be asked for any more on `today`, and any
    /// hearing asked for has ended.
    pub fn hearing_closed(&self, today: NaiveDate) -> bool {
        match &self.hearing {
            Some(h) => h.outcome.is_some(),
            None => self.hearing_waived || self.hearing_request_ends.is_none_or(|end| today > end),
        }
    }
}

/// The legal review (法制审核).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalReviewRecord {
    pub reviewer: String,
    pub submitted_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<ReviewOpinion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOpinion {
    pub passed: bool,
    pub text: String,
    pub on: NaiveDate,
}

/// The leaders' collective discussion (集体讨论), Art. 57.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectiveRecord {
    pub held_on: NaiveDate,
    pub chair: String,
    pub attendees: Vec<String>,
    pub conclusion: String,
}

/// The periods for reconsideration and suit stated in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remedies {
    /// 复议机关
    pub reconsideration_body: String,
    pub reconsideration_days: u32,
    /// 人民法院
    pub court: String,
    pub litigation_months: u32,
}

/// The decision letter (行政处罚决定书), Art. 59.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionLetter {
    /// 文号
    pub number: String,
    pub party_name: String,
    pub party_address: String,
    pub facts: String,
    pub evidence: Vec<String>,
    pub penalty: Penalty,
    #[serde(default)]
    pub discretion: FineChoice,
    pub basis: Vec<String>,
    /// Art. 28: the order to correct.
    pub correction: String,
    /// How and by when to perform (bank, account, 15 days …).
    pub performance: String,
    pub remedies: Remedies,
    pub agency: String,
    pub date: NaiveDate,
    pub sealed: bool,
}

/// Why no penalty is given (Art. 57 (2)–(3), 30, 33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoPenaltyGround {
    /// Art. 33 ¶1: minor, promptly corrected, harmless.
    Minor,
    /// Art. 33 ¶1: first offence with slight harm, promptly corrected, on
    /// the item's first-offence list.
    FirstOffence,
    /// Art. 33 ¶2: no fault proven.
    NoFault,
    /// Art. 30: under fourteen at the act.
    UnderFourteen,
    /// Art. 57 (3): the facts are not established.
    NotEstablished,
}

/// The decision after the investigation (Art. 57).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    Penalise {
        letter: Box<DecisionLetter>,
    },
    NoPenalty {
        ground: NoPenaltyGround,
        reasons: String,
        /// Art. 33 ¶3 (Art. 30: the guardian told to discipline): the
        /// education given and how.
        #[serde(default)]
        education: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub decided_on: NaiveDate,
    pub decision: Decision,
    /// Art. 60: why the decision came after the deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_reason: Option<String>,
}

impl DecisionRecord {
    pub fn penalty(&self) -> Option<&Penalty> {
        match &self.decision {
            Decision::Penalise { letter } => Some(&letter.penalty),
            Decision::NoPenalty { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    pub method: ServiceMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_reason: Option<String>,
    /// The day of receipt, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_on: Option<NaiveDate>,
}

/// Reconsideration or suit brought by the party (Art. 73).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    Reconsideration,
    Litigation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remedy {
    pub kind: RemedyKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnforcementApplication {
    pub applied_on: NaiveDate,
    pub court: String,
    pub reminder_served_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub closed_on: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveRecord {
    pub archived_on: NaiveDate,
    pub number: String,
}

/// Everything recorded on a case that the rules look at. The store keeps
/// it (as JSON) and replaces it with what [`transition`] returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub status: CaseStatus,
    pub filed_on: NaiveDate,
    pub act_date: NaiveDate,
    #[serde(default)]
    pub investigation: Vec<InvestigationStep>,
    #[serde(default)]
    pub preservations: Vec<Preservation>,
    #[serde(default)]
    pub recusals: Vec<Recusal>,
    #[serde(default)]
    pub notices: Vec<NoticeRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_review: Option<LegalReviewRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collective: Option<CollectiveRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferral: Option<Deferral>,
    #[serde(default)]
    pub payments: Vec<Payment>,
    #[serde(default)]
    pub remedies: Vec<Remedy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforcement: Option<EnforcementApplication>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_over: Option<JurisdictionTransfer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<Closure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveRecord>,
}

impl Record {
    /// A case just filed.
    pub fn new(filed_on: NaiveDate, act_date: NaiveDate) -> Record {
        Record {
            status: CaseStatus::Filed,
            filed_on,
            act_date,
            investigation: vec![],
            preservations: vec![],
            recusals: vec![],
            notices: vec![],
            legal_review: None,
            collective: None,
            decision: None,
            service: None,
            deferral: None,
            payments: vec![],
            remedies: vec![],
            enforcement: None,
            handed_over: None,
            closure: None,
            archive: None,
        }
    }

    /// The officers who took part in the investigation.
    pub fn investigators(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .investigation
            .iter()
            .flat_map(|s| s.officers.iter())
            .chain(self.preservations.iter().flat_map(|p| p.officers.iter()))
            .map(String::as_str)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The last prior notice served.
    pub fn notice(&self) -> Option<&NoticeRecord> {
        self.notices.last()
    }

    fn notice_mut(&mut self) -> Option<&mut NoticeRecord> {
        self.notices.last_mut()
    }

    /// Whether a hearing was held on the current notice.
    pub fn hearing_held(&self) -> bool {
        self.notice()
            .and_then(|n| n.hearing.as_ref())
            .is_some_and(Hearing::held)
    }

    /// The days a reconsideration or suit suspended the surcharge (Art. 73).
    pub fn suspensions(&self) -> Vec<Span> {
        self.remedies.iter().map(|r| r.span).collect()
    }

    /// The fine decided, zero without one.
    pub fn fine(&self) -> Fen {
        self.decision
            .as_ref()
            .and_then(DecisionRecord::penalty)
            .map(|p| p.fine)
            .unwrap_or(Fen::ZERO)
    }

    /// The day the fine falls due (Art. 67), once the receipt is known.
    pub fn payment_due(&self, cal: &Calendar) -> Option<NaiveDate> {
        let received = self.service.as_ref()?.received_on?;
        Some(payment_due(cal, received))
    }

    /// What is owed on `today` (fine and Art. 72 surcharge).
    pub fn owed(&self, cal: &Calendar, today: NaiveDate) -> Owed {
        let fine = self.fine();
        match self.payment_due(cal) {
            Some(due) => owed(
                fine,
                due,
                self.deferral.as_ref(),
                &self.payments,
                &self.suspensions(),
                today,
            ),
            None => Owed {
                fine: fine.saturating_sub(self.payments.iter().map(|p| p.amount).sum()),
                surcharge: Fen::ZERO,
            },
        }
    }

    /// A reconsideration or suit is pending on `today`.
    pub fn remedy_pending(&self, today: NaiveDate) -> bool {
        self.remedies
            .iter()
            .any(|r| r.span.from <= today && r.span.until.is_none_or(|u| u >= today))
    }
}

// ---------------------------------------------------------------- actions

/// A step recorded on a case.
///
/// Serialised with an `action` tag, e.g. `{"action":"request_hearing"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// An investigation or inspection step (Art. 42, 54, 55).
    Investigate {
        kind: String,
        officers: Vec<String>,
        credentials_shown: bool,
        #[serde(default)]
        single_officer_basis: Option<String>,
        #[serde(default)]
        note: String,
    },
    /// 先行登记保存 with the head's approval (Art. 56).
    PreserveEvidence {
        officers: Vec<String>,
        approved_by: String,
        items: Vec<String>,
    },
    /// The decision on preserved evidence (Art. 56).
    DecidePreserved {
        index: usize,
        outcome: String,
    },
    /// A recusal asked for or declared (Art. 43).
    RequestRecusal {
        officer: String,
        by_party: bool,
        reason: String,
    },
    /// The head decides a recusal (Art. 43); the actor is the head.
    DecideRecusal {
        officer: String,
        granted: bool,
        #[serde(default)]
        reason: String,
    },
    ServeNotice {
        notice: PriorNotice,
    },
    RecordStatement {
        text: String,
    },
    /// The party waives in writing (Art. 62 exception; Art. 64).
    Waive {
        statement: bool,
        hearing: bool,
    },
    RequestHearing,
    ScheduleHearing {
        schedule: HearingSchedule,
    },
    ConcludeHearing {
        outcome: HearingOutcome,
    },
    SubmitLegalReview {
        reviewer: String,
    },
    /// The reviewer's opinion; the actor is the reviewer.
    RecordLegalReview {
        passed: bool,
        opinion: String,
    },
    DiscussCollectively {
        chair: String,
        attendees: Vec<String>,
        conclusion: String,
    },
    Decide {
        decision: Decision,
        #[serde(default)]
        late_reason: Option<String>,
    },
    Serve {
        method: ServiceMethod,
        #[serde(default)]
        late_reason: Option<String>,
    },
    /// The postal receipt came back.
    RecordReceipt {
        received_on: NaiveDate,
    },
    ApproveDeferral {
        deferral: Deferral,
    },
    RecordRemedy {
        kind: RemedyKind,
        started_on: NaiveDate,
        #[serde(default)]
        ended_on: Option<NaiveDate>,
    },
    RecordPayment {
        payment: Payment,
    },
    /// A penalty without money (warning, measures) carried out, or the
    /// payments complete.
    RecordPerformance {
        note: String,
    },
    ApplyForEnforcement {
        court: String,
        reminder_served_on: NaiveDate,
    },
    /// Transfer to the judicial organs, once approved (Art. 27, 57 (4)).
    Transfer,
    /// The police declined and the decline stands (Decree 310 Art. 10).
    ResumeAfterTransfer,
    HandOverJurisdiction {
        transfer: JurisdictionTransfer,
    },
    Close {
        reason: String,
    },
    /// Art. 47: the whole process recorded and archived.
    Archive {
        number: String,
        full_record: bool,
    },
}

impl Action {
    /// The stable snake_case name (the serde tag).
    pub fn name(&self) -> &'static str {
        match self {
            Action::Investigate { .. } => "investigate",
            Action::PreserveEvidence { .. } => "preserve_evidence",
            Action::DecidePreserved { .. } => "decide_preserved",
            Action::RequestRecusal { .. } => "request_recusal",
            Action::DecideRecusal { .. } => "decide_recusal",
            Action::ServeNotice { .. } => "serve_notice",
            Action::RecordStatement { .. } => "record_statement",
            Action::Waive { .. } => "waive",
            Action::RequestHearing => "request_hearing",
            Action::ScheduleHearing { .. } => "schedule_hearing",
            Action::ConcludeHearing { .. } => "conclude_hearing",
            Action::SubmitLegalReview { .. } => "submit_legal_review",
            Action::RecordLegalReview { .. } => "record_legal_review",
            Action::DiscussCollectively { .. } => "discuss_collectively",
            Action::Decide { .. } => "decide",
            Action::Serve { .. } => "serve",
            Action::RecordReceipt { .. } => "record_receipt",
            Action::ApproveDeferral { .. } => "approve_deferral",
            Action::RecordRemedy { .. } => "record_remedy",
            Action::RecordPayment { .. } => "record_payment",
            Action::RecordPerformance { .. } => "record_performance",
            Action::ApplyForEnforcement { .. } => "apply_for_enforcement",
            Action::Transfer => "transfer",
            Action::ResumeAfterTransfer => "resume_after_transfer",
            Action::HandOverJurisdiction { .. } => "hand_over_jurisdiction",
            Action::Close { .. } => "close",
            Action::Archive { .. } => "archive",
        }
    }
}

/// What the rules need besides the record.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub record: &'a Record,
    /// The day of the step (China time).
    pub today: NaiveDate,
    /// The person recording the step.
    pub actor: &'a str,
    pub calendar: &'a Calendar,
    pub rules: &'a CaseRules,
    pub party: &'a Party,
    /// The item version the case was filed under, and the basis it carries.
    pub item: &'a Item,
    pub basis: &'a FiledBasis,
    pub traits: &'a CaseTraits,
    /// The agency's officers, with their credentials.
    pub roster: &'a [Officer],
    /// The agency's legal reviewers.
    pub reviewers: &'a [LegalReviewer],
    /// The Art. 60 deadline, from [`super::clock::clock`].
    pub decision_deadline: NaiveDate,
    /// The case's transfer to the police, if there is one.
    pub transfer: Option<TransferStatus>,
}

fn refuse(code: &'static str, field: &str, zh: String, en: String) -> Error {
    Error::invalid(code, field.to_string(), zh, en)
}

fn text(s: &str) -> bool {
    !s.trim().is_empty()
}

fn not_now(status: CaseStatus, action: &Action) -> Error {
    Error::new(
        ErrorKind::Conflict,
        "case.transition",
        format!(
            "案件当前状态为「{}」，不能进行此步骤（{}）",
            status.label(Lang::Zh),
            action.name()
        ),
        format!(
            "the step {} is not possible: the case is in status \"{}\"",
            action.name(),
            status.label(Lang::En)
        ),
    )
}

/// Decide whether `action` may be recorded now; on success, the record as
/// it becomes (status included).
pub fn transition(f: &Facts<'_>, action: &Action) -> Result<Record, Error> {
    use CaseStatus::*;
    let r = f.record;
    let s = r.status;
    let before_decision = matches!(
        s,
        Filed
            | Investigating
            | NoticeServed
            | HearingRequested
            | HearingConcluded
            | LegalReview
            | CollectiveDiscussion
    );
    let mut next = r.clone();
    match action {
        Action::Investigate {
            kind,
            officers,
            credentials_shown,
            single_officer_basis,
            note,
        } => {
            if !matches!(
                s,
                Filed | Investigating | NoticeServed | HearingRequested | HearingConcluded
            ) {
                return Err(not_now(s, action));
            }
            check_officers(f, officers, single_officer_basis.as_deref())?;
            require_credentials_shown(*credentials_shown)?;
            if !text(kind) {
                return Err(refuse(
                    "case.investigation_kind",
                    "kind",
                    "应当写明调查取证的方式（询问、勘验、检查等）".into(),
                    "state the kind of investigation step (inquiry, inspection …)".into(),
                ));
            }
            next.investigation.push(InvestigationStep {
                kind: kind.trim().into(),
                on: f.today,
                officers: officers.clone(),
                single_officer_basis: single_officer_basis.clone(),
                note: note.clone(),
            });
            if s == Filed {
                next.status = Investigating;
            }
        }
        Action::PreserveEvidence {
            officers,
            approved_by,
            items,
        } => {
            if !matches!(s, Filed | Investigating) {
                return Err(not_now(s, action));
            }
            check_officers(f, officers, None)?;
            if !text(approved_by) || items.iter().all(|i| !text(i)) {
                return Err(refuse(
                    "case.art56_approval",
                    "approved_by",
                    "《行政处罚法》第五十六条：先行登记保存证据应当经行政机关负责人批准，并列明保存的物品".into(),
                    "APL Art. 56: registering and preserving evidence needs the agency head's approval and a list of the items".into(),
                ));
            }
            next.preservations.push(Preservation {
                officers: officers.clone(),
                approved_by: approved_by.trim().into(),
                preserved_on: f.today,
                items: items.clone(),
                decide_by: preservation_deadline(f.calendar, f.today),
                decision: None,
            });
            next.status = Investigating;
        }
        Action::DecidePreserved { index, outcome } => {
            let Some(p) = next.preservations.get_mut(*index) else {
                return Err(Error::not_found("先行登记保存记录", "preservation record"));
            };
            if p.decision.is_some() {
                return Err(not_now(s, action));
            }
            if !text(outcome) {
                return Err(refuse(
                    "case.art56_decision",
                    "outcome",
                    "《行政处罚法》第五十六条：应当对先行登记保存的证据作出处理决定".into(),
                    "APL Art. 56: state the decision on the preserved evidence".into(),
                ));
            }
            p.decision = Some(PreservationDecision {
                on: f.today,
                outcome: outcome.trim().into(),
                late: f.today > p.decide_by,
            });
        }
        Action::RequestRecusal {
            officer,
            by_party,
            reason,
        } => {
            if !before_decision {
                return Err(not_now(s, action));
            }
            // Art. 43: the request is recorded; the investigation goes on.
            next.recusals
                .push(Recusal::request(officer, *by_party, reason, f.today)?);
        }
        Action::DecideRecusal {
            officer,
            granted,
            reason,
        } => {
            if !before_decision {
                return Err(not_now(s, action));
            }
            let Some(pos) = next.recusals.iter().rposition(|x| &x.officer == officer) else {
                return Err(Error::not_found("回避申请", "recusal request"));
            };
            next.recusals[pos] = next.recusals[pos].decide(*granted, f.actor, f.today, reason)?;
        }
        Action::ServeNotice { notice } => {
            if !matches!(
                s,
                Investigating
                    | NoticeServed
                    | HearingConcluded
                    | LegalReview
                    | CollectiveDiscussion
            ) {
                return Err(not_now(s, action));
            }
            check_notice(f, notice)?;
            let statement_ends = working_days(f.calendar, f.today, notice.statement_days);
            let hearing_request_ends = notice
                .hearing_right
                .then(|| working_days(f.calendar, f.today, HEARING_REQUEST_DAYS));
            next.notices.push(NoticeRecord {
                notice: notice.clone(),
                served_on: f.today,
                statement_ends,
                hearing_request_ends,
                statements: vec![],
                statement_waived: false,
                hearing_waived: false,
                hearing: None,
            });
            // A new proposal is reviewed and discussed afresh.
            next.legal_review = None;
            next.collective = None;
            next.status = NoticeServed;
        }
        Action::RecordStatement { text: t } => {
            if !matches!(
                s,
                NoticeServed
                    | HearingRequested
                    | HearingConcluded
                    | LegalReview
                    | CollectiveDiscussion
            ) {
                return Err(not_now(s, action));
            }
            if !text(t) {
                return Err(refuse(
                    "case.art45_statement",
                    "text",
                    "《行政处罚法》第四十五条：应当记录当事人陈述、申辩的内容".into(),
                    "APL Art. 45: record what the party stated".into(),
                ));
            }
            let Some(n) = next.notice_mut() else {
                return Err(not_now(s, action));
            };
            n.statements.push(Statement {
                on: f.today,
                text: t.trim().into(),
            });
        }
        Action::Waive { statement, hearing } => {
            if s != NoticeServed {
                return Err(not_now(s, action));
            }
            let Some(n) = next.notice_mut() else {
                return Err(not_now(s, action));
            };
            n.statement_waived |= *statement;
            n.hearing_waived |= *hearing;
        }
        Action::RequestHearing => {
            if s != NoticeServed {
                return Err(not_now(s, action));
            }
            let Some(n) = next.notice_mut() else {
                return Err(not_now(s, action));
            };
            let Some(end) = n.hearing_request_ends else {
                return Err(refuse(
                    "case.art63_no_hearing_right",
                    "hearing",
                    "《行政处罚法》第六十三条：拟作出的处罚不属于应当告知听证权利的情形".into(),
                    "APL Art. 63: the intended penalty does not carry the right to a hearing"
                        .into(),
                ));
            };
            if n.hearing_waived {
                return Err(refuse(
                    "case.art64_hearing_waived",
                    "hearing",
                    "《行政处罚法》第六十四条：当事人已放弃听证".into(),
                    "APL Art. 64: the party has waived the hearing".into(),
                ));
            }
            if f.today > end {
                return Err(refuse(
                    "case.art64_hearing_request_late",
                    "hearing",
                    format!(
                        "《行政处罚法》第六十四条：当事人要求听证的，应当在行政机关告知后五日内提出（至 {end}）"
                    ),
                    format!(
                        "APL Art. 64: a hearing must be asked for within 5 days of the notice (by {end})"
                    ),
                ));
            }
            n.hearing = Some(Hearing {
                requested_on: f.today,
                schedule: None,
                outcome: None,
            });
            next.status = HearingRequested;
        }
        Action::ScheduleHearing { schedule } => {
            if s != HearingRequested {
                return Err(not_now(s, action));
            }
            check_schedule(f, schedule)?;
            let Some(h) = next.notice_mut().and_then(|n| n.hearing.as_mut()) else {
                return Err(not_now(s, action));
            };
            h.schedule = Some(schedule.clone());
        }
        Action::ConcludeHearing { outcome } => {
            if s != HearingRequested {
                return Err(not_now(s, action));
            }
            let Some(h) = next.notice_mut().and_then(|n| n.hearing.as_mut()) else {
                return Err(not_now(s, action));
            };
            match outcome {
                HearingOutcome::Withdrawn => {}
                _ => {
                    let Some(schedule) = &h.schedule else {
                        return Err(refuse(
                            "case.art64_not_scheduled",
                            "schedule",
                            "《行政处罚法》第六十四条：听证尚未通知时间、地点".into(),
                            "APL Art. 64: the hearing has not been scheduled".into(),
                        ));
                    };
                    if f.today < schedule.hearing_on {
                        return Err(refuse(
                            "case.art64_not_yet",
                            "outcome",
                            format!("听证定于 {}，尚未举行", schedule.hearing_on),
                            format!(
                                "the hearing is set for {}; it has not taken place",
                                schedule.hearing_on
                            ),
                        ));
                    }
                }
            }
            match outcome {
                HearingOutcome::Held { agents, minutes } => {
                    if *agents > 2 {
                        return Err(refuse(
                            "case.art64_agents",
                            "agents",
                            "《行政处罚法》第六十四条：当事人可以委托一至二人代理".into(),
                            "APL Art. 64: the party may be represented by one or two agents".into(),
                        ));
                    }
                    if *minutes == (Signature::Refused { noted: false }) {
                        return Err(refuse(
                            "case.art64_minutes",
                            "minutes",
                            "《行政处罚法》第六十四条：听证笔录应当由当事人或者其代理人签字或者盖章；拒绝签字的，由听证主持人在笔录中注明".into(),
                            "APL Art. 64: the minutes are signed by the party or their agent; a refusal is noted by the presiding officer".into(),
                        ));
                    }
                }
                HearingOutcome::Absent {
                    good_reason: Some(reason),
                } if text(reason) => {
                    // Rescheduled: the request stands, a new schedule follows.
                    h.schedule = None;
                    return Ok(next);
                }
                _ => {}
            }
            h.outcome = Some(outcome.clone());
            next.status = HearingConcluded;
        }
        Action::SubmitLegalReview { reviewer } => {
            if !matches!(s, NoticeServed | HearingConcluded) {
                return Err(not_now(s, action));
            }
            require_rights_exhausted(f)?;
            let rv = f
                .reviewers
                .iter()
                .find(|x| &x.id == reviewer)
                .ok_or_else(|| {
                    refuse(
                        "case.art58_reviewer_unknown",
                        "reviewer",
                        format!("《行政处罚法》第五十八条：{reviewer} 不是本机关的法制审核人员"),
                        format!(
                            "APL Art. 58: {reviewer} is not one of the agency's legal reviewers"
                        ),
                    )
                })?;
            if r.investigators().contains(&reviewer.as_str()) {
                return Err(refuse(
                    "case.art58_reviewer_investigated",
                    "reviewer",
                    format!(
                        "《行政处罚法》第五十八条：法制审核应当由从事法制审核的人员进行，{} 参与了本案调查",
                        rv.name
                    ),
                    format!(
                        "APL Art. 58: the legal review is done by a reviewer, not by {} who investigated the case",
                        rv.name
                    ),
                ));
            }
            if rv.reviewing_since >= apl_in_force() && !rv.legal_qualification {
                return Err(refuse(
                    "case.art58_reviewer_qualification",
                    "reviewer",
                    format!(
                        "《行政处罚法》第五十八条：初次从事行政处罚决定法制审核的人员，应当通过国家统一法律职业资格考试取得法律职业资格，{} 尚未取得",
                        rv.name
                    ),
                    format!(
                        "APL Art. 58: reviewers who took up the work from 15 July 2021 must hold the national legal qualification; {} does not",
                        rv.name
                    ),
                ));
            }
            next.legal_review = Some(LegalReviewRecord {
                reviewer: reviewer.clone(),
                submitted_on: f.today,
                opinion: None,
            });
            next.status = LegalReview;
        }
        Action::RecordLegalReview { passed, opinion } => {
            let review = next.legal_review.as_mut();
            let Some(review) = review.filter(|rv| s == LegalReview && rv.opinion.is_none()) else {
                return Err(not_now(s, action));
            };
            if review.reviewer != f.actor {
                return Err(Error::new(
                    ErrorKind::Forbidden,
                    "case.art58_reviewer_only",
                    format!(
                        "《行政处罚法》第五十八条：审核意见由承担审核的 {} 出具",
                        review.reviewer
                    ),
                    format!(
                        "APL Art. 58: the opinion is given by the assigned reviewer {}",
                        review.reviewer
                    ),
                ));
            }
            if !text(opinion) {
                return Err(refuse(
                    "case.art58_opinion",
                    "opinion",
                    "《行政处罚法》第五十八条：应当出具书面审核意见".into(),
                    "APL Art. 58: the review needs a written opinion".into(),
                ));
            }
            review.opinion = Some(ReviewOpinion {
                passed: *passed,
                text: opinion.trim().into(),
                on: f.today,
            });
            if !passed {
                // "审核未通过的，不得作出决定": back to the investigation.
                next.status = Investigating;
            }
        }
        Action::DiscussCollectively {
            chair,
            attendees,
            conclusion,
        } => {
            if !matches!(s, NoticeServed | HearingConcluded | LegalReview) {
                return Err(not_now(s, action));
            }
            require_rights_exhausted(f)?;
            require_review(f, r)?;
            let mut people: Vec<&str> = attendees
                .iter()
                .map(|a| a.trim())
                .filter(|a| !a.is_empty())
                .collect();
            people.sort_unstable();
            people.dedup();
            if people.len() < 2 || !people.contains(&chair.trim()) || !text(conclusion) {
                return Err(refuse(
                    "case.art57_collective_record",
                    "attendees",
                    "《行政处罚法》第五十七条：集体讨论应当记录主持人、出席的负责人（至少二人）和讨论结论".into(),
                    "APL Art. 57: a collective discussion records its chair, the leaders present (at least two) and its conclusion".into(),
                ));
            }
            next.collective = Some(CollectiveRecord {
                held_on: f.today,
                chair: chair.trim().into(),
                attendees: people.iter().map(|p| p.to_string()).collect(),
                conclusion: conclusion.trim().into(),
            });
            next.status = CollectiveDiscussion;
        }
        Action::Decide {
            decision,
            late_reason,
        } => {
            let to = match decision {
                Decision::Penalise { letter } => {
                    if s == HearingRequested {
                        return Err(refuse(
                            "case.art64_hearing_pending",
                            "hearing",
                            "《行政处罚法》第六十三条、第六十四条：当事人要求听证的，应当组织听证后再作决定".into(),
                            "APL Art. 63–64: the party asked for a hearing; it must take place before the decision".into(),
                        ));
                    }
                    if !matches!(
                        s,
                        NoticeServed | HearingConcluded | LegalReview | CollectiveDiscussion
                    ) {
                        if matches!(s, Filed | Investigating) {
                            return Err(no_notice());
                        }
                        return Err(not_now(s, action));
                    }
                    check_penalty_decision(f, letter)?;
                    Decided
                }
                Decision::NoPenalty {
                    ground,
                    reasons,
                    education,
                } => {
                    if !matches!(
                        s,
                        Investigating
                            | NoticeServed
                            | HearingConcluded
                            | LegalReview
                            | CollectiveDiscussion
                    ) {
                        return Err(not_now(s, action));
                    }
                    check_no_penalty(f, *ground, reasons, education)?;
                    NoPenalty
                }
            };
            if f.today > f.decision_deadline && late_reason.as_deref().is_none_or(|x| !text(x)) {
                return Err(refuse(
                    "case.art60_late_reason",
                    "late_reason",
                    format!(
                        "《行政处罚法》第六十条：应当自立案之日起九十日内作出行政处罚决定，办案期限已于 {} 届满，逾期作出决定应当说明原因",
                        f.decision_deadline
                    ),
                    format!(
                        "APL Art. 60: the decision was due within 90 days of filing, by {}; a late decision must state the reason for the delay",
                        f.decision_deadline
                    ),
                ));
            }
            next.decision = Some(DecisionRecord {
                decided_on: f.today,
                decision: decision.clone(),
                late_reason: late_reason.clone(),
            });
            next.status = to;
        }
        Action::Serve {
            method,
            late_reason,
        } => {
            if !matches!(s, Decided | NoPenalty) || r.service.is_some() {
                return Err(not_now(s, action));
            }
            let decided_on = r.decision.as_ref().map(|d| d.decided_on).unwrap_or(f.today);
            let received_on =
                check_service(f.calendar, decided_on, method, late_reason.as_deref())?;
            next.service = Some(ServiceRecord {
                method: method.clone(),
                late_reason: late_reason.clone(),
                received_on,
            });
            if s == Decided {
                next.status = Served;
            }
        }
        Action::RecordReceipt { received_on } => {
            let Some(sv) = next.service.as_mut() else {
                return Err(not_now(s, action));
            };
            let ServiceMethod::Postal {
                sent_on,
                receipt_on,
            } = &mut sv.method
            else {
                return Err(not_now(s, action));
            };
            if sv.received_on.is_some() || *received_on < *sent_on {
                return Err(refuse(
                    "case.art61_receipt",
                    "received_on",
                    "《行政处罚法》第六十一条、《民事诉讼法》：邮寄送达以回执上注明的收件日期为送达日期，且不早于寄出日期".into(),
                    "APL Art. 61 with the Civil Procedure Law: postal service is effective on the receipt's date, not before sending".into(),
                ));
            }
            *receipt_on = Some(*received_on);
            sv.received_on = Some(*received_on);
        }
        Action::ApproveDeferral { deferral } => {
            if s != Served || r.deferral.is_some() {
                return Err(not_now(s, action));
            }
            check_deferral(r.fine(), deferral)?;
            next.deferral = Some(deferral.clone());
        }
        Action::RecordRemedy {
            kind,
            started_on,
            ended_on,
        } => {
            if !matches!(s, Decided | Served | EnforcementApplied | Performed) {
                return Err(not_now(s, action));
            }
            if ended_on.is_some_and(|e| e < *started_on) {
                return Err(refuse(
                    "case.art73_remedy_dates",
                    "ended_on",
                    "《行政处罚法》第七十三条：复议或者诉讼的结束日期不能早于开始日期".into(),
                    "APL Art. 73: a reconsideration or suit cannot end before it starts".into(),
                ));
            }
            // Ending a remedy already recorded, or a new one.
            match next
                .remedies
                .iter_mut()
                .find(|x| x.kind == *kind && x.span.from == *started_on && x.span.until.is_none())
            {
                Some(open) => open.span.until = *ended_on,
                None => next.remedies.push(Remedy {
                    kind: *kind,
                    span: Span {
                        from: *started_on,
                        until: *ended_on,
                    },
                }),
            }
        }
        Action::RecordPayment { payment } => {
            if !matches!(s, Served | EnforcementApplied) {
                return Err(not_now(s, action));
            }
            if payment.amount.is_zero() || payment.paid_on > f.today {
                return Err(refuse(
                    "case.art67_payment",
                    "payment",
                    "《行政处罚法》第六十七条：缴款应当有金额，且不晚于今天".into(),
                    "APL Art. 67: a payment has an amount and cannot be in the future".into(),
                ));
            }
            next.payments.push(*payment);
        }
        Action::RecordPerformance { note } => {
            if !matches!(s, Served | EnforcementApplied) {
                return Err(not_now(s, action));
            }
            let o = r.owed(f.calendar, f.today);
            if !o.fine.is_zero() {
                return Err(refuse(
                    "case.art67_fine_unpaid",
                    "payments",
                    format!("《行政处罚法》第六十七条：罚款尚未缴清，欠缴 {}", o.fine),
                    format!(
                        "APL Art. 67: the fine is not fully paid; {} remains",
                        o.fine
                    ),
                ));
            }
            if !o.surcharge.is_zero() {
                return Err(refuse(
                    "case.art72_surcharge_unpaid",
                    "payments",
                    format!(
                        "《行政处罚法》第七十二条：加处罚款 {} 尚未缴纳",
                        o.surcharge
                    ),
                    format!(
                        "APL Art. 72: the late-payment surcharge of {} is unpaid",
                        o.surcharge
                    ),
                ));
            }
            if !text(note) {
                return Err(refuse(
                    "case.performance_note",
                    "note",
                    "应当记录履行情况".into(),
                    "record how the decision was carried out".into(),
                ));
            }
            next.status = Performed;
        }
        Action::ApplyForEnforcement {
            court,
            reminder_served_on,
        } => {
            if s != Served {
                return Err(not_now(s, action));
            }
            let received = r
                .service
                .as_ref()
                .and_then(|sv| sv.received_on)
                .ok_or_else(|| {
                    refuse(
                        "case.art61_not_received",
                        "service",
                        "《行政处罚法》第六十一条：决定书尚未送达当事人".into(),
                        "APL Art. 61: the decision has not yet reached the party".into(),
                    )
                })?;
            let deferral_end = r
                .deferral
                .as_ref()
                .and_then(|d| d.plan.last())
                .map(|i| i.due);
            check_enforcement_application(
                f.calendar,
                received,
                deferral_end,
                r.remedy_pending(f.today),
                Some(*reminder_served_on),
                r.owed(f.calendar, f.today),
                f.today,
            )?;
            if !text(court) {
                return Err(refuse(
                    "case.art72_court",
                    "court",
                    "《行政处罚法》第七十二条：应当写明申请强制执行的人民法院".into(),
                    "APL Art. 72: name the court applied to".into(),
                ));
            }
            next.enforcement = Some(EnforcementApplication {
                applied_on: f.today,
                court: court.trim().into(),
                reminder_served_on: *reminder_served_on,
            });
            next.status = EnforcementApplied;
        }
        Action::Transfer => {
            if !before_decision {
                return Err(not_now(s, action));
            }
            if !matches!(
                f.transfer,
                Some(TransferStatus::Approved | TransferStatus::Sent)
            ) {
                return Err(refuse(
                    "case.art27_transfer_not_approved",
                    "transfer",
                    "《行政处罚法》第二十七条、《行政执法机关移送涉嫌犯罪案件的规定》第五条：移送司法机关应当由专案组报告、负责人批准".into(),
                    "APL Art. 27 with Decree 310 Art. 5: a transfer to the judicial organs needs the team's report and the head's approval".into(),
                ));
            }
            next.status = Transferred;
        }
        Action::ResumeAfterTransfer => {
            if s != Transferred {
                return Err(not_now(s, action));
            }
            if f.transfer != Some(TransferStatus::Resumed) {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    "case.decree310_art10_resume",
                    "《行政执法机关移送涉嫌犯罪案件的规定》第十条：公安机关决定不予立案（复议、监督已结束）后，方可恢复行政处罚程序",
                    "Decree 310 Art. 10: the administrative case resumes only after the police's decline stands",
                ));
            }
            next.status = Investigating;
        }
        Action::HandOverJurisdiction { transfer } => {
            if !matches!(s, Filed | Investigating) {
                return Err(not_now(s, action));
            }
            transfer.validate()?;
            next.handed_over = Some(transfer.clone());
            next.status = HandedOver;
        }
        Action::Close { reason } => {
            let may = match s {
                Performed | NoPenalty | HandedOver => true,
                EnforcementApplied => text(reason),
                Transferred => f.transfer == Some(TransferStatus::ItemsHandedOver),
                _ => false,
            };
            if !may {
                return Err(not_now(s, action));
            }
            next.closure = Some(Closure {
                closed_on: f.today,
                reason: reason.trim().into(),
            });
            next.status = Closed;
        }
        Action::Archive {
            number,
            full_record,
        } => {
            if s != Closed {
                return Err(not_now(s, action));
            }
            if !full_record || !text(number) {
                return Err(refuse(
                    "case.art47_record",
                    "full_record",
                    "《行政处罚法》第四十七条：行政机关应当对行政处罚的启动、调查取证、审核、决定、送达、执行等进行全过程记录，归档保存".into(),
                    "APL Art. 47: the whole process — start, investigation, review, decision, service, execution — is recorded and archived; the record is incomplete".into(),
                ));
            }
            next.archive = Some(ArchiveRecord {
                archived_on: f.today,
                number: number.trim().into(),
            });
            next.status = Archived;
        }
    }
    Ok(next)
}

/// Art. 42, 43: officers named by id, checked on the day.
fn check_officers(
    f: &Facts<'_>,
    ids: &[String],
    single_officer_basis: Option<&str>,
) -> Result<(), Error> {
    let officers = resolve(f.roster, ids)?;
    require_investigators(&officers, f.today, &f.record.recusals, single_officer_basis)
}

/// APL Art. 64: the hearing notice, presiding officer and publicity.
fn check_schedule(f: &Facts<'_>, sch: &HearingSchedule) -> Result<(), Error> {
    let earliest = working_days(f.calendar, sch.notified_on, HEARING_NOTICE_DAYS);
    if sch.hearing_on < earliest {
        return Err(refuse(
            "case.art64_hearing_notice",
            "hearing_on",
            format!(
                "《行政处罚法》第六十四条：行政机关应当在举行听证的七日前通知当事人及有关人员听证的时间、地点；{} 通知的，最早 {earliest} 举行",
                sch.notified_on
            ),
            format!(
                "APL Art. 64: the party is notified of time and place at least 7 days before the hearing; notified on {}, it can be held from {earliest}",
                sch.notified_on
            ),
        ));
    }
    if sch.notified_on > f.today {
        return Err(refuse(
            "case.art64_hearing_notice",
            "notified_on",
            "听证通知日期不能晚于今天".into(),
            "the hearing notice cannot be dated in the future".into(),
        ));
    }
    if f.record.investigators().contains(&sch.presiding.as_str()) {
        return Err(refuse(
            "case.art64_presiding_investigator",
            "presiding",
            "《行政处罚法》第六十四条：听证由行政机关指定的非本案调查人员主持".into(),
            "APL Art. 64: the hearing is presided by someone who did not investigate the case"
                .into(),
        ));
    }
    if !text(&sch.presiding) || !text(&sch.place) {
        return Err(refuse(
            "case.art64_schedule",
            "presiding",
            "《行政处罚法》第六十四条：应当写明听证主持人、时间和地点".into(),
            "APL Art. 64: name the presiding officer, the time and the place".into(),
        ));
    }
    if !sch.public && sch.closed_reason.as_deref().is_none_or(|r| !text(r)) {
        return Err(refuse(
            "case.art64_public",
            "public",
            "《行政处罚法》第六十四条：除涉及国家秘密、商业秘密或者个人隐私依法予以保密外，听证公开举行".into(),
            "APL Art. 64: hearings are public unless state secrets, commercial secrets or privacy require otherwise; state which".into(),
        ));
    }
    Ok(())
}

/// Art. 30, 33, 44, 45, 56: may this prior notice be served?
fn check_notice(f: &Facts<'_>, n: &PriorNotice) -> Result<(), Error> {
    let r = f.record;
    if let Some(p) = r.preservations.iter().find(|p| p.decision.is_none()) {
        return Err(refuse(
            "case.art56_preservation_undecided",
            "preservations",
            format!(
                "《行政处罚法》第五十六条：先行登记保存的证据应当在七日内作出处理决定（{} 保存，期限至 {}）",
                p.preserved_on, p.decide_by
            ),
            format!(
                "APL Art. 56: decide on the evidence preserved on {} (due {}) first",
                p.preserved_on, p.decide_by
            ),
        ));
    }
    require_punishable(f)?;
    if n.penalty.is_empty() {
        return Err(notice_contents(
            "penalty",
            "拟作出的行政处罚",
            "the intended penalty",
        ));
    }
    for (v, field, zh, en) in [
        (&n.facts, "facts", "违法事实", "the facts"),
        (&n.reasons, "reasons", "理由", "the reasons"),
    ] {
        if !text(v) {
            return Err(notice_contents(field, zh, en));
        }
    }
    if n.basis.iter().all(|b| !text(b)) {
        return Err(notice_contents("basis", "处罚依据", "the legal basis"));
    }
    if !n.statement_rights || n.statement_days == 0 {
        return Err(notice_contents(
            "statement_rights",
            "陈述、申辩的权利及期限",
            "the rights to state one's case and defend, and the period for it",
        ));
    }
    if let Some((zh, en)) = f.rules.hearing.hearing_ground(&n.penalty, f.party.kind())
        && !n.hearing_right
    {
        return Err(refuse(
            "case.art44_hearing_right",
            "hearing_right",
            format!("《行政处罚法》第四十四条、第六十三条：{zh}，应当告知当事人有要求听证的权利"),
            format!("APL Art. 44 and 63: {en}; the party must be told of the right to a hearing"),
        ));
    }
    check_fine(
        f.item,
        f.basis,
        f.party.age_category(r.act_date),
        &n.discretion,
        n.penalty.fine,
        &f.rules.discretion,
    )?;
    if let Some(prev) = r.notice() {
        require_not_heavier(&n.penalty, &prev.notice.penalty, n.new_facts.as_deref())?;
    }
    Ok(())
}

fn notice_contents(field: &str, zh: &str, en: &str) -> Error {
    refuse(
        "case.art44_notice_contents",
        field,
        format!("《行政处罚法》第四十四条：行政处罚事先告知应当载明{zh}"),
        format!("APL Art. 44: the prior notice must state {en}"),
    )
}

/// Art. 30, 33, Decree 310 Art. 11: may a penalty be imposed at all?
fn require_punishable(f: &Facts<'_>) -> Result<(), Error> {
    penalty_allowed(f.transfer)?;
    if f.party.age_category(f.record.act_date) == Some(AgeCategory::UnderFourteen) {
        return Err(refuse(
            "case.art30_under_14",
            "party",
            "《行政处罚法》第三十条：不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教".into(),
            "APL Art. 30: a person under fourteen at the time of the act is not punished; the guardian is told to discipline them".into(),
        ));
    }
    if must_not_punish(&f.traits.offence) {
        return Err(refuse(
            "case.art33_minor_no_penalty",
            "traits",
            "《行政处罚法》第三十三条：违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚".into(),
            "APL Art. 33: a minor act, promptly corrected and without harmful consequences, is not punished".into(),
        ));
    }
    if f.traits.no_fault_proven {
        return Err(refuse(
            "case.art33_no_fault",
            "traits",
            "《行政处罚法》第三十三条：当事人有证据足以证明没有主观过错的，不予行政处罚".into(),
            "APL Art. 33: a party who proves there was no fault is not punished".into(),
        ));
    }
    Ok(())
}

fn no_notice() -> Error {
    refuse(
        "case.art62_notice_required",
        "notice",
        "《行政处罚法》第六十二条：未依照第四十四条、第四十五条告知当事人拟作出的行政处罚内容及事实、理由、依据的，不得作出行政处罚决定".into(),
        "APL Art. 62: no penalty may be decided before the party has been told the intended penalty, facts, reasons and basis (Art. 44–45)".into(),
    )
}

/// Art. 62, 64: the party's statement period is over or waived, and no
/// hearing can still be asked for or is pending.
fn require_rights_exhausted(f: &Facts<'_>) -> Result<(), Error> {
    let Some(n) = f.record.notice() else {
        return Err(no_notice());
    };
    if !n.statement_closed(f.today) {
        return Err(refuse(
            "case.art62_statement_period",
            "statement",
            format!(
                "《行政处罚法》第六十二条：陈述、申辩期限至 {} 届满，当事人未明确放弃的，期满前不得作出决定",
                n.statement_ends
            ),
            format!(
                "APL Art. 62: the period for statement and defence runs until {}; unless the party waived it, no decision before it ends",
                n.statement_ends
            ),
        ));
    }
    if !n.hearing_closed(f.today) {
        let end = n.hearing_request_ends.unwrap_or(f.today);
        return Err(refuse(
            "case.art64_hearing_window",
            "hearing",
            format!(
                "《行政处罚法》第六十四条：当事人可以在告知后五日内要求听证（至 {end}），期满或者放弃前不得作出决定"
            ),
            format!(
                "APL Art. 64: the party may ask for a hearing until {end}; no decision before that period ends or is waived"
            ),
        ));
    }
    Ok(())
}

/// Art. 58: a required legal review has passed.
///
/// A review submitted although not required must also have passed while
/// the case is under review: its opinion is awaited.
fn require_review(f: &Facts<'_>, r: &Record) -> Result<(), Error> {
    let passed = r
        .legal_review
        .as_ref()
        .and_then(|rv| rv.opinion.as_ref())
        .is_some_and(|o| o.passed);
    if passed {
        return Ok(());
    }
    let Some(ground) = legal_review_required(f.traits, r.hearing_held()) else {
        if r.status == CaseStatus::LegalReview {
            return Err(refuse(
                "case.art58_legal_review",
                "legal_review",
                "《行政处罚法》第五十八条：案件已送法制审核，审核意见尚未出具".into(),
                "APL Art. 58: the case is under legal review; its opinion is awaited".into(),
            ));
        }
        return Ok(());
    };
    let (zh, en) = match &ground {
        ReviewGround::MajorPublicInterest => (
            "涉及重大公共利益".to_string(),
            "it involves major public interest".to_string(),
        ),
        ReviewGround::HearingHeld => (
            "经过听证程序".to_string(),
            "it went through a hearing".to_string(),
        ),
        ReviewGround::Complex => (
            "案件情况疑难复杂、涉及多个法律关系".to_string(),
            "it is complex with several legal relations".to_string(),
        ),
        ReviewGround::RequiredBy(b) => (
            format!("{b}规定应当进行法制审核"),
            format!("{b} requires it"),
        ),
    };
    Err(refuse(
        "case.art58_legal_review",
        "legal_review",
        format!(
            "《行政处罚法》第五十八条：本案{zh}，作出决定前应当进行法制审核；未经法制审核或者审核未通过的，不得作出决定"
        ),
        format!("APL Art. 58: {en}, so a legal review must pass before the decision"),
    ))
}

/// Art. 28, 44–45, 57–60, 62: may this penalty be decided?
fn check_penalty_decision(f: &Facts<'_>, l: &DecisionLetter) -> Result<(), Error> {
    let r = f.record;
    require_punishable(f)?;
    require_rights_exhausted(f)?;
    let Some(notice) = r.notice() else {
        return Err(no_notice());
    };
    if let Some((zh, en)) = l.penalty.heavier_than(&notice.notice.penalty) {
        return Err(refuse(
            "case.art45_no_heavier_penalty",
            "letter.penalty",
            format!(
                "《行政处罚法》第四十四条、第四十五条：决定的{zh}重于事先告知的处罚，不得因当事人陈述、申辩而加重；确有新的事实、证据的，应当重新告知"
            ),
            format!(
                "APL Art. 44–45: {en} is heavier than notified; it may not be increased because the party defended — with new facts or evidence, serve a new prior notice"
            ),
        ));
    }
    if l.penalty.is_empty() {
        return Err(contents(
            "letter.penalty",
            "行政处罚的种类",
            "the type of penalty",
        ));
    }
    require_review(f, r)?;
    if collective_decision_required(f.traits) && r.collective.is_none() {
        return Err(refuse(
            "case.art57_collective_decision",
            "collective",
            "《行政处罚法》第五十七条：对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定".into(),
            "APL Art. 57: a penalty for a complex case or a major violation is decided collectively by the agency's leaders".into(),
        ));
    }
    for (v, field, zh, en) in [
        (&l.number, "letter.number", "文号", "the number"),
        (
            &l.party_name,
            "letter.party_name",
            "当事人的姓名或者名称",
            "the party's name",
        ),
        (
            &l.party_address,
            "letter.party_address",
            "当事人的地址",
            "the party's address",
        ),
        (
            &l.facts,
            "letter.facts",
            "违反法律、法规、规章的事实",
            "the facts",
        ),
        (
            &l.performance,
            "letter.performance",
            "行政处罚的履行方式和期限",
            "how and by when to perform",
        ),
        (
            &l.agency,
            "letter.agency",
            "作出决定的行政机关名称",
            "the agency's name",
        ),
    ] {
        if !text(v) {
            return Err(contents(field, zh, en));
        }
    }
    if l.evidence.iter().all(|e| !text(e)) {
        return Err(contents("letter.evidence", "证据", "the evidence"));
    }
    if l.basis.iter().all(|b| !text(b)) {
        return Err(contents(
            "letter.basis",
            "行政处罚的依据",
            "the legal basis",
        ));
    }
    if l.date != f.today {
        return Err(contents(
            "letter.date",
            "作出决定的日期（当日）",
            "the date of the decision (today)",
        ));
    }
    let rem = &l.remedies;
    if !text(&rem.reconsideration_body)
        || !text(&rem.court)
        || rem.reconsideration_days < RECONSIDERATION_DAYS
        || rem.litigation_months < LITIGATION_MONTHS
    {
        return Err(refuse(
            "case.art59_remedies",
            "letter.remedies",
            format!(
                "《行政处罚法》第五十九条：应当载明申请行政复议、提起行政诉讼的途径和期限（复议机关、人民法院，{RECONSIDERATION_DAYS}日、{LITIGATION_MONTHS}个月）"
            ),
            format!(
                "APL Art. 59: state where and by when to seek reconsideration or sue (body and court; {RECONSIDERATION_DAYS} days, {LITIGATION_MONTHS} months)"
            ),
        ));
    }
    if !l.sealed {
        return Err(refuse(
            "case.art59_seal",
            "letter.sealed",
            "《行政处罚法》第五十九条：行政处罚决定书必须盖有作出决定的行政机关的印章".into(),
            "APL Art. 59: the decision must bear the agency's seal".into(),
        ));
    }
    require_correction(&l.correction)?;
    check_fine(
        f.item,
        f.basis,
        f.party.age_category(r.act_date),
        &l.discretion,
        l.penalty.fine,
        &f.rules.discretion,
    )?;
    Ok(())
}

fn contents(field: &str, zh: &str, en: &str) -> Error {
    refuse(
        "case.art59_contents",
        field,
        format!("《行政处罚法》第五十九条：行政处罚决定书应当载明{zh}"),
        format!("APL Art. 59: the decision must state {en}"),
    )
}

/// Art. 30, 33, 57: may this no-penalty decision be recorded?
fn check_no_penalty(
    f: &Facts<'_>,
    ground: NoPenaltyGround,
    reasons: &str,
    education: &str,
) -> Result<(), Error> {
    if !text(reasons) {
        return Err(refuse(
            "case.art57_reasons",
            "reasons",
            "《行政处罚法》第五十七条：不予行政处罚应当写明理由".into(),
            "APL Art. 57: a decision not to punish states its reasons".into(),
        ));
    }
    match ground {
        NoPenaltyGround::FirstOffence if !f.item.first_offence_no_penalty => {
            return Err(refuse(
                "case.art33_first_offence_not_listed",
                "ground",
                format!(
                    "《行政处罚法》第三十三条：事项 {} 未列入首违不罚清单",
                    f.item.code
                ),
                format!(
                    "APL Art. 33: item {} is not on a first-offence no-penalty list",
                    f.item.code
                ),
            ));
        }
        NoPenaltyGround::UnderFourteen
            if f.party.age_category(f.record.act_date) != Some(AgeCategory::UnderFourteen) =>
        {
            return Err(refuse(
                "case.art30_not_under_14",
                "ground",
                "《行政处罚法》第三十条：当事人违法时已满十四周岁".into(),
                "APL Art. 30: the party was not under fourteen at the time of the act".into(),
            ));
        }
        _ => {}
    }
    if ground != NoPenaltyGround::NotEstablished && !text(education) {
        return Err(refuse(
            "case.art33_education",
            "education",
            "《行政处罚法》第三十三条：对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行教育（第三十条：责令监护人加以管教），应当记录".into(),
            "APL Art. 33: where no penalty is given, the party is educated (Art. 30: the guardian told to discipline), and that is recorded".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
