r"""Gaussian mixtures, and mixtures bent by bijections ("bend and mix").

(X, Y) is a finite Gaussian mixture on R^{dx+dy} (:class:`revinfo.exact.GaussianMixture`):
its marginals are the mixtures of the blocks, so the pointwise MI is exact everywhere and the
truth is its mean over joint samples, an exact-density Monte Carlo with stderr
(:func:`revinfo.exact.mi_gaussian_mixture`; Czyż et al. 2023, "The Mixtures and the Neural
Critics", whose benchmark-mi "X" and "AI" distributions are reproduced here from their
published parameters).

* ``mixture-x-d1-rho0.9``: two equally weighted centred components with correlation +0.9 and
  -0.9 (an X shape: uncorrelated, yet dependent).
* ``mixture-ai-d1``: six components drawing the letters "A" and "I".
* ``mixture-d2-k3``, ``mixture-d5-k4``: K components with means ~ N(0, 4 I) and random
  covariances (fixed by the task name).
* ``<mixture>+asinh``, ``+half-cube``, ``+spiral``, ``+affine``: the same mixture with the
  same fixed bijection on X and on Y, or separately seeded depth-4 affine networks. MI and
  the pointwise MI at the pulled-back points are unchanged (the Jacobians cancel, as in
  :mod:`revinfo.tasks.transformed`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revinfo.tasks._common import task_seed
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

TRUTH_N = 200_000
TAGS = ("mixture", "monte-carlo", "log-ratio")
BENDS = (("mixture-x-d1-rho0.9", "asinh"), ("mixture-x-d1-rho0.9", "half-cube"),
         ("mixture-d2-k3", "spiral"), ("mixture-d5-k4", "affine"))


def _corr2(rho: float, sx: float = 1.0, sy: float = 1.0) -> np.ndarray:
    return np.array([[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]])


def x_shape(rho: float = 0.9) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(weights, means, covs, dx) of the X-shaped mixture."""
    return np.full(2, 0.5), np.zeros((2, 2)), np.stack([_corr2(rho), _corr2(-rho)]), 1


def ai_shape() -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(weights, means, covs, dx) of the "AI" mixture of Czyż et al. 2023 (their parameters:
    three thin components for the I, three for the A)."""
    means = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, -1.0], [-0.8, -0.2], [-1.2, 0.0],
                      [-0.4, 0.0]])
    sd_x, sd_y, corr = 0.2, np.sqrt(0.2), 0.95
    covs = np.stack([np.diag([0.01, 0.2]), np.diag([0.05, 0.001]), np.diag([0.05, 0.001]),
                     np.diag([0.03, 0.001]), _corr2(corr, sd_x, sd_y), _corr2(-corr, sd_x, sd_y)])
    return np.full(6, 1 / 6), means, covs, 1


def random_mixture(d: int, k: int, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(weights, means, covs, dx = d) of K random components on R^{2d}, fixed by ``name``:
    weights ~ Dirichlet(2), means ~ N(0, 4 I), covariances A A^T / (2d) + 0.1 I with A
    standard normal (so X and Y are correlated within each component)."""
    rng = np.random.default_rng(task_seed(name))
    w = rng.dirichlet(np.full(k, 2.0))
    means = 2.0 * rng.standard_normal((k, 2 * d))
    a = rng.standard_normal((k, 2 * d, 2 * d))
    covs = a @ np.swapaxes(a, 1, 2) / (2 * d) + 0.1 * np.eye(2 * d)
    return w, means, covs, d


SHAPES = {
    "mixture-x-d1-rho0.9": lambda: x_shape(0.9),
    "mixture-ai-d1": ai_shape,
    "mixture-d2-k3": lambda: random_mixture(2, 3, "mixture-d2-k3"),
    "mixture-d5-k4": lambda: random_mixture(5, 4, "mixture-d5-k4"),
}
DESCRIPTIONS = {
    "mixture-x-d1-rho0.9": "1-D pair, X-shaped mixture of correlations +0.9 and -0.9",
    "mixture-ai-d1": "1-D pair, six-component 'AI' mixture (Czyż et al. 2023)",
    "mixture-d2-k3": "mixture of 3 random Gaussians in R^2 x R^2",
    "mixture-d5-k4": "mixture of 4 random Gaussians in R^5 x R^5",
}


def mixture_task(name: str) -> Task:
    """The registered mixture ``name`` (a key of :data:`SHAPES`)."""
    from revinfo import exact

    w, means, covs, dx = SHAPES[name]()
    mix = exact.GaussianMixture(w, means, covs)

    def sampler(n: int, rng: np.random.Generator):
        z = mix.sample(n, rng)
        return z[:, :dx], z[:, dx:]

    return Task(
        name=name, description=DESCRIPTIONS[name], dims=(dx, mix.dim - dx), sampler=sampler,
        truth_fn=lambda: exact.mi_gaussian_mixture(w, means, covs, dx, n=TRUTH_N,
                                                   seed=task_seed(name)),
        tags=TAGS, log_ratio=lambda x, y: exact.pmi_mixture(mix, dx, x, y),
    )


def _maps(which: str, d: int, name: str) -> tuple[Any, Any]:
    from revinfo.tasks.pushed import maps
    from revinfo.tasks.spiral import Spiral

    return (Spiral(), Spiral()) if which == "spiral" else maps(which, d, name)


def bent_task(base_name: str, which: str) -> Task:
    """``base_name`` with the bijection ``which`` on X and on Y (module docstring)."""
    from revinfo.tasks.pushed import push_task

    base = mixture_task(base_name)
    name = f"{base_name}+{which}"
    f, g = _maps(which, base.dims[0], name)
    return push_task(base, f, g, name,
                     f"{base.description}; {which} on X and on Y (MI unchanged)",
                     (*TAGS, "bent", which))


for _name in SHAPES:
    register(_name, lambda nm=_name: mixture_task(nm), TAGS)
for _base, _which in BENDS:
    register(f"{_base}+{_which}", lambda b=_base, w=_which: bent_task(b, w),
             (*TAGS, "bent", _which))
