//! The organisation: the jurisdiction tree (city → county → township/street →
//! village/community) and the enforcement side (brigade → squad → officer),
//! county departments and partner agencies.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Error;

/// A level of the administrative tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    City,
    County,
    /// 乡 or 镇
    Township,
    /// 街道
    Street,
    Village,
    Community,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::City,
        Level::County,
        Level::Township,
        Level::Street,
        Level::Village,
        Level::Community,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
            Level::Street => "street",
            Level::Village => "village",
            Level::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Result<Level, Error> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "org.level",
                    "level",
                    format!("未知的行政层级：{s}"),
                    format!("unknown jurisdiction level: {s}"),
                )
            })
    }

    /// The level a child of this level must have.
    pub fn may_contain(self, child: Level) -> bool {
        matches!(
            (self, child),
            (Level::City, Level::County)
                | (Level::County, Level::Township | Level::Street)
                | (Level::Township, Level::Village | Level::Community)
                | (Level::Street, Level::Village | Level::Community)
        )
    }

    /// Townships and streets are where a comprehensive enforcement brigade sits.
    pub fn is_township(self) -> bool {
        matches!(self, Level::Township | Level::Street)
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            Level::City => ("市", "City"),
            Level::County => ("县（市、区）", "County"),
            Level::Township => ("乡镇", "Township"),
            Level::Street => ("街道", "Street"),
            Level::Village => ("行政村", "Village"),
            Level::Community => ("社区", "Community"),
        };
        lang.pick(zh, en)
    }
}

/// A statistical division code (统计用区划代码): 6 digits for a county,
/// 9 for a township, 12 for a village. Codes nest by prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let ok = matches!(s.len(), 4 | 6 | 9 | 12) && s.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(Error::invalid(
                "org.code",
                "code",
                format!("区划代码应为4、6、9或12位数字：{s}"),
                format!("a division code has 4, 6, 9 or 12 digits: {s}"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` lies inside (or is) this division.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        Self::parse(&s)
    }
}

impl From<DivisionCode> for String {
    fn from(c: DivisionCode) -> String {
        c.0
    }
}

/// Kinds of organisational unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 综合行政执法大队, one per township.
    Brigade,
    /// 中队, 3–4 per brigade, each covering a district (片区).
    Squad,
    /// 指挥中心 of a township or county.
    CommandCentre,
    /// A county department (market supervision, transport…).
    Department,
    /// A partner agency: police, procuratorate, court.
    Agency,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        UnitKind::Brigade,
        UnitKind::Squad,
        UnitKind::CommandCentre,
        UnitKind::Department,
        UnitKind::Agency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Brigade => "brigade",
            UnitKind::Squad => "squad",
            UnitKind::CommandCentre => "command_centre",
            UnitKind::Department => "department",
            UnitKind::Agency => "agency",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            UnitKind::Brigade => ("综合行政执法大队", "Enforcement brigade"),
            UnitKind::Squad => ("中队", "Squad"),
            UnitKind::CommandCentre => ("指挥中心", "Command centre"),
            UnitKind::Department => ("县直部门", "County department"),
            UnitKind::Agency => ("协作机关", "Partner agency"),
        };
        lang.pick(zh, en)
    }
}

/// A person's post in the organisation (not a login role: see the identity module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    BrigadeLeader,
    SquadLeader,
    Officer,
    GridWorker,
    Dispatcher,
    LegalReviewer,
    Liaison,
}

impl Post {
    pub const ALL: [Post; 7] = [
        Post::BrigadeLeader,
        Post::SquadLeader,
        Post::Officer,
        Post::GridWorker,
        Post::Dispatcher,
        Post::LegalReviewer,
        Post::Liaison,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Post::BrigadeLeader => "brigade_leader",
            Post::SquadLeader => "squad_leader",
            Post::Officer => "officer",
            Post::GridWorker => "grid_worker",
            Post::Dispatcher => "dispatcher",
            Post::LegalReviewer => "legal_reviewer",
            Post::Liaison => "liaison",
        }
    }

    pub fn parse(s: &str) -> Option<Post> {
        Post::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            Post::BrigadeLeader => ("大队长", "Brigade leader"),
            Post::SquadLeader => ("中队长", "Squad leader"),
            Post::Officer => ("执法队员", "Officer"),
            Post::GridWorker => ("网格员", "Grid worker"),
            Post::Dispatcher => ("值班员", "Dispatcher"),
            Post::LegalReviewer => ("法制审核员", "Legal reviewer"),
            Post::Liaison => ("联络员", "Liaison"),
        };
        lang.pick(zh, en)
    }
}

/// An enforcement credential (行政执法证). APL Art. 42: only officers holding a
/// valid credential may impose penalties; an expired or not-yet-valid
/// credential counts for nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub number: String,
    pub issuer: String,
    /// Enforcement fields the credential covers.
    pub fields: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

impl Credential {
    /// APL Art. 42: a credential is valid on a date within its validity (inclusive).
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && date <= self.valid_until
    }

    pub fn check_dates(&self) -> Result<(), Error> {
        if self.valid_until < self.valid_from {
            return Err(Error::invalid(
                "credential.dates",
                "valid_until",
                "执法证有效期止日早于起日",
                "credential valid_until is before valid_from",
            ));
        }
        if self.number.trim().is_empty() {
            return Err(Error::invalid(
                "credential.number",
                "number",
                "执法证号不能为空",
                "credential number is required",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn apl_art42_expired_credential_counts_for_nothing() {
        let c = Credential {
            number: "41142320230001".into(),
            issuer: "宁陵县人民政府".into(),
            fields: vec!["综合执法".into()],
            valid_from: d(2023, 1, 1),
            valid_until: d(2026, 12, 31),
        };
        assert!(c.is_valid_on(d(2023, 1, 1)));
        assert!(c.is_valid_on(d(2026, 12, 31)));
        assert!(!c.is_valid_on(d(2027, 1, 1)));
        assert!(!c.is_valid_on(d(2022, 12, 31)));
    }

    #[test]
    fn credential_dates_must_be_ordered() {
        let c = Credential {
            number: "X".into(),
            issuer: "I".into(),
            fields: vec![],
            valid_from: d(2026, 1, 2),
            valid_until: d(2026, 1, 1),
        };
        assert_eq!(
            c.check_dates().unwrap_err().field.as_deref(),
            Some("valid_until")
        );
    }

    #[test]
    fn division_codes_nest_by_prefix() {
        let county = DivisionCode::parse("411423").unwrap();
        let town = DivisionCode::parse("411423101").unwrap();
        assert!(county.contains(&town));
        assert!(!town.contains(&county));
        assert!(DivisionCode::parse("41142x").is_err());
        assert!(DivisionCode::parse("4114231").is_err());
    }

    #[test]
    fn levels_nest_in_order() {
        assert!(Level::County.may_contain(Level::Township));
        assert!(Level::Street.may_contain(Level::Community));
        assert!(!Level::Township.may_contain(Level::County));
        assert!(!Level::City.may_contain(Level::Village));
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()).unwrap(), l);
        }
    }
}
