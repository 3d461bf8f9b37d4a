//! In-memory grid index: which grid (网格) contains a lon/lat point.
//!
//! Grids are WGS84 multipolygons (x = lon, y = lat), possibly with holes.
//! [`GridIndex::build`] flattens every polygon into contiguous coordinate
//! arrays (laid out in tree order) and puts the bounding box of each polygon
//! into an rstar R-tree; a lookup asks the tree for the boxes containing the
//! point and runs an exact crossing-number test on those candidates only.
//! The index is immutable once built and holds no interior mutability, so it
//! can be shared freely behind an `Arc`.
//!
//! Two shortcuts keep lookups to a few cache misses, without changing any
//! answer: each tree leaf also carries a rectangle proven at build time to
//! lie inside its polygon, so a point in it needs no coordinates; and when no
//! polygon of another key meets that rectangle either, the lookup stops
//! there. [`GridIndex::locate_scan`] uses neither, and the tests check that
//! both agree.
//!
//! # Boundary rule
//!
//! Every grid is treated as a **closed** set: a point is in a grid when it is
//! strictly inside it or exactly on its boundary, where the boundary includes
//! the rings of its holes. A point strictly inside a hole is not in the grid.
//! When several grids contain a point (it lies on an edge or vertex they
//! share, on the border of a hole that another grid fills, or the grids
//! overlap) the **smallest key** wins. The answer therefore never depends on
//! the order in which entries were given to [`GridIndex::build`].
//!
//! "Exactly on" is decided with an exact orientation predicate (a fast
//! floating-point filter with an exact expansion-arithmetic fallback), so a
//! vertex shared by four grids, or a point that lies exactly on a shared
//! edge, is recognised as such rather than falling to whichever side
//! rounding happens to favour.
//!
//! Within one entry, rings are combined with the even-odd rule: for valid
//! polygons this is "inside the exterior and not inside any hole".

use crate::LonLat;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RStarInsertionStrategy, RTree, RTreeParams};
use std::ops::ControlFlow;

/// Metres per degree of latitude (and of longitude at the equator) used by
/// the snapping distance.
const M_PER_DEG: f64 = 111_320.0;

/// One grid to index: the caller's id and its shape in WGS84 lon/lat.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: u32,
    pub shape: geo::MultiPolygon<f64>,
}

/// The result of [`GridIndex::locate_or_snap`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Located {
    /// The point is in this grid (see the boundary rule in the module docs).
    Inside(u32),
    /// The point is in no grid, but this grid's boundary is within the
    /// allowed distance.
    Snapped { key: u32, distance_m: f64 },
    /// The point is in no grid and no grid is close enough. `nearest_m` is
    /// the distance to the nearest grid boundary (`None` if the index is
    /// empty).
    Outside { nearest_m: Option<f64> },
}

/// One polygon of an entry's multipolygon. It is stored in its R-tree leaf,
/// so the exact test goes straight from the tree to the coordinates.
#[derive(Debug, Clone, Copy)]
struct Part {
    key: u32,
    /// The exterior ring: `coords[exterior.0..exterior.1]`, closed.
    exterior: (u32, u32),
    /// The holes: `holes[holes.0..holes.1]` (usually empty).
    holes: (u32, u32),
    /// A rectangle known to lie in the polygon's interior, as fractions
    /// (0..=32767) of the leaf's box: x0, y0, x1, y1; empty when x0 > x1.
    /// A point in it is in the polygon without reading the coordinates.
    /// The top bit of `inner[0]` ([`EXCLUSIVE`]) says that no polygon of
    /// another key meets the rectangle either, so the answer is final.
    inner: [u16; 4],
}

const NO_INNER: [u16; 4] = [QUANTA as u16, QUANTA as u16, 0, 0];
const QUANTA: f64 = 32767.0;
const EXCLUSIVE: u16 = 0x8000;

enum InnerHit {
    No,
    /// In the polygon.
    Inside,
    /// In the polygon, and in no polygon with another key.
    Exclusive,
}

/// The part's inner rectangle in degrees (see [`Part::inner`]).
#[inline(always)]
fn inner_box(item: &TreeItem) -> Option<BBox> {
    let [x0, y0, x1, y1] = item.data.inner;
    let x0 = x0 & !EXCLUSIVE;
    if x0 > x1 {
        return None;
    }
    let (lo, hi) = (item.geom().lower(), item.geom().upper());
    let decode = |axis: usize, v: u16| {
        let l = f64::from(lo[axis]);
        l + (f64::from(hi[axis]) - l) * (f64::from(v) / QUANTA)
    };
    Some(BBox {
        min: [decode(0, x0), decode(1, y0)],
        max: [decode(0, x1), decode(1, y1)],
    })
}

#[inline(always)]
fn inner_hit(item: &TreeItem, q: [f64; 2]) -> InnerHit {
    match inner_box(item) {
        Some(r) if r.contains(q) => {
            if item.data.inner[0] & EXCLUSIVE != 0 {
                InnerHit::Exclusive
            } else {
                InnerHit::Inside
            }
        }
        _ => InnerHit::No,
    }
}

/// Quantise `r` inwards to fractions of the box `lo`–`hi`, one quantum
/// further in than needed so that decoding rounding cannot reach outside `r`.
fn quantize_inner(r: &BBox, lo: [f32; 2], hi: [f32; 2]) -> [u16; 4] {
    let mut out = [0u16; 4];
    for axis in 0..2 {
        let l = f64::from(lo[axis]);
        let w = f64::from(hi[axis]) - l;
        if w <= 0.0 {
            return NO_INNER;
        }
        let a = ((r.min[axis] - l) / w * QUANTA).ceil() + 1.0;
        let b = ((r.max[axis] - l) / w * QUANTA).floor() - 1.0;
        if !(0.0 <= a && a <= b && b <= QUANTA) {
            return NO_INNER;
        }
        out[axis] = a as u16;
        out[axis + 2] = b as u16;
    }
    out
}

/// A large axis-aligned rectangle inside the polygon with these rings
/// (exterior first), centred on the exterior's vertex average and shaped
/// like the bounding box; `None` if there is no useful one.
///
/// The rectangle is grown by bisection while no ring meets it enlarged by
/// a margin far above floating-point error. A connected set that contains
/// an interior point and meets no ring lies in the interior, so the result
/// is safe even though the segment–rectangle test itself is not exact.
fn inner_rect(rings: &[&[[f64; 2]]], bbox: &BBox) -> Option<BBox> {
    let ext = rings[0];
    let n = (ext.len() - 1) as f64;
    let c = [
        ext[..ext.len() - 1].iter().map(|p| p[0]).sum::<f64>() / n,
        ext[..ext.len() - 1].iter().map(|p| p[1]).sum::<f64>() / n,
    ];
    let mut inside = false;
    for ring in rings {
        match ring_crossings(ring, c) {
            Crossing::Boundary => return None,
            Crossing::Odd => inside = !inside,
            Crossing::Even => {}
        }
    }
    if !inside {
        return None;
    }
    let half = [
        (bbox.max[0] - bbox.min[0]) / 2.0,
        (bbox.max[1] - bbox.min[1]) / 2.0,
    ];
    let rect = |s: f64, m: f64| BBox {
        min: [c[0] - s * half[0] - m, c[1] - s * half[1] - m],
        max: [c[0] + s * half[0] + m, c[1] + s * half[1] + m],
    };
    let fits = |s: f64| {
        let r = rect(s, INNER_MARGIN_DEG);
        !rings
            .iter()
            .any(|ring| ring.windows(2).any(|w| segment_meets_box(w[0], w[1], &r)))
    };
    if !fits(0.0) {
        return None;
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..12 {
        let mid = (lo + hi) / 2.0;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo > 0.0).then(|| rect(lo, 0.0))
}

/// Margin added around inner rectangles before testing them against rings:
/// far above the rounding error of the (inexact) segment–box test at
/// lon/lat magnitudes (~1e-14°), far below anything on the ground.
const INNER_MARGIN_DEG: f64 = 1e-9;

/// Whether the polygon with these rings (even-odd) meets the box `r`:
/// some ring meets it, or the box's centre is inside.
fn polygon_meets_box(rings: &[&[[f64; 2]]], r: &BBox) -> bool {
    if rings
        .iter()
        .any(|ring| ring.windows(2).any(|w| segment_meets_box(w[0], w[1], r)))
    {
        return true;
    }
    let c = [(r.min[0] + r.max[0]) / 2.0, (r.min[1] + r.max[1]) / 2.0];
    let mut inside = false;
    for ring in rings {
        match ring_crossings(ring, c) {
            Crossing::Boundary => return true,
            Crossing::Odd => inside = !inside,
            Crossing::Even => {}
        }
    }
    inside
}

/// Whether segment a–b meets the closed box `r` (Liang–Barsky clipping).
fn segment_meets_box(a: [f64; 2], b: [f64; 2], r: &BBox) -> bool {
    if a[0].max(b[0]) < r.min[0]
        || a[0].min(b[0]) > r.max[0]
        || a[1].max(b[1]) < r.min[1]
        || a[1].min(b[1]) > r.max[1]
    {
        return false;
    }
    if r.contains(a) || r.contains(b) {
        return true;
    }
    let d = [b[0] - a[0], b[1] - a[1]];
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-d[0], a[0] - r.min[0]),
        (d[0], r.max[0] - a[0]),
        (-d[1], a[1] - r.min[1]),
        (d[1], r.max[1] - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// A hole, stored closed (last coordinate repeats the first).
#[derive(Debug, Clone, Copy)]
struct Ring {
    /// Range into `GridIndex::coords`.
    coords: (u32, u32),
    bbox: BBox,
}

#[derive(Debug, Clone, Copy)]
struct BBox {
    min: [f64; 2],
    max: [f64; 2],
}

impl BBox {
    fn of(coords: &[[f64; 2]]) -> BBox {
        let mut b = BBox {
            min: [f64::INFINITY; 2],
            max: [f64::NEG_INFINITY; 2],
        };
        for c in coords {
            b.min[0] = b.min[0].min(c[0]);
            b.min[1] = b.min[1].min(c[1]);
            b.max[0] = b.max[0].max(c[0]);
            b.max[1] = b.max[1].max(c[1]);
        }
        b
    }

    #[inline(always)]
    fn contains(&self, p: [f64; 2]) -> bool {
        self.min[0] <= p[0] && p[0] <= self.max[0] && self.min[1] <= p[1] && p[1] <= self.max[1]
    }

    /// Distance in metres from `q` to the box (0 inside), with the
    /// projection scales `kx`, `ky`.
    fn dist2_m(&self, q: [f64; 2], kx: f64, ky: f64) -> f64 {
        let dx = (self.min[0] - q[0]).max(q[0] - self.max[0]).max(0.0) * kx;
        let dy = (self.min[1] - q[1]).max(q[1] - self.max[1]).max(0.0) * ky;
        dx * dx + dy * dy
    }
}

/// Node size of the R-tree. Wider nodes than rstar's default (6) make the
/// tree shallower, which means fewer dependent cache misses per lookup.
struct Fanout;

impl RTreeParams for Fanout {
    const MIN_SIZE: usize = FANOUT_MIN;
    const MAX_SIZE: usize = FANOUT_MAX;
    const REINSERTION_COUNT: usize = 2;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

const FANOUT_MIN: usize = 3;
const FANOUT_MAX: usize = 10;

/// Tree boxes are stored in `f32`, rounded outwards, which makes the tree
/// nodes markedly smaller (fewer cache misses per lookup). Rounding the
/// query to the nearest `f32` is monotonic, so a box that contains the `f64`
/// point also contains the rounded point: the tree returns a superset of the
/// true candidates, and the exact `f64` test decides.
type TreeItem = GeomWithData<Rectangle<[f32; 2]>, Part>;

/// Largest `f32` not above `x`.
fn f32_down(x: f64) -> f32 {
    let y = x as f32;
    if f64::from(y) > x { y.next_down() } else { y }
}

/// Smallest `f32` not below `x`.
fn f32_up(x: f64) -> f32 {
    let y = x as f32;
    if f64::from(y) < x { y.next_up() } else { y }
}

fn f32_point(q: [f64; 2]) -> [f32; 2] {
    [q[0] as f32, q[1] as f32]
}

/// Degrees by which an `f32` envelope distance may exceed the true one: the
/// query's rounding to `f32` (half an ulp at 180°, 7.6e-6°) with margin,
/// plus [`F32_SLACK_REL`] of the distance for the `f32` arithmetic itself.
const F32_SLACK_DEG: f64 = 2e-5;
const F32_SLACK_REL: f64 = 1e-6;

/// A lower bound in metres of the distance to anything inside an envelope
/// whose `f32` squared distance in degrees is `d2`.
fn lower_bound_m(d2: f32, k_min: f64) -> f64 {
    let d = f64::from(d2).sqrt();
    (d - F32_SLACK_DEG - d * F32_SLACK_REL) * k_min
}

/// An immutable point-in-grid index over many multipolygons.
///
/// See the module documentation for the boundary rule.
pub struct GridIndex {
    entries: usize,
    tree: RTree<TreeItem, Fanout>,
    /// Every polygon with its bounding box, as a flat list: the naive scan.
    scan: Vec<(BBox, Part)>,
    holes: Vec<Ring>,
    coords: Vec<[f64; 2]>,
}

impl std::fmt::Debug for GridIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GridIndex")
            .field("entries", &self.entries)
            .field("polygons", &self.scan.len())
            .field("holes", &self.holes.len())
            .field("coords", &self.coords.len())
            .finish()
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("grid index holds at most u32::MAX rings and coordinates")
}

impl GridIndex {
    /// Build the index. Polygons whose exterior has fewer than three distinct
    /// vertices, or that contain a non-finite coordinate, are skipped (they
    /// cover no area), as are such holes; rings are closed if they are not
    /// already.
    pub fn build(entries: Vec<Entry>) -> GridIndex {
        let n = entries.len();
        let mut scan = Vec::new();
        let mut holes = Vec::new();
        let mut coords: Vec<[f64; 2]> = Vec::new();
        let mut buf: Vec<[f64; 2]> = Vec::new();

        // Copies a ring into `buf`, closed; false if it is unusable.
        fn load(buf: &mut Vec<[f64; 2]>, ls: &geo::LineString<f64>) -> bool {
            buf.clear();
            buf.extend(ls.0.iter().map(|c| [c.x, c.y]));
            if buf.iter().any(|c| !c[0].is_finite() || !c[1].is_finite()) {
                return false;
            }
            if let (Some(&first), Some(&last)) = (buf.first(), buf.last())
                && first != last
            {
                buf.push(first);
            }
            // At least 3 points plus the closing one.
            buf.len() >= 4
        }

        for entry in &entries {
            for poly in &entry.shape.0 {
                if !load(&mut buf, poly.exterior()) {
                    continue;
                }
                let bbox = BBox::of(&buf);
                let start = to_u32(coords.len());
                coords.extend_from_slice(&buf);
                let exterior = (start, to_u32(coords.len()));
                let first_hole = to_u32(holes.len());
                for hole in poly.interiors() {
                    if !load(&mut buf, hole) {
                        continue; // a degenerate hole removes nothing
                    }
                    let start = to_u32(coords.len());
                    coords.extend_from_slice(&buf);
                    holes.push(Ring {
                        coords: (start, to_u32(coords.len())),
                        bbox: BBox::of(&buf),
                    });
                }
                let part = Part {
                    key: entry.key,
                    exterior,
                    holes: (first_hole, to_u32(holes.len())),
                    inner: NO_INNER,
                };
                scan.push((bbox, part));
            }
        }

        let mut rings: Vec<&[[f64; 2]]> = Vec::new();
        let items: Vec<TreeItem> = scan
            .iter()
            .map(|(b, part)| {
                let lo = [f32_down(b.min[0]), f32_down(b.min[1])];
                let hi = [f32_up(b.max[0]), f32_up(b.max[1])];
                rings.clear();
                rings.push(&coords[part.exterior.0 as usize..part.exterior.1 as usize]);
                for hole in &holes[part.holes.0 as usize..part.holes.1 as usize] {
                    rings.push(&coords[hole.coords.0 as usize..hole.coords.1 as usize]);
                }
                let inner = inner_rect(&rings, b).map_or(NO_INNER, |r| quantize_inner(&r, lo, hi));
                GeomWithData::new(Rectangle::from_corners(lo, hi), Part { inner, ..*part })
            })
            .collect();
        let mut tree: RTree<TreeItem, Fanout> = RTree::bulk_load_with_params(items);

        // Which inner rectangles meet no polygon of another key (in tree
        // order, as the loop below visits the leaves).
        let exclusive: Vec<bool> = tree
            .iter()
            .map(|item| {
                let Some(r) = inner_box(item) else {
                    return false;
                };
                let r = BBox {
                    min: [r.min[0] - INNER_MARGIN_DEG, r.min[1] - INNER_MARGIN_DEG],
                    max: [r.max[0] + INNER_MARGIN_DEG, r.max[1] + INNER_MARGIN_DEG],
                };
                let env = AABB::from_corners(
                    [f32_down(r.min[0]), f32_down(r.min[1])],
                    [f32_up(r.max[0]), f32_up(r.max[1])],
                );
                tree.locate_in_envelope_intersecting(&env)
                    .filter(|other| other.data.key != item.data.key)
                    .all(|other| {
                        let part = &other.data;
                        let ext = &coords[part.exterior.0 as usize..part.exterior.1 as usize];
                        let hs = &holes[part.holes.0 as usize..part.holes.1 as usize];
                        rings.clear();
                        rings.push(ext);
                        for hole in hs {
                            rings.push(&coords[hole.coords.0 as usize..hole.coords.1 as usize]);
                        }
                        !polygon_meets_box(&rings, &r)
                    })
            })
            .collect();

        // Lay the coordinates out again in tree order, so that polygons that
        // are neighbours in the tree are neighbours in memory too.
        let mut laid = Vec::with_capacity(coords.len());
        let mut laid_holes = Vec::with_capacity(holes.len());
        let mut laid_scan = Vec::with_capacity(scan.len());
        for (item, exclusive) in tree.iter_mut().zip(exclusive) {
            let part = &mut item.data;
            if exclusive {
                part.inner[0] |= EXCLUSIVE;
            }
            let copy = |laid: &mut Vec<[f64; 2]>, (a, b): (u32, u32)| {
                let start = to_u32(laid.len());
                laid.extend_from_slice(&coords[a as usize..b as usize]);
                (start, to_u32(laid.len()))
            };
            part.exterior = copy(&mut laid, part.exterior);
            let first_hole = to_u32(laid_holes.len());
            for hole in &holes[part.holes.0 as usize..part.holes.1 as usize] {
                laid_holes.push(Ring {
                    coords: copy(&mut laid, hole.coords),
                    bbox: hole.bbox,
                });
            }
            part.holes = (first_hole, to_u32(laid_holes.len()));
            let bbox = BBox::of(&laid[part.exterior.0 as usize..part.exterior.1 as usize]);
            laid_scan.push((bbox, *part));
        }
        GridIndex {
            entries: n,
            tree,
            scan: laid_scan,
            holes: laid_holes,
            coords: laid,
        }
    }

    /// Number of entries given to [`GridIndex::build`].
    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The grid containing `p`: an R-tree bounding-box query, then an exact
    /// point-in-polygon test on each candidate (skipped when the point falls
    /// in a rectangle precomputed to lie inside the polygon). On shared
    /// boundaries the smallest key wins (see the module docs). Does not
    /// allocate.
    pub fn locate(&self, p: LonLat) -> Option<u32> {
        if !p.lon.is_finite() || !p.lat.is_finite() {
            return None;
        }
        let q = [p.lon, p.lat];
        let mut best: Option<u32> = None;
        let _ = self.tree.locate_all_at_point_int(&f32_point(q), |item| {
            let part = &item.data;
            if best.is_none_or(|b| part.key < b) {
                match inner_hit(item, q) {
                    InnerHit::Exclusive => {
                        best = Some(part.key);
                        return ControlFlow::Break(());
                    }
                    InnerHit::Inside => best = Some(part.key),
                    InnerHit::No => {
                        if self.part_contains(part, q) {
                            best = Some(part.key);
                        }
                    }
                }
            }
            ControlFlow::Continue(())
        });
        best
    }

    /// The naive reference for [`GridIndex::locate`]: no tree, a linear pass
    /// over every polygon that checks its bounding box and, when the box
    /// contains the point, runs the same exact test (never the inner
    /// rectangle shortcut). Same answers, for benchmarks and tests.
    pub fn locate_scan(&self, p: LonLat) -> Option<u32> {
        if !p.lon.is_finite() || !p.lat.is_finite() {
            return None;
        }
        let q = [p.lon, p.lat];
        let mut best: Option<u32> = None;
        for (bbox, part) in &self.scan {
            if bbox.contains(q) && best.is_none_or(|b| part.key < b) && self.part_contains(part, q)
            {
                best = Some(part.key);
            }
        }
        best
    }

    /// [`GridIndex::locate`], or else the grid whose boundary is nearest to
    /// `p` if that is at most `max_m` metres away.
    ///
    /// Distances use a local equirectangular projection at the point's
    /// latitude (111 320 m per degree, longitude scaled by cos(lat)); that
    /// is accurate to well under 1 % over the few hundred metres snapping is
    /// meant for. Equal distances go to the smallest key. The distance is to
    /// the grid's boundary, holes included, so a point in an unfilled hole
    /// snaps to the grid around it.
    pub fn locate_or_snap(&self, p: LonLat, max_m: f64) -> Located {
        if let Some(key) = self.locate(p) {
            return Located::Inside(key);
        }
        match self.nearest_boundary(p) {
            Some((key, d)) if d <= max_m => Located::Snapped { key, distance_m: d },
            Some((_, d)) => Located::Outside { nearest_m: Some(d) },
            None => Located::Outside { nearest_m: None },
        }
    }

    /// Nearest grid boundary to `p`: (key, metres).
    fn nearest_boundary(&self, p: LonLat) -> Option<(u32, f64)> {
        if !p.lon.is_finite() || !p.lat.is_finite() {
            return None;
        }
        let kx = M_PER_DEG * p.lat.to_radians().cos().abs();
        let ky = M_PER_DEG;
        // Envelope distance in degrees times the smaller scale is a lower
        // bound of the distance in metres to anything inside the envelope.
        let k_min = kx.min(ky);
        let q = [p.lon, p.lat];
        let mut best: Option<(u32, f64)> = None;
        for (item, d2) in self
            .tree
            .nearest_neighbor_iter_with_distance_2(&f32_point(q))
        {
            if let Some((_, bd)) = best
                && lower_bound_m(d2, k_min) > bd
            {
                break;
            }
            let part = &item.data;
            if let Some(d) = self.part_distance_m(part, q, kx, ky, best.map(|b| b.1)) {
                best = match best {
                    Some((bk, bd)) if bd < d || (bd == d && bk <= part.key) => Some((bk, bd)),
                    _ => Some((part.key, d)),
                };
            }
        }
        best
    }

    /// Distance in metres from `q` to the boundary of `part`, or `None` when
    /// every ring is certainly farther than `limit`.
    fn part_distance_m(
        &self,
        part: &Part,
        q: [f64; 2],
        kx: f64,
        ky: f64,
        limit: Option<f64>,
    ) -> Option<f64> {
        let mut best2 = limit.map_or(f64::INFINITY, |l| l * l);
        let mut found = false;
        let mut consider = |d2: f64, best2: &mut f64| {
            if d2 <= *best2 {
                *best2 = d2;
                found = true;
            }
        };
        consider(
            ring_dist2(self.ring_coords(part.exterior), q, kx, ky),
            &mut best2,
        );
        for hole in &self.holes[part.holes.0 as usize..part.holes.1 as usize] {
            // Holes whose box is already farther than the best are skipped.
            if hole.bbox.dist2_m(q, kx, ky) <= best2 {
                consider(
                    ring_dist2(self.ring_coords(hole.coords), q, kx, ky),
                    &mut best2,
                );
            }
        }
        found.then(|| best2.sqrt())
    }

    #[inline(always)]
    fn ring_coords(&self, range: (u32, u32)) -> &[[f64; 2]] {
        &self.coords[range.0 as usize..range.1 as usize]
    }

    /// Closed point-in-polygon test (boundary counts as inside), even-odd
    /// over the part's rings. The caller has checked the exterior's box.
    #[inline]
    fn part_contains(&self, part: &Part, q: [f64; 2]) -> bool {
        let mut inside = match ring_crossings(self.ring_coords(part.exterior), q) {
            Crossing::Boundary => return true,
            Crossing::Odd => true,
            Crossing::Even => false,
        };
        for hole in &self.holes[part.holes.0 as usize..part.holes.1 as usize] {
            if !hole.bbox.contains(q) {
                // Outside the ring's box: an even number of crossings.
                continue;
            }
            match ring_crossings(self.ring_coords(hole.coords), q) {
                Crossing::Boundary => return true,
                Crossing::Odd => inside = !inside,
                Crossing::Even => {}
            }
        }
        inside
    }
}

enum Crossing {
    Even,
    Odd,
    Boundary,
}

/// Crossing number of the ray from `q` towards +x with a closed ring, or
/// `Boundary` if `q` lies exactly on the ring.
///
/// An edge counts when its lower end is at or below `q` and its upper end
/// strictly above (half-open in y), and `q` is strictly left of it. Edges
/// are oriented bottom-to-top before testing, so an edge shared by two
/// rings gives both the same answer whichever direction they traverse it.
#[inline]
fn ring_crossings(cs: &[[f64; 2]], q: [f64; 2]) -> Crossing {
    let (qx, qy) = (q[0], q[1]);
    let mut odd = false;
    for w in cs.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] < qy && b[1] < qy) || (a[1] > qy && b[1] > qy) {
            continue;
        }
        if a[1] == b[1] {
            // Horizontal edge at q's height: only the boundary matters.
            if a[0].min(b[0]) <= qx && qx <= a[0].max(b[0]) {
                return Crossing::Boundary;
            }
            continue;
        }
        let (lo, hi) = if a[1] < b[1] { (a, b) } else { (b, a) };
        // Quick reject: q strictly right of both ends cannot be left of
        // the edge, and is not on it.
        if qx > lo[0] && qx > hi[0] {
            continue;
        }
        let o = orient2d(lo, hi, q);
        if o == 0.0 {
            return Crossing::Boundary;
        }
        if o > 0.0 && qy != hi[1] {
            odd = !odd;
        }
    }
    if odd { Crossing::Odd } else { Crossing::Even }
}

/// Smallest squared distance in metres from `q` to a closed ring's edges.
fn ring_dist2(cs: &[[f64; 2]], q: [f64; 2], kx: f64, ky: f64) -> f64 {
    let mut best = f64::INFINITY;
    for w in cs.windows(2) {
        let (ax, ay) = ((w[0][0] - q[0]) * kx, (w[0][1] - q[1]) * ky);
        let (bx, by) = ((w[1][0] - q[0]) * kx, (w[1][1] - q[1]) * ky);
        best = best.min(segment_origin_dist2(ax, ay, bx, by));
    }
    best
}

/// Squared distance from the origin to segment a–b.
#[inline]
fn segment_origin_dist2(ax: f64, ay: f64, bx: f64, by: f64) -> f64 {
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (ax + t * dx, ay + t * dy);
    x * x + y * y
}

/// Orientation of `c` relative to the directed line a→b: positive if `c`
/// is to the left, negative to the right, exactly zero if collinear.
///
/// The sign is exact: a floating-point evaluation is accepted when it is
/// outside Shewchuk's error bound, otherwise the determinant is summed
/// exactly from error-free products.
#[inline]
pub(crate) fn orient2d(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    const EPS: f64 = f64::EPSILON / 2.0;
    const BOUND: f64 = (3.0 + 16.0 * EPS) * EPS;
    let left = (a[0] - c[0]) * (b[1] - c[1]);
    let right = (a[1] - c[1]) * (b[0] - c[0]);
    let det = left - right;
    let bound = BOUND * (left.abs() + right.abs());
    if det > bound || -det > bound {
        return det;
    }
    orient2d_exact(a, b, c)
}

#[cold]
fn orient2d_exact(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    // (ax-cx)(by-cy) - (ay-cy)(bx-cx), expanded so that only products of
    // input coordinates appear (the cx*cy terms cancel).
    let products = [
        (a[0], b[1]),
        (-a[0], c[1]),
        (-c[0], b[1]),
        (-a[1], b[0]),
        (a[1], c[0]),
        (b[0], c[1]),
    ];
    let mut e = [0.0f64; 12];
    let mut len = 0;
    for (x, y) in products {
        let hi = x * y;
        let lo = x.mul_add(y, -hi); // exact: x*y == hi + lo
        for v in [lo, hi] {
            len = grow_expansion(&mut e, len, v);
        }
    }
    // Components are non-overlapping and in increasing magnitude: the sign
    // of the sum is the sign of the last non-zero one.
    e[..len]
        .iter()
        .rev()
        .copied()
        .find(|v| *v != 0.0)
        .unwrap_or(0.0)
}

/// Shewchuk's Grow-Expansion with zero elimination: adds `b` to the
/// expansion `e[..len]` in place and returns the new length.
fn grow_expansion(e: &mut [f64; 12], len: usize, b: f64) -> usize {
    let mut q = b;
    let mut out = 0;
    for i in 0..len {
        let (sum, err) = two_sum(q, e[i]);
        q = sum;
        if err != 0.0 {
            e[out] = err;
            out += 1;
        }
    }
    if q != 0.0 || out == 0 {
        e[out] = q;
        out += 1;
    }
    out
}

#[inline]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let x = a + b;
    let bv = x - a;
    let av = x - bv;
    (x, (a - av) + (b - bv))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, polygon};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)
        ]])
    }

    #[test]
    fn orient_signs_are_exact() {
        let a = [115.0, 34.0];
        let b = [115.5, 34.5];
        assert_eq!(orient2d(a, b, [115.25, 34.25]), 0.0);
        assert!(orient2d(a, b, [115.0, 34.5]) > 0.0);
        assert!(orient2d(a, b, [115.5, 34.0]) < 0.0);
        // A point one ulp off the line is not on it.
        let c = [115.25, f64::from_bits(34.25f64.to_bits() + 1)];
        assert!(orient2d(a, b, c) > 0.0);
        let c = [115.25, f64::from_bits(34.25f64.to_bits() - 1)];
        assert!(orient2d(a, b, c) < 0.0);
        // Swapping the ends flips the sign exactly.
        let c = [115.1, 34.1 + 1e-15];
        assert_eq!(orient2d(a, b, c), -orient2d(b, a, c));
    }

    #[test]
    fn exact_fallback_agrees_with_filtered_sign() {
        let mut s = 0x1234_5678_u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..10_000 {
            let a = [115.0 + next(), 34.0 + next()];
            let b = [115.0 + next(), 34.0 + next()];
            let c = [115.0 + next(), 34.0 + next()];
            let fast = orient2d(a, b, c);
            let exact = orient2d_exact(a, b, c);
            assert_eq!(fast.signum(), exact.signum(), "{a:?} {b:?} {c:?}");
        }
    }

    #[test]
    fn closed_rule_and_smallest_key() {
        let idx = GridIndex::build(vec![
            Entry {
                key: 7,
                shape: square(115.0, 34.0, 115.5, 34.5),
            },
            Entry {
                key: 3,
                shape: square(115.5, 34.0, 116.0, 34.5),
            },
        ]);
        assert_eq!(idx.len(), 2);
        assert_eq!(idx.locate(LonLat::new(115.25, 34.25)), Some(7));
        assert_eq!(idx.locate(LonLat::new(115.75, 34.25)), Some(3));
        // Shared edge and shared corner: smallest key.
        assert_eq!(idx.locate(LonLat::new(115.5, 34.25)), Some(3));
        assert_eq!(idx.locate(LonLat::new(115.5, 34.5)), Some(3));
        // Outer boundary of one grid only: that grid.
        assert_eq!(idx.locate(LonLat::new(115.0, 34.25)), Some(7));
        assert_eq!(idx.locate(LonLat::new(115.25, 34.5)), Some(7));
        assert_eq!(idx.locate(LonLat::new(114.99, 34.25)), None);
        assert_eq!(idx.locate(LonLat::new(f64::NAN, 34.25)), None);
    }

    #[test]
    fn rays_through_vertices_count_once() {
        // A diamond: rays level with its left and right vertices pass
        // exactly through them.
        let idx = GridIndex::build(vec![Entry {
            key: 1,
            shape: MultiPolygon(vec![polygon![
                (x: 115.0, y: 34.5), (x: 115.5, y: 34.0), (x: 116.0, y: 34.5), (x: 115.5, y: 35.0)
            ]]),
        }]);
        for (x, inside) in [
            (114.5, false),
            (115.0, true),
            (115.25, true),
            (115.5, true),
            (115.75, true),
            (116.0, true),
            (116.5, false),
        ] {
            let p = LonLat::new(x, 34.5);
            assert_eq!(idx.locate(p).is_some(), inside, "{p:?}");
            assert_eq!(idx.locate_scan(p).is_some(), inside, "{p:?}");
        }
        // Level with the top and bottom vertices.
        assert_eq!(idx.locate(LonLat::new(115.4, 35.0)), None);
        assert_eq!(idx.locate(LonLat::new(115.5, 35.0)), Some(1));
        assert_eq!(idx.locate(LonLat::new(115.4, 34.0)), None);
        assert_eq!(idx.locate(LonLat::new(115.5, 34.0)), Some(1));
    }

    #[test]
    fn degenerate_polygons_are_skipped() {
        let idx = GridIndex::build(vec![Entry {
            key: 1,
            shape: MultiPolygon(vec![polygon![(x: 115.0, y: 34.0), (x: 115.1, y: 34.0)]]),
        }]);
        assert_eq!(idx.len(), 1);
        assert_eq!(idx.locate(LonLat::new(115.05, 34.0)), None);
        assert_eq!(
            idx.locate_or_snap(LonLat::new(115.05, 34.0), 10.0),
            Located::Outside { nearest_m: None }
        );
    }

    #[test]
    fn segment_distance() {
        assert_eq!(segment_origin_dist2(-1.0, 2.0, 1.0, 2.0), 4.0);
        assert_eq!(segment_origin_dist2(3.0, 4.0, 6.0, 8.0), 25.0);
        assert_eq!(segment_origin_dist2(3.0, 4.0, 3.0, 4.0), 25.0);
    }
}
