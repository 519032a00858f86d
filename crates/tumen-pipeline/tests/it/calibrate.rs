//! `tumen calibrate` and `tumen sensitivity` as library calls on a copy of the toy scenario:
//! the posterior does not depend on the thread count nor on the data after the cut, and does
//! depend on the data before it; simsetting keys apply; sensitivity writes its tables.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use tumen_pipeline::calibrate::{CalibrationRequest, calibrate, set_setting};
use tumen_pipeline::sensitivity::{SensitivityRequest, analyse};

/// The toy scenario, with a refugee total observed every 10 days (so that the cut keeps a
/// spawn driver), copied into `dir`; `after` and `before` scale the camps' points after and
/// before day 30 (2021-03-31).
pub(crate) fn toy(dir: &Path, before: f64, after: f64) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/toy_escape");
    let target = dir.join("toy");
    for sub in ["input_csv", "source_data"] {
        std::fs::create_dir_all(target.join(sub)).unwrap();
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(sub).join(entry.file_name())).unwrap();
        }
    }
    std::fs::copy(root.join("simsetting.yml"), target.join("simsetting.yml")).unwrap();
    let series = |scale: &dyn Fn(u32) -> f64, base: f64| -> String {
        (0..6)
            .map(|i| {
                let day = i * 10 + 1;
                let date = if day <= 31 {
                    format!("2021-03-{day:02}")
                } else {
                    format!("2021-04-{:02}", day - 31)
                };
                format!("{date},{}\n", (base * f64::from(i) * scale(day)).round())
            })
            .collect()
    };
    let factor = |day: u32| if day <= 31 { before } else { after };
    std::fs::write(
        target.join("source_data/refugees.csv"),
        series(&factor, 800.0),
    )
    .unwrap();
    std::fs::write(target.join("source_data/near.csv"), series(&factor, 300.0)).unwrap();
    std::fs::write(target.join("source_data/far.csv"), series(&factor, 500.0)).unwrap();
    target
}

fn request(scenario: PathBuf, jobs: usize) -> CalibrationRequest {
    CalibrationRequest {
        scenario: Some(scenario),
        until: "2021-03-31".to_owned(),
        particles: Some(8),
        generations: Some(2),
        forecast_replicas: Some(3),
        seed: 5,
        jobs: Some(jobs),
        ..CalibrationRequest::default()
    }
}

fn posterior(scenario: PathBuf, jobs: usize, out: &Path) -> Vec<u8> {
    let calibration = calibrate(&request(scenario, jobs), &|_| {}).unwrap();
    calibration.write(out).unwrap();
    std::fs::read(out.join("posterior.csv")).unwrap()
}

#[test]
fn the_posterior_ignores_threads_and_data_after_the_cut_but_not_before() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::create_dir_all(&c).unwrap();
    let one = posterior(toy(&a, 1.0, 1.0), 1, &a.join("out"));
    let two = posterior(toy(&a, 1.0, 1.0), 2, &a.join("out2"));
    assert_eq!(one, two, "the posterior depends on --jobs");
    let later = posterior(toy(&b, 1.0, 3.0), 2, &b.join("out"));
    assert_eq!(one, later, "data after --until entered the fit");
    let earlier = posterior(toy(&c, 2.0, 1.0), 2, &c.join("out"));
    assert_ne!(one, earlier, "data before --until do not enter the fit");
    // The outputs promised.
    let out = a.join("out");
    for file in [
        "generations.csv",
        "score.json",
        "forecast/out.csv",
        "forecast/quantiles.csv",
        "forecast/parameters.csv",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let score: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("score.json")).unwrap()).unwrap();
    assert_eq!(score["until"], "2021-03-31");
    for period in ["before", "after"] {
        for block in ["calibrated", "baseline"] {
            for key in [
                "ard",
                "coverage50",
                "coverage90",
                "crps",
                "targets_inside",
                "targets_total",
            ] {
                assert!(
                    score[period][block].get(key).is_some(),
                    "{period}.{block}.{key}"
                );
            }
        }
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("forecast/summary.json")).unwrap()).unwrap();
    let uncertainty = summary["ensemble"]["uncertainty"].as_str().unwrap();
    assert!(
        uncertainty.contains("parameter uncertainty"),
        "{uncertainty}"
    );
}

#[test]
fn settings_keys_apply_and_unknown_ones_are_refused() {
    let mut settings = tumen_core::Settings::default();
    set_setting(&mut settings, "move_rules.max_move_speed", 123.5).unwrap();
    assert!((settings.move_rules.max_move_speed - 123.5).abs() < 1e-12);
    set_setting(&mut settings, "move_rules.awareness_level", 2.4).unwrap();
    assert_eq!(settings.move_rules.awareness_level, 2);
    let error = set_setting(&mut settings, "move_rules.max_move_sped", 1.0).unwrap_err();
    assert!(error.to_string().contains("max_move_speed"), "{error}");
}

#[test]
fn an_until_outside_the_period_is_a_user_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut req = request(toy(tmp.path(), 1.0, 1.0), 1);
    req.until = "2022-01-01".to_owned();
    let error = calibrate(&req, &|_| {}).unwrap_err();
    assert!(error.is_user_error());
    assert!(error.to_string().contains("--until"), "{error}");
}

#[test]
fn sensitivity_finds_an_inert_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = toy(tmp.path(), 1.0, 1.0);
    // `idpcamp_movechance` has no effect: the toy scenario has no IDP camp.
    let params = tmp.path().join("params.toml");
    std::fs::write(
        &params,
        "[[calibration.parameter]]\nkey = \"move_rules.max_move_speed\"\nprior = { uniform = [20.0, 400.0] }\n\
         [[calibration.parameter]]\nkey = \"move_rules.idpcamp_movechance\"\nprior = { uniform = [0.0, 1.0] }\n",
    )
    .unwrap();
    let analysis = analyse(&SensitivityRequest {
        scenario: Some(scenario),
        params: Some(params),
        samples: 16,
        morris: Some(4),
        seed: 3,
        jobs: Some(2),
    })
    .unwrap();
    let out = tmp.path().join("sens");
    analysis.write(&out).unwrap();
    let ard = &analysis
        .sobol
        .iter()
        .find(|(name, _)| name == "ard")
        .unwrap()
        .1;
    assert_eq!(
        ard[1].st, 0.0,
        "an inert parameter has a total index {}",
        ard[1].st
    );
    assert!(ard[0].st > 0.0);
    let sobol = std::fs::read_to_string(out.join("sobol.csv")).unwrap();
    assert!(sobol.starts_with("output,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high\n"));
    assert!(out.join("morris.csv").is_file());
}

#[test]
fn a_calibration_section_of_scenario_toml_loads_and_is_the_spec() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hidden-border");
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("hidden-border");
    copy_dir(&example, &copy);
    let mut text = std::fs::read_to_string(copy.join("scenario.toml")).unwrap();
    text.push_str(
        "\n[calibration]\n[[calibration.parameter]]\nkey = \"move_rules.max_move_speed\"\n\
         prior = { uniform = [100.0, 300.0] }\n",
    );
    std::fs::write(copy.join("scenario.toml"), text).unwrap();
    // The scenario reader accepts the section (it is tumen-calibrate's to check)...
    tumen_scenario::load_dir(&copy, &tumen_scenario::LoadOptions::default()).unwrap();
    // ...and calibrate reads it as the spec.
    let source = tumen_pipeline::ScenarioSource::Directory(copy);
    let files = tumen_pipeline::calibrate::read_files(&source).unwrap();
    let (spec, origin) = tumen_pipeline::calibrate::resolve_spec(&files, None).unwrap();
    assert!(origin.ends_with("[calibration]"), "{origin}");
    assert_eq!(
        spec.parameters.names().collect::<Vec<_>>(),
        ["move_rules.max_move_speed"]
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A one-parameter set with this key and a uniform prior on [0.5, 2].
fn scale_setup(
    source: tumen_pipeline::ScenarioSource,
    key: &str,
) -> tumen_pipeline::calibrate::Parameterised {
    use tumen_calibrate::params::{Parameter, ParameterSet, Prior};
    tumen_pipeline::calibrate::Parameterised {
        files: tumen_pipeline::calibrate::read_files(&source).unwrap(),
        parameters: ParameterSet::new(vec![Parameter {
            name: key.to_owned(),
            prior: Prior::Uniform {
                low: 0.5,
                high: 2.0,
            },
        }])
        .unwrap(),
        spec_origin: "test".to_owned(),
        fixed: tumen_pipeline::calibrate::FixedInputs::default(),
    }
}

#[test]
fn series_scale_multiplies_the_spawn_driver_and_so_the_people_spawned() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tumen_pipeline::ScenarioSource::Directory(toy(tmp.path(), 1.0, 1.0));
    let setup = scale_setup(source, "series.scale");
    let one = setup.scenario(&[1.0], None).unwrap();
    let two = setup.scenario(&[2.0], None).unwrap();
    assert!(!one.observations.total.points.is_empty());
    for (a, b) in one
        .observations
        .total
        .points
        .iter()
        .zip(&two.observations.total.points)
    {
        assert_eq!(a.0, b.0);
        assert!((b.1 - 2.0 * a.1).abs() < 1e-9, "{a:?} {b:?}");
    }
    // The camps' series are data: untouched.
    assert_eq!(one.observations.camps, two.observations.camps);
    // The people spawned double (data-driven spawning: the daily increase of the driver;
    // Flee's integer truncation of the interpolated total allows a few people either way).
    let people = |scenario: &tumen_core::Scenario| {
        let (replica, ..) = tumen_pipeline::calibrate::run_one(scenario, 9, false, false).unwrap();
        replica.population
    };
    let (p1, p2) = (people(&one), people(&two));
    assert!(p1 > 1000);
    assert!(
        (2 * p1).abs_diff(p2) <= p1 / 100,
        "{p1} people spawned at factor 1 and {p2} at factor 2"
    );
    assert_eq!(setup.own_values(&one), [Some(1.0)]);
    // A negative factor is refused with the key named.
    let error = setup.scenario(&[-1.0], None).unwrap_err();
    assert!(error.to_string().contains("series.scale"), "{error}");
}

#[test]
fn a_dated_series_of_scenario_toml_scales_by_its_key() {
    let source = tumen_pipeline::ScenarioSource::Embedded;
    // An indexed path: the first enforcement region's dated baseline.
    let setup = scale_setup(source.clone(), "enforcement.region[0].baseline.scale");
    let baseline = |factor: f64| {
        let scenario = setup.scenario(&[factor], Some(10)).unwrap();
        scenario.mechanisms.enforcement.unwrap().regions[0]
            .baseline
            .points
            .clone()
    };
    let (one, three) = (baseline(1.0), baseline(3.0));
    assert!(one.len() > 1);
    for (a, b) in one.iter().zip(&three) {
        assert_eq!(a.0, b.0, "the dates stay");
        assert!(
            (b.1 - 3.0 * a.1).abs() <= 1e-12 * b.1.abs().max(1.0),
            "{a:?} {b:?}"
        );
    }
    // A dated series at the top of a section works too.
    let multiplier = scale_setup(source.clone(), "recrossing.deported_multiplier.scale");
    multiplier.scenario(&[1.5], Some(10)).unwrap();
    // So does a series of `[year, value]` points: the women among the crossings.
    let shares = scale_setup(source.clone(), "attributes.sex.female_share.scale");
    let share = |factor: f64| {
        let scenario = shares.scenario(&[factor], Some(10)).unwrap();
        scenario
            .mechanisms
            .attributes
            .unwrap()
            .sex
            .unwrap()
            .female_share
            .points
    };
    let (one, scaled) = (share(1.0), share(0.8));
    assert!(one.len() > 1);
    for (a, b) in one.iter().zip(&scaled) {
        assert_eq!(a.0, b.0, "the years stay");
        assert!((b.1 - 0.8 * a.1).abs() <= 1e-12, "{a:?} {b:?}");
    }
    // A key that is not a dated series is a clear request error.
    for key in ["asylum.nope.scale", "push[0].per_capita.scale"] {
        let error = scale_setup(source.clone(), key)
            .scenario(&[1.5], Some(10))
            .unwrap_err();
        assert!(error.is_user_error(), "{error}");
        assert!(error.to_string().contains(key), "{error}");
    }
}

#[test]
fn a_posterior_run_keeps_the_command_lines_settings_and_refuses_to_set_a_drawn_parameter() {
    let source = tumen_pipeline::ScenarioSource::Embedded;
    let prepared = tumen_pipeline::load(&source, &tumen_scenario::LoadOptions::default()).unwrap();
    let (posterior, _) = tumen_pipeline::shipped_posterior(&prepared)
        .unwrap()
        .unwrap();
    let request = tumen_pipeline::RunRequest {
        replicas: Some(3),
        days: Some(10),
        overrides: vec!["enforcement.travelling_multiplier=2.5".to_owned()],
        ..tumen_pipeline::RunRequest::default()
    };
    let (setup, thetas) =
        tumen_pipeline::calibrate::posterior_draws(&prepared, &request, &posterior).unwrap();
    assert_eq!(thetas.len(), 3);
    for theta in &thetas {
        let scenario = setup.scenario(theta, request.days).unwrap();
        let enforcement = scenario.mechanisms.enforcement.unwrap();
        // The `--set` applies to every replica (the scenario's own value is 4).
        assert!((enforcement.travelling_multiplier - 2.5).abs() < 1e-12);
    }
    // A drawn parameter cannot be set: the draw would overwrite it.
    let key = &posterior.parameters[0];
    let request = tumen_pipeline::RunRequest {
        overrides: vec![format!("{key}=1")],
        ..request
    };
    let error = tumen_pipeline::calibrate::posterior_draws(&prepared, &request, &posterior)
        .err()
        .unwrap();
    assert!(error.is_user_error(), "{error}");
    assert!(error.to_string().contains("--no-posterior"), "{error}");
}

/// A scenario of `examples/` loaded from its directory.
fn example(name: &str) -> tumen_core::Scenario {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    tumen_scenario::load_dir(&dir, &tumen_scenario::LoadOptions::default())
        .unwrap()
        .scenario
}

fn target(quantity: &str) -> tumen_core::TargetRow {
    tumen_core::TargetRow {
        measure: "sum".to_owned(),
        quantity: quantity.to_owned(),
        ..tumen_core::TargetRow::default()
    }
}

/// Origin is a label: a particle leaves it out unless a fitted target names an origin event.
/// Sex is left out only when it is a label too (multipliers 1, no family state) and unread.
#[test]
fn particles_leave_out_the_attributes_no_target_reads() {
    use tumen_pipeline::calibrate::drop_unread_attributes;
    let attributes = |s: &tumen_core::Scenario| {
        s.mechanisms
            .attributes
            .as_ref()
            .map(|a| (a.sex.is_some(), a.origin.is_some()))
    };
    // examples/attributes: sex changes detection and exits, so it stays.
    let full = example("attributes");
    assert_eq!(attributes(&full), Some((true, true)));
    let mut s = full.clone();
    drop_unread_attributes(&mut s, &[target("asylum_exits")]);
    assert_eq!(attributes(&s), Some((true, false)));
    let mut s = full.clone();
    drop_unread_attributes(
        &mut s,
        &[target("asylum_exits_from@North Province+crossings")],
    );
    assert_eq!(attributes(&s), Some((true, true)));
    // With every multiplier at 1 and no family state, sex is a label: kept when read.
    let mut labels = full;
    let a = labels.mechanisms.attributes.as_mut().unwrap();
    a.family = None;
    let sex = a.sex.as_mut().unwrap();
    sex.female = tumen_core::SexEffects::default();
    sex.male = tumen_core::SexEffects::default();
    let mut s = labels.clone();
    drop_unread_attributes(&mut s, &[target("asylum_exits")]);
    assert_eq!(attributes(&s), None);
    let mut s = labels;
    drop_unread_attributes(&mut s, &[target("asylum_exits_female/asylum_exits")]);
    assert_eq!(attributes(&s), Some((true, false)));
}

/// Leaving the origin label out changes no total in distribution: the asylum exits and the
/// detentions of examples/attributes over 40 seeds with and without it agree (Welch's z < 4).
#[test]
fn leaving_a_label_out_keeps_the_totals_distribution() {
    let full = example("attributes");
    let mut without = full.clone();
    drop_unread_attributes_for_test(&mut without);
    let totals = |scenario: &tumen_core::Scenario| -> Vec<[f64; 2]> {
        let layout = tumen_output::SystemLayout::of(scenario);
        let slot = |name: &str| layout.event_names.iter().position(|n| n == name).unwrap();
        let (exits, detentions) = (slot("asylum_exits"), slot("detentions"));
        (0..40_u64)
            .map(|seed| {
                let (_, _, record, _) =
                    tumen_pipeline::calibrate::run_one(scenario, seed, true, false).unwrap();
                let events = record.unwrap().events;
                #[expect(clippy::cast_precision_loss, reason = "small counts")]
                let sum = |slot: usize| events.iter().map(|day| day[slot]).sum::<u64>() as f64;
                [sum(exits), sum(detentions)]
            })
            .collect()
    };
    let (a, b) = (totals(&full), totals(&without));
    assert_ne!(
        a, b,
        "the label changes the draws, so the seeds give other values"
    );
    for k in 0..2 {
        let stats = |v: &[[f64; 2]]| {
            let n = v.len() as f64;
            let mean = v.iter().map(|x| x[k]).sum::<f64>() / n;
            let var = v.iter().map(|x| (x[k] - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (mean, var / n)
        };
        let ((ma, va), (mb, vb)) = (stats(&a), stats(&b));
        assert!(ma > 0.0, "no events to compare");
        let z = (ma - mb).abs() / (va + vb).sqrt();
        assert!(
            z < 4.0,
            "total {k}: {ma} with origin, {mb} without (z = {z:.2})"
        );
    }
}

fn drop_unread_attributes_for_test(scenario: &mut tumen_core::Scenario) {
    tumen_pipeline::calibrate::drop_unread_attributes(scenario, &[target("asylum_exits")]);
    let a = scenario.mechanisms.attributes.as_ref().unwrap();
    assert!(a.sex.is_some() && a.origin.is_none());
}
