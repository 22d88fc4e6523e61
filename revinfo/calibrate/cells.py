"""The cell grid of a sweep: one cell per (task, estimator, n, seed).

This module resolves what a user names (task names or :class:`~revinfo.tasks.Task`
objects; estimator names, ``(name, options)`` pairs or callables), validates the whole
grid before any work starts, derives each cell's seeds, and runs one cell.

Seeds. A cell's data seed is a stable hash (SHA-256, never Python's salted ``hash``) of
``(task, n, seed)``, so every estimator of a cell sees the same sample; the estimator's own
seed (passed as ``seed=`` where the function takes one) hashes ``(task, estimator, n,
seed)``. Nothing depends on the backend, the worker count or the order cells finish in.
Each cell also runs single-threaded (torch and BLAS pools set to 1 thread for the call):
parallelism comes from running cells side by side, and a thread count that changed with
the backend could change floating-point reductions, and so the last bits of a number.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import inspect
import json
import math
import numbers
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks import Task
from revinfo.tasks import registry as task_registry

#: Columns every row has, in this order (the contract's columns first).
CONTRACT_COLUMNS = (
    "task", "estimator", "n", "seed", "estimate", "truth", "error", "stderr", "seconds",
)  # fmt: skip
EXTRA_COLUMNS = (
    "truth_stderr", "dim", "dx", "dy", "method", "estimator_options", "data_seed",
    "estimator_seed", "failure",
)  # fmt: skip
COLUMNS = CONTRACT_COLUMNS + EXTRA_COLUMNS

_SEED_BITS = 32  # derived seeds fit any library's seed argument (sklearn wants < 2**32)


def derive_seed(*parts: Any) -> int:
    """A stable seed in [0, 2**32) from JSON-serialisable parts (SHA-256 of their JSON)."""
    blob = json.dumps(parts, separators=(",", ":"), sort_keys=True).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[: _SEED_BITS // 8], "big")


def data_seed(task: str, n: int, seed: int) -> int:
    """Seed of the sample ``task.sample(n, seed=...)`` shared by all estimators of a cell."""
    return derive_seed("revinfo.calibrate/data", task, n, seed)


def estimator_seed(task: str, estimator: str, n: int, seed: int) -> int:
    """Seed passed as ``seed=`` to an estimator that takes one (its own randomness)."""
    return derive_seed("revinfo.calibrate/estimator", task, estimator, n, seed)


# --------------------------------------------------------------------------- estimators


@dataclass(frozen=True)
class EstimatorSpec:
    """A resolved estimator: the row label, the function, its options.

    ``fn(x, y, **options)`` (plus ``seed=`` when ``takes_seed``) returns an
    :class:`Estimate` or a float in nats.
    """

    label: str
    fn: Callable[..., Any] = field(repr=False)
    options: dict[str, Any] = field(default_factory=dict)
    name: str | None = None  # the revinfo.estimate name, None for a user callable
    takes_seed: bool = False

    @property
    def options_json(self) -> str:
        return json.dumps(self.options, sort_keys=True, default=repr)


def _takes_xy(fn: Any) -> bool:
    """A function whose first two parameters are ``x, y`` (I(X;Y) from paired samples)."""
    if not inspect.isfunction(fn):
        return False
    params = list(inspect.signature(fn).parameters)
    return params[:2] == ["x", "y"]


def estimator_names() -> list[str]:
    """Functions of :mod:`revinfo.estimate` usable by name: the public ones taking
    ``(x, y, ...)``. Empty if the module cannot be imported."""
    try:
        module = importlib.import_module("revinfo.estimate")
    except ImportError:
        return []
    names = getattr(module, "__all__", None) or dir(module)
    return sorted(
        nm for nm in names if not nm.startswith("_") and _takes_xy(getattr(module, nm, None))
    )


def _lookup_estimator(name: str) -> Callable[..., Any]:
    try:
        module = importlib.import_module("revinfo.estimate")
    except ImportError as err:
        raise ValueError(
            f"unknown estimator {name!r}: revinfo.estimate could not be imported ({err})"
        ) from err
    fn = getattr(module, name, None) if not name.startswith("_") else None
    if fn is None or not inspect.isfunction(fn):
        raise ValueError(
            f"unknown estimator {name!r}; expected one of {estimator_names()} "
            "or a callable f(x, y) -> Estimate | float"
        )
    if not _takes_xy(fn):
        raise ValueError(
            f"estimator {name!r} takes {inspect.signature(fn)}, not (x, y, ...); "
            "pass a callable f(x, y) that wraps it"
        )
    return fn


def _callable_label(fn: Callable[..., Any]) -> str:
    inner = getattr(fn, "func", None)  # functools.partial
    if inner is not None and hasattr(fn, "keywords"):
        return _label(_callable_label(inner), dict(fn.keywords))
    return getattr(fn, "__name__", None) or type(fn).__name__


def _label(base: str, options: dict[str, Any]) -> str:
    if not options:
        return base
    return f"{base}({', '.join(f'{k}={v!r}' for k, v in sorted(options.items()))})"


def _check_signature(fn: Callable[..., Any], options: dict[str, Any], label: str) -> bool:
    """Options bind to ``fn(x, y, **options)``; returns whether ``fn`` takes ``seed=``."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature: trust the caller
        return False
    try:
        sig.bind(None, None, **options)
    except TypeError as err:
        raise ValueError(
            f"estimator {label!r}: options {sorted(options)} do not fit its signature "
            f"{sig} ({err})"
        ) from err
    seed_param = sig.parameters.get("seed")
    return seed_param is not None and seed_param.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


def resolve_estimator(entry: Any) -> EstimatorSpec:
    """One entry of ``estimators``: a name, ``(name, options)``, a callable,
    ``(callable, options)`` or ``(label, callable)``. Raises ValueError naming the entry."""
    name: str | None = None
    label: str | None = None
    options: dict[str, Any] = {}
    if isinstance(entry, tuple) and len(entry) == 2:
        first, second = entry
        if isinstance(first, str) and callable(second):
            label, fn = first, second
        elif isinstance(second, dict) and (isinstance(first, str) or callable(first)):
            options = dict(second)
            if isinstance(first, str):
                name, fn = first, _lookup_estimator(first)
            else:
                fn = first
        else:
            raise ValueError(
                f"estimator entry {entry!r}: expected (name, options), (callable, options) "
                "or (label, callable)"
            )
    elif isinstance(entry, str):
        name, fn = entry, _lookup_estimator(entry)
    elif callable(entry):
        fn = entry
    else:
        raise ValueError(
            f"estimator entry {entry!r}: expected a revinfo.estimate name, "
            "(name, options) or a callable f(x, y) -> Estimate | float"
        )
    bad = [k for k in options if not isinstance(k, str)]
    if bad:
        raise ValueError(f"estimator entry {entry!r}: option names must be str, got {bad}")
    if label is None:
        label = _label(name if name is not None else _callable_label(fn), options)
    takes_seed = _check_signature(fn, options, label) and "seed" not in options
    return EstimatorSpec(label=label, fn=fn, options=options, name=name, takes_seed=takes_seed)


# --------------------------------------------------------------------------- the grid


def resolve_task(entry: Any) -> Task:
    """A task name (see :func:`revinfo.tasks.names`) or a :class:`Task`."""
    if isinstance(entry, Task):
        return entry
    if isinstance(entry, str):
        return task_registry.get(entry)  # ValueError naming the unknown task
    raise ValueError(f"task entry {entry!r}: expected a task name or a revinfo.tasks.Task")


def _nonempty(values: Any, what: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        values = [values]
    out = list(values)
    if not out:
        raise ValueError(f"{what} is empty; give at least one entry")
    return out


def _unique(labels: Sequence[Any], what: str) -> None:
    seen: set[Any] = set()
    for lab in labels:
        if lab in seen:
            raise ValueError(f"{what} {lab!r} appears twice")
        seen.add(lab)


def resolve_ns(ns: Any) -> list[int]:
    out = []
    for v in _nonempty(ns, "ns"):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise ValueError(f"ns entry {v!r}: sample sizes must be integers")
        if v < 2:
            raise ValueError(f"ns entry {v!r}: a sample size must be >= 2")
        out.append(int(v))
    _unique(out, "ns entry")
    return out


def resolve_seeds(seeds: Any) -> list[int]:
    """An int N means seeds 0..N-1; otherwise a list of distinct ints >= 0."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds = {seeds!r}: give a count >= 1 or a list of seeds")
        return list(range(int(seeds)))
    out = []
    for v in _nonempty(seeds, "seeds"):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
            raise ValueError(f"seeds entry {v!r}: seeds must be integers >= 0")
        out.append(int(v))
    _unique(out, "seeds entry")
    return out


@dataclass(frozen=True)
class Grid:
    """A validated sweep: resolved tasks and estimators, sample sizes and seeds."""

    tasks: tuple[Task, ...]
    estimators: tuple[EstimatorSpec, ...]
    ns: tuple[int, ...]
    seeds: tuple[int, ...]

    def keys(self) -> Iterator[tuple[str, str, int, int]]:
        """Every (task, estimator, n, seed), in table order."""
        for t in self.tasks:
            for e in self.estimators:
                for n in self.ns:
                    for s in self.seeds:
                        yield (t.name, e.label, n, s)

    def __len__(self) -> int:
        return len(self.tasks) * len(self.estimators) * len(self.ns) * len(self.seeds)


def make_grid(estimators: Any, tasks: Any, ns: Any, seeds: Any) -> Grid:
    """Validate everything a sweep names; raises ValueError naming the bad entry."""
    est = [resolve_estimator(e) for e in _nonempty(estimators, "estimators")]
    _unique([e.label for e in est], "estimator label")
    tks = [resolve_task(t) for t in _nonempty(tasks, "tasks")]
    _unique([t.name for t in tks], "task")
    return Grid(tuple(tks), tuple(est), tuple(resolve_ns(ns)), tuple(resolve_seeds(seeds)))


# --------------------------------------------------------------------------- one cell


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
    dims: tuple[int, int]

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
    """torch and BLAS thread pools at 1 thread for the duration (restored after)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
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


def _as_estimate(out: Any, label: str) -> Estimate:
    if isinstance(out, Estimate):
        return out
    if isinstance(out, (numbers.Real, np.floating, np.integer)) and not isinstance(out, bool):
        return Estimate(float(out), None, label)
    raise TypeError(
        f"estimator {label!r} returned {type(out).__name__}, expected Estimate or float"
    )


def call_estimator(spec: EstimatorSpec, x: np.ndarray, y: np.ndarray, seed: int) -> Estimate:
    """``spec.fn(x, y, **options[, seed=seed])`` as an Estimate."""
    kwargs = dict(spec.options)
    if spec.takes_seed:
        kwargs["seed"] = seed
    return _as_estimate(spec.fn(x, y, **kwargs), spec.label)


def run_cell(job: Job) -> dict[str, Any]:
    """Sample the cell's data, run the estimator, return the row (a plain dict).

    An exception from the estimator is recorded in the row (``estimate`` NaN, ``failure``
    the message) rather than stopping the sweep; :func:`revinfo.calibrate.run` warns.
    """
    task = job.task if isinstance(job.task, Task) else task_registry.get(job.task)
    d_seed = data_seed(job.task_name, job.n, job.seed)
    e_seed = estimator_seed(job.task_name, job.estimator.label, job.n, job.seed)
    failure = None
    with single_threaded():
        x, y = task.sample(job.n, seed=d_seed)
        t0 = time.perf_counter()
        try:
            est = call_estimator(job.estimator, x, y, e_seed)
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
