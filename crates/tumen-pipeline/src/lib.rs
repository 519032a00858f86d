//! Tumen's run pipeline as a library. Every front end (the `tumen` command, the Python
//! package) goes through it, so that a run, its files and its summary are made in one place:
//!
//! 1. [`load`] reads a scenario directory, or the embedded flagship ([`ScenarioSource`]), with
//!    its calibration targets, and returns a [`Prepared`] scenario with its diagnostics;
//! 2. [`Plan::new`] resolves the run's defaults (replicas, engine) and its record (`run.json`);
//! 3. [`Plan::execute`] runs it: a single run is a one-replica ensemble, on the one replica loop
//!    of `tumen-ensemble`, with the observers every output needs;
//! 4. [`RunOutput::write`] writes every file into a directory (atomically, each file complete
//!    or absent) and returns their paths.
//!
//! [`compare`] runs policy variants over paired replicas the same way. Nothing here prints:
//! warnings, notes and target problems are returned as data, and the caller shows them.
//!
//! # Example
//! ```
//! use tumen_pipeline::{EngineChoice, NoProgress, Plan, RunRequest, ScenarioSource};
//!
//! let request = RunRequest {
//!     days: Some(30),
//!     replicas: Some(2),
//!     engine: EngineChoice::Counts,
//!     ..RunRequest::default()
//! };
//! let prepared = tumen_pipeline::load(&ScenarioSource::Embedded, &request.load_options()).unwrap();
//! let plan = Plan::new(&prepared, &request).unwrap();
//! let output = plan.execute(&NoProgress).unwrap();
//! assert_eq!(output.ensemble.replicas.len(), 2);
//! assert_eq!(output.summary.days, 30);
//! ```

pub mod calibrate;
mod compare;
mod embedded;
mod error;
mod record;
mod run;
mod scenario;
pub mod sensitivity;
pub mod shard;
pub mod spread;
mod summary;
mod write;

pub use compare::{
    CompareRequest, Comparison, Variant, compare, compare_spread, default_variants, load_baseline,
    load_variants, parse_variant,
};
pub use embedded::FILES as EMBEDDED_FILES;
pub use error::Error;
pub use record::{Fnv64, InputFile, RunRecord, ScenarioRecord, hash_bytes, utc_timestamp};
pub use run::{
    DEFAULT_REPLICAS, EngineChoice, NoProgress, Plan, Progress, RunOutput, RunRequest, worker_pool,
};
pub use scenario::{
    Prepared, SHIPPED_POSTERIOR, ScenarioSource, TARGETS_FILE, load, shipped_posterior,
};
pub use summary::{EnsembleSummary, ReplicaSummary, Scores, Summary, TableScore};
pub use write::{Format, RUNS, Written};
