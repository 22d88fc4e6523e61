"""High-dimensional Gaussian pairs and 128-D flows: the truth by construction against the
slogdets of the built covariance, the sampler's covariance, exact log-determinants of the
128-D networks against autograd, PMI through the flows; and the dimension rule."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from revinfo import exact, flows, tasks
from revinfo.tasks import gaussian, highdim, limits
from revinfo.tasks._common import push, task_seed


def _param(d, r, s):
    return pytest.param(d, r, s, marks=pytest.mark.slow) if d > 256 else (d, r, s)


@pytest.mark.parametrize("d,rho,structure", [_param(*p) for p in highdim.PAIRS])
def test_truth_by_construction_is_the_slogdet_truth(d, rho, structure):
    task = tasks.get(gaussian.name(d, rho, structure))
    cov = gaussian.pair(d, rho, structure).cov
    assert task.truth.value == pytest.approx(exact.mi_gaussian(cov, d), rel=1e-10)
    assert "high-dim" in task.tags and task.dims == (d, d)


@pytest.mark.slow
def test_sampler_covariance_at_128():
    task = tasks.get("gaussian-d128-rho0.1-dense")
    x, y = task.sample(40_000, seed=2)
    cov = gaussian.pair(128, 0.1, "dense").cov
    emp = np.cov(np.hstack([x, y]).T)
    # entries of a sample covariance have sd sqrt((s_ii s_jj + s_ij^2) / n) <= sqrt(2 / n)
    assert np.abs(emp - cov).max() < 5.5 * np.sqrt(2 / 40_000)


def _flow_params():
    return [pytest.param(k, marks=pytest.mark.slow) if k == "spline" else k
            for k in highdim.FLOW_KINDS]


@pytest.mark.parametrize("kind", _flow_params())
def test_128d_flow_pmi_is_the_base_pmi_at_the_pulled_back_points(kind):
    name = f"{gaussian.name(*highdim.FLOW_BASE)}+{kind}"
    task, base = tasks.get(name), tasks.get(gaussian.name(*highdim.FLOW_BASE))
    seed = task_seed(name)
    f = flows.build(kind, 128, highdim.DEPTH, seed=seed)
    g = flows.build(kind, 128, highdim.DEPTH, seed=seed + 1)
    x0, y0 = base.sample(300, seed=4)
    np.testing.assert_allclose(task.pmi(push(f, x0), push(g, y0)), base.pmi(x0, y0),
                               rtol=0, atol=1e-10)
    assert task.truth.value == base.truth.value


@pytest.mark.slow
@pytest.mark.parametrize("kind", highdim.FLOW_KINDS)
def test_128d_flow_logabsdet_is_exact(kind):
    f = flows.build(kind, 128, highdim.DEPTH, seed=1)
    x = torch.randn(3, 128, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    _, lad = f(x)
    for i in range(3):
        jac = torch.autograd.functional.jacobian(lambda v: f(v[None])[0][0], x[i])
        assert float(lad[i].detach()) == pytest.approx(float(torch.linalg.slogdet(jac)[1]),
                                                       abs=1e-9)


def test_dimension_rule():
    img = tasks.get("image-blob32-k3-rho0.8")
    small = tasks.get("gaussian-d5-rho0.8-dense")
    assert "high-dim" in img.tags and "high-dim" not in small.tags
    why = limits.unsupported("mi_ksg", img)
    assert "1024 dimensions" in why and "limit 64" in why
    assert limits.unsupported("mi_binned", small) and limits.unsupported("mi_ksg", small) is None
    assert limits.unsupported("mi_gaussian", img) is None
    for name in tasks.names("high-dim"):
        assert max(tasks.get(name).dims) > limits.HIGH_DIM
    with pytest.raises(TypeError, match="estimator must be"):
        limits.unsupported(None, img)
