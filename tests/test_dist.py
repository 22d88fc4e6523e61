"""Closed-form entropies of the base distributions against independent computations."""

import math

import numpy as np
import pytest
import torch
from scipy import special, stats

from revinfo import dist


def _mc_entropy(d, n=400_000, seed=0):
    torch.manual_seed(seed)
    lp = d.log_prob(d.sample((n,)))
    return float(-lp.mean()), float(lp.std() / math.sqrt(n))


@pytest.mark.parametrize(
    "d, scipy_entropy",
    [
        (dist.standard_normal(3), 3 * stats.norm.entropy()),
        (dist.gaussian([1.0, -2.0], [[2.0, 0.6], [0.6, 0.5]]),
         stats.multivariate_normal([1, -2], [[2, 0.6], [0.6, 0.5]]).entropy()),
        (dist.uniform([0.0, -1.0], [3.0, 1.5]), math.log(3) + math.log(2.5)),
        (dist.laplace(2, 0.5), 2 * stats.laplace(scale=0.5).entropy()),
        (dist.logistic(2, 1.7), 2 * stats.logistic(scale=1.7).entropy()),
        (dist.student_t(2, 3.0), 2 * stats.t(3.0).entropy()),
        (dist.multivariate_t(5.0, [[1.0, 0.3], [0.3, 2.0]]),
         stats.multivariate_t(shape=[[1.0, 0.3], [0.3, 2.0]], df=5.0).entropy()),
    ],
)
def test_closed_form_entropy_matches_scipy_and_monte_carlo(d, scipy_entropy):
    h = float(d.entropy().sum())
    assert h == pytest.approx(scipy_entropy, abs=1e-9)
    mc, se = _mc_entropy(d)
    assert abs(mc - h) < 5 * se + 1e-12  # + rounding: -log p is constant for the uniform


def test_reference_student_t_formula():
    nu = 4.0
    formula = (nu + 1) / 2 * (special.digamma((nu + 1) / 2) - special.digamma(nu / 2)) + math.log(
        math.sqrt(nu) * special.beta(nu / 2, 0.5))
    assert float(dist.student_t(1, nu).entropy()) == pytest.approx(formula, abs=1e-12)


def test_event_shape_and_dtype():
    for d in [dist.standard_normal(4), dist.laplace(4), dist.logistic(4), dist.student_t(4, 3.0),
              dist.uniform(np.zeros(4), np.ones(4)), dist.multivariate_t(3.0, np.eye(4))]:
        assert d.event_shape == (4,) and d.sample((3,)).dtype == torch.float64


@pytest.mark.parametrize("call, match", [
    (lambda: dist.standard_normal(0), "d"),
    (lambda: dist.laplace(2, -1.0), "scale"),
    (lambda: dist.student_t(2, 0.0), "df"),
    (lambda: dist.uniform([0.0], [0.0]), "high"),
    (lambda: dist.gaussian([0.0], [[float("nan")]]), "NaN"),
    (lambda: dist.gaussian([0.0, 0.0], [[1.0, 0.0], [0.0, -1.0]]), "positive definite"),
])
def test_bad_parameters(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_numeric_covariance_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="cov must be a numeric"):
        dist.gaussian([0.0, 0.0], "eye")


@pytest.mark.parametrize("as_torch", [False, True])
def test_parameters_are_copied_not_aliased(as_torch):
    """A float64 array or tensor passed in is copied: later edits by the caller cannot bypass
    the checks or desynchronise the cached Cholesky factor, and edits to the distribution's
    own tensors do not reach the caller."""
    wrap = (lambda v: torch.tensor(v, dtype=torch.float64)) if as_torch else np.array
    mean, cov = wrap([0.0, 0.0]), wrap([[1.0, 0.5], [0.5, 1.0]])
    low, high = wrap([0.0, 0.0]), wrap([1.0, 2.0])
    shape, loc = wrap([[1.0, 0.0], [0.0, 1.0]]), wrap([0.0, 0.0])
    g, u = dist.gaussian(mean, cov), dist.uniform(low, high)
    t = dist.multivariate_t(5.0, shape, loc)
    h_g, h_u, h_t = float(g.entropy()), float(u.entropy()), float(t.entropy())
    mean[0], cov[0, 0], low[0], shape[0, 0], loc[1] = 100.0, 9.0, 5.0, 4.0, 7.0
    assert g.mean.tolist() == [0.0, 0.0]
    assert g.covariance_matrix.tolist() == [[1.0, 0.5], [0.5, 1.0]]
    assert t.loc.tolist() == [0.0, 0.0]
    assert (float(g.entropy()), float(u.entropy()), float(t.entropy())) == (h_g, h_u, h_t)
    g.loc.add_(1.0)
    assert mean.tolist() == [100.0, 0.0]
