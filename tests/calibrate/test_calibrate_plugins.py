"""A package outside revinfo plugs in through entry points: its estimator and task appear in
`revinfo tasks` and run in a sweep file by name, next to a "module:function" estimator that no
registry holds."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from revinfo import tasks as registry
from revinfo.calibrate import data_seed

PLUGIN = Path(__file__).parents[1] / "plugin_pkg"
ROOT = Path(__file__).parents[2]

SWEEP = """
[sweep]
tasks = ["plugin-gauss-rho0.6", "gaussian-1d-rho0.5"]
estimators = ["plugin_corr_mi", "revinfo_plugin_demo:rank_mi", "mi_gaussian"]
ns = [300]
seeds = 2
workers = 1
store = "rows.jsonl"
"""


def _revinfo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(PLUGIN)])}
    return subprocess.run([sys.executable, "-m", "revinfo", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def plugin(monkeypatch_module):
    monkeypatch_module.syspath_prepend(str(PLUGIN))
    import revinfo_plugin_demo

    return revinfo_plugin_demo


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_plugin_task_is_listed(tmp_path):
    res = _revinfo("tasks", "plugin-*", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    rows = json.loads(res.stdout)
    assert [r["name"] for r in rows] == ["plugin-gauss-rho0.6"]
    assert rows[0]["truth"] == pytest.approx(-0.5 * math.log(1 - 0.36), rel=1e-15)


def test_plugin_estimator_and_references_run_in_a_sweep_file(tmp_path, plugin):
    (tmp_path / "sweep.toml").write_text(SWEEP)
    res = _revinfo("calibrate", "--config", "sweep.toml", "--out", "rep", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert len(rows) == 2 * 3 * 2 and all(r["failure"] is None for r in rows)
    tasks = {"plugin-gauss-rho0.6": plugin.gauss_task(), "gaussian-1d-rho0.5": registry.get("gaussian-1d-rho0.5")}
    for r in rows:
        # each value is the plug-in's function on the cell's sample, recomputed here
        x, y = tasks[r["task"]].sample(300, seed=data_seed(r["task"], 300, r["seed"]))
        if r["estimator"] == "plugin_corr_mi":
            assert r["estimate"] == plugin.corr_mi(x, y).value
        elif r["estimator"] == "revinfo_plugin_demo:rank_mi":
            assert r["estimate"] == plugin.rank_mi(x, y)
        rho = 0.6 if r["task"] == "plugin-gauss-rho0.6" else 0.5
        assert r["truth"] == pytest.approx(-0.5 * math.log(1 - rho**2), rel=1e-14)
    assert {r["estimator"] for r in rows} == {"plugin_corr_mi", "revinfo_plugin_demo:rank_mi",
                                              "mi_gaussian"}  # fmt: skip
