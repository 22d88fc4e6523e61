r"""Sample propagation (Goldfeld et al. 2019): the entropy of Z + sigma*eps estimated as
the entropy of the Gaussian mixture centred on the samples of Z, by Monte Carlo."""

from __future__ import annotations

import math
import time
from typing import Any

import torch

from revinfo import _validate as v
from revinfo import seeds
from revinfo.estimate._pairwise import logsumexp_sqdist
from revinfo.estimate.kde import noise_entropy
from revinfo.registry import estimator
from revinfo.result import Estimate

_STREAM = 0x5350  # "SP": separates this module's noise stream from other uses of a seed


def _sp_terms(z: Any, sigma: Any, n_mc: Any, seed: Any, chunk: Any):
    r"""Per-draw terms :math:`\log N(y; z_i, \sigma^2 I) - \log p_{mix}(y)`, y = z_i + sigma eps.

    Each term is ``log n - lse`` with ``lse >= 0`` (the own component contributes exp(0)),
    so each is <= log n in floating point as well.
    """
    t = v.tensor_samples(z, "z", min_n=2)
    s = v.noise_scale(sigma, "sigma")
    n_mc = v.integer(n_mc, "n_mc", low=1)
    if chunk is not None:
        chunk = v.integer(chunk, "chunk", low=1)
    # Derived seed: the noise must not replay torch.manual_seed(seed)'s stream, which a
    # user may well have drawn z from (eps == z would turn the estimate into nonsense).
    seed = v.seed(seed)
    if seed is not None:
        seed = seeds.spawn(seed, _STREAM)
    gen = v.torch_generator(seed, t.device)
    n, d = t.shape
    eps = torch.randn((n_mc, n, d), generator=gen, device=t.device, dtype=t.dtype)
    own = torch.arange(n, device=t.device).repeat(n_mc)
    noise = (s * eps).reshape(n_mc * n, d)
    y = t.repeat(n_mc, 1) + noise
    base = (noise * noise).sum(dim=1)
    lse = logsumexp_sqdist(y, t, 0.5 / (s * s), base=base, own=own, chunk=chunk)
    terms = (math.log(n) - lse).reshape(n_mc, n)
    # each term is <= log n; the min only removes the rounding of the summation
    mean = min(float(terms.mean()), math.log(n))
    if n_mc >= 2:  # stratified by component: pooled within-component variance
        stderr = math.sqrt(float(terms.var(dim=0).sum()) / n_mc) / n
    else:  # the iid formula, conservative for the stratified draw
        stderr = float(terms.std()) / math.sqrt(n) if n > 1 else 0.0
    return mean, stderr, n, d, s, n_mc


def _estimate(z, sigma, n_mc, seed, chunk, conditional: bool, t0: float) -> Estimate:
    mean, stderr, n, d, s, n_mc = _sp_terms(z, sigma, n_mc, seed, chunk)
    value = mean if conditional else noise_entropy(d, s) + mean
    return Estimate(
        value, stderr, "sample-propagation" + (" mi" if conditional else ""), n,
        time.perf_counter() - t0, {"sigma": s, "n_mc": n_mc, "log_n": math.log(n)},
    )


@estimator("entropy_noisy", inputs="z_sigma", quantity="entropy")
def entropy_noisy(
    z: Any,
    sigma: float,
    *,
    n_mc: int = 1,
    seed: int | None = 0,
    chunk: int | None = None,
) -> Estimate:
    r"""Sample-propagation estimate of h(Z + sigma*eps) from samples z of Z, eps ~ N(0, I).

    The estimate is the entropy of :math:`p(y) = \frac1n\sum_j N(y; z_j, \sigma^2 I)` by
    Monte Carlo: ``n_mc`` draws :math:`y = z_i + \sigma\epsilon` per component i,

    .. math:: \hat h = \frac d2 \log(2\pi e \sigma^2) + \Big\langle \log N(y; z_i, \sigma^2 I)
              - \log p(y) \Big\rangle

    The noise term uses :math:`E[-\log N(y; z_i, \sigma^2 I)] = \frac d2\log(2\pi e\sigma^2)`
    exactly (a control variate: the same draws enter both logs). Each bracket is at most
    log n, so :math:`\hat h \le \frac d2\log(2\pi e\sigma^2) + \log n` by construction.
    ``stderr`` is the Monte Carlo error given z (stratified over components when n_mc >= 2).
    Source: Goldfeld et al., "Estimating Information Flow in Deep Neural Networks", ICML
    2019 (error :math:`e^{O(d)} n^{-1/2}` w.r.t. the true h(Z + sigma eps)).

    Computed in float64 torch on the device of ``z`` (numpy input: CPU), chunked so memory is
    O(chunk x n); the default block holds ~2^22 numbers (measured, see ``_pairwise.py``).
    n = 2e4, d = 10, n_mc = 1 peaks well under 1 GB (``benchmarks/bench_entropy_noisy.py``).

    Arguments:
        z: samples of Z, shape (n, d) or (n,) with n >= 2; numpy or torch (any device).
        sigma: noise standard deviation, > 0.
        n_mc: Monte Carlo draws per component.
        seed: seed of the noise draws (a torch generator on z's device).
        chunk: rows per block (default: ~2^22 / n).

    Example:
        >>> import numpy as np
        >>> z = np.random.default_rng(0).standard_normal(4000)
        >>> e = entropy_noisy(z, 0.5, seed=0)  # truth: h(N(0, 1.25)) = 1.5305
        >>> bool(abs(e.value - 0.5 * np.log(2 * np.pi * np.e * 1.25)) < 0.05)
        True
    """
    return _estimate(z, sigma, n_mc, seed, chunk, False, time.perf_counter())


@estimator("mi_noisy", inputs="z_sigma", quantity="mi")
def mi_noisy(
    z: Any,
    sigma: float,
    *,
    n_mc: int = 1,
    seed: int | None = 0,
    chunk: int | None = None,
) -> Estimate:
    r"""Sample-propagation estimate of I(X; Z + sigma*eps) for Z = f(X) deterministic.

    :math:`\hat I = \hat h(Z+\sigma\epsilon) - \frac d2\log(2\pi e\sigma^2)`, with
    :func:`entropy_noisy`'s estimate; never exceeds log n (each Monte Carlo term is
    at most log n). Source: Goldfeld et al., ICML 2019.

    Example:
        >>> import numpy as np
        >>> bool(mi_noisy(np.arange(5.0) * 100, 1.0).value <= np.log(5))
        True
    """
    return _estimate(z, sigma, n_mc, seed, chunk, True, time.perf_counter())
