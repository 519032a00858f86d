"""`tumen.calibrate` and `tumen.sensitivity` equal the command's `tumen calibrate` and
`tumen sensitivity` under the same seed: the same posterior, generations, scores and Sobol
indices (the files compared byte for byte, and as pandas objects)."""

import json
import os
import subprocess
import threading
import time

import pandas
import pytest
from pandas.testing import assert_frame_equal

import tumen
from conftest import TOY

PARAMS = """
[[calibration.parameter]]
key = "move_rules.max_move_speed"
prior = { uniform = [20.0, 400.0] }

[[calibration.parameter]]
key = "move_rules.camp_weight"
prior = { uniform = [0.5, 4.0] }
"""

UNTIL = "2021-04-15"


@pytest.fixture
def params(tmp_path):
    path = tmp_path / "params.toml"
    path.write_text(PARAMS)
    return path


def command(cli, *args):
    result = subprocess.run(
        [str(cli), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "TUMEN_NO_PROGRESS": "1"},
    )
    assert result.returncode == 0, f"tumen {' '.join(map(str, args))} failed:\n{result.stderr}"


def test_calibrate_equals_the_command(cli, params, tmp_path):
    options = dict(particles=12, generations=3, forecast_replicas=4, seed=11, jobs=2)
    cal = tumen.calibrate(TOY, until=UNTIL, params=params, **options)
    out = tmp_path / "cli"
    command(
        cli, "calibrate", TOY, "--until", UNTIL, "--params", params, "--particles", 12,
        "--generations", 3, "--forecast-replicas", 4, "--seed", 11, "--jobs", 1, "-o", out,
    )
    # The posterior does not depend on jobs: the command ran on 1 thread, the package on 2.
    assert_frame_equal(cal.posterior, pandas.read_csv(out / "posterior.csv"), check_exact=True)
    assert list(cal.posterior.columns) == [
        "particle", "weight", "move_rules.max_move_speed", "move_rules.camp_weight", "distance"
    ]
    assert abs(cal.posterior["weight"].sum() - 1.0) < 1e-9
    ours = cal.generations.drop(columns="wall_seconds")
    theirs = pandas.read_csv(out / "generations.csv").drop(columns="wall_seconds")
    assert_frame_equal(ours, theirs, check_exact=True)
    assert cal.score == json.loads((out / "score.json").read_text())
    assert set(cal.score) == {"until", "before", "after"}
    for period in ("before", "after"):
        assert set(cal.score[period]) == {"calibrated", "baseline"}
    assert_frame_equal(
        cal.forecast_parameters, pandas.read_csv(out / "forecast" / "parameters.csv"), check_exact=True
    )
    assert len(cal.forecast_parameters) == 4
    assert "Calibration of" in cal.report_html and "posterior-corner" in cal.report_html
    assert cal.output is None and cal.stop


def test_calibrate_keeps_its_files_when_asked(params, tmp_path):
    out = tmp_path / "kept"
    cal = tumen.calibrate(TOY, until=UNTIL, params=params, particles=6, generations=1, forecast_replicas=2, output=out)
    assert cal.output == str(out)
    for name in ("posterior.csv", "generations.csv", "score.json", "report.html", "forecast/parameters.csv"):
        assert (out / name).is_file(), name


def test_without_output_nothing_is_left_in_the_temporary_directory(params, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    cal = tumen.calibrate(TOY, until=UNTIL, params=params, particles=6, generations=1, forecast_replicas=2)
    assert cal.output is None and len(cal.posterior) == 6
    tumen.sensitivity(TOY, samples=2, params=params)
    # A failing command removes its directory too.
    with pytest.raises(tumen.TumenError):
        tumen.calibrate(TOY, until="2030-01-01", params=params, particles=6, generations=1)
    assert list(scratch.iterdir()) == []


def test_calibrate_bad_inputs_raise(params):
    with pytest.raises(tumen.TumenError, match="--until"):
        tumen.calibrate(TOY, until="2030-01-01", params=params, particles=6, generations=1)
    with pytest.raises(ValueError):
        tumen.calibrate(TOY, until=UNTIL, particles=0)


def test_sensitivity_equals_the_commands_sobol_csv(cli, params, tmp_path):
    analysis = tumen.sensitivity(TOY, samples=16, params=params, morris=4, seed=3, jobs=2)
    out = tmp_path / "cli"
    command(cli, "sensitivity", TOY, "--params", params, "--samples", 16, "--morris", 4, "--seed", 3, "-o", out)
    assert_frame_equal(analysis.sobol, pandas.read_csv(out / "sobol.csv"), check_exact=True)
    assert_frame_equal(analysis.morris, pandas.read_csv(out / "morris.csv"), check_exact=True)
    assert list(analysis.sobol.columns) == ["output", "parameter", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]
    assert set(analysis.sobol["parameter"]) == {"move_rules.max_move_speed", "move_rules.camp_weight"}
    assert tumen.sensitivity(TOY, samples=8, params=params).morris is None


def test_sensitivity_releases_the_gil(params):
    """Another Python thread keeps running while the analysis runs."""
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    thread = threading.Thread(target=tick)
    thread.start()
    started = time.perf_counter()
    try:
        tumen.sensitivity(TOY, samples=64, params=params, seed=1, jobs=1)
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        thread.join()
    during = [t for t in ticks if started <= t <= started + elapsed]
    # Holding the GIL would starve the ticker for the whole analysis.
    assert elapsed < 0.05 or len(during) >= 3, f"{len(during)} ticks in {elapsed:.2f} s"
