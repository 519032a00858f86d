//! What can go wrong when reading references or summarising replicas.

use std::path::PathBuf;

/// A reference folder or a set of replicas that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ParityError {
    /// A file cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file's content is not what the reference tool writes.
    #[error("`{path}`: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong (with the line where known).
        message: String,
    },
    /// `metrics.json` does not parse.
    #[error("`{path}`: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// An `out.csv` does not parse.
    #[error("`{path}`: {source}")]
    Table {
        /// The file.
        path: PathBuf,
        /// Why.
        source: tumen_output::TableError,
    },
    /// Replicas that cannot be summarised together (too few, or of different shapes).
    #[error("{0}")]
    Replicas(String),
}
