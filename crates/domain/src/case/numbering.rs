//! Document numbers (文号): `宁城关罚决字〔2026〕第12号` — the agency's short
//! name, the document's word and 字, the year in 〔〕, the number in the
//! year. The number itself is taken by the store, one sequence per agency,
//! kind and year, without gaps (`store::documents::next_number`).

/// The agency's short name: the county's first character and the township's
/// name without its suffix (宁陵县, 城关回族镇 → 宁城关; 张弓镇 → 宁张弓).
pub fn agency_short(county: &str, township: &str) -> String {
    let mut name = township.trim();
    for suffix in ["街道办事处", "办事处", "街道", "镇", "乡"] {
        if let Some(rest) = name.strip_suffix(suffix)
            && !rest.is_empty()
        {
            name = rest;
            break;
        }
    }
    // 民族乡/镇: 城关回族镇 → 城关
    for people in [
        "回族",
        "满族",
        "蒙古族",
        "土家族",
        "苗族",
        "壮族",
        "彝族",
        "藏族",
    ] {
        if let Some(rest) = name.strip_suffix(people)
            && !rest.is_empty()
        {
            name = rest;
            break;
        }
    }
    let county: String = county.trim().chars().take(1).collect();
    format!("{county}{name}")
}

/// The word a kind of document is numbered under (before 字), by the
/// document's code; `文` for a code not listed.
pub fn kind_word(code: &str) -> &'static str {
    match code {
        "filing_approval" => "立",
        "inspection_record" => "检",
        "inquiry_record" => "询",
        "evidence_preservation_notice" => "登保",
        "prior_notice" => "罚告",
        "hearing_notice" => "听通",
        "hearing_record" => "听录",
        "legal_review_opinion" => "法审",
        "penalty_decision" => "罚决",
        "summary_decision" => "当罚决",
        "service_receipt" => "送",
        "crime_transfer_letter" => "移",
        _ => "文",
    }
}

/// The document number as printed: `宁城关罚决字〔2026〕第12号`.
pub fn document_number(agency_short: &str, code: &str, year: i32, number: i64) -> String {
    format!("{agency_short}{}字〔{year}〕第{number}号", kind_word(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_drop_the_suffix_and_the_people() {
        assert_eq!(agency_short("宁陵县", "城关回族镇"), "宁城关");
        assert_eq!(agency_short("宁陵县", "张弓镇"), "宁张弓");
        assert_eq!(agency_short("宁陵县", "石桥乡"), "宁石桥");
        assert_eq!(agency_short("宁陵县", "某某街道办事处"), "宁某某");
        // a name that is only a suffix stays as it is
        assert_eq!(agency_short("宁陵县", "镇"), "宁镇");
    }

    #[test]
    fn numbers_read_as_printed() {
        assert_eq!(
            document_number("宁城关", "penalty_decision", 2026, 12),
            "宁城关罚决字〔2026〕第12号"
        );
        assert_eq!(
            document_number("宁张弓", "prior_notice", 2026, 1),
            "宁张弓罚告字〔2026〕第1号"
        );
        assert_eq!(kind_word("no_such_kind"), "文");
    }
}
