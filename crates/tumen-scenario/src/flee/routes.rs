//! `routes.csv`: the links between locations.

use super::{
    LOCATIONS, Loader, MAX_DISTANCE_KM, MAX_ITEMS, ROUTE_COLUMNS, ROUTES, RouteRow, found,
};
use crate::ScenarioError;
use crate::diagnostic::Diagnostic;
use crate::text::{NumberError, py_float, py_int};
use std::collections::HashMap;

impl Loader<'_> {
    pub(super) fn routes(&mut self) -> Result<Vec<RouteRow>, ScenarioError> {
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
            if a != b
                && distance_km > 0.0
                && let (Some(from), Some(to)) = (self.locations.get(a), self.locations.get(b))
                && from.has_coordinates
                && to.has_coordinates
                && from.latitude.to_bits() == to.latitude.to_bits()
                && from.longitude.to_bits() == to.longitude.to_bits()
                && let Some(field) = record.fields.first()
            {
                let (latitude, longitude) = (from.latitude, from.longitude);
                let diagnostic = Diagnostic::warning(format!(
                    "link `{name1}` – `{name2}` joins two locations at the same coordinates"
                ))
                .with_label(format!(
                    "expected two different places in `{LOCATIONS}`, found ({latitude}, {longitude}) for both"
                ))
                .with_hint(format!(
                    "the link is {distance_km} km long here but has length 0 on a map: GIS tools call such a line invalid, and `links.geojson` leaves it out; check the coordinates"
                ));
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
}
