//! The network of a run and the people at every location and on every link on every day:
//! what the exchange formats (long table, GeoJSON, HXL) and the report are made of.
//!
//! Written by every run as `daily_locations.csv` (`day,date,<location>…`) and
//! `daily_links.csv` (`day,date,<from> -- <to>…`, one column per line of `routes.csv`, both
//! directions summed); the network itself goes to `locations.geojson` ([`crate::geojson`]).

use std::io::{BufWriter, Read, Write};
use tumen_core::{LocationId, Scenario};
use tumen_engine::{DayView, Model, Observer, ObserverError};

/// One location of a run's network, as the output files describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct LocationInfo {
    /// Unique name.
    pub name: String,
    /// Region (`locations.csv`'s second column).
    pub region: String,
    /// Country name.
    pub country: String,
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Kind at the start of the run (`conflict_zone`, `town`, `camp`, …).
    pub kind: String,
    /// Population (spawn weight); 0 for camps.
    pub population: u64,
    /// Camp capacity after scaling; `None` when unlimited.
    pub capacity: Option<u64>,
    /// Whether the location is reported as a camp in `out.csv`.
    pub camp: bool,
}

/// One link of a run's network: one line of `routes.csv`, both directions.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkInfo {
    /// One end (`routes.csv`'s `name1`).
    pub from: String,
    /// The other end (`name2`).
    pub to: String,
    /// Length in km.
    pub distance_km: f64,
}

impl LinkInfo {
    /// The link's column name in `daily_links.csv`: `<from> -- <to>`.
    #[must_use]
    pub fn label(&self) -> String {
        format!("{} -- {}", self.from, self.to)
    }
}

/// The locations and (undirected) links of a run, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunNetwork {
    /// Locations in `locations.csv` order.
    pub locations: Vec<LocationInfo>,
    /// Links in `routes.csv` order.
    pub links: Vec<LinkInfo>,
    /// The countries people flee from: those of the conflict zones at the start, of the
    /// locations that `conflicts.csv` ever gives a conflict, and of `[[push]]` origins (in
    /// `locations.csv` order; empty when unknown, e.g. read back from `locations.geojson`).
    /// People elsewhere in these countries are internally displaced, people in other countries
    /// refugees (`hxl.csv`).
    pub origin_countries: Vec<String>,
}

impl RunNetwork {
    /// The network of a model (its scenario, capacities and reported camps).
    #[must_use]
    pub fn of_model(model: &Model) -> Self {
        let mut network = Self::of_scenario(model.scenario());
        for (index, location) in network.locations.iter_mut().enumerate() {
            location.capacity = model.capacity(LocationId::from_index(index));
        }
        for camp in model.reported_camps() {
            if let Some(location) = network.locations.get_mut(camp.index()) {
                location.camp = true;
            }
        }
        network
    }

    /// The network of a scenario as read (capacities unscaled; camps: locations of a camp kind).
    #[must_use]
    pub fn of_scenario(scenario: &Scenario) -> Self {
        let net = &scenario.network;
        let locations: Vec<LocationInfo> = net
            .locations
            .iter()
            .map(|l| LocationInfo {
                name: l.name.clone(),
                region: l.region.clone(),
                country: net.country_name(l.country).to_owned(),
                latitude: l.latitude,
                longitude: l.longitude,
                kind: l.kind.as_str().to_owned(),
                population: l.population,
                capacity: l.capacity,
                camp: l.kind.is_camp(),
            })
            .collect();
        let mut links: Vec<(u32, LinkInfo)> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for link in &net.links {
            if seen.insert(link.route_row) {
                links.push((
                    link.route_row,
                    LinkInfo {
                        from: net.location(link.from).name.clone(),
                        to: net.location(link.to).name.clone(),
                        distance_km: link.distance_km,
                    },
                ));
            }
        }
        links.sort_by_key(|(row, _)| *row);
        let conflicts = &scenario.schedule.conflicts;
        let mut origin = vec![false; net.locations.len()];
        for (index, location) in net.locations.iter().enumerate() {
            origin[index] = location.kind == tumen_core::LocationKind::ConflictZone;
        }
        for (column, location) in conflicts.locations.iter().enumerate() {
            let ever = conflicts
                .intensity
                .iter()
                .any(|row| row.get(column).is_some_and(|&v| v > 0.0));
            if let Some(slot) = origin.get_mut(location.index()).filter(|_| ever) {
                *slot = true;
            }
        }
        for push in &scenario.mechanisms.push {
            if let Some(slot) = origin.get_mut(push.location.index()) {
                *slot = true;
            }
        }
        let mut origin_countries: Vec<String> = Vec::new();
        for (location, _) in locations.iter().zip(&origin).filter(|(_, o)| **o) {
            let location: &LocationInfo = location;
            if !origin_countries.contains(&location.country) {
                origin_countries.push(location.country.clone());
            }
        }
        Self {
            locations,
            links: links.into_iter().map(|(_, link)| link).collect(),
            origin_countries,
        }
    }
}

/// People at every location and on every link, day by day.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Daily {
    /// Day numbers (0-based), one per row.
    pub days: Vec<u32>,
    /// Dates (`YYYY-MM-DD`), one per row.
    pub dates: Vec<String>,
    /// People at each location at the end of each day (`[day][location]`, links excluded).
    pub locations: Vec<Vec<u64>>,
    /// People on each link (both directions) at the end of each day (`[day][link]`).
    pub links: Vec<Vec<u64>>,
}

/// Collects [`Daily`] while a run goes.
#[derive(Debug)]
pub struct DailyObserver {
    /// Per directed link of the engine: its undirected link (index into `RunNetwork::links`).
    link_of: Vec<usize>,
    link_count: usize,
    start_date: jiff::civil::Date,
    daily: Daily,
}

impl DailyObserver {
    /// An observer for a scenario's network (links grouped by their `routes.csv` line, as in
    /// [`RunNetwork::of_scenario`]).
    #[must_use]
    pub fn new(scenario: &Scenario) -> Self {
        let rows: std::collections::BTreeSet<u32> =
            scenario.network.links.iter().map(|l| l.route_row).collect();
        let rank: std::collections::BTreeMap<u32, usize> =
            rows.iter().enumerate().map(|(i, &row)| (row, i)).collect();
        let link_of = scenario
            .network
            .links
            .iter()
            .map(|l| rank.get(&l.route_row).copied().unwrap_or(0))
            .collect();
        Self {
            link_of,
            link_count: rows.len(),
            start_date: scenario.start_date,
            daily: Daily::default(),
        }
    }

    /// The finished table.
    #[must_use]
    pub fn into_daily(self) -> Daily {
        self.daily
    }
}

impl Observer for DailyObserver {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        let mut links = vec![0_u64; self.link_count];
        for (directed, &count) in view.link_counts.iter().enumerate() {
            if let Some(&undirected) = self.link_of.get(directed) {
                links[undirected] += count;
            }
        }
        let date = self
            .start_date
            .checked_add(jiff::Span::new().days(i64::from(view.day.0)))
            .map_or_else(|_| String::new(), |d| d.to_string());
        self.daily.days.push(view.day.0);
        self.daily.dates.push(date);
        self.daily.locations.push(view.location_counts.to_vec());
        self.daily.links.push(links);
        Ok(())
    }
}

/// A daily table that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DailyError {
    /// The reader failed.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The file's name.
        file: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// A line that is not what Tumen writes.
    #[error("{file} line {line}: {message}")]
    Invalid {
        /// The file's name.
        file: &'static str,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// A wide table read back: column names (after `day,date`) and the rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WideTable {
    /// Column names after `day,date`.
    pub columns: Vec<String>,
    /// Day numbers.
    pub days: Vec<u32>,
    /// Dates.
    pub dates: Vec<String>,
    /// Values, `[row][column]`.
    pub values: Vec<Vec<u64>>,
}

impl Daily {
    /// Writes `daily_locations.csv`: `day,date,<location>…`.
    ///
    /// # Errors
    /// Any write error.
    pub fn write_locations_csv(
        &self,
        network: &RunNetwork,
        w: &mut dyn Write,
    ) -> std::io::Result<()> {
        let names: Vec<String> = network.locations.iter().map(|l| l.name.clone()).collect();
        write_wide(w, &names, &self.days, &self.dates, &self.locations)
    }

    /// Writes `daily_links.csv`: `day,date,<from> -- <to>…`.
    ///
    /// # Errors
    /// Any write error.
    pub fn write_links_csv(&self, network: &RunNetwork, w: &mut dyn Write) -> std::io::Result<()> {
        let names: Vec<String> = network.links.iter().map(LinkInfo::label).collect();
        write_wide(w, &names, &self.days, &self.dates, &self.links)
    }
}

fn write_wide(
    w: &mut dyn Write,
    names: &[String],
    days: &[u32],
    dates: &[String],
    rows: &[Vec<u64>],
) -> std::io::Result<()> {
    let mut out = BufWriter::new(w);
    write!(out, "day,date")?;
    for name in names {
        write!(out, ",{}", csv_field(name))?;
    }
    writeln!(out)?;
    for ((day, date), row) in days.iter().zip(dates).zip(rows) {
        write!(out, "{day},{date}")?;
        for value in row {
            write!(out, ",{value}")?;
        }
        writeln!(out)?;
    }
    out.flush()
}

impl WideTable {
    /// Reads `daily_locations.csv` or `daily_links.csv` (`file` names it in messages).
    ///
    /// # Errors
    /// When the reader fails or a line is not `day,date,<counts>…`.
    pub fn read_csv<R: Read>(r: R, file: &'static str) -> Result<Self, DailyError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(r);
        let header = reader
            .headers()
            .map_err(|e| csv_error(file, &e))?
            .iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        if header.len() < 2 || header[0] != "day" || header[1] != "date" {
            return Err(DailyError::Invalid {
                file,
                line: 1,
                message: "expected the header to start with `day,date`".to_owned(),
            });
        }
        let mut table = WideTable {
            columns: header[2..].to_vec(),
            ..Self::default()
        };
        for (index, record) in reader.records().enumerate() {
            let line = index + 2;
            let record = record.map_err(|e| csv_error(file, &e))?;
            let invalid = |message: String| DailyError::Invalid {
                file,
                line,
                message,
            };
            let day = record
                .get(0)
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| invalid("`day` is not a day number".to_owned()))?;
            table.days.push(day);
            table
                .dates
                .push(record.get(1).unwrap_or_default().to_owned());
            let values = record
                .iter()
                .skip(2)
                .enumerate()
                .map(|(c, text)| {
                    text.parse().map_err(|_| {
                        invalid(format!(
                            "`{}` is `{text}`, expected a count",
                            table.columns.get(c).map_or("?", String::as_str)
                        ))
                    })
                })
                .collect::<Result<Vec<u64>, _>>()?;
            table.values.push(values);
        }
        Ok(table)
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub(crate) fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn csv_error(file: &'static str, error: &csv::Error) -> DailyError {
    DailyError::Invalid {
        file,
        line: error
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0)),
        message: error.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn daily() -> Daily {
        Daily {
            days: vec![0, 1],
            dates: vec!["2020-01-01".into(), "2020-01-02".into()],
            locations: vec![vec![3, 0], vec![1, 2]],
            links: vec![vec![7], vec![0]],
        }
    }

    pub(crate) fn network() -> RunNetwork {
        RunNetwork {
            locations: vec![
                LocationInfo {
                    name: "A".into(),
                    region: "R".into(),
                    country: "X".into(),
                    latitude: 1.0,
                    longitude: 2.0,
                    kind: "town".into(),
                    population: 10,
                    capacity: None,
                    camp: false,
                },
                LocationInfo {
                    name: "B, camp".into(),
                    region: "R".into(),
                    country: "Y".into(),
                    latitude: 1.5,
                    longitude: 2.5,
                    kind: "camp".into(),
                    population: 0,
                    capacity: Some(5),
                    camp: true,
                },
            ],
            links: vec![LinkInfo {
                from: "A".into(),
                to: "B, camp".into(),
                distance_km: 12.5,
            }],
            origin_countries: vec!["X".into()],
        }
    }

    #[test]
    fn wide_tables_read_back() {
        let daily = daily();
        let mut out = Vec::new();
        daily.write_locations_csv(&network(), &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("day,date,A,\"B, camp\"\n0,2020-01-01,3,0\n"));
        let table = WideTable::read_csv(out.as_slice(), "daily_locations.csv").unwrap();
        assert_eq!(table.columns, vec!["A", "B, camp"]);
        assert_eq!(table.values, daily.locations);
        let mut out = Vec::new();
        daily.write_links_csv(&network(), &mut out).unwrap();
        let table = WideTable::read_csv(out.as_slice(), "daily_links.csv").unwrap();
        assert_eq!(table.columns, vec!["A -- B, camp"]);
        assert_eq!(table.values, daily.links);
    }

    #[test]
    fn bad_counts_name_the_file_and_line() {
        let text = "day,date,A\n0,2020-01-01,1\n1,2020-01-02,x\n";
        let error = WideTable::read_csv(text.as_bytes(), "daily_locations.csv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "daily_locations.csv line 3: `A` is `x`, expected a count"
        );
    }
}
