//! The fact rows indicators are computed from, and who each one counts for.
//!
//! The store fills one [`ReportFact`] per report (its closed loop reduced to
//! times and counts) and one [`CaseFact`] per penalty case. Attribution:
//!
//! | subject | a report counts for it when | a case when |
//! |---|---|---|
//! | officer | they hold the task (the handler, else the officer it was dispatched to) | they are among its officers |
//! | squad | it was dispatched to the squad, else the squad answered for the grid on arrival | one of its officers is of the squad |
//! | brigade | it arrived in the brigade's township | it is the township's |
//! | township | it arrived in the township | it is the township's |
//! | grid worker | it arrived in a grid the grid worker answered for | never |
//! | department | its power-list item lies in the department's field | its item lies in the field |
//!
//! A grid worker's *valid reports* and *accuracy* count the reports they
//! submitted themselves instead (see [`ReportFact::submitted_for`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Subject, SubjectKind};
use crate::report::Status;

/// One report, as the indicators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFact {
    pub id: String,
    pub status: Status,
    pub received_at: DateTime<Utc>,
    /// The deadline of the step running now, if any.
    pub due_at: Option<DateTime<Utc>>,
    /// An approved pause (挂起) is in force: its clock stands still.
    pub paused: bool,
    /// The last report-back (处理反馈): when the result that was verified
    /// was reported.
    pub handled_at: Option<DateTime<Utc>>,
    /// Verifications on site, passed or failed.
    pub verifications: u32,
    /// Failed verifications (返工).
    pub reworks: u32,
    /// Overdue flags the supervision recorded (one per step that ran late).
    pub overdue_flags: u32,
    /// Supervision notices (督办单) issued on it, by the township, the
    /// county or a person.
    pub notices: u32,
    /// The call-back evaluation (回访评价), 1 (poor) to 5 (excellent).
    pub score: Option<u8>,
    /// Division code of its township.
    pub township: String,
    /// Unit code of the township's brigade.
    pub brigade: Option<String>,
    /// Unit code of the squad: dispatched to, else the grid's.
    pub squad: Option<String>,
    /// Staff id of the officer holding it: the handler, else the officer
    /// dispatched to.
    pub officer: Option<String>,
    /// Staff id of the grid worker who answered for its grid on arrival.
    pub grid_worker: Option<String>,
    /// Staff id of the person who submitted it, when a person of the
    /// brigade or a grid worker reported it through the grid channel.
    pub reported_by: Option<String>,
    /// Unit code of the county department whose field its item lies in.
    pub department: Option<String>,
}

impl ReportFact {
    /// Whether the report counts for the subject (see the module table).
    pub fn answers_to(&self, s: &Subject) -> bool {
        let held = match s.kind {
            SubjectKind::Officer => &self.officer,
            SubjectKind::Squad => &self.squad,
            SubjectKind::Brigade => &self.brigade,
            SubjectKind::Township => return self.township == s.id,
            SubjectKind::GridWorker => &self.grid_worker,
            SubjectKind::Department => &self.department,
        };
        held.as_deref() == Some(s.id.as_str())
    }

    /// Whether the report counts among the subject's own submissions: a
    /// person's when they submitted it; a unit's or a place's when a person
    /// submitted it and it counts for the unit or place.
    pub fn submitted_for(&self, s: &Subject) -> bool {
        match (&self.reported_by, s.kind.is_person()) {
            (None, _) => false,
            (Some(by), true) => by == &s.id,
            (Some(_), false) => self.answers_to(s),
        }
    }

    /// Passed verification (处置完成): verified, closed or evaluated.
    pub fn is_handled(&self) -> bool {
        matches!(
            self.status,
            Status::Verified | Status::Closed | Status::Evaluated
        )
    }

    /// Closed (结案), evaluated or not.
    pub fn is_closed(&self) -> bool {
        matches!(self.status, Status::Closed | Status::Evaluated)
    }

    /// Work the enforcement platform owes: not handed over to another
    /// platform, not merged into another report, not rejected.
    pub fn is_actionable(&self) -> bool {
        !matches!(
            self.status,
            Status::HandedOver | Status::Merged | Status::Rejected
        )
    }

    /// Overdue (超期): a step was flagged overdue by the supervision, or
    /// the step running now (not paused) is past its deadline at `as_of`.
    pub fn is_overdue(&self, as_of: DateTime<Utc>) -> bool {
        let late_now =
            self.status.is_open() && !self.paused && self.due_at.is_some_and(|due| due < as_of);
        self.overdue_flags > 0 || late_now
    }

    /// Hours from receipt to the last report-back, for handled reports.
    pub fn handling_hours(&self) -> Option<f64> {
        if !self.is_handled() {
            return None;
        }
        let done = self.handled_at?;
        let secs = (done - self.received_at).num_seconds().max(0);
        Some(secs as f64 / 3600.0)
    }

    /// Whether a submitted report was valid (有效上报): taken into the loop
    /// or handed to the platform it belongs to. Rejected (不予受理) and
    /// merged duplicates are not; one still waiting for its first decision
    /// is neither (`None`).
    pub fn validity(&self) -> Option<bool> {
        match self.status {
            Status::Received => None,
            Status::Rejected | Status::Merged => Some(false),
            _ => Some(true),
        }
    }
}

/// One penalty case, as the indicators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFact {
    pub id: String,
    /// Division code of its township.
    pub township: String,
    pub brigade: Option<String>,
    /// Unit codes of its officers' squads.
    pub squads: Vec<String>,
    /// Staff ids of the officers on it (investigators, and who filed it).
    pub officers: Vec<String>,
    pub department: Option<String>,
    /// 立案: the day of filing (China time).
    pub filed_on: NaiveDate,
    /// The day the decision was made (处罚决定 or 不予处罚), if it was.
    pub decided_on: Option<NaiveDate>,
}

impl CaseFact {
    /// Whether the case counts for the subject (see the module table).
    pub fn involves(&self, s: &Subject) -> bool {
        let id = s.id.as_str();
        match s.kind {
            SubjectKind::Officer => self.officers.iter().any(|o| o == id),
            SubjectKind::Squad => self.squads.iter().any(|q| q == id),
            SubjectKind::Brigade => self.brigade.as_deref() == Some(id),
            SubjectKind::Township => self.township == id,
            SubjectKind::GridWorker => false,
            SubjectKind::Department => self.department.as_deref() == Some(id),
        }
    }
}
