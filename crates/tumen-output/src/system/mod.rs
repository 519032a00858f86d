//! The seed's system in numbers: what each replica's people did per day (categories and events,
//! recorded by [`SystemObserver`]), summed per calendar year and per week, summarised over an
//! ensemble ([`SystemEnsemble`]: medians and 5 %/95 % quantiles), compared between a baseline
//! and a policy variant with paired replicas ([`compare`]), and checked against calibration
//! targets ([`SystemEnsemble::evaluate_targets`]; the rows are read by `tumen-scenario`).
//!
//! Periods:
//! - a **year** is a calendar year (only its simulated days when the run starts or ends inside
//!   it);
//! - a **week** is seven days counted from the scenario's start date (day 0–6, 7–13, …), so
//!   every week is complete except perhaps the last; it is labelled by the date of its first
//!   day.
//!
//! Quantities per period: `crossings`, `returns`, `deportations` (the engine's `detentions`:
//! every detected person is deported to a site in the origin country) and `asylum_exits` are
//! sums of the day's events; `hidden` is the number of people hiding in the irregular countries
//! (categories `hidden` + `seeking_asylum` + `returning`) on the period's last simulated day.
//!
//! Quantiles over replicas interpolate linearly between order statistics (as
//! `tumen-ensemble`'s bands do).

mod attributes;
mod compare;
mod observer;
mod periods;
mod quantiles;
mod table;
mod targets;
#[cfg(test)]
mod tests;
mod writers;

pub use attributes::ORIGINS_COLUMNS;
pub use compare::*;
pub use observer::*;
pub use periods::*;
pub use quantiles::*;
pub use table::*;
pub use targets::*;
pub use writers::*;
