r"""Pointwise MI profiles: the distribution of :math:`\operatorname{pmi}(X, Y)` under the joint.

For a task with an exact log density ratio (:meth:`revinfo.tasks.Task.pmi`) the profile is
the law of :math:`\operatorname{pmi}(X, Y) = \log p(X, Y) / (p(X) p(Y))`, (X, Y) ~ p. Its
mean is the mutual information; its spread says how hard the task is:

* the sample mean of n exact PMIs has standard error :math:`\sqrt{\operatorname{Var}[\mathrm{pmi}]/n}`
  (the best any estimator that sees the PMI itself could do);
* McAllester & Stratos ("Formal limitations on the measurement of mutual information",
  AISTATS 2020) show that a distribution-free high-confidence lower bound on I(X;Y) from
  N samples is at most about log N, so certifying I nats needs about :math:`e^I` samples.
  Both numbers are in :class:`PMIProfile`.

For a jointly Gaussian pair with canonical correlations :math:`\rho_i` the variance has the
closed form :math:`\operatorname{Var}[\mathrm{pmi}] = \sum_i \rho_i^2` (each canonical pair
contributes :math:`\rho^2`; checked against Monte Carlo in the tests); other tasks get it from
the sample.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from revinfo import _validate
from revinfo.result import Estimate
from revinfo.tasks.base import Task

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


@dataclass(frozen=True)
class PMIProfile:
    """Summary of n exact PMI values of a task, in nats.

    Attributes:
        task: the task's name.
        n: samples drawn (``task.sample(n, seed)``).
        seed: their seed.
        mean: the sample mean of the PMI as an :class:`Estimate` (stderr sd / sqrt(n)); it
            estimates the MI.
        truth: the task's own truth (its ``truth`` value), for comparison.
        variance: sample variance of the PMI (nats^2).
        quantiles: {q: value} at :data:`QUANTILES`.
        e_to_truth: :math:`e^{I}` with I the truth, the McAllester & Stratos sample count
            needed to certify I nats (``inf`` when it overflows).
        samples_for_0_01: n at which the exact PMI mean has stderr 0.01 nats,
            variance / 0.01^2.
        values: the PMI values themselves (kept for the histogram; not in :meth:`to_dict`).
    """

    task: str
    n: int
    seed: int | None
    mean: Estimate
    truth: float
    variance: float
    quantiles: dict[float, float]
    e_to_truth: float
    samples_for_0_01: float
    values: np.ndarray = field(repr=False, compare=False)

    @property
    def sd(self) -> float:
        return math.sqrt(self.variance)

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers (JSON-ready apart from infinities), without ``values``."""
        out = asdict(self)
        out.pop("values")
        out["mean"] = {"value": self.mean.value, "stderr": self.mean.stderr,
                       "method": self.mean.method}
        out["quantiles"] = {f"{q:g}": v for q, v in self.quantiles.items()}
        out["sd"] = self.sd
        return out


_GAUSSIAN_NAME = re.compile(r"^gaussian-d(\d+)-rho([0-9.]+)(?:-(sparse|dense))?(?:\+[\w-]+)?$")
_IMAGE_NAME = re.compile(r"^image-blob\d+-k(\d+)-rho([0-9.]+)$")


def pmi_variance_closed_form(name: str) -> float | None:
    r"""Var[pmi] in nats^2 where it is known in closed form, else None: the Gaussian pairs
    (:mod:`revinfo.tasks.gaussian`, :mod:`revinfo.tasks.highdim`), their pushes through
    bijections (PMI unchanged point by point, so its law too) and the image tasks (a
    Gaussian latent pair rendered injectively): :math:`\sum_i \rho_i^2` over the canonical
    correlations the task is built with (read from its registry name)."""
    from revinfo.tasks import gaussian

    if not isinstance(name, str):
        raise TypeError(f"name must be a task name (str), got {type(name).__name__}")
    m = _GAUSSIAN_NAME.match(name)
    if m:
        d, rho, structure = int(m[1]), float(m[2]), m[3] or "sparse"
        return float((gaussian.canonical_correlations(d, rho, structure) ** 2).sum())
    m = _IMAGE_NAME.match(name)
    if m:
        return int(m[1]) * float(m[2]) ** 2
    return None


def pmi_tasks() -> list[str]:
    """Names of the registered tasks whose :meth:`~revinfo.tasks.Task.pmi` is exact.

    Builds every registered task once (cheap for all built-in ones: no truth is computed)."""
    from revinfo import tasks

    return [n for n in tasks.names() if tasks.get(n).has_pmi]


def _task(task: Task | str) -> Task:
    from revinfo import tasks

    if isinstance(task, str):
        return tasks.get(task)
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task or a task name, got {type(task).__name__}")
    return task


def pmi_profile(task: Task | str, n: int = 100_000, seed: int | None = 0) -> PMIProfile:
    """The PMI profile of ``task`` from n joint samples (module docstring).

    Args:
        task: a :class:`~revinfo.tasks.Task` with ``has_pmi``, or its registry name.
        n: samples, at least 2.
        seed: seed of ``task.sample``.

    Raises:
        ValueError: the task has no exact PMI (see :meth:`~revinfo.tasks.Task.pmi`), or n < 2.
    """
    t = _task(task)
    n = _validate.integer(n, "n", low=2)
    if not t.has_pmi:
        t.pmi(np.zeros((1, t.dims[0])), np.zeros((1, t.dims[1])))  # raises the clear error
    x, y = t.sample(n, seed=seed)
    values = t.pmi(x, y)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"task {t.name!r}: {int((~np.isfinite(values)).sum())} of {n} joint "
                         "samples have a non-finite PMI (the joint law cannot produce them)")
    var = float(values.var(ddof=1))
    truth = float(t.truth.value)
    mean = Estimate(float(values.mean()), math.sqrt(var / n), "sample mean of the exact PMI",
                    n=n)
    return PMIProfile(
        task=t.name, n=n, seed=seed, mean=mean, truth=truth, variance=var,
        quantiles={q: float(v) for q, v in zip(QUANTILES, np.quantile(values, QUANTILES))},
        e_to_truth=math.exp(truth) if truth < 700 else math.inf,
        samples_for_0_01=var / 0.01**2, values=values,
    )


def write_histogram(profile: PMIProfile, path: str | os.PathLike[str], bins: int = 80) -> Path:
    """A PNG histogram of the profile's PMI values with the truth and the sample mean marked."""
    from matplotlib.figure import Figure

    bins = _validate.integer(bins, "bins", low=1)
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(profile.values, bins=bins, density=True, color="C0", alpha=0.7)
    ax.axvline(profile.truth, color="k", ls="--", lw=1.5, label=f"I = {profile.truth:.4g}")
    ax.axvline(profile.mean.value, color="C3", lw=1,
               label=f"mean pmi = {profile.mean.value:.4g} ± {profile.mean.stderr:.2g}")
    ax.set_xlabel("pmi(x, y) = log p(x, y) / (p(x) p(y))  (nats)")
    ax.set_ylabel("density")
    ax.set_title(f"{profile.task}: n = {profile.n}, var(pmi) = {profile.variance:.4g}, "
                 f"e^I = {profile.e_to_truth:.3g}", fontsize="small")
    ax.legend(fontsize="small")
    out = Path(path)
    fig.savefig(out, dpi=110)
    return out


def pmi_command(name: str, n: int = 100_000, seed: int = 0,
                png: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """What ``revinfo pmi NAME`` shows: the profile as a dict (``png``: the histogram path,
    written when ``png`` is given)."""
    profile = pmi_profile(name, n=n, seed=seed)
    out = profile.to_dict()
    out["png"] = str(write_histogram(profile, png)) if png is not None else None
    return out
