//! After the decision: service, payment, the late-payment surcharge and
//! enforcement through the court.
//!
//! * APL Art. 61: the decision is handed to the party after it is announced;
//!   if the party is absent, it is served within **7 days** (working days,
//!   Art. 85) under the Civil Procedure Law; service by fax or e-mail only
//!   with the party's consent in a signed confirmation. Under the Civil
//!   Procedure Law, service by public notice takes effect 30 days after
//!   the notice, postal service on the date of the return receipt, and a
//!   document left at the residence needs a witness or a photo or video
//!   record.
//! * Art. 67: the fine is paid within **15 days** of receipt of the
//!   decision, at a bank (the agency does not collect it itself).
//! * Art. 66: a party in real economic difficulty may apply to defer the
//!   fine or pay it in instalments; the agency approves.
//! * Art. 72 (1): after the due date, **3 % of the fine per day** is added,
//!   never more than the fine itself. Art. 73: it is not counted while a
//!   reconsideration or suit is pending (execution is otherwise not
//!   suspended).
//! * Art. 72 (4) with the Administrative Coercion Law (行政强制法) Art. 53–54:
//!   an agency without its own power of enforcement applies to the court
//!   within three months after the periods for reconsideration and suit
//!   have run out without either being used, after a written reminder
//!   served at least ten (working, Coercion Law Art. 69) days earlier;
//!   after a deferral the period runs from its end (APL Art. 72 ¶2).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::money::Fen;
use super::period::{Span, covered_days, days_after, months_after, party_days, working_days};
use crate::Error;
use crate::calendar::Calendar;

/// APL Art. 61: days to serve a decision on an absent party (working days).
pub const SERVICE_DAYS: u32 = 7;
/// APL Art. 67: days to pay after receipt.
pub const PAYMENT_DAYS: u64 = 15;
/// Civil Procedure Law: service by public notice takes effect after 30 days.
pub const PUBLIC_NOTICE_DAYS: u64 = 30;
/// 行政复议法 (2023) Art. 20: 60 days to apply for reconsideration.
pub const RECONSIDERATION_DAYS: u32 = 60;
/// 行政诉讼法 Art. 46: six months to sue.
pub const LITIGATION_MONTHS: u32 = 6;

/// How a decision was served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ServiceMethod {
    /// 宣告后当场交付: handed over on the day of the decision.
    OnTheSpot,
    /// 直接送达: handed to the party or an adult family member.
    Personal { received_on: NaiveDate },
    /// 留置送达: left at the residence when receipt was refused.
    LeftAtResidence {
        left_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        witness: Option<String>,
        /// Photographed or filmed.
        #[serde(default)]
        recorded: bool,
    },
    /// 邮寄送达: effective on the date on the return receipt.
    Postal {
        sent_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        receipt_on: Option<NaiveDate>,
    },
    /// 电子送达 (fax, e-mail, …): only with the party's signed consent.
    Electronic {
        sent_on: NaiveDate,
        consent_signed: bool,
    },
    /// 公告送达: when the party cannot be found or reached otherwise.
    PublicNotice {
        published_on: NaiveDate,
        reason: String,
    },
}

impl ServiceMethod {
    /// The day the service process started (handed, left, sent, published).
    pub fn started_on(&self, decided_on: NaiveDate) -> NaiveDate {
        match self {
            ServiceMethod::OnTheSpot => decided_on,
            ServiceMethod::Personal { received_on } => *received_on,
            ServiceMethod::LeftAtResidence { left_on, .. } => *left_on,
            ServiceMethod::Postal { sent_on, .. } | ServiceMethod::Electronic { sent_on, .. } => {
                *sent_on
            }
            ServiceMethod::PublicNotice { published_on, .. } => *published_on,
        }
    }

    /// The day the party is taken to have received the decision; `None`
    /// for a postal service whose receipt has not come back.
    pub fn received_on(&self, decided_on: NaiveDate) -> Option<NaiveDate> {
        match self {
            ServiceMethod::Postal { receipt_on, .. } => *receipt_on,
            ServiceMethod::PublicNotice { published_on, .. } => {
                Some(days_after(*published_on, PUBLIC_NOTICE_DAYS))
            }
            other => Some(other.started_on(decided_on)),
        }
    }
}

/// APL Art. 61: the last day to serve a decision made on `decided_on` on a
/// party who was absent.
pub fn service_deadline(cal: &Calendar, decided_on: NaiveDate) -> NaiveDate {
    working_days(cal, decided_on, SERVICE_DAYS)
}

/// APL Art. 61 and the Civil Procedure Law: may this service be recorded?
/// Returns the day of receipt (if known).
///
/// A service started after the 7-day limit is still recorded — the decision
/// must reach the party — but only with the reason for the delay
/// (`case.art61_service_late`).
pub fn check_service(
    cal: &Calendar,
    decided_on: NaiveDate,
    method: &ServiceMethod,
    late_reason: Option<&str>,
) -> Result<Option<NaiveDate>, Error> {
    let started = method.started_on(decided_on);
    if started < decided_on {
        return Err(Error::invalid(
            "case.service_before_decision",
            "method",
            "送达日期不能早于决定日期",
            "a decision cannot be served before it is made",
        ));
    }
    match method {
        ServiceMethod::Electronic {
            consent_signed: false,
            ..
        } => {
            return Err(Error::invalid(
                "case.art61_electronic_consent",
                "consent_signed",
                "《行政处罚法》第六十一条：当事人同意并签订确认书的，方可采用传真、电子邮件等方式送达",
                "APL Art. 61: electronic service needs the party's consent in a signed confirmation",
            ));
        }
        ServiceMethod::LeftAtResidence {
            witness, recorded, ..
        } if witness.as_deref().is_none_or(|w| w.trim().is_empty()) && !recorded => {
            return Err(Error::invalid(
                "case.art61_left_record",
                "witness",
                "《行政处罚法》第六十一条、《民事诉讼法》：留置送达应当邀请有关基层组织或者所在单位的代表到场见证，或者采用拍照、录像等方式记录送达过程",
                "APL Art. 61 with the Civil Procedure Law: a document left at the residence needs a witness or a photo or video record",
            ));
        }
        ServiceMethod::PublicNotice { reason, .. } if reason.trim().is_empty() => {
            return Err(Error::invalid(
                "case.art61_public_notice_reason",
                "reason",
                "《行政处罚法》第六十一条、《民事诉讼法》：受送达人下落不明或者用其他方式无法送达的，方可公告送达，应当记明原因",
                "APL Art. 61 with the Civil Procedure Law: service by public notice is for a party who cannot be found or reached otherwise; record why",
            ));
        }
        _ => {}
    }
    if !matches!(method, ServiceMethod::OnTheSpot)
        && started > service_deadline(cal, decided_on)
        && late_reason.is_none_or(|r| r.trim().is_empty())
    {
        return Err(Error::invalid(
            "case.art61_service_late",
            "late_reason",
            format!(
                "《行政处罚法》第六十一条：当事人不在场的，应当在七日内送达（期限至 {}），逾期送达应当说明原因",
                service_deadline(cal, decided_on)
            ),
            format!(
                "APL Art. 61: an absent party must be served within 7 days (by {}); a late service needs the reason for the delay",
                service_deadline(cal, decided_on)
            ),
        ));
    }
    Ok(method.received_on(decided_on))
}

/// APL Art. 67: the last day to pay, 15 days after receipt; a last day on a
/// rest day moves to the next working day.
pub fn payment_due(cal: &Calendar, received_on: NaiveDate) -> NaiveDate {
    party_days(cal, received_on, PAYMENT_DAYS)
}

/// APL Art. 72 (1) and 73: the days of late payment on `today` for an
/// amount due on `due`: the days after `due`, less the days a
/// reconsideration or suit was pending.
pub fn late_days(due: NaiveDate, today: NaiveDate, suspensions: &[Span]) -> i64 {
    if today <= due {
        return 0;
    }
    (today - due).num_days() - covered_days(suspensions, due, today)
}

/// APL Art. 72 (1): the surcharge on `base` due on `due`, unpaid on
/// `today`: 3 % of `base` per day late, rounded down to the fen, never more
/// than `base`. Days under an Art. 73 suspension do not count.
pub fn surcharge(base: Fen, due: NaiveDate, today: NaiveDate, suspensions: &[Span]) -> Fen {
    let days = late_days(due, today, suspensions);
    base.mul_div_floor(3 * days, 100).min(base)
}

/// One amount and its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    pub due: NaiveDate,
    pub amount: Fen,
}

/// APL Art. 66 ¶2: deferral or instalments, applied for and approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferral {
    pub applied_on: NaiveDate,
    /// The economic difficulty stated.
    pub reason: String,
    pub approved_by: String,
    pub approved_on: NaiveDate,
    /// One instalment: a deferral; several: instalments.
    pub plan: Vec<Instalment>,
}

/// APL Art. 66 ¶2: may this deferral or instalment plan be recorded?
pub fn check_deferral(fine: Fen, d: &Deferral) -> Result<(), Error> {
    if d.reason.trim().is_empty() || d.approved_by.trim().is_empty() {
        return Err(Error::invalid(
            "case.art66_approval",
            "reason",
            "《行政处罚法》第六十六条：当事人确有经济困难，需要延期或者分期缴纳罚款的，经当事人申请和行政机关批准，可以暂缓或者分期缴纳；应当记明困难情形和批准人",
            "APL Art. 66: deferral or instalments need the party's application stating the economic difficulty and the agency's approval",
        ));
    }
    if d.approved_on < d.applied_on {
        return Err(Error::invalid(
            "case.art66_approval",
            "approved_on",
            "《行政处罚法》第六十六条：批准不能早于当事人申请",
            "APL Art. 66: approval cannot precede the party's application",
        ));
    }
    let total: Fen = d.plan.iter().map(|i| i.amount).sum();
    let ordered = d.plan.windows(2).all(|w| w[0].due < w[1].due);
    if d.plan.is_empty() || total != fine || !ordered || d.plan.iter().any(|i| i.amount.is_zero()) {
        return Err(Error::invalid(
            "case.art66_plan",
            "plan",
            format!(
                "《行政处罚法》第六十六条：暂缓或者分期缴纳的各期金额合计应等于罚款 {fine}，且期限依次排列"
            ),
            format!(
                "APL Art. 66: the deferred or instalment amounts must add up to the fine of {fine}, with due dates in order"
            ),
        ));
    }
    Ok(())
}

/// A payment received by the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub paid_on: NaiveDate,
    pub amount: Fen,
}

/// What is owed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owed {
    /// The fine not yet paid.
    pub fine: Fen,
    /// The surcharge accrued (APL Art. 72), not yet paid.
    pub surcharge: Fen,
}

impl Owed {
    pub fn total(&self) -> Fen {
        self.fine.saturating_add(self.surcharge)
    }
}

/// What is owed on `today` on a fine due on `due` (or under an approved
/// `deferral`'s plan), after `payments`.
///
/// Payments settle the fine first, the earliest instalment first; each
/// amount accrues its own surcharge (3 % of that amount per day, capped at
/// it) from its due date until the day payments covered it. Payments beyond
/// the fine settle the surcharge.
pub fn owed(
    fine: Fen,
    due: NaiveDate,
    deferral: Option<&Deferral>,
    payments: &[Payment],
    suspensions: &[Span],
    today: NaiveDate,
) -> Owed {
    let plan: Vec<Instalment> = match deferral {
        Some(d) => d.plan.clone(),
        None => vec![Instalment { due, amount: fine }],
    };
    let mut payments: Vec<Payment> = payments
        .iter()
        .copied()
        .filter(|p| p.paid_on <= today)
        .collect();
    payments.sort_by_key(|p| p.paid_on);
    let paid_total: Fen = payments.iter().map(|p| p.amount).sum();
    let mut surcharge_total = Fen::ZERO;
    let mut needed = Fen::ZERO;
    for inst in &plan {
        needed = needed.saturating_add(inst.amount);
        // The day cumulative payments reached this instalment's share.
        let mut running = Fen::ZERO;
        let settled = payments.iter().find_map(|p| {
            running = running.saturating_add(p.amount);
            (running >= needed).then_some(p.paid_on)
        });
        surcharge_total = surcharge_total.saturating_add(surcharge(
            inst.amount,
            inst.due,
            settled.unwrap_or(today),
            suspensions,
        ));
    }
    let fine_left = fine.saturating_sub(paid_total);
    let over = paid_total.saturating_sub(fine);
    Owed {
        fine: fine_left,
        surcharge: surcharge_total.saturating_sub(over),
    }
}

/// The days within which the agency may apply to the court for
/// enforcement: from the day after the period for suing (six months from
/// receipt) or the end of an approved deferral, whichever is later, for
/// three months (行政强制法 Art. 53; APL Art. 72 ¶2).
pub fn enforcement_window(
    received_on: NaiveDate,
    deferral_end: Option<NaiveDate>,
) -> (NaiveDate, NaiveDate) {
    let periods_end = months_after(received_on, LITIGATION_MONTHS)
        .max(days_after(received_on, u64::from(RECONSIDERATION_DAYS)));
    let start_from = periods_end.max(deferral_end.unwrap_or(periods_end));
    let first = days_after(start_from, 1);
    (first, months_after(start_from, 3))
}

/// May the agency apply to the court for enforcement on `today`?
pub fn check_enforcement_application(
    cal: &Calendar,
    received_on: NaiveDate,
    deferral_end: Option<NaiveDate>,
    remedy_pending: bool,
    reminder_served_on: Option<NaiveDate>,
    owed: Owed,
    today: NaiveDate,
) -> Result<(), Error> {
    if owed.total().is_zero() {
        return Err(Error::invalid(
            "case.art72_nothing_owed",
            "owed",
            "《行政处罚法》第七十二条：当事人已经履行，无需申请强制执行",
            "APL Art. 72: the party has performed; there is nothing to enforce",
        ));
    }
    if remedy_pending {
        return Err(Error::invalid(
            "case.coercion_art53_remedy_pending",
            "remedy",
            "《行政强制法》第五十三条：当事人在法定期限内不申请行政复议或者提起行政诉讼，又不履行的，方可申请人民法院强制执行；复议或者诉讼正在进行",
            "Administrative Coercion Law Art. 53: the court is asked to enforce only when no reconsideration or suit was brought; one is pending",
        ));
    }
    let (first, last) = enforcement_window(received_on, deferral_end);
    if today < first {
        return Err(Error::invalid(
            "case.coercion_art53_too_early",
            "applied_on",
            format!(
                "《行政强制法》第五十三条、《行政处罚法》第七十二条：申请复议和起诉的期限届满（或暂缓、分期缴纳期限结束）后方可申请人民法院强制执行，最早 {first}"
            ),
            format!(
                "Administrative Coercion Law Art. 53, APL Art. 72: the court may be asked only after the periods for reconsideration and suit (or a deferral) have ended, from {first}"
            ),
        ));
    }
    if today > last {
        return Err(Error::invalid(
            "case.coercion_art53_window_passed",
            "applied_on",
            format!(
                "《行政强制法》第五十三条：应当自期限届满之日起三个月内申请人民法院强制执行，已于 {last} 届满"
            ),
            format!(
                "Administrative Coercion Law Art. 53: the application had to be made within three months, by {last}"
            ),
        ));
    }
    let reminder_ok = reminder_served_on.is_some_and(|r| working_days(cal, r, 10) <= today);
    if !reminder_ok {
        return Err(Error::invalid(
            "case.coercion_art54_reminder",
            "reminder_served_on",
            "《行政强制法》第五十四条：申请人民法院强制执行前，应当催告当事人履行义务；催告书送达十日后当事人仍未履行的，方可申请",
            "Administrative Coercion Law Art. 54: a written reminder must be served at least ten (working) days before applying to the court",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::testkit::d;
    use proptest::prelude::*;

    #[test]
    fn apl_art72_surcharge_on_day_40_of_non_payment_is_capped_at_the_fine() {
        let fine = Fen::yuan(1_000);
        let due = d(2026, 3, 17);
        // By hand: 3 % of 1,000 yuan = 30 yuan a day.
        // day 20: 600 yuan; day 33: 990 yuan; day 34: 1,020 → capped 1,000.
        let table = [
            (0, Fen::ZERO),
            (1, Fen::yuan(30)),
            (20, Fen::yuan(600)),
            (33, Fen::yuan(990)),
            (34, Fen::yuan(1_000)),
            (40, Fen::yuan(1_000)),
        ];
        for (day, want) in table {
            let today = days_after(due, day);
            assert_eq!(surcharge(fine, due, today, &[]), want, "day {day}");
        }
        // Art. 73: ten days of reconsideration inside the 40 do not count:
        // 30 days × 30 yuan = 900 yuan.
        let review = Span::closed(d(2026, 3, 20), d(2026, 3, 30));
        assert_eq!(
            surcharge(fine, due, days_after(due, 40), &[review]),
            Fen::yuan(900)
        );
    }

    #[test]
    fn apl_art72_the_surcharge_rounds_down_to_the_fen() {
        // 3 % of 10.01 yuan = 30.03 fen a day → 3 days 90.09 → 90 fen.
        let fine = Fen::new(1_001).unwrap();
        let due = d(2026, 3, 17);
        assert_eq!(surcharge(fine, due, d(2026, 3, 20), &[]).fen(), 90);
    }

    #[test]
    fn apl_art67_fifteen_days_from_receipt_moved_past_a_holiday() {
        let cal = Calendar::builtin();
        assert_eq!(payment_due(&cal, d(2026, 3, 2)), d(2026, 3, 17));
        assert_eq!(payment_due(&cal, d(2026, 9, 16)), d(2026, 10, 8));
    }

    #[test]
    fn apl_art61_service_rules() {
        let cal = Calendar::builtin();
        let decided = d(2026, 3, 2);
        // 7 working days after Monday 2 March: Wednesday 11 March.
        assert_eq!(service_deadline(&cal, decided), d(2026, 3, 11));
        type Row<'a> = (
            ServiceMethod,
            Option<&'a str>,
            Result<Option<NaiveDate>, &'a str>,
        );
        let table: Vec<Row> = vec![
            (ServiceMethod::OnTheSpot, None, Ok(Some(decided))),
            (
                ServiceMethod::Personal {
                    received_on: d(2026, 3, 11),
                },
                None,
                Ok(Some(d(2026, 3, 11))),
            ),
            (
                ServiceMethod::Personal {
                    received_on: d(2026, 3, 12),
                },
                None,
                Err("case.art61_service_late"),
            ),
            (
                ServiceMethod::Personal {
                    received_on: d(2026, 3, 12),
                },
                Some("当事人外出务工，多次上门未遇"),
                Ok(Some(d(2026, 3, 12))),
            ),
            (
                ServiceMethod::Electronic {
                    sent_on: d(2026, 3, 3),
                    consent_signed: false,
                },
                None,
                Err("case.art61_electronic_consent"),
            ),
            (
                ServiceMethod::Electronic {
                    sent_on: d(2026, 3, 3),
                    consent_signed: true,
                },
                None,
                Ok(Some(d(2026, 3, 3))),
            ),
            (
                ServiceMethod::LeftAtResidence {
                    left_on: d(2026, 3, 3),
                    witness: None,
                    recorded: false,
                },
                None,
                Err("case.art61_left_record"),
            ),
            (
                ServiceMethod::LeftAtResidence {
                    left_on: d(2026, 3, 3),
                    witness: None,
                    recorded: true,
                },
                None,
                Ok(Some(d(2026, 3, 3))),
            ),
            // postal: the receipt's date
            (
                ServiceMethod::Postal {
                    sent_on: d(2026, 3, 3),
                    receipt_on: Some(d(2026, 3, 6)),
                },
                None,
                Ok(Some(d(2026, 3, 6))),
            ),
            (
                ServiceMethod::Postal {
                    sent_on: d(2026, 3, 3),
                    receipt_on: None,
                },
                None,
                Ok(None),
            ),
            // public notice: effective 30 days later
            (
                ServiceMethod::PublicNotice {
                    published_on: d(2026, 3, 5),
                    reason: "当事人下落不明".into(),
                },
                None,
                Ok(Some(d(2026, 4, 4))),
            ),
            (
                ServiceMethod::PublicNotice {
                    published_on: d(2026, 3, 5),
                    reason: "".into(),
                },
                None,
                Err("case.art61_public_notice_reason"),
            ),
        ];
        for (method, late, want) in table {
            let got = check_service(&cal, decided, &method, late).map_err(|e| e.code);
            assert_eq!(got, want, "{method:?}");
        }
    }

    #[test]
    fn apl_art66_deferral_and_instalments_need_application_approval_and_the_whole_fine() {
        let fine = Fen::yuan(3_000);
        let plan = vec![
            Instalment {
                due: d(2026, 4, 17),
                amount: Fen::yuan(1_000),
            },
            Instalment {
                due: d(2026, 5, 17),
                amount: Fen::yuan(2_000),
            },
        ];
        let ok = Deferral {
            applied_on: d(2026, 3, 10),
            reason: "家庭遭受火灾，确有经济困难".into(),
            approved_by: "镇长".into(),
            approved_on: d(2026, 3, 12),
            plan: plan.clone(),
        };
        assert!(check_deferral(fine, &ok).is_ok());
        let table = [
            (
                Deferral {
                    approved_by: "".into(),
                    ..ok.clone()
                },
                "case.art66_approval",
            ),
            (
                Deferral {
                    approved_on: d(2026, 3, 9),
                    ..ok.clone()
                },
                "case.art66_approval",
            ),
            (
                Deferral {
                    plan: plan[..1].to_vec(),
                    ..ok.clone()
                },
                "case.art66_plan",
            ),
            (
                Deferral {
                    plan: plan.iter().rev().copied().collect(),
                    ..ok.clone()
                },
                "case.art66_plan",
            ),
        ];
        for (dfr, code) in table {
            let e = check_deferral(fine, &dfr).unwrap_err();
            assert_eq!(e.code, code);
            assert!(e.zh.contains("第六十六条"));
        }
        // Instalments: the second paid 10 days late accrues 3 % of 2,000
        // yuan × 10 = 600 yuan; the first, paid on time, nothing.
        let payments = [
            Payment {
                paid_on: d(2026, 4, 17),
                amount: Fen::yuan(1_000),
            },
            Payment {
                paid_on: d(2026, 5, 27),
                amount: Fen::yuan(2_000),
            },
        ];
        let o = owed(
            fine,
            d(2026, 3, 17),
            Some(&ok),
            &payments,
            &[],
            d(2026, 6, 1),
        );
        assert_eq!(
            o,
            Owed {
                fine: Fen::ZERO,
                surcharge: Fen::yuan(600)
            }
        );
    }

    #[test]
    fn apl_art72_owed_follows_payments() {
        let fine = Fen::yuan(1_000);
        let due = d(2026, 3, 17);
        // nothing paid, 5 days late: 150 yuan
        let o = owed(fine, due, None, &[], &[], d(2026, 3, 22));
        assert_eq!(
            o,
            Owed {
                fine,
                surcharge: Fen::yuan(150)
            }
        );
        // paid the fine 5 days late: the surcharge stops growing
        let paid = [Payment {
            paid_on: d(2026, 3, 22),
            amount: fine,
        }];
        let o = owed(fine, due, None, &paid, &[], d(2026, 5, 1));
        assert_eq!(
            o,
            Owed {
                fine: Fen::ZERO,
                surcharge: Fen::yuan(150)
            }
        );
        // and paying it settles everything
        let all = [
            paid[0],
            Payment {
                paid_on: d(2026, 5, 1),
                amount: Fen::yuan(150),
            },
        ];
        assert!(
            owed(fine, due, None, &all, &[], d(2026, 5, 2))
                .total()
                .is_zero()
        );
        // paid on the due date: nothing more
        let on_time = [Payment {
            paid_on: due,
            amount: fine,
        }];
        assert!(
            owed(fine, due, None, &on_time, &[], d(2026, 6, 1))
                .total()
                .is_zero()
        );
    }

    #[test]
    fn coercion_art53_54_court_enforcement_window_and_reminder() {
        let cal = Calendar::builtin();
        let received = d(2026, 3, 2);
        let (first, last) = enforcement_window(received, None);
        assert_eq!((first, last), (d(2026, 9, 3), d(2026, 12, 2)));
        let owes = Owed {
            fine: Fen::yuan(1_000),
            surcharge: Fen::yuan(1_000),
        };
        let reminder = Some(d(2026, 9, 1));
        // 10 working days after 1 September 2026: 15 September.
        let table = [
            (d(2026, 9, 15), false, reminder, owes, Ok(())),
            (
                d(2026, 9, 14),
                false,
                reminder,
                owes,
                Err("case.coercion_art54_reminder"),
            ),
            (
                d(2026, 9, 15),
                false,
                None,
                owes,
                Err("case.coercion_art54_reminder"),
            ),
            (
                d(2026, 9, 2),
                false,
                Some(d(2026, 8, 1)),
                owes,
                Err("case.coercion_art53_too_early"),
            ),
            (
                d(2026, 12, 3),
                false,
                reminder,
                owes,
                Err("case.coercion_art53_window_passed"),
            ),
            (
                d(2026, 9, 15),
                true,
                reminder,
                owes,
                Err("case.coercion_art53_remedy_pending"),
            ),
            (
                d(2026, 9, 15),
                false,
                reminder,
                Owed {
                    fine: Fen::ZERO,
                    surcharge: Fen::ZERO,
                },
                Err("case.art72_nothing_owed"),
            ),
        ];
        for (today, pending, reminder, owes, want) in table {
            let got =
                check_enforcement_application(&cal, received, None, pending, reminder, owes, today)
                    .map_err(|e| e.code);
            assert_eq!(got, want, "{today}");
        }
        // APL Art. 72 ¶2: after a deferral to the end of the year, the
        // window runs from its end.
        assert_eq!(
            enforcement_window(received, Some(d(2026, 12, 31))),
            (d(2027, 1, 1), d(2027, 3, 31))
        );
    }

    proptest! {
        #[test]
        fn apl_art72_surcharge_never_exceeds_the_fine(
            fine in 0i64..10_000_000_000, late in 0u64..2_000, paused in 0u64..100
        ) {
            let fine = Fen::new(fine).unwrap();
            let due = d(2026, 3, 17);
            let s = surcharge(fine, due, days_after(due, late), &[Span::closed(due, days_after(due, paused))]);
            prop_assert!(s <= fine);
            // and never falls as days pass
            let s2 = surcharge(fine, due, days_after(due, late + 1), &[]);
            prop_assert!(s2 >= surcharge(fine, due, days_after(due, late), &[]));
        }
    }
}
