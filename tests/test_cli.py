"""The command line: exit codes, tables, --json, the demo's report."""

import json
import subprocess
import sys

import pytest

from revinfo.cli import main


def _revinfo(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "revinfo", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_entropy_json_profile_matches_library(capsys):
    from revinfo import dist, exact, flows

    assert main(["entropy", "--flow", "affine", "--dim", "3", "--depth", "2", "--n", "3000",
                 "--base", "laplace", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    prof = exact.entropy_profile(dist.laplace(3), flows.build("affine", 3, 2), n=3000)
    assert [row["h_nats"] for row in out["layers"]] == [p.value for p in prof]
    assert out["layers"][0]["stderr"] is None and out["layers"][-1]["stderr"] > 0


def test_entropy_table_has_a_row_per_layer(capsys):
    assert main(["entropy", "--flow", "revnet", "--dim", "4", "--depth", "3", "--n", "100"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 + 4 and "closed-form" in lines[-1]


@pytest.mark.parametrize("argv", [
    ["entropy", "--flow", "nope", "--dim", "2", "--depth", "1"],
    ["entropy", "--flow", "affine", "--dim", "0", "--depth", "1"],
    ["entropy", "--flow", "affine", "--dim", "1", "--depth", "1"],
    ["entropy", "--flow", "affine", "--dim", "2", "--depth", "1", "--n", "1"],
    ["no-such-command"],
    ["report", "/no/such/results.csv"],
])
def test_bad_arguments_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_demo_exits_0_and_writes_a_report_with_plots(tmp_path):
    res = _revinfo("demo", "--out", str(tmp_path / "report"), "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout)
    assert (tmp_path / "report" / "summary.md").exists()
    assert len(list((tmp_path / "report").glob("*.png"))) >= 1 and out["plots"]
    # the three Gaussian-pair tasks share one truth (MI is invariant under bijections)
    truths = {r["task"]: r["truth"] for r in out["summary"]}
    assert len({truths[t] for t in truths if t.startswith("gaussian-d2-rho0.8-dense")}) == 1


def test_calibrate_rejects_a_bad_config_before_work(tmp_path):
    cfg = tmp_path / "sweep.toml"
    cfg.write_text('[sweep]\ntasks = ["no-such-task"]\nestimators = ["mi_ksg"]\nns = [100]\nseeds = 1\n')
    res = _revinfo("calibrate", "--config", str(cfg), cwd=tmp_path)
    assert res.returncode == 2 and "no-such-task" in res.stderr


def test_calibrate_then_report(tmp_path):
    cfg = tmp_path / "sweep.toml"
    cfg.write_text('[sweep]\ntasks = ["gaussian-d1-rho0.8"]\nestimators = ["mi_ksg", "mi_gaussian"]\n'
                   'ns = [200]\nseeds = 2\nworkers = 1\nstore = "rows.jsonl"\n')
    res = _revinfo("calibrate", "--config", str(cfg), "--out", str(tmp_path / "r1"), "--json",
                   cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    res2 = _revinfo("report", str(tmp_path / "rows.jsonl"), "--out", str(tmp_path / "r2"),
                    "--json", cwd=tmp_path)
    assert res2.returncode == 0, res2.stderr[-2000:]
    assert json.loads(res.stdout)["summary"] == json.loads(res2.stdout)["summary"]
