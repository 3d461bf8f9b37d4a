//! Time conventions: stored in UTC, shown in Asia/Shanghai (UTC+8, no DST).

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};

/// China Standard Time, the zone every date in a decision is read in.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The canonical stored form: RFC 3339 in UTC with microseconds, which sorts
/// lexically in time order on both databases.
pub fn to_storage(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_storage(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The calendar date in China of an instant.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&china()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn storage_form_round_trips_and_sorts() {
        let a = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let b = Utc.with_ymd_and_hms(2026, 10, 2, 3, 4, 5).unwrap();
        assert_eq!(from_storage(&to_storage(a)), Some(a));
        assert!(to_storage(a) < to_storage(b));
    }

    #[test]
    fn china_date_rolls_over_at_sixteen_utc() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap();
        assert_eq!(china_date(t), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    }
}
