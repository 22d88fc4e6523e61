r"""Stable Gaussian vector autoregressions: autocovariances, transfer entropy, past-future MI.

A VAR(p) process in :math:`\mathbb R^D`,

.. math:: X_t = \sum_{i=1}^p A_i X_{t-i} + e_t, \qquad e_t \sim \mathcal N(0, Q)\ \text{i.i.d.},

is stationary when the companion matrix :math:`F` (first block row :math:`A_1 \dots A_p`,
identities below the diagonal) has spectral radius < 1 (Lütkepohl, *New Introduction to
Multiple Time Series Analysis*, 2005, sec. 2.1). The companion state
:math:`S_t = (X_t, \dots, X_{t-p+1})` then has the covariance solving the discrete Lyapunov
equation :math:`\Sigma_S = F \Sigma_S F^T + \mathrm{diag}(Q, 0, \dots, 0)` (Lütkepohl eq.
2.1.39), whose first block row holds :math:`\Gamma(0), \dots, \Gamma(p-1)`,
:math:`\Gamma(h) = E[X_t X_{t-h}^T]`; later lags follow the Yule–Walker recursion
:math:`\Gamma(h) = \sum_i A_i \Gamma(h - i)` (h >= 1, :math:`\Gamma(-h) = \Gamma(h)^T`).

Every information quantity of finitely many time points is then a Gaussian (conditional)
MI of a block-Toeplitz window covariance, computed by :func:`revinfo.exact.cmi_gaussian`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.linalg import solve_discrete_lyapunov

from revinfo import _validate
from revinfo.dist import spd_matrix
from revinfo.exact.conditional import gaussian_cmi_value, index_list
from revinfo.result import Estimate


def var_coefficients(a: Any, q: Any) -> tuple[np.ndarray, np.ndarray]:
    """``A`` as a float64 (p, D, D) array (a (D, D) matrix is p = 1) and ``Q`` as (D, D) SPD."""
    try:
        arr = np.array(a, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"A must be a (D, D) matrix or a (p, D, D) stack, got {a!r}") from err
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or 0 in arr.shape:
        raise ValueError(f"A must be a (D, D) matrix or a (p, D, D) stack, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("A contains NaN or inf")
    qm = spd_matrix(q, "Q").numpy()
    if qm.shape[0] != arr.shape[1]:
        raise ValueError(f"Q must be {arr.shape[1]}x{arr.shape[1]} to match A, got {qm.shape}")
    return arr, qm


def companion(a: np.ndarray) -> np.ndarray:
    """The (pD, pD) companion matrix of the (p, D, D) coefficients."""
    p, d, _ = a.shape
    f = np.zeros((p * d, p * d))
    f[:d] = np.concatenate(list(a), axis=1)
    f[d:, :-d] = np.eye((p - 1) * d)
    return f


def spectral_radius(a: np.ndarray) -> float:
    """max |eigenvalue| of the companion matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(companion(a)))))


def _stable(a: np.ndarray) -> None:
    r = spectral_radius(a)
    if not r < 1.0:
        raise ValueError(
            f"A is not stable: the companion matrix has spectral radius {r:.6g} >= 1, so the "
            "VAR has no stationary distribution"
        )


def state_cov(a: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Stationary covariance of the companion state (X_t, ..., X_{t-p+1}) (checked stable)."""
    _stable(a)
    p, d, _ = a.shape
    g = np.zeros((p * d, p * d))
    g[:d, :d] = q
    s = solve_discrete_lyapunov(companion(a), g)
    return 0.5 * (s + s.T)


def _autocov(a: np.ndarray, q: np.ndarray, max_lag: int) -> np.ndarray:
    p, d, _ = a.shape
    s = state_cov(a, q)
    gam = np.empty((max(max_lag, p - 1) + 1, d, d))
    for h in range(p):
        gam[h] = s[:d, h * d:(h + 1) * d]
    for h in range(p, gam.shape[0]):
        gam[h] = sum(a[i] @ (gam[h - i - 1]) for i in range(p))
    return gam[: max_lag + 1]


def var_autocov(A: Any, Q: Any, max_lag: int) -> np.ndarray:
    r"""Stationary autocovariances :math:`\Gamma(h) = E[X_t X_{t-h}^T]`, h = 0..max_lag, of
    the stable VAR(p) :math:`X_t = \sum_i A_i X_{t-i} + e_t`, :math:`e_t \sim N(0, Q)`.

    A discrete Lyapunov solve on the companion form, then the Yule–Walker recursion (module
    docstring; Lütkepohl 2005, sec. 2.1). Not an information quantity, so a plain array.

    Arguments:
        A: a (D, D) matrix (VAR(1)) or a (p, D, D) stack A_1..A_p.
        Q: the (D, D) innovation covariance (symmetric positive definite).
        max_lag: the largest lag, >= 0.

    Returns:
        A float64 array of shape (max_lag + 1, D, D).

    Raises:
        ValueError: the companion matrix has spectral radius >= 1 (not stationary).

    Example:
        >>> g = var_autocov([[0.5]], [[1.0]], 2)  # AR(1): Gamma(h) = 0.5^h / (1 - 0.25)
        >>> [round(float(v), 12) for v in g[:, 0, 0]]
        [1.333333333333, 0.666666666667, 0.333333333333]
    """
    a, q = var_coefficients(A, Q)
    max_lag = _validate.integer(max_lag, "max_lag", low=0)
    return _autocov(a, q, max_lag)


def window_cov(gam: np.ndarray, m: int) -> np.ndarray:
    """Covariance of (X_t, X_{t-1}, ..., X_{t-m+1}) from Gamma(0..m-1): block (i, j) is
    E[X_{t-i} X_{t-j}^T] = Gamma(j - i), Gamma(-h) = Gamma(h)^T (block Toeplitz)."""
    d = gam.shape[1]
    w = np.empty((m * d, m * d))
    for i in range(m):
        for j in range(m):
            w[i * d:(i + 1) * d, j * d:(j + 1) * d] = gam[j - i] if j >= i else gam[i - j].T
    return w


# Largest window (time points x components) whose dense covariance the closed forms build:
# a 4096 x 4096 float64 matrix is 134 MB and one Cholesky of it takes about a second.
MAX_WINDOW = 4096


def _window(a: np.ndarray, q: np.ndarray, m: int, names: str) -> np.ndarray:
    """:func:`window_cov` of m time points; a ValueError naming ``names`` (the arguments that
    set m) when the window has more than :data:`MAX_WINDOW` coordinates."""
    d = a.shape[1]
    if m * d > MAX_WINDOW:
        raise ValueError(f"{names} give a window of {m} time points x {d} components = "
                         f"{m * d} coordinates, more than the {MAX_WINDOW} computed here")
    return window_cov(_autocov(a, q, m - 1), m)


def _at(lags: range, comps: list[int], d: int) -> list[int]:
    """Window indices of components ``comps`` at window lags ``lags``."""
    return [lag * d + c for lag in lags for c in comps]


def _components(a: np.ndarray, source: Any, target: Any) -> tuple[list[int], list[int]]:
    d = a.shape[1]
    src = index_list(source, "source", d, allow_empty=False)
    tgt = index_list(target, "target", d, allow_empty=False)
    common = sorted(set(src) & set(tgt))
    if common:
        raise ValueError(f"source and target must be disjoint components, both contain {common}")
    return src, tgt


def transfer_entropy_var(
    A: Any, Q: Any, source: Any, target: Any, k: int = 1, l: int = 1, delay: int = 1
) -> Estimate:
    r"""Transfer entropy from components ``source`` to ``target`` of a stable Gaussian VAR(p).

    .. math:: T_{X\to Y} = I\big(Y_{t+1};\ X_{t+1-u}, \dots, X_{t+2-u-l}
              \ \big|\ Y_t, \dots, Y_{t-k+1}\big)

    (Schreiber, PRL 85, 461, 2000; the source lag u = ``delay`` as in Wibral et al., PLoS ONE
    8, e55809, 2013; u = 1 is Schreiber's form). For Gaussian processes it equals half the
    Granger causality, :math:`T = \tfrac12 \log(\det\Sigma_{\rm restricted}/
    \det\Sigma_{\rm full})` of the two regressions of :math:`Y_{t+1}` (Barnett, Barrett &
    Seth, PRL 103, 238701, 2009). Computed as :func:`cmi_gaussian` on the block-Toeplitz
    covariance of the window :math:`X_{t+1}, X_t, \dots`, exact for these finite histories.

    Arguments:
        A: the VAR's coefficient matrices, as in :func:`var_autocov`.
        Q: the VAR's innovation covariance, as in :func:`var_autocov`.
        source: a list of component indices (an int is one component).
        target: a list of component indices, disjoint from ``source``.
        k: target history length (>= 1); l: source history length (>= 1);
        delay: source lag u (>= 1).

    Returns:
        An exact :class:`~revinfo.Estimate` in nats.

    Example:
        >>> import numpy as np  # Y_{t+1} = X_t + noise of variance 1; X white, variance 1
        >>> A = [[0.0, 0.0], [1.0, 0.0]]
        >>> round(transfer_entropy_var(A, np.eye(2), 0, 1).value, 12)  # 1/2 log 2
        0.34657359028
    """
    a, q = var_coefficients(A, Q)
    src, tgt = _components(a, source, target)
    k = _validate.integer(k, "k", low=1)
    l = _validate.integer(l, "l", low=1)
    delay = _validate.integer(delay, "delay", low=1)
    d = a.shape[1]
    m = 1 + max(k, delay + l - 1)
    w = _window(a, q, m, "k, l and delay")
    future = _at(range(1), tgt, d)
    src_past = _at(range(delay, delay + l), src, d)
    tgt_past = _at(range(1, k + 1), tgt, d)
    value = gaussian_cmi_value(w, future, src_past, tgt_past)
    return Estimate(value, None, "closed-form gaussian var transfer entropy",
                    extra={"k": k, "l": l, "delay": delay})


def past_future_mi_var(
    A: Any, Q: Any, past: int, future: int, components: Any = None
) -> Estimate:
    r"""Mutual information between the last ``past`` and the next ``future`` states of a
    stable Gaussian VAR(p) (restricted to ``components``, all by default).

    .. math:: I\big(X_{t-L+1}, \dots, X_t;\ X_{t+1}, \dots, X_{t+M}\big)
              = \tfrac12 \log \frac{\det W_{\rm past} \det W_{\rm future}}{\det W}

    with W the block-Toeplitz covariance of the L + M window (:func:`cmi_gaussian` with no
    condition). As L, M grow it tends to the excess entropy / predictive information
    (Crutchfield & Feldman, Chaos 13, 25, 2003; Bialek, Nemenman & Tishby, Neural Comput.
    13, 2409, 2001); for an observed VAR(p), L >= p already gives the limit in L.

    Arguments:
        A: the VAR's coefficient matrices, as in :func:`var_autocov`.
        Q: the VAR's innovation covariance, as in :func:`var_autocov`.
        past: L >= 1; future: M >= 1.
        components: component indices observed (None: all D).

    Example:
        >>> import numpy as np  # AR(1), coefficient a: I(X_t; X_{t+1}) = -1/2 log(1 - a^2)
        >>> bool(abs(past_future_mi_var([[0.8]], [[1.0]], 3, 2).value
        ...          + 0.5 * np.log(1 - 0.64)) < 1e-12)
        True
    """
    a, q = var_coefficients(A, Q)
    d = a.shape[1]
    comps = list(range(d)) if components is None else index_list(
        components, "components", d, allow_empty=False)
    past = _validate.integer(past, "past", low=1)
    future = _validate.integer(future, "future", low=1)
    m = past + future
    w = _window(a, q, m, "past and future")
    value = gaussian_cmi_value(w, _at(range(future), comps, d), _at(range(future, m), comps, d),
                               [])
    return Estimate(value, None, "closed-form gaussian var past-future mi",
                    extra={"past": past, "future": future})


def sample_var(
    A: Any, Q: Any, n: int, *, seed: int | np.random.Generator | None = 0,
    batch: int | None = None,
) -> np.ndarray:
    """n consecutive states of the stationary VAR, shape (n, D) (or (batch, n, D)).

    The first p states are drawn from the exact stationary law N(0, Sigma_S) (no burn-in is
    needed), the rest by the recursion with N(0, Q) innovations; same seed, same array
    (``seed`` may also be a NumPy Generator, which is advanced).
    """
    a, q = var_coefficients(A, Q)
    n = _validate.integer(n, "n", low=1)
    b = 1 if batch is None else _validate.integer(batch, "batch", low=1)
    gen = seed if isinstance(seed, np.random.Generator) else _validate.rng(seed)
    p, d, _ = a.shape
    s0 = np.linalg.cholesky(state_cov(a, q))
    lq = np.linalg.cholesky(q)
    state = gen.standard_normal((b, p * d)) @ s0.T  # (X_{p-1}, ..., X_0) per sequence
    out = np.empty((b, max(n, p), d))
    for j in range(p):
        out[:, p - 1 - j] = state[:, j * d:(j + 1) * d]
    for t in range(p, n):
        out[:, t] = gen.standard_normal((b, d)) @ lq.T
        for i in range(p):
            out[:, t] += out[:, t - 1 - i] @ a[i].T
    out = out[:, :n]
    return out[0] if batch is None else out
