//! Document numbers (文号) on SQLite and PostgreSQL: concurrent
//! transactions get distinct, consecutive numbers, and a rolled-back
//! transaction gives its number back, so the sequence has no gaps.

mod cases {
    use store::documents::next_number;
    use store::testing::TestDb;

    const AGENCY: &str = "411423100";
    const KIND: &str = "penalty_decision";

    /// Takes a number in a transaction of its own (its own pool
    /// connection), holds it across an await, then commits.
    async fn take(store: store::Store, agency: &'static str) -> i64 {
        let mut tx = store.begin_write().await.expect("begin");
        let n = next_number(&mut tx, agency, KIND, 2026)
            .await
            .expect("next number");
        tokio::task::yield_now().await;
        tx.commit().await.expect("commit");
        n
    }

    pub async fn two_hundred_concurrent_numberings_give_1_to_200(db: &TestDb) {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..200 {
            tasks.spawn(take(db.store.clone(), AGENCY));
        }
        let mut numbers = Vec::new();
        while let Some(n) = tasks.join_next().await {
            numbers.push(n.expect("task"));
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=200).collect::<Vec<i64>>());
        // another agency, kind or year has its own sequence
        let mut conn = db.store.begin_write().await.unwrap();
        assert_eq!(
            next_number(&mut conn, "411423101", KIND, 2026)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            next_number(&mut conn, AGENCY, "prior_notice", 2026)
                .await
                .unwrap(),
            1
        );
        assert_eq!(next_number(&mut conn, AGENCY, KIND, 2027).await.unwrap(), 1);
        assert_eq!(
            next_number(&mut conn, AGENCY, KIND, 2026).await.unwrap(),
            201
        );
        conn.commit().await.unwrap();
    }

    pub async fn a_rolled_back_number_is_given_again(db: &TestDb) {
        assert_eq!(take(db.store.clone(), AGENCY).await, 1);
        let mut tx = db.store.begin_write().await.unwrap();
        assert_eq!(next_number(&mut tx, AGENCY, KIND, 2026).await.unwrap(), 2);
        tx.rollback().await.unwrap();
        // the document was not stored: its number is not lost
        assert_eq!(take(db.store.clone(), AGENCY).await, 2);
        // a transaction dropped without commit (an error on the way) too
        {
            let mut tx = db.store.begin_write().await.unwrap();
            assert_eq!(next_number(&mut tx, AGENCY, KIND, 2026).await.unwrap(), 3);
        }
        assert_eq!(take(db.store.clone(), AGENCY).await, 3);
    }

    pub async fn concurrent_numberings_with_rollbacks_leave_no_gaps(db: &TestDb) {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..60 {
            let store = db.store.clone();
            tasks.spawn(async move {
                let mut tx = store.begin_write().await.expect("begin");
                let n = next_number(&mut tx, AGENCY, KIND, 2026).await.expect("n");
                tokio::task::yield_now().await;
                if i % 3 == 0 {
                    tx.rollback().await.expect("rollback");
                    None
                } else {
                    tx.commit().await.expect("commit");
                    Some(n)
                }
            });
        }
        let mut kept = Vec::new();
        while let Some(n) = tasks.join_next().await {
            kept.extend(n.expect("task"));
        }
        kept.sort_unstable();
        assert_eq!(kept, (1..=40).collect::<Vec<i64>>());
    }
}

store::both_databases!(crate::cases =>
    two_hundred_concurrent_numberings_give_1_to_200,
    a_rolled_back_number_is_given_again,
    concurrent_numberings_with_rollbacks_leave_no_gaps,
);
