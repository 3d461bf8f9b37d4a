//! How the periods of the penalty procedure are counted.
//!
//! * APL Art. 85: the law's "二日", "三日", "五日" and "七日" are **working
//!   days**, not counting statutory holidays. They run on the working-day
//!   [`Calendar`] (with its make-up working days): [`working_days`].
//! * Longer periods (15 days to pay, 90 days to decide, 30 days for service
//!   by public notice, 60 days for reconsideration) are calendar days. As in
//!   every Chinese procedural law, the day of the triggering event is not
//!   counted: a period of `n` days from day `d` ends on `d + n`.
//!   - A period the **party** must keep (paying the fine) that would end on
//!     a rest day ends on the next working day instead, as the procedural
//!     laws provide for periods ending on a holiday: [`party_days`].
//!   - A period the **agency** must keep (deciding within 90 days) is never
//!     moved: [`days_after`]. Moving it would only make a warning late.
//! * Decree 310's "3 日" are counted as calendar days (the decree, unlike
//!   APL Art. 85, does not say working days; counting calendar days is the
//!   stricter reading for the agency).

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

/// The `n`-th working day after `from` (APL Art. 85).
pub fn working_days(cal: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
    cal.add_working_days(from, n)
}

/// `n` calendar days after `from`, the day of `from` not counted, never
/// moved (the agency's periods). Saturates at [`NaiveDate::MAX`].
pub fn days_after(from: NaiveDate, n: u64) -> NaiveDate {
    from.checked_add_days(Days::new(n))
        .unwrap_or(NaiveDate::MAX)
}

/// `n` calendar days after `from` for a period the party keeps: if the last
/// day is not a working day, the period ends on the next working day.
pub fn party_days(cal: &Calendar, from: NaiveDate, n: u64) -> NaiveDate {
    cal.add_working_days(days_after(from, n), 0)
}

/// `n` months after `from` (the end of a shorter month if the day does not
/// exist, e.g. 31 August + 6 months = 28 February).
pub fn months_after(from: NaiveDate, n: u32) -> NaiveDate {
    from.checked_add_months(Months::new(n))
        .unwrap_or(NaiveDate::MAX)
}

/// A span of days during which something stops (a pause of the decision
/// clock, a suspension of the late-payment surcharge).
///
/// The span covers the days **after** `from` up to and including `until`:
/// a pause from 1 April to 21 April stops 20 days. An open span (`until`
/// is `None`) lasts until the day it is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl Span {
    pub fn closed(from: NaiveDate, until: NaiveDate) -> Span {
        Span {
            from,
            until: Some(until),
        }
    }

    pub fn open(from: NaiveDate) -> Span {
        Span { from, until: None }
    }

    /// Whether day `d` lies in the span, an open span reaching to `today`.
    pub fn covers(&self, d: NaiveDate, today: NaiveDate) -> bool {
        self.from < d && d <= self.until.unwrap_or(today)
    }
}

/// How many days in `(lo, hi]` lie in at least one of the spans (overlaps
/// count once); open spans reach to `hi`.
pub fn covered_days(spans: &[Span], lo: NaiveDate, hi: NaiveDate) -> i64 {
    if hi <= lo {
        return 0;
    }
    // Each span as the half-open day range (start, end] clipped to (lo, hi].
    let mut ranges: Vec<(NaiveDate, NaiveDate)> = spans
        .iter()
        .map(|s| (s.from.max(lo), s.until.unwrap_or(hi).min(hi)))
        .filter(|(a, b)| a < b)
        .collect();
    ranges.sort();
    let mut total = 0;
    let mut reached = lo;
    for (a, b) in ranges {
        let start = a.max(reached);
        if b > start {
            total += (b - start).num_days();
            reached = b;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn apl_art85_seven_days_are_working_days() {
        let cal = Calendar::builtin();
        // Friday 25 September 2026: the National Day holiday and the
        // make-up Saturday 10 October lie inside.
        // Working days after it: 28, 29, 30 Sep, 8, 9, 10 (Sat, make-up), 12 Oct.
        assert_eq!(working_days(&cal, d(2026, 9, 25), 7), d(2026, 10, 12));
    }

    #[test]
    fn a_party_period_ending_on_a_holiday_ends_on_the_next_working_day() {
        let cal = Calendar::builtin();
        // 16 September + 15 days = 1 October (National Day) → 8 October.
        assert_eq!(party_days(&cal, d(2026, 9, 16), 15), d(2026, 10, 8));
        // Not moved when it ends on a working day.
        assert_eq!(party_days(&cal, d(2026, 3, 2), 15), d(2026, 3, 17));
        // The agency's period is never moved.
        assert_eq!(days_after(d(2026, 9, 16), 15), d(2026, 10, 1));
    }

    #[test]
    fn spans_count_the_days_after_their_start_once() {
        let lo = d(2026, 3, 1);
        let hi = d(2026, 12, 31);
        let a = Span::closed(d(2026, 4, 1), d(2026, 4, 21));
        assert_eq!(covered_days(&[a], lo, hi), 20);
        // overlapping spans count once
        let b = Span::closed(d(2026, 4, 11), d(2026, 5, 1));
        assert_eq!(covered_days(&[a, b], lo, hi), 30);
        // an open span reaches to `hi`
        assert_eq!(covered_days(&[Span::open(d(2026, 12, 21))], lo, hi), 10);
        // clipped at `lo`
        assert_eq!(covered_days(&[a], d(2026, 4, 11), hi), 10);
    }

    proptest! {
        #[test]
        fn covered_days_never_exceed_the_range(
            a in 0u64..400, la in 0u64..100, b in 0u64..400, lb in 0u64..100, n in 0u64..500
        ) {
            let base = d(2026, 1, 1);
            let spans = [
                Span::closed(days_after(base, a), days_after(base, a + la)),
                Span::closed(days_after(base, b), days_after(base, b + lb)),
            ];
            let hi = days_after(base, n);
            let c = covered_days(&spans, base, hi);
            prop_assert!(c >= 0 && c <= n as i64);
            prop_assert!(c <= (la + lb) as i64);
        }
    }
}
