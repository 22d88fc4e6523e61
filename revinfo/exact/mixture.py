r"""Gaussian mixtures: exact densities, exact marginals, and a Monte Carlo MI truth.

A mixture :math:`p(z) = \sum_k w_k\, \mathcal N(z; \mu_k, \Sigma_k)` on z = (x, y) has the
mixtures of the blocks as its marginals, :math:`p(x) = \sum_k w_k\,\mathcal N(x; \mu_k^x,
\Sigma_k^{xx})`, so the pointwise MI :math:`\log p(x, y) - \log p(x) - \log p(y)` is exact at
every point, while its mean has no closed form. :func:`mi_gaussian_mixture` averages it over
n joint samples: an unbiased estimate of I(X;Y) with stderr sd / sqrt(n) (the "fine
distributions" of Czyż, Grabowski, Vogt, Beerenwinkel & Marx, "The Mixtures and the Neural
Critics: On the Pointwise Mutual Information Profiles of Fine Distributions", 2023).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import logsumexp

from revinfo import _validate
from revinfo.result import Estimate

_LOG_2PI = math.log(2.0 * math.pi)


class GaussianMixture:
    """A finite Gaussian mixture on R^d with float64 NumPy sampling and log density.

    Args:
        weights: (K,) positive, summing to 1 (to 1e-9; renormalised).
        means: (K, d).
        covs: (K, d, d) symmetric positive definite.
    """

    def __init__(self, weights: Any, means: Any, covs: Any):
        w = _validate.float64_tensor(weights, "weights").numpy()
        mu = _validate.float64_tensor(means, "means").numpy()
        cov = _validate.float64_tensor(covs, "covs").numpy()
        if w.ndim != 1 or w.size < 1 or not np.all(w > 0) or abs(w.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must be a (K,) vector of positive numbers summing to 1, "
                             f"got {w}")
        k = w.size
        if mu.ndim != 2 or mu.shape[0] != k:
            raise ValueError(f"means must be ({k}, d), got shape {mu.shape}")
        d = mu.shape[1]
        if cov.shape != (k, d, d):
            raise ValueError(f"covs must be ({k}, {d}, {d}), got shape {cov.shape}")
        if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(cov))):
            raise ValueError("means and covs must be finite")
        if not np.allclose(cov, np.swapaxes(cov, 1, 2), atol=1e-12):
            raise ValueError("covs must be symmetric")
        try:
            self._chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ValueError("covs must be positive definite") from None
        self.weights, self.means, self.covs = w / w.sum(), mu, cov
        self.dim = d
        self._log_norm = (np.log(self.weights) - 0.5 * d * _LOG_2PI
                          - np.log(np.diagonal(self._chol, axis1=1, axis2=2)).sum(-1))

    def marginal(self, idx: Any) -> GaussianMixture:
        """The mixture of coordinates ``idx`` (a slice or index list)."""
        sel = np.arange(self.dim)[idx]
        return GaussianMixture(self.weights, self.means[:, sel],
                               self.covs[:, sel][:, :, sel])

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n float64 rows (n, d): component by ``rng.choice``, then its Gaussian."""
        comp = rng.choice(self.weights.size, size=n, p=self.weights)
        eps = rng.standard_normal((n, self.dim))
        return self.means[comp] + np.einsum("nij,nj->ni", self._chol[comp], eps)

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        """log p(z) for z (..., d), returning the leading shape."""
        z = np.asarray(z, dtype=np.float64)
        diff = z[..., None, :] - self.means  # (..., K, d)
        # solve L u = diff for every component: u = L^-1 diff
        lead = diff.shape[:-2]
        flat = diff.reshape(math.prod(lead), *diff.shape[-2:]).transpose(1, 2, 0)  # (K, d, m)
        u = np.linalg.solve(self._chol, flat)  # (K, d, m)
        quad = (u * u).sum(1).T.reshape(*lead, self.weights.size)
        return logsumexp(self._log_norm - 0.5 * quad, axis=-1)


def _points(value: Any, name: str, width: int) -> np.ndarray:
    """``value`` as a finite float64 array of shape (..., width) (ValueError/TypeError naming
    ``name``)."""
    arr = _validate.float64_tensor(value, name).numpy()
    if arr.ndim < 1 or arr.shape[-1] != width:
        raise ValueError(f"{name} must have shape (..., {width}), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def pmi_mixture(mix: GaussianMixture, dim_x: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log p(x, y) - log p(x) - log p(y) for the mixture on (x, y), X the first ``dim_x``
    coordinates; x (..., dx), y (..., dy) with broadcasting leading shapes.

    Raises ValueError naming x and y at points so far from every component (|x|, |y| beyond
    ~1e154 standard deviations) that the log densities overflow float64 and the pmi is -inf
    minus -inf."""
    if not isinstance(mix, GaussianMixture):
        raise TypeError(f"mix must be a GaussianMixture, got {type(mix).__name__}")
    dim_x = _validate.integer(dim_x, "dim_x", low=1, high=mix.dim - 1)
    x, y = _points(x, "x", dim_x), _points(y, "y", mix.dim - dim_x)
    try:
        lead = np.broadcast_shapes(x.shape[:-1], y.shape[:-1])
    except ValueError:
        raise ValueError(f"the leading shapes of x {x.shape[:-1]} and y {y.shape[:-1]} do not "
                         "broadcast") from None
    xy = np.concatenate([np.broadcast_to(x, (*lead, x.shape[-1])),
                         np.broadcast_to(y, (*lead, y.shape[-1]))], axis=-1)
    mx, my = mix.marginal(slice(0, dim_x)), mix.marginal(slice(dim_x, mix.dim))
    with np.errstate(over="ignore", invalid="ignore"):  # overflow: the ValueError below
        pmi = mix.log_prob(xy) - mx.log_prob(x) - my.log_prob(y)
    if np.isnan(pmi).any():
        raise ValueError("x and y hold points where the mixture's log densities overflow "
                         "float64 (too many standard deviations from every component)")
    return pmi


def mi_gaussian_mixture(weights: Any, means: Any, covs: Any, dim_x: int, n: int = 100_000,
                        seed: int | None = 0) -> Estimate:
    """I(X;Y) in nats for (X, Y) a Gaussian mixture, X the first ``dim_x`` coordinates: the
    mean of the exact pointwise MI over n joint samples, with stderr sd / sqrt(n)
    (module docstring)."""
    mix = GaussianMixture(weights, means, covs)
    dim_x = _validate.integer(dim_x, "dim_x", low=1, high=mix.dim - 1)
    n = _validate.integer(n, "n", low=2)
    z = mix.sample(n, _validate.rng(seed))
    pmi = pmi_mixture(mix, dim_x, z[:, :dim_x], z[:, dim_x:])
    return Estimate(float(pmi.mean()), float(pmi.std(ddof=1) / math.sqrt(n)),
                    "exact-density Monte Carlo (Gaussian mixture pmi mean)", n=n,
                    extra={"pmi_variance": float(pmi.var(ddof=1))})
