//! The power and responsibility list (权责清单): every enforcement item a
//! township may hold, with its legal basis (versioned by date), discretion
//! benchmark, departments, supervision, responsibilities, accountability and
//! its standard procedure broken into simple steps (颗粒化).
//!
//! APL Art. 24: a township acts only under items devolved to it by a
//! published decision. Art. 37: the law in force at the time of the act
//! applies, unless a later rule is lighter. Art. 39: the list is public.

mod basis;
mod devolution;
mod flowchart;
mod item;
mod steps;

pub use basis::{BasisChoice, LegalBasis, choose_basis};
pub use devolution::{DutyDecision, duty_access, require_held};
pub use flowchart::flowchart_svg;
pub use item::{DiscretionTier, Field, Item, ItemKind, validate_item};
pub use steps::{Step, standard_steps};
