//! Micro-benchmarks of the day loop (divan): one simulated year of the embedded flagship
//! scenario (every mechanism) and of a Flee-only synthetic scenario, with each engine.
//!
//! `cargo bench -p tumen-engine` — figures and the whole-run benchmarks against Flee are in
//! BENCHMARKS.md (`scripts/bench`).

#![expect(clippy::unwrap_used, reason = "benchmarks fail loudly")]

use std::path::Path;
use tumen_core::{LocationKind, Network, Observations, Scenario, Schedule, Series, Settings};
use tumen_engine::{EngineKind, Simulation};

fn main() {
    divan::main();
}

fn flagship(days: u32) -> Scenario {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/korea-china");
    let options = tumen_scenario::LoadOptions {
        days: Some(days),
        ..tumen_scenario::LoadOptions::default()
    };
    tumen_scenario::load_dir(&dir, &options).unwrap().scenario
}

/// A chain of towns to three camps, 200 000 people spawned over 100 days (Flee rules only).
fn synthetic() -> Scenario {
    let mut b = Network::builder();
    let origin = b.add("Origin", LocationKind::ConflictZone, "A", 500_000);
    let mut previous = origin;
    let mut camps = Vec::new();
    for i in 0..6 {
        let town = b.add(&format!("T{i}"), LocationKind::Town, "A", 10_000);
        b.link(previous, town, 60.0 + 10.0 * f64::from(i));
        if i % 2 == 1 {
            let camp = b.add(&format!("C{i}"), LocationKind::Camp, "B", 0);
            b.link(town, camp, 90.0);
            camps.push(camp);
        }
        previous = town;
    }
    Scenario {
        name: "synthetic".into(),
        start_date: tumen_core::Date::constant(2020, 1, 1),
        days: 100,
        network: b.build(),
        settings: Settings::flee_defaults(),
        schedule: Schedule::default(),
        observations: Observations {
            total: Series {
                points: vec![(0, 0.0), (99, 200_000.0)],
            },
            camps: camps
                .into_iter()
                .map(|c| (c, Series::constant(0.0)))
                .collect(),
        },
        initial_agents: Vec::new(),
        mechanisms: tumen_core::Mechanisms::default(),
    }
}

const ENGINES: [EngineKind; 2] = [EngineKind::Agents, EngineKind::Counts];

#[divan::bench(args = ENGINES, sample_count = 10)]
fn flagship_one_year(bencher: divan::Bencher<'_, '_>, kind: EngineKind) {
    let scenario = flagship(365);
    bencher.bench(|| {
        let mut simulation = Simulation::with_engine(scenario.clone(), 1, kind).unwrap();
        simulation.run(&mut ()).unwrap();
        simulation.population()
    });
}

#[divan::bench(args = ENGINES, sample_count = 10)]
fn synthetic_hundred_days(bencher: divan::Bencher<'_, '_>, kind: EngineKind) {
    let scenario = synthetic();
    bencher.bench(|| {
        let mut simulation = Simulation::with_engine(scenario.clone(), 1, kind).unwrap();
        simulation.run(&mut ()).unwrap();
        simulation.population()
    });
}
