//! Legal bases, versioned by date (APL Art. 37: 从旧兼从轻).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Error;

/// One version of a provision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    /// e.g. 《中华人民共和国大气污染防治法》
    pub law: String,
    /// 法律 | 行政法规 | 地方性法规 | 部门规章 | 地方政府规章
    #[serde(default)]
    pub level: String,
    /// e.g. 第一百一十九条第一款
    pub article: String,
    pub text: String,
    /// The date this version took effect.
    pub effective: NaiveDate,
    /// The date it stopped applying (a later version took effect), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repealed: Option<NaiveDate>,
    /// The heaviest fine this version allows, for comparing versions (Art. 37).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_fine_yuan: Option<i64>,
}

impl LegalBasis {
    pub fn validate(&self) -> Result<(), Error> {
        if self.law.trim().is_empty() {
            return Err(Error::invalid(
                "powerlist.basis_law",
                "law",
                "法律依据名称不能为空",
                "the law's name is required",
            ));
        }
        if self.article.trim().is_empty() {
            return Err(Error::invalid(
                "powerlist.basis_article",
                "article",
                "条款不能为空",
                "the article is required",
            ));
        }
        if let Some(r) = self.repealed
            && r <= self.effective
        {
            return Err(Error::invalid(
                "powerlist.basis_dates",
                "repealed",
                "废止日期应晚于生效日期",
                "repealed must be after effective",
            ));
        }
        Ok(())
    }

    /// In force on a date (effective inclusive, repealed exclusive).
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.effective <= date && self.repealed.is_none_or(|r| date < r)
    }

    fn same_provision(&self, other: &LegalBasis) -> bool {
        self.law == other.law && self.article == other.article
    }
}

/// What applies to an act: the version in force when it was done, and a
/// later version in force today that is lighter, which must be offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasisChoice {
    pub at_act: Vec<LegalBasis>,
    /// (the version in force at the act, the lighter one in force now)
    pub lighter_now: Vec<(LegalBasis, LegalBasis)>,
}

/// APL Art. 37: apply the provisions in force at the time of the act; where
/// a provision was amended since and the version in force today is lighter
/// (a lower maximum fine, or no fine at all), offer it.
pub fn choose_basis(bases: &[LegalBasis], act: NaiveDate, today: NaiveDate) -> BasisChoice {
    let at_act: Vec<LegalBasis> = bases
        .iter()
        .filter(|b| b.in_force_on(act))
        .cloned()
        .collect();
    let mut lighter_now = Vec::new();
    for old in &at_act {
        let now = bases
            .iter()
            .find(|b| b.same_provision(old) && b.in_force_on(today) && b.effective > old.effective);
        if let Some(now) = now {
            let lighter = match (old.max_fine_yuan, now.max_fine_yuan) {
                (Some(o), Some(n)) => n < o,
                (Some(_), None) => false,
                _ => false,
            };
            if lighter {
                lighter_now.push((old.clone(), now.clone()));
            }
        }
    }
    BasisChoice {
        at_act,
        lighter_now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn version(effective: NaiveDate, repealed: Option<NaiveDate>, max: i64) -> LegalBasis {
        LegalBasis {
            law: "《某条例》".into(),
            level: "地方性法规".into(),
            article: "第十条".into(),
            text: format!("处{max}元以下罚款"),
            effective,
            repealed,
            max_fine_yuan: Some(max),
        }
    }

    #[test]
    fn apl_art37_the_basis_in_force_at_the_act_applies() {
        let old = version(d(2015, 1, 1), Some(d(2024, 1, 1)), 2000);
        let new = version(d(2024, 1, 1), None, 5000);
        let c = choose_basis(&[old.clone(), new.clone()], d(2023, 6, 1), d(2026, 1, 1));
        assert_eq!(c.at_act, vec![old]);
        assert!(
            c.lighter_now.is_empty(),
            "a heavier later rule is not offered"
        );
        let c = choose_basis(
            &[
                version(d(2015, 1, 1), Some(d(2024, 1, 1)), 2000),
                new.clone(),
            ],
            d(2024, 1, 1),
            d(2026, 1, 1),
        );
        assert_eq!(c.at_act, vec![new], "the new version from its first day");
    }

    #[test]
    fn apl_art37_a_lighter_later_rule_is_offered() {
        let old = version(d(2015, 1, 1), Some(d(2024, 1, 1)), 5000);
        let new = version(d(2024, 1, 1), None, 1000);
        let c = choose_basis(&[old.clone(), new.clone()], d(2023, 6, 1), d(2026, 1, 1));
        assert_eq!(c.at_act, vec![old.clone()]);
        assert_eq!(c.lighter_now, vec![(old, new)]);
    }

    #[test]
    fn repeal_must_follow_effect() {
        let mut b = version(d(2020, 1, 1), Some(d(2019, 1, 1)), 1);
        assert_eq!(b.validate().unwrap_err().field.as_deref(), Some("repealed"));
        b.repealed = None;
        assert!(b.validate().is_ok());
    }
}
