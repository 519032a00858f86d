//! Parity with Flee 3.1 (see the crate README): Tumen's seeded ensembles compared with Flee's own
//! seeded reference ensembles in `../shared/flee-reference`, by the statistical criteria of that
//! folder's README.
//!
//! * [`Reference::load`] reads a reference folder (`summary.csv`, `metrics.json`, one
//!   `replica-*.csv`);
//! * [`summarise`] turns Tumen's replicas (their `out.csv` tables) into an [`Ensemble`];
//! * [`compare`] applies the [`Criteria`] and returns a [`ParityReport`] with a verdict
//!   ([`ParityReport::passed`]) and a readable account (`Display`).

mod compare;
mod ensemble;
mod error;
mod reference;
mod report;
mod stats;

pub use compare::{Allowance, Criteria, SpreadCriteria, compare};
pub use ensemble::{Ensemble, EnsembleDay, summarise};
pub use error::ParityError;
pub use reference::{RefDay, Reference, ReplicaArd, SplitHalf, read_table};
pub use report::{
    Cell, Drift, ExactCheck, MetricCheck, ParityReport, SpreadCheck, TrajectoryCheck,
};
pub use stats::MeanSd;
