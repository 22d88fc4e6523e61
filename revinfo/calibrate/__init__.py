"""Calibration sweeps: run estimators on tasks with a known answer, one row per
(task, estimator, n, seed), on local processes or a Dask cluster, with a resumable store.

- :func:`run` — the sweep, returning a tidy :class:`pandas.DataFrame`.
- :func:`make_grid` — validate a sweep once into a :class:`Grid` that :func:`run` takes.
- :mod:`revinfo.calibrate.config` — ``load(path)`` of a TOML sweep file.
- :mod:`revinfo.calibrate.schema` — the row schema (columns, keys, row checks).
- :mod:`revinfo.calibrate.estimators` — estimator entries and which tasks each fits.
- :mod:`revinfo.calibrate.grid` — the grid, per-cell seeds, option probes.
- :mod:`revinfo.calibrate.worker` — one cell.
- :mod:`revinfo.calibrate.store` — the append-only row store.
- :mod:`revinfo.calibrate.backends` — local (joblib) and Dask execution.
"""

from revinfo.calibrate.grid import Grid, data_seed, estimator_seed, make_grid
from revinfo.calibrate.schema import COLUMNS, CONTRACT_COLUMNS
from revinfo.calibrate.store import RowStore, StoreLocked
from revinfo.calibrate.sweep import run

__all__ = [
    "COLUMNS", "CONTRACT_COLUMNS", "Grid", "RowStore", "StoreLocked", "data_seed",
    "estimator_seed", "make_grid", "run",
]  # fmt: skip
