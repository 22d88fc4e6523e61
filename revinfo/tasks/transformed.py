r"""Gaussian pairs pushed through bijections: X -> f(X), Y -> g(Y).

Mutual information is invariant under separate bijections,
:math:`I(f(X); g(Y)) = I(X; Y)`, so the closed-form Gaussian truth carries over while the
samples look nothing like a Gaussian (Czyż et al., "Beyond Normal: On the Evaluation of
Mutual Information Estimators", NeurIPS 2023, build their benchmark on this). Estimators
are not invariant, which is what these tasks measure.

Two kinds of map:

* networks of every kind in :func:`revinfo.flows.build` (depth 4), f and g seeded
  separately from the task name: ``gaussian-d5-rho0.8-dense+affine``;
* fixed bijections applied per coordinate or per plane, the same map on X and on Y:
  ``+asinh`` (asinh: lighter tails), ``+half-cube`` (x sqrt|x|: heavier tails) and
  ``+spiral`` (:class:`revinfo.tasks.spiral.Spiral`).

The exact log density ratio is the Gaussian one at the preimages: with
:math:`x_0 = f^{-1}(x)`, :math:`y_0 = g^{-1}(y)`,
:math:`p(x, y) = p_0(x_0, y_0)\,|J_{f^{-1}}(x)|\,|J_{g^{-1}}(y)|` and
:math:`p(x) = p_0(x_0)\,|J_{f^{-1}}(x)|`, :math:`p(y) = p_0(y_0)\,|J_{g^{-1}}(y)|`, so the
Jacobians cancel in :math:`p(x, y) / (p(x) p(y))`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revinfo.tasks import gaussian
from revinfo.tasks._common import pull, push, task_seed
from revinfo.tasks._flow_kinds import DEPTH, FLOW_KINDS
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

FIXED = ("asinh", "half-cube", "spiral")
# (d, rho, structure) of the pairs pushed through every network kind / every fixed map.
FLOW_PAIRS = ((2, 0.8, "dense"), (5, 0.8, "dense"))
FIXED_PAIRS = ((2, 0.8, "dense"), (5, 0.8, "dense"), (10, 0.5, "sparse"))


def _fixed_map(which: str) -> Any:
    from revinfo import flows
    from revinfo.tasks.spiral import Spiral

    return Spiral() if which == "spiral" else flows.Elementwise(which)


def _maps(which: str, d: int, name: str) -> tuple[Any, Any]:
    if which in FIXED:
        return _fixed_map(which), _fixed_map(which)
    from revinfo import flows

    seed = task_seed(name)
    return (flows.build(which, d, DEPTH, seed=seed),
            flows.build(which, d, DEPTH, seed=seed + 1))


def transformed_task(d: int, rho: float, structure: str, which: str) -> Task:
    """The Gaussian pair (d, rho, structure) with X -> f(X), Y -> g(Y); ``which`` is a flow
    kind or one of :data:`FIXED`."""
    base_name = gaussian.name(d, rho, structure)
    name = f"{base_name}+{which}"
    p = gaussian.pair(d, rho, structure)
    f, g = _maps(which, d, name)

    def sampler(n: int, rng: np.random.Generator):
        x0, y0 = p.sample(n, rng)
        return push(f, x0), push(g, y0)

    def log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return p.log_ratio(pull(f, x), pull(g, y))

    what = (f"fixed {which} map on X and on Y" if which in FIXED
            else f"separately seeded depth-{DEPTH} {which} networks f(X), g(Y)")
    return Task(
        name=name,
        description=f"{gaussian.describe(d, rho, structure)}; {what} (MI unchanged)",
        dims=(d, d),
        sampler=sampler,
        truth_fn=lambda: gaussian.closed_form(p.mi(), "invariant under bijections"),
        tags=_tags(which),
        log_ratio=log_ratio,
        cheap_truth=True,
    )


def _tags(which: str) -> tuple[str, ...]:
    return (*gaussian.TAGS, "transformed", "fixed-map" if which in FIXED else "flow", which)


def _grid() -> list[tuple[int, float, str, str]]:
    out = [(d, r, s, k) for d, r, s in FLOW_PAIRS for k in FLOW_KINDS]
    out += [(d, r, s, m) for d, r, s in FIXED_PAIRS for m in FIXED]
    return out


for _d, _r, _s, _w in _grid():
    register(f"{gaussian.name(_d, _r, _s)}+{_w}",
             lambda d=_d, r=_r, s=_s, w=_w: transformed_task(d, r, s, w), _tags(_w))
