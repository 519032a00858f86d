//! The `tumen` binary run as a user runs it, on the project's own scenarios
//! (`tests/scenarios/`) and on the embedded flagship scenario.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

#[path = "../common/mod.rs"]
mod common;

mod calibrate;
mod record;
mod report;
mod shards;
mod system;

use common::{copy_dir, scenario, tumen};
use predicates::prelude::PredicateBooleanExt as _;
use std::path::Path;

fn run_toy(seed: u64, threads: usize, out: &Path) -> String {
    tumen()
        .env("RAYON_NUM_THREADS", threads.to_string())
        .args(["run", "--seed", &seed.to_string(), "--output"])
        .arg(out)
        .arg(scenario("toy_escape"))
        .assert()
        .success();
    std::fs::read_to_string(out.join("out.csv")).unwrap()
}

#[test]
fn run_writes_out_csv_and_summary_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let assert = tumen()
        .args(["run", "--seed", "3", "--output"])
        .arg(dir.path())
        .arg(scenario("toy_escape"))
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("Simulated 60 days of `toy_escape` (seed 3"),
        "{stderr}"
    );
    assert!(stderr.contains("out.csv"), "{stderr}");
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Day,Date,Near_Camp sim,Near_Camp data,Near_Camp error,Far_Camp sim,Far_Camp data,\
         Far_Camp error,Total error,refugees in camps (UNHCR),total refugees (simulation),\
         raw UNHCR refugee count,refugees in camps (simulation),refugee_debt"
    );
    assert_eq!(out.lines().count(), 61);
    let last: Vec<&str> = out.lines().last().unwrap().split(',').collect();
    assert_eq!(last[0], "59");
    assert_eq!(last[1], "2021-04-29");
    // Every person of the observed total exists at the end (T(59) = 5100, nothing lost).
    assert_eq!(last[10], "5100");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["seed"], 3);
    assert_eq!(summary["days"], 60);
    assert_eq!(summary["agents_final"], 5100);
    assert!(summary["validation"]["ard_normal"].as_f64().unwrap() > 0.0);
    assert_eq!(
        summary["settings"]["resolved"]["move_rules"]["awareness_level"],
        2
    );
    // No temporary file is left next to the outputs.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn the_same_seed_gives_the_same_file_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let one = run_toy(11, 1, &dir.path().join("a"));
    let again = run_toy(11, 1, &dir.path().join("b"));
    let four = run_toy(11, 4, &dir.path().join("c"));
    let other_seed = run_toy(12, 1, &dir.path().join("d"));
    assert_eq!(one, again);
    assert_eq!(one, four);
    assert_ne!(one, other_seed);
}

#[test]
fn the_count_engine_runs_the_same_scenario() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args(["run", "--engine", "counts", "--output"])
        .arg(dir.path())
        .arg(scenario("toy_escape"))
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["engine"], "counts");
    assert_eq!(summary["agents_final"], 5100);
}

#[test]
fn a_bad_scenario_is_a_located_error_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("bad");
    copy_dir(&scenario("toy_escape"), &copy);
    let routes = copy.join("input_csv/routes.csv");
    let text = std::fs::read_to_string(&routes)
        .unwrap()
        .replace("Border,Far_Camp,420,0", "Border,Far_Cmp,-420,0");
    std::fs::write(&routes, text).unwrap();
    let assert = tumen()
        .args(["run", "--output"])
        .arg(dir.path().join("out"))
        .arg(&copy)
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("input_csv/routes.csv:6"), "{stderr}");
    assert!(stderr.contains("Far_Cmp"), "{stderr}");
    assert!(stderr.contains("did you mean `Far_Camp`"), "{stderr}");
    assert!(stderr.contains("-420"), "{stderr}");
    assert!(!dir.path().join("out/out.csv").exists());
}

#[test]
fn validate_reports_a_valid_scenario() {
    tumen()
        .arg("validate")
        .arg(scenario("toy_escape"))
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "is valid: 6 locations, 5 links, 60 days",
        ));
}

#[test]
fn a_missing_directory_is_a_user_error() {
    tumen()
        .args(["run", "no/such/scenario"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no/such/scenario"));
}

#[test]
fn the_embedded_flagship_runs_with_no_scenario_argument() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args(["run", "--days", "60", "--output"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "Simulated 60 days × 20 replicas of `korea-china`",
        ));
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(out.starts_with("Day,Date,Yanji sim"));
    for file in ["yearly.csv", "weekly.csv", "targets.csv", "status.csv"] {
        assert!(dir.path().join(file).exists(), "{file} is missing");
    }
    assert_eq!(out.lines().count(), 61);
}

#[test]
fn an_ensemble_writes_bands_and_its_first_replica_is_the_plain_run() {
    let dir = tempfile::tempdir().unwrap();
    let plain = run_toy(5, 2, &dir.path().join("plain"));
    let run_ensemble = |jobs: &str, out: &Path| {
        tumen()
            .args([
                "run",
                "--seed",
                "5",
                "--replicas",
                "12",
                "--jobs",
                jobs,
                "--output",
            ])
            .arg(out)
            .arg(scenario("toy_escape"))
            .assert()
            .success()
            .stderr(predicates::str::contains("60 days × 12 replicas"));
        (
            std::fs::read_to_string(out.join("out.csv")).unwrap(),
            std::fs::read_to_string(out.join("quantiles.csv")).unwrap(),
        )
    };
    let (out_one, bands_one) = run_ensemble("1", &dir.path().join("one"));
    let (out_two, bands_two) = run_ensemble("2", &dir.path().join("two"));
    assert_eq!(out_one, plain);
    assert_eq!(bands_one, bands_two);
    assert_eq!(out_one, out_two);
    // One row per day and location (60 × 6) plus the header.
    assert_eq!(bands_one.lines().count(), 361);
    assert_eq!(
        bands_one.lines().next().unwrap(),
        "day,date,location,camp,mean,p05,p25,p50,p75,p95"
    );
    // Bands are ordered: p05 ≤ p25 ≤ p50 ≤ p75 ≤ p95 in every row.
    for line in bands_one.lines().skip(1) {
        let q: Vec<f64> = line
            .split(',')
            .skip(5)
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "{line}");
    }
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("one/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        summary["ensemble"]["per_replica"].as_array().unwrap().len(),
        12
    );
    assert!(summary["ensemble"]["ard_normal"]["sd"].as_f64().unwrap() > 0.0);

    // countries.csv: per day and country, the spread of the people at its locations. Its
    // means add up to the locations' means of quantiles.csv, day by day.
    let countries = std::fs::read_to_string(dir.path().join("one/countries.csv")).unwrap();
    assert_eq!(
        countries.lines().next().unwrap(),
        "day,date,country,mean,p05,p25,p50,p75,p95"
    );
    let mut by_country = vec![0.0; 60];
    let mut by_location = vec![0.0; 60];
    for (text, sums, mean_column) in [
        (&countries, &mut by_country, 3),
        (&bands_one, &mut by_location, 4),
    ] {
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let day: usize = fields[0].parse().unwrap();
            sums[day] += fields[mean_column].parse::<f64>().unwrap();
        }
    }
    assert!(by_country[59] > 0.0);
    for day in 0..60 {
        assert!(
            (by_country[day] - by_location[day]).abs() < 0.01,
            "day {day}: {} by country, {} by location",
            by_country[day],
            by_location[day]
        );
    }
}

#[test]
fn the_closing_line_names_every_file_written() {
    let dir = tempfile::tempdir().unwrap();
    let assert = tumen()
        .args(["run", "--formats", "long", "--output"])
        .arg(dir.path())
        .arg(scenario("toy_escape"))
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let closing = stderr.lines().last().unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(closing.contains(&name), "`{name}` not in: {closing}");
    }
}

#[test]
fn argument_errors_and_an_output_that_is_a_file_are_user_errors() {
    // A malformed command line is a problem with the input: exit code 1, as the README says.
    tumen()
        .args(["run", "--days", "0"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--days"));
    tumen().args(["run", "--no-such-flag"]).assert().code(1);
    tumen()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicates::str::contains("Flee").and(predicates::str::contains("Examples:")));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "x").unwrap();
    tumen()
        .args(["run", "--days", "3", "--output"])
        .arg(&file)
        .arg(scenario("toy_escape"))
        .assert()
        .code(1)
        .stderr(
            predicates::str::contains("is an existing file")
                .and(predicates::str::contains("this is a bug").not()),
        );
}

#[test]
fn validate_without_a_scenario_checks_the_embedded_flagship() {
    tumen()
        .arg("validate")
        .assert()
        .success()
        .stderr(predicates::str::contains("`embedded` is valid"));
}
