//! The native part of the Python package `tumen` (`tumen._tumen`): a thin front end over
//! `tumen-pipeline`, as the `tumen` command is. It loads a scenario and runs it, and hands the
//! run's files back as bytes — exactly the bytes `tumen run` writes — so that the pure-Python
//! part of the package (`python/tumen/__init__.py`) parses them with pandas only when a table is
//! read. The engine runs with the GIL released.
//!
//! Failures become Python exceptions: `ScenarioError` (the input is to blame; it carries the
//! located diagnostics, rendered as the command renders them) and `TumenError` (its base class;
//! everything else).

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::path::PathBuf;
use tumen_pipeline::{
    EngineChoice, Error, Format, NoProgress, Plan, Prepared, RunRequest, ScenarioSource,
};
use tumen_scenario::{Diagnostic, LoadOptions};

create_exception!(
    _tumen,
    TumenError,
    PyException,
    "A failure of Tumen: the base class of every error the package raises."
);
create_exception!(
    _tumen,
    ScenarioError,
    TumenError,
    "A bad input (scenario files, settings, `set=` overrides): `diagnostics` lists every \
     problem found, located, and `str()` renders them as the `tumen` command does."
);

/// One diagnostic as a Python dict: `severity`, `message`, `file`, `line`, `column`, `field`,
/// `label`, `hint` (the place fields `None` when the problem has no place; `file` is then
/// `file`, when given) and `text` (the rendering the command prints).
fn diagnostic_dict<'py>(
    py: Python<'py>,
    d: &Diagnostic,
    file: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("severity", d.severity.as_str())?;
    dict.set_item("message", &d.message)?;
    let span = d.span.as_ref();
    dict.set_item("file", span.map(|s| s.file.as_str()).or(file))?;
    dict.set_item("line", span.map(|s| s.line))?;
    dict.set_item("column", span.map(|s| s.column))?;
    dict.set_item("field", span.and_then(|s| s.field.as_deref()))?;
    dict.set_item("label", d.label.as_deref())?;
    dict.set_item("hint", d.hint.as_deref())?;
    dict.set_item("text", tumen_scenario::render(d).trim_end())?;
    Ok(dict)
}

/// A `ScenarioError` whose text is every diagnostic rendered as the command prints them, then
/// `message`; the diagnostics as dicts in `.diagnostics`.
fn scenario_error(
    py: Python<'_>,
    message: &str,
    diagnostics: &[Diagnostic],
    file: Option<&str>,
) -> PyErr {
    let mut text = String::new();
    for d in diagnostics {
        text.push_str(tumen_scenario::render(d).trim_end());
        text.push_str("\n\n");
    }
    // The message closes the text, unless a diagnostic already says it.
    if diagnostics.iter().any(|d| d.message == message) {
        text.truncate(text.trim_end().len());
    } else {
        text.push_str(message);
    }
    let error = ScenarioError::new_err(text);
    let list = diagnostics
        .iter()
        .map(|d| diagnostic_dict(py, d, file))
        .collect::<PyResult<Vec<_>>>()
        .and_then(|dicts| PyList::new(py, dicts));
    match list.and_then(|list| error.value(py).setattr("diagnostics", list)) {
        Ok(()) => error,
        Err(other) => other,
    }
}

/// The Python exception for a pipeline error: `ScenarioError` when the input is to blame,
/// `TumenError` otherwise.
fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::Invalid { diagnostics } => scenario_error(py, &message, diagnostics, None),
        // Input problems without a located diagnostic: one diagnostic naming the file.
        Error::Unreadable { path, .. } => {
            scenario_error(py, &message, &[Diagnostic::error(&message)], Some(path))
        }
        Error::Strict { .. } => scenario_error(py, &message, &[Diagnostic::error(&message)], None),
        _ => TumenError::new_err(message),
    }
}

/// Diagnostics rendered as the command prints them.
fn rendered(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| tumen_scenario::render(d).trim_end().to_owned())
        .collect()
}

/// A run's files, `(name, bytes)` in the order written.
type Files<'py> = Vec<(String, Bound<'py, PyBytes>)>;

/// A loaded scenario (the Python class `tumen.Scenario` wraps it).
#[pyclass(module = "tumen._tumen", name = "Scenario", frozen)]
struct NativeScenario {
    source: ScenarioSource,
    prepared: Prepared,
}

fn load_source(
    py: Python<'_>,
    source: &ScenarioSource,
    options: &LoadOptions,
) -> PyResult<Prepared> {
    py.detach(|| tumen_pipeline::load(source, options))
        .map_err(|error| to_py(py, &error))
}

/// Loads the scenario in directory `path`, or the embedded flagship when `path` is `None`.
#[pyfunction]
#[pyo3(signature = (path=None))]
fn load(py: Python<'_>, path: Option<PathBuf>) -> PyResult<NativeScenario> {
    let source = ScenarioSource::from_option(path.as_deref());
    let prepared = load_source(py, &source, &LoadOptions::default())?;
    Ok(NativeScenario { source, prepared })
}

/// The seed of replica `index` of a run seeded with `seed`, as `Scenario.run(replicas=N)` seeds
/// its replicas (replica 0 uses `seed` itself): `run(seed=replica_seed(s, i))` is replica `i`
/// of `run(seed=s, replicas=N)`, so replicas can be spread over other machinery (Dask, ...).
#[pyfunction]
fn replica_seed(seed: u64, index: u64) -> u64 {
    tumen_ensemble::replica_seed(seed, index)
}

fn engine_choice(name: &str) -> PyResult<EngineChoice> {
    match name {
        "auto" => Ok(EngineChoice::Auto),
        "agents" => Ok(EngineChoice::Agents),
        "counts" => Ok(EngineChoice::Counts),
        other => Err(PyValueError::new_err(format!(
            "engine must be \"auto\", \"agents\" or \"counts\", not {other:?}"
        ))),
    }
}

#[pymethods]
impl NativeScenario {
    /// The scenario's name (its directory's name; `korea-china` for the flagship).
    #[getter]
    fn name(&self) -> &str {
        &self.prepared.scenario().name
    }

    /// Days simulated by default (the period file's length).
    #[getter]
    fn days(&self) -> u32 {
        self.prepared.scenario().days
    }

    /// Day 0, as an ISO date (`YYYY-MM-DD`).
    #[getter]
    fn start_date(&self) -> String {
        self.prepared.scenario().start_date.to_string()
    }

    /// The locations' names, in file order.
    #[getter]
    fn locations(&self) -> Vec<String> {
        let network = &self.prepared.scenario().network;
        network.locations.iter().map(|l| l.name.clone()).collect()
    }

    /// Every warning of the load, rendered as the command prints it.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        rendered(&self.prepared.loaded.warnings)
    }

    /// The warnings as dicts, as in `ScenarioError.diagnostics`.
    #[getter]
    fn warning_diagnostics<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.prepared
            .loaded
            .warnings
            .iter()
            .map(|d| diagnostic_dict(py, d, None))
            .collect()
    }

    /// The scenario's directory, `None` for the flagship.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.source.dir().map(std::path::Path::to_path_buf)
    }

    /// Whether the scenario has mechanisms beyond Flee's (a native scenario).
    #[getter]
    fn has_mechanisms(&self) -> bool {
        self.prepared.scenario().mechanisms.any()
    }

    /// Runs the scenario and returns the run's files as `[(name, bytes)]` in the order the
    /// command writes them, plus `long.csv`; the run's notes; and the warnings of the load
    /// the run used (the scenario's, or those of a reload with other settings or overrides).
    #[pyo3(signature = (*, seed, days, engine, replicas, settings, overrides, jobs, posterior=None, no_posterior=false))]
    #[expect(
        clippy::too_many_arguments,
        reason = "the keyword arguments of `Scenario.run`"
    )]
    fn run<'py>(
        &self,
        py: Python<'py>,
        seed: u64,
        days: Option<u32>,
        engine: &str,
        replicas: u64,
        settings: Option<PathBuf>,
        overrides: Vec<String>,
        jobs: Option<usize>,
        posterior: Option<PathBuf>,
        no_posterior: bool,
    ) -> PyResult<(Files<'py>, Vec<String>, Vec<String>)> {
        if replicas == 0 {
            return Err(PyValueError::new_err("replicas must be at least 1"));
        }
        if jobs == Some(0) {
            return Err(PyValueError::new_err(
                "jobs must be at least 1 (None: every core)",
            ));
        }
        if days == Some(0) {
            return Err(PyValueError::new_err("days must be at least 1"));
        }
        let request = RunRequest {
            scenario: self.source.dir().map(std::path::Path::to_path_buf),
            settings,
            days,
            overrides,
            seed,
            replicas: Some(replicas),
            engine: engine_choice(engine)?,
            jobs,
            formats: Vec::new(),
            checkpoints: None,
            command_line: Vec::new(),
            replica_outputs: false,
            ..RunRequest::default()
        };
        let options = request.load_options();
        let reloaded;
        let prepared = if options == LoadOptions::default() {
            &self.prepared
        } else {
            reloaded = load_source(py, &self.source, &options)?;
            &reloaded
        };
        let result = py.detach(|| {
            let plan = Plan::new(prepared, &request)?;
            // As `tumen run`: a posterior given, else the one the scenario ships, unless
            // `no_posterior`.
            let posterior = tumen_pipeline::calibrate::posterior_for_run(
                prepared,
                posterior.as_deref(),
                no_posterior,
            )?
            .map(|(posterior, _)| posterior);
            let mut parameters = None;
            let output = match &posterior {
                // Each replica's parameters drawn from a calibration's posterior, written to
                // `parameters.csv` as the command does.
                Some(posterior) => {
                    let (output, thetas) =
                        tumen_pipeline::worker_pool(request.jobs)?.install(|| {
                            tumen_pipeline::calibrate::run_with_posterior(
                                prepared, &request, posterior,
                            )
                        })?;
                    parameters = Some(tumen_pipeline::calibrate::parameters_csv(
                        &posterior.parameters,
                        &output,
                        &thetas,
                    ));
                    output
                }
                None => plan.execute_on_pool(&NoProgress)?,
            };
            let mut files = output.files_in_memory(&[Format::Long])?;
            if let Some(text) = parameters {
                files.push(("parameters.csv".to_owned(), text.into_bytes()));
            }
            Ok::<_, Error>((files, plan.notes))
        });
        let (files, notes) = result.map_err(|error| to_py(py, &error))?;
        let files = files
            .into_iter()
            .map(|(name, bytes)| (name, PyBytes::new(py, &bytes)))
            .collect();
        Ok((files, notes, rendered(&prepared.loaded.warnings)))
    }

    fn __repr__(&self) -> String {
        let scenario = self.prepared.scenario();
        format!(
            "<tumen.Scenario {:?}: {} locations, {} days from {}>",
            scenario.name,
            scenario.network.locations.len(),
            scenario.days,
            scenario.start_date
        )
    }
}

/// Calibrates the scenario in directory `path` (the flagship when `None`) as `tumen calibrate`
/// does and writes its files into `output`; returns the files written and why ABC-SMC stopped.
/// Runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (path, *, until, output, params=None, particles=None, generations=None,
    budget=None, replicas_per_particle=None, min_tolerance=None, forecast_replicas=None, seed=1,
    jobs=None))]
#[expect(
    clippy::too_many_arguments,
    reason = "the keyword arguments of `tumen.calibrate`, as the command's options"
)]
fn calibrate(
    py: Python<'_>,
    path: Option<PathBuf>,
    until: String,
    output: PathBuf,
    params: Option<PathBuf>,
    particles: Option<usize>,
    generations: Option<usize>,
    budget: Option<u64>,
    replicas_per_particle: Option<usize>,
    min_tolerance: Option<f64>,
    forecast_replicas: Option<u64>,
    seed: u64,
    jobs: Option<usize>,
) -> PyResult<(Vec<PathBuf>, String)> {
    if jobs == Some(0) {
        return Err(PyValueError::new_err(
            "jobs must be at least 1 (None: every core)",
        ));
    }
    if forecast_replicas == Some(0) {
        return Err(PyValueError::new_err(
            "forecast_replicas must be at least 1",
        ));
    }
    let request = tumen_pipeline::calibrate::CalibrationRequest {
        scenario: path,
        until,
        params,
        particles,
        generations,
        budget,
        replicas_per_particle,
        min_tolerance,
        forecast_replicas,
        seed,
        jobs,
        command_line: Vec::new(),
    };
    py.detach(|| {
        let calibration = tumen_pipeline::calibrate::calibrate(&request, &|_| {})?;
        let files = calibration.write(&output)?;
        Ok::<_, Error>((files, calibration.result.stop.to_string()))
    })
    .map_err(|error| to_py(py, &error))
}

/// Sobol (and Morris) sensitivity of the scenario in directory `path` (the flagship when
/// `None`) as `tumen sensitivity` does; writes `sobol.csv` (and `morris.csv`) into `output` and
/// returns the files written and the outputs left out. Runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (path, *, samples, output, params=None, morris=None, seed=1, jobs=None))]
#[expect(
    clippy::too_many_arguments,
    reason = "the keyword arguments of `tumen.sensitivity`, as the command's options"
)]
fn sensitivity(
    py: Python<'_>,
    path: Option<PathBuf>,
    samples: usize,
    output: PathBuf,
    params: Option<PathBuf>,
    morris: Option<usize>,
    seed: u64,
    jobs: Option<usize>,
) -> PyResult<(Vec<PathBuf>, Vec<String>)> {
    if jobs == Some(0) {
        return Err(PyValueError::new_err(
            "jobs must be at least 1 (None: every core)",
        ));
    }
    let request = tumen_pipeline::sensitivity::SensitivityRequest {
        scenario: path,
        params,
        samples,
        morris,
        seed,
        jobs,
    };
    py.detach(|| {
        let analysis = tumen_pipeline::sensitivity::analyse(&request)?;
        let files = analysis.write(&output)?;
        Ok::<_, Error>((files, analysis.skipped))
    })
    .map_err(|error| to_py(py, &error))
}

/// The native module `tumen._tumen`.
#[pymodule]
#[pyo3(name = "_tumen")]
fn tumen_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("TumenError", py.get_type::<TumenError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add_class::<NativeScenario>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(replica_seed, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    Ok(())
}
