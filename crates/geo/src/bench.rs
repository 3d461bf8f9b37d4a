//! Point-location benchmark on a synthetic township-sized tiling.
//!
//! [`synthetic_grids`] tiles a rectangle around Shangqiu with irregular
//! polygons that share their edges exactly (no gaps, no overlaps), a few of
//! them with a hole that another grid fills. [`run`] builds a
//! [`GridIndex`] over them and measures lookups per second with the index
//! and with the naive scan.

use crate::LonLat;
use crate::index::{Entry, GridIndex};
use geo::{LineString, MultiPolygon, Polygon};
use std::hint::black_box;
use std::time::Instant;

/// Longitude range of the synthetic region (degrees).
pub const LON_RANGE: (f64, f64) = (115.0, 116.5);
/// Latitude range of the synthetic region (degrees).
pub const LAT_RANGE: (f64, f64) = (33.8, 34.8);

/// Share of lattice cells that get a hole (filled by an extra grid).
const HOLE_SHARE: f64 = 0.05;
/// Corner jitter, as a fraction of the cell size.
const CORNER_JITTER: f64 = 0.18;
/// Position jitter of intermediate edge points along the edge.
const ALONG_JITTER: f64 = 0.08;
/// Sideways offset of intermediate edge points, as a fraction of the cell.
const SIDE_JITTER: f64 = 0.06;

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stateless hash of a seed and a few small integers.
fn hash(seed: u64, tag: u64, i: usize, j: usize) -> u64 {
    let h = splitmix64(seed ^ tag.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let h = splitmix64(h ^ i as u64);
    splitmix64(h ^ (j as u64).rotate_left(32))
}

/// Uniform in [0, 1).
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Uniform in [-1, 1).
fn signed(h: u64) -> f64 {
    unit(h) * 2.0 - 1.0
}

/// A sequential generator for the things that are not tied to a position.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix64(self.0)
    }
}

struct Lattice {
    cols: usize,
    rows: usize,
    dx: f64,
    dy: f64,
    seed: u64,
}

const TAG_CORNER_X: u64 = 1;
const TAG_CORNER_Y: u64 = 2;
const TAG_H_EDGE: u64 = 3;
const TAG_V_EDGE: u64 = 4;
const TAG_HOLE: u64 = 5;

impl Lattice {
    fn corner(&self, i: usize, j: usize) -> [f64; 2] {
        let x = if i == self.cols {
            LON_RANGE.1
        } else {
            LON_RANGE.0 + i as f64 * self.dx
        };
        let y = if j == self.rows {
            LAT_RANGE.1
        } else {
            LAT_RANGE.0 + j as f64 * self.dy
        };
        // Border corners only slide along the border.
        let jx = if i > 0 && i < self.cols {
            signed(hash(self.seed, TAG_CORNER_X, i, j)) * CORNER_JITTER * self.dx
        } else {
            0.0
        };
        let jy = if j > 0 && j < self.rows {
            signed(hash(self.seed, TAG_CORNER_Y, i, j)) * CORNER_JITTER * self.dy
        } else {
            0.0
        };
        [x + jx, y + jy]
    }

    /// Intermediate points of the edge from `a` to `b`: 1–2 on horizontal
    /// edges, 0–2 on vertical ones, so a cell has 6–12 vertices. Border
    /// edges stay straight so the tiling covers the region exactly.
    fn edge_points(&self, horizontal: bool, i: usize, j: usize) -> Vec<[f64; 2]> {
        let (a, b, tag, border) = if horizontal {
            let border = j == 0 || j == self.rows;
            (self.corner(i, j), self.corner(i + 1, j), TAG_H_EDGE, border)
        } else {
            let border = i == 0 || i == self.cols;
            (self.corner(i, j), self.corner(i, j + 1), TAG_V_EDGE, border)
        };
        let h = hash(self.seed, tag, i, j);
        let k = if horizontal {
            1 + (h % 2) as usize
        } else {
            (h % 3) as usize
        };
        (0..k)
            .map(|m| {
                let hm = splitmix64(h ^ (m as u64 + 1));
                let t = (m + 1) as f64 / (k + 1) as f64 + signed(hm) * ALONG_JITTER;
                let side = if border {
                    0.0
                } else {
                    signed(splitmix64(hm)) * SIDE_JITTER
                };
                let mut p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                if horizontal {
                    p[1] += side * self.dy;
                } else {
                    p[0] += side * self.dx;
                }
                p
            })
            .collect()
    }

    /// Counter-clockwise outline of cell (i, j).
    fn cell(&self, i: usize, j: usize) -> Vec<[f64; 2]> {
        let mut ring = vec![self.corner(i, j)];
        ring.extend(self.edge_points(true, i, j));
        ring.push(self.corner(i + 1, j));
        ring.extend(self.edge_points(false, i + 1, j));
        ring.push(self.corner(i + 1, j + 1));
        ring.extend(self.edge_points(true, i, j + 1).into_iter().rev());
        ring.push(self.corner(i, j + 1));
        ring.extend(self.edge_points(false, i, j).into_iter().rev());
        ring
    }

    /// A small irregular ring (6–8 vertices) around the middle of a cell,
    /// clockwise.
    fn hole(&self, i: usize, j: usize) -> Vec<[f64; 2]> {
        let c = [
            self.corner(i, j),
            self.corner(i + 1, j),
            self.corner(i + 1, j + 1),
            self.corner(i, j + 1),
        ];
        let cx = c.iter().map(|p| p[0]).sum::<f64>() / 4.0;
        let cy = c.iter().map(|p| p[1]).sum::<f64>() / 4.0;
        let h = hash(self.seed, TAG_HOLE, i, j);
        let k = 6 + (h % 3) as usize;
        (0..k)
            .rev()
            .map(|m| {
                let hm = splitmix64(h ^ (m as u64 + 1));
                let a = (m as f64 + 0.3 * signed(hm)) / k as f64 * std::f64::consts::TAU;
                let r = 0.12 * (1.0 + 0.2 * signed(splitmix64(hm)));
                [cx + r * a.cos() * self.dx, cy + r * a.sin() * self.dy]
            })
            .collect()
    }
}

fn polygon(ring: Vec<[f64; 2]>, holes: Vec<Vec<[f64; 2]>>) -> MultiPolygon<f64> {
    let ls =
        |r: Vec<[f64; 2]>| LineString::from(r.into_iter().map(|[x, y]| (x, y)).collect::<Vec<_>>());
    MultiPolygon(vec![Polygon::new(
        ls(ring),
        holes.into_iter().map(ls).collect(),
    )])
}

/// `n` irregular grids tiling the region [`LON_RANGE`] × [`LAT_RANGE`]
/// without gaps or overlaps: a jittered lattice of cells with 6–12 vertices
/// whose neighbours share edges coordinate for coordinate; about one cell in
/// twenty has a hole, filled by a grid of its own. Keys are `0..n` in the
/// returned order. Deterministic for a given `(n, seed)`.
pub fn synthetic_grids(n: usize, seed: u64) -> Vec<Entry> {
    if n == 0 {
        return Vec::new();
    }
    // Cells roughly square on the ground: the region is ~138 km × 111 km.
    let aspect =
        (LON_RANGE.1 - LON_RANGE.0) * (34.3f64).to_radians().cos() / (LAT_RANGE.1 - LAT_RANGE.0);
    let target = ((n as f64 / (1.0 + HOLE_SHARE)).ceil() as usize).max(1);
    let rows = ((target as f64 / aspect).sqrt().round() as usize).max(1);
    let mut cols = (target / rows).max(1);
    // Every extra grid needs a holed cell to fill.
    while n - rows * cols > rows * cols {
        cols += 1;
    }
    let cells = rows * cols;
    let holes = n - cells;

    let lattice = Lattice {
        cols,
        rows,
        dx: (LON_RANGE.1 - LON_RANGE.0) / cols as f64,
        dy: (LAT_RANGE.1 - LAT_RANGE.0) / rows as f64,
        seed,
    };

    // Pick `holes` distinct cells (partial Fisher–Yates).
    let mut order: Vec<usize> = (0..cells).collect();
    let mut rng = Rng(seed ^ 0x05ee_d0f4_01e5);
    for a in 0..holes {
        let b = a + (rng.next_u64() % (cells - a) as u64) as usize;
        order.swap(a, b);
    }
    let mut holed = vec![false; cells];
    for &c in &order[..holes] {
        holed[c] = true;
    }

    let mut out = Vec::with_capacity(n);
    for j in 0..rows {
        for i in 0..cols {
            let ring = lattice.cell(i, j);
            if holed[j * cols + i] {
                let hole = lattice.hole(i, j);
                let mut fill = hole.clone();
                fill.reverse();
                out.push(Entry {
                    key: out.len() as u32,
                    shape: polygon(ring, vec![hole]),
                });
                out.push(Entry {
                    key: out.len() as u32,
                    shape: polygon(fill, Vec::new()),
                });
            } else {
                out.push(Entry {
                    key: out.len() as u32,
                    shape: polygon(ring, Vec::new()),
                });
            }
        }
    }
    debug_assert_eq!(out.len(), n);
    out
}

/// `n` uniformly random points in the synthetic region (deterministic).
pub fn random_points(n: usize, seed: u64) -> Vec<LonLat> {
    let mut rng = Rng(splitmix64(seed ^ 0x0123_4567_89ab_cdef));
    (0..n)
        .map(|_| {
            let u = unit(rng.next_u64());
            let v = unit(rng.next_u64());
            LonLat::new(
                (LON_RANGE.0 + u * (LON_RANGE.1 - LON_RANGE.0)).min(LON_RANGE.1),
                (LAT_RANGE.0 + v * (LAT_RANGE.1 - LAT_RANGE.0)).min(LAT_RANGE.1),
            )
        })
        .collect()
}

/// Figures from [`run`].
#[derive(Debug, Clone, PartialEq)]
pub struct LocateFigures {
    pub polygons: usize,
    pub points: usize,
    pub build_ms: f64,
    /// Lookups per second with the index (one thread, all points).
    pub index_per_s: f64,
    /// Lookups per second with the naive scan (one thread, a sample).
    pub scan_per_s: f64,
    /// Size of the sample timed with the naive scan.
    pub scan_points: usize,
    /// `index_per_s / scan_per_s`.
    pub speedup: f64,
    /// Points that fell in some grid (all of them, for this tiling).
    pub found: usize,
}

impl LocateFigures {
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!(
                "polygons: {}, points: {} ({} located)",
                self.polygons, self.points, self.found
            ),
            format!("build: {:.1} ms", self.build_ms),
            format!("index: {:.0} lookups/s", self.index_per_s),
            format!(
                "naive scan: {:.0} lookups/s (sample of {} points)",
                self.scan_per_s, self.scan_points
            ),
            format!("speedup: {:.0}×", self.speedup),
        ]
    }
}

/// Largest sample timed with the naive scan.
const SCAN_SAMPLE: usize = 2_000;
/// Untimed lookups before the timed pass.
const WARM_UP: usize = 10_000;

fn rate(n: usize, secs: f64) -> f64 {
    if n == 0 || secs <= 0.0 {
        0.0
    } else {
        n as f64 / secs
    }
}

/// Build an index over `polygons` synthetic grids and time `points` random
/// lookups with it (after an untimed warm-up on up to 10,000 of them), then
/// time the naive scan on the first `min(points, 2000)` of those points.
/// Both run on the calling thread.
///
/// # Panics
/// If the index and the naive scan disagree on any sampled point.
pub fn run(polygons: usize, points: usize, seed: u64) -> LocateFigures {
    let grids = synthetic_grids(polygons, seed);
    let pts = random_points(points, seed);

    let t = Instant::now();
    let index = GridIndex::build(grids);
    let build_ms = t.elapsed().as_secs_f64() * 1e3;

    // Warm up (caches, branch predictors) on a slice of the points.
    for p in pts.iter().take(WARM_UP) {
        black_box(index.locate(black_box(*p)));
    }

    let t = Instant::now();
    let mut found = 0usize;
    for p in &pts {
        if black_box(index.locate(black_box(*p))).is_some() {
            found += 1;
        }
    }
    let index_secs = t.elapsed().as_secs_f64();

    let scan_points = points.min(SCAN_SAMPLE);
    let sample = &pts[..scan_points];
    let t = Instant::now();
    let scanned: Vec<Option<u32>> = sample
        .iter()
        .map(|p| index.locate_scan(black_box(*p)))
        .collect();
    let scan_secs = t.elapsed().as_secs_f64();

    for (p, s) in sample.iter().zip(&scanned) {
        let i = index.locate(*p);
        assert_eq!(i, *s, "index and naive scan disagree at {p:?}");
    }

    let index_per_s = rate(points, index_secs);
    let scan_per_s = rate(scan_points, scan_secs);
    LocateFigures {
        polygons,
        points,
        build_ms,
        index_per_s,
        scan_per_s,
        scan_points,
        speedup: if scan_per_s > 0.0 {
            index_per_s / scan_per_s
        } else {
            0.0
        },
        found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_vertex_numbers() {
        for n in [0usize, 1, 2, 3, 5, 17, 300, 1001] {
            let g = synthetic_grids(n, 9);
            assert_eq!(g.len(), n, "n = {n}");
            for (k, e) in g.iter().enumerate() {
                assert_eq!(e.key as usize, k);
            }
        }
        let g = synthetic_grids(2_000, 4);
        let mut holes = 0;
        for (k, e) in g.iter().enumerate() {
            assert_eq!(e.shape.0.len(), 1);
            let poly = &e.shape.0[0];
            // Closed ring: distinct vertices = len - 1.
            let v = poly.exterior().0.len() - 1;
            let fills_previous = k > 0
                && g[k - 1].shape.0[0].interiors().first().is_some_and(|h| {
                    let (h, f) = (&h.0, &poly.exterior().0);
                    h.len() == f.len() && h[..h.len() - 1].iter().rev().eq(&f[..f.len() - 1])
                });
            if fills_previous {
                assert!((6..=8).contains(&v), "hole filler with {v} vertices");
            } else {
                assert!((6..=12).contains(&v), "cell with {v} vertices");
                holes += poly.interiors().len();
            }
        }
        assert!(holes > 50, "{holes} holes");
    }

    #[test]
    fn deterministic() {
        assert_eq!(synthetic_grids(500, 3), synthetic_grids(500, 3));
        assert_ne!(synthetic_grids(500, 3), synthetic_grids(500, 4));
        assert_eq!(random_points(100, 3), random_points(100, 3));
    }

    #[test]
    fn small_run_agrees() {
        let f = run(300, 3_000, 1);
        assert_eq!(f.points, 3_000);
        assert_eq!(f.scan_points, 2_000);
        assert_eq!(f.found, 3_000);
        assert!(f.index_per_s > 0.0 && f.scan_per_s > 0.0);
        assert_eq!(f.lines().len(), 5);
    }
}
