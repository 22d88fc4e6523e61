"""Where cells run: in this process, in local worker processes (joblib/loky), or on a Dask
distributed cluster. Each backend yields rows as cells finish, in the driver process;
the driver writes them to the store. Numbers never depend on the backend (see
:mod:`revinfo.calibrate.grid` for the seeds and :mod:`revinfo.calibrate.worker` for the
thread settings)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from revinfo import _validate
from revinfo.calibrate.worker import Job, run_cell

BACKENDS = ("local", "dask")
#: Seconds to wait for a Dask scheduler given by address before giving up.
CONNECT_TIMEOUT = 5


def check(backend: Any, workers: Any, address: Any) -> None:
    """Validate backend options before any work; ValueError naming the bad one."""
    _validate.choice(backend, "backend", BACKENDS)  # an array is a TypeError, not elementwise
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ValueError(f"workers must be an integer >= 1 or None, got {workers!r}")
    if address is not None:
        if backend != "dask":
            raise ValueError(f"address= is for backend='dask', got backend={backend!r}")
        if not isinstance(address, str) or not address:
            raise ValueError(f"address must be a scheduler address string, got {address!r}")


def execute(
    jobs: Sequence[Job],
    backend: str = "local",
    *,
    workers: int | None = None,
    address: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Run ``jobs``; yield each row as it completes (order not guaranteed). The options were
    validated by :func:`check` (:func:`revinfo.calibrate.run` calls it before any work)."""
    if not jobs:
        return iter(())
    if backend == "dask":
        return _dask(jobs, workers, address)
    return _local(jobs, workers)


def _local(jobs: Sequence[Job], workers: int | None) -> Iterator[dict[str, Any]]:
    n_jobs = min(workers or os.cpu_count() or 1, len(jobs))
    if n_jobs == 1:
        for job in jobs:
            yield run_cell(job)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")
    yield from parallel(delayed(run_cell)(job) for job in jobs)


def _dask(
    jobs: Sequence[Job], workers: int | None, address: str | None
) -> Iterator[dict[str, Any]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as err:  # pragma: no cover - depends on the install
        raise ImportError(
            "backend='dask' needs dask.distributed: pip install 'revinfo[dask]'"
        ) from err
    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = _connect(Client, address)
    try:
        futures = [client.submit(run_cell, job, pure=False) for job in jobs]
        for future in as_completed(futures):
            row = future.result()
            future.release()
            yield row
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(client_type: Any, address: str) -> Any:
    """A client of the scheduler at ``address``; a ValueError after :data:`CONNECT_TIMEOUT`
    seconds when nothing answers there."""
    try:
        return client_type(address, timeout=f"{CONNECT_TIMEOUT}s")
    except (OSError, TimeoutError) as err:
        raise ValueError(
            f"cannot reach a Dask scheduler at {address!r} within {CONNECT_TIMEOUT} s "
            f"({type(err).__name__})"
        ) from err
