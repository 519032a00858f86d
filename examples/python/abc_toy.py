"""Approximate Bayesian computation with pyABC, Tumen as the simulator.

A synthetic-truth check on the toy Flee scenario `tests/scenarios/toy_escape`: the "observed"
camp counts are a Tumen run with `move_rules.max_move_speed` = 200 km/day (seed 1); pyABC's
ABC-SMC then infers `max_move_speed` from them, with a uniform prior on [20, 400], a small
population, and a distance that is the root mean square of the camps' daily differences
relative to their size. Every model evaluation writes a `simsetting.yml` with the proposed
speed and runs Tumen under a fresh seed (drawn from NumPy's seeded generator, so the whole
inference is reproducible).

The posterior must be less than half as wide as the prior and centred near the true speed.

    python examples/python/abc_toy.py            # population 100, 6 generations
    python examples/python/abc_toy.py --quick    # population 24, 3 generations (CI)

Needs: pip install ./crates/tumen-py pyabc pyyaml
"""

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyabc
import yaml

import tumen

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenarios" / "toy_escape"
TRUE_SPEED = 200.0
PRIOR = (20.0, 400.0)


class Model:
    """Tumen on the toy scenario as a pyABC model: parameters in, camp series out."""

    def __init__(self, work: Path, seed: int) -> None:
        self.scenario = tumen.load(SCENARIO)
        self.base = yaml.safe_load((SCENARIO / "simsetting.yml").read_text())
        self.work = work
        self.rng = np.random.default_rng(seed)
        self.runs = 0

    def simulate(self, speed: float, seed: int) -> dict:
        settings = dict(self.base)
        settings["move_rules"] = {**self.base.get("move_rules", {}), "max_move_speed": float(speed)}
        path = self.work / f"simsetting-{self.runs}.yml"
        path.write_text(yaml.safe_dump(settings))
        self.runs += 1
        out = self.scenario.run(seed=seed, settings=path, jobs=1).out
        camps = [column for column in out.columns if column.endswith(" sim")]
        path.unlink()
        return {"camps": out[camps].to_numpy(dtype=float)}

    def __call__(self, parameter) -> dict:
        return self.simulate(parameter["max_move_speed"], int(self.rng.integers(1, 2**63)))


def distance(simulated: dict, observed: dict) -> float:
    scale = np.maximum(observed["camps"].max(axis=0), 1.0)
    return float(np.sqrt(np.mean(((simulated["camps"] - observed["camps"]) / scale) ** 2)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small population, few generations (CI)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    population, generations = (24, 3) if args.quick else (100, 6)
    np.random.seed(args.seed)  # pyABC draws from NumPy's global generator
    logging.getLogger("ABC").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as work:
        model = Model(Path(work), args.seed)
        observed = model.simulate(TRUE_SPEED, seed=1)
        prior = pyabc.Distribution(max_move_speed=pyabc.RV("uniform", PRIOR[0], PRIOR[1] - PRIOR[0]))
        abc = pyabc.ABCSMC(
            model, prior, distance, population_size=population, sampler=pyabc.sampler.SingleCoreSampler()
        )
        abc.new("sqlite:///" + os.path.join(work, "abc.db"), observed)
        started = time.perf_counter()
        history = abc.run(max_nr_populations=generations)
        elapsed = time.perf_counter() - started
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        done = history.max_t + 1
    speeds = frame["max_move_speed"].to_numpy()
    mean = float(np.sum(weights * speeds))
    std = float(np.sqrt(np.sum(weights * (speeds - mean) ** 2)))
    low, high = np.quantile(speeds, [0.05, 0.95])
    prior_std = (PRIOR[1] - PRIOR[0]) / np.sqrt(12)
    print(
        f"pyABC: {done} generations of {population} particles, {model.runs} Tumen runs "
        f"in {elapsed:.1f} s"
    )
    print(
        f"max_move_speed: true {TRUE_SPEED:.0f}, posterior mean {mean:.1f}, sd {std:.1f} "
        f"(prior sd {prior_std:.1f}), 5-95 % of particles [{low:.1f}, {high:.1f}]"
    )
    problems = []
    if not std < 0.5 * prior_std:
        problems.append(f"the posterior (sd {std:.1f}) is not narrower than half the prior's ({prior_std:.1f})")
    if not abs(mean - TRUE_SPEED) < 2 * std + 20:
        problems.append(f"the posterior mean {mean:.1f} is far from the true speed {TRUE_SPEED}")
    for problem in problems:
        print("FAILED:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
