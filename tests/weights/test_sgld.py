"""The SGLD sampler: against the closed-form linear posterior (mean and covariance within
5 ESS-based stderr, the O(eps) ULA bias computed and small), seeding, device=, the
DataLoader path against the tensor path, and the bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from revinfo.weights import linear_posterior, mean_and_stderr, sgld, ula_covariance

Z5 = 5.0
SD = 0.5


def _problem(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = x @ [1.0, -0.5] + SD * rng.normal(size=n)
    model = torch.nn.Linear(2, 1, bias=False).double()
    ols = np.linalg.lstsq(x, y, rcond=None)[0]
    with torch.no_grad():
        model.weight.copy_(torch.tensor(ols)[None])
    return x, y, model


def _loss(out, target):
    return ((out[:, 0] - target) ** 2).mean() / (2 * SD**2)


def test_sgld_matches_linear_posterior():
    x, y, model = _problem()
    beta, gamma = 1 / math.log(200), 5.0
    post = linear_posterior(x, y, SD, beta, gamma)
    lam = np.linalg.eigvalsh(np.linalg.inv(post.cov)).max()
    eps = 0.05 / lam
    r = sgld(model, _loss, (torch.tensor(x), torch.tensor(y)), steps=20_000, step_size=eps,
             beta=beta, gamma=gamma, burn_in=500, thin=1, progress=False)
    m, se = mean_and_stderr(r.draws)
    assert np.all(np.abs(m - post.mean) < Z5 * se), (m, post.mean, se)
    c = r.draws - post.mean
    ula = ula_covariance(x, SD, beta, gamma, eps)
    for i, j in [(0, 0), (0, 1), (1, 1)]:
        v, v_se = mean_and_stderr(c[:, i] * c[:, j])
        assert abs(v[0] - post.cov[i, j]) < Z5 * v_se[0], (i, j, v, post.cov[i, j], v_se)
        assert abs(ula[i, j] - post.cov[i, j]) < 0.3 * v_se[0]  # the step's bias is small
    assert r.device == "cpu" and r.draws.shape == (19_500, 2) and r.n == 200


def test_seeded_and_the_caller_model_is_untouched():
    x, y, model = _problem()
    before = model.weight.detach().clone()
    data = (torch.tensor(x), torch.tensor(y))
    a = sgld(model, _loss, data, steps=50, step_size=1e-3, batch_size=20, seed=3,
             progress=False)
    b = sgld(model, _loss, data, steps=50, step_size=1e-3, batch_size=20, seed=3,
             progress=False)
    c = sgld(model, _loss, data, steps=50, step_size=1e-3, batch_size=20, seed=4,
             progress=False)
    np.testing.assert_array_equal(a.draws, b.draws)
    np.testing.assert_array_equal(a.loss_trace, b.loss_trace)
    assert not np.array_equal(a.draws, c.draws)
    assert torch.equal(model.weight, before)
    assert a.nbeta == pytest.approx(200 / math.log(200)) and a.batch_size == 20


def test_dataloader_path_equals_the_tensor_path():
    x, y, model = _problem()
    tx, ty = torch.tensor(x), torch.tensor(y)
    full = sgld(model, _loss, (tx, ty), steps=40, step_size=1e-3, seed=1, progress=False)
    loader = DataLoader(TensorDataset(tx, ty), batch_size=200)
    via = sgld(model, _loss, loader, steps=40, step_size=1e-3, seed=1, progress=False)
    np.testing.assert_allclose(via.draws, full.draws, rtol=1e-12)
    assert via.init_loss == pytest.approx(full.init_loss, rel=1e-12)
    shuffled = DataLoader(TensorDataset(tx, ty), batch_size=32, shuffle=True)
    s1 = sgld(model, _loss, shuffled, steps=30, step_size=1e-3, seed=2, progress=False)
    s2 = sgld(model, _loss, shuffled, steps=30, step_size=1e-3, seed=2, progress=False)
    np.testing.assert_array_equal(s1.loss_trace, s2.loss_trace)  # the shuffles are seeded


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu"),
                                    pytest.param("cuda", marks=pytest.mark.skipif(
                                        not torch.cuda.is_available(), reason="no CUDA"))])
def test_device_is_honoured(device):
    x, y, model = _problem()
    r = sgld(model, _loss, (torch.tensor(x), torch.tensor(y)), steps=20, step_size=1e-3,
             device=device, progress=False)
    assert r.device.startswith(str(torch.device(device)))
    assert next(model.parameters()).device.type == "cpu"  # the caller's model stays put


def test_llc_of_a_regular_model_is_near_d_over_2():
    """A quick version of the claim (revinfo.claims.weights): 2 parameters, LLC 1."""
    x, y, model = _problem(n=500)
    r = sgld(model, _loss, (torch.tensor(x), torch.tensor(y)), steps=8000, step_size=2e-4,
             gamma=1.0, burn_in=200, progress=False)
    assert abs(r.llc - 1.0) < Z5 * r.llc_stderr, (r.llc, r.llc_stderr)


class _NoParams(torch.nn.Module):
    def forward(self, x):
        return x


@pytest.mark.parametrize("kwargs, err, match", [
    ({"beta": 0.0}, ValueError, "beta"),
    ({"beta": -1.0}, ValueError, "beta"),
    ({"nbeta": 0.0}, ValueError, "nbeta"),
    ({"beta": 1.0, "nbeta": 2.0}, ValueError, "not both"),
    ({"gamma": -1.0}, ValueError, "gamma"),
    ({"step_size": 0.0}, ValueError, "step_size"),
    ({"steps": 0}, ValueError, "steps"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"thin": 0}, ValueError, "thin"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_arguments(kwargs, err, match):
    x, y, model = _problem()
    with pytest.raises(err, match=match):
        sgld(model, _loss, (torch.tensor(x), torch.tensor(y)), progress=False,
             **({"steps": 10} | kwargs))


def test_bad_models_data_and_losses():
    x, y, model = _problem()
    data = (torch.tensor(x), torch.tensor(y))
    with pytest.raises(ValueError, match="no trainable parameters"):
        sgld(_NoParams(), _loss, data, steps=10)
    frozen = torch.nn.Linear(2, 1).requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        sgld(frozen, _loss, data, steps=10)
    with pytest.raises(TypeError, match="nn.Module"):
        sgld(lambda v: v, _loss, data, steps=10)
    empty = DataLoader(TensorDataset(torch.zeros(0, 2), torch.zeros(0)), batch_size=4)
    with pytest.raises(ValueError, match="empty DataLoader"):
        sgld(model, _loss, empty, steps=10)
    with pytest.raises(ValueError, match="empty"):
        sgld(model, _loss, (torch.zeros(0, 2), torch.zeros(0)), steps=10)
    with pytest.raises(TypeError, match="DataLoader or a pair"):
        sgld(model, _loss, x, steps=10)
    with pytest.raises(ValueError, match="same number of rows"):
        sgld(model, _loss, (data[0], data[1][:-1]), steps=10)
    with pytest.raises(TypeError, match="scalar"):
        sgld(model, lambda o, t: (o[:, 0] - t) ** 2, data, steps=10)
    with pytest.raises(ValueError, match="initial weights"):
        sgld(model, lambda o, t: _loss(o, t) * float("nan"), data, steps=10)
    with pytest.raises(ValueError, match="non-finite at step"):
        sgld(model, _loss, data, steps=500, step_size=10.0, progress=False)
