//! `run.json`: what a run directory needs to be reproduced. The command line, the version, the
//! engine, the seed and the replicas; the scenario's name, where it came from and a hash of
//! every input file's bytes (so a changed input is noticed); the settings actually used; and
//! when the run started and ended.
//!
//! The hash is 64-bit FNV-1a, written as 16 hexadecimal digits: the same bytes give the same
//! hash on every machine and with every build (it identifies content; it is no defence against
//! someone forging a file).

use crate::error::Error;
use crate::run::RunRequest;
use crate::scenario::{Prepared, ScenarioSource};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// 64-bit FNV-1a, incrementally.
#[derive(Clone, Copy, Debug)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv64 {
    /// The hash of nothing.
    #[must_use]
    pub fn new() -> Self {
        Self(tumen_engine::checkpoint::FNV1A_OFFSET)
    }

    /// Hashes `bytes` after what was hashed so far.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0 = tumen_engine::checkpoint::fnv1a(self.0, bytes);
    }

    /// The hash.
    #[must_use]
    pub fn value(self) -> u64 {
        self.0
    }

    /// The hash as 16 hexadecimal digits.
    #[must_use]
    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The hash of one byte string.
#[must_use]
pub fn hash_bytes(bytes: &[u8]) -> String {
    let mut hasher = Fnv64::new();
    hasher.update(bytes);
    hasher.hex()
}

/// One input file and the hash of its bytes.
#[derive(Clone, Debug, Serialize)]
pub struct InputFile {
    /// Relative to the scenario directory, with `/` between parts.
    pub path: String,
    /// Its length.
    pub bytes: u64,
    /// Its hash.
    pub fnv1a64: String,
}

/// Where the scenario came from.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioRecord {
    /// The scenario's name.
    pub name: String,
    /// `embedded` or `directory`.
    pub kind: &'static str,
    /// The directory as given on the command line, and in full (for a directory).
    pub path: Option<String>,
    /// The directory in full.
    pub absolute_path: Option<String>,
    /// Hash over every file (paths, lengths and bytes, in path order).
    pub content_fnv1a64: String,
    pub files: Vec<InputFile>,
    /// The settings file given with `--settings`, with its hash.
    pub settings_file: Option<InputFile>,
}

impl ScenarioRecord {
    /// A scenario held in memory (the embedded one): `files` are `(relative path, bytes)`.
    #[must_use]
    pub fn embedded(name: &str, files: &[(&str, &[u8])]) -> Self {
        let mut files: Vec<(String, &[u8])> = files
            .iter()
            .map(|(path, bytes)| ((*path).to_owned(), *bytes))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let (content, files) = hash_files(files.iter().map(|(p, b)| (p.as_str(), *b)));
        Self {
            name: name.to_owned(),
            kind: "embedded",
            path: None,
            absolute_path: None,
            content_fnv1a64: content,
            files,
            settings_file: None,
        }
    }

    /// A scenario directory: every file under it (hidden ones included), in path order.
    ///
    /// # Errors
    /// When the directory cannot be listed or a file cannot be read.
    pub(crate) fn directory(name: &str, dir: &Path) -> std::io::Result<Self> {
        let mut paths = Vec::new();
        list_files(dir, dir, &mut paths)?;
        paths.sort();
        let mut contents: Vec<(String, Vec<u8>)> = Vec::with_capacity(paths.len());
        for relative in paths {
            let bytes = std::fs::read(dir.join(&relative))?;
            contents.push((relative, bytes));
        }
        let (content, files) = hash_files(contents.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
        Ok(Self {
            name: name.to_owned(),
            kind: "directory",
            path: Some(dir.display().to_string()),
            absolute_path: std::fs::canonicalize(dir)
                .ok()
                .map(|p| p.display().to_string()),
            content_fnv1a64: content,
            files,
            settings_file: None,
        })
    }

    /// Adds the settings file given with `--settings`.
    ///
    /// # Errors
    /// When it cannot be read.
    pub(crate) fn with_settings_file(mut self, path: Option<&Path>) -> std::io::Result<Self> {
        if let Some(path) = path {
            let bytes = std::fs::read(path)?;
            self.settings_file = Some(InputFile {
                path: path.display().to_string(),
                bytes: bytes.len() as u64,
                fnv1a64: hash_bytes(&bytes),
            });
        }
        Ok(self)
    }
}

/// The hash of each file and the hash over all of them (path, length and bytes of each, so
/// that moving bytes from one file to the next changes it).
fn hash_files<'a>(files: impl Iterator<Item = (&'a str, &'a [u8])>) -> (String, Vec<InputFile>) {
    let mut all = Fnv64::new();
    let mut list = Vec::new();
    for (path, bytes) in files {
        all.update(path.as_bytes());
        all.update(&[0]);
        all.update(&(bytes.len() as u64).to_le_bytes());
        all.update(bytes);
        list.push(InputFile {
            path: path.to_owned(),
            bytes: bytes.len() as u64,
            fnv1a64: hash_bytes(bytes),
        });
    }
    (all.hex(), list)
}

/// Relative paths (with `/`) of every file under `dir`.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path: PathBuf = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            list_files(root, &path, out)?;
        } else if kind.is_file() || path.is_file() {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// The record written as `run.json`.
#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    /// Always `tumen`.
    pub tool: &'static str,
    /// Tumen's version.
    pub version: &'static str,
    /// The arguments as given, the program first.
    pub command_line: Vec<String>,
    /// The directory the command ran in (relative paths above are relative to it).
    pub working_directory: Option<String>,
    /// A command that reruns this run with the same output: the same scenario, settings, days,
    /// overrides, engine, seed, replicas and formats, writing to `<OUTPUT>`.
    pub rerun: Vec<String>,
    /// The engine that ran.
    pub engine: &'static str,
    /// The seed.
    pub seed: u64,
    /// Replicas run.
    pub replicas: u64,
    /// Threads for the replicas (`None`: all cores); the output does not depend on it.
    pub jobs: Option<usize>,
    /// `--days`, when given.
    pub days_override: Option<u32>,
    /// `--set` overrides of `scenario.toml`, in order.
    pub overrides: Vec<String>,
    /// `--formats`: the extra output files.
    pub formats: Vec<String>,
    /// Days simulated.
    pub days: u32,
    /// Day 0.
    pub start_date: String,
    /// The scenario's inputs.
    pub scenario: ScenarioRecord,
    /// The settings used, every field (`tumen_core::Settings`).
    pub settings: tumen_core::Settings,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub started: String,
    /// When it ended (UTC).
    pub finished: String,
    /// Seconds from start to end.
    pub wall_seconds: f64,
    /// Whether the run was continued from checkpoints (`tumen resume`); the times are those
    /// of the last part.
    pub resumed: bool,
    #[serde(skip)]
    started_at: SystemTime,
}

impl RunRecord {
    /// The record of a run of `request` on `prepared` starting at `started` (finished when the
    /// run ends, with [`RunRecord::finish`]). Reads every input file again to hash it.
    ///
    /// # Errors
    /// When an input file cannot be read.
    pub(crate) fn start(
        request: &RunRequest,
        prepared: &Prepared,
        engine: &'static str,
        replicas: u64,
        started: SystemTime,
    ) -> Result<Self, Error> {
        let scenario = prepared.scenario();
        let source = match &prepared.source {
            ScenarioSource::Directory(dir) => ScenarioRecord::directory(&scenario.name, dir)
                .map_err(|source| Error::Io {
                    action: "read (to hash)",
                    path: dir.clone(),
                    source,
                })?,
            ScenarioSource::Embedded => {
                ScenarioRecord::embedded(&scenario.name, crate::embedded::FILES)
            }
        };
        let source = source
            .with_settings_file(request.settings.as_deref())
            .map_err(|source| Error::Io {
                action: "read (to hash)",
                path: request.settings.clone().unwrap_or_default(),
                source,
            })?;
        let formats = crate::write::format_names(&request.formats);
        Ok(Self {
            tool: "tumen",
            version: env!("CARGO_PKG_VERSION"),
            command_line: request.command_line.clone(),
            working_directory: std::env::current_dir()
                .ok()
                .map(|p| p.display().to_string()),
            rerun: rerun_args(request, engine, replicas, &formats),
            engine,
            seed: request.seed,
            replicas,
            jobs: request.jobs,
            days_override: request.days,
            overrides: request.overrides.clone(),
            formats,
            days: scenario.days,
            start_date: scenario.start_date.to_string(),
            scenario: source,
            settings: scenario.settings.clone(),
            started: utc_timestamp(started),
            finished: String::new(),
            wall_seconds: 0.0,
            resumed: false,
            started_at: started,
        })
    }

    /// The record of the run, ending now.
    #[must_use]
    pub(crate) fn finish(mut self) -> Self {
        let now = SystemTime::now();
        self.finished = utc_timestamp(now);
        self.wall_seconds = now
            .duration_since(self.started_at)
            .map_or(0.0, |d| d.as_secs_f64());
        self
    }
}

/// `tumen run` arguments that reproduce the run (the output directory left as `<OUTPUT>`).
fn rerun_args(
    request: &RunRequest,
    engine: &str,
    replicas: u64,
    formats: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = vec!["tumen".into(), "run".into()];
    if let Some(dir) = &request.scenario {
        out.push(dir.display().to_string());
    }
    if let Some(settings) = &request.settings {
        out.push("--settings".into());
        out.push(settings.display().to_string());
    }
    if let Some(days) = request.days {
        out.push("--days".into());
        out.push(days.to_string());
    }
    for value in &request.overrides {
        out.push("--set".into());
        out.push(value.clone());
    }
    out.extend([
        "--engine".into(),
        engine.to_owned(),
        "--seed".into(),
        request.seed.to_string(),
    ]);
    out.push("--replicas".into());
    out.push(replicas.to_string());
    if !formats.is_empty() {
        out.push("--formats".into());
        out.push(formats.join(","));
    }
    if request.replica_outputs {
        out.push("--replica-outputs".into());
    }
    out.push("--output".into());
    out.push("<OUTPUT>".into());
    out
}

/// The fingerprint of a run's inputs, which its checkpoints carry: the scenario's files, the
/// settings file, the days and the overrides.
#[must_use]
pub(crate) fn fingerprint(record: &RunRecord) -> u64 {
    let mut hash = Fnv64::new();
    hash.update(record.scenario.content_fnv1a64.as_bytes());
    hash.update(&[0]);
    if let Some(settings) = &record.scenario.settings_file {
        hash.update(settings.fnv1a64.as_bytes());
    }
    hash.update(&[0]);
    hash.update(&record.days.to_le_bytes());
    for value in &record.overrides {
        hash.update(value.as_bytes());
        hash.update(&[0]);
    }
    hash.value()
}

/// A time as UTC `YYYY-MM-DDTHH:MM:SS.mmmZ` (times before 1970 are written as 1970).
pub fn utc_timestamp(time: SystemTime) -> String {
    let since = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since.as_secs();
    let days = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX / 2);
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of `days` after 1970-01-01 (days ≥ 0): 400-year eras of
/// 146 097 days, years starting on 1 March so that the leap day ends the year.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468; // days from 0000-03-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fnv1a64_matches_its_published_values() {
        assert_eq!(hash_bytes(b""), "cbf29ce484222325");
        assert_eq!(hash_bytes(b"a"), "af63dc4c8601ec8c");
        assert_eq!(hash_bytes(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn the_content_hash_sees_moved_bytes() {
        let (one, _) = hash_files([("a", &b"xy"[..]), ("b", &b""[..])].into_iter());
        let (two, _) = hash_files([("a", &b"x"[..]), ("b", &b"y"[..])].into_iter());
        assert_ne!(one, two);
    }

    #[test]
    fn timestamps_are_utc_dates() {
        let at = |secs: u64| utc_timestamp(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(at(1_709_251_199), "2024-02-29T23:59:59.000Z");
        assert_eq!(at(4_102_444_800), "2100-01-01T00:00:00.000Z");
    }
}
