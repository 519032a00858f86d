//! `tumen`: the command-line tool. It parses arguments, loads scenarios, runs them and writes
//! the output; every piece of real work lives in the library crates.

mod args;
mod checkpointing;
mod compare;
mod embedded;
mod formats;
mod printer;
mod record;
mod report;
mod system;

use anyhow::Context;
use args::{Cli, Command, RunArgs, ValidateArgs};
use clap::Parser;
use printer::Printer;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use tumen_engine::EngineKind;
use tumen_output::{FleeTableObserver, Summary, Validation, write_atomic};
use tumen_scenario::{LoadOptions, Loaded, ScenarioError, Severity};

/// How a command failed.
enum Failure {
    /// The user's input is wrong (exit code 1). The message has been printed.
    User,
    /// Something else went wrong (exit code 2).
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = matches!(&cli.command, Command::Run(args) if args.quiet)
        || matches!(&cli.command, Command::Resume(args) if args.quiet)
        || matches!(&cli.command, Command::Compare(args) if args.quiet);
    let printer = Printer::new(quiet);
    let result = match cli.command {
        Command::Run(args) => run(&args, &printer, None),
        Command::Resume(args) => match checkpointing::load(&args, &printer) {
            Ok((run_args, fingerprint)) => run(&run_args, &printer, Some(fingerprint)),
            Err(failure) => Err(failure),
        },
        Command::Validate(args) => validate(&args, &printer),
        Command::Compare(args) => compare::run(&args, &printer),
        Command::Report(args) => {
            report::write(&args.run_dir, args.output.clone(), args.png, &printer)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::User) => ExitCode::from(1),
        Err(Failure::Internal(error)) => {
            printer.error(&format!("{error:#}"));
            printer.note("this is a bug or an environment problem; please report it with the command line above");
            ExitCode::from(2)
        }
    }
}

/// Loads a scenario and prints its diagnostics; warnings fail under `--strict`.
fn load(
    scenario: Option<&Path>,
    options: &LoadOptions,
    strict: bool,
    printer: &Printer,
) -> Result<(Loaded, String), Failure> {
    let (loaded, source) = match scenario {
        Some(dir) => (
            tumen_scenario::load_dir(dir, options),
            dir.display().to_string(),
        ),
        None => (embedded::load(options), "embedded".to_owned()),
    };
    match loaded {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                printer.diagnostic(warning);
            }
            if strict && !loaded.warnings.is_empty() {
                printer.error(&format!(
                    "{} warning(s) and `--strict` was given",
                    loaded.warnings.len()
                ));
                return Err(Failure::User);
            }
            Ok((loaded, source))
        }
        Err(ScenarioError::Invalid { diagnostics }) => {
            for diagnostic in &diagnostics {
                printer.diagnostic(diagnostic);
            }
            let errors = diagnostics
                .iter()
                .filter(|d| matches!(d.severity, Severity::Error))
                .count();
            printer.error(&format!(
                "could not load the scenario: {errors} error(s) found"
            ));
            Err(Failure::User)
        }
        Err(ScenarioError::Io { path, source }) => {
            printer.error(&format!("cannot read `{path}`: {source}"));
            Err(Failure::User)
        }
        Err(other) => Err(Failure::Internal(anyhow::anyhow!(other))),
    }
}

/// `tumen run`, or `tumen resume` when `resuming` holds the fingerprint recorded by the
/// interrupted run.
fn run(args: &RunArgs, printer: &Printer, resuming: Option<u64>) -> Result<(), Failure> {
    if let Err(message) = formats::check(&args.formats) {
        printer.error(&message);
        return Err(Failure::User);
    }
    let started_at = std::time::SystemTime::now();
    let options = LoadOptions {
        settings_path: args.settings.clone(),
        days: args.days,
        overrides: args.set.clone(),
    };
    let (loaded, source) = load(args.scenario.as_deref(), &options, args.strict, printer)?;
    let scenario = loaded.scenario;
    // A scenario with mechanisms runs 20 replicas on the count engine unless told otherwise.
    let mechanisms = scenario.mechanisms.any();
    let agent_output = scenario.settings.log_levels.agent > 0;
    let resolved = system::resolve_defaults(args, mechanisms, agent_output);
    let args = &resolved;
    let name = scenario.name.clone();
    let days = scenario.days;
    let start_date = scenario.start_date.to_string();
    let settings_json = serde_json::json!({
        "used": loaded.settings_report.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
        "resolved": &scenario.settings,
    });
    let (kind, engine_name) = match args.engine {
        args::Engine::Agents => (EngineKind::Agents, "agents"),
        args::Engine::Counts | args::Engine::Auto => (EngineKind::Counts, "counts"),
    };
    let mut record = record::RunRecord::start(args, &scenario, engine_name, started_at)?;
    record.resumed = resuming.is_some();
    let fingerprint = checkpointing::fingerprint(&record);
    if let Some(recorded) = resuming
        && recorded != fingerprint
    {
        printer.error(&format!(
            "the inputs of the run in `{}` changed since it started (scenario files, settings, \
             `--days` or `--set`; fingerprint {recorded:016x}, now {fingerprint:016x}): its \
             checkpoints cannot be used",
            args.output.display()
        ));
        printer.note(&format!(
            "rerun it from the start: {}",
            record.rerun.join(" ")
        ));
        return Err(Failure::User);
    }
    let checkpoints = match args.checkpoint_every {
        Some(every) => {
            if resuming.is_none() {
                checkpointing::prepare(args, every, fingerprint)?;
            } else {
                printer.note(&format!(
                    "resuming `{name}` from the checkpoints in `{}` (every {every} days)",
                    checkpointing::dir(&args.output).display()
                ));
            }
            Some(tumen_ensemble::Checkpoints {
                dir: checkpointing::dir(&args.output),
                every,
                fingerprint,
                resume: resuming.is_some(),
            })
        }
        None => None,
    };
    if args.replicas > 1 || mechanisms {
        let context = EnsembleContext {
            name: &name,
            source,
            start_date,
            days,
            settings_json,
            engine_name,
            kind,
            record,
            checkpoints,
        };
        return run_ensemble(args, printer, &scenario, context);
    }
    let started = Instant::now();
    let progress = printer.progress(
        u64::from(days),
        &format!("Simulating {name}"),
        args.no_progress,
    );
    let make = |model: &tumen_engine::Model| {
        for note in &model.notes {
            printer.note(note);
        }
        (
            FleeTableObserver::for_model(model),
            tumen_output::DailyObserver::new(&model.scenario),
        )
    };
    // The run itself on a worker of the pool, as the ensembles' replicas: a parallel pass
    // started from a worker runs its first chunk at once, where one started from outside the
    // pool waits for a worker to wake and then to wake it back, twice per pass (16 passes a
    // day with capacities), which cost a third of a mali2012 agent run in the kernel.
    let pool = worker_pool(args.jobs)?;
    let result = pool.install(|| {
        tumen_ensemble::run_replica(
            &scenario,
            args.seed,
            0,
            kind,
            make,
            checkpoints.as_ref(),
            &|day| progress.set_position(u64::from(day)),
        )
    });
    progress.finish_and_clear();
    let (simulation, observer) = match result {
        Ok(done) => done,
        Err(error) => {
            printer.error(&format!("the run of `{name}` stopped: {error}"));
            return Err(Failure::User);
        }
    };
    let wall_seconds = started.elapsed().as_secs_f64();
    let agents_final = simulation.population();
    let notes = simulation.model().notes.clone();
    let network = tumen_output::RunNetwork::of_model(simulation.model());
    let (observer, daily) = observer;
    let table = observer.into_table();

    fs_create_dir_all(&args.output)?;
    let out_csv = args.output.join("out.csv");
    write_atomic(&out_csv, |w| table.write_csv(w))
        .with_context(|| format!("writing `{}`", out_csv.display()))?;
    let summary = Summary {
        tool: "tumen",
        version: env!("CARGO_PKG_VERSION"),
        command_line: std::env::args().collect(),
        scenario: name.clone(),
        scenario_source: source,
        seed: args.seed,
        engine: engine_name,
        start_date,
        days,
        camps: table.camps.clone(),
        agents_final,
        validation: Validation::of(&table),
        settings: settings_json,
        notes,
        wall_seconds,
    };
    let summary_json = write_json(&args.output, "summary.json", &summary)?;
    write_json(&args.output, "run.json", &record.finish())?;
    formats::write_outputs(
        &args.output,
        &network,
        &daily.into_daily(),
        &table,
        &args.formats,
    )?;
    printer.done(&format!(
        "Simulated {days} days of `{name}` (seed {}, {agents_final} agents) in {wall_seconds:.2}s; \
         ARD {:.4} (rescaled {:.4}); wrote `{}` and `{}`",
        args.seed,
        summary.validation.ard_normal,
        summary.validation.ard_rescaled,
        out_csv.display(),
        summary_json.display(),
    ));
    if args.report {
        report::write(&args.output, None, false, printer)?;
    }
    if args.checkpoint_every.is_some() {
        checkpointing::finish(&args.output, printer);
    }
    Ok(())
}

/// What the ensemble path needs besides the scenario.
struct EnsembleContext<'a> {
    name: &'a str,
    source: String,
    start_date: String,
    days: u32,
    settings_json: serde_json::Value,
    engine_name: &'static str,
    kind: EngineKind,
    /// `run.json`, finished when the ensemble ends.
    record: record::RunRecord,
    /// Checkpoints of the replicas (`--checkpoint-every`).
    checkpoints: Option<tumen_ensemble::Checkpoints>,
}

/// `tumen run --replicas N`: N seeded replicas in parallel, one progress bar.
fn run_ensemble(
    args: &RunArgs,
    printer: &Printer,
    scenario: &tumen_core::Scenario,
    context: EnsembleContext<'_>,
) -> Result<(), Failure> {
    let EnsembleContext {
        name,
        source,
        start_date,
        days,
        settings_json,
        engine_name,
        kind,
        record,
        checkpoints,
    } = context;
    let pool = worker_pool(args.jobs)?;
    let progress = printer.progress(
        args.replicas,
        &format!("{} replicas of {name}", args.replicas),
        args.no_progress,
    );
    let started = Instant::now();
    let mechanisms = scenario.mechanisms.any();
    let targets = if mechanisms {
        system::read_targets(args.scenario.as_deref(), printer)?
    } else {
        None
    };
    let result = pool.install(|| {
        let done = || progress.inc(1);
        system::run_ensemble(
            scenario,
            args.seed,
            args.replicas,
            kind,
            &done,
            checkpoints.as_ref(),
        )
    });
    progress.finish_and_clear();
    let (ensemble, system, daily) = match result {
        Ok(ensemble) => ensemble,
        Err(error) => {
            printer.error(&format!("the ensemble of `{name}` stopped: {error}"));
            return Err(Failure::User);
        }
    };
    let wall_seconds = started.elapsed().as_secs_f64();
    fs_create_dir_all(&args.output)?;
    let first = &ensemble.replicas[0];
    let out_csv = args.output.join("out.csv");
    write_atomic(&out_csv, |w| first.table.write_csv(w))
        .with_context(|| format!("writing `{}`", out_csv.display()))?;
    let quantiles_csv = args.output.join("quantiles.csv");
    write_atomic(&quantiles_csv, |w| ensemble.write_bands_csv(w))
        .with_context(|| format!("writing `{}`", quantiles_csv.display()))?;
    let countries_csv = args.output.join("countries.csv");
    write_atomic(&countries_csv, |w| ensemble.write_country_bands_csv(w))
        .with_context(|| format!("writing `{}`", countries_csv.display()))?;
    let (normal, rescaled) = ensemble.validation_spread();
    let replicas: Vec<serde_json::Value> = ensemble
        .replicas
        .iter()
        .enumerate()
        .map(|(index, r)| {
            serde_json::json!({
                "index": index,
                "seed": r.seed,
                "ard_normal": r.validation.ard_normal,
                "ard_rescaled": r.validation.ard_rescaled,
            })
        })
        .collect();
    let summary = serde_json::json!({
        "tool": "tumen",
        "version": env!("CARGO_PKG_VERSION"),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "scenario": name,
        "scenario_source": source,
        "seed": args.seed,
        "engine": engine_name,
        "start_date": start_date,
        "days": days,
        "camps": first.table.camps,
        "agents_final": first.table.rows.last().map_or(0, |r| r.agents_total),
        "validation": Validation::of(&first.table),
        "ensemble": {
            "replicas": args.replicas,
            "replica_seeds": "replica i uses seed mix64(seed ^ mix64(i)); replica 0 uses the run's seed",
            "ard_normal": normal,
            "ard_rescaled": rescaled,
            "per_replica": replicas,
        },
        "settings": settings_json,
        "wall_seconds": wall_seconds,
    });
    let summary_json = write_json(&args.output, "summary.json", &summary)?;
    let system_outputs = match &system {
        Some(system) => {
            system::write_incidents(&args.output, scenario)?;
            Some(system::write_outputs(
                &args.output,
                system,
                targets.as_deref(),
                printer,
            )?)
        }
        None => None,
    };
    write_json(&args.output, "run.json", &record.finish())?;
    let network = tumen_output::RunNetwork::of_model(
        &tumen_engine::Model::new(scenario.clone()).context("building the model")?,
    );
    formats::write_outputs(&args.output, &network, &daily, &first.table, &args.formats)?;
    printer.done(&format!(
        "Simulated {days} days × {} replicas of `{name}` in {wall_seconds:.2}s; ARD {:.4} ± {:.4} \
         (rescaled {:.4} ± {:.4}); wrote `{}`, `{}` and `{}`",
        args.replicas,
        normal.mean,
        normal.sd,
        rescaled.mean,
        rescaled.sd,
        out_csv.display(),
        quantiles_csv.display(),
        summary_json.display(),
    ));
    if let Some((results, written)) = &system_outputs {
        printer.done(&format!(
            "The seed's system (ensemble medians): wrote {}",
            system::file_list(written)
        ));
        if let Some(results) = results {
            printer.done(&tumen_output::targets_table(results));
        }
    }
    if args.report {
        report::write(&args.output, None, false, printer)?;
    }
    if args.checkpoint_every.is_some() {
        checkpointing::finish(&args.output, printer);
    }
    Ok(())
}

/// Writes `value` as pretty JSON to `dir/name` (atomically) and returns the path.
fn write_json(dir: &Path, name: &str, value: &impl serde::Serialize) -> Result<PathBuf, Failure> {
    let path = dir.join(name);
    write_atomic(&path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")
    })
    .with_context(|| format!("writing `{}`", path.display()))?;
    Ok(path)
}

/// The pool every run works on: `jobs` threads (default: all cores).
fn worker_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .context("starting the worker threads")?)
}

fn fs_create_dir_all(path: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(path)
        .with_context(|| format!("creating the output directory `{}`", path.display()))
        .map_err(Failure::Internal)
}

fn validate(args: &ValidateArgs, printer: &Printer) -> Result<(), Failure> {
    let options = LoadOptions {
        settings_path: args.settings.clone(),
        days: None,
        overrides: args.set.clone(),
    };
    let (loaded, source) = load(Some(&args.scenario), &options, args.strict, printer)?;
    let scenario = &loaded.scenario;
    printer.done(&format!(
        "`{source}` is valid: {} locations, {} links, {} days from {}, {} warning(s)",
        scenario.network.location_count(),
        scenario.network.links.len() / 2,
        scenario.days,
        scenario.start_date,
        loaded.warnings.len()
    ));
    Ok(())
}
