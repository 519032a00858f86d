//! The flagship's calibration, asserted so that it cannot drift unnoticed: the embedded
//! Korea–China scenario run as `tumen run` runs it (20 replicas, count engine), its
//! `targets.csv` read back, and each target checked at the tolerance stated here.

use crate::common::tumen;
use std::collections::HashMap;

/// `target -> (low, high, median, p05, p95, inside)` from `targets.csv`.
type Row = (
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    String,
);

fn read_targets(text: &str) -> HashMap<String, Row> {
    let number = |s: &str| s.parse::<f64>().ok();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 7, "{line}");
            (
                f[0].to_owned(),
                (
                    number(f[1]),
                    number(f[2]),
                    number(f[3]),
                    number(f[4]),
                    number(f[5]),
                    f[6].to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn the_flagship_meets_its_calibration_targets() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args(["run", "--output"])
        .arg(dir.path())
        .assert()
        .success();
    // The incidents are in the run directory, for the report's deportation plot.
    let incidents = std::fs::read_to_string(dir.path().join("incidents.csv")).unwrap();
    assert!(incidents.starts_with("date,location,channel,size,label\n"));
    assert!(
        incidents.contains("\n2002-03-14,Beijing,Beijing,25,"),
        "{incidents}"
    );
    let targets = read_targets(&std::fs::read_to_string(dir.path().join("targets.csv")).unwrap());
    let median = |name: &str| {
        targets[name]
            .2
            .unwrap_or_else(|| panic!("{name} not evaluated"))
    };
    // Every target the sources allow is met (`inside`), except the 2002 crackdown's
    // deportation total, which contradicts the yearly Yanbian figure (NOTES.md, section 10),
    // and the origin share, which is not simulated.
    for (name, row) in &targets {
        match name.as_str() {
            "crackdown_2002_deportations_total" | "origin_share_north_hamgyong" => {}
            _ => assert_eq!(row.5, "true", "target `{name}` missed: {row:?}"),
        }
    }
    // Tolerances on the medians (the ensemble's 5-95 % band is narrower than these):
    // arrivals in South Korea within 25 % of the official count each year 1996-2002;
    for year in 1996..=2002 {
        let name = format!("arrivals_south_korea_{year}");
        let documented = targets[&name].0.unwrap();
        let simulated = median(&name);
        assert!(
            (simulated - documented).abs() <= 0.25 * documented,
            "{name}: {simulated} vs {documented}"
        );
    }
    // the hidden population within 15 % of the survey's central values (75,000 and 65,000);
    assert!((median("hidden_population_1998") - 75_000.0).abs() <= 11_250.0);
    assert!((median("hidden_population_2002") - 65_000.0).abs() <= 9_750.0);
    // repatriations within 10 % of the 1997 and 1998 figures, and at least the 2002 one;
    assert!((median("repatriations_1997") - 5_439.0).abs() <= 544.0);
    assert!((median("repatriations_1998") - 6_300.0).abs() <= 630.0);
    assert!(median("repatriations_2002") >= 4_809.0);
    // crossings peak in 1997-98; the 2002 crackdown at least 1.5 times the weeks before;
    assert!((1997.0..=1998.0).contains(&median("crossings_peak")));
    assert!(median("crackdown_2002_weekly_deportations") >= 1.5);
    // at least 38 asylum exits in the crackdown's weeks.
    assert!(median("asylum_exits_by_2002-05-29") >= 38.0);
}
