//! The decision clock (办案期限): APL Art. 60 — decide within 90 days of
//! filing, unless a law, regulation or rule provides otherwise.
//!
//! Art. 60 itself neither pauses nor extends the period. Sector rules do:
//! the market-supervision procedure rule, for example, lets the head extend
//! it by 30 days, any further extension being decided collectively, and
//! does not count suspension, hearing, public-notice, testing and
//! appraisal periods. Those rules are configuration ([`SectorRules`]), each
//! with its basis; the general rule ([`SectorRules::general`]) has neither
//! pauses nor extensions.
//!
//! Days are calendar days; the filing day is not counted; the deadline is
//! never moved off a rest day (it is the agency's own period). A pause
//! stops the clock for the days after its start up to and including its
//! end ([`Span`]); overlapping pauses count once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::{Span, covered_days, days_after};
use crate::{Error, Lang};

/// APL Art. 60: 90 days.
pub const DECISION_DAYS: u32 = 90;

/// Periods a sector rule may leave out of the decision clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// 听证
    Hearing,
    /// 检测、检验、检疫、鉴定
    Appraisal,
    /// 公告
    PublicNotice,
    /// 案件中止
    Suspension,
    /// 权利人辨认或者鉴别
    Identification,
    /// 责令退还多收价款
    Refund,
}

impl PauseKind {
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            PauseKind::Hearing => ("听证", "hearing"),
            PauseKind::Appraisal => ("检测、检验、检疫、鉴定", "testing or appraisal"),
            PauseKind::PublicNotice => ("公告", "public notice"),
            PauseKind::Suspension => ("中止", "suspension"),
            PauseKind::Identification => {
                ("权利人辨认或者鉴别", "identification by the right holder")
            }
            PauseKind::Refund => ("责令退还多收价款", "order to refund overcharges"),
        };
        lang.pick(zh, en)
    }
}

/// A recorded pause of the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub kind: PauseKind,
    pub span: Span,
    #[serde(default)]
    pub note: String,
}

/// An approved extension of the decision period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub days: u32,
    pub approved_by: String,
    pub approved_on: NaiveDate,
    /// Decided by the agency's leaders collectively.
    #[serde(default)]
    pub collective: bool,
    pub reason: String,
}

/// One sector's rules on the decision period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorRules {
    /// e.g. 市场监管
    pub sector: String,
    /// The rule the exclusions and extensions come from.
    pub basis: String,
    /// Periods not counted.
    #[serde(default)]
    pub excluded: Vec<PauseKind>,
    /// Days the agency head may extend by, once; `None`: no extension.
    #[serde(default)]
    pub head_extension_days: Option<u32>,
    /// Whether further extensions, of a length they set, may be decided by
    /// the leaders collectively.
    #[serde(default)]
    pub further_by_collective: bool,
    /// Warn when this many days or fewer are left.
    pub warn_days: u32,
}

impl SectorRules {
    /// APL Art. 60 alone: 90 days, nothing excluded, no extension.
    pub fn general() -> SectorRules {
        SectorRules {
            sector: "通用".into(),
            basis: "《中华人民共和国行政处罚法》第六十条".into(),
            excluded: vec![],
            head_extension_days: None,
            further_by_collective: false,
            warn_days: 15,
        }
    }

    /// Market supervision: +30 days approved by the head, further
    /// extensions decided collectively; suspension, hearing, public notice,
    /// testing and appraisal, identification by the right holder and
    /// refund orders not counted.
    pub fn market_supervision() -> SectorRules {
        SectorRules {
            sector: "市场监管".into(),
            basis: "《市场监督管理行政处罚程序规定》（办案期限）".into(),
            excluded: vec![
                PauseKind::Suspension,
                PauseKind::Hearing,
                PauseKind::PublicNotice,
                PauseKind::Appraisal,
                PauseKind::Identification,
                PauseKind::Refund,
            ],
            head_extension_days: Some(30),
            further_by_collective: true,
            warn_days: 15,
        }
    }
}

/// How close the deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockWarning {
    None,
    /// `warn_days` or fewer left.
    Soon,
    /// The deadline has passed.
    Overdue,
}

/// The decision clock at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// The last day to decide.
    pub deadline: NaiveDate,
    /// Days from `now` to the deadline; negative when overdue.
    pub days_left: i64,
    /// Days not counted so far (excluded pauses).
    pub paused_days: i64,
    /// Days added by approved extensions.
    pub extension_days: i64,
    /// An excluded pause is running now: the clock is stopped.
    pub stopped: bool,
    pub warning: ClockWarning,
}

/// The decision clock of a case filed on `filed_on`, seen on `now`.
///
/// Only pauses of a kind the sector rules exclude count; an open pause
/// counts up to `now` and stops the clock (the deadline then moves a day
/// with every day it lasts).
pub fn clock(
    rules: &SectorRules,
    filed_on: NaiveDate,
    pauses: &[Pause],
    extensions: &[Extension],
    now: NaiveDate,
) -> Clock {
    let spans: Vec<Span> = pauses
        .iter()
        .filter(|p| rules.excluded.contains(&p.kind))
        .map(|p| p.span)
        .collect();
    // Closed pauses count whole; open ones reach to `now`.
    let horizon = spans
        .iter()
        .filter_map(|s| s.until)
        .max()
        .unwrap_or(now)
        .max(now);
    let paused_days = covered_days(
        &spans
            .iter()
            .map(|s| Span {
                from: s.from,
                until: Some(s.until.unwrap_or(now)),
            })
            .collect::<Vec<_>>(),
        filed_on,
        horizon,
    );
    let extension_days: i64 = extensions.iter().map(|e| i64::from(e.days)).sum();
    let total = i64::from(DECISION_DAYS) + paused_days + extension_days;
    let deadline = days_after(filed_on, total.max(0) as u64);
    let days_left = (deadline - now).num_days();
    let stopped = spans.iter().any(|s| s.until.is_none() && s.from <= now);
    let warning = if days_left < 0 {
        ClockWarning::Overdue
    } else if days_left <= i64::from(rules.warn_days) && !stopped {
        ClockWarning::Soon
    } else {
        ClockWarning::None
    };
    Clock {
        deadline,
        days_left,
        paused_days,
        extension_days,
        stopped,
        warning,
    }
}

/// May this extension be recorded? It needs a sector rule that allows
/// extensions, approval before the current deadline passes, and a reason;
/// the first (by the head) may not exceed the rule's days; any further one
/// must be decided collectively.
pub fn check_extension(
    rules: &SectorRules,
    existing: &[Extension],
    current_deadline: NaiveDate,
    ext: &Extension,
) -> Result<(), Error> {
    let Some(head_days) = rules.head_extension_days else {
        return Err(Error::invalid(
            "case.art60_no_extension",
            "days",
            format!(
                "《行政处罚法》第六十条：应当自立案之日起九十日内作出处罚决定；{}领域的规定（{}）未规定延期",
                rules.sector, rules.basis
            ),
            format!(
                "APL Art. 60: decide within 90 days of filing; the rules of the {} sector ({}) provide no extension",
                rules.sector, rules.basis
            ),
        ));
    };
    if ext.reason.trim().is_empty() || ext.approved_by.trim().is_empty() || ext.days == 0 {
        return Err(Error::invalid(
            "case.art60_extension_reason",
            "reason",
            "《行政处罚法》第六十条：延长办案期限应当写明理由、天数和批准人",
            "APL Art. 60: an extension of the decision period needs a reason, a number of days and the approver",
        ));
    }
    if ext.approved_on > current_deadline {
        return Err(Error::invalid(
            "case.art60_extension_late",
            "approved_on",
            format!(
                "《行政处罚法》第六十条：办案期限已于 {current_deadline} 届满，延期应当在期限届满前批准"
            ),
            format!(
                "APL Art. 60: the decision period ended on {current_deadline}; an extension must be approved before it ends"
            ),
        ));
    }
    let first = existing.is_empty();
    if first && !ext.collective && ext.days > head_days {
        return Err(Error::invalid(
            "case.art60_extension_days",
            "days",
            format!(
                "《行政处罚法》第六十条、{}：负责人批准延长不得超过 {head_days} 日",
                rules.basis
            ),
            format!(
                "APL Art. 60 with {}: the head may extend by at most {head_days} days",
                rules.basis
            ),
        ));
    }
    let further_allowed = rules.further_by_collective && ext.collective;
    if !(first || further_allowed) {
        return Err(Error::invalid(
            "case.art60_extension_collective",
            "collective",
            format!(
                "《行政处罚法》第六十条、{}：经延期仍不能作出决定的，应当由负责人集体讨论决定是否继续延期",
                rules.basis
            ),
            format!(
                "APL Art. 60 with {}: a further extension must be decided collectively by the agency's leaders",
                rules.basis
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::testkit::d;

    fn hearing(from: NaiveDate, until: Option<NaiveDate>) -> Pause {
        Pause {
            kind: PauseKind::Hearing,
            span: Span { from, until },
            note: String::new(),
        }
    }

    #[test]
    fn apl_art60_ninety_days_from_filing() {
        let c = clock(
            &SectorRules::general(),
            d(2026, 3, 2),
            &[],
            &[],
            d(2026, 3, 2),
        );
        // 2 March + 90 days = 31 May (a Sunday: not moved).
        assert_eq!(c.deadline, d(2026, 5, 31));
        assert_eq!(c.days_left, 90);
        assert_eq!(c.warning, ClockWarning::None);
        let c = clock(
            &SectorRules::general(),
            d(2026, 3, 2),
            &[],
            &[],
            d(2026, 5, 16),
        );
        assert_eq!((c.days_left, c.warning), (15, ClockWarning::Soon));
        let c = clock(
            &SectorRules::general(),
            d(2026, 3, 2),
            &[],
            &[],
            d(2026, 6, 1),
        );
        assert_eq!((c.days_left, c.warning), (-1, ClockWarning::Overdue));
    }

    #[test]
    fn apl_art60_a_twenty_day_hearing_pause_moves_the_deadline_where_the_sector_excludes_it() {
        let pause = hearing(d(2026, 4, 1), Some(d(2026, 4, 21)));
        let market = SectorRules::market_supervision();
        let c = clock(
            &market,
            d(2026, 3, 2),
            std::slice::from_ref(&pause),
            &[],
            d(2026, 4, 30),
        );
        assert_eq!(c.paused_days, 20);
        // 31 May + 20 days = 20 June
        assert_eq!(c.deadline, d(2026, 6, 20));
        assert_eq!(c.days_left, 51);
        assert!(!c.stopped);
        // The general rule counts the hearing.
        let c = clock(
            &SectorRules::general(),
            d(2026, 3, 2),
            &[pause],
            &[],
            d(2026, 4, 30),
        );
        assert_eq!((c.paused_days, c.deadline), (0, d(2026, 5, 31)));
    }

    #[test]
    fn apl_art60_an_open_pause_stops_the_clock() {
        let market = SectorRules::market_supervision();
        let p = hearing(d(2026, 4, 1), None);
        let c = clock(
            &market,
            d(2026, 3, 2),
            std::slice::from_ref(&p),
            &[],
            d(2026, 4, 11),
        );
        assert!(c.stopped);
        assert_eq!(c.paused_days, 10);
        assert_eq!(c.deadline, d(2026, 6, 10));
        // A day later the deadline is a day later; days left do not fall.
        let c2 = clock(&market, d(2026, 3, 2), &[p], &[], d(2026, 4, 12));
        assert_eq!(c2.deadline, d(2026, 6, 11));
        assert_eq!(c2.days_left, c.days_left);
    }

    #[test]
    fn apl_art60_extensions_need_a_sector_rule_approval_in_time_and_a_collective_for_more() {
        let ext = |days, on, collective| Extension {
            days,
            approved_by: "局长".into(),
            approved_on: on,
            collective,
            reason: "需补充鉴定".into(),
        };
        let deadline = d(2026, 5, 31);
        let general = SectorRules::general();
        let market = SectorRules::market_supervision();
        let first = ext(30, d(2026, 5, 20), false);
        assert_eq!(
            check_extension(&general, &[], deadline, &first)
                .unwrap_err()
                .code,
            "case.art60_no_extension"
        );
        assert!(check_extension(&market, &[], deadline, &first).is_ok());
        let table = [
            (
                vec![],
                ext(31, d(2026, 5, 20), false),
                "case.art60_extension_days",
            ),
            (
                vec![],
                ext(30, d(2026, 6, 1), false),
                "case.art60_extension_late",
            ),
            (
                vec![first.clone()],
                ext(20, d(2026, 5, 25), false),
                "case.art60_extension_collective",
            ),
            (
                vec![],
                Extension {
                    reason: " ".into(),
                    ..first.clone()
                },
                "case.art60_extension_reason",
            ),
        ];
        for (existing, e, code) in table {
            let err = check_extension(&market, &existing, deadline, &e).unwrap_err();
            assert_eq!(err.code, code);
            assert!(err.zh.contains("第六十条"));
        }
        // a further extension decided collectively, before the new deadline
        let c = clock(
            &market,
            d(2026, 3, 2),
            &[],
            std::slice::from_ref(&first),
            d(2026, 5, 20),
        );
        assert_eq!(c.deadline, d(2026, 6, 30));
        assert!(
            check_extension(
                &market,
                &[first],
                c.deadline,
                &ext(45, d(2026, 6, 25), true)
            )
            .is_ok()
        );
    }
}
