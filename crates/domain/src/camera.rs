//! The video network (雪亮工程): cameras and when their records count.
//!
//! APL Art. 41: a record from electronic monitoring may be used as evidence
//! of a violation only when the device passed legal and technical review
//! (法制和技术审核), its place was published (设置地点向社会公布), and a
//! person reviewed the record; the party must be told and be able to view
//! it and object. An alert from a camera that falls short is still taken in
//! (the matter may need handling) but marked as not usable as evidence.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::Error;
use crate::json::{at_most, required};

/// Where a camera stands in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered, not yet through legal and technical review.
    Pending,
    /// Passed legal and technical review.
    Reviewed,
    /// Taken out of service: its alerts are refused.
    Retired,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Pending, Status::Reviewed, Status::Retired];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Reviewed => "reviewed",
            Status::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Result<Status, Error> {
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "camera.status",
                    "status",
                    format!("摄像头状态「{s}」无效，可选值：pending、reviewed、retired"),
                    format!(
                        "invalid camera status `{s}`; allowed values: pending, reviewed, retired"
                    ),
                )
            })
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            Status::Pending => ("待审核", "Pending review"),
            Status::Reviewed => ("已审核", "Reviewed"),
            Status::Retired => ("已停用", "Retired"),
        };
        lang.pick(zh, en)
    }
}

/// A review decision: the status a camera may be moved to. A retired
/// camera stays retired (register it again under a new code); a reviewed
/// one may be reviewed again (periodic re-examination).
pub fn review(from: Status, to: Status) -> Result<(), Error> {
    match (from, to) {
        (Status::Retired, _) => Err(Error::new(
            crate::ErrorKind::Conflict,
            "camera.retired",
            "该摄像头已停用，不能再审核",
            "this camera is retired and cannot be reviewed again",
        )),
        (_, Status::Pending) => Err(Error::invalid(
            "camera.status",
            "status",
            "审核结论应为 reviewed（通过）或 retired（停用）",
            "a review decides reviewed or retired",
        )),
        _ => Ok(()),
    }
}

/// What keeps a camera's records from counting as evidence (APL Art. 41),
/// in Chinese and English; empty when nothing does (the record itself must
/// still be reviewed by a person before use).
pub fn evidence_gaps(status: Status, published: bool) -> Vec<(&'static str, &'static str)> {
    let mut gaps = Vec::new();
    if status != Status::Reviewed {
        gaps.push((
            "设备未经法制和技术审核",
            "the device has not passed legal and technical review",
        ));
    }
    if !published {
        gaps.push((
            "设置地点未向社会公布",
            "its location has not been published",
        ));
    }
    gaps
}

/// The note put on a report from a camera with evidence gaps.
pub fn evidence_note(camera_code: &str, gaps: &[(&str, &str)]) -> Option<String> {
    if gaps.is_empty() {
        return None;
    }
    let zh: Vec<&str> = gaps.iter().map(|g| g.0).collect();
    let en: Vec<&str> = gaps.iter().map(|g| g.1).collect();
    Some(format!(
        "摄像头 {camera_code}：{}；审核前不能作为处罚证据（行政处罚法第四十一条）。\
         Camera {camera_code}: {}; not usable as evidence until reviewed (APL Art. 41).",
        zh.join("，"),
        en.join(", ")
    ))
}

// ----------------------------------------------------------------- webhook

/// An alert as the video platform sends it to the signed webhook (the
/// server documents the same fields in its OpenAPI schema).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Alert {
    /// The registered camera's code.
    pub camera: String,
    /// What was seen; at most 100 characters.
    pub event: String,
    /// More detail, at most 3000 characters.
    pub description: Option<String>,
    /// When it happened (RFC 3339); default: now.
    pub occurred_at: Option<String>,
    /// The snapshot, base64 (a `data:image/…;base64,` prefix is accepted).
    pub snapshot: Option<String>,
    /// The platform's id of this alert (1–200 characters): the retry key.
    pub event_id: String,
}

/// The signature header's value, `sha256=<64 hex digits>`, as the 32 bytes
/// of the HMAC; `None` when it has another shape.
pub fn signature_bytes(header: &str) -> Option<Vec<u8>> {
    header
        .trim()
        .strip_prefix("sha256=")
        .and_then(|hx| hex::decode(hx).ok())
        .filter(|b| b.len() == 32)
}

/// HMAC-SHA256 with the secret over `{timestamp}.{body}`, compared in
/// constant time.
pub fn signature_matches(secret: &str, timestamp: &str, body: &[u8], sig: &[u8]) -> bool {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(sig).is_ok()
}

/// The webhook's body, read and checked: JSON of an [`Alert`]
/// (`body.syntax`, or `body.invalid_field` naming the field), `camera`, `event` and `event_id` not blank, `event`
/// at most 100 characters, `event_id` at most 200, `description` at most
/// 3000 (each counted trimmed). The snapshot is decoded separately
/// ([`decode_snapshot`]), once the camera is known.
pub fn parse_alert(body: &[u8]) -> Result<Alert, Error> {
    let alert: Alert = crate::json::parse(body)?;
    required("camera", &alert.camera)?;
    required("event", &alert.event)?;
    required("event_id", &alert.event_id)?;
    at_most("event", 100, alert.event.trim())?;
    at_most("event_id", 200, alert.event_id.trim())?;
    let detail = alert.description.as_deref().map(str::trim).unwrap_or("");
    at_most("description", 3000, detail)?;
    Ok(alert)
}

/// A snapshot in base64, plain or as a `data:` URL, line breaks and spaces
/// ignored, padding optional (`webhook.snapshot_encoding` otherwise). What
/// the bytes are is decided later, by their content.
pub fn decode_snapshot(s: &str) -> Result<Vec<u8>, Error> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const B64: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let data = match s.strip_prefix("data:") {
        Some(rest) => rest.split_once(',').map(|(_, d)| d).unwrap_or(""),
        None => s,
    };
    let clean: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    B64.decode(clean.as_bytes()).map_err(|_| {
        Error::invalid(
            "webhook.snapshot_encoding",
            "snapshot",
            "snapshot 应为 base64 编码的图片",
            "snapshot must be an image in base64",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()).unwrap(), s);
        }
        assert_eq!(
            Status::parse("broken").unwrap_err().field.as_deref(),
            Some("status")
        );
    }

    #[test]
    fn a_retired_camera_stays_retired() {
        assert!(review(Status::Pending, Status::Reviewed).is_ok());
        assert!(review(Status::Reviewed, Status::Reviewed).is_ok());
        assert!(review(Status::Reviewed, Status::Retired).is_ok());
        assert_eq!(
            review(Status::Retired, Status::Reviewed).unwrap_err().code,
            "camera.retired"
        );
        assert_eq!(
            review(Status::Reviewed, Status::Pending).unwrap_err().code,
            "camera.status"
        );
    }

    #[test]
    fn art_41_needs_review_and_a_published_place() {
        assert!(evidence_gaps(Status::Reviewed, true).is_empty());
        assert_eq!(evidence_gaps(Status::Reviewed, false).len(), 1);
        assert_eq!(evidence_gaps(Status::Pending, false).len(), 2);
        assert!(evidence_note("C1", &[]).is_none());
        let note = evidence_note("C1", &evidence_gaps(Status::Pending, true)).unwrap();
        assert!(
            note.contains("第四十一条") && note.contains("Art. 41"),
            "{note}"
        );
    }

    #[test]
    fn signatures_cover_timestamp_and_body() {
        let secret = "ywc_test";
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(b"1700000000.{\"a\":1}");
        let sig = mac.finalize().into_bytes();
        assert!(signature_matches(secret, "1700000000", b"{\"a\":1}", &sig));
        assert!(!signature_matches(secret, "1700000001", b"{\"a\":1}", &sig));
        assert!(!signature_matches(secret, "1700000000", b"{\"a\":2}", &sig));
        assert!(!signature_matches(
            "ywc_other",
            "1700000000",
            b"{\"a\":1}",
            &sig
        ));
        let header = format!("sha256={}", hex::encode(sig));
        assert_eq!(signature_bytes(&header).unwrap(), sig.to_vec());
        assert!(signature_bytes("sha256=abcd").is_none());
        assert!(signature_bytes(&header[7..]).is_none());
    }

    #[test]
    fn alerts_are_checked_field_by_field() {
        let a = parse_alert(r#"{"camera":"C1","event":"占道经营","event_id":"e1"}"#.as_bytes())
            .unwrap();
        assert_eq!((a.camera.as_str(), a.snapshot), ("C1", None));
        let code = |b: &[u8]| {
            let e = parse_alert(b).unwrap_err();
            (e.code, e.field.unwrap_or_default())
        };
        assert_eq!(code(b"{"), ("body.syntax", "body".into()));
        assert_eq!(
            code(br#"{"camera":1,"event":"x","event_id":"e"}"#),
            ("body.invalid_field", "camera".into())
        );
        assert_eq!(
            code(br#"{"camera":" ","event":"x","event_id":"e"}"#),
            ("body.required", "camera".into())
        );
        let long = format!(
            r#"{{"camera":"C1","event":"{}","event_id":"e"}}"#,
            "字".repeat(101)
        );
        assert_eq!(code(long.as_bytes()), ("body.too_long", "event".into()));
    }

    #[test]
    fn snapshots_decode_plain_or_as_data_urls() {
        assert_eq!(decode_snapshot("/9j/").unwrap(), vec![0xFF, 0xD8, 0xFF]);
        assert_eq!(
            decode_snapshot("data:image/jpeg;base64,/9j/").unwrap(),
            vec![0xFF, 0xD8, 0xFF]
        );
        assert_eq!(decode_snapshot("/9\nj/").unwrap(), vec![0xFF, 0xD8, 0xFF]);
        assert_eq!(
            decode_snapshot("not base64!").unwrap_err().code,
            "webhook.snapshot_encoding"
        );
    }
}
