//! Period sums: one replica's days per calendar year or week, and per period over an ensemble.

use super::*;
use jiff::civil::Date;
use tumen_engine::CATEGORIES;

/// The quantities written per year and per week, in column order.
pub const QUANTITIES: [&str; 5] = [
    "crossings",
    "returns",
    "deportations",
    "asylum_exits",
    "hidden",
];

/// The engine event behind each summed quantity (the first four of [`QUANTITIES`]).
const QUANTITY_EVENTS: [&str; 4] = ["crossings", "returns", "detentions", "asylum_exits"];

/// The categories counted as hiding in an irregular country.
const HIDING: [&str; 3] = ["hidden", "seeking_asylum", "returning"];

/// How days are grouped.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Periods {
    /// Calendar years.
    Years,
    /// Seven-day weeks from the start date.
    Weeks,
}

/// One period of one replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// The calendar year (of the first day, for a week).
    pub year: i16,
    /// Date of the period's first simulated day.
    pub start: Date,
    /// First and last simulated day of the period.
    pub first_day: u32,
    /// Last simulated day of the period (inclusive).
    pub last_day: u32,
    /// The [`QUANTITIES`], in order.
    pub values: [u64; 5],
}

pub(super) fn category_index(name: &str) -> usize {
    CATEGORIES.iter().position(|&c| c == name).unwrap_or(0)
}

/// The periods of days `0..days`: `(first, last)` inclusive.
pub(super) fn period_bounds(layout: &SystemLayout, days: u32, periods: Periods) -> Vec<(u32, u32)> {
    let mut bounds: Vec<(u32, u32)> = Vec::new();
    for day in 0..days {
        let new_period = match periods {
            Periods::Weeks => day % 7 == 0,
            Periods::Years => day == 0 || layout.date(day).year() != layout.date(day - 1).year(),
        };
        match bounds.last_mut() {
            Some(last) if !new_period => last.1 = day,
            _ => bounds.push((day, day)),
        }
    }
    bounds
}

/// Sums one replica's days per period.
#[must_use]
pub fn aggregate(layout: &SystemLayout, record: &SystemRecord, periods: Periods) -> Vec<Period> {
    let days = u32::try_from(record.status.len().max(record.events.len())).unwrap_or(u32::MAX);
    let slots: Vec<Option<usize>> = QUANTITY_EVENTS
        .iter()
        .map(|e| layout.event_slot(e))
        .collect();
    let hiding: Vec<usize> = HIDING.iter().map(|c| category_index(c)).collect();
    period_bounds(layout, days, periods)
        .into_iter()
        .map(|(first, last)| {
            let mut values = [0_u64; 5];
            for day in first..=last {
                for (value, slot) in values.iter_mut().zip(&slots) {
                    if let Some(slot) = *slot {
                        *value += record.event(day as usize, slot);
                    }
                }
            }
            values[4] = hiding
                .iter()
                .map(|&c| record.category(last as usize, c))
                .sum();
            let start = layout.date(first);
            Period {
                year: start.year(),
                start,
                first_day: first,
                last_day: last,
                values,
            }
        })
        .collect()
}

/// The replicas of one scenario, as recorded by [`SystemObserver`].
#[derive(Clone, Debug, PartialEq)]
pub struct SystemEnsemble {
    /// What the numbers refer to.
    pub layout: SystemLayout,
    /// The replicas, in index order.
    pub replicas: Vec<SystemRecord>,
}

impl SystemEnsemble {
    /// Days recorded (the shortest replica's).
    #[must_use]
    pub fn days(&self) -> usize {
        self.replicas
            .iter()
            .map(|r| r.status.len().min(r.events.len()))
            .min()
            .unwrap_or(0)
    }

    /// Each replica's periods.
    #[must_use]
    pub fn replica_periods(&self, periods: Periods) -> Vec<Vec<Period>> {
        self.replicas
            .iter()
            .map(|r| aggregate(&self.layout, r, periods))
            .collect()
    }

    /// The periods summarised over replicas.
    #[must_use]
    pub fn periods(&self, periods: Periods) -> Vec<PeriodBands> {
        let per_replica = self.replica_periods(periods);
        let Some(first) = per_replica.first() else {
            return Vec::new();
        };
        first
            .iter()
            .enumerate()
            .map(|(index, period)| PeriodBands {
                year: period.year,
                start: period.start,
                bands: std::array::from_fn(|q| {
                    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
                    Band::of(
                        per_replica
                            .iter()
                            .filter_map(|r| r.get(index))
                            .map(|p| p.values[q] as f64),
                    )
                }),
            })
            .collect()
    }
}
