//! The store test suite: every case runs on SQLite and on PostgreSQL.

mod cases {
    use chrono::NaiveDate;
    use domain::org::{Credential, Level, Post, UnitKind};
    use store::migrations::latest_version;
    use store::org::{self, NewJurisdiction, NewStaff, NewUnit};
    use store::testing::TestDb;
    use store::{Backend, Store, StoreError};

    async fn county(db: &TestDb) -> (org::Jurisdiction, org::Jurisdiction) {
        let mut c = db.store.acquire().await.unwrap();
        let county = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                code: "411423",
                name: "宁陵县",
                name_en: "Ningling County",
                level: Level::County,
                parent: None,
                seat: Some((115.31, 34.45)),
            },
        )
        .await
        .unwrap();
        let town = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                code: "411423101",
                name: "张弓镇",
                name_en: "Zhanggong",
                level: Level::Township,
                parent: Some(&county),
                seat: None,
            },
        )
        .await
        .unwrap();
        (county, town)
    }

    pub async fn migrations_record_the_schema_version(db: &TestDb) {
        assert_eq!(db.store.schema_version().await.unwrap(), latest_version());
        assert_eq!(db.store.ready().await.unwrap(), latest_version());
        // Running again applies nothing and keeps the version.
        let again = db.store.migrate().await.unwrap();
        assert!(again.applied.is_empty());
        assert_eq!(again.to, latest_version());
    }

    pub async fn reopening_an_existing_database_keeps_its_data(db: &TestDb) {
        county(db).await;
        let reopened = Store::open(&db.config).await.unwrap();
        let mut c = reopened.acquire().await.unwrap();
        let j = org::jurisdiction_by_code(&mut c, "411423101")
            .await
            .unwrap();
        assert_eq!(j.name, "张弓镇");
        assert_eq!(j.path, "/411423/411423101/");
        drop(c);
        reopened.close().await;
    }

    /// A NULL double bound before a real one must not poison the cached
    /// statement (sqlx Any maps a NULL f64 to float4 on PostgreSQL).
    pub async fn null_then_value_in_the_same_statement(db: &TestDb) {
        let mut c = db.store.acquire().await.unwrap();
        let city = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                code: "4114",
                name: "商丘市",
                name_en: "Shangqiu",
                level: Level::City,
                parent: None,
                seat: None,
            },
        )
        .await
        .unwrap();
        let county = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                code: "411423",
                name: "宁陵县",
                name_en: "Ningling",
                level: Level::County,
                parent: Some(&city),
                seat: Some((115.3, 34.4)),
            },
        )
        .await
        .unwrap();
        assert_eq!(county.lon, Some(115.3));
        let back = org::jurisdiction_by_code(&mut c, "411423").await.unwrap();
        assert_eq!((back.lon, back.lat), (Some(115.3), Some(34.4)));
        assert_eq!(
            org::jurisdiction_by_code(&mut c, "4114").await.unwrap().lon,
            None
        );
    }

    pub async fn duplicate_codes_are_a_conflict_naming_the_field(db: &TestDb) {
        let (county, _) = county(db).await;
        let mut c = db.store.acquire().await.unwrap();
        let err = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                code: "411423101",
                name: "重复",
                name_en: "dup",
                level: Level::Township,
                parent: Some(&county),
                seat: None,
            },
        )
        .await
        .unwrap_err();
        match err {
            StoreError::Conflict { field } => assert_eq!(field, "code"),
            other => panic!("expected conflict, got {other:?}"),
        }
    }

    pub async fn foreign_keys_are_enforced(db: &TestDb) {
        let mut c = db.store.acquire().await.unwrap();
        let err = org::insert_unit(
            &mut c,
            NewUnit {
                code: "X1",
                name: "无主大队",
                name_en: "Orphan",
                kind: UnitKind::Brigade,
                jurisdiction_id: "no-such-jurisdiction",
                parent_id: None,
                field: None,
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    }

    pub async fn levels_must_nest(db: &TestDb) {
        let (_, town) = county(db).await;
        let mut c = db.store.acquire().await.unwrap();
        let err = org::insert_jurisdiction(
            &mut c,
            NewJurisdiction {
                code: "411423",
                name: "错层",
                name_en: "wrong",
                level: Level::County,
                parent: Some(&town),
                seat: None,
            },
        )
        .await;
        assert!(err.is_err());
    }

    pub async fn organisation_round_trips(db: &TestDb) {
        let (_, town) = county(db).await;
        let mut c = db.store.acquire().await.unwrap();
        let brigade = org::insert_unit(
            &mut c,
            NewUnit {
                code: "411423101-DD",
                name: "张弓镇综合行政执法大队",
                name_en: "Zhanggong brigade",
                kind: UnitKind::Brigade,
                jurisdiction_id: &town.id,
                parent_id: None,
                field: None,
            },
        )
        .await
        .unwrap();
        let officer = org::insert_staff(
            &mut c,
            NewStaff {
                name: "李明",
                post: Post::Officer,
                unit_id: Some(&brigade.id),
                jurisdiction_id: &town.id,
                phone: Some("13800000000"),
                specialty: Some("市场监管"),
            },
        )
        .await
        .unwrap();
        let cred = Credential {
            number: "41142320230001".into(),
            issuer: "宁陵县人民政府".into(),
            fields: vec!["综合执法".into(), "市场监管".into()],
            valid_from: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            valid_until: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        };
        org::insert_credential(&mut c, &officer, &cred)
            .await
            .unwrap();
        assert_eq!(
            org::credentials_of(&mut c, &officer).await.unwrap(),
            vec![cred]
        );
        let staff = org::staff_of_unit(&mut c, &brigade.id).await.unwrap();
        assert_eq!(staff.len(), 1);
        assert_eq!(staff[0].post, Post::Officer);
        let units = org::units_in(&mut c, &town.id).await.unwrap();
        assert_eq!(units[0].kind, UnitKind::Brigade);
        let ov = org::overview(&mut c).await.unwrap();
        assert_eq!((ov.townships, ov.brigades, ov.officers), (1, 1, 1));
        let towns = org::list_jurisdictions(&mut c, &[Level::Township])
            .await
            .unwrap();
        assert_eq!(towns.len(), 1);
    }

    pub async fn sqlite_runs_in_wal_with_foreign_keys(db: &TestDb) {
        if db.store.backend() != Backend::Sqlite {
            return;
        }
        use sqlx::Row;
        let mut c = db.store.acquire().await.unwrap();
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(mode.to_lowercase(), "wal");
        let fk: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(fk, 1);
        assert!(db.dir.path().join("yiwang.db").exists());
    }

    const KEY: &[u8] = b"suite-audit-key-0123456789";

    /// Five audited changes in the county.
    async fn audited(db: &TestDb) {
        let (county, _) = county(db).await;
        for i in 0..5 {
            let mut tx = db.store.begin_write().await.unwrap();
            let after = serde_json::json!({"n": i});
            store::audit::append(
                &mut tx,
                KEY,
                &store::audit::Actor::system("test"),
                store::audit::Change {
                    action: "test.change",
                    object_type: "thing",
                    object_id: &format!("t{i}"),
                    jurisdiction: &county.path,
                    before: None,
                    after: Some(&after),
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let mut c = db.store.acquire().await.unwrap();
        assert_eq!(store::audit::verify(&mut c, KEY).await.unwrap(), Ok(5));
    }

    async fn verdict(db: &TestDb) -> Result<u64, domain::audit::Break> {
        let mut c = db.store.acquire().await.unwrap();
        store::audit::verify(&mut c, KEY).await.unwrap()
    }

    async fn exec(db: &TestDb, sql: &str) {
        let mut c = db.store.acquire().await.unwrap();
        sqlx::query(sql).execute(&mut *c).await.unwrap();
    }

    pub async fn audit_edit_is_named(db: &TestDb) {
        audited(db).await;
        exec(
            db,
            "UPDATE audit_log SET action = 'test.other' WHERE seq = 3",
        )
        .await;
        assert_eq!(
            verdict(db).await,
            Err(domain::audit::Break::Altered { seq: 3 })
        );
    }

    pub async fn audit_deletion_is_named(db: &TestDb) {
        audited(db).await;
        exec(db, "DELETE FROM audit_log WHERE seq = 2").await;
        assert_eq!(
            verdict(db).await,
            Err(domain::audit::Break::Removed { seq: 2 })
        );
    }

    pub async fn audit_deletion_of_the_newest_is_named(db: &TestDb) {
        audited(db).await;
        exec(db, "DELETE FROM audit_log WHERE seq = 5").await;
        assert_eq!(
            verdict(db).await,
            Err(domain::audit::Break::Removed { seq: 5 })
        );
    }

    pub async fn audit_insertion_is_named(db: &TestDb) {
        audited(db).await;
        exec(
            db,
            "INSERT INTO audit_log (seq, at, actor, actor_user_id, role, jurisdiction, action, object_type,
               object_id, request_id, before_digest, after_digest, prev_hash, hash)
             SELECT 6, at, actor, actor_user_id, role, jurisdiction, action, object_type, 'forged',
               request_id, before_digest, after_digest, hash, hash FROM audit_log WHERE seq = 5",
        )
        .await;
        let v = verdict(db).await;
        assert!(
            matches!(
                v,
                Err(domain::audit::Break::Altered { seq: 6 }
                    | domain::audit::Break::Inserted { seq: 6 })
            ),
            "{v:?}"
        );
        // The head was updated with it: still named.
        exec(db, "UPDATE audit_head SET seq = 6 WHERE id = 1").await;
        let v = verdict(db).await;
        assert!(
            matches!(&v, Err(b) if b.to_string().contains("entry 6")),
            "{v:?}"
        );
    }

    pub async fn a_newer_database_is_refused(db: &TestDb) {
        let mut c = db.store.acquire().await.unwrap();
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, 'future', 'x', 'now')")
            .bind(latest_version() + 1)
            .execute(&mut *c)
            .await
            .unwrap();
        drop(c);
        let err = db.store.migrate().await.unwrap_err();
        assert!(err.to_string().contains("newer than this program"), "{err}");
        assert!(db.store.ready().await.is_err());
    }
}

store::both_databases!(crate::cases =>
    migrations_record_the_schema_version,
    null_then_value_in_the_same_statement,
    reopening_an_existing_database_keeps_its_data,
    duplicate_codes_are_a_conflict_naming_the_field,
    foreign_keys_are_enforced,
    levels_must_nest,
    organisation_round_trips,
    sqlite_runs_in_wal_with_foreign_keys,
    a_newer_database_is_refused,
    audit_edit_is_named,
    audit_deletion_is_named,
    audit_deletion_of_the_newest_is_named,
    audit_insertion_is_named,
);
