//! The recorder of each replica's days, and what its numbers refer to.

use jiff::civil::Date;
use tumen_core::Scenario;
use tumen_engine::{DayView, EVENTS, Observer, ObserverError};

/// What the numbers of a run refer to: the calendar and the names of the event slots.
#[derive(Clone, Debug, PartialEq)]
pub struct SystemLayout {
    /// Date of day 0.
    pub start_date: Date,
    /// Number of simulated days.
    pub days: u32,
    /// Name of each event slot: [`EVENTS`], then `detentions@<region>` per enforcement region,
    /// then `claims@<channel>` per asylum channel, then the attribute breakdowns
    /// (`tumen_engine::attribute_event_names`).
    pub event_names: Vec<String>,
}

impl SystemLayout {
    /// The layout of a scenario's runs.
    #[must_use]
    pub fn of(scenario: &Scenario) -> Self {
        let mechanisms = &scenario.mechanisms;
        let mut event_names: Vec<String> = EVENTS.iter().map(|&e| e.to_owned()).collect();
        if let Some(enforcement) = &mechanisms.enforcement {
            event_names.extend(
                enforcement
                    .regions
                    .iter()
                    .map(|r| format!("detentions@{}", r.name)),
            );
        }
        if let Some(asylum) = &mechanisms.asylum {
            event_names.extend(asylum.channels.iter().map(|c| format!("claims@{}", c.name)));
        }
        event_names.extend(tumen_engine::attribute_event_names(scenario));
        Self {
            start_date: scenario.start_date,
            days: scenario.days,
            event_names,
        }
    }

    /// The date of `day`.
    #[must_use]
    pub fn date(&self, day: u32) -> Date {
        self.start_date
            .checked_add(jiff::Span::new().days(i64::from(day)))
            .unwrap_or(self.start_date)
    }

    /// The day number of `date` (negative before the start).
    pub(super) fn day_of(&self, date: Date) -> Option<i64> {
        self.start_date
            .until(date)
            .ok()
            .map(|span| i64::from(span.get_days()))
    }

    pub(super) fn event_slot(&self, name: &str) -> Option<usize> {
        self.event_names.iter().position(|n| n == name)
    }
}

/// One replica's days: people per category and the day's events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemRecord {
    /// `[day][category]`, categories as in [`CATEGORIES`].
    pub status: Vec<Vec<u64>>,
    /// `[day][event slot]`, slots as in [`SystemLayout::event_names`].
    pub events: Vec<Vec<u64>>,
}

impl SystemRecord {
    pub(super) fn event(&self, day: usize, slot: usize) -> u64 {
        self.events
            .get(day)
            .and_then(|e| e.get(slot))
            .copied()
            .unwrap_or(0)
    }

    pub(super) fn category(&self, day: usize, category: usize) -> u64 {
        self.status
            .get(day)
            .and_then(|s| s.get(category))
            .copied()
            .unwrap_or(0)
    }
}

/// Records the categories and events of every day (nothing for a run without mechanisms).
#[derive(Debug, Default)]
pub struct SystemObserver {
    pub(super) record: SystemRecord,
}

impl SystemObserver {
    /// An empty recorder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// What was recorded.
    #[must_use]
    pub fn into_record(self) -> SystemRecord {
        self.record
    }
}

impl Observer for SystemObserver {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        if view.status_counts.is_empty() && view.events.is_empty() {
            return Ok(());
        }
        self.record.status.push(view.status_counts.to_vec());
        self.record.events.push(view.events.to_vec());
        Ok(())
    }
}
