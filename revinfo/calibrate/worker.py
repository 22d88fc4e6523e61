"""One cell of a sweep, as a worker runs it: sample, call the estimator, return the row.

Each cell runs single-threaded (torch and BLAS pools set to 1 thread for the call):
parallelism comes from running cells side by side, and a thread count that changed with
the backend could change floating-point reductions, and so the last bits of a number.
Nothing depends on the backend, the worker count or the order cells finish in.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from revinfo.calibrate.estimators import EstimatorSpec, arguments
from revinfo.calibrate.grid import data_seed, estimator_seed
from revinfo.result import Estimate
from revinfo.tasks import Task
from revinfo.tasks import registry as task_registry


@dataclass(frozen=True)
class Job:
    """Everything a worker needs for one cell. ``task`` is a registry name (the worker
    looks it up, nothing big is pickled) or, for a Task not in the registry, the object.
    The truth travels as numbers: workers never compute it."""

    task: str | Task
    task_name: str
    estimator: EstimatorSpec
    n: int
    seed: int
    truth: float
    truth_stderr: float | None
    dims: tuple[int, ...]

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.task_name, self.estimator.label, self.n, self.seed)


def task_ref(task: Task) -> str | Task:
    """The registry name when ``task`` is the registered object, else the object."""
    try:
        if task_registry.get(task.name) is task:
            return task.name
    except (ValueError, TypeError):
        pass
    return task


def error_of(estimate: float, truth: float) -> float:
    """estimate - truth; 0 where both are the same infinity; NaN for a failed cell."""
    if math.isinf(estimate) and estimate == truth:
        return 0.0
    return estimate - truth


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """torch, numba and BLAS thread pools at 1 thread for the duration (restored after)."""
    import sys

    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    numba = sys.modules.get("numba")  # the compiled KSG tree runs on numba's threads
    numba_before = numba.get_num_threads() if numba is not None else None
    if numba is not None:
        numba.set_num_threads(1)
    try:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # optional: without it BLAS keeps its own setting
            yield
        else:
            with threadpool_limits(limits=1):
                yield
    finally:
        torch.set_num_threads(before)
        if numba is not None:
            numba.set_num_threads(numba_before)


def _as_estimate(out: Any, label: str) -> Estimate:
    if isinstance(out, Estimate):
        return out
    if isinstance(out, (numbers.Real, np.floating, np.integer)) and not isinstance(out, bool):
        return Estimate(float(out), None, label)
    raise TypeError(
        f"estimator {label!r} returned {type(out).__name__}, expected Estimate or float"
    )


def call_estimator(spec: EstimatorSpec, *arrays: Any, seed: int) -> Estimate:
    """``spec.fn(*arrays, **options[, seed=seed])`` as an Estimate."""
    kwargs = dict(spec.options)
    if spec.takes_seed:
        kwargs["seed"] = seed
    return _as_estimate(spec.fn(*arrays, **kwargs), spec.label)


def run_cell(job: Job) -> dict[str, Any]:
    """Sample the cell's data, run the estimator, return the row (a plain dict in the shape
    of :mod:`revinfo.calibrate.schema`).

    An exception from the estimator is recorded in the row (``estimate`` NaN, ``failure``
    the message) rather than stopping the sweep; :func:`revinfo.calibrate.run` warns.
    """
    task = job.task if isinstance(job.task, Task) else task_registry.get(job.task)
    d_seed = data_seed(job.task_name, job.n, job.seed)
    e_seed = estimator_seed(job.task_name, job.estimator.label, job.n, job.seed)
    failure = None
    with single_threaded():
        arrays = arguments(job.estimator.inputs, task, job.n, d_seed)
        t0 = time.perf_counter()
        try:
            est = call_estimator(job.estimator, *arrays, seed=e_seed)
        except Exception as err:  # noqa: BLE001 - recorded per cell, reported by run()
            est, failure = None, f"{type(err).__name__}: {err}"
        seconds = time.perf_counter() - t0
    value = math.nan if est is None else est.value
    return {
        "task": job.task_name,
        "estimator": job.estimator.label,
        "n": job.n,
        "seed": job.seed,
        "estimate": value,
        "truth": job.truth,
        "error": math.nan if est is None else error_of(value, job.truth),
        "stderr": math.nan if est is None or est.stderr is None else est.stderr,
        "seconds": seconds,
        "truth_stderr": math.nan if job.truth_stderr is None else job.truth_stderr,
        "dim": job.dims[0] + job.dims[1],
        "dx": job.dims[0],
        "dy": job.dims[1],
        "method": "" if est is None else est.method,
        "estimator_options": job.estimator.options_json,
        "data_seed": d_seed,
        "estimator_seed": e_seed,
        "failure": failure,
    }
