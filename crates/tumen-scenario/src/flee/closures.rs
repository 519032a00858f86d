//! `closures.csv`: links, locations, countries and camps closed for a time.

use super::{CLOSURE_COLUMNS, CLOSURE_TYPES, CLOSURES, LOCATIONS, Loader, ROUTES, RouteRow, found};
use crate::ScenarioError;
use crate::diagnostic::Diagnostic;
use crate::text::{one_of, py_int, shown, suggest};
use tumen_core::{Closure, ClosureScope, CountryId, LocationId};

impl Loader<'_> {
    #[expect(clippy::too_many_lines, reason = "one closure type after another")]
    pub(super) fn closures(
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
}
