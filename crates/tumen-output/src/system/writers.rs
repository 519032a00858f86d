//! The CSV files: `yearly.csv`, `weekly.csv`, `status.csv`, `targets.csv`, `comparison.csv`.

use super::*;
use std::io::Write;
use tumen_engine::CATEGORIES;

/// The columns of `yearly.csv`.
pub const YEARLY_COLUMNS: &str =
    "year,crossings,returns,deportations,asylum_exits,hidden_at_year_end";
/// The columns of `weekly.csv`.
pub const WEEKLY_COLUMNS: &str = "week_start,crossings,returns,deportations,asylum_exits,hidden";
/// The columns of `status.csv`.
pub const STATUS_COLUMNS: &str = "day,date,status,people";
/// The columns of the written `targets.csv`.
pub const TARGET_COLUMNS: &str =
    "target,documented_low,documented_high,simulated_median,simulated_p05,simulated_p95,inside";
/// The columns of `comparison.csv`.
pub const COMPARISON_COLUMNS: &str =
    "variant,year,quantity,baseline_median,variant_median,difference,difference_p05,difference_p95";

/// A number as written in the CSV files: at most 3 decimals, `inf`, or empty for NaN.
#[must_use]
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        let rounded = (value * 1000.0).round() / 1000.0;
        if rounded == 0.0 {
            "0".to_owned()
        } else {
            format!("{rounded}")
        }
    }
}

/// A count as written in `yearly.csv`, `weekly.csv`, `status.csv` and `comparison.csv`: one
/// type per column, so a median or quantile over replicas (linear interpolation: `0.5` between
/// 0 and 1) is rounded to the nearest integer, halves away from zero; `inf`, or empty for NaN.
#[must_use]
pub fn format_count(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        let rounded = value.round();
        if rounded == 0.0 {
            "0".to_owned()
        } else {
            format!("{rounded:.0}")
        }
    }
}

pub(super) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

impl SystemEnsemble {
    /// Writes `yearly.csv` ([`YEARLY_COLUMNS`]; ensemble medians), with, when the runs carry
    /// sex, `<column>_female` and `<column>_male` for `crossings`, `deportations`,
    /// `asylum_exits` and `hidden_at_year_end` after them.
    ///
    /// # Errors
    /// Any write error.
    pub fn write_yearly_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let sex_columns = self.layout.sex_columns();
        if sex_columns.is_empty() {
            writeln!(w, "{YEARLY_COLUMNS}")?;
            for period in self.periods(Periods::Years) {
                writeln!(w, "{},{}", period.year, medians(&period.bands))?;
            }
        } else {
            writeln!(w, "{YEARLY_COLUMNS},{}", sex_columns.join(","))?;
            for (period, sex) in self.periods(Periods::Years).iter().zip(self.sex_rows()) {
                writeln!(w, "{},{},{sex}", period.year, medians(&period.bands))?;
            }
        }
        Ok(())
    }

    /// Writes `weekly.csv` ([`WEEKLY_COLUMNS`]; ensemble medians).
    ///
    /// # Errors
    /// Any write error.
    pub fn write_weekly_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{WEEKLY_COLUMNS}")?;
        for period in self.periods(Periods::Weeks) {
            writeln!(w, "{},{}", period.start, medians(&period.bands))?;
        }
        Ok(())
    }

    /// Writes `status.csv` ([`STATUS_COLUMNS`]): the median over replicas of the people in
    /// each category on each day, one row per day and category.
    ///
    /// # Errors
    /// Any write error.
    pub fn write_status_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{STATUS_COLUMNS}")?;
        for day in 0..self.days() {
            let date = self.layout.date(u32::try_from(day).unwrap_or(u32::MAX));
            for (index, name) in CATEGORIES.iter().enumerate() {
                #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
                let band = Band::of(self.replicas.iter().map(|r| r.category(day, index) as f64));
                writeln!(w, "{day},{date},{name},{}", format_count(band.median))?;
            }
        }
        Ok(())
    }
}

pub(super) fn medians(bands: &[Band; 5]) -> String {
    bands
        .iter()
        .map(|b| format_count(b.median))
        .collect::<Vec<_>>()
        .join(",")
}

/// Writes `targets.csv` ([`TARGET_COLUMNS`]); `inside` is empty for rows not evaluated.
///
/// # Errors
/// Any write error.
pub fn write_targets_csv(results: &[TargetResult], w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "{TARGET_COLUMNS}")?;
    for result in results {
        let (median, p05, p95, inside) = match &result.outcome {
            TargetOutcome::Evaluated { band, inside } => (
                format_number(band.median),
                format_number(band.p05),
                format_number(band.p95),
                inside.to_string(),
            ),
            _ => (String::new(), String::new(), String::new(), String::new()),
        };
        writeln!(
            w,
            "{},{},{},{median},{p05},{p95},{inside}",
            csv_field(&result.target),
            csv_field(&result.documented_low),
            csv_field(&result.documented_high),
        )?;
    }
    Ok(())
}

/// Writes `comparison.csv` ([`COMPARISON_COLUMNS`]); the whole-run rows have the year `all`.
/// `difference` is the median of the paired differences `variant − baseline`.
///
/// # Errors
/// Any write error.
pub fn write_comparison_csv(rows: &[ComparisonRow], w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "{COMPARISON_COLUMNS}")?;
    for row in rows {
        let year = row.year.map_or_else(|| "all".to_owned(), |y| y.to_string());
        let quantity = if row.quantity == 4 && row.year.is_some() {
            "hidden_at_year_end"
        } else if row.quantity == 4 {
            "hidden_at_end"
        } else {
            QUANTITIES[row.quantity]
        };
        writeln!(
            w,
            "{},{year},{quantity},{},{},{},{},{}",
            csv_field(&row.variant),
            format_count(row.baseline_median),
            format_count(row.variant_median),
            format_count(row.difference.median),
            format_count(row.difference.p05),
            format_count(row.difference.p95),
        )?;
    }
    Ok(())
}
