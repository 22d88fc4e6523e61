r"""Base distributions with closed-form differential entropy (nats).

Each constructor returns a ``torch.distributions.Distribution`` with ``event_shape == (d,)``
in float64. ``dist.entropy()`` is exact; :func:`revinfo.exact.entropy` uses it.

Entropies (Cover & Thomas, ch. 8; docs/references.md):

* Gaussian N(mu, S): :math:`\tfrac12 \log((2\pi e)^d \det S)`
* Uniform box: :math:`\sum_i \log(b_i - a_i)`
* Laplace(b): :math:`1 + \log 2b` per coordinate
* Logistic(s): :math:`2 + \log s` per coordinate
* Student-t (nu): :math:`\tfrac{\nu+1}{2}[\psi(\tfrac{\nu+1}{2}) - \psi(\tfrac{\nu}{2})]
  + \log(\sqrt{\nu} B(\tfrac{\nu}{2}, \tfrac12))` per coordinate
* Multivariate t of dimension k, shape matrix S:
  :math:`-\log\Gamma(\tfrac{\nu+k}{2}) + \log\Gamma(\tfrac{\nu}{2}) + \tfrac{k}{2}\log(\nu\pi)
  + \tfrac{\nu+k}{2}[\psi(\tfrac{\nu+k}{2}) - \psi(\tfrac{\nu}{2})] + \tfrac12\log\det S`

For :math:`\nu \ge 30 k` the t entropies use their expansion in :math:`1/\nu` instead
(:func:`_t_entropy_excess`): the closed form's terms grow like :math:`\nu\log\nu` and
cancel (torch's lgamma/digamma gave 36.84 instead of 2.8379 at k = 2, nu = 1e16).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import distributions as D

from revinfo import _validate

DTYPE = torch.float64

__all__ = [
    "Logistic", "MultivariateStudentT", "StudentT", "dim", "gaussian", "laplace", "logistic",
    "multivariate_t", "spd_matrix", "standard_normal", "student_t", "uniform",
]


def _vector(value: Any, name: str, d: int | None = None) -> torch.Tensor:
    t = _validate.float64_tensor(value, name)
    if t.ndim == 0:
        if d is None:
            raise ValueError(f"{name} must be a vector when the dimension is not given")
        t = t.expand(d).clone()
    if t.ndim != 1 or t.numel() < 1:
        raise ValueError(f"{name} must be a 1-D vector, got shape {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} contains NaN or inf")
    return t


def spd_matrix(cov: Any, name: str = "cov") -> torch.Tensor:
    """``cov`` as a float64 symmetric positive definite matrix, else ValueError.

    Symmetry and definiteness are checked on ``cov / max|cov|``, so any finite float64 scale
    (1e-300 or 1e300) is judged alike; the matrix is returned unscaled."""
    c = _validate.float64_tensor(cov, name)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] < 1:
        raise ValueError(f"{name} must be a square (d, d) matrix, got shape {tuple(c.shape)}")
    if not bool(torch.isfinite(c).all()):
        raise ValueError(f"{name} contains NaN or inf")
    top = float(c.abs().max())
    unit = c / top if top > 0 else c
    if not torch.allclose(unit, unit.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name} must be symmetric")
    _, info = torch.linalg.cholesky_ex(unit)
    if int(info) != 0 or top == 0:
        raise ValueError(f"{name} must be positive definite (Cholesky failed)")
    return c


def standard_normal(d: int) -> D.Distribution:
    """N(0, I_d)."""
    d = _validate.integer(d, "d", low=1)
    return D.Independent(D.Normal(torch.zeros(d, dtype=DTYPE), torch.ones(d, dtype=DTYPE)), 1)


def gaussian(mean: Any, cov: Any) -> D.MultivariateNormal:
    """N(mean, cov) with a full covariance; a non-SPD ``cov`` is a ValueError."""
    c = spd_matrix(cov)
    m = _vector(mean, "mean", c.shape[0])
    if m.shape[0] != c.shape[0]:
        raise ValueError(f"mean has length {m.shape[0]} but cov is {tuple(c.shape)}")
    return D.MultivariateNormal(m, covariance_matrix=c)


def uniform(low: Any, high: Any) -> D.Distribution:
    """Uniform on the box prod_i [low_i, high_i]."""
    hi_raw = _validate.float64_tensor(high, "high")
    lo = _vector(low, "low", None if hi_raw.ndim == 0 else hi_raw.shape[0])
    hi = _vector(high, "high", lo.shape[0])
    if lo.shape != hi.shape:
        raise ValueError(f"low and high must have the same length, got {lo.shape}, {hi.shape}")
    if not bool((hi > lo).all()):
        raise ValueError("high must be > low in every coordinate")
    return D.Independent(D.Uniform(lo, hi), 1)


def laplace(d: int, scale: float = 1.0) -> D.Distribution:
    """Independent Laplace(0, scale) coordinates."""
    d = _validate.integer(d, "d", low=1)
    s = _validate.positive(scale, "scale")
    return D.Independent(D.Laplace(torch.zeros(d, dtype=DTYPE), torch.full((d,), s, dtype=DTYPE)), 1)


class Logistic(D.TransformedDistribution):
    """Logistic(loc, scale): loc + scale * logit(U), U ~ Uniform(0, 1). Entropy 2 + log s.

    torch.distributions has no logistic distribution; this adds one with its entropy.
    """

    arg_constraints = {"loc": D.constraints.real, "scale": D.constraints.positive}

    def __init__(self, loc: torch.Tensor, scale: torch.Tensor, validate_args: bool | None = None):
        self.loc, self.scale = D.utils.broadcast_all(loc, scale)
        zero, one = torch.zeros_like(self.loc), torch.ones_like(self.loc)
        transforms = [D.SigmoidTransform().inv, D.AffineTransform(self.loc, self.scale)]
        super().__init__(D.Uniform(zero, one), transforms, validate_args=validate_args)

    def entropy(self) -> torch.Tensor:
        return 2.0 + torch.log(self.scale)


def logistic(d: int, scale: float = 1.0) -> D.Distribution:
    """Independent Logistic(0, scale) coordinates."""
    d = _validate.integer(d, "d", low=1)
    s = _validate.positive(scale, "scale")
    return D.Independent(
        Logistic(torch.zeros(d, dtype=DTYPE), torch.full((d,), s, dtype=DTYPE)), 1
    )


# Bernoulli numbers B_0 .. B_11 (B_1 = -1/2; DLMF 24.2).
_BERNOULLI = (1.0, -1 / 2, 1 / 6, 0.0, -1 / 30, 0.0, 1 / 42, 0.0, -1 / 30, 0.0, 5 / 66, 0.0)
# Past df = SERIES_RATIO * k the t entropies use the series; 10 terms there are exact to
# ~1e-17 (vs mpmath at 60 digits, k = 1..1000), while the closed form is off by up to 1e-12
# at df = 30 k and by 1e-9 at df = 1e4 k (tests/test_dist.py).
SERIES_RATIO = 30.0
_SERIES_TERMS = 10


def _bernoulli_poly(n: int, h: float) -> float:
    """B_n(h) = sum_j C(n, j) B_j h^(n-j) (DLMF 24.2.5)."""
    return sum(math.comb(n, j) * _BERNOULLI[j] * h ** (n - j) for j in range(n + 1))


def _t_entropy_excess(df: float, k: int) -> float:
    r"""h(t_nu, k-dimensional, S = I) - (k/2) log(2 pi e), by its series in 1/nu.

    With h = k/2 and :math:`D_n = B_n(h) - B_n`, the expansions of
    :math:`\log\Gamma(x+h) - \log\Gamma(x)` and :math:`\psi(x+h) - \psi(x)` at x = nu/2
    (DLMF 5.11.8 and its derivative) give, after the O(nu log nu) terms cancel exactly,

    .. math:: \sum_{m\ge1} \frac{(-1)^m (D_{m+1} - h D_m)}{m} \Big(\frac{2}{\nu}\Big)^m

    (k = 1: 1/nu + 1/(4 nu^2) - 1/(6 nu^3) - ...; k = 2: exactly 2/nu; checked with sympy).
    Asymptotic (divergent): use it for nu >= 30 k, truncated after 10 terms.
    """
    h = k / 2.0
    d = [_bernoulli_poly(n, h) - _BERNOULLI[n] for n in range(_SERIES_TERMS + 2)]
    return sum((-1) ** m * (d[m + 1] - h * d[m]) / m * (2.0 / df) ** m
               for m in range(1, _SERIES_TERMS + 1))


class StudentT(D.StudentT):
    """torch's StudentT with an entropy that stays exact for large df (series past
    :data:`SERIES_RATIO`)."""

    def entropy(self) -> torch.Tensor:
        closed = super().entropy()
        excess = [_t_entropy_excess(nu, 1) if nu >= SERIES_RATIO else 0.0
                  for nu in self.df.flatten().tolist()]
        series = (0.5 * math.log(2 * math.pi * math.e) + torch.log(self.scale)
                  + torch.tensor(excess, dtype=closed.dtype).reshape(self.df.shape))
        return torch.where(self.df >= SERIES_RATIO, series, closed)


def student_t(d: int, df: float) -> D.Distribution:
    """Independent Student-t(df) coordinates (location 0, scale 1)."""
    d = _validate.integer(d, "d", low=1)
    nu = _validate.positive(df, "df")
    return D.Independent(StudentT(torch.full((d,), nu, dtype=DTYPE)), 1)


class MultivariateStudentT(D.Distribution):
    """Multivariate t: x = mu + L g / sqrt(w / nu), g ~ N(0, I), w ~ chi2(nu), S = L L^T."""

    arg_constraints = {"df": D.constraints.positive}
    support = D.constraints.real_vector
    has_rsample = True

    def __init__(self, df: float, loc: torch.Tensor, shape_matrix: torch.Tensor):
        self.df = torch.as_tensor(float(df), dtype=DTYPE)
        self.loc = loc
        self.shape_matrix = shape_matrix
        self._tril = torch.linalg.cholesky(shape_matrix)
        super().__init__(torch.Size(), torch.Size([loc.shape[0]]), validate_args=False)

    def rsample(self, sample_shape: torch.Size = torch.Size()) -> torch.Tensor:
        shape = torch.Size(sample_shape) + self.event_shape
        g = torch.randn(shape, dtype=DTYPE)
        w = D.Chi2(self.df).rsample(torch.Size(sample_shape)).unsqueeze(-1)
        return self.loc + (g @ self._tril.T) / torch.sqrt(w / self.df)

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        k, nu = self.loc.shape[0], self.df
        diff = value - self.loc
        sol = torch.linalg.solve_triangular(self._tril, diff.unsqueeze(-1), upper=False)
        maha = sol.squeeze(-1).pow(2).sum(-1)
        half_logdet = torch.log(torch.diagonal(self._tril)).sum()
        return (
            torch.lgamma((nu + k) / 2) - torch.lgamma(nu / 2) - (k / 2) * torch.log(nu * math.pi)
            - half_logdet - (nu + k) / 2 * torch.log1p(maha / nu)
        )

    def entropy(self) -> torch.Tensor:
        k, nu = self.loc.shape[0], self.df
        half_logdet = torch.log(torch.diagonal(self._tril)).sum()
        if float(nu) >= SERIES_RATIO * k:
            excess = _t_entropy_excess(float(nu), k) + 0.5 * k * math.log(2 * math.pi * math.e)
            return torch.as_tensor(excess, dtype=DTYPE) + half_logdet
        return (
            -torch.lgamma((nu + k) / 2) + torch.lgamma(nu / 2) + (k / 2) * torch.log(nu * math.pi)
            + (nu + k) / 2 * (torch.digamma((nu + k) / 2) - torch.digamma(nu / 2)) + half_logdet
        )


def multivariate_t(df: float, shape_matrix: Any, loc: Any = None) -> MultivariateStudentT:
    """Multivariate Student-t with ``df`` degrees of freedom and an SPD shape matrix."""
    nu = _validate.positive(df, "df")
    s = spd_matrix(shape_matrix, "shape_matrix")
    mu = torch.zeros(s.shape[0], dtype=DTYPE) if loc is None else _vector(loc, "loc", s.shape[0])
    return MultivariateStudentT(nu, mu, s)


def dim(dist: D.Distribution) -> int:
    """The event dimension d of a base distribution (ValueError unless event_shape == (d,))."""
    if not isinstance(dist, D.Distribution):
        raise TypeError(f"dist must be a torch Distribution, got {type(dist).__name__}")
    if len(dist.event_shape) != 1:
        raise ValueError(f"dist must have event_shape (d,), got {tuple(dist.event_shape)}")
    return int(dist.event_shape[0])
