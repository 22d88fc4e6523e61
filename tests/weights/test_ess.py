"""The ESS against AR(1) chains, whose integrated autocorrelation time (1 + phi) / (1 - phi)
is known, and the calibration of sd / sqrt(ESS) across independent chains."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from revinfo.weights import autocorrelation, effective_sample_size, mean_and_stderr


def _ar1(phi: float, t: int, chains: int, seed: int) -> np.ndarray:
    e = np.random.default_rng(seed).normal(size=(t + 500, chains))
    return signal.lfilter([1.0], [1.0, -phi], e, axis=0)[500:]


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_ess_of_ar1_chains(phi):
    x = _ar1(phi, 20_000, 20, seed=1)
    ess = effective_sample_size(x)
    expected = 20_000 * (1 - phi) / (1 + phi)
    # the IPS estimate of tau has a relative sd of about sqrt(2 (2M + 1) / T) (Sokal) with
    # M ~ 2 tau the summation window; over 20 chains the mean is 20^0.5 times tighter
    rel_sd = math.sqrt(2 * (4 * (1 + phi) / (1 - phi) + 1) / 20_000) / math.sqrt(20)
    assert abs(ess.mean() / expected - 1) < 5 * rel_sd, (ess.mean(), expected)


def test_stderr_is_calibrated_across_chains():
    x = _ar1(0.9, 2000, 400, seed=2)
    m, se = mean_and_stderr(x)
    z = m / se  # the true mean is 0
    # the sd of 400 standard normal z-scores has sd 1/sqrt(800)
    assert abs(z.std() - 1.0) < 5 / math.sqrt(800), z.std()


def test_autocorrelation_and_bad_input():
    rho = autocorrelation(np.arange(10.0))
    assert rho[0, 0] == 1.0 and rho.shape == (10, 1)
    const = effective_sample_size(np.ones((50, 1)))
    assert np.all(np.isfinite(const))
    with pytest.raises(ValueError, match="T >= 4"):
        effective_sample_size(np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        effective_sample_size(np.array([1.0, np.nan, 2.0, 3.0]))
