r"""Gaussian pairs: X, Y each in R^d, jointly Gaussian, with the closed-form

.. math:: I(X;Y) = \tfrac12 \log \frac{\det \Sigma_X \det \Sigma_Y}{\det \Sigma}
          = -\tfrac12 \sum_i \log(1 - \rho_i^2)

in nats, :math:`\rho_i` the canonical correlations (Cover & Thomas, ch. 8).

Structures (``d >= 2``):

* ``sparse``: X, Y standard normal; only the first ``min(d, 2)`` coordinate pairs
  (x_i, y_i) are correlated, with correlation rho; I = -(min(d, 2)/2) log(1 - rho^2).
* ``dense``: every coordinate of X is correlated with every other coordinate of X and of Y:
  :math:`\Sigma_X = \Sigma_Y = \tfrac12 (I + \mathbf 1\mathbf 1^T)` (pairwise correlation 1/2)
  and cross-covariance :math:`\rho\,\Sigma_X^{1/2} Q\, \Sigma_Y^{1/2}` with Q a random
  orthogonal matrix fixed by the task name. All d canonical correlations equal rho, so
  I = -(d/2) log(1 - rho^2).

For d = 1 both structures coincide and the name carries no suffix.
"""

from __future__ import annotations


import numpy as np

from revinfo.result import Estimate
from revinfo.tasks._common import fmt, task_seed
from revinfo.tasks.base import Task
from revinfo.tasks.registry import alias, register

DIMS = (1, 2, 5, 10, 25)
RHOS = (0.5, 0.8)
RHOS_1D = (0.5, 0.8, 0.9)
STRUCTURES = ("sparse", "dense")
SPARSE_PAIRS = 2
DENSE_WITHIN = 0.5


class GaussianPair:
    """A jointly Gaussian (X, Y) with zero mean and covariance ``cov``; X = first ``dx``
    coordinates. Samples from a NumPy generator; exact pointwise log density ratio."""

    def __init__(self, cov: np.ndarray, dx: int):
        self.cov = np.asarray(cov, dtype=np.float64)
        self.dx = int(dx)
        self.dy = self.cov.shape[0] - self.dx
        self._chol = np.linalg.cholesky(self.cov)
        prec = np.linalg.inv(self.cov)
        sx, sy = self.cov[: dx, : dx], self.cov[dx:, dx:]
        # log r(x, y) = -1/2 [x;y]' P [x;y] + 1/2 x' Sx^-1 x + 1/2 y' Sy^-1 y + c
        self._ax = np.linalg.inv(sx) - prec[: dx, : dx]
        self._ay = np.linalg.inv(sy) - prec[dx:, dx:]
        self._bxy = prec[: dx, dx:]
        self._const = 0.5 * (np.linalg.slogdet(sx)[1] + np.linalg.slogdet(sy)[1]
                             - np.linalg.slogdet(self.cov)[1])

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        z = rng.standard_normal((n, self.cov.shape[0])) @ self._chol.T
        return z[:, : self.dx], z[:, self.dx :]

    def log_ratio(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """log p(x, y) / (p(x) p(y)) for x (..., dx), y (..., dy) whose leading shapes
        broadcast (row-aligned (m, d) arrays, or x[:, None] and y[None] for all pairs)."""
        qx = ((x @ self._ax) * x).sum(-1)
        qy = ((y @ self._ay) * y).sum(-1)
        cross = ((x @ self._bxy)[..., None, :] @ y[..., :, None])[..., 0, 0]
        return self._const + 0.5 * (qx + qy) - cross

    def mi(self) -> float:
        from revinfo import exact

        return exact.mi_gaussian(self.cov, self.dx)


def _random_orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def _sqrtm(s: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(w)) @ v.T


def pair_cov(d: int, rho: float, structure: str, seed: int = 0) -> np.ndarray:
    """The (2d, 2d) covariance of a sparse or dense pair (module docstring)."""
    if structure not in STRUCTURES:
        raise ValueError(f"structure must be one of {STRUCTURES}, got {structure!r}")
    eye = np.eye(d)
    if structure == "sparse" or d == 1:
        cross = np.zeros((d, d))
        k = min(d, SPARSE_PAIRS)
        cross[range(k), range(k)] = rho
        return np.block([[eye, cross], [cross.T, eye]])
    within = (1.0 - DENSE_WITHIN) * eye + DENSE_WITHIN * np.ones((d, d))
    root = _sqrtm(within)
    cross = rho * root @ _random_orthogonal(d, np.random.default_rng(seed)) @ root
    return np.block([[within, cross], [cross.T, within]])


def canonical_correlations(d: int, rho: float, structure: str) -> np.ndarray:
    """The canonical correlations of a pair by construction (not from its matrix)."""
    k = d if structure == "dense" else min(d, SPARSE_PAIRS)
    return np.full(k, rho)


def name(d: int, rho: float, structure: str = "sparse") -> str:
    """Registry name of a Gaussian pair: ``gaussian-d5-rho0.8-dense``, ``gaussian-d1-rho0.5``."""
    base = f"gaussian-d{d}-rho{fmt(rho)}"
    return base if d == 1 else f"{base}-{structure}"


def pair(d: int, rho: float, structure: str = "sparse") -> GaussianPair:
    """The Gaussian pair registered as :func:`name` (d, rho, structure)."""
    return GaussianPair(pair_cov(d, rho, structure, task_seed(name(d, rho, structure))), d)


def closed_form(value: float, why: str = "") -> Estimate:
    method = "closed-form gaussian" + (f" ({why})" if why else "")
    return Estimate(value, None, method)


def describe(d: int, rho: float, structure: str) -> str:
    if d == 1:
        return f"1-D Gaussian pair, correlation {fmt(rho)}"
    if structure == "sparse":
        return (f"Gaussian pair in R^{d} x R^{d}, {min(d, SPARSE_PAIRS)} coordinate pairs "
                f"with correlation {fmt(rho)}, the rest independent")
    return (f"Gaussian pair in R^{d} x R^{d}, dense: all {d} canonical correlations "
            f"{fmt(rho)}, within-block correlation {fmt(DENSE_WITHIN)}")


TAGS = ("gaussian", "closed-form", "log-ratio")


def _task(d: int, rho: float, structure: str) -> Task:
    p = pair(d, rho, structure)
    return Task(
        name=name(d, rho, structure),
        description=describe(d, rho, structure),
        dims=(d, d),
        sampler=p.sample,
        truth_fn=lambda: closed_form(p.mi()),
        tags=(*TAGS, structure if d > 1 else "sparse"),
        log_ratio=p.log_ratio,
        cheap_truth=True,
    )


def _grid() -> list[tuple[int, float, str]]:
    out = [(1, r, "sparse") for r in RHOS_1D]
    out += [(d, r, s) for d in DIMS if d > 1 for s in STRUCTURES for r in RHOS]
    return out


for _d, _r, _s in _grid():
    register(name(_d, _r, _s), lambda d=_d, r=_r, s=_s: _task(d, r, s),
             (*TAGS, _s if _d > 1 else "sparse"))

# Names used before the families existed (calibration configs refer to them).
alias("gaussian-1d-rho0.5", name(1, 0.5))
alias("gaussian-1d-rho0.9", name(1, 0.9))
