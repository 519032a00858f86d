//! `run.json`: a run directory says how to reproduce it, and following it gives the same output.

use crate::common::{copy_dir, scenario, tumen};
use std::path::Path;

fn record(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap()
}

/// Runs the `rerun` command of `record` (the program and `<OUTPUT>` replaced) into `out`.
fn rerun(record: &serde_json::Value, out: &Path) {
    let args: Vec<String> = record["rerun"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(args[0], "tumen");
    let mut command = tumen();
    for arg in &args[1..] {
        if arg == "<OUTPUT>" {
            command.arg(out);
        } else {
            command.arg(arg);
        }
    }
    command.assert().success();
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_run_records_how_to_reproduce_it() {
    let first = tempfile::tempdir().unwrap();
    tumen()
        .args(["run", "--seed", "11", "--days", "30", "--engine", "counts"])
        .arg("--output")
        .arg(first.path())
        .arg(scenario("toy_escape"))
        .assert()
        .success();
    let record = record(first.path());
    assert_eq!(record["tool"], "tumen");
    assert_eq!(record["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(record["seed"], 11);
    assert_eq!(record["engine"], "counts");
    assert_eq!(record["replicas"], 1);
    assert_eq!(record["days"], 30);
    assert_eq!(record["days_override"], 30);
    assert_eq!(record["scenario"]["name"], "toy_escape");
    assert_eq!(record["scenario"]["kind"], "directory");
    let command_line: Vec<&str> = record["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(command_line.contains(&"--seed") && command_line.contains(&"11"));
    // Every input file is listed with its hash, and the scenario's hash is over all of them.
    let files = record["scenario"]["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for wanted in [
        "input_csv/locations.csv",
        "input_csv/routes.csv",
        "simsetting.yml",
        "source_data/near.csv",
    ] {
        assert!(paths.contains(&wanted), "{wanted} not in {paths:?}");
    }
    assert_eq!(
        record["scenario"]["content_fnv1a64"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
    // The effective settings, every field.
    assert_eq!(record["settings"]["move_rules"]["awareness_level"], 2);
    assert_eq!(record["settings"]["move_rules"]["max_move_speed"], 200.0);
    let (started, finished) = (
        record["started"].as_str().unwrap(),
        record["finished"].as_str().unwrap(),
    );
    assert!(started.ends_with('Z') && started.len() == 24, "{started}");
    assert!(started <= finished, "{started} > {finished}");

    // Following the record reproduces the run.
    let second = tempfile::tempdir().unwrap();
    rerun(&record, second.path());
    assert_eq!(
        read(&first.path().join("out.csv")),
        read(&second.path().join("out.csv"))
    );
    let again = self::record(second.path());
    assert_eq!(
        again["scenario"]["content_fnv1a64"],
        record["scenario"]["content_fnv1a64"]
    );
    assert_eq!(again["settings"], record["settings"]);
}

/// A changed input file changes the scenario's hash (and that file's).
#[test]
fn the_content_hash_notices_a_changed_file() {
    let copy = tempfile::tempdir().unwrap();
    let root = copy.path().join("toy_escape");
    copy_dir(&scenario("toy_escape"), &root);
    let hashes = |out: &Path| {
        tumen()
            .args(["run", "--days", "5", "--output"])
            .arg(out)
            .arg(&root)
            .assert()
            .success();
        let record = record(out);
        let routes = record["scenario"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "input_csv/routes.csv")
            .unwrap()["fnv1a64"]
            .clone();
        (record["scenario"]["content_fnv1a64"].clone(), routes)
    };
    let out = tempfile::tempdir().unwrap();
    let before = hashes(&out.path().join("a"));
    let routes = root.join("input_csv/routes.csv");
    let text = std::fs::read_to_string(&routes).unwrap();
    std::fs::write(
        &routes,
        text.replace("Junction,Border,150", "Junction,Border,151"),
    )
    .unwrap();
    let after = hashes(&out.path().join("b"));
    assert_ne!(before.0, after.0);
    assert_ne!(before.1, after.1);
}

/// The embedded scenario and an ensemble: the record names the source and reruns the same.
#[test]
fn an_embedded_ensemble_records_and_reruns() {
    let first = tempfile::tempdir().unwrap();
    tumen()
        .args(["run", "--days", "40", "--replicas", "3", "--seed", "4"])
        .args(["--engine", "counts", "--output"])
        .arg(first.path())
        .assert()
        .success();
    let record = record(first.path());
    assert_eq!(record["scenario"]["kind"], "embedded");
    assert_eq!(record["scenario"]["name"], "korea-china");
    assert_eq!(record["replicas"], 3);
    assert!(!record["scenario"]["files"].as_array().unwrap().is_empty());
    let second = tempfile::tempdir().unwrap();
    rerun(&record, second.path());
    for file in ["out.csv", "quantiles.csv"] {
        assert_eq!(
            read(&first.path().join(file)),
            read(&second.path().join(file)),
            "{file}"
        );
    }
}

/// A native scenario with `--set`: the overrides are recorded and the rerun applies them.
#[test]
fn overrides_are_recorded_and_rerun() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hidden-border");
    let first = tempfile::tempdir().unwrap();
    tumen()
        .args(["run", "--days", "60", "--replicas", "2", "--seed", "9"])
        .args(["--set", "enforcement.region[0].baseline=0.002", "--output"])
        .arg(first.path())
        .arg(&example)
        .assert()
        .success();
    let record = record(first.path());
    assert_eq!(
        record["overrides"],
        serde_json::json!(["enforcement.region[0].baseline=0.002"])
    );
    let files = record["scenario"]["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["path"] == "scenario.toml"));
    let second = tempfile::tempdir().unwrap();
    rerun(&record, second.path());
    assert_eq!(
        read(&first.path().join("out.csv")),
        read(&second.path().join("out.csv"))
    );
}
