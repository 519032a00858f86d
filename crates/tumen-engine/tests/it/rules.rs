//! Flee 3.1's rules on hand-made scenarios whose outcome can be computed: conflict-driven
//! spawning modes, take_from_population, sum_from_camps, insert_day0, capacity_scaling,
//! link and camp closures, multi-day links.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]

use tumen_core::{
    Closure, ClosureScope, ConflictTable, LocationId, LocationKind, Network, Observations,
    Scenario, Schedule, Series, Settings, SpawnMode,
};
use tumen_engine::{DayView, EngineKind, Observer, ObserverError, Simulation};

/// Origin (conflict, pop 10 000, intensity 0.5) — 500 km — Camp.
fn two_places(days: u32, settings: Settings) -> (Scenario, LocationId, LocationId) {
    let mut b = Network::builder();
    let origin = b.add("Origin", LocationKind::ConflictZone, "H", 10_000);
    let camp = b.add("Camp", LocationKind::Camp, "H", 0);
    b.link(origin, camp, 500.0);
    let scenario = Scenario {
        name: "two".into(),
        start_date: tumen_core::Date::constant(2020, 1, 1),
        days,
        network: b.build(),
        settings,
        schedule: Schedule {
            conflicts: ConflictTable {
                locations: vec![origin],
                intensity: vec![vec![0.5]; days as usize],
            },
            closures: Vec::new(),
        },
        observations: Observations {
            total: Series {
                points: vec![(0, 40.0), (10, 1040.0)],
            },
            camps: vec![(
                camp,
                Series {
                    points: vec![(0, 40.0), (10, 140.0)],
                },
            )],
        },
        initial_agents: Vec::new(),
        mechanisms: Default::default(),
    };
    (scenario, origin, camp)
}

#[derive(Default)]
struct Days {
    spawned: Vec<u64>,
    totals: Vec<u64>,
    raw: Vec<i64>,
    counts: Vec<Vec<u64>>,
}

impl Observer for Days {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        self.spawned.push(view.spawned_today);
        self.totals.push(view.agents_total);
        self.raw.push(view.raw_total);
        self.counts.push(view.location_counts.to_vec());
        Ok(())
    }
}

fn run(scenario: Scenario, seed: u64, kind: EngineKind) -> Days {
    let mut simulation = Simulation::with_engine(scenario, seed, kind).unwrap();
    let mut days = Days::default();
    simulation.run(&mut days).unwrap();
    days
}

#[test]
fn constant_mode_spawns_int_n_times_intensity_every_day() {
    let mut settings = Settings::flee_defaults();
    settings.spawn_rules.mode = SpawnMode::Constant {
        displaced_per_conflict_day: 101.0,
    };
    let (scenario, _, _) = two_places(5, settings);
    let days = run(scenario, 1, EngineKind::Agents);
    // int(101 × 0.5) = 50 a day, day 0 included; camp data still inserted on day 0.
    assert_eq!(days.spawned, vec![50; 5]);
    assert_eq!(*days.totals.last().unwrap(), 40 + 250);
    // Flee 3.1 keeps its raw total at 0 in conflict-driven modes.
    assert!(days.raw.iter().all(|&r| r == 0));
}

#[test]
fn pop_ratio_mode_and_take_from_population_shrink_the_spawn() {
    let mut settings = Settings::flee_defaults();
    settings.spawn_rules.mode = SpawnMode::PopRatio {
        displaced_per_conflict_day: 0.01,
    };
    settings.spawn_rules.take_from_population = true;
    let (scenario, _, _) = two_places(3, settings);
    let days = run(scenario, 1, EngineKind::Agents);
    // int(0.01 × 10 000 × 0.5) = 50; the population drops to 9 950: int(49.75) = 49; then
    // 9 901: int(49.505) = 49.
    assert_eq!(days.spawned, vec![50, 49, 49]);
}

#[test]
fn poisson_mode_has_the_right_mean() {
    let mut settings = Settings::flee_defaults();
    settings.spawn_rules.mode = SpawnMode::Poisson {
        displaced_per_conflict_day: 40.0,
    };
    let (scenario, _, _) = two_places(400, settings);
    let days = run(scenario, 9, EngineKind::Counts);
    let mean = days.spawned.iter().sum::<u64>() as f64 / 400.0;
    // Poisson(20): the mean of 400 days has sd sqrt(20/400) ≈ 0.22.
    assert!((mean - 20.0).abs() < 1.0, "mean {mean}");
    assert!(days.spawned.iter().any(|&s| s != 20), "the draws vary");
}

#[test]
fn data_driven_spawning_follows_the_total_or_the_camps_sum() {
    let (scenario, _, _) = two_places(11, Settings::flee_defaults());
    let days = run(scenario.clone(), 1, EngineKind::Agents);
    // T rises by 100 a day; insert_day0 puts the camp's 40 on day 0 and spawns nothing then.
    assert_eq!(days.spawned[0], 0);
    assert_eq!(days.spawned[1..], [100; 10]);
    assert_eq!(
        days.raw,
        (0..11).map(|d| 40 + 100 * d).collect::<Vec<i64>>()
    );
    let mut from_camps = scenario.clone();
    from_camps.settings.spawn_rules.sum_from_camps = true;
    let days = run(from_camps, 1, EngineKind::Agents);
    assert_eq!(days.spawned[1..], [10; 10]);
    let mut no_insert = scenario;
    no_insert.settings.spawn_rules.insert_day0 = false;
    let days = run(no_insert, 1, EngineKind::Agents);
    // Without insert_day0 the camp starts empty and day 0 spawns T(0) = 40.
    assert_eq!(days.spawned[0], 40);
    assert_eq!(days.totals[0], 40);
}

#[test]
fn a_500_km_link_takes_two_days_at_360_km_a_day() {
    let mut settings = Settings::flee_defaults();
    settings.spawn_rules.mode = SpawnMode::Constant {
        displaced_per_conflict_day: 200.0,
    };
    let (scenario, origin, camp) = two_places(3, settings);
    let days = run(scenario, 1, EngineKind::Agents);
    // Everyone leaves the conflict zone at once (move chance 1); 360 km on day 0, arrival on
    // day 1 (720 > 500). Camp: 40 inserted (0.001 leave a day).
    assert_eq!(days.counts[0][origin.index()], 0);
    assert!(days.counts[0][camp.index()] <= 40);
    assert!(days.counts[1][camp.index()] >= 135, "{:?}", days.counts[1]);
}

#[test]
fn a_link_closure_closes_both_directions_and_sends_travellers_back() {
    let mut settings = Settings::flee_defaults();
    settings.spawn_rules.mode = SpawnMode::Constant {
        displaced_per_conflict_day: 200.0,
    };
    let (mut scenario, origin, camp) = two_places(6, settings);
    scenario.schedule.closures.push(Closure {
        scope: ClosureScope::Link { a: camp, b: origin },
        start: 1,
        end: 100,
    });
    let days = run(scenario, 1, EngineKind::Agents);
    // Day 0's 100 people are on the 500 km link when it closes on day 1: they are sent back
    // to the origin on arrival; nobody else enters the link; the camp keeps its 40 at most.
    assert!(
        days.counts.iter().all(|c| c[camp.index()] <= 40),
        "{:?}",
        days.counts
    );
    assert_eq!(days.counts[5][origin.index()], 100 * 6);
}

#[test]
fn capacity_scaling_multiplies_capacities() {
    let mut b = Network::builder();
    let origin = b.add("Origin", LocationKind::ConflictZone, "H", 10_000);
    let small = b.add("Small", LocationKind::Camp, "H", 100);
    let big = b.add("Big", LocationKind::Camp, "H", 0);
    b.link(origin, small, 50.0);
    b.link(origin, big, 50.0);
    let network = b.build();
    let mut settings = Settings::flee_defaults();
    settings.move_rules.capacity_scaling = 3.0;
    settings.spawn_rules.mode = SpawnMode::Constant {
        displaced_per_conflict_day: 200.0,
    };
    let scenario = Scenario {
        name: "cap".into(),
        start_date: tumen_core::Date::constant(2020, 1, 1),
        days: 30,
        network,
        settings,
        schedule: Schedule {
            conflicts: ConflictTable {
                locations: vec![origin],
                intensity: vec![vec![1.0]; 30],
            },
            closures: Vec::new(),
        },
        observations: Observations::default(),
        initial_agents: Vec::new(),
        mechanisms: Default::default(),
    };
    let days = run(scenario, 2, EngineKind::Counts);
    let last = days.counts.last().unwrap();
    // Capacity 300 after scaling: the camp fills beyond 100 and stops near 300 (routes to
    // it are abandoned above 285; a day's batch may overshoot a little).
    assert!(
        last[small.index()] > 250 && last[small.index()] < 340,
        "{last:?}"
    );
}

#[test]
fn a_huge_population_is_refused_by_the_agent_engine_and_run_by_the_count_engine() {
    // 10^18 people over ten days: the agent engine stops with a clear error on the first day
    // it would exceed its limit (never trying to allocate); the count engine runs it.
    let (mut scenario, _, _) = two_places(10, Settings::flee_defaults());
    scenario.observations.total = Series {
        points: vec![(0, 0.0), (9, 1e18)],
    };
    let mut simulation = Simulation::with_engine(scenario.clone(), 1, EngineKind::Agents).unwrap();
    let error = simulation.run(&mut ()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("more than its limit"), "{message}");
    assert!(message.contains("--engine counts"), "{message}");
    assert!(message.contains("hasten"), "{message}");
    let mut counts = Simulation::with_engine(scenario, 1, EngineKind::Counts).unwrap();
    counts.run(&mut ()).unwrap();
    assert!(
        counts.population() > 900_000_000_000_000_000,
        "{}",
        counts.population()
    );
}

#[test]
fn the_agent_limit_is_checked_before_day_zero() {
    let (mut scenario, origin, _) = two_places(3, Settings::flee_defaults());
    // 50 from agents.csv and the camp's 40 of day 0 (insert_day0).
    scenario.initial_agents = vec![origin; 50];
    assert!(Simulation::with_agent_limit(scenario.clone(), 1, EngineKind::Agents, 89).is_err());
    assert!(Simulation::with_agent_limit(scenario, 1, EngineKind::Agents, 90).is_ok());
}
