//! Plain polygon helpers on lon/lat rings: point-in-ring, area in square
//! metres, and clipping by a half-plane (used to draw Voronoi cells).

use crate::LonLat;

/// A closed ring; the last point need not repeat the first.
pub type Ring = Vec<LonLat>;

/// Even-odd point-in-ring test.
pub fn contains(ring: &[LonLat], p: LonLat) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.lat > p.lat) != (b.lat > p.lat) {
            let x = (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon;
            if p.lon < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

/// Metres per degree at a latitude (local equirectangular approximation,
/// accurate to well under 1 % at grid scale).
fn scale(lat0: f64) -> (f64, f64) {
    let r = lat0.to_radians();
    (111_320.0 * r.cos(), 110_574.0)
}

/// Area of a ring in square metres.
pub fn area_m2(ring: &[LonLat]) -> f64 {
    if ring.len() < 3 {
        return 0.0;
    }
    let lat0 = ring.iter().map(|p| p.lat).sum::<f64>() / ring.len() as f64;
    let (sx, sy) = scale(lat0);
    let mut s = 0.0;
    for i in 0..ring.len() {
        let a = ring[i];
        let b = ring[(i + 1) % ring.len()];
        s += (a.lon * sx) * (b.lat * sy) - (b.lon * sx) * (a.lat * sy);
    }
    (s / 2.0).abs()
}

/// Bounding box: (min lon, min lat, max lon, max lat).
pub fn bbox(ring: &[LonLat]) -> (f64, f64, f64, f64) {
    ring.iter().fold(
        (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
        |(a, b, c, d), p| (a.min(p.lon), b.min(p.lat), c.max(p.lon), d.max(p.lat)),
    )
}

/// Keep the part of `ring` closer to `site` than to `other`
/// (Sutherland–Hodgman against the perpendicular bisector).
pub fn clip_closer_to(ring: &[LonLat], site: LonLat, other: LonLat) -> Ring {
    // Work in scaled metres so the bisector is a true perpendicular; the
    // scale is taken at the pair's mid-latitude so both cells share it.
    let (sx, sy) = scale((site.lat + other.lat) / 2.0);
    let f = |p: LonLat| -> f64 {
        let (dx0, dy0) = ((p.lon - site.lon) * sx, (p.lat - site.lat) * sy);
        let (dx1, dy1) = ((p.lon - other.lon) * sx, (p.lat - other.lat) * sy);
        (dx1 * dx1 + dy1 * dy1) - (dx0 * dx0 + dy0 * dy0) // > 0: closer to site
    };
    let mut out = Vec::with_capacity(ring.len() + 2);
    let n = ring.len();
    for i in 0..n {
        let cur = ring[i];
        let prev = ring[(i + n - 1) % n];
        let (fc, fp) = (f(cur), f(prev));
        if fc >= 0.0 {
            if fp < 0.0 {
                out.push(cross(prev, cur, fp, fc));
            }
            out.push(cur);
        } else if fp >= 0.0 {
            out.push(cross(prev, cur, fp, fc));
        }
    }
    out
}

fn cross(a: LonLat, b: LonLat, fa: f64, fb: f64) -> LonLat {
    let t = fa / (fa - fb);
    LonLat::new(a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat))
}

/// The Voronoi cell of `sites[i]` inside `ring`.
pub fn voronoi_cell(ring: &[LonLat], sites: &[LonLat], i: usize) -> Ring {
    let mut cell: Ring = ring.to_vec();
    for (j, other) in sites.iter().enumerate() {
        if j != i && cell.len() >= 3 {
            cell = clip_closer_to(&cell, sites[i], *other);
        }
    }
    cell
}

/// Halton low-discrepancy value (deterministic, well spread).
pub fn halton(mut index: u32, base: u32) -> f64 {
    let (mut f, mut r) = (1.0, 0.0);
    while index > 0 {
        f /= base as f64;
        r += f * (index % base) as f64;
        index /= base;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Ring {
        vec![
            LonLat::new(115.0, 34.0),
            LonLat::new(115.01, 34.0),
            LonLat::new(115.01, 34.01),
            LonLat::new(115.0, 34.01),
        ]
    }

    #[test]
    fn area_of_a_hundredth_degree_square_near_34n() {
        // 0.01° × 0.01° at 34°N ≈ 922.9 m × 1105.7 m ≈ 1.0205 km²
        let a = area_m2(&square());
        assert!((a - 1_020_500.0).abs() < 5_000.0, "{a}");
    }

    #[test]
    fn contains_inside_not_outside() {
        assert!(contains(&square(), LonLat::new(115.005, 34.005)));
        assert!(!contains(&square(), LonLat::new(115.02, 34.005)));
    }

    #[test]
    fn voronoi_cells_partition_the_ring() {
        let sites = [
            LonLat::new(115.002, 34.002),
            LonLat::new(115.008, 34.003),
            LonLat::new(115.005, 34.008),
        ];
        let total: f64 = (0..3)
            .map(|i| area_m2(&voronoi_cell(&square(), &sites, i)))
            .sum();
        // Each cell's area is taken at its own mean latitude: agree to 0.05 %.
        let whole = area_m2(&square());
        assert!((total - whole).abs() / whole < 5e-4, "{total} vs {whole}");
        for (i, s) in sites.iter().enumerate() {
            assert!(contains(&voronoi_cell(&square(), &sites, i), *s));
        }
    }
}
