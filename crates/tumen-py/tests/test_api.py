"""The API around the runs: errors with located diagnostics, the GIL, the tables present or
absent, the summary, lazy imports and the shipped type stubs."""

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

import tumen
from conftest import TOY


def broken_toy(tmp_path: Path) -> Path:
    """toy_escape with a distance that is not a number on line 3 of routes.csv."""
    scenario = tmp_path / "broken"
    shutil.copytree(TOY, scenario)
    routes = scenario / "input_csv" / "routes.csv"
    lines = routes.read_text().splitlines(keepends=True)
    assert lines[2].startswith("Second,Junction,300,")
    lines[2] = lines[2].replace(",300,", ",three hundred,")
    routes.write_text("".join(lines))
    return scenario


def test_bad_scenario_raises_scenario_error_with_the_commands_diagnostics(cli, tmp_path):
    scenario = broken_toy(tmp_path)
    with pytest.raises(tumen.ScenarioError) as caught:
        tumen.load(scenario)
    error = caught.value
    assert isinstance(error, tumen.TumenError)
    errors = [d for d in error.diagnostics if d["severity"] == "error"]
    assert len(errors) == 1, error.diagnostics
    d = errors[0]
    assert (d["file"], d["line"], d["column"]) == ("input_csv/routes.csv", 3, 17)
    assert "three hundred" in d["text"] and "routes.csv:3:17" in d["text"]
    # The same located diagnostics as the command prints.
    result = subprocess.run(
        [str(cli), "run", str(scenario), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, env={**os.environ, "TUMEN_NO_PROGRESS": "1"},
    )
    assert result.returncode == 1
    for diagnostic in error.diagnostics:
        assert diagnostic["text"] in result.stderr, diagnostic["text"]
        assert diagnostic["text"] in str(error)


def test_bad_override_is_located_in_the_override():
    with pytest.raises(tumen.ScenarioError) as caught:
        tumen.load(None).run(days=10, set=["asylum.channel[0].succes=0.5"])
    (d,) = [d for d in caught.value.diagnostics if d["severity"] == "error"]
    assert "succes" in d["message"] or "succes" in d["text"]
    assert d["line"] is not None and d["column"] is not None, d


def test_a_runs_warnings_are_those_of_its_settings(tmp_path):
    settings = tmp_path / "simsetting.yml"
    settings.write_text((TOY / "simsetting.yml").read_text() + "  bogus_rule: 3\n")
    scenario = tumen.load(TOY)
    assert not any("bogus_rule" in w for w in scenario.warnings)
    run = scenario.run(days=5, settings=settings)
    (warning,) = [w for w in run.warnings if "bogus_rule" in w]
    assert f"{settings}:" in warning and warning.startswith("warning:")


def test_missing_directory_and_bad_arguments():
    with pytest.raises(tumen.ScenarioError) as caught:
        tumen.load("/no/such/scenario")
    assert caught.value.diagnostics[0]["file"] == "/no/such/scenario"
    scenario = tumen.load(TOY)
    with pytest.raises(ValueError, match="engine"):
        scenario.run(engine="fast")
    with pytest.raises(ValueError, match="replicas"):
        scenario.run(replicas=0)
    with pytest.raises(tumen.ScenarioError):
        scenario.run(posterior="/no/such/posterior.csv")
    with pytest.raises(TypeError, match="set="):
        scenario.run(set={"a.b": object()})


def test_the_gil_is_released_while_the_engine_runs():
    """A Python thread keeps counting while a flagship run (about 1-3 s) proceeds."""
    scenario = tumen.load(None)
    count = 0
    stop = threading.Event()

    def counter():
        nonlocal count
        while not stop.is_set():
            count += 1

    thread = threading.Thread(target=counter)
    thread.start()
    try:
        # The counter's pace while this thread sleeps (the GIL free), for comparison.
        time.sleep(0.05)
        before, started = count, time.perf_counter()
        time.sleep(0.3)
        rate = (count - before) / (time.perf_counter() - started)
        before, started = count, time.perf_counter()
        scenario.run(seed=1, days=2000, jobs=1)
        elapsed = time.perf_counter() - started
        during = count - before
    finally:
        stop.set()
        thread.join()
    print(
        f"GIL: the counter advanced {during} times during a {elapsed:.2f} s run "
        f"({during / elapsed:.3g}/s; {rate:.3g}/s with the GIL free)"
    )
    assert elapsed > 0.3, "the run was too short to tell"
    # Were the GIL held, the counter would only move in the switch interval (5 ms) before the
    # run took the GIL: about 1 % of its free pace over a second. It keeps at least 10 %.
    assert during > 0.1 * rate * elapsed, (during, rate, elapsed)


def test_tables_present_or_absent():
    flagship = tumen.load(None)
    assert flagship.name == "korea-china" and flagship.has_mechanisms
    assert flagship.path is None and str(flagship.start_date) == "1994-01-01"
    run = flagship.run(seed=1, days=400)
    for table in (run.quantiles, run.countries, run.yearly, run.weekly, run.status, run.targets):
        assert table is not None and len(table) > 0
    assert list(run.yearly.columns[:2]) == ["year", "crossings"]
    toy = tumen.load(TOY)
    assert not toy.has_mechanisms and toy.days == 60
    single = toy.run(seed=1)
    for table in (single.quantiles, single.countries, single.yearly, single.weekly, single.status, single.targets):
        assert table is None
    long = single.locations
    assert len(long) == len(toy.locations) * toy.days
    assert set(long["location"]) == set(toy.locations)
    # The long table's camps hold, every day, the people of out.csv's `<camp> sim` columns;
    # with the people on links, the last day adds up to the summary's population.
    camps = long[long["camp"] == 1].pivot(index="day", columns="location", values="people")
    for camp in camps.columns:
        assert (camps[camp].to_numpy() == single.out[f"{camp} sim"].to_numpy()).all(), camp
    last = long[long["day"] == long["day"].max()]
    on_links = single.table("daily_links")
    assert on_links is not None
    in_transit = on_links.drop(columns=["day", "date"]).iloc[-1].sum()
    assert last["people"].sum() + in_transit == single.summary["agents_final"]


def test_summary_is_a_dict_of_the_run():
    run = tumen.load(TOY).run(seed=7, days=30)
    summary = run.summary
    assert summary["scenario"] == "toy_escape" and summary["seed"] == 7 and summary["days"] == 30
    assert summary["engine"] == "counts" and summary["tool"] == "tumen"
    assert 0 <= summary["validation"]["ard_normal"] <= 1
    record = run.record
    assert record["seed"] == 7 and record["days"] == 30 and record["replicas"] == 1


def test_to_arrow_is_the_long_table():
    import pyarrow

    run = tumen.load(TOY).run(seed=1, days=20)
    table = run.to_arrow()
    assert isinstance(table, pyarrow.Table)
    assert table.num_rows == len(run.locations)
    assert table.column_names == list(run.locations.columns)
    out = run.to_arrow("out").to_pandas()
    out["Date"] = out["Date"].astype(str)
    assert_frame_equal(out, run.out, check_dtype=False)
    with pytest.raises(KeyError):
        run.to_arrow("yearly")


def test_save_writes_the_files(tmp_path):
    run = tumen.load(TOY).run(seed=1, days=10)
    paths = run.save(tmp_path / "run")
    assert sorted(Path(p).name for p in paths) == sorted(run.files)
    assert (tmp_path / "run" / "out.csv").read_bytes() == run.files["out.csv"]


def test_import_does_not_import_pandas():
    code = "import sys, tumen; tumen.load(None); assert 'pandas' not in sys.modules, 'pandas imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_type_stubs_ship_with_the_package():
    package = Path(tumen.__file__).parent
    for name in ("py.typed", "__init__.pyi", "_tumen.pyi"):
        assert (package / name).is_file(), name


def test_a_posterior_draws_each_replicas_parameters(tmp_path):
    posterior = tmp_path / "posterior.csv"
    posterior.write_text(
        "particle,weight,move_rules.max_move_speed,distance\n0,0.5,40,0.1\n1,0.5,400,0.2\n"
    )
    plain = tumen.load(TOY).run(seed=2, replicas=6)
    drawn = tumen.load(TOY).run(seed=2, replicas=6, posterior=posterior)
    assert "seed noise only" in plain.summary["ensemble"]["uncertainty"]
    assert "parameter" in drawn.summary["ensemble"]["uncertainty"]
    # Replica 0 of the plain run has the scenario's own speed, not a posterior draw.
    assert not plain.out.equals(drawn.out) or not plain.quantiles.equals(drawn.quantiles)
