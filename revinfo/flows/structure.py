"""Reading a flow's structure: its layers, and whether its log|det J| is constant
(linear or volume-preserving layers), which makes h(f(X)) closed form."""

from __future__ import annotations

from collections.abc import Callable

import torch
from nflows import transforms as T
from nflows.transforms.base import Transform

from revinfo.flows import fused
from revinfo.flows.adapters import as_flow
from revinfo.flows.composite import layers

# nflows layers whose Jacobian determinant does not depend on the input.
_NFLOWS_CONSTANT = (
    T.Permutation,
    T.AdditiveCouplingTransform,
    T.IdentityTransform,
    T.HouseholderSequence,
    T.linear.Linear,  # LULinear, NaiveLinear, QRLinear, SVDLinear
    T.AffineScalarTransform,
)


def has_constant_logabsdet(flow: Transform) -> bool:
    """True if log|det J| is the same at every input (linear / volume-preserving layers)."""
    flow = as_flow(flow)
    if isinstance(flow, T.CompositeTransform):
        return all(has_constant_logabsdet(t) for t in flow._transforms)
    if isinstance(flow, T.InverseTransform):
        return has_constant_logabsdet(flow._transform)
    if getattr(flow, "constant_logabsdet", False):
        return True
    return isinstance(flow, _NFLOWS_CONSTANT)


def is_slow(flow: Transform) -> bool:
    """True if any layer computes its log-det by autograd."""
    if isinstance(flow, T.CompositeTransform):
        return any(is_slow(t) for t in flow._transforms)
    return bool(getattr(flow, "slow", False))


def check_dtype(flow: Transform, dtype: torch.dtype, what: str) -> None:
    """ValueError if the flow's parameters have another floating dtype than ``dtype``."""
    own = next((p.dtype for p in flow.parameters() if p.is_floating_point()), None)
    if own is not None and own != dtype:
        raise ValueError(
            f"{what} has dtype {dtype} but the flow's parameters have {own}: convert one of them "
            f"(e.g. flow.to({dtype}))"
        )


def trace(flow: Transform, x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per-layer outputs and cumulative log|det J| in one pass, for any flow ``as_flow`` takes.

    Entry 0 is ``(x, 0)``; entry l is ``(f_l(...f_1(x)), sum_{j<=l} log|det J_j|)``.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch tensor of shape (n, d), got {type(x).__name__}")
    if x.device.type == "meta":
        raise ValueError("x is a tensor on the 'meta' device (a shape without values)")
    if x.ndim != 2 or not x.is_floating_point():
        raise ValueError(f"x must be a floating tensor of shape (n, d), got {x.dtype} "
                         f"{tuple(x.shape)}")
    flow = as_flow(flow)
    check_dtype(flow, x.dtype, "x")
    if not bool(torch.isfinite(x).all()):
        raise ValueError("x contains NaN or inf")
    try:
        steps = _trace(flow, x)
    except (RuntimeError, ValueError) as err:  # nflows: "Expected features = 2, got 5."
        raise ValueError(f"the flow does not accept x of shape {tuple(x.shape)} "
                         f"({x.shape[1]} features): {err}") from err
    z, ld = steps[-1]
    if bool(torch.isnan(z).any()) or bool(torch.isnan(ld).any()):
        raise ValueError("the flow gave NaN outputs or log-dets on finite x")
    return steps


def _trace(flow: Transform, x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """:func:`trace` without its input checks (callers that checked once, per chunk)."""
    cum = x.new_zeros(x.shape[0])
    out = [(x, cum)]
    z = x
    for layer in layers(flow):
        z, ld = layer(z)
        cum = cum + ld
        out.append((z, cum))
    return out


def logdet_pass(flow: Transform) -> Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """``x (n, d) -> (f(x), cumulative log|det J| after each layer (n, L))``, without autograd.

    The fused coupling pass (:mod:`revinfo.flows.fused`; 1.3-1.7x faster than the layers one
    by one at d = 16, ``benchmarks/bench_exact_entropy.py``) when it covers the flow, else one
    :func:`trace` (its input checks left to the caller). The weights are read
    now: call again after changing them.
    """
    flow = as_flow(flow)
    plan = fused.plan(flow)
    if plan is not None:
        def run(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            z, per_layer = plan(x)
            return z, per_layer.cumsum(1)
        return run

    def run_trace(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.no_grad():
            steps = _trace(flow, x)
        return steps[-1][0], torch.stack([cum for _, cum in steps[1:]], 1)
    return run_trace
