"""Sobol sensitivity of a Flee scenario to two move rules, with SALib driving Tumen.

SALib draws a Saltelli design over `move_rules.max_move_speed` and `move_rules.camp_weight`;
for every sample this script writes a `simsetting.yml` (the scenario's own, with the two rules
changed), runs the scenario with `tumen` under a fixed seed (common random numbers: the
samples differ only by their rules), and takes the run's ARD against the observed camp
counts (`summary["validation"]["ard_normal"]`, Flee's validation error). SALib's
`sobol.analyze` turns those outputs into first-order and total indices.

    python examples/python/sobol_move_rules.py            # N = 256: 1,024 runs
    python examples/python/sobol_move_rules.py --quick    # N = 32: 128 runs (CI)

Needs: pip install ./crates/tumen-py SALib pyyaml
"""

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from SALib.analyze import sobol
from SALib.sample import sobol as sobol_sample

import tumen

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = {
    "num_vars": 2,
    "names": ["max_move_speed", "camp_weight"],
    "bounds": [[50.0, 400.0], [0.5, 4.0]],
}


def write_settings(base: dict, values, path: Path) -> Path:
    """The scenario's settings with the move rules of PROBLEM set to `values`."""
    settings = {key: dict(value) if isinstance(value, dict) else value for key, value in base.items()}
    rules = settings.setdefault("move_rules", {})
    for name, value in zip(PROBLEM["names"], values):
        rules[name] = float(value)
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small design (N = 32), for CI")
    parser.add_argument("--scenario", default=str(ROOT / "tests" / "scenarios" / "toy_escape"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = 32 if args.quick else 256

    scenario = tumen.load(args.scenario)
    base = yaml.safe_load((Path(args.scenario) / "simsetting.yml").read_text()) or {}
    X = sobol_sample.sample(PROBLEM, n, calc_second_order=False, seed=args.seed)
    Y = np.empty(len(X))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        for i, values in enumerate(X):
            settings = write_settings(base, values, Path(work) / f"simsetting-{i}.yml")
            run = scenario.run(seed=args.seed, settings=settings, jobs=1)
            Y[i] = run.summary["validation"]["ard_normal"]
    elapsed = time.perf_counter() - started
    print(f"{len(X)} runs of {scenario.name} in {elapsed:.1f} s; ARD from {Y.min():.4f} to {Y.max():.4f}")

    si = sobol.analyze(PROBLEM, Y, calc_second_order=False, num_resamples=500, seed=args.seed)
    print(f"{'move rule':16} {'S1':>8} {'±':>7} {'ST':>8} {'±':>7}")
    for i, name in enumerate(PROBLEM["names"]):
        print(f"{name:16} {si['S1'][i]:8.3f} {si['S1_conf'][i]:7.3f} {si['ST'][i]:8.3f} {si['ST_conf'][i]:7.3f}")

    # What must hold whatever the sample size: the rules change the output, and the indices
    # are finite, the total ones non-negative and at least one rule matters.
    problems = []
    if not np.all(np.isfinite(Y)) or np.ptp(Y) <= 0:
        problems.append("the two move rules do not change the ARD")
    for key in ("S1", "ST"):
        if not all(math.isfinite(v) for v in si[key]):
            problems.append(f"{key} is not finite: {si[key]}")
    if max(si["ST"]) <= 0.05:
        problems.append(f"no rule has a total index above 0.05: {si['ST']}")
    for problem in problems:
        print("FAILED:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
