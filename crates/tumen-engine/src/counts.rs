//! The count engine: people in the same state are exchangeable, so the engine keeps one cohort
//! (state, count) per distinct state and draws each day's outcomes as binomial and multinomial
//! splits of the cohort (see `process.rs`). Its cost grows with the number of distinct states,
//! not with the number of people.

use crate::agents::{Agent, ON_LINK, PLACE_MASK, SENT_BACK};
use crate::process::DayProcess;
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

    /// Advances every cohort by one day, merges identical states and recounts.
    pub fn step(&mut self, model: &Model, tables: &DayTables, seed: u64, day: u32) {
        let process = DayProcess::new(model, tables);
        let mut rng = stream(seed, day, StreamKind::Counts, 0);
        self.location_counts.fill(0);
        self.link_counts.fill(0);
        self.next.clear();
        let next = &mut self.next;
        let locations = &mut self.location_counts;
        let links = &mut self.link_counts;
        for cohort in &self.cohorts {
            process.day(cohort.agent, cohort.count, &mut rng, &mut |agent, count| {
                let place = (agent.place & PLACE_MASK) as usize;
                if agent.place & ON_LINK == 0 {
                    locations[place] += count;
                } else {
                    links[place] += count;
                }
                next.push(Cohort { agent, count });
            });
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
