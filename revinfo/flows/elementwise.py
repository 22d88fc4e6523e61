r"""Bijective scalar maps applied to every coordinate: y_i = phi(x_i),
log|det J| = sum_i log|phi'(x_i)| (the Jacobian is diagonal).

Maps (each a strictly increasing bijection of R):

* ``asinh``: phi = asinh x, log phi' = -1/2 log(1 + x^2)
* ``sinh``: phi = sinh x, log phi' = log cosh x
* ``half-cube``: phi = x sqrt|x|, log phi' = log 3/2 + 1/2 log|x| (phi'(0) = 0: a bijection
  whose inverse is not differentiable at 0; log phi' is integrable)
* ``leaky``: phi = x for x >= 0, a x for x < 0 (0 < a), log phi' = [x < 0] log a
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from nflows.transforms.base import Transform

MapFn = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def _log_cosh(x: torch.Tensor) -> torch.Tensor:
    a = x.abs()
    return a + torch.log1p(torch.exp(-2 * a)) - math.log(2.0)


def _asinh(x):
    return torch.asinh(x), -0.5 * torch.log1p(x * x)


def _sinh(x):
    return torch.sinh(x), _log_cosh(x)


def _half_cube(x):
    return x * x.abs().sqrt(), math.log(1.5) + 0.5 * torch.log(x.abs())


def _half_cube_inverse(y):
    x = torch.sign(y) * y.abs().pow(2.0 / 3.0)
    return x, -(math.log(1.5) + 0.5 * torch.log(x.abs()))


def _leaky(slope: float) -> tuple[MapFn, MapFn]:
    log_a = math.log(slope)

    def fwd(x):
        neg = x < 0
        return torch.where(neg, slope * x, x), neg.to(x.dtype) * log_a

    def inv(y):
        neg = y < 0
        return torch.where(neg, y / slope, y), -neg.to(y.dtype) * log_a

    return fwd, inv


def scalar_map(name: str, negative_slope: float = 0.2) -> tuple[MapFn, MapFn]:
    """(forward, inverse) of a named scalar map; each returns (value, log|derivative|)."""
    if name == "asinh":
        return _asinh, _sinh_inverse_of_asinh
    if name == "sinh":
        return _sinh, _asinh_inverse_of_sinh
    if name == "half-cube":
        return _half_cube, _half_cube_inverse
    if name == "leaky":
        if not 0 < negative_slope:
            raise ValueError(f"negative_slope must be > 0, got {negative_slope}")
        return _leaky(negative_slope)
    raise ValueError(f"unknown map {name!r}; expected one of {MAPS}")


def _sinh_inverse_of_asinh(y):
    x = torch.sinh(y)
    return x, 0.5 * torch.log1p(x * x)


def _asinh_inverse_of_sinh(y):
    x = torch.asinh(y)
    return x, -_log_cosh(x)


MAPS = ("asinh", "sinh", "half-cube", "leaky")


class Elementwise(Transform):
    """Applies one bijective scalar map to every coordinate."""

    def __init__(self, name: str = "asinh", negative_slope: float = 0.2):
        super().__init__()
        self.name = name
        self.negative_slope = negative_slope
        self._fwd, self._inv = scalar_map(name, negative_slope)

    def forward(self, inputs: torch.Tensor, context=None):
        y, logd = self._fwd(inputs)
        return y, logd.flatten(1).sum(1)

    def inverse(self, inputs: torch.Tensor, context=None):
        x, logd = self._inv(inputs)
        return x, logd.flatten(1).sum(1)

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


class ElementwiseAffine(Transform):
    """y = a * x + b per coordinate (a != 0): a diagonal linear layer, log|det| = sum log|a|."""

    constant_logabsdet = True

    def __init__(self, scale: torch.Tensor, shift: torch.Tensor):
        super().__init__()
        if bool((scale == 0).any()):
            raise ValueError("scale must be nonzero in every coordinate")
        # copies, so that a later edit of the caller's tensors cannot bring in a zero scale
        self.register_buffer("scale", scale.detach().clone())
        self.register_buffer("shift", shift.detach().clone())

    def forward(self, inputs, context=None):
        ld = torch.log(self.scale.abs()).sum() * inputs.new_ones(inputs.shape[0])
        return inputs * self.scale + self.shift, ld

    def inverse(self, inputs, context=None):
        ld = -torch.log(self.scale.abs()).sum() * inputs.new_ones(inputs.shape[0])
        return (inputs - self.shift) / self.scale, ld
