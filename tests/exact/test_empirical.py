"""mi_noisy_empirical against independent truths: 1-D quadrature of the Gaussian mixture's
entropy, the sigma -> 0 limits (entropy of the distinct rows, of Y given the distinct row), the
max-entropy bound 1/2 log det(I + Cov / sigma^2) that sends it to 0, and its bounds."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import logsumexp

from revinfo.exact import empirical, mi_noisy_empirical

Z5 = 5.0  # tolerance in standard errors


def _mixture_entropy_quad(centres: np.ndarray, sigma: float) -> tuple[float, float]:
    """h of (1/m) sum_j N(c_j, sigma^2) in 1-D by adaptive quadrature, and its error bound."""
    c = np.asarray(centres, dtype=np.float64)

    def log_p(z: float) -> float:
        q = -0.5 * ((z - c) / sigma) ** 2 - 0.5 * math.log(2 * math.pi * sigma**2)
        return float(logsumexp(q) - math.log(c.size))

    def integrand(z: float) -> float:
        lp = log_p(z)
        return -math.exp(lp) * lp

    lo, hi = c.min() - 14 * sigma, c.max() + 14 * sigma
    value, err = integrate.quad(integrand, lo, hi, points=sorted(set(c.tolist())), limit=500,
                                epsabs=1e-11, epsrel=1e-11)
    return value, err


def _h_noise(sigma: float, d: int = 1) -> float:
    return 0.5 * d * math.log(2 * math.pi * math.e * sigma**2)


T1 = np.array([-1.3, -0.2, 0.0, 0.9, 2.5, 2.6])
Y1 = np.array([0, 1, 0, 1, 1, 2])


@pytest.mark.parametrize("sigma", [0.15, 0.6, 2.0])
def test_matches_quadrature(sigma):
    h_z, err = _mixture_entropy_quad(T1, sigma)
    truth = h_z - _h_noise(sigma)
    e = mi_noisy_empirical(T1, sigma, n_draws=6000, seed=1)
    assert e.stderr > 0
    assert abs(e.value - truth) < Z5 * e.stderr + err, (e, truth)


@pytest.mark.parametrize("sigma", [0.15, 0.6, 2.0])
def test_labels_match_quadrature(sigma):
    h_z, err = _mixture_entropy_quad(T1, sigma)
    h_cond, err_cond = 0.0, 0.0
    for y in np.unique(Y1):
        members = T1[Y1 == y]
        h, er = _mixture_entropy_quad(members, sigma)
        h_cond += members.size / T1.size * h
        err_cond += er
    truth = h_z - h_cond
    e = mi_noisy_empirical(T1, sigma, Y1, n_draws=6000, seed=2)
    assert e.stderr > 0
    assert abs(e.value - truth) < Z5 * e.stderr + err + err_cond, (e, truth)


def _distinct_points(n: int, d: int, seed: int) -> tuple[np.ndarray, float]:
    t = np.random.default_rng(seed).normal(size=(n, d))
    dist = np.sqrt(((t[:, None, :] - t[None, :, :]) ** 2).sum(-1))
    return t, float(dist[~np.eye(n, dtype=bool)].min())


def test_small_sigma_limit_is_log_n():
    # the other components sit >= 40 sigma away: their share of p(z) is below e^{-200}
    t, dmin = _distinct_points(50, 3, 0)
    e = mi_noisy_empirical(t, dmin / 40, n_draws=500)
    assert abs(e.value - math.log(50)) < 1e-12 and e.stderr < 1e-12


def test_small_sigma_limit_with_labels_is_entropy_of_labels():
    t, dmin = _distinct_points(40, 2, 1)
    y = np.arange(40) % 3
    counts = np.bincount(y)
    h_y = math.log(40) - float(np.dot(counts, np.log(counts))) / 40
    e = mi_noisy_empirical(t, dmin / 40, y, n_draws=400)
    assert abs(e.value - h_y) < 1e-12


def test_duplicate_rows_limit_is_entropy_of_distinct_rows():
    t = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [3.0, 1.0], [3.0, 1.0], [7.0, -2.0]])
    p = np.array([3, 2, 1]) / 6
    e = mi_noisy_empirical(t, 0.05, n_draws=600)
    assert abs(e.value - float(-(p * np.log(p)).sum())) < 1e-12
    assert e.extra["n_distinct"] == 3 and e.extra["bound"] == pytest.approx(e.value, abs=1e-12)


def test_duplicate_rows_with_different_labels_and_the_cancellation_guard():
    # rows 0 and 1 coincide but carry different labels: as sigma -> 0, I(Y; Z) -> H(Y) - H(Y |
    # distinct row) = log 2 - (1/2) log 2. At sigma = 1e-3 next to a spread of 1e4 (|u| ~ 1e7)
    # the matmul form of the exponent alone is off by 2.1e-5 nats here (measured with the guard
    # switched off); the guard recomputes the exponents from differences.
    t = np.array([0.0, 0.0, 1e4, 2e4])
    e = mi_noisy_empirical(t, 1e-3, ["a", "b", "a", "b"], n_draws=400)
    assert e.extra["recomputed"] > 0
    assert abs(e.value - 0.5 * math.log(2)) < 1e-9, e


@pytest.mark.parametrize("sigma", [1.0, 3.0, 10.0, 30.0])
def test_large_sigma_below_the_gaussian_channel_bound(sigma):
    # Z has covariance Cov(t) + sigma^2 I, so h(Z) <= h(Gaussian): I <= 1/2 logdet(I + C/s^2),
    # which goes to 0 as sigma grows
    t = np.random.default_rng(3).normal(size=(200, 3)) * np.array([1.0, 2.0, 0.5])
    cov = np.cov(t.T, bias=True)
    bound = 0.5 * np.linalg.slogdet(np.eye(3) + cov / sigma**2)[1]
    e = mi_noisy_empirical(t, sigma, n_draws=4000, seed=4)
    assert -Z5 * e.stderr < e.value < bound + Z5 * e.stderr, (e, bound)


def test_decreases_with_sigma_on_separated_clusters():
    t, _ = _distinct_points(30, 2, 5)
    values = [mi_noisy_empirical(t, s, n_draws=3000, seed=0) for s in (0.01, 0.3, 1.0, 5.0)]
    for a, b in itertools.pairwise(values):
        assert b.value < a.value + Z5 * math.hypot(a.stderr, b.stderr)
    assert values[-1].value < 0.2 * math.log(30)


rows = st.integers(2, 12)


@given(n=rows, d=st.integers(1, 3), sigma=st.floats(0.01, 5.0), seed=st.integers(0, 2**16),
       classes=st.integers(1, 4))
def test_bounds_hold(n, d, sigma, seed, classes):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 3, size=(n, d)).astype(float)  # small grid: duplicates are common
    y = rng.integers(0, classes, size=n)
    ex = mi_noisy_empirical(t, sigma, n_draws=200, seed=seed)
    ey = mi_noisy_empirical(t, sigma, y, n_draws=200, seed=seed)
    _, c = np.unique(t, axis=0, return_counts=True)
    h_rows = math.log(n) - float(np.dot(c, np.log(c))) / n
    _, cy = np.unique(y, return_counts=True)
    h_y = math.log(n) - float(np.dot(cy, np.log(cy))) / n
    assert ex.value <= h_rows <= math.log(n) + 1e-15
    assert ey.value <= h_y
    assert ey.value <= ex.value + Z5 * (ex.stderr + ey.stderr) + 1e-12  # Y is a function of X


@given(shift=st.floats(-50, 50), power=st.integers(-3, 3), seed=st.integers(0, 2**16))
def test_translation_and_scale_invariance(shift, power, seed):
    t = np.random.default_rng(seed).normal(size=(15, 2))
    a = 2.0**power  # an exact scaling: t / sigma is unchanged to the last bit
    base = mi_noisy_empirical(t, 0.7, n_draws=300, seed=seed)
    moved = mi_noisy_empirical(a * (t + shift), a * 0.7, n_draws=300, seed=seed)
    assert abs(base.value - moved.value) < 1e-9


def test_seed_chunk_and_input_type():
    t = np.random.default_rng(6).normal(size=(40, 3))
    y = np.arange(40) % 4
    a = mi_noisy_empirical(t, 0.8, y, n_draws=800, seed=3)
    b = mi_noisy_empirical(torch.from_numpy(t), 0.8, torch.from_numpy(y), n_draws=800, seed=3,
                           chunk=7)
    c = mi_noisy_empirical(t, 0.8, y, n_draws=800, seed=4)
    assert abs(a.value - b.value) < 1e-12 and abs(a.stderr - b.stderr) < 1e-12
    assert a.value != c.value
    assert a.extra["draws_per_row"] == 20 and a.n == 800


def test_stratified_stderr_matches_the_spread_over_seeds():
    t = np.random.default_rng(7).normal(size=(20, 2))
    runs = [mi_noisy_empirical(t, 0.5, n_draws=400, seed=s) for s in range(40)]
    spread = float(np.std([r.value for r in runs], ddof=1))
    mean_se = float(np.mean([r.stderr for r in runs]))
    # 40 seeds: the sample sd is within ~ +-35% of the true sd with overwhelming probability
    assert 0.6 < spread / mean_se < 1.5, (spread, mean_se)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"t": "abc"}, TypeError, "t must"),
    ({"t": np.zeros((3, 2, 2))}, ValueError, "t must have shape"),
    ({"t": np.array([[np.nan]])}, ValueError, "t contains NaN"),
    ({"sigma": 0.0}, ValueError, "sigma must be finite and > 0"),
    ({"sigma": "1"}, TypeError, "sigma must be a real number"),
    ({"labels": [0, 1]}, ValueError, r"labels must have shape \(4,\)"),
    ({"labels": 3}, TypeError, "labels must be a 1-D array"),
    ({"labels": [0.0, np.nan, 1.0, 1.0]}, ValueError, "labels contains NaN"),
    ({"n_draws": 0}, ValueError, "n_draws must be >= 1"),
    ({"n_draws": 2.5}, TypeError, "n_draws must be an integer"),
    ({"seed": -1}, ValueError, "seed must be >= 0"),
    ({"chunk": 0}, ValueError, "chunk must be >= 1"),
    ({"device": "nowhere"}, ValueError, "device must name a torch device"),
    ({"sigma": 1e-150, "t": [0.0, 1e300, 2.0, 3.0]}, ValueError, "sigma=.* too small"),
])
def test_validation(kwargs, exc, match):
    args = {"t": [0.0, 1.0, 2.0, 3.0], "sigma": 1.0, **kwargs}
    with pytest.raises(exc, match=match):
        mi_noisy_empirical(args.pop("t"), args.pop("sigma"), **args)


def test_block_size_follows_the_budget(monkeypatch):
    seen = []
    real = empirical._exponents

    def spy(mix, own, eps):
        out = real(mix, own, eps)
        seen.append(out[0].numel())
        return out

    monkeypatch.setattr(empirical, "_exponents", spy)
    monkeypatch.setattr(empirical, "BLOCK_ELEMENTS", 5000)
    t = np.random.default_rng(8).normal(size=(400, 2))
    mi_noisy_empirical(t, 0.5, n_draws=4000)
    assert max(seen) <= 5000 and len(seen) > 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_agrees_with_cpu():
    t = np.random.default_rng(9).normal(size=(300, 8))
    y = np.arange(300) % 5
    for labels in (None, y):
        a = mi_noisy_empirical(t, 0.7, labels, n_draws=3000, seed=1)
        b = mi_noisy_empirical(t, 0.7, labels, n_draws=3000, seed=1, device="cuda")
        assert abs(a.value - b.value) < 1e-10 and b.extra["device"].startswith("cuda")


def test_ragged_labels_are_a_type_error_naming_labels():
    t = np.zeros((2, 1))
    with pytest.raises(TypeError, match="labels must be a 1-D array"):
        mi_noisy_empirical(t, 1.0, labels=[[0, 1], [0]])
