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

use crate::agents::{ARRIVED, Agent, HOP_BITS, HOP_MASK, NO_ROUTE, ON_LINK, PLACE_MASK, SENT_BACK};
use crate::rng::{Stream, uniform};
use crate::spawn::binomial;
use crate::world::{DayTables, Model};

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
}

/// Where the process puts the end states of a group.
pub(crate) trait Sink {
    /// `n` people end the day in state `agent`.
    fn settled(&mut self, agent: Agent, n: u64);
    /// `n` people departed in the first phase and are now on a link (their travel comes in
    /// the second phase).
    fn departed(&mut self, agent: Agent, n: u64);
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
fn split(n: u64, p: f64, rng: &mut Stream) -> u64 {
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
        }
    }

    /// The first phase: settled people evolve; departures are emitted, not travelled.
    #[inline]
    pub(crate) fn depart<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        let first_phase = DayProcess {
            stop_at_departure: true,
            ..*self
        };
        first_phase.evolve(agent, n, false, 0.0, rng, out);
    }

    /// The second phase for people on a link: travel, arrive, evolve again after a short day.
    #[inline]
    pub(crate) fn travel_day<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        self.travel(agent, n, 0.0, rng, out);
    }

    /// Runs one day for `n` people in state `agent` and emits every end state with its count.
    #[inline]
    pub(crate) fn day<S: Sink>(&self, agent: Agent, n: u64, rng: &mut Stream, out: &mut S) {
        if agent.place & ON_LINK == 0 {
            self.evolve(agent, n, false, 0.0, rng, out);
        } else {
            self.travel(agent, n, 0.0, rng, out);
        }
    }

    /// Flee's `Person.evolve` at a location.
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
        if agent.route != NO_ROUTE {
            self.take_step(agent, movers, moved, rng, out);
            return;
        }
        if movers == 1 {
            match self.tables.choose_route(self.model, location, uniform(rng)) {
                Some(path) => self.take_step(with_route(agent, path), 1, moved, rng, out),
                None => self.finish(agent, 1, moved, out),
            }
            return;
        }
        // A multinomial split of the movers over the candidate routes, by conditional
        // binomials (uniform over the valid candidates when every weight is 0).
        let routes = &self.model.routes;
        let start = routes.first_path[location] as usize;
        let end = routes.first_path[location + 1] as usize;
        let total = self.tables.route_total[location];
        let mut remaining = movers;
        if total > 0.0 {
            let mut remaining_weight = total;
            let mut previous = 0.0;
            let last = (start..end).rev().find(|&p| {
                self.tables.path_cumulative[p]
                    > if p == start {
                        0.0
                    } else {
                        self.tables.path_cumulative[p - 1]
                    }
            });
            for path in start..end {
                let cumulative = self.tables.path_cumulative[path];
                let weight = cumulative - previous;
                previous = cumulative;
                if weight <= 0.0 || remaining == 0 {
                    continue;
                }
                let count = if Some(path) == last {
                    remaining
                } else {
                    binomial(remaining, (weight / remaining_weight).clamp(0.0, 1.0), rng)
                };
                remaining_weight -= weight;
                remaining -= count;
                if count > 0 {
                    let id = u32::try_from(path).unwrap_or(u32::MAX >> HOP_BITS);
                    self.take_step(with_route(agent, id), count, moved, rng, out);
                }
            }
        } else {
            let mut valid_left = u64::from(self.tables.valid_routes[location]);
            for path in start..end {
                if !self.tables.path_valid[path] || remaining == 0 {
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
                    let id = u32::try_from(path).unwrap_or(u32::MAX >> HOP_BITS);
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
        let path = (agent.route >> HOP_BITS) as usize;
        let hop = (agent.route & HOP_MASK) as usize;
        let routes = &self.model.routes;
        let links = routes.links(path);
        let Some(next) = links.get(hop) else {
            agent.route = NO_ROUTE;
            self.finish(agent, n, moved, out);
            return;
        };
        let wanted = self.model.link_to[next.index()];
        let network = &self.model.scenario.network;
        let start = network.first_link[location] as usize;
        let end = network.first_link[location + 1] as usize;
        let found =
            (start..end).find(|&l| self.model.link_to[l] == wanted && self.tables.link_open[l]);
        let Some(link) = found else {
            agent.route = NO_ROUTE;
            self.finish(agent, n, moved, out);
            return;
        };
        if self.tables.full_camp[routes.path_end[path].index()] {
            agent.route = NO_ROUTE;
            self.finish(agent, n, moved, out);
            return;
        }
        agent.route = if hop + 1 >= links.len() {
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
        if moved >= speed {
            self.finish(agent, n, moved, out);
            return;
        }
        let force_town_move = self.avoid_short_stints
            && (f64::from(agent.recent_travel) + moved / self.max_move_speed) / 2.0 < 0.5;
        self.evolve(agent, n, force_town_move, moved, rng, out);
    }

    /// End of the day: update the recent-travel average (kept at 0 when no rule reads it, so
    /// that identical people stay identical) and emit.
    #[inline]
    fn finish<S: Sink>(&self, mut agent: Agent, n: u64, moved: f64, out: &mut S) {
        agent.recent_travel = if self.avoid_short_stints {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "an average of small ratios"
            )]
            let recent = (((f64::from(agent.recent_travel) + moved / self.max_move_speed) / 2.0
                * RECENT_STEPS)
                .round()
                / RECENT_STEPS) as f32;
            recent
        } else {
            0.0
        };
        out.settled(agent, n);
    }
}

#[inline]
fn with_route(mut agent: Agent, path: u32) -> Agent {
    agent.route = path << HOP_BITS;
    agent
}
