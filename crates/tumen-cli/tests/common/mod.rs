//! Helpers shared by the CLI's test binaries (`it` and `slow`), included by each with
//! `#[path = "../common/mod.rs"] mod common;` (issue 14: one copy instead of one per file).

#![allow(
    dead_code,
    reason = "each test binary uses its own subset of the helpers"
)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A scenario of the project's own test set, `tests/scenarios/<name>`.
pub(crate) fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/scenarios")
        .join(name)
}

/// The `tumen` binary of this build, without a progress bar.
///
/// # Panics
/// When cargo did not build the binary.
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
pub(crate) fn tumen() -> Command {
    let mut command = Command::cargo_bin("tumen").unwrap();
    command.env("TUMEN_NO_PROGRESS", "1");
    command
}

/// Copies the directory `from` into `to` (created), recursively.
///
/// # Panics
/// On any I/O error.
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
pub(crate) fn copy_dir(from: &Path, to: &Path) {
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
