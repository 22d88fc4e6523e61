"""The data sets the information plane is measured on: scikit-learn's bundled digits (shipped
with the package, nothing downloaded) and a synthetic Gaussian-cluster set. Any (N, d) array
with labels works as well."""

from __future__ import annotations

import numpy as np

from revinfo import _validate as v


def digits(n: int | None = None, *, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 8x8 digits (pixels scaled to [0, 1], d = 64) and their labels 0-9; with ``n``
    a random subset of n rows (drawn with ``seed``)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:  # an optional dependency: pip install revinfo[plane]
        raise ImportError("digits() needs scikit-learn (pip install 'revinfo[plane]')") from err

    x, y = load_digits(return_X_y=True)
    return _subset(x / 16.0, y.astype(np.int64), n, seed)


def clusters(n: int = 1000, d: int = 12, classes: int = 4, *, spread: float = 2.0,
             seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic set: ``classes`` Gaussian clusters in R^d (centres N(0, spread^2 I), unit
    covariance), n rows with labels drawn uniformly."""
    n = v.integer(n, "n", low=2)
    d = v.integer(d, "d", low=1)
    classes = v.integer(classes, "classes", low=1)
    spread = v.positive(spread, "spread")
    rng = v.rng(seed)
    centres = rng.normal(scale=spread, size=(classes, d))
    y = rng.integers(0, classes, size=n)
    return centres[y] + rng.normal(size=(n, d)), y.astype(np.int64)


def _subset(x: np.ndarray, y: np.ndarray, n: int | None, seed) -> tuple[np.ndarray, np.ndarray]:
    if n is None:
        return x, y
    n = v.integer(n, "n", low=2, high=x.shape[0])
    idx = np.sort(v.rng(seed).choice(x.shape[0], size=n, replace=False))
    return x[idx], y[idx]


def split(x: np.ndarray, y: np.ndarray, test_fraction: float, seed) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test): a random split; test_fraction 0 keeps no test set."""
    if test_fraction == 0:
        return x, y, x[:0], y[:0]
    f = v.fraction(test_fraction, "test_fraction")
    perm = v.rng(seed).permutation(x.shape[0])
    n_test = max(1, round(f * x.shape[0]))
    test, train = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    return x[train], y[train], x[test], y[test]
