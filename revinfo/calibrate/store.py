"""An append-only row store: one JSON object per line.

Why a row is never half-lost, nor lost once written:

- Each row is encoded to one ``bytes`` line ending in ``\\n`` and handed to the kernel in a
  single ``os.write`` on a file descriptor opened with ``O_APPEND``: the kernel moves to
  the end of the file and writes in one step, so a line never lands in the middle of
  another. Once ``os.write`` returns, the bytes are in the kernel's page cache and survive
  the death of the process (kill -9 included); ``os.fsync`` after each row also carries
  them through an OS crash or power loss.
- A process killed *during* a write may leave a torn last line (Linux can end a
  regular-file write early when a fatal signal is pending). Every complete line ends in
  ``\\n`` and parses as JSON; a last line that does not is a row that never finished and
  is ignored on read (and reported), and cut off before the next append so no later row is
  glued to it.
- One writer at a time: the appender holds an exclusive ``flock`` on the file (released by
  the kernel if the process dies), so two sweeps cannot interleave on one store; the second
  gets :class:`StoreLocked`.
- A damaged line (not JSON, or a row that breaks the schema of
  :mod:`revinfo.calibrate.schema`, e.g. edited by hand) is skipped with a warning naming its
  line number; every intact row is kept, and a rerun recomputes only the missing cells.
- Duplicate keys (possible only if a file was edited by hand) keep the first intact row.
"""

from __future__ import annotations

import fcntl
import json
import os
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from revinfo.calibrate.schema import Key, key_problem, row_key, row_problem

__all__ = ["Key", "RowStore", "StoreLocked", "row_key"]


class StoreLocked(RuntimeError):
    """The store is being written by another run (its ``flock`` is held)."""


def _encode(row: dict[str, Any]) -> bytes:
    # Python's json writes and reads back Infinity/NaN: truths can be infinite.
    text = json.dumps(row, allow_nan=True, separators=(",", ":"), default=_plain)
    return (text + "\n").encode()


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"store rows hold plain values, got {type(value).__name__}")


def _parse(line: bytes, check: Callable[[Any], str | None]) -> tuple[Any, str | None]:
    """(row, None) for a good line, (None, why) for a damaged one."""
    try:
        row = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return None, f"not a JSON row ({err})"
    problem = check(row)
    return (None, problem) if problem is not None else (row, None)


def _complete_row(line: bytes) -> dict[str, Any] | None:
    return _parse(line, key_problem)[0]


def describe(problems: list[tuple[int, str]], most: int = 3) -> str:
    """``line 3: why; line 9: why`` for the first ``most`` problems (and how many more)."""
    text = "; ".join(f"line {i}: {why}" for i, why in problems[:most])
    if len(problems) > most:
        text += f"; and {len(problems) - most} more"
    return text


class RowStore:
    """Rows of a sweep in a JSON-lines file. ``read()`` any time; ``with store:`` to append.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "rows.jsonl")
        >>> with RowStore(path) as st:
        ...     st.append({"task": "t", "estimator": "e", "n": 10, "seed": 0})
        >>> [r["n"] for r in RowStore(path).read()]
        [10]
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_file():
            raise ValueError(f"store {str(self.path)!r} exists and is not a file")
        self._fd: int | None = None
        #: (line number, why) of each line the last :meth:`read` skipped, or the torn last
        #: line :meth:`open` cut off.
        self.problems: list[tuple[int, str]] = []
        self._cut: list[tuple[int, str]] = []  # the torn last line open() removed

    # ------------------------------------------------------------------ reading
    def read(self, complete: bool = False, *, warn: bool = True) -> list[dict[str, Any]]:
        """All intact rows, first occurrence of each key, in file order.

        With ``complete`` a row must satisfy the whole schema
        (:func:`revinfo.calibrate.schema.check_row`: every contract column, each of its kind),
        otherwise only its key columns. Skipped lines are in :attr:`problems` and, with
        ``warn``, in one RuntimeWarning naming their line numbers. A last line without its
        newline is a write that never finished: skipped and reported as well.
        """
        self.problems = list(self._cut)
        if not self.path.exists():
            return []
        try:
            data = self.path.read_bytes()
        except OSError as err:
            raise ValueError(f"store {str(self.path)!r} cannot be read: {err}") from err
        check = row_problem if complete else key_problem
        lines = data.split(b"\n")
        tail = lines.pop()  # b"" when the file ends in a newline, else a torn line
        rows: list[dict[str, Any]] = []
        seen: set[Key] = set()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            row, problem = _parse(line, check)
            if problem is not None:
                self.problems.append((number, problem))
                continue
            key = row_key(row)
            if key not in seen:
                seen.add(key)
                rows.append(row)
        if tail.strip():
            self.problems.append((len(lines) + 1, "cut off mid-line (a write that never finished)"))
        if self.problems and warn:
            warnings.warn(
                f"store {str(self.path)!r}: skipped {len(self.problems)} damaged line(s) "
                f"({describe(self.problems)}); those cells will be recomputed",
                RuntimeWarning,
                stacklevel=2,
            )
        return rows

    # ------------------------------------------------------------------ appending
    def __enter__(self) -> RowStore:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        if self._fd is not None:
            return
        created = not self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as err:
            raise ValueError(
                f"store {str(self.path)!r} cannot be opened for writing: {err.strerror or err}"
            ) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            os.close(fd)
            raise StoreLocked(
                f"store {str(self.path)!r} is being written by another run"
            ) from err
        self._fd = fd
        self._repair_tail()
        if created:  # make the new directory entry durable too
            dfd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    def _repair_tail(self) -> None:
        """Cut a torn last line (or finish one that lacks only its newline)."""
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        if size == 0:
            return
        # Read back from the end to the last newline.
        block, pos, tail = 1 << 16, size, b""
        while pos > 0:
            start = max(0, pos - block)
            chunk = os.pread(self._fd, pos - start, start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                tail = chunk[cut + 1 :] + tail
                pos = start + cut + 1
                break
            tail = chunk + tail
            pos = start
        if not tail:
            return
        if _complete_row(tail) is not None:
            self._write(b"\n")
        else:
            line = os.pread(self._fd, pos, 0).count(b"\n") + 1
            self._cut = [(line, "cut off mid-line (a write that never finished); removed")]
            os.ftruncate(self._fd, pos)
            os.fsync(self._fd)

    def _write(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:  # a short write (disk full, signal) continues: we hold the lock
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)

    def append(self, row: dict[str, Any]) -> None:
        """Append one row as one line (one ``os.write`` + ``fsync``)."""
        if self._fd is None:
            raise RuntimeError("RowStore.append outside `with store:` (call open() first)")
        self._write(_encode(row))

    def extend(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.append(row)

    def close(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
