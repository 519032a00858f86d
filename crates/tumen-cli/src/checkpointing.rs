//! `tumen run --checkpoint-every N` and `tumen resume DIR`.
//!
//! A run with checkpoints keeps `<OUTPUT>/checkpoint/`: `resume.json` (the run's options,
//! with absolute paths, and the fingerprint of its inputs) and one `replica-NNNNN.ckpt` per
//! replica (see `tumen_ensemble::Checkpoints`). `tumen resume <OUTPUT>` reads them, loads the
//! same scenario, refuses if any input changed, and runs on; when every output is written the
//! directory is removed.

use crate::Failure;
use crate::args::{Engine, Format, ResumeArgs, RunArgs};
use crate::printer::Printer;
use anyhow::Context;
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tumen_output::write_atomic;

/// The checkpoint directory of an output directory.
pub(crate) fn dir(output: &Path) -> PathBuf {
    output.join("checkpoint")
}

const RESUME_FILE: &str = "resume.json";

/// What `tumen resume` needs to continue a run: its options as resolved when it started.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ResumeFile {
    tool: String,
    version: String,
    /// The scenario directory (absolute), or `None` for the embedded flagship.
    scenario: Option<PathBuf>,
    /// `--settings` (absolute).
    settings: Option<PathBuf>,
    seed: u64,
    days: Option<u32>,
    set: Vec<String>,
    engine: String,
    replicas: u64,
    formats: Vec<String>,
    report: bool,
    /// `--replica-outputs`.
    #[serde(default)]
    replica_outputs: bool,
    strict: bool,
    /// `--posterior` (absolute): each replica's parameters are drawn from it again.
    #[serde(default)]
    posterior: Option<PathBuf>,
    /// `--no-posterior`: the scenario's own values, not the posterior it ships.
    #[serde(default)]
    no_posterior: bool,
    checkpoint_every: u32,
    /// Of the inputs (`tumen_pipeline::Plan::fingerprint`), as 16 hexadecimal digits.
    fingerprint: String,
    /// The command that started the run.
    command_line: Vec<String>,
}

/// `path` in full (resume runs from any directory).
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::fs::canonicalize(path).with_context(|| format!("resolving `{}`", path.display()))
}

/// Starts the checkpoints of a fresh run: removes any left by an earlier run in the same
/// output directory and writes `resume.json`.
pub(crate) fn prepare(
    args: &RunArgs,
    plan: &tumen_pipeline::Plan,
    every: u32,
) -> anyhow::Result<()> {
    let fingerprint = plan.fingerprint;
    let dir = dir(&args.output);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("removing the old checkpoints in `{}`", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating `{}`", dir.display()))?;
    let engine = plan.record.engine;
    let file = ResumeFile {
        tool: "tumen".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        scenario: args.scenario.as_deref().map(absolute).transpose()?,
        settings: args.settings.as_deref().map(absolute).transpose()?,
        seed: args.seed,
        days: args.days,
        set: args.set.clone(),
        engine: engine.to_owned(),
        replicas: plan.replicas,
        formats: args
            .formats
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .map(|value| value.get_name().to_owned())
            .collect(),
        report: args.report,
        replica_outputs: args.replica_outputs,
        strict: args.strict,
        posterior: args.posterior.as_deref().map(absolute).transpose()?,
        no_posterior: args.no_posterior,
        checkpoint_every: every,
        fingerprint: format!("{fingerprint:016x}"),
        command_line: std::env::args().collect(),
    };
    let path = dir.join(RESUME_FILE);
    write_atomic(&path, |w| {
        serde_json::to_writer_pretty(&mut *w, &file)?;
        w.write_all(b"\n")
    })
    .with_context(|| format!("writing `{}`", path.display()))
}

/// Removes the checkpoints of a run whose outputs are all written.
pub(crate) fn finish(output: &Path, printer: &Printer) {
    let dir = dir(output);
    if let Err(error) = std::fs::remove_dir_all(&dir) {
        printer.note(&format!(
            "the run is complete, but its checkpoints in `{}` could not be removed: {error}",
            dir.display()
        ));
    }
}

/// The arguments of the interrupted run in `args.run_dir`, and its recorded fingerprint.
pub(crate) fn load(args: &ResumeArgs, printer: &Printer) -> Result<(RunArgs, u64), Failure> {
    let dir = dir(&args.run_dir);
    let path = dir.join(RESUME_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            printer.error(&format!(
                "`{}` has no checkpoints to resume from (`{}` not found)",
                args.run_dir.display(),
                path.display()
            ));
            printer.note(
                "only a run started with `--checkpoint-every N` can be resumed, and a run that \
                 ended removes its checkpoints",
            );
            return Err(Failure::User);
        }
        Err(error) => {
            printer.error(&format!("cannot read `{}`: {error}", path.display()));
            return Err(Failure::User);
        }
    };
    let file: ResumeFile = match serde_json::from_str(&text) {
        Ok(file) => file,
        Err(error) => {
            printer.error(&format!(
                "{}:{}:{}: not a resume file: {error}",
                path.display(),
                error.line(),
                error.column()
            ));
            return Err(Failure::User);
        }
    };
    if file.version != env!("CARGO_PKG_VERSION") {
        printer.error(&format!(
            "the run in `{}` was started by tumen {}; this is tumen {}: resume it with tumen {} \
             or rerun it from the start",
            args.run_dir.display(),
            file.version,
            env!("CARGO_PKG_VERSION"),
            file.version
        ));
        return Err(Failure::User);
    }
    let Ok(fingerprint) = u64::from_str_radix(&file.fingerprint, 16) else {
        printer.error(&format!(
            "{}: `fingerprint` is `{}`, expected 16 hexadecimal digits",
            path.display(),
            file.fingerprint
        ));
        return Err(Failure::User);
    };
    let engine = match file.engine.as_str() {
        "agents" => Engine::Agents,
        "counts" => Engine::Counts,
        other => {
            printer.error(&format!(
                "{}: `engine` is `{other}`, expected `agents` or `counts`",
                path.display()
            ));
            return Err(Failure::User);
        }
    };
    let mut formats = Vec::new();
    for name in &file.formats {
        match Format::from_str(name, false) {
            Ok(format) => formats.push(format),
            Err(_) => {
                printer.error(&format!(
                    "{}: unknown format `{name}` in `formats`",
                    path.display()
                ));
                return Err(Failure::User);
            }
        }
    }
    let run = RunArgs {
        scenario: file.scenario,
        settings: file.settings,
        seed: file.seed,
        days: file.days,
        output: args.run_dir.clone(),
        engine_flag: Some(engine),
        replicas_flag: Some(file.replicas),
        jobs: args.jobs,
        quiet: args.quiet,
        no_progress: args.no_progress,
        strict: file.strict,
        set: file.set,
        formats,
        report: file.report,
        replica_outputs: file.replica_outputs,
        posterior: file.posterior,
        no_posterior: file.no_posterior,
        checkpoint_every: Some(file.checkpoint_every),
        shard: None,
    };
    Ok((run, fingerprint))
}
