//! Inputs found by fuzzing (`fuzz/`), replayed in the normal test suite through the same entry
//! points as the fuzz targets (`tumen_scenario::fuzzing`), together with the committed seed
//! corpus of every target.
//!
//! A crashing input goes to `tests/fuzz-regressions/<target>/` (named after what it found), and
//! is fixed in the loader; these tests then keep it fixed.
#![expect(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use tumen_scenario::fuzzing;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (none when it does not exist), sorted.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `target` on every regression input and seed; returns how many ran.
fn replay(target: &str) -> usize {
    let base_dir = match target {
        "native_scenario" => "examples/hidden-border",
        _ => "tests/scenarios/toy_escape",
    };
    // As the scenario fuzz targets embed their base scenario.
    let files = crate::common::files_under(&manifest().join("../..").join(base_dir));
    let base: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
        .collect();
    let mut inputs = files_in(&manifest().join("tests/fuzz-regressions").join(target));
    inputs.extend(files_in(&manifest().join("../../fuzz/corpus").join(target)));
    for path in &inputs {
        let bytes = std::fs::read(path).unwrap();
        let result = std::panic::catch_unwind(|| match target {
            "csv" => fuzzing::csv(&bytes),
            "settings_yaml" => fuzzing::settings(&bytes),
            "flee_scenario" => fuzzing::scenario(&base, &bytes),
            "native_scenario" => fuzzing::native_scenario(&base, &bytes),
            other => panic!("no fuzz target `{other}`"),
        });
        assert!(result.is_ok(), "{target}: {} fails", path.display());
    }
    inputs.len()
}

#[test]
fn csv_inputs() {
    assert!(replay("csv") > 0);
}

#[test]
fn settings_yaml_inputs() {
    assert!(replay("settings_yaml") > 0);
}

#[test]
fn flee_scenario_inputs() {
    assert!(replay("flee_scenario") > 0);
}

#[test]
fn native_scenario_inputs() {
    assert!(replay("native_scenario") > 0);
}
