//! CSV tables referred to by `scenario.toml` (series and incidents): a header row, then data
//! rows.

use crate::ScenarioError;
use crate::diagnostic::Diagnostic;
use crate::source::Source;
use crate::text::{Field, Record, TextFile, parse_csv};

/// A table with its header.
#[derive(Debug)]
pub(crate) struct CsvTable {
    pub(crate) file: TextFile,
    /// Header fields (a leading `#` of the first one removed, names trimmed).
    pub(crate) header: Vec<Field>,
    /// Data rows (blank rows and rows whose first field starts with `#` left out).
    pub(crate) rows: Vec<Record>,
}

impl CsvTable {
    /// Index of column `name`: exact (after trimming), else ignoring case.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.header.iter().position(|f| f.text == name).or_else(|| {
            self.header
                .iter()
                .position(|f| f.text.eq_ignore_ascii_case(name))
        })
    }

    /// The column names.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.header.iter().map(|f| f.text.as_str()).collect()
    }
}

/// How reading a table went.
pub(crate) enum Read {
    /// No such file.
    Missing,
    /// Read, but broken (the diagnostic says how).
    Broken(Box<Diagnostic>),
    /// Read.
    Table(CsvTable),
}

/// Reads `path` (relative to the scenario's root).
pub(crate) fn read(source: &dyn Source, path: &str) -> Result<Read, ScenarioError> {
    let bytes = match source.read(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(Read::Missing),
        Err(error) => {
            return Err(ScenarioError::Io {
                path: source.describe(path),
                source: error,
            });
        }
    };
    let file = match TextFile::decode(path, bytes) {
        Ok(file) => file,
        Err(diagnostic) => return Ok(Read::Broken(diagnostic)),
    };
    let records = match parse_csv(&file) {
        Ok(records) => records,
        Err(diagnostic) => return Ok(Read::Broken(diagnostic)),
    };
    let mut records = records.into_iter().filter(|r| !r.is_blank());
    let Some(header) = records.next() else {
        return Ok(Read::Broken(Box::new(
            Diagnostic::error(format!("`{path}` is empty"))
                .with_label("expected a header row naming the columns, then data rows")
                .with_hint("the first row names the columns: `date,value` or `year,value`"),
        )));
    };
    let header = header
        .fields
        .into_iter()
        .enumerate()
        .map(|(index, mut field)| {
            let trimmed = field.text.trim();
            let trimmed = if index == 0 {
                trimmed.trim_start_matches('#').trim()
            } else {
                trimmed
            };
            field.text = trimmed.to_owned();
            field
        })
        .collect();
    let rows = records.filter(|r| !r.is_comment()).collect();
    Ok(Read::Table(CsvTable { file, header, rows }))
}
