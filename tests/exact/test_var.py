"""exact.var: autocovariances against closed forms and a long simulated run, transfer
entropy against the Granger residual variances and a lagged-copy closed form, past-future
MI against the AR(1) closed form."""

import numpy as np
import pytest

from revinfo import exact
from revinfo.exact.var import window_cov

# a stable VAR(2) in R^3 (companion spectral radius 0.80); component 0 drives 2
A2 = np.array([
    [[0.5, 0.0, 0.0], [0.1, 0.3, 0.0], [0.4, 0.0, 0.2]],
    [[-0.2, 0.0, 0.0], [0.0, 0.1, 0.0], [0.2, 0.0, -0.1]],
])
Q3 = np.array([[1.0, 0.3, 0.0], [0.3, 1.0, 0.2], [0.0, 0.2, 0.5]])


def test_ar1_and_ar2_closed_forms():
    g = exact.var_autocov([[0.6]], [[2.0]], 4)[:, 0, 0]
    assert g == pytest.approx(2.0 / (1 - 0.36) * 0.6 ** np.arange(5), rel=1e-12)
    a1, a2, s2 = 0.5, -0.3, 1.5  # AR(2): Box & Jenkins eq. 3.2.8 and rho1 = a1 / (1 - a2)
    g = exact.var_autocov(np.array([[[a1]], [[a2]]]), [[s2]], 3)[:, 0, 0]
    g0 = (1 - a2) * s2 / ((1 + a2) * ((1 - a2) ** 2 - a1**2))
    assert g[0] == pytest.approx(g0, rel=1e-12)
    assert g[1] == pytest.approx(g0 * a1 / (1 - a2), rel=1e-12)
    assert g[2] == pytest.approx(a1 * g[1] + a2 * g[0], rel=1e-12)


def test_var1_satisfies_the_lyapunov_equation():
    a = A2[0]
    g = exact.var_autocov(a, Q3, 1)
    assert g[0] == pytest.approx(a @ g[0] @ a.T + Q3, abs=1e-12)
    assert g[1] == pytest.approx(a @ g[0], abs=1e-12)


def test_var2_autocov_against_a_long_simulation():
    """Sample autocovariances (mean known to be 0) of a 200 000-step run, their standard
    errors from 40 batch means; every entry of Gamma(0..3) within 5 of its stderr."""
    n, batches, lags = 200_000, 40, 3
    x = exact.sample_var(A2, Q3, n, seed=11)
    truth = exact.var_autocov(A2, Q3, lags)
    per = x.reshape(batches, n // batches, 3)
    for h in range(lags + 1):
        est = np.einsum("bti,btj->bij", per[:, h:], per[:, : per.shape[1] - h]) / (
            per.shape[1] - h)
        mean, se = est.mean(0), est.std(0, ddof=1) / np.sqrt(batches)
        z = np.abs(mean - truth[h]) / se
        assert z.max() < 5.0, (h, z.max())


def test_sample_var_is_seeded_and_batched():
    a = exact.sample_var(A2, Q3, 50, seed=3)
    assert np.array_equal(a, exact.sample_var(A2, Q3, 50, seed=3))
    assert exact.sample_var(A2, Q3, 50, seed=3, batch=4).shape == (4, 50, 3)


def _granger_log_ratio(w, future, full, restricted):
    """log(var_restricted / var_full) of the least-squares regressions of a scalar target on
    two regressor sets, from the normal equations beta = M^-1 c (Granger 1969, Geweke 1982)."""

    def resid(regs):
        c = w[np.ix_(regs, future)]
        beta = np.linalg.lstsq(w[np.ix_(regs, regs)], c, rcond=None)[0]
        return float(w[future[0], future[0]] - (c.T @ beta)[0, 0])

    return np.log(resid(restricted) / resid(full))


@pytest.mark.parametrize("k, l, delay", [(1, 1, 1), (2, 2, 1), (3, 1, 2), (1, 3, 1)])
def test_te_is_half_the_granger_log_ratio(k, l, delay):
    d, src, tgt = 3, [0, 1], 2
    m = 1 + max(k, delay + l - 1)
    w = window_cov(exact.var_autocov(A2, Q3, m - 1), m)
    tgt_past = [lag * d + tgt for lag in range(1, k + 1)]
    src_past = [lag * d + c for lag in range(delay, delay + l) for c in src]
    f = _granger_log_ratio(w, [tgt], tgt_past + src_past, tgt_past)
    te = exact.transfer_entropy_var(A2, Q3, src, tgt, k=k, l=l, delay=delay).value
    assert te == pytest.approx(f / 2, abs=1e-11)
    assert te > 0.01


def test_te_of_a_lagged_copy_closed_form():
    a, q, sigma = 0.7, 1.0, 0.5
    s2 = q / (1 - a**2)
    vy = s2 + sigma**2
    cond = vy - (a * s2) ** 2 / vy  # Var(Y_{t+1} | Y_t), Cov(Y_{t+1}, Y_t) = a s2
    truth = 0.5 * np.log(cond / sigma**2)
    # X AR(1) (coefficient a, innovation variance q), Y_{t+1} = X_t + sigma eta: a VAR(1)
    A, Q = np.array([[a, 0.0], [1.0, 0.0]]), np.diag([q, sigma**2])
    assert exact.transfer_entropy_var(A, Q, 0, 1).value == pytest.approx(truth, abs=1e-12)
    assert exact.transfer_entropy_var(A, Q, 1, 0).value == pytest.approx(0.0, abs=1e-12)


def test_te_with_delay_picks_the_right_lag():
    # Y_{t+1} = X_{t-1} + noise, X white: only delay = 2 sees the source; TE = 1/2 log(1 + 1/s^2)
    s = 0.5
    A = np.array([[[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [1.0, 0.0]]])
    Q = np.diag([1.0, s**2])
    te2 = exact.transfer_entropy_var(A, Q, 0, 1, delay=2).value
    assert te2 == pytest.approx(0.5 * np.log(1 + 1 / s**2), abs=1e-12)
    assert exact.transfer_entropy_var(A, Q, 0, 1, delay=1).value == pytest.approx(0.0, abs=1e-12)
    assert exact.transfer_entropy_var(A, Q, 0, 1, l=2).value == pytest.approx(te2, abs=1e-12)


def test_te_of_independent_processes_is_zero():
    a = np.zeros((2, 4, 4))
    a[0, :2, :2] = [[0.5, 0.2], [-0.1, 0.4]]
    a[0, 2:, 2:] = [[0.3, 0.0], [0.2, 0.6]]
    a[1, 2:, 2:] = [[-0.2, 0.0], [0.0, 0.1]]
    q = np.eye(4)
    for k, l in ((1, 1), (3, 2)):
        assert exact.transfer_entropy_var(a, q, [0, 1], [2, 3], k=k, l=l).value == pytest.approx(
            0.0, abs=1e-12)


def test_te_invariant_to_rescaling_components():
    s = np.diag([3.0, 0.2, -2.0])  # Y = S X is a VAR with S A_i S^-1 and S Q S
    a = np.stack([s @ m @ np.linalg.inv(s) for m in A2])
    te = exact.transfer_entropy_var(A2, Q3, [0, 1], 2, k=2, l=2).value
    assert exact.transfer_entropy_var(a, s @ Q3 @ s, [0, 1], 2, k=2, l=2).value == pytest.approx(
        te, abs=1e-11)


def test_past_future_mi():
    a = 0.8
    assert exact.past_future_mi_var([[a]], [[1.0]], 1, 1).value == pytest.approx(
        -0.5 * np.log(1 - a**2), abs=1e-12)
    # order-2 Markov: the past beyond 2 steps adds nothing; a shorter past gives less
    i = [exact.past_future_mi_var(A2, Q3, L, 2).value for L in (1, 2, 5)]
    assert i[1] == pytest.approx(i[2], abs=1e-10)
    assert i[0] < i[1] - 1e-3
    one = exact.past_future_mi_var(A2, Q3, 2, 1, components=[2]).value
    assert 0 < one < i[1]


@pytest.mark.parametrize("call, match", [
    (lambda: exact.var_autocov([[1.0]], [[1.0]], 2), "spectral radius 1 >= 1"),
    (lambda: exact.var_autocov([[0.5, 0.9], [0.9, 0.5]], np.eye(2), 2), "not stable"),
    (lambda: exact.var_autocov([[np.nan]], [[1.0]], 2), "A contains NaN"),
    (lambda: exact.var_autocov([[0.5]], [[-1.0]], 2), "Q must be positive definite"),
    (lambda: exact.var_autocov(np.eye(2) * 0.5, np.eye(3), 2), "Q must be 2x2"),
    (lambda: exact.var_autocov([[0.5]], [[1.0]], -1), "max_lag must be >= 0"),
    (lambda: exact.transfer_entropy_var(A2, Q3, 0, 0), "source and target must be disjoint"),
    (lambda: exact.transfer_entropy_var(A2, Q3, 0, 2, k=0), "k must be >= 1"),
    (lambda: exact.transfer_entropy_var(A2, Q3, 0, 2, l=0), "l must be >= 1"),
    (lambda: exact.transfer_entropy_var(A2, Q3, 0, 2, delay=0), "delay must be >= 1"),
    (lambda: exact.transfer_entropy_var(A2, Q3, 0, 5), r"target index 5 is outside"),
    (lambda: exact.past_future_mi_var(A2, Q3, 0, 1), "past must be >= 1"),
    # a huge history once leaked numpy's "Maximum allowed dimension exceeded" (k = 1e30) or
    # tried to allocate the window (k = 1e12); found by tests/test_fuzz.py
    (lambda: exact.transfer_entropy_var(A2, Q3, 0, 2, k=10**30), "k, l and delay give a window"),
    (lambda: exact.transfer_entropy_var(A2, Q3, 0, 2, l=10**12), "k, l and delay give a window"),
    (lambda: exact.past_future_mi_var(A2, Q3, 1, 2**63), "past and future give a window"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
