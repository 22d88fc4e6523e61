r"""The nested Monte Carlo driver of ``mi_noisy`` and ``mi_weight_noise``.

The quantity both need per outer point is a log marginal density
:math:`\log p(y) = \log \int p_X(x')\,\ell(y \mid x')\,dx'`, estimated by importance
sampling in x-space from the defensive mixture of :mod:`revinfo.exact._proposal`; with
``inner="auto"`` pilots on the first ``CHOICE_POINTS`` points choose its third component
(the prior or the caller's). :math:`\log \bar w` is biased low by
:math:`\mathrm{Var}(w) / (2 K \bar w^2)` (second-order delta method, Casella & Berger,
Statistical Inference, 2nd ed., sec. 5.5.4); that term is added back per point
(:mod:`revinfo.exact._log_mean`). The outer average uses zero-mean control variates fitted
by least squares (:mod:`revinfo.exact._control_variates`). What one run needs is a
:class:`NestedProblem`.

Inner draw counts (:func:`nested_value`). The doubling check compares, per point, the
log-mean with all of its draws against the one with its first half; the shift is the mean of
those paired differences and its stderr comes from them (the two values share draws, so their
errors are correlated). It passes when the shift is not significant at z = 3 (or below a tenth
of the value's stderr) and never exceeds that stderr. ``inner="auto"`` chooses each point's
count from a pilot's effective sample size (the pilot is then dropped, so a point's count does
not depend on the draws that make its value) and doubles every point's count (reusing the
draws it has: running sums per point, :class:`WeightSums`) while the check fails, up to a cap;
the rounds are recorded. The check only sees what the draws see: a posterior mode that no
draw reaches leaves no trace. With the prior as the third component, strongly folding flows
left such modes unreached (2-D affine flows, depth 3, weight scale 2, 9 flow/sigma cases: 5
exhausted max_inner = 2048 and warned; values -0.4 to +2.2 stderr from quadrature); mi_noisy's
noise component needed K mean 130-900 there, never warned, values -1.3 to +2.3 stderr. On
depth-4 flows of weight scale 2 (d = 4 to 16) both still reach the cap and warn, the prior
version with absurd values (161 +- 10 nats at d = 8), the noise version 18.3 +- 0.18.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
from torch import distributions as D

from revinfo.exact._control_variates import cv_mean
from revinfo.exact._log_mean import WeightSums
from revinfo.exact._proposal import mixture_log_q, sample_mixture

_HERE = os.path.dirname(os.path.abspath(__file__))

Z_CHECK = 3.0  # the doubling check's z threshold
NEGLIGIBLE = 0.1  # a shift below this fraction of the stderr passes even if significant
AUTO_START = 32  # inner="auto": first count per point
PILOT = 16  # inner="auto": draws per point that only choose the point's count (then dropped)
CHOICE_POINTS = 1024  # inner="auto": points whose pilots choose the mixture's third component
ESS_TARGET = 16.0  # inner="auto": a point starts with the count its pilot ESS says reaches this
MAX_INNER = 2048
INNER_ROWS = 1 << 15  # outer points per chunk x inner draws


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def inner_plan(inner, max_inner) -> tuple[int, int, bool]:
    """(first count, cap, adaptive) from ``inner`` ("auto" or an even int >= 2) and
    ``max_inner`` (an int >= the first count; only used by "auto")."""
    if isinstance(inner, str):
        if inner != "auto":
            raise ValueError(f"inner must be 'auto' or an even integer >= 2, got {inner!r}")
        if not _is_int(max_inner) or max_inner < AUTO_START:
            raise ValueError(f"max_inner must be an integer >= {AUTO_START}, got {max_inner!r}")
        return AUTO_START, int(max_inner), True
    if not _is_int(inner) or inner < 2 or inner % 2:
        raise ValueError(f"inner must be 'auto' or an even integer >= 2 (the check compares "
                         f"with inner/2), got {inner!r}")
    return int(inner), int(inner), False



class InnerDrawWarning(UserWarning):
    """Doubling the inner draws moved a nested Monte Carlo value beyond its stderr."""


@dataclass(frozen=True)
class NestedProblem:
    r"""One nested Monte Carlo value to compute (:func:`nested_value`).

    Fields: ``target(L)``, the per-point outer term given the per-point log marginals L;
    ``controls`` (n, c) zero-mean control variates and ``extra_var`` (c,) the variance of each
    one's assumed mean (:func:`revinfo.exact._control_variates.cv_mean`); ``draw(idx, xs, lps)``
    returns, for draws ``xs`` (m, k, d) of the points ``idx`` with prior log density ``lps``,
    log p_X + log likelihood and the third mixture component's log density (None: the prior);
    ``dist`` the base p_X; ``mean``, ``chol`` (n, d), (n, d, d) the Gaussian posterior
    approximation (mean, Cholesky factor of its precision); ``inner``, ``max_inner`` the draw
    plan (:func:`inner_plan`); ``name`` the truth's name in messages; ``device`` where ``draw``
    runs; ``sample_third(idx, count)``, if given, draws the caller's third component (else it is
    the prior), called ``third_name`` in ``extra["proposal_third"]``.
    """

    target: Callable[[torch.Tensor], torch.Tensor]
    controls: torch.Tensor
    extra_var: torch.Tensor
    draw: Callable[..., tuple[torch.Tensor, torch.Tensor | None]]
    dist: D.Distribution
    mean: torch.Tensor
    chol: torch.Tensor
    inner: int | str
    max_inner: int
    name: str
    device: str | torch.device = "cpu"
    sample_third: Callable[[torch.Tensor, int], torch.Tensor] | None = None
    third_name: str = "custom"


def _draw_rows(problem: NestedProblem, sums: WeightSums, idx: torch.Tensor,
               per_point: torch.Tensor, sample_third=None) -> None:
    """Add ``per_point[j]`` fresh stratified draws to each point ``idx[j]`` (chunked, grouped
    by count, in a fixed order so a seed fixes everything), the third component drawn by
    ``sample_third(idx, count)`` (None: the prior)."""
    for k in sorted(set(per_point.tolist())):
        group = idx[per_point == k]
        rows = max(1, INNER_ROWS // k)
        for i in range(0, len(group), rows):
            ii = group[i : i + rows]
            dev = torch.device(problem.device)
            third = None if sample_third is None else partial(sample_third, ii)
            xs, log_gauss, frac3, lps = sample_mixture(
                problem.dist, problem.mean[ii].to(dev), problem.chol[ii].to(dev), int(k), third
            )
            log_joint, log_third = problem.draw(ii, xs, lps)
            logq = mixture_log_q(log_gauss, frac3, lps if third is None else log_third)
            sums.add(ii, log_joint - logq)


def inner_check(target, full: torch.Tensor, half: torch.Tensor, se: float) -> dict:
    r"""The doubling check: per point :math:`D_i = t(L_i) - t(H_i)` (target with all of the
    point's inner draws minus with its first half); the shift is their mean (the control
    variates cancel in the difference), its stderr comes from the D_i themselves (full and half
    share draws, so their errors are correlated). Passes if
    :math:`|\mathrm{shift}| \le \min(\mathrm{se}, \max(Z\,\mathrm{se}_D, 0.1\,\mathrm{se}))`:
    not significant at Z = 3 (or negligible next to the value's stderr), and never beyond it."""
    diff = target(full) - target(half)
    n = diff.shape[0]
    if not bool(torch.isfinite(diff).all()):
        return {"shift": math.inf, "shift_stderr": math.inf, "z": math.inf, "ok": False}
    shift = float(diff.mean())
    shift_se = float(diff.std() / math.sqrt(n)) if n > 1 else math.inf
    z = shift / shift_se if shift_se > 0 else (0.0 if shift == 0 else math.inf)
    tol = min(se, max(Z_CHECK * shift_se, NEGLIGIBLE * se))
    return {"shift": shift, "shift_stderr": shift_se, "z": z, "ok": abs(shift) <= tol}


def _warn(name: str, where: str, check: dict, se: float, hint: str) -> None:
    """Warn, attributed to the first caller outside ``revinfo.exact``."""
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_HERE):
        level, frame = level + 1, frame.f_back
    warnings.warn(
        f"{name}: doubling the inner draws {where} moved the value by {check['shift']:.4g} "
        f"nats (z = {check['z']:.2f}), beyond its stderr {se:.2g}; {hint}",
        InnerDrawWarning, stacklevel=level,
    )


def _pilot_ess(problem: NestedProblem, idx: torch.Tensor, third) -> torch.Tensor:
    """Kish ESS fractions of PILOT fresh draws for the points ``idx`` (floored at 1/PILOT)."""
    sums = WeightSums(problem.mean.shape[0])
    _draw_rows(problem, sums, idx, torch.full((len(idx),), PILOT), third)
    return sums.ess_fraction()[idx].clamp_min(1.0 / PILOT)


def _pilot(problem: NestedProblem) -> tuple[torch.Tensor, str, int]:
    """PILOT draws per point for the ESS fractions that set each point's count. With a
    caller's third component, first a pilot of both choices (prior or the caller's) on the
    first CHOICE_POINTS points keeps the one whose counts K_i ~ 1/ESS_i add up to fewer draws.
    The pilots are independent of the draws that make the value, so the choice biases
    nothing. Returns (ESS fractions, the choice, the draws spent)."""
    n = problem.mean.shape[0]
    every = torch.arange(n)
    sample_third, third_name = problem.sample_third, problem.third_name
    name, third, spent = "prior", None, PILOT * n
    if sample_third is not None:
        sub = every[:CHOICE_POINTS]
        costs = {nm: float((1.0 / _pilot_ess(problem, sub, t)).sum())
                 for nm, t in (("prior", None), (third_name, sample_third))}
        spent += 2 * PILOT * len(sub)
        if costs[third_name] < costs["prior"]:
            name, third = third_name, sample_third
    return _pilot_ess(problem, every, third), name, spent


def nested_value(problem: NestedProblem) -> tuple[float, float, dict]:
    r"""The nested Monte Carlo value: per point :math:`L_i \approx \log p(y_i)` from inner
    importance draws, then the control-variate mean of ``target(L)`` and the doubling check.

    The fields of ``problem`` are described at :class:`NestedProblem`. The global torch RNG
    supplies the draws; the caller seeds it.

    * ``inner`` an even int: that many draws per point, in two independent stratified halves;
      :class:`InnerDrawWarning` if the check fails.
    * ``inner="auto"``: a pilot of ``PILOT`` draws per point (then dropped, so a point's count
      does not depend on the draws that make its value) gives each point's Kish ESS fraction;
      point i starts with the smallest :math:`K_i = 32 \cdot 2^j` whose pilot ESS reaches
      ``ESS_TARGET`` (at most ``max_inner``), drawn fresh in two halves. Then, while the check
      fails, every point below the cap doubles (its K_i new draws are added to the ones it
      has; its "half" is what it had before). Points whose weights are all zero double first.
      The decision to double is global (not per point), so each point's mean weight stays
      unbiased for its p(y_i) and the value converges as the cap grows. Warns if the cap is
      reached with the check still failing. ``extra["inner_path"]`` records each round.
    """
    target, controls, extra_var = problem.target, problem.controls, problem.extra_var
    name = problem.name
    start, cap, adaptive = inner_plan(problem.inner, problem.max_inner)
    n = problem.mean.shape[0]
    every = torch.arange(n)
    full = WeightSums(n)
    path: list[dict] = []
    drawn = 0
    third_used = "prior"
    if adaptive:
        ess, third_used, spent = _pilot(problem)
        drawn += spent
        sample_third = None if third_used == "prior" else problem.sample_third
        k = torch.full((n,), start)
        while True:
            grow = (k * ess < ESS_TARGET) & (2 * k <= cap)
            if not bool(grow.any()):
                break
            k = torch.where(grow, 2 * k, k)
    else:
        k = torch.full((n,), start)
        sample_third = None  # a fixed count keeps the prior as the third component
    _draw_rows(problem, full, every, k // 2, sample_third)
    half = full.copy()
    _draw_rows(problem, full, every, k - k // 2, sample_third)
    drawn += int(k.sum())
    cv_full = None
    while True:
        dead = full.dead()
        if bool(dead.any()):
            step = dead & (2 * full.k <= cap)
            if not adaptive or not bool(step.any()):
                raise ValueError(
                    f"{name}: every inner importance weight is zero for some outer point; "
                    "increase inner= (bounded bases at small sigma need more inner draws)"
                )
            check = {"shift": math.inf, "shift_stderr": math.inf, "z": math.inf, "ok": False}
        else:
            cv_full = cv_mean(target(full.log_mean()), controls, extra_var)
            check = inner_check(target, full.log_mean(), half.log_mean(), cv_full[1])
            step = 2 * full.k <= cap
        path.append({"inner_mean": float(full.k.double().mean()), "inner_max": int(full.k.max()),
                     "shift": check["shift"], "shift_stderr": check["shift_stderr"],
                     "z": check["z"], "ok": check["ok"]})
        if (check["ok"] and not bool(dead.any())) or not adaptive or not bool(step.any()):
            break
        idx = every[step]
        half.set_rows(idx, full)
        _draw_rows(problem, full, idx, full.k[idx], sample_third)
        drawn += int(half.k[idx].sum())
    value, se, beta = cv_full
    raw = cv_mean(target(full.log_mean(corrected=False)), controls, extra_var)[0]
    ok = check["ok"]
    if not ok:
        if adaptive:
            _warn(name, f"with the cap max_inner={cap} reached", check, se, "raise max_inner=")
        else:
            _warn(name, f"({start // 2} -> {start})", check, se,
                  "use inner='auto' or a larger inner=")
    ess = full.ess_fraction()
    extra = {
        "inner": "auto" if adaptive else start, "max_inner": cap if adaptive else start,
        "inner_mean": float(full.k.double().mean()), "inner_max": int(full.k.max()),
        "inner_min": int(full.k.min()), "inner_draws_total": drawn,
        "inner_pilot": PILOT if adaptive else 0, "inner_path": path,
        "value_half_inner": value - check["shift"], "inner_shift": check["shift"],
        "inner_shift_stderr": check["shift_stderr"], "inner_z": check["z"],
        "inner_check_ok": ok, "inner_cap_reached": adaptive and not ok,
        "value_uncorrected": raw, "ess_fraction_mean": float(ess.mean()),
        "proposal_third": third_used,
        "ess_fraction_min": float(ess.min()), "cv_beta": beta,
    }
    return value, se, extra


def summarize(
    target, parts: dict[str, torch.Tensor], controls: torch.Tensor, extra_var: torch.Tensor,
    inner: int, name: str,
) -> tuple[float, float, dict]:
    """The doubling check on precomputed per-point log-means ``parts["L"]`` (all draws) and
    ``parts["L_half"]`` (the first half): the control-variate mean of ``target(L)``, the check
    (:func:`inner_check`; warns with :class:`InnerDrawWarning` if it fails) and diagnostics."""
    value, se, beta = cv_mean(target(parts["L"]), controls, extra_var)
    check = inner_check(target, parts["L"], parts["L_half"], se)
    if not check["ok"]:
        _warn(name, f"({inner // 2} -> {inner})", check, se, "use inner='auto' or a larger inner=")
    return value, se, {
        "inner": inner, "value_half_inner": value - check["shift"],
        "inner_shift": check["shift"], "inner_shift_stderr": check["shift_stderr"],
        "inner_z": check["z"], "inner_check_ok": check["ok"], "cv_beta": beta,
    }
