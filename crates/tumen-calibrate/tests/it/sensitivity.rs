//! Sobol indices against the Ishigami function's analytic values; Morris on a function with a
//! known inert parameter.

use std::f64::consts::PI;

use tumen_calibrate::morris::{morris_analyze, morris_sample, write_morris_csv};
use tumen_calibrate::params::{Parameter, ParameterSet, Prior};
use tumen_calibrate::sobol::{saltelli_sample, sobol_analyze, write_sobol_csv};

fn ishigami_params() -> ParameterSet {
    let prior = Prior::Uniform { low: -PI, high: PI };
    ParameterSet::new(
        ["x1", "x2", "x3"]
            .iter()
            .map(|n| Parameter {
                name: (*n).into(),
                prior,
            })
            .collect(),
    )
    .expect("valid")
}

fn ishigami(x: &[f64], a: f64, b: f64) -> f64 {
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Analytic (S1, ST) of Ishigami for x ~ U[−π, π]³ (Sobol' & Levitan 1999; Saltelli et al. 2008).
fn ishigami_analytic(a: f64, b: f64) -> [(f64, f64); 3] {
    let pi4 = PI.powi(4);
    let pi8 = PI.powi(8);
    let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = 8.0 * b * b * pi8 / 225.0;
    let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
    [((v1) / v, (v1 + v13) / v), (v2 / v, v2 / v), (0.0, v13 / v)]
}

#[test]
fn ishigami_indices_match_the_analytic_values() {
    let (a, b) = (7.0, 0.1);
    let analytic = ishigami_analytic(a, b);
    // The closed forms give the published figures.
    let published = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)];
    for (exact, quoted) in analytic.iter().zip(published) {
        assert!(
            (exact.0 - quoted.0).abs() < 5e-4 && (exact.1 - quoted.1).abs() < 5e-4,
            "{exact:?}"
        );
    }
    let params = ishigami_params();
    let base = 1 << 12;
    let design = saltelli_sample(&params, base, 7).expect("design");
    assert_eq!(design.points.len(), base * 5);
    let outputs: Vec<f64> = design.points.iter().map(|x| ishigami(x, a, b)).collect();
    let result = sobol_analyze(&params, base, &outputs, 1000, 3).expect("analyze");
    for (index, &(s1, st)) in result.iter().zip(&analytic) {
        eprintln!("{index:?} analytic S1 {s1:.4} ST {st:.4}");
        // The analytic value must lie in the bootstrap interval, and the estimate within 0.03 of
        // it (at N = 4096 the intervals' half-widths are 0.02–0.04).
        assert!(
            index.s1_low <= s1 && s1 <= index.s1_high,
            "{}: S1 {s1} outside {index:?}",
            index.parameter
        );
        assert!(
            index.st_low <= st && st <= index.st_high,
            "{}: ST {st} outside {index:?}",
            index.parameter
        );
        assert!(
            (index.s1 - s1).abs() < 0.03 && (index.st - st).abs() < 0.03,
            "{index:?}"
        );
        assert!(
            index.s1_high - index.s1_low < 0.1 && index.st_high - index.st_low < 0.1,
            "{index:?}"
        );
    }
    let mut out = Vec::new();
    write_sobol_csv(&[("ishigami".into(), result)], &mut out).expect("write");
    let text = String::from_utf8(out).expect("utf8");
    assert!(text.starts_with("output,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high\nishigami,x1,"));
    assert_eq!(text.lines().count(), 4);
}

#[test]
fn saltelli_design_has_salib_layout_and_is_seeded() {
    let params = ishigami_params();
    let design = saltelli_sample(&params, 8, 1).expect("design");
    let step = 5;
    for i in 0..8 {
        let a = &design.unit[i * step];
        let b = &design.unit[i * step + 4];
        for j in 0..3 {
            let ab = &design.unit[i * step + 1 + j];
            for c in 0..3 {
                assert_eq!(ab[c], if c == j { b[c] } else { a[c] });
            }
        }
        assert!(a.iter().chain(b).all(|&u| u > 0.0 && u < 1.0));
    }
    // A power-of-two prefix of a (scrambled) Sobol sequence is stratified: one point per 1/8.
    for dimension in 0..3 {
        let mut cells: Vec<usize> = (0..8)
            .map(|i| (design.unit[i * step][dimension] * 8.0) as usize)
            .collect();
        cells.sort_unstable();
        assert_eq!(cells, (0..8).collect::<Vec<_>>(), "dimension {dimension}");
    }
    assert_eq!(design, saltelli_sample(&params, 8, 1).expect("design"));
    assert_ne!(
        design.unit,
        saltelli_sample(&params, 8, 2).expect("design").unit
    );
    assert!(saltelli_sample(&params, 1, 1).is_err());
    assert!(sobol_analyze(&params, 8, &[0.0; 39], 10, 1).is_err());
}

#[test]
fn morris_finds_the_inert_parameter_and_the_linear_effect() {
    let params = ParameterSet::new(vec![
        Parameter {
            name: "linear".into(),
            prior: Prior::Uniform {
                low: 0.0,
                high: 1.0,
            },
        },
        Parameter {
            name: "square".into(),
            prior: Prior::Uniform {
                low: 0.0,
                high: 1.0,
            },
        },
        Parameter {
            name: "inert".into(),
            prior: Prior::Normal { mean: 0.0, sd: 1.0 },
        },
        Parameter {
            name: "scaled".into(),
            prior: Prior::Uniform {
                low: 0.0,
                high: 10.0,
            },
        },
    ])
    .expect("valid");
    let design = morris_sample(&params, 20, 4, 9).expect("design");
    assert_eq!(design.points.len(), 20 * 5);
    assert!(design.points.iter().flatten().all(|x| x.is_finite()));
    let f = |x: &[f64]| 3.0 * x[0] + 2.0 * x[1] * x[1] + 0.0 * x[2] + 0.5 * x[3];
    let outputs: Vec<f64> = design.points.iter().map(|x| f(x)).collect();
    let result = morris_analyze(&params, &design, &outputs).expect("analyze");
    eprintln!("{result:#?}");
    // Linear in x on [0, 1]: every elementary effect is exactly 3.
    assert!(
        (result[0].mu - 3.0).abs() < 1e-9 && result[0].sigma < 1e-9,
        "{:?}",
        result[0]
    );
    // 2x² on a 4-level grid (Δ = 2/3): EE = 2 (x + x'), with {x, x'} = {0, 2/3} or {1/3, 1},
    // so 4/3 or 8/3; the mean lies between and sigma is positive.
    assert!(
        result[1].mu_star > 4.0 / 3.0 && result[1].mu_star < 8.0 / 3.0 && result[1].sigma > 0.0,
        "{:?}",
        result[1]
    );
    assert!(result[2].mu_star.abs() < 1e-12, "inert: {:?}", result[2]);
    // 0.5 x on [0, 10]: 5 per unit of the cube.
    assert!((result[3].mu_star - 5.0).abs() < 1e-9, "{:?}", result[3]);
    let mut out = Vec::new();
    write_morris_csv(&[("y".into(), result)], &mut out).expect("write");
    assert!(
        String::from_utf8(out)
            .expect("utf8")
            .starts_with("output,parameter,mu,mu_star,sigma\ny,linear,3.0")
    );
}
