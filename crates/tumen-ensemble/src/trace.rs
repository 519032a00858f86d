//! Traces: what one replica's observers saw, day by day, as bytes. A trace is the unit of
//! work handed between processes: a shard (`tumen run --shard i/n`) writes the traces of its
//! replicas, an MPI rank sends them to rank 0, and the replica loop replays them into fresh
//! observers instead of simulating, which gives every observer exactly what the simulation
//! would have given it (the same mechanism as resuming a checkpoint from its journal), so the
//! outputs are byte-identical to a one-process run by construction.
//!
//! Encoding: the signature `TUMENTRC`, a format version (u32 LE), then a postcard body
//! (replica index, seed, people at the end, days, the days' records) and the FNV-1a hash of
//! the body (u64 LE). A damaged or foreign trace is an error, never a panic.

use crate::{RunError, journal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tumen_engine::checkpoint::{FNV1A_OFFSET, fnv1a};
use tumen_engine::{DayView, Observer, ObserverError};

const SIGNATURE: &[u8; 8] = b"TUMENTRC";
const VERSION: u32 = 1;

/// One replica's days as its observers saw them, with what the loop needs besides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// The replica's index.
    pub index: u64,
    /// Its seed.
    pub seed: u64,
    /// People in the simulation at the end.
    pub population: u64,
    /// Days recorded.
    pub days: u32,
    /// The days, encoded one after another (the checkpoint journal's format).
    #[serde(with = "serde_bytes")]
    pub records: Vec<u8>,
}

impl Trace {
    /// The trace as bytes (see the module's documentation).
    ///
    /// # Errors
    /// When it cannot be encoded (it always can; postcard reports no other failure).
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        let body = postcard::to_allocvec(self).map_err(|e| format!("encoding a trace: {e}"))?;
        let mut bytes = Vec::with_capacity(body.len() + 20);
        bytes.extend_from_slice(SIGNATURE);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&body);
        bytes.extend_from_slice(&fnv1a(FNV1A_OFFSET, &body).to_le_bytes());
        Ok(bytes)
    }

    /// Reads a trace written by [`Trace::to_bytes`].
    ///
    /// # Errors
    /// A message saying what is wrong: not a trace, another version, damaged.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let body = bytes
            .strip_prefix(SIGNATURE.as_slice())
            .ok_or("not a Tumen trace (no `TUMENTRC` signature)")?;
        let (version, body) = body
            .split_first_chunk::<4>()
            .ok_or("the trace is truncated")?;
        let version = u32::from_le_bytes(*version);
        if version != VERSION {
            return Err(format!(
                "trace format {version}, this build reads format {VERSION}"
            ));
        }
        let (body, hash) = body
            .split_last_chunk::<8>()
            .ok_or("the trace is truncated")?;
        if fnv1a(FNV1A_OFFSET, body) != u64::from_le_bytes(*hash) {
            return Err("the trace is damaged (its hash does not match)".to_owned());
        }
        postcard::from_bytes(body).map_err(|e| format!("the trace cannot be read: {e}"))
    }

    /// Replays the days into `observer`.
    ///
    /// # Errors
    /// When the records are not the trace's days, or the observer fails.
    pub fn replay(&self, observer: &mut dyn Observer) -> Result<(), String> {
        journal::replay(&self.records, observer, self.days)
    }
}

/// Records every day into a trace's bytes.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) records: Vec<u8>,
    pub(crate) days: u32,
}

impl Observer for Recorder {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        let records = std::mem::take(&mut self.records);
        self.records = journal::encode_day(view, records)?;
        self.days += 1;
        Ok(())
    }
}

/// Where the traces of a run are: files (shards to merge) or bytes (received from ranks).
#[derive(Clone, Debug, Default)]
pub struct TraceStore {
    entries: BTreeMap<u64, Entry>,
}

#[derive(Clone, Debug)]
enum Entry {
    File(PathBuf),
    Bytes(std::sync::Arc<Vec<u8>>),
}

impl TraceStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Replica `index`'s trace is in the file `path`.
    pub fn add_file(&mut self, index: u64, path: PathBuf) {
        self.entries.insert(index, Entry::File(path));
    }

    /// Replica `index`'s trace is `bytes` ([`Trace::to_bytes`]).
    pub fn add_bytes(&mut self, index: u64, bytes: Vec<u8>) {
        self.entries
            .insert(index, Entry::Bytes(std::sync::Arc::new(bytes)));
    }

    /// Whether replica `index` has a trace.
    #[must_use]
    pub fn contains(&self, index: u64) -> bool {
        self.entries.contains_key(&index)
    }

    /// The replicas with a trace, in order.
    pub fn indices(&self) -> impl Iterator<Item = u64> + '_ {
        self.entries.keys().copied()
    }

    /// Reads replica `index`'s trace and checks that it is that replica's.
    ///
    /// # Errors
    /// [`RunError::Trace`] when there is none, it cannot be read, or it is another replica's.
    pub fn get(&self, index: u64) -> Result<Trace, RunError> {
        let (origin, read) = match self.entries.get(&index) {
            None => {
                return Err(RunError::Trace {
                    origin: format!("replica {index}"),
                    message: "no trace was given for it".to_owned(),
                });
            }
            Some(Entry::File(path)) => (
                path.display().to_string(),
                std::fs::read(path)
                    .map_err(|e| format!("cannot be read: {e}"))
                    .and_then(|bytes| Trace::from_bytes(&bytes)),
            ),
            Some(Entry::Bytes(bytes)) => (format!("replica {index}"), Trace::from_bytes(bytes)),
        };
        let trace = read.map_err(|message| RunError::Trace {
            origin: origin.clone(),
            message,
        })?;
        if trace.index != index {
            return Err(RunError::Trace {
                origin,
                message: format!("holds replica {}, not replica {index}", trace.index),
            });
        }
        Ok(trace)
    }
}

/// The file name of replica `index`'s trace in a shard directory.
#[must_use]
pub fn file_name(index: u64) -> String {
    format!("replica-{index:05}.trace")
}

/// The trace file of replica `index` in `dir`.
#[must_use]
pub fn path_in(dir: &Path, index: u64) -> PathBuf {
    dir.join(file_name(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_round_trip_and_damage_is_an_error() {
        let trace = Trace {
            index: 3,
            seed: 99,
            population: 1234,
            days: 0,
            records: Vec::new(),
        };
        let bytes = trace.to_bytes().unwrap();
        assert_eq!(Trace::from_bytes(&bytes).unwrap(), trace);
        for cut in 0..bytes.len() {
            assert!(Trace::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(Trace::from_bytes(&bad).is_err(), "flip at {at}");
        }
    }
}
