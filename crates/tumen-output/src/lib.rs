//! Observers that turn a run into files: Flee's `out.csv`, `summary.json`, and the validation
//! metrics Flee reports.

mod table;

pub use table::{FleeRow, FleeTable};
