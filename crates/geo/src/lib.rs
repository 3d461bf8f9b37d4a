//! Geography: coordinate systems and, later, the grid index.
//!
//! One system is stored: WGS84 (≈ CGCS2000 at the precision of a grid).
//! Phones in China report GCJ-02 (Gaode/Tencent), Baidu uses BD-09; both are
//! accepted on input and converted here.

pub mod crs;
pub mod polygon;

pub use crs::{Crs, LonLat};
