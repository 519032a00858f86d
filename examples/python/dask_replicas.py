"""Replicas of a Tumen run mapped over a `dask.distributed` `LocalCluster`.

Each Dask task runs one replica, `scenario.run(seed=tumen.replica_seed(SEED, i))`, which is
exactly replica i of Tumen's own ensemble `scenario.run(seed=SEED, replicas=N)`; the script
gathers the replicas' daily people per location, computes the ensemble's bands (mean and
5/25/50/75/95 % quantiles, linear interpolation between order statistics, rounded to whole
people as quantiles.csv writes them) with NumPy, and
checks them against Tumen's own `quantiles.csv` for the same seed, and each replica's ARD
against Tumen's `summary["ensemble"]["per_replica"]`. The same pattern spreads replicas over
any Dask cluster (SLURM, Kubernetes, ...): the workers only need `pip install tumen`.

The runs use the scenario's own values (`no_posterior=True`): seed noise only. With the
posterior the flagship ships, replica i's parameters are the i-th of N draws made from the
seed, so a single run with replica i's seed does not draw the same ones; fanning out a
posterior ensemble needs the draws passed to each task (or `tumen run --shard`, or MPI).

    python examples/python/dask_replicas.py            # the flagship, 20 replicas, every day
    python examples/python/dask_replicas.py --quick    # 4 replicas of 365 days (CI)

Needs: pip install ./crates/tumen-py "dask[distributed]"
"""

import argparse
import sys
import time

import numpy as np
from dask.distributed import Client, LocalCluster

import tumen

QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]


def run_replica(path, seed, days):
    """One replica, on a Dask worker: its seed, ARD and people per (day, location)."""
    run = tumen.load(path).run(seed=seed, days=days, jobs=1, no_posterior=True)
    long = run.locations
    people = long.pivot(index="day", columns="location", values="people")
    return seed, run.summary["validation"]["ard_normal"], list(people.columns), people.to_numpy()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 replicas of 365 days (CI)")
    parser.add_argument("--scenario", default=None, help="a scenario directory (default: the flagship)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    replicas, days = (4, 365) if args.quick else (20, None)

    seeds = [tumen.replica_seed(args.seed, i) for i in range(replicas)]
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            started = time.perf_counter()
            futures = client.map(run_replica, [args.scenario] * replicas, seeds, [days] * replicas, pure=False)
            results = client.gather(futures)
            elapsed = time.perf_counter() - started
    print(f"{replicas} replicas on {args.workers} Dask workers in {elapsed:.1f} s")

    # Tumen's own ensemble with the same seed, to check the fan-out against.
    ensemble = tumen.load(args.scenario).run(
        seed=args.seed, replicas=replicas, days=days, no_posterior=True
    )
    per_replica = ensemble.summary["ensemble"]["per_replica"]
    problems = []
    for (seed, ard, _, _), ours in zip(results, per_replica):
        if seed != ours["seed"] or ard != ours["ard_normal"]:
            problems.append(f"replica seed {seed}: ARD {ard} on Dask, {ours['ard_normal']} in the ensemble")
    locations = results[0][2]
    stack = np.stack([people for _, _, _, people in results])  # replica, day, location
    mean = stack.mean(axis=0)
    # quantiles.csv rounds the quantiles of counts to integers, halves away from zero (people
    # are counted in whole numbers), and writes the mean with three decimals.
    bands = np.floor(np.quantile(stack, QUANTILES, axis=0) + 0.5)  # quantile, day, location
    expected = ensemble.quantiles
    column = {name: i for i, name in enumerate(locations)}
    rows = expected.to_numpy()
    day_index = expected["day"].to_numpy()
    location_index = expected["location"].map(column).to_numpy()
    ours = np.column_stack(
        [mean[day_index, location_index]] + [bands[q, day_index, location_index] for q in range(len(QUANTILES))]
    )
    theirs = expected[["mean", "p05", "p25", "p50", "p75", "p95"]].to_numpy(dtype=float)
    worst = float(np.max(np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs))))
    if worst > 5e-4:
        problems.append(f"the Dask bands differ from quantiles.csv by up to {worst:.3g} (relative)")
    print(
        f"{len(rows)} band rows of {ensemble.summary['scenario']} agree with Tumen's quantiles.csv "
        f"(largest relative difference {worst:.2g}); the {replicas} replicas' ARDs equal the ensemble's"
        if not problems
        else "the Dask replicas do not reproduce Tumen's ensemble"
    )
    last = stack[:, -1, :].sum(axis=1)
    print(f"people at locations on the last day, per replica: {last.tolist()}")
    for problem in problems:
        print("FAILED:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
