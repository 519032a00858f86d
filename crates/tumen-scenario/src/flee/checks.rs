//! Checks across files, and the network built from them.

use super::{CONFLICTS, Loader, ROUTES, RouteRow};
use crate::diagnostic::Diagnostic;
use crate::text::one_of;
use std::collections::{HashSet, VecDeque};
use tumen_core::{ConflictTable, LinkSpec, Location, LocationId, LocationKind, Network, Settings};

impl Loader<'_> {
    /// Checks across files: camps no conflict zone can reach, conflict zones that never start,
    /// towns Flee would turn into camps.
    pub(super) fn checks(
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

    pub(super) fn network(&mut self, routes: &[RouteRow]) -> Network {
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
            builder.add_link(LinkSpec {
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
