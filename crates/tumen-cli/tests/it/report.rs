//! `tumen run` writes the network files and the exchange formats, and `tumen report` (or
//! `run --report`) makes the HTML report and the PNGs, on the project's toy scenario.

use crate::common::{scenario, tumen};
use std::path::Path;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn a_run_writes_the_network_the_formats_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args([
            "run",
            "--seed",
            "5",
            "--formats",
            "long,hxl",
            "--report",
            "--output",
        ])
        .arg(dir.path())
        .arg(scenario("toy_escape"))
        .assert()
        .success();
    let out = read(dir.path(), "out.csv");
    let days = out.lines().count() - 1;
    // daily_locations.csv: one row per day; its camp columns are out.csv's `<camp> sim`.
    let daily = read(dir.path(), "daily_locations.csv");
    let header: Vec<&str> = daily.lines().next().unwrap().split(',').collect();
    assert_eq!(daily.lines().count() - 1, days);
    let out_header: Vec<&str> = out.lines().next().unwrap().split(',').collect();
    for (line, daily_line) in out.lines().skip(1).zip(daily.lines().skip(1)) {
        let o: Vec<&str> = line.split(',').collect();
        let d: Vec<&str> = daily_line.split(',').collect();
        for (c, name) in out_header.iter().enumerate() {
            if let Some(camp) = name.strip_suffix(" sim") {
                let column = header.iter().position(|h| h == &camp).unwrap();
                assert_eq!(o[c], d[column], "{camp} on {}", o[1]);
            }
        }
    }
    // Everyone is somewhere: at a location or on a link.
    let links = read(dir.path(), "daily_links.csv");
    let total = out_header
        .iter()
        .position(|h| *h == "total refugees (simulation)")
        .unwrap();
    for ((line, d), l) in out
        .lines()
        .skip(1)
        .zip(daily.lines().skip(1))
        .zip(links.lines().skip(1))
    {
        let sum = |text: &str| -> u64 {
            text.split(',')
                .skip(2)
                .map(|v| v.parse::<u64>().unwrap())
                .sum()
        };
        let o: Vec<&str> = line.split(',').collect();
        if o[total] != "0" {
            assert_eq!(
                sum(d) + sum(l),
                o[total].parse::<u64>().unwrap(),
                "{}",
                o[1]
            );
        }
    }
    // The long table: locations × days rows; HXL: the same rows after a hashtag row.
    let locations = header.len() - 2;
    let long = read(dir.path(), "long.csv");
    assert_eq!(long.lines().count(), 1 + locations * days);
    let hxl = read(dir.path(), "hxl.csv");
    assert!(
        hxl.lines()
            .nth(1)
            .unwrap()
            .starts_with("#date,#indicator+num+day,#loc+name,")
    );
    assert_eq!(hxl.lines().count(), 2 + locations * days);
    // GeoJSON: one point per location in locations.geojson, one line per route in
    // links.geojson (one geometry type per file, for GIS exports).
    let geojson: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "locations.geojson")).unwrap();
    let features = geojson["features"].as_array().unwrap();
    let points = features
        .iter()
        .filter(|f| f["geometry"]["type"] == "Point")
        .count();
    assert_eq!(points, locations);
    assert_eq!(points, features.len());
    let links: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "links.geojson")).unwrap();
    let features = links["features"].as_array().unwrap();
    let routes =
        std::fs::read_to_string(scenario("toy_escape").join("input_csv/routes.csv")).unwrap();
    let lines = features
        .iter()
        .filter(|f| f["geometry"]["type"] == "LineString")
        .count();
    assert_eq!(
        lines,
        routes
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count()
    );
    // The report.
    let html = read(dir.path(), "report.html");
    assert!(html.contains(r#"<figure data-plot="map">"#));
    assert!(html.contains("seed 5"));
}

#[test]
fn report_writes_pngs_and_names_a_missing_run_directory() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args(["run", "--output"])
        .arg(dir.path())
        .arg(scenario("toy_escape"))
        .assert()
        .success();
    // The default run writes no exchange tables.
    assert!(!dir.path().join("long.csv").exists());
    let page = dir.path().join("elsewhere.html");
    let assert = tumen()
        .args(["report", "--png", "--output"])
        .arg(&page)
        .arg(dir.path())
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("elsewhere.html"), "{stderr}");
    let pngs: Vec<_> = std::fs::read_dir(dir.path().join("plots"))
        .unwrap()
        .collect();
    assert!(pngs.len() >= 4, "{}", pngs.len());

    let empty = tempfile::tempdir().unwrap();
    let assert = tumen().arg("report").arg(empty.path()).assert().code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("out.csv") && stderr.contains("not found"),
        "{stderr}"
    );
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let assert = tumen()
        .args(["run", "--formats", "parquet", "--output"])
        .arg(dir.path())
        .arg(scenario("toy_escape"))
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("--features parquet"), "{stderr}");
}
