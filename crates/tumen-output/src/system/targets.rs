//! Calibration targets (`tumen_core::TargetRow`, read by `tumen-scenario`): their evaluation
//! over an ensemble.

use super::*;
use jiff::civil::Date;
use tumen_core::TargetRow;
use tumen_engine::CATEGORIES;

impl SystemEnsemble {
    /// Evaluates calibration targets over the replicas. Rows that cannot be evaluated get a
    /// [`TargetOutcome::Failed`] with the reason, rows whose dates the run does not cover a
    /// [`TargetOutcome::OutsideRun`]; rows without a measure are
    /// [`TargetOutcome::NotSimulated`].
    #[must_use]
    pub fn evaluate_targets(&self, targets: &[TargetRow]) -> Vec<TargetResult> {
        targets.iter().map(|row| self.evaluate(row)).collect()
    }

    fn evaluate(&self, row: &TargetRow) -> TargetResult {
        let outcome = match self.values_of(row) {
            Ok(None) => TargetOutcome::NotSimulated,
            Ok(Some(values)) => {
                let band = Band::of(values);
                if band.median.is_nan() {
                    TargetOutcome::Failed(
                        "no replica gives a value (a ratio of zero over zero in every replica)"
                            .to_owned(),
                    )
                } else {
                    let inside = is_inside(row.low, row.high, &band);
                    TargetOutcome::Evaluated { band, inside }
                }
            }
            Err(Unevaluable {
                reason,
                outside_run: true,
            }) => TargetOutcome::OutsideRun(reason),
            Err(Unevaluable { reason, .. }) => TargetOutcome::Failed(reason),
        };
        TargetResult {
            target: row.target.clone(),
            documented_low: row.documented_low.clone(),
            documented_high: row.documented_high.clone(),
            outcome,
        }
    }

    /// Per replica, the value of a target's measure (`None`: the row has no measure).
    fn values_of(&self, row: &TargetRow) -> Result<Option<Vec<f64>>, Unevaluable> {
        if row.measure.trim().is_empty() {
            return Ok(None);
        }
        let days = u32::try_from(self.days()).unwrap_or(u32::MAX);
        let measure = Measure::compile(row, &self.layout, days)?;
        Ok(Some(
            self.replicas.iter().map(|r| measure.value(r)).collect(),
        ))
    }
}

/// What became of one target.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetOutcome {
    /// Evaluated over the replicas.
    Evaluated {
        /// The simulated values over replicas.
        band: Band,
        /// Whether the target is met, by the rule of `is_inside`: the 5–95 % band overlaps
        /// a two-sided documented range; the median respects a one-sided bound.
        inside: bool,
    },
    /// The row has no measure: the model does not simulate it.
    NotSimulated,
    /// The row cannot be evaluated; the reason.
    Failed(String),
    /// The row's dates lie outside the simulated days (a shortened run); the reason.
    OutsideRun(String),
}

/// One row of the written `targets.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetResult {
    /// The target's name.
    pub target: String,
    /// The lower bound as written.
    pub documented_low: String,
    /// The upper bound as written.
    pub documented_high: String,
    /// The outcome.
    pub outcome: TargetOutcome,
}

impl TargetResult {
    /// Whether the target is met (`None`: not evaluated): the 5–95 % band overlaps a
    /// two-sided documented range, the median respects a one-sided bound (`is_inside`).
    #[must_use]
    pub fn inside(&self) -> Option<bool> {
        match self.outcome {
            TargetOutcome::Evaluated { inside, .. } => Some(inside),
            _ => None,
        }
    }
}

/// Whether a target is met. A documented value or range with both bounds (an official count,
/// or a survey's range): it overlaps the ensemble's 5-95 % band (no model reproduces an exact
/// count, but its band must cover it; with replicas drawn from a posterior the band carries the
/// parameters' uncertainty, and the question is whether the documented figure is among the
/// outcomes the fitted model finds plausible). A one-sided bound (an upper envelope, a lower
/// bound): the simulated median respects it.
pub(super) fn is_inside(low: Option<f64>, high: Option<f64>, band: &Band) -> bool {
    match (low, high) {
        (Some(low), Some(high)) => band.p05 <= high && low <= band.p95,
        _ => {
            low.is_none_or(|low| band.median >= low) && high.is_none_or(|high| band.median <= high)
        }
    }
}

/// Why a target cannot be evaluated.
#[derive(Debug)]
struct Unevaluable {
    reason: String,
    /// Its dates lie outside the simulated days (everything else is right).
    outside_run: bool,
}

impl From<String> for Unevaluable {
    fn from(reason: String) -> Self {
        Self {
            reason,
            outside_run: false,
        }
    }
}

/// A target's measure, resolved against a layout.
#[derive(Clone, Debug, PartialEq)]
enum Measure {
    /// Sum of event slots over days `first..=last`.
    Sum {
        slots: Vec<usize>,
        first: usize,
        last: usize,
    },
    /// Sum of categories on `day`.
    Stock { categories: Vec<usize>, day: usize },
    /// The calendar year with the largest sum of the slots over `first..=last` (the earliest
    /// on ties).
    PeakYear {
        slots: Vec<usize>,
        years: Vec<(i16, usize, usize)>,
    },
    /// Mean daily sum over `first..=last` over the mean over as many days before.
    Ratio {
        slots: Vec<usize>,
        first: usize,
        last: usize,
    },
    /// The sum of the `part` slots over `first..=last` divided by the sum of the `whole`
    /// slots over the same days (a share, such as the women among the arrivals).
    Share {
        part: Vec<usize>,
        whole: Vec<usize>,
        first: usize,
        last: usize,
    },
}

impl Measure {
    fn compile(row: &TargetRow, layout: &SystemLayout, days: u32) -> Result<Self, Unevaluable> {
        let measure = row.measure.trim();
        match measure {
            "sum" => {
                let slots = event_slots(row, layout)?;
                let (first, last) = period(row, layout, days, false)?;
                Ok(Self::Sum { slots, first, last })
            }
            "stock" => {
                let categories = row
                    .quantity
                    .split('+')
                    .map(|name| {
                        let name = name.trim();
                        CATEGORIES.iter().position(|&c| c == name).ok_or_else(|| {
                            format!(
                                "unknown category `{name}` in quantity `{}` (known: {})",
                                row.quantity,
                                CATEGORIES.join(", ")
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let text = if row.end.is_empty() {
                    &row.start
                } else {
                    &row.end
                };
                let day = day_in_run(text, "end", layout, days)?;
                Ok(Self::Stock { categories, day })
            }
            "peak_year" => {
                let slots = event_slots(row, layout)?;
                let (first, last) = period(row, layout, days, true)?;
                let mut years: Vec<(i16, usize, usize)> = Vec::new();
                for day in first..=last {
                    let year = layout.date(u32::try_from(day).unwrap_or(u32::MAX)).year();
                    match years.last_mut() {
                        Some(entry) if entry.0 == year => entry.2 = day,
                        _ => years.push((year, day, day)),
                    }
                }
                Ok(Self::PeakYear { slots, years })
            }
            "ratio_to_before" => {
                let slots = event_slots(row, layout)?;
                let (first, last) = period(row, layout, days, false)?;
                let length = last - first + 1;
                if first < length {
                    return Err(Unevaluable {
                        reason: format!(
                            "the {length} days before {} start before the first simulated day ({})",
                            row.start, layout.start_date
                        ),
                        outside_run: true,
                    });
                }
                Ok(Self::Ratio { slots, first, last })
            }
            "share" => {
                let Some((part, whole)) = row.quantity.split_once('/') else {
                    return Err(format!(
                        "the quantity of a share is `<events>/<events>` (such as \
                         `asylum_exits_female/asylum_exits`), found `{}`",
                        row.quantity
                    )
                    .into());
                };
                let part = slots_of(part, &row.quantity, layout)?;
                let whole = slots_of(whole, &row.quantity, layout)?;
                let (first, last) = period(row, layout, days, false)?;
                Ok(Self::Share {
                    part,
                    whole,
                    first,
                    last,
                })
            }
            other => Err(format!(
                "unknown measure `{other}` (expected sum, stock, peak_year, ratio_to_before or \
                 share)"
            )
            .into()),
        }
    }

    fn value(&self, record: &SystemRecord) -> f64 {
        let sum = |slots: &[usize], first: usize, last: usize| -> u64 {
            (first..=last)
                .map(|day| slots.iter().map(|&s| record.event(day, s)).sum::<u64>())
                .sum()
        };
        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
        match self {
            Self::Sum { slots, first, last } => sum(slots, *first, *last) as f64,
            Self::Stock { categories, day } => categories
                .iter()
                .map(|&c| record.category(*day, c))
                .sum::<u64>() as f64,
            Self::PeakYear { slots, years } => {
                let mut best: Option<(i16, u64)> = None;
                for &(year, first, last) in years {
                    let total = sum(slots, first, last);
                    if best.is_none_or(|(_, b)| total > b) {
                        best = Some((year, total));
                    }
                }
                best.map_or(f64::NAN, |(year, _)| f64::from(year))
            }
            Self::Ratio { slots, first, last } => {
                let length = last - first + 1;
                let after = sum(slots, *first, *last) as f64;
                let before = sum(slots, first - length, first - 1) as f64;
                // Same number of days on both sides: the ratio of sums is the ratio of means.
                if before == 0.0 {
                    if after == 0.0 {
                        f64::NAN
                    } else {
                        f64::INFINITY
                    }
                } else {
                    after / before
                }
            }
            Self::Share {
                part,
                whole,
                first,
                last,
            } => {
                let whole = sum(whole, *first, *last) as f64;
                if whole == 0.0 {
                    f64::NAN
                } else {
                    sum(part, *first, *last) as f64 / whole
                }
            }
        }
    }
}

fn event_slots(row: &TargetRow, layout: &SystemLayout) -> Result<Vec<usize>, String> {
    slots_of(&row.quantity, &row.quantity, layout)
}

/// The event slots of `names` (`a+b+...`), a part of the row's `quantity`.
fn slots_of(names: &str, quantity: &str, layout: &SystemLayout) -> Result<Vec<usize>, String> {
    if names.trim().is_empty() {
        return Err(format!("the quantity `{quantity}` names no event"));
    }
    names
        .split('+')
        .map(|name| {
            let name = name.trim();
            layout.event_slot(name).ok_or_else(|| {
                format!(
                    "unknown event `{name}` in quantity `{quantity}` (known: {})",
                    layout.event_names.join(", ")
                )
            })
        })
        .collect()
}

fn parse_date(text: &str, column: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| format!("`{column}` is `{text}`, not an ISO date (YYYY-MM-DD)"))
}

fn day_in_run(
    text: &str,
    column: &str,
    layout: &SystemLayout,
    days: u32,
) -> Result<usize, Unevaluable> {
    if text.trim().is_empty() {
        return Err(format!("`{column}` is empty").into());
    }
    let date = parse_date(text, column)?;
    match layout.day_of(date) {
        Some(day) if day >= 0 && day < i64::from(days) => {
            usize::try_from(day).map_err(|_| format!("`{column}` {text} is out of range").into())
        }
        _ => Err(Unevaluable {
            reason: format!(
                "{text} is outside the simulated days ({} to {})",
                layout.start_date,
                layout.date(days.saturating_sub(1))
            ),
            outside_run: true,
        }),
    }
}

/// The days `start..=end` of a row; with `whole_run_if_empty`, an empty start or end means
/// the run's first or last day.
fn period(
    row: &TargetRow,
    layout: &SystemLayout,
    days: u32,
    whole_run_if_empty: bool,
) -> Result<(usize, usize), Unevaluable> {
    if days == 0 {
        return Err("nothing was simulated".to_owned().into());
    }
    let first = if whole_run_if_empty && row.start.is_empty() {
        0
    } else {
        day_in_run(&row.start, "start", layout, days)?
    };
    let last = if whole_run_if_empty && row.end.is_empty() {
        days as usize - 1
    } else {
        day_in_run(&row.end, "end", layout, days)?
    };
    if first > last {
        return Err(format!("start {} is after end {}", row.start, row.end).into());
    }
    Ok((first, last))
}
