//! The loader's integration tests, one binary (one link instead of five): a corpus of bad Flee
//! inputs, the fuzzers' regressions, and the native format on the three examples.

mod bad_inputs;
mod common;
mod fuzz_regressions;
mod native;
mod native_attributes;
mod native_channels;
