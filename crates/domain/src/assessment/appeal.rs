//! Appeals (申诉) against a frozen assessment result.
//!
//! ```text
//! file(reason) ─▶ Filed ─resolve(accepted, reason[, adjusted score])─▶ Accepted
//!                       └─resolve(rejected, reason)─────────────────▶ Rejected
//! ```
//!
//! Anyone who may read the result may appeal it, with a reason. It is
//! decided once, with a reason, by a leader ([`super::ASSESS`]) who is
//! neither the appellant nor the person assessed. An accepted appeal may
//! set the result's final score; the frozen indicator values and computed
//! score stay as they were.

use serde::{Deserialize, Serialize};

use super::Subject;
use super::rules::MAX_BASE;
use crate::{Error, ErrorKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    /// 已提出, waiting for a decision.
    Filed,
    /// 申诉成立
    Accepted,
    /// 申诉不成立
    Rejected,
}

impl AppealStatus {
    pub const ALL: [AppealStatus; 3] = [
        AppealStatus::Filed,
        AppealStatus::Accepted,
        AppealStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppealStatus::Filed => "filed",
            AppealStatus::Accepted => "accepted",
            AppealStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<AppealStatus> {
        AppealStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

fn reason_required(field: &str, zh: &str, en: &str) -> Error {
    Error::invalid("assessment.reason_required", field, zh, en)
}

/// File an appeal: it needs a reason.
pub fn file(reason: &str) -> Result<AppealStatus, Error> {
    if reason.trim().is_empty() {
        return Err(reason_required(
            "reason",
            "申诉必须说明理由",
            "an appeal must give its reason",
        ));
    }
    Ok(AppealStatus::Filed)
}

/// What the rules need to know to decide an appeal.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub status: AppealStatus,
    /// Who filed it (a user id).
    pub appellant: &'a str,
    /// The result appealed against.
    pub subject: &'a Subject,
    /// Who decides (a user id), and the person of the brigade they are, if any.
    pub resolver: &'a str,
    pub resolver_staff: Option<&'a str>,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub accepted: bool,
    #[serde(default)]
    pub reason: String,
    /// Only for an accepted appeal: the result's final score.
    #[serde(default)]
    pub adjusted_score: Option<f64>,
}

/// Decide an appeal. Checked in this order: already decided (409
/// `assessment.appeal_decided`), the appellant deciding (403
/// `assessment.own_appeal`), the assessed person deciding (403
/// `assessment.own_result`), then the input (422, naming the field).
pub fn resolve(f: &Facts<'_>, r: &Resolution) -> Result<AppealStatus, Error> {
    if f.status != AppealStatus::Filed {
        return Err(Error::new(
            ErrorKind::Conflict,
            "assessment.appeal_decided",
            "该申诉已作出决定，不能再次决定",
            "this appeal has already been decided",
        ));
    }
    if f.resolver == f.appellant {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "assessment.own_appeal",
            "申诉人不能决定自己提出的申诉，应由其他领导决定",
            "the appellant cannot decide their own appeal; another leader must",
        ));
    }
    if f.subject.kind.is_person() && f.resolver_staff == Some(f.subject.id.as_str()) {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "assessment.own_result",
            "被考核人不能决定针对本人考核结果的申诉",
            "the person assessed cannot decide an appeal against their own result",
        ));
    }
    if r.reason.trim().is_empty() {
        return Err(reason_required(
            "reason",
            "决定申诉必须说明理由",
            "deciding an appeal requires a reason",
        ));
    }
    match (r.accepted, r.adjusted_score) {
        (false, Some(_)) => Err(Error::invalid(
            "assessment.adjusted_score",
            "adjusted_score",
            "申诉不成立时不能调整分数",
            "a rejected appeal cannot adjust the score",
        )),
        (true, Some(s)) if !s.is_finite() || !(0.0..=MAX_BASE * 2.0).contains(&s) => {
            Err(Error::invalid(
                "assessment.adjusted_score",
                "adjusted_score",
                format!("调整后的分数应在 0 至 {} 之间", MAX_BASE * 2.0),
                format!("the adjusted score must be from 0 to {}", MAX_BASE * 2.0),
            ))
        }
        (true, _) => Ok(AppealStatus::Accepted),
        (false, None) => Ok(AppealStatus::Rejected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::SubjectKind;

    fn facts<'a>(subject: &'a Subject, resolver: &'a str, staff: Option<&'a str>) -> Facts<'a> {
        Facts {
            status: AppealStatus::Filed,
            appellant: "u-appellant",
            subject,
            resolver,
            resolver_staff: staff,
        }
    }

    fn decision(accepted: bool, reason: &str, adjusted: Option<f64>) -> Resolution {
        Resolution {
            accepted,
            reason: reason.into(),
            adjusted_score: adjusted,
        }
    }

    #[test]
    fn an_appeal_needs_a_reason() {
        assert_eq!(file("两件超期系系统故障"), Ok(AppealStatus::Filed));
        let e = file("  ").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("assessment.reason_required", Some("reason"))
        );
    }

    #[test]
    fn a_leader_decides_with_a_reason_once() {
        let squad = Subject::new(SubjectKind::Squad, "411423100-ZD1");
        let f = facts(&squad, "u-leader", Some("s-leader"));
        let yes = decision(true, "核实系停电所致", Some(101.5));
        assert_eq!(resolve(&f, &yes), Ok(AppealStatus::Accepted));
        let no = decision(false, "超期属实", None);
        assert_eq!(resolve(&f, &no), Ok(AppealStatus::Rejected));
        let decided = Facts {
            status: AppealStatus::Rejected,
            ..f
        };
        let e = resolve(&decided, &yes).unwrap_err();
        assert_eq!(
            (e.code, e.kind),
            ("assessment.appeal_decided", ErrorKind::Conflict)
        );
    }

    #[test]
    fn nobody_decides_their_own_appeal_or_result() {
        let squad = Subject::new(SubjectKind::Squad, "411423100-ZD1");
        let e = resolve(
            &facts(&squad, "u-appellant", None),
            &decision(true, "理由", None),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.kind),
            ("assessment.own_appeal", ErrorKind::Forbidden)
        );
        let officer = Subject::new(SubjectKind::Officer, "s-7");
        let e = resolve(
            &facts(&officer, "u-9", Some("s-7")),
            &decision(false, "理由", None),
        )
        .unwrap_err();
        assert_eq!(e.code, "assessment.own_result");
        // a leader who is somebody else may
        assert!(
            resolve(
                &facts(&officer, "u-9", Some("s-8")),
                &decision(false, "理由", None)
            )
            .is_ok()
        );
    }

    #[test]
    fn the_decision_names_its_bad_field() {
        let t = Subject::new(SubjectKind::Township, "411423100");
        let f = facts(&t, "u-leader", None);
        let e = resolve(&f, &decision(true, " ", None)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("reason"));
        let e = resolve(&f, &decision(false, "不成立", Some(90.0))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("adjusted_score"));
        let e = resolve(&f, &decision(true, "成立", Some(f64::NAN))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("adjusted_score"));
    }
}
