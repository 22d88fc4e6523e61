"""Mixed, structured and mixture tasks against independent computations: the Gao et al.
closed form and the additive-uniform and rare-event truths against numerical entropies
h(Y) - h(Y|X) of densities written out here; Gaussian-mixture Monte Carlo truths against
2-D quadrature of p log p / (p_x p_y) with SciPy's normal densities.

(Every task's PMI mean against its truth is in test_pmi.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from revinfo import exact, tasks
from revinfo.tasks import mixed, mixtures
from revinfo.tasks._common import push

Z = 5.0


def _entropy_1d(pdf, lo, hi, points=()) -> float:
    def f(y):
        p = pdf(y)
        return -p * math.log(p) if p > 0 else 0.0

    val, err = integrate.quad(f, lo, hi, points=list(points) or None, limit=500,
                              epsabs=1e-12, epsrel=1e-12)
    assert err < 1e-8
    return val


@pytest.mark.parametrize("m", [2, 3, 5, 20])
def test_gao_closed_form_is_h_y_minus_h_y_given_x(m):
    def pdf(y):  # (1/m) sum_x (1/2) 1[x <= y < x + 2]
        return sum(0.5 for x in range(m) if x <= y < x + 2) / m

    h_y = _entropy_1d(pdf, 0.0, m + 1.0, points=range(1, m + 1))
    want = h_y - math.log(2.0)  # h(Y | X) = log 2
    assert mixed.mi_discrete_continuous(m) == pytest.approx(want, abs=1e-9)
    if m in mixed.DC_MS:
        assert tasks.get(f"discrete-continuous-m{m}").truth.value == pytest.approx(want,
                                                                                  abs=1e-9)


def test_gao_sampler_and_support():
    task = tasks.get("discrete-continuous-m5")
    x, y = task.sample(50_000, seed=3)
    assert set(np.unique(x)) == {0.0, 1.0, 2.0, 3.0, 4.0}
    assert np.all((y >= x) & (y < x + 2))
    with pytest.raises(ValueError, match="x must take values in"):
        task.pmi(np.full((2, 1), 0.5), np.ones((2, 1)))
    # a pair the joint law cannot produce has pmi -inf, one it can a finite value
    assert task.pmi(np.array([[0.0], [4.0]]), np.array([[3.0], [5.5]])).tolist() == [
        -math.inf, math.log(5.0)]


@pytest.mark.parametrize("eps", [0.1, 0.3, 0.5, 0.75, 2.0])
def test_additive_uniform_truth_is_h_y_minus_log_2eps(eps):
    def pdf(y):
        return max(min(y + eps, 1.0) - max(y - eps, 0.0), 0.0) / (2 * eps)

    h_y = _entropy_1d(pdf, -eps, 1 + eps, points=sorted({eps, 1 - eps, -eps + 1, 0.0, 1.0}))
    assert mixed.mi_additive_uniform(eps) == pytest.approx(h_y - math.log(2 * eps), abs=1e-8)


@pytest.mark.parametrize("p,a", mixed.RARE)
def test_rare_event_truth_is_h_y_minus_gaussian_entropy(p, a):
    def pdf(y):
        return (1 - p) * stats.norm.pdf(y) + p * stats.norm.pdf(y, loc=a)

    want = _entropy_1d(pdf, -40, a + 40, points=[0.0, a]) - 0.5 * math.log(2 * math.pi * math.e)
    t = tasks.get(f"rare-event-p{p:g}-a{a:g}").truth
    assert t.value == pytest.approx(want, abs=1e-8)
    h_x = -p * math.log(p) - (1 - p) * math.log1p(-p)
    assert 0 < t.value < h_x


def test_zero_inflated_sampler_drops_the_right_fraction():
    task = tasks.get("zero-inflated-d5-pi0.3-sigma0.5")
    x, y = task.sample(40_000, seed=4)
    zero = (y == 0.0).mean()
    assert abs(zero - 0.3) < Z * math.sqrt(0.3 * 0.7 / y.size)
    kept = y != 0.0
    resid = (y - x)[kept]
    assert abs(resid.std() - 0.5) < 0.01
    assert task.truth.value == pytest.approx(5 * 0.7 * 0.5 * math.log1p(4.0))


def _grid_mi(w, means, covs, box, m: int) -> float:
    """Composite Simpson quadrature of p log p / (p_x p_y) on an m x m grid (SciPy densities)."""
    from scipy.integrate import simpson

    xs, ys = np.linspace(box[0], box[1], m), np.linspace(box[2], box[3], m)
    pts = np.stack(np.meshgrid(xs, ys, indexing="ij"), -1)
    p = sum(wk * stats.multivariate_normal(mu, c).pdf(pts) for wk, mu, c in zip(w, means, covs))
    px = sum(wk * stats.norm.pdf(xs, mu[0], math.sqrt(c[0, 0]))
             for wk, mu, c in zip(w, means, covs))
    py = sum(wk * stats.norm.pdf(ys, mu[1], math.sqrt(c[1, 1]))
             for wk, mu, c in zip(w, means, covs))
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(p > 0, p * np.log(p / np.outer(px, py)), 0.0)
    return float(simpson(simpson(f, x=ys, axis=1), x=xs))


@pytest.mark.parametrize("name,box", [("mixture-x-d1-rho0.9", (-9, 9, -9, 9)),
                                      ("mixture-ai-d1", (-3, 3, -3.5, 3.5))])
def test_mixture_truth_against_quadrature(name, box):
    w, means, covs, _ = mixtures.SHAPES[name]()
    coarse, fine = _grid_mi(w, means, covs, box, 801), _grid_mi(w, means, covs, box, 1201)
    assert abs(coarse - fine) < 1e-6  # converged (measured: 3e-11 between 1001 and 2001)
    t = tasks.get(name).truth
    assert t.stderr is not None and t.stderr < 0.003
    assert abs(t.value - fine) < Z * t.stderr, (t.value, t.stderr, fine)


def test_mixture_log_prob_against_scipy():
    w, means, covs, dx = mixtures.SHAPES["mixture-d5-k4"]()
    mix = exact.GaussianMixture(w, means, covs)
    z = mix.sample(300, np.random.default_rng(0))
    want = np.log(sum(wk * stats.multivariate_normal(mu, c).pdf(z)
                      for wk, mu, c in zip(w, means, covs)))
    np.testing.assert_allclose(mix.log_prob(z), want, rtol=1e-10)
    # the all-pairs matrix and the row-aligned values agree on the diagonal
    x, y = z[:40, :dx], z[:40, dx:]
    mat = exact.pmi_mixture(mix, dx, x[:, None], y[None])
    np.testing.assert_allclose(np.diag(mat), exact.pmi_mixture(mix, dx, x, y), rtol=1e-12)


def test_mixture_validation():
    with pytest.raises(ValueError, match="weights"):
        exact.GaussianMixture([0.5, 0.6], np.zeros((2, 2)), np.stack([np.eye(2)] * 2))
    with pytest.raises(ValueError, match="positive definite"):
        exact.GaussianMixture([1.0], np.zeros((1, 2)), -np.eye(2)[None])
    with pytest.raises(ValueError, match="dim_x"):
        exact.mi_gaussian_mixture([1.0], np.zeros((1, 2)), np.eye(2)[None], dim_x=2)
    a = exact.mi_gaussian_mixture([1.0], np.zeros((1, 2)), [[[1, 0.6], [0.6, 1]]], 1,
                                  n=20_000, seed=1)
    assert abs(a.value + 0.5 * math.log(1 - 0.36)) < Z * a.stderr


@pytest.mark.parametrize("base,which", mixtures.BENDS)
def test_bent_mixture_pmi_is_the_base_pmi_at_the_pulled_back_points(base, which):
    task = tasks.get(f"{base}+{which}")
    b = tasks.get(base)
    f, g = mixtures._maps(which, b.dims[0], task.name)
    x0, y0 = b.sample(500, seed=2)
    np.testing.assert_allclose(task.pmi(push(f, x0), push(g, y0)), b.pmi(x0, y0),
                               rtol=0, atol=1e-10)
    assert task.truth.value == b.truth.value


def test_mixture_bad_input_names_the_argument():
    """Found by tests/test_fuzz.py: these leaked numpy's messages (or an AttributeError /
    IndexError) that named no argument."""
    eye2 = np.stack([np.eye(2)] * 2)
    for bad, name in [("bogus", "weights"), (1 + 1j, "means"), (None, "covs")]:
        args = {"weights": [0.5, 0.5], "means": np.zeros((2, 2)), "covs": eye2, name: bad}
        with pytest.raises((TypeError, ValueError), match=name):
            exact.GaussianMixture(**args)
    mix = exact.GaussianMixture([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], eye2)
    x, y = np.zeros((4, 1)), np.ones((4, 1))
    with pytest.raises(TypeError, match="mix"):
        exact.pmi_mixture(None, 1, x, y)
    for kwargs, name in [({"x": np.zeros((4, 2))}, "x"), ({"y": np.float64(1.0)}, "y"),
                         ({"x": np.full((4, 1), np.nan)}, "x"), ({"dim_x": 2}, "dim_x"),
                         ({"y": np.ones((3, 1))}, "y"), ({"x": np.zeros((4, 1)) + 1j}, "x")]:
        with pytest.raises((TypeError, ValueError), match=name):
            exact.pmi_mixture(**{"mix": mix, "dim_x": 1, "x": x, "y": y, **kwargs})
    # empty leading shapes are fine; points 1e200 sd away overflow the log densities
    assert exact.pmi_mixture(mix, 1, np.zeros((0, 1)), np.zeros((0, 1))).shape == (0,)
    with pytest.raises(ValueError, match="x and y"):
        exact.pmi_mixture(mix, 1, x + 1e200, y)
