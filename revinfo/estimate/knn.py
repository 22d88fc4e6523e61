r"""k-nearest-neighbour estimators: Kozachenko–Leonenko entropy and the KSG mutual
information (variants 1 and 2). KD-trees only (scipy's cKDTree and the compiled max-norm
tree of :mod:`revinfo.estimate._kdtree`); never an n x n matrix.

Scale: the data are first multiplied by a power of two that brings the largest magnitude
into [1/2, 1) (exact in floating point), so that squared distances neither overflow nor
underflow; the entropy adds the log-scale back (h(aX) = h(X) + d log a), the mutual
information does not change (and is bit-identical to the unscaled computation where that
one does not over- or underflow).

Ties (duplicate rows) make neighbour distances zero, which sends these estimators to
-inf or biases them silently. They are detected and, by default, broken by a tiny jitter
(``1e-10 * max(1, mean |column|)`` times a standard normal, per column, drawn from
``seed``; the same recipe scikit-learn applies to every input) with a :class:`TiesWarning`.
``ties="raise"`` raises a ValueError instead. A distribution with atoms has h = -inf; the
jittered entropy of such data is accordingly very negative: the warning is the point.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma, gammaln

from revinfo import _validate as v
from revinfo.estimate import _kdtree
from revinfo.registry import estimator
from revinfo.result import Estimate

TIES = ("jitter", "raise")
NORMS = {"euclidean": 2.0, "max": np.inf}
JITTER = 1e-10


class TiesWarning(UserWarning):
    """Duplicate samples were found (and jittered) in a nearest-neighbour estimator."""


def _has_ties(a: np.ndarray) -> bool:
    if a.shape[1] == 1:
        s = np.sort(a[:, 0])
        return bool(np.any(s[1:] == s[:-1]))
    s = a[np.lexsort(a.T[::-1])]
    return bool(np.any(np.all(s[1:] == s[:-1], axis=1)))


def _break_ties(a: np.ndarray, name: str, ties: str, gen: np.random.Generator) -> np.ndarray:
    if not _has_ties(a):
        return a
    if ties == "raise":
        raise ValueError(f"{name} has duplicate samples (ties); pass ties='jitter' to break them")
    warnings.warn(
        f"{name} has duplicate samples; added jitter of relative size {JITTER:g} to break ties "
        "(the estimate of data with atoms is not meaningful)",
        TiesWarning,
        stacklevel=3,
    )
    scale = JITTER * np.maximum(1.0, np.mean(np.abs(a), axis=0))
    return a + scale * gen.standard_normal(a.shape)


def _check_k(k: Any, n: int) -> int:
    k = v.integer(k, "k", low=1)
    if k >= n:
        raise ValueError(f"k must be smaller than the number of samples n={n}, got k={k}")
    return k


def _binary_exponent(a: np.ndarray, axis: int | None = None) -> np.ndarray:
    """e with max |a| = f 2^e, f in [1/2, 1) (0 for an all-zero array), per ``axis``."""
    return np.frexp(np.max(np.abs(a), axis=axis))[1]


def _standardize(a: np.ndarray) -> np.ndarray:
    """Each column over its standard deviation. The column is first scaled by a power of two
    (exact), so that the squares in the deviation cannot over- or underflow; the result is
    bit-identical to ``a / a.std(axis=0)`` wherever that one is finite and nonzero."""
    a = np.ldexp(a, -_binary_exponent(a, axis=0))
    std = a.std(axis=0)
    return a / np.where(std > 0, std, 1.0)


def _count_sorted(col: np.ndarray, radius: np.ndarray, strict: bool) -> np.ndarray:
    """#{j != i : |col_j - col_i| (< or <=) radius_i} for 1-D data, by binary search.

    The searchsorted bounds use rounded ``col_i +- radius_i``; the loop then moves each
    bound until it agrees with the distances exactly as a KD-tree computes them
    (|col_j - col_i| in float64; the set is contiguous in sorted order).
    """
    s = np.sort(col)
    n = s.shape[0]

    def inside(j: np.ndarray, i: np.ndarray) -> np.ndarray:
        d = np.abs(s[j] - col[i])
        return d < radius[i] if strict else d <= radius[i]

    lo = np.searchsorted(s, col - radius, side="left")
    hi = np.searchsorted(s, col + radius, side="right")
    idx = np.arange(n)
    while True:
        moved = False
        m = idx[lo < hi]
        out = m[~inside(lo[m], m)]  # first element of [lo, hi) is outside: shrink
        m = idx[lo > 0]
        grow = m[inside(lo[m] - 1, m)]  # element before lo is inside: grow
        if out.size or grow.size:
            lo[out] += 1
            lo[grow] -= 1
            moved = True
        m = idx[hi > lo]
        out = m[~inside(hi[m] - 1, m)]
        m = idx[hi < n]
        grow = m[inside(hi[m], m)]
        if out.size or grow.size:
            hi[out] -= 1
            hi[grow] += 1
            moved = True
        if not moved:
            return hi - lo - 1


def _count_within(a: np.ndarray, radius: np.ndarray, strict: bool, workers: int) -> np.ndarray:
    """Neighbours of each row (itself excluded) within ``radius`` in the max-norm."""
    if a.shape[1] == 1:
        return _count_sorted(a[:, 0], radius, strict)
    r = np.nextafter(radius, 0.0) if strict else radius  # "< eps" as "<= previous double"
    return _kdtree.count_within(_kdtree.Tree(a), r, workers) - 1


def _log_unit_ball(d: int, norm: str) -> float:
    if norm == "max":
        return d * math.log(2.0)
    return 0.5 * d * math.log(math.pi) - float(gammaln(0.5 * d + 1.0))


@estimator("entropy_knn", inputs="x", quantity="entropy")
def entropy_knn(
    x: Any,
    k: int = 3,
    *,
    norm: str = "euclidean",
    ties: str = "jitter",
    seed: int | None = 0,
    workers: int = 1,
) -> Estimate:
    r"""Kozachenko–Leonenko k-nearest-neighbour estimate of the differential entropy h(X).

    .. math:: \hat h = \psi(N) - \psi(k) + \log V_d + \frac{d}{N}\sum_i \log r_i

    with :math:`r_i` the distance from sample i to its k-th nearest neighbour and
    :math:`V_d` the volume of the unit ball of the chosen norm (``"euclidean"``:
    :math:`\pi^{d/2}/\Gamma(d/2+1)`; ``"max"``: :math:`2^d`, the form of Kraskov et al.
    2004, eq. 20). Source: Kozachenko & Leonenko, Probl. Inf. Transm. 23 (1987).

    Arguments:
        x: samples, shape (n, d) or (n,); numpy or torch.
        k: neighbour order, 1 <= k < n.
        norm: ``"euclidean"`` or ``"max"``.
        ties: ``"jitter"`` (default; see the module docstring) or ``"raise"``.
        seed: seed of the tie-breaking jitter (only used when ties are found).
        workers: threads for the KD-tree query (-1: all cores).

    Returns:
        An :class:`~revinfo.Estimate` in nats; ``stderr`` is None (no Monte Carlo).

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).standard_normal((5000, 1))
        >>> bool(abs(entropy_knn(x).value - 0.5 * np.log(2 * np.pi * np.e)) < 0.05)
        True
    """
    t0 = time.perf_counter()
    a = v.samples(x, "x", min_n=2)
    n, d = a.shape
    k = _check_k(k, n)
    v.choice(norm, "norm", NORMS)
    v.choice(ties, "ties", TIES)
    workers = v.threads(workers, "workers")
    a = _break_ties(a, "x", ties, v.rng(seed))
    e = int(_binary_exponent(a))
    a = np.ldexp(a, -e)  # exact; the distances scale by 2^-e, h by -d e log 2
    dist, _ = cKDTree(a).query(a, k=k + 1, p=NORMS[norm], workers=workers)
    r = dist[:, k]
    log_r = np.mean(np.log(r)) + e * math.log(2.0)
    value = digamma(n) - digamma(k) + _log_unit_ball(d, norm) + d * log_r
    return Estimate(
        float(value),
        None,
        f"kozachenko-leonenko k={k} {norm}",
        n,
        time.perf_counter() - t0,
        {"k": k, "norm": norm},
    )


@estimator("mi_ksg", inputs="xy", quantity="mi")
def mi_ksg(
    x: Any,
    y: Any,
    k: int = 3,
    variant: int = 1,
    *,
    standardize: bool = True,
    ties: str = "jitter",
    seed: int | None = 0,
    workers: int = -1,
) -> Estimate:
    r"""Kraskov–Stögbauer–Grassberger estimate of I(X;Y), variant 1 or 2.

    The max-norm is used in the joint space and in each marginal space. With
    :math:`\epsilon_i` the distance from sample i to its k-th neighbour in the joint space:

    * variant 1: :math:`\psi(k) + \psi(N) - \langle \psi(n_x+1) + \psi(n_y+1) \rangle`,
      :math:`n_x(i) = \#\{j \ne i: \|x_j - x_i\| < \epsilon_i\}` (strict);
    * variant 2: :math:`\psi(k) - 1/k + \psi(N) - \langle \psi(n_x) + \psi(n_y) \rangle`,
      :math:`n_x(i) = \#\{j \ne i: \|x_j - x_i\| \le \epsilon_x(i)\}` with
      :math:`\epsilon_x(i)` the largest x-distance among the k joint neighbours.

    Source: Kraskov, Stögbauer & Grassberger, Phys. Rev. E 69, 066138 (2004), eqs. 8, 9.
    Without ties, variant 1 gives :math:`\psi(N) - \psi(k)` for Y = X exactly.

    With ``standardize=True`` (default) each column is divided by its standard deviation
    first (MI is invariant to this, the estimator is not), as scikit-learn's
    ``mutual_info_regression`` does; on the same tie-free 1-D data the two agree (that one
    also clips negative values at 0, this one does not).

    Arguments:
        x: samples of X, shape (n, dx) (or 1-D); numpy or torch.
        y: samples of Y, shape (n, dy) (or 1-D), the same n.
        k: neighbour order, 1 <= k < n.
        variant: 1 or 2.
        standardize: scale each column to unit standard deviation first.
        ties: ``"jitter"`` (default; see the module docstring) or ``"raise"``.
        seed: seed of the tie-breaking jitter (only used when ties are found).
        workers: threads for the neighbour searches and counts (default -1: all cores, i.e.
            numba's thread count). The result does not depend on it.

    The joint search (variant 1) and the marginal counts in two or more dimensions run on
    the compiled tree of :mod:`revinfo.estimate._kdtree`, whose counts add whole nodes
    inside the box; 1-D marginals are counted by binary search in sorted order.

    Returns:
        An :class:`~revinfo.Estimate` in nats; ``stderr`` is None (no Monte Carlo).

    Example:
        >>> import numpy as np
        >>> g = np.random.default_rng(0).standard_normal((4000, 2))
        >>> x, y = g[:, 0], 0.6 * g[:, 0] + 0.8 * g[:, 1]  # rho = 0.6
        >>> bool(abs(mi_ksg(x, y).value + 0.5 * np.log(1 - 0.36)) < 0.03)
        True
    """
    t0 = time.perf_counter()
    xa, ya = v.paired(x, y, min_n=2)
    n = xa.shape[0]
    k = _check_k(k, n)
    variant = v.choice(v.integer(variant, "variant"), "variant", (1, 2))
    v.choice(ties, "ties", TIES)
    workers = v.threads(workers, "workers")
    standardize = v.flag(standardize, "standardize")
    if standardize:
        xa, ya = _standardize(xa), _standardize(ya)
    gen = v.rng(seed)
    xa = _break_ties(xa, "x", ties, gen)
    ya = _break_ties(ya, "y", ties, gen)
    joint = np.hstack([xa, ya])
    if variant == 1:
        eps = _kdtree.kth_distance(_kdtree.Tree(joint), k + 1, workers)
        nx = _count_within(xa, eps, True, workers)
        ny = _count_within(ya, eps, True, workers)
        value = digamma(k) + digamma(n) - np.mean(digamma(nx + 1.0) + digamma(ny + 1.0))
    else:  # needs the neighbours themselves: cKDTree's choice among tied ones, as before
        _, idx = cKDTree(joint).query(joint, k=k + 1, p=np.inf, workers=workers)
        nb = idx[:, 1:]
        eps_x = np.max(np.abs(xa[nb] - xa[:, None, :]), axis=(1, 2))
        eps_y = np.max(np.abs(ya[nb] - ya[:, None, :]), axis=(1, 2))
        nx = _count_within(xa, eps_x, False, workers)
        ny = _count_within(ya, eps_y, False, workers)
        value = digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))
    return Estimate(
        float(value),
        None,
        f"ksg{variant} k={k}",
        n,
        time.perf_counter() - t0,
        {"k": k, "variant": variant, "standardize": standardize},
    )
