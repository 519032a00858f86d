"""Type stubs of the package ``tumen``."""

import datetime
import os
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Tuple, TypedDict, Union

import pandas
import pyarrow

from . import _tumen

__version__: str

PathLike = Union[str, os.PathLike[str]]

class Diagnostic(TypedDict):
    """One problem of a scenario, as ``tumen`` reports it."""

    severity: Literal["error", "warning"]
    message: str
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    field: Optional[str]
    label: Optional[str]
    hint: Optional[str]
    text: str

class TumenError(Exception):
    """A failure of Tumen: the base class of every error the package raises."""

class ScenarioError(TumenError):
    """A bad input (scenario files, settings, ``set=`` overrides). ``str(e)`` is every
    diagnostic rendered as the ``tumen`` command prints it."""

    diagnostics: List[Diagnostic]

def load(path: Optional[PathLike] = None) -> Scenario: ...
def replica_seed(seed: int, index: int) -> int:
    """The seed of replica ``index`` of ``run(seed=seed, replicas=N)`` (replica 0: ``seed``)."""

class Scenario:
    def __init__(self, native: _tumen.Scenario) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def days(self) -> int: ...
    @property
    def start_date(self) -> datetime.date: ...
    @property
    def locations(self) -> List[str]: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def warning_diagnostics(self) -> List[Diagnostic]: ...
    @property
    def path(self) -> Optional[str]: ...
    @property
    def has_mechanisms(self) -> bool: ...
    def run(
        self,
        *,
        seed: int = 1,
        days: Optional[int] = None,
        engine: Literal["auto", "agents", "counts"] = "auto",
        replicas: int = 1,
        settings: Optional[PathLike] = None,
        set: Union[None, Mapping[str, Any], Iterable[str]] = None,
        jobs: Optional[int] = None,
        posterior: Optional[PathLike] = None,
        no_posterior: bool = False,
    ) -> Run: ...

class Run:
    notes: List[str]
    warnings: List[str]
    def __init__(
        self, files: Sequence[Tuple[str, bytes]], notes: Sequence[str] = ..., warnings: Sequence[str] = ...
    ) -> None: ...
    @property
    def files(self) -> Dict[str, bytes]: ...
    def table(self, name: str) -> Optional[pandas.DataFrame]: ...
    @property
    def out(self) -> pandas.DataFrame: ...
    @property
    def locations(self) -> pandas.DataFrame: ...
    @property
    def quantiles(self) -> Optional[pandas.DataFrame]: ...
    @property
    def countries(self) -> Optional[pandas.DataFrame]: ...
    @property
    def yearly(self) -> Optional[pandas.DataFrame]: ...
    @property
    def weekly(self) -> Optional[pandas.DataFrame]: ...
    @property
    def status(self) -> Optional[pandas.DataFrame]: ...
    @property
    def targets(self) -> Optional[pandas.DataFrame]: ...
    @property
    def summary(self) -> Dict[str, Any]: ...
    @property
    def record(self) -> Dict[str, Any]: ...
    def to_arrow(self, table: str = "locations") -> pyarrow.Table: ...
    def save(self, directory: PathLike) -> List[str]: ...

class Calibration:
    """The files of ``tumen calibrate``, read with pandas."""

    posterior: pandas.DataFrame
    generations: pandas.DataFrame
    score: Dict[str, Any]
    forecast_parameters: pandas.DataFrame
    report_html: str
    stop: str
    output: Optional[str]

def calibrate(
    scenario: Union[None, PathLike, Scenario] = None,
    *,
    until: Union[str, datetime.date],
    params: Optional[PathLike] = None,
    particles: Optional[int] = None,
    generations: Optional[int] = None,
    budget: Optional[int] = None,
    replicas_per_particle: Optional[int] = None,
    min_tolerance: Optional[float] = None,
    forecast_replicas: Optional[int] = None,
    seed: int = 1,
    jobs: Optional[int] = None,
    output: Optional[PathLike] = None,
) -> Calibration:
    """Calibrates a scenario as ``tumen calibrate`` does (ABC-SMC up to ``until``)."""

class Sensitivity:
    """The files of ``tumen sensitivity``, read with pandas."""

    sobol: pandas.DataFrame
    morris: Optional[pandas.DataFrame]
    skipped: List[str]
    output: Optional[str]

def sensitivity(
    scenario: Union[None, PathLike, Scenario] = None,
    *,
    samples: int,
    params: Optional[PathLike] = None,
    morris: Optional[int] = None,
    seed: int = 1,
    jobs: Optional[int] = None,
    output: Optional[PathLike] = None,
) -> Sensitivity:
    """Sobol (and Morris) indices as ``tumen sensitivity`` computes them."""
