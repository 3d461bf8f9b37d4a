//! The supervision scheduler (督办): every `supervision_interval_secs` it
//! sweeps the running steps and records, once per deadline, a warning when
//! the configured share of the limit is used, an overdue flag past the
//! deadline, and the ladder of supervision notices (township, then county)
//! and the report to the leader (`domain::report::supervision`).
//!
//! Exactly once, with any number of instances: on PostgreSQL a sweep runs
//! under a transaction-scoped advisory lock (a second instance skips its
//! turn), on SQLite under the write lock; and every record is unique per
//! report, deadline and kind, so even overlapping sweeps insert it once and
//! only the sweep that inserted it writes the event, the audit entry and
//! the live update.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::report::{self as rp, Alert, Escalation, NoticeLevel, Status, Urgency};
use store::audit::{self, Actor, Change};
use store::supervision::{self as sv, NewSupervision};

use crate::deadlines;
use crate::error::ApiError;
use crate::state::AppState;

/// The advisory lock's key: "督办" in a number.
const LOCK_KEY: i64 = 0x7763_7375_7076;

/// What one sweep recorded: (report id, kind).
#[derive(Debug, Default)]
pub struct Swept {
    pub issued: Vec<(String, String)>,
    /// Another instance held the lock: this sweep did nothing.
    pub skipped: bool,
}

/// The kinds a report's running step is due for at `now`, given what is
/// already recorded for its deadline — in the order they are issued.
pub fn due(
    alert: Alert,
    overdue_for: chrono::Duration,
    recorded: &[String],
) -> Vec<(&'static str, Option<NoticeLevel>)> {
    let has = |k: &str| recorded.iter().any(|r| r == k);
    let mut out = Vec::new();
    match alert {
        Alert::OnTime => {}
        Alert::Warning => {
            if !has("warning") {
                out.push(("warning", None));
            }
        }
        Alert::Overdue => {
            if !has("overdue") {
                out.push(("overdue", None));
            }
            let rungs = ["notice_township", "notice_county", "leader_report"]
                .iter()
                .filter(|k| has(k))
                .count() as u32;
            match rp::escalation(overdue_for, rungs) {
                Escalation::None => {}
                Escalation::IssueNotice(NoticeLevel::Township) => {
                    out.push(("notice_township", Some(NoticeLevel::Township)))
                }
                Escalation::IssueNotice(NoticeLevel::County) => {
                    out.push(("notice_county", Some(NoticeLevel::County)))
                }
                Escalation::ReportToLeader => out.push(("leader_report", None)),
            }
        }
    }
    out
}

fn note_for(kind: &str) -> &'static str {
    match kind {
        "warning" => "临近办理时限（预警） · due soon",
        "overdue" => "已超过办理时限（超期） · overdue",
        "notice_township" => "乡镇督办单 · township supervision notice",
        "notice_county" => "县级督办单 · county supervision notice",
        "leader_report" => "超期未办，已报告领导 · reported to the leader",
        _ => "督办 · supervision",
    }
}

/// One sweep at `now`.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<Swept, ApiError> {
    let mut tx = state.store.begin_write().await?;
    if !sv::try_sweep_lock(&mut tx, state.store.backend(), LOCK_KEY).await? {
        return Ok(Swept {
            skipped: true,
            ..Swept::default()
        });
    }
    let cal = state.calendar.get();
    let warn_at = state.settings.warn_at_share;
    let horizon = "9999-12-31T00:00:00Z";
    let mut swept = Swept::default();
    let mut changed = Vec::new();
    for r in sv::running(&mut tx, horizon).await? {
        let (Some(deadline), Some(start)) = (
            domain::time::from_storage(&r.deadline_at),
            domain::time::from_storage(&r.started_at),
        ) else {
            continue;
        };
        let Ok(status) = Status::parse(&r.status) else {
            continue;
        };
        let Some(step) = rp::step_of(status) else {
            continue;
        };
        let urgency = Urgency::parse(&r.urgency).unwrap_or(Urgency::Normal);
        let share = deadlines::used_share(&cal, step, urgency, start, deadline, now);
        let alert = rp::alert(share, warn_at);
        if alert == Alert::OnTime {
            continue;
        }
        let recorded = sv::kinds_for(&mut tx, &r.id, &r.deadline_at).await?;
        for (kind, level) in due(alert, now - deadline, &recorded) {
            // a notice has its own deadline: one working day
            let due_at = level.map(|_| store::util::ts(deadlines::extended(&cal, now, 1)));
            let inserted = sv::issue(
                &mut tx,
                &NewSupervision {
                    report_id: &r.id,
                    township_id: &r.township_id,
                    step: step.as_str(),
                    deadline_at: &r.deadline_at,
                    kind,
                    issued_by: "system",
                    due_at: due_at.as_deref(),
                    note: note_for(kind),
                },
            )
            .await?;
            if !inserted {
                continue;
            }
            store::reports::add_event(
                &mut tx,
                &r.id,
                &format!("supervision.{kind}"),
                &r.status,
                &r.status,
                "system",
                note_for(kind),
            )
            .await?;
            let after = serde_json::json!({"kind": kind, "step": step.as_str(),
                "deadline_at": r.deadline_at, "due_at": due_at});
            audit::append(
                &mut tx,
                &state.audit_key,
                &Actor::system("supervision"),
                Change {
                    action: "report.supervision",
                    object_type: "report",
                    object_id: &r.id,
                    jurisdiction: &r.township_path,
                    before: None,
                    after: Some(&after),
                },
            )
            .await?;
            swept.issued.push((r.id.clone(), kind.to_string()));
            changed.push(r.id.clone());
        }
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    changed.dedup();
    let mut conn = state.store.acquire().await?;
    for id in changed {
        if let Ok(report) = store::reports::by_id(&mut conn, &id).await {
            state.live.publish(&report);
        }
    }
    Ok(swept)
}

/// Run sweeps in the background, for the life of the process.
pub fn spawn(state: AppState) {
    let every = Duration::from_secs(state.settings.supervision_interval_secs.max(1));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = deadlines::reload(&state).await {
                tracing::warn!(error = ?e.0, "calendar reload failed");
            }
            match sweep(&state, Utc::now()).await {
                Ok(s) if !s.issued.is_empty() => {
                    tracing::info!(issued = s.issued.len(), "supervision sweep")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e.0, "supervision sweep failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration as D;

    #[test]
    fn a_warning_once_then_overdue_then_one_rung_per_sweep() {
        assert_eq!(due(Alert::OnTime, D::zero(), &[]), vec![]);
        assert_eq!(due(Alert::Warning, D::zero(), &[]), vec![("warning", None)]);
        assert_eq!(due(Alert::Warning, D::zero(), &["warning".into()]), vec![]);
        let first = due(Alert::Overdue, D::minutes(5), &["warning".into()]);
        assert_eq!(
            first,
            vec![
                ("overdue", None),
                ("notice_township", Some(NoticeLevel::Township))
            ]
        );
        let rec: Vec<String> = vec!["overdue".into(), "notice_township".into()];
        assert_eq!(due(Alert::Overdue, D::hours(2), &rec), vec![]);
        assert_eq!(
            due(Alert::Overdue, D::days(1), &rec),
            vec![("notice_county", Some(NoticeLevel::County))]
        );
        let rec: Vec<String> = vec![
            "overdue".into(),
            "notice_township".into(),
            "notice_county".into(),
        ];
        assert_eq!(
            due(Alert::Overdue, D::days(2), &rec),
            vec![("leader_report", None)]
        );
        let rec: Vec<String> = vec![
            "overdue".into(),
            "notice_township".into(),
            "notice_county".into(),
            "leader_report".into(),
        ];
        assert_eq!(due(Alert::Overdue, D::days(9), &rec), vec![]);
    }
}
