//! Grid import: GeoJSON parsing, property mapping, CRS conversion and the
//! validation checks, against fixtures with known faults.

use geo::{Coord, GeodesicArea, LineString, MultiPolygon, Polygon};
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashMap;
use yiwang_geo::shape::{
    self, FeatureIn, PropertyMapping, area_m2, convert, convert_out, parse_geometry, read_features,
    to_geojson,
};
use yiwang_geo::validate::{Candidate, Options, Problem, ProblemKind, validate};
use yiwang_geo::{Crs, LonLat};

const TOWNSHIP: &str = include_str!("fixtures/township.geojson");
const FAULTY: &str = include_str!("fixtures/grids_faulty.geojson");
const CLEAN: &str = include_str!("fixtures/grids_clean.geojson");
const TOWNSHIP_CODE: &str = "411423100";

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        vec![],
    )
}

/// True area of a lon/lat rectangle from geographiclib, independent of the
/// projection used by `shape::area_m2`.
fn true_area(x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
    rect(x0, y0, x1, y1).geodesic_area_unsigned()
}

fn townships() -> HashMap<String, MultiPolygon<f64>> {
    read_features(TOWNSHIP, &PropertyMapping::default())
        .unwrap()
        .into_iter()
        .map(|f| (f.code.unwrap(), f.geometry.unwrap()))
        .collect()
}

fn candidates(features: Vec<FeatureIn>) -> Vec<Candidate> {
    features
        .into_iter()
        .map(|f| Candidate {
            index: f.index,
            code: f.code.expect("every fixture feature has a code"),
            parent: f.parent.expect("every fixture feature has a parent"),
            shape: f.geometry.expect("every fixture geometry parses"),
        })
        .collect()
}

fn only(problems: &[Problem], kind: ProblemKind) -> &Problem {
    let found: Vec<&Problem> = problems.iter().filter(|p| p.kind == kind).collect();
    assert_eq!(
        found.len(),
        1,
        "{kind:?} reported {} times: {problems:#?}",
        found.len()
    );
    found[0]
}

fn assert_area(p: &Problem, truth: f64) {
    let a = p.area_m2.expect("area");
    assert!(
        (a - truth).abs() <= 0.05 * truth,
        "{:?}: area {a} m², expected {truth} m²",
        p.kind
    );
}

fn assert_at_inside(p: &Problem, x0: f64, y0: f64, x1: f64, y1: f64) {
    let at = p.at.expect("a location");
    assert!(
        (x0..=x1).contains(&at.lon) && (y0..=y1).contains(&at.lat),
        "{:?} located at {at:?}, expected inside ({x0}, {y0})–({x1}, {y1})",
        p.kind
    );
}

#[test]
fn faulty_fixture_reports_each_fault_once() {
    let features = read_features(FAULTY, &PropertyMapping::default()).unwrap();
    assert_eq!(features.len(), 16);
    let problems = validate(&candidates(features), &townships(), &Options::default());
    assert_eq!(problems.len(), 5, "{problems:#?}");

    // Bow-tie G-10 (feature 10) crossing at the middle of its cell.
    let p = only(&problems, ProblemKind::SelfIntersection);
    assert_eq!((p.feature, p.code.as_deref()), (Some(10), Some("G-10")));
    let at = p.at.unwrap();
    assert!(
        (at.lon - 115.6475).abs() < 1e-9 && (at.lat - 34.44225).abs() < 1e-9,
        "{at:?}"
    );
    assert!(
        p.zh.contains("自相交") && p.en.contains("intersects itself"),
        "{p:?}"
    );

    // G-03 reaches 0.001° into G-04.
    let p = only(&problems, ProblemKind::Overlap);
    assert_eq!(p.feature, Some(3));
    assert_eq!(
        (p.code.as_deref(), p.other.as_deref()),
        (Some("G-03"), Some("G-04"))
    );
    assert_area(p, true_area(115.655, 34.431, 115.656, 34.4355));
    assert_at_inside(p, 115.655, 34.431, 115.656, 34.4355);
    assert!(p.zh.starts_with("网格 G-03 与 G-04 重叠约 "), "{}", p.zh);
    assert!(
        p.en.starts_with("Grid G-03 overlaps G-04 by about "),
        "{}",
        p.en
    );

    // G-07 stops 0.001° short of G-08, leaving an enclosed strip.
    let p = only(&problems, ProblemKind::Gap);
    assert_eq!(
        (p.feature, p.code.as_deref(), p.other.as_deref()),
        (None, None, None)
    );
    assert_area(p, true_area(115.654, 34.4355, 115.655, 34.44));
    assert_at_inside(p, 115.654, 34.4355, 115.655, 34.44);
    assert!(p.zh.contains("G-07") && p.zh.contains("G-08"), "{}", p.zh);
    assert!(p.en.contains(TOWNSHIP_CODE), "{}", p.en);

    // G-13 sticks 0.001° out of the township to the north.
    let p = only(&problems, ProblemKind::OutsideTownship);
    assert_eq!((p.feature, p.code.as_deref()), (Some(13), Some("G-13")));
    assert_area(p, true_area(115.64, 34.449, 115.645, 34.45));
    assert_at_inside(p, 115.64, 34.449, 115.645, 34.45);

    // Features 15 and 16 are both G-15.
    let p = only(&problems, ProblemKind::DuplicateCode);
    assert_eq!((p.feature, p.code.as_deref()), (Some(16), Some("G-15")));
    assert!(p.en.contains("Features 15 and 16"), "{}", p.en);
    assert!(p.zh.contains("第 15 个要素与第 16 个要素"), "{}", p.zh);
}

#[test]
fn clean_fixture_has_no_problems() {
    // Uses 网格编码 / 网格名称 / 所属, holes with an island grid inside, and
    // a MultiPolygon grid.
    let features = read_features(CLEAN, &PropertyMapping::default()).unwrap();
    assert_eq!(features.len(), 16);
    let cands = candidates(features);
    let problems = validate(&cands, &townships(), &Options::default());
    assert!(problems.is_empty(), "{problems:#?}");

    // Covering the township exactly: the grid areas add up to it.
    let total: f64 = cands.iter().map(|c| area_m2(&c.shape)).sum();
    let township = true_area(115.64, 34.431, 115.66, 34.449);
    assert!(
        (total - township).abs() < 1e-3 * township,
        "{total} vs {township}"
    );
}

#[test]
fn removing_an_enclosed_grid_is_a_gap_and_unknown_parent_is_reported() {
    let mut cands = candidates(read_features(CLEAN, &PropertyMapping::default()).unwrap());
    // The island G-17 fills the hole of G-06: without it the hole is a gap.
    cands.retain(|c| c.code != "G-17");
    cands[0].parent = "411423999".into();
    let problems = validate(&cands, &townships(), &Options::default());
    let gap = only(&problems, ProblemKind::Gap);
    assert_area(gap, true_area(115.6465, 34.437, 115.6485, 34.4385));
    let p = only(&problems, ProblemKind::UnknownParent);
    assert_eq!(p.code.as_deref(), Some("G-01"));
    assert!(p.zh.contains("411423999"), "{}", p.zh);
    // G-01 now sits in a group of its own; the rest still tile without
    // gaps apart from the hole. Nothing else is reported.
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn tolerance_hides_slivers() {
    let town: HashMap<String, MultiPolygon<f64>> = [(
        TOWNSHIP_CODE.to_string(),
        MultiPolygon(vec![rect(115.64, 34.431, 115.66, 34.449)]),
    )]
    .into();
    // Two grids overlapping by 1e-6° (≈ 0.09 m) along a 500 m edge: ≈ 46 m².
    let a = rect(115.64, 34.431, 115.645_001, 34.4355);
    let b = rect(115.645, 34.431, 115.65, 34.4355);
    let cands = vec![
        Candidate {
            index: 1,
            code: "A".into(),
            parent: TOWNSHIP_CODE.into(),
            shape: MultiPolygon(vec![a]),
        },
        Candidate {
            index: 2,
            code: "B".into(),
            parent: TOWNSHIP_CODE.into(),
            shape: MultiPolygon(vec![b]),
        },
    ];
    let strict = validate(&cands, &town, &Options::default());
    let p = only(&strict, ProblemKind::Overlap);
    assert_area(p, true_area(115.645, 34.431, 115.645_001, 34.4355));
    let lenient = validate(
        &cands,
        &town,
        &Options {
            tolerance_m2: 100.0,
        },
    );
    assert!(lenient.is_empty(), "{lenient:#?}");
}

#[test]
fn default_mapping_reads_chinese_property_names() {
    let features = read_features(CLEAN, &PropertyMapping::default()).unwrap();
    let f = &features[0];
    assert_eq!(f.index, 1);
    assert_eq!(f.code.as_deref(), Some("G-01"));
    assert_eq!(f.name.as_deref(), Some("第1网格"));
    assert_eq!(f.parent.as_deref(), Some(TOWNSHIP_CODE));

    let text = json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": { "编码": 411423100001u64, "名称": "一网格", "上级": "411423100" },
            "geometry": { "type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]] }
        }]
    })
    .to_string();
    let f = &read_features(&text, &PropertyMapping::default()).unwrap()[0];
    assert_eq!(f.code.as_deref(), Some("411423100001"));
    assert_eq!(f.name.as_deref(), Some("一网格"));
    assert_eq!(f.parent.as_deref(), Some("411423100"));

    // A configured key is used exactly: no fallback to the Chinese names.
    let custom = PropertyMapping {
        code: "GRID_ID".into(),
        ..PropertyMapping::default()
    };
    let f = &read_features(&text, &custom).unwrap()[0];
    assert_eq!(f.code, None);
    assert_eq!(f.name.as_deref(), Some("一网格"));
}

fn parse_err(v: serde_json::Value) -> shape::ShapeError {
    parse_geometry(&v).expect_err("should be rejected")
}

#[test]
fn parse_errors() {
    let e =
        parse_err(json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}));
    assert_eq!(e.code, "geometry.unclosed_ring");
    assert!(
        e.zh.contains("未闭合") && e.en.contains("not closed"),
        "{e}"
    );

    let e = parse_err(json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}));
    assert_eq!(e.code, "geometry.too_few_points");
    let e = parse_err(json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}));
    assert_eq!(e.code, "geometry.too_few_points");

    let e = parse_err(json!({"type": "Point", "coordinates": [115.65, 34.44]}));
    assert_eq!(e.code, "geometry.type");
    assert!(e.en.contains("Point"), "{e}");
    let e = parse_err(json!({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}));
    assert_eq!(e.code, "geometry.type");

    // JSON has no NaN: it arrives as null or a string, and is rejected.
    for bad in [json!(null), json!("NaN")] {
        let e = parse_err(json!({
            "type": "Polygon",
            "coordinates": [[[0, 0], [1, 0], [1, bad], [0, 0]]]
        }));
        assert_eq!(e.code, "geometry.coordinate");
        assert!(e.en.contains("position 3"), "{e}");
    }
    // Out of range, and latitude/longitude swapped.
    for (x, y) in [(215.0, 34.44), (34.44, 115.65), (115.65, -90.5)] {
        let e = parse_err(json!({
            "type": "Polygon",
            "coordinates": [[[115.6, 34.4], [x, y], [115.7, 34.5], [115.6, 34.4]]]
        }));
        assert_eq!(e.code, "geometry.coordinate", "{x} {y}");
        assert!(e.en.contains("out of range"), "{e}");
    }
    // The second polygon of a MultiPolygon is named in the message.
    let e = parse_err(json!({
        "type": "MultiPolygon",
        "coordinates": [
            [[[0, 0], [1, 0], [1, 1], [0, 0]]],
            [[[2, 0], [3, 0], [3, 1], [2, 1]]]
        ]
    }));
    assert_eq!(e.code, "geometry.unclosed_ring");
    assert!(
        e.en.contains("polygon 2") && e.zh.contains("第 2 个面"),
        "{e}"
    );
    // A hole is named as such.
    let e = parse_err(json!({
        "type": "Polygon",
        "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 0]], [[1, 1], [2, 1], [1, 1]]]
    }));
    assert_eq!(e.code, "geometry.too_few_points");
    assert!(e.en.contains("hole 1"), "{e}");

    // NaN or an overflowing number in the file text: the file is not JSON.
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,NaN],[0,0]]]}}]}"#;
    assert_eq!(
        read_features(text, &PropertyMapping::default())
            .unwrap_err()
            .code,
        "geojson.parse"
    );
    let text = text.replace("NaN", "1e999");
    assert_eq!(
        read_features(&text, &PropertyMapping::default())
            .unwrap_err()
            .code,
        "geojson.parse"
    );

    // Not a FeatureCollection.
    let e = read_features(
        r#"{"type":"Polygon","coordinates":[]}"#,
        &PropertyMapping::default(),
    )
    .unwrap_err();
    assert_eq!(e.code, "geojson.type");
}

#[test]
fn bad_features_do_not_stop_the_import() {
    let text = json!({
        "type": "FeatureCollection",
        "features": [
            { "type": "Feature", "properties": { "code": "A" }, "geometry": null },
            { "type": "Feature", "properties": { "code": "B" },
              "geometry": { "type": "Point", "coordinates": [0, 0] } },
            { "type": "Feature", "properties": { "code": "C" },
              "geometry": { "type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]] } }
        ]
    })
    .to_string();
    let fs = read_features(&text, &PropertyMapping::default()).unwrap();
    assert_eq!(
        fs[0].geometry.as_ref().unwrap_err().code,
        "geometry.missing"
    );
    assert_eq!(fs[1].geometry.as_ref().unwrap_err().code, "geometry.type");
    assert!(fs[2].geometry.is_ok());
    assert_eq!(fs.iter().map(|f| f.index).collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn geojson_round_trip() {
    let features = read_features(CLEAN, &PropertyMapping::default()).unwrap();
    for f in features {
        let mp = f.geometry.unwrap();
        let v = to_geojson(&mp);
        let expected = if mp.0.len() == 1 {
            "Polygon"
        } else {
            "MultiPolygon"
        };
        assert_eq!(v["type"], expected);
        let back = parse_geometry(&v).unwrap();
        assert!((area_m2(&back) - area_m2(&mp)).abs() < 1e-6 * area_m2(&mp));
    }
}

/// Distance in metres between two nearby points (local equirectangular).
fn metres(a: LonLat, b: LonLat) -> f64 {
    let k = 111_320.0;
    let dx = (a.lon - b.lon) * k * ((a.lat + b.lat) / 2.0).to_radians().cos();
    let dy = (a.lat - b.lat) * 110_900.0;
    dx.hypot(dy)
}

#[test]
fn gcj02_polygon_moves_a_few_hundred_metres() {
    let gcj = MultiPolygon(vec![rect(115.64, 34.431, 115.66, 34.449)]);
    let wgs = convert(&gcj, Crs::Gcj02);
    let pairs: Vec<(Coord<f64>, Coord<f64>)> = gcj.0[0]
        .exterior()
        .0
        .iter()
        .copied()
        .zip(wgs.0[0].exterior().0.iter().copied())
        .collect();
    assert_eq!(pairs.len(), 5);
    for (g, w) in pairs {
        let expected = Crs::Gcj02.to_wgs84(LonLat::new(g.x, g.y));
        assert_eq!((w.x, w.y), (expected.lon, expected.lat));
        let d = metres(LonLat::new(g.x, g.y), expected);
        assert!((100.0..=1000.0).contains(&d), "moved {d} m");
    }
    // The shape barely changes (GCJ-02's offset varies across the township,
    // which stretches it by a few tenths of a percent): same area to 1 %.
    let (aw, ag) = (area_m2(&wgs), area_m2(&gcj));
    assert!((aw - ag).abs() < 1e-2 * ag, "{aw} vs {ag}");
    // And converting back out restores it.
    let back = convert_out(&wgs, Crs::Gcj02);
    for (a, b) in back.0[0]
        .exterior()
        .0
        .iter()
        .zip(gcj.0[0].exterior().0.iter())
    {
        assert!((a.x - b.x).abs() < 1e-8 && (a.y - b.y).abs() < 1e-8);
    }
    // WGS84 in, WGS84 stored: untouched.
    assert_eq!(convert(&gcj, Crs::Wgs84), gcj);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any tiling of a township by rectangles, with cut lines rounded to 6
    /// decimals, is clean; dropping an inner tile leaves exactly one gap of
    /// that tile's area.
    #[test]
    fn tilings_are_clean_and_holes_are_gaps(
        xcuts in proptest::collection::vec(0.05f64..0.95, 2..5),
        ycuts in proptest::collection::vec(0.05f64..0.95, 2..5),
        drop in any::<proptest::sample::Index>(),
    ) {
        let (x0, y0, w, h) = (115.64, 34.431, 0.02, 0.018);
        let cuts = |v: &[f64], o: f64, s: f64| {
            let mut c: Vec<f64> = v.iter().map(|t| ((o + t * s) * 1e6).round() / 1e6).collect();
            c.push(o);
            c.push(o + s);
            c.sort_by(f64::total_cmp);
            c.dedup_by(|a, b| (*a - *b).abs() < 2e-5);
            c
        };
        let (xs, ys) = (cuts(&xcuts, x0, w), cuts(&ycuts, y0, h));
        let town: HashMap<String, MultiPolygon<f64>> =
            [(TOWNSHIP_CODE.to_string(), MultiPolygon(vec![rect(x0, y0, x0 + w, y0 + h)]))].into();
        let mut cands = Vec::new();
        let mut inner = Vec::new();
        for i in 0..xs.len() - 1 {
            for j in 0..ys.len() - 1 {
                if i > 0 && j > 0 && i < xs.len() - 2 && j < ys.len() - 2 {
                    inner.push(cands.len());
                }
                cands.push(Candidate {
                    index: cands.len() + 1,
                    code: format!("T-{i}-{j}"),
                    parent: TOWNSHIP_CODE.into(),
                    shape: MultiPolygon(vec![rect(xs[i], ys[j], xs[i + 1], ys[j + 1])]),
                });
            }
        }
        let problems = validate(&cands, &town, &Options::default());
        prop_assert!(problems.is_empty(), "{:#?}", problems);

        if !inner.is_empty() {
            let removed = cands.remove(inner[drop.index(inner.len())]);
            let problems = validate(&cands, &town, &Options::default());
            prop_assert_eq!(problems.len(), 1, "{:#?}", problems);
            prop_assert_eq!(problems[0].kind, ProblemKind::Gap);
            let truth = removed.shape.0[0].geodesic_area_unsigned();
            let a = problems[0].area_m2.unwrap();
            prop_assert!((a - truth).abs() < 1e-3 * truth, "{} vs {}", a, truth);
        }
    }
}
