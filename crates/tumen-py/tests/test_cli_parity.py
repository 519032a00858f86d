"""The package's runs equal the command's under the same seed: `out` equals `out.csv` read by
pandas, and every table's bytes are the command's bytes."""

import time

import pandas
import pytest
from pandas.testing import assert_frame_equal

import tumen
from conftest import TOY

# summary.json and run.json carry the wall time, the command line and timestamps.
TIMED = {"summary.json", "run.json"}


def assert_same_files(run, cli_dir, extra=("long.csv",)):
    cli_files = {p.name for p in cli_dir.iterdir() if p.is_file()}
    assert set(run.files) == cli_files | set(extra), "the package and the command wrote different files"
    for name in sorted(cli_files - TIMED):
        assert run.files[name] == (cli_dir / name).read_bytes(), f"{name} differs from the command's"


def check_out(run, cli_dir):
    expected = pandas.read_csv(cli_dir / "out.csv")
    assert_frame_equal(run.out, expected, check_exact=True)
    assert len(run.out) > 0


def test_flagship_seed_1_equals_the_command(run_cli):
    started = time.perf_counter()
    run = tumen.load(None).run(seed=1)
    print(f"flagship run(seed=1): {time.perf_counter() - started:.2f} s")
    cli_dir = run_cli(None, "--seed", 1, "--replicas", 1)
    check_out(run, cli_dir)
    # 1994-2010, every day; the camps' columns (no observed series but Seoul's).
    assert run.out.shape == (6209, 23)
    # Both drew replica 0's parameters from the posterior the flagship ships.
    assert any("drawn from a posterior" in note for note in run.summary["notes"])
    assert_same_files(run, cli_dir)
    # The summary agrees with the command's but for the wall time and the command line.
    ours, theirs = run.summary, __import__("json").loads((cli_dir / "summary.json").read_text())
    for key in ("wall_seconds", "command_line"):
        ours.pop(key), theirs.pop(key)
    assert ours == theirs


def test_flagship_without_its_posterior_equals_the_command(run_cli):
    run = tumen.load(None).run(seed=2, days=365, no_posterior=True)
    cli_dir = run_cli(None, "--seed", 2, "--days", 365, "--replicas", 1, "--no-posterior")
    check_out(run, cli_dir)
    assert not any("drawn from a posterior" in note for note in run.summary["notes"])
    drawn = tumen.load(None).run(seed=2, days=365)
    assert drawn.files["status.csv"] != run.files["status.csv"], "the posterior changed nothing"


def test_mali2012_seed_3_equals_the_command(run_cli, mali):
    started = time.perf_counter()
    run = tumen.load(mali).run(seed=3)
    print(f"mali2012 run(seed=3): {time.perf_counter() - started:.2f} s")
    cli_dir = run_cli(mali, "--seed", 3)
    check_out(run, cli_dir)
    assert run.out.shape[0] == 300
    assert_same_files(run, cli_dir)


def test_toy_escape_seed_3_agents_engine_equals_the_command(run_cli):
    run = tumen.load(TOY).run(seed=3, engine="agents")
    cli_dir = run_cli(TOY, "--seed", 3, "--engine", "agents")
    check_out(run, cli_dir)
    assert_same_files(run, cli_dir)
    assert run.summary["engine"] == "agents"


def test_days_settings_and_seed_change_the_run_as_on_the_command_line(run_cli, mali, tmp_path):
    settings = tmp_path / "simsetting.yml"
    text = (mali / "simsetting.yml").read_text()
    settings.write_text(text.replace("max_move_speed: 400.0", "max_move_speed: 100.0"))
    assert settings.read_text() != text, "the test's edit of the settings did nothing"
    run = tumen.load(mali).run(seed=5, days=40, settings=settings)
    cli_dir = run_cli(mali, "--seed", 5, "--days", 40, "--settings", settings)
    check_out(run, cli_dir)
    assert run.out.shape[0] == 40
    default = tumen.load(mali).run(seed=5, days=40)
    assert not run.out.equals(default.out), "the settings file changed nothing"


def test_replicas_and_quantiles_equal_the_command(run_cli):
    run = tumen.load(TOY).run(seed=2, replicas=4, jobs=2)
    cli_dir = run_cli(TOY, "--seed", 2, "--replicas", 4)
    check_out(run, cli_dir)
    assert_frame_equal(run.quantiles, pandas.read_csv(cli_dir / "quantiles.csv"), check_exact=True)
    assert_frame_equal(run.countries, pandas.read_csv(cli_dir / "countries.csv"), check_exact=True)
    assert_same_files(run, cli_dir)
    ensemble = run.summary["ensemble"]
    assert ensemble["replicas"] == 4 and len(ensemble["per_replica"]) == 4
    # The same seed gives the same output whatever the number of threads.
    one_thread = tumen.load(TOY).run(seed=2, replicas=4, jobs=1)
    assert one_thread.files["quantiles.csv"] == run.files["quantiles.csv"]
    assert one_thread.files["out.csv"] == run.files["out.csv"]


def test_set_overrides_on_the_flagship_equal_the_command(run_cli):
    overrides = {"asylum.channel[0].success": 0.1, "enforcement.trigger.enabled": False}
    run = tumen.load(None).run(seed=4, days=730, set=overrides)
    cli_dir = run_cli(
        None, "--seed", 4, "--days", 730, "--replicas", 1,
        "--set", "asylum.channel[0].success=0.1", "--set", "enforcement.trigger.enabled=false",
    )
    check_out(run, cli_dir)
    assert_frame_equal(run.yearly, pandas.read_csv(cli_dir / "yearly.csv"), check_exact=True)
    assert_same_files(run, cli_dir)
    # The same overrides as "key=value" strings give the same run; without them it differs.
    as_text = tumen.load(None).run(
        seed=4, days=730, set=["asylum.channel[0].success=0.1", "enforcement.trigger.enabled=false"]
    )
    assert as_text.files["status.csv"] == run.files["status.csv"]
    plain = tumen.load(None).run(seed=4, days=730)
    assert plain.files["status.csv"] != run.files["status.csv"], "the overrides changed nothing"
