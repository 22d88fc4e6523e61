"""Argument types shared by the subcommands."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """An integer >= 1 (argparse ``type=``)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {v}")
    return v


def at_least_two(text: str) -> int:
    """An integer >= 2 (argparse ``type=``)."""
    v = positive_int(text)
    if v < 2:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2, got {v}")
    return v
