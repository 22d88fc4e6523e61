"""Exact-critic diagnostics: the bounds at the true log density ratio, and the error split."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from revinfo import diagnostics, flows, tasks
from revinfo.result import Estimate
from revinfo.tasks import gaussian
from revinfo.tasks._common import pull, task_seed

Z = 5.0
LOW_MI = ("gaussian-d2-rho0.8-dense", "gaussian-d2-rho0.8-dense+affine",
          "gaussian-d5-rho0.8-dense+spiral", "student-t-d2-df3-rho0.8")


@pytest.fixture(scope="module")
def bounds():
    return {name: diagnostics.exact_critic_bounds(tasks.get(name), 4096, 128, seed=0)
            for name in LOW_MI}


@pytest.mark.parametrize("name", LOW_MI)
def test_dv_and_nwj_at_the_exact_critic_match_the_truth(bounds, name):
    truth = tasks.get(name).truth.value
    for b in ("dv", "nwj"):
        e = bounds[name][b]
        assert abs(e.value - truth) < Z * e.stderr, (b, e.value, e.stderr, truth)
        assert e.n == 4096 and e.extra["batches"] == 32


@pytest.mark.parametrize("name", LOW_MI)
def test_infonce_never_exceeds_log_batch_size(bounds, name):
    e = bounds[name]["infonce"]
    assert max(e.extra["batch_values"]) <= math.log(128)
    assert e.value <= tasks.get(name).truth.value + Z * e.stderr


def test_infonce_saturates_at_log_b_when_mi_is_large():
    task = tasks.get("gaussian-d25-rho0.8-dense")  # I = 12.77 nats >> log 64
    e = diagnostics.exact_critic_bounds(task, 512, 64, seed=1, bounds=("infonce",))["infonce"]
    assert max(e.extra["batch_values"]) <= math.log(64)
    assert math.log(64) - e.value < 0.05
    assert task.truth.value - e.value > 8.0  # the bound gap InfoNCE cannot close


def test_scores_are_the_log_ratio_of_every_pair():
    task = tasks.get("gaussian-d5-rho0.8-dense+affine")
    x, y = task.sample(20, seed=2)
    s = diagnostics.exact_scores(task, x, y)
    assert s.shape == (20, 20)
    np.testing.assert_allclose(np.diag(s), task.log_ratio(x, y), rtol=1e-12)
    np.testing.assert_allclose(s[3, 7], task.log_ratio(x[3:4], y[7:8])[0], rtol=1e-12)


def test_flow_log_dets_cancel_in_the_ratio():
    """Recompute log p(x,y) - log p(x) - log p(y) with the change of variables written out
    (flow inverse log-dets, SciPy Gaussian densities) and compare with ``log_ratio``."""
    name = "gaussian-d2-rho0.8-dense+affine"
    task = tasks.get(name)
    p = gaussian.pair(2, 0.8, "dense")
    f = flows.build("affine", 2, 4, seed=task_seed(name))
    g = flows.build("affine", 2, 4, seed=task_seed(name) + 1)
    x, y = task.sample(50, seed=3)
    with torch.no_grad():
        x0, ldx = f.inverse(torch.from_numpy(x))
        y0, ldy = g.inverse(torch.from_numpy(y))
    x0, y0, ldx, ldy = x0.numpy(), y0.numpy(), ldx.numpy(), ldy.numpy()
    assert np.abs(ldx).max() > 0.1  # the log-dets are not trivially zero
    joint = stats.multivariate_normal(cov=p.cov).logpdf(np.hstack([x0, y0])) + ldx + ldy
    px = stats.multivariate_normal(cov=p.cov[:2, :2]).logpdf(x0) + ldx
    py = stats.multivariate_normal(cov=p.cov[2:, 2:]).logpdf(y0) + ldy
    np.testing.assert_allclose(task.log_ratio(x, y), joint - px - py, atol=1e-9)
    np.testing.assert_allclose(pull(f, x), x0)


def test_split_error_signs_add_up(bounds):
    task = tasks.get("gaussian-d2-rho0.8-dense")
    exact = bounds[task.name]["dv"]
    fake = Estimate(exact.value - 0.3, 0.02, "trained", extra={"eval_batch_size": 128,
                                                                "eval_batches": 8})
    s = diagnostics.split_error(fake, task, "dv", exact=exact)
    assert s["optimisation_error"] == pytest.approx(0.3)
    assert s["bound_gap"] == pytest.approx(task.truth.value - exact.value)
    assert s["truth"] - s["estimate"] == pytest.approx(s["bound_gap"] + s["optimisation_error"])
    assert s["error"] == pytest.approx(-(s["bound_gap"] + s["optimisation_error"]))
    assert s["sampling_error"] == pytest.approx(exact.extra["batch_sd"] / math.sqrt(8))
    assert s["batch_size"] == 128
    assert s["optimisation_error_stderr"] == pytest.approx(math.hypot(exact.stderr, 0.02))


def test_split_error_computes_the_exact_critic_at_the_estimators_batch_size():
    task = tasks.get("gaussian-d1-rho0.8")
    fake = Estimate(0.4, 0.01, "trained", extra={"eval_batch_size": 32, "eval_batches": 4})
    s = diagnostics.split_error(fake, task, "infonce", n=1024, seed=0)
    assert s["batch_size"] == 32 and s["exact_critic"] <= math.log(32)


def test_tasks_without_a_density_are_refused():
    with pytest.raises(ValueError, match="no exact log density ratio"):
        diagnostics.exact_critic_bounds(tasks.get("noisy-affine-d2-sigma0.5"), 256, 32)
    with pytest.raises(ValueError, match="bound"):
        diagnostics.exact_critic_bounds(tasks.get("gaussian-d1-rho0.5"), 256, 32,
                                        bounds=("mine",))
    with pytest.raises(TypeError, match="Task"):
        diagnostics.exact_critic_bounds("gaussian-d1-rho0.5", 256, 32)


@pytest.mark.slow
def test_split_of_a_trained_dv_estimate():
    from revinfo.estimate import mi_neural

    task = tasks.get("gaussian-d2-rho0.8-dense+affine")
    x, y = task.sample(4000, seed=7)
    est = mi_neural(x, y, "dv", steps=600, batch_size=128, seed=0)
    s = diagnostics.split_error(est, task, "dv", n=8192, seed=1)
    print({k: v for k, v in s.items()})
    assert s["truth"] - s["estimate"] == pytest.approx(s["bound_gap"] + s["optimisation_error"])
    assert abs(s["bound_gap"]) < Z * s["bound_gap_stderr"]
