//! Discovery, services and service definitions: valid against the fixture
//! schemas in JSON, and in the XML shape of the spec's examples.

use store::testing::TestDb;

use crate::client::*;
use crate::common::*;
use crate::schema::*;

pub async fn discovery_services_and_definitions_follow_the_spec_in_both_formats(db: &TestDb) {
    let app = spawn_demo(db).await;
    let docs = [
        "discovery",
        "services",
        "service_definition",
        "requests",
        "post_response",
        "tokens",
        "errors",
    ];
    for doc in docs {
        // the fixtures in the spec's shape satisfy their schemas
        check_xml(
            load(&format!("{doc}.xml")).as_str().unwrap(),
            &format!("{doc}.schema.json"),
        );
    }
    let shape = |doc: &str| paths(&parse_xml(load(&format!("{doc}.xml")).as_str().unwrap()));
    let d = get(&app, "discovery.json").await.ok().json();
    check_json(&d, "discovery.schema.json");
    assert!(
        d["endpoints"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/open311/v2")
    );
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    let x = get(&app, "discovery.xml").await.ok();
    assert_eq!(
        paths(&check_xml(x.xml(), "discovery.schema.json")),
        shape("discovery")
    );

    let s = get(&app, "services.json").await.ok().json();
    check_json(&s, "services.schema.json");
    let codes: Vec<&str> = s
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    for c in ["CG-CF-001", "TS-CG", "TS"] {
        assert!(codes.contains(&c), "{c} offered: {codes:?}");
    }
    // inspections and coercive measures are the authority's acts, not the public's to report
    assert!(
        !codes
            .iter()
            .any(|c| c.contains("-JC-") || c.contains("-QZ-")),
        "{codes:?}"
    );
    let x = get(&app, "services.xml").await.ok();
    let root = check_xml(x.xml(), "services.schema.json");
    assert_eq!(paths(&root), shape("services"));
    assert_eq!(root.children.len(), codes.len());
    let en = get_en(&app, "services.json").await.ok().json();
    let first = en
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "CG-CF-001")
        .unwrap();
    assert_eq!(first["group"], "Urban management");

    let def = get(&app, "services/CG-CF-001.json").await.ok().json();
    check_json(&def, "service_definition.schema.json");
    let attrs: Vec<&str> = def["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(attrs, ["occurred_at", "crs"]);
    let crs: Vec<&str> = def["attributes"][1]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert_eq!(crs, ["wgs84", "gcj02", "bd09"]);
    let x = get(&app, "services/TS-CG.xml").await.ok();
    let root = check_xml(x.xml(), "service_definition.schema.json");
    assert_eq!(text(&root, "service_code"), "TS-CG");
    assert_eq!(paths(&root), shape("service_definition"));
    error(&get(&app, "services/NO-SUCH.json").await, 404, false);
    error(&get(&app, "services/NO-SUCH.xml").await, 404, true);
}

store::both_databases!(crate::services =>
    discovery_services_and_definitions_follow_the_spec_in_both_formats,
);
