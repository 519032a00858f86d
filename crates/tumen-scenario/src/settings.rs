//! `simsetting.yml`: every key Flee 3.1 reads, the later-Flee keys Tumen supports, and clear
//! errors for what Tumen cannot do.

use crate::ScenarioError;
use crate::diagnostic::{Diagnostic, Report};
use crate::text::{TextFile, one_of, suggest};
use crate::yaml::{self, Node, NodeKind, Scalar};
use tumen_core::{LogLevels, MoveRules, Settings, SpawnMode, SpawnRules};

/// Settings read from a file, with what was found on the way.
pub(crate) struct SettingsRead {
    pub(crate) settings: Settings,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) used: Vec<(String, String)>,
}

/// What [`load_settings_yaml`] returns: the settings, the warnings, and every setting the
/// model uses as `(dotted key, value)`.
pub type SettingsLoad = (Settings, Vec<Diagnostic>, Vec<(String, String)>);

/// Reads `simsetting.yml` text. `file_label` names the file in diagnostics.
///
/// Returns the settings (Flee 3.1's defaults for every key not given), the warnings, and every
/// setting the model uses as `(dotted key, value)` pairs for reports.
///
/// # Errors
/// [`ScenarioError::Invalid`] with every error found (and the warnings).
pub fn load_settings_yaml(text: &str, file_label: &str) -> Result<SettingsLoad, ScenarioError> {
    let file = TextFile::new(file_label, text.to_owned());
    let read = read_settings(&file);
    let mut report = Report::default();
    report.extend(read.diagnostics);
    if report.has_errors() {
        return Err(report.into_error());
    }
    Ok((read.settings, report.into_warnings(), read.used))
}

/// Reads settings from a decoded file; errors and warnings both go to `diagnostics`.
pub(crate) fn read_settings(file: &TextFile) -> SettingsRead {
    let mut reader = Reader {
        file,
        diagnostics: Vec::new(),
        settings: Settings::flee_defaults(),
        use_v1_rules: false,
    };
    match yaml::parse(file) {
        Err(diagnostic) => reader.diagnostics.push(*diagnostic),
        Ok(None) => {}
        Ok(Some(root)) => reader.root(&root),
    }
    if reader.use_v1_rules {
        reader.settings.move_rules.apply_v1_rules();
    }
    let used = used_settings(&reader.settings, reader.use_v1_rules);
    SettingsRead {
        settings: reader.settings,
        diagnostics: reader.diagnostics,
        used,
    }
}

/// The defaults, with their report (for a scenario without a settings file).
pub(crate) fn defaults() -> SettingsRead {
    let settings = Settings::flee_defaults();
    let used = used_settings(&settings, false);
    SettingsRead {
        settings,
        diagnostics: Vec::new(),
        used,
    }
}

const TOP_LEVEL: [&str; 7] = [
    "log_levels",
    "spawn_rules",
    "move_rules",
    "optimisations",
    "flood_rules",
    "number_of_steps",
    "conflict_input_file",
];

const LOG_LEVELS: [&str; 6] = ["agent", "link", "camp", "init", "conflict", "idp_totals"];

const SPAWN_RULES: [&str; 11] = [
    "take_from_population",
    "insert_day0",
    "conflict_zone_spawning_only",
    "flood_zone_spawning_only",
    "camps_are_sicks",
    "read_from_agents_csv_file",
    "conflict_driven_spawning",
    "conflict_spawn_decay",
    "conflict_spawn_decay_interval",
    "sum_from_camps",
    "empty_camps_on_day0",
];

const MOVE_RULES: [&str; 31] = [
    "max_move_speed",
    "max_walk_speed",
    "max_crossing_speed",
    "foreign_weight",
    "camp_weight",
    "conflict_weight",
    "conflict_movechance",
    "camp_movechance",
    "idpcamp_movechance",
    "default_movechance",
    "awareness_level",
    "capacity_buffer",
    "avoid_short_stints",
    "start_on_foot",
    "use_v1_rules",
    "softening",
    "weight_softening",
    "weight_power",
    "distance_power",
    "stay_close_to_home",
    "home_distance_power",
    "use_pop_for_loc_weight",
    "pop_power_for_loc_weight",
    "movechance_pop_base",
    "movechance_pop_scale_factor",
    "capacity_scaling",
    "ChildrenAvoidHazards",
    "BoysTakeRisk",
    "MatchCampEthnicity",
    "MatchTownEthnicity",
    "MatchConflictEthnicity",
];

const SPAWN_MODES: [&str; 3] = ["constant", "pop_ratio", "poisson"];

/// How a number is checked.
#[derive(Copy, Clone)]
enum Range {
    /// Any finite number.
    Any,
    /// Zero or more.
    NonNegative,
    /// More than zero.
    Positive,
    /// Between 0 and 1; outside is only a warning (Flee compares a uniform draw with it).
    Probability,
}

struct Reader<'a> {
    file: &'a TextFile,
    diagnostics: Vec<Diagnostic>,
    settings: Settings,
    use_v1_rules: bool,
}

impl Reader<'_> {
    fn error(&mut self, node: &Node, key: &str, message: String, label: String) {
        let diagnostic = node.locate(Diagnostic::error(message).with_label(label), self.file, key);
        self.diagnostics.push(diagnostic);
    }

    fn push(&mut self, node: &Node, key: &str, diagnostic: Diagnostic) {
        let diagnostic = node.locate(diagnostic, self.file, key);
        self.diagnostics.push(diagnostic);
    }

    /// The entries of a mapping; a null section is empty; anything else is an error.
    fn entries<'n>(
        &mut self,
        node: &'n Node,
        key: &str,
    ) -> Option<Vec<(String, &'n Node, &'n Node)>> {
        match &node.kind {
            NodeKind::Map(entries) => {
                let mut out: Vec<(String, &Node, &Node)> = Vec::new();
                for (k, v) in entries {
                    let name = match k.scalar() {
                        Some(Scalar::Str(text)) => text.to_owned(),
                        Some(Scalar::Int(value)) => value.to_string(),
                        Some(Scalar::Bool(value)) => {
                            if value { "True" } else { "False" }.to_owned()
                        }
                        _ => {
                            self.error(
                                k,
                                key,
                                format!("invalid key in `{}`", display_key(key)),
                                format!("expected a key name, found {}", k.shown()),
                            );
                            continue;
                        }
                    };
                    if let Some((_, first, _)) = out.iter().find(|(n, _, _)| *n == name) {
                        let first_line = first.line;
                        let dotted = dotted(key, &name);
                        self.push(
                            k,
                            &dotted,
                            Diagnostic::warning(format!("`{dotted}` is given twice"))
                                .with_label(format!(
                                    "expected each key once, found a second `{name}` (first on line {first_line})"
                                ))
                                .with_hint("the last value is used, as in Flee"),
                        );
                    }
                    out.push((name, k, v));
                }
                Some(out)
            }
            NodeKind::Scalar { .. } if matches!(node.scalar(), Some(Scalar::Null)) => {
                Some(Vec::new())
            }
            _ => {
                self.error(
                    node,
                    key,
                    format!("invalid `{}` section", display_key(key)),
                    format!(
                        "expected a mapping of keys to values, found {}",
                        node.shown()
                    ),
                );
                None
            }
        }
    }

    fn unknown(&mut self, key_node: &Node, section: &str, name: &str, known: &[&str]) {
        let dotted = dotted(section, name);
        let mut hint = suggest(name, known.iter().copied())
            .map(|s| format!("did you mean `{}`?", dotted_str(section, s)));
        if hint.is_none() {
            let home = [
                ("move_rules", &MOVE_RULES[..]),
                ("spawn_rules", &SPAWN_RULES[..]),
                ("log_levels", &LOG_LEVELS[..]),
                ("optimisations", &["hasten"][..]),
            ]
            .into_iter()
            .find(|(other, keys)| *other != section && keys.contains(&name));
            if let Some((other, _)) = home {
                hint = Some(format!("`{name}` belongs in the `{other}` section"));
            }
        }
        let diagnostic = Diagnostic::warning(format!("unknown setting `{dotted}` is ignored"))
            .with_label(format!(
                "expected a key that Flee 3.1 or Tumen reads, found `{name}`"
            ))
            .with_hint_opt(hint);
        self.push(key_node, &dotted, diagnostic);
    }

    fn root(&mut self, root: &Node) {
        let Some(entries) = self.entries(root, "") else {
            return;
        };
        for (name, key, value) in entries {
            match name.as_str() {
                "log_levels" => self.log_levels(value),
                "spawn_rules" => self.spawn_rules(value),
                "move_rules" => self.move_rules(value),
                "optimisations" => self.optimisations(value),
                "flood_rules" => {
                    let diagnostic = Diagnostic::warning("the `flood_rules` section is ignored")
                        .with_label("expected no flood rules (DFlee), found this section")
                        .with_hint("flood-driven movement is a DFlee prototype that Flee 3.1 does not apply either");
                    self.push(key, "flood_rules", diagnostic);
                }
                "number_of_steps" => {
                    // Read but ignored by Flee's run.py; it must still be a number.
                    if !matches!(value.scalar(), Some(Scalar::Null)) {
                        let _ = self.float(value, "number_of_steps", Range::Any);
                    }
                }
                "conflict_input_file" => {
                    if value.scalar().is_none() {
                        self.error(
                            value,
                            "conflict_input_file",
                            "invalid `conflict_input_file`".to_owned(),
                            format!("expected a file name, found {}", value.shown()),
                        );
                    }
                }
                _ => self.unknown(key, "", &name, &TOP_LEVEL),
            }
        }
    }

    fn log_levels(&mut self, node: &Node) {
        let Some(entries) = self.entries(node, "log_levels") else {
            return;
        };
        let mut levels = LogLevels::default();
        for (name, key, value) in entries {
            let dotted = dotted("log_levels", &name);
            let slot = match name.as_str() {
                "agent" => &mut levels.agent,
                "link" => &mut levels.link,
                "camp" => &mut levels.camp,
                "init" => &mut levels.init,
                "conflict" => &mut levels.conflict,
                "idp_totals" => &mut levels.idp_totals,
                _ => {
                    self.unknown(key, "log_levels", &name, &LOG_LEVELS);
                    continue;
                }
            };
            if let Some(level) = self.integer(value, &dotted, 0, i128::from(u32::MAX)) {
                *slot = u32::try_from(level).unwrap_or(u32::MAX);
                if level > 0 && (name == "agent" || name == "link") {
                    let what = if name == "agent" {
                        "agents.out"
                    } else {
                        "links.out"
                    };
                    let diagnostic = Diagnostic::warning(format!(
                        "`{dotted}` is set but Tumen does not write the {name} log (`{what}`) yet"
                    ))
                    .with_label(format!("expected 0, found `{level}`"))
                    .with_hint("the run goes on without this log");
                    self.push(value, &dotted, diagnostic);
                }
            }
        }
        self.settings.log_levels = levels;
    }

    fn spawn_rules(&mut self, node: &Node) {
        let Some(entries) = self.entries(node, "spawn_rules") else {
            return;
        };
        let mut rules = SpawnRules::default();
        for (name, key, value) in entries {
            let dotted = dotted("spawn_rules", &name);
            match name.as_str() {
                "take_from_population" => self.set_bool(value, &dotted, &mut rules.take_from_population),
                "insert_day0" => self.set_bool(value, &dotted, &mut rules.insert_day0),
                "conflict_zone_spawning_only" => {
                    self.set_bool(value, &dotted, &mut rules.conflict_zone_spawning_only);
                }
                "sum_from_camps" => self.set_bool(value, &dotted, &mut rules.sum_from_camps),
                "empty_camps_on_day0" => self.set_bool(value, &dotted, &mut rules.empty_camps_on_day0),
                "read_from_agents_csv_file" => {
                    self.set_bool(value, &dotted, &mut rules.read_from_agents_csv_file);
                }
                "flood_zone_spawning_only" => self.unsupported(
                    value,
                    &dotted,
                    "flood-driven spawning is a DFlee prototype that Tumen does not implement",
                ),
                "camps_are_sicks" => self.unsupported(
                    value,
                    &dotted,
                    "camps that remove agents are broken in Flee 3.1 (counts are not updated) and not implemented in Tumen",
                ),
                "conflict_spawn_decay_interval" => {
                    if let Some(days) = self.integer(value, &dotted, 1, i128::from(u32::MAX)) {
                        rules.conflict_spawn_decay_interval = u32::try_from(days).unwrap_or(u32::MAX);
                    }
                }
                "conflict_spawn_decay" => rules.conflict_spawn_decay = self.decay(value, &dotted),
                "conflict_driven_spawning" => rules.mode = self.spawn_mode(value, &dotted),
                _ => self.unknown(key, "spawn_rules", &name, &SPAWN_RULES),
            }
        }
        self.settings.spawn_rules = rules;
    }

    fn decay(&mut self, node: &Node, key: &str) -> Option<Vec<f64>> {
        match &node.kind {
            NodeKind::Seq(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.float(item, key, Range::NonNegative)?);
                }
                Some(values)
            }
            _ if matches!(node.scalar(), Some(Scalar::Null)) => None,
            _ => {
                self.error(
                    node,
                    key,
                    format!("invalid `{key}`"),
                    format!(
                        "expected a list of multipliers such as `[1.0, 0.5, 0.25]`, found {}",
                        node.shown()
                    ),
                );
                None
            }
        }
    }

    fn spawn_mode(&mut self, node: &Node, key: &str) -> SpawnMode {
        if matches!(node.scalar(), Some(Scalar::Null)) {
            return SpawnMode::DataDriven;
        }
        let Some(entries) = self.entries(node, key) else {
            return SpawnMode::DataDriven;
        };
        let mut mode = "constant".to_owned();
        let mut mode_node: Option<&Node> = None;
        let mut count: Option<(f64, &Node)> = None;
        for (name, key_node, value) in entries {
            let dotted = dotted(key, &name);
            match name.as_str() {
                "spawn_mode" => match value.scalar() {
                    Some(Scalar::Str(text)) => {
                        mode = text.to_ascii_lowercase();
                        mode_node = Some(value);
                    }
                    _ => {
                        self.error(
                            value,
                            &dotted,
                            format!("invalid `{dotted}`"),
                            format!("expected {}, found {}", one_of(&SPAWN_MODES), value.shown()),
                        );
                        return SpawnMode::DataDriven;
                    }
                },
                "displaced_per_conflict_day" => {
                    if let Some(n) = self.float(value, &dotted, Range::NonNegative) {
                        count = Some((n, value));
                    }
                }
                _ => self.unknown(
                    key_node,
                    key,
                    &name,
                    &["spawn_mode", "displaced_per_conflict_day"],
                ),
            }
        }
        let whole = |reader: &mut Self, default: f64| -> f64 {
            // Flee 3.1 reads the count with int() in these modes.
            match count {
                None => default,
                Some((n, node)) => {
                    if n.fract() != 0.0 {
                        let dotted = dotted(key, "displaced_per_conflict_day");
                        let diagnostic =
                            Diagnostic::warning(format!("`{dotted}` is cut to a whole number"))
                                .with_label(format!(
                                    "expected a whole number of people, found `{n}`"
                                ))
                                .with_hint(format!(
                                    "Flee reads it with int(); {} is used",
                                    n.trunc()
                                ));
                        reader.push(node, &dotted, diagnostic);
                    }
                    n.trunc()
                }
            }
        };
        match mode.as_str() {
            "constant" => SpawnMode::Constant {
                displaced_per_conflict_day: whole(self, 500.0),
            },
            "poisson" => SpawnMode::Poisson {
                displaced_per_conflict_day: whole(self, 500.0),
            },
            "pop_ratio" => SpawnMode::PopRatio {
                displaced_per_conflict_day: count.map_or(0.01, |(n, _)| n),
            },
            other => {
                let dotted = dotted(key, "spawn_mode");
                let hint = suggest(other, SPAWN_MODES).map(|s| format!("did you mean `{s}`?"));
                if let Some(node) = mode_node {
                    let diagnostic = Diagnostic::error(format!("unknown spawn mode `{other}`"))
                        .with_label(format!(
                            "expected {}, found `{other}`",
                            one_of(&SPAWN_MODES)
                        ))
                        .with_hint_opt(hint);
                    self.push(node, &dotted, diagnostic);
                }
                SpawnMode::DataDriven
            }
        }
    }

    fn move_rules(&mut self, node: &Node) {
        let Some(entries) = self.entries(node, "move_rules") else {
            return;
        };
        let mut rules = MoveRules::default();
        for (name, key, value) in entries {
            let dotted = dotted("move_rules", &name);
            let (slot, range) = match name.as_str() {
                "max_move_speed" => (&mut rules.max_move_speed, Range::Positive),
                "max_walk_speed" => (&mut rules.max_walk_speed, Range::Positive),
                "max_crossing_speed" => (&mut rules.max_crossing_speed, Range::Any),
                "foreign_weight" => (&mut rules.foreign_weight, Range::NonNegative),
                "camp_weight" => (&mut rules.camp_weight, Range::NonNegative),
                "conflict_weight" => (&mut rules.conflict_weight, Range::NonNegative),
                "conflict_movechance" => (&mut rules.conflict_movechance, Range::Probability),
                "camp_movechance" => (&mut rules.camp_movechance, Range::Probability),
                "idpcamp_movechance" => (&mut rules.idpcamp_movechance, Range::Probability),
                "default_movechance" => (&mut rules.default_movechance, Range::Probability),
                "capacity_buffer" => (&mut rules.capacity_buffer, Range::Probability),
                "softening" => (&mut rules.softening, Range::NonNegative),
                "weight_softening" => (&mut rules.weight_softening, Range::NonNegative),
                "weight_power" => (&mut rules.weight_power, Range::Any),
                "distance_power" => (&mut rules.distance_power, Range::Any),
                "home_distance_power" => (&mut rules.home_distance_power, Range::Any),
                "pop_power_for_loc_weight" => (&mut rules.pop_power_for_loc_weight, Range::Any),
                "movechance_pop_base" => (&mut rules.movechance_pop_base, Range::Positive),
                "movechance_pop_scale_factor" => {
                    (&mut rules.movechance_pop_scale_factor, Range::Any)
                }
                "capacity_scaling" => (&mut rules.capacity_scaling, Range::Positive),
                "awareness_level" => {
                    if let Some(level) = self.awareness(value, &dotted) {
                        rules.awareness_level = level;
                    }
                    continue;
                }
                "avoid_short_stints" => {
                    self.set_bool(value, &dotted, &mut rules.avoid_short_stints);
                    continue;
                }
                "start_on_foot" => {
                    self.set_bool(value, &dotted, &mut rules.start_on_foot);
                    continue;
                }
                "stay_close_to_home" => {
                    self.set_bool(value, &dotted, &mut rules.stay_close_to_home);
                    continue;
                }
                "use_v1_rules" => {
                    let mut flag = false;
                    self.set_bool(value, &dotted, &mut flag);
                    self.use_v1_rules = flag;
                    continue;
                }
                "use_pop_for_loc_weight" => {
                    self.set_bool(value, &dotted, &mut rules.use_pop_for_loc_weight);
                    if rules.use_pop_for_loc_weight {
                        let diagnostic = Diagnostic::warning(format!(
                            "`{dotted}` has no effect on locations with a population above 1"
                        ))
                        .with_label("expected `False`, found `True`")
                        .with_hint("Flee 3.1 multiplies the score by min(1, population)^power, and Tumen does the same");
                        self.push(value, &dotted, diagnostic);
                    }
                    continue;
                }
                "ChildrenAvoidHazards"
                | "BoysTakeRisk"
                | "MatchCampEthnicity"
                | "MatchTownEthnicity"
                | "MatchConflictEthnicity" => {
                    self.unsupported(
                        value,
                        &dotted,
                        "this rule needs agent attributes (age, gender, ethnicity), which Tumen agents do not have",
                    );
                    continue;
                }
                _ => {
                    self.unknown(key, "move_rules", &name, &MOVE_RULES);
                    continue;
                }
            };
            if let Some(number) = self.float(value, &dotted, range) {
                *slot = number;
            }
        }
        self.settings.move_rules = rules;
    }

    fn optimisations(&mut self, node: &Node) {
        let Some(entries) = self.entries(node, "optimisations") else {
            return;
        };
        for (name, key, value) in entries {
            if name == "hasten" {
                if let Some(factor) =
                    self.integer(value, "optimisations.hasten", 1, i128::from(u32::MAX))
                {
                    self.settings.hasten = u32::try_from(factor).unwrap_or(u32::MAX);
                }
            } else {
                self.unknown(key, "optimisations", &name, &["hasten"]);
            }
        }
    }

    fn awareness(&mut self, node: &Node, key: &str) -> Option<u32> {
        let level = self.integer(node, key, i128::MIN, i128::MAX)?;
        if (1..=3).contains(&level) {
            return u32::try_from(level).ok();
        }
        let hint = if level == 0 {
            "with awareness 0 nobody ever moves in Flee 3.1; use 1 (the default) for one hop"
        } else {
            "1 sees the next location, 2 and 3 see that many hops along routes"
        };
        let diagnostic = Diagnostic::error("awareness must be 1 to 3")
            .with_label(format!("expected 1, 2 or 3, found `{level}`"))
            .with_hint(hint);
        self.push(node, key, diagnostic);
        None
    }

    /// A key Flee reads but Tumen cannot honour: `False` is fine, `True` is an error.
    fn unsupported(&mut self, node: &Node, key: &str, why: &str) {
        let mut flag = false;
        self.set_bool(node, key, &mut flag);
        if flag {
            let diagnostic = Diagnostic::error(format!("`{key}` is not supported"))
                .with_label("expected `False`, found `True`")
                .with_hint(format!("{why}; remove the key or set it to False"));
            self.push(node, key, diagnostic);
        }
    }

    fn set_bool(&mut self, node: &Node, key: &str, slot: &mut bool) {
        match node.scalar() {
            Some(Scalar::Bool(value)) => *slot = value,
            Some(Scalar::Int(0)) => *slot = false,
            Some(Scalar::Int(1)) => *slot = true,
            _ => self.error(
                node,
                key,
                format!("invalid value for `{key}`"),
                format!("expected `True` or `False`, found {}", node.shown()),
            ),
        }
    }

    fn integer(&mut self, node: &Node, key: &str, min: i128, max: i128) -> Option<i128> {
        let value = match node.scalar() {
            Some(Scalar::Int(value)) => Some(value),
            Some(Scalar::Float(value))
                if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e30 =>
            {
                #[expect(clippy::cast_possible_truncation, reason = "a whole number below 1e30")]
                Some(value as i128)
            }
            Some(Scalar::Str(text)) => crate::text::py_int(text).ok(),
            _ => None,
        };
        let range = if max >= i128::from(u32::MAX) {
            format!("a whole number of at least {min}")
        } else {
            format!("a whole number from {min} to {max}")
        };
        let range = if min == i128::MIN {
            "a whole number".to_owned()
        } else {
            range
        };
        match value {
            Some(value) if (min..=max).contains(&value) => Some(value),
            _ => {
                self.error(
                    node,
                    key,
                    format!("invalid value for `{key}`"),
                    format!("expected {range}, found {}", node.shown()),
                );
                None
            }
        }
    }

    fn float(&mut self, node: &Node, key: &str, range: Range) -> Option<f64> {
        let value = match node.scalar() {
            Some(Scalar::Int(value)) =>
            {
                #[expect(clippy::cast_precision_loss, reason = "Python's float() of an int")]
                Some(value as f64)
            }
            Some(Scalar::Float(value)) => Some(value),
            Some(Scalar::Str(text)) => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        let expected = match range {
            Range::Any => "a finite number",
            Range::NonNegative => "a number of at least 0",
            Range::Positive => "a number greater than 0",
            Range::Probability => "a probability from 0 to 1",
        };
        let Some(value) = value.filter(|v| v.is_finite()) else {
            self.error(
                node,
                key,
                format!("invalid value for `{key}`"),
                format!("expected {expected}, found {}", node.shown()),
            );
            return None;
        };
        match range {
            Range::NonNegative if value < 0.0 => {}
            Range::Positive if value <= 0.0 => {}
            Range::Probability if !(0.0..=1.0).contains(&value) => {
                let diagnostic = Diagnostic::warning(format!("`{key}` is not a probability"))
                    .with_label(format!("expected {expected}, found {}", node.shown()))
                    .with_hint(
                        "it is compared with a uniform draw, so it acts as if clamped to 0..1",
                    );
                self.push(node, key, diagnostic);
                return Some(value);
            }
            _ => return Some(value),
        }
        self.error(
            node,
            key,
            format!("invalid value for `{key}`"),
            format!("expected {expected}, found {}", node.shown()),
        );
        None
    }
}

fn dotted(section: &str, name: &str) -> String {
    dotted_str(section, name)
}

fn dotted_str(section: &str, name: &str) -> String {
    if section.is_empty() {
        name.to_owned()
    } else {
        format!("{section}.{name}")
    }
}

fn display_key(key: &str) -> &str {
    if key.is_empty() {
        "simsetting.yml"
    } else {
        key
    }
}

fn boolean(value: bool) -> String {
    if value { "true" } else { "false" }.to_owned()
}

fn number(value: f64) -> String {
    format!("{value:?}")
}

/// Every setting the model uses, with its value, as `(dotted key, value)`.
pub(crate) fn used_settings(settings: &Settings, use_v1_rules: bool) -> Vec<(String, String)> {
    let m = &settings.move_rules;
    let s = &settings.spawn_rules;
    let l = &settings.log_levels;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |key: &str, value: String| out.push((key.to_owned(), value));
    put("move_rules.max_move_speed", number(m.max_move_speed));
    put("move_rules.max_walk_speed", number(m.max_walk_speed));
    put(
        "move_rules.max_crossing_speed",
        number(m.max_crossing_speed),
    );
    put("move_rules.foreign_weight", number(m.foreign_weight));
    put("move_rules.camp_weight", number(m.camp_weight));
    put("move_rules.conflict_weight", number(m.conflict_weight));
    put(
        "move_rules.conflict_movechance",
        number(m.conflict_movechance),
    );
    put("move_rules.camp_movechance", number(m.camp_movechance));
    put(
        "move_rules.idpcamp_movechance",
        number(m.idpcamp_movechance),
    );
    put(
        "move_rules.default_movechance",
        number(m.default_movechance),
    );
    put("move_rules.awareness_level", m.awareness_level.to_string());
    put("move_rules.capacity_buffer", number(m.capacity_buffer));
    put(
        "move_rules.avoid_short_stints",
        boolean(m.avoid_short_stints),
    );
    put("move_rules.start_on_foot", boolean(m.start_on_foot));
    put("move_rules.use_v1_rules", boolean(use_v1_rules));
    put("move_rules.softening", number(m.softening));
    put("move_rules.weight_softening", number(m.weight_softening));
    put("move_rules.weight_power", number(m.weight_power));
    put("move_rules.distance_power", number(m.distance_power));
    put(
        "move_rules.stay_close_to_home",
        boolean(m.stay_close_to_home),
    );
    put(
        "move_rules.home_distance_power",
        number(m.home_distance_power),
    );
    put(
        "move_rules.use_pop_for_loc_weight",
        boolean(m.use_pop_for_loc_weight),
    );
    put(
        "move_rules.pop_power_for_loc_weight",
        number(m.pop_power_for_loc_weight),
    );
    put(
        "move_rules.movechance_pop_base",
        number(m.movechance_pop_base),
    );
    put(
        "move_rules.movechance_pop_scale_factor",
        number(m.movechance_pop_scale_factor),
    );
    put("move_rules.capacity_scaling", number(m.capacity_scaling));
    put(
        "spawn_rules.take_from_population",
        boolean(s.take_from_population),
    );
    put("spawn_rules.insert_day0", boolean(s.insert_day0));
    put(
        "spawn_rules.conflict_zone_spawning_only",
        boolean(s.conflict_zone_spawning_only),
    );
    put(
        "spawn_rules.read_from_agents_csv_file",
        boolean(s.read_from_agents_csv_file),
    );
    put("spawn_rules.sum_from_camps", boolean(s.sum_from_camps));
    put(
        "spawn_rules.empty_camps_on_day0",
        boolean(s.empty_camps_on_day0),
    );
    put(
        "spawn_rules.conflict_spawn_decay",
        s.conflict_spawn_decay.as_ref().map_or_else(
            || "none".to_owned(),
            |list| {
                format!(
                    "[{}]",
                    list.iter()
                        .map(|v| number(*v))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ),
    );
    put(
        "spawn_rules.conflict_spawn_decay_interval",
        s.conflict_spawn_decay_interval.to_string(),
    );
    let (mode, count) = match &s.mode {
        SpawnMode::DataDriven => (None, None),
        SpawnMode::Constant {
            displaced_per_conflict_day,
        } => (Some("constant"), Some(*displaced_per_conflict_day)),
        SpawnMode::PopRatio {
            displaced_per_conflict_day,
        } => (Some("pop_ratio"), Some(*displaced_per_conflict_day)),
        SpawnMode::Poisson {
            displaced_per_conflict_day,
        } => (Some("poisson"), Some(*displaced_per_conflict_day)),
    };
    match (mode, count) {
        (Some(mode), Some(count)) => {
            put(
                "spawn_rules.conflict_driven_spawning.spawn_mode",
                mode.to_owned(),
            );
            put(
                "spawn_rules.conflict_driven_spawning.displaced_per_conflict_day",
                number(count),
            );
        }
        _ => put("spawn_rules.conflict_driven_spawning", "false".to_owned()),
    }
    put("log_levels.agent", l.agent.to_string());
    put("log_levels.link", l.link.to_string());
    put("log_levels.camp", l.camp.to_string());
    put("log_levels.init", l.init.to_string());
    put("log_levels.conflict", l.conflict.to_string());
    put("log_levels.idp_totals", l.idp_totals.to_string());
    put("optimisations.hasten", settings.hasten.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render;

    fn load(text: &str) -> Result<SettingsLoad, String> {
        load_settings_yaml(text, "simsetting.yml").map_err(|e| e.to_string())
    }

    #[test]
    fn empty_file_gives_flee_defaults() {
        let (settings, warnings, used) = load("").unwrap();
        assert_eq!(settings, Settings::flee_defaults());
        assert!(warnings.is_empty());
        assert!(
            used.iter()
                .any(|(k, v)| k == "optimisations.hasten" && v == "1")
        );
        let (settings, _, _) = load("# nothing\nmove_rules:\nspawn_rules: {}\n").unwrap();
        assert_eq!(settings, Settings::flee_defaults());
    }

    #[test]
    fn reads_the_fabflee_validation_settings() {
        let text = "log_levels: #DONE\n  agent: 0\n  camp: 0\nspawn_rules:\n  sum_from_camps: True\n  conflict_spawn_decay: [1.0,1.0,1.0,0.5,0.1]\n  conflict_spawn_decay_interval: 30\n  empty_camps_on_day0: False\n  take_from_population: False\n  insert_day0: True\nmove_rules:\n  max_move_speed: 400.0\n  softening: 50.0\n  default_movechance: 0.5\n  avoid_short_stints: True\n  capacity_scaling: 1.25\n  distance_power: 0.75\n  awareness_level: 1\n  conflict_weight: 0.25\noptimisations:\n  hasten: 10\n";
        let (settings, warnings, used) = load(text).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(settings.spawn_rules.sum_from_camps);
        assert_eq!(
            settings.spawn_rules.conflict_spawn_decay,
            Some(vec![1.0, 1.0, 1.0, 0.5, 0.1])
        );
        assert_eq!(settings.move_rules.max_move_speed, 400.0);
        assert_eq!(settings.move_rules.capacity_scaling, 1.25);
        assert!(settings.move_rules.avoid_short_stints);
        assert_eq!(settings.hasten, 10);
        assert!(
            used.iter()
                .any(|(k, v)| k == "move_rules.distance_power" && v == "0.75")
        );
    }

    #[test]
    fn v1_rules_and_spawn_modes() {
        let (settings, _, _) =
            load("move_rules:\n  use_v1_rules: True\n  max_move_speed: 500\n").unwrap();
        assert_eq!(settings.move_rules.max_move_speed, 200.0);
        assert_eq!(settings.move_rules.camp_weight, 2.0);
        let (settings, _, _) =
            load("spawn_rules:\n  conflict_driven_spawning:\n    spawn_mode: Pop_Ratio\n").unwrap();
        assert_eq!(
            settings.spawn_rules.mode,
            SpawnMode::PopRatio {
                displaced_per_conflict_day: 0.01
            }
        );
        let (settings, _, _) = load(
            "spawn_rules:\n  conflict_driven_spawning: {spawn_mode: poisson, displaced_per_conflict_day: 20}\n",
        )
        .unwrap();
        assert_eq!(
            settings.spawn_rules.mode,
            SpawnMode::Poisson {
                displaced_per_conflict_day: 20.0
            }
        );
        let (settings, _, _) = load("spawn_rules:\n  conflict_driven_spawning: {}\n").unwrap();
        assert_eq!(
            settings.spawn_rules.mode,
            SpawnMode::Constant {
                displaced_per_conflict_day: 500.0
            }
        );
    }

    #[test]
    fn awareness_out_of_range_is_a_located_error() {
        let message = load("move_rules:\n  awareness_level: 0\n").unwrap_err();
        assert!(
            message.contains("error: awareness must be 1 to 3"),
            "{message}"
        );
        assert!(
            message.contains("simsetting.yml:2:20, `move_rules.awareness_level`"),
            "{message}"
        );
        assert!(
            message.contains("expected 1, 2 or 3, found `0`"),
            "{message}"
        );
    }

    #[test]
    fn unsupported_rules_are_errors_only_when_true() {
        assert!(
            load(
                "move_rules:\n  MatchCampEthnicity: False\nspawn_rules:\n  camps_are_sicks: False\n"
            )
            .is_ok()
        );
        let message = load("spawn_rules:\n  camps_are_sicks: True\n").unwrap_err();
        assert!(
            message.contains("`spawn_rules.camps_are_sicks` is not supported"),
            "{message}"
        );
        assert!(message.contains("simsetting.yml:2:20"), "{message}");
        let message = load("move_rules:\n  BoysTakeRisk: yes\n").unwrap_err();
        assert!(message.contains("agent attributes"), "{message}");
        let message = load("spawn_rules:\n  flood_zone_spawning_only: True\n").unwrap_err();
        assert!(message.contains("flood_zone_spawning_only"), "{message}");
    }

    #[test]
    fn wrong_types_are_located_errors() {
        let message = load("move_rules:\n  max_move_speed: fast\n").unwrap_err();
        assert!(
            message.contains("simsetting.yml:2:19, `move_rules.max_move_speed`"),
            "{message}"
        );
        assert!(
            message.contains("expected a number greater than 0, found `fast`"),
            "{message}"
        );
        let message = load("move_rules:\n  start_on_foot: \"False\"\n").unwrap_err();
        assert!(
            message.contains("expected `True` or `False`, found the string `\"False\"`"),
            "{message}"
        );
        let message = load("optimisations:\n  hasten: 0\n").unwrap_err();
        assert!(
            message.contains("expected a whole number of at least 1, found `0`"),
            "{message}"
        );
        let message = load("move_rules: 5\n").unwrap_err();
        assert!(
            message.contains("expected a mapping of keys to values, found `5`"),
            "{message}"
        );
        let message = load("move_rules:\n  softening: .nan\n").unwrap_err();
        assert!(message.contains("found `.nan`"), "{message}");
    }

    #[test]
    fn unknown_keys_are_warnings_with_suggestions() {
        let (_, warnings, _) = load("move_rules:\n  max_move_sped: 300\nfoo: 1\n").unwrap();
        assert_eq!(warnings.len(), 2);
        let first = render(&warnings[0]);
        assert!(
            first.contains("warning: unknown setting `move_rules.max_move_sped` is ignored"),
            "{first}"
        );
        assert!(first.contains("simsetting.yml:2:3"), "{first}");
        assert!(
            first.contains("did you mean `move_rules.max_move_speed`?"),
            "{first}"
        );
        let (_, warnings, _) = load("spawn_rules:\n  hasten: 2\n").unwrap();
        assert!(render(&warnings[0]).contains("belongs in the `optimisations` section"));
    }

    #[test]
    fn questionable_settings_warn() {
        let (settings, warnings, _) = load(
            "move_rules:\n  use_pop_for_loc_weight: True\nlog_levels:\n  agent: 1\nflood_rules:\n  max_flood_level: 3\n",
        )
        .unwrap();
        assert!(settings.move_rules.use_pop_for_loc_weight);
        assert_eq!(warnings.len(), 3);
        assert!(warnings.iter().any(|w| {
            w.message.contains("min")
                || w.hint
                    .as_deref()
                    .unwrap_or("")
                    .contains("min(1, population)")
        }));
        assert!(warnings.iter().any(|w| w.message.contains("agent log")));
        assert!(warnings.iter().any(|w| w.message.contains("flood_rules")));
    }

    #[test]
    fn yaml_syntax_errors_are_located() {
        let message = load("move_rules:\n  a: [1,\n").unwrap_err();
        assert!(message.contains("error: invalid YAML"), "{message}");
        assert!(message.contains("--> simsetting.yml:"), "{message}");
    }
}
