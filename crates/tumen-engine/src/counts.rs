//! The count engine: people in the same state are exchangeable, so the engine keeps one cohort
//! (state, count) per distinct state and draws each day's outcomes as binomial and multinomial
//! splits of the cohort (see `process.rs`). Its cost grows with the number of distinct states,
//! not with the number of people.

use crate::agents::{Agent, ON_LINK, PLACE_MASK, SENT_BACK};
use crate::process::{DayProcess, Sink};
use crate::rng::{StreamKind, stream};
use crate::world::{DayTables, Model};

/// People in one state.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Cohort {
    /// The state every member shares.
    pub agent: Agent,
    /// How many people.
    pub count: u64,
}

/// The cohorts and the counts derived from them.
#[derive(Clone, Debug, Default)]
pub struct CountEngine {
    cohorts: Vec<Cohort>,
    next: Vec<Cohort>,
    pending: Vec<(Agent, u64, f64)>,
    total: u64,
    /// People at each location at the end of the last day.
    pub location_counts: Vec<u64>,
    /// People on each link at the end of the last day.
    pub link_counts: Vec<u64>,
}

fn key(agent: &Agent) -> (u32, u32, u32, u32) {
    (
        agent.place,
        agent.route,
        agent.km_on_link.to_bits(),
        agent.recent_travel.to_bits(),
    )
}

impl CountEngine {
    /// No people yet.
    #[must_use]
    pub fn new(model: &Model) -> Self {
        Self {
            location_counts: vec![0; model.location_count()],
            link_counts: vec![0; model.link_count()],
            ..Self::default()
        }
    }

    /// Number of people.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether there is nobody.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Number of distinct states.
    #[must_use]
    pub fn cohort_count(&self) -> usize {
        self.cohorts.len()
    }

    /// Adds `count` people at `location`.
    pub fn add(&mut self, location: usize, count: u64) {
        if count == 0 {
            return;
        }
        let agent = Agent::at(u32::try_from(location).unwrap_or(PLACE_MASK));
        self.cohorts.push(Cohort { agent, count });
        self.total += count;
        self.location_counts[location] += count;
    }

    /// Marks the people on `link` as sent back (see the agent engine).
    pub fn send_back(&mut self, link: usize) {
        let target = ON_LINK | u32::try_from(link).unwrap_or(PLACE_MASK);
        for cohort in &mut self.cohorts {
            if cohort.agent.place & (ON_LINK | PLACE_MASK) == target {
                cohort.agent.place |= SENT_BACK;
            }
        }
    }

    /// The first round of a day for every cohort (see the agent engine); recounts.
    pub fn first_round(&mut self, model: &Model, tables: &DayTables, seed: u64, day: u32) {
        self.round_of(model, tables, seed, day, 0, |_| true);
        self.finish_day_if_done();
    }

    /// Starts a day: no end states yet.
    pub fn start_day(&mut self) {
        self.next.clear();
        self.pending.clear();
    }

    /// Round 0 of a day: the people settled at locations with a capacity decide first, so that
    /// everyone deciding after them sees the places they leave.
    pub fn camp_round(&mut self, model: &Model, tables: &DayTables, seed: u64, day: u32) {
        self.round_of(model, tables, seed, day, 1, |agent| {
            agent.place & ON_LINK == 0
                && model.capacity[(agent.place & PLACE_MASK) as usize].is_some_and(|c| c >= 1)
        });
    }

    fn round_of(
        &mut self,
        model: &Model,
        tables: &DayTables,
        seed: u64,
        day: u32,
        key: u64,
        select: impl Fn(&Agent) -> bool,
    ) {
        let process = DayProcess::new(model, tables);
        let mut rng = stream(seed, day, StreamKind::Counts, key);
        let mut sink = CohortSink {
            next: &mut self.next,
            pending: &mut self.pending,
            locations: &mut self.location_counts,
            links: &mut self.link_counts,
        };
        self.cohorts.retain(|cohort| {
            if !select(&cohort.agent) {
                return true;
            }
            let place = (cohort.agent.place & PLACE_MASK) as usize;
            if cohort.agent.place & ON_LINK == 0 {
                sink.locations[place] -= cohort.count;
            } else {
                sink.links[place] -= cohort.count;
            }
            process.day(cohort.agent, cohort.count, &mut rng, &mut sink);
            false
        });
    }

    /// Whether some people arrived on a short day and must evolve again.
    #[must_use]
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// A further round of the day for the pending cohorts.
    pub fn next_round(
        &mut self,
        model: &Model,
        tables: &DayTables,
        seed: u64,
        day: u32,
        round: u32,
    ) {
        let process = DayProcess::new(model, tables);
        let mut rng = stream(seed, day, StreamKind::Rounds, u64::from(round) << 40);
        let mut current = std::mem::take(&mut self.pending);
        current.sort_unstable_by_key(|(agent, _, moved)| (key(agent), moved.to_bits()));
        let mut merged: Vec<(Agent, u64, f64)> = Vec::with_capacity(current.len());
        for entry in current.drain(..) {
            match merged.last_mut() {
                Some(last)
                    if key(&last.0) == key(&entry.0) && last.2.to_bits() == entry.2.to_bits() =>
                {
                    last.1 += entry.1;
                }
                _ => merged.push(entry),
            }
        }
        self.pending = current;
        let mut sink = CohortSink {
            next: &mut self.next,
            pending: &mut self.pending,
            locations: &mut self.location_counts,
            links: &mut self.link_counts,
        };
        for &(agent, count, moved) in &merged {
            // Pending people are at a location; the sink counts them where they end up.
            sink.locations[(agent.place & PLACE_MASK) as usize] -= count;
            process.resume(agent, count, moved, &mut rng, &mut sink);
        }
        self.finish_day_if_done();
    }

    /// Once nobody is pending, the day's end states become the cohorts (identical states
    /// merged).
    fn finish_day_if_done(&mut self) {
        if !self.pending.is_empty() {
            return;
        }
        self.next.sort_unstable_by_key(|c| key(&c.agent));
        self.cohorts.clear();
        for cohort in self.next.drain(..) {
            match self.cohorts.last_mut() {
                Some(last) if key(&last.agent) == key(&cohort.agent) => last.count += cohort.count,
                _ => self.cohorts.push(cohort),
            }
        }
    }
}

/// Collects a round's end states and counts them.
struct CohortSink<'a> {
    next: &'a mut Vec<Cohort>,
    pending: &'a mut Vec<(Agent, u64, f64)>,
    locations: &'a mut Vec<u64>,
    links: &'a mut Vec<u64>,
}

impl CohortSink<'_> {
    fn count(&mut self, agent: &Agent, n: u64) {
        let place = (agent.place & PLACE_MASK) as usize;
        if agent.place & ON_LINK == 0 {
            self.locations[place] += n;
        } else {
            self.links[place] += n;
        }
    }
}

impl Sink for CohortSink<'_> {
    fn settled(&mut self, agent: Agent, n: u64) {
        self.count(&agent, n);
        self.next.push(Cohort { agent, count: n });
    }

    fn pending(&mut self, agent: Agent, n: u64, moved: f64) {
        self.count(&agent, n);
        self.pending.push((agent, n, moved));
    }
}
