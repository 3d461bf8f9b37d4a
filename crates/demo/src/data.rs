//! The embedded reference data (see data/README.md for sources).

use serde::Deserialize;
use yiwang_geo::{Crs, LonLat};

#[derive(Deserialize)]
pub struct County {
    pub city: Named,
    pub county: Seated,
    pub townships: Vec<Township>,
}

#[derive(Deserialize)]
pub struct Named {
    pub code: String,
    pub name: String,
    pub name_en: String,
}

#[derive(Deserialize)]
pub struct Seated {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub seat: [f64; 2],
}

#[derive(Deserialize)]
pub struct Township {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub seat: [f64; 2],
    pub villages: Vec<Village>,
}

#[derive(Deserialize)]
pub struct Village {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
}

pub fn county() -> Result<County, crate::DemoError> {
    serde_json::from_str(include_str!("../data/ningling.json"))
        .map_err(|e| crate::DemoError::Data(format!("ningling.json: {e}")))
}

/// GCJ-02 as published → WGS84 as stored.
pub fn wgs(p: [f64; 2]) -> LonLat {
    Crs::Gcj02.to_wgs84(LonLat::new(p[0], p[1]))
}

/// The county's outer ring, in WGS84.
pub fn outline() -> Result<Vec<LonLat>, crate::DemoError> {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../data/ningling-outline.geojson"))
            .map_err(|e| crate::DemoError::Data(format!("outline: {e}")))?;
    let ring = v["geometry"]["coordinates"][0][0]
        .as_array()
        .ok_or_else(|| crate::DemoError::Data("outline: no outer ring".into()))?;
    let mut out: Vec<LonLat> = ring
        .iter()
        .filter_map(|p| Some(wgs([p[0].as_f64()?, p[1].as_f64()?])))
        .collect();
    if out.first() == out.last() {
        out.pop();
    }
    Ok(out)
}
