//! Passing a case on: to the police when a crime is suspected (行刑衔接),
//! to another agency that has jurisdiction (移送管辖), and requests for
//! assistance (协助).
//!
//! Suspected crimes — APL Art. 27 and the State Council's Provisions on the
//! Transfer of Suspected Criminal Cases by Administrative Enforcement
//! Organs (Decree 310, revised 2020), cited as "Decree 310 Art. N":
//!
//! ```text
//! report (≥ 2 officers, Art. 5)
//!   └─ head decides within 3 days ─┬─ not approved (reasons recorded) ─▶ case may continue
//!                                  └─ approved ─ sent to the police within 24 hours (Art. 5, package Art. 6)
//!        police sign the receipt, review within 3 days (Art. 8); not competent: forwarded within 24 hours
//!          ├─ opened ─ seized items and materials handed over within 3 days (Art. 12)
//!          └─ declined (reasons, files returned)
//!               ├─ reconsideration asked within 3 days, answered within 3 days (Art. 9)
//!               ├─ procuratorate asked to supervise (Art. 9, 14) ─ opened, or the decline stands
//!               └─ once the decline stands, the agency resumes the administrative case (Art. 10)
//! ```
//!
//! Decree 310 Art. 11: a case that must be transferred may not be settled
//! with an administrative penalty instead ([`penalty_allowed`]).
//!
//! The decree's "3 日" are counted as calendar days after the day of the
//! event (see [`super::period`]); "24 小时" as hours. A step of the agency
//! taken late is recorded only with the reason for the delay; a police step
//! taken late is recorded as it happened and [`police_overdue`] says so,
//! for the procuratorate.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::officers::{Officer, require_investigators, resolve};
use super::period::days_after;
use crate::time::china_date;
use crate::{Error, ErrorKind, Lang};

/// Where a transfer to the police stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    /// 专案组书面报告
    Reported,
    /// 负责人不批准移送
    NotApproved,
    /// 负责人批准移送
    Approved,
    /// 已移送公安机关
    Sent,
    /// 公安机关已签收回执
    Received,
    /// 转送有管辖权的机关
    Forwarded,
    /// 公安机关决定立案
    Opened,
    /// 公安机关决定不予立案
    Declined,
    /// 提请复议
    ReconsiderationRequested,
    /// 建议检察院立案监督
    SupervisionRequested,
    /// 涉案物品和材料已移交
    ItemsHandedOver,
    /// 恢复行政处罚程序
    Resumed,
}

impl TransferStatus {
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            TransferStatus::Reported => ("已报告", "reported"),
            TransferStatus::NotApproved => ("不批准移送", "not approved"),
            TransferStatus::Approved => ("批准移送", "approved"),
            TransferStatus::Sent => ("已移送", "sent"),
            TransferStatus::Received => ("公安机关已签收", "received by the police"),
            TransferStatus::Forwarded => {
                ("已转送有管辖权的机关", "forwarded to the competent body")
            }
            TransferStatus::Opened => ("已立案", "criminal case opened"),
            TransferStatus::Declined => ("不予立案", "declined"),
            TransferStatus::ReconsiderationRequested => ("提请复议中", "reconsideration requested"),
            TransferStatus::SupervisionRequested => {
                ("检察院立案监督中", "procuratorate supervision requested")
            }
            TransferStatus::ItemsHandedOver => ("涉案物品已移交", "items handed over"),
            TransferStatus::Resumed => ("已恢复行政程序", "administrative case resumed"),
        };
        lang.pick(zh, en)
    }
}

/// Decree 310 Art. 11 (and APL Art. 27): while a transfer is under way or
/// the police have opened a criminal case, no administrative penalty may be
/// decided in its place. Allowed without a transfer, after the head did
/// not approve it, and after the police declined and the agency resumed.
pub fn penalty_allowed(status: Option<TransferStatus>) -> Result<(), Error> {
    use TransferStatus::*;
    match status {
        None | Some(NotApproved) | Some(Resumed) => Ok(()),
        Some(s) => Err(Error::new(
            ErrorKind::Conflict,
            "case.decree310_art11_penalty_instead_of_transfer",
            format!(
                "《行政执法机关移送涉嫌犯罪案件的规定》第十一条、《行政处罚法》第二十七条：对应当移送的涉嫌犯罪案件，不得以行政处罚代替移送（移送状态：{}）",
                s.label(Lang::Zh)
            ),
            format!(
                "Decree 310 Art. 11 and APL Art. 27: a suspected crime that must be transferred may not be settled with an administrative penalty instead (transfer: {})",
                s.label(Lang::En)
            ),
        )
        .with_field("transfer")),
    }
}

/// Decree 310 Art. 6: what goes to the police.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// 涉嫌犯罪案件移送书
    pub transfer_letter: bool,
    /// 涉嫌犯罪案件情况的调查报告
    pub investigation_report: bool,
    /// 涉案物品清单
    pub item_list: bool,
    /// Whether tests or appraisals were made; if so their reports go too.
    pub appraisals_made: bool,
    /// 有关检验报告或者鉴定结论
    pub appraisal_reports: bool,
    /// 其他有关涉嫌犯罪的材料
    #[serde(default)]
    pub other: Vec<String>,
}

impl Package {
    /// The case documents (by kind code) that go to the police with this
    /// package (Decree 310 Art. 6): the transfer letter; with the
    /// investigation report, the filing form and the inspection and inquiry
    /// records it rests on; with the list of items, the notice of their
    /// registration and preservation. Nothing else of the case is shared.
    pub fn document_kinds(&self) -> Vec<&'static str> {
        let mut kinds = Vec::new();
        if self.transfer_letter {
            kinds.push("crime_transfer_letter");
        }
        if self.investigation_report {
            kinds.extend(["filing_approval", "inspection_record", "inquiry_record"]);
        }
        if self.item_list {
            kinds.push("evidence_preservation_notice");
        }
        kinds
    }
}

/// The head's decision on the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadDecision {
    pub approved: bool,
    pub head: String,
    pub decided_at: DateTime<Utc>,
    #[serde(default)]
    pub reasons: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_reason: Option<String>,
}

/// What the police answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliceAnswer {
    pub opened: bool,
    /// The day the agency received the written notice.
    pub notified_on: NaiveDate,
    #[serde(default)]
    pub reasons: String,
}

/// One transfer of a case to the police, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub status: TransferStatus,
    /// Officer ids of the team (专案组).
    pub officers: Vec<String>,
    pub reported_at: DateTime<Utc>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<HeadDecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub police: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_to: Option<(String, DateTime<Utc>)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<PoliceAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconsideration_requested_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconsideration_answer: Option<PoliceAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision_requested_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_handed_over_on: Option<NaiveDate>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A step of a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The head approves or not (Art. 5).
    Decide {
        approved: bool,
        #[serde(default)]
        reasons: String,
        #[serde(default)]
        late_reason: Option<String>,
    },
    /// Sent to the police (Art. 5–6).
    Send {
        police: String,
        package: Package,
        #[serde(default)]
        late_reason: Option<String>,
    },
    /// The police signed the receipt (Art. 8).
    Receive,
    /// The police passed it to the competent body (Art. 8).
    Forward { to: String },
    /// The police's written decision (Art. 8).
    PoliceDecision {
        opened: bool,
        notified_on: NaiveDate,
        #[serde(default)]
        reasons: String,
    },
    /// The agency asks the police to reconsider (Art. 9).
    RequestReconsideration,
    /// The police's answer to it (Art. 9).
    ReconsiderationAnswer {
        opened: bool,
        notified_on: NaiveDate,
        #[serde(default)]
        reasons: String,
    },
    /// The agency asks the procuratorate to supervise (Art. 9, 14).
    RequestSupervision {
        procuratorate: String,
        #[serde(default)]
        late_reason: Option<String>,
    },
    /// The procuratorate's supervision ended: the police opened a case
    /// (ordered to), or the decline stands.
    SupervisionConcluded {
        opened: bool,
        notified_on: NaiveDate,
    },
    /// Seized items and materials handed to the police (Art. 12).
    HandOverItems {
        items: Vec<String>,
        #[serde(default)]
        late_reason: Option<String>,
    },
    /// The agency resumes the administrative case (Art. 10).
    Resume,
}

/// Decree 310 Art. 5: the last day for the head's decision on a report.
pub fn decision_deadline(reported_at: DateTime<Utc>) -> NaiveDate {
    days_after(china_date(reported_at), 3)
}

/// Decree 310 Art. 5: the moment by which an approved case reaches the police.
pub fn send_deadline(decided_at: DateTime<Utc>) -> DateTime<Utc> {
    decided_at + TimeDelta::hours(24)
}

/// Decree 310 Art. 8: the last day of the police's review.
pub fn police_review_deadline(received_at: DateTime<Utc>) -> NaiveDate {
    days_after(china_date(received_at), 3)
}

/// Decree 310 Art. 8: by when police who are not competent pass it on.
pub fn forward_deadline(received_at: DateTime<Utc>) -> DateTime<Utc> {
    received_at + TimeDelta::hours(24)
}

/// Decree 310 Art. 9: the last day to ask for reconsideration of a
/// decline notified on `notified_on` (also the police's last day to answer
/// a request made on that day, and the agency's last day to ask the
/// procuratorate after the answer).
pub fn three_days(notified_on: NaiveDate) -> NaiveDate {
    days_after(notified_on, 3)
}

/// Decree 310 Art. 12: the last day to hand over seized items after the
/// opening was notified.
pub fn handover_deadline(opened_notified_on: NaiveDate) -> NaiveDate {
    days_after(opened_notified_on, 3)
}

fn refuse(code: &'static str, field: &str, zh: String, en: String) -> Error {
    Error::invalid(code, field.to_string(), zh, en)
}

fn late(
    deadline: impl std::fmt::Display,
    late_reason: Option<&str>,
    article_zh: &str,
    article_en: &str,
) -> Result<(), Error> {
    if late_reason.is_some_and(|r| !r.trim().is_empty()) {
        return Ok(());
    }
    Err(refuse(
        "case.decree310_late_reason",
        "late_reason",
        format!(
            "《行政执法机关移送涉嫌犯罪案件的规定》{article_zh}：期限已于 {deadline} 届满，逾期应当说明原因"
        ),
        format!(
            "Decree 310 {article_en}: the time limit ended at {deadline}; a late step needs the reason for the delay"
        ),
    ))
}

/// Decree 310 Art. 5: the team's written report opens a transfer. At least
/// two credentialed officers (also APL Art. 42) and a summary.
pub fn report(
    roster: &[Officer],
    officer_ids: &[String],
    reported_at: DateTime<Utc>,
    summary: &str,
) -> Result<Transfer, Error> {
    let officers = resolve(roster, officer_ids)?;
    require_investigators(&officers, china_date(reported_at), &[], None).map_err(|e| {
        if e.code == "case.art42_two_officers" {
            refuse(
                "case.decree310_art5_two_officers",
                "officers",
                "《行政执法机关移送涉嫌犯罪案件的规定》第五条：应当指定2名或者2名以上行政执法人员组成专案组，提出移送涉嫌犯罪案件的书面报告".into(),
                "Decree 310 Art. 5: the transfer report is made by a team of at least two enforcement officers".into(),
            )
        } else {
            e
        }
    })?;
    if summary.trim().is_empty() {
        return Err(refuse(
            "case.decree310_art5_report",
            "summary",
            "《行政执法机关移送涉嫌犯罪案件的规定》第五条：应当核实情况后提出书面报告".into(),
            "Decree 310 Art. 5: the team reports in writing after verifying the facts".into(),
        ));
    }
    Ok(Transfer {
        status: TransferStatus::Reported,
        officers: officer_ids.to_vec(),
        reported_at,
        summary: summary.trim().to_string(),
        decision: None,
        police: None,
        sent_at: None,
        package: None,
        received_at: None,
        forwarded_to: None,
        answer: None,
        reconsideration_requested_on: None,
        reconsideration_answer: None,
        supervision_requested_on: None,
        items_handed_over_on: None,
        notes: vec![],
    })
}

fn not_now(status: TransferStatus, step: &Step) -> Error {
    Error::new(
        ErrorKind::Conflict,
        "case.transfer_transition",
        format!(
            "移送状态为「{}」，不能进行此步骤（{}）",
            status.label(Lang::Zh),
            step_name(step)
        ),
        format!(
            "the transfer is \"{}\"; the step {} is not possible now",
            status.label(Lang::En),
            step_name(step)
        ),
    )
}

fn step_name(step: &Step) -> &'static str {
    match step {
        Step::Decide { .. } => "decide",
        Step::Send { .. } => "send",
        Step::Receive => "receive",
        Step::Forward { .. } => "forward",
        Step::PoliceDecision { .. } => "police_decision",
        Step::RequestReconsideration => "request_reconsideration",
        Step::ReconsiderationAnswer { .. } => "reconsideration_answer",
        Step::RequestSupervision { .. } => "request_supervision",
        Step::SupervisionConcluded { .. } => "supervision_concluded",
        Step::HandOverItems { .. } => "hand_over_items",
        Step::Resume => "resume",
    }
}

/// Take one step of a transfer at `now` by `actor`; the updated record.
pub fn step(t: &Transfer, actor: &str, now: DateTime<Utc>, s: &Step) -> Result<Transfer, Error> {
    use TransferStatus::*;
    let today = china_date(now);
    let mut next = t.clone();
    match (t.status, s) {
        (
            Reported,
            Step::Decide {
                approved,
                reasons,
                late_reason,
            },
        ) => {
            let deadline = decision_deadline(t.reported_at);
            if today > deadline {
                late(deadline, late_reason.as_deref(), "第五条", "Art. 5")?;
            }
            if !approved && reasons.trim().is_empty() {
                return Err(refuse(
                    "case.decree310_art5_refusal_reasons",
                    "reasons",
                    "《行政执法机关移送涉嫌犯罪案件的规定》第五条：决定不批准移送的，应当将不予批准的理由记录在案".into(),
                    "Decree 310 Art. 5: a decision not to transfer must have its reasons recorded".into(),
                ));
            }
            next.decision = Some(HeadDecision {
                approved: *approved,
                head: actor.to_string(),
                decided_at: now,
                reasons: reasons.trim().to_string(),
                late_reason: late_reason.clone(),
            });
            next.status = if *approved { Approved } else { NotApproved };
        }
        (
            Approved,
            Step::Send {
                police,
                package,
                late_reason,
            },
        ) => {
            let decided_at = t.decision.as_ref().map(|d| d.decided_at).unwrap_or(now);
            let deadline = send_deadline(decided_at);
            if now > deadline {
                late(
                    deadline.with_timezone(&crate::time::china()),
                    late_reason.as_deref(),
                    "第五条",
                    "Art. 5",
                )?;
            }
            check_package(package)?;
            if police.trim().is_empty() {
                return Err(refuse(
                    "case.decree310_art5_police",
                    "police",
                    "《行政执法机关移送涉嫌犯罪案件的规定》第五条：应当向同级公安机关移送".into(),
                    "Decree 310 Art. 5: name the police authority at the same level".into(),
                ));
            }
            next.police = Some(police.trim().to_string());
            next.package = Some(package.clone());
            next.sent_at = Some(now);
            next.status = Sent;
        }
        (Sent, Step::Receive) => {
            next.received_at = Some(now);
            next.status = Received;
        }
        (Received, Step::Forward { to }) => {
            if to.trim().is_empty() {
                return Err(refuse(
                    "case.decree310_art8_forward",
                    "to",
                    "《行政执法机关移送涉嫌犯罪案件的规定》第八条：应当写明转送的有管辖权的机关"
                        .into(),
                    "Decree 310 Art. 8: name the competent body it was forwarded to".into(),
                ));
            }
            next.forwarded_to = Some((to.trim().to_string(), now));
            next.status = Forwarded;
        }
        (
            Received | Forwarded,
            Step::PoliceDecision {
                opened,
                notified_on,
                reasons,
            },
        ) => {
            if !opened && reasons.trim().is_empty() {
                return Err(refuse(
                    "case.decree310_art8_reasons",
                    "reasons",
                    "《行政执法机关移送涉嫌犯罪案件的规定》第八条：不予立案的，应当说明理由并书面通知".into(),
                    "Decree 310 Art. 8: a decision not to open a case must state its reasons in writing".into(),
                ));
            }
            next.answer = Some(PoliceAnswer {
                opened: *opened,
                notified_on: *notified_on,
                reasons: reasons.trim().to_string(),
            });
            next.status = if *opened { Opened } else { Declined };
        }
        (Declined, Step::RequestReconsideration) => {
            let notified = t.answer.as_ref().map(|a| a.notified_on).unwrap_or(today);
            if t.reconsideration_requested_on.is_some() {
                return Err(not_now(t.status, s));
            }
            if today > three_days(notified) {
                return Err(refuse(
                    "case.decree310_art9_reconsideration_late",
                    "requested_on",
                    format!(
                        "《行政执法机关移送涉嫌犯罪案件的规定》第九条：应当自接到不予立案通知书之日起3日内提请复议（至 {}），逾期可以建议人民检察院立案监督",
                        three_days(notified)
                    ),
                    format!(
                        "Decree 310 Art. 9: reconsideration must be asked within 3 days of the decline notice (by {}); after that, ask the procuratorate to supervise",
                        three_days(notified)
                    ),
                ));
            }
            next.reconsideration_requested_on = Some(today);
            next.status = ReconsiderationRequested;
        }
        (
            ReconsiderationRequested,
            Step::ReconsiderationAnswer {
                opened,
                notified_on,
                reasons,
            },
        ) => {
            next.reconsideration_answer = Some(PoliceAnswer {
                opened: *opened,
                notified_on: *notified_on,
                reasons: reasons.trim().to_string(),
            });
            next.status = if *opened { Opened } else { Declined };
        }
        (
            Declined,
            Step::RequestSupervision {
                procuratorate,
                late_reason,
            },
        ) => {
            if t.supervision_requested_on.is_some() {
                return Err(not_now(t.status, s));
            }
            if procuratorate.trim().is_empty() {
                return Err(refuse(
                    "case.decree310_art9_procuratorate",
                    "procuratorate",
                    "《行政执法机关移送涉嫌犯罪案件的规定》第九条：应当写明建议立案监督的人民检察院".into(),
                    "Decree 310 Art. 9: name the procuratorate asked to supervise".into(),
                ));
            }
            // After a reconsideration answer, within 3 days of it.
            if let Some(answer) = &t.reconsideration_answer
                && today > three_days(answer.notified_on)
            {
                late(
                    three_days(answer.notified_on),
                    late_reason.as_deref(),
                    "第九条",
                    "Art. 9",
                )?;
            }
            next.supervision_requested_on = Some(today);
            next.notes
                .push(format!("立案监督：{}", procuratorate.trim()));
            next.status = SupervisionRequested;
        }
        (
            SupervisionRequested,
            Step::SupervisionConcluded {
                opened,
                notified_on,
            },
        ) => {
            if *opened {
                next.answer = Some(PoliceAnswer {
                    opened: true,
                    notified_on: *notified_on,
                    reasons: String::new(),
                });
                next.status = Opened;
            } else {
                next.status = Declined;
            }
        }
        (Opened, Step::HandOverItems { items, late_reason }) => {
            let notified = t
                .reconsideration_answer
                .as_ref()
                .filter(|a| a.opened)
                .or(t.answer.as_ref())
                .map(|a| a.notified_on)
                .unwrap_or(today);
            let deadline = handover_deadline(notified);
            if today > deadline {
                late(deadline, late_reason.as_deref(), "第十二条", "Art. 12")?;
            }
            next.items_handed_over_on = Some(today);
            next.notes
                .extend(items.iter().map(|i| format!("移交：{i}")));
            next.status = ItemsHandedOver;
        }
        (Declined, Step::Resume) => {
            next.status = Resumed;
        }
        (status, _) => return Err(not_now(status, s)),
    }
    Ok(next)
}

/// Decree 310 Art. 6: the package must hold the letter, the investigation
/// report, the list of items and, where made, the test or appraisal reports.
pub fn check_package(p: &Package) -> Result<(), Error> {
    let missing: Vec<(&str, &str)> = [
        (
            p.transfer_letter,
            ("涉嫌犯罪案件移送书", "the transfer letter"),
        ),
        (
            p.investigation_report,
            ("涉嫌犯罪案件情况的调查报告", "the investigation report"),
        ),
        (p.item_list, ("涉案物品清单", "the list of items")),
        (
            !p.appraisals_made || p.appraisal_reports,
            ("有关检验报告或者鉴定结论", "the test or appraisal reports"),
        ),
    ]
    .into_iter()
    .filter(|(ok, _)| !ok)
    .map(|(_, names)| names)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let zh: Vec<&str> = missing.iter().map(|m| m.0).collect();
    let en: Vec<&str> = missing.iter().map(|m| m.1).collect();
    Err(refuse(
        "case.decree310_art6_package",
        "package",
        format!(
            "《行政执法机关移送涉嫌犯罪案件的规定》第六条：移送材料不全，缺少{}",
            zh.join("、")
        ),
        format!(
            "Decree 310 Art. 6: the transfer package is incomplete; missing {}",
            en.join(", ")
        ),
    ))
}

/// Whether the police are late on `now`: no receipt-to-decision answer
/// within 3 days (Art. 8), or no answer to a reconsideration request within
/// 3 days (Art. 9) — grounds to ask the procuratorate to supervise.
pub fn police_overdue(t: &Transfer, now: DateTime<Utc>) -> bool {
    let today = china_date(now);
    match t.status {
        TransferStatus::Received | TransferStatus::Forwarded => t
            .received_at
            .is_some_and(|r| today > police_review_deadline(r)),
        TransferStatus::ReconsiderationRequested => t
            .reconsideration_requested_on
            .is_some_and(|r| today > three_days(r)),
        _ => false,
    }
}

/// Transfer of jurisdiction to another agency (移送管辖).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JurisdictionTransfer {
    pub to_agency: String,
    pub reason: String,
    /// The provision that gives the other agency jurisdiction.
    pub basis: String,
    pub on: NaiveDate,
}

impl JurisdictionTransfer {
    pub fn validate(&self) -> Result<(), Error> {
        for (v, field, zh, en) in [
            (
                &self.to_agency,
                "to_agency",
                "接收机关",
                "the receiving agency",
            ),
            (&self.reason, "reason", "移送理由", "the reason"),
            (
                &self.basis,
                "basis",
                "管辖依据",
                "the basis of its jurisdiction",
            ),
        ] {
            if v.trim().is_empty() {
                return Err(refuse(
                    "case.jurisdiction_transfer",
                    field,
                    format!("《行政处罚法》第二十二条至第二十五条：移送管辖应当写明{zh}"),
                    format!("APL Art. 22–25: a transfer of jurisdiction must state {en}"),
                ));
            }
        }
        Ok(())
    }
}

/// APL Art. 25: where several agencies have jurisdiction, the one that
/// filed first handles the case. `None` when two filed on the same first
/// day — a dispute for the common superior — or nobody filed.
pub fn first_to_file<'a>(filings: &[(&'a str, NaiveDate)]) -> Option<&'a str> {
    let first = filings.iter().map(|f| f.1).min()?;
    let mut at_first = filings.iter().filter(|f| f.1 == first);
    let (agency, _) = at_first.next()?;
    if at_first.any(|f| f.0 != *agency) {
        None
    } else {
        Some(agency)
    }
}

/// APL Art. 26: a request for assistance to another body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistanceRequest {
    pub to_agency: String,
    pub matter: String,
    pub requested_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<AssistanceAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistanceAnswer {
    pub on: NaiveDate,
    pub granted: bool,
    #[serde(default)]
    pub note: String,
}

impl AssistanceRequest {
    pub fn new(to_agency: &str, matter: &str, on: NaiveDate) -> Result<Self, Error> {
        if to_agency.trim().is_empty() || matter.trim().is_empty() {
            return Err(refuse(
                "case.art26_assistance",
                "matter",
                "《行政处罚法》第二十六条：协助请求应当写明被请求机关和协助事项".into(),
                "APL Art. 26: a request for assistance names the body asked and the matter".into(),
            ));
        }
        Ok(AssistanceRequest {
            to_agency: to_agency.trim().to_string(),
            matter: matter.trim().to_string(),
            requested_on: on,
            answer: None,
        })
    }

    /// The answer; a refusal must say why (the matter is outside the
    /// requested body's powers — within them it must assist, Art. 26).
    pub fn answer(&self, granted: bool, note: &str, on: NaiveDate) -> Result<Self, Error> {
        if !granted && note.trim().is_empty() {
            return Err(refuse(
                "case.art26_refusal_reason",
                "note",
                "《行政处罚法》第二十六条：协助事项属于被请求机关职权范围内的，应当依法予以协助；拒绝协助应当说明理由".into(),
                "APL Art. 26: a body must assist within its powers; a refusal must give the reason".into(),
            ));
        }
        Ok(AssistanceRequest {
            answer: Some(AssistanceAnswer {
                on,
                granted,
                note: note.trim().to_string(),
            }),
            ..self.clone()
        })
    }
}

/// What was handed to a partner agency (police, another department, a body
/// asked for assistance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedWith {
    pub agency: String,
    pub case_id: String,
    /// The whole case file (a transfer of jurisdiction).
    #[serde(default)]
    pub whole_case: bool,
    /// The materials transferred, by id.
    #[serde(default)]
    pub materials: Vec<String>,
}

/// Whether partner `agency` may see case `case_id` (`material` `None`) or
/// one of its materials: only what was transferred to that agency.
pub fn partner_may_see(
    agency: &str,
    case_id: &str,
    material: Option<&str>,
    shared: &[SharedWith],
) -> bool {
    shared
        .iter()
        .filter(|s| s.agency == agency && s.case_id == case_id)
        .any(|s| match material {
            None => true,
            Some(m) => s.whole_case || s.materials.iter().any(|x| x == m),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::testkit::{d, officer};
    use chrono::TimeZone;

    /// China wall-clock time.
    fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
        crate::time::china()
            .with_ymd_and_hms(y, m, day, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn full_package() -> Package {
        Package {
            transfer_letter: true,
            investigation_report: true,
            item_list: true,
            appraisals_made: true,
            appraisal_reports: true,
            other: vec![],
        }
    }

    fn reported() -> Transfer {
        let roster = [officer("a"), officer("b")];
        report(
            &roster,
            &["a".into(), "b".into()],
            at(2026, 3, 2, 9),
            "非法经营烟花爆竹，数量达到刑事立案标准",
        )
        .unwrap()
    }

    fn decide() -> Step {
        Step::Decide {
            approved: true,
            reasons: String::new(),
            late_reason: None,
        }
    }

    fn send(late: Option<&str>) -> Step {
        Step::Send {
            police: "宁陵县公安局".into(),
            package: full_package(),
            late_reason: late.map(Into::into),
        }
    }

    #[test]
    fn decree310_art6_only_the_packaged_documents_are_shared() {
        let mut p = full_package();
        assert_eq!(
            p.document_kinds(),
            vec![
                "crime_transfer_letter",
                "filing_approval",
                "inspection_record",
                "inquiry_record",
                "evidence_preservation_notice"
            ]
        );
        p.investigation_report = false;
        p.item_list = false;
        assert_eq!(p.document_kinds(), vec!["crime_transfer_letter"]);
        // the decision letter and the prior notice never go with it
        assert!(
            !full_package()
                .document_kinds()
                .contains(&"penalty_decision")
        );
    }

    #[test]
    fn decree310_art5_a_report_needs_two_officers() {
        let roster = [officer("a"), officer("b")];
        let e = report(&roster, &["a".into()], at(2026, 3, 2, 9), "x").unwrap_err();
        assert_eq!(e.code, "case.decree310_art5_two_officers");
        assert!(e.zh.contains("第五条"));
        assert_eq!(reported().status, TransferStatus::Reported);
    }

    #[test]
    fn decree310_art5_head_decides_within_3_days_and_sends_within_24_hours() {
        let t = reported();
        assert_eq!(decision_deadline(t.reported_at), d(2026, 3, 5));
        // on the third day: on time
        let approved = step(&t, "head", at(2026, 3, 5, 17), &decide()).unwrap();
        assert_eq!(approved.status, TransferStatus::Approved);
        // on the fourth day: only with the reason for the delay
        let e = step(&t, "head", at(2026, 3, 6, 9), &decide()).unwrap_err();
        assert_eq!(e.code, "case.decree310_late_reason");
        // a refusal has reasons
        let no = Step::Decide {
            approved: false,
            reasons: " ".into(),
            late_reason: None,
        };
        assert_eq!(
            step(&t, "head", at(2026, 3, 3, 9), &no).unwrap_err().code,
            "case.decree310_art5_refusal_reasons"
        );
        // sent within 24 hours of approval
        let sent = step(&approved, "a", at(2026, 3, 6, 16), &send(None)).unwrap();
        assert_eq!(sent.status, TransferStatus::Sent);
        let e = step(&approved, "a", at(2026, 3, 6, 18), &send(None)).unwrap_err();
        assert_eq!(e.code, "case.decree310_late_reason");
        assert!(
            step(
                &approved,
                "a",
                at(2026, 3, 6, 18),
                &send(Some("公安机关值班室无人签收"))
            )
            .is_ok()
        );
    }

    #[test]
    fn decree310_art6_the_package_must_be_complete() {
        let mut p = full_package();
        assert!(check_package(&p).is_ok());
        p.appraisal_reports = false;
        let e = check_package(&p).unwrap_err();
        assert_eq!(e.code, "case.decree310_art6_package");
        assert!(e.zh.contains("鉴定结论"));
        p.appraisals_made = false;
        assert!(check_package(&p).is_ok());
        p.item_list = false;
        assert!(check_package(&p).unwrap_err().zh.contains("涉案物品清单"));
    }

    fn through_police(opened: bool) -> Transfer {
        let t = step(&reported(), "head", at(2026, 3, 2, 15), &decide()).unwrap();
        let t = step(&t, "a", at(2026, 3, 3, 9), &send(None)).unwrap();
        let t = step(&t, "police", at(2026, 3, 3, 10), &Step::Receive).unwrap();
        step(
            &t,
            "police",
            at(2026, 3, 6, 10),
            &Step::PoliceDecision {
                opened,
                notified_on: d(2026, 3, 6),
                reasons: if opened { "" } else { "未达到追诉标准" }.into(),
            },
        )
        .unwrap()
    }

    #[test]
    fn decree310_art8_police_review_within_3_days_or_overdue() {
        let t = step(&reported(), "head", at(2026, 3, 2, 15), &decide()).unwrap();
        let t = step(&t, "a", at(2026, 3, 3, 9), &send(None)).unwrap();
        let t = step(&t, "police", at(2026, 3, 3, 10), &Step::Receive).unwrap();
        assert_eq!(
            police_review_deadline(t.received_at.unwrap()),
            d(2026, 3, 6)
        );
        assert!(!police_overdue(&t, at(2026, 3, 6, 20)));
        assert!(police_overdue(&t, at(2026, 3, 7, 9)));
        let no_reasons = Step::PoliceDecision {
            opened: false,
            notified_on: d(2026, 3, 6),
            reasons: "".into(),
        };
        assert_eq!(
            step(&t, "police", at(2026, 3, 6, 9), &no_reasons)
                .unwrap_err()
                .code,
            "case.decree310_art8_reasons"
        );
    }

    #[test]
    fn decree310_art9_reconsideration_within_3_days_then_the_procuratorate() {
        let declined = through_police(false);
        assert_eq!(declined.status, TransferStatus::Declined);
        let e = step(
            &declined,
            "a",
            at(2026, 3, 10, 9),
            &Step::RequestReconsideration,
        )
        .unwrap_err();
        assert_eq!(e.code, "case.decree310_art9_reconsideration_late");
        let asked = step(
            &declined,
            "a",
            at(2026, 3, 9, 9),
            &Step::RequestReconsideration,
        )
        .unwrap();
        assert_eq!(asked.status, TransferStatus::ReconsiderationRequested);
        assert!(police_overdue(&asked, at(2026, 3, 13, 9)));
        let upheld = step(
            &asked,
            "police",
            at(2026, 3, 11, 9),
            &Step::ReconsiderationAnswer {
                opened: false,
                notified_on: d(2026, 3, 11),
                reasons: "维持".into(),
            },
        )
        .unwrap();
        // only one reconsideration
        assert_eq!(
            step(
                &upheld,
                "a",
                at(2026, 3, 11, 10),
                &Step::RequestReconsideration
            )
            .unwrap_err()
            .code,
            "case.transfer_transition"
        );
        let sup = Step::RequestSupervision {
            procuratorate: "宁陵县人民检察院".into(),
            late_reason: None,
        };
        assert_eq!(
            step(&upheld, "a", at(2026, 3, 15, 9), &sup)
                .unwrap_err()
                .code,
            "case.decree310_late_reason"
        );
        let supervised = step(&upheld, "a", at(2026, 3, 14, 9), &sup).unwrap();
        assert_eq!(supervised.status, TransferStatus::SupervisionRequested);
        // a penalty is still barred, and the case cannot resume, while the
        // procuratorate supervises
        assert!(penalty_allowed(Some(supervised.status)).is_err());
        assert_eq!(
            step(&supervised, "a", at(2026, 3, 16, 9), &Step::Resume)
                .unwrap_err()
                .code,
            "case.transfer_transition"
        );
        let stands = step(
            &supervised,
            "a",
            at(2026, 3, 20, 9),
            &Step::SupervisionConcluded {
                opened: false,
                notified_on: d(2026, 3, 20),
            },
        )
        .unwrap();
        assert_eq!(
            step(&stands, "a", at(2026, 3, 20, 10), &sup)
                .unwrap_err()
                .code,
            "case.transfer_transition"
        );
        assert_eq!(
            step(&stands, "a", at(2026, 3, 20, 10), &Step::Resume)
                .unwrap()
                .status,
            TransferStatus::Resumed
        );
    }

    #[test]
    fn decree310_art11_a_transfer_may_not_be_replaced_by_a_penalty() {
        use TransferStatus::*;
        for s in [
            Reported,
            Approved,
            Sent,
            Received,
            Forwarded,
            Opened,
            Declined,
            ReconsiderationRequested,
            SupervisionRequested,
            ItemsHandedOver,
        ] {
            let e = penalty_allowed(Some(s)).unwrap_err();
            assert_eq!(e.code, "case.decree310_art11_penalty_instead_of_transfer");
            assert!(e.zh.contains("第十一条") && e.en.contains("Art. 11"));
        }
        for s in [None, Some(NotApproved), Some(Resumed)] {
            assert!(penalty_allowed(s).is_ok());
        }
        // Art. 10: after a decline the administrative case resumes
        let resumed = step(
            &through_police(false),
            "a",
            at(2026, 3, 7, 9),
            &Step::Resume,
        )
        .unwrap();
        assert!(penalty_allowed(Some(resumed.status)).is_ok());
        // an opened case cannot be resumed
        let opened = through_police(true);
        assert_eq!(
            step(&opened, "a", at(2026, 3, 7, 9), &Step::Resume)
                .unwrap_err()
                .code,
            "case.transfer_transition"
        );
    }

    #[test]
    fn decree310_art12_items_handed_over_within_3_days_of_opening() {
        let opened = through_police(true);
        assert_eq!(handover_deadline(d(2026, 3, 6)), d(2026, 3, 9));
        let hand = |late: Option<&str>| Step::HandOverItems {
            items: vec!["烟花爆竹 120 箱".into()],
            late_reason: late.map(Into::into),
        };
        assert!(step(&opened, "a", at(2026, 3, 9, 17), &hand(None)).is_ok());
        assert_eq!(
            step(&opened, "a", at(2026, 3, 10, 9), &hand(None))
                .unwrap_err()
                .code,
            "case.decree310_late_reason"
        );
    }

    #[test]
    fn apl_art25_the_first_to_file_handles_the_case_and_art26_refusals_give_reasons() {
        assert_eq!(
            first_to_file(&[("镇政府", d(2026, 3, 2)), ("县市场监管局", d(2026, 3, 3))]),
            Some("镇政府")
        );
        assert_eq!(
            first_to_file(&[("镇政府", d(2026, 3, 2)), ("县市场监管局", d(2026, 3, 2))]),
            None
        );
        let jt = JurisdictionTransfer {
            to_agency: "县市场监管局".into(),
            reason: "".into(),
            basis: "x".into(),
            on: d(2026, 3, 2),
        };
        assert_eq!(
            jt.validate().unwrap_err().code,
            "case.jurisdiction_transfer"
        );
        let req =
            AssistanceRequest::new("县自然资源局", "协助测绘占地面积", d(2026, 3, 2)).unwrap();
        assert_eq!(
            req.answer(false, "", d(2026, 3, 3)).unwrap_err().code,
            "case.art26_refusal_reason"
        );
        assert!(req.answer(true, "", d(2026, 3, 3)).is_ok());
        assert_eq!(
            AssistanceRequest::new("", "x", d(2026, 3, 2))
                .unwrap_err()
                .code,
            "case.art26_assistance"
        );
    }

    #[test]
    fn a_partner_sees_only_what_was_transferred_to_it() {
        let shared = [
            SharedWith {
                agency: "宁陵县公安局".into(),
                case_id: "c1".into(),
                whole_case: false,
                materials: vec!["m1".into(), "m2".into()],
            },
            SharedWith {
                agency: "县市场监管局".into(),
                case_id: "c2".into(),
                whole_case: true,
                materials: vec![],
            },
        ];
        let table = [
            ("宁陵县公安局", "c1", None, true),
            ("宁陵县公安局", "c1", Some("m1"), true),
            ("宁陵县公安局", "c1", Some("m3"), false),
            ("宁陵县公安局", "c2", None, false),
            ("县市场监管局", "c2", Some("anything"), true),
            ("县市场监管局", "c1", None, false),
            ("县自然资源局", "c1", None, false),
        ];
        for (agency, case, material, want) in table {
            assert_eq!(
                partner_may_see(agency, case, material, &shared),
                want,
                "{agency} {case} {material:?}"
            );
        }
    }
}
