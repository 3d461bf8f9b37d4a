//! Time limits of the closed loop. Each step has a limit set per urgency,
//! counted in working hours or days (emergencies on the wall clock). This
//! module only says *which* limit applies; turning a limit into a deadline
//! instant (skipping weekends and holidays, counting make-up working days)
//! is the calendar's job, and the rules here take already-computed instants.

use serde::{Deserialize, Serialize};

use super::{Status, Urgency};
use crate::Error;

/// A step of the closed loop whose time limit is supervised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// From receipt to dispatch (任务派遣).
    Dispatch,
    /// From dispatch to acceptance by the officer or squad.
    Accept,
    /// From acceptance to the report-back (任务处理), covering both
    /// `Accepted` and `Handling`.
    Handle,
    /// Rework (返工): from a failed verification to the new report-back.
    ReportBack,
    /// From report-back to verification on site (核查).
    Verify,
    /// From verification to closure (结案).
    Close,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Dispatch,
        Step::Accept,
        Step::Handle,
        Step::ReportBack,
        Step::Verify,
        Step::Close,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Dispatch => "dispatch",
            Step::Accept => "accept",
            Step::Handle => "handle",
            Step::ReportBack => "report_back",
            Step::Verify => "verify",
            Step::Close => "close",
        }
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            Step::Dispatch => ("派遣", "Dispatch"),
            Step::Accept => ("接收", "Accept"),
            Step::Handle => ("处置", "Handle"),
            Step::ReportBack => ("返工反馈", "Rework report-back"),
            Step::Verify => ("核查", "Verify"),
            Step::Close => ("结案", "Close"),
        };
        lang.pick(zh, en)
    }
}

/// The step whose deadline runs while a report is in `status`:
///
/// | status | step |
/// |---|---|
/// | Received | Dispatch |
/// | Dispatched | Accept |
/// | Accepted, Handling | Handle (one limit from acceptance to report-back) |
/// | ReportedBack | Verify |
/// | Verified | Close |
/// | Closed, Evaluated, HandedOver, Merged, Rejected | none |
///
/// For a task sent back for rework use [`step_when`] with `reworking`.
pub fn step_of(status: Status) -> Option<Step> {
    step_when(status, false)
}

/// Like [`step_of`], but a task in `Handling` because a verification failed
/// (`reworking`) runs on the shorter [`Step::ReportBack`] limit, counted
/// from the failed verification.
pub fn step_when(status: Status, reworking: bool) -> Option<Step> {
    match status {
        Status::Received => Some(Step::Dispatch),
        Status::Dispatched => Some(Step::Accept),
        Status::Handling if reworking => Some(Step::ReportBack),
        Status::Accepted | Status::Handling => Some(Step::Handle),
        Status::ReportedBack => Some(Step::Verify),
        Status::Verified => Some(Step::Close),
        Status::Closed
        | Status::Evaluated
        | Status::HandedOver
        | Status::Merged
        | Status::Rejected => None,
    }
}

/// A time limit.
///
/// Serialised as `{"hours": 0.25}`, `{"working_hours": 2.0}` or
/// `{"working_days": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Wall-clock hours, nights and holidays included (emergencies).
    Hours(f64),
    /// Hours within working time on working days.
    WorkingHours(f64),
    /// Whole working days, per the State Council holiday notice.
    WorkingDays(u32),
}

impl Limit {
    fn is_valid(self) -> bool {
        match self {
            Limit::Hours(h) | Limit::WorkingHours(h) => h.is_finite() && h > 0.0,
            Limit::WorkingDays(d) => d > 0,
        }
    }
}

/// The limits of every step for one urgency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepLimits {
    pub dispatch: Limit,
    pub accept: Limit,
    pub handle: Limit,
    pub report_back: Limit,
    pub verify: Limit,
    pub close: Limit,
}

impl StepLimits {
    pub fn get(&self, step: Step) -> Limit {
        match step {
            Step::Dispatch => self.dispatch,
            Step::Accept => self.accept,
            Step::Handle => self.handle,
            Step::ReportBack => self.report_back,
            Step::Verify => self.verify,
            Step::Close => self.close,
        }
    }
}

/// The limit for each step and urgency; configurable, with defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeLimits {
    pub normal: StepLimits,
    pub urgent: StepLimits,
    pub emergency: StepLimits,
}

impl Default for TimeLimits {
    /// * Emergency (特急), wall clock: dispatch 15 min, accept 15 min,
    ///   handle 2 h, rework 1 h, verify 4 h, close 24 h.
    /// * Urgent (紧急): dispatch 1 working hour, accept 1 working hour,
    ///   handle 1 working day, rework 4 working hours, verify 4 working
    ///   hours, close 1 working day.
    /// * Normal (一般): dispatch 2 working hours, accept 4 working hours,
    ///   handle 3 working days, rework 1 working day, verify 1 working day,
    ///   close 1 working day.
    fn default() -> Self {
        use Limit::*;
        TimeLimits {
            normal: StepLimits {
                dispatch: WorkingHours(2.0),
                accept: WorkingHours(4.0),
                handle: WorkingDays(3),
                report_back: WorkingDays(1),
                verify: WorkingDays(1),
                close: WorkingDays(1),
            },
            urgent: StepLimits {
                dispatch: WorkingHours(1.0),
                accept: WorkingHours(1.0),
                handle: WorkingDays(1),
                report_back: WorkingHours(4.0),
                verify: WorkingHours(4.0),
                close: WorkingDays(1),
            },
            emergency: StepLimits {
                dispatch: Hours(0.25),
                accept: Hours(0.25),
                handle: Hours(2.0),
                report_back: Hours(1.0),
                verify: Hours(4.0),
                close: Hours(24.0),
            },
        }
    }
}

impl TimeLimits {
    pub fn limit(&self, step: Step, urgency: Urgency) -> Limit {
        self.for_urgency(urgency).get(step)
    }

    pub fn for_urgency(&self, urgency: Urgency) -> &StepLimits {
        match urgency {
            Urgency::Normal => &self.normal,
            Urgency::Urgent => &self.urgent,
            Urgency::Emergency => &self.emergency,
        }
    }

    /// Every limit must be positive (and finite). The error's field names
    /// the limit, e.g. `time_limits.urgent.handle`.
    pub fn validate(&self) -> Result<(), Error> {
        for urgency in Urgency::ALL {
            for step in Step::ALL {
                let limit = self.limit(step, urgency);
                if !limit.is_valid() {
                    return Err(Error::invalid(
                        "report.time_limit",
                        format!("time_limits.{}.{}", urgency.as_str(), step.as_str()),
                        format!(
                            "{}事项「{}」环节的时限必须大于零，收到 {limit:?}",
                            urgency.label(crate::Lang::Zh),
                            step.label(crate::Lang::Zh)
                        ),
                        format!(
                            "the {} limit for {} reports must be positive, got {limit:?}",
                            step.as_str(),
                            urgency.as_str()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_open_status_has_a_running_step() {
        for s in Status::ALL {
            assert_eq!(step_of(s).is_some(), s.is_open(), "{s:?}");
        }
        assert_eq!(step_of(Status::Received), Some(Step::Dispatch));
        assert_eq!(step_of(Status::Dispatched), Some(Step::Accept));
        assert_eq!(step_of(Status::Accepted), Some(Step::Handle));
        assert_eq!(step_of(Status::Handling), Some(Step::Handle));
        assert_eq!(step_when(Status::Handling, true), Some(Step::ReportBack));
        assert_eq!(step_when(Status::Accepted, true), Some(Step::Handle));
        assert_eq!(step_of(Status::ReportedBack), Some(Step::Verify));
        assert_eq!(step_of(Status::Verified), Some(Step::Close));
        assert_eq!(step_of(Status::Closed), None);
    }

    #[test]
    fn defaults() {
        let t = TimeLimits::default();
        t.validate().unwrap();
        assert_eq!(
            t.limit(Step::Dispatch, Urgency::Emergency),
            Limit::Hours(0.25)
        );
        assert_eq!(t.limit(Step::Handle, Urgency::Emergency), Limit::Hours(2.0));
        assert_eq!(
            t.limit(Step::Dispatch, Urgency::Urgent),
            Limit::WorkingHours(1.0)
        );
        assert_eq!(
            t.limit(Step::Handle, Urgency::Urgent),
            Limit::WorkingDays(1)
        );
        assert_eq!(
            t.limit(Step::Dispatch, Urgency::Normal),
            Limit::WorkingHours(2.0)
        );
        assert_eq!(
            t.limit(Step::Accept, Urgency::Normal),
            Limit::WorkingHours(4.0)
        );
        assert_eq!(
            t.limit(Step::Handle, Urgency::Normal),
            Limit::WorkingDays(3)
        );
        for step in [Step::ReportBack, Step::Verify, Step::Close] {
            assert_eq!(t.limit(step, Urgency::Normal), Limit::WorkingDays(1));
        }
        // Emergencies never wait for working time.
        for step in Step::ALL {
            assert!(matches!(t.limit(step, Urgency::Emergency), Limit::Hours(_)));
        }
    }

    #[test]
    fn limits_round_trip_and_validate() {
        let t = TimeLimits::default();
        let json = serde_json::to_value(t).unwrap();
        assert_eq!(
            json["normal"]["handle"],
            serde_json::json!({"working_days": 3})
        );
        assert_eq!(
            json["emergency"]["dispatch"],
            serde_json::json!({"hours": 0.25})
        );
        let back: TimeLimits = serde_json::from_value(json).unwrap();
        assert_eq!(back, t);

        let mut bad = t;
        bad.urgent.verify = Limit::WorkingHours(0.0);
        let e = bad.validate().unwrap_err();
        assert_eq!(e.code, "report.time_limit");
        assert_eq!(e.field.as_deref(), Some("time_limits.urgent.verify"));
        bad.urgent.verify = Limit::Hours(f64::NAN);
        assert!(bad.validate().is_err());
        bad.urgent.verify = Limit::WorkingDays(0);
        assert!(bad.validate().is_err());
    }
}
