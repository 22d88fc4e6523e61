"""Report additions: interval coverage with a Wilson interval, negative and above-log-n
counts, and the PMI spread per task; an over-confident fake estimator gets low coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from revinfo import calibrate, report
from revinfo.result import Estimate

TASKS = ["gaussian-d1-rho0.5", "gaussian-d1-rho0.8"]


def _corr_mi(x, y):
    r = np.corrcoef(x[:, 0], y[:, 0])[0, 1]
    return -0.5 * math.log1p(-r * r), r


def overconfident(x, y):
    """Gaussian MI from the sample correlation, claiming a 0.001-nat error bar."""
    value, _ = _corr_mi(x, y)
    return Estimate(value, 1e-3, "over-confident")


def honest(x, y):
    """The same value with the delta-method sd sqrt(var(pmi) / n) = |r| / sqrt(n)."""
    value, r = _corr_mi(x, y)
    return Estimate(value, abs(r) / math.sqrt(len(x)), "delta method")


def no_stderr(x, y):
    return _corr_mi(x, y)[0]


@pytest.fixture(scope="module")
def sweep() -> pd.DataFrame:
    return calibrate.run([("overconfident", overconfident), ("honest", honest),
                          ("no_stderr", no_stderr)], TASKS, [400], 30, workers=1,
                         progress=False)


def test_overconfident_estimator_gets_low_coverage(sweep):
    cov = report.coverage_table(sweep).set_index("estimator")
    bad, good = cov.loc["overconfident"], cov.loc["honest"]
    assert bad["with_stderr"] == good["with_stderr"] == 60
    assert bad["coverage"] < 0.2 and bad["coverage_hi"] < good["coverage_lo"]
    assert good["coverage_lo"] < 0.95 < good["coverage_hi"]  # measured 58/60 [0.886, 0.991]
    assert math.isnan(cov.loc["no_stderr", "coverage"]) and cov.loc["no_stderr", "cells"] == 60


def test_wilson_interval_known_values():
    lo, hi = report.wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = report.wilson_interval(5, 10)
    assert (lo, hi) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    assert all(math.isnan(v) for v in report.wilson_interval(0, 0))


def test_negative_and_above_log_n_counts():
    rows = [{"task": "t", "estimator": "e", "n": 100, "seed": s, "estimate": v, "truth": 1.0,
             "error": v - 1.0, "stderr": np.nan, "seconds": 0.0}
            for s, v in enumerate([-0.1, 0.5, 4.7, 10.0, -2.0])]
    cov = report.coverage_table(pd.DataFrame(rows)).iloc[0]
    assert cov["negative"] == 2 and cov["above_log_n"] == 2  # log 100 = 4.61


def test_truth_stderr_widens_the_interval():
    row = {"task": "t", "estimator": "e", "n": 100, "seed": 0, "estimate": 1.03, "truth": 1.0,
           "error": 0.03, "stderr": 0.01, "seconds": 0.0, "truth_stderr": 0.0}
    assert report.coverage_table(pd.DataFrame([row]))["covered"].iloc[0] == 0
    row["truth_stderr"] = 0.015  # 1.96 * sqrt(0.01^2 + 0.015^2) = 0.0353 > 0.03
    assert report.coverage_table(pd.DataFrame([row]))["covered"].iloc[0] == 1


def test_coverage_and_pmi_spread_in_a_demo_sized_report(sweep, tmp_path):
    out = report.write(sweep, tmp_path / "rep")
    md = (out / "summary.md").read_text()
    assert "## Interval coverage" in md and "## PMI spread per task" in md
    line = next(ln for ln in md.splitlines() if ln.startswith("| overconfident |"))
    assert "/60)" in line
    spread = report.pmi_spread_table(TASKS + ["not-a-task", "noisy-affine-d2-sigma1"])
    assert list(spread["task"]) == TASKS
    from revinfo.tasks.pmi import pmi_profile

    for _, r in spread.iterrows():  # the profile's numbers (whose law tests/tasks checks)
        prof = pmi_profile(r["task"], n=2000, seed=0)
        assert r["pmi_sd"] == prof.sd and r["pmi_q95"] == prof.quantiles[0.95]
        assert r["e_to_truth"] == pytest.approx(math.exp(r["truth"]))


def test_the_report_shows_each_tasks_pmi_histogram(sweep, tmp_path):
    out = report.write(sweep, tmp_path / "rep")
    png = (out / "pmi_profiles.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert "pmi_profiles.png" in out.plots
    assert "![pmi_profiles.png](pmi_profiles.png)" in (out / "summary.md").read_text()
    profiles = report.pmi_profiles(TASKS + ["noisy-affine-d2-sigma1"])
    assert [p.task for p in profiles] == TASKS  # only tasks with an exact PMI get a panel
    assert not report.plot_pmi_profiles([], tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()
