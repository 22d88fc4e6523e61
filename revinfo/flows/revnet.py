"""Constant-width reversible blocks (Gomez et al. 2017, RevNet; Jacobsen et al. 2018,
i-RevNet): y1 = x1 + F(x2), y2 = x2 + G(y1). Two additive couplings, so log|det J| = 0."""

from __future__ import annotations

import torch
from nflows.transforms.base import Transform

from revinfo.flows.nets import MLP


class RevNetBlock(Transform):
    """One i-RevNet-style block on a d-vector split into halves of size ceil(d/2), floor(d/2)."""

    constant_logabsdet = True

    def __init__(self, features: int, hidden: int = 32, layers: int = 2):
        if features < 2:
            raise ValueError(f"a RevNet block needs dim >= 2, got {features}")
        super().__init__()
        self.split = (features + 1) // 2
        a, b = self.split, features - self.split
        self.f = MLP(b, a, hidden, layers)
        self.g = MLP(a, b, hidden, layers)

    def forward(self, inputs: torch.Tensor, context=None):
        x1, x2 = inputs[:, : self.split], inputs[:, self.split :]
        y1 = x1 + self.f(x2)
        y2 = x2 + self.g(y1)
        return torch.cat([y1, y2], 1), inputs.new_zeros(inputs.shape[0])

    def inverse(self, inputs: torch.Tensor, context=None):
        y1, y2 = inputs[:, : self.split], inputs[:, self.split :]
        x2 = y2 - self.g(y1)
        x1 = y1 - self.f(x2)
        return torch.cat([x1, x2], 1), inputs.new_zeros(inputs.shape[0])
