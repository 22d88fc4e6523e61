r"""Exact-critic diagnostics for the neural MI bounds (DV, NWJ, InfoNCE, SMILE).

Where a task knows its joint density, the optimal critic is known too: the log density
ratio :math:`f^*(x, y) = \log p(x, y) / (p(x) p(y))` (up to a constant for DV). Evaluating
each bound of :mod:`revinfo.estimate.neural` at :math:`f^*` on batches of the same size a
trained estimator uses separates three sources of error of that estimator:

* **bound gap** = truth - (bound at the exact critic): what the bound loses even with the
  best possible critic at this batch size (InfoNCE's log B ceiling, SMILE's clipping).
  Not always >= 0: at a fixed critic the DV and SMILE batch values are biased *upward*
  (Jensen: E log(mean of e^f) <= log E e^f), strongly once I is large against log B, and
  NWJ is unbiased but heavy-tailed there.
* **optimisation error** = (bound at the exact critic) - (trained estimator's held-out
  value): what training leaves on the table. > 0 means the trained critic falls short of
  the exact one; it can be < 0 by noise (and DV/SMILE with a trained critic can exceed
  their exact-critic value on a finite batch).
* **sampling error**: the spread of the bound across batches at the exact critic, i.e. the
  standard deviation the estimator's reported value would have from its held-out batches
  alone even with a perfect critic.

Signs: ``truth - estimate = bound_gap + optimisation_error`` exactly, so with the
calibration convention ``error = estimate - truth`` we have
``error = -(bound_gap + optimisation_error)``.

Tasks expose the ratio as :attr:`revinfo.tasks.Task.log_ratio` (Gaussian pairs, Gaussian
pairs through flows and fixed bijections, Student-t pairs). For a pair pushed through
bijections, :math:`x = f(x_0)`, :math:`y = g(y_0)`, the change of variables gives
:math:`p(x, y) = p_0(x_0, y_0)\,|\det J_{f^{-1}}(x)|\,|\det J_{g^{-1}}(y)|`,
:math:`p(x) = p_0(x_0)\,|\det J_{f^{-1}}(x)|` and :math:`p(y) = p_0(y_0)\,|\det J_{g^{-1}}(y)|`;
the two log-determinants appear once in the numerator and once in the denominator and
cancel, so :math:`f^*(x, y) = \log p_0(x_0, y_0) / (p_0(x_0) p_0(y_0))` is the Gaussian
ratio at the preimages and needs no log-det at all.

This module may import the pure bound functions of :mod:`revinfo.estimate.neural` (they
are functions of a score matrix and see no truth); :mod:`revinfo.tasks` and
:mod:`revinfo.exact` never import :mod:`revinfo.estimate`.

References: Poole et al., "On variational bounds of mutual information", ICML 2019;
Song & Ermon, ICLR 2020.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from revinfo import _validate
from revinfo.estimate.bounds import BOUNDS, bound_value
from revinfo.result import Estimate
from revinfo.tasks.base import Task

__all__ = ["BOUNDS", "exact_critic_bounds", "exact_scores", "split_error"]


def _log_ratio(task: Task):
    if not isinstance(task, Task):
        raise TypeError(f"task must be a revinfo.tasks.Task, got {type(task).__name__}")
    if task.log_ratio is None:
        raise ValueError(f"task {task.name!r} has no exact log density ratio (log_ratio is None)")
    return task.log_ratio


def exact_scores(task: Task, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The (B, B) score matrix ``log p(x_i, y_j) / (p(x_i) p(y_j))`` of a batch of B pairs
    (diagonal: joint pairs; off-diagonal: product-of-marginals pairs)."""
    ratio = _log_ratio(task)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    b = x.shape[0]
    scores = np.asarray(ratio(x[:, None, :], y[None, :, :]), dtype=np.float64)
    if scores.shape != (b, b):
        raise ValueError(f"task {task.name!r}: log_ratio gave shape {scores.shape}, "
                         f"expected ({b}, {b})")
    return scores


def exact_critic_bounds(
    task: Task,
    n: int = 4096,
    batch_size: int = 128,
    seed: int | None = 0,
    *,
    bounds: tuple[str, ...] = BOUNDS,
    tau: float = 5.0,
) -> dict[str, Estimate]:
    """Each bound evaluated at the exact critic on n // batch_size disjoint batches.

    Returns ``{bound: Estimate}``: ``value`` the mean over batches, ``stderr`` their
    standard deviation / sqrt(batches); ``extra`` holds ``batch_size``, ``batches``,
    ``batch_sd`` (per-batch spread) and ``log_batch_size`` (InfoNCE's ceiling). Units: nats.
    """
    t0 = time.perf_counter()
    _log_ratio(task)
    b = _validate.integer(batch_size, "batch_size", low=2)
    n = _validate.integer(n, "n", low=2 * b)
    tau = _validate.positive(tau, "tau")
    for name in bounds:
        _validate.choice(name, "bound", BOUNDS)
    k = n // b
    x, y = task.sample(k * b, seed)
    values = {name: np.empty(k) for name in bounds}
    for i in range(k):
        sl = slice(i * b, (i + 1) * b)
        scores = torch.from_numpy(exact_scores(task, x[sl], y[sl]))
        for name in bounds:
            values[name][i] = float(bound_value(name, scores, tau))
    secs = time.perf_counter() - t0
    out = {}
    for name, v in values.items():
        sd = float(v.std(ddof=1))
        out[name] = Estimate(
            float(v.mean()), sd / math.sqrt(k), f"exact critic ({name}, B={b})", k * b, secs,
            {"bound": name, "batch_size": b, "batches": k, "batch_sd": sd,
             "log_batch_size": math.log(b), "batch_values": v.tolist()},
        )
    return out


def split_error(
    estimate: Estimate,
    task: Task,
    bound: str,
    *,
    n: int = 4096,
    batch_size: int | None = None,
    seed: int | None = 0,
    tau: float = 5.0,
    exact: Estimate | None = None,
) -> dict[str, Any]:
    """Split a neural estimate's error on ``task`` into bound gap, optimisation error and
    sampling error (module docstring for the definitions and signs).

    Args:
        estimate: the trained estimator's value (e.g. from ``estimate.mi_neural``); its
            ``extra["eval_batch_size"]`` and ``extra["eval_batches"]`` are used if present.
        task: a task with ``log_ratio``.
        bound: the bound the estimator reports ("dv", "nwj", "infonce", "smile").
        n, seed: samples for the exact-critic evaluation.
        batch_size: B for the exact critic; default the estimator's evaluation batch size
            (128 if it does not say). Bound gaps depend on B: compare at the same B.
        exact: a precomputed exact-critic :class:`Estimate` for this bound and B.

    Returns a dict (nats): ``truth``, ``truth_stderr``, ``exact_critic``,
    ``exact_critic_stderr``, ``estimate``, ``estimate_stderr``, ``bound_gap``
    (truth - exact_critic), ``bound_gap_stderr``, ``optimisation_error``
    (exact_critic - estimate), ``optimisation_error_stderr``, ``sampling_error`` (per-batch
    spread at the exact critic / sqrt(the estimator's batch count)), ``error``
    (estimate - truth = -(bound_gap + optimisation_error)), ``batch_size``, ``bound``.
    """
    if not isinstance(estimate, Estimate):
        raise TypeError(f"estimate must be an Estimate, got {type(estimate).__name__}")
    bound = _validate.choice(bound, "bound", BOUNDS)
    b = batch_size if batch_size is not None else estimate.extra.get("eval_batch_size", 128)
    b = _validate.integer(b, "batch_size", low=2)
    if exact is None:
        exact = exact_critic_bounds(task, n, b, seed, bounds=(bound,), tau=tau)[bound]
    truth = task.truth
    est_se = estimate.stderr or 0.0
    t_se = truth.stderr or 0.0
    k_est = int(estimate.extra.get("eval_batches", exact.extra["batches"]))
    gap = truth.value - exact.value
    opt = exact.value - estimate.value
    return {
        "bound": bound, "batch_size": b,
        "truth": truth.value, "truth_stderr": truth.stderr,
        "exact_critic": exact.value, "exact_critic_stderr": exact.stderr,
        "estimate": estimate.value, "estimate_stderr": estimate.stderr,
        "bound_gap": gap, "bound_gap_stderr": math.hypot(t_se, exact.stderr or 0.0),
        "optimisation_error": opt,
        "optimisation_error_stderr": math.hypot(exact.stderr or 0.0, est_se),
        "sampling_error": exact.extra["batch_sd"] / math.sqrt(max(k_est, 1)),
        "error": estimate.value - truth.value,
    }
