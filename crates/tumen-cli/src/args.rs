//! Command-line arguments (raw, as the user typed them). Validation happens in `main.rs`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Tumen: a fast simulator of forced and irregular migration that runs Flee scenarios.
#[derive(Debug, Parser)]
#[command(
    name = "tumen",
    version,
    about,
    long_about = "Tumen simulates forced and irregular migration day by day on a network of \
        places: people fleeing conflict or famine, crossing borders, hiding, detained, \
        deported, seeking asylum. It reads the scenario directories of Flee (the field's \
        reference simulator) unchanged and reproduces Flee 3.1's model in distribution, much \
        faster; its flagship scenario (Korea-China, 1994-2010) is embedded.",
    after_help = "Examples:\n  \
        tumen run                                  the embedded flagship: 20 replicas, every output in tumen-out/\n  \
        tumen run path/to/mali2012 --seed 7 -o out a Flee scenario directory\n  \
        tumen validate path/to/mali2012            report every problem of a scenario, run nothing\n  \
        tumen compare --report                     the flagship's policy variants, paired replicas\n  \
        tumen report tumen-out --png               the HTML report of a run directory\n\n\
        Exit codes: 0 success, 1 a problem with the input (the command line included), 2 an \
        internal or I/O error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a scenario (a Flee scenario directory, or the embedded flagship scenario when no
    /// directory is given) and write its outputs: `out.csv` (Flee's table), `summary.json`,
    /// `run.json`, `locations.geojson`, `daily_locations.csv`, `daily_links.csv`; for an
    /// ensemble `quantiles.csv` and `countries.csv`; for a scenario with mechanisms
    /// `yearly.csv`, `weekly.csv`, `status.csv`, `targets.csv` and `incidents.csv`; with
    /// `--formats` the exchange tables, with `--report` `report.html`.
    Run(RunArgs),
    /// Check a scenario directory (or the embedded flagship) and report every problem found,
    /// without running it.
    Validate(ValidateArgs),
    /// Make the HTML report (`report.html`) of a run directory or of a `tumen compare`
    /// directory, and PNGs of its plots.
    Report(ReportArgs),
    /// Continue an interrupted run from its checkpoints (`tumen run --checkpoint-every N`):
    /// the same scenario and options, to the same output directory; the result is the same,
    /// byte for byte, as the run in one piece.
    Resume(ResumeArgs),
    /// Compare policy variants of a scenario with mechanisms: the baseline and each variant
    /// (the scenario with `--set`-style overrides) over the same seeds; writes
    /// `comparison.csv` and each run's yearly, weekly, status and target tables.
    Compare(CompareArgs),
    /// Calibrate a scenario's uncertain parameters by ABC-SMC on the data up to `--until`,
    /// then forecast the whole period from the posterior and score it, before and after the
    /// cut, against the scenario's own values; writes `posterior.csv`, `generations.csv`,
    /// `score.json` and `forecast/`.
    Calibrate(CalibrateArgs),
    /// Sobol (and with `--morris`, Morris) sensitivity of a scenario's outputs (ARD, targets,
    /// yearly totals) to its uncertain parameters; writes `sobol.csv` (and `morris.csv`).
    Sensitivity(SensitivityArgs),
    /// Merge the slices of a sharded run (`tumen run --shard i/n` in `n` processes, for
    /// example a Slurm job array) into the outputs of the run in one process, byte for byte;
    /// a missing, duplicated or unfinished slice, or one from another run, is refused.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CalibrateArgs {
    /// Scenario directory; omit it for the embedded flagship.
    pub(crate) scenario: Option<PathBuf>,
    /// The cut-off date (YYYY-MM-DD): data after it are used only to score the forecast.
    #[arg(long, value_name = "DATE")]
    pub(crate) until: String,
    /// The calibration spec (a `[calibration]` section); default: `calibration.toml` beside
    /// `scenario.toml`, else `[calibration]` in `scenario.toml`, else Flee's move rules.
    #[arg(long, value_name = "FILE")]
    pub(crate) params: Option<PathBuf>,
    /// Population size.
    #[arg(long, value_name = "N")]
    pub(crate) particles: Option<usize>,
    /// The most generations (generation 0 included).
    #[arg(long, value_name = "G")]
    pub(crate) generations: Option<usize>,
    /// The most model runs in all; alone, it sizes the population.
    #[arg(long, value_name = "RUNS")]
    pub(crate) budget: Option<u64>,
    /// Model runs per particle (the distance is their mean; default 1).
    #[arg(long, value_name = "K")]
    pub(crate) replicas_per_particle: Option<usize>,
    /// Stop once the tolerance is at or below this.
    #[arg(long, value_name = "EPS")]
    pub(crate) min_tolerance: Option<f64>,
    /// Replicas of the forecast and of the baseline (default 20).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) forecast_replicas: Option<u64>,
    /// Seed; the same seed gives the same posterior for any `--jobs`.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Threads (default: all cores).
    #[arg(long, value_name = "J")]
    pub(crate) jobs: Option<usize>,
    /// Output directory.
    #[arg(long, short, value_name = "DIR", default_value = "tumen-calibration")]
    pub(crate) output: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SensitivityArgs {
    /// Scenario directory; omit it for the embedded flagship.
    pub(crate) scenario: Option<PathBuf>,
    /// The parameters (a `[calibration]` section), as for `tumen calibrate`.
    #[arg(long, value_name = "FILE")]
    pub(crate) params: Option<PathBuf>,
    /// Saltelli base sample size N: N (d + 2) runs for d parameters.
    #[arg(long, value_name = "N")]
    pub(crate) samples: usize,
    /// Also screen by Morris elementary effects with R trajectories (R (d + 1) runs).
    #[arg(long, value_name = "R")]
    pub(crate) morris: Option<usize>,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Threads (default: all cores).
    #[arg(long, value_name = "J")]
    pub(crate) jobs: Option<usize>,
    /// Output directory.
    #[arg(long, short, value_name = "DIR", default_value = "tumen-sensitivity")]
    pub(crate) output: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Scenario directory with a `scenario.toml`; omit it for the embedded flagship.
    pub(crate) scenario: Option<PathBuf>,
    /// A variant, `NAME:KEY=VALUE[,KEY=VALUE...]` (repeatable), for example
    /// `no-trigger:enforcement.trigger.enabled=false`. Without any: no-trigger and
    /// no-incidents, for the mechanisms the scenario has.
    #[arg(long = "variant", value_name = "NAME:KEY=VALUE,...")]
    pub(crate) variants: Vec<String>,
    /// Settings file to use instead of the scenario's `simsetting.yml`.
    #[arg(long, value_name = "FILE")]
    pub(crate) settings: Option<PathBuf>,
    /// Seed of the replicas (the same for every variant: paired replicas).
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Simulate this many days instead of the period file's length (at least 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) days: Option<u32>,
    /// Output directory.
    #[arg(long, short, value_name = "DIR", default_value = "tumen-compare")]
    pub(crate) output: PathBuf,
    /// Engine (default `counts`).
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub(crate) engine: Option<Engine>,
    /// Replicas per variant (default 20).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) replicas: Option<u64>,
    /// Threads (default: all cores).
    #[arg(long, value_name = "J")]
    pub(crate) jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Treat warnings about the scenario as errors.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Also write the comparison's HTML report (`report.html`: per-year medians of every run,
    /// paired differences with their spread, the whole-run table).
    #[arg(long)]
    pub(crate) report: bool,
}

#[derive(Clone, Debug, Args)]
pub(crate) struct RunArgs {
    /// Scenario directory (with `input_csv/`, `source_data/` and `simsetting.yml`). Omit it
    /// to run the embedded flagship scenario (Korea–China, 1994–2010).
    pub(crate) scenario: Option<PathBuf>,
    /// Settings file to use instead of the scenario's `simsetting.yml`.
    #[arg(long, value_name = "FILE")]
    pub(crate) settings: Option<PathBuf>,
    /// Seed of the random streams; the same seed gives the same output.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Simulate this many days instead of the period file's length (at least 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) days: Option<u32>,
    /// Output directory.
    #[arg(long, short, value_name = "DIR", default_value = "tumen-out")]
    pub(crate) output: PathBuf,
    /// Which engine moves the people: one record per person (`agents`) or one per distinct
    /// state (`counts`); both give the same results in distribution. `auto` (the default)
    /// picks `counts` unless the settings ask for per-agent logs (`log_levels.agent`).
    #[arg(long = "engine", value_enum, value_name = "ENGINE")]
    pub(crate) engine_flag: Option<Engine>,
    /// Run this many seeded replicas and write quantile bands (`quantiles.csv`) and the
    /// metric's spread; replica 0 is the plain run with `--seed`, whose `out.csv` is written.
    /// Default: 20 for a scenario with mechanisms, 1 otherwise.
    #[arg(long = "replicas", value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) replicas_flag: Option<u64>,
    /// Threads (default: all cores); the output does not depend on it.
    #[arg(long, value_name = "J")]
    pub(crate) jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Treat warnings about the scenario as errors.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Change a value of the scenario's `scenario.toml` before it is read, as `KEY=VALUE` with
    /// a TOML value (repeatable): `--set enforcement.trigger.enabled=false`,
    /// `--set asylum.channel[1].success=0.5`. See docs/NATIVE_FORMAT.md.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
    /// Exchange formats to write besides `out.csv` and `locations.geojson` (comma-separated):
    /// `long` (long.csv), `hxl` (hxl.csv), `parquet` (long.parquet, needs the `parquet` build
    /// feature).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LIST")]
    pub(crate) formats: Vec<Format>,
    /// Also write the HTML report (`report.html`) of the run.
    #[arg(long)]
    pub(crate) report: bool,
    /// Draw each replica's parameters from a posterior (`posterior.csv` written by
    /// `tumen calibrate`): the bands then include parameter uncertainty, not only seed noise.
    /// Without it, a scenario that ships a `posterior.csv` beside its `scenario.toml` (the
    /// flagship does) is run with that one.
    #[arg(long, value_name = "FILE", conflicts_with = "no_posterior")]
    pub(crate) posterior: Option<PathBuf>,
    /// Run with the scenario's own values (seed noise only) even when it ships a posterior.
    #[arg(long)]
    pub(crate) no_posterior: bool,
    /// Also write every replica's Flee table as `RUNS/replica-<i>/out.csv` (FabFlee's ensemble
    /// layout, for its scripts `plot_flee_uq_output` and `plot_flee_forecast`).
    #[arg(long)]
    pub(crate) replica_outputs: bool,
    /// Save every replica's whole state to `<OUTPUT>/checkpoint/` after every N days, so that
    /// an interrupted run can go on with `tumen resume <OUTPUT>`; the files are removed when
    /// the run ends.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) checkpoint_every: Option<u32>,
    /// Run only slice `i` of `n` of the replicas (replica `r` is in slice `r mod n + 1`) and
    /// write their traces and a manifest (`shard.json`, written last) into `--output`, for
    /// `tumen merge` (Slurm job arrays, HTCondor, FabSim3).
    #[arg(long, value_name = "i/n")]
    pub(crate) shard: Option<tumen_pipeline::shard::Shard>,
}

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The shard directories (written by `--shard i/n`), every slice once, in any order.
    #[arg(required = true, value_name = "DIR")]
    pub(crate) shards: Vec<PathBuf>,
    /// Output directory of the merged run.
    #[arg(long, short, value_name = "DIR", default_value = "tumen-out")]
    pub(crate) output: PathBuf,
    /// Threads (default: all cores); the output does not depend on it.
    #[arg(long, value_name = "J")]
    pub(crate) jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ResumeArgs {
    /// The output directory of the interrupted run (with its `checkpoint/` directory).
    pub(crate) run_dir: PathBuf,
    /// Threads for the replicas (default: all cores); the output does not depend on it.
    #[arg(long, value_name = "J")]
    pub(crate) jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub(crate) no_progress: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Run directory (written by `tumen run`; needs at least `out.csv`), or a `tumen compare`
    /// directory (needs `comparison.csv`).
    pub(crate) run_dir: PathBuf,
    /// Also write one PNG per plot (in `plots/` beside the report), text in the bundled font.
    #[arg(long)]
    pub(crate) png: bool,
    /// The HTML file to write (default: `report.html` in the run directory).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Scenario directory; omit it to check the embedded flagship scenario.
    pub(crate) scenario: Option<PathBuf>,
    /// Settings file to use instead of the scenario's `simsetting.yml`.
    #[arg(long, value_name = "FILE")]
    pub(crate) settings: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Change a value of `scenario.toml` before it is checked (as for `run`; repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
}

/// Exchange formats that `--formats` adds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// `long.csv`: one row per location and day.
    Long,
    /// `hxl.csv`: the long table with a row of HXL hashtags.
    Hxl,
    /// `long.parquet` (needs a build with the cargo feature `parquet`).
    Parquet,
}

impl From<Format> for tumen_pipeline::Format {
    fn from(format: Format) -> Self {
        match format {
            Format::Long => Self::Long,
            Format::Hxl => Self::Hxl,
            Format::Parquet => Self::Parquet,
        }
    }
}

impl From<Engine> for tumen_pipeline::EngineChoice {
    fn from(engine: Engine) -> Self {
        match engine {
            Engine::Agents => Self::Agents,
            Engine::Counts => Self::Counts,
            Engine::Auto => Self::Auto,
        }
    }
}

impl RunArgs {
    /// The pipeline's request for these arguments.
    pub(crate) fn request(&self) -> tumen_pipeline::RunRequest {
        tumen_pipeline::RunRequest {
            scenario: self.scenario.clone(),
            settings: self.settings.clone(),
            days: self.days,
            overrides: self.set.clone(),
            seed: self.seed,
            replicas: self.replicas_flag,
            engine: self.engine_flag.map(Into::into).unwrap_or_default(),
            jobs: self.jobs,
            formats: self.formats.iter().map(|&f| f.into()).collect(),
            checkpoints: None,
            command_line: std::env::args().collect(),
            replica_outputs: self.replica_outputs,
            shard: self.shard,
            replay: None,
        }
    }
}

/// The engines the user can choose.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Engine {
    /// One record per person.
    Agents,
    /// One record per distinct state, with a count.
    Counts,
    /// The count engine unless per-agent output is asked for.
    Auto,
}
