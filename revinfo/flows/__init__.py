"""Invertible networks with exact log|det J|, on nflows' ``(outputs, logabsdet)`` interface."""

from revinfo.flows.adapters import AutogradBijection, DistributionsTransform, as_flow
from revinfo.flows.build import build, kinds
from revinfo.flows.coupling import AdditiveCoupling, AffineCoupling, SplineCoupling
from revinfo.flows.elementwise import Elementwise, ElementwiseAffine
from revinfo.flows.linear import LU, DenseLinear, Orthogonal
from revinfo.flows.revnet import RevNetBlock
from revinfo.flows.structure import has_constant_logabsdet, layers, trace

__all__ = [
    "AdditiveCoupling", "AffineCoupling", "AutogradBijection", "DenseLinear",
    "DistributionsTransform", "Elementwise", "ElementwiseAffine", "LU", "Orthogonal",
    "RevNetBlock", "SplineCoupling", "as_flow", "build", "has_constant_logabsdet", "kinds",
    "layers", "trace",
]
