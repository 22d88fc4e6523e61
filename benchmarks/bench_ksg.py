"""mi_ksg vs scikit-learn's mutual_info_regression (KSG variant 1), same data, one run.

Prints the time ratio (sklearn / revinfo; > 1 means revinfo is faster) and both values,
at 1-D n = 1e4 and 1e5; and, if benchmark-mi (`bmi`) is installed, the ratio against its
KSG on 5 + 5 dimensions at n = 5000. `--json` prints one JSON object instead.

    python benchmarks/bench_ksg.py [--json] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from sklearn.feature_selection import mutual_info_regression

from revinfo.estimate import mi_ksg


def best_time(fn, repeats: int) -> tuple[float, float]:
    """(best wall time over repeats, value of the last call)."""
    best, value = float("inf"), float("nan")
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = float(fn())
        best = min(best, time.perf_counter() - t0)
    return best, value


def gaussian_pair(n: int, d: int, rho: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    g = np.random.default_rng(seed).standard_normal((n, 2 * d))
    x = g[:, :d]
    return x, rho * x + np.sqrt(1 - rho**2) * g[:, d:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    out: dict = {"truth_rho": 0.6, "rows": []}
    truth = -0.5 * np.log(1 - 0.36)
    for n in (10_000, 100_000):
        x, y = gaussian_pair(n, 1, 0.6)
        t_ours, v_ours = best_time(lambda: mi_ksg(x, y, k=3).value, args.repeats)
        t_sk, v_sk = best_time(
            lambda: mutual_info_regression(x, y[:, 0], n_neighbors=3, random_state=0)[0],
            args.repeats,
        )
        out["rows"].append({
            "case": f"1-D n={n}", "revinfo_s": t_ours, "sklearn_s": t_sk,
            "speedup_vs_sklearn": t_sk / t_ours, "revinfo": v_ours, "sklearn": v_sk,
            "abs_diff": abs(v_ours - v_sk), "truth": truth,
        })
    try:
        import bmi  # noqa: F401
    except ImportError:
        out["bmi"] = "skipped: benchmark-mi (import bmi) is not installed"
    else:  # pragma: no cover - not installed here
        from bmi.estimators import KSGEnsembleFirstEstimator

        x, y = gaussian_pair(5000, 5, 0.6)
        ksg = KSGEnsembleFirstEstimator(neighborhoods=(3,), standardize=True)
        t_b, v_b = best_time(lambda: ksg.estimate(x, y), args.repeats)
        t_o, v_o = best_time(lambda: mi_ksg(x, y, k=3).value, args.repeats)
        out["bmi"] = {"case": "5+5 n=5000", "revinfo_s": t_o, "bmi_s": t_b,
                      "speedup_vs_bmi": t_b / t_o, "revinfo": v_o, "bmi": v_b}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for r in out["rows"]:
        print(f"{r['case']:>12}: revinfo {r['revinfo_s']:.3f}s  sklearn {r['sklearn_s']:.3f}s  "
              f"sklearn/revinfo = {r['speedup_vs_sklearn']:.2f}x  values {r['revinfo']:.5f} vs "
              f"{r['sklearn']:.5f} (|diff| {r['abs_diff']:.1e}; truth {truth:.5f})")
    print("bmi:", out["bmi"])


if __name__ == "__main__":
    main()
