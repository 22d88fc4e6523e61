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


def _as_slice(index: torch.Tensor) -> slice | torch.Tensor:
    """``index`` as an equivalent basic slice when it is an arithmetic progression (a view,
    no gather), else the index tensor itself."""
    idx = index.tolist()
    if not idx:
        return index
    if len(idx) == 1:
        return slice(idx[0], idx[0] + 1)
    step = idx[1] - idx[0]
    if step > 0 and all(b - a == step for a, b in zip(idx, idx[1:])):
        return slice(idx[0], idx[-1] + 1, step)
    return index


class _SlicedSplit:
    """Coupling forward/inverse that split and merge with basic slices instead of nflows'
    gather/scatter by index tensors (alternating masks are strided slices). Same function;
    falls back to nflows for image-shaped inputs or an unconditional transform."""

    def _init_slices(self) -> None:
        self._identity_index = _as_slice(self.identity_features)
        self._transform_index = _as_slice(self.transform_features)

    def _sliced(self, inputs: torch.Tensor) -> bool:
        return (inputs.dim() == 2 and inputs.shape[1] == self.features
                and self.unconditional_transform is None)

    def _apply(self, fn, *args, **kwargs):  # keep tensor indexers on the module's device
        out = super()._apply(fn, *args, **kwargs)
        self._init_slices()
        return out

    def _pass(self, inputs, coupling_fn):
        xa, xb = inputs[:, self._identity_index], inputs[:, self._transform_index]
        yb, logabsdet = coupling_fn(xb, self.transform_net(xa))
        outputs = inputs.clone()
        outputs[:, self._transform_index] = yb
        return outputs, logabsdet

    def forward(self, inputs, context=None):
        if context is not None or not self._sliced(inputs):
            return super().forward(inputs, context)
        return self._pass(inputs, self._coupling_transform_forward)

    def inverse(self, inputs, context=None):
        if context is not None or not self._sliced(inputs):
            return super().inverse(inputs, context)
        return self._pass(inputs, self._coupling_transform_inverse)


class AffineCoupling(_SlicedSplit, AffineCouplingTransform):
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
        self._init_slices()

    def _log_scale_and_shift(self, params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k = self.num_transform_features
        unconstrained, shift = params[:, k:, ...], params[:, :k, ...]
        c = self.scale_clamp
        if torch.is_grad_enabled():
            return c * torch.tanh(unconstrained / c), shift
        # c tanh(u / c) = 2c sigmoid(2u / c) - c, in place (torch's float64 sigmoid is ~3x
        # faster than its tanh)
        return unconstrained.mul(2.0 / c).sigmoid_().mul_(2.0 * c).sub_(c), shift

    def _scale_and_shift(self, params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        log_scale, shift = self._log_scale_and_shift(params)
        return torch.exp(log_scale), shift

    def _coupling_transform_forward(self, inputs, transform_params):
        log_scale, shift = self._log_scale_and_shift(transform_params)
        if torch.is_grad_enabled():
            return inputs * torch.exp(log_scale) + shift, log_scale.flatten(1).sum(1)
        return torch.exp(log_scale).mul_(inputs).add_(shift), log_scale.flatten(1).sum(1)

    def _coupling_transform_inverse(self, inputs, transform_params):
        log_scale, shift = self._log_scale_and_shift(transform_params)
        if torch.is_grad_enabled():
            return (inputs - shift) * torch.exp(-log_scale), -log_scale.flatten(1).sum(1)
        return torch.exp(-log_scale).mul_(inputs - shift), -log_scale.flatten(1).sum(1)


class AdditiveCoupling(_SlicedSplit, AdditiveCouplingTransform):
    """NICE additive coupling y_b = x_b + t(x_a): volume preserving, log|det J| = 0."""

    constant_logabsdet = True

    def __init__(self, mask, transform_net_create_fn):
        super().__init__(mask, transform_net_create_fn)
        self._init_slices()


class SplineCoupling(_SlicedSplit, PiecewiseRationalQuadraticCouplingTransform):
    """Rational-quadratic spline coupling (Durkan et al. 2019) with linear tails.

    nflows raises outside [-tail_bound, tail_bound] when ``tails`` is None; this layer
    always uses linear (identity) tails, so it is a bijection of R^d.
    """

    def __init__(self, mask, transform_net_create_fn, num_bins: int = 8, tail_bound: float = 4.0):
        super().__init__(
            mask, transform_net_create_fn, num_bins=num_bins, tails="linear", tail_bound=tail_bound
        )
        self._init_slices()
