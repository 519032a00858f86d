//! Checkpoints: a run saved at any day and resumed (once or several times) gives exactly what
//! the run in one piece gives, every day and in its final state, with both engines, with and
//! without capacities and mechanisms; a checkpoint of another run, or a damaged one, is refused
//! with an error, never a panic.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on purpose")]

use crate::common::{self, mechanism_scenario, scenario};
use serde::{Deserialize, Serialize};
use tumen_core::Scenario;
use tumen_engine::checkpoint::{decode, encode, read_info};
use tumen_engine::{
    CheckpointError, DayView, EngineKind, Observer, ObserverError, Resumable, Simulation,
};

/// Everything an observer can see, day by day.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Record {
    days: Vec<Vec<u64>>,
}

impl Observer for Record {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        let mut row = vec![
            u64::from(view.day.0),
            view.agents_total,
            view.spawned_today,
            view.raw_total as u64,
            view.debt as u64,
        ];
        row.extend_from_slice(view.location_counts);
        row.extend_from_slice(view.link_counts);
        row.extend_from_slice(view.status_counts);
        row.extend_from_slice(view.events);
        row.extend(view.enforcement.iter().map(|e| e.to_bits()));
        row.extend(view.camp.iter().map(|&c| u64::from(c)));
        row.extend(view.link_open.iter().map(|&o| u64::from(o)));
        self.days.push(row);
        Ok(())
    }
}

impl Resumable for Record {
    fn save(&self) -> Result<Vec<u8>, CheckpointError> {
        encode(self)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), CheckpointError> {
        *self = decode(bytes)?;
        Ok(())
    }
}

const FINGERPRINT: u64 = 0x5eed_f00d;

fn without_capacities(mut scenario: Scenario) -> Scenario {
    for location in &mut scenario.network.locations {
        location.capacity = None;
    }
    scenario
}

fn scenarios() -> Vec<Scenario> {
    vec![
        scenario(),
        without_capacities(scenario()),
        mechanism_scenario(),
        without_capacities(mechanism_scenario()),
        common::attribute_scenario(),
    ]
}

/// The run in one piece: its record and its final checkpoint (the whole final state).
fn whole(scenario: &Scenario, seed: u64, kind: EngineKind) -> (Record, Vec<u8>) {
    let mut simulation = Simulation::with_engine(scenario.clone(), seed, kind).unwrap();
    let mut record = Record::default();
    simulation.run(&mut record).unwrap();
    let last = simulation.checkpoint(&record, FINGERPRINT).unwrap();
    (record, last)
}

/// The run interrupted after each day of `cuts` (checkpoint, drop everything, resume from the
/// bytes alone).
fn interrupted(
    scenario: &Scenario,
    seed: u64,
    kind: EngineKind,
    cuts: &[u32],
) -> (Record, Vec<u8>) {
    let mut simulation = Simulation::with_engine(scenario.clone(), seed, kind).unwrap();
    let mut record = Record::default();
    for &cut in cuts {
        while simulation.day() < cut {
            simulation.step(&mut record).unwrap();
        }
        let bytes = simulation.checkpoint(&record, FINGERPRINT).unwrap();
        assert_eq!(read_info(&bytes).unwrap().day, cut);
        drop(simulation);
        (simulation, record) =
            Simulation::resume(scenario.clone(), &bytes, seed, kind, FINGERPRINT, |_| {
                Record::default()
            })
            .unwrap();
        assert_eq!(simulation.day(), cut);
    }
    simulation.run(&mut record).unwrap();
    let last = simulation.checkpoint(&record, FINGERPRINT).unwrap();
    (record, last)
}

#[test]
fn a_resumed_run_equals_the_run_in_one_piece() {
    for scenario in scenarios() {
        for kind in [EngineKind::Agents, EngineKind::Counts] {
            for seed in [1, 2] {
                let (reference, reference_state) = whole(&scenario, seed, kind);
                assert_eq!(reference.days.len(), scenario.days as usize);
                for cuts in [
                    &[0][..],
                    &[1],
                    &[9],
                    &[10],
                    &[17],
                    &[25],
                    &[39],
                    &[40],
                    &[5, 11, 12, 30],
                ] {
                    let (record, state) = interrupted(&scenario, seed, kind, cuts);
                    assert!(
                        record == reference,
                        "{} with {kind:?}, seed {seed}, cut at {cuts:?}: the days differ",
                        scenario.name
                    );
                    assert!(
                        state == reference_state,
                        "{} with {kind:?}, seed {seed}, cut at {cuts:?}: the final states differ",
                        scenario.name
                    );
                }
            }
        }
    }
}

#[test]
fn the_comparison_sees_a_lost_day() {
    // Negative control: resuming from a checkpoint one day older than the observer's record
    // (the day is simulated twice) must not pass for the run in one piece.
    let scenario = mechanism_scenario();
    let (reference, _) = whole(&scenario, 1, EngineKind::Counts);
    let mut simulation = Simulation::with_engine(scenario.clone(), 1, EngineKind::Counts).unwrap();
    let mut record = Record::default();
    while simulation.day() < 12 {
        simulation.step(&mut record).unwrap();
    }
    let bytes = simulation.checkpoint(&record, FINGERPRINT).unwrap();
    simulation.step(&mut record).unwrap();
    let (mut resumed, _fresh) =
        Simulation::resume(scenario, &bytes, 1, EngineKind::Counts, FINGERPRINT, |_| {
            Record::default()
        })
        .unwrap();
    // Keep the observer that already saw day 12: day 12 is recorded twice.
    resumed.run(&mut record).unwrap();
    assert_ne!(record, reference);
}

fn checkpoint_at(scenario: &Scenario, kind: EngineKind, day: u32) -> Vec<u8> {
    let mut simulation = Simulation::with_engine(scenario.clone(), 3, kind).unwrap();
    while simulation.day() < day {
        simulation.step(&mut ()).unwrap();
    }
    simulation.checkpoint(&(), FINGERPRINT).unwrap()
}

fn resume(
    scenario: &Scenario,
    bytes: &[u8],
    seed: u64,
    kind: EngineKind,
    fingerprint: u64,
) -> Result<Simulation, CheckpointError> {
    Simulation::resume(scenario.clone(), bytes, seed, kind, fingerprint, |_| ()).map(|(s, ())| s)
}

#[test]
fn a_checkpoint_resumes_only_its_own_run() {
    let scenario = mechanism_scenario();
    let bytes = checkpoint_at(&scenario, EngineKind::Counts, 7);
    assert!(resume(&scenario, &bytes, 3, EngineKind::Counts, FINGERPRINT).is_ok());
    let error = |result: Result<Simulation, CheckpointError>| match result {
        Err(CheckpointError::Mismatch { what, .. }) => what,
        other => panic!("expected a mismatch, got {other:?}"),
    };
    assert_eq!(
        error(resume(
            &scenario,
            &bytes,
            4,
            EngineKind::Counts,
            FINGERPRINT
        )),
        "seed"
    );
    assert_eq!(
        error(resume(
            &scenario,
            &bytes,
            3,
            EngineKind::Agents,
            FINGERPRINT
        )),
        "engine"
    );
    assert!(error(resume(&scenario, &bytes, 3, EngineKind::Counts, 1)).contains("fingerprint"));
    let mut shorter = scenario.clone();
    shorter.days = 30;
    assert_eq!(
        error(resume(&shorter, &bytes, 3, EngineKind::Counts, FINGERPRINT)),
        "number of days"
    );
    // The message says what differs.
    let message = resume(&scenario, &bytes, 4, EngineKind::Counts, FINGERPRINT)
        .err()
        .unwrap()
        .to_string();
    assert!(message.contains("seed is 3, this run's is 4"), "{message}");
}

#[test]
fn a_damaged_checkpoint_is_refused_without_a_panic() {
    let scenario = mechanism_scenario();
    for kind in [EngineKind::Agents, EngineKind::Counts] {
        let bytes = checkpoint_at(&scenario, kind, 15);
        // Every truncation.
        for length in (0..bytes.len()).step_by(7).chain([bytes.len() - 1]) {
            assert!(
                resume(&scenario, &bytes[..length], 3, kind, FINGERPRINT).is_err(),
                "truncated to {length} bytes"
            );
        }
        // A flipped bit anywhere.
        for position in (0..bytes.len()).step_by(11) {
            let mut damaged = bytes.clone();
            damaged[position] ^= 0x10;
            assert!(
                resume(&scenario, &damaged, 3, kind, FINGERPRINT).is_err(),
                "bit flipped at byte {position}"
            );
        }
        // Not a checkpoint, another format.
        assert!(matches!(
            resume(&scenario, b"day,location\n", 3, kind, FINGERPRINT),
            Err(CheckpointError::NotACheckpoint)
        ));
        let mut other_format = bytes.clone();
        other_format[8] = 99;
        assert!(matches!(
            resume(&scenario, &other_format, 3, kind, FINGERPRINT),
            Err(CheckpointError::Format { found: 99, .. })
        ));
    }
}

#[test]
fn an_intact_checkpoint_that_does_not_fit_the_scenario_is_refused() {
    // Same length, seed and fingerprint, but a smaller network: the people's places are out
    // of range, which the check must catch before any of them is used.
    let scenario = mechanism_scenario();
    let bytes = checkpoint_at(&scenario, EngineKind::Agents, 20);
    let small = scenario_with_fewer_places(&scenario);
    match resume(&small, &bytes, 3, EngineKind::Agents, FINGERPRINT) {
        Err(CheckpointError::Corrupt(why)) => {
            assert!(why.contains("entries") || why.contains("trigger"), "{why}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn scenario_with_fewer_places(original: &Scenario) -> Scenario {
    let mut small = scenario();
    small.days = original.days;
    small
}
