//! The enforcement documents the platform produces.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One kind of enforcement document. Its [`code`](Kind::code) is stable: it
/// names the template file (`<code>.typ`) and is what the API and the
/// database store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 立案审批表 (APL Art. 54: filing within the agency's jurisdiction).
    FilingApproval,
    /// 现场检查（勘验）笔录 (Art. 42, 55: two officers, credentials shown).
    InspectionRecord,
    /// 询问笔录 (Art. 55).
    InquiryRecord,
    /// 先行登记保存通知书 (Art. 56: decided within 7 days).
    EvidencePreservationNotice,
    /// 行政处罚事先告知书 (Art. 44, 45, 63, 64).
    PriorNotice,
    /// 听证通知书 (Art. 64: time and place 7 days ahead).
    HearingNotice,
    /// 听证笔录 (Art. 64: checked and signed by the party).
    HearingRecord,
    /// 法制审核意见书 (Art. 58).
    LegalReviewOpinion,
    /// 行政处罚决定书 (Art. 59, with the order to correct of Art. 28).
    PenaltyDecision,
    /// 送达回证 (Art. 61).
    ServiceReceipt,
    /// 涉嫌犯罪案件移送书 (Art. 27; State Council Decree 310).
    CrimeTransferLetter,
    /// 当场行政处罚决定书 (Art. 51–52: the numbered on-the-spot decision
    /// of the summary procedure).
    SummaryDecision,
}

impl Kind {
    /// Every kind, in the order of the procedure.
    pub const ALL: [Kind; 12] = [
        Kind::FilingApproval,
        Kind::InspectionRecord,
        Kind::InquiryRecord,
        Kind::EvidencePreservationNotice,
        Kind::PriorNotice,
        Kind::HearingNotice,
        Kind::HearingRecord,
        Kind::LegalReviewOpinion,
        Kind::PenaltyDecision,
        Kind::ServiceReceipt,
        Kind::CrimeTransferLetter,
        Kind::SummaryDecision,
    ];

    /// The stable code: `penalty_decision`, …
    pub const fn code(self) -> &'static str {
        match self {
            Kind::FilingApproval => "filing_approval",
            Kind::InspectionRecord => "inspection_record",
            Kind::InquiryRecord => "inquiry_record",
            Kind::EvidencePreservationNotice => "evidence_preservation_notice",
            Kind::PriorNotice => "prior_notice",
            Kind::HearingNotice => "hearing_notice",
            Kind::HearingRecord => "hearing_record",
            Kind::LegalReviewOpinion => "legal_review_opinion",
            Kind::PenaltyDecision => "penalty_decision",
            Kind::ServiceReceipt => "service_receipt",
            Kind::CrimeTransferLetter => "crime_transfer_letter",
            Kind::SummaryDecision => "summary_decision",
        }
    }

    /// The document's Chinese title as printed.
    pub const fn title(self) -> &'static str {
        match self {
            Kind::FilingApproval => "立案审批表",
            Kind::InspectionRecord => "现场检查（勘验）笔录",
            Kind::InquiryRecord => "询问笔录",
            Kind::EvidencePreservationNotice => "先行登记保存通知书",
            Kind::PriorNotice => "行政处罚事先告知书",
            Kind::HearingNotice => "听证通知书",
            Kind::HearingRecord => "听证笔录",
            Kind::LegalReviewOpinion => "法制审核意见书",
            Kind::PenaltyDecision => "行政处罚决定书",
            Kind::ServiceReceipt => "送达回证",
            Kind::CrimeTransferLetter => "涉嫌犯罪案件移送书",
            Kind::SummaryDecision => "当场行政处罚决定书",
        }
    }

    /// The kind with this code.
    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The template's file name: `<code>.typ`.
    pub fn template_file(self) -> String {
        format!("{}.typ", self.code())
    }

    /// The template compiled into the binary.
    pub fn builtin_template(self) -> &'static str {
        match self {
            Kind::FilingApproval => include_str!("../templates/filing_approval.typ"),
            Kind::InspectionRecord => include_str!("../templates/inspection_record.typ"),
            Kind::InquiryRecord => include_str!("../templates/inquiry_record.typ"),
            Kind::EvidencePreservationNotice => {
                include_str!("../templates/evidence_preservation_notice.typ")
            }
            Kind::PriorNotice => include_str!("../templates/prior_notice.typ"),
            Kind::HearingNotice => include_str!("../templates/hearing_notice.typ"),
            Kind::HearingRecord => include_str!("../templates/hearing_record.typ"),
            Kind::LegalReviewOpinion => include_str!("../templates/legal_review_opinion.typ"),
            Kind::PenaltyDecision => include_str!("../templates/penalty_decision.typ"),
            Kind::ServiceReceipt => include_str!("../templates/service_receipt.typ"),
            Kind::CrimeTransferLetter => include_str!("../templates/crime_transfer_letter.typ"),
            Kind::SummaryDecision => include_str!("../templates/summary_decision.typ"),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The code is not one of the twelve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown document kind {0:?}")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Kind::from_code(code).ok_or_else(|| UnknownKind(code.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_code(kind.code()), Some(kind));
            assert_eq!(kind.code().parse::<Kind>().unwrap(), kind);
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, serde_json::Value::from(kind.code()));
        }
        assert!("penalty".parse::<Kind>().is_err());
    }
}
