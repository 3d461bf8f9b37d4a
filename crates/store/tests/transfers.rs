//! Transfers of suspected crimes (Decree 310) on SQLite and PostgreSQL: one
//! per case, steps written only onto the version they were decided on, each
//! with actor, time and document, and a partner agency sees only what was
//! transferred to it.

mod cases {
    use chrono::{NaiveDate, Utc};
    use domain::case::transfer::{self, Package, Step, TransferStatus};
    use domain::case::{FiledBasis, officers::Officer};
    use domain::org::{Credential, Level, UnitKind};
    use store::org::{self, NewJurisdiction, NewUnit};
    use store::testing::TestDb;
    use store::transfers::{self, NewStep};
    use store::{StoreError, cases};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn officer(id: &str) -> Officer {
        Officer {
            id: id.into(),
            name: format!("队员{id}"),
            credential: Some(Credential {
                number: format!("41142320240{id}"),
                issuer: "宁陵县人民政府".into(),
                fields: vec!["综合行政执法".into()],
                valid_from: d(2020, 1, 1),
                valid_until: d(2099, 12, 31),
            }),
        }
    }

    /// A township with a case, and the county's police, procuratorate and
    /// court: (case id, police, procuratorate, court) unit ids.
    async fn setup(db: &TestDb) -> (String, String, String, String) {
        let mut c = db.store.acquire().await.unwrap();
        let county = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                code: "411423",
                name: "宁陵县",
                name_en: "Ningling County",
                level: Level::County,
                parent: None,
                seat: None,
            },
        )
        .await
        .unwrap();
        let town = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                code: "411423100",
                name: "城关回族镇",
                name_en: "Chengguan",
                level: Level::Township,
                parent: Some(&county),
                seat: None,
            },
        )
        .await
        .unwrap();
        let mut agencies = Vec::new();
        for (code, name) in [
            ("411423-GA", "宁陵县公安局"),
            ("411423-JC", "宁陵县人民检察院"),
            ("411423-FY", "宁陵县人民法院"),
        ] {
            let u = org::insert_unit(
                &mut c,
                NewUnit {
                    code,
                    name,
                    name_en: code,
                    kind: UnitKind::Agency,
                    jurisdiction_id: &county.id,
                    parent_id: None,
                    field: None,
                },
            )
            .await
            .unwrap();
            agencies.push(u.id);
        }
        let basis = FiledBasis {
            at_act: vec![],
            lighter_offered: vec![],
            limitation_ends: d(2028, 1, 1),
        };
        let case = cases::insert(
            &mut c,
            cases::NewCase {
                township_id: &town.id,
                item_code: "T-1",
                item_version: 1,
                item_name: "对非法储存烟花爆竹的处罚",
                title: "某商户非法储存烟花爆竹案",
                act_date: "2026-03-01",
                act_ended: None,
                grave_harm: false,
                basis: &basis,
                filed_by: "officer",
                filed_on: d(2026, 3, 2),
            },
        )
        .await
        .unwrap();
        (
            case,
            agencies[0].clone(),
            agencies[1].clone(),
            agencies[2].clone(),
        )
    }

    fn by<'a>(name: &'a str, detail: Option<&'a Step>, document: Option<&'a str>) -> NewStep<'a> {
        NewStep {
            name,
            detail,
            actor: "a",
            actor_name: "队员a",
            agency_unit_id: None,
            document,
        }
    }

    pub async fn a_transfer_keeps_its_steps_with_actor_time_and_document(db: &TestDb) {
        let (case, police, procuratorate, court) = setup(db).await;
        let mut c = db.store.acquire().await.unwrap();
        assert_eq!(
            transfers::status_of_case(&mut c, &case).await.unwrap(),
            None
        );
        let roster = [officer("a"), officer("b")];
        let t = transfer::report(
            &roster,
            &["a".into(), "b".into()],
            Utc::now(),
            "储存烟花爆竹数量达到刑事立案标准",
        )
        .unwrap();
        transfers::insert(&mut c, &case, &t, by("report", None, None))
            .await
            .unwrap();
        // Decree 310 Art. 11 needs this on every penalty step
        assert_eq!(
            transfers::status_of_case(&mut c, &case).await.unwrap(),
            Some(TransferStatus::Reported)
        );
        // one transfer per case
        assert!(matches!(
            transfers::insert(&mut c, &case, &t, by("report", None, None)).await,
            Err(StoreError::Conflict { .. })
        ));
        let stored = transfers::of_case(&mut c, &case).await.unwrap().unwrap();
        assert_eq!(stored.version, 0);
        // before it is sent no partner sees it
        for agency in [&police, &procuratorate, &court] {
            assert!(matches!(
                transfers::for_partner(&mut c, agency, &stored.id).await,
                Err(StoreError::NotFound)
            ));
        }

        let decide = Step::Decide {
            approved: true,
            reasons: String::new(),
            late_reason: None,
        };
        let next = transfer::step(&stored.record, "head", Utc::now(), &decide).unwrap();
        let v = transfers::save(
            &mut c,
            &stored,
            &next,
            None,
            None,
            by("decide", Some(&decide), Some("宁城审批〔2026〕1号")),
        )
        .await
        .unwrap();
        assert_eq!(v, 1);
        // a step decided on the old version is refused and writes nothing
        assert!(matches!(
            transfers::save(&mut c, &stored, &next, None, None, by("decide", None, None)).await,
            Err(StoreError::Stale)
        ));

        let stored = transfers::of_case(&mut c, &case).await.unwrap().unwrap();
        let send = Step::Send {
            police: "宁陵县公安局".into(),
            package: Package {
                transfer_letter: true,
                investigation_report: true,
                item_list: true,
                appraisals_made: false,
                appraisal_reports: false,
                other: vec![],
            },
            late_reason: None,
        };
        let next = transfer::step(&stored.record, "a", Utc::now(), &send).unwrap();
        transfers::save(
            &mut c,
            &stored,
            &next,
            Some(&police),
            None,
            by("send", Some(&send), Some("宁城移字〔2026〕1号")),
        )
        .await
        .unwrap();
        let stored = transfers::of_case(&mut c, &case).await.unwrap().unwrap();
        let next = transfer::step(&stored.record, "p", Utc::now(), &Step::Receive).unwrap();
        transfers::save(
            &mut c,
            &stored,
            &next,
            None,
            None,
            NewStep {
                name: "receive",
                detail: Some(&Step::Receive),
                actor: "user:p",
                actor_name: "公安联络员",
                agency_unit_id: Some(&police),
                document: Some("宁公受字〔2026〕7号"),
            },
        )
        .await
        .unwrap();

        let steps = transfers::steps(&mut c, &stored.id).await.unwrap();
        let names: Vec<&str> = steps.iter().map(|s| s.step.as_str()).collect();
        assert_eq!(names, ["report", "decide", "send", "receive"]);
        assert_eq!(
            steps.iter().map(|s| s.seq).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(steps[2].document.as_deref(), Some("宁城移字〔2026〕1号"));
        assert_eq!(steps[2].detail.as_ref().unwrap()["police"], "宁陵县公安局");
        assert_eq!(steps[3].agency.as_deref(), Some("411423-GA"));
        assert_eq!(steps[3].actor, "user:p");
        assert_eq!(steps[3].status_after, TransferStatus::Received);
        assert!(steps.iter().all(|s| !s.at.is_empty()));

        // partner_may_see: the police it was sent to, nobody else
        let seen = transfers::for_partner(&mut c, &police, &stored.id)
            .await
            .unwrap();
        assert_eq!(seen.record.status, TransferStatus::Received);
        for agency in [&procuratorate, &court] {
            assert!(matches!(
                transfers::for_partner(&mut c, agency, &stored.id).await,
                Err(StoreError::NotFound)
            ));
        }
        let (inbox, total) = transfers::inbox(&mut c, &police, 20, 0).await.unwrap();
        assert_eq!((inbox.len(), total), (1, 1));
        assert_eq!(inbox[0].part, "police");
        assert_eq!(inbox[0].township_code, "411423100");
        assert_eq!(transfers::inbox(&mut c, &court, 20, 0).await.unwrap().1, 0);

        // once the procuratorate is asked to supervise, it sees the case too
        let seen = transfers::of_case(&mut c, &case).await.unwrap().unwrap();
        let mut asked = seen.record.clone();
        asked.status = TransferStatus::SupervisionRequested;
        transfers::save(
            &mut c,
            &seen,
            &asked,
            None,
            Some(&procuratorate),
            by("request_supervision", None, None),
        )
        .await
        .unwrap();
        assert!(
            transfers::for_partner(&mut c, &procuratorate, &stored.id)
                .await
                .is_ok()
        );
        // the police keep their view: the unit set earlier stays
        assert!(
            transfers::for_partner(&mut c, &police, &stored.id)
                .await
                .is_ok()
        );
    }

    pub async fn a_liaison_speaks_for_one_agency(db: &TestDb) {
        let (_, police, _, court) = setup(db).await;
        let mut c = db.store.acquire().await.unwrap();
        let u = store::identity::create_user(&mut c, "gaj", "公安联络员", "x", None)
            .await
            .unwrap();
        assert_eq!(transfers::agency_of(&mut c, &u.id).await.unwrap(), None);
        transfers::set_liaison(&mut c, &u.id, &police, "countyadmin")
            .await
            .unwrap();
        let a = transfers::agency_of(&mut c, &u.id).await.unwrap().unwrap();
        assert_eq!(
            (a.code.as_str(), a.id.as_str()),
            ("411423-GA", police.as_str())
        );
        transfers::set_liaison(&mut c, &u.id, &court, "countyadmin")
            .await
            .unwrap();
        assert_eq!(
            transfers::agency_of(&mut c, &u.id)
                .await
                .unwrap()
                .unwrap()
                .code,
            "411423-FY"
        );
        // only partner agencies are agencies
        assert_eq!(
            transfers::agency_by_code(&mut c, "411423-JC")
                .await
                .unwrap()
                .name,
            "宁陵县人民检察院"
        );
        assert!(matches!(
            transfers::agency_by_code(&mut c, "411423-XX").await,
            Err(StoreError::NotFound)
        ));
    }
}

store::both_databases!(crate::cases =>
    a_transfer_keeps_its_steps_with_actor_time_and_document,
    a_liaison_speaks_for_one_agency,
);
