r"""Linear layers y = W x + b with constant log|det J| = log|det W| (so h(f(X)) is closed form).

nflows 0.14's ``LULinear`` and ``NaiveLinear`` call ``torch.triangular_solve`` (deprecated)
and ``torch.solve`` (removed in torch 2) and build identity matrices in float32; the
subclasses here use ``torch.linalg`` with the parameters' dtype and device.
"""

from __future__ import annotations

import torch
from nflows.transforms import LULinear, NaiveLinear
from nflows.transforms.base import Transform
from torch import nn
from torch.nn import functional as F


class LU(LULinear):
    """W = L U with unit-diagonal L and positive-diagonal U; log|det W| = sum log U_ii
    (the LU-parametrised 1x1 convolution of Kingma & Dhariwal 2018, Glow, sec. 3.2)."""

    constant_logabsdet = True

    def inverse_no_cache(self, inputs: torch.Tensor):
        lower, upper = self._create_lower_upper()
        rhs = (inputs - self.bias).T
        out = torch.linalg.solve_triangular(lower, rhs, upper=False, unitriangular=True)
        out = torch.linalg.solve_triangular(upper, out, upper=True)
        logabsdet = -self.logabsdet() * inputs.new_ones(inputs.shape[0])
        return out.T, logabsdet

    def weight_inverse(self) -> torch.Tensor:
        lower, upper = self._create_lower_upper()
        eye = torch.eye(self.features, dtype=lower.dtype, device=lower.device)
        lower_inv = torch.linalg.solve_triangular(lower, eye, upper=False, unitriangular=True)
        return torch.linalg.solve_triangular(upper, lower_inv, upper=True)


class DenseLinear(NaiveLinear):
    """An unconstrained weight matrix; inverse by ``torch.linalg.solve``. The optional random
    orthogonal init uses ``torch.linalg.qr`` (nflows calls the deprecated ``torch.qr``)."""

    constant_logabsdet = True

    def __init__(self, features: int, orthogonal_initialization: bool = True):
        super().__init__(features, orthogonal_initialization=False)
        if orthogonal_initialization:
            with torch.no_grad():
                q, r = torch.linalg.qr(torch.randn(features, features))
                self._weight.copy_(q * torch.sign(torch.diagonal(r)))

    def inverse_no_cache(self, inputs: torch.Tensor):
        out = torch.linalg.solve(self._weight, (inputs - self.bias).T).T
        logabsdet = -self.logabsdet() * inputs.new_ones(inputs.shape[0])
        return out, logabsdet

    def weight_inverse(self) -> torch.Tensor:
        return torch.linalg.inv(self._weight)

    def weight_inverse_and_logabsdet(self):
        return self.weight_inverse(), self.logabsdet()

    def logabsdet(self) -> torch.Tensor:
        return torch.linalg.slogdet(self._weight)[1]


class Orthogonal(Transform):
    r"""y = Q x + b with Q = exp(A - A^T) orthogonal (det Q = 1): volume preserving."""

    constant_logabsdet = True

    def __init__(self, features: int):
        super().__init__()
        self.features = features
        self.skew = nn.Parameter(torch.zeros(features, features))
        self.bias = nn.Parameter(torch.zeros(features))

    def matrix(self) -> torch.Tensor:
        return torch.linalg.matrix_exp(self.skew - self.skew.T)

    def forward(self, inputs: torch.Tensor, context=None):
        return F.linear(inputs, self.matrix(), self.bias), inputs.new_zeros(inputs.shape[0])

    def inverse(self, inputs: torch.Tensor, context=None):
        return F.linear(inputs - self.bias, self.matrix().T), inputs.new_zeros(inputs.shape[0])
