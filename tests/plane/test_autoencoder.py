"""The binary autoencoder: the exact I(X; Z) along training, the regulariser's effect on it,
the straight-through sample and the recorded numbers' reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from revinfo.plane import digits
from revinfo.plane.autoencoder import compare, straight_through, train_autoencoder

SMALL = {"epochs": 6, "record_every": 3, "n_draws": 2000, "progress": False}


@pytest.fixture(scope="module")
def runs():
    x, _ = digits(300, seed=0)
    return x, {b: train_autoencoder(x, beta=b, seed=1, **SMALL) for b in (0.0, 0.5)}


def test_records_exact_values_within_bounds(runs):
    x, by_beta = runs
    for run in by_beta.values():
        assert run.epochs == [0, 3, 6] and run.bits == 20
        for value, se in zip(run.exact, run.exact_stderr):
            # a collapsed code (beta = 0.5) has near-deterministic bits: the Monte Carlo then
            # never draws the rare codes, its stderr reads 0 and the value sits below 0 by
            # about their probability (-3.8e-7 seen here); 1e-5 allows for that
            assert -5 * se - 1e-5 <= value <= math.log(x.shape[0]) + 1e-12
        assert all(math.isfinite(d) for d in run.dv)


def test_the_regulariser_lowers_the_exact_information(runs):
    _, by_beta = runs
    free, regularised = by_beta[0.0], by_beta[0.5]
    gap = free.exact[-1] - regularised.exact[-1]
    assert free.exact[-1] > 1.0  # the unregularised code learned something
    assert gap > 5 * math.hypot(free.exact_stderr[-1], regularised.exact_stderr[-1]), gap


def test_same_seed_same_numbers(runs):
    x, by_beta = runs
    again = train_autoencoder(x, beta=0.5, seed=1, **SMALL)
    assert again.exact == by_beta[0.5].exact and again.dv == by_beta[0.5].dv


def test_compare_rows():
    x, _ = digits(60, seed=2)
    rows = compare(x, betas=(0.0, 0.1), epochs=1, record_every=1, n_draws=200, progress=False)
    assert [(r["beta"], r["epoch"]) for r in rows] == [(0.0, 0), (0.0, 1), (0.1, 0), (0.1, 1)]


def test_straight_through_is_hard_forward_and_sigmoid_backward():
    logits = torch.linspace(-3, 3, 7, dtype=torch.float64).repeat(500, 1).requires_grad_(True)
    z = straight_through(logits, torch.Generator().manual_seed(0))
    assert set(np.unique(z.detach().numpy())) <= {0.0, 1.0}
    p = torch.sigmoid(logits.detach())
    # each bit's frequency over 500 draws within 5 binomial standard errors of p
    freq = z.detach().mean(0)
    assert torch.all((freq - p[0]).abs() < 5 * torch.sqrt(p[0] * (1 - p[0]) / 500))
    z.sum().backward()
    torch.testing.assert_close(logits.grad, p * (1 - p))


@pytest.mark.parametrize("kwargs, match", [
    ({"beta": -1.0}, "beta must be finite and >= 0"),
    ({"bits": 0}, "bits must be >= 1"),
    ({"batch_size": 1}, "batch_size must be >= 2"),
])
def test_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_autoencoder(np.zeros((4, 3)), **kwargs)


def test_rejects_data_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"x must lie in \[0, 1\]"):
        train_autoencoder(np.full((4, 3), 2.0))
