//! The amount of the fine (行政处罚裁量): the item's discretion benchmark
//! (裁量基准, [`DiscretionTier`]) and the circumstances of the case.
//!
//! * The fine never exceeds what the legal basis allows (APL Art. 38: a
//!   penalty without basis is void). Where the basis in force at the act
//!   and a lighter later one are both known, the lighter maximum applies
//!   (Art. 37).
//! * An item with a benchmark needs a tier chosen. Within the tier:
//!   lighter (从轻, Art. 32) means the lower part of the range — up to
//!   [`DiscretionRules::lighter_share_percent`] of the way from its minimum
//!   to its maximum —, heavier (从重) the upper part; mitigated (减轻,
//!   Art. 32) goes below the minimum. Lighter or mitigated treatment needs
//!   its grounds, heavier treatment its grounds too.
//! * Any fine outside the chosen tier that is not a mitigation needs a
//!   written reason (`case.discretion_reason`).
//! * Art. 30: a party aged 14 to 18 at the act must be treated lighter or
//!   mitigated.
//! * Art. 33: a minor act, promptly corrected and harmless, is not
//!   punished; a first offence with slight harm, promptly corrected, may go
//!   unpunished where the item is on a first-offence list
//!   ([`first_offence_no_penalty`]).
//! * Art. 74: fines never count towards any unit's or person's assessment.
//!   [`FINES_COUNT_TOWARDS_ASSESSMENT`] is `false`, and
//!   [`for_assessment`] strips every amount from data handed to an
//!   assessment.

use serde::{Deserialize, Serialize};

use super::filing::FiledBasis;
use super::money::Fen;
use super::party::AgeCategory;
use crate::Error;
use crate::powerlist::{DiscretionTier, Item};

/// APL Art. 74: fines, confiscated gains and proceeds are never linked to
/// the assessment of the agency or its staff.
pub const FINES_COUNT_TOWARDS_ASSESSMENT: bool = false;

/// Provincial discretion settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscretionRules {
    /// A lighter fine lies in the lowest this-many percent of the tier's
    /// range (a heavier one at or above it). Default 50: below the middle.
    pub lighter_share_percent: u8,
}

impl Default for DiscretionRules {
    fn default() -> Self {
        DiscretionRules {
            lighter_share_percent: 50,
        }
    }
}

/// How the circumstances move the fine within the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// Within the tier as it stands.
    #[default]
    None,
    /// 从轻: in the lower part of the tier.
    Lighter,
    /// 减轻: below the tier's minimum.
    Mitigated,
    /// 从重: in the upper part of the tier.
    Heavier,
}

/// The officer's choice for the fine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FineChoice {
    /// Index of the benchmark tier whose circumstance fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<usize>,
    #[serde(default)]
    pub adjustment: Adjustment,
    /// The circumstances for lighter, mitigated or heavier treatment (APL
    /// Art. 32: 主动消除或者减轻违法行为危害后果, 受他人胁迫或者诱骗,
    /// 主动供述, 配合查处有立功表现 …).
    #[serde(default)]
    pub grounds: Vec<String>,
    /// Why the fine departs from the tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_reason: Option<String>,
}

/// The highest fine the case's basis allows, if the list records one: the
/// highest among the provisions in force at the act (where several apply,
/// the higher fine, Art. 29), lowered to a lighter provision in force now
/// (Art. 37).
pub fn legal_max(basis: &FiledBasis) -> Option<Fen> {
    let max_of = |bs: &[crate::powerlist::LegalBasis]| {
        bs.iter()
            .filter_map(|b| b.max_fine_yuan)
            .filter_map(|y| Fen::from_yuan(y).ok())
            .max()
    };
    match (max_of(&basis.at_act), max_of(&basis.lighter_offered)) {
        (Some(a), Some(l)) => Some(a.min(l)),
        (a, l) => a.or(l),
    }
}

/// The point of a tier splitting lighter from heavier.
fn split_point(tier: &DiscretionTier, rules: &DiscretionRules) -> Fen {
    let min = yuan(tier.fine_min_yuan);
    let max = yuan(tier.fine_max_yuan);
    let span = max.saturating_sub(min);
    min.saturating_add(span.mul_div_floor(i64::from(rules.lighter_share_percent.min(100)), 100))
}

/// A benchmark amount in yuan (checked non-negative by `validate_item`).
fn yuan(y: i64) -> Fen {
    Fen::from_yuan(y).unwrap_or(Fen::ZERO)
}

/// A starting point for the fine: the tier's minimum when lighter, its
/// maximum when heavier, its split point otherwise; `None` without a tier
/// or when mitigated (the officer sets it).
pub fn suggest(
    item: &Item,
    tier: usize,
    adjustment: Adjustment,
    rules: &DiscretionRules,
) -> Option<Fen> {
    let t = item.discretion.get(tier)?;
    match adjustment {
        Adjustment::None => Some(split_point(t, rules)),
        Adjustment::Lighter => Some(yuan(t.fine_min_yuan)),
        Adjustment::Heavier => Some(yuan(t.fine_max_yuan)),
        Adjustment::Mitigated => None,
    }
}

fn refuse(code: &'static str, field: &str, zh: String, en: String) -> Error {
    Error::invalid(code, field.to_string(), zh, en)
}

fn has_text(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.trim().is_empty())
}

/// May `fine` be proposed (in the prior notice) or decided?
pub fn check_fine(
    item: &Item,
    basis: &FiledBasis,
    age: Option<AgeCategory>,
    choice: &FineChoice,
    fine: Fen,
    rules: &DiscretionRules,
) -> Result<(), Error> {
    if let Some(max) = legal_max(basis)
        && fine > max
    {
        return Err(refuse(
            "case.basis_max_fine",
            "penalty.fine",
            format!(
                "《行政处罚法》第三十八条：行政处罚没有依据的无效；拟罚款 {fine} 超过法律依据规定的最高额 {max}"
            ),
            format!(
                "APL Art. 38: a penalty without a basis is void; the fine of {fine} exceeds the basis's maximum of {max}"
            ),
        ));
    }
    let grounds = choice.grounds.iter().any(|g| !g.trim().is_empty());
    if age == Some(AgeCategory::Minor)
        && !matches!(
            choice.adjustment,
            Adjustment::Lighter | Adjustment::Mitigated
        )
    {
        return Err(refuse(
            "case.art30_minor_lighter",
            "adjustment",
            "《行政处罚法》第三十条：已满十四周岁不满十八周岁的未成年人有违法行为的，应当从轻或者减轻行政处罚".into(),
            "APL Art. 30: a party aged 14 to 18 at the time of the act must be treated lighter or mitigated".into(),
        ));
    }
    let minor_party = age == Some(AgeCategory::Minor);
    match choice.adjustment {
        Adjustment::Lighter | Adjustment::Mitigated if !grounds && !minor_party => {
            return Err(refuse(
                "case.art32_grounds",
                "grounds",
                "《行政处罚法》第三十二条：从轻或者减轻行政处罚应当具有法定情形，请写明".into(),
                "APL Art. 32: lighter or mitigated treatment needs one of its statutory circumstances; state it".into(),
            ));
        }
        Adjustment::Heavier if !grounds => {
            return Err(refuse(
                "case.discretion_heavier_grounds",
                "grounds",
                "从重处罚应当写明从重情节（行政处罚裁量基准）".into(),
                "heavier treatment needs its aggravating circumstances stated (discretion benchmark)"
                    .into(),
            ));
        }
        _ => {}
    }
    if item.discretion.is_empty() {
        return Ok(());
    }
    let Some(tier) = choice.tier.and_then(|i| item.discretion.get(i)) else {
        return Err(refuse(
            "case.discretion_tier",
            "tier",
            format!(
                "事项 {} 有裁量基准，应当选择与违法情节相符的裁量档次",
                item.code
            ),
            format!(
                "item {} has a discretion benchmark; choose the tier that fits the circumstances",
                item.code
            ),
        ));
    };
    let min = yuan(tier.fine_min_yuan);
    let max = yuan(tier.fine_max_yuan);
    let split = split_point(tier, rules);
    let reason = has_text(choice.departure_reason.as_deref());
    match choice.adjustment {
        Adjustment::Mitigated => {
            if fine >= min {
                return Err(refuse(
                    "case.discretion_mitigated",
                    "penalty.fine",
                    format!(
                        "《行政处罚法》第三十二条：减轻处罚应当低于裁量档次「{}」的最低额 {min}",
                        tier.circumstance
                    ),
                    format!(
                        "APL Art. 32: a mitigated fine lies below the minimum of {min} of the tier \"{}\"",
                        tier.circumstance
                    ),
                ));
            }
            if !reason {
                return Err(departure(tier, min, max, fine));
            }
            return Ok(());
        }
        Adjustment::Lighter if fine > split && fine <= max => {
            return Err(refuse(
                "case.discretion_lighter",
                "penalty.fine",
                format!(
                    "从轻处罚的罚款应当在裁量档次「{}」的较低部分（不超过 {split}），拟罚款 {fine}",
                    tier.circumstance
                ),
                format!(
                    "a lighter fine lies in the lower part of the tier \"{}\" (at most {split}); proposed {fine}",
                    tier.circumstance
                ),
            ));
        }
        Adjustment::Heavier if fine < split && fine >= min => {
            return Err(refuse(
                "case.discretion_heavier",
                "penalty.fine",
                format!(
                    "从重处罚的罚款应当在裁量档次「{}」的较高部分（不低于 {split}），拟罚款 {fine}",
                    tier.circumstance
                ),
                format!(
                    "a heavier fine lies in the upper part of the tier \"{}\" (at least {split}); proposed {fine}",
                    tier.circumstance
                ),
            ));
        }
        _ => {}
    }
    if (fine < min || fine > max) && !reason {
        return Err(departure(tier, min, max, fine));
    }
    Ok(())
}

fn departure(tier: &DiscretionTier, min: Fen, max: Fen, fine: Fen) -> Error {
    refuse(
        "case.discretion_reason",
        "departure_reason",
        format!(
            "拟罚款 {fine} 超出裁量档次「{}」（{min}–{max}），应当书面说明理由",
            tier.circumstance
        ),
        format!(
            "the fine of {fine} lies outside the tier \"{}\" ({min}–{max}); a written reason is required",
            tier.circumstance
        ),
    )
}

/// What the officer found on a first offence (APL Art. 33 ¶1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffenceFacts {
    /// 初次违法
    pub first_offence: bool,
    /// 危害后果轻微 (slight) — or, for the mandatory rule, none at all.
    pub harm_slight: bool,
    pub harmless: bool,
    /// 及时改正
    pub corrected_promptly: bool,
    /// 违法行为轻微
    pub minor: bool,
}

/// APL Art. 33 ¶1, first sentence: minor, promptly corrected and harmless —
/// not punished (mandatory).
pub fn must_not_punish(f: &OffenceFacts) -> bool {
    f.minor && f.corrected_promptly && f.harmless
}

/// APL Art. 33 ¶1, second sentence: a first offence with slight harm,
/// promptly corrected, may go unpunished — applied where the item is on a
/// first-offence no-penalty list (首违不罚清单).
pub fn first_offence_no_penalty(item: &Item, f: &OffenceFacts) -> bool {
    item.first_offence_no_penalty
        && f.first_offence
        && (f.harm_slight || f.harmless)
        && f.corrected_promptly
}

/// Keys (split at `_`) that carry money and never reach an assessment.
const MONEY_WORDS: &[&str] = &[
    "fine",
    "fines",
    "amount",
    "amounts",
    "surcharge",
    "confiscated",
    "fen",
    "yuan",
    "paid",
    "payment",
    "payments",
    "owed",
    "plan",
];

/// APL Art. 74: the same data with every monetary field removed, at any
/// depth — what an assessment (考核、考评) of a unit or a person may see.
pub fn for_assessment(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !k.to_ascii_lowercase()
                        .split('_')
                        .any(|w| MONEY_WORDS.contains(&w))
                })
                .map(|(k, v)| (k.clone(), for_assessment(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(for_assessment).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::testkit::{basis_with_max, item_with_tiers};

    fn choice(tier: Option<usize>, adj: Adjustment) -> FineChoice {
        FineChoice {
            tier,
            adjustment: adj,
            grounds: vec![],
            departure_reason: None,
        }
    }

    #[test]
    fn the_fine_follows_the_tier_and_a_departure_needs_a_written_reason() {
        // tiers: 0 = 100–500 yuan, 1 = 500–2,000 yuan; basis max 2,000.
        let item = item_with_tiers();
        let basis = basis_with_max(2_000);
        let r = DiscretionRules::default();
        let with_grounds = |mut c: FineChoice| {
            c.grounds = vec!["主动消除违法行为危害后果".into()];
            c
        };
        let with_reason = |mut c: FineChoice| {
            c.departure_reason = Some("当事人系低保户，经集体讨论".into());
            c
        };
        // (choice, fine, expected refusal)
        let table: Vec<(FineChoice, i64, Option<&str>)> = vec![
            (choice(Some(0), Adjustment::None), 300, None),
            (
                choice(Some(0), Adjustment::None),
                600,
                Some("case.discretion_reason"),
            ),
            (with_reason(choice(Some(0), Adjustment::None)), 600, None),
            (
                choice(None, Adjustment::None),
                300,
                Some("case.discretion_tier"),
            ),
            (
                choice(Some(9), Adjustment::None),
                300,
                Some("case.discretion_tier"),
            ),
            (
                choice(Some(1), Adjustment::None),
                2_001,
                Some("case.basis_max_fine"),
            ),
            (
                with_reason(choice(Some(1), Adjustment::None)),
                2_001,
                Some("case.basis_max_fine"),
            ),
            // lighter: at most the middle of 100–500 = 300
            (
                with_grounds(choice(Some(0), Adjustment::Lighter)),
                300,
                None,
            ),
            (
                with_grounds(choice(Some(0), Adjustment::Lighter)),
                301,
                Some("case.discretion_lighter"),
            ),
            (
                choice(Some(0), Adjustment::Lighter),
                200,
                Some("case.art32_grounds"),
            ),
            // heavier: at least the middle
            (
                with_grounds(choice(Some(0), Adjustment::Heavier)),
                299,
                Some("case.discretion_heavier"),
            ),
            (
                with_grounds(choice(Some(0), Adjustment::Heavier)),
                500,
                None,
            ),
            (
                choice(Some(0), Adjustment::Heavier),
                500,
                Some("case.discretion_heavier_grounds"),
            ),
            // mitigated: below the minimum, with grounds and a reason
            (
                with_reason(with_grounds(choice(Some(0), Adjustment::Mitigated))),
                50,
                None,
            ),
            (
                with_grounds(choice(Some(0), Adjustment::Mitigated)),
                50,
                Some("case.discretion_reason"),
            ),
            (
                with_reason(with_grounds(choice(Some(0), Adjustment::Mitigated))),
                100,
                Some("case.discretion_mitigated"),
            ),
        ];
        for (c, yuan, want) in table {
            let got = check_fine(&item, &basis, None, &c, Fen::yuan(yuan), &r);
            match want {
                Some(code) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.code, code, "{c:?} {yuan}");
                }
                None => assert!(got.is_ok(), "{c:?} {yuan}: {got:?}"),
            }
        }
    }

    #[test]
    fn apl_art30_a_minor_party_must_be_treated_lighter() {
        let item = item_with_tiers();
        let basis = basis_with_max(2_000);
        let r = DiscretionRules::default();
        let e = check_fine(
            &item,
            &basis,
            Some(AgeCategory::Minor),
            &choice(Some(0), Adjustment::None),
            Fen::yuan(300),
            &r,
        )
        .unwrap_err();
        assert_eq!(e.code, "case.art30_minor_lighter");
        assert!(e.zh.contains("第三十条"));
        // age itself is the ground for lighter treatment
        assert!(
            check_fine(
                &item,
                &basis,
                Some(AgeCategory::Minor),
                &choice(Some(0), Adjustment::Lighter),
                Fen::yuan(100),
                &r
            )
            .is_ok()
        );
    }

    #[test]
    fn apl_art37_the_lighter_current_maximum_applies() {
        let mut basis = basis_with_max(2_000);
        basis.lighter_offered = basis_with_max(800).at_act;
        assert_eq!(legal_max(&basis), Some(Fen::yuan(800)));
        let item = item_with_tiers();
        let e = check_fine(
            &item,
            &basis,
            None,
            &FineChoice {
                departure_reason: Some("x".into()),
                ..choice(Some(1), Adjustment::None)
            },
            Fen::yuan(1_000),
            &DiscretionRules::default(),
        )
        .unwrap_err();
        assert_eq!(e.code, "case.basis_max_fine");
    }

    #[test]
    fn suggestions_come_from_the_tier() {
        let item = item_with_tiers();
        let r = DiscretionRules::default();
        assert_eq!(
            suggest(&item, 0, Adjustment::None, &r),
            Some(Fen::yuan(300))
        );
        assert_eq!(
            suggest(&item, 0, Adjustment::Lighter, &r),
            Some(Fen::yuan(100))
        );
        assert_eq!(
            suggest(&item, 1, Adjustment::Heavier, &r),
            Some(Fen::yuan(2_000))
        );
        assert_eq!(suggest(&item, 0, Adjustment::Mitigated, &r), None);
        assert_eq!(suggest(&item, 5, Adjustment::None, &r), None);
    }

    #[test]
    fn apl_art33_first_offence_list_and_mandatory_no_penalty() {
        let mut item = item_with_tiers();
        let first = OffenceFacts {
            first_offence: true,
            harm_slight: true,
            corrected_promptly: true,
            ..OffenceFacts::default()
        };
        assert!(!first_offence_no_penalty(&item, &first));
        item.first_offence_no_penalty = true;
        assert!(first_offence_no_penalty(&item, &first));
        assert!(!first_offence_no_penalty(
            &item,
            &OffenceFacts {
                corrected_promptly: false,
                ..first
            }
        ));
        let minor = OffenceFacts {
            minor: true,
            corrected_promptly: true,
            harmless: true,
            ..OffenceFacts::default()
        };
        assert!(must_not_punish(&minor));
        assert!(!must_not_punish(&OffenceFacts {
            harmless: false,
            ..minor
        }));
    }

    #[test]
    fn apl_art74_fines_never_reach_an_assessment() {
        const _: () = assert!(!FINES_COUNT_TOWARDS_ASSESSMENT);
        let case = |fine: i64| {
            serde_json::json!({
                "status": "performed",
                "officers": ["a", "b"],
                "decided_on": "2026-03-10",
                "penalty": {"warning": true, "fine": fine, "confiscated_gains": 0, "measures": []},
                "payments": [{"paid_on": "2026-03-20", "amount": fine}],
                "deferral": {"plan": [{"due": "2026-04-01", "amount": fine}]},
                "surcharge_fen": 300,
                "fine_yuan": fine / 100,
            })
        };
        let a = for_assessment(&case(100_000));
        let b = for_assessment(&case(5_000_000));
        assert_eq!(a, b);
        let text = a.to_string();
        assert!(!text.contains("100000") && !text.contains("fine"), "{text}");
        assert!(text.contains("decided_on") && text.contains("warning"));
    }
}
