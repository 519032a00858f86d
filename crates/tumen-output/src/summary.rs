//! Flee's validation metric as `summary.json` reports it (the summary itself is
//! `tumen_pipeline::Summary`).

use crate::metrics::{Ard, ard};
use crate::table::FleeTable;
use serde::Serialize;

/// Flee's averaged relative difference (`extract-validation-results.py`).
#[derive(Clone, Debug, Serialize)]
pub struct Validation {
    /// Mean over days of Σ_c |s − u| / max(U, 1).
    pub ard_normal: f64,
    /// The same with the simulated camp counts rescaled to the observed camp total.
    pub ard_rescaled: f64,
}

impl Validation {
    /// The metric of one run's table.
    #[must_use]
    pub fn of(table: &FleeTable) -> Self {
        let Ard { normal, rescaled } = ard(table);
        Self {
            ard_normal: normal,
            ard_rescaled: rescaled,
        }
    }
}
