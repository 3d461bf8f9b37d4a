//! The summary procedure (简易程序): a decision on the spot.
//!
//! * APL Art. 51: only where the facts are certain and there is a legal
//!   basis, and the penalty is a warning or a fine of at most 200 yuan on a
//!   citizen or 3,000 yuan on an organisation (configurable in
//!   [`Thresholds`], for a law that provides otherwise).
//! * Art. 52: the officers show their credentials, fill in a pre-printed,
//!   numbered decision form stating the act, the penalty and its basis, the
//!   amount, time and place, the remedies and the agency, sign it and hand
//!   it over; a refusal to sign is noted on the form; the decision is filed
//!   with the agency. Art. 42 (two officers) applies as everywhere.
//! * Art. 68: the officers may collect the fine on the spot only when it is
//!   at most 100 yuan or would be hard to collect later; Art. 69 also when
//!   the party, in a remote area, asks; Art. 70: against the official
//!   receipt.
//! * Art. 71: cash collected is handed to the agency within two days (from
//!   landing, on water); the agency pays it into the bank within two days
//!   — working days (Art. 85).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::money::Fen;
use super::officers::{Officer, Recusal, require_investigators, resolve};
use super::party::PartyKind;
use super::penalty::Penalty;
use super::period::working_days;
use crate::calendar::Calendar;
use crate::{Error, Lang};

/// The amounts of the summary procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// APL Art. 51: the largest fine on a citizen (200 yuan).
    pub citizen_max_fine: Fen,
    /// APL Art. 51: the largest fine on an organisation (3,000 yuan).
    pub organisation_max_fine: Fen,
    /// APL Art. 68 (1): the largest fine collected on the spot without
    /// another ground (100 yuan).
    pub collection_max: Fen,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            citizen_max_fine: Fen::yuan(200),
            organisation_max_fine: Fen::yuan(3_000),
            collection_max: Fen::yuan(100),
        }
    }
}

impl Thresholds {
    pub fn max_fine(&self, party: PartyKind) -> Fen {
        match party {
            PartyKind::Citizen => self.citizen_max_fine,
            PartyKind::Organisation => self.organisation_max_fine,
        }
    }
}

fn refuse(code: &'static str, field: &str, zh: String, en: String) -> Error {
    Error::invalid(code, field.to_string(), zh, en)
}

/// APL Art. 51: may this penalty be decided on the spot?
pub fn summary_allowed(
    party: PartyKind,
    facts_certain: bool,
    basis: &str,
    penalty: &Penalty,
    t: &Thresholds,
) -> Result<(), Error> {
    if !facts_certain {
        return Err(refuse(
            "case.art51_facts",
            "facts_certain",
            "《行政处罚法》第五十一条：违法事实确凿的，方可当场作出行政处罚决定".into(),
            "APL Art. 51: a decision on the spot needs facts that are certain".into(),
        ));
    }
    if basis.trim().is_empty() {
        return Err(refuse(
            "case.art51_basis",
            "basis",
            "《行政处罚法》第五十一条：当场处罚必须有法定依据".into(),
            "APL Art. 51: a decision on the spot needs a legal basis".into(),
        ));
    }
    let only_warning_or_fine = !penalty.criticism
        && penalty.confiscated().is_zero()
        && penalty.measures.is_empty()
        && (penalty.warning || !penalty.fine.is_zero());
    if !only_warning_or_fine {
        return Err(refuse(
            "case.art51_kind",
            "penalty",
            format!(
                "《行政处罚法》第五十一条：当场只能作出警告或者罚款，拟作出的处罚为「{}」，应当适用普通程序",
                penalty.describe(Lang::Zh)
            ),
            format!(
                "APL Art. 51: only a warning or a fine can be decided on the spot, not \"{}\"; use the ordinary procedure",
                penalty.describe(Lang::En)
            ),
        ));
    }
    let max = t.max_fine(party);
    if penalty.fine > max {
        return Err(refuse(
            "case.art51_fine_limit",
            "penalty.fine",
            format!(
                "《行政处罚法》第五十一条：当场处罚对{}的罚款不得超过 {}，拟罚款 {}，应当适用普通程序",
                party.label(Lang::Zh),
                max,
                penalty.fine
            ),
            format!(
                "APL Art. 51: a fine decided on the spot on {} may not exceed {}; {} needs the ordinary procedure",
                party.label(Lang::En),
                max,
                penalty.fine
            ),
        ));
    }
    Ok(())
}

/// The party's signature on a decision or record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signature {
    Signed,
    /// Refused; `noted` when the officers noted the refusal on the document.
    Refused {
        noted: bool,
    },
}

/// A decision made on the spot (当场处罚决定书), as the officers record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotDecision {
    /// Officer ids.
    pub officers: Vec<String>,
    /// The law allowing a single officer, if one acted alone (Art. 42).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_officer_basis: Option<String>,
    pub credentials_shown: bool,
    pub facts_certain: bool,
    /// The pre-printed form's number.
    pub form_number: String,
    /// The act (违法行为).
    pub violation: String,
    pub penalty: Penalty,
    /// The provision applied.
    pub basis: String,
    /// The order to correct (APL Art. 28).
    pub correction: String,
    pub place: String,
    pub date: NaiveDate,
    /// How and by when to seek reconsideration or sue.
    pub remedies: String,
    pub agency: String,
    pub signature: Signature,
}

/// APL Art. 51–52 (and 42, 28): may this on-the-spot decision be recorded?
pub fn decide_on_the_spot(
    d: &SpotDecision,
    party: PartyKind,
    roster: &[Officer],
    recusals: &[Recusal],
    t: &Thresholds,
) -> Result<(), Error> {
    summary_allowed(party, d.facts_certain, &d.basis, &d.penalty, t)?;
    let officers = resolve(roster, &d.officers)?;
    require_investigators(
        &officers,
        d.date,
        recusals,
        d.single_officer_basis.as_deref(),
    )?;
    if !d.credentials_shown {
        return Err(refuse(
            "case.art52_credentials_shown",
            "credentials_shown",
            "《行政处罚法》第五十二条：当场作出行政处罚决定的，应当向当事人出示执法证件".into(),
            "APL Art. 52: officers deciding on the spot must show their credentials to the party"
                .into(),
        ));
    }
    if d.form_number.trim().is_empty() {
        return Err(refuse(
            "case.art52_form_number",
            "form_number",
            "《行政处罚法》第五十二条：应当填写预定格式、编有号码的行政处罚决定书".into(),
            "APL Art. 52: the decision must be on a pre-printed, numbered form; the form number is missing".into(),
        ));
    }
    let contents = [
        (&d.violation, "violation", "违法行为", "the act"),
        (&d.basis, "basis", "处罚依据", "the basis"),
        (&d.place, "place", "地点", "the place"),
        (
            &d.remedies,
            "remedies",
            "申请行政复议、提起行政诉讼的途径和期限",
            "the remedies",
        ),
        (&d.agency, "agency", "行政机关名称", "the agency"),
    ];
    for (value, field, zh, en) in contents {
        if value.trim().is_empty() {
            return Err(refuse(
                "case.art52_contents",
                field,
                format!("《行政处罚法》第五十二条：当场处罚决定书应当载明{zh}"),
                format!("APL Art. 52: the on-the-spot decision must state {en}"),
            ));
        }
    }
    require_correction(&d.correction)?;
    if d.signature == (Signature::Refused { noted: false }) {
        return Err(refuse(
            "case.art52_refusal_noted",
            "signature",
            "《行政处罚法》第五十二条：当事人拒绝签收的，应当在行政处罚决定书上注明".into(),
            "APL Art. 52: when the party refuses to sign, the refusal must be noted on the decision".into(),
        ));
    }
    Ok(())
}

/// APL Art. 28: a penalty always comes with an order to correct.
pub fn require_correction(correction: &str) -> Result<(), Error> {
    if correction.trim().is_empty() {
        return Err(refuse(
            "case.art28_order_to_correct",
            "correction",
            "《行政处罚法》第二十八条：实施行政处罚时，应当责令当事人改正或者限期改正违法行为"
                .into(),
            "APL Art. 28: a penalty must come with an order to correct the act (now or by a date)"
                .into(),
        ));
    }
    Ok(())
}

/// Why a fine is collected on the spot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ground", rename_all = "snake_case")]
pub enum CollectionGround {
    /// Art. 68 (1): a fine of at most 100 yuan.
    SmallFine,
    /// Art. 68 (2): collection later would be hard; the reason is recorded.
    HardLater { reason: String },
    /// Art. 69: in a remote area, on water or where transport is
    /// difficult, the party finds paying at a bank hard and asks.
    Remote { reason: String, party_asked: bool },
}

/// APL Art. 68–70: may this fine be collected on the spot?
pub fn collect_on_the_spot(
    fine: Fen,
    ground: &CollectionGround,
    receipt_number: &str,
    t: &Thresholds,
) -> Result<(), Error> {
    match ground {
        CollectionGround::SmallFine if fine > t.collection_max => {
            return Err(refuse(
                "case.art68_collection",
                "ground",
                format!(
                    "《行政处罚法》第六十八条：当场收缴罚款限于 {} 以下的罚款或者不当场收缴事后难以执行的情形，本案罚款 {}",
                    t.collection_max, fine
                ),
                format!(
                    "APL Art. 68: a fine may be collected on the spot only up to {} or when it would be hard to collect later; this fine is {}",
                    t.collection_max, fine
                ),
            ));
        }
        CollectionGround::HardLater { reason } if reason.trim().is_empty() => {
            return Err(refuse(
                "case.art68_collection_reason",
                "reason",
                "《行政处罚法》第六十八条：以不当场收缴事后难以执行为由当场收缴的，应当记明理由".into(),
                "APL Art. 68: collecting on the spot because later collection would be hard needs the reason recorded".into(),
            ));
        }
        CollectionGround::Remote {
            reason,
            party_asked,
        } if reason.trim().is_empty() || !party_asked => {
            return Err(refuse(
                "case.art69_collection",
                "reason",
                "《行政处罚法》第六十九条：边远、水上、交通不便地区，当事人到银行缴纳确有困难，经当事人提出，方可当场收缴".into(),
                "APL Art. 69: in remote areas the fine is collected on the spot only when the party, finding the bank hard to reach, asks for it; record why".into(),
            ));
        }
        _ => {}
    }
    if receipt_number.trim().is_empty() {
        return Err(refuse(
            "case.art70_receipt",
            "receipt_number",
            "《行政处罚法》第七十条：当场收缴罚款的，必须向当事人出具财政部门统一制发的专用票据".into(),
            "APL Art. 70: a fine collected on the spot needs the official receipt issued by the finance department".into(),
        ));
    }
    Ok(())
}

/// APL Art. 71 (and 85): the last day for handing cash collected on
/// `collected_on` (or, on water, landed on that day) to the agency: two
/// working days later.
pub fn cash_handover_deadline(cal: &Calendar, collected_on: NaiveDate) -> NaiveDate {
    working_days(cal, collected_on, 2)
}

/// APL Art. 71 (and 85): the last day for the agency to pay cash it
/// received on `received_on` into the designated bank.
pub fn bank_deposit_deadline(cal: &Calendar, received_on: NaiveDate) -> NaiveDate {
    working_days(cal, received_on, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::testkit::{d, officer};

    fn spot() -> SpotDecision {
        SpotDecision {
            officers: vec!["a".into(), "b".into()],
            single_officer_basis: None,
            credentials_shown: true,
            facts_certain: true,
            form_number: "宁城执当字〔2026〕第0001号".into(),
            violation: "占道经营".into(),
            penalty: Penalty::fine(Fen::yuan(100)),
            basis: "《城市市容和环境卫生管理条例》第三十六条".into(),
            correction: "立即撤除占道摊点".into(),
            place: "宁陵县城关回族镇建设路".into(),
            date: d(2026, 3, 2),
            remedies: "可于六十日内申请行政复议或者六个月内提起行政诉讼".into(),
            agency: "宁陵县城关回族镇人民政府".into(),
            signature: Signature::Signed,
        }
    }

    #[test]
    fn apl_art51_summary_procedure_limits() {
        let t = Thresholds::default();
        let basis = "《某条例》第十条";
        let org_fine = |y| Penalty::fine(Fen::yuan(y));
        // (party, facts certain, basis, penalty, expected refusal)
        let table: Vec<(PartyKind, bool, &str, Penalty, Option<&str>)> = vec![
            (PartyKind::Citizen, true, basis, org_fine(200), None),
            (
                PartyKind::Citizen,
                true,
                basis,
                org_fine(201),
                Some("case.art51_fine_limit"),
            ),
            (PartyKind::Organisation, true, basis, org_fine(3_000), None),
            (
                PartyKind::Organisation,
                true,
                basis,
                org_fine(3_001),
                Some("case.art51_fine_limit"),
            ),
            (PartyKind::Citizen, true, basis, Penalty::warning(), None),
            (
                PartyKind::Citizen,
                false,
                basis,
                org_fine(50),
                Some("case.art51_facts"),
            ),
            (
                PartyKind::Citizen,
                true,
                " ",
                org_fine(50),
                Some("case.art51_basis"),
            ),
            (
                PartyKind::Organisation,
                true,
                basis,
                Penalty {
                    confiscated_gains: Fen::yuan(10),
                    ..Penalty::default()
                },
                Some("case.art51_kind"),
            ),
            (
                PartyKind::Citizen,
                true,
                basis,
                Penalty::default(),
                Some("case.art51_kind"),
            ),
        ];
        for (party, certain, basis, penalty, want) in table {
            let got = summary_allowed(party, certain, basis, &penalty, &t);
            match want {
                Some(code) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.code, code, "{penalty:?}");
                    assert!(e.zh.contains("第五十一条") && e.en.contains("Art. 51"));
                }
                None => assert!(got.is_ok(), "{penalty:?}"),
            }
        }
    }

    #[test]
    fn apl_art51_thresholds_are_configurable() {
        let t = Thresholds {
            citizen_max_fine: Fen::yuan(50),
            ..Thresholds::default()
        };
        let e = summary_allowed(
            PartyKind::Citizen,
            true,
            "x",
            &Penalty::fine(Fen::yuan(51)),
            &t,
        )
        .unwrap_err();
        assert_eq!(e.code, "case.art51_fine_limit");
    }

    #[test]
    fn apl_art52_an_on_the_spot_decision_needs_credentials_form_number_and_noted_refusal() {
        let roster = [officer("a"), officer("b")];
        let t = Thresholds::default();
        let ok = spot();
        assert!(decide_on_the_spot(&ok, PartyKind::Citizen, &roster, &[], &t).is_ok());
        let refused_noted = SpotDecision {
            signature: Signature::Refused { noted: true },
            ..spot()
        };
        assert!(decide_on_the_spot(&refused_noted, PartyKind::Citizen, &roster, &[], &t).is_ok());
        let table: Vec<(SpotDecision, &str)> = vec![
            (
                SpotDecision {
                    credentials_shown: false,
                    ..spot()
                },
                "case.art52_credentials_shown",
            ),
            (
                SpotDecision {
                    form_number: "".into(),
                    ..spot()
                },
                "case.art52_form_number",
            ),
            (
                SpotDecision {
                    signature: Signature::Refused { noted: false },
                    ..spot()
                },
                "case.art52_refusal_noted",
            ),
            (
                SpotDecision {
                    remedies: "".into(),
                    ..spot()
                },
                "case.art52_contents",
            ),
            (
                SpotDecision {
                    correction: "".into(),
                    ..spot()
                },
                "case.art28_order_to_correct",
            ),
            (
                SpotDecision {
                    officers: vec!["a".into()],
                    ..spot()
                },
                "case.art42_two_officers",
            ),
            (
                SpotDecision {
                    penalty: Penalty::fine(Fen::yuan(300)),
                    ..spot()
                },
                "case.art51_fine_limit",
            ),
        ];
        for (dec, code) in table {
            let e = decide_on_the_spot(&dec, PartyKind::Citizen, &roster, &[], &t).unwrap_err();
            assert_eq!(e.code, code);
        }
    }

    #[test]
    fn apl_art68_on_the_spot_collection_only_for_small_fines_or_with_a_reason() {
        let t = Thresholds::default();
        let hard = CollectionGround::HardLater {
            reason: "当事人系外地流动摊贩，无固定住所".into(),
        };
        let table: Vec<(Fen, CollectionGround, &str, Option<&str>)> = vec![
            (Fen::yuan(100), CollectionGround::SmallFine, "No.001", None),
            (
                Fen::yuan(101),
                CollectionGround::SmallFine,
                "No.001",
                Some("case.art68_collection"),
            ),
            (Fen::yuan(200), hard.clone(), "No.001", None),
            (
                Fen::yuan(200),
                CollectionGround::HardLater { reason: " ".into() },
                "No.001",
                Some("case.art68_collection_reason"),
            ),
            (
                Fen::yuan(200),
                CollectionGround::Remote {
                    reason: "山区无银行网点".into(),
                    party_asked: false,
                },
                "No.001",
                Some("case.art69_collection"),
            ),
            (
                Fen::yuan(50),
                CollectionGround::SmallFine,
                "",
                Some("case.art70_receipt"),
            ),
        ];
        for (fine, ground, receipt, want) in table {
            let got = collect_on_the_spot(fine, &ground, receipt, &t);
            match want {
                Some(code) => assert_eq!(got.unwrap_err().code, code, "{fine} {ground:?}"),
                None => assert!(got.is_ok(), "{fine} {ground:?}"),
            }
        }
    }

    #[test]
    fn apl_art71_cash_reaches_the_agency_within_two_working_days() {
        let cal = Calendar::builtin();
        // Friday 3 April 2026 → Wednesday 8 April (Qingming 4–6 April).
        assert_eq!(cash_handover_deadline(&cal, d(2026, 4, 3)), d(2026, 4, 8));
        // Monday 2 March 2026 → Wednesday 4 March.
        assert_eq!(cash_handover_deadline(&cal, d(2026, 3, 2)), d(2026, 3, 4));
        assert_eq!(bank_deposit_deadline(&cal, d(2026, 3, 4)), d(2026, 3, 6));
    }
}
