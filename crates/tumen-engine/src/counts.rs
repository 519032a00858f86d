//! The count engine: people in the same state are exchangeable, so the engine keeps one cohort
//! (state, count) per distinct state and draws each day's outcomes as binomial and multinomial
//! splits of the cohort (see `process.rs`). Its cost grows with the number of distinct states,
//! not with the number of people.

use crate::agents::{
    ARRIVED, Agent, BATCHES, DEAD_PLACE, NO_ROUTE, ON_LINK, PLACE_MASK, Pass, SENT_BACK, Sub,
    inert, travels,
};
use crate::attributes::ORIGIN_MASK;
use crate::process::{DayProcess, Decision, Sink};
use crate::reach::Reach;
use crate::rng::{StreamKind, stream};
use crate::world::{DayTables, Model, count_in};

/// People in one state.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Cohort {
    /// The state every member shares.
    pub agent: Agent,
    /// How many people.
    pub count: u64,
}

/// The cohorts, per batch, and the counts derived from them.
#[derive(Clone, Debug, Default)]
pub(crate) struct CountEngine {
    batches: Vec<Vec<Cohort>>,
    next: Vec<Cohort>,
    /// The travellers of the batch being run in sub-batches who have not had their turn yet.
    pending: Vec<Cohort>,
    /// End states equal to their start state (kept in the batch's order, so mostly sorted).
    kept: Vec<Cohort>,
    /// Changed end states of the common kind, summed in place (see [`Settled`]).
    settled: Settled,
    /// The states summed in `settled`, in order (kept, so that passes allocate nothing once
    /// grown).
    summed: Vec<Cohort>,
    total: u64,
    /// People at each location now.
    pub location_counts: Vec<u64>,
    /// People on each link now.
    pub link_counts: Vec<u64>,
    /// People per category now (empty without mechanisms).
    pub status_counts: Vec<u64>,
    /// Events of the day so far (empty without mechanisms).
    pub events: Vec<u64>,
    /// Whether everyone is kept in one batch: without capacities no decision depends on
    /// other people's moves, so the batches only matter to the agent engine's capacity
    /// model, and one batch keeps up to eight times fewer cohorts.
    single_batch: bool,
}

/// The sort key of a state: every field, packed into one integer (one comparison per pair).
#[inline]
fn key(agent: &Agent) -> u128 {
    (u128::from(agent.place) << 96)
        | (u128::from(agent.route) << 64)
        | (u128::from(agent.km_on_link.to_bits()) << 32)
        | u128::from(
            u32::from(agent.recent)
                | (u32::from(agent.status) << 16)
                | (u32::from(agent.spare) << 24),
        )
}

impl CountEngine {
    /// No people yet.
    #[must_use]
    pub(crate) fn new(model: &Model) -> Self {
        Self {
            batches: vec![Vec::new(); BATCHES],
            location_counts: vec![0; model.location_count()],
            link_counts: vec![0; model.link_count()],
            status_counts: vec![0; model.mech.category_slots()],
            events: vec![0; model.mech.event_slots()],
            single_batch: !model.capacity_limited,
            settled: Settled::new(model.location_count(), model.mech.attrs.active),
            ..Self::default()
        }
    }

    /// Number of people.
    #[must_use]
    pub(crate) fn len(&self) -> u64 {
        self.total
    }

    /// Whether everyone is kept in one batch (no capacities).
    #[must_use]
    pub(crate) fn single_batch(&self) -> bool {
        self.single_batch
    }

    /// The batches of cohorts, as a checkpoint saves them.
    pub(crate) fn batches(&self) -> &[Vec<Cohort>] {
        &self.batches
    }

    /// An engine holding `batches` (from a checkpoint, in their saved order), with every
    /// count recomputed from the cohorts; the day's events start at 0.
    pub(crate) fn from_batches(model: &Model, batches: Vec<Vec<Cohort>>) -> Self {
        let mut engine = Self::new(model);
        for cohort in batches.iter().flatten() {
            let place = (cohort.agent.place & PLACE_MASK) as usize;
            if cohort.agent.place == DEAD_PLACE {
                // Counted in no place.
            } else if cohort.agent.place & ON_LINK == 0 {
                engine.location_counts[place] += cohort.count;
            } else {
                engine.link_counts[place] += cohort.count;
            }
            if !engine.status_counts.is_empty() {
                count_in(
                    &mut engine.status_counts,
                    model.categories_of(&cohort.agent),
                    cohort.count,
                    false,
                );
            }
            engine.total += cohort.count;
        }
        engine.batches = batches;
        engine
    }

    /// Number of distinct (batch, state) cohorts.
    #[must_use]
    pub(crate) fn cohort_count(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }

    /// Adds `count` people in state `agent` (new people at a location) to `batch`;
    /// `categories` are their category slots when the run counts categories.
    pub(crate) fn add(
        &mut self,
        agent: Agent,
        batch: usize,
        count: u64,
        categories: Option<[usize; 3]>,
    ) {
        if count == 0 {
            return;
        }
        if let Some(slots) = categories {
            count_in(&mut self.status_counts, slots, count, false);
        }
        let location = (agent.place & PLACE_MASK) as usize;
        let batch = if self.single_batch {
            0
        } else {
            batch % BATCHES
        };
        self.batches[batch].push(Cohort { agent, count });
        self.total += count;
        self.location_counts[location] += count;
    }

    /// Marks the people on `link` as sent back (see the agent engine).
    pub(crate) fn send_back(&mut self, link: usize) {
        let target = ON_LINK | u32::try_from(link).unwrap_or(PLACE_MASK);
        for cohort in self.batches.iter_mut().flatten() {
            if cohort.agent.place & (ON_LINK | PLACE_MASK) == target {
                cohort.agent.place |= SENT_BACK;
            }
        }
    }

    /// Tallies the people of `batch` who may reach each location with a capacity in its
    /// travel pass (see [`Reach::tally`]) into `tally`.
    pub(crate) fn reach_tally(
        &self,
        model: &Model,
        reach: &Reach,
        batch: usize,
        tally: &mut [u64],
    ) {
        let mech_active = model.mech.active;
        tally.fill(0);
        for cohort in &self.batches[batch] {
            reach.tally(&cohort.agent, model, mech_active, cohort.count, tally);
        }
    }

    /// One pass over `batch`, or over one of its sub-batches (see the agent engine): the
    /// cohorts concerned are split by the day's draws; identical end states are merged after
    /// the batch's last sub-batch.
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
        if sub.of > 1 && pass == Pass::Travel {
            self.sub_pass(model, tables, seed, day, batch, sub);
            return;
        }
        if self.batches[batch].is_empty() {
            // Nothing to draw or merge (the batches but the first are empty when everyone
            // is kept in one).
            return;
        }
        let process = DayProcess::new(model, tables);
        let stream_key = (pass.key() << 56) | ((batch as u64) << 48);
        let mut rng = stream(seed, day, StreamKind::Counts, stream_key);
        self.next.clear();
        self.kept.clear();
        let mech_active = model.mech.active;
        let (cohorts, _, mut sink) = self.sink(model, batch, true);
        for cohort in cohorts.drain(..) {
            let on_link = cohort.agent.place & ON_LINK != 0;
            let run = match pass {
                // The exited and the dead, and people waiting out detention or processing
                // who cannot die today, have no day: nothing is drawn for them.
                _ if mech_active
                    && (inert(&cohort.agent)
                        || (tables.mech.waiting(&cohort.agent)
                            && !tables.mech.may_die(model.category(&cohort.agent)))) =>
                {
                    false
                }
                Pass::Whole => true,
                Pass::Depart => !on_link || mech_active,
                Pass::Travel => on_link,
            };
            if !run {
                sink.kept.push(cohort);
                continue;
            }
            sink.remove(&cohort.agent, cohort.count);
            sink.current = Some(key(&cohort.agent));
            match pass {
                Pass::Whole => process.day(cohort.agent, cohort.count, &mut rng, &mut sink),
                Pass::Depart => process.depart(cohort.agent, cohort.count, &mut rng, &mut sink),
                Pass::Travel => process.travel_day(cohort.agent, cohort.count, &mut rng, &mut sink),
            }
        }
        self.merge_next(batch);
    }

    /// Sub-batch `sub` of a travel pass over `batch`. The first one sets the batch's
    /// non-travellers aside and takes its travellers as pending; sub-batch `i` of `n` takes
    /// a binomial share `1 / (n - i)` of what is still pending of each cohort (the last one
    /// all of it), which deals every traveller uniformly at random into the sub-batches, as
    /// the agent engine does; the last one merges the end states into the batch. Each
    /// sub-batch draws from its own stream.
    fn sub_pass(
        &mut self,
        model: &Model,
        tables: &DayTables,
        seed: u64,
        day: u32,
        batch: usize,
        sub: Sub,
    ) {
        let mech_active = model.mech.active;
        if sub.index == 0 {
            self.next.clear();
            self.kept.clear();
            self.pending.clear();
            for cohort in self.batches[batch].drain(..) {
                if travels(&cohort.agent, mech_active) {
                    self.pending.push(cohort);
                } else {
                    self.kept.push(cohort);
                }
            }
        }
        let process = DayProcess::new(model, tables);
        let stream_key = (Pass::Travel.key() << 56) | ((batch as u64) << 48) | sub.key();
        let mut rng = stream(seed, day, StreamKind::Counts, stream_key);
        let last = sub.index + 1 >= sub.of;
        #[expect(clippy::cast_precision_loss, reason = "at most 64 sub-batches")]
        let share = 1.0 / (sub.of - sub.index) as f64;
        let (_, pending, mut sink) = self.sink(model, batch, true);
        for cohort in pending.iter_mut() {
            let taken = if last {
                cohort.count
            } else {
                crate::process::split(cohort.count, share, &mut rng)
            };
            if taken == 0 {
                continue;
            }
            cohort.count -= taken;
            sink.remove(&cohort.agent, taken);
            sink.current = Some(key(&cohort.agent));
            process.travel_day(cohort.agent, taken, &mut rng, &mut sink);
        }
        if last {
            self.pending.clear();
            self.merge_next(batch);
        }
    }

    /// `batch`, the pending travellers and a sink over the engine's end states and counts,
    /// borrowed apart; with `settle`, the common end states are summed in the settled table
    /// (else they go to `next` with the others).
    fn sink<'a>(
        &'a mut self,
        model: &'a Model,
        batch: usize,
        settle: bool,
    ) -> (&'a mut Vec<Cohort>, &'a mut Vec<Cohort>, CohortSink<'a>) {
        let Self {
            batches,
            next,
            pending,
            kept,
            settled,
            location_counts,
            link_counts,
            status_counts,
            events,
            ..
        } = self;
        let sink = CohortSink {
            model,
            next,
            kept,
            settled: settle.then_some(settled),
            current: None,
            locations: location_counts,
            links: link_counts,
            categories: status_counts,
            events,
            extra_categories: model.mech.attrs.extra_categories > 0,
        };
        (&mut batches[batch], pending, sink)
    }

    /// Merges the end states into `batch`, sorted by state with identical states merged.
    /// Most cohorts end the pass unchanged (`kept`, in the batch's order: a sorted run, then
    /// the cohorts added since the last pass, which are sorted here as a run of their own);
    /// the changed ones are either of the common settled kind (summed in `settled`, which
    /// yields them in order) or few (`next`, sorted here). The four sorted runs are merged,
    /// which gives the same as sorting everything.
    fn merge_next(&mut self, batch: usize) {
        let split = self
            .kept
            .windows(2)
            .position(|pair| key(&pair[1].agent) < key(&pair[0].agent))
            .map_or(self.kept.len(), |i| i + 1);
        self.kept[split..].sort_unstable_by_key(|c| key(&c.agent));
        self.next.sort_unstable_by_key(|c| key(&c.agent));
        self.summed.clear();
        self.summed.extend(self.settled.drain());
        let (sorted, added) = self.kept.split_at(split);
        merge_runs(
            [sorted, added, &self.next, &self.summed],
            &mut self.batches[batch],
        );
        self.kept.clear();
        self.next.clear();
        self.summed.clear();
    }

    /// A group decided at once (see the agent engine): a uniformly random group of `size`
    /// among the eligible people, drawn cohort by cohort as a multivariate hypergeometric
    /// split, and with `allowed` its successes split the same way. Returns how many were
    /// drawn.
    pub(crate) fn incident(
        &mut self,
        model: &Model,
        process: &DayProcess<'_>,
        eligible: &dyn Fn(&Agent) -> bool,
        group: crate::mechanisms::Group,
        rng: &mut crate::rng::Stream,
    ) -> u64 {
        let mut total: u64 = self
            .batches
            .iter()
            .flatten()
            .filter(|c| eligible(&c.agent))
            .map(|c| c.count)
            .sum();
        let mut wanted = group.size.min(total);
        let mut allowed_left = group.allowed.map_or(0, |a| a.min(wanted));
        let drawn = wanted;
        let location = model.mech.channel_location(group.channel);
        for batch in 0..BATCHES {
            if wanted == 0 {
                break;
            }
            self.next.clear();
            let (cohorts, _, mut sink) = self.sink(model, batch, false);
            for cohort in cohorts.iter_mut() {
                if wanted == 0 {
                    break;
                }
                if !eligible(&cohort.agent) {
                    continue;
                }
                let taken = hypergeometric(total, cohort.count, wanted, rng);
                total -= cohort.count;
                if taken == 0 {
                    continue;
                }
                let decision = if group.allowed.is_some() {
                    let accept = hypergeometric(wanted, allowed_left, taken, rng);
                    allowed_left -= accept;
                    Decision::Accept(accept)
                } else {
                    Decision::Probability(group.success)
                };
                wanted -= taken;
                sink.remove(&cohort.agent, taken);
                cohort.count -= taken;
                let arrived = if group.bring {
                    cohort.agent.brought_to_channel(location)
                } else {
                    cohort.agent
                };
                process.group_claim(arrived, taken, &group, decision, rng, &mut sink);
            }
            self.batches[batch].retain(|c| c.count > 0);
            self.batches[batch].append(&mut self.next);
        }
        drawn
    }
}

/// Appends the cohorts of the sorted `runs` to `out` in order of state, identical states
/// merged into one cohort (`out` must be empty or end below every run's first state).
fn merge_runs(runs: [&[Cohort]; 4], out: &mut Vec<Cohort>) {
    // Each run's position and the state there (its key cached: one key per cohort).
    let mut at = [0_usize; 4];
    let mut heads = runs.map(|run| run.first().map(|c| key(&c.agent)));
    let mut last = out.last().map(|c| key(&c.agent));
    loop {
        let mut smallest: Option<(usize, u128)> = None;
        for (source, head) in heads.iter().enumerate() {
            if let Some(k) = *head
                && smallest.is_none_or(|(_, best)| k < best)
            {
                smallest = Some((source, k));
            }
        }
        let Some((source, k)) = smallest else { break };
        let cohort = runs[source][at[source]];
        at[source] += 1;
        heads[source] = runs[source].get(at[source]).map(|c| key(&c.agent));
        match out.last_mut() {
            Some(previous) if last == Some(k) => previous.count += cohort.count,
            _ => {
                out.push(cohort);
                last = Some(k);
            }
        }
    }
}

/// How many of `draws` people drawn without replacement from `population` come from a group
/// of `group` (exact; `rand_distr`'s hypergeometric sampler).
fn hypergeometric(population: u64, group: u64, draws: u64, rng: &mut crate::rng::Stream) -> u64 {
    use rand_distr::Distribution;
    if draws == 0 || group == 0 {
        return 0;
    }
    if group >= population {
        return draws.min(group);
    }
    if draws >= population {
        return group;
    }
    match rand_distr::Hypergeometric::new(population, group, draws) {
        Ok(distribution) => distribution.sample(rng),
        Err(_) => 0,
    }
}

/// Largest recent-travel value (in steps of 1/64) that [`Settled`] holds; larger values go the
/// general way. Flee's average stays below 2 (128 steps) when links keep the global speed.
const SETTLED_RECENT: usize = 128;

/// The attribute byte's bits above the origin (sex and family), as [`Settled`] indexes them.
const SPARE_SHIFT: u32 = ORIGIN_MASK.count_ones();

/// Largest table [`Settled`] allocates (entries); beyond it (huge networks) every end state
/// goes the general way.
const SETTLED_MAX_ENTRIES: usize = 1 << 22;

/// The end states of the common kind, summed in place: a free person at a location, without
/// route, with `km_on_link` 0, a small recent-travel value, and no attribute but sex and the
/// family state. A pass produces many more such end states than distinct ones (each cohort
/// splits along its paths of the day, and the paths meet again), so summing them in a table
/// indexed by (arrived flag, location, sex and family, recent) costs one addition each
/// instead of a sort. The index order is the order of [`key`] among these states, so the
/// table yields them sorted.
#[derive(Clone, Debug, Default)]
struct Settled {
    locations: usize,
    /// Values of the attribute byte the table holds: its two high bits (sex and family) when
    /// the run has attributes, else only 0.
    spares: usize,
    counts: Vec<u64>,
    /// One bit per entry of `counts` that is not zero.
    used: Vec<u64>,
}

impl Settled {
    fn new(locations: usize, attributes: bool) -> Self {
        let spares = if attributes { 4 } else { 1 };
        let entries = 2 * locations * spares * SETTLED_RECENT;
        if entries > SETTLED_MAX_ENTRIES {
            return Self::default();
        }
        Self {
            locations,
            spares,
            counts: vec![0; entries],
            used: vec![0; entries.div_ceil(64)],
        }
    }

    /// The entry of `agent`, if its state is of the common kind.
    #[inline]
    fn index(&self, agent: &Agent) -> Option<usize> {
        let location = (agent.place & PLACE_MASK) as usize;
        let common = agent.place & !(ARRIVED | PLACE_MASK) == 0
            && location < self.locations
            && agent.route == NO_ROUTE
            && agent.km_on_link.to_bits() == 0
            && agent.status == 0
            && usize::from(agent.spare >> SPARE_SHIFT) < self.spares
            && agent.spare & ORIGIN_MASK == 0
            && usize::from(agent.recent) < SETTLED_RECENT;
        common.then(|| {
            let arrived = usize::from(agent.place & ARRIVED != 0);
            let spare = usize::from(agent.spare >> SPARE_SHIFT);
            (((arrived * self.locations + location) * self.spares + spare) * SETTLED_RECENT)
                + usize::from(agent.recent)
        })
    }

    #[inline]
    fn add(&mut self, index: usize, n: u64) {
        self.counts[index] += n;
        self.used[index / 64] |= 1 << (index % 64);
    }

    /// The summed states, in order of [`key`], leaving the table empty.
    fn drain(&mut self) -> impl Iterator<Item = Cohort> + '_ {
        let (locations, spares) = (self.locations, self.spares);
        let counts = &mut self.counts;
        self.used
            .iter_mut()
            .enumerate()
            .flat_map(move |(word, bits)| {
                let mut left = std::mem::take(bits);
                std::iter::from_fn(move || {
                    (left != 0).then(|| {
                        let bit = left.trailing_zeros() as usize;
                        left &= left - 1;
                        word * 64 + bit
                    })
                })
            })
            .map(move |index| {
                let count = std::mem::take(&mut counts[index]);
                let recent = index % SETTLED_RECENT;
                let slot = index / SETTLED_RECENT;
                let (slot, spare) = (slot / spares, slot % spares);
                let (arrived, location) = (slot / locations, slot % locations);
                let mut agent = Agent::at(u32::try_from(location).unwrap_or(PLACE_MASK));
                if arrived == 1 {
                    agent.place |= ARRIVED;
                }
                agent.recent = u16::try_from(recent).unwrap_or(u16::MAX);
                agent.spare = u8::try_from(spare << SPARE_SHIFT).unwrap_or(0);
                Cohort { agent, count }
            })
    }
}

/// Collects end states and counts them.
struct CohortSink<'a> {
    model: &'a Model,
    /// Changed end states.
    next: &'a mut Vec<Cohort>,
    /// Changed end states of the common kind (`None`: they go to `next` too).
    settled: Option<&'a mut Settled>,
    /// End states equal to `current`, the state of the cohort being processed.
    kept: &'a mut Vec<Cohort>,
    current: Option<u128>,
    locations: &'a mut Vec<u64>,
    links: &'a mut Vec<u64>,
    categories: &'a mut Vec<u64>,
    events: &'a mut Vec<u64>,
    /// The run counts attribute categories after the main ones.
    extra_categories: bool,
}

impl CohortSink<'_> {
    fn push(&mut self, agent: Agent, n: u64) {
        let place = (agent.place & PLACE_MASK) as usize;
        if agent.place == DEAD_PLACE {
            // Counted in no place.
        } else if agent.place & ON_LINK == 0 {
            self.locations[place] += n;
        } else {
            self.links[place] += n;
        }
        if self.extra_categories {
            count_in(self.categories, self.model.categories_of(&agent), n, false);
        } else if !self.categories.is_empty() {
            self.categories[self.model.category(&agent)] += n;
        }
        if self.current == Some(key(&agent)) {
            self.kept.push(Cohort { agent, count: n });
        } else if let Some((settled, index)) = self
            .settled
            .as_deref_mut()
            .and_then(|settled| settled.index(&agent).map(|index| (settled, index)))
        {
            settled.add(index, n);
        } else {
            self.next.push(Cohort { agent, count: n });
        }
    }

    fn remove(&mut self, agent: &Agent, n: u64) {
        let place = (agent.place & PLACE_MASK) as usize;
        if agent.place == DEAD_PLACE {
            // Counted in no place.
        } else if agent.place & ON_LINK == 0 {
            self.locations[place] -= n;
        } else {
            self.links[place] -= n;
        }
        if self.extra_categories {
            count_in(self.categories, self.model.categories_of(agent), n, true);
        } else if !self.categories.is_empty() {
            self.categories[self.model.category(agent)] -= n;
        }
    }
}

impl Sink for CohortSink<'_> {
    fn event(&mut self, slot: usize, n: u64) {
        self.events[slot] += n;
    }

    fn settled(&mut self, agent: Agent, n: u64) {
        self.push(agent, n);
    }

    fn departed(&mut self, agent: Agent, n: u64) {
        self.push(agent, n);
    }
}
