//! A corpus of malformed and inconsistent Flee scenarios, each made from the valid
//! `tests/scenarios/toy_escape` by one small edit, with a snapshot of what the loader says
//! about it (`tests/it/snapshots/it__bad_inputs__<case>.snap`).
//!
//! Write or update the snapshots with
//! `INSTA_UPDATE=always cargo test -p tumen-scenario --test it bad_inputs::`, then read every
//! changed `.snap` file before committing it.
#![expect(clippy::unwrap_used, clippy::get_unwrap, reason = "tests")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tumen_scenario::{
    LoadOptions, Loaded, MemorySource, ScenarioError, load_flee, load_flee_dir, render,
};

/// The files of a scenario: relative path → bytes.
type Files = BTreeMap<String, Vec<u8>>;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The valid toy scenario, read afresh.
fn toy() -> Files {
    crate::common::files_under(&repo_root().join("tests/scenarios/toy_escape"))
        .into_iter()
        .collect()
}

fn text(files: &Files, path: &str) -> String {
    String::from_utf8(files.get(path).unwrap().clone()).unwrap()
}

/// Replaces the one occurrence of `from` in `path` by `to`.
fn replace(files: &mut Files, path: &str, from: &str, to: &str) {
    let old = text(files, path);
    assert_eq!(
        old.matches(from).count(),
        1,
        "`{from}` must occur once in {path}"
    );
    files.insert(path.to_owned(), old.replacen(from, to, 1).into_bytes());
}

fn set(files: &mut Files, path: &str, content: &str) {
    files.insert(path.to_owned(), content.as_bytes().to_vec());
}

fn append(files: &mut Files, path: &str, content: &str) {
    files
        .get_mut(path)
        .unwrap()
        .extend_from_slice(content.as_bytes());
}

/// Keeps the first `n` lines of `path`.
fn keep_lines(files: &mut Files, path: &str, n: usize) {
    let old = text(files, path);
    let kept: String = old.split_inclusive('\n').take(n).collect();
    set(files, path, &kept);
}

/// Replaces the bytes of `from` in `path` by raw `to` (which need not be UTF-8).
fn inject(files: &mut Files, path: &str, from: &str, to: &[u8]) {
    let old = files.get(path).unwrap().clone();
    let at = old
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap();
    let mut new = old.get(..at).unwrap().to_vec();
    new.extend_from_slice(to);
    new.extend_from_slice(old.get(at + from.len()..).unwrap());
    files.insert(path.to_owned(), new);
}

const LOCATIONS: &str = "input_csv/locations.csv";
const ROUTES: &str = "input_csv/routes.csv";
const CLOSURES: &str = "input_csv/closures.csv";
const CONFLICTS: &str = "input_csv/conflicts.csv";
const PERIOD: &str = "input_csv/sim_period.csv";
const CORRECTIONS: &str = "input_csv/registration_corrections.csv";
const LAYOUT: &str = "source_data/data_layout.csv";
const REFUGEES: &str = "source_data/refugees.csv";
const NEAR: &str = "source_data/near.csv";
const SETTINGS: &str = "simsetting.yml";

fn load(files: Files) -> Result<Loaded, ScenarioError> {
    let source = MemorySource::new(files);
    load_flee(&source, "toy_escape", &LoadOptions::default())
}

/// Everything the loader says, as a user would read it.
fn describe(result: &Result<Loaded, ScenarioError>) -> String {
    match result {
        Ok(loaded) => {
            let mut out = format!("loaded with {} warning(s)\n", loaded.warnings.len());
            for warning in &loaded.warnings {
                out.push_str(&render(warning));
            }
            out
        }
        Err(error @ ScenarioError::Invalid { .. }) => format!("{error}\n"),
        Err(error) => format!("not Invalid: {error}\n"),
    }
}

fn broken(edit: fn(&mut Files)) -> Files {
    let mut files = toy();
    edit(&mut files);
    files
}

/// Cases that load, with warnings, rather than fail: questionable but loadable input (Flee 3.1
/// itself runs some of them, or stops with an error on others where Tumen goes on).
const LOADS_WITH_WARNINGS: &[&str] = &[
    "distance_zero",
    "yaml_unknown_key",
    "closure_misspelt_country",
    "camp_unreachable",
    "routes_empty",
    "data_layout_misspelt_camp",
    "data_layout_unknown_location",
    // Flee 3.1 runs it: its people stay where they are.
    "conflict_zone_unlinked",
    // The rows are taken in order, as Flee 3.1 does, and the day column is never read.
    "conflicts_day_not_a_number",
    // Flee 3.1 runs it and ignores the column (issue 15).
    "conflicts_misspelt_location",
    "conflicts_unknown_location",
];

/// Cases that load without a word: a location type that merely contains `camp` (`camps`) is a
/// camp, as in Flee 3.1.
const LOADS_SILENTLY: &[&str] = &["location_type_plural"];

fn loads(name: &str) -> bool {
    LOADS_WITH_WARNINGS.contains(&name) || LOADS_SILENTLY.contains(&name)
}

/// Error cases whose first error has no place in a file, because there is no file to point
/// into (a missing file).
const NO_PLACE: &[&str] = &["period_missing", "data_file_missing"];

fn check(name: &str, edit: fn(&mut Files)) {
    let result = load(broken(edit));
    let output = describe(&result);
    insta::assert_snapshot!(name, output);
    match &result {
        Ok(loaded) => {
            assert!(loads(name), "{name} loaded:\n{output}");
            assert_eq!(
                loaded.warnings.is_empty(),
                LOADS_SILENTLY.contains(&name),
                "{name}:\n{output}"
            );
        }
        Err(error) => {
            assert!(!loads(name), "{name} failed:\n{output}");
            let first = error.diagnostics().first().unwrap();
            assert!(first.is_error(), "{name}: first diagnostic is not an error");
            if !NO_PLACE.contains(&name) {
                let span = first.span.as_ref();
                assert!(span.is_some(), "{name}: the first error has no place");
            }
        }
    }
}

macro_rules! cases {
    ($($name:ident => $edit:expr;)*) => {
        const CASES: &[(&str, fn(&mut Files))] = &[$((stringify!($name), $edit)),*];
        $(
            #[test]
            fn $name() {
                check(stringify!($name), $edit);
            }
        )*
    };
}

cases! {
    // --- Names: unknown, misspelt, duplicated ---
    routes_unknown_location => |f| replace(f, ROUTES, "Origin,Junction,120", "Origin,Atlantis,120");
    routes_misspelt_location => |f| replace(f, ROUTES, "Junction,Near_Camp,60", "Junction,Near_Cmap,60");
    closures_misspelt_location => |f| append(f, CLOSURES, "location,Junctoin,Junctoin,5,10\n");
    closure_misspelt_country => |f| replace(f, CLOSURES, "Homeland,Neighbour", "Homeland,Neighbur");
    conflicts_misspelt_location => |f| replace(f, CONFLICTS, "#Day,Origin,Second", "#Day,Origin,Secnod");
    conflicts_unknown_location => |f| replace(f, CONFLICTS, "#Day,Origin,Second", "#Day,Origin,Gotham");
    data_layout_misspelt_camp => |f| replace(f, LAYOUT, "Near_Camp,near.csv", "Near_Cmp,near.csv");
    data_layout_unknown_location => |f| replace(f, LAYOUT, "Far_Camp,far.csv", "Atlantis,far.csv");
    locations_duplicate_name => |f| append(f, LOCATIONS, "Junction,Centre,Homeland,11.1,11.1,town,,100\n");
    locations_empty_name => |f| replace(f, LOCATIONS, "Border,Centre", ",Centre");

    // --- Distances ---
    distance_negative => |f| replace(f, ROUTES, "Junction,Border,150", "Junction,Border,-150");
    distance_zero => |f| replace(f, ROUTES, "Junction,Border,150", "Junction,Border,0");
    distance_not_a_number => |f| replace(f, ROUTES, "Junction,Border,150", "Junction,Border,far");
    distance_nan => |f| replace(f, ROUTES, "Junction,Border,150", "Junction,Border,nan");
    distance_infinite => |f| replace(f, ROUTES, "Junction,Border,150", "Junction,Border,inf");
    distance_huge => |f| replace(f, ROUTES, "Junction,Border,150", "Junction,Border,1e12");
    distance_empty => |f| replace(f, ROUTES, "Junction,Border,150", "Junction,Border,");

    // --- Location rows ---
    population_negative => |f| replace(f, LOCATIONS, "conflict_zone,0,50000", "conflict_zone,0,-50000");
    population_not_integer => |f| replace(f, LOCATIONS, "town,,8000", "town,,8000.5");
    population_not_a_number => |f| replace(f, LOCATIONS, "town,,8000", "town,,many");
    population_huge => |f| replace(f, LOCATIONS, "town,,8000", "town,,99999999999999999999999");
    location_type_unknown => |f| replace(f, LOCATIONS, "11.4,camp,,400", "11.4,cmap,,400");
    location_type_plural => |f| replace(f, LOCATIONS, "11.4,camp,,400", "11.4,camps,,400");
    location_type_empty => |f| replace(f, LOCATIONS, "11.4,camp,,400", "11.4,,,400");
    conflict_zone_without_date => |f| replace(f, LOCATIONS, "conflict_zone,0,50000", "conflict_zone,,50000");
    conflict_date_not_a_number => |f| replace(f, LOCATIONS, "conflict_zone,0,20000", "conflict_zone,soon,20000");
    latitude_not_a_number => |f| replace(f, LOCATIONS, "Junction,Centre,Homeland,11.0", "Junction,Centre,Homeland,north");
    locations_too_few_fields => |f| replace(f, LOCATIONS, "Border,Centre,Homeland,11.5,11.8,town,,3000", "Border,Centre,Homeland");

    // --- The period file ---
    period_missing => |f| { f.remove(PERIOD); };
    period_start_not_a_date => |f| replace(f, PERIOD, "2021-03-01", "first of March");
    period_start_impossible_date => |f| replace(f, PERIOD, "2021-03-01", "2021-02-30");
    period_length_not_a_number => |f| replace(f, PERIOD, "Length,60", "Length,sixty");
    period_length_negative => |f| replace(f, PERIOD, "Length,60", "Length,-60");
    period_without_length => |f| replace(f, PERIOD, "Length,60\n", "");

    // --- Data series ---
    series_date_not_a_date => |f| replace(f, REFUGEES, "2021-03-21,2100", "21 March 2021,2100");
    series_impossible_date => |f| replace(f, REFUGEES, "2021-03-21,2100", "2021-02-30,2100");
    series_count_not_a_number => |f| replace(f, NEAR, "2021-03-21,400", "2021-03-21,lots");
    series_count_negative => |f| replace(f, NEAR, "2021-03-21,400", "2021-03-21,-400");
    data_file_missing => |f| { f.remove(NEAR); };
    data_layout_without_total => |f| replace(f, LAYOUT, "total,refugees.csv\n", "");

    // --- Empty files ---
    locations_empty => |f| set(f, LOCATIONS, "");
    locations_header_only => |f| keep_lines(f, LOCATIONS, 1);
    routes_empty => |f| set(f, ROUTES, "");
    conflicts_empty => |f| set(f, CONFLICTS, "");
    data_layout_empty => |f| set(f, LAYOUT, "");

    // --- Column counts ---
    routes_too_few_fields => |f| replace(f, ROUTES, "Junction,Border,150,0", "Junction,Border");
    closures_too_few_fields => |f| replace(f, CLOSURES, "country,Homeland,Neighbour,20,30", "country,Homeland,Neighbour");
    closure_unknown_type => |f| replace(f, CLOSURES, "country,Homeland", "countries,Homeland");
    closure_start_not_a_number => |f| replace(f, CLOSURES, "Neighbour,20,30", "Neighbour,day20,30");
    conflicts_row_too_short => |f| replace(f, CONFLICTS, "\n12,1,0.5\n", "\n12,1\n");

    // --- Network shape ---
    camp_unreachable => |f| append(f, LOCATIONS, "Island_Camp,South,Neighbour,13.0,13.0,camp,,100\n");
    conflict_zone_unlinked => |f| replace(f, ROUTES, "Second,Junction,300,0\n", "");

    // --- Conflicts ---
    conflicts_fewer_rows_than_days => |f| keep_lines(f, CONFLICTS, 31);
    conflicts_intensity_not_a_number => |f| replace(f, CONFLICTS, "\n12,1,0.5\n", "\n12,1,high\n");
    conflicts_day_not_a_number => |f| replace(f, CONFLICTS, "\n12,1,0.5\n", "\ntwelve,1,0.5\n");

    // --- Registration corrections ---
    correction_date_matches_no_row => |f| set(f, CORRECTIONS, "Near_Camp,2021-03-10\n");
    correction_unknown_series => |f| set(f, CORRECTIONS, "Nera Camp,2021-03-21\n");
    correction_impossible_date => |f| set(f, CORRECTIONS, "Near_Camp,2021-02-30\n");

    // --- Bytes ---
    locations_not_utf8 => |f| inject(f, LOCATIONS, "Junction,Centre", b"Junc\xfftion,Centre");
    routes_latin1 => |f| inject(f, ROUTES, "Border,Far_Camp", b"Border,Far_Camp\xe9");
    locations_binary_garbage => |f| { f.insert(LOCATIONS.to_owned(), (0_u8..=255).collect()); };
    routes_nul_byte => |f| inject(f, ROUTES, "Junction,Border,150", b"Junction,Bor\0der,150");
    locations_truncated_mid_row => |f| {
        let old = text(f, LOCATIONS);
        let cut = old.find("11.4,camp").unwrap();
        set(f, LOCATIONS, old.get(..cut).unwrap());
    };
    routes_unclosed_quote => |f| replace(f, ROUTES, "Junction,Border,150", "Junction,\"Border,150");

    // --- Settings ---
    yaml_syntax_error => |f| replace(f, SETTINGS, "max_move_speed: 200.0", "max_move_speed: [200.0");
    yaml_unknown_key => |f| replace(f, SETTINGS, "max_move_speed: 200.0", "max_move_sped: 200.0");
    yaml_awareness_level_zero => |f| replace(f, SETTINGS, "awareness_level: 2", "awareness_level: 0");
    yaml_hasten_zero => |f| replace(f, SETTINGS, "hasten: 1", "hasten: 0");
    yaml_wrong_type => |f| replace(f, SETTINGS, "max_move_speed: 200.0", "max_move_speed: fast");
    yaml_tab_indent => |f| replace(f, SETTINGS, "  hasten: 1", "\thasten: 1");
    yaml_not_utf8 => |f| inject(f, SETTINGS, "not a real place", b"not a r\xe9al place");
}

#[test]
fn the_corpus_is_large_enough() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
}

#[test]
fn the_toy_scenario_itself_loads() {
    let loaded = load(toy()).unwrap();
    assert!(loaded.warnings.is_empty(), "{}", describe(&Ok(loaded)));
}

/// No input makes the loader panic; every error case is an `Invalid` error with at least one
/// error in it (what the CLI turns into a failing exit status).
#[test]
fn no_case_panics_and_errors_are_invalid() {
    for &(name, edit) in CASES {
        let files = broken(edit);
        let result = std::panic::catch_unwind(move || load(files));
        let Ok(result) = result else {
            panic!("{name}: the loader panicked");
        };
        match result {
            Ok(_) => assert!(loads(name), "{name} loaded"),
            Err(ScenarioError::Invalid { diagnostics }) => {
                assert!(
                    diagnostics.iter().any(tumen_scenario::Diagnostic::is_error),
                    "{name}: Invalid without an error"
                );
            }
            Err(other) => panic!("{name}: expected ScenarioError::Invalid, found {other}"),
        }
    }
}

/// Prefixes of every file of the toy scenario (a file cut short at any byte) never panic.
#[test]
fn truncated_files_never_panic() {
    let original = toy();
    for (path, bytes) in &original {
        let step = (bytes.len() / 40).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let mut files = original.clone();
            files.insert(path.clone(), bytes.get(..cut).unwrap().to_vec());
            let result = std::panic::catch_unwind(move || load(files));
            assert!(
                result.is_ok(),
                "{path} cut at byte {cut}: the loader panicked"
            );
        }
    }
}

fn assert_loads_cleanly(files: Files, what: &str) {
    match load(files) {
        Ok(loaded) => assert!(
            loaded.warnings.is_empty(),
            "{what}: {}",
            describe(&Ok(loaded))
        ),
        Err(error) => panic!("{what} must load:\n{error}"),
    }
}

#[test]
fn accepted_bom_at_the_start_of_locations() {
    let mut files = toy();
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(files.get(LOCATIONS).unwrap());
    files.insert(LOCATIONS.to_owned(), bytes);
    assert_loads_cleanly(files, "a BOM in locations.csv");
}

#[test]
fn accepted_bom_on_every_file() {
    let mut files = toy();
    for bytes in files.values_mut() {
        let mut with = b"\xef\xbb\xbf".to_vec();
        with.extend_from_slice(bytes);
        *bytes = with;
    }
    assert_loads_cleanly(files, "a BOM on every file");
}

fn crlf(files: &mut Files) {
    for bytes in files.values_mut() {
        let text = String::from_utf8(bytes.clone()).unwrap();
        *bytes = text.replace('\n', "\r\n").into_bytes();
    }
}

#[test]
fn accepted_crlf_line_ends_everywhere() {
    let mut files = toy();
    crlf(&mut files);
    assert_loads_cleanly(files, "CRLF line ends");
}

#[test]
fn accepted_no_final_newline() {
    let mut files = toy();
    for bytes in files.values_mut() {
        while bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
    }
    assert_loads_cleanly(files, "files without a final newline");
}

/// Errors in a CRLF scenario point at the same line and column as in an LF one.
#[test]
fn crlf_does_not_shift_positions() {
    let mut lf = toy();
    replace(
        &mut lf,
        ROUTES,
        "Junction,Border,150",
        "Junction,Border,-150",
    );
    let mut crlf_files = lf.clone();
    crlf(&mut crlf_files);
    assert_eq!(describe(&load(lf)), describe(&load(crlf_files)));
}

/// Real directories under `tests/bad-scenarios/`, loaded with `load_flee_dir`.
#[test]
fn bad_scenario_directories() {
    let root = repo_root().join("tests/bad-scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let result = std::panic::catch_unwind(|| load_flee_dir(&dir, &LoadOptions::default()));
        let Ok(result) = result else {
            panic!("{name}: the loader panicked");
        };
        assert!(
            matches!(result, Err(ScenarioError::Invalid { .. })),
            "{name}: {}",
            describe(&result)
        );
        insta::assert_snapshot!(format!("dir_{name}"), describe(&result));
    }
}

#[test]
fn a_missing_directory_is_an_io_error() {
    let dir = repo_root().join("tests/bad-scenarios/no-such-scenario");
    let error = load_flee_dir(&dir, &LoadOptions::default()).unwrap_err();
    assert!(matches!(error, ScenarioError::Io { .. }), "{error}");
}
