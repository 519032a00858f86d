//! A small SVG chart builder: a frame with a title, axes with ticks and units, dates on the x
//! axis, lines, bands, bars, stacked areas, markers and a legend. The SVG it writes is the same
//! for the page and for the PNG export (text in "DejaVu Sans", the bundled font).

use std::fmt::Write as _;

/// The font every plot's text asks for (bundled for the PNG export).
pub(crate) const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

/// Colour-blind-safe palette (Okabe & Ito), used in this order for categories.
pub(crate) const PALETTE: [&str; 12] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D31", "#666666",
    "#000000", "#B8A200", "#7B3294", "#9ECAE1",
];
/// Simulated values.
pub(crate) const SIM: &str = "#0072B2";
/// Observed or documented values.
pub(crate) const OBS: &str = "#222222";
/// Documented values of the forecast period (`evaluation.csv`: scored, never fitted).
pub(crate) const FORECAST: &str = "#009E73";
/// Events (incidents) and values outside a target.
pub(crate) const EVENT: &str = "#D55E00";

/// Escapes text for XML.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number for an SVG coordinate: 1 decimal, no `-0`.
fn n(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "0".to_owned()
    } else {
        format!("{rounded}")
    }
}

/// `12 345`, `1.2 M`-style labels for counts.
pub(crate) fn count_label(value: f64) -> String {
    let a = value.abs();
    if a >= 1e6 {
        trim(format!("{:.2}", value / 1e6)) + " M"
    } else if a >= 1e4 {
        trim(format!("{:.1}", value / 1e3)) + " k"
    } else if a >= 1000.0 || (value.fract() == 0.0) {
        group_thousands(value.round())
    } else {
        trim(format!("{value:.3}"))
    }
}

fn trim(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// `1234567` → `1,234,567`.
pub(crate) fn group_thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

/// Tick values between `lo` and `hi`: about `target` ticks at 1, 2 or 5 × 10^k.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater)
        || !lo.is_finite()
        || !hi.is_finite()
    {
        return vec![lo];
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10_f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A value domain rounded out to nice ticks (0 included for counts).
pub(crate) fn nice_domain(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if hi == lo && hi != 0.0 {
        (lo.min(0.0), hi.abs() * 1.1)
    } else {
        (0.0, 1.0)
    };
    let ticks = nice_ticks(lo, hi, 5);
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        (hi - lo).max(1.0)
    };
    ((lo / step).floor() * step, (hi / step).ceil() * step)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub(crate) fn epoch_day(date: &str) -> Option<f64> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    let days = date
        .since((jiff::Unit::Day, jiff::civil::date(1970, 1, 1)))
        .ok()?
        .get_days();
    Some(f64::from(days))
}

/// The date of an epoch day.
fn civil(day: f64) -> Option<jiff::civil::Date> {
    jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(day.floor() as i64))
        .ok()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Date ticks (epoch days) and their labels across `[lo, hi]`.
pub(crate) fn date_ticks(lo: f64, hi: f64) -> Vec<(f64, String)> {
    let (Some(start), Some(end)) = (civil(lo), civil(hi)) else {
        return Vec::new();
    };
    let span_days = hi - lo;
    let mut ticks = Vec::new();
    if span_days > 365.0 * 2.5 {
        let step = if span_days > 365.0 * 25.0 {
            5
        } else if span_days > 365.0 * 12.0 {
            2
        } else {
            1
        };
        let mut year = start.year() + i16::from(start.month() != 1 || start.day() != 1);
        while year <= end.year() {
            if i32::from(year) % step == 0
                && let Some(x) = epoch_day(&format!("{year:04}-01-01"))
            {
                ticks.push((x, year.to_string()));
            }
            year += 1;
        }
    } else if span_days > 45.0 {
        let months = if span_days > 365.0 {
            3
        } else if span_days > 180.0 {
            2
        } else {
            1
        };
        let (mut year, mut month) = (start.year(), start.month());
        if start.day() != 1 {
            month += 1;
        }
        loop {
            if month > 12 {
                month -= 12;
                year += 1;
            }
            let Some(x) = epoch_day(&format!("{year:04}-{month:02}-01")) else {
                break;
            };
            if x > hi {
                break;
            }
            if (i32::from(month) - 1) % months == 0 {
                let name = MONTHS[usize::try_from(month - 1).unwrap_or(0)];
                let label = if month == 1 || ticks.is_empty() {
                    format!("{name} {year}")
                } else {
                    name.to_owned()
                };
                ticks.push((x, label));
            }
            month += 1;
        }
    } else {
        let step = if span_days > 14.0 {
            7.0
        } else {
            1.0_f64.max((span_days / 7.0).ceil())
        };
        let mut x = lo.ceil();
        while x <= hi {
            if let Some(d) = civil(x) {
                let name = MONTHS[usize::try_from(d.month() - 1).unwrap_or(0)];
                ticks.push((x, format!("{} {name}", d.day())));
            }
            x += step;
        }
    }
    ticks
}

/// How the x axis is labelled.
#[derive(Clone, Debug)]
pub(crate) enum XAxis {
    /// Epoch days, labelled with dates.
    Dates,
    /// One slot per label (bars by year): slot `i` is centred at `i`.
    Categories(Vec<String>),
}

/// One legend entry.
#[derive(Clone, Debug)]
pub(crate) enum Key {
    Line {
        label: String,
        color: String,
        dash: bool,
    },
    Band {
        label: String,
        color: String,
        opacity: f64,
    },
    Range {
        label: String,
        color: String,
    },
}

/// A chart being drawn: call the drawing methods, then [`Chart::finish`].
pub(crate) struct Chart {
    pub(crate) width: f64,
    pub(crate) height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x: (f64, f64),
    y: (f64, f64),
    frame: String,
    body: String,
    keys: Vec<Key>,
    id: String,
    title: String,
}

/// What a chart shows, for its frame.
pub(crate) struct ChartSpec<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) x_label: &'a str,
    pub(crate) y_label: &'a str,
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) x: (f64, f64),
    pub(crate) y: (f64, f64),
    pub(crate) x_axis: XAxis,
}

impl Chart {
    /// A frame with its title, axes, grid and tick labels.
    pub(crate) fn new(spec: &ChartSpec<'_>) -> Self {
        let mut chart = Self {
            width: spec.width,
            height: spec.height,
            left: 70.0,
            right: 18.0,
            top: 58.0,
            bottom: 46.0,
            x: spec.x,
            y: spec.y,
            frame: String::new(),
            body: String::new(),
            keys: Vec::new(),
            id: spec.id.to_owned(),
            title: spec.title.to_owned(),
        };
        let (x0, x1) = (chart.left, chart.width - chart.right);
        let (y0, y1) = (chart.top, chart.height - chart.bottom);
        let b = &mut chart.frame;
        // Grid and y ticks.
        for tick in nice_ticks(spec.y.0, spec.y.1, 5) {
            let y = chart_y(spec.y, (y0, y1), tick);
            let _ = write!(
                b,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#e4e4e4" stroke-width="1"/><text x="{}" y="{}" font-size="11" fill="#444444" text-anchor="end">{}</text>"##,
                n(x0),
                n(y),
                n(x1),
                n(y),
                n(x0 - 6.0),
                n(y + 4.0),
                esc(&count_label(tick))
            );
        }
        // X ticks.
        let ticks: Vec<(f64, String)> = match &spec.x_axis {
            XAxis::Dates => date_ticks(spec.x.0, spec.x.1),
            XAxis::Categories(labels) => {
                let every = labels.len().div_ceil(14).max(1);
                labels
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % every == 0)
                    .map(|(i, l)| (i as f64, l.clone()))
                    .collect()
            }
        };
        for (value, label) in ticks {
            let x = chart_x(spec.x, (x0, x1), value);
            if x < x0 - 0.5 || x > x1 + 0.5 {
                continue;
            }
            let _ = write!(
                b,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#f0f0f0" stroke-width="1"/><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888888" stroke-width="1"/><text x="{}" y="{}" font-size="11" fill="#444444" text-anchor="middle">{}</text>"##,
                n(x),
                n(y0),
                n(x),
                n(y1),
                n(x),
                n(y1),
                n(x),
                n(y1 + 4.0),
                n(x),
                n(y1 + 17.0),
                esc(&label)
            );
        }
        // Axes and their labels.
        let _ = write!(
            b,
            r##"<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#888888" stroke-width="1"/><line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#888888" stroke-width="1"/>"##,
            x0 = n(x0),
            x1 = n(x1),
            y0 = n(y0),
            y1 = n(y1)
        );
        let _ = write!(
            b,
            r##"<text x="{}" y="{}" font-size="12" fill="#333333" text-anchor="middle">{}</text><text transform="translate(14 {}) rotate(-90)" font-size="12" fill="#333333" text-anchor="middle">{}</text>"##,
            n((x0 + x1) / 2.0),
            n(spec.height - 8.0),
            esc(spec.x_label),
            n((y0 + y1) / 2.0),
            esc(spec.y_label)
        );
        chart
    }

    fn px(&self, x: f64) -> f64 {
        chart_x(self.x, (self.left, self.width - self.right), x)
    }

    fn py(&self, y: f64) -> f64 {
        chart_y(self.y, (self.top, self.height - self.bottom), y)
    }

    /// The width in pixels of `dx` on the x axis.
    pub(crate) fn x_extent(&self, dx: f64) -> f64 {
        (self.px(dx) - self.px(0.0)).abs()
    }

    fn path(&self, points: impl Iterator<Item = (f64, f64)>) -> String {
        let mut d = String::new();
        let mut pen_down = false;
        for (x, y) in points {
            if !x.is_finite() || !y.is_finite() {
                pen_down = false;
                continue;
            }
            let _ = write!(
                d,
                "{}{} {}",
                if pen_down { " L" } else { " M" },
                n(self.px(x)),
                n(self.py(y))
            );
            pen_down = true;
        }
        d
    }

    /// A line through `(x, y)` points (NaN breaks it).
    pub(crate) fn line(&mut self, xs: &[f64], ys: &[f64], color: &str, width: f64, dash: bool) {
        let d = self.path(xs.iter().copied().zip(ys.iter().copied()));
        if d.is_empty() {
            return;
        }
        let dash = if dash {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        };
        let _ = write!(
            self.body,
            r#"<path class="data" d="{d}" fill="none" stroke="{color}" stroke-width="{width}" stroke-linejoin="round"{dash}/>"#
        );
    }

    /// A filled band between `lo` and `hi`.
    pub(crate) fn band(&mut self, xs: &[f64], lo: &[f64], hi: &[f64], color: &str, opacity: f64) {
        let upper = self.path(xs.iter().copied().zip(hi.iter().copied()));
        let lower: Vec<(f64, f64)> = xs.iter().copied().zip(lo.iter().copied()).collect();
        let lower = self.path(lower.into_iter().rev());
        if upper.is_empty() || lower.is_empty() {
            return;
        }
        let lower = lower.replacen(" M", " L", 1);
        let _ = write!(
            self.body,
            r#"<path class="data" d="{upper}{lower} Z" fill="{color}" fill-opacity="{opacity}" stroke="none"/>"#
        );
    }

    /// Stacked areas: `layers[k]` is stacked on the layers before it.
    pub(crate) fn stacked(&mut self, xs: &[f64], layers: &[(String, Vec<f64>)]) {
        let mut base = vec![0.0; xs.len()];
        for (k, (label, values)) in layers.iter().enumerate() {
            let top: Vec<f64> = base.iter().zip(values).map(|(b, v)| b + v).collect();
            let color = PALETTE[k % PALETTE.len()];
            self.band(xs, &base, &top, color, 0.85);
            self.keys.push(Key::Band {
                label: label.clone(),
                color: color.to_owned(),
                opacity: 0.85,
            });
            base = top;
        }
    }

    /// A vertical bar from 0 to `y` centred at `x`, `width` x units wide.
    pub(crate) fn bar(&mut self, x: f64, width: f64, y: f64, color: &str, title: &str) {
        if !y.is_finite() {
            return;
        }
        let (x0, x1) = (self.px(x - width / 2.0), self.px(x + width / 2.0));
        let (ya, yb) = (self.py(0.0_f64.max(self.y.0)), self.py(y));
        let _ = write!(
            self.body,
            r#"<rect class="data" x="{}" y="{}" width="{}" height="{}" fill="{color}"><title>{}</title></rect>"#,
            n(x0.min(x1)),
            n(ya.min(yb)),
            n((x1 - x0).abs().max(0.6)),
            n((ya - yb).abs()),
            esc(title)
        );
    }

    /// A documented range at `x`: a vertical bar from `lo` to `hi` with caps (a single
    /// value when they are equal), `half` x units wide.
    pub(crate) fn range(&mut self, x: f64, half: f64, lo: f64, hi: f64, color: &str, title: &str) {
        if !lo.is_finite() || !hi.is_finite() {
            return;
        }
        let (xa, xb, xc) = (self.px(x - half), self.px(x), self.px(x + half));
        let (ya, yb) = (self.py(lo), self.py(hi));
        let _ = write!(
            self.body,
            r#"<g class="data" stroke="{color}" stroke-width="2"><title>{}</title><line x1="{}" y1="{}" x2="{}" y2="{}"/><line x1="{}" y1="{}" x2="{}" y2="{}"/><line x1="{}" y1="{}" x2="{}" y2="{}"/></g>"#,
            esc(title),
            n(xb),
            n(ya),
            n(xb),
            n(yb),
            n(xa),
            n(ya),
            n(xc),
            n(ya),
            n(xa),
            n(yb),
            n(xc),
            n(yb)
        );
    }

    /// A horizontal dashed tick at `y` around `x` (an upper envelope).
    pub(crate) fn ceiling(&mut self, x: f64, half: f64, y: f64, color: &str, title: &str) {
        if !y.is_finite() {
            return;
        }
        let _ = write!(
            self.body,
            r#"<line class="data" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{color}" stroke-width="2" stroke-dasharray="4 3"><title>{}</title></line>"#,
            n(self.px(x - half)),
            n(self.py(y)),
            n(self.px(x + half)),
            n(self.py(y)),
            esc(title)
        );
    }

    /// A vertical event marker at `x` with a short label at the top.
    pub(crate) fn marker(&mut self, x: f64, color: &str, label: &str, title: &str, row: usize) {
        let px = self.px(x);
        if px < self.left || px > self.width - self.right {
            return;
        }
        let (y0, y1) = (self.top, self.height - self.bottom);
        let _ = write!(
            self.body,
            r#"<g class="data"><title>{}</title><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{color}" stroke-width="1.2" stroke-dasharray="3 2"/>"#,
            esc(title),
            n(px),
            n(y0),
            n(px),
            n(y1)
        );
        if !label.is_empty() {
            let _ = write!(
                self.body,
                r#"<text x="{}" y="{}" font-size="10" fill="{color}">{}</text>"#,
                n(px + 3.0),
                n(y0 + 11.0 + 11.0 * row as f64),
                esc(label)
            );
        }
        self.body.push_str("</g>");
    }

    /// Adds a legend entry.
    pub(crate) fn key(&mut self, key: Key) {
        self.keys.push(key);
    }

    /// The finished `<svg>` element.
    pub(crate) fn finish(self) -> String {
        let mut x = self.left;
        let mut y = 40.0;
        let mut legend = String::new();
        for key in &self.keys {
            let label_width = 23.0 + 6.3 * key_label(key).chars().count() as f64;
            if x > self.left && x + label_width > self.width - self.right {
                x = self.left;
                y += LEGEND_ROW;
            }
            let (label, swatch) = match key {
                Key::Line { label, color, dash } => (
                    label,
                    format!(
                        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{color}" stroke-width="2.5"{}/>"#,
                        n(x),
                        n(y - 4.0),
                        n(x + 18.0),
                        n(y - 4.0),
                        if *dash {
                            r#" stroke-dasharray="5 3""#
                        } else {
                            ""
                        }
                    ),
                ),
                Key::Band {
                    label,
                    color,
                    opacity,
                } => (
                    label,
                    format!(
                        r#"<rect x="{}" y="{}" width="18" height="10" fill="{color}" fill-opacity="{opacity}"/>"#,
                        n(x),
                        n(y - 9.0)
                    ),
                ),
                Key::Range { label, color } => (
                    label,
                    format!(
                        r#"<g stroke="{color}" stroke-width="2"><line x1="{a}" y1="{}" x2="{a}" y2="{}"/><line x1="{}" y1="{}" x2="{}" y2="{}"/><line x1="{}" y1="{}" x2="{}" y2="{}"/></g>"#,
                        n(y - 10.0),
                        n(y + 1.0),
                        n(x + 5.0),
                        n(y - 10.0),
                        n(x + 13.0),
                        n(y - 10.0),
                        n(x + 5.0),
                        n(y + 1.0),
                        n(x + 13.0),
                        n(y + 1.0),
                        a = n(x + 9.0)
                    ),
                ),
            };
            let _ = write!(
                legend,
                r##"{swatch}<text x="{}" y="{}" font-size="11" fill="#333333">{}</text>"##,
                n(x + 23.0),
                n(y),
                esc(label)
            );
            // DejaVu Sans at 11 px: about 6.3 px per character.
            x += 23.0 + 6.3 * label.chars().count() as f64 + 16.0;
        }
        let extra = y - 40.0;
        let clip = format!("clip-{}", self.id);
        let (x0, x1) = (self.left, self.width - self.right);
        let (y0, y1) = (self.top, self.height - self.bottom);
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="plot" id="{id}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="{FONT}" role="img"><rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/><text x="12" y="22" font-size="15" fill="#111111">{title}</text><defs><clipPath id="{clip}"><rect x="{cx}" y="{cy}" width="{cw}" height="{ch}"/></clipPath></defs><g transform="translate(0 {extra})">{frame}<g clip-path="url(#{clip})">{data}</g></g>{legend}</svg>"##,
            id = esc(&self.id),
            title = esc(&self.title),
            extra = n(extra),
            w = n(self.width),
            h = n(self.height + extra),
            cx = n(x0),
            cy = n(y0 - 1.0),
            cw = n(x1 - x0),
            ch = n(y1 - y0 + 2.0),
            frame = self.frame,
            data = self.body,
        )
    }
}

/// Height of a legend row.
const LEGEND_ROW: f64 = 16.0;

fn key_label(key: &Key) -> &str {
    match key {
        Key::Line { label, .. } | Key::Band { label, .. } | Key::Range { label, .. } => label,
    }
}

fn chart_x(domain: (f64, f64), range: (f64, f64), x: f64) -> f64 {
    let span = domain.1 - domain.0;
    if span == 0.0 {
        return (range.0 + range.1) / 2.0;
    }
    range.0 + (x - domain.0) / span * (range.1 - range.0)
}

fn chart_y(domain: (f64, f64), range: (f64, f64), y: f64) -> f64 {
    let span = domain.1 - domain.0;
    if span == 0.0 {
        return (range.0 + range.1) / 2.0;
    }
    range.1 - (y - domain.0) / span * (range.1 - range.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 7.0, 5), vec![0.0, 2.0, 4.0, 6.0]);
        assert_eq!(nice_domain(3.0, 97.0), (0.0, 100.0));
        assert_eq!(nice_domain(0.0, 0.0), (0.0, 1.0));
    }

    #[test]
    fn labels_are_readable() {
        assert_eq!(count_label(1234.0), "1,234");
        assert_eq!(count_label(25_000.0), "25 k");
        assert_eq!(count_label(1_500_000.0), "1.5 M");
        assert_eq!(count_label(0.25), "0.25");
        assert_eq!(group_thousands(-1_234_567.0), "-1,234,567");
    }

    #[test]
    fn date_ticks_follow_the_span() {
        let lo = epoch_day("1994-01-01").unwrap();
        let hi = epoch_day("2004-12-31").unwrap();
        let years: Vec<String> = date_ticks(lo, hi).into_iter().map(|t| t.1).collect();
        assert_eq!(years.first().map(String::as_str), Some("1994"));
        assert_eq!(years.last().map(String::as_str), Some("2004"));
        let lo = epoch_day("2002-01-15").unwrap();
        let hi = epoch_day("2002-07-01").unwrap();
        let months: Vec<String> = date_ticks(lo, hi).into_iter().map(|t| t.1).collect();
        assert_eq!(months, vec!["Feb 2002", "Mar", "Apr", "May", "Jun", "Jul"]);
        assert_eq!(epoch_day("1970-01-02"), Some(1.0));
    }

    #[test]
    fn data_is_clipped_and_escaped() {
        let mut chart = Chart::new(&ChartSpec {
            id: "t",
            title: "A & B",
            x_label: "date",
            y_label: "people",
            width: 400.0,
            height: 200.0,
            x: (0.0, 10.0),
            y: (0.0, 5.0),
            x_axis: XAxis::Dates,
        });
        chart.line(&[0.0, 5.0, 10.0], &[1.0, f64::NAN, 3.0], SIM, 2.0, false);
        let svg = chart.finish();
        assert!(svg.contains("A &amp; B"));
        let data = svg.split("clip-path=").nth(1).unwrap();
        assert!(data.contains(r#"<path class="data""#));
        // The NaN breaks the line into two moves.
        assert_eq!(data.matches(" M").count(), 2, "{data}");
    }
}
