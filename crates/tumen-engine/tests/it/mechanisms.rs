//! The seed's mechanisms on hand-made scenarios whose outcome can be computed: detection at a
//! constant probability (closed form), detention for a fixed time and release, re-crossing,
//! voluntary return, asylum claims and their outcomes, channel links, scheduled incidents,
//! triggers and their decay, push from origins, aid. Every test runs both engines.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]
#![expect(clippy::cast_precision_loss, reason = "counts in statistics")]

use tumen_core::{
    Aid, Asylum, Campaign, Channel, DayCount, Detention, DetentionSite, Enforcement,
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
        duration: DayCount::Fixed(days),
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
            delay: DayCount::Fixed(delay),
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

#[test]
fn asylum_channels_over_more_days_than_a_stay_can_be_dated_are_refused() {
    let mut w = world(5, 10);
    w.scenario.mechanisms.asylum = Some(asylum(&w, 0.0, 1.0, 3));
    w.scenario.days = 1 << 20;
    let error = Simulation::new(w.scenario, 1).unwrap_err();
    assert!(error.to_string().contains("asylum channels"), "{error}");
}

// ----- Channels as they worked, brokers, dynamics (issue 13) ---------------------------------

fn total(record: &Record, name: &str) -> u64 {
    record.events.iter().map(|e| e[event(name)]).sum()
}

#[test]
fn a_channel_with_capacity_decides_its_quota_a_day_and_queues_the_rest() {
    let mut w = world(30, 2000);
    let mut asylum = asylum(&w, 0.05, 1.0, 100);
    asylum.channels[0].capacity = Some(tumen_core::Capacity {
        claims: Series::constant(10.0),
        per_month: false,
    });
    w.scenario.mechanisms.asylum = Some(asylum);
    w.scenario.mechanisms.detention = Some(detention(&w, 10));
    for kind in ENGINES {
        let record = run(&w.scenario, 21, kind);
        let mut claims = 0;
        let mut saturated_days = 0;
        for day in 0..30 {
            claims += record.events[day][event("asylum_claims")];
            let queued = record.categories[day][category("queued")];
            let processing = record.categories[day][category("processing")];
            assert_eq!(queued + processing, claims, "{kind:?} day {day}");
            let before = if day == 0 {
                0
            } else {
                record.categories[day - 1][category("processing")]
            };
            let decided = processing - before;
            assert!(decided <= 10, "{kind:?} day {day}: {decided}");
            if queued > 0 {
                assert_eq!(decided, 10, "{kind:?} day {day}: a queue left undecided");
                saturated_days += 1;
            }
        }
        // ~100 claims a day against 10 decided: the queue grows from the first day.
        assert!(saturated_days >= 25, "{kind:?}: {saturated_days}");
    }
}

#[test]
fn a_monthly_capacity_is_spread_over_the_days_of_the_month() {
    // 15.5 claims in January: half a claim a day, 15 decided by 31 January.
    let mut w = world(31, 3000);
    let mut asylum = asylum(&w, 0.05, 1.0, 100);
    asylum.channels[0].capacity = Some(tumen_core::Capacity {
        claims: Series::constant(15.5),
        per_month: true,
    });
    w.scenario.mechanisms.asylum = Some(asylum);
    w.scenario.mechanisms.detention = Some(detention(&w, 10));
    for kind in ENGINES {
        let record = run(&w.scenario, 22, kind);
        let decided = record.categories[30][category("processing")];
        assert_eq!(decided, 15, "{kind:?}");
        // Never two on one day.
        for day in 1..31 {
            let step = record.categories[day][category("processing")]
                - record.categories[day - 1][category("processing")];
            assert!(step <= 1, "{kind:?} day {day}");
        }
    }
}

#[test]
fn a_channel_receives_claims_only_while_open_and_turns_its_queue_away_when_it_closes() {
    let mut w = world(30, 3000);
    let mut asylum = asylum(&w, 0.02, 1.0, 100);
    asylum.channels[0].open = Some(10);
    asylum.channels[0].close = Some(19);
    asylum.channels[0].capacity = Some(tumen_core::Capacity {
        claims: Series::constant(5.0),
        per_month: false,
    });
    w.scenario.mechanisms.asylum = Some(asylum);
    w.scenario.mechanisms.detention = Some(detention(&w, 10));
    for kind in ENGINES {
        let record = run(&w.scenario, 23, kind);
        for day in 0..30 {
            let claims = record.events[day][event("asylum_claims")];
            let departures = record.events[day][event("asylum_departures")];
            if (10..=19).contains(&day) {
                assert!(claims > 0, "{kind:?} day {day}");
            } else {
                assert_eq!(departures + claims, 0, "{kind:?} day {day}");
            }
        }
        let queued = record.categories[19][category("queued")];
        assert!(queued > 100, "{kind:?}: {queued}");
        assert_eq!(record.events[20][event("asylum_turned_away")], queued);
        assert_eq!(record.categories[20][category("queued")], 0);
        assert_eq!(total(&record, "asylum_turned_away"), queued);
        // Decided only while open: 10 days of 5.
        assert_eq!(record.categories[29][category("processing")], 50);
    }
}

#[test]
fn failed_claimants_are_sent_on_or_held_where_they_claimed() {
    // Sent on: every failure exits anyway, nobody is detained.
    let mut w = world(40, 3000);
    let mut sent_on = asylum(&w, 0.01, 0.0, 3);
    sent_on.channels[0].on_failure = Failure::SentOn;
    w.scenario.mechanisms.asylum = Some(sent_on);
    w.scenario.mechanisms.detention = Some(detention(&w, 10));
    for kind in ENGINES {
        let record = run(&w.scenario, 24, kind);
        let claims = total(&record, "asylum_claims");
        assert!(claims > 300, "{claims}");
        assert_eq!(total(&record, "asylum_failures"), claims);
        assert_eq!(total(&record, "asylum_sent_on"), claims);
        assert_eq!(total(&record, "detentions"), 0);
        // 3 days' delay and 2 days' travel: claims up to day 33 have exited by day 39.
        let by_33: u64 = record.events[..=33]
            .iter()
            .map(|e| e[event("asylum_claims")])
            .sum();
        assert!(record.categories[39][category("exited")] >= by_33);
    }
    // Held there: an incident of 100 all failing, held 4 days at M, then free (hidden) at M.
    let mut held = asylum(&w, 0.0, 0.0, 3);
    held.channels[0].on_failure = Failure::Detained(DayCount::Fixed(4));
    held.incidents.push(Incident {
        day: 2,
        channel: 0,
        size: 100,
        success: 0.0,
        allowed: None,
        on_failure: None,
        label: "rush".into(),
    });
    w.scenario.mechanisms.asylum = Some(held);
    for kind in ENGINES {
        let record = run(&w.scenario, 25, kind);
        assert_eq!(record.events[2][event("asylum_held")], 100);
        assert_eq!(record.categories[2][category("detained")], 100);
        assert_eq!(record.locations[2][w.m.index()], 100);
        assert_eq!(total(&record, "detentions"), 0);
        assert_eq!(total(&record, "releases"), 100);
        let released_on = (0..40)
            .find(|&d| record.events[d][event("releases")] > 0)
            .unwrap();
        assert_eq!(record.events[released_on][event("releases")], 100);
        // Held on day 2 for 4 days: released on day 6, in both engines.
        assert_eq!(released_on, 6);
        assert_eq!(record.categories[released_on][category("detained")], 0);
        assert_eq!(record.categories[39][category("at_home")], 0);
    }
}

#[test]
fn an_incident_with_a_partial_outcome_lets_exactly_the_allowed_number_leave() {
    let mut w = world(10, 1000);
    let mut asylum = asylum(&w, 0.0, 1.0, 30);
    asylum.incidents.push(Incident {
        day: 3,
        channel: 0,
        size: 125,
        success: 1.0,
        allowed: Some(50),
        on_failure: None,
        label: "50 of 125".into(),
    });
    w.scenario.mechanisms.asylum = Some(asylum);
    w.scenario.mechanisms.detention = Some(detention(&w, 100));
    for seed in 1..=5 {
        for kind in ENGINES {
            let record = run(&w.scenario, seed, kind);
            assert_eq!(record.events[3][event("asylum_claims")], 125);
            assert_eq!(record.categories[3][category("processing")], 50);
            assert_eq!(record.events[3][event("asylum_failures")], 75);
            assert_eq!(record.events[3][event("detentions")], 75);
        }
    }
}

#[test]
fn brokers_raise_the_rate_of_setting_out_with_the_people_already_exited() {
    // Base 0; 20 000 people exited before; 1e-6 per person: 2 % a day, or with a saturation
    // of 20 000, 1e-6 × 20 000 × ½ = 1 %.
    for (saturation, p) in [(None, 0.02), (Some(20_000.0), 0.01)] {
        let mut w = world(1, 10_000);
        let mut asylum = asylum(&w, 0.0, 1.0, 30);
        asylum.brokers = Some(tumen_core::Brokers {
            per_exited: 1e-6,
            saturation,
            exited_before: 20_000.0,
            per_channel_weight: false,
        });
        w.scenario.mechanisms.asylum = Some(asylum);
        w.scenario.mechanisms.detention = Some(detention(&w, 100));
        for kind in ENGINES {
            let record = run(&w.scenario, 26, kind);
            let departures = record.events[0][event("asylum_departures")];
            assert_binomial(departures, 10_000, p, &format!("{kind:?} {saturation:?}"));
        }
    }
    // The network grows with the people who exit during the run: with exits, the later daily
    // rate is well above the base.
    let mut w = world(60, 20_000);
    let mut asylum = asylum(&w, 0.001, 1.0, 1);
    asylum.brokers = Some(tumen_core::Brokers {
        per_exited: 2e-5,
        saturation: None,
        exited_before: 0.0,
        per_channel_weight: false,
    });
    w.scenario.mechanisms.asylum = Some(asylum);
    w.scenario.mechanisms.detention = Some(detention(&w, 100));
    for kind in ENGINES {
        let record = run(&w.scenario, 27, kind);
        let exited = record.categories[49][category("exited")] as f64;
        let hidden = record.categories[49][category("hidden")] as f64;
        let expected = (0.001 + 2e-5 * exited) * hidden;
        let departures = record.events[50][event("asylum_departures")] as f64;
        assert!(exited > 500.0, "{exited}");
        assert!(
            (departures - expected).abs() < 4.5 * expected.sqrt() + 1.0,
            "{kind:?}: {departures} vs {expected:.1}"
        );
    }
}

#[test]
fn brokers_per_channel_weight_scale_the_network_with_the_open_channels() {
    // Base 0.1 %; network 1e-6 × 4 500 people exited before = 0.45 %; two channels of weights
    // 1.5 and 0.5, the second closed from day 1: the daily rate is 0.1 % + 0.45 % × 2 = 1 % on
    // day 0 and 0.1 % + 0.45 % × 1.5 = 0.775 % on day 1. Without the flag it stays 0.55 %.
    for (per_channel_weight, p0, p1) in [(true, 0.01, 0.00775), (false, 0.0055, 0.0055)] {
        let mut w = world(2, 40_000);
        let mut asylum = asylum(&w, 0.001, 1.0, 30);
        asylum.channels[0].weight = Series::constant(1.5);
        let mut second = asylum.channels[0].clone();
        second.name = "second".into();
        second.weight = Series::constant(0.5);
        second.close = Some(0);
        asylum.channels.push(second);
        asylum.brokers = Some(tumen_core::Brokers {
            per_exited: 1e-6,
            saturation: None,
            exited_before: 4_500.0,
            per_channel_weight,
        });
        w.scenario.mechanisms.asylum = Some(asylum);
        w.scenario.mechanisms.detention = Some(detention(&w, 100));
        for kind in ENGINES {
            let record = run(&w.scenario, 28, kind);
            let label = format!("{kind:?} per_channel_weight {per_channel_weight}");
            let day0 = record.events[0][event("asylum_departures")];
            assert_binomial(day0, 40_000, p0, &format!("{label} day 0"));
            let hidden = record.categories[0][category("hidden")];
            let day1 = record.events[1][event("asylum_departures")];
            assert_binomial(day1, hidden, p1, &format!("{label} day 1"));
        }
    }
}

#[test]
fn a_seasonal_profile_multiplies_push_by_month() {
    let mut w = world(60, 0);
    w.scenario.mechanisms.push = vec![Push {
        location: w.a,
        rate: PushRate::PerDay(Series::constant(100.0)),
    }];
    let mut profile = [1.0; 12];
    profile[0] = 2.0;
    profile[1] = 0.5;
    w.scenario.mechanisms.seasonality = Some(tumen_core::Seasonality {
        push: Some(profile),
        recrossing: None,
    });
    for kind in ENGINES {
        let record = run(&w.scenario, 28, kind);
        let pushed = |days: std::ops::Range<usize>| -> f64 {
            record.events[days]
                .iter()
                .map(|e| e[event("pushed")] as f64)
                .sum()
        };
        // January: 31 days at 200; February 2000 (leap year): 29 days at 50. Poisson.
        for (observed, expected) in [(pushed(0..31), 6200.0), (pushed(31..60), 1450.0_f64)] {
            assert!(
                (observed - expected).abs() < 4.5 * expected.sqrt(),
                "{kind:?}: {observed} vs {expected}"
            );
        }
    }
}

#[test]
fn mortality_removes_people_at_the_daily_hazard_of_their_category() {
    let mut w = world(20, 10_000);
    w.scenario.mechanisms.mortality = Some(tumen_core::Mortality {
        hazards: vec![(category("hidden"), Series::constant(0.01))],
    });
    for kind in ENGINES {
        let record = run(&w.scenario, 29, kind);
        let alive = record.categories[19][category("hidden")];
        assert_binomial(alive, 10_000, 0.99_f64.powi(20), &format!("{kind:?}"));
        let dead = record.categories[19][category("dead")];
        assert_eq!(dead, 10_000 - alive);
        assert_eq!(total(&record, "deaths"), dead);
        // The dead are in no location count.
        for day in 0..20 {
            let placed: u64 = record.locations[day].iter().sum();
            assert!(placed <= record.totals[day] - record.categories[day][category("dead")]);
        }
        assert_eq!(record.locations[19].iter().sum::<u64>(), alive);
    }
}

#[test]
fn penalties_at_home_multiply_recrossing_after_deportation() {
    // As `people_at_home_recross_at_the_daily_rate`, with the deported leaving at 2 × 5 %.
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
        deported_multiplier: Some(Series::constant(2.0)),
    });
    for kind in ENGINES {
        let record = run(&w.scenario, 3, kind);
        assert_eq!(record.categories[1][category("at_home")], 4000);
        let home = record.categories[21][category("at_home")];
        assert_binomial(home, 4000, 0.90_f64.powi(20), &format!("{kind:?}"));
    }
}
