"""estimate.transfer_entropy: the embedding by hand, batches, the KSG and Gaussian methods
within 5 sd (sd measured over 8 seeds, see test_cmi_estimators) of the exact VAR transfer
entropy at n = 5000 steps, with and without a per-time-step bijection of each series."""

import numpy as np
import pytest

from revinfo import estimate, exact
from revinfo.estimate.transfer import embed

N, SEEDS, Z = 5000, 8, 5.0
# X_t AR(1) drives Y: Y_{t+1} = 0.5 Y_t + 0.8 X_t + e
A = np.array([[0.7, 0.0], [0.8, 0.5]])
Q = np.eye(2)


def test_embedding_by_hand():
    x, y = np.arange(10.0), 100 + np.arange(10.0)
    fut, src, tgt = embed(x, y, k=2, l=1, delay=2)
    ts = np.arange(1, 9)  # t0 = max(k - 1, delay + l - 2) = 1, last t = T - 2
    assert np.array_equal(fut[:, 0], y[ts + 1])
    assert np.array_equal(tgt, np.column_stack([y[ts], y[ts - 1]]))
    assert np.array_equal(src[:, 0], x[ts - 1])  # X_{t+1-delay}


def test_batch_pools_the_embedded_rows():
    s = exact.sample_var(A, Q, 60, seed=1, batch=3)
    rows = embed(s[..., :1], s[..., 1:], k=2, l=2)
    each = [embed(s[b, :, :1], s[b, :, 1:], k=2, l=2) for b in range(3)]
    for part, got in zip(zip(*each), rows):
        assert np.array_equal(np.concatenate(part), got)
    one = estimate.transfer_entropy(s[..., 0:1], s[..., 1:2], method="gaussian")
    assert one.n == 3 * 59


def _te(seed, method, pushed=False, independent=False):
    a = np.diag(np.diag(A)) if independent else A
    s = exact.sample_var(a, Q, N, seed=seed)
    x, y = s[:, 0], s[:, 1]
    if pushed:  # fixed bijections of each series at every step keep the transfer entropy
        x, y = np.sinh(x), np.arcsinh(3.0 * y) + y
    return estimate.transfer_entropy(x, y, method=method).value


@pytest.mark.parametrize("method, pushed", [("ksg", False), ("ksg", True), ("gaussian", False)])
def test_te_within_5_sd_of_the_exact_var_value(method, pushed):
    truth = exact.transfer_entropy_var(A, Q, 0, 1).value
    sd = np.std([_te(100 + s, method, pushed) for s in range(SEEDS)], ddof=1)
    value = _te(0, method, pushed)
    assert abs(value - truth) <= Z * sd, (value, truth, sd)
    assert truth > 10 * sd  # the check has power: the truth is far from 0


def test_te_of_independent_processes_near_zero():
    sd = np.std([_te(200 + s, "ksg", independent=True) for s in range(SEEDS)], ddof=1)
    assert abs(_te(1, "ksg", independent=True)) <= Z * sd


def test_gaussian_method_is_half_the_granger_log_ratio():
    s = exact.sample_var(A, Q, 2000, seed=4)
    x, y = s[:, 0], s[:, 1]

    def rss(target, regs):
        a = np.column_stack([np.ones(len(target)), *regs])
        r = target - a @ np.linalg.lstsq(a, target, rcond=None)[0]
        return r @ r

    fut, past = y[2:], [y[1:-1], y[:-2]]
    granger = np.log(rss(fut, past) / rss(fut, past + [x[1:-1]]))
    te = estimate.transfer_entropy(x, y, k=2, method="gaussian").value
    assert te == pytest.approx(granger / 2, abs=1e-10)


def test_te_binned_runs_and_options_pass_through():
    s = exact.sample_var(A, Q, 3000, seed=2)
    e = estimate.transfer_entropy(s[:, 0], s[:, 1], method="binned", bins=4)
    assert e.extra["cmi"].extra["cells"][2] <= 4
    e = estimate.transfer_entropy(s[:, 0], s[:, 1], neighbours=5)
    assert e.extra["cmi"].extra["k"] == 5


@pytest.mark.parametrize("call, match", [
    (lambda: estimate.transfer_entropy(np.zeros(10), np.zeros(9)), "same batch size and length"),
    (lambda: estimate.transfer_entropy(np.zeros((2, 10, 1)), np.zeros((3, 10, 1))),
     "same batch size and length"),
    (lambda: estimate.transfer_entropy(np.zeros(4), np.zeros(4), k=3), "too short for the hist"),
    (lambda: estimate.transfer_entropy(np.zeros(6), np.zeros(6), l=2, delay=3), "need at least 8"),
    (lambda: estimate.transfer_entropy(np.zeros(5), np.zeros(5), l=2, delay=3, method="gaussian"),
     "need at least 6"),
    (lambda: estimate.transfer_entropy(np.zeros(9), np.zeros(9), k=0), "k must be >= 1"),
    (lambda: estimate.transfer_entropy(np.zeros(9), np.zeros(9), l=0), "l must be >= 1"),
    (lambda: estimate.transfer_entropy(np.zeros(9), np.zeros(9), delay=0), "delay must be >= 1"),
    (lambda: estimate.transfer_entropy(np.r_[np.nan, np.zeros(8)], np.zeros(9)),
     "source contains NaN"),
    (lambda: estimate.transfer_entropy(np.zeros(9), np.full(9, np.inf)), "target contains NaN"),
    (lambda: estimate.transfer_entropy(np.zeros(9), np.zeros(9), method="x"), "unknown method"),
    (lambda: estimate.transfer_entropy(np.zeros(9), np.zeros(9), neighbours=0),
     "neighbours must be >= 1"),
    (lambda: estimate.transfer_entropy(np.zeros((1, 1, 9, 1)), np.zeros(9)), "source must have"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match="source must be a numpy array"):
        estimate.transfer_entropy("abc", np.zeros(9))
    with pytest.raises(TypeError, match="k must be an integer"):
        estimate.transfer_entropy(np.zeros(9), np.zeros(9), k=1.5)
