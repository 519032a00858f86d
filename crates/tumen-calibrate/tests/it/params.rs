//! Priors against closed forms, and the spec parser's located errors.

use std::f64::consts::PI;

use tumen_calibrate::params::{Prior, SpecError, parse_params_file, parse_scenario_section};
use tumen_calibrate::rng::stream;

fn priors() -> Vec<Prior> {
    vec![
        Prior::Uniform {
            low: 100.0,
            high: 500.0,
        },
        Prior::LogUniform {
            low: 0.01,
            high: 10.0,
        },
        Prior::Normal { mean: 2.0, sd: 3.0 },
        Prior::TruncatedNormal {
            mean: 1.0,
            sd: 2.0,
            low: 0.0,
            high: 4.0,
        },
        // Deep in the upper tail: needs the reflected formulas.
        Prior::TruncatedNormal {
            mean: 0.0,
            sd: 1.0,
            low: 6.0,
            high: 9.0,
        },
        Prior::TruncatedNormal {
            mean: 0.0,
            sd: 1.0,
            low: f64::NEG_INFINITY,
            high: -1.0,
        },
    ]
}

/// Simpson's rule on [a, b] with 20 000 intervals.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let n = 20_000;
    let h = (b - a) / f64::from(n);
    let mut sum = f(a) + f(b);
    for i in 1..n {
        sum += f(a + f64::from(i) * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0
}

/// A finite range holding (almost) all of a prior's mass.
fn range(prior: &Prior) -> (f64, f64) {
    let (low, high) = prior.support();
    let (m, s) = (prior.mean(), prior.sd());
    (low.max(m - 40.0 * s), high.min(m + 40.0 * s))
}

#[test]
fn densities_integrate_to_one_and_give_the_stated_moments() {
    for prior in priors() {
        prior.validate().expect("valid");
        let (a, b) = range(&prior);
        let pdf = |x: f64| prior.ln_pdf(x).exp();
        let mass = integrate(pdf, a, b);
        let mean = integrate(|x| x * pdf(x), a, b);
        let var = integrate(|x| (x - mean).powi(2) * pdf(x), a, b);
        assert!((mass - 1.0).abs() < 1e-6, "{prior}: mass {mass}");
        assert!(
            (mean - prior.mean()).abs() < 1e-6 * (1.0 + prior.mean().abs()),
            "{prior}: mean {mean} vs {}",
            prior.mean()
        );
        assert!(
            (var.sqrt() / prior.sd() - 1.0).abs() < 1e-5,
            "{prior}: sd {} vs {}",
            var.sqrt(),
            prior.sd()
        );
        // The cdf is the integral of the density, and the quantile inverts it.
        let x = a + 0.3 * (b - a);
        assert!(
            (prior.cdf(x) - integrate(pdf, a, x)).abs() < 1e-6,
            "{prior}: cdf"
        );
        for u in [0.001, 0.1, 0.5, 0.9, 0.999] {
            assert!(
                (prior.cdf(prior.quantile(u)) - u).abs() < 1e-9,
                "{prior}: quantile {u}"
            );
        }
        if prior.support().0.is_finite() {
            assert_eq!(
                prior.ln_pdf(prior.support().0 - 1.0),
                f64::NEG_INFINITY,
                "{prior}"
            );
        }
    }
}

#[test]
fn ln_pdf_matches_closed_forms() {
    let normal = Prior::Normal { mean: 2.0, sd: 3.0 };
    let x: f64 = 4.5;
    let expected = -0.5 * ((x - 2.0) / 3.0).powi(2) - 3f64.ln() - 0.5 * (2.0 * PI).ln();
    assert!((normal.ln_pdf(x) - expected).abs() < 1e-14);
    assert!(
        (Prior::Uniform {
            low: 1.0,
            high: 5.0
        }
        .ln_pdf(2.0)
            + 4f64.ln())
        .abs()
            < 1e-15
    );
    assert_eq!(
        Prior::Uniform {
            low: 1.0,
            high: 5.0
        }
        .ln_pdf(5.5),
        f64::NEG_INFINITY
    );
    let log_uniform = Prior::LogUniform {
        low: 1.0,
        high: std::f64::consts::E,
    };
    assert!(
        (log_uniform.ln_pdf(2.0) + 2f64.ln()).abs() < 1e-14,
        "1/(x ln(e/1)) at 2"
    );
    // Truncated to [0, ∞): twice the normal density.
    let half = Prior::TruncatedNormal {
        mean: 0.0,
        sd: 1.0,
        low: 0.0,
        high: f64::INFINITY,
    };
    let z: f64 = 0.7;
    assert!((half.ln_pdf(z) - (2.0f64.ln() - 0.5 * z * z - 0.5 * (2.0 * PI).ln())).abs() < 1e-12);
    assert!((half.mean() - (2.0 / PI).sqrt()).abs() < 1e-12);
    assert!((half.sd() - (1.0 - 2.0 / PI).sqrt()).abs() < 1e-12);
}

#[test]
fn sampling_moments_match_within_monte_carlo_error() {
    for (index, prior) in priors().into_iter().enumerate() {
        let mut rng = stream(77, &[index as u64]);
        let n = 40_000;
        let xs: Vec<f64> = (0..n).map(|_| prior.sample(&mut rng)).collect();
        assert!(
            xs.iter().all(|&x| prior.contains(x)),
            "{prior}: draw outside support"
        );
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n - 1)).sqrt();
        // 5 standard errors of the mean; 5 % on the sd (its standard error is ≈ 0.5–1 %).
        let se = prior.sd() / f64::from(n).sqrt();
        assert!(
            (mean - prior.mean()).abs() < 5.0 * se,
            "{prior}: mean {mean} vs {}",
            prior.mean()
        );
        assert!(
            (sd / prior.sd() - 1.0).abs() < 0.05,
            "{prior}: sd {sd} vs {}",
            prior.sd()
        );
    }
}

const GOOD: &str = r#"
name = "a scenario"

[calibration]
particles = 200
budget = 2000
kernel_scale = 2.0

[[calibration.parameter]]
key = "move_rules.max_move_speed"
prior = { uniform = [100, 500.0] }

[[calibration.parameter]]
key = "move_rules.conflict_move_chance"
prior = { log_uniform = [0.1, 1.0] }

[[calibration.parameter]]
key = "series.scale"
prior = { normal = { mean = 1.0, sd = 0.1 } }

[[calibration.parameter]]
key = "move_rules.camp_weight"
prior = { truncated_normal = { mean = 2.0, sd = 1.0, low = 0.5, high = 5.0 } }
"#;

#[test]
fn a_good_spec_reads() {
    let spec = parse_scenario_section(GOOD, "scenario.toml")
        .expect("reads")
        .expect("has a section");
    let names: Vec<&str> = spec.parameters.names().collect();
    assert_eq!(
        names,
        [
            "move_rules.max_move_speed",
            "move_rules.conflict_move_chance",
            "series.scale",
            "move_rules.camp_weight"
        ]
    );
    assert_eq!(
        spec.parameters.parameters()[0].prior,
        Prior::Uniform {
            low: 100.0,
            high: 500.0
        }
    );
    assert_eq!(
        (spec.particles, spec.budget, spec.generations),
        (Some(200), Some(2000), None)
    );
    assert_eq!(spec.kernel_scale, Some(2.0));
    assert_eq!(
        parse_scenario_section("name = 'x'\n", "s.toml").expect("reads"),
        None
    );
    let file = GOOD.replace("name = \"a scenario\"\n", "");
    assert_eq!(parse_params_file(&file, "p.toml").expect("reads"), spec);
}

fn error_of(text: &str) -> SpecError {
    parse_params_file(text, "params.toml").expect_err("must fail")
}

#[test]
fn spec_errors_are_located() {
    let head = "[calibration]\n[[calibration.parameter]]\nkey = \"a\"\n";
    let cases: [(&str, usize, usize, &str); 8] = [
        (
            "prior = { gamma = [1, 2] }\n",
            4,
            11,
            "unknown variant `gamma`",
        ),
        (
            "prior = { uniform = [2, 1] }\n",
            4,
            9,
            "low (2) must be below high (1)",
        ),
        (
            "prior = { normal = { mean = 0, sd = 0 } }\n",
            4,
            9,
            "sd must be above 0",
        ),
        ("prior = { log_uniform = [0, 1] }\n", 4, 9, "low above 0"),
        (
            "prior = { uniform = [1, 2, 3] }\n",
            4,
            21,
            "expected two numbers [low, high], found 3 numbers",
        ),
        (
            "prior = { normal = { mean = 0, sd = 1, skew = 2 } }\n",
            4,
            40,
            "unknown field `skew`",
        ),
        (
            "prior = { uniform = [0, 1] }\n[[calibration.parameter]]\nkey = \"a\"\nprior = { uniform = [0, 1] }\n",
            6,
            7,
            "duplicate parameter key `a` (first declared on line 3)",
        ),
        (
            "prior = { uniform = [0, 1] }\nspeed = 3\n",
            5,
            1,
            "unknown field `speed`",
        ),
    ];
    for (tail, line, column, message) in cases {
        let error = error_of(&format!("{head}{tail}"));
        assert!(error.message.contains(message), "{tail}: {error}");
        assert_eq!(
            (error.line, error.column),
            (line, column),
            "{tail}: {error}"
        );
        assert!(
            error
                .to_string()
                .starts_with(&format!("params.toml:{line}:{column}: ")),
            "{error}"
        );
    }
    let scale = error_of(&format!(
        "[calibration]\nkernel_scale = 0.0\n[[calibration.parameter]]\nkey = \"a\"\n{}",
        "prior = { uniform = [0, 1] }\n"
    ));
    assert!(scale.message.contains("kernel_scale must be"), "{scale}");
    assert_eq!((scale.line, scale.column), (2, 16), "{scale}");
    let empty = error_of("\n[calibration]\nbudget = 300\n");
    assert!(empty.message.contains("declares no parameters"), "{empty}");
    assert_eq!(empty.line, 2, "{empty}");
    let missing = error_of("[other]\n");
    assert!(
        missing.message.contains("unknown field `other`"),
        "{missing}"
    );
    let none = error_of("");
    assert!(
        none.message.contains("expected a [calibration] section"),
        "{none}"
    );
    let syntax = error_of("[calibration\n");
    assert_eq!(syntax.line, 1, "{syntax}");
}
