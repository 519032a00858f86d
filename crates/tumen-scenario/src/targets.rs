//! `mechanisms/targets.csv`: the documented figures a scenario's outcomes are scored against,
//! and `mechanisms/evaluation.csv`: documented figures of the same form that are used only to
//! score a forecast, never to fit (the calibration reads `targets.csv` only). Both files have
//! the same columns and diagnostics. Columns are found by name (`target,measure,quantity,start,end,documented_low,
//! documented_high` are required, `source` and `note` optional, others ignored); every problem
//! is a located diagnostic, as for the scenario's other files.

use crate::diagnostic::{Diagnostic, ScenarioError};
use crate::source::Source;
use crate::text::{TextFile, parse_csv, parse_date, shown};
use tumen_core::TargetRow;

/// Where a scenario's targets are, relative to its directory.
pub const TARGETS_FILE: &str = "mechanisms/targets.csv";

/// Where a scenario's evaluation figures are (scoring only, never fitting), relative to its
/// directory.
pub const EVALUATION_FILE: &str = "mechanisms/evaluation.csv";

const REQUIRED: [&str; 7] = [
    "target",
    "measure",
    "quantity",
    "start",
    "end",
    "documented_low",
    "documented_high",
];

/// Reads the targets of `source` (`Ok(None)` when it has no targets file).
///
/// # Errors
/// [`ScenarioError::Io`] when the file cannot be read; [`ScenarioError::Invalid`] with every
/// problem found (a missing column, a bound that is not a number, a date that is not a date).
pub fn read_targets(source: &dyn Source) -> Result<Option<Vec<TargetRow>>, ScenarioError> {
    read_table(source, TARGETS_FILE, "targets")
}

/// Reads the evaluation figures of `source` (`mechanisms/evaluation.csv`; `Ok(None)` when it
/// has none): the same columns and checks as [`read_targets`].
///
/// # Errors
/// As [`read_targets`].
pub fn read_evaluation(source: &dyn Source) -> Result<Option<Vec<TargetRow>>, ScenarioError> {
    read_table(source, EVALUATION_FILE, "evaluation")
}

fn read_table(
    source: &dyn Source,
    path: &str,
    what: &str,
) -> Result<Option<Vec<TargetRow>>, ScenarioError> {
    let bytes = match source.read(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(error) => {
            return Err(ScenarioError::Io {
                path: source.describe(path),
                source: error,
            });
        }
    };
    let invalid = |diagnostics: Vec<Diagnostic>| ScenarioError::Invalid { diagnostics };
    let file = TextFile::decode(path, bytes).map_err(|d| invalid(vec![*d]))?;
    let records = parse_csv(&file).map_err(|d| invalid(vec![*d]))?;
    let mut records = records.iter().filter(|r| !r.is_blank());
    let Some(header) = records.next() else {
        return Err(invalid(vec![
            file.at_line(
                Diagnostic::error(format!("the {what} file is empty"))
                    .with_label(format!("expected a header row with {}", REQUIRED.join(","))),
                1,
            ),
        ]));
    };
    let column = |name: &str| header.fields.iter().position(|f| f.text.trim() == name);
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|name| column(name).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(invalid(vec![
            file.at_line(
                Diagnostic::error(format!(
                    "the {what} file has no `{}` column",
                    missing.join("`, `")
                ))
                .with_label(format!("expected the columns {}", REQUIRED.join(","))),
                header.line,
            )
            .with_hint(format!("see docs/NATIVE_FORMAT.md, `{path}`")),
        ]));
    }
    let index = |name: &str| column(name).unwrap_or(usize::MAX);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in records {
        let text = |name: &str| record.text(index(name)).trim().to_owned();
        let mut bound = |name: &str| -> Option<f64> {
            let written = text(name);
            if written.is_empty() {
                return None;
            }
            match written.replace('_', "").parse::<f64>() {
                Ok(value) if value.is_finite() => Some(value),
                _ => {
                    if let Some(field) = record.fields.get(index(name)) {
                        problems.push(file.at_field(
                            Diagnostic::error(format!("`{name}` is not a number")).with_label(
                                format!("expected a number, found {}", shown(&written)),
                            ),
                            field,
                            index(name),
                            name,
                        ));
                    }
                    None
                }
            }
        };
        let low = bound("documented_low");
        let high = bound("documented_high");
        for name in ["start", "end"] {
            let written = text(name);
            if !written.is_empty()
                && parse_date(&written).is_none()
                && let Some(field) = record.fields.get(index(name))
            {
                problems.push(file.at_field(
                    Diagnostic::error(format!("`{name}` is not a date")).with_label(format!(
                        "expected a date as YYYY-MM-DD, found {}",
                        shown(&written)
                    )),
                    field,
                    index(name),
                    name,
                ));
            }
        }
        if let (Some(low), Some(high)) = (low, high)
            && low > high
            && let Some(field) = record.fields.get(index("documented_high"))
        {
            problems.push(file.at_field(
                Diagnostic::error("the documented range is empty").with_label(format!(
                    "expected `documented_high` ≥ `documented_low` ({low}), found {high}"
                )),
                field,
                index("documented_high"),
                "documented_high",
            ));
        }
        let optional = |name: &str| column(name).map(|_| text(name)).unwrap_or_default();
        rows.push(TargetRow {
            line: usize::try_from(record.line).unwrap_or(usize::MAX),
            target: text("target"),
            measure: text("measure"),
            quantity: text("quantity"),
            start: text("start"),
            end: text("end"),
            documented_low: text("documented_low"),
            documented_high: text("documented_high"),
            low,
            high,
            source: optional("source"),
            note: optional("note"),
        });
    }
    if problems.is_empty() {
        Ok(Some(rows))
    } else {
        Err(invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    fn read(text: &str) -> Result<Option<Vec<TargetRow>>, ScenarioError> {
        read_targets(&MemorySource::new([(
            TARGETS_FILE.to_owned(),
            text.as_bytes().to_vec(),
        )]))
    }

    #[test]
    fn columns_are_found_by_name_and_bounds_parsed() {
        let rows = read(
            "target,kind,measure,quantity,start,end,documented_low,documented_high,source,note\n\
             a,count,sum,crossings,2002-01-01,2002-01-08,100,1_000,\"X, Y\",\"a note, with comma\"\n\
             \n\
             b,share,,,,,0.7,0.7,Z,not simulated\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].source, "X, Y");
        assert_eq!((rows[0].low, rows[0].high), (Some(100.0), Some(1000.0)));
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].measure, "");
        assert!(read_targets(&MemorySource::default()).unwrap().is_none());
    }

    #[test]
    fn problems_are_located_errors() {
        let error = read("target,measure\n").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("no `quantity`, `start`"), "{text}");
        assert!(text.contains("targets.csv:1"), "{text}");
        let error = read(
            "target,measure,quantity,start,end,documented_low,documented_high\n\
             a,sum,crossings,2002-01-01,2002-13-08,ten,5\n\
             b,sum,crossings,2002-01-01,2002-01-08,9,5\n",
        )
        .unwrap_err();
        let diagnostics = error.diagnostics();
        assert_eq!(diagnostics.len(), 3, "{error}");
        let text = error.to_string();
        assert!(text.contains("targets.csv:2:39, field 6"), "{text}");
        assert!(text.contains("targets.csv:2:28, field 5 (`end`)"), "{text}");
        assert!(text.contains("`documented_low` is not a number"), "{text}");
        assert!(text.contains("the documented range is empty"), "{text}");
        assert!(text.contains("targets.csv:3:"), "{text}");
    }

    #[test]
    fn the_evaluation_file_has_the_same_form_and_diagnostics() {
        let source = |text: &str| {
            MemorySource::new([(EVALUATION_FILE.to_owned(), text.as_bytes().to_vec())])
        };
        let rows = read_evaluation(&source(
            "target,measure,quantity,start,end,documented_low,documented_high
             a,sum,asylum_exits,2005-01-01,2005-12-31,1383,1384
",
        ))
        .unwrap()
        .unwrap();
        assert_eq!((rows[0].low, rows[0].high), (Some(1383.0), Some(1384.0)));
        // The evaluation file is not the targets file: each is read only by its own reader.
        assert!(read_targets(&source("target\n")).unwrap().is_none());
        let error = read_evaluation(&source("target,measure\n")).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("the evaluation file has no `quantity`"),
            "{text}"
        );
        assert!(text.contains("evaluation.csv:1"), "{text}");
        assert!(read_evaluation(&MemorySource::default()).unwrap().is_none());
    }
}
