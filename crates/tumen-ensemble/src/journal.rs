//! The day journal of a checkpointed replica: every day its observers saw, appended to
//! `replica-NNNNN.days` at each checkpoint. The checkpoint itself then holds only the engine's
//! state and the journal's length and hash, so a checkpoint costs the same on day 4,000 as on
//! day 40 (saving the observers' records instead would re-encode the whole history each time).
//! Resuming replays the journal into fresh observers, which then hold exactly what they held
//! when the checkpoint was written.
//!
//! The journal is appended and synced before the checkpoint that counts it is written, so it is
//! never shorter than a checkpoint says; anything after the checkpoint's length (days of a run
//! killed between the two writes, or a half-written append) is cut off on resume.

use crate::RunError;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use tumen_core::Day;
use tumen_engine::checkpoint::{FNV1A_OFFSET, fnv1a};
use tumen_engine::{CheckpointError, DayView, Observer, ObserverError, Resumable};

/// One day as the observers saw it (borrowed, for writing).
#[derive(Serialize)]
struct DayRef<'a> {
    day: u32,
    location_counts: &'a [u64],
    link_counts: &'a [u64],
    agents_total: u64,
    spawned_today: u64,
    raw_total: i64,
    debt: i64,
    camp: &'a [bool],
    link_open: &'a [bool],
    status_counts: &'a [u64],
    events: &'a [u64],
    enforcement: &'a [f64],
}

/// One day read back.
#[derive(Deserialize)]
struct DayOwned {
    day: u32,
    location_counts: Vec<u64>,
    link_counts: Vec<u64>,
    agents_total: u64,
    spawned_today: u64,
    raw_total: i64,
    debt: i64,
    camp: Vec<bool>,
    link_open: Vec<bool>,
    status_counts: Vec<u64>,
    events: Vec<u64>,
    enforcement: Vec<f64>,
}

impl DayOwned {
    fn view(&self) -> DayView<'_> {
        DayView {
            day: Day(self.day),
            location_counts: &self.location_counts,
            link_counts: &self.link_counts,
            agents_total: self.agents_total,
            spawned_today: self.spawned_today,
            raw_total: self.raw_total,
            debt: self.debt,
            camp: &self.camp,
            link_open: &self.link_open,
            status_counts: &self.status_counts,
            events: &self.events,
            enforcement: &self.enforcement,
        }
    }
}

/// Encodes one day as the journal and the traces store it, appending to `bytes`.
pub(crate) fn encode_day(view: &DayView<'_>, bytes: Vec<u8>) -> Result<Vec<u8>, ObserverError> {
    let record = DayRef {
        day: view.day.0,
        location_counts: view.location_counts,
        link_counts: view.link_counts,
        agents_total: view.agents_total,
        spawned_today: view.spawned_today,
        raw_total: view.raw_total,
        debt: view.debt,
        camp: view.camp,
        link_open: view.link_open,
        status_counts: view.status_counts,
        events: view.events,
        enforcement: view.enforcement,
    };
    postcard::to_extend(&record, bytes).map_err(|e| ObserverError {
        message: format!("cannot encode day {}: {e}", view.day.0),
    })
}

/// Replays `days` encoded days (days 0, 1, … in order, nothing after them) into `observer`.
///
/// # Errors
/// Why the bytes are not such days (a message), or the observer's error.
pub(crate) fn replay(bytes: &[u8], observer: &mut dyn Observer, days: u32) -> Result<(), String> {
    let mut rest = bytes;
    let mut expected = 0_u32;
    while !rest.is_empty() {
        let (record, tail): (DayOwned, &[u8]) = postcard::take_from_bytes(rest)
            .map_err(|e| format!("day {expected} cannot be read: {e}"))?;
        if record.day != expected {
            return Err(format!(
                "day {} where day {expected} was expected",
                record.day
            ));
        }
        observer
            .on_day(&record.view())
            .map_err(|e| format!("day {expected}: {e}"))?;
        expected += 1;
        rest = tail;
    }
    if expected != days {
        return Err(format!("{expected} days where {days} were expected"));
    }
    Ok(())
}

/// Where the journal stood at a checkpoint: its length and the FNV-1a hash of those bytes.
/// It is the only observer record a checkpointed replica saves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Position {
    pub(crate) length: u64,
    pub(crate) hash: u64,
}

impl Position {
    fn start() -> Self {
        Self {
            length: 0,
            hash: FNV1A_OFFSET,
        }
    }
}

impl Observer for Position {
    fn on_day(&mut self, _view: &DayView<'_>) -> Result<(), ObserverError> {
        Ok(())
    }
}

impl Resumable for Position {
    fn save(&self) -> Result<Vec<u8>, CheckpointError> {
        tumen_engine::checkpoint::encode(self)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), CheckpointError> {
        *self = tumen_engine::checkpoint::decode(bytes)?;
        Ok(())
    }
}

/// The journal file of replica `index` in `dir`.
pub(crate) fn path_in(dir: &Path, index: u64) -> PathBuf {
    dir.join(format!("replica-{index:05}.days"))
}

/// The replica's observers, with the days since the last checkpoint kept for the journal.
pub(crate) struct Journaled<O> {
    pub(crate) inner: O,
    pending: Vec<u8>,
    position: Position,
    path: PathBuf,
}

impl<O: Observer> Observer for Journaled<O> {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        self.inner.on_day(view)?;
        let pending = std::mem::take(&mut self.pending);
        self.pending = encode_day(view, pending)?;
        Ok(())
    }
}

impl<O> Journaled<O> {
    /// A fresh journal (the file is created at the first checkpoint).
    pub(crate) fn new(inner: O, path: PathBuf) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            position: Position::start(),
            path,
        }
    }

    /// Appends the days since the last checkpoint to the file and syncs it; returns the
    /// position the checkpoint must record.
    pub(crate) fn flush(&mut self) -> Result<Position, RunError> {
        let io = |source| RunError::Io {
            action: "write",
            path: self.path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        file.write_all(&self.pending).map_err(io)?;
        file.sync_data().map_err(io)?;
        self.position = Position {
            length: self.position.length + self.pending.len() as u64,
            hash: fnv1a(self.position.hash, &self.pending),
        };
        self.pending.clear();
        Ok(self.position)
    }
}

impl<O: Observer> Journaled<O> {
    /// The journal of a resumed replica: cuts the file to `position`, checks it, and replays
    /// its `days` days into `inner`.
    pub(crate) fn resume(
        mut inner: O,
        path: PathBuf,
        position: Position,
        days: u32,
    ) -> Result<Self, RunError> {
        let corrupt = |why: String| RunError::Checkpoint {
            path: path.clone(),
            source: CheckpointError::Corrupt(why),
        };
        let bytes = std::fs::read(&path).map_err(|source| RunError::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        let length = usize::try_from(position.length).unwrap_or(usize::MAX);
        let Some(kept) = bytes.get(..length) else {
            return Err(corrupt(format!(
                "the journal has {} bytes, its checkpoint counts {}",
                bytes.len(),
                position.length
            )));
        };
        if fnv1a(FNV1A_OFFSET, kept) != position.hash {
            return Err(corrupt(
                "the journal's contents do not match the hash in its checkpoint".to_owned(),
            ));
        }
        replay(kept, &mut inner, days).map_err(corrupt)?;
        if bytes.len() > length {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|source| RunError::Io {
                    action: "write",
                    path: path.clone(),
                    source,
                })?;
            file.set_len(position.length)
                .and_then(|()| file.sync_data())
                .map_err(|source| RunError::Io {
                    action: "write",
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(Self {
            inner,
            pending: Vec::new(),
            position,
            path,
        })
    }
}
