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
    /// How many reports it read: only those whose time had come.
    pub looked: usize,
}

/// The rungs of the ladder (notices, report to the leader) on record.
fn rungs(recorded: &[String]) -> u32 {
    ["notice_township", "notice_county", "leader_report"]
        .iter()
        .filter(|k| recorded.iter().any(|r| r == *k))
        .count() as u32
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
            match rp::escalation(overdue_for, rungs(recorded)) {
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

/// How many due reports one transaction looks at: the write lock is held
/// for one chunk at a time, and one sweep does at most `MAX_CHUNKS`.
const CHUNK: i64 = 500;
const MAX_CHUNKS: usize = 40;

/// The first instant in `(now, deadline]` at which the step is no longer
/// on time, to the second (bisection: the used share only grows).
fn warning_from(
    share: impl Fn(DateTime<Utc>) -> f64,
    warn_at: f64,
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> DateTime<Utc> {
    let late = |t| rp::alert(share(t), warn_at) != Alert::OnTime;
    if deadline <= now || !late(deadline) {
        return deadline + chrono::Duration::seconds(1);
    }
    let at = |k: i64| now + chrono::Duration::seconds(k);
    // whole seconds after now: late at `hi` (or at the deadline), not at `lo`
    let (mut lo, mut hi) = (0, (deadline - now).num_seconds());
    if !late(at(hi)) {
        return deadline;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if late(at(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    at(hi)
}

/// When the sweep first needs to look at a step begun at `start`: its
/// warning time (a new report carries it, so no sweep reads it before).
pub fn first_look(
    cal: &domain::calendar::Calendar,
    step: rp::Step,
    urgency: Urgency,
    start: DateTime<Utc>,
    deadline: DateTime<Utc>,
    warn_at: f64,
) -> DateTime<Utc> {
    let share = |t| deadlines::used_share(cal, step, urgency, start, deadline, t);
    warning_from(share, warn_at, start, deadline)
}

/// When the sweep must next look at a running step that is `alert` at
/// `now`, with `recorded` the kinds on record for its deadline after this
/// sweep: the warning time, the deadline, the next rung of the ladder —
/// never sooner than a second from now (one rung per sweep), and None once
/// every rung is issued.
pub fn next_look(
    alert: Alert,
    warning_at: impl FnOnce() -> DateTime<Utc>,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    recorded: &[String],
) -> Option<DateTime<Utc>> {
    let at = match alert {
        Alert::OnTime => warning_at(),
        // overdue once past the deadline
        Alert::Warning => deadline + chrono::Duration::seconds(1),
        Alert::Overdue => match rungs(recorded) {
            0 => deadline,
            1 => deadline + rp::supervision::COUNTY_NOTICE_AFTER,
            2 => deadline + rp::supervision::LEADER_REPORT_AFTER,
            _ => return None,
        },
    };
    Some(at.max(now + chrono::Duration::seconds(1)))
}

/// One sweep at `now`: every report whose `supervise_at` has come, in
/// chunks, each under the lock in a transaction of its own.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<Swept, ApiError> {
    let mut swept = Swept::default();
    let mut changed = Vec::new();
    for _ in 0..MAX_CHUNKS {
        match sweep_chunk(state, now, &mut swept, &mut changed).await? {
            None => {
                swept.skipped = true;
                break;
            }
            Some(n) if (n as i64) < CHUNK => break,
            Some(_) => {}
        }
    }
    changed.dedup();
    let mut conn = state.store.acquire().await?;
    for id in changed {
        if let Ok(report) = store::reports::by_id(&mut conn, &id).await {
            state.live.publish(&report);
        }
    }
    Ok(swept)
}

/// One chunk: how many reports it looked at, or None when another
/// instance holds the lock.
async fn sweep_chunk(
    state: &AppState,
    now: DateTime<Utc>,
    swept: &mut Swept,
    changed: &mut Vec<String>,
) -> Result<Option<usize>, ApiError> {
    let mut tx = state.store.begin_write().await?;
    if !sv::try_sweep_lock(&mut tx, state.store.backend(), LOCK_KEY).await? {
        return Ok(None);
    }
    let cal = state.calendar.get();
    let warn_at = state.settings.warn_at_share;
    let rows = sv::due_for_sweep(&mut tx, &store::util::ts(now), CHUNK).await?;
    swept.looked += rows.len();
    for r in &rows {
        let next = look(state, &mut tx, &cal, warn_at, r, now, swept, changed).await?;
        let next = next.map(store::util::ts);
        // changed since it was read: it stays due and is looked at again
        sv::set_supervise_at(&mut tx, &r.id, r.version, next.as_deref()).await?;
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(Some(rows.len()))
}

/// Issue what one report is due for; when to look at it next.
#[allow(clippy::too_many_arguments)]
async fn look(
    state: &AppState,
    tx: &mut store::Conn,
    cal: &domain::calendar::Calendar,
    warn_at: f64,
    r: &sv::Due,
    now: DateTime<Utc>,
    swept: &mut Swept,
    changed: &mut Vec<String>,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    if !r.running() {
        return Ok(None);
    }
    let deadline_at = r.deadline_at.as_deref().unwrap_or_default();
    let (Some(deadline), Some(start)) = (
        domain::time::from_storage(deadline_at),
        domain::time::from_storage(&r.started_at),
    ) else {
        return Ok(None);
    };
    let Some(step) = Status::parse(&r.status).ok().and_then(rp::step_of) else {
        return Ok(None);
    };
    let urgency = Urgency::parse(&r.urgency).unwrap_or(Urgency::Normal);
    let share = |t| deadlines::used_share(cal, step, urgency, start, deadline, t);
    let alert = rp::alert(share(now), warn_at);
    let warning_at = || warning_from(share, warn_at, now, deadline);
    if alert == Alert::OnTime {
        return Ok(next_look(alert, warning_at, deadline, now, &[]));
    }
    let mut recorded = sv::kinds_for(tx, &r.id, deadline_at).await?;
    for (kind, level) in due(alert, now - deadline, &recorded) {
        recorded.push(kind.to_string());
        // a notice has its own deadline: one working day
        let due_at = level.map(|_| store::util::ts(deadlines::extended(cal, now, 1)));
        let inserted = sv::issue(
            tx,
            &NewSupervision {
                report_id: &r.id,
                township_id: &r.township_id,
                step: step.as_str(),
                deadline_at,
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
            tx,
            &r.id,
            &format!("supervision.{kind}"),
            &r.status,
            &r.status,
            "system",
            note_for(kind),
        )
        .await?;
        let after = serde_json::json!({"kind": kind, "step": step.as_str(),
            "deadline_at": deadline_at, "due_at": due_at});
        audit::append(
            tx,
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
    Ok(next_look(alert, warning_at, deadline, now, &recorded))
}

/// Run sweeps in the background, for the life of the process.
pub fn spawn(state: AppState) {
    let every = Duration::from_secs(state.settings.supervision_interval_secs.max(1));
    tokio::spawn(async move {
        // the warning share may have changed since the times were worked out
        match state.store.acquire().await {
            Ok(mut conn) => {
                if let Err(e) = sv::recheck_all(&mut conn).await {
                    tracing::warn!(error = ?e, "supervision recheck failed");
                }
            }
            Err(e) => tracing::warn!(error = ?e, "supervision recheck failed"),
        }
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

    fn t(s: &str) -> DateTime<Utc> {
        domain::time::from_storage(s).unwrap()
    }

    #[test]
    fn the_warning_time_is_found_to_the_second() {
        let start = t("2026-12-01T00:00:00Z");
        let deadline = start + D::hours(10);
        // a clock limit: 80% of ten hours is eight hours in
        let share = |now: DateTime<Utc>| (now - start).num_seconds() as f64 / 36_000.0;
        let w = warning_from(share, 0.8, start + D::hours(1), deadline);
        assert_eq!(w, start + D::hours(8));
        // already past the deadline, or never late: a second after it
        let w = warning_from(share, 0.8, deadline + D::hours(1), deadline);
        assert_eq!(w, deadline + D::seconds(1));
        let w = warning_from(|_| 0.0, 0.8, start, deadline);
        assert_eq!(w, deadline + D::seconds(1));
    }

    #[test]
    fn the_next_look_is_the_warning_then_the_deadline_then_each_rung() {
        let now = t("2026-12-01T08:00:00Z");
        let deadline = t("2026-12-03T08:00:00Z");
        let warn = t("2026-12-02T20:00:00Z");
        let at = |alert, rec: &[&str], now| {
            let rec: Vec<String> = rec.iter().map(|s| s.to_string()).collect();
            next_look(alert, || warn, deadline, now, &rec)
        };
        assert_eq!(at(Alert::OnTime, &[], now), Some(warn));
        assert_eq!(
            at(Alert::Warning, &["warning"], warn),
            Some(deadline + D::seconds(1))
        );
        let late = deadline + D::minutes(5);
        assert_eq!(
            at(
                Alert::Overdue,
                &["warning", "overdue", "notice_township"],
                late
            ),
            Some(deadline + D::days(1))
        );
        let later = deadline + D::days(1) + D::minutes(5);
        assert_eq!(
            at(
                Alert::Overdue,
                &["overdue", "notice_township", "notice_county"],
                later
            ),
            Some(deadline + D::days(2))
        );
        let all = [
            "overdue",
            "notice_township",
            "notice_county",
            "leader_report",
        ];
        assert_eq!(
            at(Alert::Overdue, &all, later),
            None,
            "nothing left to issue"
        );
        // one rung per sweep: a rung already due waits for the next sweep
        let much_later = deadline + D::days(9);
        assert_eq!(
            at(Alert::Overdue, &["overdue", "notice_township"], much_later),
            Some(much_later + D::seconds(1))
        );
    }
}
