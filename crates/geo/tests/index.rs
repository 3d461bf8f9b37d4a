//! Grid index: agreement with the naive scan and with `geo`, the boundary
//! rule, holes, snapping, and the synthetic tiling.

use geo::{Intersects, LineString, MultiPolygon, Point, Polygon, Validation, polygon};
use proptest::prelude::*;
use std::sync::OnceLock;
use yiwang_geo::LonLat;
use yiwang_geo::bench::{self, LAT_RANGE, LON_RANGE, random_points, synthetic_grids};
use yiwang_geo::index::{Entry, GridIndex, Located};

const SMALL: usize = 300;

fn small() -> &'static (Vec<Entry>, GridIndex) {
    static CELL: OnceLock<(Vec<Entry>, GridIndex)> = OnceLock::new();
    CELL.get_or_init(|| {
        let grids = synthetic_grids(SMALL, 11);
        let index = GridIndex::build(grids.clone());
        (grids, index)
    })
}

fn small_special() -> &'static [LonLat] {
    static CELL: OnceLock<Vec<LonLat>> = OnceLock::new();
    CELL.get_or_init(|| special_points(&small().0))
}

/// Every vertex of every grid, points level with each vertex on either
/// side, and the midpoints of every edge.
fn special_points(grids: &[Entry]) -> Vec<LonLat> {
    let mut out = Vec::new();
    for e in grids {
        for poly in &e.shape.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for w in ring.0.windows(2) {
                    out.push(LonLat::new(w[0].x, w[0].y));
                    // Level with a vertex: rays from these pass through it.
                    out.push(LonLat::new(w[0].x - 1e-4, w[0].y));
                    out.push(LonLat::new(w[0].x + 1e-4, w[0].y));
                    out.push(LonLat::new(
                        (w[0].x + w[1].x) / 2.0,
                        (w[0].y + w[1].y) / 2.0,
                    ));
                }
            }
        }
    }
    out
}

/// Independent oracle: the smallest key whose shape intersects the point
/// (geo's closed-set semantics, with its own robust predicates).
fn oracle(grids: &[Entry], p: LonLat) -> Option<u32> {
    let pt = Point::new(p.lon, p.lat);
    grids
        .iter()
        .filter(|e| e.shape.intersects(&pt))
        .map(|e| e.key)
        .min()
}

fn square(key: u32, x0: f64, y0: f64, x1: f64, y1: f64) -> Entry {
    Entry {
        key,
        shape: MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)
        ]]),
    }
}

/// A point `m` metres from `p` along a compass bearing (local approximation).
fn offset_m(p: LonLat, east_m: f64, north_m: f64) -> LonLat {
    let k = 111_320.0;
    LonLat::new(
        p.lon + east_m / (k * p.lat.to_radians().cos()),
        p.lat + north_m / k,
    )
}

/// Brute-force distance in metres from `p` to a ring, sampling each
/// segment finely (a different method from the index's projection).
fn ring_distance_m(p: LonLat, ring: &[geo::Coord<f64>]) -> f64 {
    let kx = 111_320.0 * p.lat.to_radians().cos();
    let ky = 111_320.0;
    let mut best = f64::INFINITY;
    for w in ring.windows(2) {
        for s in 0..=10_000 {
            let t = s as f64 / 10_000.0;
            let x = (w[0].x + t * (w[1].x - w[0].x) - p.lon) * kx;
            let y = (w[0].y + t * (w[1].y - w[0].y) - p.lat) * ky;
            best = best.min(x.hypot(y));
        }
    }
    best
}

#[derive(Debug, Clone)]
enum Pick {
    Random(f64, f64),
    Special(usize),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        // In and somewhat around the region.
        (114.9f64..116.6, 33.7f64..34.9).prop_map(|(x, y)| Pick::Random(x, y)),
        any::<usize>().prop_map(Pick::Special),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn locate_matches_scan_and_geo(pick in pick()) {
        let (grids, index) = small();
        let p = match pick {
            Pick::Random(x, y) => LonLat::new(x, y),
            Pick::Special(i) => {
                let s = small_special();
                s[i % s.len()]
            }
        };
        let found = index.locate(p);
        prop_assert_eq!(found, index.locate_scan(p), "at {:?}", p);
        prop_assert_eq!(found, oracle(grids, p), "geo disagrees at {:?}", p);
        let inside_region = (LON_RANGE.0..=LON_RANGE.1).contains(&p.lon)
            && (LAT_RANGE.0..=LAT_RANGE.1).contains(&p.lat);
        prop_assert_eq!(found.is_some(), inside_region, "at {:?}", p);
    }
}

/// Random, freely overlapping quadrilaterals and triangles (some with a
/// hole), with repeated keys.
fn overlapping() -> impl Strategy<Value = Vec<Entry>> {
    let ring = prop::collection::vec((115.0f64..115.1, 34.0f64..34.1), 3..=4);
    let shape = (ring, 0u32..8, any::<bool>());
    prop::collection::vec(shape, 1..25).prop_map(|shapes| {
        shapes
            .into_iter()
            .map(|(pts, key, holed)| {
                // Order the vertices around their centre: a simple polygon.
                let n = pts.len() as f64;
                let c = (
                    pts.iter().map(|p| p.0).sum::<f64>() / n,
                    pts.iter().map(|p| p.1).sum::<f64>() / n,
                );
                let mut pts = pts;
                pts.sort_by(|a, b| {
                    let fa = (a.1 - c.1).atan2(a.0 - c.0);
                    let fb = (b.1 - c.1).atan2(b.0 - c.0);
                    fa.total_cmp(&fb)
                });
                // A hole: the polygon shrunk towards its centre.
                let holes = if holed {
                    vec![LineString::from(
                        pts.iter()
                            .map(|p| (c.0 + (p.0 - c.0) * 0.3, c.1 + (p.1 - c.1) * 0.3))
                            .collect::<Vec<_>>(),
                    )]
                } else {
                    Vec::new()
                };
                Entry {
                    key,
                    shape: MultiPolygon(vec![Polygon::new(LineString::from(pts), holes)]),
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Overlaps exercise the smallest-key rule inside polygons, where the
    /// index may answer from a precomputed inner rectangle.
    #[test]
    fn overlapping_grids_take_the_smallest_key(
        grids in overlapping(),
        pts in prop::collection::vec((114.99f64..115.11, 33.99f64..34.11), 200),
    ) {
        let index = GridIndex::build(grids.clone());
        let mut reversed = grids.clone();
        reversed.reverse();
        let rev = GridIndex::build(reversed);
        let valid = grids.iter().all(|e| e.shape.is_valid());
        for (x, y) in pts {
            let p = LonLat::new(x, y);
            let found = index.locate(p);
            prop_assert_eq!(found, index.locate_scan(p), "at {:?}", p);
            prop_assert_eq!(found, rev.locate(p), "at {:?}", p);
            // geo's point-in-polygon is the reference for valid shapes.
            if valid {
                prop_assert_eq!(found, oracle(&grids, p), "geo disagrees at {:?}", p);
            }
        }
    }
}

#[test]
fn a_small_grid_over_the_middle_of_a_large_one_wins_by_key() {
    let large = square(5, 115.0, 34.0, 116.0, 35.0);
    let small = square(1, 115.4, 34.4, 115.6, 34.6);
    let larger_key = square(9, 115.45, 34.45, 115.55, 34.55);
    let centre = LonLat::new(115.5, 34.5);
    for entries in [
        vec![large.clone(), small.clone(), larger_key.clone()],
        vec![larger_key.clone(), small.clone(), large.clone()],
    ] {
        let idx = GridIndex::build(entries);
        assert_eq!(idx.locate(centre), Some(1));
        assert_eq!(idx.locate(LonLat::new(115.45, 34.5)), Some(1));
        assert_eq!(idx.locate(LonLat::new(115.3, 34.5)), Some(5));
        assert_eq!(idx.locate(LonLat::new(115.8, 34.8)), Some(5));
    }
}

#[test]
fn every_vertex_and_edge_point_matches_scan_and_geo() {
    let (grids, index) = small();
    let pts = special_points(grids);
    assert!(pts.len() > 5_000);
    for p in pts {
        let found = index.locate(p);
        assert_eq!(found, index.locate_scan(p), "at {p:?}");
        assert_eq!(found, oracle(grids, p), "geo disagrees at {p:?}");
    }
}

#[test]
fn shared_boundaries_do_not_depend_on_insertion_order() {
    let (grids, index) = small();
    let mut reversed = grids.clone();
    reversed.reverse();
    let rev = GridIndex::build(reversed);
    let mut shared = 0;
    for p in special_points(grids) {
        let a = index.locate(p);
        assert_eq!(a, rev.locate(p), "at {p:?}");
        let pt = Point::new(p.lon, p.lat);
        let holders = grids.iter().filter(|e| e.shape.intersects(&pt)).count();
        if holders >= 2 {
            shared += 1;
        }
    }
    // Plenty of the vertices are shared by two or more grids.
    assert!(shared > 1_000, "{shared}");
}

#[test]
fn shared_edge_and_corner_take_the_smallest_key_in_either_order() {
    // Two grids sharing the diagonal edge (115.0, 34.0)–(115.5, 34.5), and a
    // third sharing only the corner (115.5, 34.5).
    let a = Entry {
        key: 20,
        shape: MultiPolygon(vec![polygon![
            (x: 115.0, y: 34.0), (x: 115.5, y: 34.0), (x: 115.5, y: 34.5)
        ]]),
    };
    let b = Entry {
        key: 10,
        shape: MultiPolygon(vec![polygon![
            (x: 115.0, y: 34.0), (x: 115.5, y: 34.5), (x: 115.0, y: 34.5)
        ]]),
    };
    let c = square(5, 115.5, 34.5, 116.0, 35.0);
    let on_edge = LonLat::new(115.25, 34.25);
    let corner = LonLat::new(115.5, 34.5);
    // Just off the edge on either side.
    let below = LonLat::new(115.25, f64::from_bits(34.25f64.to_bits() - 1));
    let above = LonLat::new(115.25, f64::from_bits(34.25f64.to_bits() + 1));
    for entries in [
        vec![a.clone(), b.clone(), c.clone()],
        vec![c.clone(), b.clone(), a.clone()],
        vec![b.clone(), c.clone(), a.clone()],
    ] {
        let idx = GridIndex::build(entries);
        assert_eq!(idx.locate(on_edge), Some(10));
        assert_eq!(idx.locate_scan(on_edge), Some(10));
        assert_eq!(idx.locate(corner), Some(5));
        assert_eq!(idx.locate(below), Some(20));
        assert_eq!(idx.locate(above), Some(10));
    }
}

#[test]
fn holes_exclude_and_their_filler_wins() {
    let outer = Entry {
        key: 1,
        shape: MultiPolygon(vec![polygon![
            exterior: [
                (x: 115.0, y: 34.0), (x: 116.0, y: 34.0), (x: 116.0, y: 35.0), (x: 115.0, y: 35.0)
            ],
            interiors: [[
                (x: 115.25, y: 34.25), (x: 115.25, y: 34.75), (x: 115.75, y: 34.75), (x: 115.75, y: 34.25)
            ]],
        ]]),
    };
    let in_hole = LonLat::new(115.5, 34.5);
    let on_hole_border = LonLat::new(115.25, 34.5);
    let in_ring = LonLat::new(115.1, 34.5);

    let alone = GridIndex::build(vec![outer.clone()]);
    assert_eq!(alone.locate(in_hole), None);
    assert_eq!(alone.locate_scan(in_hole), None);
    assert_eq!(alone.locate(in_ring), Some(1));
    // The hole's border belongs to the grid (closed set).
    assert_eq!(alone.locate(on_hole_border), Some(1));

    // A grid filling the hole takes the inside of the hole; on the shared
    // border the smaller key wins.
    for fill_key in [0u32, 2] {
        let fill = square(fill_key, 115.25, 34.25, 115.75, 34.75);
        for entries in [
            vec![outer.clone(), fill.clone()],
            vec![fill.clone(), outer.clone()],
        ] {
            let idx = GridIndex::build(entries);
            assert_eq!(idx.locate(in_hole), Some(fill_key));
            assert_eq!(idx.locate(in_ring), Some(1));
            assert_eq!(idx.locate(on_hole_border), Some(fill_key.min(1)));
        }
    }
}

#[test]
fn snapping_reports_distance_in_metres() {
    let idx = GridIndex::build(vec![
        square(4, 115.0, 34.0, 115.5, 34.5),
        square(9, 115.5, 34.0, 116.0, 34.5),
    ]);
    // 50 m west of the west border.
    let p = offset_m(LonLat::new(115.0, 34.25), -50.0, 0.0);
    match idx.locate_or_snap(p, 100.0) {
        Located::Snapped { key, distance_m } => {
            assert_eq!(key, 4);
            assert!((distance_m - 50.0).abs() < 5.0, "{distance_m}");
        }
        other => panic!("{other:?}"),
    }
    match idx.locate_or_snap(p, 20.0) {
        Located::Outside { nearest_m: Some(d) } => assert!((d - 50.0).abs() < 5.0, "{d}"),
        other => panic!("{other:?}"),
    }
    // 50 m north of the east grid.
    let q = offset_m(LonLat::new(115.8, 34.5), 0.0, 50.0);
    match idx.locate_or_snap(q, 100.0) {
        Located::Snapped { key, distance_m } => {
            assert_eq!(key, 9);
            assert!((distance_m - 50.0).abs() < 5.0, "{distance_m}");
        }
        other => panic!("{other:?}"),
    }
    // 30 m north of the shared corner: equidistant, smallest key.
    let r = offset_m(LonLat::new(115.5, 34.5), 0.0, 30.0);
    match idx.locate_or_snap(r, 100.0) {
        Located::Snapped { key, distance_m } => {
            assert_eq!(key, 4);
            assert!((distance_m - 30.0).abs() < 3.0, "{distance_m}");
        }
        other => panic!("{other:?}"),
    }
    // Inside is inside, whatever the distance allowed.
    assert_eq!(
        idx.locate_or_snap(LonLat::new(115.7, 34.2), 0.0),
        Located::Inside(9)
    );
    // Far away: still reports how far.
    match idx.locate_or_snap(LonLat::new(117.0, 34.25), 100.0) {
        Located::Outside { nearest_m: Some(d) } => assert!(d > 90_000.0, "{d}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        GridIndex::build(Vec::new()).locate_or_snap(p, 100.0),
        Located::Outside { nearest_m: None }
    );
}

#[test]
fn snapping_finds_the_nearest_of_many_and_into_holes() {
    let (grids, index) = small();
    // Points just outside the region snap to a grid on the border, and the
    // distance matches a brute-force minimum over all grids.
    for p in random_points(200, 5) {
        let west = LonLat::new(LON_RANGE.0 - (p.lon - LON_RANGE.0) * 0.002, p.lat);
        let Located::Snapped { key, distance_m } = index.locate_or_snap(west, 1_000.0) else {
            panic!("{west:?} did not snap");
        };
        let expect = (west.lon - LON_RANGE.0).abs() * 111_320.0 * west.lat.to_radians().cos();
        assert!(
            (distance_m - expect).abs() < 0.01,
            "{distance_m} vs {expect}"
        );
        let g = &grids[key as usize];
        let onto = LonLat::new(LON_RANGE.0, west.lat);
        assert!(
            g.shape.intersects(&Point::new(onto.lon, onto.lat)),
            "snapped to {key}, which does not touch {onto:?}"
        );
    }
    // In a hole with no filler: snaps to the holed grid's hole ring.
    let holed = grids
        .iter()
        .find(|e| !e.shape.0[0].interiors().is_empty())
        .expect("a holed grid");
    let hole = &holed.shape.0[0].interiors()[0];
    let n = (hole.0.len() - 1) as f64;
    let cx = hole.0[..hole.0.len() - 1].iter().map(|c| c.x).sum::<f64>() / n;
    let cy = hole.0[..hole.0.len() - 1].iter().map(|c| c.y).sum::<f64>() / n;
    let centre = LonLat::new(cx, cy);
    let without_fill: Vec<Entry> = grids
        .iter()
        .filter(|e| e.key != holed.key + 1)
        .cloned()
        .collect();
    let idx = GridIndex::build(without_fill);
    assert_eq!(idx.locate(centre), None);
    match idx.locate_or_snap(centre, 10_000.0) {
        Located::Snapped { key, distance_m } => {
            assert_eq!(key, holed.key);
            let expect = ring_distance_m(centre, &hole.0);
            assert!(
                (distance_m - expect).abs() < 0.1,
                "{distance_m} vs {expect}"
            );
            assert!(distance_m > 100.0, "{distance_m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(index.locate(centre), Some(holed.key + 1));
}

#[test]
fn synthetic_tiling_has_no_gaps_or_overlaps() {
    let grids = synthetic_grids(1_000, 21);
    for e in &grids {
        assert!(e.shape.is_valid(), "grid {} is not a valid polygon", e.key);
    }
    let index = GridIndex::build(grids.clone());
    assert_eq!(index.len(), 1_000);
    let singles: Vec<GridIndex> = grids
        .iter()
        .map(|e| GridIndex::build(vec![e.clone()]))
        .collect();
    for p in random_points(3_000, 22) {
        let pt = Point::new(p.lon, p.lat);
        let holders: Vec<u32> = grids
            .iter()
            .filter(|e| e.shape.intersects(&pt))
            .map(|e| e.key)
            .collect();
        assert_eq!(holders.len(), 1, "{p:?} is in {holders:?}");
        // Count with the scan too: one polygon at a time.
        let single = singles
            .iter()
            .filter(|s| s.locate_scan(p).is_some())
            .count();
        assert_eq!(single, 1, "{p:?}");
        assert_eq!(index.locate(p), Some(holders[0]));
    }
}

#[test]
fn every_random_point_is_located_at_scale() {
    let grids = synthetic_grids(20_000, 3);
    let index = GridIndex::build(grids);
    for p in random_points(20_000, 4) {
        assert!(index.locate(p).is_some(), "{p:?}");
    }
    for p in random_points(200, 5) {
        assert_eq!(index.locate(p), index.locate_scan(p), "{p:?}");
    }
}

#[test]
fn index_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<GridIndex>();
}

/// Full-size figures; run in release:
/// `cargo test -p yiwang-geo --release -- --ignored --nocapture`
#[test]
#[ignore]
fn locate_benchmark_full_size() {
    let f = bench::run(100_000, 1_000_000, 2024);
    for line in f.lines() {
        println!("{line}");
    }
    assert_eq!(f.found, f.points);
    if !cfg!(debug_assertions) {
        // The speed-up is a ratio of two timings on the same machine, so it
        // holds even when the machine is busy; the absolute rate does not.
        assert!(f.speedup >= 100.0, "{f:?}");
        if f.index_per_s < 1_000_000.0 {
            println!("note: under the 1,000,000 lookups/s goal; is the machine busy?");
        }
    }
}
