//! Where scenario files come from: a directory, or memory (embedded scenarios, fuzzing).

use std::io;
use std::path::PathBuf;

/// A tree of scenario files addressed by paths relative to the scenario's root, with `/` as
/// the separator (`input_csv/locations.csv`).
pub trait Source {
    /// The bytes of a file; `Ok(None)` when it does not exist.
    ///
    /// # Errors
    /// When the file exists but cannot be read.
    fn read(&self, relative_path: &str) -> Result<Option<Vec<u8>>, io::Error>;

    /// How to name the file in an I/O error message (for a directory, its full path).
    fn describe(&self, relative_path: &str) -> String;
}

/// The files under a directory.
#[derive(Clone, Debug)]
pub struct DirSource(pub PathBuf);

impl Source for DirSource {
    fn read(&self, relative_path: &str) -> Result<Option<Vec<u8>>, io::Error> {
        match fs_err::read(self.0.join(relative_path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn describe(&self, relative_path: &str) -> String {
        self.0.join(relative_path).display().to_string()
    }
}

/// Files held in memory as `(relative path, bytes)` pairs: scenarios embedded with
/// `include_bytes!`, tests and fuzzing.
#[derive(Clone, Debug, Default)]
pub struct MemorySource {
    files: Vec<(String, Vec<u8>)>,
}

impl MemorySource {
    /// A source holding `files`.
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        Self {
            files: files.into_iter().collect(),
        }
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, relative_path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        let path = relative_path.into();
        let bytes = bytes.into();
        if let Some(slot) = self.files.iter_mut().find(|(p, _)| *p == path) {
            slot.1 = bytes;
        } else {
            self.files.push((path, bytes));
        }
    }

    /// Adds (or replaces) a file; for chaining.
    #[must_use]
    pub fn with(mut self, relative_path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        self.insert(relative_path, bytes);
        self
    }

    /// Removes a file if present.
    pub fn remove(&mut self, relative_path: &str) {
        self.files.retain(|(path, _)| path != relative_path);
    }
}

/// `a/./b` and `a//b` name the same file as `a/b`.
fn normalise(path: &str) -> String {
    path.split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

impl Source for MemorySource {
    fn read(&self, relative_path: &str) -> Result<Option<Vec<u8>>, io::Error> {
        let wanted = normalise(relative_path);
        Ok(self
            .files
            .iter()
            .find(|(path, _)| normalise(path) == wanted)
            .map(|(_, bytes)| bytes.clone()))
    }

    fn describe(&self, relative_path: &str) -> String {
        format!("<memory>/{}", normalise(relative_path))
    }
}
