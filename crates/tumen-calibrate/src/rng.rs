//! Keyed random streams: every draw comes from a generator keyed by the run's seed and the place
//! it serves (generation, proposal, replica, ...), so results never depend on how many threads
//! run or in which order work is scheduled.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator used everywhere in this crate.
pub type Stream = Xoshiro256PlusPlus;

/// SplitMix64's finaliser: a bijective mix of 64 bits.
#[inline]
#[must_use]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit key from a seed and a path of integers (order matters).
#[must_use]
pub fn key(seed: u64, path: &[u64]) -> u64 {
    path.iter()
        .fold(mix64(seed), |acc, &part| mix64(acc ^ mix64(part)))
}

/// The stream for `(seed, path...)`.
#[must_use]
pub fn stream(seed: u64, path: &[u64]) -> Stream {
    Stream::seed_from_u64(key(seed, path))
}

/// A uniform draw in the open interval (0, 1), 53 bits, never 0 or 1.
#[inline]
pub fn uniform_open(rng: &mut Stream) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "53-bit mantissa is the intent")]
    let value = (rng.next_u64() >> 11) as f64;
    (value + 0.5) * (1.0 / 9_007_199_254_740_992.0)
}

/// A standard normal draw.
#[inline]
pub fn standard_normal(rng: &mut Stream) -> f64 {
    use rand_distr::Distribution;
    rand_distr::StandardNormal.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_every_part_and_repeat() {
        assert_eq!(key(1, &[2, 3]), key(1, &[2, 3]));
        assert_ne!(key(1, &[2, 3]), key(1, &[3, 2]));
        assert_ne!(key(1, &[2, 3]), key(2, &[2, 3]));
        assert_ne!(key(1, &[2]), key(1, &[2, 0]));
    }

    #[test]
    fn uniform_open_is_inside_and_centred() {
        let mut rng = stream(9, &[1]);
        let n = 100_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let u = uniform_open(&mut rng);
            assert!(u > 0.0 && u < 1.0);
            sum += u;
        }
        let mean = sum / f64::from(n);
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
    }
}
