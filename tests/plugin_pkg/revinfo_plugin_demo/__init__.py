"""A plug-in package outside revinfo: one estimator and one task, declared as entry points
(see ../pyproject.toml and ../revinfo_plugin_demo-0.1.dist-info/entry_points.txt), and one
function used only by a "module:function" reference."""

from __future__ import annotations

import math

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks import Task

RHO = 0.6


def corr_mi(x, y):
    """Gaussian I(X;Y) = -1/2 log(1 - r^2) from the sample correlation of the first columns."""
    r = np.corrcoef(x[:, 0], y[:, 0])[0, 1]
    return Estimate(float(-0.5 * math.log1p(-(r**2))), None, "plugin-corr")


corr_mi.__revinfo_meta__ = {"inputs": "xy", "quantity": "mi"}


def rank_mi(x, y):
    """The same Gaussian formula on the Spearman rank correlation (no registration at all)."""
    rx = np.argsort(np.argsort(x[:, 0]))
    ry = np.argsort(np.argsort(y[:, 0]))
    r = np.corrcoef(rx, ry)[0, 1]
    return float(-0.5 * math.log1p(-(r**2)))


def gauss_task() -> Task:
    """(X, Y) standard normal with correlation RHO: I = -1/2 log(1 - RHO^2)."""

    def sampler(n, rng):
        x = rng.standard_normal((n, 1))
        return x, RHO * x + math.sqrt(1 - RHO**2) * rng.standard_normal((n, 1))

    truth = -0.5 * math.log(1 - RHO**2)
    return Task("plugin-gauss-rho0.6", "a plug-in's Gaussian pair, rho = 0.6", (1, 1), sampler,
                lambda: Estimate(truth, None, "closed-form"), tags=("plugin",),
                cheap_truth=True)  # fmt: skip
