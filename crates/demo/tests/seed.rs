//! The demo seed is deterministic and realistic.

use sqlx::Row;
use store::testing::TestDb;

/// A fingerprint of everything the seed writes that is not an id or a timestamp.
async fn fingerprint(db: &TestDb) -> Vec<String> {
    let mut c = db.store.acquire().await.unwrap();
    let mut out = Vec::new();
    let queries = [
        "SELECT code || '|' || name || '|' || name_en || '|' || level || '|' || path || '|' || COALESCE(CAST(lon AS TEXT), '') || '|' || COALESCE(CAST(lat AS TEXT), '') AS f FROM jurisdictions ORDER BY code",
        "SELECT code || '|' || name || '|' || kind AS f FROM org_units ORDER BY code",
        "SELECT s.name || '|' || s.post || '|' || COALESCE(s.phone, '') || '|' || COALESCE(s.specialty, '') || '|' || COALESCE(u.code, '') AS f FROM staff s LEFT JOIN org_units u ON u.id = s.unit_id ORDER BY f",
        "SELECT number || '|' || valid_from || '|' || valid_until AS f FROM credentials ORDER BY number",
        "SELECT code || '|' || geometry || '|' || CAST(area_m2 AS TEXT) AS f FROM grids ORDER BY code",
        "SELECT username || '|' || display_name AS f FROM users ORDER BY username",
    ];
    for q in queries {
        for row in sqlx::query(q).fetch_all(&mut *c).await.unwrap() {
            out.push(row.try_get::<String, _>("f").unwrap());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeding_twice_gives_the_same_county() {
    let a = TestDb::sqlite().await;
    let b = TestDb::sqlite().await;
    let ra = demo::seed(&a.store, b"k").await.unwrap();
    let rb = demo::seed(&b.store, b"k").await.unwrap();
    assert_eq!(ra, rb);
    let (fa, fb) = (fingerprint(&a).await, fingerprint(&b).await);
    assert!(fa.len() > 1500, "{} rows", fa.len());
    assert_eq!(fa, fb);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_county_is_ningling_with_every_brigade_staffed() {
    let db = TestDb::sqlite().await;
    let r = demo::seed(&db.store, b"k").await.unwrap();
    assert_eq!((r.townships, r.villages, r.grids), (14, 364, 364));
    let mut c = db.store.acquire().await.unwrap();
    let towns = store::org::township_stats(&mut c).await.unwrap();
    assert_eq!(towns[1].name, "张弓镇");
    for t in &towns {
        assert!(
            (3..=4).contains(&t.squads),
            "{}: {} squads",
            t.name,
            t.squads
        );
        assert!(
            (20..=30).contains(&t.officers),
            "{}: {} officers",
            t.name,
            t.officers
        );
        assert_eq!(
            t.grid_workers, t.villages,
            "{}: a grid worker per village grid",
            t.name
        );
    }
    // every grid is a polygon inside the county's box, with a plausible area
    for row in sqlx::query("SELECT geometry, area_m2 FROM grids")
        .fetch_all(&mut *c)
        .await
        .unwrap()
    {
        let g: serde_json::Value =
            serde_json::from_str(&row.try_get::<String, _>("geometry").unwrap()).unwrap();
        assert_eq!(g["type"], "Polygon");
        for p in g["coordinates"][0].as_array().unwrap() {
            let (lon, lat) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            assert!(
                (115.0..115.6).contains(&lon) && (34.1..34.8).contains(&lat),
                "{lon},{lat}"
            );
        }
        let area: f64 = row.try_get("area_m2").unwrap();
        assert!((50_000.0..30_000_000.0).contains(&area), "{area}");
    }
    assert!(matches!(
        demo::seed(&db.store, b"k").await,
        Err(demo::DemoError::NotEmpty)
    ));
}
