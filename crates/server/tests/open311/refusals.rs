//! Bad requests: the spec's error list in the format asked for, with 400,
//! 403 or 404, and nothing stored.

use serde_json::json;
use store::testing::TestDb;

use crate::client::*;
use crate::common::*;
use crate::kit::*;

pub async fn bad_requests_get_the_spec_error_list_and_store_nothing(db: &TestDb) {
    let app = spawn_demo(db).await;
    let (lat, long) = point(&app, A).await;
    let supervisor = app.session("supervisor").await;
    let count = || async {
        ok(app.get_as(&supervisor, "/api/v1/reports?per_page=1").await).await["total"]
            .as_u64()
            .unwrap()
    };
    let before = count().await;
    let (la, lo) = (lat.as_str(), long.as_str());
    for xml in [false, true] {
        let path = if xml { "requests.xml" } else { "requests.json" };
        let d = error(
            &post(
                &app,
                path,
                &[("lat", la), ("long", lo), ("description", "x")],
                &[],
            )
            .await,
            400,
            xml,
        );
        assert!(d.contains("service_code"), "{d}");
        error(
            &post(
                &app,
                path,
                &[("service_code", "TS"), ("description", "x")],
                &[],
            )
            .await,
            400,
            xml,
        );
        error(
            &post(
                &app,
                path,
                &[("service_code", "NO-SUCH"), ("lat", la), ("long", lo)],
                &[],
            )
            .await,
            404,
            xml,
        );
    }
    let d = error(
        &post(
            &app,
            "requests.json",
            &[("service_code", "TS"), ("address_string", "建设路12号")],
            &[],
        )
        .await,
        400,
        false,
    );
    assert!(d.contains("lat"), "{d}");
    error(
        &post(
            &app,
            "requests.json",
            &[("service_code", "TS"), ("lat", la)],
            &[],
        )
        .await,
        400,
        false,
    );
    error(
        &post(
            &app,
            "requests.json",
            &[
                ("service_code", "TS"),
                ("lat", la),
                ("long", lo),
                ("attribute[crs]", "mars"),
            ],
            &[],
        )
        .await,
        400,
        false,
    );
    error(
        &post(
            &app,
            "requests.json",
            &[("service_code", "TS"), ("lat", "31.23"), ("long", "121.47")],
            &[],
        )
        .await,
        400,
        false,
    );
    let as_json =
        json!({"service_code": "TS", "lat": la, "long": lo, "description": "x"}).to_string();
    error(
        &post_body(&app, "requests.json", "application/json", &as_json).await,
        400,
        false,
    );
    assert_eq!(count().await, before, "nothing stored");

    error(&get(&app, "requests/311NOSUCH.json").await, 404, false);
    error(&get(&app, "requests/311NOSUCH.xml").await, 404, true);
    error(&get(&app, "tokens/YWNOSUCHCODE.xml").await, 404, true);
    assert!(
        error(&get_en(&app, "tokens/YWNOSUCHCODE.json").await, 404, false).contains("not found")
    );
    error(&get(&app, "requests.json?status=pending").await, 400, false);
    error(
        &get(&app, "requests.xml?start_date=yesterday").await,
        400,
        true,
    );
    error(
        &get(
            &app,
            "requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        )
        .await,
        400,
        false,
    );
    error(&get(&app, "no-such-thing.json").await, 404, false);
    error(&get(&app, "services.yaml").await, 404, true);
    let del = app
        .client
        .delete(app.url("/open311/v2/requests.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 405);
}

store::both_databases!(crate::refusals =>
    bad_requests_get_the_spec_error_list_and_store_nothing,
);
