//! Observers that turn a run into files: Flee's `out.csv`, `summary.json`, and the validation
//! metrics Flee reports.

mod metrics;
mod table;

pub use metrics::{Ard, ard};
pub use table::TableError;
pub use table::{FleeRow, FleeTable};
