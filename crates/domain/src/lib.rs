//! The enforcement domain: plain types and rules with no I/O.
//!
//! Everything that decides *what is allowed* lives here, so that the store,
//! the HTTP server and the command line only translate to and from it.

pub mod access;
pub mod assessment;
pub mod audit;
pub mod calendar;
pub mod camera;
pub mod case;
pub mod duty;
pub mod error;
pub mod json;
pub mod lang;
pub mod org;
pub mod password;
pub mod powerlist;
pub mod report;
pub mod time;

pub use error::{Error, ErrorKind};
pub use lang::Lang;
