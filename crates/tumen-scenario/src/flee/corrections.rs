//! `registration_corrections.csv`: rescaling a camp's observed series from a date on.

use super::{CORRECTIONS, DATA_LAYOUT, DataRead, Loader, found};
use crate::ScenarioError;
use crate::diagnostic::Diagnostic;
use crate::text::{days_between, parse_date, shown, suggest};
use tumen_core::Date;

impl Loader<'_> {
    pub(super) fn corrections(
        &mut self,
        start: Date,
        data: &mut DataRead,
    ) -> Result<(), ScenarioError> {
        let Some((file, records)) = self.csv(CORRECTIONS, None)? else {
            return Ok(());
        };
        for record in &records {
            if record.fields.len() < 2 || record.is_blank() || record.is_comment() {
                continue;
            }
            let (Some(name_field), Some(date_field)) =
                (record.fields.first(), record.fields.get(1))
            else {
                continue;
            };
            let name = name_field.text.as_str();
            let Some((slot, files)) = data.keys.get(name).cloned() else {
                let suggestion = suggest(name, data.keys.keys().map(String::as_str));
                let hint = match suggestion {
                    Some(s) => format!(
                        "did you mean `{s}`? Corrections apply to the series named in `{DATA_LAYOUT}`"
                    ),
                    None => format!("corrections apply to the series named in `{DATA_LAYOUT}`"),
                };
                let diagnostic = Diagnostic::error(format!("no data series for `{}`", shown(name)))
                    .with_label(format!(
                        "expected a name listed in `{DATA_LAYOUT}`, {}",
                        found(name)
                    ))
                    .with_hint(hint);
                self.push(file.at_field(diagnostic, name_field, 0, "name"));
                continue;
            };
            let Some(date) = parse_date(&date_field.text) else {
                let diagnostic =
                    Diagnostic::error(format!("invalid date in the correction of `{name}`"))
                        .with_label(format!(
                            "expected a date as YYYY-MM-DD, {}",
                            found(&date_field.text)
                        ));
                self.push(file.at_field(diagnostic, date_field, 1, "date"));
                continue;
            };
            let series = match slot {
                None if name == "total" => data.total.as_mut(),
                None => None,
                Some(index) => data.camps.get_mut(index).map(|(_, series)| series),
            };
            let Some(series) = series else {
                // The series could not be read; that error is reported already.
                continue;
            };
            let day = days_between(start, date);
            // Flee 3.1 (`correctLevel1Registrations`) applies the correction at every point of
            // the series with that date, in file order, each time with the values as they are
            // by then: a date listed twice rescales everything before its second occurrence
            // again.
            let occurrences: Vec<usize> = series
                .points
                .iter()
                .enumerate()
                .filter(|&(_, &(d, _))| d == day)
                .map(|(index, _)| index)
                .collect();
            if occurrences.is_empty() {
                let nearest = series
                    .points
                    .iter()
                    .min_by_key(|(d, _)| d.abs_diff(day))
                    .and_then(|&(d, _)| {
                        let span = jiff::Span::new().try_days(d).ok()?;
                        start.checked_add(span).ok()
                    });
                let hint = match nearest {
                    Some(nearest) => format!(
                        "the correction date must be a date of the data; the nearest is `{nearest}` (Flee 3.1 stops with an error here)"
                    ),
                    None => "the series has no data".to_owned(),
                };
                let diagnostic = Diagnostic::error(format!(
                    "no data point of `{name}` on {date} to correct from"
                ))
                .with_label(format!(
                    "expected a date listed in `{files}`, found `{}`",
                    date_field.text.trim()
                ))
                .with_hint(hint);
                self.push(file.at_field(diagnostic, date_field, 1, "date"));
                continue;
            }
            if occurrences.len() > 1 {
                let rows: Vec<String> = occurrences.iter().map(|i| (i + 1).to_string()).collect();
                let diagnostic = Diagnostic::warning(format!(
                    "the correction of `{name}` on {date} is applied {} times: the date is repeated in its series",
                    occurrences.len()
                ))
                .with_label(format!(
                    "expected a date listed once in `{files}`, found it at data points {} (out of order)",
                    rows.join(", ")
                ))
                .with_hint(
                    "as in Flee 3.1, each occurrence rescales the points before it, in file order, so the earlier points are rescaled again; sort the series by date and remove the repeated date",
                );
                self.push(file.at_field(diagnostic, date_field, 1, "date"));
            }
            for &index in &occurrences {
                let previous = index
                    .checked_sub(1)
                    .and_then(|i| series.points.get(i))
                    .map(|&(_, value)| value);
                let current = series.points.get(index).map_or(0.0, |&(_, value)| value);
                match previous {
                    None if occurrences.len() == 1 => {
                        let diagnostic = Diagnostic::warning(format!(
                            "the correction of `{name}` on {date} changes nothing"
                        ))
                        .with_label("expected a date after the first data point, found the first")
                        .with_hint(
                            "a correction rescales the points before its date, and there are none",
                        );
                        self.push(file.at_field(diagnostic, date_field, 1, "date"));
                    }
                    None => {}
                    Some(0.0) => {
                        let diagnostic = Diagnostic::error(format!("cannot correct `{name}` on {date}"))
                            .with_label("expected a non-zero value on the data point before this date, found 0")
                            .with_hint("the correction multiplies earlier points by (value on this date) / (value before it)");
                        self.push(file.at_field(diagnostic, date_field, 1, "date"));
                        break;
                    }
                    Some(previous) => series.scale_before(index, current / previous),
                }
            }
        }
        Ok(())
    }
}
