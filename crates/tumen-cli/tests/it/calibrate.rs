//! `tumen calibrate` and `tumen sensitivity` as a user runs them: the files they write, and
//! clear user errors (exit code 1).

use crate::common::tumen;
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hidden-border")
}

#[test]
fn calibrate_writes_the_posterior_the_score_and_the_forecast() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args([
            "calibrate",
            "--until",
            "2001-06-30",
            "--budget",
            "60",
            "--particles",
            "20",
            "--forecast-replicas",
            "3",
            "--output",
        ])
        .arg(dir.path())
        .arg(example())
        .assert()
        .success()
        .stderr(predicates::str::contains("after the cut"));
    let posterior = std::fs::read_to_string(dir.path().join("posterior.csv")).unwrap();
    let header = posterior.lines().next().unwrap();
    assert!(header.starts_with("particle,weight,"), "{header}");
    assert!(header.ends_with(",distance"), "{header}");
    assert_eq!(posterior.lines().count(), 21, "20 particles and a header");
    let generations = std::fs::read_to_string(dir.path().join("generations.csv")).unwrap();
    assert!(generations.starts_with("generation,tolerance,accepted,runs,ess,wall_seconds"));
    let score: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("score.json")).unwrap())
            .unwrap();
    assert_eq!(score["until"], "2001-06-30");
    for period in ["before", "after"] {
        for block in ["calibrated", "baseline"] {
            for key in ["ard", "coverage50", "coverage90", "crps", "targets_inside"] {
                assert!(
                    !score[period][block][key].is_null(),
                    "score.json has no {period}.{block}.{key}: {score}"
                );
            }
        }
    }
    let forecast: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("forecast/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(forecast["ensemble"]["replicas"], 3);
    assert!(
        forecast["ensemble"]["uncertainty"]
            .as_str()
            .unwrap()
            .contains("parameter"),
        "{forecast}"
    );
    assert!(dir.path().join("forecast/quantiles.csv").is_file());
    // The calibration report: offline, the posterior, the tolerance, the fit with the cut.
    let report = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    for needle in [
        "posterior-corner",
        r#"data-plot="tolerance""#,
        "cut 2001-06-30",
        "calibrated 90 %",
        "baseline median",
        "after the cut (held out)",
    ] {
        assert!(report.contains(needle), "report.html lacks {needle}");
    }
    assert!(!report.contains("src=\"http") && !report.contains("href=\"http"));
}

#[test]
fn sensitivity_writes_sobol_and_morris_tables() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args(["sensitivity", "--samples", "4", "--morris", "2", "--output"])
        .arg(dir.path())
        .arg(example())
        .assert()
        .success();
    let sobol = std::fs::read_to_string(dir.path().join("sobol.csv")).unwrap();
    assert_eq!(
        sobol.lines().next().unwrap(),
        "output,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high"
    );
    assert!(
        sobol
            .lines()
            .any(|l| l.starts_with("ard,move_rules.max_move_speed,"))
    );
    assert!(dir.path().join("morris.csv").is_file());
}

#[test]
fn a_cut_outside_the_period_and_a_bad_params_file_are_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args(["calibrate", "--until", "1800-01-01", "--output"])
        .arg(dir.path())
        .arg(example())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--until 1800-01-01"));
    let params = dir.path().join("params.toml");
    std::fs::write(
        &params,
        "[[calibration.parameter]]\nkey = \"move_rules.max_move_speed\"\nprior = { uniform = [5.0, 1.0] }\n",
    )
    .unwrap();
    tumen()
        .args(["calibrate", "--until", "2001-06-30", "--params"])
        .arg(&params)
        .arg("--output")
        .arg(dir.path().join("out"))
        .arg(example())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("params.toml:3"));
}

#[test]
fn run_with_a_posterior_draws_each_replica_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // A posterior of two particles far apart in max_move_speed: replicas must differ in it.
    let posterior = dir.path().join("posterior.csv");
    std::fs::write(
        &posterior,
        "particle,weight,move_rules.max_move_speed,distance\n0,0.5,40,0.1\n1,0.5,400,0.2\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    tumen()
        .args(["run", "--replicas", "6", "--days", "200", "--posterior"])
        .arg(&posterior)
        .arg("--output")
        .arg(&out)
        .arg(example())
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["ensemble"]["replicas"], 6);
    assert!(
        summary["ensemble"]["uncertainty"]
            .as_str()
            .unwrap()
            .contains("parameter"),
        "{summary}"
    );
    let parameters = std::fs::read_to_string(out.join("parameters.csv")).unwrap();
    let speeds: std::collections::BTreeSet<&str> = parameters
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next_back())
        .collect();
    assert!(
        speeds.len() >= 2,
        "every replica drew the same particle: {parameters}"
    );
    // A posterior naming a key the scenario does not have is the user's to fix.
    std::fs::write(
        &posterior,
        "particle,weight,move_rules.no_such_rule,distance\n0,1,1,0\n",
    )
    .unwrap();
    tumen()
        .args(["run", "--days", "20", "--posterior"])
        .arg(&posterior)
        .arg("--output")
        .arg(dir.path().join("bad"))
        .arg(example())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no_such_rule"));
}
