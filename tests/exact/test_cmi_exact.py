"""exact.cmi_gaussian and exact.cmi_discrete against a second computation, and their
identities (chain rule, invariance under separate invertible linear maps)."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from scipy.linalg import block_diag

from revinfo import exact
from tests.strategies import gaussian_triples, invertible_matrices

TOL = 1e-9  # float64 log-determinants of well-conditioned matrices of size <= 9


def _conditional_cov_mi(cov, x, y, z):
    """I(X;Y|Z) as the MI of the conditional covariance of (X, Y) given Z (Schur complement
    by a linear solve: the regression of (X, Y) on Z), then exact.mi_gaussian."""
    xy = x + y
    s = cov[np.ix_(xy, xy)]
    if z:
        c = cov[np.ix_(xy, z)]
        s = s - c @ np.linalg.solve(cov[np.ix_(z, z)], c.T)
    return exact.mi_gaussian(s, len(x))


@given(gaussian_triples())
def test_cmi_gaussian_equals_mi_of_conditional_covariance(t):
    cov, x, y, z = t
    assert exact.cmi_gaussian(cov, x, y, z).value == pytest.approx(
        _conditional_cov_mi(cov, x, y, z), abs=TOL)


@given(gaussian_triples())
def test_chain_rule(t):
    cov, x, y, z = t
    # I(X; Y, Z) = I(X; Z) + I(X; Y | Z); the pair MIs on re-ordered covariances
    order = x + y + z
    joint = exact.mi_gaussian(cov[np.ix_(order, order)], len(x))
    i_xz = exact.mi_gaussian(cov[np.ix_(x + z, x + z)], len(x)) if z else 0.0
    assert joint == pytest.approx(i_xz + exact.cmi_gaussian(cov, x, y, z).value, abs=TOL)


@given(gaussian_triples(min_dz=1), invertible_matrices(3), invertible_matrices(3),
       invertible_matrices(3))
def test_invariant_under_separate_linear_maps(t, mx, my, mz):
    cov, x, y, z = t
    # leading blocks of diag(+-1) + M, ||M||_2 <= 0.7, are invertible too
    m = block_diag(mx[: len(x), : len(x)], my[: len(y), : len(y)], mz[: len(z), : len(z)])
    before = exact.cmi_gaussian(cov, x, y, z).value
    after = exact.cmi_gaussian(m @ cov @ m.T, x, y, z).value
    assert after == pytest.approx(before, abs=TOL * max(1.0, abs(before)))


def test_a_mixing_map_changes_it():
    # the invariance is for separate maps: X -> X + Y changes I(X;Y|Z)
    cov = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.2], [0.3, 0.2, 1.0]])
    m = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    a = exact.cmi_gaussian(cov, [0], [1], [2]).value
    b = exact.cmi_gaussian(m @ cov @ m.T, [0], [1], [2]).value
    assert abs(a - b) > 0.05


def test_common_cause_closed_form():
    # X = Z + a, Y = Z + b: I(X;Y) = 1/2 log(4/3) > 0 and I(X;Y|Z) = 0
    cov = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 1.0]])
    assert exact.cmi_gaussian(cov, 0, 1).value == pytest.approx(0.5 * np.log(4 / 3), abs=1e-14)
    assert exact.cmi_gaussian(cov, 0, 1, 2).value == pytest.approx(0.0, abs=1e-14)


def _brute_cmi(p):
    """sum p(x,y,z) log p(x,y,z) p(z) / (p(x,z) p(y,z)), term by term."""
    pz, pxz, pyz = p.sum((0, 1)), p.sum(1), p.sum(0)
    total = 0.0
    for a, b, c in itertools.product(*map(range, p.shape)):
        if p[a, b, c] > 0:
            total += p[a, b, c] * np.log(p[a, b, c] * pz[c] / (pxz[a, c] * pyz[b, c]))
    return total


def test_cmi_discrete_against_term_by_term_sum():
    p = np.random.default_rng(3).dirichlet(np.ones(3 * 4 * 2)).reshape(3, 4, 2)
    assert exact.cmi_discrete(p).value == pytest.approx(_brute_cmi(p), abs=1e-13)


def test_cmi_discrete_xor_with_flips():
    # X, Z fair bits, Y = X xor Z xor F, F ~ Bernoulli(q): I(X;Y|Z) = log 2 - h(q), I(X;Y) = 0
    q = 0.1
    p = np.zeros((2, 2, 2))
    for a, c, f in itertools.product((0, 1), (0, 1), (0, 1)):
        p[a, a ^ c ^ f, c] += 0.25 * (q if f else 1 - q)
    h = -(q * np.log(q) + (1 - q) * np.log(1 - q))
    assert exact.cmi_discrete(p).value == pytest.approx(np.log(2) - h, abs=1e-14)
    no_z = p.sum(2)[:, :, None]
    assert exact.cmi_discrete(no_z).value == pytest.approx(0.0, abs=1e-14)


@pytest.mark.parametrize("args, match", [
    ((np.eye(3), [0], [0], [2]), "x and y must be disjoint"),
    ((np.eye(3), [0], [1], [1]), "y and z must be disjoint"),
    ((np.eye(3), [0], [3]), r"y index 3 is outside \[0, 3\)"),
    ((np.eye(3), [], [1]), "x must name at least one"),
    ((np.eye(3), [0, 0], [1]), "x has repeated"),
    ((np.array([[1.0, 2.0], [2.0, 1.0]]), [0], [1]), "cov must be positive definite"),
    ((np.array([[1.0, np.nan], [np.nan, 1.0]]), [0], [1]), "cov contains NaN"),
])
def test_cmi_gaussian_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        exact.cmi_gaussian(*args)


def test_cmi_gaussian_index_types():
    with pytest.raises(TypeError, match="x must hold integers"):
        exact.cmi_gaussian(np.eye(2), [0.5], [1])
    assert exact.cmi_gaussian(np.eye(2), np.array([0]), 1).value == 0.0


@pytest.mark.parametrize("pmf, match", [
    (np.ones((2, 2)), "3-D"), (-np.ones((1, 1, 2)), ">= 0"), (np.full((2, 2, 2), 0.2), "sum to 1"),
])
def test_cmi_discrete_bad_input(pmf, match):
    with pytest.raises(ValueError, match=match):
        exact.cmi_discrete(pmf)
