//! What a penalty consists of (APL Art. 9), how two penalties compare
//! (Art. 45: not heavier because the party defended), and when the party
//! has the right to a hearing (Art. 63), with the amounts each province
//! sets.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::money::Fen;
use super::party::PartyKind;
use crate::{Error, Lang};

/// The non-monetary penalties of APL Art. 9 (3)–(4) a township may impose.
/// (行政拘留 is for the police alone and is not listed.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 暂扣许可证件
    SuspendLicence,
    /// 降低资质等级
    LowerQualification,
    /// 吊销许可证件
    RevokeLicence,
    /// 限制开展生产经营活动
    RestrictBusiness,
    /// 责令停产停业
    SuspendBusiness,
    /// 责令关闭
    OrderClosure,
    /// 限制从业
    RestrictPractice,
}

impl Measure {
    pub const ALL: [Measure; 7] = [
        Measure::SuspendLicence,
        Measure::LowerQualification,
        Measure::RevokeLicence,
        Measure::RestrictBusiness,
        Measure::SuspendBusiness,
        Measure::OrderClosure,
        Measure::RestrictPractice,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Measure::SuspendLicence => ("暂扣许可证件", "suspension of a licence"),
            Measure::LowerQualification => ("降低资质等级", "lowering of a qualification grade"),
            Measure::RevokeLicence => ("吊销许可证件", "revocation of a licence"),
            Measure::RestrictBusiness => (
                "限制开展生产经营活动",
                "restriction of production or business",
            ),
            Measure::SuspendBusiness => ("责令停产停业", "order to suspend production or business"),
            Measure::OrderClosure => ("责令关闭", "order to close"),
            Measure::RestrictPractice => ("限制从业", "restriction of practice"),
        };
        lang.pick(zh, en)
    }
}

/// A penalty, intended (in the prior notice) or decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Penalty {
    /// 警告
    #[serde(default)]
    pub warning: bool,
    /// 通报批评
    #[serde(default)]
    pub criticism: bool,
    /// 罚款
    #[serde(default)]
    pub fine: Fen,
    /// 没收违法所得
    #[serde(default)]
    pub confiscated_gains: Fen,
    /// 没收非法财物, by value
    #[serde(default)]
    pub confiscated_property: Fen,
    #[serde(default)]
    pub measures: Vec<Measure>,
}

impl Penalty {
    pub fn warning() -> Penalty {
        Penalty {
            warning: true,
            ..Penalty::default()
        }
    }

    pub fn fine(fine: Fen) -> Penalty {
        Penalty {
            fine,
            ..Penalty::default()
        }
    }

    /// No penalty at all.
    pub fn is_empty(&self) -> bool {
        !self.warning
            && !self.criticism
            && self.fine.is_zero()
            && self.confiscated_gains.is_zero()
            && self.confiscated_property.is_zero()
            && self.measures.is_empty()
    }

    /// The amount confiscated (gains and property).
    pub fn confiscated(&self) -> Fen {
        self.confiscated_gains
            .saturating_add(self.confiscated_property)
    }

    /// The first component in which `self` is heavier than `other`: a
    /// larger amount, or a kind of penalty `other` does not include.
    /// `None` when `self` is, component by component, no heavier.
    pub fn heavier_than(&self, other: &Penalty) -> Option<(&'static str, &'static str)> {
        if self.fine > other.fine {
            return Some(("罚款数额", "the fine"));
        }
        if self.confiscated_gains > other.confiscated_gains {
            return Some(("没收违法所得数额", "the illegal gains confiscated"));
        }
        if self.confiscated_property > other.confiscated_property {
            return Some(("没收非法财物价值", "the illegal property confiscated"));
        }
        if self.warning && !other.warning {
            return Some(("警告", "a warning"));
        }
        if self.criticism && !other.criticism {
            return Some(("通报批评", "a public criticism"));
        }
        if let Some(m) = self.measures.iter().find(|m| !other.measures.contains(m)) {
            return Some((m.label(Lang::Zh), m.label(Lang::En)));
        }
        None
    }

    /// A short description, e.g. "警告、罚款 500.00 元".
    pub fn describe(&self, lang: Lang) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.warning {
            parts.push(lang.pick("警告", "warning").into());
        }
        if self.criticism {
            parts.push(lang.pick("通报批评", "public criticism").into());
        }
        if !self.fine.is_zero() {
            parts.push(format!("{} {}", lang.pick("罚款", "fine of"), self.fine));
        }
        if !self.confiscated_gains.is_zero() {
            parts.push(format!(
                "{} {}",
                lang.pick("没收违法所得", "confiscation of illegal gains of"),
                self.confiscated_gains
            ));
        }
        if !self.confiscated_property.is_zero() {
            parts.push(format!(
                "{} {}",
                lang.pick("没收非法财物价值", "confiscation of illegal property worth"),
                self.confiscated_property
            ));
        }
        parts.extend(self.measures.iter().map(|m| m.label(lang).to_string()));
        parts.join(lang.pick("、", ", "))
    }
}

/// Which penalties carry the right to a hearing (APL Art. 63), as set for
/// one province (the amounts of "较大数额" are provincial).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingThresholds {
    /// The province, e.g. 河南省.
    pub jurisdiction: String,
    /// The rule that sets the amounts.
    pub basis: String,
    /// In force from.
    pub effective: NaiveDate,
    /// A fine of at least this much on a citizen is "较大数额".
    pub citizen_fine: Fen,
    /// … on an organisation.
    pub organisation_fine: Fen,
    /// Confiscation of gains or property worth at least this much.
    pub citizen_confiscation: Fen,
    pub organisation_confiscation: Fen,
    /// Measures that carry the right: Art. 63 (3) and (4), and those the
    /// province counts as "其他较重的行政处罚" (5).
    pub heavy_measures: Vec<Measure>,
}

impl HearingThresholds {
    /// Henan: a fine of 5,000 yuan or more on a citizen, 50,000 or more on
    /// an organisation (河南省人民政府令第204号, from 1 December 2021).
    /// Confiscation uses the same amounts, and every measure of Art. 9
    /// (3)–(4) — including suspension of a licence and restriction of
    /// business, counted as other heavy penalties — carries the right.
    /// A State Council department's own amounts for its sector take
    /// precedence; configure them as another set.
    pub fn henan() -> HearingThresholds {
        HearingThresholds {
            jurisdiction: "河南省".into(),
            basis: "河南省人民政府令第204号".into(),
            effective: NaiveDate::from_ymd_opt(2021, 12, 1).expect("valid date"),
            citizen_fine: Fen::yuan(5_000),
            organisation_fine: Fen::yuan(50_000),
            citizen_confiscation: Fen::yuan(5_000),
            organisation_confiscation: Fen::yuan(50_000),
            heavy_measures: Measure::ALL.to_vec(),
        }
    }

    fn fine_threshold(&self, kind: PartyKind) -> Fen {
        match kind {
            PartyKind::Citizen => self.citizen_fine,
            PartyKind::Organisation => self.organisation_fine,
        }
    }

    fn confiscation_threshold(&self, kind: PartyKind) -> Fen {
        match kind {
            PartyKind::Citizen => self.citizen_confiscation,
            PartyKind::Organisation => self.organisation_confiscation,
        }
    }

    /// Why the intended penalty gives the party the right to a hearing
    /// (APL Art. 63), as (zh, en); `None` when it does not. "以上" includes
    /// the amount itself.
    pub fn hearing_ground(&self, penalty: &Penalty, party: PartyKind) -> Option<(String, String)> {
        let fine_at = self.fine_threshold(party);
        if !fine_at.is_zero() && penalty.fine >= fine_at {
            return Some((
                format!(
                    "对{}罚款 {}，达到较大数额（{}，{}）",
                    party.label(Lang::Zh),
                    penalty.fine,
                    fine_at,
                    self.basis
                ),
                format!(
                    "a fine of {} on {} reaches the large amount of {} ({})",
                    penalty.fine,
                    party.label(Lang::En),
                    fine_at,
                    self.basis
                ),
            ));
        }
        let conf_at = self.confiscation_threshold(party);
        if !conf_at.is_zero() && penalty.confiscated() >= conf_at {
            return Some((
                format!(
                    "没收 {}，达到较大数额（{}）",
                    penalty.confiscated(),
                    conf_at
                ),
                format!(
                    "confiscation of {} reaches the large amount of {}",
                    penalty.confiscated(),
                    conf_at
                ),
            ));
        }
        penalty
            .measures
            .iter()
            .find(|m| self.heavy_measures.contains(m))
            .map(|m| (m.label(Lang::Zh).to_string(), m.label(Lang::En).to_string()))
    }
}

/// APL Art. 44–45: a penalty may not grow because the party stated their
/// case or defended themselves. `proposed` is refused when it is heavier
/// than `before` in any component, unless `new_facts` records the new facts
/// or evidence that justify it — which then needs a new prior notice.
pub fn require_not_heavier(
    proposed: &Penalty,
    before: &Penalty,
    new_facts: Option<&str>,
) -> Result<(), Error> {
    let Some((zh, en)) = proposed.heavier_than(before) else {
        return Ok(());
    };
    if new_facts.is_some_and(|f| !f.trim().is_empty()) {
        return Ok(());
    }
    Err(Error::invalid(
        "case.art45_no_heavier_penalty",
        "penalty",
        format!(
            "《行政处罚法》第四十五条：行政机关不得因当事人陈述、申辩而给予更重的处罚；拟处罚的{zh}重于已告知的处罚（{} → {}），且未载明新的事实或者证据",
            before.describe(Lang::Zh),
            proposed.describe(Lang::Zh)
        ),
        format!(
            "APL Art. 45: the penalty may not be increased because the party stated their case or defended themselves; {en} is heavier than notified ({} → {}) and no new facts or evidence are recorded",
            before.describe(Lang::En),
            proposed.describe(Lang::En)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apl_art63_henan_hearing_thresholds_include_the_amount_itself() {
        let h = HearingThresholds::henan();
        // (penalty, party, hearing right)
        let table = [
            (Penalty::fine(Fen::yuan(4_999)), PartyKind::Citizen, false),
            (Penalty::fine(Fen::yuan(5_000)), PartyKind::Citizen, true),
            (
                Penalty::fine(Fen::yuan(49_999)),
                PartyKind::Organisation,
                false,
            ),
            (
                Penalty::fine(Fen::yuan(50_000)),
                PartyKind::Organisation,
                true,
            ),
            (Penalty::warning(), PartyKind::Citizen, false),
            (
                Penalty {
                    measures: vec![Measure::RevokeLicence],
                    ..Penalty::default()
                },
                PartyKind::Organisation,
                true,
            ),
            (
                Penalty {
                    confiscated_property: Fen::yuan(6_000),
                    ..Penalty::default()
                },
                PartyKind::Citizen,
                true,
            ),
        ];
        for (p, kind, right) in table {
            assert_eq!(
                h.hearing_ground(&p, kind).is_some(),
                right,
                "{p:?} {kind:?}"
            );
        }
        let (zh, _) = h
            .hearing_ground(&Penalty::fine(Fen::yuan(5_000)), PartyKind::Citizen)
            .unwrap();
        assert!(zh.contains("第204号"), "{zh}");
    }

    #[test]
    fn apl_art63_thresholds_are_configurable() {
        let mut h = HearingThresholds::henan();
        h.citizen_fine = Fen::yuan(2_000);
        h.heavy_measures = vec![Measure::RevokeLicence];
        assert!(
            h.hearing_ground(&Penalty::fine(Fen::yuan(2_000)), PartyKind::Citizen)
                .is_some()
        );
        let suspend = Penalty {
            measures: vec![Measure::SuspendLicence],
            ..Penalty::default()
        };
        assert!(h.hearing_ground(&suspend, PartyKind::Citizen).is_none());
    }

    #[test]
    fn apl_art45_a_heavier_penalty_after_defence_is_refused() {
        let noticed = Penalty::fine(Fen::yuan(1_000));
        let table = [
            (
                Penalty::fine(Fen::yuan(1_500)),
                None,
                Some("case.art45_no_heavier_penalty"),
            ),
            (
                Penalty {
                    warning: true,
                    ..noticed.clone()
                },
                None,
                Some("case.art45_no_heavier_penalty"),
            ),
            (Penalty::fine(Fen::yuan(800)), None, None),
            (noticed.clone(), None, None),
            (
                Penalty::fine(Fen::yuan(1_500)),
                Some("补充调查发现违法所得 3 万元"),
                None,
            ),
        ];
        for (proposed, new_facts, want) in table {
            let got = require_not_heavier(&proposed, &noticed, new_facts);
            match want {
                Some(code) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.code, code);
                    assert!(e.zh.contains("第四十五条") && e.en.contains("Art. 45"));
                }
                None => assert!(got.is_ok(), "{proposed:?}"),
            }
        }
    }

    #[test]
    fn penalties_describe_themselves() {
        let p = Penalty {
            warning: true,
            fine: Fen::yuan(500),
            measures: vec![Measure::SuspendBusiness],
            ..Penalty::default()
        };
        assert_eq!(p.describe(Lang::Zh), "警告、罚款 500.00 元、责令停产停业");
        assert!(Penalty::default().is_empty());
        assert!(!p.is_empty());
    }
}
