"""Small helpers shared by the task families: stable names and seeds, and pushing NumPy
arrays through torch flows in float64."""

from __future__ import annotations

from typing import Any

import numpy as np

from revinfo import seeds


def fmt(x: float) -> str:
    """A number as it appears in a task name: 0.5 -> '0.5', 1.0 -> '1', 0.03 -> '0.03'."""
    return f"{x:g}"


def task_seed(name: str) -> int:
    """A seed fixed by the task name (stable across runs and machines): :func:`revinfo.seeds.of_name`."""
    return seeds.of_name(name)


def _apply(fn: Any, a: np.ndarray) -> np.ndarray:
    import torch

    a = np.asarray(a, dtype=np.float64)
    flat = np.ascontiguousarray(a.reshape(-1, a.shape[-1]))
    with torch.no_grad():
        out, _ = fn(torch.from_numpy(flat))
    return out.numpy().astype(np.float64, copy=False).reshape(a.shape)


def push(flow: Any, a: np.ndarray) -> np.ndarray:
    """``flow(a)`` on a float64 (..., d) array, without gradients."""
    return _apply(flow, a)


def pull(flow: Any, z: np.ndarray) -> np.ndarray:
    """``flow.inverse(z)`` on a float64 (..., d) array, without gradients."""
    return _apply(flow.inverse, z)
