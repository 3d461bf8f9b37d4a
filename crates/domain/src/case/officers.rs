//! Who may act on a case.
//!
//! * APL Art. 42: penalties are imposed by officers with enforcement
//!   credentials; an investigation or inspection needs **at least two**
//!   officers, unless a law provides otherwise. Each must hold a credential
//!   valid on the day ([`crate::org::Credential::is_valid_on`]).
//! * APL Art. 55: the officers show their credentials to the party.
//! * APL Art. 43: an officer with a direct interest in the case, or another
//!   relation that may affect impartial enforcement, withdraws (回避). The
//!   party may ask for it; the agency head decides. **Until the decision the
//!   investigation does not stop**: a pending request does not bar the
//!   officer, a granted one does.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::org::Credential;

/// An enforcement officer as the case rules see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// The staff or user id.
    pub id: String,
    pub name: String,
    /// The enforcement credential (执法证), if the officer holds one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
}

impl Officer {
    /// APL Art. 42: holds a credential valid on `date`.
    pub fn credentialed_on(&self, date: NaiveDate) -> bool {
        self.credential
            .as_ref()
            .is_some_and(|c| c.is_valid_on(date))
    }
}

/// Where a recusal stands (APL Art. 43).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RecusalState {
    /// Asked for, not yet decided: the officer may still act.
    Requested,
    /// Decided by the agency head: the officer withdraws from the case.
    Granted {
        decided_by: String,
        decided_on: NaiveDate,
    },
    /// Decided by the agency head: no ground; the officer continues.
    Rejected {
        decided_by: String,
        decided_on: NaiveDate,
        reason: String,
    },
}

/// A recusal of one officer from one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recusal {
    pub officer: String,
    /// Asked for by the party (true) or declared by the officer (false).
    pub by_party: bool,
    pub reason: String,
    pub requested_on: NaiveDate,
    pub state: RecusalState,
}

impl Recusal {
    /// A new request; refuses one without a reason.
    pub fn request(
        officer: &str,
        by_party: bool,
        reason: &str,
        on: NaiveDate,
    ) -> Result<Recusal, Error> {
        if reason.trim().is_empty() {
            return Err(Error::invalid(
                "case.art43_recusal_reason",
                "reason",
                "《行政处罚法》第四十三条：申请回避应当说明执法人员与案件的利害关系或者其他关系",
                "APL Art. 43: a recusal request must state the officer's interest in or relation to the case",
            ));
        }
        Ok(Recusal {
            officer: officer.to_string(),
            by_party,
            reason: reason.trim().to_string(),
            requested_on: on,
            state: RecusalState::Requested,
        })
    }

    /// The head's decision. Only a pending request can be decided; the
    /// officer concerned cannot decide their own recusal; a rejection needs
    /// a reason.
    pub fn decide(
        &self,
        granted: bool,
        head: &str,
        on: NaiveDate,
        reason: &str,
    ) -> Result<Recusal, Error> {
        if self.state != RecusalState::Requested {
            return Err(Error::invalid(
                "case.art43_recusal_decided",
                "officer",
                "该回避申请已经作出决定",
                "this recusal request has already been decided",
            ));
        }
        if head.trim().is_empty() || head == self.officer {
            return Err(Error::invalid(
                "case.art43_recusal_decider",
                "decided_by",
                "《行政处罚法》第四十三条：回避由行政机关负责人决定，被申请回避的执法人员不能自行决定",
                "APL Art. 43: the agency head decides a recusal; the officer concerned cannot decide it",
            ));
        }
        let state = if granted {
            RecusalState::Granted {
                decided_by: head.to_string(),
                decided_on: on,
            }
        } else {
            if reason.trim().is_empty() {
                return Err(Error::invalid(
                    "case.art43_recusal_reason",
                    "reason",
                    "《行政处罚法》第四十三条：驳回回避申请应当说明理由",
                    "APL Art. 43: rejecting a recusal request needs a reason",
                ));
            }
            RecusalState::Rejected {
                decided_by: head.to_string(),
                decided_on: on,
                reason: reason.trim().to_string(),
            }
        };
        Ok(Recusal {
            state,
            ..self.clone()
        })
    }
}

/// Whether `officer` has withdrawn from the case (a granted recusal).
pub fn is_recused(officer: &str, recusals: &[Recusal]) -> bool {
    recusals
        .iter()
        .any(|r| r.officer == officer && matches!(r.state, RecusalState::Granted { .. }))
}

/// APL Art. 43: refuse an officer who withdrew from the case. A request not
/// yet decided does not stop them.
pub fn require_not_recused(officer: &Officer, recusals: &[Recusal]) -> Result<(), Error> {
    if is_recused(&officer.id, recusals) {
        return Err(Error::invalid(
            "case.art43_recused",
            "officers",
            format!(
                "《行政处罚法》第四十三条：执法人员{}已决定回避，不得参与本案",
                officer.name
            ),
            format!(
                "APL Art. 43: officer {} has been recused and may not act on this case",
                officer.name
            ),
        ));
    }
    Ok(())
}

/// Look up the officers named by id in the roster; refuses an unknown id.
pub fn resolve<'a>(roster: &'a [Officer], ids: &[String]) -> Result<Vec<&'a Officer>, Error> {
    ids.iter()
        .map(|id| {
            roster.iter().find(|o| &o.id == id).ok_or_else(|| {
                Error::invalid(
                    "case.officer_unknown",
                    "officers",
                    format!("未找到执法人员：{id}"),
                    format!("no such officer: {id}"),
                )
            })
        })
        .collect()
}

/// The officers of an investigation or inspection step, checked.
///
/// * every officer holds a credential valid on `on` (APL Art. 42,
///   `case.art42_credential`), and has not withdrawn (Art. 43,
///   `case.art43_recused`);
/// * at least two distinct officers take part (Art. 42,
///   `case.art42_two_officers`) — unless `single_officer_basis` names the
///   law that allows one (Art. 42 "法律另有规定的除外"), which is then
///   recorded with the step.
pub fn require_investigators(
    officers: &[&Officer],
    on: NaiveDate,
    recusals: &[Recusal],
    single_officer_basis: Option<&str>,
) -> Result<(), Error> {
    for o in officers {
        if !o.credentialed_on(on) {
            return Err(Error::invalid(
                "case.art42_credential",
                "officers",
                format!(
                    "《行政处罚法》第四十二条：行政处罚应当由具有行政执法资格的执法人员实施，{}在 {on} 没有有效的执法证",
                    o.name
                ),
                format!(
                    "APL Art. 42: penalties are imposed by credentialed officers; {} holds no credential valid on {on}",
                    o.name
                ),
            ));
        }
        require_not_recused(o, recusals)?;
    }
    let mut ids: Vec<&str> = officers.iter().map(|o| o.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let exception = single_officer_basis.is_some_and(|b| !b.trim().is_empty());
    let needed = if exception { 1 } else { 2 };
    if ids.len() < needed {
        return Err(Error::invalid(
            "case.art42_two_officers",
            "officers",
            format!(
                "《行政处罚法》第四十二条：调查或者检查时，执法人员不得少于两人（本次{}人）",
                ids.len()
            ),
            format!(
                "APL Art. 42: an investigation or inspection needs at least two officers (this one has {})",
                ids.len()
            ),
        ));
    }
    Ok(())
}

/// APL Art. 55: the officers showed their credentials to the party or the
/// persons concerned.
pub fn require_credentials_shown(shown: bool) -> Result<(), Error> {
    if shown {
        Ok(())
    } else {
        Err(Error::invalid(
            "case.art55_credentials_shown",
            "credentials_shown",
            "《行政处罚法》第五十五条：执法人员在调查或者进行检查时，应当主动向当事人或者有关人员出示执法证件",
            "APL Art. 55: officers must show their credentials to the party or the persons concerned when investigating or inspecting",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn officer(id: &str, until: NaiveDate) -> Officer {
        Officer {
            id: id.into(),
            name: format!("队员{id}"),
            credential: Some(Credential {
                number: format!("4114230{id}"),
                issuer: "宁陵县人民政府".into(),
                fields: vec!["综合行政执法".into()],
                valid_from: d(2024, 1, 1),
                valid_until: until,
            }),
        }
    }

    #[test]
    fn apl_art42_an_investigation_by_one_officer_is_refused() {
        let a = officer("a", d(2027, 12, 31));
        let b = officer("b", d(2027, 12, 31));
        let on = d(2026, 3, 2);
        // (officers, expected refusal)
        let table: Vec<(Vec<&Officer>, Option<&str>)> = vec![
            (vec![&a], Some("case.art42_two_officers")),
            (vec![&a, &a], Some("case.art42_two_officers")),
            (vec![], Some("case.art42_two_officers")),
            (vec![&a, &b], None),
        ];
        for (officers, want) in table {
            let got = require_investigators(&officers, on, &[], None);
            match want {
                Some(code) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.code, code);
                    assert!(e.zh.contains("第四十二条") && e.en.contains("Art. 42"));
                    assert_eq!(e.field.as_deref(), Some("officers"));
                }
                None => assert!(got.is_ok()),
            }
        }
    }

    #[test]
    fn apl_art42_a_law_allowing_one_officer_must_be_named() {
        let a = officer("a", d(2027, 12, 31));
        let on = d(2026, 3, 2);
        assert!(require_investigators(&[&a], on, &[], Some(" ")).is_err());
        assert!(
            require_investigators(&[&a], on, &[], Some("《道路交通安全法》第一百零七条")).is_ok()
        );
    }

    #[test]
    fn apl_art42_an_expired_or_missing_credential_counts_for_nothing() {
        let a = officer("a", d(2027, 12, 31));
        let expired = officer("b", d(2026, 3, 1));
        let mut none = officer("c", d(2027, 12, 31));
        none.credential = None;
        let on = d(2026, 3, 2);
        for o in [&expired, &none] {
            let e = require_investigators(&[&a, o], on, &[], None).unwrap_err();
            assert_eq!(e.code, "case.art42_credential");
            assert!(e.zh.contains(&o.name));
        }
        // valid through its last day
        assert!(require_investigators(&[&a, &expired], d(2026, 3, 1), &[], None).is_ok());
    }

    #[test]
    fn apl_art43_a_pending_recusal_does_not_stop_the_investigation() {
        let a = officer("a", d(2027, 12, 31));
        let b = officer("b", d(2027, 12, 31));
        let on = d(2026, 3, 2);
        let asked = Recusal::request("b", true, "系当事人近亲属", on).unwrap();
        assert!(require_investigators(&[&a, &b], on, std::slice::from_ref(&asked), None).is_ok());
        let granted = asked.decide(true, "head", on, "").unwrap();
        let e = require_investigators(&[&a, &b], on, &[granted], None).unwrap_err();
        assert_eq!(e.code, "case.art43_recused");
        assert!(e.zh.contains("第四十三条"));
        let rejected = asked.decide(false, "head", on, "无利害关系").unwrap();
        assert!(require_investigators(&[&a, &b], on, &[rejected], None).is_ok());
    }

    #[test]
    fn apl_art43_the_head_decides_not_the_officer_and_a_rejection_has_reasons() {
        let on = d(2026, 3, 2);
        assert_eq!(
            Recusal::request("b", true, " ", on).unwrap_err().code,
            "case.art43_recusal_reason"
        );
        let asked = Recusal::request("b", true, "曾与当事人有经济往来", on).unwrap();
        assert_eq!(
            asked.decide(true, "b", on, "").unwrap_err().code,
            "case.art43_recusal_decider"
        );
        assert_eq!(
            asked.decide(false, "head", on, "").unwrap_err().code,
            "case.art43_recusal_reason"
        );
        let granted = asked.decide(true, "head", on, "").unwrap();
        assert_eq!(
            granted.decide(false, "head", on, "x").unwrap_err().code,
            "case.art43_recusal_decided"
        );
    }

    #[test]
    fn unknown_officers_are_refused_and_art55_credentials_must_be_shown() {
        let roster = [officer("a", d(2027, 12, 31))];
        assert_eq!(resolve(&roster, &["a".into()]).unwrap().len(), 1);
        assert_eq!(
            resolve(&roster, &["z".into()]).unwrap_err().code,
            "case.officer_unknown"
        );
        assert_eq!(
            require_credentials_shown(false).unwrap_err().code,
            "case.art55_credentials_shown"
        );
    }
}
