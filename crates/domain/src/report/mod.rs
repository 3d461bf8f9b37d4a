//! Reports (事件上报) and the command centre's closed loop.
//!
//! A report arrives from a grid worker, a camera, a citizen, the 12345
//! hotline, a department or an Open311 client. The command centre locates it
//! in its grid, classifies it against the power list, and runs it through the
//! closed loop of the national digital urban management standard
//! (GB/T 30428): 信息收集 → 案卷建立 → 任务派遣 → 任务处理 → 处理反馈 →
//! 核查结案 → 综合评价. Verification is done by someone other than the
//! handler, so that nobody grades their own work; a failed verification
//! sends the task back for rework (返工). Reports that belong to another
//! platform (综治, 便民服务, 应急管理) are handed over to it, not dropped.
//!
//! * [`lifecycle`]: the actions and the rules deciding which may be taken
//!   ([`transition`]).
//! * [`limits`]: which step's time limit runs in each status, and the limits
//!   per step and urgency.
//! * [`triage`]: emergency signals, matters for other platforms, duplicates.
//! * [`supervision`]: warnings, overdue flags and the supervision ladder
//!   (督办).
//! * [`routing`]: the suggested squad and officer (bundled enforcement).
//! * [`adjust`]: pauses and extensions, asked for and approved.
//! * [`hotline`]: batches of 12345 hotline records.

pub mod adjust;
pub mod hotline;
pub mod lifecycle;
pub mod limits;
pub mod routing;
pub mod supervision;
pub mod triage;

pub use lifecycle::{Action, Facts, merge, transition};
pub use limits::{Limit, Step, StepLimits, TimeLimits, step_of, step_when};
pub use routing::{OnDuty, Route, route};
pub use supervision::{Alert, DEFAULT_WARN_AT, Escalation, NoticeLevel, alert, escalation};
pub use triage::{Sighting, distance_m, emergency_signals, is_duplicate, non_enforcement};

use serde::{Deserialize, Serialize};

use crate::{Error, Lang};

/// The error for an unknown value of a closed list, naming the allowed ones.
fn unknown_value(code: &'static str, field: &str, s: &str, allowed: &[&str]) -> Error {
    let list = allowed.join(", ");
    Error::invalid(
        code,
        field,
        format!("{field} 的取值「{s}」无效，可选值：{list}"),
        format!("invalid {field} `{s}`; allowed values: {list}"),
    )
}

/// Where a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网格员巡查上报
    GridWorker,
    /// 视频监控（雪亮工程）: a person on duty or an automatic detector.
    Camera,
    /// 群众举报
    Citizen,
    /// 12345 政务服务便民热线
    Hotline,
    /// 部门移送
    Department,
    /// An Open311 (GeoReport v2) client.
    Open311,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::GridWorker,
        Channel::Camera,
        Channel::Citizen,
        Channel::Hotline,
        Channel::Department,
        Channel::Open311,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::GridWorker => "grid_worker",
            Channel::Camera => "camera",
            Channel::Citizen => "citizen",
            Channel::Hotline => "hotline",
            Channel::Department => "department",
            Channel::Open311 => "open311",
        }
    }

    /// Parse the snake_case name; the error (field `channel`) lists the
    /// allowed values.
    pub fn parse(s: &str) -> Result<Channel, Error> {
        let t = s.trim();
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == t)
            .ok_or_else(|| {
                unknown_value(
                    "report.channel",
                    "channel",
                    s,
                    &Channel::ALL.map(Channel::as_str),
                )
            })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Channel::GridWorker => ("网格员上报", "Grid worker"),
            Channel::Camera => ("视频监控", "Camera"),
            Channel::Citizen => ("群众举报", "Citizen"),
            Channel::Hotline => ("12345热线", "12345 hotline"),
            Channel::Department => ("部门移送", "Department"),
            Channel::Open311 => ("Open311 接口", "Open311"),
        };
        lang.pick(zh, en)
    }
}

/// How fast a report must be dealt with; chooses the time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// 一般
    Normal,
    /// 紧急
    Urgent,
    /// 特急: danger to life or property; limits run on the wall clock.
    Emergency,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Normal, Urgency::Urgent, Urgency::Emergency];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
            Urgency::Emergency => "emergency",
        }
    }

    /// Parse the snake_case name; the error (field `urgency`) lists the
    /// allowed values.
    pub fn parse(s: &str) -> Result<Urgency, Error> {
        let t = s.trim();
        Urgency::ALL
            .into_iter()
            .find(|u| u.as_str() == t)
            .ok_or_else(|| {
                unknown_value(
                    "report.urgency",
                    "urgency",
                    s,
                    &Urgency::ALL.map(Urgency::as_str),
                )
            })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Urgency::Normal => ("一般", "Normal"),
            Urgency::Urgent => ("紧急", "Urgent"),
            Urgency::Emergency => ("特急", "Emergency"),
        };
        lang.pick(zh, en)
    }
}

/// Where a report stands in the closed loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 已受理: registered by the command centre, waiting for dispatch.
    Received,
    /// 已派遣: sent to a squad (and possibly an officer).
    Dispatched,
    /// 已接收: the officer (or squad leader) took the task.
    Accepted,
    /// 处置中: on site (also after a failed verification: rework).
    Handling,
    /// 已反馈: the handler reported the result back.
    ReportedBack,
    /// 已核查: someone other than the handler confirmed the result.
    Verified,
    /// 已结案
    Closed,
    /// 已评价
    Evaluated,
    /// 已移交: handed over to the governance, service or emergency platform.
    HandedOver,
    /// 已合并: a duplicate, linked to the first report of the matter.
    Merged,
    /// 不予受理: not actionable.
    Rejected,
}

impl Status {
    pub const ALL: [Status; 11] = [
        Status::Received,
        Status::Dispatched,
        Status::Accepted,
        Status::Handling,
        Status::ReportedBack,
        Status::Verified,
        Status::Closed,
        Status::Evaluated,
        Status::HandedOver,
        Status::Merged,
        Status::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Dispatched => "dispatched",
            Status::Accepted => "accepted",
            Status::Handling => "handling",
            Status::ReportedBack => "reported_back",
            Status::Verified => "verified",
            Status::Closed => "closed",
            Status::Evaluated => "evaluated",
            Status::HandedOver => "handed_over",
            Status::Merged => "merged",
            Status::Rejected => "rejected",
        }
    }

    /// Parse the snake_case name; the error (field `status`) lists the
    /// allowed values.
    pub fn parse(s: &str) -> Result<Status, Error> {
        let t = s.trim();
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == t)
            .ok_or_else(|| {
                unknown_value(
                    "report.status",
                    "status",
                    s,
                    &Status::ALL.map(Status::as_str),
                )
            })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Status::Received => ("已受理", "Received"),
            Status::Dispatched => ("已派遣", "Dispatched"),
            Status::Accepted => ("已接收", "Accepted"),
            Status::Handling => ("处置中", "Handling"),
            Status::ReportedBack => ("已反馈", "Reported back"),
            Status::Verified => ("已核查", "Verified"),
            Status::Closed => ("已结案", "Closed"),
            Status::Evaluated => ("已评价", "Evaluated"),
            Status::HandedOver => ("已移交", "Handed over"),
            Status::Merged => ("已合并", "Merged"),
            Status::Rejected => ("不予受理", "Rejected"),
        };
        lang.pick(zh, en)
    }

    /// Whether the enforcement platform still owes work on the report
    /// (from receipt up to verification). Closed reports await only their
    /// evaluation; evaluated, handed-over, merged and rejected ones are done.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Received
                | Status::Dispatched
                | Status::Accepted
                | Status::Handling
                | Status::ReportedBack
                | Status::Verified
        )
    }

    /// Whether no action can follow.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Evaluated | Status::HandedOver | Status::Merged | Status::Rejected
        )
    }
}

/// The other platforms of the township's "one centre, four platforms" that a
/// report can be handed over to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// 综治: comprehensive governance (disputes, mediation).
    Governance,
    /// 便民服务: convenience services (certificates, benefits, enquiries).
    Service,
    /// 应急管理: emergency management.
    Emergency,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Governance, Platform::Service, Platform::Emergency];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Governance => "governance",
            Platform::Service => "service",
            Platform::Emergency => "emergency",
        }
    }

    /// Parse the snake_case name; the error (field `platform`) lists the
    /// allowed values.
    pub fn parse(s: &str) -> Result<Platform, Error> {
        let t = s.trim();
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == t)
            .ok_or_else(|| {
                unknown_value(
                    "report.platform",
                    "platform",
                    s,
                    &Platform::ALL.map(Platform::as_str),
                )
            })
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Platform::Governance => ("综治平台", "Comprehensive governance platform"),
            Platform::Service => ("便民服务平台", "Convenience services platform"),
            Platform::Emergency => ("应急管理平台", "Emergency management platform"),
        };
        lang.pick(zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn names_round_trip_through_parse_and_serde() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()).unwrap(), c);
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
            assert!(!c.label(Lang::Zh).is_empty() && !c.label(Lang::En).is_empty());
        }
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.as_str()).unwrap(), u);
            assert_eq!(
                serde_json::to_string(&u).unwrap(),
                format!("\"{}\"", u.as_str())
            );
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()).unwrap(), s);
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
            let back: Status = serde_json::from_str(&format!("\"{}\"", s.as_str())).unwrap();
            assert_eq!(back, s);
        }
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()).unwrap(), p);
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
    }

    #[test]
    fn status_labels_follow_the_standard_wording() {
        let zh: Vec<&str> = Status::ALL.iter().map(|s| s.label(Lang::Zh)).collect();
        assert_eq!(
            zh,
            [
                "已受理",
                "已派遣",
                "已接收",
                "处置中",
                "已反馈",
                "已核查",
                "已结案",
                "已评价",
                "已移交",
                "已合并",
                "不予受理"
            ]
        );
        assert_eq!(Status::ReportedBack.label(Lang::En), "Reported back");
    }

    #[test]
    fn unknown_values_name_the_field_and_list_the_allowed_ones() {
        let e = Channel::parse("fax").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.code, "report.channel");
        assert_eq!(e.field.as_deref(), Some("channel"));
        assert!(e.en.contains("grid_worker") && e.en.contains("open311"));
        assert!(e.zh.contains("hotline"));
        let e = Urgency::parse("Urgent").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("urgency"));
        assert!(e.en.contains("normal, urgent, emergency"));
        assert_eq!(
            Status::parse("open").unwrap_err().field.as_deref(),
            Some("status")
        );
        assert_eq!(Platform::parse("").unwrap_err().code, "report.platform");
        assert_eq!(Channel::parse(" camera ").unwrap(), Channel::Camera);
    }

    #[test]
    fn open_and_final_statuses_partition_all_but_closed() {
        for s in Status::ALL {
            assert!(!(s.is_open() && s.is_final()), "{s:?}");
            assert_eq!(!s.is_open() && !s.is_final(), s == Status::Closed, "{s:?}");
        }
    }
}
