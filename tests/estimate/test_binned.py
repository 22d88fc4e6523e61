"""Binned estimators against exact discrete entropies from the normal CDF."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from revinfo.estimate import entropy_binned, mi_binned


def discrete_entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


@pytest.mark.parametrize("s", [0.5, 1.0, 3.0])
def test_tanh_layer_30_bins(s: float) -> None:
    # T = tanh(X), X ~ N(0, s^2), 30 bins on [-1, 1]: P_k = Phi(atanh(e_{k+1})/s) - ...
    with np.errstate(divide="ignore"):
        edges = np.arctanh(np.linspace(-1, 1, 31))  # +-inf at the ends
    exact = discrete_entropy(np.diff(norm.cdf(edges / s)))
    t = np.tanh(s * np.random.default_rng(0).standard_normal(200_000))
    est = entropy_binned(t, bins=30, range=(-1, 1), correction="miller-madow")
    # plug-in sd = sqrt(Var(log p)/n) <= 0.003 at n = 2e5 here; 4 sd.
    assert abs(est.value - exact) < 0.012
    # the plug-in is biased low by ~(m-1)/(2n) before the correction
    plug = entropy_binned(t, bins=30, range=(-1, 1)).value
    assert plug < est.value and est.value - plug == pytest.approx((est.extra["cells"] - 1) / 4e5)


@pytest.mark.parametrize("delta", [0.5, 0.2, 0.1, 0.05])
def test_quantization_approaches_h_minus_log_delta(delta: float) -> None:
    h = 0.5 * np.log(2 * np.pi * np.e)
    k = np.arange(-12 / delta, 12 / delta + 1)
    exact = discrete_entropy(norm.cdf((k + 1) * delta) - norm.cdf(k * delta))
    # exact quantized entropy: error vs the limit is o(1), below delta^2/24 + 1e-9 here
    assert abs(exact - (h - np.log(delta))) < delta**2 / 24 + 1e-9
    x = np.random.default_rng(1).standard_normal((200_000, 2))
    est = entropy_binned(x, bin_width=delta, correction="miller-madow").value
    # two independent coordinates: 2 * exact; MM residual bias + 4 sd measured < 0.02
    assert abs(est - 2 * exact) < 0.02 + 2e-7 / delta**2


def test_mi_binned_independent_and_identical() -> None:
    g = np.random.default_rng(2).standard_normal((100_000, 2))
    ind = mi_binned(g[:, 0], g[:, 1], bins=10)
    # plug-in bias of MI for independent variables ~ (mx-1)(my-1)/(2n) = 81/2e5
    assert 0 <= ind.value < 81 / 2e5 * 3
    same = mi_binned(g[:, 0], g[:, 0], bins=10)
    assert same.value == pytest.approx(entropy_binned(g[:, 0], bins=10).value, abs=1e-12)


def test_memory_never_grows_with_empty_cells() -> None:
    # a 10-d grid of width 1e-9 has ~1e100 cells; only the 5000 occupied ones are stored
    x = np.random.default_rng(3).standard_normal((5000, 10))
    assert entropy_binned(x, bin_width=1e-9).value == pytest.approx(np.log(5000), abs=1e-12)


@given(
    n=st.integers(1, 300),
    bins=st.integers(1, 50),
    seed=st.integers(0, 2**31 - 1),
    d=st.integers(1, 3),
)
def test_binned_bounds(n: int, bins: int, seed: int, d: int) -> None:
    x = np.random.default_rng(seed).standard_normal((n, d))
    e = entropy_binned(x, bins=bins)
    assert -1e-12 <= e.value <= min(np.log(n), d * np.log(bins)) + 1e-12
    assert e.extra["cells"] <= min(n, bins**d)
