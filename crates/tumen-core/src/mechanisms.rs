//! The seed's system as general mechanisms: legal status, push from origins, enforcement,
//! detention and release, re-crossing, voluntary return, asylum channels with scheduled
//! incidents, policy triggers and aid.
//!
//! Every mechanism is off by default; a scenario whose [`Mechanisms`] is the default behaves
//! exactly like Flee 3.1 (same rules, same random draws). Every probability is **per person per
//! day**, so the count engine draws each mechanism as a binomial or multinomial split of the
//! people who share a state, exactly as the agent engine draws it person by person.
//!
//! Days are scenario days (day 0 is the start date); series are interpolated as Flee
//! interpolates its data ([`Series::value_at`]).

use crate::ids::{CountryId, LinkId, LocationId};
use crate::network::LocationKind;
use crate::series::Series;
use serde::{Deserialize, Serialize};

/// Every mechanism of a scenario beyond Flee's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mechanisms {
    /// Countries where people have no legal status. A person who is free (Flee's ordinary
    /// refugee) at a location of one of these countries, or on a link with an end in one, is
    /// **hidden**: enforcement can detect them, and they may return or seek asylum.
    pub irregular_countries: Vec<CountryId>,
    /// Links used only by people travelling with a goal (to an asylum channel, an exit or
    /// home): Flee's route choice never takes them. Both directions of a route are listed.
    pub channel_links: Vec<LinkId>,
    /// Push from origins. When any is given, it replaces Flee's spawning (the observed
    /// series stay for validation).
    pub push: Vec<Push>,
    /// Police enforcement in the irregular countries.
    pub enforcement: Option<Enforcement>,
    /// Where detected people are held, for how long, and where they are released.
    pub detention: Option<Detention>,
    /// People at home (released or returned) leaving again.
    pub recrossing: Option<Recrossing>,
    /// Hidden people heading home of their own accord.
    pub voluntary_return: Option<VoluntaryReturn>,
    /// Asylum at missions and exits through transit chains.
    pub asylum: Option<Asylum>,
    /// Policy feedback: asylum incidents raising enforcement.
    pub triggers: Vec<Trigger>,
    /// Aid presence per location.
    pub aid: Option<Aid>,
    /// Monthly profiles multiplying push and re-crossing (a frozen river in winter).
    pub seasonality: Option<Seasonality>,
    /// Daily death hazards per category of people.
    pub mortality: Option<Mortality>,
    /// Person attributes (sex, origin) and the behaviour that depends on them.
    pub attributes: Option<crate::attributes::Attributes>,
}

/// The categories people are counted in each day, in slot order (the engine's
/// `DayView::status_counts`). `hidden` is a free person in an irregular country; `queued` a
/// claimant waiting for a channel's decision; `dead` a person who died (no longer anywhere).
pub const CATEGORIES: [&str; 11] = [
    "free",
    "hidden",
    "seeking_asylum",
    "returning",
    "detained",
    "processing",
    "exiting",
    "exited",
    "at_home",
    "queued",
    "dead",
];

/// Monthly seasonal profiles: 12 multipliers, January first, applied on every day of the
/// month (by the calendar date of the scenario day).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Seasonality {
    /// Multiplies the expected push from every origin.
    pub push: Option<[f64; 12]>,
    /// Multiplies the daily re-crossing probability of people at home.
    pub recrossing: Option<[f64; 12]>,
}

/// Mortality: the daily probability that a person of a category dies. Dead people leave
/// every location count; they are counted in the `dead` category and the `deaths` event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mortality {
    /// `(index into [`CATEGORIES`], daily hazard series)`; the categories `exited` and
    /// `dead` are not allowed.
    pub hazards: Vec<(usize, Series)>,
}

impl Mechanisms {
    /// Whether any mechanism beyond Flee's is configured.
    #[must_use]
    pub fn any(&self) -> bool {
        *self != Self::default()
    }
}

/// Daily departures from one origin location.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Push {
    /// Where people appear (they then move by Flee's rules from there).
    pub location: LocationId,
    /// How many per day.
    pub rate: PushRate,
}

/// The expected number of people leaving an origin on a day; the number drawn is Poisson
/// with that mean.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PushRate {
    /// People per day, a series interpolated to days.
    PerDay(Series),
    /// `per_capita × population of the location × intensity(day)` people per day (for
    /// instance a famine index per province and year).
    PerCapita {
        /// People per inhabitant per day at intensity 1.
        per_capita: f64,
        /// Dimensionless intensity series.
        intensity: Series,
    },
}

/// Enforcement: the daily probability that a hidden person is detected is
/// `intensity(region, day) × kind multiplier × situation multiplier`, capped at 1, where the
/// intensity is the region's baseline plus its active campaigns plus the decaying boosts of
/// fired [`Trigger`]s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Enforcement {
    /// Enforcement regions; a hidden person in no region is never detected.
    pub regions: Vec<EnforcementRegion>,
    /// Detection multipliers per kind of location where a settled person is (default 1).
    pub kind_multipliers: Vec<(LocationKind, f64)>,
    /// Multiplier for people staying at a location (default 1).
    pub settled_multiplier: f64,
    /// Multiplier for people travelling on a link (checkpoints, buses; default 1).
    pub travelling_multiplier: f64,
}

impl Enforcement {
    /// The multiplier for a kind of location (1 when not listed).
    #[must_use]
    pub fn kind_multiplier(&self, kind: LocationKind) -> f64 {
        self.kind_multipliers
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(1.0, |(_, m)| *m)
    }
}

/// One enforcement region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnforcementRegion {
    /// Name (used by triggers and in outputs).
    pub name: String,
    /// The locations of the region; a link belongs to the region of its end in an irregular
    /// country (its destination when both are).
    pub locations: Vec<LocationId>,
    /// Baseline daily detection probability (at multipliers 1), per day.
    pub baseline: Series,
    /// Dated campaigns added to the baseline.
    pub campaigns: Vec<Campaign>,
}

/// A dated enforcement campaign: `add` is added to the region's intensity on days
/// `start..=end`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// Name, for outputs.
    pub name: String,
    /// First day.
    pub start: i64,
    /// Last day (inclusive).
    pub end: i64,
    /// Added daily detection probability.
    pub add: f64,
}

/// Detention: a detected person is moved at once to the detention site nearest (great-circle)
/// to where they were caught, held for a duration, then released at the site's release
/// location with the status *at home*.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detention {
    /// Detention sites.
    pub sites: Vec<DetentionSite>,
    /// How long people are held.
    pub duration: DayCount,
}

/// One detention site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetentionSite {
    /// Where people are held.
    pub location: LocationId,
    /// Where they are released.
    pub release: LocationId,
}

/// A number of days, fixed or drawn uniformly.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayCount {
    /// Always this many days (at least 1).
    Fixed(u16),
    /// A whole number of days drawn uniformly from `min..=max` (each at least 1).
    Uniform {
        /// Shortest.
        min: u16,
        /// Longest.
        max: u16,
    },
}

impl DayCount {
    /// The mean number of days.
    #[must_use]
    pub fn mean(self) -> f64 {
        match self {
            Self::Fixed(days) => f64::from(days),
            Self::Uniform { min, max } => (f64::from(min) + f64::from(max)) / 2.0,
        }
    }
}

/// People at home (released from detention, or returned) leave again with a daily
/// probability `rate × intensity(day)` (the intensity defaults to 1). They then move by
/// Flee's rules from where they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recrossing {
    /// Daily probability at intensity 1.
    pub rate: f64,
    /// Optional dimensionless intensity series (for instance the famine index at home).
    pub intensity: Option<Series>,
    /// Optional dated multiplier for people at home after deportation (released from
    /// detention), for instance harsher penalties at home from a date: it multiplies their
    /// daily probability of leaving again. People who came home of their own accord keep the
    /// plain rate.
    pub deported_multiplier: Option<Series>,
}

/// Hidden people who are settled head home with a daily probability
/// `rate × conditions(day) × max(0, 1 − aid damping × aid level where they are)`, capped at 1.
/// They travel to the nearest home location (by road distance), still hidden until they
/// arrive, and are then *at home*.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VoluntaryReturn {
    /// Daily probability at conditions 1 and no aid.
    pub rate: f64,
    /// Optional dimensionless series of conditions at home (higher: more return).
    pub conditions: Option<Series>,
    /// Home locations (in the origin country).
    pub homes: Vec<LocationId>,
}

/// Asylum channels: hidden settled people set out to seek asylum with a daily probability
/// `rate(day)`, choose a channel in proportion to the channels' weights, and travel to it.
/// There the claim succeeds with the channel's probability (then, after the processing delay,
/// they travel to the channel's exit, protected, and are *exited* on arrival) or fails (they
/// are detained as if detected).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Asylum {
    /// Daily probability of setting out, per hidden settled person (with brokers: the base
    /// rate, to which the network term is added).
    pub rate: Series,
    /// Brokers: the rate grows with the number of people already exited, who pay brokers'
    /// fees for their relatives.
    pub brokers: Option<Brokers>,
    /// The channels.
    pub channels: Vec<Channel>,
    /// Scheduled incidents.
    pub incidents: Vec<Incident>,
}

/// A place where asylum is claimed: a mission (embassy, consulate) or a transit point of a
/// third-country pipeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    /// Name, for outputs.
    pub name: String,
    /// Where the claim is made.
    pub location: LocationId,
    /// Where successful claimants go (a destination: they stop moving there).
    pub exit: LocationId,
    /// Relative weight of this channel in a seeker's choice, per day.
    pub weight: Series,
    /// Probability that a claim succeeds.
    pub success: f64,
    /// Days between a successful claim and leaving for the exit.
    pub delay: DayCount,
    /// First day the channel is open (`None`: from the start).
    pub open: Option<i64>,
    /// Last day the channel is open, inclusive (`None`: never closes).
    pub close: Option<i64>,
    /// How many claims the channel decides per day or per month (`None`: every claim is
    /// decided on arrival). Claimants beyond it wait, `queued`, at the channel.
    pub capacity: Option<Capacity>,
    /// What happens to people whose claim fails.
    pub on_failure: Failure,
}

impl Channel {
    /// Whether the channel is open on day `t`.
    #[must_use]
    pub fn open_on(&self, t: i64) -> bool {
        self.open.is_none_or(|open| t >= open) && self.close.is_none_or(|close| t <= close)
    }
}

/// The brokers' network effect on setting out for asylum: on day `t` the daily probability is
/// `rate(t) + per_exited × E`, or with a saturation `S`,
/// `rate(t) + per_exited × E × S / (S + E)`, capped at 1, where `E` is the number of people
/// exited by the start of the day plus `exited_before`. With `per_channel_weight`, the network
/// term is multiplied by `W(t)`, the summed weight of the channels open on day `t` (the people
/// already out pay brokers who work the open routes: opening a channel adds capacity, closing
/// one removes it). Counts are model people (divided by `hasten`; `per_exited` multiplied by
/// it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Brokers {
    /// Added daily probability per person already exited.
    pub per_exited: f64,
    /// Saturation of the network term (people), if any.
    pub saturation: Option<f64>,
    /// People at the destination before day 0.
    pub exited_before: f64,
    /// Whether the network term is per unit of the open channels' summed weight.
    #[serde(default)]
    pub per_channel_weight: bool,
}

impl Brokers {
    /// The network term for `exited` people (before the cap).
    #[must_use]
    pub fn network(&self, exited: f64) -> f64 {
        let e = (exited + self.exited_before).max(0.0);
        match self.saturation {
            Some(s) if s > 0.0 => self.per_exited * e * s / (s + e),
            _ => self.per_exited * e,
        }
    }
}

/// A channel's capacity: whole claims decided per day, or per calendar month (spread over its
/// days). Fractions carry over: the claims decided by the end of day `t` are
/// `floor(Σ_{s ≤ t} c(s))`, with `c(s)` the capacity of day `s` (a month's capacity divided by
/// its number of days).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// Claims per period (model people).
    pub claims: Series,
    /// Whether `claims` is per calendar month (otherwise per day).
    pub per_month: bool,
}

/// What happens to a failed claimant.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Failure {
    /// Detained at the detention site nearest the channel, then released at home (as if
    /// detected).
    #[default]
    Deported,
    /// Sent on to the channel's exit anyway (after the channel's delay), as transit countries
    /// did.
    SentOn,
    /// Held where the claim was made for a duration, then released there (free; hidden again
    /// in an irregular country).
    Detained(DayCount),
}

/// A scheduled incident: on `day`, `size` hidden people of the channel's country (drawn at
/// random among those settled there) reach the channel at once; each claim succeeds with
/// probability `success`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// The day.
    pub day: i64,
    /// Index into [`Asylum::channels`].
    pub channel: usize,
    /// Group size.
    pub size: u64,
    /// Probability that each claim succeeds.
    pub success: f64,
    /// Partial outcome: exactly this many of the group are allowed to leave (a uniformly
    /// random subset; at most `size`); the others fail. `None`: each claim succeeds with
    /// `success`.
    pub allowed: Option<u64>,
    /// What happens to those who fail (`None`: the channel's `on_failure`).
    pub on_failure: Option<Failure>,
    /// A label (for example the mission's name and the source).
    pub label: String,
}

/// Policy feedback: when at least `min_size` people reach the asylum channels located in
/// `country` on one day (incidents and individual seekers together), the intensity of
/// enforcement region `region` rises by `delta` from the next day on, decaying with a
/// half-life of `half_life_days`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    /// A name, for outputs.
    pub name: String,
    /// Whether the trigger is active (a policy comparison switches it off).
    pub enabled: bool,
    /// Smallest number of people on one day that fires the trigger.
    pub min_size: u64,
    /// Country of the channels watched.
    pub country: CountryId,
    /// Index into [`Enforcement::regions`].
    pub region: usize,
    /// Added daily detection probability when fired.
    pub delta: f64,
    /// Half-life of the boost, in days.
    pub half_life_days: f64,
}

/// Aid presence: a level per location over time (0 = none). It multiplies the location's
/// attraction in route choice by `1 + attraction × level` and the daily probability of
/// voluntary return from there by `max(0, 1 − return_damping × level)`. While enforcement is
/// raised above its baseline (campaigns and triggers), the level is multiplied by
/// `max(0, 1 − enforcement_reduction × raise)` (aid workers are targeted in crackdowns).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aid {
    /// Level per location over time.
    pub presence: Vec<(LocationId, Series)>,
    /// Attraction gain per unit of level.
    pub attraction: f64,
    /// Return damping per unit of level.
    pub return_damping: f64,
    /// Reduction per unit of raised enforcement (daily detection probability).
    pub enforcement_reduction: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_brokers_network_term_is_linear_or_saturating() {
        let linear = Brokers {
            per_exited: 1e-6,
            saturation: None,
            exited_before: 100.0,
            per_channel_weight: false,
        };
        assert!((linear.network(900.0) - 1e-3).abs() < 1e-15);
        let saturating = Brokers {
            saturation: Some(1000.0),
            ..linear
        };
        // E = 1000 = S: half of per_exited × E; far above S it tends to per_exited × S.
        assert!((saturating.network(900.0) - 0.5e-3).abs() < 1e-15);
        assert!((saturating.network(1e12) - 1e-3).abs() < 1e-9);
        assert!(saturating.network(1e12) < 1e-3);
    }

    #[test]
    fn a_channel_is_open_from_its_first_to_its_last_day() {
        let channel = Channel {
            name: "c".into(),
            location: LocationId(0),
            exit: LocationId(1),
            weight: Series::constant(1.0),
            success: 1.0,
            delay: DayCount::Fixed(1),
            open: Some(10),
            close: Some(20),
            capacity: None,
            on_failure: Failure::default(),
        };
        assert!(!channel.open_on(9) && channel.open_on(10));
        assert!(channel.open_on(20) && !channel.open_on(21));
        let always = Channel {
            open: None,
            close: None,
            ..channel
        };
        assert!(always.open_on(-5) && always.open_on(100_000));
    }
}
