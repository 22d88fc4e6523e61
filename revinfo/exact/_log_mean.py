r"""Per-point inner log-means :math:`\log \bar w` of importance weights, with the
delta-method bias term added back: from a block of log-weights (:func:`log_mean`) or from
running sums that blocks of draws are added to (:class:`WeightSums`)."""

from __future__ import annotations

import math

import torch


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


class WeightSums:
    r"""Per point running sums of the inner weights, shifted by the running max so blocks of
    draws can be added without keeping them: top, :math:`S_1 = \sum e^{\log w - top}`,
    :math:`S_2 = \sum e^{2(\log w - top)}` and the count K."""

    def __init__(self, n: int):
        self.top = torch.full((n,), -math.inf, dtype=torch.float64)
        self.s1 = torch.zeros(n, dtype=torch.float64)
        self.s2 = torch.zeros(n, dtype=torch.float64)
        self.k = torch.zeros(n, dtype=torch.long)

    def copy(self) -> WeightSums:
        out = WeightSums(0)
        out.top, out.s1, out.s2, out.k = (t.clone() for t in (self.top, self.s1, self.s2, self.k))
        return out

    def set_rows(self, idx: torch.Tensor, other: WeightSums) -> None:
        for a, b in ((self.top, other.top), (self.s1, other.s1), (self.s2, other.s2),
                     (self.k, other.k)):
            a[idx] = b[idx]

    def add(self, idx: torch.Tensor, logw: torch.Tensor) -> None:
        logw = logw.to("cpu", torch.float64)
        old = self.top[idx]
        top = torch.maximum(old, logw.max(1).values)
        alive = torch.isfinite(top)
        safe = torch.where(alive, top, torch.zeros_like(top))
        scale = torch.where(alive, torch.exp(old - safe), torch.zeros_like(top))
        w = torch.exp(logw - safe[:, None])
        self.s1[idx] = self.s1[idx] * scale + w.sum(1)
        self.s2[idx] = self.s2[idx] * scale**2 + w.pow(2).sum(1)
        self.top[idx] = top
        self.k[idx] += logw.shape[1]

    def dead(self) -> torch.Tensor:
        """Points whose every weight so far is zero."""
        return ~torch.isfinite(self.top)

    def log_mean(self, corrected: bool = True) -> torch.Tensor:
        r""":math:`\log \bar w` plus (if ``corrected``) the delta-method bias term
        :math:`\widehat{\mathrm{Var}}(w) / (2K\bar w^2)`; -inf where every weight is zero."""
        k = self.k.to(torch.float64)
        mean = self.s1 / k
        out = self.top + torch.log(mean)
        if corrected:
            var = ((self.s2 - self.s1**2 / k) / (k - 1).clamp_min(1.0)).clamp_min(0.0)
            out = out + torch.where(self.k > 1, var / mean**2 / (2 * k), torch.zeros_like(k))
        return out

    def ess_fraction(self) -> torch.Tensor:
        """Kish effective sample size as a fraction of the draws (0 where all weights are 0)."""
        frac = self.s1**2 / self.s2 / self.k.to(torch.float64)
        return torch.nan_to_num(frac, nan=0.0)
