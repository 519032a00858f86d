//! Loading: a scenario directory or the embedded flagship, with its calibration targets.

use crate::embedded;
use crate::error::Error;
use std::path::{Path, PathBuf};
use tumen_output::TargetRow;
use tumen_scenario::{DirSource, LoadOptions, Loaded};

pub use tumen_scenario::TARGETS_FILE;

/// Where a scenario comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioSource {
    /// The flagship scenario embedded in the binary (`scenarios/korea-china/`).
    Embedded,
    /// A scenario directory (Flee layout, optionally with `scenario.toml`).
    Directory(PathBuf),
}

impl ScenarioSource {
    /// `Embedded` for `None`, the directory otherwise.
    #[must_use]
    pub fn from_option(dir: Option<&Path>) -> Self {
        dir.map_or(Self::Embedded, |dir| Self::Directory(dir.to_path_buf()))
    }

    /// The directory, for a directory.
    #[must_use]
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Self::Embedded => None,
            Self::Directory(dir) => Some(dir),
        }
    }

    /// How the source is named in messages and in `summary.json` (`embedded`, or the
    /// directory as given).
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Self::Embedded => "embedded".to_owned(),
            Self::Directory(dir) => dir.display().to_string(),
        }
    }
}

/// A loaded scenario, ready to plan a run.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The scenario, its warnings and the settings it used.
    pub loaded: Loaded,
    /// Where it came from.
    pub source: ScenarioSource,
    /// The options it was loaded with.
    pub options: LoadOptions,
    /// Its calibration targets (`mechanisms/targets.csv`), when it has them.
    pub targets: Option<Vec<TargetRow>>,
}

impl Prepared {
    /// The scenario.
    #[must_use]
    pub fn scenario(&self) -> &tumen_core::Scenario {
        &self.loaded.scenario
    }

    /// Fails with [`Error::Strict`] when `strict` and the scenario has warnings (which the
    /// caller has shown).
    ///
    /// # Errors
    /// As said.
    pub fn check_strict(&self, strict: bool) -> Result<(), Error> {
        if strict && !self.loaded.warnings.is_empty() {
            return Err(Error::Strict {
                count: self.loaded.warnings.len(),
            });
        }
        Ok(())
    }
}

/// Loads the scenario of `source` with `options`, and its targets.
///
/// # Errors
/// [`Error::Invalid`] with every problem found (the targets file's included),
/// [`Error::Unreadable`] when a file cannot be read.
pub fn load(source: &ScenarioSource, options: &LoadOptions) -> Result<Prepared, Error> {
    let (loaded, targets) = match source {
        ScenarioSource::Embedded => {
            let files = embedded::source();
            let loaded = tumen_scenario::load(&files, embedded::NAME, options)?;
            (loaded, tumen_scenario::read_targets(&files)?)
        }
        ScenarioSource::Directory(dir) => {
            let loaded = tumen_scenario::load_dir(dir, options)?;
            let targets = tumen_scenario::read_targets(&DirSource(dir.clone()))?;
            (loaded, targets)
        }
    };
    // Targets are about the mechanisms' quantities; a plain Flee scenario has none to meet.
    let targets = targets.filter(|_| loaded.scenario.mechanisms.any());
    Ok(Prepared {
        loaded,
        source: source.clone(),
        options: options.clone(),
        targets,
    })
}
