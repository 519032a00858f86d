//! Person attributes: sex and origin, carried per person (opt-in per scenario), and the
//! behaviour that depends on them: the female share of the people who appear, detection,
//! voluntary return and asylum by sex, and a "settled with a local family" state that hidden
//! people move into at a rate (by sex), with lower detection and exit rates.
//!
//! Every value is per person per day, as for the other mechanisms, so the count engine splits
//! cohorts by attribute exactly as the agent engine draws person by person.

use crate::ids::LocationId;
use crate::mechanisms::Mechanisms;
use crate::series::Series;
use serde::{Deserialize, Serialize};

/// Most distinct origins a scenario may carry (the agent keeps an origin in 6 bits).
pub const MAX_ORIGINS: usize = 63;

/// The attributes a scenario carries (`[attributes]` of `scenario.toml`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Attributes {
    /// Sex (female or male), drawn when a person appears.
    pub sex: Option<Sex>,
    /// Origin: the location a person appeared at (a push source), or the location a declared
    /// mapping gives for it.
    pub origin: Option<Origins>,
    /// The "settled with a local family" state.
    pub family: Option<Family>,
}

/// Sex at appearance and what it changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sex {
    /// Share of women among the people who appear (a series of probabilities), at every
    /// location not listed in `sources`.
    pub female_share: Series,
    /// Per location (a push source): its own female share.
    pub sources: Vec<(LocationId, Series)>,
    /// Multipliers for women.
    pub female: SexEffects,
    /// Multipliers for men.
    pub male: SexEffects,
}

/// What a person's sex multiplies (all 1 by default).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SexEffects {
    /// The daily probability of being detected (enforcement).
    pub detection: f64,
    /// The daily probability of heading home (voluntary return).
    pub voluntary_return: f64,
    /// The daily probability of setting out for asylum (rate or brokers).
    pub asylum: f64,
    /// The daily probability of moving in with a local family.
    pub family: f64,
}

impl Default for SexEffects {
    fn default() -> Self {
        Self {
            detection: 1.0,
            voluntary_return: 1.0,
            asylum: 1.0,
            family: 1.0,
        }
    }
}

/// Origins: without a mapping, a person's origin is the push source they appeared at.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Origins {
    /// `(where people appear, their origin)`: a declared mapping (several sources may share
    /// an origin).
    pub map: Vec<(LocationId, LocationId)>,
}

/// The "settled with a local family" state: a hidden free person at a location moves in with
/// a family with a daily probability; there they no longer move, are detected less and leave
/// (voluntary return, asylum) less. Detection, a claim, a return or death ends the state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Family {
    /// Daily probability of moving in (times the sex's `family` multiplier).
    pub rate: f64,
    /// Multiplies the daily detection probability while with a family.
    pub detection: f64,
    /// Multiplies the daily probabilities of voluntary return and of setting out for asylum
    /// while with a family.
    pub exit: f64,
}

impl Attributes {
    /// Whether any attribute is carried.
    #[must_use]
    pub fn any(&self) -> bool {
        self.sex.is_some() || self.origin.is_some() || self.family.is_some()
    }

    /// The origins, in order: the (mapped) push sources in `[[push]]` order, then the other
    /// mapped origins in mapping order; each once.
    #[must_use]
    pub fn origin_locations(&self, mechanisms: &Mechanisms) -> Vec<LocationId> {
        let mut out: Vec<LocationId> = Vec::new();
        let Some(origins) = &self.origin else {
            return out;
        };
        let candidates = mechanisms
            .push
            .iter()
            .map(|p| p.location)
            .chain(origins.map.iter().map(|(source, _)| *source));
        for source in candidates {
            if let Some(origin) = self.origin_of(mechanisms, source)
                && !out.contains(&origin)
            {
                out.push(origin);
            }
        }
        out
    }

    /// The origin of a person who appears at `location`: its mapping, else the location
    /// itself when it is a push source; `None` otherwise (or without origins).
    #[must_use]
    pub fn origin_of(&self, mechanisms: &Mechanisms, location: LocationId) -> Option<LocationId> {
        let origins = self.origin.as_ref()?;
        if let Some((_, origin)) = origins.map.iter().find(|(s, _)| *s == location) {
            return Some(*origin);
        }
        mechanisms
            .push
            .iter()
            .any(|p| p.location == location)
            .then_some(location)
    }
}
