//! `summary.json`: one typed summary for every kind of run (a single run is a one-replica
//! ensemble; the `ensemble` section is there when the run wrote bands).

use serde::Serialize;
use tumen_ensemble::Spread;
use tumen_output::Validation;

/// The summary of a run (`summary.json`).
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
    /// The seed (of replica 0, whose `out.csv` is written).
    pub seed: u64,
    /// The engine that ran (`agents` or `counts`).
    pub engine: &'static str,
    /// Day 0.
    pub start_date: String,
    /// Days simulated.
    pub days: u32,
    /// The camps reported, in column order.
    pub camps: Vec<String>,
    /// People in the simulation at the end of replica 0.
    pub agents_final: u64,
    /// Flee's validation metric of replica 0 against the observed camp data.
    pub validation: Validation,
    /// The spread over replicas, for an ensemble.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<EnsembleSummary>,
    /// The scores on the scenario's documented figures (`targets.csv`, what a calibration
    /// fits; `evaluation.csv`, what it forecasts), for a scenario with mechanisms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores: Option<Scores>,
    /// Every setting as used (`section.key` → value) and as resolved.
    pub settings: serde_json::Value,
    /// How the scenario was interpreted, where that may surprise.
    pub notes: Vec<String>,
    /// Wall-clock seconds of the simulation.
    pub wall_seconds: f64,
}

/// The `scores` section of [`Summary`].
#[derive(Clone, Debug, Serialize)]
pub struct Scores {
    /// On `targets.csv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<TableScore>,
    /// On `evaluation.csv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<TableScore>,
}

/// The score of a run on one table of documented figures.
#[derive(Clone, Debug, Serialize)]
pub struct TableScore {
    /// What the table is for: fitted, or forecast only.
    pub role: &'static str,
    /// The file, among the run's outputs.
    pub file: &'static str,
    /// Rows evaluated (rows without a measure, or outside the run, are left out).
    pub evaluated: usize,
    /// Rows whose `inside` is true (the rule of `targets.csv`).
    pub inside: usize,
    /// The mean over evaluated rows of the interval distance of the median: 0 inside the
    /// documented interval, else the relative distance to its nearer end (the calibration's
    /// distance for targets).
    pub mean_interval_distance: Option<f64>,
}

/// The role of `targets.csv` in [`Scores`].
pub(crate) const FIT: &str = "fit: the documented figures a calibration (`tumen calibrate`) fits";

/// The role of `evaluation.csv` in [`Scores`].
pub(crate) const FORECAST: &str =
    "forecast: documented figures never used for fitting (a calibration does not read them)";

/// The ensemble section of [`Summary`].
#[derive(Clone, Debug, Serialize)]
pub struct EnsembleSummary {
    /// Number of replicas.
    pub replicas: u64,
    /// How replica seeds are made.
    pub replica_seeds: &'static str,
    /// Whether the bands include parameter uncertainty (replicas drawn from a posterior) or
    /// only the simulation's own randomness (seed noise).
    pub uncertainty: &'static str,
    /// The spread of the validation metric over replicas.
    pub ard_normal: Spread,
    /// The same for the rescaled metric.
    pub ard_rescaled: Spread,
    /// Every replica's seed and metric.
    pub per_replica: Vec<ReplicaSummary>,
}

/// One replica in [`EnsembleSummary`].
#[derive(Clone, Debug, Serialize)]
pub struct ReplicaSummary {
    /// Replica index (0 is the run's own seed).
    pub index: u64,
    /// Its seed.
    pub seed: u64,
    /// Its validation metric.
    pub ard_normal: f64,
    /// Its rescaled validation metric.
    pub ard_rescaled: f64,
}

/// How replica seeds are made (written into every ensemble summary).
pub(crate) const REPLICA_SEEDS: &str =
    "replica i uses seed mix64(seed ^ mix64(i)); replica 0 uses the run's seed";

/// The only kind of band this version draws.
pub(crate) const SEED_NOISE: &str =
    "seed noise only: every replica has the scenario's own parameter values";

/// The bands of an ensemble whose replicas' parameters are drawn from a posterior.
pub(crate) const PARAMETER_AND_SEED: &str =
    "seed noise and parameter uncertainty: each replica's parameters are drawn from a posterior";
