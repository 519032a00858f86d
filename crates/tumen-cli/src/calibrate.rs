//! `tumen calibrate` and `tumen sensitivity`: the work is `tumen_pipeline::calibrate` and
//! `tumen_pipeline::sensitivity`; this module parses, prints and writes.

use crate::args::{CalibrateArgs, SensitivityArgs};
use crate::printer::Printer;
use crate::{Failure, fail};
use tumen_pipeline::calibrate::CalibrationRequest;
use tumen_pipeline::sensitivity::SensitivityRequest;

/// `tumen calibrate`.
pub(crate) fn calibrate(
    args: &CalibrateArgs,
    printer: &Printer,
    cluster: &tumen_mpi::Cluster,
) -> Result<(), Failure> {
    let request = CalibrationRequest {
        scenario: args.scenario.clone(),
        until: args.until.clone(),
        params: args.params.clone(),
        particles: args.particles,
        generations: args.generations,
        budget: args.budget,
        replicas_per_particle: args.replicas_per_particle,
        min_tolerance: args.min_tolerance,
        forecast_replicas: args.forecast_replicas,
        seed: args.seed,
        jobs: args.jobs,
        command_line: std::env::args().collect(),
    };
    let on_generation = |g: &tumen_pipeline::calibrate::Generation| {
        printer.done(&format!(
            "generation {}: tolerance {:.4}, {} accepted, {} runs, ESS {:.1}, {:.1}s",
            g.generation, g.tolerance, g.accepted, g.runs, g.ess, g.wall_seconds
        ));
    };
    let spread = crate::sharding::spread_over(cluster, args.jobs, printer)?;
    let Some(calibration) =
        tumen_pipeline::calibrate::calibrate_spread(&request, &on_generation, spread.as_ref())
            .map_err(|e| fail(&e, printer))?
    else {
        // An MPI rank that only helped: rank 0 writes.
        return Ok(());
    };
    let files = calibration
        .write(&args.output)
        .map_err(|e| fail(&e, printer))?;
    let score = &calibration.score;
    let show = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
    printer.done(&format!(
        "Calibrated {} parameter(s) from {} on the data up to {} (day {}): {} runs in {:.1}s \
         ({:.1} runs/s, of which {:.1} ms per run to re-load the scenario; {})",
        calibration.parameters.len(),
        calibration.spec_origin,
        score.until,
        calibration.cut_day,
        calibration.result.runs,
        calibration.abc_seconds,
        calibration.runs_per_second(),
        calibration.load_seconds * 1000.0,
        calibration.result.stop
    ));
    for (period, scores) in [("before", &score.before), ("after", &score.after)] {
        printer.done(&format!(
            "{period} the cut: ARD {} calibrated vs {} baseline, 90% coverage {} vs {}, CRPS {} vs {}",
            show(scores.calibrated.ard),
            show(scores.baseline.ard),
            show(scores.calibrated.coverage90),
            show(scores.baseline.coverage90),
            show(scores.calibrated.crps),
            show(scores.baseline.crps),
        ));
    }
    printer.done(&format!(
        "Wrote {} files in `{}` (posterior.csv, generations.csv, score.json, report.html, forecast/)",
        files.len(),
        args.output.display()
    ));
    Ok(())
}

/// `tumen sensitivity`.
pub(crate) fn sensitivity(
    args: &SensitivityArgs,
    printer: &Printer,
    cluster: &tumen_mpi::Cluster,
) -> Result<(), Failure> {
    let request = SensitivityRequest {
        scenario: args.scenario.clone(),
        params: args.params.clone(),
        samples: args.samples,
        morris: args.morris,
        seed: args.seed,
        jobs: args.jobs,
    };
    let spread = crate::sharding::spread_over(cluster, args.jobs, printer)?;
    let Some(analysis) = tumen_pipeline::sensitivity::analyse_spread(&request, spread.as_ref())
        .map_err(|e| fail(&e, printer))?
    else {
        // An MPI rank that only helped: rank 0 writes.
        return Ok(());
    };
    let files = analysis
        .write(&args.output)
        .map_err(|e| fail(&e, printer))?;
    if !analysis.skipped.is_empty() {
        printer.done(&format!(
            "warning: {} output(s) left out, not finite at some point: {}",
            analysis.skipped.len(),
            analysis.skipped.join(", ")
        ));
    }
    printer.done(&format!(
        "Analysed {} output(s) over the parameters of {}: {} runs in {:.1}s; wrote {}",
        analysis.sobol.len(),
        analysis.spec_origin,
        analysis.runs,
        analysis.wall_seconds,
        files
            .iter()
            .map(|f| format!("`{}`", f.display()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(())
}
