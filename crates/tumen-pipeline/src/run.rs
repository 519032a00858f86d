//! Running: a request, its plan (defaults resolved, the run's record), and its execution on
//! the one replica loop (`tumen_ensemble::run_with`).

use crate::error::Error;
use crate::record::RunRecord;
use crate::scenario::{Prepared, ScenarioSource};
use crate::summary::{EnsembleSummary, REPLICA_SEEDS, ReplicaSummary, SEED_NOISE, Summary};
use crate::write::Format;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};
use tumen_engine::{EngineKind, Model};
use tumen_ensemble::{Checkpoints, Ensemble, ReplicaProgress};
use tumen_output::{
    Daily, DailyObserver, RunNetwork, SystemEnsemble, SystemLayout, SystemObserver, Validation,
};
use tumen_scenario::LoadOptions;

/// Replicas of a scenario with mechanisms when the request does not say.
pub const DEFAULT_REPLICAS: u64 = 20;

/// Which engine moves the people.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum EngineChoice {
    /// One record per person.
    Agents,
    /// One record per distinct state, with a count.
    Counts,
    /// The count engine, whose cost does not grow with the number of people, unless the
    /// settings ask for per-agent output (`log_levels.agent` above 0), which needs one record
    /// per person.
    #[default]
    Auto,
}

impl EngineChoice {
    /// The engine this choice gives for a scenario whose settings do (`agent_output`) or do
    /// not ask for per-agent output.
    #[must_use]
    pub fn resolve(self, agent_output: bool) -> EngineKind {
        match self {
            Self::Agents => EngineKind::Agents,
            Self::Auto if agent_output => EngineKind::Agents,
            Self::Counts | Self::Auto => EngineKind::Counts,
        }
    }
}

/// The name of an engine in files and messages.
#[must_use]
pub(crate) fn engine_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Agents => "agents",
        EngineKind::Counts => "counts",
    }
}

/// What to run: the options of `tumen run`, front-end neutral.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    /// The scenario directory; `None` for the embedded flagship.
    pub scenario: Option<PathBuf>,
    /// A settings file instead of the scenario's `simsetting.yml`.
    pub settings: Option<PathBuf>,
    /// Days to simulate instead of the period file's length.
    pub days: Option<u32>,
    /// `key.path=value` overrides of `scenario.toml`.
    pub overrides: Vec<String>,
    /// The seed (of replica 0).
    pub seed: u64,
    /// Replicas; `None`: [`DEFAULT_REPLICAS`] for a scenario with mechanisms, 1 otherwise.
    pub replicas: Option<u64>,
    /// The engine.
    pub engine: EngineChoice,
    /// Threads (`None`: all cores); the output does not depend on it.
    pub jobs: Option<usize>,
    /// Exchange formats to write besides the standard files.
    pub formats: Vec<Format>,
    /// Where checkpoints go and whether the run resumes from them.
    pub checkpoints: Option<Checkpoints>,
    /// The command line to record (`summary.json`, `run.json`); empty for a library call.
    pub command_line: Vec<String>,
    /// Also write every replica's Flee table as `RUNS/replica-<i>/out.csv`, FabFlee's ensemble
    /// layout, which its ensemble scripts (`plot_flee_uq_output`, `plot_flee_forecast`) read.
    pub replica_outputs: bool,
    /// Run only this slice of the replicas and return their traces ([`Plan::execute_shard`]).
    pub shard: Option<crate::shard::Shard>,
    /// Replay these traces instead of simulating (a merge of shards).
    pub replay: Option<std::sync::Arc<tumen_ensemble::TraceStore>>,
}

impl RunRequest {
    /// The scenario's source.
    #[must_use]
    pub fn source(&self) -> ScenarioSource {
        ScenarioSource::from_option(self.scenario.as_deref())
    }

    /// The load options of the request.
    #[must_use]
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            settings_path: self.settings.clone(),
            days: self.days,
            overrides: self.overrides.clone(),
        }
    }
}

/// Progress of a run, for a progress bar. Every method has a default that does nothing.
pub trait Progress: Sync {
    /// The run is `total` steps of `unit` (`day` for a single run, `replica` for an
    /// ensemble).
    fn start(&self, _total: u64, _unit: &'static str) {}
    /// Steps done so far.
    fn set(&self, _done: u64) {}
    /// One more step done.
    fn inc(&self) {}
}

/// No progress reporting.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// A run ready to go: the defaults resolved, the model's notes, the record started.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario.
    pub prepared: Prepared,
    /// The request.
    pub request: RunRequest,
    /// Replicas to run.
    pub replicas: u64,
    /// The engine.
    pub engine: EngineKind,
    /// Whether the run writes bands and the mechanisms' tables (an ensemble, or a scenario
    /// with mechanisms).
    pub ensemble_outputs: bool,
    /// How the model interprets the scenario, where that may surprise (show them before the
    /// run).
    pub notes: Vec<String>,
    /// `run.json`, finished when the run ends.
    pub record: RunRecord,
    /// The fingerprint of the inputs (checkpoints carry it).
    pub fingerprint: u64,
    pub(crate) network: RunNetwork,
}

impl Plan {
    /// Resolves the request's defaults for `prepared` and starts the run's record (which
    /// hashes every input file).
    ///
    /// # Errors
    /// When the model cannot be built or an input file cannot be read to hash it, or when a
    /// format is asked for that this build lacks.
    pub fn new(prepared: &Prepared, request: &RunRequest) -> Result<Self, Error> {
        crate::write::check_formats(&request.formats)?;
        let scenario = prepared.scenario();
        let mechanisms = scenario.mechanisms.any();
        let replicas = request
            .replicas
            .unwrap_or(if mechanisms { DEFAULT_REPLICAS } else { 1 })
            .max(1);
        let engine = request
            .engine
            .resolve(scenario.settings.log_levels.agent > 0);
        let model = Model::new(scenario.clone())
            .map_err(|error| Error::Internal(format!("building the model: {error}")))?;
        let notes = model.notes().to_vec();
        let network = RunNetwork::of_model(&model);
        let record = RunRecord::start(
            request,
            prepared,
            engine_name(engine),
            replicas,
            SystemTime::now(),
        )?;
        let fingerprint = crate::record::fingerprint(&record);
        Ok(Self {
            prepared: prepared.clone(),
            request: request.clone(),
            replicas,
            engine,
            ensemble_outputs: replicas > 1 || mechanisms,
            notes,
            record,
            fingerprint,
            network,
        })
    }

    /// Runs the plan on the current rayon pool (use [`worker_pool`] and `install`, or
    /// [`Plan::execute_on`]): `replicas` seeded replicas in parallel, replica `i` with
    /// `tumen_ensemble::replica_seed(seed, i)`, so the result does not depend on the number of
    /// threads.
    ///
    /// # Errors
    /// [`Error::Run`] when a replica stops.
    pub fn execute(&self, progress: &dyn Progress) -> Result<RunOutput, Error> {
        self.execute_with(progress, None)
    }

    /// The replica loop's specification for this plan, with `scenario_of` giving each
    /// replica its own scenario (a posterior ensemble) and the request's traces to replay
    /// (a merge of shards), if any.
    #[must_use]
    pub fn spec<'a>(
        &'a self,
        scenario_of: Option<tumen_ensemble::ScenarioOf<'a>>,
    ) -> tumen_ensemble::Spec<'a> {
        tumen_ensemble::Spec {
            scenario: self.prepared.scenario(),
            scenario_of,
            seed: self.request.seed,
            replicas: self.replicas,
            kind: self.engine,
            checkpoints: self.request.checkpoints.as_ref(),
            replay: self.request.replay.as_deref(),
        }
    }

    /// [`Plan::execute`] with `scenario_of` giving replica `i` its own scenario (for example
    /// parameters drawn from a posterior): the one replica loop for every kind of run.
    ///
    /// # Errors
    /// [`Error::Run`] when a replica stops.
    pub fn execute_with(
        &self,
        progress: &dyn Progress,
        scenario_of: Option<tumen_ensemble::ScenarioOf<'_>>,
    ) -> Result<RunOutput, Error> {
        let scenario = self.prepared.scenario();
        let mechanisms = scenario.mechanisms.any();
        let single = self.replicas == 1;
        if single {
            progress.start(u64::from(scenario.days), "day");
        } else {
            progress.start(self.replicas, "replica");
        }
        let reporter = Reporter { progress, single };
        let started = Instant::now();
        let extra = |index: u64, scenario: &tumen_core::Scenario| {
            (
                mechanisms.then(SystemObserver::new),
                (index == 0).then(|| DailyObserver::new(scenario)),
            )
        };
        let (ensemble, extras) =
            tumen_ensemble::run_spec(&self.spec(scenario_of), &reporter, extra).map_err(
                |source| Error::Run {
                    scenario: scenario.name.clone(),
                    source,
                },
            )?;
        let wall_seconds = started.elapsed().as_secs_f64();
        let mut daily = Daily::default();
        let mut records = Vec::new();
        for (system, first) in extras {
            records.extend(system.map(SystemObserver::into_record));
            if let Some(first) = first {
                daily = first.into_daily();
            }
        }
        let system = mechanisms.then(|| SystemEnsemble {
            layout: SystemLayout::of(scenario),
            replicas: records,
        });
        let summary = self.summary(&ensemble, wall_seconds);
        let mut record = self.record.clone();
        record.resumed = self
            .request
            .checkpoints
            .as_ref()
            .is_some_and(|plan| plan.resume);
        Ok(RunOutput {
            summary,
            record: record.finish(),
            ensemble,
            system,
            daily,
            network: self.network.clone(),
            ensemble_outputs: self.ensemble_outputs,
            targets: self.prepared.targets.clone(),
            evaluation: self.prepared.evaluation.clone(),
            incidents: crate::write::incidents(scenario),
            formats: self.request.formats.clone(),
            replica_outputs: self.request.replica_outputs,
        })
    }

    /// [`Plan::execute`] on a pool of `request.jobs` threads.
    ///
    /// # Errors
    /// As [`Plan::execute`], and when the threads cannot be started.
    pub fn execute_on_pool(&self, progress: &dyn Progress) -> Result<RunOutput, Error> {
        let pool = worker_pool(self.request.jobs)?;
        // The run on a worker of the pool, even a single one: a parallel pass started from
        // outside the pool waits for a worker to wake and then to wake it back, twice per
        // pass, which cost a third of a mali2012 agent run in the kernel.
        pool.install(|| self.execute(progress))
    }

    pub(crate) fn summary(&self, ensemble: &Ensemble, wall_seconds: f64) -> Summary {
        let scenario = self.prepared.scenario();
        let loaded = &self.prepared.loaded;
        let first = &ensemble.replicas[0];
        let settings = serde_json::json!({
            "used": loaded.settings_report.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            "resolved": &scenario.settings,
        });
        let ensemble_summary = self.ensemble_outputs.then(|| {
            let (normal, rescaled) = ensemble.validation_spread();
            EnsembleSummary {
                replicas: self.replicas,
                replica_seeds: REPLICA_SEEDS,
                uncertainty: SEED_NOISE,
                ard_normal: normal,
                ard_rescaled: rescaled,
                per_replica: ensemble
                    .replicas
                    .iter()
                    .zip(0_u64..)
                    .map(|(r, index)| ReplicaSummary {
                        index,
                        seed: r.seed,
                        ard_normal: r.validation.ard_normal,
                        ard_rescaled: r.validation.ard_rescaled,
                    })
                    .collect(),
            }
        });
        Summary {
            tool: "tumen",
            version: env!("CARGO_PKG_VERSION"),
            command_line: self.request.command_line.clone(),
            scenario: scenario.name.clone(),
            scenario_source: self.prepared.source.label(),
            seed: self.request.seed,
            engine: engine_name(self.engine),
            start_date: scenario.start_date.to_string(),
            days: scenario.days,
            camps: first.table.camps.clone(),
            agents_final: first.population,
            validation: Validation::of(&first.table),
            ensemble: ensemble_summary,
            scores: None,
            settings,
            notes: self.notes.clone(),
            wall_seconds,
        }
    }
}

/// Turns the replica loop's reports into [`Progress`]: days of replica 0 for a single run,
/// finished replicas for an ensemble.
struct Reporter<'a> {
    progress: &'a dyn Progress,
    single: bool,
}

impl ReplicaProgress for Reporter<'_> {
    fn day(&self, _replica: u64, day: u32) {
        if self.single {
            self.progress.set(u64::from(day));
        }
    }

    fn replica_done(&self, _replica: u64) {
        if !self.single {
            self.progress.inc();
        }
    }
}

/// The pool every run works on: `jobs` threads (default: all cores).
///
/// # Errors
/// When the threads cannot be started.
pub fn worker_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .map_err(|error| Error::Internal(format!("starting the worker threads: {error}")))
}

/// Everything a run produced, ready to be written ([`RunOutput::write`]) or read in memory.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// `summary.json`.
    pub summary: Summary,
    /// `run.json`.
    pub record: RunRecord,
    /// Every replica's Flee table and daily counts per location.
    pub ensemble: Ensemble,
    /// The mechanisms' records of every replica, for a scenario with mechanisms.
    pub system: Option<SystemEnsemble>,
    /// Replica 0's people per location and link, every day.
    pub daily: Daily,
    /// The network, for the map and GIS files.
    pub network: RunNetwork,
    /// Whether bands and the mechanisms' tables are written.
    pub ensemble_outputs: bool,
    /// The scenario's calibration targets.
    pub targets: Option<Vec<tumen_output::TargetRow>>,
    /// The scenario's evaluation figures (scored, never fitted).
    pub evaluation: Option<Vec<tumen_output::TargetRow>>,
    /// The scheduled asylum incidents (`incidents.csv` rows).
    pub incidents: Vec<crate::write::Incident>,
    /// The exchange formats to write.
    pub formats: Vec<Format>,
    /// Whether every replica's `out.csv` is written in FabFlee's layout (`RUNS/replica-<i>/`).
    pub replica_outputs: bool,
}
