"""When the plane's progress bars show."""

from __future__ import annotations

import sys


def bar_disabled(progress: bool | None) -> bool:
    """tqdm's ``disable``: off with progress=False; by default on only when stderr is a tty."""
    return (not sys.stderr.isatty()) if progress is None else not progress
