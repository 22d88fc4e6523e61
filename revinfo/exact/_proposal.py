r"""The inner importance proposal of the nested Monte Carlo truths: a defensive mixture

.. math:: q = \alpha_1 N(\mu, P^{-1}) + \alpha_2 N(\mu, c^2 P^{-1}) + \alpha_3 r,

where :math:`N(\mu, P^{-1})` is a Gaussian (Laplace / linearised) approximation of the posterior
:math:`p(x' \mid y)`, the wider copy and the third component r keep the weights bounded where
the approximation is poor (r is the prior p_X, or a component the caller supplies). Draws are
stratified (a fixed count per component), which keeps the estimator unbiased for the mixture
density (see :mod:`revinfo.exact._nested` for how the draws are used).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import distributions as D

from revinfo.exact._prior import LOG_2PI, log_prob, sample_base, standard_normal

WIDEN = 2.0
MIXTURE = (0.8, 0.1, 0.1)  # posterior approximation, wider copy, prior


def gaussian_posterior(
    x0: torch.Tensor,
    grad_prior: torch.Tensor,
    neg_hess_prior: torch.Tensor,
    jac: torch.Tensor,
    resid: torch.Tensor,
    noise_var: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""One Newton step from ``x0`` on :math:`\log p_X(x) + \log N(y; f(x_0) + J(x - x_0), v I)`.

    Precision :math:`P = H_{prior} + J^T J / v`, mean
    :math:`x_0 + P^{-1}(\nabla \log p_X(x_0) + J^T (y - f(x_0)) / v)`; exact for a Gaussian
    base and a linear map. Returns (mean, Cholesky factor L of P = L L^T).
    """
    v = noise_var.reshape(-1, 1, 1)
    jt = jac.transpose(1, 2) / v
    prec = torch.baddbmm(neg_hess_prior, jt, jac)  # symmetric; Cholesky reads its lower half
    if not bool(torch.isfinite(prec).all()):
        raise ValueError("the posterior precision J^T J / v + H is not finite: the noise "
                         "variance v under- or overflows float64 (use a larger noise scale)")
    chol, info = torch.linalg.cholesky_ex(prec)
    bad = info != 0
    if bool(bad.any()):
        chol[bad] = torch.linalg.cholesky(_eigen_floor(prec[bad]))
    rhs = grad_prior + (jt @ resid[:, :, None])[:, :, 0]
    mean = x0 + torch.cholesky_solve(rhs[:, :, None], chol)[:, :, 0]
    return mean, chol


def _eigen_floor(prec: torch.Tensor, rel: float = 1e-8) -> torch.Tensor:
    """Symmetric matrices made positive definite: eigenvalues replaced by max(|lambda|,
    rel max|lambda|) (a non-log-concave prior makes H indefinite). Any positive definite
    precision gives a valid proposal; this one keeps the curvature's directions and sizes."""
    w, v = torch.linalg.eigh(0.5 * (prec + prec.transpose(1, 2)))
    top = w.abs().amax(1, keepdim=True)
    w = torch.maximum(w.abs(), (rel * top).clamp_min(torch.finfo(prec.dtype).tiny))
    return (v * w[:, None, :]) @ v.transpose(1, 2)


def _counts(k: int) -> list[int]:
    """Draws per component: at least one defensive draw each once k >= 4."""
    if k < 4:
        return [k, 0, 0]
    c1 = max(1, int(round(k * MIXTURE[1])))
    c2 = max(1, int(round(k * MIXTURE[2])))
    return [k - c1 - c2, c1, c2]


def sample_mixture(
    dist: D.Distribution, mean: torch.Tensor, chol: torch.Tensor, k: int,
    sample_third: Callable[[int], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, float, torch.Tensor]:
    """k stratified draws per point from the defensive mixture (global torch RNG).

    The third stratum is the prior p_X, or ``sample_third(count)`` (draws (m, count, d)) whose
    density the caller supplies (:func:`mixture_log_q`). Returns x (m, k, d), the two Gaussian
    components' log densities plus their log stratum fractions (m, k, 2), the third stratum's
    log fraction, and log p_X(x) (m, k).
    """
    m, d = mean.shape
    n0, n1, n2 = _counts(k)
    u = standard_normal((m, n0 + n1, d)).to(mean.device, mean.dtype)  # CPU stream: seeded
    u[:, n0:] *= WIDEN
    # x = mean + L^{-T} u has covariance P^{-1}; L^{-T} once per point, then one batched GEMM
    # (faster than a triangular solve with k right-hand sides)
    eye = torch.eye(d, dtype=chol.dtype, device=chol.device).expand(m, d, d)
    inv_t = torch.linalg.solve_triangular(chol.transpose(1, 2), eye, upper=True)
    x_gauss = torch.baddbmm(mean[:, None, :], u, inv_t.transpose(1, 2))
    if sample_third is None or n2 == 0:
        x_third = sample_base(dist, (m, n2)).to(mean.device, mean.dtype)
    else:
        x_third = sample_third(n2).to(mean.device, mean.dtype)
    x = torch.cat([x_gauss, x_third], 1)
    lp = log_prob(dist, x)
    # |L^T (x - mean)|^2: that is |u|^2 for the Gaussian draws; computed for the third's
    quad_third = ((x_third - mean[:, None, :]) @ chol).pow(2).sum(-1)
    quad = torch.cat([u.pow(2).sum(-1), quad_third], 1)
    half_logdet = torch.log(chol.diagonal(dim1=1, dim2=2)).sum(1)[:, None]
    log_n = -0.5 * d * LOG_2PI + half_logdet - 0.5 * quad
    log_wide = -0.5 * d * LOG_2PI + half_logdet - d * math.log(WIDEN) - 0.5 * quad / WIDEN**2

    # the mixture weights are the stratum fractions, so the estimate is exactly unbiased
    def log_frac(c: int) -> float:
        return math.log(c / k) if c else -math.inf

    log_gauss = torch.stack([log_n + log_frac(n0), log_wide + log_frac(n1)], -1)
    return x, log_gauss, log_frac(n2), lp


def mixture_log_q(log_gauss: torch.Tensor, log_frac_third: float,
                  log_third: torch.Tensor) -> torch.Tensor:
    """log q(x) of the stratified mixture from :func:`sample_mixture`'s Gaussian terms and the
    third component's log density at every draw."""
    return torch.logaddexp(torch.logsumexp(log_gauss, -1), log_third + log_frac_third)
