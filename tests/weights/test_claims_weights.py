"""The weights claims run, give JSON evidence and hold at seed 0 (the two whose content
tests/weights/test_sgld.py already checks quickly are marked slow)."""

from __future__ import annotations

import json

import pytest

from revinfo import claims


@pytest.mark.parametrize("name", [
    "llc-singular-normal-crossing",
    "posterior-information-monotone-in-beta",
    pytest.param("sgld-linear-posterior", marks=pytest.mark.slow),
    pytest.param("llc-regular", marks=pytest.mark.slow),
])
def test_claim_holds_with_json_evidence(name):
    (r,) = claims.run([name], seed=0)
    json.dumps(r.to_dict(), allow_nan=False)
    assert r.holds, r.evidence
    if name == "llc-singular-normal-crossing":  # lambda(t) at t ~ 25 is ~0.32, not 1/2
        assert r.evidence["finite_t_bias"] < -0.1

