//! `[attributes]` in the native format, on `examples/attributes`: what it loads into, `--set`
//! on its keys, and the located errors of each.
#![expect(clippy::unwrap_used, reason = "tests")]

use crate::common::Example;
use tumen_core::{Attributes, Scenario};
use tumen_scenario::{Loaded, MemorySource, ScenarioError, render};

const EXAMPLE: Example = Example("attributes");

fn example() -> MemorySource {
    EXAMPLE.source()
}

fn edited(from: &str, to: &str) -> MemorySource {
    EXAMPLE.edited_file("scenario.toml", from, to)
}

fn try_load(source: &MemorySource, overrides: &[&str]) -> Result<Loaded, ScenarioError> {
    EXAMPLE.try_load(source, overrides)
}

fn errors(source: &MemorySource) -> String {
    EXAMPLE.errors(source, &[])
}

fn attributes(source: &MemorySource, overrides: &[&str]) -> (Scenario, Attributes) {
    let loaded = match try_load(source, overrides) {
        Ok(loaded) => loaded,
        Err(error) => panic!("does not load:\n{error}"),
    };
    assert!(
        loaded.warnings.is_empty(),
        "{}",
        loaded.warnings.iter().map(render).collect::<String>()
    );
    let attributes = loaded.scenario.mechanisms.attributes.clone().unwrap();
    (loaded.scenario, attributes)
}

#[test]
fn the_example_loads_into_the_expected_attributes() {
    let (scenario, a) = attributes(&example(), &[]);
    let north = scenario.network.find("North Province").unwrap();
    let south = scenario.network.find("South Province").unwrap();
    let sex = a.sex.as_ref().unwrap();
    assert_eq!(sex.female_share.interpolate(100.0), 0.5);
    assert_eq!(sex.sources.len(), 1);
    assert_eq!(sex.sources[0].0, north);
    // [1999, 0.35] is 1999-07-01 (day -184), [2001, 0.6] is 2001-07-01 (day 547).
    assert!((sex.sources[0].1.interpolate(-184.0) - 0.35).abs() < 1e-12);
    assert!((sex.sources[0].1.interpolate(547.0) - 0.6).abs() < 1e-12);
    assert_eq!(sex.female.detection, 0.6);
    assert_eq!(sex.female.asylum, 1.3);
    assert_eq!(sex.female.voluntary_return, 1.0);
    assert_eq!(sex.male.detection, 1.3);
    assert_eq!(sex.male.family, 0.1);
    let family = a.family.unwrap();
    assert_eq!(
        (family.rate, family.detection, family.exit),
        (0.002, 0.3, 0.2)
    );
    assert!(a.origin.as_ref().unwrap().map.is_empty());
    assert_eq!(a.origin_locations(&scenario.mechanisms), vec![north, south]);
}

#[test]
fn a_mapping_groups_sources_into_origins() {
    let source = edited(
        "\norigin = true",
        "\norigin = { map = [[\"South Province\", \"North Province\"]] }",
    );
    let (scenario, a) = attributes(&source, &[]);
    let north = scenario.network.find("North Province").unwrap();
    let south = scenario.network.find("South Province").unwrap();
    assert_eq!(a.origin_locations(&scenario.mechanisms), vec![north]);
    assert_eq!(a.origin_of(&scenario.mechanisms, south), Some(north));
}

#[test]
fn every_attribute_key_can_be_set_from_the_command_line() {
    let (_, a) = attributes(
        &example(),
        &[
            "attributes.sex.female.detection=0.25",
            "attributes.sex.male.voluntary_return=2.0",
            "attributes.family.rate=0.01",
            "attributes.family.exit=0.5",
            "attributes.sex.female_share=0.45",
            "attributes.sex.source[0].female_share=0.7",
        ],
    );
    let sex = a.sex.unwrap();
    assert_eq!(sex.female.detection, 0.25);
    assert_eq!(sex.male.voluntary_return, 2.0);
    assert_eq!(sex.female_share.interpolate(0.0), 0.45);
    assert_eq!(sex.sources[0].1.interpolate(0.0), 0.7);
    let family = a.family.unwrap();
    assert_eq!((family.rate, family.exit), (0.01, 0.5));
    // A bad value given by --set is reported at the --set.
    let error = try_load(&example(), &["attributes.sex.female_share=1.5"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("attributes.sex.female_share"), "{error}");
    assert!(error.contains("a probability from 0 to 1"), "{error}");
}

#[test]
fn without_attributes_nothing_is_carried() {
    let text = std::fs::read_to_string(EXAMPLE.dir().join("scenario.toml")).unwrap();
    let start = text.find("# Person attributes.").unwrap();
    let source = example().with("scenario.toml", &text[..start]);
    let loaded = try_load(&source, &[]).unwrap();
    assert!(loaded.scenario.mechanisms.attributes.is_none());
}

/// `(what, from, to, expected parts of the message)`.
const BAD: &[(&str, &str, &str, &[&str])] = &[
    (
        "share above 1",
        "female_share = 0.5",
        "female_share = 1.2",
        &[
            "attributes.sex.female_share",
            "a probability from 0 to 1",
            "1.2",
        ],
    ),
    (
        "negative dated share",
        "[[1999, 0.35], [2001, 0.6]]",
        "[[1999, 0.35], [2001, -0.1]]",
        &["attributes.sex.source[0].female_share", "a probability"],
    ),
    (
        "unknown source location",
        "location = \"North Province\"\nfemale_share",
        "location = \"Nort Province\"\nfemale_share",
        &[
            "unknown location `Nort Province`",
            "attributes.sex.source[0].location",
            "did you mean `North Province`?",
        ],
    ),
    (
        "unknown origin in a map",
        "\norigin = true",
        "\norigin = { map = [[\"South Province\", \"Nowhere\"]] }",
        &["unknown location `Nowhere`", "attributes.origin.map[0][1]"],
    ),
    (
        "origin not a boolean or table",
        "\norigin = true",
        "\norigin = 3",
        &["attributes.origin", "`true`, or a table"],
    ),
    (
        "negative multiplier",
        "detection = 0.6",
        "detection = -0.6",
        &["attributes.sex.female.detection", "a number ≥ 0"],
    ),
    (
        "misspelt multiplier",
        "asylum = 1.3",
        "asylm = 1.3",
        &[
            "unknown key `attributes.sex.female.asylm`",
            "did you mean `asylum`?",
        ],
    ),
    (
        "family rate above 1",
        "rate = 0.002",
        "rate = 2",
        &["attributes.family.rate", "a probability from 0 to 1"],
    ),
    (
        "family without rate",
        "rate = 0.002\n",
        "",
        &["missing key `attributes.family.rate`"],
    ),
];

#[test]
fn every_attribute_key_has_a_located_error() {
    for (what, from, to, parts) in BAD {
        let text = errors(&edited(from, to));
        for part in *parts {
            assert!(text.contains(part), "{what}: `{part}` not in\n{text}");
        }
        assert!(
            text.contains("scenario.toml:"),
            "{what}: not located\n{text}"
        );
    }
}

#[test]
fn origins_need_push_sources_or_a_mapping() {
    let text = std::fs::read_to_string(EXAMPLE.dir().join("scenario.toml")).unwrap();
    // Drop every [[push]]: the Flee spawning of the example's data takes over.
    let start = text.find("[[push]]").unwrap();
    let end = text.find("# The border river").unwrap();
    let source = example().with(
        "scenario.toml",
        format!("{}{}", &text[..start], &text[end..]),
    );
    let text = errors(&source);
    assert!(
        text.contains("origins need push sources or a mapping"),
        "{text}"
    );
    assert!(text.contains("scenario.toml:"), "{text}");
}
