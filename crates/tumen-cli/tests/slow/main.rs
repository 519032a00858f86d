//! The heavier CLI suites, out of the default `cargo test` (issue 14: keep it quick) and run by
//! `scripts/slow-tests` (CI): the flagship's calibration targets over 20 replicas, and runs
//! killed with SIGKILL and resumed from their checkpoints, compared byte for byte.
//!
//! `cargo test -p tumen-cli --features slow-tests --test slow`

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod checkpoint;
mod flagship;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/scenarios")
        .join(name)
}

pub(crate) fn tumen() -> Command {
    let mut command = Command::cargo_bin("tumen").unwrap();
    command.env("TUMEN_NO_PROGRESS", "1");
    command
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
