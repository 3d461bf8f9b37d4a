//! The closed loop (GB/T 30428): which action may be taken on a report now,
//! by whom, and where it leads.
//!
//! ```text
//! Received ─Dispatch─▶ Dispatched ─Accept─▶ Accepted ─StartHandling─▶ Handling ◀──────────┐
//!  │  ▲                   │                                             │                │
//!  │  └──Refuse(reason)───┘                                      ReportBack(note)  Verify(failed, note):
//!  ├─HandOver(reason)─▶ HandedOver                                      ▼          rework (返工)
//!  ├─Reject(reason)───▶ Rejected                                   ReportedBack ─────────┘
//!  └─merge()──────────▶ Merged                                          │
//!                                             Verify(passed), not by the handler
//!                                                                       ▼
//!                             Evaluated ◀─Evaluate─ Closed ◀─Close─ Verified
//! ```
//!
//! Who may act:
//!
//! | action | status | actor |
//! |---|---|---|
//! | Dispatch, HandOver, Reject, [`merge`] | Received | Dispatcher, BrigadeLeader or SquadLeader |
//! | Accept, Refuse | Dispatched | the officer it was dispatched to, or a SquadLeader/BrigadeLeader |
//! | StartHandling, ReportBack | Accepted, Handling | the handler (whoever accepted) only |
//! | Verify | ReportedBack | GridWorker, SquadLeader, BrigadeLeader, Dispatcher or CountySupervisor — never the handler |
//! | Close | Verified | Dispatcher or BrigadeLeader |
//! | Evaluate | Closed | Dispatcher, BrigadeLeader or CountySupervisor — never the handler |
//!
//! Start and report-back are the handler's own acts: a leader cannot record
//! them on the handler's behalf, because the verifier is only checked
//! against the handler and must not have written the result they verify.
//!
//! While a report is paused (an approved pause, 挂起), every action except a
//! hand-over to another platform is refused.
//!
//! The checks run in a fixed order, so a caller sees the most basic problem
//! first: paused (`report.paused`, 409), not allowed in this status
//! (`report.transition`, 409), missing handler (`report.no_handler`, 409),
//! the actor's identity or role (403), then the input (400).

use serde::{Deserialize, Serialize};

use super::{Platform, Status};
use crate::access::Role;
use crate::{Error, ErrorKind, Lang};

/// Something a person does to a report.
///
/// Serialised with an `action` tag, e.g.
/// `{"action":"refuse","reason":"不在本中队片区"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 派遣 to a squad, optionally to a named officer.
    Dispatch {
        squad: String,
        officer: Option<String>,
        /// Why the dispatcher departs from the suggested route; required
        /// when `overrides_route` is true.
        override_reason: Option<String>,
        /// Set by the caller when the squad or officer differs from the
        /// route suggested by [`super::route`]. The domain cannot tell by
        /// itself, so the caller compares and says so here.
        #[serde(default)]
        overrides_route: bool,
    },
    /// 接收 the dispatched task; the actor becomes the handler.
    Accept,
    /// 退回 the dispatched task (wrong district, not our matter…); it goes
    /// back to the command centre for a new dispatch.
    Refuse { reason: String },
    /// 开始处置: on site.
    StartHandling,
    /// 处理反馈: the handler reports the result.
    ReportBack { note: String },
    /// 核查: someone other than the handler checks the result on site. A
    /// failed check sends the task back for rework and needs a note.
    Verify { passed: bool, note: String },
    /// 结案
    Close,
    /// 综合评价, score 1 (poor) to 5 (excellent).
    Evaluate { score: u8, note: String },
    /// 移交 to another platform of the township.
    HandOver { platform: Platform, reason: String },
    /// 不予受理: not actionable (no matter found, outside the township…).
    Reject { reason: String },
}

impl Action {
    /// The stable snake_case name (the serde tag), for audit records.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Dispatch { .. } => "dispatch",
            Action::Accept => "accept",
            Action::Refuse { .. } => "refuse",
            Action::StartHandling => "start_handling",
            Action::ReportBack { .. } => "report_back",
            Action::Verify { .. } => "verify",
            Action::Close => "close",
            Action::Evaluate { .. } => "evaluate",
            Action::HandOver { .. } => "hand_over",
            Action::Reject { .. } => "reject",
        }
    }

    pub fn label(&self, lang: Lang) -> &'static str {
        let (zh, en) = self.labels();
        lang.pick(zh, en)
    }

    fn labels(&self) -> (&'static str, &'static str) {
        match self {
            Action::Dispatch { .. } => ("派遣", "dispatch"),
            Action::Accept => ("接收", "accept"),
            Action::Refuse { .. } => ("退回", "refuse"),
            Action::StartHandling => ("开始处置", "start handling"),
            Action::ReportBack { .. } => ("反馈处置结果", "report back"),
            Action::Verify { .. } => ("核查", "verify"),
            Action::Close => ("结案", "close"),
            Action::Evaluate { .. } => ("评价", "evaluate"),
            Action::HandOver { .. } => ("移交", "hand over"),
            Action::Reject { .. } => ("不予受理", "reject"),
        }
    }
}

/// What the rules need to know about the report and the actor.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub status: Status,
    /// Staff/user id of whoever accepted the task (the handler), if anyone.
    pub handler: Option<&'a str>,
    /// Staff/user id of the person acting.
    pub actor: &'a str,
    pub actor_roles: &'a [Role],
    /// The officer user id the task was dispatched to, if one was named.
    pub dispatched_to: Option<&'a str>,
    /// An approved pause (挂起) is in force.
    pub paused: bool,
}

/// Roles of the command side: dispatch, hand over, reject, merge.
const COMMANDERS: &[Role] = &[Role::Dispatcher, Role::BrigadeLeader, Role::SquadLeader];
/// Leaders who may accept or refuse on behalf of their squad.
const LEADERS: &[Role] = &[Role::SquadLeader, Role::BrigadeLeader];
/// The monitoring side: may verify a result on site.
const VERIFIERS: &[Role] = &[
    Role::GridWorker,
    Role::SquadLeader,
    Role::BrigadeLeader,
    Role::Dispatcher,
    Role::CountySupervisor,
];
const CLOSERS: &[Role] = &[Role::Dispatcher, Role::BrigadeLeader];
const EVALUATORS: &[Role] = &[
    Role::Dispatcher,
    Role::BrigadeLeader,
    Role::CountySupervisor,
];

/// The closed loop: decide whether `action` may be taken now, and the next
/// status. See the module documentation for the rules.
pub fn transition(f: &Facts<'_>, action: &Action) -> Result<Status, Error> {
    use Status::*;
    if f.paused && !matches!(action, Action::HandOver { .. }) {
        return Err(paused(action.labels()));
    }
    let next = match (f.status, action) {
        (Received, Action::Dispatch { .. }) => Dispatched,
        (Received, Action::HandOver { .. }) => HandedOver,
        (Received, Action::Reject { .. }) => Rejected,
        (Dispatched, Action::Accept) => Accepted,
        (Dispatched, Action::Refuse { .. }) => Received,
        (Accepted, Action::StartHandling) => Handling,
        (Handling, Action::ReportBack { .. }) => ReportedBack,
        (ReportedBack, Action::Verify { passed: true, .. }) => Verified,
        // 返工: back to the handler.
        (ReportedBack, Action::Verify { passed: false, .. }) => Handling,
        (Verified, Action::Close) => Closed,
        (Closed, Action::Evaluate { .. }) => Evaluated,
        (status, _) => return Err(not_now(status, action.labels())),
    };
    check_actor(f, action)?;
    check_input(action)?;
    Ok(next)
}

/// Link a duplicate to the first report of the same matter (→ Merged). Only
/// a report still waiting for dispatch can be merged, by the command side,
/// and not while paused.
pub fn merge(f: &Facts<'_>) -> Result<Status, Error> {
    const LABELS: (&str, &str) = ("合并", "merge");
    if f.paused {
        return Err(paused(LABELS));
    }
    if f.status != Status::Received {
        return Err(not_now(f.status, LABELS));
    }
    require_role(f, COMMANDERS, LABELS)?;
    Ok(Status::Merged)
}

fn check_actor(f: &Facts<'_>, action: &Action) -> Result<(), Error> {
    let labels = action.labels();
    match action {
        Action::Dispatch { .. } | Action::HandOver { .. } | Action::Reject { .. } => {
            require_role(f, COMMANDERS, labels)
        }
        Action::Accept | Action::Refuse { .. } => {
            if f.dispatched_to == Some(f.actor) || has_any(f.actor_roles, LEADERS) {
                return Ok(());
            }
            let (zh_to, en_to) = match f.dispatched_to {
                Some(officer) => (
                    format!(
                        "任务已派遣给 {officer}，只有其本人或中队长、大队长可以{}",
                        labels.0
                    ),
                    format!(
                        "the task was dispatched to {officer}; only they or a squad or brigade leader may {} it",
                        labels.1
                    ),
                ),
                None => (
                    format!("任务派遣给中队，只有中队长或大队长可以{}", labels.0),
                    format!(
                        "the task was dispatched to a squad; only a squad or brigade leader may {} it",
                        labels.1
                    ),
                ),
            };
            Err(Error::new(
                ErrorKind::Forbidden,
                "report.not_dispatched_to",
                zh_to,
                en_to,
            ))
        }
        Action::StartHandling | Action::ReportBack { .. } => {
            let handler = require_handler(f)?;
            if handler == f.actor {
                Ok(())
            } else {
                Err(Error::new(
                    ErrorKind::Forbidden,
                    "report.not_handler",
                    format!("只有接收任务的处置人 {handler} 可以{}", labels.0),
                    format!(
                        "only the handler who accepted the task ({handler}) may {}",
                        labels.1
                    ),
                ))
            }
        }
        Action::Verify { .. } => {
            let handler = require_handler(f)?;
            if handler == f.actor {
                return Err(Error::new(
                    ErrorKind::Forbidden,
                    "report.verify_own_work",
                    "处置人不能核查自己的处置结果，应由网格员、中队长、大队长、值班员或县级督查核查（GB/T 30428 监督与指挥分离）",
                    "the handler cannot verify their own work; a grid worker, squad or brigade leader, dispatcher or county supervisor must verify it (GB/T 30428 separates monitoring from command)",
                ));
            }
            require_role(f, VERIFIERS, labels)
        }
        Action::Close => require_role(f, CLOSERS, labels),
        Action::Evaluate { .. } => {
            if f.handler == Some(f.actor) {
                return Err(Error::new(
                    ErrorKind::Forbidden,
                    "report.evaluate_own_work",
                    "处置人不能评价自己的处置结果",
                    "the handler cannot evaluate their own work",
                ));
            }
            require_role(f, EVALUATORS, labels)
        }
    }
}

fn check_input(action: &Action) -> Result<(), Error> {
    match action {
        Action::Dispatch {
            squad,
            officer,
            override_reason,
            overrides_route,
        } => {
            if squad.trim().is_empty() {
                return Err(Error::invalid(
                    "report.squad_required",
                    "squad",
                    "派遣时必须指定中队",
                    "a dispatch must name a squad",
                ));
            }
            if officer.as_deref().is_some_and(|o| o.trim().is_empty()) {
                return Err(Error::invalid(
                    "report.officer",
                    "officer",
                    "执法队员不能为空；不指定队员时请省略该字段",
                    "the officer cannot be blank; omit it to dispatch to the squad",
                ));
            }
            if *overrides_route {
                required(
                    override_reason.as_deref().unwrap_or(""),
                    "override_reason",
                    (
                        "未按建议派遣时必须说明理由",
                        "a dispatch that departs from the suggested route must give a reason",
                    ),
                )?;
            }
            Ok(())
        }
        Action::Refuse { reason } => required(
            reason,
            "reason",
            ("退回任务必须说明理由", "refusing a task requires a reason"),
        ),
        Action::ReportBack { note } => required(
            note,
            "note",
            (
                "反馈时必须填写处置情况",
                "reporting back requires a note on what was done",
            ),
        ),
        Action::Verify {
            passed: false,
            note,
        } => required(
            note,
            "note",
            (
                "核查不通过时必须写明返工要求",
                "a failed verification requires a note saying what must be redone",
            ),
        ),
        Action::Evaluate { score, .. } => {
            if (1..=5).contains(score) {
                Ok(())
            } else {
                Err(Error::invalid(
                    "report.score",
                    "score",
                    format!("评分应为 1 至 5 分，收到 {score}"),
                    format!("the score must be from 1 to 5, got {score}"),
                ))
            }
        }
        Action::HandOver { platform, reason } => required(
            reason,
            "reason",
            (
                &format!("移交{}必须说明理由", platform.label(Lang::Zh)),
                &format!(
                    "handing over to the {} requires a reason",
                    platform.label(Lang::En).to_lowercase()
                ),
            ),
        ),
        Action::Reject { reason } => required(
            reason,
            "reason",
            (
                "不予受理必须说明理由",
                "rejecting a report requires a reason",
            ),
        ),
        Action::Accept | Action::StartHandling | Action::Verify { .. } | Action::Close => Ok(()),
    }
}

fn required(text: &str, field: &str, (zh, en): (&str, &str)) -> Result<(), Error> {
    if text.trim().is_empty() {
        Err(Error::invalid("report.reason_required", field, zh, en))
    } else {
        Ok(())
    }
}

fn has_any(held: &[Role], allowed: &[Role]) -> bool {
    held.iter().any(|r| allowed.contains(r))
}

fn require_role(f: &Facts<'_>, allowed: &[Role], (zh, en): (&str, &str)) -> Result<(), Error> {
    if has_any(f.actor_roles, allowed) {
        return Ok(());
    }
    let names = |lang: Lang, sep: &str| {
        allowed
            .iter()
            .map(|r| r.label(lang))
            .collect::<Vec<_>>()
            .join(sep)
    };
    Err(Error::new(
        ErrorKind::Forbidden,
        "report.role",
        format!("只有{}可以{zh}", names(Lang::Zh, "、")),
        format!("only a {} may {en}", names(Lang::En, ", ").to_lowercase()),
    ))
}

fn require_handler<'a>(f: &Facts<'a>) -> Result<&'a str, Error> {
    f.handler.ok_or_else(|| {
        Error::new(
            ErrorKind::Conflict,
            "report.no_handler",
            "该报件没有记录处置人，无法判断由谁处置、由谁核查",
            "the report has no recorded handler, so it cannot be told who handles and who verifies",
        )
    })
}

fn paused((zh, en): (&str, &str)) -> Error {
    Error::new(
        ErrorKind::Conflict,
        "report.paused",
        format!("该报件已批准挂起，挂起期间不能{zh}，只能移交其他平台"),
        format!(
            "the report is paused; while paused it cannot {en}, only be handed over to another platform"
        ),
    )
}

fn not_now(status: Status, (zh, en): (&str, &str)) -> Error {
    Error::new(
        ErrorKind::Conflict,
        "report.transition",
        format!("报件当前状态为「{}」，不能{zh}", status.label(Lang::Zh)),
        format!(
            "cannot {en}: the report is in status \"{}\"",
            status.label(Lang::En)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL_ROLES: &[Role] = &Role::ALL;

    fn dispatch(overrides: bool, reason: Option<&str>) -> Action {
        Action::Dispatch {
            squad: "一中队".into(),
            officer: Some("off1".into()),
            override_reason: reason.map(Into::into),
            overrides_route: overrides,
        }
    }

    /// One valid sample of every kind of action (Verify twice).
    fn samples() -> Vec<Action> {
        vec![
            dispatch(false, None),
            Action::Accept,
            Action::Refuse {
                reason: "不在本片区".into(),
            },
            Action::StartHandling,
            Action::ReportBack {
                note: "已清理占道物品".into(),
            },
            Action::Verify {
                passed: true,
                note: String::new(),
            },
            Action::Verify {
                passed: false,
                note: "仍有残留".into(),
            },
            Action::Close,
            Action::Evaluate {
                score: 5,
                note: String::new(),
            },
            Action::HandOver {
                platform: Platform::Governance,
                reason: "邻里纠纷".into(),
            },
            Action::Reject {
                reason: "重复举报无实际问题".into(),
            },
        ]
    }

    /// Facts for the rightful actor of `action`: holds every role, is the
    /// dispatched officer, and is the handler exactly when the action is the
    /// handler's own (start, report back); otherwise someone else handled.
    fn rightful<'a>(status: Status, action: &Action, paused: bool) -> Facts<'a> {
        let own = matches!(action, Action::StartHandling | Action::ReportBack { .. });
        Facts {
            status,
            handler: Some(if own { "boss" } else { "off1" }),
            actor: "boss",
            actor_roles: ALL_ROLES,
            dispatched_to: Some("boss"),
            paused,
        }
    }

    fn expected(status: Status, action: &Action) -> Option<Status> {
        use Status::*;
        Some(match (status, action) {
            (Received, Action::Dispatch { .. }) => Dispatched,
            (Received, Action::HandOver { .. }) => HandedOver,
            (Received, Action::Reject { .. }) => Rejected,
            (Dispatched, Action::Accept) => Accepted,
            (Dispatched, Action::Refuse { .. }) => Received,
            (Accepted, Action::StartHandling) => Handling,
            (Handling, Action::ReportBack { .. }) => ReportedBack,
            (ReportedBack, Action::Verify { passed: true, .. }) => Verified,
            (ReportedBack, Action::Verify { passed: false, .. }) => Handling,
            (Verified, Action::Close) => Closed,
            (Closed, Action::Evaluate { .. }) => Evaluated,
            _ => return None,
        })
    }

    #[test]
    fn every_status_and_action_pair() {
        let mut allowed = 0;
        for status in Status::ALL {
            for action in samples() {
                let got = transition(&rightful(status, &action, false), &action);
                match expected(status, &action) {
                    Some(next) => {
                        allowed += 1;
                        assert_eq!(got, Ok(next), "{status:?} {action:?}");
                    }
                    None => {
                        let e = got.unwrap_err();
                        assert_eq!(e.code, "report.transition", "{status:?} {action:?}");
                        assert_eq!(e.kind, ErrorKind::Conflict);
                        assert!(e.zh.contains(status.label(Lang::Zh)), "{}", e.zh);
                        assert!(e.zh.contains(action.label(Lang::Zh)), "{}", e.zh);
                        assert!(e.en.contains(status.label(Lang::En)), "{}", e.en);
                        assert!(e.en.contains(action.label(Lang::En)), "{}", e.en);
                    }
                }
            }
        }
        assert_eq!(allowed, 11);
    }

    #[test]
    fn while_paused_only_hand_over_is_possible() {
        for status in Status::ALL {
            for action in samples() {
                let got = transition(&rightful(status, &action, true), &action);
                match (&action, status) {
                    (Action::HandOver { .. }, Status::Received) => {
                        assert_eq!(got, Ok(Status::HandedOver))
                    }
                    (Action::HandOver { .. }, _) => {
                        assert_eq!(got.unwrap_err().code, "report.transition")
                    }
                    _ => assert_eq!(
                        got.unwrap_err().code,
                        "report.paused",
                        "{status:?} {action:?}"
                    ),
                }
            }
        }
    }

    fn facts<'a>(
        status: Status,
        actor: &'a str,
        roles: &'a [Role],
        handler: Option<&'a str>,
        dispatched_to: Option<&'a str>,
    ) -> Facts<'a> {
        Facts {
            status,
            handler,
            actor,
            actor_roles: roles,
            dispatched_to,
            paused: false,
        }
    }

    #[test]
    fn only_the_command_side_dispatches_hands_over_rejects_and_merges() {
        for role in Role::ALL {
            let f = facts(
                Status::Received,
                "u",
                std::slice::from_ref(&role),
                None,
                None,
            );
            let may = COMMANDERS.contains(&role);
            for action in [
                dispatch(false, None),
                Action::HandOver {
                    platform: Platform::Service,
                    reason: "办证咨询".into(),
                },
                Action::Reject {
                    reason: "无实际问题".into(),
                },
            ] {
                let got = transition(&f, &action);
                if may {
                    assert!(got.is_ok(), "{role:?} {action:?}");
                } else {
                    let e = got.unwrap_err();
                    assert_eq!((e.code, e.kind), ("report.role", ErrorKind::Forbidden));
                    assert!(
                        e.zh.contains("值班员") && e.en.contains("dispatcher"),
                        "{}",
                        e.en
                    );
                }
            }
            assert_eq!(merge(&f).is_ok(), may, "{role:?}");
        }
        let f = facts(Status::Dispatched, "u", &[Role::Dispatcher], None, None);
        assert_eq!(merge(&f).unwrap_err().code, "report.transition");
        let f = Facts {
            paused: true,
            ..facts(Status::Received, "u", &[Role::Dispatcher], None, None)
        };
        assert_eq!(merge(&f).unwrap_err().code, "report.paused");
    }

    #[test]
    fn an_override_needs_a_reason_and_a_squad_is_required() {
        let f = facts(Status::Received, "d", &[Role::Dispatcher], None, None);
        for reason in [None, Some(""), Some("  ")] {
            let e = transition(&f, &dispatch(true, reason)).unwrap_err();
            assert_eq!(e.code, "report.reason_required");
            assert_eq!(e.field.as_deref(), Some("override_reason"));
            assert_eq!(e.kind, ErrorKind::Invalid);
        }
        assert_eq!(
            transition(&f, &dispatch(true, Some("该队员熟悉此类违建"))),
            Ok(Status::Dispatched)
        );
        // Not an override: no reason needed.
        assert_eq!(
            transition(&f, &dispatch(false, None)),
            Ok(Status::Dispatched)
        );
        let e = transition(
            &f,
            &Action::Dispatch {
                squad: " ".into(),
                officer: None,
                override_reason: None,
                overrides_route: false,
            },
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("report.squad_required", Some("squad"))
        );
        let e = transition(
            &f,
            &Action::Dispatch {
                squad: "二中队".into(),
                officer: Some("".into()),
                override_reason: None,
                overrides_route: false,
            },
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("officer"));
    }

    #[test]
    fn accept_and_refuse_by_the_dispatched_officer_or_a_leader() {
        let officer = [Role::Officer];
        let leader = [Role::SquadLeader];
        let refuse = Action::Refuse {
            reason: "不属本中队片区".into(),
        };
        for action in [Action::Accept, refuse.clone()] {
            let ok = transition(
                &facts(Status::Dispatched, "off1", &officer, None, Some("off1")),
                &action,
            );
            assert!(ok.is_ok());
            let ok = transition(
                &facts(Status::Dispatched, "lead", &leader, None, Some("off1")),
                &action,
            );
            assert!(ok.is_ok());
            let e = transition(
                &facts(Status::Dispatched, "off2", &officer, None, Some("off1")),
                &action,
            )
            .unwrap_err();
            assert_eq!(
                (e.code, e.kind),
                ("report.not_dispatched_to", ErrorKind::Forbidden)
            );
            assert!(e.zh.contains("off1"));
            // Dispatched to the squad only: a leader takes it.
            let e = transition(
                &facts(Status::Dispatched, "off2", &officer, None, None),
                &action,
            )
            .unwrap_err();
            assert_eq!(e.code, "report.not_dispatched_to");
        }
        assert_eq!(
            transition(
                &facts(Status::Dispatched, "off1", &officer, None, Some("off1")),
                &refuse
            ),
            Ok(Status::Received)
        );
        let e = transition(
            &facts(Status::Dispatched, "off1", &officer, None, Some("off1")),
            &Action::Refuse { reason: "".into() },
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("report.reason_required", Some("reason"))
        );
    }

    #[test]
    fn only_the_handler_starts_and_reports_back() {
        let officer = [Role::Officer];
        let all = ALL_ROLES;
        assert_eq!(
            transition(
                &facts(
                    Status::Accepted,
                    "off1",
                    &officer,
                    Some("off1"),
                    Some("off1")
                ),
                &Action::StartHandling
            ),
            Ok(Status::Handling)
        );
        let e = transition(
            &facts(Status::Accepted, "boss", all, Some("off1"), Some("off1")),
            &Action::StartHandling,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.kind),
            ("report.not_handler", ErrorKind::Forbidden)
        );
        let e = transition(
            &facts(Status::Handling, "off1", &officer, None, Some("off1")),
            &Action::ReportBack {
                note: "已处置".into(),
            },
        )
        .unwrap_err();
        assert_eq!((e.code, e.kind), ("report.no_handler", ErrorKind::Conflict));
        let e = transition(
            &facts(Status::Handling, "off1", &officer, Some("off1"), None),
            &Action::ReportBack { note: " ".into() },
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("report.reason_required", Some("note"))
        );
    }

    #[test]
    fn nobody_verifies_their_own_work() {
        let pass = Action::Verify {
            passed: true,
            note: String::new(),
        };
        // The handler is a squad leader, a role that may verify — still refused.
        let leader = [Role::SquadLeader];
        let e = transition(
            &facts(Status::ReportedBack, "lead", &leader, Some("lead"), None),
            &pass,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.kind),
            ("report.verify_own_work", ErrorKind::Forbidden)
        );
        assert!(e.zh.contains("核查") && e.en.contains("own work"));
        // Someone else in a verifying role may.
        for role in VERIFIERS {
            let roles = [*role];
            assert_eq!(
                transition(
                    &facts(Status::ReportedBack, "grid7", &roles, Some("lead"), None),
                    &pass
                ),
                Ok(Status::Verified),
                "{role:?}"
            );
        }
        // Someone else without a verifying role may not.
        let e = transition(
            &facts(
                Status::ReportedBack,
                "off2",
                &[Role::Officer],
                Some("lead"),
                None,
            ),
            &pass,
        )
        .unwrap_err();
        assert_eq!(e.code, "report.role");
        // Without a recorded handler nobody can tell: refused.
        let e = transition(
            &facts(
                Status::ReportedBack,
                "grid7",
                &[Role::GridWorker],
                None,
                None,
            ),
            &pass,
        )
        .unwrap_err();
        assert_eq!(e.code, "report.no_handler");
    }

    #[test]
    fn failed_verification_sends_the_task_back_for_rework() {
        let grid = [Role::GridWorker];
        let f = facts(
            Status::ReportedBack,
            "grid7",
            &grid,
            Some("off1"),
            Some("off1"),
        );
        let rework = Action::Verify {
            passed: false,
            note: "占道物品仍未清理".into(),
        };
        assert_eq!(transition(&f, &rework), Ok(Status::Handling));
        let e = transition(
            &f,
            &Action::Verify {
                passed: false,
                note: "".into(),
            },
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("report.reason_required", Some("note"))
        );
        // The handler reports back again from Handling.
        let officer = [Role::Officer];
        let f = facts(
            Status::Handling,
            "off1",
            &officer,
            Some("off1"),
            Some("off1"),
        );
        assert_eq!(
            transition(
                &f,
                &Action::ReportBack {
                    note: "已清理完毕".into()
                }
            ),
            Ok(Status::ReportedBack)
        );
    }

    #[test]
    fn close_and_evaluate() {
        for role in Role::ALL {
            let roles = [role];
            let f = facts(Status::Verified, "u", &roles, Some("off1"), None);
            assert_eq!(
                transition(&f, &Action::Close).is_ok(),
                CLOSERS.contains(&role)
            );
            let f = facts(Status::Closed, "u", &roles, Some("off1"), None);
            let ev = Action::Evaluate {
                score: 4,
                note: String::new(),
            };
            assert_eq!(transition(&f, &ev).is_ok(), EVALUATORS.contains(&role));
        }
        let d = [Role::Dispatcher];
        for score in [0u8, 6, 255] {
            let e = transition(
                &facts(Status::Closed, "d", &d, Some("off1"), None),
                &Action::Evaluate {
                    score,
                    note: String::new(),
                },
            )
            .unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                ("report.score", Some("score"))
            );
        }
        let e = transition(
            &facts(
                Status::Closed,
                "off1",
                &[Role::BrigadeLeader],
                Some("off1"),
                None,
            ),
            &Action::Evaluate {
                score: 5,
                note: String::new(),
            },
        )
        .unwrap_err();
        assert_eq!(e.code, "report.evaluate_own_work");
    }

    #[test]
    fn hand_over_and_reject_need_reasons() {
        let d = [Role::Dispatcher];
        let f = facts(Status::Received, "d", &d, None, None);
        let e = transition(
            &f,
            &Action::HandOver {
                platform: Platform::Emergency,
                reason: "".into(),
            },
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("report.reason_required", Some("reason"))
        );
        assert!(e.zh.contains("应急管理平台"));
        let e = transition(
            &f,
            &Action::Reject {
                reason: "\n".into(),
            },
        )
        .unwrap_err();
        assert_eq!(e.code, "report.reason_required");
    }

    #[test]
    fn actions_serialise_with_a_tag() {
        let a = Action::Refuse {
            reason: "不在片区".into(),
        };
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"action":"refuse","reason":"不在片区"}"#);
        let back: Action = serde_json::from_str(
            r#"{"action":"dispatch","squad":"一中队","officer":null,"override_reason":null}"#,
        )
        .unwrap();
        assert_eq!(
            back,
            Action::Dispatch {
                squad: "一中队".into(),
                officer: None,
                override_reason: None,
                overrides_route: false
            }
        );
        for a in samples() {
            let json = serde_json::to_value(&a).unwrap();
            assert_eq!(json["action"], a.name());
        }
    }

    // ---- property: Closed only after a verification by someone else ----

    const ACTORS: [&str; 3] = ["a", "b", "c"];
    const SIM_ROLES: [Role; 6] = [
        Role::Dispatcher,
        Role::BrigadeLeader,
        Role::SquadLeader,
        Role::Officer,
        Role::GridWorker,
        Role::CountySupervisor,
    ];

    fn arb_action() -> impl Strategy<Value = Action> {
        let actor = 0..ACTORS.len();
        prop_oneof![
            (proptest::option::of(actor), any::<bool>()).prop_map(|(o, over)| {
                Action::Dispatch {
                    squad: "一中队".into(),
                    officer: o.map(|i| ACTORS[i].to_string()),
                    override_reason: over.then(|| "熟悉情况".into()),
                    overrides_route: over,
                }
            }),
            Just(Action::Accept),
            Just(Action::Refuse {
                reason: "不属本片区".into()
            }),
            Just(Action::StartHandling),
            Just(Action::ReportBack {
                note: "已处置".into()
            }),
            (any::<bool>(), prop_oneof![Just(""), Just("需返工")]).prop_map(|(p, n)| {
                Action::Verify {
                    passed: p,
                    note: n.into(),
                }
            }),
            Just(Action::Close),
            (0u8..7).prop_map(|s| Action::Evaluate {
                score: s,
                note: String::new()
            }),
            Just(Action::HandOver {
                platform: Platform::Governance,
                reason: "纠纷".into()
            }),
            Just(Action::Reject {
                reason: "无问题".into()
            }),
        ]
    }

    /// The action the loop would naturally take next in `status`, varied by
    /// `seed`; used to steer random runs through the whole loop.
    fn natural(status: Status, seed: u8) -> Action {
        match status {
            Status::Received => Action::Dispatch {
                squad: "一中队".into(),
                officer: ACTORS.get(usize::from(seed % 4)).map(|a| a.to_string()),
                override_reason: None,
                overrides_route: false,
            },
            Status::Dispatched if seed.is_multiple_of(5) => Action::Refuse {
                reason: "不属本片区".into(),
            },
            Status::Dispatched => Action::Accept,
            Status::Accepted => Action::StartHandling,
            Status::Handling => Action::ReportBack {
                note: "已处置".into(),
            },
            Status::ReportedBack => Action::Verify {
                passed: !seed.is_multiple_of(3),
                note: "需返工".into(),
            },
            Status::Verified => Action::Close,
            Status::Closed => Action::Evaluate {
                score: seed % 6,
                note: String::new(),
            },
            _ => Action::Close,
        }
    }

    /// One attempt: who acts (index), with which roles (bit mask), doing
    /// what (a random action, or — when steered — the natural next one),
    /// and whether a pause is in force.
    fn arb_step() -> impl Strategy<Value = (usize, u8, Action, Option<u8>, bool)> {
        (
            0..ACTORS.len(),
            0u8..(1 << SIM_ROLES.len()),
            arb_action(),
            proptest::option::weighted(0.7, any::<u8>()),
            proptest::bool::weighted(0.05),
        )
    }

    proptest! {
        #[test]
        fn closed_only_after_verification_by_someone_else(
            steps in proptest::collection::vec(arb_step(), 0..80)
        ) {
            let mut status = Status::Received;
            let mut handler: Option<String> = None;
            let mut dispatched_to: Option<String> = None;
            // Who last passed the verification, if it still stands.
            let mut verified_by: Option<String> = None;
            for (who, mask, random, steer, paused) in steps {
                let action = match steer {
                    Some(seed) => natural(status, seed),
                    None => random,
                };
                let roles: Vec<Role> = SIM_ROLES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, r)| *r)
                    .collect();
                let actor = ACTORS[who];
                let f = Facts {
                    status,
                    handler: handler.as_deref(),
                    actor,
                    actor_roles: &roles,
                    dispatched_to: dispatched_to.as_deref(),
                    paused,
                };
                let Ok(next) = transition(&f, &action) else { continue };
                prop_assert!(!status.is_final(), "acted on a final status {:?}", status);
                match &action {
                    Action::Dispatch { officer, .. } => dispatched_to = officer.clone(),
                    Action::Accept => handler = Some(actor.to_string()),
                    Action::Refuse { .. } => {
                        handler = None;
                        dispatched_to = None;
                    }
                    Action::Verify { passed: true, .. } => {
                        prop_assert_ne!(Some(actor), handler.as_deref());
                        verified_by = Some(actor.to_string());
                    }
                    Action::Verify { passed: false, .. } => verified_by = None,
                    _ => {}
                }
                if next == Status::Closed {
                    prop_assert_eq!(status, Status::Verified);
                    let h = handler.as_deref();
                    prop_assert!(h.is_some());
                    prop_assert!(verified_by.is_some());
                    prop_assert_ne!(verified_by.as_deref(), h);
                }
                status = next;
            }
        }
    }

    #[test]
    fn a_whole_loop() {
        let d = [Role::Dispatcher];
        let o = [Role::Officer];
        let g = [Role::GridWorker];
        let steps: [(&str, &[Role], Action, Status); 7] = [
            ("d", &d, dispatch(false, None), Status::Dispatched),
            ("off1", &o, Action::Accept, Status::Accepted),
            ("off1", &o, Action::StartHandling, Status::Handling),
            (
                "off1",
                &o,
                Action::ReportBack {
                    note: "已劝离".into(),
                },
                Status::ReportedBack,
            ),
            (
                "grid7",
                &g,
                Action::Verify {
                    passed: true,
                    note: String::new(),
                },
                Status::Verified,
            ),
            ("d", &d, Action::Close, Status::Closed),
            (
                "d",
                &d,
                Action::Evaluate {
                    score: 5,
                    note: "群众满意".into(),
                },
                Status::Evaluated,
            ),
        ];
        let mut status = Status::Received;
        let mut handler = None;
        for (actor, roles, action, want) in steps {
            let f = Facts {
                status,
                handler,
                actor,
                actor_roles: roles,
                dispatched_to: Some("off1"),
                paused: false,
            };
            status = transition(&f, &action).unwrap();
            assert_eq!(status, want);
            if action == Action::Accept {
                handler = Some(actor);
            }
        }
    }
}
