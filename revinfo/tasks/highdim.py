r"""High-dimensional Gaussian pairs (up to 512 + 512) and their pushes through 128-D flows.

The pairs are those of :mod:`revinfo.tasks.gaussian` (same names, same constructions) at
d = 128, 256, 512: ``sparse`` with rho = 0.8 (two correlated coordinate pairs,
I = -log(1 - 0.64) = 1.0217 whatever d) and ``dense`` with rho = 0.1 (all d canonical
correlations 0.1, I = -(d/2) log 0.99: 0.64, 1.29, 2.57 nats). The flow tasks push the
128-D dense pair through separately seeded depth-4 networks, as in
:mod:`revinfo.tasks.transformed` (MI and the pointwise MI at pulled-back points unchanged).

Costs measured on this project's 2-core CPU under load, 1 torch thread: building the
512-D dense pair (Cholesky and inverse of a 1024 x 1024 matrix, a 512 x 512 QR and
eigendecomposition) 3-6 s, its closed-form truth (three slogdets) 0.4 s, sampling 10^4
pairs 3-4 s (one dense 1024 x 1024 product per row), the exact PMI of 10^4 pairs 1.4-1.9 s.
At d = 128, depth 4, n = 4000: pushing and pulling back take 0.1-0.2 s for affine,
additive and revnet networks and 3-4 s for splines; the round trip x -> f^-1(f(x)) is
exact to 1e-14 for coupling networks (affine, additive, spline, revnet) and to 1.4e-10 for
the linear (LU) kind.

Tag ``high-dim`` (max(dx, dy) > :data:`revinfo.tasks.limits.HIGH_DIM`) marks tasks that
some estimators do not run on (:mod:`revinfo.tasks.limits`).
"""

from __future__ import annotations

import functools

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks import gaussian
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

PAIRS = tuple((d, r, s) for d in (128, 256, 512) for r, s in ((0.8, "sparse"), (0.1, "dense")))
FLOW_BASE = (128, 0.1, "dense")
FLOW_KINDS = ("affine", "additive", "revnet", "spline")
DEPTH = 4
# Not tagged "transformed": the fast suite's transformed-task checks would then push 128-D
# samples through splines; tests/tasks/test_highdim.py covers these (slow-marked).
PUSHED = ("pushed", "flow")


def _tags(structure: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    return (*gaussian.TAGS, structure, "high-dim", *extra)


def truth_by_construction(d: int, rho: float, structure: str) -> Estimate:
    """-1/2 sum log(1 - rho_i^2) over the canonical correlations the pair is built with
    (instant; the tests check it against the slogdets of the built covariance)."""
    rhos = gaussian.canonical_correlations(d, rho, structure)
    return gaussian.closed_form(float(-0.5 * np.log1p(-rhos**2).sum()),
                                "canonical correlations by construction")


def _lazy_pair(d: int, rho: float, structure: str):
    """The Gaussian pair, built on first use (seconds at d = 512), so listing tasks is instant."""
    return functools.cache(lambda: gaussian.pair(d, rho, structure))


def highdim_task(d: int, rho: float, structure: str) -> Task:
    p = _lazy_pair(d, rho, structure)
    return Task(
        name=gaussian.name(d, rho, structure), description=gaussian.describe(d, rho, structure),
        dims=(d, d), sampler=lambda n, rng: p().sample(n, rng),
        truth_fn=lambda: truth_by_construction(d, rho, structure), tags=_tags(structure),
        log_ratio=lambda x, y: p().log_ratio(x, y), cheap_truth=True,
    )


def highdim_flow_task(kind: str) -> Task:
    """The 128-D dense pair with X -> f(X), Y -> g(Y), f, g depth-4 ``kind`` networks."""
    from revinfo.tasks.pushed import maps, push_task

    d, rho, structure = FLOW_BASE
    base = highdim_task(d, rho, structure)
    name = f"{base.name}+{kind}"
    f, g = maps(kind, d, name)
    return push_task(base, f, g, name,
                     f"{base.description}; separately seeded depth-{DEPTH} {kind} networks "
                     "f(X), g(Y) (MI unchanged)",
                     _tags(structure, (*PUSHED, kind)),
                     truth_fn=lambda: truth_by_construction(d, rho, structure))


for _d, _r, _s in PAIRS:
    register(gaussian.name(_d, _r, _s), lambda d=_d, r=_r, s=_s: highdim_task(d, r, s),
             _tags(_s))
for _k in FLOW_KINDS:
    register(f"{gaussian.name(*FLOW_BASE)}+{_k}", lambda k=_k: highdim_flow_task(k),
             _tags(FLOW_BASE[2], PUSHED + (_k,)))
