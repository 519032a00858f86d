//! Tumen's model vocabulary, shared by every other crate: typed ids, the location graph,
//! settings with Flee 3.1's defaults, the schedule of conflicts and closures, and observed
//! series. No I/O and no threads here.
//!
//! # Example
//! ```
//! use tumen_core::{LocationKind, Network};
//!
//! let mut builder = Network::builder();
//! let origin = builder.add("A", LocationKind::ConflictZone, "Home", 10_000);
//! let camp = builder.add("B", LocationKind::Camp, "Away", 0);
//! builder.link(origin, camp, 120.0);
//! let network = builder.build();
//! assert_eq!(network.outgoing(origin).len(), 1);
//! assert!(network.location(camp).foreign);
//! ```

mod attributes;
mod ids;
mod mechanisms;
mod network;
mod scenario;
mod schedule;
mod series;
mod settings;
mod targets;

pub use attributes::{Attributes, Family, MAX_ORIGINS, Origins, Sex, SexEffects};
pub use ids::{CountryId, Day, LinkId, LocationId};
pub use jiff::civil::Date;
pub use mechanisms::{
    Aid, Asylum, Brokers, CATEGORIES, Campaign, Capacity, Channel, DayCount, Detention,
    DetentionSite, Enforcement, EnforcementRegion, Failure, Incident, Mechanisms, Mortality, Push,
    PushRate, Recrossing, Seasonality, Trigger, VoluntaryReturn,
};
pub use network::{Link, LinkSpec, Location, LocationKind, Network, NetworkBuilder};
pub use scenario::Scenario;
pub use schedule::{Closure, ClosureScope, ConflictTable, Schedule};
pub use series::{Observations, Series};
pub use settings::{LogLevels, MoveRules, Settings, SpawnMode, SpawnRules};
pub use targets::TargetRow;
