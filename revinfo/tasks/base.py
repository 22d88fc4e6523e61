"""The Task type: a sampler of (X, Y) pairs plus its true I(X;Y)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from revinfo import _validate
from revinfo.result import Estimate

Sampler = Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]
LogRatio = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class Task:
    """A problem with a known answer.

    Attributes:
        name: registry name.
        description: one line saying what the pair is.
        dims: (dx, dy).
        sampler: ``sampler(n, rng) -> (x, y)``, float64 arrays of shapes (n, dx), (n, dy).
        truth_fn: computes the true I(X;Y) in nats as an :class:`Estimate` (called once,
            lazily, then cached: some truths are Monte Carlo runs).
        tags: free-form labels (``"gaussian"``, ``"flow"``, ``"heavy-tail"``...).
        log_ratio: optional exact pointwise log density ratio
            ``log_ratio(x, y) = log p(x, y) / (p(x) p(y))`` for float64 arrays x (..., dx),
            y (..., dy) whose leading shapes broadcast, returning the broadcast shape:
            row-aligned (m, dx), (m, dy) give (m,); ``x[:, None]``, ``y[None]`` give the
            (m, m) matrix over all pairs. Present where the joint
            density is known in closed form (the exact critic of
            :mod:`revinfo.diagnostics`); ``None`` otherwise.
        cheap_truth: True when ``truth_fn`` is instant (a closed form, an exact count);
            False for Monte Carlo truths, which listings then leave uncomputed.
    """

    name: str
    description: str
    dims: tuple[int, int]
    sampler: Sampler = field(repr=False)
    truth_fn: Callable[[], Estimate] = field(repr=False)
    tags: tuple[str, ...] = ()
    log_ratio: LogRatio | None = field(default=None, repr=False)
    cheap_truth: bool = False

    def sample(self, n: int, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
        """Draw n pairs; same seed, same arrays."""
        n = _validate.integer(n, "n", low=1)
        x, y = self.sampler(n, _validate.rng(seed))
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    @cached_property
    def truth(self) -> Estimate:
        """The true I(X;Y) in nats (may be ``math.inf``)."""
        return self.truth_fn()
