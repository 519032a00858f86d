//! Reading a run directory into the series the report draws. Every optional file that is
//! missing leaves a note, shown in the report where its section would be.

use crate::ReportError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use tumen_output::{FleeTable, RunNetwork, WideTable, read_geojson};

/// One camp: simulated median and bands against the observed data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CampSeries {
    /// Camp name.
    pub name: String,
    /// Simulated median per day (the single run's value without replicas).
    pub median: Vec<f64>,
    /// 5, 25, 75 and 95 % per day (`None` for a single run).
    pub bands: Option<[Vec<f64>; 4]>,
    /// Observed value per day (`<camp> data` of `out.csv`).
    pub observed: Vec<f64>,
}

/// A parameter drawn for each replica from a posterior (`parameters.csv`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrawnParameter {
    /// Its `--set` key.
    pub key: String,
    /// Its value in each replica, in replica order.
    pub values: Vec<f64>,
}

/// Several named series over the same days.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Groups {
    /// Dates, one per value.
    pub dates: Vec<String>,
    /// (name, value per date), in drawing order.
    pub series: Vec<(String, Vec<f64>)>,
}

/// A row of `targets.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Target {
    /// Target name (`arrivals_south_korea_2001`, …).
    pub target: String,
    /// Documented low end (`None` when open).
    pub low: Option<f64>,
    /// Documented high end (`None` when open).
    pub high: Option<f64>,
    /// Simulated median.
    pub median: Option<f64>,
    /// Simulated 5 %.
    pub p05: Option<f64>,
    /// Simulated 95 %.
    pub p95: Option<f64>,
    /// Whether the simulation meets the target (the file's `inside`, as written).
    pub inside: String,
}

/// The flagship's yearly table (`yearly.csv`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Yearly {
    /// Years.
    pub years: Vec<i32>,
    /// Columns by name (`crossings`, `asylum_exits`, `hidden_at_year_end`, …).
    pub columns: BTreeMap<String, Vec<f64>>,
}

/// The flagship's weekly table (`weekly.csv`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Weekly {
    /// First day of each week.
    pub week_start: Vec<String>,
    /// Columns by name (`deportations`, `hidden`, …).
    pub columns: BTreeMap<String, Vec<f64>>,
}

/// An asylum incident (`incidents.csv`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incident {
    /// Date.
    pub date: String,
    /// Where.
    pub location: String,
    /// People involved.
    pub size: Option<f64>,
}

/// The map's data: the network and people per location and link, day by day (thinned to at
/// most [`MAX_FRAMES`] frames).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MapData {
    /// Location names, countries, coordinates and camp flags.
    pub locations: Vec<MapLocation>,
    /// Links as pairs of location indices.
    pub links: Vec<(usize, usize)>,
    /// Date of each frame.
    pub dates: Vec<String>,
    /// People at each location, `[frame][location]`.
    pub people: Vec<Vec<u64>>,
    /// People on each link, `[frame][link]` (empty frames when `daily_links.csv` is missing).
    pub flow: Vec<Vec<u64>>,
}

/// A location on the map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MapLocation {
    /// Name.
    pub name: String,
    /// Country.
    pub country: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Reported as a camp.
    pub camp: bool,
}

/// At most this many map frames (long runs are shown every k-th day).
pub const MAX_FRAMES: usize = 800;

/// Everything the report shows, read from a run directory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunData {
    /// Scenario name.
    pub scenario: String,
    /// `summary.json`, when present.
    pub summary: Option<serde_json::Value>,
    /// Replicas behind the bands (1: a single run).
    pub replicas: u64,
    /// Dates of `out.csv`.
    pub dates: Vec<String>,
    /// Per camp series.
    pub camps: Vec<CampSeries>,
    /// `Total error` per day (of `out.csv`, replica 0; Flee prints 0 on days without an
    /// observed total).
    pub total_error: Vec<f64>,
    /// The ARD's daily term: `Σ_c |s_c − u_c| / max(U, 1)` (its mean over days is the ARD).
    pub daily_ard: Vec<f64>,
    /// The same with the simulated camp counts rescaled to the observed camp total.
    pub daily_ard_rescaled: Vec<f64>,
    /// People by status (`status.csv`).
    pub status: Option<Groups>,
    /// People by country, and on the move (`daily_locations.csv`, `daily_links.csv`,
    /// `locations.geojson`).
    pub countries: Option<Groups>,
    /// People by country over the replicas of an ensemble (`countries.csv`).
    pub country_bands: Option<CountryBands>,
    /// `targets.csv`.
    pub targets: Option<Vec<Target>>,
    /// `evaluation.csv`: documented figures the run is scored on but never fitted to (drawn
    /// as a forecast; absent for most scenarios, so not listed in `missing`).
    pub evaluation: Option<Vec<Target>>,
    /// `yearly.csv`.
    pub yearly: Option<Yearly>,
    /// `weekly.csv`.
    pub weekly: Option<Weekly>,
    /// `incidents.csv` (empty when absent).
    pub incidents: Vec<Incident>,
    /// `parameters.csv`: each replica's parameters, drawn from a posterior (absent when the
    /// replicas ran the scenario's own values).
    pub parameters: Option<Vec<DrawnParameter>>,
    /// The map.
    pub map: Option<MapData>,
    /// What is missing, by section key (`status`, `countries`, `map`, `targets`, `yearly`,
    /// `weekly`, `bands`).
    pub missing: BTreeMap<String, String>,
}

pub(crate) fn read(dir: &Path, name: &str) -> Result<Option<String>, ReportError> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ReportError::Io { path, source }),
    }
}

pub(crate) fn invalid(dir: &Path, name: &str, message: impl std::fmt::Display) -> ReportError {
    ReportError::Invalid {
        path: dir.join(name),
        message: message.to_string(),
    }
}

/// A CSV file as a header and rows of text, by column name.
pub(crate) struct Csv {
    header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Csv {
    pub(crate) fn parse(
        dir: &Path,
        name: &str,
        text: &str,
        required: &[&str],
    ) -> Result<Self, ReportError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| invalid(dir, name, e))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        for column in required {
            if !header.iter().any(|h| h == column) {
                return Err(invalid(
                    dir,
                    name,
                    format!(
                        "no `{column}` column (expected {}; found {})",
                        required.join(","),
                        header.join(",")
                    ),
                ));
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| invalid(dir, name, e))?;
            rows.push(record.iter().map(|f| f.trim().to_owned()).collect());
        }
        Ok(Self { header, rows })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    pub(crate) fn text<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.column(name)
            .and_then(|c| row.get(c))
            .map_or("", String::as_str)
    }

    pub(crate) fn number(&self, row: &[String], name: &str) -> Option<f64> {
        let text = self.text(row, name);
        if text.is_empty() {
            None
        } else {
            text.parse().ok()
        }
    }
}

/// Reads a run directory: `out.csv` is required; everything else is optional.
///
/// # Errors
/// When `out.csv` is missing or unreadable, or a present file is malformed (the error names
/// the file).
pub fn load_run(dir: &Path) -> Result<RunData, ReportError> {
    let out_path = dir.join("out.csv");
    let out_text = read(dir, "out.csv")?.ok_or_else(|| ReportError::Missing {
        path: out_path.clone(),
    })?;
    let table = FleeTable::read_csv(out_text.as_bytes()).map_err(|e| ReportError::Invalid {
        path: out_path,
        message: e.to_string(),
    })?;
    let summary: Option<serde_json::Value> = read(dir, "summary.json")?
        .map(|t| serde_json::from_str(&t).map_err(|e| invalid(dir, "summary.json", e)))
        .transpose()?;
    let mut missing = BTreeMap::new();
    let scenario = summary
        .as_ref()
        .and_then(|s| s.get("scenario"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("scenario")
        .to_owned();
    let dates: Vec<String> = table.rows.iter().map(|r| r.date.clone()).collect();
    let quantiles = read(dir, "quantiles.csv")?
        .map(|t| {
            Csv::parse(
                dir,
                "quantiles.csv",
                &t,
                &["day", "location", "p05", "p25", "p50", "p75", "p95"],
            )
        })
        .transpose()?;
    let replicas = summary
        .as_ref()
        .and_then(|s| s.pointer("/ensemble/replicas"))
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(1);
    let camps = camp_series(&table, quantiles.as_ref());
    if quantiles.is_none() {
        missing.insert(
            "bands".to_owned(),
            "no quantiles.csv: a single run, shown without bands (run with --replicas N for \
             5–95 % bands)"
                .to_owned(),
        );
    }
    let country_bands = read(dir, "countries.csv")?
        .map(|t| country_bands(dir, &t))
        .transpose()?;
    let mut network = read(dir, "locations.geojson")?
        .map(|t| read_geojson(&t).map_err(|e| invalid(dir, "locations.geojson", e)))
        .transpose()?;
    // Links are in `links.geojson` (earlier versions put them in `locations.geojson`).
    if let Some(network) = network.as_mut().filter(|n| n.links.is_empty())
        && let Some(text) = read(dir, "links.geojson")?
    {
        network.links = read_geojson(&text)
            .map_err(|e| invalid(dir, "links.geojson", e))?
            .links;
    }
    let daily_locations = read(dir, "daily_locations.csv")?
        .map(|t| {
            WideTable::read_csv(t.as_bytes(), "daily_locations.csv")
                .map_err(|e| invalid(dir, "daily_locations.csv", e))
        })
        .transpose()?;
    let daily_links = read(dir, "daily_links.csv")?
        .map(|t| {
            WideTable::read_csv(t.as_bytes(), "daily_links.csv")
                .map_err(|e| invalid(dir, "daily_links.csv", e))
        })
        .transpose()?;
    let (countries, map) = match (&network, &daily_locations) {
        (Some(network), Some(people)) => (
            Some(by_country(network, people, daily_links.as_ref())),
            Some(map_data(network, people, daily_links.as_ref())),
        ),
        _ => {
            let note = "no locations.geojson and daily_locations.csv in the run directory (runs \
                        of Tumen before 0.1 did not write them; rerun the scenario)";
            missing.insert("countries".to_owned(), note.to_owned());
            missing.insert("map".to_owned(), note.to_owned());
            (None, None)
        }
    };
    let status = match read(dir, "status.csv")? {
        Some(text) => Some(status_groups(dir, &text)?),
        None => {
            missing.insert(
                "status".to_owned(),
                "no status.csv: this run has no people by status (only scenarios with mechanisms write \
                 it)"
                .to_owned(),
            );
            None
        }
    };
    let evaluation = match read(dir, "evaluation.csv")? {
        Some(text) => Some(targets(dir, &text, "evaluation.csv")?),
        None => None,
    };
    let targets = optional(dir, "targets", &mut missing, |t| {
        targets(dir, t, "targets.csv")
    })?;
    let yearly = optional(dir, "yearly", &mut missing, |t| yearly(dir, t))?;
    let weekly = optional(dir, "weekly", &mut missing, |t| weekly(dir, t))?;
    let incidents = match read(dir, "incidents.csv")? {
        Some(text) => incidents(dir, &text)?,
        None => Vec::new(),
    };
    let parameters = read(dir, "parameters.csv")?
        .map(|text| drawn_parameters(dir, &text))
        .transpose()?;
    Ok(RunData {
        scenario,
        summary,
        replicas: if quantiles.is_some() { replicas } else { 1 },
        dates,
        camps,
        total_error: table.rows.iter().map(|r| r.total_error).collect(),
        daily_ard: table.rows.iter().map(|r| daily_ard(r).0).collect(),
        daily_ard_rescaled: table.rows.iter().map(|r| daily_ard(r).1).collect(),
        status,
        countries,
        country_bands,
        targets,
        evaluation,
        yearly,
        weekly,
        incidents,
        parameters,
        map,
        missing,
    })
}

/// `parameters.csv` (`replica,seed,<key>...`): one column per parameter, one row per replica.
fn drawn_parameters(dir: &Path, text: &str) -> Result<Vec<DrawnParameter>, ReportError> {
    const NAME: &str = "parameters.csv";
    let table = Csv::parse(dir, NAME, text, &["replica", "seed"])?;
    let mut parameters: Vec<DrawnParameter> = table
        .header
        .iter()
        .filter(|h| !matches!(h.as_str(), "replica" | "seed"))
        .map(|key| DrawnParameter {
            key: key.clone(),
            values: Vec::with_capacity(table.rows.len()),
        })
        .collect();
    for (index, row) in table.rows.iter().enumerate() {
        for parameter in &mut parameters {
            let value = table.number(row, &parameter.key).ok_or_else(|| {
                invalid(
                    dir,
                    NAME,
                    format!(
                        "line {}, column `{}`: expected a number, found `{}`",
                        index + 2,
                        parameter.key,
                        table.text(row, &parameter.key)
                    ),
                )
            })?;
            parameter.values.push(value);
        }
    }
    Ok(parameters)
}

/// One day's terms of Flee's averaged relative difference: (normal, rescaled).
fn daily_ard(row: &tumen_output::FleeRow) -> (f64, f64) {
    let observed: f64 = row.data.iter().map(|&u| u as f64).sum();
    let simulated: f64 = row.sim.iter().map(|&s| s as f64).sum();
    let scale = if simulated > 0.0 {
        observed / simulated
    } else {
        0.0
    };
    let (mut normal, mut rescaled) = (0.0, 0.0);
    for (&s, &u) in row.sim.iter().zip(&row.data) {
        normal += (s as f64 - u as f64).abs();
        rescaled += (s as f64 * scale - u as f64).abs();
    }
    (normal / observed.max(1.0), rescaled / observed.max(1.0))
}

fn optional<T>(
    dir: &Path,
    key: &str,
    missing: &mut BTreeMap<String, String>,
    parse: impl FnOnce(&str) -> Result<T, ReportError>,
) -> Result<Option<T>, ReportError> {
    let name = format!("{key}.csv");
    match read(dir, &name)? {
        Some(text) => parse(&text).map(Some),
        None => {
            missing.insert(
                key.to_owned(),
                format!("no {name} in the run directory (written for the flagship scenario)"),
            );
            Ok(None)
        }
    }
}

fn camp_series(table: &FleeTable, quantiles: Option<&Csv>) -> Vec<CampSeries> {
    // (location, day) → [p05, p25, p50, p75, p95]
    let mut bands: BTreeMap<(&str, u32), [f64; 5]> = BTreeMap::new();
    if let Some(q) = quantiles {
        for row in &q.rows {
            let day = q.number(row, "day").unwrap_or(-1.0);
            if day < 0.0 {
                continue;
            }
            let values =
                ["p05", "p25", "p50", "p75", "p95"].map(|c| q.number(row, c).unwrap_or(f64::NAN));
            bands.insert((q.text(row, "location"), day as u32), values);
        }
    }
    table
        .camps
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let quantile = |k: usize| -> Vec<f64> {
                table
                    .rows
                    .iter()
                    .map(|r| {
                        bands
                            .get(&(name.as_str(), r.day))
                            .map_or(f64::NAN, |b| b[k])
                    })
                    .collect()
            };
            let has_bands = quantiles.is_some();
            CampSeries {
                name: name.clone(),
                median: if has_bands {
                    quantile(2)
                } else {
                    table.rows.iter().map(|r| r.sim[c] as f64).collect()
                },
                bands: has_bands.then(|| [quantile(0), quantile(1), quantile(3), quantile(4)]),
                observed: table.rows.iter().map(|r| r.data[c] as f64).collect(),
            }
        })
        .collect()
}

fn by_country(network: &RunNetwork, people: &WideTable, links: Option<&WideTable>) -> Groups {
    let mut countries: Vec<String> = Vec::new();
    let mut column_country = Vec::new();
    for column in &people.columns {
        let country = network
            .locations
            .iter()
            .find(|l| l.name == *column)
            .map_or_else(|| "unknown".to_owned(), |l| l.country.clone());
        let index = countries
            .iter()
            .position(|c| *c == country)
            .unwrap_or_else(|| {
                countries.push(country);
                countries.len() - 1
            });
        column_country.push(index);
    }
    let mut series: Vec<(String, Vec<f64>)> = countries
        .into_iter()
        .map(|c| (c, vec![0.0; people.values.len()]))
        .collect();
    for (day, row) in people.values.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            series[column_country[column]].1[day] += *value as f64;
        }
    }
    if let Some(links) = links {
        let moving = links
            .values
            .iter()
            .map(|row| row.iter().sum::<u64>() as f64)
            .collect::<Vec<_>>();
        if moving.len() == people.values.len() {
            series.push(("on the move (on links)".to_owned(), moving));
        }
    }
    Groups {
        dates: people.dates.clone(),
        series,
    }
}

fn map_data(network: &RunNetwork, people: &WideTable, links: Option<&WideTable>) -> MapData {
    let locations: Vec<MapLocation> = network
        .locations
        .iter()
        .map(|l| MapLocation {
            name: l.name.clone(),
            country: l.country.clone(),
            lat: l.latitude,
            lon: l.longitude,
            camp: l.camp,
        })
        .collect();
    let index = |name: &str| locations.iter().position(|l| l.name == name);
    let link_pairs: Vec<(usize, usize)> = network
        .links
        .iter()
        .filter_map(|l| Some((index(&l.from)?, index(&l.to)?)))
        .collect();
    let people_column: Vec<Option<usize>> = locations
        .iter()
        .map(|l| people.columns.iter().position(|c| *c == l.name))
        .collect();
    let link_column: Vec<Option<usize>> = network
        .links
        .iter()
        .filter(|l| index(&l.from).is_some() && index(&l.to).is_some())
        .map(|l| links.and_then(|t| t.columns.iter().position(|c| *c == l.label())))
        .collect();
    let days = people.values.len();
    let step = days.div_ceil(MAX_FRAMES).max(1);
    let mut frames: Vec<usize> = (0..days).step_by(step).collect();
    if days > 0 && frames.last() != Some(&(days - 1)) {
        frames.push(days - 1);
    }
    MapData {
        dates: frames.iter().map(|&f| people.dates[f].clone()).collect(),
        people: frames
            .iter()
            .map(|&f| {
                people_column
                    .iter()
                    .map(|c| {
                        c.and_then(|c| people.values[f].get(c))
                            .copied()
                            .unwrap_or(0)
                    })
                    .collect()
            })
            .collect(),
        flow: frames
            .iter()
            .map(|&f| {
                link_column
                    .iter()
                    .map(|c| {
                        links
                            .zip(*c)
                            .and_then(|(t, c)| t.values.get(f)?.get(c).copied())
                            .unwrap_or(0)
                    })
                    .collect()
            })
            .collect(),
        locations,
        links: link_pairs,
    }
}

/// People by country over an ensemble's replicas, per day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountryBands {
    /// Dates.
    pub dates: Vec<String>,
    /// Per country: name, then the 5 %, 50 % and 95 % quantiles per date.
    pub series: Vec<(String, [Vec<f64>; 3])>,
}

fn country_bands(dir: &Path, text: &str) -> Result<CountryBands, ReportError> {
    let csv = Csv::parse(
        dir,
        "countries.csv",
        text,
        &["date", "country", "p05", "p50", "p95"],
    )?;
    let mut dates: Vec<String> = Vec::new();
    let mut series: Vec<(String, [Vec<f64>; 3])> = Vec::new();
    for (line, row) in csv.rows.iter().enumerate() {
        let date = csv.text(row, "date");
        if dates.last().map(String::as_str) != Some(date) {
            dates.push(date.to_owned());
        }
        let country = csv.text(row, "country");
        let index = match series.iter().position(|(name, _)| name == country) {
            Some(index) => index,
            None => {
                series.push((country.to_owned(), Default::default()));
                series.len() - 1
            }
        };
        for (k, column) in ["p05", "p50", "p95"].into_iter().enumerate() {
            let value = csv.number(row, column).ok_or_else(|| {
                invalid(
                    dir,
                    "countries.csv",
                    format!("line {}: `{column}` is not a number", line + 2),
                )
            })?;
            series[index].1[k].push(value);
        }
    }
    if let Some((name, _)) = series.iter().find(|(_, q)| q[1].len() != dates.len()) {
        return Err(invalid(
            dir,
            "countries.csv",
            format!("`{name}` has not one row per date"),
        ));
    }
    Ok(CountryBands { dates, series })
}

fn status_groups(dir: &Path, text: &str) -> Result<Groups, ReportError> {
    let csv = Csv::parse(dir, "status.csv", text, &["date", "status", "people"])?;
    let mut dates: Vec<String> = Vec::new();
    let mut date_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut statuses: Vec<String> = Vec::new();
    let mut cells: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (line, row) in csv.rows.iter().enumerate() {
        let date = csv.text(row, "date").to_owned();
        let status = csv.text(row, "status").to_owned();
        let people = csv.number(row, "people").ok_or_else(|| {
            invalid(
                dir,
                "status.csv",
                format!("line {}: `people` is not a number", line + 2),
            )
        })?;
        let d = *date_index.entry(date.clone()).or_insert_with(|| {
            dates.push(date);
            dates.len() - 1
        });
        let s = statuses
            .iter()
            .position(|x| *x == status)
            .unwrap_or_else(|| {
                statuses.push(status);
                statuses.len() - 1
            });
        *cells.entry((s, d)).or_insert(0.0) += people;
    }
    let series = statuses
        .into_iter()
        .enumerate()
        .map(|(s, name)| {
            let values = (0..dates.len())
                .map(|d| cells.get(&(s, d)).copied().unwrap_or(0.0))
                .collect();
            (name, values)
        })
        .collect();
    Ok(Groups { dates, series })
}

fn targets(dir: &Path, text: &str, name: &str) -> Result<Vec<Target>, ReportError> {
    let csv = Csv::parse(
        dir,
        name,
        text,
        &["target", "documented_low", "documented_high"],
    )?;
    Ok(csv
        .rows
        .iter()
        .map(|row| Target {
            target: csv.text(row, "target").to_owned(),
            low: csv.number(row, "documented_low"),
            high: csv.number(row, "documented_high"),
            median: csv.number(row, "simulated_median"),
            p05: csv.number(row, "simulated_p05"),
            p95: csv.number(row, "simulated_p95"),
            inside: csv.text(row, "inside").to_owned(),
        })
        .collect())
}

fn numeric_columns(csv: &Csv, skip: &str) -> BTreeMap<String, Vec<f64>> {
    csv.header
        .iter()
        .filter(|h| *h != skip)
        .map(|h| {
            let values = csv
                .rows
                .iter()
                .map(|row| csv.number(row, h).unwrap_or(f64::NAN))
                .collect();
            (h.clone(), values)
        })
        .collect()
}

fn yearly(dir: &Path, text: &str) -> Result<Yearly, ReportError> {
    let csv = Csv::parse(dir, "yearly.csv", text, &["year"])?;
    let years = csv
        .rows
        .iter()
        .enumerate()
        .map(|(line, row)| {
            csv.text(row, "year").parse::<i32>().map_err(|_| {
                invalid(
                    dir,
                    "yearly.csv",
                    format!("line {}: `year` is not a year", line + 2),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Yearly {
        years,
        columns: numeric_columns(&csv, "year"),
    })
}

fn weekly(dir: &Path, text: &str) -> Result<Weekly, ReportError> {
    let csv = Csv::parse(dir, "weekly.csv", text, &["week_start"])?;
    Ok(Weekly {
        week_start: csv
            .rows
            .iter()
            .map(|row| csv.text(row, "week_start").to_owned())
            .collect(),
        columns: numeric_columns(&csv, "week_start"),
    })
}

fn incidents(dir: &Path, text: &str) -> Result<Vec<Incident>, ReportError> {
    let csv = Csv::parse(dir, "incidents.csv", text, &["date"])?;
    Ok(csv
        .rows
        .iter()
        .map(|row| Incident {
            date: csv.text(row, "date").to_owned(),
            location: csv.text(row, "location").to_owned(),
            size: csv
                .number(row, "size")
                .or_else(|| csv.number(row, "group_size")),
        })
        .collect())
}
