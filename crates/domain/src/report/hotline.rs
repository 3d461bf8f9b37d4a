//! Records of the 12345 government service hotline (12345 政务服务便民热线),
//! handed to the township in batches as a spreadsheet. Columns are matched
//! by their Chinese (or English) header; every bad row is named with its
//! row number, and a batch is taken whole or not at all.
//!
//! The caller's telephone number is not read: the one net needs the place
//! and the matter, and a number is personal data the hotline keeps.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One record, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotlineRecord {
    /// The hotline's ticket number (工单编号): the retry key, so a batch
    /// imported twice creates each report once.
    pub ticket: String,
    pub received_at: DateTime<Utc>,
    pub content: String,
    pub address: String,
    pub lon: f64,
    pub lat: f64,
    /// wgs84, gcj02 or bd09 (default gcj02: the hotline's map is Gaode's).
    pub crs: String,
    pub category: String,
}

/// A bad row: its spreadsheet number (the header is row 1), the column and
/// why, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub ticket: Option<String>,
    pub field: String,
    pub zh: String,
    pub en: String,
}

/// (key, headers accepted, required)
const COLUMNS: &[(&str, &[&str], bool)] = &[
    ("ticket", &["工单编号", "工单号", "ticket"], true),
    (
        "received_at",
        &["受理时间", "来电时间", "received_at"],
        true,
    ),
    ("content", &["诉求内容", "内容", "content"], true),
    ("address", &["事发地址", "地址", "address"], false),
    ("lon", &["经度", "lon", "longitude"], true),
    ("lat", &["纬度", "lat", "latitude"], true),
    ("crs", &["坐标系", "crs"], false),
    ("category", &["诉求类型", "类别", "category"], false),
];

fn key_of(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}');
    COLUMNS
        .iter()
        .find(|(_, names, _)| names.iter().any(|n| n.eq_ignore_ascii_case(h)))
        .map(|(k, _, _)| *k)
}

/// Read a batch: the header row and the data rows as text cells.
pub fn parse(headers: &[String], rows: &[Vec<String>]) -> (Vec<HotlineRecord>, Vec<RowError>) {
    let keys: Vec<Option<&str>> = headers.iter().map(|h| key_of(h)).collect();
    let mut errors = Vec::new();
    for (k, names, required) in COLUMNS {
        if *required && !keys.contains(&Some(*k)) {
            errors.push(RowError {
                row: 1,
                ticket: None,
                field: k.to_string(),
                zh: format!("缺少必需的列“{}”", names[0]),
                en: format!("the required column “{}” ({k}) is missing", names[0]),
            });
        }
    }
    if !errors.is_empty() {
        return (vec![], errors);
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let n = i + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |k: &str| -> String {
            keys.iter()
                .position(|x| *x == Some(k))
                .and_then(|p| row.get(p))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let ticket = get("ticket");
        let mut fail = |field: &str, zh: String, en: String| {
            errors.push(RowError {
                row: n,
                ticket: (!ticket.is_empty()).then(|| ticket.clone()),
                field: field.into(),
                zh,
                en,
            })
        };
        let mut ok = true;
        for (k, names, required) in COLUMNS {
            if *required && get(k).is_empty() {
                fail(k, format!("“{}”为空", names[0]), format!("{k} is empty"));
                ok = false;
            }
        }
        if !ticket.is_empty() {
            if let Some(first) = seen.get(&ticket) {
                fail(
                    "ticket",
                    format!("工单编号 {ticket} 与第 {first} 行重复"),
                    format!("ticket {ticket} repeats row {first}"),
                );
                ok = false;
            } else {
                seen.insert(ticket.clone(), n);
            }
        }
        let received = parse_time(&get("received_at"));
        if received.is_none() && !get("received_at").is_empty() {
            fail(
                "received_at",
                format!(
                    "受理时间“{}”无法识别（如 2026-11-28 09:30）",
                    get("received_at")
                ),
                format!(
                    "received_at `{}` is not a time (e.g. 2026-11-28 09:30)",
                    get("received_at")
                ),
            );
            ok = false;
        }
        let num = |k: &str, lo: f64, hi: f64| {
            get(k).parse::<f64>().ok().filter(|v| (lo..=hi).contains(v))
        };
        let (lon, lat) = (num("lon", 73.0, 136.0), num("lat", 3.0, 54.0));
        for (k, v) in [("lon", lon), ("lat", lat)] {
            if v.is_none() && !get(k).is_empty() {
                fail(
                    k,
                    format!("坐标“{}”不是中国境内的经纬度", get(k)),
                    format!("{k} `{}` is not a coordinate within China", get(k)),
                );
                ok = false;
            }
        }
        let crs = match get("crs").to_ascii_lowercase().as_str() {
            "" => "gcj02".to_string(),
            c @ ("wgs84" | "gcj02" | "bd09" | "cgcs2000") => c.replace("cgcs2000", "wgs84"),
            other => {
                fail(
                    "crs",
                    format!("坐标系“{other}”无效，可选 wgs84、gcj02、bd09"),
                    format!("crs `{other}` is not wgs84, gcj02 or bd09"),
                );
                ok = false;
                String::new()
            }
        };
        let content = get("content");
        if content.chars().count() > 4000 {
            fail(
                "content",
                "诉求内容超过 4000 字".into(),
                "content is longer than 4000 characters".into(),
            );
            ok = false;
        }
        if let (true, Some(received_at), Some(lon), Some(lat)) = (ok, received, lon, lat) {
            out.push(HotlineRecord {
                ticket: ticket.clone(),
                received_at,
                content,
                address: get("address"),
                lon,
                lat,
                crs,
                category: get("category"),
            });
        }
    }
    (out, errors)
}

/// RFC 3339, or a hotline's local time `2026-11-28 09:30[:00]` (China time).
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Some(t) = crate::time::from_storage(s) {
        return Some(t);
    }
    let s = s.replace('/', "-");
    let local = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(&s, f).ok())?;
    let china = chrono::FixedOffset::east_opt(8 * 3600)?;
    local
        .and_local_timezone(china)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_clean_batch_reads_every_row_in_china_time() {
        let headers = h(&[
            "工单编号",
            "受理时间",
            "诉求内容",
            "事发地址",
            "经度",
            "纬度",
            "来电号码",
        ]);
        let rows = vec![
            h(&[
                "GD202611280001",
                "2026-11-28 09:30",
                "门口有人占道经营",
                "城关镇人民路",
                "115.62",
                "34.45",
                "13800000000",
            ]),
            h(&["", "", "", "", "", "", ""]),
            h(&[
                "GD202611280002",
                "2026/11/28 10:05:00",
                "噪声扰民",
                "",
                "115.63",
                "34.44",
                "",
            ]),
        ];
        let (records, errors) = parse(&headers, &rows);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[0].received_at.to_rfc3339(),
            "2026-11-28T01:30:00+00:00"
        );
        assert_eq!(records[0].crs, "gcj02");
        // the caller's number is never read
        let json = serde_json::to_string(&records).unwrap();
        assert!(!json.contains("13800000000"));
    }

    #[test]
    fn every_bad_row_is_named_with_its_column() {
        let headers = h(&["ticket", "received_at", "content", "lon", "lat", "crs"]);
        let rows = vec![
            h(&["T1", "yesterday", "占道", "115.6", "34.4", ""]),
            h(&["T2", "2026-11-28 09:00", "", "115.6", "34.4", ""]),
            h(&["T1", "2026-11-28 09:00", "乱堆", "200", "34.4", "mercator"]),
        ];
        let (records, errors) = parse(&headers, &rows);
        assert!(records.is_empty());
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (2, "received_at"),
                (3, "content"),
                (4, "ticket"),
                (4, "lon"),
                (4, "crs")
            ]
        );
    }

    #[test]
    fn a_missing_column_is_one_clear_error() {
        let (records, errors) = parse(&h(&["工单编号", "诉求内容"]), &[]);
        assert!(records.is_empty());
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["received_at", "lon", "lat"]);
        assert!(errors.iter().all(|e| e.row == 1));
    }
}
