"""The information plane on digits for two seeds (small size): the stored table holds the
exact and binned values (and the KDE and sample-propagation estimates) for every layer and
recorded epoch, within their bounds; the figure is written; a rerun recomputes nothing."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from revinfo.cli import main
from revinfo.plane import data, run_plane, table

SEEDS = (0, 1)
SIGMAS = (0.1,)


@pytest.fixture(scope="module")
def plane(tmp_path_factory):
    out = tmp_path_factory.mktemp("plane")
    summary = run_plane(out, small=True, seeds=SEEDS, activations=("tanh", "relu"),
                        sigmas=SIGMAS, progress=False)
    return out, summary


def test_figure_and_table_files(plane):
    out, summary = plane
    png = (out / "plane.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert (out / "table.csv").read_text().splitlines()[0].startswith("seed,activation,epoch")
    assert summary["computed"] == summary["rows"] > 0 and summary["reused"] == 0


def test_every_layer_and_epoch_has_exact_and_binned(plane):
    out, _ = plane
    rows = table(out)
    cells = {(r["seed"], r["activation"], r["epoch"], r["layer"]) for r in rows}
    assert {c[0] for c in cells} == set(SEEDS) and len({c[3] for c in cells}) == 7
    for cell in cells:
        methods = {r["method"] for r in rows if (r["seed"], r["activation"], r["epoch"],
                                                 r["layer"]) == cell}
        assert methods == {"exact", "binned", "kde", "sp"}, cell


def test_values_obey_their_bounds(plane):
    out, _ = plane
    for r in table(out):
        # exact, binned and kde never exceed log N and H(Y) <= log 10; sample propagation's
        # I(Y; T) is a difference of two independent Monte Carlo entropies: within its error
        slack = 5 * r["i_yt_stderr"] if r["method"] == "sp" else 1e-9
        assert r["i_xt"] <= math.log(r["n_rows"]) + 1e-9 and r["i_yt"] <= math.log(10) + slack
        if r["method"] == "exact":  # I(Y; T) <= I(X; T): Y is a function of X
            slack = 5 * (r["i_xt_stderr"] + r["i_yt_stderr"])
            assert r["i_yt"] <= r["i_xt"] + slack and r["i_xt_stderr"] < 0.1
        if r["method"] == "binned":  # X -> B(T) is deterministic: I(X; B) = H(B) <= log N
            assert r["i_xt"] >= r["i_yt"] - 1e-12


def test_sample_propagation_agrees_with_the_exact_value(plane):
    # both are I(X; T + sigma eps) for X uniform on the rows (sp with one draw per row)
    out, _ = plane
    rows = table(out)
    exact = {(r["seed"], r["activation"], r["epoch"], r["layer"], r["sigma"]): r
             for r in rows if r["method"] == "exact"}
    z = []
    for r in rows:
        if r["method"] == "sp":
            e = exact[(r["seed"], r["activation"], r["epoch"], r["layer"], r["sigma"])]
            se = math.hypot(r["i_xt_stderr"], e["i_xt_stderr"])
            if se > 0:
                z.append(abs(r["i_xt"] - e["i_xt"]) / se)
    assert len(z) > 50 and max(z) < 5.0, max(z)


def test_resume_recomputes_nothing_and_rejects_other_settings(plane):
    out, summary = plane
    again = run_plane(out, small=True, seeds=SEEDS, activations=("tanh", "relu"), sigmas=SIGMAS,
                      progress=False)
    assert again["computed"] == 0 and again["reused"] == summary["rows"]
    with pytest.raises(ValueError, match="other settings .*sigmas"):
        run_plane(out, small=True, seeds=SEEDS, activations=("tanh", "relu"), sigmas=(0.2,),
                  progress=False)


def test_cli_json(tmp_path, capsys):
    code = main(["plane", "--out", str(tmp_path), "--small", "--epochs", "1", "--activations",
                 "relu", "--methods", "exact", "binned", "--sigmas", "0.1", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["rows"] == 2 * 7 * 2  # epochs 0, 1 x 7 layers x 2 methods
    assert {r["method"] for r in table(tmp_path)} == {"exact", "binned"}


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation"):
        run_plane("/nonexistent-never-created", activations=("sigmoid",))
    with pytest.raises(ValueError, match="unknown method"):
        run_plane("/nonexistent-never-created", methods=("ksg",))


def test_data_sets():
    x, y = data.digits(100, seed=3)
    assert x.shape == (100, 64) and 0.0 <= x.min() and x.max() <= 1.0 and set(y) <= set(range(10))
    assert np.array_equal(data.digits(100, seed=3)[0], x)
    xc, yc = data.clusters(50, d=5, classes=3, seed=1)
    assert xc.shape == (50, 5) and set(yc) <= {0, 1, 2}


def test_synthetic_data_set(tmp_path):
    summary = run_plane(tmp_path, dataset="clusters", n=80, epochs=1, activations=("relu",),
                        methods=("exact", "binned"), sigmas=(0.1,), n_draws=200, progress=False)
    rows = table(tmp_path)
    assert summary["rows"] == len(rows) == 2 * 7 * 2 and rows[0]["n_rows"] == 64
    assert all(r["i_xt"] <= math.log(64) + 1e-9 for r in rows)
