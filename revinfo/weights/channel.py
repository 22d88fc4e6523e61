r"""Information through a network whose first layer is drawn from its tempered local posterior:
:math:`I(X; Z)`, :math:`Z = g(W X)`, W drawn afresh for each input from the posterior
:math:`q(W)` of a linear-Gaussian layer (:func:`revinfo.weights.linear.linear_posterior`,
one regression per output row, all rows sharing the covariance :math:`\Sigma = P^{-1}`), g
invertible.

Given X = x, :math:`U = W x \sim N(M x, (x^T \Sigma x) I_k)` exactly (M the posterior mean,
k x d), and g is a bijection, so :math:`I(X; Z) = I(X; U)`. With :math:`\Sigma = L L^T` and
:math:`\tilde x = L^T x`, :math:`x^T\Sigma x = |\tilde x|^2` and :math:`M x = M L^{-T}\tilde x`:
the channel is the weight-noise channel of :func:`revinfo.exact.mi_weight_noise` with weight
:math:`M L^{-T}`, unit noise scale and input :math:`\tilde X = L^T X` (a bijection of X, so the
information is unchanged), whose nested Monte Carlo with exact p(u | x) gives the value and
its stderr. X must be Gaussian (then :math:`\tilde X` is too).

As beta (or n) grows, :math:`\Sigma \to 0` and I rises without bound (beta = inf, the
deterministic network, gives ``math.inf`` when M has full column rank); as the temperature
1/beta rises the weights spread and I falls.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch
from scipy import linalg
from torch import distributions as D

from revinfo.exact import mi_weight_noise
from revinfo.result import Estimate
from revinfo.weights.linear import linear_posterior


def _gaussian(dist: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(dist, D.MultivariateNormal):
        return (dist.loc.detach().double().numpy(),
                dist.covariance_matrix.detach().double().numpy())
    if (isinstance(dist, D.Independent) and isinstance(dist.base_dist, D.Normal)
            and dist.reinterpreted_batch_ndims == 1 and dist.base_dist.loc.ndim == 1):
        return (dist.mean.detach().double().numpy(),
                np.diag(dist.variance.detach().double().numpy()))
    raise TypeError("dist must be a Gaussian base (torch MultivariateNormal or "
                    f"Independent(Normal)), got {type(dist).__name__}")


def mi_posterior_channel(dist: D.Distribution, X: Any, Y: Any, noise_sd: float, beta: float,
                         gamma: float = 0.0, center: Any = None, flow: Any = None, *,
                         n: int = 4000, seed: int | None = 0, inner: int | str = "auto"
                         ) -> Estimate:
    r"""I(X; g(W X)) in nats, W ~ the tempered local posterior of the linear-Gaussian layer
    fitted to (X_train, Y_train) = (``X``, ``Y``) (module docstring).

    Args:
        dist: the Gaussian law of the input X, event shape (d,).
        X: the training design, (m, d).
        Y: the training targets, (m,) or (m, k); the layer is k x d.
        noise_sd: as in :func:`revinfo.weights.linear_posterior`.
        beta: as in :func:`revinfo.weights.linear_posterior`; ``beta = math.inf`` is the
            deterministic layer W = the least-squares fit.
        gamma: as in :func:`revinfo.weights.linear_posterior`.
        center: as in :func:`revinfo.weights.linear_posterior`.
        flow: g, invertible on R^k (validated; the value does not depend on it).
        n: as in :func:`revinfo.exact.mi_weight_noise`.
        seed: as in :func:`revinfo.exact.mi_weight_noise`.
        inner: as in :func:`revinfo.exact.mi_weight_noise`.
    """
    t0 = time.perf_counter()
    mean, cov = _gaussian(dist)
    if isinstance(beta, (int, float)) and not isinstance(beta, bool) and beta == math.inf:
        fit = np.linalg.lstsq(np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64),
                              rcond=None)[0]
        weight = np.atleast_2d(fit.T) if np.ndim(fit) == 2 else fit[None, :]
        e = mi_weight_noise(dist, weight, 0.0, flow, n=n, seed=seed, inner=inner)
        return Estimate(e.value, e.stderr, e.method, e.n, time.perf_counter() - t0,
                        {"beta": beta})
    post = linear_posterior(X, Y, noise_sd, beta, gamma, center)
    d = post.cov.shape[0]
    if mean.shape[0] != d:
        raise ValueError(f"dist has dimension {mean.shape[0]} but X has {d} columns")
    m = post.mean.T if post.mean.ndim == 2 else post.mean[None, :]  # (k, d)
    low = linalg.cholesky(post.cov, lower=True)
    weight = linalg.solve_triangular(low, m.T, lower=True).T  # M L^{-T}
    base = D.MultivariateNormal(torch.from_numpy(low.T @ mean),
                                covariance_matrix=torch.from_numpy(low.T @ cov @ low))
    e = mi_weight_noise(base, weight, 1.0, flow, n=n, seed=seed, inner=inner)
    extra = dict(e.extra)
    extra.update({"beta": beta, "gamma": gamma, "posterior_cov": post.cov,
                  "posterior_mean": post.mean})
    return Estimate(e.value, e.stderr, "posterior weight channel: " + e.method, e.n,
                    time.perf_counter() - t0, extra)
