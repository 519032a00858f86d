//! The flagship as `tumen run` runs it with no arguments: the embedded Korea–China scenario,
//! 1994–2010, 20 replicas on the count engine, each replica's parameters drawn from the
//! posterior the scenario ships (`tumen calibrate --until 2002-12-31`).
//!
//! **The rule of `inside`** (written by tumen-output, and re-derived here from the numbers so
//! that the code and this comment cannot drift apart): a target with both bounds (an official
//! count, a survey's range) is met when the ensemble's 5–95 % band overlaps the documented
//! range; a one-sided bound (an upper envelope, a lower bound) is met when the median respects
//! it. Why the band and not the median: the band carries the posterior's parameter uncertainty,
//! and an official count (56 arrivals in 1996) is a point that no median hits exactly; the
//! question is whether the documented figure is among the outcomes the fitted model finds
//! plausible. The medians are then held to the tolerances stated below.
//!
//! `targets.csv` holds only figures dated up to 2002 (what the calibration fits);
//! `evaluation.csv` holds the later ones (the forecast, never fitted). The test checks that the
//! forecast is scored and labelled as such, not that it is good: its scores are reported,
//! good or bad, in the scenario's NOTES.md.

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

/// The rule of the module comment, from a row's numbers.
fn rule(row: &Row) -> Option<bool> {
    let (low, high, median, p05, p95, _) = *row;
    let (median, p05, p95) = (median?, p05?, p95?);
    Some(match (low, high) {
        (Some(low), Some(high)) => p05 <= high && low <= p95,
        _ => low.is_none_or(|low| median >= low) && high.is_none_or(|high| median <= high),
    })
}

#[test]
fn the_flagship_meets_its_targets_to_2002_and_scores_its_forecast() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args(["run", "--output"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "drawn from the posterior the scenario ships",
        ));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    // The incidents are in the run directory, for the report's deportation plot; the October
    // 2003 sheltering group is there once, its November 2004 report is not.
    let incidents = read("incidents.csv");
    assert!(incidents.starts_with("date,location,channel,size,label\n"));
    assert!(
        incidents.contains("\n2002-03-14,Beijing,Beijing,25,"),
        "{incidents}"
    );
    assert!(
        incidents.contains("\n2003-10-15,Beijing,Beijing,125,"),
        "{incidents}"
    );
    assert!(!incidents.contains("2004-11-15"), "{incidents}");

    // Fit: every target dated up to 2002 meets the rule, but six known misses (NOTES.md
    // sections 10 and 12): the crackdown's deportation total "in the hundreds", which
    // contradicts the yearly Yanbian figure; three official arrival counts that the
    // eleven-parameter posterior leaves outside its bands: 1998 (71; the model has no 1998
    // dip; band 95-149), 1999 (148; band 169-232) and 2002 (1,140; band 450-995); and the 1997
    // and 1998 repatriations (5,439 and 6,300; bands up to 5,200 and 5,720), which the joint
    // fit with women caught less often than men leaves about 22 % low.
    let targets = read_targets(&read("targets.csv"));
    assert!(targets.len() >= 15, "{targets:?}");
    for (name, row) in &targets {
        assert_eq!(
            rule(row).map(|b| b.to_string()),
            Some(row.5.clone()),
            "`inside` of `{name}` does not follow the stated rule: {row:?}"
        );
        if !matches!(
            name.as_str(),
            "crackdown_2002_deportations_total"
                | "arrivals_south_korea_1998"
                | "arrivals_south_korea_1999"
                | "arrivals_south_korea_2002"
                | "repatriations_1997"
                | "repatriations_1998"
        ) {
            assert_eq!(row.5, "true", "target `{name}` missed: {row:?}");
        }
    }
    let median = |name: &str| {
        targets[name]
            .2
            .unwrap_or_else(|| panic!("{name} not evaluated"))
    };
    // Tolerances on the medians, as good as the eleven-parameter posterior makes them (NOTES.md
    // section 10): arrivals in South Korea within a factor 2 of the official count 1999-2002
    // (the median of 2002 is 65 % of the count, of 1999 138 %);
    for year in 1999..=2002 {
        let name = format!("arrivals_south_korea_{year}");
        let documented = targets[&name].0.unwrap();
        let simulated = median(&name);
        assert!(
            (documented / 2.0..=2.0 * documented).contains(&simulated),
            "{name}: {simulated} vs {documented}"
        );
    }
    // the hidden population within 20 % of the survey's central values (75,000 and 65,000);
    assert!((median("hidden_population_1998") - 75_000.0).abs() <= 15_000.0);
    assert!((median("hidden_population_2002") - 65_000.0).abs() <= 13_000.0);
    // repatriations within 30 % of the 1997 and 1998 figures (the medians are 22 % and 23 %
    // low), and at least the 2002 one;
    assert!((median("repatriations_1997") - 5_439.0).abs() <= 0.3 * 5_439.0);
    assert!((median("repatriations_1998") - 6_300.0).abs() <= 0.3 * 6_300.0);
    assert!(median("repatriations_2002") >= 4_809.0);
    // crossings peak in 1997-98; the 2002 crackdown at least 1.5 times the weeks before.
    assert!((1997.0..=1998.0).contains(&median("crossings_peak")));
    assert!(median("crackdown_2002_weekly_deportations") >= 1.5);

    // Forecast: evaluation.csv is written, holds only figures after 2002, follows the same
    // rule, and summary.json says which table is fitted and which is forecast.
    let evaluation = read_targets(&read("evaluation.csv"));
    assert!(evaluation.contains_key("arrivals_south_korea_2010"));
    assert!(evaluation.contains_key("repatriations_2004"));
    assert!(!evaluation.contains_key("arrivals_south_korea_2002"));
    for (name, row) in &evaluation {
        if row.2.is_some() {
            assert_eq!(
                rule(row).map(|b| b.to_string()),
                Some(row.5.clone()),
                "{name}"
            );
        }
    }
    // Person attributes: the shares of women among the arrivals to 2002 are fitted targets
    // (met above), the later ones and North Hamgyong's share of 2003 are scored; the outputs
    // split by sex and by province.
    for period in ["1996_2000", "1999_2001", "2002"] {
        assert!(targets.contains_key(&format!("arrivals_female_share_{period}")));
    }
    for year in [2003, 2006, 2007, 2008, 2010] {
        let share = evaluation[&format!("arrivals_female_share_{year}")]
            .2
            .unwrap();
        assert!((0.0..=1.0).contains(&share), "{year}: {share}");
    }
    let origin = evaluation["origin_share_north_hamgyong"].2.unwrap();
    assert!((0.0..=1.0).contains(&origin), "{origin}");
    assert!(read("yearly.csv").contains(",asylum_exits_female,asylum_exits_male,"));
    assert!(read("origins.csv").contains("North Hamgyong"));
    // Deportations in 2004 stay in the documented range (a few thousand to under 9,000).
    let deportations_2004 = evaluation["repatriations_2004"].2.unwrap();
    assert!(
        (3_000.0..9_000.0).contains(&deportations_2004),
        "{deportations_2004}"
    );
    let summary: serde_json::Value = serde_json::from_str(&read("summary.json")).unwrap();
    let scores = &summary["scores"];
    assert!(scores["fit"]["role"].as_str().unwrap().starts_with("fit"));
    assert!(
        scores["forecast"]["role"]
            .as_str()
            .unwrap()
            .starts_with("forecast")
    );
    assert_eq!(scores["forecast"]["file"], "evaluation.csv");
    assert!(scores["forecast"]["evaluated"].as_u64().unwrap() >= 10);
    assert!(
        summary["ensemble"]["uncertainty"]
            .as_str()
            .unwrap()
            .contains("parameter uncertainty"),
        "{summary}"
    );
    // Each replica's parameters, drawn from the posterior.
    let parameters = read("parameters.csv");
    assert!(
        parameters.contains("asylum.brokers.per_exited"),
        "{parameters}"
    );
    assert_eq!(parameters.lines().count(), 21, "{parameters}");
}

/// `--no-posterior` runs the scenario's own values: seed noise only.
#[test]
fn no_posterior_runs_the_scenarios_own_values() {
    let dir = tempfile::tempdir().unwrap();
    tumen()
        .args([
            "run",
            "--no-posterior",
            "--days",
            "400",
            "--replicas",
            "2",
            "--output",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert!(
        summary["ensemble"]["uncertainty"]
            .as_str()
            .unwrap()
            .starts_with("seed noise only"),
        "{summary}"
    );
    assert!(!dir.path().join("parameters.csv").exists());
}
