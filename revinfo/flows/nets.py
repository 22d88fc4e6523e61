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
            return self._forward_no_grad(self._linears, x)
        h = x.t()
        for i, lin in enumerate(self._linears):
            h = torch.addmm(lin.bias[:, None], lin.weight, h)
            if i < len(self._linears) - 1:
                h = torch.tanh(h)
        return h.t()

    @staticmethod
    def _forward_no_grad(linears: tuple[nn.Linear, ...], x: torch.Tensor) -> torch.Tensor:
        """The same function without autograd, fused: each hidden activation is carried as
        s = sigmoid(2u), since tanh(u) = 2s - 1 (torch's float64 sigmoid is ~3x faster than
        its tanh); the next layer's W tanh(u) + b = 2 W s + (b - W 1) is one addmm, and the
        2u goes into addmm's alpha/beta, so sigmoid is the only elementwise pass."""
        h, alpha = x.t(), 1.0  # h is x, then s = sigmoid(2u) of the last hidden layer
        for i, lin in enumerate(linears):
            w, b = lin.weight, lin.bias if i == 0 else lin.bias - lin.weight.sum(1)
            if i == len(linears) - 1:
                return torch.addmm(b[:, None], w, h, alpha=alpha).t()
            h = torch.addmm(b[:, None], w, h, beta=2.0, alpha=2.0 * alpha).sigmoid_()
            alpha = 2.0
        raise AssertionError("an MLP has at least one Linear layer")


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
