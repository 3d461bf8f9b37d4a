//! Checks run on a grid import before anything is stored.
//!
//! [`validate`] looks at all candidate grids together and returns every
//! problem it finds (it never stops at the first), each with the feature
//! number, the grid codes involved, an area where one makes sense, a point
//! to show on the map, and a message in Chinese and English.
//!
//! The checks, in the order their problems are listed:
//!
//! 1. **Shape** — each grid's outline must be a valid polygon (OGC rules,
//!    via geo's [`Validation`]). A ring that crosses or folds back on itself
//!    is [`ProblemKind::SelfIntersection`], located at the crossing; any
//!    other defect (too few distinct points, a hole outside the exterior,
//!    rings or parts overlapping, …) is [`ProblemKind::InvalidRing`].
//!    A grid that fails this check takes no part in checks 4–6, because
//!    boolean operations on an invalid polygon give meaningless areas; its
//!    message says so. (Parts of one grid that merely touch along a line
//!    are reported but do not exclude the grid: boolean operations handle
//!    them fine.)
//! 2. **Duplicate codes** — a grid code used by more than one feature; one
//!    problem per repeated use, naming both feature numbers.
//! 3. **Unknown parent** — the township code is not among the townships.
//! 4. **Outside the township** — the part of a grid outside its township's
//!    outline (grid minus township), when larger than the tolerance.
//! 5. **Overlaps** — pairs of grids of the same township whose intersection
//!    is larger than the tolerance (pairs found with an R-tree over bounding
//!    boxes).
//! 6. **Gaps** — a gap is an uncovered area *enclosed by* a township's grids:
//!    a hole in the union of the grids of that township (not counting any
//!    separate grid lying inside the hole), larger than the tolerance. The
//!    rest of the township left uncovered is *not* a gap, since an import
//!    may cover one village at a time. Where a grid was excluded by check 1
//!    its convex hull stands in for it here, so its absence does not show
//!    up as a spurious gap.
//!
//! Overlaps, gaps and the outside check ignore areas up to
//! [`Options::tolerance_m2`]: rounding coordinates to 6 decimals (≈ 0.1 m)
//! leaves slivers along shared edges.

use crate::LonLat;
use crate::shape::area_m2;
use geo::algorithm::validation::{InvalidMultiPolygon, InvalidPolygon, RingRole};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::orient::Direction;
use geo::{
    Area, BooleanOps, BoundingRect, ConvexHull, Coord, InteriorPoint, Line, LineString,
    MultiPolygon, Orient, Polygon, Validation, unary_union,
};
use geo::{Distance, Euclidean};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::Serialize;
use std::collections::HashMap;

/// A grid about to be imported.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Feature number in the import file, 1-based (as people count them).
    pub index: usize,
    pub code: String,
    /// Township code.
    pub parent: String,
    pub shape: MultiPolygon<f64>,
}

/// What kind of problem was found. Serialises as snake_case
/// (`invalid_ring`, `self_intersection`, …), see [`ProblemKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    InvalidRing,
    SelfIntersection,
    DuplicateCode,
    OutsideTownship,
    Overlap,
    Gap,
    UnknownParent,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::InvalidRing => "invalid_ring",
            ProblemKind::SelfIntersection => "self_intersection",
            ProblemKind::DuplicateCode => "duplicate_code",
            ProblemKind::OutsideTownship => "outside_township",
            ProblemKind::Overlap => "overlap",
            ProblemKind::Gap => "gap",
            ProblemKind::UnknownParent => "unknown_parent",
        }
    }
}

/// One problem found by [`validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Feature number (1-based) of the grid concerned; for a duplicate code,
    /// the later of the two; `None` for a gap.
    pub feature: Option<usize>,
    /// Grid code concerned; `None` for a gap.
    pub code: Option<String>,
    /// The other grid involved (the second grid of an overlap).
    pub other: Option<String>,
    pub kind: ProblemKind,
    /// Area of the overlap, gap or outside part, in square metres.
    pub area_m2: Option<f64>,
    /// A representative point of the problem (a crossing, or a point inside
    /// the overlap / gap / outside part).
    pub at: Option<LonLat>,
    pub zh: String,
    pub en: String,
}

/// Settings for [`validate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Overlaps, gaps and outside parts up to this many square metres are
    /// ignored (coordinate rounding creates slivers). Default 1.0 m².
    pub tolerance_m2: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self { tolerance_m2: 1.0 }
    }
}

/// Run all checks (see the module documentation) and return every problem
/// found. `townships` maps township codes to their outlines (WGS84).
pub fn validate(
    candidates: &[Candidate],
    townships: &HashMap<String, MultiPolygon<f64>>,
    opts: &Options,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let tol = opts.tolerance_m2;

    // 1. Shapes. `usable[i]` is the oriented shape of grids fit for
    // boolean operations.
    let mut usable: Vec<Option<MultiPolygon<f64>>> = Vec::with_capacity(candidates.len());
    for c in candidates {
        let fatal = check_shape(c, &mut out);
        usable.push((!fatal).then(|| c.shape.orient(Direction::Default)));
    }
    let point = |i: usize| usable[i].as_ref().and_then(point_of);

    // 2. Duplicate codes.
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        let code = c.code.trim();
        if code.is_empty() {
            continue;
        }
        let Some(&f) = first.get(code) else {
            first.insert(code, i);
            continue;
        };
        let f = &candidates[f];
        out.push(Problem {
            feature: Some(c.index),
            code: Some(c.code.clone()),
            other: None,
            kind: ProblemKind::DuplicateCode,
            area_m2: None,
            at: point(i),
            zh: format!(
                "第 {} 个要素与第 {} 个要素使用了相同的网格编码 {code}",
                f.index, c.index
            ),
            en: format!(
                "Features {} and {} have the same grid code {code}",
                f.index, c.index
            ),
        });
    }

    // 3. Unknown parent.
    for (i, c) in candidates.iter().enumerate() {
        if townships.contains_key(&c.parent) {
            continue;
        }
        let (zh, en) = if c.parent.trim().is_empty() {
            (
                format!("{}未填写所属乡镇编码", grid_zh(c)),
                format!("{} has no township code", grid_en(c)),
            )
        } else {
            (
                format!("{}的所属乡镇编码 {} 不存在", grid_zh(c), c.parent),
                format!("{} belongs to unknown township {}", grid_en(c), c.parent),
            )
        };
        out.push(Problem {
            feature: Some(c.index),
            code: Some(c.code.clone()),
            other: None,
            kind: ProblemKind::UnknownParent,
            area_m2: None,
            at: point(i),
            zh,
            en,
        });
    }

    // 4. Outside the township.
    for (i, c) in candidates.iter().enumerate() {
        let (Some(shape), Some(township)) = (&usable[i], townships.get(&c.parent)) else {
            continue;
        };
        let outside = shape.difference(township);
        let area = area_m2(&outside);
        if area <= tol {
            continue;
        }
        let at = point_of(&outside);
        out.push(Problem {
            feature: Some(c.index),
            code: Some(c.code.clone()),
            other: None,
            kind: ProblemKind::OutsideTownship,
            area_m2: Some(area),
            at,
            zh: format!(
                "{}有约 {} 平方米超出所属乡镇 {} 的边界{}",
                grid_zh(c),
                fmt_area(area),
                c.parent,
                at_zh(at)
            ),
            en: format!(
                "{} extends about {} m² beyond its township {}{}",
                grid_en(c),
                fmt_area(area),
                c.parent,
                at_en(at)
            ),
        });
    }

    // Group grids by township, in order of first appearance.
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        let g = *group_of.entry(c.parent.as_str()).or_insert_with(|| {
            groups.push((c.parent.as_str(), Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }

    // 5. Overlaps.
    for (_, members) in &groups {
        let ok: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| usable[i].is_some())
            .collect();
        let tree = bbox_tree(ok.iter().map(|&i| (i, usable[i].as_ref().unwrap())));
        for &a in &ok {
            let sa = usable[a].as_ref().unwrap();
            let Some(env) = envelope(sa) else { continue };
            let mut others: Vec<usize> = tree
                .locate_in_envelope_intersecting(&env)
                .map(|g| g.data)
                .filter(|&b| b > a)
                .collect();
            others.sort_unstable();
            for b in others {
                let shared = sa.intersection(usable[b].as_ref().unwrap());
                let area = area_m2(&shared);
                if area <= tol {
                    continue;
                }
                let (ca, cb) = (&candidates[a], &candidates[b]);
                let at = point_of(&shared);
                out.push(Problem {
                    feature: Some(ca.index),
                    code: Some(ca.code.clone()),
                    other: Some(cb.code.clone()),
                    kind: ProblemKind::Overlap,
                    area_m2: Some(area),
                    at,
                    zh: format!(
                        "网格 {} 与 {} 重叠约 {} 平方米{}",
                        label_zh(ca),
                        label_zh(cb),
                        fmt_area(area),
                        at_zh(at)
                    ),
                    en: format!(
                        "Grid {} overlaps {} by about {} m²{}",
                        label_en(ca),
                        label_en(cb),
                        fmt_area(area),
                        at_en(at)
                    ),
                });
            }
        }
    }

    // 6. Gaps: holes in the union of each township's grids.
    for (parent, members) in &groups {
        let mut cover: Vec<(usize, MultiPolygon<f64>)> = Vec::new();
        for &i in members {
            match &usable[i] {
                Some(s) => cover.push((i, s.clone())),
                None => {
                    if let Some(h) = stand_in(&candidates[i].shape) {
                        cover.push((i, h));
                    }
                }
            }
        }
        let union = unary_union(cover.iter().map(|(_, s)| s));
        if union.0.iter().all(|p| p.interiors().is_empty()) {
            continue;
        }
        let filled = MultiPolygon(
            union
                .0
                .iter()
                .map(|p| Polygon::new(p.exterior().clone(), vec![]))
                .collect(),
        );
        let gaps = filled.difference(&union);
        let tree = bbox_tree(cover.iter().map(|(i, s)| (*i, s)));
        for gap in gaps.0 {
            let gap = MultiPolygon(vec![gap]);
            let area = area_m2(&gap);
            if area <= tol {
                continue;
            }
            let at = point_of(&gap);
            // Grids touching the gap. Boolean-op output is snapped to an
            // internal integer grid, so "touching" allows a few millimetres.
            let gap_poly = &gap.0[0];
            let mut around: Vec<usize> = match envelope(&gap) {
                Some(env) => {
                    let (lo, hi) = (env.lower(), env.upper());
                    let env = AABB::from_corners(
                        [lo[0] - NEAR_DEG, lo[1] - NEAR_DEG],
                        [hi[0] + NEAR_DEG, hi[1] + NEAR_DEG],
                    );
                    tree.locate_in_envelope_intersecting(&env)
                        .map(|g| g.data)
                        .filter(|&i| {
                            cover.iter().any(|(k, s)| {
                                *k == i
                                    && s.0
                                        .iter()
                                        .any(|p| Euclidean.distance(p, gap_poly) <= NEAR_DEG)
                            })
                        })
                        .collect()
                }
                None => Vec::new(),
            };
            around.sort_unstable();
            let names: Vec<String> = around.iter().map(|&i| label_zh(&candidates[i])).collect();
            let names_en: Vec<String> = around.iter().map(|&i| label_en(&candidates[i])).collect();
            out.push(Problem {
                feature: None,
                code: None,
                other: None,
                kind: ProblemKind::Gap,
                area_m2: Some(area),
                at,
                zh: format!(
                    "乡镇 {parent} 的网格之间有约 {} 平方米的空隙未被任何网格覆盖{}{}",
                    fmt_area(area),
                    at_zh(at),
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!("，周边网格：{}", names.join("、"))
                    }
                ),
                en: format!(
                    "A gap of about {} m² enclosed by grids of township {parent} is not covered by any grid{}{}",
                    fmt_area(area),
                    at_en(at),
                    if names_en.is_empty() {
                        String::new()
                    } else {
                        format!("; surrounding grids: {}", names_en.join(", "))
                    }
                ),
            });
        }
    }

    out
}

/// Check 1 for one grid; pushes its problems and returns whether the grid
/// must be left out of the later checks.
fn check_shape(c: &Candidate, out: &mut Vec<Problem>) -> bool {
    const SKIPPED_ZH: &str = "；该网格未参与越界、重叠和空隙检查";
    const SKIPPED_EN: &str = "; it was left out of the outside-township, overlap and gap checks";
    if c.shape.0.is_empty() {
        out.push(Problem {
            feature: Some(c.index),
            code: Some(c.code.clone()),
            other: None,
            kind: ProblemKind::InvalidRing,
            area_m2: None,
            at: None,
            zh: format!("{}没有任何多边形{SKIPPED_ZH}", grid_zh(c)),
            en: format!("{} has no polygon{SKIPPED_EN}", grid_en(c)),
        });
        return true;
    }
    let multi = c.shape.0.len() > 1;
    let mut fatal = false;
    for err in c.shape.validation_errors() {
        let (kind, at, what_zh, what_en, is_fatal) = match err {
            InvalidMultiPolygon::InvalidPolygon(gi, InvalidPolygon::SelfIntersection(role)) => {
                let ring = ring_of(&c.shape.0[gi.0], role);
                let at = crossing(ring).or_else(|| ring.0.first().copied());
                let (zh, en) = ring_names(multi, gi.0, role);
                (
                    ProblemKind::SelfIntersection,
                    at,
                    format!("{zh}自相交（边界交叉或打结，如“8”字形）"),
                    format!(
                        "{en} intersects itself (a crossing or twisted outline, e.g. a figure-eight)"
                    ),
                    true,
                )
            }
            InvalidMultiPolygon::InvalidPolygon(gi, e) => {
                let poly = &c.shape.0[gi.0];
                let (at, zh, en) = describe_polygon_error(multi, gi.0, poly, &e);
                (ProblemKind::InvalidRing, at, zh, en, true)
            }
            InvalidMultiPolygon::ElementsOverlaps(a, b) => {
                let shared = MultiPolygon(vec![c.shape.0[a.0].clone()])
                    .intersection(&MultiPolygon(vec![c.shape.0[b.0].clone()]));
                let at = point_of(&shared)
                    .map(|p| Coord { x: p.lon, y: p.lat })
                    .or_else(|| c.shape.0[a.0].exterior().0.first().copied());
                (
                    ProblemKind::InvalidRing,
                    at,
                    format!("第 {} 个面与第 {} 个面相互重叠", a.0 + 1, b.0 + 1),
                    format!("polygons {} and {} overlap each other", a.0 + 1, b.0 + 1),
                    true,
                )
            }
            InvalidMultiPolygon::ElementsTouchOnALine(a, b) => (
                ProblemKind::InvalidRing,
                c.shape.0[a.0].exterior().0.first().copied(),
                format!(
                    "第 {} 个面与第 {} 个面沿一条边相接，应合并为一个面",
                    a.0 + 1,
                    b.0 + 1
                ),
                format!(
                    "polygons {} and {} touch along an edge and should be merged",
                    a.0 + 1,
                    b.0 + 1
                ),
                false,
            ),
        };
        fatal |= is_fatal;
        let at = at.map(|c| LonLat::new(c.x, c.y));
        let (skip_zh, skip_en) = if is_fatal {
            (SKIPPED_ZH, SKIPPED_EN)
        } else {
            ("", "")
        };
        out.push(Problem {
            feature: Some(c.index),
            code: Some(c.code.clone()),
            other: None,
            kind,
            area_m2: None,
            at,
            zh: format!("{}的边界无效：{what_zh}{}{skip_zh}", grid_zh(c), at_zh(at)),
            en: format!(
                "{} has an invalid outline: {what_en}{}{skip_en}",
                grid_en(c),
                at_en(at)
            ),
        });
    }
    fatal
}

fn ring_of(p: &Polygon<f64>, role: RingRole) -> &LineString<f64> {
    match role {
        RingRole::Exterior => p.exterior(),
        RingRole::Interior(k) => &p.interiors()[k],
    }
}

/// Names of a ring for messages, e.g. "第 2 个面的外环" / "exterior ring of polygon 2".
fn ring_names(multi: bool, part: usize, role: RingRole) -> (String, String) {
    let (zh, en) = match role {
        RingRole::Exterior => ("外环".to_string(), "exterior ring".to_string()),
        RingRole::Interior(k) => (format!("第 {} 个内环", k + 1), format!("hole {}", k + 1)),
    };
    if multi {
        (
            format!("第 {} 个面的{zh}", part + 1),
            format!("{en} of polygon {}", part + 1),
        )
    } else {
        (zh, en)
    }
}

fn describe_polygon_error(
    multi: bool,
    part: usize,
    poly: &Polygon<f64>,
    e: &InvalidPolygon,
) -> (Option<Coord<f64>>, String, String) {
    let first = |role: RingRole| ring_of(poly, role).0.first().copied();
    let name = |role: RingRole| ring_names(multi, part, role);
    match *e {
        InvalidPolygon::TooFewPointsInRing(r) => {
            let (zh, en) = name(r);
            (
                first(r),
                format!("{zh}不足 3 个不同的点"),
                format!("{en} has fewer than 3 distinct points"),
            )
        }
        InvalidPolygon::SelfIntersection(r) => {
            let (zh, en) = name(r);
            (
                first(r),
                format!("{zh}自相交"),
                format!("{en} intersects itself"),
            )
        }
        InvalidPolygon::NonFiniteCoord(r, ref k) => {
            let (zh, en) = name(r);
            (
                None,
                format!("{zh}第 {} 个点的坐标不是有限数值", k.0 + 1),
                format!("{en} has a non-finite coordinate at position {}", k.0 + 1),
            )
        }
        InvalidPolygon::InteriorRingNotContainedInExteriorRing(r) => {
            let (zh, en) = name(r);
            (
                first(r),
                format!("{zh}不在外环之内"),
                format!("{en} is not inside the exterior ring"),
            )
        }
        InvalidPolygon::IntersectingRingsOnALine(a, b) => {
            let ((za, ea), (zb, eb)) = (name(a), name(b));
            (
                first(b),
                format!("{za}与{zb}沿一条边相接"),
                format!("{ea} and {eb} touch along a line"),
            )
        }
        InvalidPolygon::IntersectingRingsOnAnArea(a, b) => {
            let ((za, ea), (zb, eb)) = (name(a), name(b));
            (
                first(b),
                format!("{za}与{zb}相互重叠"),
                format!("{ea} and {eb} overlap"),
            )
        }
    }
}

/// First point where a ring crosses or touches itself (other than at the
/// shared vertex of consecutive edges), or where consecutive edges fold
/// back on each other.
fn crossing(ring: &LineString<f64>) -> Option<Coord<f64>> {
    let mut pts = ring.0.clone();
    pts.dedup();
    if pts.len() < 3 {
        return None;
    }
    let segs: Vec<Line<f64>> = pts.windows(2).map(|w| Line::new(w[0], w[1])).collect();
    let n = segs.len();
    let closed = pts.first() == pts.last();
    for i in 0..n {
        for j in i + 1..n {
            let adjacent = j == i + 1 || (closed && i == 0 && j == n - 1);
            match line_intersection(segs[i], segs[j]) {
                // Consecutive edges meet at their shared vertex: normal.
                None | Some(LineIntersection::SinglePoint { .. }) if adjacent => {}
                None => {}
                Some(LineIntersection::SinglePoint { intersection, .. }) => {
                    return Some(intersection);
                }
                Some(LineIntersection::Collinear { intersection }) => {
                    return Some(intersection.start);
                }
            }
        }
    }
    None
}

/// Convex hull of an invalid grid, standing in for it in the gap check.
fn stand_in(shape: &MultiPolygon<f64>) -> Option<MultiPolygon<f64>> {
    let finite = shape
        .0
        .iter()
        .flat_map(|p| p.exterior().0.iter())
        .all(|c| c.x.is_finite() && c.y.is_finite());
    if !finite || shape.0.is_empty() {
        return None;
    }
    let hull = shape.convex_hull();
    (hull.unsigned_area() > 0.0).then(|| MultiPolygon(vec![hull]).orient(Direction::Default))
}

/// A point inside the largest part of a shape.
fn point_of(mp: &MultiPolygon<f64>) -> Option<LonLat> {
    let largest =
        mp.0.iter()
            .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    largest.interior_point().map(|p| LonLat::new(p.x(), p.y()))
}

/// About 5 mm in degrees: the distance within which a grid counts as
/// bordering a gap.
const NEAR_DEG: f64 = 5e-8;

type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;

fn envelope(mp: &MultiPolygon<f64>) -> Option<AABB<[f64; 2]>> {
    mp.bounding_rect()
        .map(|r| AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]))
}

fn bbox_tree<'a>(shapes: impl Iterator<Item = (usize, &'a MultiPolygon<f64>)>) -> RTree<Boxed> {
    RTree::bulk_load(
        shapes
            .filter_map(|(i, s)| {
                let r = s.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect(),
    )
}

/// A grid as named in a sentence: its code, or its feature number when it
/// has none.
fn label_zh(c: &Candidate) -> String {
    if c.code.trim().is_empty() {
        format!("（第 {} 个要素）", c.index)
    } else {
        c.code.clone()
    }
}

fn label_en(c: &Candidate) -> String {
    if c.code.trim().is_empty() {
        format!("(feature {})", c.index)
    } else {
        c.code.clone()
    }
}

/// "网格 G-001（第 3 个要素）" / "Grid G-001 (feature 3)".
fn grid_zh(c: &Candidate) -> String {
    if c.code.trim().is_empty() {
        format!("第 {} 个要素", c.index)
    } else {
        format!("网格 {}（第 {} 个要素）", c.code, c.index)
    }
}

fn grid_en(c: &Candidate) -> String {
    if c.code.trim().is_empty() {
        format!("Feature {}", c.index)
    } else {
        format!("Grid {} (feature {})", c.code, c.index)
    }
}

fn fmt_area(a: f64) -> String {
    if a < 10.0 {
        format!("{a:.1}")
    } else {
        format!("{a:.0}")
    }
}

fn at_zh(at: Option<LonLat>) -> String {
    at.map(|p| format!("（位于 {:.6}, {:.6}）", p.lon, p.lat))
        .unwrap_or_default()
}

fn at_en(at: Option<LonLat>) -> String {
    at.map(|p| format!(" (at {:.6}, {:.6})", p.lon, p.lat))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_of_a_bow_tie_is_its_centre() {
        let ring = LineString::from(vec![
            (0.0, 0.0),
            (2.0, 2.0),
            (2.0, 0.0),
            (0.0, 2.0),
            (0.0, 0.0),
        ]);
        assert_eq!(crossing(&ring), Some(Coord { x: 1.0, y: 1.0 }));
        let square = LineString::from(vec![
            (0.0, 0.0),
            (2.0, 0.0),
            (2.0, 2.0),
            (0.0, 2.0),
            (0.0, 0.0),
        ]);
        assert_eq!(crossing(&square), None);
        // A spike folding back along an edge.
        let spike = LineString::from(vec![
            (0.0, 0.0),
            (2.0, 0.0),
            (3.0, 0.0),
            (2.5, 0.0),
            (2.0, 2.0),
            (0.0, 0.0),
        ]);
        assert!(crossing(&spike).is_some());
    }
}
