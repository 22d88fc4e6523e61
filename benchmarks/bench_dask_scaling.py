"""Dask scaling of a CPU-bound calibration sweep: 2 worker processes vs 1.

Runs the same sweep (default: ``mi_ksg`` on a 2+2-dimensional Gaussian pair at n = 20,000,
16 seeds, about a second per cell) on a Dask ``LocalCluster`` with 1 and then 2
single-threaded worker processes, joined through ``address=`` so that cluster start-up is
not timed, and prints the wall times and their ratio (goal >= 1.7x on 2 free cores). The
two runs are also checked to give identical numbers.

    PYTHONPATH=. python benchmarks/bench_dask_scaling.py [--n 20000] [--cells 16] [--dim 2] [--json]

(``PYTHONPATH=.`` unless revinfo is installed.)

On a shared machine the ratio is only as good as the cores that are free: the load
average before and after is printed with the result.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

from revinfo import calibrate
from revinfo.result import Estimate
from revinfo.tasks import Task


def gaussian_pair(dim: int, rho: float = 0.6) -> Task:
    def sampler(n, rng):
        x = rng.standard_normal((n, dim))
        return x, rho * x + math.sqrt(1 - rho**2) * rng.standard_normal((n, dim))

    truth = -0.5 * dim * math.log(1 - rho**2)
    return Task(f"bench-gauss-{dim}d", f"{dim} Gaussian pairs, rho={rho}", (dim, dim), sampler,
                lambda: Estimate(truth, None, "closed-form"))  # fmt: skip


def numpy_burn(x, y):
    """A pure-NumPy CPU-bound stand-in (pairwise distances in blocks), if mi_ksg is absent."""
    z = np.hstack([x, y])[:4000]
    total = 0.0
    for i in range(0, len(z), 500):
        d = ((z[i : i + 500, None, :] - z[None, :, :]) ** 2).sum(-1)
        total += float(np.log1p(d).mean())
    return total


def timed_sweep(workers: int, args: argparse.Namespace, estimator, task) -> tuple[float, object]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        with Client(cluster) as client:  # warm the workers: imports, not timed
            client.run(lambda: __import__("revinfo.calibrate.cells"))
            calibrate.run([estimator], [task], [50], workers, backend="dask",
                          address=cluster.scheduler_address, progress=False)  # fmt: skip
            t0 = time.perf_counter()
            df = calibrate.run([estimator], [task], [args.n], args.cells, backend="dask",
                               address=cluster.scheduler_address, progress=False)  # fmt: skip
            return time.perf_counter() - t0, df


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="samples per cell")
    ap.add_argument("--cells", type=int, default=16, help="cells (seeds) in the sweep")
    ap.add_argument("--dim", type=int, default=2, help="dimension of X and of Y")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    try:
        from revinfo.estimate import mi_ksg  # noqa: F401

        estimator = "mi_ksg"
    except ImportError:
        estimator = numpy_burn
    task = gaussian_pair(args.dim)
    load_before = os.getloadavg()
    t1, df1 = timed_sweep(1, args, estimator, task)
    t2, df2 = timed_sweep(2, args, estimator, task)
    load_after = os.getloadavg()
    cols = [c for c in df1.columns if c != "seconds"]
    result = {
        "estimator": estimator if isinstance(estimator, str) else estimator.__name__,
        "n": args.n,
        "cells": args.cells,
        "dim": args.dim,
        "seconds_1_worker": round(t1, 3),
        "seconds_2_workers": round(t2, 3),
        "speedup": round(t1 / t2, 3),
        "mean_cell_seconds": round(float(df1["seconds"].mean()), 3),
        "identical_numbers": bool(df1[cols].equals(df2[cols])),
        "cpu_count": os.cpu_count(),
        "loadavg_before": [round(v, 2) for v in load_before],
        "loadavg_after": [round(v, 2) for v in load_after],
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['estimator']} n={args.n} dim={args.dim}+{args.dim}, {args.cells} cells "
              f"(~{result['mean_cell_seconds']} s each)")  # fmt: skip
        print(f"1 worker : {t1:7.2f} s")
        print(f"2 workers: {t2:7.2f} s")
        print(f"speedup  : {t1 / t2:.2f}x (goal >= 1.7x); identical numbers: "
              f"{result['identical_numbers']}")  # fmt: skip
        print(f"load average before {result['loadavg_before']}, after {result['loadavg_after']} "
              f"on {os.cpu_count()} cores")  # fmt: skip
    return result


if __name__ == "__main__":
    main()
    sys.exit(0)
