"""Faults in sweeps (issue 18): option values checked before any work, damaged stores and
results files read row by row with the damaged line named, and every expected refusal on
the command line one line on stderr with exit status 2."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from calibrate_helpers import make_corr_mi

from revinfo import calibrate, report
from revinfo.calibrate import RowStore
from revinfo.cli import main

TASK = "gaussian-1d-rho0.5"


def _sweep(tmp_path, estimators: str, ns: str = "[100]", extra: str = "") -> str:
    path = tmp_path / "sweep.toml"
    path.write_text(textwrap.dedent(f"""
        [sweep]
        tasks = ["{TASK}"]
        estimators = [{estimators}]
        ns = {ns}
        seeds = 1
        workers = 1
        store = "rows.jsonl"
        {extra}
    """))
    return str(path)


def _refused(capsys, argv) -> str:
    """main(argv) refuses: exit 2, exactly one line on stderr, no traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("revinfo: error: "), err
    assert "Traceback" not in err
    return err


# --------------------------------------------------------------------------- option values


@pytest.mark.parametrize(("entry", "ns", "match"), [
    ('{ name = "mi_ksg", k = -5 }', "[100]", "k must be >= 1, got -5"),
    ('{ name = "mi_binned", bins = 0 }', "[100]", "bins must be >= 1, got 0"),
    ('{ name = "mi_ksg", k = 500 }', "[1000, 100]", "at n = 100.*k must be smaller"),
])  # fmt: skip
def test_bad_option_values_refused_before_any_work(tmp_path, capsys, entry, ns, match):
    cfg = _sweep(tmp_path, entry, ns)
    err = _refused(capsys, ["calibrate", "--config", cfg, "--out", str(tmp_path / "rep")])
    assert re.search(match, err), err
    assert "mi_" in err and not (tmp_path / "rows.jsonl").exists()


def test_a_plain_callable_is_not_probed():
    def broken(x, y):
        raise ValueError("no luck")

    with pytest.warns(RuntimeWarning, match="1 of 1 cells failed"):
        df = calibrate.run([broken], [TASK], [30], 1, workers=1, progress=False)
    assert df["failure"].iloc[0] == "ValueError: no luck"


def test_huge_n_refused_before_allocating(tmp_path, capsys):
    cfg = _sweep(tmp_path, '"mi_ksg"', "[10000000000]")
    err = _refused(capsys, ["calibrate", "--config", cfg])
    assert "ns entry 10000000000" in err and "GiB" in err


def test_bad_store_path_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cfg = _sweep(tmp_path, '"mi_gaussian"')
    err = _refused(capsys, ["calibrate", "--config", cfg, "--store", str(blocker / "rows.jsonl")])
    assert "cannot be opened for writing" in err and "a-file" in err


def test_dead_dask_address_fails_fast(tmp_path, capsys):
    pytest.importorskip("distributed")
    cfg = _sweep(tmp_path, '"mi_gaussian"', extra='backend = "dask"\naddress = "tcp://127.0.0.1:9"')
    Path(cfg).write_text(Path(cfg).read_text().replace("workers = 1\n", ""))
    err = _refused(capsys, ["calibrate", "--config", cfg])
    assert "cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'" in err


def test_second_writer_is_one_line_exit_2(tmp_path):
    cfg = _sweep(tmp_path, '"mi_gaussian"')
    with RowStore(tmp_path / "rows.jsonl"):  # another run holds the store's lock
        res = subprocess.run([sys.executable, "-m", "revinfo", "calibrate", "--config", cfg],
                             capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False)  # fmt: skip
    assert res.returncode == 2, res.stderr[-2000:]
    assert res.stderr.count("\n") == 1 and "being written by another run" in res.stderr
    assert "Traceback" not in res.stderr


# --------------------------------------------------------------------------- damaged stores


def _store_sweep(store, calls=None):
    def counted(x, y):
        if calls is not None:
            calls.append(1)
        return make_corr_mi()(x, y)

    return calibrate.run([counted], [TASK], [40, 80], 3, store=store, workers=1,
                         progress=False)  # fmt: skip


def _edit(store, line: int, fn) -> None:
    lines = store.read_text().splitlines(keepends=True)
    lines[line - 1] = fn(lines[line - 1])
    store.write_text("".join(lines))


@pytest.mark.parametrize(("damage", "why"), [
    (lambda s: json.dumps({k: v for k, v in json.loads(s).items() if k != "truth"}) + "\n",
     "line 2: missing column\\(s\\) \\['truth'\\]"),
    (lambda s: s.replace('"estimate":', '"estimate":"oops","x":'), "line 2: estimate = 'oops'"),
    (lambda s: s[: len(s) // 2] + "\n", "line 2: not a JSON row"),
])  # fmt: skip
def test_damaged_row_named_and_only_it_recomputed(tmp_path, damage, why):
    store = tmp_path / "rows.jsonl"
    first = _store_sweep(store)
    _edit(store, 2, damage)
    calls: list[int] = []
    with pytest.warns(RuntimeWarning, match=f"skipped 1 damaged line.*{why}"):
        again = _store_sweep(store, calls)
    assert len(calls) == 1  # the other five cells come from the store
    pd.testing.assert_frame_equal(again.drop(columns="seconds"), first.drop(columns="seconds"))


def test_fractional_n_does_not_shadow_a_real_cell(tmp_path):
    store = tmp_path / "rows.jsonl"
    first = _store_sweep(store)
    row = json.loads(store.read_text().splitlines()[0])
    fake = {**row, "n": row["n"] + 0.7, "estimate": 123.0}
    store.write_text(json.dumps(fake) + "\n" + store.read_text())
    calls: list[int] = []
    with pytest.warns(RuntimeWarning, match="line 1: n and seed must be integers, got n = 40.7"):
        again = _store_sweep(store, calls)
    assert not calls and 123.0 not in again["estimate"].tolist()
    pd.testing.assert_frame_equal(again.drop(columns="seconds"), first.drop(columns="seconds"))


def test_store_cut_mid_line_is_reported_and_refilled(tmp_path):
    store = tmp_path / "rows.jsonl"
    first = _store_sweep(store)
    data = store.read_bytes()
    store.write_bytes(data[: len(data) - 30])  # power loss in the last row
    calls: list[int] = []
    with pytest.warns(RuntimeWarning, match="line 6: cut off mid-line"):
        again = _store_sweep(store, calls)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(again.drop(columns="seconds"), first.drop(columns="seconds"))


# --------------------------------------------------------------------------- revinfo report


@pytest.fixture
def results_csv(tmp_path):
    store = tmp_path / "rows.jsonl"
    df = _store_sweep(store)
    path = tmp_path / "results.csv"
    df.to_csv(path, index=False)
    return path, df


def test_report_names_file_and_line_of_a_bad_csv_value(results_csv, tmp_path, capsys):
    path, df = results_csv
    lines = path.read_text().splitlines(keepends=True)
    cells = lines[3].split(",")
    cells[4] = "oops"  # the estimate of the third row, on line 4
    lines[3] = ",".join(cells)
    lines[-1] = lines[-1][: len(lines[-1]) // 3]  # and the last row cut mid-line
    path.write_text("".join(lines))
    with pytest.warns(RuntimeWarning, match=r"results.csv: skipped 2 damaged row\(s\): line 4: "
                      r"estimate = 'oops' is not a number; line 7: \d+ of 18 fields"):  # fmt: skip
        back = report.read(path)
    assert len(back) == len(df) - 2
    assert back["estimate"].tolist() == [v for i, v in enumerate(df["estimate"]) if i not in (2, 5)]
    assert main(["report", str(path), "--out", str(tmp_path / "rep"), "--json"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 4" in err and "results.csv" in err
    assert "convert" not in err and "Traceback" not in err


def test_report_on_an_empty_store(tmp_path, capsys):
    (tmp_path / "rows.jsonl").write_text("")
    err = _refused(capsys, ["report", str(tmp_path / "rows.jsonl")])
    assert "holds no rows" in err


def test_report_on_a_store_of_failed_cells(tmp_path, capsys):
    def broken(x, y):
        raise ValueError("no luck")

    store = tmp_path / "rows.jsonl"
    with pytest.warns(RuntimeWarning, match="2 of 2 cells failed"):
        calibrate.run([broken], [TASK], [30], 2, store=store, workers=1, progress=False)
    err = _refused(capsys, ["report", str(store), "--out", str(tmp_path / "rep")])
    assert "no cell has an estimate: all 2 cell(s) failed" in err and "no luck" in err
    assert not (tmp_path / "rep").exists()


def test_log_axes_without_positive_values_are_linear(results_csv, tmp_path):
    import warnings

    _, df = results_csv
    df = df.assign(seconds=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "cannot be log-scaled" would raise
        out = report.write(df, tmp_path / "rep")
    assert (out / "seconds_vs_n.png").stat().st_size > 1000
    assert not math.isnan(out.summary["bias"].iloc[0])
