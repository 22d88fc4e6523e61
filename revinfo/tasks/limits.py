"""Which estimators run on which tasks: the dimension rule for high-dimensional inputs.

The rule (the calibration grid and users consult :func:`unsupported`; estimators themselves
accept any shape): an estimator listed in :data:`MAX_DIM` is not run on a task whose larger
variable has more than ``MAX_DIM[estimator]`` dimensions, and the reason is reported instead
of a number. Tasks with max(dx, dy) > :data:`HIGH_DIM` carry the tag ``"high-dim"``
(Gaussian pairs from 128 + 128 to 512 + 512, 128-D flows, 16x16 and 32x32 images).

Why, measured here (2-core CPU under load, n = 2000 image pairs, truth 1.02 and 1.53 nats):

* ``mi_binned`` / ``entropy_binned``: a grid of b bins per coordinate has b^d cells; once
  they outnumber the samples every sample sits in its own cell and the plug-in estimate is
  log n whatever the dependence (bins = 8: 7.47 on 16x16 images and 7.60 = log 2000 on
  32x32). Limit 4 per variable (8^4 = 4096 cells).
* ``mi_ksg`` / ``entropy_knn``: k-d tree queries degrade to brute force, O(n^2 d): 31 s for
  256-D and 142 s for 1024-D at n = 2000 (values 0.92 and 0.99), and k-NN distances
  concentrate as d grows. Limit 64 per variable (the largest flow-channel task here).

Estimators not listed (``mi_gaussian``, ``mi_neural``, ...) have no dimension rule; note that
``mi_gaussian`` refuses image samples with a clear error (their pixel covariance is
singular: the images lie on a k-dimensional manifold).
"""

from __future__ import annotations

from revinfo.tasks.base import Task

HIGH_DIM = 64
MAX_DIM: dict[str, int] = {
    "mi_binned": 4, "entropy_binned": 4, "mi_ksg": HIGH_DIM, "entropy_knn": HIGH_DIM,
}


def unsupported(estimator: str, task: Task) -> str | None:
    """Why ``estimator`` (a :mod:`revinfo.estimate` name) is not run on ``task``, or None."""
    if not isinstance(estimator, str):
        raise TypeError(f"estimator must be an estimator name (str), got "
                        f"{type(estimator).__name__}")
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task, got {type(task).__name__}")
    limit = MAX_DIM.get(estimator)
    d = max(task.dims[:2])
    if limit is None or d <= limit:
        return None
    return (f"{estimator} is not run on {task.name!r}: its variables have up to {d} dimensions, "
            f"above the limit {limit} of revinfo.tasks.limits.MAX_DIM (see that module for why)")
