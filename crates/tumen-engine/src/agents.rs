//! The agent engine: one small record per person, advanced day by day in fixed chunks.

use crate::process::DayProcess;
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
        let process = DayProcess::new(model, tables);
        self.agents
            .par_chunks_mut(CHUNK)
            .zip(self.chunk_counts.par_chunks_mut(width))
            .enumerate()
            .for_each(|(chunk, (agents, counts))| {
                counts.fill(0);
                let mut rng = stream(seed, day, StreamKind::Agents, chunk as u64);
                for agent in agents.iter_mut() {
                    let current = *agent;
                    process.day(current, 1, &mut rng, &mut |next, _| *agent = next);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Agent>(), 16);
    }
}
