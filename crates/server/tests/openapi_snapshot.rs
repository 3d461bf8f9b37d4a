//! The OpenAPI document is generated from the routes; this snapshot keeps it
//! from changing by accident. After a deliberate change: `cargo insta review`
//! (or INSTA_UPDATE=always) and commit the new snapshot.

#[test]
fn openapi_document_matches_snapshot() {
    let doc = server::routes::openapi();
    let json: serde_json::Value = serde_json::to_value(&doc).unwrap();
    insta::assert_json_snapshot!("openapi", json);
}

#[test]
fn every_route_documents_its_errors_as_problems() {
    let doc = serde_json::to_value(server::routes::openapi()).unwrap();
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["responses"]["200"].is_object(),
                "{method} {path} documents success"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has a tag"
            );
        }
    }
}
