//! Grids and geography through the API, on SQLite and PostgreSQL: locate,
//! GeoJSON export, import with validation, and reassignment with history.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;
    use yiwang_geo::{Crs, LonLat};

    const A: &str = "411423100";
    const B: &str = "411423101";

    async fn json_of(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    pub async fn locate_answers_township_village_grid_squad_officer_and_grid_worker(db: &TestDb) {
        let app = spawn_demo(db).await;
        let officer = app.session("officer").await;
        let fc = json_of(
            app.get_as(
                &officer,
                &format!("/api/v1/grids?format=geojson&township={A}"),
            )
            .await,
        )
        .await;
        assert_eq!(fc["type"], "FeatureCollection");
        let features = fc["features"].as_array().unwrap();
        assert!(
            features.len() >= 3,
            "township A's grids: {}",
            features.len()
        );
        for f in features.iter().take(8) {
            let (lon, lat) = inside(f);
            let v = json_of(
                app.get_as(&officer, &format!("/api/v1/locate?lon={lon}&lat={lat}"))
                    .await,
            )
            .await;
            let p = &f["properties"];
            assert_eq!(v["grid"]["code"], p["code"]);
            assert_eq!(v["township"]["code"], A);
            assert_eq!(v["village"]["code"], p["village"]);
            assert_eq!(v["squad"]["name"], p["squad"]["name"]);
            assert_eq!(v["officer"]["name"], p["officer"]["name"]);
            assert!(v["officer"]["name"].as_str().is_some_and(|s| !s.is_empty()));
            assert!(
                v["grid_worker"]["name"]
                    .as_str()
                    .is_some_and(|s| !s.is_empty())
            );
            assert_eq!(v["snapped"], false);
            // the same place as a Gaode (GCJ-02) or Baidu (BD-09) phone reports it
            for crs in [Crs::Gcj02, Crs::Bd09] {
                let q = crs.from_wgs84(LonLat::new(lon, lat));
                let w = json_of(
                    app.get_as(
                        &officer,
                        &format!(
                            "/api/v1/locate?lon={}&lat={}&crs={}",
                            q.lon,
                            q.lat,
                            crs.as_str()
                        ),
                    )
                    .await,
                )
                .await;
                assert_eq!(w["grid"]["code"], p["code"], "{crs:?}");
            }
        }
        // far away: outside the jurisdiction, not a guess
        let body = problem(
            app.get_as(&officer, "/api/v1/locate?lon=121.47&lat=31.23")
                .await,
            422,
        )
        .await;
        assert_eq!(body["code"], "geo.outside_jurisdiction");
        let body = problem(
            app.get_as(&officer, "/api/v1/locate?lon=115.3&lat=34.4&crs=mercator")
                .await,
            422,
        )
        .await;
        assert_eq!(body["field"], "crs");
        // anonymous callers are asked to log in
        problem(app.get("/api/v1/locate?lon=115.3&lat=34.4").await, 401).await;
    }

    pub async fn geojson_export_holds_only_the_grids_the_caller_may_see(db: &TestDb) {
        let app = spawn_demo(db).await;
        let b = app.session("officer3").await;
        let r = app.get_as(&b, "/api/v1/grids?format=geojson").await;
        assert_eq!(r.headers()["content-type"], "application/geo+json");
        let fc = json_of(r).await;
        let features = fc["features"].as_array().unwrap();
        assert!(!features.is_empty());
        for f in features {
            let p = &f["properties"];
            assert_eq!(p["township"], B, "only township B's grids");
            for key in [
                "code",
                "name",
                "township_name",
                "squad",
                "officer",
                "grid_worker",
            ] {
                assert!(!p[key].is_null(), "{key} in properties: {p}");
            }
        }
        let county = app.session("supervisor").await;
        let all = json_of(app.get_as(&county, "/api/v1/grids?format=json").await).await;
        assert!(
            all["total"].as_u64().unwrap() > features.len() as u64,
            "the county sees every township"
        );
        let body = problem(app.get_as(&b, "/api/v1/grids?format=kml").await, 422).await;
        assert_eq!(body["field"], "format");
        // outlines are public
        let towns = json_of(app.get("/api/v1/areas?level=township").await).await;
        assert!(towns["features"].as_array().unwrap().len() >= 3);
    }

    pub async fn reassigning_a_grid_leaves_the_past_with_the_officer_of_the_time(db: &TestDb) {
        let app = spawn_demo(db).await;
        let admin = app.session("admin").await;
        let fc = json_of(
            app.get_as(
                &admin,
                &format!("/api/v1/grids?format=geojson&township={A}"),
            )
            .await,
        )
        .await;
        let f = &fc["features"][0];
        let code = f["properties"]["code"].as_str().unwrap().to_string();
        let before = f["properties"]["officer"]["name"]
            .as_str()
            .unwrap()
            .to_string();
        let (lon, lat) = inside(f);
        // another officer of the same township
        let staff = json_of(
            app.get_as(
                &admin,
                &format!("/api/v1/staff?township={A}&post=officer&per_page=50"),
            )
            .await,
        )
        .await;
        let other = staff["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] != before.as_str())
            .unwrap();
        let t_before = chrono::Utc::now() - chrono::Duration::minutes(5);
        // a report made before the change
        let old = json_of(
            app.send_as(
                &admin,
                Method::POST,
                "/api/v1/reports",
                Some(json!({"channel": "citizen", "description": "路边乱堆杂物", "lon": lon, "lat": lat})),
            )
            .await,
        )
        .await;
        assert_eq!(old["officer"], before.as_str());
        let old_id = old["id"].as_str().unwrap().to_string();
        let r = app
            .send_as(
                &admin,
                Method::POST,
                &format!("/api/v1/grids/{code}/assignments"),
                Some(json!({"kind": "officer", "staff_id": other["id"], "reason": "片区调整"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        let now = json_of(
            app.get_as(&admin, &format!("/api/v1/locate?lon={lon}&lat={lat}"))
                .await,
        )
        .await;
        assert_eq!(
            now["officer"]["name"], other["name"],
            "now: the new officer"
        );
        // the old report still shows the officer of the time; a new one the new officer
        let again = json_of(
            app.get_as(&admin, &format!("/api/v1/reports/{old_id}"))
                .await,
        )
        .await;
        assert_eq!(
            again["officer"],
            before.as_str(),
            "old report: officer of the time"
        );
        let fresh = json_of(
            app.send_as(
                &admin,
                Method::POST,
                "/api/v1/reports",
                Some(json!({"channel": "citizen", "description": "又见乱堆杂物", "lon": lon, "lat": lat})),
            )
            .await,
        )
        .await;
        assert_eq!(
            fresh["officer"], other["name"],
            "new report: the new officer"
        );
        let at = t_before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let then = json_of(
            app.get_as(
                &admin,
                &format!("/api/v1/locate?lon={lon}&lat={lat}&at={at}"),
            )
            .await,
        )
        .await;
        assert_eq!(
            then["officer"]["name"],
            before.as_str(),
            "then: the officer of the time"
        );
        let hist = json_of(
            app.get_as(&admin, &format!("/api/v1/grids/{code}/assignments"))
                .await,
        )
        .await;
        let officers: Vec<&Value> = hist["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "officer")
            .collect();
        assert_eq!(officers.len(), 2);
        assert!(officers[0]["until"].is_string() && officers[1]["until"].is_null());
        // history is not rewritten: an assignment cannot start before the current one
        let body = problem(
            app.send_as(
                &admin,
                Method::POST,
                &format!("/api/v1/grids/{code}/assignments"),
                Some(json!({"kind": "officer", "staff_id": other["id"], "from": "2020-01-01"})),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(body["field"], "from");
        // township B's admin may not touch A's grid
        let admin2 = app.session("admin2").await;
        problem(
            app.send_as(
                &admin2,
                Method::POST,
                &format!("/api/v1/grids/{code}/assignments"),
                Some(json!({"kind": "officer", "staff_id": other["id"]})),
            )
            .await,
            403,
        )
        .await;
    }

    const T: &str = "411423199";

    /// A township with an outline, under the demo county, for the fixtures.
    async fn test_township(db: &TestDb) {
        let mut conn = db.store.acquire().await.unwrap();
        let county = store::org::jurisdiction_by_code(&mut conn, "411423")
            .await
            .unwrap();
        let t = store::org::insert_jurisdiction(
            &mut conn,
            store::org::NewJurisdiction {
                code: T,
                name: "示例镇",
                name_en: "Example Town",
                level: domain::org::Level::Township,
                parent: Some(&county),
                seat: Some((115.65, 34.44)),
            },
        )
        .await
        .unwrap();
        let outline: Value =
            serde_json::from_str(include_str!("../../geo/tests/fixtures/township.geojson"))
                .unwrap();
        store::grids::set_area(
            &mut conn,
            &t.id,
            &outline["geometry"].to_string(),
            3_700_000.0,
        )
        .await
        .unwrap();
    }

    fn fixture(text: &str) -> String {
        text.replace("411423100", T)
    }

    pub async fn import_reports_every_seeded_fault_and_imports_nothing_until_clean(db: &TestDb) {
        let app = spawn_demo(db).await;
        test_township(db).await;
        let county = app.session("countyadmin").await;
        let post = async |path: &str, body: String| {
            app.client
                .post(app.url(path))
                .bearer_auth(&county.token)
                .header("content-type", "application/geo+json")
                .body(body)
                .send()
                .await
                .unwrap()
        };
        let faulty = fixture(include_str!(
            "../../geo/tests/fixtures/grids_faulty.geojson"
        ));
        let report = json_of(post("/api/v1/grids/import?dry_run=false", faulty).await).await;
        assert_eq!(
            report["imported"], 0,
            "nothing imported while anything is wrong"
        );
        let kinds: Vec<&str> = report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["kind"].as_str().unwrap())
            .collect();
        for k in [
            "self_intersection",
            "overlap",
            "gap",
            "outside_township",
            "duplicate_code",
        ] {
            assert_eq!(
                kinds.iter().filter(|x| **x == k).count(),
                1,
                "{k} once in {kinds:?}"
            );
        }
        for p in report["problems"].as_array().unwrap() {
            assert!(p["message_zh"].as_str().is_some_and(|m| !m.is_empty()));
            assert!(p["message_en"].as_str().is_some_and(|m| !m.is_empty()));
            if ["overlap", "gap", "outside_township"].contains(&p["kind"].as_str().unwrap()) {
                assert!(p["area_m2"].as_f64().unwrap() > 1.0, "area named: {p}");
                assert!(
                    p["lon"].is_number() && p["lat"].is_number(),
                    "place named: {p}"
                );
            }
        }
        let admin = app.session("supervisor").await;
        let none = json_of(
            app.get_as(&admin, &format!("/api/v1/grids?township={T}"))
                .await,
        )
        .await;
        assert_eq!(none["total"], 0);

        let clean = fixture(include_str!("../../geo/tests/fixtures/grids_clean.geojson"));
        let dry = json_of(post("/api/v1/grids/import", clean.clone()).await).await;
        assert_eq!(dry["dry_run"], true);
        assert!(dry["problems"].as_array().unwrap().is_empty(), "{dry}");
        assert_eq!(dry["imported"], 0);
        let done = json_of(post("/api/v1/grids/import?dry_run=false", clean.clone()).await).await;
        let n = done["features"].as_u64().unwrap();
        assert_eq!(done["imported"].as_u64().unwrap(), n);
        let some = json_of(
            app.get_as(&admin, &format!("/api/v1/grids?township={T}"))
                .await,
        )
        .await;
        assert_eq!(some["total"].as_u64().unwrap(), n);
        // the index picked the new grids up at once
        let v = json_of(
            app.get_as(&admin, "/api/v1/locate?lon=115.641&lat=34.432")
                .await,
        )
        .await;
        assert_eq!(v["township"]["code"], T);
        // importing the same file again: every code is now a duplicate
        let again = json_of(post("/api/v1/grids/import?dry_run=false", clean).await).await;
        assert_eq!(again["imported"], 0);
        assert!(
            again["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["kind"] == "duplicate_code")
        );
        // a township admin elsewhere may not import into this township
        let admin2 = app.session("admin2").await;
        let r = app
            .client
            .post(app.url("/api/v1/grids/import"))
            .bearer_auth(&admin2.token)
            .body(fixture(include_str!(
                "../../geo/tests/fixtures/grids_clean.geojson"
            )))
            .send()
            .await
            .unwrap();
        problem(r, 403).await;
    }
}

store::both_databases!(crate::cases =>
    locate_answers_township_village_grid_squad_officer_and_grid_worker,
    geojson_export_holds_only_the_grids_the_caller_may_see,
    reassigning_a_grid_leaves_the_past_with_the_officer_of_the_time,
    import_reports_every_seeded_fault_and_imports_nothing_until_clean,
);
