//! Indicators and assessment through the API, on SQLite and PostgreSQL: on
//! the small March history of `assessment/seed.rs` every indicator equals
//! the number worked out by hand; a run freezes (later reports and rules do
//! not change it) and ranks; an appeal is decided by a leader with a reason
//! and refused to its appellant and without a reason; who may do what; the
//! help page prints the definitions.

#[path = "assessment/api.rs"]
mod api;
#[path = "assessment/appeals.rs"]
mod appeals;
mod common;
#[path = "assessment/runs.rs"]
mod runs;
#[path = "assessment/seed.rs"]
mod seed;

mod cases {
    use super::api::*;
    use super::common::*;
    use super::seed::{self, A, zd1_march, zd2_march};

    pub use super::appeals::appeals_are_decided_by_another_leader_with_a_reason;
    pub use super::runs::a_run_freezes_and_ranks;
    use store::testing::TestDb;

    pub async fn every_indicator_equals_the_hand_computed_number(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s = seed::march(db).await;
        let viewer = app.session("squadleader").await;
        let v = ok(indicators(&app, &viewer, &format!("subject_kind=squad&{MARCH}")).await).await;
        assert_eq!(
            (v["jurisdiction"].as_str(), v["from"].as_str()),
            (Some(A), Some("2026-03-01"))
        );
        assert_eq!(item(&v, &s.zd1.1)["indicators"], zd1_march());
        assert_eq!(item(&v, &s.zd2.1)["indicators"], zd2_march());
        // a squad without reports: counts 0, rates without a value
        let z3 = &item(&v, &format!("{A}-ZD3"))["indicators"];
        assert_eq!(
            (z3["received"].as_u64(), z3["on_time_rate"].is_null()),
            (Some(0), true)
        );
        // the grid worker: S1–S5 lie in their grid; they submitted S1 (valid)
        // and S5 (rejected) → 1 valid, 1/2 accurate
        let one = |kind: &str, id: &str| format!("subject_kind={kind}&subject={id}&{MARCH}");
        let g = ok(indicators(&app, &viewer, &one("grid_worker", &s.gw_staff)).await).await;
        let g = &g["items"][0]["indicators"];
        assert_eq!(
            (g["received"].as_u64(), g["valid_reports"].as_u64()),
            (Some(5), Some(1))
        );
        assert_eq!(g["report_accuracy"].as_f64(), Some(0.5));
        // the officer holds S1 S2 S3; K1 is theirs
        let o = ok(indicators(&app, &viewer, &one("officer", &s.o1)).await).await;
        let o = &o["items"][0]["indicators"];
        assert_eq!(
            (o["received"].as_u64(), o["cases_decided"].as_u64()),
            (Some(3), Some(1))
        );
        // township and brigade: S1–S5; K1 and K2 filed, K1 decided
        for (kind, id) in [("township", A.to_string()), ("brigade", format!("{A}-DD"))] {
            let t = ok(indicators(&app, &viewer, &one(kind, &id)).await).await;
            let t = &t["items"][0]["indicators"];
            assert_eq!(
                (
                    t["received"].as_u64(),
                    t["cases_filed"].as_u64(),
                    t["handled"].as_u64()
                ),
                (Some(5), Some(2), Some(3)),
                "{kind}"
            );
        }
        // the county's market supervision bureau: S1 lies in its field
        let d = ok(indicators(&app, &viewer, &one("department", "411423-SJ")).await).await;
        let d = &d["items"][0]["indicators"];
        assert_eq!(
            (d["received"].as_u64(), d["satisfaction"].as_f64()),
            (Some(1), Some(1.0))
        );
    }

    pub async fn bad_input_names_the_field(db: &TestDb) {
        let app = spawn_demo(db).await;
        let s = app.session("dispatcher").await;
        for (query, field) in [
            ("subject_kind=village", "subject_kind"),
            ("from=2026-13-01", "from"),
            ("from=2026-03-10&to=2026-03-01", "to"),
            ("from=2024-01-01&to=2026-01-01", "to"),
            ("jurisdiction=999999999", "jurisdiction"),
        ] {
            let p = problem(indicators(&app, &s, query).await, 422).await;
            assert_eq!(p["field"], field, "{query}");
        }
        // defaults: the caller's township, this month, the township itself
        let v = ok(indicators(&app, &s, "").await).await;
        assert_eq!(
            (v["jurisdiction"].as_str(), v["subject_kind"].as_str()),
            (Some(A), Some("township"))
        );
        assert_eq!(v["items"][0]["subject"], A);
        let r = ok(app.get_as(&s, "/api/v1/assessment/rules").await).await;
        assert_eq!(
            (r["source"].as_str(), r["rules"]["base"].as_f64()),
            (Some("standard"), Some(100.0))
        );
    }

    pub async fn the_help_page_prints_the_definitions(db: &TestDb) {
        let app = spawn_app(db).await;
        let on_time = domain::assessment::Indicator::OnTimeRate.definition();
        let zh = app.get("/help/indicators").await;
        assert_eq!(zh.status(), 200);
        let zh = zh.text().await.unwrap();
        assert!(zh.contains("按期处置率") && zh.contains(on_time.zh), "{zh}");
        for en in [
            app.get_en("/help/indicators").await,
            app.get("/help/indicators?lang=en").await,
        ] {
            let en = en.text().await.unwrap();
            assert!(
                en.contains("On-time handling rate") && en.contains(on_time.en),
                "{en}"
            );
        }
    }
}

store::both_databases!(crate::cases =>
    every_indicator_equals_the_hand_computed_number,
    a_run_freezes_and_ranks,
    appeals_are_decided_by_another_leader_with_a_reason,
    bad_input_names_the_field,
    the_help_page_prints_the_definitions,
);
