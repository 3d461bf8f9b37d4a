//! The power list through the API, on SQLite and PostgreSQL.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    async fn get_json(app: &TestApp, path: &str) -> Value {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        r.json().await.unwrap()
    }

    /// The top result's name for a query.
    async fn top(app: &TestApp, q: &str) -> (String, u64) {
        let v = get_json(app, &format!("/api/v1/power-items?q={q}&per_page=5")).await;
        (
            v["items"][0]["name"].as_str().unwrap_or("").to_string(),
            v["total"].as_u64().unwrap(),
        )
    }

    pub async fn chinese_search_finds_the_right_items_first(db: &TestDb) {
        let app = spawn_demo(db).await;
        let (name, _) = top(&app, "占道经营").await;
        assert!(
            name.contains("占") && name.contains("道"),
            "占道经营 → {name}"
        );
        let (name, n) = top(&app, "秸秆").await;
        assert!(name.contains("秸秆"), "秸秆 → {name}");
        assert!(n >= 1);
        let (name, _) = top(&app, "噪声").await;
        assert!(name.contains("噪声"), "噪声 → {name}");
        // the colloquial word finds the legal one
        let (name, _) = top(&app, "噪音").await;
        assert!(
            name.contains("噪声") || name.contains("噪音"),
            "噪音 → {name}"
        );
        // matches are highlighted, results are ranked
        let v = get_json(&app, "/api/v1/power-items?q=秸秆").await;
        assert!(
            v["items"][0]["name_html"]
                .as_str()
                .unwrap()
                .contains("<mark>秸秆</mark>")
        );
        let scores: Vec<f64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["score"].as_f64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        // nothing found is an empty page, not an error
        let v = get_json(&app, "/api/v1/power-items?q=宇宙飞船").await;
        assert_eq!(v["total"], 0);
    }

    pub async fn the_list_is_public_paginated_and_filtered(db: &TestDb) {
        let app = spawn_demo(db).await;
        let all = get_json(&app, "/api/v1/power-items?per_page=10").await;
        assert!(all["total"].as_u64().unwrap() >= 150, "at least 150 items");
        assert_eq!(all["items"].as_array().unwrap().len(), 10);
        let urban = get_json(&app, "/api/v1/power-items?field=城市管理&per_page=500").await;
        assert!(
            urban["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["field"] == "城市管理")
        );
        let town = get_json(&app, "/api/v1/power-items?township=411423100&per_page=500").await;
        assert!(
            town["total"].as_u64().unwrap() < all["total"].as_u64().unwrap(),
            "a township holds part of the list"
        );
        let body = problem(app.get("/api/v1/power-items?field=天文").await, 422).await;
        assert_eq!(body["field"], "field");
        let body = problem(app.get("/api/v1/power-items?township=999999999").await, 422).await;
        assert_eq!(body["field"], "township");
    }

    pub async fn apl_art24_an_item_the_township_does_not_hold_is_refused(db: &TestDb) {
        let app = spawn_demo(db).await;
        let cmp = get_json(
            &app,
            "/api/v1/devolutions/compare?townships=411423100,411423101",
        )
        .await;
        assert!(
            cmp["differing"].as_u64().unwrap() > 0,
            "the townships' lists differ"
        );
        let rows = cmp["rows"].as_array().unwrap();
        let not_a = rows
            .iter()
            .find(|r| r["held"][0] == false && r["held"][1] == true)
            .expect("an item only B holds");
        let code = not_a["code"].as_str().unwrap();
        let body = problem(
            app.get(&format!("/api/v1/townships/411423100/power-items/{code}"))
                .await,
            403,
        )
        .await;
        assert_eq!(body["code"], "powerlist.not_devolved");
        assert!(body["message_zh"].as_str().unwrap().contains("第二十四条"));
        let ok = get_json(
            &app,
            &format!("/api/v1/townships/411423101/power-items/{code}"),
        )
        .await;
        assert_eq!(ok["held"], true);
        assert_eq!(ok["decision_no"], demo::DEMO_DECISION);
    }

    fn amended_item(code: &str) -> Value {
        json!({
            "code": code, "name": "对测试条例规定的违法行为的处罚", "kind": "行政处罚", "field": "城市管理",
            "legal_basis": [
                {"law": "《测试条例》", "level": "地方性法规", "article": "第十条", "text": "处五千元以下罚款。",
                 "effective": "2015-01-01", "repealed": "2024-01-01", "max_fine_yuan": 5000},
                {"law": "《测试条例》", "level": "地方性法规", "article": "第十条", "text": "处一千元以下罚款。",
                 "effective": "2024-01-01", "max_fine_yuan": 1000}
            ],
            "discretion": [{"circumstance": "一般", "fine_min_yuan": 100, "fine_max_yuan": 1000, "suggested": "罚款"}],
            "lead_department": "宁陵县城市管理局"
        })
    }

    pub async fn apl_art37_the_old_basis_applies_and_the_lighter_new_one_is_offered(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("countyadmin").await;
        let r = app
            .send_as(
                &admin,
                Method::POST,
                "/api/v1/power-items",
                Some(json!({"item": amended_item("T-37"), "reason": "测试"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        let v = get_json(&app, "/api/v1/power-items/T-37/basis?act_date=2023-06-01").await;
        assert_eq!(v["at_act"].as_array().unwrap().len(), 1);
        assert_eq!(
            v["at_act"][0]["text"], "处五千元以下罚款。",
            "the basis in force at the act"
        );
        assert_eq!(
            v["lighter_now"][0]["text"], "处一千元以下罚款。",
            "the lighter new one is offered"
        );
        let v = get_json(&app, "/api/v1/power-items/T-37/basis?act_date=2024-03-01").await;
        assert_eq!(v["at_act"][0]["text"], "处一千元以下罚款。");
        assert!(v["lighter_now"].as_array().unwrap().is_empty());
        assert_eq!(
            problem(
                app.get("/api/v1/power-items/T-37/basis?act_date=2099-01-01")
                    .await,
                422
            )
            .await["field"],
            "act_date"
        );
    }

    pub async fn every_edit_is_a_new_version_with_author_and_reason(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("countyadmin").await;
        app.send_as(
            &admin,
            Method::POST,
            "/api/v1/power-items",
            Some(json!({"item": amended_item("T-V"), "reason": "新增"})),
        )
        .await;
        let mut item = amended_item("T-V");
        item["supervision"] = json!("县司法局监督");
        let r = app
            .send_as(
                &admin,
                Method::PUT,
                "/api/v1/power-items/T-V",
                Some(json!({"item": item.clone(), "reason": "补充监督方式"})),
            )
            .await;
        assert_eq!(r.status(), 200);
        let r = app
            .send_as(
                &admin,
                Method::PUT,
                "/api/v1/power-items/T-V",
                Some(json!({"item": item.clone(), "reason": ""})),
            )
            .await;
        assert_eq!(problem(r, 422).await["field"], "reason");
        let versions = get_json(&app, "/api/v1/power-items/T-V/versions").await;
        assert_eq!(versions.as_array().unwrap().len(), 2);
        assert_eq!(versions[0]["version"], 2);
        assert_eq!(versions[0]["author"], "countyadmin");
        assert_eq!(versions[0]["reason"], "补充监督方式");
        let diff = get_json(&app, "/api/v1/power-items/T-V/diff?from=1&to=2").await;
        assert_eq!(diff.as_array().unwrap().len(), 1);
        assert_eq!(diff[0]["field"], "supervision");
        assert_eq!(diff[0]["after"], "县司法局监督");
        // a township admin may not edit the county's list
        let town_admin = app.session("admin").await;
        let r = app
            .send_as(
                &town_admin,
                Method::PUT,
                "/api/v1/power-items/T-V",
                Some(json!({"item": item, "reason": "x"})),
            )
            .await;
        assert_eq!(problem(r, 403).await["code"], "powerlist.county_only");
        let bad = json!({"item": {"code": "T-X", "name": "x", "kind": "行政处罚", "field": "城市管理", "legal_basis": [], "lead_department": "x"}, "reason": "r"});
        let r = app
            .send_as(&admin, Method::POST, "/api/v1/power-items", Some(bad))
            .await;
        assert_eq!(problem(r, 422).await["field"], "item.legal_basis");
    }

    pub async fn duty_requests_are_checked_against_the_list_and_recorded(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("countyadmin").await;
        let cmp = get_json(&app, "/api/v1/devolutions/compare?townships=411423100").await;
        let rows = cmp["rows"].as_array().unwrap();
        let held = rows.iter().find(|r| r["held"][0] == true).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string();
        let not_held = rows.iter().find(|r| r["held"][0] == false).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string();
        let ask = |code: Option<&str>| json!({"township": "411423100", "department": "宁陵县市场监督管理局", "task": "请乡镇承担日常检查", "item_code": code});
        let outcome = |v: Value| v["outcome"].as_str().unwrap().to_string();
        let r = app
            .send_as(
                &admin,
                Method::POST,
                "/api/v1/duty-requests",
                Some(ask(Some(&held))),
            )
            .await;
        assert_eq!(outcome(r.json().await.unwrap()), "accepted");
        let r = app
            .send_as(
                &admin,
                Method::POST,
                "/api/v1/duty-requests",
                Some(ask(Some(&not_held))),
            )
            .await;
        assert_eq!(outcome(r.json().await.unwrap()), "needs_approval");
        let r = app
            .send_as(
                &admin,
                Method::POST,
                "/api/v1/duty-requests",
                Some(ask(Some("NOT-ON-LIST"))),
            )
            .await;
        let v: Value = r.json().await.unwrap();
        assert_eq!(outcome(v.clone()), "refused");
        assert!(v["reason_zh"].as_str().unwrap().contains("不在权责清单内"));
        let log: Value = app
            .get_as(&admin, "/api/v1/duty-requests")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            log.as_array().unwrap().len(),
            3,
            "every request is recorded"
        );
    }

    pub async fn export_reimports_cleanly(db: &TestDb) {
        let app = spawn_demo(db).await;
        let csv = app.get("/api/v1/power-items/export?format=csv").await;
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let bytes = csv.bytes().await.unwrap();
        let admin = app.session("countyadmin").await;
        let r = app
            .client
            .post(app.url("/api/v1/power-items/import?dry_run=true"))
            .bearer_auth(&admin.token)
            .header("content-type", "text/csv")
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{v}");
        let total = get_json(&app, "/api/v1/power-items?per_page=1").await["total"]
            .as_u64()
            .unwrap();
        assert_eq!(v["items"].as_u64().unwrap(), total);
        assert_eq!(v["imported"], 0, "a dry run imports nothing");
        let xlsx = app
            .get("/api/v1/power-items/export?format=xlsx&township=411423101")
            .await;
        assert_eq!(xlsx.status(), 200);
        assert!(
            xlsx.bytes().await.unwrap().starts_with(b"PK"),
            "an xlsx is a zip"
        );
        assert_eq!(
            problem(app.get("/api/v1/power-items/export?format=pdf").await, 422).await["field"],
            "format"
        );
    }

    pub async fn public_pages_show_items_with_flowcharts(db: &TestDb) {
        let app = spawn_demo(db).await;
        let html = app.get("/power-list?q=秸秆").await.text().await.unwrap();
        assert!(html.contains("<mark>秸秆</mark>"), "highlighted results");
        let first = get_json(&app, "/api/v1/power-items?q=秸秆").await["items"][0]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let page = app.get(&format!("/power-list/{first}")).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("/api/v1/power-items/{first}/flowchart.svg")));
        assert!(html.contains("法律依据") && html.contains("追责情形"));
        let svg = app
            .get(&format!("/api/v1/power-items/{first}/flowchart.svg"))
            .await;
        assert!(
            svg.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("image/svg+xml")
        );
        assert!(svg.text().await.unwrap().contains("class=\"step\""));
        let html = app
            .get("/power-list/compare?a=411423100&b=411423101")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("id=\"differing\""));
        assert_eq!(app.get("/power-list/NOPE").await.status(), 404);
    }
}

store::both_databases!(crate::cases =>
    chinese_search_finds_the_right_items_first,
    the_list_is_public_paginated_and_filtered,
    apl_art24_an_item_the_township_does_not_hold_is_refused,
    apl_art37_the_old_basis_applies_and_the_lighter_new_one_is_offered,
    every_edit_is_a_new_version_with_author_and_reason,
    duty_requests_are_checked_against_the_list_and_recorded,
    export_reimports_cleanly,
    public_pages_show_items_with_flowcharts,
);
