//! The count engine against the agent engine: seeded ensembles on a scenario that exercises
//! every rule (multi-link days, walking, capacity, closures, awareness 2, markers, short-stint
//! avoidance), compared per location and checkpoint day.
//!
//! Criterion: |mean_agents − mean_counts| ≤ z · sqrt(var_agents/R + var_counts/R) + 0.5 with
//! z = 4.5 (a Bonferroni-style margin for the few hundred cells compared), for R = 150 seeded
//! replicas per engine. A rule implemented differently in one engine shifts whole trajectories
//! by many standard errors; sampling noise alone fails a cell with probability ~7e-6.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]

use tumen_core::{
    Closure, ClosureScope, ConflictTable, LocationKind, Network, Observations, Route, Scenario,
    Schedule, Series, Settings,
};
use tumen_engine::{EngineKind, Simulation};

fn scenario() -> Scenario {
    let mut b = Network::builder();
    let a = b.add("A", LocationKind::ConflictZone, "Home", 20_000);
    let a2 = b.add("A2", LocationKind::ConflictZone, "Home", 10_000);
    let t1 = b.add("T1", LocationKind::Town, "Home", 5_000);
    let t2 = b.add("T2", LocationKind::Town, "Home", 5_000);
    let m = b.add("M", LocationKind::Marker, "Home", 0);
    let h = b.add("H", LocationKind::ForwardingHub, "Home", 0);
    let small = b.add("Small", LocationKind::Camp, "Home", 250);
    let big = b.add("Big", LocationKind::Camp, "Away", 0);
    let far = b.add("Far", LocationKind::Camp, "Away", 0);
    let mut route = |a, b2, km: f64, walk: f64, speed: Option<f64>| {
        b.route(Route {
            a,
            b: b2,
            distance_km: km,
            max_move_speed_km_per_day: speed,
            walk_probability: walk,
            forced_redirection: 0,
        });
    };
    route(a, t1, 50.0, 0.0, None);
    route(t1, small, 40.0, 0.0, None);
    route(t1, t2, 60.0, 0.3, None);
    route(t2, big, 80.0, 0.0, None);
    route(a2, t2, 359.0, 0.0, None);
    route(a, m, 100.0, 0.0, None);
    route(m, h, 100.0, 0.0, Some(150.0));
    route(h, far, 200.0, 0.0, None);
    route(t2, far, 800.0, 0.0, None);
    let network = b.build();
    let home = network.find_country("Home");
    let away = network.find_country("Away");
    let mut settings = Settings::flee_defaults();
    settings.move_rules.awareness_level = 2;
    settings.move_rules.avoid_short_stints = true;
    settings.move_rules.start_on_foot = true;
    settings.move_rules.foreign_weight = 1.5;
    Scenario {
        name: "equivalence".into(),
        start_date: tumen_core::Date::constant(2020, 1, 1),
        days: 40,
        schedule: Schedule {
            conflicts: ConflictTable {
                locations: vec![a, a2],
                intensity: vec![vec![1.0, 0.7]; 40],
            },
            closures: vec![
                Closure {
                    scope: ClosureScope::Country { a: home, b: away },
                    start: 10,
                    end: 18,
                },
                Closure {
                    scope: ClosureScope::Location { location: t1 },
                    start: 22,
                    end: 26,
                },
            ],
        },
        network,
        settings,
        observations: Observations {
            total: Series {
                points: vec![(0, 100.0), (10, 2_100.0), (40, 4_100.0)],
            },
            camps: vec![(
                small,
                Series {
                    points: vec![(0, 100.0)],
                },
            )],
        },
        initial_agents: Vec::new(),
        mechanisms: Default::default(),
    }
}

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
