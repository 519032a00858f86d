//! The report of a calibration (`tumen calibrate`'s `report.html`): what a statistician checks
//! after an ABC-SMC fit. The posterior against the prior (marginals on the diagonal of a corner
//! plot, particle pairs below it), the tolerance per generation, and for every observed camp
//! the fit before the cut and the forecast after it with 50 % and 90 % bands, against the data
//! and against the baseline (the scenario's own values, seed noise only), the cut marked; then
//! the scores of `score.json` and the posterior's summary. Offline and self-contained, like the
//! run report. The data come ready-made from the caller (`tumen-pipeline`): this module only
//! draws.

use crate::plots::Plot;
use crate::svg::{
    Chart, ChartSpec, EVENT, FONT, Key, OBS, SIM, XAxis, count_label, epoch_day, esc,
};
use serde::Serialize;
use std::fmt::Write as _;

/// The baseline's colour (grey: the reference the calibration is compared with).
const BASE: &str = "#7a7a7a";

/// One uncertain parameter, its prior drawn on its plotting range.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportParameter {
    /// The key (`move_rules.max_move_speed`).
    pub name: String,
    /// The prior, in words (`uniform on [100, 500]`).
    pub prior: String,
    /// The plotting range: the prior's support, or its 0.5–99.5 % quantiles when unbounded.
    pub range: (f64, f64),
    /// Whether the axis is logarithmic (a log-uniform prior).
    pub log: bool,
    /// The prior's density at points of the range, `(x, density)`, on the axis' scale (per
    /// unit of log10 x for a log axis).
    pub density: Vec<(f64, f64)>,
    /// The scenario's own value (the baseline's), when known.
    pub own: Option<f64>,
}

/// One particle of the posterior.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportParticle {
    /// Normalised weight.
    pub weight: f64,
    /// Parameter values, in the order of [`CalibrationReport::parameters`].
    pub theta: Vec<f64>,
    /// Its distance to the data before the cut.
    pub distance: f64,
}

/// One row of `generations.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportGeneration {
    /// Index, from 0.
    pub generation: usize,
    /// Tolerance ε (∞ for generation 0).
    pub tolerance: f64,
    /// Particles accepted.
    pub accepted: usize,
    /// Model runs.
    pub runs: u64,
    /// Effective sample size.
    pub ess: f64,
    /// Seconds.
    pub wall_seconds: f64,
}

/// The 5, 25, 50, 75 and 95 % quantiles over an ensemble's replicas, per day.
pub type Quantiles = [Vec<f64>; 5];

/// One camp with an observed series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportCamp {
    /// Name.
    pub name: String,
    /// Observed points `(day, value)` (every point, the held-out ones included).
    pub observed: Vec<(u32, f64)>,
    /// The calibrated forecast ensemble (parameters drawn from the posterior).
    pub calibrated: Quantiles,
    /// The baseline ensemble (the scenario's own values, seed noise only).
    pub baseline: Quantiles,
}

/// One block of `score.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportScore {
    /// `before` or `after` the cut.
    pub period: String,
    /// `calibrated` or `baseline`.
    pub ensemble: String,
    /// ARD of the median trajectory.
    pub ard: Option<f64>,
    /// Share of observations inside the 50 % band.
    pub coverage50: Option<f64>,
    /// Share inside the 90 % band.
    pub coverage90: Option<f64>,
    /// Mean CRPS.
    pub crps: Option<f64>,
    /// Interval targets met.
    pub targets_inside: usize,
    /// Interval targets evaluated.
    pub targets_total: usize,
}

/// Everything the calibration report shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Scenario name.
    pub scenario: String,
    /// The cut-off date (`--until`).
    pub until: String,
    /// Its day number.
    pub cut_day: u32,
    /// Where the parameters were declared.
    pub spec_origin: String,
    /// The seed.
    pub seed: u64,
    /// Tumen's version.
    pub version: String,
    /// The command line.
    pub command_line: String,
    /// Why ABC-SMC stopped.
    pub stop: String,
    /// Model runs of ABC-SMC.
    pub runs: u64,
    /// Seconds of ABC-SMC.
    pub abc_seconds: f64,
    /// Replicas of the forecast and of the baseline.
    pub replicas: usize,
    /// The parameters.
    pub parameters: Vec<ReportParameter>,
    /// The posterior's particles.
    pub particles: Vec<ReportParticle>,
    /// The generations.
    pub generations: Vec<ReportGeneration>,
    /// Date of each day of the forecast.
    pub dates: Vec<String>,
    /// The observed camps.
    pub camps: Vec<ReportCamp>,
    /// The scores, `before` then `after`, `calibrated` then `baseline`.
    pub scores: Vec<ReportScore>,
}

fn n(x: f64) -> String {
    format!("{x:.2}")
}

/// Weighted quantile `q` of `(value, weight)` pairs (weights summing to 1 or not): the
/// smallest value whose cumulative weight reaches `q` of the total.
#[must_use]
pub fn weighted_quantile(pairs: &[(f64, f64)], q: f64) -> f64 {
    let mut sorted: Vec<(f64, f64)> = pairs
        .iter()
        .copied()
        .filter(|(v, w)| v.is_finite() && *w > 0.0)
        .collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = sorted.iter().map(|p| p.1).sum();
    let mut cumulative = 0.0;
    for &(value, weight) in &sorted {
        cumulative += weight;
        if cumulative >= q * total * (1.0 - 1e-12) {
            return value;
        }
    }
    sorted.last().map_or(f64::NAN, |p| p.0)
}

/// A value on a parameter's axis (log10 for a log axis).
fn axis_value(parameter: &ReportParameter, x: f64) -> f64 {
    if parameter.log { x.log10() } else { x }
}

fn axis_range(parameter: &ReportParameter) -> (f64, f64) {
    (
        axis_value(parameter, parameter.range.0),
        axis_value(parameter, parameter.range.1),
    )
}

/// A short number for an axis label.
fn short(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    let magnitude = x.abs();
    if !(1e-3..1e5).contains(&magnitude) {
        return format!("{x:.1e}");
    }
    let text = if magnitude >= 100.0 {
        format!("{x:.0}")
    } else if magnitude >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Bins of the corner plot's histograms.
const BINS: usize = 16;

/// The corner plot: weighted posterior histograms with the prior's density on the diagonal,
/// particles of each pair below it (area by weight), the scenario's own values in orange.
#[expect(
    clippy::too_many_lines,
    reason = "one SVG drawn cell by cell; splitting it would only scatter its geometry"
)]
fn corner_plot(report: &CalibrationReport) -> Plot {
    let d = report.parameters.len();
    let cell = if d <= 3 { 200.0 } else { 150.0 };
    let (left, top, gap) = (64.0, 40.0, 10.0);
    let size = left + cell * d as f64 + gap * (d as f64 - 1.0) + 16.0;
    let height = top + cell * d as f64 + gap * (d as f64 - 1.0) + 60.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="posterior-corner" viewBox="0 0 {} {}" width="{}" height="{}" font-family="{FONT}"><rect width="100%" height="100%" fill="#ffffff"/><text x="{}" y="22" font-size="15" font-weight="600" fill="#1d1d1f">Posterior: marginals and pairs ({} particles)</text>"##,
        n(size),
        n(height),
        n(size),
        n(height),
        n(left),
        report.particles.len()
    );
    let origin = |i: usize| (cell + gap) * i as f64;
    for (row, py) in report.parameters.iter().enumerate() {
        for (col, px) in report.parameters.iter().enumerate().take(row + 1) {
            let (x0, y0) = (left + origin(col), top + origin(row));
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#cfcfcf"/>"##,
                n(x0),
                n(y0),
                n(cell),
                n(cell)
            );
            let (ax0, ax1) = axis_range(px);
            let to_x = |v: f64| x0 + (axis_value(px, v) - ax0) / (ax1 - ax0) * cell;
            if row == col {
                // Weighted histogram of the posterior, scaled as a density on the axis.
                let width = (ax1 - ax0) / BINS as f64;
                let mut mass = [0.0_f64; BINS];
                let mut total = 0.0;
                for particle in &report.particles {
                    let v = axis_value(px, particle.theta[col]);
                    let bin = ((v - ax0) / width).floor();
                    if bin.is_finite() && bin >= 0.0 && (bin as usize) < BINS {
                        mass[bin as usize] += particle.weight;
                    } else if (v - ax1).abs() < 1e-12 {
                        mass[BINS - 1] += particle.weight;
                    }
                    total += particle.weight;
                }
                let density: Vec<f64> = mass
                    .iter()
                    .map(|m| if total > 0.0 { m / total / width } else { 0.0 })
                    .collect();
                let prior_max = px.density.iter().map(|p| p.1).fold(0.0_f64, f64::max);
                let top_value = density
                    .iter()
                    .copied()
                    .fold(prior_max, f64::max)
                    .max(1e-300);
                let to_y = |v: f64| y0 + cell - v / top_value * (cell - 8.0);
                for (bin, value) in density.iter().enumerate() {
                    let left_edge = x0 + bin as f64 / BINS as f64 * cell;
                    let _ = write!(
                        svg,
                        r#"<rect class="data" x="{}" y="{}" width="{}" height="{}" fill="{SIM}" fill-opacity="0.55"><title>{}: posterior density {}</title></rect>"#,
                        n(left_edge),
                        n(to_y(*value)),
                        n(cell / BINS as f64 - 0.6),
                        n(y0 + cell - to_y(*value)),
                        esc(&px.name),
                        short(*value)
                    );
                }
                let prior: Vec<String> = px
                    .density
                    .iter()
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .map(|&(x, y)| format!("{},{}", n(to_x(x)), n(to_y(y))))
                    .collect();
                if prior.len() > 1 {
                    let _ = write!(
                        svg,
                        r#"<polyline class="data" points="{}" fill="none" stroke="{OBS}" stroke-width="1.4" stroke-dasharray="4 3"><title>{}: prior, {}</title></polyline>"#,
                        prior.join(" "),
                        esc(&px.name),
                        esc(&px.prior)
                    );
                }
                if let Some(own) = px.own {
                    let x = to_x(own);
                    if (x0..=x0 + cell).contains(&x) {
                        let _ = write!(
                            svg,
                            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{EVENT}" stroke-width="1.6"><title>{}: the scenario's own value {}</title></line>"#,
                            n(x),
                            n(y0),
                            n(x),
                            n(y0 + cell),
                            esc(&px.name),
                            short(own)
                        );
                    }
                }
            } else {
                let (ay0, ay1) = axis_range(py);
                let to_y = |v: f64| y0 + cell - (axis_value(py, v) - ay0) / (ay1 - ay0) * cell;
                let max_weight = report
                    .particles
                    .iter()
                    .map(|p| p.weight)
                    .fold(0.0_f64, f64::max)
                    .max(1e-300);
                for particle in &report.particles {
                    let (x, y) = (to_x(particle.theta[col]), to_y(particle.theta[row]));
                    if !(x.is_finite() && y.is_finite()) {
                        continue;
                    }
                    let r = 1.2 + 2.8 * (particle.weight / max_weight).sqrt();
                    let _ = write!(
                        svg,
                        r#"<circle class="data" cx="{}" cy="{}" r="{}" fill="{SIM}" fill-opacity="0.45"/>"#,
                        n(x),
                        n(y),
                        n(r)
                    );
                }
                if let (Some(a), Some(b)) = (px.own, py.own) {
                    let (x, y) = (to_x(a), to_y(b));
                    if (x0..=x0 + cell).contains(&x) && (y0..=y0 + cell).contains(&y) {
                        let _ = write!(
                            svg,
                            r#"<path d="M{} {}h10M{} {}v10" stroke="{EVENT}" stroke-width="2"><title>the scenario's own values</title></path>"#,
                            n(x - 5.0),
                            n(y),
                            n(x),
                            n(y - 5.0)
                        );
                    }
                }
            }
            // Axis labels on the outer cells.
            if row == d - 1 {
                let (lo, hi) = px.range;
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" font-size="10" fill="#444444">{}</text><text x="{}" y="{}" font-size="10" fill="#444444" text-anchor="end">{}</text><text x="{}" y="{}" font-size="11" fill="#1d1d1f" text-anchor="middle">{}{}</text>"##,
                    n(x0),
                    n(y0 + cell + 13.0),
                    short(lo),
                    n(x0 + cell),
                    n(y0 + cell + 13.0),
                    short(hi),
                    n(x0 + cell / 2.0),
                    n(y0 + cell + 28.0),
                    esc(px.name.rsplit('.').next().unwrap_or(&px.name)),
                    if px.log { " (log)" } else { "" }
                );
            }
            if col == 0 && row > 0 {
                let (lo, hi) = py.range;
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" font-size="10" fill="#444444" text-anchor="end">{}</text><text x="{}" y="{}" font-size="10" fill="#444444" text-anchor="end">{}</text><text transform="translate({} {}) rotate(-90)" font-size="11" fill="#1d1d1f" text-anchor="middle">{}</text>"##,
                    n(x0 - 4.0),
                    n(y0 + cell),
                    short(lo),
                    n(x0 - 4.0),
                    n(y0 + 9.0),
                    short(hi),
                    n(x0 - 40.0),
                    n(y0 + cell / 2.0),
                    esc(py.name.rsplit('.').next().unwrap_or(&py.name))
                );
            }
        }
    }
    let legend_y = height - 14.0;
    let _ = write!(
        svg,
        r##"<rect x="{}" y="{}" width="14" height="10" fill="{SIM}" fill-opacity="0.55"/><text x="{}" y="{}" font-size="11" fill="#333333">posterior (weighted)</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{OBS}" stroke-width="1.4" stroke-dasharray="4 3"/><text x="{}" y="{}" font-size="11" fill="#333333">prior</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{EVENT}" stroke-width="2"/><text x="{}" y="{}" font-size="11" fill="#333333">the scenario's own value (baseline)</text></svg>"##,
        n(left),
        n(legend_y - 9.0),
        n(left + 20.0),
        n(legend_y),
        n(left + 160.0),
        n(legend_y - 4.0),
        n(left + 180.0),
        n(legend_y - 4.0),
        n(left + 186.0),
        n(legend_y),
        n(left + 230.0),
        n(legend_y - 4.0),
        n(left + 250.0),
        n(legend_y - 4.0),
        n(left + 256.0),
        n(legend_y)
    );
    Plot {
        id: "posterior-corner".to_owned(),
        section: "posterior",
        caption: format!(
            "Diagonal: each parameter's weighted posterior histogram against its prior's \
             density (dashed); below: the particles of each pair, area by weight. Axes span the \
             prior's range. Orange: the scenario's own values, which the baseline runs with. \
             Stopped: {}.",
            report.stop
        ),
        svg,
    }
}

/// The tolerance of each generation (generation 0 accepts everything: ε = ∞, not drawn).
fn tolerance_plot(report: &CalibrationReport) -> Plot {
    let labels: Vec<String> = report
        .generations
        .iter()
        .map(|g| g.generation.to_string())
        .collect();
    let finite: Vec<f64> = report
        .generations
        .iter()
        .map(|g| g.tolerance)
        .filter(|t| t.is_finite())
        .collect();
    let high = finite.iter().copied().fold(0.0_f64, f64::max).max(1e-9) * 1.1;
    let count = labels.len().max(1) as f64;
    let mut chart = Chart::new(&ChartSpec {
        id: "tolerance",
        title: "Tolerance ε per generation",
        x_label: "generation",
        y_label: "tolerance (distance)",
        width: 520.0,
        height: 300.0,
        x: (-0.6, count - 0.4),
        y: (0.0, high),
        x_axis: XAxis::Categories(labels),
    });
    let xs: Vec<f64> = (0..report.generations.len()).map(|i| i as f64).collect();
    let ys: Vec<f64> = report
        .generations
        .iter()
        .map(|g| {
            if g.tolerance.is_finite() {
                g.tolerance
            } else {
                f64::NAN
            }
        })
        .collect();
    for (x, g) in xs.iter().zip(&report.generations) {
        chart.bar(
            *x,
            0.6,
            g.tolerance,
            SIM,
            &format!(
                "generation {}: ε {}, {} accepted of {} runs, ESS {:.1}",
                g.generation,
                short(g.tolerance),
                g.accepted,
                g.runs,
                g.ess
            ),
        );
    }
    chart.line(&xs, &ys, OBS, 1.2, true);
    chart.key(Key::Band {
        label: "tolerance".into(),
        color: SIM.into(),
        opacity: 1.0,
    });
    Plot {
        id: "tolerance".to_owned(),
        section: "abc",
        caption: "The weighted median of the previous population's distances (pyABC's quantile \
                  tolerance). Generation 0 samples the prior and accepts every finite distance \
                  (ε = ∞, not drawn)."
            .to_owned(),
        svg: chart.finish(),
    }
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// One camp: the calibrated and the baseline ensembles' bands, the data, the cut.
fn camp_plot(report: &CalibrationReport, camp: &ReportCamp) -> Plot {
    let xs: Vec<f64> = report
        .dates
        .iter()
        .map(|d| epoch_day(d).unwrap_or(f64::NAN))
        .collect();
    let finite_max = |q: &Quantiles| {
        q[4].iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    };
    let observed_max = camp.observed.iter().map(|p| p.1).fold(0.0_f64, f64::max);
    let high = finite_max(&camp.calibrated)
        .max(finite_max(&camp.baseline))
        .max(observed_max)
        .max(1.0);
    let (x0, x1) = (
        xs.first().copied().unwrap_or(0.0),
        xs.last()
            .copied()
            .unwrap_or(1.0)
            .max(xs.first().copied().unwrap_or(0.0) + 1.0),
    );
    let id = format!("fit-{}", slug(&camp.name));
    let mut chart = Chart::new(&ChartSpec {
        id: &id,
        title: &camp.name,
        x_label: "date",
        y_label: "people in the camp",
        width: 560.0,
        height: 320.0,
        x: (x0, x1),
        y: (0.0, crate::svg::nice_domain(0.0, high).1),
        x_axis: XAxis::Dates,
    });
    let [b05, b25, b50, b75, b95] = &camp.baseline;
    chart.band(&xs, b05, b95, BASE, 0.12);
    chart.band(&xs, b25, b75, BASE, 0.22);
    let [c05, c25, c50, c75, c95] = &camp.calibrated;
    chart.band(&xs, c05, c95, SIM, 0.16);
    chart.band(&xs, c25, c75, SIM, 0.32);
    chart.line(&xs, b50, BASE, 1.6, true);
    chart.line(&xs, c50, SIM, 2.2, false);
    let date_x = |day: u32| xs.get(day as usize).copied().unwrap_or(f64::NAN);
    let (ox, oy): (Vec<f64>, Vec<f64>) = camp
        .observed
        .iter()
        .map(|&(day, value)| (date_x(day), value))
        .unzip();
    chart.line(&ox, &oy, OBS, 1.0, false);
    let half = (x1 - x0) / 300.0;
    for (&(day, value), x) in camp.observed.iter().zip(&ox) {
        let period = if day <= report.cut_day {
            "fitted"
        } else {
            "held out"
        };
        chart.range(
            *x,
            half.max(0.5),
            value,
            value,
            OBS,
            &format!(
                "{} observed {} ({period})",
                report.dates.get(day as usize).map_or("", String::as_str),
                count_label(value)
            ),
        );
    }
    chart.marker(
        date_x(report.cut_day),
        EVENT,
        &format!("cut {}", report.until),
        "the cut (--until): data after it never entered the fit",
        0,
    );
    for key in [
        Key::Band {
            label: "calibrated 50 %".into(),
            color: SIM.into(),
            opacity: 0.32,
        },
        Key::Band {
            label: "calibrated 90 %".into(),
            color: SIM.into(),
            opacity: 0.16,
        },
        Key::Line {
            label: "calibrated median".into(),
            color: SIM.into(),
            dash: false,
        },
        Key::Band {
            label: "baseline 50/90 %".into(),
            color: BASE.into(),
            opacity: 0.22,
        },
        Key::Line {
            label: "baseline median".into(),
            color: BASE.into(),
            dash: true,
        },
        Key::Line {
            label: "observed".into(),
            color: OBS.into(),
            dash: false,
        },
    ] {
        chart.key(key);
    }
    Plot {
        id,
        section: "fit",
        caption: String::new(),
        svg: chart.finish(),
    }
}

/// Every plot of the calibration report, in page order.
#[must_use]
pub fn calibration_plots(report: &CalibrationReport) -> Vec<Plot> {
    let mut plots = Vec::new();
    if !report.parameters.is_empty() && !report.particles.is_empty() {
        plots.push(corner_plot(report));
    }
    if !report.generations.is_empty() {
        plots.push(tolerance_plot(report));
    }
    for camp in &report.camps {
        plots.push(camp_plot(report, camp));
    }
    plots
}

fn cell(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

fn scores_table(out: &mut String, report: &CalibrationReport) {
    out.push_str(
        r#"<table><thead><tr><th>period</th><th>ensemble</th><th class="num">ARD of the median</th><th class="num">coverage 50 %</th><th class="num">coverage 90 %</th><th class="num">CRPS</th><th class="num">targets inside</th></tr></thead><tbody>"#,
    );
    for period in ["before", "after"] {
        let rows: Vec<&ReportScore> = report
            .scores
            .iter()
            .filter(|s| s.period == period)
            .collect();
        let best = |get: &dyn Fn(&ReportScore) -> Option<f64>, lower: bool| -> Option<String> {
            let values: Vec<(String, f64)> = rows
                .iter()
                .filter_map(|s| {
                    get(s)
                        .filter(|v| v.is_finite())
                        .map(|v| (s.ensemble.clone(), v))
                })
                .collect();
            if values.len() < 2 || (values[0].1 - values[1].1).abs() < 1e-12 {
                return None;
            }
            let pick = if (values[0].1 < values[1].1) == lower {
                &values[0]
            } else {
                &values[1]
            };
            Some(pick.0.clone())
        };
        let best_ard = best(&|s| s.ard, true);
        let best_crps = best(&|s| s.crps, true);
        for score in &rows {
            let mark = |best: &Option<String>| {
                if best.as_deref() == Some(score.ensemble.as_str()) {
                    r#" class="num in""#
                } else {
                    r#" class="num""#
                }
            };
            let label = if period == "before" {
                "before the cut (fitted)"
            } else {
                "after the cut (held out)"
            };
            let targets = if score.targets_total == 0 {
                "—".to_owned()
            } else {
                format!("{} / {}", score.targets_inside, score.targets_total)
            };
            let _ = write!(
                out,
                r#"<tr><td>{label}</td><td>{}</td><td{}>{}</td><td class="num">{}</td><td class="num">{}</td><td{}>{}</td><td class="num">{targets}</td></tr>"#,
                esc(&score.ensemble),
                mark(&best_ard),
                cell(score.ard),
                cell(score.coverage50),
                cell(score.coverage90),
                mark(&best_crps),
                cell(score.crps),
            );
        }
    }
    out.push_str("</tbody></table>");
}

fn posterior_table(out: &mut String, report: &CalibrationReport) {
    out.push_str(
        r#"<table><thead><tr><th>parameter</th><th>prior</th><th class="num">own value</th><th class="num">posterior mean</th><th class="num">sd</th><th class="num">5 %</th><th class="num">median</th><th class="num">95 %</th></tr></thead><tbody>"#,
    );
    for (index, parameter) in report.parameters.iter().enumerate() {
        let pairs: Vec<(f64, f64)> = report
            .particles
            .iter()
            .map(|p| (p.theta[index], p.weight))
            .collect();
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        let mean = pairs.iter().map(|(v, w)| v * w).sum::<f64>() / total;
        let variance = pairs
            .iter()
            .map(|(v, w)| w * (v - mean).powi(2))
            .sum::<f64>()
            / total;
        let _ = write!(
            out,
            r#"<tr><td><code>{}</code></td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            esc(&parameter.name),
            esc(&parameter.prior),
            parameter.own.map_or_else(|| "—".to_owned(), short),
            short(mean),
            short(variance.sqrt()),
            short(weighted_quantile(&pairs, 0.05)),
            short(weighted_quantile(&pairs, 0.5)),
            short(weighted_quantile(&pairs, 0.95)),
        );
    }
    out.push_str("</tbody></table>");
}

fn generations_table(out: &mut String, report: &CalibrationReport) {
    out.push_str(
        r#"<table><thead><tr><th class="num">generation</th><th class="num">tolerance</th><th class="num">accepted</th><th class="num">runs</th><th class="num">acceptance</th><th class="num">ESS</th><th class="num">seconds</th></tr></thead><tbody>"#,
    );
    for g in &report.generations {
        let acceptance = if g.runs > 0 {
            g.accepted as f64 / g.runs as f64
        } else {
            f64::NAN
        };
        let _ = write!(
            out,
            r#"<tr><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{:.1}</td><td class="num">{:.1}</td></tr>"#,
            g.generation,
            if g.tolerance.is_finite() {
                short(g.tolerance)
            } else {
                "∞".to_owned()
            },
            g.accepted,
            g.runs,
            cell(Some(acceptance)),
            g.ess,
            g.wall_seconds
        );
    }
    out.push_str("</tbody></table>");
}

fn figure(out: &mut String, plot: &Plot) {
    let _ = write!(out, r#"<figure data-plot="{}">{}"#, esc(&plot.id), plot.svg);
    if !plot.caption.is_empty() {
        let _ = write!(out, "<figcaption>{}</figcaption>", esc(&plot.caption));
    }
    out.push_str("</figure>");
}

/// The calibration report's page (`report.html`): inline style and SVG, nothing fetched.
#[must_use]
pub fn render_calibration(report: &CalibrationReport) -> String {
    let plots = calibration_plots(report);
    let mut out = String::with_capacity(1 << 20);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Calibration of {} — Tumen</title><style>{}</style></head><body>"#,
        esc(&report.scenario),
        crate::html::STYLE
    );
    let _ = write!(
        out,
        "<header><h1>Calibration of {}</h1><p>ABC-SMC on the data up to {} (day {}); the data after it are held out and only scored.</p><p>Tumen {} · seed {} · {} model runs in {:.1} s · parameters from {}</p></header>",
        esc(&report.scenario),
        esc(&report.until),
        report.cut_day,
        esc(&report.version),
        report.seed,
        report.runs,
        report.abc_seconds,
        esc(&report.spec_origin)
    );
    out.push_str(r##"<nav><a href="#scores">Scores</a><a href="#fit">Fit and forecast</a><a href="#posterior">Posterior</a><a href="#abc">ABC-SMC</a><a href="#about">About</a></nav><main>"##);

    out.push_str(r#"<section id="scores"><h2>Scores: calibrated against baseline</h2>"#);
    let _ = write!(
        out,
        "<p>The calibrated ensemble draws each of its {} replicas' parameters from the posterior (its bands include parameter uncertainty); the baseline runs the scenario's own values with {} seeds (seed noise only: by parity, what Flee 3.1 gives). ARD and CRPS: lower is better (the better of the two in green); coverage: nearer 0.5 and 0.9 is better calibrated. Before the cut is the fit; after it is the honest test.</p>",
        report.replicas, report.replicas
    );
    scores_table(&mut out, report);
    out.push_str("</section>");

    out.push_str(r#"<section id="fit"><h2>Fit before the cut, forecast after it</h2><p>Every camp with an observed series: the calibrated ensemble (blue, 50 % and 90 % bands, median) against the baseline (grey), the observed points (black ticks; those after the cut were never seen by the fit) and the cut (orange).</p><div class="grid">"#);
    for plot in plots.iter().filter(|p| p.section == "fit") {
        figure(&mut out, plot);
    }
    if report.camps.is_empty() {
        out.push_str(r#"<p class="missing">The scenario has no observed camp series.</p>"#);
    }
    out.push_str("</div></section>");

    out.push_str(r#"<section id="posterior"><h2>Posterior</h2>"#);
    for plot in plots.iter().filter(|p| p.section == "posterior") {
        figure(&mut out, plot);
    }
    posterior_table(&mut out, report);
    out.push_str("</section>");

    out.push_str(r#"<section id="abc"><h2>ABC-SMC generations</h2><div class="grid">"#);
    for plot in plots.iter().filter(|p| p.section == "abc") {
        figure(&mut out, plot);
    }
    out.push_str("<div>");
    generations_table(&mut out, report);
    out.push_str("</div></div></section>");

    let _ = write!(
        out,
        r#"<section id="about"><h2>About this calibration</h2><p>Method: ABC-SMC as in pyABC (adaptive quantile tolerance, multivariate normal kernel scaled by Silverman's rule times the spec's <code>kernel_scale</code>, 1 unless set, on the log scale for log-uniform priors; importance weights); distance: Flee's daily ARD of the camps up to the cut plus the mean interval distance of the targets ending by then. Observation error is not modelled explicitly: the ABC tolerance absorbs it (crates/tumen-calibrate/README.md).</p><p>Command: <code>{}</code></p><p>Files beside this report: <code>posterior.csv</code>, <code>generations.csv</code>, <code>score.json</code>, <code>forecast/</code> (the calibrated ensemble, with <code>parameters.csv</code>).</p></section>"#,
        esc(&report.command_line)
    );
    out.push_str("</main></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> CalibrationReport {
        let days = 40_u32;
        let dates: Vec<String> = (0..days)
            .map(|d| {
                jiff::civil::date(2020, 1, 1)
                    .checked_add(jiff::Span::new().days(i64::from(d)))
                    .map(|date| date.to_string())
                    .unwrap_or_default()
            })
            .collect();
        let ramp = |scale: f64, offset: f64| -> Quantiles {
            std::array::from_fn(|q| {
                (0..days)
                    .map(|d| f64::from(d) * scale + offset * (q as f64 - 2.0))
                    .collect()
            })
        };
        CalibrationReport {
            scenario: "toy <escape>".to_owned(),
            until: dates[19].clone(),
            cut_day: 19,
            spec_origin: "params.toml".to_owned(),
            seed: 7,
            version: "0.0.0".to_owned(),
            command_line: "tumen calibrate toy".to_owned(),
            stop: "run budget spent".to_owned(),
            runs: 120,
            abc_seconds: 1.5,
            replicas: 5,
            parameters: vec![
                ReportParameter {
                    name: "move_rules.max_move_speed".to_owned(),
                    prior: "uniform on [100, 500]".to_owned(),
                    range: (100.0, 500.0),
                    log: false,
                    density: vec![(100.0, 0.0025), (500.0, 0.0025)],
                    own: Some(360.0),
                },
                ReportParameter {
                    name: "move_rules.camp_movechance".to_owned(),
                    prior: "log-uniform on [0.0001, 0.01]".to_owned(),
                    range: (1e-4, 1e-2),
                    log: true,
                    density: vec![(1e-4, 0.5), (1e-2, 0.5)],
                    own: Some(1e-3),
                },
            ],
            particles: (0..10)
                .map(|i| ReportParticle {
                    weight: 0.1,
                    theta: vec![
                        200.0 + 10.0 * f64::from(i),
                        1e-3 * (1.0 + f64::from(i) / 5.0),
                    ],
                    distance: 0.3,
                })
                .collect(),
            generations: vec![
                ReportGeneration {
                    generation: 0,
                    tolerance: f64::INFINITY,
                    accepted: 10,
                    runs: 10,
                    ess: 10.0,
                    wall_seconds: 0.1,
                },
                ReportGeneration {
                    generation: 1,
                    tolerance: 0.5,
                    accepted: 10,
                    runs: 30,
                    ess: 7.5,
                    wall_seconds: 0.3,
                },
            ],
            dates,
            camps: vec![ReportCamp {
                name: "Near Camp".to_owned(),
                observed: vec![(0, 0.0), (10, 100.0), (30, 320.0)],
                calibrated: ramp(10.0, 5.0),
                baseline: ramp(8.0, 1.0),
            }],
            scores: vec![
                ReportScore {
                    period: "after".to_owned(),
                    ensemble: "calibrated".to_owned(),
                    ard: Some(0.1),
                    coverage50: Some(0.5),
                    coverage90: Some(1.0),
                    crps: Some(3.0),
                    targets_inside: 0,
                    targets_total: 0,
                },
                ReportScore {
                    period: "after".to_owned(),
                    ensemble: "baseline".to_owned(),
                    ard: Some(0.3),
                    coverage50: Some(0.0),
                    coverage90: Some(0.0),
                    crps: Some(9.0),
                    targets_inside: 0,
                    targets_total: 0,
                },
            ],
        }
    }

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let pairs = [(1.0, 0.1), (2.0, 0.1), (3.0, 0.8)];
        assert_eq!(weighted_quantile(&pairs, 0.05), 1.0);
        assert_eq!(weighted_quantile(&pairs, 0.15), 2.0);
        assert_eq!(weighted_quantile(&pairs, 0.5), 3.0);
        // Unweighted: the median of 1..=5.
        let even: Vec<(f64, f64)> = (1..=5).map(|i| (f64::from(i), 1.0)).collect();
        assert_eq!(weighted_quantile(&even, 0.5), 3.0);
        assert!(weighted_quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn the_page_has_every_section_and_is_offline() {
        let page = render_calibration(&report());
        for needle in [
            "Calibration of toy &lt;escape&gt;",
            r#"data-plot="posterior-corner""#,
            r#"data-plot="tolerance""#,
            r#"data-plot="fit-near-camp""#,
            "cut 2020-01-20",
            "calibrated 50 %",
            "baseline median",
            "after the cut (held out)",
            // The lower ARD and CRPS are marked.
            r#"<td class="num in">0.100</td>"#,
            r#"<td class="num in">3.000</td>"#,
            "move_rules.camp_movechance",
            "∞",
        ] {
            assert!(page.contains(needle), "the page lacks {needle}");
        }
        assert!(!page.contains("http://") || !page.contains("src=\"http"));
        assert!(!page.contains("<script src"));
        assert!(!page.contains("NaN"), "a NaN reached the page");
    }

    #[test]
    fn the_plots_render_as_png() {
        for plot in calibration_plots(&report()) {
            let png = crate::render_png(&plot.svg, 1.0);
            assert!(png.is_ok(), "{}: {:?}", plot.id, png.err());
        }
    }

    #[test]
    fn the_corner_plot_draws_one_circle_per_particle_and_pair() {
        let report = report();
        let plots = calibration_plots(&report);
        let corner = &plots[0];
        assert_eq!(corner.id, "posterior-corner");
        // Two parameters: one pair below the diagonal.
        assert_eq!(
            corner.svg.matches("<circle").count(),
            report.particles.len()
        );
        // Two diagonal histograms of BINS bars each.
        assert_eq!(corner.svg.matches("posterior density").count(), 2 * BINS);
    }
}
