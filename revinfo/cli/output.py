"""The one output helper of the command line: JSON, plain tables, one-line errors and warnings.

Every command prints through these, so ``--json`` output, tables and refusals look the same
everywhere. An expected refusal (:class:`UsageError`, a ValueError from the library, a store
locked by another run, an OS error on a path) is one line ``revinfo: error: ...`` on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from typing import Any, TextIO

PROG = "revinfo"


class UsageError(Exception):
    """Bad arguments: exit status 2."""


def jsonable(x: Any) -> Any:
    """``x`` with non-finite floats as strings ("inf", "nan"), for strict JSON."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    return x


def print_json(obj: Any) -> None:
    """``obj`` as indented strict JSON on stdout."""
    print(json.dumps(jsonable(obj), indent=2, allow_nan=False))


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 1e5 else f"{v:.4g}"
    return str(v)


def print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """Right-aligned columns with a header line; floats to 4 decimals, None as '-'."""
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))


def one_line(text: Any) -> str:
    """A message on one line (line breaks become '; ')."""
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


def error(message: Any, stream: TextIO | None = None) -> int:
    """Print ``revinfo: error: message`` (one line) on stderr; returns exit status 2."""
    print(f"{PROG}: error: {one_line(message)}", file=stream or sys.stderr)
    return 2


def show_warning(message: Any, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None) -> None:  # fmt: skip
    """``warnings.showwarning`` for the command line: ``revinfo: warning: message``."""
    print(f"{PROG}: warning: {one_line(message)}", file=file or sys.stderr)

