//! Joint investigations (联合调查): the township's brigade leads, county
//! departments join, each records what it found within its own powers, and
//! the lead concludes once every department has reported. This is the
//! linkage mechanism of the reform (线索移送、联合调查、案情通报): the
//! brigade does not decide for a department, nor a department for the
//! brigade (APL Art. 20: each body penalises within its own powers).
//!
//! A department sees and writes only the joint investigations it was made a
//! member of ([`JointInvestigation::is_member`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Error;

/// One joint investigation of a case, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointInvestigation {
    /// What is investigated together.
    pub subject: String,
    /// The member departments or agencies (unit codes), besides the lead.
    pub members: Vec<String>,
    pub started_on: NaiveDate,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Conclusion>,
}

/// What one member found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The member (unit code).
    pub agency: String,
    pub author: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// The lead's conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conclusion {
    pub text: String,
    pub by: String,
    pub on: NaiveDate,
}

fn refuse(code: &'static str, field: &str, zh: &str, en: &str) -> Error {
    Error::invalid(code, field.to_string(), zh.to_string(), en.to_string())
}

fn closed() -> Error {
    Error::new(
        crate::ErrorKind::Conflict,
        "case.joint_concluded",
        "联合调查已经结束，不能再记录",
        "the joint investigation is concluded; nothing more can be recorded",
    )
}

impl JointInvestigation {
    /// Open with at least one other department, each once.
    pub fn open(subject: &str, members: &[String], on: NaiveDate) -> Result<Self, Error> {
        if subject.trim().is_empty() {
            return Err(refuse(
                "case.joint_subject",
                "subject",
                "联合调查应当写明调查事项",
                "a joint investigation states what is investigated",
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for m in members.iter().map(|m| m.trim()) {
            if m.is_empty() || seen.iter().any(|s| s == m) {
                return Err(refuse(
                    "case.joint_members",
                    "agencies",
                    "参加联合调查的部门不能为空或重复",
                    "the departments of a joint investigation are named once each",
                ));
            }
            seen.push(m.to_string());
        }
        if seen.is_empty() {
            return Err(refuse(
                "case.joint_members",
                "agencies",
                "联合调查至少需要一个其他部门参加",
                "a joint investigation needs at least one other department",
            ));
        }
        Ok(JointInvestigation {
            subject: subject.trim().to_string(),
            members: seen,
            started_on: on,
            findings: vec![],
            conclusion: None,
        })
    }

    pub fn is_member(&self, agency: &str) -> bool {
        self.members.iter().any(|m| m == agency)
    }

    /// The members that have not reported a finding yet.
    pub fn missing(&self) -> Vec<&str> {
        self.members
            .iter()
            .filter(|m| !self.findings.iter().any(|f| &f.agency == *m))
            .map(String::as_str)
            .collect()
    }

    /// A member's finding, within its own powers (APL Art. 20).
    pub fn add_finding(
        &self,
        agency: &str,
        author: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Self, Error> {
        if self.conclusion.is_some() {
            return Err(closed());
        }
        if !self.is_member(agency) {
            return Err(Error::new(
                crate::ErrorKind::Forbidden,
                "case.joint_not_member",
                "只有参加联合调查的部门才能记录调查情况",
                "only a member department records findings",
            ));
        }
        if text.trim().is_empty() {
            return Err(refuse(
                "case.joint_finding",
                "text",
                "调查情况不能为空",
                "the finding must not be empty",
            ));
        }
        let mut next = self.clone();
        next.findings.push(Finding {
            agency: agency.to_string(),
            author: author.to_string(),
            text: text.trim().to_string(),
            at,
        });
        Ok(next)
    }

    /// The lead concludes once every member has reported.
    pub fn conclude(&self, text: &str, by: &str, on: NaiveDate) -> Result<Self, Error> {
        if self.conclusion.is_some() {
            return Err(closed());
        }
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(Error::new(
                crate::ErrorKind::Conflict,
                "case.joint_findings_missing",
                format!(
                    "尚有部门未提交调查情况（{}），联合调查不能结束",
                    missing.join("、")
                ),
                format!(
                    "not every department has reported ({}); the joint investigation cannot be concluded",
                    missing.join(", ")
                ),
            )
            .with_field("findings"));
        }
        if text.trim().is_empty() {
            return Err(refuse(
                "case.joint_conclusion",
                "conclusion",
                "联合调查结论不能为空",
                "the conclusion must not be empty",
            ));
        }
        Ok(JointInvestigation {
            conclusion: Some(Conclusion {
                text: text.trim().to_string(),
                by: by.to_string(),
                on,
            }),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::testkit::d;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn members(ms: &[&str]) -> Vec<String> {
        ms.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_joint_investigation_needs_another_department_named_once() {
        let on = d(2026, 3, 2);
        for (ms, ok) in [
            (vec![], false),
            (vec!["SJ"], true),
            (vec!["SJ", "HB"], true),
            (vec!["SJ", "SJ"], false),
            (vec!["SJ", " "], false),
        ] {
            let r = JointInvestigation::open("非法加工食品", &members(&ms), on);
            assert_eq!(r.is_ok(), ok, "{ms:?}");
            if let Err(e) = r {
                assert_eq!(e.code, "case.joint_members");
            }
        }
        let e = JointInvestigation::open(" ", &members(&["SJ"]), on).unwrap_err();
        assert_eq!(e.code, "case.joint_subject");
    }

    #[test]
    fn apl_art20_only_members_record_findings_and_the_lead_concludes_after_all() {
        let on = d(2026, 3, 2);
        let j = JointInvestigation::open("非法加工食品", &members(&["SJ", "HB"]), on).unwrap();
        let e = j.add_finding("JT", "某", "看过了", at()).unwrap_err();
        assert_eq!(e.code, "case.joint_not_member");
        let e = j.add_finding("SJ", "某", " ", at()).unwrap_err();
        assert_eq!(e.code, "case.joint_finding");
        let j = j.add_finding("SJ", "市场监管", "无证生产", at()).unwrap();
        assert_eq!(j.missing(), vec!["HB"]);
        let e = j.conclude("移交处理", "队长", on).unwrap_err();
        assert_eq!(e.code, "case.joint_findings_missing");
        assert!(e.zh.contains("HB"), "{}", e.zh);
        let j = j.add_finding("HB", "环保", "污水直排", at()).unwrap();
        assert!(j.missing().is_empty());
        let e = j.conclude(" ", "队长", on).unwrap_err();
        assert_eq!(e.code, "case.joint_conclusion");
        let done = j.conclude("各部门依职权处理", "队长", on).unwrap();
        assert_eq!(done.conclusion.as_ref().unwrap().by, "队长");
        assert_eq!(
            done.add_finding("SJ", "x", "补充", at()).unwrap_err().code,
            "case.joint_concluded"
        );
        assert_eq!(
            done.conclude("再结", "队长", on).unwrap_err().code,
            "case.joint_concluded"
        );
    }
}
