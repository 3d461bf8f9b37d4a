//! Publication of penalty decisions (行政执法公示).
//!
//! * 国办发〔2018〕118号: penalty (and licensing) decisions are published
//!   within **7 working days** of the decision, other enforcement decisions
//!   within 20 ([`publication_deadline`], on the working-day calendar).
//! * APL Art. 48: decisions with social impact must be published; a
//!   publication whose decision is changed, revoked, or held illegal or
//!   void is withdrawn **within 3 days** (working days, Art. 85) with the
//!   reasons published ([`withdraw`]).
//! * Personal data protected by law is not published. For a natural person
//!   the ID number is masked ([`super::party::ResidentId::mask`]), phone
//!   numbers keep their first three and last four digits, the home address
//!   keeps only its county (up to 县/区/旗, else 市); the same applies to
//!   an organisation's representative, while the organisation's name,
//!   credit code and business address stay public. A party under eighteen
//!   at the time of the act is named by surname only (张某, 未成年人保护法).
//!   Free text (the facts) is scanned too: every 18-character ID-like
//!   number, mobile or landline number is masked, and the party's home
//!   address is replaced; a publication in which any remains is refused
//!   (`case.disclosure_personal_data`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::party::{AgeCategory, Party};
use super::period::working_days;
use super::procedure::DecisionLetter;
use crate::calendar::Calendar;
use crate::{Error, Lang};

/// 国办发〔2018〕118号: working days to publish a penalty decision.
pub const PUBLICATION_WORKING_DAYS: u32 = 7;
/// 国办发〔2018〕118号: working days to publish other enforcement decisions.
pub const OTHER_PUBLICATION_WORKING_DAYS: u32 = 20;
/// APL Art. 48 (and 85): working days to withdraw a publication.
pub const WITHDRAWAL_WORKING_DAYS: u32 = 3;

/// The last day to publish a penalty decision made on `decided_on`.
pub fn publication_deadline(cal: &Calendar, decided_on: NaiveDate) -> NaiveDate {
    working_days(cal, decided_on, PUBLICATION_WORKING_DAYS)
}

/// The last day to publish another enforcement decision.
pub fn other_publication_deadline(cal: &Calendar, decided_on: NaiveDate) -> NaiveDate {
    working_days(cal, decided_on, OTHER_PUBLICATION_WORKING_DAYS)
}

/// The last day to withdraw a publication after the change of `changed_on`.
pub fn withdrawal_deadline(cal: &Calendar, changed_on: NaiveDate) -> NaiveDate {
    working_days(cal, changed_on, WITHDRAWAL_WORKING_DAYS)
}

/// A mobile number for publication: `138****5678`. Other strings: all but
/// the last four characters masked.
pub fn mask_phone(phone: &str) -> String {
    let mut digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() == 13 && digits.starts_with("861") {
        digits.drain(..2);
    }
    if digits.len() == 11 && digits.starts_with('1') {
        return format!("{}****{}", &digits[..3], &digits[7..]);
    }
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().min(4);
    let masked = chars.len() - keep;
    "*".repeat(masked) + &chars[masked..].iter().collect::<String>()
}

/// A home address for publication: kept up to the county (the first 县, 区
/// or 旗; else the first 市), the rest masked.
pub fn mask_address(address: &str) -> String {
    let cut = ['县', '区', '旗']
        .iter()
        .filter_map(|c| address.find(*c).map(|i| i + c.len_utf8()))
        .min()
        .or_else(|| address.find('市').map(|i| i + '市'.len_utf8()))
        .unwrap_or(0);
    format!("{}****", &address[..cut])
}

/// A minor's name for publication: the surname and 某.
pub fn mask_name(name: &str) -> String {
    match name.chars().next() {
        Some(c) if name.chars().count() > 1 => format!("{c}某"),
        _ => "某".into(),
    }
}

/// What kind of personal data a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalData {
    IdNumber,
    Mobile,
    Landline,
    Address,
}

fn classify(token: &str) -> Option<PersonalData> {
    let b = token.as_bytes();
    if b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x')
    {
        return Some(PersonalData::IdNumber);
    }
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        return Some(PersonalData::Mobile);
    }
    if let Some((area, number)) = token.split_once('-')
        && (3..=4).contains(&area.len())
        && area.starts_with('0')
        && area.bytes().all(|c| c.is_ascii_digit())
        && (7..=8).contains(&number.len())
        && number.bytes().all(|c| c.is_ascii_digit())
    {
        return Some(PersonalData::Landline);
    }
    None
}

fn mask_token(token: &str, kind: PersonalData) -> String {
    match kind {
        PersonalData::IdNumber => format!("{}********{}", &token[..6], &token[14..]),
        PersonalData::Mobile => mask_phone(token),
        PersonalData::Landline => {
            let (area, number) = token.split_once('-').expect("classified");
            format!(
                "{area}-{}{}",
                "*".repeat(number.len() - 4),
                &number[number.len() - 4..]
            )
        }
        PersonalData::Address => "****".into(),
    }
}

/// Split `text` into runs of ASCII letters, digits and `-`, and the rest;
/// call `f` on every run and keep its answer.
fn map_tokens(text: &str, mut f: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start: Option<usize> = None;
    let is_tok = |c: char| c.is_ascii_alphanumeric() || c == '-';
    for (i, c) in text.char_indices() {
        match (start, is_tok(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let tok = &text[s..i];
                out.push_str(&f(tok).unwrap_or_else(|| tok.to_string()));
                out.push(c);
                start = None;
            }
            (None, false) => out.push(c),
            (Some(_), true) => {}
        }
    }
    if let Some(s) = start {
        let tok = &text[s..];
        out.push_str(&f(tok).unwrap_or_else(|| tok.to_string()));
    }
    out
}

/// The personal data found in `text`: ID-like numbers and phone numbers,
/// and any of the `addresses` given.
pub fn find_personal_data(text: &str, addresses: &[&str]) -> Vec<PersonalData> {
    let mut found = Vec::new();
    map_tokens(text, |t| {
        if let Some(k) = classify(t) {
            found.push(k);
        }
        None
    });
    if addresses
        .iter()
        .any(|a| !a.trim().is_empty() && text.contains(a.trim()))
    {
        found.push(PersonalData::Address);
    }
    found
}

/// `text` with ID numbers and phone numbers masked, each of `addresses`
/// replaced by its masked form, and each of `names` by its masked form.
pub fn mask_text(text: &str, addresses: &[&str], names: &[(&str, String)]) -> String {
    let mut t = text.to_string();
    for a in addresses.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        t = t.replace(a, &mask_address(a));
    }
    for (name, masked) in names.iter().filter(|(n, _)| !n.trim().is_empty()) {
        t = t.replace(name, masked);
    }
    map_tokens(&t, |tok| classify(tok).map(|k| mask_token(tok, k)))
}

/// A decision as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedDecision {
    pub number: String,
    pub party_name: String,
    /// Masked ID number of a person, or an organisation's credit code.
    pub party_id: String,
    /// An organisation's business address; a person's masked address.
    pub party_address: String,
    /// An organisation's representative (name only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<String>,
    pub facts: String,
    pub penalty: String,
    pub basis: Vec<String>,
    pub agency: String,
    pub decided_on: NaiveDate,
    pub published_on: NaiveDate,
    /// Published after the 7 working days.
    pub late: bool,
}

/// The publication of a decision made on `decided_on`, published on
/// `published_on`, with personal data masked. Refused if any personal data
/// would still appear.
pub fn publish(
    cal: &Calendar,
    party: &Party,
    act_date: NaiveDate,
    letter: &DecisionLetter,
    decided_on: NaiveDate,
    published_on: NaiveDate,
) -> Result<PublishedDecision, Error> {
    if published_on < decided_on {
        return Err(Error::invalid(
            "case.disclosure_date",
            "published_on",
            "公开日期不能早于决定日期",
            "a decision cannot be published before it is made",
        ));
    }
    let minor = matches!(
        party.age_category(act_date),
        Some(AgeCategory::UnderFourteen | AgeCategory::Minor)
    );
    let (name, id, address, representative, home) = match party {
        Party::Person(p) => {
            let name = if minor {
                mask_name(&p.name)
            } else {
                p.name.clone()
            };
            let address = p.address.as_deref().map(mask_address).unwrap_or_default();
            (name, p.id_number.mask(), address, None, p.address.clone())
        }
        Party::Organisation(o) => (
            o.name.clone(),
            o.credit_code.as_str().to_string(),
            o.address.clone(),
            Some(o.representative.name.clone()),
            None,
        ),
    };
    let homes: Vec<&str> = home.iter().map(String::as_str).collect();
    let mut names: Vec<(&str, String)> = Vec::new();
    if minor {
        names.push((party.name(), name.clone()));
    }
    let facts = mask_text(&letter.facts, &homes, &names);
    let leftover = find_personal_data(&facts, &homes);
    if !leftover.is_empty() || (minor && facts.contains(party.name())) {
        return Err(Error::invalid(
            "case.disclosure_personal_data",
            "facts",
            "《行政处罚法》第四十八条：公开的行政处罚决定不得含有法律保护的个人信息，请先处理后再公开",
            "APL Art. 48: a published decision must not contain personal data protected by law; remove it first",
        ));
    }
    Ok(PublishedDecision {
        number: letter.number.clone(),
        party_name: name,
        party_id: id,
        party_address: address,
        representative,
        facts,
        penalty: letter.penalty.describe(Lang::Zh),
        basis: letter.basis.clone(),
        agency: letter.agency.clone(),
        decided_on,
        published_on,
        late: published_on > publication_deadline(cal, decided_on),
    })
}

/// Why a published decision is withdrawn (APL Art. 48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// 变更
    Altered,
    /// 撤销
    Revoked,
    /// 确认违法
    HeldIllegal,
    /// 确认无效
    HeldVoid,
}

/// A withdrawal of a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub change: Change,
    pub changed_on: NaiveDate,
    pub withdrawn_on: NaiveDate,
    /// The reasons, published with the withdrawal.
    pub reasons: String,
    /// Withdrawn after the 3 working days.
    pub late: bool,
}

/// APL Art. 48: withdraw a publication after its decision changed on
/// `changed_on`; the reasons are required and published. A late withdrawal
/// is still recorded (it remains due) and marked late.
pub fn withdraw(
    cal: &Calendar,
    change: Change,
    changed_on: NaiveDate,
    withdrawn_on: NaiveDate,
    reasons: &str,
) -> Result<Withdrawal, Error> {
    if reasons.trim().is_empty() {
        return Err(Error::invalid(
            "case.art48_withdrawal_reasons",
            "reasons",
            "《行政处罚法》第四十八条：公开的行政处罚决定被依法变更、撤销、确认违法或者确认无效的，应当在三日内撤回并公开说明理由",
            "APL Art. 48: a publication whose decision was changed, revoked, or held illegal or void is withdrawn within 3 days with its reasons published",
        ));
    }
    if withdrawn_on < changed_on {
        return Err(Error::invalid(
            "case.art48_withdrawal_date",
            "withdrawn_on",
            "撤回日期不能早于决定被变更、撤销或者确认违法、无效的日期",
            "a publication cannot be withdrawn before its decision changed",
        ));
    }
    Ok(Withdrawal {
        change,
        changed_on,
        withdrawn_on,
        reasons: reasons.trim().to_string(),
        late: withdrawn_on > withdrawal_deadline(cal, changed_on),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::money::Fen;
    use crate::case::penalty::Penalty;
    use crate::case::procedure::Remedies;
    use crate::case::testkit::{d, organisation, person};

    fn letter(facts: &str) -> DecisionLetter {
        DecisionLetter {
            number: "宁城执罚决字〔2026〕第0001号".into(),
            party_name: "张三丰".into(),
            party_address: "河南省商丘市宁陵县城关回族镇建设路12号".into(),
            facts: facts.into(),
            evidence: vec!["现场检查笔录".into()],
            penalty: Penalty::fine(Fen::yuan(500)),
            discretion: Default::default(),
            basis: vec!["《城市市容和环境卫生管理条例》第三十六条".into()],
            correction: "立即改正".into(),
            performance: "十五日内到指定银行缴纳".into(),
            remedies: Remedies {
                reconsideration_body: "宁陵县人民政府".into(),
                reconsideration_days: 60,
                court: "宁陵县人民法院".into(),
                litigation_months: 6,
            },
            agency: "宁陵县城关回族镇人民政府".into(),
            date: d(2026, 3, 2),
            sealed: true,
        }
    }

    #[test]
    fn guobanfa_2018_118_publication_within_7_working_days() {
        let cal = Calendar::builtin();
        // Friday 25 September 2026 (holiday) → 12 October, across National Day.
        assert_eq!(publication_deadline(&cal, d(2026, 9, 25)), d(2026, 10, 12));
        // Monday 2 March → Wednesday 11 March.
        assert_eq!(publication_deadline(&cal, d(2026, 3, 2)), d(2026, 3, 11));
        assert_eq!(
            other_publication_deadline(&cal, d(2026, 3, 2)),
            d(2026, 3, 30)
        );
        let p = person("19900307");
        let on_time = publish(
            &cal,
            &p,
            d(2026, 2, 1),
            &letter("占道经营"),
            d(2026, 3, 2),
            d(2026, 3, 11),
        )
        .unwrap();
        assert!(!on_time.late);
        let late = publish(
            &cal,
            &p,
            d(2026, 2, 1),
            &letter("占道经营"),
            d(2026, 3, 2),
            d(2026, 3, 12),
        )
        .unwrap();
        assert!(late.late);
    }

    #[test]
    fn apl_art48_personal_data_of_a_person_is_masked() {
        let cal = Calendar::builtin();
        let p = person("19900307");
        let Party::Person(np) = &p else {
            unreachable!()
        };
        let id = np.id_number.as_str().to_string();
        let facts = format!(
            "当事人张三丰（身份证号{id}，电话13812345678，家住河南省商丘市宁陵县城关回族镇建设路12号）于2026年2月1日在建设路占道经营，联系电话0370-7812345。"
        );
        let pubd = publish(
            &cal,
            &p,
            d(2026, 2, 1),
            &letter(&facts),
            d(2026, 3, 2),
            d(2026, 3, 3),
        )
        .unwrap();
        assert_eq!(pubd.party_name, "张三丰");
        assert_eq!(pubd.party_id, np.id_number.mask());
        assert_eq!(pubd.party_address, "河南省商丘市宁陵县****");
        for secret in [id.as_str(), "13812345678", "建设路12号", "7812345"] {
            assert!(!pubd.facts.contains(secret), "{secret} in {}", pubd.facts);
        }
        assert!(pubd.facts.contains("138****5678"), "{}", pubd.facts);
        assert!(pubd.facts.contains("0370-***2345"), "{}", pubd.facts);
        assert!(pubd.facts.contains(&np.id_number.mask()), "{}", pubd.facts);
        assert!(find_personal_data(&pubd.facts, &[]).is_empty());
        assert_eq!(pubd.penalty, "罚款 500.00 元");
    }

    #[test]
    fn apl_art48_a_minor_is_named_by_surname_only() {
        let cal = Calendar::builtin();
        let p = person("20100307");
        let pubd = publish(
            &cal,
            &p,
            d(2026, 2, 1),
            &letter("张三丰在校门口摆摊"),
            d(2026, 3, 2),
            d(2026, 3, 3),
        )
        .unwrap();
        assert_eq!(pubd.party_name, "张某");
        assert_eq!(pubd.facts, "张某在校门口摆摊");
    }

    #[test]
    fn apl_art48_an_organisation_stays_public_but_its_representative_does_not() {
        let cal = Calendar::builtin();
        let o = organisation();
        let pubd = publish(
            &cal,
            &o,
            d(2026, 2, 1),
            &letter("法定代表人王五（手机13900001111）"),
            d(2026, 3, 2),
            d(2026, 3, 3),
        )
        .unwrap();
        assert_eq!(pubd.party_id, "91350100M000100Y43");
        assert_eq!(pubd.party_address, "宁陵县城关回族镇商贸街8号");
        assert_eq!(pubd.representative.as_deref(), Some("王五"));
        assert!(pubd.facts.contains("139****1111"));
    }

    #[test]
    fn masking_helpers() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+86 138 1234 5678"), "138****5678");
        assert_eq!(mask_phone("12345"), "*2345");
        assert_eq!(
            mask_address("河南省商丘市宁陵县城关回族镇"),
            "河南省商丘市宁陵县****"
        );
        assert_eq!(mask_address("郑州市金水区文化路1号"), "郑州市金水区****");
        assert_eq!(mask_address("商丘市睢阳路8号"), "商丘市****");
        assert_eq!(mask_address("建设路12号"), "****");
        assert_eq!(mask_name("欧阳修"), "欧某");
        assert_eq!(mask_name("李"), "某");
        // a credit code and a case number are not personal data
        assert!(
            find_personal_data("91350100M000100Y43 宁城执罚决字〔2026〕第0001号", &[]).is_empty()
        );
    }

    #[test]
    fn apl_art48_withdrawal_within_3_working_days_with_reasons() {
        let cal = Calendar::builtin();
        // Friday 3 April 2026 → Thursday 9 April (Qingming 4–6 April).
        assert_eq!(withdrawal_deadline(&cal, d(2026, 4, 3)), d(2026, 4, 9));
        let e = withdraw(&cal, Change::Revoked, d(2026, 4, 3), d(2026, 4, 7), " ").unwrap_err();
        assert_eq!(e.code, "case.art48_withdrawal_reasons");
        assert!(e.zh.contains("第四十八条"));
        let w = withdraw(
            &cal,
            Change::Revoked,
            d(2026, 4, 3),
            d(2026, 4, 9),
            "复议机关撤销原决定",
        )
        .unwrap();
        assert!(!w.late);
        let w = withdraw(
            &cal,
            Change::HeldVoid,
            d(2026, 4, 3),
            d(2026, 4, 10),
            "法院确认无效",
        )
        .unwrap();
        assert!(w.late);
        assert_eq!(
            withdraw(&cal, Change::Altered, d(2026, 4, 3), d(2026, 4, 2), "x")
                .unwrap_err()
                .code,
            "case.art48_withdrawal_date"
        );
    }
}
