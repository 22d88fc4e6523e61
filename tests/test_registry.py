"""The one registry idiom: decorator registration, references, entry points, validation."""

import importlib.metadata
import sys
import types

import pytest

from revinfo import registry
from revinfo.registry import Registry


def _fresh() -> Registry:
    return Registry("thing", "revinfo.test-things", validate=registry._check_callable("thing"))


def test_decorator_registers_with_meta_and_returns_the_object():
    reg = _fresh()

    @reg.decorator("double", colour="red")
    def double(v):
        return 2 * v

    assert double(3) == 6
    assert reg.names() == ["double"]
    assert reg.get("double") is double
    assert reg.entry("double").meta["colour"] == "red"
    assert reg.names(colour="blue") == []


def test_duplicate_name_is_refused_unless_replaced():
    reg = _fresh()
    reg.register("f", len)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("f", abs)
    reg.register("f", abs, replace=True)
    assert reg.get("f") is abs


def test_unknown_name_lists_the_known_ones():
    reg = _fresh()
    reg.register("known", len)
    with pytest.raises(ValueError, match=r"unknown thing 'nope'.*\['known'\]"):
        reg.get("nope")
    with pytest.raises(TypeError, match="must be a str"):
        reg.get(3)


def test_reference_resolves_registered_and_unregistered_objects(monkeypatch):
    mod = types.ModuleType("revinfo_test_refmod")
    mod.helper = lambda: 1
    mod.ns = types.SimpleNamespace(inner=abs)
    monkeypatch.setitem(sys.modules, "revinfo_test_refmod", mod)
    reg = _fresh()
    reg.register("named", mod.helper)
    assert reg.entry("revinfo_test_refmod:helper").name == "named"
    assert reg.get("revinfo_test_refmod:ns.inner") is abs
    with pytest.raises(ValueError, match="has no 'missing'"):
        reg.get("revinfo_test_refmod:missing")
    with pytest.raises(ValueError, match="cannot import module"):
        reg.get("revinfo_no_such_module_xyz:f")


def test_registration_is_validated():
    reg = _fresh()
    with pytest.raises(TypeError, match="must be callable"):
        reg.register("x", 3)
    with pytest.raises(ValueError, match="without ':'"):
        reg.register("a:b", len)
    with pytest.raises(ValueError, match="inputs must be one of"):
        registry._check_estimator("e", len, {"inputs": "xx"})


def test_entry_points_are_loaded_once_and_registered(monkeypatch):
    mod = types.ModuleType("revinfo_test_epmod")
    mod.plug = lambda: 7
    mod.plug.__revinfo_meta__ = {"inputs": "x"}
    monkeypatch.setitem(sys.modules, "revinfo_test_epmod", mod)
    ep = importlib.metadata.EntryPoint("plugged", "revinfo_test_epmod:plug", "revinfo.test-things")
    calls = []

    def fake_entry_points(group):
        calls.append(group)
        return [ep] if group == "revinfo.test-things" else []

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    reg = _fresh()
    assert reg.names() == ["plugged"]
    assert reg.entry("plugged").meta["inputs"] == "x"
    reg.names()
    assert calls == ["revinfo.test-things"]


def test_a_broken_entry_point_warns_and_is_skipped(monkeypatch):
    ep = importlib.metadata.EntryPoint("broken", "revinfo_no_such_module_xyz:f", "g")
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [ep])
    reg = _fresh()
    with pytest.warns(RuntimeWarning, match="failed to load"):
        assert reg.names() == []


def test_estimator_decorator_records_inputs_on_the_function():
    @registry.estimator("revinfo_test_tmp_estimator", inputs="xyz")
    def tmp(x, y, z):
        return 0.0

    try:
        assert tmp.__revinfo_meta__["inputs"] == "xyz"
        assert registry.ESTIMATORS.entry("revinfo_test_tmp_estimator").meta["inputs"] == "xyz"
    finally:
        registry.ESTIMATORS.unregister("revinfo_test_tmp_estimator")
