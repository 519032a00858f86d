//! Policy comparisons (`tumen compare`): the baseline scenario and each variant (the same
//! scenario loaded with overrides, as `tumen run --set` applies them) run the same replicas
//! (replica `i` of every variant uses the same seed: common random numbers), and the
//! differences per year and over the whole run are written to `comparison.csv` with their
//! spread over the paired replicas. Each run's `yearly.csv`, `weekly.csv`, `status.csv` and
//! `targets.csv` go to a subdirectory named after it (`baseline/`, `<variant>/`).

use crate::error::Error;
use crate::run::{DEFAULT_REPLICAS, EngineChoice, Progress, worker_pool};
use crate::scenario::{Prepared, ScenarioSource, load};
use crate::spread::{Local, Spread, spread_trace_bytes};
use crate::write::{Out, Written, create_dir, write_system};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tumen_core::Mechanisms;
use tumen_ensemble::TraceStore;
use tumen_output::{
    ComparisonRow, QUANTITIES, SystemEnsemble, SystemLayout, SystemObserver, TargetResult,
    write_atomic,
};
use tumen_scenario::LoadOptions;

/// A policy variant: a name and the overrides that make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// Name (also its output subdirectory).
    pub name: String,
    /// `KEY=VALUE` overrides, as `--set` takes them.
    pub overrides: Vec<String>,
}

/// Parses `NAME:KEY=VALUE[,KEY=VALUE...]`. Commas inside brackets, braces or quotes belong to
/// the value (`x:push.per_day=[[2000-01-01, 2.0]]`).
pub fn parse_variant(text: &str) -> Result<Variant, String> {
    let Some((name, rest)) = text.split_once(':') else {
        return Err(format!(
            "variant `{text}` is not NAME:KEY=VALUE[,KEY=VALUE...]"
        ));
    };
    let name = name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || name.starts_with('.')
    {
        return Err(format!(
            "variant name `{name}` must be letters, digits, `-`, `_` or `.` (it names a directory)"
        ));
    }
    if name == "baseline" {
        return Err("`baseline` is the scenario as it is; name the variant otherwise".to_owned());
    }
    let overrides = split_top_level(rest);
    if overrides.is_empty() {
        return Err(format!(
            "variant `{name}` changes nothing: give KEY=VALUE after `:`"
        ));
    }
    if let Some(bad) = overrides.iter().find(|o| !o.contains('=')) {
        return Err(format!("variant `{name}`: `{bad}` is not KEY=VALUE"));
    }
    Ok(Variant {
        name: name.to_owned(),
        overrides,
    })
}

/// Splits at commas that are not inside `[]`, `{}` or quotes; trims; drops empty pieces.
fn split_top_level(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut depth = 0_i32;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth <= 0 => {
                pieces.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    pieces.push(current);
    pieces
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The variants compared when none is given: the scenario without its triggers, and without
/// its asylum incidents, for the ones it has.
pub fn default_variants(mechanisms: &Mechanisms) -> Vec<Variant> {
    let mut variants = Vec::new();
    if mechanisms.triggers.iter().any(|t| t.enabled) {
        variants.push(Variant {
            name: "no-trigger".to_owned(),
            overrides: vec!["enforcement.trigger.enabled=false".to_owned()],
        });
    }
    if mechanisms
        .asylum
        .as_ref()
        .is_some_and(|a| !a.incidents.is_empty())
    {
        variants.push(Variant {
            name: "no-incidents".to_owned(),
            overrides: vec!["asylum.incidents.enabled=false".to_owned()],
        });
    }
    variants
}

/// A comparison's results.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The scenario's name.
    pub name: String,
    /// The variants compared with the baseline.
    pub variants: Vec<Variant>,
    /// The baseline's replicas.
    pub base: SystemEnsemble,
    /// Each variant's replicas, in the order of `variants`.
    pub ensembles: Vec<SystemEnsemble>,
    /// The paired differences (`comparison.csv`).
    pub rows: Vec<ComparisonRow>,
    /// Replicas per run.
    pub replicas: u64,
    /// Seconds the runs took.
    pub wall_seconds: f64,
    /// The scenario's calibration targets.
    pub targets: Option<Vec<tumen_output::TargetRow>>,
}

/// What a comparison needs besides its variants.
#[derive(Clone, Debug, Default)]
pub struct CompareRequest {
    /// The scenario (`Embedded` for the flagship).
    pub source: Option<PathBuf>,
    /// Load options shared by every run (overrides are the variants').
    pub settings: Option<PathBuf>,
    /// Days to simulate.
    pub days: Option<u32>,
    /// Seed of the paired replicas.
    pub seed: u64,
    /// Replicas per run (default [`DEFAULT_REPLICAS`]).
    pub replicas: Option<u64>,
    /// The engine.
    pub engine: EngineChoice,
    /// Threads.
    pub jobs: Option<usize>,
}

impl CompareRequest {
    fn options(&self, overrides: Vec<String>) -> LoadOptions {
        LoadOptions {
            settings_path: self.settings.clone(),
            days: self.days,
            overrides,
        }
    }
}

/// The baseline of a comparison, loaded: check it with [`Prepared::check_strict`], then pass
/// it to [`compare`] with the variants ([`default_variants`] when the user gave none).
///
/// # Errors
/// As [`load`], and [`Error::Request`] when the scenario has no mechanisms.
pub fn load_baseline(request: &CompareRequest) -> Result<Prepared, Error> {
    let source = ScenarioSource::from_option(request.source.as_deref());
    let prepared = load(&source, &request.options(Vec::new()))?;
    if !prepared.scenario().mechanisms.any() {
        return Err(Error::Request(format!(
            "`{}` has no mechanisms (no `scenario.toml`): there is no policy to compare",
            prepared.scenario().name
        )));
    }
    Ok(prepared)
}

/// Checks the variants' names and loads each variant; returns them with the ones that equal
/// the baseline (for a warning).
///
/// # Errors
/// [`Error::Request`] for duplicate names or no variant; the load's error of a variant.
pub fn load_variants(
    request: &CompareRequest,
    baseline: &Prepared,
    variants: &[Variant],
) -> Result<(Vec<Prepared>, Vec<String>), Error> {
    for (index, variant) in variants.iter().enumerate() {
        if variants[..index].iter().any(|v| v.name == variant.name) {
            return Err(Error::Request(format!(
                "two variants are named `{}`",
                variant.name
            )));
        }
    }
    if variants.is_empty() {
        return Err(Error::Request(format!(
            "`{}` has no enabled trigger and no asylum incident: give the variants to compare \
             with `--variant NAME:KEY=VALUE`",
            baseline.scenario().name
        )));
    }
    let mut loaded = Vec::with_capacity(variants.len());
    let mut same = Vec::new();
    for variant in variants {
        let prepared = load(
            &baseline.source,
            &request.options(variant.overrides.clone()),
        )?;
        if prepared.scenario() == baseline.scenario() {
            same.push(variant.name.clone());
        }
        loaded.push(prepared);
    }
    Ok((loaded, same))
}

/// Runs the baseline and every variant with the same seeds (paired replicas) on a pool of
/// `request.jobs` threads, and computes the paired differences.
///
/// # Errors
/// [`Error::Run`] when a replica stops; [`Error::Request`] when a variant cannot be compared.
pub fn compare(
    request: &CompareRequest,
    baseline: &Prepared,
    variants: &[Variant],
    scenarios: &[Prepared],
    progress: &dyn Progress,
) -> Result<Comparison, Error> {
    compare_spread(request, baseline, variants, scenarios, progress, &Local)?
        .ok_or_else(|| Error::Internal("a local comparison returned nothing".to_owned()))
}

/// [`compare`] with the replicas of every run computed where `spread` says (over MPI ranks,
/// say): every process calls it; the replicas travel as traces and the process that writes
/// replays them, so the comparison is [`compare`]'s, byte for byte. `None` on the processes
/// that only helped.
///
/// # Errors
/// As [`compare`], and the first failure of any process.
pub fn compare_spread(
    request: &CompareRequest,
    baseline: &Prepared,
    variants: &[Variant],
    scenarios: &[Prepared],
    progress: &dyn Progress,
    spread: &dyn Spread,
) -> Result<Option<Comparison>, Error> {
    let replicas = request.replicas.unwrap_or(DEFAULT_REPLICAS).max(1);
    let kind = request
        .engine
        .resolve(baseline.scenario().settings.log_levels.agent > 0);
    let pool = worker_pool(request.jobs)?;
    let runs = 1 + scenarios.len() as u64;
    let started = Instant::now();
    let all: Vec<&Prepared> = std::iter::once(baseline).chain(scenarios).collect();
    let traces = if spread.is_distributed() {
        let Some(traces) = pool.install(|| spread_runs(request, &all, replicas, kind, spread))?
        else {
            return Ok(None);
        };
        Some(traces)
    } else {
        None
    };
    progress.start(replicas * runs, "replica");
    let done = || progress.inc();
    let mut ensembles = pool.install(|| {
        all.iter()
            .enumerate()
            .map(|(run, prepared)| {
                let scenario = prepared.scenario();
                let spec = tumen_ensemble::Spec {
                    replay: traces.as_ref().and_then(|t: &Vec<TraceStore>| t.get(run)),
                    ..tumen_ensemble::Spec::new(scenario, request.seed, replicas, kind)
                };
                let (_, records) =
                    tumen_ensemble::run_spec(&spec, &done, |_, _| SystemObserver::new()).map_err(
                        |source| Error::Run {
                            scenario: scenario.name.clone(),
                            source,
                        },
                    )?;
                Ok(SystemEnsemble {
                    layout: SystemLayout::of(scenario),
                    replicas: records
                        .into_iter()
                        .map(SystemObserver::into_record)
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>, Error>>()
    })?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let base = ensembles.remove(0);
    let mut rows: Vec<ComparisonRow> = Vec::new();
    for (variant, ensemble) in variants.iter().zip(&ensembles) {
        let mut more = tumen_output::compare(&variant.name, &base, ensemble)
            .map_err(|error| Error::Request(format!("variant `{}`: {error}", variant.name)))?;
        rows.append(&mut more);
    }
    Ok(Some(Comparison {
        name: baseline.scenario().name.clone(),
        variants: variants.to_vec(),
        base,
        ensembles,
        rows,
        replicas,
        wall_seconds,
        targets: baseline.targets.clone(),
    }))
}

/// Records every replica of every run (`runs[r]`'s replica `i` is item `r × replicas + i`)
/// where `spread` says, as traces; returns one store per run on the process that writes.
fn spread_runs(
    request: &CompareRequest,
    runs: &[&Prepared],
    replicas: u64,
    kind: tumen_engine::EngineKind,
    spread: &dyn Spread,
) -> Result<Option<Vec<TraceStore>>, Error> {
    use rayon::prelude::*;
    let record = |items: &[u64]| -> Result<Vec<tumen_ensemble::Trace>, Error> {
        items
            .par_iter()
            .map(|&item| {
                let run = usize::try_from(item / replicas)
                    .ok()
                    .and_then(|r| runs.get(r))
                    .ok_or_else(|| Error::Internal(format!("no run for item {item}")))?;
                let scenario = run.scenario();
                tumen_ensemble::Spec::new(scenario, request.seed, replicas, kind)
                    .record(item % replicas, &|| {})
                    .map_err(|source| Error::Run {
                        scenario: scenario.name.clone(),
                        source,
                    })
            })
            .collect()
    };
    let total = replicas * runs.len() as u64;
    let Some(all) = spread_trace_bytes(spread, total, &record)? else {
        return Ok(None);
    };
    let mut stores: Vec<TraceStore> = (0..runs.len()).map(|_| TraceStore::new()).collect();
    for (item, bytes) in (0_u64..).zip(all) {
        let store = usize::try_from(item / replicas)
            .ok()
            .and_then(|r| stores.get_mut(r))
            .ok_or_else(|| Error::Internal(format!("a trace for item {item}, which is none")))?;
        store.add_bytes(item % replicas, bytes);
    }
    Ok(Some(stores))
}

impl Comparison {
    /// Writes `comparison.csv` into `dir` and each run's tables into `dir/baseline/` and
    /// `dir/<variant>/`; returns what was written per run (the baseline first).
    ///
    /// # Errors
    /// When a file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<(PathBuf, Vec<Written>), Error> {
        create_dir(dir)?;
        let comparison_csv = dir.join("comparison.csv");
        write_atomic(&comparison_csv, |w| {
            tumen_output::write_comparison_csv(&self.rows, w)
        })
        .map_err(|source| Error::write(&comparison_csv, source))?;
        let mut runs = Vec::new();
        for (label, ensemble) in std::iter::once("baseline")
            .chain(self.variants.iter().map(|v| v.name.as_str()))
            .zip(std::iter::once(&self.base).chain(&self.ensembles))
        {
            let sub = dir.join(label);
            create_dir(&sub)?;
            let mut written = Written::default();
            write_system(
                &mut Out::Dir(&sub),
                ensemble,
                self.targets.as_deref(),
                None,
                &mut written,
            )?;
            runs.push(written);
        }
        Ok((comparison_csv, runs))
    }

    /// The readable summary: per variant, the whole run's quantities and the targets inside
    /// (`written` as returned by [`Comparison::write`]).
    #[must_use]
    pub fn summary_text(&self, written: &[Written]) -> String {
        let targets: Vec<Option<Vec<TargetResult>>> =
            written.iter().map(|w| w.targets.clone()).collect();
        summary(
            &self.name,
            &self.base,
            &self.variants,
            &self.rows,
            &targets,
            self.replicas,
        )
    }
}

/// The readable summary: per variant, the whole run's quantities, and the targets inside.
fn summary(
    name: &str,
    base: &SystemEnsemble,
    variants: &[Variant],
    rows: &[ComparisonRow],
    targets: &[Option<Vec<TargetResult>>],
    replicas: u64,
) -> String {
    let last = base
        .layout
        .date(u32::try_from(base.days().saturating_sub(1)).unwrap_or(0));
    let inside = |results: &Option<Vec<TargetResult>>| {
        results.as_ref().map(|r| {
            (
                r.iter().filter(|t| t.inside() == Some(true)).count(),
                r.iter().filter(|t| t.inside().is_some()).count(),
            )
        })
    };
    let mut text = String::new();
    for (index, variant) in variants.iter().enumerate() {
        let _ = writeln!(
            text,
            "{} ({}) against the baseline of `{name}`, {} to {last}, medians of {replicas} replicas; \
             difference = variant − baseline over paired replicas, median [5 %, 95 %]:",
            variant.name,
            variant.overrides.join(", "),
            base.layout.start_date
        );
        for row in rows
            .iter()
            .filter(|r| r.variant == variant.name && r.year.is_none())
        {
            let label = if row.quantity == 4 {
                "hidden at the end"
            } else {
                QUANTITIES[row.quantity]
            };
            let _ = writeln!(
                text,
                "  {label:<18} {:>10} → {:>10}   {:>+10} [{}, {}]",
                tumen_output::format_number(row.baseline_median),
                tumen_output::format_number(row.variant_median),
                row.difference.median,
                tumen_output::format_number(row.difference.p05),
                tumen_output::format_number(row.difference.p95),
            );
        }
        if let (Some((b_in, b_all)), Some(Some((v_in, v_all)))) = (
            targets.first().and_then(inside),
            targets.get(index + 1).map(inside),
        ) {
            let _ = writeln!(
                text,
                "  targets inside their documented range: {v_in} of {v_all} (baseline {b_in} of {b_all})"
            );
        }
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_parse_with_commas_inside_values() {
        let v = parse_variant("no-trigger:enforcement.trigger.enabled=false").unwrap();
        assert_eq!(v.name, "no-trigger");
        assert_eq!(v.overrides, vec!["enforcement.trigger.enabled=false"]);
        let v =
            parse_variant("mix:a.b=1, c=[[2000-01-01, 2.0], [2001-01-01, 3.0]],d=\"x,y\"").unwrap();
        assert_eq!(
            v.overrides,
            vec![
                "a.b=1",
                "c=[[2000-01-01, 2.0], [2001-01-01, 3.0]]",
                "d=\"x,y\""
            ]
        );
        assert!(parse_variant("no colon").is_err());
        assert!(parse_variant("name:").is_err());
        assert!(parse_variant("name:novalue").is_err());
        assert!(parse_variant("../up:a=1").is_err());
        assert!(parse_variant("baseline:a=1").is_err());
    }

    #[test]
    fn default_variants_follow_the_mechanisms() {
        assert!(default_variants(&Mechanisms::default()).is_empty());
    }
}
