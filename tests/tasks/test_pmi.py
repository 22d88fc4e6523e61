"""Exact pointwise MI: Task.pmi, the profile helper and ``revinfo pmi``.

Independent truths: every task's own truth (closed forms, quadrature, exact counts) against
the sample mean of its PMI; the base pair's PMI at the points a flow-pushed sample came from;
the Gaussian closed form var(pmi) = sum rho_i^2.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from revinfo import tasks
from revinfo.tasks import transformed
from revinfo.tasks._common import push
from revinfo.tasks.pmi import pmi_command, pmi_profile, pmi_tasks, pmi_variance_closed_form

Z = 5.0
N_CHEAP = 20_000
N_PUSHED = 4_000  # flows are pulled back sample by sample in torch: keep it modest


def _expensive(name: str) -> bool:
    """Tasks whose PMI over a sample costs more than about a second here."""
    t = tasks.get(name)
    if "image" in t.tags:  # rendering and its inverse are cheap NumPy (about 0.3 s here)
        return False
    return sum(t.dims[:2]) > 256 or "flow" in t.tags and t.dims[0] > 8


def _n(name: str) -> int:
    return N_PUSHED if "transformed" in tasks.get(name).tags else N_CHEAP


def _params():
    return [pytest.param(n, marks=pytest.mark.slow) if _expensive(n) else n
            for n in tasks.names()]


@pytest.mark.parametrize("name", _params())
def test_pmi_mean_is_the_truth_or_pmi_says_why_not(name):
    task = tasks.get(name)
    if not task.has_pmi:
        with pytest.raises(ValueError, match="has no exact pointwise MI"):
            task.pmi(np.zeros((2, task.dims[0])), np.zeros((2, task.dims[1])))
        return
    n = _n(name)
    x, y = task.sample(n, seed=17)
    values = task.pmi(x, y)
    assert values.shape == (n,) and values.dtype == np.float64
    assert np.all(np.isfinite(values))
    se = values.std(ddof=1) / math.sqrt(n)
    truth = task.truth
    tse = truth.stderr or 0.0  # Monte Carlo truths carry their own stderr
    assert abs(values.mean() - truth.value) < Z * math.hypot(se, tse), (
        values.mean(), truth.value, se, tse)


FLOW_PUSHED = [n for n in tasks.names("transformed")]


@pytest.mark.parametrize("name", FLOW_PUSHED)
def test_pushed_pmi_is_the_base_pmi_at_the_pulled_back_points(name):
    task = tasks.get(name)
    base = tasks.get(name.split("+")[0])
    which = name.split("+")[1]
    f, g = transformed._maps(which, task.dims[0], name)
    x0, y0 = base.sample(500, seed=3)
    np.testing.assert_allclose(task.pmi(push(f, x0), push(g, y0)), base.pmi(x0, y0),
                               rtol=0, atol=1e-10)


CLOSED_VAR = [p for p in _params()
              if pmi_variance_closed_form(p if isinstance(p, str) else p.values[0]) is not None]


def test_closed_form_variance_names():
    names = [p if isinstance(p, str) else p.values[0] for p in CLOSED_VAR]
    assert {"gaussian-d1-rho0.8", "gaussian-d5-rho0.8-dense+spline", "image-blob32-k3-rho0.8",
            "gaussian-d512-rho0.1-dense"} <= set(names)
    assert pmi_variance_closed_form("student-t-d1-df1") is None
    assert pmi_variance_closed_form("gaussian-d5-rho0.5-dense") == pytest.approx(5 * 0.25)
    with pytest.raises(TypeError, match="task name"):
        pmi_variance_closed_form(3)


@pytest.mark.parametrize("name", CLOSED_VAR)
def test_pmi_variance_closed_form_against_the_sample(name):
    """Var[pmi] = sum rho_i^2 (Gaussian pairs, pushes, images) vs the sample variance, with
    the stderr of a sample variance sqrt((m4 - var^2) / n)."""
    want = pmi_variance_closed_form(name)
    prof = pmi_profile(name, n=_n(name) * 2, seed=1)
    v = prof.values - prof.values.mean()
    se_var = math.sqrt((np.mean(v**4) - prof.variance**2) / prof.n)
    assert abs(prof.variance - want) < Z * se_var, (prof.variance, want, se_var)


def test_profile_numbers():
    prof = pmi_profile("gaussian-d1-rho0.9", n=50_000, seed=0)
    truth = tasks.get("gaussian-d1-rho0.9").truth.value
    assert prof.truth == truth
    assert prof.e_to_truth == pytest.approx(math.exp(truth))
    assert prof.samples_for_0_01 == pytest.approx(prof.variance / 1e-4)
    qs = list(prof.quantiles.values())
    assert qs == sorted(qs)
    assert prof.quantiles[0.5] == pytest.approx(np.median(prof.values))
    assert abs(prof.mean.value - truth) < Z * prof.mean.stderr
    # same seed, same numbers
    assert pmi_profile("gaussian-d1-rho0.9", n=50_000, seed=0).mean == prof.mean


def test_pmi_validates_its_input():
    task = tasks.get("gaussian-d2-rho0.5-sparse")
    with pytest.raises(ValueError, match="x must have 2 columns"):
        task.pmi(np.zeros((3, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="same number of samples"):
        task.pmi(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="NaN or inf"):
        task.pmi(np.full((3, 2), np.nan), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="has no exact pointwise MI"):
        pmi_profile("noisy-affine-d2-sigma1", n=10)
    with pytest.raises(TypeError, match="task must be a Task"):
        pmi_profile(3, n=10)


def test_pmi_tasks_lists_exactly_the_tasks_with_a_log_ratio():
    names = pmi_tasks()
    assert set(tasks.names("log-ratio")) <= set(names)
    assert "noisy-affine-d2-sigma1" not in names and "deterministic-tanh-d2" not in names


def test_pmi_command_writes_the_histogram(tmp_path):
    png = tmp_path / "h.png"
    out = pmi_command("student-t-d1-df3-rho0.8", n=5000, seed=2, png=png)
    assert png.stat().st_size > 1000 and out["png"] == str(png)
    assert out["n"] == 5000 and "values" not in out
    json.dumps(out)


def test_cli_pmi_json(capsys):
    from revinfo.cli import main

    assert main(["pmi", "gaussian-d1-rho0.5", "--n", "2000", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["task"] == "gaussian-d1-rho0.5" and out["truth"] == pytest.approx(
        -0.5 * math.log(1 - 0.25))
    assert main(["pmi", "noisy-affine-d2-sigma1", "--n", "10"]) == 2
    assert "has no exact pointwise MI" in capsys.readouterr().err
