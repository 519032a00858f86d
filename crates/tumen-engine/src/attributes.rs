//! Person attributes (sex, origin) and the "settled with a local family" state, as the
//! engines see them.
//!
//! Attributes live in the agent's spare byte, so an agent stays 16 bytes and the count
//! engine keys its cohorts by them with no change (the byte is part of a cohort's state):
//! bit 7 is *female* (meaningful only when the scenario carries sex), bit 6 *with a local
//! family* (a hidden free person who moved in with a family: lower detection and exit rates,
//! no moves), bits 0–5 the origin code (0: no origin; `1..=63`: the origin's index + 1).
//! A scenario without `[attributes]` never sets the byte, so it pays nothing but a branch.

use crate::EngineError;
use crate::agents::Agent;
use crate::mechanisms::Status;
use crate::rng::Stream;
use tumen_core::{CATEGORIES, MAX_ORIGINS, Mechanisms, Scenario, Series};

/// Bit of the spare byte: female.
pub(crate) const FEMALE: u8 = 1 << 7;
/// Bit of the spare byte: settled with a local family.
pub(crate) const FAMILY: u8 = 1 << 6;
/// Bits of the spare byte holding the origin code.
pub(crate) const ORIGIN_MASK: u8 = FAMILY - 1;

/// The events counted per sex when the scenario carries sex, in slot order: each is followed
/// by its female and male slots (`crossings_female`, `crossings_male`, …).
pub const SEX_EVENTS: [&str; 3] = ["crossings", "detentions", "asylum_exits"];
pub(crate) const SEX_CROSSING: usize = 0;
pub(crate) const SEX_DETENTION: usize = 1;
pub(crate) const SEX_EXIT: usize = 2;

/// The events counted per origin when the scenario carries origins, in slot order: per
/// origin, `asylum_exits_from@<origin>` then `detentions_from@<origin>`.
pub const ORIGIN_EVENTS: [&str; 2] = ["asylum_exits_from", "detentions_from"];

/// The categories added after [`CATEGORIES`] when the scenario carries sex: the people hiding
/// in an irregular country (`hidden`, `seeking_asylum` and `returning`) by sex.
pub const SEX_CATEGORIES: [&str; 2] = ["hiding_female", "hiding_male"];
/// The event of a hidden person moving in with a local family.
pub(crate) const FAMILY_EVENT: &str = "family_moves";

/// Marks "no slot".
pub(crate) const NO_SLOT: usize = usize::MAX;

/// The attribute tables of a run.
#[derive(Clone, Debug, Default)]
pub(crate) struct AttrModel {
    /// Whether the scenario carries any attribute (otherwise nothing below is read).
    pub active: bool,
    /// Sex is carried.
    pub sex: bool,
    /// The family state is configured.
    pub family: bool,
    /// Per location: the spare byte's origin code of the people who appear there.
    pub origin_code: Vec<u8>,
    /// Number of origins.
    pub origins: usize,
    /// Per location: the female share of the people who appear there.
    pub share: Vec<Series>,
    /// Multipliers indexed by sex (0: male, 1: female).
    pub detection: [f64; 2],
    pub voluntary_return: [f64; 2],
    pub asylum: [f64; 2],
    /// Daily probability of moving in with a family, by sex (without sex both are the rate).
    pub family_rate: [f64; 2],
    /// Multipliers while with a family.
    pub family_detection: f64,
    pub family_exit: f64,
    /// First event slot of the sex events, the family event, the origin events.
    pub sex_event_base: usize,
    pub family_event: usize,
    pub origin_event_base: usize,
    /// Extra category slots: hiding by sex (female, then male), with a family.
    pub hiding_slot: [usize; 2],
    pub family_slot: usize,
    /// Number of extra event and category slots.
    pub extra_events: usize,
    pub extra_categories: usize,
}

/// Index of a person's sex in the per-sex tables (0: male, 1: female).
#[inline]
pub(crate) fn sex_index(spare: u8) -> usize {
    usize::from(spare & FEMALE != 0)
}

impl AttrModel {
    /// The tables of `scenario`; `first_event` is the first event slot after the mechanisms'
    /// own.
    pub(crate) fn new(scenario: &Scenario, first_event: usize) -> Result<Self, EngineError> {
        let mech: &Mechanisms = &scenario.mechanisms;
        let Some(attributes) = &mech.attributes else {
            return Ok(Self::default());
        };
        let n = scenario.network.location_count();
        let origins = attributes.origin_locations(mech);
        if origins.len() > MAX_ORIGINS {
            return Err(EngineError::Settings(format!(
                "at most {MAX_ORIGINS} origins are supported, found {}",
                origins.len()
            )));
        }
        let mut origin_code = vec![0_u8; n];
        if attributes.origin.is_some() {
            for (location, code) in origin_code.iter_mut().enumerate() {
                let id = tumen_core::LocationId::from_index(location);
                if let Some(origin) = attributes.origin_of(mech, id)
                    && let Some(index) = origins.iter().position(|&o| o == origin)
                {
                    *code = u8::try_from(index + 1).unwrap_or(0);
                }
            }
        }
        let mut model = Self {
            active: attributes.any(),
            sex: attributes.sex.is_some(),
            family: attributes.family.is_some(),
            origin_code,
            origins: if attributes.origin.is_some() {
                origins.len()
            } else {
                0
            },
            share: Vec::new(),
            detection: [1.0; 2],
            voluntary_return: [1.0; 2],
            asylum: [1.0; 2],
            family_rate: [0.0; 2],
            family_detection: 1.0,
            family_exit: 1.0,
            sex_event_base: NO_SLOT,
            family_event: NO_SLOT,
            origin_event_base: NO_SLOT,
            hiding_slot: [NO_SLOT; 2],
            family_slot: NO_SLOT,
            extra_events: 0,
            extra_categories: 0,
        };
        let mut family_multiplier = [1.0; 2];
        if let Some(sex) = &attributes.sex {
            model.share = (0..n)
                .map(|location| {
                    let id = tumen_core::LocationId::from_index(location);
                    sex.sources
                        .iter()
                        .find(|(l, _)| *l == id)
                        .map_or_else(|| sex.female_share.clone(), |(_, s)| s.clone())
                })
                .collect();
            for (index, effects) in [&sex.male, &sex.female].into_iter().enumerate() {
                for value in [
                    effects.detection,
                    effects.voluntary_return,
                    effects.asylum,
                    effects.family,
                ] {
                    if !(value >= 0.0 && value.is_finite()) {
                        return Err(EngineError::Settings(format!(
                            "attribute multipliers must be numbers ≥ 0, found {value}"
                        )));
                    }
                }
                model.detection[index] = effects.detection;
                model.voluntary_return[index] = effects.voluntary_return;
                model.asylum[index] = effects.asylum;
                family_multiplier[index] = effects.family;
            }
        }
        if let Some(family) = &attributes.family {
            let multiplier = |m: f64| m >= 0.0 && m.is_finite();
            let valid = (0.0..=1.0).contains(&family.rate)
                && multiplier(family.detection)
                && multiplier(family.exit);
            if !valid {
                return Err(EngineError::Settings(format!(
                    "family: `rate` must be a probability and the multipliers ≥ 0, found {family:?}"
                )));
            }
            model.family_rate = family_multiplier.map(|m| (family.rate * m).clamp(0.0, 1.0));
            model.family_detection = family.detection;
            model.family_exit = family.exit;
        }
        let mut slot = first_event;
        if model.sex {
            model.sex_event_base = slot;
            slot += 2 * SEX_EVENTS.len();
        }
        if model.family {
            model.family_event = slot;
            slot += 1;
        }
        if model.origins > 0 {
            model.origin_event_base = slot;
            slot += ORIGIN_EVENTS.len() * model.origins;
        }
        model.extra_events = slot - first_event;
        let mut category = CATEGORIES.len();
        if model.sex {
            model.hiding_slot = [category + 1, category];
            category += 2;
        }
        if model.family {
            model.family_slot = category;
            category += 1;
        }
        model.extra_categories = category - CATEGORIES.len();
        Ok(model)
    }

    /// The event slot of sex event `kind` (see [`SEX_EVENTS`]) for a person's spare byte.
    #[inline]
    pub(crate) fn sex_slot(&self, kind: usize, spare: u8) -> usize {
        self.sex_event_base + 2 * kind + 1 - sex_index(spare)
    }

    /// The event slot of origin event `kind` (see [`ORIGIN_EVENTS`]) for a person's spare
    /// byte, if the person has an origin.
    #[inline]
    pub(crate) fn origin_slot(&self, kind: usize, spare: u8) -> Option<usize> {
        let code = usize::from(spare & ORIGIN_MASK);
        (self.origins > 0 && code > 0 && code <= self.origins)
            .then(|| self.origin_event_base + ORIGIN_EVENTS.len() * (code - 1) + kind)
    }

    /// What multiplies a person's detection probability.
    #[inline]
    pub(crate) fn detection_factor(&self, spare: u8) -> f64 {
        let family = if spare & FAMILY != 0 {
            self.family_detection
        } else {
            1.0
        };
        self.detection[sex_index(spare)] * family
    }

    /// What multiplies a settled hidden person's voluntary return probability.
    #[inline]
    pub(crate) fn return_factor(&self, spare: u8) -> f64 {
        self.voluntary_return[sex_index(spare)] * self.exit_factor(spare)
    }

    /// What multiplies a settled hidden person's probability of setting out for asylum.
    #[inline]
    pub(crate) fn asylum_factor(&self, spare: u8) -> f64 {
        self.asylum[sex_index(spare)] * self.exit_factor(spare)
    }

    #[inline]
    fn exit_factor(&self, spare: u8) -> f64 {
        if spare & FAMILY != 0 {
            self.family_exit
        } else {
            1.0
        }
    }

    /// The extra category slots of a person whose main category is `category`: hiding by
    /// sex, with a family (`NO_SLOT` for none).
    #[inline]
    pub(crate) fn extra_slots(&self, agent: &Agent, category: usize) -> [usize; 2] {
        let hiding = if self.sex && (1..=3).contains(&category) {
            self.hiding_slot[sex_index(agent.spare)]
        } else {
            NO_SLOT
        };
        let family = if self.family
            && agent.spare & FAMILY != 0
            && agent.status == Status::Free as u8
            && category == 1
        {
            self.family_slot
        } else {
            NO_SLOT
        };
        [hiding, family]
    }

    /// The spare bytes of `count` people who appear at `location` on day `t`, with how many
    /// carry each: split by sex with the location's female share (a binomial draw), all
    /// carrying the location's origin code.
    pub(crate) fn split_new(
        &self,
        location: usize,
        count: u64,
        t: i64,
        rng: &mut Stream,
    ) -> [(u8, u64); 2] {
        let code = self.origin_code.get(location).copied().unwrap_or(0);
        if !self.sex {
            return [(code, count), (code, 0)];
        }
        #[expect(clippy::cast_precision_loss, reason = "day counts are small")]
        let share = self
            .share
            .get(location)
            .map_or(0.5, |s| s.interpolate(t as f64))
            .clamp(0.0, 1.0);
        let female = crate::spawn::binomial(count, share, rng);
        [(code | FEMALE, female), (code, count - female)]
    }
}

/// The names of the extra event slots of a scenario, in slot order (empty without
/// attributes).
#[must_use]
pub fn attribute_event_names(scenario: &Scenario) -> Vec<String> {
    let mech = &scenario.mechanisms;
    let Some(attributes) = &mech.attributes else {
        return Vec::new();
    };
    let mut names = Vec::new();
    if attributes.sex.is_some() {
        for event in SEX_EVENTS {
            names.push(format!("{event}_female"));
            names.push(format!("{event}_male"));
        }
    }
    if attributes.family.is_some() {
        names.push(FAMILY_EVENT.to_owned());
    }
    if attributes.origin.is_some() {
        for origin in attributes.origin_locations(mech) {
            let name = &scenario.network.location(origin).name;
            for event in ORIGIN_EVENTS {
                names.push(format!("{event}@{name}"));
            }
        }
    }
    names
}
