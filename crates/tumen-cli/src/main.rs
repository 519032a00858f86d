//! `tumen`: the command-line tool. It parses arguments, loads scenarios, runs them and writes
//! the output; every piece of real work lives in the library crates.

mod args;
mod embedded;
mod printer;

use anyhow::Context;
use args::{Cli, Command, RunArgs, ValidateArgs};
use clap::Parser;
use printer::Printer;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use tumen_engine::{EngineKind, Simulation};
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
    let quiet = matches!(&cli.command, Command::Run(args) if args.quiet);
    let printer = Printer::new(quiet);
    let result = match cli.command {
        Command::Run(args) => run(&args, &printer),
        Command::Validate(args) => validate(&args, &printer),
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
            tumen_scenario::load_flee_dir(dir, options),
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

fn run(args: &RunArgs, printer: &Printer) -> Result<(), Failure> {
    let options = LoadOptions {
        settings_path: args.settings.clone(),
        days: args.days,
    };
    let (loaded, source) = load(args.scenario.as_deref(), &options, args.strict, printer)?;
    let scenario = loaded.scenario;
    let name = scenario.name.clone();
    let days = scenario.days;
    let start_date = scenario.start_date.to_string();
    let settings_json = serde_json::json!({
        "used": loaded.settings_report.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
        "resolved": &scenario.settings,
    });
    let started = Instant::now();
    let (kind, engine_name) = match args.engine {
        args::Engine::Agents => (EngineKind::Agents, "agents"),
        args::Engine::Counts => (EngineKind::Counts, "counts"),
    };
    let mut simulation = match Simulation::with_engine(scenario, args.seed, kind) {
        Ok(simulation) => simulation,
        Err(error) => {
            printer.error(&format!("cannot run `{name}`: {error}"));
            return Err(Failure::User);
        }
    };
    for note in &simulation.model().notes {
        printer.note(note);
    }
    let mut observer = FleeTableObserver::new(&simulation);
    let progress = printer.progress(
        u64::from(days),
        &format!("Simulating {name}"),
        args.no_progress,
    );
    while !simulation.finished() {
        if let Err(error) = simulation.step(&mut observer) {
            progress.finish_and_clear();
            printer.error(&format!("the run of `{name}` stopped: {error}"));
            return Err(Failure::User);
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let wall_seconds = started.elapsed().as_secs_f64();
    let agents_final = simulation.population();
    let notes = simulation.model().notes.clone();
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
    let summary_json = args.output.join("summary.json");
    write_atomic(&summary_json, |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")
    })
    .with_context(|| format!("writing `{}`", summary_json.display()))?;
    printer.done(&format!(
        "Simulated {days} days of `{name}` (seed {}, {agents_final} agents) in {wall_seconds:.2}s; \
         ARD {:.4} (rescaled {:.4}); wrote `{}` and `{}`",
        args.seed,
        summary.validation.ard_normal,
        summary.validation.ard_rescaled,
        out_csv.display(),
        summary_json.display(),
    ));
    Ok(())
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
