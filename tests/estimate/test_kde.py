"""Kolchinsky–Tracey bounds bracket the exact (quadrature) entropy of 1-D mixtures."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import logsumexp

from revinfo.estimate import entropy_kde, mi_kde


def mixture_entropy(mu: np.ndarray, s: float) -> float:
    """h of (1/n) sum N(mu_i, s^2) by adaptive quadrature (1e-10 accuracy)."""

    def neg_p_log_p(y: float) -> float:
        logp = logsumexp(-0.5 * ((y - mu) / s) ** 2) - np.log(len(mu) * s * np.sqrt(2 * np.pi))
        return -np.exp(logp) * logp

    pts = np.sort(mu)
    lo, hi = pts[0] - 12 * s, pts[-1] + 12 * s
    return quad(neg_p_log_p, lo, hi, points=pts, limit=2000, epsabs=1e-11)[0]


@given(
    n=st.integers(2, 12),
    s=st.floats(min_value=0.05, max_value=3.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_bounds_bracket_quadrature(n: int, s: float, seed: int) -> None:
    mu = np.random.default_rng(seed).uniform(-3, 3, n)
    h = mixture_entropy(mu, s)
    lower = entropy_kde(mu, s, bound="lower").value
    upper = entropy_kde(mu, s, bound="upper").value
    assert lower - 1e-7 <= h <= upper + 1e-7
    base = 0.5 * np.log(2 * np.pi * np.e * s * s)
    assert base - 1e-9 <= lower and upper <= base + np.log(n) + 1e-9


@pytest.mark.parametrize("s", [0.1, 0.5, 2.0])
def test_bracket_on_gaussian_samples(s: float) -> None:
    mu = np.random.default_rng(0).standard_normal(40)
    h = mixture_entropy(mu, s)
    assert entropy_kde(mu, s, "lower").value <= h <= entropy_kde(mu, s).value


def test_mi_kde_is_entropy_minus_noise_and_below_log_n() -> None:
    z = np.random.default_rng(1).standard_normal((500, 3))
    for bound in ("upper", "lower"):
        mi = mi_kde(z, 0.2, bound).value
        h = entropy_kde(z, 0.2, bound).value
        assert mi == pytest.approx(h - 1.5 * np.log(2 * np.pi * np.e * 0.04), abs=1e-10)
        assert 0 <= mi <= np.log(500)


def test_chunking_and_torch_input_do_not_change_the_value() -> None:
    z = np.random.default_rng(2).standard_normal((301, 4))
    ref = entropy_kde(z, 0.7).value
    for chunk in (1, 7, 300, 1000):
        assert entropy_kde(z, 0.7, chunk=chunk).value == pytest.approx(ref, abs=1e-12)
    assert entropy_kde(torch.from_numpy(z).float(), 0.7).value == pytest.approx(ref, abs=1e-5)
