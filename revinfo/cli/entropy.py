"""``revinfo entropy``: the per-layer entropy profile of a built invertible network."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from revinfo.cli.args import at_least_two, positive_int
from revinfo.cli.output import UsageError, print_json, print_table

BASES = ("normal", "uniform", "laplace", "logistic", "student-t")


def _base(name: str, dim: int):
    from revinfo import dist

    makers: dict[str, Callable[[], Any]] = {
        "normal": lambda: dist.standard_normal(dim),
        "uniform": lambda: dist.uniform([-1.0] * dim, [1.0] * dim),
        "laplace": lambda: dist.laplace(dim),
        "logistic": lambda: dist.logistic(dim),
        "student-t": lambda: dist.student_t(dim, 5.0),
    }
    return makers[name]()


def profile_rows(kind: str, dim: int, depth: int, base: str, n: int, seed: int) -> list[dict]:
    """Per-layer entropy profile of a built network as table rows."""
    from revinfo import exact, flows

    f = flows.build(kind, dim, depth, seed=seed)
    prof = exact.entropy_profile(_base(base, dim), f, n=n, seed=seed)
    return [
        {"layer": p.extra["layer"], "h_nats": p.value, "stderr": p.stderr,
         "layer_E_logabsdet": p.extra["layer_logabsdet"], "method": p.method}
        for p in prof
    ]  # fmt: skip


def cmd_entropy(args: argparse.Namespace) -> int:
    from revinfo import flows

    if args.flow not in flows.kinds():
        raise UsageError(f"unknown --flow {args.flow!r}; expected one of {flows.kinds()}")
    rows = profile_rows(args.flow, args.dim, args.depth, args.base, args.n, args.seed)
    if args.json:
        print_json({"flow": args.flow, "dim": args.dim, "depth": args.depth,
                    "base": args.base, "n": args.n, "layers": rows})  # fmt: skip
    else:
        print(f"h(T_l) in nats: {args.flow} network, dim {args.dim}, depth {args.depth}, "
              f"{args.base} base, n = {args.n}")
        print_table(rows, ["layer", "h_nats", "stderr", "layer_E_logabsdet", "method"])
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``entropy``."""
    e = sub.add_parser("entropy", help="per-layer entropy profile of an invertible network")
    e.add_argument("--flow", required=True, help="network kind (see revinfo.flows.kinds())")
    e.add_argument("--dim", type=positive_int, required=True)
    e.add_argument("--depth", type=positive_int, required=True)
    e.add_argument("--base", choices=BASES, default="normal")
    e.add_argument("--n", type=at_least_two, default=100_000, help="Monte Carlo samples")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(func=cmd_entropy)
