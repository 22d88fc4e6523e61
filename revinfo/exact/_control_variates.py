"""Control variates for the outer average of the nested Monte Carlo truths: the least-squares
control-variate mean with its HC2 stderr, and the Laplace controls (zero mean given x)."""

from __future__ import annotations

import math

import torch


def cv_mean(
    target: torch.Tensor, controls: torch.Tensor | None, extra_var: torch.Tensor | None = None
) -> tuple[float, float, list[float]]:
    r"""Mean of ``target`` with zero-mean control variates (columns of ``controls``) fitted by
    least squares: the intercept :math:`\hat\theta = \bar t - \bar c^T \hat\beta` of the
    regression of t on (1, c).

    Its stderr is the leverage-adjusted sandwich (HC2, MacKinnon & White 1985, J. Econometrics
    29: 305-325): :math:`\hat\theta = \sum_i a_i t_i` with :math:`a = X (X^T X)^{-1} g`,
    :math:`g = (1, -\bar c)`, and :math:`\widehat{\mathrm{Var}} = \sum_i a_i^2 e_i^2 / (1 - h_{ii})`
    (e the residuals, h the hat values). The plain residual variance over n - 1 - p misses
    the fit's noise and the leverage of heavy-tailed controls: on a linear-Gaussian case at
    n = 200 it was 15% small (sd of z 1.21 over 150 seeds), HC2's within 2% (1.05).
    Without controls it is the usual s / sqrt(n).

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
    ck = c[:, keep]
    # centred, unit-variance columns: the fit and its variance do not depend on the controls'
    # scales (which can differ by 1e10; unscaled, lstsq's rank cut dropped the small ones)
    scale = ck.std(0)
    z = (ck - ck.mean(0)) / scale
    if bool(keep.any()):
        sol = torch.linalg.lstsq(z, (t - t.mean())[:, None], driver="gelsd").solution[:, 0]
        beta[keep] = sol / scale
    resid = t - c @ beta
    var = _hc2_intercept_var(z, resid - resid.mean(), ck.mean(0) / scale)
    if extra_var is not None:
        var = var + (beta**2 * extra_var).sum()
    return float(resid.mean()), float(torch.sqrt(var)), beta.tolist()


def _hc2_intercept_var(z: torch.Tensor, e: torch.Tensor, z_mean: torch.Tensor) -> torch.Tensor:
    """HC2 variance of t_bar - z_mean^T beta_hat for the design (1, z) (z centred, unit-variance
    controls), residuals e (see :func:`cv_mean`)."""
    n = e.shape[0]
    x = torch.cat([torch.ones(n, 1, dtype=e.dtype, device=e.device), z], 1)
    x_inv = x @ torch.linalg.pinv(x.T @ x)  # rows x_i^T (X^T X)^-1
    g = torch.cat([torch.ones(1, dtype=e.dtype, device=e.device), -z_mean])
    a = x_inv @ g
    h = (x_inv * x).sum(1)
    return (a.square() * e.square() / (1.0 - h).clamp_min(1.0 / n)).sum()


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

