r"""Weight-noise channels (the "information in the weights" view of Achille, Paolini &
Soatto 2019): X ~ N(0, I_d), Z = g((W + Delta) X) with Delta_ij ~ N(0, s^2) drawn afresh
for every sample, W a fixed d x d matrix (entries N(0, 1/d), fixed by the task name) and g
an invertible depth-2 affine-coupling network.

Sampling uses Delta x ~ N(0, s^2 |x|^2 I_d) given x (the rows of Delta are iid
N(0, s^2 I)), which is the same law as forming W + Delta. The truth is
:func:`revinfo.exact.mi_weight_noise` (nested Monte Carlo with stderr; g drops out since it
is a bijection after the noise). The sweep over s from large to small shows I(X;Z) rising
from near 0 toward the deterministic +inf (s = 0).
"""

from __future__ import annotations

import math

import numpy as np

from revinfo.tasks._common import fmt, push, task_seed
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

D = 4
DEPTH = 2
TRUTH_N = 20_000
SCALES = (1.0, 0.3, 0.1, 0.03, 0.01, 0.0)


def name(d: int, s: float) -> str:
    return f"weight-noise-d{d}-s{fmt(s)}"


def weight(d: int) -> np.ndarray:
    rng = np.random.default_rng(task_seed(f"weight-noise-d{d}"))
    return rng.standard_normal((d, d)) / math.sqrt(d)


def _tags(s: float) -> tuple[str, ...]:
    return ("weight-noise", "flow", "infinite" if s == 0 else "monte-carlo")


def weight_noise_task(d: int, s: float, truth_n: int = TRUTH_N) -> Task:
    from revinfo import flows

    w = weight(d)
    g = flows.build("affine", d, DEPTH, seed=task_seed(f"weight-noise-d{d}"))

    def sampler(n: int, rng: np.random.Generator):
        x = rng.standard_normal((n, d))
        noise = rng.standard_normal((n, d)) * (s * np.linalg.norm(x, axis=1, keepdims=True))
        return x, push(g, x @ w.T + noise)

    def truth():
        from revinfo import dist, exact

        return exact.mi_weight_noise(dist.standard_normal(d), w, s, flow=g, n=truth_n,
                                     seed=task_seed(name(d, s)))

    return Task(
        name=name(d, s),
        description=f"X ~ N(0, I_{d}), Z = g((W + Delta) X), Delta_ij ~ N(0, {fmt(s)}^2), "
                    f"g a depth-{DEPTH} affine network",
        dims=(d, d), sampler=sampler, truth_fn=truth, tags=_tags(s), cheap_truth=s == 0,
    )


for _s in SCALES:
    register(name(D, _s), lambda s=_s: weight_noise_task(D, s), _tags(_s))
