"""The nested Monte Carlo's building blocks: fast Gaussian paths equal their torch definitions,
seeded draws have the right law, and the float32 Jacobian copy only approximates J (its values
feed the proposal, never the weights)."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import distributions as D

from revinfo import dist, flows
from revinfo.exact import _importance as imp
from revinfo.exact import noisy


@given(st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_diagonal_normal_log_prob_matches_torch(d, seed):
    g = torch.Generator().manual_seed(seed)
    loc = torch.randn(d, generator=g, dtype=torch.float64)
    scale = torch.rand(d, generator=g, dtype=torch.float64) * 3 + 0.1
    base = D.Independent(D.Normal(loc, scale), 1)
    x = 4 * torch.randn(7, 3, d, generator=g, dtype=torch.float64)
    torch.testing.assert_close(imp.log_prob(base, x), base.log_prob(x), rtol=1e-13, atol=1e-12)


def test_standard_normal_is_seeded_by_torch():
    torch.manual_seed(3)
    a = imp.standard_normal((5, 4))
    torch.manual_seed(3)
    b = imp.standard_normal((5, 4))
    assert a.dtype == torch.float64 and torch.equal(a, b)


def _whitened_moments_ok(x: torch.Tensor, mean: torch.Tensor, cov: torch.Tensor) -> None:
    """Whitened draws have mean 0 (stderr 1/sqrt(n)) and unit second moments (stderr
    sqrt(2/n)) per coordinate, and zero cross moments (stderr 1/sqrt(n)): within 5 stderr."""
    n = x.shape[0]
    w = torch.linalg.solve_triangular(torch.linalg.cholesky(cov), (x - mean).T, upper=False).T
    second = w.T @ w / n
    assert float(w.mean(0).abs().max()) < 5 / math.sqrt(n)
    assert float((second.diagonal() - 1).abs().max()) < 5 * math.sqrt(2 / n)
    off = second - torch.diag(second.diagonal())
    assert float(off.abs().max()) < 5 / math.sqrt(n)


def test_sample_base_has_the_base_law():
    torch.manual_seed(0)
    n = 200_000
    full = dist.gaussian(torch.tensor([1.0, -2.0, 0.5]),
                         torch.tensor([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]]))
    mean, cov = imp.gaussian_params(full)
    _whitened_moments_ok(imp.sample_base(full, (n,)), mean, cov)
    diag = dist.standard_normal(3)
    x = imp.sample_base(diag, (n // 4, 4))
    assert x.shape == (n // 4, 4, 3) and x.dtype == torch.float64
    _whitened_moments_ok(x.reshape(n, 3), torch.zeros(3, dtype=torch.float64),
                         torch.eye(3, dtype=torch.float64))


def test_float32_jacobian_approximates_and_exact_values_stay_float64():
    f = flows.build("affine", 6, 3, seed=2, weight_scale=1.5)
    base = dist.standard_normal(6)
    x = torch.randn(40, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    f32 = noisy.jacobian_copy(f)
    assert next(f32.parameters()).dtype == torch.float32
    assert next(f.parameters()).dtype == torch.float64  # the original is untouched
    z, ld, jac, grad = noisy._jacobian(f, x, base, f32)
    z64, ld64, jac64, grad64 = noisy._jacobian(f, x, base)
    with torch.no_grad():
        z_ref, ld_ref = f(x)
    assert torch.equal(z, z_ref) and torch.equal(ld, ld_ref)  # what the weights see: exact
    assert jac.dtype == torch.float64
    scale = float(jac64.abs().max())
    assert float((jac - jac64).abs().max()) < 1e-5 * scale
    assert float((grad - grad64).abs().max()) < 1e-5 * (1 + float(grad64.abs().max()))
    ld_from_jac = torch.linalg.slogdet(jac64)[1]
    torch.testing.assert_close(ld_from_jac, ld_ref, rtol=0, atol=1e-9)


def test_no_float32_copy_without_parameters():
    f = flows.as_flow(lambda v: v + 0.1 * torch.sin(v))
    assert noisy.jacobian_copy(f) is None


def test_non_finite_float32_jacobian_falls_back_to_float64():
    """A float32 copy whose Jacobian is not finite (overflow) is not used: float64 is."""
    f = flows.build("affine", 3, 2, seed=0)
    base = dist.standard_normal(3)
    x = torch.randn(20, 3, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    overflowing = noisy.jacobian_copy(f)
    with torch.no_grad():
        for p in overflowing.parameters():
            p.fill_(float("inf"))  # what an overflow in float32 leaves: inf / nan Jacobians
    _, _, jac, grad = noisy._jacobian(f, x, base, overflowing)
    _, _, jac64, grad64 = noisy._jacobian(f, x, base)
    assert torch.equal(jac, jac64) and torch.equal(grad, grad64)


def _cv_problem(seed: int, n: int = 300):
    """A target with a heteroscedastic noise and three zero-mean controls it depends on."""
    g = torch.Generator().manual_seed(seed)
    c = torch.randn(n, 3, generator=g, dtype=torch.float64)
    c[:, 2] = c[:, 2] ** 3  # heavy-tailed: high-leverage rows
    noise = torch.randn(n, generator=g, dtype=torch.float64) * (1 + c[:, 0].abs())
    return 2.0 + c @ torch.tensor([0.5, -1.0, 0.2], dtype=torch.float64) + noise, c


def test_cv_mean_is_the_regression_intercept_with_its_hc2_stderr():
    """Against a second implementation: the OLS intercept of t on (1, c) and its HC2
    variance [(X^T X)^-1 X^T diag(e^2 / (1 - h)) X (X^T X)^-1]_00 (MacKinnon & White 1985),
    written directly in numpy."""
    import numpy as np

    t, c = _cv_problem(0)
    value, se, beta = imp.cv_mean(t, c)
    x = np.column_stack([np.ones(len(t)), c.numpy()])
    coef, *_ = np.linalg.lstsq(x, t.numpy(), rcond=None)
    inv = np.linalg.inv(x.T @ x)
    e = t.numpy() - x @ coef
    h = np.einsum("ij,jk,ik->i", x, inv, x)
    cov = inv @ (x.T * (e**2 / (1 - h))) @ x @ inv
    assert value == pytest.approx(coef[0], rel=1e-12)
    assert beta == pytest.approx(list(coef[1:]), rel=1e-10)
    assert se == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-10)


def test_cv_mean_does_not_depend_on_the_controls_scales():
    """Rescaling a control column changes beta, never the estimate or its stderr (a 1e10
    spread of scales once made the variance's Gram matrix singular: a 10x too small stderr)."""
    t, c = _cv_problem(1)
    ref = imp.cv_mean(t, c)
    scaled = imp.cv_mean(t, c * torch.tensor([1e-6, 1.0, 1e8], dtype=torch.float64))
    assert scaled[0] == pytest.approx(ref[0], rel=1e-9)
    assert scaled[1] == pytest.approx(ref[1], rel=1e-9)


def test_cv_mean_without_controls_is_the_sample_mean():
    t, _ = _cv_problem(2)
    value, se, beta = imp.cv_mean(t, torch.zeros(len(t), 0, dtype=torch.float64))
    assert value == pytest.approx(float(t.mean()), rel=1e-14)
    assert se == pytest.approx(float(t.std() / math.sqrt(len(t))), rel=1e-12) and beta == []


@given(st.integers(0, 10_000), st.integers(1, 4))
def test_eigen_floor_is_positive_definite_and_keeps_a_positive_definite_matrix(seed, d):
    """An indefinite precision (a non-log-concave prior) becomes |P| with a floored spectrum,
    which Cholesky accepts; a positive definite one comes back unchanged."""
    from revinfo.exact._proposal import _eigen_floor

    g = torch.Generator().manual_seed(seed)
    a = torch.randn(3, d, d, generator=g, dtype=torch.float64)
    indefinite = a + a.transpose(1, 2)
    fixed = _eigen_floor(indefinite)
    assert torch.linalg.cholesky_ex(fixed).info.eq(0).all()
    w_in, w_out = torch.linalg.eigvalsh(indefinite), torch.linalg.eigvalsh(fixed)
    top = w_in.abs().amax(1, keepdim=True)
    expect = torch.maximum(w_in.abs(), 1e-8 * top).sort(1).values
    torch.testing.assert_close(w_out, expect, rtol=1e-10, atol=1e-12 * float(top.max()))
    pd = a @ a.transpose(1, 2) + torch.eye(d, dtype=torch.float64)
    torch.testing.assert_close(_eigen_floor(pd), pd, rtol=1e-10, atol=1e-12)


def test_gaussian_posterior_names_an_underflowing_noise_variance():
    from revinfo.exact._proposal import gaussian_posterior

    x0, g = torch.zeros(2, 2, dtype=torch.float64), torch.zeros(2, 2, dtype=torch.float64)
    h = torch.eye(2, dtype=torch.float64).expand(2, 2, 2)
    with pytest.raises(ValueError, match="noise variance"):
        gaussian_posterior(x0, g, h, h.clone(), g, torch.zeros(2, dtype=torch.float64))
