//! Dated inputs: conflict intensities per day and closures.

use crate::ids::{CountryId, LocationId};
use serde::{Deserialize, Serialize};

/// Conflict intensity per day for the locations named in `conflicts.csv` (row `k` = day `k`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConflictTable {
    /// The columns' locations.
    pub locations: Vec<LocationId>,
    /// `intensity[day][column]`, in [0, 1].
    pub intensity: Vec<Vec<f64>>,
}

impl ConflictTable {
    /// Intensity of column `column` on `day` (0 past the last row).
    #[must_use]
    pub fn at(&self, day: usize, column: usize) -> f64 {
        self.intensity
            .get(day)
            .and_then(|row| row.get(column))
            .copied()
            .unwrap_or(0.0)
    }
}

/// What a closure acts on (`closure_type` of `closures.csv`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClosureScope {
    /// `country`: every link between the two countries, both ways. A country that no location
    /// belongs to is `None` (the closure then closes nothing, as in Flee).
    Country {
        /// First country.
        a: Option<CountryId>,
        /// Second country.
        b: Option<CountryId>,
    },
    /// `location`: every link into and out of the location.
    Location {
        /// The location.
        location: LocationId,
    },
    /// `link`: the links between two locations, both ways (Flee 3.1 closes nothing here; see
    /// the compatibility notes).
    Link {
        /// One end.
        a: LocationId,
        /// The other end.
        b: LocationId,
    },
    /// `camp` / `idpcamp`: the camp becomes a town while closed.
    Camp {
        /// The camp.
        location: LocationId,
        /// `idpcamp` rather than `camp` (which kind it becomes when reopened).
        idp: bool,
    },
    /// `remove_forced_redirection`: flips an attribute without behavioural effect.
    RemoveForcedRedirection {
        /// Start point.
        a: LocationId,
        /// End point.
        b: LocationId,
    },
}

/// One row of `closures.csv`. The closing action happens on `start`, the reopening on `end`
/// (either may lie outside the simulated period, in which case it never happens).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Closure {
    /// What is closed.
    pub scope: ClosureScope,
    /// Day of closing.
    pub start: i64,
    /// Day of reopening.
    pub end: i64,
}

/// Everything dated that a Flee scenario schedules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// `conflicts.csv`.
    pub conflicts: ConflictTable,
    /// `closures.csv`, in file order.
    pub closures: Vec<Closure>,
}
