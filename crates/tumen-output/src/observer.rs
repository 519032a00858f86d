//! The observer that builds Flee's `out.csv` table while a run goes.

use crate::table::{FleeRow, FleeTable};
use tumen_core::{LocationId, Scenario, Series};
use tumen_engine::{DayView, EngineError, Observer, ObserverError, Simulation};

/// Collects one [`FleeRow`] per day for the reported camps.
#[derive(Debug)]
pub struct FleeTableObserver {
    camps: Vec<LocationId>,
    series: Vec<Option<Series>>,
    start_date: tumen_core::Date,
    table: FleeTable,
}

impl FleeTableObserver {
    /// An observer for the camps a simulation reports.
    #[must_use]
    pub fn new(simulation: &Simulation) -> Self {
        Self::for_model(simulation.model())
    }

    /// An observer for the camps a model reports (for a run resumed from a checkpoint).
    #[must_use]
    pub fn for_model(model: &tumen_engine::Model) -> Self {
        let scenario: &Scenario = &model.scenario;
        let camps = model.reported_camps.clone();
        let series = camps
            .iter()
            .map(|&camp| scenario.observations.camp(camp).cloned())
            .collect();
        let names = camps
            .iter()
            .map(|&camp| scenario.network.location(camp).name.clone())
            .collect();
        Self {
            camps,
            series,
            start_date: scenario.start_date,
            table: FleeTable {
                camps: names,
                rows: Vec::with_capacity(scenario.days as usize),
            },
        }
    }

    /// The table so far.
    #[must_use]
    pub fn table(&self) -> &FleeTable {
        &self.table
    }

    /// The finished table.
    #[must_use]
    pub fn into_table(self) -> FleeTable {
        self.table
    }
}

impl Observer for FleeTableObserver {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        let day = i64::from(view.day.0);
        let sim = self
            .camps
            .iter()
            .map(|camp| view.location_counts[camp.index()])
            .collect();
        let data = self
            .series
            .iter()
            .map(|series| series.as_ref().map_or(0, |s| s.value_at(day)))
            .collect();
        let date = self
            .start_date
            .checked_add(jiff_days(day))
            .map_or_else(|_| String::new(), |d| d.to_string());
        self.table.rows.push(FleeRow::new(
            view.day.0,
            date,
            sim,
            data,
            view.agents_total,
            view.raw_total,
            view.debt,
        ));
        Ok(())
    }
}

fn jiff_days(days: i64) -> jiff::Span {
    jiff::Span::new().days(days)
}

/// Runs one replica of `scenario` with `seed` and returns its `out.csv` table.
///
/// # Errors
/// When the engine cannot run the scenario.
pub fn run_to_table(scenario: &Scenario, seed: u64) -> Result<FleeTable, EngineError> {
    let mut simulation = Simulation::new(scenario.clone(), seed)?;
    let mut observer = FleeTableObserver::new(&simulation);
    simulation.run(&mut observer)?;
    Ok(observer.into_table())
}
