"""cmi_ksg and transfer_entropy vs infomeasure's KSG (same data, same definition), and the
speed goal: cmi_ksg on 3+3+3 dimensions at n = 1e5 in under 10 s on 2 cores.

Prints, per case, both wall times (best of --repeats), the ratio infomeasure / revinfo
(> 1: revinfo is faster), both values and their difference (they agree to rounding: same
estimator, ``noise_level=0``, ``standardize=False``). revinfo runs with ``workers=1`` and
``workers=2``; infomeasure's KD-tree queries are single-threaded. Without infomeasure the
peer columns are skipped. `--json` prints one JSON object.

    python benchmarks/bench_cmi.py [--json] [--repeats 1] [--n 100000]
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
from _util import best_time

from revinfo import exact
from revinfo.estimate import cmi_ksg, transfer_entropy

GOAL_S = 10.0


def timed(fn, repeats: int) -> tuple[float, float]:
    """(best wall time over repeats, the value)."""
    out: list[float] = []
    seconds = best_time(lambda: out.append(float(fn())), repeats)
    return seconds, out[-1]


def triple(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """3+3+3-D Gaussian triple, X = Z + a, Y = 0.5 X + Z + b (a, b, Z standard normal)."""
    g = np.random.default_rng(seed).standard_normal((n, 9))
    z = g[:, 6:]
    x = z + g[:, :3]
    return x, 0.5 * x + z + g[:, 3:6], z


def peer():
    try:
        import infomeasure
    except ImportError:
        return None
    return infomeasure


def cmi_case(n: int, repeats: int, im) -> dict:
    x, y, z = triple(n)
    row: dict = {"case": f"cmi 3+3+3 n={n}"}
    for w in (1, 2):
        row[f"revinfo_w{w}_s"], row["revinfo"] = timed(
            lambda w=w: cmi_ksg(x, y, z, k=3, standardize=False, workers=w).value, repeats)
    if im is not None:
        row["infomeasure_s"], row["infomeasure"] = timed(
            lambda: im.cmi(x, y, cond=z, approach="ksg", k=3, noise_level=0, base="e"),
            repeats)
        row["ratio_peer_over_revinfo_w1"] = row["infomeasure_s"] / row["revinfo_w1_s"]
        row["abs_diff"] = abs(row["revinfo"] - row["infomeasure"])
    return row


def te_case(n: int, repeats: int, im) -> dict:
    s = exact.sample_var([[0.7, 0.0], [0.8, 0.5]], np.eye(2), n, seed=0)
    row: dict = {"case": f"te 1-D k=l=1 n={n}"}
    row["revinfo_w1_s"], row["revinfo"] = timed(
        lambda: transfer_entropy(s[:, 0], s[:, 1], neighbours=4, standardize=False).value,
        repeats)
    if im is not None:
        row["infomeasure_s"], row["infomeasure"] = timed(
            lambda: im.te(s[:, 0], s[:, 1], approach="ksg", k=4, noise_level=0, base="e"),
            repeats)
        row["ratio_peer_over_revinfo_w1"] = row["infomeasure_s"] / row["revinfo_w1_s"]
        row["abs_diff"] = abs(row["revinfo"] - row["infomeasure"])
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--n", type=int, default=100_000, help="samples of the goal case")
    args = ap.parse_args()
    im = peer()
    rows = [cmi_case(10_000, args.repeats, im), te_case(100_000, args.repeats, im),
            cmi_case(args.n, args.repeats, im)]
    goal = rows[-1]["revinfo_w2_s"]
    out = {"cores": os.cpu_count(), "load_1min": os.getloadavg()[0], "rows": rows,
           "peer": "infomeasure " + im.__version__ if im else "skipped: infomeasure missing",
           "goal": f"cmi_ksg 3+3+3 n={args.n}, 2 workers: {goal:.1f} s (goal < {GOAL_S:g} s "
                   f"at n=100000): {'met' if goal < GOAL_S else 'NOT met'}"}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{out['peer']}; {out['cores']} cores, load {out['load_1min']:.1f}")
    for r in rows:
        parts = [f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()]
        print("  ".join(parts))
    print(out["goal"])


if __name__ == "__main__":
    main()
