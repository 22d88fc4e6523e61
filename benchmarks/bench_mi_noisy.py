"""Precision and time of revinfo.exact.mi_noisy (the issue's target: stderr < 0.01 nats up to
d = 64 in under a minute on 2 cores).

    python benchmarks/bench_mi_noisy.py            # the default runs, inner="auto"
    python benchmarks/bench_mi_noisy.py --json     # one JSON object per line
    python benchmarks/bench_mi_noisy.py --runs affine:64:0.5 --inner 64 auto
    python benchmarks/bench_mi_noisy.py --cases spline:2 affine:64 --sigmas 0.1 0.5 1.0

Each row: flow kind and dimension (depth 4, seed 0, standard normal base), sigma, n, inner
("auto" or a fixed count), the inner draws per point used (mean and max) and the doubling
rounds, value, stderr, seconds, the inner-draw check (its z) and the machine load (1-minute
average), since the timings are only meaningful next to how busy the cores were.

Measured 2026-11-28 (--threads 2, 2-core box, load 0.9-1.8), affine:64, inner "auto":
sigma 1.0, n 16000: 23.1567 +- 0.0096 in 49.3 s (seed 0) and 23.1539 +- 0.0096 in 56.1 s
(seed 1), K mean about 300, 3 rounds; sigma 0.5, n 11000: 51.7220 +- 0.0095 in 20.8 s; sigma
0.1, n 1000: 146.5669 +- 0.0066 in 1.9 s; spline:8 sigma 0.1, n 1000: 18.2132 +- 0.0130 in
1.6 s. (Before the float32 Jacobians, numpy normals and GEMM draws of this session: 94 s and
43 s for the first two.) With --threads 2 while another process held one core, runs took up
to 40x longer (thread oversubscription): use --threads 1 on a busy box.
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


def run_case(kind: str, d: int, sigma: float, n: int, inner, seed: int,
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
        "inner_check_ok": e.extra.get("inner_check_ok"), "inner_z": e.extra.get("inner_z"),
        "inner_mean": e.extra.get("inner_mean"), "inner_max": e.extra.get("inner_max"),
        "inner_rounds": len(e.extra.get("inner_path", [])),
        "inner_draws_total": e.extra.get("inner_draws_total"),
        "ess_fraction_mean": e.extra.get("ess_fraction_mean"),
        "proposal_third": e.extra.get("proposal_third"),
        "warned": bool(caught), "load_1min_before": load, "threads": torch.get_num_threads(),
        "device": device,
    }


def _inner(v: str):
    return v if v == "auto" else int(v)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", nargs="+", default=["affine:64:0.5", "affine:64:1.0", "spline:8:0.1"],
                   help="kind:dim:sigma triples (ignored when --cases is given)")
    p.add_argument("--cases", nargs="+", help="kind:dim pairs, each run at every --sigmas")
    p.add_argument("--sigmas", nargs="+", type=float, default=[0.1, 0.5, 1.0])
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--inner", nargs="+", type=_inner, default=["auto"],
                   help='"auto" and/or fixed even counts; each run once per value')
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="where the nested flow evaluations run")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.cases:
        runs = [(c, s) for c in args.cases for s in args.sigmas]
    else:
        runs = [(r.rsplit(":", 1)[0], float(r.rsplit(":", 1)[1])) for r in args.runs]
    if not args.json:
        print(f"{'case':>10} {'sigma':>5} {'n':>6} {'inner':>5} {'K mean':>7} {'K max':>5} "
              f"{'rounds':>6} {'value':>10} {'stderr':>8} {'seconds':>8} {'check':>5} "
              f"{'z':>6} {'load':>5}")
    for case, sigma in runs:
        kind, d = case.split(":")
        for inner in args.inner:
            row = run_case(kind, int(d), sigma, args.n, inner, args.seed, args.device)
            if args.json:
                print(json.dumps(row), flush=True)
                continue
            print(f"{case:>10} {sigma:5.2f} {row['n']:6d} {str(row['inner']):>5} "
                  f"{row['inner_mean'] or 0:7.1f} {row['inner_max'] or 0:5d} "
                  f"{row['inner_rounds']:6d} {row['value']:10.4f} {row['stderr']:8.4f} "
                  f"{row['seconds']:8.1f} {str(row['inner_check_ok']):>5} "
                  f"{row['inner_z'] or 0:6.2f} {row['load_1min_before']:5.1f}", flush=True)


if __name__ == "__main__":
    main()
