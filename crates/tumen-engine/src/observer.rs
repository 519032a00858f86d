//! Observers: read-only views of each simulated day, pushed by the engine.

use tumen_core::Day;

/// What an observer sees at the end of a day.
#[derive(Debug)]
pub struct DayView<'a> {
    /// The day just simulated.
    pub day: Day,
    /// Agents at each location (agents on links excluded).
    pub location_counts: &'a [u64],
    /// Agents on each link.
    pub link_counts: &'a [u64],
    /// Every agent, travelling or not.
    pub agents_total: u64,
    /// Agents spawned today.
    pub spawned_today: u64,
    /// Flee's `raw UNHCR refugee count`: the cumulative observed total driving the spawn.
    pub raw_total: i64,
    /// Flee's `refugee_debt`.
    pub debt: i64,
    /// Per location: is a camp today.
    pub camp: &'a [bool],
    /// Per link: open today (closures of the day applied before anyone moved).
    pub link_open: &'a [bool],
    /// People per category (see [`crate::CATEGORIES`]; empty for a plain Flee run).
    pub status_counts: &'a [u64],
    /// Today's events (see [`crate::EVENTS`], then detentions per enforcement region, then
    /// claims per asylum channel; empty for a plain Flee run).
    pub events: &'a [u64],
    /// Enforcement intensity per region today (daily detection probability at multipliers 1).
    pub enforcement: &'a [f64],
}

/// Receives the simulation's days. Observers never change the simulation.
pub trait Observer {
    /// Called once at the end of each simulated day.
    ///
    /// # Errors
    /// An observer may fail (for example when a file cannot be written); the run stops.
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError>;
}

/// An observer's failure, with a message for the user.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ObserverError {
    /// What went wrong.
    pub message: String,
}

/// An observer that does nothing.
impl Observer for () {
    fn on_day(&mut self, _view: &DayView<'_>) -> Result<(), ObserverError> {
        Ok(())
    }
}

/// An observer that is there or not (for example only for one replica of an ensemble).
impl<A: Observer> Observer for Option<A> {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        match self {
            Some(observer) => observer.on_day(view),
            None => Ok(()),
        }
    }
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        self.0.on_day(view)?;
        self.1.on_day(view)
    }
}
