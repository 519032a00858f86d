//! The native scenario format: a Flee scenario directory plus `scenario.toml`, which configures
//! the mechanisms of [`tumen_core::Mechanisms`] by location, country and region names, ISO
//! dates and CSV tables of the directory. `docs/NATIVE_FORMAT.md` describes every key.
//!
//! Reading goes in three steps: the TOML text is parsed into a tree whose every value knows
//! where it was written ([`doc`]); the `--set` overrides are applied to that tree; the tree is
//! interpreted against the Flee part (names, dates, routes), collecting every problem.

mod doc;
mod schema;
mod tables;

use crate::diagnostic::{Diagnostic, Report};
use crate::source::Source;
use crate::text::{days_between, parse_date, py_float, py_int, shown, suggest};
use crate::{LoadOptions, Loaded, ScenarioError};
use doc::{Node, Origin, Table, Texts, Value};
use std::collections::HashMap;
use std::rc::Rc;
use tumen_core::{CountryId, Date, DayCount, LocationId, Mechanisms, Network, Series};

/// The name of the file that makes a Flee directory a native scenario.
pub(crate) const SCENARIO_TOML: &str = "scenario.toml";

const LOCATIONS: &str = "input_csv/locations.csv";
const ROUTES: &str = "input_csv/routes.csv";

/// Loads the Flee part of `source`, then `scenario.toml` when there is one.
pub(crate) fn load(
    source: &dyn Source,
    name: &str,
    options: &LoadOptions,
) -> Result<Loaded, ScenarioError> {
    let flee = crate::flee::load(source, name, options);
    let text = match source.read(SCENARIO_TOML) {
        Ok(bytes) => bytes,
        Err(error) => {
            return Err(ScenarioError::Io {
                path: source.describe(SCENARIO_TOML),
                source: error,
            });
        }
    };
    let Some(bytes) = text else {
        if options.overrides.is_empty() {
            return flee;
        }
        let mut report = Report::default();
        report.push(
            Diagnostic::error("`--set` needs a scenario with a `scenario.toml`")
                .with_label(format!(
                    "expected a native scenario, found a Flee scenario without `{SCENARIO_TOML}` (given: `--set {}`)",
                    shown(&options.overrides.join(" --set "))
                ))
                .with_hint("the mechanisms that `--set` changes are configured in `scenario.toml`; see docs/NATIVE_FORMAT.md"),
        );
        if let Err(ScenarioError::Invalid { diagnostics }) = flee {
            report.extend(diagnostics);
        }
        return Err(report.into_error());
    };
    let mut report = Report::default();
    let file_text = match crate::text::TextFile::decode(SCENARIO_TOML, bytes) {
        Ok(file) => file.text,
        Err(diagnostic) => {
            report.push(*diagnostic);
            String::new()
        }
    };
    let texts = Texts {
        file: file_text,
        overrides: options.overrides.clone(),
    };
    let (mut loaded, flee_ok) = match flee {
        Ok(loaded) => (Some(loaded), true),
        Err(ScenarioError::Invalid { diagnostics }) => {
            report.extend(diagnostics);
            (None, false)
        }
        Err(error) => return Err(error),
    };
    if !report.has_errors() || !flee_ok {
        match doc::parse(&texts) {
            Err(errors) => report.extend(errors),
            Ok(mut document) => {
                let errors = doc::apply_overrides(&mut document, &texts);
                if errors.is_empty() {
                    let context = loaded.as_ref().map(|l| Context {
                        network: &l.scenario.network,
                        start: l.scenario.start_date,
                        days: l.scenario.days,
                        hasten: l.scenario.settings.hasten.max(1),
                        shortened: options.days.is_some(),
                    });
                    let mut reader = Reader::new(&texts, source, context);
                    let mechanisms = reader.read(&document);
                    if let Some(error) = reader.io_error.take() {
                        return Err(error);
                    }
                    // A table used by two series reports its problems once.
                    let mut seen: Vec<Diagnostic> = Vec::new();
                    for diagnostic in reader
                        .report
                        .errors
                        .into_iter()
                        .chain(reader.report.warnings)
                    {
                        if !seen.contains(&diagnostic) {
                            seen.push(diagnostic);
                        }
                    }
                    report.extend(seen);
                    if let (Some(loaded), Some(mechanisms)) = (loaded.as_mut(), mechanisms) {
                        loaded.scenario.mechanisms = mechanisms;
                    }
                } else {
                    report.extend(errors);
                }
            }
        }
    }
    match loaded {
        Some(mut loaded) if !report.has_errors() => {
            // A camp that only asylum claimants reach (a channel's exit, flown to) is
            // unreachable by road on purpose: the Flee part's warning does not apply.
            let exits: Vec<String> = loaded
                .scenario
                .mechanisms
                .asylum
                .iter()
                .flat_map(|asylum| &asylum.channels)
                .map(|channel| {
                    let name = &loaded.scenario.network.location(channel.exit).name;
                    format!("camp `{name}` cannot be reached from any conflict zone")
                })
                .collect();
            // A camp in a country where people have no status (`status.irregular_countries`)
            // is a hiding place: nobody registers the people there, so it has no observed
            // series by nature, and Flee's "no data" warning does not apply either.
            let network = &loaded.scenario.network;
            let irregular = &loaded.scenario.mechanisms.irregular_countries;
            let hiding: Vec<String> = network
                .locations
                .iter()
                .filter(|l| irregular.contains(&l.country))
                .map(|l| {
                    format!(
                        "camp `{}` has no data in `source_data/data_layout.csv`",
                        l.name
                    )
                })
                .collect();
            loaded
                .warnings
                .retain(|w| !exits.contains(&w.message) && !hiding.contains(&w.message));
            report.extend(std::mem::take(&mut loaded.warnings));
            loaded.warnings = report.into_warnings();
            Ok(loaded)
        }
        _ => Err(report.into_error()),
    }
}

/// What `scenario.toml` is checked against: the Flee part.
struct Context<'a> {
    network: &'a Network,
    start: Date,
    days: u32,
    hasten: u32,
    /// The run was cut short with `--days`: dates after its end are expected, not warned.
    shortened: bool,
}

/// Acceptable values of a number.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Bound {
    /// Any finite number.
    Any,
    /// `≥ 0`.
    NonNegative,
    /// `> 0`.
    Positive,
    /// From 0 to 1.
    Probability,
}

impl Bound {
    fn accepts(self, value: f64) -> bool {
        value.is_finite()
            && match self {
                Self::Any => true,
                Self::NonNegative => value >= 0.0,
                Self::Positive => value > 0.0,
                Self::Probability => (0.0..=1.0).contains(&value),
            }
    }

    fn expected(self) -> &'static str {
        match self {
            Self::Any => "a number",
            Self::NonNegative => "a number ≥ 0",
            Self::Positive => "a number > 0",
            Self::Probability => "a probability from 0 to 1",
        }
    }
}

/// A table of the document with its key path (`enforcement.region[1]`) and its path without
/// indices (`enforcement.region`, for the schema).
#[derive(Clone, Copy)]
struct At<'t> {
    table: &'t Table,
    origin: Origin,
    path: &'t str,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// How a table is named in a message: `[[asylum.channel]]` for an entry of a list of tables
/// (the key path, shown after the position, says which), `enforcement` otherwise.
fn place(path: &str, root: &str) -> String {
    if path.is_empty() {
        root.to_owned()
    } else if path.ends_with(']') {
        format!("`[[{}]]`", schema_path(path))
    } else {
        format!("`{path}`")
    }
}

/// Strips `[N]` parts: the schema's path.
fn schema_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0_u32;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A cached CSV table: read, or already reported as missing or broken.
type Cached = Option<Rc<tables::CsvTable>>;

struct Reader<'a> {
    texts: &'a Texts,
    source: &'a dyn Source,
    context: Option<Context<'a>>,
    report: Report,
    tables: HashMap<String, Cached>,
    io_error: Option<ScenarioError>,
    /// Names of the enforcement regions, in order (for triggers).
    region_names: Vec<String>,
    /// Names and countries of the asylum channels, in order (for incidents and triggers).
    channel_names: Vec<String>,
    channel_countries: Vec<CountryId>,
    /// Per channel: how long failed claimants are held there (`failure_detention`), if given.
    channel_held: Vec<Option<DayCount>>,
}

impl<'a> Reader<'a> {
    fn new(texts: &'a Texts, source: &'a dyn Source, context: Option<Context<'a>>) -> Self {
        Self {
            texts,
            source,
            context,
            report: Report::default(),
            tables: HashMap::new(),
            io_error: None,
            region_names: Vec::new(),
            channel_names: Vec::new(),
            channel_countries: Vec::new(),
            channel_held: Vec::new(),
        }
    }

    // ----- diagnostics -------------------------------------------------------------------

    fn push(&mut self, diagnostic: Diagnostic, origin: Origin, path: &str) {
        let diagnostic = self.texts.at(diagnostic, origin, path);
        self.report.push(diagnostic);
    }

    /// `found` for a label: the value as written.
    fn found(&self, node: &Node) -> String {
        match &node.value {
            Value::Table(_) => "a table".to_owned(),
            Value::Array(_) if self.texts.snippet(node.origin).starts_with("[[") => {
                "a list of tables".to_owned()
            }
            other => format!("{} `{}`", other.kind(), self.texts.snippet(node.origin)),
        }
    }

    /// "invalid value for `path`": expected / found.
    fn invalid(&mut self, node: &Node, path: &str, expected: &str) {
        let found = self.found(node);
        self.push(
            Diagnostic::error(format!("invalid value for `{path}`"))
                .with_label(format!("expected {expected}, found {found}")),
            node.origin,
            path,
        );
    }

    fn invalid_hint(&mut self, node: &Node, path: &str, expected: &str, hint: &str) {
        let found = self.found(node);
        self.push(
            Diagnostic::error(format!("invalid value for `{path}`"))
                .with_label(format!("expected {expected}, found {found}"))
                .with_hint(hint),
            node.origin,
            path,
        );
    }

    fn warn(&mut self, message: String, label: String, origin: Origin, path: &str) {
        self.push(Diagnostic::warning(message).with_label(label), origin, path);
    }

    /// Reports keys of `at` that the schema does not know.
    fn check_keys(&mut self, at: At<'_>) {
        let Some(known) = schema::keys(&schema_path(at.path)) else {
            return;
        };
        for entry in &at.table.entries {
            if known.contains(&entry.key.as_str()) {
                continue;
            }
            let place = place(at.path, "the top level of scenario.toml");
            let hint = suggest(&entry.key, known.iter().copied()).map_or_else(
                || format!("the keys of {place} are {}", doc::list(known)),
                |best| format!("did you mean `{best}`?"),
            );
            let path = join(at.path, &entry.key);
            self.push(
                Diagnostic::error(format!("unknown key `{path}`"))
                    .with_label(format!("expected a key of {place}, found `{}`", entry.key))
                    .with_hint(hint),
                entry.key_origin,
                &path,
            );
        }
    }

    /// The value of a key that must be there.
    fn required<'t>(&mut self, at: At<'t>, key: &str, expected: &str) -> Option<&'t Node> {
        let node = at.table.get(key);
        if node.is_none() {
            let where_ = place(at.path, "scenario.toml");
            self.push(
                Diagnostic::error(format!("missing key `{}`", join(at.path, key)))
                    .with_label(format!("expected `{key} = {expected}` in {where_}")),
                at.origin,
                at.path,
            );
        }
        node
    }

    // ----- values ------------------------------------------------------------------------

    fn table<'t>(&mut self, node: &'t Node, path: &'t str) -> Option<At<'t>> {
        if let Value::Table(table) = &node.value {
            let at = At {
                table,
                origin: node.origin,
                path,
            };
            self.check_keys(at);
            Some(at)
        } else {
            self.invalid(node, path, "a table");
            None
        }
    }

    /// A list of tables (`[[push]]`), or one table taken as a list of one.
    fn tables<'t>(&mut self, node: &'t Node, path: &str) -> Vec<(String, &'t Node)> {
        match &node.value {
            Value::Table(_) => vec![(format!("{path}[0]"), node)],
            Value::Array(elements) => {
                let mut out = Vec::new();
                for (index, element) in elements.iter().enumerate() {
                    let element_path = format!("{path}[{index}]");
                    if matches!(element.value, Value::Table(_)) {
                        out.push((element_path, element));
                    } else {
                        self.invalid(element, &element_path, "a table");
                    }
                }
                out
            }
            _ => {
                self.invalid_hint(
                    node,
                    path,
                    "a list of tables",
                    &format!("write each entry as a `[[{path}]]` section"),
                );
                Vec::new()
            }
        }
    }

    fn number(&mut self, node: &Node, path: &str, bound: Bound) -> Option<f64> {
        #[expect(clippy::cast_precision_loss, reason = "parameters are small")]
        let value = match node.value {
            Value::Integer(i) => i as f64,
            Value::Float(f) => f,
            _ => {
                self.invalid(node, path, bound.expected());
                return None;
            }
        };
        if bound.accepts(value) {
            Some(value)
        } else {
            self.invalid(node, path, bound.expected());
            None
        }
    }

    fn optional_number(&mut self, at: At<'_>, key: &str, bound: Bound, default: f64) -> f64 {
        match at.table.get(key) {
            None => default,
            Some(node) => self
                .number(node, &join(at.path, key), bound)
                .unwrap_or(default),
        }
    }

    fn integer(&mut self, node: &Node, path: &str, min: i64, max: i64) -> Option<i64> {
        let expected = if max == i64::MAX {
            format!("a whole number ≥ {min}")
        } else {
            format!("a whole number from {min} to {max}")
        };
        match node.value {
            Value::Integer(i) if (min..=max).contains(&i) => Some(i),
            _ => {
                self.invalid(node, path, &expected);
                None
            }
        }
    }

    fn string<'t>(&mut self, node: &'t Node, path: &str) -> Option<&'t str> {
        match &node.value {
            Value::String(text) if !text.trim().is_empty() => Some(text.as_str()),
            _ => {
                self.invalid(node, path, "a non-empty string in quotes");
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        if let Value::Boolean(b) = node.value {
            Some(b)
        } else {
            self.invalid(node, path, "`true` or `false`");
            None
        }
    }

    /// A string, or a list of strings.
    fn strings<'t>(&mut self, node: &'t Node, path: &str) -> Vec<(&'t str, &'t Node)> {
        match &node.value {
            Value::String(text) => vec![(text.as_str(), node)],
            Value::Array(elements) => {
                let mut out = Vec::new();
                for (index, element) in elements.iter().enumerate() {
                    if let Some(text) = self.string(element, &format!("{path}[{index}]")) {
                        out.push((text, element));
                    }
                }
                out
            }
            _ => {
                self.invalid(node, path, "a list of names in quotes");
                Vec::new()
            }
        }
    }

    fn start(&self) -> Date {
        self.context
            .as_ref()
            .map_or(Date::constant(2000, 1, 1), |c| c.start)
    }

    /// A date (`2002-03-14`, quoted or not) as a scenario day.
    fn date(&mut self, node: &Node, path: &str) -> Option<i64> {
        let date = match &node.value {
            Value::Datetime(Some((year, month, day)), false) => {
                i16::try_from(*year).ok().and_then(|y| {
                    Date::new(y, i8::try_from(*month).ok()?, i8::try_from(*day).ok()?).ok()
                })
            }
            Value::String(text) => parse_date(text),
            _ => None,
        };
        if date.is_none() {
            self.invalid_hint(
                node,
                path,
                "a date `YYYY-MM-DD`",
                "write dates as ISO dates, for example `2002-03-14`",
            );
        }
        date.map(|d| days_between(self.start(), d))
    }

    /// A date, or a whole year (placed at mid-year, 1 July), as a scenario day: a point of an
    /// inline series.
    fn date_or_year(&mut self, node: &Node, path: &str) -> Option<i64> {
        if let Value::Integer(year) = node.value {
            if let Some(date) = i16::try_from(year)
                .ok()
                .filter(|y| (1..=9999).contains(y))
                .and_then(|y| Date::new(y, 7, 1).ok())
            {
                return Some(days_between(self.start(), date));
            }
            self.invalid(node, path, "a date `YYYY-MM-DD` or a year");
            return None;
        }
        self.date(node, path)
    }

    fn duration(&mut self, node: &Node, path: &str) -> Option<DayCount> {
        let max = i64::from(u16::MAX);
        match &node.value {
            Value::Integer(_) => self
                .integer(node, path, 1, max)
                .and_then(|d| u16::try_from(d).ok())
                .map(DayCount::Fixed),
            Value::Table(_) => {
                let at = self.table(node, path)?;
                let min = self.required(at, "min", "<days>");
                let max_node = self.required(at, "max", "<days>");
                let (min_node, max_node) = (min?, max_node?);
                let min = self.integer(min_node, &join(path, "min"), 1, max);
                let max = self.integer(max_node, &join(path, "max"), 1, max);
                let (min, max) = (u16::try_from(min?).ok()?, u16::try_from(max?).ok()?);
                if min > max {
                    self.push(
                        Diagnostic::error(format!("`{path}` has `min` greater than `max`"))
                            .with_label(format!(
                                "expected `min` ≤ `max`, found `min = {min}` and `max = {max}`"
                            )),
                        node.origin,
                        path,
                    );
                    return None;
                }
                Some(DayCount::Uniform { min, max })
            }
            _ => {
                self.invalid(
                    node,
                    path,
                    "a number of days ≥ 1, or `{ min = <days>, max = <days> }`",
                );
                None
            }
        }
    }

    // ----- names -------------------------------------------------------------------------

    fn location(&mut self, node: &Node, path: &str) -> Option<LocationId> {
        let name = self.string(node, path)?;
        let Some(context) = &self.context else {
            return Some(LocationId(0));
        };
        if let Some(id) = context.network.find(name) {
            return Some(id);
        }
        let suggestion = suggest(
            name,
            context.network.locations.iter().map(|l| l.name.as_str()),
        );
        let hint = suggestion.map_or_else(
            || format!("locations are defined in `{LOCATIONS}`"),
            |best| format!("did you mean `{best}`? Locations are defined in `{LOCATIONS}`"),
        );
        let name = name.to_owned();
        self.push(
            Diagnostic::error(format!("unknown location `{}`", shown(&name)))
                .with_label(format!(
                    "expected a location of `{LOCATIONS}`, found `{}`",
                    shown(&name)
                ))
                .with_hint(hint),
            node.origin,
            path,
        );
        None
    }

    fn locations(&mut self, node: &Node, path: &str) -> Vec<(LocationId, Origin)> {
        let names = self.strings(node, path);
        let mut out = Vec::new();
        for (index, (_, element)) in names.iter().enumerate() {
            let element_path = if matches!(node.value, Value::Array(_)) {
                format!("{path}[{index}]")
            } else {
                path.to_owned()
            };
            if let Some(id) = self.location(element, &element_path) {
                out.push((id, element.origin));
            }
        }
        out
    }

    fn country(&mut self, node: &Node, path: &str) -> Option<CountryId> {
        let name = self.string(node, path)?;
        let Some(context) = &self.context else {
            return Some(CountryId(0));
        };
        if let Some(id) = context.network.find_country(name) {
            return Some(id);
        }
        let suggestion = suggest(name, context.network.countries.iter().map(String::as_str));
        let hint = suggestion.map_or_else(
            || {
                format!(
                    "the countries of `{LOCATIONS}` are {}",
                    doc::list(
                        &context
                            .network
                            .countries
                            .iter()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                    )
                )
            },
            |best| format!("did you mean `{best}`? Countries are those of `{LOCATIONS}`"),
        );
        let name = name.to_owned();
        self.push(
            Diagnostic::error(format!("unknown country `{}`", shown(&name)))
                .with_label(format!(
                    "expected a country of `{LOCATIONS}`, found `{}`",
                    shown(&name)
                ))
                .with_hint(hint),
            node.origin,
            path,
        );
        None
    }

    /// The country of a location (when the Flee part loaded).
    fn country_of(&self, location: LocationId) -> Option<CountryId> {
        self.context
            .as_ref()
            .and_then(|c| c.network.locations.get(location.index()))
            .map(|l| l.country)
    }

    fn location_name(&self, location: LocationId) -> String {
        self.context
            .as_ref()
            .and_then(|c| c.network.locations.get(location.index()))
            .map_or_else(String::new, |l| l.name.clone())
    }

    fn country_name(&self, country: CountryId) -> String {
        self.context
            .as_ref()
            .and_then(|c| c.network.countries.get(country.index()))
            .cloned()
            .unwrap_or_default()
    }

    // ----- series ------------------------------------------------------------------------

    fn series(&mut self, node: &Node, path: &str, bound: Bound) -> Option<Series> {
        let series = match &node.value {
            Value::Integer(_) | Value::Float(_) => {
                return self.number(node, path, bound).map(Series::constant);
            }
            Value::Array(points) => self.inline_series(node, points, path, bound)?,
            Value::Table(_) => self.file_series(node, path, bound)?,
            _ => {
                self.invalid_hint(
                    node,
                    path,
                    "a series: a number, a list of `[date, value]` pairs, or `{ file = \"x.csv\", column = \"name\" }`",
                    "see docs/NATIVE_FORMAT.md, section \"Series\"",
                );
                return None;
            }
        };
        if let Some(context) = &self.context
            && let Some(&(first, _)) = series.points.first()
            && first >= i64::from(context.days)
            && !context.shortened
        {
            let days = context.days;
            self.warn(
                format!("`{path}` starts after the simulated period"),
                format!(
                    "its first point is day {first}, the period has {days} days: only its first value is ever used"
                ),
                node.origin,
                path,
            );
        }
        Some(series)
    }

    fn inline_series(
        &mut self,
        node: &Node,
        points: &[Node],
        path: &str,
        bound: Bound,
    ) -> Option<Series> {
        if points.is_empty() {
            self.invalid(node, path, "at least one `[date, value]` pair");
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (index, point) in points.iter().enumerate() {
            let point_path = format!("{path}[{index}]");
            let pair = match &point.value {
                Value::Array(pair) if pair.len() == 2 => pair,
                _ => {
                    self.invalid(point, &point_path, "a pair `[date, value]`");
                    ok = false;
                    continue;
                }
            };
            let day = self.date_or_year(&pair[0], &format!("{point_path}[0]"));
            let value = self.number(&pair[1], &format!("{point_path}[1]"), bound);
            let (Some(day), Some(value)) = (day, value) else {
                ok = false;
                continue;
            };
            if let Some(&(last, _)) = out.last()
                && day <= last
            {
                self.push(
                    Diagnostic::error(format!("the dates of `{path}` do not increase"))
                        .with_label("expected a date after the previous point's")
                        .with_hint("write the points of a series in date order, each date once"),
                    pair[0].origin,
                    &point_path,
                );
                ok = false;
                continue;
            }
            out.push((day, value));
        }
        ok.then_some(Series { points: out })
    }

    /// Reads (once) and returns the table at `path` of the scenario; problems are reported at
    /// `node` (the `file = ...` value).
    fn csv(&mut self, file: &str, node: &Node, key_path: &str) -> Option<Rc<tables::CsvTable>> {
        if let Some(cached) = self.tables.get(file) {
            return cached.clone();
        }
        let table = match tables::read(self.source, file) {
            Err(error) => {
                self.io_error.get_or_insert(error);
                None
            }
            Ok(tables::Read::Missing) => {
                self.push(
                    Diagnostic::error(format!("no file `{}` in the scenario", shown(file)))
                        .with_label(format!(
                            "expected a CSV file of the scenario directory, found `{}`",
                            shown(file)
                        ))
                        .with_hint("paths are relative to the scenario directory (where scenario.toml is), with `/` between folders"),
                    node.origin,
                    key_path,
                );
                None
            }
            Ok(tables::Read::Broken(diagnostic)) => {
                self.report.push(*diagnostic);
                None
            }
            Ok(tables::Read::Table(table)) => Some(Rc::new(table)),
        };
        self.tables.insert(file.to_owned(), table.clone());
        table
    }

    /// The column index of `name`, reported at `node` when absent.
    fn column(
        &mut self,
        table: &tables::CsvTable,
        name: &str,
        node: &Node,
        path: &str,
    ) -> Option<usize> {
        if let Some(index) = table.column(name) {
            return Some(index);
        }
        let names = table.names();
        let hint = suggest(name, names.iter().copied()).map_or_else(
            || {
                format!(
                    "the columns of `{}` are {}",
                    table.file.label,
                    doc::list(&names)
                )
            },
            |best| format!("did you mean `{best}`?"),
        );
        self.push(
            Diagnostic::error(format!(
                "`{}` has no column `{}`",
                table.file.label,
                shown(name)
            ))
            .with_label(format!(
                "expected a column named in the first row of `{}`, found `{}`",
                table.file.label,
                shown(name)
            ))
            .with_hint(hint),
            node.origin,
            path,
        );
        None
    }

    /// `where = { column = "value" | ["a", "b"] }`: the column indices and accepted values.
    fn row_filter(
        &mut self,
        at: At<'_>,
        table: &tables::CsvTable,
    ) -> Option<Vec<(usize, Vec<String>)>> {
        let Some(node) = at.table.get("where") else {
            return Some(Vec::new());
        };
        let path = join(at.path, "where");
        let Value::Table(conditions) = &node.value else {
            self.invalid(node, &path, "a table `{ column = \"value\" }`");
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for entry in &conditions.entries {
            let key_path = join(&path, &entry.key);
            let key_node = Node {
                value: Value::String(entry.key.clone()),
                origin: entry.key_origin,
            };
            let index = self.column(table, &entry.key, &key_node, &key_path);
            let values: Vec<String> = self
                .strings(&entry.node, &key_path)
                .into_iter()
                .map(|(text, _)| text.trim().to_owned())
                .collect();
            match index {
                Some(index) if !values.is_empty() => out.push((index, values)),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn file_series(&mut self, node: &Node, path: &str, bound: Bound) -> Option<Series> {
        let at = self.table(node, path)?;
        let file_node = self.required(at, "file", "\"<path of a CSV file>\"");
        let column_node = self.required(at, "column", "\"<column name>\"");
        let scale = self.optional_number(at, "scale", Bound::Any, 1.0);
        let (file_node, column_node) = (file_node?, column_node?);
        let file_path = join(path, "file");
        let column_path = join(path, "column");
        let file = self.string(file_node, &file_path)?.to_owned();
        let column_name = self.string(column_node, &column_path)?.to_owned();
        let table = self.csv(&file, file_node, &file_path)?;
        let column = self.column(&table, &column_name, column_node, &column_path);
        let filter = self.row_filter(at, &table);
        let (column, filter) = (column?, filter?);
        let (time, by_year) = if let Some(index) = table.column("date") {
            (index, false)
        } else if let Some(index) = table.column("year") {
            (index, true)
        } else {
            let names = table.names();
            let header_line = table.header.first().map_or(1, |f| f.line);
            let diagnostic = table.file.at_line(
                Diagnostic::error(format!(
                    "`{}` has neither a `date` nor a `year` column",
                    table.file.label
                ))
                .with_label(format!(
                    "expected a column `date` (ISO dates) or `year`, found the columns {}",
                    doc::list(&names)
                ))
                .with_hint("a series table has a `date` column (`2002-03-14`) or a `year` column (a year's value is placed at 1 July)"),
                header_line,
            );
            self.report.push(diagnostic);
            return None;
        };
        let start = self.start();
        let label = table.file.label.clone();
        let mut points: Vec<(i64, f64)> = Vec::new();
        let mut ok = true;
        for row in &table.rows {
            if !filter
                .iter()
                .all(|(index, values)| values.iter().any(|v| v == row.text(*index).trim()))
            {
                continue;
            }
            let cell = row.fields.get(column);
            let Some(cell) = cell.filter(|c| !c.text.trim().is_empty()) else {
                continue;
            };
            let time_name = if by_year { "year" } else { "date" };
            let Some(time_cell) = row.fields.get(time) else {
                continue;
            };
            let day = if by_year {
                py_int(&time_cell.text)
                    .ok()
                    .and_then(|y| i16::try_from(y).ok())
                    .filter(|y| (1..=9999).contains(y))
                    .and_then(|y| Date::new(y, 7, 1).ok())
            } else {
                parse_date(&time_cell.text)
            }
            .map(|d| days_between(start, d));
            let Some(day) = day else {
                let expected = if by_year {
                    "a year such as `1997`"
                } else {
                    "a date `YYYY-MM-DD`"
                };
                let diagnostic = table.file.at_field(
                    Diagnostic::error(format!("invalid {time_name} in `{label}`")).with_label(
                        format!("expected {expected}, found `{}`", shown(&time_cell.text)),
                    ),
                    time_cell,
                    time,
                    time_name,
                );
                self.report.push(diagnostic);
                ok = false;
                continue;
            };
            let value = py_float(&cell.text).ok().map(|v| v * scale);
            let Some(value) = value.filter(|v| bound.accepts(*v)) else {
                let scaled = if (scale - 1.0).abs() > 0.0 {
                    format!(" (after `scale = {scale}`)")
                } else {
                    String::new()
                };
                let diagnostic = table.file.at_field(
                    Diagnostic::error(format!("invalid value in `{label}` for `{path}`"))
                        .with_label(format!(
                            "expected {}{scaled}, found `{}`",
                            bound.expected(),
                            shown(&cell.text)
                        )),
                    cell,
                    column,
                    &column_name,
                );
                self.report.push(diagnostic);
                ok = false;
                continue;
            };
            if let Some(&(last, _)) = points.last()
                && day <= last
            {
                let diagnostic = table.file.at_field(
                    Diagnostic::error(format!("the rows of `{label}` for `{path}` are not in date order"))
                        .with_label(format!(
                            "expected a {time_name} after the previous row's, found `{}`",
                            shown(&time_cell.text)
                        ))
                        .with_hint("sort the table by date, each date once per series (use `where` to pick the rows of one series)"),
                    time_cell,
                    time,
                    time_name,
                );
                self.report.push(diagnostic);
                ok = false;
                continue;
            }
            points.push((day, value));
        }
        if !ok {
            return None;
        }
        if points.is_empty() {
            self.push(
                Diagnostic::error(format!("`{path}` has no values"))
                    .with_label(format!(
                        "expected at least one row of `{label}` with a value in column `{column_name}`, found none"
                    ))
                    .with_hint("empty cells are skipped; check the column and the `where` conditions"),
                column_node.origin,
                &column_path,
            );
            return None;
        }
        Some(Series { points })
    }

    /// Divides every value by the scenario's `hasten` (counts of people).
    fn hastened(&self, mut series: Series) -> Series {
        let hasten = self.context.as_ref().map_or(1, |c| c.hasten);
        if hasten > 1 {
            for point in &mut series.points {
                point.1 /= f64::from(hasten);
            }
        }
        series
    }

    /// A count of people divided by `hasten`, rounded up.
    fn hastened_count(&self, count: u64) -> u64 {
        let hasten = u64::from(self.context.as_ref().map_or(1, |c| c.hasten).max(1));
        count.div_ceil(hasten)
    }

    /// Warns when a day lies outside the simulated period.
    fn check_in_period(&mut self, day: i64, origin: Origin, path: &str, what: &str) {
        let Some(context) = &self.context else {
            return;
        };
        let days = i64::from(context.days);
        if day < 0 || (day >= days && !context.shortened) {
            let when = if day < 0 { "before" } else { "after" };
            self.warn(
                format!("{what} is {when} the simulated period"),
                format!(
                    "expected a date from {} to {} (days 0 to {}), found day {day}: it has no effect",
                    context.start,
                    context
                        .start
                        .checked_add(jiff::Span::new().days(days - 1))
                        .unwrap_or(context.start),
                    days - 1
                ),
                origin,
                path,
            );
        }
    }
}

mod attributes;
mod sections;

impl Reader<'_> {
    /// Interprets the whole document; `None` when there are errors.
    fn read(&mut self, document: &Table) -> Option<Mechanisms> {
        let root = At {
            table: document,
            origin: Origin::File { start: 0, end: 0 },
            path: "",
        };
        self.check_keys(root);
        let mechanisms = self.mechanisms(root);
        (!self.report.has_errors()).then_some(mechanisms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_paths_drop_indices() {
        assert_eq!(
            schema_path("enforcement.region[2].campaign[0]"),
            "enforcement.region.campaign"
        );
        assert_eq!(schema_path("push[0].intensity"), "push.intensity");
    }

    #[test]
    fn bounds() {
        assert!(Bound::Probability.accepts(1.0));
        assert!(!Bound::Probability.accepts(1.01));
        assert!(!Bound::NonNegative.accepts(-1e-9));
        assert!(!Bound::Positive.accepts(0.0));
        assert!(!Bound::Any.accepts(f64::NAN));
    }
}
