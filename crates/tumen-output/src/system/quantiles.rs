//! Quantiles over replicas.

use jiff::civil::Date;

/// The `q` quantile of sorted values (linear interpolation between order statistics; NaN for
/// no values).
#[must_use]
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[expect(clippy::cast_precision_loss, reason = "replica counts are small")]
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a non-negative index"
    )]
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - position.floor();
    if sorted[below] == sorted[above] || fraction == 0.0 {
        // Also keeps infinities (a ratio over zero) from becoming NaN.
        return sorted[below];
    }
    sorted[below] + fraction * (sorted[above] - sorted[below])
}

/// Median and 5 % / 95 % quantiles over replicas.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Band {
    /// Median.
    pub median: f64,
    /// 5 % quantile.
    pub p05: f64,
    /// 95 % quantile.
    pub p95: f64,
}

impl Band {
    /// The band of some values (NaN values are left out; all NaN for none).
    #[must_use]
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut sorted: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        sorted.sort_by(f64::total_cmp);
        Self {
            median: quantile(&sorted, 0.5),
            p05: quantile(&sorted, 0.05),
            p95: quantile(&sorted, 0.95),
        }
    }
}

/// One period summarised over replicas.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodBands {
    /// The calendar year (of the first day, for a week).
    pub year: i16,
    /// Date of the period's first simulated day.
    pub start: Date,
    /// A band per [`QUANTITIES`] entry.
    pub bands: [Band; 5],
}
