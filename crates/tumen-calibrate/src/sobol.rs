//! Variance-based (Sobol) sensitivity: Saltelli's sampling scheme and SALib's estimators.
//!
//! - **Design** (SALib's `saltelli.sample(..., calc_second_order=False)` layout): a scrambled
//!   Sobol sequence of `2d` dimensions and `N` points gives matrices `A` (dimensions `0..d`) and
//!   `B` (`d..2d`). For each point `i` the design has `d + 2` rows, in this order: `Aᵢ`,
//!   `AB⁽¹⁾ᵢ … AB⁽ᵈ⁾ᵢ` (row `Aᵢ` with column `j` taken from `Bᵢ`), `Bᵢ`: `N (d + 2)` runs in all.
//!   The sequence is Burley's Owen-scrambled Sobol sequence (`sobol_burley`, keyed by the seed;
//!   at most 2¹⁶ points and 128 parameters); each `f32` coordinate `u` is moved to the centre of
//!   its 2⁻²⁴ cell (`u + 2⁻²⁵`), so it is never 0 or 1, and mapped through each prior's quantile
//!   function. `N` a power of two keeps the sequence's balance.
//! - **Estimators** (SALib's `sobol.analyze`): outputs standardised, `V = var([A; B])` (population
//!   variance over both matrices), first order `S1ⱼ = mean(B (ABⱼ − A)) / V` (Saltelli et al. 2010),
//!   total `STⱼ = ½ mean((A − ABⱼ)²) / V` (Jansen 1999).
//! - **Confidence intervals**: `R` bootstrap resamples of the `N` points (rows drawn with
//!   replacement, each resample from its own keyed stream); the interval is the estimate ±
//!   `z₀.₉₇₅ ×` the resamples' standard deviation (`ddof = 1`), as SALib's `S1_conf`/`ST_conf`.
//! - An output with zero variance gives NaN indices.

use std::io::{self, Write};

use rayon::prelude::*;

use crate::params::{ParameterSet, normal_quantile};
use crate::rng::{stream, uniform_open};

/// What is wrong with a Sobol request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SobolError {
    /// `N` out of range.
    #[error("the base sample size N must be between 2 and 65536, found {0}")]
    BaseSize(usize),
    /// Too many parameters for the sequence.
    #[error("Sobol sampling supports at most 128 parameters, found {0}")]
    TooManyParameters(usize),
    /// Outputs of the wrong length.
    #[error("expected {expected} model outputs (N (d + 2)), found {found}")]
    OutputCount {
        /// `N (d + 2)`.
        expected: usize,
        /// Given.
        found: usize,
    },
    /// Fewer than 2 bootstrap resamples.
    #[error("at least 2 bootstrap resamples are needed, found {0}")]
    Resamples(usize),
}

/// A Saltelli design: the rows to run, in the unit hypercube and in parameter space.
#[derive(Clone, Debug, PartialEq)]
pub struct SaltelliDesign {
    /// Base sample size `N`.
    pub base: usize,
    /// Number of parameters `d`.
    pub dim: usize,
    /// `N (d + 2)` rows in `[0, 1)^d`, in SALib's order.
    pub unit: Vec<Vec<f64>>,
    /// The same rows mapped through the priors' quantile functions: the parameter values to run.
    pub points: Vec<Vec<f64>>,
}

/// One scrambled Sobol coordinate in (0, 1).
fn sobol_coordinate(index: usize, dimension: usize, seed: u32) -> f64 {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "index < 2^16 and dimension < 256, checked"
    )]
    let u = sobol_burley::sample(index as u32, dimension as u32, seed);
    f64::from(u) + 1.0 / 33_554_432.0
}

/// Saltelli's design for `params` with base size `base` (`N`), scrambled by `seed`.
///
/// # Errors
/// [`SobolError::BaseSize`] or [`SobolError::TooManyParameters`].
pub fn saltelli_sample(
    params: &ParameterSet,
    base: usize,
    seed: u32,
) -> Result<SaltelliDesign, SobolError> {
    let dim = params.len();
    if !(2..=65_536).contains(&base) {
        return Err(SobolError::BaseSize(base));
    }
    if dim > 128 {
        return Err(SobolError::TooManyParameters(dim));
    }
    let mut unit = Vec::with_capacity(base * (dim + 2));
    for i in 0..base {
        let a: Vec<f64> = (0..dim).map(|j| sobol_coordinate(i, j, seed)).collect();
        let b: Vec<f64> = (0..dim)
            .map(|j| sobol_coordinate(i, dim + j, seed))
            .collect();
        unit.push(a.clone());
        for j in 0..dim {
            let mut ab = a.clone();
            ab[j] = b[j];
            unit.push(ab);
        }
        unit.push(b);
    }
    let points = unit.iter().map(|u| params.from_unit(u)).collect();
    Ok(SaltelliDesign {
        base,
        dim,
        unit,
        points,
    })
}

/// Sobol indices of one parameter for one output, with 95 % bootstrap intervals.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SobolIndex {
    /// The parameter.
    pub parameter: String,
    /// First-order index.
    pub s1: f64,
    /// Lower end of its 95 % interval.
    pub s1_low: f64,
    /// Upper end of its 95 % interval.
    pub s1_high: f64,
    /// Total index.
    pub st: f64,
    /// Lower end of its 95 % interval.
    pub st_low: f64,
    /// Upper end of its 95 % interval.
    pub st_high: f64,
}

/// `(S1, ST)` for every parameter from the rows `rows` of the base sample.
fn indices(a: &[f64], b: &[f64], ab: &[Vec<f64>], rows: &[usize]) -> Vec<(f64, f64)> {
    #[expect(clippy::cast_precision_loss, reason = "sample sizes far below 2^52")]
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&r| a[r] + b[r]).sum::<f64>() / (2.0 * n);
    let variance = rows
        .iter()
        .map(|&r| (a[r] - mean).powi(2) + (b[r] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    ab.iter()
        .map(|abj| {
            let first = rows.iter().map(|&r| b[r] * (abj[r] - a[r])).sum::<f64>() / n;
            let total = 0.5 * rows.iter().map(|&r| (a[r] - abj[r]).powi(2)).sum::<f64>() / n;
            if variance > 0.0 {
                (first / variance, total / variance)
            } else {
                (f64::NAN, f64::NAN)
            }
        })
        .collect()
}

/// SALib's `sobol.analyze(calc_second_order=False)` on the outputs of a [`SaltelliDesign`]'s rows
/// (in its order), with `resamples` bootstrap resamples keyed by `seed`.
///
/// # Errors
/// [`SobolError::OutputCount`] or [`SobolError::Resamples`].
pub fn sobol_analyze(
    params: &ParameterSet,
    base: usize,
    outputs: &[f64],
    resamples: usize,
    seed: u64,
) -> Result<Vec<SobolIndex>, SobolError> {
    let dim = params.len();
    let step = dim + 2;
    if outputs.len() != base * step || base < 2 {
        return Err(SobolError::OutputCount {
            expected: base * step,
            found: outputs.len(),
        });
    }
    if resamples < 2 {
        return Err(SobolError::Resamples(resamples));
    }
    // Standardise as SALib does (it changes no index, only rounding).
    #[expect(clippy::cast_precision_loss, reason = "sample sizes far below 2^52")]
    let count = outputs.len() as f64;
    let mean = outputs.iter().sum::<f64>() / count;
    let sd = (outputs.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / count).sqrt();
    let scale = if sd > 0.0 { sd } else { 1.0 };
    let y: Vec<f64> = outputs.iter().map(|v| (v - mean) / scale).collect();
    let a: Vec<f64> = (0..base).map(|i| y[i * step]).collect();
    let b: Vec<f64> = (0..base).map(|i| y[i * step + step - 1]).collect();
    let ab: Vec<Vec<f64>> = (0..dim)
        .map(|j| (0..base).map(|i| y[i * step + j + 1]).collect())
        .collect();
    let all: Vec<usize> = (0..base).collect();
    let estimates = indices(&a, &b, &ab, &all);
    let boots: Vec<Vec<(f64, f64)>> = (0..resamples as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = stream(seed, &[0x424f_4f54, r]);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a uniform index below base"
            )]
            let rows: Vec<usize> = (0..base)
                .map(|_| ((uniform_open(&mut rng) * base as f64) as usize).min(base - 1))
                .collect();
            indices(&a, &b, &ab, &rows)
        })
        .collect();
    let z = normal_quantile(0.975);
    let spread = |j: usize, pick: fn(&(f64, f64)) -> f64| {
        let values: Vec<f64> = boots.iter().map(|boot| pick(&boot[j])).collect();
        #[expect(clippy::cast_precision_loss, reason = "resample counts far below 2^52")]
        let n = values.len() as f64;
        let m = values.iter().sum::<f64>() / n;
        (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    Ok(params
        .parameters()
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let (s1, st) = estimates[j];
            let s1_half = z * spread(j, |e| e.0);
            let st_half = z * spread(j, |e| e.1);
            SobolIndex {
                parameter: p.name.clone(),
                s1,
                s1_low: s1 - s1_half,
                s1_high: s1 + s1_half,
                st,
                st_low: st - st_half,
                st_high: st + st_half,
            }
        })
        .collect())
}

/// Writes `sobol.csv`: `output,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high`, one row per output
/// and parameter; numbers are `f64` in `{:?}` form (shortest round trip, always with a point or
/// exponent; `NaN` for an output without variance). Output and parameter names must not contain
/// commas or quotes.
///
/// # Errors
/// I/O errors of the writer.
pub fn write_sobol_csv<W: Write>(
    results: &[(String, Vec<SobolIndex>)],
    mut out: W,
) -> io::Result<()> {
    writeln!(out, "output,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high")?;
    for (output, rows) in results {
        for r in rows {
            writeln!(
                out,
                "{output},{},{:?},{:?},{:?},{:?},{:?},{:?}",
                r.parameter, r.s1, r.s1_low, r.s1_high, r.st, r.st_low, r.st_high
            )?;
        }
    }
    out.flush()
}
