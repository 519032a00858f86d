//! `source_data/`: `data_layout.csv` and the observed series it names.

use super::{DATA_DIR, DATA_LAYOUT, DataRead, LOCATIONS, Loader, found};
use crate::ScenarioError;
use crate::diagnostic::Diagnostic;
use crate::text::{NumberError, days_between, one_of, parse_date, py_int, shown, suggest};
use std::collections::{HashMap, HashSet};
use tumen_core::{Closure, ClosureScope, Date, Series};

impl Loader<'_> {
    #[expect(
        clippy::too_many_lines,
        reason = "rows, files, then the camps without data"
    )]
    pub(super) fn data(
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
}
