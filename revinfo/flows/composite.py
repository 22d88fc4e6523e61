"""The top-level layers of a flow (one module that both the structure readers and the fused
pass build on, so neither imports the other to get them)."""

from __future__ import annotations

from nflows import transforms as T
from nflows.transforms.base import Transform

from revinfo.flows.adapters import as_flow


def layers(flow: Transform) -> list[Transform]:
    """The top-level layers of a flow (a CompositeTransform's children, else the flow); any
    flow :func:`~revinfo.flows.as_flow` takes."""
    flow = as_flow(flow)
    if isinstance(flow, T.CompositeTransform):
        return list(flow._transforms)
    return [flow]
