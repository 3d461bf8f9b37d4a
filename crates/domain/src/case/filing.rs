//! Opening a case (立案): the item must be held by the township (APL
//! Art. 24), be a penalty item with a legal basis in force on the date of
//! the act (Art. 4, Art. 37), and the act must be within the limitation
//! period (Art. 36).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::powerlist::{Item, ItemKind, LegalBasis, choose_basis, require_held};
use crate::{Error, ErrorKind};

/// What the filing officer states about the act.
#[derive(Debug, Clone)]
pub struct FilingFacts<'a> {
    pub item: &'a Item,
    /// Whether the township holds the item (from its devolutions).
    pub held: bool,
    pub township: &'a str,
    /// The day of the act (or its first day, for a continuing act).
    pub act_date: NaiveDate,
    /// For a continuing or repeated act, the day it ended (Art. 36 counts
    /// from the end).
    pub act_ended: Option<NaiveDate>,
    /// The act harmed life, health or financial security with harmful
    /// consequences: the limitation period is five years (Art. 36).
    pub grave_harm: bool,
    /// The filing date (today, China time).
    pub today: NaiveDate,
}

/// The legal basis a filed case carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledBasis {
    /// The provisions in force on the day of the act (APL Art. 37).
    pub at_act: Vec<LegalBasis>,
    /// Lighter versions in force today, offered to the party (Art. 37).
    pub lighter_offered: Vec<LegalBasis>,
    /// The last day on which the act could still be punished (Art. 36).
    pub limitation_ends: NaiveDate,
}

fn refuse(code: &'static str, field: &str, zh: String, en: String) -> Error {
    Error::new(ErrorKind::Invalid, code, zh, en).with_field(field)
}

/// The last day of the limitation period: two years from the act (or its
/// end), five where life, health or financial security was harmed.
pub fn limitation_ends(
    act_date: NaiveDate,
    act_ended: Option<NaiveDate>,
    grave_harm: bool,
) -> NaiveDate {
    let from = act_ended.unwrap_or(act_date).max(act_date);
    let years = if grave_harm { 5 } else { 2 };
    add_years(from, years)
}

fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year() + years, d.month(), d.day())
        // 29 February → 28 February
        .unwrap_or_else(|| {
            NaiveDate::from_ymd_opt(d.year() + years, d.month(), 28).expect("valid date")
        })
}

/// Decide whether a case may be filed; on success, the basis it carries.
pub fn file(f: &FilingFacts<'_>) -> Result<FiledBasis, Error> {
    // APL Art. 24: only under an item devolved to the township.
    require_held(f.held, &f.item.code, f.township)?;
    if f.item.kind != ItemKind::Penalty {
        return Err(refuse(
            "case.item_not_penalty",
            "item_code",
            format!("事项 {} 不是行政处罚事项，不能据此立案", f.item.code),
            format!(
                "item {} is not an administrative penalty item; no penalty case can be filed under it",
                f.item.code
            ),
        ));
    }
    if f.act_date > f.today {
        return Err(refuse(
            "case.act_in_future",
            "act_date",
            "违法行为发生日期不能晚于立案日期".into(),
            "the date of the act cannot be after the filing date".into(),
        ));
    }
    if let Some(end) = f.act_ended
        && (end < f.act_date || end > f.today)
    {
        return Err(refuse(
            "case.act_end",
            "act_ended",
            "违法行为终了日期应在发生日期与立案日期之间".into(),
            "the end of the act must lie between its start and the filing date".into(),
        ));
    }
    // APL Art. 36: not punished when not discovered within two (five) years.
    let ends = limitation_ends(f.act_date, f.act_ended, f.grave_harm);
    if f.today > ends {
        let years = if f.grave_harm { "五" } else { "二" };
        return Err(refuse(
            "case.limitation_expired",
            "act_date",
            format!(
                "违法行为在{years}年内未被发现，不再给予行政处罚（《行政处罚法》第三十六条），时效已于 {ends} 届满"
            ),
            format!(
                "the act was not discovered within the limitation period, which ended on {ends}; it can no longer be punished (APL Art. 36)"
            ),
        ));
    }
    // APL Art. 4 and 37: punish only under a provision in force at the act.
    let choice = choose_basis(&f.item.legal_basis, f.act_date, f.today);
    if choice.at_act.is_empty() {
        return Err(refuse(
            "case.no_basis_at_act",
            "act_date",
            format!(
                "事项 {} 在 {} 没有有效的法律依据，不得处罚（《行政处罚法》第四条、第三十七条）",
                f.item.code, f.act_date
            ),
            format!(
                "item {} had no legal basis in force on {}; no penalty may be imposed (APL Art. 4, 37)",
                f.item.code, f.act_date
            ),
        ));
    }
    Ok(FiledBasis {
        at_act: choice.at_act,
        lighter_offered: choice.lighter_now.into_iter().map(|(_, now)| now).collect(),
        limitation_ends: ends,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::powerlist::{Field, Item, ItemKind, LegalBasis};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn basis(effective: NaiveDate, repealed: Option<NaiveDate>, max: i64) -> LegalBasis {
        LegalBasis {
            law: "《某省城乡容貌和环境卫生治理条例》".into(),
            level: "地方性法规".into(),
            article: "第三十条".into(),
            text: "占道经营的，责令改正，处罚款。".into(),
            effective,
            repealed,
            max_fine_yuan: Some(max),
        }
    }

    fn item(kind: ItemKind, bases: Vec<LegalBasis>) -> Item {
        Item {
            code: "T-001".into(),
            name: "对占道经营的处罚".into(),
            kind,
            field: Field::UrbanManagement,
            description: String::new(),
            legal_basis: bases,
            discretion: vec![],
            lead_department: "县城市管理局".into(),
            cooperating_departments: vec![],
            supervision: String::new(),
            responsibilities: vec![],
            accountability: vec![],
            first_offence_no_penalty: false,
            steps: vec![],
        }
    }

    fn facts<'a>(item: &'a Item, held: bool, act: NaiveDate, today: NaiveDate) -> FilingFacts<'a> {
        FilingFacts {
            item,
            held,
            township: "城关回族镇",
            act_date: act,
            act_ended: None,
            grave_harm: false,
            today,
        }
    }

    #[test]
    fn art24_filing_under_an_item_not_held_is_refused() {
        let it = item(ItemKind::Penalty, vec![basis(d(2020, 1, 1), None, 1000)]);
        let e = file(&facts(&it, false, d(2026, 3, 1), d(2026, 3, 2))).unwrap_err();
        assert_eq!(e.code, "powerlist.not_devolved");
        assert!(e.zh.contains("第二十四条"));
        assert!(file(&facts(&it, true, d(2026, 3, 1), d(2026, 3, 2))).is_ok());
    }

    #[test]
    fn art36_limitation_two_years_from_the_act() {
        let it = item(ItemKind::Penalty, vec![basis(d(2015, 1, 1), None, 1000)]);
        // exactly two years later: still within
        assert!(file(&facts(&it, true, d(2024, 3, 1), d(2026, 3, 1))).is_ok());
        let e = file(&facts(&it, true, d(2024, 3, 1), d(2026, 3, 2))).unwrap_err();
        assert_eq!(e.code, "case.limitation_expired");
        assert!(e.zh.contains("第三十六条"));
    }

    #[test]
    fn art36_grave_harm_extends_the_limitation_to_five_years() {
        let it = item(ItemKind::Penalty, vec![basis(d(2015, 1, 1), None, 1000)]);
        let mut f = facts(&it, true, d(2022, 3, 1), d(2026, 3, 2));
        assert!(file(&f).is_err());
        f.grave_harm = true;
        assert_eq!(file(&f).unwrap().limitation_ends, d(2027, 3, 1));
    }

    #[test]
    fn art36_a_continuing_act_counts_from_its_end() {
        let it = item(ItemKind::Penalty, vec![basis(d(2015, 1, 1), None, 1000)]);
        let mut f = facts(&it, true, d(2023, 1, 1), d(2026, 3, 2));
        assert!(file(&f).is_err());
        f.act_ended = Some(d(2025, 6, 1));
        assert_eq!(file(&f).unwrap().limitation_ends, d(2027, 6, 1));
    }

    #[test]
    fn art37_case_keeps_the_old_basis_and_offers_the_lighter_new_one() {
        let old = basis(d(2018, 1, 1), Some(d(2026, 1, 1)), 2000);
        let new = basis(d(2026, 1, 1), None, 500);
        let it = item(ItemKind::Penalty, vec![old.clone(), new.clone()]);
        let filed = file(&facts(&it, true, d(2025, 10, 1), d(2026, 3, 1))).unwrap();
        assert_eq!(filed.at_act, vec![old]);
        assert_eq!(filed.lighter_offered, vec![new]);
    }

    #[test]
    fn art4_no_basis_in_force_at_the_act_refuses_filing() {
        let it = item(ItemKind::Penalty, vec![basis(d(2026, 1, 1), None, 500)]);
        let e = file(&facts(&it, true, d(2025, 10, 1), d(2026, 3, 1))).unwrap_err();
        assert_eq!(e.code, "case.no_basis_at_act");
    }

    #[test]
    fn only_penalty_items_open_penalty_cases() {
        let it = item(ItemKind::Inspection, vec![basis(d(2020, 1, 1), None, 500)]);
        let e = file(&facts(&it, true, d(2025, 10, 1), d(2026, 3, 1))).unwrap_err();
        assert_eq!(e.code, "case.item_not_penalty");
    }

    #[test]
    fn an_act_in_the_future_is_refused() {
        let it = item(ItemKind::Penalty, vec![basis(d(2020, 1, 1), None, 500)]);
        let e = file(&facts(&it, true, d(2026, 3, 2), d(2026, 3, 1))).unwrap_err();
        assert_eq!(e.code, "case.act_in_future");
        assert_eq!(e.field.as_deref(), Some("act_date"));
    }

    #[test]
    fn leap_day_limitation_ends_on_28_february() {
        assert_eq!(limitation_ends(d(2024, 2, 29), None, false), d(2026, 2, 28));
    }
}
