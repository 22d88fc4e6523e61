"""mi_binary_code against brute force: every code's probability written out as a product of
Bernoulli probabilities (no logs, no matmul), I = sum_i (1/N) sum_z p(z|x_i) log p(z|x_i)/p(z)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from revinfo.exact import mi_binary_code
from revinfo.exact.binary_code import bernoulli_entropy

Z5 = 5.0


def _brute_force(logits: np.ndarray) -> float:
    p = 1.0 / (1.0 + np.exp(-logits))
    n, bits = p.shape
    total = 0.0
    cond = []
    for z in itertools.product((0, 1), repeat=bits):
        zz = np.array(z)
        cond.append(np.prod(np.where(zz == 1, p, 1.0 - p), axis=1))  # p(z | x_i), (n,)
    cond = np.array(cond)  # (2^K, n)
    marg = cond.mean(axis=1)
    for i in range(n):
        m = cond[:, i] > 0
        total += np.sum(cond[m, i] * np.log(cond[m, i] / marg[m])) / n
    return float(total)


@pytest.mark.parametrize("n, bits, scale, seed", [(7, 3, 1.0, 0), (12, 6, 3.0, 1),
                                                  (30, 10, 2.0, 2), (5, 10, 0.3, 3)])
def test_enumeration_matches_brute_force(n, bits, scale, seed):
    logits = np.random.default_rng(seed).normal(size=(n, bits)) * scale
    e = mi_binary_code(logits)
    assert e.extra["method"] == "enumerate" and e.stderr is None
    assert abs(e.value - _brute_force(logits)) < 1e-10


@pytest.mark.parametrize("n, bits, scale, seed", [(12, 6, 3.0, 1), (30, 10, 2.0, 2)])
def test_monte_carlo_matches_brute_force(n, bits, scale, seed):
    logits = np.random.default_rng(seed).normal(size=(n, bits)) * scale
    e = mi_binary_code(logits, method="mc", n_draws=6000, seed=seed)
    assert e.extra["method"] == "mc" and e.stderr > 0
    assert abs(e.value - _brute_force(logits)) < Z5 * e.stderr, e


def test_monte_carlo_at_twenty_bits_matches_enumeration():
    logits = np.random.default_rng(4).normal(size=(40, 18)) * 2.0
    exact = mi_binary_code(logits, max_enumerate_bits=18)
    mc = mi_binary_code(logits, method="mc", n_draws=8000, seed=1)
    assert exact.extra["method"] == "enumerate"
    assert abs(exact.value - mc.value) < Z5 * mc.stderr, (exact, mc)


def test_limits():
    # identical rows: Z is independent of X
    same = np.tile(np.array([[0.3, -1.0, 2.0]]), (6, 1))
    assert abs(mi_binary_code(same).value) < 1e-12
    # distinct near-deterministic codes: I = log N (error ~ N K e^{-40})
    det = np.array([[40.0 if b else -40.0 for b in z] for z in itertools.product((0, 1), repeat=3)])
    assert abs(mi_binary_code(det).value - math.log(8)) < 1e-12
    # fair coins: H(Z|X) = K log 2 exactly, I = 0
    e = mi_binary_code(np.zeros((5, 4)))
    assert abs(e.extra["h_z_given_x"] - 4 * math.log(2)) < 1e-14 and abs(e.value) < 1e-12


def test_bernoulli_entropy_is_stable():
    lg = torch.tensor([-800.0, -30.0, 0.0, 30.0, 800.0], dtype=torch.float64)
    h = bernoulli_entropy(lg)
    assert torch.isfinite(h).all() and abs(float(h[2]) - math.log(2)) < 1e-15
    p = 1.0 / (1.0 + math.exp(30.0))  # l = -30; log1p keeps log(1 - p) accurate
    reference = -p * math.log(p) - (1 - p) * math.log1p(-p)
    assert abs(float(h[1]) - reference) < 1e-12 * reference and float(h[0]) == 0.0
    assert abs(float(h[3]) - reference) < 1e-12 * reference and float(h[4]) == 0.0


@given(n=st.integers(1, 8), bits=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_symmetries_and_bounds(n, bits, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, bits)) * 3
    e = mi_binary_code(logits).value
    perm = rng.permutation(bits)
    flip = rng.integers(0, 2, size=bits) * 2 - 1  # relabel a bit's 0 and 1
    assert abs(mi_binary_code(logits[:, perm] * flip).value - e) < 1e-10
    assert abs(mi_binary_code(logits[rng.permutation(n)]).value - e) < 1e-10
    assert -1e-12 < e <= min(math.log(n), bits * math.log(2))


def test_seed_chunk_and_device_argument():
    logits = np.random.default_rng(5).normal(size=(20, 20))
    a = mi_binary_code(logits, n_draws=400, seed=2)
    b = mi_binary_code(torch.from_numpy(logits), n_draws=400, seed=2, chunk=9, device="cpu")
    assert a.extra["method"] == "mc" and a.value == pytest.approx(b.value, abs=1e-12)
    assert mi_binary_code(logits, n_draws=400, seed=3).value != a.value


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"logits": "x"}, TypeError, "logits must"),
    ({"logits": np.array([[np.inf, 0.0]])}, ValueError, "logits contains NaN or inf"),
    ({"method": "exact"}, ValueError, "unknown method"),
    ({"max_enumerate_bits": 30}, ValueError, "max_enumerate_bits must be <= 24"),
    ({"n_draws": 0}, ValueError, "n_draws must be >= 1"),
    ({"chunk": 0}, ValueError, "chunk must be >= 1"),
    ({"device": "nowhere"}, ValueError, "device must name"),
    ({"logits": np.zeros((2, 25)), "method": "enumerate"}, ValueError, "at most 24 bits"),
])
def test_validation(kwargs, exc, match):
    args = {"logits": np.zeros((3, 2)), **kwargs}
    with pytest.raises(exc, match=match):
        mi_binary_code(args.pop("logits"), **args)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_agrees_with_cpu():
    logits = np.random.default_rng(6).normal(size=(50, 12))
    for method in ("enumerate", "mc"):
        a = mi_binary_code(logits, method=method, n_draws=1000)
        b = mi_binary_code(logits, method=method, n_draws=1000, device="cuda")
        assert abs(a.value - b.value) < 1e-10
