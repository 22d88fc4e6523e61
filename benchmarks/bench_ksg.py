"""mi_ksg (KSG variant 1, k = 3) against its peers and its previous implementation, one run.

Ratios are peer time / revinfo time (> 1: revinfo is faster), from interleaved rounds (best
of one each; the median and range over rounds are printed), so that load on the machine hits
both sides of a round.

1. 1-D, n = 1e4 and 1e5: scikit-learn's ``mutual_info_regression`` (the same estimator; the
   values agree to ~1e-15 on tie-free data). Goal: ratio >= 1.
2. 5 + 5-D, n = 1e4: benchmark-mi's ``KSGEnsembleFirstEstimator`` at its Chebyshev setting
   (``metric_x = metric_y = "chebyshev"``, one neighbourhood k = 3): the same estimator,
   where the two agree to ~1e-15 (its Euclidean default is another estimator). Goal: >= 10.
   Also the previous implementation (cKDTree kNN + ``query_ball_point(return_length=True)``
   counts, reproduced below): values must be identical (to 1e-12).
3. 5 + 5-D, n = 1e6 (``--n-big``; 0 skips it): revinfo alone. Goal: < 60 s on 2 cores.

benchmark-mi is optional (``pip install --no-deps benchmark-mi`` and its imports; see
benchmarks/README.md); without it part 2 says so and compares with the previous version only.

    python benchmarks/bench_ksg.py [--json] [--rounds 3] [--n-big 1000000] [--workers -1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba
import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import emit, paired_ratio

from revinfo.estimate import mi_ksg

TRUTH_RHO = 0.6


def gaussian_pair(n: int, d: int, rho: float = TRUTH_RHO, seed: int = 0):
    g = np.random.default_rng(seed).standard_normal((n, 2 * d))
    x = g[:, :d]
    return x, rho * x + np.sqrt(1 - rho**2) * g[:, d:]


def previous_ksg1(x: np.ndarray, y: np.ndarray, k: int, workers: int) -> float:
    """The cKDTree implementation mi_ksg had before the compiled tree (tie-free data)."""
    x, y = x / x.std(axis=0), y / y.std(axis=0)
    joint = np.hstack([x, y])
    eps = cKDTree(joint).query(joint, k=k + 1, p=np.inf, workers=workers)[0][:, k]
    r = np.nextafter(eps, 0.0)
    nx, ny = (cKDTree(a).query_ball_point(a, r, p=np.inf, return_length=True,
                                          workers=workers) - 1 for a in (x, y))
    return float(digamma(k) + digamma(len(x)) - np.mean(digamma(nx + 1.0) + digamma(ny + 1.0)))


def compare(out: dict, label: str, ours, peer, peer_name: str, rounds: int) -> None:
    v_ours, v_peer = ours(), peer()  # also compiles / warms up both sides
    r = paired_ratio(ours, peer, rounds=rounds, repeat=1)
    out[f"{label}: revinfo s"] = r["fast s"]
    out[f"{label}: {peer_name} s"] = r["slow s"]
    out[f"{label}: {peer_name} / revinfo, median of {rounds}"] = r["ratio median"]
    out[f"{label}: ratio min..max"] = f"{r['ratio min']:.2f}..{r['ratio max']:.2f}"
    out[f"{label}: |revinfo - {peer_name}|"] = abs(v_ours - v_peer)


def bmi_ksg():
    """benchmark-mi's KSG at the Chebyshev setting, or the reason it cannot be imported."""
    try:
        from bmi.estimators import KSGEnsembleFirstEstimator
    except Exception as err:  # noqa: BLE001 - any import failure means "not available"
        return f"skipped: benchmark-mi (import bmi) unavailable: {type(err).__name__}: {err}"
    return KSGEnsembleFirstEstimator(neighborhoods=(3,), standardize=True,
                                     metric_x="chebyshev", metric_y="chebyshev")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n-big", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=-1)
    a = ap.parse_args()
    w = a.workers
    out: dict = {"numba threads": numba.config.NUMBA_NUM_THREADS, "workers": w,
                 "truth 1-D (nats)": -0.5 * np.log(1 - TRUTH_RHO**2),
                 "truth 5+5-D (nats)": -2.5 * np.log(1 - TRUTH_RHO**2)}
    for n in (10_000, 100_000):
        x, y = gaussian_pair(n, 1)
        compare(out, f"1-D n={n}", lambda x=x, y=y: mi_ksg(x, y, k=3, workers=w).value,
                lambda x=x, y=y: mutual_info_regression(x, y[:, 0], n_neighbors=3,
                                                        random_state=0)[0],
                "sklearn", a.rounds)
    x, y = gaussian_pair(10_000, 5)
    ours = lambda: mi_ksg(x, y, k=3, workers=w).value
    ksg = bmi_ksg()
    if isinstance(ksg, str):
        out["5+5-D n=10000: benchmark-mi"] = ksg
    else:
        compare(out, "5+5-D n=10000 (Chebyshev, goal >= 10)", ours,
                lambda: float(ksg.estimate(x, y)), "benchmark-mi", a.rounds)
    compare(out, "5+5-D n=10000", ours, lambda: previous_ksg1(x, y, 3, w), "previous revinfo",
            a.rounds)
    if a.n_big:
        x, y = gaussian_pair(a.n_big, 5)
        t0 = time.perf_counter()
        v = mi_ksg(x, y, k=3, workers=w).value
        out[f"5+5-D n={a.n_big}: revinfo s (goal < 60 on 2 cores)"] = time.perf_counter() - t0
        out[f"5+5-D n={a.n_big}: revinfo (nats)"] = v
    emit(out, a.json)


if __name__ == "__main__":
    main()
