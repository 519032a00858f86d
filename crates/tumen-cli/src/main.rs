//! `tumen`: the command-line tool. It parses arguments, loads scenarios, runs them and writes
//! the output; every piece of real work lives in the library crates.

mod args;
mod calibrate;
mod checkpointing;
mod compare;
mod printer;
mod report;
mod sharding;

use args::{Cli, Command, MergeArgs, RunArgs, ValidateArgs};
use clap::Parser as _;
use printer::Printer;
use std::process::ExitCode;
use tumen_pipeline::{Plan, Prepared, Progress, ScenarioSource};
use tumen_scenario::LoadOptions;

/// How a command failed.
pub(crate) enum Failure {
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` print and succeed; a malformed command line is a
            // problem with the input (exit code 1, as the README says), not clap's 2.
            let code = if error.use_stderr() { 1 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let quiet = matches!(&cli.command, Command::Run(args) if args.quiet)
        || matches!(&cli.command, Command::Resume(args) if args.quiet)
        || matches!(&cli.command, Command::Compare(args) if args.quiet)
        || matches!(&cli.command, Command::Calibrate(args) if args.quiet)
        || matches!(&cli.command, Command::Sensitivity(args) if args.quiet)
        || matches!(&cli.command, Command::Merge(args) if args.quiet);
    let cluster = match tumen_mpi::Cluster::init() {
        Ok(cluster) => cluster,
        Err(message) => {
            Printer::new(quiet).error(&message);
            return ExitCode::from(1);
        }
    };
    // Under MPI only rank 0 speaks, except for errors.
    let printer = Printer::new(quiet || cluster.rank() > 0);
    if cluster.is_distributed() && matches!(&cli.command, Command::Merge(_) | Command::Report(_)) {
        // Every rank would write the same files, and there is nothing to spread.
        printer.error(
            "`tumen merge` and `tumen report` run in one process: start them without mpirun",
        );
        cluster.abort_if_distributed(1);
        return ExitCode::from(1);
    }
    let result = match cli.command {
        Command::Run(args) => run(&args, &printer, None, None, &cluster),
        Command::Merge(args) => merge(&args, &printer),
        Command::Resume(args) => match checkpointing::load(&args, &printer) {
            Ok((run_args, fingerprint)) => {
                run(&run_args, &printer, Some(fingerprint), None, &cluster)
            }
            Err(failure) => Err(failure),
        },
        Command::Validate(args) => validate(&args, &printer),
        Command::Compare(args) => compare::run(&args, &printer, &cluster),
        Command::Calibrate(args) => calibrate::calibrate(&args, &printer, &cluster),
        Command::Sensitivity(args) => calibrate::sensitivity(&args, &printer, &cluster),
        Command::Report(args) => {
            report::write(&args.run_dir, args.output.clone(), args.png, &printer)
        }
    };
    let code = match result {
        Ok(()) => 0,
        Err(Failure::User) => 1,
        Err(Failure::Internal(error)) => {
            printer.error(&format!("{error:#}"));
            printer.note("this is a bug or an environment problem; please report it with the command line above");
            2
        }
    };
    if code != 0 {
        // Under MPI a failing rank ends the job (its error is printed above).
        cluster.abort_if_distributed(i32::from(code));
    }
    ExitCode::from(code)
}

/// Loads a scenario and prints its diagnostics; warnings fail under `--strict`.
fn load(
    source: &ScenarioSource,
    options: &LoadOptions,
    strict: bool,
    printer: &Printer,
) -> Result<Prepared, Failure> {
    let prepared = tumen_pipeline::load(source, options).map_err(|e| fail(&e, printer))?;
    for warning in &prepared.loaded.warnings {
        printer.diagnostic(warning);
    }
    prepared
        .check_strict(strict)
        .map_err(|e| fail(&e, printer))?;
    Ok(prepared)
}

/// Prints a pipeline error (with its diagnostics) and says how the command fails.
pub(crate) fn fail(error: &tumen_pipeline::Error, printer: &Printer) -> Failure {
    if let tumen_pipeline::Error::Invalid { diagnostics } = error {
        for diagnostic in diagnostics {
            printer.diagnostic(diagnostic);
        }
    }
    if error.is_user_error() {
        printer.error(&error.to_string());
        Failure::User
    } else {
        Failure::Internal(anyhow::anyhow!(error.to_string()))
    }
}

/// A progress bar as the pipeline's progress.
pub(crate) struct Bar(pub(crate) indicatif::ProgressBar);

impl Progress for Bar {
    fn set(&self, done: u64) {
        self.0.set_position(done);
    }

    fn inc(&self) {
        self.0.inc(1);
    }
}

/// `tumen run`, or `tumen resume` when `resuming` holds the fingerprint recorded by the
/// interrupted run, or `tumen merge` when `merging` holds the slices.
fn run(
    args: &RunArgs,
    printer: &Printer,
    resuming: Option<u64>,
    merging: Option<tumen_pipeline::shard::Collected>,
    cluster: &tumen_mpi::Cluster,
) -> Result<(), Failure> {
    let mut request = args.request();
    let manifest = merging.map(|collected| {
        request.replay = Some(std::sync::Arc::new(collected.traces));
        collected.manifest
    });
    if manifest.is_some() {
        request.command_line = sharding::one_process_command_line(args);
    }
    let prepared = load(
        &request.source(),
        &request.load_options(),
        args.strict,
        printer,
    )?;
    let name = prepared.scenario().name.clone();
    let mut plan = Plan::new(&prepared, &request).map_err(|e| fail(&e, printer))?;
    if let Some(recorded) = resuming
        && recorded != plan.fingerprint
    {
        printer.error(&format!(
            "the inputs of the run in `{}` changed since it started (scenario files, settings, \
             `--days` or `--set`; fingerprint {recorded:016x}, now {:016x}): its \
             checkpoints cannot be used",
            args.output.display(),
            plan.fingerprint
        ));
        printer.note(&format!(
            "rerun it from the start: {}",
            plan.record.rerun.join(" ")
        ));
        return Err(Failure::User);
    }
    if let Some(every) = args.checkpoint_every {
        if resuming.is_none() {
            // Under MPI rank 0 makes the checkpoint directory (on a file system every rank
            // sees) before any rank saves a replica's checkpoint in it.
            if cluster.rank() == 0 {
                checkpointing::prepare(args, &plan, every)?;
            }
            cluster.barrier();
        } else {
            printer.note(&format!(
                "resuming `{name}` from the checkpoints in `{}` (every {every} days)",
                checkpointing::dir(&args.output).display()
            ));
        }
        request.checkpoints = Some(tumen_ensemble::Checkpoints {
            dir: checkpointing::dir(&args.output),
            every,
            fingerprint: plan.fingerprint,
            resume: resuming.is_some(),
        });
        plan.request.checkpoints.clone_from(&request.checkpoints);
    }
    let other_inputs = sharding::other_inputs(args).map_err(|e| fail(&e, printer))?;
    if let Some(manifest) = &manifest {
        sharding::check_inputs(manifest, &plan, &other_inputs).map_err(|e| fail(&e, printer))?;
    }
    // A posterior shipped with the scenario is the default, except with `--no-posterior`.
    // Resolved before the slices, the ranks and the checkpoints, so that they all draw what
    // the run in one process draws (the draws depend only on the seed and the replicas).
    let posterior = tumen_pipeline::calibrate::posterior_for_run(
        &prepared,
        args.posterior.as_deref(),
        args.no_posterior,
    )
    .map_err(|e| fail(&e, printer))?;
    if let Some((_, Some(origin))) = &posterior {
        printer.note(&format!(
            "each replica's parameters are drawn from the posterior the scenario ships ({origin}); \
             `--no-posterior` runs its own values"
        ));
    }
    let posterior = posterior.map(|(posterior, _)| posterior);
    if args.shard.is_some() {
        if cluster.is_distributed() {
            printer.error("`--shard` under MPI is not supported: run the slices as separate jobs");
            return Err(Failure::User);
        }
        return sharding::run_shard(
            args,
            &prepared,
            &plan,
            posterior.as_ref(),
            other_inputs,
            printer,
        );
    }
    if cluster.is_distributed() && manifest.is_none() {
        // With checkpoints, each rank saves (and on `tumen resume` restores) the replicas it
        // runs in the shared checkpoint directory: a replica's files are its own, so a run
        // resumes with any number of ranks.
        match sharding::distribute(args, &prepared, &plan, posterior.as_ref(), cluster, printer)? {
            // A worker rank: its replicas went to rank 0, which writes.
            None => return Ok(()),
            Some(traces) => plan.request.replay = Some(std::sync::Arc::new(traces)),
        }
    }
    for note in &plan.notes {
        printer.note(note);
    }
    let days = prepared.scenario().days;
    let (length, label) = if plan.replicas == 1 {
        (u64::from(days), format!("Simulating {name}"))
    } else {
        (
            plan.replicas,
            format!("{} replicas of {name}", plan.replicas),
        )
    };
    let bar = Bar(printer.progress(length, &label, args.no_progress));
    let mut drawn = None;
    let output = match &posterior {
        Some(posterior) => tumen_pipeline::worker_pool(args.jobs)
            .map_err(|e| fail(&e, printer))?
            .install(|| {
                tumen_pipeline::calibrate::run_with_posterior(&prepared, &plan.request, posterior)
            })
            .map(|(output, thetas)| {
                drawn = Some((posterior.parameters.clone(), thetas));
                output
            }),
        None => plan.execute_on_pool(&bar),
    };
    bar.0.finish_and_clear();
    let output = output.map_err(|e| fail(&e, printer))?;
    let mut written = output.write(&args.output).map_err(|e| fail(&e, printer))?;
    if let Some((names, thetas)) = &drawn {
        let path = args.output.join("parameters.csv");
        tumen_pipeline::calibrate::write_parameters_csv(&path, names, &output, thetas)
            .map_err(|e| fail(&e, printer))?;
        written.files.push(path);
    }
    for (target, line, reason) in &written.target_problems {
        printer.done(&format!(
            "warning: target `{target}` ({}, line {line}) cannot be evaluated: {reason}",
            tumen_pipeline::TARGETS_FILE
        ));
    }
    if !written.targets_outside.is_empty() {
        let names: Vec<String> = written
            .targets_outside
            .iter()
            .map(|t| format!("`{t}`"))
            .collect();
        printer.note(&format!(
            "{} target(s) need days this run does not simulate ({} to {}): {}",
            names.len(),
            prepared.scenario().start_date,
            prepared.scenario().date_of(days.saturating_sub(1)),
            names.join(", ")
        ));
    }
    let summary = &output.summary;
    let metric = match &summary.ensemble {
        Some(ensemble) => format!(
            "ARD {:.4} ± {:.4} (rescaled {:.4} ± {:.4})",
            ensemble.ard_normal.mean,
            ensemble.ard_normal.sd,
            ensemble.ard_rescaled.mean,
            ensemble.ard_rescaled.sd
        ),
        None => format!(
            "ARD {:.4} (rescaled {:.4})",
            summary.validation.ard_normal, summary.validation.ard_rescaled
        ),
    };
    let runs = if plan.replicas == 1 {
        format!(
            "{days} days of `{name}` (seed {}, {} agents)",
            summary.seed, summary.agents_final
        )
    } else {
        format!("{days} days × {} replicas of `{name}`", plan.replicas)
    };
    printer.done(&format!(
        "Simulated {runs} in {:.2}s; {metric}; wrote in `{}`: {}",
        summary.wall_seconds,
        args.output.display(),
        written.file_names()
    ));
    if let Some(results) = &written.targets {
        printer.done(&tumen_output::targets_table(results));
    }
    if args.report {
        report::write(&args.output, None, false, printer)?;
    }
    if args.checkpoint_every.is_some() {
        checkpointing::finish(&args.output, printer);
    }
    Ok(())
}

/// `tumen merge`: the slices checked against each other, then the run they split, with their
/// traces replayed instead of simulated.
fn merge(args: &MergeArgs, printer: &Printer) -> Result<(), Failure> {
    let collected = tumen_pipeline::shard::collect(&args.shards).map_err(|e| fail(&e, printer))?;
    let run_args = sharding::merged_run_args(args, &collected.manifest, printer)?;
    run(
        &run_args,
        printer,
        None,
        Some(collected),
        &tumen_mpi::Cluster::single(),
    )
}

fn validate(args: &ValidateArgs, printer: &Printer) -> Result<(), Failure> {
    let options = LoadOptions {
        settings_path: args.settings.clone(),
        days: None,
        overrides: args.set.clone(),
    };
    let source = ScenarioSource::from_option(args.scenario.as_deref());
    let prepared = load(&source, &options, args.strict, printer)?;
    let loaded = &prepared.loaded;
    let scenario = &loaded.scenario;
    let source = source.label();
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
