//! The FabFlee scenario layout: `input_csv/`, `source_data/` and `simsetting.yml`.

mod agents;
mod checks;
mod closures;
mod conflicts;
mod corrections;
mod data;
mod locations;
mod period;
mod routes;

use crate::diagnostic::{Diagnostic, Report};
use crate::settings::SettingsRead;
use crate::source::Source;
use crate::text::{Record, TextFile, parse_csv, shown};
use crate::{LoadOptions, Loaded, ScenarioError};
use std::collections::HashMap;
use tumen_core::{Date, LocationId, LocationKind, Observations, Scenario, Schedule, Series};

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
    /// Both coordinates were given (an empty field reads as 0).
    has_coordinates: bool,
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

    fn report_has_error_in(&self, path: &str) -> bool {
        self.report
            .errors
            .iter()
            .any(|d| d.span.as_ref().is_some_and(|s| s.file == path))
    }
}
