//! Spawning: how many people appear on a day, and where (Flee's `spawn_daily_displaced`).

use crate::EngineError;
use crate::rng::{Stream, uniform};
use crate::world::{Model, WorldState};
use rand_distr::{Binomial, Distribution, Poisson};
use tumen_core::SpawnMode;

/// Spawn bookkeeping carried from day to day.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Spawner {
    /// Flee's `refugee_debt`: people the observed total lost, to be subtracted from later
    /// increases.
    pub debt: i64,
    /// Flee's `refugees_raw`: Σ of the daily differences of the observed total so far.
    pub raw_total: i64,
    /// Spawn weight per location, as last refreshed.
    weights: Vec<f64>,
}

impl Spawner {
    /// Flee's `refresh_spawn_weights` at time `time`: population × intensity × decay for
    /// conflict zones, 0 elsewhere (and 0 everywhere in conflict-driven modes).
    pub(crate) fn refresh_weights(&mut self, model: &Model, state: &WorldState, time: i64) {
        let rules = &model.settings().spawn_rules;
        self.weights.clear();
        let data_driven = matches!(rules.mode, SpawnMode::DataDriven);
        for index in 0..model.location_count() {
            let conflict = state.conflict[index];
            let weight = if data_driven && conflict > 0.0 {
                let mut multiplier = conflict;
                if rules.conflict_spawn_decay.is_some() {
                    multiplier *= rules.conflict_decay(time - state.time_of_conflict[index]);
                }
                state.population[index] * multiplier
            } else {
                0.0
            };
            self.weights.push(weight);
        }
    }

    /// Draws today's new people per location into `out` (one entry per location) and returns
    /// how many there are in all.
    ///
    /// # Errors
    /// When people must be spawned but no conflict zone has a positive spawn weight.
    pub(crate) fn spawn(
        &mut self,
        model: &Model,
        state: &mut WorldState,
        day: u32,
        rng: &mut Stream,
        out: &mut Vec<u64>,
    ) -> Result<u64, EngineError> {
        let scenario = &model.scenario;
        let rules = &scenario.settings.spawn_rules;
        out.clear();
        out.resize(model.location_count(), 0);
        let t = i64::from(day);
        let total_spawned = match rules.mode {
            SpawnMode::DataDriven => {
                let total_at = |d: i64| {
                    if rules.sum_from_camps {
                        scenario.observations.camps_sum_at(d)
                    } else {
                        scenario.observations.total.value_at(d)
                    }
                };
                let difference = if t == 0 {
                    total_at(0)
                } else {
                    total_at(t) - total_at(t - 1)
                };
                let mut new = difference - self.debt;
                self.raw_total += difference;
                if rules.insert_day0 && t == 0 {
                    new = 0;
                }
                if new < 0 {
                    self.debt = -new;
                    new = 0;
                } else if self.debt > 0 {
                    self.debt = 0;
                }
                let new = u64::try_from(new).unwrap_or(0);
                if new > 0 {
                    multinomial(new, &self.weights, rng, out)
                        .ok_or(EngineError::NowhereToSpawn { day, people: new })?;
                }
                new
            }
            SpawnMode::Constant { .. } | SpawnMode::PopRatio { .. } | SpawnMode::Poisson { .. } => {
                // Conflict-driven: a number per conflict zone and day.
                let mut sum = 0;
                for (index, slot) in out.iter_mut().enumerate() {
                    let conflict = state.conflict[index];
                    if conflict <= 0.0 {
                        continue;
                    }
                    *slot = match rules.mode {
                        SpawnMode::PopRatio {
                            displaced_per_conflict_day,
                        } => truncate(
                            displaced_per_conflict_day * state.population[index] * conflict,
                        ),
                        SpawnMode::Poisson {
                            displaced_per_conflict_day,
                        } => Poisson::new(displaced_per_conflict_day * conflict)
                            .map_or(0, |poisson| truncate(poisson.sample(rng))),
                        SpawnMode::Constant {
                            displaced_per_conflict_day,
                        } => truncate(displaced_per_conflict_day * conflict),
                        SpawnMode::DataDriven => 0,
                    };
                    sum += *slot;
                }
                sum
            }
        };
        if rules.take_from_population {
            for (index, &count) in out.iter().enumerate() {
                if count > 0 && state.conflict[index] > 0.0 {
                    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
                    let taken = count as f64;
                    state.population[index] = (state.population[index] - taken).max(0.0);
                }
            }
        }
        Ok(total_spawned)
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "Python's int() of a non-negative float"
)]
fn truncate(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        value as u64
    } else {
        0
    }
}

/// Splits `n` over categories with probabilities proportional to `weights` (an exact
/// multinomial draw by conditional binomials). Returns `None` when the weights sum to 0.
pub(crate) fn multinomial(
    n: u64,
    weights: &[f64],
    rng: &mut Stream,
    out: &mut [u64],
) -> Option<()> {
    let mut remaining_weight: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    if remaining_weight <= 0.0 || !remaining_weight.is_finite() {
        return None;
    }
    let mut remaining = n;
    let last = weights.iter().rposition(|w| *w > 0.0)?;
    for (index, &weight) in weights.iter().enumerate() {
        if remaining == 0 {
            break;
        }
        if weight <= 0.0 {
            continue;
        }
        let draw = if index == last {
            remaining
        } else {
            binomial(remaining, (weight / remaining_weight).clamp(0.0, 1.0), rng)
        };
        out[index] += draw;
        remaining -= draw;
        remaining_weight -= weight;
    }
    Some(())
}

/// One binomial draw; exact for every `n` (BINV or BTPE in `rand_distr`).
pub(crate) fn binomial(n: u64, p: f64, rng: &mut Stream) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    match Binomial::new(n, p) {
        Ok(distribution) => distribution.sample(rng),
        // Unreachable for p in (0, 1); fall back to counting Bernoulli trials.
        Err(_) => (0..n).filter(|_| uniform(rng) < p).count() as u64,
    }
}

/// One binomial draw, exact, faster than [`binomial`] when the mean is small (the common case
/// of the count engine's daily splits: a few people out of a cohort at a small daily
/// probability). For `n·p < 10` it inverts the distribution function from 0 upwards
/// (the BINV inversion of Kachitvichyanukul and Schmeiser, 1988, with `q^n` by repeated
/// squaring), which costs one uniform draw and about `n·p` steps; otherwise it calls
/// [`binomial`].
pub(crate) fn binomial_small_mean(n: u64, p: f64, rng: &mut Stream) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - binomial_small_mean(n, 1.0 - p, rng);
    }
    if n == 1 {
        // The inversion below for one trial: 0 when u < q, else 1.
        return u64::from(uniform(rng) >= 1.0 - p);
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "cohort sizes are far below 2^53"
    )]
    let mean = n as f64 * p;
    let Ok(exponent) = i32::try_from(n) else {
        return binomial(n, p, rng);
    };
    if mean >= 10.0 {
        return binomial(n, p, rng);
    }
    let mut u = uniform(rng);
    // Most draws are 0. P(X = 0) = q^n ≥ 1 − n·p (Bernoulli's inequality), so a `u` below
    // that bound is 0 without computing `q^n`: the same result as the inversion, at a
    // fraction of the cost. The bound is lowered by more than the rounding error of the
    // computed `q^n` below (`q` = 1 − p rounded, relative error ε/2, raised to the n-th
    // power: n·ε/2; at most 62 products by repeated squaring, each within ε/2), so that it
    // never exceeds it and the shortcut changes no draw's result.
    #[expect(
        clippy::cast_precision_loss,
        reason = "cohort sizes are far below 2^53"
    )]
    let margin = (n as f64 + 64.0) * f64::EPSILON;
    if u < 1.0 - mean - margin {
        return 0;
    }
    let q = 1.0 - p;
    let s = p / q;
    #[expect(
        clippy::cast_precision_loss,
        reason = "cohort sizes are far below 2^53"
    )]
    let a = (n as f64 + 1.0) * s;
    let mut probability = powi(q, exponent);
    let mut x = 0_u64;
    loop {
        if u < probability {
            return x;
        }
        u -= probability;
        x += 1;
        if x >= n {
            return n;
        }
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let step = a / x as f64 - s;
        probability *= step;
        if probability <= 0.0 {
            // Only rounding leaves the loop here (u beyond the representable tail).
            return x;
        }
    }
}

/// `x.powi(n)` for `n >= 0`, inlined: the same repeated squaring as the compiler's runtime
/// function (`__powidf2`), so the result is bit for bit the same, without the call.
#[inline]
fn powi(mut x: f64, n: i32) -> f64 {
    let mut n = n.unsigned_abs();
    let mut result = 1.0;
    loop {
        if n & 1 != 0 {
            result *= x;
        }
        n >>= 1;
        if n == 0 {
            break;
        }
        x *= x;
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn inlined_powi_is_bit_identical() {
        let mut rng = stream(11, 0, StreamKind::Counts, 0);
        for n in (0..2000).chain([65_535, 1 << 20, 3_000_000, i32::MAX]) {
            for _ in 0..20 {
                let q = 1.0 - uniform(&mut rng) * 0.5;
                assert_eq!(super::powi(q, n).to_bits(), q.powi(n).to_bits(), "{q} {n}");
            }
        }
    }

    use super::*;
    use crate::rng::{StreamKind, stream};

    #[test]
    fn the_small_mean_binomial_has_the_binomial_distribution() {
        // Frequencies of each value against the exact probabilities, for several (n, p).
        let mut rng = stream(5, 0, StreamKind::Counts, 0);
        for &(n, p) in &[
            (1_u64, 0.3),
            (7, 0.02),
            (40, 0.1),
            (500, 0.004),
            (100_000, 5e-5),
            (30, 0.9),
        ] {
            let draws = 200_000;
            let mut histogram = vec![0_u64; 60];
            let mut total = 0.0;
            for _ in 0..draws {
                let k = binomial_small_mean(n, p, &mut rng);
                assert!(k <= n);
                total += k as f64;
                if (k as usize) < histogram.len() {
                    histogram[k as usize] += 1;
                }
            }
            let mean = total / f64::from(draws);
            let sd = (n as f64 * p * (1.0 - p) / f64::from(draws)).sqrt();
            assert!(
                (mean - n as f64 * p).abs() < 5.0 * sd + 1e-9,
                "n {n} p {p}: mean {mean}"
            );
            // P(K = 0) = (1 - p)^n exactly.
            let p0 = (1.0 - p).powf(n as f64);
            let f0 = histogram[0] as f64 / f64::from(draws);
            assert!(
                (f0 - p0).abs() < 5.0 * (p0 * (1.0 - p0) / f64::from(draws)).sqrt() + 1e-9,
                "n {n} p {p}: P0 {f0} vs {p0}"
            );
        }
    }

    /// The inversion without the shortcut for 0, as it was before the shortcut.
    fn inversion(n: u64, p: f64, rng: &mut Stream) -> u64 {
        let (q, exponent) = (1.0 - p, i32::try_from(n).unwrap());
        let (s, a) = (p / q, (n as f64 + 1.0) * (p / q));
        let mut probability = q.powi(exponent);
        let mut u = uniform(rng);
        let mut x = 0;
        while u >= probability && x < n && probability > 0.0 {
            u -= probability;
            x += 1;
            probability *= a / x as f64 - s;
        }
        x
    }

    #[test]
    fn the_shortcut_for_zero_changes_no_draw() {
        // Same stream, same draws: the shortcut only skips computing q^n when u is below it.
        let mut rng = stream(9, 0, StreamKind::Counts, 0);
        let mut shortcut = stream(9, 0, StreamKind::Counts, 0);
        let mut reference = stream(9, 0, StreamKind::Counts, 0);
        for _ in 0..200_000 {
            let n = 2 + (uniform(&mut rng) * 200_000.0) as u64;
            // Means from 1e-4 to 10, as the daily splits have.
            let mean = 10.0_f64.powf(-4.0 + 5.0 * uniform(&mut rng));
            let p = (mean / n as f64).min(0.5);
            assert_eq!(
                binomial_small_mean(n, p, &mut shortcut),
                inversion(n, p, &mut reference),
                "n {n} p {p}"
            );
        }
    }

    #[test]
    fn multinomial_conserves_and_follows_weights() {
        let mut rng = stream(3, 0, StreamKind::Spawn, 0);
        let weights = [2.0, 0.0, 1.0, 1.0];
        let mut totals = [0_u64; 4];
        for _ in 0..2000 {
            let mut out = [0_u64; 4];
            multinomial(100, &weights, &mut rng, &mut out).unwrap();
            assert_eq!(out.iter().sum::<u64>(), 100);
            assert_eq!(out[1], 0);
            for (t, o) in totals.iter_mut().zip(out) {
                *t += o;
            }
        }
        // Expected shares 0.5, 0, 0.25, 0.25 of 200 000; sd of a share's count ≈ 224.
        assert!((totals[0] as f64 - 100_000.0).abs() < 1500.0, "{totals:?}");
        assert!((totals[2] as f64 - 50_000.0).abs() < 1500.0, "{totals:?}");
        assert!(multinomial(5, &[0.0, 0.0], &mut rng, &mut [0, 0]).is_none());
    }
}
