//! Supervision (督办): a warning before a deadline, an overdue flag, then a
//! ladder of supervision notices (督办单) and finally a report to the
//! leader. Every rung taken is recorded and counted in the assessment of
//! the unit responsible.

use chrono::Duration;
use serde::Serialize;

/// Where a running step stands against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    /// 正常
    OnTime,
    /// 预警: most of the limit is used.
    Warning,
    /// 超期
    Overdue,
}

/// The share of the limit at which a step turns to [`Alert::Warning`] by
/// default.
pub const DEFAULT_WARN_AT: f64 = 0.8;

/// `used_share` is the share of the limit already used (0.0 at the start,
/// 1.0 at the deadline); `warn_at` the share at which to warn, e.g. 0.8.
///
/// * above 1.0 → [`Alert::Overdue`] (at the deadline itself the step is
///   still on time, but warned);
/// * from `warn_at` up to 1.0 → [`Alert::Warning`];
/// * below → [`Alert::OnTime`].
///
/// A `warn_at` outside 0..=1 is clamped into it; a NaN `warn_at` means
/// [`DEFAULT_WARN_AT`]. A NaN `used_share` (progress unknown) yields a
/// warning, so that it draws attention without counting as overdue.
pub fn alert(used_share: f64, warn_at: f64) -> Alert {
    let warn_at = if warn_at.is_nan() {
        DEFAULT_WARN_AT
    } else {
        warn_at.clamp(0.0, 1.0)
    };
    if used_share.is_nan() {
        Alert::Warning
    } else if used_share > 1.0 {
        Alert::Overdue
    } else if used_share >= warn_at {
        Alert::Warning
    } else {
        Alert::OnTime
    }
}

/// Who issues a supervision notice (督办单).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeLevel {
    /// 乡镇督办
    Township,
    /// 县级督办
    County,
}

impl NoticeLevel {
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            NoticeLevel::Township => lang.pick("乡镇督办", "Township notice"),
            NoticeLevel::County => lang.pick("县级督办", "County notice"),
        }
    }
}

/// What to do about an overdue step now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// Nothing (yet, or any more).
    None,
    /// Issue a supervision notice (督办单) at this level.
    IssueNotice(NoticeLevel),
    /// Report the matter to the responsible leader (报告领导).
    ReportToLeader,
}

/// Overdue this long after the township notice, a county notice follows.
pub const COUNTY_NOTICE_AFTER: Duration = Duration::days(1);
/// Overdue this long, the matter is reported to the leader.
pub const LEADER_REPORT_AFTER: Duration = Duration::days(2);

/// The supervision ladder. `overdue_for` is how long the step has been past
/// its deadline (zero or negative: not overdue); `notices_so_far` counts the
/// rungs already taken for this step (township notice, county notice,
/// leader report).
///
/// | rungs taken | overdue for | escalation |
/// |---|---|---|
/// | any | ≤ 0 | None |
/// | 0 | > 0 | township notice |
/// | 1 | ≥ 1 day | county notice |
/// | 2 | ≥ 2 days | report to the leader |
/// | 3 or more | any | None (top of the ladder) |
///
/// The ladder climbs one rung per call, even when a matter is found long
/// overdue, so that every rung is issued and recorded in turn.
pub fn escalation(overdue_for: Duration, notices_so_far: u32) -> Escalation {
    if overdue_for <= Duration::zero() {
        return Escalation::None;
    }
    match notices_so_far {
        0 => Escalation::IssueNotice(NoticeLevel::Township),
        1 if overdue_for >= COUNTY_NOTICE_AFTER => Escalation::IssueNotice(NoticeLevel::County),
        2 if overdue_for >= LEADER_REPORT_AFTER => Escalation::ReportToLeader,
        _ => Escalation::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_thresholds() {
        assert_eq!(alert(0.0, 0.8), Alert::OnTime);
        assert_eq!(alert(-0.1, 0.8), Alert::OnTime);
        assert_eq!(alert(0.79, 0.8), Alert::OnTime);
        assert_eq!(alert(0.8, 0.8), Alert::Warning);
        assert_eq!(alert(1.0, 0.8), Alert::Warning);
        assert_eq!(alert(1.0001, 0.8), Alert::Overdue);
        assert_eq!(alert(f64::INFINITY, 0.8), Alert::Overdue);
        assert_eq!(alert(f64::NAN, 0.8), Alert::Warning);
        assert_eq!(alert(0.85, f64::NAN), Alert::Warning);
        assert_eq!(alert(0.75, f64::NAN), Alert::OnTime);
        // warn_at above 1 is clamped: the deadline itself still warns.
        assert_eq!(alert(1.0, 3.0), Alert::Warning);
        assert_eq!(alert(0.0, -1.0), Alert::Warning);
    }

    #[test]
    fn the_ladder() {
        let h = Duration::hours;
        assert_eq!(escalation(Duration::zero(), 0), Escalation::None);
        assert_eq!(escalation(h(-5), 0), Escalation::None);
        assert_eq!(
            escalation(Duration::seconds(1), 0),
            Escalation::IssueNotice(NoticeLevel::Township)
        );
        assert_eq!(escalation(h(23), 1), Escalation::None);
        assert_eq!(
            escalation(h(24), 1),
            Escalation::IssueNotice(NoticeLevel::County)
        );
        assert_eq!(escalation(h(47), 2), Escalation::None);
        assert_eq!(escalation(h(48), 2), Escalation::ReportToLeader);
        assert_eq!(escalation(h(480), 3), Escalation::None);
        // One rung at a time, even when found long overdue.
        assert_eq!(
            escalation(h(100), 0),
            Escalation::IssueNotice(NoticeLevel::Township)
        );
        assert_eq!(
            escalation(h(100), 1),
            Escalation::IssueNotice(NoticeLevel::County)
        );
    }

    #[test]
    fn serialised_names() {
        assert_eq!(
            serde_json::to_string(&Alert::OnTime).unwrap(),
            "\"on_time\""
        );
        assert_eq!(
            serde_json::to_string(&Escalation::IssueNotice(NoticeLevel::County)).unwrap(),
            r#"{"issue_notice":"county"}"#
        );
        assert_eq!(
            serde_json::to_string(&Escalation::ReportToLeader).unwrap(),
            "\"report_to_leader\""
        );
    }
}
