"""Reports of a calibration sweep: summary tables and plots from its DataFrame.

- :func:`summarize` — per task x estimator x n: bias (mean error) and its stderr across
  seeds, the sd of the estimates, RMSE, mean |error|, mean seconds, counts.
- :func:`write` — a folder with ``summary.md``, ``summary.csv``, ``results.csv`` and PNG
  plots (estimate vs truth, |error| vs n, error vs dimension, time vs n); returns a
  :class:`Report` (the folder, the summary table, the plots).
- :func:`read` — rows back from ``results.csv`` or a sweep's JSON-lines store, each checked
  against the row schema of :mod:`revinfo.calibrate.schema`: a damaged row is skipped with a
  warning naming the file and its line.
- :func:`coverage_table`, :func:`pmi_spread_table` — interval coverage (Wilson interval),
  negative and above-log-n counts per estimator; the exact PMI spread per task (both in
  ``summary.md`` through :func:`coverage_markdown`).

All quantities are in nats; error = estimate - truth. Tasks whose truth is infinite
(deterministic layers) have an infinite error for any finite estimate: they are kept in
the tables (their mean estimate shows what an estimator reports there) and left out of
bias, RMSE and the error plots, with a note.
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revinfo.calibrate import schema
from revinfo.calibrate.store import RowStore, describe

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
             plots: Sequence[str] = (), profiles: Sequence[Any] | None = None) -> str:  # fmt: skip
    """The text of ``summary.md`` (``profiles``: the tasks' :func:`pmi_profiles`, computed
    here when None)."""
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
    out += coverage_markdown(df, profiles)
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


def pmi_profiles(task_names: Sequence[str], n: int = 2000, seed: int = 0) -> list[Any]:
    """The :class:`~revinfo.tasks.pmi.PMIProfile` (n exact PMI values) of every named task that
    has an exact PMI (:meth:`revinfo.tasks.Task.pmi`); other or unregistered tasks are left out.
    Cost: n PMI evaluations per task (milliseconds for closed forms; pulling 2000 samples
    back through a 128-D spline network takes seconds)."""
    from revinfo import tasks
    from revinfo.tasks.pmi import pmi_profile

    known = set(tasks.names())
    return [pmi_profile(name, n=n, seed=seed) for name in dict.fromkeys(task_names)
            if name in known and tasks.get(name).has_pmi]


def pmi_spread_table(task_names: Sequence[str], n: int = 2000, seed: int = 0,
                     profiles: Sequence[Any] | None = None) -> pd.DataFrame:
    """Per task with an exact PMI (:func:`pmi_profiles`, or the given ``profiles`` of those
    tasks): sd, 5% and 95% quantiles of the PMI over n joint samples, and e^I (McAllester &
    Stratos 2020: about e^I samples to certify I nats)."""
    if profiles is None:
        profiles = pmi_profiles(task_names, n, seed)
    rows = [{"task": p.task, "truth": p.truth, "pmi_mean": p.mean.value, "pmi_sd": p.sd,
             "pmi_q05": p.quantiles[0.05], "pmi_q95": p.quantiles[0.95],
             "e_to_truth": p.e_to_truth} for p in profiles]
    return pd.DataFrame(rows, columns=["task", "truth", "pmi_mean", "pmi_sd", "pmi_q05",
                                       "pmi_q95", "e_to_truth"])


#: at most this many tasks get a panel in ``pmi_profiles.png``
PMI_PANELS = 12


def plot_pmi_profiles(profiles: Sequence[Any], path: Path) -> bool:
    """``pmi_profiles.png``: one histogram panel per task (its exact PMI values, the truth I
    and the PMI mean marked), the first :data:`PMI_PANELS` tasks; False (nothing written)
    when no task has an exact PMI."""
    from matplotlib.figure import Figure

    shown = list(profiles)[:PMI_PANELS]
    if not shown:
        return False
    cols = min(3, len(shown))
    rows = math.ceil(len(shown) / cols)
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows), layout="constrained")
    for i, prof in enumerate(shown):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.hist(prof.values, bins=60, density=True, color="C0", alpha=0.7)
        ax.axvline(prof.truth, color="k", ls="--", lw=1.2, label=f"I = {prof.truth:.3g}")
        ax.axvline(prof.mean.value, color="C3", lw=1, label=f"mean = {prof.mean.value:.3g}")
        ax.set_title(f"{prof.task}\nsd {prof.sd:.3g}, e^I = {prof.e_to_truth:.3g}",
                     fontsize="x-small")
        ax.set_xlabel("pmi (nats)", fontsize="x-small")
        ax.legend(fontsize="xx-small")
    fig.savefig(path, dpi=100)
    return True


def coverage_markdown(df: pd.DataFrame, profiles: Sequence[Any] | None = None) -> list[str]:
    """The report's coverage and PMI-spread sections, as markdown lines (``profiles``: the
    tasks' :func:`pmi_profiles`, computed here when None)."""
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
    spread = pmi_spread_table(list(df["task"].unique()), profiles=profiles)
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


def _has_positive(ax: Any) -> bool:
    """Whether every axis of the plotted lines has some positive value (log scale possible)."""
    xs = [np.asarray(line.get_xdata(), dtype=float) for line in ax.get_lines()]
    ys = [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
    return all(any(np.any(a > 0) for a in arrays) for arrays in (xs, ys) if arrays)


def _finish(fig: Any, ax: Any, path: Path, xlabel: str, ylabel: str, title: str, *,
            loglog: bool = False) -> Path:  # fmt: skip
    if loglog and ax.get_lines() and _has_positive(ax):
        ax.set_xscale("log")
        ax.set_yscale("log")
    elif loglog and ax.get_lines():
        title += "\n(no positive values: linear axes)"
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


@dataclass(frozen=True)
class Report:
    """What :func:`write` wrote: the folder, the :func:`summarize` table and the plot names.

    It stands for its folder where a path is expected (``os.fspath``, ``report / "x.png"``,
    ``report.iterdir()``...), as :func:`write` returned the folder's path before."""

    folder: Path
    summary: pd.DataFrame = field(repr=False)
    plots: tuple[str, ...] = ()

    def __fspath__(self) -> str:
        return os.fspath(self.folder)

    def __truediv__(self, other: str | os.PathLike[str]) -> Path:
        return self.folder / other

    def __str__(self) -> str:
        return str(self.folder)

    def __getattr__(self, name: str) -> Any:  # the folder's Path methods and properties
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.folder, name)


def _check_some_estimate(df: pd.DataFrame) -> None:
    failed = df["failure"].notna() if "failure" in df else pd.Series(False, index=df.index)
    if (df["estimate"].notna() & ~failed).any():
        return
    text = f"no cell has an estimate: all {len(df)} cell(s) failed"
    if failed.any():
        first = df[failed].iloc[0]
        text += (f" (first: {first['estimator']} on {first['task']} n={first['n']} "
                 f"seed={first['seed']}: {first['failure']})")  # fmt: skip
    raise ValueError(text)


def write(df: pd.DataFrame, out_dir: str | os.PathLike[str]) -> Report:
    """Write the report folder and return it as a :class:`Report` (folder, summary, plots).

    Files: ``summary.md`` (tables of bias, sd, RMSE, mean estimate and time per task,
    n and estimator, plus notes and the plots), ``summary.csv`` (:func:`summarize`),
    ``results.csv`` (every row), the PNGs in :data:`PLOTS` and, when a task has an exact PMI,
    ``pmi_profiles.png`` (:func:`plot_pmi_profiles`).

    Raises:
        ValueError: ``df`` is not a sweep's table, has no rows, or no cell has an estimate
            (every cell failed): nothing is written then.
    """
    df = _check(df)
    _check_some_estimate(df)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"report folder {str(out)!r} cannot be made: {err.strerror or err}") from err
    summary = summarize(df)
    df.to_csv(out / "results.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    plots = []
    for name, plot in PLOTS.items():
        plot(summary, out / name)
        plots.append(name)
    profiles = pmi_profiles(list(df["task"].unique()))  # one pass for the plot and the table
    if plot_pmi_profiles(profiles, out / "pmi_profiles.png"):
        plots.append("pmi_profiles.png")
    (out / "summary.md").write_text(markdown(df, summary, plots, profiles), encoding="utf-8")
    return Report(out, summary, tuple(plots))


# ------------------------------------------------------------------ reading


def _csv_value(column: schema.Column | None, text: str) -> Any:
    """A CSV field in its column's kind (pandas writes NaN and None as an empty field)."""
    if column is None:
        return text
    if column.kind == "text":
        return text or None
    if column.kind == "str":
        return text
    if text == "":
        return math.nan if column.kind == "float" else text
    try:
        number = float(text)
    except ValueError:
        return text  # the schema check names it
    return int(number) if column.kind == "int" and number.is_integer() else number


def _csv_rows(p: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, row, None) for each intact row of a results.csv, (line, None, why) otherwise."""
    with p.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return
        missing = [c for c in schema.CONTRACT_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{p}: line 1: the header lacks column(s) {missing}")
        for fields in reader:
            line = reader.line_num
            if not any(fields):
                continue
            if len(fields) != len(header):
                yield line, None, f"{len(fields)} of {len(header)} fields (cut mid-line?)"
                continue
            raw = {h: _csv_value(schema.BY_NAME.get(h), v) for h, v in zip(header, fields)}
            try:
                yield line, schema.check_row(raw), None
            except ValueError as err:
                yield line, None, str(err)


def _numeric_extras(df: pd.DataFrame) -> pd.DataFrame:
    """Columns outside the schema as numbers where every value is one (as pandas would)."""
    for col in df.columns:
        if col not in schema.BY_NAME:
            try:
                df[col] = pd.to_numeric(df[col])
            except (ValueError, TypeError):
                pass
    return df


def _read_csv(p: Path) -> pd.DataFrame:
    rows, problems = [], []
    try:
        for line, row, why in _csv_rows(p):
            if why is None:
                rows.append(row)
            else:
                problems.append((line, why))
    except (UnicodeDecodeError, csv.Error) as err:
        raise ValueError(f"{p}: not a results.csv ({err})") from err
    _warn_problems(p, problems)
    if not rows:
        raise ValueError(f"{str(p)!r} holds no rows")
    columns = list(dict.fromkeys([*schema.COLUMNS, *rows[0]]))
    return _numeric_extras(pd.DataFrame.from_records(rows, columns=columns))


def _warn_problems(p: Path, problems: list[tuple[int, str]]) -> None:
    if problems:
        warnings.warn(f"{p}: skipped {len(problems)} damaged row(s): {describe(problems)}",
                      RuntimeWarning, stacklevel=3)  # fmt: skip


def read(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Rows from a ``results.csv`` or a sweep's JSON-lines store.

    Each row is checked against :mod:`revinfo.calibrate.schema`; a damaged one (cut mid-line,
    a missing column, ``estimate = 'oops'``, ``n = 500.7``) is skipped with one
    RuntimeWarning naming the file and the line of each. Raises ValueError naming the file
    when it cannot be read or holds no intact row.
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"results {str(p)!r} is not a readable file")
    if p.suffix == ".csv":
        return _read_csv(p)
    store = RowStore(p)
    rows = [schema.check_row(r) for r in store.read(complete=True, warn=False)]
    _warn_problems(p, store.problems)
    if not rows:
        raise ValueError(f"{str(p)!r} holds no rows")
    return pd.DataFrame.from_records(rows, columns=list(schema.COLUMNS))
