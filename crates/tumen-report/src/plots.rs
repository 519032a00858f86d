//! The report's plots, each an SVG with a title, axes with units, dates and a legend.

use crate::data::{CountryBands, Groups, MapData, RunData, Target};
use crate::geo::{LabelRequest, Rect, draw_countries, place_labels};
use crate::svg::{
    Chart, ChartSpec, EVENT, FORECAST, Key, OBS, PALETTE, SIM, XAxis, count_label, epoch_day, esc,
    nice_domain,
};
use std::fmt::Write as _;

/// One plot of the report.
#[derive(Clone, Debug)]
pub struct Plot {
    /// Stable id (also the PNG's file name).
    pub id: String,
    /// Section it belongs to.
    pub section: &'static str,
    /// What it shows, one or two sentences under it.
    pub caption: String,
    /// The `<svg>` element.
    pub svg: String,
}

const WIDE: f64 = 860.0;
const TALL: f64 = 340.0;

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

fn xs_of(dates: &[String]) -> Vec<f64> {
    dates
        .iter()
        .map(|d| epoch_day(d).unwrap_or(f64::NAN))
        .collect()
}

fn finite_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

fn x_domain(xs: &[f64]) -> (f64, f64) {
    let (lo, hi) = finite_range(xs.iter().copied());
    if lo.is_finite() {
        (lo, hi.max(lo + 1.0))
    } else {
        (0.0, 1.0)
    }
}

fn y_domain(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (_, hi) = finite_range(values);
    nice_domain(0.0, if hi.is_finite() { hi } else { 1.0 })
}

/// A status whose peak is under this share of the largest status's peak is drawn on its own
/// plot, where it does not lie flat.
const SMALL_GROUP_SHARE: f64 = 0.1;

/// The series whose peak reaches `share` of the largest peak, and the others (same dates).
fn split_by_peak(groups: &Groups, share: f64) -> (Groups, Groups) {
    let peak = |values: &[f64]| {
        values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    };
    let largest = groups
        .series
        .iter()
        .map(|(_, values)| peak(values))
        .fold(0.0, f64::max);
    let (large, small): (Vec<_>, Vec<_>) = groups
        .series
        .iter()
        .cloned()
        .partition(|(_, values)| largest <= 0.0 || peak(values) >= share * largest);
    let with = |series| Groups {
        dates: groups.dates.clone(),
        series,
    };
    (with(large), with(small))
}

/// Every plot the data allows, in reading order.
#[must_use]
pub fn plots(data: &RunData) -> Vec<Plot> {
    let mut plots = Vec::new();
    plots.extend(camp_plots(data));
    plots.push(error_plot(data));
    if let Some(status) = &data.status {
        let (large, small) = split_by_peak(status, SMALL_GROUP_SHARE);
        if large.series.is_empty() || small.series.is_empty() {
            plots.push(groups_plot(
                "people-by-status",
                "status",
                "People by status",
                status,
                false,
                "Each line is the number of people in one status on that day (status.csv).",
            ));
        } else {
            plots.push(groups_plot(
                "people-by-status",
                "status",
                "People by status: the large groups",
                &large,
                false,
                "Each line is the number of people in one status on that day (status.csv).",
            ));
            plots.push(groups_plot(
                "people-by-status-small",
                "status",
                "People by status: the smaller groups, on their own scale",
                &small,
                false,
                "The statuses whose peak is under a tenth of the largest status's peak, which \
                 would lie flat on the first plot's scale (status.csv).",
            ));
        }
    }
    if let Some(bands) = &data.country_bands {
        plots.push(country_bands_plot(bands, data.replicas));
    } else if let Some(countries) = &data.countries {
        plots.push(groups_plot(
            "people-by-country",
            "countries",
            "Displaced people by country",
            countries,
            true,
            "People at the locations of each country at the end of each day, stacked, with \
             those on the move between locations on top (the run with the report's seed).",
        ));
    }
    if let Some(plot) = arrivals_plot(data) {
        plots.push(plot);
    }
    if let Some(plot) = hidden_plot(data) {
        plots.push(plot);
    }
    plots.extend(deportation_plots(data));
    if let Some(map) = &data.map {
        plots.push(map_plot(map));
    }
    plots
}

fn camp_plots(data: &RunData) -> Vec<Plot> {
    let xs = xs_of(&data.dates);
    let x = x_domain(&xs);
    data.camps
        .iter()
        .map(|camp| {
            let mut values: Vec<f64> = camp.median.clone();
            values.extend(&camp.observed);
            if let Some(bands) = &camp.bands {
                values.extend(&bands[3]);
            }
            let id = format!("camp-{}", slug(&camp.name));
            let mut chart = Chart::new(&ChartSpec {
                id: &id,
                title: &camp.name,
                x_label: "date",
                y_label: "people in the camp",
                width: 520.0,
                height: 300.0,
                x,
                y: y_domain(values.into_iter()),
                x_axis: XAxis::Dates,
            });
            if let Some([p05, p25, p75, p95]) = &camp.bands {
                chart.band(&xs, p05, p95, SIM, 0.15);
                chart.band(&xs, p25, p75, SIM, 0.3);
                chart.key(Key::Band {
                    label: "5–95 %".into(),
                    color: SIM.into(),
                    opacity: 0.15,
                });
                chart.key(Key::Band {
                    label: "25–75 %".into(),
                    color: SIM.into(),
                    opacity: 0.3,
                });
            }
            chart.line(&xs, &camp.observed, OBS, 1.6, true);
            chart.line(&xs, &camp.median, SIM, 2.2, false);
            chart.key(Key::Line {
                label: if camp.bands.is_some() {
                    "simulated median".into()
                } else {
                    "simulated".into()
                },
                color: SIM.into(),
                dash: false,
            });
            chart.key(Key::Line {
                label: "observed".into(),
                color: OBS.into(),
                dash: true,
            });
            Plot {
                id,
                section: "camps",
                caption: String::new(),
                svg: chart.finish(),
            }
        })
        .collect()
}

fn error_plot(data: &RunData) -> Plot {
    let xs = xs_of(&data.dates);
    let flee_total = data.total_error.iter().any(|e| *e != 0.0);
    let mut values: Vec<f64> = data.daily_ard.clone();
    values.extend(&data.daily_ard_rescaled);
    if flee_total {
        values.extend(&data.total_error);
    }
    let mut chart = Chart::new(&ChartSpec {
        id: "validation-error",
        title: "Validation error over time",
        x_label: "date",
        y_label: "error (fraction of observed people)",
        width: WIDE,
        height: 300.0,
        x: x_domain(&xs),
        y: y_domain(values.into_iter()),
        x_axis: XAxis::Dates,
    });
    chart.line(&xs, &data.daily_ard_rescaled, PALETTE[1], 1.8, false);
    chart.line(&xs, &data.daily_ard, EVENT, 2.2, false);
    chart.key(Key::Line {
        label: "Σ |simulated − observed| / observed, over camps".into(),
        color: EVENT.into(),
        dash: false,
    });
    chart.key(Key::Line {
        label: "the same, simulated camp total rescaled".into(),
        color: PALETTE[1].into(),
        dash: false,
    });
    if flee_total {
        chart.line(&xs, &data.total_error, OBS, 1.4, true);
        chart.key(Key::Line {
            label: "Flee's Total error (out.csv)".into(),
            color: OBS.into(),
            dash: true,
        });
    }
    Plot {
        id: "validation-error".into(),
        section: "error",
        caption: "Each day: the sum over camps of |simulated − observed| divided by the observed \
                  people in camps that day; its mean over days is the averaged relative \
                  difference (ARD) above. The rescaled line compares only how people are spread \
                  over camps. Flee's own Total error divides by the cumulative observed total \
                  instead (shown when out.csv has it)."
            .into(),
        svg: chart.finish(),
    }
}

fn groups_plot(
    id: &str,
    section: &'static str,
    title: &str,
    groups: &Groups,
    stacked: bool,
    caption: &str,
) -> Plot {
    let xs = xs_of(&groups.dates);
    let y = if stacked {
        y_domain((0..xs.len()).map(|d| groups.series.iter().map(|(_, v)| v[d]).sum::<f64>()))
    } else {
        y_domain(groups.series.iter().flat_map(|(_, v)| v.iter().copied()))
    };
    let mut chart = Chart::new(&ChartSpec {
        id,
        title,
        x_label: "date",
        y_label: "people",
        width: WIDE,
        height: TALL,
        x: x_domain(&xs),
        y,
        x_axis: XAxis::Dates,
    });
    if stacked {
        chart.stacked(&xs, &groups.series);
    } else {
        for (k, (name, values)) in groups.series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            chart.line(&xs, values, color, 2.0, false);
            chart.key(Key::Line {
                label: name.clone(),
                color: color.into(),
                dash: false,
            });
        }
    }
    Plot {
        id: id.to_owned(),
        section,
        caption: caption.to_owned(),
        svg: chart.finish(),
    }
}

/// People by country over an ensemble: a median line and a 5–95 % band per country.
fn country_bands_plot(bands: &CountryBands, replicas: u64) -> Plot {
    let xs = xs_of(&bands.dates);
    let y = y_domain(bands.series.iter().flat_map(|(_, q)| q[2].iter().copied()));
    let mut chart = Chart::new(&ChartSpec {
        id: "people-by-country",
        title: "Displaced people by country",
        x_label: "date",
        y_label: "people",
        width: WIDE,
        height: TALL,
        x: x_domain(&xs),
        y,
        x_axis: XAxis::Dates,
    });
    for (k, (name, q)) in bands.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        chart.band(&xs, &q[0], &q[2], color, 0.2);
        chart.line(&xs, &q[1], color, 2.0, false);
        chart.key(Key::Line {
            label: name.clone(),
            color: color.into(),
            dash: false,
        });
    }
    Plot {
        id: "people-by-country".into(),
        section: "countries",
        caption: format!(
            "People at the locations of each country at the end of each day: the median over \
             {replicas} replicas and the 5–95 % band (countries.csv); people travelling between \
             locations are in no country."
        ),
        svg: chart.finish(),
    }
}

/// The caption's words on the forecast figures (`evaluation.csv`), or nothing without them.
fn forecast_years(forecast: &[(i32, &Target)]) -> String {
    match (
        forecast.iter().map(|(y, _)| *y).min(),
        forecast.iter().map(|(y, _)| *y).max(),
    ) {
        (Some(first), Some(last)) => format!(
            "; green, those of evaluation.csv: {first}–{last} is a FORECAST, scored on figures \
             that no calibration saw"
        ),
        _ => String::new(),
    }
}

/// Targets named `<prefix><year>` (and nothing after the year), by year.
fn documented<'a>(targets: Option<&'a Vec<Target>>, prefix: &str) -> Vec<(i32, &'a Target)> {
    targets
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let year = t.target.strip_prefix(prefix)?.parse::<i32>().ok()?;
            Some((year, t))
        })
        .collect()
}

fn arrivals_plot(data: &RunData) -> Option<Plot> {
    let yearly = data.yearly.as_ref()?;
    let exits = yearly.columns.get("asylum_exits")?;
    let fitted = documented(data.targets.as_ref(), "arrivals_south_korea_");
    let forecast = documented(data.evaluation.as_ref(), "arrivals_south_korea_");
    let labels: Vec<String> = yearly.years.iter().map(ToString::to_string).collect();
    let y = y_domain(
        exits.iter().copied().chain(
            fitted
                .iter()
                .chain(&forecast)
                .filter_map(|(_, t)| t.high.or(t.low)),
        ),
    );
    let mut chart = Chart::new(&ChartSpec {
        id: "arrivals-south-korea",
        title: "Arrivals in South Korea per year",
        x_label: "year",
        y_label: "people per year",
        width: WIDE,
        height: TALL,
        x: (-0.6, labels.len() as f64 - 0.4),
        y,
        x_axis: XAxis::Categories(labels),
    });
    for (i, (year, value)) in yearly.years.iter().zip(exits).enumerate() {
        chart.bar(
            i as f64,
            0.6,
            *value,
            SIM,
            &format!("{year}: {} simulated", count_label(*value)),
        );
    }
    for (targets, color, what) in [
        (&fitted, OBS, "documented"),
        (&forecast, FORECAST, "forecast; documented"),
    ] {
        for (year, target) in targets {
            if let Some(i) = yearly.years.iter().position(|y| y == year) {
                let (lo, hi) = (target.low.or(target.high), target.high.or(target.low));
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    chart.range(
                        i as f64,
                        0.22,
                        lo,
                        hi,
                        color,
                        &format!("{year}: {what} {}–{}", count_label(lo), count_label(hi)),
                    );
                }
            }
        }
    }
    chart.key(Key::Band {
        label: "simulated (asylum exits)".into(),
        color: SIM.into(),
        opacity: 1.0,
    });
    chart.key(Key::Range {
        label: "documented, fitted (targets.csv)".into(),
        color: OBS.into(),
    });
    if !forecast.is_empty() {
        chart.key(Key::Range {
            label: "documented, FORECAST: never fitted (evaluation.csv)".into(),
            color: FORECAST.into(),
        });
    }
    Some(Plot {
        id: "arrivals-south-korea".into(),
        section: "flagship",
        caption: format!(
            "People who reached South Korea each year in the run (yearly.csv \
             `asylum_exits`) against the Ministry of Unification's figures (rows \
             `arrivals_south_korea_<year>`): black, those of targets.csv, which a calibration \
             fits{}.",
            forecast_years(&forecast)
        ),
        svg: chart.finish(),
    })
}

fn hidden_plot(data: &RunData) -> Option<Plot> {
    let yearly = data.yearly.as_ref();
    let weekly = data.weekly.as_ref();
    let (xs, values, label) = match (
        weekly.and_then(|w| w.columns.get("hidden").map(|c| (w, c))),
        yearly.and_then(|y| y.columns.get("hidden_at_year_end").map(|c| (y, c))),
    ) {
        (Some((w, column)), _) => (
            xs_of(&w.week_start),
            column.clone(),
            "simulated, weekly (weekly.csv)",
        ),
        (None, Some((y, column))) => (
            y.years
                .iter()
                .map(|year| epoch_day(&format!("{year:04}-12-31")).unwrap_or(f64::NAN))
                .collect(),
            column.clone(),
            "simulated, at year end (yearly.csv)",
        ),
        (None, None) => return None,
    };
    let ranges = documented(data.targets.as_ref(), "hidden_population_");
    let forecast = documented(data.evaluation.as_ref(), "hidden_population_");
    let envelopes: Vec<(i32, f64)> = data
        .targets
        .iter()
        .chain(data.evaluation.iter())
        .flatten()
        .filter_map(|t| {
            let year = t
                .target
                .strip_prefix("hidden_population_")?
                .strip_suffix("_upper_envelope")?
                .parse::<i32>()
                .ok()?;
            Some((year, t.high?))
        })
        .collect();
    let mid_year = |year: i32| epoch_day(&format!("{year:04}-07-01")).unwrap_or(f64::NAN);
    let mut all_x = xs.clone();
    all_x.extend(ranges.iter().chain(&forecast).map(|(y, _)| mid_year(*y)));
    let y = y_domain(
        values
            .iter()
            .copied()
            .chain(ranges.iter().chain(&forecast).filter_map(|(_, t)| t.high))
            .chain(envelopes.iter().map(|(_, v)| *v)),
    );
    let mut chart = Chart::new(&ChartSpec {
        id: "hidden-population",
        title: "Hidden population in China",
        x_label: "date",
        y_label: "people in hiding",
        width: WIDE,
        height: TALL,
        x: x_domain(&all_x),
        y,
        x_axis: XAxis::Dates,
    });
    chart.line(&xs, &values, SIM, 2.2, false);
    chart.key(Key::Line {
        label: label.into(),
        color: SIM.into(),
        dash: false,
    });
    for (year, target) in &ranges {
        let (lo, hi) = (target.low.or(target.high), target.high.or(target.low));
        if let (Some(lo), Some(hi)) = (lo, hi) {
            chart.range(
                mid_year(*year),
                40.0,
                lo,
                hi,
                OBS,
                &format!("{year}: estimate {}–{}", count_label(lo), count_label(hi)),
            );
        }
    }
    if !ranges.is_empty() {
        chart.key(Key::Range {
            label: "survey estimate range, fitted (targets.csv)".into(),
            color: OBS.into(),
        });
    }
    for (year, target) in &forecast {
        let (lo, hi) = (target.low.or(target.high), target.high.or(target.low));
        if let (Some(lo), Some(hi)) = (lo, hi) {
            chart.range(
                mid_year(*year),
                40.0,
                lo,
                hi,
                FORECAST,
                &format!(
                    "{year}: forecast; estimate {}–{}",
                    count_label(lo),
                    count_label(hi)
                ),
            );
        }
    }
    if !forecast.is_empty() {
        chart.key(Key::Range {
            label: "estimate, FORECAST: never fitted (evaluation.csv)".into(),
            color: FORECAST.into(),
        });
    }
    for (year, high) in &envelopes {
        chart.ceiling(
            mid_year(*year),
            80.0,
            *high,
            EVENT,
            &format!("{year}: upper envelope {}", count_label(*high)),
        );
    }
    if !envelopes.is_empty() {
        chart.key(Key::Line {
            label: "upper envelope (aid groups)".into(),
            color: EVENT.into(),
            dash: true,
        });
    }
    Some(Plot {
        id: "hidden-population".into(),
        section: "flagship",
        caption: format!(
            "North Koreans living in hiding in China in the run, against the survey ranges \
             (rows `hidden_population_<year>`, drawn at mid-year; black: targets.csv, which a \
             calibration fits) and the aid groups' upper envelopes{}.",
            forecast_years(&forecast)
        ),
        svg: chart.finish(),
    })
}

fn deportation_plots(data: &RunData) -> Vec<Plot> {
    let Some(weekly) = data.weekly.as_ref() else {
        return Vec::new();
    };
    let Some(deportations) = weekly.columns.get("deportations") else {
        return Vec::new();
    };
    let xs = xs_of(&weekly.week_start);
    let mut plots = Vec::new();
    let whole = x_domain(&xs);
    let year_2002 = (
        epoch_day("2002-01-01").unwrap_or(0.0),
        epoch_day("2003-01-01").unwrap_or(1.0),
    );
    let has_2002 = xs.iter().any(|x| *x >= year_2002.0 && *x < year_2002.1);
    let mut views = vec![("deportations-weekly", "Deportations per week", whole)];
    if has_2002 {
        views.push((
            "deportations-2002",
            if data.incidents.is_empty() {
                "Deportations per week in 2002"
            } else {
                "Deportations per week in 2002, with the asylum incidents"
            },
            (year_2002.0 - 14.0, year_2002.1 + 14.0),
        ));
    }
    for (id, title, x) in views {
        let visible = xs
            .iter()
            .zip(deportations)
            .filter(|(xv, _)| **xv >= x.0 && **xv <= x.1)
            .map(|(_, v)| *v);
        let mut chart = Chart::new(&ChartSpec {
            id,
            title,
            x_label: "week",
            y_label: "people deported per week",
            width: WIDE,
            height: TALL,
            x,
            y: y_domain(visible),
            x_axis: XAxis::Dates,
        });
        for (xv, (value, start)) in xs.iter().zip(deportations.iter().zip(&weekly.week_start)) {
            chart.bar(
                xv + 3.5,
                6.0,
                *value,
                SIM,
                &format!("week of {start}: {}", count_label(*value)),
            );
        }
        let mut shown = 0;
        let mut last_labelled = f64::NEG_INFINITY;
        let mut row = 0;
        for incident in &data.incidents {
            let Some(day) = epoch_day(&incident.date) else {
                continue;
            };
            let size = incident.size.map(count_label).unwrap_or_default();
            let title = format!("{}: {} ({size} people)", incident.date, incident.location);
            // Labels only where there is room: 20 px apart, else stacked on up to 3 rows.
            let label = if chart.x_extent(day - last_labelled) > 90.0 {
                row = 0;
                last_labelled = day;
                format!("{} {}", incident.location, size)
            } else if row < 2 {
                row += 1;
                format!("{} {}", incident.location, size)
            } else {
                String::new()
            };
            chart.marker(day, EVENT, &label, &title, row);
            shown += 1;
        }
        chart.key(Key::Band {
            label: "simulated deportations (weekly.csv)".into(),
            color: SIM.into(),
            opacity: 1.0,
        });
        if shown > 0 {
            chart.key(Key::Line {
                label: "asylum incident at a mission (incidents.csv)".into(),
                color: EVENT.into(),
                dash: true,
            });
        }
        plots.push(Plot {
            id: id.into(),
            section: "flagship",
            caption: if shown > 0 {
                "Simulated deportations from China each week; dashed lines mark the asylum \
                 incidents at foreign missions (hover for date, place and group size)."
                    .into()
            } else {
                "Simulated deportations from China each week (no incidents.csv in the run \
                 directory, so no incidents are marked)."
                    .into()
            },
            svg: chart.finish(),
        });
    }
    plots
}

/// The map's projection: equirectangular, scaled by the cosine of the mean latitude.
pub(crate) struct Projection {
    lon0: f64,
    lat1: f64,
    scale: f64,
    kx: f64,
    pad: f64,
}

impl Projection {
    fn new(map: &MapData, width: f64, height: f64, pad: f64) -> (Self, f64) {
        let (lon0, lon1) = finite_range(map.locations.iter().map(|l| l.lon));
        let (lat0, lat1) = finite_range(map.locations.iter().map(|l| l.lat));
        let (lon0, lon1, lat0, lat1) = if lon0.is_finite() {
            (lon0, lon1, lat0, lat1)
        } else {
            (0.0, 1.0, 0.0, 1.0)
        };
        let kx = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.2);
        let span_x = ((lon1 - lon0) * kx).max(1e-6);
        let span_y = (lat1 - lat0).max(1e-6);
        let scale = ((width - 2.0 * pad) / span_x).min((height - 2.0 * pad) / span_y);
        let used_height = span_y * scale + 2.0 * pad;
        (
            Self {
                lon0,
                lat1,
                scale,
                kx,
                pad,
            },
            used_height.min(height),
        )
    }

    fn point(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            self.pad + (lon - self.lon0) * self.kx * self.scale,
            self.pad + (self.lat1 - lat) * self.scale,
        )
    }

    /// `(lon0, lat0, lon1, lat1)` seen in `view` (map pixels), with a one-degree margin.
    fn window(&self, view: &Rect) -> (f64, f64, f64, f64) {
        let lon = |x: f64| self.lon0 + (x - self.pad) / (self.kx * self.scale);
        let lat = |y: f64| self.lat1 - (y - self.pad) / self.scale;
        (
            lon(view.x0) - 1.0,
            lat(view.y1) - 1.0,
            lon(view.x1) + 1.0,
            lat(view.y0) + 1.0,
        )
    }
}

/// Radius of a location's circle for `people`, with `max` the largest value on any frame.
pub(crate) fn radius(people: u64, max: u64) -> f64 {
    if max == 0 {
        return 2.5;
    }
    2.5 + 22.0 * (people as f64 / max as f64).sqrt()
}

/// Width of a link for `flow`, with `max` the largest value on any frame.
pub(crate) fn link_width(flow: u64, max: u64) -> f64 {
    if max == 0 {
        return 1.0;
    }
    1.0 + 9.0 * (flow as f64 / max as f64).sqrt()
}

/// Approximate advance of `text` at `size` in the bundled DejaVu Sans (errs on the wide side).
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | '\'' | ':' | ';' | '|' | '!' => 0.32,
            ' ' | 'f' | 't' | 'r' | '(' | ')' | '-' => 0.42,
            'm' | 'w' | 'M' | 'W' => 0.95,
            c if c.is_uppercase() => 0.75,
            _ => 0.63,
        })
        .sum::<f64>()
        * size
}

/// A placed location label: the location, font size and text box (map pixels).
#[derive(Clone, Copy, Debug)]
pub(crate) struct MapLabel {
    pub location: usize,
    pub size: u32,
    pub at: Rect,
}

/// Which locations get a label, where, and at which font size: camps first, then by the most
/// people ever present; each tries eight positions around its circle and is left out when all
/// would overlap a label already placed or another location (its name is then in the circle's
/// tooltip).
pub(crate) fn map_labels(map: &MapData, projection: &Projection, view: &Rect) -> Vec<MapLabel> {
    let peak = |i: usize| {
        map.people
            .iter()
            .map(|f| f.get(i).copied().unwrap_or(0))
            .max()
    };
    let max_people = map.people.iter().flatten().copied().max().unwrap_or(0);
    let last = map.people.last();
    let mut order: Vec<usize> = (0..map.locations.len()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(map.locations[i].camp),
            std::cmp::Reverse(peak(i)),
        )
    });
    let sizes: Vec<u32> = order
        .iter()
        .map(|&i| if map.locations[i].camp { 11 } else { 9 })
        .collect();
    let requests: Vec<LabelRequest> = order
        .iter()
        .zip(&sizes)
        .map(|(&i, &size)| {
            let l = &map.locations[i];
            let (x, y) = projection.point(l.lat, l.lon);
            let people = last.and_then(|f| f.get(i)).copied().unwrap_or(0);
            let r = radius(people, max_people).min(16.0);
            LabelRequest {
                x,
                y,
                width: text_width(&l.name, f64::from(size)),
                height: f64::from(size),
                gap: 2.0 + r,
                mark: 0.7 * r,
            }
        })
        .collect();
    place_labels(&requests, view)
        .into_iter()
        .zip(order.into_iter().zip(sizes))
        .filter_map(|(at, (location, size))| at.map(|at| MapLabel { location, size, at }))
        .collect()
}

fn map_plot(map: &MapData) -> Plot {
    let width = WIDE;
    let (projection, height) = Projection::new(map, width, 620.0, 46.0);
    let height = height + 60.0;
    let frame = map.people.len().saturating_sub(1);
    let max_people = map.people.iter().flatten().copied().max().unwrap_or(0);
    let max_flow = map.flow.iter().flatten().copied().max().unwrap_or(0);
    let mut countries: Vec<&str> = Vec::new();
    for l in &map.locations {
        if !countries.contains(&l.country.as_str()) {
            countries.push(&l.country);
        }
    }
    let colour = |country: &str| {
        PALETTE[countries.iter().position(|c| *c == country).unwrap_or(0) % PALETTE.len()]
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="plot" id="map" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="{font}" role="img"><rect x="0" y="0" width="{w}" height="{h}" fill="#fbfaf6"/><text x="12" y="22" font-size="15" fill="#111111">Locations and links: people present and on the move</text><text id="map-date" x="{dx}" y="22" font-size="15" fill="#111111" text-anchor="end">{date}</text><g transform="translate(0 30)">"##,
        w = width,
        h = height,
        font = crate::svg::FONT,
        dx = width - 12.0,
        date = esc(map.dates.get(frame).map_or("", String::as_str)),
    );
    let view = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: width,
        // Above the size legend's line.
        y1: height - 60.0 - 14.0,
    };
    let labels = map_labels(map, &projection, &view);
    // Countries only where the places have coordinates (no background for a made-up extent).
    let located = map
        .locations
        .iter()
        .any(|l| l.lat.is_finite() && l.lon.is_finite());
    let drawn = if located {
        draw_countries(&view, projection.window(&view), |lat, lon| {
            projection.point(lat, lon)
        })
    } else {
        Vec::new()
    };
    let _ = write!(
        svg,
        r##"<clipPath id="map-clip"><rect x="0" y="0" width="{w}" height="{h:.1}"/></clipPath><g id="map-countries" clip-path="url(#map-clip)" fill="#e6e4df" stroke="#ffffff" stroke-width="0.8" stroke-linejoin="round" fill-rule="evenodd">"##,
        w = view.x1,
        h = view.y1
    );
    for c in &drawn {
        let _ = write!(
            svg,
            r#"<path data-country="{name}" d="{}"><title>{name}</title></path>"#,
            c.path,
            name = esc(&c.name)
        );
    }
    svg.push_str(r##"</g><g id="map-country-names" fill="#9b968c" font-size="11" text-anchor="middle" font-style="italic">"##);
    let mut taken: Vec<Rect> = labels.iter().map(|l| l.at).collect();
    taken.extend(map.locations.iter().map(|l| {
        let (x, y) = projection.point(l.lat, l.lon);
        Rect {
            x0: x - 4.0,
            y0: y - 4.0,
            x1: x + 4.0,
            y1: y + 4.0,
        }
    }));
    for c in &drawn {
        let Some(((cx, cy), piece)) = c.label_at else {
            continue;
        };
        let w = text_width(&c.name, 11.0);
        let at = Rect {
            x0: cx - w / 2.0,
            y0: cy - 6.0,
            x1: cx + w / 2.0,
            y1: cy + 6.0,
        };
        if view.contains(&at) && piece.contains(&at) && !taken.iter().any(|t| t.overlaps(&at)) {
            let _ = write!(
                svg,
                r#"<text x="{cx:.1}" y="{:.1}">{}</text>"#,
                cy + 4.0,
                esc(&c.name)
            );
            taken.push(at);
        }
    }
    svg.push_str(r#"</g><g id="map-links">"#);
    for (k, (a, b)) in map.links.iter().enumerate() {
        let (la, lb) = (&map.locations[*a], &map.locations[*b]);
        let (x1, y1) = projection.point(la.lat, la.lon);
        let (x2, y2) = projection.point(lb.lat, lb.lon);
        let flow = map
            .flow
            .get(frame)
            .and_then(|f| f.get(k))
            .copied()
            .unwrap_or(0);
        let _ = write!(
            svg,
            r##"<line class="data" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#9a8f80" stroke-opacity="0.75" stroke-linecap="round" stroke-width="{:.2}"><title>{} – {}: {} on the move</title></line>"##,
            link_width(flow, max_flow),
            esc(&la.name),
            esc(&lb.name),
            count_label(flow as f64)
        );
    }
    svg.push_str(r#"</g><g id="map-nodes">"#);
    for (i, l) in map.locations.iter().enumerate() {
        let (x, y) = projection.point(l.lat, l.lon);
        let people = map
            .people
            .get(frame)
            .and_then(|f| f.get(i))
            .copied()
            .unwrap_or(0);
        let _ = write!(
            svg,
            r##"<circle class="data" cx="{x:.1}" cy="{y:.1}" r="{:.2}" fill="{}" fill-opacity="0.7" stroke="{}" stroke-width="{}"><title>{} ({}): {} people</title></circle>"##,
            radius(people, max_people),
            colour(&l.country),
            if l.camp { "#111111" } else { "#ffffff" },
            if l.camp { 2 } else { 1 },
            esc(&l.name),
            esc(&l.country),
            count_label(people as f64)
        );
    }
    svg.push_str(r#"</g><g id="map-labels">"#);
    for label in &labels {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="{}" fill="#333333" stroke="#fbfaf6" stroke-width="2.5" stroke-opacity="0.8" stroke-linejoin="round" paint-order="stroke">{}</text>"##,
            label.at.x0,
            label.at.y0 + 0.8 * f64::from(label.size),
            label.size,
            esc(&map.locations[label.location].name)
        );
    }
    svg.push_str("</g></g>");
    // Legend: countries, camps, and the size scale.
    let mut x = 12.0;
    let y = height - 14.0;
    for country in &countries {
        let _ = write!(
            svg,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{}" fill-opacity="0.7"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#333333">{}</text>"##,
            x + 5.0,
            y - 4.0,
            colour(country),
            x + 14.0,
            y,
            esc(country)
        );
        x += 14.0 + 6.3 * country.chars().count() as f64 + 14.0;
    }
    let _ = write!(
        svg,
        r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#ffffff" stroke="#111111" stroke-width="2"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#333333">camp</text><text x="{:.1}" y="{:.1}" font-size="11" fill="#333333" text-anchor="end">circle area: people present (largest {}); line width: people on the link (largest {})</text>"##,
        x + 5.0,
        y - 4.0,
        x + 14.0,
        y,
        width - 12.0,
        y - 16.0,
        count_label(max_people as f64),
        count_label(max_flow as f64)
    );
    svg.push_str("</svg>");
    Plot {
        id: "map".into(),
        section: "map",
        caption: "Drawn from latitude and longitude over country outlines from Natural Earth \
                  (1:110m, public domain; bundled, nothing is fetched); colours are countries, as \
                  in the plot by country. Names that would overlap are left out: hover a circle \
                  for its name. Move the slider (or press Play) to see another day; \
                  long runs step through evenly spaced days. Scroll to zoom, drag to pan, \
                  double-click to reset; hover for names and numbers. The picture without \
                  script, and the PNG, show the last day."
            .into(),
        svg,
    }
}

/// The map's data for the slider script: `{dates, people, flow, maxPeople, maxFlow}`.
#[must_use]
pub fn map_json(map: &MapData) -> String {
    let max_people = map.people.iter().flatten().copied().max().unwrap_or(0);
    let max_flow = map.flow.iter().flatten().copied().max().unwrap_or(0);
    serde_json::json!({
        "dates": map.dates,
        "people": map.people,
        "flow": map.flow,
        "maxPeople": max_people,
        "maxFlow": max_flow,
        "names": map.locations.iter().map(|l| &l.name).collect::<Vec<_>>(),
    })
    .to_string()
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn small_statuses_get_their_own_plot() {
        let groups = Groups {
            dates: vec!["d0".into(), "d1".into()],
            series: vec![
                ("hidden".into(), vec![10.0, 1000.0]),
                ("detained".into(), vec![5.0, 99.0]),
                ("at_home".into(), vec![100.0, 100.0]),
                ("exited".into(), vec![0.0, 0.0]),
            ],
        };
        let (large, small) = split_by_peak(&groups, 0.1);
        let names = |g: &Groups| g.series.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&large), ["hidden", "at_home"]);
        assert_eq!(names(&small), ["detained", "exited"]);
        assert_eq!(small.dates, groups.dates);
        // All zero: nothing is split off.
        let zero = Groups {
            dates: vec!["d0".into()],
            series: vec![("a".into(), vec![0.0]), ("b".into(), vec![0.0])],
        };
        let (large, small) = split_by_peak(&zero, 0.1);
        assert_eq!(large.series.len(), 2);
        assert!(small.series.is_empty());
    }
}

#[cfg(test)]
mod map_tests {
    use super::*;
    use crate::data::MapLocation;

    fn location(name: &str, country: &str, lat: f64, lon: f64, camp: bool) -> MapLocation {
        MapLocation {
            name: name.into(),
            country: country.into(),
            lat,
            lon,
            camp,
        }
    }

    /// Places of the mali2012 scenario (coordinates as in its locations.csv, rounded).
    fn mali_like() -> MapData {
        let locations = vec![
            location("Kidal", "Mali", 18.44, 1.41, false),
            location("Timbuktu", "Mali", 16.77, -3.0, false),
            location("Mopti", "Mali", 14.49, -4.18, false),
            location("Bamako", "Mali", 12.65, -8.0, false),
            location("Mbera", "Mauritania", 15.93, -5.76, true),
            location("Abala", "Niger", 14.93, 3.43, true),
            location("Mentao", "Burkina Faso", 14.09, -1.66, true),
        ];
        let n = locations.len();
        MapData {
            locations,
            links: vec![(0, 1), (1, 2), (2, 3), (1, 4), (0, 5), (2, 6)],
            dates: vec!["2012-02-29".into()],
            people: vec![(0..n as u64).map(|k| 100 * k).collect()],
            flow: vec![vec![0; 6]],
        }
    }

    #[test]
    fn the_map_draws_the_countries_of_its_extent_under_the_network() {
        let svg = map_plot(&mali_like()).svg;
        for country in ["Mali", "Mauritania", "Niger", "Burkina Faso", "Algeria"] {
            assert!(
                svg.contains(&format!(r#"<path data-country="{country}" d="M"#)),
                "no path for {country}"
            );
        }
        // Far away countries are not drawn at all.
        for country in ["China", "Brazil", "Fiji"] {
            assert!(
                !svg.contains(&format!(r#"data-country="{country}""#)),
                "{country}"
            );
        }
        // Countries come first (under the links and circles).
        let countries = svg.find(r#"id="map-countries""#).unwrap();
        assert!(countries < svg.find(r#"id="map-links""#).unwrap());
        // Every point of a country path lies within the clip margin of the map.
        let (_, height) = Projection::new(&mali_like(), WIDE, 620.0, 46.0);
        for path in svg.split(r#"<path data-country=""#).skip(1) {
            let d = path
                .split(r#"d=""#)
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            for point in d.split(['M', 'L', 'Z']).filter(|t| !t.is_empty()) {
                let (x, y) = point.split_once(' ').unwrap();
                let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                assert!((-4.1..=WIDE + 4.1).contains(&x), "{x}");
                assert!((-4.1..=height + 4.1).contains(&y), "{y}");
            }
        }
    }

    #[test]
    fn a_single_place_is_drawn_inside_its_country_and_no_coordinates_draw_no_countries() {
        let mut map = mali_like();
        map.locations.truncate(1);
        map.links.clear();
        map.people = vec![vec![5]];
        map.flow = vec![vec![]];
        let svg = map_plot(&map).svg;
        assert_eq!(svg.matches("<path data-country=").count(), 1, "only Mali");
        assert!(svg.contains(r#"<path data-country="Mali""#));
        map.locations[0].lat = f64::NAN;
        map.locations[0].lon = f64::NAN;
        assert!(!map_plot(&map).svg.contains("<path data-country="));
    }

    #[test]
    fn map_labels_never_overlap_and_dense_ones_are_left_to_hover() {
        // 60 places in a 1°×1° square among the mali ones: far too dense to name them all.
        let mut map = mali_like();
        for k in 0..60 {
            let (a, b) = ((k % 8) as f64, (k / 8) as f64);
            map.locations.push(location(
                &format!("Village {k}"),
                "Mali",
                14.0 + b * 0.12,
                -4.0 + a * 0.12,
                false,
            ));
            map.people[0].push(k);
        }
        let (projection, height) = Projection::new(&map, WIDE, 620.0, 46.0);
        let view = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: WIDE,
            y1: height - 14.0,
        };
        let labels = map_labels(&map, &projection, &view);
        assert!(labels.len() >= 7, "{}", labels.len());
        assert!(
            labels.len() < map.locations.len(),
            "all {} were labelled",
            labels.len()
        );
        // The camps, placed first in open space, all get their label.
        for camp in ["Mbera", "Abala", "Mentao"] {
            assert!(
                labels
                    .iter()
                    .any(|l| map.locations[l.location].name == camp),
                "{camp}"
            );
        }
        for (i, a) in labels.iter().enumerate() {
            assert!(view.contains(&a.at));
            for b in &labels[i + 1..] {
                assert!(!a.at.overlaps(&b.at), "{a:?} overlaps {b:?}");
            }
            // No label covers a place.
            for l in &map.locations {
                let (x, y) = projection.point(l.lat, l.lon);
                assert!(!(a.at.x0 < x && x < a.at.x1 && a.at.y0 < y && y < a.at.y1));
            }
        }
        // The SVG shows exactly the placed labels; every place keeps its name in a tooltip.
        let svg = map_plot(&map).svg;
        let label_group = svg.split(r#"<g id="map-labels">"#).nth(1).unwrap();
        let label_group = label_group.split("</g>").next().unwrap();
        assert_eq!(label_group.matches("<text").count(), labels.len());
        assert!(svg.contains("<title>Village 59 (Mali): 59 people</title>"));
    }

    #[test]
    fn the_greedy_placement_moves_a_label_that_would_collide() {
        let bounds = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 200.0,
            y1: 200.0,
        };
        let request = |x: f64| LabelRequest {
            x,
            y: 100.0,
            width: 40.0,
            height: 10.0,
            gap: 3.0,
            mark: 1.5,
        };
        // Two points 30 px apart: the second's right-hand box would hit the first's.
        let placed = place_labels(&[request(100.0), request(70.0)], &bounds);
        let (a, b) = (placed[0].unwrap(), placed[1].unwrap());
        assert!(a.x0 > 100.0, "the first takes the right: {a:?}");
        assert!(!a.overlaps(&b), "{a:?} {b:?}");
        // Against the right edge: the label goes left.
        let edge = place_labels(&[request(190.0)], &bounds);
        assert!(edge[0].unwrap().x1 < 190.0);
    }
}
