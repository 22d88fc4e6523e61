"""kNN estimators against closed forms, scikit-learn, and the exact KSG identity."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression

from revinfo.estimate import TiesWarning, entropy_knn, mi_ksg

E = np.e


def gaussian_pair(n: int, d: int, rho: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """d independent pairs with correlation rho: I = -(d/2) log(1 - rho^2)."""
    g = np.random.default_rng(seed).standard_normal((n, 2 * d))
    x = g[:, :d]
    return x, rho * x + np.sqrt(1 - rho**2) * g[:, d:]


@pytest.mark.parametrize("rho", [0.3, 0.6, 0.9])
@pytest.mark.parametrize("n", [500, 3000])
def test_ksg1_equals_sklearn(rho: float, n: int) -> None:
    # Same tie-free data; sklearn standardises and adds 1e-10 noise, we standardise.
    x, y = gaussian_pair(n, 1, rho, seed=n)
    ref = mutual_info_regression(x, y[:, 0], n_neighbors=3, random_state=0)[0]
    # Same algorithm (KSG1, max-norm, digamma form) in float64: the 1e-10 jitter moves no
    # neighbour or count here, so only summation-order rounding differs (measured <= 1.8e-15
    # over these six cases); 1e-12 leaves room for platform ordering, while one neighbour
    # count off by one moves the estimate by (psi(m+1) - psi(m))/n = 1/(m n) >= 1/n^2 ~ 1e-7.
    assert abs(mi_ksg(x, y, k=3).value - ref) < 1e-12


@pytest.mark.parametrize("d", [1, 2, 4])
@pytest.mark.parametrize("k", [1, 3, 7])
def test_ksg_self_is_exact(d: int, k: int) -> None:
    x = np.random.default_rng(d * 10 + k).standard_normal((1500, d))
    exact = digamma(1500) - digamma(k)
    assert abs(mi_ksg(x, x, k=k).value - exact) < 1e-12
    assert abs(mi_ksg(x, x, k=k, variant=2).value - (exact - 1.0 / k)) < 1e-12


@given(
    n=st.integers(min_value=5, max_value=300),
    k=st.integers(min_value=1, max_value=4),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    scale=st.floats(min_value=1e-3, max_value=1e3),
)
def test_ksg1_self_property(n: int, k: int, seed: int, scale: float) -> None:
    x = scale * np.random.default_rng(seed).standard_normal(n)
    assert abs(mi_ksg(x, x, k=k).value - (digamma(n) - digamma(k))) < 1e-10


# Tolerances: |bias| + 4 std of the error over 20 seeds at n = 2000 (measured):
# d=1 rho 0/0.5/0.9: bias <= 0.005, std 0.015/0.021/0.026; d=3 rho=0.6: bias -0.045
# (KSG's known small-k bias in higher dimension), std 0.026.
@pytest.mark.parametrize(
    "d,rho,tol", [(1, 0.0, 0.07), (1, 0.5, 0.09), (1, 0.9, 0.11), (3, 0.6, 0.15)]
)
@pytest.mark.parametrize("variant", [1, 2])
def test_ksg_gaussian_pairs(d: int, rho: float, tol: float, variant: int) -> None:
    truth = -0.5 * d * np.log(1 - rho**2)
    x, y = gaussian_pair(2000, d, rho, seed=7)
    assert abs(mi_ksg(x, y, variant=variant).value - truth) < tol


def test_ksg_symmetric_and_torch() -> None:
    x, y = gaussian_pair(800, 2, 0.5, seed=3)
    a = mi_ksg(x, y).value
    assert mi_ksg(y, x).value == pytest.approx(a, abs=1e-12)
    assert mi_ksg(torch.from_numpy(x), torch.from_numpy(y)).value == a


A = np.array([[1.0, 0, 0], [0.5, 1, 0], [0.2, 0.3, 2]])

# (name, sampler, exact h). Tolerances: |bias| + 4 std over 20 seeds at n = 2000:
# gauss3 bias -0.027 std 0.021; uniform box bias +0.031 std 0.022 (boundary effect);
# laplace bias -0.008 std 0.036; gauss1 bias -0.005 std 0.022.
ENTROPY_CASES = [
    ("gauss3", lambda r: r.standard_normal((2000, 3)) @ A.T,
     1.5 * np.log(2 * np.pi * E) + np.log(2.0), 0.12),
    ("uniform", lambda r: r.uniform([0, 0], [1, 3], (2000, 2)), np.log(3.0), 0.12),
    ("laplace", lambda r: r.laplace(0, 2, (2000, 1)), 1 + np.log(4.0), 0.16),
    ("gauss1", lambda r: 3 * r.standard_normal(2000), 0.5 * np.log(2 * np.pi * E * 9), 0.1),
]


@pytest.mark.parametrize("name,sample,h,tol", ENTROPY_CASES, ids=[c[0] for c in ENTROPY_CASES])
@pytest.mark.parametrize("norm", ["euclidean", "max"])
def test_entropy_knn_closed_forms(name, sample, h, tol, norm) -> None:
    x = sample(np.random.default_rng(11))
    assert abs(entropy_knn(x, norm=norm).value - h) < tol


@given(shift=st.floats(min_value=-100, max_value=100), seed=st.integers(0, 1000))
def test_entropy_knn_translation_and_scale(shift: float, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal((200, 2))
    h = entropy_knn(x).value
    assert entropy_knn(x + shift).value == pytest.approx(h, abs=1e-6)
    assert entropy_knn(2.0 * x).value == pytest.approx(h + 2 * np.log(2.0), abs=1e-9)


def test_ties_warn_and_jitter_deterministically() -> None:
    x = np.repeat(np.random.default_rng(0).standard_normal(100), 2)
    y = x + np.random.default_rng(1).standard_normal(200)
    with pytest.warns(TiesWarning, match="x has duplicate"):
        a = mi_ksg(x, y, seed=5)
    with pytest.warns(TiesWarning):
        b = mi_ksg(x, y, seed=5)
    assert np.isfinite(a.value) and a.value == b.value
    with pytest.warns(TiesWarning):
        assert np.isfinite(entropy_knn(x).value)
    with pytest.raises(ValueError, match="x has duplicate"):
        mi_ksg(x, y, ties="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mi_ksg(y, y[::-1].copy())  # no ties: no warning


def test_integer_numpy_scalars_accepted_float_variant_rejected() -> None:
    x, y = gaussian_pair(300, 1, 0.5, seed=4)
    ref = mi_ksg(x, y, k=3, variant=2).value
    assert mi_ksg(x, y, k=np.int64(3), variant=np.int32(2)).value == ref
    assert entropy_knn(x, k=np.int64(3)).value == entropy_knn(x, k=3).value
    for bad in (1.0, 2.0, True, "1"):
        with pytest.raises(TypeError, match="variant must be an integer"):
            mi_ksg(x, y, variant=bad)
    # numpy's bool is a bool; a tensor is not (it leaked torch's "Boolean value of Tensor")
    assert mi_ksg(x, y, standardize=np.bool_(True)).value == mi_ksg(x, y).value
    for bad in (torch.tensor(True), torch.tensor(2.0), 1, "yes"):
        with pytest.raises(TypeError, match="standardize must be True or False"):
            mi_ksg(x, y, standardize=bad)


@pytest.mark.parametrize("scale", [1e154, 1e200, 1e300, 1e-300])
def test_ksg_is_scale_free_at_extreme_scales(scale: float) -> None:
    # MI and the standardised estimator do not depend on the scale; before the power-of-two
    # prescaling, 1e154 overflowed the standard deviation (-0.0135 with a TiesWarning) and
    # 1e-300 underflowed it. The scaled columns differ from the unscaled ones by rounding
    # (scale is not a power of two), far below any neighbour gap here: 1e-12 (one count
    # off by one would move the estimate by >= 1/n^2 = 4e-6).
    x, y = gaussian_pair(500, 2, 0.6, seed=8)
    ref = mi_ksg(x, y).value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mi_ksg(x * scale, y * scale).value == pytest.approx(ref, abs=1e-12)
        assert mi_ksg(x * scale, y / scale).value == pytest.approx(ref, abs=1e-12)
    # an exact power of two changes nothing at all
    assert mi_ksg(x * 2.0**900, y * 2.0**-900).value == ref


@pytest.mark.parametrize("norm", ["euclidean", "max"])
@pytest.mark.parametrize("scale", [1e300, 1e-300, 2.0**1000])
def test_entropy_knn_at_extreme_scales(norm: str, scale: float) -> None:
    # h(aX) = h(X) + d log a exactly; before, 1e300 gave +inf and 1e-300 -inf (squared
    # distances over/underflowed). log r ~ 690 at these scales, so float64 carries ~1e-13.
    x = np.random.default_rng(2).standard_normal((400, 3))
    h = entropy_knn(x, norm=norm).value
    assert entropy_knn(x * scale, norm=norm).value == pytest.approx(
        h + 3 * np.log(scale), abs=1e-10)


def test_ksg_workers_do_not_change_the_value() -> None:
    x, y = gaussian_pair(2000, 3, 0.6, seed=5)
    for variant in (1, 2):
        one = mi_ksg(x, y, variant=variant, workers=1).value
        assert mi_ksg(x, y, variant=variant, workers=2).value == one
        assert mi_ksg(x, y, variant=variant).value == one
