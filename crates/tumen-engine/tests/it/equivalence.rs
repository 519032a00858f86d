//! The count engine against the agent engine: seeded ensembles on a scenario that exercises
//! every rule (multi-link days, walking, capacity, closures, awareness 2, markers, short-stint
//! avoidance), compared per location and checkpoint day.
//!
//! Criterion: |mean_agents − mean_counts| ≤ z · sqrt(var_agents/R + var_counts/R) + 0.5 with
//! z = 4.5 (a Bonferroni-style margin for the few hundred cells compared), for R = 150 seeded
//! replicas per engine. A rule implemented differently in one engine shifts whole trajectories
//! by many standard errors; sampling noise alone fails a cell with probability ~7e-6.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]

use crate::common::{self, mechanism_scenario, scenario};
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
fn the_equivalence_scenario_runs_travel_passes_in_sub_batches() {
    // The comparison above covers the sub-batches of a mass arrival only if the scenario has
    // them: its camp Small (capacity 250) is reached by batches that could carry it past its
    // buffer. Both engines decide the number from counts alone.
    for kind in [EngineKind::Agents, EngineKind::Counts] {
        let mut simulation = Simulation::with_engine(scenario(), 1, kind).unwrap();
        simulation.run(&mut ()).unwrap();
        assert!(
            simulation.split_passes() > 0,
            "{kind:?}: no travel pass ran in sub-batches"
        );
    }
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
        assert!(!simulation.model().capacity_limited());
    }
}

/// Per replica, the cumulative events of the whole run, by name.
struct Named {
    events: Vec<(String, f64)>,
}

fn named_runs(scenario: &Scenario, kind: EngineKind, replicas: u64) -> Vec<Named> {
    named(scenario, &cells_of(scenario, kind, replicas))
}

/// The cumulative events of the last day of each replica's cells, by name.
fn named(scenario: &Scenario, runs: &[Vec<Vec<f64>>]) -> Vec<Named> {
    let names: Vec<String> = tumen_engine::EVENTS
        .iter()
        .map(|e| (*e).to_owned())
        .chain(
            scenario
                .mechanisms
                .enforcement
                .iter()
                .flat_map(|e| e.regions.iter().map(|r| format!("detentions@{}", r.name))),
        )
        .chain(
            scenario
                .mechanisms
                .asylum
                .iter()
                .flat_map(|a| a.channels.iter().map(|c| format!("claims@{}", c.name))),
        )
        .chain(tumen_engine::attribute_event_names(scenario))
        .collect();
    runs.iter()
        .map(|days| {
            let last = days.last().unwrap();
            let events = &last[last.len() - names.len()..];
            Named {
                events: names.iter().cloned().zip(events.iter().copied()).collect(),
            }
        })
        .collect()
}

#[derive(Default)]
struct Categories {
    days: Vec<Vec<f64>>,
    events: Vec<Vec<u64>>,
}

impl Observer for Categories {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        self.days
            .push(view.status_counts.iter().map(|&c| c as f64).collect());
        self.events.push(view.events.to_vec());
        Ok(())
    }
}

fn event(run: &Named, name: &str) -> f64 {
    run.events
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no event `{name}`"))
        .1
}

#[test]
fn both_engines_agree_with_attributes() {
    // The criterion of the other comparisons over every location count, category (with
    // hiding by sex and with a family) and cumulative event (with the breakdowns by sex and
    // origin), then the female share of asylum exits and of deportations per replica,
    // agents against counts (Welch's z, |z| < 4.5).
    let replicas = 150;
    let scenario = common::attribute_scenario();
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
    let agents = named(&scenario, &agents);
    let counts = named(&scenario, &counts);
    for event_name in ["asylum_exits", "detentions"] {
        let share = |run: &Named| {
            event(run, &format!("{event_name}_female")) / event(run, event_name).max(1.0)
        };
        let (ma, va) = mean_var(agents.iter().map(share));
        let (mc, vc) = mean_var(counts.iter().map(share));
        let z = (ma - mc) / ((va + vc) / replicas as f64).sqrt();
        assert!(
            z.abs() < 4.5,
            "female share of {event_name}: agents {ma:.3}, counts {mc:.3}, z = {z:.2}"
        );
        // Women are detected half as often and men 1.5 times as often: the shares differ
        // from the share of women among the people (0.2 to 0.8) in the expected direction.
        assert!(ma > 0.05 && ma < 0.95, "{event_name}: share {ma}");
    }
    // Everybody family- and sex-related happened.
    for name in [
        "family_moves",
        "crossings_female",
        "crossings_male",
        "asylum_exits_female",
        "asylum_exits_male",
        "asylum_exits_from@A1",
        "asylum_exits_from@A2",
        "detentions_from@A1",
    ] {
        assert!(event(&agents[0], name) > 0.0, "no `{name}` in the run");
    }
}

#[test]
fn the_breakdowns_sum_to_the_totals_exactly() {
    // Per day and replica, in both engines: female + male = total for crossings,
    // detentions and asylum exits; hiding by sex = hidden + seeking asylum + returning; the
    // origins' exits and detentions ≤ the totals (people present on day 0 have no origin),
    // and equal to them counted with the day-0 people's share.
    let scenario = common::attribute_scenario();
    let names = tumen_engine::attribute_event_names(&scenario);
    let base = tumen_engine::EVENTS.len() + 2 + 3;
    let slot = |name: &str| base + names.iter().position(|n| n == name).unwrap();
    let total = |name: &str| {
        tumen_engine::EVENTS
            .iter()
            .position(|e| *e == name)
            .unwrap()
    };
    let category = |name: &str| {
        tumen_engine::CATEGORIES
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    let hiding = tumen_engine::CATEGORIES.len();
    for kind in [EngineKind::Agents, EngineKind::Counts] {
        for seed in 1..=5 {
            let mut simulation = Simulation::with_engine(scenario.clone(), seed, kind).unwrap();
            let mut days = Categories::default();
            simulation.run(&mut days).unwrap();
            let mut checked = 0;
            for (status, events) in days.days.iter().zip(&days.events) {
                for event_name in ["crossings", "detentions", "asylum_exits"] {
                    assert_eq!(
                        events[slot(&format!("{event_name}_female"))]
                            + events[slot(&format!("{event_name}_male"))],
                        events[total(event_name)],
                        "{kind:?} seed {seed}: {event_name}"
                    );
                    checked += events[total(event_name)];
                }
                let origins: u64 = ["A1", "A2"]
                    .iter()
                    .map(|o| events[slot(&format!("asylum_exits_from@{o}"))])
                    .sum();
                assert!(origins <= events[total("asylum_exits")]);
                assert_eq!(
                    status[hiding] + status[hiding + 1],
                    status[category("hidden")]
                        + status[category("seeking_asylum")]
                        + status[category("returning")],
                    "{kind:?} seed {seed}: hiding by sex"
                );
                assert!(status[hiding + 2] <= status[category("hidden")]);
            }
            assert!(checked > 100, "too few events to check: {checked}");
        }
    }
}

#[test]
fn the_female_share_of_new_people_is_the_configured_one() {
    // A known answer: with no attribute effect before the border, the share of women among
    // the crossings is the configured share (0.3 at both sources, here constant), binomial
    // with the number of crossings; checked on the pooled crossings of 20 runs per engine.
    let mut scenario = common::attribute_scenario();
    if let Some(sex) = scenario
        .mechanisms
        .attributes
        .as_mut()
        .and_then(|a| a.sex.as_mut())
    {
        sex.female_share = tumen_core::Series::constant(0.3);
        sex.sources.clear();
        // No effect of sex anywhere, so re-crossers are as mixed as the pushed people.
        sex.female = tumen_core::SexEffects::default();
        sex.male = tumen_core::SexEffects::default();
    }
    if let Some(attributes) = scenario.mechanisms.attributes.as_mut() {
        attributes.family = None;
    }
    // The initial people are in the host country already; only the pushed ones cross.
    for kind in [EngineKind::Agents, EngineKind::Counts] {
        let runs = named_runs(&scenario, kind, 20);
        let female: f64 = runs.iter().map(|r| event(r, "crossings_female")).sum();
        let all: f64 = runs.iter().map(|r| event(r, "crossings")).sum();
        let p = 0.3;
        let z = (female / all - p) / (p * (1.0 - p) / all).sqrt();
        assert!(all > 10_000.0, "{kind:?}: {all} crossings");
        assert!(
            z.abs() < 4.5,
            "{kind:?}: share {:.4}, z = {z:.2}",
            female / all
        );
    }
}

#[test]
fn the_attribute_comparison_detects_a_different_rule() {
    // Women detected as often as men, or the family state's detection not lowered, on one
    // side only, must be caught.
    let replicas = 60;
    let scenario = common::attribute_scenario();
    let agents = cells_of(&scenario, EngineKind::Agents, replicas);
    let changes: [fn(&mut Scenario); 2] = [
        |s| {
            let sex = s
                .mechanisms
                .attributes
                .as_mut()
                .unwrap()
                .sex
                .as_mut()
                .unwrap();
            sex.female.detection = sex.male.detection;
        },
        |s| {
            let family = s
                .mechanisms
                .attributes
                .as_mut()
                .unwrap()
                .family
                .as_mut()
                .unwrap();
            family.detection = 1.0;
            family.exit = 1.0;
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
fn attributes_do_not_depend_on_the_thread_count() {
    // 60 000 people: several chunks of 4 096 in each of the 8 batches.
    let mut scenario = common::attribute_scenario();
    let city = scenario.initial_agents[0];
    scenario.initial_agents = vec![city; 60_000];
    let run_with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| cells_of(&scenario, EngineKind::Agents, 2))
    };
    assert_eq!(run_with(1), run_with(3));
}
