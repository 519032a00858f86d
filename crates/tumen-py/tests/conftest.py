"""Shared fixtures: the repository, the `tumen` command (built by scripts/python-tests with
`cargo build --release`), and runs of it to compare the package with."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TOY = ROOT / "tests" / "scenarios" / "toy_escape"
MALI = ROOT.parent / "shared" / "flee-scenarios" / "mali2012"


@pytest.fixture(scope="session")
def cli() -> Path:
    """The release `tumen` command; its absence is a failure, not a skip."""
    path = Path(os.environ.get("TUMEN_CLI", ROOT / "target" / "release" / "tumen"))
    if not path.is_file():
        pytest.fail(f"no `tumen` command at {path}: run `cargo build --release -p tumen-cli` first")
    return path


@pytest.fixture(scope="session")
def mali() -> Path:
    """Flee's mali2012 validation scenario from ../shared (CI has it): fails loudly without."""
    if not (MALI / "input_csv" / "locations.csv").is_file():
        pytest.fail(f"the Flee scenario mali2012 is missing: expected it in {MALI} (../shared)")
    return MALI


@pytest.fixture
def run_cli(cli, tmp_path):
    """Runs `tumen run [SCENARIO] ARGS -o DIR` and returns DIR."""

    def run(scenario, *args):
        out = tmp_path / f"cli-{len(list(tmp_path.iterdir()))}"
        command = [str(cli), "run"]
        if scenario is not None:
            command.append(str(scenario))
        command += [*map(str, args), "-o", str(out)]
        result = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, "TUMEN_NO_PROGRESS": "1"}
        )
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}"
        return out

    return run
