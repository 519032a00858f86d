//! `[attributes]`: sex and origin carried per person, and the behaviour that depends on them.

use super::{At, Bound, Reader, join};
use crate::diagnostic::Diagnostic;
use doc::{Node, Value};
use tumen_core::{Attributes, Family, LocationId, Mechanisms, Origins, Series, Sex, SexEffects};

use super::doc;

impl Reader<'_> {
    /// `[attributes]`, read after `[[push]]` (origins refer to push sources).
    pub(super) fn attributes(&mut self, node: &Node, m: &Mechanisms) -> Option<Attributes> {
        let at = self.table(node, "attributes")?;
        let mut attributes = Attributes::default();
        if let Some(n) = at.table.get("origin") {
            attributes.origin = self.origins(n, m);
        }
        if let Some(n) = at.table.get("sex") {
            attributes.sex = self.sex(n);
        }
        if let Some(n) = at.table.get("family") {
            attributes.family = self.family(n);
        }
        if !attributes.any() && !self.report.has_errors() {
            self.warn(
                "`[attributes]` carries nothing".to_owned(),
                "expected at least one of `origin`, `[attributes.sex]` and `[attributes.family]`"
                    .to_owned(),
                at.origin,
                "attributes",
            );
        }
        Some(attributes)
    }

    /// `origin = true`, or `[attributes.origin]` with an optional `map` of
    /// `["<where people appear>", "<origin>"]` pairs.
    fn origins(&mut self, node: &Node, m: &Mechanisms) -> Option<Origins> {
        let path = "attributes.origin";
        let origins = match &node.value {
            Value::Boolean(true) => Origins::default(),
            Value::Boolean(false) => return None,
            Value::Table(_) => {
                let at = self.table(node, path)?;
                let mut origins = Origins::default();
                if let Some(list) = at.table.get("map") {
                    origins.map = self.origin_map(list, at);
                }
                origins
            }
            _ => {
                self.invalid(
                    node,
                    path,
                    "`true`, or a table `{ map = [[\"<source>\", \"<origin>\"], ...] }`",
                );
                return None;
            }
        };
        if m.push.is_empty() && origins.map.is_empty() {
            self.push(
                Diagnostic::error("origins need push sources or a mapping")
                    .with_label("expected `[[push]]` origins, or `attributes.origin.map`, found neither")
                    .with_hint("a person's origin is the `[[push]]` location they left from, or the origin `map` gives for the location they appeared at"),
                node.origin,
                path,
            );
            return None;
        }
        let count = Attributes {
            origin: Some(origins.clone()),
            ..Attributes::default()
        }
        .origin_locations(m)
        .len();
        if count > tumen_core::MAX_ORIGINS {
            self.invalid(
                node,
                path,
                &format!("at most {} distinct origins", tumen_core::MAX_ORIGINS),
            );
            return None;
        }
        Some(origins)
    }

    fn origin_map(&mut self, list: &Node, at: At<'_>) -> Vec<(LocationId, LocationId)> {
        let path = join(at.path, "map");
        let Value::Array(pairs) = &list.value else {
            self.invalid(
                list,
                &path,
                "a list of pairs `[[\"<source>\", \"<origin>\"], ...]`",
            );
            return Vec::new();
        };
        let mut out: Vec<(LocationId, LocationId)> = Vec::new();
        for (index, pair_node) in pairs.iter().enumerate() {
            let pair_path = format!("{path}[{index}]");
            let Value::Array(pair) = &pair_node.value else {
                self.invalid(
                    pair_node,
                    &pair_path,
                    "a pair `[\"<source>\", \"<origin>\"]`",
                );
                continue;
            };
            if pair.len() != 2 {
                self.invalid(
                    pair_node,
                    &pair_path,
                    "a pair `[\"<source>\", \"<origin>\"]`",
                );
                continue;
            }
            let source = self.location(&pair[0], &format!("{pair_path}[0]"));
            let origin = self.location(&pair[1], &format!("{pair_path}[1]"));
            let (Some(source), Some(origin)) = (source, origin) else {
                continue;
            };
            if out.iter().any(|(s, _)| *s == source) {
                let name = self.location_name(source);
                self.push(
                    Diagnostic::error(format!("`{name}` is mapped twice"))
                        .with_label(format!(
                            "expected each source once in `{path}`, found `{name}` again"
                        ))
                        .with_hint("keep one pair per source"),
                    pair[0].origin,
                    &format!("{pair_path}[0]"),
                );
                continue;
            }
            out.push((source, origin));
        }
        out
    }

    /// `[attributes.sex]`: the female share (with its sources) and the multipliers by sex.
    fn sex(&mut self, node: &Node) -> Option<Sex> {
        let path = "attributes.sex";
        let at = self.table(node, path)?;
        let female_share = match at.table.get("female_share") {
            Some(n) => self.series(n, "attributes.sex.female_share", Bound::Probability),
            None => Some(Series::constant(0.5)),
        };
        let mut sources: Vec<(LocationId, Series)> = Vec::new();
        let mut ok = true;
        if let Some(list) = at.table.get("source") {
            for (source_path, element) in self.tables(list, "attributes.sex.source") {
                let Some(source) = self.table(element, &source_path) else {
                    ok = false;
                    continue;
                };
                let location = self
                    .required(source, "location", "\"<location name>\"")
                    .and_then(|n| self.location(n, &join(&source_path, "location")));
                let share = self
                    .required(source, "female_share", "<series of probabilities>")
                    .and_then(|n| {
                        self.series(n, &join(&source_path, "female_share"), Bound::Probability)
                    });
                match (location, share) {
                    (Some(location), Some(share)) => {
                        if sources.iter().any(|(l, _)| *l == location) {
                            let name = self.location_name(location);
                            self.push(
                                Diagnostic::error(format!(
                                    "`{name}` has two `[[attributes.sex.source]]` entries"
                                ))
                                .with_label(format!(
                                    "expected one entry per location, found `{name}` again"
                                )),
                                source.origin,
                                &source_path,
                            );
                            ok = false;
                        } else {
                            sources.push((location, share));
                        }
                    }
                    _ => ok = false,
                }
            }
        }
        let female = self.sex_effects(at, "female");
        let male = self.sex_effects(at, "male");
        let female_share = female_share?;
        ok.then_some(Sex {
            female_share,
            sources,
            female,
            male,
        })
    }

    fn sex_effects(&mut self, at: At<'_>, key: &str) -> SexEffects {
        let mut effects = SexEffects::default();
        let Some(node) = at.table.get(key) else {
            return effects;
        };
        let path = join(at.path, key);
        let Some(table) = self.table(node, &path) else {
            return effects;
        };
        effects.detection = self.optional_number(table, "detection", Bound::NonNegative, 1.0);
        effects.voluntary_return =
            self.optional_number(table, "voluntary_return", Bound::NonNegative, 1.0);
        effects.asylum = self.optional_number(table, "asylum", Bound::NonNegative, 1.0);
        effects.family = self.optional_number(table, "family", Bound::NonNegative, 1.0);
        effects
    }

    /// `[attributes.family]`: the rate of moving in with a local family and its multipliers.
    fn family(&mut self, node: &Node) -> Option<Family> {
        let path = "attributes.family";
        let at = self.table(node, path)?;
        let rate = self
            .required(at, "rate", "<daily probability>")
            .and_then(|n| self.number(n, "attributes.family.rate", Bound::Probability));
        let detection = self.optional_number(at, "detection", Bound::NonNegative, 1.0);
        let exit = self.optional_number(at, "exit", Bound::NonNegative, 1.0);
        Some(Family {
            rate: rate?,
            detection,
            exit,
        })
    }
}
