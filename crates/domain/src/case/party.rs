//! The party (当事人): a natural person identified by the resident identity
//! card number, or an organisation identified by its unified social credit
//! code, with its legal representative.
//!
//! Both numbers are parsed into types that cannot hold an invalid value:
//!
//! * [`ResidentId`] — GB 11643-1999 citizen identification number: six
//!   digits of the region of first registration, eight of the birth date
//!   (YYYYMMDD), three of a sequence (odd for men, even for women) and a
//!   check character (ISO 7064 MOD 11-2: the 17 digits weighted
//!   7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2, the sum modulo 11
//!   indexing "10X98765432"). The old 15-digit numbers ceased to be valid
//!   in 2013 and are refused.
//! * [`CreditCode`] — GB 32100-2015 unified social credit code: 18
//!   characters from the 31 of "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O,
//!   S, V, Z), the third to eighth being the region code (digits), the last
//!   a check character: `31 − (Σ value × weight mod 31)` with weights
//!   1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28, where
//!   31 gives 0. (The embedded organisation code is not checked on its own:
//!   codes of individual businesses do not all carry a valid one.)
//!
//! APL Art. 30: a person under fourteen at the time of the act is not
//! punished; from fourteen to eighteen the penalty must be lighter. The
//! birth date comes from the ID number; ages are full years (周岁), reached
//! on the day *after* the birthday, as Chinese law counts them.
//!
//! Masking for publication (APL Art. 48) keeps the first six and the last
//! four characters of an ID number (`110105********002X`): the eight
//! hidden digits are the birth date, which with the name identifies a
//! person; the region and sequence digits left visible do not.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::period::months_after;
use crate::Error;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Province-level codes (the first two digits of a region code), including
/// 81–83 of the residence permits of Hong Kong, Macao and Taiwan residents.
const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// A resident identity card number (居民身份证号码), valid by GB 11643-1999.
///
/// Stored upper-case (a trailing `x` is read as `X`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

fn id_error(code: &'static str, zh: String, en: String) -> Error {
    Error::invalid(code, "id_number", zh, en)
}

impl ResidentId {
    /// Parse an ID number: 18 characters, a known province, a real birth
    /// date from 1800 on (the standard's own examples include 1880), and the right check character.
    pub fn parse(s: &str) -> Result<ResidentId, Error> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let shape = b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X');
        if !shape {
            return Err(id_error(
                "party.id_format",
                "身份证号码应为 18 位：前 17 位为数字，最后一位为数字或 X".into(),
                "an ID number has 18 characters: 17 digits and a digit or X".into(),
            ));
        }
        let province = (b[0] - b'0') * 10 + (b[1] - b'0');
        if !PROVINCES.contains(&province) {
            return Err(id_error(
                "party.id_region",
                format!("身份证号码的地址码无效：{}", &s[..6]),
                format!("the ID number's region code is not valid: {}", &s[..6]),
            ));
        }
        let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d")
            .ok()
            .filter(|d| d.year() >= 1800);
        if birth.is_none() {
            return Err(id_error(
                "party.id_birth_date",
                format!("身份证号码中的出生日期无效：{}", &s[6..14]),
                format!("the ID number's birth date is not valid: {}", &s[6..14]),
            ));
        }
        let expected = Self::check_char(&s[..17]).expect("17 digits");
        if b[17] as char != expected {
            return Err(id_error(
                "party.id_check_digit",
                "身份证号码校验码不符（GB 11643-1999），请核对号码".into(),
                "the ID number's check character is wrong (GB 11643-1999); please check the number"
                    .into(),
            ));
        }
        Ok(ResidentId(s))
    }

    /// The check character of the first 17 digits, or `None` if `first17`
    /// is not 17 ASCII digits.
    pub fn check_char(first17: &str) -> Option<char> {
        let b = first17.as_bytes();
        if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sum: u32 = b
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(c, w)| u32::from(c - b'0') * w)
            .sum();
        Some(ID_CHECK[(sum % 11) as usize] as char)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit region code of first registration.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked by parse")
    }

    /// Odd sequence digit: male.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// The age in full years on `date` (see [`full_years`]).
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        full_years(self.birth_date(), date)
    }

    /// For publication: the first six and last four characters, the birth
    /// date hidden: `110105********002X`.
    pub fn mask(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl TryFrom<String> for ResidentId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        ResidentId::parse(&s)
    }
}

impl From<ResidentId> for String {
    fn from(id: ResidentId) -> String {
        id.0
    }
}

/// The age in full years (周岁) on `date` of someone born on `birth`.
///
/// A year is complete on the day after the birthday ("过了周岁生日，从第二
/// 天起，为已满××周岁"): on the fourteenth birthday a person is still
/// thirteen. Someone born on 29 February has the birthday on 28 February in
/// other years. Zero before birth.
pub fn full_years(birth: NaiveDate, date: NaiveDate) -> u32 {
    let mut years = (date.year() - birth.year()).max(0) as u32;
    while years > 0 && months_after(birth, years * 12) >= date {
        years -= 1;
    }
    years
}

/// APL Art. 30: how age at the time of the act bears on the penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeCategory {
    /// 不满十四周岁: not punished; the guardian is told to discipline.
    UnderFourteen,
    /// 已满十四周岁不满十八周岁: the penalty must be lighter or mitigated.
    Minor,
    Adult,
}

impl AgeCategory {
    pub fn of(birth: NaiveDate, act_date: NaiveDate) -> AgeCategory {
        match full_years(birth, act_date) {
            0..=13 => AgeCategory::UnderFourteen,
            14..=17 => AgeCategory::Minor,
            _ => AgeCategory::Adult,
        }
    }
}

const CREDIT_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code (统一社会信用代码), valid by GB 32100-2015.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Parse a code: 18 characters of the code's alphabet, digits in the
    /// region code, and the right check character. Lower case is accepted.
    pub fn parse(s: &str) -> Result<CreditCode, Error> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let shape = b.len() == 18
            && b.iter().all(|c| CREDIT_CHARS.contains(c))
            && b[2..8].iter().all(u8::is_ascii_digit);
        if !shape {
            return Err(Error::invalid(
                "party.credit_code_format",
                "credit_code",
                "统一社会信用代码应为 18 位，由数字和除 I、O、S、V、Z 以外的大写字母组成，第 3 至 8 位为行政区划码",
                "a unified social credit code has 18 characters (digits and capital letters other than I, O, S, V, Z), the 3rd to 8th being the region code",
            ));
        }
        let expected = Self::check_char(&s[..17]).expect("17 valid characters");
        if b[17] as char != expected {
            return Err(Error::invalid(
                "party.credit_code_check",
                "credit_code",
                "统一社会信用代码校验码不符（GB 32100-2015），请核对代码",
                "the unified social credit code's check character is wrong (GB 32100-2015); please check the code",
            ));
        }
        Ok(CreditCode(s))
    }

    /// The check character of the first 17 characters, or `None` if they
    /// are not 17 characters of the code's alphabet.
    pub fn check_char(first17: &str) -> Option<char> {
        let b = first17.as_bytes();
        if b.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (c, w) in b.iter().zip(CREDIT_WEIGHTS) {
            let v = CREDIT_CHARS.iter().position(|x| x == c)? as u32;
            sum += v * w;
        }
        let check = (31 - sum % 31) % 31;
        Some(CREDIT_CHARS[check as usize] as char)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit region code of the registering authority.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl TryFrom<String> for CreditCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        CreditCode::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

/// A natural person (公民).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NaturalPerson {
    pub name: String,
    pub id_number: ResidentId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The home address (住址), personal data never published (Art. 48).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Who speaks for an organisation: its legal representative (法定代表人)
/// or, for an unincorporated organisation, its person in charge (负责人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    pub name: String,
    /// 法定代表人 | 负责人 | 经营者 …
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<ResidentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A legal person or other organisation (法人或者其他组织).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
    pub credit_code: CreditCode,
    /// The registered or business address (public, not personal data).
    #[serde(default)]
    pub address: String,
    pub representative: Representative,
}

/// The party to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Party {
    Person(NaturalPerson),
    Organisation(Organisation),
}

/// The two classes the thresholds of the APL distinguish (Art. 51, 63).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 公民
    Citizen,
    /// 法人或者其他组织
    Organisation,
}

impl PartyKind {
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            PartyKind::Citizen => lang.pick("公民", "a citizen"),
            PartyKind::Organisation => lang.pick("法人或者其他组织", "an organisation"),
        }
    }
}

impl Party {
    pub fn kind(&self) -> PartyKind {
        match self {
            Party::Person(_) => PartyKind::Citizen,
            Party::Organisation(_) => PartyKind::Organisation,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Party::Person(p) => &p.name,
            Party::Organisation(o) => &o.name,
        }
    }

    /// APL Art. 30 for a person at the time of the act; `None` for an
    /// organisation.
    pub fn age_category(&self, act_date: NaiveDate) -> Option<AgeCategory> {
        match self {
            Party::Person(p) => Some(AgeCategory::of(p.id_number.birth_date(), act_date)),
            Party::Organisation(_) => None,
        }
    }

    /// Names must not be blank.
    pub fn validate(&self) -> Result<(), Error> {
        let blank = |s: &str, field: &str, zh: &str, en: &str| {
            if s.trim().is_empty() {
                Err(Error::invalid("party.name", field.to_string(), zh, en))
            } else {
                Ok(())
            }
        };
        match self {
            Party::Person(p) => blank(
                &p.name,
                "name",
                "当事人姓名不能为空",
                "the party's name is required",
            ),
            Party::Organisation(o) => {
                blank(
                    &o.name,
                    "name",
                    "当事人名称不能为空",
                    "the organisation's name is required",
                )?;
                blank(
                    &o.representative.name,
                    "representative.name",
                    "法定代表人（负责人）姓名不能为空",
                    "the legal representative's name is required",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A valid ID number built from the algorithm.
    fn make_id(region: &str, birth: &str, seq: &str) -> String {
        let first = format!("{region}{birth}{seq}");
        format!("{first}{}", ResidentId::check_char(&first).unwrap())
    }

    #[test]
    fn gb11643_published_examples_are_valid() {
        // The standard's own example and a second published one.
        for s in ["11010519491231002X", "440524188001010014"] {
            let id = ResidentId::parse(s).unwrap();
            assert_eq!(id.as_str(), s);
        }
        let id = ResidentId::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.region_code(), "110105");
        assert!(!id.is_male());
        assert!(ResidentId::parse("440524188001010014").unwrap().is_male());
    }

    #[test]
    fn gb11643_invalid_numbers_are_refused_with_the_reason() {
        let good = make_id("411423", "19900307", "123");
        assert!(ResidentId::parse(&good).is_ok());
        let cases: Vec<(String, &str)> = vec![
            // wrong check digit: change the last character
            (
                format!(
                    "{}{}",
                    &good[..17],
                    if good.ends_with('0') { '1' } else { '0' }
                ),
                "party.id_check_digit",
            ),
            ("110105194912310021".into(), "party.id_check_digit"),
            ("41142319900307123".into(), "party.id_format"),
            ("4114231990030712345".into(), "party.id_format"),
            ("41142319900307A23X".into(), "party.id_format"),
            (make_id("411423", "19900230", "123"), "party.id_birth_date"),
            (make_id("411423", "17991231", "123"), "party.id_birth_date"),
            (make_id("991423", "19900307", "123"), "party.id_region"),
            // an old 15-digit number
            ("411423900307123".into(), "party.id_format"),
        ];
        for (s, code) in cases {
            let e = ResidentId::parse(&s).unwrap_err();
            assert_eq!(e.code, code, "{s}");
            assert_eq!(e.field.as_deref(), Some("id_number"));
        }
    }

    #[test]
    fn apl_art48_mask_hides_the_birth_date() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.mask(), "110105********002X");
        assert!(!id.mask().contains("19491231"));
    }

    #[test]
    fn gb32100_published_codes_are_valid() {
        // The standard's example, and codes published on business licences.
        for s in [
            "91350100M000100Y43",
            "9144030071526726XG",
            "914403001922038216",
            "91330100716105852F",
        ] {
            let c = CreditCode::parse(s).unwrap();
            assert_eq!(c.as_str(), s);
        }
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ")
                .unwrap()
                .region_code(),
            "350100"
        );
    }

    #[test]
    fn gb32100_invalid_codes_are_refused_with_the_reason() {
        let cases = [
            ("91350100M000100Y44", "party.credit_code_check"),
            ("9144030071526726XH", "party.credit_code_check"),
            ("91350100M000100Y4", "party.credit_code_format"),
            // I, O, S, V, Z are not in the alphabet
            ("91350100M000100YO3", "party.credit_code_format"),
            // region code must be digits
            ("9135A100M000100Y43", "party.credit_code_format"),
        ];
        for (s, code) in cases {
            let e = CreditCode::parse(s).unwrap_err();
            assert_eq!(e.code, code, "{s}");
            assert_eq!(e.field.as_deref(), Some("credit_code"));
        }
    }

    #[test]
    fn apl_art30_age_at_the_act_decides() {
        let birth = d(2012, 5, 10);
        // on the fourteenth birthday still under fourteen
        assert_eq!(
            AgeCategory::of(birth, d(2026, 5, 10)),
            AgeCategory::UnderFourteen
        );
        assert_eq!(AgeCategory::of(birth, d(2026, 5, 11)), AgeCategory::Minor);
        assert_eq!(AgeCategory::of(birth, d(2030, 5, 10)), AgeCategory::Minor);
        assert_eq!(AgeCategory::of(birth, d(2030, 5, 11)), AgeCategory::Adult);
        // 29 February: the birthday is 28 February in other years
        let leap = d(2008, 2, 29);
        assert_eq!(full_years(leap, d(2022, 2, 28)), 13);
        assert_eq!(full_years(leap, d(2022, 3, 1)), 14);
        assert_eq!(full_years(leap, d(2000, 1, 1)), 0);
        let id = ResidentId::parse(&make_id("411423", "20120510", "021")).unwrap();
        let p = Party::Person(NaturalPerson {
            name: "李某".into(),
            id_number: id,
            phone: None,
            address: None,
        });
        assert_eq!(p.kind(), PartyKind::Citizen);
        assert_eq!(
            p.age_category(d(2026, 3, 1)),
            Some(AgeCategory::UnderFourteen)
        );
    }

    #[test]
    fn party_serialises_with_its_kind_and_refuses_a_bad_number_on_input() {
        let json = r#"{"kind":"organisation","name":"某某商贸有限公司","credit_code":"91350100M000100Y43",
            "address":"宁陵县城关回族镇","representative":{"name":"王某","title":"法定代表人"}}"#;
        let p: Party = serde_json::from_str(json).unwrap();
        assert_eq!(p.kind(), PartyKind::Organisation);
        assert!(p.age_category(NaiveDate::MIN).is_none());
        let bad = json.replace("Y43", "Y44");
        assert!(serde_json::from_str::<Party>(&bad).is_err());
    }

    proptest! {
        #[test]
        fn gb11643_check_digit_round_trips(
            region in prop::sample::select(vec!["110105", "411423", "440524", "650102"]),
            days in 0i64..40_000,
            seq in 0u32..1000,
        ) {
            let birth = d(1910, 1, 1) + chrono::Days::new(days as u64);
            let s = make_id(region, &birth.format("%Y%m%d").to_string(), &format!("{seq:03}"));
            let id = ResidentId::parse(&s).unwrap();
            prop_assert_eq!(id.birth_date(), birth);
            prop_assert_eq!(id.mask().len(), 18);
            // every other check character is refused
            for c in "0123456789X".chars().filter(|c| !s.ends_with(*c)) {
                let wrong = format!("{}{c}", &s[..17]);
                prop_assert_eq!(ResidentId::parse(&wrong).unwrap_err().code, "party.id_check_digit");
            }
        }

        #[test]
        fn gb32100_check_char_round_trips(body in "[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{9}") {
            let c = CreditCode::check_char(&body).unwrap();
            let code = format!("{body}{c}");
            prop_assert!(CreditCode::parse(&code).is_ok());
            for other in CREDIT_CHARS.iter().map(|&b| b as char).filter(|&o| o != c) {
                let wrong = format!("{body}{other}");
                prop_assert_eq!(CreditCode::parse(&wrong).unwrap_err().code, "party.credit_code_check");
            }
        }
    }
}
