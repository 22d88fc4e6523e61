"""The ``revinfo`` command line: a thin layer over the library.

Exit status: 0 on success, 2 on bad arguments or an expected refusal (one line on stderr),
1 when a claim does not hold.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from revinfo.cli import calibrate, entropy, listing
from revinfo.cli.output import UsageError, error, show_warning

#: Exceptions that are an expected refusal, not a bug: one line on stderr, exit status 2
#: (and :class:`revinfo.calibrate.store.StoreLocked`, see :func:`is_refusal`).
REFUSALS = (UsageError, ValueError, OSError)


def is_refusal(err: BaseException) -> bool:
    """An expected refusal: one of :data:`REFUSALS`, or a store locked by another run (checked
    without importing the calibrate package: if it was never imported, it raised nothing)."""
    store = sys.modules.get("revinfo.calibrate.store")
    return isinstance(err, REFUSALS) or (store is not None and isinstance(err, store.StoreLocked))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="revinfo", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    for module in (entropy, calibrate, listing):
        module.add_commands(sub)
    from revinfo.plane.command import add_command as add_plane  # torch-free until run

    add_plane(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (see the module docstring)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on bad arguments, 0 on --help
        return int(exc.code or 0)
    with warnings.catch_warnings():
        warnings.showwarning = show_warning  # each warning one line, no source excerpt
        if not sys.warnoptions:  # shown once per place, whatever filters the caller set
            warnings.simplefilter("default")
        try:
            return int(args.func(args))
        except Exception as err:
            if is_refusal(err):
                return error(err)
            raise
        except KeyboardInterrupt:
            print("revinfo: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":
    sys.exit(main())
