"""Precision and time of revinfo.exact.mi_noisy (the issue's target: stderr < 0.01 nats up to
d = 64 in under a minute on 2 cores).

    python benchmarks/bench_mi_noisy.py            # table
    python benchmarks/bench_mi_noisy.py --json     # one JSON object per line
    python benchmarks/bench_mi_noisy.py --cases affine:64 --sigmas 0.5 --n 4000 --inner 32

Each row: flow kind and dimension (depth 4, seed 0, standard normal base), sigma, n, inner,
value, stderr, seconds, the inner-draw check and the machine load (1-minute average), since
the timings are only meaningful next to how busy the cores were.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings

import torch

from revinfo import dist, flows
from revinfo.exact import mi_noisy


def run_case(kind: str, d: int, sigma: float, n: int, inner: int, seed: int,
             device: str = "cpu") -> dict:
    flow = flows.build(kind, d, 4, seed=0)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e = mi_noisy(dist.standard_normal(d), flow, sigma, n=n, inner=inner, seed=seed,
                     device=device)
    return {
        "kind": kind, "d": d, "sigma": sigma, "n": n, "inner": inner,
        "value": e.value, "stderr": e.stderr, "seconds": time.perf_counter() - t0,
        "h_z_stderr": e.extra.get("h_z_stderr"), "inner_shift": e.extra.get("inner_shift"),
        "inner_check_ok": e.extra.get("inner_check_ok"),
        "ess_fraction_mean": e.extra.get("ess_fraction_mean"),
        "warned": bool(caught), "load_1min_before": load, "threads": torch.get_num_threads(),
        "device": device,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", nargs="+", default=["spline:2", "spline:8", "affine:64"],
                   help="kind:dim pairs")
    p.add_argument("--sigmas", nargs="+", type=float, default=[0.1, 0.5, 1.0])
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--inner", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="where the nested flow evaluations run")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    if not args.json:
        print(f"{'case':>10} {'sigma':>5} {'n':>6} {'inner':>5} {'value':>10} {'stderr':>8} "
              f"{'seconds':>8} {'check':>5} {'load':>5}")
    for case in args.cases:
        kind, d = case.split(":")
        for sigma in args.sigmas:
            row = run_case(kind, int(d), sigma, args.n, args.inner, args.seed, args.device)
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                print(f"{case:>10} {sigma:5.2f} {row['n']:6d} {row['inner']:5d} "
                      f"{row['value']:10.4f} {row['stderr']:8.4f} {row['seconds']:8.1f} "
                      f"{str(row['inner_check_ok']):>5} {row['load_1min_before']:5.1f}",
                      flush=True)


if __name__ == "__main__":
    main()
