//! The observer that builds Flee's `out.csv` table while a run goes.

use crate::table::{FleeRow, FleeTable};
use tumen_core::{LocationId, Observations, Scenario, Series};
use tumen_engine::{DayView, EngineError, Observer, ObserverError, Simulation};

/// Collects one [`FleeRow`] per day for the reported camps.
#[derive(Debug)]
pub struct FleeTableObserver {
    camps: Vec<LocationId>,
    series: Vec<Option<Series>>,
    start_date: tumen_core::Date,
    /// For a push-spawned scenario (mechanism `[[push]]`), which has no spawn total: the
    /// observations that give the `raw UNHCR refugee count` column its meaning.
    push_observations: Option<Observations>,
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
        let scenario: &Scenario = model.scenario();
        let camps = model.reported_camps().to_vec();
        let series = camps
            .iter()
            .map(|&camp| scenario.observations.camp(camp).cloned())
            .collect();
        let names = camps
            .iter()
            .map(|&camp| scenario.network.location(camp).name.clone())
            .collect();
        let push_observations =
            (!scenario.mechanisms.push.is_empty()).then(|| scenario.observations.clone());
        Self {
            camps,
            series,
            start_date: scenario.start_date,
            push_observations,
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
        let raw_total = self
            .push_observations
            .as_ref()
            .map_or(view.raw_total, |observations| {
                push_raw_total(observations, day)
            });
        self.table.rows.push(FleeRow::new(
            view.day.0,
            date,
            sim,
            data,
            view.agents_total,
            raw_total,
            view.debt,
        ));
        Ok(())
    }
}

/// The `raw UNHCR refugee count` of a push-spawned scenario on `day`. Flee's column is the
/// observed total that drives data-driven spawning, summed day by day, that is the total
/// series' value on the day; a push-spawned scenario spawns from its mechanism instead, so the
/// engine keeps no such sum. Its observed total is the same thing: the `total` series of
/// `data_layout.csv` on the day when it has one, else the sum of the camps' observed series
/// (Flee's `sum_from_camps` total).
fn push_raw_total(observations: &Observations, day: i64) -> i64 {
    if observations.total.points.is_empty() {
        observations.camps_sum_at(day)
    } else {
        observations.total.value_at(day)
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
