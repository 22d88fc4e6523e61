r"""Effective sample size of a Markov chain, acceptance-free: Geyer's initial monotone
sequence estimator of the integrated autocorrelation time (Geyer, "Practical Markov chain
Monte Carlo", Statistical Science 7 (1992), sec. 3.3).

With :math:`\rho_t` the sample autocorrelation (by FFT), the pair sums
:math:`\Gamma_k = \rho_{2k} + \rho_{2k+1}` are summed while positive and forced non-increasing;
:math:`\tau = -1 + 2\sum_k \Gamma_k` and :math:`\mathrm{ESS} = T / \tau`. The standard error
of a chain mean is :math:`\mathrm{sd} / \sqrt{\mathrm{ESS}}`.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _series(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] < 4:
        raise ValueError(f"{name} must be a chain of shape (T,) or (T, m) with T >= 4, "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    return a


def autocorrelation(x: Any) -> np.ndarray:
    """Sample autocorrelations rho_0..rho_{T-1} of each column of a (T, m) chain (biased
    autocovariance, FFT); a constant column has rho = 1 at lag 0 and 0 elsewhere."""
    a = _series(x, "x")
    t = a.shape[0]
    c = a - a.mean(0)
    f = np.fft.rfft(c, n=2 * t, axis=0)
    acov = np.fft.irfft(f * np.conj(f), n=2 * t, axis=0)[:t] / t
    var = acov[0]
    rho = np.zeros_like(acov)
    rho[0] = 1.0
    ok = var > 0
    rho[:, ok] = acov[:, ok] / var[ok]
    return rho


def effective_sample_size(x: Any) -> np.ndarray:
    """ESS of each column of a (T, m) chain (a (T,) chain gives one value), by Geyer's
    initial monotone sequence (module docstring); in (0, T * log10(T)] (antithetic chains
    can exceed T)."""
    a = _series(x, "x")
    t = a.shape[0]
    rho = autocorrelation(a)
    k = t // 2
    gam = rho[0 : 2 * k : 2] + rho[1 : 2 * k : 2]  # (k, m)
    positive = np.cumprod(gam > 0, axis=0).astype(bool)
    mono = np.minimum.accumulate(np.where(positive, gam, 0.0), axis=0)
    tau = -1.0 + 2.0 * mono.sum(0)
    tau = np.maximum(tau, 1.0 / np.log10(max(t, 10)))
    return t / tau


def mean_and_stderr(x: Any) -> tuple[np.ndarray, np.ndarray]:
    """Column means of a (T, m) chain and their standard errors sd / sqrt(ESS)."""
    a = _series(x, "x")
    return a.mean(0), a.std(0, ddof=1) / np.sqrt(effective_sample_size(a))
