r"""Shared machinery for the nested Monte Carlo truths (``mi_noisy``, ``mi_weight_noise``).

The quantity both need per outer point is a log marginal density
:math:`\log p(y) = \log \int p_X(x')\,\ell(y \mid x')\,dx'`. It is estimated by importance
sampling in x-space from a defensive mixture

.. math:: q = \alpha_1 N(\mu, P^{-1}) + \alpha_2 N(\mu, c^2 P^{-1}) + \alpha_3 p_X,

where :math:`N(\mu, P^{-1})` is a Gaussian (Laplace / linearised) approximation of the posterior
:math:`p(x' \mid y)`, the wider copy and the prior keep the weights bounded where the
approximation is poor. Draws are stratified (a fixed count per component), which keeps the
estimator unbiased for the mixture density. :math:`\log \bar w` is biased low by
:math:`\mathrm{Var}(w) / (2 K \bar w^2)` (delta method); that term is added back per point.
The outer average uses zero-mean control variates fitted by least squares.
"""

from __future__ import annotations

import math
import warnings

import torch
from torch import distributions as D

LOG_2PI = math.log(2.0 * math.pi)
WIDEN = 2.0
MIXTURE = (0.8, 0.1, 0.1)  # posterior approximation, wider copy, prior


class InnerDrawWarning(UserWarning):
    """Doubling the inner draws moved a nested Monte Carlo value beyond its stderr."""


# --- the base distribution ------------------------------------------------------------


def gaussian_params(dist: D.Distribution) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(mean, covariance) if ``dist`` is Gaussian, else None."""
    if isinstance(dist, D.MultivariateNormal):
        return dist.loc.to(torch.float64), dist.covariance_matrix.to(torch.float64)
    if isinstance(dist, D.Independent) and isinstance(dist.base_dist, D.Normal):
        if dist.reinterpreted_batch_ndims == 1 and dist.base_dist.loc.ndim == 1:
            b = dist.base_dist
            return b.loc.to(torch.float64), torch.diag(b.scale.to(torch.float64) ** 2)
    return None


def log_prob(dist: D.Distribution, x: torch.Tensor) -> torch.Tensor:
    """log p_X(x) over the last axis, -inf outside the support (no validation error).

    Evaluated where the distribution's parameters live (the CPU for ``revinfo.dist``) and
    returned on x's device."""
    if x.device.type != "cpu":
        return log_prob(dist, x.to("cpu")).to(x.device)
    flat = x.reshape(-1, x.shape[-1])
    inside = dist.support.check(flat)
    if inside.ndim > 1:
        inside = inside.all(-1)
    if bool(inside.all()):
        return dist.log_prob(flat).reshape(x.shape[:-1])
    safe = torch.where(inside[:, None], flat, dist.mean.to(flat.dtype).expand_as(flat))
    lp = dist.log_prob(safe).masked_fill(~inside, -math.inf)
    return lp.reshape(x.shape[:-1])


def prior_terms(
    dist: D.Distribution, x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """log p_X(x), its gradient, and the PSD part of -Hessian (exact for a Gaussian base)."""
    g = gaussian_params(dist)
    if g is not None:
        mean, cov = (t.to(x.device) for t in g)
        prec = torch.linalg.inv(cov)
        prec = 0.5 * (prec + prec.T)
        return log_prob(dist, x), -(x - mean) @ prec, prec.expand(x.shape[0], -1, -1)
    d = x.shape[1]
    with torch.enable_grad():
        xg = x.detach().requires_grad_(True)
        lp = log_prob(dist, xg) + 0.0 * xg.sum(1)
        (grad,) = torch.autograd.grad(lp.sum(), xg, create_graph=True)
        if grad.requires_grad:
            rows = [
                torch.autograd.grad(grad[:, i].sum(), xg, retain_graph=i < d - 1,
                                    allow_unused=True)[0]
                for i in range(d)
            ]
            rows = [torch.zeros_like(x) if r is None else r for r in rows]
            hess = -torch.stack(rows, 1)
        else:
            hess = x.new_zeros(x.shape[0], d, d)
    hess = 0.5 * (hess + hess.transpose(1, 2)).detach()
    evals, evecs = torch.linalg.eigh(hess)
    hess = (evecs * evals.clamp_min(0.0)[:, None, :]) @ evecs.transpose(1, 2)
    grad = torch.nan_to_num(grad.detach(), nan=0.0, posinf=0.0, neginf=0.0)
    return lp.detach(), grad, hess


# --- the Gaussian posterior approximation and the defensive mixture ---------------------


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
    prec = neg_hess_prior + jac.transpose(1, 2) @ jac / v
    prec = 0.5 * (prec + prec.transpose(1, 2))
    chol, info = torch.linalg.cholesky_ex(prec)
    if bool((info != 0).any()):
        scale = prec.diagonal(dim1=1, dim2=2).mean(1).abs().clamp_min(1e-12)
        eye = torch.eye(prec.shape[1], dtype=prec.dtype, device=prec.device)
        chol = torch.linalg.cholesky(prec + 1e-8 * scale[:, None, None] * eye)
    rhs = grad_prior + (jac.transpose(1, 2) @ resid[:, :, None])[:, :, 0] / v[:, :, 0]
    mean = x0 + torch.cholesky_solve(rhs[:, :, None], chol)[:, :, 0]
    return mean, chol


def _counts(k: int) -> list[int]:
    """Draws per component: at least one defensive draw each once k >= 4."""
    if k < 4:
        return [k, 0, 0]
    c1 = max(1, int(round(k * MIXTURE[1])))
    c2 = max(1, int(round(k * MIXTURE[2])))
    return [k - c1 - c2, c1, c2]


def sample_mixture(
    dist: D.Distribution, mean: torch.Tensor, chol: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """k stratified draws per point from the defensive mixture (global torch RNG).

    Returns x (m, k, d), log q(x) (m, k) and log p_X(x) (m, k).
    """
    m, d = mean.shape
    n0, n1, n2 = _counts(k)
    u = torch.randn(m, n0 + n1, d, dtype=mean.dtype).to(mean.device)  # CPU stream: seeded
    u[:, n0:] *= WIDEN
    # x = mean + L^{-T} u  has covariance P^{-1}
    step = torch.linalg.solve_triangular(chol.transpose(1, 2), u.transpose(1, 2), upper=True)
    x_gauss = mean[:, None, :] + step.transpose(1, 2)
    x_prior = dist.sample((m, n2)).to(mean.dtype).to(mean.device)
    x = torch.cat([x_gauss, x_prior], 1)
    lp = log_prob(dist, x)
    quad = ((x - mean[:, None, :]) @ chol).pow(2).sum(-1)  # |L^T (x - mean)|^2
    half_logdet = torch.log(chol.diagonal(dim1=1, dim2=2)).sum(1)[:, None]
    log_n = -0.5 * d * LOG_2PI + half_logdet - 0.5 * quad
    log_wide = -0.5 * d * LOG_2PI + half_logdet - d * math.log(WIDEN) - 0.5 * quad / WIDEN**2
    # the mixture weights are the stratum fractions, so the estimate is exactly unbiased
    def log_frac(c: int) -> float:
        return math.log(c / k) if c else -math.inf

    comps = torch.stack([log_n + log_frac(n0), log_wide + log_frac(n1), lp + log_frac(n2)], 0)
    return x, torch.logsumexp(comps, 0), lp


# --- per-point log-mean and the outer average --------------------------------------------


def log_mean(logw: torch.Tensor, corrected: bool = True) -> torch.Tensor:
    r"""Per row, :math:`\log \bar w` plus (if ``corrected``) the delta-method bias term
    :math:`\widehat{\mathrm{Var}}(w) / (2K\bar w^2)`."""
    k = logw.shape[1]
    top = logw.max(1, keepdim=True).values
    if bool(torch.isinf(top).any()):
        raise ValueError(
            "every inner importance weight is zero for some outer point; "
            "increase inner= (bounded bases at small sigma need more inner draws)"
        )
    w = torch.exp(logw - top)
    mean = w.mean(1)
    out = top[:, 0] + torch.log(mean)
    if corrected and k > 1:
        out = out + w.var(1) / mean**2 / (2 * k)
    return out


def ess_fraction(logw: torch.Tensor) -> torch.Tensor:
    """Kish effective sample size of each row's weights, as a fraction of the draws."""
    w = torch.softmax(logw, 1)
    return 1.0 / (w.pow(2).sum(1) * logw.shape[1])


def cv_mean(
    target: torch.Tensor, controls: torch.Tensor | None, extra_var: torch.Tensor | None = None
) -> tuple[float, float, list[float]]:
    """Mean of ``target`` with zero-mean control variates (columns of ``controls``) fitted by
    least squares; stderr from the residuals (degrees of freedom corrected).

    ``extra_var`` (one entry per column) is the variance of a column's assumed zero mean, when
    that mean was itself estimated elsewhere: beta_j^2 * extra_var_j is added to the variance.
    """
    t = target.to(torch.float64)
    n = t.shape[0]
    if controls is None or controls.shape[1] == 0:
        return float(t.mean()), float(t.std() / math.sqrt(n)), []
    c = controls.to(torch.float64)
    keep = c.std(0) > 1e-12 * (1.0 + c.abs().mean(0))
    beta = torch.zeros(c.shape[1], dtype=torch.float64, device=c.device)
    if bool(keep.any()):
        ck = c[:, keep]
        cc = ck - ck.mean(0)
        sol = torch.linalg.lstsq(cc, (t - t.mean())[:, None], driver="gelsd").solution[:, 0]
        beta[keep] = sol
    resid = t - c @ beta
    p = int(keep.sum())
    var = resid.var() / n * (n - 1) / max(1, n - 1 - p)
    if extra_var is not None:
        var = var + (beta**2 * extra_var).sum()
    return float(resid.mean()), float(torch.sqrt(var)), beta.tolist()


def laplace_controls(
    chol: torch.Tensor, jac: torch.Tensor, grad_prior: torch.Tensor, eps: torch.Tensor,
    scale: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Control variates with zero mean given x (eps ~ N(0, I) independent of x): the
    eps-dependent terms of :math:`\log N(x_0; \mu, P^{-1})` for the posterior approximation
    with residual y - f(x_0) = scale * eps, i.e. :math:`g^T P^{-1} J^T \varepsilon / s` and
    :math:`(\varepsilon^T J P^{-1} J^T \varepsilon - \mathrm{tr}\,J P^{-1} J^T) / s^2`."""
    lj = torch.linalg.solve_triangular(chol, jac.transpose(1, 2), upper=False)  # L^-1 J^T
    v = (lj @ eps[:, :, None])[:, :, 0]
    gp = torch.linalg.solve_triangular(chol, grad_prior[:, :, None], upper=False)[:, :, 0]
    return (gp * v).sum(1) / scale, (v.pow(2).sum(1) - lj.pow(2).sum((1, 2))) / scale**2


def inner_halves(
    draw, dist: D.Distribution, mean: torch.Tensor, chol: torch.Tensor, inner: int
) -> dict[str, torch.Tensor]:
    """Two independent stratified blocks of inner/2 draws; ``draw(xs, logq, lps)`` returns
    the log weights. Per-point log-means: corrected (all draws, and the first half only),
    uncorrected, and the mean effective sample size fraction."""
    blocks = []
    for _ in range(2):
        blocks.append(draw(*sample_mixture(dist, mean, chol, inner // 2)))
    logw = torch.cat(blocks, 1)
    return {
        "L": log_mean(logw), "L_half": log_mean(blocks[0]),
        "L_raw": log_mean(logw, corrected=False),
        "ess": 0.5 * (ess_fraction(blocks[0]) + ess_fraction(blocks[1])),
    }


def summarize(
    target, parts: dict[str, torch.Tensor], controls: torch.Tensor, extra_var: torch.Tensor,
    inner: int, name: str,
) -> tuple[float, float, dict]:
    """Control-variate mean of ``target(L)`` for the full and the half inner draws, the
    doubling check (warns with :class:`InnerDrawWarning` if it fails) and diagnostics."""
    n = controls.shape[0]
    value, se, beta = cv_mean(target(parts["L"]), controls, extra_var)
    half = cv_mean(target(parts["L_half"]), controls, extra_var)[0]
    raw = cv_mean(target(parts["L_raw"]), controls, extra_var)[0]
    shift = value - half
    shift_se = float((parts["L_half"] - parts["L"]).std() / math.sqrt(n))
    ok = abs(shift) <= max(se, 3.0 * shift_se)
    if not ok:
        warnings.warn(
            f"{name}: doubling the inner draws ({inner // 2} -> {inner}) moved the value by "
            f"{shift:.4g} nats, beyond its stderr {se:.2g}; increase inner=",
            InnerDrawWarning, stacklevel=3,
        )
    extra = {
        "inner": inner, "value_half_inner": half, "inner_shift": shift,
        "inner_shift_stderr": shift_se, "inner_check_ok": ok, "value_uncorrected": raw,
        "ess_fraction_mean": float(parts["ess"].mean()),
        "ess_fraction_min": float(parts["ess"].min()), "cv_beta": beta,
    }
    return value, se, extra
