//! The video network (雪亮工程): cameras and when their records count.
//!
//! APL Art. 41: a record from electronic monitoring may be used as evidence
//! of a violation only when the device passed legal and technical review
//! (法制和技术审核), its place was published (设置地点向社会公布), and a
//! person reviewed the record; the party must be told and be able to view
//! it and object. An alert from a camera that falls short is still taken in
//! (the matter may need handling) but marked as not usable as evidence.

use serde::{Deserialize, Serialize};

use crate::Error;

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
}
