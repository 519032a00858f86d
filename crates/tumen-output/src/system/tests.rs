use super::*;
use jiff::civil::Date;
use tumen_core::TargetRow;
use tumen_engine::{CATEGORIES, DayView, EVENTS, Observer};

const EV_CROSSINGS: usize = 0;
const EV_DETENTIONS: usize = 1;
const EV_RETURNS: usize = 5;
const EV_EXITS: usize = 9;

fn layout(start: Date, days: u32) -> SystemLayout {
    let mut event_names: Vec<String> = EVENTS.iter().map(|&e| e.to_owned()).collect();
    event_names.push("detentions@North".to_owned());
    event_names.push("detentions@South".to_owned());
    event_names.push("claims@Embassy".to_owned());
    SystemLayout {
        start_date: start,
        days,
        event_names,
    }
}

fn cat(name: &str) -> usize {
    CATEGORIES.iter().position(|&c| c == name).unwrap()
}

/// Ten days from 2001-12-30, every number times `k`: crossings d+1, detentions 2d, returns
/// 1 on even days, asylum exits d mod 3, detentions@North 1; hidden 100+d, seeking asylum
/// 10, returning d, free 5, detained 7.
fn record(k: u64) -> SystemRecord {
    let slots = EVENTS.len() + 3;
    let mut record = SystemRecord::default();
    for d in 0..10_u64 {
        let mut events = vec![0; slots];
        events[EV_CROSSINGS] = k * (d + 1);
        events[EV_DETENTIONS] = k * 2 * d;
        events[EV_RETURNS] = k * u64::from(d % 2 == 0);
        events[EV_EXITS] = k * (d % 3);
        events[EVENTS.len()] = k;
        record.events.push(events);
        let mut status = vec![0; CATEGORIES.len()];
        status[cat("hidden")] = k * (100 + d);
        status[cat("seeking_asylum")] = k * 10;
        status[cat("returning")] = k * d;
        status[cat("free")] = k * 5;
        status[cat("detained")] = k * 7;
        record.status.push(status);
    }
    record
}

fn start() -> Date {
    Date::constant(2001, 12, 30)
}

fn ensemble() -> SystemEnsemble {
    SystemEnsemble {
        layout: layout(start(), 10),
        replicas: vec![record(1), record(2), record(3)],
    }
}

#[test]
fn years_split_at_new_year_and_hidden_is_taken_on_the_last_day() {
    let periods = aggregate(&layout(start(), 10), &record(1), Periods::Years);
    assert_eq!(periods.len(), 2);
    assert_eq!(
        (periods[0].year, periods[0].first_day, periods[0].last_day),
        (2001, 0, 1)
    );
    assert_eq!(
        (periods[1].year, periods[1].first_day, periods[1].last_day),
        (2002, 2, 9)
    );
    // crossings, returns, deportations, asylum exits, hidden (+ seeking + returning).
    assert_eq!(periods[0].values, [3, 1, 2, 1, 112]);
    assert_eq!(periods[1].values, [52, 4, 88, 8, 128]);
}

#[test]
fn weeks_count_seven_days_from_the_start_date() {
    let periods = aggregate(&layout(start(), 10), &record(1), Periods::Weeks);
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[0].start, start());
    assert_eq!(periods[1].start, Date::constant(2002, 1, 6));
    assert_eq!(periods[1].year, 2002);
    assert_eq!(periods[0].values, [28, 4, 42, 6, 122]);
    assert_eq!(periods[1].values, [27, 1, 48, 3, 128]);
}

#[test]
fn ensemble_bands_are_medians_and_interpolated_quantiles() {
    let years = ensemble().periods(Periods::Years);
    // Replicas are the record times 1, 2 and 3: the median is twice it, the 5 % quantile
    // 1.1 times and the 95 % quantile 2.9 times.
    let crossings = years[1].bands[0];
    assert_eq!(crossings.median, 104.0);
    assert!((crossings.p05 - 52.0 * 1.1).abs() < 1e-9);
    assert!((crossings.p95 - 52.0 * 2.9).abs() < 1e-9);
    let mut yearly = Vec::new();
    ensemble().write_yearly_csv(&mut yearly).unwrap();
    assert_eq!(
        String::from_utf8(yearly).unwrap(),
        "year,crossings,returns,deportations,asylum_exits,hidden_at_year_end\n\
         2001,6,2,4,2,224\n\
         2002,104,8,176,16,256\n"
    );
    let mut weekly = Vec::new();
    ensemble().write_weekly_csv(&mut weekly).unwrap();
    assert_eq!(
        String::from_utf8(weekly).unwrap(),
        "week_start,crossings,returns,deportations,asylum_exits,hidden\n\
         2001-12-30,56,8,84,12,244\n\
         2002-01-06,54,2,96,6,256\n"
    );
}

#[test]
fn status_csv_is_long_with_the_median_per_category() {
    let mut status = Vec::new();
    ensemble().write_status_csv(&mut status).unwrap();
    let text = String::from_utf8(status).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "day,date,status,people");
    assert_eq!(lines.len(), 1 + 10 * CATEGORIES.len());
    assert!(lines.contains(&"3,2002-01-02,hidden,206"), "{text}");
    assert!(lines.contains(&"9,2002-01-08,detained,14"), "{text}");
    assert!(lines.contains(&"0,2001-12-30,exited,0"), "{text}");
}

#[test]
fn quantiles_of_even_counts_and_infinities() {
    assert_eq!(quantile(&[1.0, 2.0], 0.5), 1.5);
    assert_eq!(
        quantile(&[1.0, f64::INFINITY, f64::INFINITY], 0.5),
        f64::INFINITY
    );
    assert!(quantile(&[], 0.5).is_nan());
    assert_eq!(format_number(1.0 / 3.0), "0.333");
    assert_eq!(format_number(12.0), "12");
    assert_eq!(format_number(f64::NAN), "");
}

fn row(measure: &str, quantity: &str, start: &str, end: &str, low: &str, high: &str) -> TargetRow {
    named("t", measure, quantity, start, end, low, high)
}

/// A target row as `tumen-scenario` reads it from `mechanisms/targets.csv`.
fn named(
    target: &str,
    measure: &str,
    quantity: &str,
    start: &str,
    end: &str,
    low: &str,
    high: &str,
) -> TargetRow {
    let bound = |text: &str| (!text.is_empty()).then(|| text.parse::<f64>().unwrap());
    TargetRow {
        line: 2,
        target: target.to_owned(),
        measure: measure.to_owned(),
        quantity: quantity.to_owned(),
        start: start.to_owned(),
        end: end.to_owned(),
        documented_low: low.to_owned(),
        documented_high: high.to_owned(),
        low: bound(low),
        high: bound(high),
        source: "s".to_owned(),
        note: "n".to_owned(),
    }
}

fn evaluate(row: &TargetRow) -> TargetOutcome {
    ensemble()
        .evaluate_targets(std::slice::from_ref(row))
        .remove(0)
        .outcome
}

fn median(outcome: &TargetOutcome) -> (f64, bool) {
    match outcome {
        TargetOutcome::Evaluated { band, inside } => (band.median, *inside),
        other => panic!("not evaluated: {other:?}"),
    }
}

#[test]
fn sum_adds_the_named_events_over_the_days() {
    let r = row("sum", "crossings", "2002-01-01", "2002-01-08", "100", "110");
    assert_eq!(median(&evaluate(&r)), (104.0, true));
    let r = row("sum", "crossings", "2002-01-01", "2002-01-08", "0", "50");
    assert_eq!(median(&evaluate(&r)), (104.0, false));
    // A region's detentions: 1 a day, plus the crossings.
    let r = row(
        "sum",
        "crossings + detentions@North",
        "2002-01-01",
        "2002-01-08",
        "",
        "",
    );
    assert_eq!(median(&evaluate(&r)), (120.0, true));
    let r = row(
        "sum",
        "detentions@South",
        "2001-12-30",
        "2002-01-08",
        "1",
        "",
    );
    assert_eq!(median(&evaluate(&r)), (0.0, false));
}

#[test]
fn stock_is_the_categories_on_the_end_day() {
    let r = row(
        "stock",
        "hidden+seeking_asylum+returning",
        "2002-01-01",
        "2002-01-01",
        "",
        "228",
    );
    assert_eq!(median(&evaluate(&r)), (228.0, true));
    let r = row("stock", "detained", "", "2002-01-08", "15", "");
    assert_eq!(median(&evaluate(&r)), (14.0, false));
}

#[test]
fn peak_year_is_the_year_with_the_largest_sum() {
    // 2000: 1 a day, 2001: 2 a day, 2002: 1 a day.
    let start = Date::constant(2000, 1, 1);
    let days = 366 + 365 + 365;
    let slots = EVENTS.len() + 3;
    let mut record = SystemRecord::default();
    for d in 0..days {
        let mut events = vec![0; slots];
        events[EV_CROSSINGS] = if (366..731).contains(&d) { 2 } else { 1 };
        // One detention a day: the leap year 2000 has the most.
        events[EV_DETENTIONS] = 1;
        record.events.push(events);
        record.status.push(vec![0; CATEGORIES.len()]);
    }
    let ensemble = SystemEnsemble {
        layout: layout(start, days),
        replicas: vec![record.clone(), record],
    };
    let evaluate = |r: TargetRow| ensemble.evaluate_targets(&[r]).remove(0).outcome;
    let r = row(
        "peak_year",
        "crossings",
        "2000-01-01",
        "2002-12-31",
        "2001",
        "2001",
    );
    assert_eq!(median(&evaluate(r)), (2001.0, true));
    // Empty start and end: the whole run.
    let r = row("peak_year", "detentions", "", "", "2001", "2002");
    assert_eq!(median(&evaluate(r)), (2000.0, false));
    // Only the days in the period count: from mid-2001 2002 has more days of detentions.
    let r = row(
        "peak_year",
        "detentions",
        "2001-07-01",
        "2002-12-31",
        "",
        "",
    );
    assert_eq!(median(&evaluate(r)), (2002.0, true));
}

#[test]
fn ratio_to_before_compares_with_as_many_days_before() {
    // Detentions 2d: days 7..=9 give 48, days 4..=6 give 30.
    let r = row(
        "ratio_to_before",
        "detentions",
        "2002-01-06",
        "2002-01-08",
        "1.5",
        "",
    );
    let (value, inside) = median(&evaluate(&r));
    assert!((value - 1.6).abs() < 1e-12, "{value}");
    assert!(inside);
    // Days 1..=1 (2) over day 0 (0): infinite.
    let r = row(
        "ratio_to_before",
        "detentions",
        "2001-12-31",
        "2001-12-31",
        "",
        "10",
    );
    assert_eq!(median(&evaluate(&r)), (f64::INFINITY, false));
    // Nothing before the first day.
    let r = row(
        "ratio_to_before",
        "detentions",
        "2001-12-31",
        "2002-01-01",
        "",
        "",
    );
    assert!(matches!(evaluate(&r), TargetOutcome::OutsideRun(m) if m.contains("before")));
}

#[test]
fn share_divides_two_sums_over_the_same_days() {
    // Days 2..=4: detentions@North 1 a day (3), detentions 2d (4 + 6 + 8 = 18), for every k.
    let r = row(
        "share",
        "detentions@North/detentions",
        "2002-01-01",
        "2002-01-03",
        "0.1",
        "0.2",
    );
    let (value, inside) = median(&evaluate(&r));
    assert!((value - 1.0 / 6.0).abs() < 1e-12, "{value}");
    assert!(inside);
    // Several events on either side: (North + South) / (detentions + crossings) on day 2:
    // 1 / (4 + 3).
    let r = row(
        "share",
        "detentions@North+detentions@South/detentions+crossings",
        "2002-01-01",
        "2002-01-01",
        "0.5",
        "1",
    );
    let (value, inside) = median(&evaluate(&r));
    assert!((value - 1.0 / 7.0).abs() < 1e-12, "{value}");
    assert!(!inside);
    // Day 0 has no detentions: no replica gives a share.
    let r = row(
        "share",
        "detentions@North/detentions",
        "2001-12-30",
        "2001-12-30",
        "",
        "",
    );
    assert!(matches!(evaluate(&r), TargetOutcome::Failed(m) if m.contains("zero over zero")));
    // A share needs a `/`, and known events on both sides.
    for (quantity, expected) in [
        ("detentions", "`<events>/<events>`"),
        ("detentions/nope", "unknown event `nope`"),
        ("/detentions", "names no event"),
    ] {
        let r = row("share", quantity, "2002-01-01", "2002-01-03", "", "");
        assert!(
            matches!(evaluate(&r), TargetOutcome::Failed(ref m) if m.contains(expected)),
            "{quantity}: {:?}",
            evaluate(&r)
        );
    }
}

#[test]
fn rows_that_cannot_be_evaluated_say_why() {
    let failed = |r: TargetRow| match evaluate(&r) {
        TargetOutcome::Failed(message) => message,
        other => panic!("{other:?}"),
    };
    assert!(
        failed(row("mean", "crossings", "2002-01-01", "2002-01-02", "", ""))
            .contains("unknown measure `mean`")
    );
    assert!(
        failed(row("sum", "crosings", "2002-01-01", "2002-01-02", "", ""))
            .contains("unknown event `crosings`")
    );
    assert!(
        failed(row(
            "sum",
            "detentions@East",
            "2002-01-01",
            "2002-01-02",
            "",
            ""
        ))
        .contains("detentions@East")
    );
    assert!(
        failed(row("stock", "hiden", "", "2002-01-02", "", ""))
            .contains("unknown category `hiden`")
    );
    // A period the run does not cover (a shortened run) is told apart...
    assert!(matches!(
        evaluate(&row("sum", "crossings", "2002-01-01", "2003-01-02", "", "")),
        TargetOutcome::OutsideRun(m) if m.contains("outside the simulated days")
    ));
    // ...but not when the quantity is wrong as well.
    assert!(
        failed(row("sum", "crosings", "2002-01-01", "2003-01-02", "", ""))
            .contains("unknown event")
    );
    assert!(
        failed(row("sum", "crossings", "2002-13-01", "2002-01-02", "", "")).contains("ISO date")
    );
    assert!(failed(row("sum", "crossings", "2002-01-03", "2002-01-02", "", "")).contains("after"));
    // A bound that is not a number is refused when the file is read (tumen-scenario).
    assert_eq!(
        evaluate(&row("", "", "", "", "0.7", "0.7")),
        TargetOutcome::NotSimulated
    );
}

#[test]
fn targets_are_written_with_empty_inside_when_not_evaluated() {
    let rows = vec![
        named(
            "a",
            "sum",
            "crossings",
            "2002-01-01",
            "2002-01-08",
            "100",
            "110",
        ),
        named("b", "", "", "", "", "0.7", "0.7"),
        named("c", "sum", "nothing", "2002-01-01", "2002-01-08", "1", ""),
    ];
    let results = ensemble().evaluate_targets(&rows);
    let mut out = Vec::new();
    write_targets_csv(&results, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "target,documented_low,documented_high,simulated_median,simulated_p05,simulated_p95,inside\n\
         a,100,110,104,57.2,150.8,true\n\
         b,0.7,0.7,,,,\n\
         c,1,,,,,\n"
    );
    let table = targets_table(&results);
    assert!(table.contains("not simulated"), "{table}");
    assert!(table.contains("1 of 1 evaluated"), "{table}");
}

#[test]
fn comparison_pairs_replicas_by_seed() {
    let baseline = ensemble();
    let mut variant = ensemble();
    // One more detention a day in every replica: each paired difference is exactly the
    // number of days, although the replicas spread widely.
    for replica in &mut variant.replicas {
        for events in &mut replica.events {
            events[EV_DETENTIONS] += 1;
        }
    }
    let rows = compare("more", &baseline, &variant).unwrap();
    assert_eq!(rows.len(), 3 * QUANTITIES.len());
    let find = |year: Option<i16>, quantity: usize| {
        rows.iter()
            .find(|r| r.year == year && r.quantity == quantity)
            .unwrap()
    };
    let deportations_2002 = find(Some(2002), 2);
    assert_eq!(deportations_2002.baseline_median, 176.0);
    assert_eq!(deportations_2002.variant_median, 184.0);
    assert_eq!(
        deportations_2002.difference,
        Band {
            median: 8.0,
            p05: 8.0,
            p95: 8.0
        }
    );
    let all = find(None, 2);
    assert_eq!(all.difference.median, 10.0);
    assert_eq!(
        find(None, 0).difference,
        Band {
            median: 0.0,
            p05: 0.0,
            p95: 0.0
        }
    );
    assert_eq!(find(None, 4).baseline_median, 256.0);
    let mut out = Vec::new();
    write_comparison_csv(&rows, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with(COMPARISON_COLUMNS), "{text}");
    assert!(
        text.contains("\nmore,2002,deportations,176,184,8,8,8\n"),
        "{text}"
    );
    assert!(
        text.contains("\nmore,all,hidden_at_end,256,256,0,0,0\n"),
        "{text}"
    );
    variant.replicas.pop();
    assert!(matches!(
        compare("x", &baseline, &variant),
        Err(CompareError::Replicas { .. })
    ));
}

fn view<'a>(status: &'a [u64], events: &'a [u64]) -> DayView<'a> {
    DayView {
        day: tumen_core::Day(0),
        location_counts: &[],
        link_counts: &[],
        agents_total: 0,
        spawned_today: 0,
        raw_total: 0,
        debt: 0,
        camp: &[],
        link_open: &[],
        status_counts: status,
        events,
        enforcement: &[],
    }
}

#[test]
fn the_observer_records_only_runs_with_mechanisms() {
    let status = [1_u64, 2, 3, 4, 5, 6, 7, 8, 9];
    let events = [1_u64; 11];
    let mut observer = SystemObserver::new();
    observer.on_day(&view(&[], &[])).unwrap();
    assert_eq!(observer.record, SystemRecord::default());
    observer.on_day(&view(&status, &events)).unwrap();
    let record = observer.into_record();
    assert_eq!(record.status, vec![status.to_vec()]);
    assert_eq!(record.events, vec![events.to_vec()]);
}

#[test]
fn a_two_sided_target_must_overlap_the_band_and_a_one_sided_bound_must_hold_the_median() {
    let band = Band {
        median: 60.0,
        p05: 50.0,
        p95: 70.0,
    };
    assert!(is_inside(Some(56.0), Some(56.0), &band));
    assert!(!is_inside(Some(71.0), Some(71.0), &band));
    assert!(is_inside(Some(65.0), Some(90.0), &band));
    assert!(!is_inside(Some(70.5), Some(90.0), &band));
    assert!(!is_inside(Some(10.0), Some(49.0), &band));
    assert!(is_inside(None, Some(60.0), &band));
    assert!(!is_inside(None, Some(59.5), &band));
    assert!(!is_inside(Some(60.5), None, &band));
}

#[test]
fn counts_are_written_as_integers() {
    assert_eq!(format_count(0.5), "1");
    assert_eq!(format_count(12.5), "13");
    assert_eq!(format_count(0.950_000_000_000_000_1), "1");
    assert_eq!(format_count(-0.2), "0");
    assert_eq!(format_count(f64::NAN), "");
    assert_eq!(format_count(f64::INFINITY), "inf");
    // Two replicas whose weekly sums differ by one: the median 0.5 is written as 1.
    let mut a = record(0);
    let mut b = record(0);
    a.events[0][EV_CROSSINGS] = 0;
    b.events[0][EV_CROSSINGS] = 1;
    let ensemble = SystemEnsemble {
        layout: layout(start(), a.events.len() as u32),
        replicas: vec![a, b],
    };
    let mut out = Vec::new();
    ensemble.write_weekly_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('.'), "{text}");
}
