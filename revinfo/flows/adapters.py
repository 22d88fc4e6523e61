"""Adapters giving other bijections nflows' ``(outputs, logabsdet)`` interface.

* :class:`DistributionsTransform`: a ``torch.distributions.Transform`` (what zuko and pyro
  flows expose); zuko's lazy transforms are called first to get one.
* :class:`AutogradBijection`: any differentiable bijection written as a torch function;
  log|det J| by the autograd Jacobian (d backward passes over the batch + ``slogdet``):
  exact to rounding but far slower than an exact log-det, hence ``slow = True``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from nflows.transforms.base import InverseNotAvailable, Transform
from torch import distributions as D


def _sum_event(ladj: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per-sample log|det J|: sum an elementwise log-derivative over the event dimension."""
    return ladj.sum(-1) if ladj.shape == x.shape else ladj.reshape(x.shape[0])


def _is_affine(t: D.Transform) -> bool:
    if isinstance(t, D.AffineTransform):
        return True
    if isinstance(t, D.ComposeTransform):
        return all(_is_affine(part) for part in t.parts)
    if isinstance(t, D.IndependentTransform):
        return _is_affine(t.base_transform)
    inverse_of = getattr(t, "_inv", None)  # torch's _InverseTransform keeps its forward there
    return isinstance(t, D.transforms._InverseTransform) and _is_affine(inverse_of)


class DistributionsTransform(Transform):
    """Wraps a ``torch.distributions.Transform`` acting on (n, d) vectors.

    ``transform`` may also be a zuko lazy transform (an ``nn.Module`` returning a Transform
    when called); it is then called on every use, so trained parameters stay live.
    """

    def __init__(self, transform: D.Transform | torch.nn.Module):
        super().__init__()
        if isinstance(transform, torch.nn.Module):
            self.lazy = transform  # registered: .to(), .parameters() reach zuko's weights
        else:
            self.lazy, self._fixed = None, transform

    @property
    def transform(self) -> D.Transform:
        return self.lazy() if self.lazy is not None else self._fixed

    @property
    def constant_logabsdet(self) -> bool:
        """True for a fixed affine map (its Jacobian does not depend on x), so that entropies
        through it are closed form (``flows.has_constant_logabsdet``)."""
        return self.lazy is None and _is_affine(self._fixed)

    def forward(self, inputs: torch.Tensor, context=None):
        t = self.transform
        if hasattr(t, "call_and_ladj"):
            y, ladj = t.call_and_ladj(inputs)
        else:
            y = t(inputs)
            ladj = t.log_abs_det_jacobian(inputs, y)
        return y, _sum_event(ladj, inputs)

    def inverse(self, inputs: torch.Tensor, context=None):
        t = self.transform
        x = t.inv(inputs)
        return x, -_sum_event(t.log_abs_det_jacobian(x, inputs), x)


def batched_jacobian(y: torch.Tensor, x: torch.Tensor, keep_graph: bool = False) -> torch.Tensor:
    """The Jacobians dy_n/dx_n, (n, d_out, d_in), of ``y = fn(x)`` for ``fn`` acting on rows
    independently (``x`` requires grad, ``y`` was computed from it with a graph).

    The "batched sum trick": row i of J for every sample at once is the gradient of
    sum_n y[n, i], so d_out backward passes give all n Jacobians (no per-sample loop).
    ``keep_graph`` keeps the graph after the last pass (for a further gradient of it).
    """
    last = y.shape[1] - 1
    rows = [torch.autograd.grad(y[:, i].sum(), x, retain_graph=keep_graph or i < last)[0]
            for i in range(y.shape[1])]  # fmt: skip
    return torch.stack(rows, 1)


def jacobian_logabsdet(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """log|det J_fn(x_i)| per row by autograd (:func:`jacobian_slogdet` without the sign)."""
    return jacobian_slogdet(fn, x)[1]


def jacobian_slogdet(
    fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(sign, log|det J_fn(x_i)|) per row by autograd (:func:`batched_jacobian`), for ``fn``
    acting on rows independently."""
    with torch.enable_grad():
        xg = x.detach().requires_grad_(True)
        jac = batched_jacobian(fn(xg), xg)
    return tuple(torch.linalg.slogdet(jac))


class NotInjectiveError(ValueError):
    """A map given as a bijection was shown not to be injective."""


def orientation(sign: torch.Tensor) -> int:
    """+1 / -1 if every nonzero Jacobian sign is that, 0 if all are 0; ValueError if both
    occur: an injective map on a connected domain keeps one orientation (invariance of
    domain), so a sign change proves ``fn`` is not a bijection."""
    pos, neg = bool((sign > 0).any()), bool((sign < 0).any())
    if pos and neg:
        raise NotInjectiveError(
            "flow is not injective: its Jacobian determinant changes sign over the samples "
            f"({int((sign > 0).sum())} positive, {int((sign < 0).sum())} negative), so the "
            "change of variables does not apply"
        )
    return 1 if pos else -1 if neg else 0


class AutogradBijection(Transform):
    """A plain differentiable bijection ``fn: (n, d) -> (n, d)``; log-det by autograd (slow).

    ``inverse_fn`` is optional; without it :meth:`inverse` raises ``InverseNotAvailable``.
    A plain function cannot be proven injective: it is taken on trust, except that a forward
    pass whose Jacobian determinant changes sign over the batch (``lambda x: x**2``) raises
    ValueError; ``last_orientation`` keeps the batch's sign (+1, -1, 0 if all singular) so
    callers can compare batches (:func:`revinfo.exact.entropy` does).
    """

    slow = True

    def __init__(self, fn: Callable[[torch.Tensor], torch.Tensor], inverse_fn: Callable | None = None):
        super().__init__()
        self.fn, self.inverse_fn = fn, inverse_fn
        self.last_orientation = 0

    def forward(self, inputs: torch.Tensor, context=None):
        with torch.no_grad():
            y = self.fn(inputs)
        if y.shape != inputs.shape:
            raise ValueError(f"the bijection must keep the shape (n, d); got {tuple(y.shape)}")
        sign, logabsdet = jacobian_slogdet(self.fn, inputs)
        self.last_orientation = orientation(sign)
        return y, logabsdet

    def inverse(self, inputs: torch.Tensor, context=None):
        if self.inverse_fn is None:
            raise InverseNotAvailable("pass inverse_fn= to AutogradBijection to invert it")
        with torch.no_grad():
            x = self.inverse_fn(inputs)
        return x, -jacobian_logabsdet(self.fn, x)


def as_flow(flow: Any) -> Transform:
    """Any supported bijection as an nflows ``Transform``.

    Accepts an nflows Transform (returned as is), a ``torch.distributions.Transform``,
    a zuko lazy transform or flow (anything with a ``transform`` attribute or callable with no
    argument returning a torch Transform), or a plain torch function (autograd log-det).
    """
    if isinstance(flow, Transform):
        return flow
    if isinstance(flow, D.Transform):
        return DistributionsTransform(flow)
    lazy = getattr(flow, "transform", None)  # zuko.flows.Flow
    if isinstance(flow, torch.nn.Module) and isinstance(lazy, torch.nn.Module):
        flow = lazy
    if isinstance(flow, torch.nn.Module) and callable(flow):
        try:
            made = flow()
        except TypeError:
            made = None
        if isinstance(made, D.Transform):
            return DistributionsTransform(flow)
    if callable(flow):
        return AutogradBijection(flow)
    raise TypeError(
        f"flow must be an nflows Transform, a torch.distributions.Transform, a zuko flow "
        f"or a callable torch function; got {type(flow).__name__}"
    )
