"""Task families. Placeholder with one closed-form Gaussian pair; the full registry is
built in the tasks issue."""

from __future__ import annotations

import math

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register


def _gaussian_pair_1d(rho: float) -> Task:
    def sampler(n: int, rng: np.random.Generator):
        x = rng.standard_normal(n)
        y = rho * x + math.sqrt(1 - rho**2) * rng.standard_normal(n)
        return x[:, None], y[:, None]

    return Task(
        name=f"gaussian-1d-rho{rho}",
        description=f"1-D Gaussian pair, correlation {rho}",
        dims=(1, 1),
        sampler=sampler,
        truth_fn=lambda: Estimate(-0.5 * math.log(1 - rho**2), None, "closed-form gaussian"),
        tags=("gaussian",),
    )


for _rho in (0.5, 0.9):
    register(f"gaussian-1d-rho{_rho}", lambda r=_rho: _gaussian_pair_1d(r))
