//! Geography: coordinate systems and, later, the grid index.
//!
//! One system is stored: WGS84 (≈ CGCS2000 at the precision of a grid).
//! Phones in China report GCJ-02 (Gaode/Tencent), Baidu uses BD-09; both are
//! accepted on input and converted here.

pub mod bench;
pub mod crs;
pub mod index;
pub mod polygon;
pub mod shape;
pub mod validate;

pub use crs::{Crs, LonLat};
