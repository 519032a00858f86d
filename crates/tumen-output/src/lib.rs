//! Observers that turn a run into files: Flee's `out.csv`, `summary.json`, and the validation
//! metrics Flee reports.

mod daily;
mod files;
mod geojson;
mod hxl;
mod long;
mod metrics;
mod observer;
mod summary;
mod system;
mod table;

pub use daily::{Daily, DailyError, DailyObserver, LinkInfo, LocationInfo, RunNetwork, WideTable};
pub use files::write_atomic;
pub use geojson::{GeoJsonError, read_geojson, to_geojson, write_geojson};
pub use hxl::{HXL_TAGS, write_hxl_csv};
#[cfg(feature = "parquet")]
pub use long::write_long_parquet;
pub use long::{LONG_COLUMNS, write_long_csv};
pub use metrics::{Ard, ard};
pub use observer::{FleeTableObserver, run_to_table};
pub use summary::{Summary, Validation};
pub use system::{
    Band, COMPARISON_COLUMNS, CompareError, ComparisonRow, Period, PeriodBands, Periods,
    QUANTITIES, STATUS_COLUMNS, SystemEnsemble, SystemLayout, SystemObserver, SystemRecord,
    TARGET_COLUMNS, TargetOutcome, TargetResult, TargetRow, TargetsError, WEEKLY_COLUMNS,
    YEARLY_COLUMNS, aggregate, compare, format_number, quantile, read_targets, targets_table,
    write_comparison_csv, write_targets_csv,
};
pub use table::TableError;
pub use table::{FleeRow, FleeTable};
