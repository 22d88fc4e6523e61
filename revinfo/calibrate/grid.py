"""The validated grid of a sweep: one cell per fitting (task, estimator) pair, n and seed.

:func:`make_grid` resolves and checks everything a sweep names, once, before any work: task
names (or ``"module:factory"`` references, or :class:`~revinfo.tasks.Task` objects), estimators
(:mod:`revinfo.calibrate.estimators`), sample sizes, seeds, and the estimators' option *values*.
:func:`revinfo.calibrate.run` and :class:`revinfo.calibrate.config.Sweep` take the
:class:`Grid` it returns.

Option values are checked by a *probe*: each registered estimator (a name or a reference) is
called once per task shape, with the sweep's options, on a standard-normal dummy sample of
that shape at the sweep's smallest n, and a ValueError or TypeError it raises is a validation
error naming the estimator (``k = -5``, ``bins = 0``, ``k = 500`` at n = 100). The probe reuses
each estimator's own argument checks instead of restating them here, so a new estimator is
covered without editing calibrate; it costs one small call per estimator and task shape.
An estimator may register ``probe={option: value}`` overrides that make the probe cheap
where the user left the option at its default (``mi_neural`` trains for one step). A plain
callable is not probed: what it raises is the cell's recorded failure, as before.

Seeds (:mod:`revinfo.seeds`): a cell's data seed is :func:`revinfo.seeds.stable` of
``(task, n, seed)``, so every estimator of a cell sees the same sample; the estimator's own
seed (passed as ``seed=`` where the function takes one) hashes ``(task, estimator, n, seed)``.
"""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from revinfo import seeds as _seeds
from revinfo.calibrate.estimators import (
    EstimatorSpec,
    fits,
    misfit,
    resolve_estimator,
)
from revinfo.tasks import Task
from revinfo.tasks import registry as task_registry

#: A sweep refuses a sample size whose one sample (n x (dx + dy) float64) would take more
#: than this fraction of the machine's physical memory.
MEMORY_FRACTION = 0.5


def data_seed(task: str, n: int, seed: int) -> int:
    """Seed of the sample ``task.sample(n, seed=...)`` shared by all estimators of a cell."""
    return _seeds.stable("revinfo.calibrate/data", task, n, seed)


def estimator_seed(task: str, estimator: str, n: int, seed: int) -> int:
    """Seed passed as ``seed=`` to an estimator that takes one (its own randomness)."""
    return _seeds.stable("revinfo.calibrate/estimator", task, estimator, n, seed)


def derive_seed(*parts: Any) -> int:
    """:func:`revinfo.seeds.stable` (kept under its former name)."""
    return _seeds.stable(*parts)


# --------------------------------------------------------------------------- entries


def resolve_task(entry: Any) -> Task:
    """A task name (see :func:`revinfo.tasks.names`), a ``"module:factory"`` reference or a
    :class:`Task`."""
    if isinstance(entry, Task):
        return entry
    if isinstance(entry, str):
        return task_registry.get(entry)  # ValueError naming the unknown task
    raise ValueError(f"task entry {entry!r}: expected a task name or a revinfo.tasks.Task")


def _nonempty(values: Any, what: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        values = [values]
    try:
        out = list(values)
    except TypeError as err:  # a 0-d tensor or array is Iterable but cannot be iterated
        raise TypeError(f"{what} must be a list (or one entry), got {type(values).__name__}: "
                        f"{err}") from None
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


def physical_memory() -> int | None:
    """Bytes of physical memory, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_sizes(ns: Sequence[int], tasks: Sequence[Task]) -> None:
    """Refuse, before allocating, an n whose one sample would not fit in memory."""
    memory = physical_memory()
    if memory is None:
        return
    width = max(sum(t.dims) for t in tasks)
    for n in ns:
        need = n * width * 8
        if need > MEMORY_FRACTION * memory:
            raise ValueError(
                f"ns entry {n}: one sample of {width} float64 columns needs "
                f"{need / 2**30:.3g} GiB, more than {MEMORY_FRACTION:g} of this machine's "
                f"{memory / 2**30:.3g} GiB of memory"
            )


# --------------------------------------------------------------------------- the probe


def _dummy(spec: EstimatorSpec, task: Task, n: int) -> tuple[Any, ...]:
    rng = np.random.default_rng(0)
    if spec.inputs == "z_sigma":
        sigma = task.sample_channel(2, seed=0)[1]
        return rng.standard_normal((n, task.dims[1])), sigma
    return tuple(rng.standard_normal((n, d)) for d in task.dims)


def probe(spec: EstimatorSpec, task: Task, n: int) -> None:
    """Call a registered estimator on a dummy sample of ``task``'s shape at ``n`` with the
    sweep's options; its ValueError or TypeError becomes one naming the estimator."""
    kwargs = {**{k: v for k, v in spec.probe.items() if k not in spec.options}, **spec.options}
    if spec.takes_seed:
        kwargs["seed"] = 0
    arrays = _dummy(spec, task, n)
    shape = "x".join(str(d) for d in task.dims)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec.fn(*arrays, **kwargs)
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"estimator {spec.label!r} rejects its options at n = {n} (dims {shape}): {err}"
        ) from err
    except Exception:  # noqa: BLE001, S110 - not an option problem: the cells record it
        pass


# --------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class Grid:
    """A validated sweep: resolved tasks and estimators, sample sizes and seeds, and the
    (task, estimator) pairs that fit (indices into ``tasks`` and ``estimators``)."""

    tasks: tuple[Task, ...]
    estimators: tuple[EstimatorSpec, ...]
    ns: tuple[int, ...]
    seeds: tuple[int, ...]
    pairs: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not self.pairs:
            every = tuple((i, j) for i in range(len(self.tasks))
                          for j in range(len(self.estimators)))  # fmt: skip
            object.__setattr__(self, "pairs", every)

    def cells(self) -> Iterator[tuple[Task, EstimatorSpec]]:
        """The fitting (task, estimator) pairs, tasks in order, then estimators."""
        for i, j in self.pairs:
            yield self.tasks[i], self.estimators[j]

    def keys(self) -> Iterator[tuple[str, str, int, int]]:
        """Every (task, estimator, n, seed), in table order."""
        for t, e in self.cells():
            for n in self.ns:
                for s in self.seeds:
                    yield (t.name, e.label, n, s)

    def __len__(self) -> int:
        return len(self.pairs) * len(self.ns) * len(self.seeds)


def _fitting_pairs(tasks: list[Task], est: list[EstimatorSpec]) -> tuple[tuple[int, int], ...]:
    pairs = tuple((i, j) for i, t in enumerate(tasks) for j, e in enumerate(est) if fits(e, t))
    for j, e in enumerate(est):
        if not any(pj == j for _, pj in pairs):
            raise ValueError(misfit(e, tasks))
    for i, t in enumerate(tasks):
        if not any(pi == i for pi, _ in pairs):
            raise ValueError(
                f"task {t.name!r} (inputs {t.inputs!r}) fits none of the estimators "
                f"{[e.label for e in est]}"
            )
    return pairs


def make_grid(estimators: Any, tasks: Any, ns: Any, seeds: Any) -> Grid:
    """Validate everything a sweep names; raises ValueError naming the bad entry."""
    est = [resolve_estimator(e) for e in _nonempty(estimators, "estimators")]
    _unique([e.label for e in est], "estimator label")
    tks = [resolve_task(t) for t in _nonempty(tasks, "tasks")]
    _unique([t.name for t in tks], "task")
    sizes = resolve_ns(ns)
    seed_list = resolve_seeds(seeds)
    pairs = _fitting_pairs(tks, est)
    check_sizes(sizes, tks)
    grid = Grid(tuple(tks), tuple(est), tuple(sizes), tuple(seed_list), pairs)
    probed: set[tuple[int, str, tuple[int, ...]]] = set()
    for task, spec in grid.cells():
        shape = (id(spec), task.inputs, tuple(task.dims))
        if spec.named and shape not in probed:
            probed.add(shape)
            probe(spec, task, min(sizes))
    return grid
