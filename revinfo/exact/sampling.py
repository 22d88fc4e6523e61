"""Seeded, chunked sampling from a base distribution, pushed through a flow, in float64.

Same seed, same chunk size: the same samples bit for bit. Memory is O(chunk x d) whatever n.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import distributions as D

CHUNK_ELEMENTS = 1 << 18  # rows x d per chunk: measured best on float64 CPU at d = 8, 16, 64


def default_chunk(d: int) -> int:
    """Rows per chunk for d-dimensional samples: CHUNK_ELEMENTS // d (d = 8: 32768 rows,
    d = 64: 4096). Measured on this project's 2-core CPU with affine flows: d = 64, 2 threads,
    4096 rows 2.4x faster than 65536; d = 8, 2 threads, 32768 rows 1.3x faster than 65536;
    d = 8, 1 thread, n = 10^6: 16384 rows 5.00 s, 32768 5.35 s, 65536 5.38 s
    (benchmarks/bench_exact_entropy.py sweeps it)."""
    return max(1, CHUNK_ELEMENTS // d)


def base_chunks(
    dist: D.Distribution, n: int, seed: int | None, chunk: int
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
