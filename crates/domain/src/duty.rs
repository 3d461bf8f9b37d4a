//! 24-hour duty (24小时值班): shifts, the roster, who is on duty at an
//! instant, the handover from one shift to the next, and the rules a roster
//! keeps.
//!
//! A township's command centre is staffed around the clock. The day is cut
//! into shifts (班次) defined in China time — by default a day shift
//! 08:00–20:00 and a night shift 20:00–08:00 that crosses midnight. A roster
//! entry puts a person of the brigade on one shift of one date in a role:
//! the leader on duty (带班领导), the dispatcher (值班员) or an officer
//! (值班队员). A night shift belongs to the date on which it *begins*: the
//! night shift of 1 March runs from 1 March 20:00 to 2 March 08:00.
//!
//! Every interval is half-open, `[start, end)`: at 08:00 the night shift has
//! ended and the day shift has begun, so exactly one shift of a plan that
//! tiles the day is running at any instant, and a person may work a day
//! shift and the night shift after it without "overlapping".
//!
//! The rules ([`check`]): the shift must exist; the person must be one of
//! the township's active staff and hold a post that fits the role; nobody
//! is on two overlapping shifts; a shift that has ended is history and is
//! neither added to nor removed from; and where a shift requires it
//! (`leader_required`), each date's shift has a leader on duty.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::org::Post;
use crate::time::{china, china_date};
use crate::{Error, ErrorKind, Lang};

/// A shift of the duty plan, in China time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// Stable code, e.g. `day`, `night`.
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// When it begins on its date (China time).
    pub starts: NaiveTime,
    /// When it ends: on the same date if later than `starts`, otherwise on
    /// the next date (the shift crosses midnight).
    pub ends: NaiveTime,
    /// Each date's shift needs a leader on duty (带班领导).
    pub leader_required: bool,
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time of day")
}

/// The usual plan: day 08:00–20:00 and night 20:00–08:00, each with a
/// leader on duty.
pub fn standard_shifts() -> Vec<Shift> {
    vec![
        Shift {
            code: "day".into(),
            name: "白班".into(),
            name_en: "Day shift".into(),
            starts: hm(8, 0),
            ends: hm(20, 0),
            leader_required: true,
        },
        Shift {
            code: "night".into(),
            name: "夜班".into(),
            name_en: "Night shift".into(),
            starts: hm(20, 0),
            ends: hm(8, 0),
            leader_required: true,
        },
    ]
}

/// The UTC instant of a China wall-clock time on a date.
fn china_instant(date: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    date.and_time(t)
        .and_local_timezone(china())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Shift {
    /// A shift, checked: a code, and a start different from the end (a
    /// shift of zero length, or of a whole day, is refused).
    pub fn new(
        code: &str,
        name: &str,
        name_en: &str,
        starts: NaiveTime,
        ends: NaiveTime,
        leader_required: bool,
    ) -> Result<Shift, Error> {
        let s = Shift {
            code: code.trim().to_string(),
            name: name.to_string(),
            name_en: name_en.to_string(),
            starts,
            ends,
            leader_required,
        };
        s.validate()?;
        Ok(s)
    }

    pub fn validate(&self) -> Result<(), Error> {
        if self.code.is_empty() {
            return Err(Error::invalid(
                "duty.shift_code",
                "code",
                "班次代码不能为空",
                "a shift needs a code",
            ));
        }
        if self.starts == self.ends {
            return Err(Error::invalid(
                "duty.shift_times",
                "ends",
                format!("班次 {} 的开始与结束时间相同", self.code),
                format!("shift {} starts and ends at the same time", self.code),
            ));
        }
        Ok(())
    }

    /// Whether the shift ends on the date after its own.
    pub fn crosses_midnight(&self) -> bool {
        self.ends <= self.starts
    }

    /// How long the shift lasts.
    pub fn length(&self) -> TimeDelta {
        let d = self.ends - self.starts;
        if self.crosses_midnight() {
            d + TimeDelta::days(1)
        } else {
            d
        }
    }

    /// The instants the shift of `date` covers, `[start, end)` in UTC.
    pub fn interval(&self, date: NaiveDate) -> Interval {
        let start = china_instant(date, self.starts);
        let end_date = if self.crosses_midnight() {
            date.checked_add_days(Days::new(1))
                .unwrap_or(NaiveDate::MAX)
        } else {
            date
        };
        Interval {
            start,
            end: china_instant(end_date, self.ends),
        }
    }

    pub fn label(&self, lang: Lang) -> &str {
        lang.pick(&self.name, &self.name_en)
    }
}

/// A half-open interval of instants, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// Whether the two share an instant; touching ends do not.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The role a person has on a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyRole {
    /// 带班领导: the leader on duty.
    Leader,
    /// 值班员: takes calls and dispatches.
    Dispatcher,
    /// 值班队员: goes out.
    Officer,
}

impl DutyRole {
    pub const ALL: [DutyRole; 3] = [DutyRole::Leader, DutyRole::Dispatcher, DutyRole::Officer];

    pub fn as_str(self) -> &'static str {
        match self {
            DutyRole::Leader => "leader",
            DutyRole::Dispatcher => "dispatcher",
            DutyRole::Officer => "officer",
        }
    }

    pub fn parse(s: &str) -> Option<DutyRole> {
        DutyRole::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            DutyRole::Leader => ("带班领导", "Leader on duty"),
            DutyRole::Dispatcher => ("值班员", "Dispatcher"),
            DutyRole::Officer => ("值班队员", "Officer on duty"),
        };
        lang.pick(zh, en)
    }

    /// Which posts may take the role: a leader on duty is the brigade's or
    /// a squad's leader; a dispatcher is a dispatcher or one of the
    /// brigade's officers and leaders; an officer on duty is an officer or a
    /// leader. Grid workers, reviewers and liaisons are not on brigade duty.
    pub fn fits(self, post: Post) -> bool {
        let brigade = matches!(
            post,
            Post::BrigadeLeader | Post::SquadLeader | Post::Officer
        );
        match self {
            DutyRole::Leader => matches!(post, Post::BrigadeLeader | Post::SquadLeader),
            DutyRole::Dispatcher => brigade || post == Post::Dispatcher,
            DutyRole::Officer => brigade,
        }
    }
}

/// One person on one shift of one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub staff_id: String,
    /// The unit (squad) the person is on duty for.
    pub unit_id: Option<String>,
    /// The date the shift begins on (China time).
    pub date: NaiveDate,
    /// The shift's code.
    pub shift: String,
    pub role: DutyRole,
}

fn shift_of<'a>(shifts: &'a [Shift], code: &str) -> Option<&'a Shift> {
    shifts.iter().find(|s| s.code == code)
}

impl RosterEntry {
    /// The instants the entry covers; `None` when its shift is not in the plan.
    pub fn interval(&self, shifts: &[Shift]) -> Option<Interval> {
        shift_of(shifts, &self.shift).map(|s| s.interval(self.date))
    }
}

/// The people on duty at an instant: every entry whose shift covers it.
pub fn on_duty_at<'a>(
    entries: &'a [RosterEntry],
    shifts: &[Shift],
    at: DateTime<Utc>,
) -> BTreeSet<&'a str> {
    entries
        .iter()
        .filter(|e| e.interval(shifts).is_some_and(|i| i.contains(at)))
        .map(|e| e.staff_id.as_str())
        .collect()
}

/// The shift of the plan running at an instant, with the date it began on.
/// When shifts of the plan overlap, the one that began last wins; `None`
/// when the plan leaves the instant uncovered.
pub fn shift_at(shifts: &[Shift], at: DateTime<Utc>) -> Option<(NaiveDate, &Shift)> {
    let today = china_date(at);
    let yesterday = today.pred_opt()?;
    [yesterday, today]
        .into_iter()
        .flat_map(|d| shifts.iter().map(move |s| (d, s)))
        .filter(|(d, s)| s.interval(*d).contains(at))
        .max_by_key(|(d, s)| s.interval(*d).start)
}

/// The shift that takes over from the shift `code` of `date`: the first
/// to begin at or after its end. `None` for an unknown shift or an empty plan.
pub fn next_shift<'a>(
    shifts: &'a [Shift],
    date: NaiveDate,
    code: &str,
) -> Option<(NaiveDate, &'a Shift)> {
    let end = shift_of(shifts, code)?.interval(date).end;
    let from = china_date(end).pred_opt()?;
    (0..3)
        .filter_map(|k| from.checked_add_days(Days::new(k)))
        .flat_map(|d| shifts.iter().map(move |s| (d, s)))
        .filter(|(d, s)| s.interval(*d).start >= end)
        .min_by_key(|(d, s)| (s.interval(*d).start, s.code.clone()))
}

/// One thing wrong with an entry of a batch: which entry, which field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterProblem {
    /// The entry's position in the batch (from 0).
    pub index: usize,
    /// The entry's field: `staff_id`, `unit`, `date`, `shift` or `role`.
    pub field: &'static str,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl RosterProblem {
    pub fn new(
        index: usize,
        field: &'static str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        RosterProblem {
            index,
            field,
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The field's path in the request: `entries[2].shift`.
    pub fn path(&self) -> String {
        format!("entries[{}].{}", self.index, self.field)
    }
}

/// The refusal of a batch: its code and field are the first problem's,
/// and its message names every problem with its path. `None` when clean.
pub fn refusal(problems: &[RosterProblem]) -> Option<Error> {
    let mut sorted: Vec<&RosterProblem> = problems.iter().collect();
    sorted.sort_by_key(|p| (p.index, p.field));
    let first = sorted.first()?;
    let zh: Vec<String> = sorted
        .iter()
        .map(|p| format!("{}：{}", p.path(), p.zh))
        .collect();
    let en: Vec<String> = sorted
        .iter()
        .map(|p| format!("{}: {}", p.path(), p.en))
        .collect();
    Some(Error::invalid(
        first.code,
        first.path(),
        format!(
            "值班表有 {} 处问题，均未保存：{}",
            sorted.len(),
            zh.join("；")
        ),
        format!(
            "the roster has {} problem(s); nothing was stored: {}",
            sorted.len(),
            en.join("; ")
        ),
    ))
}

fn describe(e: &RosterEntry, shifts: &[Shift]) -> (String, String) {
    let (zh, en) = shift_of(shifts, &e.shift)
        .map(|s| (s.name.as_str(), s.name_en.as_str()))
        .unwrap_or((e.shift.as_str(), e.shift.as_str()));
    (format!("{}{}", e.date, zh), format!("{} {}", e.date, en))
}

/// Check a batch of new entries against the township's stored ones.
///
/// * `existing`: the stored entries of the township around the batch's
///   dates (a day either side is enough for overlaps).
/// * `staff`: the township's active staff and their posts; anyone else is
///   refused.
/// * `now`: entries whose shift has ended are refused (history).
///
/// Returns every problem, each naming its entry and field; an empty list
/// means the batch may be stored as a whole.
pub fn check(
    new: &[RosterEntry],
    existing: &[RosterEntry],
    shifts: &[Shift],
    staff: &BTreeMap<String, Post>,
    now: DateTime<Utc>,
) -> Vec<RosterProblem> {
    let mut out = Vec::new();
    for (i, e) in new.iter().enumerate() {
        match staff.get(&e.staff_id) {
            None => out.push(RosterProblem::new(
                i,
                "staff_id",
                "duty.unknown_staff",
                format!("{} 不是本乡镇在岗人员", e.staff_id),
                format!(
                    "{} is not an active member of this township's staff",
                    e.staff_id
                ),
            )),
            Some(post) if !e.role.fits(*post) => out.push(RosterProblem::new(
                i,
                "role",
                "duty.role_post",
                format!(
                    "职务为「{}」的人员不能担任「{}」",
                    post.label(Lang::Zh),
                    e.role.label(Lang::Zh)
                ),
                format!(
                    "a {} cannot be {}",
                    post.label(Lang::En).to_lowercase(),
                    e.role.label(Lang::En).to_lowercase()
                ),
            )),
            Some(_) => {}
        }
        let Some(interval) = e.interval(shifts) else {
            let codes: Vec<&str> = shifts.iter().map(|s| s.code.as_str()).collect();
            out.push(RosterProblem::new(
                i,
                "shift",
                "duty.unknown_shift",
                format!("没有班次「{}」，可用：{}", e.shift, codes.join("、")),
                format!("no shift `{}`; use one of {}", e.shift, codes.join(", ")),
            ));
            continue;
        };
        if interval.end <= now {
            let (zh, en) = describe(e, shifts);
            out.push(RosterProblem::new(
                i,
                "date",
                "duty.past_shift",
                format!("{zh}已经结束，值班记录不可改写"),
                format!("the {en} has ended; the duty record is not rewritten"),
            ));
        }
        let clash = existing
            .iter()
            .map(|o| (o, "stored"))
            .chain(new[..i].iter().map(|o| (o, "batch")))
            .find(|(o, _)| {
                o.staff_id == e.staff_id
                    && o.interval(shifts).is_some_and(|j| j.overlaps(&interval))
            });
        if let Some((o, source)) = clash {
            let (ozh, oen) = describe(o, shifts);
            let (where_zh, where_en) = if source == "stored" {
                ("已排", "already rostered")
            } else {
                ("本批", "in this batch")
            };
            out.push(RosterProblem::new(
                i,
                "shift",
                "duty.overlap",
                format!("该人员{where_zh}{ozh}，与此班次时间重叠"),
                format!("this person is {where_en} on the {oen}, which overlaps this shift"),
            ));
        }
    }
    // A leader on duty for every shift that needs one, among the stored
    // and the new entries of each date's shift the batch touches.
    let mut touched: BTreeMap<(NaiveDate, &str), usize> = BTreeMap::new();
    for (i, e) in new.iter().enumerate() {
        if shift_of(shifts, &e.shift).is_some_and(|s| s.leader_required) {
            touched.entry((e.date, e.shift.as_str())).or_insert(i);
        }
    }
    for ((date, code), first) in touched {
        let has_leader = existing
            .iter()
            .chain(new)
            .any(|e| e.date == date && e.shift == code && e.role == DutyRole::Leader);
        if !has_leader {
            let (zh, en) = describe(&new[first], shifts);
            out.push(RosterProblem::new(
                first,
                "role",
                "duty.leader_missing",
                format!("{zh}须有一名带班领导"),
                format!("the {en} needs a leader on duty"),
            ));
        }
    }
    out.sort_by_key(|p| (p.index, p.field));
    out
}

/// Whether an entry may be removed: not once its shift has ended, and not
/// the last leader of a shift that needs one (`others`: the other entries
/// of the same date's shift).
pub fn check_removal(
    entry: &RosterEntry,
    others: &[RosterEntry],
    shifts: &[Shift],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let (zh, en) = describe(entry, shifts);
    if entry.interval(shifts).is_some_and(|i| i.end <= now) {
        return Err(Error::invalid(
            "duty.past_shift",
            "id",
            format!("{zh}已经结束，值班记录不可改写"),
            format!("the {en} has ended; the duty record is not rewritten"),
        ));
    }
    let required = shift_of(shifts, &entry.shift).is_some_and(|s| s.leader_required);
    let another_leader = others.iter().any(|o| {
        o.staff_id != entry.staff_id
            && o.date == entry.date
            && o.shift == entry.shift
            && o.role == DutyRole::Leader
    });
    if required && entry.role == DutyRole::Leader && !another_leader {
        return Err(Error::new(
            ErrorKind::Conflict,
            "duty.last_leader",
            format!("这是{zh}唯一的带班领导，请先排入接替的领导"),
            format!("this is the only leader on duty of the {en}; roster the replacement first"),
        )
        .with_field("id"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// An instant given in China time.
    fn cst(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        china()
            .with_ymd_and_hms(y, m, day, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn entry(staff: &str, date: NaiveDate, shift: &str, role: DutyRole) -> RosterEntry {
        RosterEntry {
            staff_id: staff.into(),
            unit_id: None,
            date,
            shift: shift.into(),
            role,
        }
    }

    fn posts(list: &[(&str, Post)]) -> BTreeMap<String, Post> {
        list.iter().map(|(s, p)| (s.to_string(), *p)).collect()
    }

    /// A "now" before every date used, so that no shift is history.
    fn long_ago() -> DateTime<Utc> {
        cst(2000, 1, 1, 0, 0)
    }

    #[test]
    fn the_night_shift_crosses_midnight_into_the_next_date() {
        let plan = standard_shifts();
        let night = &plan[1];
        assert!(night.crosses_midnight());
        assert_eq!(night.length(), TimeDelta::hours(12));
        let i = night.interval(d(2026, 3, 1));
        assert_eq!(i.start, Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap());
        assert_eq!(i.end, Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap());
        let day = plan[0].interval(d(2026, 3, 2));
        assert_eq!(day.start, i.end, "the day shift takes over at 08:00");
        assert!(!i.overlaps(&day), "touching shifts do not overlap");
    }

    #[test]
    fn who_is_on_duty_either_side_of_midnight_and_at_the_handover() {
        let plan = standard_shifts();
        let roster = vec![
            entry("day1", d(2026, 3, 1), "day", DutyRole::Leader),
            entry("night1", d(2026, 3, 1), "night", DutyRole::Leader),
            entry("night1b", d(2026, 3, 1), "night", DutyRole::Officer),
            entry("day2", d(2026, 3, 2), "day", DutyRole::Leader),
        ];
        let at = |h, m, day| on_duty_at(&roster, &plan, cst(2026, 3, day, h, m));
        assert_eq!(at(19, 59, 1), BTreeSet::from(["day1"]));
        assert_eq!(at(20, 0, 1), BTreeSet::from(["night1", "night1b"]));
        assert_eq!(at(23, 59, 1), BTreeSet::from(["night1", "night1b"]));
        assert_eq!(at(0, 1, 2), BTreeSet::from(["night1", "night1b"]));
        assert_eq!(at(7, 59, 2), BTreeSet::from(["night1", "night1b"]));
        assert_eq!(at(8, 0, 2), BTreeSet::from(["day2"]));
        assert!(
            at(20, 0, 2).is_empty(),
            "nobody rostered on 2 March's night"
        );
        // the shift running just after midnight began the day before
        let (date, s) = shift_at(&plan, cst(2026, 3, 2, 0, 30)).unwrap();
        assert_eq!((date, s.code.as_str()), (d(2026, 3, 1), "night"));
        let (date, s) = next_shift(&plan, d(2026, 3, 1), "night").unwrap();
        assert_eq!((date, s.code.as_str()), (d(2026, 3, 2), "day"));
        let (date, s) = next_shift(&plan, d(2026, 3, 1), "day").unwrap();
        assert_eq!((date, s.code.as_str()), (d(2026, 3, 1), "night"));
        assert!(next_shift(&plan, d(2026, 3, 1), "evening").is_none());
    }

    #[test]
    fn an_overlapping_shift_is_refused_with_the_field_named() {
        let plan = vec![
            standard_shifts().remove(0),
            Shift::new("late", "晚班", "Late shift", hm(16, 0), hm(0, 0), false).unwrap(),
        ];
        let staff = posts(&[("a", Post::Officer), ("l", Post::BrigadeLeader)]);
        let stored = vec![
            entry("l", d(2026, 3, 1), "day", DutyRole::Leader),
            entry("a", d(2026, 3, 1), "day", DutyRole::Officer),
        ];
        let batch = vec![entry("a", d(2026, 3, 1), "late", DutyRole::Officer)];
        let p = check(&batch, &stored, &plan, &staff, long_ago());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            (p[0].code, p[0].path().as_str()),
            ("duty.overlap", "entries[0].shift")
        );
        // within one batch as well
        let batch = vec![
            entry("a", d(2026, 3, 2), "day", DutyRole::Officer),
            entry("l", d(2026, 3, 2), "day", DutyRole::Leader),
            entry("a", d(2026, 3, 2), "late", DutyRole::Officer),
        ];
        let p = check(&batch, &stored, &plan, &staff, long_ago());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path(), "entries[2].shift");
        let e = refusal(&p).unwrap();
        assert_eq!(e.field.as_deref(), Some("entries[2].shift"));
        assert!(e.en.contains("entries[2].shift"), "{}", e.en);
    }

    #[test]
    fn every_bad_entry_is_named() {
        let plan = standard_shifts();
        let staff = posts(&[
            ("lead", Post::SquadLeader),
            ("off", Post::Officer),
            ("gw", Post::GridWorker),
        ]);
        let now = cst(2026, 3, 10, 12, 0);
        let batch = vec![
            entry("lead", d(2026, 3, 11), "day", DutyRole::Leader),
            entry("nobody", d(2026, 3, 11), "day", DutyRole::Officer),
            entry("gw", d(2026, 3, 11), "day", DutyRole::Officer),
            entry("off", d(2026, 3, 11), "evening", DutyRole::Officer),
            entry("off", d(2026, 3, 9), "day", DutyRole::Leader),
        ];
        let p = check(&batch, &[], &plan, &staff, now);
        let got: Vec<(String, &str)> = p.iter().map(|p| (p.path(), p.code)).collect();
        assert_eq!(
            got,
            vec![
                ("entries[1].staff_id".into(), "duty.unknown_staff"),
                ("entries[2].role".into(), "duty.role_post"),
                ("entries[3].shift".into(), "duty.unknown_shift"),
                ("entries[4].date".into(), "duty.past_shift"),
                ("entries[4].role".into(), "duty.role_post"),
            ]
        );
        let e = refusal(&p).unwrap();
        assert_eq!(e.code, "duty.unknown_staff");
        assert_eq!(e.field.as_deref(), Some("entries[1].staff_id"));
        for p in &p {
            assert!(e.zh.contains(&p.path()) && e.en.contains(&p.path()));
        }
        assert!(refusal(&[]).is_none());
    }

    #[test]
    fn a_shift_that_needs_a_leader_gets_one() {
        let plan = standard_shifts();
        let staff = posts(&[("lead", Post::BrigadeLeader), ("off", Post::Officer)]);
        let alone = vec![entry("off", d(2026, 3, 1), "night", DutyRole::Officer)];
        let p = check(&alone, &[], &plan, &staff, long_ago());
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].code, p[0].path().as_str()),
            ("duty.leader_missing", "entries[0].role")
        );
        // a leader stored already, or in the same batch, satisfies it
        let stored = vec![entry("lead", d(2026, 3, 1), "night", DutyRole::Leader)];
        assert!(check(&alone, &stored, &plan, &staff, long_ago()).is_empty());
        let mut both = alone.clone();
        both.push(stored[0].clone());
        assert!(check(&both, &[], &plan, &staff, long_ago()).is_empty());
        // a plan that does not ask for one does not
        let relaxed: Vec<Shift> = plan
            .into_iter()
            .map(|s| Shift {
                leader_required: false,
                ..s
            })
            .collect();
        assert!(check(&alone, &[], &relaxed, &staff, long_ago()).is_empty());
    }

    #[test]
    fn removal_keeps_history_and_the_last_leader() {
        let plan = standard_shifts();
        let lead = entry("lead", d(2026, 3, 1), "day", DutyRole::Leader);
        let off = entry("off", d(2026, 3, 1), "day", DutyRole::Officer);
        let before = cst(2026, 3, 1, 7, 0);
        assert!(check_removal(&off, std::slice::from_ref(&lead), &plan, before).is_ok());
        let e = check_removal(&lead, std::slice::from_ref(&off), &plan, before).unwrap_err();
        assert_eq!((e.code, e.kind), ("duty.last_leader", ErrorKind::Conflict));
        let lead2 = entry("lead2", d(2026, 3, 1), "day", DutyRole::Leader);
        assert!(check_removal(&lead, &[off.clone(), lead2], &plan, before).is_ok());
        let after = cst(2026, 3, 1, 20, 0);
        let e = check_removal(&off, &[], &plan, after).unwrap_err();
        assert_eq!(e.code, "duty.past_shift");
    }

    #[test]
    fn roles_fit_posts() {
        assert!(DutyRole::Leader.fits(Post::BrigadeLeader));
        assert!(DutyRole::Leader.fits(Post::SquadLeader));
        assert!(!DutyRole::Leader.fits(Post::Officer));
        assert!(DutyRole::Dispatcher.fits(Post::Dispatcher));
        assert!(DutyRole::Dispatcher.fits(Post::Officer));
        assert!(!DutyRole::Officer.fits(Post::Dispatcher));
        for r in DutyRole::ALL {
            assert!(!r.fits(Post::GridWorker));
            assert_eq!(DutyRole::parse(r.as_str()), Some(r));
        }
        assert!(Shift::new("x", "x", "x", hm(8, 0), hm(8, 0), false).is_err());
        assert!(Shift::new(" ", "x", "x", hm(8, 0), hm(9, 0), false).is_err());
    }

    /// A shift in whole minutes of the day; start ≠ end.
    fn arb_shift(code: &'static str) -> impl Strategy<Value = Shift> {
        (0u32..1440, 1u32..1440).prop_map(move |(s, len)| {
            let e = (s + len) % 1440;
            Shift {
                code: code.into(),
                name: code.into(),
                name_en: code.into(),
                starts: hm(s / 60, s % 60),
                ends: hm(e / 60, e % 60),
                leader_required: false,
            }
        })
    }

    proptest! {
        /// The standard plan tiles time: at any instant exactly one shift
        /// runs, `shift_at` finds it, and one person on every shift of the
        /// surrounding days is the only one on duty.
        #[test]
        fn the_standard_plan_has_exactly_one_shift_running(secs in 0i64..(20 * 365 * 86_400)) {
            let plan = standard_shifts();
            let at = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap() + TimeDelta::seconds(secs);
            let today = china_date(at);
            let mut roster = Vec::new();
            for k in -2i64..=2 {
                let date = today + TimeDelta::days(k);
                for s in &plan {
                    roster.push(entry(&format!("{date}/{}", s.code), date, &s.code, DutyRole::Officer));
                }
            }
            let on = on_duty_at(&roster, &plan, at);
            prop_assert_eq!(on.len(), 1);
            let (date, s) = shift_at(&plan, at).unwrap();
            prop_assert!(s.interval(date).contains(at));
            let expected = format!("{date}/{}", s.code);
            prop_assert!(on.contains(expected.as_str()));
            // the next shift begins where this one ends
            let (nd, ns) = next_shift(&plan, date, &s.code).unwrap();
            prop_assert_eq!(ns.interval(nd).start, s.interval(date).end);
        }

        /// The overlap rule agrees with plain wall-clock arithmetic (China
        /// has no daylight saving, so local minutes are exact).
        #[test]
        fn overlaps_are_found_exactly(
            a in arb_shift("a"),
            b in arb_shift("b"),
            da in 0u64..4,
            db in 0u64..4,
        ) {
            let plan = vec![a.clone(), b.clone()];
            let base = d(2026, 5, 1);
            let date_a = base + Days::new(da);
            let date_b = base + Days::new(db);
            let minutes = |s: &Shift, day: u64| {
                let start = day as i64 * 1440 + i64::from(chrono::Timelike::num_seconds_from_midnight(&s.starts) / 60);
                (start, start + s.length().num_minutes())
            };
            let (sa, ea) = minutes(&a, da);
            let (sb, eb) = minutes(&b, db);
            let expected = sa < eb && sb < ea;
            let staff = posts(&[("p", Post::Officer)]);
            let stored = vec![entry("p", date_a, "a", DutyRole::Officer)];
            let batch = vec![entry("p", date_b, "b", DutyRole::Officer)];
            let p = check(&batch, &stored, &plan, &staff, long_ago());
            prop_assert_eq!(p.iter().any(|p| p.code == "duty.overlap"), expected);
            prop_assert_eq!(p.len(), usize::from(expected));
            // the interval is as long as the shift, and begins on its date
            let i = b.interval(date_b);
            prop_assert_eq!(i.end - i.start, b.length());
            prop_assert_eq!(china_date(i.start), date_b);
        }
    }
}
