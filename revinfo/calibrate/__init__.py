"""Calibration sweeps: run estimators on tasks with a known answer, one row per
(task, estimator, n, seed), on local processes or a Dask cluster, with a resumable store.

- :func:`run` — the sweep, returning a tidy :class:`pandas.DataFrame`.
- :mod:`revinfo.calibrate.config` — ``load(path)`` of a TOML sweep file.
- :mod:`revinfo.calibrate.cells` — the grid, per-cell seeds, one cell.
- :mod:`revinfo.calibrate.store` — the append-only row store.
- :mod:`revinfo.calibrate.backends` — local (joblib) and Dask execution.
"""

from revinfo.calibrate.cells import COLUMNS, CONTRACT_COLUMNS, data_seed, estimator_seed
from revinfo.calibrate.store import RowStore
from revinfo.calibrate.sweep import run

__all__ = ["COLUMNS", "CONTRACT_COLUMNS", "RowStore", "data_seed", "estimator_seed", "run"]
