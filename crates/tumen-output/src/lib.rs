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
pub use geojson::{
    GeoJsonError, links_geojson, locations_geojson, read_geojson, write_geojson,
    write_links_geojson, zero_length_links,
};
pub use hxl::{HXL_COLUMNS, HXL_TAGS, iso3, write_hxl_csv};
pub use long::{LONG_COLUMNS, run_metadata, write_long_csv};
#[cfg(feature = "parquet")]
pub use long::{write_long_parquet, write_long_parquet_with_metadata};
pub use metrics::{Ard, ard};
pub use observer::{FleeTableObserver, run_to_table};
pub use summary::Validation;
pub use system::{
    Band, COMPARISON_COLUMNS, CompareError, ComparisonRow, ORIGINS_COLUMNS, Period, PeriodBands,
    Periods, QUANTITIES, STATUS_COLUMNS, SystemEnsemble, SystemLayout, SystemObserver,
    SystemRecord, TARGET_COLUMNS, TargetOutcome, TargetResult, WEEKLY_COLUMNS, YEARLY_COLUMNS,
    aggregate, compare, format_count, format_number, quantile, targets_table, write_comparison_csv,
    write_targets_csv,
};
pub use table::TableError;
pub use table::{FleeRow, FleeTable};
pub use tumen_core::TargetRow;
