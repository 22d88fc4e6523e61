"""Estimators and tasks for the calibrate tests. Built by factories so that cloudpickle
ships them to worker processes by value (the test folder need not be importable there)."""

from __future__ import annotations

import math

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks import Task


def make_corr_mi():
    """Gaussian MI from the sample correlation of the first columns, as a float."""

    def corr_mi(x, y):
        r = np.corrcoef(x[:, 0], y[:, 0])[0, 1]
        with np.errstate(divide="ignore"):  # r = 1 (Y = X): +inf, as it should
            return float(-0.5 * np.log1p(-(r**2)))

    return corr_mi


def make_noisy_mi(delay: float = 0.0):
    """corr_mi plus seeded noise (uses seed=), as an Estimate with a stderr."""

    def noisy_mi(x, y, seed=0, scale=0.01):
        import time

        if delay:
            time.sleep(delay)
        r = np.corrcoef(x[:, 0], y[:, 0])[0, 1]
        noise = np.random.default_rng(seed).normal(0.0, scale)
        with np.errstate(divide="ignore"):
            return Estimate(float(-0.5 * np.log1p(-(r**2)) + noise), scale, "noisy-corr")

    return noisy_mi


def infinite_task() -> Task:
    """Y = X: I(X;Y) = +inf."""

    def sampler(n, rng):
        x = rng.standard_normal((n, 1))
        return x, x.copy()

    return Task("identity-1d", "Y = X (deterministic)", (1, 1), sampler,
                lambda: Estimate(math.inf, None, "deterministic"))  # fmt: skip


def gaussian_task(dim: int, rho: float) -> Task:
    """dim independent pairs with correlation rho: I = -dim/2 log(1 - rho^2)."""

    def sampler(n, rng):
        x = rng.standard_normal((n, dim))
        y = rho * x + math.sqrt(1 - rho**2) * rng.standard_normal((n, dim))
        return x, y

    truth = -0.5 * dim * math.log(1 - rho**2)
    return Task(f"gauss-{dim}d-{rho}", f"{dim} Gaussian pairs rho={rho}", (dim, dim), sampler,
                lambda: Estimate(truth, None, "closed-form"))  # fmt: skip


def corr_mi(x, y):
    """make_corr_mi()'s estimator at module level, for "calibrate_helpers:corr_mi" references."""
    return make_corr_mi()(x, y)
