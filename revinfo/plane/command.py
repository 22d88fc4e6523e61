"""``revinfo plane``: the argparse front of :func:`revinfo.plane.run_plane` (the CLI adds it
with one call, :func:`add_command`)."""

from __future__ import annotations

import argparse
import json


def cmd_plane(args: argparse.Namespace) -> int:
    from revinfo.plane.run import run_plane

    summary = run_plane(
        args.out, dataset=args.dataset, activations=args.activations, seeds=args.seeds,
        sigmas=args.sigmas, methods=args.methods, bins=args.bins, small=args.small,
        epochs=args.epochs, n=args.n, n_draws=args.n_draws, device=args.device,
        progress=False if args.json else None,
    )
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"information plane: {summary['rows']} rows ({summary['computed']} computed, "
              f"{summary['reused']} reused) in {summary['seconds']:.1f} s")
        for key in ("csv", "json", "figure"):
            print(f"  {key:6s} {summary[key]}")
    return 0


def add_command(sub) -> None:
    """Register ``plane`` on an argparse subparsers object."""
    from revinfo.plane.measures import METHODS

    p = sub.add_parser("plane", help="information plane of an MLP on digits, exact and estimated")
    p.add_argument("--out", required=True, help="output folder (resumable: rows there are kept)")
    p.add_argument("--dataset", choices=("digits", "clusters"), default="digits")
    p.add_argument("--activations", nargs="+", choices=("tanh", "relu"), default=["tanh", "relu"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--sigmas", nargs="+", type=float, default=[0.02, 0.1, 0.5])
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--bins", type=int, default=30, help="bins per unit for the binned method")
    p.add_argument("--small", action="store_true", help="300 rows, 8 epochs, 1000 draws")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--n", type=int, default=None, help="rows of the data set (default all)")
    p.add_argument("--n-draws", type=int, default=None, help="draws per exact value")
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", action="store_true", help="machine-readable summary")
    p.set_defaults(func=cmd_plane)
