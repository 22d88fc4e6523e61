"""Subcommands ``tasks`` and ``claims`` (``demo``, ``calibrate``, ``report`` live in
:mod:`revinfo.cli_calibrate`; ``entropy`` in :mod:`revinfo.cli`)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this module's subcommands."""
