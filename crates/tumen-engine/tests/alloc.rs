//! The day loop allocates nothing once the first days are done: a heap profiler (dhat, in
//! testing mode) counts the blocks allocated while later days run. Both engines, with and
//! without the seed's mechanisms; scenarios whose people are all present from day 0 (spawning
//! grows the agent vectors, which is amortised, not absent).
//!
//! The loop runs inside a rayon pool: called from a thread outside the pool, rayon's job
//! injector (crossbeam's queue) allocates a 1.5 KB block every 63 injected jobs, which is the
//! thread pool's bookkeeping, not the day loop's (seen with dhat's heap profile).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]

use tumen_core::{
    Asylum, Brokers, Capacity, Channel, DayCount, Detention, DetentionSite, Enforcement,
    EnforcementRegion, Failure, LocationKind, Mechanisms, Mortality, Network, Observations,
    Recrossing, Scenario, Schedule, Seasonality, Series, Settings, VoluntaryReturn,
};
use tumen_engine::{EngineKind, Simulation};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn scenario(mechanisms: bool) -> Scenario {
    let mut b = Network::builder();
    let a = b.add("A", LocationKind::ConflictZone, "Home", 1000);
    let jail = b.add("Jail", LocationKind::Town, "Home", 0);
    let t = b.add("T", LocationKind::Town, "Host", 0);
    let c1 = b.add("C1", LocationKind::Camp, "Host", 0);
    let c2 = b.add("C2", LocationKind::Camp, "Host", 0);
    let exit = b.add("E", LocationKind::Town, "Dest", 0);
    b.link(c2, exit, 500.0);
    b.link(a, t, 80.0);
    b.link(a, jail, 30.0);
    b.link(t, c1, 150.0);
    b.link(t, c2, 420.0);
    b.link(c1, c2, 300.0);
    let network = b.build();
    let host = network.find_country("Host").unwrap();
    let mut settings = Settings::flee_defaults();
    settings.move_rules.camp_movechance = 0.05;
    let mut initial = vec![a; 30_000];
    initial.extend(vec![c1; 10_000]);
    let mechanisms = if mechanisms {
        Mechanisms {
            irregular_countries: vec![host],
            enforcement: Some(Enforcement {
                regions: vec![EnforcementRegion {
                    name: "Host".into(),
                    locations: vec![t, c1, c2],
                    baseline: Series::constant(0.01),
                    campaigns: Vec::new(),
                }],
                kind_multipliers: Vec::new(),
                settled_multiplier: 1.0,
                travelling_multiplier: 2.0,
            }),
            detention: Some(Detention {
                sites: vec![DetentionSite {
                    location: jail,
                    release: a,
                }],
                duration: DayCount::Uniform { min: 2, max: 5 },
            }),
            recrossing: Some(Recrossing {
                rate: 0.1,
                intensity: None,
                deported_multiplier: None,
            }),
            voluntary_return: Some(VoluntaryReturn {
                rate: 0.01,
                conditions: None,
                homes: vec![a],
            }),
            // Issue 13: a channel with a daily capacity (a queue decided every day), brokers,
            // seasonality and mortality.
            asylum: Some(Asylum {
                rate: Series::constant(0.001),
                brokers: Some(Brokers {
                    per_exited: 1e-5,
                    saturation: Some(100.0),
                    exited_before: 5.0,
                    per_channel_weight: false,
                }),
                channels: vec![Channel {
                    name: "mission".into(),
                    location: c2,
                    exit,
                    weight: Series::constant(1.0),
                    success: 0.5,
                    delay: DayCount::Fixed(2),
                    open: None,
                    close: None,
                    capacity: Some(Capacity {
                        claims: Series::constant(3.0),
                        per_month: false,
                    }),
                    on_failure: Failure::Detained(DayCount::Fixed(3)),
                }],
                incidents: Vec::new(),
            }),
            seasonality: Some(Seasonality {
                push: None,
                recrossing: Some([1.5; 12]),
            }),
            mortality: Some(Mortality {
                hazards: vec![(1, Series::constant(1e-4)), (9, Series::constant(1e-3))],
            }),
            ..Mechanisms::default()
        }
    } else {
        Mechanisms::default()
    };
    Scenario {
        name: "alloc".into(),
        start_date: tumen_core::Date::constant(2000, 1, 1),
        days: 60,
        network,
        settings,
        schedule: Schedule::default(),
        observations: Observations::default(),
        initial_agents: initial,
        mechanisms,
    }
}

/// Blocks allocated while days `from..60` run (after days `0..from`).
fn blocks_after(kind: EngineKind, mechanisms: bool, from: u32) -> u64 {
    let mut simulation = Simulation::with_engine(scenario(mechanisms), 3, kind).unwrap();
    for _ in 0..from {
        simulation.step(&mut ()).unwrap();
    }
    let before = dhat::HeapStats::get().total_blocks;
    while !simulation.finished() {
        simulation.step(&mut ()).unwrap();
    }
    dhat::HeapStats::get().total_blocks - before
}

#[test]
fn the_day_loop_allocates_nothing_after_the_first_days() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(check_every_engine);
}

fn check_every_engine() {
    // Warm the thread pool and every buffer once.
    let _ = blocks_after(EngineKind::Agents, true, 60);
    for mechanisms in [false, true] {
        assert_eq!(
            blocks_after(EngineKind::Agents, mechanisms, 1),
            0,
            "agent engine (mechanisms: {mechanisms})"
        );
        // The count engine's cohort lists settle once the states stop appearing.
        assert_eq!(
            blocks_after(EngineKind::Counts, mechanisms, 40),
            0,
            "count engine (mechanisms: {mechanisms})"
        );
    }
}
