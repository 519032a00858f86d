//! Mean and sample standard deviation.

use serde::Serialize;

/// Mean and sample standard deviation (ddof 1) of a set of values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MeanSd {
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); 0 for fewer than two values.
    pub sd: f64,
}

impl MeanSd {
    /// Mean and sample sd of `values`, summed in their order (so the result does not depend on
    /// how they were computed, only on their order).
    #[must_use]
    pub fn of(values: impl IntoIterator<Item = f64> + Clone) -> Self {
        let mut n = 0_usize;
        let mut sum = 0.0;
        for x in values.clone() {
            n += 1;
            sum += x;
        }
        if n == 0 {
            return Self::default();
        }
        let mean = sum / n as f64;
        if n < 2 {
            return Self { mean, sd: 0.0 };
        }
        let squares: f64 = values.into_iter().map(|x| (x - mean) * (x - mean)).sum();
        Self {
            mean,
            sd: (squares / (n - 1) as f64).sqrt(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_sd() {
        let m = MeanSd::of([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m.mean, 5.0);
        // Σ (x − 5)² = 32; 32 / 7.
        assert!((m.sd - (32.0_f64 / 7.0).sqrt()).abs() < 1e-15);
        assert_eq!(MeanSd::of([3.0]), MeanSd { mean: 3.0, sd: 0.0 });
        assert_eq!(MeanSd::of(Vec::<f64>::new()), MeanSd::default());
    }
}
