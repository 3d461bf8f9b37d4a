//! Deadlines of the closed loop: a step's limit (per urgency) counted on
//! the working-day calendar, in working hours or days, or on the clock for
//! emergencies; how much of it is used; how a pause or an extension moves
//! it. The calendar is the built-in official one with the years an admin
//! entered on top, swapped whole when an admin changes a year.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};
use domain::calendar::{Calendar, WorkingHours, YearPlan};
use domain::report::{Limit, Step, TimeLimits, Urgency};

use crate::state::AppState;

/// The calendar in force; readers take a snapshot, an admin's change swaps it.
pub struct CalendarCell(RwLock<Arc<Calendar>>);

impl CalendarCell {
    pub fn new(c: Calendar) -> Self {
        CalendarCell(RwLock::new(Arc::new(c)))
    }

    pub fn get(&self) -> Arc<Calendar> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, c: Calendar) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(c);
    }
}

/// The built-in plans with the stored years replacing theirs.
pub fn merged(stored: &[(i64, String)]) -> Result<Calendar, domain::Error> {
    let mut plans: Vec<YearPlan> = Calendar::builtin().plans();
    for (year, json) in stored {
        let plan: YearPlan = serde_json::from_str(json).map_err(|e| {
            domain::Error::invalid(
                "calendar.json",
                "plan",
                format!("{year}年工作日历数据有误：{e}"),
                format!("the stored calendar for {year} is malformed: {e}"),
            )
        })?;
        plans.retain(|p| i64::from(p.year) != *year);
        plans.push(plan);
    }
    plans.sort_by_key(|p| p.year);
    Calendar::new(plans)
}

/// Load the stored years into the state's calendar (start-up, and each
/// supervision sweep so that every instance follows an admin's change).
pub async fn reload(state: &AppState) -> Result<(), crate::error::ApiError> {
    let mut conn = state.store.acquire().await?;
    let stored = store::supervision::calendar_years(&mut conn).await?;
    state.calendar.set(merged(&stored)?);
    Ok(())
}

/// When `step`, begun at `start`, must be done.
pub fn deadline(
    state: &AppState,
    step: Step,
    urgency: Urgency,
    start: DateTime<Utc>,
) -> DateTime<Utc> {
    deadline_on(&state.calendar.get(), step, urgency, start)
}

pub fn deadline_on(
    cal: &Calendar,
    step: Step,
    urgency: Urgency,
    start: DateTime<Utc>,
) -> DateTime<Utc> {
    let wh = WorkingHours::default();
    match TimeLimits::default().limit(step, urgency) {
        Limit::Hours(h) => start + Duration::seconds((h * 3600.0).round() as i64),
        Limit::WorkingHours(h) => cal.add_working_hours(start, h, &wh),
        Limit::WorkingDays(d) => cal.deadline_in_days(start, d, &wh),
    }
}

/// Whether the limit runs on the wall clock (emergencies) rather than on
/// working time.
fn wall_clock(step: Step, urgency: Urgency) -> bool {
    matches!(TimeLimits::default().limit(step, urgency), Limit::Hours(_))
}

/// The share of the time from `start` to `deadline` used at `now`, counted
/// as the limit is (working time, or the clock for emergencies).
pub fn used_share(
    cal: &Calendar,
    step: Step,
    urgency: Urgency,
    start: DateTime<Utc>,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> f64 {
    let wh = WorkingHours::default();
    let (used, total) = if wall_clock(step, urgency) {
        (
            (now - start).num_seconds() as f64,
            (deadline - start).num_seconds() as f64,
        )
    } else {
        (
            cal.working_hours_between(start, now, &wh),
            cal.working_hours_between(start, deadline, &wh),
        )
    };
    if total <= 0.0 {
        if now > deadline { 2.0 } else { 1.0 }
    } else if now > deadline {
        // past the deadline is overdue even when no working time has passed
        (used / total).max(1.0 + f64::EPSILON)
    } else {
        used / total
    }
}

/// After a pause from `from` to `to`, the deadline moves by the time the
/// limit would have counted in between: nothing of it is lost.
pub fn after_pause(
    cal: &Calendar,
    step: Step,
    urgency: Urgency,
    deadline: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> DateTime<Utc> {
    if wall_clock(step, urgency) {
        deadline + (to - from)
    } else {
        let wh = WorkingHours::default();
        let paused = cal.working_hours_between(from, to, &wh).max(0.0);
        cal.add_working_hours(deadline, paused, &wh)
    }
}

/// An approved extension of `days` working days.
pub fn extended(cal: &Calendar, deadline: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let wh = WorkingHours::default();
    cal.add_working_hours(deadline, f64::from(days) * wh.hours_per_day(), &wh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_pause_over_the_national_day_holiday_costs_no_working_time() {
        let cal = Calendar::builtin();
        let deadline = cn(2026, 9, 30, 17, 0);
        // paused from 30 Sep 16:00 to 8 Oct 09:30: one working hour of
        // 30 Sep and one of 8 Oct (1–7 Oct are the holiday)
        let moved = after_pause(
            &cal,
            Step::Handle,
            Urgency::Normal,
            deadline,
            cn(2026, 9, 30, 16, 0),
            cn(2026, 10, 8, 9, 30),
        );
        let wh = WorkingHours::default();
        assert_eq!(cal.working_hours_between(deadline, moved, &wh), 3.0);
        assert!(cal.is_working_day(domain::time::china_date(moved)));
    }

    #[test]
    fn an_extension_counts_working_days_only() {
        let cal = Calendar::builtin();
        // Friday 25 Sep 2026, 17:00 + 2 working days: 26 Sep (Sat) is a
        // make-up working day in 2026? Whatever the plan says, the result
        // lies exactly two working days' hours later.
        let d = cn(2026, 9, 25, 17, 0);
        let e = extended(&cal, d, 2);
        let wh = WorkingHours::default();
        assert_eq!(
            cal.working_hours_between(d, e, &wh),
            2.0 * wh.hours_per_day()
        );
    }

    #[test]
    fn used_share_counts_working_time_and_past_the_deadline_is_overdue() {
        let cal = Calendar::builtin();
        let start = cn(2026, 11, 27, 8, 30); // Friday
        let deadline = cn(2026, 11, 30, 12, 0); // Monday noon
        // Saturday: only Friday's 7 hours of the 10.5 are used
        let s = used_share(
            &cal,
            Step::Handle,
            Urgency::Normal,
            start,
            deadline,
            cn(2026, 11, 28, 10, 0),
        );
        assert!((s - 7.0 / 10.5).abs() < 1e-9, "{s}");
        let late = used_share(
            &cal,
            Step::Handle,
            Urgency::Normal,
            start,
            deadline,
            cn(2026, 11, 30, 12, 1),
        );
        assert!(late > 1.0);
    }

    #[test]
    fn a_stored_year_replaces_the_builtin_one() {
        let plan = YearPlan {
            year: 2026,
            holidays: vec![chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()],
            workdays: vec![],
            source: "测试".into(),
        };
        let cal = merged(&[(2026, serde_json::to_string(&plan).unwrap())]).unwrap();
        let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert!(!cal.is_working_day(d(12, 2)), "the admin's holiday");
        assert!(
            cal.is_working_day(d(10, 8)),
            "the builtin 2026 holidays are gone"
        );
        assert!(merged(&[(2026, "{".into())]).is_err());
    }
}
