//! Triage hints for the dispatcher: emergency signals in a report's text,
//! matters that belong to another platform, and duplicates of an earlier
//! sighting.
//!
//! The word lists are plain substring matches on the text with whitespace
//! removed. They only *suggest*: the dispatcher decides the urgency and
//! whether to hand a report over. Emergency signals should be checked first,
//! since an emergency text may also contain a service word such as 求助.

use chrono::{DateTime, Duration, Utc};

use super::Platform;

/// Fire (火情).
pub const FIRE_WORDS: &[&str] = &["火灾", "起火", "着火", "冒烟", "火情"];
/// Flood and waterlogging (汛情).
pub const FLOOD_WORDS: &[&str] = &["洪水", "内涝", "溃堤", "决口"];
/// Safety hazards: collapse, gas leaks, electrocution, hazardous chemicals.
pub const SAFETY_WORDS: &[&str] = &["坍塌", "倒塌", "燃气泄漏", "煤气泄漏", "触电", "危化品"];
/// Mass incidents (群体性事件): gatherings, blockades, clashes.
pub const MASS_INCIDENT_WORDS: &[&str] = &["群体性", "聚集", "围堵", "冲突"];

/// The emergency categories, in the order [`emergency_signals`] reports them.
pub const EMERGENCY_SIGNALS: &[(&str, &[&str])] = &[
    ("fire", FIRE_WORDS),
    ("flood", FLOOD_WORDS),
    ("safety", SAFETY_WORDS),
    ("mass_incident", MASS_INCIDENT_WORDS),
];

/// Disputes for the comprehensive governance platform (综治: mediation).
pub const GOVERNANCE_WORDS: &[&str] = &["纠纷", "吵架", "邻里", "家庭矛盾", "欠薪"];
/// Requests for the convenience services platform (便民服务).
pub const SERVICE_WORDS: &[&str] = &["办证", "咨询", "求助", "低保", "医保", "社保"];

fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn mentions(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// Which emergency categories the text mentions: any of `"fire"`,
/// `"flood"`, `"safety"`, `"mass_incident"`, in that order, each once.
pub fn emergency_signals(text: &str) -> Vec<&'static str> {
    let text = compact(text);
    EMERGENCY_SIGNALS
        .iter()
        .filter(|(_, words)| mentions(&text, words))
        .map(|(category, _)| *category)
        .collect()
}

/// The platform a non-enforcement matter belongs to: disputes to
/// governance, service requests to the service platform (governance wins
/// when both appear); `None` when neither list matches.
pub fn non_enforcement(text: &str) -> Option<Platform> {
    let text = compact(text);
    if mentions(&text, GOVERNANCE_WORDS) {
        Some(Platform::Governance)
    } else if mentions(&text, SERVICE_WORDS) {
        Some(Platform::Service)
    } else {
        None
    }
}

/// Where and when a matter was seen, and the list item it was classified
/// under (if any). Coordinates in degrees, all in one datum.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    pub lon: f64,
    pub lat: f64,
    pub at: DateTime<Utc>,
    pub item_code: Option<String>,
}

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres (haversine).
pub fn distance_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Whether `new` repeats `earlier`: the same list item (both classified and
/// equal), at most `max_m` metres apart and at most `max_age` apart in time
/// (either order, so a late-delivered report still matches). Both bounds are
/// inclusive. Unclassified sightings are never duplicates: the dispatcher
/// links those by hand.
pub fn is_duplicate(new: &Sighting, earlier: &Sighting, max_m: f64, max_age: Duration) -> bool {
    let same_item = match (&new.item_code, &earlier.item_code) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    if !same_item {
        return false;
    }
    let apart = (new.at - earlier.at).abs();
    if apart > max_age {
        return false;
    }
    // NaN coordinates give a NaN distance, which is never within reach.
    distance_m(new.lon, new.lat, earlier.lon, earlier.lat) <= max_m
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn emergency_words() {
        assert_eq!(emergency_signals("菜市场东侧仓库起火，浓烟很大"), ["fire"]);
        assert_eq!(emergency_signals("村口有人冒 烟"), ["fire"]);
        assert_eq!(emergency_signals("暴雨后低洼处严重内涝"), ["flood"]);
        assert_eq!(emergency_signals("河堤决口"), ["flood"]);
        assert_eq!(emergency_signals("老房子倒塌，疑似燃气泄漏"), ["safety"]);
        assert_eq!(emergency_signals("有人触电"), ["safety"]);
        assert_eq!(
            emergency_signals("工地门口几十人聚集围堵"),
            ["mass_incident"]
        );
        assert_eq!(
            emergency_signals("群体性冲突中有车辆着火，围墙坍塌"),
            ["fire", "safety", "mass_incident"]
        );
        for (_, words) in EMERGENCY_SIGNALS {
            for w in *words {
                assert_eq!(emergency_signals(w).len(), 1, "{w}");
            }
        }
        assert!(emergency_signals("人行道上有流动摊贩占道经营").is_empty());
        assert!(emergency_signals("").is_empty());
    }

    #[test]
    fn other_platforms() {
        assert_eq!(
            non_enforcement("邻里之间因噪音吵架"),
            Some(Platform::Governance)
        );
        assert_eq!(non_enforcement("工人讨要欠薪"), Some(Platform::Governance));
        assert_eq!(non_enforcement("家庭 矛盾"), Some(Platform::Governance));
        assert_eq!(non_enforcement("咨询低保怎么申请"), Some(Platform::Service));
        assert_eq!(non_enforcement("想办证"), Some(Platform::Service));
        assert_eq!(non_enforcement("医保报销"), Some(Platform::Service));
        // A dispute that also asks for help is still a dispute.
        assert_eq!(non_enforcement("土地纠纷求助"), Some(Platform::Governance));
        for w in GOVERNANCE_WORDS {
            assert_eq!(non_enforcement(w), Some(Platform::Governance), "{w}");
        }
        for w in SERVICE_WORDS {
            assert_eq!(non_enforcement(w), Some(Platform::Service), "{w}");
        }
        assert_eq!(non_enforcement("河道有人倾倒建筑垃圾"), None);
    }

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 8, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn sighting(lat: f64, min: i64, item: Option<&str>) -> Sighting {
        Sighting {
            lon: 120.15,
            lat,
            at: at(min),
            item_code: item.map(Into::into),
        }
    }

    /// Degrees of latitude for `m` metres along a meridian.
    fn north(m: f64) -> f64 {
        (m / EARTH_RADIUS_M).to_degrees()
    }

    #[test]
    fn haversine_distance() {
        assert_eq!(distance_m(120.0, 30.0, 120.0, 30.0), 0.0);
        let d = distance_m(120.0, 30.0, 120.0, 30.0 + north(100.0));
        assert!((d - 100.0).abs() < 1e-6, "{d}");
        // One degree of longitude on the equator ≈ 111.195 km.
        let d = distance_m(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111_195.08).abs() < 1.0, "{d}");
        // Antipodes: half the circumference.
        let d = distance_m(0.0, 0.0, 180.0, 0.0);
        assert!((d - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1e-3);
    }

    #[test]
    fn duplicate_at_the_distance_boundary() {
        let first = sighting(30.25, 0, Some("A01"));
        let max_age = Duration::hours(2);
        let near = sighting(30.25 + north(49.9), 10, Some("A01"));
        let far = sighting(30.25 + north(50.1), 10, Some("A01"));
        assert!(is_duplicate(&near, &first, 50.0, max_age));
        assert!(!is_duplicate(&far, &first, 50.0, max_age));
        let same_place = sighting(30.25, 10, Some("A01"));
        assert!(is_duplicate(&same_place, &first, 0.0, max_age));
    }

    #[test]
    fn duplicate_at_the_time_boundary() {
        let first = sighting(30.25, 0, Some("A01"));
        let max_age = Duration::minutes(120);
        assert!(is_duplicate(
            &sighting(30.25, 120, Some("A01")),
            &first,
            50.0,
            max_age
        ));
        let mut late = sighting(30.25, 120, Some("A01"));
        late.at += Duration::seconds(1);
        assert!(!is_duplicate(&late, &first, 50.0, max_age));
        // A report delivered out of order still matches.
        assert!(is_duplicate(
            &sighting(30.25, -120, Some("A01")),
            &first,
            50.0,
            max_age
        ));
        assert!(!is_duplicate(
            &sighting(30.25, -121, Some("A01")),
            &first,
            50.0,
            max_age
        ));
    }

    #[test]
    fn duplicate_needs_the_same_classified_item() {
        let first = sighting(30.25, 0, Some("A01"));
        let age = Duration::hours(1);
        assert!(!is_duplicate(
            &sighting(30.25, 1, Some("A02")),
            &first,
            50.0,
            age
        ));
        assert!(!is_duplicate(&sighting(30.25, 1, None), &first, 50.0, age));
        let unclassified = sighting(30.25, 0, None);
        assert!(!is_duplicate(
            &sighting(30.25, 1, None),
            &unclassified,
            50.0,
            age
        ));
        let mut nan = sighting(30.25, 1, Some("A01"));
        nan.lon = f64::NAN;
        assert!(!is_duplicate(&nan, &first, 50.0, age));
    }
}
