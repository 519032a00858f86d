//! The day loop, in Flee's order.

use crate::EngineError;
use crate::agents::{Agent, AgentEngine, BATCHES, MAX_SUB_BATCHES, Pass, Sub};
use crate::checkpoint::{
    self, CheckpointError, CheckpointInfo, PopulationRef, Resumable, StateRef,
};
use crate::counts::CountEngine;
use crate::mechanisms::{EV_PUSHED, EXITED, Fired, PolicyState, Status, push_mean, push_season};
use crate::observer::{DayView, Observer};
use crate::process::DayProcess;
use crate::reach::Reach;
use crate::rng::{StreamKind, stream};
use crate::spawn::{Spawner, multinomial};
use crate::world::{DayTables, Model, WorldState};
use tumen_core::{ClosureScope, Day, Scenario};

/// Which engine moves the people.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum EngineKind {
    /// One record per person.
    #[default]
    Agents,
    /// One record per distinct state, with a count (exact in distribution).
    Counts,
}

#[derive(Debug)]
enum Population {
    Agents(AgentEngine),
    Counts(CountEngine),
}

impl Population {
    fn add(&mut self, agent: Agent, batch: usize, count: u64, categories: Option<[usize; 3]>) {
        match self {
            Self::Agents(engine) => engine.add(agent, batch, count, categories),
            Self::Counts(engine) => engine.add(agent, batch, count, categories),
        }
    }

    fn status_counts(&self) -> &[u64] {
        match self {
            Self::Agents(engine) => &engine.status_counts,
            Self::Counts(engine) => &engine.status_counts,
        }
    }

    fn events(&self) -> &[u64] {
        match self {
            Self::Agents(engine) => &engine.events,
            Self::Counts(engine) => &engine.events,
        }
    }

    fn events_mut(&mut self) -> &mut [u64] {
        match self {
            Self::Agents(engine) => &mut engine.events,
            Self::Counts(engine) => &mut engine.events,
        }
    }

    fn incident(
        &mut self,
        model: &Model,
        process: &DayProcess<'_>,
        eligible: &dyn Fn(&crate::agents::Agent) -> bool,
        group: crate::mechanisms::Group,
        rng: &mut crate::rng::Stream,
    ) -> u64 {
        match self {
            Self::Agents(engine) => engine.incident(model, process, eligible, group, rng),
            Self::Counts(engine) => engine.incident(model, process, eligible, group, rng),
        }
    }

    fn send_back(&mut self, link: usize) {
        match self {
            Self::Agents(engine) => engine.send_back(link),
            Self::Counts(engine) => engine.send_back(link),
        }
    }

    #[expect(clippy::too_many_arguments, reason = "the keys of the pass's streams")]
    fn pass(
        &mut self,
        model: &Model,
        tables: &DayTables,
        seed: u64,
        day: u32,
        batch: usize,
        pass: Pass,
        sub: Sub,
    ) {
        match self {
            Self::Agents(engine) => engine.pass(model, tables, seed, day, batch, pass, sub),
            Self::Counts(engine) => engine.pass(model, tables, seed, day, batch, pass, sub),
        }
    }

    /// Tallies the people of `batch` who may reach each location with a capacity in its
    /// travel pass (see [`Reach::tally`]); the agent engine's depart pass has made it.
    fn reach_tally(&mut self, model: &Model, reach: &Reach, batch: usize, tally: &mut [u64]) {
        match self {
            Self::Agents(engine) => match engine.departed_reach(batch) {
                Some(made) => tally.copy_from_slice(made),
                None => engine.reach_tally(model, reach, batch, tally),
            },
            Self::Counts(engine) => engine.reach_tally(model, reach, batch, tally),
        }
    }

    /// The same, by a scan of the batch (a check of the depart pass's tally).
    fn reach_tally_scan(&mut self, model: &Model, reach: &Reach, batch: usize, tally: &mut [u64]) {
        match self {
            Self::Agents(engine) => engine.reach_tally(model, reach, batch, tally),
            Self::Counts(engine) => engine.reach_tally(model, reach, batch, tally),
        }
    }

    /// Lets the engine know which locations with a capacity travellers may reach.
    fn set_reach(&mut self, reach: &Reach) {
        if let Self::Agents(engine) = self {
            engine.set_reach(reach);
        }
    }

    fn len(&self) -> u64 {
        match self {
            Self::Agents(engine) => engine.len() as u64,
            Self::Counts(engine) => engine.len(),
        }
    }

    fn location_counts(&self) -> &[u64] {
        match self {
            Self::Agents(engine) => &engine.location_counts,
            Self::Counts(engine) => &engine.location_counts,
        }
    }

    fn link_counts(&self) -> &[u64] {
        match self {
            Self::Agents(engine) => &engine.link_counts,
            Self::Counts(engine) => &engine.link_counts,
        }
    }

    /// Adds `count` people in state `agent` (new people at a location), dealt uniformly at
    /// random into the batches.
    fn add_dealt(
        &mut self,
        agent: Agent,
        count: u64,
        categories: Option<[usize; 3]>,
        rng: &mut crate::rng::Stream,
    ) {
        if let Self::Counts(engine) = self
            && engine.single_batch()
        {
            self.add(agent, 0, count, categories);
            return;
        }
        let mut dealt = [0_u64; BATCHES];
        let weights = [1.0; BATCHES];
        if count > 0 && multinomial(count, &weights, rng, &mut dealt).is_some() {
            for (batch, &n) in dealt.iter().enumerate() {
                if n > 0 {
                    self.add(agent, batch, n, categories);
                }
            }
        }
    }
}

/// Adds `count` new people at `location` on day `t`: with attributes, split by sex (drawn
/// from `attribute_rng`) and carrying their origin; then dealt into the batches with `deal`.
fn add_new(
    model: &Model,
    engine: &mut Population,
    location: usize,
    count: u64,
    t: i64,
    deal: &mut crate::rng::Stream,
    attribute_rng: &mut crate::rng::Stream,
) {
    let at = Agent::at(u32::try_from(location).unwrap_or(u32::MAX));
    let categories = |agent: &Agent| model.mech.active.then(|| model.categories_of(agent));
    if !model.mech.attrs.active {
        engine.add_dealt(at, count, categories(&at), deal);
        return;
    }
    for (spare, n) in model
        .mech
        .attrs
        .split_new(location, count, t, attribute_rng)
    {
        if n > 0 {
            let mut agent = at;
            agent.spare = spare;
            engine.add_dealt(agent, n, categories(&agent), deal);
        }
    }
}

/// One run of a scenario with one seed.
///
/// Each day ([`Simulation::step`]):
/// 1. conflicts of the day start or end (`conflicts.csv`);
/// 2. new people spawn (data-driven or conflict-driven);
/// 3. closures of the day close or reopen links and camps;
/// 4. the day's tables are computed: scores, move chances, route weights, capacity
///    multipliers, all from the state at the start of the day;
/// 5. every agent decides and travels (Flee's `evolve` and `finish_travel`). People are dealt
///    at random into fixed batches when they appear; when some location has a capacity,
///    every batch in turn departs, then every batch in turn travels, and the capacity tables
///    are refreshed after each batch, so later batches see the places earlier ones left and
///    filled, as Flee's agent-by-agent count updates do;
/// 6. observers see the day.
#[derive(Debug)]
pub struct Simulation {
    model: Model,
    state: WorldState,
    spawner: Spawner,
    tables: DayTables,
    engine: Population,
    seed: u64,
    day: u32,
    spawn_buffer: Vec<u64>,
    spawned_today: u64,
    policy: PolicyState,
    agent_limit: u64,
    /// Travel passes run in more than one sub-batch so far (not saved in checkpoints).
    split_passes: u64,
    /// Sub-batches those passes ran in, in all (not saved in checkpoints).
    sub_batches_run: u64,
    /// Which locations with a capacity travellers may reach today (static).
    reach: Reach,
    /// A tally of the people who may reach each of them (see [`Reach::tally`]; kept).
    reach_tally: Vec<u64>,
    /// Debug builds: the tally and the counts at the targets before a travel pass (kept).
    reach_check: Vec<u64>,
}

/// A travel pass that could carry a location across its capacity buffer runs in sub-batches
/// of at most 1/`SUB_RESOLUTION` of the buffer's width of travellers each (see
/// `Simulation::sub_batches`).
const SUB_RESOLUTION: f64 = 4.0;

/// The number of sub-batches for a travel pass given the capacities and counts of the
/// locations (see `Simulation::sub_batches`), where `tally[i]` people may reach
/// `targets[i]` today and `tally[targets.len()]` more may reach any of them: 1 unless some
/// target with a capacity is below it and the people who may reach it would take it past
/// `buffer` × capacity; then enough that each sub-batch has at most `(1 − buffer)` ×
/// capacity / [`SUB_RESOLUTION`] of them (at least 1), for the target that needs most, and
/// at most [`MAX_SUB_BATCHES`].
fn sub_batches_for(
    capacity: &[Option<u64>],
    counts: &[u64],
    buffer: f64,
    targets: &[u32],
    tally: &[u64],
) -> usize {
    let everywhere = tally.get(targets.len()).copied().unwrap_or(0);
    let mut of = 1;
    for (&target, &reaching) in targets.iter().zip(tally) {
        let target = target as usize;
        let count = counts[target];
        let Some(capacity) = capacity[target].filter(|&c| c >= 1 && count < c) else {
            continue;
        };
        let travellers = reaching.saturating_add(everywhere);
        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
        let (reach, capacity) = (count.saturating_add(travellers) as f64, capacity as f64);
        if reach <= buffer * capacity {
            continue;
        }
        let step = ((1.0 - buffer) * capacity / SUB_RESOLUTION).max(1.0);
        #[expect(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a positive ratio, capped below"
        )]
        let needed = (travellers as f64 / step)
            .ceil()
            .min(MAX_SUB_BATCHES as f64) as usize;
        of = of.max(needed);
    }
    of
}

/// The default largest number of people the agent engine may hold (16 bytes each: 8 GB).
pub(crate) const AGENT_LIMIT: u64 = 500_000_000;

/// Refuses to grow the agent engine past `limit` people (a clear error instead of running out
/// of memory); the count engine has no such limit.
fn check_agent_limit(
    engine: &Population,
    day: u32,
    adding: u64,
    limit: u64,
) -> Result<(), EngineError> {
    if let Population::Agents(agents) = engine {
        let total = (agents.len() as u64).saturating_add(adding);
        if total > limit {
            return Err(EngineError::TooManyAgents {
                day,
                people: total,
                limit,
            });
        }
    }
    Ok(())
}

impl Simulation {
    /// Prepares a run: builds the model and places the day-0 people (camp data with
    /// `insert_day0`, and `agents.csv`).
    ///
    /// # Errors
    /// When the scenario cannot be run (see [`EngineError`]).
    pub fn new(scenario: Scenario, seed: u64) -> Result<Self, EngineError> {
        Self::with_engine(scenario, seed, EngineKind::Agents)
    }

    /// As [`Simulation::new`], with a choice of engine.
    ///
    /// # Errors
    /// When the scenario cannot be run (see [`EngineError`]).
    pub fn with_engine(
        scenario: Scenario,
        seed: u64,
        kind: EngineKind,
    ) -> Result<Self, EngineError> {
        Self::with_agent_limit(scenario, seed, kind, AGENT_LIMIT)
    }

    /// As [`Simulation::with_engine`], with the largest number of people the agent engine may
    /// hold (the default is [`AGENT_LIMIT`]).
    ///
    /// # Errors
    /// When the scenario cannot be run (see [`EngineError`]), or the day-0 people already
    /// exceed the limit.
    pub fn with_agent_limit(
        scenario: Scenario,
        seed: u64,
        kind: EngineKind,
        agent_limit: u64,
    ) -> Result<Self, EngineError> {
        let model = Model::new(scenario)?;
        let state = WorldState::initial(&model.scenario);
        let mut engine = match kind {
            EngineKind::Agents => Population::Agents(AgentEngine::new(&model)),
            EngineKind::Counts => Population::Counts(CountEngine::new(&model)),
        };
        let scenario = &model.scenario;
        let spawn_rules = &scenario.settings.spawn_rules;
        let mut deal = stream(seed, u32::MAX, StreamKind::Spawn, 1);
        // People present on day 0 carry attributes drawn as on day 0 (their own stream).
        let mut attribute_rng = stream(seed, u32::MAX, StreamKind::Spawn, 2);
        if spawn_rules.insert_day0 && !spawn_rules.empty_camps_on_day0 {
            for index in 0..model.location_count() {
                if !state.camp[index] {
                    continue;
                }
                let id = tumen_core::LocationId::from_index(index);
                if let Some(series) = scenario.observations.camp(id) {
                    let people = u64::try_from(series.value_at(0)).unwrap_or(0);
                    check_agent_limit(&engine, 0, people, agent_limit)?;
                    add_new(
                        &model,
                        &mut engine,
                        index,
                        people,
                        0,
                        &mut deal,
                        &mut attribute_rng,
                    );
                }
            }
        }
        for location in &scenario.initial_agents {
            add_new(
                &model,
                &mut engine,
                location.index(),
                1,
                0,
                &mut deal,
                &mut attribute_rng,
            );
        }
        check_agent_limit(&engine, 0, 0, agent_limit)?;
        let reach = Reach::new(&model);
        engine.set_reach(&reach);
        Ok(Self {
            agent_limit,
            split_passes: 0,
            sub_batches_run: 0,
            reach,
            reach_tally: Vec::new(),
            reach_check: Vec::new(),
            state,
            spawner: Spawner::default(),
            tables: DayTables::default(),
            engine,
            seed,
            day: 0,
            spawn_buffer: Vec::new(),
            spawned_today: 0,
            policy: PolicyState::default(),
            model,
        })
    }

    /// Which engine moves the people.
    #[must_use]
    pub fn engine_kind(&self) -> EngineKind {
        match self.engine {
            Population::Agents(_) => EngineKind::Agents,
            Population::Counts(_) => EngineKind::Counts,
        }
    }

    /// The run's seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Saves the whole state of the run, with `observer`'s record of the days so far, as the
    /// bytes of a checkpoint (see [`crate::checkpoint`]). `fingerprint` identifies the run's
    /// inputs (for example a hash of the scenario's files and options); [`Simulation::resume`]
    /// requires the same.
    ///
    /// # Errors
    /// When the state or the observer cannot be encoded.
    pub fn checkpoint(
        &self,
        observer: &dyn Resumable,
        fingerprint: u64,
    ) -> Result<Vec<u8>, CheckpointError> {
        let info = CheckpointInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            fingerprint,
            seed: self.seed,
            engine: checkpoint::engine_name(self.engine_kind()).to_owned(),
            day: self.day,
            days: self.model.scenario.days,
        };
        let population = match &self.engine {
            Population::Agents(engine) => PopulationRef::Agents(engine.batches()),
            Population::Counts(engine) => PopulationRef::Counts(engine.batches()),
        };
        let state = StateRef {
            state: &self.state,
            spawner: &self.spawner,
            policy: &self.policy,
            agent_limit: self.agent_limit,
            population,
        };
        checkpoint::frame(&info, &state, &observer.save()?)
    }

    /// Resumes a run from checkpoint bytes written by [`Simulation::checkpoint`] for the same
    /// scenario, `seed`, engine and `fingerprint`, with the observer `make_observer` makes
    /// from the model (fresh, of the kind that was saved) restored to its saved record.
    /// Stepping on gives, day for day, what the run in one piece gives.
    ///
    /// # Errors
    /// When the bytes are not an intact checkpoint of this format and version, belong to
    /// another run, or do not fit the scenario.
    pub fn resume<O: Resumable>(
        scenario: Scenario,
        bytes: &[u8],
        seed: u64,
        kind: EngineKind,
        fingerprint: u64,
        make_observer: impl FnOnce(&Model) -> O,
    ) -> Result<(Self, O), CheckpointError> {
        let (info, saved, observers) = checkpoint::unframe(bytes)?;
        let version = env!("CARGO_PKG_VERSION");
        if info.version != version {
            return Err(CheckpointError::Version {
                found: info.version,
                expected: version.to_owned(),
            });
        }
        let mismatch = |what, found: String, expected: String| {
            Err(CheckpointError::Mismatch {
                what,
                found,
                expected,
            })
        };
        if info.fingerprint != fingerprint {
            return mismatch(
                "input fingerprint (scenario files, settings and options)",
                format!("{:016x}", info.fingerprint),
                format!("{fingerprint:016x}"),
            );
        }
        if info.seed != seed {
            return mismatch("seed", info.seed.to_string(), seed.to_string());
        }
        let engine = checkpoint::engine_name(kind);
        if info.engine != engine {
            return mismatch("engine", info.engine, engine.to_owned());
        }
        if info.days != scenario.days {
            return mismatch(
                "number of days",
                info.days.to_string(),
                scenario.days.to_string(),
            );
        }
        if info.day > info.days {
            return Err(CheckpointError::Corrupt(format!(
                "day {} of a {}-day run",
                info.day, info.days
            )));
        }
        let model = Model::new(scenario)?;
        checkpoint::check(&model, &saved)?;
        let engine = match saved.population {
            checkpoint::Population::Agents(batches) => {
                if kind != EngineKind::Agents {
                    return mismatch("engine", "agents".to_owned(), engine.to_owned());
                }
                Population::Agents(AgentEngine::from_batches(&model, batches))
            }
            checkpoint::Population::Counts(batches) => {
                if kind != EngineKind::Counts {
                    return mismatch("engine", "counts".to_owned(), engine.to_owned());
                }
                Population::Counts(CountEngine::from_batches(&model, batches))
            }
        };
        let mut observer = make_observer(&model);
        observer.restore(&observers)?;
        let reach = Reach::new(&model);
        let mut engine = engine;
        engine.set_reach(&reach);
        let simulation = Self {
            agent_limit: saved.agent_limit,
            split_passes: 0,
            sub_batches_run: 0,
            reach,
            reach_tally: Vec::new(),
            reach_check: Vec::new(),
            state: saved.state,
            spawner: saved.spawner,
            tables: DayTables::default(),
            engine,
            seed,
            day: info.day,
            spawn_buffer: Vec::new(),
            spawned_today: 0,
            policy: saved.policy,
            model,
        };
        Ok((simulation, observer))
    }

    /// The static model.
    #[must_use]
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The next day to simulate.
    #[must_use]
    pub fn day(&self) -> u32 {
        self.day
    }

    /// Number of people in the simulation (travelling or not).
    #[must_use]
    pub fn population(&self) -> u64 {
        self.engine.len()
    }

    /// People at each location at the end of the last simulated day.
    #[must_use]
    pub fn location_counts(&self) -> &[u64] {
        self.engine.location_counts()
    }

    /// How many travel passes of this process ran in sub-batches (see `sub_batches`; a
    /// diagnostic, not saved in checkpoints).
    #[must_use]
    pub fn split_passes(&self) -> u64 {
        self.split_passes
    }

    /// How many sub-batches the split travel passes ran in, in all (a diagnostic, not saved
    /// in checkpoints).
    #[must_use]
    pub fn sub_batches_run(&self) -> u64 {
        self.sub_batches_run
    }

    /// Number of distinct states the count engine tracks (`None` with the agent engine).
    #[must_use]
    pub fn distinct_states(&self) -> Option<usize> {
        match &self.engine {
            Population::Agents(_) => None,
            Population::Counts(engine) => Some(engine.cohort_count()),
        }
    }

    /// Whether every day of the scenario has been simulated.
    #[must_use]
    pub fn finished(&self) -> bool {
        self.day >= self.model.scenario.days
    }

    /// Simulates one day and shows it to `observer`.
    ///
    /// # Errors
    /// When spawning is impossible or the observer fails.
    pub fn step(&mut self, observer: &mut dyn Observer) -> Result<(), EngineError> {
        let day = self.day;
        let t = i64::from(day);
        let changed = self.apply_conflicts(day);
        // Flee spawns with the weights of its last refresh: yesterday's, unless a conflict
        // zone started or ended today.
        let weight_time = if changed || day == 0 { t } else { t - 1 };
        self.spawner
            .refresh_weights(&self.model, &self.state, weight_time);
        let mut rng = stream(self.seed, day, StreamKind::Spawn, 0);
        self.engine.events_mut().fill(0);
        let mut buffer = std::mem::take(&mut self.spawn_buffer);
        if self.model.scenario.mechanisms.push.is_empty() {
            self.spawned_today =
                self.spawner
                    .spawn(&self.model, &mut self.state, day, &mut rng, &mut buffer)?;
        } else {
            self.spawned_today = self.push(t, &mut rng, &mut buffer);
        }
        let arriving = buffer.iter().fold(0_u64, |sum, &c| sum.saturating_add(c));
        check_agent_limit(&self.engine, day, arriving, self.agent_limit)?;
        if self.model.mech.attrs.active {
            // The attributes of the new people come from their own stream, so that the
            // dealing into batches draws what it draws without attributes.
            let mut attribute_rng = stream(self.seed, day, StreamKind::Spawn, 2);
            for (location, &count) in buffer.iter().enumerate() {
                if count > 0 {
                    add_new(
                        &self.model,
                        &mut self.engine,
                        location,
                        count,
                        t,
                        &mut rng,
                        &mut attribute_rng,
                    );
                }
            }
        } else {
            for (location, &count) in buffer.iter().enumerate() {
                if count > 0 {
                    let category = self.category_of_new(location);
                    let agent = Agent::at(u32::try_from(location).unwrap_or(u32::MAX));
                    self.engine.add_dealt(agent, count, category, &mut rng);
                }
            }
        }
        self.spawn_buffer = buffer;
        self.apply_closures(t);
        if self.model.mech.active {
            let exited = self
                .engine
                .status_counts()
                .get(EXITED)
                .copied()
                .unwrap_or(0);
            self.tables.mech.refresh(
                &self.model.scenario,
                &self.model.mech,
                &self.policy,
                t,
                exited,
            );
        }
        self.tables.refresh(
            &self.model,
            &mut self.state,
            self.engine.location_counts(),
            t,
        );
        if self.model.mech.active {
            self.run_incidents(t);
        }
        if self.model.capacity_limited {
            // Flee updates counts agent by agent, so capacity depends on who moved before.
            // People act batch after batch: first every batch departs, then every batch
            // travels, with the capacity tables refreshed after each batch.
            // A travel pass that could carry a location across its capacity buffer runs in
            // sub-batches (see `sub_batches`), with the tables refreshed after each.
            for pass in [Pass::Depart, Pass::Travel] {
                for batch in 0..BATCHES {
                    let of = if pass == Pass::Travel {
                        self.sub_batches(batch)
                    } else {
                        1
                    };
                    if of > 1 {
                        self.split_passes += 1;
                        self.sub_batches_run += of as u64;
                    }
                    let check = cfg!(debug_assertions) && pass == Pass::Travel;
                    if check {
                        self.reach_check_before(batch);
                    }
                    for index in 0..of {
                        self.engine.pass(
                            &self.model,
                            &self.tables,
                            self.seed,
                            day,
                            batch,
                            pass,
                            Sub { index, of },
                        );
                        self.tables.refresh_capacity(
                            &self.model,
                            &self.state,
                            self.engine.location_counts(),
                        );
                    }
                    if check {
                        self.reach_check_after(day, batch);
                    }
                }
            }
        } else {
            for batch in 0..BATCHES {
                self.engine.pass(
                    &self.model,
                    &self.tables,
                    self.seed,
                    day,
                    batch,
                    Pass::Whole,
                    Sub::WHOLE,
                );
            }
        }
        if self.model.mech.active {
            self.run_queues(t);
            self.fire_triggers(day);
        }
        let view = DayView {
            day: Day(day),
            status_counts: self.engine.status_counts(),
            events: self.engine.events(),
            enforcement: &self.tables.mech.intensity,
            location_counts: self.engine.location_counts(),
            link_counts: self.engine.link_counts(),
            agents_total: self.engine.len(),
            spawned_today: self.spawned_today,
            raw_total: self.spawner.raw_total,
            debt: self.spawner.debt,
            camp: &self.state.camp,
            link_open: &self.state.link_open,
        };
        observer.on_day(&view)?;
        self.day += 1;
        Ok(())
    }

    /// How many sub-batches the travel pass of `batch` runs in. Flee updates a camp's count
    /// person by person, so on a mass departure the people who re-plan after a short day stop
    /// choosing a camp as soon as it passes its capacity buffer; a batch whose travellers all
    /// see the count of its start overfills it (issue 15, case 3). So when the batch's
    /// travellers who may reach a location with a capacity that is not full yet today (see
    /// [`Reach`]: its network distance from the end of their link is within a day's travel)
    /// could, all arriving there, carry it past the start of its buffer (`capacity_buffer` ×
    /// capacity, where Flee's `getCapMultiplier` leaves 1), the batch runs in sub-batches of
    /// at most 1/[`SUB_RESOLUTION`] of the buffer's width of such travellers, so that no
    /// sub-batch can move a multiplier by more than that; at most [`MAX_SUB_BATCHES`]. The
    /// number depends only on counts of people per state (the same in distribution in both
    /// engines), and is 1, the pass as before, when even everyone on the links that lead
    /// within reach of a capacity could not reach its buffer: the batch is then not scanned.
    fn sub_batches(&mut self, batch: usize) -> usize {
        if self.reach.targets().is_empty() {
            return 1;
        }
        let counts = self.engine.location_counts();
        let capacity = &self.model.capacity;
        let buffer = self.model.settings().move_rules.capacity_buffer;
        let mech_active = self.model.mech.active;
        self.reach_tally.resize(self.reach.width(), 0);
        // Everyone on a link, counted for every target someone on that link may reach, is
        // a bound of the batch's tally: when even that cannot reach a buffer, no scan.
        self.reach.tally_links(
            self.engine.link_counts(),
            mech_active,
            &mut self.reach_tally,
        );
        let targets = self.reach.targets();
        if sub_batches_for(capacity, counts, buffer, targets, &self.reach_tally) == 1 {
            return 1;
        }
        self.engine
            .reach_tally(&self.model, &self.reach, batch, &mut self.reach_tally);
        let counts = self.engine.location_counts();
        sub_batches_for(capacity, counts, buffer, targets, &self.reach_tally)
    }

    /// Debug builds: before a travel pass, tallies who may reach each location with a
    /// capacity (see [`Reach`]) and notes the counts there.
    fn reach_check_before(&mut self, batch: usize) {
        let width = self.reach.width();
        self.reach_check.clear();
        self.reach_check.resize(2 * width, 0);
        let (tally, counts) = self.reach_check.split_at_mut(width);
        self.engine
            .reach_tally_scan(&self.model, &self.reach, batch, tally);
        self.reach_tally.resize(width, 0);
        self.engine
            .reach_tally(&self.model, &self.reach, batch, &mut self.reach_tally);
        assert_eq!(
            *tally, *self.reach_tally,
            "batch {batch}: the depart pass's tally of who may reach a capacity is not the batch's"
        );
        for (count, &target) in counts.iter_mut().zip(self.reach.targets()) {
            *count = self.engine.location_counts()[target as usize];
        }
    }

    /// Debug builds: after a travel pass, checks that no location with a capacity gained more
    /// people than [`Reach`] said may reach it (the bound the sub-batches rely on).
    fn reach_check_after(&self, day: u32, batch: usize) {
        let width = self.reach.width();
        let (tally, counts) = self.reach_check.split_at(width);
        let everywhere = tally[width - 1];
        for ((&target, &reaching), &before) in self.reach.targets().iter().zip(tally).zip(counts) {
            let after = self.engine.location_counts()[target as usize];
            assert!(
                after <= before + reaching + everywhere,
                "day {day}, batch {batch}: location {target} went from {before} to {after} \
                 people, but only {} may reach it",
                reaching + everywhere
            );
        }
    }

    /// Runs every remaining day.
    ///
    /// # Errors
    /// As [`Simulation::step`].
    pub fn run(&mut self, observer: &mut dyn Observer) -> Result<(), EngineError> {
        while !self.finished() {
            self.step(observer)?;
        }
        Ok(())
    }

    /// The category slots of people who appear at `location` (when categories are counted).
    fn category_of_new(&self, location: usize) -> Option<[usize; 3]> {
        self.model.mech.active.then(|| {
            self.model
                .categories_of(&Agent::at(u32::try_from(location).unwrap_or(u32::MAX)))
        })
    }

    /// Push from origins: a Poisson number of people per origin with the day's mean.
    fn push(&mut self, t: i64, rng: &mut crate::rng::Stream, buffer: &mut Vec<u64>) -> u64 {
        use rand_distr::Distribution;
        buffer.clear();
        buffer.resize(self.model.location_count(), 0);
        let mut total = 0;
        let season = push_season(&self.model.scenario, &self.model.mech, t);
        for push in &self.model.scenario.mechanisms.push {
            let mean = push_mean(&self.model.scenario, push, t) * season;
            let count = if mean > 0.0 {
                rand_distr::Poisson::new(mean).map_or(0.0, |p| p.sample(rng))
            } else {
                0.0
            };
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a Poisson draw is a non-negative whole number"
            )]
            let count = count as u64;
            buffer[push.location.index()] += count;
            total += count;
        }
        if let Some(slot) = self.engine.events_mut().get_mut(EV_PUSHED) {
            *slot += total;
        }
        total
    }

    /// The scheduled incidents of day `t`: groups drawn among the hidden people settled in the
    /// channel's country claim asylum at once.
    fn run_incidents(&mut self, t: i64) {
        let Some(asylum) = &self.model.scenario.mechanisms.asylum else {
            return;
        };
        let day = u32::try_from(t).unwrap_or(u32::MAX);
        for (index, incident) in asylum.incidents.iter().enumerate() {
            if incident.day != t {
                continue;
            }
            let country = self.model.mech.channel_country[incident.channel];
            let network = &self.model.scenario.network;
            let irregular = &self.model.mech;
            let eligible = |agent: &crate::agents::Agent| {
                agent.status == Status::Free as u8
                    && agent.location().is_some_and(|l| {
                        irregular.place_irregular(l as usize, false)
                            && network.locations[l as usize].country.0 == country
                    })
            };
            let process = DayProcess::new(&self.model, &self.tables);
            let mut rng = stream(self.seed, day, StreamKind::Incidents, index as u64);
            self.engine.incident(
                &self.model,
                &process,
                &eligible,
                crate::mechanisms::Group {
                    size: incident.size,
                    channel: incident.channel,
                    success: incident.success,
                    allowed: incident.allowed,
                    failure: incident
                        .on_failure
                        .unwrap_or(self.model.mech.channel_failure[incident.channel]),
                    bring: true,
                },
                &mut rng,
            );
        }
    }

    /// The channels with a capacity decide today's quota of claims: a uniformly random group
    /// of their queued claimants (at most the quota) is decided with the channel's success
    /// probability. A closed channel decides nothing (its queue is turned away in the next
    /// day's draws).
    fn run_queues(&mut self, t: i64) {
        let Ok(day) = u32::try_from(t) else {
            return;
        };
        for channel in 0..self.model.mech.channels {
            let Some(&quota) = self.model.mech.channel_quota[channel].get(day as usize) else {
                continue;
            };
            if quota == 0 || !self.tables.mech.channel_open[channel] {
                continue;
            }
            let wanted = u32::try_from(channel).unwrap_or(u32::MAX);
            let eligible = |agent: &crate::agents::Agent| {
                agent.status == Status::Queued as u8 && agent.route == wanted
            };
            let process = DayProcess::new(&self.model, &self.tables);
            let key = (1_u64 << 40) | channel as u64;
            let mut rng = stream(self.seed, day, StreamKind::Incidents, key);
            self.engine.incident(
                &self.model,
                &process,
                &eligible,
                crate::mechanisms::Group {
                    size: quota,
                    channel,
                    success: self.model.mech.channel_success[channel],
                    allowed: None,
                    failure: self.model.mech.channel_failure[channel],
                    bring: false,
                },
                &mut rng,
            );
        }
    }

    /// Policy feedback: fires every enabled trigger whose country's channels received at least
    /// its minimum number of people today.
    fn fire_triggers(&mut self, day: u32) {
        let mech = &self.model.mech;
        let events = self.engine.events();
        for (index, trigger) in self.model.scenario.mechanisms.triggers.iter().enumerate() {
            if !trigger.enabled {
                continue;
            }
            let people: u64 = (0..mech.channels)
                .filter(|&c| mech.channel_country[c] == trigger.country.0)
                .map(|c| events[mech.channel_slot(c)])
                .sum();
            if people >= trigger.min_size && people > 0 {
                self.policy.fired.push(Fired {
                    trigger: index,
                    day,
                    people,
                });
            }
        }
    }

    /// The triggers fired so far.
    #[must_use]
    pub fn fired_triggers(&self) -> &[Fired] {
        &self.policy.fired
    }

    /// Flee's `AddNewConflictZones`: returns whether any zone started or ended.
    fn apply_conflicts(&mut self, day: u32) -> bool {
        let conflicts = &self.model.scenario.schedule.conflicts;
        let rules = &self.model.scenario.settings.move_rules;
        let t = day as usize;
        let mut changed = false;
        for (column, location) in conflicts.locations.iter().enumerate() {
            let value = conflicts.at(t, column);
            let previous = if t > 0 {
                conflicts.at(t - 1, column)
            } else {
                0.0
            };
            if value > 1e-6 {
                if t == 0 || previous < 1e-6 {
                    self.state
                        .add_conflict(rules, location.index(), value, i64::from(day));
                    changed = true;
                }
            } else if t > 0 && previous >= 1e-6 {
                // Flee 3.1 ends a conflict only if yesterday's intensity was exactly 1 (Q10);
                // Tumen ends it whenever the intensity drops to 0.
                self.state.remove_conflict(rules, location.index());
                changed = true;
            }
        }
        changed
    }

    /// Flee's `enact_border_closures`.
    fn apply_closures(&mut self, t: i64) {
        let rules = self.model.scenario.settings.move_rules.clone();
        for index in 0..self.model.scenario.schedule.closures.len() {
            let closure = &self.model.scenario.schedule.closures[index];
            let (start, end) = (closure.start, closure.end);
            let scope = closure.scope.clone();
            if t == start {
                self.apply_scope(&scope, false, &rules);
            }
            if t == end {
                self.apply_scope(&scope, true, &rules);
            }
        }
    }

    fn apply_scope(&mut self, scope: &ClosureScope, open: bool, rules: &tumen_core::MoveRules) {
        let network = &self.model.scenario.network;
        let mut links = Vec::new();
        match *scope {
            ClosureScope::Country { a, b } => {
                if let (Some(a), Some(b)) = (a, b) {
                    for (index, link) in network.links.iter().enumerate() {
                        let from = network.location(link.from).country;
                        let to = network.location(link.to).country;
                        if (from == a && to == b) || (from == b && to == a) {
                            links.push(index);
                        }
                    }
                }
            }
            ClosureScope::Location { location } => {
                for (index, link) in network.links.iter().enumerate() {
                    if link.from == location || link.to == location {
                        links.push(index);
                    }
                }
            }
            ClosureScope::Link { a, b } => {
                for (index, link) in network.links.iter().enumerate() {
                    if (link.from == a && link.to == b) || (link.from == b && link.to == a) {
                        links.push(index);
                    }
                }
            }
            ClosureScope::Camp { location, idp } => {
                if open {
                    self.state.open_camp(rules, location.index(), idp);
                } else {
                    self.state.close_camp(rules, location.index());
                }
            }
            ClosureScope::RemoveForcedRedirection { .. } => {}
        }
        for link in links {
            if self
                .state
                .set_link_open(tumen_core::LinkId::from_index(link), open)
            {
                self.engine.send_back(link);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sub_batches_for;

    /// One target with `travellers` who may reach it.
    fn one(capacity: Option<u64>, count: u64, buffer: f64, travellers: u64) -> usize {
        sub_batches_for(&[capacity], &[count], buffer, &[0], &[travellers, 0])
    }

    #[test]
    fn sub_batches_only_where_a_buffer_is_within_reach() {
        // burundi2015's Lusenda at hasten 10: capacity 1 721, buffer 0.9 (starts at 1 548.9),
        // a step of 0.1 × 1 721 / 4 = 43.025 travellers.
        let lusenda = Some(1_721);
        assert_eq!(one(lusenda, 0, 0.9, 1_700), 40);
        assert_eq!(one(lusenda, 0, 0.9, 1_548), 1);
        assert_eq!(one(lusenda, 1_500, 0.9, 49), 2);
        assert_eq!(one(lusenda, 1_500, 0.9, 48), 1);
        // Full already (the multiplier stays 0 whatever arrives), or no capacity.
        assert_eq!(one(lusenda, 1_721, 0.9, 10_000), 1);
        assert_eq!(one(None, 0, 0.9, 10_000), 1);
        assert_eq!(one(Some(0), 0, 0.9, 10_000), 1);
        // The number is capped.
        assert_eq!(one(Some(100), 0, 0.9, 10_000), 64);
        // No buffer (1.0): one traveller per sub-batch, capped.
        assert_eq!(one(Some(100), 0, 1.0, 30), 1);
        assert_eq!(one(Some(100), 80, 1.0, 30), 30);
    }

    #[test]
    fn each_target_counts_only_the_people_who_may_reach_it() {
        // Locations 0 and 2 have capacities (targets 0 and 1), location 1 none.
        let capacity = [Some(1_721), None, Some(100_000)];
        let targets = [0, 2];
        // The target that needs most decides.
        let counts = [0, 0, 95_000];
        assert_eq!(
            sub_batches_for(&capacity, &counts, 0.9, &targets, &[1_700, 1_700, 0]),
            40
        );
        // 1 700 people may reach the big camp, none the small one: nothing can be crossed.
        let counts = [0, 0, 0];
        assert_eq!(
            sub_batches_for(&capacity, &counts, 0.9, &targets, &[0, 1_700, 0]),
            1
        );
        // The same people counted for every target (the last slot).
        assert_eq!(
            sub_batches_for(&capacity, &counts, 0.9, &targets, &[0, 0, 1_700]),
            40
        );
    }
}
