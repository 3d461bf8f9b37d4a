//! Deadlines of the closed loop: a step's limit (per urgency) counted on
//! the working-day calendar, in working hours or days, or on the clock for
//! emergencies.

use chrono::{DateTime, Utc};
use domain::calendar::WorkingHours;
use domain::report::{Limit, Step, TimeLimits, Urgency};

use crate::state::AppState;

/// When `step`, begun at `start`, must be done.
pub fn deadline(
    state: &AppState,
    step: Step,
    urgency: Urgency,
    start: DateTime<Utc>,
) -> DateTime<Utc> {
    let wh = WorkingHours::default();
    match TimeLimits::default().limit(step, urgency) {
        Limit::Hours(h) => start + chrono::Duration::seconds((h * 3600.0).round() as i64),
        Limit::WorkingHours(h) => state.calendar.add_working_hours(start, h, &wh),
        Limit::WorkingDays(d) => state.calendar.deadline_in_days(start, d, &wh),
    }
}
