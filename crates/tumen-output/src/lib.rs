//! Observers that turn a run into files: Flee's `out.csv`, `summary.json`, and the validation
//! metrics Flee reports.

mod files;
mod metrics;
mod observer;
mod summary;
mod table;

pub use files::write_atomic;
pub use metrics::{Ard, ard};
pub use observer::{FleeTableObserver, run_to_table};
pub use summary::{Summary, Validation};
pub use table::TableError;
pub use table::{FleeRow, FleeTable};
