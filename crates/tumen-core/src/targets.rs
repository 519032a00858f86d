//! Calibration targets: documented figures a scenario's outcomes are scored against
//! (`mechanisms/targets.csv`, read by `tumen-scenario`; evaluated by `tumen-output`).

/// One row of a scenario's `mechanisms/targets.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetRow {
    /// Line in the file (1-based, the header is line 1).
    pub line: usize,
    /// The target's name.
    pub target: String,
    /// `sum`, `stock`, `peak_year`, `ratio_to_before`, `share`, or empty (not simulated).
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
}
