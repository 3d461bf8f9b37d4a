//! Intake's kept power-list suggestions rank as the database's own search
//! does, on SQLite and PostgreSQL, and follow the list when it changes.

mod cases {
    use server::suggest::Suggester;
    use store::testing::TestDb;

    /// Reports as people put them, and a few odd ones.
    const TEXTS: &[&str] = &[
        "有商户在路边占道经营，堆放货物",
        "今天早上村口流动摊贩占道经营，影响行人通行，请尽快处理。",
        "夜间施工噪声扰民，多次劝阻无效",
        "广场舞音响噪音扰民",
        "田间焚烧秸秆，烟雾弥漫，存在安全隐患",
        "渣土运输车辆未覆盖，沿途撒漏",
        "餐馆油烟扰民，饭店油烟净化器未开",
        "有人违法占用耕地建房",
        "无证经营的黑网吧，有未成年人出入",
        "养殖场污水直排河道",
        "工地扬尘严重，未采取覆盖措施",
        "电线杆上乱贴小广告",
        "超限运输车辆损坏路面",
        "ABC 12345 热线转来",
        "请",
    ];

    pub async fn kept_suggestions_are_the_database_ranking(db: &TestDb) {
        let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
        demo::seed(&db.store, &key).await.unwrap();
        let backend = db.store.backend();
        let mut conn = db.store.acquire().await.unwrap();
        let mut towns = Vec::new();
        for code in ["411423100", "411423101", "411423102"] {
            towns.push(
                store::org::jurisdiction_by_code(&mut conn, code)
                    .await
                    .unwrap(),
            );
        }
        let kept = Suggester::default();
        // twice: the second round from the kept parts
        for round in 0..2 {
            for town in &towns {
                for text in TEXTS {
                    let tokens = yiwang_search::query_tokens(text);
                    let current = kept.current(&mut conn, &[&town.id]).await.unwrap();
                    let got = kept
                        .suggest(&mut conn, backend, &current, &town.id, &tokens, 3)
                        .await
                        .unwrap();
                    let filter = store::powerlist::Filter {
                        township_id: Some(town.id.clone()),
                        ..Default::default()
                    };
                    let (want, _) =
                        store::powerlist::search(&mut conn, backend, &tokens, &filter, 3, 0)
                            .await
                            .unwrap();
                    let got: Vec<(String, f64)> =
                        got.into_iter().map(|s| (s.code, s.score)).collect();
                    let want: Vec<(String, f64)> =
                        want.into_iter().map(|s| (s.code, s.score)).collect();
                    assert_eq!(
                        got.iter().map(|g| &g.0).collect::<Vec<_>>(),
                        want.iter().map(|w| &w.0).collect::<Vec<_>>(),
                        "round {round}, {} {text}",
                        town.name
                    );
                    for (g, w) in got.iter().zip(&want) {
                        assert!(
                            (g.1 - w.1).abs() <= 1e-6 * w.1.abs().max(1.0),
                            "{text}: {} scored {} instead of {}",
                            g.0,
                            g.1,
                            w.1
                        );
                    }
                }
            }
        }
    }

    pub async fn a_changed_list_changes_the_suggestions_at_once(db: &TestDb) {
        let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
        demo::seed(&db.store, &key).await.unwrap();
        let backend = db.store.backend();
        let mut conn = db.store.acquire().await.unwrap();
        let town = store::org::jurisdiction_by_code(&mut conn, "411423100")
            .await
            .unwrap();
        let kept = Suggester::default();
        let tokens = yiwang_search::query_tokens("村口有人放飞孔明灯");
        let current = kept.current(&mut conn, &[&town.id]).await.unwrap();
        let before = kept
            .suggest(&mut conn, backend, &current, &town.id, &tokens, 3)
            .await
            .unwrap();
        assert!(
            before.iter().all(|s| !s.name.contains("孔明灯")),
            "{before:?}"
        );
        // a new item, devolved to the township: suggested from the next report on
        let some_code = before_or_any(&mut conn).await;
        let mut item = store::powerlist::by_code(&mut conn, &some_code)
            .await
            .unwrap()
            .item;
        item.code = "TEST-KMD-001".into();
        item.name = "对违规燃放孔明灯的处罚".into();
        let (id, _) = store::powerlist::save(&mut conn, backend, &item, "test", "测试")
            .await
            .unwrap();
        let current = kept.current(&mut conn, &[&town.id]).await.unwrap();
        let after = kept
            .suggest(&mut conn, backend, &current, &town.id, &tokens, 3)
            .await
            .unwrap();
        assert!(
            after.iter().all(|s| s.code != "TEST-KMD-001"),
            "not held by the township yet: {after:?}"
        );
        store::powerlist::devolve(
            &mut conn,
            &town.id,
            &id,
            "测试〔2026〕1号",
            "2026-01-01",
            "测试",
        )
        .await
        .unwrap();
        let current = kept.current(&mut conn, &[&town.id]).await.unwrap();
        let held = kept
            .suggest(&mut conn, backend, &current, &town.id, &tokens, 3)
            .await
            .unwrap();
        assert_eq!(held.first().map(|s| s.code.as_str()), Some("TEST-KMD-001"));
    }

    /// The code of some item of the list.
    async fn before_or_any(conn: &mut store::Conn) -> String {
        store::powerlist::list(conn, &Default::default(), 1, 0)
            .await
            .unwrap()
            .0
            .remove(0)
            .code
    }
}

store::both_databases!(crate::cases =>
    kept_suggestions_are_the_database_ranking,
    a_changed_list_changes_the_suggestions_at_once,
);
