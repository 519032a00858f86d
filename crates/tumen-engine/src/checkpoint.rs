//! Checkpoints: the whole dynamic state of a run (and of its observers), saved so that an
//! interrupted run can go on where it stopped and give the same output, byte for byte, as the
//! run in one piece.
//!
//! What is saved: the day reached, the seed, the world state (conflicts, camps, closures,
//! populations), the spawner's carry-over, the policy state (triggers fired), every agent or
//! cohort in its batch and in its order, and the observers' records of the days so far. What
//! is not saved, because it is rebuilt: the static model (from the scenario, which must be the
//! same), the day tables (recomputed at the start of every day), the counts (recomputed from
//! the agents or cohorts) and scratch buffers. The random streams need no saving: each is keyed
//! by (seed, day, purpose, chunk), so the next day draws the same numbers either way.
//!
//! The file: an 8-byte signature `TUMENCKP`, the format version (u32, little-endian), the
//! payload's length (u64), the payload ([postcard](https://docs.rs/postcard) encoding of the
//! [`CheckpointInfo`], the state and the observers' bytes) and the payload's 64-bit FNV-1a
//! hash, so that a truncated or damaged file is refused rather than resumed from. Every index
//! in the state is checked against the model before it is used.

use crate::agents::{Agent, BATCHES, HOP_BITS, NO_ROUTE, ON_LINK, PLACE_MASK};
use crate::counts::Cohort;
use crate::mechanisms::{PROCESSING_DAY_BITS, PolicyState, Status};
use crate::spawn::Spawner;
use crate::world::{Model, WorldState};
use crate::{EngineKind, Observer};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_bytes::{ByteBuf, Bytes};

/// The checkpoint file format this build writes and reads. Version 2: a detained person's
/// and a person in processing's route field holds the day their stay ends, no longer the
/// days left (version 1), so a version-1 file is refused rather than misread.
pub const FORMAT_VERSION: u32 = 2;

const MAGIC: &[u8; 8] = b"TUMENCKP";
const HEADER: usize = 8 + 4 + 8;

/// Why a checkpoint cannot be written or resumed from.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The bytes do not start with the checkpoint signature.
    #[error("not a Tumen checkpoint (the file does not start with `TUMENCKP`)")]
    NotACheckpoint,
    /// Another format version.
    #[error(
        "checkpoint format {found}, but this build of tumen reads format {expected}; rerun from the start"
    )]
    Format {
        /// In the file.
        found: u32,
        /// What this build reads.
        expected: u32,
    },
    /// Truncated, damaged or inconsistent with the model.
    #[error("the checkpoint is truncated or damaged: {0}")]
    Corrupt(String),
    /// Written by another version of Tumen, whose results may differ.
    #[error(
        "the checkpoint was written by tumen {found}, this is tumen {expected}; resume with tumen {found} or rerun from the start"
    )]
    Version {
        /// In the file.
        found: String,
        /// This build.
        expected: String,
    },
    /// The checkpoint belongs to another run (scenario, seed, engine or length).
    #[error(
        "the checkpoint belongs to a different run: its {what} is {found}, this run's is {expected}"
    )]
    Mismatch {
        /// Which property differs.
        what: &'static str,
        /// In the file.
        found: String,
        /// In this run.
        expected: String,
    },
    /// Encoding failed.
    #[error("cannot encode the checkpoint: {0}")]
    Encode(String),
    /// The scenario cannot be run (building its model failed).
    #[error(transparent)]
    Engine(#[from] crate::EngineError),
}

/// What a checkpoint says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointInfo {
    /// The Tumen version that wrote it.
    pub version: String,
    /// The caller's fingerprint of the run's inputs (scenario files, settings, overrides);
    /// resuming requires the same.
    pub fingerprint: u64,
    /// The run's seed.
    pub seed: u64,
    /// `agents` or `counts`.
    pub engine: String,
    /// The next day to simulate (the days before it are done).
    pub day: u32,
    /// The run's length in days.
    pub days: u32,
}

/// An observer whose record of the days so far can be saved in a checkpoint and restored into
/// a fresh observer of the same kind, so that a resumed run's outputs equal the run in one
/// piece.
pub trait Resumable: Observer {
    /// The observer's record so far, encoded (see [`encode`]).
    ///
    /// # Errors
    /// When it cannot be encoded.
    fn save(&self) -> Result<Vec<u8>, CheckpointError>;

    /// Replaces the record of this (fresh) observer with a saved one.
    ///
    /// # Errors
    /// When the bytes do not decode as this observer's record.
    fn restore(&mut self, bytes: &[u8]) -> Result<(), CheckpointError>;
}

/// Encodes a value as a checkpoint stores it.
///
/// # Errors
/// When serde fails to encode it.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CheckpointError> {
    postcard::to_allocvec(value).map_err(|e| CheckpointError::Encode(e.to_string()))
}

/// Decodes a value encoded by [`encode`]; extra bytes after it are an error.
///
/// # Errors
/// When the bytes are not a valid encoding of `T`.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CheckpointError> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(CheckpointError::Corrupt(format!(
            "{} unexpected bytes after the record",
            rest.len()
        ))),
        Err(e) => Err(CheckpointError::Corrupt(e.to_string())),
    }
}

impl Resumable for () {
    fn save(&self) -> Result<Vec<u8>, CheckpointError> {
        Ok(Vec::new())
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), CheckpointError> {
        if bytes.is_empty() {
            Ok(())
        } else {
            Err(CheckpointError::Corrupt(
                "an observer record where none was expected".to_owned(),
            ))
        }
    }
}

/// The dynamic state, borrowed for writing.
#[derive(Serialize)]
pub(crate) struct StateRef<'a> {
    pub(crate) state: &'a WorldState,
    pub(crate) spawner: &'a Spawner,
    pub(crate) policy: &'a PolicyState,
    pub(crate) agent_limit: u64,
    pub(crate) population: PopulationRef<'a>,
}

#[derive(Serialize)]
pub(crate) enum PopulationRef<'a> {
    Agents(&'a [Vec<Agent>]),
    Counts(&'a [Vec<Cohort>]),
}

/// The dynamic state, read back.
#[derive(Deserialize)]
pub(crate) struct State {
    pub(crate) state: WorldState,
    pub(crate) spawner: Spawner,
    pub(crate) policy: PolicyState,
    pub(crate) agent_limit: u64,
    pub(crate) population: Population,
}

#[derive(Deserialize)]
pub(crate) enum Population {
    Agents(Vec<Vec<Agent>>),
    Counts(Vec<Vec<Cohort>>),
}

pub(crate) fn engine_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Agents => "agents",
        EngineKind::Counts => "counts",
    }
}

/// The starting value of [`fnv1a`].
pub const FNV1A_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a of `bytes`, continuing from `hash` ([`FNV1A_OFFSET`] to start), so a hash can
/// be computed piece by piece.
#[must_use]
pub fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Frames the payload: signature, format, length, payload, hash.
pub(crate) fn frame(
    info: &CheckpointInfo,
    state: &StateRef<'_>,
    observers: &[u8],
) -> Result<Vec<u8>, CheckpointError> {
    let mut bytes = Vec::with_capacity(HEADER + observers.len() + 4096);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&[0; 8]);
    // The payload is encoded in place after the header; its length is filled in afterwards.
    let mut bytes = postcard::to_extend(&(info, state, Bytes::new(observers)), bytes)
        .map_err(|e| CheckpointError::Encode(e.to_string()))?;
    let length = (bytes.len() - HEADER) as u64;
    bytes[HEADER - 8..HEADER].copy_from_slice(&length.to_le_bytes());
    let hash = fnv1a(FNV1A_OFFSET, &bytes[HEADER..]);
    bytes.extend_from_slice(&hash.to_le_bytes());
    Ok(bytes)
}

/// Checks the frame and returns the payload.
fn payload(bytes: &[u8]) -> Result<&[u8], CheckpointError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(CheckpointError::NotACheckpoint);
    }
    let word = |range: std::ops::Range<usize>| -> Result<&[u8], CheckpointError> {
        bytes
            .get(range)
            .ok_or_else(|| CheckpointError::Corrupt("the file ends inside its header".to_owned()))
    };
    let format = u32::from_le_bytes(
        word(8..12)?
            .try_into()
            .map_err(|_| CheckpointError::NotACheckpoint)?,
    );
    if format != FORMAT_VERSION {
        return Err(CheckpointError::Format {
            found: format,
            expected: FORMAT_VERSION,
        });
    }
    let length = u64::from_le_bytes(
        word(12..20)?
            .try_into()
            .map_err(|_| CheckpointError::NotACheckpoint)?,
    );
    let expected = (HEADER as u64).saturating_add(length).saturating_add(8);
    if bytes.len() as u64 != expected {
        return Err(CheckpointError::Corrupt(format!(
            "{} bytes, but the header announces {expected}",
            bytes.len()
        )));
    }
    let end = bytes.len() - 8;
    let body = &bytes[HEADER..end];
    let stored = u64::from_le_bytes(
        bytes[end..]
            .try_into()
            .map_err(|_| CheckpointError::NotACheckpoint)?,
    );
    if fnv1a(FNV1A_OFFSET, body) != stored {
        return Err(CheckpointError::Corrupt(
            "its contents do not match their hash".to_owned(),
        ));
    }
    Ok(body)
}

/// Reads what a checkpoint says about itself (after checking its frame and hash).
///
/// # Errors
/// When the bytes are not an intact checkpoint of this format.
pub fn read_info(bytes: &[u8]) -> Result<CheckpointInfo, CheckpointError> {
    let body = payload(bytes)?;
    postcard::take_from_bytes::<CheckpointInfo>(body)
        .map(|(info, _)| info)
        .map_err(|e| CheckpointError::Corrupt(e.to_string()))
}

/// Decodes an intact checkpoint.
pub(crate) fn unframe(bytes: &[u8]) -> Result<(CheckpointInfo, State, Vec<u8>), CheckpointError> {
    let (info, state, observers): (CheckpointInfo, State, ByteBuf) = decode(payload(bytes)?)?;
    Ok((info, state, observers.into_vec()))
}

/// Checks that the saved state fits the model: lengths, and every index an agent or cohort
/// carries, so that a bad file is refused instead of crashing the run.
pub(crate) fn check(model: &Model, state: &State) -> Result<(), CheckpointError> {
    let locations = model.location_count();
    let links = model.link_count();
    let world = &state.state;
    let lengths = [
        ("camp", world.camp.len(), locations),
        ("idp", world.idp.len(), locations),
        ("town", world.town.len(), locations),
        ("conflict", world.conflict.len(), locations),
        ("time_of_conflict", world.time_of_conflict.len(), locations),
        ("movechance", world.movechance.len(), locations),
        ("population", world.population.len(), locations),
        ("link_open", world.link_open.len(), links),
    ];
    for (name, found, expected) in lengths {
        if found != expected {
            return Err(CheckpointError::Corrupt(format!(
                "the world state has {found} `{name}` entries for {expected} places"
            )));
        }
    }
    for fired in &state.policy.fired {
        if fired.trigger >= model.scenario.mechanisms.triggers.len() {
            return Err(CheckpointError::Corrupt(format!(
                "trigger {} fired, but the scenario has {}",
                fired.trigger,
                model.scenario.mechanisms.triggers.len()
            )));
        }
    }
    let batches = match &state.population {
        Population::Agents(batches) => batches.len(),
        Population::Counts(batches) => batches.len(),
    };
    if batches != BATCHES {
        return Err(CheckpointError::Corrupt(format!(
            "{batches} batches instead of {BATCHES}"
        )));
    }
    let check_agent = |agent: &Agent| -> Result<(), CheckpointError> {
        agent_fits(model, agent).map_err(|why| CheckpointError::Corrupt(format!("a person {why}")))
    };
    match &state.population {
        Population::Agents(batches) => {
            for agent in batches.iter().flatten() {
                check_agent(agent)?;
            }
        }
        Population::Counts(batches) => {
            let mut total: u64 = 0;
            for cohort in batches.iter().flatten() {
                check_agent(&cohort.agent)?;
                total = total
                    .checked_add(cohort.count)
                    .ok_or_else(|| CheckpointError::Corrupt("more than 2^64 people".to_owned()))?;
            }
        }
    }
    Ok(())
}

/// Whether an agent's indices fit the model (an explanation when not).
fn agent_fits(model: &Model, agent: &Agent) -> Result<(), String> {
    let index = (agent.place & PLACE_MASK) as usize;
    let dead = agent.status == Status::Dead as u8;
    if dead != (agent.place == crate::agents::DEAD_PLACE) {
        return Err(format!(
            "has status {} at place {:#x}",
            agent.status, agent.place
        ));
    }
    if dead {
        // Nowhere, by design.
    } else if agent.place & ON_LINK != 0 {
        if index >= model.link_count() {
            return Err(format!("is on link {index} of {}", model.link_count()));
        }
    } else if index >= model.location_count() {
        return Err(format!(
            "is at location {index} of {}",
            model.location_count()
        ));
    }
    if !agent.km_on_link.is_finite() || agent.km_on_link < 0.0 {
        return Err(format!("has travelled {} km on its link", agent.km_on_link));
    }
    if agent.status > Status::Dead as u8 {
        return Err(format!("has status {}", agent.status));
    }
    let mech = &model.mech;
    let origin = usize::from(agent.spare & crate::attributes::ORIGIN_MASK);
    if (!mech.attrs.active && agent.spare != 0) || origin > mech.attrs.origins {
        return Err(format!(
            "has attributes {:#04x} this scenario cannot carry",
            agent.spare
        ));
    }
    let fits = match Status::from_u8(agent.status) {
        Status::Free => {
            agent.route == NO_ROUTE
                || ((agent.route >> HOP_BITS) as usize) < model.routes.candidate_end.len()
        }
        Status::SeekingAsylum | Status::Exiting | Status::Queued => {
            (agent.route as usize) < mech.channels
        }
        Status::Processing => ((agent.route >> PROCESSING_DAY_BITS) as usize) < mech.channels,
        Status::Returning => (agent.route as usize) < mech.targets.len(),
        Status::AtHome | Status::Detained | Status::Exited | Status::Dead => true,
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "with status {:?} has route {} out of range",
            Status::from_u8(agent.status),
            agent.route
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tumen_core::{LocationKind, Network, Scenario, Settings};

    fn model() -> Model {
        let mut builder = Network::builder();
        let a = builder.add("A", LocationKind::ConflictZone, "Home", 100);
        let b = builder.add("B", LocationKind::Camp, "Away", 0);
        builder.link(a, b, 100.0);
        let scenario = Scenario {
            name: "tiny".into(),
            start_date: tumen_core::Date::constant(2020, 1, 1),
            days: 5,
            network: builder.build(),
            settings: Settings::flee_defaults(),
            schedule: tumen_core::Schedule::default(),
            observations: tumen_core::Observations::default(),
            initial_agents: Vec::new(),
            mechanisms: tumen_core::Mechanisms::default(),
        };
        Model::new(scenario).expect("a valid model")
    }

    #[test]
    fn every_index_an_agent_carries_is_checked() {
        let model = model();
        let fits = |place: u32, route: u32, status: u8, km: f32| {
            let mut agent = Agent::at(place);
            agent.route = route;
            agent.status = status;
            agent.km_on_link = km;
            agent_fits(&model, &agent)
        };
        assert!(fits(0, NO_ROUTE, 0, 0.0).is_ok());
        assert!(fits(1, 0, 0, 0.0).is_ok());
        assert!(fits(ON_LINK | 1, NO_ROUTE, 0, 12.5).is_ok());
        assert!(
            fits(2, NO_ROUTE, 0, 0.0)
                .unwrap_err()
                .contains("location 2 of 2")
        );
        assert!(
            fits(ON_LINK | 2, NO_ROUTE, 0, 0.0)
                .unwrap_err()
                .contains("link 2 of 2")
        );
        assert!(
            fits(0, NO_ROUTE, 10, 0.0)
                .unwrap_err()
                .contains("status 10")
        );
        assert!(fits(0, NO_ROUTE, Status::Dead as u8, 0.0).is_err());
        assert!(fits(0, 0, Status::Queued as u8, 0.0).is_err());
        assert!(fits(0, NO_ROUTE, 0, f32::NAN).is_err());
        assert!(fits(0, NO_ROUTE, 0, -1.0).is_err());
        assert!(
            fits(0, 1_000 << HOP_BITS, 0, 0.0)
                .unwrap_err()
                .contains("route")
        );
        // Without asylum channels, any channel index is out of range.
        assert!(fits(0, 0, Status::SeekingAsylum as u8, 0.0).is_err());
        assert!(fits(0, 0, Status::Processing as u8, 0.0).is_err());
        assert!(fits(0, 0, Status::Returning as u8, 0.0).is_err());
        assert!(fits(0, 7, Status::Detained as u8, 0.0).is_ok());
    }
}
