"""linear_posterior against the normal equations and an augmented least-squares (QR) solve;
information_in_weights against torch's Gaussian KL and a Monte Carlo average; identities
(KL >= 0, KL = 0 at beta = 0 with the localizer prior, KL increasing in beta);
expected_llc against posterior draws and its d/2 limit; the ULA covariance against a
discrete Lyapunov solve."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import linalg, stats

from revinfo.weights import (
    expected_llc,
    gaussian_kl,
    information_in_weights,
    linear_posterior,
    regular_learning_coefficient,
    ula_covariance,
)
from tests.strategies import seeds

Z5 = 5.0


def _data(seed: int, n: int = 40, d: int = 3, k: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    w = rng.normal(size=(d, k))
    y = x @ w + 0.5 * rng.normal(size=(n, k))
    return x, (y[:, 0] if k == 1 else y), rng.normal(size=(d,) if k == 1 else (d, k))


betas = st.floats(min_value=0.01, max_value=10.0)
gammas = st.floats(min_value=0.01, max_value=10.0)
sds = st.floats(min_value=0.1, max_value=3.0)


@given(seeds, betas, gammas, sds, st.integers(1, 3))
def test_against_normal_equations_and_qr(seed, beta, gamma, sd, k):
    x, y, c = _data(seed, k=k)
    post = linear_posterior(x, y, sd, beta, gamma, c)
    d = x.shape[1]
    prec = beta * x.T @ x / sd**2 + gamma * np.eye(d)
    mean_ne = np.linalg.solve(prec, beta * x.T @ y / sd**2 + gamma * c)
    np.testing.assert_allclose(post.mean, mean_ne, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(post.cov, np.linalg.inv(prec), rtol=1e-9, atol=1e-12)
    # the same mean as a ridge-type augmented least-squares problem (QR, no normal equations)
    a = np.vstack([math.sqrt(beta) / sd * x, math.sqrt(gamma) * np.eye(d)])
    b = np.concatenate([math.sqrt(beta) / sd * np.atleast_2d(y.T).T, math.sqrt(gamma) *
                        np.atleast_2d(c.T).T])
    q, r = np.linalg.qr(a)
    mean_qr = linalg.solve_triangular(r, q.T @ b)
    np.testing.assert_allclose(np.atleast_2d(post.mean.T).T, mean_qr, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(post.chol @ post.chol.T, prec, rtol=1e-12, atol=1e-12)


def test_beta_zero_is_the_localizer_and_default_center_is_least_squares():
    x, y, c = _data(1)
    post = linear_posterior(x, y, 1.0, 0.0, 2.0, c)
    np.testing.assert_allclose(post.mean, c, atol=1e-14)
    np.testing.assert_allclose(post.cov, np.eye(3) / 2.0, atol=1e-14)
    ols = np.linalg.lstsq(x, y, rcond=None)[0]
    # centred at the least-squares solution, the mean stays there for every beta, gamma
    np.testing.assert_allclose(linear_posterior(x, y, 0.7, 3.0, 5.0).mean, ols, rtol=1e-10)


@given(seeds, betas, gammas, sds)
def test_information_in_weights_identities(seed, beta, gamma, sd):
    x, y, c = _data(seed)
    kl = information_in_weights(x, y, sd, beta, gamma, c)
    assert kl.value >= 0.0 and kl.stderr is None
    assert information_in_weights(x, y, sd, 0.0, gamma, c).value == pytest.approx(0.0, abs=1e-10)
    # at the least-squares centre the posterior only narrows as beta grows: KL increases
    lo = information_in_weights(x, y, sd, beta, gamma).value
    hi = information_in_weights(x, y, sd, 2.0 * beta, gamma).value
    assert hi > lo


@given(seeds, st.integers(1, 4))
def test_gaussian_kl_against_torch(seed, d):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    s, s0 = a @ a.T + 0.1 * np.eye(d), b @ b.T + 0.1 * np.eye(d)
    m, m0 = rng.normal(size=d), rng.normal(size=d)
    ref = torch.distributions.kl_divergence(
        torch.distributions.MultivariateNormal(torch.tensor(m), torch.tensor(s)),
        torch.distributions.MultivariateNormal(torch.tensor(m0), torch.tensor(s0)))
    assert gaussian_kl(m, s, m0, s0) == pytest.approx(float(ref), rel=1e-8, abs=1e-10)


def test_information_in_weights_against_monte_carlo_with_a_given_prior():
    x, y, c = _data(3)
    m0, s0 = np.array([0.5, -1.0, 0.0]), np.diag([2.0, 1.0, 0.5])
    kl = information_in_weights(x, y, 0.5, 0.3, 1.0, c, prior_mean=m0, prior_cov=s0)
    post = linear_posterior(x, y, 0.5, 0.3, 1.0, c)
    w = stats.multivariate_normal(post.mean, post.cov).rvs(200_000, random_state=4)
    terms = (stats.multivariate_normal(post.mean, post.cov).logpdf(w)
             - stats.multivariate_normal(m0, s0).logpdf(w))
    se = terms.std(ddof=1) / math.sqrt(terms.size)
    assert abs(kl.value - terms.mean()) < Z5 * se, (kl.value, terms.mean(), se)
    assert kl.extra["prior"].startswith("given")


def test_expected_llc_against_posterior_draws_and_its_limit():
    x, y, c = _data(5, n=200)
    n, sd, beta, gamma = 200, 0.5, 1 / math.log(200), 2.0
    truth = expected_llc(x, y, sd, beta, gamma, c)
    post = linear_posterior(x, y, sd, beta, gamma, c)
    w = stats.multivariate_normal(post.mean, post.cov).rvs(200_000, random_state=6)

    def loss(ws):
        return np.mean((y[None, :] - ws @ x.T) ** 2, axis=1) / (2 * sd**2)

    vals = n * beta * (loss(w) - loss(c[None, :])[0])
    se = vals.std(ddof=1) / math.sqrt(vals.size)
    assert abs(truth - vals.mean()) < Z5 * se, (truth, vals.mean(), se)
    # at the least-squares centre, gamma -> 0: exactly d/2 (a regular model)
    assert expected_llc(x, y, sd, beta, 0.0) == pytest.approx(regular_learning_coefficient(3),
                                                              rel=1e-10)
    small = expected_llc(x, y, sd, beta, 1e-3)
    assert 1.5 - 1e-3 < small < 1.5


def test_ula_covariance_against_lyapunov():
    x, _, _ = _data(7)
    sd, beta, gamma, eps = 0.5, 0.8, 1.0, 0.01
    prec = beta * x.T @ x / sd**2 + gamma * np.eye(3)
    a = np.eye(3) - eps * prec / 2
    ref = linalg.solve_discrete_lyapunov(a, eps * np.eye(3))
    np.testing.assert_allclose(ula_covariance(x, sd, beta, gamma, eps), ref, rtol=1e-9)
    with pytest.raises(ValueError, match="stability"):
        ula_covariance(x, sd, beta, gamma, 10.0)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"noise_sd": 0.0}, ValueError, "noise_sd"),
    ({"beta": -1.0}, ValueError, "beta"),
    ({"gamma": -0.5}, ValueError, "gamma"),
    ({"gamma": "a"}, TypeError, "gamma"),
    ({"center": [1.0, 2.0]}, ValueError, "center"),
    ({"center": [np.nan, 0.0, 0.0]}, ValueError, "center"),
])
def test_linear_posterior_rejects_bad_input(kwargs, err, match):
    x, y, _ = _data(0)
    args = {"noise_sd": 1.0, "beta": 1.0, "gamma": 1.0, "center": None} | kwargs
    with pytest.raises(err, match=match):
        linear_posterior(x, y, **args)


def test_bad_shapes_and_singular_precision():
    x, y, _ = _data(0)
    with pytest.raises(ValueError, match="same number"):
        linear_posterior(x, y[:-1], 1.0)
    with pytest.raises(TypeError, match="y"):
        linear_posterior(x, "y", 1.0)
    x_rank1 = np.column_stack([x[:, 0], x[:, 0]])
    with pytest.raises(ValueError, match="positive definite.*gamma > 0"):
        linear_posterior(x_rank1, y, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="gamma > 0"):
        information_in_weights(x, y, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="both"):
        information_in_weights(x, y, 1.0, 1.0, 1.0, prior_mean=np.zeros(3))
    with pytest.raises(ValueError, match="d must be >= 1"):
        regular_learning_coefficient(0)
