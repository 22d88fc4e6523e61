"""Name -> Task lookup over :data:`revinfo.registry.TASKS`.

Task families register zero-argument factories with :func:`revinfo.registry.task` (or
:func:`register`); nothing heavier than a closure is made until :func:`get` builds a task.
A ``"package.module:factory"`` reference works wherever a name does, and packages plug in
through the ``revinfo.tasks`` entry-point group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from revinfo.registry import TASKS
from revinfo.tasks.base import Task

_ALIASES: dict[str, str] = {}
_CACHE: dict[str, Task] = {}


def register(name: str, factory: Callable[[], Task], tags: tuple[str, ...] = ()) -> None:
    """Register a task factory under ``name`` (built lazily on first ``get``).

    ``tags`` are the task's tags, known without building it (used by :func:`names`).
    """
    if name in _ALIASES:
        raise ValueError(f"task {name!r} is already registered")
    TASKS.register(name, factory, tags=tuple(tags))


def alias(old: str, new: str) -> None:
    """Keep a former name working: ``get(old)`` is task ``new`` under the name ``old``.

    Aliases are not listed by :func:`names`."""
    if old in _ALIASES or old in TASKS.names():
        raise ValueError(f"task {old!r} is already registered")
    _ALIASES[old] = new


def tags() -> list[str]:
    """Every tag some registered task carries, sorted."""
    return sorted({t for e in TASKS.entries() for t in e.meta.get("tags", ())})


def names(tag: str | None = None) -> list[str]:
    """All registered task names, sorted; with ``tag``, only those carrying it (an unknown
    tag is a ValueError listing the known ones)."""
    if tag is None:
        return TASKS.names()
    known = tags()
    if not isinstance(tag, str) or tag not in known:
        raise ValueError(f"unknown tag {tag!r}; expected one of {known}")
    return [e.name for e in TASKS.entries() if tag in e.meta.get("tags", ())]


def get(name: str) -> Task:
    """The task registered under ``name``, or built by a ``"package.module:factory"``
    reference (built on first use, then the same object)."""
    if not isinstance(name, str):
        raise TypeError(f"task name must be a str, got {type(name).__name__}")
    if name in _CACHE:
        return _CACHE[name]
    registered = name in TASKS  # loads the built-in families, which also declare the aliases
    if not registered and name in _ALIASES:
        task = dataclasses.replace(get(_ALIASES[name]), name=name)
    else:
        try:
            entry = TASKS.entry(name)
        except ValueError:
            raise ValueError(f"unknown task {name!r}; see revinfo.tasks.names()") from None
        task = entry.obj()
        if not isinstance(task, Task):
            raise TypeError(f"task factory {name!r} returned {type(task).__name__}, not a Task")
        if task.name != entry.name:
            raise ValueError(f"factory for {name!r} built a task named {task.name!r}")
    _CACHE[name] = task
    return task
