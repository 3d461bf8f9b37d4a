//! The working-day calendar (工作日历).
//!
//! Deadlines of the command centre's closed loop are counted in working days
//! and working hours on the official Chinese holiday calendar. That calendar
//! is published once a year by the General Office of the State Council
//! (《国务院办公厅关于××年部分节假日安排的通知》) and it moves working days
//! around: some weekdays become days off, and some Saturdays or Sundays
//! become make-up working days (调休上班). It therefore cannot be computed; it
//! is *data*, one [`YearPlan`] per year, which an administrator adds every
//! December when the next year's notice appears.
//!
//! A day is a working day when
//!
//! 1. it is listed as a make-up working day of its year's plan, or else
//! 2. it is not listed as a holiday and falls on Monday to Friday.
//!
//! Years without a plan fall back to plain Monday-to-Friday weeks; use
//! [`Calendar::covers`] to warn when a deadline reaches such a year.
//!
//! All dates and times of day are read in China Standard Time
//! ([`crate::time::china`]); instants are taken and returned in UTC.
//!
//! The built-in data ([`Calendar::builtin`]) holds the official 2025 and
//! 2026 arrangements; each plan names the notice it comes from.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::time::{china, china_date};

/// The official arrangements shipped with the program.
const BUILTIN_JSON: &str = include_str!("../data/holidays-cn.json");

const MICROS_PER_HOUR: f64 = 3_600_000_000.0;

/// One year's official arrangement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearPlan {
    /// The calendar year the plan is for; every date below lies in it.
    pub year: i32,
    /// Days off: every day of each holiday period, including the weekend
    /// days inside a period, so that a weekday moved off is covered too.
    pub holidays: Vec<NaiveDate>,
    /// Make-up working days: Saturdays and Sundays that are working days.
    pub workdays: Vec<NaiveDate>,
    /// Where the arrangement comes from, normally the notice's title and
    /// number and its address on the government website.
    #[serde(default)]
    pub source: String,
}

/// The daily working periods, in China time.
///
/// The default is the usual office day of township organs: 08:30–12:00 in
/// the morning and 14:30–18:00 in the afternoon, 7 hours in all. Both
/// periods are configurable; a period is the closed interval from its first
/// to its second time, so a deadline may fall exactly at 12:00 or 18:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    pub morning: (NaiveTime, NaiveTime),
    pub afternoon: (NaiveTime, NaiveTime),
}

impl Default for WorkingHours {
    /// 08:30–12:00 and 14:30–18:00.
    fn default() -> Self {
        Self {
            morning: (hm(8, 30), hm(12, 0)),
            afternoon: (hm(14, 30), hm(18, 0)),
        }
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time of day")
}

impl WorkingHours {
    /// Working hours from two periods, checked by [`WorkingHours::validate`].
    pub fn new(
        morning: (NaiveTime, NaiveTime),
        afternoon: (NaiveTime, NaiveTime),
    ) -> Result<Self, Error> {
        let wh = Self { morning, afternoon };
        wh.validate()?;
        Ok(wh)
    }

    /// Each period must start before it ends, and the morning must end no
    /// later than the afternoon starts.
    ///
    /// The calendar's functions do not require this (they sort the periods,
    /// merge overlaps and ignore empty ones), but a configuration that breaks
    /// it is almost certainly a mistake.
    pub fn validate(&self) -> Result<(), Error> {
        let (ms, me) = self.morning;
        let (as_, ae) = self.afternoon;
        if ms < me && me <= as_ && as_ < ae {
            Ok(())
        } else {
            Err(Error::invalid(
                "calendar.working_hours",
                "working_hours",
                format!(
                    "工作时间设置有误：上午{ms}至{me}、下午{as_}至{ae}，\
                     每段须开始早于结束，且上午结束不晚于下午开始"
                ),
                format!(
                    "bad working hours: morning {ms}–{me}, afternoon {as_}–{ae}; \
                     each period must start before it ends and the morning \
                     must end no later than the afternoon starts"
                ),
            ))
        }
    }

    /// Working hours in one working day.
    pub fn hours_per_day(&self) -> f64 {
        micros_per_day(&self.periods()) as f64 / MICROS_PER_HOUR
    }

    /// The non-empty periods in time order, overlapping ones merged.
    fn periods(&self) -> Vec<(NaiveTime, NaiveTime)> {
        let mut ps: Vec<_> = [self.morning, self.afternoon]
            .into_iter()
            .filter(|(s, e)| s < e)
            .collect();
        ps.sort();
        let mut merged: Vec<(NaiveTime, NaiveTime)> = Vec::with_capacity(ps.len());
        for (s, e) in ps {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged
    }
}

fn micros_per_day(periods: &[(NaiveTime, NaiveTime)]) -> i64 {
    periods.iter().map(|&(s, e)| micros(e - s)).sum()
}

fn micros(d: TimeDelta) -> i64 {
    d.num_microseconds().unwrap_or(i64::MAX)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn to_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&china()).naive_local()
}

/// The UTC instant of a China wall-clock time; saturates at the end of
/// representable time.
fn from_local(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_local_timezone(china())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The working-day calendar: the loaded [`YearPlan`]s, indexed for lookup.
///
/// `Calendar::default()` has no plans, so every year is plain
/// Monday-to-Friday.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    plans: BTreeMap<i32, YearPlan>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// A calendar from yearly plans.
    ///
    /// Refuses two plans for one year, a date outside its plan's year, a date
    /// that is both a holiday and a make-up working day, and a make-up working
    /// day that is not a Saturday or Sunday; each error names the offending
    /// date or year. Duplicate dates within a list are merged and the lists
    /// are kept sorted.
    pub fn new(plans: Vec<YearPlan>) -> Result<Calendar, Error> {
        let mut cal = Calendar::default();
        for plan in plans {
            let year = plan.year;
            if cal.plans.contains_key(&year) {
                return Err(Error::invalid(
                    "calendar.duplicate_year",
                    "year",
                    format!("工作日历中{year}年的安排重复出现"),
                    format!("the working-day calendar has two plans for {year}"),
                ));
            }
            let holidays: BTreeSet<NaiveDate> = plan.holidays.iter().copied().collect();
            let workdays: BTreeSet<NaiveDate> = plan.workdays.iter().copied().collect();
            for (days, field) in [(&holidays, "holidays"), (&workdays, "workdays")] {
                if let Some(d) = days.iter().find(|d| d.year() != year) {
                    return Err(Error::invalid(
                        "calendar.date_outside_year",
                        field,
                        format!("{year}年的节假日安排中出现了其他年份的日期：{d}"),
                        format!("the {year} holiday plan lists a date of another year: {d}"),
                    ));
                }
            }
            if let Some(d) = holidays.intersection(&workdays).next() {
                return Err(Error::invalid(
                    "calendar.day_conflict",
                    "workdays",
                    format!("{d}既被列为放假日，又被列为调休上班日"),
                    format!("{d} is listed both as a holiday and as a make-up working day"),
                ));
            }
            if let Some(d) = workdays.iter().find(|d| !is_weekend(**d)) {
                return Err(Error::invalid(
                    "calendar.workday_not_weekend",
                    "workdays",
                    format!("调休上班日应为周六或周日，{d}不是"),
                    format!("a make-up working day must be a Saturday or Sunday; {d} is not"),
                ));
            }
            cal.holidays.extend(&holidays);
            cal.workdays.extend(&workdays);
            cal.plans.insert(
                year,
                YearPlan {
                    year,
                    holidays: holidays.into_iter().collect(),
                    workdays: workdays.into_iter().collect(),
                    source: plan.source,
                },
            );
        }
        Ok(cal)
    }

    /// A calendar from its JSON form: an array of [`YearPlan`] objects,
    /// `[{"year": 2026, "holidays": ["2026-01-01", …], "workdays": […],
    /// "source": "…"}, …]`, as in the built-in `data/holidays-cn.json`.
    pub fn from_json(json: &str) -> Result<Calendar, Error> {
        let plans: Vec<YearPlan> = serde_json::from_str(json).map_err(|e| {
            Error::invalid(
                "calendar.json",
                "calendar",
                format!("工作日历数据格式有误：{e}"),
                format!("malformed working-day calendar data: {e}"),
            )
        })?;
        Calendar::new(plans)
    }

    /// The built-in calendar: the official 2025 and 2026 arrangements.
    pub fn builtin() -> Calendar {
        Calendar::from_json(BUILTIN_JSON).expect("the built-in holiday calendar is valid")
    }

    /// Whether a plan for `year` is loaded. Without one, that year is
    /// counted as plain Monday-to-Friday weeks.
    pub fn covers(&self, year: i32) -> bool {
        self.plans.contains_key(&year)
    }

    /// The loaded plans in year order, each with its dates sorted.
    pub fn plans(&self) -> Vec<YearPlan> {
        self.plans.values().cloned().collect()
    }

    /// A make-up working day is a working day; otherwise a holiday is not;
    /// otherwise Monday to Friday are.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            true
        } else if self.holidays.contains(&d) {
            false
        } else {
            !is_weekend(d)
        }
    }

    /// The `n`-th working day after `from`, `from` itself not counted.
    ///
    /// This is how a period of "n working days" runs: it starts on the day
    /// after the triggering event, so from a Friday (a working day) 1 working
    /// day is the next Monday, and from a Saturday it is also the Monday.
    ///
    /// `n = 0` means "today": `from` itself if it is a working day, else the
    /// next working day. The result is therefore never earlier than `from`,
    /// is always a working day, and grows with `n` (strictly for `n ≥ 1`).
    /// For a working day `from`,
    /// `working_days_between(from, add_working_days(from, n)) == n`.
    ///
    /// Saturates at [`NaiveDate::MAX`] if the result is beyond the
    /// representable dates.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            let mut d = from;
            while !self.is_working_day(d) {
                match d.succ_opt() {
                    Some(next) => d = next,
                    None => return NaiveDate::MAX,
                }
            }
            return d;
        }
        // Invariant: the answer is the `remaining`-th working day after `d`.
        let mut d = from;
        let mut remaining = i64::from(n);
        // Jump in whole weeks while far away. A jump of `w` weeks passes at
        // most 7w ≤ 0.7·remaining working days, so it never overshoots.
        while remaining >= 10 {
            let weeks = remaining / 10;
            let Some(to) = d.checked_add_days(Days::new(weeks as u64 * 7)) else {
                return NaiveDate::MAX;
            };
            remaining -= self.working_days_between(d, to);
            d = to;
        }
        while remaining > 0 {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return NaiveDate::MAX,
            }
            if self.is_working_day(d) {
                remaining -= 1;
            }
        }
        d
    }

    /// The number of working days after `a` up to and including `b`, that is
    /// in the half-open range (a, b]; negative when `b` is before `a`
    /// (`working_days_between(b, a) == -working_days_between(a, b)`).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return -self.working_days_between(b, a);
        }
        let days = (b - a).num_days();
        // Any seven consecutive days hold five weekdays.
        let mut count = days / 7 * 5;
        let mut d = a;
        for _ in 0..days % 7 {
            d = d.succ_opt().expect("d < b");
            if !is_weekend(d) {
                count += 1;
            }
        }
        let range = (Bound::Excluded(a), Bound::Included(b));
        let weekdays_off = self
            .holidays
            .range(range)
            .filter(|d| !is_weekend(**d) && !self.workdays.contains(d))
            .count();
        let weekends_on = self
            .workdays
            .range(range)
            .filter(|d| is_weekend(**d))
            .count();
        count - weekdays_off as i64 + weekends_on as i64
    }

    /// The deadline `hours` working hours after the instant `start`,
    /// counting only the working periods `wh` of working days, in China time.
    ///
    /// Starting outside working hours (lunch break, evening, a weekend or a
    /// holiday) counts from the start of the next working period. A deadline
    /// that uses up a period exactly ends at that period's end (say 18:00),
    /// not at the start of the next one. With `hours = 0` the result is
    /// `start` itself when it lies within a working period, else the start
    /// of the next one; the result always lies within a working period of a
    /// working day. Negative or NaN `hours` count as 0; time is counted to
    /// the microsecond.
    ///
    /// If `wh` has no working time at all, any positive `hours` (and a
    /// deadline beyond the representable dates) gives
    /// [`DateTime::<Utc>::MAX_UTC`].
    pub fn add_working_hours(
        &self,
        start: DateTime<Utc>,
        hours: f64,
        wh: &WorkingHours,
    ) -> DateTime<Utc> {
        let periods = wh.periods();
        let per_day = micros_per_day(&periods);
        // `as` saturates: NaN → 0, huge → i64::MAX.
        let mut remaining = (hours.max(0.0) * MICROS_PER_HOUR).round() as i64;
        if per_day == 0 {
            return if remaining == 0 {
                start
            } else {
                DateTime::<Utc>::MAX_UTC
            };
        }
        let mut t = to_local(start);
        let mut day = t.date();
        loop {
            if self.is_working_day(day) {
                if remaining > per_day && t <= day.and_time(periods[0].0) {
                    // Skip the whole working days the deadline certainly
                    // passes, leaving 0 < remaining ≤ per_day.
                    let skip = (remaining - 1) / per_day;
                    let Ok(n) = u32::try_from(skip) else {
                        return DateTime::<Utc>::MAX_UTC;
                    };
                    day = self.add_working_days(day, n);
                    if day == NaiveDate::MAX {
                        return DateTime::<Utc>::MAX_UTC;
                    }
                    remaining -= skip * per_day;
                    t = day.and_time(periods[0].0);
                }
                for &(s, e) in &periods {
                    let (s, e) = (day.and_time(s), day.and_time(e));
                    if t < s {
                        t = s;
                    }
                    if t <= e {
                        let available = micros(e - t);
                        if remaining <= available {
                            return from_local(t + TimeDelta::microseconds(remaining));
                        }
                        remaining -= available;
                        t = e;
                    }
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => return DateTime::<Utc>::MAX_UTC,
            }
            t = day.and_time(NaiveTime::MIN);
        }
    }

    /// Working hours elapsed from `a` to `b` (the working periods `wh` of
    /// working days inside that span), for the share of a time limit used;
    /// negative when `b` is before `a`. It inverts [`add_working_hours`]:
    /// `working_hours_between(s, add_working_hours(s, h, wh), wh) == h`.
    ///
    /// [`add_working_hours`]: Calendar::add_working_hours
    pub fn working_hours_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
        wh: &WorkingHours,
    ) -> f64 {
        if b < a {
            return -self.working_hours_between(b, a, wh);
        }
        let periods = wh.periods();
        let (la, lb) = (to_local(a), to_local(b));
        let (da, db) = (la.date(), lb.date());
        // Working time of `day` within [la, lb].
        let within = |day: NaiveDate| -> i64 {
            if !self.is_working_day(day) {
                return 0;
            }
            periods
                .iter()
                .map(|&(s, e)| {
                    let s = day.and_time(s).max(la);
                    let e = day.and_time(e).min(lb);
                    if s < e { micros(e - s) } else { 0 }
                })
                .sum()
        };
        let total: i128 = if da == db {
            i128::from(within(da))
        } else {
            let last_full = db.pred_opt().expect("db > da");
            let full_days = self.working_days_between(da, last_full);
            i128::from(within(da))
                + i128::from(within(db))
                + i128::from(full_days) * i128::from(micros_per_day(&periods))
        };
        total as f64 / MICROS_PER_HOUR
    }

    /// The deadline `days` working days after `start`: the end of the working
    /// day (the end of the afternoon period) of
    /// `add_working_days(china_date(start), days)`.
    ///
    /// The day of `start` itself is not counted, as in
    /// [`Calendar::add_working_days`]; `days = 0` means the end of today's
    /// working day, or of the next working day if today is not one.
    pub fn deadline_in_days(
        &self,
        start: DateTime<Utc>,
        days: u32,
        wh: &WorkingHours,
    ) -> DateTime<Utc> {
        let day = self.add_working_days(china_date(start), days);
        let end = wh
            .periods()
            .last()
            .map(|&(_, e)| e)
            .unwrap_or(wh.afternoon.1);
        from_local(day.and_time(end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// An instant given as China wall-clock time.
    fn cn(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        china()
            .with_ymd_and_hms(y, m, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn plan(year: i32, holidays: &[NaiveDate], workdays: &[NaiveDate]) -> YearPlan {
        YearPlan {
            year,
            holidays: holidays.to_vec(),
            workdays: workdays.to_vec(),
            source: String::new(),
        }
    }

    fn within_working_period(cal: &Calendar, t: DateTime<Utc>, wh: &WorkingHours) -> bool {
        let local = to_local(t);
        cal.is_working_day(local.date())
            && wh
                .periods()
                .iter()
                .any(|&(s, e)| (s..=e).contains(&local.time()))
    }

    /// Day-by-day reference for `add_working_days`.
    fn add_working_days_naive(cal: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        if n == 0 {
            while !cal.is_working_day(d) {
                d = d.succ_opt().unwrap();
            }
            return d;
        }
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap();
            if cal.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    #[test]
    fn builtin_data_covers_2025_and_2026_with_sources() {
        let cal = Calendar::builtin();
        assert!(cal.covers(2025) && cal.covers(2026));
        assert!(!cal.covers(2024) && !cal.covers(2027));
        let plans = cal.plans();
        assert_eq!(plans.len(), 2);
        assert!(plans[0].source.contains("国办发明电〔2024〕12号"));
        assert!(plans[1].source.contains("国办发明电〔2025〕7号"));
        assert_eq!(
            plans[0].workdays,
            [
                date(2025, 1, 26),
                date(2025, 2, 8),
                date(2025, 4, 27),
                date(2025, 9, 28),
                date(2025, 10, 11)
            ]
        );
        assert_eq!(
            plans[1].workdays,
            [
                date(2026, 1, 4),
                date(2026, 2, 14),
                date(2026, 2, 28),
                date(2026, 5, 9),
                date(2026, 9, 20),
                date(2026, 10, 10)
            ]
        );
        assert_eq!(plans[0].holidays.len(), 28);
        assert_eq!(plans[1].holidays.len(), 33);
    }

    #[test]
    fn plans_round_trip_through_json() {
        let cal = Calendar::builtin();
        let json = serde_json::to_string(&cal.plans()).unwrap();
        assert_eq!(Calendar::from_json(&json).unwrap().plans(), cal.plans());
    }

    #[test]
    fn plain_weeks_without_plans() {
        let cal = Calendar::default();
        assert!(cal.is_working_day(date(2026, 10, 1)));
        assert!(!cal.is_working_day(date(2026, 10, 10)));
        // Friday + 1 → Monday.
        assert_eq!(cal.add_working_days(date(2027, 3, 5), 1), date(2027, 3, 8));
    }

    #[test]
    fn national_day_2026_deadline_skips_the_holiday_and_counts_the_make_up_saturday() {
        let cal = Calendar::builtin();
        // 10月1日（周四）至7日（周三）放假；9月20日（周日）、10月10日（周六）上班。
        let last_before = date(2026, 9, 30);
        assert_eq!(last_before.weekday(), Weekday::Wed);
        assert!(cal.is_working_day(last_before));
        for d in 1..=7 {
            assert!(!cal.is_working_day(date(2026, 10, d)), "2026-10-{d}");
        }
        assert_eq!(cal.add_working_days(last_before, 1), date(2026, 10, 8));
        assert_eq!(cal.add_working_days(last_before, 2), date(2026, 10, 9));
        let third = cal.add_working_days(last_before, 3);
        assert_eq!(third, date(2026, 10, 10));
        assert_eq!(third.weekday(), Weekday::Sat);
        assert_eq!(cal.working_days_between(last_before, third), 3);
        let wh = WorkingHours::default();
        assert_eq!(
            cal.deadline_in_days(cn(2026, 9, 30, 10, 0), 3, &wh),
            cn(2026, 10, 10, 18, 0)
        );
    }

    #[test]
    fn mid_autumn_2026_and_the_make_up_sunday_before_national_day() {
        let cal = Calendar::builtin();
        // 9月20日（周日）上班.
        assert_eq!(date(2026, 9, 20).weekday(), Weekday::Sun);
        assert!(cal.is_working_day(date(2026, 9, 20)));
        assert_eq!(
            cal.add_working_days(date(2026, 9, 18), 1),
            date(2026, 9, 20)
        );
        // 中秋节 9月25日（周五）至27日（周日）放假.
        assert!(!cal.is_working_day(date(2026, 9, 25)));
        assert_eq!(
            cal.add_working_days(date(2026, 9, 24), 1),
            date(2026, 9, 28)
        );
    }

    #[test]
    fn national_day_2025_deadline_skips_eight_days_off_and_counts_both_make_up_days() {
        let cal = Calendar::builtin();
        // 10月1日（周三）至8日（周三）放假；9月28日（周日）、10月11日（周六）上班。
        for d in 1..=8 {
            assert!(!cal.is_working_day(date(2025, 10, d)), "2025-10-{d}");
        }
        assert_eq!(date(2025, 9, 28).weekday(), Weekday::Sun);
        assert!(cal.is_working_day(date(2025, 9, 28)));
        assert_eq!(date(2025, 10, 11).weekday(), Weekday::Sat);
        assert!(cal.is_working_day(date(2025, 10, 11)));
        assert!(!cal.is_working_day(date(2025, 10, 12)));

        let last_before = date(2025, 9, 30);
        assert_eq!(cal.add_working_days(last_before, 1), date(2025, 10, 9));
        assert_eq!(cal.add_working_days(last_before, 3), date(2025, 10, 11));
        assert_eq!(cal.add_working_days(last_before, 4), date(2025, 10, 13));
        // From Friday 26 September the next working day is Sunday the 28th.
        assert_eq!(
            cal.add_working_days(date(2025, 9, 26), 1),
            date(2025, 9, 28)
        );
        // (Sep 26, Oct 11]: Sep 28, 29, 30, Oct 9, 10, 11.
        assert_eq!(
            cal.working_days_between(date(2025, 9, 26), date(2025, 10, 11)),
            6
        );
    }

    #[test]
    fn spring_festival_2026_with_make_up_saturdays() {
        let cal = Calendar::builtin();
        // 2月15日至23日放假；2月14日（周六）、2月28日（周六）上班。
        assert!(cal.is_working_day(date(2026, 2, 14)));
        assert!(cal.is_working_day(date(2026, 2, 28)));
        assert!(!cal.is_working_day(date(2026, 2, 23)));
        let friday = date(2026, 2, 13);
        assert_eq!(cal.add_working_days(friday, 1), date(2026, 2, 14));
        assert_eq!(cal.add_working_days(friday, 2), date(2026, 2, 24));
        assert_eq!(cal.add_working_days(friday, 6), date(2026, 2, 28));
        assert_eq!(cal.working_days_between(friday, date(2026, 2, 28)), 6);
        assert_eq!(cal.working_days_between(date(2026, 2, 28), friday), -6);
    }

    #[test]
    fn spring_festival_2025_with_make_up_sunday_and_saturday() {
        let cal = Calendar::builtin();
        // 1月28日至2月4日放假；1月26日（周日）、2月8日（周六）上班。
        let friday = date(2025, 1, 24);
        assert_eq!(cal.add_working_days(friday, 1), date(2025, 1, 26));
        assert_eq!(cal.add_working_days(friday, 2), date(2025, 1, 27));
        assert_eq!(cal.add_working_days(friday, 3), date(2025, 2, 5));
        assert_eq!(cal.add_working_days(date(2025, 2, 7), 1), date(2025, 2, 8));
    }

    #[test]
    fn new_year_2026_make_up_sunday_follows_the_year_change() {
        let cal = Calendar::builtin();
        // 1月1日至3日放假；1月4日（周日）上班。
        assert_eq!(
            cal.add_working_days(date(2025, 12, 31), 1),
            date(2026, 1, 4)
        );
        assert_eq!(
            cal.add_working_days(date(2025, 12, 31), 2),
            date(2026, 1, 5)
        );
    }

    #[test]
    fn zero_working_days_is_today_or_the_next_working_day() {
        let cal = Calendar::builtin();
        assert_eq!(cal.add_working_days(date(2026, 3, 4), 0), date(2026, 3, 4));
        assert_eq!(cal.add_working_days(date(2026, 3, 7), 0), date(2026, 3, 9));
        assert_eq!(
            cal.add_working_days(date(2026, 10, 1), 0),
            date(2026, 10, 8)
        );
        // From a Saturday, 0 and 1 working days both give Monday.
        assert_eq!(cal.add_working_days(date(2026, 3, 7), 1), date(2026, 3, 9));
    }

    #[test]
    fn working_hours_skip_the_lunch_break() {
        let cal = Calendar::builtin();
        let wh = WorkingHours::default();
        // Monday 2 March 2026: 11:00–12:00, then 14:30–15:30.
        let start = cn(2026, 3, 2, 11, 0);
        let end = cal.add_working_hours(start, 2.0, &wh);
        assert_eq!(end, cn(2026, 3, 2, 15, 30));
        assert_eq!(cal.working_hours_between(start, end, &wh), 2.0);
        // Using the morning up exactly ends at noon, not at 14:30.
        assert_eq!(
            cal.add_working_hours(cn(2026, 3, 2, 8, 30), 3.5, &wh),
            cn(2026, 3, 2, 12, 0)
        );
        // Starting in the lunch break counts from 14:30.
        assert_eq!(
            cal.add_working_hours(cn(2026, 3, 2, 13, 0), 1.0, &wh),
            cn(2026, 3, 2, 15, 30)
        );
    }

    #[test]
    fn working_hours_carry_over_the_evening() {
        let cal = Calendar::builtin();
        let wh = WorkingHours::default();
        let start = cn(2026, 3, 2, 17, 0);
        let end = cal.add_working_hours(start, 2.0, &wh);
        assert_eq!(end, cn(2026, 3, 3, 9, 30));
        assert_eq!(cal.working_hours_between(start, end, &wh), 2.0);
        // Starting in the evening with nothing to add: next morning 08:30.
        assert_eq!(
            cal.add_working_hours(cn(2026, 3, 2, 20, 0), 0.0, &wh),
            cn(2026, 3, 3, 8, 30)
        );
        // Inside working hours, zero hours is the start itself.
        assert_eq!(
            cal.add_working_hours(cn(2026, 3, 2, 10, 15), 0.0, &wh),
            cn(2026, 3, 2, 10, 15)
        );
    }

    #[test]
    fn working_hours_skip_the_weekend() {
        let cal = Calendar::builtin();
        let wh = WorkingHours::default();
        // Friday 6 March 2026 17:00 + 2h → Monday 9 March 09:30.
        let start = cn(2026, 3, 6, 17, 0);
        let end = cal.add_working_hours(start, 2.0, &wh);
        assert_eq!(end, cn(2026, 3, 9, 9, 30));
        assert_eq!(cal.working_hours_between(start, end, &wh), 2.0);
        // Starting on Saturday counts from Monday morning.
        assert_eq!(
            cal.add_working_hours(cn(2026, 3, 7, 10, 0), 1.0, &wh),
            cn(2026, 3, 9, 9, 30)
        );
        // A full working week is 35 hours: Monday 08:30 → Friday 18:00.
        assert_eq!(
            cal.add_working_hours(cn(2026, 3, 9, 8, 30), 35.0, &wh),
            cn(2026, 3, 13, 18, 0)
        );
    }

    #[test]
    fn working_hours_skip_the_national_day_holiday_and_use_the_make_up_saturday() {
        let cal = Calendar::builtin();
        let wh = WorkingHours::default();
        // Wednesday 30 September 2026 17:00: 1h that day, then 7h on
        // Thursday 8 October ending exactly at 18:00.
        let start = cn(2026, 9, 30, 17, 0);
        let end = cal.add_working_hours(start, 8.0, &wh);
        assert_eq!(end, cn(2026, 10, 8, 18, 0));
        assert_eq!(cal.working_hours_between(start, end, &wh), 8.0);
        assert_eq!(
            cal.add_working_hours(start, 9.0, &wh),
            cn(2026, 10, 9, 9, 30)
        );
        // Friday 9 October 17:00 + 2h → Saturday 10 October (make-up) 09:30.
        assert_eq!(
            cal.add_working_hours(cn(2026, 10, 9, 17, 0), 2.0, &wh),
            cn(2026, 10, 10, 9, 30)
        );
        // The holiday itself contributes nothing.
        assert_eq!(
            cal.working_hours_between(cn(2026, 10, 1, 0, 0), cn(2026, 10, 8, 0, 0), &wh),
            0.0
        );
    }

    #[test]
    fn custom_working_hours_are_respected() {
        let cal = Calendar::builtin();
        let wh = WorkingHours::new((hm(9, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))).unwrap();
        assert_eq!(wh.hours_per_day(), 7.0);
        assert_eq!(
            cal.add_working_hours(cn(2026, 3, 2, 11, 0), 2.0, &wh),
            cn(2026, 3, 2, 14, 0)
        );
        assert_eq!(
            cal.deadline_in_days(cn(2026, 3, 2, 11, 0), 1, &wh),
            cn(2026, 3, 3, 17, 0)
        );
    }

    #[test]
    fn default_working_hours_are_0830_to_1200_and_1430_to_1800() {
        let wh = WorkingHours::default();
        assert_eq!(wh.morning, (hm(8, 30), hm(12, 0)));
        assert_eq!(wh.afternoon, (hm(14, 30), hm(18, 0)));
        assert_eq!(wh.hours_per_day(), 7.0);
        assert!(wh.validate().is_ok());
    }

    #[test]
    fn working_hours_refuse_overlapping_or_reversed_periods() {
        let err = WorkingHours::new((hm(8, 30), hm(15, 0)), (hm(14, 30), hm(18, 0))).unwrap_err();
        assert_eq!(err.code, "calendar.working_hours");
        assert!(WorkingHours::new((hm(12, 0), hm(8, 30)), (hm(14, 30), hm(18, 0))).is_err());
    }

    #[test]
    fn deadline_in_days_ends_at_the_close_of_the_working_day() {
        let cal = Calendar::builtin();
        let wh = WorkingHours::default();
        // Started late on Friday 13 Feb 2026: 1 day → Saturday 14 Feb (make-up).
        assert_eq!(
            cal.deadline_in_days(cn(2026, 2, 13, 20, 0), 1, &wh),
            cn(2026, 2, 14, 18, 0)
        );
        // The China date is what counts: 23:30 UTC on 30 Sep is 1 Oct in China.
        let start = Utc.with_ymd_and_hms(2025, 9, 30, 23, 30, 0).unwrap();
        assert_eq!(cal.deadline_in_days(start, 1, &wh), cn(2025, 10, 9, 18, 0));
    }

    #[test]
    fn new_refuses_a_date_that_is_both_holiday_and_workday_naming_it() {
        let d = date(2025, 10, 4);
        let err = Calendar::new(vec![plan(2025, &[date(2025, 10, 1), d], &[d])]).unwrap_err();
        assert_eq!(err.code, "calendar.day_conflict");
        assert_eq!(err.kind, crate::ErrorKind::Invalid);
        assert!(err.zh.contains("2025-10-04"), "{}", err.zh);
        assert!(err.en.contains("2025-10-04"), "{}", err.en);
    }

    #[test]
    fn new_refuses_a_date_outside_its_plans_year() {
        let err = Calendar::new(vec![plan(2025, &[date(2026, 1, 1)], &[])]).unwrap_err();
        assert_eq!(err.code, "calendar.date_outside_year");
        assert!(err.en.contains("2026-01-01"));
        assert_eq!(err.field.as_deref(), Some("holidays"));
    }

    #[test]
    fn new_refuses_two_plans_for_a_year_and_a_weekday_make_up_day() {
        let err = Calendar::new(vec![plan(2025, &[], &[]), plan(2025, &[], &[])]).unwrap_err();
        assert_eq!(err.code, "calendar.duplicate_year");
        // 2025-10-09 is a Thursday.
        let err = Calendar::new(vec![plan(2025, &[], &[date(2025, 10, 9)])]).unwrap_err();
        assert_eq!(err.code, "calendar.workday_not_weekend");
        assert!(err.zh.contains("2025-10-09"));
    }

    #[test]
    fn from_json_refuses_unknown_fields_and_bad_dates() {
        let typo = r#"[{"year":2025,"holidays":[],"workday":["2025-09-28"]}]"#;
        assert_eq!(Calendar::from_json(typo).unwrap_err().code, "calendar.json");
        let bad = r#"[{"year":2025,"holidays":["2025-02-30"],"workdays":[]}]"#;
        assert_eq!(Calendar::from_json(bad).unwrap_err().code, "calendar.json");
        let ok = r#"[{"year":2025,"holidays":["2025-10-01"],"workdays":[]}]"#;
        let cal = Calendar::from_json(ok).unwrap();
        assert_eq!(cal.plans()[0].source, "");
    }

    #[test]
    fn huge_counts_saturate_instead_of_panicking() {
        let cal = Calendar::builtin();
        assert_eq!(
            cal.add_working_days(date(2026, 1, 5), u32::MAX),
            NaiveDate::MAX
        );
        let wh = WorkingHours::default();
        assert_eq!(
            cal.add_working_hours(cn(2026, 1, 5, 9, 0), f64::INFINITY, &wh),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(
            cal.add_working_hours(cn(2026, 1, 5, 9, 0), f64::NAN, &wh),
            cn(2026, 1, 5, 9, 0)
        );
    }

    /// Instants from 2025-01-01 00:00 to 2026-12-31 24:00 China time.
    fn instant_2025_2026() -> impl Strategy<Value = DateTime<Utc>> {
        let lo = cn(2025, 1, 1, 0, 0).timestamp();
        let hi = cn(2027, 1, 1, 0, 0).timestamp();
        (lo..hi).prop_map(|s| DateTime::<Utc>::from_timestamp(s, 0).unwrap())
    }

    proptest! {
        #[test]
        fn day_deadlines_never_fall_on_a_non_working_day(
            start in instant_2025_2026(),
            n in 0u32..30,
        ) {
            let cal = Calendar::builtin();
            let wh = WorkingHours::default();
            let d = cal.add_working_days(china_date(start), n);
            prop_assert!(cal.is_working_day(d));
            let deadline = cal.deadline_in_days(start, n, &wh);
            prop_assert_eq!(china_date(deadline), d);
            prop_assert!(within_working_period(&cal, deadline, &wh));
        }

        #[test]
        fn hour_deadlines_fall_inside_working_hours_and_invert(
            start in instant_2025_2026(),
            hours in prop_oneof![(0u32..200).prop_map(f64::from), 0.0f64..200.0],
        ) {
            let cal = Calendar::builtin();
            let wh = WorkingHours::default();
            let deadline = cal.add_working_hours(start, hours, &wh);
            prop_assert!(deadline >= start);
            prop_assert!(within_working_period(&cal, deadline, &wh), "{}", deadline);
            let used = cal.working_hours_between(start, deadline, &wh);
            prop_assert!((used - hours).abs() < 1e-6, "{} vs {}", used, hours);
        }

        #[test]
        fn add_working_days_is_monotonic_in_n(
            start in instant_2025_2026(),
            n in 0u32..30,
        ) {
            let cal = Calendar::builtin();
            let from = china_date(start);
            let a = cal.add_working_days(from, n);
            let b = cal.add_working_days(from, n + 1);
            prop_assert!(a >= from);
            if n == 0 && !cal.is_working_day(from) {
                prop_assert_eq!(a, b);
            } else {
                prop_assert!(a < b);
            }
        }

        #[test]
        fn working_days_between_counts_back_what_was_added(
            start in instant_2025_2026(),
            n in 0u32..30,
        ) {
            let cal = Calendar::builtin();
            let from = china_date(start);
            prop_assume!(cal.is_working_day(from));
            let to = cal.add_working_days(from, n);
            prop_assert_eq!(cal.working_days_between(from, to), i64::from(n));
            prop_assert_eq!(cal.working_days_between(to, from), -i64::from(n));
        }

        #[test]
        fn add_working_days_matches_counting_day_by_day(
            start in instant_2025_2026(),
            n in 0u32..2000,
        ) {
            let cal = Calendar::builtin();
            let from = china_date(start);
            prop_assert_eq!(
                cal.add_working_days(from, n),
                add_working_days_naive(&cal, from, n)
            );
        }
    }
}
