//! The sections of `scenario.toml`, one method each.

use super::{At, Bound, Reader, doc, join};
use crate::diagnostic::Diagnostic;
use crate::text::{days_between, parse_date, py_float, py_int, shown, suggest};
use doc::{Node, Origin, Value};
use std::collections::HashMap;
use tumen_core::{
    Aid, Asylum, Brokers, CATEGORIES, Campaign, Capacity, Channel, CountryId, Detention,
    DetentionSite, Enforcement, EnforcementRegion, Failure, Incident, LinkId, LocationId,
    LocationKind, Mechanisms, Mortality, Push, PushRate, Recrossing, Seasonality, Series, Trigger,
    VoluntaryReturn,
};

/// The categories a mortality hazard may be given for (not `exited`, not `dead`).
pub(super) const MORTALITY_CATEGORIES: [&str; 9] = [
    "free",
    "hidden",
    "seeking_asylum",
    "returning",
    "detained",
    "processing",
    "exiting",
    "at_home",
    "queued",
];

impl Reader<'_> {
    pub(super) fn mechanisms(&mut self, root: At<'_>) -> Mechanisms {
        let mut m = Mechanisms::default();
        if let Some(node) = root.table.get("scenario") {
            self.metadata(node);
        }
        if let Some(node) = root.table.get("status") {
            self.status(node, &mut m);
        }
        if let Some(node) = root.table.get("push") {
            m.push = self.push_section(node);
        }
        if let Some(node) = root.table.get("asylum") {
            m.asylum = self.asylum(node, &m.irregular_countries);
        }
        if let Some(node) = root.table.get("enforcement") {
            let (enforcement, triggers) = self.enforcement(node, &m);
            m.enforcement = enforcement;
            m.triggers = triggers;
        }
        if let Some(node) = root.table.get("detention") {
            m.detention = self.detention(node, &m.irregular_countries);
        }
        if let Some(node) = root.table.get("recrossing") {
            m.recrossing = self.recrossing(node);
        }
        if let Some(node) = root.table.get("voluntary_return") {
            m.voluntary_return = self.voluntary_return(node, &m.irregular_countries);
        }
        if let Some(node) = root.table.get("aid") {
            m.aid = self.aid(node);
        }
        if let Some(node) = root.table.get("seasonality") {
            m.seasonality = self.seasonality(node);
        }
        if let Some(node) = root.table.get("mortality") {
            m.mortality = self.mortality(node);
        }
        if let Some(node) = root.table.get("attributes") {
            m.attributes = self.attributes(node, &m);
        }
        self.cross_checks(root, &m);
        m
    }

    fn cross_checks(&mut self, root: At<'_>, m: &Mechanisms) {
        if let Some(node) = root.table.get("enforcement")
            && root.table.get("detention").is_none()
        {
            self.push(
                Diagnostic::error("enforcement needs a `[detention]` section")
                    .with_label("expected `[detention]` with at least one `[[detention.site]]` in scenario.toml, found none")
                    .with_hint("detected people are moved to the nearest detention site; add `[detention]` with `duration` and `[[detention.site]]`"),
                node.origin,
                "enforcement",
            );
        }
        if m.irregular_countries.is_empty() && !self.report.has_errors() {
            for section in ["enforcement", "voluntary_return", "asylum"] {
                if let Some(node) = root.table.get(section) {
                    self.warn(
                        format!("`[{section}]` has no effect: nobody is ever hidden"),
                        "expected `status.irregular_countries` to name at least one country, found none".to_owned(),
                        node.origin,
                        section,
                    );
                }
            }
        }
    }

    fn metadata(&mut self, node: &Node) {
        let Some(at) = self.table(node, "scenario") else {
            return;
        };
        for key in ["name", "description"] {
            if let Some(value) = at.table.get(key) {
                self.string(value, &join("scenario", key));
            }
        }
    }

    fn is_irregular(&self, location: LocationId, irregular: &[CountryId]) -> bool {
        self.country_of(location)
            .is_some_and(|country| irregular.contains(&country))
    }

    fn status(&mut self, node: &Node, m: &mut Mechanisms) {
        let Some(at) = self.table(node, "status") else {
            return;
        };
        if let Some(list) = at.table.get("irregular_countries") {
            let path = "status.irregular_countries";
            let is_list = matches!(list.value, Value::Array(_));
            for (index, (_, element)) in self.strings(list, path).into_iter().enumerate() {
                let element_path = if is_list {
                    format!("{path}[{index}]")
                } else {
                    path.to_owned()
                };
                if let Some(country) = self.country(element, &element_path)
                    && !m.irregular_countries.contains(&country)
                {
                    m.irregular_countries.push(country);
                }
            }
        }
        if let Some(list) = at.table.get("channel_links") {
            m.channel_links = self.channel_links(list);
        }
    }

    fn channel_links(&mut self, list: &Node) -> Vec<LinkId> {
        let path = "status.channel_links";
        let Value::Array(pairs) = &list.value else {
            self.invalid(
                list,
                path,
                "a list of location pairs `[[\"A\", \"B\"], ...]`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, pair_node) in pairs.iter().enumerate() {
            let pair_path = format!("{path}[{index}]");
            let pair = match &pair_node.value {
                Value::Array(pair) if pair.len() == 2 => pair,
                _ => {
                    self.invalid(
                        pair_node,
                        &pair_path,
                        "a pair of location names `[\"A\", \"B\"]`",
                    );
                    continue;
                }
            };
            let a = self.location(&pair[0], &format!("{pair_path}[0]"));
            let b = self.location(&pair[1], &format!("{pair_path}[1]"));
            let (Some(a), Some(b)) = (a, b) else {
                continue;
            };
            let Some(context) = &self.context else {
                continue;
            };
            let links: Vec<LinkId> = context
                .network
                .links
                .iter()
                .enumerate()
                .filter(|(_, link)| {
                    (link.from == a && link.to == b) || (link.from == b && link.to == a)
                })
                .map(|(index, _)| LinkId::from_index(index))
                .collect();
            if links.is_empty() {
                let (name_a, name_b) = (self.location_name(a), self.location_name(b));
                self.push(
                    Diagnostic::error(format!("no route between `{name_a}` and `{name_b}`"))
                        .with_label(format!(
                            "expected two locations joined by a row of `{}`, found none",
                            super::ROUTES
                        ))
                        .with_hint("a channel link is an existing route reserved for people travelling with a goal; add the route to routes.csv first"),
                    pair_node.origin,
                    &pair_path,
                );
                continue;
            }
            for link in links {
                if !out.contains(&link) {
                    out.push(link);
                }
            }
        }
        out
    }

    fn push_section(&mut self, node: &Node) -> Vec<Push> {
        let mut out = Vec::new();
        for (path, element) in self.tables(node, "push") {
            let Some(at) = self.table(element, &path) else {
                continue;
            };
            let location = self
                .required(at, "location", "\"<location name>\"")
                .and_then(|n| self.location(n, &join(&path, "location")));
            let per_day = at.table.get("per_day");
            let per_capita = at.table.get("per_capita");
            let intensity = at.table.get("intensity");
            let rate = match (per_day, per_capita) {
                (Some(_), Some(second)) => {
                    self.push(
                        Diagnostic::error(format!("`{path}` has both `per_day` and `per_capita`"))
                            .with_label("expected one of `per_day` (people per day) or `per_capita` (per inhabitant per day, times `intensity`)")
                            .with_hint("remove one of them"),
                        second.origin,
                        &join(&path, "per_capita"),
                    );
                    None
                }
                (None, None) => {
                    self.push(
                        Diagnostic::error(format!("`{path}` says neither how many leave nor at what rate"))
                            .with_label("expected `per_day = <series>` or `per_capita = <number>`")
                            .with_hint("`per_day` is people per day; `per_capita` is people per inhabitant per day at intensity 1, times the `intensity` series"),
                        at.origin,
                        &path,
                    );
                    None
                }
                (Some(per_day), None) => {
                    if let Some(intensity) = intensity {
                        self.push(
                            Diagnostic::error(format!("`{path}.intensity` is used only with `per_capita`"))
                                .with_label("expected no `intensity` next to `per_day`")
                                .with_hint("put the time profile into the `per_day` series, or use `per_capita` with `intensity`"),
                            intensity.origin,
                            &join(&path, "intensity"),
                        );
                    }
                    self.series(per_day, &join(&path, "per_day"), Bound::NonNegative)
                        .map(|series| PushRate::PerDay(self.hastened(series)))
                }
                (None, Some(per_capita)) => {
                    let value =
                        self.number(per_capita, &join(&path, "per_capita"), Bound::NonNegative);
                    let intensity = match intensity {
                        None => Some(Series::constant(1.0)),
                        Some(node) => {
                            self.series(node, &join(&path, "intensity"), Bound::NonNegative)
                        }
                    };
                    if let Some(location) = location
                        && let Some(context) = &self.context
                        && context
                            .network
                            .locations
                            .get(location.index())
                            .is_some_and(|l| l.population == 0)
                    {
                        let name = self.location_name(location);
                        self.warn(
                            format!(
                                "push from `{name}` is per capita but `{name}` has no population"
                            ),
                            format!(
                                "expected a population above 0 in `{}`: nobody will leave",
                                super::LOCATIONS
                            ),
                            per_capita.origin,
                            &join(&path, "per_capita"),
                        );
                    }
                    value
                        .zip(intensity)
                        .map(|(per_capita, intensity)| PushRate::PerCapita {
                            per_capita,
                            intensity,
                        })
                }
            };
            if let (Some(location), Some(rate)) = (location, rate) {
                out.push(Push { location, rate });
            }
        }
        out
    }

    fn enforcement(&mut self, node: &Node, m: &Mechanisms) -> (Option<Enforcement>, Vec<Trigger>) {
        let Some(at) = self.table(node, "enforcement") else {
            return (None, Vec::new());
        };
        let settled_multiplier =
            self.optional_number(at, "settled_multiplier", Bound::NonNegative, 1.0);
        let travelling_multiplier =
            self.optional_number(at, "travelling_multiplier", Bound::NonNegative, 1.0);
        let mut kind_multipliers = Vec::new();
        if let Some(kinds) = at.table.get("kind_multipliers") {
            let path = "enforcement.kind_multipliers";
            if let Value::Table(table) = &kinds.value {
                for entry in &table.entries {
                    let key_path = join(path, &entry.key);
                    let kind = LocationKind::SPELLINGS
                        .iter()
                        .find(|(name, _)| *name == entry.key)
                        .map(|(_, kind)| *kind);
                    let value = self.number(&entry.node, &key_path, Bound::NonNegative);
                    match kind {
                        Some(kind) => {
                            if let Some(value) = value {
                                kind_multipliers.push((kind, value));
                            }
                        }
                        None => {
                            let names: Vec<&str> =
                                LocationKind::SPELLINGS.iter().map(|(n, _)| *n).collect();
                            let hint = suggest(&entry.key, names.iter().copied()).map_or_else(
                                || format!("the kinds are {}", doc::list(&names)),
                                |best| format!("did you mean `{best}`?"),
                            );
                            self.push(
                                Diagnostic::error(format!(
                                    "unknown location kind `{}`",
                                    shown(&entry.key)
                                ))
                                .with_label(format!(
                                    "expected a `location_type` of `{}`, found `{}`",
                                    super::LOCATIONS,
                                    shown(&entry.key)
                                ))
                                .with_hint(hint),
                                entry.key_origin,
                                &key_path,
                            );
                        }
                    }
                }
            } else {
                self.invalid(kinds, path, "a table `{ town = 1.5, camp = 1.0 }`");
            }
        }
        let regions = match at.table.get("region") {
            Some(node) => self.regions(node, m),
            None => {
                self.warn(
                    "`[enforcement]` has no region: nobody is ever detected".to_owned(),
                    "expected at least one `[[enforcement.region]]`, found none".to_owned(),
                    at.origin,
                    "enforcement",
                );
                Vec::new()
            }
        };
        let triggers = match at.table.get("trigger") {
            Some(node) => self.triggers(node),
            None => Vec::new(),
        };
        (
            Some(Enforcement {
                regions,
                kind_multipliers,
                settled_multiplier,
                travelling_multiplier,
            }),
            triggers,
        )
    }

    fn regions(&mut self, node: &Node, m: &Mechanisms) -> Vec<EnforcementRegion> {
        let mut out = Vec::new();
        // Which region each location was put in, for the one-region rule.
        let mut owner: Vec<(LocationId, String)> = Vec::new();
        for (path, element) in self.tables(node, "enforcement.region") {
            let Some(at) = self.table(element, &path) else {
                continue;
            };
            let name = self
                .required(at, "name", "\"<region name>\"")
                .and_then(|n| {
                    self.string(n, &join(&path, "name"))
                        .map(|s| (s.to_owned(), n))
                });
            if let Some((name, name_node)) = &name
                && self.region_names.contains(name)
            {
                self.push(
                    Diagnostic::error(format!(
                        "two enforcement regions are called `{}`",
                        shown(name)
                    ))
                    .with_label(format!(
                        "expected a name not used by another region, found `{}`",
                        shown(name)
                    ))
                    .with_hint("triggers name their region, so region names must differ"),
                    name_node.origin,
                    &join(&path, "name"),
                );
            }
            let region_name = name.as_ref().map_or_else(String::new, |(n, _)| n.clone());
            self.region_names.push(region_name.clone());
            let mut members: Vec<(LocationId, Origin)> = Vec::new();
            let listed = at.table.get("locations");
            if let Some(list) = listed {
                members.extend(self.locations(list, &join(&path, "locations")));
            }
            let flee_region = at.table.get("flee_region");
            if let Some(regions) = flee_region {
                members.extend(self.flee_regions(regions, &join(&path, "flee_region")));
            }
            if listed.is_none() && flee_region.is_none() {
                self.push(
                    Diagnostic::error(format!("enforcement region `{region_name}` has no locations"))
                        .with_label("expected `locations = [\"A\", \"B\"]` or `flee_region = \"<region of locations.csv>\"` (or both)"),
                    at.origin,
                    &path,
                );
            }
            let mut locations = Vec::new();
            for (location, origin) in members {
                if locations.contains(&location) {
                    continue;
                }
                if let Some((_, other)) = owner.iter().find(|(l, _)| *l == location) {
                    let location_name = self.location_name(location);
                    let other = other.clone();
                    self.push(
                        Diagnostic::error(format!("location `{location_name}` is in two enforcement regions"))
                            .with_label(format!(
                                "expected each location in at most one region, found it in `{other}` and `{region_name}`"
                            )),
                        origin,
                        &path,
                    );
                    continue;
                }
                if self.context.is_some()
                    && !m.irregular_countries.is_empty()
                    && !self.is_irregular(location, &m.irregular_countries)
                {
                    let location_name = self.location_name(location);
                    let country = self
                        .country_of(location)
                        .map(|c| self.country_name(c))
                        .unwrap_or_default();
                    self.warn(
                        format!("`{location_name}` is in enforcement region `{region_name}` but nobody is hidden there"),
                        format!("expected a location of a country in `status.irregular_countries`, found one in `{country}`"),
                        origin,
                        &path,
                    );
                }
                owner.push((location, region_name.clone()));
                locations.push(location);
            }
            let baseline = match at.table.get("baseline") {
                None => Some(Series::constant(0.0)),
                Some(node) => self.series(node, &join(&path, "baseline"), Bound::Probability),
            };
            let campaigns = match at.table.get("campaign") {
                None => Some(Vec::new()),
                Some(node) => self.campaigns(node, &join(&path, "campaign")),
            };
            if let (Some(_), Some(baseline), Some(campaigns)) = (name, baseline, campaigns) {
                out.push(EnforcementRegion {
                    name: region_name,
                    locations,
                    baseline,
                    campaigns,
                });
            }
        }
        out
    }

    fn flee_regions(&mut self, node: &Node, path: &str) -> Vec<(LocationId, Origin)> {
        let is_list = matches!(node.value, Value::Array(_));
        let mut out = Vec::new();
        for (index, (name, element)) in self.strings(node, path).into_iter().enumerate() {
            let Some(context) = &self.context else {
                continue;
            };
            let element_path = if is_list {
                format!("{path}[{index}]")
            } else {
                path.to_owned()
            };
            let matching: Vec<LocationId> = context
                .network
                .locations
                .iter()
                .enumerate()
                .filter(|(_, l)| l.region == name)
                .map(|(i, _)| LocationId::from_index(i))
                .collect();
            if matching.is_empty() {
                let mut regions: Vec<&str> = context
                    .network
                    .locations
                    .iter()
                    .map(|l| l.region.as_str())
                    .collect();
                regions.sort_unstable();
                regions.dedup();
                let hint = suggest(name, regions.iter().copied()).map_or_else(
                    || format!("regions are the `region` column of `{}`", super::LOCATIONS),
                    |best| {
                        format!(
                            "did you mean `{best}`? Regions are the `region` column of `{}`",
                            super::LOCATIONS
                        )
                    },
                );
                self.push(
                    Diagnostic::error(format!("no location is in region `{}`", shown(name)))
                        .with_label(format!(
                            "expected a value of the `region` column of `{}`, found `{}`",
                            super::LOCATIONS,
                            shown(name)
                        ))
                        .with_hint(hint),
                    element.origin,
                    &element_path,
                );
            }
            out.extend(matching.into_iter().map(|l| (l, element.origin)));
        }
        out
    }

    fn campaigns(&mut self, node: &Node, path: &str) -> Option<Vec<Campaign>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (path, element) in self.tables(node, path) {
            let Some(at) = self.table(element, &path) else {
                ok = false;
                continue;
            };
            let name = self
                .required(at, "name", "\"<campaign name>\"")
                .and_then(|n| self.string(n, &join(&path, "name")))
                .map(ToOwned::to_owned);
            let start_node = self.required(at, "start", "<date>");
            let end_node = self.required(at, "end", "<date>");
            let start = start_node.and_then(|n| self.date(n, &join(&path, "start")));
            let end = end_node.and_then(|n| self.date(n, &join(&path, "end")));
            let add = self
                .required(at, "add", "<daily detection probability>")
                .and_then(|n| self.number(n, &join(&path, "add"), Bound::Probability));
            let (Some(name), Some(start), Some(end), Some(add), Some(end_node)) =
                (name, start, end, add, end_node)
            else {
                ok = false;
                continue;
            };
            if end < start {
                self.push(
                    Diagnostic::error(format!("campaign `{}` ends before it starts", shown(&name)))
                        .with_label("expected `end` on or after `start`"),
                    end_node.origin,
                    &join(&path, "end"),
                );
                ok = false;
                continue;
            }
            if let Some(context) = &self.context
                && (end < 0 || start >= i64::from(context.days))
            {
                let day = if end < 0 { end } else { start };
                self.check_in_period(
                    day,
                    at.origin,
                    &path,
                    &format!("campaign `{}`", shown(&name)),
                );
            }
            out.push(Campaign {
                name,
                start,
                end,
                add,
            });
        }
        ok.then_some(out)
    }

    fn triggers(&mut self, node: &Node) -> Vec<Trigger> {
        let mut out = Vec::new();
        for (path, element) in self.tables(node, "enforcement.trigger") {
            let Some(at) = self.table(element, &path) else {
                continue;
            };
            let name = self
                .required(at, "name", "\"<trigger name>\"")
                .and_then(|n| self.string(n, &join(&path, "name")))
                .map(ToOwned::to_owned);
            let enabled = match at.table.get("enabled") {
                None => Some(true),
                Some(n) => self.boolean(n, &join(&path, "enabled")),
            };
            let min_size = self
                .required(at, "min_size", "<people>")
                .and_then(|n| self.integer(n, &join(&path, "min_size"), 1, i64::MAX))
                .and_then(|n| u64::try_from(n).ok());
            let country = self
                .required(at, "country", "\"<country of the missions watched>\"")
                .and_then(|n| self.country(n, &join(&path, "country")).map(|c| (c, n)));
            let region = self
                .required(at, "region", "\"<name of an enforcement region>\"")
                .and_then(|n| self.region_index(n, &join(&path, "region")));
            let delta = self
                .required(at, "delta", "<added daily detection probability>")
                .and_then(|n| self.number(n, &join(&path, "delta"), Bound::Probability));
            let half_life_days = self
                .required(at, "half_life_days", "<days>")
                .and_then(|n| self.number(n, &join(&path, "half_life_days"), Bound::Positive));
            if let Some((country, node)) = country
                && self.context.is_some()
                && !self.channel_countries.contains(&country)
            {
                let country_name = self.country_name(country);
                self.warn(
                    format!("trigger watches `{country_name}` but no asylum channel is there"),
                    "expected the country of at least one `[[asylum.channel]]` location: this trigger never fires".to_owned(),
                    node.origin,
                    &join(&path, "country"),
                );
            }
            if let (
                Some(name),
                Some(enabled),
                Some(min_size),
                Some((country, _)),
                Some(region),
                Some(delta),
                Some(half_life_days),
            ) = (
                name,
                enabled,
                min_size,
                country,
                region,
                delta,
                half_life_days,
            ) {
                out.push(Trigger {
                    name,
                    enabled,
                    min_size: self.hastened_count(min_size),
                    country,
                    region,
                    delta,
                    half_life_days,
                });
            }
        }
        out
    }

    fn region_index(&mut self, node: &Node, path: &str) -> Option<usize> {
        let name = self.string(node, path)?;
        if let Some(index) = self.region_names.iter().position(|r| r == name) {
            return Some(index);
        }
        let names: Vec<&str> = self.region_names.iter().map(String::as_str).collect();
        let hint = suggest(name, names.iter().copied()).map_or_else(
            || format!("the regions are {}", doc::list(&names)),
            |best| format!("did you mean `{best}`?"),
        );
        let name = name.to_owned();
        self.push(
            Diagnostic::error(format!("unknown enforcement region `{}`", shown(&name)))
                .with_label(format!(
                    "expected the `name` of an `[[enforcement.region]]`, found `{}`",
                    shown(&name)
                ))
                .with_hint(hint),
            node.origin,
            path,
        );
        None
    }

    fn detention(&mut self, node: &Node, irregular: &[CountryId]) -> Option<Detention> {
        let at = self.table(node, "detention")?;
        let duration = self
            .required(at, "duration", "<days> or { min = <days>, max = <days> }")
            .and_then(|n| self.duration(n, "detention.duration"));
        let mut sites = Vec::new();
        let mut ok = true;
        match at.table.get("site") {
            None => {
                self.push(
                    Diagnostic::error("`[detention]` has no site").with_label(
                        "expected at least one `[[detention.site]]` with `location` and `release`",
                    ),
                    at.origin,
                    "detention",
                );
                ok = false;
            }
            Some(list) => {
                for (path, element) in self.tables(list, "detention.site") {
                    let Some(at) = self.table(element, &path) else {
                        ok = false;
                        continue;
                    };
                    let location_node = self.required(at, "location", "\"<location name>\"");
                    let location =
                        location_node.and_then(|n| self.location(n, &join(&path, "location")));
                    let release = self
                        .required(at, "release", "\"<location name>\"")
                        .and_then(|n| self.location(n, &join(&path, "release")));
                    let (Some(location), Some(release), Some(location_node)) =
                        (location, release, location_node)
                    else {
                        ok = false;
                        continue;
                    };
                    if self.is_irregular(location, irregular) {
                        let name = self.location_name(location);
                        let country = self
                            .country_of(location)
                            .map(|c| self.country_name(c))
                            .unwrap_or_default();
                        self.warn(
                            format!("detention site `{name}` is in `{country}`, where people are hidden"),
                            "expected a site in the origin country (not in `status.irregular_countries`)".to_owned(),
                            location_node.origin,
                            &join(&path, "location"),
                        );
                    }
                    sites.push(DetentionSite { location, release });
                }
            }
        }
        let duration = duration?;
        ok.then_some(Detention { sites, duration })
    }

    fn recrossing(&mut self, node: &Node) -> Option<Recrossing> {
        let at = self.table(node, "recrossing")?;
        let rate = self
            .required(at, "rate", "<daily probability>")
            .and_then(|n| self.number(n, "recrossing.rate", Bound::Probability));
        let intensity = match at.table.get("intensity") {
            None => Some(None),
            Some(n) => self
                .series(n, "recrossing.intensity", Bound::NonNegative)
                .map(Some),
        };
        let deported_multiplier = match at.table.get("deported_multiplier") {
            None => Some(None),
            Some(n) => self
                .series(n, "recrossing.deported_multiplier", Bound::NonNegative)
                .map(Some),
        };
        Some(Recrossing {
            rate: rate?,
            intensity: intensity?,
            deported_multiplier: deported_multiplier?,
        })
    }

    fn voluntary_return(
        &mut self,
        node: &Node,
        irregular: &[CountryId],
    ) -> Option<VoluntaryReturn> {
        let at = self.table(node, "voluntary_return")?;
        let rate = self
            .required(at, "rate", "<daily probability>")
            .and_then(|n| self.number(n, "voluntary_return.rate", Bound::Probability));
        let conditions = match at.table.get("conditions") {
            None => Some(None),
            Some(n) => self
                .series(n, "voluntary_return.conditions", Bound::NonNegative)
                .map(Some),
        };
        let homes_node = self.required(at, "homes", "[\"<location>\", ...]");
        let mut homes = Vec::new();
        if let Some(list) = homes_node {
            let found = self.locations(list, "voluntary_return.homes");
            if found.is_empty() && matches!(&list.value, Value::Array(a) if a.is_empty()) {
                self.invalid(list, "voluntary_return.homes", "at least one home location");
            }
            for (home, origin) in found {
                if self.is_irregular(home, irregular) {
                    let name = self.location_name(home);
                    self.warn(
                        format!("home `{name}` is in a country where people are hidden"),
                        "expected a location of the origin country (not in `status.irregular_countries`)".to_owned(),
                        origin,
                        "voluntary_return.homes",
                    );
                }
                if !homes.contains(&home) {
                    homes.push(home);
                }
            }
        }
        if homes.is_empty() {
            return None;
        }
        Some(VoluntaryReturn {
            rate: rate?,
            conditions: conditions?,
            homes,
        })
    }

    fn asylum(&mut self, node: &Node, irregular: &[CountryId]) -> Option<Asylum> {
        let at = self.table(node, "asylum")?;
        let (rate, brokers) = match (at.table.get("rate"), at.table.get("brokers")) {
            (Some(_), Some(brokers_node)) => {
                self.push(
                    Diagnostic::error("`[asylum]` has both `rate` and `[asylum.brokers]`")
                        .with_label("expected one of them: a dated `rate`, or `[asylum.brokers]` whose `base` and network term give the rate")
                        .with_hint("remove `rate`, or the `[asylum.brokers]` table"),
                    brokers_node.origin,
                    "asylum.brokers",
                );
                (None, None)
            }
            (_, Some(brokers_node)) => match self.brokers(brokers_node) {
                Some((base, brokers)) => (Some(base), Some(brokers)),
                None => (None, None),
            },
            _ => (
                self.required(at, "rate", "<series of daily probabilities>")
                    .and_then(|n| self.series(n, "asylum.rate", Bound::Probability)),
                None,
            ),
        };
        let mut channels = Vec::new();
        let mut ok = true;
        match at.table.get("channel") {
            None => {
                self.push(
                    Diagnostic::error("`[asylum]` has no channel")
                        .with_label("expected at least one `[[asylum.channel]]` with `name`, `location`, `exit`, `success` and `delay`"),
                    at.origin,
                    "asylum",
                );
                ok = false;
            }
            Some(list) => {
                for (path, element) in self.tables(list, "asylum.channel") {
                    match self.channel(element, &path, irregular) {
                        Some(channel) => channels.push(channel),
                        None => ok = false,
                    }
                }
            }
        }
        let incidents = match at.table.get("incidents") {
            None => Some(Vec::new()),
            Some(node) => self.incidents(node),
        };
        if !ok {
            return None;
        }
        Some(Asylum {
            rate: rate?,
            brokers,
            channels,
            incidents: incidents?,
        })
    }

    /// `[asylum.brokers]`: the base rate and the network term (counts divided by `hasten`).
    fn brokers(&mut self, node: &Node) -> Option<(Series, Brokers)> {
        let path = "asylum.brokers";
        let at = self.table(node, path)?;
        let base = self
            .required(at, "base", "<series of daily probabilities>")
            .and_then(|n| self.series(n, "asylum.brokers.base", Bound::Probability));
        let per_exited = self
            .required(
                at,
                "per_exited",
                "<added daily probability per person exited>",
            )
            .and_then(|n| self.number(n, "asylum.brokers.per_exited", Bound::NonNegative));
        let saturation = match at.table.get("saturation") {
            None => Some(None),
            Some(n) => self
                .number(n, "asylum.brokers.saturation", Bound::Positive)
                .map(Some),
        };
        let exited_before = self.optional_number(at, "exited_before", Bound::NonNegative, 0.0);
        let per_channel_weight = match at.table.get("per_channel_weight") {
            None => Some(false),
            Some(n) => self.boolean(n, "asylum.brokers.per_channel_weight"),
        };
        let hasten = f64::from(self.context.as_ref().map_or(1, |c| c.hasten).max(1));
        Some((
            base?,
            Brokers {
                per_exited: per_exited? * hasten,
                saturation: saturation?.map(|s| s / hasten),
                exited_before: exited_before / hasten,
                per_channel_weight: per_channel_weight?,
            },
        ))
    }

    /// A failure outcome: `"deported"`, `"sent_on"` or `"detained"` (with the duration held).
    fn failure_kind(&mut self, node: &Node, path: &str) -> Option<&'static str> {
        let text = self.string(node, path)?;
        let found = ["deported", "sent_on", "detained"]
            .into_iter()
            .find(|k| *k == text);
        if found.is_none() {
            self.invalid_hint(
                node,
                path,
                "`\"deported\"`, `\"sent_on\"` or `\"detained\"`",
                "deported: detained at the nearest detention site and released at home; sent_on: sent to the channel's exit anyway; detained: held where the claim was made for `failure_detention` days, then released there",
            );
        }
        found
    }

    /// `[seasonality]`: 12 monthly multipliers for push and re-crossing.
    fn seasonality(&mut self, node: &Node) -> Option<Seasonality> {
        let at = self.table(node, "seasonality")?;
        let mut profiles = [None, None];
        for (slot, key) in profiles.iter_mut().zip(["push", "recrossing"]) {
            let Some(n) = at.table.get(key) else {
                continue;
            };
            let path = format!("seasonality.{key}");
            let expected = "a list of 12 numbers ≥ 0 (January to December)";
            let Value::Array(elements) = &n.value else {
                self.invalid(n, &path, expected);
                continue;
            };
            if elements.len() != 12 {
                self.invalid(n, &path, expected);
                continue;
            }
            let mut profile = [1.0; 12];
            let mut ok = true;
            for (index, element) in elements.iter().enumerate() {
                match self.number(element, &format!("{path}[{index}]"), Bound::NonNegative) {
                    Some(v) => profile[index] = v,
                    None => ok = false,
                }
            }
            if ok {
                *slot = Some(profile);
            }
        }
        let [push, recrossing] = profiles;
        Some(Seasonality { push, recrossing })
    }

    /// `[mortality]`: a daily hazard series per category.
    fn mortality(&mut self, node: &Node) -> Option<Mortality> {
        let at = self.table(node, "mortality")?;
        let mut hazards = Vec::new();
        for name in MORTALITY_CATEGORIES {
            let Some(n) = at.table.get(name) else {
                continue;
            };
            let category = CATEGORIES.iter().position(|c| *c == name)?;
            if let Some(series) = self.series(n, &format!("mortality.{name}"), Bound::Probability) {
                hazards.push((category, series));
            }
        }
        Some(Mortality { hazards })
    }

    fn channel(&mut self, node: &Node, path: &str, irregular: &[CountryId]) -> Option<Channel> {
        let at = self.table(node, path)?;
        let name_node = self.required(at, "name", "\"<channel name>\"");
        let name = name_node
            .and_then(|n| self.string(n, &join(path, "name")))
            .map(ToOwned::to_owned);
        if let (Some(name), Some(node)) = (&name, name_node)
            && self.channel_names.contains(name)
        {
            self.push(
                Diagnostic::error(format!("two asylum channels are called `{}`", shown(name)))
                    .with_label(format!(
                        "expected a name not used by another channel, found `{}`",
                        shown(name)
                    ))
                    .with_hint("incidents name their channel, so channel names must differ"),
                node.origin,
                &join(path, "name"),
            );
        }
        let location = self
            .required(at, "location", "\"<location of the mission>\"")
            .and_then(|n| self.location(n, &join(path, "location")));
        let exit_node = self.required(at, "exit", "\"<destination location>\"");
        let exit = exit_node.and_then(|n| self.location(n, &join(path, "exit")));
        let weight = match at.table.get("weight") {
            None => Some(Series::constant(1.0)),
            Some(n) => self.series(n, &join(path, "weight"), Bound::NonNegative),
        };
        let success = self
            .required(at, "success", "<probability>")
            .and_then(|n| self.number(n, &join(path, "success"), Bound::Probability));
        let delay = self
            .required(at, "delay", "<days> or { min = <days>, max = <days> }")
            .and_then(|n| self.duration(n, &join(path, "delay")));
        let open = match at.table.get("open") {
            None => Some(None),
            Some(n) => self.date(n, &join(path, "open")).map(Some),
        };
        let close_node = at.table.get("close");
        let close = match close_node {
            None => Some(None),
            Some(n) => self.date(n, &join(path, "close")).map(Some),
        };
        if let (Some(Some(open)), Some(Some(close)), Some(node)) = (open, close, close_node)
            && close < open
        {
            self.invalid_hint(
                node,
                &join(path, "close"),
                "a date not before `open`",
                "`close` is the last day the channel is open (inclusive)",
            );
        }
        let capacity = match (
            at.table.get("capacity_per_day"),
            at.table.get("capacity_per_month"),
        ) {
            (None, None) => Some(None),
            (Some(_), Some(n)) => {
                self.invalid_hint(
                    n,
                    &join(path, "capacity_per_month"),
                    "one of `capacity_per_day` and `capacity_per_month`",
                    "a channel's capacity is given per day or per month, not both",
                );
                None
            }
            (Some(n), None) => self
                .series(n, &join(path, "capacity_per_day"), Bound::NonNegative)
                .map(|claims| {
                    Some(Capacity {
                        claims: self.hastened(claims),
                        per_month: false,
                    })
                }),
            (None, Some(n)) => self
                .series(n, &join(path, "capacity_per_month"), Bound::NonNegative)
                .map(|claims| {
                    Some(Capacity {
                        claims: self.hastened(claims),
                        per_month: true,
                    })
                }),
        };
        let held = match at.table.get("failure_detention") {
            None => Some(None),
            Some(n) => self.duration(n, &join(path, "failure_detention")).map(Some),
        };
        let on_failure = match at.table.get("on_failure") {
            None => Some(Failure::Deported),
            Some(n) => match (self.failure_kind(n, &join(path, "on_failure")), held) {
                (Some("sent_on"), _) => Some(Failure::SentOn),
                (Some("detained"), Some(Some(duration))) => Some(Failure::Detained(duration)),
                (Some("detained"), Some(None)) => {
                    self.push(
                        Diagnostic::error("`on_failure = \"detained\"` needs `failure_detention`")
                            .with_label("expected `failure_detention = <days>` (or `{ min = <days>, max = <days> }`) in the same channel, found none")
                            .with_hint("failed claimants are held where they claimed for that long, then released there"),
                        n.origin,
                        &join(path, "on_failure"),
                    );
                    None
                }
                (Some(_), _) => Some(Failure::Deported),
                (None, _) => None,
            },
        };
        self.channel_held.push(held.flatten());
        // Register the name (even when the rest is wrong) so that incidents can refer to it.
        self.channel_names.push(name.clone().unwrap_or_default());
        self.channel_countries.push(
            location
                .and_then(|l| self.country_of(l))
                .unwrap_or(CountryId(u32::MAX)),
        );
        if let (Some(location), Some(exit), Some(exit_node)) = (location, exit, exit_node) {
            if self.context.is_some() && location == exit {
                self.push(
                    Diagnostic::error(format!("channel `{}` exits where it is", shown(name.as_deref().unwrap_or_default())))
                        .with_label("expected an `exit` different from `location`")
                        .with_hint("`location` is where asylum is claimed (a mission), `exit` the destination people then travel to"),
                    exit_node.origin,
                    &join(path, "exit"),
                );
                return None;
            }
            if self.is_irregular(exit, irregular) {
                let exit_name = self.location_name(exit);
                self.warn(
                    format!("channel exit `{exit_name}` is in a country where people are hidden"),
                    "expected a destination outside `status.irregular_countries`".to_owned(),
                    exit_node.origin,
                    &join(path, "exit"),
                );
            }
        }
        Some(Channel {
            name: name?,
            location: location?,
            exit: exit?,
            weight: weight?,
            success: success?,
            delay: delay?,
            open: open?,
            close: close?,
            capacity: capacity?,
            on_failure: on_failure?,
        })
    }

    fn incidents(&mut self, node: &Node) -> Option<Vec<Incident>> {
        let path = "asylum.incidents";
        let at = self.table(node, path)?;
        let enabled = match at.table.get("enabled") {
            None => Some(true),
            Some(n) => self.boolean(n, "asylum.incidents.enabled"),
        };
        let file_node = self.required(at, "file", "\"<path of a CSV file>\"")?;
        let file = self.string(file_node, "asylum.incidents.file")?.to_owned();
        // Column names, renamed by `columns = { size = "group_size" }`.
        let mut names: Vec<(&str, String, Option<&Node>)> = [
            "date",
            "channel",
            "size",
            "success",
            "label",
            "allowed",
            "on_failure",
        ]
        .into_iter()
        .map(|key| (key, key.to_owned(), None))
        .collect();
        if let Some(columns) = at.table.get("columns")
            && let Some(columns_at) = self.table(columns, "asylum.incidents.columns")
        {
            for (key, name, origin) in &mut names {
                if let Some(n) = columns_at.table.get(key)
                    && let Some(text) = self.string(n, &format!("asylum.incidents.columns.{key}"))
                {
                    *name = text.to_owned();
                    *origin = Some(n);
                }
            }
        }
        let table = self.csv(&file, file_node, "asylum.incidents.file")?;
        let mut index = Vec::new();
        for (key, name, named) in &names {
            let required = matches!(*key, "date" | "channel" | "size");
            if required || named.is_some() {
                let node = named.unwrap_or(file_node);
                let key_path = if named.is_some() {
                    format!("asylum.incidents.columns.{key}")
                } else {
                    "asylum.incidents.file".to_owned()
                };
                index.push(self.column(&table, name, node, &key_path));
            } else {
                index.push(table.column(name));
            }
        }
        let filter = self.row_filter(at, &table);
        let (Some(date_at), Some(channel_at), Some(size_at), Some(filter)) =
            (index[0], index[1], index[2], filter)
        else {
            return None;
        };
        let (success_at, label_at) = (index[3], index[4]);
        let (allowed_at, failure_at) = (index[5], index[6]);
        // (day, channel, size) -> line of the first row: a second report of the same group
        // would inject it twice. (Two groups of different sizes on one day at one channel are
        // possible: two missions of one city.)
        let mut first_rows: HashMap<(i64, usize, u64), u32> = HashMap::new();
        let column_name = |i: usize| names.get(i).map_or("", |(_, n, _)| n.as_str()).to_owned();
        let label = table.file.label.clone();
        let start = self.start();
        let mut out: Vec<Incident> = Vec::new();
        let mut ok = true;
        for row in &table.rows {
            if !filter
                .iter()
                .all(|(index, values)| values.iter().any(|v| v == row.text(*index).trim()))
            {
                continue;
            }
            let cell = |i: usize| row.fields.get(i);
            let Some(date_cell) = cell(date_at) else {
                let diagnostic = table.file.at_record_end(
                    Diagnostic::error(format!("incident row of `{label}` is too short"))
                        .with_label(format!(
                            "expected a `{}` field, found the end of the row",
                            column_name(0)
                        )),
                    row,
                );
                self.report.push(diagnostic);
                ok = false;
                continue;
            };
            let day = parse_date(&date_cell.text).map(|d| days_between(start, d));
            let Some(day) = day else {
                let diagnostic = table.file.at_field(
                    Diagnostic::error(format!("invalid incident date in `{label}`")).with_label(
                        format!(
                            "expected a date `YYYY-MM-DD`, found `{}`",
                            shown(&date_cell.text)
                        ),
                    ),
                    date_cell,
                    date_at,
                    &column_name(0),
                );
                self.report.push(diagnostic);
                ok = false;
                continue;
            };
            let channel_text = row.text(channel_at).trim().to_owned();
            let channel = self.channel_names.iter().position(|n| *n == channel_text);
            if channel.is_none() {
                let names: Vec<&str> = self.channel_names.iter().map(String::as_str).collect();
                let hint = suggest(&channel_text, names.iter().copied()).map_or_else(
                    || format!("the channels are {}", doc::list(&names)),
                    |best| format!("did you mean `{best}`?"),
                );
                let field = cell(channel_at)
                    .cloned()
                    .unwrap_or_else(|| date_cell.clone());
                let diagnostic = table.file.at_field(
                    Diagnostic::error(format!("unknown asylum channel `{}`", shown(&channel_text)))
                        .with_label(format!(
                            "expected the `name` of an `[[asylum.channel]]`, found `{}`",
                            shown(&channel_text)
                        ))
                        .with_hint(hint),
                    &field,
                    channel_at,
                    &column_name(1),
                );
                self.report.push(diagnostic);
                ok = false;
            }
            let size_text = row.text(size_at);
            let size = py_int(size_text)
                .ok()
                .filter(|s| *s >= 1)
                .and_then(|s| u64::try_from(s).ok());
            if size.is_none() {
                let field = cell(size_at).cloned().unwrap_or_else(|| date_cell.clone());
                let diagnostic = table.file.at_field(
                    Diagnostic::error(format!("invalid incident size in `{label}`")).with_label(
                        format!(
                            "expected a whole number of people ≥ 1, found `{}`",
                            shown(size_text)
                        ),
                    ),
                    &field,
                    size_at,
                    &column_name(2),
                );
                self.report.push(diagnostic);
                ok = false;
            }
            let success = match success_at.and_then(cell) {
                Some(field) if !field.text.trim().is_empty() => {
                    let value = py_float(&field.text)
                        .ok()
                        .filter(|v| (0.0..=1.0).contains(v));
                    if value.is_none() {
                        let diagnostic = table.file.at_field(
                            Diagnostic::error(format!("invalid incident success in `{label}`"))
                                .with_label(format!(
                                    "expected a probability from 0 to 1, found `{}`",
                                    shown(&field.text)
                                )),
                            field,
                            success_at.unwrap_or(0),
                            &column_name(3),
                        );
                        self.report.push(diagnostic);
                        ok = false;
                    }
                    value
                }
                _ => Some(1.0),
            };
            if let Some(context) = &self.context
                && (day < 0 || (day >= i64::from(context.days) && !context.shortened))
            {
                let days = context.days;
                let when = if day < 0 { "before" } else { "after" };
                let diagnostic = table.file.at_field(
                    Diagnostic::warning(format!(
                        "incident on {} is {when} the simulated period",
                        date_cell.text.trim()
                    ))
                    .with_label(format!(
                        "expected a date within days 0 to {} of the period: it has no effect",
                        days.saturating_sub(1)
                    )),
                    date_cell,
                    date_at,
                    &column_name(0),
                );
                self.report.push(diagnostic);
            }
            let row_label = label_at
                .map(|i| row.text(i).trim().to_owned())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| format!("{} {channel_text}", date_cell.text.trim()));
            if let (Some(channel), Some(size)) = (channel, size) {
                if let Some(first) = first_rows.get(&(day, channel, size)) {
                    let diagnostic = table.file.at_field(
                        Diagnostic::error(format!(
                            "duplicate incident: {size} people on {} at `{}` are already on line {first}",
                            date_cell.text.trim(),
                            shown(&channel_text)
                        ))
                        .with_label("expected one row per group (date, channel and size), found a second")
                        .with_hint("a later report of the same group would inject it twice: keep one row (with `allowed` for a partial outcome) and drop or filter the other (`where`)"),
                        date_cell,
                        date_at,
                        &column_name(0),
                    );
                    self.report.push(diagnostic);
                    ok = false;
                } else {
                    first_rows.insert((day, channel, size), date_cell.line);
                }
            }
            let allowed = match allowed_at.and_then(cell) {
                Some(field) if !field.text.trim().is_empty() => {
                    let value = py_int(&field.text)
                        .ok()
                        .and_then(|v| u64::try_from(v).ok())
                        .filter(|v| size.is_none_or(|s| *v <= s));
                    if value.is_none() {
                        let diagnostic = table.file.at_field(
                            Diagnostic::error(format!("invalid incident `allowed` in `{label}`"))
                                .with_label(format!(
                                    "expected a whole number of people from 0 to the row's size, found `{}`",
                                    shown(&field.text)
                                )),
                            field,
                            allowed_at.unwrap_or(0),
                            &column_name(5),
                        );
                        self.report.push(diagnostic);
                        ok = false;
                    }
                    value.map(Some)
                }
                _ => Some(None),
            };
            let on_failure = match failure_at.and_then(cell) {
                Some(field) if !field.text.trim().is_empty() => {
                    let text = field.text.trim();
                    let held = channel.and_then(|c| self.channel_held.get(c).copied().flatten());
                    let value = match text {
                        "deported" => Some(Failure::Deported),
                        "sent_on" => Some(Failure::SentOn),
                        "detained" => held.map(Failure::Detained),
                        _ => None,
                    };
                    if value.is_none() {
                        let expected = if text == "detained" {
                            "`deported` or `sent_on` (`detained` needs the channel's `failure_detention`)".to_owned()
                        } else {
                            format!(
                                "`deported`, `sent_on` or `detained`, found `{}`",
                                shown(text)
                            )
                        };
                        let diagnostic = table.file.at_field(
                            Diagnostic::error(format!(
                                "invalid incident `on_failure` in `{label}`"
                            ))
                            .with_label(format!("expected {expected}")),
                            field,
                            failure_at.unwrap_or(0),
                            &column_name(6),
                        );
                        self.report.push(diagnostic);
                        ok = false;
                    }
                    value.map(Some)
                }
                _ => Some(None),
            };
            if let (Some(channel), Some(size), Some(success), Some(allowed), Some(on_failure)) =
                (channel, size, success, allowed, on_failure)
            {
                let size = self.hastened_count(size);
                out.push(Incident {
                    day,
                    channel,
                    size,
                    success,
                    allowed: allowed.map(|a| self.hastened_count(a).min(size)),
                    on_failure,
                    label: row_label,
                });
            }
        }
        if !ok {
            return None;
        }
        out.sort_by_key(|incident| incident.day);
        Some(if enabled? { out } else { Vec::new() })
    }

    fn aid(&mut self, node: &Node) -> Option<Aid> {
        let at = self.table(node, "aid")?;
        let attraction = self.optional_number(at, "attraction", Bound::NonNegative, 0.0);
        let return_damping = self.optional_number(at, "return_damping", Bound::NonNegative, 0.0);
        let enforcement_reduction =
            self.optional_number(at, "enforcement_reduction", Bound::NonNegative, 0.0);
        let mut presence = Vec::new();
        if let Some(list) = at.table.get("presence") {
            for (path, element) in self.tables(list, "aid.presence") {
                let Some(at) = self.table(element, &path) else {
                    continue;
                };
                let location = self
                    .required(at, "location", "\"<location name>\"")
                    .and_then(|n| self.location(n, &join(&path, "location")));
                let level = self
                    .required(at, "level", "<series>")
                    .and_then(|n| self.series(n, &join(&path, "level"), Bound::NonNegative));
                if let (Some(location), Some(level)) = (location, level) {
                    presence.push((location, level));
                }
            }
        }
        Some(Aid {
            presence,
            attraction,
            return_damping,
            enforcement_reduction,
        })
    }
}
