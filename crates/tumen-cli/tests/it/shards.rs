//! `tumen run --shard i/n` and `tumen merge`: merged outputs byte-identical to the run in one
//! process (for 1, 2 and 3 slices, slices run with different `--jobs`, a posterior ensemble),
//! and the refusals (a missing, duplicated, unfinished, damaged or foreign slice).

use crate::tumen;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The flagship, short, with a few replicas: the arguments every run below shares.
const RUN: [&str; 6] = ["run", "--days", "150", "--replicas", "7", "--seed"];

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hidden-border")
}

/// Every file of a run directory, with `summary.json` and `run.json` cut to what must not
/// differ between the run in one process and the merge (times, the command line and the
/// threads are the only fields left out).
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            let mut bytes = std::fs::read(&path).unwrap();
            if name == "summary.json" || name == "run.json" {
                let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                let object = json.as_object_mut().unwrap();
                for key in [
                    "wall_seconds",
                    "command_line",
                    "started",
                    "finished",
                    "rerun",
                    "jobs",
                    "working_directory",
                ] {
                    assert!(
                        name == "run.json"
                            || key == "wall_seconds"
                            || key == "command_line"
                            || !object.contains_key(key),
                        "{name} gained {key}"
                    );
                    object.remove(key);
                }
                bytes = serde_json::to_vec_pretty(&json).unwrap();
            }
            files.insert(name, bytes);
        }
    }
    files
}

fn one_process(extra: &[&str], out: &Path) {
    tumen()
        .args(RUN)
        .arg("5")
        .args(extra)
        .arg("--output")
        .arg(out)
        .assert()
        .success();
}

fn shard(extra: &[&str], slice: &str, jobs: &str, out: &Path) {
    tumen()
        .args(RUN)
        .arg("5")
        .args(extra)
        .args(["--shard", slice, "--jobs", jobs, "--output"])
        .arg(out)
        .assert()
        .success();
}

fn merge(dirs: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    tumen()
        .arg("merge")
        .args(dirs)
        .arg("--output")
        .arg(out)
        .assert()
}

fn assert_same(expected: &BTreeMap<String, Vec<u8>>, merged: &Path, what: &str) {
    let got = outputs(merged);
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "{what}: the files differ"
    );
    for (name, bytes) in expected {
        assert!(got[name] == *bytes, "{what}: `{name}` differs");
    }
}

#[test]
fn merged_slices_are_byte_identical_to_one_process_for_1_2_and_3_slices() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    one_process(&["--replica-outputs"], &whole);
    let expected = outputs(&whole);
    assert!(expected.contains_key("quantiles.csv") && expected.contains_key("yearly.csv"));
    // The flagship ships a posterior: the slices must draw each replica's parameters from it,
    // as the run in one process does.
    assert!(expected.contains_key("parameters.csv"));
    for n in 1..=3_usize {
        let dirs: Vec<PathBuf> = (1..=n)
            .map(|i| {
                let out = dir.path().join(format!("n{n}-{i}"));
                // Slices run with different thread counts.
                shard(
                    &["--replica-outputs"],
                    &format!("{i}/{n}"),
                    &i.to_string(),
                    &out,
                );
                assert!(out.join("shard.json").is_file());
                assert!(!out.join("out.csv").exists(), "a slice is not a run");
                out
            })
            .collect();
        // Slices given in any order.
        let mut shuffled = dirs.clone();
        shuffled.reverse();
        let merged = dir.path().join(format!("merged-{n}"));
        merge(&shuffled, &merged).success();
        assert_same(&expected, &merged, &format!("{n} slices"));
    }
}

#[test]
fn a_posterior_ensemble_merges_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let posterior = dir.path().join("posterior.csv");
    std::fs::write(
        &posterior,
        "particle,weight,move_rules.max_move_speed,distance\n0,0.5,40,0.1\n1,0.5,400,0.2\n",
    )
    .unwrap();
    let posterior = posterior.display().to_string();
    let scenario = example().display().to_string();
    let extra = ["--posterior", posterior.as_str(), scenario.as_str()];
    let whole = dir.path().join("whole");
    one_process(&extra, &whole);
    let expected = outputs(&whole);
    assert!(expected.contains_key("parameters.csv"));
    let dirs: Vec<PathBuf> = (1..=2)
        .map(|i| {
            let out = dir.path().join(format!("s{i}"));
            shard(&extra, &format!("{i}/2"), "2", &out);
            out
        })
        .collect();
    let merged = dir.path().join("merged");
    merge(&dirs, &merged).success();
    assert_same(&expected, &merged, "posterior");
    // The posterior file changed after the shards ran: refused.
    std::fs::write(
        &posterior,
        "particle,weight,move_rules.max_move_speed,distance\n0,0.5,41,0.1\n1,0.5,400,0.2\n",
    )
    .unwrap();
    let refused = merge(&dirs, &dir.path().join("refused")).code(1);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("changed since the shards ran"), "{stderr}");
}

fn refused(dirs: &[PathBuf], out: &Path, expected: &[&str]) {
    let assert = merge(dirs, out).code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for part in expected {
        assert!(stderr.contains(part), "expected `{part}` in: {stderr}");
    }
    assert!(
        !out.join("out.csv").exists(),
        "a refused merge wrote outputs"
    );
}

#[test]
fn missing_duplicated_unfinished_damaged_and_foreign_slices_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let slice = |i: usize, seed: &str| {
        let out = dir.path().join(format!("s{i}-seed{seed}"));
        tumen()
            .args(["run", "--days", "60", "--replicas", "5", "--seed", seed])
            .args(["--shard", &format!("{i}/3"), "--output"])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (a, b, c) = (slice(1, "5"), slice(2, "5"), slice(3, "5"));
    let out = dir.path().join("merged");
    let name = |p: &Path| p.display().to_string();
    refused(&[a.clone(), b.clone()], &out, &["slice(s) 3/3 missing"]);
    refused(
        &[a.clone(), b.clone(), b.clone(), c.clone()],
        &out,
        &["slice 2/3 is given twice", &name(&b)],
    );
    let foreign = slice(3, "6");
    refused(
        &[a.clone(), b.clone(), foreign.clone()],
        &out,
        &[&name(&foreign), "different seed"],
    );
    // A slice run with other arguments (more days).
    let other = dir.path().join("other");
    tumen()
        .args(["run", "--days", "61", "--replicas", "5", "--seed", "5"])
        .args(["--shard", "3/3", "--output"])
        .arg(&other)
        .assert()
        .success();
    refused(
        &[a.clone(), b.clone(), other.clone()],
        &out,
        &[&name(&other), "not from the same run"],
    );
    // A damaged trace.
    let damaged = dir.path().join("damaged");
    std::fs::create_dir_all(&damaged).unwrap();
    for entry in std::fs::read_dir(&c).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, damaged.join(path.file_name().unwrap())).unwrap();
    }
    let trace = damaged.join("replica-00002.trace");
    let mut bytes = std::fs::read(&trace).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&trace, bytes).unwrap();
    refused(
        &[a.clone(), b.clone(), damaged.clone()],
        &out,
        &[&name(&damaged), "rerun that shard"],
    );
    // An unfinished slice: no manifest.
    std::fs::remove_file(c.join("shard.json")).unwrap();
    refused(
        &[a.clone(), b.clone(), c.clone()],
        &out,
        &[&name(&c), "did not finish"],
    );
    // Every slice present: merged.
    let c = slice(3, "5");
    merge(&[a, b, c], &out).success();
    assert!(out.join("quantiles.csv").is_file());
}

#[test]
fn a_bad_slice_argument_is_a_user_error() {
    for bad in ["0/2", "3/2", "2", "x/y"] {
        tumen()
            .args(["run", "--days", "5", "--shard", bad])
            .assert()
            .code(1);
    }
}

/// Without the `mpi` feature, every command that spreads work refuses to run under an MPI
/// launcher with several ranks (each rank would run the whole job and write the same files).
#[cfg(not(feature = "mpi"))]
#[test]
fn a_build_without_mpi_refuses_several_ranks_for_every_spread_command() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["run", "--days", "5"],
        vec!["sensitivity", "--samples", "4"],
        vec!["calibrate", "--until", "2001-06-30"],
        vec!["compare", "--days", "5"],
    ] {
        tumen()
            .env("OMPI_COMM_WORLD_SIZE", "2")
            .args(&args)
            .arg("--output")
            .arg(dir.path().join(args[0]))
            .arg(example())
            .assert()
            .code(1)
            .stderr(predicates::str::contains("this build of tumen has no MPI"));
        assert!(
            !dir.path().join(args[0]).exists(),
            "{args:?} wrote its output"
        );
    }
}
