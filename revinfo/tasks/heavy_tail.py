r"""Heavy tails: (X, Y) jointly multivariate Student-t with ``df`` degrees of freedom.

(X, Y) = G / sqrt(W / nu), G ~ N(0, S), W ~ chi^2(nu), with shape matrix
:math:`S = \begin{pmatrix} I & \rho I \\ \rho I & I \end{pmatrix}` (each x_i paired with y_i).
The marginals of a multivariate t are multivariate t with the same nu and the
corresponding block of S, so

.. math:: I(X;Y) = h(X) + h(Y) - h(X, Y)
          = 2 c_d - c_{2d} - \tfrac d2 \log(1 - \rho^2),

with the multivariate-t entropy
:math:`c_k = -\log\Gamma(\tfrac{\nu+k}2) + \log\Gamma(\tfrac\nu2) + \tfrac k2\log(\nu\pi)
+ \tfrac{\nu+k}2[\psi(\tfrac{\nu+k}2) - \psi(\tfrac\nu2)] + \tfrac12\log\det S`
(docs/references.md). I > 0 even at rho = 0: X and Y share the chi-square W.
"""

from __future__ import annotations

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks._common import fmt
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

# (d, df, rho)
GRID = ((1, 1.0, 0.0), (1, 3.0, 0.0), (1, 3.0, 0.8), (2, 3.0, 0.0), (2, 3.0, 0.8),
        (5, 3.0, 0.5), (5, 5.0, 0.0), (10, 3.0, 0.5))
TAGS = ("heavy-tail", "student-t", "closed-form", "log-ratio")


def name(d: int, df: float, rho: float) -> str:
    base = f"student-t-d{d}-df{fmt(df)}"
    return base if rho == 0.0 else f"{base}-rho{fmt(rho)}"


def shape_matrix(d: int, rho: float) -> np.ndarray:
    eye = np.eye(d)
    return np.block([[eye, rho * eye], [rho * eye, eye]])


def mi_student_t(d: int, df: float, rho: float) -> float:
    """h(X) + h(Y) - h(X, Y) from :func:`revinfo.dist.multivariate_t` entropies."""
    from revinfo import dist

    s = shape_matrix(d, rho)
    h = [float(dist.multivariate_t(df, m).entropy()) for m in (s[:d, :d], s[d:, d:], s)]
    return h[0] + h[1] - h[2]


def student_t_task(d: int, df: float, rho: float) -> Task:
    s = shape_matrix(d, rho)
    chol = np.linalg.cholesky(s)

    def sampler(n: int, rng: np.random.Generator):
        g = rng.standard_normal((n, 2 * d)) @ chol.T
        t = g / np.sqrt(rng.chisquare(df, size=(n, 1)) / df)
        return t[:, :d], t[:, d:]

    def log_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        import torch

        from revinfo import dist

        joint = dist.multivariate_t(df, s)
        mx, my = dist.multivariate_t(df, s[:d, :d]), dist.multivariate_t(df, s[d:, d:])
        tx, ty = torch.from_numpy(np.asarray(x, float)), torch.from_numpy(np.asarray(y, float))
        lead = torch.broadcast_shapes(tx.shape[:-1], ty.shape[:-1])
        xy = torch.cat([tx.expand(*lead, d), ty.expand(*lead, d)], -1)
        return (joint.log_prob(xy) - mx.log_prob(tx) - my.log_prob(ty)).numpy()

    corr = "identity shape" if rho == 0.0 else f"x_i, y_i shape correlation {fmt(rho)}"
    return Task(
        name=name(d, df, rho),
        description=f"multivariate Student-t pair in R^{d} x R^{d}, df {fmt(df)}, {corr}",
        dims=(d, d),
        sampler=sampler,
        truth_fn=lambda: Estimate(mi_student_t(d, df, rho), None,
                                  "closed-form multivariate-t entropies"),
        tags=TAGS,
        log_ratio=log_ratio,
        cheap_truth=True,
    )


for _d, _df, _r in GRID:
    register(name(_d, _df, _r), lambda d=_d, df=_df, r=_r: student_t_task(d, df, r), TAGS)
