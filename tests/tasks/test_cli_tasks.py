"""``revinfo tasks``: the table, --json, --tag, name globs, and lazy Monte Carlo truths."""

from __future__ import annotations

import json

from revinfo import tasks
from revinfo.cli import main


def test_table_lists_every_task_and_leaves_monte_carlo_truths_lazy(capsys):
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["name", "dims", "truth"]
    for name in tasks.names():
        assert any(line.startswith(name + " ") for line in lines), name
    row = next(line for line in lines if line.startswith("noisy-affine-d2-sigma0.5 "))
    assert " lazy " in row
    assert "truth" not in tasks.get("noisy-affine-d2-sigma0.5").__dict__  # not computed
    row = next(line for line in lines if line.startswith("deterministic-tanh-d2 "))
    assert " inf " in row
    assert "0.8304" in next(line for line in lines if line.startswith("gaussian-d1-rho0.9 "))


def test_json_tag_filter(capsys):
    assert main(["tasks", "--json", "--tag", "weight-noise"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == tasks.names("weight-noise")
    by = {r["name"]: r for r in rows}
    assert by["weight-noise-d4-s0"]["truth"] == "inf"
    lazy = by["weight-noise-d4-s0.1"]
    assert lazy["truth"] is None and not lazy["cheap_truth"]
    assert by["weight-noise-d4-s0.1"]["dims"] == [4, 4]


def test_truths_flag_computes_monte_carlo_truths(capsys):
    assert main(["tasks", "--json", "--truths", "weight-noise-d4-s1"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["truth"] > 0 and 0 < row["truth_stderr"] < 0.01
    assert row["truth_method"].startswith("nested-mc")


def test_no_match_is_a_usage_error(capsys):
    assert main(["tasks", "--tag", "no-such-tag"]) == 2
    assert "unknown tag 'no-such-tag'; expected one of" in capsys.readouterr().err


def test_pmi_variance_column(capsys):
    assert main(["tasks", "gaussian-d5-rho0.5-dense", "student-t-d1-df1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "var(pmi)" in lines[0]
    assert lines[1].split()[3] == "1.25" and lines[2].split()[3] == "-"
