//! The one net through HTTP: every channel posts to one intake; the queue
//! lists and streams reports; the closed loop advances through actions.
//!
//! - `intake`: receive, locate, classify, triage and store a report
//! - `hotline`: batches of 12345 hotline records, checked whole first
//! - `photos`: uploads checked by content and stored by SHA-256
//! - `actions`: dispatch → accept → handle → report back → verify → close
//! - `queue`: one report, the filtered list, the live stream
//! - `supervise`: pauses and extensions with approval, supervision notices

pub mod actions;
pub mod hotline;
pub mod intake;
pub mod photos;
pub mod queue;
pub mod supervise;

pub use actions::act;
pub use intake::{NewReportRequest, Source, Suggestion, intake, submit};
pub use queue::{UNCLASSIFIED, get_report, list_reports, stream};

#[doc(hidden)]
pub use actions::__path_act;
#[doc(hidden)]
pub use intake::__path_submit;
#[doc(hidden)]
pub use queue::{__path_get_report, __path_list_reports, __path_stream};
