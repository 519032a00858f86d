//! Distances for calibration and scores for forecasts.
//!
//! - **ARD** (averaged relative difference) of a trajectory against observations:
//!   `Σ |simᵢ − obsᵢ| / Σ obsᵢ` over the observed points `i` (all series and days pooled), that is
//!   the mean absolute error divided by the mean observation. [`ard_daily`] is Flee's form
//!   (Suleimenova et al. 2017): per day, `Σ_c |sim − obs| / Σ_c obs` over the observed locations,
//!   then averaged over the days with a positive observed total. Both are 0 for a perfect fit
//!   and 1 for a model that predicts nothing.
//! - **Interval targets**: 0 inside `[low, high]`, else `|x − end| / max(|end|, 1)` for the nearer
//!   end (the guard `max(·, 1)` turns the relative distance into an absolute one near zero).
//! - **CRPS** of an ensemble `X₁…Xₙ` for an observation `y` (Gneiting & Raftery 2007):
//!   `mean|Xᵢ − y| − ½ mean|Xᵢ − Xⱼ|` over all `n²` pairs, computed in `O(n log n)` by sorting.
//! - **Coverage**: the share of observations inside the ensemble's central 50 % and 90 % bands,
//!   bands from the ensemble's quantiles with linear interpolation (numpy's default, type 7).

use serde::{Deserialize, Serialize};

/// ARD pooled over points: `Σ |sim − obs| / Σ obs`; `None` when there is no point or the
/// observations sum to 0 or less.
#[must_use]
pub fn ard(pairs: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut error, mut total, mut any) = (0.0, 0.0, false);
    for (sim, obs) in pairs {
        error += (sim - obs).abs();
        total += obs;
        any = true;
    }
    (any && total > 0.0).then(|| error / total)
}

/// Flee's ARD: the mean over days of `Σ_c |sim − obs| / Σ_c obs`, each day given as its
/// `(sim, obs)` pairs over observed locations; days whose observed total is not positive are
/// skipped; `None` when no day remains.
#[must_use]
pub fn ard_daily(days: &[Vec<(f64, f64)>]) -> Option<f64> {
    let daily: Vec<f64> = days
        .iter()
        .filter_map(|day| ard(day.iter().copied()))
        .collect();
    #[expect(clippy::cast_precision_loss, reason = "day counts far below 2^52")]
    let n = daily.len() as f64;
    (!daily.is_empty()).then(|| daily.iter().sum::<f64>() / n)
}

/// Distance of `x` to the interval `[low, high]`: 0 inside, else `|x − end| / max(|end|, 1)`.
#[must_use]
pub fn interval_distance(x: f64, low: f64, high: f64) -> f64 {
    let relative = |end: f64| (x - end).abs() / end.abs().max(1.0);
    if x < low {
        relative(low)
    } else if x > high {
        relative(high)
    } else if x.is_nan() {
        f64::INFINITY
    } else {
        0.0
    }
}

/// The ensemble CRPS, `mean|X − y| − ½ mean|X − X'|`; NaN for an empty ensemble.
#[must_use]
pub fn crps_ensemble(ensemble: &[f64], observed: f64) -> f64 {
    if ensemble.is_empty() {
        return f64::NAN;
    }
    let mut sorted = ensemble.to_vec();
    sorted.sort_by(f64::total_cmp);
    #[expect(clippy::cast_precision_loss, reason = "ensemble sizes far below 2^52")]
    let n = sorted.len() as f64;
    let to_observation = sorted.iter().map(|x| (x - observed).abs()).sum::<f64>() / n;
    // Σ_{i,j} |x_i − x_j| = 2 Σ_i (2i − n + 1) x_(i) over the sorted values (i from 0).
    #[expect(clippy::cast_precision_loss, reason = "ensemble sizes far below 2^52")]
    let pairs: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * i as f64 - n + 1.0) * x)
        .sum::<f64>()
        * 2.0;
    to_observation - 0.5 * pairs / (n * n)
}

/// Quantile `q` of sorted values with linear interpolation (type 7); NaN when empty.
#[must_use]
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[expect(clippy::cast_precision_loss, reason = "ensemble sizes far below 2^52")]
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "0 ≤ position < len"
    )]
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    #[expect(clippy::cast_precision_loss, reason = "ensemble sizes far below 2^52")]
    let fraction = position - below as f64;
    sorted[below] + fraction * (sorted[above] - sorted[below])
}

/// Whether `observed` lies in the ensemble's central band of probability `level` (e.g. 0.9:
/// between its 5 % and 95 % quantiles, ends included).
#[must_use]
pub fn in_band(ensemble: &[f64], observed: f64, level: f64) -> bool {
    let mut sorted = ensemble.to_vec();
    sorted.sort_by(f64::total_cmp);
    let tail = 0.5 * (1.0 - level);
    quantile_sorted(&sorted, tail) <= observed && observed <= quantile_sorted(&sorted, 1.0 - tail)
}

/// The combined calibration distance: the series' ARD plus the mean interval distance of the
/// targets, each block counted when present (equal weight to the two blocks); `∞` when neither
/// is present, so that nothing is accepted on no data.
#[must_use]
pub fn combined_distance(series_ard: Option<f64>, target_distances: &[f64]) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "target counts far below 2^52")]
    let targets = (!target_distances.is_empty())
        .then(|| target_distances.iter().sum::<f64>() / target_distances.len() as f64);
    match (series_ard, targets) {
        (None, None) => f64::INFINITY,
        (a, t) => a.unwrap_or(0.0) + t.unwrap_or(0.0),
    }
}

/// One observation with the ensemble's values at the same place and day.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedPoint {
    /// The ensemble members' values (one per replica).
    pub ensemble: Vec<f64>,
    /// The observation.
    pub observed: f64,
}

/// An interval target with the value the scored trajectory gives for it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetCheck {
    /// The trajectory's value (e.g. of the median trajectory).
    pub value: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// The scores of one ensemble over one period (a block of `score.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// ARD of the ensemble's median trajectory over the observed points (`null` without data).
    pub ard: Option<f64>,
    /// Share of observations inside the central 50 % band.
    pub coverage50: Option<f64>,
    /// Share of observations inside the central 90 % band.
    pub coverage90: Option<f64>,
    /// Mean CRPS over the observed points.
    pub crps: Option<f64>,
    /// Interval targets whose value lies inside.
    pub targets_inside: usize,
    /// Interval targets dated in the period.
    pub targets_total: usize,
}

impl Score {
    /// Scores an ensemble: the median of each point's ensemble is the median trajectory.
    #[must_use]
    pub fn compute(points: &[ObservedPoint], targets: &[TargetCheck]) -> Self {
        let usable: Vec<&ObservedPoint> =
            points.iter().filter(|p| !p.ensemble.is_empty()).collect();
        #[expect(clippy::cast_precision_loss, reason = "point counts far below 2^52")]
        let n = usable.len() as f64;
        let share = |level: f64| {
            (!usable.is_empty()).then(|| {
                #[expect(clippy::cast_precision_loss, reason = "point counts far below 2^52")]
                let inside = usable
                    .iter()
                    .filter(|p| in_band(&p.ensemble, p.observed, level))
                    .count() as f64;
                inside / n
            })
        };
        let median = |p: &ObservedPoint| {
            let mut sorted = p.ensemble.clone();
            sorted.sort_by(f64::total_cmp);
            quantile_sorted(&sorted, 0.5)
        };
        Self {
            ard: ard(usable.iter().map(|p| (median(p), p.observed))),
            coverage50: share(0.5),
            coverage90: share(0.9),
            crps: (!usable.is_empty()).then(|| {
                usable
                    .iter()
                    .map(|p| crps_ensemble(&p.ensemble, p.observed))
                    .sum::<f64>()
                    / n
            }),
            targets_inside: targets
                .iter()
                .filter(|t| interval_distance(t.value, t.low, t.high) == 0.0)
                .count(),
            targets_total: targets.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ard_pooled_and_daily() {
        assert_eq!(ard([(10.0, 8.0), (0.0, 2.0)]), Some(0.4));
        assert_eq!(ard([(1.0, 0.0)]), None);
        assert_eq!(ard(std::iter::empty()), None);
        // Day 1: |10−8|+|0−2| over 10 = 0.4; day 2: |5−5| over 5 = 0; day 3 skipped (no data).
        let days = vec![
            vec![(10.0, 8.0), (0.0, 2.0)],
            vec![(5.0, 5.0)],
            vec![(3.0, 0.0)],
        ];
        assert_eq!(ard_daily(&days), Some(0.2));
    }

    #[test]
    fn interval_distance_is_zero_inside_and_relative_outside() {
        assert_eq!(interval_distance(5.0, 4.0, 6.0), 0.0);
        assert_eq!(interval_distance(4.0, 4.0, 6.0), 0.0);
        assert!((interval_distance(3.0, 4.0, 6.0) - 0.25).abs() < 1e-15);
        assert!((interval_distance(9.0, 4.0, 6.0) - 0.5).abs() < 1e-15);
        assert!(
            (interval_distance(-0.5, 0.0, 6.0) - 0.5).abs() < 1e-15,
            "guard at 0"
        );
        assert_eq!(interval_distance(f64::NAN, 0.0, 1.0), f64::INFINITY);
    }

    /// The CRPS by its O(n²) definition.
    fn crps_naive(xs: &[f64], y: f64) -> f64 {
        let n = xs.len() as f64;
        let a = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
        let b = xs
            .iter()
            .flat_map(|x| xs.iter().map(move |z| (x - z).abs()))
            .sum::<f64>()
            / (n * n);
        a - 0.5 * b
    }

    #[test]
    fn crps_matches_its_definition_and_known_cases() {
        let xs = [3.0, -1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        for y in [-3.0, 0.0, 2.5, 10.0] {
            assert!((crps_ensemble(&xs, y) - crps_naive(&xs, y)).abs() < 1e-12);
        }
        // A one-member ensemble: the absolute error.
        assert_eq!(crps_ensemble(&[2.0], 5.0), 3.0);
        // A large ensemble of U(0,1) quantiles against y = 0.5: ∫ F² + ∫(1−F)² = 1/12.
        let grid: Vec<f64> = (0..2001).map(|i| f64::from(i) / 2000.0).collect();
        assert!((crps_ensemble(&grid, 0.5) - 1.0 / 12.0).abs() < 1e-3);
    }

    #[test]
    fn quantiles_bands_and_score() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&sorted, 0.25), 2.0);
        assert_eq!(quantile_sorted(&sorted, 0.1), 1.4);
        let ensemble: Vec<f64> = (0..=100).map(f64::from).collect();
        assert!(in_band(&ensemble, 30.0, 0.5) && !in_band(&ensemble, 20.0, 0.5));
        assert!(in_band(&ensemble, 6.0, 0.9) && !in_band(&ensemble, 4.0, 0.9));
        let points: Vec<ObservedPoint> = [50.0, 20.0, 100.0, 4.0]
            .iter()
            .map(|&observed| ObservedPoint {
                ensemble: ensemble.clone(),
                observed,
            })
            .collect();
        let targets = [
            TargetCheck {
                value: 5.0,
                low: 4.0,
                high: 6.0,
            },
            TargetCheck {
                value: 7.0,
                low: 4.0,
                high: 6.0,
            },
        ];
        let score = Score::compute(&points, &targets);
        assert_eq!(score.coverage50, Some(0.25));
        assert_eq!(score.coverage90, Some(0.5));
        assert_eq!(score.ard, Some((0.0 + 30.0 + 50.0 + 46.0) / 174.0));
        assert_eq!((score.targets_inside, score.targets_total), (1, 2));
        let json = serde_json::to_string(&score).expect("json");
        assert!(
            json.contains("\"coverage50\":0.25") && json.contains("\"targets_total\":2"),
            "{json}"
        );
        let empty = Score::compute(&[], &[]);
        assert_eq!(
            (empty.ard, empty.crps, empty.coverage90),
            (None, None, None)
        );
        assert_eq!(combined_distance(Some(0.3), &[0.0, 0.5]), 0.55);
        assert_eq!(combined_distance(None, &[]), f64::INFINITY);
    }
}
