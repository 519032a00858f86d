//! Tumen's statistics core: uncertain parameters and their priors, ABC-SMC calibration,
//! Sobol and Morris sensitivity analysis, and the scores of forecasts against data.
//!
//! The crate knows nothing of Tumen's model: a model is anything that maps a parameter vector
//! and a seed to a distance ([`abc::Model`], implemented for closures), or, for sensitivity, the
//! caller runs the design's points and passes the outputs back. Everything is seeded and gives
//! the same result for any number of rayon threads.
//!
//! - [`params`]: [`params::Prior`] (uniform, log-uniform, normal, truncated normal),
//!   [`params::ParameterSet`], and the TOML spec below.
//! - [`abc`]: ABC-SMC as in pyABC; `posterior.csv` and `generations.csv`.
//! - [`sobol`]: Saltelli design on a scrambled Sobol sequence, SALib's S1 / ST estimators with
//!   bootstrap intervals; `sobol.csv`.
//! - [`morris`]: Morris elementary effects; `morris.csv`.
//! - [`score`]: ARD, interval distance, CRPS, coverage; [`score::Score`] for `score.json`.
//!
//! # The calibration spec
//!
//! A `[calibration]` section of `scenario.toml`, or a file given with `--params FILE` holding
//! that section and nothing else:
//!
//! ```toml
//! [calibration]
//! # Optional run settings (command-line options override them):
//! particles = 200         # population size N
//! generations = 8         # the most generations, generation 0 included
//! budget = 2000           # the most model runs in all (each replica counts)
//! replicas = 1            # k model runs per particle; the distance is their mean
//! min_tolerance = 0.05    # stop once the tolerance is at or below this
//! kernel_scale = 1.0      # multiplies the kernel's bandwidth (about 2 with many parameters)
//!
//! [[calibration.parameter]]
//! key = "move_rules.max_move_speed"   # a --set key, a simsetting.yml key, or e.g. "series.scale"
//! prior = { uniform = [100.0, 500.0] }
//!
//! [[calibration.parameter]]
//! key = "move_rules.conflict_move_chance"
//! prior = { log_uniform = [0.1, 1.0] }
//!
//! [[calibration.parameter]]
//! key = "series.scale"
//! prior = { normal = { mean = 1.0, sd = 0.1 } }
//!
//! [[calibration.parameter]]
//! key = "move_rules.camp_weight"
//! prior = { truncated_normal = { mean = 2.0, sd = 1.0, low = 0.5, high = 5.0 } }
//! ```
//!
//! Bounds of a truncated normal may be `-inf` / `inf`. Errors give the file, line and column:
//! unknown prior or field, `low >= high`, `sd <= 0`, a log-uniform `low <= 0`, a truncation
//! interval without probability, a duplicate key, or a section without parameters.

#![warn(missing_docs)]

pub mod abc;
pub mod morris;
pub mod params;
pub mod rng;
pub mod score;
pub mod sobol;
