"""The task registry: names, tags, aliases, and every task's sampler (shape, dtype, seeds)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from revinfo import flows, tasks
from revinfo.tasks import registry, transformed

NAMES = tasks.names()


def test_names_are_a_manageable_sorted_unique_list():
    assert NAMES == sorted(set(NAMES))
    assert 40 <= len(NAMES) <= 200
    families = {"gaussian", "transformed", "student-t", "noisy-channel", "deterministic",
                "discrete", "weight-noise"}
    assert families <= set(registry.tags())


def test_names_builds_nothing():
    tasks.names()
    before = dict(registry._CACHE)
    tasks.names()
    tasks.names("flow")
    assert registry._CACHE == before


def test_every_flow_kind_is_covered():
    assert set(transformed.FLOW_KINDS) == set(flows.kinds())
    for kind in flows.kinds():
        assert f"gaussian-d5-rho0.8-dense+{kind}" in NAMES


def test_tag_filter_matches_the_built_tasks():
    for tag in ("gaussian", "noisy-channel", "monte-carlo", "log-ratio"):
        chosen = tasks.names(tag)
        assert chosen and set(chosen) <= set(NAMES)
        for name in chosen[:5]:
            assert tag in tasks.get(name).tags


def test_monte_carlo_truths_are_not_marked_cheap():
    for name in tasks.names("monte-carlo"):
        assert not tasks.get(name).cheap_truth, name


def test_former_names_still_work():
    old = tasks.get("gaussian-1d-rho0.9")
    assert old.name == "gaussian-1d-rho0.9" and "gaussian-1d-rho0.9" not in NAMES
    assert old.truth.value == tasks.get("gaussian-d1-rho0.9").truth.value
    assert old.truth.value == pytest.approx(-0.5 * math.log(1 - 0.81), rel=1e-12)
    assert tasks.get("gaussian-1d-rho0.9") is old


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        tasks.get("nope")
    with pytest.raises(TypeError, match="str"):
        tasks.get(3)
    with pytest.raises(ValueError, match="already registered"):
        tasks.register(NAMES[0], lambda: None)


@pytest.mark.parametrize("name", NAMES)
def test_sampler_shape_dtype_and_seed(name):
    task = tasks.get(name)
    assert task.name == name and task.description
    arrays = task.sample(16, seed=3)  # (x, y), (x, y, z) or (source, target)
    assert [a.shape for a in arrays] == [(16, d) for d in task.dims]
    for a in arrays:
        assert a.dtype == np.float64 and np.isfinite(a).all()
    for a, b in zip(arrays, task.sample(16, seed=3)):
        np.testing.assert_array_equal(a, b)
    # another seed, another sample (of some variable: a rare-event X is all 0 in 16 draws)
    changed = any(not np.array_equal(a, b) for a, b in zip(arrays, task.sample(16, seed=4)))
    assert changed or name.startswith("discrete-m16")


def test_an_unknown_tag_is_an_error_listing_the_known_tags():
    with pytest.raises(ValueError, match=r"unknown tag 'no-such-tag'; expected one of \[.*'gaussian'"):
        tasks.names(tag="no-such-tag")


def test_a_module_reference_builds_a_task(monkeypatch):
    import sys
    import types

    base = tasks.get("gaussian-d1-rho0.5")
    mod = types.ModuleType("revinfo_test_taskmod")
    mod.factory = lambda: dataclasses.replace(base, name="revinfo_test_taskmod:factory")
    monkeypatch.setitem(sys.modules, "revinfo_test_taskmod", mod)
    task = tasks.get("revinfo_test_taskmod:factory")
    assert task.truth.value == base.truth.value
    assert task.dims == base.dims
