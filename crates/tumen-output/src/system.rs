//! The seed's system in numbers: what each replica's people did per day (categories and events,
//! recorded by [`SystemObserver`]), summed per calendar year and per week, summarised over an
//! ensemble ([`SystemEnsemble`]: medians and 5 %/95 % quantiles), compared between a baseline
//! and a policy variant with paired replicas ([`compare`]), and checked against calibration
//! targets ([`read_targets`], [`SystemEnsemble::evaluate_targets`]).
//!
//! Periods:
//! - a **year** is a calendar year (only its simulated days when the run starts or ends inside
//!   it);
//! - a **week** is seven days counted from the scenario's start date (day 0–6, 7–13, …), so
//!   every week is complete except perhaps the last; it is labelled by the date of its first
//!   day.
//!
//! Quantities per period: `crossings`, `returns`, `deportations` (the engine's `detentions`:
//! every detected person is deported to a site in the origin country) and `asylum_exits` are
//! sums of the day's events; `hidden` is the number of people hiding in the irregular countries
//! (categories `hidden` + `seeking_asylum` + `returning`) on the period's last simulated day.
//!
//! Quantiles over replicas interpolate linearly between order statistics (as
//! `tumen-ensemble`'s bands do).

use jiff::civil::Date;
use std::fmt::Write as _;
use std::io::Write;
use tumen_core::Scenario;
use tumen_engine::{CATEGORIES, DayView, EVENTS, Observer, ObserverError};

/// The quantities written per year and per week, in column order.
pub const QUANTITIES: [&str; 5] = [
    "crossings",
    "returns",
    "deportations",
    "asylum_exits",
    "hidden",
];

/// The engine event behind each summed quantity (the first four of [`QUANTITIES`]).
const QUANTITY_EVENTS: [&str; 4] = ["crossings", "returns", "detentions", "asylum_exits"];

/// The categories counted as hiding in an irregular country.
const HIDING: [&str; 3] = ["hidden", "seeking_asylum", "returning"];

/// The columns of `yearly.csv`.
pub const YEARLY_COLUMNS: &str =
    "year,crossings,returns,deportations,asylum_exits,hidden_at_year_end";
/// The columns of `weekly.csv`.
pub const WEEKLY_COLUMNS: &str = "week_start,crossings,returns,deportations,asylum_exits,hidden";
/// The columns of `status.csv`.
pub const STATUS_COLUMNS: &str = "day,date,status,people";
/// The columns of the written `targets.csv`.
pub const TARGET_COLUMNS: &str =
    "target,documented_low,documented_high,simulated_median,simulated_p05,simulated_p95,inside";
/// The columns of `comparison.csv`.
pub const COMPARISON_COLUMNS: &str =
    "variant,year,quantity,baseline_median,variant_median,difference,difference_p05,difference_p95";

/// What the numbers of a run refer to: the calendar and the names of the event slots.
#[derive(Clone, Debug, PartialEq)]
pub struct SystemLayout {
    /// Date of day 0.
    pub start_date: Date,
    /// Number of simulated days.
    pub days: u32,
    /// Name of each event slot: [`EVENTS`], then `detentions@<region>` per enforcement region,
    /// then `claims@<channel>` per asylum channel.
    pub event_names: Vec<String>,
}

impl SystemLayout {
    /// The layout of a scenario's runs.
    #[must_use]
    pub fn of(scenario: &Scenario) -> Self {
        let mechanisms = &scenario.mechanisms;
        let mut event_names: Vec<String> = EVENTS.iter().map(|&e| e.to_owned()).collect();
        if let Some(enforcement) = &mechanisms.enforcement {
            event_names.extend(
                enforcement
                    .regions
                    .iter()
                    .map(|r| format!("detentions@{}", r.name)),
            );
        }
        if let Some(asylum) = &mechanisms.asylum {
            event_names.extend(asylum.channels.iter().map(|c| format!("claims@{}", c.name)));
        }
        Self {
            start_date: scenario.start_date,
            days: scenario.days,
            event_names,
        }
    }

    /// The date of `day`.
    #[must_use]
    pub fn date(&self, day: u32) -> Date {
        self.start_date
            .checked_add(jiff::Span::new().days(i64::from(day)))
            .unwrap_or(self.start_date)
    }

    /// The day number of `date` (negative before the start).
    fn day_of(&self, date: Date) -> Option<i64> {
        self.start_date
            .until(date)
            .ok()
            .map(|span| i64::from(span.get_days()))
    }

    fn event_slot(&self, name: &str) -> Option<usize> {
        self.event_names.iter().position(|n| n == name)
    }
}

/// One replica's days: people per category and the day's events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemRecord {
    /// `[day][category]`, categories as in [`CATEGORIES`].
    pub status: Vec<Vec<u64>>,
    /// `[day][event slot]`, slots as in [`SystemLayout::event_names`].
    pub events: Vec<Vec<u64>>,
}

impl SystemRecord {
    fn event(&self, day: usize, slot: usize) -> u64 {
        self.events
            .get(day)
            .and_then(|e| e.get(slot))
            .copied()
            .unwrap_or(0)
    }

    fn category(&self, day: usize, category: usize) -> u64 {
        self.status
            .get(day)
            .and_then(|s| s.get(category))
            .copied()
            .unwrap_or(0)
    }
}

/// Records the categories and events of every day (nothing for a run without mechanisms).
#[derive(Debug, Default)]
pub struct SystemObserver {
    record: SystemRecord,
}

impl SystemObserver {
    /// An empty recorder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// What was recorded.
    #[must_use]
    pub fn into_record(self) -> SystemRecord {
        self.record
    }
}

impl Observer for SystemObserver {
    fn on_day(&mut self, view: &DayView<'_>) -> Result<(), ObserverError> {
        if view.status_counts.is_empty() && view.events.is_empty() {
            return Ok(());
        }
        self.record.status.push(view.status_counts.to_vec());
        self.record.events.push(view.events.to_vec());
        Ok(())
    }
}

/// How days are grouped.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Periods {
    /// Calendar years.
    Years,
    /// Seven-day weeks from the start date.
    Weeks,
}

/// One period of one replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// The calendar year (of the first day, for a week).
    pub year: i16,
    /// Date of the period's first simulated day.
    pub start: Date,
    /// First and last simulated day of the period.
    pub first_day: u32,
    /// Last simulated day of the period (inclusive).
    pub last_day: u32,
    /// The [`QUANTITIES`], in order.
    pub values: [u64; 5],
}

fn category_index(name: &str) -> usize {
    CATEGORIES.iter().position(|&c| c == name).unwrap_or(0)
}

/// The periods of days `0..days`: `(first, last)` inclusive.
fn period_bounds(layout: &SystemLayout, days: u32, periods: Periods) -> Vec<(u32, u32)> {
    let mut bounds: Vec<(u32, u32)> = Vec::new();
    for day in 0..days {
        let new_period = match periods {
            Periods::Weeks => day % 7 == 0,
            Periods::Years => day == 0 || layout.date(day).year() != layout.date(day - 1).year(),
        };
        match bounds.last_mut() {
            Some(last) if !new_period => last.1 = day,
            _ => bounds.push((day, day)),
        }
    }
    bounds
}

/// Sums one replica's days per period.
#[must_use]
pub fn aggregate(layout: &SystemLayout, record: &SystemRecord, periods: Periods) -> Vec<Period> {
    let days = u32::try_from(record.status.len().max(record.events.len())).unwrap_or(u32::MAX);
    let slots: Vec<Option<usize>> = QUANTITY_EVENTS
        .iter()
        .map(|e| layout.event_slot(e))
        .collect();
    let hiding: Vec<usize> = HIDING.iter().map(|c| category_index(c)).collect();
    period_bounds(layout, days, periods)
        .into_iter()
        .map(|(first, last)| {
            let mut values = [0_u64; 5];
            for day in first..=last {
                for (value, slot) in values.iter_mut().zip(&slots) {
                    if let Some(slot) = *slot {
                        *value += record.event(day as usize, slot);
                    }
                }
            }
            values[4] = hiding
                .iter()
                .map(|&c| record.category(last as usize, c))
                .sum();
            let start = layout.date(first);
            Period {
                year: start.year(),
                start,
                first_day: first,
                last_day: last,
                values,
            }
        })
        .collect()
}

/// The `q` quantile of sorted values (linear interpolation between order statistics; NaN for
/// no values).
#[must_use]
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[expect(clippy::cast_precision_loss, reason = "replica counts are small")]
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a non-negative index"
    )]
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - position.floor();
    if sorted[below] == sorted[above] || fraction == 0.0 {
        // Also keeps infinities (a ratio over zero) from becoming NaN.
        return sorted[below];
    }
    sorted[below] + fraction * (sorted[above] - sorted[below])
}

/// Median and 5 % / 95 % quantiles over replicas.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Band {
    /// Median.
    pub median: f64,
    /// 5 % quantile.
    pub p05: f64,
    /// 95 % quantile.
    pub p95: f64,
}

impl Band {
    /// The band of some values (NaN values are left out; all NaN for none).
    #[must_use]
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut sorted: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        sorted.sort_by(f64::total_cmp);
        Self {
            median: quantile(&sorted, 0.5),
            p05: quantile(&sorted, 0.05),
            p95: quantile(&sorted, 0.95),
        }
    }
}

/// One period summarised over replicas.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodBands {
    /// The calendar year (of the first day, for a week).
    pub year: i16,
    /// Date of the period's first simulated day.
    pub start: Date,
    /// A band per [`QUANTITIES`] entry.
    pub bands: [Band; 5],
}

/// A number as written in the CSV files: at most 3 decimals, `inf`, or empty for NaN.
#[must_use]
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        let rounded = (value * 1000.0).round() / 1000.0;
        if rounded == 0.0 {
            "0".to_owned()
        } else {
            format!("{rounded}")
        }
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Why two ensembles cannot be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// Different numbers of replicas.
    #[error("the baseline has {baseline} replicas and the variant {variant}: they must be paired")]
    Replicas {
        /// Baseline replicas.
        baseline: usize,
        /// Variant replicas.
        variant: usize,
    },
    /// Different calendars.
    #[error(
        "the variant simulates other days than the baseline (start {variant_start}, {variant_days} days; baseline start {baseline_start}, {baseline_days} days)"
    )]
    Calendar {
        /// Baseline start.
        baseline_start: Date,
        /// Baseline days.
        baseline_days: usize,
        /// Variant start.
        variant_start: Date,
        /// Variant days.
        variant_days: usize,
    },
}

/// The replicas of one scenario, as recorded by [`SystemObserver`].
#[derive(Clone, Debug, PartialEq)]
pub struct SystemEnsemble {
    /// What the numbers refer to.
    pub layout: SystemLayout,
    /// The replicas, in index order.
    pub replicas: Vec<SystemRecord>,
}

impl SystemEnsemble {
    /// Days recorded (the shortest replica's).
    #[must_use]
    pub fn days(&self) -> usize {
        self.replicas
            .iter()
            .map(|r| r.status.len().min(r.events.len()))
            .min()
            .unwrap_or(0)
    }

    /// Each replica's periods.
    #[must_use]
    pub fn replica_periods(&self, periods: Periods) -> Vec<Vec<Period>> {
        self.replicas
            .iter()
            .map(|r| aggregate(&self.layout, r, periods))
            .collect()
    }

    /// The periods summarised over replicas.
    #[must_use]
    pub fn periods(&self, periods: Periods) -> Vec<PeriodBands> {
        let per_replica = self.replica_periods(periods);
        let Some(first) = per_replica.first() else {
            return Vec::new();
        };
        first
            .iter()
            .enumerate()
            .map(|(index, period)| PeriodBands {
                year: period.year,
                start: period.start,
                bands: std::array::from_fn(|q| {
                    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
                    Band::of(
                        per_replica
                            .iter()
                            .filter_map(|r| r.get(index))
                            .map(|p| p.values[q] as f64),
                    )
                }),
            })
            .collect()
    }

    /// Writes `yearly.csv` ([`YEARLY_COLUMNS`]; ensemble medians).
    ///
    /// # Errors
    /// Any write error.
    pub fn write_yearly_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{YEARLY_COLUMNS}")?;
        for period in self.periods(Periods::Years) {
            writeln!(w, "{},{}", period.year, medians(&period.bands))?;
        }
        Ok(())
    }

    /// Writes `weekly.csv` ([`WEEKLY_COLUMNS`]; ensemble medians).
    ///
    /// # Errors
    /// Any write error.
    pub fn write_weekly_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{WEEKLY_COLUMNS}")?;
        for period in self.periods(Periods::Weeks) {
            writeln!(w, "{},{}", period.start, medians(&period.bands))?;
        }
        Ok(())
    }

    /// Writes `status.csv` ([`STATUS_COLUMNS`]): the median over replicas of the people in
    /// each category on each day, one row per day and category.
    ///
    /// # Errors
    /// Any write error.
    pub fn write_status_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{STATUS_COLUMNS}")?;
        for day in 0..self.days() {
            let date = self.layout.date(u32::try_from(day).unwrap_or(u32::MAX));
            for (index, name) in CATEGORIES.iter().enumerate() {
                #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
                let band = Band::of(self.replicas.iter().map(|r| r.category(day, index) as f64));
                writeln!(w, "{day},{date},{name},{}", format_number(band.median))?;
            }
        }
        Ok(())
    }

    /// Evaluates calibration targets over the replicas. Rows that cannot be evaluated get a
    /// [`TargetOutcome::Failed`] with the reason, rows whose dates the run does not cover a
    /// [`TargetOutcome::OutsideRun`]; rows without a measure are
    /// [`TargetOutcome::NotSimulated`].
    #[must_use]
    pub fn evaluate_targets(&self, targets: &[TargetRow]) -> Vec<TargetResult> {
        targets.iter().map(|row| self.evaluate(row)).collect()
    }

    fn evaluate(&self, row: &TargetRow) -> TargetResult {
        let outcome = match self.values_of(row) {
            Ok(None) => TargetOutcome::NotSimulated,
            Ok(Some(values)) => {
                let band = Band::of(values);
                if band.median.is_nan() {
                    TargetOutcome::Failed(
                        "no replica gives a value (a ratio of zero over zero in every replica)"
                            .to_owned(),
                    )
                } else {
                    let inside = is_inside(row.low, row.high, &band);
                    TargetOutcome::Evaluated { band, inside }
                }
            }
            Err(Unevaluable {
                reason,
                outside_run: true,
            }) => TargetOutcome::OutsideRun(reason),
            Err(Unevaluable { reason, .. }) => TargetOutcome::Failed(reason),
        };
        TargetResult {
            target: row.target.clone(),
            documented_low: row.documented_low.clone(),
            documented_high: row.documented_high.clone(),
            outcome,
        }
    }

    /// Per replica, the value of a target's measure (`None`: the row has no measure).
    fn values_of(&self, row: &TargetRow) -> Result<Option<Vec<f64>>, Unevaluable> {
        if row.measure.trim().is_empty() {
            return Ok(None);
        }
        if let Some(problem) = &row.problem {
            return Err(problem.clone().into());
        }
        let days = u32::try_from(self.days()).unwrap_or(u32::MAX);
        let measure = Measure::compile(row, &self.layout, days)?;
        Ok(Some(
            self.replicas.iter().map(|r| measure.value(r)).collect(),
        ))
    }
}

fn medians(bands: &[Band; 5]) -> String {
    bands
        .iter()
        .map(|b| format_number(b.median))
        .collect::<Vec<_>>()
        .join(",")
}

/// One row of a scenario's `mechanisms/targets.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetRow {
    /// Line in the file (1-based, the header is line 1).
    pub line: usize,
    /// The target's name.
    pub target: String,
    /// `sum`, `stock`, `peak_year`, `ratio_to_before`, or empty (not simulated).
    pub measure: String,
    /// Event or category names joined by `+`.
    pub quantity: String,
    /// First day (ISO date; may be empty).
    pub start: String,
    /// Last day (ISO date; may be empty).
    pub end: String,
    /// The lower bound as written (empty: unbounded).
    pub documented_low: String,
    /// The upper bound as written (empty: unbounded).
    pub documented_high: String,
    /// Parsed lower bound.
    pub low: Option<f64>,
    /// Parsed upper bound.
    pub high: Option<f64>,
    /// Sources.
    pub source: String,
    /// Note.
    pub note: String,
    /// A problem of the row found while reading it (a bound that is not a number).
    pub problem: Option<String>,
}

/// Why a targets file cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetsError {
    /// A required column is missing.
    #[error("the targets file has no `{0}` column")]
    MissingColumn(&'static str),
    /// The CSV is malformed.
    #[error("the targets file is not valid CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// Reads a targets table (`target,measure,quantity,start,end,documented_low,documented_high,
/// source,note`; other columns are ignored, `source` and `note` may be missing).
///
/// # Errors
/// Malformed CSV, or a missing required column.
pub fn read_targets(text: &str) -> Result<Vec<TargetRow>, TargetsError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers()?.clone();
    let column = |name: &'static str| headers.iter().position(|h| h == name);
    let required = |name: &'static str| column(name).ok_or(TargetsError::MissingColumn(name));
    let target = required("target")?;
    let measure = required("measure")?;
    let quantity = required("quantity")?;
    let start = required("start")?;
    let end = required("end")?;
    let low = required("documented_low")?;
    let high = required("documented_high")?;
    let source = column("source");
    let note = column("note");
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let line = record
            .position()
            .and_then(|p| usize::try_from(p.line()).ok())
            .unwrap_or(0);
        let field = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let documented_low = field(Some(low));
        let documented_high = field(Some(high));
        let mut problem = None;
        let mut bound = |text: &str, column: &str| -> Option<f64> {
            if text.is_empty() {
                return None;
            }
            match text.replace('_', "").parse::<f64>() {
                Ok(value) if value.is_finite() => Some(value),
                _ => {
                    problem = Some(format!("`{column}` is `{text}`, not a number"));
                    None
                }
            }
        };
        let low_value = bound(&documented_low, "documented_low");
        let high_value = bound(&documented_high, "documented_high");
        rows.push(TargetRow {
            line,
            target: field(Some(target)),
            measure: field(Some(measure)),
            quantity: field(Some(quantity)),
            start: field(Some(start)),
            end: field(Some(end)),
            low: low_value,
            high: high_value,
            documented_low,
            documented_high,
            source: field(source),
            note: field(note),
            problem,
        });
    }
    Ok(rows)
}

/// What became of one target.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetOutcome {
    /// Evaluated over the replicas.
    Evaluated {
        /// The simulated values over replicas.
        band: Band,
        /// Whether the median lies within the documented bounds.
        inside: bool,
    },
    /// The row has no measure: the model does not simulate it.
    NotSimulated,
    /// The row cannot be evaluated; the reason.
    Failed(String),
    /// The row's dates lie outside the simulated days (a shortened run); the reason.
    OutsideRun(String),
}

/// One row of the written `targets.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetResult {
    /// The target's name.
    pub target: String,
    /// The lower bound as written.
    pub documented_low: String,
    /// The upper bound as written.
    pub documented_high: String,
    /// The outcome.
    pub outcome: TargetOutcome,
}

impl TargetResult {
    /// Whether the median lies within the bounds (`None`: not evaluated).
    #[must_use]
    pub fn inside(&self) -> Option<bool> {
        match self.outcome {
            TargetOutcome::Evaluated { inside, .. } => Some(inside),
            _ => None,
        }
    }
}

/// Whether a target is met. A documented value or range with both bounds (an official count,
/// or a survey's range): it overlaps the ensemble's 5-95 % band (no model reproduces an exact
/// count, but its band must cover it). A one-sided bound (an upper envelope, a lower bound):
/// the simulated median respects it.
fn is_inside(low: Option<f64>, high: Option<f64>, band: &Band) -> bool {
    match (low, high) {
        (Some(low), Some(high)) => band.p05 <= high && low <= band.p95,
        _ => {
            low.is_none_or(|low| band.median >= low) && high.is_none_or(|high| band.median <= high)
        }
    }
}

/// Writes `targets.csv` ([`TARGET_COLUMNS`]); `inside` is empty for rows not evaluated.
///
/// # Errors
/// Any write error.
pub fn write_targets_csv(results: &[TargetResult], w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "{TARGET_COLUMNS}")?;
    for result in results {
        let (median, p05, p95, inside) = match &result.outcome {
            TargetOutcome::Evaluated { band, inside } => (
                format_number(band.median),
                format_number(band.p05),
                format_number(band.p95),
                inside.to_string(),
            ),
            _ => (String::new(), String::new(), String::new(), String::new()),
        };
        writeln!(
            w,
            "{},{},{},{median},{p05},{p95},{inside}",
            csv_field(&result.target),
            csv_field(&result.documented_low),
            csv_field(&result.documented_high),
        )?;
    }
    Ok(())
}

/// The target table as text for a terminal: one line per target.
#[must_use]
pub fn targets_table(results: &[TargetResult]) -> String {
    let width = results
        .iter()
        .map(|r| r.target.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:<width$}  {:>17}  {:>28}  inside",
        "target", "documented", "simulated median [p05, p95]"
    );
    for result in results {
        let documented = match (
            result.documented_low.as_str(),
            result.documented_high.as_str(),
        ) {
            (low, high) if low == high => low.to_owned(),
            ("", high) => format!("≤ {high}"),
            (low, "") => format!("≥ {low}"),
            (low, high) => format!("{low}–{high}"),
        };
        let (simulated, inside) = match &result.outcome {
            TargetOutcome::Evaluated { band, inside } => (
                format!(
                    "{} [{}, {}]",
                    format_number(band.median),
                    format_number(band.p05),
                    format_number(band.p95)
                ),
                if *inside { "yes" } else { "NO" }.to_owned(),
            ),
            TargetOutcome::NotSimulated => ("not simulated".to_owned(), "-".to_owned()),
            TargetOutcome::Failed(_) => ("not evaluated".to_owned(), "?".to_owned()),
            TargetOutcome::OutsideRun(_) => {
                ("not in the simulated days".to_owned(), "-".to_owned())
            }
        };
        let _ = writeln!(
            text,
            "{:<width$}  {documented:>17}  {simulated:>28}  {inside}",
            result.target
        );
    }
    let evaluated = results.iter().filter(|r| r.inside().is_some()).count();
    let inside = results.iter().filter(|r| r.inside() == Some(true)).count();
    let _ = write!(
        text,
        "{inside} of {evaluated} evaluated targets inside their documented range"
    );
    let outside = results
        .iter()
        .filter(|r| matches!(r.outcome, TargetOutcome::OutsideRun(_)))
        .count();
    if outside > 0 {
        let _ = write!(text, " ({outside} need days this run does not simulate)");
    }
    text
}

/// Why a target cannot be evaluated.
#[derive(Debug)]
struct Unevaluable {
    reason: String,
    /// Its dates lie outside the simulated days (everything else is right).
    outside_run: bool,
}

impl From<String> for Unevaluable {
    fn from(reason: String) -> Self {
        Self {
            reason,
            outside_run: false,
        }
    }
}

/// A target's measure, resolved against a layout.
#[derive(Clone, Debug, PartialEq)]
enum Measure {
    /// Sum of event slots over days `first..=last`.
    Sum {
        slots: Vec<usize>,
        first: usize,
        last: usize,
    },
    /// Sum of categories on `day`.
    Stock { categories: Vec<usize>, day: usize },
    /// The calendar year with the largest sum of the slots over `first..=last` (the earliest
    /// on ties).
    PeakYear {
        slots: Vec<usize>,
        years: Vec<(i16, usize, usize)>,
    },
    /// Mean daily sum over `first..=last` over the mean over as many days before.
    Ratio {
        slots: Vec<usize>,
        first: usize,
        last: usize,
    },
}

impl Measure {
    fn compile(row: &TargetRow, layout: &SystemLayout, days: u32) -> Result<Self, Unevaluable> {
        let measure = row.measure.trim();
        match measure {
            "sum" => {
                let slots = event_slots(row, layout)?;
                let (first, last) = period(row, layout, days, false)?;
                Ok(Self::Sum { slots, first, last })
            }
            "stock" => {
                let categories = row
                    .quantity
                    .split('+')
                    .map(|name| {
                        let name = name.trim();
                        CATEGORIES.iter().position(|&c| c == name).ok_or_else(|| {
                            format!(
                                "unknown category `{name}` in quantity `{}` (known: {})",
                                row.quantity,
                                CATEGORIES.join(", ")
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let text = if row.end.is_empty() {
                    &row.start
                } else {
                    &row.end
                };
                let day = day_in_run(text, "end", layout, days)?;
                Ok(Self::Stock { categories, day })
            }
            "peak_year" => {
                let slots = event_slots(row, layout)?;
                let (first, last) = period(row, layout, days, true)?;
                let mut years: Vec<(i16, usize, usize)> = Vec::new();
                for day in first..=last {
                    let year = layout.date(u32::try_from(day).unwrap_or(u32::MAX)).year();
                    match years.last_mut() {
                        Some(entry) if entry.0 == year => entry.2 = day,
                        _ => years.push((year, day, day)),
                    }
                }
                Ok(Self::PeakYear { slots, years })
            }
            "ratio_to_before" => {
                let slots = event_slots(row, layout)?;
                let (first, last) = period(row, layout, days, false)?;
                let length = last - first + 1;
                if first < length {
                    return Err(Unevaluable {
                        reason: format!(
                            "the {length} days before {} start before the first simulated day ({})",
                            row.start, layout.start_date
                        ),
                        outside_run: true,
                    });
                }
                Ok(Self::Ratio { slots, first, last })
            }
            other => Err(format!(
                "unknown measure `{other}` (expected sum, stock, peak_year or ratio_to_before)"
            )
            .into()),
        }
    }

    fn value(&self, record: &SystemRecord) -> f64 {
        let sum = |slots: &[usize], first: usize, last: usize| -> u64 {
            (first..=last)
                .map(|day| slots.iter().map(|&s| record.event(day, s)).sum::<u64>())
                .sum()
        };
        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
        match self {
            Self::Sum { slots, first, last } => sum(slots, *first, *last) as f64,
            Self::Stock { categories, day } => categories
                .iter()
                .map(|&c| record.category(*day, c))
                .sum::<u64>() as f64,
            Self::PeakYear { slots, years } => {
                let mut best: Option<(i16, u64)> = None;
                for &(year, first, last) in years {
                    let total = sum(slots, first, last);
                    if best.is_none_or(|(_, b)| total > b) {
                        best = Some((year, total));
                    }
                }
                best.map_or(f64::NAN, |(year, _)| f64::from(year))
            }
            Self::Ratio { slots, first, last } => {
                let length = last - first + 1;
                let after = sum(slots, *first, *last) as f64;
                let before = sum(slots, first - length, first - 1) as f64;
                // Same number of days on both sides: the ratio of sums is the ratio of means.
                if before == 0.0 {
                    if after == 0.0 {
                        f64::NAN
                    } else {
                        f64::INFINITY
                    }
                } else {
                    after / before
                }
            }
        }
    }
}

fn event_slots(row: &TargetRow, layout: &SystemLayout) -> Result<Vec<usize>, String> {
    if row.quantity.trim().is_empty() {
        return Err("the quantity is empty".to_owned());
    }
    row.quantity
        .split('+')
        .map(|name| {
            let name = name.trim();
            layout.event_slot(name).ok_or_else(|| {
                format!(
                    "unknown event `{name}` in quantity `{}` (known: {})",
                    row.quantity,
                    layout.event_names.join(", ")
                )
            })
        })
        .collect()
}

fn parse_date(text: &str, column: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| format!("`{column}` is `{text}`, not an ISO date (YYYY-MM-DD)"))
}

fn day_in_run(
    text: &str,
    column: &str,
    layout: &SystemLayout,
    days: u32,
) -> Result<usize, Unevaluable> {
    if text.trim().is_empty() {
        return Err(format!("`{column}` is empty").into());
    }
    let date = parse_date(text, column)?;
    match layout.day_of(date) {
        Some(day) if day >= 0 && day < i64::from(days) => {
            usize::try_from(day).map_err(|_| format!("`{column}` {text} is out of range").into())
        }
        _ => Err(Unevaluable {
            reason: format!(
                "{text} is outside the simulated days ({} to {})",
                layout.start_date,
                layout.date(days.saturating_sub(1))
            ),
            outside_run: true,
        }),
    }
}

/// The days `start..=end` of a row; with `whole_run_if_empty`, an empty start or end means
/// the run's first or last day.
fn period(
    row: &TargetRow,
    layout: &SystemLayout,
    days: u32,
    whole_run_if_empty: bool,
) -> Result<(usize, usize), Unevaluable> {
    if days == 0 {
        return Err("nothing was simulated".to_owned().into());
    }
    let first = if whole_run_if_empty && row.start.is_empty() {
        0
    } else {
        day_in_run(&row.start, "start", layout, days)?
    };
    let last = if whole_run_if_empty && row.end.is_empty() {
        days as usize - 1
    } else {
        day_in_run(&row.end, "end", layout, days)?
    };
    if first > last {
        return Err(format!("start {} is after end {}", row.start, row.end).into());
    }
    Ok((first, last))
}

/// One row of `comparison.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonRow {
    /// The variant's name.
    pub variant: String,
    /// The calendar year, or `None` for the whole run (`all`: sums over every day; `hidden`
    /// at the end of the run).
    pub year: Option<i16>,
    /// Index into [`QUANTITIES`].
    pub quantity: usize,
    /// Baseline median over replicas.
    pub baseline_median: f64,
    /// Variant median over replicas.
    pub variant_median: f64,
    /// Median, 5 % and 95 % quantiles of `variant − baseline` over paired replicas (same
    /// seed).
    pub difference: Band,
}

/// Compares a variant with the baseline per calendar year and over the whole run, pairing
/// replica `i` of one with replica `i` of the other (the same seed: common random numbers).
///
/// # Errors
/// When the ensembles have different replica counts or calendars.
pub fn compare(
    name: &str,
    baseline: &SystemEnsemble,
    variant: &SystemEnsemble,
) -> Result<Vec<ComparisonRow>, CompareError> {
    if baseline.replicas.len() != variant.replicas.len() {
        return Err(CompareError::Replicas {
            baseline: baseline.replicas.len(),
            variant: variant.replicas.len(),
        });
    }
    if baseline.layout.start_date != variant.layout.start_date || baseline.days() != variant.days()
    {
        return Err(CompareError::Calendar {
            baseline_start: baseline.layout.start_date,
            baseline_days: baseline.days(),
            variant_start: variant.layout.start_date,
            variant_days: variant.days(),
        });
    }
    let base = baseline.replica_periods(Periods::Years);
    let other = variant.replica_periods(Periods::Years);
    let whole = |periods: &[Period]| -> [u64; 5] {
        let mut values = [0_u64; 5];
        for period in periods {
            for (v, p) in values.iter_mut().zip(&period.values).take(4) {
                *v += p;
            }
        }
        values[4] = periods.last().map_or(0, |p| p.values[4]);
        values
    };
    let years: Vec<Option<i16>> = base
        .first()
        .map(|periods| periods.iter().map(|p| Some(p.year)).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (index, year) in years.iter().copied().chain([None]).enumerate() {
        let pick = |periods: &Vec<Period>| -> [u64; 5] {
            match year {
                Some(_) => periods.get(index).map_or([0; 5], |p| p.values),
                None => whole(periods),
            }
        };
        let base_values: Vec<[u64; 5]> = base.iter().map(pick).collect();
        let other_values: Vec<[u64; 5]> = other.iter().map(pick).collect();
        for quantity in 0..QUANTITIES.len() {
            #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
            let get = |values: &[[u64; 5]]| -> Vec<f64> {
                values.iter().map(|v| v[quantity] as f64).collect()
            };
            let (b, o) = (get(&base_values), get(&other_values));
            rows.push(ComparisonRow {
                variant: name.to_owned(),
                year,
                quantity,
                baseline_median: Band::of(b.iter().copied()).median,
                variant_median: Band::of(o.iter().copied()).median,
                difference: Band::of(o.iter().zip(&b).map(|(o, b)| o - b)),
            });
        }
    }
    Ok(rows)
}

/// Writes `comparison.csv` ([`COMPARISON_COLUMNS`]); the whole-run rows have the year `all`.
/// `difference` is the median of the paired differences `variant − baseline`.
///
/// # Errors
/// Any write error.
pub fn write_comparison_csv(rows: &[ComparisonRow], w: &mut dyn Write) -> std::io::Result<()> {
    writeln!(w, "{COMPARISON_COLUMNS}")?;
    for row in rows {
        let year = row.year.map_or_else(|| "all".to_owned(), |y| y.to_string());
        let quantity = if row.quantity == 4 && row.year.is_some() {
            "hidden_at_year_end"
        } else if row.quantity == 4 {
            "hidden_at_end"
        } else {
            QUANTITIES[row.quantity]
        };
        writeln!(
            w,
            "{},{year},{quantity},{},{},{},{},{}",
            csv_field(&row.variant),
            format_number(row.baseline_median),
            format_number(row.variant_median),
            format_number(row.difference.median),
            format_number(row.difference.p05),
            format_number(row.difference.p95),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EV_CROSSINGS: usize = 0;
    const EV_DETENTIONS: usize = 1;
    const EV_RETURNS: usize = 5;
    const EV_EXITS: usize = 9;

    fn layout(start: Date, days: u32) -> SystemLayout {
        let mut event_names: Vec<String> = EVENTS.iter().map(|&e| e.to_owned()).collect();
        event_names.push("detentions@North".to_owned());
        event_names.push("detentions@South".to_owned());
        event_names.push("claims@Embassy".to_owned());
        SystemLayout {
            start_date: start,
            days,
            event_names,
        }
    }

    fn cat(name: &str) -> usize {
        CATEGORIES.iter().position(|&c| c == name).unwrap()
    }

    /// Ten days from 2001-12-30, every number times `k`: crossings d+1, detentions 2d, returns
    /// 1 on even days, asylum exits d mod 3, detentions@North 1; hidden 100+d, seeking asylum
    /// 10, returning d, free 5, detained 7.
    fn record(k: u64) -> SystemRecord {
        let slots = EVENTS.len() + 3;
        let mut record = SystemRecord::default();
        for d in 0..10_u64 {
            let mut events = vec![0; slots];
            events[EV_CROSSINGS] = k * (d + 1);
            events[EV_DETENTIONS] = k * 2 * d;
            events[EV_RETURNS] = k * u64::from(d % 2 == 0);
            events[EV_EXITS] = k * (d % 3);
            events[EVENTS.len()] = k;
            record.events.push(events);
            let mut status = vec![0; CATEGORIES.len()];
            status[cat("hidden")] = k * (100 + d);
            status[cat("seeking_asylum")] = k * 10;
            status[cat("returning")] = k * d;
            status[cat("free")] = k * 5;
            status[cat("detained")] = k * 7;
            record.status.push(status);
        }
        record
    }

    fn start() -> Date {
        Date::constant(2001, 12, 30)
    }

    fn ensemble() -> SystemEnsemble {
        SystemEnsemble {
            layout: layout(start(), 10),
            replicas: vec![record(1), record(2), record(3)],
        }
    }

    #[test]
    fn years_split_at_new_year_and_hidden_is_taken_on_the_last_day() {
        let periods = aggregate(&layout(start(), 10), &record(1), Periods::Years);
        assert_eq!(periods.len(), 2);
        assert_eq!(
            (periods[0].year, periods[0].first_day, periods[0].last_day),
            (2001, 0, 1)
        );
        assert_eq!(
            (periods[1].year, periods[1].first_day, periods[1].last_day),
            (2002, 2, 9)
        );
        // crossings, returns, deportations, asylum exits, hidden (+ seeking + returning).
        assert_eq!(periods[0].values, [3, 1, 2, 1, 112]);
        assert_eq!(periods[1].values, [52, 4, 88, 8, 128]);
    }

    #[test]
    fn weeks_count_seven_days_from_the_start_date() {
        let periods = aggregate(&layout(start(), 10), &record(1), Periods::Weeks);
        assert_eq!(periods.len(), 2);
        assert_eq!(periods[0].start, start());
        assert_eq!(periods[1].start, Date::constant(2002, 1, 6));
        assert_eq!(periods[1].year, 2002);
        assert_eq!(periods[0].values, [28, 4, 42, 6, 122]);
        assert_eq!(periods[1].values, [27, 1, 48, 3, 128]);
    }

    #[test]
    fn ensemble_bands_are_medians_and_interpolated_quantiles() {
        let years = ensemble().periods(Periods::Years);
        // Replicas are the record times 1, 2 and 3: the median is twice it, the 5 % quantile
        // 1.1 times and the 95 % quantile 2.9 times.
        let crossings = years[1].bands[0];
        assert_eq!(crossings.median, 104.0);
        assert!((crossings.p05 - 52.0 * 1.1).abs() < 1e-9);
        assert!((crossings.p95 - 52.0 * 2.9).abs() < 1e-9);
        let mut yearly = Vec::new();
        ensemble().write_yearly_csv(&mut yearly).unwrap();
        assert_eq!(
            String::from_utf8(yearly).unwrap(),
            "year,crossings,returns,deportations,asylum_exits,hidden_at_year_end\n\
             2001,6,2,4,2,224\n\
             2002,104,8,176,16,256\n"
        );
        let mut weekly = Vec::new();
        ensemble().write_weekly_csv(&mut weekly).unwrap();
        assert_eq!(
            String::from_utf8(weekly).unwrap(),
            "week_start,crossings,returns,deportations,asylum_exits,hidden\n\
             2001-12-30,56,8,84,12,244\n\
             2002-01-06,54,2,96,6,256\n"
        );
    }

    #[test]
    fn status_csv_is_long_with_the_median_per_category() {
        let mut status = Vec::new();
        ensemble().write_status_csv(&mut status).unwrap();
        let text = String::from_utf8(status).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "day,date,status,people");
        assert_eq!(lines.len(), 1 + 10 * CATEGORIES.len());
        assert!(lines.contains(&"3,2002-01-02,hidden,206"), "{text}");
        assert!(lines.contains(&"9,2002-01-08,detained,14"), "{text}");
        assert!(lines.contains(&"0,2001-12-30,exited,0"), "{text}");
    }

    #[test]
    fn quantiles_of_even_counts_and_infinities() {
        assert_eq!(quantile(&[1.0, 2.0], 0.5), 1.5);
        assert_eq!(
            quantile(&[1.0, f64::INFINITY, f64::INFINITY], 0.5),
            f64::INFINITY
        );
        assert!(quantile(&[], 0.5).is_nan());
        assert_eq!(format_number(1.0 / 3.0), "0.333");
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(f64::NAN), "");
    }

    fn row(
        measure: &str,
        quantity: &str,
        start: &str,
        end: &str,
        low: &str,
        high: &str,
    ) -> TargetRow {
        let text = format!(
            "target,measure,quantity,start,end,documented_low,documented_high,source,note\n\
             t,{measure},{quantity},{start},{end},{low},{high},s,n\n"
        );
        read_targets(&text).unwrap().remove(0)
    }

    fn evaluate(row: &TargetRow) -> TargetOutcome {
        ensemble()
            .evaluate_targets(std::slice::from_ref(row))
            .remove(0)
            .outcome
    }

    fn median(outcome: &TargetOutcome) -> (f64, bool) {
        match outcome {
            TargetOutcome::Evaluated { band, inside } => (band.median, *inside),
            other => panic!("not evaluated: {other:?}"),
        }
    }

    #[test]
    fn sum_adds_the_named_events_over_the_days() {
        let r = row("sum", "crossings", "2002-01-01", "2002-01-08", "100", "110");
        assert_eq!(median(&evaluate(&r)), (104.0, true));
        let r = row("sum", "crossings", "2002-01-01", "2002-01-08", "0", "50");
        assert_eq!(median(&evaluate(&r)), (104.0, false));
        // A region's detentions: 1 a day, plus the crossings.
        let r = row(
            "sum",
            "crossings + detentions@North",
            "2002-01-01",
            "2002-01-08",
            "",
            "",
        );
        assert_eq!(median(&evaluate(&r)), (120.0, true));
        let r = row(
            "sum",
            "detentions@South",
            "2001-12-30",
            "2002-01-08",
            "1",
            "",
        );
        assert_eq!(median(&evaluate(&r)), (0.0, false));
    }

    #[test]
    fn stock_is_the_categories_on_the_end_day() {
        let r = row(
            "stock",
            "hidden+seeking_asylum+returning",
            "2002-01-01",
            "2002-01-01",
            "",
            "228",
        );
        assert_eq!(median(&evaluate(&r)), (228.0, true));
        let r = row("stock", "detained", "", "2002-01-08", "15", "");
        assert_eq!(median(&evaluate(&r)), (14.0, false));
    }

    #[test]
    fn peak_year_is_the_year_with_the_largest_sum() {
        // 2000: 1 a day, 2001: 2 a day, 2002: 1 a day.
        let start = Date::constant(2000, 1, 1);
        let days = 366 + 365 + 365;
        let slots = EVENTS.len() + 3;
        let mut record = SystemRecord::default();
        for d in 0..days {
            let mut events = vec![0; slots];
            events[EV_CROSSINGS] = if (366..731).contains(&d) { 2 } else { 1 };
            // One detention a day: the leap year 2000 has the most.
            events[EV_DETENTIONS] = 1;
            record.events.push(events);
            record.status.push(vec![0; CATEGORIES.len()]);
        }
        let ensemble = SystemEnsemble {
            layout: layout(start, days),
            replicas: vec![record.clone(), record],
        };
        let evaluate = |r: TargetRow| ensemble.evaluate_targets(&[r]).remove(0).outcome;
        let r = row(
            "peak_year",
            "crossings",
            "2000-01-01",
            "2002-12-31",
            "2001",
            "2001",
        );
        assert_eq!(median(&evaluate(r)), (2001.0, true));
        // Empty start and end: the whole run.
        let r = row("peak_year", "detentions", "", "", "2001", "2002");
        assert_eq!(median(&evaluate(r)), (2000.0, false));
        // Only the days in the period count: from mid-2001 2002 has more days of detentions.
        let r = row(
            "peak_year",
            "detentions",
            "2001-07-01",
            "2002-12-31",
            "",
            "",
        );
        assert_eq!(median(&evaluate(r)), (2002.0, true));
    }

    #[test]
    fn ratio_to_before_compares_with_as_many_days_before() {
        // Detentions 2d: days 7..=9 give 48, days 4..=6 give 30.
        let r = row(
            "ratio_to_before",
            "detentions",
            "2002-01-06",
            "2002-01-08",
            "1.5",
            "",
        );
        let (value, inside) = median(&evaluate(&r));
        assert!((value - 1.6).abs() < 1e-12, "{value}");
        assert!(inside);
        // Days 1..=1 (2) over day 0 (0): infinite.
        let r = row(
            "ratio_to_before",
            "detentions",
            "2001-12-31",
            "2001-12-31",
            "",
            "10",
        );
        assert_eq!(median(&evaluate(&r)), (f64::INFINITY, false));
        // Nothing before the first day.
        let r = row(
            "ratio_to_before",
            "detentions",
            "2001-12-31",
            "2002-01-01",
            "",
            "",
        );
        assert!(matches!(evaluate(&r), TargetOutcome::OutsideRun(m) if m.contains("before")));
    }

    #[test]
    fn rows_that_cannot_be_evaluated_say_why() {
        let failed = |r: TargetRow| match evaluate(&r) {
            TargetOutcome::Failed(message) => message,
            other => panic!("{other:?}"),
        };
        assert!(
            failed(row("mean", "crossings", "2002-01-01", "2002-01-02", "", ""))
                .contains("unknown measure `mean`")
        );
        assert!(
            failed(row("sum", "crosings", "2002-01-01", "2002-01-02", "", ""))
                .contains("unknown event `crosings`")
        );
        assert!(
            failed(row(
                "sum",
                "detentions@East",
                "2002-01-01",
                "2002-01-02",
                "",
                ""
            ))
            .contains("detentions@East")
        );
        assert!(
            failed(row("stock", "hiden", "", "2002-01-02", "", ""))
                .contains("unknown category `hiden`")
        );
        // A period the run does not cover (a shortened run) is told apart...
        assert!(matches!(
            evaluate(&row("sum", "crossings", "2002-01-01", "2003-01-02", "", "")),
            TargetOutcome::OutsideRun(m) if m.contains("outside the simulated days")
        ));
        // ...but not when the quantity is wrong as well.
        assert!(
            failed(row("sum", "crosings", "2002-01-01", "2003-01-02", "", ""))
                .contains("unknown event")
        );
        assert!(
            failed(row("sum", "crossings", "2002-13-01", "2002-01-02", "", ""))
                .contains("ISO date")
        );
        assert!(
            failed(row("sum", "crossings", "2002-01-03", "2002-01-02", "", "")).contains("after")
        );
        assert!(
            failed(row(
                "sum",
                "crossings",
                "2002-01-01",
                "2002-01-02",
                "many",
                ""
            ))
            .contains("not a number")
        );
        assert_eq!(
            evaluate(&row("", "", "", "", "0.7", "0.7")),
            TargetOutcome::NotSimulated
        );
    }

    #[test]
    fn targets_file_is_read_by_column_name_and_written_with_empty_inside_when_not_evaluated() {
        let text = "target,kind,measure,quantity,start,end,documented_low,documented_high,source,note\n\
                    a,count,sum,crossings,2002-01-01,2002-01-08,100,110,\"X, Y\",\"a note, with comma\"\n\
                    b,share,,,,,0.7,0.7,Z,not simulated\n\
                    c,count,sum,nothing,2002-01-01,2002-01-08,1,,Z,\n";
        let rows = read_targets(text).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].source, "X, Y");
        assert_eq!(rows[0].low, Some(100.0));
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[2].high, None);
        let results = ensemble().evaluate_targets(&rows);
        let mut out = Vec::new();
        write_targets_csv(&results, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "target,documented_low,documented_high,simulated_median,simulated_p05,simulated_p95,inside\n\
             a,100,110,104,57.2,150.8,true\n\
             b,0.7,0.7,,,,\n\
             c,1,,,,,\n"
        );
        let table = targets_table(&results);
        assert!(table.contains("not simulated"), "{table}");
        assert!(table.contains("1 of 1 evaluated"), "{table}");
        assert!(matches!(
            read_targets("target,measure\n"),
            Err(TargetsError::MissingColumn("quantity"))
        ));
    }

    #[test]
    fn comparison_pairs_replicas_by_seed() {
        let baseline = ensemble();
        let mut variant = ensemble();
        // One more detention a day in every replica: each paired difference is exactly the
        // number of days, although the replicas spread widely.
        for replica in &mut variant.replicas {
            for events in &mut replica.events {
                events[EV_DETENTIONS] += 1;
            }
        }
        let rows = compare("more", &baseline, &variant).unwrap();
        assert_eq!(rows.len(), 3 * QUANTITIES.len());
        let find = |year: Option<i16>, quantity: usize| {
            rows.iter()
                .find(|r| r.year == year && r.quantity == quantity)
                .unwrap()
        };
        let deportations_2002 = find(Some(2002), 2);
        assert_eq!(deportations_2002.baseline_median, 176.0);
        assert_eq!(deportations_2002.variant_median, 184.0);
        assert_eq!(
            deportations_2002.difference,
            Band {
                median: 8.0,
                p05: 8.0,
                p95: 8.0
            }
        );
        let all = find(None, 2);
        assert_eq!(all.difference.median, 10.0);
        assert_eq!(
            find(None, 0).difference,
            Band {
                median: 0.0,
                p05: 0.0,
                p95: 0.0
            }
        );
        assert_eq!(find(None, 4).baseline_median, 256.0);
        let mut out = Vec::new();
        write_comparison_csv(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(COMPARISON_COLUMNS), "{text}");
        assert!(
            text.contains("\nmore,2002,deportations,176,184,8,8,8\n"),
            "{text}"
        );
        assert!(
            text.contains("\nmore,all,hidden_at_end,256,256,0,0,0\n"),
            "{text}"
        );
        variant.replicas.pop();
        assert!(matches!(
            compare("x", &baseline, &variant),
            Err(CompareError::Replicas { .. })
        ));
    }

    fn view<'a>(status: &'a [u64], events: &'a [u64]) -> DayView<'a> {
        DayView {
            day: tumen_core::Day(0),
            location_counts: &[],
            link_counts: &[],
            agents_total: 0,
            spawned_today: 0,
            raw_total: 0,
            debt: 0,
            camp: &[],
            link_open: &[],
            status_counts: status,
            events,
            enforcement: &[],
        }
    }

    #[test]
    fn the_observer_records_only_runs_with_mechanisms() {
        let status = [1_u64, 2, 3, 4, 5, 6, 7, 8, 9];
        let events = [1_u64; 11];
        let mut observer = SystemObserver::new();
        observer.on_day(&view(&[], &[])).unwrap();
        assert_eq!(observer.record, SystemRecord::default());
        observer.on_day(&view(&status, &events)).unwrap();
        let record = observer.into_record();
        assert_eq!(record.status, vec![status.to_vec()]);
        assert_eq!(record.events, vec![events.to_vec()]);
    }

    #[test]
    fn a_two_sided_target_must_overlap_the_band_and_a_one_sided_bound_must_hold_the_median() {
        let band = Band {
            median: 60.0,
            p05: 50.0,
            p95: 70.0,
        };
        assert!(is_inside(Some(56.0), Some(56.0), &band));
        assert!(!is_inside(Some(71.0), Some(71.0), &band));
        assert!(is_inside(Some(65.0), Some(90.0), &band));
        assert!(!is_inside(Some(70.5), Some(90.0), &band));
        assert!(!is_inside(Some(10.0), Some(49.0), &band));
        assert!(is_inside(None, Some(60.0), &band));
        assert!(!is_inside(None, Some(59.5), &band));
        assert!(!is_inside(Some(60.5), None, &band));
    }
}
