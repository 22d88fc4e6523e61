"""Local processes and a Dask LocalCluster (2 worker processes) give identical numbers."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from calibrate_helpers import gaussian_task, make_noisy_mi

from revinfo import calibrate

pytest.importorskip("distributed")


def test_local_and_dask_identical():
    kw = dict(
        estimators=["mi_gaussian", ("mi_ksg", {"k": 4}), make_noisy_mi()],
        tasks=["gaussian-1d-rho0.9", gaussian_task(2, 0.5)],
        ns=[100, 300],
        seeds=3,
        progress=False,
    )
    local = calibrate.run(**kw, backend="local", workers=1)
    t0 = time.perf_counter()
    dask = calibrate.run(**kw, backend="dask", workers=2)
    elapsed = time.perf_counter() - t0
    cols = [c for c in local.columns if c != "seconds"]
    pd.testing.assert_frame_equal(local[cols], dask[cols])
    assert len(dask) == 2 * 3 * 2 * 3 and dask["failure"].isna().all()
    print(f"dask LocalCluster(2) sweep of {len(dask)} cells: {elapsed:.1f} s")


@pytest.mark.slow
def test_join_a_running_cluster_by_address():
    from distributed import LocalCluster

    kw = dict(estimators=[make_noisy_mi()], tasks=["gaussian-1d-rho0.5"], ns=[64], seeds=4,
              progress=False)  # fmt: skip
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        joined = calibrate.run(**kw, backend="dask", address=cluster.scheduler_address)
        assert len(cluster.scheduler.workers) == 1  # still up: run() leaves a joined cluster
    local = calibrate.run(**kw, workers=1)
    cols = [c for c in local.columns if c != "seconds"]
    pd.testing.assert_frame_equal(local[cols], joined[cols])
