//! A whole scenario: what the engine needs to run, independent of the file format.

use crate::ids::LocationId;
use crate::mechanisms::Mechanisms;
use crate::network::Network;
use crate::schedule::Schedule;
use crate::series::Observations;
use crate::settings::Settings;
use serde::{Deserialize, Serialize};

/// A scenario ready to run: graph, settings, schedule and data.
#[doc(alias = "Ecosystem")]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// A short name (the directory's name).
    pub name: String,
    /// Day 0.
    pub start_date: jiff::civil::Date,
    /// Number of days to simulate.
    pub days: u32,
    /// Locations and links.
    pub network: Network,
    /// The settings.
    pub settings: Settings,
    /// Conflicts and closures.
    pub schedule: Schedule,
    /// The observed series (spawn driver and validation data).
    pub observations: Observations,
    /// Agents placed on day 0 from `agents.csv` (their locations, in file order).
    pub initial_agents: Vec<LocationId>,
    /// The mechanisms beyond Flee's (all off for a Flee scenario).
    #[serde(default)]
    pub mechanisms: Mechanisms,
}

impl Scenario {
    /// The calendar date of `day`.
    #[must_use]
    pub fn date_of(&self, day: u32) -> jiff::civil::Date {
        self.start_date
            .checked_add(jiff::Span::new().days(i64::from(day)))
            .unwrap_or(self.start_date)
    }
}
