"""mi_noisy against independent truths: the Gaussian-channel closed form, and quadrature of
h(Y) on a grid (the flow's exact density of Z convolved with the noise by FFT)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from scipy.signal import fftconvolve

from revinfo import dist, flows
from revinfo.exact import _importance as imp
from revinfo.exact import mi_noisy, noisy

Z5 = 5.0  # tolerance in standard errors


def _log_px(base, x: torch.Tensor) -> torch.Tensor:
    """log p_X(x) at any x: torch's Uniform raises outside its box, so the box density
    (-inf outside) is written out here rather than taken from the code under test."""
    inner = getattr(base, "base_dist", None)
    if isinstance(inner, torch.distributions.Uniform):
        inside = ((x >= inner.low) & (x <= inner.high)).all(-1)
        log_density = -torch.log(inner.high - inner.low).sum()
        return torch.where(inside, log_density, -math.inf)
    return base.log_prob(x)


def _log_pz(flow, base, z: np.ndarray) -> np.ndarray:
    """log p_Z(z) = log p_X(f^-1(z)) + log|det J_{f^-1}(z)|, the flow's exact density."""
    with torch.no_grad():
        x, ld = flow.inverse(torch.as_tensor(z, dtype=torch.float64))
        return (_log_px(base, x) + ld).numpy()


def _entropy_on_grid(pz: np.ndarray, dz: float, sigma: float) -> float:
    """h(Y) for p_Y = p_Z * N(0, sigma^2 I) on a regular grid (any number of axes)."""
    half = int(math.ceil(8 * sigma / dz))
    t = np.arange(-half, half + 1) * dz
    k1 = np.exp(-0.5 * (t / sigma) ** 2) / (math.sqrt(2 * math.pi) * sigma)
    kern = k1
    for _ in range(pz.ndim - 1):
        kern = np.multiply.outer(kern, k1)
    py = fftconvolve(pz, kern, mode="same") * dz**pz.ndim
    py = py[py > 1e-300]
    return float(-(py * np.log(py)).sum() * dz**pz.ndim)


def _quadrature_mi(flow, base, sigmas, lo: float, hi: float, points: int):
    """{sigma: (I, error)} with I = h(Y) - d/2 log(2 pi e sigma^2) on a grid; the error bar
    is the change when the grid spacing doubles plus the probability mass missing from the box
    (times 10)."""
    d = base.event_shape[0]
    pad = 8 * max(sigmas)
    axis = np.linspace(lo - pad, hi + pad, points)
    dz = axis[1] - axis[0]
    grid = np.stack(np.meshgrid(*([axis] * d), indexing="ij"), -1).reshape(-1, d)
    pz = np.exp(_log_pz(flow, base, grid)).reshape([points] * d)
    missing = abs(1 - float(pz.sum() * dz**d))
    out = {}
    for sigma in sigmas:
        fine = _entropy_on_grid(pz, dz, sigma)
        coarse = _entropy_on_grid(pz[(slice(None, None, 2),) * d], 2 * dz, sigma)
        const = 0.5 * d * math.log(2 * math.pi * math.e * sigma**2)
        out[sigma] = (fine - const, abs(fine - coarse) + 10 * missing)
    return out


def _box(flow, base, margin: float, n: int = 20000) -> tuple[float, float]:
    """(lo, hi) around a seeded sample of Z = f(X) (the global RNG untouched), plus margin."""
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(0)
        z = flow(base.sample((n,)))[0]
    return float(z.min()) - margin, float(z.max()) + margin


@pytest.fixture(scope="module")
def spline2():
    """A 2-D spline flow on N(0, I) and its quadrature truths at sigma = 0.3 and 1.0."""
    flow = flows.build("spline", 2, 2, seed=3)
    base = dist.standard_normal(2)
    return flow, base, _quadrature_mi(flow, base, (0.3, 1.0), *_box(flow, base, 1.0), 768)


def _close(e, truth, quad_err=0.0):
    return abs(e.value - truth) <= Z5 * e.stderr + quad_err


# --- closed form ------------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.2, 1.0])
def test_linear_flow_mc_matches_closed_form(sigma):
    flow = flows.build("linear", 3, 2, seed=1)
    base = dist.gaussian([0.0, 1.0, -1.0], [[1.0, 0.3, 0.0], [0.3, 2.0, 0.5], [0.0, 0.5, 1.5]])
    exact = mi_noisy(base, flow, sigma)
    assert exact.stderr is None and exact.method.startswith("closed-form")
    mc = mi_noisy(base, flow, sigma, method="mc", n=1500, seed=2)
    assert mc.stderr > 0
    assert _close(mc, exact.value), (mc, exact)


def test_nonlinear_flow_is_not_closed_form():
    e = mi_noisy(dist.standard_normal(2), flows.build("additive", 2, 2), 0.5, n=50, inner=4)
    assert e.method.startswith("nested-mc")


def test_sigma_zero_is_infinite():
    e = mi_noisy(dist.standard_normal(2), flows.build("affine", 2, 2), 0.0)
    assert e.value == math.inf and e.stderr is None and "deterministic" in e.method


# --- quadrature ---------------------------------------------------------------------------


def test_one_dimensional_matches_quadrature():
    flow = flows.build("elementwise", 1, 2, seed=4, maps=("asinh",))
    base = dist.standard_normal(1)
    with torch.no_grad():
        z = flow(torch.linspace(-9, 9, 2001, dtype=torch.float64)[:, None])[0]
    truth, err = _quadrature_mi(flow, base, (0.2,), float(z.min()), float(z.max()), 8001)[0.2]
    assert err < 1e-3
    e = mi_noisy(base, flow, 0.2, n=2000, inner=16, seed=5)
    assert e.stderr < 0.02
    assert _close(e, truth, err), (e, truth, err)


@pytest.mark.parametrize("sigma", [0.3, 1.0])
def test_two_dimensional_spline_matches_quadrature(spline2, sigma):
    flow, base, truths = spline2
    truth, err = truths[sigma]
    assert err < 5e-3
    e = mi_noisy(base, flow, sigma, n=1000, seed=6)
    assert e.stderr < 0.02
    assert _close(e, truth, err), (e, truth, err)


def test_plain_estimator_is_biased_and_ours_passes_the_doubling_check(spline2):
    flow, base, truths = spline2
    truth, err = truths[1.0]
    plain = mi_noisy(base, flow, 1.0, n=4000, inner=4, seed=7, method="plain")
    # log of a 4-draw mean is biased low, so h(Y) and I come out too high
    assert plain.value - truth > Z5 * plain.stderr + err, (plain, truth)
    ours = mi_noisy(base, flow, 1.0, n=1000, inner=16, seed=7)
    # the check: |shift| <= max(stderr, 3 * stderr of the paired shift)
    assert ours.extra["inner_check_ok"]
    assert abs(ours.extra["inner_shift"]) <= 2 * ours.stderr
    assert _close(ours, truth, err), (ours, truth)


def test_inner_check_warns_when_the_value_moves():
    parts = {
        "L": torch.zeros(100, dtype=torch.float64),
        "L_half": torch.full((100,), 1.0, dtype=torch.float64) + 1e-3 * torch.arange(100.0),
        "L_raw": torch.zeros(100, dtype=torch.float64),
        "ess": torch.ones(100, dtype=torch.float64),
    }
    controls = torch.randn(100, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with pytest.warns(imp.InnerDrawWarning, match="doubling the inner draws"):
        _, _, extra = imp.summarize(lambda L: -L + controls[:, 0] * 0.01, parts, controls,
                                    torch.zeros(1, dtype=torch.float64), 8, "test")
    assert not extra["inner_check_ok"]


# --- inner="auto": strongly nonlinear flows where a fixed inner count is biased --------------

HARD = {  # name: (kind, seed, options); depth 3, d = 2
    # fixed 64 inner draws: 3.39 +- 0.09 against the quadrature 3.06 (n = 1000, seed 1)
    "affine-ws2": ("affine", 7, {"weight_scale": 2.0}),
    "leaky-relu": ("leaky-relu", 1, {}),
}


@pytest.fixture(scope="module")
def hard2():
    """{name: (flow, base, (I, error))}: quadrature truths at sigma = 0.3 on a box around a
    seeded sample of Z (3 units of margin: the leaky-relu density jumps at its kinks, so a
    tight box loses mass)."""
    out = {}
    base = dist.standard_normal(2)
    for key, (kind, seed, opts) in HARD.items():
        flow = flows.build(kind, 2, 3, seed=seed, **opts)
        truth = _quadrature_mi(flow, base, (0.3,), *_box(flow, base, 3.0), 1024)[0.3]
        out[key] = flow, base, truth
    return out


@pytest.mark.parametrize("key", list(HARD))
def test_auto_inner_matches_quadrature_without_warning(hard2, key):
    flow, base, (truth, err) = hard2[key]
    assert err < 0.05, (key, err)
    with warnings.catch_warnings():
        warnings.simplefilter("error", imp.InnerDrawWarning)
        e = mi_noisy(base, flow, 0.3, n=1000, seed=1)
    assert e.extra["inner"] == "auto" and e.extra["inner_check_ok"]
    assert not e.extra["inner_cap_reached"]
    path = e.extra["inner_path"]
    assert path and path[-1]["ok"] and all(not p["ok"] for p in path[:-1])
    assert all({"inner_mean", "inner_max", "shift", "shift_stderr", "z"} <= set(p) for p in path)
    assert abs(path[-1]["z"]) <= imp.Z_CHECK or abs(path[-1]["shift"]) <= 0.1 * e.stderr
    assert e.extra["inner_min"] >= imp.AUTO_START
    assert e.extra["inner_max"] <= e.extra["max_inner"] == imp.MAX_INNER
    assert _close(e, truth, err), (key, e, truth, err)


def test_auto_spends_its_draws_where_the_weights_are_uneven(hard2):
    flow, base, _ = hard2["affine-ws2"]
    e = mi_noisy(base, flow, 0.3, n=1000, seed=1)
    assert e.extra["inner_mean"] > 64  # more than the old default on average ...
    assert e.extra["inner_min"] < e.extra["inner_max"]  # ... but not the same for every point


def test_fixed_small_inner_still_warns(hard2):
    flow, base, _ = hard2["affine-ws2"]
    with pytest.warns(imp.InnerDrawWarning, match=r"doubling the inner draws \(2 -> 4\)"):
        e = mi_noisy(base, flow, 0.3, n=1000, inner=4, seed=1)
    assert e.extra["inner"] == 4 and not e.extra["inner_check_ok"]
    assert e.extra["inner_path"] == e.extra["inner_path"][:1]  # fixed: no doubling


def test_auto_reaching_the_cap_warns_and_says_so(hard2):
    flow, base, _ = hard2["affine-ws2"]
    with pytest.warns(imp.InnerDrawWarning, match="max_inner=32"):
        e = mi_noisy(base, flow, 0.3, n=1000, seed=1, max_inner=32)
    assert e.extra["inner_cap_reached"] and not e.extra["inner_check_ok"]
    assert e.extra["inner_max"] == 32


def test_auto_same_seed_is_bit_identical(hard2):
    flow, base, _ = hard2["affine-ws2"]
    a, b = (mi_noisy(base, flow, 0.3, n=300, seed=4) for _ in range(2))
    assert (a.value, a.stderr) == (b.value, b.stderr)
    assert a.extra["inner_path"] == b.extra["inner_path"]


def test_inner_check_uses_the_paired_differences():
    """Full and half share draws: their per-point errors nearly cancel in the difference, so a
    small consistent shift is significant although each value alone is noisy."""
    gen = torch.Generator().manual_seed(0)
    noise = torch.randn(400, generator=gen, dtype=torch.float64)
    full = noise
    half = noise + 0.05 + 0.01 * torch.randn(400, generator=gen, dtype=torch.float64)
    check = imp.inner_check(lambda L: -L, full, half, se=0.1)
    diff = half - full
    assert check["shift"] == pytest.approx(float(diff.mean()))
    assert check["shift_stderr"] == pytest.approx(float(diff.std() / 20.0))
    assert check["z"] > 30 and not check["ok"]  # independent stderrs would give z ~ 0.7
    assert imp.inner_check(lambda L: -L, full, half, se=1.0)["ok"]  # negligible next to se


def test_all_zero_weights_double_in_auto_and_raise_when_fixed():
    """A point whose every inner weight is zero (a bounded base at small sigma): auto doubles
    its draws until one lands, a fixed count refuses."""
    base = dist.uniform([-1, -1], [1, 1])
    seen = [0]  # draws point 0 has had

    def draw(idx, xs, lps):  # point 0: zero weight for its pilot and first 2 x 128
        out = torch.zeros(xs.shape[:2], dtype=torch.float64)
        if 0 in idx.tolist():
            if seen[0] < imp.PILOT + 256:
                out[idx == 0] = -math.inf
            seen[0] += xs.shape[1]
        return out, None  # log joint (the weight is exp(joint) / q), the prior as third

    mean, chol = torch.zeros(5, 2, dtype=torch.float64), torch.eye(2).repeat(5, 1, 1).double()
    controls = torch.randn(5, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    zero = torch.zeros(1, dtype=torch.float64)
    # nested_value draws from the global torch RNG (its caller seeds it): seed it here, so the
    # other points' draw counts do not depend on which tests ran before
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        with pytest.raises(ValueError, match="every inner importance weight is zero"):
            imp.nested_value(lambda L: -L, controls, zero, draw, base, mean, chol, 4, 4, "t")
        seen[0] = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", imp.InnerDrawWarning)  # the fake weights never settle
            _, _, extra = imp.nested_value(lambda L: -L, controls, zero, draw, base, mean, chol,
                                           "auto", 2048, "t")
    first, second = extra["inner_path"][:2]
    # the pilot's ESS (floored at 1/PILOT) gives point 0 256 draws (the others, whose fake
    # weights 1/q vary, get less)
    assert first["inner_max"] == 256 and first["inner_mean"] < 256
    assert first["z"] == math.inf and not first["ok"]
    # then only the dead point doubles: 256 more draws, spread over 5 points in the mean
    assert second["inner_max"] == 512
    assert round(5 * second["inner_mean"]) == round(5 * first["inner_mean"]) + 256  # counts


@pytest.mark.parametrize(("inner", "max_inner"), [("many", 2048), (0, 2048), (3, 2048),
                                                  ("auto", 16), ("auto", 2.5)])
def test_bad_inner_plan(inner, max_inner):
    with pytest.raises(ValueError, match="inner"):
        mi_noisy(dist.standard_normal(2), flows.build("affine", 2, 2), 0.5, inner=inner,
                 max_inner=max_inner)


def _check_calibrated(estimates, truth: float, truth_err: float = 0.0) -> None:
    """Over R independent seeds, the stderr is honest: z = (value - truth) / stderr has mean
    0 (within 5 sd / sqrt(R), plus the truth's own error) and sd 1 (within 5 / sqrt(2 (R-1)),
    the sd of a sample sd of R normal draws)."""
    v = np.array([e.value for e in estimates])
    z = (v - truth) / np.array([e.stderr for e in estimates])
    r = len(estimates)
    sd_z = z.std(ddof=1)
    assert abs(v.mean() - truth) <= Z5 * v.std(ddof=1) / math.sqrt(r) + truth_err, (v.mean(), truth)
    assert abs(sd_z - 1.0) <= Z5 / math.sqrt(2 * (r - 1)), sd_z


def _linear_channel_runs(runs: int):
    flow, base = flows.build("linear", 2, 2, seed=1), dist.standard_normal(2)
    truth = mi_noisy(base, flow, 0.5).value  # closed form: 1/2 log det(I + A A^T / sigma^2)
    return [mi_noisy(base, flow, 0.5, method="mc", n=200, seed=1000 + s) for s in range(runs)], truth


def test_stderr_is_calibrated_against_the_closed_form():
    """150 seeds at n = 200 (~10 s): catches a stderr off by 30% or more."""
    estimates, truth = _linear_channel_runs(150)
    _check_calibrated(estimates, truth)


@pytest.mark.slow
def test_stderr_is_calibrated_against_the_closed_form_precisely():
    """600 seeds: catches 15% (what the control-variate fit's plain residual variance was)."""
    estimates, truth = _linear_channel_runs(600)
    _check_calibrated(estimates, truth)


@pytest.mark.slow
def test_stderr_is_calibrated_against_the_quadrature_truth(spline2):
    flow, base, truths = spline2
    truth, err = truths[0.3]
    _check_calibrated([mi_noisy(base, flow, 0.3, n=200, seed=100 + s) for s in range(100)],
                      truth, err)


# --- shape of the curve, determinism, validation ----------------------------------------------


def test_decreasing_in_sigma(spline2):
    flow, base, _ = spline2
    es = [mi_noisy(base, flow, s, n=400, seed=8) for s in (0.2, 0.5, 1.0)]
    for a, b in zip(es[:-1], es[1:]):
        assert a.value - b.value > Z5 * math.hypot(a.stderr, b.stderr), (a, b)


@pytest.mark.filterwarnings("ignore::revinfo.exact._importance.InnerDrawWarning")  # fixed inner on purpose
def test_same_seed_is_bit_identical():
    flow, base = flows.build("affine", 3, 2, seed=2), dist.logistic(3)
    a = mi_noisy(base, flow, 0.4, n=200, inner=16, seed=11)
    b = mi_noisy(base, flow, 0.4, n=200, inner=16, seed=11)
    c = mi_noisy(base, flow, 0.4, n=200, inner=16, seed=12)
    assert (a.value, a.stderr) == (b.value, b.stderr)
    assert a.value != c.value


@pytest.mark.parametrize(
    "base", [dist.laplace(2), dist.uniform([-1, -1], [1, 1]), dist.student_t(2, 5.0)],
    ids=["laplace", "uniform", "student-t"],
)
def test_non_gaussian_bases_match_quadrature(base):
    """The prior term, the support (a bounded base) and the proposal's fit away from a
    Gaussian, each against quadrature of the flow's exact density."""
    flow = flows.build("affine", 2, 2, seed=1)
    truth, err = _quadrature_mi(flow, base, (0.5,), *_box(flow, base, 2.0), 768)[0.5]
    assert err < 5e-3
    e = mi_noisy(base, flow, 0.5, n=300, seed=1)
    # 5 stderr stays well below the 0.77 nats a support error (weight outside the box) moves
    assert 0 < e.stderr < 0.1 and e.extra["inner_check_ok"]
    assert _close(e, truth, err), (e, truth, err)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"sigma": -1.0}, "sigma"), ({"sigma": float("nan")}, "sigma"), ({"n": 1}, "n"),
     ({"inner": 7}, "inner"), ({"method": "magic"}, "method")],
)
def test_bad_input(kwargs, match):
    args = {"sigma": 0.5, **kwargs}
    sigma = args.pop("sigma")
    with pytest.raises(ValueError, match=match):
        mi_noisy(dist.standard_normal(2), flows.build("affine", 2, 2), sigma, **args)


def test_flow_dimension_mismatch():
    with pytest.raises(ValueError, match="dimension"):
        mi_noisy(dist.standard_normal(3), flows.build("affine", 2, 2), 0.5)


# --- folded flows: the noise component of the proposal ------------------------------------


@pytest.fixture(scope="module")
def folded2():
    """A strongly folding 2-D affine flow (weight scale 2: p(x' | y) has several modes that
    the Gaussian posterior approximation misses) and its quadrature truth at sigma = 0.3."""
    flow, base = flows.build("affine", 2, 3, seed=6, weight_scale=2.0), dist.standard_normal(2)
    box = _box(flow, base, 1.0, n=200_000)
    return flow, base, _quadrature_mi(flow, base, (0.3,), *box, 1024)[0.3]


def test_folded_flow_uses_the_noise_component_and_matches_quadrature(folded2):
    flow, base, (truth, err) = folded2
    with warnings.catch_warnings():
        warnings.simplefilter("error", imp.InnerDrawWarning)
        e = mi_noisy(base, flow, 0.3, n=4000, seed=1)
    assert e.extra["proposal_third"] == "noise" and e.extra["inner_check_ok"]
    assert e.extra["inner_max"] < imp.MAX_INNER
    assert _close(e, truth, err), (e.value, e.stderr, truth, err)


@pytest.mark.slow
def test_folded_flow_without_the_noise_component_hits_the_cap(folded2, monkeypatch):
    """The contrast: with the prior as the only defensive component (what a flow without an
    inverse gets), the same problem exhausts max_inner and warns."""
    flow, base, _ = folded2
    monkeypatch.setattr(noisy, "_invertible", lambda *a: False)
    with pytest.warns(imp.InnerDrawWarning, match="max_inner"):
        e = mi_noisy(base, flow, 0.3, n=4000, seed=1)
    assert e.extra["proposal_third"] == "prior" and not e.extra["inner_check_ok"]
