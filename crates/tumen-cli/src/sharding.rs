//! `tumen run --shard i/n` and `tumen merge`: the command-line side of shards (the manifest,
//! the traces and the checks live in `tumen_pipeline::shard`).

use crate::args::{Cli, Command, MergeArgs, RunArgs};
use crate::printer::Printer;
use crate::{Bar, Failure, fail};
use clap::Parser as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tumen_pipeline::shard::Manifest;
use tumen_pipeline::spread::Spread;
use tumen_pipeline::{Error, Plan, Prepared};

fn value_name(value: &impl clap::ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

/// The arguments of `tumen run` that decide its result, in a canonical order (so that two
/// spellings of one run give the same list): what a shard's manifest records and a merge
/// reruns. Without `--shard`, `--output`, `--jobs`, `--quiet` and `--no-progress`.
pub(crate) fn canonical_arguments(args: &RunArgs) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |flag: &str, value: String| {
        out.push(flag.to_owned());
        out.push(value);
    };
    push("--seed", args.seed.to_string());
    if let Some(settings) = &args.settings {
        push("--settings", path_text(settings));
    }
    if let Some(days) = args.days {
        push("--days", days.to_string());
    }
    if let Some(engine) = &args.engine_flag {
        push("--engine", value_name(engine));
    }
    if let Some(replicas) = args.replicas_flag {
        push("--replicas", replicas.to_string());
    }
    for set in &args.set {
        push("--set", set.clone());
    }
    if !args.formats.is_empty() {
        let names: Vec<String> = args.formats.iter().map(value_name).collect();
        push("--formats", names.join(","));
    }
    if let Some(posterior) = &args.posterior {
        push("--posterior", path_text(posterior));
    }
    if let Some(every) = args.checkpoint_every {
        push("--checkpoint-every", every.to_string());
    }
    for (flag, on) in [
        ("--strict", args.strict),
        ("--report", args.report),
        ("--replica-outputs", args.replica_outputs),
        ("--no-posterior", args.no_posterior),
    ] {
        if on {
            out.push(flag.to_owned());
        }
    }
    if let Some(scenario) = &args.scenario {
        out.push("--".to_owned());
        out.push(path_text(scenario));
    }
    out
}

/// The command line of the run in one process that a merge stands for.
pub(crate) fn one_process_command_line(args: &RunArgs) -> Vec<String> {
    let mut line = vec!["tumen".to_owned(), "run".to_owned()];
    let mut arguments = canonical_arguments(args);
    let scenario = match arguments.iter().position(|a| a == "--") {
        Some(at) => arguments.split_off(at),
        None => Vec::new(),
    };
    line.extend(arguments);
    line.push("--output".to_owned());
    line.push(path_text(&args.output));
    line.extend(scenario);
    line
}

/// Inputs a run reads besides the scenario, by name with their hashes (the posterior file).
pub(crate) fn other_inputs(args: &RunArgs) -> Result<BTreeMap<String, String>, Error> {
    let mut inputs = BTreeMap::new();
    if let Some(path) = &args.posterior {
        let bytes = std::fs::read(path).map_err(|source| Error::Unreadable {
            path: path_text(path),
            source,
        })?;
        inputs.insert("posterior".to_owned(), tumen_pipeline::hash_bytes(&bytes));
    }
    Ok(inputs)
}

/// Refuses a merge whose inputs changed since its shards ran.
pub(crate) fn check_inputs(
    manifest: &Manifest,
    plan: &Plan,
    other_inputs: &BTreeMap<String, String>,
) -> Result<(), Error> {
    let now = &plan.record.scenario.content_fnv1a64;
    if *now != manifest.content_fnv1a64 {
        return Err(Error::Request(format!(
            "the scenario `{}` changed since the shards ran (input files' hash {} then, {now} \
             now): rerun the shards",
            manifest.scenario, manifest.content_fnv1a64
        )));
    }
    let fingerprint = format!("{:016x}", plan.fingerprint);
    if fingerprint != manifest.fingerprint {
        return Err(Error::Request(format!(
            "the run's inputs (settings file, days or overrides) changed since the shards ran \
             (fingerprint {} then, {fingerprint} now): rerun the shards",
            manifest.fingerprint
        )));
    }
    if *other_inputs != manifest.other_inputs {
        return Err(Error::Request(format!(
            "an input file changed since the shards ran ({:?} then, {other_inputs:?} now): \
             rerun the shards",
            manifest.other_inputs
        )));
    }
    Ok(())
}

/// `tumen run --shard i/n`: this slice's replicas, written as traces with a manifest.
pub(crate) fn run_shard(
    args: &RunArgs,
    prepared: &Prepared,
    plan: &Plan,
    posterior: Option<&tumen_pipeline::calibrate::Posterior>,
    other_inputs: BTreeMap<String, String>,
    printer: &Printer,
) -> Result<(), Failure> {
    if args.checkpoint_every.is_some() {
        printer.error("`--shard` and `--checkpoint-every` cannot be combined yet");
        return Err(Failure::User);
    }
    let pool = tumen_pipeline::worker_pool(args.jobs).map_err(|e| fail(&e, printer))?;
    let name = &prepared.scenario().name;
    let shard = plan
        .request
        .shard
        .unwrap_or(tumen_pipeline::shard::Shard { index: 0, count: 1 });
    let (traces, manifest) = match posterior {
        Some(posterior) => {
            let (setup, thetas) =
                tumen_pipeline::calibrate::posterior_draws(prepared, &plan.request, posterior)
                    .map_err(|e| fail(&e, printer))?;
            let (plan, hook) =
                tumen_pipeline::calibrate::posterior_plan(prepared, &plan.request, &setup, &thetas)
                    .map_err(|e| fail(&e, printer))?;
            let bar = Bar(printer.progress(
                shard.indices(plan.replicas).len() as u64,
                &format!("slice {shard} of {name}"),
                args.no_progress,
            ));
            let traces = pool.install(|| plan.execute_shard(&bar, Some(&hook)));
            bar.0.finish_and_clear();
            let manifest = plan.manifest("run", canonical_arguments(args), other_inputs);
            (traces, manifest)
        }
        None => {
            let bar = Bar(printer.progress(
                shard.indices(plan.replicas).len() as u64,
                &format!("slice {shard} of {name}"),
                args.no_progress,
            ));
            let traces = pool.install(|| plan.execute_shard(&bar, None));
            bar.0.finish_and_clear();
            let manifest = plan.manifest("run", canonical_arguments(args), other_inputs);
            (traces, manifest)
        }
    };
    let traces = traces.map_err(|e| fail(&e, printer))?;
    let replicas = manifest.replicas;
    let files = tumen_pipeline::shard::write(&args.output, manifest, &traces)
        .map_err(|e| fail(&e, printer))?;
    printer.done(&format!(
        "Simulated slice {shard} of `{name}` ({} of {replicas} replicas); wrote {} traces and \
         `{}` in `{}`; merge every slice with `tumen merge DIR... --output DIR`",
        traces.len(),
        files.len().saturating_sub(1),
        tumen_pipeline::shard::MANIFEST,
        args.output.display()
    ));
    Ok(())
}

/// The `tumen run` arguments a merge reruns: the slices' own, with the merge's output, threads
/// and verbosity, in the directory the slices ran in (their relative paths are relative to it).
pub(crate) fn merged_run_args(
    args: &MergeArgs,
    manifest: &Manifest,
    printer: &Printer,
) -> Result<RunArgs, Failure> {
    if manifest.command != "run" {
        printer.error(&format!(
            "the slices are of `tumen {}`, which `tumen merge` does not merge yet",
            manifest.command
        ));
        return Err(Failure::User);
    }
    let output = std::path::absolute(&args.output).unwrap_or_else(|_| args.output.clone());
    let mut argv = vec!["tumen".to_owned(), "run".to_owned()];
    argv.extend(manifest.arguments.iter().cloned());
    let Ok(Cli {
        command: Command::Run(mut run_args),
    }) = Cli::try_parse_from(&argv)
    else {
        printer.error(&format!(
            "the slices' manifest records arguments this version cannot read: {}",
            manifest.arguments.join(" ")
        ));
        return Err(Failure::User);
    };
    if let Some(dir) = manifest.working_directory.as_deref().map(PathBuf::from)
        && dir.is_dir()
        && std::env::set_current_dir(&dir).is_err()
    {
        printer.note(&format!(
            "cannot enter `{}`, where the shards ran; relative paths are read from here",
            dir.display()
        ));
    }
    run_args.output = output;
    run_args.jobs = args.jobs;
    run_args.quiet = args.quiet;
    run_args.no_progress = true;
    run_args.shard = None;
    Ok(run_args)
}

/// `tumen run --replicas R` under MPI: every rank computes replicas from rank 0's queue (in
/// batches of its threads) and sends their traces to rank 0. Returns the traces on rank 0,
/// `None` on the other ranks.
pub(crate) fn distribute(
    args: &RunArgs,
    prepared: &Prepared,
    plan: &Plan,
    posterior: Option<&tumen_pipeline::calibrate::Posterior>,
    cluster: &tumen_mpi::Cluster,
    printer: &Printer,
) -> Result<Option<tumen_ensemble::TraceStore>, Failure> {
    let pool = tumen_pipeline::worker_pool(args.jobs).map_err(|e| fail(&e, printer))?;
    let batch = pool.current_num_threads();
    let encode = |traces: Result<Vec<tumen_ensemble::Trace>, Error>| {
        traces
            .map_err(|e| e.to_string())?
            .iter()
            .map(tumen_ensemble::Trace::to_bytes)
            .collect::<Result<Vec<_>, String>>()
    };
    let results = match posterior {
        Some(posterior) => {
            let (setup, thetas) =
                tumen_pipeline::calibrate::posterior_draws(prepared, &plan.request, posterior)
                    .map_err(|e| fail(&e, printer))?;
            let (plan, hook) =
                tumen_pipeline::calibrate::posterior_plan(prepared, &plan.request, &setup, &thetas)
                    .map_err(|e| fail(&e, printer))?;
            let work = |indices: &[u64]| {
                encode(
                    pool.install(|| plan.record(indices, Some(&hook), &tumen_pipeline::NoProgress)),
                )
            };
            cluster.distribute(plan.replicas, batch, &work)
        }
        None => {
            let work = |indices: &[u64]| {
                encode(pool.install(|| plan.record(indices, None, &tumen_pipeline::NoProgress)))
            };
            cluster.distribute(plan.replicas, batch, &work)
        }
    };
    let results = results.map_err(|message| {
        printer.error(&rank_message(cluster, &message));
        Failure::User
    })?;
    Ok(results.map(|all| {
        let mut store = tumen_ensemble::TraceStore::new();
        for (index, bytes) in (0_u64..).zip(all) {
            store.add_bytes(index, bytes);
        }
        store
    }))
}

/// A failure of a distributed job, named by rank: rank 0's already names the rank that failed
/// (`rank R: ...`); a worker's own failure gets its rank.
fn rank_message(cluster: &tumen_mpi::Cluster, message: &str) -> String {
    if cluster.rank() == 0 {
        message.to_owned()
    } else {
        format!("rank {}: {message}", cluster.rank())
    }
}

/// The ranks of an MPI job as the pipeline's [`Spread`]: items are handed out by rank 0's
/// queue in batches of this rank's threads (`tumen calibrate`, `sensitivity` and `compare`
/// under `mpirun`).
pub(crate) struct Ranks<'a> {
    cluster: &'a tumen_mpi::Cluster,
    batch: usize,
}

impl Spread for Ranks<'_> {
    fn is_distributed(&self) -> bool {
        self.cluster.is_distributed()
    }

    fn spread(
        &self,
        total: u64,
        everywhere: bool,
        work: tumen_pipeline::spread::Work<'_>,
    ) -> Result<Option<Vec<Vec<u8>>>, Error> {
        let work = |indices: &[u64]| work(indices).map_err(|e| e.to_string());
        let results = if everywhere {
            self.cluster
                .distribute_everywhere(total, self.batch, &work)
                .map(Some)
        } else {
            self.cluster.distribute(total, self.batch, &work)
        };
        results.map_err(|message| Error::Request(rank_message(self.cluster, &message)))
    }
}

/// Where a command's items are computed: over the MPI job's ranks when there are several,
/// else in this process (on `jobs` threads either way).
pub(crate) fn spread_over<'a>(
    cluster: &'a tumen_mpi::Cluster,
    jobs: Option<usize>,
    printer: &Printer,
) -> Result<Box<dyn Spread + 'a>, Failure> {
    if !cluster.is_distributed() {
        return Ok(Box::new(tumen_pipeline::spread::Local));
    }
    let batch = tumen_pipeline::worker_pool(jobs)
        .map_err(|e| fail(&e, printer))?
        .current_num_threads();
    Ok(Box::new(Ranks { cluster, batch }))
}
