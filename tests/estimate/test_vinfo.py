"""v_information against truths computed independently of it.

When the true conditional p(y|z) lies in the probe family V, I_V(Z -> Y) = I(Z;Y), so a
logistic label and a linear-Gaussian target give closed-form (or quadrature) truths.
Tolerances come from 10 seeds (data and split) at n = 4000, stated at each test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.special import expit
from scipy.stats import norm

from revinfo.estimate.vinfo import v_information

N = 4000


def radial_labels(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, 2))
    r = (x**2).sum(1)
    return x, (r > np.median(r)).astype(int)


def test_label_linear_in_x_squared_but_not_in_x():
    # y = 1[x1^2 + x2^2 > median] is a linear threshold of X^2 and carries no linear
    # information in X (symmetric). Over 10 seeds: I_V(X^2 -> Y) = 0.660 +- 0.002 (ceiling
    # log 2 = 0.693, the l2 penalty keeps it below), I_V(X -> Y) in [-0.002, 0.0005].
    x, y = radial_labels(seed=0)
    sq = v_information(x**2, y, seed=0)
    lin = v_information(x, y, seed=0)
    assert sq.value > 0.6
    assert abs(lin.value) < 0.01
    assert sq.value - lin.value > 0.55
    assert sq.extra["target"] == "discrete"
    assert sq.value <= math.log(2)


def test_logistic_label_equals_shannon_mi():
    # y ~ Bernoulli(sigmoid(3 z)), z ~ N(0, 1): the true conditional is a linear logistic
    # model, so I_V = I(Z;Y) = log 2 - E[h_b(sigmoid(3 z))] = 0.3326 (quadrature).
    # Over 10 seeds: bias +0.001, sd 0.022; tolerance 0.08.
    def hb(p: float) -> float:
        return 0.0 if p in (0.0, 1.0) else -(p * math.log(p) + (1 - p) * math.log1p(-p))

    truth = math.log(2) - quad(lambda t: norm.pdf(t) * hb(expit(3 * t)), -12, 12)[0]
    rng = np.random.default_rng(0)
    z = rng.standard_normal(N)
    y = (rng.random(N) < expit(3 * z)).astype(int)
    e = v_information(z, y, seed=0)
    assert e.value == pytest.approx(truth, abs=0.08)
    assert 0.005 < e.stderr < 0.03
    assert e.extra["h_marginal"] - e.extra["h_conditional"] == pytest.approx(e.value)


def test_gaussian_target_1d():
    # y = a x + noise: I = 0.5 log(1 + a^2 var / noise_var) = 1.1513 for a = 1.5, var = 2,
    # noise_var = 0.5. Over 10 seeds: bias -0.0004, sd 0.022; tolerance 0.08.
    a, var, noise_var = 1.5, 2.0, 0.5
    truth = 0.5 * math.log(1 + a**2 * var / noise_var)
    rng = np.random.default_rng(0)
    x = rng.normal(0, math.sqrt(var), N)
    y = a * x + rng.normal(0, math.sqrt(noise_var), N)
    e = v_information(x, y, seed=0)
    assert e.extra["target"] == "continuous"
    assert e.value == pytest.approx(truth, abs=0.08)


def test_gaussian_target_2d():
    # Y = A Z + E, Z ~ N(0, I_3), E ~ N(0, S): I = 0.5 log det(A A^T + S) / det S = 1.7020.
    # Over 10 seeds: bias +0.013, sd 0.025; tolerance 0.09.
    a = np.array([[1.0, 0.5, 0.0], [0.0, -1.0, 2.0]])
    s = np.array([[1.0, 0.3], [0.3, 0.5]])
    truth = 0.5 * math.log(np.linalg.det(a @ a.T + s) / np.linalg.det(s))
    rng = np.random.default_rng(0)
    z = rng.standard_normal((N, 3))
    y = z @ a.T + rng.multivariate_normal([0, 0], s, N)
    e = v_information(torch.from_numpy(z), torch.from_numpy(y), seed=0)
    assert e.value == pytest.approx(truth, abs=0.09)


def test_independent_target_is_near_zero():
    rng = np.random.default_rng(1)
    e = v_information(rng.standard_normal((N, 3)), rng.standard_normal(N), seed=0)
    assert abs(e.value) < 4 * e.stderr + 0.005


def test_exact_linear_target_is_infinite():
    # Without the ridge penalty the residual covariance is singular (zero up to rounding).
    z = np.random.default_rng(0).standard_normal((200, 2))
    e = v_information(z, z @ np.array([2.0, -1.0]) + 1.0, l2=0.0)
    assert e.value == math.inf
    # With it, the shrunken fit leaves a tiny residual and a large finite value.
    assert 5.0 < v_information(z, z @ np.array([2.0, -1.0]) + 1.0).value < math.inf


def test_same_seed_same_bits_and_target_override():
    x, y = radial_labels(seed=3)
    a = v_information(x**2, y, seed=4)
    assert a.value == v_information(x**2, y, seed=4).value
    assert a.stderr == v_information(x**2, y, seed=4).stderr
    as_float = v_information(x**2, y.astype(float), target="discrete", seed=4)
    assert as_float.value == a.value
    assert v_information(x**2, y.astype(bool), seed=4).value == a.value
    cont = v_information(x**2, y, target="continuous", seed=4)
    assert cont.extra["target"] == "continuous" and cont.value != a.value
    rng = np.random.default_rng(0)
    z, t = rng.standard_normal((500, 2)), rng.standard_normal(500)
    assert v_information(z, t, seed=1).value == v_information(z, t, seed=1).value


Z = np.random.default_rng(0).standard_normal((50, 2))
LAB = np.arange(50) % 3
Z_NAN = Z.copy()
Z_NAN[1, 1] = np.nan


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(probe="mlp"), "probe"),
        (dict(target="ordinal"), "target"),
        (dict(val_fraction=0.0), "val_fraction"),
        (dict(val_fraction=1.0), "val_fraction"),
        (dict(val_fraction=0.01), "val_fraction"),
        (dict(l2=-1.0), "l2"),
        (dict(labels=LAB[:40]), "same number of samples"),
        (dict(z=Z_NAN), "z contains NaN"),
        (dict(labels=np.where(LAB == 0, np.nan, 1.0)), "labels contains NaN"),
        (dict(labels=np.where(LAB == 0, np.inf, 1.0), target="discrete"), "labels contains NaN"),
        (dict(labels=np.zeros(50, dtype=int)), "labels needs at least 2"),
        (dict(labels=np.ones(50)), "labels has a constant"),
        (dict(labels=np.zeros((50, 2), dtype=int)), "labels must have shape"),
        (dict(z=np.zeros((50, 2, 2))), "z must have shape"),
        (dict(z=Z[:3], labels=LAB[:3]), "z needs at least"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, pattern):
    args = {"z": Z, "labels": LAB, **kwargs}
    with pytest.raises(ValueError, match=pattern):
        v_information(args.pop("z"), args.pop("labels"), **args)
