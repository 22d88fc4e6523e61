"""Reports of a calibration sweep: summary tables and plots from its DataFrame.

- :func:`summarize` — per task x estimator x n: bias (mean error) and its stderr across
  seeds, the sd of the estimates, RMSE, mean |error|, mean seconds, counts.
- :func:`write` — a folder with ``summary.md``, ``summary.csv``, ``results.csv`` and PNG
  plots (estimate vs truth, |error| vs n, error vs dimension, time vs n).
- :func:`read` — rows back from ``results.csv`` or a sweep's JSON-lines store.
- :func:`coverage_table`, :func:`pmi_spread_table` — interval coverage (Wilson interval),
  negative and above-log-n counts per estimator; the exact PMI spread per task (both in
  ``summary.md`` through :func:`coverage_markdown`).

All quantities are in nats; error = estimate - truth. Tasks whose truth is infinite
(deterministic layers) have an infinite error for any finite estimate: they are kept in
the tables (their mean estimate shows what an estimator reports there) and left out of
bias, RMSE and the error plots, with a note.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

GROUP = ["task", "estimator", "n"]
NEEDED = ("task", "estimator", "n", "seed", "estimate", "truth", "error", "seconds")
INF_NOTE = "truth is infinite: error infinite, left out of bias and RMSE"


def _check(df: Any) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in NEEDED if c not in df.columns]
    if missing:
        raise ValueError(f"df lacks column(s) {missing}; expected revinfo.calibrate.run output")
    if df.empty:
        raise ValueError("df has no rows")
    return df


def _sd(values: np.ndarray) -> float:
    """Sample sd; NaN for fewer than 2 values or any infinite one."""
    if len(values) < 2 or not np.all(np.isfinite(values)):
        return math.nan
    return float(values.std(ddof=1))


def _stats(g: pd.DataFrame) -> pd.Series:
    failed = g["failure"].notna() if "failure" in g else pd.Series(False, index=g.index)
    ok = g[~failed & g["estimate"].notna()]
    truth = float(g["truth"].iloc[0])
    finite = math.isfinite(truth)
    err = ok["error"].to_numpy(dtype=float)
    est = ok["estimate"].to_numpy(dtype=float)
    m = len(ok)
    out = {
        "dim": g["dim"].iloc[0] if "dim" in g else np.nan,
        "truth": truth,
        "truth_stderr": g["truth_stderr"].iloc[0] if "truth_stderr" in g else np.nan,
        "count": m,
        "failed": int(failed.sum()),
        "mean_estimate": est.mean() if m else np.nan,
        "sd": _sd(est),
        "bias": np.nan,
        "bias_stderr": np.nan,
        "rmse": np.nan,
        "mae": np.nan,
        "seconds": g["seconds"].mean(),
        "note": "",
    }
    if not finite:
        out["note"] = INF_NOTE
    elif m:
        out["bias"] = err.mean()
        out["bias_stderr"] = err.std(ddof=1) / math.sqrt(m) if m > 1 else np.nan
        out["rmse"] = math.sqrt(float(np.mean(err**2)))
        out["mae"] = float(np.mean(np.abs(err)))
    if out["failed"]:
        sep = "; " if out["note"] else ""
        out["note"] += f"{sep}{out['failed']} failed cell(s) left out"
    return pd.Series(out)


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (task, estimator, n), in the order they first appear in ``df``.

    Columns: ``dim, truth, truth_stderr, count`` (cells used), ``failed``,
    ``mean_estimate``, ``sd`` (of the estimates across seeds), ``bias`` (mean error),
    ``bias_stderr`` (sd of the error / sqrt(count)), ``rmse``, ``mae`` (mean |error|),
    ``seconds`` (mean per cell), ``note``. Nats throughout.
    """
    df = _check(df)
    summary = df.groupby(GROUP, sort=False).apply(_stats, include_groups=False)
    summary = summary.reset_index()
    summary["count"] = summary["count"].astype(int)
    summary["failed"] = summary["failed"].astype(int)
    return summary


# ------------------------------------------------------------------ markdown


def _fmt(v: Any, digits: int = 4) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}g}"


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_fmt(c) for c in row] for row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in cells]
    return "\n".join(lines)


def _pivot(summary: pd.DataFrame, value: Any) -> str:
    """Rows (task, n), one column per estimator; ``value(row) -> str | float``."""
    estimators = list(dict.fromkeys(summary["estimator"]))
    rows = []
    for (task, n), g in summary.groupby(["task", "n"], sort=False):
        by_est = {r["estimator"]: value(r) for _, r in g.iterrows()}
        rows.append([task, int(n)] + [by_est.get(e, "–") for e in estimators])
    return _md_table(["task", "n"] + estimators, rows)


def _bias_cell(r: pd.Series) -> str:
    if math.isnan(r["bias"]):
        return "–"
    return f"{_fmt(r['bias'])} ± {_fmt(r['bias_stderr'], 2)}"


def markdown(df: pd.DataFrame, summary: pd.DataFrame | None = None,
             plots: Sequence[str] = ()) -> str:  # fmt: skip
    """The text of ``summary.md``."""
    s = summarize(df) if summary is None else summary
    tasks = s.drop_duplicates("task")
    out = [
        "# revinfo calibration report",
        "",
        f"{len(df)} cells: {df['task'].nunique()} task(s) x {df['estimator'].nunique()} "
        f"estimator(s) x {df['n'].nunique()} sample size(s) x {df['seed'].nunique()} seed(s). "
        "All values in nats; error = estimate − truth; ± is the standard error of the mean "
        "across seeds.",
        "",
        "## Tasks",
        "",
        _md_table(
            ["task", "dim (dx+dy)", "truth (nats)", "truth stderr"],
            [[r["task"], r["dim"], r["truth"], r["truth_stderr"]] for _, r in tasks.iterrows()],
        ),
        "",
    ]
    sections = [
        ("Bias (mean error ± stderr, nats)", _bias_cell),
        ("Standard deviation of the estimate across seeds (nats)", lambda r: r["sd"]),
        ("RMSE (nats)", lambda r: r["rmse"]),
        ("Mean estimate (nats)", lambda r: r["mean_estimate"]),
        ("Time per cell (seconds)", lambda r: r["seconds"]),
    ]
    for title, value in sections:
        out += [f"## {title}", "", _pivot(s, value), ""]
    out += coverage_markdown(df)
    notes = s[s["note"] != ""]
    if len(notes):
        out += ["## Notes", ""]
        out += [f"- {r['task']} / {r['estimator']} / n={int(r['n'])}: {r['note']}"
                for _, r in notes.iterrows()]  # fmt: skip
        out.append("")
    if plots:
        out += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    return "\n".join(out)


# ------------------------------------------------------------------ coverage and PMI spread

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(k: int, m: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion k / m (Wilson 1927); (nan, nan) if
    m = 0."""
    if m == 0:
        return (math.nan, math.nan)
    p = k / m
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z / (1 + z * z / m) * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    return (max(0.0, centre - half), min(1.0, centre + half))


def coverage_table(df: pd.DataFrame) -> pd.DataFrame:
    r"""One row per estimator: how far its error bars and values can be trusted.

    Columns (cells with a finite truth and an estimate; failed cells left out):

    * ``cells``; ``with_stderr``: cells where the estimator reported a stderr;
    * ``covered``: cells with :math:`|\text{error}| \le 1.96 \sqrt{s^2 + s_T^2}`, s the
      estimator's stderr and :math:`s_T` the truth's (0 for exact truths), so a Monte Carlo
      truth's own uncertainty does not count against the estimator;
    * ``coverage`` = covered / with_stderr, with the 95% Wilson interval ``coverage_lo``,
      ``coverage_hi``; a calibrated 95% interval gives about 0.95. NaN without stderrs.
      (The stderr of an estimator covers its own Monte Carlo only, not the sampling of
      the data, see :class:`revinfo.Estimate`: coverage well below 0.95 says it is
      over-confident as an error bar on I.)
    * ``negative``: estimates below 0 (MI is >= 0);
    * ``above_log_n``: estimates above log n, the ceiling of the InfoNCE bound and, by
      McAllester & Stratos 2020, of any high-confidence lower bound from n samples.
    """
    df = _check(df)
    failed = df["failure"].notna() if "failure" in df else pd.Series(False, index=df.index)
    ok = df[~failed & df["estimate"].notna() & np.isfinite(df["truth"].astype(float))]
    rows = []
    for est, g in ok.groupby("estimator", sort=False):
        stderr = g["stderr"].astype(float) if "stderr" in g else pd.Series(np.nan, g.index)
        tse = (g["truth_stderr"].astype(float).fillna(0.0) if "truth_stderr" in g
               else pd.Series(0.0, g.index))
        has = stderr.notna() & np.isfinite(stderr)
        half = Z95 * np.sqrt(stderr[has] ** 2 + tse[has] ** 2)
        covered = int((g.loc[has, "error"].astype(float).abs() <= half).sum())
        m = int(has.sum())
        lo, hi = wilson_interval(covered, m)
        est_v = g["estimate"].astype(float)
        rows.append({
            "estimator": est, "cells": len(g), "with_stderr": m, "covered": covered,
            "coverage": covered / m if m else math.nan, "coverage_lo": lo, "coverage_hi": hi,
            "negative": int((est_v < 0).sum()),
            "above_log_n": int((est_v > np.log(g["n"].astype(float))).sum()),
        })
    return pd.DataFrame(rows, columns=["estimator", "cells", "with_stderr", "covered",
                                       "coverage", "coverage_lo", "coverage_hi", "negative",
                                       "above_log_n"])


def pmi_spread_table(task_names: Sequence[str], n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per task with an exact PMI (:meth:`revinfo.tasks.Task.pmi`): sd, 5% and 95% quantiles
    of the PMI over n joint samples, and e^I (McAllester & Stratos 2020: about e^I samples
    to certify I nats). Tasks that are not registered or have no exact PMI are left out.
    Cost: n PMI evaluations per task (milliseconds for closed forms; pulling 2000 samples
    back through a 128-D spline network takes seconds)."""
    from revinfo import tasks
    from revinfo.tasks.pmi import pmi_profile

    known = set(tasks.names())
    rows = []
    for name in dict.fromkeys(task_names):
        if name not in known or not tasks.get(name).has_pmi:
            continue
        prof = pmi_profile(name, n=n, seed=seed)
        rows.append({"task": name, "truth": prof.truth, "pmi_mean": prof.mean.value,
                     "pmi_sd": prof.sd, "pmi_q05": prof.quantiles[0.05],
                     "pmi_q95": prof.quantiles[0.95], "e_to_truth": prof.e_to_truth})
    return pd.DataFrame(rows, columns=["task", "truth", "pmi_mean", "pmi_sd", "pmi_q05",
                                       "pmi_q95", "e_to_truth"])


def coverage_markdown(df: pd.DataFrame) -> list[str]:
    """The report's coverage and PMI-spread sections, as markdown lines."""
    cov = coverage_table(df)

    def cell(r: pd.Series) -> str:
        if not r["with_stderr"]:
            return "– (no stderr)"
        return (f"{_fmt(r['coverage'], 3)} [{_fmt(r['coverage_lo'], 3)}, "
                f"{_fmt(r['coverage_hi'], 3)}] ({int(r['covered'])}/{int(r['with_stderr'])})")

    out = ["## Interval coverage, negative estimates, log n ceiling", "",
           ("coverage: fraction of cells with |error| <= 1.96 sqrt(stderr^2 + truth_stderr^2) "
            "[95% Wilson interval] (covered/cells with a stderr); a calibrated 95% error bar "
            "gives about 0.95. negative: estimates < 0; above log n: estimates > log n."), "",
           _md_table(["estimator", "cells", "coverage", "negative", "above log n"],
                     [[r["estimator"], int(r["cells"]), cell(r), int(r["negative"]),
                       int(r["above_log_n"])] for _, r in cov.iterrows()]), ""]
    spread = pmi_spread_table(list(df["task"].unique()))
    if len(spread):
        out += ["## PMI spread per task (exact pointwise MI, n = 2000)", "",
                "e^I: samples needed to certify I nats (McAllester & Stratos 2020).", "",
                _md_table(["task", "truth", "pmi sd", "pmi 5%", "pmi 95%", "e^I"],
                          [[r["task"], r["truth"], r["pmi_sd"], r["pmi_q05"], r["pmi_q95"],
                            r["e_to_truth"]] for _, r in spread.iterrows()]), ""]
    return out


# ------------------------------------------------------------------ plots


def _axes() -> tuple[Any, Any]:
    # A bare Figure (Agg canvas on save): no pyplot state, the user's backend untouched.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    return fig, fig.add_subplot()


def _style(i: int) -> dict[str, str]:
    return {"color": f"C{i % 10}", "marker": "osD^vPX*<>"[i % 10]}


def _finite(summary: pd.DataFrame, column: str) -> pd.DataFrame:
    return summary[np.isfinite(summary["truth"]) & summary[column].notna()]


def _at_largest_n(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows at each estimator's largest n."""
    return frame.loc[frame.groupby("estimator", sort=False)["n"].transform("max") == frame["n"]]


def _finish(fig: Any, ax: Any, path: Path, xlabel: str, ylabel: str, title: str, *,
            loglog: bool = False) -> Path:  # fmt: skip
    if loglog:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")
    fig.savefig(path, dpi=110)
    return path


def plot_estimate_vs_truth(summary: pd.DataFrame, path: Path) -> Path:
    """Mean estimate (± sd across seeds) against the truth, identity line dashed."""
    fig, ax = _axes()
    big = _at_largest_n(_finite(summary, "mean_estimate"))
    for i, (est, g) in enumerate(big.groupby("estimator", sort=False)):
        st = _style(i)
        ax.errorbar(g["truth"], g["mean_estimate"], yerr=g["sd"].fillna(0.0), fmt=st["marker"],
                    color=st["color"], ls="none", capsize=3,
                    label=f"{est} (n={int(g['n'].iloc[0])})")  # fmt: skip
    if len(big):
        lo = float(min(big["truth"].min(), big["mean_estimate"].min(), 0.0))
        hi = float(max(big["truth"].max(), big["mean_estimate"].max()))
        ax.plot([lo, hi], [lo, hi], "k--", lw=1, label="estimate = truth")
    skipped = summary.loc[~np.isfinite(summary["truth"]), "task"].nunique()
    title = "Estimate vs truth at each estimator's largest n"
    if skipped:
        title += f"\n({skipped} task(s) with infinite truth not shown)"
    return _finish(fig, ax, path, "true I(X;Y) (nats)",
                   "mean estimate ± sd across seeds (nats)", title)  # fmt: skip


def plot_error_vs_n(summary: pd.DataFrame, path: Path) -> Path:
    """Mean |error| against n on log-log axes: thin per task, thick averaged over tasks."""
    fig, ax = _axes()
    for i, (est, g) in enumerate(_finite(summary, "mae").groupby("estimator", sort=False)):
        st = _style(i)
        for _, gt in g.groupby("task", sort=False):
            ax.plot(gt["n"], gt["mae"], color=st["color"], alpha=0.25, lw=1)
        mean = g.groupby("n")["mae"].mean()
        ax.plot(mean.index, mean.values, lw=2, label=est, **st)
    title = "|error| vs n (thin: per task; thick: mean over tasks)"
    return _finish(fig, ax, path, "sample size n", "|error| (nats), mean over seeds", title,
                   loglog=True)  # fmt: skip


def plot_error_vs_dim(summary: pd.DataFrame, path: Path) -> Path:
    """Bias (± stderr) against dx + dy at each estimator's largest n."""
    fig, ax = _axes()
    big = _at_largest_n(_finite(summary, "bias"))
    for i, (est, g) in enumerate(big.groupby("estimator", sort=False)):
        st = _style(i)
        ax.errorbar(g["dim"], g["bias"], yerr=g["bias_stderr"].fillna(0.0), color=st["color"],
                    fmt=st["marker"], ls="none", capsize=3, alpha=0.6)  # fmt: skip
        mean = g.groupby("dim")["bias"].mean()
        ax.plot(mean.index, mean.values, color=st["color"], lw=1.5,
                label=f"{est} (n={int(g['n'].iloc[0])})")  # fmt: skip
    ax.axhline(0.0, color="k", lw=1, ls="--")
    return _finish(fig, ax, path, "dimension dx + dy",
                   "error = estimate − truth (nats), mean ± stderr",
                   "Error vs dimension at each estimator's largest n")  # fmt: skip


def plot_seconds_vs_n(summary: pd.DataFrame, path: Path) -> Path:
    """Mean wall time per cell against n, log-log."""
    fig, ax = _axes()
    for i, (est, g) in enumerate(summary.groupby("estimator", sort=False)):
        mean = g.groupby("n")["seconds"].mean()
        ax.plot(mean.index, mean.values, label=est, **_style(i))
    ylabel = "seconds per cell (mean over tasks and seeds)"
    return _finish(fig, ax, path, "sample size n", ylabel, "Cost vs n", loglog=True)


PLOTS = {
    "estimate_vs_truth.png": plot_estimate_vs_truth,
    "abs_error_vs_n.png": plot_error_vs_n,
    "error_vs_dim.png": plot_error_vs_dim,
    "seconds_vs_n.png": plot_seconds_vs_n,
}


def write(df: pd.DataFrame, out_dir: str | os.PathLike[str]) -> Path:
    """Write the report folder and return its path.

    Files: ``summary.md`` (tables of bias, sd, RMSE, mean estimate and time per task,
    n and estimator, plus notes and the plots), ``summary.csv`` (:func:`summarize`),
    ``results.csv`` (every row) and the PNGs in :data:`PLOTS`.
    """
    df = _check(df)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(df)
    df.to_csv(out / "results.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    plots = []
    for name, plot in PLOTS.items():
        plot(summary, out / name)
        plots.append(name)
    (out / "summary.md").write_text(markdown(df, summary, plots), encoding="utf-8")
    return out


def read(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Rows from a ``results.csv`` or a sweep's JSON-lines store."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"results {str(p)!r} is not a readable file")
    if p.suffix == ".csv":
        return pd.read_csv(p)
    from revinfo.calibrate.cells import COLUMNS
    from revinfo.calibrate.store import RowStore

    rows = RowStore(p).read()
    if not rows:
        raise ValueError(f"{str(p)!r} holds no rows")
    return pd.DataFrame.from_records(rows, columns=list(COLUMNS))
