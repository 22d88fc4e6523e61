r"""Conditional mutual information in closed form: Gaussian vectors and discrete tables.

Gaussian (Cover & Thomas, *Elements of Information Theory*, 2nd ed., ch. 8 and eq. 2.60,
:math:`I(X;Y|Z) = h(X,Z) + h(Y,Z) - h(Z) - h(X,Y,Z)` with :math:`h = \tfrac12\log((2\pi e)^d
\det S)`):

.. math:: I(X;Y|Z) = \tfrac12 \log \frac{\det S_{XZ}\,\det S_{YZ}}{\det S_Z\,\det S_{XYZ}}

in nats, every determinant a principal sub-matrix of the joint covariance (the
:math:`2\pi e` factors cancel). Discrete: the same four-entropy identity on a joint pmf.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from revinfo.dist import spd_matrix
from revinfo.result import Estimate


def index_list(idx: Any, name: str, d: int, *, allow_empty: bool) -> list[int]:
    """``idx`` as a list of distinct ints in [0, d); a ValueError/TypeError naming it."""
    if isinstance(idx, numbers.Integral) and not isinstance(idx, bool):
        idx = [idx]
    if isinstance(idx, np.ndarray):
        idx = idx.tolist()
    if not isinstance(idx, (list, tuple, range)):
        raise TypeError(f"{name} must be a list of coordinate indices, got {type(idx).__name__}")
    out = []
    for i in idx:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"{name} must hold integers, got {i!r}")
        if not 0 <= int(i) < d:
            raise ValueError(f"{name} index {int(i)} is outside [0, {d})")
        out.append(int(i))
    if not out and not allow_empty:
        raise ValueError(f"{name} must name at least one coordinate")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} has repeated indices: {out}")
    return out


def blocks(d: int, x: Any, y: Any, z: Any) -> tuple[list[int], list[int], list[int]]:
    """Validated, pairwise disjoint index lists (x, y non-empty; z may be empty)."""
    xs = index_list(x, "x", d, allow_empty=False)
    ys = index_list(y, "y", d, allow_empty=False)
    zs = index_list(z, "z", d, allow_empty=True)
    for (na, a), (nb, b) in ((("x", xs), ("y", ys)), (("x", xs), ("z", zs)),
                             (("y", ys), ("z", zs))):
        common = sorted(set(a) & set(b))
        if common:
            raise ValueError(f"{na} and {nb} must be disjoint, both contain {common}")
    return xs, ys, zs


def _logdet(s: np.ndarray, idx: Sequence[int]) -> float:
    """log det of the principal sub-matrix on ``idx`` (0 for none), by Cholesky."""
    if not idx:
        return 0.0
    chol = np.linalg.cholesky(s[np.ix_(idx, idx)])
    return 2.0 * float(np.sum(np.log(np.diag(chol))))


def gaussian_cmi_value(s: np.ndarray, x: list[int], y: list[int], z: list[int]) -> float:
    """The closed form on a validated SPD float64 matrix and index lists (no checks)."""
    return 0.5 * (_logdet(s, x + z) + _logdet(s, y + z) - _logdet(s, z) - _logdet(s, x + y + z))


def cmi_gaussian(cov: Any, x: Any, y: Any, z: Any = ()) -> Estimate:
    r"""I(X;Y|Z) in nats of a jointly Gaussian vector, X, Y, Z the coordinates listed.

    .. math:: I(X;Y|Z) = \tfrac12 \log \frac{\det S_{XZ}\,\det S_{YZ}}{\det S_Z\,\det S_{XYZ}}

    (module docstring; Cover & Thomas ch. 8). Each log-determinant is taken from the
    Cholesky factor of a principal sub-matrix, in float64. With ``z`` empty this is I(X;Y).

    Arguments:
        cov: the (d, d) symmetric positive definite covariance of the whole vector.
        x: a non-empty list of coordinate indices (an int is a one-element list).
        y: a non-empty list of coordinate indices, like ``x``.
        z: the conditioning coordinates (may be empty); x, y, z pairwise disjoint.

    Returns:
        An exact :class:`~revinfo.Estimate` (``stderr`` None).

    Example:
        >>> import numpy as np
        >>> cov = np.array([[2., 1, 1], [1, 2, 1], [1, 1, 1]])  # X = Z + a, Y = Z + b
        >>> round(cmi_gaussian(cov, [0], [1], [2]).value, 12)
        0.0
    """
    s = spd_matrix(cov, "cov").numpy()
    xs, ys, zs = blocks(s.shape[0], x, y, z)
    value = gaussian_cmi_value(s, xs, ys, zs)
    return Estimate(value, None, "closed-form gaussian cmi",
                    extra={"dims": (len(xs), len(ys), len(zs))})


def _entropy_table(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-np.sum(q * np.log(q)))


def cmi_discrete(pmf: Any) -> Estimate:
    r"""I(X;Y|Z) in nats of discrete X, Y, Z from their joint pmf ``pmf[x, y, z]``.

    .. math:: I(X;Y|Z) = H(X,Z) + H(Y,Z) - H(Z) - H(X,Y,Z)

    (Cover & Thomas eq. 2.60), each entropy summed exactly over the table.

    Arguments:
        pmf: a 3-D array of probabilities (>= 0, summing to 1 within 1e-9).

    Example:
        >>> import numpy as np
        >>> p = np.zeros((2, 2, 2))
        >>> for a in (0, 1):
        ...     for c in (0, 1):
        ...         p[a, a ^ c, c] = 0.25  # Y = X xor Z
        >>> round(cmi_discrete(p).bits, 12)
        1.0
    """
    try:
        p = np.array(pmf, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"pmf must be a numeric 3-D array, got {type(pmf).__name__}") from err
    if p.ndim != 3:
        raise ValueError(f"pmf must be 3-D (x, y, z), got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("pmf must hold finite probabilities >= 0")
    if abs(p.sum() - 1.0) > 1e-9:
        raise ValueError(f"pmf must sum to 1, got {p.sum()!r}")
    value = (_entropy_table(p.sum(axis=1)) + _entropy_table(p.sum(axis=0))
             - _entropy_table(p.sum(axis=(0, 1))) - _entropy_table(p))
    return Estimate(value, None, "closed-form discrete cmi", extra={"shape": p.shape})
