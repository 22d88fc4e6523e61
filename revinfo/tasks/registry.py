"""Name -> Task registry. Task families register themselves on import; nothing heavier
than a closure is made until :func:`get` builds a task."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from revinfo.tasks.base import Task

_FACTORIES: dict[str, Callable[[], Task]] = {}
_TAGS: dict[str, tuple[str, ...]] = {}
_ALIASES: dict[str, str] = {}
_CACHE: dict[str, Task] = {}


def register(name: str, factory: Callable[[], Task], tags: tuple[str, ...] = ()) -> None:
    """Register a task factory under ``name`` (built lazily on first ``get``).

    ``tags`` are the task's tags, known without building it (used by :func:`names`).
    """
    if name in _FACTORIES or name in _ALIASES:
        raise ValueError(f"task {name!r} is already registered")
    _FACTORIES[name] = factory
    _TAGS[name] = tuple(tags)


def alias(old: str, new: str) -> None:
    """Keep a former name working: ``get(old)`` is task ``new`` under the name ``old``.

    Aliases are not listed by :func:`names`."""
    if old in _FACTORIES or old in _ALIASES:
        raise ValueError(f"task {old!r} is already registered")
    _ALIASES[old] = new


def _load_families() -> None:
    # Import for the side effect of registration; kept here so names() sees them all.
    from revinfo.tasks import families  # noqa: F401


def names(tag: str | None = None) -> list[str]:
    """All registered task names, sorted; with ``tag``, only those carrying it (an unknown
    tag is a ValueError listing the known ones)."""
    _load_families()
    known = sorted({t for n in _FACTORIES for t in _TAGS[n]})
    if tag is not None and (not isinstance(tag, str) or tag not in known):
        raise ValueError(f"unknown tag {tag!r}; known tags: {known}")
    return sorted(n for n in _FACTORIES if tag is None or tag in _TAGS[n])


def get(name: str) -> Task:
    """The task registered under ``name`` (built on first use, then the same object)."""
    _load_families()
    if not isinstance(name, str):
        raise TypeError(f"task name must be a str, got {type(name).__name__}")
    if name not in _FACTORIES and name not in _ALIASES:
        raise ValueError(f"unknown task {name!r}; see revinfo.tasks.names()")
    if name not in _CACHE:
        if name in _ALIASES:
            _CACHE[name] = dataclasses.replace(get(_ALIASES[name]), name=name)
        else:
            task = _FACTORIES[name]()
            if task.name != name:
                raise ValueError(f"factory for {name!r} built a task named {task.name!r}")
            _CACHE[name] = task
    return _CACHE[name]
