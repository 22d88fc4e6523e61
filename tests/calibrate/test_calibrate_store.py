"""The row store: append-only, torn tails ignored, resumable; a sweep killed with SIGKILL
and rerun gives the same table as an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from calibrate_helpers import make_corr_mi
from calibrate_kill_sweep import NS, SEEDS, TASKS, sweep

from revinfo import calibrate
from revinfo.calibrate.store import RowStore, row_key

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
N_CELLS = len(TASKS) * 2 * len(NS) * SEEDS  # 96


def _row(i: int) -> dict:
    return {"task": "t", "estimator": "e", "n": 10, "seed": i, "estimate": float(i)}


def test_append_read_and_torn_tail(tmp_path):
    path = tmp_path / "rows.jsonl"
    with RowStore(path) as st:
        for i in range(3):
            st.append(_row(i))
    full = path.read_bytes()
    assert full.count(b"\n") == 3
    with open(path, "ab") as f:  # a write cut short by kill -9
        f.write(b'{"task":"t","estimator":"e","n":10,"se')
    assert [r["seed"] for r in RowStore(path).read()] == [0, 1, 2]
    with RowStore(path) as st:  # opening to append cuts the torn line first
        st.append(_row(3))
    assert path.read_bytes() == full + json.dumps(_row(3), separators=(",", ":")).encode() + b"\n"
    assert [r["seed"] for r in RowStore(path).read()] == [0, 1, 2, 3]


def test_complete_row_missing_only_its_newline_is_kept(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(json.dumps(_row(0)).encode())  # no trailing newline
    with RowStore(path) as st:
        st.append(_row(1))
    assert [r["seed"] for r in RowStore(path).read()] == [0, 1]


def test_duplicates_keep_the_first_and_infinities_round_trip(tmp_path):
    path = tmp_path / "rows.jsonl"
    with RowStore(path) as st:
        st.append({**_row(0), "truth": float("inf")})
        st.append({**_row(0), "estimate": 99.0})
    rows = RowStore(path).read()
    assert len(rows) == 1 and rows[0]["estimate"] == 0.0 and rows[0]["truth"] == float("inf")


def test_one_writer_at_a_time(tmp_path):
    path = tmp_path / "rows.jsonl"
    with RowStore(path):
        with pytest.raises(RuntimeError, match="being written by another run"):
            RowStore(path).open()


def test_rerun_skips_done_cells(tmp_path):
    calls = []

    def counted(x, y):
        calls.append(1)
        return make_corr_mi()(x, y)

    store = tmp_path / "rows.jsonl"
    first = calibrate.run([counted], TASKS, [40], 3, store=store, workers=1, progress=False)
    assert len(calls) == 6
    again = calibrate.run([counted], TASKS, [40, 80], 3, store=store, workers=1, progress=False)
    assert len(calls) == 6 + 6  # only the new n
    pd.testing.assert_frame_equal(again[again["n"] == 40].reset_index(drop=True), first)
    assert len(RowStore(store).read()) == 12


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_sigkill_mid_sweep_then_resume_equals_uninterrupted(tmp_path, workers):
    store = tmp_path / "rows.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "calibrate_kill_sweep.py"), str(store), str(workers)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while _lines(store) < 10 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and any worker processes it started
    proc.wait()
    out, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert b"finished" not in out
    kept = len(RowStore(store).read())
    assert 10 <= kept < N_CELLS, kept

    resumed = sweep(store, workers=1)
    reference = sweep(None, workers=1)
    cols = [c for c in resumed.columns if c != "seconds"]
    pd.testing.assert_frame_equal(resumed[cols], reference[cols])
    rows = RowStore(store).read()
    keys = [row_key(r) for r in rows]
    assert len(keys) == N_CELLS == len(set(keys))  # no lost rows, no duplicates
    assert _lines(store) == N_CELLS  # the file itself holds no duplicate or torn line


def test_stored_rows_against_a_changed_truth_warn(tmp_path):
    from calibrate_helpers import gaussian_task

    store = tmp_path / "rows.jsonl"
    a = gaussian_task(1, 0.5)
    calibrate.run([make_corr_mi()], [a], [30], 1, store=store, workers=1, progress=False)
    b = gaussian_task(1, 0.6)
    b = type(b)(a.name, b.description, b.dims, b.sampler, b.truth_fn)  # same name, new truth
    with pytest.warns(RuntimeWarning, match="different truth"):
        calibrate.run([make_corr_mi()], [b], [30], 1, store=store, workers=1, progress=False)
