r"""Exact differential entropy of a flow's output by the change of variables.

.. math:: h(f(X)) = h(X) + \mathbb{E}\,\log|\det J_f(X)|

(Cover & Thomas, ch. 8; proofs/affine_entropy.py). h(X) is the base's closed form. If every
layer has a constant log|det J| (linear or volume-preserving layers, detected from the
layers), the expectation is that constant and the result is exact. Otherwise it is the
mean of the flow's exact per-sample log-det over n base samples, with stderr = sd / sqrt(n):
an unbiased Monte Carlo with an honest error bar.

Work limit: the Monte Carlo costs about ``n x sum over layers of d`` (``d^2`` for a layer
with an autograd log-det) elementary evaluations; above :data:`MAX_WORK` it is refused before
any work unless ``max_work=`` is raised (or None). Long runs show a tqdm progress bar with an
ETA (``progress=False`` hides it; it is off when stderr is not a terminal), and Ctrl-C stops
between chunks, closing the bar and restoring the global torch RNG.

A plain torch function as ``flow`` is taken on trust as a bijection, except that a Jacobian
determinant that changes sign over the sample proves it is not injective: ValueError.
"""

from __future__ import annotations

import time

import torch
from nflows.transforms.base import Transform
from torch import distributions as D

from revinfo import _validate
from revinfo import dist as _dist
from revinfo.exact.sampling import RunningMoments, base_chunks, default_chunk
from revinfo.flows.adapters import AutogradBijection, NotInjectiveError, as_flow
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
    except NotInjectiveError:
        raise
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


# Refusal threshold of work(): 1e10 evaluations. Measured on 2 shared CPU cores (load ~4):
# affine d = 8 runs ~1.8e7 evaluations/s (about 10 min at the limit), elementwise d = 16
# 3e7/s, spline d = 4 4e5/s (about 7 h at the limit).
MAX_WORK = 1e10


def work(flow: Transform, n: int, d: int) -> float:
    """Elementary evaluations of the Monte Carlo: n x sum over layers of d (d^2 per layer
    whose log-det is computed by autograd: d backward passes)."""
    per_sample = sum(d * d if is_slow(layer) else d for layer in layers(flow))
    return float(n) * max(per_sample, d)


def _check_work(flow: Transform, n: int, d: int, max_work) -> None:
    if max_work is None:
        return
    limit = _validate.positive(max_work, "max_work")
    w = work(flow, n, d)
    if w > limit:
        raise ValueError(
            f"n={n} samples through this flow ({len(layers(flow))} layers, d={d}) is about "
            f"{w:.3g} evaluations, above max_work={limit:.3g} (hours or more of CPU time); "
            "lower n, or pass a larger max_work= (None: no limit) to run it anyway"
        )


def _check_orientation(flow: Transform, seen: dict[int, int]) -> None:
    """ValueError if a plain-function layer had opposite Jacobian signs in two chunks."""
    for m in flow.modules():
        if isinstance(m, AutogradBijection) and m.last_orientation != 0:
            first = seen.setdefault(id(m), m.last_orientation)
            if first != m.last_orientation:
                raise NotInjectiveError("flow is not injective: its Jacobian determinant has opposite "
                                 "signs in two chunks of the sample")


def _layer_logdet_moments(
    dist: D.Distribution, flow: Transform, n: int, seed: int | None, chunk: int,
    progress: bool = True,
) -> RunningMoments:
    """Moments of the cumulative log-det after each layer (one column per layer)."""
    from tqdm.auto import tqdm

    moments = RunningMoments()
    run = logdet_pass(flow)
    seen: dict[int, int] = {}
    chunks = base_chunks(dist, n, seed, chunk)
    bar = tqdm(total=n, unit="sample", desc="exact.entropy", leave=False,
               disable=True if not progress or n <= chunk else None)
    try:  # closing the generator ends its fork_rng on Ctrl-C too
        for x in chunks:
            stacked = run(x)[1]
            _check_finite(stacked[:, -1], "at the output")
            _check_orientation(flow, seen)
            moments.add(stacked)
            bar.update(x.shape[0])
    finally:
        chunks.close()
        bar.close()
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
    max_work: float | None = MAX_WORK,
    progress: bool = True,
) -> Estimate:
    """h(f(X)) in nats for X ~ ``dist`` (h(X) when ``flow`` is None).

    Closed form (``stderr=None``) with no flow or a flow whose layers all have a constant
    log|det J|; otherwise h(X) + the Monte Carlo mean of the exact per-sample log-det over
    ``n`` samples, with its standard error. ``chunk``: rows evaluated at once (default
    :func:`entropy_chunk`, from d and the thread count; memory is O(chunk x d)).
    ``max_work``: refuse a Monte Carlo above this many evaluations (:func:`work`; default
    :data:`MAX_WORK`, None: no limit). ``progress``: a progress bar with ETA when the run spans several chunks.
    A plain torch function is taken on trust as a bijection unless its Jacobian
    determinant changes sign over the sample (then ValueError: not injective).

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
    rows = _chunk_rows(dist, chunk)
    _check_work(f, n, _dist.dim(dist), max_work)
    m = _layer_logdet_moments(dist, f, n, seed, rows, _validate.flag(progress, "progress"))
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
    max_work: float | None = MAX_WORK,
    progress: bool = True,
) -> list[Estimate]:
    """h(T_l) for every layer l of ``flow`` in one pass (entry 0 is h(X)); ``max_work`` and
    ``progress`` as in :func:`entropy`.

    h(T_l) = h(X) + E sum_{j<=l} log|det J_j|; an entry whose layers so far all have a
    constant log-det is closed form (stderr None), the rest carry their Monte Carlo stderr.
    Each entry's ``extra["layer_logabsdet"]`` is E log|det J_l| of that layer alone.
    """
    t0 = time.perf_counter()
    h0 = base_entropy(dist)
    seed = _validate.seed(seed)
    f = _checked_flow(dist, flow, seed)
    n = _validate.integer(n, "n", low=2)
    rows = _chunk_rows(dist, chunk)
    _check_work(f, n, _dist.dim(dist), max_work)
    m = _layer_logdet_moments(dist, f, n, seed, rows, _validate.flag(progress, "progress"))
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
