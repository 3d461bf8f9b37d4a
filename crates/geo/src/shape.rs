//! Grid shapes as GeoJSON: reading, writing, coordinate conversion, area.
//!
//! Shapes are held as [`geo::MultiPolygon<f64>`] with x = longitude and
//! y = latitude in WGS84 degrees. Input is strict about what GeoJSON requires
//! (closed rings of at least four positions, finite coordinates within
//! range) and reports each problem with a stable code and a message in
//! Chinese and English, so an import screen can show it next to the feature.

use crate::{Crs, LonLat};
use geo::{
    BoundingRect, Coord, LineString, MapCoords, MultiPolygon, Orient, Polygon, orient::Direction,
};
use serde_json::{Map, Value, json};
use std::fmt;

/// A problem with a GeoJSON document or geometry.
///
/// `code` is stable and meant for programs (see the `geometry.*` and
/// `geojson.*` codes below); `zh` and `en` are for people.
///
/// | code | meaning |
/// |---|---|
/// | `geojson.parse` | the text is not JSON |
/// | `geojson.type` | top level is neither a FeatureCollection nor a Feature |
/// | `geojson.malformed` | a FeatureCollection without a `features` array, or a feature that is not an object |
/// | `geometry.missing` | a feature without geometry |
/// | `geometry.type` | geometry other than Polygon / MultiPolygon |
/// | `geometry.malformed` | `coordinates` missing or not nested arrays |
/// | `geometry.empty` | a polygon without rings or a multipolygon without polygons |
/// | `geometry.too_few_points` | a ring with fewer than 4 positions |
/// | `geometry.unclosed_ring` | a ring whose last position differs from its first |
/// | `geometry.coordinate` | a coordinate that is not a finite number or is out of range |
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeError {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl ShapeError {
    fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} / {}", self.code, self.zh, self.en)
    }
}

impl std::error::Error for ShapeError {}

/// Where in a geometry a ring sits, for messages (all numbers 1-based).
#[derive(Clone, Copy)]
struct RingAt {
    /// Polygon number inside a MultiPolygon, `None` for a Polygon.
    part: Option<usize>,
    /// 0 = exterior ring, n = n-th hole.
    ring: usize,
}

impl RingAt {
    fn zh(self) -> String {
        let part = self
            .part
            .map(|p| format!("第 {p} 个面的"))
            .unwrap_or_default();
        if self.ring == 0 {
            format!("{part}外环")
        } else {
            format!("{part}第 {} 个内环（洞）", self.ring)
        }
    }

    fn en(self) -> String {
        let ring = if self.ring == 0 {
            "exterior ring".to_string()
        } else {
            format!("hole {}", self.ring)
        };
        match self.part {
            Some(p) => format!("{ring} of polygon {p}"),
            None => ring,
        }
    }
}

fn malformed(what_zh: &str, what_en: &str) -> ShapeError {
    ShapeError::new(
        "geometry.malformed",
        format!("几何坐标格式错误：{what_zh}"),
        format!("malformed geometry coordinates: {what_en}"),
    )
}

fn parse_position(v: &Value, at: RingAt, k: usize) -> Result<Coord<f64>, ShapeError> {
    let bad = |zh: String, en: String| {
        ShapeError::new(
            "geometry.coordinate",
            format!("{}第 {k} 个点：{zh}", at.zh()),
            format!("{}, position {k}: {en}", at.en()),
        )
    };
    let arr = v.as_array().ok_or_else(|| {
        bad(
            "坐标应为 [经度, 纬度] 数组".into(),
            "a position must be an array [longitude, latitude]".into(),
        )
    })?;
    if arr.len() < 2 {
        return Err(bad(
            "坐标至少需要经度和纬度两个数".into(),
            "a position needs at least longitude and latitude".into(),
        ));
    }
    let num = |i: usize| arr[i].as_f64().filter(|x| x.is_finite());
    let (Some(lon), Some(lat)) = (num(0), num(1)) else {
        return Err(bad(
            format!("坐标不是有限数值（{}, {}）", arr[0], arr[1]),
            format!("coordinate is not a finite number ({}, {})", arr[0], arr[1]),
        ));
    };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(bad(
            format!(
                "经纬度超出范围（{lon}, {lat}）；应为经度 −180…180、纬度 −90…90，是否经纬度写反或使用了投影坐标？"
            ),
            format!(
                "coordinate out of range ({lon}, {lat}); expected longitude −180…180 and latitude −90…90 — swapped, or projected coordinates?"
            ),
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

fn parse_ring(v: &Value, at: RingAt) -> Result<LineString<f64>, ShapeError> {
    let arr = v.as_array().ok_or_else(|| {
        malformed(
            &format!("{}应为坐标数组", at.zh()),
            &format!("{} must be an array of positions", at.en()),
        )
    })?;
    let coords = arr
        .iter()
        .enumerate()
        .map(|(k, p)| parse_position(p, at, k + 1))
        .collect::<Result<Vec<_>, _>>()?;
    if coords.len() < 4 {
        return Err(ShapeError::new(
            "geometry.too_few_points",
            format!(
                "{}只有 {} 个点；闭合的环至少需要 4 个点（首尾相同）",
                at.zh(),
                coords.len()
            ),
            format!(
                "{} has {} positions; a closed ring needs at least 4 (first = last)",
                at.en(),
                coords.len()
            ),
        ));
    }
    let (first, last) = (coords[0], coords[coords.len() - 1]);
    if first != last {
        return Err(ShapeError::new(
            "geometry.unclosed_ring",
            format!(
                "{}未闭合：首点 ({}, {}) 与末点 ({}, {}) 不同",
                at.zh(),
                first.x,
                first.y,
                last.x,
                last.y
            ),
            format!(
                "{} is not closed: first position ({}, {}) differs from last ({}, {})",
                at.en(),
                first.x,
                first.y,
                last.x,
                last.y
            ),
        ));
    }
    Ok(LineString(coords))
}

fn parse_polygon(v: &Value, part: Option<usize>) -> Result<Polygon<f64>, ShapeError> {
    let at0 = RingAt { part, ring: 0 };
    let rings = v.as_array().ok_or_else(|| {
        malformed(
            &format!("{}坐标应为环的数组", at0.zh()),
            "a polygon must be an array of rings",
        )
    })?;
    if rings.is_empty() {
        return Err(ShapeError::new(
            "geometry.empty",
            "多边形没有任何环",
            "polygon has no rings",
        ));
    }
    let mut parsed = rings
        .iter()
        .enumerate()
        .map(|(i, r)| parse_ring(r, RingAt { part, ring: i }))
        .collect::<Result<Vec<_>, _>>()?;
    let exterior = parsed.remove(0);
    Ok(Polygon::new(exterior, parsed))
}

/// Parse a GeoJSON `Polygon` or `MultiPolygon` geometry object.
///
/// Holes are kept. Rings must be closed and have at least four positions;
/// coordinates must be finite with longitude in −180…180 and latitude in
/// −90…90 (a third ordinate, if present, is ignored). Ring orientation is
/// not required. Topological validity (self-intersection and the like) is
/// not checked here — see [`crate::validate`].
pub fn parse_geometry(v: &Value) -> Result<MultiPolygon<f64>, ShapeError> {
    let ty = v.get("type").and_then(Value::as_str);
    let coords = || {
        v.get("coordinates").ok_or_else(|| {
            malformed(
                "缺少 coordinates 字段",
                "the \"coordinates\" member is missing",
            )
        })
    };
    match ty {
        Some("Polygon") => Ok(MultiPolygon(vec![parse_polygon(coords()?, None)?])),
        Some("MultiPolygon") => {
            let parts = coords()?.as_array().ok_or_else(|| {
                malformed(
                    "MultiPolygon 坐标应为多边形的数组",
                    "MultiPolygon coordinates must be an array of polygons",
                )
            })?;
            if parts.is_empty() {
                return Err(ShapeError::new(
                    "geometry.empty",
                    "MultiPolygon 不含任何多边形",
                    "MultiPolygon contains no polygons",
                ));
            }
            parts
                .iter()
                .enumerate()
                .map(|(i, p)| parse_polygon(p, Some(i + 1)))
                .collect::<Result<Vec<_>, _>>()
                .map(MultiPolygon)
        }
        other => {
            let found = other.unwrap_or("（无）");
            let found_en = other.unwrap_or("(none)");
            Err(ShapeError::new(
                "geometry.type",
                format!("网格边界须为 Polygon 或 MultiPolygon，实际为 {found}"),
                format!("a grid outline must be a Polygon or MultiPolygon, found {found_en}"),
            ))
        }
    }
}

fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

fn ring_json(ring: &LineString<f64>) -> Value {
    Value::Array(
        ring.0
            .iter()
            .map(|c| json!([round7(c.x), round7(c.y)]))
            .collect(),
    )
}

fn polygon_json(p: &Polygon<f64>) -> Value {
    Value::Array(
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(ring_json)
            .collect(),
    )
}

/// Write a shape as a GeoJSON geometry: a `Polygon` when it has exactly one
/// part, otherwise a `MultiPolygon`. Coordinates are rounded to 7 decimals
/// (about 1 cm) and rings follow the GeoJSON right-hand rule (exterior
/// counter-clockwise, holes clockwise).
pub fn to_geojson(mp: &MultiPolygon<f64>) -> Value {
    let oriented = mp.orient(Direction::Default);
    if oriented.0.len() == 1 {
        json!({ "type": "Polygon", "coordinates": polygon_json(&oriented.0[0]) })
    } else {
        json!({
            "type": "MultiPolygon",
            "coordinates": oriented.0.iter().map(polygon_json).collect::<Vec<_>>(),
        })
    }
}

/// Convert every vertex from `from` to the stored system (WGS84).
pub fn convert(mp: &MultiPolygon<f64>, from: Crs) -> MultiPolygon<f64> {
    if from == Crs::Wgs84 {
        return mp.clone();
    }
    mp.map_coords(|c| {
        let p = from.to_wgs84(LonLat::new(c.x, c.y));
        Coord { x: p.lon, y: p.lat }
    })
}

/// Convert every vertex from the stored system (WGS84) to `to`.
pub fn convert_out(mp: &MultiPolygon<f64>, to: Crs) -> MultiPolygon<f64> {
    if to == Crs::Wgs84 {
        return mp.clone();
    }
    mp.map_coords(|c| {
        let p = to.from_wgs84(LonLat::new(c.x, c.y));
        Coord { x: p.lon, y: p.lat }
    })
}

/// Bounding box as (min lon, min lat, max lon, max lat); `None` when empty.
pub fn bbox(mp: &MultiPolygon<f64>) -> Option<(f64, f64, f64, f64)> {
    mp.bounding_rect()
        .map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
}

const WGS84_A: f64 = 6_378_137.0;
const WGS84_E2: f64 = 0.006_694_379_990_141_317;

/// Area of a shape in square metres, holes subtracted.
///
/// Vertices are projected with a sinusoidal projection centred on the
/// shape, scaled by the WGS84 meridional and prime-vertical radii at the
/// centre latitude. The sinusoidal projection is equal-area, so the result
/// agrees with the ellipsoidal (geodesic) area to about 1e-5 for shapes of
/// township size, while staying numerically clean for slivers of a square
/// metre (which matter for overlap tolerances).
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    let Some((x0, y0, x1, y1)) = bbox(mp) else {
        return 0.0;
    };
    let (lon0, lat0) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let phi0 = lat0.to_radians();
    let w = 1.0 - WGS84_E2 * phi0.sin().powi(2);
    let n0 = WGS84_A / w.sqrt();
    let m0 = WGS84_A * (1.0 - WGS84_E2) / (w * w.sqrt());
    let project = |c: &Coord<f64>| -> (f64, f64) {
        let phi = c.y.to_radians();
        (
            n0 * phi.cos() * (c.x - lon0).to_radians(),
            m0 * (phi - phi0),
        )
    };
    let ring_area = |ring: &LineString<f64>| -> f64 {
        let pts: Vec<(f64, f64)> = ring.0.iter().map(project).collect();
        if pts.len() < 3 {
            return 0.0;
        }
        let mut s = 0.0;
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            s += a.0 * b.1 - b.0 * a.1;
        }
        (s / 2.0).abs()
    };
    mp.0.iter()
        .map(|p| ring_area(p.exterior()) - p.interiors().iter().map(ring_area).sum::<f64>())
        .sum()
}

/// Which feature properties carry the grid code, name and parent code.
///
/// When a key is left at its default English name (`code`, `name`,
/// `parent`) and a feature lacks that property (or has it empty), common
/// alternatives are tried in order: a case-insensitive match of the key, then
/// 编码 / 网格编码 / 网格代码 / 代码 for the code, 名称 / 网格名称 / 名字 for
/// the name and 上级 / 上级编码 / 所属 for the parent. A key configured to
/// anything else is used exactly as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyMapping {
    pub code: String,
    pub name: String,
    pub parent: String,
}

impl Default for PropertyMapping {
    fn default() -> Self {
        Self {
            code: "code".into(),
            name: "name".into(),
            parent: "parent".into(),
        }
    }
}

const CODE_ALIASES: &[&str] = &["编码", "网格编码", "网格代码", "代码"];
const NAME_ALIASES: &[&str] = &["名称", "网格名称", "名字"];
const PARENT_ALIASES: &[&str] = &["上级", "上级编码", "所属"];

/// Property value as text: strings trimmed, numbers written out, anything
/// else (and empty strings) treated as absent.
fn prop_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn lookup(
    props: &Map<String, Value>,
    key: &str,
    default_key: &str,
    aliases: &[&str],
) -> Option<String> {
    let exact = props.get(key).and_then(prop_text);
    if exact.is_some() || key != default_key {
        return exact;
    }
    props
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .find_map(|(_, v)| prop_text(v))
        .or_else(|| {
            aliases
                .iter()
                .find_map(|a| props.get(*a).and_then(prop_text))
        })
}

/// One feature read from an import file. A broken geometry does not stop
/// the import: it is reported per feature in `geometry`.
#[derive(Debug, Clone)]
pub struct FeatureIn {
    /// Feature number, 1-based (as people count them).
    pub index: usize,
    pub code: Option<String>,
    pub name: Option<String>,
    /// Township or village code of the unit the grid belongs to.
    pub parent: Option<String>,
    pub properties: Map<String, Value>,
    pub geometry: Result<MultiPolygon<f64>, ShapeError>,
}

/// Read the features of a GeoJSON FeatureCollection (a single Feature is
/// accepted as a collection of one). Errors here concern the document as a
/// whole; problems with one feature's geometry are returned in that
/// feature's `geometry`.
pub fn read_features(text: &str, mapping: &PropertyMapping) -> Result<Vec<FeatureIn>, ShapeError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        ShapeError::new(
            "geojson.parse",
            format!(
                "文件不是有效的 JSON（第 {} 行第 {} 列）：{e}",
                e.line(),
                e.column()
            ),
            format!(
                "the file is not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let features: Vec<&Value> = match doc.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                ShapeError::new(
                    "geojson.malformed",
                    "FeatureCollection 缺少 features 数组",
                    "FeatureCollection has no \"features\" array",
                )
            })?
            .iter()
            .collect(),
        Some("Feature") => vec![&doc],
        other => {
            return Err(ShapeError::new(
                "geojson.type",
                format!(
                    "需要 GeoJSON FeatureCollection，实际为 {}",
                    other.unwrap_or("（无 type）")
                ),
                format!(
                    "expected a GeoJSON FeatureCollection, found {}",
                    other.unwrap_or("(no type)")
                ),
            ));
        }
    };
    Ok(features
        .into_iter()
        .enumerate()
        .map(|(i, f)| read_feature(i + 1, f, mapping))
        .collect())
}

fn read_feature(index: usize, f: &Value, mapping: &PropertyMapping) -> FeatureIn {
    let properties = f
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let defaults = PropertyMapping::default();
    let code = lookup(&properties, &mapping.code, &defaults.code, CODE_ALIASES);
    let name = lookup(&properties, &mapping.name, &defaults.name, NAME_ALIASES);
    let parent = lookup(
        &properties,
        &mapping.parent,
        &defaults.parent,
        PARENT_ALIASES,
    );
    let geometry = if f.get("type").and_then(Value::as_str) != Some("Feature") {
        Err(ShapeError::new(
            "geojson.malformed",
            "该要素不是 GeoJSON Feature 对象",
            "this entry is not a GeoJSON Feature object",
        ))
    } else {
        match f.get("geometry") {
            None | Some(Value::Null) => Err(ShapeError::new(
                "geometry.missing",
                "该要素没有几何边界",
                "this feature has no geometry",
            )),
            Some(g) => parse_geometry(g),
        }
    };
    FeatureIn {
        index,
        code,
        name,
        parent,
        properties,
        geometry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::GeodesicArea;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )
    }

    #[test]
    fn area_agrees_with_geodesic() {
        // A 2 km square, a 20 km square with a hole, and a 5 m sliver.
        let cases = [
            MultiPolygon(vec![rect(115.64, 34.431, 115.66, 34.449)]),
            MultiPolygon(vec![Polygon::new(
                rect(115.5, 34.3, 115.7, 34.5).exterior().clone(),
                vec![rect(115.55, 34.35, 115.6, 34.4).exterior().clone()],
            )]),
            MultiPolygon(vec![rect(115.65, 34.44, 115.650_05, 34.440_01)]),
        ];
        for mp in cases {
            let ours = area_m2(&mp);
            // geographiclib needs holes wound against the exterior.
            let geodesic = mp.orient(Direction::Default).geodesic_area_unsigned();
            assert!(
                ((ours - geodesic) / geodesic).abs() < 1e-4,
                "{ours} vs {geodesic}"
            );
        }
    }

    #[test]
    fn writes_polygon_or_multipolygon_rounded() {
        let one = MultiPolygon(vec![rect(115.123_456_789, 34.0, 115.2, 34.1)]);
        let v = to_geojson(&one);
        assert_eq!(v["type"], "Polygon");
        assert_eq!(v["coordinates"][0][0][0].as_f64(), Some(115.123_456_8));
        let back = parse_geometry(&v).unwrap();
        assert!((area_m2(&back) - area_m2(&one)).abs() / area_m2(&one) < 1e-6);

        let two = MultiPolygon(vec![rect(0.0, 0.0, 1.0, 1.0), rect(2.0, 0.0, 3.0, 1.0)]);
        let v = to_geojson(&two);
        assert_eq!(v["type"], "MultiPolygon");
        assert_eq!(parse_geometry(&v).unwrap().0.len(), 2);
    }

    #[test]
    fn mapping_falls_back_only_for_default_keys() {
        let props: Map<String, Value> =
            serde_json::from_str(r#"{"编码": 411423100001, "名称": " 一网格 ", "CODE": ""}"#)
                .unwrap();
        assert_eq!(
            lookup(&props, "code", "code", CODE_ALIASES).as_deref(),
            Some("411423100001"),
            "an empty CODE falls through to 编码"
        );
        let props: Map<String, Value> =
            serde_json::from_str(r#"{"编码": 411423100001, "名称": " 一网格 "}"#).unwrap();
        assert_eq!(
            lookup(&props, "code", "code", CODE_ALIASES).as_deref(),
            Some("411423100001")
        );
        assert_eq!(
            lookup(&props, "name", "name", NAME_ALIASES).as_deref(),
            Some("一网格")
        );
        assert_eq!(lookup(&props, "GRID_ID", "code", CODE_ALIASES), None);
    }
}
