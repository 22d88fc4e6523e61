"""Tolerances from standard errors, and the small fits the claims use.

Two numbers agree when |a - b| <= Z * sqrt(se_a^2 + se_b^2), Z = 5: a false alarm has
probability ~6e-7 for Gaussian errors, and the standard errors are measured, not guessed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from revinfo import seeds

Z = 5.0


def combined(*stderrs: float | None) -> float:
    """sqrt of the sum of squares of the stderrs (None counts as exact, 0)."""
    return math.sqrt(sum(float(s) ** 2 for s in stderrs if s is not None))


def agree(a: float, b: float, *stderrs: float | None) -> tuple[bool, float, float]:
    """(|a - b| <= Z * combined stderr, a - b, the tolerance)."""
    tol = Z * combined(*stderrs)
    return abs(a - b) <= tol, a - b, tol


def mean_se(values: Sequence[float]) -> tuple[float, float]:
    """Mean and its standard error (sd / sqrt(k)) over k independent repeats."""
    v = np.asarray(values, dtype=np.float64)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))


def wls(columns: Sequence[Sequence[float]], y: Sequence[float], se: Sequence[float]):
    """Weighted least squares y ~ sum_k c_k columns_k with independent errors se.

    Returns (coefficients, their standard errors) from the inverse weighted normal matrix.
    """
    x = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    w = 1.0 / np.asarray(se, dtype=np.float64)
    xw, yw = x * w[:, None], np.asarray(y, dtype=np.float64) * w
    cov = np.linalg.inv(xw.T @ xw)
    coef = cov @ xw.T @ yw
    return coef, np.sqrt(np.diag(cov))


def sub_seed(seed: int, *keys: int) -> int:
    """An independent 31-bit seed for one part of a claim's check (:func:`revinfo.seeds.spawn`)."""
    return seeds.spawn(seed, *keys, bits=31)
