//! The agent engine: one small record per person, advanced day by day in fixed chunks.

use crate::process::{DayProcess, Sink};
use crate::rng::{StreamKind, stream};
use crate::world::{DayTables, Model};
use rayon::prelude::*;

/// Number of agents per chunk. Fixed, so results never depend on the thread count.
pub const CHUNK: usize = 4096;

pub(crate) const ON_LINK: u32 = 1 << 31;
pub(crate) const SENT_BACK: u32 = 1 << 30;
pub(crate) const ARRIVED: u32 = 1 << 29;
pub(crate) const PLACE_MASK: u32 = ARRIVED - 1;
pub(crate) const NO_ROUTE: u32 = u32::MAX;
pub(crate) const HOP_BITS: u32 = 6;
pub(crate) const HOP_MASK: u32 = (1 << HOP_BITS) - 1;

/// One person: 16 bytes of plain data.
///
/// `place` holds a location id, or a link id while travelling (bit 31), plus two flags: sent
/// back (bit 30: the link was closed while the agent was on it) and arrived (bit 29: has
/// reached at least one location, Flee's `places_travelled > 1`). `route` holds the chosen
/// candidate route and the index of its next link, or `u32::MAX` for none.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Agent {
    pub(crate) place: u32,
    pub(crate) route: u32,
    pub(crate) km_on_link: f32,
    pub(crate) recent_travel: f32,
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
    /// Per chunk: agents pending after the first round (index, km moved today).
    chunk_pending: Vec<Vec<(u32, f64)>>,
    /// Per chunk: offsets of the agents that ran in round 0 today.
    chunk_done: Vec<Vec<u32>>,
    /// Agents pending for the next round, in a fixed order.
    pending: Vec<(u32, f64)>,
    /// Scratch for the next round's pending list.
    chunk_pending_scratch: Vec<(u32, f64)>,
    /// Scratch: a round's results.
    results: Vec<(Agent, Option<f64>)>,
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
            chunk_pending: Vec::new(),
            chunk_done: Vec::new(),
            pending: Vec::new(),
            chunk_pending_scratch: Vec::new(),
            results: Vec::new(),
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

    /// Starts a day: forgets the previous day's round bookkeeping.
    pub fn start_day(&mut self) {
        let chunks = self.agents.len().div_ceil(CHUNK);
        self.chunk_pending.resize_with(chunks, Vec::new);
        self.chunk_done.resize_with(chunks, Vec::new);
        for list in &mut self.chunk_pending {
            list.clear();
        }
        for list in &mut self.chunk_done {
            list.clear();
        }
        self.pending.clear();
    }

    /// Round 0 of a day: the agents settled at locations with a capacity run their day first,
    /// so that everyone deciding after them sees the places they leave. Recounts.
    pub fn camp_round(&mut self, model: &Model, tables: &DayTables, seed: u64, day: u32) {
        self.pass(model, tables, seed, day, true);
    }

    /// Round 1 of a day: every other agent runs its day until it stops or arrives somewhere
    /// on a short day (then it is pending). Recounts.
    pub fn first_round(&mut self, model: &Model, tables: &DayTables, seed: u64, day: u32) {
        self.pass(model, tables, seed, day, false);
        self.pending.clear();
        for pending in &self.chunk_pending {
            self.pending.extend_from_slice(pending);
        }
    }

    fn pass(&mut self, model: &Model, tables: &DayTables, seed: u64, day: u32, camps: bool) {
        let locations = model.location_count();
        let width = locations + model.link_count();
        let chunks = self.agents.len().div_ceil(CHUNK);
        self.chunk_counts.resize(chunks * width, 0);
        let process = DayProcess::new(model, tables);
        let capacity = &model.capacity;
        self.agents
            .par_chunks_mut(CHUNK)
            .zip(self.chunk_counts.par_chunks_mut(width))
            .zip(self.chunk_pending.par_iter_mut())
            .zip(self.chunk_done.par_iter_mut())
            .enumerate()
            .for_each(|(chunk, (((agents, counts), pending), done))| {
                counts.fill(0);
                let mut rng = if camps {
                    stream(seed, day, StreamKind::Rounds, chunk as u64)
                } else {
                    stream(seed, day, StreamKind::Agents, chunk as u64)
                };
                let base = chunk * CHUNK;
                let mut next_done = 0;
                for (offset, agent) in agents.iter_mut().enumerate() {
                    let offset32 = u32::try_from(offset).unwrap_or(u32::MAX);
                    let run = if camps {
                        let at_camp = agent.place & ON_LINK == 0
                            && capacity[(agent.place & PLACE_MASK) as usize]
                                .is_some_and(|c| c >= 1);
                        if at_camp {
                            done.push(offset32);
                        }
                        at_camp
                    } else if done.get(next_done) == Some(&offset32) {
                        next_done += 1;
                        false
                    } else {
                        true
                    };
                    if run {
                        let mut sink = OneAgent {
                            agent: *agent,
                            moved: None,
                        };
                        process.day(*agent, 1, &mut rng, &mut sink);
                        *agent = sink.agent;
                        if let Some(moved) = sink.moved {
                            pending.push((u32::try_from(base + offset).unwrap_or(u32::MAX), moved));
                        }
                    }
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

    /// Whether some agents arrived on a short day and must evolve again.
    #[must_use]
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// A further round of the day: the pending agents evolve again (with tables that have
    /// seen the previous rounds' arrivals) and travel on.
    pub fn next_round(
        &mut self,
        model: &Model,
        tables: &DayTables,
        seed: u64,
        day: u32,
        round: u32,
    ) {
        let process = DayProcess::new(model, tables);
        self.results.clear();
        self.results
            .resize(self.pending.len(), (Agent::at(0), None));
        let agents = &self.agents;
        self.pending
            .par_chunks(CHUNK)
            .zip(self.results.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(chunk, (pending, results))| {
                let key = (u64::from(round) << 40) | chunk as u64;
                let mut rng = stream(seed, day, StreamKind::Rounds, key);
                for (&(index, moved), result) in pending.iter().zip(results.iter_mut()) {
                    let agent = agents[index as usize];
                    let mut sink = OneAgent { agent, moved: None };
                    process.resume(agent, 1, moved, &mut rng, &mut sink);
                    *result = (sink.agent, sink.moved);
                }
            });
        let mut next_pending = std::mem::take(&mut self.chunk_pending_scratch);
        next_pending.clear();
        for (&(index, _), &(agent, moved)) in self.pending.iter().zip(&self.results) {
            let slot = &mut self.agents[index as usize];
            // Pending agents are at a location.
            self.location_counts[(slot.place & PLACE_MASK) as usize] -= 1;
            let place = (agent.place & PLACE_MASK) as usize;
            if agent.place & ON_LINK == 0 {
                self.location_counts[place] += 1;
            } else {
                self.link_counts[place] += 1;
            }
            *slot = agent;
            if let Some(moved) = moved {
                next_pending.push((index, moved));
            }
        }
        self.chunk_pending_scratch = std::mem::replace(&mut self.pending, next_pending);
    }
}

/// Receives the end state of one agent's day (or round).
struct OneAgent {
    agent: Agent,
    moved: Option<f64>,
}

impl Sink for OneAgent {
    #[inline]
    fn settled(&mut self, agent: Agent, _n: u64) {
        self.agent = agent;
    }

    #[inline]
    fn pending(&mut self, agent: Agent, _n: u64, moved: f64) {
        self.agent = agent;
        self.moved = Some(moved);
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
