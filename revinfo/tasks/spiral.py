"""The spiral: a volume-preserving bijection that twists each coordinate plane."""

from __future__ import annotations

import torch
from nflows.transforms.base import Transform


class Spiral(Transform):
    r"""Rotation of each coordinate plane (x_{2i}, x_{2i+1}) by an angle growing with the
    plane's radius: :math:`(r, \phi) \mapsto (r, \phi + s r^2)`.

    In polar coordinates the Jacobian is triangular with unit diagonal, so the map is
    volume preserving (log|det J| = 0); the inverse rotates by :math:`-s r^2` (r is
    unchanged). An odd last coordinate is left alone.
    """

    def __init__(self, speed: float = 0.5):
        super().__init__()
        self.speed = float(speed)

    def _rotate(self, inputs: torch.Tensor, sign: float) -> torch.Tensor:
        d = inputs.shape[1]
        m = d - d % 2
        a, b = inputs[:, 0:m:2], inputs[:, 1:m:2]
        theta = sign * self.speed * (a * a + b * b)
        c, s = torch.cos(theta), torch.sin(theta)
        out = inputs.clone()
        out[:, 0:m:2] = c * a - s * b
        out[:, 1:m:2] = s * a + c * b
        return out

    def forward(self, inputs: torch.Tensor, context=None):
        return self._rotate(inputs, 1.0), inputs.new_zeros(inputs.shape[0])

    def inverse(self, inputs: torch.Tensor, context=None):
        return self._rotate(inputs, -1.0), inputs.new_zeros(inputs.shape[0])
