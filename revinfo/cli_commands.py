"""Subcommands beyond ``entropy``: demo, tasks, claims, calibrate, report."""

from __future__ import annotations

import argparse


def cmd_demo(args: argparse.Namespace) -> int:
    from revinfo.cli import _print_table, profile_rows

    rows = profile_rows("affine", 4, 6, "normal", 50_000, 0)
    print("Entropy profile of a 6-layer affine-coupling network on N(0, I_4) (nats):")
    _print_table(rows, ["layer", "h_nats", "stderr", "layer_E_logabsdet", "method"])
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("demo", help="a small calibration on built-in defaults, with a report")
    d.add_argument("--out", default="revinfo-report", help="report folder")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_demo)
