"""report.summarize numbers and report.write files (summary.md, CSVs, PNGs)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from calibrate_helpers import gaussian_task, infinite_task, make_noisy_mi

from revinfo import calibrate, report


@pytest.fixture(scope="module")
def sweep() -> pd.DataFrame:
    def three(x, y):
        return 3.0

    # mi_gaussian fails on Y = X (singular covariance): recorded, with a warning
    with pytest.warns(RuntimeWarning, match="8 of 72 cells failed"):
        return calibrate.run(
            ["mi_gaussian", make_noisy_mi(), three],
            ["gaussian-1d-rho0.9", gaussian_task(3, 0.5), infinite_task()],
            [50, 200], 4, workers=1, progress=False,
        )  # fmt: skip


def test_summary_numbers(sweep):
    s = report.summarize(sweep)
    assert len(s) == 3 * 3 * 2
    row = s[(s.task == "gauss-3d-0.5") & (s.estimator == "mi_gaussian") & (s.n == 200)].iloc[0]
    cell = sweep[(sweep.task == "gauss-3d-0.5") & (sweep.estimator == "mi_gaussian")
                 & (sweep.n == 200)]  # fmt: skip
    err = cell["error"].to_numpy()
    assert row["count"] == 4 and row["dim"] == 6
    assert row["bias"] == pytest.approx(err.mean())
    assert row["bias_stderr"] == pytest.approx(err.std(ddof=1) / 2)
    assert row["rmse"] == pytest.approx(math.sqrt(np.mean(err**2)))
    assert row["sd"] == pytest.approx(cell["estimate"].std(ddof=1))
    inf_rows = s[s.task == "identity-1d"]
    assert inf_rows["rmse"].isna().all() and inf_rows["bias"].isna().all()
    assert inf_rows["note"].str.contains("infinite").all()
    assert (inf_rows[inf_rows.estimator == "three"]["mean_estimate"] == 3.0).all()
    failed = inf_rows[inf_rows.estimator == "mi_gaussian"]
    assert (failed["failed"] == 4).all() and (failed["count"] == 0).all()


def test_write_report(sweep, tmp_path):
    out = report.write(sweep, tmp_path / "rep")
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["summary.md", "summary.csv", "results.csv", *report.PLOTS])
    for png in report.PLOTS:
        data = (out / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    md = (out / "summary.md").read_text()
    for heading in ("## Bias", "## RMSE", "## Standard deviation", "## Time per cell", "## Notes"):
        assert heading in md
    assert "| gauss-3d-0.5 | 200 |" in md and "truth is infinite" in md
    back = report.read(out / "results.csv")
    assert len(back) == len(sweep)


def test_read_store(sweep, tmp_path):
    store = tmp_path / "rows.jsonl"
    calibrate.run(["mi_gaussian"], ["gaussian-1d-rho0.9"], [30], 2, store=store, workers=1,
                  progress=False)  # fmt: skip
    df = report.read(store)
    assert list(df.columns) == list(calibrate.COLUMNS) and len(df) == 2


def test_bad_input():
    with pytest.raises(ValueError, match="lacks column"):
        report.summarize(pd.DataFrame({"task": ["a"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        report.summarize([1, 2])
