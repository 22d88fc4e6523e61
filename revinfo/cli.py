"""The ``revinfo`` command line: a thin layer over the library.

Exit status: 0 on success, 2 on bad arguments, 1 when a claim does not hold.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

BASES = ("normal", "uniform", "laplace", "logistic", "student-t")


class UsageError(Exception):
    """Bad arguments: exit status 2."""


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


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


def _print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    def fmt(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.4f}" if abs(v) < 1e5 else f"{v:.4g}"
        return str(v)

    cells = [[fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))


def profile_rows(kind: str, dim: int, depth: int, base: str, n: int, seed: int) -> list[dict]:
    """Per-layer entropy profile of a built network as table rows."""
    from revinfo import exact, flows

    f = flows.build(kind, dim, depth, seed=seed)
    prof = exact.entropy_profile(_base(base, dim), f, n=n, seed=seed)
    return [
        {"layer": p.extra["layer"], "h_nats": p.value, "stderr": p.stderr,
         "layer_E_logabsdet": p.extra["layer_logabsdet"], "method": p.method}
        for p in prof
    ]


def cmd_entropy(args: argparse.Namespace) -> int:
    from revinfo import flows

    if args.flow not in flows.kinds():
        raise UsageError(f"unknown --flow {args.flow!r}; expected one of {flows.kinds()}")
    rows = profile_rows(args.flow, args.dim, args.depth, args.base, args.n, args.seed)
    if args.json:
        print(json.dumps(_jsonable({"flow": args.flow, "dim": args.dim, "depth": args.depth,
                                    "base": args.base, "n": args.n, "layers": rows}), indent=2))
    else:
        print(f"h(T_l) in nats: {args.flow} network, dim {args.dim}, depth {args.depth}, "
              f"{args.base} base, n = {args.n}")
        _print_table(rows, ["layer", "h_nats", "stderr", "layer_E_logabsdet", "method"])
    return 0


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {v}")
    return v


def _at_least_two(text: str) -> int:
    v = _positive_int(text)
    if v < 2:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2, got {v}")
    return v


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="revinfo", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("entropy", help="per-layer entropy profile of an invertible network")
    e.add_argument("--flow", required=True, help="network kind (see revinfo.flows.kinds())")
    e.add_argument("--dim", type=_positive_int, required=True)
    e.add_argument("--depth", type=_positive_int, required=True)
    e.add_argument("--base", choices=BASES, default="normal")
    e.add_argument("--n", type=_at_least_two, default=100_000, help="Monte Carlo samples")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(func=cmd_entropy)

    from revinfo import cli_calibrate, cli_commands

    cli_calibrate.add_commands(sub)
    cli_commands.add_commands(sub)
    from revinfo.plane.command import add_command as add_plane

    add_plane(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on bad arguments, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except UsageError as err:
        print(f"revinfo: error: {err}", file=sys.stderr)
        return 2
    except ValueError as err:
        print(f"revinfo: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
