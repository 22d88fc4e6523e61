r"""The information-plane coordinates (I(X; T), I(Y; T)) of one layer's activations T on the
N training rows (X uniform on the rows, Y the label), by four methods:

* ``exact``: :func:`revinfo.exact.mi_noisy_empirical`, the exact I_sigma of T + sigma eps
  (Goldfeld et al., ICML 2019), with its Monte Carlo stderr;
* ``binned``: Shwartz-Ziv & Tishby (2017): T quantised into ``bins`` equal bins per unit over
  the layer's range, I(X; B(T)) = H(B(T)) (T is a function of X) and
  I(Y; B(T)) = H(B(T)) - sum_y p(y) H(B(T) | Y = y) (:func:`revinfo.estimate.entropy_binned`);
* ``kde``: the KDE upper bound of Saxe et al. (ICLR 2018, :func:`revinfo.estimate.mi_kde`) for
  I(X; T + sigma eps), and H_KDE(T) - sum_y p(y) H_KDE(T | y) for I(Y; T + sigma eps)
  (:func:`revinfo.estimate.entropy_kde`, Kolchinsky & Tracey's pairwise bound);
* ``sp``: sample propagation (:func:`revinfo.estimate.mi_noisy` / ``entropy_noisy``), one noise
  draw per row: the same mixture as ``exact`` with fewer draws, so it must agree within error.

All in nats.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from revinfo import estimate, exact
from revinfo.result import Estimate

METHODS = ("exact", "binned", "kde", "sp")
NOISY = ("exact", "kde", "sp")  # the methods that take a sigma


def _classes(y: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """(p(y), mask) per class present."""
    return [(float(np.mean(y == c)), y == c) for c in np.unique(y)]


def _conditional(h: Callable[[np.ndarray], Estimate], t: np.ndarray, y: np.ndarray):
    """sum_y p(y) h(t[y]) and its stderr (None when every part is exact)."""
    parts = [(p, h(t[m])) for p, m in _classes(y)]
    value = sum(p * e.value for p, e in parts)
    errs = [p * e.stderr for p, e in parts if e.stderr is not None]
    return value, (math.sqrt(sum(s * s for s in errs)) if errs else None)


def exact_plane(t, y, sigma: float, *, n_draws: int, seed: int, device="cpu"):
    """(I(X; T + sigma eps), I(Y; T + sigma eps)), both exact up to their stderr."""
    ix = exact.mi_noisy_empirical(t, sigma, n_draws=n_draws, seed=seed, device=device)
    iy = exact.mi_noisy_empirical(t, sigma, y, n_draws=n_draws, seed=seed, device=device)
    return (ix.value, ix.stderr), (iy.value, iy.stderr)


def binned_plane(t, y, bins: int, value_range: tuple[float, float]):
    """(I(X; B(T)), I(Y; B(T))) with ``bins`` equal bins over ``value_range`` per unit."""
    lo, hi = value_range
    rng = (lo, hi) if hi > lo else (lo - 0.5, lo + 0.5)
    h = estimate.entropy_binned(t, bins, range=rng).value
    h_cond, _ = _conditional(lambda s: estimate.entropy_binned(s, bins, range=rng), t, y)
    return (h, None), (h - h_cond, None)


def kde_plane(t, y, sigma: float):
    """Saxe et al.'s KDE upper bound for I(X; T + sigma eps), and the KDE difference for Y."""
    ix = estimate.mi_kde(t, sigma).value
    h = estimate.entropy_kde(t, sigma).value
    h_cond, _ = _conditional(lambda s: estimate.entropy_kde(s, sigma), t, y)
    return (ix, None), (h - h_cond, None)


def sp_plane(t, y, sigma: float, *, seed: int):
    """Sample propagation, one noise draw per row (Goldfeld et al.)."""
    ix = estimate.mi_noisy(t, sigma, seed=seed)
    h = estimate.entropy_noisy(t, sigma, seed=seed)
    h_cond, se_cond = _conditional(lambda s: estimate.entropy_noisy(s, sigma, seed=seed), t, y)
    return (ix.value, ix.stderr), (h.value - h_cond, math.hypot(h.stderr, se_cond or 0.0))
