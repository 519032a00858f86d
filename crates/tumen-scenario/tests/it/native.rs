//! The native scenario format: the worked example read into the expected mechanisms, every
//! class of error with a snapshot of its message, and `--set` overrides.
//!
//! Write or update the snapshots with
//! `INSTA_UPDATE=always cargo test -p tumen-scenario --test it native::`, then read every changed
//! `.snap` file before committing it.
#![expect(clippy::unwrap_used, reason = "tests")]

use crate::common::{Example, day};
use std::path::PathBuf;
use tumen_core::{DayCount, LocationId, Mechanisms, PushRate, Scenario};
use tumen_scenario::{
    LoadOptions, Loaded, MemorySource, ScenarioError, Severity, load_dir, load_flee_dir, render,
};

const EXAMPLE: Example = Example("hidden-border");

fn example_dir() -> PathBuf {
    EXAMPLE.dir()
}

/// The example, in memory.
fn example() -> MemorySource {
    EXAMPLE.source()
}

fn file_text(relative: &str) -> String {
    EXAMPLE.file_text(relative)
}

/// The example with one replacement in one of its files.
fn edited_file(relative: &str, from: &str, to: &str) -> MemorySource {
    EXAMPLE.edited_file(relative, from, to)
}

/// The example with one replacement in `scenario.toml`.
fn edited(from: &str, to: &str) -> MemorySource {
    edited_file("scenario.toml", from, to)
}

fn try_load(source: &MemorySource, overrides: &[&str]) -> Result<Loaded, ScenarioError> {
    EXAMPLE.try_load(source, overrides)
}

fn loaded(source: &MemorySource, overrides: &[&str]) -> Loaded {
    EXAMPLE.loaded(source, overrides)
}

/// Every diagnostic of a failed load, rendered.
fn errors(source: &MemorySource, overrides: &[&str]) -> String {
    EXAMPLE.errors(source, overrides)
}

/// The warnings of a successful load, rendered.
fn warnings(source: &MemorySource) -> String {
    loaded(source, &[])
        .warnings
        .iter()
        .map(render)
        .collect::<Vec<_>>()
        .join("\n")
}

fn id(scenario: &Scenario, name: &str) -> LocationId {
    scenario.network.find(name).unwrap()
}

// ----- the worked example ------------------------------------------------------------------

#[test]
fn the_example_loads_from_its_directory_without_warnings() {
    let loaded = load_dir(&example_dir(), &LoadOptions::default()).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.scenario.name, "hidden-border");
    assert!(loaded.scenario.mechanisms.any());
    // The Flee part is what the Flee loader reads.
    let flee = load_flee_dir(&example_dir(), &LoadOptions::default()).unwrap();
    let mut without = loaded.scenario.clone();
    without.mechanisms = Mechanisms::default();
    assert_eq!(without, flee.scenario);
}

#[test]
fn the_example_reads_into_the_expected_mechanisms() {
    let scenario = loaded(&example(), &[]).scenario;
    let m = &scenario.mechanisms;
    let network = &scenario.network;
    let sudland = network.find_country("Sudland").unwrap();
    assert_eq!(m.irregular_countries, vec![sudland]);

    // Channel links: both directions of the Capital–Westport route, and nothing else.
    let (capital, westport) = (id(&scenario, "Capital"), id(&scenario, "Westport"));
    let mut ends: Vec<(LocationId, LocationId)> = m
        .channel_links
        .iter()
        .map(|l| (network.link(*l).from, network.link(*l).to))
        .collect();
    ends.sort();
    let mut expected = vec![(capital, westport), (westport, capital)];
    expected.sort();
    assert_eq!(ends, expected);

    // Push: a yearly famine index (long table, filtered by province) at mid-year.
    assert_eq!(m.push.len(), 2);
    assert_eq!(m.push[0].location, id(&scenario, "North Province"));
    let PushRate::PerCapita {
        per_capita,
        intensity,
    } = &m.push[0].rate
    else {
        panic!("{:?}", m.push[0].rate)
    };
    assert!((per_capita - 2.0e-5).abs() < 1e-18);
    assert_eq!(
        intensity.points,
        vec![
            (day("1999-07-01"), 0.2),
            (day("2000-07-01"), 1.0),
            (day("2001-07-01"), 0.6)
        ]
    );
    // Halfway between 1 July 2000 and 1 July 2001 the index is halfway between 1.0 and 0.6.
    let middle = (day("2000-07-01") + day("2001-07-01")) as f64 / 2.0;
    assert!((intensity.interpolate(middle) - 0.8).abs() < 1e-9);
    let PushRate::PerDay(per_day) = &m.push[1].rate else {
        panic!("{:?}", m.push[1].rate)
    };
    assert_eq!(per_day.interpolate(0.0), 2.0);
    assert!((per_day.interpolate(91.0) - 4.0).abs() < 1e-9);

    // Enforcement: a region from the Flee `region` column, one from a list, a campaign.
    let enforcement = m.enforcement.as_ref().unwrap();
    assert_eq!(enforcement.travelling_multiplier, 3.0);
    assert_eq!(
        enforcement.kind_multiplier(tumen_core::LocationKind::Town),
        1.5
    );
    let borderland = &enforcement.regions[0];
    assert_eq!(borderland.name, "Borderland");
    let mut members: Vec<&str> = borderland
        .locations
        .iter()
        .map(|l| network.location(*l).name.as_str())
        .collect();
    members.sort_unstable();
    assert_eq!(members, vec!["Ferry", "Hilltop_Village", "Millbrook"]);
    assert_eq!(borderland.baseline.interpolate(300.0), 0.0008);
    assert_eq!(borderland.campaigns[0].start, day("2000-04-01"));
    assert_eq!(borderland.campaigns[0].end, day("2000-05-31"));
    let cities = &enforcement.regions[1];
    assert_eq!(
        cities.locations,
        vec![id(&scenario, "Harbour City"), capital]
    );
    assert!((cities.baseline.interpolate(183.0) - 0.0003).abs() < 1e-6);

    // The trigger names its region and country.
    assert_eq!(m.triggers.len(), 1);
    assert_eq!(m.triggers[0].region, 0);
    assert_eq!(m.triggers[0].country, sudland);
    assert!(m.triggers[0].enabled);
    assert_eq!(m.triggers[0].min_size, 10);
    assert_eq!(m.triggers[0].half_life_days, 45.0);

    let detention = m.detention.as_ref().unwrap();
    assert_eq!(detention.duration, DayCount::Uniform { min: 14, max: 60 });
    assert_eq!(detention.sites[0].location, id(&scenario, "Riverside"));
    assert_eq!(detention.sites[0].release, id(&scenario, "North Province"));

    let recrossing = m.recrossing.as_ref().unwrap();
    assert_eq!(recrossing.rate, 0.004);
    assert_eq!(recrossing.intensity.as_ref(), Some(intensity));

    let ret = m.voluntary_return.as_ref().unwrap();
    assert_eq!(
        ret.homes,
        vec![
            id(&scenario, "North Province"),
            id(&scenario, "South Province")
        ]
    );
    assert_eq!(ret.conditions.as_ref().unwrap().interpolate(1000.0), 1.5);

    // Asylum: the rate from a dated table, two channels, incidents filtered by `event`.
    let asylum = m.asylum.as_ref().unwrap();
    assert!((asylum.rate.interpolate(183.0) - 3.0e-5).abs() < 1e-9);
    assert_eq!(asylum.channels.len(), 2);
    assert_eq!(asylum.channels[0].location, capital);
    assert_eq!(asylum.channels[0].exit, westport);
    assert_eq!(
        asylum.channels[0].delay,
        DayCount::Uniform { min: 7, max: 21 }
    );
    assert_eq!(asylum.channels[1].delay, DayCount::Fixed(10));
    assert_eq!(asylum.channels[1].success, 0.7);
    let incidents: Vec<(i64, usize, u64, f64)> = asylum
        .incidents
        .iter()
        .map(|i| (i.day, i.channel, i.size, i.success))
        .collect();
    assert_eq!(
        incidents,
        vec![
            (day("2000-09-14"), 0, 25, 0.95),
            (day("2001-03-20"), 1, 6, 0.5),
            (day("2001-08-02"), 0, 12, 1.0),
        ]
    );
    assert_eq!(asylum.incidents[0].label, "embassy rush of 25 (invented)");

    let aid = m.aid.as_ref().unwrap();
    assert_eq!(aid.enforcement_reduction, 100.0);
    assert_eq!(
        aid.presence[0],
        (
            id(&scenario, "Millbrook"),
            tumen_core::Series::constant(1.0)
        )
    );
    assert_eq!(aid.presence[1].1.interpolate(day("2000-06-01") as f64), 1.0);
}

#[test]
fn a_flee_directory_has_no_mechanisms() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/toy_escape");
    let loaded = load_dir(&dir, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.scenario.mechanisms, Mechanisms::default());
    assert_eq!(
        loaded.scenario,
        load_flee_dir(&dir, &LoadOptions::default())
            .unwrap()
            .scenario
    );
    let mut source = example();
    source.remove("scenario.toml");
    assert_eq!(loaded_mechanisms(&source), Mechanisms::default());
}

fn loaded_mechanisms(source: &MemorySource) -> Mechanisms {
    loaded(source, &[]).scenario.mechanisms
}

#[test]
fn hasten_divides_counts_of_people() {
    let source = edited_file("simsetting.yml", "hasten: 1", "hasten: 4");
    let m = loaded_mechanisms(&source);
    let PushRate::PerDay(per_day) = &m.push[1].rate else {
        panic!()
    };
    assert_eq!(per_day.interpolate(0.0), 0.5);
    let sizes: Vec<u64> = m.asylum.unwrap().incidents.iter().map(|i| i.size).collect();
    assert_eq!(sizes, vec![7, 2, 3]); // 25, 6 and 12 people, divided by 4, rounded up
    assert_eq!(m.triggers[0].min_size, 3);
}

// ----- overrides ---------------------------------------------------------------------------

const SECOND_TRIGGER: &str = "[detention]";
const SECOND_TRIGGER_TEXT: &str = "[[enforcement.trigger]]
name = \"second\"
min_size = 5
country = \"Sudland\"
region = \"Cities\"
delta = 0.001
half_life_days = 30

[detention]";

#[test]
fn an_override_through_a_list_changes_every_entry() {
    let source = edited(SECOND_TRIGGER, SECOND_TRIGGER_TEXT);
    let before = loaded_mechanisms(&source);
    assert_eq!(before.triggers.len(), 2);
    assert!(before.triggers.iter().all(|t| t.enabled));
    let after = loaded(&source, &["enforcement.trigger.enabled=false"])
        .scenario
        .mechanisms;
    assert_eq!(after.triggers.len(), 2);
    assert!(after.triggers.iter().all(|t| !t.enabled));
    // Nothing else changed.
    let mut restored = after.clone();
    for trigger in &mut restored.triggers {
        trigger.enabled = true;
    }
    assert_eq!(restored, before);
}

#[test]
fn an_indexed_override_changes_one_entry() {
    let m = loaded(
        &example(),
        &["asylum.channel[1].success=0.25", "detention.duration=5"],
    )
    .scenario
    .mechanisms;
    let asylum = m.asylum.unwrap();
    assert_eq!(asylum.channels[0].success, 0.9);
    assert_eq!(asylum.channels[1].success, 0.25);
    assert_eq!(m.detention.unwrap().duration, DayCount::Fixed(5));
}

#[test]
fn overrides_switch_off_incidents_and_replace_series() {
    let m = loaded(
        &example(),
        &[
            "asylum.incidents.enabled=false",
            "push[1].per_day=[[2000-01-01, 1.0], [2000-01-11, 11.0]]",
            "scenario.name=\"renamed\"",
        ],
    )
    .scenario
    .mechanisms;
    assert!(m.asylum.as_ref().unwrap().incidents.is_empty());
    let PushRate::PerDay(per_day) = &m.push[1].rate else {
        panic!()
    };
    assert_eq!(per_day.interpolate(5.0), 6.0);
}

#[test]
fn an_override_may_set_a_key_the_file_leaves_out() {
    let source = edited("settled_multiplier = 1.0\n", "");
    assert_eq!(
        loaded_mechanisms(&source)
            .enforcement
            .unwrap()
            .settled_multiplier,
        1.0
    );
    let m = loaded(&source, &["enforcement.settled_multiplier=0.5"])
        .scenario
        .mechanisms;
    assert_eq!(m.enforcement.unwrap().settled_multiplier, 0.5);
}

#[test]
fn override_errors() {
    insta::assert_snapshot!(
        "override_unknown_path",
        errors(&example(), &["enforcement.triger.enabled=false"])
    );
    insta::assert_snapshot!(
        "override_unknown_last_key",
        errors(&example(), &["enforcement.trigger.enabeld=false"])
    );
    insta::assert_snapshot!(
        "override_index_out_of_range",
        errors(&example(), &["asylum.channel[4].success=0.1"])
    );
    insta::assert_snapshot!(
        "override_not_a_toml_value",
        errors(&example(), &["scenario.name=hello"])
    );
    insta::assert_snapshot!(
        "override_without_equals",
        errors(&example(), &["asylum.rate"])
    );
    insta::assert_snapshot!(
        "override_bad_value_is_located_in_the_override",
        errors(&example(), &["asylum.channel[1].success=1.5"])
    );
    insta::assert_snapshot!(
        "override_section_not_in_file",
        errors(
            &edited("[recrossing]", "[recrossing_off]"),
            &["recrossing.rate=0.1"]
        )
    );
    let mut flee_only = example();
    flee_only.remove("scenario.toml");
    insta::assert_snapshot!(
        "override_on_a_flee_scenario",
        errors(&flee_only, &["enforcement.trigger.enabled=false"])
    );
}

// ----- errors and warnings -----------------------------------------------------------------

/// `(snapshot name, text in scenario.toml, replacement)`: each an error.
const BAD_TOML: &[(&str, &str, &str)] = &[
    ("syntax", "rate = 0.004", "rate = 0.004 0.1"),
    ("unknown_section", "[recrossing]", "[recrosing]"),
    (
        "unknown_key",
        "enabled = true\nmin_size",
        "enabeld = true\nmin_size",
    ),
    ("wrong_type", "min_size = 10", "min_size = \"ten\""),
    ("whole_number_expected", "min_size = 10", "min_size = 10.5"),
    ("probability_above_one", "success = 0.9", "success = 1.5"),
    (
        "negative_multiplier",
        "travelling_multiplier = 3.0",
        "travelling_multiplier = -3.0",
    ),
    (
        "negative_rate_series",
        "[2000-07-01, 6.0]",
        "[2000-07-01, -6.0]",
    ),
    (
        "zero_half_life",
        "half_life_days = 45",
        "half_life_days = 0",
    ),
    (
        "duration_min_above_max",
        "{ min = 14, max = 60 }",
        "{ min = 60, max = 14 }",
    ),
    ("duration_zero", "delay = 10", "delay = 0"),
    ("duration_wrong_type", "delay = 10", "delay = \"ten days\""),
    (
        "unknown_location",
        "location = \"Millbrook\"",
        "location = \"Milbrook\"",
    ),
    (
        "unknown_country",
        "irregular_countries = [\"Sudland\"]",
        "irregular_countries = [\"Sudlnd\"]",
    ),
    (
        "unknown_flee_region",
        "flee_region = \"Borderland\"",
        "flee_region = \"Borderlnd\"",
    ),
    ("unknown_kind", "town = 1.5", "twn = 1.5"),
    (
        "unknown_trigger_region",
        "region = \"Borderland\"\ndelta",
        "region = \"Borderlands\"\ndelta",
    ),
    (
        "channel_exit_is_location",
        "exit = \"Westport\"\nweight = 1.0",
        "exit = \"Capital\"\nweight = 1.0",
    ),
    (
        "channel_link_not_a_route",
        "[[\"Capital\", \"Westport\"]]",
        "[[\"Capital\", \"Ferry\"]]",
    ),
    (
        "channel_link_not_a_pair",
        "[[\"Capital\", \"Westport\"]]",
        "[[\"Capital\"]]",
    ),
    (
        "missing_key",
        "exit = \"Westport\"\nweight = 1.0",
        "weight = 1.0",
    ),
    (
        "missing_series_file",
        "mechanisms/asylum_rate.csv",
        "mechanisms/asylum-rate.csv",
    ),
    (
        "missing_series_column",
        "column = \"index\", where",
        "column = \"indx\", where",
    ),
    (
        "unknown_where_column",
        "where = { province",
        "where = { provnce",
    ),
    (
        "series_with_no_rows",
        "where = { province = \"North Province\" }",
        "where = { province = \"North\" }",
    ),
    (
        "series_dates_decrease",
        "[2000-07-01, 6.0], [2001-07-01, 3.0]",
        "[2000-07-01, 6.0], [2000-03-01, 3.0]",
    ),
    ("series_wrong_type", "level = 1.0", "level = true"),
    (
        "invalid_date",
        "start = 2000-04-01",
        "start = \"2000-13-01\"",
    ),
    (
        "date_with_time",
        "start = 2000-04-01",
        "start = 2000-04-01T10:00:00",
    ),
    (
        "campaign_ends_before_start",
        "end = 2000-05-31",
        "end = 2000-03-31",
    ),
    (
        "push_both_rates",
        "per_capita = 2.0e-5",
        "per_capita = 2.0e-5\nper_day = 3.0",
    ),
    (
        "push_no_rate",
        "per_day = [[2000-01-01, 2.0], [2000-07-01, 6.0], [2001-07-01, 3.0]]",
        "",
    ),
    (
        "push_intensity_with_per_day",
        "per_day = [[2000-01-01",
        "intensity = 2.0\nper_day = [[2000-01-01",
    ),
    (
        "location_in_two_regions",
        "locations = [\"Harbour City\", \"Capital\"]",
        "locations = [\"Harbour City\", \"Ferry\"]",
    ),
    (
        "duplicate_region_name",
        "name = \"Cities\"",
        "name = \"Borderland\"",
    ),
    (
        "region_without_locations",
        "locations = [\"Harbour City\", \"Capital\"]\n",
        "",
    ),
    (
        "detention_without_site",
        "[[detention.site]]\nlocation = \"Riverside\"\nrelease = \"North Province\"\n",
        "",
    ),
    (
        "enforcement_without_detention",
        "[detention]\nduration = { min = 14, max = 60 }\n\n[[detention.site]]\nlocation = \"Riverside\"\nrelease = \"North Province\"\n",
        "",
    ),
    ("asylum_without_channel", "[[asylum.channel]]", "CUT_TO_AID"),
    (
        "missing_incident_file",
        "mechanisms/asylum_incidents.csv",
        "mechanisms/incidents.csv",
    ),
    (
        "list_of_tables_expected",
        "[[detention.site]]\nlocation = \"Riverside\"\nrelease = \"North Province\"",
        "site = \"Riverside\"",
    ),
];

#[test]
fn every_error_class_has_a_located_message() {
    for (name, from, to) in BAD_TOML {
        let source = if *to == "CUT_TO_AID" {
            // Everything from the first channel to `[aid]` left out.
            let text = file_text("scenario.toml");
            let (start, end) = (text.find(from).unwrap(), text.find("[aid]").unwrap());
            example().with(
                "scenario.toml",
                format!("{}{}", &text[..start], &text[end..]),
            )
        } else {
            edited(from, to)
        };
        let text = errors(&source, &[]);
        assert!(text.contains("error:"), "{name}: {text}");
        insta::assert_snapshot!(format!("toml_{name}"), text);
    }
}

/// `(snapshot name, file, text, replacement)`: errors in the CSV tables `scenario.toml` names.
const BAD_TABLES: &[(&str, &str, &str, &str)] = &[
    (
        "series_value_not_a_number",
        "mechanisms/famine_index.csv",
        "2000,1.0,",
        "2000,high,",
    ),
    (
        "series_bad_year",
        "mechanisms/famine_index.csv",
        "2001,0.6",
        "2001.5,0.6",
    ),
    (
        "series_bad_date",
        "mechanisms/asylum_rate.csv",
        "2001-01-01",
        "01/01/2001",
    ),
    (
        "series_rows_out_of_order",
        "mechanisms/asylum_rate.csv",
        "2001-12-31",
        "2000-06-01",
    ),
    (
        "series_probability_above_one",
        "mechanisms/asylum_rate.csv",
        "0.00004",
        "4",
    ),
    (
        "series_without_time_column",
        "mechanisms/aid.csv",
        "date,",
        "day,",
    ),
    (
        "incident_unknown_channel",
        "mechanisms/asylum_incidents.csv",
        "rush,Capital missions,25",
        "rush,Capital mission,25",
    ),
    (
        "incident_bad_size",
        "mechanisms/asylum_incidents.csv",
        ",6,0.5",
        ",six,0.5",
    ),
    (
        "incident_bad_success",
        "mechanisms/asylum_incidents.csv",
        ",0.95,",
        ",95%,",
    ),
    (
        "incident_bad_date",
        "mechanisms/asylum_incidents.csv",
        "2001-03-20",
        "2001-03-32",
    ),
];

#[test]
fn errors_in_tables_are_located_in_the_table() {
    for (name, file, from, to) in BAD_TABLES {
        let text = errors(&edited_file(file, from, to), &[]);
        assert!(text.contains(&format!("--> {file}:")), "{name}: {text}");
        insta::assert_snapshot!(format!("table_{name}"), text);
    }
}

/// `(snapshot name, text, replacement)`: each a warning only.
const WARNINGS: &[(&str, &str, &str)] = &[
    (
        "detention_site_in_irregular_country",
        "location = \"Riverside\"",
        "location = \"Ferry\"",
    ),
    (
        "campaign_after_the_period",
        "start = 2000-04-01\nend = 2000-05-31",
        "start = 2004-04-01\nend = 2004-05-31",
    ),
    (
        "region_location_not_irregular",
        "locations = [\"Harbour City\", \"Capital\"]",
        "locations = [\"Harbour City\", \"Capital\", \"Riverside\"]",
    ),
    (
        "home_in_irregular_country",
        "homes = [\"North Province\", \"South Province\"]",
        "homes = [\"North Province\", \"Ferry\"]",
    ),
    (
        "trigger_country_without_channel",
        "country = \"Sudland\"",
        "country = \"Norland\"",
    ),
    (
        "nobody_hidden",
        "irregular_countries = [\"Sudland\"]",
        "irregular_countries = []",
    ),
    (
        "series_starting_after_the_period",
        "level = 1.0",
        "level = [[2005-01-01, 1.0]]",
    ),
];

#[test]
fn questionable_input_gives_warnings() {
    for (name, from, to) in WARNINGS {
        let text = warnings(&edited(from, to));
        assert!(text.contains("warning:"), "{name}: {text}");
        insta::assert_snapshot!(format!("warning_{name}"), text);
    }
    let text = warnings(&edited_file(
        "mechanisms/asylum_incidents.csv",
        "2001-08-02",
        "2003-08-02",
    ));
    insta::assert_snapshot!("warning_incident_after_the_period", text);
}

/// A camp in a country of `status.irregular_countries` is a hiding place: it has no observed
/// series by nature and is not warned about; a camp elsewhere still is.
#[test]
fn only_camps_outside_the_irregular_countries_are_asked_for_data() {
    let layout = file_text("source_data/data_layout.csv")
        .replacen("Millbrook,millbrook.csv\n", "", 1)
        .replacen("Westport,westport.csv\n", "", 1);
    let messages: Vec<String> = loaded(&example().with("source_data/data_layout.csv", layout), &[])
        .warnings
        .into_iter()
        .map(|w| w.message)
        .collect();
    assert_eq!(
        messages,
        ["camp `Westport` has no data in `source_data/data_layout.csv`"]
    );
}

#[test]
fn many_errors_are_reported_in_one_pass() {
    let text = file_text("scenario.toml")
        .replacen("location = \"Millbrook\"", "location = \"Milbrook\"", 1)
        .replacen("success = 0.9", "success = 9", 1)
        .replacen("enabled = true\nmin_size", "enabeld = true\nmin_size", 1)
        .replacen("half_life_days = 45", "half_life_days = -1", 1);
    let source = example().with("scenario.toml", text);
    let error = try_load(&source, &[]).unwrap_err();
    let errors: Vec<_> = error
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 4, "{error}");
    // Sorted by line.
    let lines: Vec<u32> = errors
        .iter()
        .map(|d| d.span.as_ref().unwrap().line)
        .collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted);
}

#[test]
fn flee_errors_and_toml_errors_come_together() {
    let source = edited("[recrossing]", "[recrosing]").with(
        "input_csv/routes.csv",
        file_text("input_csv/routes.csv").replacen("Riverside,Ferry", "Riverside,Fery", 1),
    );
    let text = errors(&source, &[]);
    assert!(text.contains("input_csv/routes.csv"), "{text}");
    assert!(text.contains("did you mean `recrossing`?"), "{text}");
}

#[test]
fn invalid_utf8_in_scenario_toml_is_located() {
    let source = example().with(
        "scenario.toml",
        b"[status]\nirregular_countries = [\"\xE9\"]\n".to_vec(),
    );
    let text = errors(&source, &[]);
    assert!(text.contains("scenario.toml:2"), "{text}");
}
