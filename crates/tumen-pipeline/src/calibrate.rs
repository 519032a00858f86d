//! Calibration (`tumen calibrate`): ABC-SMC over a scenario's uncertain parameters, fitted on
//! the data up to a cut-off date and scored on the data after it.
//!
//! # Parameters
//!
//! A parameter's key is either
//! - a `simsetting.yml` key, `move_rules.<name>` or `spawn_rules.<name>` (any scenario): the
//!   value is set on the loaded scenario's settings (numbers as numbers, integer settings
//!   rounded, boolean settings true at 0.5 and above); or
//! - any other key: a `--set` key path of `scenario.toml` (native scenarios only), applied as
//!   the override `key=value` when the scenario is loaded (`push[0].per_capita`);
//! - a scale factor of a dated series (issue 12): `series.scale` (or `series.total.scale`)
//!   multiplies the spawn driver, the `total` series of `data_layout.csv` whose daily increase
//!   data-driven spawning places (any Flee scenario; the camps' series are data and are not
//!   scaled), and `<key>.scale` multiplies every value of the dated series `<key>` of
//!   `scenario.toml` (an array of `[date, value]` pairs: `asylum.rate.scale`,
//!   `enforcement.region[0].baseline.scale`). A factor's own value is 1.
//!
//! The scenario's files are read once into memory; each particle re-loads the scenario from
//! memory with its overrides (a few milliseconds for the flagship, see BENCHMARKS.md).
//!
//! Where the spec comes from, first found: `--params FILE`; `calibration.toml` beside
//! `scenario.toml` (the same format as `--params`); a `[calibration]` section of
//! `scenario.toml`; else the default Flee set below.
//!
//! # The default Flee set
//!
//! The move rules that FabFlee's sensitivity analyses vary (FabFlee's `flee_SA` plug-in
//! samples `max_move_speed`, the three move chances and the camp and conflict weights),
//! with uniform priors around Flee 3.1's defaults (`max_move_speed` 360 km/day, `camp_weight`
//! 1 in Flee's simsetting defaults and 2 in most FabFlee scenarios, `conflict_weight` 0.25,
//! `conflict_movechance` 1.0, `camp_movechance` 0.001, `default_movechance` 0.3):
//!
//! | key | prior | why |
//! |---|---|---|
//! | `move_rules.max_move_speed` | uniform [100, 500] | from a walking-and-bus day to Flee's default and beyond, as FabFlee varies it |
//! | `move_rules.conflict_movechance` | uniform [0.5, 1.0] | people leave conflict zones quickly; below 0.5 no scenario reproduces the onsets |
//! | `move_rules.camp_movechance` | log-uniform [1e-4, 0.01] | tiny and uncertain in order of magnitude |
//! | `move_rules.default_movechance` | uniform [0.1, 0.6] | around Flee's 0.3, halved and doubled |
//! | `move_rules.camp_weight` | uniform [0.5, 4.0] | around Flee's 1 and FabFlee's 2 |
//! | `move_rules.conflict_weight` | uniform [0.05, 1.0] | around Flee's 0.25 |
//!
//! # The distance, and the cut
//!
//! A particle runs one seeded count-engine replica per ABC replica, only up to the cut day (the
//! scenario's `days` is set so that the run stops at `--until`). Every observed series
//! (`source_data/`, the spawn driver included) is cut at `--until` before the run: points dated
//! after it are dropped, so that not even the interpolation toward a later point lets them in.
//! The distance is Flee's daily ARD of the camps' series over the days up to the cut plus the
//! mean interval distance of the targets whose `end` is on or before the cut (0 inside the
//! interval, the relative distance to the nearer end outside), as
//! `tumen_calibrate::score::combined_distance`.

use crate::error::Error;
use crate::run::{
    DrawnParameters, EngineChoice, NoProgress, Plan, RunOutput, RunRequest, worker_pool,
};
use crate::scenario::{Prepared, ScenarioSource};
use crate::spread::{Local, Spread, decode_f64, encode_f64, spread_traces};
use crate::summary::PARAMETER_AND_SEED;
use jiff::civil::Date;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tumen_calibrate::abc::{self, AbcConfig, AbcError, AbcResult};
pub use tumen_calibrate::abc::{Generation, Posterior};
use tumen_calibrate::params::{CalibrationSpec, Parameter, ParameterSet, Prior};
use tumen_calibrate::score::{
    ObservedPoint, Score, TargetCheck, ard_daily, combined_distance, interval_distance,
};
use tumen_core::Scenario;
use tumen_engine::EngineKind;
use tumen_ensemble::{Ensemble, Replica, ReplicaProgress};
use tumen_output::{
    DailyObserver, SystemEnsemble, SystemLayout, SystemObserver, SystemRecord, TargetOutcome,
    TargetRow,
};
use tumen_scenario::{LoadOptions, MemorySource, Source};

/// Where a calibration spec beside `scenario.toml` is looked for.
pub const CALIBRATION_FILE: &str = "calibration.toml";

/// Forecast replicas when the request does not say.
pub const DEFAULT_FORECAST_REPLICAS: u64 = 20;

/// The default parameter set of a Flee scenario without a spec (see the module docs).
#[must_use]
pub fn default_flee_parameters() -> Vec<Parameter> {
    let uniform = |name: &str, low: f64, high: f64| Parameter {
        name: name.to_owned(),
        prior: Prior::Uniform { low, high },
    };
    vec![
        uniform("move_rules.max_move_speed", 100.0, 500.0),
        uniform("move_rules.conflict_movechance", 0.5, 1.0),
        Parameter {
            name: "move_rules.camp_movechance".to_owned(),
            prior: Prior::LogUniform {
                low: 1e-4,
                high: 0.01,
            },
        },
        uniform("move_rules.default_movechance", 0.1, 0.6),
        uniform("move_rules.camp_weight", 0.5, 4.0),
        uniform("move_rules.conflict_weight", 0.05, 1.0),
    ]
}

/// A scenario's files, read once, with its name.
#[derive(Clone, Debug)]
pub struct ScenarioFiles {
    /// The files.
    pub files: MemorySource,
    /// The scenario's name (the directory's).
    pub name: String,
    /// Where they came from.
    pub source: ScenarioSource,
}

/// Reads every file of a scenario into memory.
///
/// # Errors
/// [`Error::Unreadable`] when the directory or a file cannot be read.
pub fn read_files(source: &ScenarioSource) -> Result<ScenarioFiles, Error> {
    match source {
        ScenarioSource::Embedded => Ok(ScenarioFiles {
            files: crate::embedded::source(),
            name: crate::embedded::NAME.to_owned(),
            source: source.clone(),
        }),
        ScenarioSource::Directory(dir) => {
            let mut files = MemorySource::default();
            read_tree(dir, "", &mut files)?;
            let name = dir
                .file_name()
                .map(ToOwned::to_owned)
                .or_else(|| {
                    dir.canonicalize()
                        .ok()
                        .and_then(|p| p.file_name().map(ToOwned::to_owned))
                })
                .map_or_else(
                    || "scenario".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                );
            Ok(ScenarioFiles {
                files,
                name,
                source: source.clone(),
            })
        }
    }
}

fn read_tree(dir: &Path, prefix: &str, files: &mut MemorySource) -> Result<(), Error> {
    let unreadable = |path: &Path, source: std::io::Error| Error::Unreadable {
        path: path.display().to_string(),
        source,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        paths.push(entry.map_err(|e| unreadable(dir, e))?.path());
    }
    paths.sort();
    for path in paths {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let relative = format!("{prefix}{name}");
        if path.is_dir() {
            // Outputs of earlier runs are not inputs.
            if prefix.is_empty()
                && !matches!(name.as_str(), "input_csv" | "source_data" | "mechanisms")
            {
                continue;
            }
            read_tree(&path, &format!("{relative}/"), files)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, e))?;
            files.insert(relative, bytes);
        }
    }
    Ok(())
}

/// The calibration spec of a scenario and where it came from (see the module docs).
///
/// # Errors
/// [`Error::Request`] with the located problem when a spec is malformed,
/// [`Error::Unreadable`] when `--params` cannot be read.
pub fn resolve_spec(
    files: &ScenarioFiles,
    params: Option<&Path>,
) -> Result<(CalibrationSpec, String), Error> {
    let spec_error = |error: tumen_calibrate::params::SpecError| Error::Request(error.to_string());
    if let Some(path) = params {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Unreadable {
            path: path.display().to_string(),
            source,
        })?;
        let origin = path.display().to_string();
        let spec =
            tumen_calibrate::params::parse_params_file(&text, &origin).map_err(spec_error)?;
        return Ok((spec, origin));
    }
    let describe = |file: &str| match &files.source {
        ScenarioSource::Embedded => format!("embedded {file}"),
        ScenarioSource::Directory(dir) => dir.join(file).display().to_string(),
    };
    let read = |file: &str| -> Result<Option<String>, Error> {
        match files.files.read(file) {
            Ok(Some(bytes)) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
            Ok(None) => Ok(None),
            Err(source) => Err(Error::Unreadable {
                path: describe(file),
                source,
            }),
        }
    };
    if let Some(text) = read(CALIBRATION_FILE)? {
        let origin = describe(CALIBRATION_FILE);
        let spec =
            tumen_calibrate::params::parse_params_file(&text, &origin).map_err(spec_error)?;
        return Ok((spec, origin));
    }
    if let Some(text) = read("scenario.toml")? {
        let origin = describe("scenario.toml");
        if let Some(spec) =
            tumen_calibrate::params::parse_scenario_section(&text, &origin).map_err(spec_error)?
        {
            return Ok((spec, format!("{origin} [calibration]")));
        }
    }
    let parameters = ParameterSet::new(default_flee_parameters())
        .map_err(|e| Error::Internal(format!("the default parameter set: {e}")))?;
    Ok((
        CalibrationSpec {
            parameters,
            particles: None,
            generations: None,
            budget: None,
            replicas: None,
            min_tolerance: None,
            kernel_scale: None,
        },
        "the default Flee move-rule set".to_owned(),
    ))
}

/// The sections of `simsetting.yml` whose keys are set on the loaded settings.
const SETTINGS_SECTIONS: [&str; 2] = ["move_rules", "spawn_rules"];

/// Whether a parameter key names a `simsetting.yml` setting rather than a `--set` key.
#[must_use]
pub fn is_settings_key(key: &str) -> bool {
    key.split_once('.')
        .is_some_and(|(section, _)| SETTINGS_SECTIONS.contains(&section))
}

/// Sets the `simsetting.yml` key `key` (`move_rules.max_move_speed`) to `value` on `settings`.
///
/// # Errors
/// [`Error::Request`] for an unknown key or a setting that is not a number or a flag.
pub fn set_setting(
    settings: &mut tumen_core::Settings,
    key: &str,
    value: f64,
) -> Result<(), Error> {
    let mut tree = serde_json::to_value(&*settings)
        .map_err(|e| Error::Internal(format!("settings as JSON: {e}")))?;
    let (section, field) = key
        .split_once('.')
        .ok_or_else(|| Error::Request(format!("parameter `{key}`: expected `section.key`")))?;
    let known = |tree: &serde_json::Value| -> String {
        tree.get(section)
            .and_then(serde_json::Value::as_object)
            .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    let list = known(&tree);
    let slot = tree
        .get_mut(section)
        .and_then(|s| s.get_mut(field))
        .ok_or_else(|| {
            Error::Request(format!(
                "parameter `{key}`: unknown setting; expected one of the {section} keys: {list}"
            ))
        })?;
    *slot = match slot {
        serde_json::Value::Bool(_) => serde_json::Value::Bool(value >= 0.5),
        serde_json::Value::Number(n) if n.is_u64() => {
            if !(value.is_finite() && value >= 0.0) {
                return Err(Error::Request(format!(
                    "parameter `{key}`: expected a count at or above 0, found {value}"
                )));
            }
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a finite non-negative value, rounded"
            )]
            serde_json::Value::from(value.round() as u64)
        }
        serde_json::Value::Number(_) => serde_json::Number::from_f64(value)
            .map(serde_json::Value::Number)
            .ok_or_else(|| {
                Error::Request(format!(
                    "parameter `{key}`: expected a finite number, found {value}"
                ))
            })?,
        other => {
            return Err(Error::Request(format!(
                "parameter `{key}`: the setting is not a number or a flag (found {other})"
            )));
        }
    };
    *settings = serde_json::from_value(tree)
        .map_err(|e| Error::Request(format!("parameter `{key}` = {value}: {e}")))?;
    Ok(())
}

/// A scenario ready to be re-loaded at any parameter values.
#[derive(Clone, Debug)]
pub struct Parameterised {
    /// Its files.
    pub files: ScenarioFiles,
    /// The uncertain parameters.
    pub parameters: ParameterSet,
    /// Where they were declared.
    pub spec_origin: String,
    /// The run's own `--settings` file and `--set` overrides, applied under the parameters'
    /// values (a posterior run keeps what its command line sets).
    pub fixed: FixedInputs,
}

/// What a run's command line fixes besides the parameters: `--settings` and `--set`.
#[derive(Clone, Debug, Default)]
pub struct FixedInputs {
    /// `--settings`: a settings file instead of the scenario's `simsetting.yml`.
    pub settings_path: Option<PathBuf>,
    /// `--set` overrides, applied before the parameters' own.
    pub overrides: Vec<String>,
}

impl Parameterised {
    /// The scenario at `theta` (in the order of `parameters`), with `days` days when given.
    ///
    /// # Errors
    /// When the scenario does not load with these values (a `--set` key it lacks, a value out
    /// of range) or a settings key is unknown.
    pub fn scenario(&self, theta: &[f64], days: Option<u32>) -> Result<Scenario, Error> {
        let mut overrides = self.fixed.overrides.clone();
        let mut settings = Vec::new();
        let mut driver_scale = None;
        for (parameter, &value) in self.parameters.parameters().iter().zip(theta) {
            let key = parameter.name.as_str();
            if is_settings_key(key) {
                settings.push((key, value));
            } else if is_driver_scale_key(key) {
                driver_scale = Some((key, value));
            } else if let Some(path) = key.strip_suffix(SCALE_SUFFIX) {
                overrides.push(self.scaled_series_override(key, path, value)?);
            } else {
                overrides.push(format!("{key}={value:?}"));
            }
        }
        let options = LoadOptions {
            settings_path: self.fixed.settings_path.clone(),
            days,
            overrides,
        };
        let mut loaded = tumen_scenario::load(&self.files.files, &self.files.name, &options)?;
        for (key, value) in settings {
            set_setting(&mut loaded.scenario.settings, key, value)?;
        }
        if let Some((key, factor)) = driver_scale {
            scale_driver(&mut loaded.scenario, key, factor)?;
        }
        Ok(loaded.scenario)
    }

    /// The `--set` override that multiplies the values of the dated series at `path` of
    /// `scenario.toml` (an array of `[date, value]` pairs) by `factor`.
    fn scaled_series_override(&self, key: &str, path: &str, factor: f64) -> Result<String, Error> {
        let unusable = |why: &str| {
            Error::Request(format!(
                "parameter `{key}`: {why}; expected `series.scale` (the spawn driver) or \
                 `<key>.scale` where <key> is a dated series of scenario.toml (an array of \
                 [date, value] pairs, such as `asylum.rate.scale`)"
            ))
        };
        if !factor.is_finite() {
            return Err(unusable(&format!("the factor {factor} is not finite")));
        }
        let text = match self.files.files.read("scenario.toml") {
            Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            Ok(None) => return Err(unusable("the scenario has no scenario.toml")),
            Err(source) => {
                return Err(Error::Unreadable {
                    path: "scenario.toml".to_owned(),
                    source,
                });
            }
        };
        let document: toml::Table = text
            .parse()
            .map_err(|e| unusable(&format!("scenario.toml does not parse ({e})")))?;
        let series = toml_at(&document, path)
            .ok_or_else(|| unusable(&format!("scenario.toml has no key `{path}`")))?;
        let pairs = series
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| unusable(&format!("`{path}` is not a dated series")))?;
        let mut scaled = Vec::with_capacity(pairs.len());
        for pair in pairs {
            // A point is `[date, value]` or `[year, value]` (docs/NATIVE_FORMAT.md).
            let (date, value) = match pair.as_array().map(Vec::as_slice) {
                Some(
                    [
                        date @ (toml::Value::Datetime(_) | toml::Value::Integer(_)),
                        value,
                    ],
                ) => (date, value),
                _ => return Err(unusable(&format!("`{path}` is not a dated series"))),
            };
            let value = value
                .as_float()
                .or_else(|| {
                    #[expect(clippy::cast_precision_loss, reason = "a TOML integer, scaled")]
                    value.as_integer().map(|i| i as f64)
                })
                .ok_or_else(|| unusable(&format!("`{path}` has a value that is not a number")))?;
            scaled.push(format!("[{date}, {:?}]", value * factor));
        }
        Ok(format!("{path}=[{}]", scaled.join(", ")))
    }

    /// The scenario's own values of the parameters (`None` for a key whose value cannot be
    /// read: a `--set` key).
    #[must_use]
    pub fn own_values(&self, scenario: &Scenario) -> Vec<Option<f64>> {
        let tree = serde_json::to_value(&scenario.settings).unwrap_or_default();
        self.parameters
            .parameters()
            .iter()
            .map(|p| {
                // A scale factor's own value is 1: the series as the scenario gives it.
                if is_driver_scale_key(&p.name) || p.name.ends_with(SCALE_SUFFIX) {
                    return Some(1.0);
                }
                let (section, field) = p.name.split_once('.')?;
                if !is_settings_key(&p.name) {
                    return None;
                }
                let value = tree.get(section)?.get(field)?;
                value
                    .as_f64()
                    .or_else(|| value.as_bool().map(|b| if b { 1.0 } else { 0.0 }))
            })
            .collect()
    }
}

/// The suffix of a parameter that scales a dated series of `scenario.toml`.
pub const SCALE_SUFFIX: &str = ".scale";

/// Whether `key` scales the spawn driver (`series.scale`, also written `series.total.scale`).
#[must_use]
pub fn is_driver_scale_key(key: &str) -> bool {
    matches!(key, "series.scale" | "series.total.scale")
}

/// Multiplies every point of the spawn driver (the `total` series of `data_layout.csv`: the
/// cumulative count whose daily increase is spawned) by `factor`, which scales the people
/// spawned by data-driven spawning: a registered total that under- or over-counts the flow.
/// The camps' observed series are data and stay as they are.
///
/// # Errors
/// [`Error::Request`] for a negative or non-finite factor, or a scenario without a driver
/// series (conflict-driven spawning, or `sum_from_camps`, which spawns from the camps' data).
pub fn scale_driver(scenario: &mut Scenario, key: &str, factor: f64) -> Result<(), Error> {
    if !(factor.is_finite() && factor >= 0.0) {
        return Err(Error::Request(format!(
            "parameter `{key}`: expected a factor at or above 0, found {factor}"
        )));
    }
    if scenario.settings.spawn_rules.sum_from_camps || scenario.observations.total.points.is_empty()
    {
        return Err(Error::Request(format!(
            "parameter `{key}`: `{}` has no spawn-driver series to scale (it needs the `total` \
             row of source_data/data_layout.csv, and spawn_rules.sum_from_camps off)",
            scenario.name
        )));
    }
    for point in &mut scenario.observations.total.points {
        point.1 *= factor;
    }
    Ok(())
}

/// The value at a key path of a TOML table: dot-separated names, each optionally indexed
/// (`enforcement.region[0].baseline`).
fn toml_at<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut current: Option<&toml::Value> = None;
    for segment in path.split('.') {
        let (name, indices) = match segment.find('[') {
            Some(at) => (&segment[..at], &segment[at..]),
            None => (segment, ""),
        };
        let mut value = match current {
            None => table.get(name)?,
            Some(value) => value.as_table()?.get(name)?,
        };
        for index in indices.split('[').skip(1) {
            let index: usize = index.strip_suffix(']')?.trim().parse().ok()?;
            value = value.as_array()?.get(index)?;
        }
        current = Some(value);
    }
    current
}

/// Drops every observed point dated after day `cut` (the spawn driver and the camps' series).
pub fn cut_observations(scenario: &mut Scenario, cut: u32) {
    let cut = i64::from(cut);
    scenario
        .observations
        .total
        .points
        .retain(|&(day, _)| day <= cut);
    for (_, series) in &mut scenario.observations.camps {
        series.points.retain(|&(day, _)| day <= cut);
    }
}

/// Leaves out of a particle run the person attributes that are only labels and that no fitted
/// target reads. Origin is always a label (no mechanism reads it); sex is one when every
/// multiplier of both sexes is 1 and there is no family state. A target reads origin when its
/// quantity names an origin event (`<event>@<origin>`), sex when it names a `_female` or `_male`
/// event or category. Everything the distance reads keeps its distribution (a label changes no
/// one's chances), and the count engine no longer splits its cohorts by the label: the
/// flagship's particles cost ~40 % less without origin (BENCHMARKS.md, calibration).
pub fn drop_unread_attributes(scenario: &mut Scenario, targets: &[TargetRow]) {
    let Some(attributes) = scenario.mechanisms.attributes.as_mut() else {
        return;
    };
    let reads = |pattern: &dyn Fn(&str) -> bool| {
        targets.iter().any(|t| {
            t.quantity
                .split(['+', '/'])
                .any(|name| pattern(name.trim()))
        })
    };
    if !reads(&|name| name.contains('@')) {
        attributes.origin = None;
    }
    let sex_is_a_label = attributes.family.is_none()
        && attributes.sex.as_ref().is_some_and(|sex| {
            sex.female == tumen_core::SexEffects::default()
                && sex.male == tumen_core::SexEffects::default()
        });
    if sex_is_a_label && !reads(&|name| name.ends_with("_female") || name.ends_with("_male")) {
        attributes.sex = None;
    }
    if !attributes.any() {
        scenario.mechanisms.attributes = None;
    }
}

/// Parses a target's end date; `None` when empty or not a date.
fn target_end(row: &TargetRow) -> Option<Date> {
    row.end.trim().parse::<Date>().ok()
}

/// The targets whose `end` is on or before `until`.
#[must_use]
pub fn targets_before(targets: &[TargetRow], until: Date) -> Vec<TargetRow> {
    targets
        .iter()
        .filter(|row| target_end(row).is_some_and(|end| end <= until))
        .cloned()
        .collect()
}

/// The day number of `date` in `scenario`.
///
/// # Errors
/// [`Error::Request`] when the date is not inside the simulated period.
pub fn day_of(scenario: &Scenario, date: Date) -> Result<u32, Error> {
    let days = scenario
        .start_date
        .until(date)
        .map_err(|e| Error::Request(format!("--until {date}: {e}")))?
        .get_days();
    let last = scenario.date_of(scenario.days.saturating_sub(1));
    u32::try_from(days)
        .ok()
        .filter(|&d| d + 1 < scenario.days)
        .ok_or_else(|| {
            Error::Request(format!(
                "--until {date}: expected a date from {} to the day before {last} (the period \
                 of `{}`), so that some days are left to score",
                scenario.start_date, scenario.name
            ))
        })
}

/// Silent replica progress.
struct Quiet;

impl ReplicaProgress for Quiet {}

/// One seeded count-engine replica of `scenario`, with the mechanisms' record when `system`.
///
/// # Errors
/// [`Error::Run`] when the run stops.
pub fn run_one(
    scenario: &Scenario,
    seed: u64,
    system: bool,
    daily: bool,
) -> Result<
    (
        Replica,
        Ensemble,
        Option<SystemRecord>,
        Option<tumen_output::Daily>,
    ),
    Error,
> {
    let (mut ensemble, mut extras) = tumen_ensemble::run_with(
        scenario,
        seed,
        1,
        EngineKind::Counts,
        &Quiet,
        |_| {
            (
                system.then(SystemObserver::new),
                daily.then(|| DailyObserver::new(scenario)),
            )
        },
        None,
    )
    .map_err(|source| Error::Run {
        scenario: scenario.name.clone(),
        source,
    })?;
    let replica = ensemble
        .replicas
        .pop()
        .ok_or_else(|| Error::Internal("the replica loop returned no replica".to_owned()))?;
    let (record, first) = extras.pop().unwrap_or((None, None));
    Ok((
        replica,
        ensemble,
        record.map(SystemObserver::into_record),
        first.map(DailyObserver::into_daily),
    ))
}

/// The columns of `table.camps` that have an observed series in `scenario`.
fn observed_columns(scenario: &Scenario, camps: &[String]) -> Vec<(usize, usize)> {
    scenario
        .observations
        .camps
        .iter()
        .enumerate()
        .filter_map(|(series, (id, _))| {
            let name = &scenario.network.location(*id).name;
            camps
                .iter()
                .position(|c| c == name)
                .map(|col| (series, col))
        })
        .collect()
}

/// Flee's daily ARD of a replica's camps against the observed series, over days `..=last`.
#[must_use]
pub fn series_ard(scenario: &Scenario, replica: &Replica, last: u32) -> Option<f64> {
    let columns = observed_columns(scenario, &replica.table.camps);
    if columns.is_empty() {
        return None;
    }
    let days: Vec<Vec<(f64, f64)>> = replica
        .table
        .rows
        .iter()
        .filter(|row| row.day <= last)
        .map(|row| {
            columns
                .iter()
                .map(|&(_, col)| {
                    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                    let pair = (row.sim[col] as f64, row.data[col] as f64);
                    pair
                })
                .collect()
        })
        .collect();
    ard_daily(&days)
}

/// The value of each evaluable target on an ensemble of mechanisms' records (the median over
/// replicas), with its bounds.
fn target_values(
    scenario: &Scenario,
    records: Vec<SystemRecord>,
    targets: &[TargetRow],
) -> Vec<(TargetRow, TargetCheck)> {
    let ensemble = SystemEnsemble {
        layout: SystemLayout::of(scenario),
        replicas: records,
    };
    ensemble
        .evaluate_targets(targets)
        .into_iter()
        .zip(targets)
        .filter_map(|(result, row)| match result.outcome {
            TargetOutcome::Evaluated { band, .. } => Some((
                row.clone(),
                TargetCheck {
                    value: band.median,
                    low: row.low.unwrap_or(f64::NEG_INFINITY),
                    high: row.high.unwrap_or(f64::INFINITY),
                },
            )),
            _ => None,
        })
        .collect()
}

/// What to calibrate: the options of `tumen calibrate`, front-end neutral.
#[derive(Clone, Debug, Default)]
pub struct CalibrationRequest {
    /// The scenario directory; `None` for the embedded flagship.
    pub scenario: Option<PathBuf>,
    /// The cut-off date: data after it are only scored.
    pub until: String,
    /// A `--params` file.
    pub params: Option<PathBuf>,
    /// Population size.
    pub particles: Option<usize>,
    /// The most generations.
    pub generations: Option<usize>,
    /// The most model runs.
    pub budget: Option<u64>,
    /// Model runs per particle.
    pub replicas_per_particle: Option<usize>,
    /// Stop at this tolerance.
    pub min_tolerance: Option<f64>,
    /// Replicas of the forecast and of the baseline ensemble.
    pub forecast_replicas: Option<u64>,
    /// The seed.
    pub seed: u64,
    /// Threads; the output does not depend on it.
    pub jobs: Option<usize>,
    /// The command line to record.
    pub command_line: Vec<String>,
}

/// The scores of `score.json`.
#[derive(Clone, Debug, Serialize)]
pub struct ScoreReport {
    /// The cut-off date.
    pub until: String,
    /// Days up to and including the cut.
    pub before: Scores,
    /// Days after the cut.
    pub after: Scores,
}

/// The posterior ensemble's and the baseline's scores over one period.
#[derive(Clone, Debug, Serialize)]
pub struct Scores {
    /// The forecast ensemble, its replicas' parameters drawn from the posterior.
    pub calibrated: Score,
    /// The scenario's own values, seed noise only.
    pub baseline: Score,
}

/// Everything a calibration produced.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The ABC-SMC result (posterior, generations).
    pub result: AbcResult,
    /// `score.json`.
    pub score: ScoreReport,
    /// The forecast ensemble over the whole period (`forecast/`).
    pub forecast: RunOutput,
    /// The parameters of each forecast replica, in replica order.
    pub forecast_parameters: Vec<Vec<f64>>,
    /// The parameters.
    pub parameters: ParameterSet,
    /// Where the parameters were declared.
    pub spec_origin: String,
    /// The cut day (day number of `until`).
    pub cut_day: u32,
    /// Seconds spent in ABC-SMC.
    pub abc_seconds: f64,
    /// Seconds to load the scenario from memory once (the cost each particle pays).
    pub load_seconds: f64,
    /// What `report.html` shows.
    pub report: tumen_report::CalibrationReport,
}

impl Calibration {
    /// Model runs per second during ABC-SMC.
    #[must_use]
    pub fn runs_per_second(&self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "run counts far below 2^52")]
        let runs = self.result.runs as f64;
        runs / self.abc_seconds.max(1e-9)
    }
}

/// Observed points of every camp series of `full` with the ensemble's values, split at `cut`
/// (points on or before it first).
fn observed_points(
    full: &Scenario,
    ensemble: &Ensemble,
    cut: u32,
) -> (Vec<ObservedPoint>, Vec<ObservedPoint>) {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let Some(first) = ensemble.replicas.first() else {
        return (before, after);
    };
    for (series, col) in observed_columns(full, &first.table.camps) {
        let (_, data) = &full.observations.camps[series];
        for &(day, value) in &data.points {
            let Ok(index) = usize::try_from(day) else {
                continue;
            };
            if index >= full.days as usize {
                continue;
            }
            #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            let values: Vec<f64> = ensemble
                .replicas
                .iter()
                .filter_map(|r| r.table.rows.get(index).map(|row| row.sim[col] as f64))
                .collect();
            let point = ObservedPoint {
                ensemble: values,
                observed: value,
            };
            if day <= i64::from(cut) {
                before.push(point);
            } else {
                after.push(point);
            }
        }
    }
    (before, after)
}

/// Scores an ensemble before and after the cut.
fn score_ensemble(
    full: &Scenario,
    output: &RunOutput,
    targets: &[TargetRow],
    cut: u32,
    until: Date,
) -> (Score, Score) {
    let (before, after) = observed_points(full, &output.ensemble, cut);
    let checks = output
        .system
        .as_ref()
        .map(|system| target_values(full, system.replicas.clone(), targets))
        .unwrap_or_default();
    let (mut tb, mut ta) = (Vec::new(), Vec::new());
    for (row, check) in checks {
        match target_end(&row) {
            Some(end) if end <= until => tb.push(check),
            Some(_) => ta.push(check),
            None => {}
        }
    }
    (Score::compute(&before, &tb), Score::compute(&after, &ta))
}

/// Runs a calibration: ABC-SMC on the data up to `until`, then the forecast ensemble drawn
/// from the posterior and the baseline ensemble over the whole period, and their scores.
///
/// # Errors
/// Bad requests and specs ([`Error::Request`]), scenarios that do not load, runs that stop.
pub fn calibrate(
    request: &CalibrationRequest,
    on_generation: &(dyn Fn(&abc::Generation) + Sync),
) -> Result<Calibration, Error> {
    calibrate_spread(request, on_generation, &Local)?
        .ok_or_else(|| Error::Internal("a local calibration returned nothing".to_owned()))
}

/// [`calibrate`] with its model runs computed where `spread` says (over MPI ranks, say): every
/// process calls it and follows the generations (each gets every distance, see
/// [`SpreadModel`]); the forecast's and the baseline's replicas are spread as traces. The
/// calibration, identical to [`calibrate`]'s, is returned on the process that writes and
/// `None` on the others.
///
/// # Errors
/// As [`calibrate`], and the first failure of any process.
#[expect(
    clippy::too_many_lines,
    reason = "the steps of a calibration, in order"
)]
pub fn calibrate_spread(
    request: &CalibrationRequest,
    on_generation: &(dyn Fn(&abc::Generation) + Sync),
    spread: &dyn Spread,
) -> Result<Option<Calibration>, Error> {
    let source = ScenarioSource::from_option(request.scenario.as_deref());
    let files = read_files(&source)?;
    let (spec, spec_origin) = resolve_spec(&files, request.params.as_deref())?;
    let setup = Parameterised {
        files,
        parameters: spec.parameters.clone(),
        spec_origin: spec_origin.clone(),
        fixed: FixedInputs::default(),
    };
    let prepared = crate::scenario::load(&source, &LoadOptions::default())?;
    let full = prepared.scenario().clone();
    let until: Date = request.until.trim().parse().map_err(|e| {
        Error::Request(format!(
            "--until `{}`: expected a date YYYY-MM-DD ({e})",
            request.until
        ))
    })?;
    let cut = day_of(&full, until)?;
    let targets = prepared.targets.clone().unwrap_or_default();
    let fit_targets = targets_before(&targets, until);
    // Every parameter must apply: check at the prior means before spending runs.
    let means: Vec<f64> = spec
        .parameters
        .parameters()
        .iter()
        .map(|p| p.prior.quantile(0.5))
        .collect();
    let started = Instant::now();
    setup.scenario(&means, Some(cut + 1))?;
    let load_seconds = started.elapsed().as_secs_f64();
    let system = full.mechanisms.any() && !fit_targets.is_empty();
    let model = |theta: &[f64], seed: u64| -> Result<f64, Box<Error>> {
        let mut scenario = setup.scenario(theta, Some(cut + 1))?;
        cut_observations(&mut scenario, cut);
        drop_unread_attributes(&mut scenario, &fit_targets);
        let (replica, _, record, _) = run_one(&scenario, seed, system, false)?;
        let ard = series_ard(&scenario, &replica, cut);
        let distances: Vec<f64> = record
            .map(|record| {
                target_values(&scenario, vec![record], &fit_targets)
                    .into_iter()
                    .map(|(_, t)| interval_distance(t.value, t.low, t.high))
                    .collect()
            })
            .unwrap_or_default();
        Ok(combined_distance(ard, &distances))
    };
    let config = AbcConfig {
        seed: request.seed,
        particles: request.particles.or(spec.particles),
        max_generations: request.generations.or(spec.generations),
        min_tolerance: request.min_tolerance.or(spec.min_tolerance),
        budget: request.budget.or(spec.budget),
        replicas: request.replicas_per_particle.or(spec.replicas).unwrap_or(1),
        kernel_scale: spec
            .kernel_scale
            .unwrap_or(AbcConfig::default().kernel_scale),
        ..AbcConfig::default()
    };
    let pool = worker_pool(request.jobs)?;
    let started = Instant::now();
    let model = SpreadModel { model, spread };
    let result = pool
        .install(|| abc::run_with_progress(&spec.parameters, &model, &config, |g| on_generation(g)))
        .map_err(|error| match error {
            AbcError::Config(message) => Error::Request(format!("--particles/--budget: {message}")),
            AbcError::Model { error, .. } => *error,
            other => Error::Request(other.to_string()),
        })?;
    let abc_seconds = started.elapsed().as_secs_f64();

    let replicas = request
        .forecast_replicas
        .unwrap_or(DEFAULT_FORECAST_REPLICAS)
        .max(1);
    let run_request = RunRequest {
        scenario: request.scenario.clone(),
        replicas: Some(replicas),
        engine: EngineChoice::Counts,
        seed: request.seed,
        jobs: request.jobs,
        command_line: request.command_line.clone(),
        ..RunRequest::default()
    };
    let baseline = pool.install(|| baseline_output(&prepared, &run_request, spread))?;
    let forecast_parameters = result.posterior.sample(
        usize::try_from(replicas).unwrap_or(usize::MAX),
        request.seed ^ 0x464f_5245,
    );
    let forecast = pool.install(|| {
        posterior_ensemble_spread(
            &prepared,
            &run_request,
            &setup,
            &forecast_parameters,
            spread,
        )
    })?;
    let (Some(baseline), Some(forecast)) = (baseline, forecast) else {
        // A process that only helped.
        return Ok(None);
    };
    let (cal_before, cal_after) = score_ensemble(&full, &forecast, &targets, cut, until);
    let (base_before, base_after) = score_ensemble(&full, &baseline, &targets, cut, until);
    let score = ScoreReport {
        until: until.to_string(),
        before: Scores {
            calibrated: cal_before,
            baseline: base_before,
        },
        after: Scores {
            calibrated: cal_after,
            baseline: base_after,
        },
    };
    let report = report_data(&ReportInputs {
        request,
        full: &full,
        setup: &setup,
        result: &result,
        score: &score,
        forecast: &forecast.ensemble,
        baseline: &baseline.ensemble,
        cut,
        abc_seconds,
    });
    Ok(Some(Calibration {
        result,
        score,
        forecast,
        forecast_parameters,
        parameters: spec.parameters,
        spec_origin,
        cut_day: cut,
        abc_seconds,
        load_seconds,
        report,
    }))
}

/// What the calibration report is made of.
struct ReportInputs<'a> {
    request: &'a CalibrationRequest,
    full: &'a Scenario,
    setup: &'a Parameterised,
    result: &'a AbcResult,
    score: &'a ScoreReport,
    forecast: &'a Ensemble,
    baseline: &'a Ensemble,
    cut: u32,
    abc_seconds: f64,
}

/// Points at which a prior's density is drawn.
const DENSITY_POINTS: usize = 120;

/// A parameter for the report: its prior's range, axis and density.
fn report_parameter(parameter: &Parameter, own: Option<f64>) -> tumen_report::ReportParameter {
    let prior = &parameter.prior;
    let (low, high) = prior.support();
    let range = (
        if low.is_finite() {
            low
        } else {
            prior.quantile(0.005)
        },
        if high.is_finite() {
            high
        } else {
            prior.quantile(0.995)
        },
    );
    let log = matches!(prior, Prior::LogUniform { .. });
    let axis = |x: f64| if log { x.log10() } else { x };
    let (a0, a1) = (axis(range.0), axis(range.1));
    let density = (0..=DENSITY_POINTS)
        .map(|i| {
            #[expect(clippy::cast_precision_loss, reason = "a few hundred points")]
            let u = a0 + (a1 - a0) * i as f64 / DENSITY_POINTS as f64;
            let x = if log { 10_f64.powf(u) } else { u };
            let pdf = prior.ln_pdf(x).exp();
            // On a log axis, the density per unit of log10 x.
            let density = if log {
                pdf * x * std::f64::consts::LN_10
            } else {
                pdf
            };
            (x, density)
        })
        .collect();
    tumen_report::ReportParameter {
        name: parameter.name.clone(),
        prior: prior.to_string(),
        range,
        log,
        density,
        own,
    }
}

/// The 5, 25, 50, 75 and 95 % quantiles over replicas of column `col` of `out.csv`, per day.
fn column_quantiles(ensemble: &Ensemble, col: usize) -> tumen_report::Quantiles {
    let days = ensemble.dates.len();
    let mut bands: tumen_report::Quantiles = Default::default();
    let mut values = Vec::with_capacity(ensemble.replicas.len());
    for day in 0..days {
        values.clear();
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        values.extend(ensemble.replicas.iter().filter_map(|r| {
            r.table
                .rows
                .get(day)
                .and_then(|row| row.sim.get(col))
                .map(|&v| v as f64)
        }));
        values.sort_by(f64::total_cmp);
        for (band, q) in bands.iter_mut().zip([0.05, 0.25, 0.5, 0.75, 0.95]) {
            band.push(tumen_calibrate::score::quantile_sorted(&values, q));
        }
    }
    bands
}

/// The data of `report.html`.
fn report_data(inputs: &ReportInputs<'_>) -> tumen_report::CalibrationReport {
    let full = inputs.full;
    let own = inputs.setup.own_values(full);
    let parameters = inputs
        .setup
        .parameters
        .parameters()
        .iter()
        .zip(own)
        .map(|(parameter, own)| report_parameter(parameter, own))
        .collect();
    let days = u32::try_from(inputs.forecast.dates.len()).unwrap_or(u32::MAX);
    let camps = inputs
        .forecast
        .replicas
        .first()
        .map(|first| {
            observed_columns(full, &first.table.camps)
                .into_iter()
                .map(|(series, col)| {
                    let (id, data) = &full.observations.camps[series];
                    tumen_report::ReportCamp {
                        name: full.network.location(*id).name.clone(),
                        observed: data
                            .points
                            .iter()
                            .filter_map(|&(day, value)| {
                                u32::try_from(day)
                                    .ok()
                                    .filter(|&d| d < days)
                                    .map(|d| (d, value))
                            })
                            .collect(),
                        calibrated: column_quantiles(inputs.forecast, col),
                        baseline: column_quantiles(inputs.baseline, col),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let block = |period: &str, ensemble: &str, s: &Score| tumen_report::ReportScore {
        period: period.to_owned(),
        ensemble: ensemble.to_owned(),
        ard: s.ard,
        coverage50: s.coverage50,
        coverage90: s.coverage90,
        crps: s.crps,
        targets_inside: s.targets_inside,
        targets_total: s.targets_total,
    };
    let score = inputs.score;
    let result = inputs.result;
    tumen_report::CalibrationReport {
        scenario: full.name.clone(),
        until: score.until.clone(),
        cut_day: inputs.cut,
        spec_origin: inputs.setup.spec_origin.clone(),
        seed: inputs.request.seed,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        command_line: inputs.request.command_line.join(" "),
        stop: result.stop.to_string(),
        runs: result.runs,
        abc_seconds: inputs.abc_seconds,
        replicas: inputs.forecast.replicas.len(),
        parameters,
        particles: result
            .posterior
            .particles
            .iter()
            .map(|p| tumen_report::ReportParticle {
                weight: p.weight,
                theta: p.theta.clone(),
                distance: p.distance,
            })
            .collect(),
        generations: result
            .generations
            .iter()
            .map(|g| tumen_report::ReportGeneration {
                generation: g.generation,
                tolerance: g.tolerance,
                accepted: g.accepted,
                runs: g.runs,
                ess: g.ess,
                wall_seconds: g.wall_seconds,
            })
            .collect(),
        dates: inputs.forecast.dates.clone(),
        camps,
        scores: vec![
            block("before", "calibrated", &score.before.calibrated),
            block("before", "baseline", &score.before.baseline),
            block("after", "calibrated", &score.after.calibrated),
            block("after", "baseline", &score.after.baseline),
        ],
    }
}

/// An ensemble over the whole period whose replica `i` runs with the parameters `thetas[i]`
/// and the seed of replica `i` of `request.seed`: the same outputs as `tumen run --replicas N`,
/// its summary saying that the bands include parameter uncertainty.
///
/// # Errors
/// When a scenario does not load at a parameter vector, or a run stops.
pub fn posterior_ensemble(
    prepared: &Prepared,
    request: &RunRequest,
    setup: &Parameterised,
    thetas: &[Vec<f64>],
) -> Result<RunOutput, Error> {
    posterior_ensemble_spread(prepared, request, setup, thetas, &Local)?
        .ok_or_else(|| Error::Internal("a local ensemble returned nothing".to_owned()))
}

/// The plan of a posterior ensemble and its per-replica scenario function (replica `i` runs
/// with `thetas[i]`), for the one replica loop ([`Plan::execute_with`], or
/// [`Plan::execute_shard`] for a slice).
///
/// # Errors
/// When the plan cannot be made.
#[expect(
    clippy::type_complexity,
    reason = "a plan and its closure; a named type would need a boxed closure"
)]
pub fn posterior_plan<'a>(
    prepared: &Prepared,
    request: &RunRequest,
    setup: &'a Parameterised,
    thetas: &'a [Vec<f64>],
) -> Result<(Plan, impl Fn(u64) -> Result<Scenario, String> + Sync + 'a), Error> {
    let mut request = request.clone();
    request.replicas = Some(thetas.len() as u64);
    // The engine is the request's (`auto`: the count engine, as the calibration's particles,
    // unless the settings ask for per-agent output).
    let plan = Plan::new(prepared, &request)?;
    let days = request.days;
    let hook = move |index: u64| {
        let theta = usize::try_from(index)
            .ok()
            .and_then(|i| thetas.get(i))
            .ok_or_else(|| format!("no parameters were drawn for replica {index}"))?;
        setup.scenario(theta, days).map_err(|e| e.to_string())
    };
    Ok((plan, hook))
}

/// Says in `output`'s summary that its bands include parameter uncertainty, drawn for
/// `setup`'s parameters.
fn mark_posterior(output: &mut RunOutput, setup: &Parameterised, thetas: &[Vec<f64>]) {
    let summary = &mut output.summary;
    if let Some(ensemble_summary) = &mut summary.ensemble {
        ensemble_summary.uncertainty = PARAMETER_AND_SEED;
    }
    summary.notes.push(format!(
        "replica i's parameters are drawn from a posterior ({} parameters: {}); see parameters.csv",
        setup.parameters.len(),
        setup.parameters.names().collect::<Vec<_>>().join(", ")
    ));
    output.ensemble_outputs = true;
    output.formats = Vec::new();
    output.replica_outputs = false;
    output.parameters = Some(DrawnParameters {
        names: setup.parameters.names().map(ToOwned::to_owned).collect(),
        thetas: thetas.to_vec(),
    });
}

impl Calibration {
    /// Writes `posterior.csv`, `generations.csv`, `score.json`, `report.html` and `forecast/` (with
    /// `parameters.csv`) into `dir`; returns the files written.
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            action: "create",
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files = Vec::new();
        let mut put = |name: &str, bytes: Vec<u8>| -> Result<(), Error> {
            let path = dir.join(name);
            tumen_output::write_atomic(&path, |w| w.write_all(&bytes))
                .map_err(|e| Error::write(&path, e))?;
            files.push(path);
            Ok(())
        };
        let mut posterior = Vec::new();
        self.result
            .posterior
            .write_csv(&mut posterior)
            .map_err(|e| Error::write(dir.join("posterior.csv"), e))?;
        put("posterior.csv", posterior)?;
        let mut generations = Vec::new();
        abc::write_generations_csv(&self.result.generations, &mut generations)
            .map_err(|e| Error::write(dir.join("generations.csv"), e))?;
        put("generations.csv", generations)?;
        let mut score = serde_json::to_vec_pretty(&self.score)
            .map_err(|e| Error::Internal(format!("score.json: {e}")))?;
        score.push(b'\n');
        put("score.json", score)?;
        put(
            "report.html",
            tumen_report::render_calibration(&self.report).into_bytes(),
        )?;
        // `forecast/` holds `parameters.csv`, as every run drawn from a posterior does.
        let written = self.forecast.write(&dir.join("forecast"))?;
        files.extend(written.files);
        Ok(files)
    }
}

/// The posterior a run draws each replica's parameters from, as `tumen run` chooses it: the
/// file given (`--posterior`), else the one the scenario ships unless `no_posterior`. The
/// second value says where a shipped posterior was read (`None` for a file given).
///
/// # Errors
/// As [`read_posterior`] and [`crate::shipped_posterior`].
pub fn posterior_for_run(
    prepared: &Prepared,
    given: Option<&Path>,
    no_posterior: bool,
) -> Result<Option<(Posterior, Option<String>)>, Error> {
    match given {
        Some(path) => Ok(Some((read_posterior(path)?, None))),
        None if no_posterior => Ok(None),
        None => Ok(crate::shipped_posterior(prepared)?
            .map(|(posterior, origin)| (posterior, Some(origin)))),
    }
}

/// Reads a posterior file (`posterior.csv`).
///
/// # Errors
/// [`Error::Unreadable`], or [`Error::Request`] with the located problem.
pub fn read_posterior(path: &Path) -> Result<Posterior, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Unreadable {
        path: path.display().to_string(),
        source,
    })?;
    Posterior::read_csv(&text, &path.display().to_string())
        .map_err(|e| Error::Request(e.to_string()))
}

/// `tumen run --posterior FILE`: an ensemble of `request.replicas` (default
/// [`crate::DEFAULT_REPLICAS`]) whose replica `i` runs with parameters drawn from `posterior`
/// (weighted resampling seeded by the run's seed) and the seed of replica `i`, so the bands
/// include parameter uncertainty (the summary says so). The posterior's columns are the
/// parameters' keys, as `tumen calibrate` writes them.
///
/// # Errors
/// [`Error::Request`] for a posterior without particles or with a key the scenario lacks;
/// [`Error::Run`] when a replica stops. The output carries each replica's parameters
/// (`parameters.csv`).
pub fn run_with_posterior(
    prepared: &Prepared,
    request: &RunRequest,
    posterior: &Posterior,
) -> Result<RunOutput, Error> {
    let (setup, thetas) = posterior_draws(prepared, request, posterior)?;
    let mut output = posterior_ensemble(prepared, request, &setup, &thetas)?;
    output.formats.clone_from(&request.formats);
    output.replica_outputs = request.replica_outputs;
    Ok(output)
}

/// The parameterised scenario of `tumen run --posterior` and each replica's parameters, drawn
/// from `posterior` (see [`run_with_posterior`]); with [`posterior_plan`], a shard of such a
/// run.
///
/// # Errors
/// [`Error::Request`] for a posterior without particles or with a key the scenario lacks.
pub fn posterior_draws(
    prepared: &Prepared,
    request: &RunRequest,
    posterior: &Posterior,
) -> Result<(Parameterised, Vec<Vec<f64>>), Error> {
    if posterior.particles.is_empty() {
        return Err(Error::Request("the posterior has no particles".to_owned()));
    }
    // The keys are what matters here; each prior is the posterior's range (never sampled).
    let parameters = posterior
        .parameters
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let values = posterior.particles.iter().map(|p| p.theta[index]);
            let low = values.clone().fold(f64::INFINITY, f64::min);
            let high = values.fold(f64::NEG_INFINITY, f64::max);
            let high = if high > low {
                high
            } else {
                low + low.abs().max(1.0) * 1e-9
            };
            Parameter {
                name: name.clone(),
                prior: Prior::Uniform { low, high },
            }
        })
        .collect();
    let parameters = ParameterSet::new(parameters)
        .map_err(|error| Error::Request(format!("the posterior's parameters: {error}")))?;
    // The command line's `--set` and `--settings` apply to every replica; a `--set` of a
    // parameter the posterior draws would be overwritten by the draw, so it is refused.
    for set in &request.overrides {
        let key = set
            .split_once('=')
            .map_or(set.as_str(), |(key, _)| key)
            .trim();
        if posterior.parameters.iter().any(|name| name == key) {
            return Err(Error::Request(format!(
                "`--set {set}`: `{key}` is a parameter of the posterior, drawn for each \
                 replica; run with `--no-posterior` to set it"
            )));
        }
    }
    let setup = Parameterised {
        files: read_files(&prepared.source)?,
        parameters,
        spec_origin: "posterior".to_owned(),
        fixed: FixedInputs {
            settings_path: request.settings.clone(),
            overrides: request.overrides.clone(),
        },
    };
    let replicas = request.replicas.unwrap_or(crate::DEFAULT_REPLICAS).max(1);
    let thetas = posterior.sample(
        usize::try_from(replicas).unwrap_or(usize::MAX),
        request.seed ^ 0x504f_5354,
    );
    Ok((setup, thetas))
}

// Spreading a calibration's runs over processes (issue 16). ABC-SMC's model runs go through
// `SpreadModel`; the baseline's and the forecast's replicas travel as traces and are replayed
// by the process that writes, as `tumen run` under MPI does.

/// The ABC model whose batches of runs are computed where a [`Spread`] says. Under several
/// processes, every process follows the generations and gets every distance (a distance is a
/// pure function of its parameters and seed), so each draws the next proposals exactly as the
/// others do; in one process, the runs are the model's own parallel loop.
struct SpreadModel<'a, F> {
    model: F,
    spread: &'a dyn Spread,
}

impl<F> abc::Model for SpreadModel<'_, F>
where
    F: Fn(&[f64], u64) -> Result<f64, Box<Error>> + Sync,
{
    type Error = Box<Error>;

    fn distance(&self, theta: &[f64], seed: u64) -> Result<f64, Box<Error>> {
        (self.model)(theta, seed)
    }

    fn distances(&self, runs: &[(&[f64], u64)]) -> Vec<Result<f64, Box<Error>>> {
        use rayon::prelude::*;
        if !self.spread.is_distributed() {
            return runs
                .par_iter()
                .map(|&(theta, seed)| self.distance(theta, seed))
                .collect();
        }
        let work = |indices: &[u64]| -> Result<Vec<Vec<u8>>, Error> {
            indices
                .par_iter()
                .map(|&index| {
                    let &(theta, seed) = usize::try_from(index)
                        .ok()
                        .and_then(|i| runs.get(i))
                        .ok_or_else(|| Error::Internal(format!("no model run {index}")))?;
                    self.distance(theta, seed).map(encode_f64).map_err(|e| *e)
                })
                .collect()
        };
        let distances = self
            .spread
            .spread(runs.len() as u64, true, &work)
            .and_then(|all| {
                all.ok_or_else(|| Error::Internal("the distances did not come back".to_owned()))?
                    .iter()
                    .map(|bytes| decode_f64(bytes))
                    .collect::<Result<Vec<f64>, Error>>()
            });
        match distances {
            Ok(distances) => distances.into_iter().map(Ok).collect(),
            // The batch failed somewhere: its first run carries the error, which stops the
            // calibration.
            Err(error) => std::iter::once(Err(Box::new(error)))
                .chain((1..runs.len()).map(|_| {
                    Err(Box::new(Error::Internal(
                        "a run of a failed batch".to_owned(),
                    )))
                }))
                .collect(),
        }
    }
}

/// The ensemble output of the baseline (the scenario's own values, seeds only), its replicas
/// computed where `spread` says; `None` on a process that only helped.
fn baseline_output(
    prepared: &Prepared,
    request: &RunRequest,
    spread: &dyn Spread,
) -> Result<Option<RunOutput>, Error> {
    let mut plan = Plan::new(prepared, request)?;
    if spread.is_distributed() {
        let record = |indices: &[u64]| plan.record(indices, None, &NoProgress);
        let Some(traces) = spread_traces(spread, plan.replicas, &record)? else {
            return Ok(None);
        };
        plan.request.replay = Some(std::sync::Arc::new(traces));
    }
    plan.execute(&NoProgress).map(Some)
}

/// [`posterior_ensemble`] with its replicas computed where `spread` says; `None` on a process
/// that only helped.
///
/// # Errors
/// As [`posterior_ensemble`], and the first failure of any process.
pub fn posterior_ensemble_spread(
    prepared: &Prepared,
    request: &RunRequest,
    setup: &Parameterised,
    thetas: &[Vec<f64>],
    spread: &dyn Spread,
) -> Result<Option<RunOutput>, Error> {
    let (mut plan, hook) = posterior_plan(prepared, request, setup, thetas)?;
    if spread.is_distributed() {
        let record = |indices: &[u64]| plan.record(indices, Some(&hook), &NoProgress);
        let Some(traces) = spread_traces(spread, plan.replicas, &record)? else {
            return Ok(None);
        };
        plan.request.replay = Some(std::sync::Arc::new(traces));
    }
    let mut output = plan.execute_with(&NoProgress, Some(&hook))?;
    mark_posterior(&mut output, setup, thetas);
    Ok(Some(output))
}
