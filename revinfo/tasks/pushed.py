r"""Tasks pushed through bijections, X -> f(X), Y -> g(Y), and the Student-t pushes.

For bijections f, g with differentiable inverses, :math:`I(f(X); g(Y)) = I(X; Y)` and,
with :math:`x_0 = f^{-1}(x)`, :math:`y_0 = g^{-1}(y)`, the Jacobian factors of
:math:`p(x, y)`, :math:`p(x)` and :math:`p(y)` cancel, so the pointwise MI of the pushed pair
at (x, y) is the base pair's at :math:`(x_0, y_0)` (Czyż et al., "Beyond Normal", NeurIPS
2023, build benchmark-mi on the first fact). :func:`push_task` makes such a task from any
base task; :mod:`revinfo.tasks.transformed` does the same for the Gaussian pairs.

Registered here: multivariate Student-t pairs (:mod:`revinfo.tasks.heavy_tail`) pushed
through asinh (benchmark-mi's "asinh @ Student-t", which lightens the tails), half-cube
and separately seeded depth-4 affine and spline networks:
``student-t-d2-df3-rho0.8+asinh``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks import heavy_tail
from revinfo.tasks._common import pull, push, task_seed
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

DEPTH = 4
FIXED = ("asinh", "half-cube")
# (d, df, rho, map)
STUDENT_GRID = ((1, 1.0, 0.0, "asinh"), (2, 3.0, 0.8, "asinh"), (5, 3.0, 0.5, "asinh"),
                (2, 3.0, 0.8, "half-cube"), (2, 3.0, 0.8, "affine"), (2, 3.0, 0.8, "spline"))


def maps(which: str, d: int, name: str) -> tuple[Any, Any]:
    """(f, g): the same fixed elementwise map twice, or two depth-4 networks of kind
    ``which`` seeded from ``name`` (seed, seed + 1)."""
    from revinfo import flows

    if which in FIXED:
        return flows.Elementwise(which), flows.Elementwise(which)
    seed = task_seed(name)
    return flows.build(which, d, DEPTH, seed=seed), flows.build(which, d, DEPTH, seed=seed + 1)


def push_task(base: Task, f: Any, g: Any, name: str, description: str,
              tags: tuple[str, ...], truth_fn: Callable[[], Estimate] | None = None) -> Task:
    """``base`` with X -> f(X), Y -> g(Y) (nflows transforms with ``inverse``): same truth
    (``truth_fn`` defaults to the base's, marked invariant), the base PMI at the
    pulled-back points."""

    def sampler(n: int, rng: np.random.Generator):
        x0, y0 = base.sampler(n, rng)
        return push(f, x0), push(g, y0)

    def log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return base.log_ratio(pull(f, x), pull(g, y))

    def invariant() -> Estimate:
        t = base.truth
        return Estimate(t.value, t.stderr, t.method + "; invariant under bijections", n=t.n,
                        extra=t.extra)

    return Task(name=name, description=description, dims=base.dims, sampler=sampler,
                truth_fn=truth_fn or invariant, tags=tags,
                log_ratio=log_ratio if base.log_ratio is not None else None,
                cheap_truth=base.cheap_truth)


def _student_tags(which: str) -> tuple[str, ...]:
    return (*heavy_tail.TAGS, "pushed", "fixed-map" if which in FIXED else "flow", which)


def student_t_pushed(d: int, df: float, rho: float, which: str) -> Task:
    """The Student-t pair (d, df, rho) pushed through ``which`` on X and on Y."""
    base = heavy_tail.student_t_task(d, df, rho)
    name = f"{base.name}+{which}"
    f, g = maps(which, d, name)
    what = (f"{which} on X and on Y" if which in FIXED
            else f"separately seeded depth-{DEPTH} {which} networks f(X), g(Y)")
    return push_task(base, f, g, name, f"{base.description}; {what} (MI unchanged)",
                     _student_tags(which))


for _d, _df, _r, _w in STUDENT_GRID:
    register(f"{heavy_tail.name(_d, _df, _r)}+{_w}",
             lambda d=_d, df=_df, r=_r, w=_w: student_t_pushed(d, df, r, w), _student_tags(_w))
