//! Calibration, sensitivity analysis and comparison with their items spread over "processes"
//! (issue 16): a [`Spread`] that computes the items in batches of three, the last batch first,
//! as MPI ranks asking rank 0's queue in turn would, and sends every result through bytes. The
//! outputs must equal the run in one process byte for byte (the files without times), which is
//! what `scripts/mpi-tests` checks again under a real `mpirun`.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use tumen_pipeline::Error;
use tumen_pipeline::calibrate::{CalibrationRequest, calibrate, calibrate_spread};
use tumen_pipeline::sensitivity::{SensitivityRequest, analyse, analyse_spread};
use tumen_pipeline::spread::{Spread, Work};

/// Batches of three items, computed last batch first.
struct Scattered;

impl Spread for Scattered {
    fn is_distributed(&self) -> bool {
        true
    }

    fn spread(
        &self,
        total: u64,
        _everywhere: bool,
        work: Work<'_>,
    ) -> Result<Option<Vec<Vec<u8>>>, Error> {
        let indices: Vec<u64> = (0..total).collect();
        let mut results = vec![None; indices.len()];
        for batch in indices.chunks(3).rev() {
            for (&index, bytes) in batch.iter().zip(work(batch)?) {
                results[usize::try_from(index).unwrap()] = Some(bytes);
            }
        }
        Ok(Some(results.into_iter().map(Option::unwrap).collect()))
    }
}

/// A process that only helps: it computes the odd batches, and rank 0 gets the results.
struct Helper;

impl Spread for Helper {
    fn is_distributed(&self) -> bool {
        true
    }

    fn spread(
        &self,
        total: u64,
        everywhere: bool,
        work: Work<'_>,
    ) -> Result<Option<Vec<Vec<u8>>>, Error> {
        let indices: Vec<u64> = (0..total).collect();
        for batch in indices.chunks(2).skip(1).step_by(2) {
            work(batch)?;
        }
        if everywhere {
            Scattered.spread(total, everywhere, work)
        } else {
            Ok(None)
        }
    }
}

/// A job whose other process failed.
struct Failing;

impl Spread for Failing {
    fn is_distributed(&self) -> bool {
        true
    }

    fn spread(&self, _: u64, _: bool, _: Work<'_>) -> Result<Option<Vec<Vec<u8>>>, Error> {
        Err(Error::Request("rank 2: boom".to_owned()))
    }
}

/// Every file under `dir` with its bytes, relative paths sorted.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// Files that hold times or the wall clock, compared apart.
const TIMED: [&str; 5] = [
    "summary.json",
    "run.json",
    "report.html",
    "generations.csv",
    "forecast/summary.json",
];

fn assert_same_files(one: &Path, spread: &Path) {
    let (a, b) = (files(one), files(spread));
    let names = |f: &[(PathBuf, Vec<u8>)]| f.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    let mut compared = 0;
    for ((path, x), (_, y)) in a.iter().zip(&b) {
        let name = path.to_string_lossy();
        if TIMED.iter().any(|t| name.ends_with(t)) {
            continue;
        }
        assert!(x == y, "{name} differs when the items are spread");
        compared += 1;
    }
    assert!(compared >= 2, "only {compared} files compared");
}

#[test]
fn a_spread_sensitivity_analysis_is_the_one_process_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let request = SensitivityRequest {
        scenario: Some(crate::calibrate::toy(tmp.path(), 1.0, 1.0)),
        params: None,
        samples: 4,
        morris: Some(2),
        seed: 7,
        jobs: Some(2),
    };
    analyse(&request)
        .unwrap()
        .write(&tmp.path().join("one"))
        .unwrap();
    analyse_spread(&request, &Scattered)
        .unwrap()
        .unwrap()
        .write(&tmp.path().join("spread"))
        .unwrap();
    assert_same_files(&tmp.path().join("one"), &tmp.path().join("spread"));
    // A negative control: the comparison sees another seed's analysis.
    let other = SensitivityRequest {
        seed: 8,
        ..request.clone()
    };
    analyse_spread(&other, &Scattered)
        .unwrap()
        .unwrap()
        .write(&tmp.path().join("other"))
        .unwrap();
    assert_ne!(
        std::fs::read(tmp.path().join("one/sobol.csv")).unwrap(),
        std::fs::read(tmp.path().join("other/sobol.csv")).unwrap()
    );
    assert!(analyse_spread(&request, &Helper).unwrap().is_none());
    let error = analyse_spread(&request, &Failing).unwrap_err();
    assert_eq!(error.to_string(), "rank 2: boom");
}

#[test]
fn a_spread_calibration_is_the_one_process_calibration() {
    let tmp = tempfile::tempdir().unwrap();
    let request = CalibrationRequest {
        scenario: Some(crate::calibrate::toy(tmp.path(), 1.0, 1.0)),
        until: "2021-03-31".to_owned(),
        particles: Some(8),
        generations: Some(2),
        replicas_per_particle: Some(2),
        forecast_replicas: Some(3),
        seed: 5,
        jobs: Some(2),
        ..CalibrationRequest::default()
    };
    let one = calibrate(&request, &|_| {}).unwrap();
    one.write(&tmp.path().join("one")).unwrap();
    let spread = calibrate_spread(&request, &|_| {}, &Scattered)
        .unwrap()
        .unwrap();
    spread.write(&tmp.path().join("spread")).unwrap();
    assert_same_files(&tmp.path().join("one"), &tmp.path().join("spread"));
    assert_eq!(one.result.runs, spread.result.runs);
    assert!(
        calibrate_spread(&request, &|_| {}, &Helper)
            .unwrap()
            .is_none()
    );
    let error = calibrate_spread(&request, &|_| {}, &Failing).unwrap_err();
    assert_eq!(error.to_string(), "rank 2: boom");
}

#[test]
fn a_spread_comparison_is_the_one_process_comparison() {
    let request = tumen_pipeline::CompareRequest {
        source: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hidden-border")),
        days: Some(200),
        seed: 3,
        replicas: Some(4),
        jobs: Some(2),
        ..tumen_pipeline::CompareRequest::default()
    };
    let baseline = tumen_pipeline::load_baseline(&request).unwrap();
    let variants = tumen_pipeline::default_variants(&baseline.scenario().mechanisms);
    assert!(!variants.is_empty());
    let (scenarios, _) = tumen_pipeline::load_variants(&request, &baseline, &variants).unwrap();
    let progress = tumen_pipeline::NoProgress;
    let tmp = tempfile::tempdir().unwrap();
    tumen_pipeline::compare(&request, &baseline, &variants, &scenarios, &progress)
        .unwrap()
        .write(&tmp.path().join("one"))
        .unwrap();
    tumen_pipeline::compare_spread(
        &request, &baseline, &variants, &scenarios, &progress, &Scattered,
    )
    .unwrap()
    .unwrap()
    .write(&tmp.path().join("spread"))
    .unwrap();
    assert_same_files(&tmp.path().join("one"), &tmp.path().join("spread"));
    let helper = tumen_pipeline::compare_spread(
        &request, &baseline, &variants, &scenarios, &progress, &Helper,
    );
    assert!(helper.unwrap().is_none());
}
