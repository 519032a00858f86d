//! `tumen compare`: a policy comparison, run by `tumen_pipeline::compare` (paired replicas of
//! the baseline and each variant); this module parses, prints and writes.

use crate::args::CompareArgs;
use crate::printer::Printer;
use crate::{Bar, Failure, fail};
use tumen_pipeline::{CompareRequest, Variant};

/// `tumen compare`.
pub(crate) fn run(
    args: &CompareArgs,
    printer: &Printer,
    cluster: &tumen_mpi::Cluster,
) -> Result<(), Failure> {
    let mut variants: Vec<Variant> = Vec::new();
    for text in &args.variants {
        match tumen_pipeline::parse_variant(text) {
            Ok(variant) => variants.push(variant),
            Err(message) => {
                printer.error(&message);
                return Err(Failure::User);
            }
        }
    }
    let request = CompareRequest {
        source: args.scenario.clone(),
        settings: args.settings.clone(),
        days: args.days,
        seed: args.seed,
        replicas: args.replicas,
        engine: args.engine.map(Into::into).unwrap_or_default(),
        jobs: args.jobs,
    };
    let baseline = tumen_pipeline::load_baseline(&request).map_err(|e| fail(&e, printer))?;
    for warning in &baseline.loaded.warnings {
        printer.diagnostic(warning);
    }
    baseline
        .check_strict(args.strict)
        .map_err(|e| fail(&e, printer))?;
    let name = baseline.scenario().name.clone();
    if variants.is_empty() {
        variants = tumen_pipeline::default_variants(&baseline.scenario().mechanisms);
    }
    let (scenarios, same) = tumen_pipeline::load_variants(&request, &baseline, &variants)
        .map_err(|e| fail(&e, printer))?;
    for variant in variants.iter().filter(|v| same.contains(&v.name)) {
        printer.done(&format!(
            "warning: variant `{}` ({}) is the same scenario as the baseline",
            variant.name,
            variant.overrides.join(", ")
        ));
    }
    let replicas = args.replicas.unwrap_or(tumen_pipeline::DEFAULT_REPLICAS);
    let runs = 1 + scenarios.len() as u64;
    let bar = Bar(printer.progress(
        replicas * runs,
        &format!("{runs} variants × {replicas} replicas of {name}"),
        args.no_progress,
    ));
    let spread = crate::sharding::spread_over(cluster, args.jobs, printer)?;
    let result = tumen_pipeline::compare_spread(
        &request,
        &baseline,
        &variants,
        &scenarios,
        &bar,
        spread.as_ref(),
    );
    bar.0.finish_and_clear();
    let Some(comparison) = result.map_err(|e| fail(&e, printer))? else {
        // An MPI rank that only helped: rank 0 writes.
        return Ok(());
    };
    let (comparison_csv, written) = comparison
        .write(&args.output)
        .map_err(|e| fail(&e, printer))?;
    // A target that cannot be evaluated is warned about once, for the baseline.
    if let Some(base) = written.first() {
        for (target, line, reason) in &base.target_problems {
            printer.done(&format!(
                "warning: target `{target}` ({}, line {line}) cannot be evaluated: {reason}",
                tumen_pipeline::TARGETS_FILE
            ));
        }
    }
    printer.done(&comparison.summary_text(&written));
    printer.done(&format!(
        "Compared {} variant(s) of `{name}` with {replicas} paired replicas each in \
         {:.2}s; wrote `{}` and baseline/ and one directory per variant in `{}`",
        variants.len(),
        comparison.wall_seconds,
        comparison_csv.display(),
        args.output.display()
    ));
    if args.report {
        crate::report::write(&args.output, None, false, printer)?;
    }
    Ok(())
}
