"""Precision and time of revinfo.exact.mi_noisy_empirical on all of scikit-learn's digits
(N = 1797, d = 64; the data ship with scikit-learn, nothing is downloaded). Goal: stderr < 0.01
nats in under 30 s on 2 cores, at every sigma (the hardest is where I is mid-range).

    python benchmarks/bench_mi_noisy_empirical.py             # sigmas 1, 4, 8, 16 (pixel units)
    python benchmarks/bench_mi_noisy_empirical.py --json
    python benchmarks/bench_mi_noisy_empirical.py --labels    # I(Y; T + sigma eps) too
    python benchmarks/bench_mi_noisy_empirical.py --large     # N = 10^4 synthetic, peak memory

Each row: sigma, value, stderr, seconds, the ratios stderr / 0.01 and seconds / 30 (both <= 1
meets the goal), and the 1-minute load average before the run (timings on a shared machine
are only meaningful next to it).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch
from _util import peak_rss_mb

from revinfo.exact import mi_noisy_empirical

GOAL_STDERR = 0.01
GOAL_SECONDS = 30.0


def _row(t, sigma, labels, n_draws, seed, device) -> dict:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    e = mi_noisy_empirical(t, sigma, labels, n_draws=n_draws, seed=seed, device=device)
    seconds = time.perf_counter() - t0
    return {"n": t.shape[0], "d": t.shape[1], "sigma": sigma, "labels": labels is not None,
            "value": e.value, "stderr": e.stderr, "seconds": seconds,
            "stderr / goal": e.stderr / GOAL_STDERR, "seconds / goal": seconds / GOAL_SECONDS,
            "draws_per_row": e.extra["draws_per_row"], "load_1min_before": load,
            "threads": torch.get_num_threads(), "device": device}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sigmas", nargs="+", type=float, default=[1.0, 4.0, 8.0, 16.0])
    p.add_argument("--n-draws", type=int, default=2**16)
    p.add_argument("--labels", action="store_true", help="also I(Y; T + sigma eps)")
    p.add_argument("--large", action="store_true", help="N = 10^4, d = 64 synthetic rows")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.large:
        x = np.random.default_rng(0).normal(size=(10_000, 64))
        y = np.arange(10_000) % 10
    else:
        from sklearn.datasets import load_digits

        x, y = load_digits(return_X_y=True)
    for sigma in args.sigmas:
        for labels in ([None, y] if args.labels else [None]):
            row = _row(x, sigma, labels, args.n_draws, args.seed, args.device)
            row["peak_rss_mb"] = peak_rss_mb()
            if args.json:
                print(json.dumps(row))
            else:
                print("  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                for k, v in row.items()))


if __name__ == "__main__":
    main()
