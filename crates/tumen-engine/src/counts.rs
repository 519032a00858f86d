//! The count engine: people in the same state are exchangeable, so the engine keeps one cohort
//! (state, count) per distinct state and draws each day's outcomes as binomial and multinomial
//! splits of the cohort (see `process.rs`). Its cost grows with the number of distinct states,
//! not with the number of people.

use crate::agents::{Agent, BATCHES, ON_LINK, PLACE_MASK, Pass, SENT_BACK};
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

/// The cohorts, per batch, and the counts derived from them.
#[derive(Clone, Debug, Default)]
pub struct CountEngine {
    batches: Vec<Vec<Cohort>>,
    next: Vec<Cohort>,
    total: u64,
    /// People at each location now.
    pub location_counts: Vec<u64>,
    /// People on each link now.
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
            batches: vec![Vec::new(); BATCHES],
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

    /// Number of distinct (batch, state) cohorts.
    #[must_use]
    pub fn cohort_count(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }

    /// Adds `count` people at `location` to `batch`.
    pub fn add(&mut self, location: usize, batch: usize, count: u64) {
        if count == 0 {
            return;
        }
        let agent = Agent::at(u32::try_from(location).unwrap_or(PLACE_MASK));
        self.batches[batch % BATCHES].push(Cohort { agent, count });
        self.total += count;
        self.location_counts[location] += count;
    }

    /// Marks the people on `link` as sent back (see the agent engine).
    pub fn send_back(&mut self, link: usize) {
        let target = ON_LINK | u32::try_from(link).unwrap_or(PLACE_MASK);
        for cohort in self.batches.iter_mut().flatten() {
            if cohort.agent.place & (ON_LINK | PLACE_MASK) == target {
                cohort.agent.place |= SENT_BACK;
            }
        }
    }

    /// One pass over `batch` (see the agent engine): the cohorts concerned are split by the
    /// day's draws; identical end states are merged.
    pub(crate) fn pass(
        &mut self,
        model: &Model,
        tables: &DayTables,
        seed: u64,
        day: u32,
        batch: usize,
        pass: Pass,
    ) {
        let process = DayProcess::new(model, tables);
        let stream_key = (pass.key() << 56) | ((batch as u64) << 48);
        let mut rng = stream(seed, day, StreamKind::Counts, stream_key);
        self.next.clear();
        let mut sink = CohortSink {
            next: &mut self.next,
            locations: &mut self.location_counts,
            links: &mut self.link_counts,
        };
        for cohort in self.batches[batch].drain(..) {
            let on_link = cohort.agent.place & ON_LINK != 0;
            let run = match pass {
                Pass::Whole => true,
                Pass::Depart => !on_link,
                Pass::Travel => on_link,
            };
            if !run {
                sink.next.push(cohort);
                continue;
            }
            let place = (cohort.agent.place & PLACE_MASK) as usize;
            if on_link {
                sink.links[place] -= cohort.count;
            } else {
                sink.locations[place] -= cohort.count;
            }
            match pass {
                Pass::Whole => process.day(cohort.agent, cohort.count, &mut rng, &mut sink),
                Pass::Depart => process.depart(cohort.agent, cohort.count, &mut rng, &mut sink),
                Pass::Travel => process.travel_day(cohort.agent, cohort.count, &mut rng, &mut sink),
            }
        }
        self.next.sort_unstable_by_key(|c| key(&c.agent));
        let cohorts = &mut self.batches[batch];
        for cohort in self.next.drain(..) {
            match cohorts.last_mut() {
                Some(last) if key(&last.agent) == key(&cohort.agent) => last.count += cohort.count,
                _ => cohorts.push(cohort),
            }
        }
    }
}

/// Collects end states and counts them.
struct CohortSink<'a> {
    next: &'a mut Vec<Cohort>,
    locations: &'a mut Vec<u64>,
    links: &'a mut Vec<u64>,
}

impl CohortSink<'_> {
    fn push(&mut self, agent: Agent, n: u64) {
        let place = (agent.place & PLACE_MASK) as usize;
        if agent.place & ON_LINK == 0 {
            self.locations[place] += n;
        } else {
            self.links[place] += n;
        }
        self.next.push(Cohort { agent, count: n });
    }
}

impl Sink for CohortSink<'_> {
    fn settled(&mut self, agent: Agent, n: u64) {
        self.push(agent, n);
    }

    fn departed(&mut self, agent: Agent, n: u64) {
        self.push(agent, n);
    }
}
