"""h(f(X)) = h(X) + E log|det J|: closed forms, quadrature, honest Monte Carlo error bars."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from revinfo import dist, exact, flows
from revinfo.flows.adapters import jacobian_logabsdet
from tests.strategies import seeds

BASES = {
    "normal": lambda d: dist.standard_normal(d),
    "uniform": lambda d: dist.uniform([-1.0] * d, [2.0] * d),
    "laplace": lambda d: dist.laplace(d, 0.7),
    "logistic": lambda d: dist.logistic(d, 1.3),
    "student-t": lambda d: dist.student_t(d, 4.0),
}


@given(st.sampled_from(["linear", "orthogonal", "additive", "revnet"]), st.integers(2, 6),
       st.integers(1, 4), seeds, st.sampled_from(sorted(BASES)))
def test_linear_and_volume_preserving_flows_are_closed_form(kind, dim, depth, seed, base):
    b = BASES[base](dim)
    f = flows.build(kind, dim, depth, seed=seed)
    e = exact.entropy(b, f)
    assert e.stderr is None and e.method.startswith("closed-form")
    x = torch.zeros(1, dim, dtype=torch.float64)
    # independent log|det A|: slogdet of the autograd Jacobian (A for linear, 0 for VP)
    expected = float(b.entropy()) + float(jacobian_logabsdet(lambda v: f(v)[0], x)[0])
    assert e.value == pytest.approx(expected, abs=1e-9)


def test_linear_flow_entropy_is_gaussian_closed_form_of_pushed_covariance():
    f = flows.build("linear", 3, 3, seed=5)
    weights = [layer.weight().detach() for layer in flows.layers(f)]
    a = weights[2] @ weights[1] @ weights[0]
    cov = a @ a.T
    expected = 0.5 * math.log((2 * math.pi * math.e) ** 3 * float(torch.det(cov)))
    assert exact.entropy(dist.standard_normal(3), f).value == pytest.approx(expected, abs=1e-10)


def _quad_expected_logdet(f, d: int, pdf, limit: float, points=None) -> float:
    """E sum_i log f_i'(X_i) by 1-D quadrature over [-limit, limit] (the base's mass outside
    is below 1e-25): the flow is coordinatewise, so the log-det at x * (1, ..., 1) is
    sum_i log f_i'(x) (computed by autograd, not by the flow's code)."""

    def integrand(x):
        v = torch.full((1, d), x, dtype=torch.float64)
        return pdf(x) * float(jacobian_logabsdet(lambda u: f(u)[0], v)[0])

    val, err = integrate.quad(integrand, -limit, limit, points=points, limit=400)
    return val


@pytest.mark.parametrize("maps", [("asinh", "sinh"), ("asinh",), ("leaky", "asinh")])
def test_elementwise_flow_matches_one_dimensional_quadrature(maps):
    d, b = 3, dist.standard_normal(3)
    f = flows.build("elementwise", d, len(maps) + 1, seed=2, maps=maps)
    e = exact.entropy(b, f, n=100_000, seed=1)
    truth = float(b.entropy()) + _quad_expected_logdet(f, d, stats.norm.pdf, 11.0)
    assert abs(e.value - truth) < 4 * e.stderr, (e, truth)


def test_half_cube_elementwise_with_its_log_singularity_matches_quadrature():
    d, b = 1, dist.laplace(1, 1.0)
    f = flows.build("elementwise", d, 1, seed=4, maps=("half-cube",))
    affine = flows.layers(f)[0]._transforms[0]
    root = float(-affine.shift[0] / affine.scale[0])  # where the half-cube's derivative is 0
    e = exact.entropy(b, f, n=200_000, seed=3)
    truth = 1 + math.log(2) + _quad_expected_logdet(f, d, stats.laplace.pdf, 60.0, points=[root])
    assert abs(e.value - truth) < 4 * e.stderr, (e, truth)


def _density(b, f, z: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        x, ld_inv = f.inverse(z)
        return torch.exp(b.log_prob(x) + ld_inv)


@pytest.mark.parametrize("kind", ["elementwise", "leaky-relu", "linear"])
def test_one_dimensional_flow_density_integrates_to_one(kind):
    b, f = dist.standard_normal(1), flows.build(kind, 1, 3, seed=7)
    pdf = lambda z: float(_density(b, f, torch.tensor([[z]], dtype=torch.float64))[0])  # noqa: E731
    with torch.no_grad():
        lo, hi = (float(f(torch.tensor([[s]], dtype=torch.float64))[0]) for s in (-12.0, 12.0))
    total, err = integrate.quad(pdf, min(lo, hi), max(lo, hi), limit=500)
    assert total == pytest.approx(1.0, abs=max(1e-7, 10 * err))


@pytest.mark.parametrize("kind", ["affine", "spline", "leaky-relu"])
def test_two_dimensional_flow_density_integrates_to_one(kind):
    """Trapezoid rule on a box holding the image of the 9-sigma ball; the grid error is
    estimated by halving the step (Richardson) and the tolerance is 10x that."""
    b, f = dist.standard_normal(2), flows.build(kind, 2, 3, seed=11)
    ring = 9.0 * torch.stack([torch.cos(t := torch.linspace(0, 2 * math.pi, 2000)),
                              torch.sin(t)], 1).double()
    with torch.no_grad():
        edge = f(ring)[0]
    lo, hi = edge.min(0).values - 0.5, edge.max(0).values + 0.5

    def total(m: int) -> float:
        gx = torch.linspace(float(lo[0]), float(hi[0]), m, dtype=torch.float64)
        gy = torch.linspace(float(lo[1]), float(hi[1]), m, dtype=torch.float64)
        zz = torch.stack(torch.meshgrid(gx, gy, indexing="ij"), -1).reshape(-1, 2)
        p = _density(b, f, zz).reshape(m, m).numpy()
        return float(integrate.trapezoid(integrate.trapezoid(p, gy.numpy()), gx.numpy()))

    coarse, fine = total(300), total(600)
    grid_error = abs(fine - coarse)
    assert fine == pytest.approx(1.0, abs=max(10 * grid_error, 1e-6)), (coarse, fine)


def test_monte_carlo_stderr_is_honest_over_many_seeds():
    """95% intervals from 200 independent small runs cover a high-precision reference at a
    rate in [0.9, 0.99] (binomial sd at p = 0.95 with 200 runs is 0.015)."""
    b, f = dist.standard_normal(2), flows.build("affine", 2, 3, seed=0, weight_scale=2.0)
    reference = exact.entropy(b, f, n=400_000, seed=12345)
    runs = [exact.entropy(b, f, n=400, seed=s) for s in range(200)]
    assert reference.stderr < 0.05 * np.mean([r.stderr for r in runs])
    covered = np.mean([r.ci(0.95)[0] <= reference.value <= r.ci(0.95)[1] for r in runs])
    assert 0.9 <= covered <= 0.99, covered


def test_profile_is_cumulative_and_matches_entropy():
    b, f = dist.standard_normal(4), flows.build("affine", 4, 4, seed=3)
    prof = exact.entropy_profile(b, f, n=20_000, seed=9)
    e = exact.entropy(b, f, n=20_000, seed=9)
    assert len(prof) == 5 and prof[0].value == pytest.approx(float(b.entropy()))
    assert prof[-1].value == e.value and prof[-1].stderr == e.stderr
    layer_sum = sum(p.extra["layer_logabsdet"] for p in prof[1:])
    assert prof[-1].value - prof[0].value == pytest.approx(layer_sum, abs=1e-10)


def test_profile_marks_closed_form_prefix():
    b = dist.standard_normal(3)
    f = flows.build("linear", 3, 2, seed=1)
    g = flows.build("affine", 3, 2, seed=1)
    from nflows.transforms import CompositeTransform

    prof = exact.entropy_profile(b, CompositeTransform([*flows.layers(f), *flows.layers(g)]), n=5000)
    assert [p.stderr is None for p in prof] == [True, True, True, False, False]


def test_same_seed_bit_for_bit():
    b, f = dist.logistic(3), flows.build("spline", 3, 2, seed=1)
    a1 = exact.entropy(b, f, n=5000, seed=42, chunk=1000)
    a2 = exact.entropy(b, f, n=5000, seed=42, chunk=1000)
    assert a1.value == a2.value and a1.stderr == a2.stderr
    assert exact.entropy(b, f, n=5000, seed=43, chunk=1000).value != a1.value


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: flows.build("nope", 2, 1), "kind"),
        (lambda: flows.build("affine", 0, 1), "dim"),
        (lambda: flows.build("affine", 1, 1), "dim"),
        (lambda: flows.build("affine", 2, 0), "depth"),
        (lambda: flows.build("affine", 2, 1, colour=3), "option"),
        (lambda: exact.entropy(dist.standard_normal(2), flows.build("affine", 2, 1), n=1), "n"),
        (lambda: exact.entropy(dist.standard_normal(3), flows.build("affine", 2, 1)), "dimension"),
        (lambda: exact.entropy(dist.standard_normal(2), flows.build("elementwise", 2, 8, maps=("sinh",))), "non-finite"),
        (lambda: dist.gaussian([0, 0], [[1, 2], [2, 1]]), "positive definite"),
        (lambda: dist.gaussian([0, 0], [[1, 0.5], [0.4, 1]]), "symmetric"),
        (lambda: exact.mi_gaussian([[1, 0.5], [0.5, 1]], 2), "dim_x"),
        (lambda: exact.mi_gaussian([[1.0]], 1), "at least 2x2"),
        (lambda: exact.mi_gaussian_channel([[float("nan")]], [[1.0]], 1.0), "a contains NaN"),
        (lambda: exact.entropy(dist.standard_normal(2), None, n=1), "n must be"),
        (lambda: exact.entropy(dist.standard_normal(2),
                               flows.build("affine", 2, 1, dtype=torch.float32)), "float32"),
        (lambda: flows.trace(flows.build("affine", 2, 1), torch.zeros(3, 2)), "float32"),
        (lambda: flows.trace(flows.build("affine", 2, 1),
                             torch.full((3, 2), float("nan"), dtype=torch.float64)), "NaN"),
        (lambda: exact.mi_noisy(dist.standard_normal(2), flows.build("affine", 2, 2), 1e-200),
         "sigma"),
        (lambda: exact.mi_noisy(dist.standard_normal(2), flows.build("affine", 2, 2), 1e-20),
         "below what float64 resolves"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()
