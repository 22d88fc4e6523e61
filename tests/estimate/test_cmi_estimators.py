"""estimate.cmi_ksg, cmi_gaussian, cmi_binned: against closed forms (Gaussian triples, the
same triples pushed through flows, XOR), a second algorithm on the same data, bad input.

Tolerance of the n = 5000 checks: 5 standard deviations of a single estimate, the sd
measured in the test over 8 independent seeds. It has to absorb KSG's finite-sample bias,
which is negative for dependent Gaussians (Kraskov et al. 2004, Fig. 4) and was measured at
n = 5000 as -0.3 sd (1+1+1 dims, truth 0.22 nats) and -2.7 sd (2+2+2, truth 0.45 nats),
with or without the flows; a larger bias fails the test.
"""

import numpy as np
import pytest

from revinfo import estimate, exact, flows
from revinfo.tasks._common import push

N, SEEDS, Z = 5000, 8, 5.0


def triple_cov(d, dz, rho=0.6, c=0.7, seed=1):
    """(X, Y, Z): Z ~ N(0, I), X = B Z + X0, Y = C Z + Y0, (X0, Y0) d pairs of correlation
    rho; I(X;Y|Z) = -d/2 log(1 - rho^2) by construction."""
    rng = np.random.default_rng(seed)
    m = c * rng.standard_normal((2 * d, dz)) / np.sqrt(dz)
    e = np.block([[np.eye(d), rho * np.eye(d)], [rho * np.eye(d), np.eye(d)]])
    return np.block([[e + m @ m.T, m], [m.T, np.eye(dz)]])


def draw(cov, d, n, seed):
    g = np.random.default_rng(seed).standard_normal((n, cov.shape[0])) @ np.linalg.cholesky(cov).T
    return g[:, :d], g[:, d:2 * d], g[:, 2 * d:]


def _flow(dim, seed):
    return flows.build("affine" if dim > 1 else "leaky-relu", dim, 2, seed=seed)


@pytest.mark.parametrize("d, dz", [(1, 1), (2, 2)])
@pytest.mark.parametrize("pushed", [False, True], ids=["gaussian", "flows"])
def test_cmi_ksg_within_5_sd_of_the_truth(d, dz, pushed):
    cov = triple_cov(d, dz)
    truth = -0.5 * d * np.log(1 - 0.36)
    assert exact.cmi_gaussian(cov, range(d), range(d, 2 * d), range(2 * d, 2 * d + dz)).value \
        == pytest.approx(truth, abs=1e-12)
    maps = [_flow(d, 1), _flow(d, 2), _flow(dz, 3)]

    def one(seed):
        x, y, z = draw(cov, d, N, seed)
        if pushed:  # separate bijections of X, Y, Z keep I(X;Y|Z)
            x, y, z = push(maps[0], x), push(maps[1], y), push(maps[2], z)
        return estimate.cmi_ksg(x, y, z).value

    sd = np.std([one(100 + s) for s in range(SEEDS)], ddof=1)
    value = one(0)
    assert abs(value - truth) <= Z * sd, (value, truth, sd)


def test_cmi_ksg_zero_for_a_common_cause():
    def one(seed):  # X = Z + a, Y = Z + b: I(X;Y) > 0 but I(X;Y|Z) = 0
        g = np.random.default_rng(seed).standard_normal((N, 3))
        return estimate.cmi_ksg(g[:, 2] + g[:, 0], g[:, 2] + g[:, 1], g[:, 2]).value

    sd = np.std([one(200 + s) for s in range(SEEDS)], ddof=1)
    assert abs(one(5)) <= Z * sd


def test_cmi_ksg_by_hand_on_a_tiny_sample():
    """The Frenzel-Pompe formula evaluated by brute force (all pairwise max-norm distances)."""
    from scipy.special import digamma

    g = np.random.default_rng(2).standard_normal((40, 3))
    x, y, z = g[:, :1], g[:, 1:2] + g[:, :1], g[:, 2:] + g[:, :1]
    k = 3

    def dist(a):
        return np.max(np.abs(a[:, None] - a[None]), axis=-1)

    sd = [a.std(0) for a in (x, y, z)]
    xs, ys, zs = x / sd[0], y / sd[1], z / sd[2]
    dj = np.maximum(np.maximum(dist(xs), dist(ys)), dist(zs))
    eps = np.sort(dj, axis=1)[:, k]  # column 0 is the point itself

    def count(dm):
        return (dm < eps[:, None]).sum(1) - 1

    n_xz = count(np.maximum(dist(xs), dist(zs)))
    n_yz = count(np.maximum(dist(ys), dist(zs)))
    n_z = count(dist(zs))
    want = digamma(k) - np.mean(digamma(n_xz + 1) + digamma(n_yz + 1) - digamma(n_z + 1))
    assert estimate.cmi_ksg(x, y, z, k=k).value == pytest.approx(want, abs=1e-12)


def test_cmi_gaussian_equals_the_regression_residual_ratio():
    """Second algorithm on the same data: 1/2 log(var(res y ~ z) / var(res y ~ x, z))."""
    cov = triple_cov(1, 2)
    x, y, z = draw(cov, 1, 3000, 7)

    def resid_var(target, regs):
        a = np.column_stack([np.ones(len(target)), *regs])
        r = target - a @ np.linalg.lstsq(a, target, rcond=None)[0]
        return r @ r

    want = 0.5 * np.log(resid_var(y[:, 0], [z]) / resid_var(y[:, 0], [x, z]))
    assert estimate.cmi_gaussian(x, y, z).value == pytest.approx(want, abs=1e-10)
    # CMI is scale-free, and so is the estimate at any finite float64 scale (|x| ~ 1e300 once
    # leaked numpy's LinAlgError "Eigenvalues did not converge"; 1e-300 squares to 0).
    for sx, sy, sz in [(1e300, 1.0, 1.0), (1.0, 1e-300, 1e300), (1e-300, 1e300, 1e-300)]:
        assert estimate.cmi_gaussian(sx * x, sy * y, sz * z).value == pytest.approx(want, abs=1e-10)


def test_cmi_gaussian_within_5_sd_at_n5000():
    cov = triple_cov(2, 2)
    truth = -np.log(1 - 0.36)
    vals = [estimate.cmi_gaussian(*draw(cov, 2, N, 300 + s)).value for s in range(SEEDS)]
    assert abs(estimate.cmi_gaussian(*draw(cov, 2, N, 0)).value - truth) <= Z * np.std(vals, ddof=1)


def test_cmi_binned_is_the_plug_in_of_the_empirical_pmf():
    rng = np.random.default_rng(4)
    x, z = rng.integers(0, 2, 4000), rng.integers(0, 3, 4000)
    y = (x + z + (rng.random(4000) < 0.2)) % 2
    counts = np.zeros((2, 2, 3))
    for a, b, c in zip(x, y, z):
        counts[a, b, c] += 1
    want = exact.cmi_discrete(counts / counts.sum()).value
    got = estimate.cmi_binned(x, y, z, bins=3).value
    assert got == pytest.approx(want, abs=1e-12)


def test_cmi_binned_xor_near_the_truth():
    q = 0.1
    truth = np.log(2) + q * np.log(q) + (1 - q) * np.log(1 - q)
    rng = np.random.default_rng(6)
    x, z = rng.integers(0, 2, N), rng.integers(0, 2, N)
    y = x ^ z ^ (rng.random(N) < q)
    # plug-in sd of a binary CMI at n: about sqrt(Var[log ratio] / n) < 1 / sqrt(n) nats
    assert abs(estimate.cmi_binned(x, y, z, bins=2).value - truth) < Z / np.sqrt(N)
    assert abs(estimate.mi_binned(x, y, bins=2).value) < Z / np.sqrt(N)


BAD = [
    (lambda f: f(np.zeros(5), np.zeros(4), np.zeros(5)), "x and y must have the same number"),
    (lambda f: f(np.zeros(5), np.zeros(5), np.zeros(6)), "x and z must have the same number"),
    (lambda f: f(np.r_[np.nan, 1.0, 2.0], np.ones(3), np.ones(3)), "x contains NaN"),
    (lambda f: f(np.ones(3), np.ones(3), np.ones((3, 1, 1))), "z must have shape"),
]


@pytest.mark.parametrize("fn", [estimate.cmi_ksg, estimate.cmi_gaussian, estimate.cmi_binned])
@pytest.mark.parametrize("call, match", BAD)
def test_bad_input(fn, call, match):
    with pytest.raises(ValueError, match=match):
        call(fn)


def test_bad_options():
    g = np.random.default_rng(0).standard_normal((50, 3))
    with pytest.raises(ValueError, match="k must be smaller"):
        estimate.cmi_ksg(g[:, 0], g[:, 1], g[:, 2], k=50)
    with pytest.raises(ValueError, match="k must be >= 1"):
        estimate.cmi_ksg(g[:, 0], g[:, 1], g[:, 2], k=0)
    with pytest.raises(ValueError, match="sample covariance of z is singular"):
        estimate.cmi_gaussian(g[:, 0], g[:, 1], np.ones(50))
    with pytest.raises(ValueError, match="unknown correction"):
        estimate.cmi_binned(g[:, 0], g[:, 1], g[:, 2], correction="x")


def test_registered_with_xyz_inputs():
    from revinfo.registry import ESTIMATORS

    for name in ("cmi_ksg", "cmi_gaussian", "cmi_binned"):
        assert ESTIMATORS.entry(name).meta["inputs"] == "xyz"
    assert ESTIMATORS.entry("transfer_entropy").meta["inputs"] == "sequence"


def test_ksg_ties_are_jittered_with_a_warning():
    x = np.repeat(np.arange(10.0), 5)
    with pytest.warns(estimate.TiesWarning):
        estimate.cmi_ksg(x, x[::-1].copy(), np.tile(np.arange(5.0), 10))
    with pytest.raises(ValueError, match="duplicate"):
        estimate.cmi_ksg(x, x, x, ties="raise")
