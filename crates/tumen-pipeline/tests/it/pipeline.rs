//! The pipeline end to end on the project's own scenarios: what a run writes, that a single run
//! is replica 0 of the ensemble, that the thread count changes nothing, and whose fault each
//! error is (the exit code).

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use tumen_pipeline::{
    EngineChoice, Error, Format, NoProgress, Plan, RunRequest, ScenarioSource, worker_pool,
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn toy() -> PathBuf {
    workspace().join("tests/scenarios/toy_escape")
}

fn example() -> PathBuf {
    workspace().join("examples/hidden-border")
}

fn run(request: &RunRequest, threads: usize) -> tumen_pipeline::RunOutput {
    let prepared = tumen_pipeline::load(&request.source(), &request.load_options()).unwrap();
    let plan = Plan::new(&prepared, request).unwrap();
    worker_pool(Some(threads))
        .unwrap()
        .install(|| plan.execute(&NoProgress))
        .unwrap()
}

fn names(written: &tumen_pipeline::Written) -> Vec<String> {
    written
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_single_run_writes_the_flee_files_and_no_bands() {
    let request = RunRequest {
        scenario: Some(toy()),
        seed: 3,
        formats: vec![Format::Long, Format::Hxl, Format::Long],
        ..RunRequest::default()
    };
    let output = run(&request, 2);
    assert!(output.summary.ensemble.is_none());
    assert_eq!(output.ensemble.replicas.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let written = output.write(dir.path()).unwrap();
    assert_eq!(
        names(&written),
        [
            "out.csv",
            "summary.json",
            "locations.geojson",
            "links.geojson",
            "daily_locations.csv",
            "daily_links.csv",
            "long.csv",
            "hxl.csv",
            "run.json"
        ]
    );
    for path in &written.files {
        assert!(path.is_file(), "{} was not written", path.display());
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 3);
    assert!(summary.get("ensemble").is_none());
    assert!(summary["notes"].is_array());
}

#[test]
fn replica_zero_of_an_ensemble_is_the_single_run_whatever_the_threads() {
    let single = RunRequest {
        scenario: Some(toy()),
        seed: 11,
        engine: EngineChoice::Agents,
        ..RunRequest::default()
    };
    let ensemble = RunRequest {
        replicas: Some(4),
        ..single.clone()
    };
    let one = run(&single, 1);
    let four_on_one = run(&ensemble, 1);
    let four_on_two = run(&ensemble, 2);
    let csv = |output: &tumen_pipeline::RunOutput, index: usize| {
        let mut bytes = Vec::new();
        output.ensemble.replicas[index]
            .table
            .write_csv(&mut bytes)
            .unwrap();
        bytes
    };
    assert_eq!(csv(&one, 0), csv(&four_on_one, 0));
    for index in 0..4 {
        assert_eq!(csv(&four_on_one, index), csv(&four_on_two, index));
    }
    assert_ne!(
        csv(&four_on_one, 0),
        csv(&four_on_one, 1),
        "replicas must differ"
    );
    let summary = four_on_two.summary.ensemble.as_ref().unwrap();
    assert_eq!(summary.replicas, 4);
    assert_eq!(summary.per_replica.len(), 4);
    assert_eq!(summary.per_replica[0].seed, 11);
    assert!(summary.uncertainty.starts_with("seed noise"));
}

#[test]
fn a_scenario_with_mechanisms_writes_its_tables_as_an_ensemble() {
    let request = RunRequest {
        scenario: Some(example()),
        replicas: Some(3),
        days: Some(400),
        ..RunRequest::default()
    };
    let output = run(&request, 2);
    assert!(output.system.is_some());
    let dir = tempfile::tempdir().unwrap();
    let written = output.write(dir.path()).unwrap();
    let names = names(&written);
    for expected in [
        "out.csv",
        "quantiles.csv",
        "countries.csv",
        "summary.json",
        "yearly.csv",
        "weekly.csv",
        "status.csv",
        "run.json",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing: {names:?}"
        );
    }
    assert_eq!(names.last().map(String::as_str), Some("run.json"));
}

#[test]
fn errors_say_whose_fault_they_are() {
    let missing = tumen_pipeline::load(
        &ScenarioSource::Directory(workspace().join("tests/no-such-scenario")),
        &tumen_scenario::LoadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(missing, Error::Unreadable { .. }), "{missing:?}");
    assert_eq!(missing.exit_code(), 1);

    let bad = tumen_pipeline::load(
        &ScenarioSource::Directory(workspace().join("tests/bad-scenarios/only_locations")),
        &tumen_scenario::LoadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(bad, Error::Invalid { .. }), "{bad:?}");
    assert_eq!(bad.exit_code(), 1);

    // An output "directory" that is a file is the user's to fix, not a bug.
    let request = RunRequest {
        scenario: Some(toy()),
        days: Some(5),
        ..RunRequest::default()
    };
    let output = run(&request, 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, b"x").unwrap();
    let error = output.write(&file).unwrap_err();
    assert_eq!(error.exit_code(), 1, "{error}");
    assert!(error.to_string().contains("existing file"), "{error}");

    // A checkpoint that cannot be written is an I/O error (exit 2), not the input's fault.
    let io = Error::Run {
        scenario: "x".into(),
        source: tumen_ensemble::RunError::Io {
            action: "write",
            path: file.clone(),
            source: std::io::Error::other("disk full"),
        },
    };
    assert_eq!(io.exit_code(), 2);
    let write = output.write(&file.join("below-a-file")).unwrap_err();
    assert_eq!(write.exit_code(), 2, "{write}");
}

#[test]
fn the_embedded_flagship_loads_with_its_targets() {
    let prepared = tumen_pipeline::load(
        &ScenarioSource::Embedded,
        &tumen_scenario::LoadOptions::default(),
    )
    .unwrap();
    assert!(prepared.scenario().mechanisms.any());
    let targets = prepared.targets.as_ref().expect("the flagship has targets");
    assert!(!targets.is_empty());
    // A plain Flee scenario has no targets to meet.
    let flee = tumen_pipeline::load(
        &ScenarioSource::Directory(toy()),
        &tumen_scenario::LoadOptions::default(),
    )
    .unwrap();
    assert!(flee.targets.is_none());
}

#[test]
fn the_files_in_memory_are_the_files_on_disk() {
    let request = RunRequest {
        scenario: Some(example()),
        replicas: Some(2),
        days: Some(200),
        formats: vec![Format::Hxl],
        ..RunRequest::default()
    };
    let output = run(&request, 2);
    let dir = tempfile::tempdir().unwrap();
    let written = output.write(dir.path()).unwrap();
    let memory = output.files_in_memory(&[Format::Hxl]).unwrap();
    assert_eq!(memory.len(), written.files.len());
    for (name, bytes) in &memory {
        let on_disk = std::fs::read(dir.path().join(name)).unwrap();
        assert!(on_disk == *bytes, "{name} differs");
    }
    let long = output.files_in_memory(&[Format::Long]).unwrap();
    assert!(long.iter().any(|(name, _)| name == "long.csv"));
    assert!(!long.iter().any(|(name, _)| name == "hxl.csv"));
}

#[test]
fn replica_outputs_write_every_replica_in_fabflee_layout() {
    let request = RunRequest {
        scenario: Some(toy()),
        replicas: Some(3),
        replica_outputs: true,
        ..RunRequest::default()
    };
    let output = run(&request, 2);
    let dir = tempfile::tempdir().unwrap();
    output.write(dir.path()).unwrap();
    for index in 0..3 {
        let path = dir.path().join(format!("RUNS/replica-{index}/out.csv"));
        let mut expected = Vec::new();
        output.ensemble.replicas[index]
            .table
            .write_csv(&mut expected)
            .unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            expected,
            "{}",
            path.display()
        );
    }
    assert_eq!(
        std::fs::read(dir.path().join("out.csv")).unwrap(),
        std::fs::read(dir.path().join("RUNS/replica-0/out.csv")).unwrap()
    );
    assert!(!dir.path().join("RUNS/replica-3").exists());
    assert!(output.record.rerun.iter().any(|a| a == "--replica-outputs"));
}
