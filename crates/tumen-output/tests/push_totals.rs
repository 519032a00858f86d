//! `out.csv` of a push-spawned scenario (the flagship): the six total columns carry their
//! meaning although the engine keeps no spawn total (issue 15).

use std::path::Path;
use tumen_output::run_to_table;
use tumen_scenario::{LoadOptions, load_dir};

#[test]
fn the_flagship_out_csv_has_its_totals() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/korea-china");
    let options = LoadOptions {
        days: Some(400),
        ..LoadOptions::default()
    };
    let loaded = load_dir(&dir, &options).expect("the flagship loads");
    let scenario = loaded.scenario;
    assert!(
        !scenario.mechanisms.push.is_empty(),
        "the flagship is push-spawned"
    );
    let table = run_to_table(&scenario, 1).expect("the flagship runs");
    let last = table.rows.last().expect("rows");
    // The raw count is the observed total (refugees.csv, cumulative crossings) on the day.
    assert_eq!(last.raw_total, scenario.observations.total.value_at(399));
    assert!(last.raw_total > 5_000, "raw total {}", last.raw_total);
    // The camp sums and Flee's Total error formula over them.
    assert_eq!(last.camps_sim_total, last.sim.iter().sum::<u64>());
    assert_eq!(last.camps_data_total, last.data.iter().sum::<i64>());
    assert!(last.camps_data_total > 0 && last.camps_sim_total > 0);
    let abs: i64 = last
        .sim
        .iter()
        .zip(&last.data)
        .map(|(&s, &d)| (i64::try_from(s).unwrap() - d).abs())
        .sum();
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let expected = abs as f64 / last.raw_total as f64;
    assert!((last.total_error - expected).abs() < 1e-12);
    assert!(last.agents_total > 0);
    // Written, the row does not end in six zeros.
    let mut out = Vec::new();
    table.write_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let line = text.lines().last().unwrap();
    assert!(!line.ends_with(",0,0,0,0,0,0"), "{line}");
    // Flee-safe camp names: Flee's plot_flee_output splits the headers on spaces.
    assert!(
        table.camps.iter().all(|c| !c.contains(' ')),
        "{:?}",
        table.camps
    );
}
