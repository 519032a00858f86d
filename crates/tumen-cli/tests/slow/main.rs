//! The heavier CLI suites, out of the default `cargo test` (issue 14: keep it quick) and run by
//! `scripts/slow-tests` (CI): the flagship's calibration targets over 20 replicas, and runs
//! killed with SIGKILL and resumed from their checkpoints, compared byte for byte.
//!
//! `cargo test -p tumen-cli --features slow-tests --test slow`

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

#[path = "../common/mod.rs"]
mod common;

mod checkpoint;
mod flagship;
