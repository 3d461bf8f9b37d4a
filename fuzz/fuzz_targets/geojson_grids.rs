//! `yiwang import grids`: a GeoJSON file read into features, each outline
//! converted to WGS84, then every import check (shape, duplicate codes,
//! unknown parent, outside the township, overlaps, gaps) against a
//! township outline. Whatever the file, the answer is features and
//! problems, never a panic.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use yiwang_geo::Crs;
use yiwang_geo::shape::{self, PropertyMapping};
use yiwang_geo::validate::{self, Candidate, Options};

const TOWNSHIP: &str = include_str!("../../crates/geo/tests/fixtures/township.geojson");
const TOWNSHIP_CODE: &str = "411423100";
/// Enough grids for every check, few enough for quick runs.
const MAX_GRIDS: usize = 24;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(features) = shape::read_features(text, &PropertyMapping::default()) else {
        return;
    };
    let crs = [Crs::Wgs84, Crs::Gcj02, Crs::Bd09][data.len() % 3];
    let mut townships = HashMap::new();
    for f in shape::read_features(TOWNSHIP, &PropertyMapping::default()).expect("the fixture") {
        townships.insert(TOWNSHIP_CODE.to_string(), f.geometry.expect("its outline"));
    }
    let mut candidates = Vec::new();
    for f in features.iter().take(MAX_GRIDS) {
        let Ok(g) = &f.geometry else {
            continue;
        };
        let g = shape::convert(g, crs);
        let _ = shape::area_m2(&g);
        let _ = shape::bbox(&g);
        let out = shape::to_geojson(&shape::convert_out(&g, crs));
        let _ = shape::parse_geometry(&out);
        candidates.push(Candidate {
            index: f.index,
            code: f.code.clone().unwrap_or_default(),
            parent: f.parent.clone().unwrap_or_else(|| TOWNSHIP_CODE.into()),
            shape: g,
        });
    }
    let _ = validate::validate(&candidates, &townships, &Options::default());
});
