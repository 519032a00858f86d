//! Every Flee scenario in `../shared/flee-scenarios` runs to its last day at full scale with its
//! own `simsetting.yml` (ukraine2022 reaches 23.6 million people), with the agent engine, and
//! people are conserved on every day. Prints the time each scenario took.

#![expect(clippy::unwrap_used, reason = "a test fails loudly")]
#![expect(clippy::print_stderr, reason = "the suite reports timings")]

use std::path::PathBuf;
use std::time::Instant;
use tumen_engine::{DayView, EngineKind, Observer, ObserverError, Simulation};

fn shared() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        path.join("flee-scenarios").is_dir(),
        "the shared data is missing: expected `{}` (the full-scale suite needs it; it never skips)",
        path.display()
    );
    path
}

#[derive(Default)]
struct Conservation {
    days: u32,
    last_total: u64,
    problem: Option<String>,
}

impl Observer for Conservation {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        let at_locations: u64 = view.location_counts.iter().sum();
        let on_links: u64 = view.link_counts.iter().sum();
        if at_locations + on_links != view.agents_total && self.problem.is_none() {
            self.problem = Some(format!(
                "day {}: {at_locations} at locations + {on_links} on links != {} people",
                view.day.0, view.agents_total
            ));
        }
        if view.agents_total < self.last_total && self.problem.is_none() {
            self.problem = Some(format!("day {}: people disappeared", view.day.0));
        }
        self.last_total = view.agents_total;
        self.days += 1;
        Ok(())
    }
}

fn run_full(name: &str, kind: EngineKind) -> (u64, f64) {
    let dir = shared().join("flee-scenarios").join(name);
    let loaded = tumen_scenario::load_flee_dir(&dir, &tumen_scenario::LoadOptions::default())
        .unwrap_or_else(|error| panic!("{name} does not load: {error}"));
    let days = loaded.scenario.days;
    let started = Instant::now();
    let mut simulation = Simulation::with_engine(loaded.scenario, 1, kind).unwrap();
    let mut check = Conservation::default();
    simulation.run(&mut check).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(check.days, days, "{name} stopped early");
    assert!(
        check.problem.is_none(),
        "{name}: {}",
        check.problem.unwrap_or_default()
    );
    eprintln!(
        "full scale {name} ({kind:?}): {days} days, {} people at the end, {seconds:.1} s",
        simulation.population()
    );
    (simulation.population(), seconds)
}

#[test]
fn mali2012_runs_to_the_end_at_full_scale() {
    run_full("mali2012", EngineKind::Agents);
}

#[test]
fn car2013_runs_to_the_end_at_full_scale() {
    run_full("car2013", EngineKind::Agents);
}

#[test]
fn ssudan2013_runs_to_the_end_at_full_scale() {
    run_full("ssudan2013", EngineKind::Agents);
}

#[test]
fn ssudan2016_runs_to_the_end_at_full_scale() {
    run_full("ssudan2016", EngineKind::Agents);
}

#[test]
fn tigray2020_runs_to_the_end_at_full_scale() {
    run_full("tigray2020", EngineKind::Agents);
}

#[test]
fn ukraine2022_runs_to_the_end_at_full_scale_with_23_million_people() {
    let (people, _) = run_full("ukraine2022", EngineKind::Agents);
    assert!(
        people > 23_000_000,
        "ukraine2022 ended with {people} people"
    );
}
