//! The outcome of a comparison: every check with its numbers, the verdict, and a readable account.

use crate::compare::{Criteria, SpreadCriteria};
use crate::stats::MeanSd;
use std::fmt;

/// Most mismatch lines kept in [`ExactCheck::mismatches`].
const MAX_MISMATCHES: usize = 25;
/// Cells listed as the worst in the account.
const WORST_CELLS: usize = 8;

/// The result of [`crate::compare`].
#[derive(Clone, Debug)]
pub struct ParityReport {
    /// Scenario (the reference folder's name).
    pub scenario: String,
    /// The criteria applied.
    pub criteria: Criteria,
    /// Tumen's replicas.
    pub replicas_ours: usize,
    /// Flee's replicas.
    pub replicas_flee: usize,
    /// The camps compared (Flee's camps that Tumen reports, in Flee's order).
    pub camps: Vec<String>,
    /// Days compared.
    pub days: usize,
    /// Test 1: the columns that are the same in every run.
    pub exact: ExactCheck,
    /// Remarks that do not affect the verdict.
    pub notes: Vec<String>,
    /// Test 2: every checkpoint cell (day, camp or `camps total`).
    pub cells: Vec<Cell>,
    /// Test 3: the distance between the ensemble-mean trajectories.
    pub trajectory: TrajectoryCheck,
    /// Test 4: the validation metric, normal and rescaled.
    pub metrics: Vec<MetricCheck>,
    /// Test 5: spreads (where the criteria ask for it).
    pub spread: Option<SpreadCheck>,
}

/// Deterministic columns compared exactly.
#[derive(Clone, Debug, Default)]
pub struct ExactCheck {
    /// Days checked.
    pub checked: usize,
    /// Every difference found (the first ones).
    pub mismatches: Vec<String>,
    /// The number of differences found.
    pub mismatch_count: usize,
}

impl ExactCheck {
    pub(crate) fn mismatch(&mut self, line: String) {
        self.mismatch_count += 1;
        if self.mismatches.len() < MAX_MISMATCHES {
            self.mismatches.push(line);
        }
    }
}

/// One checkpoint cell: a camp (or the camps total) on a checkpoint day.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The day.
    pub day: u32,
    /// Camp name, or `camps total`.
    pub column: String,
    /// Tumen's mean and sd.
    pub ours: MeanSd,
    /// Flee's mean and sd.
    pub flee: MeanSd,
    /// `|m_ours − m_flee|`.
    pub difference: f64,
    /// `σ·√(sd_ours²/R_ours + sd_flee²/R_flee) + max(1, r·m_flee)`.
    pub welch_bound: f64,
    /// For small references: `σ·sd_ours·√(1/R_ours + 1/R_flee) + max(1, r·m_flee)`.
    pub own_bound: Option<f64>,
    /// The bound applied: the larger of the two.
    pub bound: f64,
}

impl Cell {
    /// Whether the difference is within the bound.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.difference <= self.bound
    }

    /// `difference / bound`: above 1 fails.
    #[must_use]
    pub fn excess(&self) -> f64 {
        self.difference / self.bound
    }
}

/// A column whose checkpoint cells lean the same way for several checkpoints in a row, each
/// beyond half its bound: a pattern worth a look even when every cell passes (informational).
#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    /// Camp name, or `camps total`.
    pub column: String,
    /// First day of the run.
    pub first_day: u32,
    /// Last day of the run.
    pub last_day: u32,
    /// Checkpoints in the run.
    pub checkpoints: usize,
    /// Whether Tumen lies above Flee (else below).
    pub above: bool,
    /// The largest `|Δ| / bound` in the run.
    pub max_excess: f64,
}

/// Cells in a drift lean beyond this share of their bound…
const DRIFT_EXCESS: f64 = 0.5;
/// …for at least this many checkpoints in a row.
const DRIFT_RUN: usize = 5;

/// The distance D between the ensemble-mean trajectories and the value expected at parity.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrajectoryCheck {
    /// D = mean over days of Σ_c |m_ours − m_flee| / max(Σ_c m_flee, 1).
    pub d: f64,
    /// Flee against itself (two halves).
    pub split_half: f64,
    /// The split-half value scaled to R_ours against R_flee.
    pub expected: f64,
    /// `factor·expected + slack`.
    pub bound: f64,
}

impl TrajectoryCheck {
    /// Whether D is within its bound.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.d <= self.bound
    }
}

/// Flee's validation metric (normal or rescaled) compared over replicas.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricCheck {
    /// `normal` or `rescaled`.
    pub name: &'static str,
    /// Tumen's mean and sd over replicas.
    pub ours: MeanSd,
    /// Flee's.
    pub flee: MeanSd,
    /// `|mean_ours − mean_flee|`.
    pub difference: f64,
    /// `σ·√(sd_ours²/R_ours + sd_flee²/R_flee) + slack`.
    pub bound: f64,
    /// The absolute limit on the difference.
    pub max_difference: f64,
}

impl MetricCheck {
    /// Whether the difference is within both the bound and the absolute limit.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.difference <= self.bound && self.difference <= self.max_difference
    }
}

/// Spread ratios `sd_ours / sd_flee` on the checkpoint cells whose Flee sd is large enough.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpreadCheck {
    /// The thresholds.
    pub criteria: SpreadCriteria,
    /// Cells considered.
    pub cells: usize,
    /// Cells outside the range: (day, column, ratio).
    pub outside: Vec<(u32, String, f64)>,
    /// Smallest ratio seen.
    pub min_ratio: Option<f64>,
    /// Largest ratio seen.
    pub max_ratio: Option<f64>,
}

impl Default for SpreadCriteria {
    fn default() -> Self {
        Self {
            min_sd_flee: 3.0,
            low: 0.7,
            high: 1.4,
            allowed_share: 0.05,
        }
    }
}

impl SpreadCheck {
    /// Share of the considered cells outside the range (0 when none is considered).
    #[must_use]
    pub fn share_outside(&self) -> f64 {
        if self.cells == 0 {
            0.0
        } else {
            self.outside.len() as f64 / self.cells as f64
        }
    }

    /// Whether the share outside is within the allowance.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.share_outside() <= self.criteria.allowed_share
    }
}

impl ParityReport {
    /// Checkpoint cells that fail.
    #[must_use]
    pub fn failing_cells(&self) -> usize {
        self.cells.iter().filter(|c| !c.passed()).count()
    }

    /// Checkpoint cells that fail the Welch form alone.
    #[must_use]
    pub fn failing_cells_welch(&self) -> usize {
        self.cells
            .iter()
            .filter(|c| c.difference > c.welch_bound)
            .count()
    }

    /// Checkpoint cells that fail the own-sd form alone (for small references).
    #[must_use]
    pub fn failing_cells_own_sd(&self) -> Option<usize> {
        self.cells.first()?.own_bound?;
        Some(
            self.cells
                .iter()
                .filter(|c| c.own_bound.is_some_and(|b| c.difference > b))
                .count(),
        )
    }

    /// Columns leaning the same way beyond half their bound on at least 5 checkpoints in a row
    /// (informational: not part of the verdict).
    #[must_use]
    pub fn drifts(&self) -> Vec<Drift> {
        let mut columns: Vec<&str> = self.camps.iter().map(String::as_str).collect();
        columns.push("camps total");
        let mut drifts = Vec::new();
        for column in columns {
            let mut run: Vec<&Cell> = Vec::new();
            let cells = self.cells.iter().filter(|c| c.column == column);
            for cell in cells.map(Some).chain(std::iter::once(None)) {
                let above = |c: &Cell| c.ours.mean > c.flee.mean;
                let continues = cell.is_some_and(|c| {
                    c.excess() > DRIFT_EXCESS && run.first().is_none_or(|r| above(r) == above(c))
                });
                if continues {
                    run.extend(cell);
                    continue;
                }
                if let (true, Some(first), Some(last)) =
                    (run.len() >= DRIFT_RUN, run.first(), run.last())
                {
                    drifts.push(Drift {
                        column: column.to_owned(),
                        first_day: first.day,
                        last_day: last.day,
                        checkpoints: run.len(),
                        above: above(first),
                        max_excess: run.iter().map(|c| c.excess()).fold(0.0, f64::max),
                    });
                }
                run.clear();
                if let Some(c) = cell.filter(|c| c.excess() > DRIFT_EXCESS) {
                    run.push(c);
                }
            }
        }
        drifts
    }

    /// Failing checkpoint cells allowed by the criteria.
    #[must_use]
    pub fn allowed_failing_cells(&self) -> usize {
        self.criteria.allowed_failing.of(self.cells.len())
    }

    /// Why the comparison fails: one line per failed test (empty when it passes).
    #[must_use]
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if self.exact.mismatch_count > 0 {
            failures.push(format!(
                "deterministic columns: {} difference(s)",
                self.exact.mismatch_count
            ));
        }
        if self.cells.is_empty() {
            failures.push("no checkpoint cells to compare".to_owned());
        }
        if self.failing_cells() > self.allowed_failing_cells() {
            failures.push(format!(
                "checkpoint test: {} of {} cells fail, {} allowed",
                self.failing_cells(),
                self.cells.len(),
                self.allowed_failing_cells()
            ));
        }
        if !self.trajectory.passed() {
            failures.push(format!(
                "trajectory: D = {:.4} > {:.4}",
                self.trajectory.d, self.trajectory.bound
            ));
        }
        for metric in &self.metrics {
            if !metric.passed() {
                failures.push(format!(
                    "validation metric ({}): |Δ| = {:.4} > min({:.4}, {})",
                    metric.name, metric.difference, metric.bound, metric.max_difference
                ));
            }
        }
        if let Some(spread) = self.spread.as_ref().filter(|s| !s.passed()) {
            failures.push(format!(
                "spread: {} of {} cells outside {}–{} ({:.1} %, {:.1} % allowed)",
                spread.outside.len(),
                spread.cells,
                spread.criteria.low,
                spread.criteria.high,
                100.0 * spread.share_outside(),
                100.0 * spread.criteria.allowed_share
            ));
        }
        failures
    }

    /// The verdict: every test within its criteria.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }
}

impl fmt::Display for ParityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        writeln!(
            f,
            "Parity with Flee 3.1 — {}: {verdict} (Tumen R = {}, Flee R = {}, {} days, r = {})",
            self.scenario,
            self.replicas_ours,
            self.replicas_flee,
            self.days,
            self.criteria.relative_tolerance
        )?;
        for failure in self.failures() {
            writeln!(f, "  ✗ {failure}")?;
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }

        writeln!(
            f,
            "1. Deterministic columns (camp data, agent total, raw total, debt):"
        )?;
        if self.exact.mismatch_count == 0 {
            writeln!(f, "   identical on all {} days", self.exact.checked)?;
        } else {
            writeln!(f, "   {} difference(s):", self.exact.mismatch_count)?;
            for line in &self.exact.mismatches {
                writeln!(f, "   - {line}")?;
            }
        }

        self.fmt_checkpoints(f)?;

        let t = &self.trajectory;
        writeln!(
            f,
            "3. Trajectory: D = {:.4}; expected {:.4} (split half {:.4}); bound {:.4}: {}",
            t.d,
            t.expected,
            t.split_half,
            t.bound,
            ok(t.passed())
        )?;
        writeln!(f, "4. Validation metric (ARD, mean ± sd over replicas):")?;
        for m in &self.metrics {
            writeln!(
                f,
                "   {:<8} Tumen {:.4} ± {:.4}, Flee {:.4} ± {:.4}: |Δ| {:.4} (bound {:.4}, limit {}): {}",
                m.name,
                m.ours.mean,
                m.ours.sd,
                m.flee.mean,
                m.flee.sd,
                m.difference,
                m.bound,
                m.max_difference,
                ok(m.passed())
            )?;
        }
        if let Some(s) = &self.spread {
            write!(
                f,
                "5. Spread sd_Tumen/sd_Flee on {} cells with sd_Flee ≥ {}: ",
                s.cells, s.criteria.min_sd_flee
            )?;
            if let (Some(lo), Some(hi)) = (s.min_ratio, s.max_ratio) {
                write!(f, "range {lo:.2}–{hi:.2}, ")?;
            }
            writeln!(
                f,
                "{} outside {}–{} ({:.1} %, {:.1} % allowed): {}",
                s.outside.len(),
                s.criteria.low,
                s.criteria.high,
                100.0 * s.share_outside(),
                100.0 * s.criteria.allowed_share,
                ok(s.passed())
            )?;
            for (day, column, ratio) in s.outside.iter().take(WORST_CELLS) {
                writeln!(f, "   - day {day} {column}: {ratio:.2}")?;
            }
        }
        Ok(())
    }
}

impl ParityReport {
    fn fmt_checkpoints(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = format!(
            "2. Checkpoint test ({} cells): {} failing, {} allowed",
            self.cells.len(),
            self.failing_cells(),
            self.allowed_failing_cells()
        );
        if let Some(own) = self.failing_cells_own_sd() {
            line.push_str(&format!(
                " (a cell fails when it fails both forms; Welch form alone {}, own-sd form alone {own})",
                self.failing_cells_welch()
            ));
        }
        writeln!(f, "{line}")?;
        writeln!(
            f,
            "   {:<20} {:>5} {:>7} {:>11} {:>8}  {:>13}",
            "column", "cells", "failing", "worst day", "|Δ|/bnd", "sd ratio"
        )?;
        let mut columns: Vec<&str> = self.camps.iter().map(String::as_str).collect();
        columns.push("camps total");
        for column in columns {
            let cells: Vec<&Cell> = self.cells.iter().filter(|c| c.column == column).collect();
            let failing = cells.iter().filter(|c| !c.passed()).count();
            let worst = cells
                .iter()
                .max_by(|a, b| a.excess().total_cmp(&b.excess()));
            let ratios: Vec<f64> = cells
                .iter()
                .filter(|c| c.flee.sd > 0.0)
                .map(|c| c.ours.sd / c.flee.sd)
                .collect();
            let ratio_text = match (
                ratios.iter().copied().reduce(f64::min),
                ratios.iter().copied().reduce(f64::max),
            ) {
                (Some(lo), Some(hi)) => format!("{lo:.2}–{hi:.2}"),
                _ => "–".to_owned(),
            };
            let (worst_day, worst_excess) = worst.map_or((String::from("–"), 0.0), |c| {
                (c.day.to_string(), c.excess())
            });
            writeln!(
                f,
                "   {:<20} {:>5} {:>7} {:>11} {:>8.2}  {:>13}",
                column,
                cells.len(),
                failing,
                worst_day,
                worst_excess,
                ratio_text
            )?;
        }
        for drift in self.drifts() {
            writeln!(
                f,
                "   pattern: {} {} Flee on {} checkpoints in a row (days {}–{}), up to {:.2} of the bound",
                drift.column,
                if drift.above { "above" } else { "below" },
                drift.checkpoints,
                drift.first_day,
                drift.last_day,
                drift.max_excess
            )?;
        }
        let mut worst: Vec<&Cell> = self.cells.iter().collect();
        worst.sort_by(|a, b| b.excess().total_cmp(&a.excess()));
        writeln!(f, "   worst cells:")?;
        for c in worst.iter().take(WORST_CELLS) {
            writeln!(
                f,
                "   - day {} {}: Tumen {:.2} ± {:.2}, Flee {:.2} ± {:.2}, |Δ| {:.2} vs bound {:.2} ({:.2}){}",
                c.day,
                c.column,
                c.ours.mean,
                c.ours.sd,
                c.flee.mean,
                c.flee.sd,
                c.difference,
                c.bound,
                c.excess(),
                if c.passed() { "" } else { " FAIL" }
            )?;
        }
        Ok(())
    }
}

fn ok(passed: bool) -> &'static str {
    if passed { "ok" } else { "FAIL" }
}
