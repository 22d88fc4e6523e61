"""The row schema of a calibration sweep: one row per (task, estimator, n, seed) cell.

This module is the one place that names the columns and what each holds; the worker writes
rows in this shape, the store and :func:`revinfo.report.read` check rows read back against it,
and the sweep and the report order their tables by :data:`COLUMNS`. To add a column, append a
:class:`Column` to :data:`EXTRA` (rows written before it existed read back with NaN there).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Key = tuple[str, str, int, int]
KIND_NAMES = {"str": "a string", "int": "an integer", "float": "a number",
              "text": "a string or null"}  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column: its name, its kind (``"str"``, ``"int"``, ``"float"`` or ``"text"``, a
    string or null) and whether a stored row must have it."""

    name: str
    kind: str
    required: bool = False


#: The contract's columns, in this order, first in every table; a stored row needs them all.
CONTRACT = (
    Column("task", "str", True), Column("estimator", "str", True), Column("n", "int", True),
    Column("seed", "int", True), Column("estimate", "float", True),
    Column("truth", "float", True), Column("error", "float", True),
    Column("stderr", "float", True), Column("seconds", "float", True),
)  # fmt: skip
#: Further columns; a row from before a column existed reads back with NaN (or None) there.
EXTRA = (
    Column("truth_stderr", "float"), Column("dim", "int"), Column("dx", "int"),
    Column("dy", "int"), Column("method", "str"), Column("estimator_options", "str"),
    Column("data_seed", "int"), Column("estimator_seed", "int"), Column("failure", "text"),
)  # fmt: skip
SCHEMA = CONTRACT + EXTRA
BY_NAME = {c.name: c for c in SCHEMA}
KEY_COLUMNS = ("task", "estimator", "n", "seed")

#: Column names every row has, in this order (the contract's columns first).
CONTRACT_COLUMNS = tuple(c.name for c in CONTRACT)
EXTRA_COLUMNS = tuple(c.name for c in EXTRA)
COLUMNS = CONTRACT_COLUMNS + EXTRA_COLUMNS


def _integer(value: Any) -> int | None:
    """``value`` as an int if it is an integer (an integral float counts), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _coerce(column: Column, value: Any) -> Any:
    """The value in the column's kind; ValueError saying what is wrong."""
    kind = column.kind
    if kind == "int":
        out = _integer(value)
        if out is None:
            raise ValueError(f"{column.name} = {value!r} is not an integer")
        return out
    if kind == "float":
        if value is None and not column.required:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{column.name} = {value!r} is not a number")
        return float(value)
    if kind == "text":
        if value is None or isinstance(value, str):
            return value
        raise ValueError(f"{column.name} = {value!r} is not a string or null")
    if not isinstance(value, str):
        raise ValueError(f"{column.name} = {value!r} is not a string")  # noqa: TRY004
    return value


def row_key(row: Mapping[str, Any]) -> Key:
    """``(task, estimator, n, seed)`` of a row; KeyError, TypeError or ValueError when a key
    column is missing or of the wrong kind (``n = 500.7`` is not the cell n = 500)."""
    task, est = row["task"], row["estimator"]
    if not isinstance(task, str) or not isinstance(est, str):
        raise TypeError(f"task and estimator must be strings, got {task!r}, {est!r}")
    n, seed = _integer(row["n"]), _integer(row["seed"])
    if n is None or seed is None:
        raise ValueError(f"n and seed must be integers, got n = {row['n']!r}, "
                         f"seed = {row['seed']!r}")  # fmt: skip
    return (task, est, n, seed)


def key_problem(row: Any) -> str | None:
    """Why ``row`` has no usable key (None when it has one)."""
    if not isinstance(row, dict):
        return f"expected a JSON object, got {type(row).__name__}"
    missing = [c for c in KEY_COLUMNS if c not in row]
    if missing:
        return f"missing column(s) {missing}"
    try:
        row_key(row)
    except (TypeError, ValueError) as err:
        return str(err)
    return None


def check_row(row: Any) -> dict[str, Any]:
    """A complete row in the schema's kinds (columns it lacks among :data:`EXTRA` filled with
    NaN or None, unknown columns kept as they are); ValueError saying what is wrong."""
    problem = key_problem(row)
    if problem is not None:
        raise ValueError(problem)
    missing = [c.name for c in CONTRACT if c.name not in row]
    if missing:
        raise ValueError(f"missing column(s) {missing}")
    out = dict(row)
    for column in SCHEMA:
        if column.name in row:
            out[column.name] = _coerce(column, row[column.name])
        else:
            out[column.name] = None if column.kind in ("text", "str") else math.nan
    return out


def row_problem(row: Any) -> str | None:
    """Why ``row`` is not a complete row of the schema (None when it is)."""
    try:
        check_row(row)
    except ValueError as err:
        return str(err)
    return None
