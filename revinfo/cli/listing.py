"""``revinfo tasks`` and ``revinfo claims``: listings of the registered tasks and claims."""

from __future__ import annotations

import argparse
import json
import math

from revinfo.cli.output import UsageError, jsonable, print_table


def _truth_cell(task, compute: bool) -> dict:
    """The truth of a task for the listing; Monte Carlo truths only when ``compute``."""
    if not (compute or task.cheap_truth):
        return {"truth": None, "truth_stderr": None, "truth_method": None, "truth_text": "lazy"}
    t = task.truth
    if math.isinf(t.value):
        text = "inf" if t.value > 0 else "-inf"
    elif t.stderr is None:
        text = f"{t.value:.4f}"
    else:
        text = f"{t.value:.4f} ± {t.stderr:.2g}"
    return {"truth": t.value, "truth_stderr": t.stderr, "truth_method": t.method,
            "truth_text": text}


def cmd_tasks(args: argparse.Namespace) -> int:
    """``revinfo tasks``: name, dims, truth and description of the registered tasks."""
    from fnmatch import fnmatchcase

    from revinfo import tasks

    names = tasks.names(args.tag)
    if args.patterns:
        names = [n for n in names if any(fnmatchcase(n, p) for p in args.patterns)]
    if not names:
        what = f"tag {args.tag!r}" if args.tag else "the given names"
        raise ValueError(f"no task matches {what}; see `revinfo tasks` for the list")
    from revinfo.tasks.pmi import pmi_variance_closed_form

    rows = []
    for name in names:
        task = tasks.get(name)
        rows.append({"name": name, "dims": list(task.dims), **_truth_cell(task, args.truths),
                     "pmi_variance": pmi_variance_closed_form(name),
                     "cheap_truth": task.cheap_truth, "tags": list(task.tags),
                     "description": task.description})
    if args.json:
        for r in rows:
            r.pop("truth_text")
        print(json.dumps(jsonable(rows), indent=2))
        return 0
    var = [("-" if r["pmi_variance"] is None else f"{r['pmi_variance']:.4g}") for r in rows]
    table = [(r["name"], "x".join(map(str, r["dims"])), r["truth_text"], v, r["description"])
             for r, v in zip(rows, var)]
    header = ("name", "dims", "truth (nats)", "var(pmi)", "description")
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header[:4])]
    for line in [header, *table]:
        print("  ".join([line[0].ljust(widths[0]), *(line[i].rjust(widths[i]) for i in (1, 2, 3)),
                         line[4]]))
    print("var(pmi): closed form where known (Gaussian pairs, their pushes, images), else -; "
          "`revinfo pmi TASK` estimates it for any task with an exact PMI")
    if not args.truths and any(r["truth_text"] == "lazy" for r in rows):
        print("lazy: a Monte Carlo truth, not computed here; pass --truths to compute it")
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    """Run theory claims; exit 1 if one does not hold, 2 for an unknown name."""
    from revinfo import claims

    unknown = [n for n in args.names if n not in claims.names()]
    if unknown:
        raise UsageError(f"unknown claim(s) {unknown}; expected names from {claims.names()}")
    results = claims.run(args.names or None, seed=args.seed)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2, allow_nan=False))
    else:
        rows = [{"claim": r.name, "kind": r.kind, "holds": "yes" if r.holds else "NO",
                 "seconds": r.seconds, "key numbers": _key_numbers(r.evidence)}
                for r in results]
        print_table(rows, ["claim", "kind", "holds", "seconds", "key numbers"])
    return 0 if all(r.holds for r in results) else 1


def _key_numbers(evidence: dict, most: int = 4) -> str:
    """The first few scalar numbers of a claim's evidence, for the table."""
    parts = []
    for k, v in evidence.items():
        if isinstance(v, float) and not isinstance(v, bool):
            parts.append(f"{k}={v:.4g}")
        if len(parts) == most:
            break
    return ", ".join(parts)


def cmd_pmi(args: argparse.Namespace) -> int:
    """``revinfo pmi TASK``: the exact pointwise-MI profile (logic in revinfo.tasks.pmi)."""
    from revinfo.tasks.pmi import pmi_command

    out = pmi_command(args.task, n=args.n, seed=args.seed, png=args.png)
    if args.json:
        print(json.dumps(jsonable(out), indent=2))
        return 0
    m = out["mean"]
    print(f"{out['task']}: n = {out['n']}, seed {out['seed']}")
    print(f"  truth I           {out['truth']:.6g} nats")
    print(f"  mean pmi          {m['value']:.6g} ± {m['stderr']:.2g} nats")
    print(f"  var(pmi)          {out['variance']:.6g} nats^2 (sd {out['sd']:.4g})")
    print("  quantiles         " + ", ".join(f"{q}: {v:.4g}" for q, v in out["quantiles"].items()))
    print(f"  e^I               {out['e_to_truth']:.4g} samples to certify I "
          "(McAllester & Stratos 2020)")
    print(f"  var / 0.01^2      {out['samples_for_0_01']:.4g} samples for a 0.01-nat stderr")
    if out["png"]:
        print(f"  histogram         {out['png']}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this module's subcommands."""
    t = sub.add_parser("tasks", help="list the ground-truth tasks with their true I(X;Y)")
    t.add_argument("patterns", nargs="*", help="only names matching these globs (e.g. 'noisy-*')")
    t.add_argument("--tag", help="only tasks with this tag (e.g. gaussian, flow, noisy-channel)")
    t.add_argument("--truths", action="store_true",
                   help="also compute Monte Carlo truths (slow; otherwise shown as 'lazy')")
    t.add_argument("--json", action="store_true", help="machine-readable output")
    t.set_defaults(func=cmd_tasks)

    m = sub.add_parser("pmi", help="exact pointwise-MI profile of a task (mean, variance, e^I)")
    m.add_argument("task", help="task name with an exact log density ratio")
    m.add_argument("--n", type=int, default=100_000, help="joint samples")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--png", help="write the histogram to this PNG")
    m.add_argument("--json", action="store_true", help="machine-readable output")
    m.set_defaults(func=cmd_pmi)

    c = sub.add_parser("claims", help="run theory claims as executable checks")
    c.add_argument("names", nargs="*", metavar="NAME", help="claims to run (default: all)")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.add_argument("--seed", type=int, default=0)
    c.set_defaults(func=cmd_claims)
