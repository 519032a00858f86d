"""Tumen from Python: load a Flee (or native) scenario, run it, and read its tables with pandas.

    >>> import tumen
    >>> scenario = tumen.load("path/to/mali2012")     # None: the embedded flagship
    >>> run = scenario.run(seed=3)
    >>> run.out                                       # out.csv, as a pandas DataFrame

A run keeps the bytes of every file ``tumen run`` would write; a table is parsed (with pandas)
the first time it is read, so ``import tumen`` does not import pandas. The engine runs with the
GIL released, on ``jobs`` threads (default: every core); the output does not depend on ``jobs``.
"""

from __future__ import annotations

import contextlib as _contextlib
import datetime as _dt
import io as _io
import json as _json
import math as _math
import os as _os
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _tumen
from ._tumen import ScenarioError, TumenError, replica_seed

__all__ = [
    "load",
    "replica_seed",
    "calibrate",
    "sensitivity",
    "compare",
    "Scenario",
    "Run",
    "Calibration",
    "Sensitivity",
    "Comparison",
    "TumenError",
    "ScenarioError",
    "__version__",
]
__version__: str = _tumen.__version__

PathLike = Union[str, "_os.PathLike[str]"]

_ENGINES = ("auto", "agents", "counts")


def load(path: Optional[PathLike] = None) -> "Scenario":
    """Loads the scenario in directory ``path`` (Flee's layout, optionally with a native
    ``scenario.toml``), or the embedded flagship (``korea-china``) when ``path`` is None.

    Raises ``ScenarioError`` with every problem found, located, when the input is bad.
    """
    native = _tumen.load(None if path is None else _os.fspath(path))
    return Scenario(native)


def _toml_value(value: Any) -> str:
    """A Python value as the TOML text of a ``--set key.path=value`` override."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if _math.isnan(value):
            return "nan"
        if _math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        # A TOML basic string: JSON's escapes are TOML's for these characters.
        return _json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot pass a {type(value).__name__} as a `set=` value: {value!r}")


def _overrides(set: Union[None, Mapping[str, Any], Iterable[str]]) -> List[str]:
    if set is None:
        return []
    if isinstance(set, Mapping):
        return [f"{key}={_toml_value(value)}" for key, value in set.items()]
    if isinstance(set, str):
        return [set]
    return [str(item) for item in set]


class Scenario:
    """A loaded scenario. Made by :func:`load`."""

    __slots__ = ("_native",)

    def __init__(self, native: "_tumen.Scenario") -> None:
        self._native = native

    @property
    def name(self) -> str:
        """The scenario's name (its directory's name; ``korea-china`` for the flagship)."""
        return self._native.name

    @property
    def days(self) -> int:
        """Days simulated by default (the length of ``sim_period.csv``)."""
        return self._native.days

    @property
    def start_date(self) -> _dt.date:
        """Day 0."""
        return _dt.date.fromisoformat(self._native.start_date)

    @property
    def locations(self) -> List[str]:
        """The locations' names, in the order of ``locations.csv``."""
        return self._native.locations

    @property
    def warnings(self) -> List[str]:
        """The load's warnings, each rendered as ``tumen`` prints it (file, line, column)."""
        return self._native.warnings

    @property
    def warning_diagnostics(self) -> List[Dict[str, Any]]:
        """The load's warnings as dicts, like ``ScenarioError.diagnostics``."""
        return self._native.warning_diagnostics

    @property
    def path(self) -> Optional[str]:
        """The scenario's directory as given, None for the embedded flagship."""
        path = self._native.path
        return None if path is None else _os.fspath(path)

    @property
    def has_mechanisms(self) -> bool:
        """Whether the scenario has mechanisms beyond Flee's (a native ``scenario.toml``)."""
        return self._native.has_mechanisms

    def run(
        self,
        *,
        seed: int = 1,
        days: Optional[int] = None,
        engine: str = "auto",
        replicas: int = 1,
        settings: Optional[PathLike] = None,
        set: Union[None, Mapping[str, Any], Iterable[str]] = None,
        jobs: Optional[int] = None,
        posterior: Optional[PathLike] = None,
        no_posterior: bool = False,
    ) -> "Run":
        """Runs the scenario, as ``tumen run`` does with the same options.

        - ``seed``: the seed of replica 0 (replica i uses a seed derived from it); the same seed
          gives the same output whatever ``jobs``.
        - ``days``: days to simulate instead of the period file's length.
        - ``engine``: ``"auto"`` (the count engine unless the settings ask for per-agent
          output), ``"agents"`` or ``"counts"``.
        - ``replicas``: seeded replicas; with more than one (or for a scenario with
          mechanisms) the run has ``quantiles`` and ``countries`` bands.
        - ``settings``: a ``simsetting.yml`` to use instead of the scenario's.
        - ``set``: overrides of ``scenario.toml`` (``--set``): a mapping
          ``{"enforcement.trigger.enabled": False}`` (values written as TOML) or an iterable of
          ``"key.path=value"`` strings.
        - ``jobs``: threads (None: every core).
        - ``posterior``: a ``posterior.csv`` written by ``tumen calibrate``: replica i runs with
          parameters drawn from it (``tumen run --posterior``), so the bands include parameter
          uncertainty (``summary["ensemble"]["uncertainty"]`` says so). Without it, a
          scenario that ships a ``posterior.csv`` (the embedded flagship does) draws from that
          one, as ``tumen run`` does.
        - ``no_posterior``: run the scenario's own values even if it ships a posterior
          (``tumen run --no-posterior``).

        Raises ``ScenarioError`` for a bad input, ``TumenError`` when the run fails.
        """
        if engine not in _ENGINES:
            raise ValueError(f"engine must be one of {', '.join(map(repr, _ENGINES))}, not {engine!r}")
        for name, value in (("seed", seed), ("replicas", replicas)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, not {seed}")
        files, notes, warnings = self._native.run(
            seed=seed,
            days=days,
            engine=engine,
            replicas=replicas,
            settings=None if settings is None else _os.fspath(settings),
            overrides=_overrides(set),
            jobs=jobs,
            posterior=None if posterior is None else _os.fspath(posterior),
            no_posterior=bool(no_posterior),
        )
        return Run(files, notes, warnings)

    def __repr__(self) -> str:
        return repr(self._native)


def _read_csv(data: bytes) -> "Any":
    import pandas

    return pandas.read_csv(_io.BytesIO(data))


class Run:
    """The result of :meth:`Scenario.run`: every file ``tumen run`` writes, in memory, and
    the tables parsed from them on first use (pandas DataFrames).

    ``out``, ``summary`` and ``locations`` are always there; ``quantiles`` and ``countries``
    are None for a single run of a Flee scenario; ``yearly``, ``weekly``, ``status`` and
    ``targets`` are None unless the scenario has mechanisms (``targets`` also needs its
    ``mechanisms/targets.csv``).
    """

    def __init__(
        self,
        files: Sequence[Tuple[str, bytes]],
        notes: Sequence[str] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        self._files: Dict[str, bytes] = dict(files)
        self._tables: Dict[str, Any] = {}
        self.notes: List[str] = list(notes)
        """How the model interpreted the scenario where that may surprise (as ``tumen run``
        prints before running)."""
        self.warnings: List[str] = list(warnings)
        """The warnings of the scenario as this run loaded it (with its ``settings=``,
        ``days=`` and ``set=``), rendered as ``tumen`` prints them."""

    @property
    def files(self) -> Dict[str, bytes]:
        """Every file by name (``out.csv``, ``summary.json``, ..., and ``long.csv``): the bytes
        ``tumen run`` writes (``long.csv`` as with ``--formats long``)."""
        return dict(self._files)

    def table(self, name: str) -> Optional["Any"]:
        """The CSV file ``name`` (``"out"`` or ``"out.csv"``) as a DataFrame, None when the
        run has no such file. Parsed once, then cached."""
        file = name if name.endswith(".csv") else f"{name}.csv"
        if file not in self._files:
            return None
        if file not in self._tables:
            self._tables[file] = _read_csv(self._files[file])
        return self._tables[file]

    @property
    def out(self) -> "Any":
        """``out.csv`` (replica 0) in Flee's format: equal to ``pandas.read_csv("out.csv")``."""
        return self.table("out.csv")

    @property
    def locations(self) -> "Any":
        """The long table (``long.csv``): one row per location and day of replica 0."""
        return self.table("long.csv")

    @property
    def quantiles(self) -> Optional["Any"]:
        """``quantiles.csv``: the ensemble's bands per location and day; None for a single
        run of a Flee scenario."""
        return self.table("quantiles.csv")

    @property
    def countries(self) -> Optional["Any"]:
        """``countries.csv``: the bands per country; None for a single run of a Flee
        scenario."""
        return self.table("countries.csv")

    @property
    def yearly(self) -> Optional["Any"]:
        """``yearly.csv`` (scenarios with mechanisms), else None."""
        return self.table("yearly.csv")

    @property
    def weekly(self) -> Optional["Any"]:
        """``weekly.csv`` (scenarios with mechanisms), else None."""
        return self.table("weekly.csv")

    @property
    def status(self) -> Optional["Any"]:
        """``status.csv`` (scenarios with mechanisms), else None."""
        return self.table("status.csv")

    @property
    def targets(self) -> Optional["Any"]:
        """``targets.csv`` (scenarios with mechanisms and calibration targets), else None."""
        return self.table("targets.csv")

    @property
    def summary(self) -> Dict[str, Any]:
        """``summary.json`` as a dict (a new copy each time)."""
        return _json.loads(self._files["summary.json"])

    @property
    def record(self) -> Dict[str, Any]:
        """``run.json`` (the run's record: inputs and their hashes, settings) as a dict."""
        return _json.loads(self._files["run.json"])

    def to_arrow(self, table: str = "locations") -> "Any":
        """A table as a ``pyarrow.Table`` (needs ``pip install tumen[arrow]``): by default the
        long table (``long.csv``), else the CSV file named (``"out"``, ``"quantiles"``, ...).
        Raises KeyError when the run has no such table."""
        import pyarrow.csv

        file = "long.csv" if table == "locations" else (table if table.endswith(".csv") else f"{table}.csv")
        if file not in self._files:
            raise KeyError(f"this run has no table {table!r} (files: {', '.join(sorted(self._files))})")
        return pyarrow.csv.read_csv(pyarrow.py_buffer(self._files[file]))

    def save(self, directory: PathLike) -> List[str]:
        """Writes every file into ``directory`` (created if needed), as ``tumen run -o``
        would, plus ``long.csv``; returns the paths written."""
        _os.makedirs(directory, exist_ok=True)
        paths = []
        for name, data in self._files.items():
            path = _os.path.join(_os.fspath(directory), name)
            with open(path, "wb") as file:
                file.write(data)
            paths.append(path)
        return paths

    def __repr__(self) -> str:
        summary = self.summary
        return (
            f"<tumen.Run {summary.get('scenario')!r}: seed {summary.get('seed')}, "
            f"{summary.get('days')} days, engine {summary.get('engine')}>"
        )


def _scenario_path(scenario: Union[None, PathLike, "Scenario"]) -> Optional[str]:
    if scenario is None:
        return None
    if isinstance(scenario, Scenario):
        return scenario.path
    return _os.fspath(scenario)


def _check_int(name: str, value: Any, minimum: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")


@_contextlib.contextmanager
def _output_dir(output: Optional[PathLike], prefix: str) -> Iterator[str]:
    """The directory a command writes into: `output`, kept, or a temporary one removed after
    the result has been read from it (also when the command fails)."""
    if output is not None:
        yield _os.fspath(output)
        return
    import shutil
    import tempfile

    directory = tempfile.mkdtemp(prefix=prefix)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class Calibration:
    """The result of :func:`calibrate`: the files ``tumen calibrate`` writes, read with pandas.

    - ``posterior``: ``posterior.csv`` (``particle, weight, <parameter>..., distance``);
    - ``generations``: ``generations.csv`` (``generation, tolerance, accepted, runs, ess,
      wall_seconds``);
    - ``score``: ``score.json`` as a dict (``until``, ``before``, ``after``, each with
      ``calibrated`` and ``baseline`` blocks: ``ard``, ``coverage50``, ``coverage90``, ``crps``,
      ``targets_inside``, ``targets_total``);
    - ``forecast_parameters``: ``forecast/parameters.csv``, each forecast replica's parameters;
    - ``report_html``: the calibration report (``report.html``), as text;
    - ``stop``: why ABC-SMC stopped; ``output``: the directory written, or None.
    """

    __slots__ = ("posterior", "generations", "score", "forecast_parameters", "report_html", "stop", "output")

    def __init__(self, directory: str, stop: str, output: Optional[str]) -> None:
        import pandas

        self.posterior = pandas.read_csv(_os.path.join(directory, "posterior.csv"))
        self.generations = pandas.read_csv(_os.path.join(directory, "generations.csv"))
        with open(_os.path.join(directory, "score.json"), encoding="utf-8") as f:
            self.score: Dict[str, Any] = _json.load(f)
        self.forecast_parameters = pandas.read_csv(_os.path.join(directory, "forecast", "parameters.csv"))
        with open(_os.path.join(directory, "report.html"), encoding="utf-8") as f:
            self.report_html: str = f.read()
        self.stop = stop
        self.output = output

    def __repr__(self) -> str:
        return (
            f"<tumen.Calibration until {self.score['until']}: {len(self.posterior)} particles, "
            f"{len(self.generations)} generations, {int(self.generations['runs'].sum())} runs>"
        )


def calibrate(
    scenario: Union[None, PathLike, "Scenario"] = None,
    *,
    until: Union[str, _dt.date],
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
    """Calibrates a scenario as ``tumen calibrate`` does with the same options: ABC-SMC on the
    data up to ``until``, then the posterior forecast and the baseline scored before and after
    it. ``scenario``: a directory, a loaded :class:`Scenario`, or None for the flagship.
    ``output``: where to keep the files (``posterior.csv``, ``generations.csv``,
    ``score.json``, ``report.html``, ``forecast/``); None: a temporary directory, removed once
    read. The same seed gives the same posterior whatever ``jobs``. Runs with the GIL released.

    Raises ``ScenarioError`` for a bad input (a bad ``params`` file or ``until``, a scenario
    that does not load), ``TumenError`` when a run fails.
    """
    _check_int("seed", seed, 0)
    for name, value in (
        ("particles", particles),
        ("generations", generations),
        ("budget", budget),
        ("replicas_per_particle", replicas_per_particle),
        ("forecast_replicas", forecast_replicas),
        ("jobs", jobs),
    ):
        _check_int(name, value, 1)
    with _output_dir(output, "tumen-calibration-") as directory:
        _, stop = _tumen.calibrate(
            _scenario_path(scenario),
            until=str(until),
            output=directory,
            params=None if params is None else _os.fspath(params),
            particles=particles,
            generations=generations,
            budget=budget,
            replicas_per_particle=replicas_per_particle,
            min_tolerance=min_tolerance,
            forecast_replicas=forecast_replicas,
            seed=seed,
            jobs=jobs,
        )
        return Calibration(directory, stop, None if output is None else directory)


class Sensitivity:
    """The result of :func:`sensitivity`: ``sobol`` (``sobol.csv``: ``output, parameter, S1,
    S1_low, S1_high, ST, ST_low, ST_high``), ``morris`` (``morris.csv``: ``output, parameter, mu,
    mu_star, sigma``; None without ``morris=``), ``skipped`` (outputs left out, not finite at
    some point) and ``output`` (the directory written, or None)."""

    __slots__ = ("sobol", "morris", "skipped", "output")

    def __init__(self, directory: str, skipped: List[str], morris: bool, output: Optional[str]) -> None:
        import pandas

        self.sobol = pandas.read_csv(_os.path.join(directory, "sobol.csv"))
        self.morris = pandas.read_csv(_os.path.join(directory, "morris.csv")) if morris else None
        self.skipped = list(skipped)
        self.output = output

    def __repr__(self) -> str:
        return f"<tumen.Sensitivity: {self.sobol['output'].nunique()} outputs, {self.sobol['parameter'].nunique()} parameters>"


def sensitivity(
    scenario: Union[None, PathLike, "Scenario"] = None,
    *,
    samples: int,
    params: Optional[PathLike] = None,
    morris: Optional[int] = None,
    seed: int = 1,
    jobs: Optional[int] = None,
    output: Optional[PathLike] = None,
) -> Sensitivity:
    """Sobol indices (Saltelli design, ``samples * (d + 2)`` runs) and, with ``morris=R``,
    Morris elementary effects, as ``tumen sensitivity`` computes them with the same options;
    the same seed gives the same indices as the command. ``output``: where to keep
    ``sobol.csv`` / ``morris.csv`` (None: a temporary directory). Runs with the GIL released.
    """
    _check_int("samples", samples, 1)
    _check_int("morris", morris, 1)
    _check_int("seed", seed, 0)
    _check_int("jobs", jobs, 1)
    with _output_dir(output, "tumen-sensitivity-") as directory:
        _, skipped = _tumen.sensitivity(
            _scenario_path(scenario),
            samples=samples,
            output=directory,
            params=None if params is None else _os.fspath(params),
            morris=morris,
            seed=seed,
            jobs=jobs,
        )
        return Sensitivity(directory, skipped, morris is not None, None if output is None else directory)


def _override_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    return f"{key}={value}"


def _variant_texts(
    variants: Union[None, Sequence[str], Mapping[str, Union[str, Sequence[str], Mapping[str, Any]]]],
) -> List[str]:
    """The variants as ``tumen compare --variant`` texts (``NAME:KEY=VALUE,...``)."""
    if variants is None:
        return []
    if isinstance(variants, str):
        raise TypeError("variants must be a list of 'NAME:KEY=VALUE,...' texts or a dict, not a str")
    if not isinstance(variants, Mapping):
        texts = list(variants)
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"a variant must be a 'NAME:KEY=VALUE,...' text, not {type(text).__name__}")
        return texts
    texts = []
    for name, overrides in variants.items():
        if isinstance(overrides, str):
            pieces = [overrides]
        elif isinstance(overrides, Mapping):
            pieces = [_override_text(str(k), v) for k, v in overrides.items()]
        else:
            pieces = [str(o) for o in overrides]
        texts.append(f"{name}:{','.join(pieces)}")
    return texts


class Comparison:
    """The result of :func:`compare`: the files ``tumen compare`` writes, read with pandas.

    - ``comparison``: ``comparison.csv`` (``variant, year, quantity, baseline_median,
      variant_median, difference, difference_p05, difference_p95``; ``year`` is ``all`` for
      the whole period), the paired differences of each variant from the baseline;
    - ``runs``: the names of the runs, ``"baseline"`` first, then the variants;
    - ``yearly``, ``weekly``, ``status``: per run name, that run's table (medians over its
      replicas), as ``tumen run`` writes it;
    - ``targets``: per run name, ``targets.csv`` (None when the scenario has no targets);
    - ``summary``: the command's summary text; ``output``: the directory written, or None.
    """

    __slots__ = ("comparison", "runs", "yearly", "weekly", "status", "targets", "summary", "output")

    def __init__(self, directory: str, runs: List[str], summary: str, output: Optional[str]) -> None:
        import pandas

        self.comparison = pandas.read_csv(_os.path.join(directory, "comparison.csv"), dtype={"year": str})
        self.runs = list(runs)

        def tables(name: str) -> Dict[str, Any]:
            out = {}
            for run in self.runs:
                path = _os.path.join(directory, run, name)
                out[run] = pandas.read_csv(path) if _os.path.exists(path) else None
            return out

        self.yearly = tables("yearly.csv")
        self.weekly = tables("weekly.csv")
        self.status = tables("status.csv")
        self.targets = tables("targets.csv")
        self.summary = summary
        self.output = output

    def __repr__(self) -> str:
        return f"<tumen.Comparison: {', '.join(self.runs[1:])} against the baseline>"


def compare(
    scenario: Union[None, PathLike, "Scenario"] = None,
    *,
    variants: Union[None, Sequence[str], Mapping[str, Union[str, Sequence[str], Mapping[str, Any]]]] = None,
    replicas: Optional[int] = None,
    seed: int = 1,
    days: Optional[int] = None,
    engine: str = "auto",
    settings: Optional[PathLike] = None,
    jobs: Optional[int] = None,
    output: Optional[PathLike] = None,
) -> Comparison:
    """Compares policy variants with the baseline as ``tumen compare`` does with the same
    options: every run on the same seeds (paired replicas), the differences with their 5-95 %
    spread over the pairs. ``variants``: a dict ``{name: {key: value, ...}}`` (or ``{name:
    ["key=value", ...]}``), or the command's texts ``["name:key=value,key=value", ...]``; keys
    are what ``--set`` takes; None: the scenario's default variants (no crackdown triggers, no
    asylum incidents). ``output``: where to keep the files (None: a temporary directory,
    removed once read). Runs with the GIL released.

    Raises ``ValueError`` for a malformed variant, ``ScenarioError`` for a scenario or variant
    that does not load (an unknown key, say), ``TumenError`` when a run fails.
    """
    _check_int("replicas", replicas, 1)
    _check_int("seed", seed, 0)
    _check_int("days", days, 1)
    _check_int("jobs", jobs, 1)
    if engine not in _ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, _ENGINES))}, not {engine!r}")
    texts = _variant_texts(variants)
    with _output_dir(output, "tumen-compare-") as directory:
        _, runs, summary = _tumen.compare(
            _scenario_path(scenario),
            variants=texts,
            output=directory,
            replicas=replicas,
            seed=seed,
            days=days,
            engine=engine,
            settings=None if settings is None else _os.fspath(settings),
            jobs=jobs,
        )
        return Comparison(directory, runs, summary, None if output is None else directory)
