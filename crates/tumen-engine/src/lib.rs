//! Tumen's day loop. A [`Simulation`] runs a [`Scenario`](tumen_core::Scenario) day by day in
//! Flee 3.1's order (conflicts, spawning, closures, moves) and shows every day to an
//! [`Observer`]. Randomness comes from streams keyed by (seed, day, chunk), so a seed gives the
//! same result whatever the number of threads.
//!
//! # Example
//! ```
//! use tumen_core::{LocationKind, Network, Observations, Scenario, Schedule, Series, Settings};
//! use tumen_engine::Simulation;
//!
//! let mut builder = Network::builder();
//! let origin = builder.add("A", LocationKind::ConflictZone, "Home", 10_000);
//! let camp = builder.add("B", LocationKind::Camp, "Away", 0);
//! builder.link(origin, camp, 120.0);
//! let scenario = Scenario {
//!     name: "example".into(),
//!     start_date: tumen_core::Date::constant(2020, 1, 1),
//!     days: 10,
//!     network: builder.build(),
//!     settings: Settings::flee_defaults(),
//!     schedule: Schedule::default(),
//!     observations: Observations {
//!         total: Series { points: vec![(0, 0.0), (9, 900.0)] },
//!         camps: vec![(camp, Series { points: vec![(0, 0.0)] })],
//!     },
//!     initial_agents: Vec::new(),
//!     mechanisms: Default::default(),
//! };
//! let mut simulation = Simulation::new(scenario, 42).unwrap();
//! simulation.run(&mut ()).unwrap();
//! assert_eq!(simulation.population(), 900);
//! ```

mod agents;
mod attributes;
pub mod checkpoint;
mod counts;
mod mechanisms;
mod observer;
mod process;
mod reach;
mod rng;
mod routes;
mod simulation;
mod spawn;
mod world;

pub use attributes::{ORIGIN_EVENTS, SEX_CATEGORIES, SEX_EVENTS, attribute_event_names};
pub use checkpoint::{CheckpointError, Resumable};
pub use mechanisms::{CATEGORIES, EVENTS, Fired};
pub use observer::{DayView, Observer, ObserverError};
pub use rng::mix64;
pub use simulation::{EngineKind, Simulation};
pub use world::Model;

/// Why a run cannot go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The graph has more candidate routes than the engine can index.
    #[error("the location graph has too many candidate routes ({count}) at this awareness level")]
    TooManyRoutes {
        /// How many were found before stopping.
        count: usize,
    },
    /// A candidate route has too many links (long chains of markers).
    #[error("a candidate route from `{location}` has more than 63 links (chains of markers?)")]
    RouteTooLong {
        /// Where the route starts.
        location: String,
    },
    /// People must be spawned but no location has a spawn weight.
    #[error(
        "day {day}: {people} people must be spawned, but no conflict zone has a positive population × intensity"
    )]
    NowhereToSpawn {
        /// The day.
        day: u32,
        /// How many people.
        people: u64,
    },
    /// The agent engine would hold more people than its limit.
    #[error(
        "day {day}: the agent engine would hold {people} people, more than its limit of {limit} (16 bytes each); use the count engine (`--engine counts`), whose cost does not grow with the number of people, or scale the scenario down with `hasten` in simsetting.yml"
    )]
    TooManyAgents {
        /// The day.
        day: u32,
        /// How many people there would be.
        people: u64,
        /// The limit.
        limit: u64,
    },
    /// Settings out of range.
    #[error("invalid settings: {0}")]
    Settings(String),
    /// An observer failed.
    #[error(transparent)]
    Observer(#[from] ObserverError),
}
