//! Shards: one command split over processes that share nothing (Slurm job arrays, HTCondor,
//! FabSim3). `--shard i/n` runs a deterministic slice of the replicas (replica `r` belongs to
//! slice `r mod n + 1`) and writes a partial directory: one trace per replica
//! (`replica-NNNNN.trace`, see `tumen_ensemble::trace`) and, last and atomically, `shard.json`,
//! the manifest. A directory without its manifest is a shard that did not finish, so a killed
//! shard never looks complete. Merging checks the manifests against each other (the same
//! command, arguments, seed, inputs and version; every slice once) and replays the traces
//! through the one replica loop, so the merged outputs are those of a one-process run.

use crate::error::Error;
use crate::run::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tumen_ensemble::{Trace, TraceStore};

/// The manifest's file name in a shard directory.
pub const MANIFEST: &str = "shard.json";

/// The manifest's format version.
const FORMAT: u32 = 1;

/// Slice `index + 1` of `count` (written `i/n`, 1-based, on the command line).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 0-based.
    pub index: u64,
    /// Slices in all (at least 1).
    pub count: u64,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("expected a slice `i/n` with 1 ≤ i ≤ n (`2/8`), found `{text}`");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let i: u64 = i.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if i == 0 || n == 0 || i > n {
            return Err(bad());
        }
        Ok(Self {
            index: i - 1,
            count: n,
        })
    }
}

impl Shard {
    /// The items (replicas, samples) of `total` that belong to this slice, in order:
    /// `index, index + count, …` (dealt round-robin, so that costs that grow with the index
    /// are shared).
    #[must_use]
    pub fn indices(&self, total: u64) -> Vec<u64> {
        let step = usize::try_from(self.count.max(1)).unwrap_or(usize::MAX);
        (self.index..total).step_by(step).collect()
    }
}

/// One trace file of a shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceFile {
    /// The replica.
    pub index: u64,
    /// The file name in the shard's directory.
    pub file: String,
    /// Its size.
    pub bytes: u64,
    /// FNV-1a 64 of its bytes.
    pub fnv1a64: String,
}

/// `shard.json`: what a shard ran and what it wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `tumen`.
    pub tool: String,
    /// The version that wrote it (a merge needs the same).
    pub version: String,
    /// The manifest's format.
    pub format: u32,
    /// The command (`run`).
    pub command: String,
    /// The command's arguments that decide its result, as given (without `--shard`,
    /// `--output`, `--jobs` and what only changes the terminal).
    pub arguments: Vec<String>,
    /// The seed.
    pub seed: u64,
    /// Replicas of the whole run.
    pub replicas: u64,
    /// The scenario's name.
    pub scenario: String,
    /// The hash over every input file of the scenario (as in `run.json`).
    pub content_fnv1a64: String,
    /// The fingerprint of the inputs (scenario files, settings file, days, overrides).
    pub fingerprint: String,
    /// Other inputs the command read, by name (for example the posterior file), with their
    /// hashes.
    pub other_inputs: BTreeMap<String, String>,
    /// The directory the shard ran in (relative paths in `arguments` are relative to it; not
    /// compared between slices).
    pub working_directory: Option<String>,
    /// This slice, `i/n`.
    pub shard: String,
    /// This slice's replicas.
    pub replica_indices: Vec<u64>,
    /// The trace of each.
    pub traces: Vec<TraceFile>,
}

impl Manifest {
    /// The slice.
    ///
    /// # Errors
    /// When the `shard` field is not `i/n`.
    pub fn slice(&self) -> Result<Shard, String> {
        self.shard.parse()
    }
}

impl Plan {
    /// Runs this plan's slice (the request's `shard`, all replicas without one) and returns
    /// the traces of its replicas, with `scenario_of` giving replica `i` its own scenario as
    /// in [`Plan::execute_with`]. Replicas run in parallel on the current rayon pool.
    ///
    /// # Errors
    /// [`Error::Run`] when a replica stops.
    pub fn execute_shard(
        &self,
        progress: &dyn crate::Progress,
        scenario_of: Option<tumen_ensemble::ScenarioOf<'_>>,
    ) -> Result<Vec<Trace>, Error> {
        let shard = self.request.shard.unwrap_or(Shard { index: 0, count: 1 });
        let indices = shard.indices(self.replicas);
        progress.start(indices.len() as u64, "replica");
        self.record(&indices, scenario_of, progress)
    }

    /// Runs replicas `indices` of this plan and returns their traces, in that order (a shard's
    /// or an MPI rank's share). Replicas run in parallel on the current rayon pool.
    ///
    /// # Errors
    /// [`Error::Run`] when a replica stops.
    pub fn record(
        &self,
        indices: &[u64],
        scenario_of: Option<tumen_ensemble::ScenarioOf<'_>>,
        progress: &dyn crate::Progress,
    ) -> Result<Vec<Trace>, Error> {
        let reporter = DoneOnly(progress);
        tumen_ensemble::record_traces(&self.spec(scenario_of), indices, &reporter).map_err(
            |source| Error::Run {
                scenario: self.prepared.scenario().name.clone(),
                source,
            },
        )
    }

    /// The manifest of this plan's slice, for `command` run with `arguments`, before its
    /// traces are written.
    #[must_use]
    pub fn manifest(
        &self,
        command: &str,
        arguments: Vec<String>,
        other_inputs: BTreeMap<String, String>,
    ) -> Manifest {
        let shard = self.request.shard.unwrap_or(Shard { index: 0, count: 1 });
        Manifest {
            tool: "tumen".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            format: FORMAT,
            command: command.to_owned(),
            arguments,
            seed: self.request.seed,
            replicas: self.replicas,
            scenario: self.prepared.scenario().name.clone(),
            content_fnv1a64: self.record.scenario.content_fnv1a64.clone(),
            fingerprint: format!("{:016x}", self.fingerprint),
            other_inputs,
            working_directory: self.record.working_directory.clone(),
            shard: shard.to_string(),
            replica_indices: shard.indices(self.replicas),
            traces: Vec::new(),
        }
    }
}

/// Progress that counts finished replicas.
struct DoneOnly<'a>(&'a dyn crate::Progress);

impl tumen_ensemble::ReplicaProgress for DoneOnly<'_> {
    fn replica_done(&self, _replica: u64) {
        self.0.inc();
    }
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes a shard directory: first removes an earlier manifest (so that the directory never
/// looks complete while it is rewritten), then writes every trace, then the manifest, each
/// atomically. Returns the files written, the manifest last.
///
/// # Errors
/// [`Error::Request`] when `dir` is a file; [`Error::Io`] when a file cannot be written.
pub fn write(dir: &Path, mut manifest: Manifest, traces: &[Trace]) -> Result<Vec<PathBuf>, Error> {
    if dir.is_file() {
        return Err(Error::Request(format!(
            "the output `{}` is a file, not a directory",
            dir.display()
        )));
    }
    create_dir(dir)?;
    let manifest_path = dir.join(MANIFEST);
    match std::fs::remove_file(&manifest_path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::write(&manifest_path, error));
        }
        _ => {}
    }
    let mut files = Vec::with_capacity(traces.len() + 1);
    manifest.traces.clear();
    for trace in traces {
        let bytes = trace.to_bytes().map_err(Error::Internal)?;
        let file = tumen_ensemble::trace::file_name(trace.index);
        let path = dir.join(&file);
        tumen_output::write_atomic(&path, |w| w.write_all(&bytes))
            .map_err(|e| Error::write(&path, e))?;
        manifest.traces.push(TraceFile {
            index: trace.index,
            file,
            bytes: bytes.len() as u64,
            fnv1a64: crate::hash_bytes(&bytes),
        });
        files.push(path);
    }
    let mut text = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("{MANIFEST}: {e}")))?;
    text.push(b'\n');
    tumen_output::write_atomic(&manifest_path, |w| w.write_all(&text))
        .map_err(|e| Error::write(&manifest_path, e))?;
    files.push(manifest_path);
    Ok(files)
}

/// Reads a shard directory's manifest.
///
/// # Errors
/// [`Error::Request`] naming the directory when it has no manifest (a shard that did not
/// finish) or an unreadable one.
pub fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Request(format!(
                "slice `{}` has no `{MANIFEST}`: it is not a shard directory, or its shard \
                 did not finish (rerun that shard)",
                dir.display()
            )));
        }
        Err(source) => {
            return Err(Error::Unreadable {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        Error::Request(format!(
            "`{}`, line {}, column {}: not a shard manifest: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    if manifest.tool != "tumen" || manifest.format != FORMAT {
        return Err(Error::Request(format!(
            "`{}`: a manifest of {} format {}, this build reads tumen format {FORMAT}",
            path.display(),
            manifest.tool,
            manifest.format
        )));
    }
    Ok(manifest)
}

/// Shards read and checked against each other, ready to merge.
#[derive(Clone, Debug)]
pub struct Collected {
    /// The first slice's manifest (every slice agrees on what matters).
    pub manifest: Manifest,
    /// Every replica's trace.
    pub traces: TraceStore,
}

/// Reads the manifests of `dirs` and checks that they are the slices of one run: the same
/// version, command, arguments, seed, replicas, inputs; every slice `1..=n` exactly once;
/// each slice's replicas those its number gives; every trace file present with its size and
/// hash.
///
/// # Errors
/// [`Error::Request`] naming the slice at fault: missing, duplicated, unfinished, from another
/// run, or with a damaged trace.
pub fn collect(dirs: &[PathBuf]) -> Result<Collected, Error> {
    let Some(first_dir) = dirs.first() else {
        return Err(Error::Request("no shard directories to merge".to_owned()));
    };
    let mut manifests = Vec::with_capacity(dirs.len());
    for dir in dirs {
        manifests.push((dir, read_manifest(dir)?));
    }
    let first = manifests[0].1.clone();
    let mut seen: BTreeMap<u64, &PathBuf> = BTreeMap::new();
    let mut store = TraceStore::new();
    let mut count = None;
    for (dir, manifest) in &manifests {
        let differs = |what: &str, theirs: &dyn std::fmt::Debug, ours: &dyn std::fmt::Debug| {
            Error::Request(format!(
                "slice `{}` is not from the same run as `{}`: different {what} ({theirs:?} vs \
                 {ours:?})",
                dir.display(),
                first_dir.display()
            ))
        };
        if manifest.version != first.version {
            return Err(differs("Tumen version", &manifest.version, &first.version));
        }
        if manifest.command != first.command {
            return Err(differs("command", &manifest.command, &first.command));
        }
        if manifest.seed != first.seed {
            return Err(differs("seed", &manifest.seed, &first.seed));
        }
        if manifest.replicas != first.replicas {
            return Err(differs("replicas", &manifest.replicas, &first.replicas));
        }
        if manifest.content_fnv1a64 != first.content_fnv1a64 {
            return Err(differs(
                "scenario (input files' hash)",
                &manifest.content_fnv1a64,
                &first.content_fnv1a64,
            ));
        }
        if manifest.fingerprint != first.fingerprint {
            return Err(differs(
                "inputs (settings, days or overrides)",
                &manifest.fingerprint,
                &first.fingerprint,
            ));
        }
        if manifest.other_inputs != first.other_inputs {
            return Err(differs(
                "other inputs",
                &manifest.other_inputs,
                &first.other_inputs,
            ));
        }
        if manifest.arguments != first.arguments {
            return Err(differs("arguments", &manifest.arguments, &first.arguments));
        }
        let slice = manifest
            .slice()
            .map_err(|e| Error::Request(format!("slice `{}`: `shard`: {e}", dir.display())))?;
        match count {
            None => count = Some(slice.count),
            Some(n) if n != slice.count => {
                return Err(differs("number of slices", &slice.count, &n));
            }
            Some(_) => {}
        }
        if let Some(other) = seen.insert(slice.index, dir) {
            return Err(Error::Request(format!(
                "slice {slice} is given twice: `{}` and `{}`",
                other.display(),
                dir.display()
            )));
        }
        if manifest.replica_indices != slice.indices(manifest.replicas) {
            return Err(Error::Request(format!(
                "slice `{}` ({slice}) lists replicas {:?}, not those of slice {slice}",
                dir.display(),
                manifest.replica_indices
            )));
        }
        let listed: Vec<u64> = manifest.traces.iter().map(|t| t.index).collect();
        if listed != manifest.replica_indices {
            return Err(Error::Request(format!(
                "slice `{}` ({slice}) lists traces for replicas {listed:?}, not for {:?}",
                dir.display(),
                manifest.replica_indices
            )));
        }
        for trace in &manifest.traces {
            let path = dir.join(&trace.file);
            let bytes = std::fs::read(&path).map_err(|e| {
                Error::Request(format!(
                    "slice `{}` ({slice}): trace `{}` cannot be read: {e}",
                    dir.display(),
                    path.display()
                ))
            })?;
            if bytes.len() as u64 != trace.bytes || crate::hash_bytes(&bytes) != trace.fnv1a64 {
                return Err(Error::Request(format!(
                    "slice `{}` ({slice}): trace `{}` is not the file its manifest lists \
                     (size or hash differs): rerun that shard",
                    dir.display(),
                    path.display()
                )));
            }
            store.add_file(trace.index, path);
        }
    }
    let count = count.unwrap_or(1);
    let missing: Vec<String> = (0..count)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{}/{count}", i + 1))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Request(format!(
            "slice(s) {} missing: merge needs all {count} slices of the run",
            missing.join(", ")
        )));
    }
    Ok(Collected {
        manifest: first,
        traces: store,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_parse_and_partition_the_replicas() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 1, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/3/4", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        for n in 1..6_u64 {
            let mut all: Vec<u64> = (0..n)
                .flat_map(|index| Shard { index, count: n }.indices(11))
                .collect();
            all.sort_unstable();
            assert_eq!(all, (0..11).collect::<Vec<_>>(), "n = {n}");
        }
        assert_eq!(Shard { index: 1, count: 3 }.indices(8), vec![1, 4, 7]);
    }
}
