"""Every task's truth against an independent computation.

Gaussian pairs: the canonical-correlation sum and NumPy slogdet of the analytic matrix,
and the Gaussian MI of a large sample of the untransformed pair; through bijections: the
same number, and the sample mean of the exact log density ratio. Student-t: SciPy's
multivariate-t entropy. Noisy channels: the linear closed form from the flow's matrix, and
high-precision reruns (slow). Weight noise: reruns (slow) and the rise as s falls.
Discrete: log m with injectivity counted on samples. Deterministic: +inf and Y = f(X).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from revinfo import tasks
from revinfo.tasks import deterministic, gaussian, heavy_tail, noisy_channel, weight_noise

Z = 5.0  # tolerance in standard errors


def _gaussian_grid():
    return gaussian._grid()


def _mi_from_cov(c: np.ndarray, dx: int) -> float:
    ld = lambda m: np.linalg.slogdet(m)[1]  # noqa: E731
    return 0.5 * (ld(c[:dx, :dx]) + ld(c[dx:, dx:]) - ld(c))


@pytest.mark.parametrize("d,rho,structure", _gaussian_grid())
def test_gaussian_truth_is_the_canonical_correlation_sum(d, rho, structure):
    task = tasks.get(gaussian.name(d, rho, structure))
    canon = -0.5 * np.log1p(-gaussian.canonical_correlations(d, rho, structure) ** 2).sum()
    cov = gaussian.pair(d, rho, structure).cov
    assert task.truth.stderr is None and task.truth.method.startswith("closed-form")
    assert task.truth.value == pytest.approx(canon, rel=1e-9, abs=1e-12)
    assert _mi_from_cov(cov, d) == pytest.approx(canon, rel=1e-9, abs=1e-12)
    # the canonical correlations of the matrix itself (whitened cross-covariance)
    wx = np.linalg.inv(np.linalg.cholesky(cov[:d, :d]))
    sv = np.linalg.svd(wx @ cov[:d, d:] @ wx.T, compute_uv=False)
    np.testing.assert_allclose(np.sort(sv[sv > 1e-9]),
                               gaussian.canonical_correlations(d, rho, structure), atol=1e-9)


@pytest.mark.parametrize("name", [gaussian.name(d, r, s) for d, r, s in _gaussian_grid()
                                  if d in (1, 5, 25)])
def test_gaussian_truth_against_a_large_sample(name):
    task = tasks.get(name)
    n = 100_000
    x, y = task.sample(n, seed=11)
    est = _mi_from_cov(np.cov(np.hstack([x, y]).T), x.shape[1])
    # delta method: var ~ sum rho_i^2 / n; plus the known upward bias ~ dx dy / (2n)
    d = x.shape[1]
    rho = float(name.split("rho")[1].split("-")[0])
    k = d if name.endswith("dense") else min(d, 2)
    se = math.sqrt(k * rho**2 / n)
    assert abs(est - task.truth.value) < Z * se + d * d / n, (est, task.truth.value, se)


@pytest.mark.parametrize("name", tasks.names("transformed"))
def test_transformed_truth_equals_the_base_and_the_log_ratio_mean(name):
    task = tasks.get(name)
    base = tasks.get(name.split("+")[0])
    assert task.truth.value == base.truth.value
    x, y = task.sample(4000, seed=5)
    lr = task.log_ratio(x, y)
    se = lr.std(ddof=1) / math.sqrt(len(lr))
    assert abs(lr.mean() - task.truth.value) < Z * se, (lr.mean(), se)
    # the samples are the base pair pushed through the maps: same draws, same ratio
    bx, by = base.sample(4000, seed=5)
    np.testing.assert_allclose(lr, base.log_ratio(bx, by), atol=1e-6)


@pytest.mark.parametrize("d,df,rho", heavy_tail.GRID)
def test_student_t_truth_against_scipy(d, df, rho):
    task = tasks.get(heavy_tail.name(d, df, rho))
    s = heavy_tail.shape_matrix(d, rho)
    h = lambda m: stats.multivariate_t(shape=m, df=df).entropy()  # noqa: E731
    assert task.truth.value == pytest.approx(h(s[:d, :d]) + h(s[d:, d:]) - h(s), abs=1e-9)
    assert task.truth.value > 0.0
    x, y = task.sample(20_000, seed=2)
    lr = task.log_ratio(x, y)
    assert abs(lr.mean() - task.truth.value) < Z * lr.std(ddof=1) / math.sqrt(len(lr))


def test_student_t_sampler_has_the_right_law():
    task = tasks.get("student-t-d1-df3-rho0.8")
    x, y = task.sample(50_000, seed=0)
    # marginal t(3); Kolmogorov-Smirnov at a generous level
    assert stats.kstest(x[:, 0], stats.t(3).cdf).pvalue > 1e-4
    # the ratio of coordinates removes the chi-square: y/x has the Gaussian-ratio law
    g = stats.multivariate_normal(cov=[[1, 0.8], [0.8, 1]]).rvs(50_000, random_state=1)
    assert stats.ks_2samp(y[:, 0] / x[:, 0], g[:, 1] / g[:, 0]).pvalue > 1e-4


def _affine_map(task) -> tuple[np.ndarray, np.ndarray]:
    """(A, b) of a linear flow f(x) = A x + b, from the images of 0 and the unit vectors."""
    d = task.dims[0]
    from revinfo import flows
    from revinfo.tasks._common import push, task_seed

    kind = task.name.split("-")[1]
    flow = flows.build(kind, d, noisy_channel.DEPTH, seed=task_seed(task.name))
    pts = np.vstack([np.zeros(d), np.eye(d)])
    img = push(flow, pts)
    return (img[1:] - img[0]).T, img[0]


NOISY_CLOSED = [n for n in tasks.names("noisy-channel") if n in tasks.names("closed-form")]
NOISY_MC = [n for n in tasks.names("noisy-channel") if n in tasks.names("monte-carlo")]


def test_every_noisy_task_is_checked():
    assert sorted(NOISY_CLOSED + NOISY_MC) == tasks.names("noisy-channel")


@pytest.mark.parametrize("name", NOISY_CLOSED)
def test_noisy_closed_forms_from_the_flow_matrix(name):
    task = tasks.get(name)
    a, b = _affine_map(task)
    sigma = float(name.split("sigma")[1])
    d = a.shape[0]
    want = 0.5 * np.linalg.slogdet(np.eye(d) + a @ a.T / sigma**2)[1]
    assert task.truth.value == pytest.approx(want, rel=1e-9)
    assert task.truth.stderr is None
    # and the sampler: Y - f(X) is N(0, sigma^2 I)
    x, y = task.sample(20_000, seed=1)
    resid = y - (x @ a.T + b)
    np.testing.assert_allclose(np.cov(resid.T), sigma**2 * np.eye(d), atol=0.05 * sigma**2)


@pytest.mark.slow
@pytest.mark.parametrize("name", NOISY_MC)
def test_noisy_monte_carlo_truth_against_a_high_precision_rerun(name):
    from revinfo import dist, exact
    from revinfo.tasks._common import task_seed

    task = tasks.get(name)
    t = task.truth
    assert t.stderr < 0.01, t
    kind, d = name.split("-")[1], task.dims[0]
    sigma = float(name.split("sigma")[1])
    from revinfo import flows

    f = flows.build(kind, d, noisy_channel.DEPTH, seed=task_seed(name))
    hi = exact.mi_noisy(dist.standard_normal(d), f, sigma, n=2 * noisy_channel.TRUTH_N,
                        seed=task_seed(name) + 1)  # inner="auto", as the truth
    print(f"{name}: truth {t.value:.4f} ± {t.stderr:.4f}, "
          f"rerun {hi.value:.4f} ± {hi.stderr:.4f}")
    assert abs(hi.value - t.value) < Z * math.hypot(t.stderr, hi.stderr)


def test_weight_noise_rises_as_the_noise_falls():
    vals = []
    for s in weight_noise.SCALES:
        t = weight_noise.weight_noise_task(weight_noise.D, s, truth_n=1000).truth
        vals.append(t.value)
        if s == 0.0:
            assert t.value == math.inf and t.stderr is None
        else:
            assert t.stderr < 0.05
    assert all(a < b for a, b in zip(vals, vals[1:])), vals
    assert vals[0] > 0.0


def test_weight_noise_sampler_matches_the_channel():
    """Z = g((W + Delta) X): g^-1(Z) - W X has covariance s^2 |X|^2 I given X."""
    from revinfo import flows
    from revinfo.tasks._common import pull, task_seed

    d, s = weight_noise.D, 0.3
    task = tasks.get(weight_noise.name(d, s))
    x, z = task.sample(20_000, seed=0)
    g = flows.build("affine", d, weight_noise.DEPTH, seed=task_seed(f"weight-noise-d{d}"))
    u = pull(g, z) - x @ weight_noise.weight(d).T
    eta = u / (s * np.linalg.norm(x, axis=1, keepdims=True))
    np.testing.assert_allclose(np.cov(eta.T), np.eye(d), atol=0.05)


@pytest.mark.slow
@pytest.mark.parametrize("s", [s for s in weight_noise.SCALES if s > 0])
def test_weight_noise_truth_against_a_high_precision_rerun(s):
    from revinfo import dist, exact
    from revinfo.tasks._common import task_seed

    d = weight_noise.D
    task = tasks.get(weight_noise.name(d, s))
    t = task.truth
    hi = exact.mi_weight_noise(dist.standard_normal(d), weight_noise.weight(d), s,
                               n=2 * weight_noise.TRUTH_N, inner="auto",
                               seed=task_seed(task.name) + 1)
    print(f"{task.name}: truth {t.value:.4f} ± {t.stderr:.4f}, rerun {hi.value:.4f} ± "
          f"{hi.stderr:.4f}")
    assert t.stderr < 0.01
    assert abs(hi.value - t.value) < Z * math.hypot(t.stderr, hi.stderr)


@pytest.mark.parametrize("name", tasks.names("discrete"))
def test_discrete_truth_is_log_m_and_the_map_is_injective(name):
    task = tasks.get(name)
    m = int(name.split("-m")[1].split("-")[0])
    assert task.truth.value == math.log(m) and task.truth.stderr is None
    x, y = task.sample(12 * m, seed=0)  # enough draws to see every point
    n_x = len(np.unique(x, axis=0))
    n_y = len(np.unique(y, axis=0))
    n_xy = len(np.unique(np.hstack([x, y]), axis=0))
    assert n_x == n_y == n_xy == m  # Y is a function of X and X of Y: H(X) = I = log m


def test_discrete_truth_refuses_a_non_injective_map(monkeypatch):
    monkeypatch.setattr(deterministic, "distinct_rows",
                        lambda a: len(np.unique(np.round(a, 0), axis=0)))
    task = deterministic.discrete_task(64, 2, "affine", 1)
    with pytest.raises(ValueError, match="not injective"):
        task.truth  # noqa: B018


@pytest.mark.parametrize("name", tasks.names("deterministic"))
def test_deterministic_truth_is_infinite(name):
    task = tasks.get(name)
    assert task.truth.value == math.inf and task.truth.method == "deterministic: +inf"
    x, y = task.sample(200, seed=0)
    if "tanh" in name:
        np.testing.assert_array_equal(y, np.tanh(x))
    if "identity" in name:
        np.testing.assert_array_equal(y, x)
    x2, y2 = task.sample(200, seed=0)
    np.testing.assert_array_equal(y, y2)
