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
    /// Its evaluation figures (`mechanisms/evaluation.csv`), when it has them: scored in a
    /// run's outputs, never read by the calibration.
    pub evaluation: Option<Vec<TargetRow>>,
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
    let (loaded, targets, evaluation) = match source {
        ScenarioSource::Embedded => {
            let files = embedded::source();
            let loaded = tumen_scenario::load(&files, embedded::NAME, options)?;
            let targets = tumen_scenario::read_targets(&files)?;
            (loaded, targets, tumen_scenario::read_evaluation(&files)?)
        }
        ScenarioSource::Directory(dir) => {
            let loaded = tumen_scenario::load_dir(dir, options)?;
            let files = DirSource(dir.clone());
            let targets = tumen_scenario::read_targets(&files)?;
            (loaded, targets, tumen_scenario::read_evaluation(&files)?)
        }
    };
    // Targets are about the mechanisms' quantities; a plain Flee scenario has none to meet.
    let targets = targets.filter(|_| loaded.scenario.mechanisms.any());
    let evaluation = evaluation.filter(|_| loaded.scenario.mechanisms.any());
    Ok(Prepared {
        loaded,
        source: source.clone(),
        options: options.clone(),
        targets,
        evaluation,
    })
}

/// Where a scenario ships the posterior of its calibration (`posterior.csv` as `tumen
/// calibrate` writes it), relative to its directory.
pub const SHIPPED_POSTERIOR: &str = "posterior.csv";

/// The posterior a scenario ships (`posterior.csv` beside `scenario.toml`; the embedded
/// flagship embeds its own), with where it was read; `None` when it ships none. `tumen run`
/// without `--posterior` draws each replica's parameters from it, so that the default bands
/// carry the calibration's parameter uncertainty.
///
/// # Errors
/// [`Error::Unreadable`] when the file cannot be read, [`Error::Request`] with the located
/// problem when it is not a posterior.
pub fn shipped_posterior(
    prepared: &Prepared,
) -> Result<Option<(tumen_calibrate::abc::Posterior, String)>, Error> {
    let (text, origin) = match &prepared.source {
        ScenarioSource::Embedded => {
            let Some((_, bytes)) = embedded::FILES
                .iter()
                .find(|(path, _)| *path == SHIPPED_POSTERIOR)
            else {
                return Ok(None);
            };
            let origin = format!("embedded {}/{SHIPPED_POSTERIOR}", embedded::NAME);
            (String::from_utf8_lossy(bytes).into_owned(), origin)
        }
        ScenarioSource::Directory(dir) => {
            let path = dir.join(SHIPPED_POSTERIOR);
            if !path.is_file() || !dir.join("scenario.toml").is_file() {
                return Ok(None);
            }
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Unreadable {
                path: path.display().to_string(),
                source,
            })?;
            (text, path.display().to_string())
        }
    };
    tumen_calibrate::abc::Posterior::read_csv(&text, &origin)
        .map(|posterior| Some((posterior, origin)))
        .map_err(|e| Error::Request(e.to_string()))
}
