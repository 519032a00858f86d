//! `tumen compare`: a policy comparison. The baseline scenario and each variant (the same
//! scenario loaded with overrides, as `tumen run --set` applies them) run the same replicas
//! (replica `i` of every variant uses the same seed: common random numbers), and the
//! differences per year and over the whole run are written to `comparison.csv` with their
//! spread over the paired replicas. Each run's `yearly.csv`, `weekly.csv`, `status.csv` and
//! `targets.csv` go to a subdirectory named after it (`baseline/`, `<variant>/`).

use crate::args::CompareArgs;
use crate::printer::Printer;
use crate::system::{self, DEFAULT_REPLICAS};
use crate::{Failure, fs_create_dir_all, load, worker_pool};
use anyhow::Context;
use std::fmt::Write as _;
use tumen_core::Mechanisms;
use tumen_engine::EngineKind;
use tumen_output::{ComparisonRow, QUANTITIES, SystemEnsemble, TargetResult, write_atomic};
use tumen_scenario::LoadOptions;

/// A policy variant: a name and the overrides that make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Variant {
    /// Name (also its output subdirectory).
    pub(crate) name: String,
    /// `KEY=VALUE` overrides, as `--set` takes them.
    pub(crate) overrides: Vec<String>,
}

/// Parses `NAME:KEY=VALUE[,KEY=VALUE...]`. Commas inside brackets, braces or quotes belong to
/// the value (`x:push.per_day=[[2000-01-01, 2.0]]`).
pub(crate) fn parse_variant(text: &str) -> Result<Variant, String> {
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
pub(crate) fn default_variants(mechanisms: &Mechanisms) -> Vec<Variant> {
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

/// `tumen compare`.
pub(crate) fn run(args: &CompareArgs, printer: &Printer) -> Result<(), Failure> {
    let mut variants = Vec::new();
    for text in &args.variants {
        match parse_variant(text) {
            Ok(variant) => variants.push(variant),
            Err(message) => {
                printer.error(&message);
                return Err(Failure::User);
            }
        }
    }
    for (index, variant) in variants.iter().enumerate() {
        if variants[..index].iter().any(|v| v.name == variant.name) {
            printer.error(&format!("two variants are named `{}`", variant.name));
            return Err(Failure::User);
        }
    }
    let options = |overrides: Vec<String>| LoadOptions {
        settings_path: args.settings.clone(),
        days: args.days,
        overrides,
    };
    let (loaded, _source) = load(
        args.scenario.as_deref(),
        &options(Vec::new()),
        args.strict,
        printer,
    )?;
    let baseline = loaded.scenario;
    let name = baseline.name.clone();
    if !baseline.mechanisms.any() {
        printer.error(&format!(
            "`{name}` has no mechanisms (no `scenario.toml`): there is no policy to compare"
        ));
        return Err(Failure::User);
    }
    if variants.is_empty() {
        variants = default_variants(&baseline.mechanisms);
        if variants.is_empty() {
            printer.error(&format!(
                "`{name}` has no enabled trigger and no asylum incident: give the variants to \
                 compare with `--variant NAME:KEY=VALUE`"
            ));
            return Err(Failure::User);
        }
    }
    let mut scenarios = Vec::with_capacity(variants.len());
    for variant in &variants {
        let loaded = load(
            args.scenario.as_deref(),
            &options(variant.overrides.clone()),
            args.strict,
            printer,
        )
        .inspect_err(|_| {
            printer.error(&format!(
                "variant `{}` ({}) could not be loaded",
                variant.name,
                variant.overrides.join(", ")
            ));
        })?;
        if loaded.0.scenario == baseline {
            printer.done(&format!(
                "warning: variant `{}` ({}) is the same scenario as the baseline",
                variant.name,
                variant.overrides.join(", ")
            ));
        }
        scenarios.push(loaded.0.scenario);
    }
    let targets = system::read_targets(args.scenario.as_deref(), printer)?;
    let replicas = args.replicas.unwrap_or(DEFAULT_REPLICAS);
    let agent_output = scenarios
        .first()
        .is_some_and(|s| s.settings.log_levels.agent > 0);
    let kind = match system::default_engine(args.engine, agent_output) {
        crate::args::Engine::Agents => EngineKind::Agents,
        crate::args::Engine::Counts | crate::args::Engine::Auto => EngineKind::Counts,
    };
    let pool = worker_pool(args.jobs)?;
    let runs = 1 + scenarios.len() as u64;
    let progress = printer.progress(
        replicas * runs,
        &format!("{runs} variants × {replicas} replicas of {name}"),
        args.no_progress,
    );
    let started = std::time::Instant::now();
    let done = || progress.inc(1);
    let result: Result<Vec<SystemEnsemble>, _> = pool.install(|| {
        std::iter::once(&baseline)
            .chain(&scenarios)
            .map(|scenario| system::run_system(scenario, args.seed, replicas, kind, &done))
            .collect()
    });
    progress.finish_and_clear();
    let mut ensembles = match result {
        Ok(ensembles) => ensembles,
        Err(error) => {
            printer.error(&format!("the comparison of `{name}` stopped: {error}"));
            return Err(Failure::User);
        }
    };
    let wall_seconds = started.elapsed().as_secs_f64();
    let base = ensembles.remove(0);
    let mut rows: Vec<ComparisonRow> = Vec::new();
    for (variant, ensemble) in variants.iter().zip(&ensembles) {
        match tumen_output::compare(&variant.name, &base, ensemble) {
            Ok(mut more) => rows.append(&mut more),
            Err(error) => {
                printer.error(&format!("variant `{}`: {error}", variant.name));
                return Err(Failure::User);
            }
        }
    }

    fs_create_dir_all(&args.output)?;
    let comparison_csv = args.output.join("comparison.csv");
    write_atomic(&comparison_csv, |w| {
        tumen_output::write_comparison_csv(&rows, w)
    })
    .with_context(|| format!("writing `{}`", comparison_csv.display()))?;
    let mut target_results: Vec<Option<Vec<TargetResult>>> = Vec::new();
    // A target that cannot be evaluated is warned about once, for the baseline.
    let silent = Printer::new(true);
    for (index, (label, ensemble)) in std::iter::once("baseline")
        .chain(variants.iter().map(|v| v.name.as_str()))
        .zip(std::iter::once(&base).chain(&ensembles))
        .enumerate()
    {
        let dir = args.output.join(label);
        fs_create_dir_all(&dir)?;
        let warn = if index == 0 { printer } else { &silent };
        let (results, _written) = system::write_outputs(&dir, ensemble, targets.as_deref(), warn)?;
        target_results.push(results);
    }
    printer.done(&summary(
        &name,
        &base,
        &variants,
        &rows,
        &target_results,
        replicas,
    ));
    printer.done(&format!(
        "Compared {} variant(s) of `{name}` with {replicas} paired replicas each in \
         {wall_seconds:.2}s; wrote `{}` and baseline/ and one directory per variant in `{}`",
        variants.len(),
        comparison_csv.display(),
        args.output.display()
    ));
    if args.report {
        crate::report::write(&args.output, None, false, printer)?;
    }
    Ok(())
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
