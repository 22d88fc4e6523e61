"""Former home of the grid, the seeds, the row schema and the worker, kept so that
``from revinfo.calibrate.cells import ...`` keeps working. The code now lives in one module
per concept:

- :mod:`revinfo.calibrate.schema` — the row schema (columns, keys, row checks);
- :mod:`revinfo.calibrate.estimators` — estimator entries, resolved through the registry, and
  which tasks each fits;
- :mod:`revinfo.calibrate.grid` — the validated :class:`Grid`, cell seeds, option probes;
- :mod:`revinfo.calibrate.worker` — one cell: :class:`Job` and :func:`run_cell`.
"""

from revinfo.calibrate.estimators import EstimatorSpec, estimator_names, resolve_estimator
from revinfo.calibrate.grid import (
    Grid,
    data_seed,
    derive_seed,
    estimator_seed,
    make_grid,
    resolve_ns,
    resolve_seeds,
    resolve_task,
)
from revinfo.calibrate.schema import COLUMNS, CONTRACT_COLUMNS, EXTRA_COLUMNS
from revinfo.calibrate.worker import (
    Job,
    call_estimator,
    error_of,
    run_cell,
    single_threaded,
    task_ref,
)

__all__ = [
    "COLUMNS", "CONTRACT_COLUMNS", "EXTRA_COLUMNS", "EstimatorSpec", "Grid", "Job",
    "call_estimator", "data_seed", "derive_seed", "error_of", "estimator_names",
    "estimator_seed", "make_grid", "resolve_estimator", "resolve_ns", "resolve_seeds",
    "resolve_task", "run_cell", "single_threaded", "task_ref",
]  # fmt: skip
