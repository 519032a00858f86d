//! What can go wrong in the pipeline, and whose fault it is.

use std::path::PathBuf;
use tumen_scenario::{Diagnostic, ScenarioError};

/// A failure of the pipeline. [`Error::is_user_error`] says whether the user's input is to
/// blame (the command exits 1) or something else went wrong (an I/O or internal error: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario could not be loaded: every problem found, located.
    #[error("could not load the scenario: {} error(s) found", errors(.diagnostics))]
    Invalid {
        /// The diagnostics (errors and warnings), in file and line order.
        diagnostics: Vec<Diagnostic>,
    },
    /// A scenario file or directory cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// `--strict` was given and the scenario has warnings.
    #[error("{count} warning(s) and `--strict` was given")]
    Strict {
        /// How many warnings.
        count: usize,
    },
    /// A request that cannot be honoured (a bad variant, a format this build lacks, ...).
    #[error("{0}")]
    Request(String),
    /// The run stopped: the engine refused the scenario, or a checkpoint is unusable.
    #[error("the run of `{scenario}` stopped: {source}")]
    Run {
        /// The scenario's name.
        scenario: String,
        /// Why.
        source: tumen_ensemble::RunError,
    },
    /// A file cannot be written or read (not the scenario's).
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// `write`, `create`, `read`, ...
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Something that should not happen (a bug): the message says what.
    #[error("{0}")]
    Internal(String),
}

fn errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| matches!(d.severity, tumen_scenario::Severity::Error))
        .count()
}

impl Error {
    /// Whether the user's input is to blame (exit code 1); otherwise an I/O or internal error
    /// (exit code 2).
    #[must_use]
    pub fn is_user_error(&self) -> bool {
        match self {
            Self::Invalid { .. }
            | Self::Unreadable { .. }
            | Self::Strict { .. }
            | Self::Request(_) => true,
            Self::Run { source, .. } => !matches!(source, tumen_ensemble::RunError::Io { .. }),
            Self::Io { .. } | Self::Internal(_) => false,
        }
    }

    /// The process exit code the README promises: 1 for the user's input, 2 for I/O or
    /// internal errors.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        if self.is_user_error() { 1 } else { 2 }
    }

    pub(crate) fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action: "write",
            path: path.into(),
            source,
        }
    }
}

impl From<ScenarioError> for Error {
    fn from(error: ScenarioError) -> Self {
        match error {
            ScenarioError::Invalid { diagnostics } => Self::Invalid { diagnostics },
            ScenarioError::Io { path, source } => Self::Unreadable { path, source },
            other => Self::Internal(other.to_string()),
        }
    }
}
