//! The FabFlee scenario layout: `input_csv/`, `source_data/` and `simsetting.yml`.

use crate::diagnostic::{Diagnostic, Report};
use crate::settings::{self, SettingsRead};
use crate::source::Source;
use crate::text::{
    NumberError, Record, TextFile, control_note, days_between, one_of, parse_csv, parse_date,
    py_float, py_int, shown, suggest,
};
use crate::{LoadOptions, Loaded, ScenarioError};
use std::collections::{HashMap, HashSet, VecDeque};
use tumen_core::{
    Closure, ClosureScope, ConflictTable, CountryId, Date, Location, LocationId, LocationKind,
    Network, Observations, Route, Scenario, Schedule, Series, Settings,
};

const SETTINGS: &str = "simsetting.yml";
const SIM_PERIOD: &str = "input_csv/sim_period.csv";
const CONFLICT_PERIOD: &str = "input_csv/conflict_period.csv";
const LOCATIONS: &str = "input_csv/locations.csv";
const ROUTES: &str = "input_csv/routes.csv";
const CLOSURES: &str = "input_csv/closures.csv";
const CONFLICTS: &str = "input_csv/conflicts.csv";
const CORRECTIONS: &str = "input_csv/registration_corrections.csv";
const AGENTS: &str = "input_csv/agents.csv";
const DATA_DIR: &str = "source_data";
const DATA_LAYOUT: &str = "source_data/data_layout.csv";

/// Most locations, and most links (two per route), a scenario may have: ids are `u32`.
const MAX_ITEMS: usize = 1 << 31;

const LOCATION_COLUMNS: [&str; 8] = [
    "name",
    "region",
    "country",
    "latitude",
    "longitude",
    "location_type",
    "conflict_date",
    "population",
];
const ROUTE_COLUMNS: [&str; 4] = ["name1", "name2", "distance", "forced_redirection"];
const CLOSURE_COLUMNS: [&str; 5] = [
    "closure_type",
    "name1",
    "name2",
    "closure_start",
    "closure_end",
];
const CLOSURE_TYPES: [&str; 6] = [
    "country",
    "location",
    "link",
    "camp",
    "idpcamp",
    "remove_forced_redirection",
];

/// Longest distance accepted on a link, in km (ten times around the Earth is surely a typo).
const MAX_DISTANCE_KM: f64 = 400_000.0;

/// One row of `locations.csv`, after hasten scaling.
struct LocationRow {
    name: String,
    region: String,
    country: String,
    latitude: f64,
    longitude: f64,
    kind: LocationKind,
    population: u64,
    capacity: Option<u64>,
    conflict_intensity: f64,
    conflict_date: Option<i64>,
    line: u32,
}

/// One row of `routes.csv` whose ends are known.
struct RouteRow {
    a: usize,
    b: usize,
    distance_km: f64,
    max_move_speed: Option<f64>,
    walk_probability: f64,
    forced_redirection: u8,
}

/// What `data_layout.csv` gave: the series and where each key's data live.
struct DataRead {
    total: Option<Series>,
    camps: Vec<(usize, Series)>,
    /// Key → (series slot: `None` = total, `Some(i)` = `camps[i]`, files joined for messages).
    keys: HashMap<String, (Option<usize>, String)>,
}

enum Input {
    Absent,
    Broken,
    Text(TextFile),
}

enum CsvInput {
    Absent,
    Broken,
    Read(TextFile, Vec<Record>),
}

pub(crate) fn load(
    source: &dyn Source,
    name: &str,
    options: &LoadOptions,
) -> Result<Loaded, ScenarioError> {
    let mut loader = Loader {
        source,
        report: Report::default(),
        locations: Vec::new(),
        by_name: HashMap::new(),
        locations_read: false,
        locations_file: None,
    };
    let settings = loader.settings(options)?;
    let SettingsRead {
        settings,
        diagnostics,
        used,
    } = settings;
    loader.report.extend(diagnostics);
    let hasten = settings.hasten.max(1);

    let period = loader.period(options)?;
    loader.read_locations(hasten)?;
    let routes = loader.routes()?;
    let countries = loader.countries();
    let closures = loader.closures(&countries, &routes)?;
    let days = period.map_or(0, |(_, days)| days);
    let conflicts = loader.conflicts(days)?;
    // Without a period, data files are still checked (against an arbitrary start date).
    let start = period.map_or(Date::constant(2000, 1, 1), |(start, _)| start);
    let observations = match loader.data(start, hasten, &closures)? {
        Some(mut data) => {
            loader.corrections(start, &mut data)?;
            Some(data)
        }
        None => None,
    };
    let agents = loader.agents(&settings)?;
    loader.checks(&settings, &routes, &conflicts, days);

    let (Some((start_date, days)), false) = (period, loader.report.has_errors()) else {
        return Err(loader.report.into_error());
    };
    let Some(conflicts) = conflicts else {
        return Err(loader.report.into_error());
    };
    let observations = observations.map_or_else(Observations::default, |data| Observations {
        total: data.total.unwrap_or_default(),
        camps: data
            .camps
            .into_iter()
            .map(|(index, series)| (LocationId::from_index(index), series))
            .collect(),
    });
    let network = loader.network(&routes);
    let scenario = Scenario {
        name: name.to_owned(),
        start_date,
        days,
        network,
        settings,
        schedule: Schedule {
            conflicts,
            closures,
        },
        observations,
        initial_agents: agents,
        mechanisms: tumen_core::Mechanisms::default(),
    };
    Ok(Loaded {
        scenario,
        warnings: loader.report.into_warnings(),
        settings_report: used,
    })
}

struct Loader<'a> {
    source: &'a dyn Source,
    report: Report,
    locations: Vec<LocationRow>,
    by_name: HashMap<String, usize>,
    /// Whether `locations.csv` could be read and defines a location (else names are not
    /// checked elsewhere).
    locations_read: bool,
    /// `locations.csv`, for pointing at a location's row.
    locations_file: Option<TextFile>,
}

/// The 1-based character column of byte offset `at` in `text`.
fn text_column(text: &str, at: usize) -> u32 {
    crate::text::to_u32(text.get(..at).map_or(0, |head| head.chars().count()) + 1)
}

/// How a field of the header of `conflicts.csv` is described (index from 0).
fn header_field(index: usize) -> String {
    format!("field {} of the header (a location column)", index + 1)
}

/// "found `x`", or "found an empty field".
fn found(text: &str) -> String {
    if text.trim().is_empty() {
        "found an empty field".to_owned()
    } else {
        format!("found `{}`", shown(text))
    }
}

impl Loader<'_> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.report.push(diagnostic);
    }

    /// A diagnostic pointing at the name of the location defined on `line` of `locations.csv`.
    fn at_location(&self, diagnostic: Diagnostic, line: u32, name: &str) -> Diagnostic {
        let source_line = self
            .locations_file
            .as_ref()
            .and_then(|file| file.line(line));
        let column = source_line
            .as_deref()
            .and_then(|text| text.find(name))
            .map_or(1, |at| {
                text_column(source_line.as_deref().unwrap_or_default(), at)
            });
        diagnostic.at(
            crate::Span {
                file: LOCATIONS.to_owned(),
                line,
                column,
                len: crate::text::to_u32(name.chars().count()),
                field: Some("field 1 (`name`)".to_owned()),
            },
            source_line,
        )
    }

    /// Reads and decodes a file.
    fn input(&mut self, path: &str) -> Result<Input, ScenarioError> {
        let bytes = self.source.read(path).map_err(|source| ScenarioError::Io {
            path: self.source.describe(path),
            source,
        })?;
        let Some(bytes) = bytes else {
            return Ok(Input::Absent);
        };
        match TextFile::decode(path, bytes) {
            Ok(file) => Ok(Input::Text(file)),
            Err(diagnostic) => {
                self.push(*diagnostic);
                Ok(Input::Broken)
            }
        }
    }

    /// Reads and splits a CSV file.
    fn csv_input(&mut self, path: &str) -> Result<CsvInput, ScenarioError> {
        let file = match self.input(path)? {
            Input::Text(file) => file,
            Input::Broken => return Ok(CsvInput::Broken),
            Input::Absent => return Ok(CsvInput::Absent),
        };
        match parse_csv(&file) {
            Ok(records) => Ok(CsvInput::Read(file, records)),
            Err(diagnostic) => {
                self.push(*diagnostic);
                Ok(CsvInput::Broken)
            }
        }
    }

    /// Reads a CSV file; `None` when absent (an error if `required` says what it holds) or
    /// unreadable.
    fn csv(
        &mut self,
        path: &str,
        required: Option<&str>,
    ) -> Result<Option<(TextFile, Vec<Record>)>, ScenarioError> {
        match self.csv_input(path)? {
            CsvInput::Read(file, records) => Ok(Some((file, records))),
            CsvInput::Broken => Ok(None),
            CsvInput::Absent => {
                if let Some(what) = required {
                    self.push(
                        Diagnostic::error(format!("missing `{path}`"))
                            .with_label(format!("expected {what}, found no such file"))
                            .with_hint("a Flee scenario directory holds `input_csv/`, `source_data/` and `simsetting.yml` (the FabFlee layout)"),
                    );
                }
                Ok(None)
            }
        }
    }

    fn settings(&mut self, options: &LoadOptions) -> Result<SettingsRead, ScenarioError> {
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

    fn period(&mut self, options: &LoadOptions) -> Result<Option<(Date, u32)>, ScenarioError> {
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

    fn report_has_error_in(&self, path: &str) -> bool {
        self.report
            .errors
            .iter()
            .any(|d| d.span.as_ref().is_some_and(|s| s.file == path))
    }

    fn read_locations(&mut self, hasten: u32) -> Result<(), ScenarioError> {
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
            kind: LocationKind::Town,
            population: 0,
            capacity: None,
            conflict_intensity: 1.0,
            conflict_date: None,
            line: record.line,
        };
        for (index, slot) in [(3, &mut row.latitude), (4, &mut row.longitude)] {
            let Some(field) = record.fields.get(index) else {
                continue;
            };
            match py_float(&field.text) {
                Ok(value) => *slot = value,
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
        Some(row)
    }

    /// Resolves a location name; pushes an error (with a suggestion) when it is unknown.
    fn location_at(
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

    fn unknown_location(&self, text: &str) -> Diagnostic {
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

    fn routes(&mut self) -> Result<Vec<RouteRow>, ScenarioError> {
        let Some((file, records)) = self.csv(ROUTES, Some("the links between locations"))? else {
            return Ok(Vec::new());
        };
        let mut columns: Vec<String> = ROUTE_COLUMNS.iter().map(|&c| c.to_owned()).collect();
        let mut named = false;
        let mut warned_extra = false;
        let mut routes = Vec::new();
        let mut seen: HashMap<(usize, usize), u32> = HashMap::new();
        for record in &records {
            if record.fields.is_empty() || record.is_blank() {
                continue;
            }
            if record.is_comment() {
                if record.fields.len() > 4 && !named {
                    named = true;
                    columns.extend(
                        record
                            .fields
                            .iter()
                            .skip(4)
                            .map(|f| f.text.trim().to_owned()),
                    );
                }
                continue;
            }
            if record.text(0).trim().is_empty() {
                let diagnostic = Diagnostic::error("link without a start point").with_label(
                    format!("expected a location name, {}", found(record.text(0))),
                );
                if let Some(field) = record.fields.first() {
                    self.push(file.at_field(diagnostic, field, 0, "name1"));
                }
                continue;
            }
            if record.fields.len() < 3 {
                let diagnostic = Diagnostic::error("link with too few fields").with_label(format!(
                    "expected at least 3 fields (name1, name2, distance), found {}",
                    record.fields.len()
                ));
                self.push(file.at_record_end(diagnostic, record));
                continue;
            }
            if record.fields.len() > columns.len() && !warned_extra {
                warned_extra = true;
                if let Some(field) = record.fields.get(columns.len()) {
                    let diagnostic = Diagnostic::warning(format!(
                        "`{ROUTES}` has fields without a column name; they are ignored"
                    ))
                    .with_label(format!(
                        "expected at most {} fields (name extra columns in the `#` header line), {}",
                        columns.len(),
                        found(&field.text)
                    ));
                    self.push(file.at_field(diagnostic, field, columns.len(), ""));
                }
            }
            let a = self.location_at(&file, record, 0, "name1");
            let b = self.location_at(&file, record, 1, "name2");
            let (name1, name2) = (record.text(0), record.text(1));
            let mut valid = true;
            let mut distance_km = 0.0;
            if let Some(field) = record.fields.get(2) {
                let label = |expected: &str| format!("expected {expected}, {}", found(&field.text));
                let message = format!("invalid distance for link `{name1}` → `{name2}`");
                match py_float(&field.text) {
                    Ok(value) if value < 0.0 => {
                        valid = false;
                        self.push(
                            file.at_field(
                                Diagnostic::error(message)
                                    .with_label(label("a distance in km greater than 0")),
                                field,
                                2,
                                "distance",
                            ),
                        );
                    }
                    Ok(value) if value > MAX_DISTANCE_KM => {
                        valid = false;
                        self.push(file.at_field(
                            Diagnostic::error(message).with_label(label(&format!(
                                "a distance in km of at most {MAX_DISTANCE_KM}"
                            ))),
                            field,
                            2,
                            "distance",
                        ));
                    }
                    Ok(value) => {
                        distance_km = value;
                        if value == 0.0 {
                            self.push(file.at_field(
                                Diagnostic::warning(format!("link `{name1}` → `{name2}` has length 0"))
                                    .with_label(label("a distance in km greater than 0"))
                                    .with_hint("Flee accepts it (agents cross it without using any of the day's travel); check the distance"),
                                field,
                                2,
                                "distance",
                            ));
                        }
                    }
                    Err(NumberError::TooLarge) => {
                        valid = false;
                        self.push(file.at_field(
                            Diagnostic::error(message).with_label(label("a finite distance in km")),
                            field,
                            2,
                            "distance",
                        ));
                    }
                    Err(_) => {
                        valid = false;
                        self.push(
                            file.at_field(
                                Diagnostic::error(message)
                                    .with_label(label("a distance in km greater than 0")),
                                field,
                                2,
                                "distance",
                            ),
                        );
                    }
                }
            }
            let mut forced_redirection = 0;
            if let Some(field) = record.fields.get(3) {
                match py_int(&field.text) {
                    Err(NumberError::Empty) => {}
                    Ok(value @ 0..=2) => forced_redirection = u8::try_from(value).unwrap_or(0),
                    _ => {
                        valid = false;
                        let diagnostic = Diagnostic::error(format!(
                            "invalid forced redirection for link `{name1}` → `{name2}`"
                        ))
                        .with_label(format!(
                            "expected `0`, `1`, `2` or an empty field, {}",
                            found(&field.text)
                        ));
                        self.push(file.at_field(diagnostic, field, 3, "forced_redirection"));
                    }
                }
            }
            let mut max_move_speed = None;
            let mut walk_probability = 0.0;
            for (index, column) in columns.iter().enumerate().skip(4) {
                let Some(field) = record.fields.get(index) else {
                    continue;
                };
                let value = py_float(&field.text);
                match column.as_str() {
                    "max_move_speed" => match value {
                        Err(NumberError::Empty) => {}
                        Ok(speed) if speed > 0.0 => max_move_speed = Some(speed),
                        _ => {
                            valid = false;
                            let diagnostic = Diagnostic::error(format!(
                                "invalid speed for link `{name1}` → `{name2}`"
                            ))
                            .with_label(format!(
                                "expected a speed in km per day greater than 0, {}",
                                found(&field.text)
                            ));
                            self.push(file.at_field(diagnostic, field, index, column));
                        }
                    },
                    "walk_probability" => match value {
                        Err(NumberError::Empty) => {}
                        Ok(p) if (0.0..=1.0).contains(&p) => walk_probability = p,
                        _ => {
                            valid = false;
                            let diagnostic = Diagnostic::error(format!(
                                "invalid walk probability for link `{name1}` → `{name2}`"
                            ))
                            .with_label(format!(
                                "expected a probability from 0 to 1, {}",
                                found(&field.text)
                            ));
                            self.push(file.at_field(diagnostic, field, index, column));
                        }
                    },
                    _ => {}
                }
            }
            let (Some(a), Some(b), true) = (a, b, valid) else {
                continue;
            };
            if a == b
                && let Some(field) = record.fields.first()
            {
                let diagnostic = Diagnostic::warning(format!("link from `{name1}` to itself"))
                        .with_label(format!("expected two different locations, found `{name1}` twice"))
                        .with_hint("Flee creates such a link; agents may choose it and come back where they were");
                self.push(file.at_field(diagnostic, field, 0, "name1"));
            }
            let pair = (a.min(b), a.max(b));
            if let Some(first) = seen.get(&pair) {
                if let Some(field) = record.fields.first() {
                    let diagnostic = Diagnostic::warning(format!(
                        "link `{name1}` – `{name2}` is listed twice"
                    ))
                    .with_label(format!("expected each link once, found a second one (first on line {first})"))
                    .with_hint("Flee then creates parallel links, which doubles the route's weight; so does Tumen");
                    self.push(file.at_field(diagnostic, field, 0, "name1"));
                }
            } else {
                seen.insert(pair, record.line);
            }
            routes.push(RouteRow {
                a,
                b,
                distance_km,
                max_move_speed,
                walk_probability,
                forced_redirection,
            });
        }
        if routes.is_empty() && self.locations.len() > 1 && !self.report_has_error_in(ROUTES) {
            let found = if file.text.trim().is_empty() {
                "an empty file"
            } else {
                "only comment or header lines"
            };
            let diagnostic = Diagnostic::warning(format!("`{ROUTES}` defines no link: nobody can move"))
                .with_label(format!("expected rows `name1,name2,distance,forced_redirection`, found {found}"))
                .with_hint("Flee runs such a scenario, but everyone stays where they are spawned and no camp is ever reached");
            self.push(file.at_line(diagnostic, 1));
        }
        if routes.len().saturating_mul(2) >= MAX_ITEMS {
            self.push(Diagnostic::error(format!(
                "`{ROUTES}` has {} links, more than the {MAX_ITEMS} Tumen can index",
                routes.len().saturating_mul(2)
            )));
        }
        Ok(routes)
    }

    /// Country names in order of first appearance: their index is their `CountryId`.
    fn countries(&self) -> Vec<String> {
        let mut countries: Vec<String> = Vec::new();
        for location in &self.locations {
            if !countries.contains(&location.country) {
                countries.push(location.country.clone());
            }
        }
        countries
    }

    #[expect(clippy::too_many_lines, reason = "one closure type after another")]
    fn closures(
        &mut self,
        countries: &[String],
        routes: &[RouteRow],
    ) -> Result<Vec<Closure>, ScenarioError> {
        let Some((file, records)) = self.csv(CLOSURES, None)? else {
            return Ok(Vec::new());
        };
        let mut closures = Vec::new();
        for record in &records {
            if record.fields.is_empty() || record.is_blank() || record.is_comment() {
                continue;
            }
            let kind = record.text(0);
            if kind.trim().is_empty() {
                if let Some(field) = record.fields.first() {
                    let diagnostic = Diagnostic::error("closure without a type").with_label(
                        format!("expected {}, {}", one_of(&CLOSURE_TYPES), found(kind)),
                    );
                    self.push(file.at_field(diagnostic, field, 0, "closure_type"));
                }
                continue;
            }
            if record.fields.len() < 5 {
                let diagnostic = Diagnostic::error(format!("`{kind}` closure with too few fields"))
                    .with_label(format!(
                        "expected 5 fields ({}), found {}",
                        CLOSURE_COLUMNS.join(", "),
                        record.fields.len()
                    ));
                self.push(file.at_record_end(diagnostic, record));
                continue;
            }
            let mut days = [0_i64; 2];
            let mut valid = true;
            for (slot, index) in days.iter_mut().zip([3, 4]) {
                let Some(field) = record.fields.get(index) else {
                    continue;
                };
                match py_int(&field.text).map(i64::try_from) {
                    Ok(Ok(day)) => *slot = day,
                    _ => {
                        valid = false;
                        let what = if index == 3 { "start" } else { "end" };
                        let diagnostic = Diagnostic::error(format!("invalid {what} day for a `{kind}` closure"))
                            .with_label(format!(
                                "expected a whole number of days from the start date, {}",
                                found(&field.text)
                            ))
                            .with_hint("use a day that is never reached (such as -1) for a closure that never ends");
                        self.push(file.at_field(diagnostic, field, index, CLOSURE_COLUMNS[index]));
                    }
                }
            }
            let scope = match kind {
                "country" => {
                    let mut ends = [None, None];
                    for (slot, index) in ends.iter_mut().zip([1, 2]) {
                        let name = record.text(index);
                        *slot = countries
                            .iter()
                            .position(|c| c == name)
                            .map(CountryId::from_index);
                        if slot.is_none()
                            && self.locations_read
                            && let Some(field) = record.fields.get(index)
                        {
                            let hint = suggest(name, countries.iter().map(String::as_str))
                                    .map(|s| format!("did you mean `{s}`? Countries are those of `{LOCATIONS}`"))
                                    .unwrap_or_else(|| format!("countries are those named in the `country` column of `{LOCATIONS}`"));
                            let diagnostic = Diagnostic::warning(format!(
                                "no location is in country `{}`: this closure closes nothing",
                                shown(name)
                            ))
                            .with_label(format!(
                                "expected a country of `{LOCATIONS}`, {}",
                                found(name)
                            ))
                            .with_hint(hint);
                            self.push(file.at_field(
                                diagnostic,
                                field,
                                index,
                                CLOSURE_COLUMNS[index],
                            ));
                        }
                    }
                    Some(ClosureScope::Country {
                        a: ends[0],
                        b: ends[1],
                    })
                }
                "location" => self.location_at(&file, record, 1, "name1").map(|index| {
                    ClosureScope::Location {
                        location: LocationId::from_index(index),
                    }
                }),
                "camp" | "idpcamp" => {
                    let found_location = self.location_at(&file, record, 1, "name1");
                    if let Some(index) = found_location {
                        let is_camp = self.locations.get(index).is_some_and(|l| l.kind.is_camp());
                        if !is_camp && let Some(field) = record.fields.get(1) {
                            let diagnostic = Diagnostic::warning(format!(
                                    "`{kind}` closure of `{}`, which is not a camp",
                                    record.text(1)
                                ))
                                .with_label("expected a camp")
                                .with_hint("closing turns it into a town (no change) and reopening turns it into a camp, as in Flee");
                            self.push(file.at_field(diagnostic, field, 1, "name1"));
                        }
                    }
                    found_location.map(|index| ClosureScope::Camp {
                        location: LocationId::from_index(index),
                        idp: kind == "idpcamp",
                    })
                }
                "link" | "remove_forced_redirection" => {
                    let a = self.location_at(&file, record, 1, "name1");
                    let b = self.location_at(&file, record, 2, "name2");
                    match (a, b) {
                        (Some(a), Some(b)) => {
                            let linked = routes
                                .iter()
                                .any(|r| (r.a == a && r.b == b) || (r.a == b && r.b == a));
                            if !linked && let Some(field) = record.fields.get(1) {
                                let diagnostic = Diagnostic::warning(format!(
                                    "`{kind}` closure between `{}` and `{}`, which no link joins",
                                    record.text(1),
                                    record.text(2)
                                ))
                                .with_label(format!("expected the ends of a link of `{ROUTES}`"))
                                .with_hint("this closure changes nothing");
                                self.push(file.at_field(diagnostic, field, 1, "name1"));
                            }
                            let (a, b) = (LocationId::from_index(a), LocationId::from_index(b));
                            Some(if kind == "link" {
                                ClosureScope::Link { a, b }
                            } else {
                                ClosureScope::RemoveForcedRedirection { a, b }
                            })
                        }
                        _ => None,
                    }
                }
                other => {
                    if let Some(field) = record.fields.first() {
                        let hint =
                            suggest(other, CLOSURE_TYPES).map(|s| format!("did you mean `{s}`?"));
                        let diagnostic =
                            Diagnostic::error(format!("unknown closure type `{}`", shown(other)))
                                .with_label(format!(
                                    "expected {}, {}",
                                    one_of(&CLOSURE_TYPES),
                                    found(other)
                                ))
                                .with_hint_opt(hint);
                        self.push(file.at_field(diagnostic, field, 0, "closure_type"));
                    }
                    None
                }
            };
            if let (Some(scope), true) = (scope, valid) {
                closures.push(Closure {
                    scope,
                    start: days[0],
                    end: days[1],
                });
            }
        }
        Ok(closures)
    }

    #[expect(
        clippy::too_many_lines,
        reason = "header, then rows, then the length check"
    )]
    fn conflicts(&mut self, days: u32) -> Result<Option<ConflictTable>, ScenarioError> {
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
                let diagnostic = self.unknown_location(name);
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

    #[expect(
        clippy::too_many_lines,
        reason = "rows, files, then the camps without data"
    )]
    fn data(
        &mut self,
        start: Date,
        hasten: u32,
        closures: &[Closure],
    ) -> Result<Option<DataRead>, ScenarioError> {
        let Some((file, records)) = self.csv(
            DATA_LAYOUT,
            Some("the list of data files (`total,refugees.csv` and one row per camp)"),
        )?
        else {
            return Ok(None);
        };
        let mut data = DataRead {
            total: None,
            camps: Vec::new(),
            keys: HashMap::new(),
        };
        let mut cache: HashMap<String, Option<Series>> = HashMap::new();
        for record in &records {
            if record.fields.len() < 2 || record.is_blank() || record.is_comment() {
                continue;
            }
            let key = record.text(0);
            let Some(key_field) = record.fields.first() else {
                continue;
            };
            if key.trim().is_empty() {
                let diagnostic = Diagnostic::error("data row without a name")
                    .with_label(format!("expected `total` or a camp name, {}", found(key)));
                self.push(file.at_field(diagnostic, key_field, 0, "name"));
                continue;
            }
            if let Some((_, files)) = data.keys.get(key) {
                let diagnostic =
                    Diagnostic::warning(format!("`{key}` has two rows; the second is ignored"))
                        .with_label(format!(
                            "expected one row per name, found another (first reads `{files}`)"
                        ))
                        .with_hint(
                            "Flee uses the first row; list several files on one row to add them up",
                        );
                self.push(file.at_field(diagnostic, key_field, 0, "name"));
                continue;
            }
            // `None`: the total; `Some(None)`: a name that is no location (Flee reads its files
            // and never uses them).
            let location = if key == "total" {
                None
            } else {
                match self.by_name.get(key) {
                    Some(&index) => Some(Some(index)),
                    None => {
                        if self.locations_read {
                            let suggestion =
                                suggest(key, self.locations.iter().map(|l| l.name.as_str()));
                            let hint = if suggest(key, ["total"]).is_some() {
                                "did you mean `total`? The `total` row (all lower-case) names the file of total arrivals".to_owned()
                            } else if let Some(name) = suggestion {
                                format!(
                                    "did you mean `{name}`? Locations are defined in `{LOCATIONS}`"
                                )
                            } else {
                                format!("Locations are defined in `{LOCATIONS}`")
                            };
                            let diagnostic = Diagnostic::warning(format!(
                                "data for unknown location `{}` are ignored",
                                shown(key)
                            ))
                            .with_label(format!(
                                "expected `total` or a location name, {}",
                                found(key)
                            ))
                            .with_hint(hint);
                            self.push(file.at_field(diagnostic, key_field, 0, "name"));
                        }
                        Some(None)
                    }
                }
            };
            let mut sum: Option<Series> = None;
            let mut names: Vec<&str> = Vec::new();
            let mut complete = true;
            for (index, field) in record.fields.iter().enumerate().skip(1) {
                let name = field.text.trim();
                if name.is_empty() {
                    continue;
                }
                names.push(name);
                let path = format!("{DATA_DIR}/{name}");
                let series = match cache.get(&path) {
                    Some(series) => series.clone(),
                    None => {
                        let series = self.series(&path, start, hasten)?;
                        if series.is_none() && !self.report_has_error_in(&path) {
                            let diagnostic =
                                Diagnostic::error(format!("missing data file `{path}`"))
                                    .with_label(format!(
                                        "expected a file `{name}` in `{DATA_DIR}/`, found none"
                                    ));
                            self.push(file.at_field(diagnostic, field, index, "file"));
                        }
                        cache.insert(path.clone(), series.clone());
                        series
                    }
                };
                let Some(series) = series else {
                    complete = false;
                    continue;
                };
                sum = Some(match sum {
                    None => series,
                    Some(sum) => sum.add_flee(&series),
                });
            }
            if names.is_empty() {
                let diagnostic = Diagnostic::error(format!("no data file for `{key}`")).with_label(
                    format!("expected a file name after `{key}`, found an empty field"),
                );
                if let Some(field) = record.fields.get(1) {
                    self.push(file.at_field(diagnostic, field, 1, "file"));
                }
                continue;
            }
            let joined = names.join(", ");
            let series = sum.unwrap_or_default();
            if !complete {
                data.keys.insert(key.to_owned(), (None, joined));
                continue;
            }
            match location {
                None => {
                    data.total = Some(series);
                    data.keys.insert(key.to_owned(), (None, joined));
                }
                Some(None) => {}
                Some(Some(index)) => {
                    data.keys
                        .insert(key.to_owned(), (Some(data.camps.len()), joined));
                    let never_camp = self.locations.get(index).is_some_and(|l| !l.kind.is_camp())
                        && !closures.iter().any(|c| {
                            matches!(c.scope, ClosureScope::Camp { location, .. } if location.index() == index)
                        });
                    if never_camp {
                        let diagnostic = Diagnostic::warning(format!(
                            "data for `{key}`, which is not a camp, are not compared with the simulation"
                        ))
                        .with_label("expected the name of a camp")
                        .with_hint("only camps are reported in `out.csv`; the row is kept for `sum_from_camps`, as in Flee");
                        self.push(file.at_field(diagnostic, key_field, 0, "name"));
                    }
                    data.camps.push((index, series));
                }
            }
        }
        if !data.keys.contains_key("total") && !self.report_has_error_in(DATA_LAYOUT) {
            let diagnostic = Diagnostic::error(format!("`{DATA_LAYOUT}` has no `total` row"))
                .with_label(
                    "expected a row `total,refugees.csv` naming the total arrivals, found none",
                )
                .with_hint("Flee spawns agents from the day-to-day increase of this series");
            self.push(file.at_line(diagnostic, 1));
        }
        if self.locations_read {
            let listed: HashSet<usize> = data.camps.iter().map(|(index, _)| *index).collect();
            let missing: Vec<(String, u32)> = self
                .locations
                .iter()
                .enumerate()
                .filter(|(index, l)| l.kind.is_camp() && !listed.contains(index))
                .map(|(_, l)| (l.name.clone(), l.line))
                .collect();
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|(n, _)| n.as_str()).collect();
                for (name, line) in &missing {
                    let diagnostic = Diagnostic::warning(format!("camp `{name}` has no data in `{DATA_LAYOUT}`"))
                        .with_label("expected a row in the data layout for every camp")
                        .with_hint(if names.len() > 1 {
                            format!(
                                "its observed values are 0 (Flee 3.1 stops with an error here); camps without data: {}",
                                one_of(&names)
                            )
                        } else {
                            "its observed values are 0 (Flee 3.1 stops with an error here)".to_owned()
                        });
                    let diagnostic = self.at_location(diagnostic, *line, name);
                    self.push(diagnostic);
                }
            }
        }
        Ok(Some(data))
    }

    /// Reads one series file (`YYYY-MM-DD,count` rows); `None` when absent or broken.
    fn series(
        &mut self,
        path: &str,
        start: Date,
        hasten: u32,
    ) -> Result<Option<Series>, ScenarioError> {
        let Some((file, records)) = self.csv(path, None)? else {
            return Ok(None);
        };
        let mut points: Vec<(i64, f64)> = Vec::new();
        let mut warned_order = false;
        for (position, record) in records.iter().enumerate() {
            if record.fields.len() < 2 {
                continue;
            }
            let first = record.text(0);
            if position == 0 && (first.is_empty() || first == "Date" || first == "DateTime") {
                continue;
            }
            if first.starts_with('#') || record.text(1).is_empty() {
                continue;
            }
            let (Some(date_field), Some(count_field)) =
                (record.fields.first(), record.fields.get(1))
            else {
                continue;
            };
            let Some(date) = parse_date(first) else {
                let diagnostic = Diagnostic::error("invalid date in a data file")
                    .with_label(format!("expected a date as YYYY-MM-DD, {}", found(first)));
                self.push(file.at_field(diagnostic, date_field, 0, "date"));
                continue;
            };
            let count = match py_int(&count_field.text) {
                Ok(count) if count >= 0 => count,
                result => {
                    let expected = match result {
                        Ok(_) => "a count of 0 or more",
                        Err(NumberError::TooLarge) => "a count that fits in 128 bits",
                        Err(_) => "a whole number of people",
                    };
                    let diagnostic = Diagnostic::error(format!("invalid count on {date}"))
                        .with_label(format!("expected {expected}, {}", found(&count_field.text)));
                    self.push(file.at_field(diagnostic, count_field, 1, "count"));
                    continue;
                }
            };
            let day = days_between(start, date);
            if points.last().is_some_and(|&(last, _)| day <= last) && !warned_order {
                warned_order = true;
                let diagnostic = Diagnostic::warning(format!("the dates of `{path}` are not in increasing order"))
                    .with_label(format!("expected a date after the previous row's, found `{}`", first.trim()))
                    .with_hint("values between dates are interpolated in file order, as in Flee; sort the rows by date");
                self.push(file.at_field(diagnostic, date_field, 0, "date"));
            }
            #[expect(clippy::cast_precision_loss, reason = "Python's int / int is a float")]
            let value = count as f64 / f64::from(hasten);
            points.push((day, value));
        }
        if points.is_empty() && !self.report_has_error_in(path) {
            let diagnostic = Diagnostic::warning(format!("`{path}` has no data rows"))
                .with_label("expected rows `YYYY-MM-DD,count`, found none")
                .with_hint("its values are taken as 0 (Flee 3.1 stops with an error here)");
            self.push(file.at_line(diagnostic, 1));
        }
        Ok(Some(Series { points }))
    }

    fn corrections(&mut self, start: Date, data: &mut DataRead) -> Result<(), ScenarioError> {
        let Some((file, records)) = self.csv(CORRECTIONS, None)? else {
            return Ok(());
        };
        for record in &records {
            if record.fields.len() < 2 || record.is_blank() || record.is_comment() {
                continue;
            }
            let (Some(name_field), Some(date_field)) =
                (record.fields.first(), record.fields.get(1))
            else {
                continue;
            };
            let name = name_field.text.as_str();
            let Some((slot, files)) = data.keys.get(name).cloned() else {
                let suggestion = suggest(name, data.keys.keys().map(String::as_str));
                let hint = match suggestion {
                    Some(s) => format!(
                        "did you mean `{s}`? Corrections apply to the series named in `{DATA_LAYOUT}`"
                    ),
                    None => format!("corrections apply to the series named in `{DATA_LAYOUT}`"),
                };
                let diagnostic = Diagnostic::error(format!("no data series for `{}`", shown(name)))
                    .with_label(format!(
                        "expected a name listed in `{DATA_LAYOUT}`, {}",
                        found(name)
                    ))
                    .with_hint(hint);
                self.push(file.at_field(diagnostic, name_field, 0, "name"));
                continue;
            };
            let Some(date) = parse_date(&date_field.text) else {
                let diagnostic =
                    Diagnostic::error(format!("invalid date in the correction of `{name}`"))
                        .with_label(format!(
                            "expected a date as YYYY-MM-DD, {}",
                            found(&date_field.text)
                        ));
                self.push(file.at_field(diagnostic, date_field, 1, "date"));
                continue;
            };
            let series = match slot {
                None if name == "total" => data.total.as_mut(),
                None => None,
                Some(index) => data.camps.get_mut(index).map(|(_, series)| series),
            };
            let Some(series) = series else {
                // The series could not be read; that error is reported already.
                continue;
            };
            let day = days_between(start, date);
            let Some(index) = series.points.iter().position(|&(d, _)| d == day) else {
                let nearest = series
                    .points
                    .iter()
                    .min_by_key(|(d, _)| d.abs_diff(day))
                    .and_then(|&(d, _)| {
                        let span = jiff::Span::new().try_days(d).ok()?;
                        start.checked_add(span).ok()
                    });
                let hint = match nearest {
                    Some(nearest) => format!(
                        "the correction date must be a date of the data; the nearest is `{nearest}` (Flee 3.1 stops with an error here)"
                    ),
                    None => "the series has no data".to_owned(),
                };
                let diagnostic = Diagnostic::error(format!(
                    "no data point of `{name}` on {date} to correct from"
                ))
                .with_label(format!(
                    "expected a date listed in `{files}`, found `{}`",
                    date_field.text.trim()
                ))
                .with_hint(hint);
                self.push(file.at_field(diagnostic, date_field, 1, "date"));
                continue;
            };
            let previous = index
                .checked_sub(1)
                .and_then(|i| series.points.get(i))
                .map(|&(_, value)| value);
            let current = series.points.get(index).map_or(0.0, |&(_, value)| value);
            match previous {
                None => {
                    let diagnostic = Diagnostic::warning(format!(
                        "the correction of `{name}` on {date} changes nothing"
                    ))
                    .with_label("expected a date after the first data point, found the first")
                    .with_hint(
                        "a correction rescales the points before its date, and there are none",
                    );
                    self.push(file.at_field(diagnostic, date_field, 1, "date"));
                }
                Some(0.0) => {
                    let diagnostic = Diagnostic::error(format!("cannot correct `{name}` on {date}"))
                        .with_label("expected a non-zero value on the data point before this date, found 0")
                        .with_hint("the correction multiplies earlier points by (value on this date) / (value before it)");
                    self.push(file.at_field(diagnostic, date_field, 1, "date"));
                }
                Some(previous) => series.scale_before(index, current / previous),
            }
        }
        Ok(())
    }

    fn agents(&mut self, settings: &Settings) -> Result<Vec<LocationId>, ScenarioError> {
        if !settings.spawn_rules.read_from_agents_csv_file {
            return Ok(Vec::new());
        }
        let Some((file, records)) = self.csv(
            AGENTS,
            Some("the agents to place on day 0 (`read_from_agents_csv_file` is True)"),
        )?
        else {
            return Ok(Vec::new());
        };
        let mut agents = Vec::new();
        let mut header_seen = false;
        for record in &records {
            if record.fields.is_empty() || record.is_blank() || record.is_comment() {
                continue;
            }
            if !header_seen {
                header_seen = true;
                if let Some(field) = record.fields.first() {
                    if self.by_name.contains_key(&field.text) {
                        let diagnostic = Diagnostic::warning(
                            "the first row of `agents.csv` is read as its header",
                        )
                        .with_label(format!(
                            "expected a header such as `location,age`, found the location `{}`",
                            field.text
                        ))
                        .with_hint("this agent is not placed, as in Flee; add a header row");
                        self.push(file.at_field(diagnostic, field, 0, "location"));
                    } else if record.fields.len() > 1 {
                        let names: Vec<&str> = record
                            .fields
                            .iter()
                            .skip(1)
                            .map(|f| f.text.as_str())
                            .collect();
                        let diagnostic = Diagnostic::warning("agent attributes are ignored")
                            .with_label(format!("expected no attributes, found {}", one_of(&names)))
                            .with_hint("Tumen agents have no attributes; every agent is placed at its location");
                        self.push(file.at_field(diagnostic, field, 0, "location"));
                    }
                }
                continue;
            }
            if let Some(index) = self.location_at(&file, record, 0, "location") {
                agents.push(LocationId::from_index(index));
            }
        }
        Ok(agents)
    }

    /// Checks across files: camps no conflict zone can reach, conflict zones that never start,
    /// towns Flee would turn into camps.
    fn checks(
        &mut self,
        settings: &Settings,
        routes: &[RouteRow],
        conflicts: &Option<ConflictTable>,
        days: u32,
    ) {
        if !self.locations_read || self.locations.is_empty() {
            return;
        }
        let days = usize::try_from(days).unwrap_or(usize::MAX);
        let mut sources: Vec<usize> = Vec::new();
        let mut activated: HashSet<usize> = HashSet::new();
        if let Some(table) = conflicts {
            for (column, location) in table.locations.iter().enumerate() {
                let active = table
                    .intensity
                    .iter()
                    .take(days)
                    .any(|row| row.get(column).is_some_and(|&v| v > 1e-6));
                if active {
                    activated.insert(location.index());
                }
            }
        }
        let mut delayed = Vec::new();
        for (index, location) in self.locations.iter().enumerate() {
            if location.kind != LocationKind::ConflictZone {
                if activated.contains(&index) {
                    sources.push(index);
                }
                continue;
            }
            let starts_later = location.conflict_date.is_some_and(|d| d > 0);
            if !starts_later || activated.contains(&index) {
                sources.push(index);
            } else if conflicts.is_some() {
                delayed.push((location.name.clone(), location.line));
            }
        }
        for (name, line) in delayed {
            let diagnostic = Diagnostic::warning(format!(
                "the conflict in `{name}` never starts during the simulated days"
            ))
            .with_label(format!("expected a positive intensity for `{name}` in `{CONFLICTS}`"))
            .with_hint("its conflict date is after day 0, so it starts as a town; with `conflicts.csv`, that file alone decides when its conflict starts, as in Flee");
            let diagnostic = self.at_location(diagnostic, line, &name);
            self.push(diagnostic);
        }

        let count = self.locations.len();
        let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); count];
        for route in routes {
            if let Some(list) = neighbours.get_mut(route.a) {
                list.push(route.b);
            }
            if let Some(list) = neighbours.get_mut(route.b) {
                list.push(route.a);
            }
        }
        let mut reached = vec![false; count];
        let mut queue: VecDeque<usize> = VecDeque::new();
        for &source in &sources {
            if let Some(slot) = reached.get_mut(source) {
                *slot = true;
                queue.push_back(source);
            }
        }
        while let Some(next) = queue.pop_front() {
            for &other in neighbours.get(next).map(Vec::as_slice).unwrap_or_default() {
                if let Some(slot) = reached.get_mut(other)
                    && !*slot
                {
                    *slot = true;
                    queue.push_back(other);
                }
            }
        }
        // With no link, or with rows of `routes.csv` rejected, the network is not the one meant:
        // that is reported already, and what cannot be reached would only repeat it.
        let network_known = !routes.is_empty() && !self.report_has_error_in(ROUTES);
        if sources.is_empty() {
            self.push(
                Diagnostic::warning("the scenario has no conflict zone: nobody is displaced")
                    .with_label("expected a `conflict_zone` in `input_csv/locations.csv` or a positive intensity in `input_csv/conflicts.csv`"),
            );
        } else if network_known {
            let unlinked: Vec<(String, u32)> = sources
                .iter()
                .filter(|&&source| neighbours.get(source).is_some_and(Vec::is_empty))
                .filter_map(|&source| self.locations.get(source))
                .map(|l| (l.name.clone(), l.line))
                .collect();
            for (name, line) in unlinked {
                let diagnostic = Diagnostic::warning(format!(
                    "conflict zone `{name}` has no link: nobody displaced there can leave"
                ))
                .with_label(format!("expected a row of `{ROUTES}` with `{name}` at one end"))
                .with_hint("Flee runs it the same way: its people stay there for the whole simulation; add the links that lead out of it");
                let diagnostic = self.at_location(diagnostic, line, &name);
                self.push(diagnostic);
            }
            let unreachable: Vec<(String, u32)> = self
                .locations
                .iter()
                .zip(&reached)
                .filter(|(l, reached)| l.kind.is_camp() && !**reached)
                .map(|(l, _)| (l.name.clone(), l.line))
                .collect();
            for (name, line) in unreachable {
                let diagnostic = Diagnostic::warning(format!(
                    "camp `{name}` cannot be reached from any conflict zone"
                ))
                .with_label(format!(
                    "expected a chain of links in `{ROUTES}` from a conflict zone"
                ))
                .with_hint("only its day-0 population will ever be there");
                let diagnostic = self.at_location(diagnostic, line, &name);
                self.push(diagnostic);
            }
        }

        let rules = &settings.move_rules;
        if rules.default_movechance < 0.005 {
            let towns: Vec<&str> = self
                .locations
                .iter()
                .filter(|l| l.kind == LocationKind::Town)
                .map(|l| l.name.as_str())
                .collect();
            if !towns.is_empty() {
                self.push(
                    Diagnostic::warning(format!(
                        "`move_rules.default_movechance` is {}, so every town is treated as a camp",
                        rules.default_movechance
                    ))
                    .with_label("expected a move chance of at least 0.005 for towns")
                    .with_hint(format!(
                        "Flee turns locations with a move chance below 0.005 into camps, and so does Tumen: {}",
                        one_of(&towns)
                    )),
                );
                for location in &mut self.locations {
                    if location.kind == LocationKind::Town {
                        location.kind = LocationKind::Camp;
                    }
                }
            }
        }
        if rules.conflict_movechance < 0.005 {
            self.push(
                Diagnostic::warning(format!(
                    "`move_rules.conflict_movechance` is {}: Flee would also treat conflict zones as camps",
                    rules.conflict_movechance
                ))
                .with_label("expected a move chance of at least 0.005 for conflict zones")
                .with_hint("Tumen keeps them conflict zones, where agents stay with this move chance"),
            );
        }
    }

    fn network(&mut self, routes: &[RouteRow]) -> Network {
        let mut builder = Network::builder();
        for row in self.locations.drain(..) {
            let country = builder.country(&row.country);
            builder.location(Location {
                name: row.name,
                region: row.region,
                country,
                latitude: row.latitude,
                longitude: row.longitude,
                kind: row.kind,
                population: row.population,
                capacity: row.capacity,
                conflict_intensity: row.conflict_intensity,
                conflict_date: row.conflict_date,
                foreign: false,
            });
        }
        for route in routes {
            builder.route(Route {
                a: LocationId::from_index(route.a),
                b: LocationId::from_index(route.b),
                distance_km: route.distance_km,
                max_move_speed_km_per_day: route.max_move_speed,
                walk_probability: route.walk_probability,
                forced_redirection: route.forced_redirection,
            });
        }
        builder.build()
    }
}
