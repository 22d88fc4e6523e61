"""I(X; g(W X)) with W from the tempered local posterior: against mi_weight_noise where the
posterior covariance is isotropic, against a plain (prior-sampling) nested Monte Carlo where
it is not, its rise to the deterministic +inf as beta or n grows, with slope d/2 in log beta,
and its fall as the temperature 1/beta rises."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from revinfo import dist, exact, flows
from revinfo.claims._stats import wls
from revinfo.weights import linear_posterior, mi_posterior_channel

Z5 = 5.0
SD = 0.5
W_TRUE = np.array([[1.0, 0.3], [-0.4, 0.8]])


def _train(m: int, seed: int, scale=(1.0, 1.0)):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(m, 2)) * np.asarray(scale)
    return x, x @ W_TRUE.T + SD * rng.normal(size=(m, 2))


def test_isotropic_posterior_equals_the_weight_noise_channel():
    rng = np.random.default_rng(0)
    q = np.linalg.qr(rng.normal(size=(50, 2)))[0] * 3.0  # X^T X = 9 I: Sigma isotropic
    y = q @ W_TRUE.T + SD * rng.normal(size=(50, 2))
    base = dist.standard_normal(2)
    post = linear_posterior(q, y, SD, 0.5, 1.0)
    assert abs(post.cov[0, 1]) < 1e-14 and post.cov[0, 0] == pytest.approx(post.cov[1, 1])
    a = mi_posterior_channel(base, q, y, SD, 0.5, 1.0, n=3000, seed=2)
    b = exact.mi_weight_noise(base, post.mean.T, math.sqrt(post.cov[0, 0]), n=3000, seed=3)
    assert abs(a.value - b.value) < Z5 * math.hypot(a.stderr, b.stderr), (a, b)


def _plain_nested(mean_w, cov_w, outer: int, inner: int, seed: int) -> tuple[float, float]:
    """E[log p(u|x) - log p(u)], p(u) = mean over x' ~ N(0, I) of N(u; M x', (x'^T S x') I)."""
    rng = np.random.default_rng(seed)
    k = mean_w.shape[0]
    x = rng.normal(size=(outer, 2))
    v = np.einsum("ni,ij,nj->n", x, cov_w, x)
    u = x @ mean_w.T + np.sqrt(v)[:, None] * rng.normal(size=(outer, k))
    xp = rng.normal(size=(inner, 2))
    vp = np.einsum("ni,ij,nj->n", xp, cov_w, xp)
    mp = xp @ mean_w.T

    def log_n(uu, mu, var):
        return -0.5 * k * np.log(2 * np.pi * var) - 0.5 * ((uu - mu) ** 2).sum(-1) / var

    terms = np.empty(outer)
    for i in range(0, outer, 200):
        uu = u[i : i + 200, None, :]
        lp = logsumexp(log_n(uu, mp[None], vp[None]), axis=1) - math.log(inner)
        terms[i : i + 200] = log_n(u[i : i + 200], x[i : i + 200] @ mean_w.T, v[i : i + 200]) - lp
    return float(terms.mean()), float(terms.std(ddof=1) / math.sqrt(outer))


def test_anisotropic_posterior_against_plain_nested_monte_carlo():
    x, y = _train(50, seed=1, scale=(0.3, 2.0))  # a stretched design: Sigma far from isotropic
    post = linear_posterior(x, y, SD, 0.05, 1.0)
    ev = np.linalg.eigvalsh(post.cov)
    assert ev.max() / ev.min() > 5
    e = mi_posterior_channel(dist.standard_normal(2), x, y, SD, 0.05, 1.0, n=3000, seed=4)
    ref, ref_se = _plain_nested(post.mean.T, post.cov, outer=2000, inner=10_000, seed=5)
    assert abs(e.value - ref) < Z5 * math.hypot(e.stderr, ref_se), (e, ref, ref_se)


def test_rises_to_the_deterministic_limit_as_beta_grows():
    x, y = _train(50, seed=0)
    base = dist.standard_normal(2)
    g = flows.build("affine", 2, 2, seed=0)
    betas = np.array([0.04, 0.16, 0.64, 2.56, 10.24])
    est = [mi_posterior_channel(base, x, y, SD, b, 1.0, flow=g, n=2000, seed=10 + i)
           for i, b in enumerate(betas)]
    vals, ses = np.array([e.value for e in est]), np.array([e.stderr for e in est])
    rises = np.diff(vals) - Z5 * np.hypot(ses[1:], ses[:-1])
    assert np.all(rises > 0), (vals, ses)  # higher beta (lower temperature): more information
    assert mi_posterior_channel(base, x, y, SD, math.inf, 1.0, flow=g).value == math.inf
    # small posterior noise: I = a + (d/2) log beta + O(1/beta)
    (_, slope, _), (_, slope_se, _) = wls([np.ones(5), np.log(betas), 1 / betas], vals, ses)
    assert abs(slope - 1.0) < Z5 * slope_se, (slope, slope_se)


def test_rises_with_the_training_set_size_at_beta_one_over_log_n():
    base = dist.standard_normal(2)
    est = []
    for i, m in enumerate([20, 80, 320, 1280]):
        x, y = _train(m, seed=20 + i)
        est.append(mi_posterior_channel(base, x, y, SD, 1 / math.log(m), 1.0, n=2000,
                                        seed=30 + i))
    vals, ses = np.array([e.value for e in est]), np.array([e.stderr for e in est])
    assert np.all(np.diff(vals) - Z5 * np.hypot(ses[1:], ses[:-1]) > 0), (vals, ses)


def test_bad_input():
    x, y = _train(20, seed=0)
    uniform = torch.distributions.Independent(
        torch.distributions.Uniform(torch.zeros(2), torch.ones(2)), 1)
    with pytest.raises(TypeError, match="Gaussian base"):
        mi_posterior_channel(uniform, x, y, SD, 1.0, 1.0)
    with pytest.raises(ValueError, match="dimension 3"):
        mi_posterior_channel(dist.standard_normal(3), x, y, SD, 1.0, 1.0)
    with pytest.raises(ValueError, match="beta"):
        mi_posterior_channel(dist.standard_normal(2), x, y, SD, -1.0, 1.0)
