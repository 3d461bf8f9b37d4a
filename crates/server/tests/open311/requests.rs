//! Requests filed anonymously and with a partner's api_key, into the one
//! intake, and followed by token and service_request_id until closed.

use reqwest::Method;
use serde_json::{Value, json};
use store::testing::TestDb;

use crate::client::*;
use crate::common::*;
use crate::kit::*;
use crate::schema::*;

pub async fn an_anonymous_request_is_followed_by_token_and_id_until_closed(db: &TestDb) {
    let app = spawn_demo(db).await;
    let (lat, long) = point(&app, A).await;
    let form = [
        ("service_code", "CG-CF-001"),
        ("lat", &lat),
        ("long", &long),
        ("description", "路口有人占道摆摊卖水果，影响通行"),
        ("first_name", "张"),
        ("phone", "13812345678"),
        ("email", "someone@example.com"),
        ("device_id", "dev-1"),
    ];
    let p = post(&app, "requests.xml", &form, &[]).await.ok();
    let root = check_xml(p.xml(), "post_response.schema.json");
    let token = text(&root.children[0], "token");
    assert!(!p.body.contains("service_request_id"), "a token, not both");
    let id = id_of(&app, &token).await;
    assert_ne!(id, token);
    check_xml(
        get(&app, &format!("tokens/{token}.xml")).await.ok().xml(),
        "tokens.schema.json",
    );

    let r = get(&app, &format!("requests/{id}.json")).await.ok().json();
    check_json(&r, "requests.schema.json");
    assert_eq!(
        (r[0]["service_request_id"].as_str(), r[0]["status"].as_str()),
        (Some(id.as_str()), Some("open"))
    );
    assert_eq!(r[0]["status_notes"], "已受理，等待派遣");
    assert_eq!(r[0]["service_code"], "CG-CF-001");
    assert!(
        r[0]["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    assert!((r[0]["lat"].as_f64().unwrap() - lat.parse::<f64>().unwrap()).abs() < 1e-5);
    let x = get(&app, &format!("requests/{id}.xml")).await.ok();
    let root = check_xml(x.xml(), "requests.schema.json");
    assert_eq!(
        paths(&root),
        paths(&parse_xml(load("requests.xml").as_str().unwrap()))
    );

    // in the command centre's queue like any report, as channel open311
    let report = in_queue(&app, "占道摆摊卖水果").await;
    assert_eq!(
        (report["channel"].as_str(), report["item_code"].as_str()),
        (Some("open311"), Some("CG-CF-001"))
    );
    let staff_view = ok(app
        .get_as(
            &app.session("dispatcher").await,
            &format!("/api/v1/reports/{}", report["id"].as_str().unwrap()),
        )
        .await)
    .await;
    let kept = staff_view.to_string();
    assert!(
        !kept.contains("13812345678") && !kept.contains("example.com") && !kept.contains("dev-1"),
        "contact details are not kept"
    );
    // the token is the tracking code of the public status page too
    let t = ok(app.get(&format!("/api/v1/public/complaints/{token}")).await).await;
    assert_eq!(t["status"], "received");

    // the command centre works it to the end
    let rid = report["id"].as_str().unwrap();
    let (dispatcher, officer, gridworker) = (
        app.session("dispatcher").await,
        app.session("officer").await,
        app.session("gridworker").await,
    );
    step(&app, &dispatcher, rid, json!({"action": "dispatch"})).await;
    assert_eq!(
        get(&app, &format!("requests/{id}.json")).await.ok().json()[0]["status"],
        "open"
    );
    step(&app, &officer, rid, json!({"action": "accept"})).await;
    step(&app, &officer, rid, json!({"action": "start"})).await;
    step(
        &app,
        &officer,
        rid,
        json!({"action": "report_back", "note": "已劝离"}),
    )
    .await;
    step(
        &app,
        &gridworker,
        rid,
        json!({"action": "verify", "passed": true, "note": "已恢复"}),
    )
    .await;
    step(&app, &dispatcher, rid, json!({"action": "close"})).await;
    let r = get(&app, &format!("requests/{id}.json")).await.ok().json();
    check_json(&r, "requests.schema.json");
    assert_eq!(
        (r[0]["status"].as_str(), r[0]["status_notes"].as_str()),
        (Some("closed"), Some("已结案"))
    );
    assert!(r[0]["service_notice"].is_null());
    assert_eq!(
        get_en(&app, &format!("requests/{id}.json"))
            .await
            .ok()
            .json()[0]["status_notes"],
        "Closed"
    );

    // the list, with the spec's filters
    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().to_string())
            .collect()
    };
    let closed = get(&app, "requests.json?status=closed").await.ok().json();
    check_json(&closed, "requests.schema.json");
    assert_eq!(ids(closed), [id.as_str()]);
    assert!(ids(get(&app, "requests.json?status=open").await.ok().json()).is_empty());
    assert!(
        ids(get(&app, "requests.json?service_code=TS,TS-CG")
            .await
            .ok()
            .json())
        .is_empty()
    );
    assert_eq!(
        ids(get(
            &app,
            &format!("requests.json?service_request_id={id},311NOSUCH&status=open")
        )
        .await
        .ok()
        .json()),
        [id.as_str()]
    );
    assert!(
        ids(get(
            &app,
            "requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z"
        )
        .await
        .ok()
        .json())
        .is_empty()
    );
    let x = get(&app, "requests.xml?service_code=CG-CF-001").await.ok();
    assert_eq!(check_xml(x.xml(), "requests.schema.json").children.len(), 1);
}

pub async fn a_partner_files_with_its_api_key_and_a_wrong_key_is_refused(db: &TestDb) {
    let key = store::audit::load_or_create_key(db.dir.path(), None).unwrap();
    demo::seed(&db.store, &key).await.unwrap();
    let mut settings = test_settings(db);
    settings.public_complaints_per_hour = 0;
    let app = spawn_with(settings, db.store.clone()).await;
    let (lat, long) = point(&app, A).await;
    let admin = app.session("admin").await;
    let t = ok(app.send_as(&admin, Method::POST, "/api/v1/integration-tokens",
        Some(json!({"name": "市民随手拍", "kind": "agency", "jurisdiction": A, "permissions": ["submit_report"]}))).await).await;
    let api_key = t["token"].as_str().unwrap().to_string();
    let here = (lat.as_str(), long.as_str());
    // public complaints closed: without a key, 403
    error(
        &by_partner(&app, "", here, "requests.json", None).await,
        403,
        false,
    );
    let a = by_partner(&app, &api_key, here, "requests.json", Some("p-1"))
        .await
        .ok()
        .json();
    check_json(&a, "post_response.schema.json");
    let token = a[0]["token"].as_str().unwrap().to_string();
    let again = by_partner(&app, &api_key, here, "requests.json", Some("p-1"))
        .await
        .ok()
        .json();
    assert_eq!(
        again[0]["token"],
        token.as_str(),
        "a retry is the same request"
    );
    let id = id_of(&app, &token).await;
    let r = get(&app, &format!("requests/{id}.json")).await.ok().json();
    assert_eq!(
        (r[0]["service_code"].as_str(), r[0]["status"].as_str()),
        (Some("TS"), Some("open"))
    );
    assert_eq!(in_queue(&app, "倾倒建筑垃圾").await["channel"], "open311");
    // a place outside the partner's jurisdiction
    let (lat_b, long_b) = point(&app, B).await;
    error(
        &by_partner(&app, &api_key, (&lat_b, &long_b), "requests.xml", None).await,
        403,
        true,
    );
    // keys that are not a partner's
    let zeros = format!("ywi_{}", "0".repeat(64));
    error(
        &by_partner(&app, &zeros, here, "requests.xml", None).await,
        403,
        true,
    );
    error(
        &by_partner(&app, "not-a-key", here, "requests.json", None).await,
        403,
        false,
    );
    let revoke = app
        .send_as(
            &admin,
            Method::DELETE,
            &format!("/api/v1/integration-tokens/{}", t["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(revoke.status(), 204);
    error(
        &by_partner(&app, &api_key, here, "requests.json", None).await,
        403,
        false,
    );
}

store::both_databases!(crate::requests =>
    an_anonymous_request_is_followed_by_token_and_id_until_closed,
    a_partner_files_with_its_api_key_and_a_wrong_key_is_refused,
);
