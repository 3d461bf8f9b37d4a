//! A report as Open311 shows it to anyone: open or closed with notes in the
//! caller's language, the description with telephone and ID numbers
//! masked, the place by grid and township, and nothing about who reported
//! it or who handles it.

use domain::Lang;
use domain::case::disclosure::mask_text;
use domain::report::Status;
use store::open311::PublicRequest;

use super::catalogue::Catalogue;
use super::views::Request;
use super::w3;

/// `open` while the enforcement platform still owes work on it (received
/// up to verified); `closed` once closed, evaluated, handed over, merged
/// with an earlier report or rejected.
pub fn open_or_closed(s: Option<Status>) -> &'static str {
    match s {
        Some(s) if !s.is_open() => "closed",
        _ => "open",
    }
}

/// What the status means for the person who reported.
pub fn status_notes(s: Status, lang: Lang) -> &'static str {
    let (zh, en) = match s {
        Status::Received => ("已受理，等待派遣", "Received; awaiting dispatch"),
        Status::Dispatched => ("已派遣执法人员", "Dispatched to enforcement officers"),
        Status::Accepted => ("执法人员已接收任务", "Accepted by the officers"),
        Status::Handling => ("正在现场处置", "Being dealt with on site"),
        Status::ReportedBack => (
            "已反馈处置结果，等待核查",
            "Result reported; awaiting verification",
        ),
        Status::Verified => (
            "处置结果已核查，等待结案",
            "Result verified; awaiting closure",
        ),
        Status::Closed => ("已结案", "Closed"),
        Status::Evaluated => ("已结案并完成评价", "Closed and evaluated"),
        Status::HandedOver => (
            "不属于综合行政执法事项，已移交相关平台办理",
            "Not an enforcement matter; handed over to the platform responsible",
        ),
        Status::Merged => (
            "同一问题已有反映，合并办理",
            "Already reported; dealt with together with the earlier report",
        ),
        Status::Rejected => ("经审核不予受理", "Not accepted after review"),
    };
    lang.pick(zh, en)
}

/// What happens next, while something still will.
pub fn service_notice(s: Option<Status>, lang: Lang) -> Option<&'static str> {
    match s {
        Some(s) if !s.is_open() => None,
        _ => Some(lang.pick(
            "将在规定时限内派遣执法人员核查处理；危及人身安全的紧急情况请直接拨打 110",
            "Officers will be sent within the set time limits; in an emergency endangering people, call 110",
        )),
    }
}

/// `text` for the public: telephone and ID numbers masked (as published
/// decisions are), also where they run into other characters; characters
/// XML cannot carry left out; at most 4,000 characters.
pub fn mask(text: &str) -> String {
    let t = mask_text(text, &[], &[]);
    let mut out = String::with_capacity(t.len());
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut String| {
        if run.len() >= 7 {
            let keep = run.len() - 4;
            out.extend(std::iter::repeat_n('*', keep));
            out.extend(&run[keep..]);
        } else {
            out.extend(run.iter());
        }
        run.clear();
    };
    for c in t.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            run.push(c);
            continue;
        }
        flush(&mut run, &mut out);
        if !c.is_control() || matches!(c, '\n' | '\r' | '\t') {
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out.chars().take(4000).collect()
}

/// Degrees to six decimals (about 0.1 m): enough for a place.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// A request as the public sees it.
pub fn view(r: &PublicRequest, services: &Catalogue, lang: Lang) -> Request {
    let status = Status::parse(&r.status).ok();
    let agency = match &r.squad {
        Some(s) if s.contains(&r.township_name) => s.clone(),
        Some(s) => format!("{}{s}", r.township_name),
        None => r.township_name.clone(),
    };
    Request {
        service_request_id: r.service_request_id.clone(),
        status: open_or_closed(status),
        status_notes: status.map(|s| status_notes(s, lang).to_string()),
        service_name: services.name_of(&r.service_code),
        service_code: r.service_code.clone(),
        description: Some(mask(&r.description)),
        agency_responsible: Some(agency),
        service_notice: service_notice(status, lang).map(str::to_string),
        requested_datetime: w3(&r.received_at).unwrap_or_else(|| r.received_at.clone()),
        updated_datetime: w3(&r.updated_at),
        expected_datetime: None,
        address: Some(format!(
            "{}{}{}",
            r.grid_name,
            lang.pick("，", ", "),
            r.township_name
        )),
        address_id: None,
        zipcode: None,
        lat: Some(round6(r.lat)),
        long: Some(round6(r.lon)),
        media_url: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_and_id_numbers_are_masked_even_inside_words() {
        let m = mask("电话13812345678，tel13987654321，身份证41142319900101123X，门牌12号");
        assert!(
            !m.contains("13812345678") && !m.contains("3987654321"),
            "{m}"
        );
        assert!(!m.contains("1990010112"), "{m}");
        assert!(m.contains("门牌12号"), "{m}");
        assert_eq!(mask("全角１３８１２３４５６７８"), "全角*******５６７８");
    }

    #[test]
    fn only_the_platforms_unfinished_work_is_open() {
        assert_eq!(open_or_closed(Some(Status::Verified)), "open");
        assert_eq!(open_or_closed(Some(Status::Closed)), "closed");
        assert_eq!(open_or_closed(Some(Status::Merged)), "closed");
        assert_eq!(open_or_closed(Some(Status::HandedOver)), "closed");
        assert_eq!(status_notes(Status::Closed, Lang::En), "Closed");
    }
}
