//! Scenarios shared by the engine's test suites.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]

use tumen_core::{
    Aid, Asylum, Brokers, Campaign, Capacity, Channel, Closure, ClosureScope, ConflictTable,
    DayCount, Detention, DetentionSite, Enforcement, EnforcementRegion, Failure, Incident, LinkId,
    LinkSpec, LocationKind, Mechanisms, Mortality, Network, Observations, Push, PushRate,
    Recrossing, Scenario, Schedule, Seasonality, Series, Settings, Trigger, VoluntaryReturn,
};

/// A Flee scenario that exercises every rule: multi-link days, walking, capacity, closures,
/// awareness 2, markers, short-stint avoidance.
pub(crate) fn scenario() -> Scenario {
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
        b.add_link(LinkSpec {
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

/// A scenario that uses every mechanism: push from two origins, a camp with a capacity (so the
/// day runs in batches of departures and arrivals), enforcement with a campaign and a
/// trigger, detention of drawn length, release and re-crossing, voluntary return with aid,
/// two asylum channels (one behind a channel link) with drawn delays, and an incident.
pub(crate) fn mechanism_scenario() -> Scenario {
    let mut b = Network::builder();
    let a1 = b.add("A1", LocationKind::ConflictZone, "Home", 400_000);
    let a2 = b.add("A2", LocationKind::ConflictZone, "Home", 200_000);
    let jail = b.add("Jail", LocationKind::Town, "Home", 0);
    let border = b.add("Border", LocationKind::Town, "Host", 0);
    let village = b.add("Village", LocationKind::Camp, "Host", 0);
    let city = b.add("City", LocationKind::Camp, "Host", 0);
    let capital = b.add("Capital", LocationKind::Town, "Host", 0);
    let transit = b.add("Transit", LocationKind::Town, "Third", 0);
    let exit = b.add("Exit", LocationKind::Town, "Dest", 0);
    b.link(a1, border, 60.0);
    b.link(a2, border, 150.0);
    b.link(a1, jail, 40.0);
    b.link(border, village, 30.0);
    b.link(border, city, 120.0);
    b.link(city, capital, 500.0);
    b.link(capital, transit, 700.0);
    b.link(capital, exit, 900.0);
    b.link(transit, exit, 1500.0);
    let mut network = b.build();
    if let Some(location) = network.locations.get_mut(village.index()) {
        location.capacity = Some(1500);
    }
    let host = network.find_country("Host").unwrap();
    let channel_links = network
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.to == exit || l.from == exit)
        .map(|(i, _)| LinkId::from_index(i))
        .collect();
    let mut settings = Settings::flee_defaults();
    settings.move_rules.awareness_level = 2;
    settings.move_rules.avoid_short_stints = true;
    Scenario {
        name: "mechanisms-equivalence".into(),
        start_date: tumen_core::Date::constant(2000, 1, 1),
        days: 40,
        network,
        settings,
        schedule: Schedule::default(),
        observations: Observations::default(),
        initial_agents: vec![city; 2000],
        mechanisms: Mechanisms {
            irregular_countries: vec![host],
            channel_links,
            push: vec![
                Push {
                    location: a1,
                    rate: PushRate::PerDay(Series {
                        points: vec![(0, 100.0), (39, 20.0)],
                    }),
                },
                Push {
                    location: a2,
                    rate: PushRate::PerCapita {
                        per_capita: 1e-4,
                        intensity: Series::constant(1.0),
                    },
                },
            ],
            enforcement: Some(Enforcement {
                regions: vec![
                    EnforcementRegion {
                        name: "Border".into(),
                        locations: vec![border, village],
                        baseline: Series::constant(0.01),
                        campaigns: vec![Campaign {
                            name: "sweep".into(),
                            start: 15,
                            end: 20,
                            add: 0.05,
                        }],
                    },
                    EnforcementRegion {
                        name: "Inland".into(),
                        locations: vec![city, capital],
                        baseline: Series::constant(0.004),
                        campaigns: Vec::new(),
                    },
                ],
                kind_multipliers: vec![(LocationKind::Town, 2.0)],
                settled_multiplier: 1.0,
                travelling_multiplier: 3.0,
            }),
            detention: Some(Detention {
                sites: vec![DetentionSite {
                    location: jail,
                    release: a1,
                }],
                duration: DayCount::Uniform { min: 3, max: 8 },
            }),
            recrossing: Some(Recrossing {
                rate: 0.05,
                intensity: None,
                deported_multiplier: Some(Series {
                    points: vec![(0, 1.0), (20, 3.0)],
                }),
            }),
            voluntary_return: Some(VoluntaryReturn {
                rate: 0.01,
                conditions: Some(Series {
                    points: vec![(0, 0.5), (39, 1.5)],
                }),
                homes: vec![a1, a2],
            }),
            asylum: Some(Asylum {
                rate: Series::constant(0.004),
                brokers: Some(Brokers {
                    per_exited: 1e-5,
                    saturation: Some(200.0),
                    exited_before: 10.0,
                    per_channel_weight: false,
                }),
                channels: vec![
                    Channel {
                        name: "mission".into(),
                        location: capital,
                        exit,
                        weight: Series::constant(1.0),
                        success: 0.8,
                        delay: DayCount::Uniform { min: 2, max: 6 },
                        open: None,
                        close: Some(30),
                        capacity: Some(Capacity {
                            claims: Series::constant(3.5),
                            per_month: false,
                        }),
                        on_failure: Failure::Deported,
                    },
                    Channel {
                        name: "pipeline".into(),
                        location: transit,
                        exit,
                        weight: Series::constant(0.5),
                        success: 0.7,
                        delay: DayCount::Fixed(3),
                        open: None,
                        close: None,
                        capacity: None,
                        on_failure: Failure::SentOn,
                    },
                    Channel {
                        name: "consulate".into(),
                        location: city,
                        exit,
                        weight: Series::constant(0.5),
                        success: 0.5,
                        delay: DayCount::Fixed(2),
                        open: Some(5),
                        close: None,
                        capacity: Some(Capacity {
                            claims: Series::constant(60.0),
                            per_month: true,
                        }),
                        on_failure: Failure::Detained(DayCount::Uniform { min: 2, max: 4 }),
                    },
                ],
                incidents: vec![Incident {
                    day: 10,
                    channel: 0,
                    size: 60,
                    success: 0.9,
                    allowed: Some(40),
                    on_failure: None,
                    label: "rush".into(),
                }],
            }),
            triggers: vec![Trigger {
                name: "crackdown".into(),
                enabled: true,
                min_size: 50,
                country: host,
                region: 0,
                delta: 0.03,
                half_life_days: 5.0,
            }],
            aid: Some(Aid {
                presence: vec![(city, Series::constant(1.0))],
                attraction: 0.5,
                return_damping: 0.5,
                enforcement_reduction: 5.0,
            }),
            seasonality: Some(Seasonality {
                push: Some([1.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]),
                recrossing: Some([2.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
            }),
            mortality: Some(Mortality {
                hazards: vec![
                    (1, Series::constant(5e-4)),
                    (4, Series::constant(2e-3)),
                    (9, Series::constant(1e-3)),
                ],
            }),
            attributes: None,
        },
    }
}

/// [`mechanism_scenario`] with every person attribute: sex (a default female share and a
/// dated one for `A2`), origins (the push sources), the family state, and multipliers by sex
/// for detection, return, asylum and moving in with a family.
pub(crate) fn attribute_scenario() -> Scenario {
    let mut scenario = mechanism_scenario();
    let a2 = scenario.network.find("A2").unwrap();
    scenario.mechanisms.attributes = Some(tumen_core::Attributes {
        sex: Some(tumen_core::Sex {
            female_share: Series::constant(0.4),
            sources: vec![(
                a2,
                Series {
                    points: vec![(0, 0.2), (39, 0.8)],
                },
            )],
            female: tumen_core::SexEffects {
                detection: 0.5,
                voluntary_return: 0.7,
                asylum: 1.5,
                family: 1.0,
            },
            male: tumen_core::SexEffects {
                detection: 1.5,
                voluntary_return: 1.2,
                asylum: 0.8,
                family: 0.2,
            },
        }),
        origin: Some(tumen_core::Origins::default()),
        family: Some(tumen_core::Family {
            rate: 0.03,
            detection: 0.3,
            exit: 0.3,
        }),
    });
    scenario
}
