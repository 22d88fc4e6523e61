"""``revinfo demo``, ``revinfo calibrate`` and ``revinfo report``: thin layers over
:func:`revinfo.calibrate.run` and :mod:`revinfo.report`."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from revinfo.cli.output import print_json, print_table

# The demo: a small sweep on built-in defaults (under two minutes on 2 cores). One Gaussian
# pair, the same pair through two invertible networks (same truth: MI is invariant), a
# heavy-tailed pair and a noisy channel, against the estimators people use most.
DEMO_TASKS = [
    "gaussian-d2-rho0.8-dense",
    "gaussian-d2-rho0.8-dense+affine",
    "gaussian-d2-rho0.8-dense+spline",
    "student-t-d2-df3",
    "noisy-affine-d2-sigma0.5",
]
DEMO_ESTIMATORS: list[Any] = [
    "mi_ksg",
    ("mi_ksg", {"variant": 2}),
    "mi_gaussian",
    ("mi_binned", {"bins": 8}),
]
DEMO_NS = [250, 1000, 4000]
DEMO_SEEDS = 3
SUMMARY_COLUMNS = ["task", "estimator", "n", "truth", "mean_estimate", "bias", "rmse",
                   "mean_seconds"]  # fmt: skip


def summary_rows(summary) -> list[dict[str, Any]]:
    """The rows of a report's summary at the largest n, as plain dicts."""
    largest = summary[summary["n"] == summary["n"].max()]
    cols = [c for c in SUMMARY_COLUMNS if c in largest.columns]
    return largest[cols].to_dict("records")


def _finish(df, out: Path, as_json: bool, started: float) -> int:
    from revinfo import report

    written = report.write(df, out)
    rows = summary_rows(written.summary)
    pngs = [str(written.folder / p) for p in sorted(written.plots)]
    if as_json:
        print_json({"report": str(written.folder), "plots": pngs, "summary": rows,
                    "seconds": time.perf_counter() - started})  # fmt: skip
        return 0
    print("\nAt the largest n (nats; bias = mean(estimate - truth) over seeds):")
    print_table(rows, list(rows[0]))
    print(f"\nReport written to {written.folder}/ (summary.md, results.csv, {len(pngs)} plots) "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from revinfo import calibrate

    started = time.perf_counter()
    if not args.json:
        print("revinfo demo: estimators against tasks with a known I(X;Y) "
              f"({len(DEMO_TASKS)} tasks x {len(DEMO_ESTIMATORS)} estimators x n in {DEMO_NS} "
              f"x {DEMO_SEEDS} seeds)")
    df = calibrate.run(DEMO_ESTIMATORS, DEMO_TASKS, DEMO_NS, DEMO_SEEDS,
                       workers=args.workers, progress=not args.json)  # fmt: skip
    return _finish(df, Path(args.out), args.json, started)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from revinfo.calibrate import config

    started = time.perf_counter()
    sweep = config.load(args.config)  # validated in full, once, before any work
    overrides: dict[str, Any] = {"progress": not args.json}
    if args.store:
        overrides["store"] = args.store
    if args.workers:
        overrides["workers"] = args.workers
    df = sweep.run(**overrides)
    out = Path(args.out) if args.out else (sweep.out or Path("revinfo-report"))
    return _finish(df, out, args.json, started)


def cmd_report(args: argparse.Namespace) -> int:
    from revinfo import report

    started = time.perf_counter()
    df = report.read(args.results)
    return _finish(df, Path(args.out), args.json, started)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``demo``, ``calibrate`` and ``report``."""
    d = sub.add_parser("demo", help="a small calibration on built-in defaults, with a report")
    d.add_argument("--out", default="revinfo-report", help="report folder")
    d.add_argument("--workers", type=int, default=None, help="worker processes")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.set_defaults(func=cmd_demo)

    c = sub.add_parser("calibrate", help="run a sweep file (TOML) and write its report")
    c.add_argument("--config", required=True, help="sweep TOML file")
    c.add_argument("--out", default=None, help="report folder (default: the file's `out`)")
    c.add_argument("--store", default=None, help="resumable JSON-lines row store")
    c.add_argument("--workers", type=int, default=None)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_calibrate)

    r = sub.add_parser("report", help="write a report folder from results.csv or a row store")
    r.add_argument("results", help="results.csv of an earlier report, or a sweep's store")
    r.add_argument("--out", default="revinfo-report")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_report)
