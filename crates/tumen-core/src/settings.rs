//! Simulation settings: Flee's `simsetting.yml`, typed, with Flee 3.1's defaults.
//!
//! Field names follow the YAML keys (`move_rules.max_move_speed` is
//! [`MoveRules::max_move_speed`]), so users can map one to the other by eye.

use serde::{Deserialize, Serialize};

/// All settings of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Settings {
    /// `move_rules`: how agents decide to move and where.
    pub move_rules: MoveRules,
    /// `spawn_rules`: where and when agents appear.
    pub spawn_rules: SpawnRules,
    /// `log_levels`: optional diagnostics.
    pub log_levels: LogLevels,
    /// `optimisations.hasten`: divides populations, capacities and data by this factor.
    pub hasten: u32,
}

/// `move_rules` of `simsetting.yml`. Defaults are Flee 3.1's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoveRules {
    /// `max_move_speed`: km per day on a link (default 360).
    pub max_move_speed: f64,
    /// `max_walk_speed`: km per day when walking (default 35).
    pub max_walk_speed: f64,
    /// `max_crossing_speed`: read, unused (Flee's micro model only).
    pub max_crossing_speed: f64,
    /// `foreign_weight`: score factor of locations in another country (default 1).
    pub foreign_weight: f64,
    /// `camp_weight`: score factor of camps (default 1).
    pub camp_weight: f64,
    /// `conflict_weight`: score base of conflict zones (default 1/sqrt(10)).
    pub conflict_weight: f64,
    /// `conflict_movechance` (default 1).
    pub conflict_movechance: f64,
    /// `camp_movechance` (default 0.001).
    pub camp_movechance: f64,
    /// `idpcamp_movechance` (default 0.1).
    pub idpcamp_movechance: f64,
    /// `default_movechance`: towns (default 0.3).
    pub default_movechance: f64,
    /// `awareness_level`: number of non-marker hops a candidate route may have (1 to 3).
    pub awareness_level: u32,
    /// `capacity_buffer`: occupancy share above which a camp's attraction falls (default 0.9).
    pub capacity_buffer: f64,
    /// `avoid_short_stints`: force a move from towns reached after a short day.
    pub avoid_short_stints: bool,
    /// `start_on_foot`: the first link is walked.
    pub start_on_foot: bool,
    /// `softening`: km added to every route's distance (default 10).
    pub softening: f64,
    /// `weight_softening`: added to every end-point score (default 0).
    pub weight_softening: f64,
    /// `weight_power`: power of the route weight (default 1).
    pub weight_power: f64,
    /// `distance_power`: power of the distance (default 1).
    pub distance_power: f64,
    /// `stay_close_to_home`.
    pub stay_close_to_home: bool,
    /// `home_distance_power` (default 0.5).
    pub home_distance_power: f64,
    /// `use_pop_for_loc_weight` (Flee multiplies by `min(1, pop)`; see the docs).
    pub use_pop_for_loc_weight: bool,
    /// `pop_power_for_loc_weight` (default 0.1).
    pub pop_power_for_loc_weight: f64,
    /// `movechance_pop_base` (default 10000).
    pub movechance_pop_base: f64,
    /// `movechance_pop_scale_factor` (default 0: no population scaling).
    pub movechance_pop_scale_factor: f64,
    /// `capacity_scaling` (later Flee): multiplies every camp capacity (default 1).
    pub capacity_scaling: f64,
}

impl Default for MoveRules {
    fn default() -> Self {
        Self {
            max_move_speed: 360.0,
            max_walk_speed: 35.0,
            max_crossing_speed: 20.0,
            foreign_weight: 1.0,
            camp_weight: 1.0,
            conflict_weight: 1.0 / 3.162_277_660_17,
            conflict_movechance: 1.0,
            camp_movechance: 0.001,
            idpcamp_movechance: 0.1,
            default_movechance: 0.3,
            awareness_level: 1,
            capacity_buffer: 0.9,
            avoid_short_stints: false,
            start_on_foot: false,
            softening: 10.0,
            weight_softening: 0.0,
            weight_power: 1.0,
            distance_power: 1.0,
            stay_close_to_home: false,
            home_distance_power: 0.5,
            use_pop_for_loc_weight: false,
            pop_power_for_loc_weight: 0.1,
            movechance_pop_base: 10_000.0,
            movechance_pop_scale_factor: 0.0,
            capacity_scaling: 1.0,
        }
    }
}

impl MoveRules {
    /// Applies `use_v1_rules: True` as Flee does: speed 200, no walking start, no short-stint
    /// rule, camp weight 2, conflict weight 0.25.
    pub fn apply_v1_rules(&mut self) {
        self.max_move_speed = 200.0;
        self.start_on_foot = false;
        self.avoid_short_stints = false;
        self.camp_weight = 2.0;
        self.conflict_weight = 0.25;
    }
}

/// How agents are spawned on days after day 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum SpawnMode {
    /// Flee's default: the daily increase of the observed total (or of the camps' sum with
    /// `sum_from_camps`), placed at conflict zones by population × intensity × decay.
    #[default]
    DataDriven,
    /// `conflict_driven_spawning` with `spawn_mode: constant`: `int(n × intensity)` per conflict
    /// zone and day.
    Constant {
        /// `displaced_per_conflict_day`.
        displaced_per_conflict_day: f64,
    },
    /// `spawn_mode: pop_ratio`: `int(r × population × intensity)` per conflict zone and day.
    PopRatio {
        /// `displaced_per_conflict_day` (a ratio here).
        displaced_per_conflict_day: f64,
    },
    /// `spawn_mode: poisson`: a Poisson draw with mean `n × intensity` per conflict zone and day.
    Poisson {
        /// `displaced_per_conflict_day`.
        displaced_per_conflict_day: f64,
    },
}

/// `spawn_rules` of `simsetting.yml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpawnRules {
    /// `take_from_population`: each spawned agent lowers its conflict zone's population.
    pub take_from_population: bool,
    /// `insert_day0`: day-0 camp data are placed in the camps; nothing is spawned on day 0.
    pub insert_day0: bool,
    /// `conflict_zone_spawning_only` (Flee spawns only in conflict zones either way).
    pub conflict_zone_spawning_only: bool,
    /// `conflict_spawn_decay`: spawn and score multipliers per interval since conflict onset.
    pub conflict_spawn_decay: Option<Vec<f64>>,
    /// `conflict_spawn_decay_interval` (later Flee; Flee 3.1 uses 30 days).
    pub conflict_spawn_decay_interval: u32,
    /// `sum_from_camps` (later Flee): spawn the daily increase of the camps' sum.
    pub sum_from_camps: bool,
    /// `empty_camps_on_day0` (later Flee): do not insert camp data on day 0.
    pub empty_camps_on_day0: bool,
    /// `read_from_agents_csv_file`: place the agents of `input_csv/agents.csv` on day 0.
    pub read_from_agents_csv_file: bool,
    /// Data-driven or conflict-driven spawning.
    pub mode: SpawnMode,
}

impl Default for SpawnRules {
    fn default() -> Self {
        Self {
            take_from_population: false,
            insert_day0: true,
            conflict_zone_spawning_only: true,
            conflict_spawn_decay: None,
            conflict_spawn_decay_interval: 30,
            sum_from_camps: false,
            empty_camps_on_day0: false,
            read_from_agents_csv_file: false,
            mode: SpawnMode::DataDriven,
        }
    }
}

impl SpawnRules {
    /// The decay multiplier `days_since_onset` days after a conflict started
    /// (1 without `conflict_spawn_decay`).
    #[must_use]
    pub fn conflict_decay(&self, days_since_onset: i64) -> f64 {
        match &self.conflict_spawn_decay {
            None => 1.0,
            Some(list) if list.is_empty() => 1.0,
            Some(list) => {
                let interval = i64::from(self.conflict_spawn_decay_interval.max(1));
                // Python's int() truncates toward zero.
                let block = days_since_onset / interval;
                let index = usize::try_from(block.max(0)).unwrap_or(usize::MAX);
                list[index.min(list.len() - 1)]
            }
        }
    }
}

/// `log_levels` of `simsetting.yml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LogLevels {
    /// `agent`: 1 writes a per-agent log every day.
    pub agent: u32,
    /// `link`: 1 writes cumulative link counts every day.
    pub link: u32,
    /// `camp`: arrival statistics.
    pub camp: u32,
    /// `init`: diagnostics at start.
    pub init: u32,
    /// `conflict`: diagnostics.
    pub conflict: u32,
    /// `idp_totals`: adds a `total IDPs` column to `out.csv`.
    pub idp_totals: u32,
}

impl Settings {
    /// Flee 3.1's defaults (an empty `simsetting.yml`).
    #[must_use]
    pub fn flee_defaults() -> Self {
        Self {
            hasten: 1,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_follows_blocks_and_keeps_the_last_value() {
        let rules = SpawnRules {
            conflict_spawn_decay: Some(vec![1.0, 0.5, 0.25]),
            ..SpawnRules::default()
        };
        assert_eq!(rules.conflict_decay(0), 1.0);
        assert_eq!(rules.conflict_decay(29), 1.0);
        assert_eq!(rules.conflict_decay(30), 0.5);
        assert_eq!(rules.conflict_decay(89), 0.25);
        assert_eq!(rules.conflict_decay(1000), 0.25);
        assert_eq!(SpawnRules::default().conflict_decay(50), 1.0);
    }
}
