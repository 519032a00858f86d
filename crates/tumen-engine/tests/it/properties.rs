//! Properties of the agent engine on random small networks: people are conserved every day,
//! nobody enters a closed link, the same seed gives the same days, and the thread count does
//! not change anything.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]

use proptest::prelude::*;
use tumen_core::{
    Closure, ClosureScope, ConflictTable, LocationId, LocationKind, Network, Observations,
    Scenario, Schedule, Series, Settings,
};
use tumen_engine::{DayView, EngineKind, Observer, ObserverError, Simulation};

#[derive(Debug, Clone)]
struct Spec {
    kinds: Vec<u8>,
    extra_links: Vec<(usize, usize, u16)>,
    closures: Vec<(u8, usize, usize, i64, i64)>,
    growth: Vec<u32>,
    awareness: u32,
    capacity: u64,
    seed: u64,
}

fn kind(code: u8) -> LocationKind {
    match code % 6 {
        0 => LocationKind::ConflictZone,
        1 | 2 => LocationKind::Town,
        3 => LocationKind::Camp,
        4 => LocationKind::Marker,
        _ => LocationKind::ForwardingHub,
    }
}

fn scenario(spec: &Spec) -> Scenario {
    let mut builder = Network::builder();
    let n = spec.kinds.len();
    let mut ids = Vec::new();
    for (index, &code) in spec.kinds.iter().enumerate() {
        // Location 0 is always a conflict zone and the last one always a camp.
        let kind = if index == 0 {
            LocationKind::ConflictZone
        } else if index == n - 1 {
            LocationKind::Camp
        } else {
            kind(code)
        };
        let country = if index % 3 == 2 { "B" } else { "A" };
        let size = if kind.is_camp() { spec.capacity } else { 1000 };
        ids.push(builder.add(&format!("L{index}"), kind, country, size));
    }
    // A spanning chain keeps the graph connected.
    for index in 1..n {
        builder.link(ids[index - 1], ids[index], 50.0 + 37.0 * index as f64);
    }
    for &(a, b, km) in &spec.extra_links {
        let (a, b) = (a % n, b % n);
        if a != b {
            builder.link(ids[a], ids[b], f64::from(km) + 1.0);
        }
    }
    let network = builder.build();
    let mut total = Vec::new();
    let mut cumulative = 0.0;
    for (day, &g) in spec.growth.iter().enumerate() {
        cumulative += f64::from(g);
        total.push((day as i64, cumulative));
    }
    let closures = spec
        .closures
        .iter()
        .map(|&(code, a, b, start, length)| {
            let (a, b) = (LocationId::from_index(a % n), LocationId::from_index(b % n));
            let scope = match code % 3 {
                0 => ClosureScope::Location { location: a },
                1 => ClosureScope::Link { a, b },
                _ => ClosureScope::Country {
                    a: network.find_country("A"),
                    b: network.find_country("B"),
                },
            };
            Closure {
                scope,
                start,
                end: start + length,
            }
        })
        .collect();
    let mut settings = Settings::flee_defaults();
    settings.move_rules.awareness_level = spec.awareness;
    settings.move_rules.avoid_short_stints = spec.seed.is_multiple_of(2);
    settings.move_rules.start_on_foot = spec.seed.is_multiple_of(3);
    let conflict_zones: Vec<LocationId> = (0..n)
        .filter(|&i| network.locations[i].kind == LocationKind::ConflictZone)
        .map(LocationId::from_index)
        .collect();
    Scenario {
        name: "random".into(),
        start_date: tumen_core::Date::constant(2020, 1, 1),
        days: 30,
        schedule: Schedule {
            conflicts: ConflictTable {
                intensity: vec![vec![1.0; conflict_zones.len()]; 30],
                locations: conflict_zones,
            },
            closures,
        },
        network,
        settings,
        observations: Observations {
            total: Series { points: total },
            camps: Vec::new(),
        },
        initial_agents: Vec::new(),
        mechanisms: Default::default(),
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::collection::vec(any::<u8>(), 2..30),
        proptest::collection::vec((0..30_usize, 0..30_usize, 1..900_u16), 0..20),
        proptest::collection::vec(
            (any::<u8>(), 0..30_usize, 0..30_usize, 0..30_i64, 1..20_i64),
            0..4,
        ),
        proptest::collection::vec(0..100_u32, 30),
        1..=2_u32,
        0..300_u64,
        any::<u64>(),
    )
        .prop_map(
            |(kinds, extra_links, closures, growth, awareness, capacity, seed)| Spec {
                kinds,
                extra_links,
                closures,
                growth,
                awareness,
                capacity,
                seed,
            },
        )
}

/// Records every day and checks the invariants as it goes.
#[derive(Default)]
struct Checker {
    spawned: u64,
    initial: u64,
    previous_links: Vec<u64>,
    days: Vec<Vec<u64>>,
    failure: Option<String>,
}

impl Observer for Checker {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        self.spawned += view.spawned_today;
        let at_locations: u64 = view.location_counts.iter().sum();
        let on_links: u64 = view.link_counts.iter().sum();
        if at_locations + on_links != view.agents_total
            || view.agents_total != self.initial + self.spawned
        {
            self.failure = Some(format!(
                "day {}: {at_locations} at locations + {on_links} on links, {} agents, {} spawned",
                view.day.0, view.agents_total, self.spawned
            ));
        }
        if !self.previous_links.is_empty() {
            for (link, &open) in view.link_open.iter().enumerate() {
                if !open && view.link_counts[link] > self.previous_links[link] {
                    self.failure = Some(format!(
                        "day {}: link {link} is closed but gained agents",
                        view.day.0
                    ));
                }
            }
        }
        self.previous_links = view.link_counts.to_vec();
        let mut day = view.location_counts.to_vec();
        day.extend_from_slice(view.link_counts);
        self.days.push(day);
        Ok(())
    }
}

fn run(scenario: &Scenario, seed: u64) -> Checker {
    run_with_engine(scenario, seed, EngineKind::Agents)
}

fn run_with_engine(scenario: &Scenario, seed: u64, kind: EngineKind) -> Checker {
    let mut simulation = Simulation::with_engine(scenario.clone(), seed, kind).unwrap();
    let mut checker = Checker {
        initial: simulation.population(),
        ..Checker::default()
    };
    simulation.run(&mut checker).unwrap();
    checker
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn people_are_conserved_and_closed_links_stay_empty(spec in spec()) {
        let scenario = scenario(&spec);
        let checker = run(&scenario, spec.seed);
        prop_assert!(checker.failure.is_none(), "{}", checker.failure.unwrap_or_default());
    }

    #[test]
    fn the_count_engine_conserves_people_and_keeps_closed_links_empty(spec in spec()) {
        let scenario = scenario(&spec);
        let checker = run_with_engine(&scenario, spec.seed, EngineKind::Counts);
        prop_assert!(checker.failure.is_none(), "{}", checker.failure.unwrap_or_default());
        let again = run_with_engine(&scenario, spec.seed, EngineKind::Counts);
        prop_assert_eq!(checker.days, again.days);
    }

    #[test]
    fn the_same_seed_gives_the_same_days(spec in spec()) {
        let scenario = scenario(&spec);
        let first = run(&scenario, spec.seed);
        let second = run(&scenario, spec.seed);
        prop_assert_eq!(first.days, second.days);
    }
}

#[test]
fn the_thread_count_does_not_change_the_result() {
    let spec = Spec {
        kinds: vec![0, 1, 2, 0, 3, 1, 5, 3],
        extra_links: vec![(0, 4, 300), (3, 7, 90), (1, 6, 500)],
        closures: vec![(0, 5, 0, 5, 10), (2, 0, 0, 12, 5)],
        growth: vec![2500; 30],
        awareness: 2,
        capacity: 2000,
        seed: 12,
    };
    let scenario = scenario(&spec);
    let run_with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run(&scenario, 99).days)
    };
    let split = Simulation::new(scenario.clone(), 99)
        .map(|mut simulation| {
            simulation.run(&mut ()).unwrap();
            simulation.split_passes()
        })
        .unwrap();
    assert!(split > 0, "no travel pass ran in sub-batches");
    let one = run_with(1);
    // 75 000 agents by the end: several chunks of 4 096 in each of the 8 batches.
    assert!(one.last().unwrap().iter().sum::<u64>() > 70_000);
    assert_eq!(one, run_with(4));
    assert_eq!(one, run_with(3));
}
