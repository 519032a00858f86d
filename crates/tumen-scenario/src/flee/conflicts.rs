//! `conflicts.csv`: the conflict intensity of locations per day.

use super::{CONFLICTS, Loader, found, header_field};
use crate::ScenarioError;
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::{NumberError, Record, TextFile, py_float, py_int, shown};
use std::collections::HashMap;
use tumen_core::{ConflictTable, LocationId};

impl Loader<'_> {
    #[expect(
        clippy::too_many_lines,
        reason = "header, then rows, then the length check"
    )]
    pub(super) fn conflicts(&mut self, days: u32) -> Result<Option<ConflictTable>, ScenarioError> {
        let Some((file, records)) = self.csv(
            CONFLICTS,
            Some("the conflict intensity of locations per day"),
        )?
        else {
            return Ok(None);
        };
        let mut rows = records
            .iter()
            .filter(|r| !r.fields.is_empty() && !r.is_blank());
        let Some(header) = rows.next() else {
            let diagnostic = Diagnostic::error(format!("`{CONFLICTS}` is empty")).with_label(
                "expected a header `#Day,<location>,...` and one row per day, found nothing",
            );
            self.push(file.at_line(diagnostic, 1));
            return Ok(None);
        };
        // (field index, location index) of each named column.
        let mut columns: Vec<(usize, Option<usize>)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, field) in header.fields.iter().enumerate().skip(1) {
            let name = field.text.trim();
            if name.is_empty() {
                continue;
            }
            if let Some(first) = seen.get(name) {
                let diagnostic = Diagnostic::error(format!("location `{name}` has two columns"))
                    .with_label(format!(
                        "expected each location once, found `{name}` again (first in field {})",
                        first + 1
                    ))
                    .with_hint(
                        "Flee would read both columns into one list and shift every later day",
                    );
                self.push(file.at_field_as(diagnostic, field, header_field(index)));
                columns.push((index, None));
                continue;
            }
            seen.insert(name.to_owned(), index);
            let location = self.by_name.get(name).copied();
            if location.is_none() && self.locations_read {
                // Flee 3.1 reads the column, finds no location of that name when the day comes
                // (`add_conflict_zone` prints an error and returns) and runs on: the column is
                // ignored. So is it here, with a warning (`--strict` makes it an error).
                let mut diagnostic = self.unknown_location(name);
                diagnostic.severity = Severity::Warning;
                diagnostic.message = format!(
                    "the column `{}` names no location; it is ignored, as Flee 3.1 does",
                    shown(name)
                );
                self.push(file.at_field_as(diagnostic, field, header_field(index)));
            }
            columns.push((index, location));
        }
        // Trailing empty header names (a trailing comma) need no field in the rows.
        let width = columns.last().map_or(1, |&(index, _)| index + 1);
        let mut intensity: Vec<Vec<f64>> = Vec::new();
        let mut last_line = header.line;
        let mut warned_extra = false;
        let mut warned_day = false;
        let mut bad_rows = 0_usize;
        for record in rows {
            if record.is_comment() {
                continue;
            }
            last_line = record.line;
            let day = intensity.len();
            if !warned_day {
                warned_day = self.check_day_column(&file, record, day);
            }
            if record.fields.len() < width {
                bad_rows += 1;
                let diagnostic = Diagnostic::error(format!("the row of day {day} is too short"))
                    .with_label(format!(
                        "expected {width} fields (the day and one per column of the header), found {}",
                        record.fields.len()
                    ));
                self.push(file.at_record_end(diagnostic, record));
            } else if record.fields.len() > width && !warned_extra {
                warned_extra = true;
                let extra = record
                    .fields
                    .get(width)
                    .map(|f| f.text.as_str())
                    .unwrap_or_default();
                if (!extra.trim().is_empty() || record.fields.len() > width + 1)
                    && let Some(field) = record.fields.get(width)
                {
                    let diagnostic = Diagnostic::warning(format!(
                        "`{CONFLICTS}` has fields beyond its header; they are ignored"
                    ))
                    .with_label(format!("expected {width} fields, {}", found(&field.text)));
                    self.push(file.at_field_as(
                        diagnostic,
                        field,
                        format!("field {} (beyond the header's {width} columns)", width + 1),
                    ));
                }
            }
            let mut values = Vec::with_capacity(columns.len());
            for &(index, _) in &columns {
                let Some(field) = record.fields.get(index) else {
                    values.push(0.0);
                    continue;
                };
                let column = header
                    .fields
                    .get(index)
                    .map(|f| f.text.trim())
                    .unwrap_or_default();
                match py_float(&field.text) {
                    Ok(value) if value >= 0.0 => values.push(value),
                    result => {
                        bad_rows += 1;
                        let expected = match result {
                            Err(NumberError::TooLarge) => {
                                "a finite conflict intensity (0 = no conflict, 1 = full)"
                            }
                            _ => "a conflict intensity of at least 0 (0 = no conflict, 1 = full)",
                        };
                        let diagnostic = Diagnostic::error(format!(
                            "invalid conflict intensity for `{column}` on day {day}"
                        ))
                        .with_label(format!("expected {expected}, {}", found(&field.text)));
                        self.push(file.at_field(diagnostic, field, index, column));
                        values.push(0.0);
                    }
                }
            }
            intensity.push(values);
        }
        let rows = intensity.len();
        if rows < usize::try_from(days).unwrap_or(usize::MAX) && bad_rows == 0 {
            let diagnostic = Diagnostic::error(format!(
                "`{CONFLICTS}` has {rows} days of conflict intensities but the simulation runs {days} days"
            ))
            .with_label(format!(
                "expected a row for every day from 0 to {}, found the last row here (day {})",
                days.saturating_sub(1),
                rows.saturating_sub(1)
            ))
            .with_hint(format!(
                "add rows to `{CONFLICTS}`, or simulate fewer days with `--days {rows}` (Flee stops with an error here)"
            ));
            self.push(file.at_line(diagnostic, last_line));
        }
        let mut table = ConflictTable::default();
        let keep: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter_map(|(position, (_, location))| location.map(|_| position))
            .collect();
        table.locations = columns
            .iter()
            .filter_map(|(_, location)| location.map(LocationId::from_index))
            .collect();
        table.intensity = intensity
            .into_iter()
            .map(|row| {
                keep.iter()
                    .map(|&p| row.get(p).copied().unwrap_or(0.0))
                    .collect()
            })
            .collect();
        Ok(Some(table))
    }

    /// Warns when the day column of a `conflicts.csv` row is not the row's day: Flee reads the
    /// rows in order and never reads that column, so a wrong or missing number is easy to miss.
    /// Returns whether it warned (once per file is enough).
    fn check_day_column(&mut self, file: &TextFile, record: &Record, day: usize) -> bool {
        let Some(field) = record.fields.first() else {
            return false;
        };
        let text = field.text.trim();
        let number = py_int(text).ok().or_else(|| {
            py_float(text)
                .ok()
                .filter(|v| v.fract() == 0.0 && v.abs() < 1e15)
                .map(|v| {
                    #[expect(clippy::cast_possible_truncation, reason = "whole and small")]
                    let whole = v as i64;
                    i128::from(whole)
                })
        });
        let diagnostic = match number {
            Some(number) if usize::try_from(number).ok() == Some(day) => return false,
            Some(number) => Diagnostic::warning(format!(
                "the row labelled day {number} is read as day {day}"
            ))
            .with_label(format!(
                "expected the day number `{day}`, found `{}`",
                shown(text)
            )),
            None => Diagnostic::warning(format!(
                "the day column of the row of day {day} is not a number"
            ))
            .with_label(format!("expected the day number `{day}`, {}", found(text))),
        };
        let diagnostic = diagnostic.with_hint(
            "the rows are read in order, one per day from day 0, and this column is not read (as in Flee); check that no day is missing or repeated",
        );
        self.push(file.at_field(diagnostic, field, 0, "Day"));
        true
    }
}
