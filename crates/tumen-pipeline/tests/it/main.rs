//! tumen-pipeline's integration tests, one test binary for the crate (issue 14: every test
//! binary is linked separately, which made linking a large part of `cargo test`).

mod calibrate;
mod pipeline;
mod spread;
