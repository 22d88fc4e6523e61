"""Small conditioner networks for coupling layers, and random re-initialisation at a chosen
weight scale (untrained networks "throwing information around")."""

from __future__ import annotations

import math

import torch
from torch import nn


class MLP(nn.Module):
    """A tanh MLP ``in -> hidden x layers -> out``, called as ``net(x, context=None)``
    (the signature nflows' couplings use). Smooth, so autograd Jacobians are exact.
    ``self.net`` (an ``nn.Sequential``) holds the layers and is the reference definition;
    :meth:`forward` computes the same function faster."""

    def __init__(self, in_features: int, out_features: int, hidden: int = 32, layers: int = 2):
        super().__init__()
        self.hidden_features = hidden  # nflows' spline coupling scales its softmax inputs by this
        sizes = [in_features] + [hidden] * layers + [out_features]
        mods: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            mods.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                mods.append(nn.Tanh())
        self.net = nn.Sequential(*mods)
        self._linears = tuple(m for m in mods if isinstance(m, nn.Linear))

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        # Features-major layout (sample axis last): MKL's float64 GEMM is up to 2x faster so.
        if not torch.is_grad_enabled():
            return self.run_fused(self.fused_layers(), x.t()).t()
        h = x.t()
        for i, lin in enumerate(self._linears):
            h = torch.addmm(lin.bias[:, None], lin.weight, h)
            if i < len(self._linears) - 1:
                h = torch.tanh(h)
        return h.t()

    def fused_layers(self, out_scale: torch.Tensor | None = None) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The layers' ``(W, b)`` rewritten for :meth:`run_fused` (no autograd; b as a column).

        Each hidden activation is carried as s = sigmoid(2u), since tanh(u) = 2s - 1 (torch's
        float64 sigmoid is ~3x faster than its tanh): the next pre-activation is
        W tanh(u) + b = 2 W s + (b - W 1), so a hidden layer is s' = sigmoid(W' s + b') with
        W' = 4W, b' = 2(b - W 1) (W' = 2W, b' = 2b for the first), and the output layer
        2W s + (b - W 1). ``out_scale`` (per output row) multiplies the output layer.
        """
        out, last = [], len(self._linears) - 1
        for i, lin in enumerate(self._linears):
            w, b = lin.weight, lin.bias
            if i > 0:  # the input is s = (tanh + 1) / 2 of the previous layer
                w, b = 2.0 * w, b - w.sum(1)
            if i < last:  # the output is s = sigmoid(2u)
                w, b = 2.0 * w, 2.0 * b
            elif out_scale is not None:
                w, b = w * out_scale[:, None], b * out_scale
            out.append((w, b[:, None]))  # a column, broadcast over the samples
        return out

    @staticmethod
    def run_fused(params: list[tuple[torch.Tensor, torch.Tensor]], h: torch.Tensor) -> torch.Tensor:
        """The MLP on features-major input ``h`` (in, n) -> (out, n), with ``params`` from
        :meth:`fused_layers`: one addmm per layer and one sigmoid per hidden layer."""
        for w, b in params[:-1]:
            h = torch.addmm(b, w, h).sigmoid_()
        w, b = params[-1]
        return torch.addmm(b, w, h)


def reinit_linear_layers(module: nn.Module, weight_scale: float, generator: torch.Generator) -> None:
    """Set every ``nn.Linear`` weight to N(0, weight_scale^2 / fan_in) and bias to 0.

    weight_scale = 1 is the variance-preserving (LeCun) scale; larger values make the
    network more strongly nonlinear, smaller values closer to the identity map.
    """
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Linear):
                std = weight_scale / math.sqrt(m.in_features)
                w = torch.randn(m.weight.shape, generator=generator, dtype=torch.float64)
                m.weight.copy_(w * std)
                if m.bias is not None:
                    m.bias.zero_()
