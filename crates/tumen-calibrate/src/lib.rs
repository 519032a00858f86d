//! Tumen's statistics core (placeholder docs, rewritten below).

pub mod abc;
pub mod morris;
pub mod params;
pub mod rng;
pub mod score;
pub mod sobol;
