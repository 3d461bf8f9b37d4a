//! Pauses (挂起) and extensions (延期) of a running step. Neither takes
//! effect on a request alone: the handler (or the officer the task was
//! dispatched to, or the squad's leader) asks with a reason, and a leader
//! other than the requester decides. Both are recorded.
//!
//! * A pause stops the step's clock; on resumption the deadline moves by
//!   the working time spent paused, so the handler loses none of it.
//! * An extension moves the deadline by a number of working days.

use serde::{Deserialize, Serialize};

use super::{Status, step_of};
use crate::access::Role;
use crate::{Error, ErrorKind};

/// What is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Pause,
    Extension,
}

impl Kind {
    pub fn parse(s: &str) -> Result<Kind, Error> {
        match s {
            "pause" => Ok(Kind::Pause),
            "extension" => Ok(Kind::Extension),
            other => Err(Error::invalid(
                "report.request_kind",
                "kind",
                format!("申请类型「{other}」无效，可选值：pause, extension"),
                format!("invalid request kind `{other}`; allowed values: pause, extension"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pause => "pause",
            Kind::Extension => "extension",
        }
    }
}

/// The longest extension one request may ask for, in working days.
pub const MAX_EXTENSION_DAYS: u32 = 30;

/// Who may decide a request: the brigade's or squad's leader, or the
/// county's supervisor.
pub const APPROVERS: &[Role] = &[
    Role::BrigadeLeader,
    Role::SquadLeader,
    Role::CountySupervisor,
];

/// The facts a request is judged on.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    pub status: Status,
    pub paused: bool,
    /// A request of any kind is already waiting for a decision.
    pub pending: bool,
    pub actor: &'a str,
    pub actor_roles: &'a [Role],
    pub handler: Option<&'a str>,
    pub dispatched_to: Option<&'a str>,
}

/// May this request be made? `days` is the extension asked for.
pub fn check_request(
    f: &RequestFacts<'_>,
    kind: Kind,
    reason: &str,
    days: Option<u32>,
) -> Result<(), Error> {
    if step_of(f.status).is_none() {
        return Err(Error::new(
            ErrorKind::Conflict,
            "report.no_running_step",
            "该事件当前没有计时中的环节，无法挂起或延期",
            "no step of this report is running: nothing to pause or extend",
        ));
    }
    let holder = Some(f.actor) == f.handler || Some(f.actor) == f.dispatched_to;
    let leader = f
        .actor_roles
        .iter()
        .any(|r| matches!(r, Role::SquadLeader | Role::BrigadeLeader));
    if !holder && !leader {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "report.not_holder",
            "只有承办人或中队、大队负责人可以申请挂起或延期",
            "only the person holding the task or a squad or brigade leader may ask for a pause or an extension",
        ));
    }
    if f.pending {
        return Err(Error::new(
            ErrorKind::Conflict,
            "report.request_pending",
            "已有申请等待审批",
            "a request is already waiting for a decision",
        ));
    }
    if reason.trim().is_empty() {
        return Err(Error::invalid(
            "report.reason_required",
            "reason",
            "申请须说明理由",
            "a request needs a reason",
        ));
    }
    match kind {
        Kind::Pause if f.paused => Err(Error::new(
            ErrorKind::Conflict,
            "report.paused",
            "该事件已挂起",
            "the report is already paused",
        )),
        Kind::Pause => Ok(()),
        Kind::Extension => match days {
            Some(d) if (1..=MAX_EXTENSION_DAYS).contains(&d) => Ok(()),
            _ => Err(Error::invalid(
                "report.extension_days",
                "working_days",
                format!("延期须为 1–{MAX_EXTENSION_DAYS} 个工作日"),
                format!("an extension is 1–{MAX_EXTENSION_DAYS} working days"),
            )),
        },
    }
}

/// May `approver` decide a request made by `requester`? Nobody approves
/// their own request, and only a leader or supervisor decides.
pub fn check_decision(
    approver: &str,
    approver_roles: &[Role],
    requester: &str,
) -> Result<(), Error> {
    if approver == requester {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "report.approve_own",
            "不能审批自己的申请",
            "nobody decides their own request",
        ));
    }
    if !approver_roles.iter().any(|r| APPROVERS.contains(r)) {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "report.approver_role",
            "只有大队、中队负责人或县级督查人员可以审批挂起和延期",
            "only a brigade or squad leader or a county supervisor decides pauses and extensions",
        ));
    }
    Ok(())
}

/// May a pause be lifted now? By the holder or an approver.
pub fn check_resume(f: &RequestFacts<'_>) -> Result<(), Error> {
    if !f.paused {
        return Err(Error::new(
            ErrorKind::Conflict,
            "report.not_paused",
            "该事件未挂起",
            "the report is not paused",
        ));
    }
    let holder = Some(f.actor) == f.handler || Some(f.actor) == f.dispatched_to;
    if !holder && !f.actor_roles.iter().any(|r| APPROVERS.contains(r)) {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "report.not_holder",
            "只有承办人或负责人可以恢复计时",
            "only the person holding the task or a leader may resume it",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(roles: &'a [Role], actor: &'a str) -> RequestFacts<'a> {
        RequestFacts {
            status: Status::Handling,
            paused: false,
            pending: false,
            actor,
            actor_roles: roles,
            handler: Some("officer-1"),
            dispatched_to: Some("officer-1"),
        }
    }

    #[test]
    fn the_handler_may_ask_with_a_reason() {
        let f = facts(&[Role::Officer], "officer-1");
        assert!(check_request(&f, Kind::Pause, "等待当事人返乡", None).is_ok());
        assert!(check_request(&f, Kind::Extension, "需补充检测报告", Some(5)).is_ok());
        let e = check_request(&f, Kind::Pause, "  ", None).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("report.reason_required", Some("reason"))
        );
    }

    #[test]
    fn another_officer_may_not_ask_but_a_leader_may() {
        let f = facts(&[Role::Officer], "officer-2");
        assert_eq!(
            check_request(&f, Kind::Pause, "理由", None)
                .unwrap_err()
                .code,
            "report.not_holder"
        );
        let f = facts(&[Role::SquadLeader], "leader");
        assert!(check_request(&f, Kind::Pause, "理由", None).is_ok());
    }

    #[test]
    fn extensions_are_bounded_and_one_request_waits_at_a_time() {
        let f = facts(&[Role::Officer], "officer-1");
        for bad in [None, Some(0), Some(MAX_EXTENSION_DAYS + 1)] {
            let e = check_request(&f, Kind::Extension, "理由", bad).unwrap_err();
            assert_eq!(e.code, "report.extension_days");
        }
        let f = RequestFacts { pending: true, ..f };
        assert_eq!(
            check_request(&f, Kind::Extension, "理由", Some(3))
                .unwrap_err()
                .code,
            "report.request_pending"
        );
    }

    #[test]
    fn nothing_to_pause_once_closed_and_no_second_pause() {
        let f = RequestFacts {
            status: Status::Closed,
            ..facts(&[Role::Officer], "officer-1")
        };
        assert_eq!(
            check_request(&f, Kind::Pause, "理由", None)
                .unwrap_err()
                .code,
            "report.no_running_step"
        );
        let f = RequestFacts {
            paused: true,
            ..facts(&[Role::Officer], "officer-1")
        };
        assert_eq!(
            check_request(&f, Kind::Pause, "理由", None)
                .unwrap_err()
                .code,
            "report.paused"
        );
    }

    #[test]
    fn nobody_approves_their_own_request_and_only_leaders_decide() {
        assert_eq!(
            check_decision("leader", &[Role::SquadLeader], "leader")
                .unwrap_err()
                .code,
            "report.approve_own"
        );
        assert_eq!(
            check_decision("d", &[Role::Dispatcher], "officer-1")
                .unwrap_err()
                .code,
            "report.approver_role"
        );
        assert!(check_decision("leader", &[Role::BrigadeLeader], "officer-1").is_ok());
        assert!(check_decision("county", &[Role::CountySupervisor], "officer-1").is_ok());
    }

    #[test]
    fn resume_only_what_is_paused() {
        let f = facts(&[Role::Officer], "officer-1");
        assert_eq!(check_resume(&f).unwrap_err().code, "report.not_paused");
        let f = RequestFacts { paused: true, ..f };
        assert!(check_resume(&f).is_ok());
        let other = RequestFacts {
            actor: "officer-2",
            ..f
        };
        assert_eq!(check_resume(&other).unwrap_err().code, "report.not_holder");
    }
}
