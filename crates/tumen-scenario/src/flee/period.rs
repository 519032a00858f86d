//! `simsetting.yml` and the period file (`sim_period.csv`, or Flee 3.1's `conflict_period.csv`).

use super::{CONFLICT_PERIOD, CsvInput, Loader, SETTINGS, SIM_PERIOD, found};
use crate::diagnostic::Diagnostic;
use crate::settings::{self, SettingsRead};
use crate::text::{TextFile, parse_date, py_int};
use crate::{LoadOptions, ScenarioError};
use tumen_core::Date;

impl Loader<'_> {
    pub(super) fn settings(
        &mut self,
        options: &LoadOptions,
    ) -> Result<SettingsRead, ScenarioError> {
        let (label, bytes) = match &options.settings_path {
            Some(path) => {
                let label = path.display().to_string();
                let bytes = fs_err::read(path).map_err(|source| ScenarioError::Io {
                    path: label.clone(),
                    source,
                })?;
                (label, bytes)
            }
            None => {
                let bytes = self
                    .source
                    .read(SETTINGS)
                    .map_err(|source| ScenarioError::Io {
                        path: self.source.describe(SETTINGS),
                        source,
                    })?;
                let Some(bytes) = bytes else {
                    self.push(
                        Diagnostic::warning(format!(
                            "no `{SETTINGS}` in the scenario directory: using Flee 3.1's default settings"
                        ))
                        .with_hint("give a settings file with `--settings FILE`, or add `simsetting.yml` to the scenario"),
                    );
                    return Ok(settings::defaults());
                };
                (SETTINGS.to_owned(), bytes)
            }
        };
        match TextFile::decode(&label, bytes) {
            Ok(file) => Ok(settings::read_settings(&file)),
            Err(diagnostic) => {
                self.push(*diagnostic);
                Ok(settings::defaults())
            }
        }
    }

    pub(super) fn period(
        &mut self,
        options: &LoadOptions,
    ) -> Result<Option<(Date, u32)>, ScenarioError> {
        let override_days = options.days.filter(|&days| days > 0);
        let mut path = SIM_PERIOD;
        let mut read = self.csv_input(SIM_PERIOD)?;
        if matches!(read, CsvInput::Absent) {
            path = CONFLICT_PERIOD;
            read = self.csv_input(CONFLICT_PERIOD)?;
        }
        let (file, records) = match read {
            CsvInput::Read(file, records) => (file, records),
            CsvInput::Broken => return Ok(None),
            CsvInput::Absent => {
                self.push(
                    Diagnostic::error(format!("missing `{SIM_PERIOD}`"))
                        .with_label("expected the simulation period (or Flee 3.1's `input_csv/conflict_period.csv`), found neither file")
                        .with_hint("write two rows: `StartDate,2012-02-29` and `Length,300`"),
                );
                return Ok(None);
            }
        };
        let mut start: Option<Date> = None;
        let mut length: Option<u32> = None;
        for record in &records {
            if record.is_blank() {
                continue;
            }
            let key = record.text(0).trim().to_ascii_lowercase();
            if key != "startdate" && key != "length" {
                continue;
            }
            let Some(field) = record.fields.get(1) else {
                let diagnostic =
                    Diagnostic::error(format!("`{}` has no value", record.text(0).trim()))
                        .with_label("expected a second field, found the end of the line");
                self.push(file.at_record_end(diagnostic, record));
                continue;
            };
            if key == "startdate" {
                match parse_date(&field.text) {
                    Some(date) => start = Some(date),
                    None => {
                        let diagnostic = Diagnostic::error("invalid start date").with_label(
                            format!("expected a date as YYYY-MM-DD, {}", found(&field.text)),
                        );
                        self.push(file.at_field(diagnostic, field, 1, "StartDate"));
                    }
                }
            } else {
                match py_int(&field.text) {
                    Ok(value) if value >= 1 && value <= i128::from(u32::MAX) => {
                        length = u32::try_from(value).ok();
                    }
                    _ => {
                        let diagnostic =
                            Diagnostic::error("invalid simulation length").with_label(format!(
                                "expected a whole number of days of at least 1, {}",
                                found(&field.text)
                            ));
                        self.push(file.at_field(diagnostic, field, 1, "Length"));
                    }
                }
            }
        }
        if start.is_none() && !self.report_has_error_in(path) {
            let diagnostic = Diagnostic::error(format!("`{path}` has no `StartDate` row"))
                .with_label("expected a row `StartDate,YYYY-MM-DD`, found none");
            self.push(file.at_line(diagnostic, 1));
        }
        if length.is_none() && override_days.is_none() && !self.report_has_error_in(path) {
            let diagnostic = Diagnostic::error(format!("`{path}` has no `Length` row"))
                .with_label(
                    "expected a row `Length,N` with the number of days to simulate, found none",
                )
                .with_hint("add the row, or give the number of days with `--days N`");
            self.push(file.at_line(diagnostic, 1));
        }
        match (start, override_days.or(length)) {
            (Some(start), Some(days)) => Ok(Some((start, days))),
            _ => Ok(None),
        }
    }
}
