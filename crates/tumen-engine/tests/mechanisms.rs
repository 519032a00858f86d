//! The seed's mechanisms on hand-made scenarios whose outcome can be computed: detection at a
//! constant probability (closed form), detention for a fixed time and release, re-crossing,
//! voluntary return, asylum claims and their outcomes, channel links, scheduled incidents,
//! triggers and their decay, push from origins, aid. Every test runs both engines.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]
#![expect(clippy::cast_precision_loss, reason = "counts in statistics")]

use tumen_core::{
    Aid, Asylum, Campaign, Channel, Detention, DetentionSite, Duration, Enforcement,
    EnforcementRegion, Failure, Incident, LinkId, LocationId, LocationKind, Mechanisms, Network,
    Observations, Push, PushRate, Recrossing, Scenario, Schedule, Series, Settings, Trigger,
    VoluntaryReturn,
};
use tumen_engine::{CATEGORIES, DayView, EVENTS, EngineKind, Observer, ObserverError, Simulation};

const ENGINES: [EngineKind; 2] = [EngineKind::Agents, EngineKind::Counts];

fn category(name: &str) -> usize {
    CATEGORIES.iter().position(|c| *c == name).unwrap()
}

fn event(name: &str) -> usize {
    EVENTS.iter().position(|c| *c == name).unwrap()
}

/// Home country: origin `A` (conflict zone, pop 1 000 000); host country (irregular): camp
/// `B` 100 km from A, town `M` (a mission) 100 km from B; destination country: `E`, reached
/// from M only by a channel link of 300 km; detention site `D` in Home, 50 km from A.
struct World {
    scenario: Scenario,
    a: LocationId,
    b: LocationId,
    m: LocationId,
    e: LocationId,
    d: LocationId,
}

fn world(days: u32, people_at_b: usize) -> World {
    let mut builder = Network::builder();
    let a = builder.add("A", LocationKind::ConflictZone, "Home", 1_000_000);
    let d = builder.add("D", LocationKind::Town, "Home", 0);
    let b = builder.add("B", LocationKind::Camp, "Host", 0);
    let m = builder.add("M", LocationKind::Town, "Host", 0);
    let e = builder.add("E", LocationKind::Town, "Dest", 0);
    builder.link(a, b, 100.0);
    builder.link(a, d, 50.0);
    builder.link(b, m, 100.0);
    builder.link(m, e, 300.0);
    let network = builder.build();
    let host = network.find_country("Host").unwrap();
    let channel_links = network
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| (l.from == m && l.to == e) || (l.from == e && l.to == m))
        .map(|(i, _)| LinkId::from_index(i))
        .collect();
    let mut settings = Settings::flee_defaults();
    settings.move_rules.camp_movechance = 0.0;
    let scenario = Scenario {
        name: "mechanisms".into(),
        start_date: tumen_core::Date::constant(2000, 1, 1),
        days,
        network,
        settings,
        schedule: Schedule::default(),
        observations: Observations::default(),
        initial_agents: vec![b; people_at_b],
        mechanisms: Mechanisms {
            irregular_countries: vec![host],
            channel_links,
            ..Mechanisms::default()
        },
    };
    World {
        scenario,
        a,
        b,
        m,
        e,
        d,
    }
}

fn enforcement(w: &World, baseline: f64) -> Enforcement {
    Enforcement {
        regions: vec![EnforcementRegion {
            name: "Host".into(),
            locations: vec![w.b, w.m],
            baseline: Series::constant(baseline),
            campaigns: Vec::new(),
        }],
        kind_multipliers: Vec::new(),
        settled_multiplier: 1.0,
        travelling_multiplier: 1.0,
    }
}

fn detention(w: &World, days: u16) -> Detention {
    Detention {
        sites: vec![DetentionSite {
            location: w.d,
            release: w.a,
        }],
        duration: Duration::Fixed(days),
    }
}

/// Everything an observer sees, day by day.
#[derive(Default)]
struct Record {
    categories: Vec<Vec<u64>>,
    events: Vec<Vec<u64>>,
    locations: Vec<Vec<u64>>,
    enforcement: Vec<Vec<f64>>,
    totals: Vec<u64>,
}

impl Observer for Record {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        self.categories.push(view.status_counts.to_vec());
        self.events.push(view.events.to_vec());
        self.locations.push(view.location_counts.to_vec());
        self.enforcement.push(view.enforcement.to_vec());
        self.totals.push(view.agents_total);
        Ok(())
    }
}

fn run(scenario: &Scenario, seed: u64, kind: EngineKind) -> Record {
    let mut simulation = Simulation::with_engine(scenario.clone(), seed, kind).unwrap();
    let mut record = Record::default();
    simulation.run(&mut record).unwrap();
    for (day, categories) in record.categories.iter().enumerate() {
        assert_eq!(
            categories.iter().sum::<u64>(),
            record.totals[day],
            "categories must add up to the population on day {day}"
        );
    }
    record
}

/// |observed − expected| ≤ 4.5 standard deviations of a binomial(n, p) count.
fn assert_binomial(observed: u64, n: u64, p: f64, what: &str) {
    let expected = n as f64 * p;
    let sd = (n as f64 * p * (1.0 - p)).sqrt().max(0.5);
    assert!(
        (observed as f64 - expected).abs() <= 4.5 * sd,
        "{what}: observed {observed}, expected {expected:.1} ± {sd:.1}"
    );
}

#[test]
fn detection_at_a_constant_probability_follows_the_closed_form() {
    let mut w = world(30, 10_000);
    w.scenario.mechanisms.enforcement = Some(enforcement(&w, 0.02));
    w.scenario.mechanisms.detention = Some(detention(&w, 1000));
    for kind in ENGINES {
        let record = run(&w.scenario, 7, kind);
        for day in [0, 9, 29] {
            // Detected by the end of day `day`: 1 − 0.98^(day + 1) of the hidden people.
            let p = 1.0 - 0.98_f64.powi(day as i32 + 1);
            let detained = record.categories[day][category("detained")];
            assert_binomial(detained, 10_000, p, &format!("{kind:?} day {day}"));
            assert_eq!(
                record.categories[day][category("hidden")] + detained,
                10_000
            );
            assert_eq!(record.locations[day][w.d.index()], detained);
        }
        let detentions: u64 = record.events.iter().map(|e| e[event("detentions")]).sum();
        assert_eq!(detentions, record.categories[29][category("detained")]);
    }
}

#[test]
fn detention_lasts_its_duration_then_people_are_home() {
    let mut w = world(15, 500);
    w.scenario.mechanisms.enforcement = Some(enforcement(&w, 1.0));
    w.scenario.mechanisms.detention = Some(detention(&w, 10));
    for kind in ENGINES {
        let record = run(&w.scenario, 1, kind);
        for day in 0..10 {
            assert_eq!(
                record.categories[day][category("detained")],
                500,
                "day {day}"
            );
        }
        for day in 10..15 {
            assert_eq!(
                record.categories[day][category("at_home")],
                500,
                "day {day}"
            );
            assert_eq!(record.locations[day][w.a.index()], 500);
        }
        assert_eq!(record.events[10][event("releases")], 500);
    }
}

#[test]
fn people_at_home_recross_at_the_daily_rate() {
    // Everyone is caught on day 0 (a one-day campaign), held one day, home on day 1, then
    // leaves again at 5 % a day (and is never caught again).
    let mut w = world(22, 4000);
    let mut enforcement = enforcement(&w, 0.0);
    enforcement.regions[0].campaigns.push(Campaign {
        name: "sweep".into(),
        start: 0,
        end: 0,
        add: 1.0,
    });
    w.scenario.mechanisms.enforcement = Some(enforcement);
    w.scenario.mechanisms.detention = Some(detention(&w, 1));
    w.scenario.mechanisms.recrossing = Some(Recrossing {
        rate: 0.05,
        intensity: None,
        deported_multiplier: None,
    });
    for kind in ENGINES {
        let record = run(&w.scenario, 3, kind);
        assert_eq!(record.categories[0][category("detained")], 4000);
        assert_eq!(record.categories[1][category("at_home")], 4000);
        // Days 2..=21: 20 daily chances to leave.
        let home = record.categories[21][category("at_home")];
        assert_binomial(home, 4000, 0.95_f64.powi(20), &format!("{kind:?}"));
        let recrossings: u64 = record.events.iter().map(|e| e[event("recrossings")]).sum();
        assert_eq!(recrossings, 4000 - home);
        // Those who left crossed into the host country again (conflict zone: they move).
        let crossings: u64 = record.events.iter().map(|e| e[event("crossings")]).sum();
        assert!(crossings > 0 && crossings <= recrossings, "{crossings}");
    }
}

#[test]
fn voluntary_return_takes_people_home_at_the_daily_rate() {
    let mut w = world(20, 5000);
    w.scenario.mechanisms.voluntary_return = Some(VoluntaryReturn {
        rate: 0.005,
        conditions: Some(Series::constant(2.0)),
        homes: vec![w.a],
    });
    for kind in ENGINES {
        let record = run(&w.scenario, 5, kind);
        // 100 km at 200 km a day: home the day they leave. 20 days at 1 %.
        let home = record.categories[19][category("at_home")];
        assert_binomial(home, 5000, 1.0 - 0.99_f64.powi(20), &format!("{kind:?}"));
        let returns: u64 = record.events.iter().map(|e| e[event("returns")]).sum();
        assert_eq!(returns, home);
        assert_eq!(record.locations[19][w.a.index()], home);
    }
}

fn asylum(w: &World, rate: f64, success: f64, delay: u16) -> Asylum {
    Asylum {
        rate: Series::constant(rate),
        brokers: None,
        channels: vec![Channel {
            name: "mission".into(),
            location: w.m,
            exit: w.e,
            weight: Series::constant(1.0),
            success,
            delay: Duration::Fixed(delay),
            open: None,
            close: None,
            capacity: None,
            on_failure: Failure::Deported,
        }],
        incidents: Vec::new(),
    }
}

#[test]
fn asylum_claims_succeed_at_their_probability_and_exit_after_the_delay() {
    let mut w = world(60, 4000);
    w.scenario.mechanisms.asylum = Some(asylum(&w, 0.01, 0.7, 5));
    w.scenario.mechanisms.detention = Some(detention(&w, 1000));
    for kind in ENGINES {
        let record = run(&w.scenario, 11, kind);
        let total = |name: &str| -> u64 { record.events.iter().map(|e| e[event(name)]).sum() };
        let claims = total("asylum_claims");
        let failures = total("asylum_failures");
        assert!(claims > 1000, "{claims}");
        assert_binomial(
            claims - failures,
            claims,
            0.7,
            &format!("{kind:?} successes"),
        );
        assert_eq!(total("detentions"), failures);
        // B → M is 100 km (same day); 5 days' processing; M → E 300 km (2 days at 200).
        // So nobody exits before day 5 + 2 − 1 and claims made by day 52 have all exited.
        for day in 0..6 {
            assert_eq!(record.categories[day][category("exited")], 0, "day {day}");
        }
        let exited = record.categories[59][category("exited")];
        let claims_by_52: u64 = record.events[..=52]
            .iter()
            .map(|e| e[event("asylum_claims")] - e[event("asylum_failures")])
            .sum();
        assert!(exited >= claims_by_52, "{exited} < {claims_by_52}");
        assert_eq!(exited, total("asylum_exits"));
        // The exit is reached only through the channel link: everyone there has exited.
        for day in 0..60 {
            assert_eq!(
                record.locations[day][w.e.index()],
                record.categories[day][category("exited")]
            );
        }
    }
}

#[test]
fn free_people_never_take_a_channel_link() {
    // Free people wander from the town M (move chance 0.3), but E is only reachable by the
    // channel link: nobody reaches it without a successful claim.
    let mut w = world(40, 0);
    w.scenario.initial_agents = vec![w.m; 3000];
    w.scenario.mechanisms.detention = Some(detention(&w, 10));
    w.scenario.mechanisms.asylum = Some(asylum(&w, 0.0, 1.0, 1));
    for kind in ENGINES {
        let record = run(&w.scenario, 2, kind);
        assert!(record.locations.iter().all(|l| l[w.e.index()] == 0));
        assert!(record.locations[39][w.b.index()] > 0);
    }
}

#[test]
fn an_incident_moves_a_group_at_once_and_fires_its_trigger() {
    let mut w = world(40, 1000);
    let mut asylum = asylum(&w, 0.0, 1.0, 30);
    asylum.incidents.push(Incident {
        day: 5,
        channel: 0,
        size: 120,
        success: 1.0,
        allowed: None,
        on_failure: None,
        label: "rush".into(),
    });
    asylum.incidents.push(Incident {
        day: 8,
        channel: 0,
        size: 20,
        success: 0.0,
        allowed: None,
        on_failure: None,
        label: "small, failed".into(),
    });
    w.scenario.mechanisms.asylum = Some(asylum);
    w.scenario.mechanisms.enforcement = Some(enforcement(&w, 0.0));
    w.scenario.mechanisms.detention = Some(detention(&w, 1000));
    let host = w.scenario.network.find_country("Host").unwrap();
    w.scenario.mechanisms.triggers.push(Trigger {
        name: "crackdown".into(),
        enabled: true,
        min_size: 100,
        country: host,
        region: 0,
        delta: 0.01,
        half_life_days: 10.0,
    });
    for kind in ENGINES {
        let record = run(&w.scenario, 4, kind);
        assert_eq!(record.events[5][event("asylum_claims")], 120);
        assert_eq!(record.categories[5][category("processing")], 120);
        assert_eq!(record.locations[5][w.m.index()], 120);
        assert_eq!(record.events[8][event("asylum_failures")], 20);
        // Fired on day 5 (120 ≥ 100), not on day 8 (20): +0.01 from day 6, halving in 10 days.
        assert!(record.enforcement[5][0].abs() < 1e-15);
        assert!((record.enforcement[6][0] - 0.01).abs() < 1e-12);
        assert!((record.enforcement[16][0] - 0.005).abs() < 1e-12);
        assert!((record.enforcement[26][0] - 0.0025).abs() < 1e-12);
        // The crackdown detains hidden people: about 0.01 a day at first.
        let detained_after: u64 = record.events[6..16]
            .iter()
            .map(|e| e[event("detentions")])
            .sum();
        assert!(detained_after > 20, "{detained_after}");
    }
    // Switched off: no raise, no detentions but the failed claims.
    w.scenario.mechanisms.triggers[0].enabled = false;
    let record = run(&w.scenario, 4, EngineKind::Counts);
    assert!(record.enforcement.iter().all(|e| e[0] == 0.0));
    let detentions: u64 = record.events.iter().map(|e| e[event("detentions")]).sum();
    assert_eq!(detentions, 20);
}

#[test]
fn an_incident_larger_than_the_hidden_population_takes_everyone() {
    let mut w = world(8, 50);
    let mut asylum = asylum(&w, 0.0, 1.0, 30);
    asylum.incidents.push(Incident {
        day: 2,
        channel: 0,
        size: 500,
        success: 1.0,
        allowed: None,
        on_failure: None,
        label: "too big".into(),
    });
    w.scenario.mechanisms.asylum = Some(asylum);
    w.scenario.mechanisms.detention = Some(detention(&w, 10));
    for kind in ENGINES {
        let record = run(&w.scenario, 9, kind);
        assert_eq!(record.events[2][event("asylum_claims")], 50);
        assert_eq!(record.categories[2][category("hidden")], 0);
    }
}

#[test]
fn push_draws_the_expected_number_of_people() {
    let mut w = world(100, 0);
    w.scenario.mechanisms.push = vec![Push {
        location: w.a,
        rate: PushRate::PerCapita {
            per_capita: 2.0e-5,
            intensity: Series {
                points: vec![(0, 1.0), (99, 3.0)],
            },
        },
    }];
    for kind in ENGINES {
        let record = run(&w.scenario, 8, kind);
        // 20 a day rising linearly to 60: 4 000 over 100 days; Poisson sd ≈ 63.
        let pushed: u64 = record.events.iter().map(|e| e[event("pushed")]).sum();
        assert!(
            (pushed as f64 - 4000.0).abs() < 4.5 * 63.3,
            "{kind:?} {pushed}"
        );
        assert_eq!(*record.totals.last().unwrap(), pushed);
        // They leave the conflict zone for the host country: crossings counted on arrival.
        let crossings: u64 = record.events.iter().map(|e| e[event("crossings")]).sum();
        assert!(
            crossings as f64 > 0.9 * pushed as f64,
            "{crossings} of {pushed}"
        );
    }
}

#[test]
fn aid_multiplies_attraction() {
    // Origin A with two equal camps 100 km away, one with aid level 1 and attraction 1: its
    // score doubles, so it gets 2/3 of the people (weight softening 0).
    let mut builder = Network::builder();
    let a = builder.add("A", LocationKind::ConflictZone, "Home", 0);
    let c1 = builder.add("C1", LocationKind::Camp, "Host", 0);
    let c2 = builder.add("C2", LocationKind::Camp, "Host", 0);
    builder.link(a, c1, 100.0);
    builder.link(a, c2, 100.0);
    let mut settings = Settings::flee_defaults();
    settings.move_rules.weight_softening = 0.0;
    let scenario = Scenario {
        name: "aid".into(),
        start_date: tumen_core::Date::constant(2000, 1, 1),
        days: 3,
        network: builder.build(),
        settings,
        schedule: Schedule::default(),
        observations: Observations::default(),
        initial_agents: vec![a; 6000],
        mechanisms: Mechanisms {
            aid: Some(Aid {
                presence: vec![(c1, Series::constant(1.0))],
                attraction: 1.0,
                return_damping: 0.0,
                enforcement_reduction: 0.0,
            }),
            ..Mechanisms::default()
        },
    };
    for kind in ENGINES {
        let record = run(&scenario, 6, kind);
        let at_c1 = record.locations[2][c1.index()];
        assert_eq!(at_c1 + record.locations[2][c2.index()], 6000);
        assert_binomial(at_c1, 6000, 2.0 / 3.0, &format!("{kind:?}"));
    }
}

#[test]
fn aid_damps_return() {
    let mut w = world(20, 5000);
    w.scenario.mechanisms.voluntary_return = Some(VoluntaryReturn {
        rate: 0.02,
        conditions: None,
        homes: vec![w.a],
    });
    w.scenario.mechanisms.aid = Some(Aid {
        presence: vec![(w.b, Series::constant(1.0))],
        attraction: 0.0,
        return_damping: 0.75,
        enforcement_reduction: 0.0,
    });
    for kind in ENGINES {
        let record = run(&w.scenario, 12, kind);
        let home = record.categories[19][category("at_home")];
        assert_binomial(home, 5000, 1.0 - 0.995_f64.powi(20), &format!("{kind:?}"));
    }
}

#[test]
fn a_scenario_without_mechanisms_reports_no_categories_or_events() {
    let w = world(5, 10);
    let mut plain = w.scenario.clone();
    plain.mechanisms = Mechanisms::default();
    let mut simulation = Simulation::new(plain, 1).unwrap();
    let mut record = Record::default();
    simulation.step(&mut record).unwrap();
    assert!(record.categories[0].is_empty());
    assert!(record.events[0].is_empty());
}

#[test]
fn enforcement_without_a_detention_site_is_refused() {
    let mut w = world(5, 10);
    w.scenario.mechanisms.enforcement = Some(enforcement(&w, 0.1));
    let error = Simulation::new(w.scenario, 1).unwrap_err();
    assert!(error.to_string().contains("detention site"), "{error}");
}
