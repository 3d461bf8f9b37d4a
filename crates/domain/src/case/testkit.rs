//! Shared fixtures for the case rules' tests.

use chrono::NaiveDate;

use super::filing::FiledBasis;
use super::officers::Officer;
use super::party::{CreditCode, NaturalPerson, Organisation, Party, Representative, ResidentId};
use crate::org::Credential;
use crate::powerlist::{DiscretionTier, Field, Item, ItemKind, LegalBasis};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An officer with a credential valid 2024–2028.
pub fn officer(id: &str) -> Officer {
    Officer {
        id: id.into(),
        name: format!("队员{id}"),
        credential: Some(Credential {
            number: format!("41142320240{id}"),
            issuer: "宁陵县人民政府".into(),
            fields: vec!["综合行政执法".into()],
            valid_from: d(2024, 1, 1),
            valid_until: d(2028, 12, 31),
        }),
    }
}

/// A valid ID number for a birth date (YYYYMMDD), built from the algorithm.
pub fn id_number(birth: &str) -> ResidentId {
    let first = format!("411423{birth}021");
    let check = ResidentId::check_char(&first).unwrap();
    ResidentId::parse(&format!("{first}{check}")).unwrap()
}

pub fn person(birth: &str) -> Party {
    Party::Person(NaturalPerson {
        name: "张三丰".into(),
        id_number: id_number(birth),
        phone: Some("13812345678".into()),
        address: Some("河南省商丘市宁陵县城关回族镇建设路12号".into()),
    })
}

pub fn organisation() -> Party {
    Party::Organisation(Organisation {
        name: "宁陵县某某商贸有限公司".into(),
        credit_code: CreditCode::parse("91350100M000100Y43").unwrap(),
        address: "宁陵县城关回族镇商贸街8号".into(),
        representative: Representative {
            name: "王五".into(),
            title: "法定代表人".into(),
            id_number: Some(id_number("19800101")),
            phone: Some("13900001111".into()),
        },
    })
}

pub fn legal_basis(max_yuan: i64) -> LegalBasis {
    LegalBasis {
        law: "《城市市容和环境卫生管理条例》".into(),
        level: "行政法规".into(),
        article: "第三十六条".into(),
        text: "责令停止违法行为，可以并处罚款。".into(),
        effective: d(2017, 3, 1),
        repealed: None,
        max_fine_yuan: Some(max_yuan),
    }
}

pub fn basis_with_max(max_yuan: i64) -> FiledBasis {
    FiledBasis {
        at_act: vec![legal_basis(max_yuan)],
        lighter_offered: vec![],
        limitation_ends: d(2028, 1, 1),
    }
}

/// A penalty item with two tiers: 100–500 and 500–2,000 yuan.
pub fn item_with_tiers() -> Item {
    Item {
        code: "T-001".into(),
        name: "对占道经营的处罚".into(),
        kind: ItemKind::Penalty,
        field: Field::UrbanManagement,
        description: String::new(),
        legal_basis: vec![legal_basis(2_000)],
        discretion: vec![
            DiscretionTier {
                circumstance: "情节较轻".into(),
                fine_min_yuan: 100,
                fine_max_yuan: 500,
                suggested: "责令改正，处100元以上500元以下罚款".into(),
            },
            DiscretionTier {
                circumstance: "情节较重".into(),
                fine_min_yuan: 500,
                fine_max_yuan: 2_000,
                suggested: "责令改正，处500元以上2000元以下罚款".into(),
            },
        ],
        lead_department: "县城市管理局".into(),
        cooperating_departments: vec![],
        supervision: String::new(),
        responsibilities: vec![],
        accountability: vec![],
        first_offence_no_penalty: false,
        steps: vec![],
    }
}
