//! One day of a group of identical people: Flee's `evolve` and `finish_travel`, written once
//! for both engines.
//!
//! The process takes an agent state and a number `n` of people in that state. Every random
//! decision splits the group: a move draw becomes a binomial split, a route choice a
//! multinomial split over the candidate routes, a walk draw another binomial. Each outcome is
//! followed to the end of the day and emitted with its count. The agent engine calls it with
//! `n = 1` (each split is one uniform draw); the count engine with the size of a cohort. Since
//! people decide independently given the day's tables, both give the same distribution.
//!
//! Flee runs a day in two phases: every settled agent evolves (decides, departs), then every
//! travelling agent finishes its travel (arrives, evolves again after a short day). The process
//! offers the whole day at once ([`DayProcess::day`], used when no location has a capacity, so
//! that no decision depends on other people's moves) or the two phases separately
//! ([`DayProcess::depart`] and [`DayProcess::travel_day`]), which the engines run batch by batch
//! with the capacity tables refreshed in between (see `Simulation::step`).

use crate::agents::{
    ARRIVED, Agent, DEAD_PLACE, HOP_BITS, HOP_MASK, NO_ROUTE, ON_LINK, PLACE_MASK, SENT_BACK,
};
use crate::attributes::{FAMILY, SEX_CROSSING, SEX_DETENTION, SEX_EXIT, sex_index};
use crate::mechanisms::{
    DEPORTED, EV_ASYLUM_START, EV_CLAIM, EV_CROSSING, EV_DEATH, EV_DETENTION, EV_EXIT, EV_FAILED,
    EV_HELD, EV_RECROSS, EV_RELEASE, EV_RETURN_HOME, EV_RETURN_START, EV_SENT_ON, EV_TURNED_AWAY,
    Group, HELD_HERE, MechDay, MechModel, NONE, PROCESSING_DAY_BITS, Status,
};
use crate::rng::{Stream, uniform};
use crate::spawn::binomial_small_mean as binomial;
use crate::world::{DayTables, Model};
use tumen_core::{DayCount, Failure};

/// How many of a group of claimants succeed.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Decision {
    /// Each with this probability.
    Probability(f64),
    /// Exactly this many (drawn by the engine as a uniformly random subset).
    Accept(u64),
}

/// The rules of one day, with everything they read.
#[derive(Clone, Copy)]
pub(crate) struct DayProcess<'a> {
    model: &'a Model,
    tables: &'a DayTables,
    max_move_speed: f64,
    walk_speed: f64,
    start_on_foot: bool,
    avoid_short_stints: bool,
    /// First phase only: departures are emitted instead of travelled.
    stop_at_departure: bool,
    /// The mechanisms' tables, and today's probabilities.
    mech: &'a MechModel,
    mday: &'a MechDay,
}

/// Where the process puts the end states of a group.
pub(crate) trait Sink {
    /// `n` people end the day in state `agent`.
    fn settled(&mut self, agent: Agent, n: u64);
    /// `n` people departed in the first phase and are now on a link (their travel comes in
    /// the second phase).
    fn departed(&mut self, agent: Agent, n: u64);
    /// `n` events of slot `slot` happened (see [`crate::mechanisms::EVENTS`]).
    fn event(&mut self, slot: usize, n: u64);
}

/// Resolution of Flee's `recent_travel_distance` (a daily-halving average of the share of a
/// day's maximum distance travelled): values are kept on a grid of 1/64. The average only
/// matters through `(recent + moved / max_move_speed) / 2 < 0.5`, so the rounding changes a
/// decision only within 1/128 of that threshold, while it lets people with the same recent
/// history share one state: without it every person who ever travelled carries a distinct
/// value for ~150 days, and the count engine degenerates to one cohort per person.
const RECENT_STEPS: f64 = 64.0;

/// How many of `n` people succeed at a trial of probability `p`.
#[inline]
pub(crate) fn split(n: u64, p: f64, rng: &mut Stream) -> u64 {
    if n == 1 {
        u64::from(uniform(rng) < p)
    } else if p <= 0.0 {
        0
    } else if p >= 1.0 {
        n
    } else {
        binomial(n, p, rng)
    }
}

impl<'a> DayProcess<'a> {
    pub(crate) fn new(model: &'a Model, tables: &'a DayTables) -> Self {
        let rules = &model.settings().move_rules;
        Self {
            model,
            tables,
            max_move_speed: rules.max_move_speed,
            walk_speed: rules.max_walk_speed,
            start_on_foot: rules.start_on_foot,
            avoid_short_stints: rules.avoid_short_stints,
            stop_at_departure: false,
            mech: &model.mech,
            mday: &tables.mech,
        }
    }

    /// The first phase: settled people evolve; departures are emitted, not travelled.
    #[inline]
    pub(crate) fn depart<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        let first_phase = DayProcess {
            stop_at_departure: true,
            ..*self
        };
        if self.mech.active {
            first_phase.start(agent, n, rng, out);
        } else {
            first_phase.evolve(agent, n, false, 0.0, rng, out);
        }
    }

    /// The second phase for people on a link: travel, arrive, evolve again after a short day.
    #[inline]
    pub(crate) fn travel_day<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        if agent.status == Status::Free as u8 {
            self.travel(agent, n, 0.0, rng, out);
        } else {
            self.goal_advance(agent, n, 0.0, rng, out);
        }
    }

    /// Runs one day for `n` people in state `agent` and emits every end state with its count.
    #[inline]
    pub(crate) fn day<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        if self.mech.active {
            self.start(agent, n, rng, out);
        } else if agent.place & ON_LINK == 0 {
            self.evolve(agent, n, false, 0.0, rng, out);
        } else {
            self.travel(agent, n, 0.0, rng, out);
        }
    }

    /// Flee's `Person.evolve` at a location. Inlined: most people stay, and their day ends
    /// here; the movers continue in [`DayProcess::evolve_movers`].
    #[inline]
    fn evolve<S: Sink>(
        &self,
        agent: Agent,
        n: u64,
        force_town_move: bool,
        moved: f64,
        rng: &mut Stream,
        out: &mut S,
    ) {
        let location = (agent.place & PLACE_MASK) as usize;
        let chance = if force_town_move && self.tables.town[location] {
            1.0
        } else {
            self.tables.move_chance[location]
        };
        let movers = split(n, chance, rng);
        if movers < n {
            self.finish(agent, n - movers, moved, out);
        }
        if movers == 0 {
            return;
        }
        self.evolve_movers(agent, movers, moved, rng, out);
    }

    /// The rest of `evolve` for the `movers` who decided to move: follow the route, or choose
    /// one.
    #[inline(never)]
    fn evolve_movers<S: Sink>(
        &self,
        agent: Agent,
        movers: u64,
        moved: f64,
        rng: &mut Stream,
        out: &mut S,
    ) {
        let location = (agent.place & PLACE_MASK) as usize;
        if agent.route != NO_ROUTE {
            self.take_step(agent, movers, moved, rng, out);
            return;
        }
        if movers == 1 {
            match self.tables.choose_route(self.model, location, uniform(rng)) {
                Some(candidate) => self.take_step(with_route(agent, candidate), 1, moved, rng, out),
                None => self.finish(agent, 1, moved, out),
            }
            return;
        }
        // A multinomial split of the movers over the candidate routes, by conditional
        // binomials (uniform over the valid candidates when every weight is 0).
        let routes = &self.model.routes;
        let start = routes.first_candidate[location] as usize;
        let end = routes.first_candidate[location + 1] as usize;
        let total = self.tables.route_total[location];
        let mut remaining = movers;
        if total > 0.0 {
            // Conditional binomials with the day's conditional probabilities; the last
            // candidate with weight has probability 1 (it takes the rest, with no draw).
            for candidate in start..end {
                let conditional = self.tables.candidate_conditional[candidate];
                if conditional < 0.0 {
                    continue;
                }
                if remaining == 0 {
                    break;
                }
                let count = binomial(remaining, conditional, rng);
                remaining -= count;
                if count > 0 {
                    let id = u32::try_from(candidate).unwrap_or(u32::MAX >> HOP_BITS);
                    self.take_step(with_route(agent, id), count, moved, rng, out);
                }
            }
        } else {
            let mut valid_left = u64::from(self.tables.valid_routes[location]);
            for candidate in start..end {
                if !self.tables.candidate_valid[candidate] || remaining == 0 {
                    continue;
                }
                #[expect(clippy::cast_precision_loss, reason = "route counts are small")]
                let count = if valid_left == 1 {
                    remaining
                } else {
                    binomial(remaining, 1.0 / valid_left as f64, rng)
                };
                valid_left -= 1;
                remaining -= count;
                if count > 0 {
                    let id = u32::try_from(candidate).unwrap_or(u32::MAX >> HOP_BITS);
                    self.take_step(with_route(agent, id), count, moved, rng, out);
                }
            }
        }
        if remaining > 0 {
            // No valid candidate: the movers stay.
            self.finish(agent, remaining, moved, out);
        }
    }

    /// Flee's `take_next_step` and `handle_travel`: follow the route's next link if it is open
    /// and the route's final camp is not full; otherwise drop the route and stay.
    fn take_step<S: Sink>(
        &self,
        mut agent: Agent,
        n: u64,
        moved: f64,
        rng: &mut Stream,
        out: &mut S,
    ) {
        let location = (agent.place & PLACE_MASK) as usize;
        let candidate = (agent.route >> HOP_BITS) as usize;
        let hop = (agent.route & HOP_MASK) as usize;
        let routes = &self.model.routes;
        let hop_index = routes.candidate_start[candidate] as usize + hop;
        if hop_index >= routes.candidate_start[candidate + 1] as usize {
            agent.route = NO_ROUTE;
            self.finish(agent, n, moved, out);
            return;
        }
        // The link resolved for the day, unless the person is not where the path expects
        // (sent back to the start of a closed link), then searched as Flee does.
        let resolved = if self.model.candidate_hop_from[hop_index] as usize == location {
            self.tables.hop_link[hop_index]
        } else {
            let wanted = self.model.link_to[routes.candidate_links[hop_index].index()];
            let network = &self.model.scenario.network;
            let start = network.first_link[location] as usize;
            let end = network.first_link[location + 1] as usize;
            (start..end)
                .find(|&l| self.model.link_to[l] == wanted && self.tables.link_open[l])
                .map_or(u32::MAX, |l| u32::try_from(l).unwrap_or(u32::MAX))
        };
        if resolved == u32::MAX {
            agent.route = NO_ROUTE;
            self.finish(agent, n, moved, out);
            return;
        }
        let link = resolved as usize;
        if self.tables.full_camp[routes.candidate_end[candidate].index()] {
            agent.route = NO_ROUTE;
            self.finish(agent, n, moved, out);
            return;
        }
        agent.route = if hop_index + 1 >= routes.candidate_start[candidate + 1] as usize {
            NO_ROUTE
        } else {
            agent.route + 1
        };
        agent.km_on_link = 0.0;
        agent.place = (agent.place & ARRIVED) | ON_LINK | u32::try_from(link).unwrap_or(PLACE_MASK);
        if self.stop_at_departure {
            out.departed(agent, n);
        } else {
            self.travel(agent, n, moved, rng, out);
        }
    }

    /// Flee's `finish_travel`: the day's km on the link (walking for some), then arrival.
    fn travel<S: Sink>(&self, agent: Agent, n: u64, moved: f64, rng: &mut Stream, out: &mut S) {
        let link = (agent.place & PLACE_MASK) as usize;
        let mut speed = self.model.link_speed[link];
        if self.start_on_foot && agent.place & ARRIVED == 0 {
            speed = self.walk_speed;
        }
        let walk_probability = self.model.link_walk_probability[link];
        if walk_probability > 0.0 {
            let walkers = split(n, walk_probability, rng);
            if walkers > 0 {
                self.advance(agent, walkers, moved, self.walk_speed, rng, out);
            }
            if walkers < n {
                self.advance(agent, n - walkers, moved, speed, rng, out);
            }
        } else {
            self.advance(agent, n, moved, speed, rng, out);
        }
    }

    /// Moves along the link at `speed`; on arrival after a short day, evolves again.
    fn advance<S: Sink>(
        &self,
        mut agent: Agent,
        n: u64,
        mut moved: f64,
        speed: f64,
        rng: &mut Stream,
        out: &mut S,
    ) {
        let link = (agent.place & PLACE_MASK) as usize;
        let km = f64::from(agent.km_on_link) + speed;
        moved += speed;
        let distance = self.model.link_km[link];
        if km <= distance {
            #[expect(clippy::cast_possible_truncation, reason = "km fit in f32")]
            let stored = km as f32;
            agent.km_on_link = stored;
            self.finish(agent, n, moved, out);
            return;
        }
        moved += distance - km;
        agent.km_on_link = 0.0;
        if agent.place & SENT_BACK != 0 {
            agent.place = self.model.link_from[link] | ARRIVED;
            self.finish(agent, n, moved, out);
            return;
        }
        agent.place = self.model.link_to[link] | ARRIVED;
        if self.mech.active && self.mech.link_crossing[link] {
            out.event(EV_CROSSING, n);
            if self.mech.attrs.sex {
                out.event(self.mech.attrs.sex_slot(SEX_CROSSING, agent.spare), n);
            }
        }
        if moved >= speed {
            self.finish(agent, n, moved, out);
            return;
        }
        let force_town_move = self.avoid_short_stints
            && (f64::from(agent.recent) / RECENT_STEPS + moved / self.max_move_speed) / 2.0 < 0.5;
        self.evolve(agent, n, force_town_move, moved, rng, out);
    }

    /// End of the day: update the recent-travel average (kept at 0 when no rule reads it, so
    /// that identical people stay identical) and emit.
    #[inline]
    fn finish<S: Sink>(&self, mut agent: Agent, n: u64, moved: f64, out: &mut S) {
        agent.recent = if self.avoid_short_stints {
            let steps = (f64::from(agent.recent) / RECENT_STEPS + moved / self.max_move_speed)
                / 2.0
                * RECENT_STEPS;
            round_steps(steps)
        } else {
            0
        };
        out.settled(agent, n);
    }
}

/// `x.round_ties_even()` as a `u16`, saturated (0 for NaN and negative values), without the
/// library call that `f64` rounding is on the baseline x86-64 target, and without a branch
/// (the rounding branch was mispredicted for most people at the end of every day). Adding and
/// subtracting 2^52 rounds any `0 ≤ x < 2^52` to the nearest integer with ties to even, as
/// IEEE 754 addition does in the default rounding mode; larger values are integers already.
///
/// Ties go to the even step so that the average of a person who stays put decays to 0 as
/// Flee's does (1 step halves to ½, which rounds to 0); rounding ties away from zero kept
/// it at 1/64 for ever, moving the short-stint threshold by 6 km and keeping settled
/// people who had travelled in a state apart from those who never had.
#[inline]
fn round_steps(x: f64) -> u16 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let rounded = if x < TWO_52 { (x + TWO_52) - TWO_52 } else { x };
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a saturating conversion is the intent (NaN gives 0)"
    )]
    let steps = rounded as u16;
    steps
}

#[inline]
fn with_route(mut agent: Agent, candidate: u32) -> Agent {
    agent.route = candidate << HOP_BITS;
    agent
}

/// The seed's mechanisms (see `mechanisms.rs`): every person's start-of-day draws, travel with
/// a goal, and the outcomes on arrival.
impl DayProcess<'_> {
    /// A person's day when mechanisms are active: the start-of-day draws of their status, then
    /// Flee's moves or travel towards their goal. In the first phase (`stop_at_departure`),
    /// people already on a link only take their draws; their travel comes in the second phase.
    fn start<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        let on_link = agent.place & ON_LINK != 0;
        let index = (agent.place & PLACE_MASK) as usize;
        let mut n = n;
        if !self.mday.death.is_empty() {
            // Mortality first: a daily hazard by category (no draw where it is 0).
            let hazard = self.mday.death[self.model.category(&agent)];
            if hazard > 0.0 {
                let dead = split(n, hazard, rng);
                if dead > 0 {
                    out.event(EV_DEATH, dead);
                    out.settled(dead_agent(), dead);
                    n -= dead;
                    if n == 0 {
                        return;
                    }
                }
            }
        }
        match Status::from_u8(agent.status) {
            Status::Free => {
                if self.mech.place_irregular(index, on_link) {
                    n -= self.detect(agent, n, on_link, index, rng, out);
                    if n > 0 && !on_link {
                        let home = self.mech.home_target[index];
                        let attrs = &self.mech.attrs;
                        let returning = if home == NONE {
                            0
                        } else if attrs.active {
                            let p =
                                self.mday.return_chance[index] * attrs.return_factor(agent.spare);
                            split(n, p.min(1.0), rng)
                        } else {
                            split(n, self.mday.return_chance[index], rng)
                        };
                        if returning > 0 {
                            out.event(EV_RETURN_START, returning);
                            let goer = with_status(agent, Status::Returning, home);
                            self.goal(goer, returning, 0.0, rng, out);
                            n -= returning;
                        }
                        let seekers = if attrs.active {
                            let p = self.mday.asylum_chance * attrs.asylum_factor(agent.spare);
                            split(n, p.min(1.0), rng)
                        } else {
                            split(n, self.mday.asylum_chance, rng)
                        };
                        if seekers > 0 {
                            out.event(EV_ASYLUM_START, seekers);
                            self.choose_channel(agent, seekers, rng, out);
                            n -= seekers;
                        }
                        if attrs.family && n > 0 {
                            if agent.spare & FAMILY != 0 {
                                // Settled with a family: no moves.
                                self.finish(agent, n, 0.0, out);
                                return;
                            }
                            let moving_in =
                                split(n, attrs.family_rate[sex_index(agent.spare)], rng);
                            if moving_in > 0 {
                                out.event(attrs.family_event, moving_in);
                                let mut settled = agent;
                                settled.spare |= FAMILY;
                                settled.route = NO_ROUTE;
                                self.finish(settled, moving_in, 0.0, out);
                                n -= moving_in;
                            }
                        }
                    }
                }
                if n == 0 {
                    return;
                }
                if !on_link {
                    self.evolve(agent, n, false, 0.0, rng, out);
                } else if self.stop_at_departure {
                    out.settled(agent, n);
                } else {
                    self.travel(agent, n, 0.0, rng, out);
                }
            }
            Status::AtHome => {
                let chance = if agent.route == DEPORTED {
                    self.mday.recross_deported
                } else {
                    self.mday.recross_chance
                };
                let leaving = split(n, chance, rng);
                if leaving > 0 {
                    out.event(EV_RECROSS, leaving);
                    let free = with_status(agent, Status::Free, NO_ROUTE);
                    self.evolve(free, leaving, false, 0.0, rng, out);
                }
                if leaving < n {
                    out.settled(agent, n - leaving);
                }
            }
            Status::Detained => {
                if self.mday.waiting(&agent) {
                    out.settled(agent, n);
                } else if agent.route & HELD_HERE == 0 {
                    self.release(agent, n, out);
                } else {
                    // Held where the claim failed: released there, free.
                    out.event(EV_RELEASE, n);
                    out.settled(with_status(agent, Status::Free, NO_ROUTE), n);
                }
            }
            Status::Queued => {
                if self.mday.channel_open[agent.route as usize] {
                    out.settled(agent, n);
                } else {
                    self.turn_away(agent, n, out);
                }
            }
            Status::Processing => {
                if self.mday.waiting(&agent) {
                    out.settled(agent, n);
                } else {
                    let channel = agent.route >> PROCESSING_DAY_BITS;
                    out.settled(with_status(agent, Status::Exiting, channel), n);
                }
            }
            Status::SeekingAsylum | Status::Returning | Status::Exiting => {
                if agent.status != Status::Exiting as u8
                    && self.mech.place_irregular(index, on_link)
                {
                    n -= self.detect(agent, n, on_link, index, rng, out);
                }
                if n == 0 {
                    return;
                }
                if !on_link {
                    self.goal(agent, n, 0.0, rng, out);
                } else if self.stop_at_departure {
                    out.settled(agent, n);
                } else {
                    self.goal_advance(agent, n, 0.0, rng, out);
                }
            }
            Status::Exited | Status::Dead => out.settled(agent, n),
        }
    }

    /// The sex event `sex_kind` and the origin event `origin_kind` of `n` people with spare
    /// byte `spare` (the attribute breakdown of an event just counted).
    #[inline(never)]
    fn attribute_events<S: Sink>(
        &self,
        spare: u8,
        sex_kind: usize,
        origin_kind: usize,
        n: u64,
        out: &mut S,
    ) {
        let attrs = &self.mech.attrs;
        if attrs.sex {
            out.event(attrs.sex_slot(sex_kind, spare), n);
        }
        if let Some(slot) = attrs.origin_slot(origin_kind, spare) {
            out.event(slot, n);
        }
    }

    /// `n` claimants at a closed channel are turned away: free again where they are.
    fn turn_away<S: Sink>(&self, agent: Agent, n: u64, out: &mut S) {
        out.event(EV_TURNED_AWAY, n);
        out.settled(with_status(agent, Status::Free, NO_ROUTE), n);
    }

    /// Detection of `n` hidden people at a location or on a link: returns how many were
    /// detected (they are detained).
    fn detect<S: Sink>(
        &self,
        agent: Agent,
        n: u64,
        on_link: bool,
        index: usize,
        rng: &mut Stream,
        out: &mut S,
    ) -> u64 {
        let mut p = if on_link {
            self.mday.detect_travel[index]
        } else {
            self.mday.detect_settled[index]
        };
        if self.mech.attrs.active {
            p = (p * self.mech.attrs.detection_factor(agent.spare)).min(1.0);
        }
        let detected = split(n, p, rng);
        if detected > 0 {
            self.detain(agent, detected, rng, out);
        }
        detected
    }

    /// Moves `n` people to the detention site nearest to where they are, for a drawn
    /// duration. Without a detention site they stay, free (hidden again).
    fn detain<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        let on_link = agent.place & ON_LINK != 0;
        let index = (agent.place & PLACE_MASK) as usize;
        let (site, region) = if on_link {
            (self.mech.link_site[index], self.mech.link_region[index])
        } else {
            (
                self.mech.location_site[index],
                self.mech.location_region[index],
            )
        };
        if site == NONE {
            let mut free = with_status(agent, Status::Free, NO_ROUTE);
            if on_link {
                free.place = self.model.link_to[index] | ARRIVED;
            }
            out.settled(free, n);
            return;
        }
        out.event(EV_DETENTION, n);
        if self.mech.attrs.active {
            self.attribute_events(agent.spare, SEX_DETENTION, 1, n, out);
        }
        if region != NONE {
            out.event(self.mech.region_slot(region as usize), n);
        }
        let mut held = with_status(agent, Status::Detained, 0);
        held.place = self.mech.site_location[site as usize] | ARRIVED;
        draw_duration(n, self.mech.duration, rng, |days, count| {
            held.route = self.mday.ends_on(days);
            out.settled(held, count);
        });
    }

    /// The end of detention: people are released at their site's release location, at home.
    fn release<S: Sink>(&self, agent: Agent, n: u64, out: &mut S) {
        let here = agent.place & PLACE_MASK;
        let release = self
            .mech
            .site_location
            .iter()
            .position(|&s| s == here)
            .map_or(here, |site| self.mech.site_release[site]);
        out.event(EV_RELEASE, n);
        let marker = if self.mech.mark_deported {
            DEPORTED
        } else {
            NO_ROUTE
        };
        let mut home = with_status(agent, Status::AtHome, marker);
        home.place = release | ARRIVED;
        out.settled(home, n);
    }

    /// `n` settled hidden people set out for asylum: a multinomial split over the channels by
    /// today's weights.
    fn choose_channel<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        let weights = &self.mday.channel_weight;
        let mut remaining_weight: f64 = weights.iter().sum();
        if n == 1 {
            let target = uniform(rng) * remaining_weight;
            let mut cumulative = 0.0;
            let mut chosen = weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
            for (channel, &weight) in weights.iter().enumerate() {
                cumulative += weight;
                if weight > 0.0 && target < cumulative {
                    chosen = channel;
                    break;
                }
            }
            let seeker = with_status(agent, Status::SeekingAsylum, channel_id(chosen));
            self.goal(seeker, 1, 0.0, rng, out);
            return;
        }
        let last = weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
        let mut remaining = n;
        for (channel, &weight) in weights.iter().enumerate() {
            if remaining == 0 {
                break;
            }
            if weight <= 0.0 {
                continue;
            }
            let count = if channel == last {
                remaining
            } else {
                binomial(remaining, (weight / remaining_weight).clamp(0.0, 1.0), rng)
            };
            remaining_weight -= weight;
            remaining -= count;
            if count > 0 {
                let seeker = with_status(agent, Status::SeekingAsylum, channel_id(channel));
                self.goal(seeker, count, 0.0, rng, out);
            }
        }
    }

    /// The target (index into the model's targets) of a person travelling with a goal.
    fn target_of(&self, agent: Agent) -> usize {
        let target = match Status::from_u8(agent.status) {
            Status::SeekingAsylum => self.mech.channel_target[agent.route as usize],
            Status::Exiting => self.mech.channel_exit_target[agent.route as usize],
            _ => agent.route,
        };
        target as usize
    }

    /// A settled person with a goal takes the next link of the shortest path (or arrives, or
    /// waits for a closed link to reopen, or gives up when the goal is unreachable).
    fn goal<S: Sink>(&self, mut agent: Agent, n: u64, moved: f64, rng: &mut Stream, out: &mut S) {
        let here = (agent.place & PLACE_MASK) as usize;
        let target = &self.mech.targets[self.target_of(agent)];
        if here == target.location as usize {
            self.arrive(agent, n, rng, out);
            return;
        }
        let link = target.next_link[here];
        if link == NONE {
            if agent.status == Status::Exiting as u8 {
                // Successful claimants are flown out when no road leads to the exit.
                agent.place = target.location | ARRIVED;
                self.arrive(agent, n, rng, out);
            } else {
                out.settled(with_status(agent, Status::Free, NO_ROUTE), n);
            }
            return;
        }
        if !self.tables.link_open[link as usize] {
            out.settled(agent, n);
            return;
        }
        agent.place = (agent.place & ARRIVED) | ON_LINK | link;
        agent.km_on_link = 0.0;
        if self.stop_at_departure {
            out.departed(agent, n);
        } else {
            self.goal_advance(agent, n, moved, rng, out);
        }
    }

    /// Travel with a goal: up to the link's speed per day in all, through as many locations
    /// as that allows.
    fn goal_advance<S: Sink>(
        &self,
        mut agent: Agent,
        n: u64,
        mut moved: f64,
        rng: &mut Stream,
        out: &mut S,
    ) {
        let link = (agent.place & PLACE_MASK) as usize;
        let speed = self.model.link_speed[link];
        let budget = (speed - moved).max(0.0);
        let km = f64::from(agent.km_on_link) + budget;
        let distance = self.model.link_km[link];
        if km <= distance {
            #[expect(clippy::cast_possible_truncation, reason = "km fit in f32")]
            let stored = km as f32;
            agent.km_on_link = stored;
            out.settled(agent, n);
            return;
        }
        moved += distance - f64::from(agent.km_on_link);
        agent.km_on_link = 0.0;
        agent.place = if agent.place & SENT_BACK != 0 {
            self.model.link_from[link] | ARRIVED
        } else {
            self.model.link_to[link] | ARRIVED
        };
        if moved < speed {
            self.goal(agent, n, moved, rng, out);
        } else {
            let here = (agent.place & PLACE_MASK) as usize;
            if here == self.mech.targets[self.target_of(agent)].location as usize {
                self.arrive(agent, n, rng, out);
            } else {
                out.settled(agent, n);
            }
        }
    }

    /// Arrival at the goal: a claim at an asylum channel, home, or the exit.
    fn arrive<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        match Status::from_u8(agent.status) {
            Status::SeekingAsylum => {
                let channel = agent.route as usize;
                if !self.mday.channel_open[channel] {
                    self.turn_away(agent, n, out);
                } else if self.mech.channel_capacity[channel] {
                    // The claim is lodged; the channel decides it when its capacity allows.
                    out.event(EV_CLAIM, n);
                    out.event(self.mech.channel_slot(channel), n);
                    out.settled(with_status(agent, Status::Queued, agent.route), n);
                } else {
                    out.event(EV_CLAIM, n);
                    out.event(self.mech.channel_slot(channel), n);
                    let success = self.mech.channel_success[channel];
                    let failure = self.mech.channel_failure[channel];
                    self.decide(
                        agent,
                        n,
                        channel,
                        Decision::Probability(success),
                        failure,
                        rng,
                        out,
                    );
                }
            }
            Status::Returning => {
                out.event(EV_RETURN_HOME, n);
                out.settled(with_status(agent, Status::AtHome, NO_ROUTE), n);
            }
            Status::Exiting => {
                out.event(EV_EXIT, n);
                if self.mech.attrs.active {
                    self.attribute_events(agent.spare, SEX_EXIT, 0, n, out);
                }
                out.settled(with_status(agent, Status::Exited, NO_ROUTE), n);
            }
            _ => out.settled(agent, n),
        }
    }

    /// `n` people of a group (an incident, or claimants drawn from a channel's queue) have
    /// their claims decided at once; an incident's people are counted as claims first.
    pub(crate) fn group_claim<S: Sink>(
        &self,
        agent: Agent,
        n: u64,
        group: &Group,
        decision: Decision,
        rng: &mut Stream,
        out: &mut S,
    ) {
        if group.bring {
            out.event(EV_CLAIM, n);
            out.event(self.mech.channel_slot(group.channel), n);
        }
        self.decide(agent, n, group.channel, decision, group.failure, rng, out);
    }

    /// The decision on `n` claims at `channel`: the accepted wait for the processing delay,
    /// the others meet `failure`.
    #[expect(clippy::too_many_arguments, reason = "one decision, all its parts")]
    fn decide<S: Sink>(
        &self,
        agent: Agent,
        n: u64,
        channel: usize,
        decision: Decision,
        failure: Failure,
        rng: &mut Stream,
        out: &mut S,
    ) {
        let accepted = match decision {
            Decision::Probability(success) => split(n, success, rng),
            Decision::Accept(count) => count.min(n),
        };
        if accepted > 0 {
            self.processing(agent, accepted, channel, rng, out);
        }
        let failed = n - accepted;
        if failed == 0 {
            return;
        }
        out.event(EV_FAILED, failed);
        match failure {
            Failure::Deported => {
                let free = with_status(agent, Status::Free, NO_ROUTE);
                self.detain(free, failed, rng, out);
            }
            Failure::SentOn => {
                out.event(EV_SENT_ON, failed);
                self.processing(agent, failed, channel, rng, out);
            }
            Failure::Detained(duration) => {
                out.event(EV_HELD, failed);
                let mut held = with_status(agent, Status::Detained, 0);
                draw_duration(failed, duration, rng, |days, count| {
                    held.route = HELD_HERE | self.mday.ends_on(days);
                    out.settled(held, count);
                });
            }
        }
    }

    /// `n` people wait at `channel` for its processing delay, then travel to its exit.
    fn processing<S: Sink>(
        &self,
        agent: Agent,
        n: u64,
        channel: usize,
        rng: &mut Stream,
        out: &mut S,
    ) {
        let mut waiting = with_status(agent, Status::Processing, 0);
        draw_duration(n, self.mech.channel_delay[channel], rng, |days, count| {
            waiting.route = (channel_id(channel) << PROCESSING_DAY_BITS) | self.mday.ends_on(days);
            out.settled(waiting, count);
        });
    }
}

/// The state every dead person is in (one cohort).
#[inline]
fn dead_agent() -> Agent {
    let mut agent = Agent::at(0);
    agent.place = DEAD_PLACE;
    agent.status = Status::Dead as u8;
    agent
}

/// The same person with another status and route field; the recent-travel average is reset
/// (it only matters to free people).
#[inline]
fn with_status(mut agent: Agent, status: Status, route: u32) -> Agent {
    agent.spare &= !FAMILY;
    agent.status = status as u8;
    agent.route = route;
    agent.recent = 0;
    agent
}

#[inline]
fn channel_id(channel: usize) -> u32 {
    // `MechModel::new` refuses more channels than the field holds.
    u32::try_from(channel).unwrap_or(0)
}

/// Splits `n` people over the days of a duration (uniform over `min..=max`), calling `emit`
/// with each number of days and its count.
fn draw_duration(n: u64, duration: DayCount, rng: &mut Stream, mut emit: impl FnMut(u16, u64)) {
    match duration {
        DayCount::Fixed(days) => emit(days.max(1), n),
        DayCount::Uniform { min, max } => {
            let (min, max) = (min.max(1), max.max(min.max(1)));
            let values = u64::from(max - min) + 1;
            if n == 1 {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    clippy::cast_precision_loss,
                    reason = "u in [0, 1) times a small count"
                )]
                let pick = ((uniform(rng) * values as f64) as u64).min(values - 1);
                emit(min + u16::try_from(pick).unwrap_or(0), 1);
                return;
            }
            let mut remaining = n;
            for offset in 0..values {
                if remaining == 0 {
                    break;
                }
                let left = values - offset;
                #[expect(clippy::cast_precision_loss, reason = "small counts")]
                let count = if left == 1 {
                    remaining
                } else {
                    binomial(remaining, 1.0 / left as f64, rng)
                };
                remaining -= count;
                if count > 0 {
                    emit(min + u16::try_from(offset).unwrap_or(0), count);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::round_steps;

    fn reference(x: f64) -> u16 {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the code this replaces"
        )]
        let value = x.round_ties_even().clamp(0.0, f64::from(u16::MAX)) as u16;
        value
    }

    #[test]
    fn rounding_steps_equals_f64_round_ties_even() {
        // Every half and quarter step up past the saturation point, their neighbouring
        // floats, and a spread of arbitrary values.
        for k in 0..(70_000_u32 * 4) {
            let x = f64::from(k) / 4.0;
            for y in [x, x.next_up(), x.next_down().max(0.0)] {
                assert_eq!(round_steps(y), reference(y), "{y}");
            }
        }
        let mut state = 0x1234_5678_9abc_def0_u64;
        for _ in 0..1_000_000 {
            state = crate::mix64(state);
            #[expect(clippy::cast_precision_loss, reason = "test values")]
            let x = (state >> 11) as f64 / (1_u64 << 53) as f64 * 70_000.0;
            assert_eq!(round_steps(x), reference(x), "{x}");
        }
        for x in [
            0.0,
            0.5,
            0.499_999_999_999_999_94,
            1e300,
            f64::INFINITY,
            f64::NAN,
            -0.0,
            -0.5,
            -1.5,
            -1e300,
            f64::NEG_INFINITY,
            65_535.5,
            65_534.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            1e20,
        ] {
            assert_eq!(round_steps(x), reference(x), "{x}");
        }
    }
}
