r"""Closed forms for jointly Gaussian vectors (Cover & Thomas, ch. 8).

Pair MI: :math:`I(X;Y) = \tfrac12 \log(\det S_X \det S_Y / \det S)`.
Gaussian channel: :math:`I(X; AX + \sigma\varepsilon) = \tfrac12\log\det(I + A S_X A^T/\sigma^2)`
(proofs/gaussian_channel.py).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from revinfo import _validate
from revinfo.dist import spd_matrix


def _logdet(m: torch.Tensor) -> float:
    return float(torch.linalg.slogdet(m)[1])


def mi_gaussian(cov: Any, dim_x: int) -> float:
    """I(X;Y) in nats for a jointly Gaussian (X, Y) with covariance ``cov``, X the first
    ``dim_x`` coordinates."""
    s = spd_matrix(cov, "cov")
    d = s.shape[0]
    if d < 2:
        raise ValueError(f"cov must be at least 2x2 to split into X and Y, got {d}x{d}")
    dim_x = _validate.integer(dim_x, "dim_x", low=1, high=d - 1)
    root = torch.sqrt(torch.diagonal(s))  # the correlation matrix: MI is scale-free, and
    s = s / root[:, None] / root[None, :]  # log-dets of 1e200-scale blocks would cancel
    return 0.5 * (_logdet(s[:dim_x, :dim_x]) + _logdet(s[dim_x:, dim_x:]) - _logdet(s))


def mi_gaussian_channel(a: Any, cov_x: Any, sigma: float) -> float:
    """I(X; AX + sigma eps) in nats for X ~ N(m, cov_x), eps ~ N(0, I)."""
    s = spd_matrix(cov_x, "cov_x")
    sigma = _validate.noise_scale(sigma, "sigma")
    a = _validate.float64_tensor(a, "a")
    if a.ndim != 2 or a.shape[1] != s.shape[0] or a.shape[0] < 1:
        raise ValueError(f"a must be (k, {s.shape[0]}), got {tuple(a.shape)}")
    if not bool(torch.isfinite(a).all()):
        raise ValueError("a contains NaN or inf")
    log_sv = _log_singular_values(a, s, sigma)  # I = sum_i (1/2) log(1 + s_i^2)
    return 0.5 * float(torch.logaddexp(torch.zeros_like(log_sv), 2 * log_sv).sum())


def _log_singular_values(a: torch.Tensor, cov: torch.Tensor, sigma: float) -> torch.Tensor:
    """log s_i of B = A L / sigma (cov = L L^T), with A and L scaled to max |.| = 1 first, so
    that det(I + B B^T) = prod (1 + s_i^2) neither overflows nor cancels (A ~ 1e299 gave NaN).
    """
    chol = torch.linalg.cholesky(cov / cov.abs().max())  # cov's scale enters as a log below
    a_top = float(a.abs().max())
    if a_top == 0.0:
        return torch.full((min(a.shape),), -math.inf, dtype=torch.float64)
    unit = torch.linalg.svdvals((a / a_top) @ chol)
    return (torch.log(unit) + math.log(a_top) + 0.5 * math.log(float(cov.abs().max()))
            - math.log(sigma))
