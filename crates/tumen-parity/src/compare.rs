//! The comparison of an ensemble with a Flee reference, by the criteria of
//! `shared/flee-reference/README.md` ("How a parity test should use this").

use crate::ensemble::{Ensemble, EnsembleDay};
use crate::reference::{RefDay, Reference, trajectory_distance};
use crate::report::{Cell, ExactCheck, MetricCheck, ParityReport, SpreadCheck, TrajectoryCheck};
use crate::stats::MeanSd;
use std::borrow::Cow;

/// Thresholds of the parity tests.
#[derive(Clone, Debug, PartialEq)]
pub struct Criteria {
    /// Relative tolerance r of the checkpoint test: the slack is `max(1, r·m_flee)`.
    pub relative_tolerance: f64,
    /// Standard errors allowed in the checkpoint and metric tests (4).
    pub sigmas: f64,
    /// Checkpoint days are the multiples of this (and the last day): 10.
    pub checkpoint_every: u32,
    /// How many checkpoint cells may fail.
    pub allowed_failing: Allowance,
    /// At or below this many Flee replicas, a checkpoint cell also passes by the form that uses
    /// Tumen's sd for both ensembles, `sigmas·sd_ours·√(1/R_ours + 1/R_flee)` (8).
    pub small_reference: usize,
    /// The trajectory distance D may be this many times its expected value (2)…
    pub trajectory_factor: f64,
    /// …plus this (0.005).
    pub trajectory_slack: f64,
    /// Slack of the validation metric test beyond `sigmas` standard errors (0.005).
    pub metric_slack: f64,
    /// The validation metric's means may differ by at most this in any case (0.02).
    pub metric_max_difference: f64,
    /// The spread test, for ensembles whose sds are well estimated (synthetic scenarios).
    pub spread: Option<SpreadCriteria>,
}

/// How many checkpoint cells may fail.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Allowance {
    /// At most this many cells.
    Cells(usize),
    /// At most this share of the cells (rounded down).
    Share(f64),
}

impl Allowance {
    /// The number of failing cells allowed among `cells`.
    #[must_use]
    pub fn of(self, cells: usize) -> usize {
        match self {
            Self::Cells(n) => n,
            Self::Share(share) => (share * cells as f64).floor() as usize,
        }
    }
}

/// The spread test: `sd_ours / sd_flee` on the checkpoint cells with `sd_flee ≥ min_sd_flee`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpreadCriteria {
    /// Only cells whose Flee sd is at least this (3).
    pub min_sd_flee: f64,
    /// Lowest ratio accepted (0.7).
    pub low: f64,
    /// Highest ratio accepted (1.4).
    pub high: f64,
    /// Share of those cells that may lie outside.
    pub allowed_share: f64,
}

impl Criteria {
    /// The synthetic scenarios (R_flee = 100): r = 0.005, at most one failing checkpoint cell,
    /// spreads within 0.7–1.4 on cells with sd_flee ≥ 3 (at most 15 % of them outside).
    #[must_use]
    pub fn synthetic() -> Self {
        Self {
            relative_tolerance: 0.005,
            allowed_failing: Allowance::Cells(1),
            spread: Some(SpreadCriteria {
                min_sd_flee: 3.0,
                low: 0.7,
                high: 1.4,
                allowed_share: 0.15,
            }),
            ..Self::real(0.0)
        }
    }

    /// The real scenarios with relative tolerance `r` (mali2012: 0.02; car2013, ssudan2013:
    /// 0.05): at most 1 % of the checkpoint cells failing, no spread test.
    #[must_use]
    pub fn real(r: f64) -> Self {
        Self {
            relative_tolerance: r,
            sigmas: 4.0,
            checkpoint_every: 10,
            allowed_failing: Allowance::Share(0.01),
            small_reference: 8,
            trajectory_factor: 2.0,
            trajectory_slack: 0.005,
            metric_slack: 0.005,
            metric_max_difference: 0.02,
            spread: None,
        }
    }
}

/// Compares Tumen's ensemble with Flee's reference by `criteria` (see the crate README):
/// deterministic columns exactly, checkpoint cells by a two-sample test, the whole trajectory by
/// the distance D between ensemble means, the validation metric, and (if asked) the spreads.
/// Camps that only Tumen reports are left out (and noted).
#[must_use]
pub fn compare(ours: &Ensemble, reference: &Reference, criteria: &Criteria) -> ParityReport {
    let mut exact = ExactCheck::default();
    let mut notes = Vec::new();

    // Camps: Flee's, in Flee's order.
    let common: Vec<String> = reference
        .camps
        .iter()
        .filter(|camp| ours.camps.contains(camp))
        .cloned()
        .collect();
    for camp in &reference.camps {
        if !ours.camps.contains(camp) {
            exact.mismatch(format!("Tumen does not report Flee's camp `{camp}`"));
        }
    }
    let extra: Vec<&str> = ours
        .camps
        .iter()
        .filter(|camp| !reference.camps.contains(camp))
        .map(String::as_str)
        .collect();
    if !extra.is_empty() {
        notes.push(format!(
            "Tumen also reports {} (not in Flee 3.1's out.csv); compared on Flee's camps only",
            extra.join(", ")
        ));
    }
    let ours: Cow<'_, Ensemble> = if ours.camps == common {
        Cow::Borrowed(ours)
    } else {
        match ours.restricted_to(&common) {
            Ok(restricted) => Cow::Owned(restricted),
            Err(error) => {
                exact.mismatch(error.to_string());
                Cow::Borrowed(ours)
            }
        }
    };
    let ref_index: Vec<usize> = ours
        .camps
        .iter()
        .map(|camp| {
            reference
                .camps
                .iter()
                .position(|c| c == camp)
                .unwrap_or_default()
        })
        .collect();

    if ours.days.len() != reference.days.len() {
        exact.mismatch(format!(
            "Tumen simulated {} days, Flee {}",
            ours.days.len(),
            reference.days.len()
        ));
    }
    for line in &ours.varying {
        exact.mismatch(format!("Tumen's replicas: {line}"));
    }
    let days = ours.days.len().min(reference.days.len());
    for t in 0..days {
        check_day_exactly(
            &ours.days[t],
            &reference.days[t],
            &ref_index,
            &ours.camps,
            &mut exact,
        );
        if let Some(row) = reference.replica.as_ref().and_then(|r| r.rows.get(t)) {
            check_printed_totals(&ours.days[t], row, &mut exact);
        }
    }

    let r_ours = ours.replicas as f64;
    let r_flee = reference.replicas as f64;
    let small = reference.replicas <= criteria.small_reference;
    let mut cells = Vec::new();
    let mut spread = criteria.spread.map(|c| SpreadCheck {
        criteria: c,
        ..SpreadCheck::default()
    });
    for t in 0..days {
        let every = criteria.checkpoint_every.max(1) as usize;
        if t % every != 0 && t + 1 != days {
            continue;
        }
        let (o, f) = (&ours.days[t], &reference.days[t]);
        let mut columns: Vec<(&str, MeanSd, MeanSd)> = ours
            .camps
            .iter()
            .enumerate()
            .map(|(c, camp)| {
                let k = ref_index[c];
                (
                    camp.as_str(),
                    MeanSd {
                        mean: o.camp_mean[c],
                        sd: o.camp_sd[c],
                    },
                    MeanSd {
                        mean: f.camp_mean[k],
                        sd: f.camp_sd[k],
                    },
                )
            })
            .collect();
        columns.push((
            "camps total",
            MeanSd {
                mean: o.camps_total_mean,
                sd: o.camps_total_sd,
            },
            MeanSd {
                mean: f.camps_total_mean,
                sd: f.camps_total_sd,
            },
        ));
        for (column, a, b) in columns {
            let cell = Cell::evaluate(o.day, column, a, b, (r_ours, r_flee), small, criteria);
            if let Some(check) = &mut spread {
                check.consider(&cell);
            }
            cells.push(cell);
        }
    }

    // D over Flee's camps, the reference's means put in Tumen's (common) camp order.
    let flee_means: Vec<Vec<f64>> = reference.days[..days]
        .iter()
        .map(|day| ref_index.iter().map(|&k| day.camp_mean[k]).collect())
        .collect();
    let d = trajectory_distance(
        ours.days[..days].iter().map(|d| d.camp_mean.as_slice()),
        flee_means.iter().map(Vec::as_slice),
    );
    let (a, b) = reference.split_half.halves;
    let expected = if a > 0 && b > 0 {
        reference.split_half.ard_between_half_means
            * ((1.0 / r_ours + 1.0 / r_flee) / (1.0 / a as f64 + 1.0 / b as f64)).sqrt()
    } else {
        0.0
    };
    let trajectory = TrajectoryCheck {
        d,
        split_half: reference.split_half.ard_between_half_means,
        expected,
        bound: criteria.trajectory_factor * expected + criteria.trajectory_slack,
    };

    let metrics = vec![
        MetricCheck::evaluate(
            "normal",
            ours.ard_normal(),
            MeanSd {
                mean: reference.ard_normal_mean,
                sd: reference.ard_normal_sd,
            },
            (r_ours, r_flee),
            criteria,
        ),
        MetricCheck::evaluate(
            "rescaled",
            ours.ard_rescaled(),
            MeanSd {
                mean: reference.ard_rescaled_mean,
                sd: reference.ard_rescaled_sd,
            },
            (r_ours, r_flee),
            criteria,
        ),
    ];

    ParityReport {
        scenario: reference.name.clone(),
        criteria: criteria.clone(),
        replicas_ours: ours.replicas,
        replicas_flee: reference.replicas,
        camps: ours.camps.clone(),
        days,
        exact,
        notes,
        cells,
        trajectory,
        metrics,
        spread,
    }
}

/// Dates, camp data and the agent total of one day, which are the same in every run.
fn check_day_exactly(
    ours: &EnsembleDay,
    flee: &RefDay,
    ref_index: &[usize],
    camps: &[String],
    exact: &mut ExactCheck,
) {
    let t = ours.day;
    exact.checked += 1;
    if ours.day != flee.day || ours.date != flee.date {
        exact.mismatch(format!(
            "row {t}: Tumen day {} {}, Flee day {} {}",
            ours.day, ours.date, flee.day, flee.date
        ));
    }
    for (c, camp) in camps.iter().enumerate() {
        let (a, b) = (ours.camp_data[c], flee.camp_data[ref_index[c]]);
        if a != b {
            exact.mismatch(format!("day {t}: `{camp} data` Tumen {a}, Flee {b}"));
        }
    }
    match (ours.agents_total_mean, flee.agents_total_mean) {
        (Some(a), Some(b)) => {
            if a != b {
                exact.mismatch(format!("day {t}: agent total Tumen {a}, Flee {b}"));
            }
            if let Some(sd) = ours.agents_total_sd.filter(|&sd| sd != 0.0) {
                exact.mismatch(format!("day {t}: Tumen's agent total varies (sd {sd})"));
            }
        }
        (None, None) => {}
        (a, b) => exact.mismatch(format!(
            "day {t}: agent total printed by Tumen {a:?}, by Flee {b:?} (raw observed total 0?)"
        )),
    }
}

/// The totals Flee prints (zeros when the raw observed total is 0), against one Flee replica.
fn check_printed_totals(ours: &EnsembleDay, flee: &tumen_output::FleeRow, exact: &mut ExactCheck) {
    let t = ours.day;
    let ours_printed = |value: i64| if ours.raw_total == 0 { 0 } else { value };
    let flee_printed = |value: i64| if flee.raw_total == 0 { 0 } else { value };
    let data_total: i64 = ours.camp_data.iter().sum();
    let agents = ours.agents_total_mean.map_or(0, |a| a as i64);
    let flee_agents = i64::try_from(flee.agents_total).unwrap_or(i64::MAX);
    let checks = [
        (
            "raw UNHCR refugee count",
            ours_printed(ours.raw_total),
            flee_printed(flee.raw_total),
        ),
        (
            "refugee_debt",
            ours_printed(ours.debt),
            flee_printed(flee.debt),
        ),
        (
            "refugees in camps (UNHCR)",
            ours_printed(data_total),
            flee_printed(flee.camps_data_total),
        ),
        (
            "total refugees (simulation)",
            ours_printed(agents),
            flee_printed(flee_agents),
        ),
    ];
    for (name, a, b) in checks {
        if a != b {
            exact.mismatch(format!("day {t}: `{name}` Tumen {a}, Flee {b}"));
        }
    }
}

impl Cell {
    /// The checkpoint test of one cell:
    /// `|m_ours − m_flee| ≤ σ·√(sd_ours²/R_ours + sd_flee²/R_flee) + max(1, r·m_flee)`, and where
    /// the reference is small, alternatively `σ·sd_ours·√(1/R_ours + 1/R_flee) + max(1, r·m_flee)`.
    fn evaluate(
        day: u32,
        column: &str,
        ours: MeanSd,
        flee: MeanSd,
        (r_ours, r_flee): (f64, f64),
        small_reference: bool,
        criteria: &Criteria,
    ) -> Self {
        let slack = (criteria.relative_tolerance * flee.mean.abs()).max(1.0);
        let welch_bound = criteria.sigmas
            * (ours.sd * ours.sd / r_ours + flee.sd * flee.sd / r_flee).sqrt()
            + slack;
        let own_bound = small_reference
            .then(|| criteria.sigmas * ours.sd * (1.0 / r_ours + 1.0 / r_flee).sqrt() + slack);
        let difference = (ours.mean - flee.mean).abs();
        let bound = own_bound.map_or(welch_bound, |own| own.max(welch_bound));
        Self {
            day,
            column: column.to_owned(),
            ours,
            flee,
            difference,
            welch_bound,
            own_bound,
            bound,
        }
    }
}

impl MetricCheck {
    fn evaluate(
        name: &'static str,
        ours: MeanSd,
        flee: MeanSd,
        (r_ours, r_flee): (f64, f64),
        criteria: &Criteria,
    ) -> Self {
        let bound = criteria.sigmas
            * (ours.sd * ours.sd / r_ours + flee.sd * flee.sd / r_flee).sqrt()
            + criteria.metric_slack;
        Self {
            name,
            ours,
            flee,
            difference: (ours.mean - flee.mean).abs(),
            bound,
            max_difference: criteria.metric_max_difference,
        }
    }
}

impl SpreadCheck {
    fn consider(&mut self, cell: &Cell) {
        if cell.flee.sd < self.criteria.min_sd_flee {
            return;
        }
        self.cells += 1;
        let ratio = cell.ours.sd / cell.flee.sd;
        self.min_ratio = Some(self.min_ratio.map_or(ratio, |m| m.min(ratio)));
        self.max_ratio = Some(self.max_ratio.map_or(ratio, |m| m.max(ratio)));
        if ratio < self.criteria.low || ratio > self.criteria.high {
            self.outside.push((cell.day, cell.column.clone(), ratio));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::summarise;
    use crate::reference::SplitHalf;
    use tumen_output::{FleeRow, FleeTable};

    /// A small deterministic generator (xorshift64*), normal deviates by Box–Muller.
    struct Noise(u64);

    impl Noise {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
            ((x >> 11) as f64 + 0.5) / (1_u64 << 53) as f64
        }

        fn normal(&mut self) -> f64 {
            let (u, v) = (self.uniform(), self.uniform());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        }
    }

    const DAYS: u32 = 61;
    const CAMPS: [&str; 3] = ["A", "B", "C"];

    /// Expected count of camp `c` on day `t`, and its sd.
    fn truth(c: usize, t: u32) -> (f64, f64) {
        let mean = 100.0 * (c + 1) as f64 * (1.0 - (-f64::from(t) / 15.0).exp());
        (mean, 2.0 + 0.6 * mean.sqrt())
    }

    /// A replica: counts drawn around the truth; `shift(c, t, sd)` moves the mean, `widen`
    /// scales the sd.
    fn replica(seed: u64, shift: impl Fn(usize, u32, f64) -> f64, widen: f64) -> FleeTable {
        let mut noise = Noise(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let rows = (0..DAYS)
            .map(|t| {
                let sim = (0..CAMPS.len())
                    .map(|c| {
                        let (mean, sd) = truth(c, t);
                        let value = mean + shift(c, t, sd) + widen * sd * noise.normal();
                        value.round().max(0.0) as u64
                    })
                    .collect();
                let data = (0..CAMPS.len() as i64).map(|c| 50 * (c + 1)).collect();
                let raw = 100 * i64::from(t);
                FleeRow::new(t, format!("day {t}"), sim, data, 600, raw, 0)
            })
            .collect();
        FleeTable {
            camps: CAMPS.iter().map(|c| (*c).to_owned()).collect(),
            rows,
        }
    }

    fn flee() -> Reference {
        let tables: Vec<FleeTable> = (1..=100).map(|s| replica(s, |_, _, _| 0.0, 1.0)).collect();
        let ensemble = summarise(&tables).expect("summarises");
        let split = SplitHalf::of_ensemble(&ensemble).expect("split");
        Reference::from_ensemble("synthetic", &ensemble, split)
    }

    fn ours(shift: impl Fn(usize, u32, f64) -> f64 + Copy, widen: f64) -> Ensemble {
        let tables: Vec<FleeTable> = (1001..=1100).map(|s| replica(s, shift, widen)).collect();
        summarise(&tables).expect("summarises")
    }

    #[test]
    fn same_distribution_passes() {
        let report = compare(&ours(|_, _, _| 0.0, 1.0), &flee(), &Criteria::synthetic());
        assert!(report.passed(), "{report}");
        assert_eq!(report.failing_cells(), 0, "{report}");
        // Days 0, 10, …, 60: 7 checkpoints × (3 camps + total).
        assert_eq!(report.cells.len(), 28);
        assert!(report.trajectory.d <= report.trajectory.bound);
        assert!(report.exact.mismatches.is_empty());
    }

    #[test]
    fn a_camp_shifted_by_a_few_sd_fails() {
        // Camp B's mean moved by 3 sd from day 10 on: most of its checkpoints fail.
        let shifted = ours(
            |c, t, sd| if c == 1 && t >= 10 { 3.0 * sd } else { 0.0 },
            1.0,
        );
        let report = compare(&shifted, &flee(), &Criteria::synthetic());
        assert!(!report.passed(), "{report}");
        assert!(report.failing_cells() >= 6, "{report}");
        assert!(
            report
                .cells
                .iter()
                .filter(|c| !c.passed())
                .all(|c| c.column == "B" || c.column == "camps total"),
            "{report}"
        );
        let text = report.to_string();
        assert!(text.contains("FAILED"), "{text}");
    }

    #[test]
    fn too_wide_a_spread_fails() {
        let report = compare(&ours(|_, _, _| 0.0, 2.0), &flee(), &Criteria::synthetic());
        let spread = report
            .spread
            .as_ref()
            .expect("synthetic criteria test spreads");
        assert!(spread.share_outside() > 0.5, "{report}");
        assert!(!report.passed(), "{report}");
    }

    #[test]
    fn deterministic_columns_must_agree() {
        let mut reference = flee();
        reference.days[5].camp_data[2] += 1;
        reference.days[7].agents_total_mean = Some(601.0);
        let report = compare(
            &ours(|_, _, _| 0.0, 1.0),
            &reference,
            &Criteria::synthetic(),
        );
        assert_eq!(report.exact.mismatch_count, 2, "{report}");
        assert!(!report.passed());
    }

    #[test]
    fn extra_camps_are_left_out() {
        let mut reference = flee();
        reference.camps.remove(2);
        for day in &mut reference.days {
            day.camp_mean.remove(2);
            day.camp_sd.remove(2);
            day.camp_data.remove(2);
        }
        reference.replica = None;
        let ours = ours(|_, _, _| 0.0, 1.0);
        let report = compare(&ours, &reference, &Criteria::synthetic());
        assert_eq!(report.camps, vec!["A", "B"]);
        assert_eq!(report.notes.len(), 1, "{report}");
        // The camps total now has C in the reference but not in ours: it fails.
        assert!(
            report
                .cells
                .iter()
                .any(|c| c.column == "camps total" && !c.passed())
        );
    }

    #[test]
    fn small_references_also_accept_the_own_sd_form() {
        let criteria = Criteria::real(0.0);
        let ours = MeanSd {
            mean: 100.0,
            sd: 10.0,
        };
        let flee = MeanSd {
            mean: 110.0,
            sd: 0.5,
        };
        // Welch: 4·√(100/40 + 0.25/4) + 1 = 7.40 < 10; own: 4·10·√(1/40 + 1/4) + 1 = 21.98.
        let small = Cell::evaluate(0, "A", ours, flee, (40.0, 4.0), true, &criteria);
        assert!(small.passed());
        assert!(small.difference > small.welch_bound);
        let large = Cell::evaluate(0, "A", ours, flee, (40.0, 4.0), false, &criteria);
        assert!(!large.passed());
        assert!((large.welch_bound - (4.0 * (2.5_f64 + 0.0625).sqrt() + 1.0)).abs() < 1e-12);
    }

    #[test]
    fn drifts_are_noted() {
        // Camp C about 0.8 of its bound above Flee from day 10 on: every cell passes, but they
        // all lean the same way.
        let shifted = ours(
            |c, t, sd| {
                if c == 2 && t >= 10 {
                    0.8 * (4.0 * sd * (2.0_f64 / 100.0).sqrt() + 1.0)
                } else {
                    0.0
                }
            },
            1.0,
        );
        let report = compare(&shifted, &flee(), &Criteria::synthetic());
        let drifts = report.drifts();
        assert!(
            drifts
                .iter()
                .any(|d| d.column == "C" && d.above && d.checkpoints >= 5),
            "{report}"
        );
        assert!(
            report.to_string().contains("pattern: C above Flee"),
            "{report}"
        );
    }

    #[test]
    fn allowances() {
        assert_eq!(Allowance::Share(0.01).of(248), 2);
        assert_eq!(Allowance::Share(0.01).of(1245), 12);
        assert_eq!(Allowance::Cells(1).of(36), 1);
    }
}
