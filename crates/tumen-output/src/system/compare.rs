//! A policy variant against the baseline, with paired replicas.

use super::*;
use jiff::civil::Date;

/// Why two ensembles cannot be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// Different numbers of replicas.
    #[error("the baseline has {baseline} replicas and the variant {variant}: they must be paired")]
    Replicas {
        /// Baseline replicas.
        baseline: usize,
        /// Variant replicas.
        variant: usize,
    },
    /// Different calendars.
    #[error(
        "the variant simulates other days than the baseline (start {variant_start}, {variant_days} days; baseline start {baseline_start}, {baseline_days} days)"
    )]
    Calendar {
        /// Baseline start.
        baseline_start: Date,
        /// Baseline days.
        baseline_days: usize,
        /// Variant start.
        variant_start: Date,
        /// Variant days.
        variant_days: usize,
    },
}

/// One row of `comparison.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonRow {
    /// The variant's name.
    pub variant: String,
    /// The calendar year, or `None` for the whole run (`all`: sums over every day; `hidden`
    /// at the end of the run).
    pub year: Option<i16>,
    /// Index into [`QUANTITIES`].
    pub quantity: usize,
    /// Baseline median over replicas.
    pub baseline_median: f64,
    /// Variant median over replicas.
    pub variant_median: f64,
    /// Median, 5 % and 95 % quantiles of `variant − baseline` over paired replicas (same
    /// seed).
    pub difference: Band,
}

/// Compares a variant with the baseline per calendar year and over the whole run, pairing
/// replica `i` of one with replica `i` of the other (the same seed: common random numbers).
///
/// # Errors
/// When the ensembles have different replica counts or calendars.
pub fn compare(
    name: &str,
    baseline: &SystemEnsemble,
    variant: &SystemEnsemble,
) -> Result<Vec<ComparisonRow>, CompareError> {
    if baseline.replicas.len() != variant.replicas.len() {
        return Err(CompareError::Replicas {
            baseline: baseline.replicas.len(),
            variant: variant.replicas.len(),
        });
    }
    if baseline.layout.start_date != variant.layout.start_date || baseline.days() != variant.days()
    {
        return Err(CompareError::Calendar {
            baseline_start: baseline.layout.start_date,
            baseline_days: baseline.days(),
            variant_start: variant.layout.start_date,
            variant_days: variant.days(),
        });
    }
    let base = baseline.replica_periods(Periods::Years);
    let other = variant.replica_periods(Periods::Years);
    let whole = |periods: &[Period]| -> [u64; 5] {
        let mut values = [0_u64; 5];
        for period in periods {
            for (v, p) in values.iter_mut().zip(&period.values).take(4) {
                *v += p;
            }
        }
        values[4] = periods.last().map_or(0, |p| p.values[4]);
        values
    };
    let years: Vec<Option<i16>> = base
        .first()
        .map(|periods| periods.iter().map(|p| Some(p.year)).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (index, year) in years.iter().copied().chain([None]).enumerate() {
        let pick = |periods: &Vec<Period>| -> [u64; 5] {
            match year {
                Some(_) => periods.get(index).map_or([0; 5], |p| p.values),
                None => whole(periods),
            }
        };
        let base_values: Vec<[u64; 5]> = base.iter().map(pick).collect();
        let other_values: Vec<[u64; 5]> = other.iter().map(pick).collect();
        for quantity in 0..QUANTITIES.len() {
            #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
            let get = |values: &[[u64; 5]]| -> Vec<f64> {
                values.iter().map(|v| v[quantity] as f64).collect()
            };
            let (b, o) = (get(&base_values), get(&other_values));
            rows.push(ComparisonRow {
                variant: name.to_owned(),
                year,
                quantity,
                baseline_median: Band::of(b.iter().copied()).median,
                variant_median: Band::of(o.iter().copied()).median,
                difference: Band::of(o.iter().zip(&b).map(|(o, b)| o - b)),
            });
        }
    }
    Ok(rows)
}
