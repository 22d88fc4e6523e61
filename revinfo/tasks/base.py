"""The Task type: a sampler of (X, Y) pairs plus its true I(X;Y)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from revinfo import _validate
from revinfo.result import Estimate

Sampler = Callable[[int, np.random.Generator], tuple[np.ndarray, ...]]
LogRatio = Callable[[np.ndarray, np.ndarray], np.ndarray]
Channel = Callable[[int, np.random.Generator], tuple[np.ndarray, float]]


@dataclass(frozen=True, eq=False)
class Task:
    """A problem with a known answer.

    Attributes:
        name: registry name.
        description: one line saying what the pair is.
        dims: (dx, dy), or (dx, dy, dz) for a conditional task.
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
        inputs: what :meth:`sample` returns, in the terms of :data:`revinfo.registry.INPUTS`:
            ``"xy"`` (the default) a pair whose truth is I(X;Y); ``"xyz"`` a triple whose
            truth is I(X;Y|Z) (``dims`` = (dx, dy, dz)); ``"sequence"`` a (source, target)
            pair of time series of length n whose truth is a process quantity (e.g. the
            transfer entropy). Calibration passes a task's sample to the estimators with the
            same ``inputs``.
        channel: for a noisy channel Y = Z + sigma eps (Z = f(X), eps ~ N(0, I)),
            ``channel(n, rng) -> (z, sigma)``: the noiseless Z of the same draw as ``sampler``
            with the same generator state, and the noise scale. Calibration passes it to the
            ``"z_sigma"`` estimators (``mi_noisy(z, sigma)``, ``mi_kde(z, sigma)``), whose
            target is this task's I(X;Y). ``None`` for other tasks.
    """

    name: str
    description: str
    dims: tuple[int, ...]
    sampler: Sampler = field(repr=False)
    truth_fn: Callable[[], Estimate] = field(repr=False)
    tags: tuple[str, ...] = ()
    log_ratio: LogRatio | None = field(default=None, repr=False)
    cheap_truth: bool = False
    inputs: str = "xy"
    channel: Channel | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        arity = {"xy": 2, "xyz": 3, "sequence": 2}
        if self.inputs not in arity:
            raise ValueError(f"task inputs must be one of {sorted(arity)}, got {self.inputs!r}")
        if len(self.dims) != arity[self.inputs]:
            raise ValueError(
                f"task {self.name!r}: dims {self.dims} must have {arity[self.inputs]} entries "
                f"for inputs={self.inputs!r}"
            )

    def sample(self, n: int, seed: int | None = 0) -> tuple[np.ndarray, ...]:
        """Draw n samples (n time steps for a sequence task); same seed, same arrays.

        Returns float64 arrays, one per variable (two for ``"xy"`` and ``"sequence"``, three
        for ``"xyz"``)."""
        n = _validate.integer(n, "n", low=1)
        arrays = self.sampler(n, _validate.rng(seed))
        if len(arrays) != len(self.dims):
            raise ValueError(
                f"task {self.name!r}: sampler returned {len(arrays)} arrays, expected {len(self.dims)}"
            )
        return tuple(np.asarray(a, dtype=np.float64) for a in arrays)

    def sample_channel(self, n: int, seed: int | None = 0) -> tuple[np.ndarray, float]:
        """The noiseless Z (float64, (n, dy)) of ``sample(n, seed)``'s draw and sigma, for a
        noisy-channel task (see ``channel``); ValueError for any other task."""
        if self.channel is None:
            raise ValueError(f"task {self.name!r} is not a noisy channel (it has no channel)")
        n = _validate.integer(n, "n", low=1)
        z, sigma = self.channel(n, _validate.rng(seed))
        return np.asarray(z, dtype=np.float64), float(sigma)

    @property
    def has_pmi(self) -> bool:
        """True when :meth:`pmi` is exact for this task (it has a ``log_ratio``)."""
        return self.log_ratio is not None and self.inputs == "xy"

    def pmi(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r"""Exact pointwise mutual information, one value per row, in nats:

        .. math:: \operatorname{pmi}(x, y) = \log \frac{p(x, y)}{p(x)\,p(y)},
                  \qquad I(X;Y) = \mathbb E_{p(x, y)}[\operatorname{pmi}(X, Y)]

        (Fano 1961; its spread is the difficulty of McAllester & Stratos 2020, see
        :mod:`revinfo.tasks.pmi`). Densities are with respect to the measure the task's
        variables live on (counting measure for a discrete coordinate, Lebesgue for a
        continuous one; for an image task the push-forward of the latent's), so a value can be
        ``-inf`` at a pair the joint law cannot produce.

        Args:
            x: (n, dx) float array (a 1-D array is read as dx = 1), e.g. ``task.sample(n)[0]``.
            y: (n, dy) float array with the same number of rows.

        Raises:
            ValueError: the task has no exact log density ratio (``log_ratio is None``: a
                Monte Carlo or infinite truth), is not an ``"xy"`` task, or x, y have the
                wrong shape or non-finite entries.
        """
        if not self.has_pmi:
            why = ("its joint density is not known in closed form (log_ratio is None)"
                   if self.log_ratio is None else f"its inputs are {self.inputs!r}, not 'xy'")
            raise ValueError(f"task {self.name!r} has no exact pointwise MI: {why}; tasks "
                             "with one have has_pmi (see revinfo.tasks.pmi.pmi_tasks())")
        x = _validate.samples(x, "x")
        y = _validate.samples(y, "y")
        _validate.same_length(x, y)
        for arr, d, nm in ((x, self.dims[0], "x"), (y, self.dims[1], "y")):
            if arr.shape[1] != d:
                raise ValueError(f"{nm} must have {d} columns for task {self.name!r}, "
                                 f"got shape {arr.shape}")
        out = np.asarray(self.log_ratio(x, y), dtype=np.float64)
        if out.shape != (x.shape[0],) or np.isnan(out).any():
            raise ValueError(f"task {self.name!r}: log_ratio gave shape {out.shape} or NaN for "
                             f"{x.shape[0]} rows")
        return out

    @cached_property
    def truth(self) -> Estimate:
        """The true I(X;Y) in nats (may be ``math.inf``)."""
        return self.truth_fn()
