r"""Exact information through a noisy layer when X is a data set: X uniform on the N rows of t.

For X uniform on the rows :math:`t_1, \dots, t_N` of an (N, d) array and
:math:`Z = t(X) + \sigma\varepsilon`, :math:`\varepsilon \sim N(0, I_d)`, the law of Z is the
N-component Gaussian mixture :math:`p(z) = \frac1N\sum_j N(z; t_j, \sigma^2 I)`, so

.. math::

    I(X; Z) = h(Z) - h(\sigma\varepsilon)
            = E\Big[\log N(Z; t_X, \sigma^2 I) - \log p(Z)\Big],
    \qquad h(\sigma\varepsilon) = \tfrac d2 \log(2\pi e\sigma^2),

and for class labels :math:`Y = y(X)` (a function of the row),
:math:`I(Y; Z) = h(Z) - h(Z \mid Y) = E[\log p(Z \mid Y) - \log p(Z)]` with
:math:`p(z \mid y) = \frac1{N_y}\sum_{j: y_j = y} N(z; t_j, \sigma^2 I)`.
Every density in the integrand is exact (log-sum-exp over all components), so the only error is
that of the outer Monte Carlo, which ``stderr`` reports. Source: Goldfeld et al., "Estimating
Information Flow in Deep Neural Networks", ICML 2019 (there the same mixture is the estimator
of the population quantity, "sample propagation"; with X the data set itself it is the value).

Numerics (float64 throughout):

* rows that are exactly equal (with equal labels) are merged into one component with weight
  :math:`c_u` (its count); the sum over components is :math:`\sum_u c_u N(z; t_u, \sigma^2 I)`;
* stratified draws: every row gets the same number k of draws :math:`z = t_i + \sigma\varepsilon`,
  the value is the mean of the per-row means and the stderr
  :math:`\sqrt{\sum_i s_i^2 / k} / N` from the within-row variances :math:`s_i^2`;
* in units of sigma (u = (t - mean) / sigma) the exponent of component j for a draw from row o
  is :math:`-(|u_o - u_j|^2 + 2\varepsilon\cdot(u_o - u_j))/2`. It is computed by one matmul
  per block on augmented rows; its rounding error is bounded by
  :math:`\gamma(A_r + B_j)` (:func:`_error_bound`), and every entry whose bound exceeds
  :data:`TOLERANCE` and which can contribute (exponent above :data:`NEGLIGIBLE`) is recomputed
  from the differences :math:`u_o - u_j` directly (no :math:`|a|^2 + |b|^2 - 2ab`
  cancellation). The own component's exponent is set to exactly :math:`\log c_o`, so each
  term is at most :math:`\log N - \log c_o` (:math:`\log(N/N_y)` with labels) in floating point
  as well, and the value at most the entropy of the distinct rows (of Y);
* blocks of queries x components hold about :data:`BLOCK_ELEMENTS` numbers: N = 10^4 never
  forms an N x N matrix. The normal draws come from NumPy on the CPU (the same numbers on every
  device and for every ``chunk``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from revinfo import _validate as v
from revinfo.result import Estimate

BLOCK_ELEMENTS = 2**22  # queries x components per block: 32 MiB of float64
TOLERANCE = 1e-7  # largest rounding error (nats) allowed in an exponent before recomputing
NEGLIGIBLE = -745.0  # exp() of an exponent below this is 0 in float64 next to the own term
_EXP_SAFE = 700.0  # exp() of float64 overflows above ~709.78
DEFAULT_DRAWS = 2**16


@dataclass(frozen=True)
class _Mixture:
    """Distinct (class, row) components, sorted by class, in units of sigma, on the device."""

    u: torch.Tensor  # (U, d) centred and scaled rows
    sq: torch.Tensor  # (U,) |u_j|^2
    aug: torch.Tensor  # (U, d + 3): [u_j, |u_j|^2, log c_j, 1]
    log_count: torch.Tensor  # (U,)
    counts: np.ndarray  # (U,) rows merged into each component
    class_slices: list[tuple[int, int]]  # component range of each class
    class_sizes: np.ndarray  # (C,) rows per class


def _labels(labels: Any, n: int) -> np.ndarray:
    """Class codes 0..C-1 of each row (all 0 for labels=None)."""
    if labels is None:
        return np.zeros(n, dtype=np.int64)
    if isinstance(labels, torch.Tensor):
        labels = labels.detach().cpu().numpy()
    if not isinstance(labels, (np.ndarray, list, tuple)):
        raise TypeError(f"labels must be a 1-D array of class labels or None, "
                        f"got {type(labels).__name__}")
    try:
        arr = np.asarray(labels)
    except ValueError as err:  # a ragged list
        raise TypeError("labels must be a 1-D array of class labels, got a ragged sequence") from err
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"labels must have shape ({n},) (one label per row of t), "
                         f"got shape {arr.shape}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError("labels contains NaN or inf")
    if arr.dtype.kind not in "biufUS":
        raise TypeError(f"labels must hold integers or strings, got dtype {arr.dtype}")
    return np.unique(arr, return_inverse=True)[1].reshape(-1).astype(np.int64)


def _mixture(t: np.ndarray, codes: np.ndarray, sigma: float, device) -> _Mixture:
    keyed = np.column_stack([codes.astype(np.float64), t])
    uniq, counts = np.unique(keyed, axis=0, return_counts=True)
    with np.errstate(over="ignore", invalid="ignore"):
        u = (uniq[:, 1:] - t.mean(axis=0)) / sigma
        too_large = not np.all(np.isfinite(u)) or np.abs(u).max() * math.sqrt(t.shape[1]) > 1e150
    if too_large:
        raise ValueError(f"sigma={sigma:g} is too small for the spread of t: (t - mean) / sigma "
                         f"overflows float64 once squared")
    cls = uniq[:, 0].astype(np.int64)
    n_cls = int(codes.max()) + 1
    starts = np.searchsorted(cls, np.arange(n_cls + 1))
    ut = torch.from_numpy(u).to(device)
    sq = (ut * ut).sum(1)
    log_count = torch.from_numpy(np.log(counts.astype(np.float64))).to(device)
    aug = torch.cat([ut, sq[:, None], log_count[:, None], torch.ones_like(sq)[:, None]], 1)
    return _Mixture(ut, sq, aug, log_count, counts,
                    [(int(starts[c]), int(starts[c + 1])) for c in range(n_cls)],
                    np.bincount(codes, minlength=n_cls))


def _error_bound(mix: _Mixture, own: torch.Tensor, y: torch.Tensor, g: torch.Tensor):
    r"""Per-query and per-component parts of the bound on an exponent's rounding error.

    The exponent is the dot product :math:`[y, -\frac12, 1, g]\cdot[u_j, |u_j|^2, \log c_j, 1]`
    of n = d + 3 terms; its error is at most :math:`\gamma_n\sum_k |a_k b_k|` (Higham,
    "Accuracy and Stability of Numerical Algorithms", 2002, Sec. 3.1), and
    :math:`|y||u_j| \le (|y|^2 + |u_j|^2)/2`. Doubling gamma covers the rounding of |u_j|^2
    and g themselves (sums of the same magnitudes).
    """
    gamma = 2.0 * (y.shape[1] + 3) * torch.finfo(torch.float64).eps
    a = gamma * (0.5 * (y * y).sum(1) + g.abs() + mix.sq[own])
    b = gamma * (mix.sq + mix.log_count.abs())
    return a, b


def _fix_up(mix: _Mixture, expo, own, eps, a, b) -> int:
    """Recompute from differences the entries whose rounding bound exceeds TOLERANCE and that
    can contribute; returns how many were recomputed."""
    if float(a.max() + b.max()) <= TOLERANCE:
        return 0
    bound = a[:, None] + b[None, :]
    r, j = torch.nonzero((bound > TOLERANCE) & (expo + bound > NEGLIGIBLE), as_tuple=True)
    step = max(1, BLOCK_ELEMENTS // mix.u.shape[1])
    for s in range(0, r.numel(), step):
        rr, jj = r[s : s + step], j[s : s + step]
        diff = mix.u[own[rr]] - mix.u[jj]
        expo[rr, jj] = -(0.5 * (diff * diff).sum(1) + (eps[rr] * diff).sum(1)) + mix.log_count[jj]
    return int(r.numel())


def _exponents(mix: _Mixture, own: torch.Tensor, eps: torch.Tensor):
    """(queries, U) log of c_j N(z; t_j) / N(z; t_own) for z = t_own + sigma eps."""
    uo = mix.u[own]
    y = uo + eps
    g = -(0.5 * mix.sq[own] + (eps * uo).sum(1))
    q = torch.cat([y, torch.full_like(g, -0.5)[:, None], torch.ones_like(g)[:, None],
                   g[:, None]], 1)
    expo = q @ mix.aug.T
    fixed = _fix_up(mix, expo, own, eps, *_error_bound(mix, own, y, g))
    expo[torch.arange(own.numel(), device=own.device), own] = mix.log_count[own]
    return expo, fixed


def _log_sums(expo: torch.Tensor, lo: int, hi: int, safe: bool):
    """log of the sums of exp(expo) over the components [lo, hi) and over all the others.

    ``safe``: every exponent is below :data:`_EXP_SAFE`, so the sums are taken without the max
    shift (one pass of exp instead of logsumexp's several); the own component, inside [lo, hi),
    contributes exp(log c_o) >= 1, so the first sum never underflows to 0.
    """
    if safe:
        e = expo.exp_()
        inside = e[:, lo:hi].sum(1)
        rest = e[:, :lo].sum(1) + e[:, hi:].sum(1)
        return inside.log(), rest.log()
    rest = torch.logaddexp(torch.logsumexp(expo[:, :lo], 1), torch.logsumexp(expo[:, hi:], 1))
    return torch.logsumexp(expo[:, lo:hi], 1), rest


def _terms(mix: _Mixture, k: int, labelled: bool, rng: np.random.Generator, chunk: int | None):
    """(N, k) integrand values (rows in component order) and the count of recomputed entries."""
    n, d, dev = int(mix.counts.sum()), mix.u.shape[1], mix.u.device
    own = torch.from_numpy(np.repeat(np.arange(mix.counts.size), mix.counts * k)).to(dev)
    queries = chunk if chunk is not None else max(1, BLOCK_ELEMENTS // mix.u.shape[0])
    out = torch.empty(n * k, dtype=torch.float64, device=dev)
    log_n, fixed, start = math.log(n), 0, 0
    max_log_count = float(np.log(mix.counts.max()))
    for (lo, hi), size in zip(mix.class_slices, mix.class_sizes):
        stop = start + int(size) * k
        for s in range(start, stop, queries):
            e = min(s + queries, stop)
            eps_np = rng.standard_normal((e - s, d))
            # expo = (|eps|^2 - |z - u_j|^2) / 2 + log c_j <= |eps|^2 / 2 + log c_max
            safe = 0.5 * float(np.max(np.einsum("ij,ij->i", eps_np, eps_np))) + max_log_count
            expo, f = _exponents(mix, own[s:e], torch.from_numpy(eps_np).to(dev))
            fixed += f
            inside, rest = _log_sums(expo, lo, hi, safe < _EXP_SAFE)
            if labelled:  # log p(z|y) - log p(z)
                out[s:e] = (inside - math.log(size)) - (torch.logaddexp(inside, rest) - log_n)
            else:  # a single class holding every component (rest is empty): log p(z|x) - log p(z)
                out[s:e] = log_n - inside
        start = stop
    return out.reshape(n, k), fixed


def stratified_mean(terms: torch.Tensor) -> tuple[float, float]:
    r"""Mean of an (N, k) array of draws, k >= 2 per stratum (row), equal-weight strata, and its
    standard error :math:`\sqrt{\sum_i s_i^2 / k} / N` from the within-row variances."""
    n, k = terms.shape
    return float(terms.mean()), math.sqrt(float(terms.var(dim=1).sum()) / k) / n


def _entropy_of_counts(counts: np.ndarray) -> float:
    """Entropy (nats) of the distribution counts / sum(counts)."""
    c = counts[counts > 0].astype(np.float64)
    n = c.sum()
    return float(math.log(n) - np.dot(c, np.log(c)) / n)


def mi_noisy_empirical(
    t: Any,
    sigma: float,
    labels: Any = None,
    *,
    n_draws: int = DEFAULT_DRAWS,
    seed: int | None = 0,
    device: str | torch.device = "cpu",
    chunk: int | None = None,
) -> Estimate:
    r"""I(X; t(X) + sigma eps) in nats for X uniform on the N rows of ``t``, or with
    ``labels`` I(Y; t(X) + sigma eps) for the class Y of the row (module docstring).

    Exact-density Monte Carlo: :math:`\frac1{Nk}\sum_i\sum_{m=1}^k \big[\log p(z_{im}\mid x_i)
    - \log p(z_{im})\big]`, :math:`z_{im} = t_i + \sigma\varepsilon_{im}` (with labels
    :math:`\log p(z \mid y_i)` in place of :math:`\log p(z \mid x_i)`), every density a
    log-sum-exp over all N components. Bounds that hold in floating point too: the value is at
    most the entropy of the distinct rows (log N when they are all distinct), and with labels at
    most H(Y) (Y's empirical distribution). Goldfeld et al., ICML 2019.

    Arguments:
        t: the layer's values on the data set, shape (N, d) or (N,), N >= 1; numpy or torch.
        sigma: noise standard deviation, > 0 (in the units of t).
        labels: None, or one class label per row (integers or strings).
        n_draws: total noise draws; each row gets k = max(2, ceil(n_draws / N)) of them.
        seed: seed of the noise draws (NumPy on the CPU: the same numbers on every device).
        device: where the log-sum-exps run ("cpu" default, or e.g. "cuda").
        chunk: queries per block (default: about 2^22 / (distinct rows) so that a block holds
            ~2^22 numbers).

    Returns:
        An :class:`~revinfo.Estimate` in nats with ``stderr`` (stratified); ``extra`` holds
        sigma, draws_per_row, n_distinct, h_noise, the bound (log N or H(Y)), and
        recomputed (exponents recomputed from differences).

    Example:
        >>> import numpy as np
        >>> t = np.array([[0.0], [10.0], [20.0]])  # far apart next to sigma: I = log 3
        >>> e = mi_noisy_empirical(t, 0.1)
        >>> bool(abs(e.value - np.log(3)) < 1e-12)
        True
    """
    t0 = time.perf_counter()
    arr = v.samples(t, "t")
    s = v.noise_scale(sigma, "sigma")
    codes = _labels(labels, arr.shape[0])
    n_draws = v.integer(n_draws, "n_draws", low=1)
    rng = v.rng(seed)
    if chunk is not None:
        chunk = v.integer(chunk, "chunk", low=1)
    dev = as_device(device)
    n, d = arr.shape
    k = max(2, -(-n_draws // n))
    mix = _mixture(arr, codes, s, dev)
    terms, fixed = _terms(mix, k, labels is not None, rng, chunk)
    mean, stderr = stratified_mean(terms)
    bound = _entropy_of_counts(mix.class_sizes if labels is not None else mix.counts)
    value = min(mean, bound)  # each term obeys the bound; the min drops the sum's rounding
    h_noise = 0.5 * d * math.log(2.0 * math.pi * math.e * s * s)
    return Estimate(
        value, stderr, "exact-density mixture mc" + (" (labels)" if labels is not None else ""),
        n * k, time.perf_counter() - t0,
        {"sigma": s, "draws_per_row": k, "n_rows": n, "n_distinct": int(mix.counts.size),
         "h_noise": h_noise, "bound": bound, "recomputed": fixed, "device": str(dev)},
    )


def as_device(device: Any) -> torch.device:
    """``device=`` as a :class:`torch.device`; a ValueError naming the argument otherwise."""
    try:
        return torch.device(device)
    except (TypeError, RuntimeError) as err:
        raise ValueError(f"device must name a torch device (e.g. 'cpu', 'cuda'), "
                         f"got {device!r}") from err
