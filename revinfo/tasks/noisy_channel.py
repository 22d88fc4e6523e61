r"""Noisy channels: X ~ N(0, I_d), Y = f(X) + sigma eps, eps ~ N(0, I_d), f an invertible
network (depth 4, seeded from the task name).

The truth is :func:`revinfo.exact.mi_noisy`: I(X;Y) = h(Y) - (d/2) log(2 pi e sigma^2) with
p_Y from the flow's exact density, a nested Monte Carlo with its stderr (computed lazily,
once per process), and the closed form (1/2) log det(I + A A^T / sigma^2) for a linear
flow (Goldfeld et al., ICML 2019, for the quantity).
"""

from __future__ import annotations

import numpy as np

from revinfo.tasks._common import fmt, push, task_seed
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

DEPTH = 4
TRUTH_N = 4000
# (kind, d, sigma). Not here (measured with inner="auto", n = TRUTH_N): leaky-relu d = 4
# (check passes, but stderr 0.014 > 0.01) and d = 8 (reaches max_inner), and affine d = 64 at
# sigma 0.5 (I ~ 52 nats: stderr 0.017 at n = 4000; 0.0095 needs n = 11000, ~20 s).
GRID = (("linear", 8, 0.5), ("orthogonal", 4, 0.5), ("affine", 2, 1.0), ("affine", 2, 0.5),
        ("affine", 2, 0.1), ("affine", 8, 0.5), ("spline", 4, 0.3), ("revnet", 8, 0.5),
        ("additive", 16, 1.0), ("additive", 64, 1.0), ("elementwise", 4, 0.5))
CLOSED_FORM = ("linear", "orthogonal")  # linear flows on a Gaussian base


def name(kind: str, d: int, sigma: float) -> str:
    return f"noisy-{kind}-d{d}-sigma{fmt(sigma)}"


def _tags(kind: str) -> tuple[str, ...]:
    return ("noisy-channel", "flow", kind, "closed-form" if kind in CLOSED_FORM else "monte-carlo")


def noisy_task(kind: str, d: int, sigma: float, truth_n: int = TRUTH_N) -> Task:
    from revinfo import flows

    nm = name(kind, d, sigma)
    f = flows.build(kind, d, DEPTH, seed=task_seed(nm))

    def sampler(n: int, rng: np.random.Generator):
        x = rng.standard_normal((n, d))
        return x, push(f, x) + sigma * rng.standard_normal((n, d))

    def channel(n: int, rng: np.random.Generator):
        return push(f, rng.standard_normal((n, d))), sigma  # the x of sampler's first draw

    def truth():
        from revinfo import dist, exact

        return exact.mi_noisy(dist.standard_normal(d), f, sigma, n=truth_n, seed=task_seed(nm))

    return Task(
        name=nm,
        description=f"X ~ N(0, I_{d}), Y = f(X) + {fmt(sigma)} eps, f a depth-{DEPTH} {kind} "
                    "network",
        dims=(d, d),
        sampler=sampler,
        truth_fn=truth,
        tags=_tags(kind),
        cheap_truth=kind in CLOSED_FORM,
        channel=channel,
    )


for _k, _d, _s in GRID:
    register(name(_k, _d, _s), lambda k=_k, d=_d, s=_s: noisy_task(k, d, s), _tags(_k))
