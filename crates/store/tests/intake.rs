//! Reports written in batches (intake's group commit), on SQLite and
//! PostgreSQL: the same rows as one by one — one report per key, the trail
//! in order, duplicates counted, the audit chain intact, the search entry as
//! the one-by-one index writes it.

mod cases {
    use domain::access::{Grant, Permission, Principal, Role, Scope};
    use domain::org::Level;
    use sqlx::Row;
    use store::audit::Actor;
    use store::intake::{self, NewEvent, NewIntake};
    use store::org::{self, NewGrid, NewJurisdiction};
    use store::reports::search::SearchQuery;
    use store::reports::{self, Filter, NewReport};
    use store::testing::TestDb;

    const KEY: &[u8] = b"intake-test-key-0123456789";

    pub struct Place {
        town: org::Jurisdiction,
        grid: String,
    }

    /// A county, a township with a village and its grid, an item of the list.
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
        let town = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                parent: Some(&county),
                ..j("411423101", "张弓镇", Level::Township)
            },
        )
        .await
        .unwrap();
        let village = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                parent: Some(&town),
                ..j("411423101001", "东关村", Level::Village)
            },
        )
        .await
        .unwrap();
        let grid = org::insert_grid(
            &mut c,
            NewGrid {
                code: "41142310100101",
                name: "东关村第一网格",
                township_id: &town.id,
                village_id: Some(&village.id),
                geometry_geojson: r#"{"type":"Polygon","coordinates":[]}"#,
                area_m2: 1.0,
            },
        )
        .await
        .unwrap();
        plain_item(&mut c, "CG-001", "对占道经营的处罚").await;
        Place { town, grid }
    }

    /// A power-list item written with plain SQL (its id is its code).
    async fn plain_item(c: &mut store::Conn, code: &str, name: &str) {
        sqlx::query(
            "INSERT INTO power_items (id, code, name, kind, field, current_version, created_at, updated_at)
             VALUES ($1, $1, $2, '行政处罚', '城市管理', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        )
        .bind(code)
        .bind(name)
        .execute(&mut *c)
        .await
        .unwrap();
    }

    fn event(action: &str, from: &str, to: &str, note: &str) -> NewEvent {
        NewEvent {
            action: action.into(),
            from_status: from.into(),
            to_status: to.into(),
            actor: "网格员".into(),
            note: note.into(),
        }
    }

    fn new_report(
        p: &Place,
        description: &str,
        key: Option<&str>,
        duplicate_of: Option<&str>,
    ) -> NewIntake {
        let status = if duplicate_of.is_some() {
            "merged"
        } else {
            "received"
        };
        let mut events = vec![event("receive", "", "received", "grid_worker")];
        if let Some(first) = duplicate_of {
            events.push(event("merge", "received", "merged", first));
        }
        NewIntake {
            id: store::util::new_id(),
            channel: "grid_worker".into(),
            description: description.into(),
            lon: 115.3,
            lat: 34.4,
            crs_in: "gcj02".into(),
            lon_in: 115.306,
            lat_in: 34.399,
            township_id: p.town.id.clone(),
            township_path: p.town.path.clone(),
            grid_id: p.grid.clone(),
            snapped_m: None,
            squad_id: None,
            officer_id: None,
            grid_worker_id: None,
            item_code: Some("CG-001".into()),
            item_field: Some("城市管理".into()),
            suggestions: "[]".into(),
            urgency: "normal".into(),
            emergency: "[]".into(),
            status: status.into(),
            duplicate_of: duplicate_of.map(Into::into),
            occurred_at: "2026-11-28T01:30:00.000000Z".into(),
            reporter: "user-1".into(),
            idempotency_key: key.map(Into::into),
            deadline_at: None,
            supervise_at: None,
            search: intake::search_terms(description, "东关村第一网格", Some("东关村")),
            photos: vec![],
            events,
            actor: Actor {
                name: "gridworker".into(),
                user_id: Some("user-1".into()),
                role: "grid_worker".into(),
                request_id: "req".into(),
            },
            after: serde_json::json!({"status": status}),
        }
    }

    async fn write(db: &TestDb, batch: &[&NewIntake]) -> Vec<(String, bool)> {
        let mut tx = db.store.begin_write().await.unwrap();
        let w = intake::write(&mut tx, KEY, batch).await.unwrap();
        tx.commit().await.unwrap();
        w.ids
    }

    pub async fn a_batch_stores_each_report_once_in_order_with_trail_and_audit(db: &TestDb) {
        let p = place(db).await;
        let first = new_report(&p, "村口有商户占道经营", Some("k1"), None);
        let other = new_report(&p, "学校门口流动摊贩占道经营", None, None);
        let retry = new_report(&p, "村口有商户占道经营", Some("k1"), None);
        let w = write(db, &[&first, &other, &retry]).await;
        assert!(w[0].1 && w[1].1, "{w:?}");
        assert_eq!(w[2], (w[0].0.clone(), false), "a retry in the same batch");
        // a retry in a later batch, and a duplicate of the first
        let dup = new_report(&p, "村口又有人占道经营", None, Some(&w[0].0));
        let w2 = write(db, &[&retry, &dup]).await;
        assert_eq!(w2[0], (w[0].0.clone(), false), "a retry in a later batch");
        assert!(w2[1].1);

        let mut c = db.store.acquire().await.unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM reports")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 3);
        let r = reports::by_id(&mut c, &w[0].0).await.unwrap();
        assert_eq!(r.duplicates, 1, "the duplicate is counted on the first");
        assert_eq!(r.events.len(), 1);
        assert_eq!(r.events[0].action, "receive");
        let d = reports::by_id(&mut c, &w2[1].0).await.unwrap();
        let trail: Vec<&str> = d.events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(trail, ["receive", "merge"], "the trail in order");
        assert_eq!(d.duplicate_of.as_deref(), Some(w[0].0.as_str()));
        assert_eq!(d.status, "merged");

        // one audit entry per created report, chained, in the batch's order
        assert_eq!(
            store::audit::verify(&mut c, KEY).await.unwrap(),
            Ok(3),
            "the chain verifies"
        );
        let objects: Vec<String> = sqlx::query(
            "SELECT object_id FROM audit_log WHERE action = 'report.create' ORDER BY seq",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("object_id"))
        .collect();
        assert_eq!(objects, [w[0].0.clone(), w[1].0.clone(), w2[1].0.clone()]);

        // and one report at a time afterwards still chains on
        store::audit::append(
            &mut c,
            KEY,
            &Actor::system("test"),
            store::audit::Change {
                action: "test",
                object_type: "report",
                object_id: &w[0].0,
                jurisdiction: &p.town.path,
                before: None,
                after: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(store::audit::verify(&mut c, KEY).await.unwrap(), Ok(4));
    }

    pub async fn a_large_batch_is_written_in_runs(db: &TestDb) {
        let p = place(db).await;
        let texts: Vec<String> = (0..150).map(|i| format!("第{i}处占道经营")).collect();
        let batch: Vec<NewIntake> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| new_report(&p, t, (i % 3 == 0).then_some(&*format!("k{}", i % 9)), None))
            .collect();
        let refs: Vec<&NewIntake> = batch.iter().collect();
        let w = write(db, &refs).await;
        assert_eq!(w.len(), 150);
        // keys k0, k3, k6 repeat every ninth report: only their first is created
        assert_eq!(w.iter().filter(|(_, c)| *c).count(), 150 - (50 - 3));
        assert_eq!(w[9].0, w[0].0);
        let mut c = db.store.acquire().await.unwrap();
        assert_eq!(store::audit::verify(&mut c, KEY).await.unwrap(), Ok(103));
    }

    /// The duplicate lookup for a whole batch answers each question as it
    /// would be answered alone: same item, since the instant, inside the box,
    /// open and not itself a duplicate; more questions than one statement holds.
    pub async fn the_batch_duplicate_lookup_answers_each_question(db: &TestDb) {
        let p = place(db).await;
        let open = new_report(&p, "村口有商户占道经营", None, None);
        let mut far = new_report(&p, "镇北有商户占道经营", None, None);
        far.lon += 0.01; // about 900 m east
        let mut closed = new_report(&p, "已处理的占道经营", None, None);
        closed.status = "closed".into();
        let w = write(db, &[&open, &far, &closed]).await;
        let dup = new_report(&p, "村口又有人占道经营", None, Some(&w[0].0));
        write(db, &[&dup]).await;
        let mut c = db.store.acquire().await.unwrap();
        let since = |s: &str| s.to_string();
        let ask = |item: &'static str, since: String, lon: f64| intake::Near {
            item_code: item,
            since,
            lon,
            lat: 34.4,
            max_m: 100.0,
        };
        let long_ago = since("2000-01-01T00:00:00.000000Z");
        let mut asks = vec![
            ask("CG-001", long_ago.clone(), 115.3),
            ask("CG-001", long_ago.clone(), 115.31),
            ask("CG-999", long_ago.clone(), 115.3),
            ask("CG-001", since("2999-01-01T00:00:00.000000Z"), 115.3),
        ];
        // past one statement's questions: the 41st asks what the first asked
        while asks.len() < 40 {
            asks.push(ask("CG-001", long_ago.clone(), 116.0));
        }
        asks.push(ask("CG-001", long_ago, 115.3001));
        let got = intake::recent_with_items_near(&mut c, &asks).await.unwrap();
        let ids = |i: usize| got[i].iter().map(|r| r.0.clone()).collect::<Vec<_>>();
        assert_eq!(got.len(), asks.len());
        assert_eq!(
            ids(0),
            [w[0].0.clone()],
            "open, near; not the closed one or the duplicate"
        );
        assert_eq!(ids(1), [w[1].0.clone()], "the far one, asked from there");
        assert!(got[2].is_empty(), "another item");
        assert!(got[3].is_empty(), "nothing since then");
        assert!(got[4..40].iter().all(Vec::is_empty), "far from all");
        assert_eq!(ids(40), [w[0].0.clone()], "the second statement's answer");
        assert_eq!((got[0][0].1, got[0][0].2), (115.3, 34.4));
    }

    /// The query plan's lines (PostgreSQL told to prefer indexes, as it
    /// would on a large table).
    async fn plan(db: &TestDb, c: &mut store::Conn, sql: &str) -> Vec<String> {
        if db.store.backend() == store::Backend::Postgres {
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *c)
                .await
                .unwrap();
            let rows = sqlx::query(&format!("EXPLAIN {sql}"))
                .fetch_all(&mut *c)
                .await
                .unwrap();
            sqlx::query("SET enable_seqscan = on")
                .execute(&mut *c)
                .await
                .unwrap();
            rows.iter().map(|r| r.get::<String, _>(0)).collect()
        } else {
            let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
                .fetch_all(&mut *c)
                .await
                .unwrap();
            rows.iter().map(|r| r.get::<String, _>("detail")).collect()
        }
    }

    fn county_scope() -> Scope {
        Principal {
            user_id: Some("s".into()),
            name: "s".into(),
            grants: vec![Grant {
                role: Role::CountySupervisor,
                jurisdiction_path: "/411423/".into(),
            }],
            token_permissions: None,
        }
        .scope(Permission::ViewReports)
        .unwrap()
    }

    pub async fn the_search_entry_is_the_one_by_one_entry(db: &TestDb) {
        let p = place(db).await;
        let text = "村口有商户占道经营，堆放货物";
        let batched = new_report(&p, text, None, None);
        let (batched_id, _) = write(db, &[&batched]).await.remove(0);
        let mut tx = db.store.begin_write().await.unwrap();
        let (alone_id, _) = reports::insert(
            &mut tx,
            &NewReport {
                channel: "grid_worker",
                description: text,
                lon: 115.3,
                lat: 34.4,
                crs_in: "gcj02",
                lon_in: 115.306,
                lat_in: 34.399,
                township_id: &p.town.id,
                grid_id: &p.grid,
                snapped_m: None,
                squad_id: None,
                officer_id: None,
                grid_worker_id: None,
                item_code: Some("CG-001"),
                suggestions: "[]",
                urgency: "normal",
                emergency: "[]",
                status: "received",
                duplicate_of: None,
                occurred_at: "2026-11-28T01:30:00.000000Z",
                reporter: "user-2",
                idempotency_key: None,
                deadline_at: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut c = db.store.acquire().await.unwrap();
        let scope = county_scope();
        for (words, channel, field) in [
            ("占道", None, None),
            ("东关村", Some("grid_worker"), None),
            ("堆放货物", None, Some("城市管理")),
            ("第一网格", Some("grid_worker"), Some("城市管理")),
        ] {
            let q = SearchQuery::parse(words).unwrap();
            let f = Filter {
                q: Some(&q),
                channel,
                field,
                township: Some("411423101"),
                ..Default::default()
            };
            let (found, _) = reports::list(&mut c, &scope, &f, 20, 0).await.unwrap();
            let mut ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
            ids.sort_unstable();
            let mut both = vec![batched_id.as_str(), alone_id.as_str()];
            both.sort_unstable();
            assert_eq!(ids, both, "{words} {channel:?} {field:?}");
        }
        if db.store.backend() == store::Backend::Postgres {
            let tsv = |id: String| {
                sqlx::query("SELECT path, tsv::text AS t FROM report_search WHERE report_id = $1")
                    .bind(id)
            };
            let a = tsv(batched_id).fetch_one(&mut *c).await.unwrap();
            let b = tsv(alone_id).fetch_one(&mut *c).await.unwrap();
            assert_eq!(a.get::<String, _>("t"), b.get::<String, _>("t"));
            assert_eq!(a.get::<String, _>("path"), b.get::<String, _>("path"));
        }
    }

    /// Migration 0022: the supervision sweep reads only the reports whose
    /// `supervise_at` has come, by index; a step, a pause or a calendar
    /// change makes a report due again; a sweep's note on a report that
    /// changed meanwhile is not applied.
    pub async fn the_sweep_reads_only_reports_whose_time_has_come(db: &TestDb) {
        use store::supervision as sv;
        let p = place(db).await;
        let mut ids = Vec::new();
        for text in ["占道经营一", "占道经营二", "占道经营三"] {
            let mut r = new_report(&p, text, None, None);
            r.deadline_at = Some("2026-12-03T08:00:00.000000Z".into());
            // '' = look at it now (as after a change)
            r.supervise_at = Some(String::new());
            ids.push(write(db, &[&r]).await[0].0.clone());
        }
        let now = "2026-12-01T08:00:00.000000Z";
        let later = "2026-12-02T08:00:00.000000Z";
        let mut c = db.store.acquire().await.unwrap();
        let due = |list: Vec<sv::Due>| {
            let mut v: Vec<String> = list.into_iter().map(|d| d.id).collect();
            v.sort();
            v
        };
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        let all = sv::due_for_sweep(&mut c, now, 100).await.unwrap();
        assert_eq!(due(all.clone()), sorted(ids.clone()), "'' is due at once");
        assert!(all.iter().all(|d| d.running()));
        let version = |id: &str| all.iter().find(|d| d.id == id).unwrap().version;
        // the first waits for its warning, the second is done with
        assert!(
            sv::set_supervise_at(&mut c, &ids[0], version(&ids[0]), Some(later))
                .await
                .unwrap()
        );
        assert!(
            sv::set_supervise_at(&mut c, &ids[1], version(&ids[1]), None)
                .await
                .unwrap()
        );
        assert!(
            !sv::set_supervise_at(&mut c, &ids[2], version(&ids[2]) + 1, None)
                .await
                .unwrap(),
            "a report changed since it was read stays due"
        );
        assert_eq!(
            due(sv::due_for_sweep(&mut c, now, 100).await.unwrap()),
            vec![ids[2].clone()]
        );
        assert_eq!(
            due(sv::due_for_sweep(&mut c, later, 100).await.unwrap()),
            sorted(vec![ids[0].clone(), ids[2].clone()])
        );
        assert_eq!(
            sv::due_for_sweep(&mut c, now, 0).await.unwrap().len(),
            0,
            "the limit holds"
        );
        // a step of the closed loop makes the second due again
        reports::update(
            &mut c,
            &ids[1],
            &reports::Update {
                version: version(&ids[1]),
                status: "dispatched",
                dispatched_squad: None,
                dispatched_to: None,
                handler: None,
                deadline_at: Some(Some("2026-12-04T08:00:00.000000Z")),
                step_started_at: Some(now),
            },
        )
        .await
        .unwrap();
        let again = due(sv::due_for_sweep(&mut c, now, 100).await.unwrap());
        assert_eq!(again, sorted(vec![ids[1].clone(), ids[2].clone()]));
        // a pause too
        let v1 = version(&ids[1]) + 1;
        assert!(
            sv::set_supervise_at(&mut c, &ids[1], v1, None)
                .await
                .unwrap()
        );
        sv::set_clock(
            &mut c,
            &ids[1],
            &sv::Clock {
                version: v1,
                paused_at: Some(Some(now)),
                deadline_at: None,
                step_started_at: None,
            },
        )
        .await
        .unwrap();
        let paused = sv::due_for_sweep(&mut c, now, 100).await.unwrap();
        let d = paused
            .iter()
            .find(|d| d.id == ids[1])
            .expect("due after a pause");
        assert!(!d.running(), "a paused step's clock does not run");
        // a calendar change: every time worked out is stale
        assert_eq!(
            sv::recheck_all(&mut c).await.unwrap(),
            1,
            "only the one waiting"
        );
        assert_eq!(
            due(sv::due_for_sweep(&mut c, now, 100).await.unwrap()),
            sorted(ids.clone())
        );

        let sql = "SELECT r.id FROM reports r WHERE r.supervise_at IS NOT NULL AND r.supervise_at <= '2026' ORDER BY r.supervise_at LIMIT 5";
        let plan = plan(db, &mut c, sql).await;
        assert!(
            plan.iter().any(|l| l.contains("reports_supervise_at")),
            "the due reports are found by index: {plan:?}"
        );
    }

    /// What intake's suggestions depend on is read as counters that move
    /// with every change, however it is made (here by plain SQL): an item
    /// added or edited moves the list's; a devolution made or revoked moves
    /// its township's, and no other.
    pub async fn the_list_counters_move_with_every_change(db: &TestDb) {
        let p = place(db).await;
        let mut c = db.store.acquire().await.unwrap();
        let other = "another-township";
        let town = p.town.id.as_str();
        async fn states_of(
            c: &mut store::Conn,
            scopes: &[&str],
        ) -> (String, std::collections::HashMap<String, String>) {
            intake::power_list_states(c, scopes).await.unwrap()
        }
        let (list0, town0) = states_of(&mut c, &[town, other]).await;
        plain_item(&mut c, "CG-002", "对乱堆乱放的处罚").await;
        let (list1, town1) = states_of(&mut c, &[town, other]).await;
        assert_ne!(list1, list0, "an item added");
        assert_eq!(town1, town0, "no township's devolutions changed");
        sqlx::query("UPDATE power_items SET name = '对乱堆物料的处罚' WHERE id = 'CG-002'")
            .execute(&mut *c)
            .await
            .unwrap();
        let (list2, town2) = states_of(&mut c, &[town, other]).await;
        assert_ne!(list2, list1, "an item edited");
        assert_eq!(town2, town1);
        sqlx::query(
            "INSERT INTO devolutions (id, township_id, item_id, decision_no, decision_date, from_department, created_at)
             VALUES ('d1', $1, 'CG-002', '宁政〔2026〕1号', '2026-01-01', '县城管局', '2026-01-01T00:00:00Z')",
        )
        .bind(&p.town.id)
        .execute(&mut *c)
        .await
        .unwrap();
        let (list3, town3) = states_of(&mut c, &[town, other]).await;
        assert_eq!(list3, list2, "the items did not change");
        assert_ne!(town3[&p.town.id], town2[&p.town.id], "devolved");
        assert_eq!(town3[other], town2[other], "not the other township");
        sqlx::query("UPDATE devolutions SET revoked_at = '2026-06-01T00:00:00Z' WHERE id = 'd1'")
            .execute(&mut *c)
            .await
            .unwrap();
        let (_, town4) = states_of(&mut c, &[town, other]).await;
        assert_ne!(town4[&p.town.id], town3[&p.town.id], "revoked");
        sqlx::query("DELETE FROM devolutions WHERE id = 'd1'")
            .execute(&mut *c)
            .await
            .unwrap();
        let (_, town5) = states_of(&mut c, &[town, other]).await;
        assert_ne!(town5[&p.town.id], town4[&p.town.id], "removed");
    }

    /// The duplicate check reads the reports of an item near a point from
    /// the index by item and place, not every recent report of the item.
    pub async fn the_duplicate_lookup_reads_an_index_by_place(db: &TestDb) {
        let _ = place(db).await;
        let mut c = db.store.acquire().await.unwrap();
        let sql = "SELECT r.id FROM reports r WHERE r.item_code = 'CG-001' AND r.duplicate_of IS NULL \
                   AND r.received_at >= '2026' AND r.lat BETWEEN 34.3 AND 34.5 AND r.lon BETWEEN 115.2 AND 115.4";
        let plan = plan(db, &mut c, sql).await;
        assert!(
            plan.iter().any(|l| l.contains("reports_item_place")),
            "{plan:?}"
        );
    }
}

store::both_databases!(crate::cases =>
    a_batch_stores_each_report_once_in_order_with_trail_and_audit,
    a_large_batch_is_written_in_runs,
    the_batch_duplicate_lookup_answers_each_question,
    the_search_entry_is_the_one_by_one_entry,
    the_sweep_reads_only_reports_whose_time_has_come,
    the_list_counters_move_with_every_change,
    the_duplicate_lookup_reads_an_index_by_place,
);
