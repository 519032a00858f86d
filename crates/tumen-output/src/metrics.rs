//! Flee's validation metric: the averaged relative difference between simulated and observed
//! camp counts (`flee/postprocessing/extract-validation-results.py`, FLEE_COMPAT §3.10).

use crate::table::FleeTable;
use serde::Serialize;

/// Averaged relative difference of one run against the camp data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Ard {
    /// `mean_t Σ_c |s_c(t) − u_c(t)| / max(U(t), 1)`, `U(t) = Σ_c u_c(t)`.
    pub normal: f64,
    /// The same with `s_c(t)` replaced by `s_c(t)·U(t)/S(t)`, `S(t) = Σ_c s_c(t)` (by 0 when
    /// `S(t) = 0`): only the distribution over camps counts.
    pub rescaled: f64,
}

/// The averaged relative difference of a table's camp counts (`<camp> sim`) against its camp
/// data (`<camp> data`), normal and rescaled, as the unweighted mean over all its days.
/// A table without rows gives 0 for both.
#[must_use]
pub fn ard(table: &FleeTable) -> Ard {
    if table.rows.is_empty() {
        return Ard::default();
    }
    let mut normal = 0.0;
    let mut rescaled = 0.0;
    for row in &table.rows {
        let observed: f64 = row.data.iter().map(|&u| u as f64).sum();
        let simulated: f64 = row.sim.iter().map(|&s| s as f64).sum();
        let denominator = observed.max(1.0);
        let scale = if simulated > 0.0 {
            observed / simulated
        } else {
            0.0
        };
        let mut day_normal = 0.0;
        let mut day_rescaled = 0.0;
        for (&s, &u) in row.sim.iter().zip(&row.data) {
            let (s, u) = (s as f64, u as f64);
            day_normal += (s - u).abs();
            day_rescaled += (s * scale - u).abs();
        }
        normal += day_normal / denominator;
        rescaled += day_rescaled / denominator;
    }
    let days = table.rows.len() as f64;
    Ard {
        normal: normal / days,
        rescaled: rescaled / days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::FleeRow;

    fn table(days: &[(&[u64], &[i64])]) -> FleeTable {
        FleeTable {
            camps: vec!["A".to_owned(), "B".to_owned()],
            rows: days
                .iter()
                .enumerate()
                .map(|(t, (sim, data))| {
                    FleeRow::new(
                        t as u32,
                        String::new(),
                        sim.to_vec(),
                        data.to_vec(),
                        100,
                        100,
                        0,
                    )
                })
                .collect(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn hand_computed_values() {
        // Day 0: s = (10, 30), u = (20, 20): U = 40, S = 40.
        //   normal (10 + 10)/40 = 0.5; rescaled: scale 1 → 0.5.
        // Day 1: s = (5, 15), u = (30, 10): U = 40, S = 20.
        //   normal (25 + 5)/40 = 0.75; rescaled s' = (10, 30): (20 + 20)/40 = 1.
        // Day 2: s = (0, 0), u = (0, 0): U = 0 → denominator 1, everything 0.
        // Day 3: s = (0, 0), u = (3, 1): S = 0 → s' = 0: normal 4/4 = 1, rescaled 1.
        let t = table(&[
            (&[10, 30], &[20, 20]),
            (&[5, 15], &[30, 10]),
            (&[0, 0], &[0, 0]),
            (&[0, 0], &[3, 1]),
        ]);
        let a = ard(&t);
        assert!(close(a.normal, (0.5 + 0.75 + 0.0 + 1.0) / 4.0), "{a:?}");
        assert!(close(a.rescaled, (0.5 + 1.0 + 0.0 + 1.0) / 4.0), "{a:?}");
    }

    #[test]
    fn rescaling_ignores_the_volume() {
        // Twice the observed counts everywhere: normal 1, rescaled 0.
        let t = table(&[(&[40, 20], &[20, 10]), (&[2, 6], &[1, 3])]);
        let a = ard(&t);
        assert!(close(a.normal, 1.0), "{a:?}");
        assert!(close(a.rescaled, 0.0), "{a:?}");
    }

    #[test]
    fn small_totals_use_a_denominator_of_one() {
        // U = 0 but s > 0: |3 − 0| / max(0, 1) = 3; rescaled s·0/3 = 0.
        let t = table(&[(&[3, 0], &[0, 0])]);
        let a = ard(&t);
        assert!(close(a.normal, 3.0), "{a:?}");
        assert!(close(a.rescaled, 0.0), "{a:?}");
    }

    #[test]
    fn empty_table_gives_zero() {
        assert_eq!(ard(&FleeTable::default()), Ard::default());
    }
}
