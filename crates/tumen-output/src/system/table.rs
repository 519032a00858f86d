//! The target table for a terminal.

use super::*;
use std::fmt::Write as _;

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
