"""Rows of a small sweep: contract columns, error = estimate - truth, each value equal to
calling the estimator directly on the cell's sample; seeds; validation before work."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import pytest
from calibrate_helpers import gaussian_task, infinite_task, make_corr_mi, make_noisy_mi

import revinfo.estimate as est
from revinfo import calibrate, tasks
from revinfo.calibrate import cells

TASKS = ["gaussian-1d-rho0.5", "gaussian-1d-rho0.9"]


@pytest.fixture(scope="module")
def sweep() -> pd.DataFrame:
    estimators = ["mi_gaussian", ("mi_ksg", {"k": 5}), make_noisy_mi()]
    return calibrate.run(estimators, TASKS, [64, 256], 3, workers=1, progress=False)


def test_columns_and_grid_order(sweep):
    assert list(sweep.columns[:9]) == list(calibrate.CONTRACT_COLUMNS)
    assert len(sweep) == 2 * 3 * 2 * 3
    assert sweep["estimator"].unique().tolist() == ["mi_gaussian", "mi_ksg(k=5)", "noisy_mi"]
    assert sweep[["task", "n", "seed"]].iloc[:6].values.tolist() == [
        [TASKS[0], 64, 0], [TASKS[0], 64, 1], [TASKS[0], 64, 2],
        [TASKS[0], 256, 0], [TASKS[0], 256, 1], [TASKS[0], 256, 2],
    ]  # fmt: skip
    assert (sweep["dim"] == 2).all() and sweep["failure"].isna().all()


def test_error_is_estimate_minus_truth(sweep):
    np.testing.assert_array_equal(sweep["error"], sweep["estimate"] - sweep["truth"])
    for name in TASKS:
        assert (sweep.loc[sweep["task"] == name, "truth"] == tasks.get(name).truth.value).all()
    # real numbers: rho = 0.9 has I = -1/2 log(0.19) = 0.830366 nats
    assert sweep.loc[sweep["task"] == TASKS[1], "truth"].iloc[0] == pytest.approx(0.8303656, 1e-6)


def test_each_value_is_the_estimator_on_the_cells_sample(sweep):
    noisy = make_noisy_mi()
    for row in sweep.itertuples():
        task = tasks.get(row.task)
        x, y = task.sample(row.n, seed=cells.data_seed(row.task, row.n, row.seed))
        e_seed = cells.estimator_seed(row.task, row.estimator, row.n, row.seed)
        assert row.data_seed == cells.data_seed(row.task, row.n, row.seed)
        if row.estimator == "mi_gaussian":
            direct = est.mi_gaussian(x, y)
        elif row.estimator == "mi_ksg(k=5)":
            direct = est.mi_ksg(x, y, k=5, seed=e_seed)
        else:
            direct = noisy(x, y, seed=e_seed)
        assert row.estimate == direct.value, row
        assert row.stderr == direct.stderr or (math.isnan(row.stderr) and direct.stderr is None)
    # the sample is shared by the estimators of a cell, not by different cells
    per_cell = sweep.groupby(["task", "n", "seed"])["data_seed"].nunique()
    assert (per_cell == 1).all()
    assert sweep.drop_duplicates(["task", "n", "seed"])["data_seed"].is_unique


def test_seed_derivation_is_pinned():
    # SHA-256 of the JSON of the parts, first 4 bytes: the same on every machine and run
    # (Python's hash() would change with PYTHONHASHSEED).
    blob = b'["revinfo.calibrate/data","gaussian-1d-rho0.5",64,0]'
    expected = int.from_bytes(hashlib.sha256(blob).digest()[:4], "big")
    assert cells.data_seed("gaussian-1d-rho0.5", 64, 0) == expected == 1019595853
    assert cells.estimator_seed("gaussian-1d-rho0.5", "mi_ksg(k=5)", 64, 0) == 2746609960


def test_workers_do_not_change_numbers():
    kw = dict(estimators=[make_corr_mi(), make_noisy_mi()], tasks=TASKS, ns=[50, 80], seeds=2,
              progress=False)  # fmt: skip
    one = calibrate.run(**kw, workers=1)
    two = calibrate.run(**kw, workers=2)
    pd.testing.assert_frame_equal(one.drop(columns="seconds"), two.drop(columns="seconds"))


def test_float_returning_callable_and_task_objects():
    df = calibrate.run([make_corr_mi()], [gaussian_task(3, 0.6)], [100], [4, 9],
                       workers=1, progress=False)  # fmt: skip
    assert df["estimator"].tolist() == ["corr_mi", "corr_mi"]
    assert df["seed"].tolist() == [4, 9]
    assert df["dim"].tolist() == [6, 6] and np.isnan(df["stderr"]).all()
    assert df["truth"].iloc[0] == pytest.approx(-1.5 * math.log(1 - 0.36))


def test_infinite_truth_and_failures_are_recorded():
    def finite(x, y):
        return 3.0

    def always_inf(x, y):
        return math.inf

    def broken(x, y):
        raise ValueError("no luck")

    with pytest.warns(RuntimeWarning, match="2 of 6 cells failed.*no luck"):
        df = calibrate.run([finite, always_inf, broken], [infinite_task()], [30], 2,
                           workers=1, progress=False)  # fmt: skip
    by = df.set_index(["estimator", "seed"])
    assert by.loc[("finite", 0), "error"] == -math.inf
    assert by.loc[("always_inf", 0), "error"] == 0.0  # +inf estimate of a +inf truth
    assert math.isnan(by.loc[("broken", 1), "estimate"])
    assert by.loc[("broken", 1), "failure"] == "ValueError: no luck"


def test_options_label_and_seed_override():
    df = calibrate.run([(make_noisy_mi(), {"scale": 0.5}), ("fixed", make_noisy_mi())],
                       [TASKS[0]], [40], 1, workers=1, progress=False)  # fmt: skip
    assert df["estimator"].tolist() == ["noisy_mi(scale=0.5)", "fixed"]
    assert df["estimator_options"].tolist() == ['{"scale": 0.5}', "{}"]


class Spy:
    """A task whose truth must not be computed before validation passes."""

    called = False


def _spy_task() -> tasks.Task:
    def truth():
        Spy.called = True
        raise AssertionError("truth computed before validation finished")

    return tasks.Task("spy", "spy", (1, 1), lambda n, rng: (np.zeros((n, 1)),) * 2, truth)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tasks": ["no-such-task"]}, "unknown task 'no-such-task'"),
        ({"estimators": ["mi_nope"]}, "unknown estimator 'mi_nope'"),
        ({"estimators": ["mi_noisy"]}, "estimator 'mi_noisy' takes"),
        ({"estimators": [("mi_ksg", {"kk": 5})]}, "estimator 'mi_ksg\\(kk=5\\)': options"),
        ({"estimators": [42]}, "estimator entry 42"),
        ({"estimators": ["mi_ksg", "mi_ksg"]}, "estimator label 'mi_ksg' appears twice"),
        ({"ns": [100, 1]}, "ns entry 1: a sample size must be >= 2"),
        ({"ns": [10.5]}, "ns entry 10.5"),
        ({"ns": []}, "ns is empty"),
        ({"seeds": 0}, "seeds = 0"),
        ({"seeds": [0, -3]}, "seeds entry -3"),
        ({"seeds": [1, 1]}, "seeds entry 1 appears twice"),
        ({"tasks": []}, "tasks is empty"),
        ({"estimators": []}, "estimators is empty"),
        ({"backend": "spark"}, "unknown backend 'spark'"),
        ({"workers": 0}, "workers must be"),
        ({"address": "tcp://x:1"}, "address= is for backend='dask'"),
    ],
)
def test_bad_sweeps_rejected_before_any_work(kwargs, match, tmp_path):
    calls = []

    def counting(x, y):
        calls.append(1)
        return 0.0

    base = {"estimators": [counting], "tasks": [_spy_task()], "ns": [10], "seeds": 1}
    if kwargs.get("tasks"):  # keep the spy in play so its truth would show premature work
        kwargs = {**kwargs, "tasks": [_spy_task(), *kwargs["tasks"]]}
    store = tmp_path / "rows.jsonl"
    with pytest.raises(ValueError, match=match):
        calibrate.run(**{**base, **kwargs}, store=store, progress=False)
    assert not calls and not Spy.called and not store.exists()
