//! `locations.csv`, and location names as the other files give them.

use super::{LOCATION_COLUMNS, LOCATIONS, Loader, LocationRow, MAX_ITEMS, found};
use crate::ScenarioError;
use crate::diagnostic::Diagnostic;
use crate::text::{
    NumberError, Record, TextFile, control_note, one_of, py_float, py_int, shown, suggest,
};
use tumen_core::LocationKind;

impl Loader<'_> {
    pub(super) fn read_locations(&mut self, hasten: u32) -> Result<(), ScenarioError> {
        let Some((file, records)) = self.csv(LOCATIONS, Some("the list of locations"))? else {
            return Ok(());
        };
        self.locations_read = true;
        self.locations_file = Some(TextFile::new(LOCATIONS, file.text.clone()));
        let mut extra_columns: Option<Vec<String>> = None;
        let mut warned_extra = false;
        for record in &records {
            if record.fields.is_empty() || record.is_blank() {
                continue;
            }
            if record.is_comment() {
                if record.fields.len() > 8 && extra_columns.is_none() {
                    extra_columns = Some(
                        record
                            .fields
                            .iter()
                            .skip(8)
                            .map(|f| f.text.trim().to_owned())
                            .collect(),
                    );
                }
                continue;
            }
            let extra = extra_columns.as_deref().unwrap_or_default();
            if let Some(row) = self.location_row(&file, record, extra, hasten, &mut warned_extra) {
                if let Some(&first) = self.by_name.get(&row.name) {
                    let first_line = self.locations.get(first).map_or(0, |l| l.line);
                    let diagnostic = Diagnostic::error(format!("location `{}` is defined twice", row.name))
                        .with_label(format!(
                            "expected a unique name, found `{}` again (first defined on line {first_line})",
                            row.name
                        ))
                        .with_hint("every location needs its own name; routes and data refer to locations by name");
                    if let Some(field) = record.fields.first() {
                        self.push(file.at_field(diagnostic, field, 0, "name"));
                    }
                    continue;
                }
                self.by_name.insert(row.name.clone(), self.locations.len());
                self.locations.push(row);
            }
        }
        if self.locations.len() >= MAX_ITEMS {
            self.push(Diagnostic::error(format!(
                "`{LOCATIONS}` has {} locations, more than the {MAX_ITEMS} Tumen can index",
                self.locations.len()
            )));
        } else if self.locations.is_empty() && !self.report_has_error_in(LOCATIONS) {
            let found = if file.text.trim().is_empty() {
                "an empty file"
            } else if records.iter().all(|r| r.is_blank() || r.is_comment()) {
                "only comment or header lines"
            } else {
                "no row with a name"
            };
            let diagnostic = Diagnostic::error(format!("`{LOCATIONS}` defines no location"))
                .with_label(format!("expected rows `name,region,country,latitude,longitude,location_type,conflict_date,population`, found {found}"))
                .with_hint("the names in the other files are checked once this file defines locations");
            self.push(file.at_line(diagnostic, 1));
        }
        if self.locations.is_empty() {
            // Every name elsewhere would be "unknown": one error about the cause is enough.
            self.locations_read = false;
        }
        Ok(())
    }

    /// Parses one location row. Returns a row (possibly with defaults in place of bad values)
    /// whenever it has a name, so that later files can still be checked against it.
    #[expect(
        clippy::too_many_lines,
        reason = "one column after another, in file order"
    )]
    fn location_row(
        &mut self,
        file: &TextFile,
        record: &Record,
        extra: &[String],
        hasten: u32,
        warned_extra: &mut bool,
    ) -> Option<LocationRow> {
        let name = record.text(0).to_owned();
        if name.trim().is_empty() {
            let diagnostic = Diagnostic::error("location without a name")
                .with_label(format!("expected a location name, {}", found(&name)));
            if let Some(field) = record.fields.first() {
                self.push(file.at_field(diagnostic, field, 0, "name"));
            }
            return None;
        }
        let count = record.fields.len();
        if count < 8 {
            let diagnostic = Diagnostic::error(format!("location `{name}` has too few fields"))
                .with_label(format!(
                    "expected 8 fields ({}), found {count}",
                    LOCATION_COLUMNS.join(", ")
                ))
                .with_hint("leave a field empty rather than leaving it out: `Town,Region,Country,0,0,town,,1000`");
            self.push(file.at_record_end(diagnostic, record));
        }
        if count > 8 + extra.len() && !*warned_extra {
            *warned_extra = true;
            if let Some(field) = record.fields.get(8 + extra.len()) {
                let diagnostic = Diagnostic::warning(format!(
                    "`{LOCATIONS}` has fields without a column name; they are ignored"
                ))
                .with_label(format!(
                    "expected at most {} fields (name the extra columns in the `#` header line), {}",
                    8 + extra.len(),
                    found(&field.text)
                ));
                self.push(file.at_field(diagnostic, field, 8 + extra.len(), ""));
            }
        }
        let mut row = LocationRow {
            name: name.clone(),
            region: record.text(1).to_owned(),
            country: match record.text(2) {
                "" => "unknown".to_owned(),
                country => country.to_owned(),
            },
            latitude: 0.0,
            longitude: 0.0,
            has_coordinates: false,
            kind: LocationKind::Town,
            population: 0,
            capacity: None,
            conflict_intensity: 1.0,
            conflict_date: None,
            line: record.line,
        };
        let mut coordinates = 0;
        for (index, slot) in [(3, &mut row.latitude), (4, &mut row.longitude)] {
            let Some(field) = record.fields.get(index) else {
                continue;
            };
            match py_float(&field.text) {
                Ok(value) => {
                    *slot = value;
                    coordinates += 1;
                }
                Err(NumberError::Empty) => {}
                Err(error) => {
                    let what = if index == 3 { "latitude" } else { "longitude" };
                    let expected = if error == NumberError::TooLarge {
                        "a finite number of degrees"
                    } else {
                        "a number of degrees"
                    };
                    let diagnostic =
                        Diagnostic::error(format!("invalid {what} for location `{name}`"))
                            .with_label(format!("expected {expected}, {}", found(&field.text)));
                    self.push(file.at_field(diagnostic, field, index, LOCATION_COLUMNS[index]));
                }
            }
        }
        row.has_coordinates = coordinates == 2;
        let type_field = record.fields.get(5);
        let type_text = record.text(5);
        match LocationKind::parse_flee(type_text) {
            Some(kind) => row.kind = kind,
            None => {
                if let Some(field) = type_field {
                    let spellings: Vec<&str> =
                        LocationKind::SPELLINGS.iter().map(|(s, _)| *s).collect();
                    let hint = suggest(type_text, spellings.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"));
                    let diagnostic =
                        Diagnostic::error(format!("unknown location type for `{name}`"))
                            .with_label(format!(
                                "expected {}, {}",
                                one_of(&spellings),
                                found(type_text)
                            ))
                            .with_hint_opt(hint);
                    self.push(file.at_field(diagnostic, field, 5, "location_type"));
                }
            }
        }
        if row.kind == LocationKind::ConflictZone {
            if let Some(field) = record.fields.get(6) {
                match py_int(&field.text) {
                    Ok(day) => match i64::try_from(day) {
                        Ok(day) => row.conflict_date = Some(day),
                        Err(_) => {
                            let diagnostic =
                                Diagnostic::error(format!("invalid conflict date for `{name}`"))
                                    .with_label(format!(
                                        "expected a day number, found `{}` (too large)",
                                        shown(&field.text)
                                    ));
                            self.push(file.at_field(diagnostic, field, 6, "conflict_date"));
                        }
                    },
                    Err(_) => {
                        let diagnostic = Diagnostic::error(format!("invalid conflict date for conflict zone `{name}`"))
                            .with_label(format!("expected a whole number of days (0 = in conflict from the start), {}", found(&field.text)))
                            .with_hint("Flee needs a number here for every conflict zone; with `conflicts.csv` any value above 0 makes the zone start as a town");
                        self.push(file.at_field(diagnostic, field, 6, "conflict_date"));
                    }
                }
            }
            if let Some(position) = extra.iter().position(|c| c == "conflict_intensity") {
                let index = 8 + position;
                if let Some(field) = record.fields.get(index) {
                    match py_float(&field.text) {
                        Ok(value) if value >= 0.0 => row.conflict_intensity = value,
                        Err(NumberError::Empty) => {}
                        _ => {
                            let diagnostic = Diagnostic::error(format!(
                                "invalid conflict intensity for `{name}`"
                            ))
                            .with_label(format!(
                                "expected a number of at least 0 (1 = full intensity), {}",
                                found(&field.text)
                            ));
                            self.push(file.at_field(
                                diagnostic,
                                field,
                                index,
                                "conflict_intensity",
                            ));
                        }
                    }
                }
            }
        }
        if let Some(field) = record.fields.get(7) {
            let camp = row.kind.is_camp();
            let what = if camp { "capacity" } else { "population" };
            match py_int(&field.text) {
                Ok(value) if value >= 0 => match u64::try_from(value) {
                    Ok(value) => {
                        let scaled = value / u64::from(hasten);
                        if camp {
                            row.capacity = (scaled > 0).then_some(scaled);
                        } else {
                            row.population = scaled;
                        }
                    }
                    Err(_) => {
                        let diagnostic =
                            Diagnostic::error(format!("{what} of `{name}` is too large"))
                                .with_label(format!(
                                    "expected at most {}, found `{}`",
                                    u64::MAX,
                                    shown(&field.text)
                                ));
                        self.push(file.at_field(diagnostic, field, 7, LOCATION_COLUMNS[7]));
                    }
                },
                Err(NumberError::Empty) => {}
                Ok(_) => {
                    let diagnostic = Diagnostic::error(format!("negative {what} for `{name}`"))
                        .with_label(format!(
                            "expected a whole number of people, 0 or more, found `{}`",
                            shown(&field.text)
                        ));
                    self.push(file.at_field(diagnostic, field, 7, LOCATION_COLUMNS[7]));
                }
                Err(NumberError::TooLarge) => {
                    let diagnostic = Diagnostic::error(format!("{what} of `{name}` is too large"))
                        .with_label(format!(
                            "expected at most {}, found `{}`",
                            u64::MAX,
                            shown(&field.text)
                        ));
                    self.push(file.at_field(diagnostic, field, 7, LOCATION_COLUMNS[7]));
                }
                Err(NumberError::Invalid) => {
                    let meaning = if camp {
                        "a capacity (a whole number; 0 or empty = unlimited)"
                    } else {
                        "a population (a whole number)"
                    };
                    let diagnostic = Diagnostic::error(format!("invalid {what} for `{name}`"))
                        .with_label(format!("expected {meaning}, {}", found(&field.text)));
                    self.push(file.at_field(diagnostic, field, 7, LOCATION_COLUMNS[7]));
                }
            }
        }
        if row.kind.is_camp()
            && name.trim().contains(char::is_whitespace)
            && let Some(field) = record.fields.first()
        {
            let safe: String = name
                .trim()
                .chars()
                .map(|c| if c.is_whitespace() { '_' } else { c })
                .collect();
            let diagnostic = Diagnostic::warning(format!("camp name `{}` contains a space", shown(&name)))
                .with_label(format!("expected a name without spaces, {}", found(&name)))
                .with_hint(format!(
                    "`out.csv` names its columns `<camp> sim`, and Flee's `plot_flee_output` splits them on spaces (it fails with `KeyError`); name it `{safe}`, as FabFlee scenarios do"
                ));
            self.push(file.at_field(diagnostic, field, 0, "name"));
        }
        Some(row)
    }

    /// Resolves a location name; pushes an error (with a suggestion) when it is unknown.
    pub(super) fn location_at(
        &mut self,
        file: &TextFile,
        record: &Record,
        index: usize,
        column: &str,
    ) -> Option<usize> {
        let text = record.text(index);
        if let Some(&found) = self.by_name.get(text) {
            return Some(found);
        }
        if !self.locations_read {
            return None;
        }
        let diagnostic = self.unknown_location(text);
        match record.fields.get(index) {
            Some(field) => self.push(file.at_field(diagnostic, field, index, column)),
            None => {
                let diagnostic =
                    Diagnostic::error(format!("missing `{column}`")).with_label(format!(
                        "expected a location name in field {}, found the end of the line",
                        index + 1
                    ));
                self.push(file.at_record_end(diagnostic, record));
            }
        }
        None
    }

    pub(super) fn unknown_location(&self, text: &str) -> Diagnostic {
        let suggestion = suggest(text, self.locations.iter().map(|l| l.name.as_str()));
        let hint = match suggestion {
            Some(name) if name.trim() == text.trim() => format!(
                "did you mean `{name}`? Names are compared exactly, spaces included; locations are defined in `{LOCATIONS}`"
            ),
            Some(name) => format!("did you mean `{name}`? Locations are defined in `{LOCATIONS}`"),
            None => format!("Locations are defined in `{LOCATIONS}`"),
        };
        let hint = match control_note(text) {
            Some(note) => format!("{hint}; {note}"),
            None => hint,
        };
        Diagnostic::error(format!("unknown location `{}`", shown(text)))
            .with_label(format!("expected a location name, {}", found(text)))
            .with_hint(hint)
    }

    /// Country names in order of first appearance: their index is their `CountryId`.
    pub(super) fn countries(&self) -> Vec<String> {
        let mut countries: Vec<String> = Vec::new();
        for location in &self.locations {
            if !countries.contains(&location.country) {
                countries.push(location.country.clone());
            }
        }
        countries
    }
}
