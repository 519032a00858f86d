//! The count engine against the agent engine: seeded ensembles on a scenario that exercises
//! every rule (multi-link days, walking, capacity, closures, awareness 2, markers, short-stint
//! avoidance), compared per location and checkpoint day.
//!
//! Criterion: |mean_agents − mean_counts| ≤ z · sqrt(var_agents/R + var_counts/R) + 0.5 with
//! z = 4.5 (a Bonferroni-style margin for the few hundred cells compared), for R = 150 seeded
//! replicas per engine. A rule implemented differently in one engine shifts whole trajectories
//! by many standard errors; sampling noise alone fails a cell with probability ~7e-6.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]

mod common;

use common::{mechanism_scenario, scenario};
use tumen_core::{DayCount, Scenario};
use tumen_engine::{DayView, EngineKind, Observer, ObserverError, Simulation};

fn trajectories(kind: EngineKind, replicas: u64) -> Vec<Vec<Vec<f64>>> {
    trajectories_of(&scenario(), kind, replicas)
}

fn trajectories_of(scenario: &Scenario, kind: EngineKind, replicas: u64) -> Vec<Vec<Vec<f64>>> {
    (1..=replicas)
        .map(|seed| {
            let mut simulation = Simulation::with_engine(scenario.clone(), seed, kind).unwrap();
            let mut days = Vec::new();
            while !simulation.finished() {
                simulation.step(&mut ()).unwrap();
                days.push(
                    simulation
                        .location_counts()
                        .iter()
                        .map(|&c| c as f64)
                        .collect(),
                );
            }
            days
        })
        .collect()
}

fn mean_var(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

#[test]
fn count_engine_matches_agent_engine_in_distribution() {
    let replicas = 150;
    let agents = trajectories(EngineKind::Agents, replicas);
    let counts = trajectories(EngineKind::Counts, replicas);
    let locations = agents[0][0].len();
    let mut failures = Vec::new();
    let mut cells = 0;
    for day in (0..40).step_by(3).chain([39]) {
        for location in 0..locations {
            let (ma, va) = mean_var(agents.iter().map(|r| r[day][location]));
            let (mc, vc) = mean_var(counts.iter().map(|r| r[day][location]));
            let tolerance = 4.5 * ((va + vc) / replicas as f64).sqrt() + 0.5;
            cells += 1;
            if (ma - mc).abs() > tolerance {
                failures.push(format!(
                    "day {day} location {location}: agents {ma:.1} ± {:.1}, counts {mc:.1} ± {:.1}",
                    va.sqrt(),
                    vc.sqrt()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_comparison_detects_a_different_rule() {
    // The same check must fail when one side runs a different model (here: walking speed
    // everywhere), or it could not catch an engine that drifts.
    let replicas = 60;
    let agents = trajectories(EngineKind::Agents, replicas);
    let mut changed = scenario();
    changed.settings.move_rules.max_move_speed = 35.0;
    let counts = trajectories_of(&changed, EngineKind::Counts, replicas);
    let day = 39;
    let differs = (0..agents[0][0].len()).any(|location| {
        let (ma, va) = mean_var(agents.iter().map(|r| r[day][location]));
        let (mc, vc) = mean_var(counts.iter().map(|r| r[day][location]));
        (ma - mc).abs() > 4.5 * ((va + vc) / replicas as f64).sqrt() + 0.5
    });
    assert!(differs);
}

/// Per day: location counts, then categories, then cumulative events.
#[derive(Default)]
struct Cells {
    days: Vec<Vec<f64>>,
    cumulative: Vec<f64>,
}

impl Observer for Cells {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        self.cumulative.resize(view.events.len(), 0.0);
        for (total, &e) in self.cumulative.iter_mut().zip(view.events) {
            *total += e as f64;
        }
        let mut row: Vec<f64> = view.location_counts.iter().map(|&c| c as f64).collect();
        row.extend(view.status_counts.iter().map(|&c| c as f64));
        row.extend(self.cumulative.iter().copied());
        self.days.push(row);
        Ok(())
    }
}

fn cells_of(scenario: &Scenario, kind: EngineKind, replicas: u64) -> Vec<Vec<Vec<f64>>> {
    (1..=replicas)
        .map(|seed| {
            let mut simulation = Simulation::with_engine(scenario.clone(), seed, kind).unwrap();
            let mut cells = Cells::default();
            simulation.run(&mut cells).unwrap();
            cells.days
        })
        .collect()
}

fn differing_cells(a: &[Vec<Vec<f64>>], b: &[Vec<Vec<f64>>], days: &[usize]) -> Vec<String> {
    let replicas = a.len() as f64;
    let mut failures = Vec::new();
    for &day in days {
        for cell in 0..a[0][day].len() {
            let (ma, va) = mean_var(a.iter().map(|r| r[day][cell]));
            let (mb, vb) = mean_var(b.iter().map(|r| r[day][cell]));
            let tolerance = 4.5 * ((va + vb) / replicas).sqrt() + 0.5;
            if (ma - mb).abs() > tolerance {
                failures.push(format!(
                    "day {day} cell {cell}: agents {ma:.1} ± {:.1}, counts {mb:.1} ± {:.1}",
                    va.sqrt(),
                    vb.sqrt()
                ));
            }
        }
    }
    failures
}

#[test]
fn count_engine_matches_agent_engine_with_every_mechanism() {
    // Same criterion as above, over location counts, categories and cumulative events.
    let replicas = 150;
    let scenario = mechanism_scenario();
    let agents = cells_of(&scenario, EngineKind::Agents, replicas);
    let counts = cells_of(&scenario, EngineKind::Counts, replicas);
    let days: Vec<usize> = (0..40).step_by(3).chain([39]).collect();
    let failures = differing_cells(&agents, &counts, &days);
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The run exercised every mechanism.
    let last = &agents[0][39];
    let locations = scenario.network.location_count();
    let events = &last[locations + tumen_engine::CATEGORIES.len()..];
    for (index, name) in tumen_engine::EVENTS.iter().enumerate() {
        assert!(events[index] > 0.0, "no `{name}` event in the run");
    }
    // Somebody queued at a channel with a capacity, and somebody died.
    for name in ["queued", "dead"] {
        let category = tumen_engine::CATEGORIES
            .iter()
            .position(|c| *c == name)
            .unwrap();
        assert!(
            agents[0].iter().any(|day| day[locations + category] > 0.0),
            "nobody {name}"
        );
    }
}

#[test]
fn the_comparison_detects_a_change_in_the_new_mechanisms() {
    // A partial incident decided by probability instead of the exact number allowed, a
    // channel capacity doubled, or mortality doubled, on one side only, must be caught.
    let replicas = 60;
    let scenario = mechanism_scenario();
    let agents = cells_of(&scenario, EngineKind::Agents, replicas);
    let changes: [fn(&mut Scenario); 3] = [
        |s| {
            let asylum = s.mechanisms.asylum.as_mut().unwrap();
            asylum.incidents[0].allowed = None;
        },
        |s| {
            let asylum = s.mechanisms.asylum.as_mut().unwrap();
            asylum.channels[0].capacity.as_mut().unwrap().claims =
                tumen_core::Series::constant(7.0);
        },
        |s| {
            let mortality = s.mechanisms.mortality.as_mut().unwrap();
            for (_, hazard) in &mut mortality.hazards {
                for point in &mut hazard.points {
                    point.1 *= 2.0;
                }
            }
        },
    ];
    for (index, change) in changes.iter().enumerate() {
        let mut changed = scenario.clone();
        change(&mut changed);
        let counts = cells_of(&changed, EngineKind::Counts, replicas);
        assert!(
            !differing_cells(&agents, &counts, &[12, 25, 39]).is_empty(),
            "change {index} went unnoticed"
        );
    }
}

#[test]
fn the_mechanism_comparison_detects_a_different_rule() {
    // A detention twice as long on one side must be caught.
    let replicas = 60;
    let scenario = mechanism_scenario();
    let agents = cells_of(&scenario, EngineKind::Agents, replicas);
    let mut changed = scenario;
    if let Some(detention) = changed.mechanisms.detention.as_mut() {
        detention.duration = DayCount::Uniform { min: 6, max: 16 };
    }
    let counts = cells_of(&changed, EngineKind::Counts, replicas);
    assert!(!differing_cells(&agents, &counts, &[20, 39]).is_empty());
}

#[test]
fn count_engine_matches_agent_engine_without_capacities() {
    // Without capacities the count engine keeps everyone in one batch: the same comparison on
    // the same scenario with every capacity removed, with and without mechanisms.
    let replicas = 120;
    for mut scenario in [scenario(), mechanism_scenario()] {
        for location in &mut scenario.network.locations {
            location.capacity = None;
        }
        let agents = cells_of(&scenario, EngineKind::Agents, replicas);
        let counts = cells_of(&scenario, EngineKind::Counts, replicas);
        let days: Vec<usize> = (0..40).step_by(3).chain([39]).collect();
        let failures = differing_cells(&agents, &counts, &days);
        assert!(
            failures.is_empty(),
            "{}: {} cells differ:\n{}",
            scenario.name,
            failures.len(),
            failures.join("\n")
        );
        let mut simulation = Simulation::with_engine(scenario, 1, EngineKind::Counts).unwrap();
        simulation.step(&mut ()).unwrap();
        assert!(!simulation.model().capacity_limited);
    }
}
