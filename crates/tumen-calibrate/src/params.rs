//! Uncertain parameters, their priors, and the TOML spec that declares them.
//!
//! The spec format is documented at the crate root ([`crate`]).

use std::collections::HashMap;
use std::f64::consts::{PI, SQRT_2};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::rng::{Stream, uniform_open};

/// The standard normal density.
#[must_use]
pub fn normal_pdf(z: f64) -> f64 {
    if z.is_infinite() {
        return 0.0;
    }
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// The standard normal distribution function Φ.
#[must_use]
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / SQRT_2)
}

/// The standard normal quantile function Φ⁻¹ (−∞ at 0, +∞ at 1).
#[must_use]
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    -SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

/// `z·φ(z)`, taken as 0 at ±∞.
fn z_pdf(z: f64) -> f64 {
    if z.is_infinite() {
        0.0
    } else {
        z * normal_pdf(z)
    }
}

/// A prior distribution of one parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Prior {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower bound (finite).
        low: f64,
        /// Upper bound (finite, above `low`).
        high: f64,
    },
    /// Log-uniform on `[low, high]`: `ln x` is uniform on `[ln low, ln high]`.
    LogUniform {
        /// Lower bound (above 0).
        low: f64,
        /// Upper bound (finite, above `low`).
        high: f64,
    },
    /// Normal with mean `mean` and standard deviation `sd`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (above 0).
        sd: f64,
    },
    /// A normal `N(mean, sd²)` restricted to `[low, high]` (either bound may be infinite).
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal (above 0).
        sd: f64,
        /// Lower bound.
        low: f64,
        /// Upper bound (above `low`).
        high: f64,
    },
}

/// Why a prior is invalid.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PriorError {
    /// A bound or moment is NaN or infinite where it must be finite.
    #[error("{what} must be a finite number, found {found}")]
    NotFinite {
        /// Which number.
        what: &'static str,
        /// Its value.
        found: f64,
    },
    /// `low >= high`.
    #[error("low ({low}) must be below high ({high})")]
    EmptyRange {
        /// The lower bound.
        low: f64,
        /// The upper bound.
        high: f64,
    },
    /// `sd <= 0`.
    #[error("sd must be above 0, found {0}")]
    NonPositiveSd(f64),
    /// Log-uniform with `low <= 0`.
    #[error("a log-uniform prior needs low above 0, found {0}")]
    NonPositiveLogLow(f64),
    /// A truncated normal whose interval holds (numerically) no probability.
    #[error("the truncation interval [{low}, {high}] holds no probability of N({mean}, {sd}²)")]
    NegligibleMass {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

impl Prior {
    /// Checks the prior's numbers (bounds ordered, sd above 0, finite where needed).
    ///
    /// # Errors
    /// A [`PriorError`] naming what is wrong.
    pub fn validate(&self) -> Result<(), PriorError> {
        let finite = |what, x: f64| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(PriorError::NotFinite { what, found: x })
            }
        };
        let ordered = |low: f64, high: f64| {
            if low < high {
                Ok(())
            } else {
                Err(PriorError::EmptyRange { low, high })
            }
        };
        let positive_sd = |sd: f64| {
            if sd > 0.0 {
                Ok(())
            } else {
                Err(PriorError::NonPositiveSd(sd))
            }
        };
        match *self {
            Self::Uniform { low, high } => {
                finite("low", low)?;
                finite("high", high)?;
                ordered(low, high)
            }
            Self::LogUniform { low, high } => {
                finite("low", low)?;
                finite("high", high)?;
                if low <= 0.0 {
                    return Err(PriorError::NonPositiveLogLow(low));
                }
                ordered(low, high)
            }
            Self::Normal { mean, sd } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                positive_sd(sd)
            }
            Self::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                positive_sd(sd)?;
                if low.is_nan() || high.is_nan() {
                    return Err(PriorError::NotFinite {
                        what: "low/high",
                        found: f64::NAN,
                    });
                }
                ordered(low, high)?;
                if self.truncated_mass() > 0.0 {
                    Ok(())
                } else {
                    Err(PriorError::NegligibleMass {
                        mean,
                        sd,
                        low,
                        high,
                    })
                }
            }
        }
    }

    /// Standardised bounds and probability mass of a truncated normal (0s for other priors).
    fn truncation(&self) -> (f64, f64, f64) {
        match *self {
            Self::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                let alpha = (low - mean) / sd;
                let beta = (high - mean) / sd;
                // The upper tail is computed by reflection, for precision.
                let mass = if alpha > 0.0 {
                    normal_cdf(-alpha) - normal_cdf(-beta)
                } else {
                    normal_cdf(beta) - normal_cdf(alpha)
                };
                (alpha, beta, mass)
            }
            _ => (0.0, 0.0, 0.0),
        }
    }

    fn truncated_mass(&self) -> f64 {
        self.truncation().2
    }

    /// The support `[low, high]` (infinite ends for normal priors).
    #[must_use]
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Self::Uniform { low, high }
            | Self::LogUniform { low, high }
            | Self::TruncatedNormal { low, high, .. } => (low, high),
            Self::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// Whether the ABC kernel perturbs this parameter on the log scale, where its prior is
    /// uniform (log-uniform priors).
    #[must_use]
    pub fn on_log_scale(&self) -> bool {
        matches!(self, Self::LogUniform { .. })
    }

    /// The prior's variance on the kernel's scale (of `ln x` for a log-uniform prior, where it
    /// is uniform; of `x` otherwise).
    #[must_use]
    pub fn kernel_variance(&self) -> f64 {
        match *self {
            Self::LogUniform { low, high } => (high / low).ln().powi(2) / 12.0,
            _ => self.sd().powi(2),
        }
    }

    /// Whether `x` lies in the support (bounds included).
    #[must_use]
    pub fn contains(&self, x: f64) -> bool {
        let (low, high) = self.support();
        !x.is_nan() && x >= low && x <= high && x.is_finite()
    }

    /// Natural log of the density at `x` (−∞ outside the support).
    #[must_use]
    pub fn ln_pdf(&self, x: f64) -> f64 {
        if !self.contains(x) {
            return f64::NEG_INFINITY;
        }
        match *self {
            Self::Uniform { low, high } => -(high - low).ln(),
            Self::LogUniform { low, high } => -x.ln() - (high / low).ln().ln(),
            Self::Normal { mean, sd } => {
                let z = (x - mean) / sd;
                -0.5 * z * z - sd.ln() - 0.5 * (2.0 * PI).ln()
            }
            Self::TruncatedNormal { mean, sd, .. } => {
                let z = (x - mean) / sd;
                -0.5 * z * z - sd.ln() - 0.5 * (2.0 * PI).ln() - self.truncated_mass().ln()
            }
        }
    }

    /// The distribution function at `x`.
    #[must_use]
    pub fn cdf(&self, x: f64) -> f64 {
        let (low, high) = self.support();
        if x <= low {
            return if x < low { 0.0 } else { self.cdf_inside(x) };
        }
        if x >= high {
            return 1.0;
        }
        self.cdf_inside(x)
    }

    fn cdf_inside(&self, x: f64) -> f64 {
        match *self {
            Self::Uniform { low, high } => (x - low) / (high - low),
            Self::LogUniform { low, high } => (x / low).ln() / (high / low).ln(),
            Self::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Self::TruncatedNormal { mean, sd, .. } => {
                let (alpha, _, mass) = self.truncation();
                let z = (x - mean) / sd;
                let below = if alpha > 0.0 {
                    normal_cdf(-alpha) - normal_cdf(-z)
                } else {
                    normal_cdf(z) - normal_cdf(alpha)
                };
                (below / mass).clamp(0.0, 1.0)
            }
        }
    }

    /// The quantile function (inverse distribution function) at `u` in `[0, 1]`.
    ///
    /// Normal priors give ±∞ at 0 and 1; bounded priors give their bounds.
    #[must_use]
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Self::Uniform { low, high } => (low + u * (high - low)).min(high),
            Self::LogUniform { low, high } => (low * (high / low).powf(u)).clamp(low, high),
            Self::Normal { mean, sd } => mean + sd * normal_quantile(u),
            Self::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                let (alpha, beta, mass) = self.truncation();
                let z = if alpha > 0.0 {
                    -normal_quantile(normal_cdf(-alpha) - u * mass)
                } else {
                    normal_quantile(normal_cdf(alpha) + u * mass)
                };
                (mean + sd * z.clamp(alpha, beta)).clamp(low, high)
            }
        }
    }

    /// One draw (by inversion of a uniform in (0, 1), so always inside the support).
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        self.quantile(uniform_open(rng))
    }

    /// The prior's mean.
    #[must_use]
    pub fn mean(&self) -> f64 {
        match *self {
            Self::Uniform { low, high } => 0.5 * (low + high),
            Self::LogUniform { low, high } => (high - low) / (high / low).ln(),
            Self::Normal { mean, .. } => mean,
            Self::TruncatedNormal { mean, sd, .. } => {
                let (alpha, beta, mass) = self.truncation();
                mean + sd * (normal_pdf(alpha) - normal_pdf(beta)) / mass
            }
        }
    }

    /// The prior's standard deviation.
    #[must_use]
    pub fn sd(&self) -> f64 {
        match *self {
            Self::Uniform { low, high } => (high - low) / 12f64.sqrt(),
            Self::LogUniform { low, high } => {
                let log_ratio = (high / low).ln();
                let second = (high * high - low * low) / (2.0 * log_ratio);
                let mean = self.mean();
                (second - mean * mean).max(0.0).sqrt()
            }
            Self::Normal { sd, .. } => sd,
            Self::TruncatedNormal { sd, .. } => {
                let (alpha, beta, mass) = self.truncation();
                let shift = (normal_pdf(alpha) - normal_pdf(beta)) / mass;
                let variance = 1.0 + (z_pdf(alpha) - z_pdf(beta)) / mass - shift * shift;
                sd * variance.max(0.0).sqrt()
            }
        }
    }
}

impl fmt::Display for Prior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Uniform { low, high } => write!(f, "uniform [{low}, {high}]"),
            Self::LogUniform { low, high } => write!(f, "log-uniform [{low}, {high}]"),
            Self::Normal { mean, sd } => write!(f, "normal (mean {mean}, sd {sd})"),
            Self::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                write!(
                    f,
                    "truncated normal (mean {mean}, sd {sd}) on [{low}, {high}]"
                )
            }
        }
    }
}

/// One uncertain parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// The key it sets: a `--set` key path, a `simsetting.yml` key such as
    /// `move_rules.max_move_speed`, or a series scale such as `series.scale`.
    pub name: String,
    /// Its prior.
    pub prior: Prior,
}

/// Why a parameter set is invalid.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParameterError {
    /// No parameters.
    #[error("the parameter set is empty")]
    Empty,
    /// A name declared twice.
    #[error("duplicate parameter `{0}`")]
    Duplicate(String),
    /// A name that cannot be a key or a CSV column.
    #[error("invalid parameter name `{0}`: it must be non-empty, without spaces, commas or quotes")]
    BadName(String),
    /// An invalid prior.
    #[error("parameter `{name}`: {error}")]
    Prior {
        /// The parameter.
        name: String,
        /// What is wrong.
        error: PriorError,
    },
}

/// Whether a name can serve as a key and a CSV column header.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ',' | '"' | '\''))
}

/// An ordered, validated set of uncertain parameters (the order of θ vectors).
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterSet {
    parameters: Vec<Parameter>,
}

impl ParameterSet {
    /// A set from parameters, validated: non-empty, unique valid names, valid priors.
    ///
    /// # Errors
    /// A [`ParameterError`].
    pub fn new(parameters: Vec<Parameter>) -> Result<Self, ParameterError> {
        if parameters.is_empty() {
            return Err(ParameterError::Empty);
        }
        let mut seen = HashMap::new();
        for parameter in &parameters {
            if !valid_name(&parameter.name) {
                return Err(ParameterError::BadName(parameter.name.clone()));
            }
            if seen.insert(parameter.name.as_str(), ()).is_some() {
                return Err(ParameterError::Duplicate(parameter.name.clone()));
            }
            parameter
                .prior
                .validate()
                .map_err(|error| ParameterError::Prior {
                    name: parameter.name.clone(),
                    error,
                })?;
        }
        Ok(Self { parameters })
    }

    /// The parameters, in order.
    #[must_use]
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The parameter names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parameters.iter().map(|p| p.name.as_str())
    }

    /// The number of parameters (the dimension of θ).
    #[must_use]
    pub fn len(&self) -> usize {
        self.parameters.len()
    }

    /// Always false (a set is never empty); for clippy's `len_without_is_empty`.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.parameters.is_empty()
    }

    /// The index of a parameter by name.
    #[must_use]
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.parameters.iter().position(|p| p.name == name)
    }

    /// Whether every component of `theta` lies in its prior's support.
    #[must_use]
    pub fn contains(&self, theta: &[f64]) -> bool {
        theta.len() == self.len()
            && self
                .parameters
                .iter()
                .zip(theta)
                .all(|(p, &x)| p.prior.contains(x))
    }

    /// The joint log prior density (independent priors); −∞ outside the support.
    #[must_use]
    pub fn ln_pdf(&self, theta: &[f64]) -> f64 {
        if theta.len() != self.len() {
            return f64::NEG_INFINITY;
        }
        self.parameters
            .iter()
            .zip(theta)
            .map(|(p, &x)| p.prior.ln_pdf(x))
            .sum()
    }

    /// One joint draw from the prior.
    pub fn sample(&self, rng: &mut Stream) -> Vec<f64> {
        self.parameters
            .iter()
            .map(|p| p.prior.sample(rng))
            .collect()
    }

    /// Maps a point of the unit hypercube through each prior's quantile function.
    #[must_use]
    pub fn from_unit(&self, unit: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(unit)
            .map(|(p, &u)| p.prior.quantile(u))
            .collect()
    }
}

/// A calibration spec: the parameters and optional run settings, as read from TOML.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationSpec {
    /// The uncertain parameters.
    pub parameters: ParameterSet,
    /// `particles = N`: the population size.
    pub particles: Option<usize>,
    /// `generations = G`: the most generations.
    pub generations: Option<usize>,
    /// `budget = RUNS`: the most model runs in all.
    pub budget: Option<u64>,
    /// `replicas = k`: model runs per particle.
    pub replicas: Option<usize>,
    /// `min_tolerance = EPS`: stop once the tolerance is at or below this.
    pub min_tolerance: Option<f64>,
    /// `kernel_scale = H`: multiplies the perturbation kernel's bandwidth (Silverman's rule,
    /// default 1; about 2 gives Beaumont et al.'s twice the population's covariance, which keeps
    /// the weights even with many parameters: see `abc`).
    pub kernel_scale: Option<f64>,
}

/// A located error in a calibration spec.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{origin}:{line}:{column}: {message}")]
pub struct SpecError {
    /// The file (or a description of the text's origin).
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl SpecError {
    fn at(text: &str, origin: &str, offset: usize, message: String) -> Self {
        let (line, column) = line_column(text, offset);
        Self {
            origin: origin.to_owned(),
            line,
            column,
            message,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut boundary = offset;
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    let before = &text[..boundary];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[derive(Deserialize)]
struct RawScenario {
    calibration: Option<Spanned<RawCalibration>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParamsFile {
    calibration: Option<Spanned<RawCalibration>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibration {
    parameter: Option<Vec<Spanned<RawParameter>>>,
    particles: Option<usize>,
    generations: Option<usize>,
    budget: Option<u64>,
    replicas: Option<Spanned<usize>>,
    min_tolerance: Option<Spanned<f64>>,
    kernel_scale: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    key: Spanned<String>,
    prior: Spanned<RawPrior>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawPrior {
    Uniform(Spanned<Vec<f64>>),
    LogUniform(Spanned<Vec<f64>>),
    Normal(RawNormal),
    TruncatedNormal(RawTruncatedNormal),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNormal {
    mean: f64,
    sd: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTruncatedNormal {
    mean: f64,
    sd: f64,
    low: f64,
    high: f64,
}

/// The `[low, high]` pair of a uniform or log-uniform prior, or where and why it is not one.
fn pair(bounds: Spanned<Vec<f64>>) -> Result<(f64, f64), (usize, String)> {
    let start = bounds.span().start;
    match bounds.into_inner()[..] {
        [low, high] => Ok((low, high)),
        ref other => Err((
            start,
            format!(
                "expected two numbers [low, high], found {} numbers",
                other.len()
            ),
        )),
    }
}

impl RawPrior {
    fn into_prior(self) -> Result<Prior, (usize, String)> {
        Ok(match self {
            Self::Uniform(bounds) => {
                let (low, high) = pair(bounds)?;
                Prior::Uniform { low, high }
            }
            Self::LogUniform(bounds) => {
                let (low, high) = pair(bounds)?;
                Prior::LogUniform { low, high }
            }
            Self::Normal(RawNormal { mean, sd }) => Prior::Normal { mean, sd },
            Self::TruncatedNormal(RawTruncatedNormal {
                mean,
                sd,
                low,
                high,
            }) => Prior::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            },
        })
    }
}

fn toml_error(text: &str, origin: &str, error: &toml::de::Error) -> SpecError {
    let offset = error.span().map_or(0, |span| span.start);
    SpecError::at(text, origin, offset, error.message().trim().to_owned())
}

/// Reads the `[calibration]` section of a scenario.toml; `Ok(None)` when there is none.
///
/// Other sections are ignored (the scenario reader checks them).
///
/// # Errors
/// A located [`SpecError`]: TOML syntax, unknown fields or priors, invalid prior numbers,
/// duplicate keys, or a section that declares no parameters.
pub fn parse_scenario_section(
    text: &str,
    origin: &str,
) -> Result<Option<CalibrationSpec>, SpecError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(text, origin, &e))?;
    raw.calibration
        .map(|section| build_spec(text, origin, section))
        .transpose()
}

/// Reads a `--params FILE`: the same `[calibration]` section as in scenario.toml, and nothing else.
///
/// # Errors
/// A located [`SpecError`], as [`parse_scenario_section`], and when the file has no
/// `[calibration]` section or has other top-level keys.
pub fn parse_params_file(text: &str, origin: &str) -> Result<CalibrationSpec, SpecError> {
    let raw: RawParamsFile = toml::from_str(text).map_err(|e| toml_error(text, origin, &e))?;
    match raw.calibration {
        Some(section) => build_spec(text, origin, section),
        None => Err(SpecError::at(
            text,
            origin,
            0,
            "expected a [calibration] section with [[calibration.parameter]] entries, found none"
                .to_owned(),
        )),
    }
}

fn build_spec(
    text: &str,
    origin: &str,
    section: Spanned<RawCalibration>,
) -> Result<CalibrationSpec, SpecError> {
    let section_span: Range<usize> = section.span();
    let raw = section.into_inner();
    let entries = raw.parameter.unwrap_or_default();
    if entries.is_empty() {
        return Err(SpecError::at(
            text,
            origin,
            section_span.start,
            "the [calibration] section declares no parameters: expected at least one \
             [[calibration.parameter]] with `key` and `prior`"
                .to_owned(),
        ));
    }
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut parameters = Vec::with_capacity(entries.len());
    for entry in entries {
        let entry = entry.into_inner();
        let key_span = entry.key.span();
        let name = entry.key.into_inner();
        if !valid_name(&name) {
            return Err(SpecError::at(
                text,
                origin,
                key_span.start,
                format!(
                    "invalid parameter key `{name}`: expected a non-empty key without spaces, commas or quotes"
                ),
            ));
        }
        if let Some(&first) = first_seen.get(&name) {
            let (line, _) = line_column(text, first);
            return Err(SpecError::at(
                text,
                origin,
                key_span.start,
                format!("duplicate parameter key `{name}` (first declared on line {line})"),
            ));
        }
        first_seen.insert(name.clone(), key_span.start);
        let prior_span = entry.prior.span();
        let prior = entry
            .prior
            .into_inner()
            .into_prior()
            .map_err(|(offset, message)| {
                SpecError::at(
                    text,
                    origin,
                    offset,
                    format!("prior of `{name}`: {message}"),
                )
            })?;
        prior.validate().map_err(|error| {
            SpecError::at(
                text,
                origin,
                prior_span.start,
                format!("prior of `{name}`: {error}"),
            )
        })?;
        parameters.push(Parameter { name, prior });
    }
    if let Some(replicas) = &raw.replicas
        && *replicas.get_ref() == 0
    {
        return Err(SpecError::at(
            text,
            origin,
            replicas.span().start,
            "replicas must be at least 1, found 0".to_owned(),
        ));
    }
    if let Some(tolerance) = &raw.min_tolerance {
        let value = *tolerance.get_ref();
        if value.is_nan() || value < 0.0 {
            return Err(SpecError::at(
                text,
                origin,
                tolerance.span().start,
                format!("min_tolerance must be a number at or above 0, found {value}"),
            ));
        }
    }
    if let Some(scale) = &raw.kernel_scale {
        let value = *scale.get_ref();
        if !(value > 0.0 && value.is_finite()) {
            return Err(SpecError::at(
                text,
                origin,
                scale.span().start,
                format!("kernel_scale must be a number above 0, found {value}"),
            ));
        }
    }
    // Validation above covers every way `new` can fail.
    let parameters = ParameterSet::new(parameters)
        .map_err(|error| SpecError::at(text, origin, section_span.start, error.to_string()))?;
    Ok(CalibrationSpec {
        parameters,
        particles: raw.particles,
        generations: raw.generations,
        budget: raw.budget,
        replicas: raw.replicas.map(Spanned::into_inner),
        min_tolerance: raw.min_tolerance.map(Spanned::into_inner),
        kernel_scale: raw.kernel_scale.map(Spanned::into_inner),
    })
}
