//! Searching reports through the API, on SQLite and PostgreSQL:
//! `GET /api/v1/reports?q=…&field=…&channel=…` finds two-character words
//! and synonyms, combines with the filters, never crosses the caller's
//! jurisdiction, and refuses bad values naming the parameter.

mod common;

mod cases {
    use super::common::*;
    use reqwest::Method;
    use serde_json::{Value, json};
    use store::testing::TestDb;

    const A: &str = "411423100";
    const B: &str = "411423101";

    async fn ok(r: reqwest::Response) -> Value {
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    }

    /// The middle of a township's first grid.
    async fn point(app: &TestApp, s: &Session, township: &str) -> (f64, f64) {
        let fc = ok(app
            .get_as(
                s,
                &format!("/api/v1/grids?format=geojson&township={township}"),
            )
            .await)
        .await;
        let ring = fc["features"][0]["geometry"]["coordinates"][0]
            .as_array()
            .unwrap()
            .clone();
        let n = (ring.len() - 1) as f64;
        let avg = |k: usize| {
            ring[..ring.len() - 1]
                .iter()
                .map(|p| p[k].as_f64().unwrap())
                .sum::<f64>()
                / n
        };
        (avg(0), avg(1))
    }

    /// The code and field of the first power-list item found for the words.
    async fn item(app: &TestApp, words: &str) -> (String, String) {
        let v = ok(app
            .get(&format!("/api/v1/power-items?q={words}&per_page=1"))
            .await)
        .await;
        let it = &v["items"][0];
        (
            it["code"].as_str().unwrap().to_string(),
            it["field"].as_str().unwrap().to_string(),
        )
    }

    async fn post(
        app: &TestApp,
        s: &Session,
        (lon, lat): (f64, f64),
        channel: &str,
        description: &str,
        item: Option<&str>,
    ) -> String {
        let v = ok(app
            .send_as(
                s,
                Method::POST,
                "/api/v1/reports",
                Some(json!({"channel": channel, "description": description, "lon": lon, "lat": lat, "item_code": item})),
            )
            .await)
        .await;
        v["id"].as_str().unwrap().to_string()
    }

    /// The ids a query answers, in order, and the total.
    async fn ids(app: &TestApp, s: &Session, query: &str) -> (Vec<String>, u64) {
        let v = ok(app.get_as(s, &format!("/api/v1/reports?{query}")).await).await;
        let ids = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        (ids, v["total"].as_u64().unwrap())
    }

    pub async fn reports_are_searched_with_filters_inside_the_jurisdiction(db: &TestDb) {
        let app = spawn_demo(db).await;
        let dispatcher = app.session("dispatcher").await;
        let gridworker = app.session("gridworker").await;
        let officer = app.session("officer").await;
        let officer_b = app.session("officer3").await;
        let supervisor = app.session("supervisor").await;
        let a = point(&app, &dispatcher, A).await;
        let b = point(&app, &officer_b, B).await;
        let (street, street_field) = item(&app, "占道经营").await;
        let (straw, straw_field) = item(&app, "焚烧秸秆").await;
        assert_eq!(street_field, "城市管理");
        assert_ne!(straw_field, street_field);
        let r1 = post(
            &app,
            &dispatcher,
            a,
            "citizen",
            "有商户在路边占道经营，堆放货物",
            Some(&street),
        )
        .await;
        let r2 = post(
            &app,
            &dispatcher,
            a,
            "department",
            "村民在田间露天焚烧秸秆",
            Some(&straw),
        )
        .await;
        let r3 = post(
            &app,
            &gridworker,
            a,
            "grid_worker",
            "夜间施工噪声扰民",
            None,
        )
        .await;
        let r4 = post(
            &app,
            &officer_b,
            b,
            "citizen",
            "有商户在路边占道经营，堆放货物",
            Some(&street),
        )
        .await;

        // two-character words, longer ones, synonyms; words not there
        assert_eq!(ids(&app, &officer, "q=占道").await, (vec![r1.clone()], 1));
        assert_eq!(ids(&app, &officer, "q=占道经营").await.0, [r1.as_str()]);
        assert_eq!(ids(&app, &officer, "q=秸秆").await.0, [r2.as_str()]);
        assert_eq!(ids(&app, &officer, "q=噪音").await.0, [r3.as_str()]);
        assert_eq!(ids(&app, &officer, "q=违章搭建").await, (vec![], 0));
        // every word must occur
        assert_eq!(ids(&app, &officer, "q=商户%20货物").await.0, [r1.as_str()]);
        assert!(ids(&app, &officer, "q=商户%20秸秆").await.0.is_empty());

        // filters, with and without words
        assert_eq!(
            ids(&app, &officer, "q=占道&channel=citizen").await.0,
            [r1.as_str()]
        );
        assert!(
            ids(&app, &officer, "q=占道&channel=hotline")
                .await
                .0
                .is_empty()
        );
        assert_eq!(ids(&app, &officer, "field=城市管理").await.0, [r1.as_str()]);
        assert_eq!(
            ids(&app, &officer, "field=Urban%20management").await.0,
            [r1.as_str()]
        );
        assert_eq!(
            ids(
                &app,
                &officer,
                &format!("q=村民&field={straw_field}&channel=department")
            )
            .await
            .0,
            [r2.as_str()]
        );
        assert!(
            ids(&app, &officer, &format!("q=占道&field={straw_field}"))
                .await
                .0
                .is_empty()
        );
        assert_eq!(
            ids(&app, &officer, "channel=grid_worker").await.0,
            [r3.as_str()]
        );

        // township B's report never reaches township A's officer, and back
        assert!(
            ids(&app, &officer, &format!("q=占道&township={B}"))
                .await
                .0
                .is_empty()
        );
        assert_eq!(ids(&app, &officer_b, "q=占道").await, (vec![r4.clone()], 1));
        assert!(ids(&app, &officer_b, "q=秸秆").await.0.is_empty());
        // the county sees both
        let (mut both, total) = ids(&app, &supervisor, "q=占道&channel=citizen").await;
        both.sort();
        let mut expected = vec![r1.clone(), r4.clone()];
        expected.sort();
        assert_eq!((both, total), (expected, 2));
        assert_eq!(
            ids(&app, &supervisor, &format!("q=占道&township={B}"))
                .await
                .0,
            [r4.as_str()]
        );
    }

    pub async fn bad_search_values_are_refused_naming_the_parameter(db: &TestDb) {
        let app = spawn_demo(db).await;
        let officer = app.session("officer").await;
        let long = "占".repeat(101);
        for (query, field) in [
            ("channel=fax", "channel"),
            ("field=天文", "field"),
            ("q=！！！", "q"),
            (&format!("q={long}") as &str, "q"),
            ("q=占道&status=lost", "status"),
        ] {
            let body = problem(
                app.get_as(&officer, &format!("/api/v1/reports?{query}"))
                    .await,
                422,
            )
            .await;
            assert_eq!(body["field"], field, "{query}: {body}");
        }
    }
}

store::both_databases!(crate::cases =>
    reports_are_searched_with_filters_inside_the_jurisdiction,
    bad_search_values_are_refused_naming_the_parameter,
);
