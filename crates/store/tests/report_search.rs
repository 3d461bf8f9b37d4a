//! Chinese full-text search over reports, on SQLite and PostgreSQL: the
//! words found and not found, synonyms, ranking, filters, scope, paging and
//! the indexing of reports stored before the index existed.

mod cases {
    use domain::access::{Grant, Permission, Principal, Role, Scope};
    use domain::org::Level;
    use store::org::{self, NewGrid, NewJurisdiction};
    use store::reports::search::SearchQuery;
    use store::reports::{self, Filter, NewReport};
    use store::testing::TestDb;

    /// A county with townships A and B, a village and grid in each, and two
    /// power-list items of different fields.
    pub struct Place {
        a: org::Jurisdiction,
        grid_a: String,
        b: org::Jurisdiction,
        grid_b: String,
    }

    async fn place(db: &TestDb) -> Place {
        let mut c = db.store.acquire().await.unwrap();
        let j = |code: &'static str, name: &'static str, level: Level| NewJurisdiction {
            code,
            name,
            name_en: name,
            level,
            parent: None,
            seat: None,
        };
        let county = org::insert_jurisdiction(&mut c, j("411423", "宁陵县", Level::County))
            .await
            .unwrap();
        let mut out = Vec::new();
        for (code, name, village, grid) in [
            ("411423101", "张弓镇", "东关村", "东关村第一网格"),
            ("411423102", "柳河镇", "西村", "西村网格"),
        ] {
            let town = org::insert_jurisdiction(
                &mut c,
                NewJurisdiction {
                    parent: Some(&county),
                    ..j(code, name, Level::Township)
                },
            )
            .await
            .unwrap();
            let vcode: &'static str = if code.ends_with('1') {
                "411423101001"
            } else {
                "411423102001"
            };
            let v = org::insert_jurisdiction(
                &mut c,
                NewJurisdiction {
                    parent: Some(&town),
                    ..j(vcode, village, Level::Village)
                },
            )
            .await
            .unwrap();
            let g = org::insert_grid(
                &mut c,
                NewGrid {
                    code: &format!("{vcode}01"),
                    name: grid,
                    township_id: &town.id,
                    village_id: Some(&v.id),
                    geometry_geojson: r#"{"type":"Polygon","coordinates":[]}"#,
                    area_m2: 1.0,
                },
            )
            .await
            .unwrap();
            out.push((town, g));
        }
        for (code, name, field) in [
            ("CG-001", "对占道经营的处罚", "城市管理"),
            ("HB-001", "对露天焚烧秸秆的处罚", "生态环境"),
        ] {
            sqlx::query(
                "INSERT INTO power_items (id, code, name, kind, field, current_version, created_at, updated_at)
                 VALUES ($1, $2, $3, '行政处罚', $4, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            )
            .bind(code)
            .bind(code)
            .bind(name)
            .bind(field)
            .execute(&mut *c)
            .await
            .unwrap();
        }
        let (b, grid_b) = out.pop().unwrap();
        let (a, grid_a) = out.pop().unwrap();
        Place {
            a,
            grid_a,
            b,
            grid_b,
        }
    }

    /// A report in township A's (or B's) grid.
    fn new_report<'a>(
        p: &'a Place,
        in_b: bool,
        channel: &'a str,
        item: Option<&'a str>,
    ) -> NewReport<'a> {
        let (town, grid) = if in_b {
            (&p.b, &p.grid_b)
        } else {
            (&p.a, &p.grid_a)
        };
        NewReport {
            channel,
            description: "",
            lon: 115.3,
            lat: 34.4,
            crs_in: "wgs84",
            lon_in: 115.3,
            lat_in: 34.4,
            township_id: &town.id,
            grid_id: grid,
            snapped_m: None,
            squad_id: None,
            officer_id: None,
            grid_worker_id: None,
            item_code: item,
            suggestions: "[]",
            urgency: "normal",
            emergency: "[]",
            status: "received",
            duplicate_of: None,
            occurred_at: "2026-03-01T08:00:00Z",
            reporter: "tester",
            idempotency_key: None,
            deadline_at: None,
        }
    }

    /// Store a report (through the intake's store function, in a transaction).
    async fn report(
        db: &TestDb,
        p: &Place,
        in_b: bool,
        description: &str,
        channel: &str,
        item: Option<&str>,
    ) -> String {
        let mut tx = db.store.begin_write().await.unwrap();
        let (id, created) = reports::insert(
            &mut tx,
            &NewReport {
                description,
                ..new_report(p, in_b, channel, item)
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(created);
        id
    }

    fn county() -> Scope {
        Scope::system(Permission::ViewReports)
    }

    /// Descriptions of the reports a search finds, best first.
    async fn search(db: &TestDb, scope: &Scope, q: &str, f: Filter<'_>) -> Vec<String> {
        let q = SearchQuery::parse(q).unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let (rows, total) = reports::list(&mut c, scope, &Filter { q: Some(&q), ..f }, 100, 0)
            .await
            .unwrap();
        assert_eq!(total as usize, rows.len());
        rows.into_iter().map(|r| r.description).collect()
    }

    async fn find(db: &TestDb, q: &str) -> Vec<String> {
        search(db, &county(), q, Filter::default()).await
    }

    pub async fn two_character_words_are_found_and_absent_words_are_not(db: &TestDb) {
        let p = place(db).await;
        report(db, &p, false, "有商户在路边占道经营", "grid_worker", None).await;
        report(db, &p, false, "村口有人私搭乱建彩钢棚", "citizen", None).await;
        report(db, &p, false, "工地渣土车沿路撒漏", "camera", None).await;
        for q in ["占道", "经营", "占道经营", "商户", "路边 经营"] {
            assert_eq!(find(db, q).await, ["有商户在路边占道经营"], "{q}");
        }
        // jieba keeps 私搭乱建 whole; its bigrams still find 乱建 and 彩钢
        for q in ["乱建", "私搭乱建", "彩钢"] {
            assert_eq!(find(db, q).await, ["村口有人私搭乱建彩钢棚"], "{q}");
        }
        // words that are not there, and every word must be there
        for q in ["焚烧", "噪声", "经营焚烧", "路边 焚烧", "营路"] {
            assert!(find(db, q).await.is_empty(), "{q}");
        }
        // the grid's and village's names are indexed with the description
        assert_eq!(find(db, "东关村 渣土").await, ["工地渣土车沿路撒漏"]);
        // a single character finds the words it starts
        assert_eq!(find(db, "渣").await, ["工地渣土车沿路撒漏"]);
    }

    pub async fn synonyms_find_each_other(db: &TestDb) {
        let p = place(db).await;
        report(db, &p, false, "夜间施工噪声扰民", "hotline", None).await;
        report(db, &p, false, "河边有人违建", "citizen", None).await;
        for q in ["噪音", "噪音扰民", "噪声扰民"] {
            assert_eq!(find(db, q).await, ["夜间施工噪声扰民"], "{q}");
        }
        assert_eq!(find(db, "违法建设").await, ["河边有人违建"]);
        assert!(find(db, "噪音 违建").await.is_empty());
    }

    pub async fn the_best_match_comes_first_and_newest_otherwise(db: &TestDb) {
        let p = place(db).await;
        let strong = "路边占道经营，占道严重";
        let weak = "学校门口晚上有很多家长接送孩子，车辆停放较乱，附近也有商户霸占道路摆放桌椅";
        report(db, &p, false, strong, "hotline", None).await;
        report(db, &p, false, weak, "hotline", None).await;
        assert_eq!(find(db, "占道").await, [strong, weak], "ranked");
        let mut c = db.store.acquire().await.unwrap();
        let (rows, total) = reports::list(&mut c, &county(), &Filter::default(), 100, 0)
            .await
            .unwrap();
        assert_eq!(total, 2);
        assert_eq!(rows[0].description, weak, "newest first without q");
        // paging through the ranked matches
        let q = SearchQuery::parse("占道").unwrap();
        let f = Filter {
            q: Some(&q),
            ..Default::default()
        };
        let (rows, total) = reports::list(&mut c, &county(), &f, 1, 1).await.unwrap();
        assert_eq!(total, 2);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].description, weak);
        let (rows, total) = reports::list(&mut c, &county(), &f, 1, 5).await.unwrap();
        assert_eq!((rows.len(), total), (0, 2));
    }

    pub async fn pages_walk_the_ranked_matches_once(db: &TestDb) {
        let p = place(db).await;
        let mut strong = Vec::new();
        let mut weak = Vec::new();
        for i in 0..3 {
            strong.push(format!("路边占道经营第{i}次"));
            report(db, &p, false, &strong[i], "hotline", None).await;
            weak.push(format!("有人霸占道路第{i}次"));
            report(db, &p, false, &weak[i], "hotline", None).await;
        }
        // whole words first, then the rest, each newest first
        strong.reverse();
        weak.reverse();
        let expected: Vec<String> = strong.into_iter().chain(weak).collect();
        let q = SearchQuery::parse("占道").unwrap();
        let f = Filter {
            q: Some(&q),
            ..Default::default()
        };
        let mut c = db.store.acquire().await.unwrap();
        for per_page in [1, 2, 4, 6, 10] {
            let mut seen = Vec::new();
            let mut offset = 0;
            loop {
                let (rows, total) = reports::list(&mut c, &county(), &f, per_page, offset)
                    .await
                    .unwrap();
                assert_eq!(total, 6);
                if rows.is_empty() {
                    break;
                }
                offset += rows.len() as u64;
                seen.extend(rows.into_iter().map(|r| r.description));
            }
            assert_eq!(seen, expected, "per page {per_page}");
        }
    }

    pub async fn a_search_ranks_the_newest_thousand(db: &TestDb) {
        let p = place(db).await;
        let n = store::reports::search::CANDIDATES + 5;
        let mut tx = db.store.begin_write().await.unwrap();
        for i in 0..n {
            let d = format!("路边占道经营第{i}号");
            reports::insert(
                &mut tx,
                &NewReport {
                    description: &d,
                    ..new_report(&p, false, "hotline", None)
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let q = SearchQuery::parse("占道").unwrap();
        let f = Filter {
            q: Some(&q),
            ..Default::default()
        };
        let mut c = db.store.acquire().await.unwrap();
        let (rows, total) = reports::list(&mut c, &county(), &f, 3, 0).await.unwrap();
        assert_eq!(total as usize, store::reports::search::CANDIDATES);
        let d: Vec<&str> = rows.iter().map(|r| r.description.as_str()).collect();
        assert_eq!(
            d,
            [
                "路边占道经营第1004号",
                "路边占道经营第1003号",
                "路边占道经营第1002号"
            ]
        );
        let (rows, _) = reports::list(&mut c, &county(), &f, 10, 995).await.unwrap();
        assert_eq!(rows.len(), 5);
        assert_eq!(
            rows[4].description, "路边占道经营第5号",
            "the oldest candidate"
        );
    }

    /// Matches far apart in the order of arrival, with entries that do not
    /// match between them (on PostgreSQL, which asks the index block by
    /// block of the arrival order, the ids jump by up to 160 million).
    pub async fn matches_far_apart_are_found_newest_first(db: &TestDb) {
        let p = place(db).await;
        let mut strong = Vec::new();
        let mut weak = Vec::new();
        let gaps = [
            0_i64,
            3,
            5_000,
            40_000,
            300_000,
            2_500_000,
            7,
            160_000_000,
            0,
        ];
        for (i, gap) in gaps.into_iter().enumerate() {
            if gap > 0 && db.store.backend() == store::Backend::Postgres {
                let mut c = db.store.acquire().await.unwrap();
                sqlx::query(
                    "SELECT setval('report_search_id_seq', (SELECT MAX(id) FROM report_search) + $1)",
                )
                .bind(gap)
                .execute(&mut *c)
                .await
                .unwrap();
            }
            report(
                db,
                &p,
                false,
                &format!("河道漂浮垃圾第{i}处"),
                "hotline",
                None,
            )
            .await;
            strong.push(format!("路边占道经营第{i}次"));
            report(db, &p, i % 2 == 1, &strong[i], "hotline", None).await;
            weak.push(format!("有人霸占道路第{i}次"));
            report(db, &p, false, &weak[i], "citizen", None).await;
        }
        strong.reverse();
        weak.reverse();
        let expected: Vec<String> = strong.iter().chain(&weak).cloned().collect();
        assert_eq!(find(db, "占道").await, expected);
        assert_eq!(find(db, "垃圾").await.len(), gaps.len());
        assert!(find(db, "焚烧").await.is_empty());
        let hotline = Filter {
            channel: Some("hotline"),
            ..Default::default()
        };
        assert_eq!(search(db, &county(), "占道", hotline).await, strong);
        let in_b = Filter {
            township: Some("411423102"),
            ..Default::default()
        };
        let odd: Vec<String> = strong
            .iter()
            .filter(|d| {
                let i: usize = d
                    .trim_start_matches("路边占道经营第")
                    .trim_end_matches('次')
                    .parse()
                    .unwrap();
                i % 2 == 1
            })
            .cloned()
            .collect();
        assert_eq!(search(db, &county(), "占道经营", in_b).await, odd);
    }

    pub async fn filters_combine_with_the_search(db: &TestDb) {
        let p = place(db).await;
        report(db, &p, false, "商户占道经营甲", "hotline", Some("CG-001")).await;
        report(
            db,
            &p,
            false,
            "商户占道经营乙",
            "grid_worker",
            Some("CG-001"),
        )
        .await;
        report(db, &p, false, "商户占道经营丙", "hotline", None).await;
        report(db, &p, true, "商户占道经营丁", "hotline", Some("CG-001")).await;
        report(db, &p, false, "商户露天焚烧秸秆", "hotline", Some("HB-001")).await;
        let all = county();
        let s = |q: &'static str, f: Filter<'static>| {
            let all = all.clone();
            async move {
                let mut v = search(db, &all, q, f).await;
                v.sort();
                v
            }
        };
        assert_eq!(s("商户", Filter::default()).await.len(), 5);
        assert_eq!(
            s(
                "占道",
                Filter {
                    channel: Some("hotline"),
                    ..Default::default()
                }
            )
            .await,
            ["商户占道经营丁", "商户占道经营丙", "商户占道经营甲"]
        );
        assert_eq!(
            s(
                "商户",
                Filter {
                    field: Some("城市管理"),
                    channel: Some("hotline"),
                    ..Default::default()
                }
            )
            .await,
            ["商户占道经营丁", "商户占道经营甲"]
        );
        assert_eq!(
            s(
                "商户",
                Filter {
                    field: Some("城市管理"),
                    channel: Some("hotline"),
                    township: Some("411423101"),
                    ..Default::default()
                }
            )
            .await,
            ["商户占道经营甲"]
        );
        assert_eq!(
            s(
                "商户",
                Filter {
                    field: Some("生态环境"),
                    ..Default::default()
                }
            )
            .await,
            ["商户露天焚烧秸秆"]
        );
        assert!(
            s(
                "占道",
                Filter {
                    field: Some("生态环境"),
                    ..Default::default()
                }
            )
            .await
            .is_empty()
        );
        assert!(
            s(
                "商户",
                Filter {
                    status: Some("closed"),
                    ..Default::default()
                }
            )
            .await
            .is_empty()
        );
        assert_eq!(
            s(
                "商户",
                Filter {
                    status: Some("received"),
                    urgency: Some("normal"),
                    channel: Some("grid_worker"),
                    ..Default::default()
                }
            )
            .await,
            ["商户占道经营乙"]
        );
        // the same filters without words: newest first
        let mut c = db.store.acquire().await.unwrap();
        let (rows, total) = reports::list(
            &mut c,
            &all,
            &Filter {
                field: Some("城市管理"),
                channel: Some("hotline"),
                ..Default::default()
            },
            100,
            0,
        )
        .await
        .unwrap();
        assert_eq!(total, 2);
        let d: Vec<&str> = rows.iter().map(|r| r.description.as_str()).collect();
        assert_eq!(d, ["商户占道经营丁", "商户占道经营甲"]);
    }

    pub async fn a_search_stays_inside_the_scope(db: &TestDb) {
        let p = place(db).await;
        report(db, &p, false, "张弓镇路边占道经营", "hotline", None).await;
        report(db, &p, true, "柳河镇路边占道经营", "hotline", None).await;
        let officer = |path: &str| {
            Principal {
                user_id: Some("u".into()),
                name: "officer".into(),
                grants: vec![Grant {
                    role: Role::Officer,
                    jurisdiction_path: path.into(),
                }],
                token_permissions: None,
            }
            .scope(Permission::ViewReports)
            .unwrap()
        };
        let a = officer(&p.a.path);
        assert_eq!(
            search(db, &a, "占道", Filter::default()).await,
            ["张弓镇路边占道经营"]
        );
        // naming the other township finds nothing
        assert!(
            search(
                db,
                &a,
                "占道",
                Filter {
                    township: Some("411423102"),
                    ..Default::default()
                }
            )
            .await
            .is_empty()
        );
        let b = officer(&p.b.path);
        assert_eq!(
            search(db, &b, "占道", Filter::default()).await,
            ["柳河镇路边占道经营"]
        );
        let mut both = search(db, &county(), "占道", Filter::default()).await;
        both.sort();
        assert_eq!(both.len(), 2);
    }

    pub async fn reports_stored_before_the_index_are_indexed(db: &TestDb) {
        let p = place(db).await;
        report(db, &p, false, "有商户在路边占道经营", "hotline", None).await;
        let mut c = db.store.acquire().await.unwrap();
        // as if stored before migration 9
        if db.store.backend() == store::Backend::Sqlite {
            sqlx::query("DELETE FROM report_fts")
                .execute(&mut *c)
                .await
                .unwrap();
        }
        sqlx::query("DELETE FROM report_search")
            .execute(&mut *c)
            .await
            .unwrap();
        drop(c);
        assert!(find(db, "占道").await.is_empty());
        let mut c = db.store.acquire().await.unwrap();
        let n = reports::search::index_missing(&mut c).await.unwrap();
        assert_eq!(n, 1);
        assert_eq!(reports::search::index_missing(&mut c).await.unwrap(), 0);
        drop(c);
        assert_eq!(find(db, "占道").await, ["有商户在路边占道经营"]);
    }
}

store::both_databases!(crate::cases =>
    two_character_words_are_found_and_absent_words_are_not,
    synonyms_find_each_other,
    the_best_match_comes_first_and_newest_otherwise,
    pages_walk_the_ranked_matches_once,
    a_search_ranks_the_newest_thousand,
    matches_far_apart_are_found_newest_first,
    filters_combine_with_the_search,
    a_search_stays_inside_the_scope,
    reports_stored_before_the_index_are_indexed,
);
