r"""Mixed and structured pairs: discrete-continuous, zero-inflated, additive uniform noise and
a rare-event channel. Densities are with respect to counting measure on a discrete
coordinate and Lebesgue measure on a continuous one (plus an atom at 0 for the
zero-inflated Y), so the pointwise MI is exact and its mean is the truth.

* ``discrete-continuous-m{m}`` (Gao, Kannan, Oh & Viswanath, "Estimating Mutual Information
  for Discrete-Continuous Mixtures", NeurIPS 2017): X uniform on {0, ..., m-1},
  Y | X ~ U[X, X + 2). p(y) = 1/(2m) on [0, 1) and [m, m + 1), 1/m on [1, m), so the PMI is
  log m on the two end pieces (probability 1/m together) and log(m/2) in between:

  .. math:: I = \tfrac1m \log m + (1 - \tfrac1m)\log\tfrac m2 = \log m - \tfrac{m-1}{m}\log 2.

* ``zero-inflated-d{d}-pi{pi}-sigma{sigma}``: X ~ N(0, I_d), Y_i = M_i (X_i + sigma eps_i),
  M_i ~ Bernoulli(1 - pi) independent of everything (dropout, as in single-cell counts).
  M_i is a function of Y_i (a.s.), so I(X;Y) = sum_i [I(X_i; M_i) + P(M_i=1) I(X_i; X_i +
  sigma eps)] = d (1 - pi) (1/2) log(1 + 1/sigma^2). PMI: 0 where y_i = 0 (p(y_i = 0 | x) =
  p(y_i = 0) = pi), the Gaussian channel's PMI elsewhere.
* ``additive-uniform-eps{eps}`` (benchmark-mi's "additive noise"): X ~ U(0, 1),
  Y = X + U(-eps, eps). h(Y | X) = log 2 eps and p(y) is a trapezoid, so
  I = eps - log(2 eps) for eps <= 1/2 and I = 1/(4 eps) for eps >= 1/2 (derived in
  docs/benchmark_mi_tasks.md).
* ``rare-event-p{p}-a{a}``: X ~ Bernoulli(p), Y = a X + eps, eps ~ N(0, 1). The rare X = 1
  carries large PMI (about log 1/p): the PMI variance is large compared with I, the
  regime where estimators need many samples. Truth by adaptive quadrature of
  sum_x p(x) int phi(y - a x) log(phi(y - a x) / p(y)) dy (scipy.integrate.quad, absolute
  error < 1e-10).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate
from scipy.special import logsumexp

from revinfo.result import Estimate
from revinfo.tasks._common import fmt
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
DC_MS = (2, 5, 20)
ZERO_INFLATED = ((1, 0.5, 0.5), (5, 0.3, 0.5), (1, 0.9, 0.1))  # (d, pi, sigma)
ADDITIVE_EPS = (0.1, 0.75)  # benchmark-mi's two values
RARE = ((0.01, 3.0), (0.001, 5.0))  # (p, a)
TAGS = ("mixed", "closed-form", "log-ratio")


def _support(x: np.ndarray, values: np.ndarray, name: str) -> None:
    if not np.isin(x, values).all():
        raise ValueError(f"task {name!r}: x must take values in {values.tolist()} (p(x) = 0 "
                         "elsewhere, so the pointwise MI is undefined there)")


# ------------------------------------------------------------ discrete-continuous (Gao)


def mi_discrete_continuous(m: int) -> float:
    """log m - (m - 1) log 2 / m (module docstring)."""
    return math.log(m) - (m - 1) * math.log(2.0) / m


def discrete_continuous_task(m: int) -> Task:
    name = f"discrete-continuous-m{m}"
    support = np.arange(m, dtype=np.float64)

    def sampler(n: int, rng: np.random.Generator):
        x = rng.integers(m, size=(n, 1)).astype(np.float64)
        return x, x + rng.uniform(0.0, 2.0, size=(n, 1))

    def log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x, y = np.asarray(x, float)[..., 0], np.asarray(y, float)[..., 0]
        _support(x, support, name)
        fy = np.floor(y)
        count = np.clip(np.minimum(fy, m - 1) - np.maximum(fy - 1, 0) + 1, 0, None)
        inside = (x <= y) & (y < x + 2)
        with np.errstate(divide="ignore"):
            return np.where(inside, np.log(m / np.where(count > 0, count, 1.0)), -np.inf)

    return Task(
        name=name,
        description=f"X uniform on {{0..{m - 1}}}, Y | X ~ U[X, X+2) (Gao et al. 2017)",
        dims=(1, 1), sampler=sampler,
        truth_fn=lambda: Estimate(mi_discrete_continuous(m), None,
                                  "closed form log m - (m-1) log 2 / m"),
        tags=(*TAGS, "discrete-continuous"), log_ratio=log_ratio, cheap_truth=True,
    )


# ------------------------------------------------------------ zero-inflated Gaussian channel


def _log_normal(z: np.ndarray, var: float) -> np.ndarray:
    return -0.5 * z * z / var - 0.5 * math.log(var) - LOG_SQRT_2PI


def zero_inflated_task(d: int, pi: float, sigma: float) -> Task:
    name = f"zero-inflated-d{d}-pi{fmt(pi)}-sigma{fmt(sigma)}"

    def sampler(n: int, rng: np.random.Generator):
        x = rng.standard_normal((n, d))
        keep = rng.random((n, d)) >= pi
        return x, np.where(keep, x + sigma * rng.standard_normal((n, d)), 0.0)

    def log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x, y = np.asarray(x, float), np.asarray(y, float)
        gauss = _log_normal(y - x, sigma**2) - _log_normal(y, 1.0 + sigma**2)
        return np.where(y == 0.0, 0.0, gauss).sum(-1)

    value = d * (1.0 - pi) * 0.5 * math.log1p(1.0 / sigma**2)
    return Task(
        name=name,
        description=f"X ~ N(0, I_{d}), Y_i = M_i (X_i + {fmt(sigma)} eps), M_i ~ "
                    f"Bernoulli({fmt(1 - pi)}): zero-inflated",
        dims=(d, d), sampler=sampler,
        truth_fn=lambda: Estimate(value, None, "closed form d (1-pi) log(1 + 1/sigma^2) / 2"),
        tags=(*TAGS, "zero-inflated"), log_ratio=log_ratio, cheap_truth=True,
    )


# ------------------------------------------------------------ additive uniform noise


def mi_additive_uniform(eps: float) -> float:
    """I(X; X + U(-eps, eps)) for X ~ U(0, 1) (module docstring)."""
    return eps - math.log(2.0 * eps) if eps <= 0.5 else 0.25 / eps


def additive_uniform_task(eps: float) -> Task:
    name = f"additive-uniform-eps{fmt(eps)}"

    def sampler(n: int, rng: np.random.Generator):
        x = rng.random((n, 1))
        return x, x + rng.uniform(-eps, eps, size=(n, 1))

    def log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x, y = np.asarray(x, float)[..., 0], np.asarray(y, float)[..., 0]
        if np.any((x < 0) | (x > 1)):
            raise ValueError(f"task {name!r}: x must lie in [0, 1] (p(x) = 0 elsewhere)")
        p_y = np.clip(np.minimum(y + eps, 1.0) - np.maximum(y - eps, 0.0), 0.0, None) / (2 * eps)
        inside = np.abs(y - x) < eps
        with np.errstate(divide="ignore"):
            return np.where(inside, -math.log(2 * eps) - np.log(np.where(inside, p_y, 1.0)),
                            -np.inf)

    return Task(
        name=name, description=f"X ~ U(0, 1), Y = X + U(-{fmt(eps)}, {fmt(eps)})",
        dims=(1, 1), sampler=sampler,
        truth_fn=lambda: Estimate(mi_additive_uniform(eps), None, "closed form (trapezoid p_Y)"),
        tags=(*TAGS, "uniform"), log_ratio=log_ratio, cheap_truth=True,
    )


# ------------------------------------------------------------ rare-event channel


def _rare_log_py(y: np.ndarray, p: float, a: float) -> np.ndarray:
    return logsumexp(np.stack([math.log1p(-p) + _log_normal(y, 1.0),
                               math.log(p) + _log_normal(y - a, 1.0)]), axis=0)


def mi_rare_event(p: float, a: float) -> Estimate:
    """I(X; aX + eps), X ~ Bernoulli(p), by adaptive quadrature (module docstring)."""
    total, err = 0.0, 0.0
    for x, px in ((0.0, 1.0 - p), (1.0, p)):
        def integrand(y: float, x: float = x) -> float:
            lp = _log_normal(np.asarray(y - a * x), 1.0)
            return float(np.exp(lp) * (lp - _rare_log_py(np.asarray(y), p, a)))

        val, e = integrate.quad(integrand, -40.0, a + 40.0, points=[0.0, a], limit=400,
                                epsabs=1e-12, epsrel=1e-12)
        total, err = total + px * val, err + px * e
    if err > 1e-10:
        raise ArithmeticError(f"quadrature error bound {err:.2g} above 1e-10")
    return Estimate(total, None, "adaptive quadrature (scipy.integrate.quad)",
                    extra={"quad_error_bound": err})


def rare_event_task(p: float, a: float) -> Task:
    name = f"rare-event-p{fmt(p)}-a{fmt(a)}"

    def sampler(n: int, rng: np.random.Generator):
        x = (rng.random((n, 1)) < p).astype(np.float64)
        return x, a * x + rng.standard_normal((n, 1))

    def log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x, y = np.asarray(x, float)[..., 0], np.asarray(y, float)[..., 0]
        _support(x, np.array([0.0, 1.0]), name)
        return _log_normal(y - a * x, 1.0) - _rare_log_py(y, p, a)

    return Task(
        name=name, description=f"X ~ Bernoulli({fmt(p)}), Y = {fmt(a)} X + N(0, 1): rare event",
        dims=(1, 1), sampler=sampler, truth_fn=lambda: mi_rare_event(p, a),
        tags=("mixed", "quadrature", "log-ratio", "rare-event"), log_ratio=log_ratio,
        cheap_truth=True,
    )


for _m in DC_MS:
    register(f"discrete-continuous-m{_m}", lambda m=_m: discrete_continuous_task(m),
             (*TAGS, "discrete-continuous"))
for _d, _pi, _s in ZERO_INFLATED:
    register(f"zero-inflated-d{_d}-pi{fmt(_pi)}-sigma{fmt(_s)}",
             lambda d=_d, pi=_pi, s=_s: zero_inflated_task(d, pi, s), (*TAGS, "zero-inflated"))
for _e in ADDITIVE_EPS:
    register(f"additive-uniform-eps{fmt(_e)}", lambda e=_e: additive_uniform_task(e),
             (*TAGS, "uniform"))
for _p, _a in RARE:
    register(f"rare-event-p{fmt(_p)}-a{fmt(_a)}", lambda p=_p, a=_a: rare_event_task(p, a),
             ("mixed", "quadrature", "log-ratio", "rare-event"))
