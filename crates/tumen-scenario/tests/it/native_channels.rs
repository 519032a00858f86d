//! The keys of issue 13 in the native format, on `examples/open-channels`: channels with dates,
//! capacity and failure outcomes, brokers, seasonality, mortality, penalties at home, partial
//! incidents; and the located errors of each.

use crate::common::{Example, day};
use tumen_core::{CATEGORIES, DayCount, Failure, Mechanisms, Scenario};
use tumen_scenario::{Loaded, MemorySource, ScenarioError, render};

const EXAMPLE: Example = Example("open-channels");

fn example() -> MemorySource {
    EXAMPLE.source()
}

fn edited_file(relative: &str, from: &str, to: &str) -> MemorySource {
    EXAMPLE.edited_file(relative, from, to)
}

fn edited(from: &str, to: &str) -> MemorySource {
    edited_file("scenario.toml", from, to)
}

fn try_load(source: &MemorySource) -> Result<Loaded, ScenarioError> {
    EXAMPLE.try_load(source, &[])
}

fn errors(source: &MemorySource) -> String {
    EXAMPLE.errors(source, &[])
}

fn mechanisms(source: &MemorySource) -> (Scenario, Mechanisms) {
    let loaded = match try_load(source) {
        Ok(loaded) => loaded,
        Err(error) => panic!("does not load:\n{error}"),
    };
    let mechanisms = loaded.scenario.mechanisms.clone();
    (loaded.scenario, mechanisms)
}

#[test]
fn the_example_loads_without_warnings_into_the_expected_mechanisms() {
    let loaded = try_load(&example()).unwrap();
    assert!(
        loaded.warnings.is_empty(),
        "{}",
        loaded.warnings.iter().map(render).collect::<String>()
    );
    let (_, m) = mechanisms(&example());
    let seasonality = m.seasonality.unwrap();
    assert_eq!(seasonality.push.unwrap()[0], 2.0);
    assert_eq!(seasonality.push.unwrap()[11], 1.6);
    assert_eq!(seasonality.recrossing.unwrap()[5], 1.0);
    let mortality = m.mortality.unwrap();
    let hidden = CATEGORIES.iter().position(|c| *c == "hidden").unwrap();
    let detained = CATEGORIES.iter().position(|c| *c == "detained").unwrap();
    assert_eq!(mortality.hazards.len(), 2);
    assert!(
        mortality
            .hazards
            .iter()
            .any(|(c, s)| *c == hidden && s.interpolate(0.0) == 0.00002)
    );
    assert!(mortality.hazards.iter().any(|(c, _)| *c == detained));
    let recrossing = m.recrossing.unwrap();
    let multiplier = recrossing.deported_multiplier.unwrap();
    assert_eq!(multiplier.interpolate(day("2000-06-01") as f64), 1.0);
    assert_eq!(multiplier.interpolate(day("2001-06-01") as f64), 0.5);
    let asylum = m.asylum.unwrap();
    assert!((asylum.rate.interpolate(100.0) - 0.00002).abs() < 1e-15);
    let brokers = asylum.brokers.unwrap();
    assert_eq!(brokers.per_exited, 1.0e-7);
    assert_eq!(brokers.saturation, Some(2000.0));
    assert_eq!(brokers.exited_before, 50.0);
    assert!(!brokers.per_channel_weight, "off unless asked for");
    let missions = &asylum.channels[0];
    assert_eq!((missions.open, missions.close), (None, None));
    let capacity = missions.capacity.as_ref().unwrap();
    assert!(capacity.per_month);
    assert_eq!(capacity.claims.interpolate(0.0), 3.0);
    assert_eq!(missions.on_failure, Failure::Deported);
    let consulate = &asylum.channels[1];
    assert_eq!(consulate.open, Some(day("2000-06-01")));
    assert_eq!(consulate.close, Some(day("2001-09-30")));
    assert!(consulate.capacity.is_none());
    assert_eq!(consulate.on_failure, Failure::SentOn);
    assert!(consulate.open_on(day("2001-09-30")) && !consulate.open_on(day("2001-10-01")));
    // The arrest row is filtered out; the partial rush keeps its `allowed`.
    assert_eq!(asylum.incidents.len(), 2);
    assert_eq!(asylum.incidents[0].allowed, None);
    assert_eq!(asylum.incidents[1].size, 12);
    assert_eq!(asylum.incidents[1].allowed, Some(5));
    assert_eq!(asylum.incidents[1].on_failure, None);
}

#[test]
fn hasten_divides_the_counts_of_brokers_capacity_and_incidents() {
    let source = edited_file("simsetting.yml", "hasten: 1", "hasten: 10");
    let (_, m) = mechanisms(&source);
    let asylum = m.asylum.unwrap();
    let brokers = asylum.brokers.unwrap();
    assert!((brokers.per_exited - 1.0e-6).abs() < 1e-18);
    assert_eq!(brokers.saturation, Some(200.0));
    assert_eq!(brokers.exited_before, 5.0);
    let capacity = asylum.channels[0].capacity.as_ref().unwrap();
    assert!((capacity.claims.interpolate(0.0) - 0.3).abs() < 1e-12);
    // 12 → 2 (rounded up), 5 allowed → 1.
    assert_eq!(asylum.incidents[1].size, 2);
    assert_eq!(asylum.incidents[1].allowed, Some(1));
}

#[test]
fn the_network_per_channel_weight_is_read() {
    let source = edited(
        "saturation = 2000",
        "saturation = 2000\nper_channel_weight = true",
    );
    let (_, m) = mechanisms(&source);
    assert!(m.asylum.unwrap().brokers.unwrap().per_channel_weight);
}

#[test]
fn held_failures_and_incident_outcomes_are_read() {
    let source = edited(
        "on_failure = \"sent_on\"",
        "on_failure = \"detained\"\nfailure_detention = { min = 3, max = 9 }",
    );
    let (_, m) = mechanisms(&source);
    let asylum = m.asylum.unwrap();
    assert_eq!(
        asylum.channels[1].on_failure,
        Failure::Detained(DayCount::Uniform { min: 3, max: 9 })
    );
    let table = "date,event,channel,size,allowed,success,on_failure,label\n\
                 2000-09-14,rush,Capital missions,25,,0.95,sent_on,a\n\
                 2001-03-20,rush,Harbour consulate,12,5,,detained,b\n";
    let source = source.with("mechanisms/asylum_incidents.csv", table);
    let (_, m) = mechanisms(&source);
    let incidents = m.asylum.unwrap().incidents;
    assert_eq!(incidents[0].on_failure, Some(Failure::SentOn));
    assert_eq!(
        incidents[1].on_failure,
        Some(Failure::Detained(DayCount::Uniform { min: 3, max: 9 }))
    );
}

#[test]
fn the_old_dated_rate_still_works_without_brokers() {
    let text = std::fs::read_to_string(EXAMPLE.dir().join("scenario.toml")).unwrap();
    let start = text.find("[asylum.brokers]").unwrap();
    let end = text.find("[[asylum.channel]]").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..]).replace(
        "[asylum]\n",
        "[asylum]\nrate = [[2000-01-01, 0.00001], [2001-01-01, 0.00003]]\n",
    );
    let (_, m) = mechanisms(&example().with("scenario.toml", text));
    let asylum = m.asylum.unwrap();
    assert!(asylum.brokers.is_none());
    assert!((asylum.rate.interpolate(0.0) - 0.00001).abs() < 1e-15);
}

/// `(what, from, to, expected parts of the message)`.
const BAD: &[(&str, &str, &str, &[&str])] = &[
    (
        "rate and brokers",
        "[asylum.brokers]",
        "rate = 0.0001\n\n[asylum.brokers]",
        &["both `rate` and `[asylum.brokers]`", "scenario.toml:"],
    ),
    (
        "brokers without base",
        "base = 0.00002\n",
        "",
        &["asylum.brokers", "base"],
    ),
    (
        "negative network term",
        "per_exited = 1.0e-7",
        "per_exited = -1.0",
        &["asylum.brokers.per_exited", "a number ≥ 0", "-1.0"],
    ),
    (
        "zero saturation",
        "saturation = 2000",
        "saturation = 0",
        &["asylum.brokers.saturation", "a number > 0"],
    ),
    (
        "network per channel weight not a boolean",
        "saturation = 2000",
        "saturation = 2000\nper_channel_weight = 1",
        &[
            "asylum.brokers.per_channel_weight",
            "`true` or `false`",
            "scenario.toml:",
        ],
    ),
    (
        "unknown failure outcome",
        "on_failure = \"sent_on\"",
        "on_failure = \"released\"",
        &["on_failure", "`\"sent_on\"`", "released"],
    ),
    (
        "held without a duration",
        "on_failure = \"sent_on\"",
        "on_failure = \"detained\"",
        &["needs `failure_detention`", "scenario.toml:"],
    ),
    (
        "close before open",
        "close = 2001-09-30",
        "close = 2000-05-01",
        &["asylum.channel[1].close", "a date not before `open`"],
    ),
    (
        "two capacities",
        "capacity_per_month = 3",
        "capacity_per_month = 3\ncapacity_per_day = 1",
        &["one of `capacity_per_day` and `capacity_per_month`"],
    ),
    (
        "negative capacity",
        "capacity_per_month = 3",
        "capacity_per_month = -3",
        &["capacity_per_month", "a number ≥ 0"],
    ),
    (
        "eleven months",
        "push = [2.0, 1.8, 1.2, 0.8, 0.7, 0.6, 0.6, 0.6, 0.7, 0.8, 1.0, 1.6]",
        "push = [2.0, 1.8, 1.2, 0.8, 0.7, 0.6, 0.6, 0.6, 0.7, 0.8, 1.0]",
        &["seasonality.push", "12 numbers"],
    ),
    (
        "negative month",
        "recrossing = [1.5,",
        "recrossing = [-1.5,",
        &["seasonality.recrossing[0]", "a number ≥ 0"],
    ),
    (
        "mortality of the exited",
        "hidden = 0.00002",
        "exited = 0.00002",
        &["mortality", "exited"],
    ),
    (
        "mortality above one",
        "detained = 0.0002",
        "detained = 2",
        &["mortality.detained", "a probability"],
    ),
    (
        "negative penalty",
        "[2001-01-01, 0.5]",
        "[2001-01-01, -0.5]",
        &["recrossing.deported_multiplier", "a number ≥ 0"],
    ),
];

#[test]
fn every_new_key_has_a_located_error() {
    for (what, from, to, parts) in BAD {
        let text = errors(&edited(from, to));
        for part in *parts {
            assert!(text.contains(part), "{what}: `{part}` not in\n{text}");
        }
        assert!(
            text.contains("scenario.toml"),
            "{what}: not located\n{text}"
        );
    }
}

#[test]
fn incident_tables_are_checked_row_by_row() {
    let file = "mechanisms/asylum_incidents.csv";
    // A second report of the same group on the same date and channel.
    let duplicate = edited_file(
        file,
        "2001-03-20,rush,Harbour consulate,12,5,,consulate",
        "2001-03-20,rush,Harbour consulate,12,5,,consulate gate rush\n2001-03-20,rush,Harbour consulate,12,,,later report,",
    );
    let text = errors(&duplicate);
    assert!(text.contains("duplicate incident"), "{text}");
    assert!(text.contains("already on line 4"), "{text}");
    assert!(text.contains("asylum_incidents.csv:5"), "{text}");
    // Two groups of different sizes on one day at one channel (two missions of one city) are
    // two incidents.
    let two_groups = edited_file(
        file,
        "2001-03-20,rush,Harbour consulate,12,5,,consulate",
        "2001-03-20,rush,Harbour consulate,12,5,,consulate gate rush\n2001-03-20,rush,Harbour consulate,3,,,another mission,",
    );
    let loaded = try_load(&two_groups).unwrap();
    assert!(loaded.warnings.is_empty());
    assert_eq!(
        loaded.scenario.mechanisms.asylum.unwrap().incidents.len(),
        3
    );
    // More allowed than the group.
    let text = errors(&edited_file(file, "12,5,,", "12,13,,"));
    assert!(text.contains("invalid incident `allowed`"), "{text}");
    assert!(text.contains("asylum_incidents.csv:4"), "{text}");
    assert!(text.contains("`13`"), "{text}");
    // An unknown outcome, and `detained` where the channel holds nobody.
    let table = "date,event,channel,size,on_failure\n\
                 2000-09-14,rush,Capital missions,25,jailed\n\
                 2001-03-20,rush,Harbour consulate,12,detained\n";
    let text = errors(&example().with(file, table));
    assert!(text.contains("invalid incident `on_failure`"), "{text}");
    assert!(text.contains("jailed"), "{text}");
    assert!(text.contains("asylum_incidents.csv:2"), "{text}");
    assert!(
        text.contains("needs the channel's `failure_detention`"),
        "{text}"
    );
    assert!(text.contains("asylum_incidents.csv:3"), "{text}");
}
