"""Name -> Task registry. Task families register themselves on import."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks.base import Task

_FACTORIES: dict[str, Callable[[], Task]] = {}
_CACHE: dict[str, Task] = {}


def register(name: str, factory: Callable[[], Task]) -> None:
    """Register a task factory under ``name`` (built lazily on first ``get``)."""
    if name in _FACTORIES:
        raise ValueError(f"task {name!r} is already registered")
    _FACTORIES[name] = factory


def _load_families() -> None:
    # Import for the side effect of registration; kept here so names() sees them all.
    from revinfo.tasks import families  # noqa: F401


def names() -> list[str]:
    """All registered task names, sorted."""
    _load_families()
    return sorted(_FACTORIES)


def get(name: str) -> Task:
    """The task registered under ``name``."""
    _load_families()
    if not isinstance(name, str):
        raise TypeError(f"task name must be a str, got {type(name).__name__}")
    if name not in _FACTORIES:
        raise ValueError(f"unknown task {name!r}; see revinfo.tasks.names()")
    if name not in _CACHE:
        _CACHE[name] = _FACTORIES[name]()
    return _CACHE[name]
