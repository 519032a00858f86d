//! The report's data extraction (snapshots and cross-checks against the run files) and the
//! page it makes, on a small run directory in `tests/fixtures/mini` that has every file a
//! flagship run writes.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use tumen_report::{MAX_FRAMES, Options, load_run, plots, render_html, write_report};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// A copy of the fixture with only the named files.
fn partial(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        std::fs::copy(fixture().join(file), dir.path().join(file)).unwrap();
    }
    dir
}

#[test]
fn extraction_snapshot() {
    let data = load_run(&fixture()).unwrap();
    insta::assert_json_snapshot!("mini_run_data", data);
}

#[test]
fn camps_take_the_median_and_bands_from_quantiles_and_the_data_from_out_csv() {
    let data = load_run(&fixture()).unwrap();
    let quantiles = std::fs::read_to_string(fixture().join("quantiles.csv")).unwrap();
    let out = std::fs::read_to_string(fixture().join("out.csv")).unwrap();
    assert_eq!(data.replicas, 5);
    let names: Vec<&str> = data.camps.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Yanji", "Beijing"]);
    for line in quantiles.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let Some(camp) = data.camps.iter().find(|c| c.name == f[2]) else {
            continue;
        };
        let day: usize = f[0].parse().unwrap();
        let q = |i: usize| f[i].parse::<f64>().unwrap();
        assert_eq!(camp.median[day], q(7));
        let bands = camp.bands.as_ref().unwrap();
        assert_eq!(
            [bands[0][day], bands[1][day], bands[2][day], bands[3][day]],
            [q(5), q(6), q(8), q(9)]
        );
    }
    for (day, line) in out.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(data.camps[0].observed[day], f[3].parse::<f64>().unwrap());
        assert_eq!(data.camps[1].observed[day], f[6].parse::<f64>().unwrap());
        assert_eq!(data.total_error[day], f[8].parse::<f64>().unwrap());
    }
}

#[test]
fn without_quantiles_the_single_run_is_drawn() {
    let dir = partial(&["out.csv"]);
    let data = load_run(dir.path()).unwrap();
    assert_eq!(data.replicas, 1);
    assert!(data.camps.iter().all(|c| c.bands.is_none()));
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let last: Vec<&str> = out.lines().last().unwrap().split(',').collect();
    assert_eq!(
        data.camps[0].median.last().copied(),
        Some(last[2].parse::<f64>().unwrap())
    );
    // A single run's map needs no note on which replica it shows.
    let dir = partial(&["out.csv", "daily_locations.csv", "locations.geojson"]);
    let data = load_run(dir.path()).unwrap();
    assert!(data.map.is_some());
    assert!(!render_html(&data).contains("One replica of"));
}

#[test]
fn countries_add_up_to_the_locations_and_the_people_on_links() {
    let data = load_run(&fixture()).unwrap();
    let countries = data.countries.as_ref().unwrap();
    let names: Vec<&str> = countries.series.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Korea", "China", "on the move (on links)"]);
    let people = std::fs::read_to_string(fixture().join("daily_locations.csv")).unwrap();
    let links = std::fs::read_to_string(fixture().join("daily_links.csv")).unwrap();
    for (day, (p, l)) in people
        .lines()
        .skip(1)
        .zip(links.lines().skip(1))
        .enumerate()
    {
        let p: Vec<f64> = p.split(',').skip(2).map(|v| v.parse().unwrap()).collect();
        let l: f64 = l
            .split(',')
            .skip(2)
            .map(|v| v.parse::<f64>().unwrap())
            .sum();
        assert_eq!(countries.series[0].1[day], p[0] + p[1], "day {day}");
        assert_eq!(countries.series[1].1[day], p[2] + p[3], "day {day}");
        assert_eq!(countries.series[2].1[day], l, "day {day}");
    }
}

#[test]
fn statuses_are_whatever_the_file_lists() {
    let dir = partial(&["out.csv", "status.csv"]);
    let text = std::fs::read_to_string(dir.path().join("status.csv"))
        .unwrap()
        .replace(",exited,", ",at_home,");
    std::fs::write(dir.path().join("status.csv"), text).unwrap();
    let data = load_run(dir.path()).unwrap();
    let status = data.status.unwrap();
    let names: Vec<&str> = status.series.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["free", "hidden", "detained", "at_home"]);
    assert_eq!(status.dates.len(), 8);
    assert_eq!(status.series[1].1[3], 16.0);
}

#[test]
fn the_map_is_thinned_to_at_most_max_frames_and_keeps_the_last_day() {
    let dir = partial(&["out.csv", "locations.geojson"]);
    let days = 2 * MAX_FRAMES + 5;
    let mut text = String::from("day,date,Hometown,Border,Yanji,Beijing\n");
    for d in 0..days {
        text.push_str(&format!("{d},d{d},{d},0,1,2\n"));
    }
    std::fs::write(dir.path().join("daily_locations.csv"), text).unwrap();
    let data = load_run(dir.path()).unwrap();
    let map = data.map.unwrap();
    assert!(map.dates.len() <= MAX_FRAMES + 1, "{}", map.dates.len());
    assert_eq!(map.dates.last().unwrap(), &format!("d{}", days - 1));
    assert_eq!(map.people.last().unwrap()[0], (days - 1) as u64);
    // Without daily_links.csv every link carries 0.
    assert!(map.flow.iter().flatten().all(|f| *f == 0));
    assert_eq!(map.links, vec![(0, 1), (1, 2), (2, 3)]);
}

#[test]
fn every_section_is_drawn_from_a_full_run_directory() {
    let data = load_run(&fixture()).unwrap();
    assert!(data.missing.is_empty(), "{:?}", data.missing);
    let ids: Vec<String> = plots(&data).into_iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        [
            "camp-yanji",
            "camp-beijing",
            "validation-error",
            "people-by-status",
            "people-by-status-small",
            "people-by-country",
            "arrivals-south-korea",
            "hidden-population",
            "deportations-weekly",
            "deportations-2002",
            "map",
        ]
    );
    let html = render_html(&data);
    for id in &ids {
        assert!(
            html.contains(&format!(r#"<figure data-plot="{id}">"#)),
            "{id}"
        );
    }
    assert!(html.contains(r#"<meta name="tumen-plots" content="11">"#));
    // The target table, settings, seed and version.
    assert!(html.contains("<code>arrivals_south_korea_2001</code>"));
    assert!(html.contains(r#"<td class="out">false</td>"#));
    assert!(html.contains("<code>move_rules.max_move_speed</code>"));
    assert!(html.contains("seed 7"));
    assert!(html.contains("Tumen 0.1.0"));
    // The map says which replica it shows (the fixture is an ensemble).
    assert!(html.contains("One replica of 5 (the first"));
    // Incidents in the 2002 plot, with their places.
    let plot_2002 = plots(&data)
        .into_iter()
        .find(|p| p.id == "deportations-2002")
        .unwrap();
    assert!(plot_2002.svg.contains("2002-03-14: Beijing (25 people)"));
    assert!(plot_2002.svg.contains("2002-05-08: Shenyang (5 people)"));
}

#[test]
fn the_page_is_self_contained() {
    let html = render_html(&load_run(&fixture()).unwrap());
    // Nothing is fetched: no external scripts, styles, fonts or images.
    for forbidden in [
        "src=", "<link", "@import", "url(http", "https://", "<img", "<iframe",
    ] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    // The only URLs are SVG's namespace.
    let urls = html.matches("http://").count();
    assert_eq!(urls, html.matches("http://www.w3.org/2000/svg").count());
    // Every element that references something references an id of the page.
    for part in html.split("url(#").skip(1) {
        let id = &part[..part.find(')').unwrap()];
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
    }
}

#[test]
fn missing_files_leave_visible_notes() {
    let dir = partial(&["out.csv"]);
    let data = load_run(dir.path()).unwrap();
    let keys: Vec<&str> = data.missing.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "bands",
            "countries",
            "map",
            "status",
            "targets",
            "weekly",
            "yearly"
        ]
    );
    let html = render_html(&data);
    for note in data.missing.values() {
        let escaped = note.replace('&', "&amp;").replace('\'', "&#39;");
        assert!(html.contains(&escaped), "{note}");
    }
    let ids: Vec<String> = plots(&data).into_iter().map(|p| p.id).collect();
    assert_eq!(ids, ["camp-yanji", "camp-beijing", "validation-error"]);
}

#[test]
fn errors_name_the_file() {
    let empty = tempfile::tempdir().unwrap();
    let error = load_run(empty.path()).unwrap_err().to_string();
    assert!(
        error.contains("out.csv") && error.contains("not found"),
        "{error}"
    );
    let dir = partial(&["out.csv", "yearly.csv"]);
    std::fs::write(dir.path().join("yearly.csv"), "year,asylum_exits\nabc,3\n").unwrap();
    let error = load_run(dir.path()).unwrap_err().to_string();
    assert!(
        error.contains("yearly.csv") && error.contains("line 2"),
        "{error}"
    );
    std::fs::write(dir.path().join("yearly.csv"), "when,asylum_exits\n").unwrap();
    let error = load_run(dir.path()).unwrap_err().to_string();
    assert!(error.contains("no `year` column"), "{error}");
}

#[test]
fn write_report_writes_the_page_and_one_png_per_plot() {
    let dir = partial(&[
        "out.csv",
        "summary.json",
        "locations.geojson",
        "daily_locations.csv",
        "daily_links.csv",
    ]);
    let written = write_report(
        dir.path(),
        &Options {
            output: None,
            png: true,
        },
    )
    .unwrap();
    assert_eq!(written.html, dir.path().join("report.html"));
    let html = std::fs::read_to_string(&written.html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(written.pngs.len(), written.plots);
    for png in &written.pngs {
        let bytes = std::fs::read(png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG", "{}", png.display());
        assert!(
            bytes.len() > 2000,
            "{} is {} bytes",
            png.display(),
            bytes.len()
        );
    }
    assert!(written.pngs.iter().any(|p| p.ends_with("plots/map.png")));
}

#[test]
fn the_daily_error_averages_to_the_ard_of_out_csv() {
    let data = load_run(&fixture()).unwrap();
    let out = std::fs::read(fixture().join("out.csv")).unwrap();
    let table = tumen_output::FleeTable::read_csv(out.as_slice()).unwrap();
    let ard = tumen_output::ard(&table);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!((mean(&data.daily_ard) - ard.normal).abs() < 1e-12);
    assert!((mean(&data.daily_ard_rescaled) - ard.rescaled).abs() < 1e-12);
    assert!(data.daily_ard.iter().any(|e| *e > 0.0));
}

fn comparison_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "variant,year,quantity,baseline_median,variant_median,difference,difference_p05,difference_p95\n",
    );
    for year in 2000..2003 {
        let cut = if year == 2002 { -300.0 } else { 0.0 };
        text.push_str(&format!(
            "calm,{year},deportations,1000,{},{cut},{},{}\n",
            1000.0 + cut,
            cut - 20.0,
            cut + 20.0
        ));
        text.push_str(&format!("calm,{year},asylum_exits,10,12,2,-1,5\n"));
    }
    text.push_str("calm,all,deportations,3000,2700,-300,-340,-260\n");
    text.push_str("calm,all,asylum_exits,30,36,6,-2,14\n");
    text.push_str("calm,all,hidden_at_end,500,520,20,5,40\n");
    std::fs::write(dir.path().join("comparison.csv"), text).unwrap();
    for (run, inside) in [("baseline", "true"), ("calm", "false")] {
        std::fs::create_dir_all(dir.path().join(run)).unwrap();
        std::fs::write(
            dir.path().join(run).join("targets.csv"),
            format!("target,inside\na,true\nb,{inside}\nc,\n"),
        )
        .unwrap();
    }
    dir
}

#[test]
fn a_comparison_directory_gets_the_comparison_report() {
    let dir = comparison_dir();
    let data = tumen_report::load_comparison(dir.path()).unwrap().unwrap();
    assert_eq!(data.variants, ["calm"]);
    assert_eq!(
        data.quantities,
        ["deportations", "asylum_exits", "hidden_at_end"]
    );
    assert_eq!(data.targets["baseline"], (2, 2));
    assert_eq!(data.targets["calm"], (1, 2));
    let ids: Vec<String> = tumen_report::comparison_plots(&data)
        .into_iter()
        .map(|p| p.id)
        .collect();
    // hidden_at_end has no yearly rows: no plot.
    assert_eq!(
        ids,
        [
            "levels-deportations",
            "difference-deportations",
            "levels-asylum-exits",
            "difference-asylum-exits"
        ]
    );
    let written = write_report(dir.path(), &Options::default()).unwrap();
    assert_eq!(written.plots, 4);
    let page = std::fs::read_to_string(written.html).unwrap();
    assert!(page.contains(r#"<meta name="tumen-plots" content="4">"#));
    // A difference whose spread excludes 0 is highlighted; one that includes 0 is not.
    assert!(page.contains(r#"<td class="num out">-300</td>"#), "{page}");
    assert!(page.contains(r#"<td class="num">+6</td>"#), "{page}");
    assert!(page.contains("<b>1 / 2</b><span>targets met: calm</span>"));
}

#[test]
fn a_bad_comparison_row_names_its_line() {
    let dir = comparison_dir();
    let path = dir.path().join("comparison.csv");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("1000,1000", "1000,lots");
    std::fs::write(&path, text).unwrap();
    let error = tumen_report::load_comparison(dir.path())
        .unwrap_err()
        .to_string();
    assert!(error.contains("comparison.csv"), "{error}");
    assert!(
        error.contains("line 2: `variant_median` is `lots`, expected a number"),
        "{error}"
    );
}

#[test]
fn an_ensemble_draws_people_by_country_with_bands() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let data = load_run(dir.path()).unwrap();
    let stacked = plots(&data)
        .into_iter()
        .find(|p| p.id == "people-by-country")
        .unwrap();
    assert!(stacked.caption.contains("stacked"), "{}", stacked.caption);

    let mut text = String::from("day,date,country,mean,p05,p25,p50,p75,p95\n");
    for (day, date) in data.dates.iter().enumerate() {
        text.push_str(&format!("{day},{date},Home,10,8,9,10,11,12\n"));
        text.push_str(&format!("{day},{date},Away,5,4,4,5,6,7\n"));
    }
    std::fs::write(dir.path().join("countries.csv"), &text).unwrap();
    let data = load_run(dir.path()).unwrap();
    let bands = data.country_bands.as_ref().unwrap();
    assert_eq!(bands.series.len(), 2);
    assert_eq!(bands.series[1].0, "Away");
    assert_eq!(bands.series[1].1[2][0], 7.0);
    let plot = plots(&data)
        .into_iter()
        .find(|p| p.id == "people-by-country")
        .unwrap();
    assert!(
        plot.caption.contains("5–95 % band (countries.csv)"),
        "{}",
        plot.caption
    );

    // A malformed row is named.
    std::fs::write(
        dir.path().join("countries.csv"),
        text.replacen("Away,5,4", "Away,5,x", 1),
    )
    .unwrap();
    let error = load_run(dir.path()).unwrap_err().to_string();
    assert!(error.contains("countries.csv"), "{error}");
    assert!(error.contains("line 3: `p05` is not a number"), "{error}");
}

#[test]
fn the_map_reads_points_and_links_from_their_two_files() {
    // Today's runs write the points to locations.geojson and the lines to links.geojson;
    // the fixture has the combined file of earlier versions. Both give the same data.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let text = std::fs::read_to_string(fixture().join("locations.geojson")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let features = value["features"].as_array().unwrap();
    let layer = |kind: &str| {
        let kept: Vec<&serde_json::Value> = features
            .iter()
            .filter(|f| f["properties"]["feature"] == kind)
            .collect();
        assert!(!kept.is_empty(), "{kind}");
        serde_json::json!({"type": "FeatureCollection", "features": kept}).to_string()
    };
    std::fs::write(dir.path().join("locations.geojson"), layer("location")).unwrap();
    std::fs::write(dir.path().join("links.geojson"), layer("link")).unwrap();
    let split = serde_json::to_value(load_run(dir.path()).unwrap()).unwrap();
    let combined = serde_json::to_value(load_run(&fixture()).unwrap()).unwrap();
    assert_eq!(split, combined);
}

#[test]
fn the_map_of_the_mini_run_shows_its_countries_in_the_html_and_the_png() {
    // The fixture's places are in North Korea and China (Hometown 41.8°N 129.8°E, Beijing
    // 39.9°N 116.4°E); the map's extent reaches Russia near Yanji (42.9°N 129.5°E).
    let data = load_run(&fixture()).unwrap();
    let map = plots(&data).into_iter().find(|p| p.id == "map").unwrap();
    for country in ["China", "North Korea", "Russia"] {
        assert!(
            map.svg
                .contains(&format!(r#"<path data-country="{country}" d="M"#)),
            "no outline of {country}"
        );
    }
    for far in ["Mali", "Japan", "South Korea"] {
        assert!(
            !map.svg.contains(&format!(r#"data-country="{far}""#)),
            "{far}"
        );
    }
    let html = render_html(&data);
    assert!(html.contains(r#"<path data-country="China""#));
    // The PNG paints the countries' light grey fill over a good part of the map.
    let png = tumen_report::render_png(&map.svg, 1.0).unwrap();
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
    let grey = pixmap
        .pixels()
        .iter()
        .filter(|p| (p.red(), p.green(), p.blue()) == (0xe6, 0xe4, 0xdf))
        .count();
    let share = grey as f64 / pixmap.pixels().len() as f64;
    assert!(
        share > 0.2,
        "country fill covers {:.1} % of the map",
        100.0 * share
    );
}

#[test]
fn the_parameters_drawn_from_a_posterior_are_tabled_with_what_the_bands_carry() {
    let dir = partial(&["out.csv", "summary.json", "quantiles.csv"]);
    // Eleven replicas: the median is the sixth value, 5 % and 95 % interpolate between the
    // first two and the last two.
    let mut text = String::from(
        "replica,seed,push[0].per_capita,aid.return_damping,asylum.brokers.saturation\n",
    );
    for replica in 0..11 {
        let rate = 1.0e-5 * f64::from(replica + 1);
        let damping = 0.1 * f64::from(replica);
        let saturation = 1353.6298 * f64::from(replica * replica + 1);
        text.push_str(&format!(
            "{replica},{},{rate:e},{damping},{saturation}\n",
            100 + replica
        ));
    }
    std::fs::write(dir.path().join("parameters.csv"), &text).unwrap();
    let summary_path = dir.path().join("summary.json");
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary_path).unwrap()).unwrap();
    summary["ensemble"]["uncertainty"] = "seed noise and parameter uncertainty".into();
    std::fs::write(&summary_path, summary.to_string()).unwrap();
    let data = load_run(dir.path()).unwrap();
    let parameters = data.parameters.as_ref().unwrap();
    assert_eq!(parameters.len(), 3);
    assert_eq!(parameters[0].key, "push[0].per_capita");
    assert_eq!(parameters[1].values.len(), 11);
    let html = render_html(&data);
    assert!(
        html.contains("Parameters drawn from the posterior"),
        "{html}"
    );
    assert!(
        html.contains(
            "<tr><th>what the bands carry</th><td>seed noise and parameter uncertainty</td></tr>"
        ),
        "{html}"
    );
    // push: 5 % = 1e-5 + 0.5 × 1e-5, median 6e-5, 95 % = 1.05e-4.
    assert!(
        html.contains(
            "<td><code>push[0].per_capita</code></td><td>1.50e-5</td><td>6.00e-5</td><td>1.05e-4</td>"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<td><code>aid.return_damping</code></td><td>0.05</td><td>0.5</td><td>0.95</td>"
        ),
        "{html}"
    );
    // Three significant digits at least, grouped from 10,000 on: 5 % halfway between 1 × and
    // 2 × 1,353.6298 (2,030.4), the median 26 × (35,194.4), 95 % halfway between 82 × and
    // 101 × (123,857.1).
    assert!(
        html.contains(
            "<td><code>asylum.brokers.saturation</code></td><td>2030</td><td>35,194</td><td>123,857</td>"
        ),
        "{html}"
    );
    // Without parameters.csv there is no such table.
    std::fs::remove_file(dir.path().join("parameters.csv")).unwrap();
    let html = render_html(&load_run(dir.path()).unwrap());
    assert!(!html.contains("Parameters drawn from the posterior"));
    // A value that is not a number is named by line and column.
    std::fs::write(
        dir.path().join("parameters.csv"),
        "replica,seed,aid.return_damping\n0,1,0.2\n1,2,high\n",
    )
    .unwrap();
    let error = load_run(dir.path()).unwrap_err().to_string();
    assert!(
        error.contains("parameters.csv")
            && error.contains("line 3")
            && error.contains("`aid.return_damping`")
            && error.contains("high"),
        "{error}"
    );
}
