"""Seeded, chunked sampling from a base distribution, pushed through a flow, in float64.

Same seed, same chunk size: the same samples bit for bit. Memory is O(chunk x d) whatever n.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import distributions as D

DEFAULT_CHUNK = 1 << 16  # measured in benchmarks/bench_exact_entropy.py (float64, CPU)


def base_chunks(
    dist: D.Distribution, n: int, seed: int | None, chunk: int = DEFAULT_CHUNK
) -> Iterator[torch.Tensor]:
    """Yield float64 samples of ``dist`` in chunks totalling ``n`` rows."""
    with torch.random.fork_rng(devices=[]):
        if seed is None:
            torch.seed()
        else:
            torch.manual_seed(seed)
        done = 0
        while done < n:
            m = min(chunk, n - done)
            yield dist.sample((m,)).to(torch.float64)
            done += m


class RunningMoments:
    """Mean and standard error of streamed per-sample values (columns tracked separately),
    with a shift by the first chunk's mean so the sum of squares does not cancel."""

    def __init__(self) -> None:
        self.n = 0
        self.shift: torch.Tensor | None = None
        self.s1: torch.Tensor | None = None
        self.s2: torch.Tensor | None = None

    def add(self, values: torch.Tensor) -> None:
        v = values.to(torch.float64)
        if v.ndim == 1:
            v = v[:, None]
        if self.shift is None:
            self.shift = v.mean(0)
            self.s1 = torch.zeros_like(self.shift)
            self.s2 = torch.zeros_like(self.shift)
        c = v - self.shift
        self.s1 += c.sum(0)
        self.s2 += (c * c).sum(0)
        self.n += v.shape[0]

    def mean(self) -> torch.Tensor:
        return self.shift + self.s1 / self.n

    def stderr(self) -> torch.Tensor:
        var = (self.s2 - self.s1 * self.s1 / self.n) / (self.n - 1)
        return torch.sqrt(var.clamp_min(0.0) / self.n)
