"""Small timing helpers shared by the benchmarks (best-of-k wall time, paired ratios)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time over ``repeat`` runs, in seconds (best-of filters scheduler noise)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def paired_ratio(fast: Callable[[], object], slow: Callable[[], object], rounds: int = 7,
                 repeat: int = 3) -> dict:
    """slow / fast timed in interleaved rounds (best of ``repeat`` each, per round), so that
    a burst of load hits both sides of a round. Returns the median ratio, its min and max
    over rounds, and each side's best time."""
    pairs = [(best_time(fast, repeat), best_time(slow, repeat)) for _ in range(rounds)]
    ratios = [s / f for f, s in pairs]
    return {"ratio median": statistics.median(ratios), "ratio min": min(ratios),
            "ratio max": max(ratios), "fast s": min(f for f, _ in pairs),
            "slow s": min(s for _, s in pairs), "rounds": rounds}


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM, MB). Unlike ru_maxrss, which a child inherits
    from its parent across exec, VmHWM belongs to the process's own address space."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def emit(results: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(results, indent=2))
        return
    for k, v in results.items():
        print(f"{k:45s} {v:.4g}" if isinstance(v, float) else f"{k:45s} {v}")
