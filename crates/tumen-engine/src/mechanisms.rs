//! The seed's mechanisms as the engines see them: static tables built once per run
//! ([`MechModel`]), the policy state that triggers change ([`PolicyState`]) and the per-day
//! probabilities every person's draws read ([`MechDay`]).
//!
//! A person's status (free, at home, detained, seeking asylum, processing, exiting, exited,
//! returning) is stored in the agent; *hidden* is not stored: a free person is hidden when
//! their place lies in an irregular country.

use crate::EngineError;
use crate::attributes::AttrModel;
use crate::world::great_circle_km;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use tumen_core::{DayCount, Failure, Mechanisms, PushRate, Scenario};

/// Marks "none" in per-location and per-link index tables.
pub(crate) const NONE: u32 = u32::MAX;

/// Where a person stands in the seed's system.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// Flee's ordinary refugee (hidden when in an irregular country).
    Free = 0,
    /// At home after release or return; leaves again only by re-crossing.
    AtHome = 1,
    /// Held at a detention site.
    Detained = 2,
    /// Travelling to an asylum channel.
    SeekingAsylum = 3,
    /// Claim accepted, waiting at the channel.
    Processing = 4,
    /// Travelling to the exit after a successful claim (protected).
    Exiting = 5,
    /// Reached the destination outside the graph: counted, no longer moving.
    Exited = 6,
    /// Travelling home of their own accord (still hidden).
    Returning = 7,
    /// Claim lodged at a channel with a capacity, waiting for the decision there.
    Queued = 8,
    /// Died: no longer anywhere, counted only in the `dead` category.
    Dead = 9,
}

impl Status {
    pub(crate) fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::AtHome,
            2 => Self::Detained,
            3 => Self::SeekingAsylum,
            4 => Self::Processing,
            5 => Self::Exiting,
            6 => Self::Exited,
            7 => Self::Returning,
            8 => Self::Queued,
            9 => Self::Dead,
            _ => Self::Free,
        }
    }
}

/// The categories people are counted in each day ([`crate::DayView::status_counts`]).
pub use tumen_core::CATEGORIES;

/// Index of the `exited` category.
pub(crate) const EXITED: usize = 7;

/// The kinds of events counted each day ([`crate::DayView::events`]); after them come the
/// detentions per enforcement region, then the claims per asylum channel.
pub const EVENTS: [&str; 15] = [
    "crossings",
    "detentions",
    "releases",
    "recrossings",
    "return_departures",
    "returns",
    "asylum_departures",
    "asylum_claims",
    "asylum_failures",
    "asylum_exits",
    "pushed",
    "deaths",
    "asylum_turned_away",
    "asylum_sent_on",
    "asylum_held",
];

pub(crate) const EV_CROSSING: usize = 0;
pub(crate) const EV_DETENTION: usize = 1;
pub(crate) const EV_RELEASE: usize = 2;
pub(crate) const EV_RECROSS: usize = 3;
pub(crate) const EV_RETURN_START: usize = 4;
pub(crate) const EV_RETURN_HOME: usize = 5;
pub(crate) const EV_ASYLUM_START: usize = 6;
pub(crate) const EV_CLAIM: usize = 7;
pub(crate) const EV_FAILED: usize = 8;
pub(crate) const EV_EXIT: usize = 9;
pub(crate) const EV_PUSHED: usize = 10;
pub(crate) const EV_DEATH: usize = 11;
pub(crate) const EV_TURNED_AWAY: usize = 12;
pub(crate) const EV_SENT_ON: usize = 13;
pub(crate) const EV_HELD: usize = 14;

/// In a detained person's route field: held where the claim failed, released there (free).
/// The other bits hold the day of release.
pub(crate) const HELD_HERE: u32 = 1 << 31;
/// In the route field of a person in processing: the bits of the day the wait ends (the
/// channel is in the bits above).
pub(crate) const PROCESSING_DAY_BITS: u32 = 20;
/// The mask of [`PROCESSING_DAY_BITS`].
pub(crate) const PROCESSING_DAY_MASK: u32 = (1 << PROCESSING_DAY_BITS) - 1;
/// In the route field of a person at home: came home deported (released from detention).
pub(crate) const DEPORTED: u32 = 1;

/// Shortest-path next hops towards one target location.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// The target.
    pub(crate) location: u32,
    /// Per location: the link to take next (`NONE` at the target or when unreachable).
    pub(crate) next_link: Vec<u32>,
    /// Per location: road distance to the target in km (infinite when unreachable).
    pub(crate) distance: Vec<f64>,
}

/// Static tables of the mechanisms.
#[derive(Clone, Debug)]
pub(crate) struct MechModel {
    /// Whether any mechanism is configured (otherwise the run is plain Flee).
    pub active: bool,
    /// Per location: in an irregular country.
    pub(crate) irregular: Vec<bool>,
    /// Per link: an end in an irregular country.
    pub(crate) link_irregular: Vec<bool>,
    /// Per link: from a regular to an irregular country (a crossing).
    pub(crate) link_crossing: Vec<bool>,
    /// Per link: a channel link (route choice never takes it).
    pub(crate) channel_link: Vec<bool>,
    /// Per location: enforcement region (`NONE`: none).
    pub(crate) location_region: Vec<u32>,
    /// Per link: enforcement region of its end in an irregular country.
    pub(crate) link_region: Vec<u32>,
    /// Per location: nearest detention site (`NONE` without detention).
    pub(crate) location_site: Vec<u32>,
    /// Per link: nearest detention site to its end in an irregular country.
    pub(crate) link_site: Vec<u32>,
    /// Per site: location and release location.
    pub(crate) site_location: Vec<u32>,
    pub(crate) site_release: Vec<u32>,
    /// Detention duration.
    pub(crate) duration: DayCount,
    /// Goal targets (homes, channels, exits).
    pub(crate) targets: Vec<Target>,
    /// Per location: the target index of the nearest home (`NONE`: no return possible).
    pub(crate) home_target: Vec<u32>,
    /// Per channel: target index of its location, of its exit; success; delay.
    pub(crate) channel_target: Vec<u32>,
    pub(crate) channel_exit_target: Vec<u32>,
    pub(crate) channel_success: Vec<f64>,
    pub(crate) channel_delay: Vec<DayCount>,
    /// Per channel: its location's country.
    pub(crate) channel_country: Vec<u32>,
    /// Per channel: its location.
    pub(crate) channel_locations: Vec<u32>,
    /// Per channel: what happens to failed claimants.
    pub(crate) channel_failure: Vec<Failure>,
    /// Per channel: whether it has a capacity (claimants queue).
    pub(crate) channel_capacity: Vec<bool>,
    /// Per channel with a capacity: the claims it decides on each day of the run.
    pub(crate) channel_quota: Vec<Vec<u64>>,
    /// People released from detention are marked deported (re-crossing reads it).
    pub(crate) mark_deported: bool,
    /// Per day of the run: the calendar month, 0 = January (empty when nothing reads it).
    pub(crate) month: Vec<u8>,
    /// Number of enforcement regions and channels (event layout).
    pub(crate) regions: usize,
    pub(crate) channels: usize,
    /// Person attributes (inactive without `[attributes]`).
    pub(crate) attrs: AttrModel,
}

impl MechModel {
    /// Builds the tables; checks what the loader cannot (reachability is reported, not fatal).
    pub(crate) fn new(scenario: &Scenario) -> Result<Self, EngineError> {
        let mech = &scenario.mechanisms;
        if !mech.any() {
            return Ok(Self::inactive());
        }
        let network = &scenario.network;
        let n = network.location_count();
        let links = network.links.len();
        let irregular: Vec<bool> = network
            .locations
            .iter()
            .map(|l| mech.irregular_countries.contains(&l.country))
            .collect();
        let link_irregular = network
            .links
            .iter()
            .map(|l| irregular[l.from.index()] || irregular[l.to.index()])
            .collect();
        let link_crossing = network
            .links
            .iter()
            .map(|l| !irregular[l.from.index()] && irregular[l.to.index()])
            .collect();
        let mut channel_link = vec![false; links];
        for link in &mech.channel_links {
            if let Some(slot) = channel_link.get_mut(link.index()) {
                *slot = true;
            }
        }
        let mut location_region = vec![NONE; n];
        if let Some(enforcement) = &mech.enforcement {
            for (index, region) in enforcement.regions.iter().enumerate() {
                for location in &region.locations {
                    location_region[location.index()] = index_u32(index);
                }
            }
        }
        // A link's enforcement point: its end in an irregular country (the destination when
        // both are).
        let link_point: Vec<usize> = network
            .links
            .iter()
            .map(|l| {
                if irregular[l.to.index()] {
                    l.to.index()
                } else {
                    l.from.index()
                }
            })
            .collect();
        let link_region = link_point.iter().map(|&p| location_region[p]).collect();
        let (mut site_location, mut site_release) = (Vec::new(), Vec::new());
        let mut duration = DayCount::Fixed(1);
        if let Some(detention) = &mech.detention {
            for site in &detention.sites {
                site_location.push(site.location.0);
                site_release.push(site.release.0);
            }
            duration = detention.duration;
            check_duration(duration, "detention duration")?;
        }
        if mech.enforcement.is_some() && site_location.is_empty() {
            return Err(EngineError::Settings(
                "enforcement is configured but there is no detention site to send detected people to"
                    .into(),
            ));
        }
        let nearest_site = |point: usize| -> u32 {
            let here = &network.locations[point];
            let mut best = (f64::INFINITY, NONE);
            for (index, &site) in site_location.iter().enumerate() {
                let there = &network.locations[site as usize];
                let km = great_circle_km(
                    here.latitude,
                    here.longitude,
                    there.latitude,
                    there.longitude,
                    6371.0,
                );
                if km < best.0 {
                    best = (km, index_u32(index));
                }
            }
            best.1
        };
        let location_site: Vec<u32> = (0..n).map(nearest_site).collect();
        let link_site = link_point.iter().map(|&p| location_site[p]).collect();

        let mut targets: Vec<Target> = Vec::new();
        let target_of = |location: u32, targets: &mut Vec<Target>| -> u32 {
            if let Some(index) = targets.iter().position(|t| t.location == location) {
                return index_u32(index);
            }
            targets.push(shortest_paths_to(scenario, location));
            index_u32(targets.len() - 1)
        };
        let mut home_target = vec![NONE; n];
        if let Some(ret) = &mech.voluntary_return {
            if !(0.0..=1.0).contains(&ret.rate) {
                return Err(EngineError::Settings(format!(
                    "voluntary return rate must be in [0, 1], found {}",
                    ret.rate
                )));
            }
            let homes: Vec<u32> = ret
                .homes
                .iter()
                .map(|h| target_of(h.0, &mut targets))
                .collect();
            for (location, slot) in home_target.iter_mut().enumerate() {
                let mut best = (f64::INFINITY, NONE);
                for &home in &homes {
                    let km = targets[home as usize].distance[location];
                    if km < best.0 {
                        best = (km, home);
                    }
                }
                *slot = best.1;
            }
        }
        let mut channel_target = Vec::new();
        let mut channel_exit_target = Vec::new();
        let mut channel_success = Vec::new();
        let mut channel_delay = Vec::new();
        let mut channel_country = Vec::new();
        let mut channel_locations = Vec::new();
        let mut channel_failure = Vec::new();
        let mut channel_capacity = Vec::new();
        let mut channel_quota = Vec::new();
        let monthly = mech.seasonality.is_some()
            || mech.asylum.as_ref().is_some_and(|a| {
                a.channels
                    .iter()
                    .any(|c| c.capacity.as_ref().is_some_and(|k| k.per_month))
            });
        let month: Vec<u8> = if monthly {
            (0..scenario.days)
                .map(|day| u8::try_from(scenario.date_of(day).month() - 1).unwrap_or(0))
                .collect()
        } else {
            Vec::new()
        };
        if let Some(asylum) = &mech.asylum {
            for channel in &asylum.channels {
                channel_locations.push(channel.location.0);
                channel_target.push(target_of(channel.location.0, &mut targets));
                channel_exit_target.push(target_of(channel.exit.0, &mut targets));
                check_probability(channel.success, &channel.name)?;
                channel_success.push(channel.success);
                check_duration(channel.delay, &channel.name)?;
                channel_delay.push(channel.delay);
                channel_country.push(network.location(channel.location).country.0);
                if let Failure::Detained(duration) = channel.on_failure {
                    check_duration(duration, &channel.name)?;
                }
                channel_failure.push(channel.on_failure);
                channel_capacity.push(channel.capacity.is_some());
                channel_quota.push(
                    channel
                        .capacity
                        .as_ref()
                        .map_or_else(Vec::new, |c| quotas(scenario, c)),
                );
            }
            for incident in &asylum.incidents {
                if incident.channel >= asylum.channels.len() {
                    return Err(EngineError::Settings(format!(
                        "incident `{}` names channel {} of {}",
                        incident.label,
                        incident.channel,
                        asylum.channels.len()
                    )));
                }
                check_probability(incident.success, &incident.label)?;
                if let Some(Failure::Detained(duration)) = incident.on_failure {
                    check_duration(duration, &incident.label)?;
                }
            }
            if let Some(brokers) = &asylum.brokers
                && !(brokers.per_exited >= 0.0
                    && brokers.per_exited.is_finite()
                    && brokers.exited_before >= 0.0
                    && brokers.saturation.is_none_or(|s| s > 0.0))
            {
                return Err(EngineError::Settings(format!(
                    "asylum brokers: `per_exited` and `exited_before` must be ≥ 0 and `saturation` > 0, found {brokers:?}"
                )));
            }
        }
        let regions = mech.enforcement.as_ref().map_or(0, |e| e.regions.len());
        for trigger in &mech.triggers {
            if trigger.region >= regions {
                return Err(EngineError::Settings(format!(
                    "trigger `{}` raises enforcement region {} but there are {regions}",
                    trigger.name, trigger.region
                )));
            }
        }
        for push in &mech.push {
            if let PushRate::PerCapita { per_capita, .. } = push.rate
                && !(per_capita >= 0.0 && per_capita.is_finite())
            {
                return Err(EngineError::Settings(format!(
                    "push per_capita must be a non-negative number, found {per_capita}"
                )));
            }
        }
        let channels = mech.asylum.as_ref().map_or(0, |a| a.channels.len());
        // A person in processing holds the channel and the day the wait ends in one field.
        if channels > 0
            && (channels > 1 << (32 - PROCESSING_DAY_BITS)
                || scenario.days >= PROCESSING_DAY_MASK - u32::from(u16::MAX))
        {
            return Err(EngineError::Settings(format!(
                "asylum channels: at most {} channels over at most {} days, found {channels} channels over {} days",
                1_u32 << (32 - PROCESSING_DAY_BITS),
                PROCESSING_DAY_MASK - u32::from(u16::MAX) - 1,
                scenario.days
            )));
        }
        let attrs = AttrModel::new(scenario, EVENTS.len() + regions + channels)?;
        Ok(Self {
            active: true,
            irregular,
            link_irregular,
            link_crossing,
            channel_link,
            location_region,
            link_region,
            location_site,
            link_site,
            site_location,
            site_release,
            duration,
            targets,
            home_target,
            channel_target,
            channel_exit_target,
            channel_success,
            channel_delay,
            channel_country,
            channel_locations,
            channel_failure,
            channel_capacity,
            channel_quota,
            mark_deported: mech
                .recrossing
                .as_ref()
                .is_some_and(|r| r.deported_multiplier.is_some()),
            month,
            regions,
            channels,
            attrs,
        })
    }

    /// The tables of a plain Flee run.
    fn inactive() -> Self {
        Self {
            active: false,
            irregular: Vec::new(),
            link_irregular: Vec::new(),
            link_crossing: Vec::new(),
            channel_link: Vec::new(),
            location_region: Vec::new(),
            link_region: Vec::new(),
            location_site: Vec::new(),
            link_site: Vec::new(),
            site_location: Vec::new(),
            site_release: Vec::new(),
            duration: DayCount::Fixed(1),
            targets: Vec::new(),
            home_target: Vec::new(),
            channel_target: Vec::new(),
            channel_exit_target: Vec::new(),
            channel_success: Vec::new(),
            channel_delay: Vec::new(),
            channel_country: Vec::new(),
            channel_locations: Vec::new(),
            channel_failure: Vec::new(),
            channel_capacity: Vec::new(),
            channel_quota: Vec::new(),
            mark_deported: false,
            month: Vec::new(),
            regions: 0,
            channels: 0,
            attrs: AttrModel::default(),
        }
    }

    /// Number of event slots: the kinds, then detentions per region, then claims per channel.
    #[must_use]
    pub(crate) fn event_slots(&self) -> usize {
        if self.active {
            EVENTS.len() + self.regions + self.channels + self.attrs.extra_events
        } else {
            0
        }
    }

    /// Number of category slots (0 for a plain Flee run).
    #[must_use]
    pub(crate) fn category_slots(&self) -> usize {
        if self.active {
            CATEGORIES.len() + self.attrs.extra_categories
        } else {
            0
        }
    }

    /// Slot of the detentions in region `region`.
    #[must_use]
    pub(crate) fn region_slot(&self, region: usize) -> usize {
        EVENTS.len() + region
    }

    /// Slot of the claims at channel `channel`.
    #[must_use]
    pub(crate) fn channel_slot(&self, channel: usize) -> usize {
        EVENTS.len() + self.regions + channel
    }

    /// The location of channel `channel`.
    #[must_use]
    pub(crate) fn channel_location(&self, channel: usize) -> u32 {
        self.channel_locations[channel]
    }

    /// The multiplier of a monthly profile on day `t` (1 without a profile).
    pub(crate) fn season(&self, profile: Option<[f64; 12]>, t: i64) -> f64 {
        let Some(profile) = profile else {
            return 1.0;
        };
        let month = usize::try_from(t)
            .ok()
            .and_then(|t| self.month.get(t))
            .map_or(0, |&m| usize::from(m));
        profile[month.min(11)].max(0.0)
    }

    /// Whether a place (location id, or link id with `on_link`) lies in an irregular country.
    #[inline]
    pub(crate) fn place_irregular(&self, index: usize, on_link: bool) -> bool {
        if on_link {
            self.link_irregular[index]
        } else {
            self.irregular[index]
        }
    }
}

/// The claims a channel with capacity decides on each day of the run: whole claims, with
/// fractions carried over (`floor` of the cumulative capacity), a month's capacity spread over
/// its days.
fn quotas(scenario: &Scenario, capacity: &tumen_core::Capacity) -> Vec<u64> {
    let mut cumulative = 0.0_f64;
    let mut decided = 0_u64;
    (0..scenario.days)
        .map(|day| {
            let mut today = capacity.claims.interpolate(f64::from(day)).max(0.0);
            if capacity.per_month {
                today /= f64::from(scenario.date_of(day).days_in_month());
            }
            if today.is_finite() {
                cumulative += today;
            }
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a non-negative count, saturated"
            )]
            let total = cumulative.floor() as u64;
            let quota = total.saturating_sub(decided);
            decided = total.max(decided);
            quota
        })
        .collect()
}

fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(NONE)
}

fn check_probability(p: f64, what: &str) -> Result<(), EngineError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(EngineError::Settings(format!(
            "`{what}`: a probability must be in [0, 1], found {p}"
        )))
    }
}

fn check_duration(duration: DayCount, what: &str) -> Result<(), EngineError> {
    let ok = match duration {
        DayCount::Fixed(days) => days >= 1,
        DayCount::Uniform { min, max } => min >= 1 && min <= max,
    };
    if ok {
        Ok(())
    } else {
        Err(EngineError::Settings(format!(
            "`{what}`: a duration must be at least 1 day (and min ≤ max), found {duration:?}"
        )))
    }
}

/// Dijkstra on the reversed graph: for every location, the next link towards `target` and the
/// road distance. Every link counts, channel links included; ties go to the link listed first.
fn shortest_paths_to(scenario: &Scenario, target: u32) -> Target {
    let network = &scenario.network;
    let n = network.location_count();
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (index, link) in network.links.iter().enumerate() {
        incoming[link.to.index()].push(index);
    }
    let mut distance = vec![f64::INFINITY; n];
    let mut next_link = vec![NONE; n];
    let mut heap = BinaryHeap::new();
    distance[target as usize] = 0.0;
    heap.push(Reverse((Ordered(0.0), target as usize)));
    while let Some(Reverse((Ordered(d), at))) = heap.pop() {
        if d > distance[at] {
            continue;
        }
        for &link in &incoming[at] {
            let from = network.links[link].from.index();
            let candidate = d + network.links[link].distance_km.max(0.0);
            if candidate < distance[from] {
                distance[from] = candidate;
                next_link[from] = index_u32(link);
                heap.push(Reverse((Ordered(candidate), from)));
            }
        }
    }
    Target {
        location: target,
        next_link,
        distance,
    }
}

/// A total order on distances (never NaN here).
#[derive(Copy, Clone, Debug, PartialEq)]
struct Ordered(f64);

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A group decided at once: brought to a channel by a scheduled incident, or drawn from the
/// claimants queued at a channel with a capacity.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Group {
    /// How many people.
    pub(crate) size: u64,
    /// Index of the channel.
    pub(crate) channel: usize,
    /// Probability that each claim succeeds.
    pub(crate) success: f64,
    /// Exactly this many of the group succeed (a uniformly random subset), if given.
    pub(crate) allowed: Option<u64>,
    /// What happens to those who fail.
    pub(crate) failure: Failure,
    /// Brought to the channel and counted as claims (an incident); otherwise already queued
    /// there, counted on arrival.
    pub(crate) bring: bool,
}

/// A fired trigger: its boost decays from the day after it fired.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fired {
    /// Which trigger.
    pub trigger: usize,
    /// The day it fired.
    pub day: u32,
    /// People at the channels that day.
    pub people: u64,
}

/// The policy state: triggers fired so far.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct PolicyState {
    /// Every firing, in order.
    pub fired: Vec<Fired>,
}

impl PolicyState {
    /// Enforcement raised above the baseline in `region` on day `t` (campaigns and boosts).
    pub(crate) fn raise(&self, mech: &Mechanisms, region: usize, t: i64) -> f64 {
        let Some(enforcement) = &mech.enforcement else {
            return 0.0;
        };
        let mut raise = 0.0;
        for campaign in &enforcement.regions[region].campaigns {
            if (campaign.start..=campaign.end).contains(&t) {
                raise += campaign.add;
            }
        }
        for fired in &self.fired {
            let trigger = &mech.triggers[fired.trigger];
            let since = t - i64::from(fired.day);
            if trigger.region == region && since >= 1 {
                #[expect(clippy::cast_precision_loss, reason = "day counts are small")]
                let age = (since - 1) as f64;
                raise += trigger.delta * 0.5_f64.powf(age / trigger.half_life_days.max(1e-9));
            }
        }
        raise
    }
}

/// The probabilities of one day.
#[derive(Clone, Debug, Default)]
pub(crate) struct MechDay {
    /// Per location: daily detection probability of a settled hidden person.
    pub detect_settled: Vec<f64>,
    /// Per link: daily detection probability of a hidden person travelling on it.
    pub detect_travel: Vec<f64>,
    /// Per location: daily probability that a settled hidden person heads home.
    pub return_chance: Vec<f64>,
    /// Per location: aid level after enforcement reduction.
    pub aid: Vec<f64>,
    /// Daily probability that a settled hidden person sets out for asylum.
    pub asylum_chance: f64,
    /// Channel weights today.
    pub channel_weight: Vec<f64>,
    /// Daily probability that a person at home leaves again.
    pub recross_chance: f64,
    /// Enforcement intensity per region today (for outputs).
    pub intensity: Vec<f64>,
    /// Enforcement raised above the baseline per region today (campaigns and triggers).
    pub raise: Vec<f64>,
    /// Daily probability that a person at home after deportation leaves again.
    pub recross_deported: f64,
    /// Per category: daily death hazard (empty without mortality).
    pub death: Vec<f64>,
    /// Per channel: open today.
    pub channel_open: Vec<bool>,
    /// The day these tables are for (detention and processing end on a day: see
    /// [`MechDay::waiting`]).
    pub day: u32,
}

impl MechDay {
    /// Whether `agent` is detained or in processing and their time there does not end
    /// today: they stay as they are (only mortality, if any, draws for them).
    #[inline]
    pub(crate) fn waiting(&self, agent: &crate::agents::Agent) -> bool {
        if agent.status == Status::Detained as u8 {
            agent.route & !HELD_HERE > self.day
        } else if agent.status == Status::Processing as u8 {
            agent.route & PROCESSING_DAY_MASK > self.day
        } else {
            false
        }
    }

    /// Whether people of `category` may die today (mortality draws for them).
    #[inline]
    pub(crate) fn may_die(&self, category: usize) -> bool {
        self.death.get(category).is_some_and(|&hazard| hazard > 0.0)
    }

    /// The day on which a stay of `days` days that starts today ends (at least tomorrow).
    #[inline]
    pub(crate) fn ends_on(&self, days: u16) -> u32 {
        self.day + u32::from(days.max(1))
    }

    /// Computes the day's probabilities.
    pub(crate) fn refresh(
        &mut self,
        scenario: &Scenario,
        model: &MechModel,
        policy: &PolicyState,
        t: i64,
        exited: u64,
    ) {
        let mech = &scenario.mechanisms;
        let network = &scenario.network;
        let n = network.location_count();
        self.day = u32::try_from(t).unwrap_or(0);
        #[expect(clippy::cast_precision_loss, reason = "day counts are small")]
        let day = t as f64;
        self.intensity.clear();
        self.raise.clear();
        if let Some(enforcement) = &mech.enforcement {
            for (index, region) in enforcement.regions.iter().enumerate() {
                let r = policy.raise(mech, index, t);
                self.raise.push(r);
                self.intensity
                    .push((region.baseline.interpolate(day) + r).max(0.0));
            }
        }
        self.aid.clear();
        self.aid.resize(n, 0.0);
        if let Some(aid) = &mech.aid {
            for (location, level) in &aid.presence {
                let region = model.location_region[location.index()];
                let reduction = if region == NONE {
                    1.0
                } else {
                    (1.0 - aid.enforcement_reduction * self.raise[region as usize]).max(0.0)
                };
                self.aid[location.index()] = level.interpolate(day).max(0.0) * reduction;
            }
        }
        self.detect_settled.clear();
        self.detect_settled.resize(n, 0.0);
        self.detect_travel.clear();
        self.detect_travel.resize(network.links.len(), 0.0);
        if let Some(enforcement) = &mech.enforcement {
            for (index, location) in network.locations.iter().enumerate() {
                let region = model.location_region[index];
                if model.irregular[index] && region != NONE {
                    self.detect_settled[index] = (self.intensity[region as usize]
                        * enforcement.kind_multiplier(location.kind)
                        * enforcement.settled_multiplier)
                        .clamp(0.0, 1.0);
                }
            }
            for (index, &region) in model.link_region.iter().enumerate() {
                if model.link_irregular[index] && region != NONE {
                    self.detect_travel[index] = (self.intensity[region as usize]
                        * enforcement.travelling_multiplier)
                        .clamp(0.0, 1.0);
                }
            }
        }
        self.return_chance.clear();
        self.return_chance.resize(n, 0.0);
        if let Some(ret) = &mech.voluntary_return {
            let conditions = ret.conditions.as_ref().map_or(1.0, |s| s.interpolate(day));
            let damping = mech.aid.as_ref().map_or(0.0, |a| a.return_damping);
            for index in 0..n {
                if model.irregular[index] && model.home_target[index] != NONE {
                    self.return_chance[index] = (ret.rate
                        * conditions.max(0.0)
                        * (1.0 - damping * self.aid[index]).max(0.0))
                    .clamp(0.0, 1.0);
                }
            }
        }
        self.channel_weight.clear();
        self.channel_open.clear();
        self.asylum_chance = 0.0;
        if let Some(asylum) = &mech.asylum {
            for channel in &asylum.channels {
                let open = channel.open_on(t);
                self.channel_open.push(open);
                self.channel_weight.push(if open {
                    channel.weight.interpolate(day).max(0.0)
                } else {
                    0.0
                });
            }
            let open_weight = self.channel_weight.iter().sum::<f64>();
            let mut rate = asylum.rate.interpolate(day);
            if let Some(brokers) = &asylum.brokers {
                #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
                let exited = exited as f64;
                let network = brokers.network(exited);
                rate += if brokers.per_channel_weight {
                    network * open_weight
                } else {
                    network
                };
            }
            self.asylum_chance = if rate.is_nan() || open_weight <= 0.0 {
                0.0
            } else {
                rate.clamp(0.0, 1.0)
            };
        }
        let season = model.season(mech.seasonality.as_ref().and_then(|s| s.recrossing), t);
        self.recross_chance = mech.recrossing.as_ref().map_or(0.0, |r| {
            let intensity = r.intensity.as_ref().map_or(1.0, |s| s.interpolate(day));
            (r.rate * intensity * season).clamp(0.0, 1.0)
        });
        self.recross_deported = mech.recrossing.as_ref().map_or(0.0, |r| {
            let multiplier = r
                .deported_multiplier
                .as_ref()
                .map_or(1.0, |s| s.interpolate(day).max(0.0));
            (self.recross_chance * multiplier).clamp(0.0, 1.0)
        });
        self.death.clear();
        if let Some(mortality) = &mech.mortality {
            self.death.resize(CATEGORIES.len(), 0.0);
            for (category, hazard) in &mortality.hazards {
                if let Some(slot) = self.death.get_mut(*category) {
                    *slot = hazard.interpolate(day).clamp(0.0, 1.0);
                }
            }
            // The dead and the exited never die (again).
            self.death[EXITED] = 0.0;
            self.death[CATEGORIES.len() - 1] = 0.0;
        }
    }
}

/// The expected number of people pushed from `push` on day `t`.
pub(crate) fn push_mean(scenario: &Scenario, push: &tumen_core::Push, t: i64) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "day counts are small")]
    let day = t as f64;
    let mean = match &push.rate {
        PushRate::PerDay(series) => series.interpolate(day),
        PushRate::PerCapita {
            per_capita,
            intensity,
        } => {
            #[expect(clippy::cast_precision_loss, reason = "populations are far below 2^53")]
            let population = scenario.network.location(push.location).population as f64;
            per_capita * population * intensity.interpolate(day)
        }
    };
    if mean.is_finite() { mean.max(0.0) } else { 0.0 }
}

/// The seasonal multiplier of push on day `t`.
pub(crate) fn push_season(scenario: &Scenario, model: &MechModel, t: i64) -> f64 {
    model.season(
        scenario
            .mechanisms
            .seasonality
            .as_ref()
            .and_then(|s| s.push),
        t,
    )
}
