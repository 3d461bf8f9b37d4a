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
    let public = [
        "/healthz",
        "/readyz",
        "/api/v1/version",
        "/api/v1/jurisdictions",
        "/api/v1/overview",
    ];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{method} {path} documents success"
            );
            let open = method == "get" && public.contains(&path.as_str());
            if !open && path != "/api/v1/login" {
                assert!(
                    responses.keys().any(|k| k.starts_with('4')),
                    "{method} {path} documents its refusals"
                );
            }
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is a problem document"
                    );
                }
            }
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has a tag"
            );
        }
    }
}
