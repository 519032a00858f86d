//! ABC-SMC (approximate Bayesian computation by sequential Monte Carlo), as pyABC runs it.
//!
//! - **Generation 0** draws proposals from the prior and accepts every one whose distance is
//!   finite (tolerance ε₀ = ∞), until the population holds `N` particles.
//! - **Tolerance.** From generation 1 on, εₜ is the weighted α-quantile (default α = 0.5, the
//!   median) of the previous population's distances, as pyABC's `QuantileEpsilon(weighted=True)`:
//!   the smallest distance whose cumulative normalised weight reaches α.
//! - **Kernel.** Proposals pick an ancestor by weight and perturb it with a multivariate normal
//!   whose covariance is the previous population's weighted covariance (reliability weights,
//!   divided by 1 − Σw², as `numpy.cov(aweights=w)`) times `h²`, with `h` from Silverman's rule
//!   of thumb on the effective sample size, `h = scale · (4 / (ESS (d + 2)))^(1/(d+4))`, as
//!   pyABC's `MultivariateNormalTransition` (its default `scaling = 1`). Perturbations outside
//!   the prior support are redrawn (they cost no model run). **A log-uniform parameter is
//!   perturbed on the log scale**, where its prior is uniform (as one declares a scale
//!   parameter in pyABC, a uniform prior on its log): in its own units the kernel would be
//!   fitted to the few particles at the top of a range spanning decades, while the prior density
//!   (∝ 1/x) favours the bottom, and the weights degenerate (the flagship's nine-parameter
//!   calibration fell to an effective sample size of 1.5 of 80 in its fifth generation). The
//!   weights then use the prior density of the log (the Jacobian `x`); the posterior is the same.
//! - **Acceptance** when the distance (the mean over `k` replicas, each with its own seed) is at
//!   or below εₜ; non-finite distances are never accepted.
//! - **Weights** `wᵢ ∝ π(θᵢ) / Σⱼ wⱼ K(θᵢ | θⱼ)`, normalised; `ESS = 1 / Σ wᵢ²`.
//! - **Stopping**, whichever comes first: a tolerance at or below `min_tolerance`, `max_generations`
//!   generations, the run budget, a tolerance that stopped falling, or an acceptance rate below
//!   `min_acceptance_rate`.
//!
//! **Budget.** Each replica of each proposal counts as one run. Proposals are evaluated in batches;
//! no batch is launched past the budget. A generation cut short (by the budget or the acceptance
//! floor) is kept as the final population if it holds at least half of `N` particles (its particles
//! are the accepted ones among an i.i.d. run of proposals, so they are an unbiased, smaller
//! population); otherwise the previous population is the posterior. A generation is not started
//! when the remaining budget, at the previous acceptance rate, is not expected to give half a
//! population.
//!
//! **Budget-only mode** (only `budget` set): `N = clamp(B / (10 k), min(30, B/k), 1000)` particles and
//! no generation limit. The reasoning: generation 0 costs `N` proposals and, with the median
//! tolerance, later generations accept about 50 % down to 20 %, so about `2.5 N`–`5 N` proposals each;
//! `B / 10` particles leave room for four or five generations, enough for the tolerance to fall by
//! a factor 10–30, while keeping at least 30 particles for a covariance and a usable ESS. Past 1000
//! particles, more generations are worth more than more particles.
//!
//! **Determinism.** Proposal `i` of generation `t` draws from a stream keyed by `(seed, t, i)`, and
//! replica `r` of it runs the model with the seed `key(seed, t, i, r)`. Batches have a size that
//! depends only on the population and acceptance history, never on the number of threads;
//! acceptance scans each batch in index order. So the posterior is bit-identical for any number
//! of rayon threads. Runs spent in a batch past the `N`-th acceptance still count in the budget.

use std::fmt;
use std::io::{self, Write};
use std::time::Instant;

use rayon::prelude::*;

use crate::params::ParameterSet;
use crate::rng::{Stream, key, standard_normal, stream, uniform_open};

/// A simulator seen through its distance to the data.
pub trait Model: Sync {
    /// The model's error.
    type Error: Send;

    /// Runs the model once at `theta` (in the order of the [`ParameterSet`]) with `seed` and
    /// returns its distance to the data. A non-finite distance is treated as a rejection.
    ///
    /// # Errors
    /// The model's error; it stops the calibration.
    fn distance(&self, theta: &[f64], seed: u64) -> Result<f64, Self::Error>;

    /// The distances of a batch of runs `(theta, seed)`, in the batch's order: by default
    /// [`Model::distance`] of each in parallel on the current rayon pool. A model whose runs
    /// are spread over processes (MPI ranks) overrides it; it must return what the default
    /// returns, run for run.
    fn distances(&self, runs: &[(&[f64], u64)]) -> Vec<Result<f64, Self::Error>> {
        runs.par_iter()
            .map(|&(theta, seed)| self.distance(theta, seed))
            .collect()
    }
}

impl<F, E> Model for F
where
    F: Fn(&[f64], u64) -> Result<f64, E> + Sync,
    E: Send,
{
    type Error = E;

    fn distance(&self, theta: &[f64], seed: u64) -> Result<f64, E> {
        self(theta, seed)
    }
}

/// Settings of an ABC-SMC run. `Default` gives seed 0, `k = 1`, α = 0.5, kernel scale 1, and no
/// limits (then 100 particles and 10 generations are used, see [`AbcConfig::plan`]).
#[derive(Clone, Debug, PartialEq)]
pub struct AbcConfig {
    /// The master seed.
    pub seed: u64,
    /// Population size `N`; chosen from the budget (or 100) when `None`.
    pub particles: Option<usize>,
    /// The most generations (generation 0 included).
    pub max_generations: Option<usize>,
    /// Stop once the tolerance is at or below this.
    pub min_tolerance: Option<f64>,
    /// The most model runs in all (each replica counts).
    pub budget: Option<u64>,
    /// Model runs per proposal, `k`; the distance is their mean.
    pub replicas: usize,
    /// The tolerance quantile α in (0, 1).
    pub quantile: f64,
    /// Multiplies Silverman's bandwidth.
    pub kernel_scale: f64,
    /// Stop when a generation's acceptance rate falls below this (default 0.001).
    pub min_acceptance_rate: f64,
    /// The smallest batch of proposals (default `max(8, N / 8)`).
    pub min_batch: Option<usize>,
}

impl Default for AbcConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            particles: None,
            max_generations: None,
            min_tolerance: None,
            budget: None,
            replicas: 1,
            quantile: 0.5,
            kernel_scale: 1.0,
            min_acceptance_rate: 0.001,
            min_batch: None,
        }
    }
}

/// The limits an [`AbcConfig`] resolves to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AbcPlan {
    /// Population size.
    pub particles: usize,
    /// The most generations, if limited.
    pub max_generations: Option<usize>,
    /// The tolerance to stop at (0 when not set).
    pub min_tolerance: f64,
    /// The most runs, if limited.
    pub budget: Option<u64>,
    /// The smallest batch of proposals.
    pub min_batch: usize,
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The tolerance reached `min_tolerance`.
    MinTolerance,
    /// `max_generations` generations ran.
    MaxGenerations,
    /// The run budget is spent (or too little is left for another generation).
    Budget,
    /// The tolerance did not fall between two generations.
    ToleranceStalled,
    /// A generation's acceptance rate fell below `min_acceptance_rate`.
    LowAcceptance,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MinTolerance => "minimum tolerance reached",
            Self::MaxGenerations => "generation limit reached",
            Self::Budget => "run budget spent",
            Self::ToleranceStalled => "tolerance stopped falling",
            Self::LowAcceptance => "acceptance rate below the floor",
        })
    }
}

/// What can go wrong in a run.
#[derive(Debug, thiserror::Error)]
pub enum AbcError<E> {
    /// Invalid settings.
    #[error("invalid calibration settings: {0}")]
    Config(String),
    /// The model failed.
    #[error(
        "model run failed (generation {generation}, proposal {proposal}, replica {replica}): {error}"
    )]
    Model {
        /// Generation.
        generation: usize,
        /// Proposal index in the generation.
        proposal: u64,
        /// Replica.
        replica: usize,
        /// The model's error.
        error: E,
    },
    /// A model's batch of runs ([`Model::distances`]) returned fewer distances than runs.
    #[error("generation {generation}: the model returned fewer distances than runs")]
    MissingRuns {
        /// Generation.
        generation: usize,
    },
    /// The kernel found no point inside the prior support in many tries.
    #[error("generation {generation}: 10000 kernel draws in a row fell outside the prior support")]
    KernelStuck {
        /// Generation.
        generation: usize,
    },
    /// Generation 0 did not fill half a population (budget too small or distances not finite).
    #[error(
        "generation 0 accepted only {accepted} of {proposals} prior draws (distances not finite, \
         or the budget is too small); at least {needed} are needed"
    )]
    NoPopulation {
        /// Accepted.
        accepted: usize,
        /// Proposals evaluated.
        proposals: u64,
        /// Needed.
        needed: usize,
    },
}

/// One weighted particle.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    /// Parameter values, in the order of [`Posterior::parameters`].
    pub theta: Vec<f64>,
    /// Normalised importance weight.
    pub weight: f64,
    /// Its distance (mean over replicas).
    pub distance: f64,
}

/// A weighted sample from the (ABC) posterior.
#[derive(Clone, Debug, PartialEq)]
pub struct Posterior {
    /// Parameter names, in the order of each particle's `theta`.
    pub parameters: Vec<String>,
    /// The particles; weights sum to 1.
    pub particles: Vec<Particle>,
}

/// Statistics of one generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// Index, from 0.
    pub generation: usize,
    /// Its tolerance ε (∞ for generation 0).
    pub tolerance: f64,
    /// Particles accepted.
    pub accepted: usize,
    /// Model runs spent (proposals × k, including those past the last acceptance).
    pub runs: u64,
    /// Effective sample size of its weights.
    pub ess: f64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
}

/// The outcome of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct AbcResult {
    /// The final population.
    pub posterior: Posterior,
    /// Per-generation statistics, including a last generation cut short and discarded (then its
    /// `accepted` is below half the population and it is not the posterior).
    pub generations: Vec<Generation>,
    /// Model runs in all.
    pub runs: u64,
    /// Why it stopped.
    pub stop: StopReason,
    /// The resolved limits.
    pub plan: AbcPlan,
}

impl AbcConfig {
    /// Resolves defaults: population size (from the budget in budget-only mode), generation limit,
    /// smallest batch.
    ///
    /// # Errors
    /// A message when a setting is out of range or the budget cannot pay for one generation.
    pub fn plan(&self) -> Result<AbcPlan, String> {
        if self.replicas == 0 {
            return Err("replicas must be at least 1".into());
        }
        if !(self.quantile > 0.0 && self.quantile < 1.0) {
            return Err(format!(
                "the tolerance quantile must be in (0, 1), found {}",
                self.quantile
            ));
        }
        if !(self.kernel_scale > 0.0 && self.kernel_scale.is_finite()) {
            return Err(format!(
                "the kernel scale must be above 0, found {}",
                self.kernel_scale
            ));
        }
        if let Some(eps) = self.min_tolerance
            && (eps.is_nan() || eps < 0.0)
        {
            return Err(format!(
                "the minimum tolerance must be at or above 0, found {eps}"
            ));
        }
        if self.max_generations == Some(0) {
            return Err("generations must be at least 1".into());
        }
        let k = self.replicas as u64;
        let particles = match (self.particles, self.budget) {
            (Some(n), _) => n,
            (None, Some(budget)) => {
                let proposals = usize::try_from(budget / k).unwrap_or(usize::MAX);
                (proposals / 10).clamp(proposals.min(30), 1000)
            }
            (None, None) => 100,
        };
        if particles < 2 {
            return Err(format!(
                "the population needs at least 2 particles, found {particles}"
            ));
        }
        if let Some(budget) = self.budget
            && budget < particles as u64 * k
        {
            return Err(format!(
                "a budget of {budget} runs cannot pay for one generation of {particles} particles \
                 × {k} replicas"
            ));
        }
        let max_generations = match self.max_generations {
            Some(g) => Some(g),
            None if self.budget.is_some() || self.min_tolerance.is_some() => None,
            None => Some(10),
        };
        Ok(AbcPlan {
            particles,
            max_generations,
            min_tolerance: self.min_tolerance.unwrap_or(0.0),
            budget: self.budget,
            min_batch: self.min_batch.unwrap_or((particles / 8).max(8)).max(1),
        })
    }
}

/// Stream tags.
const PROPOSAL: u64 = 0x5052_4f50;
const MODEL_RUN: u64 = 0x5255_4e53;
const RESAMPLE: u64 = 0x5245_5341;

/// The model seed of replica `replica` of proposal `proposal` in generation `generation`.
#[must_use]
pub fn run_seed(seed: u64, generation: usize, proposal: u64, replica: usize) -> u64 {
    key(
        seed,
        &[MODEL_RUN, generation as u64, proposal, replica as u64],
    )
}

/// The multivariate normal perturbation kernel.
struct Kernel {
    /// Lower Cholesky factor of the covariance, row-major d×d.
    chol: Vec<f64>,
    dim: usize,
    /// The population's particles in the kernel's coordinates ([`to_kernel`]), in order.
    points: Vec<Vec<f64>>,
}

/// The kernel's coordinates of `theta`: the log of a parameter on the log scale
/// ([`crate::params::Prior::on_log_scale`]), else its value.
fn to_kernel(params: &ParameterSet, theta: &[f64]) -> Vec<f64> {
    params
        .parameters()
        .iter()
        .zip(theta)
        .map(|(p, &x)| if p.prior.on_log_scale() { x.ln() } else { x })
        .collect()
}

/// The parameter values of the kernel's coordinates `z` (the inverse of [`to_kernel`]).
fn from_kernel(params: &ParameterSet, z: &[f64]) -> Vec<f64> {
    params
        .parameters()
        .iter()
        .zip(z)
        .map(|(p, &x)| if p.prior.on_log_scale() { x.exp() } else { x })
        .collect()
}

/// Natural log of the prior density of the kernel's coordinates at `theta`: the prior's
/// density times the Jacobian `x` of each coordinate on the log scale.
fn ln_prior_kernel(params: &ParameterSet, theta: &[f64]) -> f64 {
    let jacobian: f64 = params
        .parameters()
        .iter()
        .zip(theta)
        .filter(|(p, _)| p.prior.on_log_scale())
        .map(|(_, &x)| x.ln())
        .sum();
    params.ln_pdf(theta) + jacobian
}

impl Kernel {
    fn new(params: &ParameterSet, population: &[Particle], scale: f64) -> Self {
        let dim = params.len();
        let weights: Vec<f64> = population.iter().map(|p| p.weight).collect();
        let points: Vec<Vec<f64>> = population
            .iter()
            .map(|p| to_kernel(params, &p.theta))
            .collect();
        let mean: Vec<f64> = (0..dim)
            .map(|a| {
                population
                    .iter()
                    .zip(&points)
                    .map(|(p, z)| p.weight * z[a])
                    .sum()
            })
            .collect();
        let sum_sq: f64 = weights.iter().map(|w| w * w).sum();
        let correction = if sum_sq < 1.0 {
            1.0 / (1.0 - sum_sq)
        } else {
            1.0
        };
        let ess = 1.0 / sum_sq;
        let d = dim as f64;
        let bandwidth = scale * (4.0 / (ess * (d + 2.0))).powf(1.0 / (d + 4.0));
        let mut cov = vec![0.0; dim * dim];
        for a in 0..dim {
            for b in 0..=a {
                let c: f64 = population
                    .iter()
                    .zip(&points)
                    .map(|(p, z)| p.weight * (z[a] - mean[a]) * (z[b] - mean[b]))
                    .sum();
                let c = c * correction * bandwidth * bandwidth;
                cov[a * dim + b] = c;
                cov[b * dim + a] = c;
            }
        }
        // A ridge relative to the prior's spread keeps the factorisation defined when particles
        // coincide; it grows until the factorisation succeeds.
        let prior_var: Vec<f64> = params
            .parameters()
            .iter()
            .map(|p| p.prior.kernel_variance())
            .collect();
        let mut ridge = 1e-12;
        loop {
            let mut trial = cov.clone();
            for a in 0..dim {
                trial[a * dim + a] += ridge * prior_var[a];
            }
            if let Some(chol) = cholesky(&trial, dim) {
                return Self { chol, dim, points };
            }
            ridge *= 100.0;
        }
    }

    /// `mean + L z` with `z` standard normal.
    fn perturb(&self, mean: &[f64], rng: &mut Stream) -> Vec<f64> {
        let z: Vec<f64> = (0..self.dim).map(|_| standard_normal(rng)).collect();
        (0..self.dim)
            .map(|a| {
                mean[a]
                    + (0..=a)
                        .map(|b| self.chol[a * self.dim + b] * z[b])
                        .sum::<f64>()
            })
            .collect()
    }

    /// `L⁻¹ x` (forward substitution).
    fn whiten(&self, x: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; self.dim];
        for a in 0..self.dim {
            let partial: f64 = (0..a).map(|b| self.chol[a * self.dim + b] * y[b]).sum();
            y[a] = (x[a] - partial) / self.chol[a * self.dim + a];
        }
        y
    }
}

/// Cholesky factor of a symmetric matrix, `None` unless positive definite.
fn cholesky(matrix: &[f64], dim: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; dim * dim];
    for a in 0..dim {
        for b in 0..=a {
            let partial: f64 = (0..b).map(|c| l[a * dim + c] * l[b * dim + c]).sum();
            if a == b {
                let diag = matrix[a * dim + a] - partial;
                if !(diag > 0.0 && diag.is_finite()) {
                    return None;
                }
                l[a * dim + a] = diag.sqrt();
            } else {
                l[a * dim + b] = (matrix[a * dim + b] - partial) / l[b * dim + b];
            }
        }
    }
    Some(l)
}

/// The weighted α-quantile of the distances: the smallest with cumulative weight ≥ α.
fn weighted_quantile(population: &[Particle], alpha: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = population.iter().map(|p| (p.distance, p.weight)).collect();
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut cumulative = 0.0;
    for &(distance, weight) in &pairs {
        cumulative += weight / total;
        if cumulative >= alpha - 1e-12 {
            return distance;
        }
    }
    pairs.last().map_or(f64::INFINITY, |p| p.0)
}

/// Effective sample size of normalised weights.
fn ess(population: &[Particle]) -> f64 {
    1.0 / population.iter().map(|p| p.weight * p.weight).sum::<f64>()
}

/// Picks an index by weight (cumulative weights, last = 1).
fn pick(cumulative: &[f64], rng: &mut Stream) -> usize {
    let u = uniform_open(rng) * cumulative.last().copied().unwrap_or(1.0);
    cumulative
        .partition_point(|&c| c < u)
        .min(cumulative.len() - 1)
}

struct Proposal {
    theta: Vec<f64>,
    distance: f64,
}

/// Runs ABC-SMC. Use a rayon pool (`ThreadPool::install`) to set the number of threads.
///
/// # Errors
/// [`AbcError`]: bad settings, a model error (the first in proposal order), or no population.
pub fn run<M: Model>(
    params: &ParameterSet,
    model: &M,
    config: &AbcConfig,
) -> Result<AbcResult, AbcError<M::Error>> {
    run_with_progress(params, model, config, |_| {})
}

/// [`run`], calling `progress` after each generation.
///
/// # Errors
/// As [`run`].
#[expect(
    clippy::too_many_lines,
    reason = "the generation loop reads best in one piece"
)]
pub fn run_with_progress<M: Model>(
    params: &ParameterSet,
    model: &M,
    config: &AbcConfig,
    mut progress: impl FnMut(&Generation),
) -> Result<AbcResult, AbcError<M::Error>> {
    let plan = config.plan().map_err(AbcError::Config)?;
    let n = plan.particles;
    let k = config.replicas;
    let k64 = k as u64;
    let half = n.div_ceil(2).max(2);
    let mut generations: Vec<Generation> = Vec::new();
    let mut population: Vec<Particle> = Vec::new();
    let mut runs: u64 = 0;
    let mut previous_acceptance = 1.0_f64;
    let mut previous_tolerance = f64::INFINITY;
    let mut t = 0_usize;
    let stop = loop {
        if let Some(limit) = plan.max_generations
            && t >= limit
        {
            break StopReason::MaxGenerations;
        }
        let remaining_proposals = plan.budget.map(|b| (b - runs.min(b)) / k64);
        if t > 0
            && let Some(left) = remaining_proposals
        {
            #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            let expected = left as f64 * previous_acceptance;
            if expected < half as f64 {
                break StopReason::Budget;
            }
        }
        let started = Instant::now();
        let tolerance = if t == 0 {
            f64::INFINITY
        } else {
            weighted_quantile(&population, config.quantile)
        };
        if t > 1 && tolerance >= previous_tolerance {
            break StopReason::ToleranceStalled;
        }
        let kernel = (t > 0).then(|| Kernel::new(params, &population, config.kernel_scale));
        let cumulative: Vec<f64> = population
            .iter()
            .scan(0.0, |acc, p| {
                *acc += p.weight;
                Some(*acc)
            })
            .collect();
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let max_proposals = (n as f64 / config.min_acceptance_rate).ceil().min(1e15) as u64;
        let mut accepted: Vec<Proposal> = Vec::with_capacity(n);
        let mut proposals: u64 = 0;
        let mut cut_short = None;
        // Proposals up to and including the N-th acceptance (the acceptance rate's denominator).
        let mut proposals_to_fill: u64 = 0;
        while accepted.len() < n {
            let left_budget = remaining_proposals.map_or(u64::MAX, |r| r - proposals);
            if left_budget == 0 {
                cut_short = Some(StopReason::Budget);
                break;
            }
            if proposals >= max_proposals {
                cut_short = Some(StopReason::LowAcceptance);
                break;
            }
            let rate = if accepted.is_empty() {
                if t == 0 { 1.0 } else { previous_acceptance }
            } else {
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                let r = accepted.len() as f64 / proposals_to_fill as f64;
                r
            };
            #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            let needed = ((n - accepted.len()) as f64 / rate.max(1e-6))
                .ceil()
                .min(1e12) as u64;
            let batch = needed
                .max(plan.min_batch as u64)
                .min(left_budget)
                .min(max_proposals - proposals);
            let start = proposals;
            // The batch's parameter vectors first (cheap, in parallel), then all its model runs
            // in one call, so that a model can spread them over processes.
            let thetas: Vec<Result<Vec<f64>, AbcError<M::Error>>> = (start..start + batch)
                .into_par_iter()
                .map(|index| {
                    let mut rng = stream(config.seed, &[PROPOSAL, t as u64, index]);
                    match &kernel {
                        None => Ok(params.sample(&mut rng)),
                        Some(kernel) => {
                            let mut tries = 0;
                            loop {
                                let ancestor = &kernel.points[pick(&cumulative, &mut rng)];
                                let theta =
                                    from_kernel(params, &kernel.perturb(ancestor, &mut rng));
                                if params.contains(&theta) {
                                    break Ok(theta);
                                }
                                tries += 1;
                                if tries >= 10_000 {
                                    return Err(AbcError::KernelStuck { generation: t });
                                }
                            }
                        }
                    }
                })
                .collect();
            let distances = {
                let runs: Vec<(&[f64], u64)> = (start..)
                    .zip(&thetas)
                    .filter_map(|(index, theta)| Some((index, theta.as_ref().ok()?)))
                    .flat_map(|(index, theta)| {
                        (0..k).map(move |replica| {
                            (theta.as_slice(), run_seed(config.seed, t, index, replica))
                        })
                    })
                    .collect();
                model.distances(&runs)
            };
            let mut distances = distances.into_iter();
            let mut results: Vec<Result<Proposal, AbcError<M::Error>>> =
                Vec::with_capacity(thetas.len());
            for (index, theta) in (start..).zip(thetas) {
                let theta = match theta {
                    Ok(theta) => theta,
                    Err(error) => {
                        results.push(Err(error));
                        continue;
                    }
                };
                let mut total = 0.0;
                let mut failure = None;
                for replica in 0..k {
                    match distances.next() {
                        Some(Ok(d)) => total += d,
                        Some(Err(error)) => {
                            if failure.is_none() {
                                failure = Some(AbcError::Model {
                                    generation: t,
                                    proposal: index,
                                    replica,
                                    error,
                                });
                            }
                        }
                        None => failure = failure.or(Some(AbcError::MissingRuns { generation: t })),
                    }
                }
                if let Some(error) = failure {
                    results.push(Err(error));
                    continue;
                }
                #[expect(clippy::cast_precision_loss, reason = "small replica counts")]
                let distance = total / k as f64;
                let distance = if distance.is_finite() {
                    distance
                } else {
                    f64::INFINITY
                };
                results.push(Ok(Proposal { theta, distance }));
            }
            proposals += batch;
            runs += batch * k64;
            for result in results {
                let proposal = result?;
                if accepted.len() < n {
                    proposals_to_fill += 1;
                    if proposal.distance <= tolerance && proposal.distance.is_finite() {
                        accepted.push(proposal);
                    }
                }
            }
        }
        let weights = if t == 0 || cut_short.is_some() && accepted.len() < half {
            #[expect(
                clippy::cast_precision_loss,
                reason = "population sizes far below 2^52"
            )]
            let w = 1.0 / accepted.len().max(1) as f64;
            vec![w; accepted.len()]
        } else {
            importance_weights(params, &population, kernel.as_ref(), &accepted)
        };
        let new_population: Vec<Particle> = accepted
            .into_iter()
            .zip(weights)
            .map(|(p, weight)| Particle {
                theta: p.theta,
                weight,
                distance: p.distance,
            })
            .collect();
        let record = Generation {
            generation: t,
            tolerance,
            accepted: new_population.len(),
            runs: proposals * k64,
            ess: if new_population.is_empty() {
                0.0
            } else {
                ess(&new_population)
            },
            wall_seconds: started.elapsed().as_secs_f64(),
        };
        progress(&record);
        generations.push(record);
        if let Some(reason) = cut_short {
            if new_population.len() >= half {
                population = new_population;
            } else if t == 0 {
                return Err(AbcError::NoPopulation {
                    accepted: new_population.len(),
                    proposals,
                    needed: half,
                });
            }
            break reason;
        }
        population = new_population;
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let rate = n as f64 / proposals_to_fill as f64;
        previous_acceptance = rate;
        previous_tolerance = tolerance;
        t += 1;
        let current = if t == 1 {
            weighted_quantile(&population, 1.0)
        } else {
            tolerance
        };
        if current <= plan.min_tolerance {
            break StopReason::MinTolerance;
        }
    };
    Ok(AbcResult {
        posterior: Posterior {
            parameters: params.names().map(str::to_owned).collect(),
            particles: population,
        },
        generations,
        runs,
        stop,
        plan,
    })
}

/// `wᵢ ∝ π(θᵢ) / Σⱼ wⱼ K(θᵢ | θⱼ)`, normalised, computed in logs, on the kernel's scale (the
/// prior density there includes the Jacobian of the log coordinates).
fn importance_weights(
    params: &ParameterSet,
    previous: &[Particle],
    kernel: Option<&Kernel>,
    accepted: &[Proposal],
) -> Vec<f64> {
    let Some(kernel) = kernel else {
        #[expect(
            clippy::cast_precision_loss,
            reason = "population sizes far below 2^52"
        )]
        let w = 1.0 / accepted.len() as f64;
        return vec![w; accepted.len()];
    };
    // The kernel was built from `previous`: its points are theirs.
    let whitened_previous: Vec<Vec<f64>> = kernel.points.iter().map(|z| kernel.whiten(z)).collect();
    let ln_previous_weights: Vec<f64> = previous.iter().map(|p| p.weight.ln()).collect();
    let ln_weights: Vec<f64> = accepted
        .par_iter()
        .map(|proposal| {
            let y = kernel.whiten(&to_kernel(params, &proposal.theta));
            let terms: Vec<f64> = whitened_previous
                .iter()
                .zip(&ln_previous_weights)
                .map(|(x, ln_w)| {
                    let q: f64 = y.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum();
                    ln_w - 0.5 * q
                })
                .collect();
            ln_prior_kernel(params, &proposal.theta) - log_sum_exp(&terms)
        })
        .collect();
    let max = ln_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let raw: Vec<f64> = ln_weights.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / total).collect()
}

fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

impl Posterior {
    /// `n` parameter vectors drawn with replacement by weight (multinomial resampling), from a
    /// stream keyed by `seed`: the draws for forecasts from the posterior.
    #[must_use]
    pub fn sample(&self, n: usize, seed: u64) -> Vec<Vec<f64>> {
        if self.particles.is_empty() {
            return Vec::new();
        }
        let cumulative: Vec<f64> = self
            .particles
            .iter()
            .scan(0.0, |acc, p| {
                *acc += p.weight;
                Some(*acc)
            })
            .collect();
        let mut rng = stream(seed, &[RESAMPLE]);
        (0..n)
            .map(|_| self.particles[pick(&cumulative, &mut rng)].theta.clone())
            .collect()
    }

    /// Weighted mean of each parameter.
    #[must_use]
    pub fn mean(&self) -> Vec<f64> {
        let total: f64 = self.particles.iter().map(|p| p.weight).sum();
        (0..self.parameters.len())
            .map(|a| {
                self.particles
                    .iter()
                    .map(|p| p.weight * p.theta[a])
                    .sum::<f64>()
                    / total
            })
            .collect()
    }

    /// Weighted standard deviation of each parameter (weights as probabilities, no correction).
    #[must_use]
    pub fn sd(&self) -> Vec<f64> {
        let total: f64 = self.particles.iter().map(|p| p.weight).sum();
        self.mean()
            .iter()
            .enumerate()
            .map(|(a, m)| {
                let v: f64 = self
                    .particles
                    .iter()
                    .map(|p| p.weight * (p.theta[a] - m).powi(2))
                    .sum();
                (v / total).sqrt()
            })
            .collect()
    }

    /// Weighted quantile `q` of parameter `index` (smallest value with cumulative weight ≥ q).
    #[must_use]
    pub fn quantile(&self, index: usize, q: f64) -> f64 {
        let mut pairs: Vec<(f64, f64)> = self
            .particles
            .iter()
            .map(|p| (p.theta[index], p.weight))
            .collect();
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        let mut cumulative = 0.0;
        for &(value, weight) in &pairs {
            cumulative += weight / total;
            if cumulative >= q - 1e-12 {
                return value;
            }
        }
        pairs.last().map_or(f64::NAN, |p| p.0)
    }

    /// Effective sample size, `1 / Σ w²` (weights normalised).
    #[must_use]
    pub fn ess(&self) -> f64 {
        let total: f64 = self.particles.iter().map(|p| p.weight).sum();
        1.0 / self
            .particles
            .iter()
            .map(|p| (p.weight / total).powi(2))
            .sum::<f64>()
    }

    /// Writes `posterior.csv`: `particle,weight,<parameter>...,distance`, one row per particle;
    /// `particle` is an integer from 0, every other column an `f64` in Rust's shortest round-trip
    /// form with a decimal point or exponent (`{:?}`: `0.25`, `1.0`, `3e-7`, `inf`), so reading the
    /// file back gives the same bits.
    ///
    /// # Errors
    /// I/O errors of the writer.
    pub fn write_csv<W: Write>(&self, mut out: W) -> io::Result<()> {
        write!(out, "particle,weight")?;
        for name in &self.parameters {
            write!(out, ",{name}")?;
        }
        writeln!(out, ",distance")?;
        for (i, p) in self.particles.iter().enumerate() {
            write!(out, "{i},{:?}", p.weight)?;
            for value in &p.theta {
                write!(out, ",{value:?}")?;
            }
            writeln!(out, ",{:?}", p.distance)?;
        }
        out.flush()
    }

    /// Reads a `posterior.csv` written by [`Posterior::write_csv`] (or by hand: weights need only
    /// be non-negative with a positive sum; they are normalised unless they already sum to 1 within
    /// 1e-9, so that a written posterior reads back bit for bit).
    ///
    /// # Errors
    /// A [`PosteriorReadError`] with the file, line, column, expected and found.
    pub fn read_csv(text: &str, origin: &str) -> Result<Self, PosteriorReadError> {
        let error = |line: u64, column: &str, expected: &str, found: &str| PosteriorReadError {
            origin: origin.to_owned(),
            line,
            column: column.to_owned(),
            expected: expected.to_owned(),
            found: found.to_owned(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| error(1, "header", "a CSV header", &e.to_string()))?
            .clone();
        let names: Vec<&str> = header.iter().collect();
        let columns = names.len();
        if columns < 4
            || names[0] != "particle"
            || names[1] != "weight"
            || names[columns - 1] != "distance"
        {
            return Err(error(
                1,
                "header",
                "particle,weight,<parameter>...,distance with at least one parameter",
                &names.join(","),
            ));
        }
        let parameters: Vec<String> = names[2..columns - 1]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        for (i, name) in parameters.iter().enumerate() {
            if name.is_empty() || parameters[..i].contains(name) {
                return Err(error(
                    1,
                    name,
                    "distinct non-empty parameter names",
                    &names.join(","),
                ));
            }
        }
        let mut particles = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                error(line, "row", &format!("{columns} fields"), &e.to_string())
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            let number = |index: usize| -> Result<f64, PosteriorReadError> {
                let field = record.get(index).unwrap_or("");
                field
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| error(line, names[index], "a number", field))
            };
            let particle = record.get(0).unwrap_or("");
            if particle.trim().parse::<u64>().is_err() {
                return Err(error(line, "particle", "a non-negative integer", particle));
            }
            let weight = number(1)?;
            if !(weight >= 0.0 && weight.is_finite()) {
                return Err(error(
                    line,
                    "weight",
                    "a finite weight at or above 0",
                    &weight.to_string(),
                ));
            }
            let mut theta = Vec::with_capacity(parameters.len());
            for (index, name) in names.iter().enumerate().take(columns - 1).skip(2) {
                let value = number(index)?;
                if !value.is_finite() {
                    return Err(error(line, name, "a finite number", &value.to_string()));
                }
                theta.push(value);
            }
            let distance = number(columns - 1)?;
            particles.push(Particle {
                theta,
                weight,
                distance,
            });
        }
        let total: f64 = particles.iter().map(|p| p.weight).sum();
        if particles.is_empty() || total.is_nan() || total <= 0.0 {
            return Err(error(
                1,
                "weight",
                "at least one particle with a positive weight",
                "none",
            ));
        }
        // Files written by `write_csv` sum to 1 up to rounding and are kept bit for bit.
        if (total - 1.0).abs() > 1e-9 {
            for particle in &mut particles {
                particle.weight /= total;
            }
        }
        Ok(Self {
            parameters,
            particles,
        })
    }
}

/// A located error in a posterior file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}: column `{column}`: expected {expected}, found `{found}`")]
pub struct PosteriorReadError {
    /// The file.
    pub origin: String,
    /// 1-based line.
    pub line: u64,
    /// The column's name (or `header`/`row`).
    pub column: String,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub found: String,
}

/// Writes `generations.csv`: `generation,tolerance,accepted,runs,ess,wall_seconds`; integers for
/// `generation`, `accepted`, `runs`, and `f64` in `{:?}` form for the rest (generation 0's
/// tolerance is `inf`).
///
/// # Errors
/// I/O errors of the writer.
pub fn write_generations_csv<W: Write>(generations: &[Generation], mut out: W) -> io::Result<()> {
    writeln!(out, "generation,tolerance,accepted,runs,ess,wall_seconds")?;
    for g in generations {
        writeln!(
            out,
            "{},{:?},{},{},{:?},{:?}",
            g.generation, g.tolerance, g.accepted, g.runs, g.ess, g.wall_seconds
        )?;
    }
    out.flush()
}
