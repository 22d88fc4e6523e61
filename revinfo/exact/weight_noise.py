r"""Information through a layer with noisy weights: :math:`I(X; Z)`,
:math:`Z = g((W + \Delta) X)`, :math:`\Delta_{ij} \sim N(0, s^2)` iid, g invertible (or absent).

The "information in the weights" view: Achille, Paolini & Soatto, "Where is the Information
in a Deep Network?", arXiv:1905.12213 (2019). Units: nats.

Since g is a bijection applied after the noise, Z and U = (W + Delta) X determine each other,
so I(X; Z) = I(X; U) (data processing both ways); the value does not depend on g, which is
only checked to accept k-dimensional inputs. Given X = x, U = W x + Delta x is exactly
Gaussian, :math:`U \mid x \sim N(Wx, s^2 |x|^2 I_k)`, hence

.. math:: I = h(U) - \mathbb{E}_x\,\tfrac k2 \log(2\pi e s^2 |x|^2)
          = \mathbb{E}\,[\log p(U \mid X) - \log p(U)], \quad
          p(u) = \mathbb{E}_{x'}\, N(u; W x', s^2 |x'|^2 I_k).

Nested Monte Carlo as in :mod:`revinfo.exact.noisy`: log p(u) per outer point by importance
sampling in x-space from a defensive mixture around the Gaussian posterior approximation
(prior Laplace term + W^T W / (s^2 |x_0|^2)), the delta-method correction of log (mean), the
zero-mean control variates :math:`|\eta|^2 - k` (eta the standardised noise),
:math:`\log p_X(x) + h(X)` and the Laplace terms, and the check that doubling the inner draws
does not move the value significantly; by default (``inner="auto"``) the inner draws are
chosen per point and doubled until it passes (``revinfo.exact._nested.nested_value``).
As s -> 0 the value rises without bound (s = 0 gives ``math.inf`` for W of full column rank;
otherwise the map x -> W x loses information and the limit is finite, so s = 0 is refused
there).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch
from torch import distributions as D

from revinfo import _validate, seeds
from revinfo import dist as _dist
from revinfo.exact import _control_variates, _nested, _prior, _proposal
from revinfo.exact.entropy import base_entropy
from revinfo.flows.adapters import as_flow
from revinfo.result import Estimate


def _weight(weight: Any, d: int) -> torch.Tensor:
    w = _validate.float64_tensor(weight, "weight")
    if w.ndim == 1 and d == 1:
        w = w[:, None]
    if w.ndim != 2 or w.shape[1] != d or w.shape[0] < 1:
        raise ValueError(f"weight must be a (k, {d}) matrix for a {d}-dimensional base, "
                         f"got shape {tuple(w.shape)}")
    if not bool(torch.isfinite(w).all()):
        raise ValueError("weight contains NaN or inf")
    return w


def _check_flow(flow: Any, k: int) -> None:
    g = as_flow(flow)
    u = torch.zeros(2, k, dtype=torch.float64)
    try:
        z, ld = g(u)
    except (RuntimeError, ValueError) as err:
        raise ValueError(f"flow does not accept {k}-dimensional inputs (W has {k} rows): "
                         f"{err}") from err
    if z.shape != u.shape or ld.shape != (2,):
        raise ValueError(f"flow must map (n, {k}) to (n, {k}), got {tuple(z.shape)}")


def _chunk(dist: D.Distribution, w: torch.Tensor, s: float, x: torch.Tensor,
           eta: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-point quantities: the proposal (posterior mean and Cholesky factor of its
    precision), u, and the control-variate columns."""
    m, d = x.shape
    k = w.shape[0]
    norm = x.norm(dim=1)
    u = x @ w.T + (s * norm)[:, None] * eta
    lp0, gprior, hprior = _prior.prior_terms(dist, x)
    jac = w.expand(m, k, d)
    mean, chol = _proposal.gaussian_posterior(x, gprior, hprior, jac, u - x @ w.T, (s * norm) ** 2)
    out = {"mean": mean, "chol": chol, "u": u, "eta2": eta.pow(2).sum(1), "lp": lp0,
           "log_norm": torch.log(norm)}
    out["cv_lap1"], out["cv_lap2"] = _control_variates.laplace_controls(chol, jac, gprior, eta, s * norm)
    return out


def mi_weight_noise(
    dist: D.Distribution,
    weight: Any,
    noise_scale: float,
    flow: Any = None,
    *,
    n: int = 4000,
    seed: int | None = 0,
    inner: int | str = "auto",
    max_inner: int = _nested.MAX_INNER,
) -> Estimate:
    """I(X; g((W + Delta) X)) in nats, Delta_ij ~ N(0, noise_scale^2) (module docstring).

    Args:
        dist: base distribution of X, event shape (d,).
        weight: W, shape (k, d).
        noise_scale: s >= 0.
        flow: g, an invertible map on R^k, or None; validated, and ignored otherwise
            (the value does not depend on it).
        n: outer samples.
        inner: ``"auto"`` (default; adaptive per point, doubled while the check fails, see
            ``revinfo.exact._nested.nested_value``) or a fixed even count per outer sample.
        max_inner: the cap for ``inner="auto"``.

    Example:
        >>> from revinfo import dist
        >>> e = mi_weight_noise(dist.standard_normal(1), [[1.0]], 0.5, n=500, inner=16)
        >>> 0.0 < e.value < 2.0
        True
    """
    t0 = time.perf_counter()
    d = _dist.dim(dist)
    w = _weight(weight, d)
    k = w.shape[0]
    s = _validate.noise_scale(noise_scale, "noise_scale", allow_zero=True)
    n = _validate.integer(n, "n", low=2)
    _nested.inner_plan(inner, max_inner)
    seed = _validate.seed(seed)
    if flow is not None:
        _check_flow(flow, k)
    if s == 0.0:
        if int(torch.linalg.matrix_rank(w)) < d:
            raise ValueError("noise_scale = 0 with a rank-deficient weight: I(X; WX) is finite "
                             "but not computed here; use noise_scale > 0")
        return Estimate(math.inf, None, "deterministic: noise_scale = 0, injective W", None,
                        time.perf_counter() - t0)
    h_x = base_entropy(dist)
    rows = max(1, _nested.INNER_ROWS // (16 * d))

    def draw(idx, xs, lps):
        sd = s * xs.norm(dim=-1)
        resid = p["u"][idx][:, None, :] - xs @ w.T
        log_lik = -k * torch.log(sd) - 0.5 * k * _prior.LOG_2PI - 0.5 * resid.pow(2).sum(-1) / sd**2
        return lps + log_lik, None

    parts: dict[str, list[torch.Tensor]] = {}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seeds.spawn(seed))
        x_all = dist.sample((n,)).to(torch.float64)
        eta_all = torch.randn(n, k, dtype=torch.float64)
        for i in range(0, n, rows):
            res = _chunk(dist, w, s, x_all[i : i + rows], eta_all[i : i + rows])
            for key, v in res.items():
                parts.setdefault(key, []).append(v.detach())
        p = {key: torch.cat(v) for key, v in parts.items()}
        controls = torch.stack(
            [p["eta2"] - k, p["lp"] + h_x, p["cv_lap1"], p["cv_lap2"]], 1
        )
        # log p(u | x) = -k log(s |x|) - k/2 log 2 pi - |eta|^2 / 2
        log_cond = -k * (math.log(s) + p["log_norm"]) - 0.5 * k * _prior.LOG_2PI - 0.5 * p["eta2"]
        with torch.no_grad():
            value, se, extra = _nested.nested_value(_nested.NestedProblem(
                target=lambda L: log_cond - L, controls=controls,
                extra_var=torch.zeros(4, dtype=torch.float64), draw=draw, dist=dist,
                mean=p["mean"], chol=p["chol"], inner=inner, max_inner=max_inner,
                name="mi_weight_noise",
            ))
    extra.update({"noise_scale": s, "k": k, "h_x": h_x})
    return Estimate(value, se, "nested-mc importance (posterior IS, control variates)", n,
                    time.perf_counter() - t0, extra)
