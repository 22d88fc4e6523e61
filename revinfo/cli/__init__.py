"""The ``revinfo`` command line (entry point ``revinfo.cli:main``; ``python -m revinfo``).

- :mod:`revinfo.cli.app` — the parser and :func:`main` (exit statuses, refusals);
- :mod:`revinfo.cli.output` — the one output helper (JSON, tables, one-line errors);
- :mod:`revinfo.cli.entropy`, :mod:`revinfo.cli.calibrate`, :mod:`revinfo.cli.listing` — the
  subcommands ``entropy``; ``demo``, ``calibrate``, ``report``; ``tasks``, ``claims``.
"""

from revinfo.cli.app import build_parser, main
from revinfo.cli.output import UsageError

__all__ = ["UsageError", "build_parser", "main"]
