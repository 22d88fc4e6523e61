"""Sweep files: a TOML ``[sweep]`` table, validated in full before any work starts.

Example file::

    [sweep]
    tasks = ["gaussian-1d-rho0.5", "gaussian-1d-rho0.9"]
    estimators = ["mi_gaussian", "mi_ksg", { name = "mi_ksg", k = 5 }]
    ns = [200, 1000]
    seeds = 5              # seeds 0..4, or a list such as [0, 7, 11]
    backend = "local"      # or "dask"
    workers = 2            # optional (default: all cores)
    # address = "tcp://scheduler:8786"   # dask only
    # store = "rows.jsonl"               # resumable row store, relative to this file
    # out = "report"                     # report folder, relative to this file

An estimator is a registered name (:data:`revinfo.registry.ESTIMATORS`), a
``"package.module:function"`` reference, or a table with ``name`` and its options (``{ name = "mi_binned", bins = 16 }``; ``[[sweep.estimators]]`` tables
work too). ``revinfo calibrate --config sweep.toml`` is ``load(path).run()`` followed by
:func:`revinfo.report.write`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from revinfo.calibrate import backends
from revinfo.calibrate.grid import Grid, make_grid

KEYS = ("tasks", "estimators", "ns", "seeds", "backend", "workers", "address", "store", "out")
REQUIRED = ("tasks", "estimators", "ns", "seeds")


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file. ``run()`` runs it; ``kwargs()`` are the arguments of
    :func:`revinfo.calibrate.run`."""

    path: Path
    tasks: list[str]
    estimators: list[str | tuple[str, dict[str, Any]]]
    ns: list[int]
    seeds: int | list[int]
    backend: str = "local"
    workers: int | None = None
    address: str | None = None
    store: Path | None = None
    out: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    grid: Grid | None = field(default=None, repr=False, compare=False)

    def kwargs(self) -> dict[str, Any]:
        return {
            "estimators": self.estimators,
            "tasks": self.tasks,
            "ns": self.ns,
            "seeds": self.seeds,
            "store": self.store,
            "backend": self.backend,
            "workers": self.workers,
            "address": self.address,
        }

    def run(self, **overrides: Any) -> pd.DataFrame:
        """:func:`revinfo.calibrate.run` with this file's settings (``overrides`` win,
        e.g. ``progress=False``)."""
        from revinfo.calibrate.sweep import run

        kwargs = {**self.kwargs(), **overrides}
        if self.grid is not None:  # validated once, by load()
            for key in ("estimators", "tasks", "ns", "seeds"):
                del kwargs[key]
            return run(self.grid, **kwargs)
        return run(**kwargs)


def load(path: str | os.PathLike[str]) -> Sweep:
    """Parse and validate a sweep file.

    Raises:
        ValueError: naming the file and the entry: malformed TOML (with its line), a
            missing or unknown key, an unknown task or estimator, options that do not fit
            an estimator, n < 2, bad seeds, an unknown backend.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as err:
        raise ValueError(f"sweep file {str(p)!r} cannot be read: {err}") from err
    try:
        return parse(text, base=p.parent, source=str(p))
    except ValueError as err:
        raise ValueError(f"{p}: {err}") from err


def parse(text: str, *, base: str | os.PathLike[str] = ".", source: str = "<string>") -> Sweep:
    """Like :func:`load`, from the text of a sweep file (relative paths against ``base``)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:  # its message carries "(at line L, column C)"
        raise ValueError(f"malformed TOML: {err}") from err
    extra = sorted(set(doc) - {"sweep"})
    if extra:
        raise ValueError(f"unknown table or key {extra[0]!r}; a sweep file has one [sweep] table")
    if "sweep" not in doc or not isinstance(doc["sweep"], dict):
        raise ValueError("missing the [sweep] table")
    sw = doc["sweep"]
    unknown = sorted(set(sw) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown key sweep.{unknown[0]}; expected keys among {list(KEYS)}")
    missing = [k for k in REQUIRED if k not in sw]
    if missing:
        raise ValueError(f"missing key sweep.{missing[0]}")

    tasks = _list_of(sw["tasks"], str, "sweep.tasks", "task names")
    entries = _list(sw["estimators"], "sweep.estimators")
    estimators = [_estimator(e, i) for i, e in enumerate(entries)]
    ns = sw["ns"]
    if isinstance(ns, list):
        ns = _list_of(ns, int, "sweep.ns", "integers")
    seeds = sw["seeds"]
    backend = sw.get("backend", "local")
    workers = sw.get("workers")
    address = sw.get("address")
    root = Path(base)
    store = _path(sw.get("store"), root, "sweep.store")
    out = _path(sw.get("out"), root, "sweep.out")

    grid = make_grid(estimators, tasks, ns, seeds)  # every name and number, before any work
    backends.check(backend, workers, address)
    return Sweep(
        path=Path(source), tasks=tasks, estimators=estimators, ns=ns, seeds=seeds,
        backend=backend, workers=workers, address=address, store=store, out=out, raw=doc,
        grid=grid,
    )  # fmt: skip


def _list(value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list, got {value!r}")
    if not value:
        raise ValueError(f"{key} is empty; give at least one entry")
    return value


def _list_of(value: Any, kind: type, key: str, what: str) -> list[Any]:
    items = _list(value, key)
    for item in items:
        if not isinstance(item, kind) or isinstance(item, bool):
            raise ValueError(f"{key} entry {item!r}: expected {what}")
    return items


def _estimator(entry: Any, i: int) -> str | tuple[str, dict[str, Any]]:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        name = entry.get("name")
        if not isinstance(name, str):
            raise ValueError(
                f"sweep.estimators entry {i} {entry!r}: a table needs name = \"<estimator>\""
            )
        options = {k: v for k, v in entry.items() if k != "name"}
        return (name, options) if options else name
    raise ValueError(
        f"sweep.estimators entry {i} {entry!r}: expected a name or a table with name and options"
    )


def _path(value: Any, root: Path, key: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a path string, got {value!r}")
    p = Path(value)
    return p if p.is_absolute() else root / p
