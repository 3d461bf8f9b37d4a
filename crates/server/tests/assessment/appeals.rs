//! Appeals against a frozen result: filed with a reason, decided once with
//! a reason by a leader who is not the appellant.

use serde_json::json;
use store::testing::TestDb;

use super::api::*;
use super::common::*;
use super::seed::{self, A};

pub async fn appeals_are_decided_by_another_leader_with_a_reason(db: &TestDb) {
    let app = spawn_demo(db).await;
    let s = seed::march(db).await;
    let (zd1, zd2) = (s.zd1.1.as_str(), s.zd2.1.as_str());
    let leader = user(&app, "leader1", "brigade_leader").await;
    ok(put_rules(&app, &leader, A, &serde_json::from_str(RULES).unwrap()).await).await;
    let frozen = ok(run(&app, &leader, A).await).await;
    let id = frozen["id"].as_str().unwrap();
    let officer = app.session("officer").await;
    let p = problem(appeal(&app, &officer, id, zd1, " ").await, 422).await;
    assert_eq!(
        (p["code"].as_str(), p["field"].as_str()),
        (Some("assessment.reason_required"), Some("reason"))
    );
    let p = problem(
        appeal(&app, &officer, id, "no-such-squad", "理由").await,
        422,
    )
    .await;
    assert_eq!(p["field"], "subject");
    let r = appeal(&app, &officer, id, zd1, "S3 超期系停电所致").await;
    assert_eq!(r.status(), 201);
    let a1 = ok(r).await;
    assert_eq!(a1["status"], "filed");
    // an officer may not decide; a leader must give a reason
    let p = problem(
        resolve(
            &app,
            &officer,
            &a1,
            json!({"accepted": true, "reason": "x"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["code"], "access.forbidden");
    let p = problem(
        resolve(&app, &leader, &a1, json!({"accepted": true})).await,
        422,
    )
    .await;
    assert_eq!(
        (p["code"].as_str(), p["field"].as_str()),
        (Some("assessment.reason_required"), Some("reason"))
    );
    let p = problem(
        resolve(
            &app,
            &leader,
            &a1,
            json!({"accepted": false, "reason": "不成立", "adjusted_score": 99}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "adjusted_score");
    let body = json!({"accepted": true, "reason": "核实属实", "adjusted_score": 100.5});
    let decided = ok(resolve(&app, &leader, &a1, body).await).await;
    // ZD1 at 100.5: second behind ZD2's 115, ahead of the 100s; its
    // computed score stays as frozen
    let z1 = result(&decided, zd1);
    assert_eq!(
        (
            z1["rank"].as_u64(),
            z1["final_score"].as_f64(),
            z1["score"].as_f64()
        ),
        (Some(2), Some(100.5), Some(93.67))
    );
    assert_eq!(result(&decided, &format!("{A}-ZD3"))["rank"], 3);
    assert_eq!(
        (
            decided["appeals"][0]["status"].as_str(),
            decided["appeals"][0]["resolution"].as_str()
        ),
        (Some("accepted"), Some("核实属实"))
    );
    let p = problem(
        resolve(
            &app,
            &leader,
            &a1,
            json!({"accepted": false, "reason": "再议"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "assessment.appeal_decided");
    // the leader who appealed may not decide their appeal; another may
    let a2 = ok(appeal(&app, &leader, id, zd2, "加分项有误").await).await;
    let p = problem(
        resolve(
            &app,
            &leader,
            &a2,
            json!({"accepted": false, "reason": "不成立"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["code"], "assessment.own_appeal");
    let supervisor = app.session("supervisor").await;
    let done = ok(resolve(
        &app,
        &supervisor,
        &a2,
        json!({"accepted": false, "reason": "加分依据属实"}),
    )
    .await)
    .await;
    assert_eq!(done["appeals"][1]["status"], "rejected");
    assert_eq!(result(&done, zd2)["final_score"], 115.0);
    for (action, at_least) in [("assessment.appeal", 2), ("assessment.appeal_decision", 2)] {
        let v = ok(app
            .get_as(&leader, &format!("/api/v1/audit?action={action}"))
            .await)
        .await;
        assert!(v["total"].as_u64().unwrap() >= at_least, "{action}: {v}");
    }
}
