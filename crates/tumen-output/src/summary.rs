//! `summary.json`: what ran, with which settings and seed, and how well it matched the data.

use crate::metrics::{Ard, ard};
use crate::table::FleeTable;
use serde::Serialize;

/// The contents of `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Always `tumen`.
    pub tool: &'static str,
    /// Tumen's version.
    pub version: &'static str,
    /// The command line that produced the run.
    pub command_line: Vec<String>,
    /// Scenario name.
    pub scenario: String,
    /// Where the scenario came from (a directory, or `embedded`).
    pub scenario_source: String,
    /// The seed.
    pub seed: u64,
    /// The engine that ran (`agents`).
    pub engine: &'static str,
    /// Day 0.
    pub start_date: String,
    /// Days simulated.
    pub days: u32,
    /// The camps reported, in column order.
    pub camps: Vec<String>,
    /// Every agent at the end.
    pub agents_final: u64,
    /// Flee's validation metric against the observed camp data.
    pub validation: Validation,
    /// Every setting as used (`section.key` → value).
    pub settings: serde_json::Value,
    /// How the scenario was interpreted, where that may surprise.
    pub notes: Vec<String>,
    /// Wall-clock seconds of the simulation.
    pub wall_seconds: f64,
}

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
