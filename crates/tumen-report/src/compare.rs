//! The report of a policy comparison (`tumen compare`'s output directory): per quantity, the
//! yearly medians of the baseline and of each variant, and the paired differences with their
//! 5–95 % spread over replicas; the whole-run differences as a table; and how many of the
//! scenario's targets each run meets.

use crate::ReportError;
use crate::data::{Csv, invalid, read};
use crate::plots::Plot;
use crate::svg::{Chart, ChartSpec, Key, PALETTE, SIM, XAxis, count_label, esc, nice_domain};
use std::collections::BTreeMap;
use std::path::Path;

/// One row of `comparison.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonRow {
    /// The variant.
    pub variant: String,
    /// The year, or `None` for the whole run (`all`).
    pub year: Option<i32>,
    /// The quantity (`deportations`, `asylum_exits`, …).
    pub quantity: String,
    /// Median of the baseline's replicas.
    pub baseline: f64,
    /// Median of the variant's replicas.
    pub variant_median: f64,
    /// Median of the paired differences (variant − baseline, replica by replica).
    pub difference: f64,
    /// 5 % quantile of the paired differences.
    pub p05: f64,
    /// 95 % quantile of the paired differences.
    pub p95: f64,
}

/// A comparison directory's data.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonData {
    /// The rows, in file order.
    pub rows: Vec<ComparisonRow>,
    /// Variants, in file order.
    pub variants: Vec<String>,
    /// Quantities, in file order.
    pub quantities: Vec<String>,
    /// Per run (`baseline` and each variant): targets inside / evaluated, from its
    /// `targets.csv` when present.
    pub targets: BTreeMap<String, (usize, usize)>,
}

const COLUMNS: [&str; 8] = [
    "variant",
    "year",
    "quantity",
    "baseline_median",
    "variant_median",
    "difference",
    "difference_p05",
    "difference_p95",
];

/// Reads `comparison.csv` (and each run's `targets.csv`) from a `tumen compare` directory;
/// `Ok(None)` when there is no `comparison.csv`.
///
/// # Errors
/// When a file cannot be read or is not what `tumen compare` writes (the error names it).
pub fn load_comparison(dir: &Path) -> Result<Option<ComparisonData>, ReportError> {
    let Some(text) = read(dir, "comparison.csv")? else {
        return Ok(None);
    };
    let csv = Csv::parse(dir, "comparison.csv", &text, &COLUMNS)?;
    let mut rows = Vec::with_capacity(csv.rows.len());
    let mut variants: Vec<String> = Vec::new();
    let mut quantities: Vec<String> = Vec::new();
    for (index, row) in csv.rows.iter().enumerate() {
        let line = index + 2;
        let number = |name: &str| {
            csv.number(row, name).ok_or_else(|| {
                invalid(
                    dir,
                    "comparison.csv",
                    format!(
                        "line {line}: `{name}` is `{}`, expected a number",
                        csv.text(row, name)
                    ),
                )
            })
        };
        let year_text = csv.text(row, "year");
        let year = if year_text == "all" {
            None
        } else {
            Some(year_text.parse::<i32>().map_err(|_| {
                invalid(
                    dir,
                    "comparison.csv",
                    format!("line {line}: `year` is `{year_text}`, expected a year or `all`"),
                )
            })?)
        };
        let variant = csv.text(row, "variant").to_owned();
        let quantity = csv.text(row, "quantity").to_owned();
        if !variants.contains(&variant) {
            variants.push(variant.clone());
        }
        if !quantities.contains(&quantity) {
            quantities.push(quantity.clone());
        }
        rows.push(ComparisonRow {
            variant,
            year,
            quantity,
            baseline: number("baseline_median")?,
            variant_median: number("variant_median")?,
            difference: number("difference")?,
            p05: number("difference_p05")?,
            p95: number("difference_p95")?,
        });
    }
    let mut targets = BTreeMap::new();
    for run in std::iter::once("baseline").chain(variants.iter().map(String::as_str)) {
        let sub = dir.join(run);
        if let Some(text) = read(&sub, "targets.csv")? {
            let csv = Csv::parse(&sub, "targets.csv", &text, &["target", "inside"])?;
            let judged: Vec<&str> = csv
                .rows
                .iter()
                .map(|r| csv.text(r, "inside"))
                .filter(|v| !v.is_empty())
                .collect();
            let inside = judged
                .iter()
                .filter(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "1"))
                .count();
            targets.insert(run.to_owned(), (inside, judged.len()));
        }
    }
    Ok(Some(ComparisonData {
        rows,
        variants,
        quantities,
        targets,
    }))
}

impl ComparisonData {
    /// The yearly rows of one variant and quantity, by year.
    fn yearly(&self, variant: &str, quantity: &str) -> Vec<&ComparisonRow> {
        let mut rows: Vec<&ComparisonRow> = self
            .rows
            .iter()
            .filter(|r| r.variant == variant && r.quantity == quantity && r.year.is_some())
            .collect();
        rows.sort_by_key(|r| r.year);
        rows
    }

    /// The whole-run row of one variant and quantity.
    #[must_use]
    pub fn whole(&self, variant: &str, quantity: &str) -> Option<&ComparisonRow> {
        self.rows
            .iter()
            .find(|r| r.variant == variant && r.quantity == quantity && r.year.is_none())
    }
}

/// What a quantity is, for titles and axes.
fn describe(quantity: &str) -> (&str, &str) {
    match quantity {
        "crossings" => ("Crossings", "people per year"),
        "returns" => ("Returns home", "people per year"),
        "deportations" => ("Deportations", "people per year"),
        "asylum_exits" => ("Arrivals through asylum", "people per year"),
        "hidden_at_year_end" => ("Hidden people at the end of each year", "people"),
        other => (other, "people"),
    }
}

/// Two plots per quantity with yearly rows: the medians of every run, and the paired
/// differences of each variant with their 5–95 % spread.
#[must_use]
pub fn comparison_plots(data: &ComparisonData) -> Vec<Plot> {
    let mut plots = Vec::new();
    for quantity in &data.quantities {
        let Some(first) = data.variants.first() else {
            break;
        };
        let base_rows = data.yearly(first, quantity);
        if base_rows.is_empty() {
            continue;
        }
        let years: Vec<String> = base_rows
            .iter()
            .filter_map(|r| r.year)
            .map(|y| y.to_string())
            .collect();
        let xs: Vec<f64> = (0..years.len()).map(|i| i as f64).collect();
        let (title, unit) = describe(quantity);
        let x = (-0.5, years.len() as f64 - 0.5);

        // Levels.
        let baseline: Vec<f64> = base_rows.iter().map(|r| r.baseline).collect();
        let mut series = vec![baseline.clone()];
        let mut hi = baseline.iter().copied().fold(0.0, f64::max);
        for variant in &data.variants {
            let values: Vec<f64> = data
                .yearly(variant, quantity)
                .iter()
                .map(|r| r.variant_median)
                .collect();
            hi = values.iter().copied().fold(hi, f64::max);
            series.push(values);
        }
        let id = format!("levels-{}", quantity.replace('_', "-"));
        let mut chart = Chart::new(&ChartSpec {
            id: &id,
            title: &format!("{title}: medians of each run"),
            x_label: "year",
            y_label: unit,
            width: 560.0,
            height: 300.0,
            x,
            y: nice_domain(0.0, hi),
            x_axis: XAxis::Categories(years.clone()),
        });
        chart.line(&xs, &series[0], SIM, 2.5, false);
        chart.key(Key::Line {
            label: "baseline".into(),
            color: SIM.into(),
            dash: false,
        });
        for (k, variant) in data.variants.iter().enumerate() {
            let color = PALETTE[(k + 1) % PALETTE.len()];
            if series[k + 1].len() == xs.len() {
                chart.line(&xs, &series[k + 1], color, 2.0, true);
            }
            chart.key(Key::Line {
                label: variant.clone(),
                color: color.into(),
                dash: true,
            });
        }
        plots.push(Plot {
            id,
            section: "levels",
            caption: format!(
                "{title} per year: the median over replicas of the baseline and of each variant \
                 (comparison.csv `baseline_median`, `variant_median`)."
            ),
            svg: chart.finish(),
        });

        // Paired differences.
        let mut lo = 0.0_f64;
        let mut hi = 0.0_f64;
        for variant in &data.variants {
            for row in data.yearly(variant, quantity) {
                lo = lo.min(row.p05).min(row.difference);
                hi = hi.max(row.p95).max(row.difference);
            }
        }
        let id = format!("difference-{}", quantity.replace('_', "-"));
        let mut chart = Chart::new(&ChartSpec {
            id: &id,
            title: &format!("{title}: variant − baseline, paired replicas"),
            x_label: "year",
            y_label: unit,
            width: 560.0,
            height: 300.0,
            x,
            y: nice_domain(lo, hi),
            x_axis: XAxis::Categories(years.clone()),
        });
        chart.line(&xs, &vec![0.0; xs.len()], "#888888", 1.0, true);
        for (k, variant) in data.variants.iter().enumerate() {
            let rows = data.yearly(variant, quantity);
            if rows.len() != xs.len() {
                continue;
            }
            let color = PALETTE[(k + 1) % PALETTE.len()];
            let low: Vec<f64> = rows.iter().map(|r| r.p05).collect();
            let high: Vec<f64> = rows.iter().map(|r| r.p95).collect();
            let median: Vec<f64> = rows.iter().map(|r| r.difference).collect();
            chart.band(&xs, &low, &high, color, 0.2);
            chart.line(&xs, &median, color, 2.0, false);
            chart.key(Key::Band {
                label: format!("{variant} (median, 5–95 %)"),
                color: color.into(),
                opacity: 0.35,
            });
        }
        plots.push(Plot {
            id,
            section: "differences",
            caption: format!(
                "{title}: the difference variant − baseline replica by replica (the same seeds: \
                 common random numbers), its median and its 5–95 % spread over the pairs. A band \
                 that excludes 0 is a difference the policy makes, not noise."
            ),
            svg: chart.finish(),
        });
    }
    plots
}

/// The whole-run table: per variant and quantity, the medians and the paired difference.
pub(crate) fn whole_run_table(data: &ComparisonData) -> String {
    let mut out = String::from(
        r#"<table><tr><th>variant</th><th>quantity</th><th class="num">baseline median</th><th class="num">variant median</th><th class="num">difference (median)</th><th class="num">5–95 % of the paired differences</th></tr>"#,
    );
    for variant in &data.variants {
        for quantity in &data.quantities {
            if let Some(row) = data.whole(variant, quantity) {
                let excludes_zero = row.p05 > 0.0 || row.p95 < 0.0;
                out.push_str(&format!(
                    r#"<tr><td>{}</td><td><code>{}</code></td><td class="num">{}</td><td class="num">{}</td><td class="num{}">{}{}</td><td class="num">[{}, {}]</td></tr>"#,
                    esc(variant),
                    esc(quantity),
                    count_label(row.baseline),
                    count_label(row.variant_median),
                    if excludes_zero { " out" } else { "" },
                    if row.difference > 0.0 { "+" } else { "" },
                    count_label(row.difference),
                    count_label(row.p05),
                    count_label(row.p95),
                ));
            }
        }
    }
    out.push_str("</table>");
    out
}
