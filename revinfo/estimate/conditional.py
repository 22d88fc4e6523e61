r"""Conditional mutual information I(X;Y|Z) from samples: k-nearest neighbours
(Frenzel–Pompe), the Gaussian plug-in and the binned plug-in.

All three rest on :math:`I(X;Y|Z) = h(X,Z) + h(Y,Z) - h(Z) - h(X,Y,Z)` (Cover & Thomas,
eq. 2.60, in nats). KD-trees only (the max-norm tree of estimate._kdtree); never an n x n matrix.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy.special import digamma

from revinfo import _validate as v
from revinfo.estimate import _kdtree
from revinfo.estimate.binned import CORRECTIONS, _cells, _entropy, _grid
from revinfo.estimate.gaussian import _logdet_corr, sample_corr
from revinfo.estimate.knn import TIES, _break_ties, _check_k, _count_within, _standardize
from revinfo.registry import estimator
from revinfo.result import Estimate


def triple(x: Any, y: Any, z: Any, *, min_n: int = 1) -> tuple[np.ndarray, ...]:
    """x, y, z as float64 (n, d) arrays with the same n (ValueError naming the argument)."""
    xa = v.samples(x, "x", min_n=min_n)
    ya = v.samples(y, "y", min_n=min_n)
    za = v.samples(z, "z", min_n=min_n)
    v.same_length(xa, ya, ("x", "y"))
    v.same_length(xa, za, ("x", "z"))
    return xa, ya, za


def count_strictly_within(a: np.ndarray, radius: np.ndarray, workers: int) -> np.ndarray:
    """#{j != i : max-norm |a_j - a_i| < radius_i} for every row i.

    One place for the marginal counts of :func:`cmi_ksg`; it uses the KSG estimator's
    counting (:mod:`revinfo.estimate.knn`: binary search in 1-D, a KD-tree otherwise), so a
    faster counter there speeds this up too."""
    return _count_within(a, radius, True, workers)


@estimator("cmi_ksg", inputs="xyz", quantity="cmi")
def cmi_ksg(
    x: Any,
    y: Any,
    z: Any,
    k: int = 3,
    *,
    standardize: bool = True,
    ties: str = "jitter",
    seed: int | None = 0,
    workers: int = 1,
) -> Estimate:
    r"""Frenzel–Pompe k-nearest-neighbour estimate of I(X;Y|Z) (the KSG idea, conditioned).

    .. math:: \hat I = \psi(k) - \big\langle \psi(n_{xz}+1) + \psi(n_{yz}+1)
              - \psi(n_z+1) \big\rangle

    with :math:`\epsilon_i` the max-norm distance from sample i to its k-th neighbour in the
    joint (x, y, z) space and :math:`n_{xz}(i) = \#\{j \ne i: \|(x,z)_j - (x,z)_i\|_\infty
    < \epsilon_i\}` (strict), likewise :math:`n_{yz}, n_z`. Source: Frenzel & Pompe, PRL 99,
    204101 (2007); Vejmelka & Paluš, PRE 77, 026214 (2008). With ``standardize=True`` each
    column is first divided by its standard deviation (CMI is invariant to this, the
    estimator is not), as :func:`revinfo.estimate.mi_ksg` does; ties are handled as there.

    Arguments:
        x: samples of X, shape (n, dx) (or 1-D); numpy or torch.
        y: samples of Y, shape (n, dy), the same n.
        z: samples of Z, shape (n, dz), the same n.
        k: neighbour order, 1 <= k < n.
        standardize: as in :func:`revinfo.estimate.mi_ksg`.
        ties: as in :func:`revinfo.estimate.mi_ksg`.
        seed: as in :func:`revinfo.estimate.mi_ksg`.
        workers: as in :func:`revinfo.estimate.mi_ksg`.

    Returns an :class:`~revinfo.Estimate` in nats; ``stderr`` is None (no Monte Carlo).

    Example:
        >>> import numpy as np
        >>> g = np.random.default_rng(0).standard_normal((4000, 3))
        >>> z = g[:, 2]; x = z + g[:, 0]; y = z + g[:, 1]  # common cause: I(X;Y|Z) = 0
        >>> bool(abs(cmi_ksg(x, y, z).value) < 0.03)
        True
    """
    t0 = time.perf_counter()
    xa, ya, za = triple(x, y, z, min_n=2)
    n = xa.shape[0]
    k = _check_k(k, n)
    v.choice(ties, "ties", TIES)
    workers = v.threads(workers, "workers")
    standardize = v.flag(standardize, "standardize")
    if standardize:
        xa, ya, za = _standardize(xa), _standardize(ya), _standardize(za)
    gen = v.rng(seed)
    xa, ya, za = (_break_ties(a, name, ties, gen) for a, name in ((xa, "x"), (ya, "y"), (za, "z")))
    xz, yz = np.hstack([xa, za]), np.hstack([ya, za])
    joint = np.hstack([xa, yz])
    eps = _kdtree.kth_distance(_kdtree.Tree(joint), k + 1, workers)  # max-norm, self included
    n_xz = count_strictly_within(xz, eps, workers)
    n_yz = count_strictly_within(yz, eps, workers)
    n_z = count_strictly_within(za, eps, workers)
    value = digamma(k) - np.mean(digamma(n_xz + 1.0) + digamma(n_yz + 1.0) - digamma(n_z + 1.0))
    return Estimate(
        float(value), None, f"frenzel-pompe ksg k={k}", n, time.perf_counter() - t0,
        {"k": k, "standardize": standardize, "dims": (xa.shape[1], ya.shape[1], za.shape[1])},
    )


@estimator("cmi_gaussian", inputs="xyz", quantity="cmi")
def cmi_gaussian(x: Any, y: Any, z: Any) -> Estimate:
    r"""I(X;Y|Z) of the Gaussian with the samples' covariance (the plug-in of the closed form).

    .. math:: \hat I = \frac12 \log \frac{\det \hat C_{XZ} \det \hat C_{YZ}}
              {\det \hat C_Z \det \hat C_{XYZ}}

    from the sample correlation matrix of the columns scaled by their max |value| (scale-free,
    any finite float64 scale; Cover & Thomas ch. 8). Consistent for
    jointly Gaussian data only; for other data it is the CMI of a different distribution.
    For Gaussian data it is the Geweke/Granger log-ratio of the least-squares residual
    covariances, halved (Barnett, Barrett & Seth, PRL 103, 238701, 2009).

    Raises ValueError naming the block whose sample covariance is singular.

    Example:
        >>> import numpy as np
        >>> g = np.random.default_rng(0).standard_normal((100_000, 3))
        >>> z = g[:, 2]; x = z + g[:, 0]; y = x + z + g[:, 1]  # I(X;Y|Z) = 1/2 log 2
        >>> bool(abs(cmi_gaussian(x, y, z).value - 0.5 * np.log(2)) < 0.01)
        True
    """
    t0 = time.perf_counter()
    xa, ya, za = triple(x, y, z, min_n=2)
    dx, dy, dz = xa.shape[1], ya.shape[1], za.shape[1]
    corr = sample_corr([("x", xa), ("y", ya), ("z", za)])
    ix, iy, iz = list(range(dx)), list(range(dx, dx + dy)), list(range(dx + dy, dx + dy + dz))

    def logdet(idx: list[int], name: str) -> float:
        return _logdet_corr(corr[np.ix_(idx, idx)], name)

    value = 0.5 * (logdet(ix + iz, "(x, z)") + logdet(iy + iz, "(y, z)") - logdet(iz, "z")
                   - logdet(ix + iy + iz, "(x, y, z)"))
    return Estimate(value, None, "gaussian cmi (sample covariance)", xa.shape[0],
                    time.perf_counter() - t0, {"dims": (dx, dy, dz)})


@estimator("cmi_binned", inputs="xyz", quantity="cmi")
def cmi_binned(
    x: Any,
    y: Any,
    z: Any,
    bins: int | None = None,
    bin_width: float | None = None,
    *,
    range: tuple[float, float] | None = None,
    correction: str = "none",
) -> Estimate:
    r"""Plug-in conditional MI of binned samples,
    :math:`H(b(X),b(Z)) + H(b(Y),b(Z)) - H(b(Z)) - H(b(X),b(Y),b(Z))`.

    The grid options are those of :func:`revinfo.estimate.entropy_binned` (default 30 equal
    bins per dimension over each column's range), applied to x, y and z; with
    ``correction="miller-madow"`` each of the four entropies is corrected (Miller 1955).
    On discrete data whose values fall in distinct cells this is the plug-in CMI of the
    empirical pmf.

    Example:
        >>> import numpy as np
        >>> r = np.random.default_rng(0).integers(0, 2, (20_000, 2))
        >>> x, z = r[:, 0], r[:, 1]; y = x ^ z  # XOR: I(X;Y|Z) = log 2
        >>> bool(abs(cmi_binned(x, y, z, bins=2).value - np.log(2)) < 1e-3)
        True
    """
    t0 = time.perf_counter()
    xa, ya, za = triple(x, y, z)
    nbins, width, rng_ = _grid(bins, bin_width, range)
    v.choice(correction, "correction", CORRECTIONS)
    cx, cy, cz = (_cells(a, name, nbins, width, rng_) for a, name in
                  ((xa, "x"), (ya, "y"), (za, "z")))
    h_xz, m_xz = _entropy(np.hstack([cx, cz]), correction)
    h_yz, m_yz = _entropy(np.hstack([cy, cz]), correction)
    h_z, m_z = _entropy(cz, correction)
    h_xyz, m_xyz = _entropy(np.hstack([cx, cy, cz]), correction)
    return Estimate(
        h_xz + h_yz - h_z - h_xyz, None, f"binned cmi {correction}", xa.shape[0],
        time.perf_counter() - t0,
        {"h_xz": h_xz, "h_yz": h_yz, "h_z": h_z, "h_xyz": h_xyz,
         "cells": (m_xz, m_yz, m_z, m_xyz)},
    )
