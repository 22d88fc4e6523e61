r"""Conditional tasks (inputs "xyz"): triples (X, Y, Z) with a known I(X;Y|Z) in nats.

* Gaussian triples ``cond-gaussian-d5-dz5-rho0.8``: Z ~ N(0, I_dz), X = B Z + X0,
  Y = C Z + Y0 with (X0, Y0) the dense Gaussian pair of :mod:`revinfo.tasks.gaussian`
  (d canonical correlations rho) independent of Z, and B, C fixed random matrices (entries
  N(0, 1/dz), from the task name). Given Z, (X, Y) is (X0, Y0) shifted, so by construction
  :math:`I(X;Y|Z) = I(X_0;Y_0) = -\tfrac d2\log(1-\rho^2)`; the truth itself is
  :func:`revinfo.exact.cmi_gaussian` of the joint covariance (a test checks the two agree).
* The same triples pushed through separately seeded networks of every kind
  (``+affine``...): X -> f(X), Y -> g(Y), Z -> h(Z). Conditional MI is invariant under
  separate bijections, :math:`I(f(X); g(Y) | h(Z)) = I(X;Y|Z)` (the four entropies of
  :math:`I = h(X,Z) + h(Y,Z) - h(Z) - h(X,Y,Z)` move by Jacobian terms that cancel; Cover &
  Thomas ch. 8), so the closed form carries over.
* ``xor-flip0.1``: X, Z fair bits, Y = X xor Z xor F with F ~ Bernoulli(q). I(X;Y) = 0
  while I(X;Y|Z) = log 2 - h(q): conditioning raises MI (synergy); the truth is
  :func:`revinfo.exact.cmi_discrete` of the exact pmf.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks import gaussian
from revinfo.tasks._common import fmt, push, task_seed
from revinfo.tasks._flow_kinds import DEPTH, FLOW_KINDS
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

RHO = 0.8
TRIPLES = ((1, 1), (2, 2), (5, 5), (10, 10), (2, 10))  # (d = dx = dy, dz)
FLOW_TRIPLES = ((2, 2), (5, 5))
XOR_FLIPS = (0.0, 0.1)
TAGS = ("conditional", "gaussian", "closed-form")
XOR_TAGS = ("conditional", "binary", "synergy", "closed-form")


class GaussianTriple:
    """Zero-mean jointly Gaussian (X, Y, Z) with covariance ``cov``; dims (dx, dy, dz)."""

    def __init__(self, cov: np.ndarray, dims: tuple[int, int, int]):
        self.cov = np.asarray(cov, dtype=np.float64)
        self.dims = dims
        self._chol = np.linalg.cholesky(self.cov)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        g = rng.standard_normal((n, self.cov.shape[0])) @ self._chol.T
        dx, dy, _ = self.dims
        return g[:, :dx], g[:, dx:dx + dy], g[:, dx + dy:]

    def cmi(self) -> Estimate:
        from revinfo import exact

        dx, dy, dz = self.dims
        idx = list(range(dx + dy + dz))
        return exact.cmi_gaussian(self.cov, idx[:dx], idx[dx:dx + dy], idx[dx + dy:])


def triple_cov(d: int, dz: int, rho: float, seed: int) -> np.ndarray:
    """Covariance of (X, Y, Z) = (B Z + X0, C Z + Y0, Z) (module docstring)."""
    pair = gaussian.pair_cov(d, rho, "dense", seed)
    m = np.random.default_rng(seed + 1).standard_normal((2 * d, dz)) / np.sqrt(dz)
    return np.block([[pair + m @ m.T, m], [m.T, np.eye(dz)]])


def name(d: int, dz: int, rho: float = RHO) -> str:
    return f"cond-gaussian-d{d}-dz{dz}-rho{fmt(rho)}"


def triple(d: int, dz: int, rho: float = RHO) -> GaussianTriple:
    return GaussianTriple(triple_cov(d, dz, rho, task_seed(name(d, dz, rho))), (d, d, dz))


def _maps(kind: str, dims: tuple[int, ...], seed: int) -> list[Any]:
    from revinfo import flows

    return [flows.build(kind, dim, DEPTH, seed=seed + i) for i, dim in enumerate(dims)]


def gaussian_task(d: int, dz: int, kind: str | None = None) -> Task:
    """The Gaussian triple (d, dz), optionally pushed through flows of ``kind``."""
    base = name(d, dz)
    t = triple(d, dz)
    what = (f"Gaussian triple, X, Y in R^{d} ({d} conditional canonical correlations "
            f"{fmt(RHO)}), Z in R^{dz} driving both")
    if kind is None:
        sampler, full, why = t.sample, base, "gaussian"
    else:
        full = f"{base}+{kind}"
        maps = _maps(kind, t.dims, task_seed(full))
        what += f"; separately seeded depth-{DEPTH} {kind} networks on X, Y, Z (CMI unchanged)"
        why = "invariant under separate bijections"

        def sampler(n: int, rng: np.random.Generator):
            return tuple(push(f, a) for f, a in zip(maps, t.sample(n, rng)))

    def truth() -> Estimate:
        e = t.cmi()
        return Estimate(e.value, None, f"closed-form {why} cmi")

    return Task(name=full, description=what, dims=t.dims, sampler=sampler, truth_fn=truth,
                tags=_tags(kind), cheap_truth=True, inputs="xyz")


def _tags(kind: str | None) -> tuple[str, ...]:
    return TAGS if kind is None else (*TAGS, "pushed", "flow", kind)


def xor_pmf(q: float) -> np.ndarray:
    """pmf[x, y, z] of X, Z fair bits and Y = X xor Z xor Bernoulli(q)."""
    p = np.zeros((2, 2, 2))
    for a, c, f in itertools.product((0, 1), (0, 1), (0, 1)):
        p[a, a ^ c ^ f, c] += 0.25 * (q if f else 1.0 - q)
    return p


def xor_task(q: float) -> Task:
    def sampler(n: int, rng: np.random.Generator):
        x, z = rng.integers(0, 2, n), rng.integers(0, 2, n)
        y = x ^ z ^ (rng.random(n) < q)
        return tuple(a.astype(np.float64)[:, None] for a in (x, y, z))

    def truth() -> Estimate:
        from revinfo import exact

        return exact.cmi_discrete(xor_pmf(q))

    return Task(
        name=f"xor-flip{fmt(q)}",
        description=(f"X, Z fair bits, Y = X xor Z flipped with probability {fmt(q)}: "
                     "I(X;Y) = 0 but I(X;Y|Z) = log 2 - h(q) (synergy)"),
        dims=(1, 1, 1), sampler=sampler, truth_fn=truth, tags=XOR_TAGS, cheap_truth=True,
        inputs="xyz",
    )


for _d, _dz in TRIPLES:
    register(name(_d, _dz), lambda d=_d, dz=_dz: gaussian_task(d, dz), _tags(None))
for (_d, _dz), _k in itertools.product(FLOW_TRIPLES, FLOW_KINDS):
    register(f"{name(_d, _dz)}+{_k}", lambda d=_d, dz=_dz, k=_k: gaussian_task(d, dz, k),
             _tags(_k))
for _q in XOR_FLIPS:
    register(f"xor-flip{fmt(_q)}", lambda q=_q: xor_task(q), XOR_TAGS)
