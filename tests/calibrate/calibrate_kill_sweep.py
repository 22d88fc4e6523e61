"""A sweep run as a script (the store tests kill it with SIGKILL part-way).

Usage: python calibrate_kill_sweep.py STORE [WORKERS]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from calibrate_helpers import make_noisy_mi  # noqa: E402

from revinfo import calibrate  # noqa: E402

TASKS = ["gaussian-1d-rho0.5", "gaussian-1d-rho0.9"]
NS = [60, 120]
SEEDS = 12


def estimators(delay: float):
    return ["mi_gaussian", make_noisy_mi(delay)]


def sweep(store=None, workers=1, delay=0.0):
    return calibrate.run(estimators(delay), TASKS, NS, SEEDS, store=store, workers=workers,
                         progress=False)  # fmt: skip


if __name__ == "__main__":
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    sweep(sys.argv[1], workers=workers, delay=0.05)
    print("finished")
