//! `tumen run --checkpoint-every N`, killed with SIGKILL mid-run, then `tumen resume`: every
//! output equals the run in one piece, byte for byte (both engines, one run and an ensemble);
//! changed inputs, damaged checkpoints and directories without checkpoints are refused.

use crate::common::{copy_dir, scenario, tumen};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Files whose contents hold the time of the run (everything else must be identical).
const TIMED: [&str; 2] = ["run.json", "summary.json"];

fn flagship_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/korea-china")
}

fn run_whole(args: &[&str], out: &Path) {
    tumen()
        .args(["run", "-q"])
        .args(args)
        .arg("--output")
        .arg(out)
        .assert()
        .success();
}

/// Starts `tumen run ARGS --checkpoint-every EVERY`, waits for replica 0's first checkpoint
/// and kills the process at once (SIGKILL: no clean-up of any kind). Returns false when the
/// run had already ended (the caller retries with a longer run).
fn run_and_kill(args: &[&str], every: u32, out: &Path) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tumen"))
        .env("TUMEN_NO_PROGRESS", "1")
        .args(["run", "-q"])
        .args(args)
        .args(["--checkpoint-every", &every.to_string(), "--output"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = out.join("checkpoint").join("replica-00000.ckpt");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !first.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the run failed on its own: {status}");
            return false;
        }
        assert!(Instant::now() < deadline, "no checkpoint after 120 s");
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    if child.wait().unwrap().success() {
        return false;
    }
    assert!(!out.join("out.csv").exists(), "a killed run wrote out.csv");
    true
}

/// The toy Flee scenario stretched to `days` days: conflicts every day, and a refugee total
/// that keeps growing, so that a run lasts long enough to be killed.
fn long_flee_scenario(dir: &Path, days: u32) -> PathBuf {
    let target = dir.join("toy_long");
    copy_dir(&scenario("toy_escape"), &target);
    let input = target.join("input_csv");
    std::fs::write(
        input.join("sim_period.csv"),
        format!("StartDate,2021-03-01\nLength,{days}\n"),
    )
    .unwrap();
    let mut conflicts = String::from("#Day,Origin,Second\n");
    for day in 0..days {
        conflicts.push_str(&format!("{day},1,0.5\n"));
    }
    std::fs::write(input.join("conflicts.csv"), conflicts).unwrap();
    let refugees = target.join("source_data").join("refugees.csv");
    let mut total = std::fs::read_to_string(&refugees).unwrap();
    total.push_str("2029-01-01,60000\n");
    std::fs::write(refugees, total).unwrap();
    target
}

fn resume(out: &Path) {
    tumen().args(["resume", "-q"]).arg(out).assert().success();
}

/// Asserts that every output of `whole` is in `resumed` with the same bytes (but the timed
/// files), and that the checkpoints are gone.
fn assert_same_outputs(whole: &Path, resumed: &Path) {
    let mut compared = 0;
    for entry in std::fs::read_dir(whole).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if TIMED.contains(&name.as_str()) {
            continue;
        }
        let a = std::fs::read(whole.join(&name)).unwrap();
        let b = std::fs::read(resumed.join(&name))
            .unwrap_or_else(|_| panic!("the resumed run did not write {name}"));
        assert!(a == b, "{name} differs after the resume");
        compared += 1;
    }
    assert!(compared >= 4, "only {compared} files compared");
    assert!(
        !resumed.join("checkpoint").exists(),
        "the checkpoints were not removed"
    );
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(resumed.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["resumed"], true);
}

/// The whole test: the run in one piece, then the run killed and resumed (longer runs when
/// the kill came too late).
fn killed_and_resumed(base: &[&str], days: u32, every: u32) {
    let dir = tempfile::tempdir().unwrap();
    let mut days = days;
    for attempt in 0..3 {
        let days_text = days.to_string();
        let mut args: Vec<&str> = base.to_vec();
        args.extend(["--days", &days_text]);
        let whole = dir.path().join(format!("whole-{attempt}"));
        let resumed = dir.path().join(format!("resumed-{attempt}"));
        if !run_and_kill(&args, every, &resumed) {
            days *= 2;
            continue;
        }
        // The kill came mid-run: replica 0's checkpoint is of a day inside the run.
        let bytes = std::fs::read(resumed.join("checkpoint").join("replica-00000.ckpt")).unwrap();
        let info = tumen_engine::checkpoint::read_info(&bytes).unwrap();
        assert!(
            info.day > 0 && info.day < days && info.day.is_multiple_of(every),
            "checkpoint of day {} in a {days}-day run",
            info.day
        );
        // A kill in the middle of an append leaves part of a day after what the checkpoint
        // counts: the resume must cut it off.
        let journal = resumed.join("checkpoint").join("replica-00000.days");
        let mut bytes = std::fs::read(&journal).unwrap();
        bytes.extend_from_slice(&[7, 1, 2, 3]);
        std::fs::write(&journal, bytes).unwrap();
        resume(&resumed);
        run_whole(&args, &whole);
        // The flagship ships a posterior: the run with checkpoints, and its resume, draw each
        // replica's parameters from it as the run in one piece does (a Flee scenario has none).
        let flagship = !base[0].contains('/');
        assert_eq!(whole.join("parameters.csv").exists(), flagship);
        assert_same_outputs(&whole, &resumed);
        return;
    }
    panic!("the run ended before it could be killed, three times");
}

#[test]
fn a_killed_run_resumed_equals_the_run_in_one_piece_with_the_count_engine() {
    killed_and_resumed(&["--engine", "counts", "--replicas", "1"], 1000, 25);
}

#[test]
fn a_killed_run_resumed_equals_the_run_in_one_piece_with_the_agent_engine() {
    killed_and_resumed(&["--engine", "agents", "--replicas", "1"], 700, 20);
}

#[test]
fn a_killed_ensemble_resumed_equals_the_ensemble_in_one_piece() {
    killed_and_resumed(
        &["--engine", "counts", "--replicas", "3", "--jobs", "2"],
        1000,
        40,
    );
}

#[test]
fn a_killed_flee_run_resumed_equals_the_run_in_one_piece() {
    // A plain Flee scenario takes the single-run path (no ensemble, no mechanisms).
    let dir = tempfile::tempdir().unwrap();
    let scenario = long_flee_scenario(dir.path(), 2400);
    let scenario = scenario.to_str().unwrap();
    killed_and_resumed(&[scenario, "--engine", "agents"], 600, 20);
    killed_and_resumed(&[scenario, "--engine", "counts"], 600, 20);
}

#[test]
fn a_run_that_ends_removes_its_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    run_whole(
        &[
            "--replicas",
            "2",
            "--days",
            "100",
            "--checkpoint-every",
            "30",
        ],
        dir.path(),
    );
    assert!(dir.path().join("out.csv").exists());
    assert!(!dir.path().join("checkpoint").exists());
}

#[test]
fn resume_without_checkpoints_is_a_user_error() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args(["resume"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "has no checkpoints to resume from",
        ))
        .stderr(predicates::str::contains("--checkpoint-every"));
}

#[test]
fn changed_inputs_and_damaged_checkpoints_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("korea-china");
    copy_dir(&flagship_dir(), &scenario);
    let out = dir.path().join("out");
    let args = [
        scenario.to_str().unwrap(),
        "--replicas",
        "1",
        "--engine",
        "counts",
        "--days",
        "3000",
    ];
    assert!(run_and_kill(&args, 20, &out), "the run ended too soon");
    let checkpoint = out.join("checkpoint").join("replica-00000.ckpt");
    let intact = std::fs::read(&checkpoint).unwrap();

    // A damaged checkpoint: one byte changed.
    let mut damaged = intact.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x01;
    std::fs::write(&checkpoint, &damaged).unwrap();
    resume_is_refused(&out, &["replica-00000.ckpt", "truncated or damaged"]);
    std::fs::write(&checkpoint, &intact).unwrap();

    // A damaged journal: one byte changed in the first day (which every checkpoint counts;
    // the file may hold more days than the last checkpoint counts).
    let journal = out.join("checkpoint").join("replica-00000.days");
    let days = std::fs::read(&journal).unwrap();
    let mut damaged = days.clone();
    damaged[3] ^= 0x04;
    std::fs::write(&journal, &damaged).unwrap();
    resume_is_refused(&out, &["replica-00000.days", "do not match the hash"]);
    // A journal cut short (inside its first day).
    std::fs::write(&journal, &days[..10]).unwrap();
    resume_is_refused(&out, &["its checkpoint counts"]);
    std::fs::write(&journal, &days).unwrap();

    // A changed input file.
    let toml = scenario.join("scenario.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n# edited after the run started\n");
    std::fs::write(&toml, text).unwrap();
    resume_is_refused(
        &out,
        &["changed since it started", "rerun it from the start"],
    );
}

/// `tumen resume OUT` exits with 1, and its message contains every one of `needles`.
fn resume_is_refused(out: &std::path::Path, needles: &[&str]) {
    let mut assert = tumen().args(["resume"]).arg(out).assert().code(1);
    for needle in needles {
        assert = assert.stderr(predicates::str::contains(*needle));
    }
}
