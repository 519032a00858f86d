"""`tumen.compare` equals the command's `tumen compare` under the same seed: the same paired
differences (`comparison.csv`) and the same tables per run, for variants given as a dict or
as the command's texts, and for the scenario's default variants; bad variants are errors."""

import os
import subprocess

import pandas
import pytest
from pandas.testing import assert_frame_equal

import tumen
from conftest import ROOT, TOY

EXAMPLE = ROOT / "examples" / "hidden-border"


def command(cli, out, *args):
    result = subprocess.run(
        [str(cli), "compare", str(EXAMPLE), *map(str, args), "-o", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "TUMEN_NO_PROGRESS": "1"},
    )
    assert result.returncode == 0, f"tumen compare failed:\n{result.stderr}"
    return result.stdout


def same_as_command(result, out):
    assert_frame_equal(result.comparison, pandas.read_csv(out / "comparison.csv", dtype={"year": str}), check_exact=True)
    for run in result.runs:
        for name, tables in (("yearly.csv", result.yearly), ("status.csv", result.status)):
            assert_frame_equal(tables[run], pandas.read_csv(out / run / name), check_exact=True)


def test_compare_with_a_dict_equals_the_command(cli, tmp_path):
    result = tumen.compare(
        EXAMPLE,
        variants={
            "slower-sweeps": {"enforcement.travelling_multiplier": 1.5},
            "no-trigger": ["enforcement.trigger.enabled=false"],
        },
        replicas=4,
        seed=7,
        jobs=2,
    )
    out = tmp_path / "cli"
    command(
        cli, out, "--replicas", 4, "--seed", 7, "--jobs", 1,
        "--variant", "slower-sweeps:enforcement.travelling_multiplier=1.5",
        "--variant", "no-trigger:enforcement.trigger.enabled=false",
    )
    assert result.runs == ["baseline", "slower-sweeps", "no-trigger"]
    assert set(result.comparison["variant"]) == {"slower-sweeps", "no-trigger"}
    same_as_command(result, out)
    # The variant changes the run: some difference is not zero.
    assert (result.comparison["difference"] != 0).any()
    assert result.output is None and "slower-sweeps" in result.summary


def test_default_variants_and_kept_output_equal_the_command(cli, tmp_path):
    kept = tmp_path / "kept"
    result = tumen.compare(EXAMPLE, replicas=3, seed=2, days=400, output=kept)
    out = tmp_path / "cli"
    command(cli, out, "--replicas", 3, "--seed", 2, "--days", 400)
    assert result.runs == ["baseline", "no-trigger", "no-incidents"]
    same_as_command(result, out)
    assert result.output == os.fspath(kept)
    assert (kept / "comparison.csv").read_bytes() == (out / "comparison.csv").read_bytes()


def test_bad_variants_are_errors():
    with pytest.raises(ValueError, match="NAME:KEY=VALUE"):
        tumen.compare(EXAMPLE, variants=["no-colon"], replicas=1)
    with pytest.raises(ValueError, match="baseline"):
        tumen.compare(EXAMPLE, variants={"baseline": {"enforcement.travelling_multiplier": 2}}, replicas=1)
    with pytest.raises(TypeError):
        tumen.compare(EXAMPLE, variants="x:a=b", replicas=1)
    with pytest.raises(tumen.ScenarioError) as error:
        tumen.compare(EXAMPLE, variants={"typo": {"enforcement.travelling_multiplyer": 2}}, replicas=1)
    assert "travelling_multiplyer" in str(error.value)
    # A Flee scenario has no policy to compare.
    with pytest.raises(tumen.TumenError, match="no mechanisms"):
        tumen.compare(TOY, replicas=1)
