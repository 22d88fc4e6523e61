"""``build(kind, dim, depth)``: the invertible networks revinfo ships, by name."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from nflows.transforms import CompositeTransform
from nflows.transforms.base import Transform
from torch import nn

from revinfo import _validate
from revinfo.flows.coupling import AdditiveCoupling, AffineCoupling, SplineCoupling
from revinfo.flows.elementwise import MAPS, Elementwise, ElementwiseAffine
from revinfo.flows.linear import LU, Orthogonal
from revinfo.flows.nets import MLP, reinit_linear_layers
from revinfo.flows.revnet import RevNetBlock
from revinfo.registry import FLOWS, flow_kind

LayerFactory = Callable[[int, int, dict[str, Any], torch.Generator], Transform]


def _mask(dim: int, layer: int) -> torch.Tensor:
    return torch.tensor([(i + layer) % 2 for i in range(dim)])


def _net_fn(opts: dict[str, Any]) -> Callable[[int, int], nn.Module]:
    return lambda i, o: MLP(i, o, opts["hidden"], opts["layers"])


@flow_kind("additive", min_dim=2)
def _additive(dim, layer, opts, gen):
    return AdditiveCoupling(_mask(dim, layer), _net_fn(opts))


@flow_kind("affine", min_dim=2)
def _affine(dim, layer, opts, gen):
    return AffineCoupling(_mask(dim, layer), _net_fn(opts), scale_clamp=opts["scale_clamp"])


@flow_kind("spline", min_dim=2)
def _spline(dim, layer, opts, gen):
    return SplineCoupling(
        _mask(dim, layer), _net_fn(opts), num_bins=opts["num_bins"], tail_bound=opts["tail_bound"]
    )


def _lu(dim: int, opts: dict[str, Any], gen: torch.Generator) -> LU:
    """Random LU layer: off-diagonal entries ~ N(0, s^2/d), softplus^-1 diagonal ~ N(0.5, s^2)."""
    lu = LU(dim, identity_init=True)
    s = 1.0 if opts["weight_scale"] is None else opts["weight_scale"]
    with torch.no_grad():
        for p in (lu.lower_entries, lu.upper_entries):
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * s / math.sqrt(dim))
        diag = lu.unconstrained_upper_diag
        diag.copy_(0.5 + s * torch.randn(diag.shape, generator=gen, dtype=torch.float64))
    return lu


@flow_kind("linear", min_dim=1)
def _linear(dim, layer, opts, gen):
    return _lu(dim, opts, gen)


@flow_kind("orthogonal", min_dim=1)
def _orthogonal(dim, layer, opts, gen):
    q = Orthogonal(dim)
    with torch.no_grad():
        q.skew.copy_(torch.randn(q.skew.shape, generator=gen, dtype=torch.float64))
    return q


@flow_kind("leaky-relu", min_dim=1)
def _leaky_relu(dim, layer, opts, gen):
    return CompositeTransform([_lu(dim, opts, gen), Elementwise("leaky", opts["negative_slope"])])


@flow_kind("revnet", min_dim=2)
def _revnet(dim, layer, opts, gen):
    return RevNetBlock(dim, opts["hidden"], opts["layers"])


@flow_kind("elementwise", min_dim=1)
def _elementwise(dim, layer, opts, gen):
    maps = opts["maps"]
    name = maps[layer % len(maps)]
    sign = torch.where(torch.rand(dim, generator=gen) < 0.5, -1.0, 1.0).double()
    scale = sign * torch.exp(torch.empty(dim, dtype=torch.float64).uniform_(-0.7, 0.7, generator=gen))
    shift = 0.5 * torch.randn(dim, generator=gen, dtype=torch.float64)
    return CompositeTransform([ElementwiseAffine(scale, shift), Elementwise(name, opts["negative_slope"])])


_DEFAULTS: dict[str, Any] = {
    "hidden": 32,
    "layers": 2,
    "weight_scale": None,
    "scale_clamp": 3.0,
    "num_bins": 8,
    "tail_bound": 4.0,
    "negative_slope": 0.5,
    "maps": ("asinh", "half-cube", "leaky"),
}


def kinds() -> list[str]:
    """Names accepted by :func:`build`: the built-in kinds, in this order, then those
    registered with :func:`revinfo.registry.flow_kind` or the ``revinfo.flows`` entry points."""
    return FLOWS.names()


def _options(options: dict[str, Any], kind_defaults: dict[str, Any]) -> dict[str, Any]:
    known = {**_DEFAULTS, **kind_defaults}
    unknown = set(options) - set(known)
    if unknown:
        raise ValueError(f"unknown build option(s) {sorted(unknown)}; expected {sorted(known)}")
    opts = {**known, **options}
    _validate.integer(opts["hidden"], "hidden", low=1)
    _validate.integer(opts["layers"], "layers", low=0)
    if opts["weight_scale"] is not None:
        _validate.positive(opts["weight_scale"], "weight_scale")
    _validate.positive(opts["scale_clamp"], "scale_clamp")
    _validate.integer(opts["num_bins"], "num_bins", low=1)
    _validate.positive(opts["tail_bound"], "tail_bound")
    _validate.positive(opts["negative_slope"], "negative_slope")
    maps = (opts["maps"],) if isinstance(opts["maps"], str) else tuple(opts["maps"])
    if not maps:
        raise ValueError("maps must name at least one scalar map")
    for m in maps:
        _validate.choice(m, "map", MAPS)
    opts["maps"] = maps
    return opts


def build(
    kind: str,
    dim: int,
    depth: int,
    *,
    seed: int | None = 0,
    dtype: torch.dtype = torch.float64,
    device: str | torch.device = "cpu",
    **options: Any,
) -> CompositeTransform:
    """An untrained invertible network of ``depth`` layers on R^dim, by kind.

    Kinds: ``additive`` (NICE coupling, volume preserving), ``affine`` (RealNVP coupling with
    scales that expand and shrink), ``spline`` (rational-quadratic coupling, linear tails),
    ``linear`` (LU), ``orthogonal`` (exp of a skew matrix), ``leaky-relu`` (LU + bijective
    LeakyReLU), ``revnet`` (i-RevNet additive blocks), ``elementwise`` (diagonal affine +
    scalar maps asinh / sinh / half-cube / leaky, cycling through ``maps``).

    Options: ``hidden``, ``layers`` (conditioner MLP width and depth), ``weight_scale``
    (None keeps torch's default init; a float s re-draws every conditioner weight from
    N(0, s^2/fan_in) and scales the random linear layers, for untrained networks at a chosen
    scale), ``scale_clamp`` (affine log-scale bound), ``num_bins``, ``tail_bound`` (splines),
    ``negative_slope`` (leaky maps), ``maps`` (elementwise).

    The same ``seed`` gives the same weights, bit for bit (None: fresh weights). Parameters
    are in ``dtype`` (float64 by default: ground truth computes in float64; a name such as
    ``"float32"`` works too; float16/bfloat16 are refused), on ``device`` (checked against the
    devices this machine has).

    Example:
        >>> f = build("affine", dim=4, depth=3, seed=1)
        >>> z, logabsdet = f(torch.randn(5, 4, dtype=torch.float64))
        >>> z.shape, logabsdet.shape
        (torch.Size([5, 4]), torch.Size([5]))
    """
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a str, got {type(kind).__name__}")
    if kind not in FLOWS and ":" not in kind:
        _validate.choice(kind, "kind", kinds())
    entry = FLOWS.entry(kind)
    factory, min_dim = entry.obj, int(entry.meta.get("min_dim", 1))
    dim = _validate.integer(dim, "dim", low=1)
    depth = _validate.integer(depth, "depth", low=1)
    seed = _validate.concrete_seed(seed)
    dtype = _validate.float_dtype(dtype)
    if dtype.itemsize < 4:
        raise ValueError(f"dtype={dtype} is refused: half-precision log-dets are not exact to "
                         "any useful tolerance (truths compute in float64); use float32/float64")
    device = _validate.device(device)
    if dim < min_dim:
        raise ValueError(f"kind {kind!r} needs dim >= {min_dim}, got dim={dim}")
    opts = _options(options, dict(entry.meta.get("defaults", {})))
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        flow = CompositeTransform([factory(dim, layer, opts, gen) for layer in range(depth)])
    if opts["weight_scale"] is not None:
        reinit_linear_layers(flow, opts["weight_scale"], gen)
    flow = flow.to(device=device, dtype=dtype)
    flow.eval()
    return flow
