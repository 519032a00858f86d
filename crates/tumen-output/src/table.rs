//! The in-memory form of Flee's `out.csv`: one row per day.

use serde::{Deserialize, Serialize};

/// Flee's `out.csv` as data: camp names (column order) and one row per simulated day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FleeTable {
    /// Camps in column order (locations that are camps, in `locations.csv` order).
    pub camps: Vec<String>,
    /// One row per day, day 0 first.
    pub rows: Vec<FleeRow>,
}

/// One row of `out.csv`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FleeRow {
    /// Day number (0-based).
    pub day: u32,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `<camp> sim`: agents at the camp at the end of the day (agents on links excluded).
    pub sim: Vec<u64>,
    /// `<camp> data`: the observed value (interpolated, hasten-scaled, truncated).
    pub data: Vec<i64>,
    /// `<camp> error`: `round(|sim/data − 1|, 4)`, 0 when data is 0.
    pub error: Vec<f64>,
    /// `Total error`: `Σ round(|sim − data|, 4) / raw UNHCR refugee count`.
    pub total_error: f64,
    /// `refugees in camps (UNHCR)`: Σ data.
    pub camps_data_total: i64,
    /// `total refugees (simulation)`: every agent, those on links included.
    pub agents_total: u64,
    /// `raw UNHCR refugee count`: the cumulative observed total.
    pub raw_total: i64,
    /// `refugees in camps (simulation)`: Σ sim.
    pub camps_sim_total: u64,
    /// `refugee_debt`.
    pub debt: i64,
}
