//! The report's plots, each an SVG with a title, axes with units, dates and a legend.

use crate::data::{CountryBands, Groups, MapData, RunData, Target};
use crate::svg::{
    Chart, ChartSpec, EVENT, Key, OBS, PALETTE, SIM, XAxis, count_label, epoch_day, esc,
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
    let documented = documented(data.targets.as_ref(), "arrivals_south_korea_");
    let labels: Vec<String> = yearly.years.iter().map(ToString::to_string).collect();
    let y = y_domain(
        exits
            .iter()
            .copied()
            .chain(documented.iter().filter_map(|(_, t)| t.high.or(t.low))),
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
    for (year, target) in &documented {
        if let Some(i) = yearly.years.iter().position(|y| y == year) {
            let (lo, hi) = (target.low.or(target.high), target.high.or(target.low));
            if let (Some(lo), Some(hi)) = (lo, hi) {
                chart.range(
                    i as f64,
                    0.22,
                    lo,
                    hi,
                    OBS,
                    &format!("{year}: documented {}–{}", count_label(lo), count_label(hi)),
                );
            }
        }
    }
    chart.key(Key::Band {
        label: "simulated (asylum exits)".into(),
        color: SIM.into(),
        opacity: 1.0,
    });
    chart.key(Key::Range {
        label: "documented (targets.csv)".into(),
        color: OBS.into(),
    });
    Some(Plot {
        id: "arrivals-south-korea".into(),
        section: "flagship",
        caption: "People who reached South Korea each year in the run (yearly.csv \
                  `asylum_exits`) against the Ministry of Unification's figures (targets.csv \
                  rows `arrivals_south_korea_<year>`)."
            .into(),
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
    let envelopes: Vec<(i32, f64)> = data
        .targets
        .iter()
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
    all_x.extend(ranges.iter().map(|(y, _)| mid_year(*y)));
    let y = y_domain(
        values
            .iter()
            .copied()
            .chain(ranges.iter().filter_map(|(_, t)| t.high))
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
            label: "survey estimate range".into(),
            color: OBS.into(),
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
        caption: "North Koreans living in hiding in China in the run, against the survey \
                  ranges (targets.csv rows `hidden_population_<year>`, drawn at mid-year) and \
                  the aid groups' upper envelopes."
            .into(),
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

/// Which locations get a label, and at which font size: camps first, then by the most people
/// ever present; a label that would overlap one already placed is left out (its name is in the
/// circle's tooltip).
fn label_order(map: &MapData) -> Vec<(usize, u32)> {
    let (projection, _) = Projection::new(map, WIDE, 620.0, 46.0);
    let peak = |i: usize| {
        map.people
            .iter()
            .map(|f| f.get(i).copied().unwrap_or(0))
            .max()
    };
    let mut order: Vec<usize> = (0..map.locations.len()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(map.locations[i].camp),
            std::cmp::Reverse(peak(i)),
        )
    });
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut labels = Vec::new();
    for i in order {
        let l = &map.locations[i];
        let size = if l.camp { 11 } else { 9 };
        let (x, y) = projection.point(l.lat, l.lon);
        let w = 0.6 * f64::from(size) * l.name.chars().count() as f64;
        let h = f64::from(size);
        let (x0, y0, x1, y1) = (x + 5.0, y - 4.0 - h, x + 5.0 + w, y - 4.0 + 2.0);
        let overlaps = placed
            .iter()
            .any(|&(a0, b0, a1, b1)| x0 < a1 && a0 < x1 && y0 < b1 && b0 < y1);
        if !overlaps {
            placed.push((x0, y0, x1, y1));
            labels.push((i, size));
        }
    }
    labels
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
    svg.push_str(r#"<g id="map-links">"#);
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
    for (i, size) in label_order(map) {
        let l = &map.locations[i];
        let (x, y) = projection.point(l.lat, l.lon);
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="{size}" fill="#333333">{}</text>"##,
            x + 5.0,
            y - 4.0,
            esc(&l.name)
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
        caption: "Drawn from latitude and longitude (no map tiles); colours are countries, as \
                  in the plot by country. Move the slider (or press Play) to see another day; \
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
