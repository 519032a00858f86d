//! The agent engine: one small record per person, advanced day by day in fixed chunks.

use crate::attributes::NO_SLOT;
use crate::mechanisms::Status;
use crate::process::{DayProcess, Decision, Sink};
use crate::reach::Reach;
use crate::rng::{StreamKind, stream};
use crate::world::{DayTables, Model, count_in};
use rayon::prelude::*;

/// Number of agents per chunk. Fixed, so results never depend on the thread count.
pub(crate) const CHUNK: usize = 4096;

pub(crate) const ON_LINK: u32 = 1 << 31;
pub(crate) const SENT_BACK: u32 = 1 << 30;
pub(crate) const ARRIVED: u32 = 1 << 29;
pub(crate) const PLACE_MASK: u32 = ARRIVED - 1;
pub(crate) const NO_ROUTE: u32 = u32::MAX;
pub(crate) const HOP_BITS: u32 = 6;
pub(crate) const HOP_MASK: u32 = (1 << HOP_BITS) - 1;
/// The place of a dead person: on a link no network has, and in no count.
pub(crate) const DEAD_PLACE: u32 = ON_LINK | PLACE_MASK;

/// Whether a person no longer takes part in any day (exited or dead).
#[inline]
pub(crate) fn inert(agent: &Agent) -> bool {
    agent.status == Status::Exited as u8 || agent.status == Status::Dead as u8
}

/// One person: 16 bytes of plain data.
///
/// `place` holds a location id, or a link id while travelling (bit 31), plus two flags: sent
/// back (bit 30: the link was closed while the agent was on it) and arrived (bit 29: has
/// reached at least one location, Flee's `places_travelled > 1`). `route` depends on the
/// status: for a free person, the chosen candidate route and the index of its next link, or
/// `u32::MAX` for none; with a goal, the goal (asylum channel or home target); detained, the
/// day of release; processing, the channel (high 12 bits) and the day the wait ends. Those
/// two hold a day, not a countdown, so that a stay leaves the state unchanged from day to
/// day: the count engine keeps such cohorts in place instead of re-sorting them daily.
/// `recent` is Flee's recent-travel average in steps of 1/64; `status` is a [`Status`].
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Agent {
    pub(crate) place: u32,
    pub(crate) route: u32,
    pub(crate) km_on_link: f32,
    pub(crate) recent: u16,
    pub(crate) status: u8,
    pub(crate) spare: u8,
}

impl Agent {
    /// A new agent at `location`, with no route.
    #[must_use]
    pub fn at(location: u32) -> Self {
        Self {
            place: location,
            route: NO_ROUTE,
            km_on_link: 0.0,
            recent: 0,
            status: 0,
            spare: 0,
        }
    }

    /// The same person brought to the asylum channel at `location` by a scheduled incident:
    /// seeking asylum there, with no route and no recent travel.
    #[must_use]
    pub(crate) fn brought_to_channel(mut self, location: u32) -> Self {
        self.spare &= !crate::attributes::FAMILY;
        self.place = location | ARRIVED;
        self.route = NO_ROUTE;
        self.km_on_link = 0.0;
        self.recent = 0;
        self.status = Status::SeekingAsylum as u8;
        self
    }

    /// The person's status.
    #[must_use]
    pub fn status(&self) -> Status {
        Status::from_u8(self.status)
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

/// Number of batches people are dealt into. A day's decisions are taken batch after batch,
/// with the capacity tables refreshed in between (see `Simulation::step`).
pub(crate) const BATCHES: usize = 8;

/// What one pass over a batch does.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Settled agents evolve and travel, agents on links travel: the whole day.
    Whole,
    /// Settled agents evolve; departures stop on the link.
    Depart,
    /// Agents on links travel, arrive and evolve again after a short day.
    Travel,
}

/// Which part of a batch a pass runs: sub-batch `index` of `of` (see
/// `Simulation::sub_batches`). With one sub-batch the pass runs the whole batch, with the same
/// streams as before sub-batches existed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sub {
    pub index: usize,
    pub of: usize,
}

impl Sub {
    /// The whole batch.
    pub(crate) const WHOLE: Sub = Sub { index: 0, of: 1 };

    /// The sub-batch's share of a stream key: 0 for the first one, so that a batch run whole
    /// draws what it drew before sub-batches existed.
    pub(crate) fn key(self) -> u64 {
        (self.index as u64) << 32
    }
}

/// The key part of the stream that deals a batch's travellers into its sub-batches (an index
/// no sub-batch has).
const DEAL_SUB_KEY: u64 = 0xFFFF << 32;

/// A person who takes part in a travel pass: on a link and not exited or dead (when the
/// mechanisms are active, the only case where people exit).
#[inline]
pub(crate) fn travels(agent: &Agent, mech_active: bool) -> bool {
    agent.place & ON_LINK != 0 && agent.place != DEAD_PLACE && !(mech_active && inert(agent))
}

/// A traveller who may reach a location in today's travel pass: what is left of the link is
/// shorter than the faster of the link's speed and walking (a bound: walkers and the
/// link's speed are decided in the pass). Only those can change a location's count.
#[inline]
pub(crate) fn may_arrive(agent: &Agent, model: &Model, mech_active: bool) -> bool {
    if !travels(agent, mech_active) {
        return false;
    }
    let link = (agent.place & PLACE_MASK) as usize;
    let speed = model.link_speed[link].max(model.settings().move_rules.max_walk_speed);
    f64::from(agent.km_on_link) + speed > model.link_km[link]
}

impl Pass {
    pub(crate) fn key(self) -> u64 {
        match self {
            Pass::Whole => 0,
            Pass::Depart => 1,
            Pass::Travel => 2,
        }
    }
}

/// The agent population, dealt into batches, and the counts derived from it.
#[derive(Clone, Debug, Default)]
pub(crate) struct AgentEngine {
    batches: Vec<Vec<Agent>>,
    /// Per chunk of a pass: count changes per location, per link, per category, then the
    /// chunk's events.
    chunk_deltas: Vec<i32>,
    /// Agents at each location now.
    pub location_counts: Vec<u64>,
    /// Agents on each link now.
    pub link_counts: Vec<u64>,
    /// Agents per category now (empty without mechanisms).
    pub status_counts: Vec<u64>,
    /// Events of the day so far (empty without mechanisms).
    pub events: Vec<u64>,
    /// The events of a group decided at once (kept, so that the daily queues allocate
    /// nothing).
    group_events: Vec<i32>,
    /// The batch being run in sub-batches, dealt once by its first sub-batch: per chunk of
    /// [`CHUNK`] agents, the offsets in the chunk of its travellers, sub-batch after
    /// sub-batch, each in the chunk's order (kept, so that the day loop allocates nothing
    /// once grown).
    sub_order: Vec<u16>,
    /// Per chunk, `of + 1` bounds in the chunk's part of `sub_order`: sub-batch `s` has the
    /// offsets `bounds[s]..bounds[s + 1]`.
    sub_bounds: Vec<u32>,
    /// Per chunk, a tally of the travellers who may reach each location with a capacity
    /// (see [`Reach::tally`]; kept).
    reach_chunks: Vec<u64>,
    /// Which locations with a capacity travellers may reach, when there are any: the depart
    /// pass then tallies, per batch, who may reach each in the batch's travel pass.
    reach: Option<Reach>,
    /// Per batch, that tally, as of the batch's last depart pass.
    reach_batches: Vec<u64>,
}

/// The sub-batch of a person who takes no part in the pass.
const NO_SUB: u8 = u8::MAX;

/// The most sub-batches a pass runs in (they are dealt with `u8` indices).
pub(crate) const MAX_SUB_BATCHES: usize = 64;

impl AgentEngine {
    /// An empty population for a model.
    #[must_use]
    pub(crate) fn new(model: &Model) -> Self {
        Self {
            batches: vec![Vec::new(); BATCHES],
            chunk_deltas: Vec::new(),
            location_counts: vec![0; model.location_count()],
            link_counts: vec![0; model.link_count()],
            status_counts: vec![0; model.mech.category_slots()],
            events: vec![0; model.mech.event_slots()],
            group_events: vec![0; model.mech.event_slots()],
            sub_order: Vec::new(),
            sub_bounds: Vec::new(),
            reach_chunks: Vec::new(),
            reach: None,
            reach_batches: Vec::new(),
        }
    }

    /// Number of agents.
    #[must_use]
    pub(crate) fn len(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }

    /// The agents, batch after batch.
    pub(crate) fn agents(&self) -> impl Iterator<Item = &Agent> {
        self.batches.iter().flatten()
    }

    /// The batches, as a checkpoint saves them.
    pub(crate) fn batches(&self) -> &[Vec<Agent>] {
        &self.batches
    }

    /// An engine holding `batches` (from a checkpoint), with every count recomputed from the
    /// agents; the day's events start at 0, as at the start of every day.
    pub(crate) fn from_batches(model: &Model, batches: Vec<Vec<Agent>>) -> Self {
        let mut engine = Self::new(model);
        for agent in batches.iter().flatten() {
            let place = (agent.place & PLACE_MASK) as usize;
            if agent.place == DEAD_PLACE {
                // Counted in no place.
            } else if agent.place & ON_LINK == 0 {
                engine.location_counts[place] += 1;
            } else {
                engine.link_counts[place] += 1;
            }
            if !engine.status_counts.is_empty() {
                count_in(
                    &mut engine.status_counts,
                    model.categories_of(agent),
                    1,
                    false,
                );
            }
        }
        engine.batches = batches;
        engine
    }

    /// Adds `count` agents in state `agent` (a new person at a location) to `batch`;
    /// `categories` are their category slots when the run counts categories.
    pub(crate) fn add(
        &mut self,
        agent: Agent,
        batch: usize,
        count: u64,
        categories: Option<[usize; 3]>,
    ) {
        if let Some(slots) = categories {
            count_in(&mut self.status_counts, slots, count, false);
        }
        let location = (agent.place & PLACE_MASK) as usize;
        let count_usize = usize::try_from(count).unwrap_or(usize::MAX);
        let list = &mut self.batches[batch % BATCHES];
        list.reserve(count_usize);
        list.extend(std::iter::repeat_n(agent, count_usize));
        self.location_counts[location] += count;
    }

    /// Marks every agent on `link` as sent back: on arrival it returns to the link's start
    /// (Flee keeps the closed link object, so this holds even if the link reopens meanwhile).
    pub(crate) fn send_back(&mut self, link: usize) {
        if self.link_counts[link] == 0 {
            return;
        }
        let target = ON_LINK | u32::try_from(link).unwrap_or(PLACE_MASK);
        for agent in self.batches.iter_mut().flatten() {
            if agent.place & (ON_LINK | PLACE_MASK) == target {
                agent.place |= SENT_BACK;
            }
        }
    }

    /// Has every depart pass tally who may reach each location with a capacity (see
    /// [`Reach`]) in the batch's travel pass, when the network has any.
    pub(crate) fn set_reach(&mut self, reach: &Reach) {
        if reach.targets().is_empty() {
            return;
        }
        self.reach_batches = vec![0; BATCHES * reach.width()];
        self.reach = Some(reach.clone());
    }

    /// The tally of who may reach each location with a capacity in the travel pass of
    /// `batch`, made by its depart pass (see [`AgentEngine::set_reach`]; the same as
    /// [`AgentEngine::reach_tally`] then, without a scan), or `None` without one.
    pub(crate) fn departed_reach(&self, batch: usize) -> Option<&[u64]> {
        let width = self.reach.as_ref()?.width();
        self.reach_batches.get(batch * width..(batch + 1) * width)
    }

    /// Tallies the people of `batch` who may reach each location with a capacity in its
    /// travel pass (see [`Reach::tally`]) into `tally`.
    pub(crate) fn reach_tally(
        &mut self,
        model: &Model,
        reach: &Reach,
        batch: usize,
        tally: &mut [u64],
    ) {
        let mech_active = model.mech.active;
        let width = reach.width();
        let agents = &self.batches[batch];
        self.reach_chunks.clear();
        self.reach_chunks
            .resize(agents.len().div_ceil(CHUNK) * width, 0);
        agents
            .par_chunks(CHUNK)
            .zip(self.reach_chunks.par_chunks_mut(width))
            .for_each(|(agents, part)| {
                for agent in agents {
                    reach.tally(agent, model, mech_active, 1, part);
                }
            });
        tally.fill(0);
        for part in self.reach_chunks.chunks(width) {
            for (sum, &value) in tally.iter_mut().zip(part) {
                *sum += value;
            }
        }
    }

    /// Runs one pass over `batch`, or over one of its sub-batches: every agent concerned runs
    /// its part of the day. Chunks of [`CHUNK`] agents run in parallel, each with its own
    /// stream keyed by (seed, day, pass, batch, sub-batch, chunk); count changes are summed in
    /// chunk order. With several sub-batches (travel passes only), the first one deals every
    /// traveller of the batch uniformly at random into them (a stream of its own per chunk),
    /// and each runs its own.
    #[expect(clippy::too_many_arguments, reason = "the keys of the pass's streams")]
    pub(crate) fn pass(
        &mut self,
        model: &Model,
        tables: &DayTables,
        seed: u64,
        day: u32,
        batch: usize,
        pass: Pass,
        sub: Sub,
    ) {
        let locations = model.location_count();
        let links = model.link_count();
        let categories = self.status_counts.len();
        let events = self.events.len();
        let width = locations + links + categories + events;
        let mech_active = model.mech.active;
        let extra_categories = model.mech.attrs.extra_categories > 0;
        let agents = &mut self.batches[batch];
        let chunks = agents.len().div_ceil(CHUNK);
        self.chunk_deltas.resize(chunks * width, 0);
        let split = sub.of > 1 && pass == Pass::Travel;
        let stride = sub.of + 1;
        let process = DayProcess::new(model, tables);
        if split && sub.index == 0 {
            // The first sub-batch deals the batch's travellers into the sub-batches and runs
            // its own share in the same scan (two streams per chunk: the deal's, and the
            // sub-batch's as for the others).
            self.sub_order.resize(agents.len(), 0);
            self.sub_bounds.clear();
            self.sub_bounds.resize(chunks * stride, 0);
            let base = (pass.key() << 56) | ((batch as u64) << 48);
            agents
                .par_chunks_mut(CHUNK)
                .zip(self.chunk_deltas.par_chunks_mut(width))
                .zip(self.sub_order.par_chunks_mut(CHUNK))
                .zip(self.sub_bounds.par_chunks_mut(stride))
                .enumerate()
                .for_each(|(chunk, (((agents, deltas), order), bounds))| {
                    deltas.fill(0);
                    let mut dealer = stream(
                        seed,
                        day,
                        StreamKind::Agents,
                        base | DEAL_SUB_KEY | chunk as u64,
                    );
                    let key = base | sub.key() | chunk as u64;
                    let mut rng = stream(seed, day, StreamKind::Agents, key);
                    let (counts, event_deltas) = deltas.split_at_mut(width - events);
                    let mut part = Chunk {
                        model,
                        counts,
                        events: event_deltas,
                        locations,
                        links,
                        categories,
                        extra_categories,
                    };
                    deal(agents, order, bounds, mech_active, &mut dealer, |agent| {
                        part.update(agent, |before, sink| {
                            process.travel_day(before, 1, &mut rng, sink);
                        });
                    });
                });
            self.apply_chunks(width, locations, links, categories, None);
            return;
        }
        if let (Pass::Depart, Some(reach)) = (pass, &self.reach) {
            // The depart pass also tallies its end states, those of the batch's travel pass.
            let reach_width = reach.width();
            self.reach_chunks.clear();
            self.reach_chunks.resize(chunks * reach_width, 0);
            agents
                .par_chunks_mut(CHUNK)
                .zip(self.chunk_deltas.par_chunks_mut(width))
                .zip(self.reach_chunks.par_chunks_mut(reach_width))
                .enumerate()
                .for_each(|(chunk, ((agents, deltas), tally))| {
                    deltas.fill(0);
                    let key = (pass.key() << 56) | ((batch as u64) << 48) | chunk as u64;
                    let mut rng = stream(seed, day, StreamKind::Agents, key);
                    let (counts, event_deltas) = deltas.split_at_mut(width - events);
                    let mut part = Chunk {
                        model,
                        counts,
                        events: event_deltas,
                        locations,
                        links,
                        categories,
                        extra_categories,
                    };
                    for agent in agents.iter_mut() {
                        if (agent.place & ON_LINK == 0 || mech_active)
                            && !(mech_active && inert(agent))
                        {
                            part.update(agent, |before, sink| {
                                process.depart(before, 1, &mut rng, sink);
                            });
                        }
                        // Only people on a link travel (the test inline: most are settled).
                        if agent.place & ON_LINK != 0 {
                            reach.tally(agent, model, mech_active, 1, tally);
                        }
                    }
                });
            let sums = &mut self.reach_batches[batch * reach_width..(batch + 1) * reach_width];
            sums.fill(0);
            for part in self.reach_chunks.chunks(reach_width) {
                for (sum, &value) in sums.iter_mut().zip(part) {
                    *sum += value;
                }
            }
            self.apply_chunks(width, locations, links, categories, None);
            return;
        }
        let sub_order: &[u16] = if split { &self.sub_order } else { &[] };
        let sub_bounds: &[u32] = if split { &self.sub_bounds } else { &[] };
        // The offsets of this sub-batch's travellers in a chunk.
        let members = |chunk: usize| -> &[u16] {
            let bounds = &sub_bounds[chunk * stride..(chunk + 1) * stride];
            let start = chunk * CHUNK;
            &sub_order[start + bounds[sub.index] as usize..start + bounds[sub.index + 1] as usize]
        };
        agents
            .par_chunks_mut(CHUNK)
            .zip(self.chunk_deltas.par_chunks_mut(width))
            .enumerate()
            .for_each(|(chunk, (agents, deltas))| {
                if split && members(chunk).is_empty() {
                    // Nothing to do, and nothing to add up below.
                    return;
                }
                deltas.fill(0);
                let key = (pass.key() << 56) | ((batch as u64) << 48) | sub.key() | chunk as u64;
                let mut rng = stream(seed, day, StreamKind::Agents, key);
                let (counts, event_deltas) = deltas.split_at_mut(width - events);
                let mut part = Chunk {
                    model,
                    counts,
                    events: event_deltas,
                    locations,
                    links,
                    categories,
                    extra_categories,
                };
                let exited = |agent: &Agent| mech_active && inert(agent);
                // One loop per kind of pass, so that the test of whether an agent takes part
                // is the only work for the agents that do not.
                match pass {
                    Pass::Whole => {
                        for agent in agents.iter_mut().filter(|a| !exited(a)) {
                            part.update(agent, |before, sink| {
                                process.day(before, 1, &mut rng, sink);
                            });
                        }
                    }
                    Pass::Depart => {
                        let concerned = |a: &Agent| a.place & ON_LINK == 0 || mech_active;
                        for agent in agents.iter_mut().filter(|a| concerned(a) && !exited(a)) {
                            part.update(agent, |before, sink| {
                                process.depart(before, 1, &mut rng, sink);
                            });
                        }
                    }
                    Pass::Travel if split => {
                        for &offset in members(chunk) {
                            part.update(&mut agents[offset as usize], |before, sink| {
                                process.travel_day(before, 1, &mut rng, sink);
                            });
                        }
                    }
                    Pass::Travel => {
                        let concerned = |a: &Agent| a.place & ON_LINK != 0;
                        for agent in agents.iter_mut().filter(|a| concerned(a) && !exited(a)) {
                            part.update(agent, |before, sink| {
                                process.travel_day(before, 1, &mut rng, sink);
                            });
                        }
                    }
                }
            });
        let only = (split && sub.index > 0).then_some((sub.index, stride));
        self.apply_chunks(width, locations, links, categories, only);
    }

    /// Adds the count changes of every chunk, in chunk order; with `only` = (sub-batch,
    /// stride of `sub_bounds`), of the chunks that have travellers in that sub-batch (the
    /// others did not run).
    fn apply_chunks(
        &mut self,
        width: usize,
        locations: usize,
        links: usize,
        categories: usize,
        only: Option<(usize, usize)>,
    ) {
        let events = width - locations - links - categories;
        for (chunk, deltas) in self.chunk_deltas.chunks(width).enumerate() {
            if let Some((sub, stride)) = only {
                let bounds = &self.sub_bounds[chunk * stride..(chunk + 1) * stride];
                if bounds[sub] == bounds[sub + 1] {
                    continue;
                }
            }
            apply(&mut self.location_counts, &deltas[..locations]);
            apply(&mut self.link_counts, &deltas[locations..locations + links]);
            apply(
                &mut self.status_counts,
                &deltas[locations + links..locations + links + categories],
            );
            apply(&mut self.events, &deltas[width - events..]);
        }
    }

    /// A group decided at once (see [`crate::mechanisms::Group`]): `size` people drawn
    /// uniformly at random among the eligible ones (Knuth's selection sampling, in batch
    /// order), brought to the channel when the group is an incident, and decided there; with
    /// `allowed`, the successes are a uniformly random subset of that many (selection sampling
    /// again). Returns how many were drawn.
    pub(crate) fn incident(
        &mut self,
        model: &Model,
        process: &DayProcess<'_>,
        eligible: &dyn Fn(&Agent) -> bool,
        group: crate::mechanisms::Group,
        rng: &mut crate::rng::Stream,
    ) -> u64 {
        let total = self.agents().filter(|a| eligible(a)).count() as u64;
        let wanted = group.size.min(total);
        let mut allowed_left = group.allowed.map_or(0, |a| a.min(wanted));
        let (mut seen, mut chosen) = (0_u64, 0_u64);
        let location = model.mech.channel_location(group.channel);
        let mut events = std::mem::take(&mut self.group_events);
        events.clear();
        events.resize(self.events.len(), 0);
        for agent in self.batches.iter_mut().flatten() {
            if chosen == wanted {
                break;
            }
            if !eligible(agent) {
                continue;
            }
            #[expect(clippy::cast_precision_loss, reason = "small counts")]
            let p = (wanted - chosen) as f64 / (total - seen) as f64;
            seen += 1;
            if crate::rng::uniform(rng) >= p {
                continue;
            }
            let decision = if group.allowed.is_some() {
                #[expect(clippy::cast_precision_loss, reason = "small counts")]
                let p = allowed_left as f64 / (wanted - chosen) as f64;
                let accept = u64::from(crate::rng::uniform(rng) < p);
                allowed_left -= accept;
                Decision::Accept(accept)
            } else {
                Decision::Probability(group.success)
            };
            chosen += 1;
            let before = *agent;
            let arrived = if group.bring {
                before.brought_to_channel(location)
            } else {
                before
            };
            *agent = arrived;
            let mut sink = OneAgent {
                agent,
                events: &mut events,
            };
            process.group_claim(arrived, 1, &group, decision, rng, &mut sink);
            let moved = *sink.agent;
            self.location_counts[(before.place & PLACE_MASK) as usize] -= 1;
            if moved.place != DEAD_PLACE {
                self.location_counts[(moved.place & PLACE_MASK) as usize] += 1;
            }
            if !self.status_counts.is_empty() {
                count_in(
                    &mut self.status_counts,
                    model.categories_of(&before),
                    1,
                    true,
                );
                count_in(
                    &mut self.status_counts,
                    model.categories_of(&moved),
                    1,
                    false,
                );
            }
        }
        apply(&mut self.events, &events);
        self.group_events = events;
        chosen
    }
}

/// Deals a chunk's travellers uniformly at random into `bounds.len() - 1` sub-batches (one
/// draw each, in the chunk's order): `order` gets their offsets in the chunk, sub-batch after
/// sub-batch, each in the chunk's order, and `bounds` where each sub-batch's start (a
/// counting sort). Runs `first` on each traveller of sub-batch 0 as it is dealt (the others
/// are not changed before the draw of theirs).
fn deal(
    agents: &mut [Agent],
    order: &mut [u16],
    bounds: &mut [u32],
    mech_active: bool,
    rng: &mut crate::rng::Stream,
    mut first: impl FnMut(&mut Agent),
) {
    let of = bounds.len() - 1;
    #[expect(clippy::cast_precision_loss, reason = "at most 64 sub-batches")]
    let scale = of as f64;
    let last = u8::try_from(of - 1).unwrap_or(NO_SUB - 1);
    let mut drawn = [NO_SUB; CHUNK];
    for (slot, agent) in drawn.iter_mut().zip(agents.iter_mut()) {
        if travels(agent, mech_active) {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a uniform draw times at most 64"
            )]
            let index = ((crate::rng::uniform(rng) * scale) as u8).min(last);
            *slot = index;
            bounds[usize::from(index) + 1] += 1;
            if index == 0 {
                first(agent);
            }
        }
    }
    for s in 0..of {
        bounds[s + 1] += bounds[s];
    }
    let mut next = [0_u32; MAX_SUB_BATCHES];
    next[..of].copy_from_slice(&bounds[..of]);
    for (offset, &index) in drawn.iter().take(agents.len()).enumerate() {
        if index != NO_SUB {
            let cursor = &mut next[usize::from(index)];
            #[expect(
                clippy::cast_possible_truncation,
                reason = "offsets in a chunk of 4096"
            )]
            let offset = offset as u16;
            order[*cursor as usize] = offset;
            *cursor += 1;
        }
    }
}

/// One chunk's share of a pass: the count changes of its agents.
struct Chunk<'a> {
    model: &'a Model,
    /// Count changes per location, per link, per category.
    counts: &'a mut [i32],
    /// The chunk's events.
    events: &'a mut [i32],
    locations: usize,
    links: usize,
    categories: usize,
    /// The run counts attribute categories after the main ones.
    extra_categories: bool,
}

impl Chunk<'_> {
    /// Runs `day` for `agent` and counts its change of place and category. The process works
    /// on its own copy and writes the end state straight into the agent's slot: reading it
    /// back from a sink on the stack cost a store-forwarding stall per agent.
    #[inline(always)]
    fn update(&mut self, agent: &mut Agent, day: impl FnOnce(Agent, &mut OneAgent<'_>)) {
        let before = *agent;
        let mut sink = OneAgent {
            agent,
            events: &mut *self.events,
        };
        day(before, &mut sink);
        let place = sink.agent.place;
        if place & !(SENT_BACK | ARRIVED) != before.place & !(SENT_BACK | ARRIVED) {
            self.counts[slot(before.place, self.locations)] -= 1;
            if place != DEAD_PLACE {
                self.counts[slot(place, self.locations)] += 1;
            }
        }
        if self.extra_categories {
            let was = self.model.categories_of(&before);
            let now = self.model.categories_of(sink.agent);
            if was != now {
                let base = self.locations + self.links;
                for slot in was.into_iter().filter(|&s| s != NO_SLOT) {
                    self.counts[base + slot] -= 1;
                }
                for slot in now.into_iter().filter(|&s| s != NO_SLOT) {
                    self.counts[base + slot] += 1;
                }
            }
        } else if self.categories > 0 {
            let was = self.model.category(&before);
            let now = self.model.category(sink.agent);
            if was != now {
                let base = self.locations + self.links;
                self.counts[base + was] -= 1;
                self.counts[base + now] += 1;
            }
        }
    }
}

/// Index of a place in a delta row: locations first, then links.
#[inline]
fn slot(place: u32, locations: usize) -> usize {
    let index = (place & PLACE_MASK) as usize;
    if place & ON_LINK == 0 {
        index
    } else {
        locations + index
    }
}

fn apply(counts: &mut [u64], deltas: &[i32]) {
    for (count, &delta) in counts.iter_mut().zip(deltas) {
        *count = count.saturating_add_signed(i64::from(delta));
    }
}

/// Receives the end state of one agent's pass (written into the agent's slot), and its
/// events.
struct OneAgent<'a> {
    agent: &'a mut Agent,
    events: &'a mut [i32],
}

impl Sink for OneAgent<'_> {
    #[inline]
    fn event(&mut self, slot: usize, n: u64) {
        self.events[slot] += i32::try_from(n).unwrap_or(i32::MAX);
    }

    #[inline]
    fn settled(&mut self, agent: Agent, _n: u64) {
        *self.agent = agent;
    }

    #[inline]
    fn departed(&mut self, agent: Agent, _n: u64) {
        *self.agent = agent;
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
