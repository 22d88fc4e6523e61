r"""Coupling layers (Dinh et al. 2015, NICE; 2017, RealNVP; Durkan et al. 2019, splines).

x = (x_a, x_b) split by a mask; y_a = x_a, y_b = g(x_b; theta(x_a)). The Jacobian is block
triangular, so log|det J| = sum log|dg/dx_b| (proofs/coupling_jacobian.py).
"""

from __future__ import annotations

import torch
from nflows.transforms import (
    AdditiveCouplingTransform,
    AffineCouplingTransform,
    PiecewiseRationalQuadraticCouplingTransform,
)


class AffineCoupling(AffineCouplingTransform):
    r"""RealNVP affine coupling y_b = x_b * exp(s(x_a)) + t(x_a), log|det J| = sum s(x_a).

    nflows 0.14 uses scale = sigmoid(.) + 1e-3 <= 1.001, so its layer can only shrink
    volume. Here the log-scale is unconstrained in sign and softly bounded,
    :math:`s = c \tanh(u / c)` with ``scale_clamp`` c, so a layer expands or shrinks by up to
    e^c per coordinate and stays finite for random weights.
    """

    def __init__(self, mask, transform_net_create_fn, scale_clamp: float = 3.0):
        if not scale_clamp > 0:
            raise ValueError(f"scale_clamp must be > 0, got {scale_clamp}")
        self.scale_clamp = float(scale_clamp)
        super().__init__(mask, transform_net_create_fn)

    def _log_scale_and_shift(self, params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k = self.num_transform_features
        unconstrained, shift = params[:, k:, ...], params[:, :k, ...]
        c = self.scale_clamp
        return c * torch.tanh(unconstrained / c), shift

    def _scale_and_shift(self, params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        log_scale, shift = self._log_scale_and_shift(params)
        return torch.exp(log_scale), shift

    def _coupling_transform_forward(self, inputs, transform_params):
        log_scale, shift = self._log_scale_and_shift(transform_params)
        return inputs * torch.exp(log_scale) + shift, log_scale.flatten(1).sum(1)

    def _coupling_transform_inverse(self, inputs, transform_params):
        log_scale, shift = self._log_scale_and_shift(transform_params)
        return (inputs - shift) * torch.exp(-log_scale), -log_scale.flatten(1).sum(1)


class AdditiveCoupling(AdditiveCouplingTransform):
    """NICE additive coupling y_b = x_b + t(x_a): volume preserving, log|det J| = 0."""

    constant_logabsdet = True


class SplineCoupling(PiecewiseRationalQuadraticCouplingTransform):
    """Rational-quadratic spline coupling (Durkan et al. 2019) with linear tails.

    nflows raises outside [-tail_bound, tail_bound] when ``tails`` is None; this layer
    always uses linear (identity) tails, so it is a bijection of R^d.
    """

    def __init__(self, mask, transform_net_create_fn, num_bins: int = 8, tail_bound: float = 4.0):
        super().__init__(
            mask, transform_net_create_fn, num_bins=num_bins, tails="linear", tail_bound=tail_bound
        )
