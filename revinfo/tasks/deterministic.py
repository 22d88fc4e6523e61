r"""Deterministic layers and discrete inputs: the degenerate cases that motivate revinfo.

* ``deterministic-*``: X ~ N(0, I_d) continuous, Y = f(X). The conditional law of Y given
  X is a point mass, so I(X;Y) = +inf for any such f (docs/references.md; Goldfeld et al. 2019,
  Saxe et al. 2018, Amjad & Geiger 2019). Truth ``Estimate(inf, None, "deterministic: +inf")``.
* ``discrete-*``: X uniform on m fixed points of R^d (drawn once from N(0, I_d), fixed by
  the name without the depth, so a depth sweep shares its points), Y = f(X) for an injective
  network f. Then I(X;Y) = H(X) = log m at every depth; the truth counts the distinct
  images of the m points to check injectivity (exact equality of float64 rows).
"""

from __future__ import annotations

import math

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks._common import push, task_seed
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

DEPTH = 4
# (map, d): "identity", "tanh" (elementwise, a bijection onto (-1, 1)^d) or a flow kind.
DETERMINISTIC = (("identity", 1), ("tanh", 2), ("affine", 4), ("spline", 8))
# (m, d, kind, depth)
DISCRETE = ((64, 2, "affine", 1), (64, 2, "affine", 4), (64, 2, "affine", 16),
            (256, 4, "spline", 4), (16, 2, "leaky-relu", 8), (1024, 8, "revnet", 4))
DET_TAGS = ("deterministic", "infinite", "closed-form")
DISC_TAGS = ("discrete", "flow", "closed-form")


def infinite() -> Estimate:
    return Estimate(math.inf, None, "deterministic: +inf")


def _map(which: str, d: int, seed: int):
    if which == "identity":
        return lambda a: a.copy()
    if which == "tanh":
        return np.tanh
    from revinfo import flows

    f = flows.build(which, d, DEPTH, seed=seed)
    return lambda a: push(f, a)


def deterministic_task(which: str, d: int) -> Task:
    nm = f"deterministic-{which}-d{d}"
    fn = _map(which, d, task_seed(nm))

    def sampler(n: int, rng: np.random.Generator):
        x = rng.standard_normal((n, d))
        return x, fn(x)

    what = {"identity": "Y = X", "tanh": "Y = tanh(X)"}.get(
        which, f"Y = f(X), f a depth-{DEPTH} {which} network")
    return Task(nm, f"X ~ N(0, I_{d}), {what}: deterministic, I = +inf", (d, d), sampler,
                infinite, DET_TAGS, cheap_truth=True)


def discrete_name(m: int, d: int, kind: str, depth: int) -> str:
    return f"discrete-m{m}-d{d}-{kind}-depth{depth}"


def discrete_points(m: int, d: int) -> np.ndarray:
    """The m support points of X (fixed by ``discrete-m{m}-d{d}``)."""
    return np.random.default_rng(task_seed(f"discrete-m{m}-d{d}")).standard_normal((m, d))


def distinct_rows(a: np.ndarray) -> int:
    return int(np.unique(a, axis=0).shape[0])


def discrete_task(m: int, d: int, kind: str, depth: int) -> Task:
    from revinfo import flows

    points = discrete_points(m, d)
    f = flows.build(kind, d, depth, seed=task_seed(f"discrete-m{m}-d{d}-{kind}"))
    images = push(f, points)

    def sampler(n: int, rng: np.random.Generator):
        idx = rng.integers(m, size=n)
        return points[idx], images[idx]

    def truth() -> Estimate:
        seen = (distinct_rows(points), distinct_rows(images))
        if seen != (m, m):
            raise ValueError(f"{m} points gave {seen[0]} distinct inputs and {seen[1]} distinct "
                             "outputs: the network is not injective on them")
        return Estimate(math.log(m), None, "exact: log m (injective on the m points, checked)",
                        extra={"m": m, "distinct_outputs": seen[1]})

    return Task(
        name=discrete_name(m, d, kind, depth),
        description=f"X uniform on {m} points of R^{d}, Y = f(X), f a depth-{depth} {kind} "
                    f"network (injective): I = log {m}",
        dims=(d, d), sampler=sampler, truth_fn=truth, tags=(*DISC_TAGS, kind),
        cheap_truth=True,
    )


for _w, _d in DETERMINISTIC:
    register(f"deterministic-{_w}-d{_d}", lambda w=_w, d=_d: deterministic_task(w, d), DET_TAGS)
for _m, _d, _k, _l in DISCRETE:
    register(discrete_name(_m, _d, _k, _l),
             lambda m=_m, d=_d, k=_k, l=_l: discrete_task(m, d, k, l), (*DISC_TAGS, _k))
