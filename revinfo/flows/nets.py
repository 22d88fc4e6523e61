"""Small conditioner networks for coupling layers, and random re-initialisation at a chosen
weight scale (untrained networks "throwing information around")."""

from __future__ import annotations

import math

import torch
from torch import nn


class MLP(nn.Module):
    """A tanh MLP ``in -> hidden x layers -> out``, called as ``net(x, context=None)``
    (the signature nflows' couplings use). Smooth, so autograd Jacobians are exact."""

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

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(x)


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
