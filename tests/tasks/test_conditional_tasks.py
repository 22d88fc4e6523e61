"""Conditional (xyz) and process (sequence) tasks: truths against their constructions,
bijections that really are per-block bijections, seeds, and the calibration loop
``tasks.get(name).sample(n, seed)`` -> every estimator with the task's ``inputs``."""

import itertools
import math

import numpy as np
import pytest

from revinfo import exact, tasks
from revinfo.registry import ESTIMATORS
from revinfo.result import Estimate
from revinfo.tasks import conditional, process
from revinfo.tasks._common import pull

NEW = [n for n in tasks.names() if n.startswith(("cond-gaussian", "xor-", "var", "ar-activ"))]


def test_the_families_are_registered():
    assert len([n for n in NEW if n.startswith("cond-gaussian") and "+" in n]) == 16
    assert {"xor-flip0.1", "var1-c0", "var2-c1", "ar-activations-tanh"} <= set(NEW)


@pytest.mark.parametrize("name", NEW)
def test_shapes_inputs_and_seeds(name):
    t = tasks.get(name)
    a = t.sample(30, seed=4)
    assert t.inputs == ("xyz" if name.startswith(("cond", "xor")) else "sequence")
    assert [s.shape for s in a] == [(30, d) for d in t.dims]
    for u, w in zip(a, t.sample(30, seed=4)):
        assert np.array_equal(u, w)
    assert math.isfinite(t.truth.value) and t.truth.stderr is None


@pytest.mark.parametrize("d, dz", conditional.TRIPLES)
def test_gaussian_triple_truth_is_the_construction(d, dz):
    # I(X;Y|Z) = I(X0;Y0) = -d/2 log(1 - rho^2): the dense pair has d canonical correlations
    want = -0.5 * d * math.log(1 - conditional.RHO**2)
    assert tasks.get(conditional.name(d, dz)).truth.value == pytest.approx(want, abs=1e-10)


def test_pushed_triples_are_blockwise_bijections_of_the_base():
    base = tasks.get(conditional.name(2, 2))
    for kind in ("affine", "spline"):
        t = conditional.gaussian_task(2, 2, kind)
        maps = conditional._maps(kind, t.dims, tasks._common.task_seed(t.name))
        for pushed, orig, f in zip(t.sample(200, seed=9), base.sample(200, seed=9), maps):
            assert np.allclose(pull(f, pushed), orig, atol=1e-8)
            assert not np.allclose(pushed, orig, atol=1e-2)
        assert t.truth.value == base.truth.value


def test_xor_truths():
    q = 0.1
    h = -(q * math.log(q) + (1 - q) * math.log(1 - q))
    assert tasks.get("xor-flip0.1").truth.value == pytest.approx(math.log(2) - h, abs=1e-14)
    assert tasks.get("xor-flip0").truth.value == pytest.approx(math.log(2), abs=1e-14)
    # unconditionally X and Y are independent: conditioning raised the MI from 0
    assert exact.cmi_discrete(conditional.xor_pmf(q).sum(2)[:, :, None]).value == pytest.approx(
        0.0, abs=1e-14)
    x, y, z = tasks.get("xor-flip0.1").sample(20_000, seed=1)
    assert abs(np.mean(y != ((x + z) % 2)) - q) < 5 * math.sqrt(q * (1 - q) / 20_000)


def test_var_sweeps():
    for order in (1, 2):
        te = [tasks.get(process.var_name(order, c)).truth.value for c in process.COUPLINGS]
        assert te[0] == pytest.approx(0.0, abs=1e-12)
        assert all(b > a + 1e-4 for a, b in itertools.pairwise(te))  # rises with coupling
        c, kinds = process.PUSHED[order]
        for k in kinds:
            assert tasks.get(process.var_name(order, c, k)).truth.value == pytest.approx(
                tasks.get(process.var_name(order, c)).truth.value, abs=0)


def test_activations_tanh_is_a_per_unit_readout_of_the_linear_network():
    lin, tanh = tasks.get("ar-activations-linear"), tasks.get("ar-activations-tanh")
    for a, b in zip(lin.sample(500, seed=2), tanh.sample(500, seed=2)):
        assert np.allclose(np.arctanh(b), a, atol=1e-9)
    w, q = process.network()
    assert np.max(np.abs(np.linalg.eigvals(w))) == pytest.approx(0.9)
    assert tanh.truth.value == lin.truth.value
    assert lin.truth.value == pytest.approx(
        exact.transfer_entropy_var(w, q, [0, 1], [2, 3]).value, abs=0)


@pytest.mark.parametrize("name, n", [("cond-gaussian-d1-dz1-rho0.8", 2000), ("var1-c0.6", 2000)])
def test_calibration_loop(name, n):
    """What revinfo.calibrate does with a cell: sample, then every estimator of those inputs."""
    task = tasks.get(name)
    sample = task.sample(n, seed=0)
    chosen = [e for e in ESTIMATORS.entries() if e.meta.get("inputs") == task.inputs]
    assert len(chosen) >= (3 if task.inputs == "xyz" else 1)
    for entry in chosen:
        est = entry.obj(*sample)
        assert isinstance(est, Estimate) and math.isfinite(est.value), entry.name


def test_pushed_tasks_use_every_flow_kind():
    from revinfo import flows
    from revinfo.tasks import _flow_kinds, transformed

    assert _flow_kinds.FLOW_KINDS == transformed.FLOW_KINDS
    assert set(_flow_kinds.FLOW_KINDS) == set(flows.kinds())
    assert _flow_kinds.DEPTH == transformed.DEPTH


@pytest.mark.parametrize("module", ["revinfo.tasks.process", "revinfo.tasks.conditional"])
def test_a_family_module_imports_first(module):
    import subprocess
    import sys

    code = f"import {module}; import revinfo.tasks as t; print(len(t.names()))"
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]
