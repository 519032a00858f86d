//! The agent engine: one small record per person, advanced day by day in fixed chunks.

use crate::rng::{Stream, StreamKind, stream, uniform};
use crate::world::{DayTables, Model};
use rayon::prelude::*;

/// Number of agents per chunk. Fixed, so results never depend on the thread count.
pub const CHUNK: usize = 4096;

const ON_LINK: u32 = 1 << 31;
const SENT_BACK: u32 = 1 << 30;
const ARRIVED: u32 = 1 << 29;
const PLACE_MASK: u32 = ARRIVED - 1;
const NO_ROUTE: u32 = u32::MAX;
const HOP_BITS: u32 = 6;
const HOP_MASK: u32 = (1 << HOP_BITS) - 1;

/// One person: 16 bytes of plain data.
///
/// `place` holds a location id, or a link id while travelling (bit 31), plus two flags: sent
/// back (bit 30: the link was closed while the agent was on it) and arrived (bit 29: has
/// reached at least one location, Flee's `places_travelled > 1`). `route` holds the chosen
/// candidate route and the index of its next link, or `u32::MAX` for none.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Agent {
    place: u32,
    route: u32,
    km_on_link: f32,
    recent_travel: f32,
}

impl Agent {
    /// A new agent at `location`, with no route.
    #[must_use]
    pub fn at(location: u32) -> Self {
        Self {
            place: location,
            route: NO_ROUTE,
            km_on_link: 0.0,
            recent_travel: 0.0,
        }
    }

    /// The location the agent is at, or `None` while it travels.
    #[must_use]
    pub fn location(&self) -> Option<u32> {
        (self.place & ON_LINK == 0).then_some(self.place & PLACE_MASK)
    }

    /// The link the agent travels on, if any.
    #[must_use]
    pub fn link(&self) -> Option<u32> {
        (self.place & ON_LINK != 0).then_some(self.place & PLACE_MASK)
    }
}

/// The agent population and the counts derived from it.
#[derive(Clone, Debug, Default)]
pub struct AgentEngine {
    agents: Vec<Agent>,
    /// Per chunk: counts per location then per link, refilled every day.
    chunk_counts: Vec<u32>,
    /// Agents at each location at the end of the last day.
    pub location_counts: Vec<u64>,
    /// Agents on each link at the end of the last day.
    pub link_counts: Vec<u64>,
}

impl AgentEngine {
    /// An empty population for a model.
    #[must_use]
    pub fn new(model: &Model) -> Self {
        Self {
            agents: Vec::new(),
            chunk_counts: Vec::new(),
            location_counts: vec![0; model.location_count()],
            link_counts: vec![0; model.link_count()],
        }
    }

    /// Number of agents.
    #[must_use]
    pub fn len(&self) -> usize {
        self.agents.len()
    }

    /// Whether there are no agents.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.agents.is_empty()
    }

    /// The agents.
    #[must_use]
    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }

    /// Adds `count` agents at `location`.
    pub fn add(&mut self, location: usize, count: u64) {
        let id = u32::try_from(location).unwrap_or(PLACE_MASK);
        let count_usize = usize::try_from(count).unwrap_or(usize::MAX);
        self.agents.reserve(count_usize);
        self.agents
            .extend(std::iter::repeat_n(Agent::at(id), count_usize));
        self.location_counts[location] += count;
    }

    /// Marks every agent on `link` as sent back: on arrival it returns to the link's start
    /// (Flee keeps the closed link object, so this holds even if the link reopens meanwhile).
    pub fn send_back(&mut self, link: usize) {
        if self.link_counts[link] == 0 {
            return;
        }
        let target = ON_LINK | u32::try_from(link).unwrap_or(PLACE_MASK);
        for agent in &mut self.agents {
            if agent.place & (ON_LINK | PLACE_MASK) == target {
                agent.place |= SENT_BACK;
            }
        }
    }

    /// Advances every agent by one day and recounts locations and links.
    pub fn step(&mut self, model: &Model, tables: &DayTables, seed: u64, day: u32) {
        let locations = model.location_count();
        let width = locations + model.link_count();
        let chunks = self.agents.len().div_ceil(CHUNK);
        self.chunk_counts.resize(chunks * width, 0);
        let context = Context::new(model, tables);
        self.agents
            .par_chunks_mut(CHUNK)
            .zip(self.chunk_counts.par_chunks_mut(width))
            .enumerate()
            .for_each(|(chunk, (agents, counts))| {
                counts.fill(0);
                let mut rng = stream(seed, day, StreamKind::Agents, chunk as u64);
                for agent in agents.iter_mut() {
                    context.step(agent, &mut rng);
                    let place = (agent.place & PLACE_MASK) as usize;
                    if agent.place & ON_LINK == 0 {
                        counts[place] += 1;
                    } else {
                        counts[locations + place] += 1;
                    }
                }
            });
        self.location_counts.fill(0);
        self.link_counts.fill(0);
        for counts in self.chunk_counts.chunks(width) {
            for (total, &c) in self.location_counts.iter_mut().zip(&counts[..locations]) {
                *total += u64::from(c);
            }
            for (total, &c) in self.link_counts.iter_mut().zip(&counts[locations..]) {
                *total += u64::from(c);
            }
        }
    }
}

/// Everything one agent's day reads, gathered once per day.
struct Context<'a> {
    model: &'a Model,
    tables: &'a DayTables,
    max_move_speed: f64,
    walk_speed: f64,
    start_on_foot: bool,
    avoid_short_stints: bool,
}

impl<'a> Context<'a> {
    fn new(model: &'a Model, tables: &'a DayTables) -> Self {
        let rules = &model.settings().move_rules;
        Self {
            model,
            tables,
            max_move_speed: rules.max_move_speed,
            walk_speed: rules.max_walk_speed,
            start_on_foot: rules.start_on_foot,
            avoid_short_stints: rules.avoid_short_stints,
        }
    }

    /// One day of one agent: Flee's `evolve` then `finish_travel` (with its re-evolve after
    /// an arrival on a short day), then the `recent_travel_distance` update.
    #[inline]
    fn step(&self, agent: &mut Agent, rng: &mut Stream) {
        let mut moved = 0.0_f64;
        if agent.place & ON_LINK == 0 {
            self.evolve(agent, rng, false);
        }
        while agent.place & ON_LINK != 0 {
            let link = (agent.place & PLACE_MASK) as usize;
            let mut speed = self.model.link_speed[link];
            if self.start_on_foot && agent.place & ARRIVED == 0 {
                speed = self.walk_speed;
            }
            let walk_probability = self.model.link_walk_probability[link];
            if walk_probability > 0.0 && uniform(rng) < walk_probability {
                speed = self.walk_speed;
            }
            let km = f64::from(agent.km_on_link) + speed;
            moved += speed;
            let distance = self.model.link_km[link];
            if km <= distance {
                #[expect(clippy::cast_possible_truncation, reason = "km fit in f32")]
                let stored = km as f32;
                agent.km_on_link = stored;
                break;
            }
            moved += distance - km;
            agent.km_on_link = 0.0;
            if agent.place & SENT_BACK != 0 {
                agent.place = self.model.link_from[link] | ARRIVED;
                break;
            }
            agent.place = self.model.link_to[link] | ARRIVED;
            if moved >= speed {
                break;
            }
            let force_town_move = self.avoid_short_stints
                && (f64::from(agent.recent_travel) + moved / self.max_move_speed) / 2.0 < 0.5;
            self.evolve(agent, rng, force_town_move);
        }
        #[expect(clippy::cast_possible_truncation, reason = "an index in [0, a few]")]
        let recent = ((f64::from(agent.recent_travel) + moved / self.max_move_speed) / 2.0) as f32;
        agent.recent_travel = recent;
    }

    /// Flee's `Person.evolve` for an agent at a location.
    #[inline]
    fn evolve(&self, agent: &mut Agent, rng: &mut Stream, force_town_move: bool) {
        let location = (agent.place & PLACE_MASK) as usize;
        let chance = if force_town_move && self.tables.town[location] {
            1.0
        } else {
            self.tables.move_chance[location]
        };
        if uniform(rng) >= chance {
            return;
        }
        if agent.route == NO_ROUTE {
            match self.tables.choose_route(self.model, location, uniform(rng)) {
                Some(path) => agent.route = path << HOP_BITS,
                None => return,
            }
        }
        let path = (agent.route >> HOP_BITS) as usize;
        let hop = (agent.route & HOP_MASK) as usize;
        let routes = &self.model.routes;
        let links = routes.links(path);
        let wanted = self.model.link_to[links[hop].index()];
        let network = &self.model.scenario.network;
        let start = network.first_link[location] as usize;
        let end = network.first_link[location + 1] as usize;
        let Some(link) = (start..end)
            .find(|&l| self.model.link_to[l] == wanted && self.tables_link_open(l))
        else {
            agent.route = NO_ROUTE;
            return;
        };
        if self.tables.full_camp[routes.path_end[path].index()] {
            agent.route = NO_ROUTE;
            return;
        }
        agent.route = if hop + 1 >= links.len() {
            NO_ROUTE
        } else {
            agent.route + 1
        };
        agent.km_on_link = 0.0;
        agent.place = (agent.place & ARRIVED)
            | ON_LINK
            | u32::try_from(link).unwrap_or(PLACE_MASK);
    }

    #[inline]
    fn tables_link_open(&self, link: usize) -> bool {
        self.tables.link_open[link]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Agent>(), 16);
    }
}
