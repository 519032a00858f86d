//! Ensembles: `N` seeded replicas of one scenario run in parallel, summarised as quantile bands
//! per location and day and as the spread of the validation metric over replicas.
//!
//! Replica `i` of a run with seed `s` uses the seed [`replica_seed`]`(s, i)`, so any single
//! replica can be rerun alone with `tumen run --seed <that seed>`.
//!
//! # Example
//! ```
//! use tumen_core::{LocationKind, Network, Observations, Scenario, Schedule, Series, Settings};
//! use tumen_engine::EngineKind;
//!
//! let mut builder = Network::builder();
//! let origin = builder.add("A", LocationKind::ConflictZone, "Home", 10_000);
//! let camp = builder.add("B", LocationKind::Camp, "Away", 0);
//! builder.link(origin, camp, 120.0);
//! let scenario = Scenario {
//!     name: "example".into(),
//!     start_date: tumen_core::Date::constant(2020, 1, 1),
//!     days: 10,
//!     network: builder.build(),
//!     settings: Settings::flee_defaults(),
//!     schedule: Schedule::default(),
//!     observations: Observations {
//!         total: Series { points: vec![(0, 0.0), (9, 900.0)] },
//!         camps: vec![(camp, Series { points: vec![(0, 0.0)] })],
//!     },
//!     initial_agents: Vec::new(),
//!     mechanisms: Default::default(),
//! };
//! let ensemble = tumen_ensemble::run(&scenario, 7, 4, EngineKind::Agents, &|| {}).unwrap();
//! assert_eq!(ensemble.replicas.len(), 4);
//! let bands = ensemble.bands();
//! assert_eq!(bands.len(), 10 * 2); // days × locations
//! ```

mod journal;
pub mod trace;

pub use trace::{Trace, TraceStore};

use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tumen_core::Scenario;
use tumen_engine::{
    CheckpointError, DayView, EngineError, EngineKind, Model, Observer, ObserverError, Resumable,
    Simulation, mix64,
};
use tumen_output::{FleeTable, FleeTableObserver, Validation, write_atomic};

/// The quantiles written for every location and day.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The seed of replica `index` of a run seeded with `seed` (replica 0 uses `seed` itself, so a
/// one-replica ensemble is the plain run).
#[must_use]
pub fn replica_seed(seed: u64, index: u64) -> u64 {
    if index == 0 {
        seed
    } else {
        mix64(seed ^ mix64(index))
    }
}

/// One replica's results.
#[derive(Clone, Debug)]
pub struct Replica {
    /// Its seed.
    pub seed: u64,
    /// Its `out.csv` table.
    pub table: FleeTable,
    /// People at each location at the end of each day (`[day][location]`).
    pub location_counts: Vec<Vec<u64>>,
    /// Flee's validation metric of this replica.
    pub validation: Validation,
    /// People in the simulation at the end.
    pub population: u64,
}

/// What the replica loop reports as it goes (for a progress bar). Both methods have a default
/// that does nothing; a plain `Fn()` closure is called when a replica ends.
pub trait ReplicaProgress: Sync {
    /// Replica `replica` finished day `day` (days done so far).
    fn day(&self, _replica: u64, _day: u32) {}
    /// Replica `replica` ended.
    fn replica_done(&self, _replica: u64) {}
}

impl<F: Fn() + Sync + ?Sized> ReplicaProgress for F {
    fn replica_done(&self, _replica: u64) {
        self();
    }
}

/// The replicas of one scenario.
#[derive(Clone, Debug)]
pub struct Ensemble {
    /// Location names, in file order.
    pub locations: Vec<String>,
    /// Whether each location is reported as a camp.
    pub camp: Vec<bool>,
    /// The country of each location.
    pub countries: Vec<String>,
    /// Calendar date of each day.
    pub dates: Vec<String>,
    /// The replicas, in index order.
    pub replicas: Vec<Replica>,
}

/// One row of `quantiles.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Band {
    /// Day number.
    pub day: u32,
    /// Date.
    pub date: String,
    /// Location name.
    pub location: String,
    /// Mean over replicas.
    pub mean: f64,
    /// The [`QUANTILES`] over replicas, in order.
    pub quantiles: [f64; 5],
}

/// Mean, sd and the 5 % and 95 % quantiles of a metric over replicas.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 for one replica).
    pub sd: f64,
    /// 5 % quantile.
    pub p05: f64,
    /// 95 % quantile.
    pub p95: f64,
}

struct Counts(Vec<Vec<u64>>);

impl Observer for Counts {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        self.0.push(view.location_counts.to_vec());
        Ok(())
    }
}

/// Why a replica stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The engine stopped.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A checkpoint cannot be resumed from, or encoded.
    #[error("checkpoint `{}`: {source}", path.display())]
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// Why.
        source: CheckpointError,
    },
    /// A replica's scenario cannot be made (see [`Spec::scenario_of`]).
    #[error("replica {index}: {message}")]
    Scenario {
        /// The replica.
        index: u64,
        /// Why.
        message: String,
    },
    /// A trace to replay is missing, damaged or not the replica's.
    #[error("trace of {origin}: {message}")]
    Trace {
        /// The file or replica.
        origin: String,
        /// Why.
        message: String,
    },
    /// A checkpoint cannot be read or written.
    #[error("cannot {action} the checkpoint `{}`: {source}", path.display())]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Checkpoints of a run's replicas: where they are, how often they are saved, and whether the
/// run resumes from them.
///
/// After every [`Checkpoints::every`] days and when it ends, replica `i` appends the days its
/// observers saw since the last checkpoint to its journal (`replica-NNNNN.days`) and then
/// replaces its checkpoint ([`Checkpoints::path`]`(i)`: the whole engine state and the
/// journal's length and hash) atomically, so a killed run leaves the previous checkpoint
/// intact. Resuming, a replica with a checkpoint goes on from it, its observers rebuilt by
/// replaying the journal (a finished replica only replays); one without starts from day 0,
/// since it had not reached its first checkpoint.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    /// The directory of the files.
    pub dir: PathBuf,
    /// Days between checkpoints (at least 1).
    pub every: u32,
    /// Identifies the run's inputs (see [`Simulation::checkpoint`]).
    pub fingerprint: u64,
    /// Whether replicas go on from their files.
    pub resume: bool,
}

impl Checkpoints {
    /// The checkpoint file of replica `index`.
    #[must_use]
    pub fn path(&self, index: u64) -> PathBuf {
        Self::path_in(&self.dir, index)
    }

    /// The checkpoint file of replica `index` in `dir`.
    #[must_use]
    pub fn path_in(dir: &Path, index: u64) -> PathBuf {
        dir.join(format!("replica-{index:05}.ckpt"))
    }

    fn save(
        &self,
        index: u64,
        simulation: &Simulation,
        observer: &dyn Resumable,
    ) -> Result<(), RunError> {
        let path = self.path(index);
        let bytes = simulation
            .checkpoint(observer, self.fingerprint)
            .map_err(|source| RunError::Checkpoint {
                path: path.clone(),
                source,
            })?;
        write_atomic(&path, |w| w.write_all(&bytes)).map_err(|source| RunError::Io {
            action: "write",
            path,
            source,
        })
    }
}

/// Runs replica `index` (seed `seed`) of `scenario` to its end with the observer
/// `make_observer` makes, calling `on_day` with the number of days done after each day.
/// With `checkpoints`, the replica saves checkpoints on the way, and when they say so it goes
/// on from its checkpoint file if it has one.
///
/// # Errors
/// When the engine stops, or a checkpoint cannot be written, read or resumed from.
pub fn run_replica<O: Observer>(
    scenario: &Scenario,
    seed: u64,
    index: u64,
    kind: EngineKind,
    make_observer: impl FnOnce(&Model) -> O,
    checkpoints: Option<&Checkpoints>,
    on_day: &dyn Fn(u32),
) -> Result<(Simulation, O), RunError> {
    let Some(plan) = checkpoints else {
        let mut simulation = Simulation::with_engine(scenario.clone(), seed, kind)?;
        let mut observer = make_observer(simulation.model());
        on_day(0);
        while !simulation.finished() {
            simulation.step(&mut observer)?;
            on_day(simulation.day());
        }
        return Ok((simulation, observer));
    };
    let path = plan.path(index);
    let journal_path = journal::path_in(&plan.dir, index);
    let saved = if plan.resume {
        match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(RunError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        }
    } else {
        None
    };
    let (mut simulation, mut observer) = match saved {
        Some(bytes) => {
            let (simulation, position) = Simulation::resume(
                scenario.clone(),
                &bytes,
                seed,
                kind,
                plan.fingerprint,
                |_| journal::Position::default(),
            )
            .map_err(|source| RunError::Checkpoint {
                path: path.clone(),
                source,
            })?;
            let inner = make_observer(simulation.model());
            let observer =
                journal::Journaled::resume(inner, journal_path, position, simulation.day())?;
            (simulation, observer)
        }
        None => {
            // A fresh start: no journal of an earlier attempt may remain.
            match std::fs::remove_file(&journal_path) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(RunError::Io {
                        action: "write",
                        path: journal_path,
                        source: error,
                    });
                }
                _ => {}
            }
            let simulation = Simulation::with_engine(scenario.clone(), seed, kind)?;
            let inner = make_observer(simulation.model());
            (simulation, journal::Journaled::new(inner, journal_path))
        }
    };
    on_day(simulation.day());
    let every = plan.every.max(1);
    while !simulation.finished() {
        simulation.step(&mut observer)?;
        on_day(simulation.day());
        if simulation.day().is_multiple_of(every) || simulation.finished() {
            let position = observer.flush()?;
            plan.save(index, &simulation, &position)?;
        }
    }
    Ok((simulation, observer.inner))
}

/// Replica `index`'s scenario: a per-replica scenario function, for example parameters drawn
/// from a posterior for replica `index`.
pub type ScenarioOf<'a> = &'a (dyn Fn(u64) -> Result<Scenario, String> + Sync);

/// What the replica loop runs: the replicas of a scenario, how each is made, and where their
/// days come from (simulated here, or replayed from traces recorded elsewhere).
#[derive(Clone, Copy)]
pub struct Spec<'a> {
    /// The scenario (every replica's, unless `scenario_of` says otherwise); its network and
    /// dates lay the ensemble out.
    pub scenario: &'a Scenario,
    /// Replica `i`'s own scenario, when replicas differ by more than their seed. It must keep
    /// `scenario`'s network and period.
    pub scenario_of: Option<ScenarioOf<'a>>,
    /// The run's seed: replica `i` uses [`replica_seed`]`(seed, i)`.
    pub seed: u64,
    /// Replicas in the run.
    pub replicas: u64,
    /// The engine.
    pub kind: EngineKind,
    /// Checkpoints (see [`Checkpoints`]).
    pub checkpoints: Option<&'a Checkpoints>,
    /// Replay these traces instead of simulating (merging shards, or traces sent by MPI
    /// ranks).
    pub replay: Option<&'a TraceStore>,
}

impl<'a> Spec<'a> {
    /// `replicas` replicas of `scenario`, simulated here, without checkpoints.
    #[must_use]
    pub fn new(scenario: &'a Scenario, seed: u64, replicas: u64, kind: EngineKind) -> Self {
        Self {
            scenario,
            scenario_of: None,
            seed,
            replicas,
            kind,
            checkpoints: None,
            replay: None,
        }
    }

    /// Replica `index`'s scenario, made by `scenario_of` or borrowed.
    ///
    /// # Errors
    /// [`RunError::Scenario`] when `scenario_of` fails.
    pub fn scenario_for(&self, index: u64) -> Result<std::borrow::Cow<'a, Scenario>, RunError> {
        match self.scenario_of {
            Some(make) => make(index)
                .map(std::borrow::Cow::Owned)
                .map_err(|message| RunError::Scenario { index, message }),
            None => Ok(std::borrow::Cow::Borrowed(self.scenario)),
        }
    }

    /// Simulates replica `index` and records its days as a [`Trace`] (a shard's or an MPI
    /// rank's share of the work). With checkpoints, it saves and resumes as [`run_replica`].
    ///
    /// # Errors
    /// As [`run_replica`], and [`RunError::Scenario`].
    pub fn record(&self, index: u64, progress: &dyn ReplicaProgress) -> Result<Trace, RunError> {
        let scenario = self.scenario_for(index)?;
        let seed = replica_seed(self.seed, index);
        let on_day = |day: u32| progress.day(index, day);
        let (simulation, recorder) = run_replica(
            &scenario,
            seed,
            index,
            self.kind,
            |_| trace::Recorder::default(),
            self.checkpoints,
            &on_day,
        )?;
        progress.replica_done(index);
        Ok(Trace {
            index,
            seed,
            population: simulation.population(),
            days: recorder.days,
            records: recorder.records,
        })
    }
}

/// Records the traces of replicas `indices` in parallel (on the current rayon pool), in the
/// order given.
///
/// # Errors
/// The first error of any replica.
pub fn record_traces(
    spec: &Spec<'_>,
    indices: &[u64],
    progress: &dyn ReplicaProgress,
) -> Result<Vec<Trace>, RunError> {
    indices
        .par_iter()
        .map(|&index| spec.record(index, progress))
        .collect()
}

/// Runs `replicas` replicas in parallel (on the current rayon pool) and calls `done` after
/// each one (for a progress bar).
///
/// # Errors
/// The first engine error of any replica.
pub fn run(
    scenario: &Scenario,
    seed: u64,
    replicas: u64,
    kind: EngineKind,
    done: &(dyn Fn() + Sync),
) -> Result<Ensemble, RunError> {
    run_with(scenario, seed, replicas, kind, &done, |_| (), None).map(|(ensemble, _)| ensemble)
}

/// As [`run`], with one more observer per replica, made by `extra` from the replica's index
/// and returned in replica order (for example the seed's system observer), with checkpoints
/// when `checkpoints` is given (see [`Checkpoints`]), and with the days of every replica
/// reported to `progress` as well as their ends. A shorthand for [`run_spec`].
///
/// # Errors
/// The first error of any replica.
pub fn run_with<O: Observer + Send>(
    scenario: &Scenario,
    seed: u64,
    replicas: u64,
    kind: EngineKind,
    progress: &dyn ReplicaProgress,
    extra: impl Fn(u64) -> O + Sync,
    checkpoints: Option<&Checkpoints>,
) -> Result<(Ensemble, Vec<O>), RunError> {
    let spec = Spec {
        checkpoints,
        ..Spec::new(scenario, seed, replicas, kind)
    };
    run_spec(&spec, progress, |index, _| extra(index))
}

/// The one replica loop: every replica of `spec` in parallel (on the current rayon pool),
/// each with the observers the ensemble needs and one more made by `extra` from the replica's
/// index and scenario, returned in replica order. A single run is a one-replica ensemble; a
/// posterior ensemble gives each replica its scenario ([`Spec::scenario_of`]); a merge of
/// shards or an MPI run replays traces ([`Spec::replay`]) through the same observers.
///
/// # Errors
/// The first error of any replica.
pub fn run_spec<O: Observer + Send>(
    spec: &Spec<'_>,
    progress: &dyn ReplicaProgress,
    extra: impl Fn(u64, &Scenario) -> O + Sync,
) -> Result<(Ensemble, Vec<O>), RunError> {
    let results: Result<Vec<(Replica, O)>, RunError> = (0..spec.replicas)
        .into_par_iter()
        .map(|index| {
            let scenario = spec.scenario_for(index)?;
            let seed = replica_seed(spec.seed, index);
            let make = |model: &Model| {
                (
                    FleeTableObserver::for_model(model),
                    (Counts(Vec::new()), extra(index, &scenario)),
                )
            };
            let (observers, population) = match spec.replay {
                Some(store) => {
                    let trace = store.get(index)?;
                    if trace.seed != seed {
                        return Err(RunError::Trace {
                            origin: format!("replica {index}"),
                            message: format!(
                                "it ran with seed {}, this run's replica {index} has seed {seed}",
                                trace.seed
                            ),
                        });
                    }
                    let model = Model::new(scenario.as_ref().clone())?;
                    let mut observers = make(&model);
                    trace
                        .replay(&mut observers)
                        .map_err(|message| RunError::Trace {
                            origin: format!("replica {index}"),
                            message,
                        })?;
                    progress.day(index, trace.days);
                    (observers, trace.population)
                }
                None => {
                    let on_day = |day: u32| progress.day(index, day);
                    let (simulation, observers) = run_replica(
                        &scenario,
                        seed,
                        index,
                        spec.kind,
                        make,
                        spec.checkpoints,
                        &on_day,
                    )?;
                    (observers, simulation.population())
                }
            };
            let (table, (Counts(location_counts), extra)) = observers;
            let table = table.into_table();
            progress.replica_done(index);
            Ok((
                Replica {
                    seed,
                    validation: Validation::of(&table),
                    table,
                    location_counts,
                    population,
                },
                extra,
            ))
        })
        .collect();
    let (replicas, extras): (Vec<Replica>, Vec<O>) = results?.into_iter().unzip();
    let scenario = spec.scenario;
    let model = Model::new(scenario.clone())?;
    let mut camp = vec![false; scenario.network.location_count()];
    for id in model.reported_camps() {
        camp[id.index()] = true;
    }
    let ensemble = Ensemble {
        locations: scenario
            .network
            .locations
            .iter()
            .map(|l| l.name.clone())
            .collect(),
        camp,
        countries: scenario
            .network
            .locations
            .iter()
            .map(|l| scenario.network.country_name(l.country).to_owned())
            .collect(),
        dates: (0..scenario.days)
            .map(|d| scenario.date_of(d).to_string())
            .collect(),
        replicas,
    };
    Ok((ensemble, extras))
}

pub use tumen_output::quantile;

fn spread(mut values: Vec<f64>) -> Spread {
    values.sort_by(f64::total_cmp);
    #[expect(clippy::cast_precision_loss, reason = "replica counts are small")]
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    Spread {
        mean,
        sd,
        p05: quantile(&values, 0.05),
        p95: quantile(&values, 0.95),
    }
}

impl Ensemble {
    /// Quantile bands of the people at every location on every day.
    #[must_use]
    pub fn bands(&self) -> Vec<Band> {
        let days = self.dates.len();
        let mut bands = Vec::with_capacity(days * self.locations.len());
        let mut values = Vec::with_capacity(self.replicas.len());
        for day in 0..days {
            for (index, location) in self.locations.iter().enumerate() {
                values.clear();
                #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
                values.extend(
                    self.replicas
                        .iter()
                        .map(|r| r.location_counts[day][index] as f64),
                );
                values.sort_by(f64::total_cmp);
                #[expect(clippy::cast_precision_loss, reason = "replica counts are small")]
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                bands.push(Band {
                    day: u32::try_from(day).unwrap_or(u32::MAX),
                    date: self.dates[day].clone(),
                    location: location.clone(),
                    mean,
                    quantiles: QUANTILES.map(|q| quantile(&values, q)),
                });
            }
        }
        bands
    }

    /// The spread over replicas of Flee's validation metric: (normal, rescaled).
    #[must_use]
    pub fn validation_spread(&self) -> (Spread, Spread) {
        (
            spread(
                self.replicas
                    .iter()
                    .map(|r| r.validation.ard_normal)
                    .collect(),
            ),
            spread(
                self.replicas
                    .iter()
                    .map(|r| r.validation.ard_rescaled)
                    .collect(),
            ),
        )
    }

    /// `countries.csv`: per day and country (in order of first appearance), the mean and the
    /// [`QUANTILES`] over replicas of the people at that country's locations (people on links
    /// are not in any country).
    ///
    /// # Errors
    /// When the writer fails.
    pub fn write_country_bands_csv(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut names: Vec<&str> = Vec::new();
        let country_of: Vec<usize> = self
            .countries
            .iter()
            .map(|c| {
                names.iter().position(|n| n == c).unwrap_or_else(|| {
                    names.push(c);
                    names.len() - 1
                })
            })
            .collect();
        writeln!(w, "day,date,country,mean,p05,p25,p50,p75,p95")?;
        let mut sums = vec![vec![0.0_f64; self.replicas.len()]; names.len()];
        for (day, date) in self.dates.iter().enumerate() {
            for per_replica in &mut sums {
                per_replica.fill(0.0);
            }
            for (r, replica) in self.replicas.iter().enumerate() {
                for (location, &count) in replica.location_counts[day].iter().enumerate() {
                    if let Some(&country) = country_of.get(location) {
                        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
                        let count = count as f64;
                        sums[country][r] += count;
                    }
                }
            }
            for (country, values) in sums.iter_mut().enumerate() {
                values.sort_by(f64::total_cmp);
                #[expect(clippy::cast_precision_loss, reason = "replica counts are small")]
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                let q = QUANTILES.map(|q| quantile(values, q));
                let key = format!("{day},{date},{}", csv_field(names[country]));
                write_quantile_row(w, &key, mean, &q)?;
            }
        }
        Ok(())
    }

    /// Writes the bands as CSV: `day,date,location,camp,mean,p05,p25,p50,p75,p95`.
    ///
    /// # Errors
    /// Any write error.
    pub fn write_bands_csv(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        writeln!(w, "day,date,location,camp,mean,p05,p25,p50,p75,p95")?;
        for band in self.bands() {
            let index = self
                .locations
                .iter()
                .position(|l| *l == band.location)
                .unwrap_or(0);
            let key = format!(
                "{},{},{},{}",
                band.day,
                band.date,
                csv_field(&band.location),
                u8::from(self.camp[index])
            );
            write_quantile_row(w, &key, band.mean, &band.quantiles)?;
        }
        Ok(())
    }
}

/// One row of a quantile table: its key columns, then the mean and the [`QUANTILES`]. One type
/// per column: the mean is a decimal number with exactly 3 decimals (`12.000`); the quantiles,
/// which count people, are integers: the linearly interpolated quantile rounded to the nearest
/// integer, halves away from zero (so `12.5` is written `13`, and float noise such as
/// `0.9500000000000001` never reaches the file).
fn write_quantile_row(
    w: &mut dyn std::io::Write,
    key: &str,
    mean: f64,
    q: &[f64; 5],
) -> std::io::Result<()> {
    let q = q.map(count);
    writeln!(
        w,
        "{key},{mean:.3},{},{},{},{},{}",
        q[0], q[1], q[2], q[3], q[4]
    )
}

/// A quantile of counts as written: the nearest integer (halves away from zero); empty for NaN.
fn count(value: f64) -> String {
    if value.is_finite() {
        format!("{:.0}", value.round())
    } else if value.is_nan() {
        String::new()
    } else {
        format!("{value}")
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert!((quantile(&v, 0.05) - 1.2).abs() < 1e-12);
        assert!((quantile(&v, 0.25) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn replica_zero_is_the_plain_run_and_seeds_differ() {
        assert_eq!(replica_seed(42, 0), 42);
        let seeds: std::collections::HashSet<u64> =
            (0..1000).map(|i| replica_seed(42, i)).collect();
        assert_eq!(seeds.len(), 1000);
    }

    #[test]
    fn spread_of_known_values() {
        let s = spread(vec![1.0, 2.0, 3.0, 4.0]);
        assert!((s.mean - 2.5).abs() < 1e-12);
        assert!((s.sd - 1.290_994_448_735_805_6).abs() < 1e-12);
    }

    #[test]
    fn quantile_rows_write_integers_and_a_three_decimal_mean() {
        let mut out = Vec::new();
        write_quantile_row(
            &mut out,
            "0,2020-01-01,A,1",
            2.0,
            &[0.950_000_000_000_000_1, 12.5, 2.0, f64::NAN, 1e6],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0,2020-01-01,A,1,2.000,1,13,2,,1000000\n"
        );
        assert_eq!(count(-0.5), "-1");
    }
}
