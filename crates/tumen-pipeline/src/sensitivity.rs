//! Sensitivity analysis (`tumen sensitivity`): Sobol indices on a Saltelli design, and Morris
//! elementary effects, of a scenario's outputs to its uncertain parameters (the same spec as
//! `tumen calibrate`, see [`crate::calibrate`]).
//!
//! Each design point runs one seeded count-engine replica over the whole period, every point
//! with the same seed (common random numbers: the indices measure the parameters' effects, not
//! seed noise, and a parameter without effect gets exactly 0). Outputs analysed:
//! - `ard`: Flee's daily ARD of the camps against the observed series, whole period;
//! - `target:<name>`: each evaluable target's simulated value (`mechanisms/targets.csv`);
//! - `yearly:<event>:<year>`: yearly totals of crossings, returns, deportations and asylum
//!   exits, for a scenario with mechanisms.
//!
//! An output that is not finite at some point (a ratio of zero over zero) is left out, and
//! named in [`Sensitivity::skipped`].

use crate::calibrate::{Parameterised, read_files, resolve_spec, run_one, series_ard};
use crate::error::Error;
use crate::run::worker_pool;
use crate::scenario::ScenarioSource;
use crate::spread::{Local, Spread, decode_outputs, encode_outputs};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tumen_calibrate::morris::{MorrisIndex, morris_analyze, morris_sample, write_morris_csv};
use tumen_calibrate::sobol::{SobolIndex, saltelli_sample, sobol_analyze, write_sobol_csv};
use tumen_ensemble::replica_seed;
use tumen_output::{SystemEnsemble, SystemLayout, TargetOutcome, TargetRow};
use tumen_scenario::LoadOptions;

/// Bootstrap resamples of the Sobol intervals.
pub const RESAMPLES: usize = 200;

/// Mixed into the seed of the Morris design's runs.
const MORRIS_SEED: u64 = 0x4d4f_5252;

/// The yearly event totals analysed (the first slots of the mechanisms' events).
const YEARLY_EVENTS: usize = 4;

/// What to analyse: the options of `tumen sensitivity`.
#[derive(Clone, Debug, Default)]
pub struct SensitivityRequest {
    /// The scenario directory; `None` for the embedded flagship.
    pub scenario: Option<PathBuf>,
    /// A `--params` file.
    pub params: Option<PathBuf>,
    /// Saltelli base sample size N (`N (d + 2)` runs).
    pub samples: usize,
    /// Morris trajectories (`r (d + 1)` runs); `None`: no Morris screen.
    pub morris: Option<usize>,
    /// The seed.
    pub seed: u64,
    /// Threads; the output does not depend on it.
    pub jobs: Option<usize>,
}

/// The indices of every output.
#[derive(Clone, Debug)]
pub struct Sensitivity {
    /// Sobol indices per output.
    pub sobol: Vec<(String, Vec<SobolIndex>)>,
    /// Morris indices per output, when asked for.
    pub morris: Option<Vec<(String, Vec<MorrisIndex>)>>,
    /// Outputs left out (not finite at some point).
    pub skipped: Vec<String>,
    /// Model runs.
    pub runs: usize,
    /// Where the parameters were declared.
    pub spec_origin: String,
    /// Seconds.
    pub wall_seconds: f64,
}

/// The outputs of one run, by name.
fn outputs(
    setup: &Parameterised,
    targets: &[TargetRow],
    theta: &[f64],
    seed: u64,
) -> Result<BTreeMap<String, f64>, Error> {
    let scenario = setup.scenario(theta, None)?;
    let mechanisms = scenario.mechanisms.any();
    let (replica, _, record, _) = run_one(&scenario, seed, mechanisms, false)?;
    let mut out = BTreeMap::new();
    out.insert(
        "ard".to_owned(),
        series_ard(&scenario, &replica, u32::MAX).unwrap_or(f64::NAN),
    );
    if let Some(record) = record {
        let layout = SystemLayout::of(&scenario);
        for (slot, event) in layout.event_names.iter().enumerate().take(YEARLY_EVENTS) {
            let mut years: BTreeMap<i16, f64> = BTreeMap::new();
            for (day, events) in record.events.iter().enumerate() {
                let year = layout.date(u32::try_from(day).unwrap_or(u32::MAX)).year();
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                let count = events.get(slot).copied().unwrap_or(0) as f64;
                *years.entry(year).or_default() += count;
            }
            for (year, total) in years {
                out.insert(format!("yearly:{event}:{year}"), total);
            }
        }
        let ensemble = SystemEnsemble {
            layout,
            replicas: vec![record],
        };
        for (result, row) in ensemble.evaluate_targets(targets).into_iter().zip(targets) {
            if let TargetOutcome::Evaluated { band, .. } = result.outcome {
                out.insert(format!("target:{}", row.target), band.median);
            }
        }
    }
    Ok(out)
}

/// Each output's values over the design's points, and the outputs left out.
type Gathered = (Vec<(String, Vec<f64>)>, Vec<String>);

/// Runs the design's points (all with the same seed) where `spread` says, and gathers each
/// output over the points; outputs missing or not finite somewhere are returned apart. `None`
/// on a process that only helped.
fn run_design(
    setup: &Parameterised,
    targets: &[TargetRow],
    points: &[Vec<f64>],
    seed: u64,
    spread: &dyn Spread,
) -> Result<Option<Gathered>, Error> {
    // The evaluation of a batch of points, and where it runs: a point's outputs depend on the
    // point alone, so they do not depend on who computes them.
    let work = |indices: &[u64]| -> Result<Vec<Vec<u8>>, Error> {
        indices
            .par_iter()
            .map(|&index| {
                let theta = usize::try_from(index)
                    .ok()
                    .and_then(|i| points.get(i))
                    .ok_or_else(|| Error::Internal(format!("no design point {index}")))?;
                let outputs = outputs(setup, targets, theta, replica_seed(seed, 0))?;
                Ok(encode_outputs(&outputs))
            })
            .collect()
    };
    let Some(results) = spread.spread(points.len() as u64, false, &work)? else {
        return Ok(None);
    };
    let runs: Vec<BTreeMap<String, f64>> = results
        .iter()
        .map(|bytes| decode_outputs(bytes))
        .collect::<Result<_, Error>>()?;
    let mut names: Vec<String> = runs.iter().flat_map(|r| r.keys().cloned()).collect();
    names.sort();
    names.dedup();
    let (mut kept, mut skipped) = (Vec::new(), Vec::new());
    for name in names {
        let values: Vec<f64> = runs
            .iter()
            .map(|r| r.get(&name).copied().unwrap_or(f64::NAN))
            .collect();
        if values.iter().all(|v| v.is_finite()) {
            kept.push((name, values));
        } else {
            skipped.push(name);
        }
    }
    Ok(Some((kept, skipped)))
}

/// Runs the analysis.
///
/// # Errors
/// Bad requests and specs, scenarios that do not load, runs that stop.
pub fn analyse(request: &SensitivityRequest) -> Result<Sensitivity, Error> {
    analyse_spread(request, &Local)?
        .ok_or_else(|| Error::Internal("a local analysis returned nothing".to_owned()))
}

/// [`analyse`] with the design's runs computed where `spread` says (over MPI ranks, say):
/// every process calls it; the analysis, identical to [`analyse`]'s, is returned on the
/// process that writes and `None` on the others.
///
/// # Errors
/// As [`analyse`], and the first failure of any process.
pub fn analyse_spread(
    request: &SensitivityRequest,
    spread: &dyn Spread,
) -> Result<Option<Sensitivity>, Error> {
    let source = ScenarioSource::from_option(request.scenario.as_deref());
    let files = read_files(&source)?;
    let (spec, spec_origin) = resolve_spec(&files, request.params.as_deref())?;
    let prepared = crate::scenario::load(&source, &LoadOptions::default())?;
    let targets = prepared.targets.clone().unwrap_or_default();
    let setup = Parameterised {
        files,
        parameters: spec.parameters.clone(),
        spec_origin: spec_origin.clone(),
        fixed: crate::calibrate::FixedInputs::default(),
    };
    let params = &spec.parameters;
    let started = std::time::Instant::now();
    #[expect(clippy::cast_possible_truncation, reason = "a seed for the scrambling")]
    let design = saltelli_sample(params, request.samples, request.seed as u32)
        .map_err(|e| Error::Request(format!("--samples: {e}")))?;
    let morris_design = request
        .morris
        .map(|trajectories| morris_sample(params, trajectories, 4, request.seed))
        .transpose()
        .map_err(|e| Error::Request(format!("--morris: {e}")))?;
    let pool = worker_pool(request.jobs)?;
    // Every process runs its share of both designs; only the one that writes analyses.
    let sobol_runs =
        pool.install(|| run_design(&setup, &targets, &design.points, request.seed, spread))?;
    let morris_runs = match &morris_design {
        Some(morris) => pool.install(|| {
            run_design(
                &setup,
                &targets,
                &morris.points,
                request.seed ^ MORRIS_SEED,
                spread,
            )
        })?,
        None => None,
    };
    let Some((outputs, mut skipped)) = sobol_runs else {
        return Ok(None);
    };
    let mut runs = design.points.len();
    let mut sobol = Vec::new();
    for (name, values) in &outputs {
        let indices = pool
            .install(|| sobol_analyze(params, request.samples, values, RESAMPLES, request.seed))
            .map_err(|e| Error::Internal(format!("Sobol analysis of `{name}`: {e}")))?;
        sobol.push((name.clone(), indices));
    }
    let morris = match (&morris_design, morris_runs) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(Error::Internal(
                "the Morris design's results are missing".to_owned(),
            ));
        }
        (Some(design), Some((outputs, more))) => {
            runs += design.points.len();
            skipped.extend(more);
            let mut all = Vec::new();
            for (name, values) in &outputs {
                let indices = morris_analyze(params, design, values)
                    .map_err(|e| Error::Internal(format!("Morris analysis of `{name}`: {e}")))?;
                all.push((name.clone(), indices));
            }
            Some(all)
        }
    };
    skipped.sort();
    skipped.dedup();
    Ok(Some(Sensitivity {
        sobol,
        morris,
        skipped,
        runs,
        spec_origin,
        wall_seconds: started.elapsed().as_secs_f64(),
    }))
}

impl Sensitivity {
    /// Writes `sobol.csv` and, with Morris, `morris.csv` into `dir`; returns the files.
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            action: "create",
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files = Vec::new();
        let path = dir.join("sobol.csv");
        tumen_output::write_atomic(&path, |w| write_sobol_csv(&self.sobol, w))
            .map_err(|e| Error::write(&path, e))?;
        files.push(path);
        if let Some(morris) = &self.morris {
            let path = dir.join("morris.csv");
            tumen_output::write_atomic(&path, |w| write_morris_csv(morris, w))
                .map_err(|e| Error::write(&path, e))?;
            files.push(path);
        }
        Ok(files)
    }
}
