"""The seed policy: every seed revinfo derives from another seed or from a name.

Two ways to derive a seed, and nothing else anywhere in revinfo:

- :func:`spawn` (and :func:`spawn_many`): child seeds of an integer ``seed=`` argument, from
  NumPy's :class:`~numpy.random.SeedSequence` (O'Neill's seed-sequence hashing, as NumPy
  implements it): ``SeedSequence([seed, *keys]).generate_state(count)``. Different ``keys``
  give independent streams of one seed (a claim's parts, an estimator's noise stream kept
  apart from ``torch.manual_seed(seed)``); ``bits=31`` gives seeds that fit a signed 32-bit
  argument. ``seed=None`` draws fresh entropy from the OS (not reproducible, by request).
- :func:`stable` and :func:`of_name`: seeds fixed by *names*, the same on every machine, run
  and ``PYTHONHASHSEED`` (Python's salted ``hash`` never is). :func:`stable` is the SHA-256
  of the JSON of its parts (calibration cells: a data seed per (task, n, seed), an estimator
  seed per (task, estimator, n, seed)); :func:`of_name` is the CRC-32 of a task name (the
  networks and covariances of the built-in tasks, whose truths the tests pin; it stays CRC-32
  so that no task changes).

This module imports nothing of revinfo's own, so every layer may use it.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import Any

import numpy as np

_STABLE_BITS = 32  # cell seeds fit any library's seed argument (sklearn wants < 2**32)


def spawn_many(seed: int | None, count: int, *keys: int, bits: int = 32) -> tuple[int, ...]:
    """``count`` child seeds of ``seed`` for the stream ``keys`` (see the module docstring).

    ``bits`` is 32 (the words of ``generate_state``) or 31 (each word shifted right once).
    """
    if bits not in (31, 32):
        raise ValueError(f"bits must be 31 or 32, got {bits!r}")
    if seed is None:
        sequence = np.random.SeedSequence()
    else:
        sequence = np.random.SeedSequence([int(seed), *map(int, keys)] if keys else int(seed))
    words = sequence.generate_state(count)
    return tuple(int(w) >> (32 - bits) for w in words)


def spawn(seed: int | None, *keys: int, bits: int = 32) -> int:
    """One child seed of ``seed`` for the stream ``keys``; ``spawn_many(seed, 1, *keys)[0]``."""
    return spawn_many(seed, 1, *keys, bits=bits)[0]


def stable(*parts: Any) -> int:
    """A seed in [0, 2**32) from JSON-serialisable parts: the first 4 bytes (big-endian) of the
    SHA-256 of their compact, key-sorted JSON."""
    blob = json.dumps(parts, separators=(",", ":"), sort_keys=True).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[: _STABLE_BITS // 8], "big")


def of_name(name: str) -> int:
    """A seed in [0, 2**31) fixed by a name: its CRC-32 (UTF-8) with the top bit cleared."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF
