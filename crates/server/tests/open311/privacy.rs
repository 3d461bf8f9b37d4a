//! No public Open311 answer carries a telephone or ID number, a staff
//! member's name or an internal identifier.

use serde_json::json;
use store::testing::TestDb;

use crate::client::*;
use crate::common::*;
use crate::kit::*;

pub async fn no_public_answer_carries_a_phone_id_number_or_staff_name(db: &TestDb) {
    let app = spawn_demo(db).await;
    let (lat, long) = point(&app, A).await;
    let text = "门口垃圾堆放，联系我13812345678或tel13987654321，身份证41142319900101123X";
    let token = file(
        &app,
        &[
            ("service_code", "TS-CG"),
            ("lat", &lat),
            ("long", &long),
            ("description", text),
            ("phone", "13700001111"),
        ],
    )
    .await;
    let xml_post = post(
        &app,
        "requests.xml",
        &[
            ("service_code", "TS"),
            ("lat", &lat),
            ("long", &long),
            ("description", text),
        ],
        &[],
    )
    .await
    .ok();
    let id = id_of(&app, &token).await;
    let report = in_queue(&app, "门口垃圾堆放").await;
    assert!(
        report["description"]
            .as_str()
            .unwrap()
            .contains("13812345678"),
        "staff see it whole"
    );
    step(
        &app,
        &app.session("dispatcher").await,
        report["id"].as_str().unwrap(),
        json!({"action": "dispatch"}),
    )
    .await;
    let staff = ok(app
        .get_as(
            &app.session("dispatcher").await,
            &format!("/api/v1/reports/{}", report["id"].as_str().unwrap()),
        )
        .await)
    .await;
    let names: Vec<String> = ["officer", "grid_worker"]
        .iter()
        .filter_map(|k| staff[*k].as_str().map(str::to_string))
        .collect();
    assert!(!names.is_empty());
    let mut bodies = vec![xml_post.body];
    for path in [
        "discovery.json",
        "discovery.xml",
        "services.json",
        "services.xml",
        "services/TS-CG.json",
        "services/TS-CG.xml",
        "requests.json",
        "requests.xml",
        "requests.json?status=open",
        &format!("requests/{id}.json"),
        &format!("requests/{id}.xml"),
        &format!("tokens/{token}.json"),
        &format!("tokens/{token}.xml"),
        "requests/311NOSUCH.json",
    ] {
        bodies.push(get(&app, path).await.body);
        bodies.push(get_en(&app, path).await.body);
    }
    let listed = get(&app, &format!("requests/{id}.json")).await.ok().json();
    assert!(
        listed[0]["description"]
            .as_str()
            .unwrap()
            .contains("门口垃圾堆放"),
        "{listed}"
    );
    for b in &bodies {
        assert!(
            personal_numbers(b).is_empty(),
            "{:?} in {b}",
            personal_numbers(b)
        );
        assert!(
            !b.contains(report["id"].as_str().unwrap()),
            "no internal id: {b}"
        );
        for n in &names {
            assert!(!b.contains(n.as_str()), "{n} in {b}");
        }
    }
    assert!(
        personal_numbers(text).len() >= 3,
        "the scan finds them where they are"
    );
}

store::both_databases!(crate::privacy =>
    no_public_answer_carries_a_phone_id_number_or_staff_name,
);
