r"""The tempered local posterior of a linear-Gaussian model, in closed form.

For data :math:`(x_i, y_i)_{i \le n}`, noise sd :math:`\sigma`, inverse temperature
:math:`\beta \ge 0`, localization :math:`\gamma \ge 0` and centre :math:`w^*` (the trained
weights), the tempered local posterior is

.. math:: q(w) \propto \exp\Big(-\beta \sum_i \frac{(y_i - x_i^T w)^2}{2\sigma^2}
          - \frac\gamma2 \lVert w - w^* \rVert^2\Big) = N(\mu, P^{-1}),

.. math:: P = \beta X^T X / \sigma^2 + \gamma I, \qquad
          \mu = P^{-1}(\beta X^T y / \sigma^2 + \gamma w^*),

the Gibbs posterior localised by a Gaussian as in Lau, Furman, Wang, Murfet & Wei, "The local
learning coefficient: a singularity-aware complexity measure", arXiv:2308.12108 (2023), whose
SGLD sampler (:mod:`revinfo.weights.sgld`) targets the same density with
:math:`L_n(w) = \frac1n \sum_i (y_i - x_i^T w)^2 / (2\sigma^2)` and :math:`n\beta`.
Several outputs (y of shape (n, k)) are independent regressions sharing P.

The information in the weights (Achille & Soatto, "Emergence of invariance and disentanglement
in deep representations", JMLR 19 (2018); Achille, Paolini & Soatto, arXiv:1905.12213) is
:math:`\mathrm{KL}(q \,\Vert\, p)` for a prior p; with a Gaussian prior it is the Gaussian KL
(nats). The learning coefficient of a regular model with d parameters is d/2 (Watanabe,
"Algebraic Geometry and Statistical Learning Theory", 2009: the regular case); the
expectation of the LLC estimator :math:`n\beta(E_q L_n - L_n(w^*))` is exact here
(:func:`expected_llc`).
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import numpy as np
from scipy import linalg

from revinfo import _validate
from revinfo.result import Estimate


class GaussianPosterior(NamedTuple):
    """``mean`` (d,) or (d, k) (one column per output), ``cov`` (d, d) shared by the columns,
    and the Cholesky factor ``chol`` (lower) of the precision P."""

    mean: np.ndarray
    cov: np.ndarray
    chol: np.ndarray


def _design(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    xa = _validate.samples(x, "X")
    if isinstance(y, (np.ndarray, list, tuple)) or hasattr(y, "detach"):
        ya = _validate.samples(y, "y")
    else:
        raise TypeError(f"y must be a numpy array or torch tensor, got {type(y).__name__}")
    _validate.same_length(xa, ya, ("X", "y"))
    return xa, ya


def _center(center: Any, xa: np.ndarray, ya: np.ndarray) -> np.ndarray:
    """w* as a (d, k) array; None -> the minimum-norm least-squares solution."""
    d, k = xa.shape[1], ya.shape[1]
    if center is None:
        return np.linalg.lstsq(xa, ya, rcond=None)[0]
    try:
        c = np.array(center, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"center must be a numeric (d,) or (d, k) array, got "
                        f"{type(center).__name__}") from err
    if c.ndim == 1 and k == 1:
        c = c[:, None]
    if c.shape != (d, k):
        raise ValueError(f"center must have shape ({d},) or ({d}, {k}) for X with {d} columns "
                         f"and {k} output(s), got {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError("center contains NaN or inf")
    return c


def _precision_chol(xa: np.ndarray, sd: float, beta: float, gamma: float) -> np.ndarray:
    d = xa.shape[1]
    prec = beta * (xa.T @ xa) / sd**2 + gamma * np.eye(d)
    try:
        return linalg.cholesky(prec, lower=True)
    except linalg.LinAlgError as err:
        rank = np.linalg.matrix_rank(xa)
        raise ValueError(f"the posterior precision beta X^T X / noise_sd^2 + gamma I is not "
                         f"positive definite (X has rank {rank} of {d}, beta={beta}, "
                         f"gamma={gamma}): use gamma > 0") from err


def _squeeze(a: np.ndarray, k: int) -> np.ndarray:
    return a[:, 0] if k == 1 else a


def linear_posterior(X: Any, y: Any, noise_sd: float, beta: float = 1.0, gamma: float = 0.0,
                     center: Any = None) -> GaussianPosterior:
    r"""Mean and covariance of the tempered local posterior :math:`N(\mu, P^{-1})` of a
    linear-Gaussian model (module docstring), by a Cholesky factorisation of P in float64.

    Args:
        X: design, (n, d). y: targets, (n,) or (n, k) (k independent outputs).
        noise_sd: sigma > 0. beta: inverse temperature >= 0 (0 gives the localizer).
        gamma: localization strength >= 0 (P must be positive definite).
        center: w*, (d,) or (d, k); None: the minimum-norm least-squares solution.

    Returns:
        :class:`GaussianPosterior` (mean (d,) for y of shape (n,), else (d, k)).

    Example:
        >>> post = linear_posterior([[1.0], [2.0]], [1.0, 2.0], 1.0, beta=1.0, gamma=1.0)
        >>> round(float(post.mean[0]), 6), round(float(post.cov[0, 0]), 6)
        (1.0, 0.166667)
    """
    xa, ya = _design(X, y)
    sd = _validate.noise_scale(noise_sd, "noise_sd")
    beta = _validate.positive(beta, "beta", allow_zero=True)
    gamma = _validate.positive(gamma, "gamma", allow_zero=True)
    c = _center(center, xa, ya)
    chol = _precision_chol(xa, sd, beta, gamma)
    rhs = beta * (xa.T @ ya) / sd**2 + gamma * c
    mean = linalg.cho_solve((chol, True), rhs)
    cov = linalg.cho_solve((chol, True), np.eye(xa.shape[1]))
    return GaussianPosterior(_squeeze(mean, ya.shape[1]), 0.5 * (cov + cov.T), chol)


def gaussian_kl(mean: Any, cov: Any, mean0: Any, cov0: Any) -> float:
    r""":math:`\mathrm{KL}(N(m, S) \Vert N(m_0, S_0)) = \tfrac12[\mathrm{tr}(S_0^{-1}S)
    + (m_0 - m)^T S_0^{-1} (m_0 - m) - d + \log\det S_0 - \log\det S]` in nats; a (d, k) mean
    is k independent columns sharing the covariances (their KLs add)."""
    m = np.asarray(mean, dtype=np.float64)
    m0 = np.broadcast_to(np.asarray(mean0, dtype=np.float64), m.shape)
    s, s0 = np.asarray(cov, dtype=np.float64), np.asarray(cov0, dtype=np.float64)
    d = s.shape[0]
    m2, m02 = m.reshape(d, -1), m0.reshape(d, -1)
    k = m2.shape[1]
    l0 = linalg.cholesky(s0, lower=True)
    ls = linalg.cholesky(s, lower=True)
    trace = np.sum(linalg.solve_triangular(l0, ls, lower=True) ** 2)
    maha = np.sum(linalg.solve_triangular(l0, m02 - m2, lower=True) ** 2)
    logdet = 2.0 * (np.sum(np.log(np.diag(l0))) - np.sum(np.log(np.diag(ls))))
    return float(0.5 * (k * (trace - d + logdet) + maha))


def information_in_weights(X: Any, y: Any, noise_sd: float, beta: float = 1.0,
                           gamma: float = 1.0, center: Any = None, *, prior_mean: Any = None,
                           prior_cov: Any = None) -> Estimate:
    r"""Information in the weights :math:`\mathrm{KL}(q \Vert p)` in nats, q the tempered local
    posterior of :func:`linear_posterior` (Achille & Soatto 2018, module docstring).

    The prior p is, by default, the localizing Gaussian :math:`N(w^*, I/\gamma)` (then
    KL = 0 at beta = 0 and the KL grows with beta); or a given :math:`N(m_0, S_0)`
    (``prior_mean`` (d,) or (d, k), ``prior_cov`` (d, d), both required). Closed form, exact.
    """
    t0 = time.perf_counter()
    post = linear_posterior(X, y, noise_sd, beta, gamma, center)
    d = post.cov.shape[0]
    if (prior_mean is None) != (prior_cov is None):
        raise ValueError("give both prior_mean and prior_cov, or neither (the localizer)")
    if prior_cov is None:
        if gamma <= 0:
            raise ValueError("the default prior is the localizer N(center, I/gamma): "
                             "it needs gamma > 0 (or give prior_mean and prior_cov)")
        xa, ya = _design(X, y)
        m0 = _squeeze(_center(center, xa, ya), ya.shape[1])
        s0 = np.eye(d) / gamma
        which = "localizer N(center, I/gamma)"
    else:
        from revinfo.dist import spd_matrix

        s0 = spd_matrix(prior_cov, "prior_cov").numpy()
        if s0.shape[0] != d:
            raise ValueError(f"prior_cov must be ({d}, {d}), got {s0.shape}")
        m0 = np.asarray(prior_mean, dtype=np.float64)
        if m0.shape not in ((d,), post.mean.shape) or not np.all(np.isfinite(m0)):
            raise ValueError(f"prior_mean must be finite with shape ({d},) or "
                             f"{post.mean.shape}, got {m0.shape}")
        which = "given N(prior_mean, prior_cov)"
    value = gaussian_kl(post.mean, post.cov, m0, s0)
    return Estimate(max(value, 0.0), None, "closed-form gaussian KL(posterior || prior)", None,
                    time.perf_counter() - t0, {"prior": which, "beta": beta, "gamma": gamma})


def regular_learning_coefficient(d: int) -> float:
    """The (local) learning coefficient of a regular model with d parameters: d/2
    (Watanabe 2009; Lau et al. 2023, sec. 3)."""
    return _validate.integer(d, "d", low=1) / 2.0


def expected_llc(X: Any, y: Any, noise_sd: float, beta: float, gamma: float = 0.0,
                 center: Any = None, *, step_size: float = 0.0) -> float:
    r"""The exact expectation of the LLC estimator :math:`n\beta(E_q[L_n(w)] - L_n(w^*))` on a
    linear-Gaussian model (one output), :math:`L_n(w) = \frac1n\sum_i (y_i - x_i^T w)^2 /
    (2\sigma^2)`, q the tempered local posterior, or with ``step_size`` = eps > 0 the stationary
    law of unadjusted full-batch Langevin (SGLD) at that step: N(mu, (P - eps P^2 / 4)^{-1})
    (the recursion w' = w - eps/2 P (w - mu) + sqrt(eps) xi; its variance solves
    S = (I - eps P/2) S (I - eps P/2) + eps I).

    With H = X^T X / (n sigma^2) and g = grad L_n(w*):
    :math:`n\beta[(\mu - w^*)^T g + \tfrac12 \mathrm{tr}(H S) + \tfrac12 (\mu-w^*)^T H
    (\mu - w^*)]`, which tends to d/2 as gamma -> 0 and eps -> 0 at the least-squares centre.
    """
    post = linear_posterior(X, y, noise_sd, beta, gamma, center)
    xa, ya = _design(X, y)
    if ya.shape[1] != 1:
        raise ValueError(f"expected_llc takes one output (y of shape (n,)), got {ya.shape}")
    eps = _validate.positive(step_size, "step_size", allow_zero=True)
    n = xa.shape[0]
    sd = float(noise_sd)
    c = _center(center, xa, ya)[:, 0]
    hess = xa.T @ xa / (n * sd**2)
    grad = -xa.T @ (ya[:, 0] - xa @ c) / (n * sd**2)
    cov = ula_covariance(xa, sd, beta, gamma, eps) if eps > 0 else post.cov
    delta = post.mean - c
    return float(n * beta * (delta @ grad + 0.5 * np.trace(hess @ cov) + 0.5 * delta @ hess @ delta))


def ula_covariance(X: Any, noise_sd: float, beta: float, gamma: float, step_size: float
                   ) -> np.ndarray:
    """The stationary covariance (P - eps P^2/4)^{-1} of full-batch unadjusted Langevin at
    step eps on the linear-Gaussian posterior (see :func:`expected_llc`); tends to P^{-1}."""
    xa = _validate.samples(X, "X")
    sd = _validate.noise_scale(noise_sd, "noise_sd")
    eps = _validate.positive(step_size, "step_size")
    prec = beta * xa.T @ xa / sd**2 + gamma * np.eye(xa.shape[1])
    shrunk = prec - eps * prec @ prec / 4.0
    if np.linalg.eigvalsh(shrunk).min() <= 0:
        raise ValueError(f"step_size={eps} is beyond the stability limit 4 / lambda_max(P)")
    return np.linalg.inv(shrunk)


__all__ = ["GaussianPosterior", "expected_llc", "gaussian_kl", "information_in_weights",
           "linear_posterior", "regular_learning_coefficient", "ula_covariance"]
