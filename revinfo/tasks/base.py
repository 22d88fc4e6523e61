"""The Task type: a sampler of (X, Y) pairs plus its true I(X;Y)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from revinfo import _validate
from revinfo.result import Estimate

Sampler = Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]


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
    """

    name: str
    description: str
    dims: tuple[int, int]
    sampler: Sampler = field(repr=False)
    truth_fn: Callable[[], Estimate] = field(repr=False)
    tags: tuple[str, ...] = ()

    def sample(self, n: int, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
        """Draw n pairs; same seed, same arrays."""
        n = _validate.integer(n, "n", low=1)
        x, y = self.sampler(n, _validate.rng(seed))
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    @cached_property
    def truth(self) -> Estimate:
        """The true I(X;Y) in nats (may be ``math.inf``)."""
        return self.truth_fn()
