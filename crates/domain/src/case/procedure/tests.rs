//! The ordinary procedure, rule by rule: each test tries the unlawful step
//! (and expects the named refusal) and the lawful one (and expects it to
//! pass). The article is in the test's name.

use super::*;
use crate::case::clock::clock;
use crate::case::discretion::Adjustment;
use crate::case::performance::Instalment;
use crate::case::testkit::{basis_with_max, d, item_with_tiers, officer, person};
use proptest::prelude::*;

/// Everything a case needs besides its record; one per test.
struct World {
    cal: Calendar,
    rules: CaseRules,
    party: Party,
    item: Item,
    basis: FiledBasis,
    traits: CaseTraits,
    roster: Vec<Officer>,
    reviewers: Vec<LegalReviewer>,
    transfer: Option<TransferStatus>,
}

const FILED: (i32, u32, u32) = (2026, 3, 2);

impl World {
    fn new() -> World {
        World {
            cal: Calendar::builtin(),
            rules: CaseRules::henan(),
            party: person("19900307"),
            item: item_with_tiers(),
            basis: basis_with_max(2_000),
            traits: CaseTraits::default(),
            roster: ["a", "b", "c", "h"].map(officer).to_vec(),
            reviewers: vec![
                LegalReviewer {
                    id: "r1".into(),
                    name: "审核员甲".into(),
                    legal_qualification: true,
                    reviewing_since: d(2022, 1, 1),
                },
                LegalReviewer {
                    id: "r2".into(),
                    name: "审核员乙".into(),
                    legal_qualification: false,
                    reviewing_since: d(2023, 1, 1),
                },
                LegalReviewer {
                    id: "r3".into(),
                    name: "审核员丙".into(),
                    legal_qualification: false,
                    reviewing_since: d(2015, 1, 1),
                },
                // an investigator who is also a reviewer
                LegalReviewer {
                    id: "a".into(),
                    name: "队员a".into(),
                    legal_qualification: true,
                    reviewing_since: d(2020, 1, 1),
                },
            ],
            transfer: None,
        }
    }

    /// A case whose fines reach the hearing thresholds: no benchmark, a
    /// basis allowing up to 100,000 yuan.
    fn heavy() -> World {
        let mut w = World::new();
        w.item.discretion.clear();
        w.basis = basis_with_max(100_000);
        w
    }

    fn record(&self) -> Record {
        Record::new(d(FILED.0, FILED.1, FILED.2), d(2026, 2, 20))
    }

    fn step(&self, r: &Record, today: NaiveDate, actor: &str, a: &Action) -> Result<Record, Error> {
        let deadline = clock(&self.rules.sector, r.filed_on, &[], &[], today).deadline;
        let f = Facts {
            record: r,
            today,
            actor,
            calendar: &self.cal,
            rules: &self.rules,
            party: &self.party,
            item: &self.item,
            basis: &self.basis,
            traits: &self.traits,
            roster: &self.roster,
            reviewers: &self.reviewers,
            decision_deadline: deadline,
            transfer: self.transfer,
        };
        transition(&f, a)
    }

    /// Apply lawful steps, failing the test on any refusal.
    fn run(&self, r: Record, steps: &[(NaiveDate, &str, Action)]) -> Record {
        steps.iter().fold(r, |r, (day, actor, a)| {
            self.step(&r, *day, actor, a)
                .unwrap_or_else(|e| panic!("{} on {day}: {e}", a.name()))
        })
    }

    /// Try a step that must be refused with `code`.
    fn refused(&self, r: &Record, today: NaiveDate, a: &Action, code: &str) -> Error {
        match self.step(r, today, "h", a) {
            Ok(r) => panic!(
                "{} was allowed (status {:?}), expected {code}",
                a.name(),
                r.status
            ),
            Err(e) => {
                assert_eq!(e.code, code, "{} on {today}: {e}", a.name());
                e
            }
        }
    }
}

fn investigate(officers: &[&str]) -> Action {
    Action::Investigate {
        kind: "现场检查".into(),
        officers: officers.iter().map(|o| o.to_string()).collect(),
        credentials_shown: true,
        single_officer_basis: None,
        note: String::new(),
    }
}

fn notice(fine_yuan: i64) -> PriorNotice {
    PriorNotice {
        penalty: Penalty::fine(Fen::yuan(fine_yuan)),
        discretion: FineChoice {
            tier: Some(0),
            adjustment: Adjustment::None,
            grounds: vec![],
            departure_reason: None,
        },
        facts: "当事人于2026年2月20日在建设路占道经营".into(),
        reasons: "违反《城市市容和环境卫生管理条例》第十四条".into(),
        basis: vec!["《城市市容和环境卫生管理条例》第三十六条".into()],
        statement_rights: true,
        hearing_right: false,
        statement_days: 3,
        new_facts: None,
    }
}

/// A heavy notice (no benchmark): 6,000 yuan on a citizen, hearing right.
fn heavy_notice() -> PriorNotice {
    PriorNotice {
        penalty: Penalty::fine(Fen::yuan(6_000)),
        discretion: FineChoice::default(),
        hearing_right: true,
        statement_days: 5,
        ..notice(0)
    }
}

fn letter(penalty: Penalty, on: NaiveDate) -> DecisionLetter {
    DecisionLetter {
        number: "宁城执罚决字〔2026〕第0001号".into(),
        party_name: "张三丰".into(),
        party_address: "宁陵县城关回族镇建设路12号".into(),
        facts: "当事人于2026年2月20日在建设路占道经营".into(),
        evidence: vec!["现场检查笔录".into(), "现场照片".into()],
        penalty,
        discretion: FineChoice {
            tier: Some(0),
            ..FineChoice::default()
        },
        basis: vec!["《城市市容和环境卫生管理条例》第三十六条".into()],
        correction: "立即停止占道经营".into(),
        performance: "自收到本决定书之日起十五日内到指定银行缴纳罚款".into(),
        remedies: Remedies {
            reconsideration_body: "宁陵县人民政府".into(),
            reconsideration_days: 60,
            court: "宁陵县人民法院".into(),
            litigation_months: 6,
        },
        agency: "宁陵县城关回族镇人民政府".into(),
        date: on,
        sealed: true,
    }
}

fn penalise(fine_yuan: i64, on: NaiveDate) -> Action {
    Action::Decide {
        decision: Decision::Penalise {
            letter: Box::new(letter(Penalty::fine(Fen::yuan(fine_yuan)), on)),
        },
        late_reason: None,
    }
}

fn heavy_decision(on: NaiveDate) -> Action {
    let mut l = letter(Penalty::fine(Fen::yuan(6_000)), on);
    l.discretion = FineChoice::default();
    Action::Decide {
        decision: Decision::Penalise {
            letter: Box::new(l),
        },
        late_reason: None,
    }
}

fn no_penalty(ground: NoPenaltyGround, education: &str) -> Action {
    Action::Decide {
        decision: Decision::NoPenalty {
            ground,
            reasons: "经调查核实".into(),
            education: education.into(),
        },
        late_reason: None,
    }
}

/// Filed 2 March, investigated, notice of 300 yuan served Thursday 5 March
/// (statement period 3 working days, to Tuesday 10 March).
fn noticed(w: &World) -> Record {
    w.run(
        w.record(),
        &[
            (d(2026, 3, 2), "a", investigate(&["a", "b"])),
            (
                d(2026, 3, 5),
                "a",
                Action::ServeNotice {
                    notice: notice(300),
                },
            ),
        ],
    )
}

/// The heavy case after its notice (hearing may be asked until 12 March).
fn heavy_noticed(w: &World) -> Record {
    w.run(
        w.record(),
        &[
            (d(2026, 3, 2), "a", investigate(&["a", "b"])),
            (
                d(2026, 3, 5),
                "a",
                Action::ServeNotice {
                    notice: heavy_notice(),
                },
            ),
        ],
    )
}

fn schedule(presiding: &str, notified: NaiveDate, on: NaiveDate) -> Action {
    Action::ScheduleHearing {
        schedule: HearingSchedule {
            notified_on: notified,
            hearing_on: on,
            place: "镇政府三楼会议室".into(),
            presiding: presiding.into(),
            public: true,
            closed_reason: None,
        },
    }
}

fn held(agents: u8, minutes: Signature) -> Action {
    Action::ConcludeHearing {
        outcome: HearingOutcome::Held { agents, minutes },
    }
}

/// The heavy case after a hearing held on Thursday 19 March.
fn heard(w: &World) -> Record {
    w.run(
        heavy_noticed(w),
        &[
            (d(2026, 3, 9), "a", Action::RequestHearing),
            (
                d(2026, 3, 10),
                "a",
                schedule("c", d(2026, 3, 10), d(2026, 3, 19)),
            ),
            (d(2026, 3, 19), "c", held(1, Signature::Signed)),
        ],
    )
}

/// Decided on 11 March, served on the spot the same day (fine due 26 March).
fn served(w: &World) -> Record {
    w.run(
        noticed(w),
        &[
            (d(2026, 3, 11), "h", penalise(300, d(2026, 3, 11))),
            (
                d(2026, 3, 11),
                "a",
                Action::Serve {
                    method: ServiceMethod::OnTheSpot,
                    late_reason: None,
                },
            ),
        ],
    )
}

fn pay(yuan: i64, on: NaiveDate) -> Action {
    Action::RecordPayment {
        payment: Payment {
            paid_on: on,
            amount: Fen::yuan(yuan),
        },
    }
}

// ---------------------------------------------------------------- the whole path

#[test]
fn the_lawful_path_from_filing_to_archive() {
    let w = World::new();
    let r = served(&w);
    assert_eq!(r.status, CaseStatus::Served);
    assert_eq!(r.payment_due(&w.cal), Some(d(2026, 3, 26)));
    let r = w.run(
        r,
        &[
            (d(2026, 3, 20), "a", pay(300, d(2026, 3, 20))),
            (
                d(2026, 3, 20),
                "a",
                Action::RecordPerformance {
                    note: "罚款已缴清".into(),
                },
            ),
            (
                d(2026, 3, 21),
                "h",
                Action::Close {
                    reason: "执行完毕".into(),
                },
            ),
            (
                d(2026, 3, 22),
                "h",
                Action::Archive {
                    number: "2026-永久-001".into(),
                    full_record: true,
                },
            ),
        ],
    );
    assert_eq!(r.status, CaseStatus::Archived);
    // The record survives the store's JSON.
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<Record>(&json).unwrap(), r);
}

#[test]
fn actions_are_tagged_for_the_api() {
    let a: Action = serde_json::from_str(r#"{"action":"request_hearing"}"#).unwrap();
    assert_eq!(a, Action::RequestHearing);
    let a: Action = serde_json::from_str(
        r#"{"action":"investigate","kind":"询问","officers":["a","b"],"credentials_shown":true}"#,
    )
    .unwrap();
    assert_eq!(a.name(), "investigate");
}

#[test]
fn steps_out_of_order_are_conflicts() {
    let w = World::new();
    let filed = w.record();
    for a in [
        Action::RequestHearing,
        Action::Serve {
            method: ServiceMethod::OnTheSpot,
            late_reason: None,
        },
        Action::Close { reason: "x".into() },
        Action::Archive {
            number: "x".into(),
            full_record: true,
        },
        Action::ResumeAfterTransfer,
    ] {
        let e = w.refused(&filed, d(2026, 3, 3), &a, "case.transition");
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert!(e.zh.contains("已立案"), "{}", e.zh);
    }
    let archived = Record {
        status: CaseStatus::Archived,
        ..filed
    };
    for a in [
        investigate(&["a", "b"]),
        penalise(300, d(2026, 3, 3)),
        Action::Transfer,
    ] {
        w.refused(&archived, d(2026, 3, 3), &a, "case.transition");
    }
}

// ---------------------------------------------------------------- Art. 42, 43, 55, 56

#[test]
fn apl_art42_an_investigation_by_one_officer_is_refused() {
    let w = World::new();
    let r = w.record();
    let table: &[(&[&str], Option<&str>)] = &[
        (&["a"], Some("case.art42_two_officers")),
        (&["a", "a"], Some("case.art42_two_officers")),
        (&["a", "nobody"], Some("case.officer_unknown")),
        (&["a", "b"], None),
    ];
    for (officers, want) in table {
        match want {
            Some(code) => {
                let e = w.refused(&r, d(2026, 3, 2), &investigate(officers), code);
                assert!(e.zh.contains("执法人员"), "{}", e.zh);
            }
            None => {
                let next = w
                    .step(&r, d(2026, 3, 2), "a", &investigate(officers))
                    .unwrap();
                assert_eq!(next.status, CaseStatus::Investigating);
                assert_eq!(next.investigators(), vec!["a", "b"]);
            }
        }
    }
}

#[test]
fn apl_art42_an_expired_credential_counts_for_nothing() {
    let mut w = World::new();
    w.roster[1].credential.as_mut().unwrap().valid_until = d(2026, 3, 1);
    let e = w.refused(
        &w.record(),
        d(2026, 3, 2),
        &investigate(&["a", "b"]),
        "case.art42_credential",
    );
    assert!(e.zh.contains("第四十二条") && e.en.contains("APL Art. 42"));
}

#[test]
fn apl_art55_credentials_must_be_shown() {
    let w = World::new();
    let a = Action::Investigate {
        kind: "询问".into(),
        officers: vec!["a".into(), "b".into()],
        credentials_shown: false,
        single_officer_basis: None,
        note: String::new(),
    };
    w.refused(
        &w.record(),
        d(2026, 3, 2),
        &a,
        "case.art55_credentials_shown",
    );
}

#[test]
fn apl_art43_a_recused_officer_may_not_act_but_a_pending_request_does_not_stop_the_investigation() {
    let w = World::new();
    let r = w.run(
        w.record(),
        &[
            (d(2026, 3, 2), "a", investigate(&["a", "b"])),
            (
                d(2026, 3, 3),
                "a",
                Action::RequestRecusal {
                    officer: "b".into(),
                    by_party: true,
                    reason: "系当事人表兄".into(),
                },
            ),
            // pending: b continues
            (d(2026, 3, 3), "a", investigate(&["a", "b"])),
        ],
    );
    // b cannot decide their own recusal
    let own = Action::DecideRecusal {
        officer: "b".into(),
        granted: true,
        reason: String::new(),
    };
    assert_eq!(
        w.step(&r, d(2026, 3, 4), "b", &own).unwrap_err().code,
        "case.art43_recusal_decider"
    );
    let r = w.step(&r, d(2026, 3, 4), "h", &own).unwrap();
    let e = w.refused(
        &r,
        d(2026, 3, 4),
        &investigate(&["a", "b"]),
        "case.art43_recused",
    );
    assert!(e.zh.contains("第四十三条"));
    assert!(
        w.step(&r, d(2026, 3, 4), "a", &investigate(&["a", "c"]))
            .is_ok()
    );
}

#[test]
fn apl_art56_preserved_evidence_is_decided_within_7_working_days_before_the_notice() {
    let w = World::new();
    let preserve = Action::PreserveEvidence {
        officers: vec!["a".into(), "b".into()],
        approved_by: "镇长".into(),
        items: vec!["流动摊车 1 辆".into()],
    };
    let no_approval = Action::PreserveEvidence {
        officers: vec!["a".into(), "b".into()],
        approved_by: " ".into(),
        items: vec!["流动摊车 1 辆".into()],
    };
    w.refused(
        &w.record(),
        d(2026, 3, 2),
        &no_approval,
        "case.art56_approval",
    );
    let r = w.run(w.record(), &[(d(2026, 3, 2), "a", preserve)]);
    assert_eq!(r.preservations[0].decide_by, d(2026, 3, 11));
    let serve = Action::ServeNotice {
        notice: notice(300),
    };
    let e = w.refused(
        &r,
        d(2026, 3, 5),
        &serve,
        "case.art56_preservation_undecided",
    );
    assert!(e.zh.contains("第五十六条"));
    let decide = Action::DecidePreserved {
        index: 0,
        outcome: "解除先行登记保存，返还当事人".into(),
    };
    let on_time = w.step(&r, d(2026, 3, 11), "a", &decide).unwrap();
    assert!(!on_time.preservations[0].decision.as_ref().unwrap().late);
    let late = w.step(&r, d(2026, 3, 12), "a", &decide).unwrap();
    assert!(late.preservations[0].decision.as_ref().unwrap().late);
    assert_eq!(
        w.step(&late, d(2026, 3, 12), "a", &serve).unwrap().status,
        CaseStatus::NoticeServed
    );
}

// ---------------------------------------------------------------- Art. 44, 45, 62, 63

#[test]
fn apl_art44_the_notice_states_penalty_facts_reasons_basis_and_rights() {
    let w = World::new();
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    let table: Vec<(PriorNotice, &str, &str)> = vec![
        (
            PriorNotice {
                penalty: Penalty::default(),
                ..notice(300)
            },
            "case.art44_notice_contents",
            "penalty",
        ),
        (
            PriorNotice {
                facts: " ".into(),
                ..notice(300)
            },
            "case.art44_notice_contents",
            "facts",
        ),
        (
            PriorNotice {
                reasons: "".into(),
                ..notice(300)
            },
            "case.art44_notice_contents",
            "reasons",
        ),
        (
            PriorNotice {
                basis: vec![],
                ..notice(300)
            },
            "case.art44_notice_contents",
            "basis",
        ),
        (
            PriorNotice {
                statement_rights: false,
                ..notice(300)
            },
            "case.art44_notice_contents",
            "statement_rights",
        ),
        // the fine must fit the benchmark and the basis
        (notice(600), "case.discretion_reason", "departure_reason"),
    ];
    for (n, code, field) in table {
        let e = w.refused(&r, d(2026, 3, 5), &Action::ServeNotice { notice: n }, code);
        assert_eq!(e.field.as_deref(), Some(field));
    }
    let ok = w
        .step(
            &r,
            d(2026, 3, 5),
            "a",
            &Action::ServeNotice {
                notice: notice(300),
            },
        )
        .unwrap();
    let n = ok.notice().unwrap();
    assert_eq!(
        (n.statement_ends, n.hearing_request_ends),
        (d(2026, 3, 10), None)
    );
}

#[test]
fn apl_art44_63_the_hearing_right_is_told_for_heavy_penalties() {
    let w = World::heavy();
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    let silent = PriorNotice {
        hearing_right: false,
        ..heavy_notice()
    };
    let e = w.refused(
        &r,
        d(2026, 3, 5),
        &Action::ServeNotice { notice: silent },
        "case.art44_hearing_right",
    );
    assert!(
        e.zh.contains("第六十三条") && e.zh.contains("5000.00 元"),
        "{}",
        e.zh
    );
    let r = w
        .step(
            &r,
            d(2026, 3, 5),
            "a",
            &Action::ServeNotice {
                notice: heavy_notice(),
            },
        )
        .unwrap();
    assert_eq!(
        r.notice().unwrap().hearing_request_ends,
        Some(d(2026, 3, 12))
    );
}

#[test]
fn apl_art45_the_penalty_may_not_grow_because_the_party_defended() {
    let w = World::new();
    let r = w.run(
        noticed(&w),
        &[(
            d(2026, 3, 6),
            "a",
            Action::RecordStatement {
                text: "当事人辩称系临时停放".into(),
            },
        )],
    );
    // a new notice heavier than the last, without new facts
    let heavier = Action::ServeNotice {
        notice: notice(400),
    };
    let e = w.refused(&r, d(2026, 3, 9), &heavier, "case.art45_no_heavier_penalty");
    assert!(e.zh.contains("第四十五条"));
    // with new facts it is a new notice
    let with_facts = Action::ServeNotice {
        notice: PriorNotice {
            new_facts: Some("补充调查查明当事人连续经营十日".into()),
            ..notice(400)
        },
    };
    assert!(w.step(&r, d(2026, 3, 9), "a", &with_facts).is_ok());
    // a decision heavier than the notice is refused; lighter is fine
    w.refused(
        &r,
        d(2026, 3, 11),
        &penalise(400, d(2026, 3, 11)),
        "case.art45_no_heavier_penalty",
    );
    assert_eq!(
        w.step(&r, d(2026, 3, 11), "h", &penalise(200, d(2026, 3, 11)))
            .unwrap()
            .status,
        CaseStatus::Decided
    );
}

#[test]
fn apl_art62_no_decision_before_the_notice_and_the_statement_period() {
    let w = World::new();
    let investigating = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    let e = w.refused(
        &investigating,
        d(2026, 3, 5),
        &penalise(300, d(2026, 3, 5)),
        "case.art62_notice_required",
    );
    assert!(e.zh.contains("第六十二条") && e.en.contains("Art. 62"));
    let r = noticed(&w);
    // the statement period ends on Tuesday 10 March
    w.refused(
        &r,
        d(2026, 3, 10),
        &penalise(300, d(2026, 3, 10)),
        "case.art62_statement_period",
    );
    assert!(
        w.step(&r, d(2026, 3, 11), "h", &penalise(300, d(2026, 3, 11)))
            .is_ok()
    );
    // an explicit waiver allows an earlier decision
    let waived = w
        .step(
            &r,
            d(2026, 3, 6),
            "a",
            &Action::Waive {
                statement: true,
                hearing: false,
            },
        )
        .unwrap();
    assert!(
        w.step(&waived, d(2026, 3, 6), "h", &penalise(300, d(2026, 3, 6)))
            .is_ok()
    );
}

// ---------------------------------------------------------------- Art. 64 hearing

#[test]
fn apl_art64_a_hearing_is_asked_for_within_5_days_and_only_where_art63_applies() {
    let w = World::new();
    let e = w.refused(
        &noticed(&w),
        d(2026, 3, 6),
        &Action::RequestHearing,
        "case.art63_no_hearing_right",
    );
    assert!(e.zh.contains("第六十三条"));
    let w = World::heavy();
    let r = heavy_noticed(&w);
    w.refused(
        &r,
        d(2026, 3, 13),
        &Action::RequestHearing,
        "case.art64_hearing_request_late",
    );
    assert_eq!(
        w.step(&r, d(2026, 3, 12), "a", &Action::RequestHearing)
            .unwrap()
            .status,
        CaseStatus::HearingRequested
    );
    let waived = w
        .step(
            &r,
            d(2026, 3, 6),
            "a",
            &Action::Waive {
                statement: false,
                hearing: true,
            },
        )
        .unwrap();
    w.refused(
        &waived,
        d(2026, 3, 9),
        &Action::RequestHearing,
        "case.art64_hearing_waived",
    );
}

#[test]
fn apl_art64_notice_7_days_before_presided_by_a_non_investigator_in_public() {
    let w = World::heavy();
    let r = w.run(
        heavy_noticed(&w),
        &[(d(2026, 3, 9), "a", Action::RequestHearing)],
    );
    // notified Tuesday 10 March: the earliest hearing day is Thursday 19 March
    let e = w.refused(
        &r,
        d(2026, 3, 10),
        &schedule("c", d(2026, 3, 10), d(2026, 3, 18)),
        "case.art64_hearing_notice",
    );
    assert!(e.zh.contains("七日前"));
    w.refused(
        &r,
        d(2026, 3, 10),
        &schedule("a", d(2026, 3, 10), d(2026, 3, 19)),
        "case.art64_presiding_investigator",
    );
    let closed = Action::ScheduleHearing {
        schedule: HearingSchedule {
            public: false,
            closed_reason: None,
            ..match schedule("c", d(2026, 3, 10), d(2026, 3, 19)) {
                Action::ScheduleHearing { schedule } => schedule,
                _ => unreachable!(),
            }
        },
    };
    w.refused(&r, d(2026, 3, 10), &closed, "case.art64_public");
    // a hearing cannot end before it is held
    let r = w
        .step(
            &r,
            d(2026, 3, 10),
            "a",
            &schedule("c", d(2026, 3, 10), d(2026, 3, 19)),
        )
        .unwrap();
    w.refused(
        &r,
        d(2026, 3, 18),
        &held(1, Signature::Signed),
        "case.art64_not_yet",
    );
    // nor can the decision come while the hearing is pending
    w.refused(
        &r,
        d(2026, 3, 18),
        &heavy_decision(d(2026, 3, 18)),
        "case.art64_hearing_pending",
    );
}

#[test]
fn apl_art64_agents_minutes_and_absence() {
    let w = World::heavy();
    let scheduled = w.run(
        heavy_noticed(&w),
        &[
            (d(2026, 3, 9), "a", Action::RequestHearing),
            (
                d(2026, 3, 10),
                "a",
                schedule("c", d(2026, 3, 10), d(2026, 3, 19)),
            ),
        ],
    );
    let day = d(2026, 3, 19);
    w.refused(
        &scheduled,
        day,
        &held(3, Signature::Signed),
        "case.art64_agents",
    );
    w.refused(
        &scheduled,
        day,
        &held(2, Signature::Refused { noted: false }),
        "case.art64_minutes",
    );
    let noted = w
        .step(
            &scheduled,
            day,
            "c",
            &held(2, Signature::Refused { noted: true }),
        )
        .unwrap();
    assert_eq!(noted.status, CaseStatus::HearingConcluded);
    // absent with a good reason: rescheduled
    let excused = Action::ConcludeHearing {
        outcome: HearingOutcome::Absent {
            good_reason: Some("当事人住院治疗".into()),
        },
    };
    let r = w.step(&scheduled, day, "c", &excused).unwrap();
    assert_eq!(r.status, CaseStatus::HearingRequested);
    assert!(
        r.notice()
            .unwrap()
            .hearing
            .as_ref()
            .unwrap()
            .schedule
            .is_none()
    );
    // absent without one: waived, and no legal review is needed for it
    let absent = Action::ConcludeHearing {
        outcome: HearingOutcome::Absent { good_reason: None },
    };
    let r = w.step(&scheduled, day, "c", &absent).unwrap();
    assert_eq!(r.status, CaseStatus::HearingConcluded);
    assert!(!r.hearing_held());
    assert_eq!(
        w.step(&r, day, "h", &heavy_decision(day)).unwrap().status,
        CaseStatus::Decided
    );
}

#[test]
fn apl_art64_no_decision_while_a_hearing_may_still_be_asked_for() {
    let w = World::heavy();
    let r = w.run(
        w.record(),
        &[
            (d(2026, 3, 2), "a", investigate(&["a", "b"])),
            (
                d(2026, 3, 5),
                "a",
                Action::ServeNotice {
                    notice: PriorNotice {
                        statement_days: 1,
                        ..heavy_notice()
                    },
                },
            ),
        ],
    );
    w.refused(
        &r,
        d(2026, 3, 12),
        &heavy_decision(d(2026, 3, 12)),
        "case.art64_hearing_window",
    );
    assert!(
        w.step(&r, d(2026, 3, 13), "h", &heavy_decision(d(2026, 3, 13)))
            .is_ok()
    );
}

// ---------------------------------------------------------------- Art. 57, 58

#[test]
fn apl_art58_legal_review_is_required_for_these_cases() {
    let t = |f: fn(&mut CaseTraits)| {
        let mut t = CaseTraits::default();
        f(&mut t);
        t
    };
    let table = [
        (CaseTraits::default(), false, None),
        (CaseTraits::default(), true, Some(ReviewGround::HearingHeld)),
        (
            t(|t| t.major_public_interest = true),
            false,
            Some(ReviewGround::MajorPublicInterest),
        ),
        (t(|t| t.complex = true), false, Some(ReviewGround::Complex)),
        (
            t(|t| t.review_required_by = Some("《某省行政执法条例》第二十条".into())),
            false,
            Some(ReviewGround::RequiredBy(
                "《某省行政执法条例》第二十条".into(),
            )),
        ),
        (t(|t| t.review_required_by = Some(" ".into())), false, None),
        // a major violation needs a collective decision, not by itself a review
        (t(|t| t.major_violation = true), false, None),
    ];
    for (traits, hearing, want) in table {
        assert_eq!(legal_review_required(&traits, hearing), want, "{traits:?}");
    }
    assert!(collective_decision_required(&t(
        |t| t.major_violation = true
    )));
    assert!(collective_decision_required(&t(|t| t.complex = true)));
    assert!(!collective_decision_required(&CaseTraits::default()));
}

#[test]
fn apl_art58_after_a_hearing_the_decision_waits_for_a_passed_review_by_a_qualified_outsider() {
    let w = World::heavy();
    let r = heard(&w);
    let day = d(2026, 3, 19);
    let e = w.refused(&r, day, &heavy_decision(day), "case.art58_legal_review");
    assert!(
        e.zh.contains("第五十八条") && e.zh.contains("听证"),
        "{}",
        e.zh
    );
    let submit = |who: &str| Action::SubmitLegalReview {
        reviewer: who.into(),
    };
    w.refused(&r, day, &submit("a"), "case.art58_reviewer_investigated");
    // took up review after 15 July 2021 without the qualification
    let e = w.refused(&r, day, &submit("r2"), "case.art58_reviewer_qualification");
    assert!(e.zh.contains("法律职业资格"));
    w.refused(&r, day, &submit("zz"), "case.art58_reviewer_unknown");
    // reviewing since before the law: no qualification needed
    assert!(w.step(&r, day, "h", &submit("r3")).is_ok());
    // a review asked for though not required must still be awaited
    let light = World::new();
    let under_review = light
        .step(&noticed(&light), d(2026, 3, 11), "h", &submit("r1"))
        .unwrap();
    light.refused(
        &under_review,
        d(2026, 3, 11),
        &penalise(300, d(2026, 3, 11)),
        "case.art58_legal_review",
    );
    let r = w.step(&r, day, "h", &submit("r1")).unwrap();
    assert_eq!(r.status, CaseStatus::LegalReview);
    // only the reviewer gives the opinion
    let pass = Action::RecordLegalReview {
        passed: true,
        opinion: "事实清楚，证据确凿，适用依据正确，程序合法".into(),
    };
    let e = w.step(&r, d(2026, 3, 20), "h", &pass).unwrap_err();
    assert_eq!(
        (e.code, e.kind),
        ("case.art58_reviewer_only", ErrorKind::Forbidden)
    );
    let passed = w.step(&r, d(2026, 3, 20), "r1", &pass).unwrap();
    let decided = w
        .step(
            &passed,
            d(2026, 3, 20),
            "h",
            &heavy_decision(d(2026, 3, 20)),
        )
        .unwrap();
    assert_eq!(decided.status, CaseStatus::Decided);
    // a failed review sends the case back to the investigation
    let fail = Action::RecordLegalReview {
        passed: false,
        opinion: "证据不足，建议补充调查".into(),
    };
    let back = w.step(&r, d(2026, 3, 20), "r1", &fail).unwrap();
    assert_eq!(back.status, CaseStatus::Investigating);
    w.refused(
        &back,
        d(2026, 3, 20),
        &heavy_decision(d(2026, 3, 20)),
        "case.art62_notice_required",
    );
}

#[test]
fn apl_art57_a_major_violation_is_decided_collectively_with_attendance_recorded() {
    let mut w = World::new();
    w.traits.major_violation = true;
    let r = noticed(&w);
    let day = d(2026, 3, 11);
    let e = w.refused(
        &r,
        day,
        &penalise(300, day),
        "case.art57_collective_decision",
    );
    assert!(e.zh.contains("集体讨论"));
    let discuss = |attendees: &[&str]| Action::DiscussCollectively {
        chair: "镇长".into(),
        attendees: attendees.iter().map(|s| s.to_string()).collect(),
        conclusion: "同意罚款300元".into(),
    };
    w.refused(&r, day, &discuss(&["镇长"]), "case.art57_collective_record");
    w.refused(
        &r,
        day,
        &discuss(&["副镇长", "纪委书记"]),
        "case.art57_collective_record",
    );
    // not before the party's rights are exhausted
    w.refused(
        &r,
        d(2026, 3, 10),
        &discuss(&["镇长", "副镇长"]),
        "case.art62_statement_period",
    );
    let r = w
        .step(&r, day, "h", &discuss(&["镇长", "副镇长", "纪委书记"]))
        .unwrap();
    assert_eq!(r.status, CaseStatus::CollectiveDiscussion);
    assert_eq!(r.collective.as_ref().unwrap().attendees.len(), 3);
    assert_eq!(
        w.step(&r, day, "h", &penalise(300, day)).unwrap().status,
        CaseStatus::Decided
    );
}

// ---------------------------------------------------------------- Art. 59, 28, 60

#[test]
fn apl_art59_the_decision_letter_states_everything() {
    let w = World::new();
    let r = noticed(&w);
    let day = d(2026, 3, 11);
    let base = letter(Penalty::fine(Fen::yuan(300)), day);
    let table: Vec<(DecisionLetter, &str)> = vec![
        (
            DecisionLetter {
                number: "".into(),
                ..base.clone()
            },
            "case.art59_contents",
        ),
        (
            DecisionLetter {
                party_address: "".into(),
                ..base.clone()
            },
            "case.art59_contents",
        ),
        (
            DecisionLetter {
                facts: "".into(),
                ..base.clone()
            },
            "case.art59_contents",
        ),
        (
            DecisionLetter {
                evidence: vec![],
                ..base.clone()
            },
            "case.art59_contents",
        ),
        (
            DecisionLetter {
                basis: vec![" ".into()],
                ..base.clone()
            },
            "case.art59_contents",
        ),
        (
            DecisionLetter {
                performance: "".into(),
                ..base.clone()
            },
            "case.art59_contents",
        ),
        (
            DecisionLetter {
                agency: "".into(),
                ..base.clone()
            },
            "case.art59_contents",
        ),
        (
            DecisionLetter {
                date: d(2026, 3, 10),
                ..base.clone()
            },
            "case.art59_contents",
        ),
        (
            DecisionLetter {
                sealed: false,
                ..base.clone()
            },
            "case.art59_seal",
        ),
        (
            DecisionLetter {
                remedies: Remedies {
                    reconsideration_days: 15,
                    ..base.remedies.clone()
                },
                ..base.clone()
            },
            "case.art59_remedies",
        ),
        (
            DecisionLetter {
                remedies: Remedies {
                    litigation_months: 3,
                    ..base.remedies.clone()
                },
                ..base.clone()
            },
            "case.art59_remedies",
        ),
        (
            DecisionLetter {
                correction: " ".into(),
                ..base.clone()
            },
            "case.art28_order_to_correct",
        ),
        (
            DecisionLetter {
                penalty: Penalty::default(),
                ..base.clone()
            },
            "case.art59_contents",
        ),
    ];
    for (l, code) in table {
        let a = Action::Decide {
            decision: Decision::Penalise {
                letter: Box::new(l),
            },
            late_reason: None,
        };
        let e = w.refused(&r, day, &a, code);
        assert!(e.en.contains("APL Art."), "{}", e.en);
    }
    let ok = Action::Decide {
        decision: Decision::Penalise {
            letter: Box::new(base),
        },
        late_reason: None,
    };
    assert!(w.step(&r, day, "h", &ok).is_ok());
}

#[test]
fn apl_art60_a_decision_after_90_days_states_why() {
    let w = World::new();
    let r = noticed(&w);
    // filed 2 March: the 90 days end on 31 May
    let late = d(2026, 6, 1);
    let e = w.refused(&r, late, &penalise(300, late), "case.art60_late_reason");
    assert!(e.zh.contains("2026-05-31"));
    assert!(
        w.step(&r, d(2026, 5, 31), "h", &penalise(300, d(2026, 5, 31)))
            .is_ok()
    );
    let explained = match penalise(300, late) {
        Action::Decide { decision, .. } => Action::Decide {
            decision,
            late_reason: Some("鉴定机构出具报告延迟".into()),
        },
        _ => unreachable!(),
    };
    let r = w.step(&r, late, "h", &explained).unwrap();
    assert!(r.decision.unwrap().late_reason.is_some());
}

// ---------------------------------------------------------------- Art. 30, 33: no penalty

#[test]
fn apl_art30_a_child_under_14_is_not_punished_and_the_guardian_is_told() {
    let mut w = World::new();
    w.party = person("20120601"); // 13 at the act (20 February 2026)
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    let e = w.refused(
        &r,
        d(2026, 3, 5),
        &Action::ServeNotice {
            notice: notice(300),
        },
        "case.art30_under_14",
    );
    assert!(e.zh.contains("第三十条"));
    w.refused(
        &r,
        d(2026, 3, 5),
        &no_penalty(NoPenaltyGround::UnderFourteen, ""),
        "case.art33_education",
    );
    let done = w
        .step(
            &r,
            d(2026, 3, 5),
            "h",
            &no_penalty(NoPenaltyGround::UnderFourteen, "已责令其监护人严加管教"),
        )
        .unwrap();
    assert_eq!(done.status, CaseStatus::NoPenalty);
    // an adult cannot be let off on that ground
    let w = World::new();
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    w.refused(
        &r,
        d(2026, 3, 5),
        &no_penalty(NoPenaltyGround::UnderFourteen, "x"),
        "case.art30_not_under_14",
    );
}

#[test]
fn apl_art30_a_minor_from_14_to_18_is_treated_lighter() {
    let mut w = World::new();
    w.party = person("20100601"); // 15 at the act
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    w.refused(
        &r,
        d(2026, 3, 5),
        &Action::ServeNotice {
            notice: notice(300),
        },
        "case.art30_minor_lighter",
    );
    let lighter = PriorNotice {
        discretion: FineChoice {
            tier: Some(0),
            adjustment: Adjustment::Lighter,
            ..FineChoice::default()
        },
        ..notice(100)
    };
    assert!(
        w.step(
            &r,
            d(2026, 3, 5),
            "a",
            &Action::ServeNotice { notice: lighter }
        )
        .is_ok()
    );
}

#[test]
fn apl_art33_minor_harmless_acts_and_no_fault_are_not_punished_and_education_is_recorded() {
    let mut w = World::new();
    w.traits.offence.minor = true;
    w.traits.offence.corrected_promptly = true;
    w.traits.offence.harmless = true;
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    w.refused(
        &r,
        d(2026, 3, 5),
        &Action::ServeNotice {
            notice: notice(300),
        },
        "case.art33_minor_no_penalty",
    );
    w.refused(
        &r,
        d(2026, 3, 5),
        &no_penalty(NoPenaltyGround::Minor, " "),
        "case.art33_education",
    );
    assert_eq!(
        w.step(
            &r,
            d(2026, 3, 5),
            "h",
            &no_penalty(NoPenaltyGround::Minor, "现场宣讲市容条例，当事人签字确认")
        )
        .unwrap()
        .status,
        CaseStatus::NoPenalty
    );
    // no fault proven (Art. 33 ¶2)
    let mut w = World::new();
    w.traits.no_fault_proven = true;
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    w.refused(
        &r,
        d(2026, 3, 5),
        &Action::ServeNotice {
            notice: notice(300),
        },
        "case.art33_no_fault",
    );
    // facts not established: no education needed
    let w = World::new();
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    assert!(
        w.step(
            &r,
            d(2026, 3, 5),
            "h",
            &no_penalty(NoPenaltyGround::NotEstablished, "")
        )
        .is_ok()
    );
}

#[test]
fn apl_art33_first_offence_only_where_the_item_is_listed() {
    let mut w = World::new();
    let r = w.run(
        w.record(),
        &[(d(2026, 3, 2), "a", investigate(&["a", "b"]))],
    );
    let first = no_penalty(NoPenaltyGround::FirstOffence, "批评教育，当事人当场改正");
    let e = w.refused(
        &r,
        d(2026, 3, 5),
        &first,
        "case.art33_first_offence_not_listed",
    );
    assert!(e.zh.contains("首违不罚"));
    w.item.first_offence_no_penalty = true;
    assert!(w.step(&r, d(2026, 3, 5), "h", &first).is_ok());
}

// ---------------------------------------------------------------- Art. 61, 66, 67, 72, 73

#[test]
fn apl_art61_electronic_service_needs_signed_consent() {
    let w = World::new();
    let r = w.run(
        noticed(&w),
        &[(d(2026, 3, 11), "h", penalise(300, d(2026, 3, 11)))],
    );
    let e_service = |consent| Action::Serve {
        method: ServiceMethod::Electronic {
            sent_on: d(2026, 3, 12),
            consent_signed: consent,
        },
        late_reason: None,
    };
    w.refused(
        &r,
        d(2026, 3, 12),
        &e_service(false),
        "case.art61_electronic_consent",
    );
    let s = w.step(&r, d(2026, 3, 12), "a", &e_service(true)).unwrap();
    assert_eq!(s.status, CaseStatus::Served);
    assert_eq!(s.payment_due(&w.cal), Some(d(2026, 3, 27)));
}

#[test]
fn apl_art61_postal_service_runs_from_the_receipt() {
    let w = World::new();
    let r = w.run(
        noticed(&w),
        &[
            (d(2026, 3, 11), "h", penalise(300, d(2026, 3, 11))),
            (
                d(2026, 3, 12),
                "a",
                Action::Serve {
                    method: ServiceMethod::Postal {
                        sent_on: d(2026, 3, 12),
                        receipt_on: None,
                    },
                    late_reason: None,
                },
            ),
        ],
    );
    assert_eq!(r.payment_due(&w.cal), None);
    w.refused(
        &r,
        d(2026, 3, 16),
        &Action::RecordReceipt {
            received_on: d(2026, 3, 10),
        },
        "case.art61_receipt",
    );
    let r = w
        .step(
            &r,
            d(2026, 3, 16),
            "a",
            &Action::RecordReceipt {
                received_on: d(2026, 3, 14),
            },
        )
        .unwrap();
    // 14 March + 15 days = 29 March, a Sunday → Monday 30 March
    assert_eq!(r.payment_due(&w.cal), Some(d(2026, 3, 30)));
}

#[test]
fn apl_art67_72_performance_needs_the_fine_and_the_surcharge_paid() {
    let w = World::new();
    let r = served(&w); // due 26 March
    let done = Action::RecordPerformance {
        note: "缴清".into(),
    };
    w.refused(&r, d(2026, 3, 20), &done, "case.art67_fine_unpaid");
    // paid 5 days late: 3 % × 300 yuan × 5 = 45 yuan surcharge
    let r = w
        .step(&r, d(2026, 3, 31), "a", &pay(300, d(2026, 3, 31)))
        .unwrap();
    assert_eq!(r.owed(&w.cal, d(2026, 4, 10)).surcharge, Fen::yuan(45));
    let e = w.refused(&r, d(2026, 4, 10), &done, "case.art72_surcharge_unpaid");
    assert!(e.zh.contains("45.00 元"));
    let r = w
        .step(&r, d(2026, 4, 10), "a", &pay(45, d(2026, 4, 10)))
        .unwrap();
    assert_eq!(
        w.step(&r, d(2026, 4, 10), "a", &done).unwrap().status,
        CaseStatus::Performed
    );
}

#[test]
fn apl_art73_reconsideration_stops_the_surcharge_but_not_execution() {
    let w = World::new();
    let r = w.run(
        served(&w),
        &[(
            d(2026, 3, 20),
            "a",
            Action::RecordRemedy {
                kind: RemedyKind::Reconsideration,
                started_on: d(2026, 3, 20),
                ended_on: None,
            },
        )],
    );
    // still served: execution is not suspended
    assert_eq!(r.status, CaseStatus::Served);
    // pending from 20 March: no surcharge accrues after the 26th
    assert_eq!(r.owed(&w.cal, d(2026, 4, 30)).surcharge, Fen::ZERO);
    // closed on 5 April: 10 days of surcharge by 15 April (3 % × 300 × 10 = 90)
    let r = w
        .step(
            &r,
            d(2026, 4, 5),
            "a",
            &Action::RecordRemedy {
                kind: RemedyKind::Reconsideration,
                started_on: d(2026, 3, 20),
                ended_on: Some(d(2026, 4, 5)),
            },
        )
        .unwrap();
    assert_eq!(r.remedies.len(), 1);
    assert_eq!(r.owed(&w.cal, d(2026, 4, 15)).surcharge, Fen::yuan(90));
}

#[test]
fn apl_art66_instalments_need_approval_and_move_the_due_dates() {
    let w = World::new();
    let r = served(&w);
    let plan = |first: i64| Deferral {
        applied_on: d(2026, 3, 20),
        reason: "家庭困难".into(),
        approved_by: "镇长".into(),
        approved_on: d(2026, 3, 21),
        plan: vec![
            Instalment {
                due: d(2026, 4, 26),
                amount: Fen::yuan(first),
            },
            Instalment {
                due: d(2026, 5, 26),
                amount: Fen::yuan(150),
            },
        ],
    };
    w.refused(
        &r,
        d(2026, 3, 21),
        &Action::ApproveDeferral {
            deferral: plan(100),
        },
        "case.art66_plan",
    );
    let r = w
        .step(
            &r,
            d(2026, 3, 21),
            "h",
            &Action::ApproveDeferral {
                deferral: plan(150),
            },
        )
        .unwrap();
    // nothing late on 20 April although the original due date passed
    assert_eq!(r.owed(&w.cal, d(2026, 4, 20)).surcharge, Fen::ZERO);
}

#[test]
fn coercion_art53_54_court_enforcement_after_the_periods_with_a_reminder() {
    let w = World::new();
    let r = served(&w); // received 11 March: suit possible until 11 September
    let apply = |reminder: NaiveDate| Action::ApplyForEnforcement {
        court: "宁陵县人民法院".into(),
        reminder_served_on: reminder,
    };
    w.refused(
        &r,
        d(2026, 9, 11),
        &apply(d(2026, 8, 20)),
        "case.coercion_art53_too_early",
    );
    w.refused(
        &r,
        d(2026, 9, 14),
        &apply(d(2026, 9, 7)),
        "case.coercion_art54_reminder",
    );
    let r = w
        .step(&r, d(2026, 9, 14), "h", &apply(d(2026, 8, 20)))
        .unwrap();
    assert_eq!(r.status, CaseStatus::EnforcementApplied);
    w.refused(
        &r,
        d(2026, 12, 1),
        &Action::Close { reason: " ".into() },
        "case.transition",
    );
    assert_eq!(
        w.step(
            &r,
            d(2026, 12, 1),
            "h",
            &Action::Close {
                reason: "法院执行完毕".into()
            }
        )
        .unwrap()
        .status,
        CaseStatus::Closed
    );
}

// ---------------------------------------------------------------- transfers, archive

#[test]
fn decree310_art11_no_penalty_in_place_of_a_transfer() {
    let mut w = World::new();
    let r = noticed(&w);
    w.transfer = Some(TransferStatus::Reported);
    let day = d(2026, 3, 11);
    let e = w.refused(
        &r,
        day,
        &penalise(300, day),
        "case.decree310_art11_penalty_instead_of_transfer",
    );
    assert_eq!(e.kind, ErrorKind::Conflict);
    // not yet approved: the case cannot move to the police
    w.refused(
        &r,
        day,
        &Action::Transfer,
        "case.art27_transfer_not_approved",
    );
    w.transfer = Some(TransferStatus::Approved);
    let t = w.step(&r, day, "h", &Action::Transfer).unwrap();
    assert_eq!(t.status, CaseStatus::Transferred);
    // resumes only after the decline stands; closes after the hand-over
    w.refused(
        &t,
        day,
        &Action::ResumeAfterTransfer,
        "case.decree310_art10_resume",
    );
    w.refused(
        &t,
        day,
        &Action::Close { reason: "x".into() },
        "case.transition",
    );
    w.transfer = Some(TransferStatus::ItemsHandedOver);
    assert_eq!(
        w.step(
            &t,
            day,
            "h",
            &Action::Close {
                reason: "公安机关已立案".into()
            }
        )
        .unwrap()
        .status,
        CaseStatus::Closed
    );
    w.transfer = Some(TransferStatus::Resumed);
    let back = w.step(&t, day, "h", &Action::ResumeAfterTransfer).unwrap();
    assert_eq!(back.status, CaseStatus::Investigating);
    assert!(
        w.step(
            &back,
            day,
            "a",
            &Action::ServeNotice {
                notice: notice(300)
            }
        )
        .is_ok()
    );
}

#[test]
fn apl_art25_a_case_handed_over_to_the_competent_agency() {
    let w = World::new();
    let hand = |reason: &str| Action::HandOverJurisdiction {
        transfer: JurisdictionTransfer {
            to_agency: "宁陵县市场监督管理局".into(),
            reason: reason.into(),
            basis: "《中华人民共和国食品安全法》第六条".into(),
            on: d(2026, 3, 3),
        },
    };
    w.refused(
        &w.record(),
        d(2026, 3, 3),
        &hand(""),
        "case.jurisdiction_transfer",
    );
    let r = w
        .step(&w.record(), d(2026, 3, 3), "h", &hand("属食品安全违法行为"))
        .unwrap();
    assert_eq!(r.status, CaseStatus::HandedOver);
    assert_eq!(
        w.step(
            &r,
            d(2026, 3, 3),
            "h",
            &Action::Close {
                reason: "已移送".into()
            }
        )
        .unwrap()
        .status,
        CaseStatus::Closed
    );
}

#[test]
fn apl_art47_archiving_needs_the_full_record() {
    let w = World::new();
    let closed = Record {
        status: CaseStatus::Closed,
        ..w.record()
    };
    let archive = |full| Action::Archive {
        number: "2026-001".into(),
        full_record: full,
    };
    let e = w.refused(&closed, d(2026, 4, 1), &archive(false), "case.art47_record");
    assert!(e.zh.contains("全过程记录"));
    assert!(w.step(&closed, d(2026, 4, 1), "h", &archive(true)).is_ok());
}

// ---------------------------------------------------------------- properties

/// A pool of steps, lawful or not, for random walks.
fn pool() -> Vec<(&'static str, Action)> {
    vec![
        ("a", investigate(&["a", "b"])),
        ("a", investigate(&["a"])),
        (
            "a",
            Action::ServeNotice {
                notice: notice(300),
            },
        ),
        (
            "a",
            Action::ServeNotice {
                notice: notice(500),
            },
        ),
        (
            "a",
            Action::ServeNotice {
                notice: notice(200),
            },
        ),
        (
            "a",
            Action::RecordStatement {
                text: "申辩".into(),
            },
        ),
        (
            "a",
            Action::Waive {
                statement: true,
                hearing: true,
            },
        ),
        ("a", Action::RequestHearing),
        ("h", penalise(300, NaiveDate::MIN)),
        ("h", penalise(500, NaiveDate::MIN)),
        ("h", penalise(200, NaiveDate::MIN)),
        ("h", no_penalty(NoPenaltyGround::Minor, "教育")),
        (
            "a",
            Action::Serve {
                method: ServiceMethod::OnTheSpot,
                late_reason: None,
            },
        ),
        ("h", Action::Close { reason: "x".into() }),
    ]
}

/// Give a decision letter the day it is decided on.
fn dated(a: &Action, day: NaiveDate) -> Action {
    match a {
        Action::Decide {
            decision: Decision::Penalise { letter },
            late_reason,
        } => Action::Decide {
            decision: Decision::Penalise {
                letter: Box::new(DecisionLetter {
                    date: day,
                    ..(**letter).clone()
                }),
            },
            late_reason: late_reason.clone(),
        },
        other => other.clone(),
    }
}

proptest! {
    /// Whatever is tried in whatever order, a recorded penalty decision was
    /// preceded by a notice whose statement period had ended or been waived
    /// (Art. 62), is no heavier than that notice (Art. 44–45), and was
    /// investigated by two officers (Art. 42).
    #[test]
    fn apl_art42_44_45_62_hold_on_any_sequence_of_steps(
        steps in prop::collection::vec((0usize..14, 0u64..4), 1..25)
    ) {
        let w = World::new();
        let pool = pool();
        let mut r = w.record();
        let mut day = d(2026, 3, 2);
        for (i, gap) in steps {
            day = day + chrono::Days::new(gap);
            let (actor, a) = &pool[i];
            if let Ok(next) = w.step(&r, day, actor, &dated(a, day)) {
                if next.status == CaseStatus::Decided && r.status != CaseStatus::Decided {
                    let n = r.notice().expect("a notice before the decision");
                    prop_assert!(n.statement_closed(day));
                    let decided = next.decision.as_ref().unwrap().penalty().unwrap();
                    prop_assert!(decided.heavier_than(&n.notice.penalty).is_none());
                    prop_assert!(r.investigation.iter().all(|s| s.officers.len() >= 2));
                }
                r = next;
            }
        }
    }
}
