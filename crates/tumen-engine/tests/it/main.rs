//! The engine's integration tests in one binary (one link instead of five): the Flee rules,
//! the seed's mechanisms, the two engines' equivalence, checkpoints and properties.
//! `tests/alloc.rs` stays a binary of its own: it installs a counting global allocator.

mod checkpoint;
mod common;
mod equivalence;
mod mechanisms;
mod properties;
mod rules;
