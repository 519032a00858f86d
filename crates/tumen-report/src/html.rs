//! The report page: one self-contained HTML file (inline style, inline SVG, one small inline
//! script for the map's day slider and a self-check); nothing is fetched from the network.

use crate::data::{DrawnParameter, RunData, Target};
use crate::plots::{Plot, map_json};
use crate::svg::{count_label, esc};
use std::fmt::Write as _;

pub(crate) const STYLE: &str = r"
:root { --ink: #1d1d1f; --muted: #5a5a5f; --line: #dedede; --sim: #0072B2; --warn: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; font-family: 'DejaVu Sans', Verdana, system-ui, sans-serif; color: var(--ink);
  background: #f6f6f4; line-height: 1.45; }
header { background: #16324f; color: #fff; padding: 22px 32px 18px; }
header h1 { margin: 0 0 6px; font-size: 24px; font-weight: 600; }
header p { margin: 2px 0; color: #d6e2ee; font-size: 14px; }
nav { padding: 8px 32px; background: #fff; border-bottom: 1px solid var(--line); font-size: 14px;
  position: sticky; top: 0; z-index: 2; }
nav a { margin-right: 16px; color: var(--sim); text-decoration: none; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 24px 48px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 18px 0;
  padding: 14px 20px 18px; }
h2 { font-size: 19px; margin: 4px 0 10px; }
figure { margin: 10px 0 16px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; max-width: 860px; margin-top: 4px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 6px 18px; }
.missing { border-left: 4px solid var(--warn); background: #fff6ef; padding: 8px 12px;
  color: #6b3a12; font-size: 14px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 6px 0 4px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.kpi b { display: block; font-size: 20px; }
.kpi span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.in { color: #00734d; font-weight: 600; } .out { color: var(--warn); font-weight: 600; }
.controls { display: flex; align-items: center; gap: 12px; margin: 6px 0; font-size: 14px; }
.controls input[type=range] { flex: 1; max-width: 640px; }
.controls button { font: inherit; padding: 3px 12px; }
code { background: #f1f1ee; padding: 0 3px; border-radius: 3px; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 10px; }
";

/// Records script errors in the DOM (before anything else runs), so a headless browser test
/// can read them from the dumped page.
const ERROR_HOOK: &str = r"
window.onerror = function (message, source, line, column) {
  var root = document.documentElement;
  var count = Number(root.getAttribute('data-script-errors') || '0') + 1;
  root.setAttribute('data-script-errors', String(count));
  var pre = document.createElement('pre');
  pre.className = 'script-error';
  pre.textContent = 'script error: ' + message + ' (line ' + line + ':' + column + ')';
  (document.body || root).appendChild(pre);
  return false;
};
";

/// The map slider, and a check that every plot drew something (a plot that did not says so).
const SCRIPT: &str = r"
(function () {
  'use strict';
  var holder = document.getElementById('map-data');
  if (holder) {
    var data = JSON.parse(holder.textContent);
    var nodes = document.querySelectorAll('#map-nodes circle');
    var links = document.querySelectorAll('#map-links line');
    var slider = document.getElementById('map-slider');
    var label = document.getElementById('map-date');
    var output = document.getElementById('map-slider-date');
    var play = document.getElementById('map-play');
    var radius = function (p) { return data.maxPeople ? 2.5 + 22 * Math.sqrt(p / data.maxPeople) : 2.5; };
    var width = function (f) { return data.maxFlow ? 1 + 9 * Math.sqrt(f / data.maxFlow) : 1; };
    var fmt = function (v) { return v.toLocaleString('en-US'); };
    var show = function (k) {
      k = Math.max(0, Math.min(data.dates.length - 1, k | 0));
      var people = data.people[k] || [], flow = data.flow[k] || [];
      for (var i = 0; i < nodes.length; i++) {
        var p = people[i] || 0;
        nodes[i].setAttribute('r', radius(p).toFixed(2));
        var t = nodes[i].querySelector('title');
        if (t) { t.textContent = t.textContent.replace(/: [^:]*$/, ': ' + fmt(p) + ' people'); }
      }
      for (var j = 0; j < links.length; j++) {
        var f = flow[j] || 0;
        links[j].setAttribute('stroke-width', width(f).toFixed(2));
        var u = links[j].querySelector('title');
        if (u) { u.textContent = u.textContent.replace(/: [^:]*$/, ': ' + fmt(f) + ' on the move'); }
      }
      label.textContent = data.dates[k];
      output.textContent = data.dates[k];
      slider.value = String(k);
      document.getElementById('map').setAttribute('data-frame', String(k));
    };
    slider.addEventListener('input', function () { show(Number(slider.value)); });
    var timer = null;
    play.addEventListener('click', function () {
      if (timer) { clearInterval(timer); timer = null; play.textContent = 'Play'; return; }
      if (Number(slider.value) >= data.dates.length - 1) { show(0); }
      play.textContent = 'Pause';
      timer = setInterval(function () {
        var k = Number(slider.value) + 1;
        if (k >= data.dates.length) { clearInterval(timer); timer = null; play.textContent = 'Play'; return; }
        show(k);
      }, 60);
    });
    // Zoom with the wheel around the pointer, pan by dragging, double-click to reset.
    var svg = document.getElementById('map');
    var full = svg.getAttribute('viewBox').split(' ').map(Number);
    var view = full.slice();
    var setView = function () { svg.setAttribute('viewBox', view.map(function (v) { return v.toFixed(1); }).join(' ')); };
    var toMap = function (event) {
      var box = svg.getBoundingClientRect();
      return [view[0] + (event.clientX - box.left) / box.width * view[2],
              view[1] + (event.clientY - box.top) / box.height * view[3]];
    };
    svg.addEventListener('wheel', function (event) {
      event.preventDefault();
      var at = toMap(event), k = event.deltaY < 0 ? 0.8 : 1.25;
      var w = Math.min(full[2], Math.max(full[2] / 20, view[2] * k));
      var h = w * full[3] / full[2];
      view = [at[0] - (at[0] - view[0]) * w / view[2], at[1] - (at[1] - view[1]) * h / view[3], w, h];
      setView();
    }, { passive: false });
    var drag = null;
    svg.addEventListener('mousedown', function (event) { drag = toMap(event); });
    window.addEventListener('mouseup', function () { drag = null; });
    svg.addEventListener('mousemove', function (event) {
      if (!drag) { return; }
      var at = toMap(event);
      view[0] -= at[0] - drag[0]; view[1] -= at[1] - drag[1];
      setView();
    });
    svg.addEventListener('dblclick', function () { view = full.slice(); setView(); });
    var match = /frame=(\d+)/.exec(window.location.hash);
    show(match ? Number(match[1]) : data.dates.length - 1);
  }
  var figures = document.querySelectorAll('figure[data-plot]');
  for (var f = 0; f < figures.length; f++) {
    var drawn = 0, marks = figures[f].querySelectorAll('svg .data');
    for (var m = 0; m < marks.length; m++) {
      var box = marks[m].getBBox();
      if (box.width > 0 || box.height > 0) { drawn++; }
    }
    figures[f].setAttribute('data-drawn', String(drawn));
    if (drawn === 0) {
      var note = document.createElement('p');
      note.className = 'missing';
      note.textContent = 'Nothing to draw in this plot: its series are empty.';
      figures[f].appendChild(note);
    }
  }
  document.body.setAttribute('data-ready', '1');
})();
";

fn figure(out: &mut String, plot: &Plot) {
    let _ = write!(out, r#"<figure data-plot="{}">{}"#, esc(&plot.id), plot.svg);
    if !plot.caption.is_empty() {
        let _ = write!(out, "<figcaption>{}</figcaption>", esc(&plot.caption));
    }
    out.push_str("</figure>");
}

fn missing(out: &mut String, data: &RunData, key: &str) {
    if let Some(note) = data.missing.get(key) {
        let _ = write!(out, r#"<p class="missing">{}</p>"#, esc(note));
    }
}

fn summary_str<'a>(data: &'a RunData, pointer: &str) -> Option<&'a serde_json::Value> {
    data.summary.as_ref().and_then(|s| s.pointer(pointer))
}

fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

/// A number for a table cell: exact, grouped by thousands from 10,000 on (so years stay
/// `1997`), up to 4 decimals.
fn number_cell(value: Option<f64>) -> String {
    let Some(value) = value else {
        return "—".to_owned();
    };
    if value.fract() == 0.0 && value.abs() < 10_000.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10_000.0 {
        crate::svg::group_thousands(value)
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A parameter's value for a table cell: three significant digits, in scientific notation
/// below 0.01 (daily rates such as 2.65e-5), grouped by thousands from 10,000 on.
fn parameter_cell(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return number_cell(Some(value));
    }
    if value.abs() < 0.01 {
        return format!("{value:.2e}");
    }
    if value.abs() >= 10_000.0 {
        return crate::svg::group_thousands(value.round());
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "0.01 ≤ |value| < 10,000: at most 4 decimals"
    )]
    let decimals = (2.0 - value.abs().log10().floor()).max(0.0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// The parameters each replica drew from the posterior: 5 %, median and 95 % over the replicas.
fn drawn_parameters_table(out: &mut String, parameters: &[DrawnParameter]) {
    let replicas = parameters.first().map_or(0, |p| p.values.len());
    let _ = write!(
        out,
        "<h3>Parameters drawn from the posterior (<code>parameters.csv</code>)</h3><p>Each of the {replicas} replicas ran with its own draw of the fitted parameters, so the bands above carry parameter uncertainty as well as seed noise. Over the replicas:</p><table><thead><tr><th>parameter</th><th>5 %</th><th>median</th><th>95 %</th></tr></thead><tbody>"
    );
    for parameter in parameters {
        let mut values: Vec<f64> = parameter
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        if values.is_empty() {
            continue;
        }
        values.sort_by(f64::total_cmp);
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&parameter.key),
            parameter_cell(tumen_output::quantile(&values, 0.05)),
            parameter_cell(tumen_output::quantile(&values, 0.5)),
            parameter_cell(tumen_output::quantile(&values, 0.95)),
        );
    }
    out.push_str("</tbody></table>");
}

fn targets_table(out: &mut String, targets: &[Target]) {
    out.push_str(
        r#"<table><thead><tr><th>target</th><th class="num">documented low</th><th class="num">documented high</th><th class="num">simulated median</th><th class="num">simulated 5 %</th><th class="num">simulated 95 %</th><th>inside</th></tr></thead><tbody>"#,
    );
    for t in targets {
        let inside = t.inside.to_ascii_lowercase();
        let class = match inside.as_str() {
            "true" | "yes" | "1" => "in",
            "false" | "no" | "0" => "out",
            _ => "",
        };
        let _ = write!(
            out,
            r#"<tr><td><code>{}</code></td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="{class}">{}</td></tr>"#,
            esc(&t.target),
            number_cell(t.low),
            number_cell(t.high),
            number_cell(t.median),
            number_cell(t.p05),
            number_cell(t.p95),
            esc(if t.inside.is_empty() {
                "—"
            } else {
                &t.inside
            })
        );
    }
    out.push_str("</tbody></table>");
}

/// The whole page.
#[must_use]
pub(crate) fn page(data: &RunData, plots: &[Plot]) -> String {
    let version = summary_str(data, "/version")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown");
    let seed = summary_str(data, "/seed").map_or_else(|| "unknown".to_owned(), value_text);
    let engine = summary_str(data, "/engine").map_or_else(|| "—".to_owned(), value_text);
    let first = data.dates.first().map_or("", String::as_str);
    let last = data.dates.last().map_or("", String::as_str);
    let mut out = String::with_capacity(1 << 20);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="tumen {version}"><meta name="tumen-plots" content="{count}"><title>Tumen report: {scenario}</title><script>{ERROR_HOOK}</script><style>{STYLE}</style></head><body>"#,
        version = esc(version),
        count = plots.len(),
        scenario = esc(&data.scenario),
    );
    let _ = write!(
        out,
        "<header><h1>{}</h1><p>{} to {} · {} days · seed {} · {} · engine {} · Tumen {}</p></header>",
        esc(&data.scenario),
        esc(first),
        esc(last),
        data.dates.len(),
        esc(&seed),
        if data.replicas > 1 {
            format!("{} replicas", data.replicas)
        } else {
            "single run".to_owned()
        },
        esc(&engine),
        esc(version)
    );
    out.push_str(
        "<nav><a href=\"#camps\">Camps</a><a href=\"#error\">Validation error</a><a href=\"#people\">People</a><a href=\"#flagship\">Targets and flagship</a><a href=\"#map-section\">Map</a><a href=\"#run\">Run</a></nav><main>",
    );

    // Key figures.
    out.push_str(r#"<section id="overview"><h2>Overview</h2><div class="kpis">"#);
    let mut kpi = |value: String, label: &str| {
        let _ = write!(
            out,
            r#"<div class="kpi"><b>{}</b><span>{}</span></div>"#,
            esc(&value),
            esc(label)
        );
    };
    if let Some(v) = summary_str(data, "/validation/ard_normal").and_then(|v| v.as_f64()) {
        kpi(
            format!("{v:.4}"),
            "ARD (Flee's validation error, mean over days)",
        );
    }
    if let Some(v) = summary_str(data, "/validation/ard_rescaled").and_then(|v| v.as_f64()) {
        kpi(format!("{v:.4}"), "ARD, camp totals rescaled");
    }
    if let Some(v) = summary_str(data, "/agents_final").and_then(|v| v.as_f64()) {
        kpi(count_label(v), "people in the simulation at the end");
    }
    kpi(data.camps.len().to_string(), "camps with observed data");
    if let Some(targets) = &data.targets {
        let inside = targets
            .iter()
            .filter(|t| matches!(t.inside.to_ascii_lowercase().as_str(), "true" | "yes" | "1"))
            .count();
        let judged = targets.iter().filter(|t| !t.inside.is_empty()).count();
        kpi(format!("{inside} / {judged}"), "targets met");
    }
    out.push_str("</div></section>");

    let section_plots = |section: &'static str| plots.iter().filter(move |p| p.section == section);

    out.push_str(r#"<section id="camps"><h2>Camps: simulated against observed</h2>"#);
    let _ = write!(
        out,
        "<p>{}</p>",
        if data.replicas > 1 {
            format!(
                "Median over {} replicas with the 25–75 % and 5–95 % bands (quantiles.csv); \
                 dashed: the observed data (out.csv).",
                data.replicas
            )
        } else {
            "One run (out.csv); dashed: the observed data.".to_owned()
        }
    );
    missing(&mut out, data, "bands");
    out.push_str(r#"<div class="grid">"#);
    for plot in section_plots("camps") {
        figure(&mut out, plot);
    }
    out.push_str("</div></section>");

    out.push_str(r#"<section id="error"><h2>Validation error over time</h2>"#);
    for plot in section_plots("error") {
        figure(&mut out, plot);
    }
    out.push_str("</section>");

    out.push_str(r#"<section id="people"><h2>People by status and by country</h2>"#);
    out.push_str("<h3>By status</h3>");
    missing(&mut out, data, "status");
    for plot in section_plots("status") {
        figure(&mut out, plot);
    }
    out.push_str("<h3>By country</h3>");
    missing(&mut out, data, "countries");
    for plot in section_plots("countries") {
        figure(&mut out, plot);
    }
    out.push_str("</section>");

    out.push_str(r#"<section id="flagship"><h2>Targets and the flagship's series</h2>"#);
    out.push_str("<h3>Targets</h3>");
    match &data.targets {
        Some(targets) => targets_table(&mut out, targets),
        None => missing(&mut out, data, "targets"),
    }
    out.push_str("<h3>Yearly and weekly series</h3>");
    missing(&mut out, data, "yearly");
    missing(&mut out, data, "weekly");
    for plot in section_plots("flagship") {
        figure(&mut out, plot);
    }
    out.push_str("</section>");

    out.push_str(r#"<section id="map-section"><h2>Map of the location graph</h2>"#);
    missing(&mut out, data, "map");
    if let Some(map) = &data.map {
        if data.replicas > 1 {
            let _ = write!(
                out,
                "<p>One replica of {} (the first, the run's own seed; daily_locations.csv and \
                 daily_links.csv): people at each place and on each link on the day chosen.</p>",
                data.replicas
            );
        }
        let last = map.dates.len().saturating_sub(1);
        let _ = write!(
            out,
            r#"<div class="controls"><button id="map-play" type="button">Play</button><input id="map-slider" type="range" min="0" max="{last}" step="1" value="{last}" aria-label="day shown on the map"><output id="map-slider-date">{}</output></div>"#,
            esc(map.dates.get(last).map_or("", String::as_str))
        );
        for plot in section_plots("map") {
            figure(&mut out, plot);
        }
        // `</` cannot appear inside the JSON of numbers and names except in a name; escape it.
        let _ = write!(
            out,
            r#"<script type="application/json" id="map-data">{}</script>"#,
            map_json(map).replace("</", "<\\/")
        );
    }
    out.push_str("</section>");

    out.push_str(r#"<section id="run"><h2>Run</h2><table><tbody>"#);
    let mut row = |key: &str, value: String| {
        let _ = write!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(key),
            esc(&value)
        );
    };
    row("scenario", data.scenario.clone());
    for (key, pointer) in [
        ("source", "/scenario_source"),
        ("seed", "/seed"),
        ("engine", "/engine"),
        ("Tumen version", "/version"),
        ("start date", "/start_date"),
        ("days", "/days"),
        ("wall-clock seconds", "/wall_seconds"),
    ] {
        if let Some(value) = summary_str(data, pointer) {
            row(key, value_text(value));
        }
    }
    if let Some(args) = summary_str(data, "/command_line").and_then(|v| v.as_array()) {
        row(
            "command line",
            args.iter().map(value_text).collect::<Vec<_>>().join(" "),
        );
    }
    if data.replicas > 1 {
        row("replicas", data.replicas.to_string());
        if let Some(uncertainty) = summary_str(data, "/ensemble/uncertainty") {
            row("what the bands carry", value_text(uncertainty));
        }
    }
    out.push_str("</tbody></table>");
    if let Some(parameters) = data.parameters.as_ref().filter(|p| !p.is_empty()) {
        drawn_parameters_table(&mut out, parameters);
    }
    out.push_str("<h3>Scenario parameters (settings as used)</h3>");
    let settings = summary_str(data, "/settings/used")
        .and_then(|v| v.as_object())
        .filter(|m| !m.is_empty());
    match settings {
        Some(settings) => {
            out.push_str(r#"<table><thead><tr><th>setting</th><th>value</th></tr></thead><tbody>"#);
            for (key, value) in settings {
                let _ = write!(
                    out,
                    "<tr><td><code>{}</code></td><td>{}</td></tr>",
                    esc(key),
                    esc(&value_text(value))
                );
            }
            out.push_str("</tbody></table>");
        }
        None => out.push_str(
            r#"<p class="missing">No settings in summary.json (the run directory has no summary.json, or it lists none).</p>"#,
        ),
    }
    out.push_str("</section></main>");
    let _ = write!(
        out,
        "<footer>Made by Tumen {} from the files of the run directory; self-contained (no network).</footer><script>{SCRIPT}</script></body></html>",
        esc(version)
    );
    out.push('\n');
    out
}

/// The page of a policy comparison (`tumen compare`'s directory).
pub(crate) fn comparison_page(data: &crate::compare::ComparisonData, plots: &[Plot]) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut out = String::with_capacity(1 << 18);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="tumen {version}"><meta name="tumen-plots" content="{count}"><title>Tumen policy comparison</title><script>{ERROR_HOOK}</script><style>{STYLE}</style></head><body>"#,
        count = plots.len(),
    );
    let _ = write!(
        out,
        "<header><h1>Policy comparison</h1><p>baseline against {} · paired replicas (the same seeds for every run) · Tumen {}</p></header>",
        esc(&data.variants.join(", ")),
        esc(version)
    );
    out.push_str(
        "<nav><a href=\"#overview\">Overview</a><a href=\"#whole\">Whole run</a><a href=\"#levels\">Per year</a><a href=\"#differences\">Differences</a></nav><main>",
    );
    out.push_str(r#"<section id="overview"><h2>Overview</h2><div class="kpis">"#);
    for run in std::iter::once("baseline").chain(data.variants.iter().map(String::as_str)) {
        if let Some((inside, judged)) = data.targets.get(run) {
            let _ = write!(
                out,
                r#"<div class="kpi"><b>{inside} / {judged}</b><span>targets met: {}</span></div>"#,
                esc(run)
            );
        }
    }
    out.push_str(
        "</div><p>Each variant is the scenario with a few values changed (its overrides are in \
         the command line that made this directory). Every run uses the same replica seeds, so \
         the difference of a pair of replicas shows what the change does, with the chance \
         part largely cancelled.</p></section>",
    );
    out.push_str(r#"<section id="whole"><h2>Over the whole run</h2>"#);
    out.push_str(&crate::compare::whole_run_table(data));
    out.push_str(
        "<p>Highlighted: differences whose 5–95 % spread over the paired replicas excludes \
         0.</p></section>",
    );
    for (section, heading) in [
        ("levels", "Per year: the medians of each run"),
        ("differences", "Per year: variant − baseline"),
    ] {
        let _ = write!(
            out,
            r#"<section id="{section}"><h2>{heading}</h2><div class="grid">"#
        );
        for plot in plots.iter().filter(|p| p.section == section) {
            figure(&mut out, plot);
        }
        out.push_str("</div></section>");
    }
    let _ = write!(
        out,
        "</main><footer>Made by Tumen {} from comparison.csv and each run's targets.csv; self-contained (no network).</footer><script>{SCRIPT}</script></body></html>",
        esc(version)
    );
    out.push('\n');
    out
}
