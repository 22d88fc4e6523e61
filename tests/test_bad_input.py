"""Regression tests for issue 18 ("Bad input and faults"), library part: each test failed on
the code before the fix (silent wrong answers, leaked third-party errors, unbounded work,
cancelling closed forms). The property-based fuzz over every public function is
tests/test_fuzz.py."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import torch

from revinfo import dist, exact, flows
from revinfo import estimate as est

GAUSS_H1 = 0.5 * math.log(2 * math.pi * math.e)  # h(N(0, 1))


# --- silent wrong answers ------------------------------------------------------------------

ONE_SAMPLE = [
    ("entropy_binned", lambda x: est.entropy_binned(x)),
    ("mi_binned", lambda x: est.mi_binned(x, x)),
    ("entropy_kde", lambda x: est.entropy_kde(x, 1.0)),
    ("mi_kde", lambda x: est.mi_kde(x, 1.0)),
    ("entropy_noisy", lambda x: est.entropy_noisy(x, 1.0)),
    ("mi_noisy", lambda x: est.mi_noisy(x, 1.0)),
]


@pytest.mark.parametrize("name, call", ONE_SAMPLE, ids=[n for n, _ in ONE_SAMPLE])
def test_one_sample_is_refused(name, call):
    """n = 1 gave 0.0 or h(noise) with no warning; now every estimator needs n >= 2."""
    with pytest.raises(ValueError, match=r"needs at least 2 samples"):
        call(np.array([[0.3, -1.2]]))


def test_bin_count_whose_cell_index_overflows_is_refused():
    x = np.random.default_rng(0).standard_normal(100)
    with pytest.raises(ValueError, match=r"bins must be <= 9007199254740992"):
        est.entropy_binned(x, bins=10**30)  # was 0.0 after an int64 cast warning
    # 1e9 bins are representable and correct: 100 distinct samples in 100 cells, H = log 100
    assert est.entropy_binned(x, bins=10**9).value == pytest.approx(math.log(100), abs=1e-12)


def test_non_injective_plain_function_is_refused():
    """x**2 on N(0, 1) gave 2.875 nats, which the change of variables does not give."""
    with pytest.raises(ValueError, match="^flow is not injective"):
        exact.entropy(dist.standard_normal(1), lambda x: x**2, n=2000)


def test_sign_change_between_chunks_is_caught():
    """One sample per chunk: no single batch shows both signs, the chunks together do (the
    first two base samples of seed 0 are both positive, so the pre-check passes)."""
    with pytest.raises(ValueError, match="two chunks"):
        exact.entropy(dist.uniform([-1.0], [1.0]), lambda x: x**2, n=50, chunk=1, seed=0)


def test_injective_plain_function_is_still_trusted():
    """x**3 + x (derivative 3x^2 + 1 > 0): h = h(X) + E log(1 + 3 X^2), by quadrature."""
    from scipy import integrate, stats

    truth = GAUSS_H1 + integrate.quad(lambda t: math.log1p(3 * t * t) * stats.norm.pdf(t),
                                      -40, 40)[0]
    e = exact.entropy(dist.standard_normal(1), lambda x: x**3 + x, n=20_000, seed=1)
    assert abs(e.value - truth) < 5 * e.stderr


@pytest.mark.parametrize("call", [
    lambda: dist.gaussian([0.0, 0.0], np.eye(2) + 0j),
    lambda: dist.gaussian(np.array([0j, 1]), np.eye(2)),
    lambda: dist.multivariate_t(3.0, torch.eye(2, dtype=torch.complex128)),
    lambda: exact.mi_gaussian(np.eye(2) * (1 + 1j), 1),
])
def test_complex_parameters_are_refused(call):
    with pytest.raises(TypeError, match=r"must be real"):
        call()


# --- arrays users really pass --------------------------------------------------------------

def test_negative_stride_views_are_copied():
    rng = np.random.default_rng(0)
    g = rng.standard_normal(200)
    h = g + rng.standard_normal(200)
    for f in (lambda a: est.entropy_kde(a, 0.5), lambda a: est.mi_noisy(a, 0.5),
              lambda a: est.entropy_binned(a), lambda a: est.entropy_knn(a)):
        assert f(g[::-1]).value == f(g[::-1].copy()).value
    assert est.mi_gaussian(np.flip(g), np.flip(h)).value == pytest.approx(
        est.mi_gaussian(g, h).value, rel=1e-12)
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    d = dist.gaussian(np.zeros(2)[::-1], np.flip(cov))  # np.flip(cov) swaps x and y
    assert torch.equal(d.covariance_matrix, torch.tensor(cov[::-1, ::-1].copy()))
    assert exact.mi_gaussian(np.flip(cov), 1) == pytest.approx(-0.5 * math.log(1 - 0.18), 1e-14)


@pytest.mark.parametrize("call, name", [
    (lambda: est.entropy_binned([[1.0, 2.0], [3.0]]), "x"),
    (lambda: est.mi_ksg([1.0, 2.0, 3.0], [[1.0], [2.0, 3.0], [4.0]]), "y"),
    (lambda: dist.gaussian([0.0, 0.0], [[1.0, 0.0], [0.0]]), "cov"),
    (lambda: dist.uniform([0.0, [1.0]], [1.0, 2.0]), "low"),
])
def test_ragged_lists_name_the_argument(call, name):
    with pytest.raises(TypeError, match=rf"^{name} must be a numeric array-like.*ragged"):
        call()


# --- devices and dtypes --------------------------------------------------------------------

MISSING_CUDA = f"cuda:{torch.cuda.device_count()}"  # one past the last: absent on any machine


@pytest.mark.parametrize("device", [MISSING_CUDA, "gpu", "meta", 3])
@pytest.mark.parametrize("call", [
    lambda dev: flows.build("affine", 2, 1, device=dev),
    lambda dev: exact.mi_noisy(dist.standard_normal(2), flows.build("affine", 2, 1), 0.5,
                               n=10, device=dev),
    lambda dev: est.mi_neural(np.arange(40.0), np.arange(40.0), steps=1, batch_size=8,
                              device=dev),
], ids=["flows.build", "exact.mi_noisy", "estimate.mi_neural"])
def test_unavailable_device_names_the_devices_this_machine_has(call, device):
    err = TypeError if device == 3 else ValueError
    match = "device must be a str" if device == 3 else r"this machine has \['cpu'"
    with pytest.raises(err, match=match):
        call(device)


def test_meta_tensor_input_is_a_value_error():
    with pytest.raises(ValueError, match="z is a tensor on the 'meta' device"):
        est.entropy_noisy(torch.zeros(5, device="meta"), 1.0)


def test_flow_dtypes():
    with pytest.raises(ValueError, match="dtype=torch.float16 is refused"):
        flows.build("affine", 2, 1, dtype=torch.float16)
    with pytest.raises(TypeError, match="dtype must be a floating torch dtype"):
        flows.build("affine", 2, 1, dtype=int)
    by_name = flows.build("affine", 2, 2, dtype="float32", seed=3)
    by_dtype = flows.build("affine", 2, 2, dtype=torch.float32, seed=3)
    for p, q in zip(by_name.parameters(), by_dtype.parameters(), strict=True):
        assert p.dtype == torch.float32 and torch.equal(p, q)


def test_trace_with_the_wrong_feature_count_names_x():
    f = flows.build("affine", 2, 1)
    with pytest.raises(ValueError, match=r"does not accept x of shape \(3, 5\) \(5 features\)"):
        flows.trace(f, torch.zeros(3, 5, dtype=torch.float64))


# --- work that never ends ------------------------------------------------------------------

def test_work_above_the_limit_is_refused_before_starting():
    f = flows.build("affine", 2, 1)
    with pytest.raises(ValueError, match="above max_work=1e"):
        exact.entropy(dist.standard_normal(2), f, n=10**12)
    with pytest.raises(ValueError, match="above max_work=1e"):
        exact.entropy_profile(dist.standard_normal(2), f, n=10**12)
    from revinfo.exact.entropy import MAX_WORK

    assert exact.entropy.__kwdefaults__["max_work"] == MAX_WORK == 1e10


def test_raised_limit_runs_and_progress_does_not_change_numbers():
    f = flows.build("affine", 2, 2, seed=1)
    a = exact.entropy(dist.standard_normal(2), f, n=3000, chunk=500, max_work=None,
                      progress=True)
    b = exact.entropy(dist.standard_normal(2), f, n=3000, chunk=500, progress=False)
    assert (a.value, a.stderr) == (b.value, b.stderr)
    with pytest.raises(ValueError, match="above max_work=100"):
        exact.entropy(dist.standard_normal(2), f, n=3000, max_work=100)


class _Interrupt(torch.nn.Module):
    """A flow that presses Ctrl-C on its third chunk."""

    def __init__(self):
        super().__init__()
        self.inner = flows.build("affine", 2, 1)
        self.calls = 0

    def forward(self, x, context=None):
        self.calls += 1
        if self.calls == 4:  # call 1 is the pre-check on two samples
            raise KeyboardInterrupt
        return self.inner(x)


def test_ctrl_c_stops_cleanly_and_restores_the_global_rng():
    from nflows.transforms import CompositeTransform

    flow = CompositeTransform([_Interrupt()])
    torch.manual_seed(123)
    before = torch.get_rng_state()
    with pytest.raises(KeyboardInterrupt) as info:
        exact.entropy(dist.standard_normal(2), flow, n=5000, chunk=100, progress=False)
    # still inside the traceback's lifetime: the sampler's fork_rng has been exited anyway
    assert torch.equal(torch.get_rng_state(), before)
    assert info.value is not None and flow._transforms[0].calls == 4


# --- wrong truths at extreme but legal parameters ------------------------------------------

def _t_entropy_mp(nu: float, k: int) -> mpmath.mpf:
    """Multivariate t entropy (S = I) at 60 digits; k = 1 is the univariate t."""
    with mpmath.workdps(40 + 2 * int(math.log10(max(nu, 1.0)))):  # the terms cancel here too
        nu, k = mpmath.mpf(nu), mpmath.mpf(k)
        return (-mpmath.loggamma((nu + k) / 2) + mpmath.loggamma(nu / 2)
                + k / 2 * mpmath.log(nu * mpmath.pi)
                + (nu + k) / 2 * (mpmath.digamma((nu + k) / 2) - mpmath.digamma(nu / 2)))


DFS = [0.05, 0.5, 1.0, 3.0, 29.0, 30.0, 31.0, 150.0, 1e3, 1e5, 1e8, 1e10, 1e12, 1e14, 1e16,
       1e50, 1e300]


@pytest.mark.parametrize("df", DFS)
def test_student_t_entropy_matches_mpmath_across_df(df):
    """Issue values: 2.30, 36.84, 690.78 at df = 1e14, 1e16, 1e300 (truth 2.837877).
    Tolerance: below the series switch the closed form's own rounding, ~eps * df * log(df)
    (measured <= 2e-12 at df <= 30 k); past it, the 10-term series is exact to ~1e-17."""
    got = exact.entropy(dist.student_t(2, df)).value
    assert got == pytest.approx(2 * float(_t_entropy_mp(df, 1)), rel=1e-13, abs=1e-13)


@pytest.mark.parametrize("k", [1, 2, 5, 40])
@pytest.mark.parametrize("df", [0.5, 3.0, 29.0, 30.0 * 5, 1e4, 1e16, 1e300])
def test_multivariate_t_entropy_matches_mpmath(df, k):
    """Issue: multivariate_t(1e16, I_2) gave 5.986 (truth 2.837877 = h(N(0, I_2)))."""
    s = np.diag(np.linspace(0.5, 2.0, k))
    got = exact.entropy(dist.multivariate_t(df, s)).value
    truth = float(_t_entropy_mp(df, k)) + 0.5 * float(np.sum(np.log(np.diag(s))))
    assert got == pytest.approx(truth, rel=1e-12, abs=1e-12)


def test_mi_gaussian_estimator_is_scale_free_to_extremes():
    rng = np.random.default_rng(0)
    g = rng.standard_normal(500)
    h = g + rng.standard_normal(500)
    ref = est.mi_gaussian(g, h).value  # 1e200 raised LinAlgError, 1e-300 "singular"
    for s in (1e200, 1e-300, 1e300):
        assert est.mi_gaussian(g * s, h * s).value == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1e150, 1e300])
def test_exact_mi_gaussian_at_extreme_scales(scale):
    cov = np.array([[1.0, 0.5, 0.1], [0.5, 2.0, 0.3], [0.1, 0.3, 1.5]])
    assert exact.mi_gaussian(cov * scale, 1) == pytest.approx(exact.mi_gaussian(cov, 1), 1e-13)


def test_tiny_asymmetric_matrix_is_not_called_symmetric():
    """The absolute tolerance 1e-12 waved through any matrix of entries ~1e-20."""
    with pytest.raises(ValueError, match="cov must be symmetric"):
        dist.gaussian([0.0, 0.0], [[1e-20, 1e-20], [0.0, 1e-20]])


@pytest.mark.parametrize("far", [1e9, 1e16, 1e150, 1e300])
@pytest.mark.parametrize("bound, a", [("upper", 0.5), ("lower", 0.125)])
def test_mi_kde_with_a_far_point_matches_the_closed_form(far, bound, a):
    """Three centres [far, 0, 1], sigma 1: the far one only sees itself, so
    I = -(1/3)[log(1/3) + 2 log((1 + exp(-a)) / 3)] (issue: 0.6365 at 1e9, -inf at 1e16)."""
    truth = -(math.log(1 / 3) + 2 * math.log((1 + math.exp(-a)) / 3)) / 3
    got = est.mi_kde(np.array([far, 0.0, 1.0]), 1.0, bound).value
    assert got == pytest.approx(truth, rel=1e-12)


@pytest.mark.parametrize("far", [1e12, 1e100])
def test_sample_propagation_with_a_far_point(far):
    """The same noise draws with the far point at 100 (where the expansion is exact to 1e-11
    and exp(-0.5 * 99^2) underflows to 0) give the same terms; 1e12 leaked a NaN stderr."""
    near = est.mi_noisy(np.array([100.0, 0.0, 1.0]), 1.0, n_mc=4, seed=2)
    got = est.mi_noisy(np.array([far, 0.0, 1.0]), 1.0, n_mc=4, seed=2)
    assert math.isfinite(got.stderr)
    assert got.value == pytest.approx(near.value, abs=1e-9)
    assert got.stderr == pytest.approx(near.stderr, abs=1e-9)


def test_unknown_task_tag_lists_the_known_tags():
    from revinfo import tasks

    with pytest.raises(ValueError, match=r"unknown tag 'no-such-tag'; expected one of \[.*'gaussian'"):
        tasks.names(tag="no-such-tag")  # was [] silently
    assert "gaussian-d1-rho0.5" in tasks.names(tag="gaussian")


@pytest.mark.parametrize("scale", [1e-200, 1.0, 1e150, 1e299])
def test_gaussian_channel_at_extreme_scales_matches_mpmath(scale):
    """I = (1/2) log det(I_3 + A S A^T / s^2) = (1/2) log det(I_2 + S A^T A / s^2) (Sylvester)
    at 80+ digits; A ~ 1e299 overflowed to NaN."""
    rng = np.random.default_rng(1)
    a, cov, sigma = rng.standard_normal((3, 2)), np.array([[2.0, 0.3], [0.3, 1.0]]), 0.7
    with mpmath.workdps(80 + 2 * abs(int(math.log10(scale)))):
        am = mpmath.matrix(a.tolist()) * mpmath.mpf(scale)
        m = mpmath.eye(2) + mpmath.matrix(cov.tolist()) * am.T * am / mpmath.mpf(sigma) ** 2
        truth = float(mpmath.log(mpmath.det(m)) / 2)
    assert exact.mi_gaussian_channel(a * scale, cov, sigma) == pytest.approx(truth, rel=1e-13,
                                                                             abs=1e-15)


def test_v_information_with_huge_continuous_labels_is_scale_free():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((200, 2))
    y = z[:, :1] + rng.standard_normal((200, 1))
    ref = est.v_information(z, y, target="continuous")
    big = est.v_information(z, y * 1e300, target="continuous")  # was a NaN stderr ValueError
    assert big.value == pytest.approx(ref.value, rel=1e-9)
    assert big.stderr == pytest.approx(ref.stderr, rel=1e-9)


@pytest.mark.parametrize("call, match", [
    (lambda: exact.entropy(dist.standard_normal(2), flows.build("affine", 2, 1), n=100,
                           progress=np.ones(2)), "progress must be True or False"),
    (lambda: est.mi_neural(np.arange(40.0), np.arange(40.0), steps=1, batch_size=8,
                           standardize=np.ones(3)), "standardize must be True or False"),
    (lambda: flows.trace(lambda x: x * math.nan, torch.zeros(2, 2, dtype=torch.float64)),
     "the flow gave NaN"),
    (lambda: flows.layers(math.nan), "flow must be"),
    (lambda: dist.uniform(None, [[1.0, 2.0], [3.0]]), "high must be a numeric array-like"),
    (lambda: exact.mi_weight_noise(dist.standard_normal(2), torch.zeros(2, 2, device="meta"),
                                   0.5), "weight is a tensor on the 'meta' device"),
    (lambda: est.entropy_kde(np.ones(5), 1.0, bound=np.array([])), "bound must be one of"),
])
def test_fuzz_findings_name_the_argument(call, match):
    """Found by tests/test_fuzz.py: each leaked a numpy/torch error or returned NaN."""
    with pytest.raises((ValueError, TypeError), match=match):
        call()
