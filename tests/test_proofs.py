"""Every module in ``proofs/`` runs its ``prove()`` without error (new proofs are collected)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import sympy as sp

import proofs
from proofs._check import expect_equal

NAMES = sorted(m.name for m in pkgutil.iter_modules(proofs.__path__) if not m.name.startswith("_"))


def test_registry_lists_every_proof_with_a_claim() -> None:
    assert NAMES, "no proof modules found"
    assert sorted(proofs.PROOFS) == NAMES
    for name, claim in proofs.PROOFS.items():
        assert claim, f"proofs.{name} has no one-line claim in its docstring"


@pytest.mark.parametrize("name", NAMES)
def test_proof_runs(name: str) -> None:
    module = importlib.import_module(f"proofs.{name}")
    results = module.prove()
    assert isinstance(results, dict) and results, f"proofs.{name}.prove() returned {results!r}"
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in results.items())


def test_a_step_that_does_not_simplify_fails_loudly() -> None:
    x = sp.symbols("x", real=True)
    with pytest.raises(AssertionError, match="step 'wrong on purpose'"):
        expect_equal("wrong on purpose", sp.log(sp.exp(x) + 1), x)
    with pytest.raises(AssertionError, match="log of a square"):
        expect_equal("log of a square", sp.log(x**2) / 2, sp.log(x))  # x may be negative


def test_cut_entropy_proof_gives_the_g_the_claim_uses() -> None:
    import numpy as np

    from revinfo.claims.quantization import mean_cut_entropy

    results = importlib.import_module("proofs.cut_entropy").prove()
    length = sp.symbols("L", positive=True)
    big = sp.lambdify(length, sp.sympify(results["g(L), L >= 1"], locals={"L": length}))
    small = sp.lambdify(length, sp.sympify(results["g(L), L <= 1"], locals={"L": length}))
    for value in (0.05, 0.5, 1.0, 1.7, 3.0, 12.5):
        expected = small(value) if value <= 1 else big(value)
        assert np.isclose(mean_cut_entropy(value), expected, rtol=1e-15, atol=0), value
