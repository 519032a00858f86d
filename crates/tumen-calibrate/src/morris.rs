//! Morris elementary effects (Morris 1991): the cheap screen before a Sobol analysis.
//!
//! - **Design**: `r` trajectories on a `p`-level grid `{0, 1/(p−1), …, 1}` of the unit hypercube
//!   (`p` even), step `Δ = p / (2 (p − 1))`. Each trajectory starts at a random grid point, moves
//!   one parameter at a time (in a random order) by `+Δ` or `−Δ` (a random direction, with the
//!   start drawn so the move stays on the grid): `d + 1` points, `r (d + 1)` runs in all.
//!   Points are mapped through each prior's quantile function; where that is infinite (0 or 1
//!   for a normal prior) the 0.1 % or 99.9 % quantile is used.
//! - **Measures**, per parameter over its `r` elementary effects `EE = Δy / (±Δ)` (in output units
//!   per unit of the hypercube, as SALib): `mu` (mean), `mu_star` (mean of |EE|), `sigma`
//!   (standard deviation, `ddof = 1`).

use std::io::{self, Write};

use crate::params::ParameterSet;
use crate::rng::{stream, uniform_open};

/// What is wrong with a Morris request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MorrisError {
    /// `p` odd or below 2.
    #[error("the number of levels must be even and at least 2, found {0}")]
    Levels(usize),
    /// Fewer than 2 trajectories.
    #[error("at least 2 trajectories are needed, found {0}")]
    Trajectories(usize),
    /// Outputs of the wrong length.
    #[error("expected {expected} model outputs (r (d + 1)), found {found}")]
    OutputCount {
        /// `r (d + 1)`.
        expected: usize,
        /// Given.
        found: usize,
    },
}

/// A Morris design.
#[derive(Clone, Debug, PartialEq)]
pub struct MorrisDesign {
    /// Trajectories `r`.
    pub trajectories: usize,
    /// Grid levels `p`.
    pub levels: usize,
    /// `r (d + 1)` rows in `[0, 1]^d`, trajectory by trajectory.
    pub unit: Vec<Vec<f64>>,
    /// The rows in parameter space: the values to run.
    pub points: Vec<Vec<f64>>,
    /// For each trajectory, its `d` moves in order: (parameter index, signed step in the cube).
    pub moves: Vec<Vec<(usize, f64)>>,
}

/// A uniform index below `n`.
fn below(n: usize, rng: &mut crate::rng::Stream) -> usize {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a uniform index below n"
    )]
    let i = (uniform_open(rng) * n as f64) as usize;
    i.min(n - 1)
}

/// Morris's design: `trajectories` trajectories on a `levels`-level grid, keyed by `seed`.
///
/// # Errors
/// [`MorrisError::Levels`] or [`MorrisError::Trajectories`].
pub fn morris_sample(
    params: &ParameterSet,
    trajectories: usize,
    levels: usize,
    seed: u64,
) -> Result<MorrisDesign, MorrisError> {
    if levels < 2 || !levels.is_multiple_of(2) {
        return Err(MorrisError::Levels(levels));
    }
    if trajectories < 2 {
        return Err(MorrisError::Trajectories(trajectories));
    }
    let dim = params.len();
    #[expect(clippy::cast_precision_loss, reason = "small level counts")]
    let (spacing, half) = (1.0 / (levels - 1) as f64, levels / 2);
    #[expect(clippy::cast_precision_loss, reason = "small level counts")]
    let delta = half as f64 * spacing;
    let mut unit = Vec::with_capacity(trajectories * (dim + 1));
    let mut moves = Vec::with_capacity(trajectories);
    for t in 0..trajectories as u64 {
        let mut rng = stream(seed, &[0x4d4f_5252, t]);
        let mut order: Vec<usize> = (0..dim).collect();
        for i in (1..dim).rev() {
            let j = below(i + 1, &mut rng);
            order.swap(i, j);
        }
        let mut point = Vec::with_capacity(dim);
        let mut signs = Vec::with_capacity(dim);
        for _ in 0..dim {
            let up = uniform_open(&mut rng) < 0.5;
            let level = below(half, &mut rng) + if up { 0 } else { half };
            #[expect(clippy::cast_precision_loss, reason = "small level counts")]
            point.push(level as f64 * spacing);
            signs.push(if up { delta } else { -delta });
        }
        unit.push(point.clone());
        let mut path = Vec::with_capacity(dim);
        for &j in &order {
            point[j] = (point[j] + signs[j]).clamp(0.0, 1.0);
            unit.push(point.clone());
            path.push((j, signs[j]));
        }
        moves.push(path);
    }
    let points = unit
        .iter()
        .map(|u| {
            params
                .parameters()
                .iter()
                .zip(u)
                .map(|(p, &x)| {
                    let value = p.prior.quantile(x);
                    if value.is_finite() {
                        value
                    } else {
                        p.prior.quantile(x.clamp(0.001, 0.999))
                    }
                })
                .collect()
        })
        .collect();
    Ok(MorrisDesign {
        trajectories,
        levels,
        unit,
        points,
        moves,
    })
}

/// Morris measures of one parameter for one output.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MorrisIndex {
    /// The parameter.
    pub parameter: String,
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
}

/// The Morris measures from the outputs of a [`MorrisDesign`]'s rows (in its order).
///
/// # Errors
/// [`MorrisError::OutputCount`].
pub fn morris_analyze(
    params: &ParameterSet,
    design: &MorrisDesign,
    outputs: &[f64],
) -> Result<Vec<MorrisIndex>, MorrisError> {
    let dim = params.len();
    let expected = design.trajectories * (dim + 1);
    if outputs.len() != expected || design.moves.iter().any(|m| m.len() != dim) {
        return Err(MorrisError::OutputCount {
            expected,
            found: outputs.len(),
        });
    }
    let mut effects = vec![Vec::with_capacity(design.trajectories); dim];
    for (t, path) in design.moves.iter().enumerate() {
        let start = t * (dim + 1);
        for (step, &(j, signed_delta)) in path.iter().enumerate() {
            let change = outputs[start + step + 1] - outputs[start + step];
            effects[j].push(change / signed_delta);
        }
    }
    Ok(params
        .parameters()
        .iter()
        .zip(effects)
        .map(|(p, ee)| {
            #[expect(clippy::cast_precision_loss, reason = "small trajectory counts")]
            let n = ee.len() as f64;
            let mu = ee.iter().sum::<f64>() / n;
            let mu_star = ee.iter().map(|e| e.abs()).sum::<f64>() / n;
            let sigma = (ee.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            MorrisIndex {
                parameter: p.name.clone(),
                mu,
                mu_star,
                sigma,
            }
        })
        .collect())
}

/// Writes `morris.csv`: `output,parameter,mu,mu_star,sigma` (`f64` in `{:?}` form).
///
/// # Errors
/// I/O errors of the writer.
pub fn write_morris_csv<W: Write>(
    results: &[(String, Vec<MorrisIndex>)],
    mut out: W,
) -> io::Result<()> {
    writeln!(out, "output,parameter,mu,mu_star,sigma")?;
    for (output, rows) in results {
        for r in rows {
            writeln!(
                out,
                "{output},{},{:?},{:?},{:?}",
                r.parameter, r.mu, r.mu_star, r.sigma
            )?;
        }
    }
    out.flush()
}
