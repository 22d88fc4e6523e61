r"""Exact differential entropy of a flow's output by the change of variables.

.. math:: h(f(X)) = h(X) + \mathbb{E}\,\log|\det J_f(X)|

(Cover & Thomas, ch. 8; proofs/affine_entropy.py). h(X) is the base's closed form. If every
layer has a constant log|det J| (linear or volume-preserving layers, detected from the
layers), the expectation is that constant and the result is exact. Otherwise it is the
mean of the flow's exact per-sample log-det over n base samples, with stderr = sd / sqrt(n):
an unbiased Monte Carlo with an honest error bar.
"""

from __future__ import annotations

import time

import torch
from nflows.transforms.base import Transform
from torch import distributions as D

from revinfo import _validate
from revinfo import dist as _dist
from revinfo.exact.sampling import RunningMoments, base_chunks, default_chunk
from revinfo.flows.adapters import as_flow
from revinfo.flows.structure import (
    check_dtype,
    has_constant_logabsdet,
    is_slow,
    layers,
    logdet_pass,
)
from revinfo.result import Estimate


def base_entropy(dist: D.Distribution) -> float:
    """The closed-form entropy h(X) of a base distribution, in nats."""
    _dist.dim(dist)
    try:
        h = dist.entropy()
    except NotImplementedError as err:
        raise ValueError(f"dist {type(dist).__name__} has no closed-form entropy") from err
    return float(torch.as_tensor(h).sum())


def _checked_flow(dist: D.Distribution, flow, seed: int | None) -> Transform:
    f = as_flow(flow)
    d = _dist.dim(dist)
    x = next(base_chunks(dist, 2, seed, 2))
    check_dtype(f, x.dtype, "the base distribution (ground truths compute in float64)")
    try:
        z, ld = f(x)
    except (RuntimeError, ValueError) as err:
        raise ValueError(f"flow does not accept {d}-dimensional inputs of the base: {err}") from err
    if z.shape != x.shape or ld.shape != (2,):
        raise ValueError(
            f"flow dimension differs from the base's: base d={d}, flow maps {tuple(x.shape)} "
            f"to {tuple(z.shape)} with logabsdet {tuple(ld.shape)}"
        )
    return f


def _check_finite(ld: torch.Tensor, where: str) -> None:
    bad = ~torch.isfinite(ld)
    if bool(bad.any()):
        raise ValueError(
            f"non-finite log|det J| for {int(bad.sum())} of {ld.numel()} samples {where} "
            f"(an exploding or degenerate network)"
        )


def _layer_logdet_moments(
    dist: D.Distribution, flow: Transform, n: int, seed: int | None, chunk: int
) -> RunningMoments:
    """Moments of the cumulative log-det after each layer (one column per layer)."""
    moments = RunningMoments()
    run = logdet_pass(flow)
    for x in base_chunks(dist, n, seed, chunk):
        stacked = run(x)[1]
        _check_finite(stacked[:, -1], "at the output")
        moments.add(stacked)
    return moments


def entropy_chunk(d: int, threads: int | None = None) -> int:
    """Default rows per chunk of :func:`entropy` for d-dimensional samples and ``threads``
    torch threads (default: torch's current count): ``default_chunk(d)`` at 1 thread, twice
    that from 2 threads on (d = 8: 32768 and 65536 rows).

    Measured at n = 10^6, d = 8, depth 8 (benchmarks/bench_exact_entropy.py, part 4; chunks
    4096..1048576, each in its own process): at 2 threads 65536 was the best chunk in both
    sweeps (1.85 s vs 2.47 s at 32768, load ~1; and under load ~10); at 1 thread 32768 and
    65536 were the best two (3.23 s at 32768, load ~1). Above 2 threads: not measured (the
    project's machine has 2 cores), the 2-thread value is kept."""
    t = torch.get_num_threads() if threads is None else threads
    return default_chunk(d) * (2 if t >= 2 else 1)


def _chunk_rows(dist: D.Distribution, chunk: int | None) -> int:
    """Rows per chunk: ``chunk``, or :func:`entropy_chunk` when None."""
    if chunk is None:
        return entropy_chunk(_dist.dim(dist))
    return _validate.integer(chunk, "chunk", low=1)


def _method(flow: Transform) -> str:
    return "change-of-variables (autograd log-det, slow)" if is_slow(flow) else "change-of-variables"


def entropy(
    dist: D.Distribution,
    flow=None,
    *,
    n: int = 200_000,
    seed: int | None = 0,
    chunk: int | None = None,
) -> Estimate:
    """h(f(X)) in nats for X ~ ``dist`` (h(X) when ``flow`` is None).

    Closed form (``stderr=None``) with no flow or a flow whose layers all have a constant
    log|det J|; otherwise h(X) + the Monte Carlo mean of the exact per-sample log-det over
    ``n`` samples, with its standard error. ``chunk``: rows evaluated at once (default
    :func:`entropy_chunk`, from d and the thread count; memory is O(chunk x d)).

    Example:
        >>> from revinfo import dist, flows
        >>> entropy(dist.standard_normal(2), flows.build("orthogonal", 2, 3)).method
        'closed-form volume-preserving'
    """
    t0 = time.perf_counter()
    n = _validate.integer(n, "n", low=2)
    seed = _validate.seed(seed)
    h0 = base_entropy(dist)
    if flow is None:
        return Estimate(h0, None, "closed-form", None, time.perf_counter() - t0)
    f = _checked_flow(dist, flow, seed)
    if has_constant_logabsdet(f):
        return _closed_form(dist, f, h0, seed, t0)
    m = _layer_logdet_moments(dist, f, n, seed, _chunk_rows(dist, chunk))
    mean, se = float(m.mean()[-1]), float(m.stderr()[-1])
    return Estimate(h0 + mean, se, _method(f), n, time.perf_counter() - t0,
                    {"h_base": h0, "mean_logabsdet": mean})


def _closed_form(dist, f: Transform, h0: float, seed, t0: float) -> Estimate:
    x = next(base_chunks(dist, 1, seed, 1))
    with torch.no_grad():
        ld = float(f(x)[1][0])
    _check_finite(torch.tensor([ld]), "of a constant-Jacobian flow")
    kind = "volume-preserving" if ld == 0.0 else "constant log|det J|"
    return Estimate(h0 + ld, None, f"closed-form {kind}", None, time.perf_counter() - t0,
                    {"h_base": h0, "logabsdet": ld})


def entropy_profile(
    dist: D.Distribution,
    flow,
    *,
    n: int = 200_000,
    seed: int | None = 0,
    chunk: int | None = None,
) -> list[Estimate]:
    """h(T_l) for every layer l of ``flow`` in one pass (entry 0 is h(X)).

    h(T_l) = h(X) + E sum_{j<=l} log|det J_j|; an entry whose layers so far all have a
    constant log-det is closed form (stderr None), the rest carry their Monte Carlo stderr.
    Each entry's ``extra["layer_logabsdet"]`` is E log|det J_l| of that layer alone.
    """
    t0 = time.perf_counter()
    h0 = base_entropy(dist)
    seed = _validate.seed(seed)
    f = _checked_flow(dist, flow, seed)
    n = _validate.integer(n, "n", low=2)
    m = _layer_logdet_moments(dist, f, n, seed, _chunk_rows(dist, chunk))
    means, ses = m.mean().tolist(), m.stderr().tolist()
    seconds = time.perf_counter() - t0
    out = [Estimate(h0, None, "closed-form", None, 0.0, {"layer": 0, "layer_logabsdet": 0.0})]
    constant_so_far, prev = True, 0.0
    for i, layer in enumerate(layers(f)):
        constant_so_far = constant_so_far and has_constant_logabsdet(layer)
        extra = {"layer": i + 1, "layer_logabsdet": means[i] - prev, "layer_type": type(layer).__name__}
        prev = means[i]
        if constant_so_far:
            out.append(Estimate(h0 + means[i], None, "closed-form", None, seconds, extra))
        else:
            out.append(Estimate(h0 + means[i], ses[i], _method(f), n, seconds, extra))
    return out
