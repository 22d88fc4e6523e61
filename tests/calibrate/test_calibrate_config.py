"""Sweep TOML files: parsed, validated in full before any work, errors name the entry."""

from __future__ import annotations

import textwrap

import pytest

from revinfo.calibrate import config

GOOD = """
[sweep]
tasks = ["gaussian-1d-rho0.5", "gaussian-1d-rho0.9"]
estimators = ["mi_gaussian", { name = "mi_ksg", k = 5 }]
ns = [40, 80]
seeds = 2
backend = "local"
workers = 1
store = "rows.jsonl"
out = "report"
"""


def _write(tmp_path, text: str):
    p = tmp_path / "sweep.toml"
    p.write_text(textwrap.dedent(text))
    return p


def test_good_file_loads_and_runs(tmp_path):
    sweep = config.load(_write(tmp_path, GOOD))
    assert sweep.estimators == ["mi_gaussian", ("mi_ksg", {"k": 5})]
    assert sweep.seeds == 2 and sweep.workers == 1 and sweep.backend == "local"
    assert sweep.store == tmp_path / "rows.jsonl" and sweep.out == tmp_path / "report"
    df = sweep.run(progress=False)
    assert len(df) == 2 * 2 * 2 * 2
    assert df["estimator"].unique().tolist() == ["mi_gaussian", "mi_ksg(k=5)"]
    assert (tmp_path / "rows.jsonl").exists()


def test_array_of_tables_form(tmp_path):
    text = """
    [sweep]
    tasks = ["gaussian-1d-rho0.5"]
    ns = [30]
    seeds = [3, 5]

    [[sweep.estimators]]
    name = "mi_binned"
    bins = 8
    """
    sweep = config.load(_write(tmp_path, text))
    assert sweep.estimators == [("mi_binned", {"bins": 8})] and sweep.seeds == [3, 5]


@pytest.mark.parametrize(
    ("replace", "match"),
    [
        (('"gaussian-1d-rho0.9"', '"no-such-task"'), "unknown task 'no-such-task'"),
        (('"mi_gaussian"', '"mi_bogus"'), "unknown estimator 'mi_bogus'"),
        (("k = 5", "kay = 5"), "estimator 'mi_ksg\\(kay=5\\)': options"),
        (("ns = [40, 80]", "ns = [40, 1]"), "ns entry 1: a sample size must be >= 2"),
        (("ns = [40, 80]", 'ns = [40, "80"]'), "sweep.ns entry '80'"),
        (("seeds = 2", "seeds = -1"), "seeds = -1"),
        (('backend = "local"', 'backend = "ray"'), "unknown backend 'ray'"),
        (("workers = 1", "wrokers = 1"), "unknown key sweep.wrokers"),
        (("ns = [40, 80]\n", ""), "missing key sweep.ns"),
        (('{ name = "mi_ksg", k = 5 }', "{ k = 5 }"), "sweep.estimators entry 1"),
        (("tasks = [", "tasks = [[]], x = ["), "malformed TOML"),
        (("seeds = 2", "seeds = 2\nseeds = 3"), "malformed TOML.*line 7"),
        (('ns = [40, 80]', 'ns = [40, 80'), "malformed TOML.*line"),
    ],
)
def test_bad_files_rejected_before_any_work(tmp_path, replace, match):
    old, new = replace
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ValueError, match=match) as info:
        config.load(path)
    assert str(path) in str(info.value)  # the message names the file
    assert not (tmp_path / "rows.jsonl").exists()


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="cannot be read"):
        config.load(tmp_path / "nope.toml")


def test_extra_table_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown table or key 'report'"):
        config.load(_write(tmp_path, GOOD + "\n[report]\nx = 1\n"))
