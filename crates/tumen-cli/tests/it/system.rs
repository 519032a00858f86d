//! The seed's system outputs (`yearly.csv`, `weekly.csv`, `status.csv`, `targets.csv`) and
//! `tumen compare`, on a copy of `examples/hidden-border` with a targets file of our own.

use crate::common::{copy_dir, scenario, tumen};
use std::path::{Path, PathBuf};

/// Targets of the fixture: which ones hold is known without running (`inside`), except the
/// ratio, which holds when the crackdown trigger works.
const TARGETS: &str = "\
target,kind,measure,quantity,start,end,documented_low,documented_high,source,note
crossings_2000,count,sum,crossings,2000-01-01,2000-12-31,1,,fixture,\"any crossing, at all\"
hidden_mid_2001,stock,stock,hidden+seeking_asylum+returning,,2001-07-01,,0,fixture,impossible: nobody hidden
borderland_detentions,count,sum,detentions@Borderland,2000-01-01,2001-12-31,0,,fixture,
crossings_peak,shape,peak_year,crossings,,,2000,2001,fixture,the only two years
after_rush,ratio,ratio_to_before,detentions@Borderland,2000-09-15,2000-11-15,1.2,,fixture,the trigger fires on 2000-09-14
share,not simulated,,,,,0.5,0.5,fixture,not simulated
typo,count,sum,crosings,2000-01-01,2000-12-31,1,,fixture,unknown event
";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hidden-border")
}

/// A copy of the example with the fixture's targets.
fn scenario_with_targets(root: &Path) -> PathBuf {
    let dir = root.join("hidden-border");
    copy_dir(&example(), &dir);
    std::fs::write(dir.join("mechanisms/targets.csv"), TARGETS).unwrap();
    dir
}

/// Rows of a CSV file written by tumen (no quoted fields in these fixtures).
fn csv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| line.split(',').map(str::to_owned).collect())
        .collect()
}

fn number(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("`{text}` is not a number"))
}

#[test]
fn a_run_with_mechanisms_writes_the_system_tables_and_evaluates_the_targets() {
    let root = tempfile::tempdir().unwrap();
    let scenario = scenario_with_targets(root.path());
    let out = root.path().join("out");
    let assert = tumen()
        .args(["run", "--seed", "4", "--output"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();

    // The defaults for a scenario with mechanisms: 20 replicas on the count engine.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["ensemble"]["replicas"], 20, "{summary}");
    assert_eq!(summary["engine"], "counts");

    let yearly = csv(&out.join("yearly.csv"));
    assert_eq!(
        yearly[0],
        [
            "year",
            "crossings",
            "returns",
            "deportations",
            "asylum_exits",
            "hidden_at_year_end"
        ]
    );
    assert_eq!(yearly.len(), 3, "{yearly:?}");
    assert_eq!(
        (yearly[1][0].as_str(), yearly[2][0].as_str()),
        ("2000", "2001")
    );
    for row in &yearly[1..] {
        assert!(row[1..].iter().all(|v| number(v) >= 0.0), "{row:?}");
    }
    assert!(
        number(&yearly[1][1]) > 0.0,
        "nobody crossed in 2000: {yearly:?}"
    );
    assert!(
        number(&yearly[2][3]) > 0.0,
        "nobody deported in 2001: {yearly:?}"
    );

    let weekly = csv(&out.join("weekly.csv"));
    assert_eq!(
        weekly[0],
        [
            "week_start",
            "crossings",
            "returns",
            "deportations",
            "asylum_exits",
            "hidden"
        ]
    );
    // 731 days from 2000-01-01: 104 whole weeks and a last one of 3 days.
    assert_eq!(weekly.len(), 1 + 105);
    assert_eq!(weekly[1][0], "2000-01-01");
    assert_eq!(weekly[2][0], "2000-01-08");
    assert_eq!(weekly[105][0], "2001-12-29");
    // The last week ends on the last day, as the last year does.
    assert_eq!(weekly[105][5], yearly[2][5]);

    let status = csv(&out.join("status.csv"));
    assert_eq!(status[0], ["day", "date", "status", "people"]);
    // 11 categories (issue 13 added `queued` and `dead`).
    assert_eq!(status.len(), 1 + 731 * 11);
    assert_eq!(status[1][..3], ["0", "2000-01-01", "free"]);

    let targets = csv(&out.join("targets.csv"));
    assert_eq!(
        targets[0],
        [
            "target",
            "documented_low",
            "documented_high",
            "simulated_median",
            "simulated_p05",
            "simulated_p95",
            "inside"
        ]
    );
    let target = |name: &str| targets.iter().find(|r| r[0] == name).unwrap().clone();
    assert_eq!(target("crossings_2000")[6], "true");
    // Two paths to the same number: the target's sum and the yearly table.
    assert_eq!(target("crossings_2000")[3], yearly[1][1]);
    assert_eq!(target("hidden_mid_2001")[6], "false");
    assert_eq!(target("borderland_detentions")[6], "true");
    assert_eq!(target("crossings_peak")[6], "true");
    assert_eq!(target("after_rush")[6], "true", "{targets:?}");
    for name in ["crossings_2000", "hidden_mid_2001", "after_rush"] {
        let row = target(name);
        let (median, p05, p95) = (number(&row[3]), number(&row[4]), number(&row[5]));
        assert!(p05 <= median && median <= p95, "{row:?}");
    }
    // Not simulated and not evaluable: no values, no verdict; the second is warned about.
    assert_eq!(target("share")[3..], ["", "", "", ""]);
    assert_eq!(target("typo")[3..], ["", "", "", ""]);
    assert!(
        stderr.contains("warning: target `typo`") && stderr.contains("unknown event `crosings`"),
        "{stderr}"
    );
    // The table is printed at the end.
    assert!(stderr.contains("not simulated"), "{stderr}");
    assert!(
        stderr.contains("4 of 5 evaluated targets inside their documented range"),
        "{stderr}"
    );
}

#[test]
fn replicas_and_engine_flags_win_over_the_defaults() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    tumen()
        .args([
            "run",
            "--replicas",
            "2",
            "--engine",
            "agents",
            "--days",
            "40",
            "--output",
        ])
        .arg(&out)
        .arg(example())
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["ensemble"]["replicas"], 2);
    assert_eq!(summary["engine"], "agents");
    // No targets file in the example: no targets.csv, the other tables still.
    assert!(!out.join("targets.csv").exists());
    assert_eq!(csv(&out.join("yearly.csv")).len(), 2);
}

#[test]
fn compare_switching_off_the_trigger_gives_fewer_deportations() {
    let root = tempfile::tempdir().unwrap();
    let scenario = scenario_with_targets(root.path());
    let out = root.path().join("compare");
    let assert = tumen()
        .args([
            "compare",
            "--replicas",
            "8",
            "--seed",
            "11",
            "--report",
            "--output",
        ])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    // `--report`: the comparison's page, with the plots of the deportations.
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("<h1>Policy comparison</h1>"));
    assert!(page.contains(r#"<figure data-plot="difference-deportations">"#));
    assert!(page.contains("targets met: no-trigger"));
    // Without --variant: the scenario has a trigger and incidents.
    assert!(
        stderr.contains("no-trigger (enforcement.trigger.enabled=false)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no-incidents (asylum.incidents.enabled=false)"),
        "{stderr}"
    );

    let rows = csv(&out.join("comparison.csv"));
    assert_eq!(
        rows[0],
        [
            "variant",
            "year",
            "quantity",
            "baseline_median",
            "variant_median",
            "difference",
            "difference_p05",
            "difference_p95"
        ]
    );
    let row = |variant: &str, year: &str, quantity: &str| {
        rows.iter()
            .find(|r| r[0] == variant && r[1] == year && r[2] == quantity)
            .unwrap_or_else(|| panic!("no row {variant},{year},{quantity}"))
            .clone()
    };
    // The trigger raises enforcement after the embassy rushes: with it (the baseline) more
    // people are deported than without it, in nearly every paired replica.
    let all = row("no-trigger", "all", "deportations");
    assert!(
        number(&all[3]) > number(&all[4]),
        "baseline {} vs no trigger {}",
        all[3],
        all[4]
    );
    assert!(number(&all[5]) < 0.0, "{all:?}");
    assert!(number(&all[6]) <= number(&all[5]) && number(&all[5]) <= number(&all[7]));
    // The trigger fires in both years (rushes of 25 on 2000-09-14 and 12 on 2001-08-02).
    let (y2000, y2001) = (
        row("no-trigger", "2000", "deportations"),
        row("no-trigger", "2001", "deportations"),
    );
    assert!(
        number(&y2000[5]) <= 0.0 && number(&y2001[5]) <= 0.0,
        "{y2000:?} {y2001:?}"
    );
    row("no-incidents", "all", "asylum_exits");
    row("no-trigger", "2001", "hidden_at_year_end");

    for dir in ["baseline", "no-trigger", "no-incidents"] {
        for file in ["yearly.csv", "weekly.csv", "status.csv", "targets.csv"] {
            assert!(out.join(dir).join(file).is_file(), "{dir}/{file}");
        }
    }
    // The baseline's tables are those of `tumen run` with the same seed and replicas.
    let run_out = root.path().join("run");
    tumen()
        .args(["run", "--replicas", "8", "--seed", "11", "--output"])
        .arg(&run_out)
        .arg(&scenario)
        .assert()
        .success();
    for file in ["yearly.csv", "targets.csv"] {
        assert_eq!(
            std::fs::read_to_string(out.join("baseline").join(file)).unwrap(),
            std::fs::read_to_string(run_out.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn compare_rejects_a_bad_variant_and_a_scenario_without_mechanisms() {
    tumen()
        .args(["compare", "--variant", "oops"])
        .arg(example())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("NAME:KEY=VALUE"));
    tumen()
        .args([
            "compare",
            "--variant",
            "x:enforcement.trigger.enabled=false",
        ])
        .arg(scenario("toy_escape"))
        .assert()
        .code(1);
}

#[test]
fn the_system_tables_do_not_depend_on_the_thread_count() {
    let root = tempfile::tempdir().unwrap();
    let scenario = scenario_with_targets(root.path());
    let run = |jobs: &str| {
        let out = root.path().join(format!("jobs-{jobs}"));
        tumen()
            .args([
                "run",
                "--replicas",
                "5",
                "--days",
                "300",
                "--jobs",
                jobs,
                "--output",
            ])
            .arg(&out)
            .arg(&scenario)
            .assert()
            .success();
        ["yearly.csv", "weekly.csv", "status.csv", "targets.csv"]
            .map(|file| std::fs::read_to_string(out.join(file)).unwrap())
    };
    assert_eq!(run("1"), run("3"));
}
