//! Reads Flee scenario directories (the FabFlee layout) into a validated
//! [`tumen_core::Scenario`], with diagnostics that say where, what was expected and what was
//! found.
//!
//! A scenario directory holds `input_csv/` (`locations.csv`, `routes.csv`, `closures.csv`,
//! `conflicts.csv`, `sim_period.csv` or Flee 3.1's `conflict_period.csv`, optionally
//! `registration_corrections.csv` and `agents.csv`), `source_data/` (`data_layout.csv` and the
//! series it names) and `simsetting.yml`. The files are read as Flee 3.1 reads them (see
//! `FLEE_COMPAT.md`); where Flee would crash or silently misbehave, loading stops with an error
//! or goes on with a warning.
//!
//! Files come from a [`Source`]: [`DirSource`] for a directory, [`MemorySource`] for embedded
//! scenarios and tests. Errors are data ([`Diagnostic`]s with a [`Span`]); [`render`] turns one
//! into text in the style of rustc and uv.
//!
//! # Example
//! ```
//! use tumen_scenario::{LoadOptions, MemorySource, load_flee, render};
//!
//! let source = MemorySource::default()
//!     .with("input_csv/sim_period.csv", "StartDate,2020-01-01\nLength,3\n")
//!     .with(
//!         "input_csv/locations.csv",
//!         "#name,region,country,latitude,longitude,location_type,conflict_date,population\n\
//!          A,North,Aland,0,0,conflict_zone,0,1000\n\
//!          C,South,Bland,1,1,camp,,500\n",
//!     )
//!     .with("input_csv/routes.csv", "#name1,name2,distance,forced_redirection\nA,C,120,0\n")
//!     .with("input_csv/conflicts.csv", "#Day,A\n0,1\n1,1\n2,1\n")
//!     .with("source_data/data_layout.csv", "total,refugees.csv\nC,c.csv\n")
//!     .with("source_data/refugees.csv", "2020-01-01,0\n2020-01-03,40\n")
//!     .with("source_data/c.csv", "2020-01-01,0\n2020-01-03,40\n")
//!     .with("simsetting.yml", "optimisations:\n  hasten: 10\n");
//! let loaded = load_flee(&source, "tiny", &LoadOptions::default())?;
//! let scenario = &loaded.scenario;
//! assert_eq!(scenario.days, 3);
//! assert_eq!(scenario.network.locations[1].capacity, Some(50)); // 500 / hasten
//! assert!(scenario.network.locations[1].foreign);
//! assert_eq!(scenario.observations.total.value_at(2), 4);
//!
//! // A misspelt name is a located error with a suggestion.
//! let broken = source.with("input_csv/routes.csv", "A,Cx,120,0\n");
//! let error = load_flee(&broken, "tiny", &LoadOptions::default()).unwrap_err();
//! let text = render(&error.diagnostics()[0]);
//! assert!(text.contains("input_csv/routes.csv:1:3, field 2 (`name2`)"));
//! assert!(text.contains("did you mean `C`?"));
//! # Ok::<(), tumen_scenario::ScenarioError>(())
//! ```

mod diagnostic;
mod flee;
#[doc(hidden)]
pub mod fuzzing;
mod native;
mod settings;
mod source;
mod targets;
mod text;
mod yaml;

pub use diagnostic::{Diagnostic, ScenarioError, Severity, Span, render};
pub use settings::{SettingsLoad, load_settings_yaml};
pub use source::{DirSource, MemorySource, Source};
pub use targets::{EVALUATION_FILE, TARGETS_FILE, read_evaluation, read_targets};

use std::path::{Path, PathBuf};

/// Options of a load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// A settings file to read instead of the scenario's `simsetting.yml` (read from the file
    /// system, relative to the working directory).
    pub settings_path: Option<PathBuf>,
    /// Number of days to simulate instead of the period file's `Length` (when `Some(n)` with
    /// `n > 0`).
    pub days: Option<u32>,
    /// Overrides applied to `scenario.toml` before it is read, each `key.path=value` with a
    /// TOML value (`enforcement.trigger.enabled=false`, `asylum.rate=0.0001`,
    /// `scenario.name="x"`). A path through a list of tables changes every entry; `name[N]`
    /// picks entry N (from 0). Only [`load`] and [`load_dir`] read them; giving any for a
    /// scenario without `scenario.toml` is an error.
    pub overrides: Vec<String>,
}

/// A loaded scenario with what was noticed on the way.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The scenario, ready to run.
    pub scenario: tumen_core::Scenario,
    /// Questionable but valid input, sorted by file and line.
    pub warnings: Vec<Diagnostic>,
    /// Every setting the model uses, as `(dotted key, value)` (`move_rules.max_move_speed`,
    /// `400.0`), whether read or defaulted: for `summary.json`.
    pub settings_report: Vec<(String, String)>,
}

/// Loads the scenario in directory `dir`, named after the directory: the Flee part (as
/// [`load_flee_dir`]) and, when the directory has a `scenario.toml`, the mechanisms it
/// configures (the native format, `docs/NATIVE_FORMAT.md`), with `options.overrides` applied.
/// Without `scenario.toml` the result is exactly [`load_flee_dir`]'s.
///
/// # Errors
/// As [`load_flee_dir`], plus every problem of `scenario.toml`, of the tables it names and of
/// the overrides.
pub fn load_dir(dir: &Path, options: &LoadOptions) -> Result<Loaded, ScenarioError> {
    let (source, name) = open_dir(dir)?;
    load(&source, &name, options)
}

/// Loads a scenario from `source`: the Flee part and, when there is a `scenario.toml`, the
/// mechanisms (see [`load_dir`]).
///
/// # Errors
/// As [`load_dir`].
pub fn load(
    source: &dyn Source,
    name: &str,
    options: &LoadOptions,
) -> Result<Loaded, ScenarioError> {
    native::load(source, name, options)
}

/// Loads the Flee scenario in directory `dir`; the scenario is named after the directory.
///
/// # Errors
/// [`ScenarioError::Io`] when `dir` is not a readable directory or a file cannot be read;
/// [`ScenarioError::Invalid`] with every problem found (up to 50 errors) otherwise.
pub fn load_flee_dir(dir: &Path, options: &LoadOptions) -> Result<Loaded, ScenarioError> {
    let (source, name) = open_dir(dir)?;
    load_flee(&source, &name, options)
}

/// The source of a scenario directory and the scenario's name (the directory's).
fn open_dir(dir: &Path) -> Result<(DirSource, String), ScenarioError> {
    let metadata = fs_err::metadata(dir).map_err(|source| ScenarioError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    if !metadata.is_dir() {
        return Err(ScenarioError::Io {
            path: dir.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "a scenario is a directory with `input_csv/` and `source_data/`",
            ),
        });
    }
    let name = dir
        .file_name()
        .map(ToOwned::to_owned)
        .or_else(|| {
            fs_err::canonicalize(dir)
                .ok()
                .and_then(|path| path.file_name().map(ToOwned::to_owned))
        })
        .map_or_else(
            || "scenario".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
    Ok((DirSource(dir.to_path_buf()), name))
}

/// Loads a Flee scenario from `source`. `name` becomes [`tumen_core::Scenario::name`]. The
/// settings are `simsetting.yml` of `source`, or the file `options.settings_path`.
///
/// # Errors
/// [`ScenarioError::Io`] when a file cannot be read; [`ScenarioError::Invalid`] with every
/// problem found (up to 50 errors, then the warnings) otherwise.
pub fn load_flee(
    source: &dyn Source,
    name: &str,
    options: &LoadOptions,
) -> Result<Loaded, ScenarioError> {
    flee::load(source, name, options)
}

#[cfg(test)]
mod tests;
