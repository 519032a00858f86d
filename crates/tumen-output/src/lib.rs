//! Observers that turn a run into files: Flee's `out.csv`, `summary.json`, and the validation
//! metrics Flee reports.

mod files;
mod metrics;
mod observer;
mod summary;
mod system;
mod table;

pub use files::write_atomic;
pub use metrics::{Ard, ard};
pub use observer::{FleeTableObserver, run_to_table};
pub use summary::{Summary, Validation};
pub use system::{
    Band, COMPARISON_COLUMNS, CompareError, ComparisonRow, Period, PeriodBands, Periods,
    QUANTITIES, STATUS_COLUMNS, SystemEnsemble, SystemLayout, SystemObserver, SystemRecord,
    TARGET_COLUMNS, TargetOutcome, TargetResult, TargetRow, TargetsError, WEEKLY_COLUMNS,
    YEARLY_COLUMNS, aggregate, compare, format_number, read_targets, targets_table,
    write_comparison_csv, write_targets_csv,
};
pub use table::TableError;
pub use table::{FleeRow, FleeTable};
