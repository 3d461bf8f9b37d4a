//! A run freezes every squad's indicators, score and rank: later reports
//! and rules do not change it; who may run one, and see it.

use serde_json::{Value, json};
use store::testing::TestDb;

use super::api::*;
use super::common::*;
use super::seed::{self, A, zd1_march};

pub async fn a_run_freezes_and_ranks(db: &TestDb) {
    let app = spawn_demo(db).await;
    let s = seed::march(db).await;
    let (zd1, zd2) = (s.zd1.1.as_str(), s.zd2.1.as_str());
    let leader = user(&app, "leader1", "brigade_leader").await;
    let gridworker = app.session("gridworker").await;
    let rules: Value = serde_json::from_str(RULES).unwrap();
    let p = problem(put_rules(&app, &gridworker, A, &rules).await, 403).await;
    assert_eq!(p["code"], "access.forbidden");
    let mut bad = rules.clone();
    bad["rules"][2]["reward_at"] = json!(90);
    let p = problem(put_rules(&app, &leader, A, &bad).await, 422).await;
    assert_eq!(p["field"], "rules[2].reward_at");
    assert_eq!(
        ok(put_rules(&app, &leader, A, &rules).await).await["source"],
        "own"
    );
    let p = problem(run(&app, &gridworker, A).await, 403).await;
    assert_eq!(p["code"], "access.forbidden");
    let p = problem(run(&app, &leader, "411423101").await, 403).await;
    assert_eq!(p["code"], "access.out_of_jurisdiction");
    let r = run(&app, &leader, A).await;
    assert_eq!(r.status(), 201);
    let frozen = ok(r).await;
    let id = frozen["id"].as_str().unwrap().to_string();
    // ZD2: 100 + closure 1.0 × 10 + 5 (on time 1.0 ≥ 0.9) = 115
    // ZD1: 100 + 0.6667 × 10 = 6.67 − 2 overdue × 5 − 5 (on time 0.5 <
    //      0.6) + 1 decided × 2 = 93.67
    // the others: no rate, no overdue, no case → 100, tied, by code
    let results = frozen["results"].as_array().unwrap();
    let n = results.len();
    assert!(n >= 3, "{frozen}");
    let place = |r: &Value| {
        (
            r["rank"].as_u64(),
            r["subject"].as_str().map(String::from),
            r["score"].as_f64(),
        )
    };
    assert_eq!(place(&results[0]), (Some(1), Some(zd2.into()), Some(115.0)));
    assert_eq!(
        place(&results[n - 1]),
        (Some(n as u64), Some(zd1.into()), Some(93.67))
    );
    for (k, r) in results[1..n - 1].iter().enumerate() {
        assert_eq!(
            (r["rank"].as_u64(), r["score"].as_f64()),
            (Some(2), Some(100.0)),
            "{r}"
        );
        assert_eq!(r["subject"], format!("{A}-ZD{}", k + 3));
    }
    assert_eq!(result(&frozen, zd1)["indicators"], zd1_march());

    // a later report and later rules do not change the frozen run
    seed::report(
        db,
        &s,
        "S7",
        (&s.zd1.0, Some(s.o1.as_str())),
        ("citizen", "public:late"),
        "closed",
        "2026-03-07T00:00:00.000000Z",
        None,
        &[],
    )
    .await;
    let mut looser = rules.clone();
    looser["base"] = json!(50);
    ok(put_rules(&app, &leader, A, &looser).await).await;
    let viewer = app.session("officer").await;
    let again = ok(app
        .get_as(&viewer, &format!("/api/v1/assessment/runs/{id}"))
        .await)
    .await;
    assert_eq!(result(&again, zd1)["indicators"], zd1_march());
    assert_eq!(
        (
            result(&again, zd1)["score"].as_f64(),
            again["rules"]["base"].as_f64()
        ),
        (Some(93.67), Some(100.0))
    );
    let now = ok(indicators(
        &app,
        &viewer,
        &format!("subject_kind=squad&subject={zd1}&{MARCH}"),
    )
    .await)
    .await;
    assert_eq!(now["items"][0]["indicators"]["received"], 4);

    // another township's people see neither the run nor A's subjects
    let other = app.session("officer3").await;
    let p = problem(
        app.get_as(&other, &format!("/api/v1/assessment/runs/{id}"))
            .await,
        403,
    )
    .await;
    assert_eq!(p["code"], "access.out_of_jurisdiction");
    let p = problem(
        indicators(&app, &other, &format!("subject_kind=squad&subject={zd1}")).await,
        403,
    )
    .await;
    assert_eq!(p["code"], "access.out_of_jurisdiction");
    // the list: A's run for A's people, nothing for another township's
    let listed = ok(app.get_as(&viewer, "/api/v1/assessment/runs").await).await;
    assert_eq!(listed["total"], 1, "{listed}");
    let first = &listed["items"][0];
    assert_eq!(
        (first["id"].as_str(), first["subjects"].as_u64()),
        (Some(id.as_str()), Some(n as u64))
    );
    assert_eq!(first["open_appeals"], 0);
    let theirs = ok(app.get_as(&other, "/api/v1/assessment/runs").await).await;
    assert_eq!(theirs["total"], 0, "{theirs}");
    let p = problem(
        app.get_as(&viewer, "/api/v1/assessment/runs?per_page=0")
            .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "per_page");
    // the pages: the run in the list, its ranking best first
    let list_page = app
        .get_as(&viewer, "/assessment")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list_page.contains(&format!("/assessment/{id}")),
        "{list_page}"
    );
    let page = app
        .get_as(&viewer, &format!("/assessment/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let (at2, at1) = (
        page.find(&format!("data-subject=\"{zd2}\"")),
        page.find(&format!("data-subject=\"{zd1}\"")),
    );
    assert!(at2.is_some() && at1 > at2, "ZD2 ranks above ZD1: {page}");
    assert!(page.contains("93.67") && page.contains("115"), "{page}");
    let r = app.get_as(&other, &format!("/assessment/{id}")).await;
    assert_eq!(r.status(), 403);

    for (action, at_least) in [("assessment.rules", 2), ("assessment.run", 1)] {
        let v = ok(app
            .get_as(&leader, &format!("/api/v1/audit?action={action}"))
            .await)
        .await;
        assert!(v["total"].as_u64().unwrap() >= at_least, "{action}: {v}");
    }
}
