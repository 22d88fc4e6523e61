"""``run``: a calibration sweep from names to a tidy DataFrame."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from revinfo.calibrate import backends
from revinfo.calibrate.grid import Grid, make_grid
from revinfo.calibrate.schema import COLUMNS, Key
from revinfo.calibrate.store import RowStore, describe, row_key
from revinfo.calibrate.worker import Job, task_ref


def run(
    estimators: Any,
    tasks: Any = None,
    ns: Any = None,
    seeds: Any = None,
    *,
    store: str | os.PathLike[str] | None = None,
    backend: str = "local",
    workers: int | None = None,
    address: str | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run every (task, estimator, n, seed) cell and return one row per cell.

    ``run(grid)`` runs a :class:`~revinfo.calibrate.grid.Grid` validated by
    :func:`~revinfo.calibrate.grid.make_grid` (``tasks``, ``ns``, ``seeds`` then stay unset).

    Arguments:
        estimators: registered estimator names (``"mi_ksg"``, see
            :data:`revinfo.registry.ESTIMATORS`) or ``"package.module:function"``
            references, ``(name, options)`` pairs (``("mi_ksg", {"k": 5})``, labelled
            ``"mi_ksg(k=5)"``), callables ``f(x, y) -> Estimate | float``,
            ``(callable, options)`` or ``(label, callable)``. An estimator that takes
            ``seed=`` gets a per-cell seed for its own randomness. Each is called as its
            ``inputs`` say (:mod:`revinfo.calibrate.estimators`): ``f(x, y)`` on an
            I(X;Y) task, ``f(z, sigma)`` on a noisy channel, ``f(x, y, z)`` on a
            conditional task; a (task, estimator) pair that does not fit is skipped.
        tasks: names from :func:`revinfo.tasks.names`, ``"package.module:factory"``
            references or :class:`~revinfo.tasks.Task` objects.
        ns: sample sizes (each >= 2).
        seeds: a count N (seeds 0..N-1) or a list of distinct ints >= 0. The sample of
            cell (task, n, seed) is ``task.sample(n, seed=cells.data_seed(task, n, seed))``,
            shared by all estimators.
        store: a JSON-lines file. Rows already there are not recomputed; each new row is
            appended (one write + fsync) as soon as it finishes, so a run killed at any
            moment loses no finished row. See :mod:`revinfo.calibrate.store`.
        backend: ``"local"`` (joblib processes; ``workers=1`` runs in this process) or
            ``"dask"`` (a distributed ``Client(address)``, else a ``LocalCluster`` of
            ``workers`` single-threaded processes).
        workers: worker processes (default: ``os.cpu_count()``).
        address: a Dask scheduler address (``backend="dask"`` only).
        progress: show a tqdm progress bar.

    Returns:
        A DataFrame in grid order (tasks, estimators, ns, seeds as given) with columns
        ``task, estimator, n, seed, estimate, truth, error, stderr, seconds`` (nats,
        ``error = estimate - truth``, ``stderr`` the estimator's own, NaN if it gives none,
        ``seconds`` its wall time) then ``truth_stderr, dim (dx + dy), dx, dy, method,
        estimator_options, data_seed, estimator_seed, failure``. A cell whose estimator
        raised has ``estimate`` NaN and the message in ``failure`` (with a warning).
        Where the truth is infinite, ``error`` is -inf (0 if the estimate is +inf too).

    Raises:
        ValueError: before any work, for an unknown task, estimator or backend, options
            that do not fit an estimator or that it rejects (see the probe in
            :mod:`revinfo.calibrate.grid`), an estimator that fits no task, n < 2 or too
            large for memory, bad or empty seeds, empty lists, a store that cannot be
            opened; :class:`~revinfo.calibrate.store.StoreLocked` (a RuntimeError) when
            another run is writing the store.
    """
    if isinstance(estimators, Grid):
        if not (tasks is None and ns is None and seeds is None):
            raise ValueError("run(grid) takes the grid alone: tasks, ns and seeds are in it")
        grid = estimators
    else:
        if tasks is None or ns is None or seeds is None:
            raise ValueError("run needs estimators, tasks, ns and seeds (or one Grid)")
        grid = make_grid(estimators, tasks, ns, seeds)
    backends.check(backend, workers, address)
    row_store = RowStore(store) if store is not None else None

    from tqdm.auto import tqdm

    done: dict[Key, dict[str, Any]] = {}
    try:
        if row_store is not None:
            row_store.open()  # take the writer's lock and cut a torn last line, then read
        truths = {t.name: t.truth for t in grid.tasks}  # once per task, in the driver
        if row_store is not None:
            wanted = set(grid.keys())
            rows = row_store.read(complete=True, warn=False)
            _warn_damaged(row_store)
            done = {row_key(r): r for r in rows if row_key(r) in wanted}
            _check_stored_truths(done.values(), truths)
        jobs = _jobs(grid, truths, skip=done.keys())
        with tqdm(total=len(grid), initial=len(done), desc="calibrate", unit="cell",
                  disable=None if progress else True) as bar:  # fmt: skip (None: off when not a tty)
            for row in backends.execute(jobs, backend, workers=workers, address=address):
                if row_store is not None:
                    row_store.append(row)  # as each cell finishes, in this process
                done[row_key(row)] = row
                bar.update(1)
    finally:
        if row_store is not None:
            row_store.close()
    return _table(grid, done)


def _jobs(grid: Grid, truths: dict[str, Any], skip: Any) -> list[Job]:
    skip = set(skip)
    refs = {t.name: task_ref(t) for t in grid.tasks}
    jobs = []
    for task, est in grid.cells():
        truth = truths[task.name]
        for n in grid.ns:
            for seed in grid.seeds:
                if (task.name, est.label, n, seed) in skip:
                    continue
                jobs.append(
                    Job(refs[task.name], task.name, est, n, seed, truth.value, truth.stderr,
                        tuple(task.dims))
                )  # fmt: skip
    return jobs


def _warn_damaged(store: RowStore) -> None:
    if store.problems:
        warnings.warn(
            f"store {str(store.path)!r}: skipped {len(store.problems)} damaged line(s) "
            f"({describe(store.problems)}); those cells will be recomputed",
            RuntimeWarning,
            stacklevel=4,
        )


def _check_stored_truths(rows: Any, truths: dict[str, Any]) -> None:
    stale = sorted({
        r["task"] for r in rows
        if not _same(float(r["truth"]), truths[r["task"]].value)
    })  # fmt: skip
    if stale:
        warnings.warn(
            f"stored rows for task(s) {stale} were computed against a different truth than "
            "the task has now; delete them from the store to recompute",
            RuntimeWarning,
            stacklevel=3,
        )


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)


def _table(grid: Grid, rows: dict[Key, dict[str, Any]]) -> pd.DataFrame:
    ordered: Sequence[dict[str, Any]] = [rows[k] for k in grid.keys()]
    df = pd.DataFrame.from_records(ordered, columns=list(COLUMNS))
    failed = df[df["failure"].notna()]
    if len(failed):
        first = failed.iloc[0]
        warnings.warn(
            f"{len(failed)} of {len(df)} cells failed (estimate NaN, message in 'failure'); "
            f"first: {first['estimator']} on {first['task']} n={first['n']} "
            f"seed={first['seed']}: {first['failure']}",
            RuntimeWarning,
            stacklevel=3,
        )
    return df
