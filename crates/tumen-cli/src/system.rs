//! The seed's system in `tumen run`: for a scenario with mechanisms, the replicas are run with
//! the system observer as well, and `yearly.csv`, `weekly.csv`, `status.csv` and (when the
//! scenario ships `mechanisms/targets.csv`) `targets.csv` are written; the target table is
//! printed at the end.

use crate::Failure;
use crate::args::{Engine, RunArgs};
use crate::printer::Printer;
use anyhow::Context;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use tumen_core::Scenario;
use tumen_engine::{EngineError, EngineKind, Simulation};
use tumen_ensemble::{Checkpoints, Ensemble, RunError, replica_seed};
use tumen_output::{
    Daily, DailyObserver, SystemEnsemble, SystemLayout, SystemObserver, TargetOutcome,
    TargetResult, TargetRow, write_atomic,
};

/// Replicas of a scenario with mechanisms when `--replicas` is not given.
pub(crate) const DEFAULT_REPLICAS: u64 = 20;

/// The flagship's targets, embedded with the flagship.
const EMBEDDED_TARGETS: &str =
    include_str!("../../../scenarios/korea-china/mechanisms/targets.csv");

/// Where a scenario's targets are, relative to its directory.
const TARGETS_FILE: &str = "mechanisms/targets.csv";

/// The arguments with the defaults that depend on the scenario filled in: a scenario with
/// mechanisms runs [`DEFAULT_REPLICAS`] replicas unless `--replicas` says otherwise, any other
/// scenario one replica; the engine is resolved by [`default_engine`].
pub(crate) fn resolve_defaults(args: &RunArgs, mechanisms: bool, agent_output: bool) -> RunArgs {
    let mut resolved = args.clone();
    resolved.replicas = args
        .replicas_flag
        .unwrap_or(if mechanisms { DEFAULT_REPLICAS } else { 1 });
    resolved.engine = default_engine(args.engine_flag, agent_output);
    resolved
}

/// The engine: `agents` or `counts` when the flag names one; `auto` (the default) picks the
/// count engine, whose cost does not grow with the number of people, unless the run asks for
/// per-agent output (`log_levels.agent` above 0), which needs one record per person.
pub(crate) fn default_engine(flag: Option<Engine>, agent_output: bool) -> Engine {
    match flag.unwrap_or(Engine::Auto) {
        Engine::Auto if agent_output => Engine::Agents,
        Engine::Auto => Engine::Counts,
        chosen => chosen,
    }
}

/// Runs `replicas` replicas in parallel (on the current rayon pool) with the observers of an
/// ensemble, the system observer when the scenario has mechanisms, and the daily counts of
/// replica 0 (whose `out.csv` is written); replica `i` uses [`replica_seed`]`(seed, i)`, so
/// the result does not depend on the number of threads and equals `tumen_ensemble::run`'s.
///
/// # Errors
/// The first error of any replica.
pub(crate) fn run_ensemble(
    scenario: &Scenario,
    seed: u64,
    replicas: u64,
    kind: EngineKind,
    done: &(dyn Fn() + Sync),
    checkpoints: Option<&Checkpoints>,
) -> Result<(Ensemble, Option<SystemEnsemble>, Daily), RunError> {
    let mechanisms = scenario.mechanisms.any();
    let extra = |index: u64| {
        (
            mechanisms.then(SystemObserver::new),
            (index == 0).then(|| DailyObserver::new(scenario)),
        )
    };
    let (ensemble, extras) =
        tumen_ensemble::run_with(scenario, seed, replicas, kind, done, extra, checkpoints)?;
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
    Ok((ensemble, system, daily))
}

/// Runs `replicas` replicas with the system observer only (for `tumen compare`).
///
/// # Errors
/// The first engine error of any replica.
pub(crate) fn run_system(
    scenario: &Scenario,
    seed: u64,
    replicas: u64,
    kind: EngineKind,
    done: &(dyn Fn() + Sync),
) -> Result<SystemEnsemble, EngineError> {
    let records: Result<Vec<_>, EngineError> = (0..replicas)
        .into_par_iter()
        .map(|index| {
            let mut simulation =
                Simulation::with_engine(scenario.clone(), replica_seed(seed, index), kind)?;
            let mut observer = SystemObserver::new();
            simulation.run(&mut observer)?;
            done();
            Ok(observer.into_record())
        })
        .collect();
    Ok(SystemEnsemble {
        layout: SystemLayout::of(scenario),
        replicas: records?,
    })
}

/// Reads the scenario's calibration targets: `<dir>/mechanisms/targets.csv`, or the embedded
/// flagship's when `dir` is `None`. `Ok(None)` when the scenario has none.
pub(crate) fn read_targets(
    dir: Option<&Path>,
    printer: &Printer,
) -> Result<Option<Vec<TargetRow>>, Failure> {
    let (text, label) = match dir {
        Some(dir) => {
            let path = dir.join(TARGETS_FILE);
            if !path.is_file() {
                return Ok(None);
            }
            match std::fs::read_to_string(&path) {
                Ok(text) => (text, path.display().to_string()),
                Err(error) => {
                    printer.error(&format!("cannot read `{}`: {error}", path.display()));
                    return Err(Failure::User);
                }
            }
        }
        None => (
            EMBEDDED_TARGETS.to_owned(),
            format!("embedded {TARGETS_FILE}"),
        ),
    };
    match tumen_output::read_targets(&text) {
        Ok(rows) => Ok(Some(rows)),
        Err(error) => {
            printer.error(&format!("`{label}`: {error}"));
            Err(Failure::User)
        }
    }
}

/// Evaluates the targets and warns about every row that cannot be evaluated, naming it.
pub(crate) fn evaluate_targets(
    system: &SystemEnsemble,
    rows: &[TargetRow],
    printer: &Printer,
) -> Vec<TargetResult> {
    let results = system.evaluate_targets(rows);
    let mut outside = Vec::new();
    for (row, result) in rows.iter().zip(&results) {
        match &result.outcome {
            TargetOutcome::Failed(reason) => printer.done(&format!(
                "warning: target `{}` ({TARGETS_FILE}, line {}) cannot be evaluated: {reason}",
                row.target, row.line
            )),
            TargetOutcome::OutsideRun(_) => outside.push(format!("`{}`", row.target)),
            _ => {}
        }
    }
    if !outside.is_empty() {
        let last = system
            .layout
            .date(u32::try_from(system.days().saturating_sub(1)).unwrap_or(0));
        printer.note(&format!(
            "{} target(s) need days this run does not simulate ({} to {last}): {}",
            outside.len(),
            system.layout.start_date,
            outside.join(", ")
        ));
    }
    results
}

/// Writes `yearly.csv`, `weekly.csv`, `status.csv` and, with targets, `targets.csv` in `dir`;
/// returns the targets' results and the paths written.
pub(crate) fn write_outputs(
    dir: &Path,
    system: &SystemEnsemble,
    targets: Option<&[TargetRow]>,
    printer: &Printer,
) -> Result<(Option<Vec<TargetResult>>, Vec<PathBuf>), Failure> {
    let mut written = Vec::new();
    let mut write = |name: &str,
                     body: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>|
     -> Result<(), Failure> {
        let path = dir.join(name);
        write_atomic(&path, |w| body(w))
            .with_context(|| format!("writing `{}`", path.display()))?;
        written.push(path);
        Ok(())
    };
    write("yearly.csv", &|w| system.write_yearly_csv(w))?;
    write("weekly.csv", &|w| system.write_weekly_csv(w))?;
    write("status.csv", &|w| system.write_status_csv(w))?;
    let results = match targets {
        Some(rows) => {
            let results = evaluate_targets(system, rows, printer);
            write("targets.csv", &|w| {
                tumen_output::write_targets_csv(&results, w)
            })?;
            Some(results)
        }
        None => None,
    };
    Ok((results, written))
}

/// Writes `incidents.csv` (`date,location,channel,size,label`: the scheduled asylum incidents
/// of the scenario, for the report's deportation plot) when the scenario has any.
pub(crate) fn write_incidents(dir: &Path, scenario: &tumen_core::Scenario) -> Result<(), Failure> {
    let Some(asylum) = &scenario.mechanisms.asylum else {
        return Ok(());
    };
    if asylum.incidents.is_empty() {
        return Ok(());
    }
    let path = dir.join("incidents.csv");
    write_atomic(&path, |w| {
        writeln!(w, "date,location,channel,size,label")?;
        for incident in &asylum.incidents {
            let day = u32::try_from(incident.day.max(0)).unwrap_or(u32::MAX);
            let channel = &asylum.channels[incident.channel];
            let location = &scenario.network.location(channel.location).name;
            let label = incident.label.replace([',', '"', '\n'], " ");
            writeln!(
                w,
                "{},{location},{},{},{label}",
                scenario.date_of(day),
                channel.name,
                incident.size
            )?;
        }
        Ok(())
    })
    .with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}

/// The names of written files, for the closing line.
pub(crate) fn file_list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| {
            format!(
                "`{}`",
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
